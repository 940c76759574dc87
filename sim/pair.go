package sim

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reesim/reesim/model"
)

// Pairing is two scenarios run on common random numbers: each side's full
// result, and for every metric both sides report, the paired difference
// B − A with its standard error.
type Pairing struct {
	A, B  *Result
	Diffs []Difference
}

// Difference is the paired difference B − A of one metric at one scope,
// beside each side's own statistics. Diff has moments only (mean, sd, se,
// min, max; its quantiles are NaN): the per-trial differences summed
// exactly, so its SE is that of the paired difference, which common random
// numbers make small where the sides differ little. For time_to_short, Diff
// is over the trials short on both sides.
type Difference struct {
	Scope    ScopeKind
	ID       string
	Material string
	Metric   string
	A, B     Stats
	Diff     Stats
}

// Pair runs scenarios a and b trial by trial with the same seed and trial
// streams (every draw is keyed by seed, trial, owner and field, so the
// fields they share draw the same values) and returns both results and
// the paired differences of every metric at every scope and material both
// have. Options.Trials, Seed, Workers and Progress apply (the defaults are
// a's); First and Stop do not. Results are bit-identical for any worker
// count.
func Pair(ctx context.Context, a, b *model.Scenario, opt Options) (*Pairing, error) {
	begin := time.Now()
	pa, err := compile(a)
	if err != nil {
		return nil, err
	}
	pb, err := compile(b)
	if err != nil {
		return nil, err
	}
	trials, seed, workers := opt.resolve(a)
	cells, diffs := pairCells(pa, pb)
	if len(cells) == 0 {
		return nil, fmt.Errorf("sim: %s and %s share no scope and material to compare", a.Name, b.Name)
	}
	aggA, aggB := newAgg(pa), newAgg(pb)
	sum := make([]moments, len(cells))
	for i := range sum {
		sum[i] = emptyMoments()
	}
	var (
		mu   sync.Mutex
		done atomic.Int64
	)
	stopProgress := reportProgress(opt.Progress, &done, 0, trials)
	stop := stopFlag(ctx)
	nBlocks := (trials + BlockSize - 1) / BlockSize
	err = eachBlock(ctx, workers, 0, nBlocks, func() func(int) error {
		wa, wb := newWorker(pa, seed), newWorker(pb, seed)
		wa.stop, wb.stop = stop, stop
		ba, bb := newBlock(pa), newBlock(pb)
		d := make([]moments, len(cells))
		return func(blk int) error {
			lo, hi := blk*BlockSize, min(trials, (blk+1)*BlockSize)
			for i := range d {
				d[i] = emptyMoments()
			}
			for t := lo; t < hi; t++ {
				if stop.Load() {
					return errStopped
				}
				if err := wa.run(uint64(t)); err != nil {
					return err
				}
				if err := wb.run(uint64(t)); err != nil {
					return err
				}
				ba.addTrial(wa)
				bb.addTrial(wb)
				for i, c := range cells {
					va, vb := ba.vals[c[0]], bb.vals[c[1]]
					if !math.IsNaN(va) && !math.IsNaN(vb) {
						d[i].add(vb - va)
					}
				}
			}
			mu.Lock()
			aggA.add(ba)
			aggB.add(bb)
			for i := range d {
				sum[i].merge(&d[i])
			}
			mu.Unlock()
			done.Add(int64(hi - lo))
			return nil
		}
	})
	stopProgress()
	if err := comparisonErr(ctx, err, done.Load(), trials); err != nil {
		return nil, err
	}
	out := &Pairing{A: pa.result(aggA, seed), B: pb.result(aggB, seed)}
	out.A.Elapsed, out.B.Elapsed = time.Since(begin), time.Since(begin)
	for _, d := range diffs {
		ma, _ := out.A.Find(d.scope.kind, d.scope.id, d.mat, MetricNames[d.metric])
		mb, _ := out.B.Find(d.scope.kind, d.scope.id, d.mat, MetricNames[d.metric])
		out.Diffs = append(out.Diffs, Difference{Scope: d.scope.kind, ID: d.scope.id, Material: d.mat, Metric: MetricNames[d.metric],
			A: ma.Stats, B: mb.Stats, Diff: momentStats(&sum[d.cell])})
	}
	return out, nil
}

// pairDiff is one reported difference: a scope, material and metric, and
// the index of its pair of aggregate cells.
type pairDiff struct {
	scope  scope
	mat    string
	metric int
	cell   int
}

// pairCells matches the metric cells of two plans by scope, material and
// metric: each pair of cells once (scopes that share their consumers share
// cells), and the differences to report, in a's order.
func pairCells(pa, pb *plan) (cells [][2]int, diffs []pairDiff) {
	bScope := map[scope]int{}
	for s, sc := range pb.scopes {
		bScope[sc] = s
	}
	bMat := map[string]int{}
	for m, mat := range pb.mats {
		bMat[mat] = m
	}
	index := map[[2]int]int{}
	for s, sc := range pa.scopes {
		sb, ok := bScope[sc]
		if !ok {
			continue
		}
		for m, mat := range pa.mats {
			mb, ok := bMat[mat]
			if !ok {
				continue
			}
			for k := range nMetrics {
				c := [2]int{byMetric.at(pa.byMat.at(pa.canon[s], m), k), byMetric.at(pb.byMat.at(pb.canon[sb], mb), k)}
				i, seen := index[c]
				if !seen {
					i = len(cells)
					index[c] = i
					cells = append(cells, c)
				}
				diffs = append(diffs, pairDiff{scope: sc, mat: mat, metric: k, cell: i})
			}
		}
	}
	return cells, diffs
}
