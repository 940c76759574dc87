package sim

import (
	"math"

	"github.com/reesim/reesim/model"
)

// A truce (docs/model.md 4.6) suspends restrictions while it holds, from a
// lag after its start, passing its own allowed fractions over a ramp; at
// each expiry it may be renewed, and at its lapse it may escalate another
// restriction. It has no effect of its own: restrictions read it in
// factor and schedule its instants (scheduleRestriction).

// ptruce is a compiled truce.
type ptruce struct {
	id       string
	occurs   *sampler
	start    *sampler
	duration *sampler
	lag      *sampler
	ramp     *sampler
	allowed  []*sampler // per region
	suspends []int
	renewP   *sampler // nil: no renewal
	renewDur *sampler
	renewMax int
	renewKey uint64
	escalate int // restriction index, or -1
	escP     *sampler
	escKey   uint64
}

// tstate is a truce's state in one trial.
type tstate struct {
	occurs     bool
	start, end float64
	t0         float64 // start + lag: when licences flow again
	ramp       float64
	allowed    []float64 // per region
}

// addTruce compiles truce event e; restrIdx gives the restrictions'
// indices by id.
func (p *plan) addTruce(e model.Event, restrIdx map[string]int) {
	inf := math.Inf(1)
	owner := "event:" + e.ID
	t := e.Truce
	pt := ptruce{id: e.ID, occurs: p.newSampler(e.Probability, owner, "probability", 0, 1),
		start: p.newSampler(t.Start, owner, "start", -inf, inf), duration: p.newSampler(t.Duration, owner, "duration", 1e-9, inf),
		lag: p.newSampler(t.Lag, owner, "lag", 0, inf), ramp: p.newSampler(t.Ramp, owner, "ramp", 0, inf),
		allowed: make([]*sampler, len(p.regions)), escalate: -1}
	for ri, reg := range p.regions {
		pt.allowed[ri] = p.regionSampler(t.Allowed, reg, owner, "allowed")
	}
	for _, id := range t.Suspends {
		ri := restrIdx[id]
		pt.suspends = append(pt.suspends, ri)
		p.restr[ri].suspendedBy = append(p.restr[ri].suspendedBy, len(p.truces))
	}
	if rn := t.Renewal; rn != nil {
		pt.renewP = p.newSampler(rn.Probability, owner, "renewal.probability", 0, 1)
		pt.renewDur = p.newSampler(rn.Duration, owner, "renewal.duration", 1e-9, inf)
		pt.renewMax = rn.Max
		pt.renewKey = fieldKey(owner, "renewal.draw")
	}
	if ol := t.OnLapse; ol != nil {
		pt.escalate = restrIdx[ol.Escalate]
		pt.escP = p.newSampler(ol.Probability, owner, "on_lapse.probability", 0, 1)
		pt.escKey = fieldKey(owner, "on_lapse.draw")
		p.restr[pt.escalate].escalatedBy = append(p.restr[pt.escalate].escalatedBy, len(p.truces))
	}
	p.truces = append(p.truces, pt)
}

// sampleTruce draws truce j's start, lag, ramp, allowed fractions and
// renewals: each renewal within the horizon happens with its probability,
// up to max, and the first that fails ends it.
func (w *worker) sampleTruce(j int) {
	pt, t := &w.p.truces[j], &w.ts[j]
	t.occurs = w.happens(pt.occurs)
	t.start = pt.start.draw(&w.st)
	t.t0 = t.start + pt.lag.draw(&w.st)
	t.ramp = pt.ramp.draw(&w.st)
	t.end = t.start + pt.duration.draw(&w.st)
	for ri := range w.p.regions {
		t.allowed[ri] = pt.allowed[ri].draw(&w.st)
	}
	if pt.renewP != nil && t.occurs {
		pr := pt.renewP.draw(&w.st)
		dur := pt.renewDur.draw(&w.st)
		for k := 0; k < pt.renewMax && t.end < w.p.horizon; k++ {
			if w.st.at(indexed(pt.renewKey, k)).open() >= pr {
				break
			}
			t.end += dur
		}
	}
}

// escalate starts restriction i at the first lapse within the horizon of
// a truce that escalates it, with that truce's probability; its own start
// is then ignored.
func (w *worker) escalate(i int) {
	pr := &w.p.restr[i]
	if len(pr.escalatedBy) == 0 {
		return
	}
	occurs := w.happens(pr.occurs)
	first := math.Inf(1)
	for _, j := range pr.escalatedBy {
		t, pt := &w.ts[j], &w.p.truces[j]
		if !t.occurs || t.end >= w.p.horizon {
			continue
		}
		if w.happensAt(pt.escP, pt.escKey) {
			first = min(first, t.end)
		}
	}
	if r := &w.rs[i]; !math.IsInf(first, 1) {
		r.start = first
		r.active = occurs
	}
}
