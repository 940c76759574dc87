package plots

import (
	"fmt"
	"math"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestSeriesLinesDiffer: the first 24 series differ in colour or dash,
// and neighbours differ in both.
func TestSeriesLinesDiffer(t *testing.T) {
	key := func(s draw.LineStyle) string { return fmt.Sprint(s.Color, s.Dashes) }
	seen := map[string]int{}
	for i := range 24 {
		s := seriesLine(i, 1)
		if j, ok := seen[key(s)]; ok {
			t.Errorf("series %d looks like series %d", i, j)
		}
		seen[key(s)] = i
		if i > 0 {
			p := seriesLine(i-1, 1)
			if p.Color == s.Color || fmt.Sprint(p.Dashes) == fmt.Sprint(s.Dashes) {
				t.Errorf("series %d and %d share a colour or a dash", i-1, i)
			}
		}
	}
}

// TestFlowRegionsDistinct: in truce90's flows chart no two regions share
// a line (AU and US were both black, CN and VN the same blue).
func TestFlowRegionsDistinct(t *testing.T) {
	res := result(t, "truce90", 16)
	for _, m := range res.Materials {
		lines, regions := regionLines(res, m, 1)
		if len(regions) < 8 {
			t.Fatalf("%s: %d regions send; truce90 has more", m, len(regions))
		}
		seen := map[string]string{}
		for _, reg := range regions {
			k := fmt.Sprint(lines[reg].Color, lines[reg].Dashes)
			if other, ok := seen[k]; ok {
				t.Errorf("%s: %s and %s share a line", m, reg, other)
			}
			seen[k] = reg
		}
	}
}

// TestNiceTicks: between four and eight labels on any range, at round
// steps, inside the range, zero written as 0.
func TestNiceTicks(t *testing.T) {
	for _, r := range [][2]float64{{0, 250}, {0, 8712}, {0, 1}, {-1.5, 4.5}, {0, 1e-9}, {3, 3.2}, {0, 1.15}, {-0.3, 0}, {1e9, 3e9}} {
		ticks := niceTicks(r[0], r[1], compact)
		var labels []float64
		for _, tk := range ticks {
			if tk.Value < r[0]-1e-12*math.Abs(r[1]-r[0]) || tk.Value > r[1]+1e-12*math.Abs(r[1]-r[0]) {
				t.Errorf("%v: tick %g outside the range", r, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Value)
			}
			if tk.Value == 0 && tk.Label != "" && tk.Label != "0" {
				t.Errorf("%v: zero labelled %q", r, tk.Label)
			}
		}
		if len(labels) < 4 || len(labels) > 8 {
			t.Errorf("%v: %d labels %v; want 4 to 8", r, len(labels), labels)
			continue
		}
		step := labels[1] - labels[0]
		mant := step / math.Pow(10, math.Floor(math.Log10(step)))
		ok := false
		for _, m := range []float64{1, 2, 2.5, 5} {
			ok = ok || math.Abs(mant-m) < 1e-6
		}
		if !ok {
			t.Errorf("%v: step %g is not 1, 2, 2.5 or 5 times a power of ten", r, step)
		}
	}
	for _, r := range [][2]float64{{1, 1}, {2, 1}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if n := len(niceTicks(r[0], r[1], compact)); n != 0 {
			t.Errorf("%v: %d ticks; want none", r, n)
		}
	}
}

// TestDateTicks: a five-year horizon is labelled by year, a year by
// quarter, at most seven labels each.
func TestDateTicks(t *testing.T) {
	at := func(s string) float64 {
		d, _ := time.Parse("2006-01-02", s)
		return float64(d.Unix())
	}
	for _, tt := range []struct {
		from, to string
		want     []string
	}{
		{"2025-05-12", "2030-05-12", []string{"2026", "2027", "2028", "2029", "2030"}},
		{"2025-05-12", "2026-05-12", []string{"Jul 2025", "Oct 2025", "Jan 2026", "Apr 2026"}},
	} {
		var got []string
		for _, tk := range (dateTicks{}).Ticks(at(tt.from), at(tt.to)) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s to %s: labels %v; want %v", tt.from, tt.to, got, tt.want)
		}
	}
	if n := len((dateTicks{}).Ticks(0, 1e15)); n != 0 {
		t.Errorf("an absurd range made %d ticks", n)
	}
}

// TestLegendBeside: the legend sits wholly inside the canvas and right
// of the area left for the data.
func TestLegendBeside(t *testing.T) {
	dc := draw.New(vgimg.New(vg.Points(600), vg.Points(300)))
	p := plot.New()
	style(p, 1)
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	for _, name := range []string{"all consumers", "outside CN", "a consumer with a long name"} {
		p.Legend.Add(name, l)
	}
	leg := takeLegend(p)
	rest := legendBeside(dc, leg)
	r := leg.Rectangle(dc)
	if w := r.Max.X - r.Min.X; rest.Max.X+w > dc.Max.X {
		t.Errorf("data area ends at %v, legend %v wide, canvas ends at %v", rest.Max.X, w, dc.Max.X)
	}
	if rest.Max.X < dc.Max.X*2/3 {
		t.Errorf("the legend took %v of %v", dc.Max.X-rest.Max.X, dc.Max.X)
	}
	empty := legendBeside(dc, plot.NewLegend())
	if empty.Rectangle != dc.Rectangle {
		t.Errorf("an empty legend took room: %v", empty.Rectangle)
	}
}
