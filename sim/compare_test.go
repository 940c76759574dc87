package sim

import (
	"context"
	"math"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestCompare: switching off a ban that costs 0.75 t/day for 200 days
// accounts for 150 t exactly, and with common random numbers the paired
// SE of an uncertain effect is far below the unpaired one.
func TestCompare(t *testing.T) {
	src := chain("    inventory: {x: {dist: uniform, min: 0d, max: 60d}}", "", toUS, `
  - {id: ban, type: export_restriction, region: CN, materials: all, start: 100d, duration: 200d, allowed: 0.25}
  - {id: late, type: export_restriction, region: CN, start: 310d, duration: {dist: uniform, min: 10d, max: 50d}}`)
	base, err := model.Parse([]byte(src), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var variants []*model.Scenario
	for _, id := range []string{"ban", "late"} {
		v, err := model.Parse([]byte(src), "base.yaml", model.Override{Path: "events." + id + ".probability", Value: "0"})
		if err != nil {
			t.Fatal(err)
		}
		variants = append(variants, v)
	}
	var lastDone, lastTotal int
	c, err := Compare(context.Background(), base, variants, Options{Trials: 4000, Seed: 5, Progress: func(done, total int) { lastDone, lastTotal = done, total }})
	if err != nil {
		t.Fatal(err)
	}
	if lastDone != 4000 || lastTotal != 4000 {
		t.Errorf("last progress call: %d of %d; want 4000 of 4000", lastDone, lastTotal)
	}
	// The ban costs 150 t less what the inventory covers; without it the
	// inventory would be left for the late ban instead.
	ban, late := c.Diff[0][0], c.Diff[1][0]
	if !(ban.Mean > 90 && ban.Max <= 150+1e-9) {
		t.Errorf("ban accounts for %+v; want between 90 and 150 t", ban)
	}
	// The late ban: expected 30 days at full loss = 30 t when inventory is
	// gone (it always is after the first ban).
	if math.Abs(late.Mean-30) > 4*late.SE+1e-9 {
		t.Errorf("late ban accounts for %g ± %g t; want 30", late.Mean, late.SE)
	}
	// Paired SE is smaller than the base's own SE.
	if !(late.SE < c.Base[0].SE) {
		t.Errorf("paired SE %g not below the unpaired %g", late.SE, c.Base[0].SE)
	}
	// Reproducible for any worker count.
	c1, _ := Compare(context.Background(), base, variants, Options{Trials: 4000, Seed: 5, Workers: 1})
	if c1.Diff[1][0].Mean != late.Mean || c1.Diff[1][0].SE != late.SE {
		t.Error("Compare depends on the worker count")
	}
}
