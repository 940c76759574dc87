// Package discover finds the input conditions under which a run's bad
// outcomes concentrate (scenario discovery), with the Patient Rule
// Induction Method of Friedman and Fisher ("Bump hunting in
// high-dimensional data", Statistics and Computing 9, 1999), as the EMA
// Workbench applies it: starting from the box of all trials, repeatedly
// peel off the small slice of one input's range whose removal raises the
// share of bad trials in the box most, recording each box's coverage (the
// share of all bad trials inside it) and density (the share of trials
// inside it that are bad). Each peel is chosen by Friedman and Fisher's
// criterion, the gain in density per trial removed.
package discover

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Limit is a box's range on one input: Lo <= x <= Hi.
type Limit struct {
	Lo, Hi float64
}

// Box is one step of a peeling trajectory.
type Box struct {
	Limits   []Limit // per input
	N        int     // trials inside
	Coverage float64 // bad trials inside / all bad trials
	Density  float64 // bad trials inside / trials inside
}

// Options tune the peeling.
type Options struct {
	Alpha      float64 // share of the box's trials peeled a step (default 0.05)
	MinSupport float64 // stop when the box holds fewer than this share of all trials (default 0.05)
	// MaxPeel is the largest share of the box one peel may remove
	// (default 0.5): PRIM is patient, so a category that holds most of
	// the box (a buildout that usually happens) is not peeled in one bite.
	MaxPeel float64
}

// Peel returns the peeling trajectory of the bad trials (bad[i]) over the
// inputs x[k][i], from the box of all trials until the box holds fewer than
// MinSupport of them or no peel raises its density. Each step costs one
// pass over each input's trials in sorted order.
func Peel(x [][]float64, bad []bool, o Options) []Box {
	if o.Alpha <= 0 {
		o.Alpha = 0.05
	}
	if o.MinSupport <= 0 {
		o.MinSupport = 0.05
	}
	if o.MaxPeel <= 0 {
		o.MaxPeel = 0.5
	}
	n, k := len(bad), len(x)
	order := make([][]int, k)
	for j := range k {
		order[j] = make([]int, n)
		for i := range n {
			order[j][i] = i
		}
		xj := x[j]
		sort.SliceStable(order[j], func(a, b int) bool { return xj[order[j][a]] < xj[order[j][b]] })
	}
	inBox := make([]bool, n)
	total := 0
	for i, b := range bad {
		inBox[i] = true
		if b {
			total++
		}
	}
	m, badIn := n, total
	lim := make([]Limit, k)
	for j := range k {
		lim[j] = Limit{math.Inf(-1), math.Inf(1)}
	}
	box := func() Box {
		b := Box{Limits: slices.Clone(lim), N: m}
		if total > 0 {
			b.Coverage = float64(badIn) / float64(total)
		}
		if m > 0 {
			b.Density = float64(badIn) / float64(m)
		}
		return b
	}
	traj := []Box{box()}
	minN := int(math.Ceil(o.MinSupport * float64(n)))
	// peel walks input j's in-box trials from one end (low or high),
	// removing at least q of them and never splitting equal values. It
	// returns the value that bounds what is kept, and the trials and bad
	// trials removed; ok is false when the peel would remove all.
	peel := func(j, q int, low bool) (cut float64, removed, removedBad int, ok bool) {
		ord := order[j]
		step, at := 1, 0
		if !low {
			step, at = -1, n-1
		}
		last := math.NaN()
		for ; at >= 0 && at < n; at += step {
			i := ord[at]
			if !inBox[i] {
				continue
			}
			v := x[j][i]
			if removed >= q && v != last {
				return v, removed, removedBad, removed < m
			}
			removed++
			if bad[i] {
				removedBad++
			}
			last = v
		}
		return 0, 0, 0, false
	}
	for m > minN {
		cur := traj[len(traj)-1].Density
		q := max(1, int(o.Alpha*float64(m)))
		// Friedman and Fisher's criterion: the gain in density per trial
		// removed, so that peeling a whole category (a 0/1 input) must
		// earn its larger bite.
		best, bestJ, bestLo, bestCut := 0.0, -1, false, 0.0
		for j := range k {
			for _, low := range []bool{true, false} {
				cut, rem, remBad, ok := peel(j, q, low)
				if !ok || m-rem < minN || float64(rem) > o.MaxPeel*float64(m) {
					continue
				}
				d := float64(badIn-remBad) / float64(m-rem)
				if gain := (d - cur) / float64(rem); gain > best {
					best, bestJ, bestLo, bestCut = gain, j, low, cut
				}
			}
		}
		if bestJ < 0 {
			break // no peel raises the density
		}
		for i := range n {
			if !inBox[i] {
				continue
			}
			if v := x[bestJ][i]; bestLo && v < bestCut || !bestLo && v > bestCut {
				inBox[i] = false
				m--
				if bad[i] {
					badIn--
				}
			}
		}
		if bestLo {
			lim[bestJ].Lo = bestCut
		} else {
			lim[bestJ].Hi = bestCut
		}
		traj = append(traj, box())
	}
	return traj
}

// Choose picks the box of the trajectory with the highest density among
// those covering at least minCoverage of the bad trials (the first box,
// all trials, if none does).
func Choose(traj []Box, minCoverage float64) int {
	best := 0
	for i, b := range traj {
		if b.Coverage >= minCoverage && b.Density > traj[best].Density {
			best = i
		}
	}
	return best
}

// Restricted lists the inputs a box limits, with the box's limit on each:
// a side is unlimited (±Inf) when the box keeps that end of the range.
func Restricted(b Box) []int {
	var out []int
	for j, l := range b.Limits {
		if !math.IsInf(l.Lo, -1) || !math.IsInf(l.Hi, 1) {
			out = append(out, j)
		}
	}
	return out
}

// Prune drops the restrictions of a box that do not earn their place: for
// each, the number of bad trials inside the box is compared with the
// binomial it would follow if the restriction were irrelevant (at the
// density of the box without it), and the restriction with the largest
// one-sided p-value above p is dropped, until every one left is below p.
// This is the EMA Workbench's quasi-p-value test, applied to simplify the
// box rather than only to report it.
func Prune(b Box, x [][]float64, bad []bool, p float64) Box {
	total := 0
	for _, v := range bad {
		if v {
			total++
		}
	}
	count := func(lim []Limit, skip int) (n, c int) {
		for i := range bad {
			in := true
			for j, l := range lim {
				if j != skip && (x[j][i] < l.Lo || x[j][i] > l.Hi) {
					in = false
					break
				}
			}
			if in {
				n++
				if bad[i] {
					c++
				}
			}
		}
		return n, c
	}
	lim := slices.Clone(b.Limits)
	for {
		n, c := count(lim, -1)
		worst, worstP := -1, p
		for _, j := range Restricted(Box{Limits: lim}) {
			nj, cj := count(lim, j)
			pv := 1.0
			if nj > 0 && cj > 0 {
				bin := distuv.Binomial{N: float64(n), P: float64(cj) / float64(nj)}
				pv = 1 - bin.CDF(float64(c-1))
			}
			if pv > worstP {
				worst, worstP = j, pv
			}
		}
		if worst < 0 {
			out := Box{Limits: lim, N: n}
			if total > 0 {
				out.Coverage = float64(c) / float64(total)
			}
			if n > 0 {
				out.Density = float64(c) / float64(n)
			}
			return out
		}
		lim[worst] = Limit{math.Inf(-1), math.Inf(1)}
	}
}
