// Package sizing finds the value of one scenario parameter that meets a
// target on a result statistic: the smallest stockpile, inventory cover or
// capacity (or the latest online date) that keeps, say, P(short) under
// 5 %. It bisects on common random numbers, so that the statistic is a
// deterministic, nearly monotone function of the parameter, and inverts
// the statistic's 95 % interval to give the value's interval.
package sizing

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

// Target is a condition on one statistic of one metric, as in
// total/all/dy/p_short.mean<=0.05.
type Target struct {
	Scope, ID, Material, Metric, Stat string
	Op                                string // "<=" or ">="
	Value                             float64
}

var targetRE = regexp.MustCompile(`^([a-z]+)/([^/]+)/([^/]+)/([a-z_0-9]+)\.([a-z0-9]+)\s*(<=|>=)\s*(\S+)$`)

// ParseTarget reads SCOPE/ID/MATERIAL/METRIC.STAT<=X (or >=).
func ParseTarget(s string) (Target, error) {
	m := targetRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Target{}, fmt.Errorf("target %q: want SCOPE/ID/MATERIAL/METRIC.STAT<=X or >=X, as in total/all/dy/p_short.mean<=0.05", s)
	}
	t := Target{Scope: m[1], ID: m[2], Material: m[3], Metric: m[4], Stat: m[5], Op: m[6]}
	switch {
	case !slices.Contains(sim.ScopeKinds, t.Scope):
		return t, fmt.Errorf("target %q: unknown scope %q; want consumer, region, outside or total", s, t.Scope)
	case !slices.Contains(sim.MetricNames, t.Metric):
		return t, fmt.Errorf("target %q: unknown metric %q%s; want one of %s", s, t.Metric, model.DidYouMean(t.Metric, sim.MetricNames), strings.Join(sim.MetricNames, ", "))
	case !slices.Contains(sim.StatNames, t.Stat):
		return t, fmt.Errorf("target %q: unknown statistic %q%s; want one of %s", s, t.Stat, model.DidYouMean(t.Stat, sim.StatNames), strings.Join(sim.StatNames, ", "))
	}
	v, err := strconv.ParseFloat(m[7], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return t, fmt.Errorf("target %q: %q is not a number", s, m[7])
	}
	t.Value = v
	return t, nil
}

// String writes the target back as parsed.
func (t Target) String() string {
	return fmt.Sprintf("%s/%s/%s/%s.%s%s%s", t.Scope, t.ID, t.Material, t.Metric, t.Stat, t.Op, strconv.FormatFloat(t.Value, 'g', -1, 64))
}

// met reports whether v meets the target.
func (t Target) met(v float64) bool {
	if t.Op == "<=" {
		return v <= t.Value
	}
	return v >= t.Value
}

// Problem is a sizing question: which value of Param in [Min, Max] meets
// Target.
type Problem struct {
	Param    string
	Min, Max float64     // in the field's unit: days for durations and dates
	Days     bool        // the field is a duration or a date (days after the start)
	Target   Target      //
	Load     Loader      // the scenario with overrides (the parameter's among them)
	Options  sim.Options // trials, seed, workers of every run
	Tol      float64     // stop when the bracket is this narrow; 0: (Max-Min)/200
	Progress func(evals int)
}

// Loader loads the scenario with overrides applied.
type Loader func(ovs []model.Override) (*model.Scenario, error)

// Eval is the statistic at one parameter value, with its 95 % interval
// (for a mean, ± 1.96 SE; for a quantile, the quantiles at p ± 1.96
// sqrt(p(1-p)/n); for other statistics the point itself).
type Eval struct {
	Value          float64
	Stat           float64
	StatLo, StatHi float64
	SE             float64 // of a mean; NaN otherwise
}

// Answer is the value found, with its interval and the statistic there.
type Answer struct {
	// Value is the smallest (when raising the parameter helps) or largest
	// (when lowering it helps) value that meets the target, to within Tol.
	Value float64
	// CILow and CIHigh bound it for the Monte Carlo error: the values at
	// which the statistic's 95 % interval first meets the target (the
	// optimistic end) and at which all of it does (the conservative end).
	// NaN where that lies beyond the range searched.
	CILow, CIHigh float64
	Increasing    bool // raising the parameter helps
	At            Eval // the statistic at Value
	Evals         []Eval
}

// Solve answers the problem by bisection on common random numbers: every
// run uses the same seed and trials, so runs differ only by the parameter.
func Solve(ctx context.Context, p Problem) (*Answer, error) {
	if !(p.Min < p.Max) {
		return nil, fmt.Errorf("sizing: want min < max, got %g and %g", p.Min, p.Max)
	}
	tol := p.Tol
	if tol <= 0 {
		tol = (p.Max - p.Min) / 200
	}
	cache := map[float64]Eval{}
	var order []Eval
	eval := func(v float64) (Eval, error) {
		if e, ok := cache[v]; ok {
			return e, nil
		}
		e, err := p.evaluate(ctx, v)
		if err != nil {
			return e, err
		}
		cache[v] = e
		order = append(order, e)
		if p.Progress != nil {
			p.Progress(len(order))
		}
		return e, nil
	}
	lo, err := eval(p.Min)
	if err != nil {
		return nil, err
	}
	hi, err := eval(p.Max)
	if err != nil {
		return nil, err
	}
	okLo, okHi := p.Target.met(lo.Stat), p.Target.met(hi.Stat)
	switch {
	case okLo && okHi:
		return nil, fmt.Errorf("sizing: the target %s is met over the whole range (%s at %s, %s at %s): widen the range", p.Target, fmtStat(lo.Stat), p.format(p.Min), fmtStat(hi.Stat), p.format(p.Max))
	case !okLo && !okHi:
		return nil, fmt.Errorf("sizing: the target %s is met nowhere in the range (%s at %s, %s at %s): widen the range", p.Target, fmtStat(lo.Stat), p.format(p.Min), fmtStat(hi.Stat), p.format(p.Max))
	}
	inc := okHi
	// first finds the boundary of ok by bisection: the smallest value that
	// meets it when inc, the largest otherwise.
	first := func(ok func(Eval) bool) (float64, error) {
		a, b := p.Min, p.Max // ok fails at the "bad" end, holds at the "good" end
		if !inc {
			a, b = p.Max, p.Min
		}
		ea, _ := eval(a)
		eb, _ := eval(b)
		if ok(ea) {
			return a, nil
		}
		if !ok(eb) {
			return math.NaN(), nil // not met even at the good end: beyond the range
		}
		for math.Abs(b-a) > tol {
			m := p.round((a + b) / 2)
			if m == a || m == b {
				break
			}
			e, err := eval(m)
			if err != nil {
				return 0, err
			}
			if ok(e) {
				b = m
			} else {
				a = m
			}
		}
		return b, nil
	}
	t := p.Target
	value, err := first(func(e Eval) bool { return t.met(e.Stat) })
	if err != nil {
		return nil, err
	}
	optimistic, pessimistic := func(e Eval) bool { return t.met(e.StatLo) }, func(e Eval) bool { return t.met(e.StatHi) }
	if t.Op == ">=" {
		optimistic, pessimistic = pessimistic, optimistic
	}
	a, err := first(optimistic)
	if err != nil {
		return nil, err
	}
	b, err := first(pessimistic)
	if err != nil {
		return nil, err
	}
	// Raising the parameter helps: the optimistic value is the lower
	// end; lowering it helps: the upper. NaN: beyond the range.
	ans := &Answer{Value: value, CILow: a, CIHigh: b, Increasing: inc, At: cache[value], Evals: order}
	if !inc {
		ans.CILow, ans.CIHigh = b, a
	}
	return ans, nil
}

// evaluate runs the scenario with the parameter at v.
func (p Problem) evaluate(ctx context.Context, v float64) (Eval, error) {
	sc, err := p.Load([]model.Override{{Path: p.Param, Value: p.format(v)}})
	if err != nil {
		return Eval{}, err
	}
	res, err := sim.Run(ctx, sc, p.Options)
	if err != nil {
		return Eval{}, err
	}
	return Statistic(res, p.Target, v)
}

// Statistic reads the target's statistic from a result, with its 95 %
// interval.
func Statistic(res *sim.Result, t Target, v float64) (Eval, error) {
	m, ok := res.Find(sim.ScopeKind(t.Scope), t.ID, t.Material, t.Metric)
	if !ok {
		return Eval{}, fmt.Errorf("sizing: the result has no %s %s %s %s (check the scope, id and material)", t.Scope, t.ID, t.Material, t.Metric)
	}
	e := Eval{Value: v, SE: math.NaN()}
	e.Stat, _ = m.Stat(t.Stat)
	e.StatLo, e.StatHi = e.Stat, e.Stat
	if t.Stat == "mean" {
		e.SE = m.SE
		e.StatLo, e.StatHi = m.Mean-1.96*m.SE, m.Mean+1.96*m.SE
	}
	if p, ok := quantileLevel(t.Stat); ok && m.N > 0 {
		for _, d := range res.Distributions {
			if d.Scope == m.Scope && d.ID == m.ID && d.Material == m.Material && d.Metric == m.Metric && len(d.Q) == len(res.DistP) {
				// The fraction of trials below a quantile is binomial:
				// the quantiles at p ± 1.96 sqrt(p(1-p)/n) bound it
				// (values over trials with no value count as zero).
				h := 1.96 * math.Sqrt(p*(1-p)/float64(res.Trials))
				e.StatLo = interp(res.DistP, d.Q, max(0, p-h))
				e.StatHi = interp(res.DistP, d.Q, min(1, p+h))
			}
		}
	}
	if math.IsNaN(e.Stat) {
		return e, fmt.Errorf("sizing: %s.%s is undefined at %g (no trial has a value)", t.Metric, t.Stat, v)
	}
	return e, nil
}

func quantileLevel(stat string) (float64, bool) {
	if p, ok := strings.CutPrefix(stat, "p"); ok {
		if n, err := strconv.Atoi(p); err == nil {
			return float64(n) / 100, true
		}
	}
	return 0, false
}

// interp interpolates y(x) linearly on an increasing grid.
func interp(xs, ys []float64, x float64) float64 {
	i, _ := slices.BinarySearch(xs, x)
	switch {
	case i == 0:
		return ys[0]
	case i >= len(xs):
		return ys[len(ys)-1]
	}
	f := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + f*(ys[i]-ys[i-1])
}

// round keeps bisection points readable: whole days for durations and
// dates, six significant figures otherwise.
func (p Problem) round(v float64) float64 {
	if p.Days && p.Max-p.Min >= 2 {
		return math.Round(v)
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return f
}

// format writes a value as an override: days with their unit.
func (p Problem) format(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if p.Days {
		return s + "d"
	}
	return s
}

func fmtStat(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
