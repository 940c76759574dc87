package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
	"github.com/reesim/reesim/sizing"
	"github.com/urfave/cli/v3"
)

func sizeCommand() *cli.Command {
	return &cli.Command{
		Name:      "size",
		Usage:     "the smallest (or largest) value of one parameter that meets a target",
		ArgsUsage: "SCENARIO",
		Description: "Bisects --param over [--min, --max] on common random numbers (every run has the same seed\n" +
			"and trials) until the target holds, then inverts the statistic's 95 % interval for the\n" +
			"value's interval, and confirms the answer with fresh trials (the next seed). Values are in\n" +
			"the field's own units: tonnes as numbers, durations as 90d or 2y, dates as ISO dates.\n" +
			"The target is SCOPE/ID/MATERIAL/METRIC.STAT<=X or >=X, e.g. consumer/us-users/dy/p_short.mean<=0.05.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "param", Usage: "the parameter path to size, as in --set", Required: true},
			&cli.StringFlag{Name: "min", Usage: "low end of the range, in the field's unit", Required: true},
			&cli.StringFlag{Name: "max", Usage: "high end of the range, in the field's unit", Required: true},
			&cli.StringFlag{Name: "target", Usage: "`SCOPE/ID/MATERIAL/METRIC.STAT<=X` (or >=X)", Required: true},
			&cli.StringFlag{Name: "tol", Usage: "stop when the bracket is this narrow, in the field's unit", DefaultText: "1/200 of the range"},
			&cli.IntFlag{Name: "trials", Aliases: []string{"n"}, Value: 1000, Usage: "trials per run"},
			&cli.IntFlag{Name: "confirm", Value: -1, Usage: "trials of the confirmation run with the next seed; 0 skips it", DefaultText: "twice --trials"},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed", DefaultText: "the scenario's"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "parallel workers", DefaultText: "number of CPUs"},
			&cli.StringSliceFlag{Name: "set", Usage: "override another field, `PATH=VALUE`; repeatable"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output format: table or json"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display"},
		},
		Action: sizeAction,
	}
}

func sizeAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 1 {
		return usagef("as in: reesim size truce90 --param consumers.us-users.inventory.dy --min 0d --max 720d --target 'consumer/us-users/dy/p_short.mean<=0.05'", "size takes one SCENARIO, got %d arguments", cmd.Args().Len())
	}
	format := cmd.String("format")
	if format != "table" && format != "json" {
		return usagef("use --format table or json", "unknown format %q", format)
	}
	if err := checkCounts(cmd); err != nil {
		return err
	}
	target, err := sizing.ParseTarget(cmd.String("target"))
	if err != nil {
		return usagef("as in --target 'total/all/dy/p_short.mean<=0.05'", "--target: %v", err)
	}
	sets, err := parseOverrides(cmd.StringSlice("set"))
	if err != nil {
		return err
	}
	param := cmd.String("param")
	arg := cmd.Args().First()
	load := func(ovs []model.Override) (*model.Scenario, error) {
		return loadScenario(arg, append(slices.Clone(sets), ovs...))
	}
	base, err := load(nil)
	if err != nil {
		return err
	}
	lo, loDays, loDate, err := parseSizeValue(cmd.String("min"), base.Start)
	if err != nil {
		return usagef("as in --min 0 (tonnes), --min 30d or --min 2026-01-01", "--min: %v", err)
	}
	hi, hiDays, hiDate, err := parseSizeValue(cmd.String("max"), base.Start)
	if err != nil {
		return usagef("as in --max 5000 (tonnes), --max 2y or --max 2029-01-01", "--max: %v", err)
	}
	if loDays != hiDays {
		return usagef("write --min and --max in one unit", "--min %s and --max %s are in different units", cmd.String("min"), cmd.String("max"))
	}
	if !(lo < hi) {
		return usagef("", "--min %s must be below --max %s", cmd.String("min"), cmd.String("max"))
	}
	// The parameter must be a field the scenario accepts at both ends.
	for _, v := range []string{cmd.String("min"), cmd.String("max")} {
		if _, err := load([]model.Override{{Path: param, Value: strings.TrimSpace(v)}}); err != nil {
			return err
		}
	}
	var tol float64
	if s := cmd.String("tol"); s != "" {
		if tol, _, _, err = parseSizeValue(s, time.Time{}); err != nil || !(tol > 0) {
			return usagef("as in --tol 1d or --tol 10", "--tol %q: want a positive amount in the field's unit", s)
		}
	}
	trials := cmd.Int("trials")
	seed := base.Seed
	if cmd.IsSet("seed") {
		seed = cmd.Uint64("seed")
	}
	opt := sim.Options{Trials: trials, Seed: seed, Workers: cmd.Int("workers")}
	var bar *progress
	prob := sizing.Problem{Param: param, Min: lo, Max: hi, Days: loDays, Target: target, Load: load, Options: opt, Tol: tol}
	if !cmd.Bool("quiet") {
		bar = newProgress(cmd.Root().ErrWriter, "sizing "+param, "runs")
		// At most two ends and three bisections (the value and its
		// interval's two ends), fewer where they share runs.
		steps := tol
		if steps <= 0 {
			steps = (hi - lo) / 200
		}
		most := 2 + 3*int(math.Ceil(math.Log2((hi-lo)/steps)))
		prob.Progress = func(n int) { bar.update(min(n, most), most) }
	}
	ans, err := sizing.Solve(ctx, prob)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return usagef("widen --min/--max, or check the target's direction", "%v", err)
	}
	var confirm *sizing.Eval
	if n := cmd.Int("confirm"); n != 0 {
		if n < 0 {
			n = 2 * trials
		}
		sc, err := load([]model.Override{{Path: param, Value: sizeFormat(ans.Value, loDays)}})
		if err != nil {
			return err
		}
		res, err := sim.Run(ctx, sc, sim.Options{Trials: n, Seed: seed + 1, Workers: cmd.Int("workers")})
		if err != nil {
			return err
		}
		e, err := sizing.Statistic(res, target, ans.Value)
		if err != nil {
			return err
		}
		confirm = &e
	}
	show := func(v float64) string {
		if math.IsNaN(v) {
			return "beyond the range"
		}
		s := sizeFormat(v, loDays)
		if loDate || hiDate {
			s = base.Start.AddDate(0, 0, int(math.Round(v))).Format("2006-01-02")
		}
		return s
	}
	r := sizeReport{Scenario: base.Name, Param: param, Target: target.String(), Trials: trials, Seed: seed, Ans: ans, Confirm: confirm, show: show, confirmTrials: cmd.Int("confirm")}
	if r.confirmTrials < 0 {
		r.confirmTrials = 2 * trials
	}
	if format == "json" {
		return r.writeJSON(cmd.Root().Writer)
	}
	return r.writeTable(cmd.Root().Writer)
}

// parseSizeValue reads a --min, --max or --tol: a number, a duration (in
// days), or an ISO date (in days after start).
func parseSizeValue(s string, start time.Time) (v float64, days, date bool, err error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return v, false, false, nil
	}
	if v, err := model.ParseDuration(s); err == nil {
		return v, true, false, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil && !start.IsZero() {
		return t.Sub(start).Hours() / 24, true, true, nil
	}
	return 0, false, false, fmt.Errorf("%q is not a number, a duration (90d) or an ISO date", s)
}

func sizeFormat(v float64, days bool) string {
	s := strconv.FormatFloat(v, 'g', 6, 64)
	if days {
		return s + "d"
	}
	return s
}

type sizeReport struct {
	Scenario, Param, Target string
	Trials                  int
	Seed                    uint64
	Ans                     *sizing.Answer
	Confirm                 *sizing.Eval
	confirmTrials           int
	show                    func(float64) string
}

func (r *sizeReport) writeTable(w io.Writer) error {
	a := r.Ans
	which := "smallest"
	if !a.Increasing {
		which = "largest"
	}
	fmt.Fprintf(w, "reesim size %s: %s for %s\n", r.Scenario, r.Param, r.Target)
	fmt.Fprintf(w, "%d trials a run, seed %d (common random numbers), %d runs\n\n", r.Trials, r.Seed, len(a.Evals))
	fmt.Fprintf(w, "%s value that meets the target: %s\n", which, r.show(a.Value))
	fmt.Fprintf(w, "95 %% interval for Monte Carlo error: %s to %s (where the statistic's 95 %% interval first meets, and wholly meets, the target)\n", r.show(a.CILow), r.show(a.CIHigh))
	fmt.Fprintf(w, "at %s the statistic is %s (95 %% interval %s to %s)\n", r.show(a.Value), num(a.At.Stat), num(a.At.StatLo), num(a.At.StatHi))
	if c := r.Confirm; c != nil {
		t, _ := sizing.ParseTarget(r.Target)
		verdict := "the target holds within its 95 % interval"
		switch {
		case !metAny(t, c.StatLo, c.StatHi):
			verdict = "the target FAILS: rerun with more --trials"
		case metAll(t, c.StatLo, c.StatHi):
			verdict = "the target holds"
		}
		fmt.Fprintf(w, "confirmation with %d fresh trials (seed %d): %s (95 %% interval %s to %s): %s\n", r.confirmTrials, r.Seed+1, num(c.Stat), num(c.StatLo), num(c.StatHi), verdict)
	}
	return nil
}

func metAny(t sizing.Target, lo, hi float64) bool {
	if t.Op == "<=" {
		return lo <= t.Value
	}
	return hi >= t.Value
}

func metAll(t sizing.Target, lo, hi float64) bool {
	if t.Op == "<=" {
		return hi <= t.Value
	}
	return lo >= t.Value
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func (r *sizeReport) writeJSON(w io.Writer) error {
	f := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	eval := func(e sizing.Eval) map[string]any {
		return map[string]any{"value": f(e.Value), "stat": f(e.Stat), "stat_low": f(e.StatLo), "stat_high": f(e.StatHi)}
	}
	a := r.Ans
	var runs []map[string]any
	for _, e := range a.Evals {
		runs = append(runs, eval(e))
	}
	doc := map[string]any{"scenario": r.Scenario, "param": r.Param, "target": r.Target, "value": f(a.Value), "value_written": r.show(a.Value),
		"ci_low": f(a.CILow), "ci_high": f(a.CIHigh), "increasing": a.Increasing,
		"stat": f(a.At.Stat), "stat_low": f(a.At.StatLo), "stat_high": f(a.At.StatHi), "trials": r.Trials, "seed": r.Seed, "runs": runs}
	if r.Confirm != nil {
		c := eval(*r.Confirm)
		c["trials"], c["seed"] = r.confirmTrials, r.Seed+1
		doc["confirmation"] = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
