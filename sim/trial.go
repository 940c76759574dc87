package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/reesim/reesim/model"
)

// eps is the time tolerance (days) under which two instants are the same.
const eps = 1e-9

// tiny is the relative tolerance under which a rate counts as zero.
const tiny = 1e-9

// maxSegments bounds the piecewise-constant segments of one trial; a trial
// that needs more is a bug, reported as an error.
const maxSegments = 1_000_000

// breakpoint is an instant at which some inputs change, with the set of
// materials whose flows it can change.
type breakpoint struct {
	t    float64
	mask uint64
}

// worker simulates trials one at a time. It owns all its scratch memory, so
// a trial allocates nothing once the worker is warm.
type worker struct {
	p    *plan
	seed uint64
	st   stream
	stop *atomic.Bool // set when the run is cancelled; checked within trials

	// Sampled per trial.
	cap0     []float64 // nN*nM, t/day
	dem0     []float64 // nC*nM, t/day
	growth   []float64 // nC
	inv0     []float64 // nC*nM, t
	refill   []float64 // nC*nM, t/day added to the request while below inv0
	hold0    []float64 // nC*nM, t
	maxRel   []float64 // nC*nM, t/day
	relAfter []float64 // nC
	// Substitution, per consumer x material: the fraction of demand it
	// gives up, after how long short (per consumer), over what ramp, and
	// when it started (-1: not yet).
	subF, subStart    []float64 // nC*nM
	subAfter, subRamp []float64 // nC
	// subNext is the next instant a substitution starts or steps, and
	// subMask the materials whose demand changes there.
	subNext float64
	subMask uint64
	// demDirty forces demands to be recomputed before the next month.
	demDirty   bool
	eventState // the events' draws and state (events.go)
	reroute    float64
	dyn        []breakpoint
	// nextAlloc[m] is the next instant material m's allocation must be
	// recomputed for a change of state (a refill switching, a reroute
	// clock running out).
	nextAlloc []float64
	// trig[m] is the next instant a reroute clock of material m runs out.
	trig []float64
	// since[m] is when material m's flows were last integrated, in period
	// curPer.
	since  []float64
	curPer int
	// demMonth is the month whose demands dem holds (-1: none yet).
	demMonth float64

	// State.
	inv, hold, spSince []float64 // nC*nM
	refilling          []bool    // nC*nM: refill requested (see refillBand)
	under              []float64 // nR*nM: under-delivering since (-1: not)

	// Values on the current segment.
	cap    []float64 // nN*nM, t/day
	keep   []float64 // nN: product of (1 - loss)
	pairF  []float64
	dem    []float64 // nC*nM, t/day, after substitution
	demAll []float64 // nC*nM, t/day, before substitution
	deliv  []float64 // nR*nM: delivered, ordinary and rerouted
	out    []float64 // nN*nM
	recv   []float64 // nC*nM
	shortS []float64 // nS*nM shortfall rate by scope
	draw   []float64 // nC*nM: inventory drawn, t/day
	fill   []float64 // nC*nM: inventory refilled, t/day
	rel    []float64 // nC*nM: stockpile released, t/day
	short  []float64 // nC*nM: shortfall rate, t/day

	// Allocation scratch, per material: route positions in its mtable,
	// and nodes then consumers.
	rf []routeFlow
	nf []nodeFlow
	// groups[m] are material m's destination groups over rf.
	groups [][]groupView
	// actNow and actNext are levels' scratch: which candidates are
	// active at this level and the next.
	actNow, actNext []bool
	// By request class, where the scenario has more than two (two live
	// in routeFlow.qc and nodeFlow's s2 and r2): route positions'
	// ordinary requests, nodes' requests seen and the ratio at which they
	// are served, and one node's asks upstream (also with two).
	q2, seen2, ratio2 classTable
	ask               []float64
	// extraChanged records that a round marked new failing routes.
	extraChanged bool
	// rounds counts rerouting rounds, unconverged the rerouting passes
	// that reached maxRounds (tests require none).
	rounds, unconverged uint64
	// residual is the latest rerouting round's largest undamped change.
	residual float64

	// Trial outputs.
	tDem, tShort, tDlv, tDays, tFirst, tSub []float64 // nS*nM
	perDem, perShort                        []float64 // nS*nM*nP
	utilOut, utilCap                        []float64 // nN*nM*nP
	flow                                    []float64 // nF*nP

	segments int

	// onSegment, when set (by tests), is called after each segment's
	// allocation and consumer rates, before integration.
	onSegment func(t, t1 float64)
	// onAllocate, when set (by benchmarks), is called after each
	// allocation pass with its material and instant.
	onAllocate func(m int, t float64)
}

func newWorker(p *plan, seed uint64) *worker {
	nN, nC, nR, nM, nS, nP := len(p.nodes), len(p.cons), len(p.routes), p.nM, len(p.scopes), p.nP
	f := func(n int) []float64 { return make([]float64, n) }
	w := &worker{p: p, seed: seed,
		nextAlloc: f(nM), trig: f(nM), since: f(nM),
		cap0: f(nN * nM), dem0: f(nC * nM), growth: f(nC), inv0: f(nC * nM), refill: f(nC * nM), hold0: f(nC * nM), maxRel: f(nC * nM), relAfter: f(nC),
		subF: f(nC * nM), subStart: f(nC * nM), subAfter: f(nC), subRamp: f(nC), demAll: f(nC * nM), tSub: f(nS * nM),
		inv: f(nC * nM), refilling: make([]bool, nC*nM), hold: f(nC * nM), spSince: f(nC * nM), under: f(nR * nM),
		cap: f(nN * nM), keep: f(nN), pairF: f(len(p.pairs)), dem: f(nC * nM), deliv: f(nR * nM), out: f(nN * nM), recv: f(nC * nM), shortS: f(nS * nM), draw: f(nC * nM), fill: f(nC * nM), rel: f(nC * nM), short: f(nC * nM),
		rf: make([]routeFlow, nR), actNow: make([]bool, nR), actNext: make([]bool, nR),
		nf:   make([]nodeFlow, nN+nC),
		tDem: f(nS * nM), tShort: f(nS * nM), tDlv: f(nS * nM), tDays: f(nS * nM), tFirst: f(nS * nM),
		perDem: f(nS * nM * nP), perShort: f(nS * nM * nP), utilOut: f(nN * nM * nP), utilCap: f(nN * nM * nP), flow: f(len(p.flowKeys) * nP),
	}
	if nCl := len(p.classes); nCl > 1 {
		// Two classes live in routeFlow.qc and nodeFlow's s2 and r2; the
		// general tables keep only the class count then.
		rows, nodes := nR, nN
		if nCl == 2 {
			rows, nodes = 0, 0
		}
		w.q2, w.seen2, w.ratio2 = newClassTable(rows, nCl), newClassTable(nodes, nCl), newClassTable(nodes, nCl)
		w.ask = f(nCl)
	}
	w.groups = make([][]groupView, nM)
	for m := range nM {
		tb := &p.mtab[m]
		for gi, g := range tb.groups {
			w.groups[m] = append(w.groups[m], groupView{
				rf: w.rf[g.start:g.end:g.end], share: tb.share[g.start:g.end:g.end],
				dest: g.dest, start: g.start, alt: tb.alt[gi]})
		}
	}
	w.eventState = p.newEventState()
	return w
}

// happens draws whether an event with probability sampler s occurs, from
// the sampler's occurrence stream.
func (w *worker) happens(s *sampler) bool { return w.happensAt(s, s.occurrenceKey()) }

// happensAt draws whether something with probability sampler s happens,
// from the stream key (an escalation has a key of its own).
func (w *worker) happensAt(s *sampler, key uint64) bool {
	pr := s.draw(&w.st)
	if pr >= 1 {
		return true
	}
	if pr <= 0 {
		return false
	}
	return w.st.at(key).open() < pr
}

// sample draws every uncertain value of one trial.
func (w *worker) sample(trial uint64) {
	p := w.p
	w.st.setTrial(w.seed, trial)
	nM := p.nM
	for n, pn := range p.nodes {
		for m, s := range pn.cap {
			v := 0.0
			if s != nil {
				v = s.draw(&w.st) / model.DaysPerYear
			}
			w.cap0[p.byMat.at(n, m)] = v
		}
	}
	for c, pc := range p.cons {
		w.growth[c] = pc.growth.draw(&w.st)
		ra := 0.0
		if pc.refill != nil {
			ra = pc.refill.draw(&w.st)
		}
		if pc.hasStock {
			w.relAfter[c] = pc.relAfter.draw(&w.st)
		}
		if pc.subFrac != nil {
			w.subAfter[c] = pc.subAfter.draw(&w.st)
			w.subRamp[c] = pc.subRamp.draw(&w.st)
		}
		for m := range nM {
			i := p.byMat.at(c, m)
			d := 0.0
			if s := pc.demand[m]; s != nil {
				d = s.draw(&w.st) / model.DaysPerYear
			}
			w.dem0[i] = d
			inv := 0.0
			if s := pc.inv[m]; s != nil {
				inv = s.draw(&w.st)
				if pc.invDays[m] {
					inv *= d
				}
			}
			w.inv0[i], w.inv[i] = inv, inv
			w.refilling[i] = false
			w.refill[i] = 0
			if ra > 0 && inv > 0 {
				w.refill[i] = inv / ra
			}
			h := 0.0
			if s := pc.holdings[m]; s != nil {
				h = s.draw(&w.st)
			}
			w.hold0[i], w.hold[i] = h, h
			w.maxRel[i] = math.Inf(1)
			if s := pc.maxRel[m]; s != nil {
				w.maxRel[i] = s.draw(&w.st) / model.DaysPerYear
			}
			w.spSince[i] = -1
			w.subF[i], w.subStart[i] = 0, -1
			if pc.subFrac != nil && pc.subFrac[m] != nil {
				w.subF[i] = pc.subFrac[m].draw(&w.st)
			}
		}
	}
	for i := range w.under {
		w.under[i] = -1
	}
	w.sampleEvents()
	w.reroute = math.Inf(1)
	if p.rerouteAfter != nil {
		w.reroute = p.rerouteAfter.draw(&w.st)
	}
	w.schedule()
}

// schedule collects the trial's own breakpoints: every instant at which a
// capacity, a restriction factor or a truce value changes.
func (w *worker) schedule() {
	p := w.p
	w.dyn = w.dyn[:0]
	add := func(t float64, mask uint64) {
		if t > eps && t < p.horizon-eps {
			w.dyn = append(w.dyn, breakpoint{t, mask})
		}
	}
	ramp := func(t0, l float64, mask uint64) {
		add(t0, mask)
		if l > 0 {
			for k := 1; k <= rampSteps; k++ {
				add(t0+float64(k)*l/rampSteps, mask)
			}
		}
	}
	w.scheduleEvents(add, ramp)
	slices.SortFunc(w.dyn, func(a, b breakpoint) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
}

// rampSteps is the number of equal steps a ramp moves in (docs/model.md
// 4.6): buildouts, truces and substitution.
const rampSteps = 8

// rampValue is a ramp of length l from v0 at t0 to v1, moving in
// rampSteps equal steps, each holding the midpoint value of its interval
// (docs/model.md 4.6).
func rampValue(t, t0, l, v0, v1 float64) float64 {
	if l <= 0 || t >= t0+l {
		return v1
	}
	j := math.Floor((t - t0) * rampSteps / l)
	j = clamp(j, 0, rampSteps-1)
	return v0 + (j+0.5)/rampSteps*(v1-v0)
}

// evaluate sets capacities, restriction factors and demands for a segment
// whose time-dependent inputs are constant and equal to their value at tm
// (the segment's midpoint, which keeps step boundaries robust to rounding).
func (w *worker) evaluate(tm float64) {
	p := w.p
	nM := p.nM
	w.applyEvents(tm)
	month := math.Floor(tm / model.DaysPerMonth)
	if month == w.demMonth && !w.demDirty {
		return // demands step only at month boundaries and substitution steps
	}
	w.demMonth, w.demDirty = month, false
	for c := range p.cons {
		g := 1.0
		if w.growth[c] != 0 {
			g = math.Pow(1+w.growth[c], month/12)
		}
		for m := range nM {
			i := p.byMat.at(c, m)
			d := min(w.dem0[i]*g, maxDemand) // docs/model.md, limits
			w.demAll[i] = d
			if s := w.subStart[i]; s >= 0 && tm >= s {
				d *= 1 - rampValue(tm, s, w.subRamp[c], 0, w.subF[i])
			}
			w.dem[i] = d
		}
	}
}

// substitute starts the substitution of every consumer and material whose
// shortfall clock has run for its `after` by t (docs/model.md 4.7), and
// sets w.subNext and w.subMask to the next instant a substitution starts
// or takes a ramp step, and the materials it changes. It reports the
// materials whose demand changes at t.
func (w *worker) substitute(t float64) uint64 {
	p := w.p
	nM := p.nM
	var now uint64
	w.subNext, w.subMask = math.Inf(1), 0
	next := func(at float64, m int) {
		switch {
		case at <= t+eps:
			now |= bit(m)
		case at < w.subNext-eps:
			w.subNext, w.subMask = at, bit(m)
		case at <= w.subNext+eps:
			w.subMask |= bit(m)
		}
	}
	for c, pc := range p.cons {
		if pc.subFrac == nil {
			continue
		}
		for m := range nM {
			i := p.byMat.at(c, m)
			if w.subF[i] <= 0 {
				continue
			}
			s := w.subStart[i]
			if s < 0 {
				if w.spSince[i] < 0 {
					continue
				}
				at := w.spSince[i] + w.subAfter[c]
				if at > t+eps {
					next(at, m)
					continue
				}
				s = t
				w.subStart[i] = s
				now |= bit(m)
			}
			// The ramp's steps (docs/model.md 4.6): s + j R / rampSteps.
			if R := w.subRamp[c]; R > 0 && t < s+R-eps {
				j := math.Floor((t-s)*rampSteps/R+eps) + 1
				next(s+j*R/rampSteps, m)
			}
		}
	}
	return now
}

// maxDemand is model.MaxAmount in t/day: grown demand is clamped to it.
const maxDemand = model.MaxAmount / model.DaysPerYear

// errStopped is returned by a trial cut short by cancellation; the caller
// reports the cancellation instead.
var errStopped = errors.New("sim: stopped")

// maxTotal bounds a trial's totals so that their fixed-point values and
// squares fit the aggregates (2^63 t; a validated scenario stays below
// MaxAmount t/yr over MaxDays, 1e15 t).
const maxTotal = 0x1p63

// run simulates one trial into the worker's trial outputs.
func (w *worker) run(trial uint64) error {
	p := w.p
	w.sample(trial)
	if s := w.st.nan; s != nil {
		return fmt.Errorf("sim: trial %d: %s = %s drew a value that is not a number", trial, s.name, s.d)
	}
	nM, nP := p.nM, p.nP
	clear(w.tDem)
	clear(w.tShort)
	clear(w.tDlv)
	clear(w.tDays)
	clear(w.tSub)
	for i := range w.tFirst {
		w.tFirst[i] = -1
	}
	clear(w.perDem)
	clear(w.perShort)
	clear(w.utilOut)
	clear(w.utilCap)
	clear(w.flow)
	H := p.horizon
	is, id := 0, 0
	w.segments = 0
	t := 0.0
	dirty := p.allMask
	for m := range w.nextAlloc {
		w.nextAlloc[m] = math.Inf(1)
		w.trig[m] = math.Inf(1)
		w.since[m] = 0
	}
	w.curPer = 0
	w.demMonth = -1
	w.subNext, w.subMask = math.Inf(1), 0
	for t < H-eps {
		w.segments++
		if w.segments&255 == 0 && w.stop != nil && w.stop.Load() {
			return errStopped // a long trial stops within its segments
		}
		if w.segments > maxSegments {
			return fmt.Errorf("sim: trial %d needed more than %d segments (a bug; please report the scenario)", trial, maxSegments)
		}
		for is < len(p.breaks) && p.breaks[is] <= t+eps {
			dirty |= p.breakMask[is]
			is++
		}
		for id < len(w.dyn) && w.dyn[id].t <= t+eps {
			dirty |= w.dyn[id].mask
			id++
		}
		if p.subs && w.subNext <= t+eps {
			// A substitution steps or starts here: the materials of the
			// steps due now, and of any that start now. (Read the mask
			// before substitute replaces it: Go leaves the order of a
			// field read and a call in one expression unspecified.)
			due := w.subMask
			dirty |= due | w.substitute(t)
			w.demDirty = true
		}
		nb := H
		if is < len(p.breaks) {
			nb = min(nb, p.breaks[is])
		}
		if id < len(w.dyn) {
			nb = min(nb, w.dyn[id].t)
		}
		nb = min(nb, w.subNext)
		for m, at := range w.nextAlloc {
			if at <= t+eps || w.trig[m] <= t+eps {
				dirty |= bit(m)
			}
			w.nextAlloc[m] = math.Inf(1)
		}
		tm := (t + nb) / 2
		// Integrate flows lazily: a material's flows are added up to t
		// when they are about to change, and every material's at a
		// period boundary.
		if per := min(int(tm/p.period), nP-1); per != w.curPer {
			w.flushAll(t)
			w.curPer = per
		} else {
			for m := range nM {
				if dirty&bit(m) != 0 {
					w.flush(m, t)
				}
			}
		}
		w.evaluate(tm)
		// Flows are recomputed only for materials whose inputs changed;
		// the others keep the previous segment's flows.
		for m := range nM {
			if dirty&bit(m) != 0 {
				w.allocate(m, t)
			}
		}
		dirty = 0
		t1 := w.rates(t, nb)
		if p.subs {
			// A consumer short from t whose substitution needs no wait
			// gives up demand from t: recompute this segment with it.
			if ch := w.substitute(t); ch != 0 {
				nb = min(nb, w.subNext)
				tm = (t + nb) / 2
				w.demDirty = true
				w.evaluate(tm)
				for m := range nM {
					if ch&bit(m) != 0 {
						w.allocate(m, t)
					}
				}
				t1 = w.rates(t, nb)
				w.substitute(t)
			}
			t1 = min(t1, w.subNext)
		}
		if t1 <= t+eps {
			return fmt.Errorf("sim: trial %d stalled at day %g (a bug; please report the scenario)", trial, t)
		}
		if w.onSegment != nil {
			w.onSegment(t, t1)
		}
		dt := t1 - t
		per := min(int(tm/p.period), nP-1)
		clear(w.shortS)
		for c, pc := range p.cons {
			for m := range nM {
				i := p.byMat.at(c, m)
				D, G := w.dem[i], w.recv[i]
				draw, fill, rel, short := w.draw[i], w.fill[i], w.rel[i], w.short[i]
				switch {
				case draw > 0 && t+w.inv[i]/draw == t1:
					w.inv[i] = 0
				case draw > 0:
					w.inv[i] = max(0, w.inv[i]-draw*dt)
				case fill > 0 && t+(w.inv0[i]-w.inv[i])/fill == t1:
					w.inv[i] = w.inv0[i]
				case fill > 0:
					w.inv[i] = min(w.inv0[i], w.inv[i]+fill*dt)
				}
				if w.refill[i] > 0 {
					switch {
					case w.inv[i] >= w.inv0[i]:
						w.refilling[i] = false
					case w.inv[i] <= (1-refillBand)*w.inv0[i]:
						w.refilling[i] = true
					}
				}
				if rel > 0 {
					if t+w.hold[i]/rel == t1 {
						w.hold[i] = 0
					} else {
						w.hold[i] = max(0, w.hold[i]-rel*dt)
					}
				}
				dem, sh, dl := D*dt, short*dt, (min(G, D)+draw+rel)*dt
				sub := (w.demAll[i] - D) * dt
				for _, s := range pc.scopeIdx {
					j := p.byMat.at(s, m)
					w.tDem[j] += dem
					w.tSub[j] += sub
					w.tShort[j] += sh
					w.tDlv[j] += dl
					w.perDem[p.byPer.at(j, per)] += dem
					w.perShort[p.byPer.at(j, per)] += sh
					w.shortS[j] += short
				}
			}
		}
		for j, s := range w.shortS {
			if s > 0 {
				w.tDays[j] += dt
				if w.tFirst[j] < 0 {
					w.tFirst[j] = t
				}
			}
		}
		t = t1
	}
	w.flushAll(H)
	for j := range w.tDem {
		// Validation bounds every input so that this cannot happen; an
		// error here is a bug, never a panic in the aggregates.
		if v := w.tDem[j] + w.tShort[j] + w.tDlv[j] + w.tSub[j]; !(v < maxTotal) {
			return fmt.Errorf("sim: trial %d: a total for %s is %g, beyond the engine's range (validate the scenario: model.Parse bounds every input)", trial, p.mats[j%nM], v)
		}
	}
	return nil
}

// rates sets every consumer's rates on the segment from t (docs/model.md
// 4.5) and returns its end: nb, or earlier where a reroute clock runs out
// or a consumer's inventory or stockpile changes regime.
func (w *worker) rates(t, nb float64) float64 {
	t1 := nb
	for _, tr := range w.trig {
		if tr > t+eps {
			t1 = min(t1, tr)
		}
	}
	for c := range w.p.cons {
		for m := range w.p.nM {
			t1 = w.consumerRates(c, m, t, t1)
		}
	}
	return t1
}

// flush adds material m's node and route flows, constant since w.since[m],
// up to t into the current period.
func (w *worker) flush(m int, t float64) {
	p := w.p
	dt := t - w.since[m]
	w.since[m] = t
	if dt <= 0 {
		return
	}
	per := w.curPer
	for n := range p.nodes {
		i := p.byMat.at(n, m)
		w.utilOut[p.byPer.at(i, per)] += w.out[i] * dt
		w.utilCap[p.byPer.at(i, per)] += w.cap[i] * dt
	}
	for _, rp := range p.mtab[m].pos {
		i := p.byMat.at(int(rp.route), m)
		if v := w.deliv[i]; v > 0 {
			w.flow[p.byPer.at(p.routeFlow[i], per)] += v * dt
		}
	}
}

func (w *worker) flushAll(t float64) {
	for m := range w.p.nM {
		w.flush(m, t)
	}
}

// refillBand is how far below its initial level an inventory must fall
// before its consumer asks for a refill; refilling then runs until the
// inventory is back at its initial level. Without the band, a rationed
// consumer at its initial level would switch the refill request on and off
// at every instant: with it the inventory cycles like an (s, S) reorder
// policy, in a bounded number of segments.
const refillBand = 0.1

// consumerRates sets consumer c's rates for material m on the segment
// starting at t and returns the segment's end, shortened to the next
// instant its inventory or stockpile changes regime.
func (w *worker) consumerRates(c, m int, t, t1 float64) float64 {
	i := c*w.p.nM + m
	D, G := w.dem[i], w.recv[i]
	def := max(0, D-G)
	if w.inv[i] > 0 && def > 0 && w.inv[i] < def*2*eps {
		w.inv[i] = 0 // less than an instant of cover left: empty now
	}
	if w.refilling[i] && G > D && w.inv0[i]-w.inv[i] < (G-D)*2*eps {
		w.inv[i] = w.inv0[i] // full within an instant
		w.refilling[i] = false
		w.nextAlloc[m] = t
	}
	draw, fill, rel := 0.0, 0.0, 0.0
	if w.inv[i] > 0 && def > 0 {
		draw = def // inventory covers the deficit first, with no rate limit
		t1 = min(t1, t+w.inv[i]/draw)
		if low := (1 - refillBand) * w.inv0[i]; w.refill[i] > 0 && !w.refilling[i] {
			if w.inv[i]-low < draw*2*eps {
				w.refilling[i] = true // at the reorder point: refill from now
				w.nextAlloc[m] = t
			} else {
				at := t + (w.inv[i]-low)/draw // refill starts there
				t1 = min(t1, at)
				w.nextAlloc[m] = min(w.nextAlloc[m], at)
			}
		}
	}
	if w.refilling[i] && G > D {
		fill = G - D
		at := t + (w.inv0[i]-w.inv[i])/fill // refill stops there
		t1 = min(t1, at)
		w.nextAlloc[m] = min(w.nextAlloc[m], at)
	}
	rem := def - draw
	if rem > tiny*D {
		if w.spSince[i] < 0 {
			w.spSince[i] = t
		}
	} else {
		w.spSince[i] = -1
	}
	if w.hold[i] > 0 && w.spSince[i] >= 0 {
		if at := w.spSince[i] + w.relAfter[c]; at > t+eps {
			t1 = min(t1, at)
		} else if rel = min(rem, w.maxRel[i]); w.hold[i] < rel*2*eps {
			w.hold[i], rel = 0, 0 // less than an instant of release left: empty now
		} else {
			t1 = min(t1, t+w.hold[i]/rel)
		}
	}
	short := rem - rel
	if short <= tiny*D {
		short = 0
	}
	w.draw[i], w.fill[i], w.rel[i], w.short[i] = draw, fill, rel, short
	return t1
}
