package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestQuantileError checks every reported quantile against the exact
// empirical quantile of a reference sample: the relative error stays within
// QuantileRelErr (0.39 %, under the 0.5 % the core issue requires).
func TestQuantileError(t *testing.T) {
	src := rand.NewPCG(3, 4)
	r := rand.New(src)
	samples := map[string]func() float64{
		"lognormal": distuv.LogNormal{Mu: 5, Sigma: 2, Src: src}.Rand,
		"uniform":   distuv.Uniform{Min: 0, Max: 1, Src: src}.Rand,
		"mostly zero": func() float64 {
			if r.Float64() < 0.6 {
				return 0 // most trials have no shortfall
			}
			return 1000 * r.ExpFloat64()
		},
	}
	for name, draw := range samples {
		var h hist
		xs := make([]float64, 100_000)
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range xs {
			x := draw()
			xs[i] = x
			h.add(x)
			lo, hi = min(lo, x), max(hi, x)
		}
		slices.Sort(xs)
		n := uint64(len(xs))
		for _, p := range []float64{0.001, 0.05, 0.25, 0.5, 0.61, 0.9, 0.95, 0.99, 0.999, 1} {
			want := stat.Quantile(p, stat.Empirical, xs, nil)
			got := h.quantile(p, n, lo, hi)
			if math.Abs(got-want) > QuantileRelErr*math.Abs(want) {
				t.Errorf("%s: P%g = %g; exact %g (relative error %.3g%%)", name, 100*p, got, want, 100*math.Abs(got-want)/want)
			}
		}
		// CVaR95: the mean of the worst 5 %.
		k := int(math.Ceil(0.05 * float64(n)))
		var sum float64
		for _, x := range xs[len(xs)-k:] {
			sum += x
		}
		want := sum / float64(k)
		if got := h.tailMean(0.05, n, lo, hi, false); math.Abs(got-want) > QuantileRelErr*want {
			t.Errorf("%s: CVaR95 = %g; exact %g", name, got, want)
		}
		// And of the best 5 %, the worst of a metric where less is worse.
		sum = 0
		for _, x := range xs[:k] {
			sum += x
		}
		want = sum / float64(k)
		if got := h.tailMean(0.05, n, lo, hi, true); math.Abs(got-want) > QuantileRelErr*want {
			t.Errorf("%s: lower CVaR95 = %g; exact %g", name, got, want)
		}
	}
}

func TestHistogramMergesExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var whole, a, b hist
	for i := range 10000 {
		x := r.ExpFloat64() * 100
		whole.add(x)
		if i%3 == 0 {
			a.add(x)
		} else {
			b.add(x)
		}
	}
	b.merge(&a)
	if b.pos != whole.pos || !sameBins(&b, &whole) {
		t.Fatal("merged histogram differs from the whole")
	}
}

func sameBins(a, b *hist) bool {
	for i := range a.oct {
		if (a.oct[i] == nil) != (b.oct[i] == nil) || a.oct[i] != nil && *a.oct[i] != *b.oct[i] {
			return false
		}
	}
	return true
}

func TestFixedPoint(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 0.5, 1e-9, 123456.789, -98765.4321, 1e12, -1e12, 3e15, 1e20, -1e20} {
		got := toFixed(v).float()
		if math.Abs(got-v) > 1e-9*math.Abs(v)+0x1p-32 {
			t.Errorf("toFixed(%g).float() = %g", v, got)
		}
	}
	// Sums are exact integers: any grouping gives the same bits.
	r := rand.New(rand.NewPCG(7, 8))
	vals := make([]float64, 1000)
	for i := range vals {
		vals[i] = (r.Float64() - 0.3) * math.Pow(10, float64(r.IntN(16)))
	}
	var fwd, rev, split1, split2 i128
	for i, v := range vals {
		fwd.add(toFixed(v))
		rev.add(toFixed(vals[len(vals)-1-i]))
		if i%2 == 0 {
			split1.add(toFixed(v))
		} else {
			split2.add(toFixed(v))
		}
	}
	split1.add(split2)
	if fwd != rev || fwd != split1 {
		t.Fatalf("fixed-point sums depend on order: %v %v %v", fwd, rev, split1)
	}
}
