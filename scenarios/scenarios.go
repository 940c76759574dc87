// Package scenarios holds reesim's built-in scenarios, embedded in the
// binary, each calibrated from public figures cited in its YAML comments.
package scenarios

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/reesim/reesim/model"
)

//go:embed *.yaml
var files embed.FS

// Names returns the built-in scenario names, sorted.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Source returns a built-in scenario's YAML. name may carry the .yaml
// extension.
func Source(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".yaml")
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("scenarios: no built-in scenario %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return data, nil
}

// Load parses a built-in scenario, applying overrides.
func Load(name string, overrides ...model.Override) (*model.Scenario, error) {
	data, err := Source(name)
	if err != nil {
		return nil, err
	}
	return model.Parse(data, strings.TrimSuffix(name, ".yaml")+".yaml", overrides...)
}
