package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/report"
	"github.com/reesim/reesim/sim"
	"github.com/reesim/reesim/sweep"
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
			&cli.StringFlag{Name: "sweep", Usage: "add a sweep's indices and charts, from the `DIR` of 'reesim sweep --out DIR'"},
			&cli.StringFlag{Name: "comparison", Usage: "add a comparison's largest differences and charts, from the `DIR` of 'reesim compare --out DIR'"},
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
				if in.AttributionFigures, err = readFigures(adir, "attribution-"); err != nil {
					return err
				}
			}
			if sdir := cmd.String("sweep"); sdir != "" {
				sec, err := readSweepSection(sdir)
				if err != nil {
					return err
				}
				in.Sections = append(in.Sections, sec)
			}
			if cdir := cmd.String("comparison"); cdir != "" {
				sec, err := readComparisonSection(cdir)
				if err != nil {
					return err
				}
				in.Sections = append(in.Sections, sec)
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
	recs, col, err := readCSV(dir, "attribution.csv", "an attribution", "write it again with: reesim attribute SCENARIO --out "+dir,
		"material", "event", "type", "accounts_for_t", "se_t", "share", "cost_usd", "usd_per_t_avoided", "usd_per_t_low", "usd_per_t_high")
	if err != nil {
		return nil, err
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	var rows []report.AttributionRow
	for _, r := range recs {
		rows = append(rows, report.AttributionRow{Material: r[col["material"]], ID: r[col["event"]], Type: r[col["type"]],
			AccountsFor: num(r[col["accounts_for_t"]]), SE: num(r[col["se_t"]]), Share: num(r[col["share"]]),
			CostUSD: num(r[col["cost_usd"]]), USDPerT: num(r[col["usd_per_t_avoided"]]), USDLo: num(r[col["usd_per_t_low"]]), USDHi: num(r[col["usd_per_t_high"]])})
	}
	return rows, nil
}

// readFigures reads the SVG charts of a result directory whose names
// start with prefix, in name order, captioned by plots.Caption.
func readFigures(dir, prefix string) ([]report.Figure, error) {
	names, err := filepath.Glob(filepath.Join(dir, prefix+"*.svg"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []report.Figure
	for _, path := range names {
		data, err := model.ReadFile(path, "chart")
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".svg")
		out = append(out, report.Figure{Name: name, Caption: plots.Caption(name), SVG: data})
	}
	return out, nil
}

// readCSV reads a result directory's CSV file whole, with its columns by
// name, refusing one that is not a CSV of what it should hold (as in "an
// attribution") or lacks a column in want; hint says how to write it.
func readCSV(dir, name, what, hint string, want ...string) ([][]string, map[string]int, error) {
	path := filepath.Join(dir, name)
	data, err := model.ReadFile(path, "result")
	if err != nil {
		return nil, nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) < 1 {
		return nil, nil, usagef(hint, "%s is not %s: %v", path, what, err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, c := range want {
		if _, ok := col[c]; !ok {
			return nil, nil, usagef(hint, "%s has no %s column", path, c)
		}
	}
	return recs[1:], col, nil
}

// sig3 writes a number from a CSV field to three significant figures.
func sig3(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// readSweepSection makes a report section of a sweep directory: its
// indices with their intervals and its charts. A sweep still being
// resumed has points.json but no indices.csv yet.
func readSweepSection(dir string) (report.Section, error) {
	if _, err := os.Stat(filepath.Join(dir, output.ManifestFile)); err == nil {
		if err := checkResultDir(dir, output.KindSweep, "indices.csv"); err != nil {
			return report.Section{}, err
		}
	}
	var meta sweep.PointsMeta
	data, err := model.ReadFile(filepath.Join(dir, "points.json"), "sweep")
	if err == nil {
		err = json.Unmarshal(data, &meta)
	}
	if err != nil {
		return report.Section{}, usagef("give the --out DIR of 'reesim sweep'", "%s is not a finished sweep: %v", dir, err)
	}
	rows, col, err := readCSV(dir, "indices.csv", "a sweep's indices", "run the sweep again: reesim sweep SWEEP.yaml --out "+dir, "output", "param", "index", "estimate", "ci_low", "ci_high")
	if err != nil {
		return report.Section{}, err
	}
	sec := report.Section{
		ID: "sweep", Title: "Sweep: which lever moves the outputs",
		Intro:  fmt.Sprintf("From %s, %d design points (%s). Each index with its 95 %% interval; the charts say how to read each kind.", dir, meta.Rows, meta.Provenance),
		Header: []string{"output", "parameter", "index", "estimate", "95 % interval"},
	}
	for _, r := range rows {
		iv := "-"
		if r[col["ci_low"]] != "" && r[col["ci_high"]] != "" {
			iv = sig3(r[col["ci_low"]]) + " to " + sig3(r[col["ci_high"]])
		}
		sec.Rows = append(sec.Rows, []string{r[col["output"]], strings.TrimPrefix(r[col["param"]], "events."), r[col["index"]], sig3(r[col["estimate"]]), iv})
	}
	for _, prefix := range []string{"tornado-", "spider-", "sobol-", "srrc-", "morris-", "heatmap-"} {
		fs, err := readFigures(dir, prefix)
		if err != nil {
			return report.Section{}, err
		}
		sec.Figures = append(sec.Figures, fs...)
	}
	return sec, nil
}

// readComparisonSection makes a report section of a comparison
// directory: the shortfall differences beyond two standard errors, as
// ranked in differences.csv (at most 20), and its charts.
func readComparisonSection(dir string) (report.Section, error) {
	if err := checkResultDir(dir, output.KindComparison, "differences.csv", "comparison.json"); err != nil {
		return report.Section{}, err
	}
	var c struct {
		A string `json:"a"`
		B string `json:"b"`
	}
	data, err := model.ReadFile(filepath.Join(dir, "comparison.json"), "comparison")
	if err == nil {
		err = json.Unmarshal(data, &c)
	}
	if err != nil {
		return report.Section{}, usagef("write it again with reesim compare A B --out "+dir, "%s/comparison.json is damaged: %v", dir, err)
	}
	rows, col, err := readCSV(dir, "differences.csv", "a comparison's differences", "write it again with: reesim compare A B --out "+dir, "scope", "id", "material", "metric", "unit", "mean_a", "mean_b", "diff", "se_diff")
	if err != nil {
		return report.Section{}, err
	}
	sec := report.Section{
		ID: "comparison", Title: "Comparison: what B changes",
		Intro:  fmt.Sprintf("From %s: A is %s, B is %s, run with the same random numbers. The shortfall changes larger than two standard errors of the paired difference, largest first (at most 20).", dir, c.A, c.B),
		Header: []string{"consumers", "material", "A mean", "B mean", "B - A", "±"},
	}
	for _, r := range rows {
		if r[col["metric"]] != sim.MetricShortfall || len(sec.Rows) == 20 {
			continue
		}
		d, _ := strconv.ParseFloat(r[col["diff"]], 64)
		se, _ := strconv.ParseFloat(r[col["se_diff"]], 64)
		if !(math.Abs(d) > 2*se) {
			continue
		}
		num := func(k string) string {
			v, err := strconv.ParseFloat(r[col[k]], 64)
			if err != nil {
				return "-"
			}
			return output.Tonnes(v) + " t"
		}
		sec.Rows = append(sec.Rows, []string{output.ScopeWords(r[col["scope"]], r[col["id"]]), r[col["material"]], num("mean_a"), num("mean_b"), num("diff"), num("se_diff")})
	}
	fs, err := readFigures(dir, "compare-")
	if err != nil {
		return report.Section{}, err
	}
	sec.Figures = fs
	return sec, nil
}
