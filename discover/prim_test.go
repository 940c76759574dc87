package discover

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPeelFindsTheBox: when the bad trials are exactly those with x0 > 0.8
// and x1 < 0.3 (x2 irrelevant), PRIM's chosen box is that box: it limits
// x0 from below near 0.8 and x1 from above near 0.3, leaves x2 alone, and
// has coverage and density near 1.
func TestPeelFindsTheBox(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	x := make([][]float64, 3)
	bad := make([]bool, n)
	for i := range n {
		for j := range x {
			x[j] = append(x[j], r.Float64())
		}
		bad[i] = x[0][i] > 0.8 && x[1][i] < 0.3
	}
	traj := Peel(x, bad, Options{MinSupport: 0.02})
	b := traj[Choose(traj, 0.9)]
	if math.Abs(b.Limits[0].Lo-0.8) > 0.02 || !math.IsInf(b.Limits[0].Hi, 1) {
		t.Errorf("x0 limits %+v; want from 0.8 up", b.Limits[0])
	}
	if math.Abs(b.Limits[1].Hi-0.3) > 0.02 || !math.IsInf(b.Limits[1].Lo, -1) {
		t.Errorf("x1 limits %+v; want up to 0.3", b.Limits[1])
	}
	if got := Restricted(Prune(b, x, bad, 0.05)); len(got) != 2 {
		t.Errorf("the pruned box limits inputs %v; want x0 and x1 only", got)
	}
	if !(b.Coverage > 0.9 && b.Density > 0.9) {
		t.Errorf("coverage %.3f, density %.3f; want both near 1", b.Coverage, b.Density)
	}
	// Along the trajectory, density never falls and coverage never rises.
	for i := 1; i < len(traj); i++ {
		if traj[i].Density < traj[i-1].Density || traj[i].Coverage > traj[i-1].Coverage {
			t.Fatalf("step %d: density %g -> %g, coverage %g -> %g", i, traj[i-1].Density, traj[i].Density, traj[i-1].Coverage, traj[i].Coverage)
		}
	}
}

// TestPeelTiedInputs: a 0/1 input is peeled whole, never split.
func TestPeelTiedInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n = 5000
	x := [][]float64{make([]float64, n), make([]float64, n)}
	bad := make([]bool, n)
	for i := range n {
		if r.Float64() < 0.7 {
			x[0][i] = 1
		}
		x[1][i] = r.Float64()
		bad[i] = x[0][i] == 1 && r.Float64() < 0.4
	}
	traj := Peel(x, bad, Options{})
	b := traj[Choose(traj, 0.9)]
	if b.Limits[0].Lo != 1 {
		t.Errorf("x0 limits %+v; want x0 = 1", b.Limits[0])
	}
}

// TestPruneDropsNoise: restrictions on inputs that cannot matter, added
// to the true box, are pruned; the true ones stay.
func TestPruneDropsNoise(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 20000
	x := make([][]float64, 4)
	bad := make([]bool, n)
	for i := range n {
		for j := range x {
			x[j] = append(x[j], r.Float64())
		}
		bad[i] = x[0][i] > 0.7 && r.Float64() < 0.6
	}
	inf := math.Inf(1)
	b := Box{Limits: []Limit{{0.7, inf}, {-inf, 0.9}, {0.05, inf}, {-inf, inf}}}
	got := Restricted(Prune(b, x, bad, 0.05))
	if len(got) != 1 || got[0] != 0 {
		t.Errorf("pruned box limits %v; want x0 only", got)
	}
}
