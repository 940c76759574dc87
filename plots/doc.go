// Package plots draws a simulation result as charts for briefings: fan
// charts of the shortfall fraction over time, exceedance curves and
// histograms of cumulative shortfall, survival curves of the time to the
// first shortfall, node utilisation heat maps and trade flows. Each chart
// is written as PNG and SVG.
//
// Charts use the Okabe-Ito colour-blind-safe palette, carry the scenario,
// trial count and seed in their titles and units on their axes, and are
// sized for slides (1600 x 900 pixels by default). The package is reesim's
// only importer of gonum/plot; it draws from a sim.Result alone, so a
// written summary.json can be re-rendered without simulating again.
package plots
