package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reesim/reesim/discover"
	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/report"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

func discoverCommand() *cli.Command {
	return &cli.Command{
		Name:      "discover",
		Usage:     "find the input conditions under which the worst trials concentrate (PRIM)",
		ArgsUsage: "DIR",
		Description: "DIR is a directory written by 'reesim run --per-trial --out DIR'. The worst trials of\n" +
			"--output (the largest values; the smallest for time_to_short) are the target; PRIM peels\n" +
			"the box of all trials, a few percent of one input's range at a time, and the chosen box is\n" +
			"the densest that still holds --min-coverage of the worst trials, with each restriction that\n" +
			"a binomial test (p < 0.05) cannot tell from chance dropped. Writes discover.csv (the\n" +
			"trajectory), tail.csv (each input among the worst trials and among all), discover.json and\n" +
			"a chart into DIR; 'reesim report DIR' then shows the box.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Value: "total/all/dy/shortfall", Usage: "the output, `SCOPE/ID/MATERIAL/METRIC` as in trials.csv"},
			&cli.Float64Flag{Name: "worst", Value: 0.05, Usage: "the share of trials that count as the worst"},
			&cli.Float64Flag{Name: "min-coverage", Value: 0.5, Usage: "the chosen box holds at least this share of the worst trials"},
		},
		Action: discoverAction,
	}
}

func discoverAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 1 {
		return usagef("as in: reesim discover out/ --output total/all/dy/shortfall", "discover takes one DIR, got %d arguments", cmd.Args().Len())
	}
	dir := cmd.Args().First()
	worst, cover := cmd.Float64("worst"), cmd.Float64("min-coverage")
	if !(worst > 0 && worst < 1) {
		return usagef("as in --worst 0.05", "--worst %g: want a share between 0 and 1", worst)
	}
	if !(cover > 0 && cover <= 1) {
		return usagef("as in --min-coverage 0.5", "--min-coverage %g: want a share in (0, 1]", cover)
	}
	if err := output.CheckSet(dir, output.KindRun, "trials.csv", "summary.json"); err != nil {
		return usagef("write per-trial records with: reesim run SCENARIO --per-trial --out "+dir, "%v", err)
	}
	res, err := output.ReadJSON(filepath.Join(dir, "summary.json"))
	if err != nil {
		return err
	}
	names, x, y, err := readTrials(filepath.Join(dir, "trials.csv"), cmd.String("output"))
	if err != nil {
		return err
	}
	var sc *model.Scenario
	if data, err := os.ReadFile(filepath.Join(dir, "scenario.yaml")); err == nil {
		sc, _ = parseSaved(data, filepath.Join(dir, "scenario.yaml"), res.Overrides)
	}
	lowerWorse := strings.HasSuffix(cmd.String("output"), "/"+sim.MetricTimeToShort)
	bad, nBad := worstTrials(y, worst, lowerWorse)
	if nBad == 0 {
		return usagef("", "%s is never bad: no trial has a positive value", cmd.String("output"))
	}
	traj := discover.Peel(x, bad, discover.Options{})
	chosen := discover.Choose(traj, cover)
	peeled := traj[chosen]
	box := discover.Prune(peeled, x, bad, 0.05)
	base := float64(nBad) / float64(len(y))
	conds := conditions(box, names, sc)
	d := report.Discovery{Output: cmd.String("output"), Worst: worst, Conditions: conds, Coverage: box.Coverage, Density: box.Density, Lift: box.Density / base, Trials: len(y), Bad: nBad}

	set, err := openOut(dir, output.KindRun, true)
	if err != nil {
		return err
	}
	defer set.Abort()
	if err := output.WriteFile(filepath.Join(set.Dir(), "discover.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"step", "trials", "coverage", "density", "conditions"})
		for i, b := range traj {
			cw.Write([]string{strconv.Itoa(i), strconv.Itoa(b.N), output.CSVFloat(b.Coverage), output.CSVFloat(b.Density), strings.Join(conditions(b, names, sc), " and ")})
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	tail := tailTable(names, x, bad)
	if err := output.WriteFile(filepath.Join(set.Dir(), "tail.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"input", "p25_all", "p50_all", "p75_all", "p25_worst", "p50_worst", "p75_worst", "shift"})
		for _, r := range tail {
			rec := []string{r.input}
			for _, v := range []float64{r.all[0], r.all[1], r.all[2], r.worst[0], r.worst[1], r.worst[2], r.shift} {
				rec = append(rec, output.CSVFloat(v))
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	if err := output.WriteFile(filepath.Join(set.Dir(), "discover.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(d)
	}); err != nil {
		return err
	}
	var cov, den []float64
	for _, b := range traj {
		cov, den = append(cov, b.Coverage), append(den, b.Density)
	}
	slug := strings.ReplaceAll(cmd.String("output"), "/", "-")
	ch := plots.Trajectory("discover-"+slug, fmt.Sprintf("%s: where the worst %.0f %% of %s concentrate (PRIM, %d trials)", res.Scenario, 100*worst, cmd.String("output"), len(y)), cov, den, chosen, plots.Options{})
	if err := plots.WriteChart(set.Dir(), ch, plots.Options{}); err != nil {
		return err
	}
	if err := set.Commit(ctx); err != nil {
		return err
	}
	w := cmd.Root().Writer
	fmt.Fprintf(w, "reesim discover %s: the worst %.0f %% of %s (%d of %d trials)\n\n", dir, 100*worst, cmd.String("output"), nBad, len(y))
	fmt.Fprintf(w, "chosen box (step %d of %d, %d of its %d restrictions kept at p < 0.05): %s\n", chosen, len(traj)-1, len(discover.Restricted(box)), len(discover.Restricted(peeled)), strings.Join(conds, " and "))
	fmt.Fprintf(w, "  holds %.0f %% of the worst trials (coverage); %.0f %% of its %d trials are among them (density), %.1fx the %.0f %% of all trials\n\n", 100*box.Coverage, 100*box.Density, box.N, box.Density/base, 100*base)
	fmt.Fprintln(w, "the inputs that differ most between the worst trials and all (median, and P25 to P75):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "input\tworst trials\tall trials\t")
	for _, r := range tail[:min(8, len(tail))] {
		fmt.Fprintf(tw, "%s\t%s (%s to %s)\t%s (%s to %s)\t\n", r.input, num(r.worst[1]), num(r.worst[0]), num(r.worst[2]), num(r.all[1]), num(r.all[0]), num(r.all[2]))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nwrote discover.csv, tail.csv, discover.json and a chart to %s\n", dir)
	return nil
}

// readTrials reads the inputs (columns without a /) and one output column
// of trials.csv; an empty output (time_to_short of a trial never short) is
// NaN.
func readTrials(path, out string) (names []string, x [][]float64, y []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	head = slices.Clone(head)
	oi := slices.Index(head, out)
	if oi < 0 {
		var outs []string
		for _, c := range head {
			if strings.Contains(c, "/") {
				outs = append(outs, c)
			}
		}
		return nil, nil, nil, usagef("as in --output total/all/dy/shortfall", "%s has no output %q%s", path, out, model.DidYouMean(out, outs))
	}
	var idx []int
	for i, c := range head[1:] {
		if !strings.Contains(c, "/") {
			idx = append(idx, i+1)
			names = append(names, c)
		}
	}
	x = make([][]float64, len(idx))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		for k, i := range idx {
			v, _ := strconv.ParseFloat(rec[i], 64)
			x[k] = append(x[k], v)
		}
		v, err := strconv.ParseFloat(rec[oi], 64)
		if err != nil {
			v = math.NaN()
		}
		y = append(y, v)
	}
	return names, x, y, nil
}

// worstTrials marks the worst share of trials: the largest values (at
// least the value at that quantile, and positive), or for a metric where
// less is worse the smallest (a trial without a value, never short, is
// never among them).
func worstTrials(y []float64, share float64, lowerWorse bool) ([]bool, int) {
	var vals []float64
	for _, v := range y {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	bad := make([]bool, len(y))
	if len(vals) == 0 {
		return bad, 0
	}
	sort.Float64s(vals)
	k := max(1, int(math.Ceil(share*float64(len(y)))))
	n := 0
	if lowerWorse {
		cut := vals[min(k, len(vals))-1]
		for i, v := range y {
			if !math.IsNaN(v) && v <= cut {
				bad[i] = true
				n++
			}
		}
		return bad, n
	}
	cut := vals[max(0, len(vals)-k)]
	for i, v := range y {
		if v >= cut && v > 0 {
			bad[i] = true
			n++
		}
	}
	return bad, n
}

// conditions writes a box's limits as plain conditions, in each field's
// unit: dates as dates, durations in days, 0/1 event draws as happens or
// not.
func conditions(b discover.Box, names []string, sc *model.Scenario) []string {
	var out []string
	for _, j := range discover.Restricted(b) {
		name, l := names[j], b.Limits[j]
		if strings.HasSuffix(name, ".happens") {
			ev := strings.TrimSuffix(name, ".happens")
			if l.Lo > 0 {
				out = append(out, ev+" happens")
			} else {
				out = append(out, ev+" does not happen")
			}
			continue
		}
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
		if sc != nil {
			if fd, ok := sc.Field(name); ok {
				switch fd.Dist.Unit {
				case model.Time:
					f = func(v float64) string {
						return sc.Start.Add(time.Duration(v * 24 * float64(time.Hour))).Format("2006-01-02")
					}
				case model.Days:
					f = func(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + "d" }
				}
			}
		}
		switch {
		case math.IsInf(l.Lo, -1):
			out = append(out, name+" <= "+f(l.Hi))
		case math.IsInf(l.Hi, 1):
			out = append(out, name+" >= "+f(l.Lo))
		default:
			out = append(out, f(l.Lo)+" <= "+name+" <= "+f(l.Hi))
		}
	}
	if len(out) == 0 {
		out = []string{"(all trials: no input condition concentrates the worst trials)"}
	}
	return out
}

type tailRow struct {
	input      string
	all, worst [3]float64 // P25, P50, P75
	shift      float64    // |median shift| over the interquartile range of all trials
}

// tailTable compares each input among the worst trials with all trials,
// largest shift of the median first.
func tailTable(names []string, x [][]float64, bad []bool) []tailRow {
	q := func(v []float64) [3]float64 {
		s := slices.Sorted(slices.Values(v))
		at := func(p float64) float64 { return s[min(len(s)-1, int(p*float64(len(s))))] }
		return [3]float64{at(0.25), at(0.5), at(0.75)}
	}
	var rows []tailRow
	for j, name := range names {
		var w []float64
		for i, b := range bad {
			if b {
				w = append(w, x[j][i])
			}
		}
		r := tailRow{input: name, all: q(x[j]), worst: q(w)}
		iqr := r.all[2] - r.all[0]
		if iqr == 0 {
			iqr = max(1e-12, math.Abs(r.all[1]))
		}
		r.shift = math.Abs(r.worst[1]-r.all[1]) / iqr
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].shift > rows[b].shift })
	return rows
}
