package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/reesim/reesim/output"
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
	warn := ""
	if len(out.Warnings()) > 0 {
		warn = fmt.Sprintf("\nwarning: %d base samples are few for Sobol' indices: read the intervals, not the bars", sw.Samples)
	}
	for oi, outp := range sw.Outputs {
		label := outp.Label()
		slug := output.OutputSlug(outp)
		words := output.OutputWords(outp)
		pct := output.InPercent(outp.Metric)
		sub := fmt.Sprintf("(%s design, %d trials a point, seed %d)", sw.Design, sw.Trials, sw.Seed)
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
				low, high := sw.Params[i].Ends()
				bars = append(bars, tornadoBar{
					label: fmt.Sprintf("%s\n%s to %s", wrapLabel(short(r.Param), 28), low, high),
					low:   r.Estimate.Value, high: rows["high"][i].Estimate.Value,
				})
			}
			charts = append(charts, tornado("tornado-"+slug, "What moves the "+words+"\n"+sub, words, base, bars, pct, k))
			if sp, ok := spider("spider-"+slug, "Each lever over its levels: "+words+"\n"+sub, words, out, oi, pct, k); ok {
				charts = append(charts, sp)
			}
		case "sobol":
			charts = append(charts, indexBars("sobol-"+slug, "Sobol' indices of the "+words+"\n"+sub+warn, "share of the output's variance", []string{"S1", "ST"}, rows, short, [2]float64{-0.2, 1.2}, k))
		case "lhs":
			charts = append(charts, indexBars("srrc-"+slug, "Rank regression of the "+words+"\n"+sub, "standardised rank regression coefficient", []string{"SRRC"}, rows, short, [2]float64{-1.1, 1.1}, k))
		case "morris":
			charts = append(charts, indexBars("morris-"+slug, "Morris screening of the "+words+"\n"+sub, "elementary effect, output units per unit range", []string{"mu_star", "sigma"}, rows, short, [2]float64{math.Inf(-1), math.Inf(1)}, k))
		case "grid":
			if len(sw.Params) == 2 {
				charts = append(charts, gridHeat("heatmap-"+slug, words+" over two levers\n"+sub, words, out, oi, short, k))
			}
		}
	}
	for i := range charts {
		charts[i].Caption = Caption(charts[i].Name)
	}
	return charts
}

type tornadoBar struct {
	label     string
	low, high float64
}

// tornado draws each parameter's swing from the base value, widest at top:
// blue to the parameter's low end, orange to its high end. Each label
// gives the parameter's low and high values; pct shows the output in
// percent.
func tornado(name, title, xLabel string, base float64, bars []tornadoBar, pct bool, k float64) Chart {
	sort.SliceStable(bars, func(i, j int) bool {
		return math.Abs(bars[i].high-bars[i].low) < math.Abs(bars[j].high-bars[j].low)
	})
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.X.Tick.Marker = numberTicks{}
	value := compact
	if pct {
		p.X.Tick.Marker = percentTicks{}
		value = func(v float64) string { return compact(100*v) + "%" }
	}
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
		p.Legend.Add("scenario as written: "+sig3(value, base), l)
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
	return Chart{Name: name, Title: title, draw: single(p)}
}

// sig3 writes v to three significant figures through format, which
// adds the unit (format(0.0898) is "8.98%" for a percentage).
func sig3(format func(float64) string, v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return format(r)
}

// spider draws the output against each parameter's levels, where some
// parameter has more than two.
func spider(name, title, yLabel string, out *sweep.Outcome, oi int, pct bool, k float64) (Chart, bool) {
	sw := out.Sweep
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Y.Tick.Marker = numberTicks{}
	if pct {
		p.Y.Tick.Marker = percentTicks{}
	}
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
			l.LineStyle = seriesLine(i, k)
			s.Color = l.Color
			p.Add(l, s)
			p.Legend.Add(strings.TrimPrefix(prm.Path, "events."), l, s)
		}
	}
	return Chart{Name: name, Title: title, draw: single(p)}, many
}

// indexBars draws grouped bars of one or two indices per parameter with
// their 95 % intervals, and a line at zero. The axis spans the estimates
// and intervals within clip; a bar or whisker beyond clip stops at the
// edge under a triangle pointing the way it goes on.
func indexBars(name, title, yLabel string, kinds []string, rows map[string][]sweep.IndexRow, short func(string) string, clip [2]float64, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Y.Tick.Marker = numberTicks{}
	var labels []string
	for _, r := range rows[kinds[0]] {
		labels = append(labels, wrapLabel(short(r.Param), 24))
	}
	lo, hi := indexRange(kinds, rows, clip)
	p.Y.Min, p.Y.Max = lo, hi
	clamp := func(v float64) float64 { return min(max(v, lo), hi) }
	var clipped plotter.XYs // where a triangle marks a clipped end
	var up []bool
	mark := func(x, v float64) {
		if v > hi || v < lo {
			clipped = append(clipped, plotter.XY{X: x, Y: clamp(v)})
			up = append(up, v > hi)
		}
	}
	const width = 0.3 // of the space between parameters
	for ki, kind := range kinds {
		c := []color.Color{Palette[5], Palette[1]}[ki%2]
		pts := make(plotter.XYs, 0, len(rows[kind]))
		errs := make(plotter.YErrors, 0, len(rows[kind]))
		for i, r := range rows[kind] {
			x := float64(i) + (float64(ki)-float64(len(kinds)-1)/2)*width
			v := r.Estimate.Value
			bv := clamp(v)
			if poly, err := plotter.NewPolygon(plotter.XYs{{X: x - width/2, Y: 0}, {X: x + width/2, Y: 0}, {X: x + width/2, Y: bv}, {X: x - width/2, Y: bv}}); err == nil {
				poly.Color = c
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
			l, h := r.Estimate.Low, r.Estimate.High
			if math.IsNaN(l) || math.IsNaN(h) {
				l, h = v, v
			}
			mark(x, v)
			if !(v > hi || v < lo) {
				mark(x, l)
				mark(x, h)
			}
			pts = append(pts, plotter.XY{X: x, Y: bv})
			errs = append(errs, struct{ Low, High float64 }{bv - clamp(l), clamp(h) - bv})
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
	if zero, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: float64(len(labels)) - 0.5, Y: 0}}); err == nil {
		zero.Width = vg.Points(1.5 * k)
		p.Add(zero)
	}
	if len(clipped) > 0 {
		for _, dir := range []bool{true, false} {
			var at plotter.XYs
			for i, xy := range clipped {
				if up[i] == dir {
					at = append(at, xy)
				}
			}
			if s, err := plotter.NewScatter(at); err == nil && len(at) > 0 {
				s.GlyphStyle = draw.GlyphStyle{Color: Palette[6], Radius: vg.Points(7 * k), Shape: triangle{up: dir}}
				p.Add(s)
			}
		}
		p.Legend.Add(fmt.Sprintf("beyond the axis (%s to %s)", compact(clip[0]), compact(clip[1])), &glyph{draw.GlyphStyle{Color: Palette[6], Radius: vg.Points(5 * k), Shape: triangle{up: true}}})
	}
	p.NominalX(labels...)
	return Chart{Name: name, Title: title, draw: single(p)}
}

// indexRange is the value axis of index bars: from zero or below to
// zero or above, spanning every estimate and interval end, within clip.
func indexRange(kinds []string, rows map[string][]sweep.IndexRow, clip [2]float64) (lo, hi float64) {
	for _, kind := range kinds {
		for _, r := range rows[kind] {
			for _, v := range []float64{r.Estimate.Value, r.Estimate.Low, r.Estimate.High} {
				if !math.IsNaN(v) {
					lo, hi = min(lo, max(v, clip[0])), max(hi, min(v, clip[1]))
				}
			}
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// triangle is a glyph pointing up or down: the end of a clipped bar.
type triangle struct{ up bool }

func (t triangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	tip, base := r, -r/2
	if !t.up {
		tip, base = -r, r/2
	}
	var path vg.Path
	path.Move(vg.Point{X: pt.X, Y: pt.Y + tip})
	path.Line(vg.Point{X: pt.X - r, Y: pt.Y + base})
	path.Line(vg.Point{X: pt.X + r, Y: pt.Y + base})
	path.Close()
	c.SetColor(sty.Color)
	c.Fill(path)
}

// glyph is a legend thumbnail of one glyph.
type glyph struct{ sty draw.GlyphStyle }

func (g *glyph) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.sty, c.Center()) }

// wrapLabel breaks a long label onto lines of about width characters,
// after a dot, colon, slash or space (a parameter path or an event name),
// so that it neither crowds its neighbours nor runs off the canvas.
func wrapLabel(s string, width int) string {
	if len(s) <= width {
		return s
	}
	var parts []string
	last := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(".:/ ", s[i]) >= 0 {
			parts = append(parts, s[last:i+1])
			last = i + 1
		}
	}
	parts = append(parts, s[last:])
	var b strings.Builder
	line := 0
	for _, part := range parts {
		if line > 0 && line+len(part) > width {
			b.WriteString("\n")
			line = 0
		}
		b.WriteString(part)
		line += len(part)
	}
	return strings.ReplaceAll(b.String(), " \n", "\n")
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
func gridHeat(name, title, words string, out *sweep.Outcome, oi int, short func(string) string, k float64) Chart {
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
	p.NominalX(xs...)
	p.NominalY(ys...)
	if !(hi > lo) {
		return Chart{Name: name, Title: title, draw: single(p)}
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(hi)
	h := plotter.NewHeatMap(g, pal.Palette(64))
	p.Add(h)
	label := compact
	if output.InPercent(sw.Outputs[oi].Metric) {
		label = func(v float64) string { return compact(100*v) + "%" }
	}
	return Chart{Name: name, Title: title, draw: beside(p, colourBar(pal, words, label, k), k)}
}
