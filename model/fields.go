package model

import (
	"strings"
)

// Field is one value of a scenario that a trial may sample, named by its
// parameter path (docs/model.md section 6). Owner and Key name the
// random stream it draws from: owner `node:ID`, `consumer:ID`, `event:ID`
// or `scenario`, and key the field within it (by-region values are
// keyed `allowed.REGION` or `allowed.default`).
type Field struct {
	Path       string
	Owner, Key string
	Dist       Dist
}

// Field resolves a parameter path to the field it names, if the scenario
// has that field.
func (s *Scenario) Field(path string) (Field, bool) {
	parts := strings.SplitN(path, ".", 3)
	if path == "reroute_after" {
		if s.RerouteAfter == nil {
			return Field{}, false
		}
		return Field{Path: path, Owner: "scenario", Key: "reroute_after", Dist: *s.RerouteAfter}, true
	}
	if len(parts) < 3 {
		return Field{}, false
	}
	kind, id, rest := parts[0], parts[1], parts[2]
	f := Field{Path: path, Key: rest}
	var d Dist
	ok := false
	switch kind {
	case "nodes":
		f.Owner = "node:" + id
		if n, found := s.NodeByID(id); found {
			d, ok = perMat(n.Capacity, rest, "capacity.")
		}
	case "consumers":
		f.Owner = "consumer:" + id
		if c, found := s.consumerByID(id); found {
			d, ok = c.field(rest)
		}
	case "events":
		f.Owner = "event:" + id
		if e, found := s.eventByID(id); found {
			d, ok, f.Key = e.field(rest)
		}
	}
	f.Dist = d
	return f, ok
}

func perMat(m map[string]Dist, rest, prefix string) (Dist, bool) {
	mat, ok := strings.CutPrefix(rest, prefix)
	if !ok {
		return Dist{}, false
	}
	d, ok := m[mat]
	return d, ok
}

func (s *Scenario) consumerByID(id string) (*Consumer, bool) {
	for i := range s.Consumers {
		if s.Consumers[i].ID == id {
			return &s.Consumers[i], true
		}
	}
	return nil, false
}

func (s *Scenario) eventByID(id string) (*Event, bool) {
	for i := range s.Events {
		if s.Events[i].ID == id {
			return &s.Events[i], true
		}
	}
	return nil, false
}

func (c *Consumer) field(rest string) (Dist, bool) {
	switch rest {
	case "growth":
		return c.Growth, true
	case "refill":
		if c.Refill != nil {
			return *c.Refill, true
		}
		return Dist{}, false
	}
	if d, ok := perMat(c.Demand, rest, "demand."); ok {
		return d, true
	}
	if d, ok := perMat(c.Inventory, rest, "inventory."); ok {
		return d, true
	}
	if sp := c.Stockpile; sp != nil {
		if rest == "stockpile.release_after" {
			return sp.ReleaseAfter, true
		}
		if d, ok := perMat(sp.Holdings, rest, "stockpile.holdings."); ok {
			return d, true
		}
		if d, ok := perMat(sp.MaxRelease, rest, "stockpile.max_release."); ok {
			return d, true
		}
	}
	if sub := c.Substitution; sub != nil {
		switch rest {
		case "substitution.after":
			return sub.After, true
		case "substitution.ramp":
			return sub.Ramp, true
		}
		if d, ok := perMat(sub.Fraction, rest, "substitution.fraction."); ok {
			return d, true
		}
	}
	return Dist{}, false
}
