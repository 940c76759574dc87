package plots

import (
	"fmt"
	"strings"
)

// kindCaptions say how to read each kind of sweep chart, by the chart
// name's first part.
var kindCaptions = map[string]string{
	"tornado": "Each lever moved alone from its low to its high end, the others as the scenario wrote them: a bar's length is how far that moves the output, blue towards the lever's low end, orange towards its high end. Widest first; levers interact, so the swings do not add up.",
	"spider":  "The output at each of a lever's levels, the others as the scenario wrote them: a steep line is a lever that matters, a bend shows where it stops mattering.",
	"sobol":   "S1 is the share of the output's variance a lever explains alone; ST adds what it explains together with the others. A lever whose ST is near zero can be fixed anywhere in its range. Whiskers are bootstrap 95 % intervals; triangles mark ones that run off the axis.",
	"srrc":    "The standardised coefficient of a regression of the output's ranks on the levers' ranks, all varying at once: the sign says which way a lever pushes the output, the size how strongly.",
	"morris":  "mu* is a lever's mean absolute elementary effect (how much it matters), sigma the spread of its effects (how much that depends on the other levers): a screening, not a share of variance.",
	"heatmap": "The output at every combination of the two levers' levels, coloured from its lowest to its highest value on the bar at the right.",
}

// Caption says how to read a chart written into a sweep, attribution or
// comparison directory, from its file name (without extension), so that
// a report built later from the directory can caption it; "" for a name
// it does not know.
func Caption(name string) string {
	kind, rest, _ := strings.Cut(name, "-")
	switch kind {
	case "attribution":
		return fmt.Sprintf("Each event or stockpile switched off alone, with the same random numbers: the expected total %s shortfall it accounts for, largest first. A negative bar relieves the shortfall (a truce, a buildout, a stockpile); whiskers are 95 %% intervals of the paired difference.", rest)
	case "compare":
		if mat, ok := strings.CutPrefix(rest, "fan-"); ok {
			return fmt.Sprintf("The share of all consumers' %s demand left unmet per period under A and under B, from the same random numbers: each side's median and its band of nine trials in ten. Where the bands part, the change is larger than the trial-to-trial spread.", mat)
		}
		return fmt.Sprintf("How B changes each consumer's expected cumulative %s shortfall against A, from the same random numbers: below zero B is better. Whiskers are 95 %% intervals of the paired difference.", rest)
	case "discover":
		return "PRIM's peeling trajectory: each point a box of input conditions, from all trials (right) to ever narrower ones (left). Coverage is the share of the worst trials inside the box, density the share of the box's trials that are among the worst; the marked box is the one chosen."
	}
	return kindCaptions[kind]
}
