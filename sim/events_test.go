package sim

import (
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

// TestEventTypes: every event of a scenario with each type is compiled
// into its type's table, and an event of a type the engine does not list
// is an error, not silently dropped.
func TestEventTypes(t *testing.T) {
	sc, err := model.Parse([]byte(fuzzSeeds[0]), "tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[model.EventType]int{}
	for _, e := range sc.Events {
		want[e.Type]++
	}
	for _, typ := range []model.EventType{model.ExportRestriction, model.TruceEvent, model.BuildoutEvent, model.OutageEvent} {
		if want[typ] == 0 {
			t.Fatalf("the tiny scenario has no %s event; the test needs one of each", typ)
		}
	}
	p, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[model.EventType]int{
		model.ExportRestriction: len(p.restr), model.TruceEvent: len(p.truces),
		model.BuildoutEvent: len(p.builds), model.OutageEvent: len(p.outages),
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%s: compiled %d of %d", typ, got[typ], n)
		}
	}

	odd := *sc
	odd.Events = append(append([]model.Event(nil), sc.Events...), model.Event{ID: "later", Type: "tariff", Probability: model.FixedValue(1, model.Number)})
	if _, err := compile(&odd); err == nil || !strings.Contains(err.Error(), `"tariff"`) {
		t.Errorf("an event type without an engine compiled: err = %v", err)
	}
}
