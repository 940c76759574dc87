package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenTruce90 pins truce90's results to the bit: the total-scope
// metrics in readable form and a SHA-256 of the whole result (metrics,
// distributions, series, utilisation, flows). A refactoring that should not
// change the numbers must leave both alone; a change of the model rewrites
// them with `go test ./sim -run TestGoldenTruce90 -update`, and the commit
// says why. Only amd64 is pinned: Go may fuse multiply-adds on other
// architectures, which changes the last bits.
func TestGoldenTruce90(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("results are pinned on amd64; this is %s", runtime.GOARCH)
	}
	sc := loadScenario(t, "truce90")
	res, err := Run(context.Background(), sc, Options{Trials: 256, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	all, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var total []Metric
	for _, m := range res.Metrics {
		if m.Scope == ScopeTotal {
			total = append(total, m)
		}
	}
	got, err := json.MarshalIndent(struct {
		SHA256 string   `json:"result_sha256"`
		Total  []Metric `json:"total"`
	}{fmt.Sprintf("%x", sha256.Sum256(all)), total}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "truce90-256.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./sim -run TestGoldenTruce90 -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("truce90's results changed (go test ./sim -run TestGoldenTruce90 -update rewrites %s if that is intended):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := range max(len(w), len(g)) {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, a, b)
		}
	}
	return "(no line differs)"
}
