package sweep

import (
	"fmt"
	"math/rand/v2"
)

// SobolPoints returns Saltelli's design for k inputs and base sample size
// n: n points of A, n of B, then for each input i, n points of A with
// column i taken from B; n*(k+2) points in all. A and B are the two halves
// of a 2k-dimensional Sobol' sequence where the embedded direction numbers
// suffice (k <= 10), and of a seeded PCG beyond.
func SobolPoints(k, n int, seed uint64) [][]float64 {
	a, b := make([][]float64, n), make([][]float64, n)
	x := make([]float64, 2*k)
	var seq *sobolSeq
	if 2*k <= MaxSobolDims {
		seq = newSobolSeq(2 * k)
	}
	r := rand.New(rand.NewPCG(seed, 0x50b01))
	for j := range n {
		if seq != nil {
			seq.next(x)
		} else {
			for d := range x {
				x[d] = r.Float64()
			}
		}
		a[j] = append([]float64(nil), x[:k]...)
		b[j] = append([]float64(nil), x[k:]...)
	}
	pts := make([][]float64, 0, n*(k+2))
	pts = append(pts, a...)
	pts = append(pts, b...)
	for i := range k {
		for j := range n {
			p := append([]float64(nil), a[j]...)
			p[i] = b[j][i]
			pts = append(pts, p)
		}
	}
	return pts
}

// SobolIndices are the first-order (S1) and total (ST) indices of each
// input for one output.
type SobolIndices struct {
	S1, ST []Estimate
}

// Sobol estimates first-order and total indices from evaluations of
// SobolPoints(k, n, ...), in that order, with bootstrap intervals from boot
// resamples: S1 by Saltelli et al. (2010), mean(fB (fABi - fA)) / V, and ST
// by Jansen (1999), mean((fA - fABi)^2) / 2V, where V is the variance of
// fA and fB together. An output that does not vary has all indices 0.
func Sobol(k, n int, y [][]float64, boot int, seed uint64) ([]SobolIndices, error) {
	if len(y) != n*(k+2) {
		return nil, fmt.Errorf("sweep: Sobol with k=%d, n=%d needs %d evaluations, got %d", k, n, n*(k+2), len(y))
	}
	nOut, err := numOutputs(y)
	if err != nil {
		return nil, err
	}
	out := make([]SobolIndices, nOut)
	for o := range nOut {
		c := column(y, o)
		fA, fB := c[:n], c[n:2*n]
		s1 := func(i int, rows []int) float64 {
			fAB := c[(2+i)*n : (3+i)*n]
			v := variance(fA, fB, rows)
			if v == 0 {
				return 0
			}
			var sum float64
			for _, j := range rows {
				sum += fB[j] * (fAB[j] - fA[j])
			}
			return sum / float64(len(rows)) / v
		}
		st := func(i int, rows []int) float64 {
			fAB := c[(2+i)*n : (3+i)*n]
			v := variance(fA, fB, rows)
			if v == 0 {
				return 0
			}
			var sum float64
			for _, j := range rows {
				d := fA[j] - fAB[j]
				sum += d * d
			}
			return sum / float64(2*len(rows)) / v
		}
		all := make([]int, n)
		for j := range all {
			all[j] = j
		}
		out[o] = SobolIndices{S1: make([]Estimate, k), ST: make([]Estimate, k)}
		for i := range k {
			e := Estimate{Value: s1(i, all)}
			e.Low, e.High = bootstrap(n, boot, seed+uint64(2*i), func(rows []int) float64 { return s1(i, rows) })
			out[o].S1[i] = e
			e = Estimate{Value: st(i, all)}
			e.Low, e.High = bootstrap(n, boot, seed+uint64(2*i+1), func(rows []int) float64 { return st(i, rows) })
			out[o].ST[i] = e
		}
	}
	return out, nil
}

// variance is the sample variance of fA and fB over the given rows.
func variance(fA, fB []float64, rows []int) float64 {
	var s, ss float64
	for _, j := range rows {
		s += fA[j] + fB[j]
	}
	m := s / float64(2*len(rows))
	for _, j := range rows {
		a, b := fA[j]-m, fB[j]-m
		ss += a*a + b*b
	}
	if len(rows) < 1 {
		return 0
	}
	return ss / float64(2*len(rows)-1)
}
