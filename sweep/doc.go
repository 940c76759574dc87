// Package sweep holds sensitivity-analysis designs and estimators. They
// work on any model f(x) []float64 of k inputs scaled to the unit interval,
// so they can be used, and checked against analytic answers, without the
// simulator; reesim's sweep command maps the unit inputs onto scenario
// parameters.
//
// Designs and estimators:
//
//   - OAT: one at a time, each input at low and high (or several levels)
//     with the others at a base point: swings for tornado and spider charts.
//   - Grid: the full factorial of given levels.
//   - LHS: Latin hypercube sampling, with standardised rank regression
//     coefficients (SRRC) and bootstrap confidence intervals.
//   - Sobol: Saltelli's sampling scheme on a Sobol' low-discrepancy sequence
//     (Sobol' 1967; direction numbers of Joe and Kuo 2008), first-order
//     indices by the Saltelli et al. (2010) estimator and total indices by
//     Jansen's (1999), with bootstrap 95 % confidence intervals.
//   - Morris: elementary effects on r trajectories over a p-level grid
//     (Morris 1991), reporting mu* (Campolongo et al. 2007) and sigma.
//
// Every design is deterministic given its seed. Bootstrap intervals resample
// design rows with a seeded PCG, so they too are reproducible.
package sweep
