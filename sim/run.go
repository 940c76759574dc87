package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reesim/reesim/model"
)

// Options control a run. The zero value is usable.
type Options struct {
	// Trials is the number of trials; 0 means the scenario's trials.
	Trials int
	// Seed is the random seed; 0 means the scenario's seed.
	Seed uint64
	// First is the index of the first trial, so that a shard of a larger run
	// draws exactly the trials it would have drawn there. It must be a
	// multiple of BlockSize for the shard to merge exactly. Default 0.
	First int
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called from one goroutine with the trials done
	// so far and the total, about ten times a second and once at the end.
	Progress func(done, total int)
	// Stop, when set, ends the run early: trials run in fixed blocks of
	// StopEvery (default 1024, rounded up to a multiple of BlockSize), and
	// after each block Stop sees the result so far and says whether it is
	// precise enough, and why. Trials is then the cap. See Precision.
	Stop      func(*Result) (stop bool, why string)
	StopEvery int
	// Records, when set, receives one CSV row per trial, in trial order
	// whatever the worker count: the trial, every sampled input by its
	// parameter path, and RecordMetrics of every scope and material
	// (docs/model.md 5, per-trial records). The header comes first.
	Records io.Writer
}

// Run simulates a scenario. It returns when every goroutine it started has
// exited. When ctx is cancelled it stops promptly and returns an error that
// says how many trials were done.
func Run(ctx context.Context, sc *model.Scenario, opt Options) (*Result, error) {
	begin := time.Now()
	p, err := compile(sc)
	if err != nil {
		return nil, err
	}
	trials, seed, workers := opt.resolve(sc)
	if opt.First < 0 {
		return nil, fmt.Errorf("sim: first trial %d is negative", opt.First)
	}
	total := newAgg(p)
	first, last := opt.First, opt.First+trials
	rec, err := startRecords(opt.Records, p, first)
	if err != nil {
		return nil, err
	}
	if opt.Stop == nil {
		if err := runRange(ctx, p, seed, first, last, workers, opt.Progress, 0, trials, total, rec); err != nil {
			return nil, err
		}
		if err := rec.flush(); err != nil {
			return nil, fmt.Errorf("sim: writing the per-trial records: %w", err)
		}
		res := p.result(total, seed)
		res.Elapsed = time.Since(begin)
		return res, nil
	}
	// Stop at precision: fixed blocks, checked only at their ends, so the
	// stopping point and the result are reproducible.
	every := opt.StopEvery
	if every <= 0 {
		every = 1024
	}
	every = (every + BlockSize - 1) / BlockSize * BlockSize
	for lo := first; lo < last; lo += every {
		hi := min(last, lo+every)
		if err := runRange(ctx, p, seed, lo, hi, workers, opt.Progress, lo-first, trials, total, rec); err != nil {
			return nil, err
		}
		res := p.result(total, seed)
		if stop, why := opt.Stop(res); stop || hi == last {
			if err := rec.flush(); err != nil {
				return nil, fmt.Errorf("sim: writing the per-trial records: %w", err)
			}
			if !stop {
				why = fmt.Sprintf("trial cap of %d reached before the precision target (%s)", trials, why)
			}
			res.StopReason = why
			res.Elapsed = time.Since(begin)
			return res, nil
		}
	}
	return nil, fmt.Errorf("sim: no trials to run")
}

// resolve applies the documented defaults: the scenario's trials and seed,
// and GOMAXPROCS workers.
func (opt Options) resolve(sc *model.Scenario) (trials int, seed uint64, workers int) {
	trials, seed, workers = opt.Trials, opt.Seed, opt.Workers
	if trials <= 0 {
		trials = sc.Trials
	}
	if seed == 0 {
		seed = sc.Seed
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return trials, seed, workers
}

// runRange simulates trials [first, last) on a pool of workers and adds
// them to into, block by block; after an error into holds part of the range
// and must be discarded. progress, when set, sees done+offset of total.
func runRange(ctx context.Context, p *plan, seed uint64, first, last, workers int, progress func(done, total int), offset, total int, into *agg, rec *recorder) error {
	var done atomic.Int64
	stopProgress := reportProgress(progress, &done, offset, total)
	// Workers fold each finished block into into under mu: everything
	// there adds exactly, so the order of blocks does not matter. Blocks
	// go by absolute trial index, so shards align with an unsharded run.
	var mu sync.Mutex
	stop := stopFlag(ctx)
	err := eachBlock(ctx, workers, first/BlockSize, (last+BlockSize-1)/BlockSize, func() func(int) error {
		w, blk := newWorker(p, seed), newBlock(p)
		w.stop = stop
		var rows []byte
		return func(b int) error {
			lo, hi := max(first, b*BlockSize), min(last, (b+1)*BlockSize)
			if rec != nil {
				rows = nil // handed to the recorder: a fresh buffer
			}
			for t := lo; t < hi; t++ {
				if stop.Load() {
					return errStopped // the block is discarded whole
				}
				if err := w.run(uint64(t)); err != nil {
					return err
				}
				blk.addTrial(w)
				if rec != nil {
					rows = rec.layout.appendRow(rows, uint64(t), w, blk)
				}
			}
			if rec != nil {
				rec.put(b, rows)
			}
			mu.Lock()
			into.add(blk)
			mu.Unlock()
			done.Add(int64(hi - lo))
			return nil
		}
	})
	stopProgress()
	if err != nil && !errors.Is(err, errStopped) {
		return err
	}
	if err := ctx.Err(); err != nil && int(done.Load()) < last-first {
		return fmt.Errorf("sim: stopped after %d of %d trials: %w", offset+int(done.Load()), total, context.Cause(ctx))
	}
	return nil
}

// startRecords writes the records' header and returns their recorder;
// nil (records off) when w is nil.
func startRecords(w io.Writer, p *plan, first int) (*recorder, error) {
	if w == nil {
		return nil, nil
	}
	l := p.layout()
	if _, err := w.Write(l.header()); err != nil {
		return nil, fmt.Errorf("sim: writing the per-trial records: %w", err)
	}
	return newRecorder(w, l, first/BlockSize), nil
}

// stopFlag returns a flag set once ctx is done, cheap enough to read
// within a trial.
func stopFlag(ctx context.Context) *atomic.Bool {
	flag := new(atomic.Bool)
	context.AfterFunc(ctx, func() { flag.Store(true) })
	return flag
}

// reportProgress calls progress, when set, from one goroutine with
// offset+done of total about ten times a second, and once more when the
// returned stop is called; stop returns once that last call is done.
func reportProgress(progress func(done, total int), done *atomic.Int64, offset, total int) (stop func()) {
	if progress == nil {
		return func() {}
	}
	var wg sync.WaitGroup
	quit := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				progress(offset+int(done.Load()), total)
				return
			case <-tick.C:
				progress(offset+int(done.Load()), total)
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}

// eachBlock runs blocks [b0, b1) on up to workers goroutines (at least
// one). Each goroutine calls start once for its own state and then runs the
// function start returned on every block it claims. The first error stops
// the others and is returned. A cancelled ctx stops them too, between
// blocks, and eachBlock then returns nil: the caller checks ctx.
func eachBlock(ctx context.Context, workers, b0, b1 int, start func() func(b int) error) error {
	workers = max(1, min(workers, b1-b0))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		runErr  error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := start()
			for ctx.Err() == nil {
				b := b0 + int(next.Add(1)-1)
				if b >= b1 {
					return
				}
				if err := run(b); err != nil {
					errOnce.Do(func() { runErr = err })
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return runErr
}

// Precision returns a Stop rule for Options: stop once the standard error
// of every headline mean shortfall (each material, for each consumer and in
// total) is at most rel times its mean, or at most abs tonnes when abs > 0.
// A mean of zero with zero SE counts as precise.
func Precision(rel, abs float64) func(*Result) (bool, string) {
	return PrecisionOf(rel, abs, "each headline mean shortfall", func(m Metric) bool {
		return m.Metric == MetricShortfall && m.Scope != ScopeRegion
	})
}

// PrecisionOf is Precision over the metrics for which of is true (named
// what, for the stop reason): every one must have SE at most rel times its
// mean, or at most abs (in the metric's unit) when abs > 0. Until then the
// reason names the metric furthest from its target, which is the one
// holding the run back.
func PrecisionOf(rel, abs float64, what string, of func(Metric) bool) func(*Result) (bool, string) {
	target := fmt.Sprintf("SE <= %g %% of %s", 100*rel, what)
	if abs > 0 {
		target = fmt.Sprintf("SE <= %g on %s", abs, what)
	}
	return func(r *Result) (bool, string) {
		worst, worstRatio := "", 0.0
		for _, m := range r.Metrics {
			if !of(m) {
				continue
			}
			need := abs
			if abs <= 0 {
				need = rel * math.Abs(m.Mean)
			}
			if m.SE <= need {
				continue
			}
			ratio := math.Inf(1)
			if need > 0 {
				ratio = m.SE / need
			}
			if ratio > worstRatio {
				worstRatio = ratio
				worst = fmt.Sprintf("%s/%s/%s/%s: SE %.3g on a mean of %.4g", m.Scope, m.ID, m.Material, m.Metric, m.SE, m.Mean)
			}
		}
		if worst == "" {
			return true, fmt.Sprintf("precision reached after %d trials: %s", r.Trials, target)
		}
		return false, "least precise, holding the run back: " + worst
	}
}

// result turns aggregates into a Result.
func (p *plan) result(a *agg, seed uint64) *Result {
	nP := p.nP
	r := &Result{
		Scenario: p.sc.Name, ScenarioSHA256: p.sc.SHA256, Seed: seed, Trials: int(a.trials),
		Materials: p.mats, Stages: p.sc.Stages,
		HorizonDays: p.horizon, Period: p.sc.Period.Name, PeriodDays: p.period,
		Start: p.sc.Start.Format("2006-01-02"), DistP: DistGrid,
		Warnings: append(append([]string{}, p.sc.Warnings...), p.warnings()...),
	}
	for k := range nP {
		r.PeriodStart = append(r.PeriodStart, float64(k)*p.period)
	}
	for _, c := range p.sc.Consumers {
		r.Consumers = append(r.Consumers, ConsumerRef{c.ID, c.Region})
	}
	for _, o := range p.sc.Overrides {
		r.Overrides = append(r.Overrides, o.String())
	}
	names := MetricNames
	for s, sc := range p.scopes {
		for m, mat := range p.mats {
			j := p.byMat.at(p.canon[s], m)
			for k, name := range names {
				r.Metrics = append(r.Metrics, Metric{Scope: sc.kind, ID: sc.id, Material: mat, Metric: name, Stats: a.stats(byMetric.at(j, k))})
			}
			for k, name := range names {
				if !slices.Contains(DistMetrics, name) {
					continue
				}
				i := byMetric.at(j, k)
				m := &a.mom[i]
				d := Distribution{Scope: sc.kind, ID: sc.id, Material: mat, Metric: name, N: int64(m.n)}
				if m.n > 0 {
					for _, pr := range DistGrid {
						d.Q = append(d.Q, a.hist[i].quantile(pr, m.n, m.min, m.max))
					}
				}
				r.Distributions = append(r.Distributions, d)
			}
			ser := Series{Scope: sc.kind, ID: sc.id, Material: mat}
			for k := range nP {
				i := p.byPer.at(j, k)
				ser.Mean = append(ser.Mean, a.ser[i].float()/float64(a.trials))
				h := a.serH[i]
				if h == nil {
					h = &hist{}
				}
				q := func(pr float64) float64 { return h.quantile(pr, a.trials, 0, 1) }
				ser.P5 = append(ser.P5, q(0.05))
				ser.P25 = append(ser.P25, q(0.25))
				ser.P50 = append(ser.P50, q(0.5))
				ser.P75 = append(ser.P75, q(0.75))
				ser.P95 = append(ser.P95, q(0.95))
			}
			r.Series = append(r.Series, ser)
		}
	}
	for n, node := range p.nodes {
		for m, mat := range p.mats {
			u := Utilisation{Node: node.id, Material: mat}
			for k := range nP {
				u.Mean = append(u.Mean, a.util[p.byPer.at(p.byMat.at(n, m), k)].float()/float64(a.trials))
			}
			r.Utilisation = append(r.Utilisation, u)
		}
	}
	for f, fk := range p.flowKeys {
		fl := Flow{FlowKey: fk}
		for k := range nP {
			fl.Mean = append(fl.Mean, a.flow[p.byPer.at(f, k)].float()/float64(a.trials))
		}
		r.Flows = append(r.Flows, fl)
	}
	return r
}
