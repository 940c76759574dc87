package model

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Event types, in one file: a scenario event's Go types, its YAML fields
// and decoding, its validation and how an override path reaches its
// uncertain values (docs/model.md 3, 4.6, 7). To add an event type, add
// it here: its EventType constant and struct, a field of Event, its
// entry in eventFields, a case in decoder.event, validateEvents and
// Event.field. Elsewhere only the checks that span the whole network
// read a type's fields: warnIdleCapacity counts a buildout's capacity
// where it asks which capacity can ever matter. The engine's side is
// sim's events.go.

// EventType names the kinds of event.
type EventType string

// The event types of docs/model.md section 3.
const (
	ExportRestriction EventType = "export_restriction"
	TruceEvent        EventType = "truce"
	BuildoutEvent     EventType = "buildout"
	OutageEvent       EventType = "outage"
)

// Event is one uncertain event. Exactly one of the typed parts is set,
// according to Type.
type Event struct {
	ID          string
	Type        EventType
	Probability Dist // chance it happens at all in a trial

	Restriction *Restriction
	Truce       *Truce
	Buildout    *Buildout
	Outage      *Outage
	Pos         Pos
	// Written holds the event's fields other than id and type as the
	// scenario wrote them (after overrides, aliases followed), in order:
	// for reports, which should show "online: {dist: pert, min:
	// 2026-06-01, ...}" and "ramp: 0.5y", not days after the start.
	Written []WrittenField
}

// WrittenField is one field of a scenario as written: its key and its value as
// one line of YAML flow syntax.
type WrittenField struct {
	Key, Value string
}

// ByRegion is a value that may differ by destination region.
type ByRegion struct {
	Default Dist
	Region  map[string]Dist
}

// For returns the value for destination region r.
func (b ByRegion) For(r string) Dist {
	if d, ok := b.Region[r]; ok {
		return d
	}
	return b.Default
}

// Restriction is an export restriction on routes leaving Region.
type Restriction struct {
	Region    string
	Materials []string // covered materials (all when the file says `all`)
	Stages    []string // covered source stages (all by default)
	// Start is when it takes force (days after start); nil when it starts
	// only as a truce's escalation.
	Start        *Dist
	Duration     Dist // days; Forever by default
	Allowed      ByRegion
	LicenceDelay *Dist // days; nil means none
	DelayAllowed ByRegion
}

// Truce suspends restrictions while it holds.
type Truce struct {
	Suspends []string
	Start    Dist
	Duration Dist
	Allowed  ByRegion
	Lag      Dist
	Ramp     Dist
	Renewal  *Renewal
	OnLapse  *OnLapse
}

// Renewal says how a truce is renewed at each expiry.
type Renewal struct {
	Probability Dist
	Duration    Dist
	Max         int
}

// OnLapse names a restriction that may start when a truce lapses.
type OnLapse struct {
	Escalate    string
	Probability Dist
}

// Buildout adds capacity to a node.
type Buildout struct {
	Node     string
	Capacity map[string]Dist // t/yr per material
	Online   Dist            // when it starts (days after start)
	Ramp     Dist            // days to full capacity
	Cost     float64         // USD, informational
}

// Outage removes a fraction of some nodes' capacity for a while.
type Outage struct {
	Nodes    []string
	Rate     *Dist // occurrences per year; nil means once, at Start
	Start    *Dist // first possible time (days); nil means 0
	Duration Dist
	Loss     Dist
}

// eventFields are the fields each event type may have, as written.
var eventFields = map[EventType][]string{
	ExportRestriction: {"id", "type", "probability", "region", "materials", "stages", "start", "duration", "allowed", "licence_delay", "delay_allowed"},
	TruceEvent:        {"id", "type", "probability", "suspends", "start", "duration", "allowed", "lag", "ramp", "renewal", "on_lapse"},
	BuildoutEvent:     {"id", "type", "probability", "node", "capacity", "online", "ramp", "cost"},
	OutageEvent:       {"id", "type", "probability", "nodes", "rate", "start", "duration", "loss"},
}

// eventTypes are the valid values of an event's type, for errors.
var eventTypes = []string{string(ExportRestriction), string(TruceEvent), string(BuildoutEvent), string(OutageEvent)}

// event decodes one event at path, by its type.
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

// validateEvents checks what each event refers to and the values its type
// allows: nodes, restrictions, escalation chains and ranges.
func validateEvents(d *decoder, s *Scenario, nodeIDs, restrictionIDs []string) {
	escalated := map[string]bool{}
	for _, e := range s.Events {
		if e.Truce != nil && e.Truce.OnLapse != nil {
			escalated[e.Truce.OnLapse.Escalate] = true
		}
	}
	regions := map[string]bool{}
	for _, n := range s.Nodes {
		regions[n.Region] = true
	}
	for _, e := range s.Events {
		path := "events[" + e.ID + "]"
		switch {
		case e.Restriction != nil:
			r := e.Restriction
			if r.Start == nil && !escalated[e.ID] {
				d.errorAt(e.Pos, path+".start", "missing start (only a restriction named in a truce's on_lapse.escalate may omit it)")
			}
			if !regions[r.Region] {
				s.Warnings = append(s.Warnings, fmt.Sprintf("event %s restricts exports from region %s, where there are no nodes", e.ID, r.Region))
			}
		case e.Truce != nil:
			for _, id := range e.Truce.Suspends {
				if !slices.Contains(restrictionIDs, id) {
					d.errorAt(e.Pos, path+".suspends", "no export_restriction %q%s; %s", id, didYouMean(id, restrictionIDs), oneOf(restrictionIDs))
				}
			}
			if ol := e.Truce.OnLapse; ol != nil && !slices.Contains(restrictionIDs, ol.Escalate) {
				d.errorAt(e.Pos, path+".on_lapse.escalate", "no export_restriction %q%s; %s", ol.Escalate, didYouMean(ol.Escalate, restrictionIDs), oneOf(restrictionIDs))
			}
		case e.Buildout != nil:
			b := e.Buildout
			if !slices.Contains(nodeIDs, b.Node) {
				d.errorAt(e.Pos, path+".node", "no node %q%s", b.Node, didYouMean(b.Node, nodeIDs))
			}
			if lo, _ := b.Online.Support(); lo >= s.Horizon {
				s.Warnings = append(s.Warnings, fmt.Sprintf("buildout %s comes online after the horizon in every trial, so it can never matter", e.ID))
			}
		case e.Outage != nil:
			for _, id := range e.Outage.Nodes {
				if !slices.Contains(nodeIDs, id) {
					d.errorAt(e.Pos, path+".nodes", "no node %q%s", id, didYouMean(id, nodeIDs))
				}
			}
			if r := e.Outage.Rate; r != nil {
				if _, hi := r.Support(); hi > MaxOutageRate {
					d.errorAt(r.Pos, path+".rate", "%s can reach %g occurrences per year; at most %d are supported (each is simulated)", r, hi, MaxOutageRate)
				}
			}
		}
	}
}

// field resolves an event's field and its stream key: a by-region value's
// default (written as the field itself or FIELD.default) is keyed
// FIELD.default, a region's own value FIELD.REGION.
func (e *Event) field(rest string) (Dist, bool, string) {
	if rest == "probability" {
		return e.Probability, true, rest
	}
	byRegion := func(b ByRegion, name string) (Dist, bool, string) {
		if rest == name || rest == name+".default" {
			return b.Default, true, name + ".default"
		}
		if region, ok := strings.CutPrefix(rest, name+"."); ok {
			d, ok := b.Region[region]
			return d, ok, rest
		}
		return Dist{}, false, rest
	}
	opt := func(d *Dist) (Dist, bool, string) {
		if d == nil {
			return Dist{}, false, rest
		}
		return *d, true, rest
	}
	switch {
	case e.Restriction != nil:
		r := e.Restriction
		switch {
		case rest == "duration":
			return r.Duration, true, rest
		case rest == "start":
			return opt(r.Start)
		case rest == "licence_delay":
			return opt(r.LicenceDelay)
		case strings.HasPrefix(rest, "allowed"):
			return byRegion(r.Allowed, "allowed")
		case strings.HasPrefix(rest, "delay_allowed"):
			return byRegion(r.DelayAllowed, "delay_allowed")
		}
	case e.Truce != nil:
		t := e.Truce
		switch rest {
		case "start":
			return t.Start, true, rest
		case "duration":
			return t.Duration, true, rest
		case "lag":
			return t.Lag, true, rest
		case "ramp":
			return t.Ramp, true, rest
		case "renewal.probability", "renewal.duration":
			if t.Renewal == nil {
				return Dist{}, false, rest
			}
			if rest == "renewal.probability" {
				return t.Renewal.Probability, true, rest
			}
			return t.Renewal.Duration, true, rest
		case "on_lapse.probability":
			if t.OnLapse == nil {
				return Dist{}, false, rest
			}
			return t.OnLapse.Probability, true, rest
		}
		if strings.HasPrefix(rest, "allowed") {
			return byRegion(t.Allowed, "allowed")
		}
	case e.Buildout != nil:
		b := e.Buildout
		switch rest {
		case "online":
			return b.Online, true, rest
		case "ramp":
			return b.Ramp, true, rest
		}
		d, ok := perMat(b.Capacity, rest, "capacity.")
		return d, ok, rest
	case e.Outage != nil:
		o := e.Outage
		switch rest {
		case "duration":
			return o.Duration, true, rest
		case "loss":
			return o.Loss, true, rest
		case "rate":
			return opt(o.Rate)
		case "start":
			return opt(o.Start)
		}
	}
	return Dist{}, false, rest
}
