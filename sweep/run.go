package sweep

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sim"
)

// Options control a sweep run. The zero value is usable.
type Options struct {
	// Workers per design point's simulation; 0 means GOMAXPROCS.
	Workers int
	// Restart discards finished points of a different sweep in the output
	// directory instead of refusing to continue.
	Restart bool
	// Progress, when set, is called after each design point.
	Progress func(done, total int)
	// Shard and Shards, when Shards > 0, run only shard Shard (0-based) of
	// Shards of the design points, a contiguous range; Merge combines the
	// shards' directories.
	Shard, Shards int
	// Version is the reesim version recorded with the points: points of
	// different versions are not resumed or merged together.
	Version string
}

// ErrOtherSweep is wrapped by Run's error when the output directory holds
// points of a different sweep or scenario and Options.Restart is not set.
var ErrOtherSweep = errors.New("points of another sweep or scenario")

// Loader loads the sweep's scenario with overrides applied.
type Loader func(overrides []model.Override) (*model.Scenario, error)

// Point is one evaluated design point.
type Point struct {
	Index  int
	Values []string  // each parameter's value; "" where the scenario's own holds
	Mean   []float64 // each output
	SE     []float64 // its standard error (NaN where the statistic has none)
}

// Outcome is a finished sweep.
type Outcome struct {
	Sweep   *model.Sweep
	Points  []Point
	Indices []IndexRow
}

// IndexRow is one line of indices.csv.
type IndexRow struct {
	Output, Param, Index string
	Estimate             Estimate
}

// design is a sweep's points: per point the unit coordinates (for the
// estimators) and the parameter values (for the overrides).
type design struct {
	unit   [][]float64
	values [][]string
}

func makeDesign(sw *model.Sweep) (design, error) {
	k := len(sw.Params)
	var d design
	levelsOf := func(p model.SweepParam, n int) []float64 {
		if len(p.Values) > 0 {
			n = len(p.Values)
		}
		ls := make([]float64, n)
		for j := range ls {
			if len(p.Values) > 0 {
				ls[j] = (float64(j) + 0.5) / float64(n)
			} else {
				ls[j] = float64(j) / float64(n-1)
			}
		}
		return ls
	}
	switch sw.Design {
	case "oat":
		// The base point is the scenario as written; then each parameter
		// alone at each of its levels (min and max for a range).
		d.unit = append(d.unit, nil)
		d.values = append(d.values, make([]string, k))
		for i, p := range sw.Params {
			ls := levelsOf(p, 2)
			for _, u := range ls {
				vals := make([]string, k)
				vals[i] = p.Value(u)
				x := make([]float64, k)
				x[i] = u
				d.unit = append(d.unit, x)
				d.values = append(d.values, vals)
			}
		}
		return d, nil
	case "grid":
		var levels [][]float64
		for _, p := range sw.Params {
			levels = append(levels, levelsOf(p, sw.Levels))
		}
		d.unit = GridPoints(levels)
	case "lhs":
		d.unit = LHSPoints(k, sw.Samples, sw.Seed)
	case "sobol":
		d.unit = SobolPoints(k, sw.Samples, sw.Seed)
	case "morris":
		d.unit = MorrisPoints(k, sw.Samples, morrisLevels(sw), sw.Seed)
	default:
		return d, fmt.Errorf("sweep: unknown design %q", sw.Design)
	}
	for _, x := range d.unit {
		vals := make([]string, k)
		for i, p := range sw.Params {
			vals[i] = p.Value(x[i])
		}
		d.values = append(d.values, vals)
	}
	return d, nil
}

// morrisLevels is the Morris grid size: the sweep's levels, made even.
func morrisLevels(sw *model.Sweep) int {
	p := sw.Levels
	if p%2 == 1 {
		p++
	}
	return p
}

// Check validates a sweep against its scenario before anything runs: every
// output names a material, and a consumer or region, of the scenario, and
// every parameter loads at both ends of its range (or at each of its
// values). The errors, all of them, are a model.ErrorList positioned at
// the sweep file's own lines (params[i], outputs[j]); an error of the
// scenario itself is returned as it is.
func Check(sw *model.Sweep, load Loader) error {
	base, err := load(nil)
	if err != nil {
		return err
	}
	return check(sw, base, load)
}

func check(sw *model.Sweep, base *model.Scenario, load Loader) error {
	var errs model.ErrorList
	at := func(pos model.Pos, path, format string, args ...any) {
		errs = append(errs, &model.Error{File: sw.File, Line: pos.Line, Col: pos.Col, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	scopes, err := sim.ScopesOf(base)
	if err != nil {
		return err
	}
	// The engine's names: its scope kinds, metrics and statistics, and
	// this scenario's scopes of each kind.
	for j, o := range sw.Outputs {
		path := fmt.Sprintf("outputs[%d]", j)
		pos := func(field string) model.Pos {
			if p, ok := o.FieldPos[field]; ok {
				return p
			}
			return o.Pos
		}
		oneOf := func(field, what, v string, choices []string) bool {
			if slices.Contains(choices, v) {
				return true
			}
			at(pos(field), path+"."+field, "unknown %s %q%s; want one of %s", what, v, model.DidYouMean(v, choices), strings.Join(choices, ", "))
			return false
		}
		oneOf("metric", "metric", o.Metric, sim.MetricNames)
		oneOf("stat", "stat", o.Stat, sim.StatNames)
		if !slices.Contains(base.Materials, o.Material) {
			at(pos("material"), path+".material", "the scenario has no material %q%s; want one of %s", o.Material, model.DidYouMean(o.Material, base.Materials), strings.Join(base.Materials, ", "))
		}
		if !oneOf("scope", "scope", o.Scope, sim.ScopeKinds) {
			continue
		}
		var ids []string
		for _, s := range scopes {
			if string(s.Kind) == o.Scope {
				ids = append(ids, s.ID)
			}
		}
		if !slices.Contains(ids, o.ID) {
			want := "want one of " + strings.Join(ids, ", ")
			if len(ids) == 0 {
				want = "it has none (outside scopes exist only for a region that restricts exports)"
			}
			at(pos("id"), path+".id", "the scenario has no %s %q%s; %s", o.Scope, o.ID, model.DidYouMean(o.ID, ids), want)
		}
	}
	for i, p := range sw.Params {
		values := p.Values
		if len(values) == 0 {
			values = []string{p.Value(0), p.Value(1)}
		}
		for _, v := range values {
			_, err := load([]model.Override{{Path: p.Path, Value: v}})
			var list model.ErrorList
			switch {
			case errors.As(err, &list):
				for _, e := range list {
					at(p.Pos, fmt.Sprintf("params[%d]", i), "%s = %s: %s", p.Path, v, e.Msg)
				}
			case err != nil:
				at(p.Pos, fmt.Sprintf("params[%d]", i), "%s = %s: %v", p.Path, v, err)
			}
			if err != nil {
				break // one bad value says what is wrong with the path
			}
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return nil
}

// withDefaultOutputs is the sweep's outputs, or by default the total
// shortfall fraction of each material.
func withDefaultOutputs(outputs []model.SweepOutput, base *model.Scenario) []model.SweepOutput {
	if len(outputs) > 0 {
		return outputs
	}
	for _, m := range base.Materials {
		outputs = append(outputs, model.SweepOutput{Scope: "total", ID: "all", Material: m, Metric: sim.MetricShortfallFrac, Stat: "mean"})
	}
	return outputs
}

// header is the provenance recorded in points.json: what made the points,
// so a resumed sweep can refuse points of another.
func header(sw *model.Sweep, sc *model.Scenario) string {
	h := fmt.Sprintf("reesim sweep %s sha256=%s scenario=%s scenario_sha256=%s design=%s trials=%d seed=%d samples=%d levels=%d",
		filepath.Base(sw.File), sw.SHA256, sc.Name, sc.SHA256, sw.Design, sw.Trials, sw.Seed, sw.Samples, sw.Levels)
	// Overrides of the whole sweep's scenario (reesim sweep --set) make
	// another sweep, whose points must not mix with these.
	for _, o := range sc.Overrides {
		h += " set=" + strconv.Quote(o.String())
	}
	return h
}

// Run evaluates every design point of the sweep, each a full simulation
// with the sweep's seed (common random numbers), appending each finished
// point to DIR/points.csv (synced), then writes DIR/indices.csv. Run again
// with the same sweep, it skips the points already in points.csv, and the
// outputs are byte-identical to an uninterrupted run.
func Run(ctx context.Context, sw *model.Sweep, load Loader, dir string, opt Options) (*Outcome, error) {
	base, err := load(nil)
	if err != nil {
		return nil, err
	}
	if err := sw.CheckSize(); err != nil { // --samples may have raised it
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := check(sw, base, load); err != nil {
		return nil, err
	}
	outputs := withDefaultOutputs(sw.Outputs, base)
	sw2 := *sw
	sw2.Outputs = outputs
	sw = &sw2
	d, err := makeDesign(sw)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	head := header(sw, base)
	meta := PointsMeta{Version: opt.Version, Provenance: head, Columns: columns(sw, outputs)}
	total := len(d.values)
	lo, hi := 0, total
	if opt.Shards > 0 {
		if opt.Shard < 0 || opt.Shard >= opt.Shards {
			return nil, fmt.Errorf("sweep: shard %d/%d: want 0 <= i < N", opt.Shard, opt.Shards)
		}
		lo, hi = opt.Shard*total/opt.Shards, (opt.Shard+1)*total/opt.Shards
	}
	done, err := readPoints(dir, meta, len(sw.Params), lo, opt.Restart, true)
	if err != nil {
		return nil, err
	}
	log, err := openPoints(dir, meta, len(done))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	for idx := lo + len(done); idx < hi; idx++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sweep: stopped after %d of %d points (run again to resume): %w", idx-lo, hi-lo, err)
		}
		var ovs []model.Override
		for i, v := range d.values[idx] {
			if v != "" {
				ovs = append(ovs, model.Override{Path: sw.Params[i].Path, Value: v})
			}
		}
		sc, err := load(ovs)
		if err != nil {
			return nil, fmt.Errorf("sweep: point %d: %w", idx, err)
		}
		res, err := sim.Run(ctx, sc, sim.Options{Trials: sw.Trials, Seed: sw.Seed, Workers: opt.Workers})
		if err != nil {
			return nil, fmt.Errorf("sweep: point %d: %w", idx, err)
		}
		pt := Point{Index: idx, Values: d.values[idx]}
		for _, o := range outputs {
			m, ok := res.Find(sim.ScopeKind(o.Scope), o.ID, o.Material, o.Metric)
			if !ok {
				return nil, fmt.Errorf("sweep: output %s: no such metric in the result (check scope and id)", o.Label())
			}
			v, se := statOf(m, o.Stat)
			pt.Mean = append(pt.Mean, v)
			pt.SE = append(pt.SE, se)
		}
		if err := log.append(pt); err != nil {
			return nil, err
		}
		done = append(done, pt)
		if opt.Progress != nil {
			opt.Progress(idx+1-lo, hi-lo)
		}
	}
	out := &Outcome{Sweep: sw, Points: done}
	if opt.Shards > 0 {
		m := ShardManifest{Version: opt.Version, SweepSHA256: sw.SHA256, Head: head, Shard: opt.Shard, Shards: opt.Shards, First: lo, Last: hi, Points: total, Outputs: slices.Clone(outputs)}
		if err := writeShard(dir, sw, m); err != nil {
			return nil, err
		}
		return out, nil
	}
	if out.Indices, err = indices(sw, d, done); err != nil {
		return nil, err
	}
	err = output.WriteFile(filepath.Join(dir, "indices.csv"), func(w io.Writer) error { return writeIndices(w, out.Indices) })
	return out, err
}

// statOf picks a statistic of a metric, with the standard error where
// there is one (the mean's). Check has validated the stat's name against
// sim.StatNames.
func statOf(m sim.Metric, stat string) (v, se float64) {
	if stat == "mean" {
		return m.Mean, m.SE
	}
	v, _ = m.Stat(stat)
	return v, math.NaN()
}

func parseF(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// indices computes the design's sensitivity indices from the points.
func indices(sw *model.Sweep, d design, pts []Point) ([]IndexRow, error) {
	k := len(sw.Params)
	y := make([][]float64, len(pts))
	for i, p := range pts {
		y[i] = p.Mean
	}
	var rows []IndexRow
	add := func(o int, i int, name string, e Estimate) {
		rows = append(rows, IndexRow{Output: sw.Outputs[o].Label(), Param: sw.Params[i].Path, Index: name, Estimate: e})
	}
	const boot = 1000
	switch sw.Design {
	case "oat":
		at := 1
		for i, p := range sw.Params {
			n := 2
			if len(p.Values) > 0 {
				n = len(p.Values)
			}
			for o := range sw.Outputs {
				lo, hi := pts[at], pts[at+n-1]
				add(o, i, "low", ci(lo.Mean[o], lo.SE[o]))
				add(o, i, "high", ci(hi.Mean[o], hi.SE[o]))
			}
			at += n
		}
	case "lhs":
		est, err := SRRC(d.unit, y, boot, sw.Seed)
		if err != nil {
			return nil, err
		}
		for o := range est {
			for i := range k {
				add(o, i, "SRRC", est[o][i])
			}
		}
	case "sobol":
		est, err := Sobol(k, sw.Samples, y, boot, sw.Seed)
		if err != nil {
			return nil, err
		}
		for o := range est {
			for i := range k {
				add(o, i, "S1", est[o].S1[i])
				add(o, i, "ST", est[o].ST[i])
			}
		}
	case "morris":
		est, err := Morris(d.unit, y, k, sw.Samples, morrisLevels(sw), boot, sw.Seed)
		if err != nil {
			return nil, err
		}
		for o := range est {
			for i := range k {
				add(o, i, "mu_star", est[o][i].MuStar)
				add(o, i, "sigma", est[o][i].Sigma)
			}
		}
	case "grid":
		// Main effects: for each parameter and level, the output averaged
		// over every grid point at that level. The points share their
		// random numbers, so their errors are correlated; the mean of
		// their SEs bounds the SE of the average from above.
		for i := range k {
			var levels []string
			sum, seSum, n := map[string][]float64{}, map[string][]float64{}, map[string]int{}
			for _, p := range pts {
				v := p.Values[i]
				if n[v] == 0 {
					levels = append(levels, v)
					sum[v], seSum[v] = make([]float64, len(sw.Outputs)), make([]float64, len(sw.Outputs))
				}
				n[v]++
				for o := range sw.Outputs {
					sum[v][o] += p.Mean[o]
					seSum[v][o] += p.SE[o]
				}
			}
			for o := range sw.Outputs {
				for _, v := range levels {
					c := float64(n[v])
					add(o, i, "mean_at="+v, ci(sum[v][o]/c, seSum[v][o]/c))
				}
			}
		}
	}
	return rows, nil
}

// ci is a point estimate with a normal 95 % interval from its SE.
func ci(v, se float64) Estimate {
	if math.IsNaN(se) {
		return Estimate{Value: v, Low: math.NaN(), High: math.NaN()}
	}
	return Estimate{Value: v, Low: v - 1.96*se, High: v + 1.96*se}
}

func writeIndices(w io.Writer, rows []IndexRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"output", "param", "index", "estimate", "ci_low", "ci_high"})
	for _, r := range rows {
		cw.Write([]string{r.Output, r.Param, r.Index, output.CSVFloat(r.Estimate.Value), output.CSVFloat(r.Estimate.Low), output.CSVFloat(r.Estimate.High)})
	}
	cw.Flush()
	return cw.Error()
}

// SobolMinSamples is the number of base samples below which a Sobol'
// sweep's indices are flagged as rough: with fewer, the 95 % intervals
// of truce90's indices are typically wider than the [0, 1] the indices
// live in.
const SobolMinSamples = 256

// Warnings says where the outcome's indices should not be read as they
// stand: a Sobol' sweep with fewer than SobolMinSamples base samples, or
// any of whose S1 or ST intervals is wider than one half, or whose
// estimates fall outside [0, 1] by more than their interval explains.
func (o *Outcome) Warnings() []string {
	sw := o.Sweep
	if sw.Design != "sobol" {
		return nil
	}
	var widest IndexRow
	width := 0.0
	outside := ""
	for _, r := range o.Indices {
		if r.Index != "S1" && r.Index != "ST" {
			continue
		}
		if w := r.Estimate.High - r.Estimate.Low; w > width {
			widest, width = r, w
		}
		if v := r.Estimate.Value; outside == "" && (r.Estimate.High < 0 || r.Estimate.Low > 1 || v > 1.05 || v < -0.05) {
			outside = fmt.Sprintf("; %s of %s for %s is %.3g, outside [0, 1]", r.Index, r.Param, r.Output, v)
		}
	}
	if sw.Samples >= SobolMinSamples && width <= 0.5 && outside == "" {
		return nil
	}
	msg := fmt.Sprintf("%d base samples are few for Sobol' indices", sw.Samples)
	if width > 0 {
		msg += fmt.Sprintf(": the widest 95 %% interval (%s of %s) spans %.2g", widest.Index, widest.Param, width)
	}
	// Intervals narrow as one over the square root of the samples: ask
	// for enough to bring the widest to one half, a power of two.
	want := SobolMinSamples
	for float64(want) < float64(sw.Samples)*(width/0.5)*(width/0.5) && want < 1<<20 {
		want *= 2
	}
	return []string{msg + outside + fmt.Sprintf("; use samples: %d or more", want)}
}
