package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reesim/reesim/output"
)

// openOut locks --out DIR and starts a new result set of the given kind
// there, before any work, so that a second command writing the same DIR
// is refused at once and an interrupted command leaves DIR as it was. With
// update the set adds to the complete set already in DIR (plot, report).
func openOut(dir string, kind output.Kind, update bool) (*output.Set, error) {
	set, err := output.OpenSet(dir, kind, version, update)
	if err == nil {
		return set, nil
	}
	var locked *output.LockedError
	if errors.As(err, &locked) {
		return nil, usagef("two commands must not write one directory at once", "%v", err)
	}
	return nil, usagef("give each result its own --out directory", "%v", err)
}

// checkResultDir refuses to read a result directory that is not one
// complete set of the kind, or whose named files are not the set's: a
// shard gets a hint to merge it first.
func checkResultDir(dir string, kind output.Kind, names ...string) error {
	if kind == output.KindRun {
		for _, f := range []string{"part.json", "shard.json"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return usagef("merge the shards first: reesim merge SHARD-DIR... --out merged, then use merged", "%s is a shard of a run or sweep, not a result", dir)
			}
		}
	}
	if err := output.CheckSet(dir, kind, names...); err != nil {
		return usagef(fmt.Sprintf("write one with: reesim run SCENARIO --out %s", dir), "%v", err)
	}
	return nil
}
