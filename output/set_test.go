package output

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// listing is every name in dir (hidden ones too) with its content.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

func writeSet(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	s, err := OpenSet(dir, KindRun, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := WriteBytes(filepath.Join(s.Dir(), name), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSetReplacesWhole: a reused directory holds only the new set (a
// stale chart of the earlier run is removed), files of others are left
// alone, and the manifest checks.
func TestSetReplacesWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeSet(t, dir, map[string]string{"summary.json": "1", "fan-dy.png": "chart"})
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	writeSet(t, dir, map[string]string{"summary.json": "2"})
	got := listing(t, dir)
	if _, stale := got["fan-dy.png"]; stale || got["summary.json"] != "2" || got["notes.txt"] != "mine" {
		t.Errorf("after a second run the directory holds %v", slices.Sorted(maps.Keys(got)))
	}
	if err := CheckSet(dir, KindRun); err != nil {
		t.Error(err)
	}
	// A file changed after the set was written, or a missing manifest (a
	// kill mid-commit), is refused.
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte("3"), 0o644)
	if err := CheckSet(dir, KindRun); err == nil || !strings.Contains(err.Error(), "damaged or mixed") {
		t.Errorf("an edited file: %v", err)
	}
	os.Remove(filepath.Join(dir, ManifestFile))
	if err := CheckSet(dir, KindRun); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("no manifest: %v", err)
	}
}

// TestSetAbortLeavesDirectory: until Commit the directory is as it was; an
// aborted set or a cancelled commit leaves no new or temporary file, and a
// directory the set created is removed.
func TestSetAbortLeavesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeSet(t, dir, map[string]string{"summary.json": "1", "fan-dy.png": "chart"})
	before := listing(t, dir)
	s, err := OpenSet(dir, KindRun, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	WriteBytes(filepath.Join(s.Dir(), "summary.json"), []byte("2"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Commit(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("commit after cancellation: %v", err)
	}
	if after := listing(t, dir); !maps.Equal(before, after) {
		t.Errorf("a cancelled set changed the directory: %v -> %v", before, after)
	}
	fresh := filepath.Join(t.TempDir(), "new")
	s, err = OpenSet(fresh, KindRun, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	WriteBytes(filepath.Join(s.Dir(), "summary.json"), []byte("2"))
	s.Abort()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("an aborted set left the directory it created: %v", err)
	}
}

// TestLock: a second writer is refused while the first holds the lock,
// naming its process; a lock left by a process that has gone is taken.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	var locked *LockedError
	if _, err := OpenSet(dir, KindRun, "test", false); !errors.As(err, &locked) || locked.PID != os.Getpid() {
		t.Errorf("a second writer: %v; want a LockedError naming process %d", err, os.Getpid())
	}
	unlock()
	// A process that has exited leaves its pid behind.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1) to make a dead process")
	}
	os.WriteFile(filepath.Join(dir, LockFile), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	unlock, err = Lock(dir)
	if err != nil {
		t.Fatalf("a stale lock: %v", err)
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
		t.Error("unlock left the lock file")
	}
}

// TestSetRefusesOtherKinds: one directory holds one kind of result.
func TestSetRefusesOtherKinds(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "points.csv"), []byte("index\n"), 0o644)
	if _, err := OpenSet(dir, KindRun, "test", false); err == nil || !strings.Contains(err.Error(), "sweep result") {
		t.Errorf("a run into a sweep's directory: %v", err)
	}
	run := t.TempDir()
	writeSet(t, run, map[string]string{"summary.json": "1"})
	if _, err := LockKind(run, KindSweep); err == nil || !strings.Contains(err.Error(), "run result") {
		t.Errorf("a sweep into a run's directory: %v", err)
	}
}
