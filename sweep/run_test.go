package sweep

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

const tinyScenario = `name: tiny
start: 2025-01-01
horizon: 1y
materials: [x]
nodes:
  - {id: cn-mine, stage: mine, region: CN, capacity: {x: 1000}}
  - {id: cn-proc, stage: process, region: CN, capacity: {x: 1000}}
  - {id: cn-mag, stage: magnet, region: CN, capacity: {x: 1000}}
consumers:
  - {id: us, region: US, demand: {x: 365.25}, inventory: {x: {dist: uniform, min: 10d, max: 50d}}}
routes:
  - {from: cn-mine, to: cn-proc}
  - {from: cn-proc, to: cn-mag}
  - {from: cn-mag, to: us}
events:
  - {id: ban, type: export_restriction, region: CN, start: 0d, duration: {dist: uniform, min: 30d, max: 200d}, allowed: 0.2}
  - {id: truce, type: truce, suspends: [ban], start: 20d, duration: 30d, renewal: {probability: 0.5, duration: 30d}}
`

func tinySweep(t *testing.T, design string, extra string) *model.Sweep {
	t.Helper()
	src := `scenario: tiny.yaml
trials: 128
seed: 3
design: ` + design + `
samples: 16
levels: 3
params:
  - {path: events.truce.renewal.probability, min: 0.1, max: 0.9}
  - {path: events.ban.allowed, min: 0, max: 0.5}
` + extra
	sw, err := model.ParseSweep([]byte(src), filepath.Join(t.TempDir(), "tiny-sweep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sw
}

func tinyLoader(ovs []model.Override) (*model.Scenario, error) {
	return model.Parse([]byte(tinyScenario), "tiny.yaml", ovs...)
}

func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range []string{"points.csv", "points.json", "indices.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil && f != "indices.csv" {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

// TestKillAndResume interrupts a sweep part-way, cuts its last line short
// as a kill mid-write would, resumes it, and compares every output byte
// with an uninterrupted sweep.
func TestKillAndResume(t *testing.T) {
	sw := tinySweep(t, "sobol", "")
	whole := t.TempDir()
	out, err := Run(context.Background(), sw, tinyLoader, whole, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Points) != 16*4 || len(out.Indices) != 2*2 {
		t.Fatalf("sweep made %d points and %d indices; want 64 and 4", len(out.Points), len(out.Indices))
	}
	want := files(t, whole)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, sw, tinyLoader, dir, Options{Progress: func(done, _ int) {
		if done == 23 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep: %v", err)
	}
	// A kill in the middle of a write leaves half a line.
	f, _ := os.OpenFile(filepath.Join(dir, "points.csv"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("23,0.5,0.25,0.1")
	f.Close()
	var ran int
	if _, err := Run(context.Background(), sw, tinyLoader, dir, Options{Progress: func(int, int) { ran++ }}); err != nil {
		t.Fatal(err)
	}
	if ran != 64-23 {
		t.Errorf("resumed sweep ran %d points; want %d", ran, 64-23)
	}
	got := files(t, dir)
	for f := range want {
		if got[f] != want[f] {
			t.Errorf("%s after resuming differs from an uninterrupted sweep", f)
		}
	}

	// A changed sweep is refused, unless restarted.
	sw2 := tinySweep(t, "sobol", "")
	sw2.SHA256 = "changed"
	if _, err := Run(context.Background(), sw2, tinyLoader, dir, Options{}); !errors.Is(err, ErrOtherSweep) || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("changed sweep: %v; want a refusal", err)
	}
	if _, err := Run(context.Background(), sw2, tinyLoader, dir, Options{Restart: true}); err != nil {
		t.Errorf("--restart: %v", err)
	}
}

func TestDesignsRun(t *testing.T) {
	for _, tt := range []struct {
		design  string
		points  int
		indices []string
	}{
		{"oat", 1 + 2*2, []string{"low", "high"}},
		{"grid", 3 * 3, []string{"mean_at"}},
		{"lhs", 16, []string{"SRRC"}},
		{"morris", 16 * 3, []string{"mu_star", "sigma"}},
	} {
		out, err := Run(context.Background(), tinySweep(t, tt.design, ""), tinyLoader, t.TempDir(), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.design, err)
		}
		if len(out.Points) != tt.points {
			t.Errorf("%s: %d points; want %d", tt.design, len(out.Points), tt.points)
		}
		for _, r := range out.Indices {
			name, _, _ := strings.Cut(r.Index, "=")
			if !slices.Contains(tt.indices, name) {
				t.Errorf("%s: unexpected index %s", tt.design, r.Index)
			}
		}
	}
	// Raising the renewal probability lowers the shortfall: the OAT swing
	// has the right sign, well outside its standard errors.
	out, err := Run(context.Background(), tinySweep(t, "oat", ""), tinyLoader, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := out.Points[1], out.Points[2]
	if !(hi.Mean[0] < lo.Mean[0]-3*(lo.SE[0]+hi.SE[0])) {
		t.Errorf("renewal probability 0.9 gives shortfall %g, 0.1 gives %g; want clearly lower", hi.Mean[0], lo.Mean[0])
	}
}

func TestSweepRefusesBadParameter(t *testing.T) {
	sw := tinySweep(t, "oat", "")
	sw.Params[0].Path = "events.truse.renewal.probability"
	_, err := Run(context.Background(), sw, tinyLoader, t.TempDir(), Options{})
	if err == nil || !strings.Contains(err.Error(), `did you mean "truce"`) {
		t.Errorf("bad path: %v", err)
	}
}

// TestShardedSweepMerges: shards of a sweep merged in any order give the
// unsharded sweep's files byte for byte; an incomplete set is refused.
func TestShardedSweepMerges(t *testing.T) {
	sw := tinySweep(t, "sobol", "")
	whole := t.TempDir()
	if _, err := Run(context.Background(), sw, tinyLoader, whole, Options{}); err != nil {
		t.Fatal(err)
	}
	want := files(t, whole)
	// points.csv is a plain CSV (pandas.read_csv reads it as it is): its
	// provenance is in points.json.
	if !strings.HasPrefix(want["points.csv"], "index,events.truce.renewal.probability,") || !strings.Contains(want["points.json"], `"provenance": "reesim sweep`) {
		t.Errorf("points.csv starts %.40q; points.json %.80q", want["points.csv"], want["points.json"])
	}
	var dirs []string
	for _, i := range []int{2, 0, 3, 1} {
		d := filepath.Join(t.TempDir(), "shard")
		if _, err := Run(context.Background(), sw, tinyLoader, d, Options{Shard: i, Shards: 4}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	merged := t.TempDir()
	if _, err := Merge(dirs, merged); err != nil {
		t.Fatal(err)
	}
	got := files(t, merged)
	for f := range want {
		if got[f] != want[f] {
			t.Errorf("merged %s differs from the unsharded sweep's", f)
		}
	}
	if _, err := Merge(dirs[:3], t.TempDir()); err == nil || !strings.Contains(err.Error(), "missing shard") {
		t.Errorf("merge of 3 of 4 shards: %v", err)
	}
	if _, err := Merge(append(dirs, dirs[0]), t.TempDir()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate shard: %v", err)
	}
	// A forged or corrupt manifest is refused before anything is sized
	// by it (-1 shards made a negative slice; 1e11 ran out of memory).
	for _, forged := range []string{`"shards": -1`, `"shards": 100000000000`, `"first_point": -4`} {
		d := filepath.Join(t.TempDir(), "shard")
		if err := os.CopyFS(d, os.DirFS(dirs[0])); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(d, "shard.json"))
		key, _, _ := strings.Cut(forged, ":")
		edited := regexp.MustCompile(key+`: -?\d+`).ReplaceAllString(string(data), forged)
		os.WriteFile(filepath.Join(d, "shard.json"), []byte(edited), 0o644)
		if _, err := Merge(append([]string{d}, dirs[1:]...), t.TempDir()); err == nil {
			t.Errorf("merge with a shard.json of %s succeeded", forged)
		}
	}
	// A shard whose points were edited, or that ends in a torn line, or
	// that another reesim made, is refused, and left as it was.
	for name, tamper := range map[string]func(d string){
		"edited value": func(d string) {
			path := filepath.Join(d, "points.csv")
			data, _ := os.ReadFile(path)
			lines := strings.SplitAfter(string(data), "\n")
			lines[2] = strings.Replace(lines[2], ",", ",9", 2)
			os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644)
		},
		"torn last line": func(d string) {
			f, _ := os.OpenFile(filepath.Join(d, "points.csv"), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("99,0.5,0.2")
			f.Close()
		},
		"other version": func(d string) {
			path := filepath.Join(d, "shard.json")
			data, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.Replace(string(data), `"reesim_version": ""`, `"reesim_version": "v9"`, 1)), 0o644)
		},
	} {
		d := filepath.Join(t.TempDir(), "shard")
		if err := os.CopyFS(d, os.DirFS(dirs[0])); err != nil {
			t.Fatal(err)
		}
		tamper(d)
		before := files(t, d)
		if _, err := Merge(append([]string{d}, dirs[1:]...), t.TempDir()); err == nil {
			t.Errorf("merge with a shard with an %s succeeded", name)
		}
		if after := files(t, d); after["points.csv"] != before["points.csv"] {
			t.Errorf("merge modified the points.csv of a shard with an %s", name)
		}
	}
	// A shard that failed: its directory is empty, or a file stands there.
	empty, file := t.TempDir(), filepath.Join(t.TempDir(), "shard-3")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for bad, want := range map[string]string{empty: empty + " has no shard.json", file: file + " is not a shard directory"} {
		if _, err := Merge(append(dirs[:3:3], bad), t.TempDir()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("merge with a failed shard: %v; want %q", err, want)
		}
	}
}

// TestStatOf: every statistic a sweep file may name picks its own field.
func TestStatOf(t *testing.T) {
	m := sim.Metric{Stats: sim.Stats{Mean: 1, SD: 2, SE: 3, P5: 4, P50: 5, P90: 6, P95: 7, P99: 8, CVaR95: 9, Min: 10, Max: 11}}
	want := map[string]float64{"mean": 1, "sd": 2, "se": 3, "p5": 4, "p50": 5, "p90": 6, "p95": 7, "p99": 8, "cvar95": 9, "min": 10, "max": 11}
	for _, stat := range sim.StatNames {
		v, se := statOf(m, stat)
		if v != want[stat] || (stat == "mean") != (se == 3) {
			t.Errorf("statOf(%s) = %g, se %g", stat, v, se)
		}
	}
}

// TestResumeTornHeader: a kill while points.csv's column line was being
// written, before points.json, leaves a torn line, a line, or a line and a
// torn row; a resumed sweep starts afresh and matches an uninterrupted one.
func TestResumeTornHeader(t *testing.T) {
	sw := tinySweep(t, "oat", "")
	whole := t.TempDir()
	if _, err := Run(context.Background(), sw, tinyLoader, whole, Options{}); err != nil {
		t.Fatal(err)
	}
	want := files(t, whole)
	data, err := os.ReadFile(filepath.Join(whole, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "\n")
	cols, _, _ := strings.Cut(string(data)[len(head)+1:], "\n")
	for _, torn := range []string{head, head + "\n", head + "\n" + cols[:len(cols)/2]} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "points.csv"), []byte(torn), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), sw, tinyLoader, dir, Options{}); err != nil {
			t.Fatalf("resume from %q: %v", torn, err)
		}
		got := files(t, dir)
		for f := range want {
			if got[f] != want[f] {
				t.Errorf("resume from a torn header: %s differs from an uninterrupted sweep", f)
			}
		}
	}
}

// TestGridMainEffects: a grid's main effect of a parameter at a level is
// the output averaged over the grid points at that level, with the mean
// of their SEs as the (conservative) SE.
func TestGridMainEffects(t *testing.T) {
	out, err := Run(context.Background(), tinySweep(t, "grid", ""), tinyLoader, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sw := out.Sweep // with its default outputs
	if want := len(sw.Params) * 3 * len(sw.Outputs); len(out.Indices) != want {
		t.Fatalf("%d main effects; want %d (parameters x levels x outputs)", len(out.Indices), want)
	}
	for _, r := range out.Indices {
		i := slices.IndexFunc(sw.Params, func(p model.SweepParam) bool { return p.Path == r.Param })
		o := slices.IndexFunc(sw.Outputs, func(x model.SweepOutput) bool { return x.Label() == r.Output })
		level := strings.TrimPrefix(r.Index, "mean_at=")
		var sum, se float64
		var n int
		for _, p := range out.Points {
			if p.Values[i] == level {
				sum, se, n = sum+p.Mean[o], se+p.SE[o], n+1
			}
		}
		if n != 3 || math.Abs(r.Estimate.Value-sum/3) > 1e-12 || math.Abs((r.Estimate.High-r.Estimate.Value)-1.96*se/3) > 1e-12 {
			t.Errorf("%s at %s: %+v from %d points; want the mean %g of 3 points, SE %g", r.Param, level, r.Estimate, n, sum/3, se/3)
		}
	}
}

// TestPointsDaysColumns: a range of durations is written as numbers of
// days in a column named PATH_days, so pandas reads numbers; a resumed
// sweep reads them back as the same durations.
func TestPointsDaysColumns(t *testing.T) {
	sw := tinySweep(t, "lhs", "  - {path: events.ban.duration, min: 30d, max: 200d}\n")
	dir := t.TempDir()
	if _, err := Run(context.Background(), sw, tinyLoader, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	first := files(t, dir)
	recs, err := csv.NewReader(strings.NewReader(first["points.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(recs[0], "events.ban.duration_days")
	if i < 0 {
		t.Fatalf("points.csv columns %v", recs[0])
	}
	for _, r := range recs[1:] {
		if v, err := strconv.ParseFloat(r[i], 64); err != nil || v < 30 || v > 200 {
			t.Fatalf("events.ban.duration_days = %q; want a number of days in [30, 200]", r[i])
		}
	}
	// Cut the last point off and resume: the same bytes come back.
	ctx, cancel := context.WithCancel(context.Background())
	dir2 := t.TempDir()
	Run(ctx, sw, tinyLoader, dir2, Options{Progress: func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}})
	if _, err := Run(context.Background(), sw, tinyLoader, dir2, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir2); got["points.csv"] != first["points.csv"] || got["indices.csv"] != first["indices.csv"] {
		t.Error("a resumed sweep with a days column differs from an uninterrupted one")
	}
}

// TestSobolWarnings: a Sobol' outcome from few samples, or with an
// index interval wider than the index's range, is flagged with a
// sample count that would narrow it; a well-sampled one is not.
func TestSobolWarnings(t *testing.T) {
	row := func(v, lo, hi float64) IndexRow {
		return IndexRow{Output: "total/all/dy/shortfall_frac/mean", Param: "events.truce.renewal.probability", Index: "S1", Estimate: Estimate{v, lo, hi}}
	}
	for _, tt := range []struct {
		samples int
		design  string
		rows    []IndexRow
		warn    string
	}{
		{512, "sobol", []IndexRow{row(0.4, 0.35, 0.45)}, ""},
		{512, "oat", []IndexRow{row(3, -5, 9)}, ""},
		{16, "sobol", []IndexRow{row(0.4, 0.35, 0.45)}, "16 base samples are few"},
		{512, "sobol", []IndexRow{row(0.4, 0, 0.8)}, "use samples: 2048 or more"},
		{16, "sobol", []IndexRow{row(1.27, -2, 4.3)}, "is 1.27, outside [0, 1]"},
	} {
		o := &Outcome{Sweep: &model.Sweep{Design: tt.design, Samples: tt.samples}, Indices: tt.rows}
		ws := o.Warnings()
		if tt.warn == "" {
			if len(ws) > 0 {
				t.Errorf("%d samples, %v: warned %q", tt.samples, tt.rows, ws)
			}
			continue
		}
		if len(ws) != 1 || !strings.Contains(ws[0], tt.warn) {
			t.Errorf("%d samples, %v: warnings %q; want one containing %q", tt.samples, tt.rows, ws, tt.warn)
		}
	}
}

// TestCheckOutputNames: Check refuses an output whose scope, id, metric,
// stat or material the engine or the scenario lacks, each at its own
// field's line, all at once; and accepts the scopes the engine has, the
// consumers outside a restricting region among them.
func TestCheckOutputNames(t *testing.T) {
	sw := tinySweep(t, "oat", `outputs:
  - {material: x, stat: median}
  - {material: x, metric: shortfal}
  - {scope: world, material: x}
  - {scope: outside, id: US, material: x}
  - {material: y}
`)
	// A consumer in China makes "outside CN" a scope of its own.
	src := strings.Replace(tinyScenario, "consumers:\n", "consumers:\n  - {id: cn, region: CN, demand: {x: 100}}\n", 1)
	src = strings.Replace(src, "routes:\n", "routes:\n  - {from: cn-mag, to: cn}\n", 1)
	load := func(ovs []model.Override) (*model.Scenario, error) {
		return model.Parse([]byte(src), "tiny.yaml", ovs...)
	}
	err := Check(sw, load)
	for _, want := range []string{
		`tiny-sweep.yaml:11:25: outputs[0].stat: unknown stat "median" (did you mean "mean"?)`,
		`tiny-sweep.yaml:12:27: outputs[1].metric: unknown metric "shortfal" (did you mean "shortfall"?)`,
		`outputs[2].scope: unknown scope "world"`,
		`outputs[3].id: the scenario has no outside "US"; want one of CN`,
		`outputs[4].material: the scenario has no material "y"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check: %v; want %q", err, want)
		}
	}
	ok := tinySweep(t, "oat", `outputs:
  - {scope: outside, id: CN, material: x, stat: se}
  - {scope: consumer, id: us, material: x, metric: days_short, stat: p95}
  - {scope: region, id: US, material: x}
`)
	if err := Check(ok, load); err != nil {
		t.Errorf("Check of valid outputs: %v", err)
	}
	// Where every consumer is outside China, there is no outside scope.
	if err := Check(ok, tinyLoader); err == nil || !strings.Contains(err.Error(), `no outside "CN"; it has none`) {
		t.Errorf("Check of outside CN with no Chinese consumer: %v", err)
	}
}
