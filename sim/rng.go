package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// splitmix64 is Steele, Lea and Flood's SplitMix64 finaliser ("Fast
// splittable pseudorandom number generators", OOPSLA 2014): a bijective
// mixing of 64 bits, used here to derive independent stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// fieldKey names one random quantity of a scenario: an event (or node,
// consumer) id and a field. Keys are stable across runs and independent of
// the order of the scenario file, so changing one parameter moves no other
// draw (common random numbers for sweeps).
func fieldKey(owner, field string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(owner))
	h.Write([]byte{0})
	h.Write([]byte(field))
	return h.Sum64()
}

// indexed derives the key of the i-th occurrence of a repeated draw (an
// outage's occurrences, a truce's renewals).
func indexed(key uint64, i int) uint64 {
	return splitmix64(key ^ splitmix64(uint64(i)+1))
}

// stream is a reseedable PCG: each draw is keyed by (seed, trial, field).
type stream struct {
	pcg   rand.PCG
	seed  uint64
	trial uint64
	base  uint64   // mix of seed and trial
	nan   *sampler // the first sampler of the trial that drew NaN
}

func (s *stream) setTrial(seed, trial uint64) {
	s.seed, s.trial, s.nan = seed, trial, nil
	s.base = splitmix64(splitmix64(seed) ^ trial)
}

// at positions the stream at the start of the draws for key.
func (s *stream) at(key uint64) *stream {
	h := splitmix64(s.base ^ key)
	s.pcg.Seed(h, splitmix64(h^0xda942042e4dd58b5))
	return s
}

// open returns a uniform draw in the open interval (0, 1).
func (s *stream) open() float64 {
	return (float64(s.pcg.Uint64()>>11) + 0.5) / (1 << 53)
}
