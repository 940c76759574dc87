package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Sweep is a sensitivity sweep file (docs/model.md section 6).
type Sweep struct {
	File     string
	SHA256   string // of the sweep file
	Source   []byte // the sweep file
	Scenario string // path relative to the sweep file, or a built-in name
	Trials   int    // per design point
	Seed     uint64
	Design   string // oat, grid, lhs, sobol or morris
	Samples  int    // base sample size (lhs, sobol, morris trajectories)
	Levels   int    // levels per continuous parameter for grid and morris
	Params   []SweepParam
	Outputs  []SweepOutput
}

// SweepParam is one swept parameter: a range, or a list of values.
type SweepParam struct {
	Path string
	// Min and Max bound a continuous range; Unit says how they were
	// written (Number, or Days for durations and dates, in days after the
	// scenario's start).
	Min, Max float64
	Unit     Unit
	// Values, when set, are the levels, as YAML to pass to an Override.
	Values []string
	// Written holds min and max as the sweep file wrote them ("1y",
	// "6y"), for labels.
	Written [2]string
	Pos     Pos
}

// Ends returns the parameter's low and high ends as the sweep file wrote
// them: min and max, or the first and last of its values.
func (p SweepParam) Ends() (low, high string) {
	if len(p.Values) > 0 {
		return p.Values[0], p.Values[len(p.Values)-1]
	}
	if p.Written[0] != "" {
		return p.Written[0], p.Written[1]
	}
	return p.Value(0), p.Value(1)
}

// SweepOutput names one output of a sweep: a statistic of a metric at a
// scope, by the engine's names (sweep.Check checks them).
type SweepOutput struct {
	Scope, ID, Material, Metric, Stat string
	Pos                               Pos            `json:"-"` // where it was written
	FieldPos                          map[string]Pos `json:"-"` // where each field was written
}

// Label is the output's column name: scope/id/material/metric/stat.
func (o SweepOutput) Label() string {
	return strings.Join([]string{o.Scope, o.ID, o.Material, o.Metric, o.Stat}, "/")
}

// Designs are the sweep designs.
var Designs = []string{"oat", "grid", "lhs", "sobol", "morris"}

// Value returns the override value for unit position u in [0, 1]: a point
// of the range (to six significant digits), or one of the values (u split
// into equal bins).
func (p SweepParam) Value(u float64) string {
	if len(p.Values) > 0 {
		i := min(int(u*float64(len(p.Values))), len(p.Values)-1)
		return p.Values[i]
	}
	// Six significant digits: exact enough for a lever, and readable in
	// points.csv and on charts.
	v := p.Min + u*(p.Max-p.Min)
	s := strconv.FormatFloat(v, 'g', 6, 64)
	if p.Unit == Days {
		return s + "d"
	}
	return s
}

// LoadSweep reads and validates a sweep file. start is used to turn dates
// into days; it is the zero time when the scenario is not yet known, and
// then dates are refused.
func LoadSweep(path string) (*Sweep, error) {
	data, err := ReadFile(path, "sweep")
	if err != nil {
		return nil, err
	}
	return ParseSweep(data, path)
}

// ParseSweep decodes a sweep file. Ranges are numbers or durations (dates
// are not accepted, since a sweep may be run over several scenarios; write
// a duration after the start instead).
func ParseSweep(data []byte, file string) (*Sweep, error) {
	root, errs := readDocument(data, file, "sweep", "scenario, design and params")
	if errs != nil {
		return nil, errs
	}
	d := newDecoder(file)
	sw := &Sweep{File: file, Trials: 4000, Seed: 1, Samples: 256, Levels: 5}
	m := d.fields(root, "", "scenario", "trials", "seed", "design", "samples", "levels", "params", "outputs")
	if m != nil {
		if n := d.require(m, root, "", "scenario", "a scenario file or built-in name"); n != nil {
			sw.Scenario, _ = d.str(n, "scenario")
		}
		if n, ok := m["trials"]; ok {
			v, _ := d.integer(n, "trials", 1, MaxTrials)
			sw.Trials = int(v)
		}
		if n, ok := m["seed"]; ok {
			v, _ := d.integer(n, "seed", 0, MaxSeed)
			sw.Seed = uint64(v)
		}
		if n := d.require(m, root, "", "design", strings.Join(Designs, ", ")); n != nil {
			if v, ok := d.str(n, "design"); ok {
				if !slices.Contains(Designs, v) {
					d.errorf(n, "design", "unknown design %q%s; %s", v, didYouMean(v, Designs), oneOf(Designs))
				}
				sw.Design = v
			}
		}
		if n, ok := m["samples"]; ok {
			v, _ := d.integer(n, "samples", 2, MaxSamples)
			sw.Samples = int(v)
		}
		if n, ok := m["levels"]; ok {
			v, _ := d.integer(n, "levels", 2, 1000)
			sw.Levels = int(v)
		}
		if n := d.require(m, root, "", "params", "a list of {path, min, max} or {path, values}"); n != nil {
			d.list(n, "params", func(item *yaml.Node, path string) {
				sw.Params = append(sw.Params, d.sweepParam(item, path))
			})
			if len(sw.Params) == 0 {
				d.errorf(n, "params", "no parameters to sweep")
			}
		}
		if n, ok := m["outputs"]; ok {
			d.list(n, "outputs", func(item *yaml.Node, path string) {
				sw.Outputs = append(sw.Outputs, d.sweepOutput(item, path))
			})
		}
	}
	seen := map[string]bool{}
	for _, p := range sw.Params {
		if seen[p.Path] {
			d.errorAt(p.Pos, "params", "%s is swept twice", p.Path)
		}
		seen[p.Path] = true
	}
	if len(d.errs) == 0 {
		if err := sw.CheckSize(); err != nil {
			d.errorf(m["design"], "design", "%v", err)
		}
	}
	if len(d.errs) > 0 {
		d.errs.Sort()
		return nil, d.errs
	}
	sum := sha256.Sum256(data)
	sw.SHA256 = hex.EncodeToString(sum[:])
	sw.Source = data
	return sw, nil
}

func (d *decoder) sweepParam(n *yaml.Node, path string) SweepParam {
	p := SweepParam{Pos: d.pos(n)}
	m := d.fields(n, path, "path", "min", "max", "values")
	if m == nil {
		return p
	}
	if v := d.require(m, n, path, "path", "a parameter path such as events.truce.renewal.probability"); v != nil {
		p.Path, _ = d.str(v, join(path, "path"))
	}
	if v, ok := m["values"]; ok {
		if _, hasMin := m["min"]; hasMin {
			d.errorf(n, path, "give either min and max, or values, not both")
		}
		vv := deref(v)
		if vv.Kind != yaml.SequenceNode || len(vv.Content) == 0 {
			d.errorf(v, join(path, "values"), "want a non-empty list of values")
			return p
		}
		for _, c := range vv.Content {
			out, err := yaml.Marshal(c)
			if err != nil {
				d.errorf(c, join(path, "values"), "%v", err)
				continue
			}
			p.Values = append(p.Values, strings.TrimSpace(string(out)))
		}
		return p
	}
	lo := d.require(m, n, path, "min", "the low end of the range")
	hi := d.require(m, n, path, "max", "the high end of the range")
	if lo == nil || hi == nil {
		return p
	}
	parse := func(v *yaml.Node, key string) (float64, Unit, bool) {
		s, ok := d.str(v, join(path, key))
		if !ok {
			return 0, Number, false
		}
		if x, err := parseNumber(s); err == nil {
			return x, Number, true
		}
		if x, err := ParseDuration(s); err == nil {
			return x, Days, true
		}
		d.errorf(v, join(path, key), "%q is neither a number nor a duration (dates: write a duration after the start, such as 3y)", s)
		return 0, Number, false
	}
	a, ua, ok1 := parse(lo, "min")
	b, ub, ok2 := parse(hi, "max")
	p.Written = [2]string{deref(lo).Value, deref(hi).Value}
	if ok1 && ok2 {
		if ua != ub {
			d.errorf(hi, join(path, "max"), "min and max must be in the same unit")
		} else if !(a < b) {
			d.errorf(hi, join(path, "max"), "max %g must exceed min %g", b, a)
		}
	}
	p.Min, p.Max, p.Unit = a, b, ua
	return p
}

func (d *decoder) sweepOutput(n *yaml.Node, path string) SweepOutput {
	o := SweepOutput{Scope: "total", ID: "all", Stat: "mean", Pos: d.pos(n), FieldPos: map[string]Pos{}}
	m := d.fields(n, path, "scope", "id", "material", "metric", "stat")
	if m == nil {
		return o
	}
	get := func(key string, dst *string, choices []string) {
		if v, ok := m[key]; ok {
			o.FieldPos[key] = d.pos(v)
			if s, ok := d.str(v, join(path, key)); ok {
				if choices != nil && !slices.Contains(choices, s) {
					d.errorf(v, join(path, key), "unknown %s %q%s; %s", key, s, didYouMean(s, choices), oneOf(choices))
				}
				*dst = s
			}
		}
	}
	// The names are the engine's: the sweep package checks them against
	// sim's scopes, metrics and statistics, with the scenario at hand.
	get("scope", &o.Scope, nil)
	get("id", &o.ID, nil)
	if v := d.require(m, n, path, "material", "a material such as dy"); v != nil {
		o.Material, _ = d.str(v, join(path, "material"))
		o.FieldPos["material"] = d.pos(v)
	}
	o.Metric = "shortfall_frac"
	get("metric", &o.Metric, nil)
	get("stat", &o.Stat, nil)
	return o
}

// MaxDesignPoints is the most design points a sweep may have: each is a
// full simulation, and the design is laid out before the first runs.
const MaxDesignPoints = 1_000_000

// DesignPoints is the number of design points (full simulations) the
// sweep makes, as a float so that a huge grid does not overflow.
func (sw *Sweep) DesignPoints() float64 {
	k := float64(len(sw.Params))
	levels := func(p SweepParam, n int) float64 {
		if len(p.Values) > 0 {
			return float64(len(p.Values))
		}
		return float64(n)
	}
	switch sw.Design {
	case "oat":
		n := 1.0
		for _, p := range sw.Params {
			n += levels(p, 2)
		}
		return n
	case "grid":
		n := 1.0
		for _, p := range sw.Params {
			n *= levels(p, sw.Levels)
		}
		return n
	case "sobol":
		return float64(sw.Samples) * (k + 2)
	case "morris":
		return float64(sw.Samples) * (k + 1)
	}
	return float64(sw.Samples)
}

// CheckSize refuses a design of more than MaxDesignPoints points, saying
// how many it would have and what lowers it.
func (sw *Sweep) CheckSize() error {
	if n := sw.DesignPoints(); n > MaxDesignPoints {
		return fmt.Errorf("a %s design of these parameters has %.4g points, each a full simulation; at most %d are supported (lower levels, samples or the parameters' values)", sw.Design, n, MaxDesignPoints)
	}
	return nil
}

// MaxSamples is the largest base sample size a sweep may ask for.
const MaxSamples = 1 << 20

// LooksLikeSweep reports whether a YAML document is a sweep file rather
// than a scenario: a mapping with a design or params and no nodes.
func LooksLikeSweep(data []byte) bool {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return false
	}
	has := func(key string) bool { return hasKey(root, key) }
	return (has("design") || has("params")) && !has("nodes")
}
