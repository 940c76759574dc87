package model

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestBadInputCorpus loads every file in testdata/bad: each must be
// refused with errors that name a position, and the messages must match
// the golden file beside it (go test ./model -update rewrites them).
func TestBadInputCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/bad/*.yaml")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 bad-input files, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data, name)
			if err == nil {
				t.Fatalf("Parse(%s) succeeded; want an error", name)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Parse(%s) = %v; want an ErrorList", name, err)
			}
			for _, e := range list {
				if e.File != name || e.Line == 0 && name != "empty-document.yaml" {
					t.Errorf("error without a position: %v", e)
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./model -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Parse(%s) errors:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
}
