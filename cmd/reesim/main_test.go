package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sweep"
)

var update = flag.Bool("update", false, "rewrite golden files")

// quick shortens a command's truce90 runs under -short: one year of the
// horizon instead of five (every event still starts inside it), so the race
// suite exercises the same command paths at a fifth of the cost; go test
// without -short runs them at full length.
func quick(args ...string) []string {
	if testing.Short() {
		return append(args, "--set", "horizon=1y")
	}
	return args
}

// trials is a trial count for a command, full or under -short.
func trials(full, short int) string {
	if testing.Short() {
		return strconv.Itoa(short)
	}
	return strconv.Itoa(full)
}

func runCLI(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, append([]string{"reesim"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/reesim -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"version", []string{"version"}, 0},
		{"version-flag", []string{"--version"}, 0},
		{"root-bad-flag", []string{"--verison"}, 2},
		{"list", []string{"list"}, 0},
		{"validate-builtins", []string{"validate", "baseline", "truce90.yaml", "escalation", "full-embargo"}, 0},
		{"validate-verbose", []string{"validate", "--verbose", "baseline"}, 0},
		{"validate-bad", []string{"validate", "../../testdata/bad/many-errors.yaml", "../../testdata/bad/share-missing.yaml"}, 2},
		{"validate-sweep", []string{"validate", "../../examples/sweep-truce90.yaml"}, 0},
		{"validate-bad-sweep", []string{"validate", "testdata/bad-sweep.yaml"}, 2},
		{"validate-none", []string{"validate"}, 2},
		{"run-unknown-scenario", []string{"run", "truce91"}, 2},
		{"run-bad-flag", []string{"run", "truce90", "--trails", "5"}, 2},
		{"run-bad-format", []string{"run", "truce90", "--format", "xml"}, 2},
		{"run-bad-set", []string{"run", "truce90", "--set", "events.truce.renewal.probability=1.4"}, 2},
		{"run-set-syntax", []string{"run", "truce90", "--set", "no-equals"}, 2},
		{"run-two-scenarios", []string{"run", "truce90", "baseline"}, 2},
		{"unknown-command", []string{"rn", "truce90"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, ctx, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d; want %d\nstderr: %s", code, tt.code, stderr)
			}
			golden(t, tt.name+".stdout", stdout)
			golden(t, tt.name+".stderr", stderr)
		})
	}
}

func TestRunJSONIsReproducible(t *testing.T) {
	ctx := context.Background()
	args := quick("run", "truce90", "--trials", "300", "--seed", "5", "--format", "json")
	code, a, stderr := runCLI(t, ctx, append(args, "--workers", "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, b, _ := runCLI(t, ctx, append(args, "--workers", "2")...)
	if a != b {
		t.Fatal("JSON differs between 1 and 2 workers")
	}
	var doc struct {
		Scenario string
		Seed     uint64
		Trials   int
		Metrics  []map[string]any
	}
	if err := json.Unmarshal([]byte(a), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scenario != "truce90" || doc.Seed != 5 || doc.Trials != 300 || len(doc.Metrics) == 0 {
		t.Fatalf("summary = %+v", doc)
	}
	m := doc.Metrics[0]
	for _, k := range []string{"scope", "id", "material", "metric", "mean", "sd", "se", "p5", "p50", "p90", "p95", "p99", "cvar95", "min", "max"} {
		if _, ok := m[k]; !ok {
			t.Errorf("metric lacks %q: %v", k, m)
		}
	}
}

func TestRunWritesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, context.Background(), "run", "baseline", "-n", "64", "--out", dir, "--no-plots")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "mine     CN 68.8%") || !strings.Contains(stdout, "magnet   CN 91.8%") {
		t.Errorf("baseline summary lacks the stage shares:\n%s", stdout)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "flows.csv,manifest.json,scenario.yaml,series.csv,summary.csv,summary.json,utilisation.csv" {
		t.Errorf("wrote %v; want exactly %v and no temporary files", names, output.Files)
	}
}

func TestInterruptedRunWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, ctx, "run", "truce90", "-n", "100000", "--out", dir)
	if code != 1 || !strings.Contains(stderr, "stopped after") || !strings.Contains(stderr, "no result files were written") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("interrupted run created %s", dir)
	}
}

func TestRunWritesChartsAndPlotRedraws(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, context.Background(), quick("run", "truce90", "-n", "64", "--out", dir, "--plot-size", "320x180")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"fan-dy.png", "fan-dy.svg", "exceedance-ndpr-log.png", "histogram-tb.svg", "survival-sm.png", "utilisation-dy.png", "flows-ndpr.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run --out did not write %s: %v", f, err)
		}
	}
	os.Remove(filepath.Join(dir, "fan-dy.png"))
	code, stdout, stderr := runCLI(t, context.Background(), "plot", dir, "--plot-size", "320x180")
	if code != 0 || !strings.Contains(stdout, "wrote 56 chart files") {
		t.Fatalf("plot: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "fan-dy.png")); err != nil {
		t.Errorf("plot did not redraw fan-dy.png: %v", err)
	}
	code, _, stderr = runCLI(t, context.Background(), "plot", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "summary.json") {
		t.Errorf("plot of an empty directory: exit %d, %q", code, stderr)
	}
	code, _, _ = runCLI(t, context.Background(), "run", "truce90", "--plot-size", "big")
	if code != 2 {
		t.Errorf("bad --plot-size: exit %d; want 2", code)
	}
}

func TestReportCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, context.Background(), "run", "truce90", "-n", "64", "--out", dir, "--report", "--no-plots", "--set", "events.truce.renewal.max=2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !strings.Contains(string(html), "events.truce.renewal.max=2") || !strings.Contains(string(html), "april-controls-hre") {
		t.Fatalf("report.html lacks the overrides or events: %v", err)
	}
	os.Remove(filepath.Join(dir, "report.html"))
	code, stdout, stderr := runCLI(t, context.Background(), "report", dir)
	if code != 0 || !strings.Contains(stdout, "report.html") {
		t.Fatalf("report: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Error(err)
	}
	code, _, stderr = runCLI(t, context.Background(), "run", "truce90", "--report")
	if code != 2 || !strings.Contains(stderr, "--report needs --out") {
		t.Errorf("--report without --out: exit %d, %q", code, stderr)
	}
}

// oatSweep writes a one-lever oat sweep of truce90's dysprosium into dir
// and returns its path.
func oatSweep(t *testing.T, dir string, trials int) string {
	t.Helper()
	path := filepath.Join(dir, "s.yaml")
	src := fmt.Sprintf(`scenario: truce90
trials: %d
design: oat
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
outputs:
  - {material: dy}
`, trials)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSweepCommand(t *testing.T) {
	dir := t.TempDir()
	sweepFile := oatSweep(t, dir, 32)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, context.Background(), "sweep", sweepFile, "--out", out)
	if code != 0 || !strings.Contains(stdout, "3 design points") {
		t.Fatalf("sweep: exit %d, %q %q", code, stdout, stderr)
	}
	for _, f := range []string{"points.csv", "indices.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	os.WriteFile(sweepFile, []byte(`scenario: truce90
trials: 16
design: oat
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
`), 0o644)
	code, _, stderr = runCLI(t, context.Background(), "sweep", sweepFile, "--out", out)
	if code != 2 || !strings.Contains(stderr, "--restart") {
		t.Errorf("changed sweep: exit %d, %q; want a refusal with a hint", code, stderr)
	}
	code, _, stderr = runCLI(t, context.Background(), "sweep", filepath.Join(dir, "missing.yaml"))
	if code == 0 {
		t.Errorf("missing sweep file: exit 0")
	}
}

func TestRunPrecision(t *testing.T) {
	code, stdout, stderr := runCLI(t, context.Background(), "run", "baseline", "--precision", "abs:0.5", "--trials", "3000")
	if code != 0 || !strings.Contains(stdout, "stopped: precision reached after 1024 trials") {
		t.Errorf("exit %d; stdout %q; stderr %q", code, stdout, stderr)
	}
	for _, bad := range []string{"0", "1.5", "abs:", "abs:-1", "x"} {
		if code, _, _ := runCLI(t, context.Background(), "run", "baseline", "--precision", bad); code != 2 {
			t.Errorf("--precision %s: exit %d; want 2", bad, code)
		}
	}
	// The default target is the total shortfall of each material, which a
	// short truce90 run meets; naming every consumer's shortfall brings in
	// tiny cells that hold the run back to its cap, and the reason says
	// which.
	// Under -short the cap is lower: the default target is still met at
	// 1,024 trials, and the consumers' target still is not by the cap.
	capped := trials(2048, 1088)
	args := []string{"run", "truce90", "--precision", "0.05", "--trials", capped, "-q", "--set", "horizon=2y"}
	if code, stdout, stderr := runCLI(t, context.Background(), args...); code != 0 || !strings.Contains(stdout, "precision reached after 1024 trials: SE <= 5 % of the mean of total/all/*/shortfall") {
		t.Errorf("default --precision-on: exit %d; stdout %q; stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, context.Background(), append(args, "--precision-on", "consumer/*/*/shortfall")...)
	if code != 0 || !strings.Contains(stdout, "trial cap of "+capped+" reached") || !strings.Contains(stdout, "holding the run back: consumer/") {
		t.Errorf("--precision-on consumer/*/*/shortfall: exit %d; stdout %q; stderr %q", code, stdout, stderr)
	}
	for _, bad := range []string{"total/all/dy", "world/all/dy/shortfall", "consumer/nope/dy/shortfall", "total/all/xx/shortfall", "total/all/dy/shortfal"} {
		if code, _, stderr := runCLI(t, context.Background(), append(args, "--precision-on", bad)...); code != 2 {
			t.Errorf("--precision-on %s: exit %d (%s); want 2", bad, code, stderr)
		}
	}
	if code, _, _ := runCLI(t, context.Background(), "run", "truce90", "--precision-on", "total/all/*/shortfall"); code != 2 {
		t.Errorf("--precision-on without --precision: exit %d; want 2", code)
	}
}

func TestAttributeCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "attr")
	code, stdout, stderr := runCLI(t, context.Background(), quick("attribute", "truce90", "-n", trials(64, 16), "--out", dir)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"april-controls-hre", "truce", "share of expected shortfall"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("attribute output lacks %q", want)
		}
	}
	for _, f := range []string{"attribution.csv", "attribution-dy.png", "attribution-dy.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if code, _, _ := runCLI(t, context.Background(), "attribute", "testdata/idle-capacity.yaml"); code != 2 {
		t.Errorf("attribute of a scenario without events or stockpiles: exit %d; want 2", code)
	}
}

func TestShardAndMerge(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var parts []string
	for _, i := range []int{3, 1, 0, 2} {
		d := filepath.Join(dir, fmt.Sprintf("part-%d", i))
		parts = append(parts, d)
		if code, _, stderr := runCLI(t, ctx, quick("run", "truce90", "-n", "300", "--seed", "4", "--shard", fmt.Sprintf("%d/4", i), "--out", d)...); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := runCLI(t, ctx, append(append([]string{"merge"}, parts...), "--out", merged, "--no-plots")...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := runCLI(t, ctx, quick("run", "truce90", "-n", "300", "--seed", "4", "--out", whole, "--no-plots")...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(merged, "summary.json"))
	b, _ := os.ReadFile(filepath.Join(whole, "summary.json"))
	if len(a) == 0 || string(a) != string(b) {
		t.Fatal("merged summary.json differs from the unsharded run's")
	}
	// A missing shard is refused, and nothing is written.
	bad := filepath.Join(dir, "bad")
	code, _, stderr := runCLI(t, ctx, "merge", parts[0], parts[1], parts[2], "--out", bad)
	if code != 2 || !strings.Contains(stderr, "missing shard") {
		t.Errorf("merge of 3 of 4 shards: exit %d, %q; want 2 and the missing shard named", code, stderr)
	}
	file := filepath.Join(parts[0], "part.json")
	code, _, stderr = runCLI(t, ctx, "merge", file, parts[1], "--out", bad)
	if want := file + " is not a shard directory"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("merge of a file: exit %d, %q; want 2 and %q", code, stderr, want)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a refused merge wrote its output directory")
	}
	if code, _, _ := runCLI(t, ctx, "run", "truce90", "--shard", "4/4", "--out", bad); code != 2 {
		t.Errorf("--shard 4/4: exit %d; want 2", code)
	}
}

func TestParseShardAuto(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tt := range []struct {
		env    map[string]string
		shards int
		i, n   int
		ok     bool
	}{
		{map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, 2, 4, true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, 1, 4, true},
		{map[string]string{"JOB_COMPLETION_INDEX": "3"}, 8, 3, 8, true},
		{map[string]string{"JOB_COMPLETION_INDEX": "3"}, 0, 0, 0, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, 0, 0, false},
		{map[string]string{}, 0, 0, 0, false},
	} {
		i, n, err := parseShard("auto", tt.shards, env(tt.env))
		if (err == nil) != tt.ok || tt.ok && (i != tt.i || n != tt.n) {
			t.Errorf("parseShard(auto, %v, %d) = %d/%d, %v", tt.env, tt.shards, i, n, err)
		}
	}
}

// TestRunWarnsOnStderr: a scenario's warnings go to stderr in every
// format, so stdout stays machine-readable.
func TestRunWarnsOnStderr(t *testing.T) {
	for _, format := range []string{"table", "json", "csv"} {
		code, stdout, stderr := runCLI(t, context.Background(), "run", "testdata/idle-capacity.yaml", "-n", "64", "-q", "--format", format)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		want := "reesim: warning: node us-proc: its dy capacity can never matter: no feed can reach it"
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: stderr %q lacks %q", format, stderr, want)
		}
		if strings.Contains(stdout, "warning: node") && format != "json" {
			t.Errorf("%s: the warning is on stdout too:\n%s", format, stdout)
		}
	}
}

// TestSetInlineDistribution: --set takes YAML with commas (an inline
// distribution) whole, for every command that takes --set.
func TestSetInlineDistribution(t *testing.T) {
	set := "events.truce.lag={dist: uniform, min: 10d, max: 20d}"
	code, stdout, stderr := runCLI(t, context.Background(), quick("run", "truce90", "-n", "64", "-q", "--format", "json", "--set", set)...)
	if code != 0 {
		t.Fatalf("run --set %q: exit %d: %s", set, code, stderr)
	}
	if !strings.Contains(stdout, `"events.truce.lag={dist: uniform, min: 10d, max: 20d}"`) {
		t.Errorf("run --set %q: the override is not in the result", set)
	}
	code, _, stderr = runCLI(t, context.Background(), quick("attribute", "truce90", "-n", "8", "-q", "--set", set)...)
	if code != 0 {
		t.Errorf("attribute --set %q: exit %d: %s", set, code, stderr)
	}
}

// TestPlotDamagedSummary: plot and report refuse a summary.json whose
// series or utilisation do not match its reporting grid (they used to
// panic), with exit 2, and write nothing.
func TestPlotDamagedSummary(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, context.Background(), "run", "testdata/idle-capacity.yaml", "-n", "64", "-q", "--no-plots", "--out", dir); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "summary.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, damage := range []func(){
		func() { ps := doc["period_start_days"].([]any); doc["period_start_days"] = ps[:len(ps)-1] },
		func() {
			u := doc["utilisation"].([]any)[0].(map[string]any)
			m := u["mean"].([]any)
			u["mean"] = m[:1]
		},
		// A name that would put a chart outside the directory.
		func() { doc["materials"].([]any)[0] = "../../ESCAPED" },
		func() { doc["metrics"].([]any)[0].(map[string]any)["material"] = "../../ESCAPED" },
	} {
		var fresh map[string]any
		json.Unmarshal(data, &fresh)
		doc = fresh
		damage()
		bad, _ := json.Marshal(doc)
		os.WriteFile(path, bad, 0o644)
		for _, cmd := range []string{"plot", "report"} {
			code, _, stderr := runCLI(t, context.Background(), cmd, dir)
			if code != 2 || !strings.Contains(stderr, "is damaged") {
				t.Errorf("%s on a damaged summary: exit %d, %q; want exit 2 naming the damage", cmd, code, stderr)
			}
		}
		if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(dir)), "*ESCAPED*")); len(matches) > 0 {
			t.Errorf("plot wrote %v outside its directory", matches)
		}
	}
}

// TestCountLimits: --trials, --seed and --workers out of range exit 2
// naming the flag and its range, for every command that takes them; 0
// trials no longer means the scenario's default, and a huge count no
// longer runs none.
func TestCountLimits(t *testing.T) {
	for _, args := range [][]string{
		{"run", "truce90", "--trials", "0"},
		{"run", "truce90", "--trials", "-5"},
		{"run", "truce90", "--trials", "9223372036854775807"},
		{"run", "truce90", "--seed", "18446744073709551615"},
		{"run", "truce90", "--workers", "-1"},
		{"attribute", "truce90", "--trials", "-3"},
		{"attribute", "truce90", "--trials", "0"},
		{"sweep", "../../examples/sweep-truce90.yaml", "--workers", "100000"},
	} {
		code, _, stderr := runCLI(t, context.Background(), args...)
		flag := args[2]
		if code != 2 || !strings.Contains(stderr, flag) || !strings.Contains(stderr, "out of range") {
			t.Errorf("reesim %s: exit %d, %q; want exit 2 naming %s", strings.Join(args, " "), code, stderr, flag)
		}
	}
}

// TestSweepInterruptedKeepsPoints: an interrupted sweep says that its
// finished points are kept for a resume, not that nothing was written.
func TestSweepInterruptedKeepsPoints(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	code, _, stderr := runCLI(t, ctx, "sweep", "../../examples/sweep-truce90.yaml", "-q", "--out", dir)
	if code == 0 || !strings.Contains(stderr, filepath.Join(dir, "points.csv")) || !strings.Contains(stderr, "resume") || strings.Contains(stderr, "no result files") {
		t.Errorf("interrupted sweep: exit %d, %q; want a hint that points.csv is kept for resuming", code, stderr)
	}
}

// TestRunRefusesIgnoredFlags: flags that run would silently ignore are
// refused with exit 2, naming the flag.
func TestRunRefusesIgnoredFlags(t *testing.T) {
	out := t.TempDir()
	for _, tt := range []struct {
		args []string
		flag string
	}{
		{[]string{"--out", ""}, "--out"},
		{[]string{"--no-plots"}, "--no-plots"},
		{[]string{"--report"}, "--report"},
		{[]string{"--plot-size", "800x600"}, "--plot-size"},
		{[]string{"--shards", "3", "--out", out}, "--shards"},
		{[]string{"--shard", "0/2", "--precision", "0.1", "--out", out}, "--precision"},
		{[]string{"--shard", "0/2", "--report", "--out", out}, "--report"},
		{[]string{"--shard", "0/2", "--format", "json", "--out", out}, "--format"},
	} {
		code, _, stderr := runCLI(t, context.Background(), append([]string{"run", "truce90", "-n", "64", "-q"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.flag) {
			t.Errorf("run %s: exit %d, %q; want exit 2 naming %s", strings.Join(tt.args, " "), code, stderr, tt.flag)
		}
	}
}

// TestPlainProgress: off a terminal, progress is a plain line every few
// seconds (none for a short run), with the command's own unit, and a last
// line at the end once any was printed.
func TestPlainProgress(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "sweeping s.yaml", "points")
	p.update(3, 100)
	p.finish()
	if b.Len() != 0 {
		t.Fatalf("a short run printed %q", b.String())
	}
	p = newProgress(&b, "sweeping s.yaml", "points")
	p.start = p.start.Add(-20 * time.Second)
	p.last = p.start
	p.update(40, 100)
	p.update(41, 100) // within plainEvery of the last line: silent
	p.finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "sweeping s.yaml: 40 of 100 points (40 %)") || !strings.Contains(lines[0], "points/s") || !strings.Contains(lines[1], "41 of 100 points") {
		t.Errorf("progress lines %q", lines)
	}
}

// TestShow: show prints a result directory's summary as run printed it, in
// every format, and plot, report and show on a shard directory say to
// merge first.
func TestShow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	code, runOut, stderr := runCLI(t, ctx, "run", "testdata/idle-capacity.yaml", "-n", "64", "-q", "--no-plots", "--out", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	code, showOut, stderr := runCLI(t, ctx, "show", dir, "--format", "json")
	if code != 0 || showOut != runOut {
		t.Errorf("show --format json: exit %d, %s; want run's JSON", code, stderr)
	}
	code, table, _ := runCLI(t, ctx, "show", dir)
	if code != 0 || !strings.Contains(table, "reesim idle-capacity: 64 trials, seed 1") || !strings.Contains(table, "P(short)") {
		t.Errorf("show: exit %d, %q", code, table)
	}
	code, csv, _ := runCLI(t, ctx, "show", dir, "-f", "csv")
	if code != 0 || !strings.HasPrefix(csv, "scope,id,material,metric") {
		t.Errorf("show -f csv: exit %d, %.80q", code, csv)
	}
	part := t.TempDir()
	if code, _, stderr := runCLI(t, ctx, "run", "testdata/idle-capacity.yaml", "-n", "128", "-q", "--shard", "0/2", "--out", part); code != 0 {
		t.Fatalf("run --shard: exit %d: %s", code, stderr)
	}
	for _, cmd := range []string{"show", "plot", "report"} {
		code, _, stderr := runCLI(t, ctx, cmd, part)
		if code != 2 || !strings.Contains(stderr, "merge the shards first") {
			t.Errorf("%s on a shard: exit %d, %q; want a hint to merge first", cmd, code, stderr)
		}
	}
}

// TestSweepQuickLook: --trials, --samples and --set make a quick look
// quick; points.json records them, so a resume with other settings is
// refused rather than mixed; with --shard they are refused.
func TestSweepQuickLook(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	args := []string{"sweep", "../../examples/sweep-truce90.yaml", "-q", "--out", dir, "--trials", "8", "--samples", "2", "--set", "events.truce.lag={dist: uniform, min: 10d, max: 20d}"}
	if code, _, stderr := runCLI(t, ctx, args...); code != 0 {
		t.Fatalf("quick sweep: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var meta sweep.PointsMeta
	if mj, err := os.ReadFile(filepath.Join(dir, "points.json")); err != nil || json.Unmarshal(mj, &meta) != nil {
		t.Fatalf("points.json: %v", err)
	}
	for _, want := range []string{"trials=8", "samples=2", `set="events.truce.lag={dist: uniform, min: 10d, max: 20d}"`} {
		if !strings.Contains(meta.Provenance, want) {
			t.Errorf("points.json's provenance %q lacks %s", meta.Provenance, want)
		}
	}
	if n := strings.Count(string(data), "\n"); n != 1+2*7 || meta.Rows != 2*7 || meta.Version != version {
		t.Errorf("points.csv has %d lines, points.json %d rows of reesim %q; want a column line and 14 points of %q", n, meta.Rows, meta.Version, version)
	}
	if code, _, stderr := runCLI(t, ctx, args[:len(args)-2]...); code != 2 || !strings.Contains(stderr, "another sweep") {
		t.Errorf("resume without the --set: exit %d, %q; want a refusal", code, stderr)
	}
	if code, _, stderr := runCLI(t, ctx, "sweep", "../../examples/sweep-truce90.yaml", "--shard", "0/2", "--trials", "8", "--out", t.TempDir()); code != 2 || !strings.Contains(stderr, "--trials") {
		t.Errorf("--shard with --trials: exit %d, %q", code, stderr)
	}
}

// TestMaxMemory: a reporting grid estimated over --max-memory (default
// 4GB) is refused with its estimate and how to lower it; a daily grid over
// 100 years used to be only warned about, and took gigabytes.
func TestMaxMemory(t *testing.T) {
	ctx := context.Background()
	code, _, stderr := runCLI(t, ctx, "run", "truce90", "-n", "8", "-q", "--set", "period=day", "--set", "horizon=100y")
	if code != 2 || !strings.Contains(stderr, "would take about 10.2 GB, over --max-memory 4GB") || !strings.Contains(stderr, "longer reporting period") {
		t.Errorf("100 years by day: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCLI(t, ctx, "run", "truce90", "-n", "8", "-q", "--max-memory", "1MB")
	if code != 2 || !strings.Contains(stderr, "over --max-memory 1MB") {
		t.Errorf("truce90 under 1MB: exit %d, %q", code, stderr)
	}
	for _, tt := range []struct {
		s    string
		want float64
	}{{"4GB", 4e9}, {"512mb", 512e6}, {"1.5 TB", 1.5e12}, {"1000", 1000}} {
		if got, err := parseBytes(tt.s); err != nil || got != tt.want {
			t.Errorf("parseBytes(%q) = %g, %v; want %g", tt.s, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-1GB", "GB", "4XB", "inf"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) succeeded", bad)
		}
	}
}

// TestTableFits100Columns: the summary table of truce90 fits 100 columns,
// and its two uncertainties say what they qualify.
func TestTableFits100Columns(t *testing.T) {
	code, stdout, stderr := runCLI(t, context.Background(), "run", "truce90", "-n", "64", "-q")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	for _, want := range []string{"P(short) ± se", "mean t ± se", "  all  ", "  ex-CN  ", "ex-CN: every consumer outside CN"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

// TestCompareCommand: a scenario compared with itself differs in nothing;
// a real change is reported with its paired SE in table, JSON and CSV, and
// --out writes the set with its charts.
func TestCompareCommand(t *testing.T) {
	ctx := context.Background()
	code, stdout, stderr := runCLI(t, ctx, "compare", "baseline", "baseline", "-n", "64", "-q")
	if code != 0 || !strings.Contains(stdout, "(no metric differs)") {
		t.Fatalf("self-compare: exit %d, %q %q", code, stdout, stderr)
	}
	dir := filepath.Join(t.TempDir(), "cmp")
	args := []string{"compare", "truce90", "truce90", "--set-b", "consumers.us-users.inventory.dy=180d", "-n", "64", "-q", "--set-a", "horizon=1y", "--set-b", "horizon=1y"}
	code, stdout, stderr = runCLI(t, ctx, append(args, "--format", "json", "--out", dir)...)
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	var doc struct {
		A, B        string
		Differences []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("compare --format json: %v\n%s", err, stdout)
	}
	if doc.B != "truce90 consumers.us-users.inventory.dy=180d horizon=1y" || len(doc.Differences) == 0 {
		t.Fatalf("compare json: b %q, %d differences", doc.B, len(doc.Differences))
	}
	first := doc.Differences[0]
	for _, k := range []string{"scope", "id", "material", "metric", "mean_a", "se_a", "mean_b", "se_b", "diff", "se_diff", "ci_low", "ci_high", "n"} {
		if _, ok := first[k]; !ok {
			t.Errorf("a difference lacks %q: %v", k, first)
		}
	}
	if first["id"] != "us-users" || first["material"] != "dy" {
		t.Errorf("the largest change is %v; want one of us-users dy", first)
	}
	if err := output.CheckSet(dir, output.KindComparison); err != nil {
		t.Error(err)
	}
	for _, f := range []string{"differences.csv", "comparison.json", "compare-dy.png", "compare-fan-dy.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("compare --out: %v", err)
		}
	}
	if code, _, stderr := runCLI(t, ctx, "compare", "truce90"); code != 2 || !strings.Contains(stderr, "two scenarios") {
		t.Errorf("compare with one scenario: exit %d, %q", code, stderr)
	}
}

// TestSizeCommand: the cover that keeps P(short) <= 5 % against a uniform
// cut of 30 to 230 days is its 95th percentile, 220 days; size finds it
// with an interval that holds it, and confirms it with fresh trials.
func TestSizeCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, context.Background(), "size", "../../testdata/cut.yaml", "--param", "consumers.us.inventory.x",
		"--min", "0d", "--max", "365d", "--tol", "1d", "--target", "consumer/us/x/p_short.mean<=0.05", "-n", "2000", "-q", "--format", "json")
	if code != 0 {
		t.Fatalf("size: exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	v, lo, hi := doc["value"].(float64), doc["ci_low"].(float64), doc["ci_high"].(float64)
	if math.Abs(v-220) > 5 || !(lo <= 220 && 220 <= hi) || doc["value_written"] != "220d" || doc["confirmation"] == nil || doc["target"] != "consumer/us/x/p_short.mean<=0.05" {
		t.Errorf("size: %s", stdout)
	}
	for _, args := range [][]string{
		{"size", "../../testdata/cut.yaml", "--param", "consumers.us.inventory.x", "--min", "0d", "--max", "20d", "--target", "consumer/us/x/p_short.mean<=0.05", "-q"},
		{"size", "../../testdata/cut.yaml", "--param", "consumers.us.inventory.x", "--min", "0d", "--max", "365d", "--target", "consumer/us/x/p_short<=0.05", "-q"},
		{"size", "../../testdata/cut.yaml", "--param", "consumers.us.inventory.x", "--min", "0", "--max", "365d", "--target", "consumer/us/x/p_short.mean<=0.05", "-q"},
	} {
		if code, _, stderr := runCLI(t, context.Background(), args...); code != 2 {
			t.Errorf("%v: exit %d, %q; want 2", args[5:], code, stderr)
		}
	}
}

// TestAttributeCost: a 50 t reserve priced at $100,000 a tonne that avoids
// exactly 50 t of a 100-day total ban costs $5 M, $100,000 per tonne
// avoided; attribution.csv and the table say so.
func TestAttributeCost(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "attr")
	code, stdout, stderr := runCLI(t, context.Background(), "attribute", "testdata/priced.yaml", "-n", "64", "-q", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "cost-effectiveness") || !strings.Contains(stdout, "$100 k") {
		t.Errorf("attribute lacks the cost table:\n%s", stdout)
	}
	f, err := os.Open(filepath.Join(dir, "attribution.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	found := false
	for _, r := range recs[1:] {
		if r[col["event"]] != "stockpile:us" || r[col["material"]] != "all" {
			continue
		}
		found = true
		for k, want := range map[string]string{"accounts_for_t": "-50", "cost_usd": "5e+06", "usd_per_t_avoided": "100000", "usd_per_t_low": "100000", "usd_per_t_high": "100000"} {
			if got := r[col[k]]; got != want {
				t.Errorf("%s = %s; want %s", k, got, want)
			}
		}
	}
	if !found {
		t.Errorf("no stockpile:us row in %v", recs)
	}
	// The report of a run shows the attribution and its costs.
	run := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, context.Background(), "run", "testdata/priced.yaml", "-n", "64", "-q", "--no-plots", "--out", run); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, context.Background(), "report", run, "--attribution", dir); code != 0 {
		t.Fatalf("report --attribution: exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(filepath.Join(run, "report.html"))
	for _, want := range []string{"What drives the shortfall", "Cost-effectiveness", "stockpile:us", "$100 k", "$5 M"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if code, _, _ := runCLI(t, context.Background(), "report", run, "--attribution", run); code != 2 {
		t.Errorf("report --attribution of a run directory: exit %d; want 2", code)
	}
}

// TestPerTrial: run --per-trial writes trials.csv, one row per trial;
// shards run with --per-trial merge to the unsharded run's bytes.
func TestPerTrial(t *testing.T) {
	ctx := context.Background()
	whole := filepath.Join(t.TempDir(), "whole")
	if code, _, stderr := runCLI(t, ctx, "run", "truce90", "-n", "150", "-q", "--no-plots", "--per-trial", "--set", "horizon=1y", "--out", whole); code != 0 {
		t.Fatalf("run --per-trial: exit %d: %s", code, stderr)
	}
	want, err := os.ReadFile(filepath.Join(whole, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(lines) != 151 || !strings.HasPrefix(lines[0], "trial,") || !strings.Contains(lines[0], ",events.truce.renewal.probability,") || !strings.Contains(lines[0], ",total/all/dy/shortfall,") {
		t.Fatalf("trials.csv: %d lines, header %.200q", len(lines), lines[0])
	}
	var parts []string
	for i := range 2 {
		d := filepath.Join(t.TempDir(), "p")
		if code, _, stderr := runCLI(t, ctx, "run", "truce90", "-n", "150", "-q", "--per-trial", "--set", "horizon=1y", "--shard", strconv.Itoa(i)+"/2", "--out", d); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		parts = append(parts, d)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	if code, _, stderr := runCLI(t, ctx, "merge", parts[1], parts[0], "--no-plots", "--out", merged); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(merged, "trials.csv"))
	if string(got) != string(want) {
		t.Error("merged trials.csv differs from the unsharded run's")
	}
	if code, _, _ := runCLI(t, ctx, "run", "truce90", "--per-trial"); code != 2 {
		t.Errorf("--per-trial without --out: exit %d; want 2", code)
	}
}

// TestSensitivity: run --sensitivity ranks the inputs from the run's own
// trials; in the cut scenario the shortfall is a monotone function of the
// ban's duration, so its Spearman correlation is 1 and its S1 about 1.
func TestSensitivity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, context.Background(), "run", "../../testdata/cut.yaml", "-n", "2000", "-q", "--no-plots", "--sensitivity", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "what drives the total shortfall") || !strings.Contains(stdout, "events.ban.duration") {
		t.Errorf("the table lacks the drivers:\n%s", stdout)
	}
	f, err := os.Open(filepath.Join(dir, "sensitivity.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, _ := csv.NewReader(f).ReadAll()
	if strings.Join(recs[0], ",") != "output,input,method,estimate,ci_low,ci_high" {
		t.Fatalf("sensitivity.csv header %v", recs[0])
	}
	got := map[string]float64{}
	for _, r := range recs[1:] {
		if r[0] == "total/all/x/shortfall" && r[1] == "events.ban.duration" {
			got[r[2]], _ = strconv.ParseFloat(r[3], 64)
		}
	}
	if math.Abs(got["spearman"]-1) > 1e-9 || !(got["s1"] > 0.97) {
		t.Errorf("duration against shortfall: %v; want Spearman 1 and S1 about 1", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "trials.csv")); err == nil {
		t.Error("--sensitivity alone left trials.csv")
	}
	if err := output.CheckSet(dir, output.KindRun); err != nil {
		t.Error(err)
	}
}

// TestDiscoverCommand: in the cut scenario the worst 5 % of shortfalls are
// exactly the longest 5 % of bans, so the box is events.ban.duration above
// its 95th percentile, 220 days; the report then shows it.
func TestDiscoverCommand(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI(t, ctx, "run", "../../testdata/cut.yaml", "-n", "4000", "-q", "--no-plots", "--per-trial", "--out", dir); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, ctx, "discover", dir, "--output", "consumer/us/x/shortfall")
	if code != 0 {
		t.Fatalf("discover: exit %d: %s", code, stderr)
	}
	var d struct {
		Conditions        []string
		Coverage, Density float64
	}
	data, _ := os.ReadFile(filepath.Join(dir, "discover.json"))
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Conditions) != 1 || !strings.HasPrefix(d.Conditions[0], "events.ban.duration >= ") || d.Coverage < 0.9 || d.Density < 0.9 {
		t.Fatalf("discover: %+v\n%s", d, stdout)
	}
	days, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(d.Conditions[0], "events.ban.duration >= "), "d"), 64)
	if math.Abs(days-220) > 3 {
		t.Errorf("the box starts at %g days; want about 220", days)
	}
	if err := output.CheckSet(dir, output.KindRun); err != nil {
		t.Error(err)
	}
	if code, _, stderr := runCLI(t, ctx, "report", dir); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(html), "Where the worst trials concentrate") || !strings.Contains(string(html), "events.ban.duration &gt;= ") {
		t.Error("the report lacks the discovered box")
	}
	plain := filepath.Join(t.TempDir(), "plain")
	runCLI(t, ctx, "run", "../../testdata/cut.yaml", "-n", "64", "-q", "--no-plots", "--out", plain)
	if code, _, stderr := runCLI(t, ctx, "discover", plain); code != 2 || !strings.Contains(stderr, "--per-trial") {
		t.Errorf("discover without records: exit %d, %q", code, stderr)
	}
}

// TestReportSections: report --sweep and --comparison add each result's
// table and charts, and refuse a directory of another kind.
func TestReportSections(t *testing.T) {
	dir := t.TempDir()
	sweepFile := oatSweep(t, dir, 16)
	sw, cmp, run := filepath.Join(dir, "sweep"), filepath.Join(dir, "cmp"), filepath.Join(dir, "run")
	for _, args := range [][]string{
		quick("sweep", sweepFile, "--out", sw, "-q"),
		{"compare", "truce90", "truce90", "--set-b", "events.truce.renewal.probability=0.95", "-n", trials(16, 8), "-q", "--out", cmp},
		quick("run", "truce90", "-n", "16", "-q", "--no-plots", "--out", run),
	} {
		if code, _, stderr := runCLI(t, context.Background(), args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, context.Background(), "report", run, "--sweep", sw, "--comparison", cmp); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(filepath.Join(run, "report.html"))
	for _, want := range []string{`<h2 id="sweep">`, `href="#sweep"`, `<figure id="chart-tornado-dy-shortfall_frac-mean-all">`, "truce.renewal.probability", "Each lever moved alone",
		`<h2 id="comparison">`, `<figure id="chart-compare-fan-dy">`, `<figure id="chart-compare-ndpr">`, "B is truce90 events.truce.renewal.probability=0.95"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if code, _, _ := runCLI(t, context.Background(), "report", run, "--comparison", sw); code != 2 {
		t.Errorf("report --comparison of a sweep directory: exit %d; want 2", code)
	}
	if code, _, _ := runCLI(t, context.Background(), "report", run, "--sweep", run); code != 2 {
		t.Errorf("report --sweep of a run directory: exit %d; want 2", code)
	}
}
