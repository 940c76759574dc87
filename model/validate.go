package model

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// shareTolerance is how far shares into a destination may sum from 1.
const shareTolerance = 1e-6

// validate checks what spans fields: references, the flow graph and shares.
func validate(d *decoder, s *Scenario) {
	ids := map[string]Pos{}
	var nodeIDs, consumerIDs, eventIDs, restrictionIDs []string
	for _, n := range s.Nodes {
		if p, dup := ids[n.ID]; dup {
			d.errorAt(n.Pos, "nodes["+n.ID+"].id", "id %q is already used at line %d (node and consumer ids must be unique)", n.ID, p.Line)
		}
		ids[n.ID] = n.Pos
		nodeIDs = append(nodeIDs, n.ID)
	}
	for _, c := range s.Consumers {
		if p, dup := ids[c.ID]; dup {
			d.errorAt(c.Pos, "consumers["+c.ID+"].id", "id %q is already used at line %d (node and consumer ids must be unique)", c.ID, p.Line)
		}
		ids[c.ID] = c.Pos
		consumerIDs = append(consumerIDs, c.ID)
	}
	validateGrowth(d, s)
	evPos := map[string]Pos{}
	for _, e := range s.Events {
		if p, dup := evPos[e.ID]; dup {
			d.errorAt(e.Pos, "events["+e.ID+"].id", "id %q is already used at line %d (event ids must be unique)", e.ID, p.Line)
		}
		evPos[e.ID] = e.Pos
		eventIDs = append(eventIDs, e.ID)
		if e.Type == ExportRestriction {
			restrictionIDs = append(restrictionIDs, e.ID)
		}
	}
	nodeStage := map[string]int{}
	for _, n := range s.Nodes {
		nodeStage[n.ID] = s.StageIndex(n.Stage)
	}
	isConsumer := map[string]bool{}
	for _, c := range consumerIDs {
		isConsumer[c] = true
	}
	last := len(s.Stages) - 1
	seenRoute := map[[2]string][]int{}
	for i, r := range s.Routes {
		path := fmt.Sprintf("routes[%d]", i)
		k, fromNode := nodeStage[r.From]
		switch {
		case isConsumer[r.From]:
			d.errorAt(r.Pos, path+".from", "%q is a consumer; routes run from a node to the next stage or to a consumer", r.From)
			continue
		case !fromNode:
			d.errorAt(r.Pos, path+".from", "no node %q%s", r.From, didYouMean(r.From, nodeIDs))
			continue
		}
		// Two routes may join one pair of nodes when their materials do
		// not overlap.
		pair := [2]string{r.From, r.To}
		for _, j := range seenRoute[pair] {
			var both []string
			for _, m := range s.Materials {
				_, a := r.Share[m]
				_, b := s.Routes[j].Share[m]
				if a && b {
					both = append(both, m)
				}
			}
			if len(both) > 0 {
				d.errorAt(r.Pos, path, "duplicates routes[%d] (%s -> %s) for %s; two routes between the same nodes must carry different materials (set materials on each, or give one route a per-material share)", j, r.From, r.To, strings.Join(both, ", "))
			}
		}
		seenRoute[pair] = append(seenRoute[pair], i)
		switch kt, toNode := nodeStage[r.To]; {
		case isConsumer[r.To]:
			if k != last {
				d.errorAt(r.Pos, path, "%s is a %s node, but only %s nodes deliver to consumers (want a route to a %s node)", r.From, s.Stages[k], s.Stages[last], s.Stages[k+1])
			}
		case toNode:
			if kt != k+1 {
				want := "a consumer"
				if k < last {
					want = "a " + s.Stages[k+1] + " node"
				}
				d.errorAt(r.Pos, path, "%s (%s) -> %s (%s) skips or reverses a stage; from a %s node, want %s", r.From, s.Stages[k], r.To, s.Stages[kt], s.Stages[k], want)
			}
		default:
			d.errorAt(r.Pos, path+".to", "no node or consumer %q%s", r.To, didYouMean(r.To, append(append([]string{}, nodeIDs...), consumerIDs...)))
		}
	}
	if len(d.errs) > 0 {
		return
	}
	validateShares(d, s)
	validateEvents(d, s, nodeIDs, restrictionIDs)
	warnIdleCapacity(s, nodeStage)
	validateCorrelations(d, s)
}

// warnIdleCapacity warns about capacity that can never matter
// (docs/model.md 4.4): a node's or a buildout's capacity for a material
// that no feed can reach (no upstream capacity for it along any route,
// ordinary or backup), whose output no route can carry to a consumer that
// demands it, or that only share-0 routes connect to consumers while
// rerouting is off. stage maps each node to its stage index.
// validateGrowth refuses demand that growth would carry beyond MaxAmount
// within the horizon, judged at each distribution's high end (a normal's
// mean + 3 sd, a lognormal's or exponential's 90th percentile; the engine
// clamps the rarer values beyond).
func validateGrowth(d *decoder, s *Scenario) {
	years := s.Horizon / DaysPerYear
	for _, c := range s.Consumers {
		g := 1 + highEnd(c.Growth)
		for _, mat := range s.Materials {
			dem, ok := c.Demand[mat]
			if !ok {
				continue
			}
			hi := highEnd(dem)
			if grown := hi * math.Pow(g, years); !(grown <= MaxAmount) {
				d.errorAt(c.Growth.Pos, "consumers["+c.ID+"].growth", "demand for %s grows to %.3g t/yr by the horizon (%.4g t/yr at %+.4g%%/yr over %s); the limit is %g t/yr: lower the growth or the horizon", mat, grown, hi, 100*(g-1), FormatDays(s.Horizon), float64(MaxAmount))
				break
			}
		}
	}
}

// highEnd is the value a distribution stays below in all but rare trials.
func highEnd(v Dist) float64 {
	switch v.Kind {
	case Normal:
		if v.HasMax {
			return v.Max
		}
		return v.Mean + 3*v.SD
	case LogNormal:
		return math.Exp(v.Mu + z90*v.Sigma)
	case Exponential:
		return v.Mean * math.Ln10
	}
	_, hi := v.Support()
	return hi
}

func warnIdleCapacity(s *Scenario, stage map[string]int) {
	nonZero := func(d Dist) bool { return !(d.IsFixed() && d.Value == 0) }
	demands := map[string]map[string]bool{}
	for _, c := range s.Consumers {
		demands[c.ID] = map[string]bool{}
		for m, d := range c.Demand {
			demands[c.ID][m] = nonZero(d)
		}
	}
	for _, m := range s.Materials {
		// has: the node can have capacity for m at all.
		has := map[string]bool{}
		for _, n := range s.Nodes {
			if d, ok := n.Capacity[m]; ok && nonZero(d) {
				has[n.ID] = true
			}
		}
		for _, e := range s.Events {
			if b := e.Buildout; b != nil {
				if d, ok := b.Capacity[m]; ok && nonZero(d) {
					has[b.Node] = true
				}
			}
		}
		var routes []Route
		for _, r := range s.Routes {
			if _, ok := r.Share[m]; ok {
				routes = append(routes, r)
			}
		}
		// fed: some chain of nodes with capacity for m reaches it from a
		// mine. Routes go one stage down, so one sweep per stage settles it.
		fed := map[string]bool{}
		for _, n := range s.Nodes {
			fed[n.ID] = has[n.ID] && stage[n.ID] == 0
		}
		for range s.Stages {
			for _, r := range routes {
				if fed[r.From] && has[r.To] {
					fed[r.To] = true
				}
			}
		}
		// out: some chain of routes and nodes with capacity for m carries
		// its output to a consumer demanding m; asked: the same through
		// routes of positive share only, which is all that carries
		// requests without rerouting.
		out, asked := map[string]bool{}, map[string]bool{}
		for range s.Stages {
			for _, r := range routes {
				toConsumer := demands[r.To][m]
				if toConsumer || has[r.To] && out[r.To] {
					out[r.From] = true
				}
				if r.Share[m] > 0 && (toConsumer || has[r.To] && asked[r.To]) {
					asked[r.From] = true
				}
			}
		}
		why := func(node string) string {
			switch {
			case !fed[node]:
				return fmt.Sprintf("no feed can reach it: no chain of routes from a mine with %s capacity, through nodes with %s capacity, leads into %s", m, m, node)
			case !out[node]:
				return fmt.Sprintf("no route carries %s's %s on to a consumer that demands it", node, m)
			case s.RerouteAfter == nil && !asked[node]:
				return fmt.Sprintf("only share-0 routes lead from %s towards consumers, and reroute_after is never, so it is never asked for %s", node, m)
			}
			return ""
		}
		for _, n := range s.Nodes {
			if d, ok := n.Capacity[m]; ok && nonZero(d) {
				if w := why(n.ID); w != "" {
					s.Warnings = append(s.Warnings, fmt.Sprintf("node %s: its %s capacity can never matter: %s", n.ID, m, w))
				}
			}
		}
		for _, e := range s.Events {
			if b := e.Buildout; b != nil {
				if d, ok := b.Capacity[m]; ok && nonZero(d) {
					if w := why(b.Node); w != "" {
						s.Warnings = append(s.Warnings, fmt.Sprintf("buildout %s: its %s capacity at %s can never matter: %s", e.ID, m, b.Node, w))
					}
				}
			}
		}
	}
}

func validateShares(d *decoder, s *Scenario) {
	into := map[string][]int{}
	for i, r := range s.Routes {
		into[r.To] = append(into[r.To], i)
	}
	dests := make([]string, 0, len(into))
	for k := range into {
		dests = append(dests, k)
	}
	sort.Strings(dests)
	for _, c := range s.Consumers {
		for _, m := range s.Materials {
			dm, ok := c.Demand[m]
			if !ok || (dm.IsFixed() && dm.Value == 0) {
				continue
			}
			carried := false
			for _, i := range into[c.ID] {
				if _, ok := s.Routes[i].Share[m]; ok {
					carried = true
				}
			}
			if !carried {
				d.errorAt(c.Pos, "consumers["+c.ID+"].demand."+m, "%s demands %s but no route delivers %s to it (add a route from a %s node)", c.ID, m, m, s.Stages[len(s.Stages)-1])
			}
		}
	}
	for _, dest := range dests {
		for _, m := range s.Materials {
			var routes []int
			for _, i := range into[dest] {
				if _, ok := s.Routes[i].Share[m]; ok {
					routes = append(routes, i)
				}
			}
			if len(routes) == 0 {
				continue
			}
			if len(routes) == 1 {
				r := &s.Routes[routes[0]]
				if math.IsNaN(r.Share[m]) {
					r.Share[m] = 1
				}
				if r.Share[m] != 1 {
					d.errorAt(r.Pos, fmt.Sprintf("routes[%d].share", routes[0]), "the only route bringing %s to %s has share %g; want 1 (or add the other routes)", m, dest, r.Share[m])
				}
				continue
			}
			var sum float64
			missing := false
			var parts []string
			for _, i := range routes {
				sh := s.Routes[i].Share[m]
				if math.IsNaN(sh) {
					d.errorAt(s.Routes[i].Pos, fmt.Sprintf("routes[%d].share", i), "%s has %d routes bringing %s; each needs a share", dest, len(routes), m)
					missing = true
					continue
				}
				sum += sh
				parts = append(parts, fmt.Sprintf("%s %g", s.Routes[i].From, sh))
			}
			if missing {
				continue
			}
			// The slack keeps shares written to six decimals (0.333333 x 3,
			// 1e-6 short of 1) within the documented tolerance despite
			// rounding in their sum.
			if math.Abs(sum-1) > shareTolerance*(1+1e-6) {
				d.errorAt(s.Routes[routes[0]].Pos, "routes", "shares of %s into %s sum to %g (%s); want 1", m, dest, sum, strings.Join(parts, " + "))
				continue
			}
			if sum != 1 {
				for _, i := range routes {
					s.Routes[i].Share[m] /= sum
				}
			}
		}
	}
}
