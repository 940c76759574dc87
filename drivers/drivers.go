// Package drivers ranks the inputs of a Monte Carlo run by how much they
// drive an output, from the run's own per-trial records ("given data"): no
// designed sweep is needed. Two measures, each with a 95 % interval:
//
//   - Spearman's rank correlation, with the Fisher z interval using the
//     variance 1.06/(n-3) of Fieller, Hartley and Pearson (1957);
//   - the first-order variance-based index S1 = Var(E[Y|X]) / Var(Y),
//     estimated by binning X into equal-probability classes (the given-data
//     estimator of Plischke, Borgonovo and Smith, "Global sensitivity
//     measures from given data", EJOR 226, 2013), with the one-way ANOVA
//     bias correction (the between-class sum of squares less (M-1) times
//     the within-class mean square), and an interval from the spread of
//     the estimate over 20 batches of the trials.
package drivers

import (
	"math"
	"slices"
	"sort"
)

// Estimate is one measure of how much an input drives an output.
type Estimate struct {
	Output, Input, Method string // Method: "spearman" or "s1"
	Value, Lo, Hi         float64
}

// Ranks returns the mid-ranks of v, from 1 (equal values share the mean
// of their ranks).
func Ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		mid := float64(i+j-1)/2 + 1
		for k := i; k < j; k++ {
			r[idx[k]] = mid
		}
		i = j
	}
	return r
}

// pearson is the correlation of x and y; NaN when either is constant.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Spearman is the rank correlation of x and y with its Fisher z 95 %
// interval (variance 1.06/(n-3)); NaN when either is constant.
func Spearman(rx, ry []float64) (rho, lo, hi float64) {
	rho = pearson(rx, ry)
	n := float64(len(rx))
	if math.IsNaN(rho) || n < 4 {
		return rho, math.NaN(), math.NaN()
	}
	r := max(-1+1e-12, min(1-1e-12, rho))
	z, h := math.Atanh(r), 1.96*math.Sqrt(1.06/(n-3))
	return rho, math.Tanh(z - h), math.Tanh(z + h)
}

// Bins assigns each value of x to one of about m equal-probability
// classes, by rank, never splitting equal values (an input with few
// distinct values gets a class for each).
func Bins(x []float64, m int) (bin []int, classes int) {
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	bin = make([]int, n)
	c := 0
	for i := 0; i < n; {
		j := i
		for j < n && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Start a new class where this run of equal values begins past
		// the class's share of the trials.
		if i > 0 && i >= (c+1)*n/m {
			c++
		}
		for k := i; k < j; k++ {
			bin[idx[k]] = c
		}
		i = j
	}
	return bin, c + 1
}

// s1 is the bias-corrected first-order index of y on the classes bin
// (over the trials sel, all when nil): (B - (M-1) W/(n-M)) / (B + W), with
// B and W the between- and within-class sums of squares.
func s1(bin []int, classes int, y []float64, sel []int) float64 {
	sum := make([]float64, classes)
	cnt := make([]float64, classes)
	var tot float64
	n := 0
	each := func(f func(i int)) {
		if sel == nil {
			for i := range y {
				f(i)
			}
			return
		}
		for _, i := range sel {
			f(i)
		}
	}
	each(func(i int) {
		sum[bin[i]] += y[i]
		cnt[bin[i]]++
		tot += y[i]
		n++
	})
	mean := tot / float64(n)
	var b, w float64
	m := 0
	for c := range classes {
		if cnt[c] > 0 {
			d := sum[c]/cnt[c] - mean
			b += cnt[c] * d * d
			m++
		}
	}
	each(func(i int) {
		d := y[i] - sum[bin[i]]/cnt[bin[i]]
		w += d * d
	})
	if b+w == 0 || n <= m {
		return math.NaN()
	}
	return (b - float64(m-1)*w/float64(n-m)) / (b + w)
}

// batches is the number of batches the S1 interval comes from.
const batches = 20

// FirstOrder estimates S1 of y on x from given data with a 95 % interval:
// the estimate on all trials, ± t(0.975, 19) times the standard error of
// the mean of the estimates on 20 batches of consecutive trials (each
// binned like the whole). NaN when y is constant.
func FirstOrder(bin []int, classes int, y []float64) (est, lo, hi float64) {
	est = s1(bin, classes, y, nil)
	if math.IsNaN(est) || len(y) < 20*batches {
		return est, math.NaN(), math.NaN()
	}
	var vals []float64
	n := len(y)
	for k := range batches {
		sel := make([]int, 0, n/batches+1)
		for i := k * n / batches; i < (k+1)*n/batches; i++ {
			sel = append(sel, i)
		}
		if v := s1(bin, classes, y, sel); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) < 2 {
		return est, math.NaN(), math.NaN()
	}
	var m, ss float64
	for _, v := range vals {
		m += v
	}
	m /= float64(len(vals))
	for _, v := range vals {
		ss += (v - m) * (v - m)
	}
	// A batch has 1/20 of the trials: its estimate's spread is sqrt(20)
	// times the whole's, so the whole's SE is the batch SD over sqrt(20).
	se := math.Sqrt(ss/float64(len(vals)-1)) / math.Sqrt(float64(len(vals)))
	h := 2.093 * se // t quantile, 19 degrees of freedom
	return est, est - h, est + h
}

// Classes is the number of equal-probability classes for n trials: about
// the cube root of n, 2 to 64.
func Classes(n int) int {
	return max(2, min(64, int(math.Round(math.Cbrt(float64(n))))))
}

// Rank estimates both measures for every input against every output:
// inputs and outputs are columns of per-trial values, named.
func Rank(inNames []string, inputs [][]float64, outNames []string, outputs [][]float64) []Estimate {
	var out []Estimate
	if len(inputs) == 0 || len(inputs[0]) == 0 {
		return nil
	}
	n := len(inputs[0])
	m := Classes(n)
	rOut := make([][]float64, len(outputs))
	for j, y := range outputs {
		rOut[j] = Ranks(y)
	}
	for i, x := range inputs {
		rx := Ranks(x)
		bin, classes := Bins(x, m)
		for j, y := range outputs {
			rho, lo, hi := Spearman(rx, rOut[j])
			out = append(out, Estimate{Output: outNames[j], Input: inNames[i], Method: "spearman", Value: rho, Lo: lo, Hi: hi})
			s, slo, shi := FirstOrder(bin, classes, y)
			out = append(out, Estimate{Output: outNames[j], Input: inNames[i], Method: "s1", Value: s, Lo: slo, Hi: shi})
		}
	}
	return out
}

// Top returns the k estimates of one output and method with the largest
// magnitude, largest first.
func Top(all []Estimate, output, method string, k int) []Estimate {
	var sel []Estimate
	for _, e := range all {
		if e.Output == output && e.Method == method && !math.IsNaN(e.Value) {
			sel = append(sel, e)
		}
	}
	slices.SortStableFunc(sel, func(a, b Estimate) int {
		switch x, y := math.Abs(a.Value), math.Abs(b.Value); {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	return sel[:min(k, len(sel))]
}
