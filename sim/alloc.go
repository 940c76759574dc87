package sim

import "math"

// The allocation passes copy slices into locals before their loops: the
// compiler must otherwise reload every slice header from the worker after
// each store, which doubled their cost.

// allocate computes the flows of material m on the current segment
// (MODEL.md 4.2-4.4): ordinary requests upstream, supply downstream, then,
// where routes have under-delivered for longer than reroute_after,
// rerouted requests served from what ordinary requests left.
func (w *worker) allocate(m int, t float64) {
	p := w.p
	tb := &p.mtab[m]
	nN, nM := len(p.nodes), p.nM
	n := len(tb.route)
	var (
		seenO            = w.seenO
		capM             = w.cap
		dem, refill      = w.dem, w.refill
		refilling        = w.refilling
		pairF            = w.pairF
		under            = w.under
		q, f, a, flagged = w.q[:n], w.f[:n], w.a[:n], w.flagged[:n]
		share, from      = tb.share[:n], tb.from[:n]
		route            = tb.route[:n]
		pairOff, pairIdx = tb.pairOff, tb.pairIdx
		reroute          = w.reroute
		anyFlag          bool
	)
	clear(seenO)
	for gi, g := range tb.groups {
		var req float64
		if g.dest >= nN {
			i := (g.dest-nN)*nM + m
			req = dem[i]
			if refilling[i] {
				req += refill[i]
			}
		} else {
			req = min(seenO[g.dest], capM[g.dest*nM+m])
		}
		alt := tb.alt[gi]
		for k := g.start; k < g.end; k++ {
			fk := 1.0
			for _, pi := range pairIdx[pairOff[k]:pairOff[k+1]] {
				fk = min(fk, pairF[pi])
			}
			qk := share[k] * req
			q[k], f[k], a[k] = qk, fk, qk*fk
			seenO[from[k]] += qk * fk
			fl := false
			if alt {
				u := under[int(route[k])*nM+m]
				fl = u >= 0 && t >= u+reroute-eps
			}
			flagged[k] = fl
			anyFlag = anyFlag || fl
		}
	}
	w.supply(m, false)
	if anyFlag {
		spare := w.spareN
		for i := range p.nodes {
			spare[i] = max(0, capM[i*nM+m]-seenO[i])
		}
		// Rerouted input can raise a node's ordinary output and so shrink
		// missing amounts downstream; iterate to the fixed point, which
		// the stage order reaches in at most one round per stage.
		for it := 0; it < p.nStages+2; it++ {
			w.extraRequests(m)
			w.supply(m, true)
			if !w.missChanged(m) {
				break
			}
		}
	}
	// Record the flows, and run the reroute clocks: a route starts its
	// clock when it delivers less than its destination asked of it, and
	// resets it when it delivers in full.
	deliv, dO, dX := w.deliv, w.dO[:n], w.dX[:n]
	trig := math.Inf(1)
	clocks := !math.IsInf(reroute, 1)
	for k, ri := range route {
		i := int(ri)*nM + m
		deliv[i] = dO[k] + dX[k]
		if !clocks {
			continue
		}
		switch {
		case dO[k] >= q[k]*(1-tiny):
			under[i] = -1
		case under[i] < 0:
			under[i] = t
		}
		if u := under[i]; u >= 0 && u+reroute > t+eps && tb.altPos[k] {
			trig = min(trig, u+reroute)
		}
	}
	w.trig[m] = trig
	out, outO, outX := w.out, w.outO, w.outX
	for i := range p.nodes {
		out[i*nM+m] = outO[i] + outX[i]
	}
	recv, inO, inX := w.recv, w.inO, w.inX
	for c := range p.cons {
		recv[c*nM+m] = inO[nN+c] + inX[nN+c]
	}
}

// supply runs material m from the mines down (MODEL.md 4.3): a node puts
// out min(capacity, input, requests) and serves its routes pro rata. With
// extra, rerouted requests are served from the capacity and input that
// ordinary requests left; a node's input is pooled, so rerouted input
// also serves its ordinary requests.
func (w *worker) supply(m int, extra bool) {
	p := w.p
	tb := &p.mtab[m]
	nM := p.nM
	n := len(tb.route)
	var (
		inO, inX       = w.inO, w.inX
		outO, outX     = w.outO, w.outX
		ratioO, ratioX = w.ratioO, w.ratioX
		seenO, seenX   = w.seenO, w.seenX
		capM           = w.cap
		a, xa, dO, dX  = w.a[:n], w.xa[:n], w.dO[:n], w.dX[:n]
		from, groups   = tb.from[:n], tb.groups
		inf            = math.Inf(1)
	)
	clear(inO)
	clear(inX)
	if !extra {
		clear(dX)
		clear(outX)
	}
	for k, nodes := range p.nodesByStage {
		for _, i := range nodes {
			c := capM[i*nM+m]
			in := inO[i] + inX[i]
			if k == 0 {
				in = inf
			}
			seen := seenO[i]
			o := min(c, in, seen)
			outO[i] = o
			r := 0.0
			if seen > 0 {
				r = o / seen
			}
			ratioO[i] = r
			if extra {
				sx := seenX[i]
				x := max(0, min(c-o, in-o, sx))
				outX[i] = x
				rx := 0.0
				if sx > 0 {
					rx = x / sx
				}
				ratioX[i] = rx
			}
		}
		// Each destination is one group, fed from one stage: sum its
		// deliveries in a register rather than through memory.
		for _, g := range groups[tb.supG[k][0]:tb.supG[k][1]] {
			var sO, sX float64
			if extra {
				for pos := g.start; pos < g.end; pos++ {
					s := from[pos]
					v, x := a[pos]*ratioO[s], xa[pos]*ratioX[s]
					dO[pos], dX[pos] = v, x
					sO += v
					sX += x
				}
				inX[g.dest] = sX
			} else {
				for pos := g.start; pos < g.end; pos++ {
					v := a[pos] * ratioO[from[pos]]
					dO[pos] = v
					sO += v
				}
			}
			inO[g.dest] = sO
		}
	}
}

// extraRequests sets the rerouted requests of material m from the current
// deliveries (MODEL.md 4.4): a flagged route's missing amount goes to the
// destination's other routes in proportion to their sources' spare
// capacity, and a node passes rerouted requests upstream by share, as far
// as its own spare capacity allows. Restrictions cap them like any request.
func (w *worker) extraRequests(m int) {
	p := w.p
	tb := &p.mtab[m]
	nN, nM := len(p.nodes), p.nM
	n := len(tb.route)
	var (
		seenX, seenO     = w.seenX, w.seenO
		capM, spare      = w.cap, w.spareN
		xq, xa, q, f, dO = w.xq[:n], w.xa[:n], w.q[:n], w.f[:n], w.dO[:n]
		miss, flagged    = w.miss[:n], w.flagged[:n]
		share, from      = tb.share[:n], tb.from[:n]
	)
	clear(seenX)
	clear(xq)
	for gi, g := range tb.groups {
		if g.dest < nN {
			c := capM[g.dest*nM+m]
			if x := min(seenX[g.dest], max(0, c-min(seenO[g.dest], c))); x > 0 {
				for k := g.start; k < g.end; k++ {
					xq[k] += share[k] * x
				}
			}
		}
		if tb.alt[gi] {
			var total float64
			for k := g.start; k < g.end; k++ {
				total += spare[from[k]]
			}
			for k := g.start; k < g.end; k++ {
				if !flagged[k] {
					continue
				}
				mk := max(0, q[k]-dO[k])
				miss[k] = mk
				others := total - spare[from[k]]
				if mk <= 0 || others <= 0 {
					continue
				}
				for o := g.start; o < g.end; o++ {
					if o != k {
						xq[o] += mk * spare[from[o]] / others
					}
				}
			}
		}
		for k := g.start; k < g.end; k++ {
			x := xq[k] * f[k]
			xa[k] = x
			seenX[from[k]] += x
		}
	}
}

// missChanged reports whether the latest supply changed any flagged
// route's missing amount from the one its rerouted requests were set for.
func (w *worker) missChanged(m int) bool {
	n := len(w.p.mtab[m].route)
	q, dO, miss, flagged := w.q[:n], w.dO[:n], w.miss[:n], w.flagged[:n]
	for k := range n {
		if flagged[k] {
			mk := max(0, q[k]-dO[k])
			if math.Abs(mk-miss[k]) > tiny*max(q[k], 1e-300) {
				return true
			}
		}
	}
	return false
}
