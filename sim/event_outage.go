package sim

import (
	"fmt"
	"math"

	"github.com/reesim/reesim/model"
)

// An outage (docs/model.md 4.6) removes a fraction of its nodes' capacity
// for its duration: once at its start, or, with a rate, at every arrival
// of a Poisson process from its start to the horizon, each occurrence
// with its own duration and loss. Overlapping outages multiply (4.1).

// poutage is a compiled outage.
type poutage struct {
	id       string
	nodes    []int
	occurs   *sampler
	rate     *sampler // nil: once, at start
	start    *sampler // nil: 0
	duration *sampler
	loss     *sampler
	arrKey   uint64
}

// occurrence is one occurrence of an outage in a trial.
type occurrence struct {
	outage     int
	start, end float64
	keep       float64 // 1 - loss
}

// addOutage compiles outage event e; a rate beyond model.MaxOutageRate is
// an error (the occurrences of a trial must stay bounded).
func (p *plan) addOutage(e model.Event, nodeIdx map[string]int) error {
	inf := math.Inf(1)
	owner := "event:" + e.ID
	o := e.Outage
	po := poutage{id: e.ID, occurs: p.newSampler(e.Probability, owner, "probability", 0, 1),
		duration: p.newSampler(o.Duration, owner, "duration", 0, inf), loss: p.newSampler(o.Loss, owner, "loss", 0, 1),
		arrKey: fieldKey(owner, "arrival")}
	for _, id := range o.Nodes {
		po.nodes = append(po.nodes, nodeIdx[id])
	}
	if o.Rate != nil {
		if _, hi := o.Rate.Support(); hi > model.MaxOutageRate {
			return fmt.Errorf("sim: event %s: outage rate can reach %g per year; at most %d is supported", e.ID, hi, model.MaxOutageRate)
		}
		po.rate = p.newSampler(*o.Rate, owner, "rate", 0, model.MaxOutageRate)
	}
	if o.Start != nil {
		po.start = p.newSampler(*o.Start, owner, "start", -inf, inf)
	}
	p.outages = append(p.outages, po)
	return nil
}

// sampleOutage appends outage o's occurrences in this trial to w.occ.
func (w *worker) sampleOutage(o int) {
	po := &w.p.outages[o]
	if !w.happens(po.occurs) {
		return
	}
	start := 0.0
	if po.start != nil {
		start = po.start.draw(&w.st)
	}
	if po.rate == nil {
		d := po.duration.draw(&w.st)
		w.occ = append(w.occ, occurrence{outage: o, start: start, end: start + d, keep: 1 - po.loss.draw(&w.st)})
		return
	}
	rate := po.rate.draw(&w.st)
	if rate <= 0 {
		return
	}
	mean := model.DaysPerYear / rate
	t := start
	for k := 0; ; k++ {
		t += -mean * math.Log(w.st.at(indexed(po.arrKey, k)).open())
		if t >= w.p.horizon {
			break
		}
		d := po.duration.drawKey(&w.st, indexed(po.duration.key, k))
		loss := po.loss.drawKey(&w.st, indexed(po.loss.key, k))
		w.occ = append(w.occ, occurrence{outage: o, start: t, end: t + d, keep: 1 - loss})
	}
}

// perOccurrence reports the keys an outage draws once per occurrence
// (records show the first occurrence's).
func (po *poutage) perOccurrence() []uint64 {
	if po.rate == nil {
		return nil
	}
	return []uint64{po.duration.key, po.loss.key}
}

// scheduleOutages adds every occurrence's start and end. An outage can
// hit any material's nodes.
func (w *worker) scheduleOutages(add func(t float64, mask uint64)) {
	for _, o := range w.occ {
		add(o.start, w.p.allMask)
		add(o.end, w.p.allMask)
	}
}

// applyOutages multiplies w.cap by what the occurrences in force at tm
// leave of each node's capacity.
func (w *worker) applyOutages(tm float64) {
	p := w.p
	for n := range w.keep {
		w.keep[n] = 1
	}
	for _, o := range w.occ {
		if tm >= o.start && tm < o.end {
			for _, n := range p.outages[o.outage].nodes {
				w.keep[n] *= o.keep
			}
		}
	}
	for n, k := range w.keep {
		if k != 1 {
			for m := range p.nM {
				w.cap[p.byMat.at(n, m)] *= k
			}
		}
	}
}
