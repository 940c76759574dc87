package sim

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestPairWithItself: a scenario compared with itself differs by exactly
// 0 with SE 0 in every metric, and each side is the plain run's result.
func TestPairWithItself(t *testing.T) {
	sc := anyScenario(t)
	pr, err := Pair(context.Background(), sc, sc, Options{Trials: 192, Seed: 5, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Diffs) != len(pr.A.Metrics) {
		t.Errorf("%d differences for %d metrics", len(pr.Diffs), len(pr.A.Metrics))
	}
	for _, d := range pr.Diffs {
		if d.Diff.N > 0 && (d.Diff.Mean != 0 || d.Diff.SE != 0 || d.Diff.Min != 0 || d.Diff.Max != 0) {
			t.Fatalf("%s %s %s %s: B - A = %g ± %g; want exactly 0", d.Scope, d.ID, d.Material, d.Metric, d.Diff.Mean, d.Diff.SE)
		}
	}
	run, err := Run(context.Background(), sc, Options{Trials: 192, Seed: 5, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(run.Metrics) != fmt.Sprint(pr.A.Metrics) { // NaN-safe
		t.Error("the paired run's A side differs from a plain run")
	}
}

// TestPairedSE: on a real change (180 days of US dysprosium cover against
// the scenario's own) the paired SE of the difference is far below the
// unpaired SE, sqrt(se_a^2 + se_b^2), and the result is the same for any
// worker count.
func TestPairedSE(t *testing.T) {
	a := truce90(t)
	b, err := model.Load("../scenarios/truce90.yaml", model.Override{Path: "consumers.us-users.inventory.dy", Value: "180d"})
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		b, _ = model.Load("../scenarios/truce90.yaml", model.Override{Path: "horizon", Value: "2y"}, model.Override{Path: "consumers.us-users.inventory.dy", Value: "180d"})
	}
	trials := 256
	if testing.Short() {
		trials = 128 // the paired SE's advantage does not depend on n
	}
	one, err := Pair(context.Background(), a, b, Options{Trials: trials, Seed: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Pair(context.Background(), a, b, Options{Trials: trials, Seed: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(one.Diffs) != fmt.Sprint(two.Diffs) {
		t.Error("paired differences depend on the worker count")
	}
	found := false
	for _, d := range one.Diffs {
		if d.Scope != ScopeConsumer || d.ID != "us-users" || d.Material != "dy" || d.Metric != MetricShortfall {
			continue
		}
		found = true
		unpaired := math.Hypot(d.A.SE, d.B.SE)
		if !(d.Diff.Mean < 0) || !(d.Diff.SE < 0.5*unpaired) {
			t.Errorf("us-users dy shortfall: B - A = %g ± %g (unpaired SE %g); want a fall with a paired SE under half the unpaired", d.Diff.Mean, d.Diff.SE, unpaired)
		}
		if math.Abs(d.Diff.Mean-(d.B.Mean-d.A.Mean)) > 1e-9*math.Abs(d.A.Mean)+1e-9 {
			t.Errorf("mean difference %g is not mean B - mean A = %g", d.Diff.Mean, d.B.Mean-d.A.Mean)
		}
	}
	if !found {
		t.Fatal("no us-users dy shortfall difference")
	}
}
