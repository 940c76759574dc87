package model

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func mustParse(t *testing.T, src string, ovs ...Override) *Scenario {
	t.Helper()
	sc, err := Parse([]byte(src), "test.yaml", ovs...)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sc
}

func readValid(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/bad/many-errors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// many-errors.yaml with its four mistakes undone is a valid file.
	s := string(data)
	for _, fix := range [][2]string{{"capacty", "capacity"}, {"probability: 1.4", "probability: 0.75"}, {"p50: 90d, p90: 45d", "p50: 45d, p90: 90d"}, {"horizon: 2\n", "horizon: 2y\n"}} {
		s = strings.Replace(s, fix[0], fix[1], 1)
	}
	return s
}

func TestParseValid(t *testing.T) {
	sc := mustParse(t, readValid(t))
	if sc.Name != "bad" || sc.Horizon != 2*DaysPerYear || len(sc.Nodes) != 4 || len(sc.Routes) != 5 || len(sc.Events) != 2 {
		t.Fatalf("Parse = %+v", sc)
	}
	if got := sc.Start.Format("2006-01-02"); got != "2025-05-12" {
		t.Errorf("start = %s", got)
	}
	r := sc.Events[0].Restriction
	if r == nil || r.Start == nil || r.Start.Value != -38 {
		t.Fatalf("restriction start = %+v; want -38 days", r.Start)
	}
	if got := r.Allowed.For("US").Value; got != 0.1 {
		t.Errorf("allowed for US = %g; want 0.1", got)
	}
	if got := r.Allowed.For("EU").Value; got != 0.3 {
		t.Errorf("allowed for EU = %g; want the default 0.3", got)
	}
	ld := r.LicenceDelay
	if ld.Kind != LogNormal || math.Abs(math.Exp(ld.Mu)-45) > 1e-9 {
		t.Errorf("licence delay = %v", ld)
	}
	if got := sc.Consumers[0].Inventory["dy"]; got.Unit != Days || got.Value != 90 {
		t.Errorf("inventory dy = %+v; want 90 days", got)
	}
	// A destination with one route gets share 1.
	if got := sc.Routes[0].Share["ndpr"]; got != 1 {
		t.Errorf("single route share = %g; want 1", got)
	}
	if sc.RerouteAfter != nil {
		t.Errorf("reroute_after defaults to never; got %v", sc.RerouteAfter)
	}
	if tr := sc.Events[1].Truce; tr.Allowed.Default.Value != 1 || tr.Renewal.Max != 8 {
		t.Errorf("truce defaults: %+v", tr)
	}
	if len(sc.SHA256) != 64 {
		t.Errorf("SHA256 = %q", sc.SHA256)
	}
}

func TestOverrides(t *testing.T) {
	src := readValid(t)
	ovs := []Override{
		{"events.truce.renewal.probability", "0.9"},
		{"nodes.cn-mine.capacity.dy", "{dist: uniform, min: 50, max: 150}"},
		{"reroute_after", "60d"},
		{"consumers.us-oem.inventory.ndpr", "30"},
		{"events.truce.lag", "20d"}, // absent in the file: added
		{"horizon", "3y"},
	}
	sc := mustParse(t, src, ovs...)
	if got := sc.Events[1].Truce.Renewal.Probability.Value; got != 0.9 {
		t.Errorf("renewal probability = %g; want 0.9", got)
	}
	if got := sc.Nodes[0].Capacity["dy"]; got.Kind != Uniform || got.Max != 150 {
		t.Errorf("capacity = %v", got)
	}
	if sc.RerouteAfter == nil || sc.RerouteAfter.Value != 60 {
		t.Errorf("reroute_after = %v", sc.RerouteAfter)
	}
	if got := sc.Consumers[0].Inventory["ndpr"]; got.Unit != Tonnes || got.Value != 30 {
		t.Errorf("inventory = %+v", got)
	}
	if got := sc.Events[1].Truce.Lag.Value; got != 20 {
		t.Errorf("lag = %g", got)
	}
	if sc.Horizon != 3*DaysPerYear {
		t.Errorf("horizon = %g", sc.Horizon)
	}
	for _, tt := range []struct{ ov, want string }{
		{"events.truce.renewal.probability=1.4", "--set events.truce.renewal.probability=1.4: events[truce].renewal.probability: 1.4 is not a fraction"},
		{"events.truse.duration=30d", `no item with id "truse" in events (did you mean "truce"?)`},
		{"nodes.cn-mine=3", "is a whole list item"},
		{"horizon.x=3", "is a single value"},
		{"horizn=3y", `unknown field "horizn" (did you mean "horizon"?)`},
		{"events.truce.allowed=[oops", "is not valid YAML"},
	} {
		ov, err := ParseOverride(tt.ov)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse([]byte(src), "test.yaml", ov)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("override %s: error %v; want it to contain %q", tt.ov, err, tt.want)
		}
	}
	for _, bad := range []string{"noequals", "=3", "a="} {
		if _, err := ParseOverride(bad); err == nil {
			t.Errorf("ParseOverride(%q) succeeded", bad)
		}
	}
}

func TestDistributions(t *testing.T) {
	src := readValid(t)
	tests := []struct {
		value string
		kind  Kind
		mean  float64
	}{
		{"{dist: uniform, min: 10d, max: 30d}", Uniform, 20},
		{"{dist: triangular, min: 20wd, mode: 45wd, max: 60wd}", Triangular, (28 + 63 + 84) / 3.0},
		{"{dist: pert, min: 10d, mode: 40d, max: 100d}", PERT, (10 + 160 + 100) / 6.0},
		{"{dist: normal, mean: 60d, sd: 10d, min: 1d}", Normal, 60},
		{"{dist: exponential, mean: 18mo}", Exponential, 18 * DaysPerMonth},
		{"{dist: choice, values: [90d, 1y], weights: [1, 3]}", Choice, 0.25*90 + 0.75*DaysPerYear},
	}
	for _, tt := range tests {
		sc := mustParse(t, src, Override{"events.truce.duration", tt.value})
		d := sc.Events[1].Truce.Duration
		if d.Kind != tt.kind || math.Abs(d.ExpectedValue()-tt.mean) > 1e-9 {
			t.Errorf("%s: kind %v mean %g; want %v %g", tt.value, d.Kind, d.ExpectedValue(), tt.kind, tt.mean)
		}
	}
	sc := mustParse(t, src, Override{"events.truce.renewal.probability", "{dist: beta, alpha: 3, beta: 1}"})
	if got := sc.Events[1].Truce.Renewal.Probability.ExpectedValue(); got != 0.75 {
		t.Errorf("beta mean = %g", got)
	}
	sc = mustParse(t, src, Override{"events.controls.licence_delay", "{dist: lognormal, mu: 3.8, sigma: 0.5}"})
	if d := sc.Events[0].Restriction.LicenceDelay; d.Mu != 3.8 || d.Sigma != 0.5 {
		t.Errorf("lognormal mu/sigma = %v", d)
	}
	// Dates inside distributions are days after start.
	sc = mustParse(t, src, Override{"events.controls.start", "{dist: uniform, min: 2025-05-12, max: 2025-06-11}"})
	if d := sc.Events[0].Restriction.Start; d.Min != 0 || d.Max != 30 {
		t.Errorf("date distribution = %v", d)
	}
}

func TestErrorListUnwraps(t *testing.T) {
	_, err := Parse([]byte("start: 2025-01-01\n"), "x.yaml")
	var e *Error
	if !errors.As(err, &e) || e.File != "x.yaml" {
		t.Fatalf("errors.As(*Error) failed on %v", err)
	}
}

func TestParseSweep(t *testing.T) {
	sw, err := ParseSweep([]byte(`scenario: truce90.yaml
trials: 500
design: sobol
samples: 64
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
  - {path: events.lynas-texas.online, min: 2y, max: 8y}
  - {path: consumers.us-oem.inventory.dy, values: [30d, 90d, {dist: uniform, min: 30d, max: 60d}]}
outputs:
  - {scope: total, id: all, material: dy, metric: shortfall_frac, stat: mean}
`), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sw.Trials != 500 || sw.Samples != 64 || len(sw.Params) != 3 || sw.Outputs[0].Label() != "total/all/dy/shortfall_frac/mean" {
		t.Fatalf("ParseSweep = %+v", sw)
	}
	if got := sw.Params[1].Value(0.5); got != "1826.25d" {
		t.Errorf("midpoint of 2y..8y = %s; want 1826.25d", got)
	}
	if got := sw.Params[0].Value(1); got != "0.95" {
		t.Errorf("top of 0.3..0.95 = %s", got)
	}
	if got := sw.Params[2].Value(0.99); got != "{dist: uniform, min: 30d, max: 60d}" {
		t.Errorf("last value = %q", got)
	}
	for _, tt := range []struct{ src, want string }{
		{"scenario: x\ndesign: sobl\nparams: [{path: a, min: 0, max: 1}]", `unknown design "sobl" (did you mean "sobol"?)`},
		{"scenario: x\ndesign: oat\nparams: [{path: a, min: 1, max: 0}]", "max 0 must exceed min 1"},
		{"scenario: x\ndesign: oat\nparams: [{path: a, min: 1d, max: 2}]", "same unit"},
		{"scenario: x\ndesign: oat\nparams: [{path: a, min: 0, max: 1, values: [1]}]", "not both"},
		{"scenario: x\ndesign: oat\nparams: [{path: a, min: 0, max: 1}, {path: a, values: [1]}]", "swept twice"},
		{"design: oat\nparams: []", "missing field scenario"},
	} {
		_, err := ParseSweep([]byte(tt.src), "s.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSweep(%q) = %v; want %q", tt.src, err, tt.want)
		}
	}
}

// TestOverrideThroughAlias sets one consumer's inventory in truce90, where
// three consumers share one inventory map through a YAML alias: only the
// named consumer may change.
func TestOverrideThroughAlias(t *testing.T) {
	data, err := os.ReadFile("../scenarios/truce90.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "inventory: *auto-cover") {
		t.Fatal("truce90.yaml no longer shares an inventory map through an alias; this test needs one")
	}
	base := mustParse(t, string(data))
	sc := mustParse(t, string(data), Override{"consumers.us-users.inventory.dy", "180d"})
	for i, c := range sc.Consumers {
		b := base.Consumers[i]
		for _, mat := range sc.Materials {
			got, want := c.Inventory[mat], b.Inventory[mat]
			if c.ID == "us-users" && mat == "dy" {
				if got.Kind != Fixed || got.Value != 180 || got.Unit != Days {
					t.Errorf("us-users inventory dy = %+v; want 180 days", got)
				}
				continue
			}
			got.Pos, want.Pos = Pos{}, Pos{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s inventory %s = %+v after setting us-users; want it unchanged, %+v", c.ID, mat, got, want)
			}
		}
	}
}

// TestMergeKeys decodes YAML merge keys: a mapping takes the merged keys it
// does not set itself, and an override of a merged field changes only its
// own mapping.
func TestMergeKeys(t *testing.T) {
	src := `
start: 2025-01-01
horizon: 1y
materials: [ndpr, dy]
stages: [mine]
nodes:
  - {id: a, stage: mine, region: CN, capacity: {ndpr: 10, dy: 1}}
consumers:
  - {id: c1, region: US, demand: &d {ndpr: 20, dy: 2}}
  - {id: c2, region: US, demand: {<<: *d, dy: 3}}
  - {id: c3, region: US, demand: {<<: [*d]}}
routes:
  - {from: a, to: c1}
  - {from: a, to: c2}
  - {from: a, to: c3}
`
	sc := mustParse(t, src, Override{"consumers.c3.demand.ndpr", "50"})
	for _, tt := range []struct {
		c, mat string
		want   float64
	}{{"c1", "ndpr", 20}, {"c1", "dy", 2}, {"c2", "ndpr", 20}, {"c2", "dy", 3}, {"c3", "ndpr", 50}, {"c3", "dy", 2}} {
		for _, c := range sc.Consumers {
			if c.ID == tt.c {
				if got := c.Demand[tt.mat].Value; got != tt.want {
					t.Errorf("%s demand %s = %g; want %g", tt.c, tt.mat, got, tt.want)
				}
			}
		}
	}
}

// TestRoutesByMaterial: two routes may join one pair of nodes when their
// materials do not overlap; overlapping ones are refused at their line.
func TestRoutesByMaterial(t *testing.T) {
	src := `
start: 2025-01-01
horizon: 1y
materials: [ndpr, dy, tb]
stages: [mine]
nodes:
  - {id: a, stage: mine, region: CN, capacity: {ndpr: 10, dy: 1, tb: 1}}
consumers:
  - {id: c, region: US, demand: {ndpr: 20, dy: 2, tb: 1}}
routes:
  - {from: a, to: c, materials: [ndpr]}
  - {from: a, to: c, materials: [dy, tb]}
`
	sc := mustParse(t, src)
	if len(sc.Routes) != 2 {
		t.Fatalf("routes = %d; want 2", len(sc.Routes))
	}
	bad := strings.Replace(src, "materials: [dy, tb]", "materials: [ndpr, tb]", 1) + "  - {from: a, to: c, materials: [dy]}\n"
	_, err := Parse([]byte(bad), "test.yaml")
	want := "test.yaml:12:5: routes[1]: duplicates routes[0] (a -> c) for ndpr"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("overlapping routes: error %v; want it to contain %q", err, want)
	}
	bad = strings.Replace(src, ", materials: [dy, tb]", "", 1)
	if _, err := Parse([]byte(bad), "test.yaml"); err == nil || !strings.Contains(err.Error(), "for ndpr") {
		t.Errorf("a route for all materials beside one for ndpr: error %v; want an overlap on ndpr", err)
	}
}

// TestIdleCapacityWarnings: capacity that no feed can reach, whose output
// no route carries to a consumer, or that only share-0 routes connect to
// consumers while rerouting is off, is warned about by name.
func TestIdleCapacityWarnings(t *testing.T) {
	src := `
start: 2025-01-01
horizon: 5y
materials: [ndpr, dy]
stages: [mine, process]
nodes:
  - {id: cn-mine, stage: mine, region: CN, capacity: {ndpr: 100, dy: 10}}
  - {id: us-mine, stage: mine, region: US, capacity: {ndpr: 50}}
  - {id: cn-proc, stage: process, region: CN, capacity: {ndpr: 100, dy: 10}}
  - {id: us-proc, stage: process, region: US, capacity: {ndpr: 50}}
  - {id: jp-proc, stage: process, region: JP, capacity: {ndpr: 50}}
consumers:
  - {id: us, region: US, demand: {ndpr: 100, dy: 10}}
routes:
  - {from: cn-mine, to: cn-proc}
  - {from: us-mine, to: us-proc}
  - {from: us-mine, to: jp-proc, materials: [ndpr]}
  - {from: cn-proc, to: us, share: 1}
  - {from: us-proc, to: us, share: 0}
events:
  - {id: us-heavy, type: buildout, node: us-proc, capacity: {dy: 5}, online: 2y}
`
	sc := mustParse(t, src)
	want := []string{
		"buildout us-heavy: its dy capacity at us-proc can never matter: no feed can reach it",
		"node jp-proc: its ndpr capacity can never matter: no route carries jp-proc's ndpr on to a consumer",
		"node us-proc: its ndpr capacity can never matter: only share-0 routes lead from us-proc towards consumers, and reroute_after is never",
		"node us-mine: its ndpr capacity can never matter: only share-0 routes",
	}
	all := strings.Join(sc.Warnings, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q; got:\n%s", w, all)
		}
	}
	if len(sc.Warnings) != len(want) {
		t.Errorf("got %d warnings; want %d:\n%s", len(sc.Warnings), len(want), all)
	}
	// With rerouting on, the backup matters; with dy at the US mine, the
	// heavy circuit has a feed.
	fixed := strings.Replace(src, "capacity: {ndpr: 50}}\n  - {id: cn-proc", "capacity: {ndpr: 50, dy: 5}}\n  - {id: cn-proc", 1)
	fixed = strings.Replace(fixed, "materials: [ndpr, dy]", "reroute_after: 30d\nmaterials: [ndpr, dy]", 1)
	sc = mustParse(t, fixed)
	for _, w := range sc.Warnings {
		if !strings.Contains(w, "jp-proc") {
			t.Errorf("unexpected warning %q", w)
		}
	}
}

// TestReadFileRefuses: a directory, a device that never ends and a FIFO
// (whose open blocks until a writer comes) are refused before they are
// read, with an error naming the file; so is a file over the size limit.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, "/dev/zero", fifo, big} {
		for _, load := range []func(string) error{
			func(p string) error { _, err := Load(p); return err },
			func(p string) error { _, err := LoadSweep(p); return err },
		} {
			err := load(path)
			var list ErrorList
			if !errors.As(err, &list) || list[0].File != path {
				t.Errorf("loading %s: %v; want an error naming the file", path, err)
			}
		}
	}
}

// TestOutageRateLimit: an outage rate that can exceed the supported limit
// is an input error at its line, from validate, not a run-time failure.
func TestOutageRateLimit(t *testing.T) {
	src := readValid(t) + "  - {id: storms, type: outage, nodes: [cn-mine], rate: {dist: uniform, min: 10, max: 5000}, duration: 5d}\n"
	_, err := Parse([]byte(src), "test.yaml")
	if err == nil || !strings.Contains(err.Error(), "events[storms].rate") || !strings.Contains(err.Error(), "at most 1000") || !strings.Contains(err.Error(), "test.yaml:") {
		t.Errorf("outage rate up to 5000: %v; want a positioned error naming the limit", err)
	}
}

// TestRefusesSecondDocumentAndTags: a second YAML document and explicit
// YAML tags used to be silently accepted (the second document dropped, a
// tag overriding the field's type); both are errors at their line.
func TestRefusesSecondDocumentAndTags(t *testing.T) {
	src := readValid(t)
	for _, tt := range []struct{ src, want string }{
		{src + "---\nname: other\n", "a second YAML document starts here"},
		{strings.Replace(src, "probability: 0.75", "probability: !!str 0.75", 1), "YAML tag !!str is not accepted"},
		{strings.Replace(src, "probability: 0.75", "probability: !foo 0.75", 1), "YAML tag !foo is not accepted"},
		{src + "extra: !!binary aGVsbG8=\n", "YAML tag !!binary is not accepted"},
	} {
		_, err := Parse([]byte(tt.src), "test.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "test.yaml:") {
			t.Errorf("error %v; want a positioned %q", err, tt.want)
		}
	}
	// A document marker before the one document is fine.
	mustParse(t, "---\n"+src)
}

// TestSharesWithinTolerance: shares that sum to within 1e-6 of 1, such as
// three of 0.333333, are accepted (and rescaled); 1e-5 off is refused.
func TestSharesWithinTolerance(t *testing.T) {
	src := func(share string) string {
		return fmt.Sprintf(`
start: 2025-01-01
horizon: 1y
materials: [x]
stages: [mine]
nodes:
  - {id: a, stage: mine, region: CN, capacity: {x: 10}}
  - {id: b, stage: mine, region: CN, capacity: {x: 10}}
  - {id: c, stage: mine, region: CN, capacity: {x: 10}}
consumers:
  - {id: u, region: US, demand: {x: 20}}
routes:
  - {from: a, to: u, share: %[1]s}
  - {from: b, to: u, share: %[1]s}
  - {from: c, to: u, share: %[1]s}
`, share)
	}
	sc := mustParse(t, src("0.333333"))
	var sum float64
	for _, r := range sc.Routes {
		sum += r.Share["x"]
	}
	if math.Abs(sum-1) > 1e-15 {
		t.Errorf("shares sum to %.17g after rescaling; want 1", sum)
	}
	if _, err := Parse([]byte(src("0.33333")), "test.yaml"); err == nil {
		t.Error("shares of 0.33333 x 3 (1e-5 short) were accepted")
	}
}

// TestSweepDesignSize: a design too large to lay out (a grid of 1000
// levels over three parameters, 1e9 points) is refused at its line, with
// the count, before anything is allocated for it.
func TestSweepDesignSize(t *testing.T) {
	src := `scenario: truce90
design: grid
levels: 1000
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
  - {path: events.truce.allowed, min: 0.3, max: 0.95}
  - {path: reroute_after, min: 30d, max: 300d}
`
	_, err := ParseSweep([]byte(src), "big.yaml")
	if err == nil || !strings.Contains(err.Error(), "big.yaml:2:") || !strings.Contains(err.Error(), "1e+09 points") {
		t.Errorf("grid of 1e9 points: %v; want a refusal at the design line with the count", err)
	}
	sw, err := ParseSweep([]byte(strings.Replace(src, "levels: 1000", "levels: 50", 1)), "ok.yaml")
	if err != nil || sw.DesignPoints() != 125000 {
		t.Errorf("grid of 50^3 points: %v, %v points", err, sw)
	}
	sobol := strings.Replace(strings.Replace(src, "design: grid", "design: sobol", 1), "levels: 1000", "samples: 1048576", 1)
	if _, err := ParseSweep([]byte(sobol), "sobol.yaml"); err == nil || !strings.Contains(err.Error(), "5.243e+06 points") {
		t.Errorf("sobol of 2^20 samples x 5: %v; want a refusal", err)
	}
}

// TestUnreadableInputPositioned: binary data, nesting too deep for the
// parser and a symlink loop are input errors with a position (or the
// file), not bare parser or OS errors.
func TestUnreadableInputPositioned(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"name: x\nstart: \x00\n", "test.yaml:2:8: control character U+0000"},
		{"name: x\n\xff\xfe\n", "test.yaml:2:1: byte 0xff is not UTF-8"},
		{"a: " + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "\n", "test.yaml:1:1004: nesting deeper than 1000 levels"},
	} {
		_, err := Parse([]byte(tt.src), "test.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v; want %q", err, tt.want)
		}
	}
	// Quotes, comments and apostrophes in plain words do not confuse the
	// depth count.
	mustParse(t, readValid(t)+"# a comment with [[[ and China's { brackets\n")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	os.Symlink(b, a)
	os.Symlink(a, b)
	_, err := Load(a)
	var list ErrorList
	if !errors.As(err, &list) || list[0].File != a || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("symlink loop: %v; want an input error naming the file", err)
	}
}

// TestMagnitudeLimits: values that used to validate and then overflow the
// engine (an aggregate turned non-finite) are refused at their position,
// naming the limit; the largest sane values still pass.
func TestMagnitudeLimits(t *testing.T) {
	data, err := os.ReadFile("../scenarios/truce90.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for _, tt := range []struct {
		ovs  []Override
		want string // in the error, beside consumers.us-users... or the path
	}{
		{[]Override{{"consumers.us-users.demand.dy", "1.5e154"}}, "limit"},
		{[]Override{{"consumers.us-users.growth", "1e300"}}, "limit"},
		{[]Override{{"consumers.us-users.growth", "{dist: uniform, min: 10, max: 100}"}, {"horizon", "100y"}}, "grows"},
		{[]Override{{"consumers.us-users.growth", "2"}, {"horizon", "200y"}}, "grows"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: normal, mean: 1e300, sd: 1e299}"}}, "limit"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: lognormal, mu: 1000, sigma: 1000}"}}, "limit"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: lognormal, p50: 1, p90: 1e300}"}}, "limit"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: exponential, mean: 1e308}"}}, "limit"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: uniform, min: 0, max: 1.7e308}"}}, "limit"},
		{[]Override{{"consumers.us-users.demand.dy", "{dist: triangular, min: 0, mode: 1, max: 1.7e308}"}}, "limit"},
		{[]Override{{"events.truce.renewal.probability", "{dist: beta, alpha: 1e300, beta: 1e300}"}}, "limit"},
		{[]Override{{"events.truce.duration", "1000000y"}}, "limit"},
		{[]Override{{"nodes.us-process.capacity.dy", "1e13"}}, "limit"},
	} {
		_, err := Parse([]byte(src), "truce90.yaml", tt.ovs...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.ovs[0].Path) {
			t.Errorf("%v: %v; want an error at %s saying %q", tt.ovs, err, tt.ovs[0].Path, tt.want)
		}
	}
	// At the limits, and fast growth over a short horizon, still validate.
	mustParse(t, src, Override{"consumers.us-users.demand.dy", "1e9"}, Override{"consumers.us-users.growth", "0.5"})
	mustParse(t, src, Override{"events.truce.renewal.probability", "{dist: beta, alpha: 1e6, beta: 1e6}"})
	mustParse(t, src, Override{"consumers.us-users.demand.dy", "{dist: lognormal, p50: 100, p90: 1e6}"})
}

// TestNameLength: a 300-character material name used to validate and then
// fail after six chart files were written; names are limited at validation.
func TestNameLength(t *testing.T) {
	long := strings.Repeat("m", 300)
	src := strings.Replace(readValid(t), "materials: [ndpr, dy]", "materials: [ndpr, dy, "+long+"]", 1)
	if src == readValid(t) {
		t.Fatal("the test scenario's materials line moved")
	}
	if _, err := Parse([]byte(src), "test.yaml"); err == nil || !strings.Contains(err.Error(), "materials[2]") || !strings.Contains(err.Error(), "1 to 64") {
		t.Errorf("a 300-character material: %v", err)
	}
	if !ValidName(strings.Repeat("m", 64)) || ValidName(strings.Repeat("m", 65)) || ValidName("../x") || ValidName("") {
		t.Error("ValidName's bounds are wrong")
	}
}

// TestCorrelations: correlations parse; an unknown path, a rank of 1, a
// pair given twice and a group that is not positive definite are errors
// at their lines naming the entries; a correlation of a fixed field warns.
func TestCorrelations(t *testing.T) {
	data, err := os.ReadFile("../scenarios/truce90.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(data) + "correlations:\n"
	ok := base + "  - {between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 0.8}\n" +
		"  - {between: [events.truce.renewal.probability, events.oct-controls.allowed], rank: -0.5}\n"
	sc := mustParse(t, ok)
	if len(sc.Correlations) != 2 || sc.Correlations[1].Rank != -0.5 || sc.Correlations[0].Pos.Line == 0 {
		t.Errorf("correlations: %+v", sc.Correlations)
	}
	lines := strings.Count(base, "\n")
	for _, tt := range []struct {
		entries, want string
		line          int // of the error, from the first entry's
	}{
		{"  - {between: [consumers.eu-users.growht, consumers.us-users.growth], rank: 0.5}\n", "names no field", 0},
		{"  - {between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 1}\n", "strictly between -1 and 1", 0},
		{"  - {between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 0.5}\n  - {between: [consumers.us-users.growth, consumers.eu-users.growth], rank: 0.3}\n", "already correlated at line", 1},
		{"  - {between: [consumers.eu-users.growth, consumers.eu-users.growth], rank: 0.5}\n", "two different parameter paths", 0},
		{"  - {between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 0.9}\n" +
			"  - {between: [consumers.us-users.growth, consumers.jp-users.growth], rank: 0.9}\n" +
			"  - {between: [consumers.eu-users.growth, consumers.jp-users.growth], rank: -0.9}\n", "not positive definite", 0},
	} {
		_, err := Parse([]byte(base+tt.entries), "test.yaml")
		if line := lines + 1 + tt.line; err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), fmt.Sprintf("test.yaml:%d:", line)) {
			t.Errorf("%s: %v; want %q at line %d", tt.entries, err, tt.want, line)
		}
	}
	// The non-positive-definite error names every entry of the group.
	_, err = Parse([]byte(base+"  - {between: [consumers.eu-users.growth, consumers.us-users.growth], rank: 0.9}\n"+
		"  - {between: [consumers.us-users.growth, consumers.jp-users.growth], rank: 0.9}\n"+
		"  - {between: [consumers.eu-users.growth, consumers.jp-users.growth], rank: -0.9}\n"), "test.yaml")
	for i := range 3 {
		if !strings.Contains(fmt.Sprint(err), fmt.Sprintf("correlations[%d] (line %d", i, lines+1+i)) {
			t.Errorf("the error does not name correlations[%d] at its line: %v", i, err)
		}
	}
	fixed := mustParse(t, ok, Override{"consumers.eu-users.growth", "0.05"})
	if !strings.Contains(strings.Join(fixed.Warnings, "\n"), "consumers.eu-users.growth is fixed") {
		t.Errorf("no warning for a fixed correlated field: %v", fixed.Warnings)
	}
}
