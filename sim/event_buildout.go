package sim

import (
	"math"

	"github.com/reesim/reesim/model"
)

// A buildout (docs/model.md 4.6) adds capacity to a node from its online
// date over a ramp, if its probability draw succeeds.

// pbuild is a compiled buildout.
type pbuild struct {
	mask   uint64 // materials it adds capacity for
	id     string
	node   int
	occurs *sampler
	online *sampler
	ramp   *sampler
	cap    []*sampler
}

// bstate is a buildout's state in one trial.
type bstate struct {
	occurs bool
	online float64
	ramp   float64
	cap    []float64 // t/day per material
}

// addBuildout compiles buildout event e.
func (p *plan) addBuildout(e model.Event, nodeIdx map[string]int) {
	inf := math.Inf(1)
	owner := "event:" + e.ID
	b := e.Buildout
	pb := pbuild{id: e.ID, node: nodeIdx[b.Node], occurs: p.newSampler(e.Probability, owner, "probability", 0, 1),
		online: p.newSampler(b.Online, owner, "online", -inf, inf), ramp: p.newSampler(b.Ramp, owner, "ramp", 0, inf),
		cap: make([]*sampler, p.nM)}
	for m, mat := range p.mats {
		if d, ok := b.Capacity[mat]; ok {
			pb.cap[m] = p.newSampler(d, owner, "capacity."+mat, 0, inf)
			pb.mask |= bit(m)
		}
	}
	p.builds = append(p.builds, pb)
}

// sampleBuildout draws buildout b's occurrence, online date, ramp and
// capacities.
func (w *worker) sampleBuildout(b int) {
	pb, s := &w.p.builds[b], &w.bs[b]
	s.occurs = w.happens(pb.occurs)
	s.online = pb.online.draw(&w.st)
	s.ramp = pb.ramp.draw(&w.st)
	for m, cs := range pb.cap {
		v := 0.0
		if cs != nil {
			v = cs.draw(&w.st) / model.DaysPerYear
		}
		s.cap[m] = v
	}
}

// scheduleBuildout adds buildout b's ramp steps.
func (w *worker) scheduleBuildout(b int, ramp func(t0, l float64, mask uint64)) {
	if s := &w.bs[b]; s.occurs {
		ramp(s.online, s.ramp, w.p.builds[b].mask)
	}
}

// addBuildoutCapacity adds buildout b's capacity online at tm to w.cap.
func (w *worker) addBuildoutCapacity(b int, tm float64) {
	p, s := w.p, &w.bs[b]
	if !s.occurs || tm < s.online {
		return
	}
	frac := rampValue(tm, s.online, s.ramp, 0, 1)
	n := p.builds[b].node
	for m := range p.nM {
		w.cap[p.byMat.at(n, m)] += frac * s.cap[m]
	}
}
