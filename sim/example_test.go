package sim_test

import (
	"context"
	"fmt"
	"log"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

// A consumer with 60 days of inventory loses its only supplier for good on
// day 0: it runs short from day 60, for the rest of the year.
func ExampleRun() {
	src := `
name: cut-off
start: 2025-01-01
horizon: 1y
materials: [dy]
nodes:
  - {id: cn-mine, stage: mine, region: CN, capacity: {dy: 1000}}
  - {id: cn-process, stage: process, region: CN, capacity: {dy: 1000}}
  - {id: cn-magnet, stage: magnet, region: CN, capacity: {dy: 1000}}
consumers:
  - {id: us-oem, region: US, demand: {dy: 365.25}, inventory: {dy: 60d}}
routes:
  - {from: cn-mine, to: cn-process}
  - {from: cn-process, to: cn-magnet}
  - {from: cn-magnet, to: us-oem}
events:
  - {id: ban, type: export_restriction, region: CN, start: 2025-01-01}
`
	sc, err := model.Parse([]byte(src), "cut-off.yaml")
	if err != nil {
		log.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 100})
	if err != nil {
		log.Fatal(err)
	}
	short, _ := res.Find(sim.ScopeConsumer, "us-oem", "dy", sim.MetricShortfall)
	first, _ := res.Find(sim.ScopeConsumer, "us-oem", "dy", sim.MetricTimeToShort)
	fmt.Printf("shortfall %.2f t (SE %.2f), first short on day %.0f\n", short.Mean, short.SE, first.Mean)
	// Output: shortfall 305.25 t (SE 0.00), first short on day 60
}
