package main

import (
	"context"
	"fmt"
	"github.com/reesim/reesim/model"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/reesim/reesim/drivers"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/report"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "simulate a scenario and summarise the shortfall",
		ArgsUsage: "SCENARIO",
		Description: "SCENARIO is a scenario file, or the name of a built-in scenario (see 'reesim list').\n" +
			"The summary goes to standard output; --out DIR also writes summary.json, summary.csv,\n" +
			"series.csv, flows.csv and utilisation.csv there, each atomically.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "trials", Aliases: []string{"n"}, Usage: "number of trials", DefaultText: "the scenario's"},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed", DefaultText: "the scenario's"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "parallel workers", DefaultText: "number of CPUs"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a field, `PATH=VALUE` (VALUE is YAML); repeatable"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "standard output format: table, json or csv"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write result files and charts into `DIR`"},
			&cli.StringFlag{Name: "plot-size", Value: "1600x900", Usage: "chart size in pixels, `WxH`"},
			&cli.BoolFlag{Name: "no-plots", Usage: "with --out, skip the charts"},
			&cli.BoolFlag{Name: "report", Usage: "with --out, also write a self-contained report.html"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
			&cli.StringFlag{Name: "shard", Usage: "run shard `i/N` (0 <= i < N) of the trials, or auto (Slurm array, or JOB_COMPLETION_INDEX with --shards); writes DIR/part.json for 'reesim merge'"},
			&cli.IntFlag{Name: "shards", Usage: "the number of shards, for --shard auto in a Kubernetes Indexed Job", DefaultText: "none"},
			maxMemoryFlag(),
			&cli.BoolFlag{Name: "sensitivity", Usage: "with --out, rank every sampled input by what it drives (sensitivity.csv, charts, and the top five in the table)"},
			&cli.BoolFlag{Name: "per-trial", Usage: "with --out, also write DIR/trials.csv: one row per trial, its sampled inputs and its outputs"},
			&cli.StringFlag{Name: "precision", Usage: "stop once every metric of --precision-on has SE <= `TARGET`: a fraction of the mean (0.01) or in the metric's unit (abs:0.5); --trials is the cap"},
			&cli.StringFlag{Name: "precision-on", Value: "total/all/*/shortfall", Usage: "the metrics --precision applies to: `SCOPE/ID/MATERIAL/METRIC` patterns, comma-separated, * for any part (consumer/*/dy/shortfall)"},
		},
		Action: runAction,
	}
}

func runAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 1 {
		return usagef("as in: reesim run truce90", "run takes one SCENARIO, got %d arguments", cmd.Args().Len())
	}
	format := cmd.String("format")
	if err := checkFormat(format); err != nil {
		return err
	}
	if err := checkCounts(cmd); err != nil {
		return err
	}
	if err := checkRunFlags(cmd); err != nil {
		return err
	}
	size, err := plots.ParseSize(cmd.String("plot-size"))
	if err != nil {
		return usagef("as in --plot-size 1920x1080", "%v", err)
	}
	ovs, err := parseOverrides(cmd.StringSlice("set"))
	if err != nil {
		return err
	}
	sc, err := loadScenario(cmd.Args().First(), ovs)
	if err != nil {
		return err
	}
	if err := checkMemory(cmd, sc); err != nil {
		return err
	}
	// Warnings go to stderr in every format, before the run, so that a
	// long run does not hide them and stdout stays machine-readable.
	for _, warn := range sc.Warnings {
		fmt.Fprintf(cmd.Root().ErrWriter, "reesim: warning: %s\n", warn)
	}
	if cmd.IsSet("seed") {
		sc.Seed = cmd.Uint64("seed")
	}
	workers := cmd.Int("workers")
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	opt := sim.Options{Trials: cmd.Int("trials"), Workers: workers}
	if p := cmd.String("precision"); p != "" {
		rel, abs, err := parsePrecision(p)
		if err != nil {
			return err
		}
		match, err := parsePrecisionOn(cmd.String("precision-on"), sc)
		if err != nil {
			return err
		}
		opt.Stop = sim.PrecisionOf(rel, abs, "the mean of "+cmd.String("precision-on"), match)
		if !cmd.IsSet("trials") {
			opt.Trials = 1_000_000 // the cap when none is given
		}
	}
	if cmd.IsSet("shard") {
		opt.Stop = nil
		return runShard(ctx, cmd, sc, opt, cmd.String("out"))
	}
	var set *output.Set
	var drv []drivers.Estimate // with --sensitivity
	if dir := cmd.String("out"); dir != "" {
		// Locked from the start: a second run into DIR is refused now,
		// not after its simulation; until Commit DIR is as it was.
		if set, err = openOut(dir, output.KindRun, false); err != nil {
			return err
		}
		defer set.Abort()
	}
	var res *sim.Result
	if err := simulate(cmd, sc.Name, set, opt, func(opt sim.Options) (err error) {
		res, err = sim.Run(ctx, sc, opt)
		return err
	}); err != nil {
		return err
	}
	res.Version = version
	if set != nil {
		stage := set.Dir()
		if err := output.WriteDir(stage, res); err != nil {
			return err
		}
		if err := output.WriteBytes(filepath.Join(stage, "scenario.yaml"), sc.Source); err != nil {
			return err
		}
		if !cmd.Bool("no-plots") {
			if _, err := plots.Write(ctx, stage, res, size); err != nil {
				return err
			}
		}
		var extra []plots.Chart
		if cmd.Bool("sensitivity") {
			est, charts, err := sensitivity(recordsPath(cmd, set), stage, res)
			if err != nil {
				return err
			}
			extra, drv = charts, est
		}
		if cmd.Bool("report") {
			if err := report.WriteFile(stage, report.Input{Result: res, Scenario: sc, Charts: extra, Drivers: drv}); err != nil {
				return err
			}
		}
		if err := set.Commit(ctx); err != nil {
			return err
		}
	}
	w := cmd.Root().Writer
	if err := printResult(w, res, format, output.Info{Start: sc.Start, Workers: workers}); err != nil || format != "table" {
		return err
	}
	if drv != nil {
		printDrivers(w, drv, res)
	}
	if dir := cmd.String("out"); dir != "" {
		fmt.Fprintf(w, "\nwrote %s and the charts to %s\n", strings.Join(output.Files, ", "), dir)
	}
	return nil
}

// parsePrecision reads --precision: a relative target (0.01) or an
// absolute one in tonnes (abs:0.5).
func parsePrecision(s string) (rel, abs float64, err error) {
	hint := "as in --precision 0.01 (SE within 1 % of each mean) or --precision abs:0.5 (tonnes)"
	if v, ok := strings.CutPrefix(s, "abs:"); ok {
		abs, err = strconv.ParseFloat(v, 64)
		if err != nil || !(abs > 0) {
			return 0, 0, usagef(hint, "--precision %q: want a positive number of tonnes after abs:", s)
		}
		return 0, abs, nil
	}
	rel, err = strconv.ParseFloat(s, 64)
	if err != nil || !(rel > 0 && rel < 1) {
		return 0, 0, usagef(hint, "--precision %q: want a fraction between 0 and 1", s)
	}
	return rel, 0, nil
}

// checkRunFlags refuses flags that would be silently ignored: output
// options without --out, an empty --out, --shards without --shard auto,
// and with --shard (which writes only a part for merge) the options that
// apply to a whole result.
func checkRunFlags(cmd *cli.Command) error {
	out := cmd.String("out")
	if cmd.IsSet("out") && strings.TrimSpace(out) == "" {
		return usagef("as in --out results/", "--out needs a directory")
	}
	if out == "" {
		for _, f := range []string{"report", "no-plots", "plot-size", "per-trial", "sensitivity"} {
			if cmd.IsSet(f) {
				return usagef("as in: reesim run truce90 --out out/ --"+f, "--%s needs --out DIR", f)
			}
		}
	}
	if cmd.IsSet("precision-on") && !cmd.IsSet("precision") {
		return usagef("as in --precision 0.01 --precision-on 'consumer/*/dy/shortfall'", "--precision-on needs --precision")
	}
	if cmd.IsSet("shards") && cmd.String("shard") != "auto" {
		return usagef("as in --shard auto --shards 16 in a Kubernetes Indexed Job", "--shards is only for --shard auto")
	}
	if cmd.IsSet("shard") {
		for _, f := range []string{"precision", "precision-on", "report", "format", "no-plots", "plot-size"} {
			if cmd.IsSet(f) {
				return usagef("run reesim merge on the parts, then reesim report or plot on the merged result", "--%s does not apply to --shard, which writes only a part for reesim merge", f)
			}
		}
	}
	return nil
}

// simulate runs fn with the command's progress bar and, with --per-trial
// or --sensitivity, its per-trial records attached to opt, finishing both
// whatever fn returns.
func simulate(cmd *cli.Command, name string, set *output.Set, opt sim.Options, fn func(sim.Options) error) error {
	var bar *progress
	if !cmd.Bool("quiet") {
		bar = newProgress(cmd.Root().ErrWriter, "simulating "+name, "trials")
		opt.Progress = bar.update
	}
	closeRecords, err := perTrial(cmd, set, &opt)
	if err != nil {
		bar.finish()
		return err
	}
	err = fn(opt)
	bar.finish()
	if cerr := closeRecords(); err == nil {
		err = cerr
	}
	return err
}

// perTrial, with --per-trial, points opt.Records at trials.csv in the
// set's staging directory; the returned close syncs and closes it.
func perTrial(cmd *cli.Command, set *output.Set, opt *sim.Options) (closeFn func() error, err error) {
	if !cmd.Bool("per-trial") && !cmd.Bool("sensitivity") || set == nil {
		return func() error { return nil }, nil
	}
	f, err := os.Create(recordsPath(cmd, set))
	if err != nil {
		return nil, err
	}
	opt.Records = f
	return func() error {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

// recordsPath is where a run's per-trial records go: trials.csv of the
// set, or, for --sensitivity alone, a hidden file of the staging
// directory that the set leaves out.
func recordsPath(cmd *cli.Command, set *output.Set) string {
	if cmd.Bool("per-trial") {
		return filepath.Join(set.Dir(), "trials.csv")
	}
	return filepath.Join(set.Dir(), ".trials.csv")
}

// parsePrecisionOn reads --precision-on: comma-separated patterns
// SCOPE/ID/MATERIAL/METRIC, * matching any value of a part. Each must
// match a metric the scenario reports.
func parsePrecisionOn(s string, sc *model.Scenario) (func(sim.Metric) bool, error) {
	hint := "as in --precision-on 'total/all/*/shortfall,consumer/us-users/dy/shortfall'"
	var pats [][4]string
	for _, p := range strings.Split(s, ",") {
		parts := strings.Split(strings.TrimSpace(p), "/")
		if len(parts) != 4 {
			return nil, usagef(hint, "--precision-on %q: want SCOPE/ID/MATERIAL/METRIC", p)
		}
		if parts[0] != "*" && !slices.Contains(sim.ScopeKinds, parts[0]) {
			return nil, usagef(hint, "--precision-on %q: unknown scope %q; want consumer, region, outside, total or *", p, parts[0])
		}
		if parts[3] != "*" && !slices.Contains(sim.MetricNames, parts[3]) {
			return nil, usagef(hint, "--precision-on %q: unknown metric %q%s; want one of %s", p, parts[3], model.DidYouMean(parts[3], sim.MetricNames), strings.Join(sim.MetricNames, ", "))
		}
		if parts[2] != "*" && !slices.Contains(sc.Materials, parts[2]) {
			return nil, usagef(hint, "--precision-on %q: %s has no material %q; its materials are %s", p, sc.Name, parts[2], strings.Join(sc.Materials, ", "))
		}
		ids := map[string][]string{"total": {"all"}}
		for _, e := range sc.Events {
			if r := e.Restriction; r != nil {
				ids["outside"] = append(ids["outside"], r.Region)
			}
		}
		for _, c := range sc.Consumers {
			ids["consumer"] = append(ids["consumer"], c.ID)
			if !slices.Contains(ids["region"], c.Region) {
				ids["region"] = append(ids["region"], c.Region)
			}
		}
		if parts[1] != "*" {
			found := false
			for scope, list := range ids {
				if (parts[0] == "*" || parts[0] == scope) && slices.Contains(list, parts[1]) {
					found = true
				}
			}
			if !found {
				return nil, usagef(hint, "--precision-on %q: %s has no %s %q", p, sc.Name, parts[0], parts[1])
			}
		}
		pats = append(pats, [4]string{parts[0], parts[1], parts[2], parts[3]})
	}
	return func(m sim.Metric) bool {
		for _, p := range pats {
			if (p[0] == "*" || p[0] == string(m.Scope)) && (p[1] == "*" || p[1] == m.ID) && (p[2] == "*" || p[2] == m.Material) && (p[3] == "*" || p[3] == m.Metric) {
				return true
			}
		}
		return false
	}, nil
}
