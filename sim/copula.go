package sim

import (
	"fmt"
	"slices"

	"github.com/reesim/reesim/model"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// copula couples the uniforms of a group of correlated fields (a
// Gaussian copula, docs/model.md 2). Each member keeps its distribution,
// key and stream: member i's normal is z_i = Φ⁻¹(u_i) of its own uniform,
// the coupled normal is row i of L·z for the Cholesky factor L of the
// normal correlations, and the value is the member's quantile at Φ of
// that. L is lower triangular, so the first member keeps its own draw.
type copula struct {
	keys []uint64    // each member's stream key
	l    [][]float64 // rows of L, member i's of length i+1
}

// couple draws the coupled uniform of member i for the stream's trial.
func (c *copula) couple(st *stream, i int) float64 {
	var z float64
	for j, lij := range c.l[i] {
		z += lij * distuv.UnitNormal.Quantile(st.at(c.keys[j]).open())
	}
	u := distuv.UnitNormal.CDF(z)
	// Keep u inside (0, 1) as the streams' own draws are.
	return min(max(u, 0x1p-54), 1-0x1p-53)
}

// buildCopulas couples the samplers of correlated fields. Fixed fields
// (a constant, or one fixed by an override) leave their group; each
// connected group of the rest gets its own copula.
func (p *plan) buildCopulas(sc *model.Scenario) error {
	type edge struct {
		a, b string
		rho  float64
	}
	var edges []edge
	var order []string // streams, in order of first mention
	for _, c := range sc.Correlations {
		var st [2]string
		live := true
		for k, path := range c.Between {
			f, ok := sc.Field(path)
			if !ok {
				return fmt.Errorf("sim: correlation between %s and %s: no field %s", c.Between[0], c.Between[1], path)
			}
			st[k] = f.Owner + " " + f.Key
			ss := p.samplers[st[k]]
			if len(ss) == 0 || ss[0].fixed {
				live = false // fixed, or never sampled: it leaves the copula
			}
		}
		if !live {
			continue
		}
		for _, s := range st {
			if !slices.Contains(order, s) {
				order = append(order, s)
			}
		}
		edges = append(edges, edge{st[0], st[1], model.NormalCorrelation(c.Rank)})
	}
	// Connected groups, each in order of first mention: every field takes
	// the smallest label among those it is correlated with, until none
	// changes.
	label := map[string]int{}
	for i, s := range order {
		label[s] = i
	}
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			if l := min(label[e.a], label[e.b]); label[e.a] != l || label[e.b] != l {
				label[e.a], label[e.b], changed = l, l, true
			}
		}
	}
	find := func(s string) int { return label[s] }
	byGroup := map[int][]string{}
	for _, s := range order {
		g := find(s)
		byGroup[g] = append(byGroup[g], s)
	}
	for _, members := range byGroup {
		n := len(members)
		r := mat.NewSymDense(n, nil)
		for i := range n {
			r.SetSym(i, i, 1)
		}
		for _, e := range edges {
			if a, b := slices.Index(members, e.a), slices.Index(members, e.b); a >= 0 && b >= 0 {
				r.SetSym(a, b, e.rho)
			}
		}
		var chol mat.Cholesky
		if !chol.Factorize(r) {
			return fmt.Errorf("sim: the correlations among %v are not positive definite", members)
		}
		var l mat.TriDense
		chol.LTo(&l)
		c := &copula{}
		for i, m := range members {
			c.keys = append(c.keys, p.samplers[m][0].key)
			row := make([]float64, i+1)
			for j := range row {
				row[j] = l.At(i, j)
			}
			c.l = append(c.l, row)
			for _, s := range p.samplers[m] {
				s.cop, s.copIdx = c, i
			}
		}
	}
	return nil
}
