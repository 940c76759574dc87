package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

// ReadJSON reads a result written by JSON (summary.json).
func ReadJSON(path string) (*sim.Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var r sim.Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("output: %s is not a reesim summary: %w", path, err)
	}
	if r.Scenario == "" || len(r.Metrics) == 0 {
		return nil, fmt.Errorf("output: %s is not a reesim summary (no scenario or metrics)", path)
	}
	if err := consistent(&r); err != nil {
		return nil, fmt.Errorf("output: %s is damaged: %v", path, err)
	}
	return &r, nil
}

// consistent checks that a result read back has the shape the charts and
// the report index by: every series, utilisation and flow one value per
// reporting period, every distribution one quantile per grid point.
func consistent(r *sim.Result) error {
	// Names go into file names (fan-MATERIAL.png): each must be one that
	// validation allows, never a path.
	names := map[string][]string{"materials": r.Materials}
	for _, m := range r.Metrics {
		names["metric ids"] = append(names["metric ids"], m.ID, m.Material)
	}
	for _, s := range r.Series {
		names["series ids"] = append(names["series ids"], s.ID, s.Material)
	}
	for _, u := range r.Utilisation {
		names["utilisation nodes"] = append(names["utilisation nodes"], u.Node, u.Material)
	}
	for _, f := range r.Flows {
		names["flows"] = append(names["flows"], f.From, f.To, f.Material)
	}
	for field, list := range names {
		for _, s := range list {
			if !model.ValidName(s) {
				return fmt.Errorf("%s: %.80q is not a valid name (want 1 to %d letters, digits, - and _)", field, s, model.MaxNameLen)
			}
		}
	}
	nP := len(r.PeriodStart)
	if nP == 0 {
		return fmt.Errorf("period_start_days is empty")
	}
	for _, s := range r.Series {
		for name, v := range map[string][]float64{"mean": s.Mean, "p5": s.P5, "p25": s.P25, "p50": s.P50, "p75": s.P75, "p95": s.P95} {
			if len(v) != nP {
				return fmt.Errorf("series %s %s %s: %s has %d values for %d periods", s.Scope, s.ID, s.Material, name, len(v), nP)
			}
		}
	}
	for _, u := range r.Utilisation {
		if len(u.Mean) != nP {
			return fmt.Errorf("utilisation of %s %s has %d values for %d periods", u.Node, u.Material, len(u.Mean), nP)
		}
	}
	for _, f := range r.Flows {
		if len(f.Mean) != nP {
			return fmt.Errorf("flow %s %s->%s %s has %d values for %d periods", f.Stage, f.From, f.To, f.Material, len(f.Mean), nP)
		}
	}
	for _, d := range r.Distributions {
		if len(d.Q) != len(r.DistP) && len(d.Q) != 0 { // none: no trial has the value
			return fmt.Errorf("distribution %s %s %s %s has %d quantiles for %d grid points", d.Scope, d.ID, d.Material, d.Metric, len(d.Q), len(r.DistP))
		}
	}
	return nil
}

// JSON writes the result as one indented JSON object.
func JSON(w io.Writer, r *sim.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVFloat formats v for a CSV field: the shortest decimal that reads
// back as v, and an empty field for an undefined value (NaN).
func CSVFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// MetricUnit is the unit of a metric's values: t, fraction, probability
// or days.
func MetricUnit(metric string) string {
	switch metric {
	case sim.MetricShortfallFrac, sim.MetricPeakFrac:
		return "fraction"
	case sim.MetricPShort:
		return "probability"
	case sim.MetricTimeToShort, sim.MetricDaysShort:
		return "days"
	}
	return "t"
}

// SummaryCSV writes one row per metric: scope, id, material, metric, its
// unit, n and the statistics; an undefined statistic is an empty field.
func SummaryCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"scope", "id", "material", "metric", "unit", "n"}, sim.StatNames...))
	for _, m := range r.Metrics {
		row := []string{string(m.Scope), m.ID, m.Material, m.Metric, MetricUnit(m.Metric), strconv.FormatInt(m.N, 10)}
		for _, v := range m.Values() {
			row = append(row, CSVFloat(v))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// SeriesCSV writes the shortfall-fraction series, one row per scope,
// material and period.
func SeriesCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"scope", "id", "material", "period", "period_start_days", "period_start_date", "mean", "p5", "p25", "p50", "p75", "p95"})
	for _, s := range r.Series {
		for k := range s.Mean {
			cw.Write([]string{string(s.Scope), s.ID, s.Material, strconv.Itoa(k), CSVFloat(r.PeriodStart[k]), periodDate(r, k),
				CSVFloat(s.Mean[k]), CSVFloat(s.P5[k]), CSVFloat(s.P25[k]), CSVFloat(s.P50[k]), CSVFloat(s.P75[k]), CSVFloat(s.P95[k])})
		}
	}
	cw.Flush()
	return cw.Error()
}

// FlowsCSV writes mean trade flows, tonnes per period.
func FlowsCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"stage", "from", "to", "material", "period", "period_start_days", "period_start_date", "mean_t"})
	for _, f := range r.Flows {
		for k, v := range f.Mean {
			cw.Write([]string{f.Stage, f.From, f.To, f.Material, strconv.Itoa(k), CSVFloat(r.PeriodStart[k]), periodDate(r, k), CSVFloat(v)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// UtilisationCSV writes mean node utilisation per period.
func UtilisationCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"node", "material", "period", "period_start_days", "period_start_date", "mean"})
	for _, u := range r.Utilisation {
		for k, v := range u.Mean {
			cw.Write([]string{u.Node, u.Material, strconv.Itoa(k), CSVFloat(r.PeriodStart[k]), periodDate(r, k), CSVFloat(v)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// periodDate is the calendar date period k starts on (the day its start
// falls in), for pandas and spreadsheets; empty without a start date.
func periodDate(r *sim.Result, k int) string {
	start, err := time.Parse("2006-01-02", r.Start)
	if err != nil {
		return ""
	}
	return start.Add(time.Duration(math.Floor(r.PeriodStart[k]) * 24 * float64(time.Hour))).Format("2006-01-02")
}

// Files are the files WriteDir writes, in order.
var Files = []string{"summary.json", "summary.csv", "series.csv", "flows.csv", "utilisation.csv"}

// WriteDir writes every result file into dir, creating it if needed. Each
// file is written atomically.
func WriteDir(dir string, r *sim.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	writers := map[string]func(io.Writer, *sim.Result) error{
		"summary.json": JSON, "summary.csv": SummaryCSV, "series.csv": SeriesCSV, "flows.csv": FlowsCSV, "utilisation.csv": UtilisationCSV,
	}
	for _, name := range Files {
		fn := writers[name]
		if err := WriteFile(filepath.Join(dir, name), func(w io.Writer) error { return fn(w, r) }); err != nil {
			return err
		}
	}
	return nil
}
