package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
