package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits on what the loader accepts.
const (
	// MaxFileBytes is the largest scenario file Parse accepts.
	MaxFileBytes = 4 << 20
	// MaxNodes is the most YAML nodes a document may expand to, counting
	// each use of an alias in full: it refuses alias bombs.
	MaxNodes = 100_000
)

// Load reads and parses a scenario file, then applies overrides in order.
func Load(path string, overrides ...Override) (*Scenario, error) {
	data, err := ReadFile(path, "scenario")
	if err != nil {
		return nil, err
	}
	return Parse(data, path, overrides...)
}

// ReadFile reads a scenario or sweep file (kind names it in errors): a
// regular file of at most MaxFileBytes. A directory, a device such as
// /dev/zero or a FIFO is refused before it is opened, so reading never
// blocks or runs without limit; those refusals are an ErrorList naming
// the file.
func ReadFile(path, kind string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error() // the path is already named
		}
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("cannot read it: %s", reason)}}
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "a directory"
		}
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("is %s; want a %s file", what, kind)}}
	}
	if st.Size() > MaxFileBytes {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is %d bytes; %s files are limited to %d", st.Size(), kind, MaxFileBytes)}}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	// The file may have grown since the stat: read one byte past the limit.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is over %d bytes; %s files are limited to that", MaxFileBytes, kind)}}
	}
	return data, nil
}

// Parse decodes and validates a scenario from YAML source. file names the
// source in error messages; a scenario without a name takes the file's base
// name without extension.
func Parse(data []byte, file string, overrides ...Override) (*Scenario, error) {
	root, errs := readDocument(data, file, "scenario", "a scenario mapping with start, horizon, materials, nodes, consumers and routes")
	if errs != nil {
		return nil, errs
	}
	d := newDecoder(file)
	for _, ov := range overrides {
		if err := d.apply(root, ov); err != nil {
			d.errs = append(d.errs, err)
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	s := d.scenario(root)
	if len(d.errs) == 0 {
		validate(d, s)
	}
	if len(d.errs) > 0 {
		d.errs.Sort()
		return nil, d.errs
	}
	sum := sha256.Sum256(data)
	s.SHA256 = hex.EncodeToString(sum[:])
	s.Source = data
	s.Overrides = overrides
	s.File = file
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	return s, nil
}

// readDocument applies the loader's limits to one YAML document and
// returns its root: the size limit, YAML syntax, an empty document (want
// says what would be valid) and the alias budget.
func readDocument(data []byte, file, kind, want string) (*yaml.Node, ErrorList) {
	if len(data) > MaxFileBytes {
		return nil, ErrorList{{File: file, Msg: fmt.Sprintf("document is %d bytes; %s files are limited to %d", len(data), kind, MaxFileBytes)}}
	}
	if line, col, what := notText(data); what != "" {
		return nil, ErrorList{{File: file, Line: line, Col: col, Msg: what + " where YAML text was expected (is this a " + kind + " file?)"}}
	}
	if line, col, ok := tooDeep(data); ok {
		return nil, ErrorList{{File: file, Line: line, Col: col, Msg: fmt.Sprintf("nesting deeper than %d levels; refused", maxDepth)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, ErrorList{yamlError(file, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: "empty document (want " + want + ")"}}
	}
	root := doc.Content[0]
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, ErrorList{{File: file, Line: next.Line, Col: next.Column, Msg: fmt.Sprintf("a second YAML document starts here; a %s file holds one", kind)}}
	} else if !errors.Is(err, io.EOF) {
		return nil, ErrorList{yamlError(file, err)}
	}
	budget := MaxNodes
	if !countNodes(root, &budget) {
		return nil, ErrorList{{File: file, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("document expands to more than %d YAML nodes through aliases; refused", MaxNodes)}}
	}
	if n := tagged(root); n != nil {
		return nil, ErrorList{{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("YAML tag %s is not accepted; write the value plainly (a number, a duration, a date or a string)", n.Tag)}}
	}
	return unshare(root), nil
}

// notText finds the first byte that is not UTF-8 text (invalid UTF-8, or a
// control character other than tab, newline and carriage return) and
// describes it with its line and column.
func notText(data []byte) (line, col int, what string) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return line, col, fmt.Sprintf("byte 0x%02x is not UTF-8", data[i])
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			return line, col, fmt.Sprintf("control character %U", r)
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, ""
}

// maxDepth bounds how deeply flow collections ([ and {) may nest: the
// YAML parser's own limit gives no position.
const maxDepth = 1000

// tooDeep reports the position where flow collections first nest deeper
// than maxDepth (outside quoted strings and comments; block nesting is
// bounded by the line length the size limit allows).
func tooDeep(data []byte) (line, col int, ok bool) {
	depth, line, col := 0, 1, 0
	var quote, prev byte = 0, '\n'
	comment := false
	for _, c := range data {
		col++
		// A quote or comment starts only after a space or an indicator,
		// as in YAML: an apostrophe inside a plain word starts nothing.
		opens := prev == ' ' || prev == '\t' || prev == '\n' || prev == '[' || prev == '{' || prev == ',' || prev == ':'
		switch {
		case c == '\n':
			line, col, comment = line+1, 0, false
		case comment:
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '#' && opens:
			comment = true
		case (c == '"' || c == '\'') && opens:
			quote = c
		case c == '[' || c == '{':
			depth++
			if depth > maxDepth {
				return line, col, true
			}
		case c == ']' || c == '}':
			depth--
		}
		prev = c
	}
	return 0, 0, false
}

// tagged returns the first node with an explicit YAML tag (!!binary,
// !!str, !foo), or nil: a scenario's values are typed by their fields.
func tagged(n *yaml.Node) *yaml.Node {
	if n.Style&yaml.TaggedStyle != 0 {
		return n
	}
	for _, c := range n.Content {
		if t := tagged(c); t != nil {
			return t
		}
	}
	return nil
}

// unshare returns a copy of the tree at n in which no node is reached
// twice: every alias is replaced by its own copy of the anchored node, and
// every merge key (<<) by the keys it brings in that the mapping does not
// set itself (of several merged mappings, the first that sets a key wins,
// as the YAML merge-key spec says). An override then edits only the field
// its path names, never a node that other fields share; copies keep the
// anchor's line and column for error messages. countNodes has bounded the
// size of the expanded tree.
func unshare(n *yaml.Node) *yaml.Node {
	n = deref(n)
	c := *n
	c.Alias, c.Anchor = nil, ""
	c.Content = nil
	if n.Kind != yaml.MappingNode {
		for _, k := range n.Content {
			c.Content = append(c.Content, unshare(k))
		}
		return &c
	}
	var merged []*yaml.Node // key, value pairs brought in by merge keys
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := deref(n.Content[j]), deref(n.Content[j+1])
		if !isMergeKey(k) {
			c.Content = append(c.Content, unshare(k), unshare(v))
			continue
		}
		srcs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			srcs = v.Content
		}
		for _, src := range srcs {
			if src = deref(src); src.Kind == yaml.MappingNode {
				m := unshare(src)
				merged = append(merged, m.Content...)
			} else {
				// Not a mapping: keep it, so the decoder reports it
				// where it was written.
				merged = append(merged, unshare(k), unshare(src))
			}
		}
	}
	for j := 0; j+1 < len(merged); j += 2 {
		if isMergeKey(merged[j]) || !hasKey(&c, merged[j].Value) {
			c.Content = append(c.Content, merged[j], merged[j+1])
		}
	}
	return &c
}

// isMergeKey reports whether a mapping key is YAML's merge key, <<.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}

func hasKey(m *yaml.Node, key string) bool {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			return true
		}
	}
	return false
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, origin: map[*yaml.Node]string{}, misspelt: map[fieldRef]bool{}}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(file string, err error) *Error {
	msg := err.Error()
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Col: 1, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// countNodes counts nodes reachable from n, following aliases, and reports
// false once the budget is spent.
func countNodes(n *yaml.Node, budget *int) bool {
	*budget--
	if *budget < 0 {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return n.Alias == nil || countNodes(n.Alias, budget)
	}
	for _, c := range n.Content {
		if !countNodes(c, budget) {
			return false
		}
	}
	return true
}

// fieldRef names a field of one mapping node.
type fieldRef struct {
	n   *yaml.Node
	key string
}

type decoder struct {
	// misspelt records required fields already reported as a misspelling.
	misspelt map[fieldRef]bool
	file     string
	errs     ErrorList
	origin   map[*yaml.Node]string // nodes that came from an override
	start    time.Time
}

func (d *decoder) pos(n *yaml.Node) Pos {
	if o, ok := d.origin[n]; ok {
		return Pos{File: o}
	}
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	p := d.pos(n)
	d.errs = append(d.errs, &Error{File: p.File, Line: p.Line, Col: p.Col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorAt(p Pos, path, format string, args ...any) {
	if p.File == "" {
		p.File = d.file
	}
	d.errs = append(d.errs, &Error{File: p.File, Line: p.Line, Col: p.Col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// flowText writes a node as one line of YAML flow syntax, aliases
// followed and comments dropped: a scalar as written, a mapping as
// {key: value, ...}, a sequence as [a, b].
func flowText(n *yaml.Node) string {
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.MappingNode:
		parts := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, flowText(n.Content[i])+": "+flowText(n.Content[i+1]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = flowText(c)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return ""
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return strconv.Quote(n.Value)
	}
	return "unexpected YAML"
}

// fields checks that n is a mapping with only known keys and returns its
// values by key.
func (d *decoder) fields(n *yaml.Node, path string, known ...string) map[string]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s; want a mapping with fields %s", describe(n), strings.Join(known, ", "))
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "a key must be a plain name")
			continue
		}
		if !slices.Contains(known, key) {
			d.errorf(k, path, "unknown field %q%s; %s", key, didYouMean(key, known), oneOf(known))
			if sug := suggest(key, known); sug != "" {
				// A misspelt required field is one error, not two.
				d.misspelt[fieldRef{n, sug}] = true
			}
			continue
		}
		if _, dup := out[key]; dup {
			d.errorf(k, join(path, key), "field given twice")
			continue
		}
		out[key] = v
	}
	return out
}

func (d *decoder) require(m map[string]*yaml.Node, n *yaml.Node, path, key, want string) *yaml.Node {
	v, ok := m[key]
	if !ok {
		if !d.misspelt[fieldRef{deref(n), key}] {
			d.errorf(deref(n), path, "missing field %s (want %s)", key, want)
		}
		return nil
	}
	return v
}

func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, path, "got %s; want a string", describe(n))
		return "", false
	}
	return n.Value, true
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// MaxNameLen is the longest id or material name: names go into file names
// (fan-MATERIAL.png) and parameter paths.
const MaxNameLen = 64

// ValidName reports whether s may be an id or a material name: 1 to
// MaxNameLen letters, digits, - and _, starting with a letter or digit. Such
// a name is safe in a file name and in a parameter path.
func ValidName(s string) bool {
	return len(s) <= MaxNameLen && idRE.MatchString(s)
}

func (d *decoder) id(n *yaml.Node, path string) string {
	s, ok := d.str(n, path)
	if ok && !ValidName(s) {
		d.errorf(n, path, "%.80q is not a valid id (want 1 to %d letters, digits, - and _, starting with a letter or digit; no dots, since parameter paths use them)", s, MaxNameLen)
		return ""
	}
	return s
}

func (d *decoder) strings(n *yaml.Node, path string) []string {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value} // a single item may be written bare
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s; want a list of names", describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		if s, ok := d.str(c, fmt.Sprintf("%s[%d]", path, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	v, err := parseNumber(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || v < lo || v > hi {
		d.errorf(n, path, "%q is not a whole number in %d..%d", s, lo, hi)
		return 0, false
	}
	return v, true
}

// scalar parses one written value of the given unit. For Tonnes it also
// accepts a duration and reports the unit it found.
func (d *decoder) scalar(n *yaml.Node, path string, u Unit) (float64, Unit, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, u, false
	}
	var (
		v   float64
		err error
	)
	switch u {
	case Number:
		v, err = parseNumber(s)
	case Days:
		v, err = ParseDuration(s)
	case Time:
		v, err = parseTime(s, d.start)
	case Tonnes:
		if v, err = parseNumber(s); err != nil {
			if dv, derr := ParseDuration(s); derr == nil {
				return dv, Days, true
			}
			err = fmt.Errorf("%q is neither tonnes (a number) nor days of demand (a duration such as 60d)", s)
		}
	}
	if err != nil {
		d.errorf(n, path, "%v", err)
		return 0, u, false
	}
	return v, u, true
}

var distFields = map[Kind][]string{
	Uniform:     {"dist", "min", "max"},
	Triangular:  {"dist", "min", "mode", "max"},
	PERT:        {"dist", "min", "mode", "max"},
	Normal:      {"dist", "mean", "sd", "min", "max"},
	LogNormal:   {"dist", "p50", "p90", "mu", "sigma"},
	Beta:        {"dist", "alpha", "beta"},
	Exponential: {"dist", "mean"},
	Choice:      {"dist", "values", "weights"},
}

// isDist reports whether n is written as a distribution.
func isDist(n *yaml.Node) bool {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == "dist" {
			return true
		}
	}
	return false
}

// dist decodes a fixed value or a distribution of unit u. forever lets a
// Days value be written `forever` (+Inf).
func (d *decoder) dist(n *yaml.Node, path string, u Unit, forever bool) (Dist, bool) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		if forever && n.Value == "forever" {
			return Dist{Kind: Fixed, Value: math.Inf(1), Unit: u, Pos: d.pos(n)}, true
		}
		v, unit, ok := d.scalar(n, path, u)
		out := Dist{Kind: Fixed, Value: v, Unit: unit, Pos: d.pos(n)}
		return out, ok && d.magnitude(n, path, out)
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s; want a %s or a distribution such as {dist: uniform, min: ..., max: ...}", describe(n), u)
		return Dist{}, false
	}
	m := d.fields(n, path, "dist", "min", "mode", "max", "mean", "sd", "p50", "p90", "mu", "sigma", "alpha", "beta", "values", "weights")
	if m == nil {
		return Dist{}, false
	}
	kn := d.require(m, n, path, "dist", "one of "+strings.Join(kindNames[1:], ", "))
	if kn == nil {
		return Dist{}, false
	}
	name, _ := d.str(kn, join(path, "dist"))
	k := Kind(slices.Index(kindNames[:], name))
	if name == "fixed" || int(k) < 0 || int(k) >= len(kindNames) {
		d.errorf(kn, join(path, "dist"), "unknown distribution %q%s; want one of %s", name, didYouMean(name, kindNames[1:]), strings.Join(kindNames[1:], ", "))
		return Dist{}, false
	}
	out := Dist{Kind: k, Unit: u, Pos: d.pos(n)}
	ok := true
	for key, v := range m {
		if !slices.Contains(distFields[k], key) {
			d.errorf(v, join(path, key), "%s takes no %s (its fields are %s)", k, key, strings.Join(distFields[k][1:], ", "))
			ok = false
		}
	}
	if !ok {
		return out, false
	}
	unitSeen := Unit(255)
	param := func(key string, plain bool) (float64, bool) {
		v, present := m[key]
		if !present {
			d.errorf(n, path, "%s needs %s (its fields are %s)", k, key, strings.Join(distFields[k][1:], ", "))
			return 0, false
		}
		if plain {
			return d.number(v, join(path, key))
		}
		x, got, ok := d.scalar(v, join(path, key), u)
		if ok && u == Tonnes {
			if unitSeen != 255 && unitSeen != got {
				d.errorf(v, join(path, key), "mixes tonnes and days; write every parameter in one unit")
				return 0, false
			}
			unitSeen = got
		}
		return x, ok
	}
	has := func(key string) bool { _, ok := m[key]; return ok }
	var ok1, ok2, ok3 bool
	switch k {
	case Uniform:
		out.Min, ok1 = param("min", false)
		out.Max, ok2 = param("max", false)
		if ok = ok1 && ok2; ok && !(out.Min <= out.Max) {
			d.errorf(n, path, "uniform min %g > max %g (want min <= max)", out.Min, out.Max)
			ok = false
		}
	case Triangular, PERT:
		out.Min, ok1 = param("min", false)
		out.Mode, ok2 = param("mode", false)
		out.Max, ok3 = param("max", false)
		if ok = ok1 && ok2 && ok3; ok && !(out.Min <= out.Mode && out.Mode <= out.Max && out.Min < out.Max) {
			d.errorf(n, path, "%s needs min <= mode <= max with min < max (got %g, %g, %g)", k, out.Min, out.Mode, out.Max)
			ok = false
		}
	case Normal:
		out.Mean, ok1 = param("mean", false)
		if u == Days || u == Time {
			out.SD, _, ok2 = d.scalarOr(m["sd"], n, join(path, "sd"), Days)
		} else {
			out.SD, ok2 = param("sd", u == Number)
		}
		ok = ok1 && ok2
		if has("min") {
			out.HasMin = true
			out.Min, ok1 = param("min", false)
			ok = ok && ok1
		}
		if has("max") {
			out.HasMax = true
			out.Max, ok1 = param("max", false)
			ok = ok && ok1
		}
		if ok && !(out.SD > 0) {
			d.errorf(m["sd"], join(path, "sd"), "sd %g is not positive", out.SD)
			ok = false
		}
		if ok && out.HasMin && out.HasMax && !(out.Min < out.Max) {
			d.errorf(n, path, "normal truncation min %g >= max %g", out.Min, out.Max)
			ok = false
		}
	case LogNormal:
		switch {
		case has("p50") || has("p90"):
			if has("mu") || has("sigma") {
				d.errorf(n, path, "give lognormal either p50 and p90, or mu and sigma, not both")
				return out, false
			}
			var p50, p90 float64
			p50, ok1 = param("p50", false)
			p90, ok2 = param("p90", false)
			if ok = ok1 && ok2; ok && !(0 < p50 && p50 < p90) {
				d.errorf(n, path, "lognormal needs 0 < p50 < p90 (got %g and %g)", p50, p90)
				ok = false
			}
			if ok {
				out.Mu = math.Log(p50)
				out.Sigma = (math.Log(p90) - math.Log(p50)) / z90
			}
		default:
			out.Mu, ok1 = param("mu", true)
			out.Sigma, ok2 = param("sigma", true)
			if ok = ok1 && ok2; ok && !(out.Sigma > 0) {
				d.errorf(m["sigma"], join(path, "sigma"), "sigma %g is not positive", out.Sigma)
				ok = false
			}
		}
	case Beta:
		if u != Number {
			d.errorf(n, path, "beta is for fractions, but this field is a %s (try pert or triangular)", u)
			return out, false
		}
		out.Alpha, ok1 = param("alpha", true)
		out.BetaB, ok2 = param("beta", true)
		if ok = ok1 && ok2; ok && !(out.Alpha > 0 && out.BetaB > 0) {
			d.errorf(n, path, "beta needs alpha > 0 and beta > 0 (got %g and %g)", out.Alpha, out.BetaB)
			ok = false
		}
	case Exponential:
		out.Mean, ok = param("mean", false)
		if ok && !(out.Mean > 0) {
			d.errorf(m["mean"], join(path, "mean"), "exponential mean %g is not positive", out.Mean)
			ok = false
		}
	case Choice:
		ok = d.choice(out.Unit, m, n, path, &out, &unitSeen)
	}
	if u == Tonnes && unitSeen != 255 {
		out.Unit = unitSeen
	}
	return out, ok && d.magnitude(n, path, out)
}

// magnitude refuses a value whose parameters exceed the limits of
// docs/model.md (MaxAmount for amounts and plain numbers, MaxDays for
// durations and dates), so that every accepted scenario computes in finite
// numbers: the engine clamps each sample into the same limits.
func (d *decoder) magnitude(n *yaml.Node, path string, v Dist) bool {
	lim, what := Limit(v.Unit)
	var params []float64
	switch v.Kind {
	case Fixed:
		params = []float64{v.Value}
	case Uniform, Triangular, PERT:
		params = []float64{v.Min, v.Mode, v.Max}
	case Normal:
		params = []float64{v.Mean, v.SD, v.Min, v.Max}
	case LogNormal:
		// Its median and 90th percentile; beyond those the engine clamps.
		params = []float64{math.Exp(v.Mu), math.Exp(v.Mu + z90*v.Sigma)}
	case Exponential:
		params = []float64{v.Mean}
	case Choice:
		params = v.Values
	case Beta:
		if !(v.Alpha <= MaxBetaShape && v.BetaB <= MaxBetaShape) {
			d.errorf(n, path, "beta shapes %g and %g exceed the limit of %g", v.Alpha, v.BetaB, float64(MaxBetaShape))
			return false
		}
	}
	for _, x := range params {
		if !(math.Abs(x) <= lim) {
			d.errorf(n, path, "%s exceeds the limit of %g %s for this field (docs/model.md, limits)", strconv.FormatFloat(x, 'g', 4, 64), lim, what)
			return false
		}
	}
	return true
}

// z90 is the standard normal's 0.9 quantile.
const z90 = 1.2815515655446004

// scalarOr parses an optional-unit scalar: sd of a normal over durations
// is itself a duration.
func (d *decoder) scalarOr(v, parent *yaml.Node, path string, u Unit) (float64, Unit, bool) {
	if v == nil {
		d.errorf(parent, path, "normal needs sd")
		return 0, u, false
	}
	return d.scalar(v, path, u)
}

func (d *decoder) choice(u Unit, m map[string]*yaml.Node, n *yaml.Node, path string, out *Dist, unitSeen *Unit) bool {
	vn := deref(m["values"])
	if vn == nil || vn.Kind != yaml.SequenceNode || len(vn.Content) == 0 {
		d.errorf(n, path, "choice needs values: a non-empty list")
		return false
	}
	ok := true
	for i, c := range vn.Content {
		x, got, good := d.scalar(c, fmt.Sprintf("%s.values[%d]", path, i), u)
		if good && u == Tonnes {
			if *unitSeen != 255 && *unitSeen != got {
				d.errorf(c, path, "mixes tonnes and days; write every value in one unit")
				good = false
			}
			*unitSeen = got
		}
		ok = ok && good
		out.Values = append(out.Values, x)
	}
	if wn := deref(m["weights"]); wn != nil {
		if wn.Kind != yaml.SequenceNode || len(wn.Content) != len(vn.Content) {
			d.errorf(wn, join(path, "weights"), "want a list of %d weights, one per value", len(vn.Content))
			return false
		}
		var sum float64
		for i, c := range wn.Content {
			w, good := d.number(c, fmt.Sprintf("%s.weights[%d]", path, i))
			if good && w < 0 {
				d.errorf(c, fmt.Sprintf("%s.weights[%d]", path, i), "weight %g is negative", w)
				good = false
			}
			ok = ok && good
			sum += w
			out.Weights = append(out.Weights, w)
		}
		if ok && !(sum > 0) {
			d.errorf(wn, join(path, "weights"), "weights sum to 0; want a positive sum")
			return false
		}
		for i := range out.Weights {
			out.Weights[i] /= sum
		}
	} else {
		for range out.Values {
			out.Weights = append(out.Weights, 1/float64(len(out.Values)))
		}
	}
	return ok
}

// bound is a constraint on a value's support.
type bound uint8

const (
	anyValue bound = iota
	nonNeg
	positive
	fraction
	aboveMinusOne
)

// check reports a value whose support breaks the bound.
func (d *decoder) check(v Dist, path string, b bound) bool {
	lo, hi := v.Support()
	bad := ""
	if v.Kind == Normal {
		// An untruncated normal is accepted where its mean is at least 3 sd
		// inside the bound; the engine clamps the rare sample beyond it.
		if !v.HasMin {
			lo = v.Mean - 3*v.SD
		}
		if !v.HasMax {
			hi = v.Mean + 3*v.SD
		}
	}
	switch b {
	case nonNeg:
		if !(lo >= 0) {
			bad = "can be negative (want >= 0"
		}
	case positive:
		// Lognormal and exponential values are positive almost surely.
		if !(lo > 0 || lo == 0 && (v.Kind == LogNormal || v.Kind == Exponential)) {
			bad = "can be zero or negative (want > 0"
		}
	case fraction:
		if !(lo >= 0 && hi <= 1) {
			bad = "is not a fraction (want 0..1"
		}
	case aboveMinusOne:
		if !(lo > -1) {
			bad = "can reach -100% or below (want > -1"
		}
	}
	if bad == "" {
		return true
	}
	if v.Kind == Fixed {
		fixedBad := map[bound]string{nonNeg: "is negative (want >= 0)", positive: "is not positive (want > 0)", fraction: "is not a fraction (want 0..1)", aboveMinusOne: "is -100% or below (want > -1)"}[b]
		d.errorAt(v.Pos, path, "%s %s", strconv.FormatFloat(v.Value, 'g', -1, 64), fixedBad)
	} else {
		hint := ""
		if v.Kind == Normal {
			hint = "; truncate the normal with min/max, or keep its mean 3 sd inside the bound"
		}
		d.errorAt(v.Pos, path, "%s %s%s)", v.Kind, bad, hint)
	}
	return false
}

// value decodes an optional field with a default and a bound.
func (d *decoder) value(m map[string]*yaml.Node, path, key string, u Unit, b bound, def Dist, forever bool) Dist {
	n, ok := m[key]
	if !ok {
		return def
	}
	v, ok := d.dist(n, join(path, key), u, forever)
	if ok {
		d.check(v, join(path, key), b)
	}
	return v
}

func (d *decoder) optValue(m map[string]*yaml.Node, path, key string, u Unit, b bound, forever bool) *Dist {
	n, ok := m[key]
	if !ok {
		return nil
	}
	v, ok := d.dist(n, join(path, key), u, forever)
	if ok {
		d.check(v, join(path, key), b)
	}
	return &v
}

// perMaterial decodes a mapping of material to value.
func (d *decoder) perMaterial(n *yaml.Node, path string, materials []string, u Unit, b bound) map[string]Dist {
	n = deref(n)
	if n.Kind != yaml.MappingNode || isDist(n) {
		d.errorf(n, path, "got %s; want a mapping of material to value, such as {%s: ...}", describe(n), strings.Join(materials, ": ..., "))
		return nil
	}
	out := map[string]Dist{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if !slices.Contains(materials, k.Value) {
			d.errorf(k, path, "unknown material %q%s; %s", k.Value, didYouMean(k.Value, materials), oneOf(materials))
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errorf(k, join(path, k.Value), "material given twice")
			continue
		}
		x, ok := d.dist(v, join(path, k.Value), u, false)
		if ok {
			d.check(x, join(path, k.Value), b)
		}
		out[k.Value] = x
	}
	return out
}

// byRegion decodes a fraction given as one value or by destination region.
func (d *decoder) byRegion(m map[string]*yaml.Node, path, key string, def float64) ByRegion {
	n, ok := m[key]
	p := join(path, key)
	if !ok {
		return ByRegion{Default: FixedValue(def, Number)}
	}
	n = deref(n)
	if n.Kind != yaml.MappingNode || isDist(n) {
		v, ok := d.dist(n, p, Number, false)
		if ok {
			d.check(v, p, fraction)
		}
		return ByRegion{Default: v}
	}
	out := ByRegion{Region: map[string]Dist{}}
	hasDefault := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		x, ok := d.dist(v, join(p, k.Value), Number, false)
		if ok {
			d.check(x, join(p, k.Value), fraction)
		}
		if k.Value == "default" {
			out.Default, hasDefault = x, true
			continue
		}
		if _, dup := out.Region[k.Value]; dup {
			d.errorf(k, join(p, k.Value), "region given twice")
		}
		out.Region[k.Value] = x
	}
	if !hasDefault {
		d.errorf(n, p, "a map by region needs a default (as in {default: 0.3, US: 0.1})")
	}
	return out
}
