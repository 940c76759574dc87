package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/reesim/reesim/drivers"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// OATPoints returns a one-at-a-time design: the base point, then for each
// input i and each of its levels, the base point with input i at that
// level.
func OATPoints(base []float64, levels [][]float64) [][]float64 {
	pts := [][]float64{append([]float64(nil), base...)}
	for i, ls := range levels {
		for _, l := range ls {
			p := append([]float64(nil), base...)
			p[i] = l
			pts = append(pts, p)
		}
	}
	return pts
}

// Swing is an input's effect in a one-at-a-time design: the output at its
// lowest and highest level (the first and last of its levels).
type Swing struct {
	Low, High float64
}

// OAT reads the swings of each input for each output from evaluations of
// OATPoints(base, levels).
func OAT(levels [][]float64, y [][]float64) ([][]Swing, error) {
	want := 1
	for _, ls := range levels {
		want += len(ls)
	}
	if len(y) != want {
		return nil, fmt.Errorf("sweep: OAT needs %d evaluations, got %d", want, len(y))
	}
	nOut, err := numOutputs(y)
	if err != nil {
		return nil, err
	}
	out := make([][]Swing, nOut)
	for o := range nOut {
		at := 1
		for _, ls := range levels {
			if len(ls) == 0 {
				out[o] = append(out[o], Swing{y[0][o], y[0][o]})
				continue
			}
			out[o] = append(out[o], Swing{Low: y[at][o], High: y[at+len(ls)-1][o]})
			at += len(ls)
		}
	}
	return out, nil
}

// GridPoints returns the full factorial of the levels, the last input
// varying fastest.
func GridPoints(levels [][]float64) [][]float64 {
	pts := [][]float64{{}}
	for _, ls := range levels {
		var next [][]float64
		for _, p := range pts {
			for _, l := range ls {
				next = append(next, append(append([]float64(nil), p...), l))
			}
		}
		pts = next
	}
	return pts
}

// LHSPoints returns a Latin hypercube sample of n points in [0, 1]^k: each
// input's range is cut into n equal strata, each used once, at a random
// place within it.
func LHSPoints(k, n int, seed uint64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 0x1a5))
	pts := make([][]float64, n)
	for j := range pts {
		pts[j] = make([]float64, k)
	}
	for i := range k {
		perm := r.Perm(n)
		for j := range n {
			pts[j][i] = (float64(perm[j]) + r.Float64()) / float64(n)
		}
	}
	return pts
}

// SRRC returns, for each output, the standardised rank regression
// coefficient of each input (Iman and Conover 1979: least squares on the
// standardised ranks of inputs and output), with bootstrap intervals. A
// coefficient near ±1 marks an input that drives the output monotonically.
func SRRC(x, y [][]float64, boot int, seed uint64) ([][]Estimate, error) {
	if len(x) != len(y) || len(x) < 3 {
		return nil, fmt.Errorf("sweep: SRRC needs as many evaluations as points, at least 3 (have %d points, %d evaluations)", len(x), len(y))
	}
	nOut, err := numOutputs(y)
	if err != nil {
		return nil, err
	}
	k := len(x[0])
	n := len(x)
	all := make([]int, n)
	for j := range all {
		all[j] = j
	}
	out := make([][]Estimate, nOut)
	for o := range nOut {
		c := column(y, o)
		fit := func(rows []int) []float64 { return srrc(x, c, rows, k) }
		base := fit(all)
		out[o] = make([]Estimate, k)
		for i := range k {
			out[o][i].Value = base[i]
			out[o][i].Low, out[o][i].High = bootstrap(n, boot, seed+uint64(i), func(rows []int) float64 { return fit(rows)[i] })
		}
	}
	return out, nil
}

// srrc fits the regression on the given rows; an input or output without
// variation gets coefficient 0.
func srrc(x [][]float64, y []float64, rows []int, k int) []float64 {
	n := len(rows)
	cols := make([][]float64, k+1)
	for i := range k {
		v := make([]float64, n)
		for j, r := range rows {
			v[j] = x[r][i]
		}
		cols[i] = standard(drivers.Ranks(v))
	}
	v := make([]float64, n)
	for j, r := range rows {
		v[j] = y[r]
	}
	cols[k] = standard(drivers.Ranks(v))
	beta := make([]float64, k)
	if cols[k] == nil {
		return beta
	}
	var use []int
	for i := range k {
		if cols[i] != nil {
			use = append(use, i)
		}
	}
	if len(use) == 0 {
		return beta
	}
	a := mat.NewDense(n, len(use), nil)
	for c, i := range use {
		for j := range n {
			a.Set(j, c, cols[i][j])
		}
	}
	b := mat.NewVecDense(n, cols[k])
	var sol mat.VecDense
	if err := sol.SolveVec(a, b); err != nil {
		return beta
	}
	for c, i := range use {
		beta[i] = sol.AtVec(c)
	}
	return beta
}

// standard centres and scales v to unit variance; nil if v is constant.
func standard(v []float64) []float64 {
	m, s := stat.MeanStdDev(v, nil)
	if !(s > 0) {
		return nil
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x - m) / s
	}
	return out
}

// MorrisPoints returns r trajectories of k+1 points each on a p-level grid
// (p even), each input moving once by delta = p/(2(p-1)) in random order
// (Morris 1991).
func MorrisPoints(k, r, p int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 0x0115))
	delta := morrisDelta(p)
	var pts [][]float64
	for range r {
		x := make([]float64, k)
		for i := range x {
			// Start on the lower half of the grid so x + delta stays in [0, 1].
			x[i] = float64(rng.IntN(p/2)) / float64(p-1)
		}
		pts = append(pts, append([]float64(nil), x...))
		for _, i := range rng.Perm(k) {
			x[i] += delta
			pts = append(pts, append([]float64(nil), x...))
		}
	}
	return pts
}

func morrisDelta(p int) float64 { return float64(p) / (2 * float64(p-1)) }

// MorrisEffects summarise an input's elementary effects: MuStar, the mean
// absolute effect (its overall importance), and Sigma, their standard
// deviation (non-linearity or interactions), each with bootstrap intervals
// over trajectories.
type MorrisEffects struct {
	MuStar, Sigma Estimate
}

// Morris reads elementary effects from evaluations of MorrisPoints(k, r, p,
// ...) at the same points.
func Morris(points, y [][]float64, k, r, p, boot int, seed uint64) ([][]MorrisEffects, error) {
	if len(y) != r*(k+1) || len(points) != len(y) {
		return nil, fmt.Errorf("sweep: Morris with k=%d, r=%d needs %d evaluations, got %d", k, r, r*(k+1), len(y))
	}
	nOut, err := numOutputs(y)
	if err != nil {
		return nil, err
	}
	delta := morrisDelta(p)
	out := make([][]MorrisEffects, nOut)
	for o := range nOut {
		ee := make([][]float64, k) // ee[i][t]: trajectory t's effect of input i
		for i := range ee {
			ee[i] = make([]float64, r)
		}
		for t := range r {
			base := t * (k + 1)
			for s := 1; s <= k; s++ {
				prev, cur := points[base+s-1], points[base+s]
				for i := range k {
					if d := cur[i] - prev[i]; math.Abs(d) > 1e-12 {
						ee[i][t] = (y[base+s][o] - y[base+s-1][o]) / (d / math.Abs(d) * delta)
					}
				}
			}
		}
		all := make([]int, r)
		for j := range all {
			all[j] = j
		}
		muStar := func(i int, rows []int) float64 {
			var s float64
			for _, t := range rows {
				s += math.Abs(ee[i][t])
			}
			return s / float64(len(rows))
		}
		sigma := func(i int, rows []int) float64 {
			v := make([]float64, len(rows))
			for j, t := range rows {
				v[j] = ee[i][t]
			}
			return stat.StdDev(v, nil)
		}
		out[o] = make([]MorrisEffects, k)
		for i := range k {
			m := &out[o][i]
			m.MuStar.Value = muStar(i, all)
			m.MuStar.Low, m.MuStar.High = bootstrap(r, boot, seed+uint64(2*i), func(rows []int) float64 { return muStar(i, rows) })
			m.Sigma.Value = sigma(i, all)
			m.Sigma.Low, m.Sigma.High = bootstrap(r, boot, seed+uint64(2*i+1), func(rows []int) float64 { return sigma(i, rows) })
		}
	}
	return out, nil
}
