package sweep

import "testing"

// TestSobolSequence: every dimension's first 2^m points fall one in each
// interval [i/2^m, (i+1)/2^m) (after the skipped zero, the first 2^m - 1
// points plus zero), and the first points of the first dimensions are the
// textbook ones.
func TestSobolSequence(t *testing.T) {
	s := newSobolSeq(MaxSobolDims)
	x := make([]float64, MaxSobolDims)
	const m = 10
	n := 1 << m
	hits := make([][]int, MaxSobolDims)
	for j := range hits {
		hits[j] = make([]int, n)
		hits[j][0] = 1 // the skipped zero point
	}
	var first [][]float64
	for i := 0; i < n-1; i++ {
		s.next(x)
		if i < 3 {
			first = append(first, append([]float64(nil), x[:3]...))
		}
		for j, v := range x {
			hits[j][int(v*float64(n))]++
		}
	}
	for j := range hits {
		for i, h := range hits[j] {
			if h != 1 {
				t.Fatalf("dimension %d: interval %d has %d points; want 1", j+1, i, h)
			}
		}
	}
	want := [][]float64{{0.5, 0.5, 0.5}, {0.75, 0.25, 0.25}, {0.25, 0.75, 0.75}}
	for i := range want {
		for j := range want[i] {
			if first[i][j] != want[i][j] {
				t.Errorf("point %d = %v; want %v", i+1, first[i], want[i])
			}
		}
	}
}
