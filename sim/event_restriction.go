package sim

import (
	"math"
	"slices"

	"github.com/reesim/reesim/model"
)

// An export restriction (docs/model.md 4.2, 4.6): from its start, for its
// duration, covered routes out of its region carry only the fraction it
// allows (during a licence delay, the delay's), unless a truce suspends
// it. Its effect is on the restriction factors of (restriction,
// destination region) pairs, which the routes read (plan.pairs).

// prestr is a compiled export restriction.
type prestr struct {
	id          string
	occurs      *sampler
	start       *sampler // nil: only by escalation
	duration    *sampler
	delay       *sampler   // nil: none
	allowed     []*sampler // per region
	delayAllow  []*sampler // per region
	suspendedBy []int      // truces
	escalatedBy []int      // truces
	mask        uint64     // materials it covers
}

// rstate is a restriction's state in one trial.
type rstate struct {
	active       bool
	start, end   float64
	delay        float64
	allowed      []float64 // per region
	delayAllowed []float64
}

// addRestriction compiles restriction event e.
func (p *plan) addRestriction(e model.Event) {
	inf := math.Inf(1)
	owner := "event:" + e.ID
	r := e.Restriction
	pr := prestr{id: e.ID, occurs: p.newSampler(e.Probability, owner, "probability", 0, 1),
		duration: p.newSampler(r.Duration, owner, "duration", 0, inf),
		allowed:  make([]*sampler, len(p.regions)), delayAllow: make([]*sampler, len(p.regions))}
	if r.Start != nil {
		pr.start = p.newSampler(*r.Start, owner, "start", -inf, inf)
	}
	if r.LicenceDelay != nil {
		pr.delay = p.newSampler(*r.LicenceDelay, owner, "licence_delay", 0, inf)
	}
	for ri, reg := range p.regions {
		pr.allowed[ri] = p.regionSampler(r.Allowed, reg, owner, "allowed")
		pr.delayAllow[ri] = p.regionSampler(r.DelayAllowed, reg, owner, "delay_allowed")
	}
	for m, mat := range p.mats {
		if slices.Contains(r.Materials, mat) {
			pr.mask |= bit(m)
		}
	}
	p.restr = append(p.restr, pr)
}

// sampleRestriction draws restriction i's start, licence delay and
// allowed fractions; its end waits for escalations (sampleRestrictionEnd).
func (w *worker) sampleRestriction(i int) {
	pr, r := &w.p.restr[i], &w.rs[i]
	r.active = w.happens(pr.occurs) && pr.start != nil
	r.start = math.Inf(1)
	if pr.start != nil {
		r.start = pr.start.draw(&w.st)
	}
	r.delay = 0
	if pr.delay != nil {
		r.delay = pr.delay.draw(&w.st)
	}
	for ri := range w.p.regions {
		r.allowed[ri] = pr.allowed[ri].draw(&w.st)
		r.delayAllowed[ri] = pr.delayAllow[ri].draw(&w.st)
	}
}

// sampleRestrictionEnd draws restriction i's duration from its start,
// which an escalation may have moved.
func (w *worker) sampleRestrictionEnd(i int) {
	r := &w.rs[i]
	r.end = r.start + w.p.restr[i].duration.draw(&w.st)
}

// scheduleRestriction adds the instants at which restriction i's factors
// change: its start, the end of its licence delay, its end, and the lag,
// ramp steps and lapse of each truce over it, with the licence delay that
// restarts at a lapse.
func (w *worker) scheduleRestriction(i int, add func(t float64, mask uint64), ramp func(t0, l float64, mask uint64)) {
	pr, r := &w.p.restr[i], &w.rs[i]
	if !r.active {
		return
	}
	add(r.start, pr.mask)
	add(r.start+r.delay, pr.mask)
	add(r.end, pr.mask)
	for _, j := range pr.suspendedBy {
		t := &w.ts[j]
		if !t.occurs {
			continue
		}
		ramp(t.t0, t.ramp, pr.mask)
		add(t.end, pr.mask)
		add(t.end+r.delay, pr.mask)
	}
}

// own is what restriction i passes to region ri at t on its own terms,
// restarting its licence delay at each lapse of a truce that had taken
// effect.
func (w *worker) own(i, ri int, t float64) float64 {
	r := &w.rs[i]
	if !r.active || t < r.start || t >= r.end {
		return 1
	}
	anchor := r.start
	for _, j := range w.p.restr[i].suspendedBy {
		tr := &w.ts[j]
		if tr.occurs && tr.end <= t && tr.end > tr.t0 && tr.end > anchor {
			anchor = tr.end
		}
	}
	if t < anchor+r.delay {
		return r.delayAllowed[ri]
	}
	return r.allowed[ri]
}

// factor is the fraction restriction i lets through to region ri at t:
// the largest a truce holding over it passes, else its own.
func (w *worker) factor(i, ri int, t float64) float64 {
	r := &w.rs[i]
	if !r.active || t < r.start || t >= r.end {
		return 1
	}
	best := -1.0
	for _, j := range w.p.restr[i].suspendedBy {
		tr := &w.ts[j]
		if tr.occurs && t >= tr.t0 && t < tr.end {
			v0 := w.own(i, ri, tr.t0)
			best = max(best, rampValue(t, tr.t0, tr.ramp, v0, tr.allowed[ri]))
		}
	}
	if best >= 0 {
		return best
	}
	return w.own(i, ri, t)
}
