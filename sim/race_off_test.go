//go:build !race

package sim

// raceEnabled is whether the tests run under the race detector (see
// race_on_test.go).
const raceEnabled = false
