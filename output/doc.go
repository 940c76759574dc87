// Package output writes simulation results for people and programs: the
// summary table for the terminal, JSON (docs/model.md section 5) and CSV files.
//
// Files are written atomically: to a temporary file in the same directory,
// synced, then renamed over the target, so a reader never sees a
// half-written file and an interrupted run leaves none behind.
package output
