package sim

import (
	"math"
	"math/big"
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
	iSubstituted
	nMetrics
)

// moments holds exact sums of a metric's values: each value is rounded
// toward zero to fixed point (multiples of 2^-32) and its value and square
// are summed as integers. Any grouping of the values sums to the same bits,
// and the variance comes from those exact sums with no cancellation
// (docs/model.md 5: demand of 1e13 t still gets its spread of a few tonnes).
type moments struct {
	n        uint64
	s        i128
	ss       u256
	min, max float64
}

// emptyMoments holds no values: its extremes are +Inf and -Inf.
func emptyMoments() moments {
	return moments{min: math.Inf(1), max: math.Inf(-1)}
}

// add takes in one value.
func (m *moments) add(v float64) {
	q := toFixed(v)
	m.n++
	m.s.add(q)
	m.ss.add(square(q))
	m.min = min(m.min, v)
	m.max = max(m.max, v)
}

// merge adds another's values: the sums exactly, in any order.
func (m *moments) merge(o *moments) {
	m.n += o.n
	m.s.add(o.s)
	m.ss.add(o.ss)
	m.min = min(m.min, o.min)
	m.max = max(m.max, o.max)
}

// agg holds exactly mergeable aggregates of any number of trials: integer
// counts, 128-bit fixed-point sums, minima and maxima, all of which add in
// any order to the same bits.
type agg struct {
	p      *plan
	trials uint64
	mom    []moments // nS*nM*nMetrics
	hist   []hist
	ser    []i128  // nS*nM*nP: sum of period shortfall fractions
	serH   []*hist // nS*nM*nP: their positive values (nil until one occurs)
	util   []i128  // nN*nM*nP
	flow   []i128  // nF*nP

	blk *block // for addTrial and flush: one caller's block
}

func newAgg(p *plan) *agg {
	nS, nM, nP, nN := len(p.scopes), p.nM, p.nP, len(p.nodes)
	k := nS * nM * nMetrics
	a := &agg{
		p:   p,
		mom: make([]moments, k), hist: make([]hist, k),
		ser: make([]i128, nS*nM*nP), serH: make([]*hist, nS*nM*nP),
		util: make([]i128, nN*nM*nP), flow: make([]i128, len(p.flowKeys)*nP),
	}
	for i := range a.mom {
		a.mom[i] = emptyMoments()
	}
	return a
}

// block collects one block of consecutive trials on one worker: values
// summed in floating point (the order within a block is fixed by the trial
// indices) and the histogram bins the values fall in. Folding a block into
// an agg makes it exact; the histograms live only in the agg, so memory does
// not grow with the number of workers.
type block struct {
	trials uint64
	mom    []moments // per metric, exact
	vals   []float64 // per metric: the last trial's value (NaN: none, as time_to_short of a trial never short)
	bSer   []float64
	bUtil  []float64
	bFlow  []float64
	// bins holds one entry per histogram value: the histogram index
	// (metrics first, then series) times nBins plus the bin.
	bins []uint64
}

// nBins is the number of bins of a histogram.
const nBins = nOctaves * subBins

func newBlock(p *plan) *block {
	nS, nM, nP, nN := len(p.scopes), p.nM, p.nP, len(p.nodes)
	k := nS * nM * nMetrics
	b := &block{
		mom: make([]moments, k), vals: make([]float64, k),
		bSer: make([]float64, nS*nM*nP), bUtil: make([]float64, nN*nM*nP), bFlow: make([]float64, len(p.flowKeys)*nP),
	}
	b.reset()
	return b
}

func (b *block) reset() {
	b.trials = 0
	for i := range b.mom {
		b.mom[i] = emptyMoments()
	}
	clear(b.bSer)
	clear(b.bUtil)
	clear(b.bFlow)
	b.bins = b.bins[:0]
}

// bin records v > 0 for histogram h; values below the smallest octave are
// not stored (they then count as zeros).
func (b *block) bin(h int, v float64) {
	if !(v >= 0x1p-40) {
		return
	}
	o, s := binOf(v)
	b.bins = append(b.bins, uint64(h)*nBins+uint64(o*subBins+s))
}

// value records one metric value of one trial.
func (b *block) value(i int, v float64) {
	b.mom[i].add(v)
	b.vals[i] = v
	b.bin(i, v)
}

// addTrial records the worker's last trial.
func (b *block) addTrial(w *worker) {
	p := w.p
	nH := len(b.mom) // series histograms follow the metric ones
	b.trials++
	for _, sc := range p.aggScopes {
		for j := sc * p.nM; j < (sc+1)*p.nM; j++ {
			b.addScope(w, j, nH)
		}
	}
	for i, c := range w.utilCap {
		if c > 0 {
			b.bUtil[i] += w.utilOut[i] / c
		}
	}
	for i, f := range w.flow {
		b.bFlow[i] += f
	}
}

// addScope records the metrics and period fractions of scope x material j
// of the worker's last trial.
func (b *block) addScope(w *worker, j, nH int) {
	bp := w.p.byPer
	base := byMetric.at(j, 0)
	dem, sh := w.tDem[j], w.tShort[j]
	frac := 0.0
	if dem > 0 {
		frac = sh / dem
	}
	peak := 0.0
	for k := bp.at(j, 0); k < bp.at(j+1, 0); k++ {
		if sh := w.perShort[k]; sh > 0 {
			f := sh / w.perDem[k]
			peak = max(peak, f)
			b.bSer[k] += f
			b.bin(nH+k, f)
		}
	}
	short := sh > 1e-9
	b.value(base+iShortfall, sh)
	b.value(base+iShortfallFrac, frac)
	b.value(base+iPeakFrac, peak)
	ps := 0.0
	if short {
		ps = 1
		b.value(base+iTimeToShort, w.tFirst[j])
	} else {
		b.vals[base+iTimeToShort] = math.NaN()
	}
	b.value(base+iPShort, ps)
	b.value(base+iDaysShort, w.tDays[j])
	b.value(base+iDemand, dem)
	b.value(base+iDelivered, w.tDlv[j])
	b.value(base+iSubstituted, w.tSub[j])
}

// add folds a block into the exact aggregates and resets the block.
func (a *agg) add(b *block) {
	a.trials += b.trials
	for i := range b.mom {
		if b.mom[i].n > 0 {
			a.mom[i].merge(&b.mom[i])
		}
	}
	nH := uint64(len(a.hist))
	for _, e := range b.bins {
		h, bin := e/nBins, int(e%nBins)
		if h < nH {
			a.hist[h].addBin(bin)
			continue
		}
		k := h - nH
		if a.serH[k] == nil {
			a.serH[k] = new(hist)
		}
		a.serH[k].addBin(bin)
	}
	flushSums(a.ser, b.bSer)
	flushSums(a.util, b.bUtil)
	flushSums(a.flow, b.bFlow)
	b.reset()
}

// addTrial records the worker's last trial in the agg's own block; flush
// folds that block in. For single-threaded callers.
func (a *agg) addTrial(w *worker) {
	if a.blk == nil {
		a.blk = newBlock(a.p)
	}
	a.blk.addTrial(w)
}

// flush folds the block of addTrial into the exact aggregates.
func (a *agg) flush() {
	if a.blk != nil {
		a.add(a.blk)
	}
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
		a.mom[i].merge(&o.mom[i])
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

// momentStats summarises exact sums: mean, sd, se, min and max (no
// quantiles, which need a histogram).
func momentStats(m *moments) Stats {
	nan := math.NaN()
	st := Stats{N: int64(m.n), P5: nan, P50: nan, P90: nan, P95: nan, P99: nan, CVaR95: nan, Min: m.min, Max: m.max}
	if m.n == 0 {
		st.Mean, st.SD, st.SE = nan, nan, nan
		return st
	}
	n := float64(m.n)
	st.Mean = clamp(m.s.float()/n, m.min, m.max)
	if m.min == m.max {
		st.Mean = m.min
	}
	if m.n > 1 && m.min != m.max {
		st.SD = m.sd()
	}
	st.SE = st.SD / math.Sqrt(n)
	return st
}

// sd is the sample standard deviation from the exact sums: the variance's
// numerator n*ss - s^2 is computed in integers, so it loses nothing however
// large the values are against their spread.
func (m *moments) sd() float64 {
	n := new(big.Int).SetUint64(m.n)
	s := m.s.big()
	num := new(big.Int).Mul(n, m.ss.big())
	num.Sub(num, s.Mul(s, s))
	den := new(big.Int).Mul(n, new(big.Int).SetUint64(m.n-1))
	v, _ := new(big.Float).Quo(new(big.Float).SetInt(num), new(big.Float).SetInt(den)).Float64()
	return math.Sqrt(max(0, v)) * 0x1p-32
}

// stats summarises metric i.
func (a *agg) stats(i int) Stats {
	m := &a.mom[i]
	if m.n == 0 {
		nan := math.NaN()
		return Stats{Mean: nan, SD: nan, SE: nan, P5: nan, P50: nan, P90: nan, P95: nan, P99: nan, CVaR95: nan, Min: nan, Max: nan}
	}
	st := momentStats(m)
	h := &a.hist[i]
	q := func(p float64) float64 { return h.quantile(p, m.n, m.min, m.max) }
	st.P5, st.P50, st.P90, st.P95, st.P99 = q(0.05), q(0.5), q(0.9), q(0.95), q(0.99)
	st.CVaR95 = clamp(h.tailMean(0.05, m.n, m.min, m.max, lowerIsWorse[i%nMetrics]), m.min, m.max)
	return st
}

// lowerIsWorse marks the metrics whose worst trials are their smallest
// values: CVaR95 averages the smallest 5 % of those, the largest 5 % of
// the others (docs/model.md 5).
var lowerIsWorse = [nMetrics]bool{iDelivered: true, iTimeToShort: true}
