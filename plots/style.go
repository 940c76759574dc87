package plots

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seriesColours are the line colours of multi-series charts: the
// Okabe-Ito palette without its yellow, which reads poorly as a thin line
// on white, and a mid grey as an eighth.
var seriesColours = []color.Color{Palette[0], Palette[5], Palette[6], Palette[3], Palette[1], Palette[7], Palette[2], color.Gray{Y: 128}}

// seriesDashes are the dash patterns of multi-series charts, in points at
// scale 1: solid, dashed, dotted.
var seriesDashes = [][]float64{nil, {7, 4}, {2, 3}}

// seriesLine is the line style of series i of a chart: colour i mod 8 and
// dash pattern i mod 3, so the first 24 series all differ in the pair and
// neighbours differ in both (a reader who cannot tell two colours apart
// still tells the dashes apart).
func seriesLine(i int, k float64) draw.LineStyle {
	i = max(i, 0)
	st := draw.LineStyle{Color: seriesColours[i%len(seriesColours)], Width: vg.Points(2 * k)}
	for _, d := range seriesDashes[i%len(seriesDashes)] {
		st.Dashes = append(st.Dashes, vg.Points(d*k))
	}
	return st
}

// niceTicks returns labelled ticks every 1, 2, 2.5 or 5 times a power of
// ten, the smallest such step that gives at most eight labels over
// [min, max] (so at least four on any range wider than a step), with
// unlabelled minor ticks between them. gonum's default aims at three
// labels, which leaves a panel from 0 to 250 labelled only at its ends.
func niceTicks(min, max float64, label func(float64) string) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) || math.IsNaN(max-min) {
		return nil
	}
	const most = 8
	mag := math.Pow(10, math.Floor(math.Log10((max-min)/most)))
	step, minor := 10*mag, 5
	for _, m := range []struct {
		f     float64
		minor int
	}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}} {
		if s := m.f * mag; math.Floor(max/s+1e-9)-math.Ceil(min/s-1e-9)+1 <= most {
			step, minor = s, m.minor
			break
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(min/step-1e-9) * step
	for j := 0; ; j++ {
		v := first + float64(j)*step
		if v > max+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // not -0 or 1e-17 from the multiplication
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label(v)})
	}
	// Minor ticks from one step below the first label to the end.
	sub := step / float64(minor)
	for j := 1; ; j++ {
		v := first - step + float64(j)*sub
		if v > max {
			break
		}
		if v >= min && math.Mod(float64(j), float64(minor)) != 0 {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// numberTicks labels a quantity axis compactly (1,200 or 0.35).
type numberTicks struct{}

func (numberTicks) Ticks(min, max float64) []plot.Tick { return niceTicks(min, max, compact) }

// percentTicks labels a fraction axis in percent.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, func(v float64) string { return compact(100*v) + "%" })
}

// legendBeside draws leg in a column at the right of dc, below its top
// edge, and returns the rest of dc for the data: the legend never covers
// a line. A legend wider than a third of the canvas keeps that third.
func legendBeside(dc draw.Canvas, leg plot.Legend) draw.Canvas {
	r := leg.Rectangle(dc)
	w := r.Max.X - r.Min.X
	if w <= 0 {
		return dc
	}
	pad := leg.TextStyle.Font.Size
	w = min(w, (dc.Max.X-dc.Min.X)/3-pad)
	col := dc
	col.Min.X = dc.Max.X - w - pad/2
	col.Max.Y = dc.Max.Y - pad
	leg.Left, leg.Top = true, true
	leg.Draw(col)
	dc.Max.X = col.Min.X - pad/2
	return dc
}

// takeLegend moves the legend entries of p into a legend of their own,
// styled alike, and leaves p without one.
func takeLegend(p *plot.Plot) plot.Legend {
	leg := p.Legend
	p.Legend = plot.NewLegend()
	p.Legend.TextStyle = leg.TextStyle
	return leg
}

// colourBar is a vertical colour scale from lo to hi, labelled by label,
// as a plot of its own to draw beside a heat map.
func colourBar(cm palette.ColorMap, caption string, label func(float64) string, k float64) *plot.Plot {
	p := plot.New()
	style(p, k)
	p.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true, Colors: 128})
	p.HideX()
	p.Y.Label.Text = caption
	p.Y.Min, p.Y.Max = cm.Min(), cm.Max()
	p.Y.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick { return niceTicks(min, max, label) })
	return p
}

// beside draws p with a colour bar in a narrow column at its right,
// spanning p's data area: below its title, above its x axis.
func beside(p, bar *plot.Plot, k float64) func(draw.Canvas) {
	return func(dc draw.Canvas) {
		w := min(vg.Points(110*k), (dc.Max.X-dc.Min.X)/4)
		main, side := dc, dc
		main.Max.X = dc.Max.X - w
		side.Min.X = main.Max.X + vg.Points(10*k)
		p.Draw(main)
		side.Max.Y -= p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding
		side.Min.Y += vg.Points(40 * k)
		bar.Draw(side)
	}
}

// fmtPercent writes a fraction as a whole percentage.
func fmtPercent(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// dateTicks labels a time axis (Unix seconds) at the first of a month,
// every 1, 3, 6, 12, 24, 60 or 120 months, the smallest step that gives
// at most seven labels: years as "2027" once the step is a year or more,
// months as "Jul 2026" below that, with quarters as minor ticks between
// yearly labels.
type dateTicks struct{}

func (dateTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) || max-min > 1e12 {
		return nil
	}
	lo, hi := time.Unix(int64(math.Ceil(min)), 0).UTC(), time.Unix(int64(math.Floor(max)), 0).UTC()
	months := (hi.Year()-lo.Year())*12 + int(hi.Month()-lo.Month()) + 1
	step := 120
	for _, s := range []int{1, 3, 6, 12, 24, 60, 120} {
		if months/s <= 7 {
			step = s
			break
		}
	}
	minor := step
	if step == 12 {
		minor = 3
	}
	format := "Jan 2006"
	if step >= 12 {
		format = "2006"
	}
	// From the January before lo, in minor steps.
	var ticks []plot.Tick
	years := step / 12
	if years < 1 {
		years = 1
	}
	t := time.Date(lo.Year()-lo.Year()%years, 1, 1, 0, 0, 0, 0, time.UTC)
	for m := 0; ; m += minor {
		at := t.AddDate(0, m, 0)
		v := float64(at.Unix())
		if v > max {
			break
		}
		if v < min {
			continue
		}
		tick := plot.Tick{Value: v}
		if m%step == 0 {
			tick.Label = at.Format(format)
		}
		ticks = append(ticks, tick)
	}
	return ticks
}
