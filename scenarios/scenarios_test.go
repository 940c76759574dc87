package scenarios

import (
	"context"
	"math"
	"testing"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sim"
)

func TestBuiltinsValidateAndRun(t *testing.T) {
	names := Names()
	for _, want := range []string{"baseline", "truce90", "escalation", "full-embargo"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("built-in scenario %s missing (have %v)", want, names)
		}
	}
	for _, name := range names {
		sc, err := Load(name)
		if err != nil {
			t.Errorf("Load(%q): %v", name, err)
			continue
		}
		if sc.Description == "" {
			t.Errorf("%s has no description", name)
		}
		if len(sc.Warnings) > 0 {
			t.Errorf("%s warns: %v", name, sc.Warnings)
		}
		trials := 256
		if testing.Short() {
			trials = 32 // runs and has demand: a few trials show it
		}
		res, err := sim.Run(context.Background(), sc, sim.Options{Trials: trials})
		if err != nil {
			t.Errorf("Run(%q): %v", name, err)
			continue
		}
		for _, m := range res.Metrics {
			if m.Metric == sim.MetricDemand && !(m.Mean > 0) {
				t.Errorf("%s: %s %s %s has demand %v", name, m.Scope, m.ID, m.Material, m.Mean)
			}
		}
	}
}

// TestBaselineMatchesSeed: with no events nobody runs short, and China's
// output shares by stage are the seed article's (USGS MCS 2025: mining
// ~69 %, processing 85-90 %, magnets ~92 %) within 3 points.
func TestBaselineMatchesSeed(t *testing.T) {
	sc, err := Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 512})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Metrics {
		if m.Metric == sim.MetricShortfall && m.Max != 0 {
			t.Errorf("baseline: %s %s %s runs short (max %g t)", m.Scope, m.ID, m.Material, m.Max)
		}
	}
	want := map[string]float64{"mine": 0.69, "process": 0.875, "magnet": 0.92}
	for _, s := range output.StageShares(res) {
		var cn float64
		for _, r := range s.Regions {
			if r.Region == "CN" {
				cn = r.Share
			}
		}
		if math.Abs(cn-want[s.Stage]) > 0.03 {
			t.Errorf("China's %s share = %.1f%%; want %.1f%% within 3 points", s.Stage, 100*cn, 100*want[s.Stage])
		}
	}
}
