//go:build race

package sim

// raceEnabled is whether the tests run under the race detector, which
// makes a truce90 trial some 20 times slower: the heaviest tests then run
// fewer or shorter trials, keeping every property they check.
const raceEnabled = true
