package sweep

import (
	"math"
	"testing"
)

// linear is y = sum c_i x_i: every design has a closed-form answer.
var coef = []float64{4, -2, 0, 1}

func linear(x []float64) []float64 {
	var s float64
	for i, c := range coef {
		s += c * x[i]
	}
	return []float64{s, 7}
}

func TestOATAndGrid(t *testing.T) {
	base := []float64{0.5, 0.5, 0.5, 0.5}
	levels := [][]float64{{0, 1}, {0, 0.5, 1}, {0, 1}, {0.2, 0.8}}
	sw, err := OAT(levels, Evaluate(linear, OATPoints(base, levels)))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range coef {
		lo, hi := levels[i][0], levels[i][len(levels[i])-1]
		got := sw[0][i].High - sw[0][i].Low
		if math.Abs(got-c*(hi-lo)) > 1e-12 {
			t.Errorf("swing of input %d = %g; want %g", i, got, c*(hi-lo))
		}
		if sw[1][i].High != sw[1][i].Low {
			t.Errorf("the constant output swings: %+v", sw[1][i])
		}
	}
	g := GridPoints([][]float64{{0, 1}, {0, 0.5, 1}})
	if len(g) != 6 || g[1][0] != 0 || g[1][1] != 0.5 || g[5][0] != 1 || g[5][1] != 1 {
		t.Errorf("GridPoints = %v", g)
	}
}

func TestLHSAndSRRC(t *testing.T) {
	const n = 500
	x := LHSPoints(4, n, 3)
	// Latin: each input's strata are used exactly once.
	for i := range 4 {
		seen := make([]bool, n)
		for _, p := range x {
			s := int(p[i] * n)
			if seen[s] {
				t.Fatalf("input %d: stratum %d used twice", i, s)
			}
			seen[s] = true
		}
	}
	est, err := SRRC(x, Evaluate(linear, x), 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	// For independent uniform inputs the SRRC of a linear model is close to
	// c_i / sqrt(sum c^2); input 2 has no effect.
	norm := math.Sqrt(16 + 4 + 0 + 1)
	for i, c := range coef {
		e := est[0][i]
		if math.Abs(e.Value-c/norm) > 0.05 || !(e.Low <= e.Value && e.Value <= e.High) {
			t.Errorf("SRRC[%d] = %+v; want about %.3f", i, e, c/norm)
		}
	}
	if e := est[0][2]; !(e.Low <= 0 && 0 <= e.High) {
		t.Errorf("the inert input's CI %+v excludes 0", e)
	}
	for _, e := range est[1] {
		if e.Value != 0 {
			t.Errorf("constant output has SRRC %+v; want 0", e)
		}
	}
}

func TestMorris(t *testing.T) {
	const k, r, p = 4, 20, 4
	pts := MorrisPoints(k, r, p, 9)
	m, err := Morris(pts, Evaluate(linear, pts), k, r, p, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A linear model's elementary effects are its coefficients exactly.
	for i, c := range coef {
		if math.Abs(m[0][i].MuStar.Value-math.Abs(c)) > 1e-9 || m[0][i].Sigma.Value > 1e-9 {
			t.Errorf("input %d: mu* %g sigma %g; want %g and 0", i, m[0][i].MuStar.Value, m[0][i].Sigma.Value, math.Abs(c))
		}
	}
	// Ishigami: x3 acts only through its interaction with x1, so its
	// elementary effects vary more than their mean absolute value.
	pts = MorrisPoints(3, 200, p, 9)
	m, err = Morris(pts, Evaluate(ishigami, pts), 3, 200, p, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(m[0][2].Sigma.Value > m[0][2].MuStar.Value && m[0][0].MuStar.Value > 0 && m[0][1].MuStar.Value > 0) {
		t.Errorf("Ishigami Morris effects implausible: %+v", m[0])
	}
}
