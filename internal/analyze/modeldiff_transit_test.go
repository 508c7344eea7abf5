package analyze

import (
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
)

// joinedEstate is a generated estate of three VPCs, A, B and C, joined two ways: A and B
// attached to a transit gateway, each associated with a route table of its own ("a" and "b")
// that the other propagates into, and B peered with C. Every subnet table routes the other
// VPCs' blocks to the gateway or the peering.
func joinedEstate() *model.Topology {
	t := estate(5)
	a, b, c := t.VPCs[0], t.VPCs[1], t.VPCs[2]
	t.TransitGateways = []*model.TransitGateway{{ID: "tgw-0000000000000000a", Region: "us-east-1", ASN: 64512, State: "available", Name: "hub"}}
	attach := func(v *model.VPC, n string) *model.TGWAttachment {
		x := &model.TGWAttachment{ID: model.TGWAttachmentID("tgw-attach-000000000000000" + n), TransitGateway: "tgw-0000000000000000a",
			Type: model.AttachVPC, ResourceID: string(v.ID), State: "available", Name: "attach-" + n,
			Association: model.TGWRouteTableID("tgw-rtb-000000000000000" + n), AssociationState: "associated"}
		for _, s := range t.Subnets {
			if s.VPC == v.ID && len(x.Subnets) == 0 {
				x.Subnets = append(x.Subnets, s.ID)
			}
		}
		return x
	}
	xa, xb := attach(a, "a"), attach(b, "b")
	t.TGWAttachments = []*model.TGWAttachment{xa, xb}
	table := func(n string, to *model.TGWAttachment, v *model.VPC) *model.TGWRouteTable {
		return &model.TGWRouteTable{ID: model.TGWRouteTableID("tgw-rtb-000000000000000" + n), TransitGateway: "tgw-0000000000000000a",
			State: "available", Searched: true, Name: "rtb-" + n, Propagations: []model.TGWAttachmentID{to.ID},
			Routes: []model.TGWRoute{{Destination: v.CIDRs[0], Attachments: []model.TGWAttachmentID{to.ID},
				Type: model.TGWRoutePropagated, State: model.TGWRouteActive, Via: model.AttachVPC}}}
	}
	t.TGWRouteTables = []*model.TGWRouteTable{table("a", xb, b), table("b", xa, a)}
	t.Peerings = []*model.VPCPeering{{ID: "pcx-0000000000000000b", Status: model.StateActive, Name: "b-c",
		Requester: model.PeeringSide{VPC: b.ID, CIDRs: b.CIDRs}, Accepter: model.PeeringSide{VPC: c.ID, CIDRs: c.CIDRs}}}
	route := func(v *model.VPC, dst netip.Prefix, kind model.TargetKind, id string) {
		for _, rt := range t.RouteTables {
			if rt.VPC == v.ID {
				rt.Routes = append(rt.Routes, model.Route{Destination: dst, Target: model.Target{Kind: kind, ID: id},
					Origin: model.OriginCreateRoute, State: model.RouteActive})
			}
		}
	}
	route(a, b.CIDRs[0], model.TargetTransitGateway, "tgw-0000000000000000a")
	route(b, a.CIDRs[0], model.TargetTransitGateway, "tgw-0000000000000000a")
	route(b, c.CIDRs[0], model.TargetPeering, "pcx-0000000000000000b")
	route(c, b.CIDRs[0], model.TargetPeering, "pcx-0000000000000000b")
	return t
}

// touchedVPCs lists the VPCs a model diff touches whole, by index in t.
func touchedVPCs(t *model.Topology, md *ModelDiff) []int {
	var out []int
	for i, v := range t.VPCs {
		if md.VPCs[v.ID] {
			out = append(out, i)
		}
	}
	return out
}

// candidatePairs is how many ordered pairs of instances Diff re-evaluates (compared, or ruled
// out by a first packet): those with an end in a touched VPC.
func candidatePairs(t *testing.T, tb, ta *model.Topology, md *ModelDiff) int {
	t.Helper()
	nb, _ := engine.Compile(tb)
	na, _ := engine.Compile(ta)
	b, a := New(nb, 1), New(na, 1)
	eps, _, _ := InstancePairs(b, a)
	r := Diff(b, a, md, eps, eps, Everything())
	return r.Pairs + r.Skipped
}

// pairsTouching counts the ordered pairs of distinct instances with an end in one of the VPCs.
func pairsTouching(t *model.Topology, vpcs ...int) int {
	in := map[model.VPCID]bool{}
	for _, i := range vpcs {
		in[t.VPCs[i].ID] = true
	}
	var vpcOf []model.VPCID
	for _, x := range t.Instances {
		vpcOf = append(vpcOf, t.ENI(x.ENIs[0]).VPC)
	}
	n := 0
	for i := range vpcOf {
		for j := range vpcOf {
			if i != j && (in[vpcOf[i]] || in[vpcOf[j]]) {
				n++
			}
		}
	}
	return n
}

// A change of each kind that joins VPCs is reported in AWS's terms and touches the VPCs whose
// flows can cross it: the two ends of a peering (§7.1.6), the VPCs whose attachments are
// associated with a transit gateway route table (§7.2.4), an attachment's VPC.
func TestDiffTransitChanges(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(t *model.Topology)
		kind  string
		lines []string
		vpcs  []int
	}{
		{"tgw route removed", func(t *model.Topology) { t.TGWRouteTables[0].Routes = nil },
			"transit-gateway-route-table", []string{"- route {B} -> tgw-attach-000000000000000b (propagated)"}, []int{0}},
		{"tgw route blackholed", func(t *model.Topology) {
			t.TGWRouteTables[1].Routes[0] = model.TGWRoute{Destination: t.VPCs[0].CIDRs[0], Type: model.TGWRouteStatic, State: model.TGWRouteBlackhole}
		}, "transit-gateway-route-table", []string{"- route {A} -> tgw-attach-000000000000000a (propagated)", "+ route {A} -> blackhole"}, []int{1}},
		{"propagation disabled", func(t *model.Topology) { t.TGWRouteTables[1].Propagations = nil },
			"transit-gateway-route-table", []string{"- propagation from tgw-attach-000000000000000a"}, []int{1}},
		{"peering pending", func(t *model.Topology) { t.Peerings[0].Status = "pending-acceptance" },
			"vpc-peering-connection", []string{"status active -> pending-acceptance"}, []int{1, 2}},
		{"peering block", func(t *model.Topology) { t.Peerings[0].Accepter.CIDRs = nil },
			"vpc-peering-connection", []string{"- accepter block {C}"}, []int{1, 2}},
		{"attachment state", func(t *model.Topology) { t.TGWAttachments[1].State = "deleting" },
			"transit-gateway-attachment", []string{"state available -> deleting"}, []int{1}},
		{"transit gateway state", func(t *model.Topology) { t.TransitGateways[0].State = "deleting" },
			"transit-gateway", []string{"state available -> deleting"}, []int{0, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, ta := joinedEstate(), joinedEstate()
			c.edit(ta)
			md := DiffModels(tb, ta)
			if len(md.Changes) != 1 {
				t.Fatalf("changes %v, want one %s", md.Changes, c.kind)
			}
			ch := md.Changes[0]
			names := strings.NewReplacer("{A}", tb.VPCs[0].CIDRs[0].String(), "{B}", tb.VPCs[1].CIDRs[0].String(), "{C}", tb.VPCs[2].CIDRs[0].String())
			var want []string
			for _, l := range c.lines {
				want = append(want, names.Replace(l))
			}
			if ch.Kind != c.kind || !slices.Equal(ch.Lines, want) {
				t.Errorf("change %s %q, want %s %q", ch.Kind, ch.Lines, c.kind, want)
			}
			if got := touchedVPCs(tb, md); !slices.Equal(got, c.vpcs) {
				t.Errorf("touches VPCs %v, want %v", got, c.vpcs)
			}
			if got, want := candidatePairs(t, tb, ta, md), pairsTouching(tb, c.vpcs...); got != want {
				t.Errorf("diff re-evaluated %d pairs, want the %d with an end in VPCs %v", got, want, c.vpcs)
			}
		})
	}
}

// A table associated with an attachment that other routes send traffic through (an
// inspection VPC: 0.0.0.0/0 -> its attachment) decides for flows between any two VPCs the
// gateway reaches: its change touches them all.
func TestDiffTransitOnwardAttachment(t *testing.T) {
	tb := joinedEstate()
	tb.TGWRouteTables[1].Routes = append(tb.TGWRouteTables[1].Routes, model.TGWRoute{Destination: netip.MustParsePrefix("0.0.0.0/0"),
		Attachments: []model.TGWAttachmentID{"tgw-attach-000000000000000a"}, Type: model.TGWRouteStatic, State: model.TGWRouteActive})
	ta := joinedEstate()
	ta.TGWRouteTables[1].Routes = slices.Clone(tb.TGWRouteTables[1].Routes)
	ta.TGWRouteTables[0].Routes = nil // the table of A, the inspection VPC
	md := DiffModels(tb, ta)
	if got := touchedVPCs(tb, md); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("touches VPCs %v, want both attached VPCs", got)
	}
}

// A transit gateway re-created under new IDs (a lab against a snapshot) matches by Name tag
// and associations, and then diffs as nothing.
func TestMatchRecreatedTransit(t *testing.T) {
	tb := joinedEstate()
	ids := map[string]string{}
	for _, s := range []string{"tgw-0000000000000000a", "tgw-attach-000000000000000a", "tgw-attach-000000000000000b",
		"tgw-rtb-000000000000000a", "tgw-rtb-000000000000000b", "pcx-0000000000000000b"} {
		ids[s] = strings.Replace(s, "0000000000", "1111111111", 1)
	}
	ta := withIDs(tb, ids)
	for _, x := range ta.TGWAttachments {
		x.Name = "" // attachments match by gateway and resource
	}
	for _, r := range ta.TGWRouteTables {
		r.Name = "" // tables by their associations
	}
	if md := DiffModels(tb, ta); len(md.Changes) == 0 {
		t.Fatal("by ID alone: no change")
	}
	m := MatchTopologies(tb, ta)
	var by []string
	for _, x := range m.Matched {
		by = append(by, x.Kind+" by "+x.By)
	}
	sort.Strings(by)
	want := []string{"transit-gateway by Name tag", "transit-gateway-attachment by transit gateway and resource",
		"transit-gateway-attachment by transit gateway and resource", "transit-gateway-route-table by associations",
		"transit-gateway-route-table by associations", "vpc-peering-connection by Name tag"}
	if !slices.Equal(by, want) || len(m.NotMatched) != 0 {
		t.Errorf("matched %q, not matched %v; want %q", by, m.NotMatched, want)
	}
	if md := DiffModels(tb, m.After); len(md.Changes) != 0 {
		t.Errorf("after matching: %v", md.Changes)
	}
}

// On a generated hub and spoke estate, a route of the shared table touches the
// shared-services VPC only (only packets from its attachment are looked up there), a route of
// the spokes table every spoke; a peering of a generated mesh, its two VPCs.
func TestDiffGeneratedJoins(t *testing.T) {
	joined := func(o gen.Options) *model.Topology {
		topo := gen.Estate(o)
		model.ApplyDefaults(topo)
		return topo
	}
	hub := gen.Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 2, Join: gen.JoinTGW}
	mesh := gen.Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 2, Join: gen.JoinPeeringMesh, MeshSize: 2}
	for _, c := range []struct {
		name  string
		o     gen.Options
		edit  func(t *model.Topology)
		kinds []string
		vpcs  []int
	}{
		{"shared table", hub, func(t *model.Topology) { t.TGWRouteTables[1].Routes = t.TGWRouteTables[1].Routes[:3] },
			[]string{"transit-gateway-route-table"}, []int{0}},
		{"spokes table", hub, func(t *model.Topology) { t.TGWRouteTables[0].Routes = t.TGWRouteTables[0].Routes[1:] },
			[]string{"transit-gateway-route-table"}, []int{1, 2, 3}},
		{"spoke attachment", hub, func(t *model.Topology) { t.TGWAttachments[2].Association = "" },
			// The table lists what is associated with it.
			[]string{"transit-gateway-attachment", "transit-gateway-route-table"}, []int{2}},
		{"mesh peering", mesh, func(t *model.Topology) { t.Peerings[1].Status = "deleted" },
			[]string{"vpc-peering-connection"}, []int{2, 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, ta := joined(c.o), joined(c.o)
			c.edit(ta)
			md := DiffModels(tb, ta)
			var kinds, lines []string
			for _, ch := range md.Changes {
				kinds, lines = append(kinds, ch.Kind), append(lines, ch.Lines...)
			}
			if !slices.Equal(kinds, c.kinds) {
				t.Fatalf("changes %v, want %v", md.Changes, c.kinds)
			}
			if got := touchedVPCs(tb, md); !slices.Equal(got, c.vpcs) {
				t.Errorf("%q: touches VPCs %v, want %v", lines, got, c.vpcs)
			}
		})
	}
}

// Diff re-evaluates only the VPCs a transit change touches; on generated joined estates it
// must find exactly the flows that comparing every pair finds.
func TestDiffTransitAgreesWithBruteForce(t *testing.T) {
	hub := gen.Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 6, Join: gen.JoinTGW}
	mesh := gen.Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 6, Join: gen.JoinPeeringMesh, MeshSize: 2}
	for _, c := range []struct {
		name string
		o    gen.Options
		edit func(t *model.Topology)
	}{
		{"spoke route removed", hub, func(t *model.Topology) { t.TGWRouteTables[0].Routes = t.TGWRouteTables[0].Routes[:3] }},
		{"shared route blackholed", hub, func(t *model.Topology) {
			r := &t.TGWRouteTables[1].Routes[2]
			r.Attachments, r.Type, r.State = nil, model.TGWRouteStatic, model.TGWRouteBlackhole
		}},
		{"spoke unassociated", hub, func(t *model.Topology) { t.TGWAttachments[1].Association = "" }},
		{"peering pending", mesh, func(t *model.Topology) { t.Peerings[0].Status = "pending-acceptance" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, ta := gen.Estate(c.o), gen.Estate(c.o)
			model.ApplyDefaults(tb)
			model.ApplyDefaults(ta)
			c.edit(ta)
			nb, _ := engine.Compile(tb)
			na, _ := engine.Compile(ta)
			b, a := New(nb, 1), New(na, 1)
			md := DiffModels(tb, ta)
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
		})
	}
}
