package output

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reesim/reesim/sim"
)

// Info is what the summary says about how a result was made.
type Info struct {
	Start   time.Time // the scenario's start date
	Workers int
}

// Table writes the human summary: per material and scope, the chance of
// any shortfall, the mean shortfall with its standard error, its median,
// P95 and CVaR95, and the median time to the first shortfall; then each
// stage's output share by region. Warnings are the caller's to print
// (reesim run writes them to stderr).
func Table(w io.Writer, r *sim.Result, info Info) error {
	rate := float64(r.Trials) / r.Elapsed.Seconds()
	fmt.Fprintf(w, "reesim %s: %d trials, seed %d", r.Scenario, r.Trials, r.Seed)
	if r.Elapsed > 0 {
		fmt.Fprintf(w, ", %s (%.0f trials/s", r.Elapsed.Round(time.Millisecond), rate)
		if info.Workers > 0 {
			fmt.Fprintf(w, ", %d workers", info.Workers)
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "horizon %.0f days", r.HorizonDays)
	if !info.Start.IsZero() {
		fmt.Fprintf(w, " from %s to %s", info.Start.Format("2006-01-02"), info.Start.Add(time.Duration(r.HorizonDays*24*float64(time.Hour))).Format("2006-01-02"))
	}
	fmt.Fprintf(w, "; shortfall in t of oxide over the horizon\n")
	fmt.Fprintf(w, "se: one standard error; %% dem: mean share of demand unmet; 1st short d: median days to\nthe first shortfall, of the trials that have one")
	var ex []string
	for _, m := range r.Metrics {
		if m.Scope == sim.ScopeOutside && m.Material == r.Materials[0] && m.Metric == sim.MetricShortfall {
			ex = append(ex, m.ID)
		}
	}
	for _, id := range ex {
		fmt.Fprintf(w, "; ex-%s: every consumer outside %s", id, id)
	}
	fmt.Fprint(w, "\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "material\tconsumers\tP(short) ± se\tmean t ± se\t% dem\tP50 t\tP95 t\tCVaR95 t\t1st short d\t")
	get := func(scope sim.ScopeKind, id, mat, metric string) sim.Metric {
		m, _ := r.Find(scope, id, mat, metric)
		return m
	}
	// A region with one consumer repeats that consumer's row; skip it.
	perRegion := map[string]int{}
	for _, c := range r.Consumers {
		perRegion[c.Region]++
	}
	for _, mat := range r.Materials {
		for _, m := range r.Metrics {
			if m.Material != mat || m.Metric != sim.MetricShortfall {
				continue
			}
			if m.Scope == sim.ScopeRegion && perRegion[m.ID] < 2 {
				continue
			}
			ps := get(m.Scope, m.ID, mat, sim.MetricPShort)
			fr := get(m.Scope, m.ID, mat, sim.MetricShortfallFrac)
			ts := get(m.Scope, m.ID, mat, sim.MetricTimeToShort)
			first := "-"
			if ts.N > 0 {
				first = fmt.Sprintf("%.0f", ts.P50)
			}
			who := m.Scope.Label(m.ID)
			if m.Scope == sim.ScopeOutside {
				who = "ex-" + m.ID // narrow: the table fits 100 columns
			}
			fmt.Fprintf(tw, "%s\t%s\t%s ± %s\t%s ± %s\t%s\t%s\t%s\t%s\t%s\t\n", mat, who,
				Percent(ps.Mean), strings.TrimSuffix(Percent(ps.SE), "%"), Tonnes(m.Mean), Tonnes(m.SE), Percent(fr.Mean), Tonnes(m.P50), Tonnes(m.P95), Tonnes(m.CVaR95), first)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if shares := StageShares(r); len(shares) > 0 {
		fmt.Fprintf(w, "\noutput share by region (all materials, tonnes over the horizon, mean of trials)\n")
		for _, s := range shares {
			parts := make([]string, 0, len(s.Regions))
			for _, rs := range s.Regions {
				parts = append(parts, fmt.Sprintf("%s %.1f%%", rs.Region, 100*rs.Share))
			}
			fmt.Fprintf(w, "  %-8s %s\n", s.Stage, strings.Join(parts, ", "))
		}
	}
	if r.StopReason != "" {
		fmt.Fprintf(w, "\nstopped: %s\n", r.StopReason)
	}
	return nil
}

// Percent formats a fraction as a percentage with one decimal, and an
// undefined value (NaN) as "-". A value that is not zero but would print
// as 0.0% prints as <0.1% (or >-0.1%), so a rare shortfall is not read
// as none.
func Percent(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v > 0 && 100*v < 0.05:
		return "<0.1%"
	case v < 0 && 100*v > -0.05:
		return ">-0.1%"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// Tonnes formats a quantity in tonnes for people: whole tonnes with
// thousands separators from 100 t, one decimal from 1 t, three significant
// figures below, and "-" for an undefined value (NaN).
func Tonnes(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return thousands(fmt.Sprintf("%.0f", v))
	case math.Abs(v) >= 1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// thousands puts a comma between each group of three digits of an integer
// written in decimal.
func thousands(s string) string {
	sign, digits := "", s
	if strings.HasPrefix(s, "-") {
		sign, digits = "-", s[1:]
	}
	if len(digits) <= 3 {
		return s
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// StageShare is one stage's output split by exporting region.
type StageShare struct {
	Stage   string
	Total   float64 // mean tonnes over the horizon
	Regions []RegionShare
}

// RegionShare is one region's share of a stage's output.
type RegionShare struct {
	Region string
	Share  float64
}

// StageShares computes, from the mean trade flows, each stage's output
// share by source region, largest first, summed over all materials.
func StageShares(r *sim.Result) []StageShare {
	byStage := map[string]map[string]float64{}
	for _, f := range r.Flows {
		if byStage[f.Stage] == nil {
			byStage[f.Stage] = map[string]float64{}
		}
		for _, v := range f.Mean {
			byStage[f.Stage][f.From] += v
		}
	}
	var out []StageShare
	for _, st := range r.Stages {
		s := StageShare{Stage: st}
		for _, v := range byStage[st] {
			s.Total += v
		}
		if s.Total <= 0 {
			continue
		}
		for reg, v := range byStage[st] {
			s.Regions = append(s.Regions, RegionShare{reg, v / s.Total})
		}
		sort.Slice(s.Regions, func(i, j int) bool {
			if s.Regions[i].Share != s.Regions[j].Share {
				return s.Regions[i].Share > s.Regions[j].Share
			}
			return s.Regions[i].Region < s.Regions[j].Region
		})
		out = append(out, s)
	}
	return out
}

// USD formats dollars for people: $150 M, $1.25 bn, $350 k; "-" for an
// undefined value and "unbounded" for +Inf.
func USD(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "unbounded"
	case v >= 1e9:
		return "$" + strconv.FormatFloat(v/1e9, 'g', 3, 64) + " bn"
	case v >= 1e6:
		return "$" + strconv.FormatFloat(v/1e6, 'g', 3, 64) + " M"
	case v >= 1e3:
		return "$" + strconv.FormatFloat(v/1e3, 'g', 3, 64) + " k"
	}
	return "$" + strconv.FormatFloat(v, 'g', 3, 64)
}
