package sim

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestShardsMergeToTheUnshardedRun: for several splits, uneven ones
// included, shards written, read back and merged in any order give the
// unsharded run's result byte for byte.
func TestShardsMergeToTheUnshardedRun(t *testing.T) {
	sc := anyScenario(t)
	const trials = 700 // not a multiple of the block size
	whole, err := Run(context.Background(), sc, Options{Trials: trials})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(whole)
	for _, n := range []int{1, 2, 3, 7} {
		var parts []*Part
		for i := n - 1; i >= 0; i-- { // any order
			pt, err := RunPart(context.Background(), sc, Options{Trials: trials}, i, n)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(pt)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ReadPart(data, sc)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, back)
		}
		res, err := Merge(parts)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(res)
		if string(got) != string(want) {
			t.Errorf("%d shards merged differ from the unsharded run", n)
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	sc, err := model.Load("../scenarios/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	part := func(i, n int, seed uint64) *Part {
		pt, err := RunPart(context.Background(), sc, Options{Trials: 200, Seed: seed}, i, n)
		if err != nil {
			t.Fatal(err)
		}
		return pt
	}
	p0, p1, p2 := part(0, 3, 1), part(1, 3, 1), part(2, 3, 1)
	for _, tt := range []struct {
		name  string
		parts []*Part
		want  string
	}{
		{"missing", []*Part{p0, p2}, "missing shard(s) [1]"},
		{"duplicate", []*Part{p0, p1, p1, p2}, "given twice"},
		{"seed", []*Part{p0, part(1, 3, 2), p2}, "different seeds"},
		{"split", []*Part{p0, p1, part(1, 2, 1)}, "different splits"},
	} {
		if _, err := Merge(tt.parts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Merge = %v; want %q", tt.name, err, tt.want)
		}
	}
	data, _ := json.Marshal(p1)
	if _, err := ReadPart(data[:len(data)/2], sc); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated part: %v", err)
	}
	corrupt := strings.Replace(string(data), `"moments":[[`, `"moments":[[1`, 1)
	if _, err := ReadPart([]byte(corrupt), sc); err == nil {
		t.Error("a corrupt part was accepted")
	}
	other, _ := model.Load("../scenarios/truce90.yaml")
	if _, err := ReadPart(data, other); err == nil || !strings.Contains(err.Error(), "not truce90") {
		t.Errorf("part of another scenario: %v", err)
	}
}

// TestReadPartRefusesTampering: the checksum covers the manifest (an edited
// seed is caught), and a forged aggregate whose checksum was recomputed is
// still refused by the consistency checks.
func TestReadPartRefusesTampering(t *testing.T) {
	sc, err := model.Load("../scenarios/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pt, err := RunPart(context.Background(), sc, Options{Trials: 100, Seed: 3}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(pt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPart(data, sc); err != nil {
		t.Fatalf("an untouched part: %v", err)
	}
	seed := strings.Replace(string(data), `"seed":3,`, `"seed":4,`, 1)
	if _, err := ReadPart([]byte(seed), sc); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("edited seed: %v", err)
	}
	// reseal rewrites the aggregate with edit and recomputes the checksum,
	// as a forger would.
	reseal := func(edit func(e *encoded)) []byte {
		var raw struct {
			Manifest  Manifest
			Aggregate encoded
		}
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		edit(&raw.Aggregate)
		payload, _ := json.Marshal(raw.Aggregate)
		raw.Manifest.SHA256, _ = raw.Manifest.checksum(payload)
		mb, _ := json.Marshal(raw.Manifest)
		return []byte(`{"manifest":` + string(mb) + `,"aggregate":` + string(payload) + "}")
	}
	if _, err := ReadPart(reseal(func(*encoded) {}), sc); err != nil {
		t.Fatalf("a resealed but unchanged part: %v", err)
	}
	// c is a cell whose values differ: the demand of the first scope.
	c := iDemand
	if e := pt.a.mom[c]; e.n == 0 || e.min == e.max {
		t.Fatalf("cell %d has %d values in [%g, %g]; the test wants a spread", c, e.n, e.min, e.max)
	}
	for name, edit := range map[string]func(e *encoded){
		"no trials":      func(e *encoded) { e.Trials = 0 },
		"count 2^64-1":   func(e *encoded) { e.Mom[c][0] = math.MaxUint64 },
		"NaN min":        func(e *encoded) { e.Mom[c][7] = math.Float64bits(math.NaN()) },
		"min above max":  func(e *encoded) { e.Mom[c][7], e.Mom[c][8] = e.Mom[c][8], e.Mom[c][7] },
		"sum above max":  func(e *encoded) { e.Mom[c][1]++ },
		"squares zeroed": func(e *encoded) { e.Mom[c][3], e.Mom[c][4], e.Mom[c][5], e.Mom[c][6] = 0, 0, 0, 0 },
		"negative flow":  func(e *encoded) { e.Flow[0] = [2]uint64{math.MaxUint64, math.MaxUint64} },
	} {
		if _, err := ReadPart(reseal(edit), sc); err == nil {
			t.Errorf("%s: a forged part was accepted", name)
		}
	}
	old := strings.Replace(string(data), `"format":2`, `"format":1`, 1)
	if _, err := ReadPart([]byte(old), sc); err == nil || !strings.Contains(err.Error(), "format 1") {
		t.Errorf("a part of another format: %v", err)
	}
}
