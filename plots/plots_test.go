package plots

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sim"
	"gonum.org/v1/plot/cmpimg"
)

var update = flag.Bool("update", false, "rewrite golden images")

func result(t *testing.T, name string, trials int, ovs ...model.Override) *sim.Result {
	t.Helper()
	sc, err := scenarios.Load(name, ovs...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: trials, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGoldenImages compares a few charts of a small fixed-seed run with
// golden PNGs, with a tolerance (gonum/plot's own approach): they catch a
// chart that stops drawing its data, not a changed anti-aliasing pixel.
// quick shortens a scenario under -short, for the tests whose property
// (every chart draws, none hangs) does not need five years: one year of
// horizon draws the same charts over fewer periods, so the race suite
// checks them at a fraction of the cost.
func quick() []model.Override {
	if testing.Short() {
		return []model.Override{{Path: "horizon", Value: "1y"}}
	}
	return nil
}

func TestGoldenImages(t *testing.T) {
	res := result(t, "truce90", 128)
	o := Options{Width: 480, Height: 270}
	want := map[string]bool{"fan-dy": true, "exceedance-dy-log": true, "histogram-dy": true, "survival-dy": true, "utilisation-dy": true, "flows-ndpr": true}
	for _, c := range Charts(res, o) {
		if !want[c.Name] {
			continue
		}
		delete(want, c.Name)
		var b bytes.Buffer
		if err := c.Encode(&b, "png", o); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", c.Name+"_"+runtime.GOARCH+".png")
		if *update {
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		ref, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./plots -update writes it)", err)
		}
		ok, err := cmpimg.EqualApprox("png", b.Bytes(), ref, 0.02)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			os.WriteFile(filepath.Join(t.TempDir(), c.Name+".png"), b.Bytes(), 0o644)
			t.Errorf("%s differs from %s", c.Name, golden)
		}
	}
	for name := range want {
		t.Errorf("no chart %s", name)
	}
}

// TestEveryChartRenders draws every chart of every built-in scenario in
// both formats, including the baseline, whose shortfalls are all zero.
func TestEveryChartRenders(t *testing.T) {
	for _, name := range scenarios.Names() {
		res := result(t, name, 64, quick()...)
		dir := t.TempDir()
		files, err := Write(context.Background(), dir, res, Options{Width: 320, Height: 180})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := 2 * 7 * len(res.Materials); len(files) != want {
			t.Errorf("%s: wrote %d files; want %d", name, len(files), want)
		}
		svg, err := os.ReadFile(filepath.Join(dir, "fan-dy.svg"))
		if err != nil || !strings.Contains(string(svg), "<svg") {
			t.Errorf("%s: fan-dy.svg is not an SVG: %v", name, err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("%s: left a temporary file %s", name, e.Name())
			}
		}
	}
}

func TestParseSize(t *testing.T) {
	if o, err := ParseSize("1920x1080"); err != nil || o.Width != 1920 || o.Height != 1080 {
		t.Errorf("ParseSize(1920x1080) = %+v, %v", o, err)
	}
	for _, bad := range []string{"", "1920", "10x10", "axb", "99999x100"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) succeeded", bad)
		}
	}
}

// TestDegenerateResults draws every chart for results with degenerate
// ranges: one trial (a log-probability axis from 1/trials = 1 to 1), a
// summary claiming no trials, and all-zero shortfalls. Each used to spin
// for ever in the log axis's tick loop.
func TestDegenerateResults(t *testing.T) {
	for _, name := range []string{"baseline", "truce90"} {
		res := result(t, name, 1, quick()...)
		if _, err := Write(context.Background(), t.TempDir(), res, Options{Width: 320, Height: 180}); err != nil {
			t.Fatalf("%s, 1 trial: %v", name, err)
		}
		for _, trials := range []int{0, -5} {
			res.Trials = trials
			if _, err := Write(context.Background(), t.TempDir(), res, Options{Width: 320, Height: 180}); err != nil {
				t.Fatalf("%s, trials %d: %v", name, trials, err)
			}
		}
	}
	for _, tt := range []struct{ min, max float64 }{{0, 2}, {1, 1}, {math.Inf(-1), 1}, {math.NaN(), 1}, {1e-300, 1}} {
		if n := len(logPercentTicks{}.Ticks(tt.min, tt.max)); n > 400 {
			t.Errorf("logPercentTicks(%g, %g) made %d ticks", tt.min, tt.max, n)
		}
	}
}
