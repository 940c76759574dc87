package main

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sim"
	"github.com/urfave/cli/v3"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print the summary of a result directory, as run prints it",
		ArgsUsage: "DIR",
		Description: "DIR is a directory written by 'reesim run --out DIR' or 'reesim merge --out DIR';\n" +
			"its summary.json is printed as a table, JSON or CSV, without simulating again.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output format: table, json or csv"},
		},
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("as in: reesim show merged/", "show takes one DIR, got %d arguments", cmd.Args().Len())
			}
			format := cmd.String("format")
			if err := checkFormat(format); err != nil {
				return err
			}
			res, err := readResult(cmd.Args().First())
			if err != nil {
				return err
			}
			start, _ := time.Parse("2006-01-02", res.Start)
			return printResult(cmd.Root().Writer, res, format, output.Info{Start: start})
		},
	}
}

// readResult reads the summary.json of a result directory for show, plot
// and report; a shard directory gets a hint to merge it first.
func readResult(dir string) (*sim.Result, error) {
	if err := checkResultDir(dir, output.KindRun, "summary.json", "scenario.yaml"); err != nil {
		return nil, err
	}
	res, err := output.ReadJSON(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, usagef("write one with: reesim run SCENARIO --out "+dir, "%v", err)
	}
	return res, nil
}

// checkFormat refuses a --format other than table, json or csv.
func checkFormat(format string) error {
	if format != "table" && format != "json" && format != "csv" {
		return usagef("use --format table, json or csv", "unknown format %q", format)
	}
	return nil
}

// printResult writes a result to standard output in a --format, as run
// and show print it.
func printResult(w io.Writer, res *sim.Result, format string, info output.Info) error {
	switch format {
	case "json":
		return output.JSON(w, res)
	case "csv":
		return output.SummaryCSV(w, res)
	}
	return output.Table(w, res, info)
}
