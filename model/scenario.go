package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
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

var eventFields = map[EventType][]string{
	ExportRestriction: {"id", "type", "probability", "region", "materials", "stages", "start", "duration", "allowed", "licence_delay", "delay_allowed"},
	TruceEvent:        {"id", "type", "probability", "suspends", "start", "duration", "allowed", "lag", "ramp", "renewal", "on_lapse"},
	BuildoutEvent:     {"id", "type", "probability", "node", "capacity", "online", "ramp", "cost"},
	OutageEvent:       {"id", "type", "probability", "nodes", "rate", "start", "duration", "loss"},
}

var eventTypes = []string{string(ExportRestriction), string(TruceEvent), string(BuildoutEvent), string(OutageEvent)}

func (d *decoder) event(n *yaml.Node, path string, s *Scenario) Event {
	out := Event{Pos: d.pos(n), Probability: FixedValue(1, Number)}
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s; want an event mapping with id and type", describe(n))
		return out
	}
	// Find the type first: it decides which fields are known.
	var typeNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == "type" {
			typeNode = deref(n.Content[i+1])
		}
	}
	if typeNode == nil {
		d.errorf(n, path, "missing field type (want one of %s)", strings.Join(eventTypes, ", "))
		return out
	}
	t := EventType(typeNode.Value)
	known, ok := eventFields[t]
	if !ok {
		d.errorf(typeNode, join(path, "type"), "unknown event type %q%s; want one of %s", typeNode.Value, didYouMean(typeNode.Value, eventTypes), strings.Join(eventTypes, ", "))
		return out
	}
	out.Type = t
	m := d.fields(n, path, known...)
	if m == nil {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]).Value; k != "id" && k != "type" {
			out.Written = append(out.Written, WrittenField{Key: k, Value: flowText(n.Content[i+1])})
		}
	}
	if v := d.require(m, n, path, "id", "a unique name such as truce"); v != nil {
		out.ID = d.id(v, join(path, "id"))
	}
	out.Probability = d.value(m, path, "probability", Number, fraction, out.Probability, false)
	switch t {
	case ExportRestriction:
		r := &Restriction{Duration: FixedValue(Forever, Days)}
		if v := d.require(m, n, path, "region", "the exporting region, such as CN"); v != nil {
			r.Region = d.id(v, join(path, "region"))
		}
		r.Materials = d.materialList(m, path, s.Materials)
		if v, ok := m["stages"]; ok {
			r.Stages = d.strings(v, join(path, "stages"))
			for _, st := range r.Stages {
				if !slices.Contains(s.Stages, st) {
					d.errorf(v, join(path, "stages"), "unknown stage %q%s; %s", st, didYouMean(st, s.Stages), oneOf(s.Stages))
				}
			}
		} else {
			r.Stages = s.Stages
		}
		r.Start = d.optValue(m, path, "start", Time, anyValue, false)
		r.Duration = d.value(m, path, "duration", Days, nonNeg, r.Duration, true)
		r.Allowed = d.byRegion(m, path, "allowed", 0)
		r.LicenceDelay = d.optValue(m, path, "licence_delay", Days, nonNeg, false)
		r.DelayAllowed = d.byRegion(m, path, "delay_allowed", 0)
		out.Restriction = r
	case TruceEvent:
		tr := &Truce{Duration: FixedValue(Forever, Days), Lag: FixedValue(0, Days), Ramp: FixedValue(0, Days)}
		if v := d.require(m, n, path, "suspends", "a list of export_restriction ids"); v != nil {
			tr.Suspends = d.strings(v, join(path, "suspends"))
		}
		if v := d.require(m, n, path, "start", "a date such as 2025-05-12"); v != nil {
			if x, ok := d.dist(v, join(path, "start"), Time, false); ok {
				tr.Start = x
			}
		}
		tr.Duration = d.value(m, path, "duration", Days, positive, tr.Duration, true)
		tr.Allowed = d.byRegion(m, path, "allowed", 1)
		tr.Lag = d.value(m, path, "lag", Days, nonNeg, tr.Lag, false)
		tr.Ramp = d.value(m, path, "ramp", Days, nonNeg, tr.Ramp, false)
		if v, ok := m["renewal"]; ok {
			p := join(path, "renewal")
			rm := d.fields(v, p, "probability", "duration", "max")
			if rm != nil {
				rn := &Renewal{Probability: FixedValue(1, Number), Duration: tr.Duration, Max: 1_000_000}
				rn.Probability = d.value(rm, p, "probability", Number, fraction, rn.Probability, false)
				rn.Duration = d.value(rm, p, "duration", Days, positive, rn.Duration, true)
				if mx, ok := rm["max"]; ok {
					x, _ := d.integer(mx, join(p, "max"), 0, 1_000_000)
					rn.Max = int(x)
				}
				tr.Renewal = rn
			}
		}
		if v, ok := m["on_lapse"]; ok {
			p := join(path, "on_lapse")
			lm := d.fields(v, p, "escalate", "probability")
			if lm != nil {
				ol := &OnLapse{Probability: FixedValue(1, Number)}
				if e := d.require(lm, v, p, "escalate", "an export_restriction id"); e != nil {
					ol.Escalate, _ = d.str(e, join(p, "escalate"))
				}
				ol.Probability = d.value(lm, p, "probability", Number, fraction, ol.Probability, false)
				tr.OnLapse = ol
			}
		}
		out.Truce = tr
	case BuildoutEvent:
		b := &Buildout{Ramp: FixedValue(0, Days)}
		if v := d.require(m, n, path, "node", "a node id"); v != nil {
			b.Node, _ = d.str(v, join(path, "node"))
		}
		if v := d.require(m, n, path, "capacity", "t/yr per material added"); v != nil {
			b.Capacity = d.perMaterial(v, join(path, "capacity"), s.Materials, Number, nonNeg)
		}
		if v := d.require(m, n, path, "online", "a date or a distribution of dates"); v != nil {
			if x, ok := d.dist(v, join(path, "online"), Time, false); ok {
				b.Online = x
			}
		}
		b.Ramp = d.value(m, path, "ramp", Days, nonNeg, b.Ramp, false)
		if v, ok := m["cost"]; ok {
			b.Cost, _ = d.number(v, join(path, "cost"))
		}
		out.Buildout = b
	case OutageEvent:
		o := &Outage{Loss: FixedValue(1, Number)}
		if v := d.require(m, n, path, "nodes", "a list of node ids"); v != nil {
			o.Nodes = d.strings(v, join(path, "nodes"))
		}
		o.Rate = d.optValue(m, path, "rate", Number, nonNeg, false)
		o.Start = d.optValue(m, path, "start", Time, anyValue, false)
		if o.Rate == nil && o.Start == nil {
			d.errorf(n, path, "an outage needs rate (occurrences per year) or start (a single occurrence)")
		}
		if v := d.require(m, n, path, "duration", "a duration or a distribution of durations"); v != nil {
			if x, ok := d.dist(v, join(path, "duration"), Days, false); ok {
				d.check(x, join(path, "duration"), nonNeg)
				o.Duration = x
			}
		}
		o.Loss = d.value(m, path, "loss", Number, fraction, o.Loss, false)
		out.Outage = o
	}
	return out
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
