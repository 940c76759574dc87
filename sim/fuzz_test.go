package sim

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/reesim/reesim/model"
)

// fuzzSeeds are small scenarios that exercise every event type, rerouting,
// priorities, stockpiles and substitution; with the built-ins and the bad
// inputs of the loader's corpus they seed FuzzRun.
var fuzzSeeds = []string{`name: tiny
start: 2025-01-01
horizon: 1y
materials: [x, y]
nodes:
  - {id: cn-mine, stage: mine, region: CN, capacity: {x: 1000, y: 50}}
  - {id: au-mine, stage: mine, region: AU, capacity: {x: 200}}
  - {id: cn-proc, stage: process, region: CN, capacity: {x: 1000, y: 50}}
  - {id: my-proc, stage: process, region: MY, capacity: {x: {dist: pert, min: 0, mode: 100, max: 300}}}
  - {id: cn-mag, stage: magnet, region: CN, capacity: {x: 1000, y: 50}}
consumers:
  - {id: us, region: US, demand: {x: 365.25, y: 10}, growth: 0.05, inventory: {x: {dist: uniform, min: 10d, max: 50d}, y: 30d}, refill: 60d,
     stockpile: {holdings: {y: 20}, release_after: 10d, max_release: {y: 1}}, substitution: {after: 30d, fraction: {y: 0.3}, ramp: 60d}}
  - {id: eu, region: EU, demand: {x: 200, y: 5}}
routes:
  - {from: cn-mine, to: cn-proc}
  - {from: au-mine, to: my-proc, materials: [x]}
  - {from: cn-proc, to: cn-mag, share: 0.8, materials: [x]}
  - {from: cn-proc, to: cn-mag, materials: [y]}
  - {from: my-proc, to: cn-mag, share: 0.2, materials: [x]}
  - {from: cn-mag, to: us, priority: 1}
  - {from: cn-mag, to: eu}
events:
  - {id: ban, type: export_restriction, region: CN, materials: [y], start: 0d, duration: {dist: uniform, min: 30d, max: 200d}, allowed: 0.2, licence_delay: 20d}
  - {id: truce, type: truce, suspends: [ban], start: 20d, duration: 30d, lag: 5d, ramp: 10d, renewal: {probability: 0.5, duration: 30d, max: 3}}
  - {id: storm, type: outage, nodes: [cn-mine], rate: 2, duration: {dist: exponential, mean: 5d}, loss: 0.5}
  - {id: plant, type: buildout, node: my-proc, probability: 0.7, online: {dist: uniform, min: 90d, max: 300d}, ramp: 60d, capacity: {x: 100}}
`}

// FuzzRun drives the whole pipeline on fuzzed scenarios: parse and
// validate, then a few trials. Run it with
//
//	go test ./sim -run '^$' -fuzz FuzzRun -fuzztime 2m -fuzzminimizetime 3s
//
// (REESIM_FUZZ_COUNT=FILE appends a byte to FILE per input simulated). It must never panic or hang; a scenario
// that validates must run, and its results must be finite and conserve
// flow (delivered + shortfall = demand in total).
func FuzzRun(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, pattern := range []string{"../scenarios/*.yaml", "../testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzzed(t, data)
	})
}

// runFuzzed parses a fuzzed scenario and, if it validates, runs a few
// trials and checks the results.
func runFuzzed(t *testing.T, data []byte, ovs ...model.Override) {
	sc, err := model.Parse(data, "fuzz.yaml", ovs...)
	if err != nil {
		return // the loader's own fuzz target checks its errors
	}
	// Keep each input quick: a few trials of a modest scenario.
	if sc.Horizon > 10*model.DaysPerYear || gridBytes(t, sc) > 64<<20 || len(sc.Nodes)+len(sc.Consumers) > 40 {
		t.Skip("too big to fuzz quickly")
	}
	if path := os.Getenv("REESIM_FUZZ_COUNT"); path != "" {
		// One byte per simulated input, to count them across workers.
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); err == nil {
			f.Write([]byte{'.'})
			f.Close()
		}
	}
	res, err := Run(context.Background(), sc, Options{Trials: 3, Seed: 1, Workers: 1})
	if err != nil {
		t.Fatalf("a scenario that validates fails to run: %v", err)
	}
	for _, mat := range res.Materials {
		get := func(metric string) float64 {
			m, ok := res.Find(ScopeTotal, "all", mat, metric)
			if !ok {
				t.Fatalf("no total %s for %s", metric, mat)
			}
			if m.N > 0 && (math.IsNaN(m.Mean) || math.IsInf(m.Mean, 0) || math.IsNaN(m.SD) || m.Mean < m.Min-1e-9*math.Abs(m.Min) || m.Mean > m.Max+1e-9*math.Abs(m.Max)) {
				t.Fatalf("total %s %s: mean %g sd %g in [%g, %g]", mat, metric, m.Mean, m.SD, m.Min, m.Max)
			}
			return m.Mean
		}
		dem, dlv, sh := get(MetricDemand), get(MetricDelivered), get(MetricShortfall)
		if math.Abs(dlv+sh-dem) > 1e-6*dem+1e-6 {
			t.Fatalf("%s: delivered %g + shortfall %g != demand %g", mat, dlv, sh, dem)
		}
	}
}

// fuzzPaths are fields of fuzzSeeds[0] that FuzzRunValues sets; days
// fields get their value as a duration.
var fuzzPaths = []struct {
	path string
	days bool
}{
	{"nodes.cn-mine.capacity.x", false}, {"nodes.my-proc.capacity.x", false}, {"nodes.cn-mag.capacity.y", false},
	{"consumers.us.demand.x", false}, {"consumers.us.demand.y", false}, {"consumers.eu.demand.x", false},
	{"consumers.us.growth", false}, {"consumers.us.inventory.x", true}, {"consumers.us.refill", true},
	{"consumers.us.stockpile.holdings.y", false}, {"consumers.us.stockpile.max_release.y", false},
	{"consumers.us.substitution.fraction.y", false}, {"consumers.us.substitution.after", true},
	{"events.ban.allowed", false}, {"events.ban.duration", true}, {"events.ban.licence_delay", true},
	{"events.truce.duration", true}, {"events.truce.renewal.probability", false}, {"events.truce.lag", true},
	{"events.storm.rate", false}, {"events.storm.loss", false}, {"events.storm.duration", true},
	{"events.plant.online", true}, {"events.plant.probability", false}, {"horizon", true}, {"reroute_after", true},
}

// FuzzRunValues sets up to four fields of a small scenario to fuzzed
// values, extremes included, so that most inputs validate and run: every
// one that validates must run to finite results that conserve flow.
func FuzzRunValues(f *testing.F) {
	f.Add([]byte{0, 3, 7, 14}, 1e12, 1e-300, 365.25, 0.5)
	f.Add([]byte{6, 24, 19, 21}, 0.99, 3650.0, 1000.0, 1e-9)
	f.Add([]byte{9, 10, 11, 12}, 1e9, 1e-12, 1.0, 0.0)
	f.Fuzz(func(t *testing.T, picks []byte, v0, v1, v2, v3 float64) {
		var ovs []model.Override
		for i, v := range []float64{v0, v1, v2, v3} {
			if i >= len(picks) {
				break
			}
			p := fuzzPaths[int(picks[i])%len(fuzzPaths)]
			s := strconv.FormatFloat(v, 'g', -1, 64)
			if p.days {
				s = strconv.FormatFloat(math.Abs(v), 'f', -1, 64) + "d"
			}
			ovs = append(ovs, model.Override{Path: p.path, Value: s})
		}
		runFuzzed(t, []byte(fuzzSeeds[0]), ovs...)
	})
}

// gridBytes is a validated scenario's reporting-grid memory.
func gridBytes(t *testing.T, sc *model.Scenario) float64 {
	g, err := GridOf(sc)
	if err != nil {
		t.Fatal(err)
	}
	return g.Bytes()
}
