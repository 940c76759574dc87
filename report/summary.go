package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/reesim/reesim/drivers"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/sim"
)

// summary writes the findings as a few sentences per material, from the
// numbers: how likely a shortfall is and how large, for all consumers and
// for those outside each restricting region; the most exposed region; when
// a shortfall starts and how long it lasts; and, where the report has
// them, what drives it.
func summary(r *sim.Result, attr []AttributionRow, est []drivers.Estimate) []string {
	var out []string
	for _, mat := range r.Materials {
		var b strings.Builder
		ps, _ := r.Find(sim.ScopeTotal, "all", mat, sim.MetricPShort)
		fr, _ := r.Find(sim.ScopeTotal, "all", mat, sim.MetricShortfallFrac)
		if !(ps.Mean > 0) {
			out = append(out, fmt.Sprintf("%s: no consumer runs short in any of the %d trials.", mat, r.Trials))
			continue
		}
		fmt.Fprintf(&b, "%s: in %s (± %s) of trials some consumer runs short. All consumers together lack %s of their demand over the horizon on average, and one trial in twenty leaves them more than %s short.",
			mat, output.Percent(ps.Mean), output.Percent(ps.SE), output.Percent(fr.Mean), output.Percent(fr.P95))
		for _, m := range r.Metrics {
			if m.Scope == sim.ScopeOutside && m.Material == mat && m.Metric == sim.MetricShortfallFrac {
				fmt.Fprintf(&b, " Consumers outside %s lack %s on average.", m.ID, output.Percent(m.Mean))
			}
		}
		// The most exposed region: the largest mean share unmet.
		var worst sim.Metric
		for _, m := range r.Metrics {
			if m.Scope == sim.ScopeRegion && m.Material == mat && m.Metric == sim.MetricShortfallFrac && m.Mean > worst.Mean {
				worst = m
			}
		}
		if worst.Mean > 0 {
			wp, _ := r.Find(sim.ScopeRegion, worst.ID, mat, sim.MetricPShort)
			fmt.Fprintf(&b, " The most exposed region is %s: short in %s of trials, lacking %s of its demand on average.", worst.ID, output.Percent(wp.Mean), output.Percent(worst.Mean))
		}
		ts, _ := r.Find(sim.ScopeTotal, "all", mat, sim.MetricTimeToShort)
		if d, ok := r.FindDistribution(sim.ScopeTotal, "all", mat, sim.MetricDaysShort); ok && len(d.Q) == len(r.DistP) && len(d.Q) > 0 && ts.N > 0 {
			// The median of the short trials: the unconditional quantile
			// at 1 - P(short)/2.
			days := quantileAt(r.DistP, d.Q, 1-ps.Mean/2)
			fmt.Fprintf(&b, " When a shortfall comes, it starts after a median of %.0f days and some consumer is short on a median of %.0f of the horizon's %.0f days.", ts.P50, days, r.HorizonDays)
		}
		if s := driversSentence(mat, attr, est); s != "" {
			b.WriteString(" " + s)
		}
		out = append(out, b.String())
	}
	if len(attr) == 0 && len(est) == 0 {
		out = append(out, "What drives these numbers is not in this report: run reesim attribute SCENARIO --out DIR and add --attribution DIR, or run with --sensitivity --report.")
	}
	return out
}

// driversSentence names what drives a material's shortfall: from an
// attribution, the events that account for the most and the one that
// relieves the most; from the run's own sensitivity, the inputs with the
// largest first-order indices.
func driversSentence(mat string, attr []AttributionRow, est []drivers.Estimate) string {
	var rows []AttributionRow
	for _, a := range attr {
		if a.Material == mat && !math.IsNaN(a.AccountsFor) {
			rows = append(rows, a)
		}
	}
	if len(rows) > 0 {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].AccountsFor > rows[j].AccountsFor })
		var worse []string
		for _, a := range rows[:min(3, len(rows))] {
			if a.AccountsFor > 2*a.SE && a.AccountsFor > 0 {
				worse = append(worse, fmt.Sprintf("%s (%s t ± %s)", a.ID, output.Tonnes(a.AccountsFor), output.Tonnes(a.SE)))
			}
		}
		s := ""
		if len(worse) > 0 {
			s = "Switched off alone, the events that account for most of it are " + list(worse) + "."
		}
		if best := rows[len(rows)-1]; best.AccountsFor < -2*best.SE {
			s += fmt.Sprintf(" Of those that relieve it, %s relieves it most (%s t ± %s).", best.ID, output.Tonnes(best.AccountsFor), output.Tonnes(best.SE))
		}
		return strings.TrimSpace(s)
	}
	top := drivers.Top(est, "total/all/"+mat+"/shortfall", "s1", 3)
	var names []string
	for _, e := range top {
		if e.Value > 0.01 {
			names = append(names, fmt.Sprintf("%s (S1 %.2f)", e.Input, e.Value))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "Of the sampled inputs, " + list(names) + " explain the most of its variance across trials."
}

// list joins items as English: "a", "a and b", "a, b and c".
func list(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// quantileAt interpolates the quantile at level p from quantiles qs at
// levels ps.
func quantileAt(ps, qs []float64, p float64) float64 {
	if len(qs) == 0 {
		return math.NaN()
	}
	if p <= ps[0] {
		return qs[0]
	}
	for k := 1; k < len(ps); k++ {
		if p <= ps[k] {
			return qs[k-1] + (qs[k]-qs[k-1])*(p-ps[k-1])/(ps[k]-ps[k-1])
		}
	}
	return qs[len(qs)-1]
}
