package gen

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

func hub(vpcs int, isolate bool) Options {
	return Options{VPCs: vpcs, SubnetsPerVPC: 4, InstancesPerSubnet: 3, Seed: 11, Join: JoinTGW, IsolateSpokes: isolate}
}

// Done when: --join tgw writes one transit gateway with a spokes and a shared table, an
// attachment per VPC in the first subnet of each zone with the gateway's interface there,
// every route's attachment existing, and a supernet route to the gateway in every table.
func TestJoinTGWAnswers(t *testing.T) {
	for _, isolate := range []bool{false, true} {
		t.Run(fmt.Sprint("isolate spokes ", isolate), func(t *testing.T) {
			o := hub(5, isolate)
			topo := Estate(o)
			dir := writeSnapshot(t, topo)
			var (
				vpcs    vpcsFile
				subnets subnetsFile
				enis    enisFile
				rts     routeTablesFile
				tgws    tgwsFile
				atts    tgwAttachmentsFile
				vatts   tgwVPCAttachmentsFile
				tables  tgwTablesFile
				routes  tgwRoutesFile
				props   tgwPropagationsFile
			)
			for name, v := range map[string]any{"Vpcs.json": &vpcs, "Subnets.json": &subnets, "NetworkInterfaces.json": &enis,
				"RouteTables.json": &rts, "TransitGateways.json": &tgws, "TransitGatewayAttachments.json": &atts,
				"TransitGatewayVpcAttachments.json": &vatts, "TransitGatewayRouteTables.json": &tables,
				"TransitGatewayStaticRoutes.json": &routes, "TransitGatewayPropagations.json": &props} {
				decode(t, dir, name, v)
			}
			if len(tgws.TransitGateways) != 1 {
				t.Fatalf("%d transit gateways", len(tgws.TransitGateways))
			}
			g := tgws.TransitGateways[0]
			if g.State != "available" || g.Options["DefaultRouteTableAssociation"] != "disable" || g.Options["AmazonSideAsn"] != 64512.0 ||
				g.TransitGatewayArn != "arn:aws:ec2:us-east-1:"+g.OwnerId+":transit-gateway/"+g.TransitGatewayId {
				t.Errorf("transit gateway %+v", g)
			}

			// Two tables of that gateway, spokes and shared.
			tableOf := map[string]string{} // name → ID
			for _, rt := range tables.TransitGatewayRouteTables {
				if rt.TransitGatewayId != g.TransitGatewayId || rt.State != "available" || len(rt.Tags) != 1 {
					t.Errorf("table %+v", rt)
					continue
				}
				tableOf[rt.Tags[0].Value] = rt.TransitGatewayRouteTableId
			}
			if len(tableOf) != 2 || tableOf["hub-spokes"] == "" || tableOf["hub-shared"] == "" {
				t.Fatalf("tables %v, want hub-spokes and hub-shared", tableOf)
			}

			// One attachment per VPC, VPC 0 associated with shared, the spokes with spokes.
			cidrOf := map[string]string{}
			for _, v := range vpcs.Vpcs {
				cidrOf[v.VpcId] = v.CidrBlock
			}
			attOf := map[string]string{} // attachment → VPC
			if len(atts.TransitGatewayAttachments) != o.VPCs {
				t.Fatalf("%d attachments, want %d", len(atts.TransitGatewayAttachments), o.VPCs)
			}
			for i, a := range atts.TransitGatewayAttachments {
				want := tableOf["hub-spokes"]
				if i == 0 {
					want = tableOf["hub-shared"]
				}
				if a.TransitGatewayId != g.TransitGatewayId || a.ResourceType != "vpc" || a.State != "available" ||
					a.ResourceId != vpcs.Vpcs[i].VpcId || a.Association == nil ||
					a.Association.TransitGatewayRouteTableId != want || a.Association.State != "associated" {
					t.Errorf("attachment %d: %+v %+v, want VPC %s associated with %s", i, a, a.Association, vpcs.Vpcs[i].VpcId, want)
				}
				attOf[a.TransitGatewayAttachmentId] = a.ResourceId
			}

			// Attachment subnets: the first subnet of each zone of the VPC, each with the
			// gateway's interface.
			firstInZone := map[string][]string{}
			seen := map[string]bool{}
			subnetCIDR := map[string]netip.Prefix{}
			for _, s := range subnets.Subnets {
				subnetCIDR[s.SubnetId] = netip.MustParsePrefix(s.CidrBlock)
				if k := s.VpcId + "/" + s.AvailabilityZone; !seen[k] {
					seen[k] = true
					firstInZone[s.VpcId] = append(firstInZone[s.VpcId], s.SubnetId)
				}
			}
			tgwENIs := map[string]string{} // subnet → the description of its gateway interface
			addrs := map[string]bool{}
			for _, e := range enis.NetworkInterfaces {
				if addrs[e.PrivateIpAddress] {
					t.Errorf("address %s twice", e.PrivateIpAddress)
				}
				addrs[e.PrivateIpAddress] = true
				if e.InterfaceType != "transit_gateway" {
					continue
				}
				a := netip.MustParseAddr(e.PrivateIpAddress)
				if !e.RequesterManaged || e.SourceDestCheck || len(e.Groups) != 0 || !subnetCIDR[e.SubnetId].Contains(a) {
					t.Errorf("transit gateway interface %+v", e)
				}
				tgwENIs[e.SubnetId] = e.Description
			}
			if len(vatts.TransitGatewayVpcAttachments) != o.VPCs || len(tgwENIs) != 3*o.VPCs {
				t.Fatalf("%d VPC attachments, %d interfaces; want %d and %d", len(vatts.TransitGatewayVpcAttachments), len(tgwENIs), o.VPCs, 3*o.VPCs)
			}
			for _, a := range vatts.TransitGatewayVpcAttachments {
				if attOf[a.TransitGatewayAttachmentId] != a.VpcId || a.State != "available" || a.Options["ApplianceModeSupport"] != "disable" {
					t.Errorf("VPC attachment %+v", a)
				}
				if !slices.Equal(a.SubnetIds, firstInZone[a.VpcId]) {
					t.Errorf("attachment %s subnets %v, want the first of each zone %v", a.TransitGatewayAttachmentId, a.SubnetIds, firstInZone[a.VpcId])
				}
				for _, s := range a.SubnetIds {
					if tgwENIs[s] != "Network Interface for Transit Gateway Attachment "+a.TransitGatewayAttachmentId {
						t.Errorf("subnet %s: transit gateway interface %q", s, tgwENIs[s])
					}
				}
			}

			// Routes: each propagation's VPC block, to an attachment that exists, of that VPC.
			propagating := map[string]int{"hub-shared": o.VPCs, "hub-spokes": o.VPCs}
			if isolate {
				propagating["hub-spokes"] = 1
			}
			for _, tr := range routes.TransitGatewayStaticRoutes {
				name := nameOf(tableOf, tr.TransitGatewayRouteTableId)
				if tr.AdditionalRoutesAvailable || len(tr.Routes) != propagating[name] {
					t.Errorf("table %s: %d routes, want %d", name, len(tr.Routes), propagating[name])
				}
				for _, r := range tr.Routes {
					if len(r.TransitGatewayAttachments) != 1 || r.Type != "propagated" || r.State != "active" {
						t.Errorf("table %s: route %+v", name, r)
						continue
					}
					ra := r.TransitGatewayAttachments[0]
					if vpc := attOf[ra.TransitGatewayAttachmentId]; vpc == "" || vpc != ra.ResourceId || ra.ResourceType != "vpc" || cidrOf[vpc] != r.DestinationCidrBlock {
						t.Errorf("table %s: route %s -> %+v: no such attachment, or not the block of its VPC", name, r.DestinationCidrBlock, ra)
					}
				}
			}
			for _, tp := range props.TransitGatewayPropagations {
				name := nameOf(tableOf, tp.TransitGatewayRouteTableId)
				if len(tp.TransitGatewayRouteTablePropagations) != propagating[name] {
					t.Errorf("table %s: %d propagations, want %d", name, len(tp.TransitGatewayRouteTablePropagations), propagating[name])
				}
				for _, p := range tp.TransitGatewayRouteTablePropagations {
					if attOf[p.TransitGatewayAttachmentId] != p.ResourceId || p.ResourceType != "vpc" || p.State != "enabled" {
						t.Errorf("table %s: propagation %+v", name, p)
					}
				}
			}
			if len(routes.TransitGatewayStaticRoutes) != 2 || len(props.TransitGatewayPropagations) != 2 {
				t.Errorf("%d route answers, %d propagation answers; want one per table", len(routes.TransitGatewayStaticRoutes), len(props.TransitGatewayPropagations))
			}

			// Every route table sends a supernet of every VPC to the gateway.
			for _, rt := range rts.RouteTables {
				var to []netip.Prefix
				for _, r := range rt.Routes {
					if r["TransitGatewayId"] == g.TransitGatewayId {
						to = append(to, netip.MustParsePrefix(r["DestinationCidrBlock"]))
					}
				}
				for vpc, c := range cidrOf {
					if !slices.ContainsFunc(to, func(p netip.Prefix) bool { return p.Contains(netip.MustParsePrefix(c).Addr()) && p.Bits() <= 12 }) {
						t.Errorf("route table %s of %s: no route to the gateway covers %s (%s): %v", rt.RouteTableId, rt.VpcId, vpc, c, to)
					}
				}
			}
			checkJoinModel(t, topo)
		})
	}
}

func nameOf(ids map[string]string, id string) string {
	for name, x := range ids {
		if x == id {
			return name
		}
	}
	return "(unknown " + id + ")"
}

// checkJoinModel: the topology gen builds holds what it writes, consistently: every
// reference of a joined object names an object of the topology.
func checkJoinModel(t *testing.T, topo *model.Topology) {
	t.Helper()
	ix := model.NewIndex(topo)
	atts := map[model.TGWAttachmentID]*model.TGWAttachment{}
	for _, a := range topo.TGWAttachments {
		atts[a.ID] = a
		if ix.VPCs[model.VPCID(a.ResourceID)] == nil {
			t.Errorf("attachment %s: no VPC %s", a.ID, a.ResourceID)
		}
		for _, s := range a.Subnets {
			if sub := ix.Subnets[s]; sub == nil || sub.VPC != model.VPCID(a.ResourceID) {
				t.Errorf("attachment %s: subnet %s is not of its VPC", a.ID, s)
			}
		}
	}
	tables := map[model.TGWRouteTableID]bool{}
	for _, rt := range topo.TGWRouteTables {
		tables[rt.ID] = true
		if !rt.Searched {
			t.Errorf("table %s: routes not as searched", rt.ID)
		}
		for _, r := range rt.Routes {
			for _, id := range r.Attachments {
				if a := atts[id]; a == nil || ix.VPCs[model.VPCID(a.ResourceID)].CIDRs[0] != r.Destination {
					t.Errorf("table %s: route %s -> %s", rt.ID, r.Destination, id)
				}
			}
		}
		for _, id := range rt.Propagations {
			if atts[id] == nil {
				t.Errorf("table %s: propagation from %s, no such attachment", rt.ID, id)
			}
		}
	}
	for _, a := range topo.TGWAttachments {
		if !tables[a.Association] {
			t.Errorf("attachment %s: associated with %s, no such table", a.ID, a.Association)
		}
	}
	for _, p := range topo.Peerings {
		for _, s := range []model.PeeringSide{p.Requester, p.Accepter} {
			if v := ix.VPCs[s.VPC]; v == nil || !slices.Equal(v.CIDRs, s.CIDRs) {
				t.Errorf("peering %s: side %+v", p.ID, s)
			}
		}
	}
	for _, rt := range topo.RouteTables {
		for _, r := range rt.Routes {
			switch r.Target.Kind {
			case model.TargetTransitGateway:
				if len(topo.TransitGateways) == 0 || string(topo.TransitGateways[0].ID) != r.Target.ID {
					t.Errorf("route table %s: route to %s", rt.ID, r.Target.ID)
				}
			case model.TargetPeering:
				if !slices.ContainsFunc(topo.Peerings, func(p *model.VPCPeering) bool { return string(p.ID) == r.Target.ID }) {
					t.Errorf("route table %s: route to %s", rt.ID, r.Target.ID)
				}
			}
		}
	}
}

// Done when: --join peering-mesh peers every pair of each group of --mesh-size VPCs, once,
// actively, and every route table of both sides routes each peer's block to the peering.
func TestJoinPeeringMeshAnswers(t *testing.T) {
	o := Options{VPCs: 10, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 5, Join: JoinPeeringMesh, MeshSize: 4}
	topo := Estate(o)
	dir := writeSnapshot(t, topo)
	var (
		vpcs     vpcsFile
		rts      routeTablesFile
		peerings peeringsFile
	)
	decode(t, dir, "Vpcs.json", &vpcs)
	decode(t, dir, "RouteTables.json", &rts)
	decode(t, dir, "VpcPeeringConnections.json", &peerings)
	index := map[string]int{}
	for i, v := range vpcs.Vpcs {
		index[v.VpcId] = i
	}
	pcx := map[[2]int]string{}
	for _, p := range peerings.VpcPeeringConnections {
		r, a := index[p.RequesterVpcInfo.VpcId], index[p.AccepterVpcInfo.VpcId]
		if p.Status.Code != "active" || r >= a || r/4 != a/4 || pcx[[2]int{r, a}] != "" {
			t.Errorf("peering %s: %s, VPCs %d and %d", p.VpcPeeringConnectionId, p.Status.Code, r, a)
		}
		for i, side := range []peeringInfo{p.RequesterVpcInfo, p.AccepterVpcInfo} {
			v := vpcs.Vpcs[[2]int{r, a}[i]]
			if side.CidrBlock != v.CidrBlock || len(side.CidrBlockSet) != 1 || side.CidrBlockSet[0].CidrBlock != v.CidrBlock ||
				side.Region != "us-east-1" || side.OwnerId == "" {
				t.Errorf("peering %s: side %+v, want VPC %s %s", p.VpcPeeringConnectionId, side, v.VpcId, v.CidrBlock)
			}
		}
		pcx[[2]int{r, a}] = p.VpcPeeringConnectionId
	}
	// Groups of 4, 4 and 2: 6 + 6 + 1 peerings.
	if len(pcx) != 13 {
		t.Errorf("%d peerings, want 13", len(pcx))
	}
	for _, rt := range rts.RouteTables {
		i := index[rt.VpcId]
		got := map[string]string{}
		for _, r := range rt.Routes {
			if id := r["VpcPeeringConnectionId"]; id != "" {
				got[r["DestinationCidrBlock"]] = id
			}
		}
		want := map[string]string{}
		for j := i / 4 * 4; j < min(i/4*4+4, o.VPCs); j++ {
			if j != i {
				want[vpcs.Vpcs[j].CidrBlock] = pcx[[2]int{min(i, j), max(i, j)}]
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("route table %s of VPC %d: peering routes %v, want %v", rt.RouteTableId, i, got, want)
		}
	}
	checkJoinModel(t, topo)
}

// Joined, the ssh group admits ICMP and tcp 22 from every VPC; tcp 22 in one permission with
// the VPC's own block, as AWS merges rules of equal protocol and ports.
func TestJoinSecurityGroups(t *testing.T) {
	dir := writeSnapshot(t, Estate(hub(2, false)))
	var sgs securityGroupsFile
	decode(t, dir, "SecurityGroups.json", &sgs)
	n := 0
	for _, g := range sgs.SecurityGroups {
		if filepath.Ext(g.GroupName) != "" || len(g.GroupName) < 4 || g.GroupName[len(g.GroupName)-4:] != "-ssh" {
			continue
		}
		n++
		var got []string
		for _, p := range g.IpPermissions {
			for _, r := range p.IpRanges {
				got = append(got, fmt.Sprintf("%s %d-%d %s", p.IpProtocol, *p.FromPort, *p.ToPort, r.CidrIp))
			}
		}
		if len(g.IpPermissions) != 2 || !slices.Contains(got, "tcp 22-22 10.0.0.0/8") || !slices.Contains(got, "icmp -1--1 10.0.0.0/8") {
			t.Errorf("%s: %d permissions %v", g.GroupName, len(g.IpPermissions), got)
		}
	}
	if n != 2 {
		t.Errorf("%d ssh groups", n)
	}
}

// A transit gateway interface takes the highest free address of a subnet the instances fill
// but for one address.
func TestJoinTGWFullSubnet(t *testing.T) {
	topo := Estate(Options{VPCs: 1, SubnetsPerVPC: 4, InstancesPerSubnet: 249, Seed: 2, Join: JoinTGW})
	seen := map[netip.Addr]bool{}
	for _, e := range topo.NetworkInterfaces {
		a := e.PrimaryIP()
		s := topo.Subnet(e.Subnet)
		if seen[a] || s.CIDR.Bits() != 24 || !s.CIDR.Contains(a) {
			t.Fatalf("%s %s in %s: taken twice or outside the subnet", e.Type, a, s.CIDR)
		}
		seen[a] = true
	}
	if len(topo.TGWAttachments) != 1 || len(topo.TGWAttachments[0].Subnets) != 3 {
		t.Errorf("attachments %+v", topo.TGWAttachments)
	}
}

// Joined estates are as deterministic as the others.
func TestJoinDeterministic(t *testing.T) {
	for _, o := range []Options{hub(4, false), {VPCs: 6, SubnetsPerVPC: 2, InstancesPerSubnet: 1, Seed: 3, Join: JoinPeeringMesh}} {
		a, b := readDir(t, writeSnapshot(t, Estate(o))), readDir(t, writeSnapshot(t, Estate(o)))
		if len(a) != len(b) {
			t.Fatalf("%s: %d files, then %d", o.Join, len(a), len(b))
		}
		for name := range a {
			if !slices.Equal(a[name], b[name]) {
				t.Errorf("%s: %s differs between two runs", o.Join, name)
			}
		}
	}
}

// Done when: without --join, gen writes what it wrote before joins existed, byte for byte.
// The digests are of the files of Estate(small); a change that means to alter the output
// updates them (go test -run NoJoinUnchanged -v prints the new ones).
func TestNoJoinUnchanged(t *testing.T) {
	want := map[string]string{
		"Addresses.json":         "ca362c9a22bd9601",
		"InternetGateways.json":  "bd1cb9641e6f622b",
		"NatGateways.json":       "3db51e7550b55bb0",
		"NetworkAcls.json":       "67f73130dd937001",
		"NetworkInterfaces.json": "e4afc16a902cd18f",
		"Reservations.json":      "b03b64614f7f5513",
		"RouteTables.json":       "ac930c95c9a48501",
		"SecurityGroups.json":    "b89bf5215c58362b",
		"Subnets.json":           "47c54fd2a6548f16",
		"Vpcs.json":              "cfd298404e2d17a0",
	}
	got := readDir(t, writeSnapshot(t, Estate(small)))
	if len(got) != len(want) {
		t.Errorf("%d files, want %d", len(got), len(want))
	}
	for name, data := range got {
		if d := fmt.Sprintf("%x", sha256.Sum256(data))[:16]; d != want[name] {
			t.Errorf("%s: digest %s, want %s", name, d, want[name])
		}
	}
}

// Joined estates read back as the topology gen built, with nothing to warn of, and compile.
func TestJoinRoundTrip(t *testing.T) {
	for _, o := range []Options{hub(4, false), hub(3, true), {VPCs: 5, SubnetsPerVPC: 3, InstancesPerSubnet: 2, Seed: 8, Join: JoinPeeringMesh, MeshSize: 3}} {
		t.Run(string(o.Join), func(t *testing.T) {
			want := Estate(o)
			got := load(t, writeSnapshot(t, want))
			model.ApplyDefaults(want)
			if probs := model.Validate(want); len(probs) > 0 {
				t.Fatalf("the generated estate itself does not validate: %v", probs)
			}
			if d := cmp.Diff(want, got, cmpOpts...); d != "" {
				t.Errorf("round trip changed the topology (-generated +loaded):\n%s", d)
			}
			if _, probs := engine.Compile(got); len(probs) > 0 {
				t.Errorf("engine.Compile: %v", probs)
			}
		})
	}
}

// Joined, instances in different VPCs reach one another on tcp 22 and ICMP: through the
// transit gateway between any two VPCs, spoke to spoke only with spoke-to-spoke; through the
// peerings within a mesh group only (another group's block takes the default route, out
// through the NAT gateway and the internet gateway, which drops a private destination).
func TestJoinTraces(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		// reach says whether VPC i reaches VPC j.
		reach func(i, j int) bool
		// code is why it does not.
		code string
	}{
		{"hub", hub(4, false), func(i, j int) bool { return true }, ""},
		{"isolated spokes", hub(4, true), func(i, j int) bool { return i == 0 || j == 0 }, engine.CodeTGWRTBNoRoute},
		{"mesh", Options{VPCs: 4, SubnetsPerVPC: 3, InstancesPerSubnet: 1, Seed: 8, Join: JoinPeeringMesh, MeshSize: 2},
			func(i, j int) bool { return i/2 == j/2 }, engine.CodeIGWDstRFC1918Egress},
	} {
		t.Run(c.name, func(t *testing.T) {
			topo := Estate(c.o)
			model.ApplyDefaults(topo)
			n, probs := engine.Compile(topo)
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			sim := tools.NewSim(n, 1)
			app := func(i int) tools.Endpoint {
				e, err := sim.Resolve(vpcInstances(t, topo, topo.VPCs[i].Name)[RoleApp].Name)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			for i := range topo.VPCs {
				for j := range topo.VPCs {
					if i == j {
						continue
					}
					for _, o := range []tools.TraceOptions{{Protocol: packet.ProtoTCP, Port: 22}, {Protocol: packet.ProtoICMP}} {
						tr := sim.Trace(app(i), app(j), o)
						if want := c.reach(i, j); tr.Found != want || !want && tr.Forward.Code != c.code {
							t.Errorf("VPC %d -> VPC %d proto %d: found=%v %s, want %v %s\n%s", i, j, o.Protocol, tr.Found, tr.Forward.Code, want, c.code, text(tr))
						}
					}
				}
			}
		})
	}
}
