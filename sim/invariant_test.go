package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// randomScenario writes a random but valid scenario: 2-3 stages, several
// regions, random capacities, shares and backups, and a random mix of
// every event type.
func randomScenario(r *rand.Rand) string {
	var b strings.Builder
	stages := []string{"mine", "process", "magnet"}[:2+r.IntN(2)]
	mats := []string{"a", "b"}
	regions := []string{"CN", "US", "EU", "JP"}
	fmt.Fprintf(&b, "name: random\nstart: 2025-01-01\nhorizon: %dd\nperiod: %s\n", 200+r.IntN(600), []string{"week", "month", "quarter"}[r.IntN(3)])
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "reroute_after: %dd\n", r.IntN(100))
	}
	fmt.Fprintf(&b, "materials: [a, b]\nstages: [%s]\nnodes:\n", strings.Join(stages, ", "))
	var byStage [][]string
	for k, st := range stages {
		var ids []string
		for i := range 1 + r.IntN(3) {
			id := fmt.Sprintf("%s%d", st, i)
			ids = append(ids, id)
			fmt.Fprintf(&b, "  - {id: %s, stage: %s, region: %s, capacity: {a: %d, b: %d}}\n", id, st, regions[r.IntN(len(regions))], 50+r.IntN(400), r.IntN(300))
		}
		_ = k
		byStage = append(byStage, ids)
	}
	b.WriteString("consumers:\n")
	var cons []string
	for i := range 1 + r.IntN(3) {
		id := fmt.Sprintf("c%d", i)
		cons = append(cons, id)
		fmt.Fprintf(&b, "  - id: %s\n    region: %s\n    demand: {a: %d, b: %d}\n    growth: %.2f\n", id, regions[r.IntN(len(regions))], 50+r.IntN(300), r.IntN(200), r.Float64()*0.2-0.05)
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    inventory: {a: %dd, b: %d}\n", r.IntN(90), r.IntN(40))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    refill: %dd\n", 30+r.IntN(200))
			}
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    stockpile: {holdings: {a: %d}, max_release: {a: %d}, release_after: %dd}\n", r.IntN(50), 10+r.IntN(200), r.IntN(60))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    substitution: {after: %dd, fraction: {a: %.2f, b: {dist: uniform, min: 0, max: 0.5}}, ramp: %dd}\n", r.IntN(90), r.Float64(), r.IntN(120))
		}
	}
	b.WriteString("routes:\n")
	dests := append(byStage[1:], cons)
	for k, ds := range dests {
		srcs := byStage[k]
		for _, d := range ds {
			// Random shares over a random non-empty subset, the rest backups.
			n := 1 + r.IntN(len(srcs))
			w := make([]float64, len(srcs))
			var sum float64
			for i := range n {
				w[i] = 0.1 + r.Float64()
				sum += w[i]
			}
			for i, s := range srcs {
				fmt.Fprintf(&b, "  - {from: %s, to: %s, share: %.17g, priority: %d}\n", s, d, w[i]/sum, max(0, r.IntN(5)-2))
			}
		}
	}
	b.WriteString("events:\n")
	var restr []string
	for i := range r.IntN(3) {
		id := fmt.Sprintf("r%d", i)
		restr = append(restr, id)
		fmt.Fprintf(&b, "  - {id: %s, type: export_restriction, region: %s, start: %dd, duration: {dist: uniform, min: 10d, max: 300d}, allowed: {default: {dist: beta, alpha: 2, beta: 2}, US: 0.1}, licence_delay: %dd, delay_allowed: 0.05, probability: 0.8}\n",
			id, regions[r.IntN(2)], r.IntN(200), r.IntN(60))
	}
	if len(restr) > 0 && r.IntN(2) == 0 {
		fmt.Fprintf(&b, "  - {id: tr, type: truce, suspends: [%s], start: %dd, duration: %dd, allowed: 0.8, lag: %dd, ramp: %dd, renewal: {probability: 0.5, duration: 60d, max: 3}, on_lapse: {escalate: %s, probability: 0.5}}\n",
			restr[0], r.IntN(200), 20+r.IntN(100), r.IntN(30), r.IntN(60), restr[len(restr)-1])
	}
	for i := range r.IntN(3) {
		st := byStage[r.IntN(len(byStage))]
		fmt.Fprintf(&b, "  - {id: b%d, type: buildout, node: %s, capacity: {a: %d}, online: {dist: uniform, min: 0d, max: 400d}, ramp: %dd, probability: 0.7}\n", i, st[r.IntN(len(st))], r.IntN(300), r.IntN(120))
	}
	for i := range r.IntN(3) {
		st := byStage[r.IntN(len(byStage))]
		fmt.Fprintf(&b, "  - {id: o%d, type: outage, nodes: [%s], rate: %.2f, duration: {dist: lognormal, p50: 20d, p90: 60d}, loss: {dist: uniform, min: 0.2, max: 1}}\n", i, st[r.IntN(len(st))], r.Float64()*4)
	}
	_ = mats
	return b.String()
}

// TestInvariants checks conservation and bounds on every segment of many
// trials of random scenarios.
func TestInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var rounds uint64
	for s := range 60 {
		src := randomScenario(r)
		sc, err := model.Parse([]byte(src), fmt.Sprintf("random-%d.yaml", s))
		if err != nil {
			t.Fatalf("scenario %d does not load: %v\n%s", s, err, src)
		}
		p, err := compile(sc)
		if err != nil {
			t.Fatal(err)
		}
		w := newWorker(p, uint64(s))
		nN, nM := len(p.nodes), p.nM
		var fail string
		w.onSegment = func(t0, t1 float64) {
			if fail != "" {
				return
			}
			if !(t1 > t0) {
				fail = fmt.Sprintf("segment [%g, %g) is empty", t0, t1)
			}
			for n := range p.nodes {
				for m := range nM {
					i := n*nM + m
					if w.out[i] > w.cap[i]*(1+1e-9)+1e-12 || w.out[i] < 0 {
						fail = fmt.Sprintf("node %s material %d: output %g outside [0, capacity %g]", p.nodes[n].id, m, w.out[i], w.cap[i])
					}
				}
			}
			// Node balance: what leaves a node is its output, and a
			// non-mine node puts out no more than it receives.
			for m := range nM {
				outSum := make([]float64, nN)
				inSum := make([]float64, nN+len(p.cons))
				for ri, rt := range p.routes {
					d := w.deliv[ri*nM+m]
					if d < 0 {
						fail = fmt.Sprintf("route %d delivers %g < 0", ri, d)
					}
					if !rt.carries[m] {
						continue
					}
					outSum[rt.from] += d
					inSum[rt.to] += d
				}
				for n := range p.nodes {
					o := w.out[n*nM+m]
					if math.Abs(outSum[n]-o) > 1e-9*max(1, o) {
						fail = fmt.Sprintf("node %s: routes carry %g but output is %g", p.nodes[n].id, outSum[n], o)
					}
					if p.nodes[n].stage > 0 && o > inSum[n]*(1+1e-9)+1e-12 {
						fail = fmt.Sprintf("node %s puts out %g from %g received", p.nodes[n].id, o, inSum[n])
					}
				}
				for c := range p.cons {
					if g := w.recv[c*nM+m]; math.Abs(g-inSum[nN+c]) > 1e-9*max(1, g) {
						fail = fmt.Sprintf("consumer %s receives %g, routes bring %g", p.cons[c].id, g, inSum[nN+c])
					}
				}
			}
			for i := range w.inv {
				if w.inv[i] < 0 || w.inv[i] > w.inv0[i]*(1+1e-12) || w.hold[i] < 0 || w.short[i] < 0 {
					fail = fmt.Sprintf("consumer state %d: inventory %g of %g, holdings %g, shortfall %g", i, w.inv[i], w.inv0[i], w.hold[i], w.short[i])
				}
			}
		}
		for trial := range uint64(40) {
			if err := w.run(trial); err != nil {
				t.Fatalf("scenario %d trial %d: %v\n%s", s, trial, err, src)
			}
			if fail != "" {
				t.Fatalf("scenario %d trial %d: %s\n%s", s, trial, fail, src)
			}
			for j := range w.tDem {
				dem, sh, dl := w.tDem[j], w.tShort[j], w.tDlv[j]
				if math.Abs(dl+sh-dem) > 1e-9*max(1, dem) {
					t.Fatalf("scenario %d trial %d scope %d: delivered %g + shortfall %g != demand %g\n%s", s, trial, j, dl, sh, dem, src)
				}
				if w.tDays[j] > p.horizon+1e-9 || (sh > 1e-9 && w.tFirst[j] < 0) {
					t.Fatalf("scenario %d trial %d: days short %g, first short %g", s, trial, w.tDays[j], w.tFirst[j])
				}
			}
		}
		if w.unconverged > 0 {
			t.Errorf("scenario %d: %d rerouting passes stopped at %d rounds without reaching their fixed point\n%s", s, w.unconverged, maxRounds, src)
		}
		rounds += w.rounds
	}
	t.Logf("%d rerouting rounds in all", rounds)
}

// TestRerouteConverges runs truce90 trials and requires every rerouting
// pass to reach its fixed point, not the round bound.
func TestRerouteConverges(t *testing.T) {
	for _, name := range []string{"truce90", "escalation", "full-embargo"} {
		p, err := compile(loadScenario(t, name))
		if err != nil {
			t.Fatal(err)
		}
		w := newWorker(p, 1)
		trials := uint64(200)
		if testing.Short() || raceEnabled {
			trials = 30
		}
		for trial := range trials {
			if err := w.run(trial); err != nil {
				t.Fatal(err)
			}
		}
		if w.unconverged > 0 {
			t.Errorf("%s: %d of its rerouting passes stopped at %d rounds without reaching their fixed point", name, w.unconverged, maxRounds)
		}
		t.Logf("%s: %.1f rerouting rounds a trial", name, float64(w.rounds)/float64(trials))
	}
}

func runJSON(t *testing.T, sc *model.Scenario, opt Options) []byte {
	t.Helper()
	res, err := Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(res); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWorkersBitIdentical: the result is the same bytes for any worker count.
func TestWorkersBitIdentical(t *testing.T) {
	sc := anyScenario(t)
	one := runJSON(t, sc, Options{Trials: 320, Workers: 1})
	eight := runJSON(t, sc, Options{Trials: 320, Workers: 8})
	if !bytes.Equal(one, eight) {
		t.Fatalf("workers 1 and 8 differ:\n%.300s\n%.300s", one, eight)
	}
	three := runJSON(t, sc, Options{Trials: 320, Workers: 3})
	if !bytes.Equal(one, three) {
		t.Fatal("workers 1 and 3 differ")
	}
	other := runJSON(t, sc, Options{Trials: 320, Workers: 1, Seed: 2})
	if bytes.Equal(one, other) {
		t.Fatal("seeds 1 and 2 give the same result")
	}
}

// TestShardsMergeExactly: aggregates of block-aligned parts of a run merge
// to the same result as the whole run, in any order.
func TestShardsMergeExactly(t *testing.T) {
	sc := anyScenario(t)
	p, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	part := func(lo, hi int) *agg {
		a := newAgg(p)
		w := newWorker(p, sc.Seed)
		for tr := lo; tr < hi; tr++ {
			if err := w.run(uint64(tr)); err != nil {
				t.Fatal(err)
			}
			a.addTrial(w)
			if (tr+1)%BlockSize == 0 || tr+1 == hi {
				a.flush()
			}
		}
		return a
	}
	enc := func(a *agg) []byte {
		b, _ := json.Marshal(p.result(a, sc.Seed))
		return b
	}
	whole := enc(part(0, 320))
	a, b, c := part(0, 64), part(64, 256), part(256, 320)
	c.merge(a)
	c.merge(b)
	if !bytes.Equal(whole, enc(c)) {
		t.Fatal("shards merged in another order differ from the whole run")
	}
	direct := runJSON(t, sc, Options{Trials: 320, Workers: 2})
	var got, want map[string]any
	json.Unmarshal(direct, &got)
	json.Unmarshal(whole, &want)
	if fmt.Sprint(got["metrics"]) != fmt.Sprint(want["metrics"]) {
		t.Fatal("Run and the merged parts differ")
	}
	// A shard run through Options.First draws the same trials.
	s2 := runJSON(t, sc, Options{Trials: 64, First: 256, Workers: 2})
	json.Unmarshal(s2, &got)
	json.Unmarshal(enc(part(256, 320)), &want)
	if fmt.Sprint(got["metrics"]) != fmt.Sprint(want["metrics"]) {
		t.Fatal("Options.First does not reproduce the same trials")
	}
}

// TestCommonRandomNumbers: fixing one parameter moves no other draw.
func TestCommonRandomNumbers(t *testing.T) {
	sc := loadScenario(t, "truce90")
	ov, _ := model.ParseOverride("events.myanmar-border.rate=0.5")
	sc2, err := model.Load("../scenarios/truce90.yaml", ov)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := compile(sc)
	p2, _ := compile(sc2)
	w1, w2 := newWorker(p1, 1), newWorker(p2, 1)
	for tr := range uint64(50) {
		w1.sample(tr)
		w2.sample(tr)
		for i := range w1.ts {
			if w1.ts[i].end != w2.ts[i].end || w1.ts[i].allowed[0] != w2.ts[i].allowed[0] {
				t.Fatalf("trial %d: truce draws moved when only the outage rate changed", tr)
			}
		}
		for i := range w1.bs {
			if w1.bs[i].online != w2.bs[i].online {
				t.Fatalf("trial %d: buildout draws moved", tr)
			}
		}
	}
}

// TestProgressAndCancel: progress is reported up to the total, and a
// cancelled run stops and says how far it got.
func TestProgressAndCancel(t *testing.T) {
	sc, err := model.Load("../scenarios/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var last, total int
	calls := 0
	_, err = Run(context.Background(), sc, Options{Trials: 200, Progress: func(d, n int) { last, total = d, n; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != 200 || total != 200 {
		t.Errorf("progress ended at %d of %d after %d calls; want 200 of 200", last, total, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Run(ctx, sc, Options{Trials: 100000})
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped after") {
		t.Errorf("cancelled Run = %v; want context.Canceled and how many trials were done", err)
	}
}

// TestStopAtPrecision: a run that stops at a precision target is
// reproducible and equals a plain run of the same number of trials.
func TestStopAtPrecision(t *testing.T) {
	sc := anyScenario(t)
	opt := Options{Trials: 4096, StopEvery: 128, Stop: Precision(0.2, 0)}
	a, err := Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a.Trials >= 4096 || a.Trials%128 != 0 || !strings.Contains(a.StopReason, "precision reached") {
		t.Fatalf("stopped after %d trials: %q", a.Trials, a.StopReason)
	}
	for _, m := range a.Metrics {
		if m.Metric == MetricShortfall && m.Scope != ScopeRegion && m.SE > 0.2*m.Mean {
			t.Errorf("%s %s %s: SE %g above 20 %% of %g", m.Scope, m.ID, m.Material, m.SE, m.Mean)
		}
	}
	opt.Workers = 1
	b, _ := Run(context.Background(), sc, opt)
	plain, _ := Run(context.Background(), sc, Options{Trials: a.Trials})
	ja, _ := json.Marshal(a.Metrics)
	jb, _ := json.Marshal(b.Metrics)
	jp, _ := json.Marshal(plain.Metrics)
	if string(ja) != string(jb) || string(ja) != string(jp) {
		t.Fatal("a run stopped at precision is not reproducible, or differs from a plain run of as many trials")
	}
	capped, err := Run(context.Background(), sc, Options{Trials: 256, StopEvery: 128, Stop: Precision(1e-6, 0)})
	if err != nil || capped.Trials != 256 || !strings.Contains(capped.StopReason, "trial cap") {
		t.Errorf("capped run: %d trials, %q, %v", capped.Trials, capped.StopReason, err)
	}
}

// TestMoreCapacityNeverHurts: on random scenarios, adding capacity (half
// as much again on one node for one material, or making a buildout
// certain) never raises any material's total shortfall by more than 4 SE
// of the paired difference under common random numbers, except through
// the one mechanism the contract admits (TestSpareSplitCounterexample):
// with rerouting on, more spare capacity at a candidate that delivers
// only part of what it is asked draws a larger part of a missing amount
// that no candidate delivers in full. So a violation must vanish with
// rerouting off, and with rerouting off none may occur.
func TestMoreCapacityNeverHurts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	scenarios := 40
	if testing.Short() || raceEnabled {
		scenarios = 15
	}
	admitted := 0
	for s := range scenarios {
		src := randomScenario(r)
		base, err := model.Parse([]byte(src), "random.yaml")
		if err != nil {
			t.Fatalf("scenario %d: %v", s, err)
		}
		n := base.Nodes[r.IntN(len(base.Nodes))]
		mat := base.Materials[r.IntN(len(base.Materials))]
		ovs := []model.Override{{Path: "nodes." + n.ID + ".capacity." + mat, Value: fmt.Sprint(1.5*n.Capacity[mat].Value + 50)}}
		for _, e := range base.Events {
			if e.Buildout != nil {
				ovs = append(ovs, model.Override{Path: "events." + e.ID + ".probability", Value: "1"})
				break
			}
		}
		for _, ov := range ovs {
			worse := raisesShortfall(t, src, ov, nil, uint64(s)+1)
			if worse == "" {
				continue
			}
			if base.RerouteAfter == nil {
				t.Errorf("scenario %d (no rerouting): %s %s\n%s", s, ov, worse, src)
				continue
			}
			if off := raisesShortfall(t, src, ov, &model.Override{Path: "reroute_after", Value: "never"}, uint64(s)+1); off != "" {
				t.Errorf("scenario %d: %s %s, and still with rerouting off: %s\n%s", s, ov, worse, off, src)
				continue
			}
			admitted++
			t.Logf("scenario %d: %s %s through rerouting's split by spare capacity (admitted by the contract)", s, ov, worse)
		}
	}
	t.Logf("%d of the variants raised a shortfall through rerouting's split by spare capacity", admitted)
}

// raisesShortfall compares a random scenario with and without one
// override (and with extra applied to both) and describes any material
// whose total shortfall the override raises by more than 4 SE.
func raisesShortfall(t *testing.T, src string, ov model.Override, extra *model.Override, seed uint64) string {
	t.Helper()
	var common []model.Override
	if extra != nil {
		common = append(common, *extra)
	}
	base, err := model.Parse([]byte(src), "random.yaml", common...)
	if err != nil {
		t.Fatal(err)
	}
	v, err := model.Parse([]byte(src), "random.yaml", append(common, ov)...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(context.Background(), base, []*model.Scenario{v}, Options{Trials: 256, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	for m, d := range c.Diff[0] {
		// Diff is base minus variant: what the added capacity saves.
		if d.Mean < -4*d.SE-1e-6 {
			return fmt.Sprintf("raises total %s shortfall by %.4g ± %.2g t (%.1f SE)", c.Materials[m], -d.Mean, d.SE, -d.Mean/d.SE)
		}
	}
	return ""
}
