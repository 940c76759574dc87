package plots

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sweep"
)

// TestSweepChartsRender: each design draws its charts, in both formats.
func TestSweepChartsRender(t *testing.T) {
	load := func(ovs []model.Override) (*model.Scenario, error) {
		return scenarios.Load("truce90", append(ovs, quick()...)...)
	}
	const out = "dy-shortfall_frac-mean-all"
	want := map[string][]string{"oat": {"tornado-" + out, "spider-" + out}, "grid": {"heatmap-" + out}, "sobol": {"sobol-" + out}, "lhs": {"srrc-" + out}, "morris": {"morris-" + out}}
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

// TestIndexRange: the axis of index bars always shows zero and stays
// within its clip, however wild the estimates.
func TestIndexRange(t *testing.T) {
	rows := map[string][]sweep.IndexRow{
		"S1": {{Estimate: sweep.Estimate{Value: 1.27, Low: -3, High: 5.5}}, {Estimate: sweep.Estimate{Value: 0.2, Low: math.NaN(), High: math.NaN()}}},
		"ST": {{Estimate: sweep.Estimate{Value: 0.4, Low: 0.1, High: 0.7}}},
	}
	lo, hi := indexRange([]string{"S1", "ST"}, rows, [2]float64{-0.2, 1.2})
	if lo != -0.2 || hi != 1.2 {
		t.Errorf("range [%g, %g]; want the clip [-0.2, 1.2]", lo, hi)
	}
	rows = map[string][]sweep.IndexRow{"S1": {{Estimate: sweep.Estimate{Value: 0.3, Low: 0.25, High: 0.35}}}}
	if lo, hi := indexRange([]string{"S1"}, rows, [2]float64{-0.2, 1.2}); lo != 0 || hi != 0.35 {
		t.Errorf("range [%g, %g]; want [0, 0.35]", lo, hi)
	}
	if lo, hi := indexRange([]string{"S1"}, nil, [2]float64{-0.2, 1.2}); !(hi > lo) {
		t.Errorf("empty range [%g, %g]", lo, hi)
	}
}

// TestWrapLabel: lines break after a separator, none longer than the
// width unless one part is, and the text is kept.
func TestWrapLabel(t *testing.T) {
	for _, s := range []string{"consumers.us-users.inventory.dy", "events.april-controls-hre.licence_delay", "short", "averyveryverylongnamewithnoseparatorsatall.x", "stockpile:jp-users and more words here"} {
		got := wrapLabel(s, 20)
		if strings.ReplaceAll(got, "\n", "") != s && strings.ReplaceAll(got, "\n", " ") != s {
			t.Errorf("wrapLabel(%q) = %q lost text", s, got)
		}
		lines := strings.Split(got, "\n")
		for _, l := range lines {
			if len(l) > 20 && strings.ContainsAny(strings.TrimRight(l, ".:/ "), ".:/ ") {
				t.Errorf("wrapLabel(%q): line %q is longer than 20 and could break", s, l)
			}
		}
		if len(s) > 20 && strings.ContainsAny(s[:len(s)-1], ".:/ ") && len(lines) < 2 {
			t.Errorf("wrapLabel(%q) = %q did not break", s, got)
		}
	}
}
