package model

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario file, with its position.
type Error struct {
	File string // file name, or "--set PATH" for an override
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Path string // field path, such as events[truce].renewal.probability
	Msg  string // what is wrong and what would be valid
}

// Error formats the problem as file:line:col: path: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one file, in file order. It is what
// Load and Parse return when the input is invalid.
type ErrorList []*Error

// Error lists every problem, one a line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the entries, so errors.As finds an *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Sort orders the errors by position: each file's by line and column,
// overrides after the file they override.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].File != l[j].File {
			// Overrides after the file they override.
			return strings.HasPrefix(l[j].File, "--set") && !strings.HasPrefix(l[i].File, "--set")
		}
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
}

// suggest returns the candidate nearest to s by edit distance, or "" when
// none is close enough to be a plausible typo (at most one edit per three
// characters, and at least one).
func suggest(s string, candidates []string) string {
	if len(s) > 64 {
		return "" // not a typo; and keeps the quadratic distance cheap
	}
	best, bestD := "", max(1, len(s)/3)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and adjacent transpositions each cost one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// didYouMean formats a suggestion hint, or "" when there is none.
// DidYouMean returns ` (did you mean "x"?)` for the candidate closest to s
// by edit distance, or "" when none is close: for messages about names
// that are not known.
func DidYouMean(s string, candidates []string) string { return didYouMean(s, candidates) }

// Suggest returns the candidate closest to s by edit distance, or "" when
// none is close.
func Suggest(s string, candidates []string) string { return suggest(s, candidates) }

func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// oneOf lists valid choices for a message.
func oneOf(choices []string) string {
	if len(choices) == 0 {
		return "none are declared"
	}
	return "want one of " + strings.Join(choices, ", ")
}
