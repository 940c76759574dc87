package sim

import (
	"math"
)

// The histogram bins positive values by their float64 exponent and the top
// subBits bits of the mantissa: 2^subBits bins per octave, each at most
// 1/2^subBits of its lower edge wide. A quantile read at a bin's midpoint is
// therefore within 2^-(subBits+1) = 0.39 % of the exact order statistic.
// Counts are integers, so histograms merge exactly.
const (
	subBits  = 7
	subBins  = 1 << subBits
	minOct   = -40 // values below 2^-40 (about 1e-12) count as zero
	maxOct   = 44  // values at or above 2^44 (about 1.8e13) share the top bin
	nOctaves = maxOct - minOct
)

// QuantileRelErr is the documented bound on the relative error of every
// reported quantile against the exact empirical quantile of the same trials.
const QuantileRelErr = 1.0 / (2 * subBins)

// hist is a streaming, exactly mergeable histogram of non-negative values.
// Zeros are not stored: their count is the total minus the stored counts.
type hist struct {
	oct [nOctaves]*[subBins]uint64
	pos uint64 // number of positive values recorded
}

func binOf(v float64) (oct, sub int) {
	b := math.Float64bits(v)
	e := int((b>>52)&0x7ff) - 1023
	if e >= maxOct {
		return nOctaves - 1, subBins - 1
	}
	return e - minOct, int((b >> (52 - subBits)) & (subBins - 1))
}

// add records v > 0; values below the smallest octave are ignored (they
// then count as zeros).
func (h *hist) add(v float64) {
	if !(v >= 0x1p-40) {
		return
	}
	o, s := binOf(v)
	h.addBin(o*subBins + s)
}

// addBin counts one value in bin i (octave i/subBins, sub-bin i%subBins).
func (h *hist) addBin(i int) {
	o := i / subBins
	p := h.oct[o]
	if p == nil {
		p = new([subBins]uint64)
		h.oct[o] = p
	}
	p[i%subBins]++
	h.pos++
}

func (h *hist) merge(o *hist) {
	for i, p := range o.oct {
		if p == nil {
			continue
		}
		q := h.oct[i]
		if q == nil {
			q = new([subBins]uint64)
			h.oct[i] = q
		}
		for j, c := range p {
			q[j] += c
		}
	}
	h.pos += o.pos
}

// binMid returns the midpoint of a bin.
func binMid(oct, sub int) float64 {
	lo := math.Ldexp(1+float64(sub)/subBins, oct+minOct)
	return lo * (1 + 0.5/(subBins+float64(sub)))
}

// quantile returns the p-quantile of n values (n >= the stored count; the
// rest are zeros) as the smallest value x with F(x) >= p, read at its bin's
// midpoint and clamped into [lo, hi], the exact extremes.
func (h *hist) quantile(p float64, n uint64, lo, hi float64) float64 {
	if n == 0 {
		return math.NaN()
	}
	k := uint64(math.Ceil(p * float64(n)))
	k = max(k, 1)
	k = min(k, n)
	zeros := n - h.pos
	if k <= zeros {
		return clamp(0, lo, hi)
	}
	k -= zeros
	var c uint64
	for o, p := range h.oct {
		if p == nil {
			continue
		}
		for s, cnt := range p {
			c += cnt
			if c >= k {
				return clamp(binMid(o, s), lo, hi)
			}
		}
	}
	return hi
}

// tailMean returns the mean of the largest ceil(q*n) of n values (n >= the
// stored count; the rest are zeros), or with smallest the mean of the
// smallest ceil(q*n), reading each at its bin's midpoint (clamped into
// [lo, hi]).
func (h *hist) tailMean(q float64, n uint64, lo, hi float64, smallest bool) float64 {
	if n == 0 {
		return math.NaN()
	}
	m := max(uint64(math.Ceil(q*float64(n))), 1)
	need := m
	var sum float64
	take := func(count uint64, v float64) {
		t := min(count, need)
		sum += float64(t) * clamp(v, lo, hi)
		need -= t
	}
	if smallest && n > h.pos {
		take(n-h.pos, 0) // the zeros come first
	}
	for k := 0; k < nOctaves && need > 0; k++ {
		o := k
		if !smallest {
			o = nOctaves - 1 - k
		}
		p := h.oct[o]
		if p == nil {
			continue
		}
		for j := 0; j < subBins && need > 0; j++ {
			s := j
			if !smallest {
				s = subBins - 1 - j
			}
			if p[s] > 0 {
				take(p[s], binMid(o, s))
			}
		}
	}
	// Of the largest, any remainder is zeros, which add nothing.
	return sum / float64(m)
}
