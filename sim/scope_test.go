package sim

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestScopes checks the region and total scopes against their consumers: a
// region of one consumer reports exactly that consumer's figures (it shares
// its aggregates), a region of two and the total add up.
func TestScopes(t *testing.T) {
	src := `name: scopes
start: 2025-01-01
horizon: 1y
period: month
materials: [x]
nodes:
  - {id: cn-mine, stage: mine, region: CN, capacity: {x: 100000}}
  - {id: cn-mag, stage: magnet, region: CN, capacity: {x: 100000}}
consumers:
  - {id: us1, region: US, demand: {x: 300}, inventory: {x: {dist: uniform, min: 10d, max: 90d}}}
  - {id: eu, region: EU, demand: {x: 200}, inventory: {x: 30d}}
  - {id: us2, region: US, demand: {x: 100}}
routes:
  - {from: cn-mine, to: cn-mag}
  - {from: cn-mag, to: us1}
  - {from: cn-mag, to: eu}
  - {from: cn-mag, to: us2}
stages: [mine, magnet]
events:
  - id: ban
    type: export_restriction
    region: CN
    materials: all
    start: 30d
    duration: {dist: uniform, min: 10d, max: 200d}
    allowed: {default: {dist: beta, alpha: 2, beta: 2}}
`
	r := simulate(t, src, 500)
	get := func(scope ScopeKind, id, name string) Metric {
		m, ok := r.Find(scope, id, "x", name)
		if !ok {
			t.Fatalf("no %s %s %s", scope, id, name)
		}
		return m
	}
	for _, name := range MetricNames {
		if a, b := get(ScopeRegion, "EU", name), get(ScopeConsumer, "eu", name); !reflect.DeepEqual(a.Stats, b.Stats) {
			t.Errorf("%s: region EU %+v differs from its one consumer %+v", name, a.Stats, b.Stats)
		}
	}
	sum := func(name string, ids ...string) float64 {
		var s float64
		for _, id := range ids {
			s += get(ScopeConsumer, id, name).Mean
		}
		return s
	}
	for _, name := range []string{MetricShortfall, MetricDemand, MetricDelivered} {
		close := func(what string, got, want float64) {
			if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
				t.Errorf("%s %s: %g; the consumers add to %g", what, name, got, want)
			}
		}
		close("region US", get(ScopeRegion, "US", name).Mean, sum(name, "us1", "us2"))
		close("total", get(ScopeTotal, "all", name).Mean, sum(name, "us1", "us2", "eu"))
	}
	us1, us2, us := get(ScopeConsumer, "us1", MetricShortfall), get(ScopeConsumer, "us2", MetricShortfall), get(ScopeRegion, "US", MetricShortfall)
	if us1.Mean <= 0 || us2.Mean <= 0 || us.P95 <= max(us1.P95, us2.P95) {
		t.Errorf("region US P95 %g not above its consumers' %g and %g (means %g, %g)", us.P95, us1.P95, us2.P95, us1.Mean, us2.Mean)
	}
	var eu, euR Series
	for _, s := range r.Series {
		switch {
		case s.Scope == ScopeConsumer && s.ID == "eu":
			eu = s
		case s.Scope == ScopeRegion && s.ID == "EU":
			euR = s
		}
	}
	if len(eu.Mean) == 0 || !reflect.DeepEqual(eu, Series{Scope: eu.Scope, ID: eu.ID, Material: eu.Material, Mean: euR.Mean, P5: euR.P5, P25: euR.P25, P50: euR.P50, P75: euR.P75, P95: euR.P95}) {
		t.Error("region EU's series differ from its one consumer's")
	}
}

// TestGridWarning: a daily grid over truce90's five years is 1,827 periods
// x 7 aggregated scopes (five consumers, the consumers outside China and
// the total; each region is one consumer) x 4 materials, worth a memory
// warning from Warnings and in the result; its monthly grid is not.
func TestGridWarning(t *testing.T) {
	month := loadScenario(t, "truce90")
	if ws := Warnings(month); len(ws) > 0 {
		t.Errorf("monthly grid warned: %q", ws)
	}
	day, err := model.Load("../scenarios/truce90.yaml", model.Override{Path: "period", Value: "day"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := GridOf(day)
	if err != nil {
		t.Fatal(err)
	}
	if g != (Grid{Periods: 1827, Scopes: 7, Materials: 4}) || g.Bytes() != 1827*7*4*GridCellBytes {
		t.Errorf("daily grid %+v, %g bytes", g, g.Bytes())
	}
	want := "1827 periods x 7 scopes x 4 materials = 51156 fan-chart cells"
	if ws := Warnings(day); len(ws) != 1 || !strings.Contains(ws[0], want) {
		t.Errorf("daily grid: warnings %q, want one saying %q", ws, want)
	}
	res, err := Run(context.Background(), day, Options{Trials: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
		t.Errorf("result warnings %q lack the grid warning", res.Warnings)
	}
}
