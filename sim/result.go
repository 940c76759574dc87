package sim

import "time"

// ScopeKind is the level a metric is reported at.
type ScopeKind string

// The scopes of docs/model.md section 5.
const (
	ScopeConsumer ScopeKind = "consumer" // id is a consumer id
	ScopeRegion   ScopeKind = "region"   // id is a region
	ScopeOutside  ScopeKind = "outside"  // id is a restricting region: every consumer outside it
	ScopeTotal    ScopeKind = "total"    // id is "all"
)

// ScopeKinds are the scope kinds, as written in sweep outputs and targets.
var ScopeKinds = []string{string(ScopeConsumer), string(ScopeRegion), string(ScopeOutside), string(ScopeTotal)}

// Label names a scope for people: a consumer's id, "region US",
// "outside CN" or "all".
func (k ScopeKind) Label(id string) string {
	switch k {
	case ScopeRegion:
		return "region " + id
	case ScopeOutside:
		return "outside " + id
	case ScopeTotal:
		return "all"
	}
	return id
}

// The metric names of docs/model.md section 5.
const (
	MetricShortfall     = "shortfall"      // cumulative unmet demand (t)
	MetricShortfallFrac = "shortfall_frac" // shortfall over cumulative demand
	MetricPeakFrac      = "peak_frac"      // largest one-period shortfall fraction
	MetricPShort        = "p_short"        // 1 when the trial has any shortfall
	MetricTimeToShort   = "time_to_short"  // days to first shortfall, over trials that have one
	MetricDaysShort     = "days_short"     // days with a positive shortfall rate
	MetricDemand        = "demand"         // cumulative demand (t)
	MetricDelivered     = "delivered"      // cumulative delivery (t)
	MetricSubstituted   = "substituted"    // cumulative demand given up by substitution (t)
)

// metricNames names each metric index; the compiler ties each name to
// its constant, and a test requires every index to have one.
var metricNames = [nMetrics]string{
	iShortfall:     MetricShortfall,
	iShortfallFrac: MetricShortfallFrac,
	iPeakFrac:      MetricPeakFrac,
	iPShort:        MetricPShort,
	iTimeToShort:   MetricTimeToShort,
	iDaysShort:     MetricDaysShort,
	iDemand:        MetricDemand,
	iDelivered:     MetricDelivered,
	iSubstituted:   MetricSubstituted,
}

// MetricNames lists the metrics in report order, the order of their
// indices.
var MetricNames = metricNames[:]

// Stats summarises one metric over trials. SE is the standard error of
// the mean, SD/sqrt(N). Quantiles are read from a histogram whose relative
// error is at most QuantileRelErr; Min and Max are exact. CVaR95 is the
// mean of the worst 5 % of trials.
//
// The statistics' names in JSON, CSV and sweep outputs come from one
// table, statColumns (StatNames lists them); Stats and Metric write and
// read JSON through it.
type Stats struct {
	N                      int64
	Mean, SD, SE           float64
	P5, P50, P90, P95, P99 float64
	CVaR95                 float64
	Min, Max               float64
}

// Metric is one metric at one scope for one material.
type Metric struct {
	Scope    ScopeKind `json:"scope"`
	ID       string    `json:"id"`
	Material string    `json:"material"`
	Metric   string    `json:"metric"`
	Stats
}

// Series is the shortfall fraction of each reporting period for one scope
// and material: its mean and quantiles over trials.
type Series struct {
	Scope    ScopeKind `json:"scope"`
	ID       string    `json:"id"`
	Material string    `json:"material"`
	Mean     []float64 `json:"mean"`
	P5       []float64 `json:"p5"`
	P25      []float64 `json:"p25"`
	P50      []float64 `json:"p50"`
	P75      []float64 `json:"p75"`
	P95      []float64 `json:"p95"`
}

// Utilisation is a node's mean utilisation for one material in each period:
// output over capacity within the period (0 where it has no capacity),
// averaged over trials.
type Utilisation struct {
	Node     string    `json:"node"`
	Material string    `json:"material"`
	Mean     []float64 `json:"mean"`
}

// FlowKey identifies a trade flow: material leaving nodes of Stage in
// region From for destinations in region To (a consumer's region for the
// last stage).
type FlowKey struct {
	Stage    string `json:"stage"`
	From     string `json:"from"`
	To       string `json:"to"`
	Material string `json:"material"`
}

// Flow is the mean tonnes carried per reporting period by one trade flow.
type Flow struct {
	FlowKey
	Mean []float64 `json:"mean_t"`
}

// Result is what a run reports. Every field derives from exact integer
// aggregates, so it is bit-identical for any worker count and any split
// of the trials into merged shards.
type Result struct {
	// Version is the reesim version that produced the result; the library
	// leaves it empty and the command fills it in.
	Version        string        `json:"reesim_version,omitempty"`
	Scenario       string        `json:"scenario"`
	ScenarioSHA256 string        `json:"scenario_sha256,omitempty"`
	Overrides      []string      `json:"overrides,omitempty"` // --set PATH=VALUE applied to the scenario
	Seed           uint64        `json:"seed"`
	Trials         int           `json:"trials"`
	Materials      []string      `json:"materials"`
	Consumers      []ConsumerRef `json:"consumers"`
	Stages         []string      `json:"stages"` // flow order
	HorizonDays    float64       `json:"horizon_days"`
	Start          string        `json:"start"` // the scenario's start date, ISO
	Period         string        `json:"period"`
	PeriodDays     float64       `json:"period_days"`
	PeriodStart    []float64     `json:"period_start_days"` // start of each period, days after start

	Metrics []Metric `json:"metrics"`
	// DistP is the probability grid of every Distribution's quantiles.
	DistP         []float64      `json:"dist_p"`
	Distributions []Distribution `json:"distributions"`
	Series        []Series       `json:"series"`
	Utilisation   []Utilisation  `json:"utilisation"`
	Flows         []Flow         `json:"flows"`
	Warnings      []string       `json:"warnings"`
	// StopReason says why a run with a stopping rule ended.
	StopReason string `json:"stop_reason,omitempty"`

	// Elapsed is the wall time of the run (not part of the JSON, which
	// must be reproducible to the bit).
	Elapsed time.Duration `json:"-"`
}

// Distribution is the distribution of one metric over trials, as its
// quantiles on the grid Result.DistP (each within QuantileRelErr of the
// exact empirical quantile): enough to draw exceedance curves, histograms
// and survival curves without the trials. N is the number of trials it
// covers (for time_to_short, those with a shortfall).
type Distribution struct {
	Scope    ScopeKind `json:"scope"`
	ID       string    `json:"id"`
	Material string    `json:"material"`
	Metric   string    `json:"metric"`
	N        int64     `json:"n"`
	Q        []float64 `json:"q"`
}

// DistMetrics are the metrics whose distributions a Result carries.
var DistMetrics = []string{MetricShortfall, MetricShortfallFrac, MetricPeakFrac, MetricTimeToShort, MetricDaysShort}

// DistGrid is the probability grid of Distribution quantiles: dense in the
// middle and in the upper tail, down to one in a million, so exceedance
// curves can be drawn on a log-probability axis.
var DistGrid = []float64{0, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
	0.925, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99999, 0.999999, 1}

// ConsumerRef names a consumer and the region it reports under.
type ConsumerRef struct {
	ID     string `json:"id"`
	Region string `json:"region"`
}

// Find returns the metric for a scope, id, material and name.
func (r *Result) Find(scope ScopeKind, id, material, metric string) (Metric, bool) {
	for _, m := range r.Metrics {
		if m.Scope == scope && m.ID == id && m.Material == material && m.Metric == metric {
			return m, true
		}
	}
	return Metric{}, false
}

// FindDistribution returns the quantiles of a metric (one of DistMetrics)
// at a scope, on the grid DistP.
func (r *Result) FindDistribution(scope ScopeKind, id, material, metric string) (Distribution, bool) {
	for _, d := range r.Distributions {
		if d.Scope == scope && d.ID == id && d.Material == material && d.Metric == metric {
			return d, true
		}
	}
	return Distribution{}, false
}
