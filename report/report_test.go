package report

import (
	"bytes"
	"context"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sim"
)

func render(t *testing.T) (string, *sim.Result) {
	t.Helper()
	sc, err := scenarios.Load("truce90")
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 128})
	if err != nil {
		t.Fatal(err)
	}
	res.Version = "test"
	var b bytes.Buffer
	if err := Write(&b, Input{Result: res, Scenario: sc, Generated: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return b.String(), res
}

// TestReportIsSelfContained: the page holds every finding, chart and event
// and refers to nothing outside itself.
func TestReportIsSelfContained(t *testing.T) {
	html, res := render(t)
	for _, want := range []string{"<h1>truce90</h1>", res.ScenarioSHA256, "128 trials, seed 1", "2026-01-02 03:04 UTC", `id="events"`, `id="glossary"`, "the smallest for delivered", "april-controls-hre", "lynas-malaysia-hre", "myanmar-border"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(html, `<table class="findings"`); n != len(res.Materials) {
		t.Errorf("report has %d findings tables; want %d", n, len(res.Materials))
	}
	if n, want := strings.Count(html, "<svg"), 7*len(res.Materials); n != want {
		t.Errorf("report has %d inline charts; want %d", n, want)
	}
	// Nothing to fetch: no src attributes, no links but to the page's own
	// anchors, no CSS imports or urls.
	if m := regexp.MustCompile(`(?i)(\ssrc=|\shref="[^#]|@import|url\()`).FindString(html); m != "" {
		t.Errorf("report refers to an outside resource: %q", m)
	}
	// Every link of the table of contents lands on an id of the page.
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(links) < 5 {
		t.Errorf("table of contents has %d links", len(links))
	}
	for _, l := range links {
		if !strings.Contains(html, `id="`+l[1]+`"`) {
			t.Errorf("contents link #%s has no target", l[1])
		}
	}
}

// TestReportReadsAsWritten: events show their fields as the scenario
// wrote them, each chart has a caption of its own that is not its title,
// every material has a region table, and the summary names the most
// exposed region with its numbers.
func TestReportReadsAsWritten(t *testing.T) {
	html, res := render(t)
	for _, want := range []string{
		"online: {dist: pert, min: 2026-06-01, mode: 2026-12-01, max: 2028-06-01}",
		"ramp: {dist: triangular, min: 0.5y, mode: 1y, max: 2y}",
		"cost: $150 M",
		"ramp: 30d",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("events table lacks %q", want)
		}
	}
	for _, bad := range []string{"182.625d", "$1.5e+08"} {
		if strings.Contains(html, bad) {
			t.Errorf("events table shows %q, not what the scenario wrote", bad)
		}
	}
	caps := regexp.MustCompile(`(?s)<figure id="chart-([^"]+)">.*?<figcaption>(.*?)</figcaption>`).FindAllStringSubmatch(html, -1)
	if len(caps) != 7*len(res.Materials) {
		t.Fatalf("%d captioned charts; want %d", len(caps), 7*len(res.Materials))
	}
	titles := map[string]string{}
	for _, c := range plots.Charts(res, plots.Options{}) {
		titles[c.Name] = template.HTMLEscapeString(c.Title)
	}
	seen := map[string]string{}
	for _, c := range caps {
		if other, ok := seen[c[2]]; ok {
			t.Errorf("charts %s and %s share the caption %q", c[1], other, c[2])
		}
		seen[c[2]] = c[1]
		if c[2] == titles[c[1]] || len(c[2]) < 60 {
			t.Errorf("chart %s: caption %q says too little", c[1], c[2])
		}
	}
	if n := strings.Count(html, `<table class="regions"`); n != len(res.Materials) {
		t.Errorf("%d region tables; want %d", n, len(res.Materials))
	}
	for _, mat := range res.Materials {
		var worst sim.Metric
		for _, m := range res.Metrics {
			if m.Scope == sim.ScopeRegion && m.Material == mat && m.Metric == sim.MetricShortfallFrac && m.Mean > worst.Mean {
				worst = m
			}
		}
		want := "The most exposed region is " + worst.ID + ":"
		if worst.Mean > 0 && !strings.Contains(html, want) {
			t.Errorf("summary for %s lacks %q", mat, want)
		}
		ps, _ := res.Find(sim.ScopeTotal, "all", mat, sim.MetricPShort)
		if want := mat + ": in " + output.Percent(ps.Mean); ps.Mean > 0 && !strings.Contains(html, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

// TestReportSections: a further result shows as a section with its
// table, its charts and an entry in the contents.
func TestReportSections(t *testing.T) {
	sc, _ := scenarios.Load("truce90")
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 16})
	if err != nil {
		t.Fatal(err)
	}
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt"><rect width="10" height="10"/></svg>`)
	in := Input{Result: res, Scenario: sc, Sections: []Section{{
		ID: "sweep", Title: "Sweep: which lever matters", Intro: "A Sobol' sweep.",
		Header: []string{"param", "S1"}, Rows: [][]string{{"truce.renewal.probability", "0.41"}},
		Figures: []Figure{{Name: "sobol-x", Caption: "S1 and ST of each lever.", SVG: svg}},
	}}}
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`<h2 id="sweep">Sweep: which lever matters</h2>`, `href="#sweep"`, "<td class=\"l\">truce.renewal.probability</td><td>0.41</td>", `<figure id="chart-sobol-x">`, "S1 and ST of each lever.", `viewBox="0 0 10 10"`} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestReportInBrowser loads the report in headless Chromium: it must parse
// with every findings table and chart present and no console errors; a
// screenshot is kept in out/browser for inspection. It runs where
// REESIM_BROWSER_TEST is set (CI installs Chromium and sets it).
func TestReportInBrowser(t *testing.T) {
	if os.Getenv("REESIM_BROWSER_TEST") == "" {
		t.Skip("set REESIM_BROWSER_TEST=1 (with chromium installed) to run")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found: %v", err)
	}
	html, res := render(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	shots, _ := filepath.Abs(filepath.Join("..", "out", "browser"))
	os.MkdirAll(shots, 0o755)
	args := func(extra ...string) []string {
		return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0"}, extra...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, chromium, args("--dump-dom", "file://"+page)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom: %v\n%s", err, stderr.String())
	}
	dom := stdout.String()
	if n := strings.Count(dom, `class="findings"`); n != len(res.Materials) {
		t.Errorf("browser DOM has %d findings tables; want %d", n, len(res.Materials))
	}
	if n, want := strings.Count(dom, "<svg"), 7*len(res.Materials); n != want {
		t.Errorf("browser DOM has %d charts; want %d", n, want)
	}
	for _, want := range []string{`<nav id="contents">`, `<div id="summary">`, `class="regions"`, "The most exposed region is"} {
		if !strings.Contains(dom, want) {
			t.Errorf("browser DOM lacks %q", want)
		}
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console message: %s", line)
		}
	}
	shot := filepath.Join(shots, "report.png")
	cmd = exec.CommandContext(ctx, chromium, args("--screenshot="+shot, "--window-size=1280,2400", "--hide-scrollbars", "file://"+page)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
		t.Errorf("screenshot %s missing or blank: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
