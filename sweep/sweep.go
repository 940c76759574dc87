package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Func is a model of k inputs in [0, 1] with any number of outputs.
type Func func(x []float64) []float64

// Estimate is an index with its 95 % confidence interval.
type Estimate struct {
	Value, Low, High float64
}

// Evaluate runs f at every point, in order.
func Evaluate(f Func, points [][]float64) [][]float64 {
	y := make([][]float64, len(points))
	for i, x := range points {
		y[i] = f(x)
	}
	return y
}

// column returns output o of every evaluation.
func column(y [][]float64, o int) []float64 {
	c := make([]float64, len(y))
	for i := range y {
		c[i] = y[i][o]
	}
	return c
}

func numOutputs(y [][]float64) (int, error) {
	if len(y) == 0 {
		return 0, fmt.Errorf("sweep: no evaluations")
	}
	n := len(y[0])
	for i := range y {
		if len(y[i]) != n {
			return 0, fmt.Errorf("sweep: evaluation %d has %d outputs; the first has %d", i, len(y[i]), n)
		}
	}
	return n, nil
}

// bootstrap returns the 95 % percentile interval of stat over b resamples
// of n rows (drawn with replacement by a PCG seeded with seed).
func bootstrap(n, b int, seed uint64, stat func(rows []int) float64) (lo, hi float64) {
	if b <= 0 {
		return math.NaN(), math.NaN()
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	rows := make([]int, n)
	vals := make([]float64, b)
	for i := range b {
		for j := range rows {
			rows[j] = r.IntN(n)
		}
		vals[i] = stat(rows)
	}
	sort.Float64s(vals)
	q := func(p float64) float64 {
		// Linear interpolation between order statistics.
		h := p * float64(b-1)
		l := int(math.Floor(h))
		u := min(l+1, b-1)
		return vals[l] + (h-float64(l))*(vals[u]-vals[l])
	}
	return q(0.025), q(0.975)
}
