package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"github.com/reesim/reesim/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepCharts returns the charts of a finished sweep, one per output: a
// tornado chart for oat (and a spider chart where a parameter has more
// than two levels), Sobol bars with 95 % whiskers for sobol, SRRC bars for
// lhs, mu* bars for morris, and a heat map for a grid over two parameters.
func SweepCharts(out *sweep.Outcome, o Options) []Chart {
	sw := out.Sweep
	w, _ := o.size()
	k := max(0.45, float64(w/(1200*vg.Inch/72)))
	var charts []Chart
	short := func(path string) string { return strings.TrimPrefix(path, "events.") }
	for oi, outp := range sw.Outputs {
		label := outp.Label()
		slug := fmt.Sprintf("%d", oi+1)
		sub := fmt.Sprintf("%s design, %d trials a point, seed %d", sw.Design, sw.Trials, sw.Seed)
		rows := map[string][]sweep.IndexRow{}
		for _, r := range out.Indices {
			if r.Output == label {
				rows[r.Index] = append(rows[r.Index], r)
			}
		}
		switch sw.Design {
		case "oat":
			base := out.Points[0].Mean[oi]
			var bars []tornadoBar
			for i, r := range rows["low"] {
				bars = append(bars, tornadoBar{label: short(r.Param), low: r.Estimate.Value, high: rows["high"][i].Estimate.Value})
			}
			charts = append(charts, tornado("tornado-"+slug, fmt.Sprintf("Tornado: %s (%s)", label, sub), label, base, bars, k))
			if sp, ok := spider("spider-"+slug, fmt.Sprintf("Spider: %s (%s)", label, sub), label, out, oi, k); ok {
				charts = append(charts, sp)
			}
		case "sobol":
			charts = append(charts, indexBars("sobol-"+slug, fmt.Sprintf("Sobol indices: %s (%s)", label, sub), "index", []string{"S1", "ST"}, rows, short, k))
		case "lhs":
			charts = append(charts, indexBars("srrc-"+slug, fmt.Sprintf("Rank regression: %s (%s)", label, sub), "standardised rank regression coefficient", []string{"SRRC"}, rows, short, k))
		case "morris":
			charts = append(charts, indexBars("morris-"+slug, fmt.Sprintf("Morris screening: %s (%s)", label, sub), "elementary effect", []string{"mu_star", "sigma"}, rows, short, k))
		case "grid":
			if len(sw.Params) == 2 {
				charts = append(charts, gridHeat("heatmap-"+slug, fmt.Sprintf("%s over two levers (%s)", label, sub), out, oi, short, k))
			}
		}
	}
	return charts
}

type tornadoBar struct {
	label     string
	low, high float64
}

// tornado draws each parameter's swing from the base value, widest at top:
// blue to the parameter's low end, orange to its high end.
func tornado(name, title, xLabel string, base float64, bars []tornadoBar, k float64) Chart {
	sort.SliceStable(bars, func(i, j int) bool {
		return math.Abs(bars[i].high-bars[i].low) < math.Abs(bars[j].high-bars[j].low)
	})
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.X.Tick.Marker = numberTicks{}
	labels := make([]string, len(bars))
	lowSw, highSw := &swatch{Palette[5]}, &swatch{Palette[1]}
	for j, b := range bars {
		labels[j] = b.label
		for _, side := range []struct {
			v float64
			c color.Color
		}{{b.low, Palette[5]}, {b.high, Palette[1]}} {
			lo, hi := math.Min(base, side.v), math.Max(base, side.v)
			if hi-lo <= 0 {
				continue
			}
			y := float64(j)
			poly, err := plotter.NewPolygon(plotter.XYs{{X: lo, Y: y - 0.35}, {X: hi, Y: y - 0.35}, {X: hi, Y: y + 0.35}, {X: lo, Y: y + 0.35}})
			if err == nil {
				poly.Color = side.c
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
		}
	}
	if l, err := plotter.NewLine(plotter.XYs{{X: base, Y: -0.6}, {X: base, Y: float64(len(bars)) - 0.4}}); err == nil {
		l.Width = vg.Points(2 * k)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("scenario as written: %.4g", base), l)
	}
	p.Legend.Add("parameter at its low end", lowSw)
	p.Legend.Add("parameter at its high end", highSw)
	p.NominalY(labels...)
	lo, hi := base, base
	for _, b := range bars {
		lo, hi = min(lo, b.low, b.high), max(hi, b.low, b.high)
	}
	pad := 0.08 * (hi - lo)
	if pad == 0 {
		pad = 0.05*math.Abs(base) + 1e-9
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Max = float64(len(bars)) + 0.6 // room for the legend
	return Chart{Name: name, Title: title, draw: func(dc draw.Canvas) { p.Draw(dc) }}
}

// spider draws the output against each parameter's levels, where some
// parameter has more than two.
func spider(name, title, yLabel string, out *sweep.Outcome, oi int, k float64) (Chart, bool) {
	sw := out.Sweep
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.X.Label.Text = "parameter level, from its low end (0) to its high end (1)"
	many := false
	at := 1
	for i, prm := range sw.Params {
		n := 2
		if len(prm.Values) > 0 {
			n = len(prm.Values)
		}
		many = many || n > 2
		pts := make(plotter.XYs, n)
		for j := range n {
			pts[j] = plotter.XY{X: float64(j) / float64(n-1), Y: out.Points[at+j].Mean[oi]}
		}
		at += n
		if l, s, err := plotter.NewLinePoints(pts); err == nil {
			l.Color, s.Color = lineColor(i), lineColor(i)
			l.Width = vg.Points(2 * k)
			p.Add(l, s)
			p.Legend.Add(strings.TrimPrefix(prm.Path, "events."), l, s)
		}
	}
	return Chart{Name: name, Title: title, draw: func(dc draw.Canvas) { p.Draw(dc) }}, many
}

// indexBars draws grouped bars of one or two indices per parameter with
// their 95 % intervals.
func indexBars(name, title, yLabel string, kinds []string, rows map[string][]sweep.IndexRow, short func(string) string, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	var labels []string
	for _, r := range rows[kinds[0]] {
		labels = append(labels, short(r.Param))
	}
	const width = 0.3 // of the space between parameters
	for ki, kind := range kinds {
		c := []color.Color{Palette[5], Palette[1]}[ki%2]
		pts := make(plotter.XYs, 0, len(rows[kind]))
		errs := make(plotter.YErrors, 0, len(rows[kind]))
		for i, r := range rows[kind] {
			x := float64(i) + (float64(ki)-float64(len(kinds)-1)/2)*width
			v := r.Estimate.Value
			if poly, err := plotter.NewPolygon(plotter.XYs{{X: x - width/2, Y: 0}, {X: x + width/2, Y: 0}, {X: x + width/2, Y: v}, {X: x - width/2, Y: v}}); err == nil {
				poly.Color = c
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
			lo, hi := r.Estimate.Low, r.Estimate.High
			if math.IsNaN(lo) || math.IsNaN(hi) {
				lo, hi = v, v
			}
			pts = append(pts, plotter.XY{X: x, Y: v})
			errs = append(errs, struct{ Low, High float64 }{v - lo, hi - v})
		}
		p.Legend.Add(kind+" (95 % interval)", &swatch{c})
		eb := &struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs}
		if ye, err := plotter.NewYErrorBars(eb); err == nil {
			ye.LineStyle.Width = vg.Points(1.5 * k)
			p.Add(ye)
		}
	}
	p.NominalX(labels...)
	p.Legend.Left = false
	return Chart{Name: name, Title: title, draw: func(dc draw.Canvas) { p.Draw(dc) }}
}

type sweepGrid struct {
	z      [][]float64
	nx, ny int
}

func (g sweepGrid) Dims() (c, r int)   { return g.nx, g.ny }
func (g sweepGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g sweepGrid) X(c int) float64    { return float64(c) }
func (g sweepGrid) Y(r int) float64    { return float64(r) }

// gridHeat draws an output over a two-parameter grid.
func gridHeat(name, title string, out *sweep.Outcome, oi int, short func(string) string, k float64) Chart {
	sw := out.Sweep
	var xs, ys []string
	seenX, seenY := map[string]bool{}, map[string]bool{}
	for _, pt := range out.Points {
		if !seenX[pt.Values[0]] {
			seenX[pt.Values[0]] = true
			xs = append(xs, pt.Values[0])
		}
		if !seenY[pt.Values[1]] {
			seenY[pt.Values[1]] = true
			ys = append(ys, pt.Values[1])
		}
	}
	g := sweepGrid{nx: len(xs), ny: len(ys), z: make([][]float64, len(xs))}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.z {
		g.z[i] = make([]float64, len(ys))
		for j := range ys {
			v := out.Points[i*len(ys)+j].Mean[oi]
			g.z[i][j] = v
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.X.Label.Text = short(sw.Params[0].Path)
	p.Y.Label.Text = short(sw.Params[1].Path)
	if hi > lo {
		pal := moreland.SmoothBlueRed()
		pal.SetMin(lo)
		pal.SetMax(hi)
		h := plotter.NewHeatMap(g, pal.Palette(64))
		p.Add(h)
		for _, f := range []float64{1, 0.5, 0} {
			v := lo + f*(hi-lo)
			if c, err := pal.At(v); err == nil {
				p.Legend.Add(fmt.Sprintf("%.4g", v), &swatch{c})
			}
		}
	}
	p.NominalX(xs...)
	p.NominalY(ys...)
	return Chart{Name: name, Title: title, draw: func(dc draw.Canvas) { p.Draw(dc) }}
}
