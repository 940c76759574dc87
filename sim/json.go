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
	b.WriteString(`,"n":`)
	b.WriteString(strconv.FormatInt(m.N, 10))
	for _, f := range m.Stats.fields() {
		b.WriteString(`,"`)
		b.WriteString(f.name)
		b.WriteString(`":`)
		b.WriteString(jsonFloat(f.v))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
	if v, ok := raw["n"]; ok {
		if err := json.Unmarshal(v, &m.N); err != nil {
			return err
		}
	}
	for _, f := range m.Stats.fieldPtrs() {
		v, ok := raw[f.name]
		if !ok || string(v) == "null" {
			*f.p = math.NaN()
			continue
		}
		if err := json.Unmarshal(v, f.p); err != nil {
			return err
		}
	}
	return nil
}

type statField struct {
	name string
	v    float64
}

type statPtr struct {
	name string
	p    *float64
}

func (s Stats) fields() []statField {
	return []statField{{"mean", s.Mean}, {"sd", s.SD}, {"se", s.SE}, {"p5", s.P5}, {"p50", s.P50}, {"p90", s.P90}, {"p95", s.P95}, {"p99", s.P99}, {"cvar95", s.CVaR95}, {"min", s.Min}, {"max", s.Max}}
}

// Stat returns the statistic of that JSON name ("mean", "sd", "p95",
// "cvar95", ...), or NaN and false for a name Stats does not have.
func (s Stats) Stat(name string) (float64, bool) {
	for _, f := range s.fields() {
		if f.name == name {
			return f.v, true
		}
	}
	return math.NaN(), false
}

func (s *Stats) fieldPtrs() []statPtr {
	return []statPtr{{"mean", &s.Mean}, {"sd", &s.SD}, {"se", &s.SE}, {"p5", &s.P5}, {"p50", &s.P50}, {"p90", &s.P90}, {"p95", &s.P95}, {"p99", &s.P99}, {"cvar95", &s.CVaR95}, {"min", &s.Min}, {"max", &s.Max}}
}

func jsonFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
