package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
)

// loadScenario resolves SCENARIO: a file when one exists at that path,
// otherwise a built-in scenario by name (truce90 or truce90.yaml).
func loadScenario(arg string, overrides []model.Override) (*model.Scenario, error) {
	if _, err := os.Stat(arg); err == nil {
		return model.Load(arg, overrides...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	name := strings.TrimSuffix(arg, ".yaml")
	for _, n := range scenarios.Names() {
		if n == name {
			return scenarios.Load(name, overrides...)
		}
	}
	return nil, usagef("'reesim list' shows the built-in scenarios: "+strings.Join(scenarios.Names(), ", "),
		"no scenario file %q, and no built-in scenario of that name", arg)
}

func parseOverrides(sets []string) ([]model.Override, error) {
	var out []model.Override
	for _, s := range sets {
		o, err := model.ParseOverride(s)
		if err != nil {
			return nil, usagef("as in --set events.truce.renewal.probability=0.9", "%v", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// parseSaved parses a scenario copy saved beside a result (scenario.yaml)
// with the overrides the result records, as PATH=VALUE strings.
func parseSaved(data []byte, src string, overrides []string) (*model.Scenario, error) {
	var ovs []model.Override
	for _, s := range overrides {
		o, err := model.ParseOverride(s)
		if err != nil {
			return nil, err
		}
		ovs = append(ovs, o)
	}
	return model.Parse(data, src, ovs...)
}
