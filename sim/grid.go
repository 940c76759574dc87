package sim

import (
	"fmt"
	"slices"

	"github.com/reesim/reesim/model"
)

// GridCellBytes is the memory one reporting-grid cell (period x scope x
// material) takes once many trials have run: its fan-chart histogram.
const GridCellBytes = 10_000

// gridCellsWarn is the number of cells above which the reporting grid's
// memory deserves a warning (about 200 MB).
const gridCellsWarn = 20_000

// Grid is a scenario's reporting grid as the engine keeps it: a fan-chart
// histogram for every period, aggregated scope and material. Scopes count
// as the engine aggregates them: each consumer, each region of two or
// more consumers, the consumers outside each restricting region where
// they are not all of them, and the total.
type Grid struct {
	Periods, Scopes, Materials int
}

// GridOf returns the reporting grid of a validated scenario.
func GridOf(sc *model.Scenario) (Grid, error) {
	p, err := compile(sc)
	if err != nil {
		return Grid{}, err
	}
	return p.grid(), nil
}

func (p *plan) grid() Grid { return Grid{Periods: p.nP, Scopes: len(p.aggScopes), Materials: p.nM} }

// Cells is the number of cells.
func (g Grid) Cells() int { return g.Periods * g.Scopes * g.Materials }

// Bytes estimates the memory the grid takes in a run of many trials
// (GridCellBytes a cell), for a limit such as reesim run --max-memory.
func (g Grid) Bytes() float64 { return float64(g.Cells()) * GridCellBytes }

// warning is the grid's memory warning, or "" for a grid that is small
// enough.
func (g Grid) warning(period string) string {
	if g.Cells() <= gridCellsWarn {
		return ""
	}
	return fmt.Sprintf("period %s over the horizon makes %d periods x %d scopes x %d materials = %d fan-chart cells; each keeps a histogram of about 10 KB once many trials have run (about %.0f MB), so a longer period saves memory",
		period, g.Periods, g.Scopes, g.Materials, g.Cells(), g.Bytes()/1e6)
}

// Warnings returns what the engine would warn about a validated scenario
// beyond its own sc.Warnings: a reporting grid whose histograms take
// hundreds of megabytes. Run adds the same to its Result's warnings.
func Warnings(sc *model.Scenario) []string {
	p, err := compile(sc)
	if err != nil {
		return nil
	}
	return p.warnings()
}

func (p *plan) warnings() []string {
	if w := p.grid().warning(p.sc.Period.Name); w != "" && !slices.Contains(p.sc.Warnings, w) {
		return []string{w}
	}
	return nil
}

// Scope is one set of consumers the engine reports on: a consumer, a
// region, the consumers outside a restricting region, or all of them
// (Kind ScopeTotal, ID "all").
type Scope struct {
	Kind ScopeKind
	ID   string
}

// ScopesOf lists a validated scenario's scopes in report order:
// consumers, regions, outside each restricting region, the total.
func ScopesOf(sc *model.Scenario) ([]Scope, error) {
	p, err := compile(sc)
	if err != nil {
		return nil, err
	}
	out := make([]Scope, len(p.scopes))
	for i, s := range p.scopes {
		out[i] = Scope{s.kind, s.id}
	}
	return out, nil
}
