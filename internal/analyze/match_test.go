package analyze

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/lab"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

func diffFlows(t *testing.T, tb, ta *model.Topology) ([]string, *ModelDiff) {
	t.Helper()
	nb, _ := engine.Compile(tb)
	na, _ := engine.Compile(ta)
	b, a := New(nb, 1), New(na, 1)
	md := DiffModels(tb, ta)
	eps, _, _ := InstancePairs(b, a)
	return flowLines(Diff(b, a, md, eps, eps, Everything()).Flows), md
}

// Done when: a lab re-created under another VPC name (every ID differs) with one security
// group rule narrowed diffs as that one rule and the flows it changes; by ID alone nothing
// was compared.
func TestMatchRecreatedLab(t *testing.T) {
	load := func(name string) *model.Topology {
		path := "../cli/testdata/analyze/" + name
		topo, probs := lab.Parse(path, []byte(labFile(t, path)))
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		return topo
	}
	tb, ta := load("recreated-before.yaml"), load("recreated-after.yaml")
	if flows, _ := diffFlows(t, tb, ta); len(flows) != 0 {
		t.Fatalf("by ID alone: %v", flows)
	}
	m := MatchTopologies(tb, ta)
	if m.ByID != 0 || len(m.Matched) != 18 || len(m.NotMatched) != 0 || m.Disjoint() {
		t.Errorf("by ID %d, matched %d %+v, not matched %v", m.ByID, len(m.Matched), m.Matched, m.NotMatched)
	}
	flows, md := diffFlows(t, tb, m.After)
	if len(md.Changes) != 1 || md.Changes[0].Kind != "security-group" || md.Changes[0].Name != "vpc-only" {
		t.Errorf("changes: %v", md.Changes)
	}
	if !slices.Contains(flows, "source -> destination TCP; UDP; ICMP type 8: true -> false") {
		t.Errorf("flows: %v", flows)
	}
	if ta.VPCs[0].ID == tb.VPCs[0].ID || m.After.VPCs[0].ID != tb.VPCs[0].ID {
		t.Error("the after topology was modified, or not rewritten")
	}

	other, probs := lab.Parse("other.yaml", []byte("vpc: {name: lisbon, cidr: 172.16.0.0/16}\n"))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	if m := MatchTopologies(tb, other); !m.Disjoint() {
		t.Errorf("a different network: %+v", m.Matched)
	}
}

// awsID is an AWS ID in describe-* JSON (§9.1).
var awsID = regexp.MustCompile(`\b([a-z]+)-([0-9a-f]{17}|[0-9a-f]{8})\b`)

// recreatedEstate is a generated estate read back from its describe-* files, and the same
// estate re-created: every ID in the files replaced by a new one (Name tags, group names and
// addresses kept), read back from rewritten files.
func recreatedEstate(t *testing.T) (before, after *model.Topology) {
	t.Helper()
	dir := t.TempDir()
	if err := gen.WriteSnapshot(estate(5), dir); err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = awsID.ReplaceAllFunc(b, func(id []byte) []byte {
			return []byte(model.DeriveID(strings.SplitN(string(id), "-", 2)[0], "re-created/"+string(id)))
		})
		if err := os.WriteFile(filepath.Join(again, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var probs model.Problems
	before, probs = snapshot.Load(dir)
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	after, probs = snapshot.Load(again)
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	return before, after
}

// stringsIn collects every string a value holds, for checking that no old ID is left.
func stringsIn(v reflect.Value, out map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			stringsIn(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			stringsIn(v.Index(i), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				stringsIn(v.Field(i), out)
			}
		}
	case reflect.String:
		out[v.String()] = true
	}
}

// Done when: a whole estate re-created (every ID new, Name tags and CIDRs kept) matches
// resource for resource, with every reference rewritten: nothing differs, and a change diffs
// to the same flows as without re-creation.
func TestMatchRecreatedEstate(t *testing.T) {
	tb, ta := recreatedEstate(t)
	m := MatchTopologies(tb, ta)
	total := 0
	for _, r := range kindRows {
		total += len(r.ids(tb))
	}
	if len(m.NotMatched) != 0 || len(m.Matched)+m.ByID != total || m.ByID != 0 {
		t.Fatalf("%d resources; matched %d, by ID %d; not matched: %v", total, len(m.Matched), m.ByID, m.NotMatched)
	}
	if md := DiffModels(tb, m.After); len(md.Changes) != 0 {
		t.Errorf("changes: %v", md.Changes)
	}
	// No reference to an after ID is left, in any field.
	inB := map[string]bool{}
	stringsIn(reflect.ValueOf(tb), inB)
	left := map[string]bool{}
	stringsIn(reflect.ValueOf(m.After), left)
	for s := range left {
		if awsID.FindString(s) == s && !inB[s] { // IDs inside descriptions are not references
			t.Errorf("%s is still referred to after matching", s)
		}
	}

	for _, c := range []struct {
		name   string
		change func(t *model.Topology)
	}{
		{"sg rule", func(t *model.Topology) {
			for _, g := range t.SecurityGroups {
				if strings.HasSuffix(g.Name, "-db") {
					g.Ingress[0].Group, g.Ingress[0].CIDR = "", netip.MustParsePrefix("10.0.0.0/8")
				}
			}
		}},
		{"route", func(t *model.Topology) {
			for _, rt := range t.RouteTables {
				if strings.HasSuffix(rt.Name, "-private") {
					rt.Routes = rt.Routes[:1]
					break
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, ta := recreatedEstate(t)
			changed := withIDs(tb, nil)
			c.change(changed)
			c.change(ta)
			want, _ := diffFlows(t, tb, changed)
			got, _ := diffFlows(t, tb, MatchTopologies(tb, ta).After)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("re-created:\n  %s\nsame IDs:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}
