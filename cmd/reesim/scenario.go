package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

// loadScenario resolves SCENARIO: a file when one exists at that path,
// otherwise a built-in scenario by name (truce90 or truce90.yaml).
// Its warnings include the engine's (sim.Warnings: a reporting grid that
// takes a lot of memory).
func loadScenario(arg string, overrides []model.Override) (*model.Scenario, error) {
	sc, err := resolveScenario(arg, overrides)
	if err == nil {
		sc.Warnings = append(sc.Warnings, sim.Warnings(sc)...)
	}
	return sc, err
}

func resolveScenario(arg string, overrides []model.Override) (*model.Scenario, error) {
	if _, err := os.Lstat(arg); err == nil || !errors.Is(err, fs.ErrNotExist) {
		// A file, or something there that is not readable as one (a
		// symlink loop, say): model.Load names the problem.
		return model.Load(arg, overrides...)
	}
	name := strings.TrimSuffix(arg, ".yaml")
	for _, n := range scenarios.Names() {
		if n == name {
			return scenarios.Load(name, overrides...)
		}
	}
	return nil, usagef("'reesim list' shows the built-in scenarios: "+strings.Join(scenarios.Names(), ", "),
		"no scenario file %q, and no built-in scenario of that name%s", arg, model.DidYouMean(name, scenarios.Names()))
}

func parseOverrides(sets []string) ([]model.Override, error) {
	var out []model.Override
	for _, s := range sets {
		o, err := model.ParseOverride(s)
		if err != nil {
			return nil, usagef("as in --set events.truce.renewal.probability=0.9", "%v", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// parseSaved parses a scenario copy saved beside a result (scenario.yaml)
// with the overrides the result records, as PATH=VALUE strings.
func parseSaved(data []byte, src string, overrides []string) (*model.Scenario, error) {
	var ovs []model.Override
	for _, s := range overrides {
		o, err := model.ParseOverride(s)
		if err != nil {
			return nil, err
		}
		ovs = append(ovs, o)
	}
	return model.Parse(data, src, ovs...)
}

// checkCounts refuses a --trials, --seed or --workers out of range (a zero
// or negative trial count used to mean the scenario's default, and a huge
// one ran no trials at all), naming the flag and the valid range.
func checkCounts(cmd *cli.Command) error {
	if cmd.IsSet("trials") {
		if n := cmd.Int("trials"); n < 1 || n > model.MaxTrials {
			return usagef(fmt.Sprintf("--trials takes 1 to %d", model.MaxTrials), "--trials %d is out of range", n)
		}
	}
	if cmd.IsSet("seed") {
		if s := cmd.Uint64("seed"); s > model.MaxSeed {
			return usagef(fmt.Sprintf("--seed takes 0 to %d", uint64(model.MaxSeed)), "--seed %d is out of range", s)
		}
	}
	if w := cmd.Int("workers"); w < 0 || w > maxWorkers {
		return usagef(fmt.Sprintf("--workers takes 0 (one per CPU) to %d", maxWorkers), "--workers %d is out of range", w)
	}
	return nil
}

// maxWorkers bounds --workers: each worker holds a copy of its scratch
// memory, and more goroutines than trial blocks buy nothing.
const maxWorkers = 4096

// maxMemoryFlag is --max-memory, shared by the commands that aggregate a
// reporting grid.
func maxMemoryFlag() cli.Flag {
	return &cli.StringFlag{Name: "max-memory", Value: "4GB", Usage: "refuse a scenario whose reporting grid would take more than `SIZE` (e.g. 512MB, 8GB)"}
}

// checkMemory refuses a scenario whose reporting grid is estimated to take
// more memory than --max-memory, saying how to lower it.
func checkMemory(cmd *cli.Command, sc *model.Scenario) error {
	limit, err := parseBytes(cmd.String("max-memory"))
	if err != nil {
		return usagef("as in --max-memory 4GB or 512MB", "--max-memory %q: %v", cmd.String("max-memory"), err)
	}
	g, err := sim.GridOf(sc)
	if err != nil {
		return err
	}
	if est := g.Bytes(); est > limit {
		return usagef("use a longer reporting period (--set period=month) or a shorter horizon, or raise --max-memory",
			"%s's reporting grid (period %s over %s) would take about %.1f GB, over --max-memory %s", sc.Name, sc.Period.Name, model.FormatDays(sc.Horizon), est/1e9, cmd.String("max-memory"))
	}
	return nil
}

// parseBytes reads a size such as 4GB, 512MB or 1000000 (bytes).
func parseBytes(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a positive size with a unit: B, KB, MB, GB or TB")
	}
	return v * mult, nil
}
