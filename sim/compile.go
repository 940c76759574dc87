package sim

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/reesim/reesim/model"
)

// stride is a row-major layout: in a table with that many columns, the
// slot of (row, col) is row*stride + col. The worker's and the
// aggregate's flat tables use two, which the plan owns: byMat, one value
// per (row, material), the rows being nodes, consumers, routes or scopes
// as each table's comment says; and byPer, one value per (cell of a byMat
// table, reporting period). Every index into those tables goes through
// them.
type stride int

// at is the slot of (row, col).
func (s stride) at(row, col int) int { return row*int(s) + col }

// byMetric lays out the aggregate's cells: one per (scope-material cell,
// metric).
const byMetric stride = nMetrics

// plan is a scenario compiled to index arrays and samplers. It is read-only
// once built and shared by all workers.
type plan struct {
	sc      *model.Scenario
	mats    []string
	nM      int
	nStages int
	horizon float64
	period  float64
	nP      int       // reporting periods (the last may be partial)
	byMat   stride    // (row, material): nM columns
	byPer   stride    // (cell, period): nP columns
	breaks  []float64 // static breakpoints in (0, horizon): periods, months
	// breakMask[i] is the set of materials whose flows can change at
	// breaks[i]: all at a month (demand steps), none at a period boundary.
	breakMask []uint64
	allMask   uint64

	nodes   []pnode
	cons    []pcons
	routes  []proute
	regions []string // all regions, sorted
	cregion []int    // consumer regions used for the region scope, indices into regions
	scopes  []scope  // consumers, then regions with consumers, then outside each restricting region, then total
	// canon[s] is the first scope with the same consumers as scope s (a
	// region of one consumer is that consumer): only those are accumulated
	// and aggregated, the others report their canonical scope's figures.
	canon []int
	// aggScopes are the canonical scopes, in order.
	aggScopes []int

	// Per material: routes grouped by destination, destinations in request
	// order (consumers, then nodes from the last stage to the second);
	// groupRoutes[m][g.start:g.end] are group g's routes.
	reqGroups    [][]group
	groupRoutes  [][]int
	nodesByStage [][]int

	mtab []mtable // per material

	events          // by type (events.go)
	pairs  [][2]int // (restriction, region) pairs whose factor routes need

	// classes are the distinct route priorities, ascending; a route's
	// request class is its index there (docs/model.md 4.3). With one class the
	// allocation skips the per-class tables.
	classes []int

	// subs is whether any consumer substitutes (docs/model.md 4.7).
	subs bool

	rerouteAfter *sampler // nil: never
	// samplers are every field's samplers by stream (owner and field),
	// and samplerOrder the streams in the order compile made them.
	samplers     map[string][]*sampler
	samplerOrder []string
	flowKeys     []FlowKey
	routeFlow    []int // per route x material: flow key index
}

type group struct {
	dest       int // node index, or len(nodes)+consumer index
	start, end int // into groupRoutes[m]
}

type scope struct {
	kind ScopeKind
	id   string
}

type pnode struct {
	id     string
	region int
	stage  int
	cap    []*sampler // per material; nil: zero
}

type pcons struct {
	id       string
	region   int
	demand   []*sampler
	growth   *sampler
	inv      []*sampler
	invDays  []bool
	refill   *sampler
	holdings []*sampler
	maxRel   []*sampler // nil: unlimited
	relAfter *sampler
	hasStock bool
	// Substitution (docs/model.md 4.7): subFrac per material, nil where
	// the consumer does not substitute it.
	subAfter, subRamp *sampler
	subFrac           []*sampler
	scopeIdx          []int // the canonical scopes of its consumer, region and total scope
}

type proute struct {
	class    int       // index into plan.classes
	from, to int       // to: node index, or len(nodes)+consumer index
	toRegion int       // destination region
	share    []float64 // per material
	carries  []bool
	pairs    [][]int // per material: indices into plan.pairs that cap it
}

func compile(sc *model.Scenario) (*plan, error) {
	p := &plan{sc: sc, mats: sc.Materials, nM: len(sc.Materials), nStages: len(sc.Stages), horizon: sc.Horizon, period: sc.Period.Days}
	if !(p.horizon > 0) || !(p.period > 0) {
		return nil, fmt.Errorf("sim: scenario %s has no usable horizon or period", sc.Name)
	}
	p.nP = max(1, int(math.Ceil(p.horizon/p.period-1e-9))) // a horizon shorter than a period has one
	p.byMat, p.byPer = stride(p.nM), stride(p.nP)
	p.allMask = ^uint64(0)
	if p.nM < 64 {
		p.allMask = 1<<p.nM - 1
	}
	masks := map[float64]uint64{}
	for k := 1; float64(k)*p.period < p.horizon-1e-9; k++ {
		masks[float64(k)*p.period] |= 0
	}
	for k := 1; float64(k)*model.DaysPerMonth < p.horizon-1e-9; k++ {
		masks[float64(k)*model.DaysPerMonth] |= p.allMask
	}
	for t := range masks {
		p.breaks = append(p.breaks, t)
	}
	slices.Sort(p.breaks)
	for _, t := range p.breaks {
		p.breakMask = append(p.breakMask, masks[t])
	}

	inf := math.Inf(1)
	regionSet := map[string]bool{}
	for _, n := range sc.Nodes {
		regionSet[n.Region] = true
	}
	for _, c := range sc.Consumers {
		regionSet[c.Region] = true
	}
	for _, e := range sc.Events {
		if e.Restriction != nil {
			regionSet[e.Restriction.Region] = true
		}
	}
	for r := range regionSet {
		p.regions = append(p.regions, r)
	}
	sort.Strings(p.regions)
	regionIdx := func(r string) int { return sort.SearchStrings(p.regions, r) }

	nodeIdx := map[string]int{}
	for i, n := range sc.Nodes {
		nodeIdx[n.ID] = i
		pn := pnode{id: n.ID, region: regionIdx(n.Region), stage: sc.StageIndex(n.Stage), cap: make([]*sampler, p.nM)}
		for m, mat := range p.mats {
			if d, ok := n.Capacity[mat]; ok {
				pn.cap[m] = p.newSampler(d, "node:"+n.ID, "capacity."+mat, 0, inf)
			}
		}
		p.nodes = append(p.nodes, pn)
	}
	nN := len(p.nodes)
	consIdx := map[string]int{}
	var cregions []string
	for _, c := range sc.Consumers {
		if !slices.Contains(cregions, c.Region) {
			cregions = append(cregions, c.Region)
		}
	}
	sort.Strings(cregions)
	for i, c := range sc.Consumers {
		consIdx[c.ID] = i
		owner := "consumer:" + c.ID
		pc := pcons{id: c.ID, region: regionIdx(c.Region), demand: make([]*sampler, p.nM), inv: make([]*sampler, p.nM), invDays: make([]bool, p.nM),
			holdings: make([]*sampler, p.nM), maxRel: make([]*sampler, p.nM)}
		pc.growth = p.newSampler(c.Growth, owner, "growth", -0.99, inf)
		for m, mat := range p.mats {
			if d, ok := c.Demand[mat]; ok {
				pc.demand[m] = p.newSampler(d, owner, "demand."+mat, 0, inf)
			}
			if d, ok := c.Inventory[mat]; ok {
				pc.inv[m] = p.newSampler(d, owner, "inventory."+mat, 0, inf)
				pc.invDays[m] = d.Unit == model.Days
			}
		}
		if c.Refill != nil {
			pc.refill = p.newSampler(*c.Refill, owner, "refill", 1e-9, inf)
		}
		if sp := c.Stockpile; sp != nil {
			pc.hasStock = true
			pc.relAfter = p.newSampler(sp.ReleaseAfter, owner, "stockpile.release_after", 0, inf)
			for m, mat := range p.mats {
				if d, ok := sp.Holdings[mat]; ok {
					pc.holdings[m] = p.newSampler(d, owner, "stockpile.holdings."+mat, 0, inf)
				}
				if d, ok := sp.MaxRelease[mat]; ok {
					pc.maxRel[m] = p.newSampler(d, owner, "stockpile.max_release."+mat, 0, inf)
				}
			}
		}
		if sub := c.Substitution; sub != nil {
			pc.subAfter = p.newSampler(sub.After, owner, "substitution.after", 0, inf)
			pc.subRamp = p.newSampler(sub.Ramp, owner, "substitution.ramp", 0, inf)
			p.subs = true
			pc.subFrac = make([]*sampler, p.nM)
			for m, mat := range p.mats {
				if d, ok := sub.Fraction[mat]; ok {
					pc.subFrac[m] = p.newSampler(d, owner, "substitution.fraction."+mat, 0, 1)
				}
			}
		}
		p.cons = append(p.cons, pc)
	}
	nC := len(p.cons)
	// members[s] is the set of consumers of scope s, as a key.
	var members []string
	set := func(in func(c int) bool) string {
		var b []byte
		for c := range nC {
			if in(c) {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
		return string(b)
	}
	for i, c := range sc.Consumers {
		p.scopes = append(p.scopes, scope{ScopeConsumer, c.ID})
		p.cregion = append(p.cregion, regionIdx(c.Region))
		members = append(members, set(func(c int) bool { return c == i }))
	}
	for _, r := range cregions {
		p.scopes = append(p.scopes, scope{ScopeRegion, r})
		members = append(members, set(func(c int) bool { return sc.Consumers[c].Region == r }))
	}
	// Outside each restricting region: every consumer elsewhere, the
	// aggregate that does not mix in the restricting country's own demand
	// (docs/model.md 5). Only where the region has consumers, and others
	// do not.
	var outside []string
	for _, e := range sc.Events {
		if r := e.Restriction; r != nil && !slices.Contains(outside, r.Region) && slices.Contains(cregions, r.Region) && len(cregions) > 1 {
			outside = append(outside, r.Region)
		}
	}
	sort.Strings(outside)
	for _, r := range outside {
		p.scopes = append(p.scopes, scope{ScopeOutside, r})
		members = append(members, set(func(c int) bool { return sc.Consumers[c].Region != r }))
	}
	p.scopes = append(p.scopes, scope{ScopeTotal, "all"})
	members = append(members, set(func(int) bool { return true }))
	for s := range p.scopes {
		cs := slices.Index(members, members[s])
		p.canon = append(p.canon, cs)
		if cs == s {
			p.aggScopes = append(p.aggScopes, s)
		}
	}
	for i, c := range sc.Consumers {
		in := []int{i, nC + slices.Index(cregions, c.Region)}
		for k, r := range outside {
			if c.Region != r {
				in = append(in, nC+len(cregions)+k)
			}
		}
		for _, s := range append(in, len(p.scopes)-1) {
			if !slices.Contains(p.cons[i].scopeIdx, p.canon[s]) {
				p.cons[i].scopeIdx = append(p.cons[i].scopeIdx, p.canon[s])
			}
		}
	}

	restrIdx, err := p.compileEvents(sc, nodeIdx)
	if err != nil {
		return nil, err
	}
	if sc.RerouteAfter != nil {
		p.rerouteAfter = p.newSampler(*sc.RerouteAfter, "scenario", "reroute_after", 0, inf)
	}

	// Routes, their restriction pairs and flow keys.
	pairIdx := map[[2]int]int{}
	flowIdx := map[FlowKey]int{}
	for _, r := range sc.Routes {
		if !slices.Contains(p.classes, r.Priority) {
			p.classes = append(p.classes, r.Priority)
		}
	}
	slices.Sort(p.classes)
	for _, r := range sc.Routes {
		from := nodeIdx[r.From]
		pr := proute{from: from, class: slices.Index(p.classes, r.Priority), share: make([]float64, p.nM), carries: make([]bool, p.nM), pairs: make([][]int, p.nM)}
		srcRegion := sc.Nodes[from].Region
		var dstRegion string
		if j, ok := nodeIdx[r.To]; ok {
			pr.to = j
			dstRegion = sc.Nodes[j].Region
		} else {
			pr.to = nN + consIdx[r.To]
			dstRegion = sc.Consumers[consIdx[r.To]].Region
		}
		pr.toRegion = regionIdx(dstRegion)
		for m, mat := range p.mats {
			sh, ok := r.Share[mat]
			if !ok {
				continue
			}
			pr.carries[m], pr.share[m] = true, sh
			if dstRegion != srcRegion {
				for _, e := range sc.Events {
					re := e.Restriction
					if re == nil || re.Region != srcRegion || !slices.Contains(re.Materials, mat) || !slices.Contains(re.Stages, sc.Nodes[from].Stage) {
						continue
					}
					key := [2]int{restrIdx[e.ID], pr.toRegion}
					pi, ok := pairIdx[key]
					if !ok {
						pi = len(p.pairs)
						pairIdx[key] = pi
						p.pairs = append(p.pairs, key)
					}
					pr.pairs[m] = append(pr.pairs[m], pi)
				}
			}
		}
		p.routes = append(p.routes, pr)
	}
	p.routeFlow = make([]int, len(p.routes)*p.nM)
	for ri, r := range p.routes {
		for m := range p.mats {
			fk := FlowKey{Stage: sc.Stages[p.nodes[r.from].stage], From: p.regions[p.nodes[r.from].region], To: p.regions[r.toRegion], Material: p.mats[m]}
			fi, ok := flowIdx[fk]
			if !ok && r.carries[m] {
				fi = len(p.flowKeys)
				flowIdx[fk] = fi
				p.flowKeys = append(p.flowKeys, fk)
			}
			p.routeFlow[ri*p.nM+m] = fi
		}
	}

	// Request order and supply order.
	p.nodesByStage = make([][]int, p.nStages)
	for i, n := range p.nodes {
		p.nodesByStage[n.stage] = append(p.nodesByStage[n.stage], i)
	}
	p.reqGroups = make([][]group, p.nM)
	order := make([]int, 0, nC+nN)
	for c := range p.cons {
		order = append(order, nN+c)
	}
	for k := p.nStages - 1; k >= 1; k-- {
		order = append(order, p.nodesByStage[k]...)
	}
	p.groupRoutes = make([][]int, p.nM)
	for m := range p.mats {
		for _, dest := range order {
			g := group{dest: dest, start: len(p.groupRoutes[m])}
			for ri, r := range p.routes {
				if r.to == dest && r.carries[m] {
					p.groupRoutes[m] = append(p.groupRoutes[m], ri)
				}
			}
			if g.end = len(p.groupRoutes[m]); g.end > g.start {
				p.reqGroups[m] = append(p.reqGroups[m], g)
			}
		}
	}
	p.mtab = make([]mtable, p.nM)
	for m := range p.mats {
		p.mtab[m] = p.buildTable(m)
	}
	if err := p.buildCopulas(sc); err != nil {
		return nil, err
	}
	return p, nil
}

// mtable lays out one material's routes in flat arrays for the allocation
// passes. Positions are in request order: grouped by destination, the
// destinations as in reqGroups.
type mtable struct {
	pos     []routePos // each position's fixed facts
	share   []float64  // pos[k].share, contiguous for the group views
	pairOff []int32    // restriction pairs of position k: pairIdx[pairOff[k]:pairOff[k+1]]
	pairIdx []int32
	// twoPairs says every position has at most two restriction pairs, so
	// routePos.pair2 holds all of them: the request pass reads them
	// without a loop.
	twoPairs bool
	groups   []group // position ranges per destination
	alt      []bool  // per group: the destination has more than one route
	// supG[k] is the range [lo, hi) of the groups whose routes leave stage
	// k: request order is by destination stage, last first, so each source
	// stage's groups are contiguous.
	supG [][2]int32
}

// routePos is one route position's fixed facts, together, as the passes
// read them.
type routePos struct {
	share       float64
	from, class int32    // source node, request class
	route       int32    // global route index
	pair2       [2]int32 // its first two restriction pairs (-1: none)
	alt         bool     // its group has more than one route
}

func (p *plan) buildTable(m int) mtable {
	var t mtable
	for _, g := range p.reqGroups[m] {
		ng := group{dest: g.dest, start: len(t.pos)}
		for _, ri := range p.groupRoutes[m][g.start:g.end] {
			r := &p.routes[ri]
			rp := routePos{share: r.share[m], from: int32(r.from), class: int32(r.class), route: int32(ri), pair2: [2]int32{-1, -1}}
			t.pairOff = append(t.pairOff, int32(len(t.pairIdx)))
			for i, pi := range r.pairs[m] {
				t.pairIdx = append(t.pairIdx, int32(pi))
				if i < 2 {
					rp.pair2[i] = int32(pi)
				}
			}
			t.pos = append(t.pos, rp)
			t.share = append(t.share, rp.share)
		}
		ng.end = len(t.pos)
		t.groups = append(t.groups, ng)
		alt := ng.end-ng.start > 1
		t.alt = append(t.alt, alt)
		for k := ng.start; k < ng.end; k++ {
			t.pos[k].alt = alt
		}
	}
	t.pairOff = append(t.pairOff, int32(len(t.pairIdx)))
	t.twoPairs = true
	for k := range t.pos {
		t.twoPairs = t.twoPairs && t.pairOff[k+1]-t.pairOff[k] <= 2
	}
	t.supG = make([][2]int32, p.nStages)
	for k := range p.nStages {
		lo, hi, n := int32(len(t.groups)), int32(0), 0
		for gi, g := range t.groups {
			if g.end > g.start && p.nodes[t.pos[g.start].from].stage == k {
				lo, hi, n = min(lo, int32(gi)), max(hi, int32(gi)+1), n+1
			}
		}
		if n == 0 {
			continue
		}
		if int(hi-lo) != n {
			panic("sim: groups fed from a stage are not contiguous in request order")
		}
		t.supG[k] = [2]int32{lo, hi}
	}
	return t
}

// bit is material m's bit in a mask; materials beyond 64 share the top bit.
func bit(m int) uint64 {
	return 1 << min(m, 63)
}

// regionSampler draws a by-region value: a region's own entry has its own
// key; every region on the default shares one draw.
func (p *plan) regionSampler(b model.ByRegion, region, owner, field string) *sampler {
	if d, ok := b.Region[region]; ok {
		return p.newSampler(d, owner, field+"."+region, 0, 1)
	}
	return p.newSampler(b.Default, owner, field+".default", 0, 1)
}

// newSampler makes a field's sampler and records it under its stream, so
// that correlations can find it (several samplers may share a stream: a
// by-region default drawn for each region).
func (p *plan) newSampler(d model.Dist, owner, field string, lo, hi float64) *sampler {
	s := newSampler(d, owner, field, lo, hi)
	if p.samplers == nil {
		p.samplers = map[string][]*sampler{}
	}
	k := owner + " " + field
	if p.samplers[k] == nil {
		p.samplerOrder = append(p.samplerOrder, k)
	}
	p.samplers[k] = append(p.samplers[k], s)
	return s
}
