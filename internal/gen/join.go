package gen

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// Join says how an estate's VPCs are joined to one another.
type Join string

const (
	// JoinNone leaves every VPC on its own (the zero value).
	JoinNone Join = ""
	// JoinTGW joins every VPC to one transit gateway, hub and spoke (§7.2): VPC 0 is the
	// shared-services VPC, associated with the "shared" route table, into which every VPC
	// propagates; the others are spokes, associated with the "spokes" table, into which the
	// shared-services VPC propagates, and every spoke too unless Options.IsolateSpokes.
	JoinTGW Join = "tgw"
	// JoinPeeringMesh peers the VPCs in groups of Options.MeshSize, every pair of a group
	// (§7.1): active peerings, and a route to each peer's block in every route table of both
	// sides.
	JoinPeeringMesh Join = "peering-mesh"
)

// Joins are the values Options.Join takes, as the CLI spells them.
var Joins = []Join{JoinNone, JoinTGW, JoinPeeringMesh}

// DefaultMeshSize is the size of a peering mesh's groups when Options.MeshSize is not set.
const DefaultMeshSize = 4

// The transit gateway's route tables (§7.2.4).
const (
	tableSpokes = "spokes"
	tableShared = "shared"
)

// supernets are the private ranges the VPC blocks were taken from: what every route table
// sends to the transit gateway, and what the generated groups and network ACLs admit from
// other VPCs.
func supernets(blocks []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, r := range []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12")} {
		if slices.ContainsFunc(blocks, func(b netip.Prefix) bool { return r.Contains(b.Addr()) }) {
			out = append(out, r)
		}
	}
	return out
}

func (b *builder) tgwID() model.TransitGatewayID { return model.TransitGatewayID(b.id("tgw", "tgw")) }

func (b *builder) tgwTableID(name string) model.TGWRouteTableID {
	return model.TGWRouteTableID(b.id("tgw-rtb", "tgw/"+name))
}

func (b *builder) attachmentID(i int) model.TGWAttachmentID {
	return model.TGWAttachmentID(b.id("tgw-attach", fmt.Sprint("vpc/", i)))
}

func (b *builder) peeringID(i, j int) model.PeeringID {
	return model.PeeringID(b.id("pcx", fmt.Sprintf("pcx/%d/%d", i, j)))
}

// meshPeers are the VPCs VPC i is peered with: the others of its group.
func (b *builder) meshPeers(i int) []int {
	k := b.o.MeshSize
	var out []int
	for j := i / k * k; j < min((i/k+1)*k, b.o.VPCs); j++ {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// joinRoutes are the routes every route table of VPC i gets: the supernets to the transit
// gateway, or each peer's block to its peering.
func (b *builder) joinRoutes(i int) []model.Route {
	var out []model.Route
	add := func(dst netip.Prefix, tg model.Target) {
		out = append(out, model.Route{Destination: dst, Target: tg, Origin: model.OriginCreateRoute, State: model.RouteActive})
	}
	switch b.o.Join {
	case JoinTGW:
		for _, s := range b.supernets {
			add(s, model.Target{Kind: model.TargetTransitGateway, ID: string(b.tgwID())})
		}
	case JoinPeeringMesh:
		for _, j := range b.meshPeers(i) {
			add(b.blocks[j], model.Target{Kind: model.TargetPeering, ID: string(b.peeringID(min(i, j), max(i, j)))})
		}
	}
	return out
}

// joinIngress are the rules the ssh group adds in a joined estate, so that traces across
// VPCs can be delivered: tcp 22 (after the rule for tcp 22 from the VPC, one permission with
// it) and ICMP from every VPC.
func (b *builder) joinIngress() []model.SecurityGroupRule {
	var out []model.SecurityGroupRule
	for _, s := range b.supernets {
		out = append(out, tcpFrom(22, s, ""))
	}
	for _, s := range b.supernets {
		out = append(out, model.SecurityGroupRule{Protocol: model.ProtocolICMP, FromPort: -1, ToPort: -1, CIDR: s})
	}
	return out
}

// joinACLEntries are the inbound entries the custom network ACLs add in a joined estate:
// everything from the other VPCs, after the VPC's own block (rule 100).
func (b *builder) joinACLEntries() []model.NetworkACLEntry {
	var out []model.NetworkACLEntry
	for k, s := range b.supernets {
		out = append(out, aclEntry(101+k, false, model.ProtocolAll, true, s, 0, 65535))
	}
	return out
}

// attachmentSubnets are the subnets a VPC attachment uses: the first of each Availability
// Zone (§7.2.9: at most one per zone).
func attachmentSubnets(v *vpcParts) []*model.Subnet {
	var out []*model.Subnet
	seen := map[string]bool{}
	for _, s := range append(slices.Clone(v.public), v.private...) {
		if !seen[s.AvailabilityZone] {
			seen[s.AvailabilityZone] = true
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(x, y *model.Subnet) int {
		return slices.Index(zones, x.AvailabilityZone) - slices.Index(zones, y.AvailabilityZone)
	})
	return out
}

// topFree is the highest usable address of a subnet none of taken holds (§6.4: the last
// address is reserved): where a service's interface goes, clear of the random instance
// addresses.
func topFree(c netip.Prefix, taken []netip.Addr) netip.Addr {
	last := u32(c.Addr()) + 1<<(32-c.Bits()) - 2
	for a := last; a >= u32(c.Addr())+4; a-- {
		if !slices.Contains(taken, addr(a)) {
			return addr(a)
		}
	}
	panic(fmt.Sprintf("gen: no free address in %s", c))
}

// tgwAddresses picks the address of the transit gateway's interface in each attachment
// subnet, given the addresses the subnets' instances and NAT gateway take.
func tgwAddresses(v *vpcParts, hosts map[model.SubnetID][]netip.Addr) map[model.SubnetID]netip.Addr {
	out := map[model.SubnetID]netip.Addr{}
	for _, s := range attachmentSubnets(v) {
		out[s.ID] = topFree(s.CIDR, hosts[s.ID])
	}
	return out
}

// attachVPC attaches VPC i to the transit gateway (§7.2.9): the attachment, associated with
// the shared table (VPC 0) or the spokes table, and the gateway's requester-managed interface
// in each attachment subnet (§9.8).
func (b *builder) attachVPC(v *vpcParts, i int, ips map[model.SubnetID]netip.Addr) {
	t := b.t
	table := tableSpokes
	if i == 0 {
		table = tableShared
	}
	att := &model.TGWAttachment{ID: b.attachmentID(i), TransitGateway: b.tgwID(), Type: model.AttachVPC,
		ResourceID: string(v.vpc.ID), ResourceOwner: b.owner, State: model.StateAvailable,
		Association: b.tgwTableID(table), AssociationState: model.StateAssociated,
		DNSSupport: true, SGReferencing: true, Name: v.name + "-tgw", Tags: nameTag(v.name + "-tgw")}
	for _, s := range attachmentSubnets(v) {
		att.Subnets = append(att.Subnets, s.ID)
		eni := &model.NetworkInterface{ID: model.ENIID(b.id("eni", fmt.Sprintf("vpc/%d/tgw/%s", i, s.AvailabilityZone))),
			VPC: v.vpc.ID, Subnet: s.ID, Type: model.InterfaceTypeTransitGateway, DeviceIndex: 1,
			Description: "Network Interface for Transit Gateway Attachment " + string(att.ID),
			PrivateIPs:  []model.PrivateIP{{Addr: ips[s.ID], Primary: true}}}
		eni.MAC = mac(string(eni.ID))
		t.NetworkInterfaces = append(t.NetworkInterfaces, eni)
	}
	t.TGWAttachments = append(t.TGWAttachments, att)
}

// transitGateway makes the gateway and its two route tables once every VPC is attached. The
// tables list their routes as search-transit-gateway-routes does (§9.5): each propagation's
// VPC block, propagated.
func (b *builder) transitGateway() {
	t := b.t
	name := "hub"
	t.TransitGateways = append(t.TransitGateways, &model.TransitGateway{ID: b.tgwID(), Account: b.owner, Region: estateRegion,
		State: model.StateAvailable, ASN: tgwASN, VPNECMP: true, DNSSupport: true, Name: name, Tags: nameTag(name)})
	table := func(kind string, propagating []int) {
		rt := &model.TGWRouteTable{ID: b.tgwTableID(kind), TransitGateway: b.tgwID(), State: model.StateAvailable,
			Searched: true, Name: name + "-" + kind, Tags: nameTag(name + "-" + kind)}
		for _, i := range propagating {
			id := b.attachmentID(i)
			rt.Propagations = append(rt.Propagations, id)
			rt.Routes = append(rt.Routes, model.TGWRoute{Destination: b.blocks[i], Attachments: []model.TGWAttachmentID{id},
				Type: model.TGWRoutePropagated, State: model.TGWRouteActive, Via: model.AttachVPC})
		}
		t.TGWRouteTables = append(t.TGWRouteTables, rt)
	}
	all := make([]int, b.o.VPCs)
	for i := range all {
		all[i] = i
	}
	spokes := all
	if b.o.IsolateSpokes {
		spokes = all[:min(1, len(all))]
	}
	table(tableSpokes, spokes)
	table(tableShared, all)
}

// peeringMesh makes the peerings of every group, in VPC order.
func (b *builder) peeringMesh() {
	t := b.t
	side := func(i int) model.PeeringSide {
		return model.PeeringSide{VPC: t.VPCs[i].ID, Account: b.owner, Region: estateRegion, CIDRs: []netip.Prefix{b.blocks[i]}}
	}
	for i := range b.o.VPCs {
		for _, j := range b.meshPeers(i) {
			if j < i {
				continue
			}
			name := t.VPCs[i].Name + "-" + t.VPCs[j].Name
			t.Peerings = append(t.Peerings, &model.VPCPeering{ID: b.peeringID(i, j), Status: model.StateActive,
				Requester: side(i), Accepter: side(j), Name: name, Tags: nameTag(name)})
		}
	}
}
