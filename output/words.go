package output

import (
	"fmt"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

// MetricWords says what a metric measures, in words a chart axis can
// carry, without its unit (MetricUnit gives that).
func MetricWords(metric string) string {
	switch metric {
	case sim.MetricShortfall:
		return "cumulative shortfall"
	case sim.MetricShortfallFrac:
		return "share of demand unmet"
	case sim.MetricPeakFrac:
		return "worst period's share of demand unmet"
	case sim.MetricPShort:
		return "chance of any shortfall"
	case sim.MetricTimeToShort:
		return "days to the first shortfall"
	case sim.MetricDaysShort:
		return "days short"
	case sim.MetricDemand:
		return "cumulative demand"
	case sim.MetricDelivered:
		return "cumulative delivery"
	case sim.MetricSubstituted:
		return "demand given up by substitution"
	}
	return metric
}

// StatWords says what a statistic over trials is, in words.
func StatWords(stat string) string {
	switch stat {
	case "mean":
		return "mean"
	case "sd":
		return "standard deviation of the"
	case "p50":
		return "median"
	case "cvar95":
		return "mean of the worst 5 % of the"
	case "min":
		return "smallest"
	case "max":
		return "largest"
	}
	if strings.HasPrefix(stat, "p") {
		return stat[1:] + "th percentile of the"
	}
	return stat
}

// ScopeWords names a scope's consumers: "all consumers", "outside CN",
// "region EU" or a consumer's id.
func ScopeWords(scope, id string) string {
	if scope == string(sim.ScopeTotal) {
		return "all consumers"
	}
	return sim.ScopeKind(scope).Label(id)
}

// InPercent reports whether a metric is a fraction or a probability,
// which charts show in percent.
func InPercent(metric string) bool {
	u := MetricUnit(metric)
	return u == "fraction" || u == "probability"
}

// OutputWords says what a sweep output is, in words, with its unit: "mean
// share of dy demand unmet, all consumers (%)" or "95th percentile of the
// cumulative ndpr shortfall, us-users (t)".
func OutputWords(o model.SweepOutput) string {
	what := MetricWords(o.Metric)
	// The material goes before the noun it qualifies.
	for _, noun := range []string{"demand", "shortfall", "delivery"} {
		if i := strings.Index(what, noun); i >= 0 {
			what = what[:i] + o.Material + " " + what[i:]
			break
		}
	}
	if !strings.Contains(what, o.Material) {
		what = o.Material + " " + what
	}
	unit := MetricUnit(o.Metric)
	if InPercent(o.Metric) {
		unit = "%"
	}
	stat := StatWords(o.Stat) + " "
	if o.Metric == sim.MetricPShort && o.Stat == "mean" {
		stat = "" // the mean of a 0/1 indicator is the chance itself
	}
	return fmt.Sprintf("%s%s, %s (%s)", stat, what, ScopeWords(o.Scope, o.ID), unit)
}

// OutputSlug is a sweep output as a file-name part:
// material-metric-stat-scope, as in dy-shortfall_frac-mean-all or
// ndpr-shortfall-p95-us-users.
func OutputSlug(o model.SweepOutput) string {
	scope := o.ID
	switch sim.ScopeKind(o.Scope) {
	case sim.ScopeRegion, sim.ScopeOutside:
		scope = o.Scope + "-" + o.ID
	}
	return strings.Join([]string{o.Material, o.Metric, o.Stat, scope}, "-")
}
