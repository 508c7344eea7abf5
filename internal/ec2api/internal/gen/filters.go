package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// docsFile is the model's documentation, beside api-2.json: the only place the model names
// the filters each Describe operation accepts (in the docs of its Filters member).
const docsFile = "docs-2.json"

type docs struct {
	Shapes map[string]struct {
		Refs map[string]string `json:"refs"`
	} `json:"shapes"`
}

// filterName is the name at the start of one documented filter's list item: `<code>vpc-id</code> -`,
// `<code>tag</code>:&lt;key&gt; -`, `prefix-list-id:` (DescribePrefixLists) and bare
// `path-found -` (the Network Insights operations) all occur.
var filterName = regexp.MustCompile(`^([A-Za-z0-9.:<>_-]+)\s*(?:-|:|$)`)

var tagsRE = regexp.MustCompile(`<[^>]*>`)

// genFilters writes the documented filter names of each implemented operation whose input
// has a list-of-Filter member, so that vpclab serve rejects a filter name AWS would reject.
func genFilters(a *api, model string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(model), docsFile))
	if err != nil {
		return nil, err
	}
	var d docs
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", docsFile, err)
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// filterNames are, per implemented operation that takes filters, the filter names its\n" +
		"// documentation lists, sorted; a tag filter is listed as \"tag:<key>\".\n" +
		"var filterNames = map[string][]string{\n")
	ops := slices.Clone(implemented)
	slices.Sort(ops)
	for _, op := range ops {
		o := a.Operations[op]
		if o.Input == nil {
			continue
		}
		in := a.Shapes[o.Input.Shape]
		for _, m := range sortedKeys(in.Members) {
			s := a.Shapes[in.Members[m].Shape]
			if s.Type != "list" || s.Member.Shape != "Filter" {
				continue
			}
			doc, ok := d.Shapes[in.Members[m].Shape].Refs[o.Input.Shape+"$"+m]
			if !ok {
				return nil, fmt.Errorf("%s: no docs for %s$%s", docsFile, o.Input.Shape, m)
			}
			names, err := parseFilterNames(doc)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", op, m, err)
			}
			fmt.Fprintf(&b, "\t%q: {", op)
			for i, n := range names {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%q", n)
			}
			b.WriteString("},\n")
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// parseFilterNames takes the name leading each <li> of a Filters member's docs. An item whose
// start is not a name is an error, so that a changed docs format fails the generator instead
// of silently dropping filters.
func parseFilterNames(doc string) ([]string, error) {
	var names []string
	for _, item := range strings.Split(doc, "<li>")[1:] {
		text := strings.TrimSpace(html.UnescapeString(tagsRE.ReplaceAllString(item, "")))
		m := filterName.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("list item %.60q does not start with a filter name", text)
		}
		n := strings.TrimSuffix(m[1], ":")
		if strings.HasPrefix(n, "tag:") {
			n = "tag:<key>"
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}
