package sim

import (
	"math"
	"math/big"
	"math/bits"
)

// fixedFrac is the number of fractional bits of the fixed-point sums.
const fixedFrac = 32

// i128 is a signed 128-bit integer in two's complement. Sums of fixed-point
// values are exact integers, so they add in any order and any grouping to
// the same bits: the reason merges across workers and shards are exact.
type i128 struct{ hi, lo uint64 }

func (a *i128) add(b i128) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, b.lo, 0)
	a.hi, _ = bits.Add64(a.hi, b.hi, c)
}

// toFixed converts v to fixed point, rounding to the nearest multiple of
// 2^-32.
func toFixed(v float64) i128 {
	x := v * (1 << fixedFrac)
	if x > -(1<<62) && x < (1<<62) {
		n := int64(math.Round(x))
		return i128{hi: uint64(n >> 63), lo: uint64(n)}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		panic("sim: non-finite value in an aggregate")
	}
	neg := x < 0
	frac, exp := math.Frexp(math.Abs(x)) // |x| = frac * 2^exp, exp > 62
	m := uint64(frac * (1 << 53))        // 53-bit mantissa
	shift := uint(exp - 53)
	var r i128
	if shift >= 64 {
		r = i128{hi: m << (shift - 64)}
	} else {
		r = i128{hi: m >> (64 - shift), lo: m << shift}
	}
	if neg {
		r.lo, r.hi = ^r.lo, ^r.hi
		r.add(i128{lo: 1})
	}
	return r
}

func (a i128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(a.lo))
	if a.hi>>63 == 1 {
		b.Sub(b, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return b
}

// float returns the value the fixed-point sum represents.
func (a i128) float() float64 {
	f, _ := new(big.Float).SetInt(a.big()).Float64()
	return math.Ldexp(f, -fixedFrac)
}

// u256 is an unsigned 256-bit integer, least significant word first: the
// exact sum of squares of fixed-point values.
type u256 [4]uint64

func (a *u256) add(b u256) {
	var c uint64
	a[0], c = bits.Add64(a[0], b[0], 0)
	a[1], c = bits.Add64(a[1], b[1], c)
	a[2], c = bits.Add64(a[2], b[2], c)
	a[3], _ = bits.Add64(a[3], b[3], c)
}

// square returns q*q exactly.
func square(q i128) u256 {
	if q.hi>>63 == 1 { // |q| of a negative value
		q.lo, q.hi = ^q.lo, ^q.hi
		q.add(i128{lo: 1})
	}
	h0, l0 := bits.Mul64(q.lo, q.lo)
	r := u256{l0, h0}
	if q.hi == 0 {
		return r
	}
	h1, l1 := bits.Mul64(q.hi, q.lo) // twice, at 2^64
	r.add(u256{0, l1, h1})
	r.add(u256{0, l1, h1})
	h2, l2 := bits.Mul64(q.hi, q.hi)
	r.add(u256{0, 0, l2, h2})
	return r
}

func (a u256) big() *big.Int {
	b := new(big.Int)
	for i := 3; i >= 0; i-- {
		b.Lsh(b, 64)
		b.Or(b, new(big.Int).SetUint64(a[i]))
	}
	return b
}
