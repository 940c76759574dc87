package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
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
		Usage:     "rank events and stockpiles by the shortfall they account for, and what a tonne avoided costs",
		ArgsUsage: "SCENARIO",
		Description: "For each event, the scenario is run again with that event switched off\n" +
			"(probability 0), and for each stockpile with its holdings at 0, with the same seed: the\n" +
			"paired difference in total shortfall is what it accounts for, with its standard error\n" +
			"(common random numbers make it small). A negative value means it relieves the shortfall\n" +
			"(a truce, a buildout, a stockpile). Where a buildout or stockpile has a cost, the dollars\n" +
			"per tonne of shortfall avoided are given with a 95 % interval, cheapest first.",
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
			interventions, err := attributionVariants(arg, ovs, base)
			if err != nil {
				return err
			}
			if len(interventions) == 0 {
				return usagef("", "%s has no events or stockpiles to attribute", base.Name)
			}
			variants := make([]*model.Scenario, len(interventions))
			for i, iv := range interventions {
				variants[i] = iv.variant
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
			rows := attributionRows(c, interventions)
			w := cmd.Root().Writer
			fmt.Fprintf(w, "reesim attribute %s: %d trials per variant, seed %d; what each event (or stockpile) accounts for in expected total shortfall (t), ± one standard error of the paired difference\n", base.Name, c.Trials, c.Seed)
			fmt.Fprintln(w, "each is switched off alone (an event's probability 0, a stockpile's holdings 0); they interact, so the shares need not add up to 100 %")
			for _, mat := range append(slices.Clone(c.Materials), "all") {
				var rs []attributionRow
				for _, r := range rows {
					if r.material == mat {
						rs = append(rs, r)
					}
				}
				sort.SliceStable(rs, func(a, b int) bool { return math.Abs(rs[a].diff.Mean) > math.Abs(rs[b].diff.Mean) })
				name := mat
				if mat == "all" {
					name = "all materials"
				}
				fmt.Fprintf(w, "\n%s: expected total shortfall %s ± %s t\n", name, output.Tonnes(rs[0].base.Mean), output.Tonnes(rs[0].base.SE))
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "event\ttype\taccounts for t\t±\tshare of expected shortfall\t")
				var bars []plots.Bar
				for _, r := range rs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.id, r.kind, output.Tonnes(r.diff.Mean), output.Tonnes(r.diff.SE), output.Percent(r.share()))
					bars = append(bars, plots.Bar{Label: r.id, Value: r.diff.Mean, SE: r.diff.SE})
				}
				tw.Flush()
				if set != nil && mat != "all" {
					ch := plots.RankedBars("attribution-"+mat,
						fmt.Sprintf("%s: what drives the %s shortfall (%d trials, seed %d)", base.Name, mat, c.Trials, c.Seed),
						fmt.Sprintf("expected %s shortfall the event accounts for, t of oxide (95 %% interval)", mat), bars, plots.Options{})
					if err := plots.WriteChart(set.Dir(), ch, plots.Options{}); err != nil {
						return err
					}
				}
			}
			writeCostTable(w, rows)
			if set != nil {
				if err := output.WriteFile(filepath.Join(set.Dir(), "attribution.csv"), func(f io.Writer) error { return writeAttributionCSV(f, rows) }); err != nil {
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

// intervention is what attribute switches off: an event, or a consumer's
// stockpile; with its cost in USD (NaN: none given).
type intervention struct {
	id, kind string
	cost     float64
	variant  *model.Scenario
}

// attributionVariants makes one variant of the scenario per event
// (probability 0) and per stockpile (holdings 0).
func attributionVariants(arg string, ovs []model.Override, base *model.Scenario) ([]intervention, error) {
	var out []intervention
	add := func(id, kind string, cost float64, off ...model.Override) error {
		v, err := loadScenario(arg, append(slices.Clone(ovs), off...))
		if err != nil {
			return err
		}
		out = append(out, intervention{id: id, kind: kind, cost: cost, variant: v})
		return nil
	}
	for _, e := range base.Events {
		cost := math.NaN()
		if e.Buildout != nil && e.Buildout.Cost > 0 {
			cost = e.Buildout.Cost
		}
		if err := add(e.ID, string(e.Type), cost, model.Override{Path: "events." + e.ID + ".probability", Value: "0"}); err != nil {
			return nil, err
		}
	}
	for _, c := range base.Consumers {
		if c.Stockpile == nil {
			continue
		}
		var off []model.Override
		for _, mat := range base.Materials {
			if _, ok := c.Stockpile.Holdings[mat]; ok {
				off = append(off, model.Override{Path: "consumers." + c.ID + ".stockpile.holdings." + mat, Value: "0"})
			}
		}
		cost := math.NaN()
		if len(c.Stockpile.Cost) > 0 {
			cost = c.Stockpile.CostUSD()
		}
		if err := add("stockpile:"+c.ID, "stockpile", cost, off...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attributionRow is one intervention's effect on one material's (or all
// materials') expected total shortfall.
type attributionRow struct {
	material, id, kind string
	diff, base         sim.Stats // base minus the variant: what it accounts for
	cost               float64
}

func (r attributionRow) share() float64 {
	if r.base.Mean > 0 {
		return r.diff.Mean / r.base.Mean
	}
	return math.NaN()
}

// usdPerTonne is the cost of each tonne of shortfall the intervention
// avoids (the variant without it is short by that much more), with a 95 %
// interval from the paired difference's: cost / (avoided ± 1.96 SE). The
// upper end is +Inf when the interval reaches zero; all three are NaN
// when there is no cost or nothing is avoided.
func (r attributionRow) usdPerTonne() (v, lo, hi float64) {
	avoided := -r.diff.Mean
	if math.IsNaN(r.cost) || !(avoided > 0) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	v, lo, hi = r.cost/avoided, r.cost/(avoided+1.96*r.diff.SE), math.Inf(1)
	if a := avoided - 1.96*r.diff.SE; a > 0 {
		hi = r.cost / a
	}
	return v, lo, hi
}

func attributionRows(c *sim.Comparison, ivs []intervention) []attributionRow {
	var rows []attributionRow
	for m, mat := range c.Materials {
		for i, iv := range ivs {
			rows = append(rows, attributionRow{material: mat, id: iv.id, kind: iv.kind, diff: c.Diff[i][m], base: c.Base[m], cost: iv.cost})
		}
	}
	for i, iv := range ivs {
		rows = append(rows, attributionRow{material: "all", id: iv.id, kind: iv.kind, diff: c.DiffAll[i], base: c.BaseAll, cost: iv.cost})
	}
	return rows
}

// writeCostTable ranks the interventions with a cost by dollars per tonne
// of shortfall avoided, over all materials, cheapest first.
func writeCostTable(w io.Writer, rows []attributionRow) {
	var rs []attributionRow
	for _, r := range rows {
		if r.material == "all" && !math.IsNaN(r.cost) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return
	}
	key := func(r attributionRow) float64 {
		v, _, _ := r.usdPerTonne()
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	sort.SliceStable(rs, func(a, b int) bool { return key(rs[a]) < key(rs[b]) })
	fmt.Fprintln(w, "\ncost-effectiveness, all materials: dollars per tonne of shortfall avoided, cheapest first (95 % interval)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "intervention\ttype\tcost\tavoids t\t±\tUSD per t avoided\tinterval\t")
	for _, r := range rs {
		v, lo, hi := r.usdPerTonne()
		per, ci := "avoids none", "-"
		if !math.IsNaN(v) {
			per, ci = output.USD(v), output.USD(lo)+" to "+output.USD(hi)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.id, r.kind, output.USD(r.cost), output.Tonnes(-r.diff.Mean), output.Tonnes(r.diff.SE), per, ci)
	}
	tw.Flush()
}

func writeAttributionCSV(w io.Writer, rows []attributionRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"material", "event", "type", "accounts_for_t", "se_t", "share", "base_mean_t", "cost_usd", "usd_per_t_avoided", "usd_per_t_low", "usd_per_t_high"})
	for _, r := range rows {
		v, lo, hi := r.usdPerTonne()
		rec := []string{r.material, r.id, r.kind}
		for _, x := range []float64{r.diff.Mean, r.diff.SE, r.share(), r.base.Mean, r.cost, v, lo, hi} {
			rec = append(rec, output.CSVFloat(x))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
