package sim

import "math"

// allocate computes the flows of material m on the current segment
// (MODEL.md 4.2-4.4): ordinary requests upstream, supply downstream, then,
// where routes have under-delivered for longer than reroute_after,
// rerouted requests served from what ordinary requests left.
func (w *worker) allocate(m int, t float64) {
	p := w.p
	tb := &p.mtab[m]
	nN, nM := len(p.nodes), p.nM
	clear(w.seenO)
	anyFlag := false
	for gi, g := range tb.groups {
		var req float64
		if g.dest >= nN {
			i := (g.dest-nN)*nM + m
			req = w.dem[i]
			if w.refilling[i] {
				req += w.refill[i]
			}
		} else {
			req = min(w.seenO[g.dest], w.cap[g.dest*nM+m])
		}
		alt := tb.alt[gi]
		for k := g.start; k < g.end; k++ {
			f := 1.0
			for _, pi := range tb.pairIdx[tb.pairOff[k]:tb.pairOff[k+1]] {
				f = min(f, w.pairF[pi])
			}
			q := tb.share[k] * req
			w.q[k], w.f[k], w.a[k] = q, f, q*f
			w.seenO[tb.from[k]] += q * f
			fl := false
			if alt {
				u := w.under[int(tb.route[k])*nM+m]
				fl = u >= 0 && t >= u+w.reroute-eps
			}
			w.flagged[k] = fl
			anyFlag = anyFlag || fl
		}
	}
	w.supply(m, false)
	if anyFlag {
		for n := range p.nodes {
			w.spareN[n] = max(0, w.cap[n*nM+m]-w.seenO[n])
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
	// Reroute clocks: a route starts its clock when it delivers less than
	// its destination asked of it, and resets when it delivers in full.
	trig := math.Inf(1)
	for k, ri := range tb.route {
		i := int(ri)*nM + m
		w.deliv[i] = w.dO[k] + w.dX[k]
		if math.IsInf(w.reroute, 1) {
			continue
		}
		switch {
		case w.dO[k] >= w.q[k]*(1-tiny):
			w.under[i] = -1
		case w.under[i] < 0:
			w.under[i] = t
		}
		if u := w.under[i]; u >= 0 && u+w.reroute > t+eps && tb.altPos[k] {
			trig = min(trig, u+w.reroute)
		}
	}
	w.trig[m] = trig
	for n := range p.nodes {
		w.out[n*nM+m] = w.outO[n] + w.outX[n]
	}
	for c := range p.cons {
		w.recv[c*nM+m] = w.inO[nN+c] + w.inX[nN+c]
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
	clear(w.inO)
	clear(w.inX)
	if !extra {
		clear(w.dX[:len(tb.route)])
		clear(w.outX)
	}
	for k := range p.nStages {
		for _, n := range p.nodesByStage[k] {
			c := w.cap[n*nM+m]
			in := w.inO[n] + w.inX[n]
			if k == 0 {
				in = math.Inf(1)
			}
			seen := w.seenO[n]
			o := min(c, in, seen)
			w.outO[n] = o
			w.ratioO[n] = 0
			if seen > 0 {
				w.ratioO[n] = o / seen
			}
			if extra {
				sx := w.seenX[n]
				x := max(0, min(c-o, in-o, sx))
				w.outX[n] = x
				w.ratioX[n] = 0
				if sx > 0 {
					w.ratioX[n] = x / sx
				}
			}
		}
		for _, pos := range tb.sup[tb.supOff[k]:tb.supOff[k+1]] {
			from, to := tb.from[pos], tb.to[pos]
			d := w.a[pos] * w.ratioO[from]
			w.dO[pos] = d
			w.inO[to] += d
			if extra {
				x := w.xa[pos] * w.ratioX[from]
				w.dX[pos] = x
				w.inX[to] += x
			}
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
	clear(w.seenX)
	clear(w.xq[:len(tb.route)])
	for gi, g := range tb.groups {
		if g.dest < nN {
			c := w.cap[g.dest*nM+m]
			if x := min(w.seenX[g.dest], max(0, c-min(w.seenO[g.dest], c))); x > 0 {
				for k := g.start; k < g.end; k++ {
					w.xq[k] += tb.share[k] * x
				}
			}
		}
		if tb.alt[gi] {
			var total float64
			for k := g.start; k < g.end; k++ {
				total += w.spareN[tb.from[k]]
			}
			for k := g.start; k < g.end; k++ {
				if !w.flagged[k] {
					continue
				}
				miss := max(0, w.q[k]-w.dO[k])
				w.miss[k] = miss
				others := total - w.spareN[tb.from[k]]
				if miss <= 0 || others <= 0 {
					continue
				}
				for o := g.start; o < g.end; o++ {
					if o != k {
						w.xq[o] += miss * w.spareN[tb.from[o]] / others
					}
				}
			}
		}
		for k := g.start; k < g.end; k++ {
			x := w.xq[k] * w.f[k]
			w.xa[k] = x
			w.seenX[tb.from[k]] += x
		}
	}
}

// missChanged reports whether the latest supply changed any flagged
// route's missing amount from the one its rerouted requests were set for.
func (w *worker) missChanged(m int) bool {
	tb := &w.p.mtab[m]
	for k := range tb.route {
		if w.flagged[k] {
			miss := max(0, w.q[k]-w.dO[k])
			if math.Abs(miss-w.miss[k]) > tiny*max(w.q[k], 1e-300) {
				return true
			}
		}
	}
	return false
}
