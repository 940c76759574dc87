package plots

import (
	"context"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sweep"
)

// TestSweepChartsRender: each design draws its charts, in both formats.
func TestSweepChartsRender(t *testing.T) {
	load := func(ovs []model.Override) (*model.Scenario, error) { return scenarios.Load("truce90", ovs...) }
	want := map[string][]string{"oat": {"tornado-1", "spider-1"}, "grid": {"heatmap-1"}, "sobol": {"sobol-1"}, "lhs": {"srrc-1"}, "morris": {"morris-1"}}
	for design, names := range want {
		src := `scenario: truce90
trials: 16
design: ` + design + `
samples: 4
levels: 2
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
  - {path: consumers.us-users.inventory.dy, values: [30d, 90d, 180d]}
outputs:
  - {material: dy}
`
		sw, err := model.ParseSweep([]byte(src), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		out, err := sweep.Run(context.Background(), sw, load, t.TempDir(), sweep.Options{})
		if err != nil {
			t.Fatalf("%s: %v", design, err)
		}
		charts := SweepCharts(out, Options{Width: 320, Height: 180})
		got := map[string]bool{}
		dir := t.TempDir()
		for _, c := range charts {
			got[c.Name] = true
			if err := WriteChart(dir, c, Options{Width: 320, Height: 180}); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
		for _, n := range names {
			if !got[n] {
				t.Errorf("%s design: no chart %s (have %v)", design, n, got)
			}
		}
	}
}
