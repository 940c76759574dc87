package sim

import (
	"math"
)

// BlockSize is the number of consecutive trials whose per-trial values are
// summed in floating point before entering the exact fixed-point
// aggregates. Blocks start at multiples of BlockSize, so any split of the
// trials on block boundaries (worker queues, shards) sums the same blocks in
// the same order and merges to identical bits.
const BlockSize = 64

// Metric indices into the per-trial and aggregate arrays.
const (
	iShortfall = iota
	iShortfallFrac
	iPeakFrac
	iPShort
	iTimeToShort
	iDaysShort
	iDemand
	iDelivered
	nMetrics
)

type moments struct {
	n        uint64
	s, ss    i128
	min, max float64
}

// agg holds exactly mergeable aggregates of any number of trials.
type agg struct {
	trials uint64
	mom    []moments // nS*nM*nMetrics
	hist   []hist
	ser    []i128  // nS*nM*nP: sum of period shortfall fractions
	serH   []*hist // nS*nM*nP: their positive values (nil until one occurs)
	util   []i128  // nN*nM*nP
	flow   []i128  // nF*nP

	// Block accumulators (floating point, one block of trials).
	bS, bSS []float64
	bN      []uint64
	bSer    []float64
	bUtil   []float64
	bFlow   []float64
}

func newAgg(p *plan) *agg {
	nS, nM, nP, nN := len(p.scopes), p.nM, p.nP, len(p.nodes)
	k := nS * nM * nMetrics
	a := &agg{
		mom: make([]moments, k), hist: make([]hist, k),
		ser: make([]i128, nS*nM*nP), serH: make([]*hist, nS*nM*nP),
		util: make([]i128, nN*nM*nP), flow: make([]i128, len(p.flowKeys)*nP),
		bS: make([]float64, k), bSS: make([]float64, k), bN: make([]uint64, k),
		bSer: make([]float64, nS*nM*nP), bUtil: make([]float64, nN*nM*nP), bFlow: make([]float64, len(p.flowKeys)*nP),
	}
	for i := range a.mom {
		a.mom[i].min, a.mom[i].max = math.Inf(1), math.Inf(-1)
	}
	return a
}

// value records one metric value of one trial.
func (a *agg) value(i int, v float64) {
	a.bS[i] += v
	a.bSS[i] += v * v
	a.bN[i]++
	m := &a.mom[i]
	m.min = min(m.min, v)
	m.max = max(m.max, v)
	a.hist[i].add(v)
}

// addTrial records the worker's last trial.
func (a *agg) addTrial(w *worker) {
	p := w.p
	nM, nP := p.nM, p.nP
	a.trials++
	for j := range w.tDem {
		base := j * nMetrics
		dem, sh := w.tDem[j], w.tShort[j]
		frac := 0.0
		if dem > 0 {
			frac = sh / dem
		}
		peak := 0.0
		for k := j * nP; k < (j+1)*nP; k++ {
			if sh := w.perShort[k]; sh > 0 {
				f := sh / w.perDem[k]
				peak = max(peak, f)
				a.bSer[k] += f
				h := a.serH[k]
				if h == nil {
					h = new(hist)
					a.serH[k] = h
				}
				h.add(f)
			}
		}
		short := sh > 1e-9
		a.value(base+iShortfall, sh)
		a.value(base+iShortfallFrac, frac)
		a.value(base+iPeakFrac, peak)
		ps := 0.0
		if short {
			ps = 1
			a.value(base+iTimeToShort, w.tFirst[j])
		}
		a.value(base+iPShort, ps)
		a.value(base+iDaysShort, w.tDays[j])
		a.value(base+iDemand, dem)
		a.value(base+iDelivered, w.tDlv[j])
	}
	for i, c := range w.utilCap {
		if c > 0 {
			a.bUtil[i] += w.utilOut[i] / c
		}
	}
	for i, f := range w.flow {
		a.bFlow[i] += f
	}
	_ = nM
}

// flush moves the block accumulators into the exact aggregates.
func (a *agg) flush() {
	for i := range a.bS {
		if a.bN[i] == 0 {
			continue
		}
		m := &a.mom[i]
		m.n += a.bN[i]
		m.s.add(toFixed(a.bS[i]))
		m.ss.add(toFixed(a.bSS[i]))
		a.bS[i], a.bSS[i], a.bN[i] = 0, 0, 0
	}
	flushSums(a.ser, a.bSer)
	flushSums(a.util, a.bUtil)
	flushSums(a.flow, a.bFlow)
}

func flushSums(dst []i128, src []float64) {
	for i, v := range src {
		if v != 0 {
			dst[i].add(toFixed(v))
			src[i] = 0
		}
	}
}

// merge adds another aggregate's (flushed) contents.
func (a *agg) merge(o *agg) {
	a.trials += o.trials
	for i := range a.mom {
		m, om := &a.mom[i], &o.mom[i]
		m.n += om.n
		m.s.add(om.s)
		m.ss.add(om.ss)
		m.min = min(m.min, om.min)
		m.max = max(m.max, om.max)
		a.hist[i].merge(&o.hist[i])
	}
	for i := range a.ser {
		a.ser[i].add(o.ser[i])
		if oh := o.serH[i]; oh != nil {
			if a.serH[i] == nil {
				a.serH[i] = new(hist)
			}
			a.serH[i].merge(oh)
		}
	}
	for i := range a.util {
		a.util[i].add(o.util[i])
	}
	for i := range a.flow {
		a.flow[i].add(o.flow[i])
	}
}

// stats summarises metric i.
func (a *agg) stats(i int) Stats {
	m := &a.mom[i]
	if m.n == 0 {
		nan := math.NaN()
		return Stats{Mean: nan, SD: nan, SE: nan, P5: nan, P50: nan, P90: nan, P95: nan, P99: nan, CVaR95: nan, Min: nan, Max: nan}
	}
	n := float64(m.n)
	s, ss := m.s.float(), m.ss.float()
	mean := s / n
	// The mean of values all equal to min is exactly min; keep it so.
	if m.min == m.max {
		mean = m.min
	}
	mean = clamp(mean, m.min, m.max)
	sd := 0.0
	if m.n > 1 && m.min != m.max {
		sd = math.Sqrt(max(0, (ss-s*mean)/(n-1)))
	}
	h := &a.hist[i]
	q := func(p float64) float64 { return h.quantile(p, m.n, m.min, m.max) }
	return Stats{
		N: int64(m.n), Mean: mean, SD: sd, SE: sd / math.Sqrt(n),
		P5: q(0.05), P50: q(0.5), P90: q(0.9), P95: q(0.95), P99: q(0.99),
		CVaR95: clamp(h.tailMean(0.05, m.n, m.min, m.max), m.min, m.max),
		Min:    m.min, Max: m.max,
	}
}
