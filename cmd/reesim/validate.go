package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sweep"
	"github.com/urfave/cli/v3"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check scenario files and report every error",
		ArgsUsage: "FILE...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also summarise each scenario: its size and each stage's capacity share by region"},
		},
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() == 0 {
				return usagef("as in: reesim validate my-scenario.yaml", "validate takes at least one FILE")
			}
			w := cmd.Root().Writer
			var all model.ErrorList
			var other []error
			for _, arg := range cmd.Args().Slice() {
				if data, ok := sweepFile(arg); ok {
					msg, err := validateSweep(arg, data)
					var list model.ErrorList
					switch {
					case errors.As(err, &list):
						all = append(all, list...)
					case err != nil:
						other = append(other, err)
					default:
						fmt.Fprintf(w, "%s: ok (%s)\n", arg, msg)
					}
					continue
				}
				sc, err := loadScenario(arg, nil)
				var list model.ErrorList
				switch {
				case errors.As(err, &list):
					all = append(all, list...)
					continue
				case err != nil:
					other = append(other, err)
					continue
				}
				fmt.Fprintf(w, "%s: ok (%s)\n", arg, sc.Name)
				for _, warn := range sc.Warnings {
					fmt.Fprintf(w, "%s: warning: %s\n", arg, warn)
				}
				if cmd.Bool("verbose") {
					describe(w, sc)
				}
			}
			if len(other) > 0 {
				if len(all) > 0 {
					for _, e := range all {
						fmt.Fprintln(cmd.Root().ErrWriter, e)
					}
				}
				return other[0]
			}
			if len(all) > 0 {
				return all
			}
			return nil
		},
	}
}

// describe prints a scenario's size and each stage's share of expected
// capacity by region (all materials, at the start).
func describe(w io.Writer, sc *model.Scenario) {
	fmt.Fprintf(w, "  %s\n", sc.Description)
	fmt.Fprintf(w, "  start %s, horizon %s, %s periods; %d materials, %d nodes, %d consumers, %d routes, %d events\n",
		sc.Start.Format("2006-01-02"), model.FormatDays(sc.Horizon), sc.Period.Name, len(sc.Materials), len(sc.Nodes), len(sc.Consumers), len(sc.Routes), len(sc.Events))
	fmt.Fprintf(w, "  capacity share by region at the start (all materials, expected values):\n")
	for _, st := range sc.Stages {
		byRegion := map[string]float64{}
		var total float64
		for _, n := range sc.Nodes {
			if n.Stage != st {
				continue
			}
			for _, mat := range sc.Materials {
				if c, ok := n.Capacity[mat]; ok {
					byRegion[n.Region] += c.ExpectedValue()
					total += c.ExpectedValue()
				}
			}
		}
		regions := make([]string, 0, len(byRegion))
		for r := range byRegion {
			regions = append(regions, r)
		}
		sort.Slice(regions, func(i, j int) bool {
			if byRegion[regions[i]] != byRegion[regions[j]] {
				return byRegion[regions[i]] > byRegion[regions[j]]
			}
			return regions[i] < regions[j]
		})
		var parts []string
		for _, r := range regions {
			if total > 0 {
				parts = append(parts, fmt.Sprintf("%s %.1f%%", r, 100*byRegion[r]/total))
			}
		}
		fmt.Fprintf(w, "    %-8s %s\n", st, strings.Join(parts, ", "))
	}
}

func listCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the built-in scenarios",
		Action: func(_ context.Context, cmd *cli.Command) error {
			w := cmd.Root().Writer
			for _, name := range scenarios.Names() {
				sc, err := scenarios.Load(name)
				if err != nil {
					return fmt.Errorf("built-in scenario %s: %w", name, err)
				}
				fmt.Fprintf(w, "%-14s %s\n", name, sc.Description)
			}
			return nil
		},
	}
}

// sweepFile reads path and reports whether it holds a sweep rather than a
// scenario, with its contents when it does.
func sweepFile(path string) ([]byte, bool) {
	data, err := model.ReadFile(path, "sweep")
	return data, err == nil && model.LooksLikeSweep(data)
}

// validateSweep parses a sweep file read from path and checks it against
// its scenario, as reesim sweep would before running, and describes it.
func validateSweep(path string, data []byte) (string, error) {
	sw, err := model.ParseSweep(data, path)
	if err != nil {
		return "", err
	}
	load, err := sweepLoader(sw)
	if err != nil {
		return "", err
	}
	if err := sweep.Check(sw, load); err != nil {
		return "", err
	}
	return fmt.Sprintf("a %s sweep of %s over %d parameters", sw.Design, sw.Scenario, len(sw.Params)), nil
}
