package analyze

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

// sameCell compares two cells as every output shows them: the verdict, what gets through and
// the first blocker (its Detail is a sentence about a representative packet, not compared).
func sameCell(a, b Cell, q Query) bool {
	if a.Verdict != b.Verdict || a.Reachable.Text(q) != b.Reachable.Text(q) || (a.Blocker == nil) != (b.Blocker == nil) {
		return false
	}
	if a.Blocker == nil {
		return true
	}
	x, y := a.Blocker, b.Blocker
	return x.Path == y.Path && x.Code == y.Code && x.At == y.At && x.Direction == y.Direction && x.Rule == y.Rule
}

// compareGrouped checks that the grouped matrix, expanded to pairs, is the pairwise matrix
// (the reference), in both scopes; it returns the endpoints, classes and far rows seen.
func compareGrouped(t *testing.T, name string, topo *model.Topology, q Query) (eps, classes, far int) {
	t.Helper()
	pt, probes, _ := ProbeTopology(topo)
	for _, scope := range []string{ScopeSubnets, ScopeInstances} {
		var a *Analyzer
		var ms []MatrixEndpoint
		if scope == ScopeSubnets {
			n, _ := engine.Compile(pt)
			a = New(n, 1)
			ms = a.SubnetEndpoints(probes)
		} else {
			n, _ := engine.Compile(topo)
			a = New(n, 1)
			ms = a.InstanceEndpoints()
		}
		m := a.Matrix(scope, ms, q)
		g := a.GroupEndpoints(scope, ms, q)
		g.Compute(nil)
		bad := 0
		for i := range ms {
			for j := range ms {
				got, want := g.Cell(i, j), m.Cells[i][j]
				if !sameCell(got, want, q) && bad < 5 {
					bad++
					t.Errorf("%s %s: %s -> %s: grouped %v %q %q, pairwise %v %q %q", name, scope, ms[i].Label(), ms[j].Label(),
						got.Verdict, got.Reachable.Text(q), got.blockerText(), want.Verdict, want.Reachable.Text(q), want.blockerText())
				}
			}
		}
		var want, got strings.Builder
		m.WriteText(&want)
		g.WritePairsText(&got)
		if got.String() != want.String() {
			t.Errorf("%s %s: the grouped matrix's text differs from the pairwise one", name, scope)
		}
		want.Reset()
		got.Reset()
		if m.WriteCSV(&want) != nil || g.WritePairsCSV(&got) != nil || got.String() != want.String() {
			t.Errorf("%s %s: the grouped matrix's CSV differs from the pairwise one", name, scope)
		}
		want.Reset()
		got.Reset()
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if enc.Encode(m.JSON()) != nil || a.WritePairsJSON(&got, scope, ms, q, nil) != nil || got.String() != want.String() {
			t.Errorf("%s %s: the streamed JSON differs from the pairwise one:\n%s\n%s", name, scope, got.String()[:min(300, got.Len())], want.String()[:min(300, want.Len())])
		}
		all, some, none := m.Counts()
		ga, gs, gn := g.Counts()
		if int64(all) != ga || int64(some) != gs || int64(none) != gn {
			t.Errorf("%s %s: grouped counts %d %d %d, pairwise %d %d %d", name, scope, ga, gs, gn, all, some, none)
		}
		for _, r := range g.Rows {
			if r.Far != nil {
				far++
			}
		}
		eps, classes = eps+len(ms), classes+len(g.Classes)
	}
	return eps, classes, far
}

func TestGroupedMatchesPairwiseOnEstates(t *testing.T) {
	for _, c := range []struct {
		o       gen.Options
		wantFar bool
	}{
		{gen.Options{VPCs: 5, SubnetsPerVPC: 7, InstancesPerSubnet: 2, Seed: 3}, true},
		{gen.Options{VPCs: 4, SubnetsPerVPC: 10, InstancesPerSubnet: 1, Seed: 5, Join: gen.JoinTGW}, false},
		{gen.Options{VPCs: 4, SubnetsPerVPC: 10, InstancesPerSubnet: 1, Seed: 6, Join: gen.JoinTGW, IsolateSpokes: true}, false},
		{gen.Options{VPCs: 6, SubnetsPerVPC: 5, InstancesPerSubnet: 1, Seed: 7, Join: gen.JoinPeeringMesh, MeshSize: 3}, true},
	} {
		name := fmt.Sprintf("%d VPCs join %q", c.o.VPCs, c.o.Join)
		topo := gen.Estate(c.o)
		model.ApplyDefaults(topo)
		eps, classes, far := compareGrouped(t, name, topo, Everything())
		if classes >= eps {
			t.Errorf("%s: %d classes for %d endpoints: nothing was grouped, the test compares nothing grouped", name, classes, eps)
		}
		if c.wantFar && far == 0 {
			t.Errorf("%s: no far row: the far sets are not exercised", name)
		}
	}
	// A narrower query cuts the header space otherwise.
	topo := gen.Estate(gen.Options{VPCs: 3, SubnetsPerVPC: 5, InstancesPerSubnet: 2, Seed: 9, Join: gen.JoinTGW})
	model.ApplyDefaults(topo)
	q := Everything()
	q.Protocol, q.DstPorts = 6, Interval{22, 22}
	compareGrouped(t, "tcp 22", topo, q)
}

func TestGroupedMatchesPairwiseOnExamples(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*/lab*.yaml")
	if len(files) == 0 {
		t.Fatal("no example labs")
	}
	for _, f := range files {
		topo, probs := lab.Parse(f, []byte(labFile(t, f)))
		if probs.HasErrors() {
			t.Fatalf("%s: %v", f, probs)
		}
		compareGrouped(t, f, topo, Everything())
	}
}

// A class pair whose cell names its own representative's component is split, not shared.
func TestOwnComponentSplits(t *testing.T) {
	e := MatrixEndpoint{ID: "subnet-1", Subnet: "subnet-1"}
	e.Endpoint.ENI = "eni-1"
	c := Cell{Verdict: None, Blocker: &Blocker{At: engine.Component{ID: "subnet-1"}}}
	if !own(&Analyzer{Net: &engine.Network{}}, c, e) {
		t.Error("a blocker at the endpoint's own subnet is not seen as its own")
	}
	c.Blocker.At.ID = "acl-1"
	if own(&Analyzer{Net: &engine.Network{}}, c, e) {
		t.Error("a blocker at a shared ACL is seen as the endpoint's own")
	}
}
