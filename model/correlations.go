package model

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// NormalCorrelation is the correlation of the Gaussian copula's normals
// that gives a rank (Spearman) correlation r between the fields:
// 2 sin(pi r / 6), exact for a bivariate normal.
func NormalCorrelation(r float64) float64 { return 2 * math.Sin(math.Pi*r/6) }

// validateCorrelations checks that every correlation names two sampled
// fields of the scenario, that no pair is given twice, and that each
// connected group of correlated fields forms a valid correlation matrix
// (positive definite, as written and as the copula's normal correlations).
func validateCorrelations(d *decoder, s *Scenario) {
	type pair [2]string
	seen := map[pair]int{}
	var groups [][]int         // indices of correlations, by connected component
	member := map[string]int{} // stream of a field -> its group
	var streams [][2]string    // per correlation: the two fields' streams
	for i, c := range s.Correlations {
		path := fmt.Sprintf("correlations[%d].between", i)
		var st [2]string
		ok := true
		for k, p := range c.Between {
			f, found := s.Field(p)
			if !found {
				d.errorAt(c.Pos, path, "%q names no field of this scenario that a trial samples (a parameter path such as consumers.us-users.growth)", p)
				ok = false
				continue
			}
			st[k] = f.Owner + " " + f.Key
			if f.Dist.IsFixed() {
				s.Warnings = append(s.Warnings, fmt.Sprintf("correlations[%d]: %s is fixed, so its correlation has no effect", i, p))
			}
		}
		if !ok {
			streams = append(streams, st)
			continue
		}
		if st[0] == st[1] {
			d.errorAt(c.Pos, path, "%s and %s name the same field", c.Between[0], c.Between[1])
			streams = append(streams, [2]string{})
			continue
		}
		key := pair{min(st[0], st[1]), max(st[0], st[1])}
		if j, dup := seen[key]; dup {
			d.errorAt(c.Pos, path, "%s and %s are already correlated at line %d", c.Between[0], c.Between[1], s.Correlations[j].Pos.Line)
			streams = append(streams, [2]string{})
			continue
		}
		seen[key] = i
		streams = append(streams, st)
		// Union the groups of the two fields.
		g0, in0 := member[st[0]]
		g1, in1 := member[st[1]]
		switch {
		case in0 && in1 && g0 != g1:
			groups[g0] = append(groups[g0], groups[g1]...)
			groups[g0] = append(groups[g0], i)
			for f, g := range member {
				if g == g1 {
					member[f] = g0
				}
			}
			groups[g1] = nil
		case in0:
			groups[g0] = append(groups[g0], i)
			member[st[1]] = g0
		case in1:
			groups[g1] = append(groups[g1], i)
			member[st[0]] = g1
		default:
			member[st[0]], member[st[1]] = len(groups), len(groups)
			groups = append(groups, []int{i})
		}
	}
	for _, g := range groups {
		if len(g) < 3 {
			continue // two fields with |rank| < 1 always form a valid matrix
		}
		slices.Sort(g)
		var fields []string
		for _, i := range g {
			for _, f := range streams[i] {
				if !slices.Contains(fields, f) {
					fields = append(fields, f)
				}
			}
		}
		n := len(fields)
		given, normal := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
		for k := range n {
			given.SetSym(k, k, 1)
			normal.SetSym(k, k, 1)
		}
		for _, i := range g {
			a, b := slices.Index(fields, streams[i][0]), slices.Index(fields, streams[i][1])
			given.SetSym(a, b, s.Correlations[i].Rank)
			normal.SetSym(a, b, NormalCorrelation(s.Correlations[i].Rank))
		}
		var chol mat.Cholesky
		what := ""
		switch {
		case !chol.Factorize(given):
			what = "they do not form a valid correlation matrix (it is not positive definite)"
		case !chol.Factorize(normal):
			what = "a Gaussian copula cannot realise them (its normal correlations, 2 sin(pi r/6), are not positive definite)"
		}
		if what == "" {
			continue
		}
		var names []string
		for _, i := range g {
			names = append(names, fmt.Sprintf("correlations[%d] (line %d: %s~%s %g)", i, s.Correlations[i].Pos.Line, s.Correlations[i].Between[0], s.Correlations[i].Between[1], s.Correlations[i].Rank))
		}
		c := s.Correlations[g[0]]
		d.errorAt(c.Pos, fmt.Sprintf("correlations[%d]", g[0]), "the correlations %s: %s; weaken some of them", strings.Join(names, ", "), what)
	}
}
