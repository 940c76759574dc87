package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sweep"
	"github.com/urfave/cli/v3"
)

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run a sensitivity sweep: which lever matters, and by how much",
		ArgsUsage: "SWEEP.yaml",
		Description: "Every design point is a full simulation with the sweep's seed. Finished points are\n" +
			"appended to DIR/points.csv as they complete; running the same command again resumes.\n" +
			"DIR/indices.csv holds the design's indices (low/high, SRRC, S1/ST, mu_star/sigma).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "sweep-out", Usage: "write points.csv and indices.csv into `DIR`"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "parallel workers per point", DefaultText: "number of CPUs"},
			&cli.BoolFlag{Name: "restart", Usage: "discard finished points of a different sweep in DIR"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
			&cli.StringFlag{Name: "shard", Usage: "run shard `i/N` of the design points (0 <= i < N), or auto (Slurm array, or JOB_COMPLETION_INDEX with --shards); combine with 'reesim merge'"},
			&cli.IntFlag{Name: "shards", Usage: "the number of shards, for --shard auto in a Kubernetes Indexed Job", DefaultText: "none"},
			&cli.IntFlag{Name: "trials", Aliases: []string{"n"}, Usage: "trials per design point, instead of the sweep file's (for a quick look)", DefaultText: "the sweep's"},
			&cli.IntFlag{Name: "samples", Usage: "base sample size, instead of the sweep file's (lhs, sobol, morris)", DefaultText: "the sweep's"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a field of the scenario for every point, `PATH=VALUE` (VALUE is YAML); repeatable"},
			maxMemoryFlag(),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("as in: reesim sweep examples/sweep.yaml", "sweep takes one SWEEP file, got %d arguments", cmd.Args().Len())
			}
			sw, err := model.LoadSweep(cmd.Args().First())
			if err != nil {
				return err
			}
			if err := checkCounts(cmd); err != nil {
				return err
			}
			if cmd.IsSet("shard") {
				for _, f := range []string{"trials", "samples", "set"} {
					if cmd.IsSet(f) {
						return usagef("write it into the sweep file, so that every shard and the merge see it", "--%s does not apply to --shard", f)
					}
				}
			}
			if cmd.IsSet("trials") {
				sw.Trials = cmd.Int("trials")
			}
			if cmd.IsSet("samples") {
				if n := cmd.Int("samples"); n < 2 || n > model.MaxSamples {
					return usagef(fmt.Sprintf("--samples takes 2 to %d", model.MaxSamples), "--samples %d is out of range", n)
				}
				sw.Samples = cmd.Int("samples")
				if err := sw.CheckSize(); err != nil {
					return usagef("lower --samples", "--samples %d: %v", sw.Samples, err)
				}
			}
			sets, err := parseOverrides(cmd.StringSlice("set"))
			if err != nil {
				return err
			}
			load, err := sweepLoader(sw)
			if err != nil {
				return err
			}
			if len(sets) > 0 {
				inner := load
				load = func(ovs []model.Override) (*model.Scenario, error) {
					return inner(append(slices.Clone(sets), ovs...))
				}
			}
			if base, err := load(nil); err == nil {
				if err := checkMemory(cmd, base); err != nil {
					return err
				}
			}
			opt := sweep.Options{Workers: cmd.Int("workers"), Restart: cmd.Bool("restart"), Version: version}
			if cmd.IsSet("shard") {
				i, n, err := parseShard(cmd.String("shard"), cmd.Int("shards"), os.Getenv)
				if err != nil {
					return err
				}
				opt.Shard, opt.Shards = i, n
			}
			var bar *progress
			if !cmd.Bool("quiet") {
				bar = newProgress(cmd.Root().ErrWriter, "sweeping "+filepath.Base(sw.File), "points")
				opt.Progress = bar.update
			}
			dir := cmd.String("out")
			unlock, err := output.LockKind(dir, output.KindSweep)
			if err != nil {
				bar.finish()
				return usagef("give each sweep its own --out directory; two commands must not write one at once", "%v", err)
			}
			defer unlock()
			out, err := sweep.Run(ctx, sw, load, dir, opt)
			bar.finish()
			if err != nil {
				if errors.Is(err, sweep.ErrOtherSweep) {
					return usagef("add --restart to discard them, or choose another --out", "%v", err)
				}
				if errors.Is(err, context.Canceled) {
					return &stoppedError{err, fmt.Sprintf("interrupted; the finished points are kept in %s: run the same command again to resume", filepath.Join(dir, "points.csv"))}
				}
				return err
			}
			if opt.Shards > 0 {
				_, err = fmt.Fprintf(cmd.Root().Writer, "shard %d/%d: %d design points (%s, %d trials each, seed %d); wrote %s\n",
					opt.Shard, opt.Shards, len(out.Points), sw.Design, sw.Trials, sw.Seed, filepath.Join(dir, "points.csv"))
				return err
			}
			charts := plots.SweepCharts(out, plots.Options{})
			for _, c := range charts {
				if err := plots.WriteChart(dir, c, plots.Options{}); err != nil {
					return err
				}
			}
			for _, warn := range out.Warnings() {
				fmt.Fprintf(cmd.Root().ErrWriter, "reesim: warning: %s\n", warn)
			}
			drawn := fmt.Sprintf("%d chart(s)", len(charts))
			if len(charts) == 0 {
				drawn = "no chart (a " + sw.Design + " sweep of " + fmt.Sprint(len(sw.Params)) + " parameters has none; indices.csv has its main effects)"
			}
			_, err = fmt.Fprintf(cmd.Root().Writer, "%d design points (%s, %d trials each, seed %d); wrote %s, %s and %s\n",
				len(out.Points), sw.Design, sw.Trials, sw.Seed, filepath.Join(dir, "points.csv"), filepath.Join(dir, "indices.csv"), drawn)
			return err
		},
	}
}

// sweepLoader resolves the sweep's scenario: a file relative to the sweep
// file, or a built-in name.
func sweepLoader(sw *model.Sweep) (sweep.Loader, error) {
	path := sw.Scenario
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(sw.File), path)
	}
	if _, err := os.Stat(path); err == nil {
		data, err := model.ReadFile(path, "scenario")
		if err != nil {
			return nil, err
		}
		return func(ovs []model.Override) (*model.Scenario, error) { return model.Parse(data, path, ovs...) }, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	name := strings.TrimSuffix(sw.Scenario, ".yaml")
	if _, err := scenarios.Source(name); err != nil {
		return nil, usagef("the scenario is a path relative to the sweep file, or a built-in name ("+strings.Join(scenarios.Names(), ", ")+")",
			"%s: no scenario %q", sw.File, sw.Scenario)
	}
	return func(ovs []model.Override) (*model.Scenario, error) { return scenarios.Load(name, ovs...) }, nil
}
