package sim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestShardsMergeToTheUnshardedRun: for several splits, uneven ones
// included, shards written, read back and merged in any order give the
// unsharded run's result byte for byte.
func TestShardsMergeToTheUnshardedRun(t *testing.T) {
	sc := truce90(t)
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
