package model

import (
	"fmt"
	"math"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

var scenarioFields = []string{"name", "description", "start", "horizon", "period", "trials", "seed", "reroute_after", "materials", "stages", "nodes", "consumers", "routes", "events", "correlations"}

// DefaultStages is the stage order when a scenario does not give one.
var DefaultStages = []string{"mine", "process", "magnet"}

func (d *decoder) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{Trials: 10000, Seed: 1, Stages: DefaultStages, Period: Period{Name: "month", Days: DaysPerMonth}}
	m := d.fields(root, "", scenarioFields...)
	if m == nil {
		return s
	}
	if n, ok := m["name"]; ok {
		s.Name, _ = d.str(n, "name")
	}
	if n, ok := m["description"]; ok {
		s.Description, _ = d.str(n, "description")
	}
	if n := d.require(m, root, "", "start", "an ISO date such as 2025-05-12"); n != nil {
		if v, ok := d.str(n, "start"); ok {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				d.errorf(n, "start", "%q is not an ISO date (want a date such as 2025-05-12)", v)
			}
			s.Start, d.start = t, t
		}
	}
	if n := d.require(m, root, "", "horizon", "a duration such as 5y"); n != nil {
		if isDist(n) {
			d.errorf(n, "horizon", "the horizon must be fixed, not a distribution (the reporting grid depends on it)")
		} else if v, ok := d.dist(n, "horizon", Days, false); ok {
			if !(v.Value >= 1) || v.Value > 200*DaysPerYear {
				d.errorf(n, "horizon", "%s is not a usable horizon (want 1d to 200y)", FormatDays(v.Value))
			}
			s.Horizon = v.Value
		}
	}
	if n, ok := m["period"]; ok {
		if v, ok := d.str(n, "period"); ok {
			if days, ok := Periods[v]; ok {
				s.Period = Period{Name: v, Days: days}
			} else {
				d.errorf(n, "period", "unknown period %q%s; want one of day, week, month, quarter, year", v, didYouMean(v, []string{"day", "week", "month", "quarter", "year"}))
			}
		}
	}
	if n, ok := m["trials"]; ok {
		v, _ := d.integer(n, "trials", 1, MaxTrials)
		s.Trials = int(v)
	}
	if n, ok := m["seed"]; ok {
		v, _ := d.integer(n, "seed", 0, MaxSeed)
		s.Seed = uint64(v)
	}
	if n, ok := m["reroute_after"]; ok {
		if nn := deref(n); nn.Kind == yaml.ScalarNode && nn.Value == "never" {
			s.RerouteAfter = nil
		} else if v, ok := d.dist(n, "reroute_after", Days, false); ok {
			d.check(v, "reroute_after", nonNeg)
			s.RerouteAfter = &v
		}
	}
	if n := d.require(m, root, "", "materials", "a list such as [ndpr, dy, tb, sm]"); n != nil {
		s.Materials = d.names(n, "materials")
	}
	if n, ok := m["stages"]; ok {
		s.Stages = d.names(n, "stages")
	}
	if n := d.require(m, root, "", "nodes", "a list of nodes"); n != nil {
		d.list(n, "nodes", func(item *yaml.Node, path string) { s.Nodes = append(s.Nodes, d.node(item, path, s)) })
	}
	if n := d.require(m, root, "", "consumers", "a list of consumers"); n != nil {
		d.list(n, "consumers", func(item *yaml.Node, path string) { s.Consumers = append(s.Consumers, d.consumer(item, path, s)) })
	}
	if n := d.require(m, root, "", "routes", "a list of routes"); n != nil {
		d.list(n, "routes", func(item *yaml.Node, path string) {
			if r, ok := d.route(item, path, s); ok {
				s.Routes = append(s.Routes, r)
			}
		})
	}
	if n, ok := m["events"]; ok {
		d.list(n, "events", func(item *yaml.Node, path string) { s.Events = append(s.Events, d.event(item, path, s)) })
	}
	if n, ok := m["correlations"]; ok {
		d.list(n, "correlations", func(item *yaml.Node, path string) {
			if c, ok := d.correlation(item, path); ok {
				s.Correlations = append(s.Correlations, c)
			}
		})
	}
	return s
}

// correlation decodes {between: [PATH, PATH], rank: R}.
func (d *decoder) correlation(n *yaml.Node, path string) (Correlation, bool) {
	c := Correlation{Pos: d.pos(n)}
	m := d.fields(n, path, "between", "rank")
	if m == nil {
		return c, false
	}
	ok := true
	if b := d.require(m, n, path, "between", "two parameter paths, as in [consumers.eu-users.growth, consumers.us-users.growth]"); b != nil {
		paths := d.strings(b, join(path, "between"))
		if len(paths) != 2 || paths[0] == paths[1] {
			d.errorf(b, join(path, "between"), "want two different parameter paths, got %d", len(paths))
			ok = false
		} else {
			c.Between = [2]string{paths[0], paths[1]}
		}
	} else {
		ok = false
	}
	if r := d.require(m, n, path, "rank", "a rank correlation between -1 and 1, such as 0.8"); r != nil {
		v, good := d.number(r, join(path, "rank"))
		if good && !(v > -1 && v < 1) {
			d.errorf(r, join(path, "rank"), "rank %g is not strictly between -1 and 1 (a correlation of ±1 makes the matrix singular)", v)
			good = false
		}
		c.Rank, ok = v, ok && good
	} else {
		ok = false
	}
	return c, ok
}

// names decodes a list of unique ids.
func (d *decoder) names(n *yaml.Node, path string) []string {
	list := d.strings(n, path)
	seen := map[string]bool{}
	for i, v := range list {
		if !ValidName(v) {
			d.errorf(n, fmt.Sprintf("%s[%d]", path, i), "%.80q is not a valid name (want 1 to %d letters, digits, - and _, starting with a letter or digit)", v, MaxNameLen)
		}
		if seen[v] {
			d.errorf(n, path, "%q is listed twice", v)
		}
		seen[v] = true
	}
	if len(list) == 0 {
		d.errorf(n, path, "empty list; want at least one")
	}
	return list
}

// list calls f for each item of a sequence with its path: path[id] where
// the item has an id, path[i] otherwise.
func (d *decoder) list(n *yaml.Node, path string, f func(item *yaml.Node, path string)) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s; want a list", describe(n))
		return
	}
	for i, item := range n.Content {
		item = deref(item)
		p := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(item.Content); j += 2 {
				if deref(item.Content[j]).Value == "id" {
					if v := deref(item.Content[j+1]); v.Kind == yaml.ScalarNode && v.Value != "" {
						p = fmt.Sprintf("%s[%s]", path, v.Value)
					}
				}
			}
		}
		f(item, p)
	}
}

func (d *decoder) node(n *yaml.Node, path string, s *Scenario) Node {
	out := Node{Pos: d.pos(n)}
	m := d.fields(n, path, "id", "stage", "region", "capacity")
	if m == nil {
		return out
	}
	if v := d.require(m, n, path, "id", "a unique name such as cn-mine"); v != nil {
		out.ID = d.id(v, join(path, "id"))
	}
	if v := d.require(m, n, path, "stage", oneOf(s.Stages)); v != nil {
		if st, ok := d.str(v, join(path, "stage")); ok {
			if !slices.Contains(s.Stages, st) {
				d.errorf(v, join(path, "stage"), "unknown stage %q%s; %s", st, didYouMean(st, s.Stages), oneOf(s.Stages))
			}
			out.Stage = st
		}
	}
	if v := d.require(m, n, path, "region", "a region code such as CN"); v != nil {
		out.Region = d.id(v, join(path, "region"))
	}
	if v := d.require(m, n, path, "capacity", "t/yr per material, such as {ndpr: 1000}"); v != nil {
		out.Capacity = d.perMaterial(v, join(path, "capacity"), s.Materials, Number, nonNeg)
	}
	return out
}

func (d *decoder) consumer(n *yaml.Node, path string, s *Scenario) Consumer {
	out := Consumer{Pos: d.pos(n), Growth: FixedValue(0, Number)}
	m := d.fields(n, path, "id", "region", "demand", "growth", "inventory", "refill", "stockpile", "substitution")
	if m == nil {
		return out
	}
	if v := d.require(m, n, path, "id", "a unique name such as us-oem"); v != nil {
		out.ID = d.id(v, join(path, "id"))
	}
	if v := d.require(m, n, path, "region", "a region code such as US"); v != nil {
		out.Region = d.id(v, join(path, "region"))
	}
	if v := d.require(m, n, path, "demand", "t/yr per material, such as {ndpr: 3500}"); v != nil {
		out.Demand = d.perMaterial(v, join(path, "demand"), s.Materials, Number, nonNeg)
	}
	out.Growth = d.value(m, path, "growth", Number, aboveMinusOne, out.Growth, false)
	if v, ok := m["inventory"]; ok {
		out.Inventory = d.perMaterial(v, join(path, "inventory"), s.Materials, Tonnes, nonNeg)
	}
	out.Refill = d.optValue(m, path, "refill", Days, positive, false)
	if v, ok := m["stockpile"]; ok {
		p := join(path, "stockpile")
		sm := d.fields(v, p, "holdings", "max_release", "release_after", "cost")
		if sm != nil {
			sp := &Stockpile{ReleaseAfter: FixedValue(0, Days)}
			if h := d.require(sm, v, p, "holdings", "tonnes per material, such as {dy: 20}"); h != nil {
				sp.Holdings = d.perMaterial(h, join(p, "holdings"), s.Materials, Number, nonNeg)
			}
			if r, ok := sm["max_release"]; ok {
				sp.MaxRelease = d.perMaterial(r, join(p, "max_release"), s.Materials, Number, positive)
			}
			sp.ReleaseAfter = d.value(sm, p, "release_after", Days, nonNeg, sp.ReleaseAfter, false)
			if c, ok := sm["cost"]; ok {
				sp.Cost = map[string]float64{}
				for mat, v := range d.perMaterial(c, join(p, "cost"), s.Materials, Number, nonNeg) {
					if !v.IsFixed() {
						d.errorAt(v.Pos, join(p, "cost."+mat), "a cost is a fixed number of USD per tonne, not a distribution")
						continue
					}
					sp.Cost[mat] = v.Value
				}
			}
			out.Stockpile = sp
		}
	}
	if v, ok := m["substitution"]; ok {
		p := join(path, "substitution")
		sm := d.fields(v, p, "after", "fraction", "ramp")
		if sm != nil {
			sub := &Substitution{After: FixedValue(0, Days), Ramp: FixedValue(0, Days)}
			sub.After = d.value(sm, p, "after", Days, nonNeg, sub.After, false)
			if f := d.require(sm, v, p, "fraction", "a fraction per material, such as {dy: 0.3}"); f != nil {
				sub.Fraction = d.perMaterial(f, join(p, "fraction"), s.Materials, Number, fraction)
			}
			sub.Ramp = d.value(sm, p, "ramp", Days, nonNeg, sub.Ramp, false)
			out.Substitution = sub
		}
	}
	return out
}

func (d *decoder) route(n *yaml.Node, path string, s *Scenario) (Route, bool) {
	out := Route{Pos: d.pos(n)}
	m := d.fields(n, path, "from", "to", "share", "materials", "priority")
	if m == nil {
		return out, false
	}
	var ok bool
	if v := d.require(m, n, path, "from", "a node id"); v != nil {
		out.From, ok = d.str(v, join(path, "from"))
	}
	if v := d.require(m, n, path, "to", "a node or consumer id"); v != nil {
		out.To, _ = d.str(v, join(path, "to"))
	}
	if v, has := m["priority"]; has {
		p, _ := d.integer(v, join(path, "priority"), 0, MaxPriority)
		out.Priority = int(p)
	}
	carried := s.Materials
	if v, has := m["materials"]; has {
		carried = d.strings(v, join(path, "materials"))
		for _, mat := range carried {
			if !slices.Contains(s.Materials, mat) {
				d.errorf(v, join(path, "materials"), "unknown material %q%s; %s", mat, didYouMean(mat, s.Materials), oneOf(s.Materials))
			}
		}
	}
	out.Share = map[string]float64{}
	for _, mat := range carried {
		out.Share[mat] = math.NaN() // unspecified until validation
	}
	if v, has := m["share"]; has {
		p := join(path, "share")
		if vv := deref(v); vv.Kind == yaml.MappingNode && !isDist(vv) {
			for i := 0; i+1 < len(vv.Content); i += 2 {
				k := deref(vv.Content[i])
				if _, carriedHere := out.Share[k.Value]; !carriedHere {
					d.errorf(k, p, "material %q is not carried by this route; %s", k.Value, oneOf(carried))
					continue
				}
				if x, good := d.number(vv.Content[i+1], join(p, k.Value)); good {
					if x < 0 || x > 1 {
						d.errorf(vv.Content[i+1], join(p, k.Value), "%g is not a share (want 0..1)", x)
					}
					out.Share[k.Value] = x
				}
			}
		} else if isDist(vv) {
			d.errorf(vv, p, "a share must be fixed, not a distribution (shares into a destination must sum to 1 in every trial)")
		} else if x, good := d.number(vv, p); good {
			if x < 0 || x > 1 {
				d.errorf(vv, p, "%g is not a share (want 0..1)", x)
			}
			for mat := range out.Share {
				out.Share[mat] = x
			}
		}
	}
	return out, ok
}

// materialList decodes an event's `materials`: a list, or `all` (the default).
func (d *decoder) materialList(m map[string]*yaml.Node, path string, all []string) []string {
	v, ok := m["materials"]
	if !ok {
		return all
	}
	if vv := deref(v); vv.Kind == yaml.ScalarNode && vv.Value == "all" {
		return all
	}
	list := d.strings(v, join(path, "materials"))
	for _, mat := range list {
		if !slices.Contains(all, mat) {
			d.errorf(v, join(path, "materials"), "unknown material %q%s; %s, or all", mat, didYouMean(mat, all), oneOf(all))
		}
	}
	return list
}
