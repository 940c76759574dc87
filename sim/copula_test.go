package sim

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
	"gonum.org/v1/gonum/stat"
)

// spearman is the rank correlation of two samples without ties.
func spearman(x, y []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			switch {
			case v[a] < v[b]:
				return -1
			case v[a] > v[b]:
				return 1
			}
			return 0
		})
		r := make([]float64, len(v))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	return stat.Correlation(rank(x), rank(y), nil)
}

// draws returns n trials' draws of the fields named by parameter path.
func draws(t *testing.T, sc *model.Scenario, n int, paths ...string) [][]float64 {
	t.Helper()
	p, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(paths))
	var st stream
	for trial := range n {
		st.setTrial(1, uint64(trial))
		for i, path := range paths {
			f, ok := sc.Field(path)
			if !ok {
				t.Fatalf("no field %s", path)
			}
			out[i] = append(out[i], p.samplers[f.Owner+" "+f.Key][0].draw(&st))
		}
	}
	return out
}

// TestCopula: correlated fields reach their target rank correlations
// within sampling error over 4,000 trials, each keeps its marginal, and
// fields outside the copula (and the first of each group) keep their
// draws bit for bit; a field fixed by an override leaves the copula.
func TestCopula(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 1000 // the tolerance below widens as 1/sqrt(n)
	}
	corr := model.Override{Path: "correlations", Value: `[{between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 0.8},
		{between: [events.truce.renewal.probability, events.oct-controls.allowed], rank: -0.5}]`}
	paths := []string{"consumers.eu-users.growth", "consumers.us-users.growth", "events.truce.renewal.probability", "events.oct-controls.allowed", "consumers.jp-users.growth"}
	plain, err := model.Load("../scenarios/truce90.yaml")
	if err != nil {
		t.Fatal(err)
	}
	coupled, err := model.Load("../scenarios/truce90.yaml", corr)
	if err != nil {
		t.Fatal(err)
	}
	a, b := draws(t, plain, n, paths...), draws(t, coupled, n, paths...)
	for _, tt := range []struct {
		i, j int
		want float64
	}{{0, 1, 0.8}, {2, 3, -0.5}} {
		// The SE of a rank correlation is about (1 - r^2)/sqrt(n): 0.006
		// for 0.8 and 0.012 for -0.5 here; allow four of them.
		got := spearman(b[tt.i], b[tt.j])
		t.Logf("rank correlation of %s and %s: %.4f (target %g)", paths[tt.i], paths[tt.j], got, tt.want)
		if se := (1 - tt.want*tt.want) / math.Sqrt(float64(n)); math.Abs(got-tt.want) > 4*se {
			t.Errorf("rank correlation of %s and %s = %.3f; want %g ± %.3f", paths[tt.i], paths[tt.j], got, tt.want, 4*se)
		}
		if got := spearman(a[tt.i], a[tt.j]); math.Abs(got) > 4/math.Sqrt(float64(n)) {
			t.Errorf("without correlations, %s and %s have rank correlation %.3f", paths[tt.i], paths[tt.j], got)
		}
	}
	// Marginals: the coupled values are the same distribution (two-sample
	// means and quartiles within sampling error), and the first of each
	// group and the uncorrelated field draw exactly as before.
	for i := range paths {
		switch i {
		case 0, 2, 4:
			if !slices.Equal(a[i], b[i]) {
				t.Errorf("%s's draws changed; it is the first of its group or uncorrelated", paths[i])
			}
			continue
		}
		sa, sb := slices.Sorted(slices.Values(a[i])), slices.Sorted(slices.Values(b[i]))
		for _, q := range []float64{0.25, 0.5, 0.75} {
			qa, qb := stat.Quantile(q, stat.Empirical, sa, nil), stat.Quantile(q, stat.Empirical, sb, nil)
			if spread := stat.Quantile(0.75, stat.Empirical, sa, nil) - stat.Quantile(0.25, stat.Empirical, sa, nil); math.Abs(qa-qb) > 0.1*spread {
				t.Errorf("%s: quantile %g %g coupled against %g", paths[i], q, qb, qa)
			}
		}
	}
	// A field fixed by --set leaves the copula: its partner draws as if
	// uncorrelated.
	fixed, err := model.Load("../scenarios/truce90.yaml", corr, model.Override{Path: "consumers.eu-users.growth", Value: "0.05"})
	if err != nil {
		t.Fatal(err)
	}
	c := draws(t, fixed, n, paths...)
	if !slices.Equal(c[1], a[1]) {
		t.Error("us-users growth is still coupled to a fixed eu-users growth")
	}
	if slices.Equal(c[3], a[3]) {
		t.Error("fixing eu-users growth decoupled the other group")
	}
	// Results stay bit-identical for any worker count.
	one, err := Run(context.Background(), coupled, Options{Trials: 128, Seed: 2, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Run(context.Background(), coupled, Options{Trials: 128, Seed: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(one.Metrics) != fmt.Sprint(two.Metrics) {
		t.Error("a scenario with correlations gives different results on 1 and 2 workers")
	}
}

// TestFieldsNameEverySampler: model.Scenario.Field resolves the parameter
// path of every sampler the engine makes to that sampler's own stream, so
// correlations (and anything else keyed by path) reach the right draw.
func TestFieldsNameEverySampler(t *testing.T) {
	for _, name := range []string{"truce90", "escalation", "baseline"} {
		sc := loadScenario(t, name)
		p, err := compile(sc)
		if err != nil {
			t.Fatal(err)
		}
		for k := range p.samplers {
			owner, field, _ := strings.Cut(k, " ")
			kind, id, _ := strings.Cut(owner, ":")
			path := field
			if kind != "scenario" {
				path = map[string]string{"node": "nodes", "consumer": "consumers", "event": "events"}[kind] + "." + id + "." + field
			}
			f, ok := sc.Field(path)
			if !ok || f.Owner != owner || f.Key != field {
				t.Errorf("%s: Field(%q) = %q %q, %v; want %q %q", name, path, f.Owner, f.Key, ok, owner, field)
			}
		}
	}
}
