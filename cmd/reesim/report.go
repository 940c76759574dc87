package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/report"
	"github.com/urfave/cli/v3"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write a self-contained report.html from a result directory",
		ArgsUsage: "DIR",
		Description: "DIR is a directory written by 'reesim run --out DIR'. The report reads its\n" +
			"summary.json, and scenario.yaml for the description and events.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "attribution", Usage: "add what drives the shortfall and what it costs, from the `DIR` of 'reesim attribute --out DIR'"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("as in: reesim report out/", "report takes one DIR, got %d arguments", cmd.Args().Len())
			}
			dir := cmd.Args().First()
			res, err := readResult(dir)
			if err != nil {
				return err
			}
			in := report.Input{Result: res}
			src := filepath.Join(dir, "scenario.yaml")
			data, err := os.ReadFile(src)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				fmt.Fprintf(cmd.Root().ErrWriter, "reesim: no %s; the report will not list the events\n", src)
			case err != nil:
				return err
			default:
				sc, err := parseSaved(data, src, res.Overrides)
				if err != nil {
					return err
				}
				if sc.SHA256 != res.ScenarioSHA256 {
					return fmt.Errorf("%s is not the scenario of %s (SHA-256 differs)", src, filepath.Join(dir, "summary.json"))
				}
				in.Scenario = sc
			}
			if data, err := os.ReadFile(filepath.Join(dir, "discover.json")); err == nil {
				var d report.Discovery
				if err := json.Unmarshal(data, &d); err != nil {
					return usagef("run reesim discover "+dir+" again", "%s/discover.json is damaged: %v", dir, err)
				}
				in.Discovery = &d
			}
			if adir := cmd.String("attribution"); adir != "" {
				if in.Attribution, err = readAttribution(adir); err != nil {
					return err
				}
			}
			set, err := openOut(dir, output.KindRun, true)
			if err != nil {
				return err
			}
			defer set.Abort()
			if err := report.WriteFile(set.Dir(), in); err != nil {
				return err
			}
			if err := set.Commit(ctx); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.Root().Writer, "wrote %s\n", filepath.Join(dir, "report.html"))
			return err
		},
	}
}

// readAttribution reads the attribution.csv of an attribute directory.
func readAttribution(dir string) ([]report.AttributionRow, error) {
	if err := checkResultDir(dir, output.KindAttribution, "attribution.csv"); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "attribution.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 1 {
		return nil, usagef("write it with: reesim attribute SCENARIO --out "+dir, "%s/attribution.csv is not an attribution: %v", dir, err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, c := range []string{"material", "event", "type", "accounts_for_t", "se_t", "share", "cost_usd", "usd_per_t_avoided", "usd_per_t_low", "usd_per_t_high"} {
		if _, ok := col[c]; !ok {
			return nil, usagef("write it again with: reesim attribute SCENARIO --out "+dir, "%s/attribution.csv has no %s column", dir, c)
		}
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	var rows []report.AttributionRow
	for _, r := range recs[1:] {
		rows = append(rows, report.AttributionRow{Material: r[col["material"]], ID: r[col["event"]], Type: r[col["type"]],
			AccountsFor: num(r[col["accounts_for_t"]]), SE: num(r[col["se_t"]]), Share: num(r[col["share"]]),
			CostUSD: num(r[col["cost_usd"]]), USDPerT: num(r[col["usd_per_t_avoided"]]), USDLo: num(r[col["usd_per_t_low"]]), USDHi: num(r[col["usd_per_t_high"]])})
	}
	return rows, nil
}
