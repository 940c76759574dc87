package plots

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/reesim/reesim/output"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Bar is one bar of a ranked bar chart: a value with its standard error.
type Bar struct {
	Label     string
	Value, SE float64
}

// RankedBars draws bars largest first as horizontal bars with 95 %
// whiskers (±1.96 SE): "what drives the shortfall".
func RankedBars(name, title, xLabel string, bars []Bar, o Options) Chart {
	w, _ := o.size()
	k := max(0.45, float64(w/(1200*vg.Inch/72)))
	p := plot.New()
	style(p, k)
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.X.Tick.Marker = numberTicks{}
	n := len(bars)
	vals := make(plotter.Values, n)
	labels := make([]string, n)
	errs := make(plotter.XErrors, n)
	pts := make(plotter.XYs, n)
	// Largest at the top: bars are drawn bottom up.
	for i, b := range bars {
		j := n - 1 - i
		vals[j] = b.Value
		labels[j] = wrapLabel(b.Label, 28)
		errs[j].Low, errs[j].High = 1.96*b.SE, 1.96*b.SE
		pts[j] = plotter.XY{X: b.Value, Y: float64(j)}
	}
	if n > 0 {
		bc, err := plotter.NewBarChart(vals, vg.Points(220*k/float64(max(n, 4))))
		if err == nil {
			bc.Horizontal = true
			bc.Color = Palette[5]
			bc.LineStyle.Width = 0
			p.Add(bc)
		}
		eb := &struct {
			plotter.XYs
			plotter.XErrors
		}{pts, errs}
		if xe, err := plotter.NewXErrorBars(eb); err == nil {
			xe.LineStyle.Width = vg.Points(2 * k)
			p.Add(xe)
		}
		p.NominalY(labels...)
		// Room for the whiskers at both ends, and for zero.
		lo, hi := 0.0, 0.0
		for _, b := range bars {
			lo, hi = min(lo, b.Value-1.96*b.SE), max(hi, b.Value+1.96*b.SE)
		}
		if pad := 0.05 * (hi - lo); pad > 0 && !math.IsInf(pad, 0) {
			p.X.Min, p.X.Max = lo-pad, hi+pad
		}
	}
	return Chart{Name: name, Title: title, Caption: Caption(name), draw: single(p)}
}

// WriteChart writes one chart into dir as PNG and SVG, atomically.
func WriteChart(dir string, c Chart, o Options) error {
	if err := plainName(c.Name); err != nil {
		return err
	}
	for _, f := range []string{"png", "svg"} {
		if err := output.WriteFile(filepath.Join(dir, c.Name+"."+f), func(w io.Writer) error { return c.Encode(w, f, o) }); err != nil {
			return fmt.Errorf("plots: %w", err)
		}
	}
	return nil
}

// plainName refuses a chart name that is not a plain file name in the
// output directory (names come from materials and ids, which validation
// keeps plain; this guards the rest).
func plainName(name string) error {
	if name == "" || len(name) > 200 || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return fmt.Errorf("plots: %.80q is not a plain file name", name)
	}
	return nil
}
