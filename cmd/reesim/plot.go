package main

import (
	"context"
	"fmt"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/urfave/cli/v3"
)

func plotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "redraw the charts of a result directory without simulating again",
		ArgsUsage: "DIR",
		Description: "DIR is a directory written by 'reesim run --out DIR'; its summary.json is read\n" +
			"and every chart is written beside it as PNG and SVG.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "plot-size", Value: "1600x900", Usage: "chart size in pixels, `WxH`"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("as in: reesim plot out/", "plot takes one DIR, got %d arguments", cmd.Args().Len())
			}
			size, err := plots.ParseSize(cmd.String("plot-size"))
			if err != nil {
				return usagef("as in --plot-size 1920x1080", "%v", err)
			}
			dir := cmd.Args().First()
			res, err := readResult(dir)
			if err != nil {
				return err
			}
			set, err := openOut(dir, output.KindRun, true)
			if err != nil {
				return err
			}
			defer set.Abort()
			names, err := plots.Write(ctx, set.Dir(), res, size)
			if err != nil {
				return err
			}
			if err := set.Commit(ctx); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.Root().Writer, "wrote %d chart files to %s\n", len(names), dir)
			return err
		},
	}
}
