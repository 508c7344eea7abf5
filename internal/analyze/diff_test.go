package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

func flowLines(fs []*FlowChange) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s -> %s %s: %v -> %v", f.From, f.To, f.Space.Text(f.Query), f.Before.Reachable, f.After.Reachable))
	}
	slices.Sort(out)
	return out
}

func estate(seed uint64) *model.Topology {
	t := gen.Estate(gen.Options{VPCs: 3, SubnetsPerVPC: 4, InstancesPerSubnet: 2, Seed: seed})
	model.ApplyDefaults(t)
	return t
}

// Diff prunes pairs by the model diff and by first packets; on small estates it must find
// exactly what comparing every pair over the whole header space finds.
func TestDiffAgreesWithBruteForce(t *testing.T) {
	vpcOf := func(t *model.Topology, i int) model.VPCID { return t.VPCs[i].ID }
	for _, c := range []struct {
		name   string
		change func(t *model.Topology)
	}{
		{"sg rule", func(t *model.Topology) {
			for _, g := range t.SecurityGroups {
				if g.VPC == vpcOf(t, 1) && strings.HasSuffix(g.Name, "-db") {
					g.Ingress[0].Group, g.Ingress[0].CIDR = "", t.VPCs[1].CIDRs[0]
				}
			}
		}},
		{"sg egress", func(t *model.Topology) {
			for _, g := range t.SecurityGroups {
				if g.VPC == vpcOf(t, 0) && strings.HasSuffix(g.Name, "-db") {
					g.Egress = []model.SecurityGroupRule{{ID: "x", Protocol: 6, FromPort: 443, ToPort: 443, CIDR: netip.MustParsePrefix("0.0.0.0/0")}}
				}
			}
		}},
		{"nacl entry", func(t *model.Topology) {
			for _, a := range t.NetworkACLs {
				if a.VPC == vpcOf(t, 2) && strings.HasSuffix(a.Name, "-private") {
					a.Entries = slices.DeleteFunc(a.Entries, func(e model.NetworkACLEntry) bool { return e.RuleNumber == 90 })
				}
			}
		}},
		{"route", func(t *model.Topology) {
			for _, rt := range t.RouteTables {
				if rt.VPC == vpcOf(t, 0) && strings.HasSuffix(rt.Name, "-private") {
					rt.Routes = rt.Routes[:1] // no default route: nothing to the NAT gateway
				}
			}
		}},
		{"interface groups", func(t *model.Topology) {
			for _, e := range t.NetworkInterfaces {
				if e.VPC == vpcOf(t, 1) && len(e.SecurityGroups) == 1 {
					e.SecurityGroups = []model.SecurityGroupID{t.DefaultSecurityGroup(e.VPC).ID}
					break
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, ta := estate(5), estate(5)
			c.change(ta)
			nb, _ := engine.Compile(tb)
			na, _ := engine.Compile(ta)
			b, a := New(nb, 1), New(na, 1)
			md := DiffModels(tb, ta)
			if len(md.Changes) == 0 {
				t.Fatal("the change changed nothing")
			}
			eps, _, _ := InstancePairs(b, a)
			got := Diff(b, a, md, eps, eps, Everything())
			var want []*FlowChange
			for _, x := range eps {
				for _, y := range eps {
					if x != y {
						want = append(want, pairFlows(b, a, x, y, Everything(), []Query{Everything()})...)
					}
				}
			}
			g, w := flowLines(got.Flows), flowLines(want)
			if len(w) == 0 {
				t.Fatal("brute force finds no change: the test checks nothing")
			}
			if !slices.Equal(g, w) {
				t.Errorf("diff:\n  %s\nbrute force:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
			}
			if got.Pairs >= len(eps)*(len(eps)-1) && c.name != "route" {
				t.Errorf("compared %d pairs in full: no pruning", got.Pairs)
			}
		})
	}
}

// Done when: diff names the flows that changed and the change behind each.
func TestDiffNarrowedLab(t *testing.T) {
	parse := func(path string) *engine.Network {
		topo, probs := lab.Parse(path, []byte(labFile(t, path)))
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		n, _ := engine.Compile(topo)
		return n
	}
	nb, na := parse("../../examples/east-west-nat/lab.yaml"), parse(narrowed)
	b, a := New(nb, 1), New(na, 1)
	eps, _, _ := InstancePairs(b, a)
	r := Diff(b, a, DiffModels(nb.Topology, na.Topology), eps, eps, Everything())
	if len(r.Flows) != 2 {
		t.Fatalf("%d flows: %v", len(r.Flows), flowLines(r.Flows))
	}
	f := r.Flows[0]
	if f.From != "source" || f.To != "destination" || f.Space.Text(f.Query) != "TCP; UDP; ICMP type 8" ||
		!f.Before.Reachable || f.After.Reachable {
		t.Errorf("first flow: %s", flowLines(r.Flows[:1]))
	}
	if len(f.Causes) != 1 || f.Causes[0].AtAfter.Name != "src-subnet-only" || !strings.Contains(f.Causes[0].Before, "allow inbound") ||
		!strings.Contains(f.Causes[0].After, "deny inbound") {
		t.Errorf("cause: %+v", f.Causes)
	}
	kinds := []string{}
	for _, c := range f.Changed {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Equal(kinds, []string{"network-interface", "security-group"}) {
		t.Errorf("changes named: %v", kinds)
	}
	// No change, no flows.
	if r := Diff(b, b, DiffModels(nb.Topology, nb.Topology), eps, eps, Everything()); len(r.Flows)+len(r.Model.Changes) != 0 {
		t.Errorf("a topology against itself: %d flows, %d changes", len(r.Flows), len(r.Model.Changes))
	}
}

// Every field the engine decides by is one diff compares: an instance that stops (§6.1), an
// appliance that becomes a stateful firewall (§13.13) and an interface that turns out to be
// a service's (§9.8) each change flows, and diff reports them.
func TestDiffSeesStateForwardingAndInterfaceType(t *testing.T) {
	parse := func(path string, edit func(*model.Topology)) *engine.Network {
		topo, probs := lab.Parse(path, []byte(labFile(t, path)))
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		edit(topo)
		n, _ := engine.Compile(topo)
		return n
	}
	const asym = "../../examples/asymmetric-appliance/lab.yaml"
	for _, c := range []struct {
		name string
		edit func(*model.Topology)
		line string
	}{
		{"stopped", func(t *model.Topology) { t.Instances[1].State = "stopped" }, "state running -> stopped"},
		{"stateful", func(t *model.Topology) { t.Instances[2].StatefulForwarding = true }, "forwarding stateless -> stateful"},
		{"ip forwarding off", func(t *model.Topology) { t.Instances[2].IPForwardOff = true }, "IP forwarding on -> off"},
		{"service interface", func(t *model.Topology) { t.NetworkInterfaces[1].Type = model.InterfaceTypeTransitGateway }, "type interface -> transit_gateway"},
	} {
		t.Run(c.name, func(t *testing.T) {
			nb, na := parse(asym, func(*model.Topology) {}), parse(asym, c.edit)
			md := DiffModels(nb.Topology, na.Topology)
			var lines []string
			for _, ch := range md.Changes {
				lines = append(lines, ch.Lines...)
			}
			if !slices.Contains(lines, c.line) {
				t.Errorf("model diff %v; want %q", lines, c.line)
			}
			b, a := New(nb, 1), New(na, 1)
			eps, _, _ := InstancePairs(b, a)
			if r := Diff(b, a, md, eps, eps, Everything()); len(r.Flows) == 0 {
				t.Errorf("no flow changed")
			}
		})
	}
}
