package sim

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// MarshalJSON writes a metric as one flat object (docs/model.md section 5), with
// null for a statistic that is undefined (time_to_short when no trial is
// short, say). Floats use the shortest representation that reads back to
// the same bits.
func (m Metric) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"scope":`)
	b.WriteString(strconv.Quote(string(m.Scope)))
	b.WriteString(`,"id":`)
	b.WriteString(strconv.Quote(m.ID))
	b.WriteString(`,"material":`)
	b.WriteString(strconv.Quote(m.Material))
	b.WriteString(`,"metric":`)
	b.WriteString(strconv.Quote(m.Metric))
	b.WriteByte(',')
	m.Stats.appendJSON(&b)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// appendJSON writes "n" and each statistic by its name, null where it is
// undefined.
func (s Stats) appendJSON(b *bytes.Buffer) {
	b.WriteString(`"n":`)
	b.WriteString(strconv.FormatInt(s.N, 10))
	for _, c := range statColumns {
		b.WriteString(`,"`)
		b.WriteString(c.name)
		b.WriteString(`":`)
		b.WriteString(jsonFloat(*c.get(&s)))
	}
}

// MarshalJSON writes the statistics as one object: "n" and each of
// StatNames, null where undefined.
func (s Stats) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	s.appendJSON(&b)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes; null reads as NaN.
func (s *Stats) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	return s.read(raw)
}

// read sets the statistics from a decoded object's fields.
func (s *Stats) read(raw map[string]json.RawMessage) error {
	if v, ok := raw["n"]; ok {
		if err := json.Unmarshal(v, &s.N); err != nil {
			return err
		}
	}
	for _, c := range statColumns {
		p := c.get(s)
		v, ok := raw[c.name]
		if !ok || string(v) == "null" {
			*p = math.NaN()
			continue
		}
		if err := json.Unmarshal(v, p); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON reads what MarshalJSON writes; null reads as NaN.
func (m *Metric) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	str := func(k string, dst *string) error {
		if v, ok := raw[k]; ok {
			return json.Unmarshal(v, dst)
		}
		return nil
	}
	var scope string
	for _, e := range []error{str("scope", &scope), str("id", &m.ID), str("material", &m.Material), str("metric", &m.Metric)} {
		if e != nil {
			return e
		}
	}
	m.Scope = ScopeKind(scope)
	if err := m.Stats.read(raw); err != nil {
		return err
	}
	return nil
}

// statColumns are the statistics of Stats in report order, each with the
// name it has in JSON, in summary.csv and in sweep outputs and targets:
// the one table that every writer and every lookup by name reads.
var statColumns = [...]struct {
	name string
	get  func(*Stats) *float64
}{
	{"mean", func(s *Stats) *float64 { return &s.Mean }},
	{"sd", func(s *Stats) *float64 { return &s.SD }},
	{"se", func(s *Stats) *float64 { return &s.SE }},
	{"p5", func(s *Stats) *float64 { return &s.P5 }},
	{"p50", func(s *Stats) *float64 { return &s.P50 }},
	{"p90", func(s *Stats) *float64 { return &s.P90 }},
	{"p95", func(s *Stats) *float64 { return &s.P95 }},
	{"p99", func(s *Stats) *float64 { return &s.P99 }},
	{"cvar95", func(s *Stats) *float64 { return &s.CVaR95 }},
	{"min", func(s *Stats) *float64 { return &s.Min }},
	{"max", func(s *Stats) *float64 { return &s.Max }},
}

// StatNames are the statistics' names in report order: mean, sd, se, p5,
// p50, p90, p95, p99, cvar95, min, max.
var StatNames = func() []string {
	out := make([]string, len(statColumns))
	for i, c := range statColumns {
		out[i] = c.name
	}
	return out
}()

// Values returns the statistics in the order of StatNames.
func (s Stats) Values() []float64 {
	out := make([]float64, len(statColumns))
	for i, c := range statColumns {
		out[i] = *c.get(&s)
	}
	return out
}

// Stat returns the statistic of that name (one of StatNames), or NaN and
// false for a name Stats does not have.
func (s Stats) Stat(name string) (float64, bool) {
	for _, c := range statColumns {
		if c.name == name {
			return *c.get(&s), true
		}
	}
	return math.NaN(), false
}

func jsonFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
