package plots

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Options control the charts. The zero value is usable.
type Options struct {
	// Width and Height are the PNG size in pixels; 0 means 1600 x 900.
	Width, Height int
}

// dpi is the resolution at which a chart's pixel size maps to its size in
// points (SVG keeps the same proportions).
const dpi = 96

// Palette is the Okabe-Ito colour-blind-safe palette (Okabe and Ito,
// "Color Universal Design", 2002), black first.
var Palette = []color.Color{
	color.RGBA{0, 0, 0, 255},
	color.RGBA{230, 159, 0, 255},
	color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{240, 228, 66, 255},
	color.RGBA{0, 114, 178, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{204, 121, 167, 255},
}

// Chart is one drawable chart.
type Chart struct {
	Name  string // file name without extension
	Title string
	// Caption says what the chart shows and how to read it, in a
	// sentence or two that do not repeat the title (reports print it
	// under the chart).
	Caption string
	draw    func(dc draw.Canvas)
}

// Draw renders the chart onto a canvas.
func (c Chart) Draw(dc draw.Canvas) { c.draw(dc) }

// size returns the chart size in points.
func (o Options) size() (vg.Length, vg.Length) {
	w, h := o.Width, o.Height
	if w <= 0 || h <= 0 {
		w, h = 1600, 900
	}
	return vg.Length(w) * vg.Inch / dpi, vg.Length(h) * vg.Inch / dpi
}

// Encode writes a chart as PNG or SVG.
func (c Chart) Encode(w io.Writer, format string, o Options) error {
	width, height := o.size()
	var cv vg.CanvasWriterTo
	switch format {
	case "png":
		cv = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))}
	case "svg":
		cv = vgsvg.New(width, height)
	default:
		return fmt.Errorf("plots: unknown format %q", format)
	}
	dc := draw.New(cv)
	// A white background, so the PNG pastes onto any slide.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	c.draw(dc)
	_, err := cv.WriteTo(w)
	return err
}

// Write renders every chart of r into dir as PNG and SVG, each file
// written atomically, and returns the file names. It stops with ctx's
// cause between files once ctx is done.
func Write(ctx context.Context, dir string, r *sim.Result, o Options) ([]string, error) {
	var names []string
	for _, c := range Charts(r, o) {
		if err := ctx.Err(); err != nil {
			return names, context.Cause(ctx)
		}
		if err := plainName(c.Name); err != nil {
			return names, err
		}
		for _, f := range []string{"png", "svg"} {
			name := c.Name + "." + f
			err := output.WriteFile(filepath.Join(dir, name), func(w io.Writer) error { return c.Encode(w, f, o) })
			if err != nil {
				return names, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

// Charts returns every chart of a result: per material a fan chart,
// exceedance curves on linear and logarithmic probability axes (the
// latter so one-in-a-thousand tails read off directly), a histogram, a
// survival curve, a utilisation heat map and a trade-flow chart.
func Charts(r *sim.Result, o Options) []Chart {
	w, _ := o.size()
	k := max(0.45, float64(w/(1200*vg.Inch/72))) // fonts scale with the chart; 1 at 1600 px
	var out []Chart
	for _, m := range r.Materials {
		out = append(out, fanChart(r, m, k), exceedance(r, m, false, k), exceedance(r, m, true, k), histogram(r, m, k), survival(r, m, k), heatMap(r, m, k), flows(r, m, k))
	}
	return out
}

// ParseSize parses a chart size written WxH in pixels, as in 1600x900.
func ParseSize(s string) (Options, error) {
	var o Options
	if _, err := fmt.Sscanf(strings.ToLower(s), "%dx%d", &o.Width, &o.Height); err != nil || o.Width < 100 || o.Height < 100 || o.Width > 10000 || o.Height > 10000 {
		return Options{}, fmt.Errorf("plots: size %q: want WIDTHxHEIGHT in pixels, each 100 to 10000, as in 1600x900", s)
	}
	return o, nil
}

// style applies slide-sized fonts and a light grid.
func style(p *plot.Plot, k float64) {
	pt := func(v float64) vg.Length { return vg.Points(v * k) }
	p.Title.TextStyle.Font.Size = pt(22)
	p.Title.Padding = pt(14)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = pt(17)
		a.Tick.Label.Font.Size = pt(14)
		a.Padding = pt(4)
	}
	p.Legend.TextStyle.Font.Size = pt(14)
	p.Legend.Top = true
	p.Add(&plotter.Grid{Vertical: draw.LineStyle{Color: color.Gray{225}, Width: 0.5}, Horizontal: draw.LineStyle{Color: color.Gray{225}, Width: 0.5}})
}

func subtitle(r *sim.Result) string {
	return fmt.Sprintf("%d trials, seed %d", r.Trials, r.Seed)
}

func compact(v float64) string {
	if math.Abs(v) >= 1000 {
		s := fmt.Sprintf("%.0f", math.Abs(v))
		var b strings.Builder
		for i, ch := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(ch)
		}
		if v < 0 {
			return "-" + b.String()
		}
		return b.String()
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

// single draws one plot over the whole canvas, its legend (if any) in a
// column at the right, outside the data.
func single(p *plot.Plot) func(draw.Canvas) {
	leg := takeLegend(p)
	return func(dc draw.Canvas) { p.Draw(legendBeside(margin(dc, leg.TextStyle.Font.Size/2), leg)) }
}

// margin insets dc by m on every side, so that labels that gonum sets
// flush with the canvas edge keep their first and last glyphs.
func margin(dc draw.Canvas, m vg.Length) draw.Canvas {
	return draw.Crop(dc, m, -m, m, -m)
}

// start is the scenario's start time (the zero time if unknown).
func start(r *sim.Result) time.Time {
	t, _ := time.Parse("2006-01-02", r.Start)
	return t
}

// dateX converts days after start to the time axis (Unix seconds).
func dateX(r *sim.Result, days float64) float64 {
	return float64(start(r).Unix()) + days*86400
}

func timeAxis(p *plot.Plot) {
	p.X.Tick.Marker = dateTicks{}
	p.X.Label.Text = "date"
}

// fanChart: per material, the period shortfall fraction over time for the
// total and each consumer region: P5-P95 and P25-P75 bands, median, mean.
func fanChart(r *sim.Result, mat string, k float64) Chart {
	var panels []sim.Series
	for _, s := range r.Series {
		if s.Material == mat && (s.Scope == sim.ScopeTotal || s.Scope == sim.ScopeRegion || s.Scope == sim.ScopeOutside) {
			panels = append(panels, s)
		}
	}
	// Total first, then outside each restricting region, then regions by
	// name.
	rank := map[sim.ScopeKind]int{sim.ScopeTotal: 0, sim.ScopeOutside: 1, sim.ScopeRegion: 2}
	sort.SliceStable(panels, func(i, j int) bool { return rank[panels[i].Scope] < rank[panels[j].Scope] })
	title := fmt.Sprintf("%s: share of %s demand unmet per %s (%s)", r.Scenario, mat, r.Period, subtitle(r))
	plots := make([]*plot.Plot, len(panels))
	var leg plot.Legend // one legend for every panel, beside them
	for i, s := range panels {
		p := plot.New()
		style(p, k)
		p.Title.TextStyle.Font.Size = vg.Points(16 * k)
		p.Title.Text = output.ScopeWords(string(s.Scope), s.ID)
		timeAxis(p)
		p.X.Label.Text = ""
		p.Y.Label.Text = "shortfall, % of demand"
		p.Y.Tick.Marker = percentTicks{}
		p.Y.Min, p.Y.Max = 0, 1
		xs := make([]float64, len(s.Mean))
		for k := range xs {
			xs[k] = dateX(r, r.PeriodStart[k]+r.PeriodDays/2)
		}
		band := func(lo, hi []float64, c color.Color) {
			pts := make(plotter.XYs, 0, 2*len(xs))
			for k := range xs {
				pts = append(pts, plotter.XY{X: xs[k], Y: hi[k]})
			}
			for k := len(xs) - 1; k >= 0; k-- {
				pts = append(pts, plotter.XY{X: xs[k], Y: lo[k]})
			}
			poly, err := plotter.NewPolygon(pts)
			if err == nil {
				poly.Color = c
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
		}
		band(s.P5, s.P95, color.NRGBA{86, 180, 233, 90})
		band(s.P25, s.P75, color.NRGBA{0, 114, 178, 130})
		line := func(ys []float64, c color.Color, dashed bool, label string) {
			pts := make(plotter.XYs, len(xs))
			for k := range xs {
				pts[k] = plotter.XY{X: xs[k], Y: ys[k]}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return
			}
			l.Color = c
			l.Width = vg.Points(2 * k)
			if dashed {
				l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
			}
			p.Add(l)
			p.Legend.Add(label, l)
		}
		line(s.P50, Palette[0], false, "median")
		line(s.Mean, Palette[6], true, "mean")
		p.Legend.Add("P25-P75", &swatch{color.NRGBA{0, 114, 178, 130}})
		p.Legend.Add("P5-P95", &swatch{color.NRGBA{86, 180, 233, 90}})
		leg = takeLegend(p)
		plots[i] = p
	}
	caption := fmt.Sprintf("How the shortfall develops over time: in each period, the share of its %s demand left unmet, for all consumers, for those outside each restricting region and for each consumer region. The dark band holds the middle half of trials, the light band nine in ten; the solid line is the median trial, the dashed line the mean, which rare severe trials pull above the median.", mat)
	return Chart{Name: "fan-" + mat, Title: title, Caption: caption, draw: func(dc draw.Canvas) {
		dc = legendBeside(titled(dc, title, k), leg)
		plots := plots // trimmed below for this canvas only
		if len(plots) == 0 {
			return
		}
		cols := min(3, len(plots))
		rows := (len(plots) + cols - 1) / cols
		// On a small canvas, draw as many rows of panels as fit (each at
		// least 60 pt tall): a panel with no room makes the rasteriser
		// crawl over a degenerate path.
		if fit := int((dc.Max.Y - dc.Min.Y) / vg.Points(60)); rows > max(1, fit) {
			rows = max(1, fit)
			plots = plots[:min(len(plots), rows*cols)]
		}
		grid := make([][]*plot.Plot, rows)
		for i := range grid {
			grid[i] = make([]*plot.Plot, cols)
		}
		for i, p := range plots {
			grid[i/cols][i%cols] = p
		}
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(14), PadY: vg.Points(14), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(10)}
		cs := plot.Align(grid, t, dc)
		for i, p := range plots {
			p.Draw(cs[i/cols][i%cols])
		}
	}}
}

// titled draws a title across the top of dc and returns the canvas below.
func titled(dc draw.Canvas, title string, k float64) draw.Canvas {
	sty := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(22*k)), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	top := dc.Max.Y - vg.Points(10*k)
	dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, title)
	dc.Max.Y = top - sty.Height(title) - vg.Points(8*k)
	return dc
}

// swatch is a legend thumbnail of a filled colour.
type swatch struct{ c color.Color }

func (s *swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}

// scopesOf lists the total and every consumer, the lines of per-scope
// charts.
func scopesOf(r *sim.Result) []struct {
	scope sim.ScopeKind
	id    string
	label string
} {
	out := []struct {
		scope sim.ScopeKind
		id    string
		label string
	}{{sim.ScopeTotal, "all", output.ScopeWords(string(sim.ScopeTotal), "all")}}
	for _, m := range r.Metrics {
		if m.Scope == sim.ScopeOutside && m.Material == r.Materials[0] && m.Metric == sim.MetricShortfall {
			out = append(out, struct {
				scope sim.ScopeKind
				id    string
				label string
			}{sim.ScopeOutside, m.ID, m.Scope.Label(m.ID)})
		}
	}
	for _, c := range r.Consumers {
		out = append(out, struct {
			scope sim.ScopeKind
			id    string
			label string
		}{sim.ScopeConsumer, c.ID, c.ID})
	}
	return out
}

// exceedance: P(cumulative shortfall > x) against x, for the total and
// each consumer.
func exceedance(r *sim.Result, mat string, logProb bool, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = fmt.Sprintf("%s: chance that cumulative %s shortfall exceeds x (%s)", r.Scenario, mat, subtitle(r))
	p.X.Label.Text = fmt.Sprintf("cumulative %s shortfall over the horizon, t of oxide", mat)
	p.X.Tick.Marker = numberTicks{}
	p.Y.Label.Text = "P(shortfall > x)"
	p.Y.Tick.Marker = percentTicks{}
	floor := 0.0
	if logProb {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logPercentTicks{}
		// Down to one trial in all, but at least a decade: with one
		// trial the axis would be [1, 1], which gonum widens to [0, 2].
		floor = min(1/float64(max(r.Trials, 1)), 0.1)
		p.Y.Min, p.Y.Max = floor, 1
	} else {
		p.Y.Min, p.Y.Max = 0, 1
	}
	for i, s := range scopesOf(r) {
		d, ok := r.FindDistribution(s.scope, s.id, mat, sim.MetricShortfall)
		ps, _ := r.Find(s.scope, s.id, mat, sim.MetricPShort)
		if !ok || len(d.Q) == 0 {
			continue
		}
		if !(ps.Mean > 0) {
			p.Legend.Add(s.label+": never short", &swatch{color.White})
			continue
		}
		// From P(shortfall > 0) = P(short), down the upper quantiles.
		pts := plotter.XYs{{X: 0, Y: ps.Mean}}
		for j, q := range d.Q {
			ex := 1 - r.DistP[j]
			if q <= 0 || ex > ps.Mean || ex < floor || (logProb && ex <= 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: q, Y: ex})
		}
		if len(pts) < 2 {
			continue
		}
		addScopeLine(p, pts, i, s.label, k)
	}
	p.Legend.Left = false
	name := "exceedance-" + mat
	if logProb {
		name += "-log"
	}
	caption := fmt.Sprintf("Read up from a tonnage on the horizontal axis to the chance that a consumer's cumulative %s shortfall over the horizon exceeds it; each curve starts at that consumer's chance of any shortfall. On a linear probability axis, where the likely outcomes are.", mat)
	if logProb {
		caption = fmt.Sprintf("The same exceedance curves of the cumulative %s shortfall on a logarithmic probability axis, which stretches the tail: read off the tonnage exceeded once in a hundred or once in a thousand trials. The axis stops at one trial in %d, below which the run says nothing.", mat, max(r.Trials, 1))
	}
	return Chart{Name: name, Title: p.Title.Text, Caption: caption, draw: single(p)}
}

// addScopeLine draws one scope's line of a per-scope chart: the total
// (i = 0) bold, each consumer in its own colour.
func addScopeLine(p *plot.Plot, pts plotter.XYs, i int, label string, k float64) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return
	}
	l.LineStyle = seriesLine(i, k)
	if i == 0 {
		l.Width = vg.Points(3 * k)
	}
	p.Add(l)
	p.Legend.Add(label, l)
}

// logPercentTicks labels a log-scaled probability axis in percent.
type logPercentTicks struct{}

func (logPercentTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	// A range that reaches 0 (or is not a number) starts at 1e-12: the
	// loop must have a finite start.
	lo := math.Floor(math.Log10(min))
	if math.IsNaN(lo) || lo < -12 {
		lo = -12
	}
	for e := lo; e <= 0; e++ {
		v := math.Pow(10, e)
		if v >= min*(1-1e-9) && v <= max*(1+1e-9) {
			ticks = append(ticks, plot.Tick{Value: v, Label: strings.TrimSuffix(fmt.Sprintf("%.4g", 100*v), ".0") + "%"})
		}
	}
	return ticks
}

// cdfAt interpolates the distribution function F(x) from quantiles.
func cdfAt(x float64, ps, qs []float64) float64 {
	if len(qs) == 0 || x < qs[0] {
		return 0
	}
	f := 0.0
	for k := range qs {
		if qs[k] <= x {
			f = ps[k]
			continue
		}
		// Linear between the last quantile at or below x and this one.
		if k > 0 && qs[k] > qs[k-1] {
			f = ps[k-1] + (ps[k]-ps[k-1])*(x-qs[k-1])/(qs[k]-qs[k-1])
		}
		return f
	}
	return 1
}

// histogram of the cumulative shortfall fraction over trials, with the
// mean, P95 and CVaR95 marked.
func histogram(r *sim.Result, mat string, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = fmt.Sprintf("%s: distribution of the share of %s demand unmet (%s)", r.Scenario, mat, subtitle(r))
	p.X.Label.Text = "shortfall over the horizon, % of demand"
	p.X.Tick.Marker = percentTicks{}
	p.Y.Label.Text = "share of trials"
	p.Y.Tick.Marker = percentTicks{}
	d, ok := r.FindDistribution(sim.ScopeTotal, "all", mat, sim.MetricShortfallFrac)
	m, _ := r.Find(sim.ScopeTotal, "all", mat, sim.MetricShortfallFrac)
	if ok && len(d.Q) > 0 {
		hi := d.Q[len(d.Q)-1]
		const nb = 30
		width := hi / nb
		if width <= 0 {
			width = 0.01
		}
		zero := cdfAt(0, r.DistP, d.Q)
		var bins []plotter.HistogramBin
		if zero > 0 {
			bins = append(bins, plotter.HistogramBin{Min: 0, Max: width / 3, Weight: zero})
		}
		for b := 0; b < nb && hi > 0; b++ {
			lo := float64(b) * width
			w := cdfAt(lo+width, r.DistP, d.Q) - max(cdfAt(lo, r.DistP, d.Q), zero*bool2f(b == 0))
			bins = append(bins, plotter.HistogramBin{Min: lo + width/3*bool2f(b == 0 && zero > 0), Max: lo + width, Weight: max(0, w)})
		}
		h := &plotter.Histogram{Bins: bins, FillColor: color.RGBA{86, 180, 233, 255}, LineStyle: draw.LineStyle{Color: color.White, Width: 1}}
		p.Add(h)
		var ymax float64
		for _, b := range bins {
			ymax = max(ymax, b.Weight)
		}
		p.Y.Min, p.Y.Max = 0, ymax*1.15
		mark := func(x float64, c color.Color, label string) {
			l, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: ymax * 1.1}})
			if err != nil {
				return
			}
			l.Color, l.Width = c, vg.Points(2.5*k)
			l.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s %.2f%%", label, 100*x), l)
		}
		mark(m.Mean, Palette[0], "mean")
		mark(m.P95, Palette[6], "P95")
		mark(m.CVaR95, Palette[7], "CVaR95")
	}
	p.Legend.Left = false
	caption := fmt.Sprintf("How the share of %s demand left unmet over the whole horizon, all consumers together, spreads over trials; the narrow first bar holds the trials with no shortfall at all. Dashed lines mark the mean, the 95th percentile and CVaR95, the mean of the worst 5 %% of trials.", mat)
	return Chart{Name: "histogram-" + mat, Title: p.Title.Text, Caption: caption, draw: single(p)}
}

func bool2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// survival: the share of trials in which a consumer has not yet run short,
// against days from the start.
func survival(r *sim.Result, mat string, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = fmt.Sprintf("%s: share of trials not yet short of %s (%s)", r.Scenario, mat, subtitle(r))
	p.X.Label.Text = "days from " + r.Start
	p.X.Tick.Marker = numberTicks{}
	p.Y.Label.Text = "trials not yet short"
	p.Y.Tick.Marker = percentTicks{}
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Min, p.X.Max = 0, r.HorizonDays
	for i, s := range scopesOf(r) {
		ps, _ := r.Find(s.scope, s.id, mat, sim.MetricPShort)
		d, _ := r.FindDistribution(s.scope, s.id, mat, sim.MetricTimeToShort)
		pts := plotter.XYs{{X: 0, Y: 1 - ps.Mean*cdfAt(0, r.DistP, d.Q)}}
		for k, q := range d.Q {
			pts = append(pts, plotter.XY{X: q, Y: 1 - ps.Mean*r.DistP[k]})
		}
		pts = append(pts, plotter.XY{X: r.HorizonDays, Y: 1 - ps.Mean})
		addScopeLine(p, pts, i, s.label, k)
	}
	p.Legend.Top = false
	p.Legend.Left = true
	caption := fmt.Sprintf("When %s shortfalls begin: the share of trials in which each consumer has not yet run short, by days from the start. A steep drop marks the days when inventories run out; the level at the right is the chance of getting through the horizon unscathed.", mat)
	return Chart{Name: "survival-" + mat, Title: p.Title.Text, Caption: caption, draw: single(p)}
}

// utilGrid adapts utilisation to a heat map: nodes by period.
type utilGrid struct {
	r    *sim.Result
	rows []sim.Utilisation
}

func (g utilGrid) Dims() (c, r int) { return len(g.r.PeriodStart), len(g.rows) }
func (g utilGrid) Z(c, r int) float64 {
	return g.rows[r].Mean[c]
}
func (g utilGrid) X(c int) float64 { return dateX(g.r, g.r.PeriodStart[c]+g.r.PeriodDays/2) }
func (g utilGrid) Y(r int) float64 { return float64(r) }

// nodeTicks labels the heat map's rows with node ids.
type nodeTicks []string

func (t nodeTicks) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(t))
	for i, n := range t {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	return ticks
}

// heatMap: node utilisation by period for one material, with a colour
// bar from 0 to 100 % beside it.
func heatMap(r *sim.Result, mat string, k float64) Chart {
	p := plot.New()
	style(p, k)
	p.Title.Text = fmt.Sprintf("%s: mean utilisation of %s capacity by node (%s)", r.Scenario, mat, subtitle(r))
	timeAxis(p)
	p.Y.Label.Text = ""
	var rows []sim.Utilisation
	var names nodeTicks
	for _, u := range r.Utilisation {
		if u.Material == mat {
			rows = append(rows, u)
			names = append(names, u.Node)
		}
	}
	if len(rows) == 0 || len(r.PeriodStart) < 2 {
		return Chart{Name: "utilisation-" + mat, Title: p.Title.Text, Caption: "No utilisation to show: the result has no node rows or a single period.", draw: single(p)}
	}
	pal := moreland.ExtendedBlackBody()
	pal.SetMin(0)
	pal.SetMax(1)
	h := plotter.NewHeatMap(utilGrid{r, rows}, pal.Palette(64))
	h.Min, h.Max = 0, 1
	p.Add(h)
	p.Y.Tick.Marker = names
	bar := colourBar(pal, "mean utilisation", fmtPercent, k)
	drawn := beside(p, bar, k)
	caption := fmt.Sprintf("Where the %s chain is tight or idle: one row per node, one column per period, coloured by the mean share of the node's capacity it used. Light rows run at capacity (a bottleneck); dark rows are idle for want of feed or not yet built.", mat)
	return Chart{Name: "utilisation-" + mat, Title: p.Title.Text, Caption: caption, draw: func(dc draw.Canvas) {
		// Row labels at most 80 % of a row's height, so many nodes on a
		// small canvas do not run into each other.
		row := (dc.Max.Y - dc.Min.Y) * 0.75 / vg.Length(len(rows))
		p.Y.Tick.Label.Font.Size = min(vg.Points(13*k), row*0.8)
		drawn(dc)
	}}
}

// regionLines gives each region that sends mat its own line style, the
// same in every panel of the flows chart, in order of region name.
func regionLines(r *sim.Result, mat string, k float64) (map[string]draw.LineStyle, []string) {
	lines := map[string]draw.LineStyle{}
	var regions []string
	for _, f := range r.Flows {
		if _, ok := lines[f.From]; !ok && f.Material == mat {
			lines[f.From] = draw.LineStyle{}
			regions = append(regions, f.From)
		}
	}
	sort.Strings(regions)
	for i, reg := range regions {
		lines[reg] = seriesLine(i, k)
	}
	return lines, regions
}

// flows: mean flow out of each region by stage over time, one panel per
// stage, t per period, with one legend of the regions beside the panels.
func flows(r *sim.Result, mat string, k float64) Chart {
	title := fmt.Sprintf("%s: mean %s output of each region's nodes, by stage, t per %s (%s)", r.Scenario, mat, r.Period, subtitle(r))
	var plots []*plot.Plot
	lines, regions := regionLines(r, mat, k)
	leg := plot.NewLegend()
	for _, st := range r.Stages {
		byRegion := map[string][]float64{}
		for _, f := range r.Flows {
			if f.Material != mat || f.Stage != st {
				continue
			}
			acc := byRegion[f.From]
			if acc == nil {
				acc = make([]float64, len(f.Mean))
			}
			for k, v := range f.Mean {
				acc[k] += v
			}
			byRegion[f.From] = acc
		}
		p := plot.New()
		style(p, k)
		p.Title.Text = "from " + st + " nodes"
		p.Title.TextStyle.Font.Size = vg.Points(16 * k)
		timeAxis(p)
		p.X.Label.Text = ""
		p.Y.Label.Text = "t per " + r.Period
		p.Y.Tick.Marker = numberTicks{}
		p.Y.Min = 0
		for _, reg := range regions {
			ys, ok := byRegion[reg]
			if !ok {
				continue
			}
			pts := make(plotter.XYs, len(ys))
			for k, v := range ys {
				pts[k] = plotter.XY{X: dateX(r, r.PeriodStart[k]+r.PeriodDays/2), Y: v}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				continue
			}
			l.LineStyle = lines[reg]
			p.Add(l)
		}
		leg.TextStyle = p.Legend.TextStyle
		plots = append(plots, p)
	}
	for _, reg := range regions {
		leg.Add(reg, &plotter.Line{LineStyle: lines[reg]})
	}
	caption := fmt.Sprintf("Who makes the %s that reaches consumers: one panel per stage, each line the mean tonnage a region's nodes at that stage sent on per %s. A region's line keeps its colour and dash across the panels.", mat, r.Period)
	return Chart{Name: "flows-" + mat, Title: title, Caption: caption, draw: func(dc draw.Canvas) {
		dc = legendBeside(titled(dc, title, k), leg)
		if len(plots) == 0 {
			return
		}
		grid := [][]*plot.Plot{plots}
		t := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(14), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(10)}
		cs := plot.Align(grid, t, dc)
		for i, p := range plots {
			p.Draw(cs[0][i])
		}
	}}
}
