package plots

import (
	"fmt"
	"image/color"

	"github.com/reesim/reesim/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// CompareFan overlays the fan charts of two runs of one comparison for a
// material: the share of all consumers' demand unmet per period, each
// side's P5-P95 band and median, A in blue and B in orange (colour-blind
// safe, with B's median dashed as well).
func CompareFan(a, b *sim.Result, mat, labelA, labelB string, o Options) Chart {
	w, _ := o.size()
	k := max(0.45, float64(w/(1200*vg.Inch/72)))
	p := plot.New()
	style(p, k)
	p.Title.Text = fmt.Sprintf("%s: share of demand unmet per %s, all consumers: A %s, B %s (%s)", mat, a.Period, labelA, labelB, subtitle(a))
	timeAxis(p)
	p.X.Label.Text = ""
	p.Y.Label.Text = "shortfall, % of demand"
	p.Y.Tick.Marker = percentTicks{}
	p.Y.Min, p.Y.Max = 0, 1
	side := func(r *sim.Result, band, line color.Color, dashed bool, label string) {
		var s *sim.Series
		for i := range r.Series {
			if r.Series[i].Material == mat && r.Series[i].Scope == sim.ScopeTotal {
				s = &r.Series[i]
			}
		}
		if s == nil {
			return
		}
		xs := make([]float64, len(s.Mean))
		for i := range xs {
			xs[i] = dateX(r, r.PeriodStart[i]+r.PeriodDays/2)
		}
		pts := make(plotter.XYs, 0, 2*len(xs))
		for i := range xs {
			pts = append(pts, plotter.XY{X: xs[i], Y: s.P95[i]})
		}
		for i := len(xs) - 1; i >= 0; i-- {
			pts = append(pts, plotter.XY{X: xs[i], Y: s.P5[i]})
		}
		if poly, err := plotter.NewPolygon(pts); err == nil {
			poly.Color = band
			poly.LineStyle.Width = 0
			p.Add(poly)
			p.Legend.Add(label+" P5-P95", &swatch{band})
		}
		med := make(plotter.XYs, len(xs))
		for i := range xs {
			med[i] = plotter.XY{X: xs[i], Y: s.P50[i]}
		}
		if l, err := plotter.NewLine(med); err == nil {
			l.Color = line
			l.Width = vg.Points(2 * k)
			if dashed {
				l.Dashes = []vg.Length{vg.Points(6 * k), vg.Points(4 * k)}
			}
			p.Add(l)
			p.Legend.Add(label+" median", l)
		}
	}
	side(a, color.NRGBA{0, 114, 178, 80}, color.NRGBA{0, 114, 178, 255}, false, "A")
	side(b, color.NRGBA{230, 159, 0, 80}, color.NRGBA{213, 94, 0, 255}, true, "B")
	p.Legend.Top = true
	return Chart{Name: "compare-fan-" + mat, Title: p.Title.Text, Caption: Caption("compare-fan-" + mat), draw: single(p)}
}
