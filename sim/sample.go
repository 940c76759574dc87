package sim

import (
	"math"

	"github.com/reesim/reesim/model"
	"gonum.org/v1/gonum/stat/distuv"
)

// sampler draws one model.Dist by inversion: one uniform from the field's
// keyed stream through the distribution's quantile function (gonum's
// stat/distuv). Inversion uses exactly one draw per value, so draws never
// shift one another, and keeps sampling free of allocation.
type sampler struct {
	d      model.Dist
	name   string // owner and field, for errors
	key    uint64
	lo, hi float64 // the field's bound and the unit's limit; samples are clamped into them

	tri    distuv.Triangle
	beta   distuv.Beta
	norm   distuv.Normal
	logn   distuv.LogNormal
	expo   distuv.Exponential
	plo    float64 // truncated normal: CDF at the lower bound
	pspan  float64 // and the CDF mass between the bounds
	cumw   []float64
	fixed  bool
	fixedV float64
	cop    *copula // correlated with other fields; nil for most
	copIdx int     // this field's member index in cop
}

// occurrenceKey is the stream key of the uniform that decides whether an
// event with this probability sampler occurs: the sampler's own key with
// its low bit flipped, so the probability's draw and the occurrence's are
// independent streams.
func (s *sampler) occurrenceKey() uint64 { return s.key ^ 1 }

func newSampler(d model.Dist, owner, field string, lo, hi float64) *sampler {
	s := &sampler{d: d, name: owner + " " + field, key: fieldKey(owner, field), lo: lo, hi: hi}
	if !d.IsFixed() {
		// A distribution's far tail is clamped at the unit's limit
		// (docs/model.md, limits); a fixed value was validated within it,
		// or is `forever`.
		lim, _ := model.Limit(d.Unit)
		s.lo, s.hi = max(lo, -lim), min(hi, lim)
	}
	switch d.Kind {
	case model.Fixed:
		s.fixed = true
		s.fixedV = clamp(d.Value, lo, hi)
	case model.Triangular:
		s.tri = distuv.NewTriangle(d.Min, d.Max, d.Mode, nil)
	case model.PERT:
		r := d.Max - d.Min
		s.beta = distuv.Beta{Alpha: 1 + 4*(d.Mode-d.Min)/r, Beta: 1 + 4*(d.Max-d.Mode)/r}
	case model.Beta:
		s.beta = distuv.Beta{Alpha: d.Alpha, Beta: d.BetaB}
	case model.Normal:
		s.norm = distuv.Normal{Mu: d.Mean, Sigma: d.SD}
		phi := 1.0
		if d.HasMin {
			s.plo = s.norm.CDF(d.Min)
		}
		if d.HasMax {
			phi = s.norm.CDF(d.Max)
		}
		s.pspan = phi - s.plo
	case model.LogNormal:
		s.logn = distuv.LogNormal{Mu: d.Mu, Sigma: d.Sigma}
	case model.Exponential:
		s.expo = distuv.Exponential{Rate: 1 / d.Mean}
	case model.Choice:
		var c float64
		for _, w := range d.Weights {
			c += w
			s.cumw = append(s.cumw, c)
		}
	}
	return s
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// draw returns the value for the stream's current trial.
func (s *sampler) draw(st *stream) float64 {
	if s.fixed {
		return s.fixedV
	}
	return s.drawKey(st, s.key)
}

// drawKey draws with an explicit key (for repeated draws).
func (s *sampler) drawKey(st *stream, key uint64) float64 {
	if s.fixed {
		return s.fixedV
	}
	var u float64
	if s.cop != nil && s.copIdx > 0 && key == s.key {
		// A correlated field's own draw (not a repeated occurrence's);
		// the group's first member keeps its uniform as it is.
		u = s.cop.couple(st, s.copIdx)
	} else {
		u = st.at(key).open()
	}
	v := s.quantile(u)
	if v != v && st.nan == nil {
		st.nan = s // reported by the worker after the draws
	}
	return clamp(v, s.lo, s.hi)
}

func (s *sampler) quantile(u float64) float64 {
	d := &s.d
	switch d.Kind {
	case model.Uniform:
		return d.Min + u*(d.Max-d.Min)
	case model.Triangular:
		return s.tri.Quantile(u)
	case model.PERT:
		return d.Min + (d.Max-d.Min)*s.beta.Quantile(u)
	case model.Beta:
		return s.beta.Quantile(u)
	case model.Normal:
		p := s.plo + u*s.pspan
		p = clamp(p, 1e-300, 1-1e-16)
		return s.norm.Quantile(p)
	case model.LogNormal:
		return s.logn.Quantile(u)
	case model.Exponential:
		return s.expo.Quantile(u)
	case model.Choice:
		for i, c := range s.cumw {
			if u < c {
				return d.Values[i]
			}
		}
		return d.Values[len(d.Values)-1]
	}
	return math.NaN()
}
