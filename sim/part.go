package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/reesim/reesim/model"
)

// Shard returns the trials [first, last) of shard i of n (0-based) of a
// run of the given number of trials: contiguous, on block boundaries, as
// even as blocks allow. Shards of one run cover it exactly once.
func Shard(i, n, trials int) (first, last int) {
	blocks := (trials + BlockSize - 1) / BlockSize
	b0, b1 := i*blocks/n, (i+1)*blocks/n
	return min(b0*BlockSize, trials), min(b1*BlockSize, trials)
}

// Manifest says what a partial result is part of.
type Manifest struct {
	Version        string   `json:"reesim_version"`
	Scenario       string   `json:"scenario"`
	ScenarioSHA256 string   `json:"scenario_sha256"`
	Overrides      []string `json:"overrides,omitempty"`
	Seed           uint64   `json:"seed"`
	Trials         int      `json:"trials"` // of the whole run
	Shard          int      `json:"shard"`  // 0-based
	Shards         int      `json:"shards"`
	First          int      `json:"first_trial"`
	Last           int      `json:"last_trial"` // exclusive
	BlockSize      int      `json:"block_size"`
	Shape          string   `json:"shape"` // the aggregate's dimensions
	Format         int      `json:"format"`
	// SHA256 is the checksum of the whole part: this manifest (with
	// SHA256 empty) and the encoded aggregate.
	SHA256 string `json:"sha256"`
}

// partFormat is the version of the encoding of parts: ReadPart refuses
// others rather than misread them.
const partFormat = 2

// Part is the exactly mergeable aggregate of a range of trials.
type Part struct {
	Manifest Manifest
	p        *plan
	a        *agg
}

// RunPart simulates shard i of n of a run (Options.Trials is the whole
// run's size; First is ignored) and returns its mergeable aggregate.
func RunPart(ctx context.Context, sc *model.Scenario, opt Options, i, n int) (*Part, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("sim: shard %d/%d: want 0 <= i < n", i, n)
	}
	p, err := compile(sc)
	if err != nil {
		return nil, err
	}
	trials, seed, workers := opt.resolve(sc)
	first, last := Shard(i, n, trials)
	a := newAgg(p)
	rec, err := startRecords(opt.Records, p, first)
	if err != nil {
		return nil, err
	}
	if last > first {
		if err := runRange(ctx, p, seed, first, last, workers, opt.Progress, 0, last-first, a, rec); err != nil {
			return nil, err
		}
	}
	if err := rec.flush(); err != nil {
		return nil, fmt.Errorf("sim: writing the per-trial records: %w", err)
	}
	m := Manifest{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Seed: seed, Trials: trials, Shard: i, Shards: n,
		First: first, Last: last, BlockSize: BlockSize, Shape: p.shape()}
	for _, o := range sc.Overrides {
		m.Overrides = append(m.Overrides, o.String())
	}
	return &Part{Manifest: m, p: p, a: a}, nil
}

func (p *plan) shape() string {
	return fmt.Sprintf("scopes=%d aggregated=%d materials=%d periods=%d nodes=%d flows=%d metrics=%d", len(p.scopes), len(p.aggScopes), p.nM, p.nP, len(p.nodes), len(p.flowKeys), nMetrics)
}

// Result summarises the part (for one shard, its own trials).
func (pt *Part) Result() *Result {
	return pt.p.result(pt.a, pt.Manifest.Seed)
}

// encoded is the JSON form of an aggregate: float64s as their bits and
// 128-bit sums as two words, so that decoding gives back the same bits.
type encoded struct {
	Trials uint64       `json:"trials"`
	Mom    [][9]uint64  `json:"moments"` // n, s.hi, s.lo, ss[3..0], bits(min), bits(max)
	Hist   []sparseHist `json:"hist"`
	Ser    [][2]uint64  `json:"series_sums"`
	SerH   []sparseHist `json:"series_hist"` // index of the cell in Cell
	Util   [][2]uint64  `json:"utilisation_sums"`
	Flow   [][2]uint64  `json:"flow_sums"`
}

type sparseHist struct {
	Cell int         `json:"cell,omitempty"`
	Pos  uint64      `json:"pos"`
	Bins [][3]uint64 `json:"bins"` // octave, sub-bin, count
}

func encodeHist(h *hist, cell int) sparseHist {
	s := sparseHist{Cell: cell, Pos: h.pos, Bins: [][3]uint64{}}
	for o, p := range h.oct {
		if p == nil {
			continue
		}
		for b, c := range p {
			if c > 0 {
				s.Bins = append(s.Bins, [3]uint64{uint64(o), uint64(b), c})
			}
		}
	}
	return s
}

func decodeHist(s sparseHist, h *hist) error {
	var sum uint64
	for _, b := range s.Bins {
		if b[0] >= nOctaves || b[1] >= subBins {
			return fmt.Errorf("histogram bin %v out of range", b)
		}
		if h.oct[b[0]] == nil {
			h.oct[b[0]] = new([subBins]uint64)
		}
		h.oct[b[0]][b[1]] += b[2]
		sum += b[2]
	}
	if sum != s.Pos {
		return fmt.Errorf("histogram counts %d, but says %d", sum, s.Pos)
	}
	h.pos = s.Pos
	return nil
}

func i128s(v []i128) [][2]uint64 {
	out := make([][2]uint64, len(v))
	for i, x := range v {
		out[i] = [2]uint64{x.hi, x.lo}
	}
	return out
}

// MarshalJSON writes the part: its manifest and its aggregate.
func (pt *Part) MarshalJSON() ([]byte, error) {
	a := pt.a
	e := encoded{Trials: a.trials, Ser: i128s(a.ser), Util: i128s(a.util), Flow: i128s(a.flow), SerH: []sparseHist{}}
	for i := range a.mom {
		m := &a.mom[i]
		e.Mom = append(e.Mom, [9]uint64{m.n, m.s.hi, m.s.lo, m.ss[3], m.ss[2], m.ss[1], m.ss[0], math.Float64bits(m.min), math.Float64bits(m.max)})
		e.Hist = append(e.Hist, encodeHist(&a.hist[i], 0))
	}
	for i, h := range a.serH {
		if h != nil {
			e.SerH = append(e.SerH, encodeHist(h, i))
		}
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	m := pt.Manifest
	m.Format = partFormat
	if m.SHA256, err = m.checksum(payload); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"manifest":`)
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	b.Write(mb)
	b.WriteString(`,"aggregate":`)
	b.Write(payload)
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// checksum is the SHA-256 of the manifest (its own checksum left out) and
// the encoded aggregate: editing either, the seed as much as a sum, breaks
// it.
func (m Manifest) checksum(payload []byte) (string, error) {
	m.SHA256 = ""
	mb, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(mb)
	h.Write([]byte{'\n'})
	h.Write(payload)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ReadPart decodes a part written by MarshalJSON for the scenario it was
// made from, checking its payload's checksum and shape.
func ReadPart(data []byte, sc *model.Scenario) (*Part, error) {
	var raw struct {
		Manifest  Manifest        `json:"manifest"`
		Aggregate json.RawMessage `json:"aggregate"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("sim: part is truncated or not a reesim part: %w", err)
	}
	if raw.Manifest.Format != partFormat {
		return nil, fmt.Errorf("sim: part %d/%d has format %d (made by reesim %q); this reesim reads format %d: merge it with the reesim that made it", raw.Manifest.Shard, raw.Manifest.Shards, raw.Manifest.Format, raw.Manifest.Version, partFormat)
	}
	if sum, err := raw.Manifest.checksum(raw.Aggregate); err != nil || sum != raw.Manifest.SHA256 {
		return nil, fmt.Errorf("sim: part %d/%d is corrupt or edited: its checksum does not match", raw.Manifest.Shard, raw.Manifest.Shards)
	}
	if m := raw.Manifest; !(m.Shards >= 1 && m.Shard >= 0 && m.Shard < m.Shards && m.Trials >= 0 && m.Trials <= model.MaxTrials && 0 <= m.First && m.First <= m.Last && m.Last <= m.Trials) {
		return nil, fmt.Errorf("sim: part is corrupt: shard %d of %d, trials [%d, %d) of %d", m.Shard, m.Shards, m.First, m.Last, m.Trials)
	}
	if sc.SHA256 != raw.Manifest.ScenarioSHA256 {
		return nil, fmt.Errorf("sim: part %d/%d is of scenario %s (sha256 %.12s), not %s (%.12s)", raw.Manifest.Shard, raw.Manifest.Shards, raw.Manifest.Scenario, raw.Manifest.ScenarioSHA256, sc.Name, sc.SHA256)
	}
	p, err := compile(sc)
	if err != nil {
		return nil, err
	}
	if p.shape() != raw.Manifest.Shape {
		return nil, fmt.Errorf("sim: part %d/%d has shape %q; the scenario gives %q", raw.Manifest.Shard, raw.Manifest.Shards, raw.Manifest.Shape, p.shape())
	}
	var e encoded
	if err := json.Unmarshal(raw.Aggregate, &e); err != nil {
		return nil, fmt.Errorf("sim: part %d/%d: %w", raw.Manifest.Shard, raw.Manifest.Shards, err)
	}
	a := newAgg(p)
	if len(e.Mom) != len(a.mom) || len(e.Hist) != len(a.hist) || len(e.Ser) != len(a.ser) || len(e.Util) != len(a.util) || len(e.Flow) != len(a.flow) {
		return nil, fmt.Errorf("sim: part %d/%d: aggregate sizes do not match its shape", raw.Manifest.Shard, raw.Manifest.Shards)
	}
	a.trials = e.Trials
	for i, m := range e.Mom {
		a.mom[i] = moments{n: m[0], s: i128{m[1], m[2]}, ss: u256{m[6], m[5], m[4], m[3]}, min: math.Float64frombits(m[7]), max: math.Float64frombits(m[8])}
		if err := decodeHist(e.Hist[i], &a.hist[i]); err != nil {
			return nil, fmt.Errorf("sim: part %d/%d: %w", raw.Manifest.Shard, raw.Manifest.Shards, err)
		}
	}
	for _, s := range e.SerH {
		if s.Cell < 0 || s.Cell >= len(a.serH) {
			return nil, fmt.Errorf("sim: part %d/%d: series cell %d out of range", raw.Manifest.Shard, raw.Manifest.Shards, s.Cell)
		}
		h := new(hist)
		if err := decodeHist(s, h); err != nil {
			return nil, err
		}
		a.serH[s.Cell] = h
	}
	for i, v := range e.Ser {
		a.ser[i] = i128{v[0], v[1]}
	}
	for i, v := range e.Util {
		a.util[i] = i128{v[0], v[1]}
	}
	for i, v := range e.Flow {
		a.flow[i] = i128{v[0], v[1]}
	}
	if a.trials != uint64(raw.Manifest.Last-raw.Manifest.First) {
		return nil, fmt.Errorf("sim: part %d/%d holds %d trials but covers %d", raw.Manifest.Shard, raw.Manifest.Shards, a.trials, raw.Manifest.Last-raw.Manifest.First)
	}
	if err := a.consistent(); err != nil {
		return nil, fmt.Errorf("sim: part %d/%d is inconsistent: %w", raw.Manifest.Shard, raw.Manifest.Shards, err)
	}
	return &Part{Manifest: raw.Manifest, p: p, a: a}, nil
}

// Merge combines every shard of one run into its result, exactly: the
// metrics and series are those of the unsharded run with the same seed. It
// refuses a missing or duplicate shard and parts of different runs.
func Merge(parts []*Part) (*Result, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("sim: nothing to merge")
	}
	ps := append([]*Part(nil), parts...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Manifest.Shard < ps[j].Manifest.Shard })
	m0 := ps[0].Manifest
	seen := map[int]bool{}
	for _, pt := range ps {
		m := pt.Manifest
		switch {
		case m.ScenarioSHA256 != m0.ScenarioSHA256 || m.Scenario != m0.Scenario:
			return nil, fmt.Errorf("sim: parts of different scenarios (%s and %s)", m0.Scenario, m.Scenario)
		case fmt.Sprint(m.Overrides) != fmt.Sprint(m0.Overrides):
			return nil, fmt.Errorf("sim: parts with different overrides (%v and %v)", m0.Overrides, m.Overrides)
		case m.Seed != m0.Seed:
			return nil, fmt.Errorf("sim: parts with different seeds (%d and %d)", m0.Seed, m.Seed)
		case m.Trials != m0.Trials:
			return nil, fmt.Errorf("sim: parts of runs of different sizes (%d and %d trials)", m0.Trials, m.Trials)
		case m.Shards != m0.Shards:
			return nil, fmt.Errorf("sim: parts of different splits (%d and %d shards)", m0.Shards, m.Shards)
		case m.Version != m0.Version:
			return nil, fmt.Errorf("sim: parts made by different reesim versions (%s and %s)", m0.Version, m.Version)
		case m.BlockSize != BlockSize:
			return nil, fmt.Errorf("sim: part %d/%d uses blocks of %d trials; this reesim uses %d", m.Shard, m.Shards, m.BlockSize, BlockSize)
		case seen[m.Shard]:
			return nil, fmt.Errorf("sim: shard %d/%d given twice", m.Shard, m.Shards)
		}
		if f, l := Shard(m.Shard, m.Shards, m.Trials); f != m.First || l != m.Last {
			return nil, fmt.Errorf("sim: shard %d/%d covers trials %d-%d; it should cover %d-%d", m.Shard, m.Shards, m.First, m.Last, f, l)
		}
		seen[m.Shard] = true
	}
	var missing []int
	for i := range m0.Shards {
		if !seen[i] {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sim: missing shard(s) %v of %d", missing, m0.Shards)
	}
	total := newAgg(ps[0].p)
	for _, pt := range ps {
		total.merge(pt.a)
	}
	res := ps[0].p.result(total, m0.Seed)
	res.Version = m0.Version
	return res, nil
}

// consistent checks what any aggregate of real trials satisfies, so that a
// forged or damaged part with a recomputed checksum is still refused: no
// metric counts more values than there are trials, extremes are finite and
// ordered, every mean lies between them, sums of squares are at least what
// the sums imply (n*ss >= s^2), histograms count no more than their metric,
// and sums of non-negative quantities are not negative.
func (a *agg) consistent() error {
	for i := range a.mom {
		m := &a.mom[i]
		switch {
		case m.n > a.trials:
			return fmt.Errorf("metric cell %d counts %d values in %d trials", i, m.n, a.trials)
		case a.hist[i].pos > m.n:
			return fmt.Errorf("metric cell %d: its histogram counts %d of %d values", i, a.hist[i].pos, m.n)
		case m.n == 0:
			if m.s != (i128{}) || m.ss != (u256{}) || !math.IsInf(m.min, 1) || !math.IsInf(m.max, -1) {
				return fmt.Errorf("metric cell %d has no values but sums or extremes", i)
			}
			continue
		case math.IsNaN(m.min) || math.IsNaN(m.max) || math.IsInf(m.min, 0) || math.IsInf(m.max, 0) || m.min > m.max:
			return fmt.Errorf("metric cell %d has extremes %g and %g", i, m.min, m.max)
		}
		n := float64(m.n)
		if mean := m.s.float() / n; mean < m.min-1e-9*math.Abs(m.min)-0x1p-31 || mean > m.max+1e-9*math.Abs(m.max)+0x1p-31 {
			return fmt.Errorf("metric cell %d has mean %g outside [%g, %g]", i, mean, m.min, m.max)
		}
		s := m.s.big()
		nss := new(big.Int).Mul(new(big.Int).SetUint64(m.n), m.ss.big())
		if nss.Cmp(s.Mul(s, s)) < 0 {
			return fmt.Errorf("metric cell %d: its sum of squares is smaller than its sum allows", i)
		}
	}
	for i, h := range a.serH {
		if h != nil && h.pos > a.trials {
			return fmt.Errorf("series cell %d: its histogram counts %d values in %d trials", i, h.pos, a.trials)
		}
	}
	for _, sums := range [][]i128{a.ser, a.util, a.flow} {
		for i, v := range sums {
			if v.hi>>63 == 1 {
				return fmt.Errorf("sum %d is negative", i)
			}
		}
	}
	return nil
}
