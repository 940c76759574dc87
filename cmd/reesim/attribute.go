package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

func attributeCommand() *cli.Command {
	return &cli.Command{
		Name:      "attribute",
		Usage:     "rank the events by how much of each material's expected shortfall they account for",
		ArgsUsage: "SCENARIO",
		Description: "For each event, the scenario is run again with that event switched off\n" +
			"(probability 0), with the same seed: the paired difference in total shortfall is\n" +
			"what the event accounts for, with its standard error (common random numbers make it\n" +
			"small). A negative value means the event relieves the shortfall (a truce, a buildout).",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "trials", Aliases: []string{"n"}, Value: 1000, Usage: "trials per variant"},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed", DefaultText: "the scenario's"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "parallel workers", DefaultText: "number of CPUs"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a field, `PATH=VALUE`; repeatable"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write attribution.csv and a bar chart per material into `DIR`"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("as in: reesim attribute truce90", "attribute takes one SCENARIO, got %d arguments", cmd.Args().Len())
			}
			if err := checkCounts(cmd); err != nil {
				return err
			}
			ovs, err := parseOverrides(cmd.StringSlice("set"))
			if err != nil {
				return err
			}
			arg := cmd.Args().First()
			base, err := loadScenario(arg, ovs)
			if err != nil {
				return err
			}
			if len(base.Events) == 0 {
				return usagef("", "%s has no events to attribute", base.Name)
			}
			var variants []*model.Scenario
			for _, e := range base.Events {
				v, err := loadScenario(arg, append(append([]model.Override{}, ovs...), model.Override{Path: "events." + e.ID + ".probability", Value: "0"}))
				if err != nil {
					return err
				}
				variants = append(variants, v)
			}
			opt := sim.Options{Trials: cmd.Int("trials"), Workers: cmd.Int("workers")}
			if cmd.IsSet("seed") {
				base.Seed = cmd.Uint64("seed")
				for _, v := range variants {
					v.Seed = base.Seed
				}
			}
			dir := cmd.String("out")
			var set *output.Set
			if dir != "" {
				if set, err = openOut(dir, output.KindAttribution, false); err != nil {
					return err
				}
				defer set.Abort()
			}
			var bar *progress
			if !cmd.Bool("quiet") {
				bar = newProgress(cmd.Root().ErrWriter, fmt.Sprintf("attributing %s (%d variants)", base.Name, len(variants)), "trials")
				opt.Progress = bar.update
			}
			c, err := sim.Compare(ctx, base, variants, opt)
			bar.finish()
			if err != nil {
				return err
			}
			w := cmd.Root().Writer
			fmt.Fprintf(w, "reesim attribute %s: %d trials per variant, seed %d; what each event accounts for in expected total shortfall (t), ± one standard error of the paired difference\n", base.Name, c.Trials, c.Seed)
			fmt.Fprintln(w, "each event is switched off alone; events interact, so the shares need not add up to 100 %")
			var rows [][]string
			for m, mat := range c.Materials {
				order := make([]int, len(base.Events))
				for i := range order {
					order[i] = i
				}
				sort.SliceStable(order, func(a, b int) bool {
					return math.Abs(c.Diff[order[a]][m].Mean) > math.Abs(c.Diff[order[b]][m].Mean)
				})
				fmt.Fprintf(w, "\n%s: expected total shortfall %s ± %s t\n", mat, output.Tonnes(c.Base[m].Mean), output.Tonnes(c.Base[m].SE))
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "event\ttype\taccounts for t\t±\tshare of expected shortfall\t")
				var bars []plots.Bar
				for _, i := range order {
					e, d := base.Events[i], c.Diff[i][m]
					share := math.NaN()
					if c.Base[m].Mean > 0 {
						share = d.Mean / c.Base[m].Mean
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", e.ID, e.Type, output.Tonnes(d.Mean), output.Tonnes(d.SE), output.Percent(share))
					bars = append(bars, plots.Bar{Label: e.ID, Value: d.Mean, SE: d.SE})
					rows = append(rows, []string{mat, e.ID, string(e.Type), output.CSVFloat(d.Mean), output.CSVFloat(d.SE), output.CSVFloat(share), output.CSVFloat(c.Base[m].Mean)})
				}
				tw.Flush()
				if set != nil {
					ch := plots.RankedBars("attribution-"+mat,
						fmt.Sprintf("%s: what drives the %s shortfall (%d trials, seed %d)", base.Name, mat, c.Trials, c.Seed),
						fmt.Sprintf("expected %s shortfall the event accounts for, t of oxide (95 %% interval)", mat), bars, plots.Options{})
					if err := plots.WriteChart(set.Dir(), ch, plots.Options{}); err != nil {
						return err
					}
				}
			}
			if set != nil {
				err := output.WriteFile(filepath.Join(set.Dir(), "attribution.csv"), func(f io.Writer) error {
					cw := csv.NewWriter(f)
					cw.Write([]string{"material", "event", "type", "accounts_for_t", "se_t", "share", "base_mean_t"})
					cw.WriteAll(rows)
					return cw.Error()
				})
				if err != nil {
					return err
				}
				if err := set.Commit(ctx); err != nil {
					return err
				}
				fmt.Fprintf(w, "\nwrote attribution.csv and the charts to %s\n", dir)
			}
			return nil
		},
	}
}
