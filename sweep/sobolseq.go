package sweep

// Direction numbers for the Sobol' sequence, dimensions 2 to 21, from
// S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
// two-dimensional projections", SIAM J. Sci. Comput. 30 (2008), file
// new-joe-kuo-6.21201: the degree s and coefficients a of each primitive
// polynomial, and the initial direction numbers m.
var joeKuo = []struct {
	s, a int
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
	{5, 11, []uint32{1, 1, 5, 1, 1}},
	{5, 13, []uint32{1, 1, 1, 3, 11}},
	{5, 14, []uint32{1, 3, 5, 5, 31}},
	{6, 1, []uint32{1, 3, 3, 9, 7, 49}},
	{6, 13, []uint32{1, 1, 1, 15, 21, 21}},
	{6, 16, []uint32{1, 3, 1, 13, 27, 49}},
	{6, 19, []uint32{1, 1, 1, 15, 7, 5}},
	{6, 22, []uint32{1, 3, 1, 15, 13, 25}},
	{6, 25, []uint32{1, 1, 5, 5, 19, 61}},
	{7, 1, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{7, 4, []uint32{1, 3, 7, 13, 13, 15, 69}},
}

// MaxSobolDims is the number of dimensions the embedded direction numbers
// cover.
const MaxSobolDims = 1 + 20

const sobolBits = 32

// sobolSeq generates the Sobol' sequence in d dimensions by Gray-code
// order (Antonov and Saleev 1979), skipping the all-zero first point.
type sobolSeq struct {
	v [][sobolBits]uint32
	x []uint32
	n uint32
}

func newSobolSeq(d int) *sobolSeq {
	if d > MaxSobolDims {
		panic("sweep: too many Sobol' dimensions") // callers check MaxSobolDims
	}
	s := &sobolSeq{v: make([][sobolBits]uint32, d), x: make([]uint32, d)}
	for k := 0; k < sobolBits; k++ {
		s.v[0][k] = 1 << (sobolBits - 1 - k)
	}
	for j := 1; j < d; j++ {
		dn := joeKuo[j-1]
		v := &s.v[j]
		for k := 0; k < dn.s; k++ {
			v[k] = dn.m[k] << (sobolBits - 1 - k)
		}
		for k := dn.s; k < sobolBits; k++ {
			v[k] = v[k-dn.s] ^ (v[k-dn.s] >> dn.s)
			for l := 1; l < dn.s; l++ {
				if (dn.a>>(dn.s-1-l))&1 == 1 {
					v[k] ^= v[k-l]
				}
			}
		}
	}
	return s
}

// next returns the next point in [0, 1)^d.
func (s *sobolSeq) next(out []float64) {
	// The index of the lowest zero bit of n picks the direction number.
	c := 0
	for n := s.n; n&1 == 1; n >>= 1 {
		c++
	}
	s.n++
	for j := range s.x {
		s.x[j] ^= s.v[j][c]
		out[j] = float64(s.x[j]) / (1 << sobolBits)
	}
}
