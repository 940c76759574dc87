package sweep

import (
	"math"
	"testing"
)

// ishigami is Ishigami and Homma's function with a = 7, b = 0.1 on
// [-pi, pi]^3.
func ishigami(u []float64) []float64 {
	x := make([]float64, 3)
	for i := range x {
		x[i] = -math.Pi + 2*math.Pi*u[i]
	}
	return []float64{math.Sin(x[0]) + 7*math.Pow(math.Sin(x[1]), 2) + 0.1*math.Pow(x[2], 4)*math.Sin(x[0])}
}

// gFunction is Sobol's G-function with a = [78, 12, 0.5, 2, 97, 33].
var gA = []float64{78, 12, 0.5, 2, 97, 33}

func gFunction(u []float64) []float64 {
	p := 1.0
	for i, a := range gA {
		p *= (math.Abs(4*u[i]-2) + a) / (1 + a)
	}
	return []float64{p}
}

// gIndices are the G-function's analytic first-order and total indices.
func gIndices() (s1, st []float64) {
	vi := make([]float64, len(gA))
	prod := 1.0
	for i, a := range gA {
		vi[i] = 1 / (3 * (1 + a) * (1 + a))
		prod *= 1 + vi[i]
	}
	v := prod - 1
	for i := range gA {
		s1 = append(s1, vi[i]/v)
		st = append(st, vi[i]*prod/(1+vi[i])/v)
	}
	return s1, st
}

func checkWithinCI(t *testing.T, name string, got []Estimate, want []float64) {
	t.Helper()
	for i, e := range got {
		if !(e.Low <= want[i] && want[i] <= e.High) {
			t.Errorf("%s[%d] = %.4f, CI [%.4f, %.4f]; the analytic %.6f is outside", name, i, e.Value, e.Low, e.High, want[i])
		}
		if !(e.Low <= e.Value && e.Value <= e.High) {
			t.Errorf("%s[%d] = %.4f lies outside its own CI [%.4f, %.4f]", name, i, e.Value, e.Low, e.High)
		}
	}
}

func TestSobolIshigami(t *testing.T) {
	const n = 4096
	y := Evaluate(ishigami, SobolPoints(3, n, 1))
	idx, err := Sobol(3, n, y, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkWithinCI(t, "Ishigami S1", idx[0].S1, []float64{0.3139, 0.4424, 0})
	checkWithinCI(t, "Ishigami ST", idx[0].ST, []float64{0.5576, 0.4424, 0.2437})
}

func TestSobolGFunction(t *testing.T) {
	const n = 4096
	y := Evaluate(gFunction, SobolPoints(6, n, 1))
	idx, err := Sobol(6, n, y, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	s1, st := gIndices()
	// The figures, to check the analytic formula itself.
	for i, want := range []float64{0.000276, 0.010195, 0.765743, 0.191436, 0.000179, 0.001490} {
		if math.Abs(s1[i]-want) > 5e-6 {
			t.Fatalf("analytic G-function S1[%d] = %.6f; the literature gives %.6f", i, s1[i], want)
		}
	}
	checkWithinCI(t, "G S1", idx[0].S1, s1)
	checkWithinCI(t, "G ST", idx[0].ST, st)
}

func TestSobolConstantModel(t *testing.T) {
	const n = 256
	y := Evaluate(func([]float64) []float64 { return []float64{42, -1} }, SobolPoints(4, n, 1))
	idx, err := Sobol(4, n, y, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range idx {
		for i := range 4 {
			for _, e := range []Estimate{o.S1[i], o.ST[i]} {
				if e != (Estimate{}) {
					t.Errorf("constant model index = %+v; want exactly zero", e)
				}
			}
		}
	}
	if _, err := Sobol(4, n, y[:10], 100, 1); err == nil {
		t.Error("Sobol accepted too few evaluations")
	}
}
