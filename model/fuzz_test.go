package model

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad: the loader never panics, and every error it reports is an
// ErrorList entry that names the file and, unless the YAML parser gave
// none, a line.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../testdata/bad/*.yaml", "../scenarios/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(data, "fuzz.yaml")
		if err == nil {
			if sc == nil || len(sc.Materials) == 0 || !(sc.Horizon > 0) {
				t.Fatalf("Parse succeeded with an unusable scenario: %+v", sc)
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("Parse error is not an ErrorList: %v", err)
		}
		for _, e := range list {
			if e.File != "fuzz.yaml" || e.Msg == "" {
				t.Fatalf("error without file or message: %#v", e)
			}
			if e.Line == 0 && !strings.HasPrefix(e.Msg, "invalid YAML") && !strings.Contains(e.Msg, "limited to") {
				t.Fatalf("error without a line: %v", e)
			}
		}
	})
}
