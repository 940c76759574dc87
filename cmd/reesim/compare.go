package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "what option B buys over A: paired differences on common random numbers",
		ArgsUsage: "A B",
		Description: "A and B are scenario files or built-in names (the same one twice, with --set-a or --set-b,\n" +
			"compares two settings of one scenario). Both run with the same seed and trial streams, so\n" +
			"each metric's difference B - A is paired trial by trial; its standard error is that of\n" +
			"the paired difference, usually far below that of two independent runs.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "set-a", Usage: "override a field of A, `PATH=VALUE`; repeatable"},
			&cli.StringSliceFlag{Name: "set-b", Usage: "override a field of B, `PATH=VALUE`; repeatable"},
			&cli.IntFlag{Name: "trials", Aliases: []string{"n"}, Usage: "trials on each side", DefaultText: "A's"},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed of both sides", DefaultText: "A's"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "parallel workers", DefaultText: "number of CPUs"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "standard output format: table, json or csv"},
			&cli.IntFlag{Name: "top", Value: 20, Usage: "rows of the table, largest changes first"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write differences.csv, comparison.json and charts into `DIR`"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display"},
			maxMemoryFlag(),
		},
		Action: compareAction,
	}
}

func compareAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 2 {
		return usagef("as in: reesim compare truce90 truce90 --set-b consumers.us-users.inventory.dy=180d", "compare takes two scenarios, A and B; got %d arguments", cmd.Args().Len())
	}
	format := cmd.String("format")
	if err := checkFormat(format); err != nil {
		return err
	}
	if err := checkCounts(cmd); err != nil {
		return err
	}
	if n := cmd.Int("top"); n < 1 {
		return usagef("as in --top 20", "--top %d: want at least 1 row", n)
	}
	var sides [2]*model.Scenario
	for i, flag := range []string{"set-a", "set-b"} {
		ovs, err := parseOverrides(cmd.StringSlice(flag))
		if err != nil {
			return err
		}
		if sides[i], err = loadScenario(cmd.Args().Get(i), ovs); err != nil {
			return err
		}
		if err := checkMemory(cmd, sides[i]); err != nil {
			return err
		}
		for _, warn := range sides[i].Warnings {
			fmt.Fprintf(cmd.Root().ErrWriter, "reesim: warning: %s: %s\n", "AB"[i:i+1], warn)
		}
	}
	a, b := sides[0], sides[1]
	if cmd.IsSet("seed") {
		a.Seed = cmd.Uint64("seed")
	}
	var set *output.Set
	if dir := cmd.String("out"); dir != "" {
		var err error
		if set, err = openOut(dir, output.KindComparison, false); err != nil {
			return err
		}
		defer set.Abort()
	}
	opt := sim.Options{Trials: cmd.Int("trials"), Workers: cmd.Int("workers")}
	var bar *progress
	if !cmd.Bool("quiet") {
		bar = newProgress(cmd.Root().ErrWriter, fmt.Sprintf("comparing %s and %s", a.Name, b.Name), "trials")
		opt.Progress = bar.update
	}
	pr, err := sim.Pair(ctx, a, b, opt)
	bar.finish()
	if err != nil {
		return err
	}
	c := comparison{A: sideLabel(a), B: sideLabel(b), Trials: pr.A.Trials, Seed: pr.A.Seed, Version: version, Diffs: ranked(pr.Diffs), sole: soleRegions(pr.A)}
	w := cmd.Root().Writer
	switch format {
	case "json":
		err = c.writeJSON(w)
	case "csv":
		err = c.writeCSV(w)
	default:
		err = c.writeTable(w, cmd.Int("top"))
	}
	if err != nil || set == nil {
		return err
	}
	if err := output.WriteFile(filepath.Join(set.Dir(), "differences.csv"), c.writeCSV); err != nil {
		return err
	}
	if err := output.WriteFile(filepath.Join(set.Dir(), "comparison.json"), c.writeJSON); err != nil {
		return err
	}
	for _, mat := range pr.A.Materials {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if err := plots.WriteChart(set.Dir(), plots.CompareFan(pr.A, pr.B, mat, c.A, c.B, plots.Options{}), plots.Options{}); err != nil {
			return err
		}
		var bars []plots.Bar
		for _, d := range c.Diffs {
			if d.Material == mat && d.Metric == sim.MetricShortfall && d.Scope != sim.ScopeRegion {
				bars = append(bars, plots.Bar{Label: scopeLabel(d.Scope, d.ID), Value: d.Diff.Mean, SE: d.Diff.SE})
			}
		}
		ch := plots.RankedBars("compare-"+mat, fmt.Sprintf("%s shortfall, B - A: B %s against A %s (%d trials, seed %d)", mat, c.B, c.A, c.Trials, c.Seed),
			"change in expected shortfall, t of oxide (95 % interval of the paired difference)", bars, plots.Options{})
		if err := plots.WriteChart(set.Dir(), ch, plots.Options{}); err != nil {
			return err
		}
	}
	if err := set.Commit(ctx); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(w, "\nwrote differences.csv, comparison.json and the charts to %s\n", cmd.String("out"))
	}
	return nil
}

// sideLabel names one side: the scenario and its overrides.
func sideLabel(sc *model.Scenario) string {
	s := sc.Name
	for _, o := range sc.Overrides {
		s += " " + o.String()
	}
	return s
}

// comparison is what compare prints and writes.
type comparison struct {
	A, B    string
	Trials  int
	Seed    uint64
	Version string
	Diffs   []sim.Difference
	sole    map[string]bool // regions of one consumer: the table shows the consumer only
}

// soleRegions are the regions with one consumer, whose rows repeat the
// consumer's.
func soleRegions(r *sim.Result) map[string]bool {
	n := map[string]int{}
	for _, c := range r.Consumers {
		n[c.Region]++
	}
	out := map[string]bool{}
	for region, k := range n {
		out[region] = k == 1
	}
	return out
}

// ranked orders differences by the size of the change: those beyond two
// standard errors of the paired difference first, then by the change
// relative to the larger side's mean; differences that are exactly zero
// come last.
func ranked(ds []sim.Difference) []sim.Difference {
	out := slices.Clone(ds)
	key := func(d sim.Difference) (bool, float64) {
		if !(d.Diff.N > 0) || d.Diff.Mean == 0 {
			return false, -1
		}
		sig := math.Abs(d.Diff.Mean) > 2*d.Diff.SE
		scale := max(math.Abs(d.A.Mean), math.Abs(d.B.Mean))
		return sig, math.Abs(d.Diff.Mean) / scale
	}
	slices.SortStableFunc(out, func(x, y sim.Difference) int {
		sx, rx := key(x)
		sy, ry := key(y)
		switch {
		case sx != sy:
			if sx {
				return -1
			}
			return 1
		case rx > ry:
			return -1
		case rx < ry:
			return 1
		}
		return 0
	})
	return out
}

// tableMetrics are the metrics the table shows; JSON and CSV have all.
var tableMetrics = []string{sim.MetricShortfall, sim.MetricShortfallFrac, sim.MetricPShort, sim.MetricDaysShort, sim.MetricTimeToShort, sim.MetricPeakFrac, sim.MetricSubstituted}

func (c *comparison) writeTable(w io.Writer, top int) error {
	fmt.Fprintf(w, "reesim compare: A = %s, B = %s\n", c.A, c.B)
	fmt.Fprintf(w, "%d trials each, seed %d, common random numbers; B - A ± the standard error of the paired difference,\n", c.Trials, c.Seed)
	fmt.Fprintln(w, "largest changes first (those beyond 2 SE, then by size relative to the larger mean);")
	fmt.Fprintln(w, "a region of one consumer is shown as that consumer; time_to_short's B - A is over trials short on both sides")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scope\tmaterial\tmetric\tA\tB\tB - A\t± se\t")
	shown, zero := 0, 0
	for _, d := range c.Diffs {
		if !slices.Contains(tableMetrics, d.Metric) || d.Scope == sim.ScopeRegion && c.sole[d.ID] {
			continue
		}
		if !(d.Diff.N > 0) || d.Diff.Mean == 0 && d.Diff.SE == 0 {
			zero++
			continue
		}
		if shown == top {
			continue
		}
		shown++
		f := metricFormat(d.Metric)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", scopeLabel(d.Scope, d.ID), d.Material, d.Metric, f(d.A.Mean), f(d.B.Mean), signed(f, d.Diff.Mean), f(d.Diff.SE))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if shown == 0 {
		fmt.Fprintln(w, "(no metric differs)")
	}
	if more := c.countTable() - shown - zero; more > 0 {
		fmt.Fprintf(w, "%d more changed metrics in --format json or csv (or --top)\n", more)
	}
	if zero > 0 {
		fmt.Fprintf(w, "%d metrics identical in every trial\n", zero)
	}
	return nil
}

func (c *comparison) countTable() int {
	n := 0
	for _, d := range c.Diffs {
		if slices.Contains(tableMetrics, d.Metric) && !(d.Scope == sim.ScopeRegion && c.sole[d.ID]) {
			n++
		}
	}
	return n
}

// metricFormat formats a metric's values for people, in its unit.
func metricFormat(metric string) func(float64) string {
	switch metric {
	case sim.MetricShortfallFrac, sim.MetricPeakFrac, sim.MetricPShort:
		return output.Percent
	case sim.MetricDaysShort, sim.MetricTimeToShort:
		return func(v float64) string {
			if math.IsNaN(v) {
				return "-"
			}
			return strconv.FormatFloat(v, 'f', 1, 64) + " d"
		}
	}
	return func(v float64) string { return output.Tonnes(v) + " t" }
}

func signed(f func(float64) string, v float64) string {
	s := f(v)
	if v > 0 && !strings.HasPrefix(s, "+") {
		return "+" + s
	}
	return s
}

var diffColumns = []string{"scope", "id", "material", "metric", "unit", "n", "mean_a", "se_a", "mean_b", "se_b", "diff", "se_diff", "ci_low", "ci_high"}

func (d diffRow) values() []float64 {
	x := d.Diff
	return []float64{d.A.Mean, d.A.SE, d.B.Mean, d.B.SE, x.Mean, x.SE, x.Mean - 1.96*x.SE, x.Mean + 1.96*x.SE}
}

type diffRow struct{ sim.Difference }

func (c *comparison) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(diffColumns)
	for _, d := range c.Diffs {
		rec := []string{string(d.Scope), d.ID, d.Material, d.Metric, output.MetricUnit(d.Metric), strconv.FormatInt(d.Diff.N, 10)}
		for _, v := range (diffRow{d}).values() {
			rec = append(rec, output.CSVFloat(v))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func (c *comparison) writeJSON(w io.Writer) error {
	type row map[string]any
	num := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	var rows []row
	for _, d := range c.Diffs {
		r := row{"scope": d.Scope, "id": d.ID, "material": d.Material, "metric": d.Metric, "unit": output.MetricUnit(d.Metric), "n": d.Diff.N}
		for i, v := range (diffRow{d}).values() {
			r[diffColumns[6+i]] = num(v)
		}
		rows = append(rows, r)
	}
	doc := map[string]any{"a": c.A, "b": c.B, "trials": c.Trials, "seed": c.Seed, "reesim_version": c.Version, "differences": rows}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// scopeLabel names a scope in a table: "us-users", "region US",
// "outside CN", "all".
func scopeLabel(kind sim.ScopeKind, id string) string { return kind.Label(id) }
