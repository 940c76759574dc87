package model

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Override sets one field of a scenario by parameter path before it is
// decoded: dotted keys, list items by their id, as in
// events.truce.renewal.probability or nodes.us-process.capacity.dy.
// Value is YAML, so a distribution can be given inline.
type Override struct {
	Path  string
	Value string
}

// ParseOverride parses PATH=VALUE.
func ParseOverride(s string) (Override, error) {
	path, value, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" || strings.TrimSpace(value) == "" {
		return Override{}, fmt.Errorf("model: override %q: want PATH=VALUE, as in events.truce.renewal.probability=0.9", s)
	}
	return Override{Path: path, Value: value}, nil
}

// String writes the override back as PATH=VALUE.
func (o Override) String() string { return o.Path + "=" + o.Value }

// apply edits the document tree in place.
func (d *decoder) apply(root *yaml.Node, o Override) *Error {
	origin := "--set " + o.String()
	fail := func(format string, args ...any) *Error {
		return &Error{File: origin, Path: o.Path, Msg: fmt.Sprintf(format, args...)}
	}
	var val yaml.Node
	if err := yaml.Unmarshal([]byte(o.Value), &val); err != nil || len(val.Content) == 0 {
		return fail("value %q is not valid YAML", o.Value)
	}
	newNode := val.Content[0]
	budget := MaxNodes
	if !countNodes(newNode, &budget) {
		return fail("value expands to too many nodes")
	}
	mark(newNode, d.origin, origin)
	keys := strings.Split(o.Path, ".")
	cur := deref(root)
	for i, key := range keys {
		lastKey := i == len(keys)-1
		where := strings.Join(keys[:i], ".")
		if where == "" {
			where = "the scenario"
		}
		switch cur.Kind {
		case yaml.MappingNode:
			found := false
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if deref(cur.Content[j]).Value == key {
					found = true
					if lastKey {
						cur.Content[j+1] = newNode
						return nil
					}
					cur = deref(cur.Content[j+1])
					break
				}
			}
			if found {
				continue
			}
			if i == 0 && !slices.Contains(scenarioFields, key) {
				return fail("unknown field %q%s; %s", key, didYouMean(key, scenarioFields), oneOf(scenarioFields))
			}
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
			mark(k, d.origin, origin)
			if lastKey {
				cur.Content = append(cur.Content, k, newNode)
				return nil
			}
			m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			mark(m, d.origin, origin)
			cur.Content = append(cur.Content, k, m)
			cur = m
		case yaml.SequenceNode:
			var item *yaml.Node
			var ids []string
			for _, it := range cur.Content {
				it = deref(it)
				if it.Kind != yaml.MappingNode {
					continue
				}
				for j := 0; j+1 < len(it.Content); j += 2 {
					if deref(it.Content[j]).Value == "id" {
						id := deref(it.Content[j+1]).Value
						ids = append(ids, id)
						if id == key {
							item = it
						}
					}
				}
			}
			if item == nil {
				return fail("no item with id %q in %s%s; %s", key, where, didYouMean(key, ids), oneOf(ids))
			}
			if lastKey {
				return fail("%s.%s is a whole list item; set one of its fields, as in %s.%s.FIELD", where, key, where, key)
			}
			cur = item
		default:
			return fail("%s is a single value, so it has no field %q; set %s itself", where, key, where)
		}
	}
	return nil
}

func mark(n *yaml.Node, origin map[*yaml.Node]string, s string) {
	origin[n] = s
	for _, c := range n.Content {
		mark(c, origin, s)
	}
}
