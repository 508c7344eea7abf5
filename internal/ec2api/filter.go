package ec2api

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Describe requests carry Filter.N.Name / Filter.N.Value.M. EC2's documented semantics,
// which CompileFilters and Match implement:
//
//   - the values of one filter are ORed, the filters ANDed;
//   - a value may hold the wildcards * (any run of characters, including none) and ? (exactly
//     one character); a backslash makes the next character literal (\*, \?, \\);
//   - a filter without values matches nothing (vpclab's choice: no value can match);
//   - tag:<key> matches a resource with a tag of that key whose value matches one of the
//     values; tag-key matches any tag key;
//   - a filter on a member inside a list (route.destination-cidr-block, association.subnet-id)
//     matches when any element matches;
//   - booleans compare as "true"/"false", numbers as their decimal text and timestamps as
//     EC2 writes them (2006-01-02T15:04:05.000Z).
//
// A filter name the operation does not document is EC2's error. A documented name vpclab
// cannot resolve to a member of the generated shapes is an error too: matching everything
// would answer a question the caller did not ask.

// Matcher decides whether a resource passes a request's filters. A nil *Matcher passes
// everything, as a request without filters does.
type Matcher struct {
	elem, container reflect.Type
	filters         []compiledFilter
}

type compiledFilter struct {
	res    *resolved
	tagKey string // for tag:<key>
	values []pattern
}

// CompileFilters checks filters against op's documented filter names, resolves each to the
// members of op's resource shape and compiles the values' wildcards, so that Match does no
// lookups per resource. The error is an *Error with EC2's code and wording.
func CompileFilters(op string, filters []Filter) (*Matcher, error) {
	m := &Matcher{elem: elementShapes[op], container: containerShapes[op]}
	for _, f := range filters {
		name := ""
		if f.Name != nil {
			name = *f.Name
		}
		res, err := resolveFilter(op, name)
		if err != nil {
			return nil, err
		}
		c := compiledFilter{res: res}
		if res.tag {
			c.tagKey = strings.TrimPrefix(name, "tag:")
		}
		for _, v := range f.Values {
			c.values = append(c.values, compilePattern(v))
		}
		m.filters = append(m.filters, c)
	}
	return m, nil
}

// Match reports whether resource, a pointer to (or value of) op's resource shape (Vpc for
// DescribeVpcs, Instance for DescribeInstances; see elementShapes), passes every filter. A
// resource of another type matches nothing: a caller's mistake must not leak resources. A
// filter on the container (DescribeInstances' reservation-id) matches nothing here; use
// MatchIn.
func (m *Matcher) Match(resource any) bool { return m.MatchIn(nil, resource) }

// MatchIn is Match for a resource inside its container, for the operations of
// containerShapes: an Instance in its Reservation.
func (m *Matcher) MatchIn(container, resource any) bool {
	if m == nil || len(m.filters) == 0 {
		return true
	}
	v, ok := deref(resource)
	if !ok || v.Type() != m.elem {
		return false
	}
	c, cok := deref(container)
	if cok && c.Type() != m.container {
		return false
	}
	for i := range m.filters {
		f := &m.filters[i]
		switch {
		case !f.res.container:
			if !f.match(v) {
				return false
			}
		case !cok || !f.match(c):
			return false
		}
	}
	return true
}

// deref is the struct value x holds, through pointers; false for nil.
func deref(x any) (reflect.Value, bool) {
	v := reflect.ValueOf(x)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	return v, v.IsValid()
}

func (c *compiledFilter) match(v reflect.Value) bool {
	if c.res.tag {
		return walk(v, c.res.path, func(t reflect.Value) bool {
			k, val := t.FieldByName("Key"), t.FieldByName("Value")
			if k.IsNil() || k.Elem().String() != c.tagKey {
				return false
			}
			s := ""
			if !val.IsNil() {
				s = val.Elem().String()
			}
			return c.anyValue(s)
		})
	}
	return walk(v, c.res.path, func(leaf reflect.Value) bool {
		s, ok := text(leaf)
		return ok && c.anyValue(s)
	})
}

func (c *compiledFilter) anyValue(s string) bool {
	for _, p := range c.values {
		if p.match(s) {
			return true
		}
	}
	return false
}

// walk follows path (field indexes) from v through pointers and lists, calling leaf on each
// value it reaches; it reports whether any call returned true. A nil pointer or empty list
// on the way reaches nothing, so an absent member matches no value.
func walk(v reflect.Value, path []int, leaf func(reflect.Value) bool) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8 {
		for i := range v.Len() {
			if walk(v.Index(i), path, leaf) {
				return true
			}
		}
		return false
	}
	if len(path) == 0 {
		return leaf(v)
	}
	return walk(v.Field(path[0]), path[1:], leaf)
}

var timeType = reflect.TypeFor[time.Time]()

// text is a scalar member's value as a filter value compares with it.
func text(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64), true
	}
	if v.Type() == timeType {
		return v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z"), true
	}
	return "", false
}

// pattern is a filter value compiled into literal runes and wildcards.
type pattern []patternToken

type patternToken struct {
	r    rune
	kind byte // 0 literal, '*' any run, '?' one character
}

// compilePattern reads EC2's wildcard syntax: "* specifies that zero or more characters must
// match, and ? specifies that exactly one character must match. Use a backslash to escape
// special characters", with the example \*amazon\?\\ for the literal *amazon?\ (the EC2
// Filter reference, as the AWS SDK for .NET carries it:
// docs.aws.amazon.com/sdkfornet1/latest/apidocs/html/T_Amazon_EC2_Model_Filter.htm). Only
// DescribeInstanceTopology's docs say "zero or one" for ?; it is not implemented. A trailing
// lone backslash is literal.
func compilePattern(s string) pattern {
	var p pattern
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			p = append(p, patternToken{r: rs[i]})
		case r == '*' || r == '?':
			p = append(p, patternToken{kind: byte(r)})
		default:
			p = append(p, patternToken{r: r})
		}
	}
	return p
}

// match is the classic greedy wildcard match with backtracking to the last *, linear in
// practice and never exponential.
func (p pattern) match(s string) bool {
	rs := []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && p[pi].kind == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi].kind == '?' || (p[pi].kind == 0 && p[pi].r == rs[si])):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].kind == '*' {
		pi++
	}
	return pi == len(p)
}

// resolved is where a filter name points in the resource shape.
type resolved struct {
	path      []int // field indexes, through pointers and lists
	tag       bool  // tag:<key>: path leads to Key/Value pairs
	container bool  // path starts at the container shape, not the resource
}

// resolveCache holds op+"\x00"+documented name → *resolved, or nil for a documented filter
// vpclab cannot resolve. Only documented names are cached (tag:<key> as one), so a client's
// arbitrary names cannot grow it.
var resolveCache sync.Map

// resolveFilter checks op's filter name against the documented ones and finds its member
// path, once per op and documented name.
func resolveFilter(op, name string) (*resolved, error) {
	documented := name
	if strings.HasPrefix(name, "tag:") {
		documented = "tag:<key>"
	}
	if !isDocumentedFilter(op, documented) {
		return nil, invalidFilter(op, name)
	}
	key := op + "\x00" + documented
	r, ok := resolveCache.Load(key)
	if !ok {
		r, _ = resolveCache.LoadOrStore(key, resolveDocumented(op, documented))
	}
	if res := r.(*resolved); res != nil {
		return res, nil
	}
	return nil, &Error{"InvalidParameterValue", "vpclab does not support the filter '" + name + "' for " + op + " yet"}
}

// resolveDocumented resolves a documented filter name of op, or returns nil.
func resolveDocumented(op, documented string) *resolved {
	elem := elementShapes[op]
	if elem == nil {
		return nil
	}
	if documented == "tag:<key>" {
		if path, ok := tagPairs(elem); ok {
			return &resolved{path: path, tag: true}
		}
		return nil
	}
	if p, ok := filterOverrides[elem.Name()+" "+documented]; ok && strings.HasPrefix(p, "^") {
		if path, ok := memberPath(containerShapes[op], p[1:], true); ok {
			return &resolved{path: path, container: true}
		}
		return nil
	}
	if path, ok := resolvePath(elem, documented); ok {
		return &resolved{path: path}
	}
	// A container member, but not through the container's list of resources: the filter
	// must test the resource's own group, not its siblings.
	if c := containerShapes[op]; c != nil {
		if path, ok := resolvePath(c, documented); ok && structOf(c.Field(path[0]).Type) != elem {
			return &resolved{path: path, container: true}
		}
	}
	return nil
}

func isDocumentedFilter(op, name string) bool {
	for _, n := range filterNames[op] {
		if n == name {
			return true
		}
	}
	return false
}

// invalidFilter is EC2's answer to a filter name the operation does not know. Real EC2
// answers DescribeInstances with InvalidParameterValue "The filter 'public-ip' is invalid"
// (boto/boto3#1299) and DescribeInstanceStatus alike (aws/aws-cli#7225), but
// DescribeVpcEndpointServices with the code InvalidFilter and the same message
// (mondoohq/mql#4454); moto's InvalidFilter is that rarer form.
func invalidFilter(op, name string) *Error {
	code := "InvalidParameterValue"
	if invalidFilterCode[op] != "" {
		code = invalidFilterCode[op]
	}
	return &Error{code, "The filter '" + name + "' is invalid"}
}

var invalidFilterCode = map[string]string{
	"DescribeVpcEndpointServices": "InvalidFilter",
}

// tagPairs is the path to the Key/Value pairs tag:<key> compares: the resource's list of Tag
// (Tags or TagSet), or the resource itself when it is one (DescribeTags' TagDescription).
func tagPairs(t reflect.Type) ([]int, bool) {
	if isKeyValue(t) {
		return nil, true
	}
	for i := range t.NumField() {
		if ft := t.Field(i).Type; ft.Kind() == reflect.Slice && ft.Elem() == reflect.TypeFor[Tag]() {
			return []int{i}, true
		}
	}
	return nil, false
}

func isKeyValue(t reflect.Type) bool {
	k, ok1 := t.FieldByName("Key")
	v, ok2 := t.FieldByName("Value")
	str := reflect.TypeFor[*string]()
	return ok1 && ok2 && k.Type == str && v.Type == str
}
