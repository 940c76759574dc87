// Package sim is reesim's Monte Carlo engine: it compiles a validated
// model.Scenario, simulates trials and aggregates their results.
//
// # Model
//
// Each trial draws every uncertain value of the scenario, then runs the
// supply chain through time. Flows are piecewise constant: the engine
// finds each instant at which an input or a state changes regime (a demand
// step, a restriction, a truce's lag, ramp or lapse, a buildout ramp step,
// an outage, an inventory running dry, a stockpile starting or emptying, a
// reroute clock running out) and recomputes the allocation there, for the
// materials affected only. docs/model.md states the semantics in full.
//
// # Randomness and determinism
//
// Every draw comes from a PCG stream (math/rand/v2) seeded by SplitMix64
// from (seed, trial, owner, field), and values are drawn by inversion, one
// uniform per value; so a trial's draws do not depend on other trials, on
// the order of the scenario file, or on other parameters (common random
// numbers for sensitivity sweeps).
//
// Aggregates are exact: integer-count histograms, 128-bit fixed-point sums
// of each metric value and 256-bit sums of their squares, and, for period
// series, utilisation and flows, fixed-point sums of floating-point partial
// sums over fixed blocks of BlockSize trials. Results are therefore
// bit-identical for any number of workers, and runs split at block
// boundaries merge to the same bytes.
//
// # Accuracy
//
// Means, standard deviations and standard errors come from exact sums.
// Quantiles and CVaR95 come from histograms with 128 bins per octave: each
// is within QuantileRelErr (0.39 %) of the exact empirical quantile of the
// same trials; minima and maxima are exact.
//
// # Where things live
//
// compile.go turns a scenario into a plan: index arrays, per-material
// route tables (mtable), samplers, scopes, and the strides of every flat
// table (stride: byMat, byPer, byMetric). trial.go is a worker: sample
// draws a trial's values, schedule lays out its breakpoints, evaluate
// sets capacities, restriction factors and demands on a segment, and run
// walks the segments. alloc.go is the allocation of docs/model.md 4.2-4.4:
// ordinary requests, supply, and rerouting to its fixed point, over one
// routeFlow per route position. agg.go and hist.go aggregate trials
// exactly; run.go runs blocks of trials on workers and builds the Result;
// part.go, pair.go and records.go are shards, paired runs and per-trial
// records; grid.go is the reporting grid and the scopes.
//
// Each event type is one file: event_restriction.go, event_truce.go,
// event_buildout.go, event_outage.go. A file holds the type's compiled
// form, its state in a trial, its draws, its instants and its effect.
// events.go is the only code that lists the types. To add an event type:
// its YAML fields, types and validation in model; here, a file like the
// others and a line for it in each function of events.go (compileEvents,
// newEventState, sampleEvents, scheduleEvents, applyEvents and
// eventSamplers, which gives records its occurrence).
//
// To add a metric: a constant before nMetrics in agg.go, its name in
// result.go (metricNames ties the two; DistMetrics if it gets quantiles),
// its per-trial total in run's integration, and its value in
// block.addScope; then its words and unit in output (MetricWords,
// MetricUnit) and its definition in docs/model.md section 5.
//
// A chart is the plots package's: a function returning a plots.Chart
// (name, title, caption, drawing), listed in plots.Charts.
//
// # Concurrency
//
// Run uses a fixed pool of workers over blocks of trials, each with its own
// streams and scratch memory. A worker folds each finished block into the
// run's one aggregate under a lock, so memory does not grow with the
// number of workers. Run returns once every goroutine has exited. A Result
// is not modified after Run returns.
package sim
