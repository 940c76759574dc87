package model

import (
	"math"
	"time"
)

// Day-count constants shared by the model and the engine.
const (
	DaysPerYear  = 365.25
	DaysPerMonth = DaysPerYear / 12 // 30.4375
	// DaysPerWorkingDay converts working days to calendar days (7/5).
	DaysPerWorkingDay = 7.0 / 5.0
)

// Forever is the duration of something that never ends (+Inf days).
var Forever = math.Inf(1)

// Scenario is one validated scenario file.
type Scenario struct {
	Name        string
	Description string
	File        string // where it was loaded from
	SHA256      string // hex digest of the source bytes, before overrides
	Source      []byte // the source, before overrides
	Overrides   []Override
	Start       time.Time // t = 0
	Horizon     float64   // days; fixed and positive
	Period      Period    // reporting grid
	Trials      int       // default number of trials
	Seed        uint64    // default seed
	// RerouteAfter is how long a route must under-deliver before its
	// destination reroutes (days); nil means never.
	RerouteAfter *Dist

	Materials []string
	Stages    []string // flow order; consumers follow the last
	Nodes     []Node
	Consumers []Consumer
	Routes    []Route
	Events    []Event
	// Correlations couple the uniforms of sampled fields (docs/model.md 2).
	Correlations []Correlation

	// Warnings are non-fatal findings: things that load but are probably
	// not what the author meant.
	Warnings []string
}

// Correlation is a target rank (Spearman) correlation between two
// sampled fields, named by parameter path; a Gaussian copula on the
// fields' own uniforms realises it.
type Correlation struct {
	Between [2]string
	Rank    float64
	Pos     Pos
}

// Period is a reporting period: its name and length in days.
type Period struct {
	Name string
	Days float64
}

// Periods maps each period name to its length in days.
var Periods = map[string]float64{
	"day":     1,
	"week":    7,
	"month":   DaysPerMonth,
	"quarter": DaysPerYear / 4,
	"year":    DaysPerYear,
}

// Node is a producer at one stage in one region.
type Node struct {
	ID       string
	Stage    string
	Region   string
	Capacity map[string]Dist // t/yr per material; absent means 0
	Pos      Pos
}

// Consumer is a final user of materials (a region's magnet users, say).
type Consumer struct {
	ID     string
	Region string
	Demand map[string]Dist // t/yr at start, per material
	Growth Dist            // per year, compounded in monthly steps
	// Inventory is the initial inventory per material: Unit Tonnes, or Days
	// of demand at start.
	Inventory map[string]Dist
	// Refill is the time to rebuild inventory from empty at a constant rate
	// (days); nil means inventory is never refilled.
	Refill    *Dist
	Stockpile *Stockpile
	// Substitution is the consumer's substitution and thrifting; nil: none.
	Substitution *Substitution
	Pos          Pos
}

// Substitution is how a consumer designs a material out once it has been
// short of it long enough (docs/model.md 4.7): after After days of
// continuous shortfall (after inventory) its demand for the material falls
// by Fraction of what it would otherwise be, over Ramp, for the rest of
// the trial.
type Substitution struct {
	After    Dist            // days
	Fraction map[string]Dist // per material, 0..1
	Ramp     Dist            // days, default 0
}

// Stockpile is a strategic reserve held for a consumer.
type Stockpile struct {
	Holdings     map[string]Dist // t per material
	MaxRelease   map[string]Dist // t/yr per material; absent means no limit
	ReleaseAfter Dist            // days of continuous shortfall before release
	// Cost is USD per tonne held, per material (informational, like a
	// buildout's cost): reesim attribute weighs the reserve's cost,
	// expected holdings times cost, against the shortfall it avoids.
	Cost map[string]float64
}

// CostUSD is the stockpile's cost: each material's expected holdings
// times its cost per tonne.
func (sp *Stockpile) CostUSD() float64 {
	var c float64
	for mat, usd := range sp.Cost {
		if h, ok := sp.Holdings[mat]; ok {
			c += usd * h.ExpectedValue()
		}
	}
	return c
}

// Route is a supply relation: To sources Share of its input from From.
type Route struct {
	From, To string
	// Share per material that the route carries. Materials the route does
	// not carry are absent.
	Share map[string]float64
	// Priority is the route's request class (default 0): requests are
	// served by class, highest first, pro rata within a class, and a
	// request keeps the highest class it has passed through on its way
	// upstream.
	Priority int
	Pos      Pos
}

// Limits on trial counts and seeds, the same in scenario files, sweep
// files and on the command line.
const (
	MaxTrials = 1<<31 - 1
	MaxSeed   = 1<<63 - 1
)

// Limits on magnitudes. Every amount (capacities, demands, inventories,
// holdings, releases, in t or t/yr) and every plain number is at most
// MaxAmount in size; every duration and date at most MaxDays (except a
// duration written `forever`); beta shapes at most MaxBetaShape. A
// consumer's demand grown over the horizon stays within MaxAmount. The
// engine clamps every sample into the same limits, so an accepted scenario
// always computes in finite numbers.
const (
	MaxAmount    = 1e12
	MaxDays      = 1000 * DaysPerYear
	MaxBetaShape = 1e6
)

// Limit returns the largest magnitude a value of unit u may have, and the
// unit's name for messages.
func Limit(u Unit) (float64, string) {
	switch u {
	case Days:
		return MaxDays, "days"
	case Time:
		return MaxDays, "days from the start"
	case Tonnes:
		return MaxAmount, "t"
	}
	return MaxAmount, ""
}

// MaxOutageRate bounds an outage's rate (occurrences per year), so that
// one trial's work stays bounded.
const MaxOutageRate = 1000

// MaxPriority is the largest route priority a scenario may give.
const MaxPriority = 1000

// NodeByID returns the node with the given id.
func (s *Scenario) NodeByID(id string) (*Node, bool) {
	for i := range s.Nodes {
		if s.Nodes[i].ID == id {
			return &s.Nodes[i], true
		}
	}
	return nil, false
}

// StageIndex returns the index of a stage, or -1.
func (s *Scenario) StageIndex(stage string) int {
	for i, st := range s.Stages {
		if st == stage {
			return i
		}
	}
	return -1
}
