package main

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reesim/reesim/output"
)

// TestMain lets the test binary run as the reesim command, so a test can
// start it as a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("REESIM_TEST_AS_MAIN") == "1" {
		main() // as the installed command: its signal handling included
	}
	os.Exit(m.Run())
}

// TestSweepSurvivesKill kills a running sweep with SIGKILL once some points
// are on disk, reruns the same command, and compares its files with an
// uninterrupted sweep's.
func TestSweepSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts reesim processes")
	}
	dir := t.TempDir()
	sweepFile := filepath.Join(dir, "s.yaml")
	os.WriteFile(sweepFile, []byte(`scenario: truce90
trials: 32
seed: 3
design: lhs
samples: 12
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
  - {path: events.april-controls-hre.allowed, min: 0.05, max: 0.6}
outputs:
  - {material: dy}
`), 0o644)
	out := filepath.Join(dir, "out")
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "sweep", sweepFile, "--out", out, "--quiet", "--workers", "1")
		cmd.Env = append(os.Environ(), "REESIM_TEST_AS_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rows := func() int {
		b, _ := os.ReadFile(filepath.Join(out, "points.csv"))
		return strings.Count(string(b), "\n") - 2
	}
	cmd := start()
	deadline := time.Now().Add(60 * time.Second)
	for rows() < 3 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the sweep wrote no points within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	killedAt := rows()
	if killedAt >= 12 {
		t.Skip("the sweep finished before it could be killed")
	}
	if err := start().Wait(); err != nil {
		t.Fatalf("resumed sweep: %v", err)
	}
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := runCLI(t, context.Background(), "sweep", sweepFile, "--out", whole, "--quiet"); code != 0 {
		t.Fatalf("uninterrupted sweep: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"points.csv", "indices.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(whole, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s after a kill at %d points and a resume differs from an uninterrupted sweep", f, killedAt)
		}
	}
}

// TestSignalLeavesDirectory sends SIGINT or SIGTERM to runs at different
// moments (simulating, drawing charts, writing the report): each either
// finishes (exit 0, one complete result set) or exits 130 or 143, says how
// many trials were done if it was simulating, and leaves the output
// directory as it was before: a fresh one not created, a reused one with
// the earlier set intact and no new or temporary file.
func TestSignalLeavesDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts reesim processes")
	}
	reused := filepath.Join(t.TempDir(), "reused")
	if code, _, stderr := runCLI(t, context.Background(), "run", "baseline", "-n", "64", "-q", "--no-plots", "--out", reused); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before := dirState(t, reused)
	for i, tt := range []struct {
		sig   syscall.Signal
		after time.Duration
		args  []string
	}{
		{syscall.SIGINT, 300 * time.Millisecond, []string{"run", "truce90", "-n", "1000000", "-q"}},
		{syscall.SIGTERM, 300 * time.Millisecond, []string{"run", "truce90", "-n", "1000000", "-q", "--set", "horizon=100y"}},
		{syscall.SIGINT, 1500 * time.Millisecond, []string{"run", "baseline", "-n", "64", "-q", "--plot-size", "4000x3000", "--report"}},
		{syscall.SIGTERM, 2500 * time.Millisecond, []string{"run", "baseline", "-n", "64", "-q", "--plot-size", "4000x3000", "--report"}},
	} {
		for _, dir := range []string{filepath.Join(t.TempDir(), "fresh"), reused} {
			cmd := exec.Command(os.Args[0], append(tt.args, "--out", dir)...)
			cmd.Env = append(os.Environ(), "REESIM_TEST_AS_MAIN=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tt.after)
			cmd.Process.Signal(tt.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("case %d: %v did not stop within two minutes of %v", i, tt.args, tt.sig)
			}
			code := cmd.ProcessState.ExitCode()
			t.Logf("case %d into %s: exit %d", i, filepath.Base(dir), code)
			if code == 0 {
				if err := output.CheckSet(dir, output.KindRun); err != nil {
					t.Errorf("case %d: finished before %v, but: %v", i, tt.sig, err)
				}
				continue // too quick to interrupt: a complete set is fine
			}
			if want := 128 + int(tt.sig); code != want {
				t.Errorf("case %d: %v: exit %d; want %d; stderr %q", i, tt.sig, code, want, stderr.String())
			}
			if strings.Contains(tt.args[3], "1000000") && !strings.Contains(stderr.String(), "stopped after") {
				t.Errorf("case %d: stderr %q does not say how many trials were done", i, stderr.String())
			}
			if dir == reused {
				if after := dirState(t, dir); !maps.Equal(before, after) {
					t.Errorf("case %d: %v changed the reused directory: %v -> %v", i, tt.sig, slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
				}
			} else if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("case %d: %v left the directory it created: %v", i, tt.sig, slices.Sorted(maps.Keys(dirState(t, dir))))
			}
		}
	}
}

func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

// TestSecondWriterRefused: while one command writes DIR, run, sweep and
// merge into the same DIR are refused (exit 2) naming the holder, and the
// first command's result is unharmed.
func TestSecondWriterRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a reesim process")
	}
	ctx := context.Background()
	parts := []string{filepath.Join(t.TempDir(), "p0"), filepath.Join(t.TempDir(), "p1")}
	for i, p := range parts {
		if code, _, stderr := runCLI(t, ctx, "run", "baseline", "-n", "128", "-q", "--shard", strconv.Itoa(i)+"/2", "--out", p); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	first := exec.Command(os.Args[0], "run", "truce90", "-n", "1000000", "-q", "--out", dir)
	first.Env = append(os.Environ(), "REESIM_TEST_AS_MAIN=1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(dir, output.LockFile)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run took no lock within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, args := range [][]string{
		{"run", "baseline", "-n", "64", "-q", "--out", dir},
		{"sweep", "../../examples/sweep-truce90.yaml", "-q", "--out", dir},
		{"merge", parts[0], parts[1], "--out", dir},
	} {
		code, _, stderr := runCLI(t, ctx, args...)
		if code != 2 || !strings.Contains(stderr, "being written by another reesim (process "+strconv.Itoa(first.Process.Pid)+")") {
			t.Errorf("%s into a directory being written: exit %d, %q; want 2 naming the holder", args[0], code, stderr)
		}
	}
	first.Process.Signal(syscall.SIGINT)
	first.Wait()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused writers left %v", slices.Sorted(maps.Keys(dirState(t, dir))))
	}
}
