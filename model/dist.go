package model

import (
	"fmt"
	"math"
	"strconv"
)

// Unit says what a value measures, and so how its scalars are written.
type Unit uint8

const (
	// Number is a plain number (a rate, a fraction, a growth rate).
	Number Unit = iota
	// Days is a duration: 90d, 13w, 6mo, 2y or 45wd, kept in days.
	Days
	// Time is a point in time: an ISO date or a duration after the start,
	// kept in days after the start.
	Time
	// Tonnes is an amount written as a bare number (t).
	Tonnes
)

// String names the unit for messages.
func (u Unit) String() string {
	switch u {
	case Days:
		return "duration"
	case Time:
		return "date"
	case Tonnes:
		return "tonnes"
	}
	return "number"
}

// Kind is the form of an uncertain value.
type Kind uint8

// The kinds of Dist, as written after `dist:` (Fixed is a plain value).
const (
	Fixed Kind = iota
	Uniform
	Triangular
	PERT
	Normal
	LogNormal
	Beta
	Exponential
	Choice
)

var kindNames = [...]string{"fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "exponential", "choice"}

// String is the name written after `dist:`.
func (k Kind) String() string { return kindNames[k] }

// Dist is a value that may be uncertain: fixed, or a distribution sampled once
// per trial. Parameters are in the field's internal unit (days for durations
// and dates, the written number otherwise); LogNormal's Mu and Sigma are of the
// logarithm of that unit.
type Dist struct {
	Kind Kind
	Unit Unit

	Value     float64 // Fixed
	Min, Max  float64 // Uniform, Triangular, PERT; Normal when HasMin/HasMax
	Mode      float64 // Triangular, PERT
	Mean, SD  float64 // Normal; Exponential uses Mean
	Mu, Sigma float64 // LogNormal
	Alpha     float64 // Beta
	BetaB     float64 // Beta's second shape parameter
	HasMin    bool    // Normal truncated below at Min
	HasMax    bool    // Normal truncated above at Max
	Values    []float64
	Weights   []float64 // Choice; normalised to sum to 1

	Pos Pos // where the value was written
}

// Pos is a position in a scenario source.
type Pos struct {
	File      string
	Line, Col int
}

// FixedValue returns a fixed Dist of the given unit.
func FixedValue(v float64, u Unit) Dist { return Dist{Kind: Fixed, Value: v, Unit: u} }

// IsFixed reports whether the value is the same in every trial.
func (d Dist) IsFixed() bool { return d.Kind == Fixed }

// Support returns the smallest and largest values the distribution can take.
func (d Dist) Support() (lo, hi float64) {
	switch d.Kind {
	case Fixed:
		return d.Value, d.Value
	case Uniform, Triangular, PERT:
		return d.Min, d.Max
	case Normal:
		lo, hi = math.Inf(-1), math.Inf(1)
		if d.HasMin {
			lo = d.Min
		}
		if d.HasMax {
			hi = d.Max
		}
		return lo, hi
	case LogNormal:
		return 0, math.Inf(1)
	case Beta:
		return 0, 1
	case Exponential:
		return 0, math.Inf(1)
	case Choice:
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range d.Values {
			lo, hi = min(lo, v), max(hi, v)
		}
		return lo, hi
	}
	return math.NaN(), math.NaN()
}

// ExpectedValue returns the distribution's mean (for a truncated normal, the
// untruncated mean; for display only).
func (d Dist) ExpectedValue() float64 {
	switch d.Kind {
	case Fixed:
		return d.Value
	case Uniform:
		return (d.Min + d.Max) / 2
	case Triangular:
		return (d.Min + d.Mode + d.Max) / 3
	case PERT:
		return (d.Min + 4*d.Mode + d.Max) / 6
	case Normal:
		return d.Mean
	case LogNormal:
		return math.Exp(d.Mu + d.Sigma*d.Sigma/2)
	case Beta:
		return d.Alpha / (d.Alpha + d.BetaB)
	case Exponential:
		return d.Mean
	case Choice:
		var s float64
		for i, v := range d.Values {
			s += v * d.Weights[i]
		}
		return s
	}
	return math.NaN()
}

// String writes the value back in scenario syntax (durations in days).
func (d Dist) String() string {
	f := func(v float64) string {
		s := strconv.FormatFloat(v, 'g', 6, 64)
		switch d.Unit {
		case Days, Time:
			if math.IsInf(v, 1) {
				return "forever"
			}
			return s + "d"
		}
		return s
	}
	switch d.Kind {
	case Fixed:
		return f(d.Value)
	case Uniform:
		return fmt.Sprintf("{dist: uniform, min: %s, max: %s}", f(d.Min), f(d.Max))
	case Triangular, PERT:
		return fmt.Sprintf("{dist: %s, min: %s, mode: %s, max: %s}", d.Kind, f(d.Min), f(d.Mode), f(d.Max))
	case Normal:
		s := fmt.Sprintf("{dist: normal, mean: %s, sd: %s", f(d.Mean), f(d.SD))
		if d.HasMin {
			s += ", min: " + f(d.Min)
		}
		if d.HasMax {
			s += ", max: " + f(d.Max)
		}
		return s + "}"
	case LogNormal:
		return fmt.Sprintf("{dist: lognormal, p50: %s, p90: %s}", f(math.Exp(d.Mu)), f(math.Exp(d.Mu+1.2815515655446004*d.Sigma)))
	case Beta:
		return fmt.Sprintf("{dist: beta, alpha: %g, beta: %g}", d.Alpha, d.BetaB)
	case Exponential:
		return fmt.Sprintf("{dist: exponential, mean: %s}", f(d.Mean))
	case Choice:
		s := "{dist: choice, values: ["
		for i, v := range d.Values {
			if i > 0 {
				s += ", "
			}
			s += f(v)
		}
		s += "], weights: ["
		for i, w := range d.Weights {
			if i > 0 {
				s += ", "
			}
			s += strconv.FormatFloat(w, 'g', 6, 64)
		}
		return s + "]}"
	}
	return "?"
}
