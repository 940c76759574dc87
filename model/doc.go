// Package model is the reesim scenario contract: the domain types a scenario
// file describes (materials, stages, nodes, consumers, routes and events),
// loading them from YAML, and validating them.
//
// # Units
//
// Quantities are tonnes of rare-earth oxide equivalent. Rates (capacity,
// demand, maximum stockpile release) are kept in tonnes per year, as written.
// Durations and points in time are kept in days: a duration as a length, a
// point in time as days after the scenario's Start (negative before it). A
// year is 365.25 days, a month a twelfth of that, a working day 7/5 of a day.
//
// # Errors
//
// Load and Parse report every problem in a file at once, as an [ErrorList]
// whose entries name file:line:column, the field path and what would be valid.
// Unknown fields are errors, with the nearest known name suggested. Aliases are
// followed only up to a budget, so an alias bomb is refused, not expanded.
//
// # Overrides
//
// An [Override] sets one field by a dotted parameter path
// (events.truce.renewal.probability, nodes.us-process.capacity.dy) before
// decoding, so overridden values are validated like any other.
//
// # Where things live
//
// types.go holds the scenario's types, scenario.go and decode.go decode
// them from YAML nodes, validate.go checks a decoded scenario as a whole,
// fields.go resolves override and sweep paths to uncertain values,
// override.go applies overrides, and sweep.go is the sweep file. Event
// types live together in events.go, which says what adding one takes.
//
// The package is the only importer of YAML in reesim. Values it returns are
// not modified afterwards and are safe to share between goroutines.
package model
