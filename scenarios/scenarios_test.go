package scenarios

import (
	"context"
	"testing"

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
		res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 256})
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
