package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trajectory draws a PRIM peeling trajectory: each box's coverage (share
// of the worst trials inside it) against its density (share of the trials
// inside it that are among the worst), the chosen box marked.
func Trajectory(name, title string, coverage, density []float64, chosen int, o Options) Chart {
	w, _ := o.size()
	k := max(0.45, float64(w/(1200*vg.Inch/72)))
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.X.Label.Text = "coverage: share of the worst trials inside the box"
	p.Y.Label.Text = "density: share of the box's trials among the worst"
	p.X.Tick.Marker = percentTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	pts := make(plotter.XYs, len(coverage))
	for i := range pts {
		pts[i] = plotter.XY{X: coverage[i], Y: density[i]}
	}
	if l, s, err := plotter.NewLinePoints(pts); err == nil {
		l.Color, s.Color = Palette[0], Palette[0]
		l.Width = vg.Points(2 * k)
		s.Radius = vg.Points(3 * k)
		p.Add(l, s)
		p.Legend.Add("peeling trajectory", l, s)
	}
	if chosen >= 0 && chosen < len(pts) {
		if s, err := plotter.NewScatter(plotter.XYs{pts[chosen]}); err == nil {
			s.Color = Palette[5]
			s.Shape = draw.CircleGlyph{}
			s.Radius = vg.Points(8 * k)
			p.Add(s)
			p.Legend.Add(fmt.Sprintf("chosen box (step %d)", chosen), s)
		}
	}
	p.Legend.Top = true
	return Chart{Name: name, Title: title, Caption: Caption(name), draw: single(p)}
}
