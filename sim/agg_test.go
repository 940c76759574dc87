package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
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

// TestMomentsStable: the standard deviation of values far larger than their
// spread comes out right (a naive sum of squares gave 0 at 1e13 and more
// than the range at 1e15), and the sums merge to the same bits in any
// grouping.
func TestMomentsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, offset := range []float64{0, 1e6, 1e13, 1e15, 1e17} {
		whole, a, b := emptyMoments(), emptyMoments(), emptyMoments()
		dev := make([]float64, 1000)
		for i := range dev {
			v := offset + 117*r.Float64()
			dev[i] = v - offset // exact: v's own rounding is kept
			whole.add(v)
			if i%3 == 0 {
				a.add(v)
			} else {
				b.add(v)
			}
		}
		want := stat.StdDev(dev, nil)
		got := momentStats(&whole).SD
		// Values are summed in multiples of 2^-32: that, not the offset,
		// bounds the error.
		if math.Abs(got-want) > 1e-9*want+0x1p-30 {
			t.Errorf("offset %g: sd = %.12g; want %.12g", offset, got, want)
		}
		a.merge(&b)
		if a != whole {
			t.Errorf("offset %g: split sums differ from the whole", offset)
		}
	}
	// Negative values (differences in Compare) square the same.
	m := emptyMoments()
	for _, v := range []float64{-3, -1, 1, 3} {
		m.add(v)
	}
	if got, want := momentStats(&m).SD, math.Sqrt(20.0/3); math.Abs(got-want) > 1e-12 {
		t.Errorf("sd of -3 -1 1 3 = %g; want %g", got, want)
	}
}

func TestSquare(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 1000 {
		v := (r.Float64() - 0.5) * math.Pow(2, float64(r.IntN(90)))
		q := toFixed(v)
		b := q.big()
		want := new(big.Int).Mul(b, b)
		if got := square(q).big(); got.Cmp(want) != 0 {
			t.Fatalf("square(%g) = %v; want %v", v, got, want)
		}
	}
}

// TestMetricNames: every metric index has a name, and names are distinct.
func TestMetricNames(t *testing.T) {
	seen := map[string]bool{}
	for i, name := range MetricNames {
		if name == "" || seen[name] {
			t.Errorf("metric index %d: name %q missing or repeated", i, name)
		}
		seen[name] = true
	}
	if len(MetricNames) != nMetrics {
		t.Errorf("%d names for %d metrics", len(MetricNames), nMetrics)
	}
}

// TestStatsJSON: Stats writes every statistic under its StatNames name,
// null where undefined, and reads back to the same bits.
func TestStatsJSON(t *testing.T) {
	s := Stats{N: 3, Mean: 1.5, SD: 0.1, SE: math.NaN(), P5: 1, P50: 1.5, P90: 2, P95: 2.25, P99: 3, CVaR95: 3.5, Min: 0.5, Max: 4}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	json.Unmarshal(data, &keys)
	for _, name := range StatNames {
		if _, ok := keys[name]; !ok {
			t.Errorf("%s lacks %q", data, name)
		}
	}
	if keys["se"] != nil || len(keys) != len(StatNames)+1 {
		t.Errorf("%s: want null se and n plus %d statistics", data, len(StatNames))
	}
	var back Stats
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back) != fmt.Sprint(s) {
		t.Errorf("round trip: %v; want %v", back, s)
	}
	for i, v := range s.Values() {
		if got, ok := s.Stat(StatNames[i]); !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("Stat(%s) = %v; want %v", StatNames[i], got, v)
		}
	}
}
