package sim

import "math"

// The allocation passes copy slices into locals before their loops: the
// compiler must otherwise reload every slice header from the worker after
// each store, which doubled their cost.

// allocate computes the flows of material m on the current segment
// (docs/model.md 4.2-4.4): ordinary requests upstream, supply downstream, then,
// where routes have under-delivered for longer than reroute_after (or at
// once, with 0d), rerouted requests served from what ordinary requests
// left, brought to their fixed point.
func (w *worker) allocate(m int, t float64) {
	anyFlag := w.request(m, t)
	w.supply(m, false)
	if w.reroute == 0 {
		anyFlag = w.flagShort(m) || anyFlag
	}
	if anyFlag {
		w.rerouteFixedPoint(m)
	}
	w.record(m, t)
	if w.onAllocate != nil {
		w.onAllocate(m, t)
	}
}

// request runs material m's ordinary requests from the consumers up
// (docs/model.md 4.2-4.3), setting each route's request, restriction
// factor and failing state, and reports whether any route is failing.
func (w *worker) request(m int, t float64) bool {
	p := w.p
	tb := &p.mtab[m]
	nN := len(p.nodes)
	n := len(tb.pos)
	var (
		nf               = w.nf
		capM             = w.cap
		dem, refill      = w.dem, w.refill
		refilling        = w.refilling
		pairF            = w.pairF
		under            = w.under
		rf               = w.rf[:n]
		pos              = tb.pos[:n]
		pairOff, pairIdx = tb.pairOff, tb.pairIdx
		twoPairs         = tb.twoPairs
		reroute          = w.reroute
		anyFlag          bool
	)
	// Each node's capacity for the pass, and no requests seen yet.
	for i := range nN {
		nd := &nf[i]
		nd.cap = capM[p.byMat.at(i, m)]
		nd.seenO = 0
		nd.s2 = [2]float64{}
	}
	classes, two := w.q2.nCl > 1, w.q2.nCl == 2
	if classes && !two {
		clear(w.seen2.v)
	}
	for _, g := range tb.groups {
		// req is a consumer's or one-class node's request; a0 and a1
		// a node's asks by class where there are two (askByClass,
		// inline: a call here would spill the loop's values).
		var req, a0, a1 float64
		cons := g.dest >= nN
		switch {
		case cons:
			i := p.byMat.at(g.dest-nN, m)
			req = dem[i]
			if refilling[i] {
				req += refill[i]
			}
		case two:
			nd := &nf[g.dest]
			a1 = min(nd.s2[1], max(0, nd.cap))
			a0 = min(nd.s2[0], max(0, nd.cap-a1))
		case classes:
			w.askByClass(g.dest, nf[g.dest].cap)
		default:
			req = min(nf[g.dest].seenO, nf[g.dest].cap)
		}
		for k := g.start; k < g.end; k++ {
			rp := &pos[k]
			fk := 1.0
			if twoPairs {
				if pp := rp.pair2; pp[0] >= 0 {
					fk = min(fk, pairF[pp[0]])
					if pp[1] >= 0 {
						fk = min(fk, pairF[pp[1]])
					}
				}
			} else {
				for _, pi := range pairIdx[pairOff[k]:pairOff[k+1]] {
					fk = min(fk, pairF[pi])
				}
			}
			qk := rp.share * req
			// q0 and q1 are the route's requests by class where there
			// are two: scalars, since an array built in memory element
			// by element and then copied whole stalls on the copy.
			var q0, q1 float64
			switch {
			case two:
				// request2, inline: the route's requests by class and
				// their total, added, capped by fk, to its source's.
				// Class 1 is asked for both of its destination's classes.
				switch {
				case cons && rp.class == 0:
					q0 = qk
				case cons:
					q1 = qk
				case rp.class == 0:
					q0, q1 = rp.share*a0, rp.share*a1
				default:
					q1 = rp.share*a0 + rp.share*a1
				}
				sr := &nf[rp.from].s2
				sr[0] += q0 * fk
				sr[1] += q1 * fk
				qk = q0 + q1
			case classes:
				qk = w.requestByClass(m, k, cons, rp.share*req, fk)
			}
			fl := false
			if rp.alt {
				u := under[p.byMat.at(int(rp.route), m)]
				fl = u >= 0 && t >= u+reroute-eps
			}
			// Field by field: a struct literal is built on the stack
			// and copied in 16-byte moves that straddle its 8-byte
			// stores, a store-forwarding stall per route.
			r := &rf[k]
			r.q, r.f, r.a = qk, fk, qk*fk
			r.qc[0], r.qc[1] = q0, q1
			r.e, r.xq, r.dX = 0, 0, 0
			r.from, r.flagged = rp.from, fl
			nf[rp.from].seenO += qk * fk
			anyFlag = anyFlag || fl
		}
	}
	return anyFlag
}

// record keeps material m's flows of the pass and runs the reroute
// clocks: a route starts its clock when it delivers less than its
// destination asked of it, and resets it when it delivers in full.
func (w *worker) record(m int, t float64) {
	p := w.p
	tb := &p.mtab[m]
	nN := len(p.nodes)
	n := len(tb.pos)
	var (
		nf      = w.nf
		rf      = w.rf[:n]
		pos     = tb.pos[:n]
		under   = w.under
		reroute = w.reroute
	)
	deliv := w.deliv
	trig := math.Inf(1)
	clocks := !math.IsInf(reroute, 1)
	for k := range rf {
		i := p.byMat.at(int(pos[k].route), m)
		deliv[i] = rf[k].dO + rf[k].dX
		if !clocks {
			continue
		}
		switch {
		case !rf[k].short():
			under[i] = -1
		case under[i] < 0:
			under[i] = t
		}
		if u := under[i]; u >= 0 && u+reroute > t+eps && pos[k].alt {
			trig = min(trig, u+reroute)
		}
	}
	w.trig[m] = trig
	out, recv := w.out, w.recv
	for i := range p.nodes {
		out[p.byMat.at(i, m)] = nf[i].outO + nf[i].outX
	}
	for c := range p.cons {
		recv[p.byMat.at(c, m)] = nf[nN+c].inO + nf[nN+c].inX
	}
}

// supply runs material m from the mines down (docs/model.md 4.3): a node puts
// out min(capacity, input, requests) and serves its routes pro rata. With
// extra, rerouted requests are served from the capacity and input that
// ordinary requests left; a node's input is pooled, so rerouted input
// also serves its ordinary requests; and each route records what its
// source delivered of them (routeFlow.seeDelivered).
func (w *worker) supply(m int, extra bool) {
	p := w.p
	tb := &p.mtab[m]
	nf, groups := w.nf, w.groups[m]
	// With extra, the first stage's ordinary outputs and deliveries are
	// the ones the pass's ordinary supply set: a mine's input is
	// unbounded, so rerouted requests cannot change them. Every other
	// ordinary input is assigned below before it is read, so only the
	// ordinary supply clears them (allocate clears the routes' rerouted
	// deliveries).
	for i := range nf {
		nd := &nf[i]
		nd.inX = 0
		if !extra {
			nd.inO, nd.outX = 0, 0
		}
	}
	for k, nodes := range p.nodesByStage {
		fixed := extra && k == 0
		w.serveNodes(nodes, k == 0, fixed, extra)
		// Each destination is one group, fed from one stage: sum its
		// deliveries in a register rather than through memory.
		w.deliverGroups(groups[tb.supG[k][0]:tb.supG[k][1]], fixed, extra)
	}
}

// serveNodes is the supply's node step for one stage's nodes (mines where
// first): each node's output and the ratios at which it serves its
// ordinary and, with extra, its rerouted requests. With fixed, ordinary
// outputs are the ones the pass's ordinary supply set.
func (w *worker) serveNodes(nodes []int, first, fixed, extra bool) {
	var (
		nf      = w.nf
		inf     = math.Inf(1)
		classes = w.q2.nCl > 1
		two     = w.q2.nCl == 2
	)
	for _, i := range nodes {
		nd := &nf[i]
		c := nd.cap
		in := nd.inO + nd.inX
		if first {
			in = inf
		}
		var o float64
		if fixed {
			o = nd.outO
		} else {
			seen := nd.seenO
			o = min(c, in, seen)
			nd.outO = o
			r := 0.0
			if seen > 0 {
				r = o / seen
			}
			nd.ratioO = r
		}
		switch {
		case fixed:
		case two:
			// serveByClass, inline for two classes.
			s1 := nd.s2[1]
			served := min(s1, max(0, o))
			rem := o - served
			nd.r2[1] = 0
			if s1 > 0 {
				nd.r2[1] = served / s1
			}
			s0 := nd.s2[0]
			served = min(s0, max(0, rem))
			nd.r2[0] = 0
			if s0 > 0 {
				nd.r2[0] = served / s0
			}
		case classes:
			w.serveByClass(i, o)
		}
		if extra {
			sx := nd.seenX
			x := max(0, min(c-o, in-o, sx))
			nd.outX = x
			// Where nothing was asked, the ratio says whether
			// anything could be delivered.
			rx := 0.0
			switch {
			case sx > 0:
				rx = x / sx
			case min(c-o, in-o) > 0:
				rx = 1
			}
			nd.ratioX = rx
		}
	}
}

// deliverGroups is the supply's delivery step for the destination groups
// fed from one stage: each route's ordinary and rerouted deliveries at
// its source's ratios, summed into its destination's inputs.
func (w *worker) deliverGroups(stage []groupView, fixed, extra bool) {
	var (
		nf      = w.nf
		classes = w.q2.nCl > 1
		two     = w.q2.nCl == 2
	)
	for gi := range stage {
		g := &stage[gi] // not a copy: a view is nine words
		var sO, sX float64
		gr := g.rf
		if fixed {
			for j := range gr {
				r := &gr[j]
				sX += r.deliverRerouted(nf[r.from].ratioX)
			}
			nf[g.dest].inX = sX
			continue
		}
		switch {
		case two:
			// Two classes, inline: the common case.
			for j := range gr {
				r := &gr[j]
				src := &nf[r.from]
				var v float64
				v += r.qc[0] * src.r2[0]
				v += r.qc[1] * src.r2[1]
				v *= r.f
				r.dO = v
				sO += v
				if extra {
					sX += r.deliverRerouted(src.ratioX)
				}
			}
		case classes:
			// Ordinary requests are served class by class.
			for j := range gr {
				r := &gr[j]
				v := w.deliverByClass(g.start+j, int(r.from))
				r.dO = v
				sO += v
				if extra {
					sX += r.deliverRerouted(nf[r.from].ratioX)
				}
			}
		case extra:
			for j := range gr {
				r := &gr[j]
				src := &nf[r.from]
				v := r.a * src.ratioO
				r.dO = v
				sO += v
				sX += r.deliverRerouted(src.ratioX)
			}
		default:
			for j := range gr {
				r := &gr[j]
				v := r.a * nf[r.from].ratioO
				r.dO = v
				sO += v
			}
		}
		dst := &nf[g.dest]
		if extra {
			dst.inX = sX
		}
		dst.inO = sO
	}
}

// maxRounds bounds the rounds of one rerouting fixed point. Rounds stop
// as soon as a round leaves every rerouted request as it was; a pass that
// reaches the bound is counted in worker.unconverged, which the tests
// require to stay zero.
const maxRounds = 500

// rerouteFixedPoint brings material m's rerouted requests to their fixed point
// (docs/model.md 4.4): each round sets the rerouted requests from the latest
// flows, then runs the supply with them, until a round changes no request
// and no route's failing state. With reroute_after 0d a route that falls
// short in any round fails from that round on.
func (w *worker) rerouteFixedPoint(m int) {
	p := w.p
	tb := &p.mtab[m]
	n := len(tb.pos)
	nf := w.nf
	for i := range p.nodes {
		nd := &nf[i]
		nd.spare = max(0, nd.cap-nd.seenO)
	}
	rf := w.rf[:n]
	for k := range rf {
		r := &rf[k]
		r.part, r.shortLvl = 0, noLevel
		r.spare = nf[r.from].spare
		// Until a supply has run with rerouted requests, every source
		// is taken to deliver them in full: only restrictions cap them.
		r.phi = r.f
	}
	// The ordinary supply is the supply with no rerouted requests, which
	// is where the rounds start.
	alpha, last := 1.0, math.Inf(1)
	for it := 0; ; it++ {
		if !w.extraRequests(m, alpha) {
			break
		}
		alpha = damping(alpha, w.residual, last)
		last = w.residual
		if it == maxRounds {
			w.unconverged++
			break
		}
		w.rounds++
		w.supply(m, true)
		if w.reroute == 0 && w.flagShort(m) {
			w.extraChanged = true
		}
	}
}

// damping returns the step the next round takes from the rerouted
// requests it finds towards the ones it would set, given this round's
// step alpha and its undamped change r after one of last. A missing amount
// shrinks as rerouted input raises a node's ordinary output, so the plain
// iteration can swing between two states (it does in a random scenario
// with priorities): where a round's change has not shrunk below 0.95 of
// the one before, the step halves, to 1/8 at least. Damping leaves the
// fixed point where it is, and rounds end only when the undamped change
// is within the tolerance.
func damping(alpha, r, last float64) float64 {
	if r > 0.95*last {
		return max(alpha/2, 1.0/8)
	}
	return alpha
}

// groupView is one destination group of a material's route table, with
// its routes' slices of the worker's routeFlow and of the shares, made
// once per worker: the passes then slice nothing per group.
type groupView struct {
	rf    []routeFlow
	share []float64
	dest  int  // node index, or len(nodes)+consumer index
	start int  // position of its first route
	alt   bool // more than one route: rerouting can move requests between them
}

// nodeFlow is one node's allocation state for the material being
// allocated (docs/model.md 4.2-4.4), kept together as routeFlow is; the
// entries after the nodes are the consumers', of which only inO and inX
// are used.
type nodeFlow struct {
	cap            float64 // capacity(t)
	seenO, seenX   float64 // ordinary and rerouted requests it sees
	outO, outX     float64 // ordinary and rerouted output
	ratioO, ratioX float64 // the fraction of each it serves
	inO, inX       float64 // ordinary and rerouted input obtained
	spare          float64 // capacity left by ordinary requests, in this pass
	// s2 and r2 are the requests seen and the ratio served by class
	// where there are exactly two (more use the worker's class tables).
	s2, r2 [2]float64
}

// routeFlow is one route position's allocation state for the material
// being allocated (docs/model.md 4.2-4.4), kept together so that a pass
// reads one struct per route rather than a dozen parallel slices.
type routeFlow struct {
	q, f, a float64 // ordinary request, restriction factor, request after it
	// e is the route's share of the rerouted requests its destination
	// passes upstream, part what it is asked of a missing amount, xq the
	// rerouted request (e + part, damped) and xa that after restriction.
	e, part, xq, xa float64
	dO, dX          float64 // ordinary and rerouted deliveries
	// qc is the ordinary request by class where there are two classes
	// (more use worker.q2).
	qc [2]float64
	// phi is the fraction of its rerouted requests the route delivers on
	// the latest flows, spare its source's spare capacity in this pass.
	phi, spare    float64
	from          int32 // source node
	lvl, shortLvl int32 // levels (see levels)
	flagged       bool  // failing: its missing amount is rerouted
}

// deliverRerouted sets the route's rerouted delivery at its source's
// ratio rx for rerouted requests, records rx (seeDelivered) and returns
// the delivery.
func (r *routeFlow) deliverRerouted(rx float64) float64 {
	x := r.xa * rx
	r.dX = x
	r.seeDelivered(rx)
	return x
}

// seeDelivered records, after a supply with rerouted requests, the
// fraction rx of them the route's source delivered: phi is what the route
// delivers of its own, and a candidate that did not deliver its part in
// full gets no more than the levels it has now (see levels).
func (r *routeFlow) seeDelivered(rx float64) {
	r.phi = r.f * rx
	if r.part > 0 && r.shortLvl == noLevel && r.phi < 1-tiny {
		r.shortLvl = r.lvl
	}
}

// noLevel marks a candidate that has delivered every part it was asked.
const noLevel = int32(1 << 30)

// short reports whether the route delivered less than its destination
// asked of it: its share of the destination's ordinary request and of the
// rerouted requests the destination passes upstream (both before any
// restriction). The extra requests it carries as a candidate for other
// routes' missing amounts are not part of that.
func (r *routeFlow) short() bool {
	return r.got(r.e) < (r.q+r.e)*(1-tiny)
}

// got is what the route delivers of its ordinary request and of e, its
// share of the rerouted requests its destination passes upstream: its
// rerouted deliveries are pro rata over all it carries.
func (r *routeFlow) got(e float64) float64 {
	g := r.dO
	if x := r.xq; x > 0 {
		g += r.dX * e / x
	}
	return g
}

// flagShort marks as failing every route of a destination with
// alternatives that delivers less than it was asked, for reroute_after
// 0d, and reports whether it marked any.
func (w *worker) flagShort(m int) bool {
	tb := &w.p.mtab[m]
	rf := w.rf[:len(tb.pos)]
	any := false
	for k := range rf {
		if r := &rf[k]; tb.pos[k].alt && !r.flagged && r.short() {
			r.flagged = true
			any = true
		}
	}
	return any
}

// extraRequests sets the rerouted requests of material m from the latest
// flows (docs/model.md 4.4) and reports whether any changed. Destinations go in
// request order, so a node passes on, by share, the rerouted requests its
// own destinations set in this round, as far as its spare capacity
// allows. At a destination with alternatives, the routes that are failing
// are missing what they were asked and did not deliver; the sum is asked
// of the other routes by levels (see levels). Restrictions cap rerouted
// requests like any request.
func (w *worker) extraRequests(m int, alpha float64) bool {
	p := w.p
	nN := len(p.nodes)
	var (
		nf             = w.nf
		changed        = w.extraChanged
		scale, largest float64
	)
	w.extraChanged = false
	for i := range nN {
		nf[i].seenX = 0
	}
	groups := w.groups[m]
	for gi := range groups {
		g := &groups[gi]
		var E float64
		if g.dest < nN {
			E = min(nf[g.dest].seenX, nf[g.dest].spare)
		}
		gr := g.rf
		var M float64
		for j, sh := range g.share {
			r := &gr[j]
			ek := sh * E
			r.e = ek
			if v := r.q + ek; v > largest {
				largest = v
			}
			if r.flagged {
				M += max(0, r.q+ek-r.got(ek))
			}
		}
		switch {
		case !g.alt:
		case M > 0:
			w.levels(gr, M)
		default:
			// Nothing is missing: no candidate is asked anything.
			for j := range gr {
				gr[j].part = 0
			}
		}
		for j := range gr {
			r := &gr[j]
			x := r.e + r.part
			if d := math.Abs(x - r.xq); d > scale {
				scale = d
			}
			if alpha < 1 {
				x = r.xq + alpha*(x-r.xq)
			}
			r.xq = x
			a := x * r.f
			r.xa = a
			nf[r.from].seenX += a
		}
	}
	w.residual = scale
	return changed || scale > 1e-12*max(largest, 1e-300)
}

// levels splits the missing amount M > 0 of destination group g over its
// routes that are not failing (docs/model.md 4.4), into each route's part. At level 0
// every candidate whose source has spare capacity is asked its share of M
// in proportion to that spare capacity; what a candidate cannot deliver
// of its part (the fraction phi it delivers is below 1) is asked at the
// next level of the candidates that deliver in full, by the same rule,
// until nothing is left or no candidate can deliver more. A candidate
// once found short at some level keeps the parts it had up to that level
// for the rest of the pass, so the split cannot cycle between asking it
// and not.
func (w *worker) levels(gr []routeFlow, M float64) {
	// now[j] says whether candidate j is active at this level: it is not
	// failing, its source has spare capacity, and at levels above 0 it
	// delivered in full (phi is 1) or was found short at this level or a
	// higher one. Activity only narrows as the levels rise.
	now, next := w.actNow[:len(gr)], w.actNext[:len(gr)]
	// W is the spare capacity of the candidates active at this level,
	// summed as their activity is set.
	var W float64
	for j := range gr {
		r := &gr[j]
		a := !r.flagged && r.spare > 0
		now[j] = a
		r.part = 0
		if a {
			W += r.spare
		}
	}
	U := M
	for level := int32(0); U > tiny*M && level <= int32(len(gr)); level++ {
		if W <= 0 {
			break
		}
		// Each active candidate takes its part of U; one leaving after
		// this level leaves what it cannot deliver of all its parts to
		// the next.
		Un, Wn := 0.0, 0.0
		up := level + 1
		for j, a := range now {
			b := false
			if a {
				r := &gr[j]
				r.part += U * r.spare / W
				r.lvl = level
				if sl := r.shortLvl; sl != noLevel {
					b = up <= sl
				} else {
					b = r.phi >= 1-tiny
				}
				if b {
					Wn += r.spare
				} else {
					Un += r.part * (1 - r.phi)
				}
			}
			next[j] = b
		}
		U, W = Un, Wn
		now, next = next, now
	}
}

// classTable holds one value per (row, request class): rows are route
// positions or nodes.
type classTable struct {
	v   []float64
	nCl int
}

func newClassTable(rows, nCl int) classTable {
	return classTable{v: make([]float64, rows*nCl), nCl: nCl}
}

// row returns row i's values, by class.
func (t classTable) row(i int) []float64 { return t.v[i*t.nCl : (i+1)*t.nCl] }

// askByClass sets w.ask to what node i asks upstream in each class: the
// requests it sees, highest class first, up to its capacity (docs/model.md
// 4.3).
func (w *worker) askByClass(i int, capacity float64) {
	seen, ask := w.seen2.row(i), w.ask
	rem := capacity
	for c := len(ask) - 1; c >= 0; c-- {
		x := min(seen[c], max(0, rem))
		ask[c] = x
		rem -= x
	}
}

// requestByClass sets the ordinary requests of the route at position k by
// class and adds them, capped by its restriction factor f, to its
// source's requests seen: a consumer's request enters at the route's own
// class, a node's class-c ask at the higher of c and the route's class.
// It returns the route's total request.
func (w *worker) requestByClass(m, k int, consumer bool, req, f float64) float64 {
	tb := &w.p.mtab[m]
	rp := &tb.pos[k]
	share, cl := rp.share, int(rp.class)
	qr, sr := w.q2.row(k), w.seen2.row(int(rp.from))
	clear(qr)
	if consumer {
		qr[cl] = req
	} else {
		for c, x := range w.ask {
			qr[max(c, cl)] += share * x
		}
	}
	var total float64
	for c, x := range qr {
		sr[c] += x * f
		total += x
	}
	return total
}

// serveByClass splits node i's ordinary output o over the request classes
// it sees, highest first; within a class every request gets the same
// ratio.
func (w *worker) serveByClass(i int, o float64) {
	seen, ratio := w.seen2.row(i), w.ratio2.row(i)
	rem := o
	for c := len(seen) - 1; c >= 0; c-- {
		s := seen[c]
		served := min(s, max(0, rem))
		rem -= served
		ratio[c] = 0
		if s > 0 {
			ratio[c] = served / s
		}
	}
}

// deliverByClass is the ordinary delivery of the route at position pos
// from node src: each class of its requests, capped by its restriction,
// at its source's ratio for that class.
func (w *worker) deliverByClass(pos, src int) float64 {
	var v float64
	ratio := w.ratio2.row(src)
	for c, x := range w.q2.row(pos) {
		v += x * ratio[c]
	}
	return v * w.rf[pos].f
}
