package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/sim"
	"github.com/reesim/reesim/sweep"
	"github.com/urfave/cli/v3"
)

// parseShard reads --shard i/N (0 <= i < N), or auto: from a Slurm job
// array (SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN, of
// SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX, with --shards N).
func parseShard(s string, shards int, getenv func(string) string) (i, n int, err error) {
	hint := "as in --shard 0/4, or --shard auto inside a Slurm job array (or a Kubernetes Indexed Job with --shards N)"
	if s == "auto" {
		if id := getenv("SLURM_ARRAY_TASK_ID"); id != "" {
			i, err1 := strconv.Atoi(id)
			lo, err2 := strconv.Atoi(orDefault(getenv("SLURM_ARRAY_TASK_MIN"), "0"))
			n, err3 := strconv.Atoi(getenv("SLURM_ARRAY_TASK_COUNT"))
			if err1 != nil || err2 != nil || err3 != nil || n < 1 || i-lo < 0 || i-lo >= n {
				return 0, 0, usagef(hint, "--shard auto: SLURM_ARRAY_TASK_ID=%q, SLURM_ARRAY_TASK_MIN=%q, SLURM_ARRAY_TASK_COUNT=%q do not make a shard", id, getenv("SLURM_ARRAY_TASK_MIN"), getenv("SLURM_ARRAY_TASK_COUNT"))
			}
			return i - lo, n, nil
		}
		if id := getenv("JOB_COMPLETION_INDEX"); id != "" {
			i, err := strconv.Atoi(id)
			if err != nil || shards < 1 || i < 0 || i >= shards {
				return 0, 0, usagef(hint, "--shard auto: JOB_COMPLETION_INDEX=%q needs --shards N with 0 <= index < N", id)
			}
			return i, shards, nil
		}
		return 0, 0, usagef(hint, "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef(hint, "--shard %q: want i/N with 0 <= i < N", s)
	}
	return i, n, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// runShard runs one shard and writes DIR/part.json and DIR/scenario.yaml.
func runShard(ctx context.Context, cmd *cli.Command, sc *model.Scenario, opt sim.Options, dir string) error {
	i, n, err := parseShard(cmd.String("shard"), cmd.Int("shards"), os.Getenv)
	if err != nil {
		return err
	}
	if dir == "" {
		return usagef("as in: reesim run truce90 --shard 0/4 --out part-0", "--shard needs --out DIR for the partial result")
	}
	set, err := openOut(dir, output.KindPart, false)
	if err != nil {
		return err
	}
	defer set.Abort()
	var pt *sim.Part
	if err := simulate(cmd, sc.Name, set, opt, func(opt sim.Options) (err error) {
		pt, err = sim.RunPart(ctx, sc, opt, i, n)
		return err
	}); err != nil {
		return err
	}
	pt.Manifest.Version = version
	data, err := json.Marshal(pt)
	if err != nil {
		return err
	}
	if err := output.WriteBytes(filepath.Join(set.Dir(), "scenario.yaml"), sc.Source); err != nil {
		return err
	}
	if err := output.WriteBytes(filepath.Join(set.Dir(), "part.json"), data); err != nil {
		return err
	}
	if err := set.Commit(ctx); err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.Root().Writer, "shard %d/%d of %s: trials %d to %d of %d, seed %d; wrote %s\n",
		i, n, sc.Name, pt.Manifest.First, pt.Manifest.Last, pt.Manifest.Trials, pt.Manifest.Seed, filepath.Join(dir, "part.json"))
	return err
}

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "combine the partial results of a sharded run, exactly",
		ArgsUsage: "DIR...",
		Description: "Each DIR holds part.json and scenario.yaml written by 'reesim run --shard i/N --out DIR',\n" +
			"or the shard of a sweep written by 'reesim sweep --shard i/N --out DIR'.\n" +
			"All N shards of one run must be given, in any order; the merged summary equals the\n" +
			"unsharded run's. A missing, duplicate, mixed or corrupt part is refused and nothing is written.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the merged result files into `DIR` (required)"},
			&cli.BoolFlag{Name: "no-plots", Usage: "skip the charts"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			dirs := cmd.Args().Slice()
			if len(dirs) == 0 {
				return usagef("as in: reesim merge part-0 part-1 part-2 part-3 --out merged", "merge takes the shard directories")
			}
			out := cmd.String("out")
			if out == "" {
				return usagef("as in: reesim merge part-* --out merged", "merge needs --out DIR")
			}
			if sweep.IsShard(dirs[0]) {
				set, err := openOut(out, output.KindSweep, false)
				if err != nil {
					return err
				}
				defer set.Abort()
				res, err := sweep.Merge(dirs, set.Dir())
				if err != nil {
					return refused(err)
				}
				if !cmd.Bool("no-plots") {
					for _, c := range plots.SweepCharts(res, plots.Options{}) {
						if err := plots.WriteChart(set.Dir(), c, plots.Options{}); err != nil {
							return err
						}
					}
				}
				if err := set.Commit(ctx); err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.Root().Writer, "merged %d sweep shards (%d design points) into %s\n", len(dirs), len(res.Points), out)
				return err
			}
			var parts []*sim.Part
			var sc *model.Scenario
			for _, d := range dirs {
				data, err := readPart(d)
				if err != nil {
					return err
				}
				if sc == nil {
					sc, err = partScenario(d, data)
					if err != nil {
						return err
					}
				}
				pt, err := sim.ReadPart(data, sc)
				if err != nil {
					return refused(fmt.Errorf("%s: %w", d, err))
				}
				parts = append(parts, pt)
			}
			res, err := sim.Merge(parts)
			if err != nil {
				return refused(err)
			}
			set, err := openOut(out, output.KindRun, false)
			if err != nil {
				return err
			}
			defer set.Abort()
			if err := mergeRecords(dirs, parts, set.Dir()); err != nil {
				return refused(err)
			}
			if err := output.WriteDir(set.Dir(), res); err != nil {
				return err
			}
			if err := output.WriteBytes(filepath.Join(set.Dir(), "scenario.yaml"), sc.Source); err != nil {
				return err
			}
			if !cmd.Bool("no-plots") {
				if _, err := plots.Write(ctx, set.Dir(), res, plots.Options{}); err != nil {
					return err
				}
			}
			if err := set.Commit(ctx); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.Root().Writer, "merged %d shards of %s (%d trials, seed %d) into %s\n", len(parts), res.Scenario, res.Trials, res.Seed, out)
			return err
		},
	}
}

// mergeHint says what merge expects of its directories.
const mergeHint = "give every shard directory of one run (or sweep), each written by 'reesim run --shard i/N --out DIR' (or 'reesim sweep --shard')"

// refused is a merge refused for its input: it exits 2 with the hint.
func refused(err error) error {
	return &usageError{err: fmt.Errorf("merge: %w", err), hint: mergeHint}
}

// readPart reads DIR/part.json, saying plainly when DIR is no shard
// directory.
func readPart(dir string) ([]byte, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, usagef(mergeHint, "merge: %s is not a shard directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "part.json")); err == nil {
		// Its part and scenario are one set, whole and of one run.
		if err := output.CheckSet(dir, output.KindPart); err != nil {
			return nil, refused(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "part.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef(mergeHint, "merge: %s is not a shard directory: it has no part.json", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return data, nil
}

// partScenario loads the scenario of a shard directory with the part's
// overrides.
func partScenario(dir string, part []byte) (*model.Scenario, error) {
	var head struct {
		Manifest sim.Manifest `json:"manifest"`
	}
	if err := json.Unmarshal(part, &head); err != nil {
		return nil, refused(fmt.Errorf("%s/part.json is truncated or not a reesim part: %w", dir, err))
	}
	src := filepath.Join(dir, "scenario.yaml")
	data, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef(mergeHint, "merge: %s is not a shard directory: it has no scenario.yaml", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	sc, err := parseSaved(data, src, head.Manifest.Overrides)
	if err != nil {
		return nil, err
	}
	sc.Name = head.Manifest.Scenario
	return sc, nil
}

// mergeRecords concatenates the shards' trials.csv in shard order (the
// header once) when every shard has one: the unsharded run's records.
func mergeRecords(dirs []string, parts []*sim.Part, dir string) error {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return parts[a].Manifest.Shard - parts[b].Manifest.Shard })
	have := 0
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "trials.csv")); err == nil {
			have++
		}
	}
	switch have {
	case 0:
		return nil
	case len(dirs):
	default:
		return fmt.Errorf("%d of %d shards have per-trial records (trials.csv); run every shard with --per-trial, or none", have, len(dirs))
	}
	return output.WriteFile(filepath.Join(dir, "trials.csv"), func(w io.Writer) error {
		var head []byte
		for _, i := range order {
			f, err := os.Open(filepath.Join(dirs[i], "trials.csv"))
			if err != nil {
				return err
			}
			r := bufio.NewReader(f)
			h, err := r.ReadBytes('\n')
			if err != nil {
				f.Close()
				return fmt.Errorf("%s/trials.csv has no header: %v", dirs[i], err)
			}
			if head == nil {
				head = h
				if _, err := w.Write(h); err != nil {
					f.Close()
					return err
				}
			} else if !bytes.Equal(h, head) {
				f.Close()
				return fmt.Errorf("%s/trials.csv has other columns than %s/trials.csv", dirs[i], dirs[order[0]])
			}
			_, err = io.Copy(w, r)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
}
