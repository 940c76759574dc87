package sim

import (
	"fmt"

	"github.com/reesim/reesim/model"
)

// The engine's event types (docs/model.md 4.6) live one to a file:
// event_restriction.go, event_truce.go, event_buildout.go and
// event_outage.go. Each file holds its type's compiled form (samplers),
// its state in a trial, its draws, the instants at which its effect
// changes and the effect itself. The functions in this file are the only
// code that lists the types: a new type is its own file plus a line in
// each of them (and, outside sim, its YAML fields in model and its words
// in the report).

// events are a plan's compiled events by type, each in scenario order.
type events struct {
	restr   []prestr
	truces  []ptruce
	builds  []pbuild
	outages []poutage
}

// eventState is one worker's state of the plan's events in its current
// trial, by type, index for index with events.
type eventState struct {
	rs  []rstate
	ts  []tstate
	bs  []bstate
	occ []occurrence // every outage's occurrences
}

// compileEvents compiles the scenario's events into p.events and returns
// the restrictions' indices by id. Restrictions come first, since truces
// refer to them; the order in which samplers are made is the order of the
// records' columns.
func (p *plan) compileEvents(sc *model.Scenario, nodeIdx map[string]int) (map[string]int, error) {
	restrIdx := map[string]int{}
	for _, e := range sc.Events {
		if e.Restriction != nil {
			restrIdx[e.ID] = len(p.restr)
			p.addRestriction(e)
		}
	}
	for _, e := range sc.Events {
		switch {
		case e.Restriction != nil:
			// compiled above
		case e.Truce != nil:
			p.addTruce(e, restrIdx)
		case e.Buildout != nil:
			p.addBuildout(e, nodeIdx)
		case e.Outage != nil:
			if err := p.addOutage(e, nodeIdx); err != nil {
				return nil, err
			}
		default:
			// A type model accepts and this file does not list.
			return nil, fmt.Errorf("sim: event %s: type %q has no engine (sim/events.go)", e.ID, e.Type)
		}
	}
	return restrIdx, nil
}

// newEventState allocates a worker's event state for the plan.
func (p *plan) newEventState() eventState {
	s := eventState{rs: make([]rstate, len(p.restr)), ts: make([]tstate, len(p.truces)), bs: make([]bstate, len(p.builds))}
	for i := range s.rs {
		s.rs[i].allowed = make([]float64, len(p.regions))
		s.rs[i].delayAllowed = make([]float64, len(p.regions))
	}
	for i := range s.ts {
		s.ts[i].allowed = make([]float64, len(p.regions))
	}
	for i := range s.bs {
		s.bs[i].cap = make([]float64, p.nM)
	}
	return s
}

// sampleEvents draws every event's values for the trial. Escalations come
// after the truces whose lapses start them, and a restriction's end after
// its (possibly escalated) start.
func (w *worker) sampleEvents() {
	for i := range w.rs {
		w.sampleRestriction(i)
	}
	for j := range w.ts {
		w.sampleTruce(j)
	}
	for i := range w.rs {
		w.escalate(i)
	}
	for i := range w.rs {
		w.sampleRestrictionEnd(i)
	}
	for b := range w.bs {
		w.sampleBuildout(b)
	}
	w.occ = w.occ[:0]
	for o := range w.p.outages {
		w.sampleOutage(o)
	}
}

// scheduleEvents adds, through add and ramp (a ramp's start and steps),
// every instant at which an event changes a capacity or a restriction
// factor, with the materials it can change.
func (w *worker) scheduleEvents(add func(t float64, mask uint64), ramp func(t0, l float64, mask uint64)) {
	for i := range w.rs {
		w.scheduleRestriction(i, add, ramp)
	}
	for b := range w.bs {
		w.scheduleBuildout(b, ramp)
	}
	w.scheduleOutages(add)
}

// applyEvents sets, from the base capacities, the capacities and the
// restriction factors at tm: buildouts add (docs/model.md 4.1), outages
// then multiply, and each (restriction, region) pair gets its factor.
func (w *worker) applyEvents(tm float64) {
	copy(w.cap, w.cap0)
	for b := range w.bs {
		w.addBuildoutCapacity(b, tm)
	}
	w.applyOutages(tm)
	for pi, pr := range w.p.pairs {
		w.pairF[pi] = w.factor(pr[0], pr[1], tm)
	}
}

// eventSamplers returns each uncertain event's occurrence sampler by id,
// and the keys drawn once per occurrence, for the records' layout.
func (p *plan) eventSamplers() (occurs map[string]*sampler, perOccurrence map[uint64]bool) {
	occurs, perOccurrence = map[string]*sampler{}, map[uint64]bool{}
	for _, r := range p.restr {
		occurs[r.id] = r.occurs
	}
	for _, t := range p.truces {
		occurs[t.id] = t.occurs
	}
	for _, b := range p.builds {
		occurs[b.id] = b.occurs
	}
	for _, o := range p.outages {
		occurs[o.id] = o.occurs
		for _, k := range o.perOccurrence() {
			perOccurrence[k] = true
		}
	}
	return occurs, perOccurrence
}
