package drivers

import (
	"math"
	"math/rand/v2"
	"testing"
)

func sample(n int, f func(x1, x2, x3 float64) float64) (ins [][]float64, y []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	ins = make([][]float64, 3)
	for range n {
		x1, x2, x3 := r.Float64(), r.Float64(), r.Float64()
		ins[0], ins[1], ins[2] = append(ins[0], x1), append(ins[1], x2), append(ins[2], x3)
		y = append(y, f(x1, x2, x3))
	}
	return ins, y
}

func find(t *testing.T, es []Estimate, input, method string) Estimate {
	t.Helper()
	for _, e := range es {
		if e.Input == input && e.Method == method {
			return e
		}
	}
	t.Fatalf("no %s estimate for %s", method, input)
	return Estimate{}
}

// TestKnownAnswers: a monotone function of one input (Spearman 1, S1 1),
// an input that cannot matter (both near 0, inside their intervals), and
// an additive model y = x1 + 2 x2 of uniform inputs, whose first-order
// indices are 1/5 and 4/5.
func TestKnownAnswers(t *testing.T) {
	const n = 20000
	names := []string{"x1", "x2", "x3"}
	ins, y := sample(n, func(x1, _, _ float64) float64 { return math.Exp(3 * x1) })
	es := Rank(names, ins, []string{"y"}, [][]float64{y})
	if e := find(t, es, "x1", "spearman"); math.Abs(e.Value-1) > 1e-9 {
		t.Errorf("monotone: Spearman %g; want 1", e.Value)
	}
	if e := find(t, es, "x1", "s1"); !(e.Value > 0.98 && e.Value <= 1) {
		t.Errorf("monotone: S1 %g [%g, %g]; want about 1", e.Value, e.Lo, e.Hi)
	}
	for _, m := range []string{"spearman", "s1"} {
		if e := find(t, es, "x3", m); !(e.Lo <= 0 && 0 <= e.Hi) || math.Abs(e.Value) > 0.03 {
			t.Errorf("irrelevant x3: %s %g [%g, %g]; want about 0 inside the interval", m, e.Value, e.Lo, e.Hi)
		}
	}
	ins, y = sample(n, func(x1, x2, _ float64) float64 { return x1 + 2*x2 })
	es = Rank(names, ins, []string{"y"}, [][]float64{y})
	for in, want := range map[string]float64{"x1": 0.2, "x2": 0.8, "x3": 0} {
		e := find(t, es, in, "s1")
		if !(e.Lo <= want && want <= e.Hi) || math.Abs(e.Value-want) > 0.03 {
			t.Errorf("additive: S1 of %s = %.4f [%.4f, %.4f]; want %g", in, e.Value, e.Lo, e.Hi, want)
		}
	}
	// Spearman of a ±1 step: ties are averaged.
	step := make([]float64, n)
	for i, x := range ins[0] {
		if x > 0.5 {
			step[i] = 1
		}
	}
	es = Rank([]string{"step"}, [][]float64{step}, []string{"y"}, [][]float64{ins[0]})
	if e := find(t, es, "step", "spearman"); math.Abs(e.Value-math.Sqrt(3)/2) > 0.01 {
		t.Errorf("a step against its input: Spearman %g; want sqrt(3)/2", e.Value)
	}
	if e := find(t, es, "step", "s1"); math.Abs(e.Value-0.75) > 0.02 {
		t.Errorf("a two-valued input: S1 %g; want 0.75 (the variance of a uniform its halves explain)", e.Value)
	}
}
