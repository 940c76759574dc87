package sim

import (
	"context"
	"fmt"
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
	trials := opt.Trials
	if trials <= 0 {
		trials = sc.Trials
	}
	seed := opt.Seed
	if seed == 0 {
		seed = sc.Seed
	}
	if opt.First < 0 {
		return nil, fmt.Errorf("sim: first trial %d is negative", opt.First)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	first, last := opt.First, opt.First+trials
	// Blocks by absolute trial index, so shards align with an unsharded run.
	b0, b1 := first/BlockSize, (last+BlockSize-1)/BlockSize
	nBlocks := b1 - b0
	workers = max(1, min(workers, nBlocks))

	var (
		next    atomic.Int64
		done    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		runErr  error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	aggs := make([]*agg, workers)
	for wi := range workers {
		aggs[wi] = newAgg(p)
		wg.Add(1)
		go func(a *agg) {
			defer wg.Done()
			w := newWorker(p, seed)
			for ctx.Err() == nil {
				b := b0 + int(next.Add(1)-1)
				if b >= b1 {
					return
				}
				lo, hi := max(first, b*BlockSize), min(last, (b+1)*BlockSize)
				for t := lo; t < hi; t++ {
					if err := w.run(uint64(t)); err != nil {
						errOnce.Do(func() { runErr = err })
						cancel()
						return
					}
					a.addTrial(w)
				}
				a.flush()
				done.Add(int64(hi - lo))
			}
		}(aggs[wi])
	}
	var progWG sync.WaitGroup
	stop := make(chan struct{})
	if opt.Progress != nil {
		progWG.Add(1)
		go func() {
			defer progWG.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					opt.Progress(int(done.Load()), trials)
					return
				case <-tick.C:
					opt.Progress(int(done.Load()), trials)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	progWG.Wait()
	if runErr != nil {
		return nil, runErr
	}
	if err := ctx.Err(); err != nil && int(done.Load()) < trials {
		return nil, fmt.Errorf("sim: stopped after %d of %d trials: %w", done.Load(), trials, context.Cause(ctx))
	}
	total := aggs[0]
	for _, a := range aggs[1:] {
		total.merge(a)
	}
	res := p.result(total, seed)
	res.Elapsed = time.Since(begin)
	return res, nil
}

// result turns aggregates into a Result.
func (p *plan) result(a *agg, seed uint64) *Result {
	nM, nP := p.nM, p.nP
	r := &Result{
		Scenario: p.sc.Name, ScenarioSHA256: p.sc.SHA256, Seed: seed, Trials: int(a.trials),
		Materials: p.mats, Stages: p.sc.Stages,
		HorizonDays: p.horizon, Period: p.sc.Period.Name, PeriodDays: p.period,
		Start: p.sc.Start.Format("2006-01-02"), DistP: DistGrid,
		Warnings: append([]string{}, p.sc.Warnings...),
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
			j := s*nM + m
			for k, name := range names {
				r.Metrics = append(r.Metrics, Metric{Scope: sc.kind, ID: sc.id, Material: mat, Metric: name, Stats: a.stats(j*nMetrics + k)})
			}
			for k, name := range names {
				if !slices.Contains(DistMetrics, name) {
					continue
				}
				i := j*nMetrics + k
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
				i := j*nP + k
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
				u.Mean = append(u.Mean, a.util[(n*nM+m)*nP+k].float()/float64(a.trials))
			}
			r.Utilisation = append(r.Utilisation, u)
		}
	}
	for f, fk := range p.flowKeys {
		fl := Flow{FlowKey: fk}
		for k := range nP {
			fl.Mean = append(fl.Mean, a.flow[f*nP+k].float()/float64(a.trials))
		}
		r.Flows = append(r.Flows, fl)
	}
	return r
}
