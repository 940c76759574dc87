package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/reesim/reesim/drivers"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/sim"
)

// sensitivity ranks every sampled input of a run against every total and
// region shortfall output from the run's per-trial records (records, a
// trials.csv), writes sensitivity.csv and two charts per material into
// dir, and returns the estimates.
func sensitivity(records, dir string, res *sim.Result) ([]drivers.Estimate, []plots.Chart, error) {
	f, err := os.Open(records)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("per-trial records: %w", err)
	}
	head = append([]string(nil), head...)
	var inIdx, outIdx []int
	for i, c := range head[1:] {
		switch {
		case !strings.Contains(c, "/"):
			inIdx = append(inIdx, i+1)
		case strings.HasSuffix(c, "/shortfall") && (strings.HasPrefix(c, "total/") || strings.HasPrefix(c, "region/")):
			outIdx = append(outIdx, i+1)
		}
	}
	ins, outs := make([][]float64, len(inIdx)), make([][]float64, len(outIdx))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("per-trial records: %w", err)
		}
		for k, i := range inIdx {
			v, _ := strconv.ParseFloat(rec[i], 64)
			ins[k] = append(ins[k], v)
		}
		for k, i := range outIdx {
			v, _ := strconv.ParseFloat(rec[i], 64)
			outs[k] = append(outs[k], v)
		}
	}
	pick := func(idx []int) []string {
		var names []string
		for _, i := range idx {
			names = append(names, head[i])
		}
		return names
	}
	est := drivers.Rank(pick(inIdx), ins, pick(outIdx), outs)
	err = output.WriteFile(filepath.Join(dir, "sensitivity.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"output", "input", "method", "estimate", "ci_low", "ci_high"})
		for _, e := range est {
			cw.Write([]string{e.Output, e.Input, e.Method, output.CSVFloat(e.Value), output.CSVFloat(e.Lo), output.CSVFloat(e.Hi)})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return nil, nil, err
	}
	var charts []plots.Chart
	for _, mat := range res.Materials {
		o := "total/all/" + mat + "/shortfall"
		for _, m := range []struct{ method, name, axis, what, caption string }{
			{"spearman", "drivers-spearman-", "rank correlation with the total %s shortfall (95 % interval)", "rank correlation",
				"The rank (Spearman) correlation of each sampled input with the total %s shortfall over this run's trials: the sign says which way the input pushes the shortfall, the size how consistently. Whiskers are 95 %% intervals (Fisher z); the ten largest are shown."},
			{"s1", "drivers-s1-", "first-order index S1 of the total %s shortfall: share of its variance (95 % interval)", "share of variance",
				"The first-order index S1 of each sampled input: the share of the total %s shortfall's variance that the input explains alone, estimated from this run's own trials (given-data binning, bias-corrected), with 95 %% batch intervals. Inputs interact, so the shares need not add up to one."},
		} {
			var bars []plots.Bar
			for _, e := range drivers.Top(est, o, m.method, 10) {
				se := 0.0
				if !math.IsNaN(e.Lo) {
					se = (e.Hi - e.Lo) / 3.92 // whiskers of ±1.96 SE span the interval
				}
				bars = append(bars, plots.Bar{Label: e.Input, Value: e.Value, SE: se})
			}
			if len(bars) == 0 {
				continue
			}
			ch := plots.RankedBars(m.name+mat, fmt.Sprintf("%s: what drives the total %s shortfall, by %s, from this run's %d trials", res.Scenario, mat, m.what, res.Trials),
				fmt.Sprintf(m.axis, mat), bars, plots.Options{})
			ch.Caption = fmt.Sprintf(m.caption, mat)
			charts = append(charts, ch)
			if err := plots.WriteChart(dir, ch, plots.Options{}); err != nil {
				return nil, nil, err
			}
		}
	}
	return est, charts, nil
}

// printDrivers prints the five inputs with the largest S1 for each
// material's total shortfall.
func printDrivers(w io.Writer, est []drivers.Estimate, res *sim.Result) {
	fmt.Fprintf(w, "\nwhat drives the total shortfall, from this run's %d trials (S1: share of its variance; Spearman: rank correlation; 95 %% intervals)\n", res.Trials)
	for _, mat := range res.Materials {
		o := "total/all/" + mat + "/shortfall"
		top := drivers.Top(est, o, "s1", 5)
		if len(top) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", mat)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "input\tS1\tinterval\tSpearman\tinterval\t")
		for _, e := range top {
			var rho drivers.Estimate
			for _, x := range est {
				if x.Output == o && x.Input == e.Input && x.Method == "spearman" {
					rho = x
				}
			}
			fmt.Fprintf(tw, "%s\t%.3f\t%s\t%+.3f\t%s\t\n", e.Input, e.Value, interval(e), rho.Value, interval(rho))
		}
		tw.Flush()
	}
}

func interval(e drivers.Estimate) string {
	if math.IsNaN(e.Lo) {
		return "-"
	}
	return fmt.Sprintf("%.3f to %.3f", e.Lo, e.Hi)
}
