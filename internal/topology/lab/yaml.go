package lab

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// This file walks yaml.Node trees: mappings checked against the keys a place accepts (with a
// "did you mean" for typos), name → object mappings in input order, scalars and lists. Every
// helper reports what is wrong at the offending node's line and returns a usable zero value,
// so one pass collects every problem.

func (l *loader) src(line int) model.Source { return model.Source{File: l.file, Line: line} }

func (l *loader) errorf(line int, format string, args ...any) {
	l.probs.Errorf(l.src(line), format, args...)
}

// deref follows aliases (a bounded number of times: an alias cannot point at itself in a
// document yaml.v3 accepts, but fuzzed trees are not to be trusted) and unwraps documents.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 32; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe says what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected YAML node"
}

// fields is one YAML mapping whose keys were checked against the keys its place accepts.
type fields struct {
	what string // for messages: `subnet src`
	line int
	vals map[string]*yaml.Node
	keys map[string]*yaml.Node
	typo map[string]bool // keys an unknown key was probably meant to be
}

// get returns the value of key k, or nil when absent or null.
func (f *fields) get(k string) *yaml.Node {
	n := f.vals[k]
	if isNull(n) {
		return nil
	}
	return n
}

// has reports whether key k was written, even with an empty value.
func (f *fields) has(k string) bool { _, ok := f.keys[k]; return ok }

// need reports a missing required key, unless an unknown key was probably meant to be it
// (the "did you mean" already says so).
func (l *loader) need(f *fields, k string, line int, what string) {
	if f.get(k) == nil && !f.typo[k] {
		l.errorf(line, "%s: needs %s", f.what, what)
	}
}

// keyLine is the line of key k, or of the mapping when k is absent.
func (f *fields) keyLine(k string) int {
	if n := f.keys[k]; n != nil {
		return n.Line
	}
	return f.line
}

// mapping reads a mapping whose keys must be among allowed. Null reads as an empty mapping.
func (l *loader) mapping(n *yaml.Node, what string, allowed []string) *fields {
	n = deref(n)
	f := &fields{what: what, vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, typo: map[string]bool{}}
	if n == nil {
		return f
	}
	f.line = n.Line
	if isNull(n) {
		return f
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "%s: want a mapping (key: value), got %s", what, describe(n))
		return f
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			l.errorf(n.Content[i].Line, "%s: want a key name, got %s", what, describe(k))
			continue
		}
		if !contains(allowed, k.Value) {
			in := ""
			if what != "" {
				in = " in " + what
			}
			hint := suggest(k.Value, allowed)
			if hint == "" && len(allowed) <= 16 {
				hint = "; the keys here are " + strings.Join(allowed, ", ")
			}
			l.errorf(k.Line, "unknown key %q%s%s", k.Value, in, hint)
			if c := closest(k.Value, allowed); c != "" {
				f.typo[c] = true
			}
			continue
		}
		if first := f.keys[k.Value]; first != nil {
			l.errorf(k.Line, "%s: key %q is written twice (first at line %d)", what, k.Value, first.Line)
			continue
		}
		f.keys[k.Value], f.vals[k.Value] = k, deref(v)
	}
	return f
}

// entry is one name → value pair of a mapping keyed by object names.
type entry struct {
	name string
	line int
	val  *yaml.Node
}

// entries reads a mapping of names (of kind) to values, in input order, reporting duplicates.
func (l *loader) entries(n *yaml.Node, kind string) []entry {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "%s: want a mapping of names to %s definitions, got %s", kind, kind, describe(n))
		return nil
	}
	var es []entry
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode || k.Value == "" {
			l.errorf(n.Content[i].Line, "want a %s name, got %s", kind, describe(k))
			continue
		}
		if line, dup := first[k.Value]; dup {
			l.errorf(k.Line, "duplicate %s name %q (first at line %d)", kind, k.Value, line)
			continue
		}
		first[k.Value] = k.Line
		es = append(es, entry{k.Value, k.Line, deref(n.Content[i+1])})
	}
	return es
}

// str reads a scalar; absent or null gives ok=false without a problem.
func (l *loader) str(n *yaml.Node, what string) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		l.errorf(n.Line, "%s: want a single value, got %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// list reads a sequence; a single scalar counts as a one-element list.
func (l *loader) list(n *yaml.Node, what string) []*yaml.Node {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		return []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		out := make([]*yaml.Node, 0, len(n.Content))
		for _, c := range n.Content {
			if c = deref(c); c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	l.errorf(n.Line, "%s: want a list, got %s", what, describe(n))
	return nil
}

// strs reads a list of scalars.
func (l *loader) strs(n *yaml.Node, what string) (vals []string, lines []int) {
	for _, c := range l.list(n, what) {
		if s, ok := l.str(c, what); ok {
			vals, lines = append(vals, s), append(lines, c.Line)
		}
	}
	return vals, lines
}

// tags reads `tags: {key: value}` and puts the Name tag (the object's YAML name) first.
func (l *loader) tags(f *fields, name string) []model.Tag {
	ts := []model.Tag{{Key: "Name", Value: name}}
	n := f.get("tags")
	if n == nil {
		return ts
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "%s: tags: want a mapping of tag keys to values, got %s", f.what, describe(n))
		return ts
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		key, ok1 := l.str(k, f.what+": tag key")
		val, ok2 := l.str(v, f.what+": tag "+key)
		if !ok1 {
			continue
		}
		if key == "Name" {
			l.errorf(k.Line, "%s: the Name tag is the object's name in the lab; remove it from tags", f.what)
			continue
		}
		if ok2 || isNull(v) {
			ts = append(ts, model.Tag{Key: key, Value: val})
		}
	}
	return ts
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// suggest returns `; did you mean "x"?` when a candidate is close to s.
func suggest(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// closest is the candidate s is probably a typo of: within one edit for short words, a third
// of the length for longer ones; "" when none is that close.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || best == s || bestD > max(1, len(s)/3) {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance: insertions, deletions,
// substitutions and transpositions of neighbours ("tpc" is one edit from "tcp").
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20 // no key is that long: not a typo, and not worth the time
	}
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
