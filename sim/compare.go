package sim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/reesim/reesim/model"
)

// Comparison holds paired differences between a base scenario and
// variants of it, per material, of the total cumulative shortfall (t).
type Comparison struct {
	Trials    int
	Seed      uint64
	Materials []string
	// Base is the base scenario's total shortfall per material.
	Base []Stats
	// Diff[v][m] is base minus variant v for material m: the shortfall the
	// variant's change accounts for. Its SE is that of the paired
	// difference, which common random numbers make small.
	Diff [][]Stats
	// BaseAll and DiffAll are the same summed over materials (t of all
	// materials together).
	BaseAll Stats
	DiffAll []Stats
}

// Compare runs a base scenario and variants of it trial by trial with the
// same random streams (common random numbers: every draw is keyed by
// seed, trial, owner and field, so a variant that changes one event leaves
// every other draw as it was) and reports the paired differences of total
// shortfall. The variants must have the base's materials. Options.Trials,
// Seed, Workers and Progress (in trials, each run for the base and every
// variant) apply; First and Stop do not.
func Compare(ctx context.Context, base *model.Scenario, variants []*model.Scenario, opt Options) (*Comparison, error) {
	plans := make([]*plan, 0, 1+len(variants))
	for _, sc := range append([]*model.Scenario{base}, variants...) {
		p, err := compile(sc)
		if err != nil {
			return nil, err
		}
		if fmt.Sprint(p.mats) != fmt.Sprint(plans0(plans, p).mats) {
			return nil, fmt.Errorf("sim: variant %s has materials %v; the base has %v", sc.Name, p.mats, plans0(plans, p).mats)
		}
		plans = append(plans, p)
	}
	trials, seed, workers := opt.resolve(base)
	nM, nV := plans[0].nM, len(variants)
	nBlocks := (trials + BlockSize - 1) / BlockSize
	// acc[0] holds the base's values, acc[1+v] the differences for v.
	type accs [][]moments
	var (
		mu  sync.Mutex
		all []accs // one per goroutine
	)
	totalIdx := func(p *plan, m int) int { return p.canon[len(p.scopes)-1]*p.nM + m }
	var done atomic.Int64
	stopProgress := reportProgress(opt.Progress, &done, 0, trials)
	stop := stopFlag(ctx)
	err := eachBlock(ctx, workers, 0, nBlocks, func() func(int) error {
		a := make(accs, 1+nV)
		for i := range a {
			a[i] = make([]moments, nM+1) // the last: summed over materials
			for m := range a[i] {
				a[i][m] = emptyMoments()
			}
		}
		mu.Lock()
		all = append(all, a)
		mu.Unlock()
		ws := make([]*worker, len(plans))
		for i, p := range plans {
			ws[i] = newWorker(p, seed)
			ws[i].stop = stop
		}
		baseVals := make([]float64, nM)
		return func(b int) error {
			lo, hi := b*BlockSize, min(trials, (b+1)*BlockSize)
			for t := lo; t < hi; t++ {
				for i, w := range ws {
					if err := w.run(uint64(t)); err != nil {
						return err
					}
					all := 0.0
					for m := range nM {
						v := w.tShort[totalIdx(plans[i], m)]
						if i == 0 {
							baseVals[m] = v
						} else {
							v = baseVals[m] - v
						}
						a[i][m].add(v)
						all += v
					}
					a[i][nM].add(all)
				}
			}
			done.Add(int64(hi - lo))
			return nil
		}
	})
	stopProgress()
	if err := comparisonErr(ctx, err, done.Load(), trials); err != nil {
		return nil, err
	}
	sum := all[0]
	for _, a := range all[1:] {
		for i := range a {
			for m := range a[i] {
				sum[i][m].merge(&a[i][m])
			}
		}
	}
	c := &Comparison{Trials: trials, Seed: seed, Materials: plans[0].mats, Diff: make([][]Stats, nV)}
	for m := range nM {
		c.Base = append(c.Base, momentStats(&sum[0][m]))
	}
	c.BaseAll = momentStats(&sum[0][nM])
	for v := range nV {
		for m := range nM {
			c.Diff[v] = append(c.Diff[v], momentStats(&sum[1+v][m]))
		}
		c.DiffAll = append(c.DiffAll, momentStats(&sum[1+v][nM]))
	}
	return c, nil
}

func plans0(plans []*plan, p *plan) *plan {
	if len(plans) == 0 {
		return p
	}
	return plans[0]
}

// comparisonErr is the error of a comparison whose blocks ended with err
// after done of trials trials: err itself, or, when ctx was cancelled (a
// trial stopped mid-way returns errStopped), how far it got.
func comparisonErr(ctx context.Context, err error, done int64, trials int) error {
	if err != nil && !errors.Is(err, errStopped) {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("sim: comparison stopped after %d of %d trials: %w", done, trials, context.Cause(ctx))
	}
	return nil
}
