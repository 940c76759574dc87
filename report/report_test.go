package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	// Nothing to fetch: no src or href attributes, no CSS imports or urls.
	if m := regexp.MustCompile(`(?i)(\ssrc=|\shref=|@import|url\()`).FindString(html); m != "" {
		t.Errorf("report refers to an outside resource: %q", m)
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
