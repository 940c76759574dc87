package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// network writes a generated scenario of about n nodes over the stages
// mine, process and magnet (30, 30 and 40 % of them), six regions, five
// consumers and m materials. Each destination draws on at least two
// sources of the stage before with shares (every source feeds one), and
// one more as a share-0 backup; China restricts its processing and magnets, a truce with
// renewals suspends it, three buildouts come online outside China and two
// nodes have outages, with rerouting after 60 days. The same n and m give
// the same scenario.
func network(n, m int) string {
	r := rand.New(rand.NewPCG(uint64(n), uint64(m)))
	regions := []string{"CN", "US", "EU", "JP", "AU", "ROW"}
	mats := make([]string, m)
	for j := range mats {
		mats[j] = fmt.Sprintf("m%d", j)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: network-%d-%d\nstart: 2025-01-01\nhorizon: 5y\nreroute_after: 60d\nmaterials: [%s]\nnodes:\n", n, m, strings.Join(mats, ", "))
	amounts := func(lo, hi int) string {
		parts := make([]string, m)
		for j, mat := range mats {
			parts[j] = fmt.Sprintf("%s: %d", mat, lo+r.IntN(hi-lo))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	stages := []string{"mine", "process", "magnet"}
	counts := []int{max(1, n*3/10), max(1, n*3/10), max(1, n-2*max(1, n*3/10))}
	byStage := make([][]string, len(stages))
	for k, st := range stages {
		for i := range counts[k] {
			id := fmt.Sprintf("%s%d", st, i)
			region := regions[i%len(regions)]
			byStage[k] = append(byStage[k], id)
			// Capacity per node so that each stage can serve the demand.
			fmt.Fprintf(&b, "  - {id: %s, stage: %s, region: %s, capacity: %s}\n", id, st, region, amounts(6000/counts[k], 14000/counts[k]+1))
		}
	}
	b.WriteString("consumers:\n")
	var cons []string
	for i, region := range regions[1:] {
		id := fmt.Sprintf("users%d", i)
		cons = append(cons, id)
		fmt.Fprintf(&b, "  - {id: %s, region: %s, demand: %s, growth: 0.04, inventory: %s}\n", id, region, amounts(1000, 2000), "{"+strings.Join(func() []string {
			out := make([]string, m)
			for j, mat := range mats {
				out[j] = mat + ": 90d"
			}
			return out
		}(), ", ")+"}")
	}
	b.WriteString("routes:\n")
	dests := [][]string{byStage[1], byStage[2], cons}
	for k, ds := range dests {
		srcs := byStage[k]
		// Every source feeds at least one destination, every destination
		// has at least two sources where the stage has two.
		feeds := make([][]string, len(ds))
		for i, src := range srcs {
			feeds[i%len(ds)] = append(feeds[i%len(ds)], src)
		}
		for j := range ds {
			for len(feeds[j]) < min(2, len(srcs)) {
				if src := srcs[r.IntN(len(srcs))]; !slices.Contains(feeds[j], src) {
					feeds[j] = append(feeds[j], src)
				}
			}
		}
		for j, d := range ds {
			w := make([]float64, len(feeds[j]))
			var sum float64
			for i := range w {
				w[i] = 0.2 + r.Float64()
				sum += w[i]
			}
			for i, src := range feeds[j] {
				fmt.Fprintf(&b, "  - {from: %s, to: %s, share: %.17g}\n", src, d, w[i]/sum)
			}
			// A share-0 backup from another source, for rerouting.
			if len(feeds[j]) < len(srcs) {
				for {
					if src := srcs[r.IntN(len(srcs))]; !slices.Contains(feeds[j], src) {
						fmt.Fprintf(&b, "  - {from: %s, to: %s, share: 0}\n", src, d)
						break
					}
				}
			}
		}
	}
	b.WriteString(`events:
  - {id: controls, type: export_restriction, region: CN, stages: [process, magnet], start: 30d, allowed: {dist: pert, min: 0.05, mode: 0.2, max: 0.5}, licence_delay: {dist: uniform, min: 20d, max: 90d}}
  - {id: truce, type: truce, suspends: [controls], start: 120d, duration: 90d, lag: 20d, ramp: 30d, renewal: {probability: {dist: beta, alpha: 6, beta: 3}, duration: 90d, max: 8}}
`)
	for i := range 3 {
		node := byStage[1+i%2][(1+i)%len(byStage[1+i%2])]
		fmt.Fprintf(&b, "  - {id: build%d, type: buildout, node: %s, probability: 0.7, online: {dist: uniform, min: 1y, max: 3y}, ramp: 0.5y, capacity: %s}\n", i, node, amounts(500, 1500))
	}
	fmt.Fprintf(&b, "  - {id: storms, type: outage, nodes: [%s, %s], rate: 1, duration: {dist: exponential, mean: 20d}, loss: 0.5}\n", byStage[0][0], byStage[1][0])
	return b.String()
}

// TestNetworkRuns: the generated networks of the scaling benchmarks are
// valid, warning-free scenarios that run and conserve flow.
func TestNetworkRuns(t *testing.T) {
	for _, nm := range [][2]int{{24, 1}, {24, 16}, {200, 4}} {
		sc, err := model.Parse([]byte(network(nm[0], nm[1])), "network.yaml")
		if err != nil {
			t.Fatalf("network(%d, %d): %v", nm[0], nm[1], err)
		}
		if len(sc.Warnings) > 0 {
			t.Errorf("network(%d, %d) warns: %v", nm[0], nm[1], sc.Warnings)
		}
		res, err := Run(context.Background(), sc, Options{Trials: 4})
		if err != nil {
			t.Fatalf("network(%d, %d): %v", nm[0], nm[1], err)
		}
		d, _ := res.Find(ScopeTotal, "all", "m0", MetricDemand)
		dl, _ := res.Find(ScopeTotal, "all", "m0", MetricDelivered)
		s, _ := res.Find(ScopeTotal, "all", "m0", MetricShortfall)
		if !(d.Mean > 0) || relDiff(dl.Mean+s.Mean, d.Mean) > 1e-9 {
			t.Errorf("network(%d, %d): delivered %g + shortfall %g != demand %g", nm[0], nm[1], dl.Mean, s.Mean, d.Mean)
		}
	}
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return (a - b) / max(a, b, -a, -b)
}

// BenchmarkScaling measures how a trial's cost grows with each dimension
// of the work, one at a time from truce90 or a generated network (see
// docs/performance.md): trials, horizon, reporting period, materials, and
// nodes with their routes. Each sub-benchmark runs its trials on one
// worker and reports µs/trial.
func BenchmarkScaling(b *testing.B) {
	truce := func(ovs ...model.Override) *model.Scenario {
		sc, err := model.Load("../scenarios/truce90.yaml", ovs...)
		if err != nil {
			b.Fatal(err)
		}
		return sc
	}
	net := func(n, m int) *model.Scenario {
		sc, err := model.Parse([]byte(network(n, m)), "network.yaml")
		if err != nil {
			b.Fatal(err)
		}
		return sc
	}
	type run struct {
		name   string
		sc     func() *model.Scenario
		trials int
	}
	var runs []run
	for _, n := range []int{256, 1024, 4096} {
		runs = append(runs, run{fmt.Sprintf("trials=%d", n), func() *model.Scenario { return truce() }, n})
	}
	for _, h := range []string{"1y", "5y", "20y"} {
		runs = append(runs, run{"horizon=" + h, func() *model.Scenario { return truce(model.Override{Path: "horizon", Value: h}) }, 256})
	}
	for _, p := range []string{"year", "quarter", "month", "week", "day"} {
		runs = append(runs, run{"period=" + p, func() *model.Scenario { return truce(model.Override{Path: "period", Value: p}) }, 256})
	}
	for _, m := range []int{1, 2, 4, 8, 16} {
		runs = append(runs, run{fmt.Sprintf("materials=%d", m), func() *model.Scenario { return net(24, m) }, 256})
	}
	for _, n := range []int{25, 50, 100, 200} {
		runs = append(runs, run{fmt.Sprintf("nodes=%d", n), func() *model.Scenario { return net(n, 4) }, 128})
	}
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			sc := r.sc()
			var routes int
			for b.Loop() {
				res, err := Run(context.Background(), sc, Options{Trials: r.trials, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				routes = len(sc.Routes)
				_ = res
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(r.trials*b.N), "µs/trial")
			b.ReportMetric(float64(routes), "routes")
			// Where the time goes: segments, allocation passes and
			// rerouting rounds a trial, from a few trials on one worker.
			b.StopTimer()
			p, err := compile(sc)
			if err != nil {
				b.Fatal(err)
			}
			w := newWorker(p, sc.Seed)
			const n = 16
			var segs int
			for tr := range n {
				if err := w.run(uint64(tr)); err != nil {
					b.Fatal(err)
				}
				segs += w.segments
			}
			b.ReportMetric(float64(segs)/n, "segments/trial")
			b.ReportMetric(float64(w.rounds)/n, "rounds/trial")
		})
	}
}
