package analyze

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

func subnetMatrix(t *testing.T, topo *model.Topology, q Query) (*Analyzer, *Matrix) {
	t.Helper()
	pt, probes, missing := ProbeTopology(topo)
	if len(missing) > 0 {
		t.Fatalf("no probe for %v", missing)
	}
	n, _ := engine.Compile(pt)
	a := New(n, 1)
	return a, a.Matrix(ScopeSubnets, a.SubnetEndpoints(probes), q)
}

func TestMatrixSubnetsEastWest(t *testing.T) {
	topo, probs := lab.Parse("lab.yaml", []byte(labFile(t, "../../examples/east-west-nat/lab.yaml")))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	nIfaces := len(topo.NetworkInterfaces)
	_, m := subnetMatrix(t, topo, Everything())
	if len(topo.NetworkInterfaces) != nIfaces {
		t.Error("ProbeTopology changed the topology it was given")
	}
	names := []string{}
	for _, e := range m.Endpoints {
		names = append(names, e.Label())
	}
	if strings.Join(names, ",") != "src,dst,nat" {
		t.Fatalf("endpoints %v", names)
	}
	// src -> dst crosses the NAT gateway: other protocols and ICMP other than echo stop there;
	// dst -> src is answered through the NAT gateway (asymmetric): only one-way ICMP works.
	want := [3][3]Verdict{{Self, Some, All}, {Some, Self, All}, {All, All, Self}}
	for i := range 3 {
		for j := range 3 {
			if got := m.Cells[i][j].Verdict; got != want[i][j] {
				t.Errorf("%s -> %s: %v, want %v", names[i], names[j], got, want[i][j])
			}
		}
	}
	if got := m.Cells[0][1].Reachable.Text(m.Query); got != "TCP; UDP; ICMP type 8" {
		t.Errorf("src -> dst reachable %q", got)
	}
	if b := m.Cells[1][0].Blocker; b == nil || b.Code != CodeReplySourceMismatch {
		t.Errorf("dst -> src first blocker %+v, want the answer translated by the NAT gateway", b)
	}
	var sb strings.Builder
	m.WriteText(&sb)
	for _, want := range []string{"Legend: # everything", "1  src \\+#", "2  dst +\\#", "3  nat ##\\"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("grid lacks %q:\n%s", want, sb.String())
		}
	}
}

// The far-destination memo must give what evaluating every pair gives.
func TestMatrixFarMemoAgreesWithDirect(t *testing.T) {
	topo := gen.Estate(gen.Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 3})
	model.ApplyDefaults(topo)
	a, m := subnetMatrix(t, topo, Everything())
	far := 0
	for i, from := range m.Endpoints {
		for j, to := range m.Endpoints {
			if i == j {
				continue
			}
			direct, _ := a.cell(from.Endpoint, to.Endpoint, m.Query)
			got := m.Cells[i][j]
			if a.isFar(from.Endpoint, to.Endpoint) {
				far++
			}
			if got.Verdict != direct.Verdict || got.blockerText() != direct.blockerText() ||
				got.Reachable.Text(m.Query) != direct.Reachable.Text(m.Query) {
				t.Errorf("%s -> %s: matrix %v %q, direct %v %q", from.Label(), to.Label(), got.Verdict, got.blockerText(), direct.Verdict, direct.blockerText())
			}
		}
	}
	if far == 0 {
		t.Error("no far pairs: the test checks nothing")
	}
}

func TestFreeAddress(t *testing.T) {
	c := netip.MustParsePrefix("10.0.1.0/28")
	used := map[netip.Addr]bool{netip.MustParseAddr("10.0.1.14"): true}
	if a, ok := freeAddress(c, used); !ok || a != netip.MustParseAddr("10.0.1.13") {
		t.Errorf("got %v %v, want 10.0.1.13 (.15 is reserved, .14 used)", a, ok)
	}
	for a := netip.MustParseAddr("10.0.1.4"); a.Less(netip.MustParseAddr("10.0.1.15")); a = a.Next() {
		used[a] = true
	}
	if a, ok := freeAddress(c, used); ok {
		t.Errorf("full subnet gave %v", a)
	}
}
