package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary run as the reesim command, so a test can
// start it as a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("REESIM_TEST_AS_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestSweepSurvivesKill kills a running sweep with SIGKILL once some points
// are on disk, reruns the same command, and compares its files with an
// uninterrupted sweep's.
func TestSweepSurvivesKill(t *testing.T) {
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
