package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/reesim/reesim/model"
)

// truce90 loads truce90 for the tests that run it many times: under the
// race detector with a two-year horizon (every event still falls inside
// it), so that the package's tests stay well within go test's timeout.
func truce90(tb testing.TB) *model.Scenario {
	tb.Helper()
	var ovs []model.Override
	if raceEnabled {
		ovs = append(ovs, model.Override{Path: "horizon", Value: "2y"})
	}
	sc, err := model.Load("../scenarios/truce90.yaml", ovs...)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// anyScenario is the scenario of a test whose property holds for any
// scenario (results bit-identical across worker counts and shards, exact
// merges, a pair with itself differing by exactly 0): truce90, except
// under -short, where it is the tiny fuzz seed. That one has every event
// type, rerouting, request priorities, a stockpile and substitution, at
// about a hundredth of a truce90 trial's cost, so the race suite (go test
// -race -short) checks the same properties in a fraction of the time and
// go test without -short keeps each at truce90's scale.
func anyScenario(tb testing.TB) *model.Scenario {
	tb.Helper()
	if !testing.Short() {
		return truce90(tb)
	}
	sc, err := model.Parse([]byte(fuzzSeeds[0]), "tiny.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// loadScenario loads a built-in scenario from the source tree.
func loadScenario(tb testing.TB, name string) *model.Scenario {
	tb.Helper()
	sc, err := model.Load("../scenarios/" + name + ".yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// BenchmarkTruce90 runs the built-in truce90 scenario end to end, 1,024
// trials per op, on one worker and on two; trials/s is reported as a
// metric.
func BenchmarkTruce90(b *testing.B) {
	sc := loadScenario(b, "truce90")
	const trials = 1024
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(context.Background(), sc, Options{Trials: trials, Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(trials*b.N)/b.Elapsed().Seconds(), "trials/s")
		})
	}
}

// truce90Worker returns truce90's plan and a worker for it.
func truce90Worker(b *testing.B) (*plan, *worker) {
	b.Helper()
	p, err := compile(loadScenario(b, "truce90"))
	if err != nil {
		b.Fatal(err)
	}
	return p, newWorker(p, 1)
}

// BenchmarkTrial measures one truce90 trial on a warm worker, with its
// aggregation: the steady state must not allocate.
func BenchmarkTrial(b *testing.B) {
	p, w := truce90Worker(b)
	a := newAgg(p)
	for t := range 2 * BlockSize { // warm up: lazily allocated histogram bins
		w.run(uint64(t))
		a.addTrial(w)
	}
	a.flush()
	b.ReportAllocs()
	t := uint64(0)
	for b.Loop() {
		if err := w.run(t % 4096); err != nil {
			b.Fatal(err)
		}
		a.addTrial(w)
		t++
		if t%BlockSize == 0 {
			a.flush()
		}
	}
}

// BenchmarkSample measures one truce90 trial's draws and schedule alone:
// with BenchmarkAggregate, the floor under BenchmarkTrial that no faster
// allocation can remove.
func BenchmarkSample(b *testing.B) {
	_, w := truce90Worker(b)
	t := uint64(0)
	for b.Loop() {
		w.sample(t % 4096)
		t++
	}
}

// BenchmarkAggregate measures adding one finished truce90 trial to the
// streaming aggregates (every metric, scope and reporting period).
func BenchmarkAggregate(b *testing.B) {
	p, w := truce90Worker(b)
	if err := w.run(3); err != nil {
		b.Fatal(err)
	}
	a := newAgg(p)
	n := 0
	for b.Loop() {
		a.addTrial(w)
		if n++; n%BlockSize == 0 {
			a.flush()
		}
	}
}

// BenchmarkLockstep measures how far doing several allocation passes at
// once, in the lanes of a vector, could cut truce90's allocation work,
// before any cost of the vector code itself (docs/performance.md, "The
// lockstep bound"). A pass's work is counted in units: one for its
// ordinary request and supply, one per rerouting round. Lanes run in
// lockstep, so passes done together cost their longest. It reports the
// passes, rounds and units of a trial, and units over lockstep units
// when the materials a segment allocates go together (x-materials: four
// float64 lanes of AVX2 hold truce90's four) and when four trials' k-th
// passes of each material go together (x-trials4). Run it with
// -benchtime 1x: the figures are counts, not times.
func BenchmarkLockstep(b *testing.B) {
	p, w := truce90Worker(b)
	const trials, lanes = 256, 4
	type pass struct {
		m     int
		t     float64
		units uint64
	}
	byTrial := make([][]pass, trials)
	var tr int
	// The pass's rounds are the worker's count since the last pass.
	last := w.rounds
	w.onAllocate = func(m int, t float64) {
		byTrial[tr] = append(byTrial[tr], pass{m, t, w.rounds - last + 1})
		last = w.rounds
	}
	var units, rounds, passes, matLock, trialLock uint64
	for b.Loop() {
		units, rounds, passes, matLock, trialLock = 0, 0, 0, 0, 0
		for tr = range trials {
			byTrial[tr] = byTrial[tr][:0]
			if err := w.run(uint64(tr)); err != nil {
				b.Fatal(err)
			}
		}
		for _, ps := range byTrial {
			// A segment's passes are consecutive calls at one instant; a
			// material seen again (a substitution's second allocation)
			// starts a new set, since it depends on the first. A second
			// allocation of another material stays in the set, which
			// can only favour lockstep.
			var seen uint64
			var longest uint64
			for i, q := range ps {
				if i > 0 && (q.t != ps[i-1].t || seen&bit(q.m) != 0) {
					matLock += longest
					seen, longest = 0, 0
				}
				seen |= bit(q.m)
				longest = max(longest, q.units)
				units += q.units
				rounds += q.units - 1
				passes++
			}
			matLock += longest
		}
		for lo := 0; lo < trials; lo += lanes {
			for m := range p.nM {
				var k [lanes]int
				for {
					var longest uint64
					for j := range lanes {
						ps := byTrial[lo+j]
						for k[j] < len(ps) && ps[k[j]].m != m {
							k[j]++
						}
						if k[j] < len(ps) {
							longest = max(longest, ps[k[j]].units)
							k[j]++
						}
					}
					if longest == 0 {
						break
					}
					trialLock += longest
				}
			}
		}
	}
	b.ReportMetric(float64(passes)/trials, "passes/trial")
	b.ReportMetric(float64(rounds)/trials, "rounds/trial")
	b.ReportMetric(float64(units)/trials, "units/trial")
	b.ReportMetric(float64(units)/float64(matLock), "x-materials")
	b.ReportMetric(float64(units)/float64(trialLock), "x-trials4")
}
