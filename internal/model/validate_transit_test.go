package model

import (
	"net/netip"
	"testing"
)

// transitBase is validBase joined to two more VPCs, each object at its own line: VPC v
// (us-east-1, subnet a in AZ us-east-1a) is peered with VPC b (line 50, 10.1/16, us-east-1)
// by pcx-ab (53) and attached with b to transit gateway hub (54), whose table hub-rt (55) has
// a static route (56) and both VPC attachments (57, 58) propagating; rt routes 10.1/16 to the
// peering (63) and 10.2/16 to the gateway (64); web admits b's group (65) across the peering.
// VPC c (51, 10.2/16, eu-west-1) is joined to nothing. DX gateway dx (59) is associated with
// hub (60) and has a transit virtual interface (61) and its attachment on hub (62).
func transitBase() *Topology {
	top := validBase()
	top.VPCs[0].Region, top.VPCs[0].Account = "us-east-1", "111111111111"
	top.Subnets[0].AvailabilityZone = "us-east-1a"
	top.VPCs = append(top.VPCs,
		&VPC{ID: "vpc-b", Name: "b", CIDRs: []netip.Prefix{vpfx("10.1.0.0/16")}, Region: "us-east-1", Account: "111111111111", Src: vsrc(50)},
		&VPC{ID: "vpc-c", Name: "c", CIDRs: []netip.Prefix{vpfx("10.2.0.0/16")}, Region: "eu-west-1", Account: "222222222222", Src: vsrc(51)})
	top.Subnets = append(top.Subnets,
		&Subnet{ID: "subnet-b1", VPC: "vpc-b", CIDR: vpfx("10.1.0.0/24"), AvailabilityZone: "us-east-1a", Name: "b1", Src: vsrc(52)},
		&Subnet{ID: "subnet-b2", VPC: "vpc-b", CIDR: vpfx("10.1.1.0/24"), AvailabilityZone: "us-east-1b", Name: "b2", Src: vsrc(52)},
		&Subnet{ID: "subnet-c1", VPC: "vpc-c", CIDR: vpfx("10.2.0.0/24"), AvailabilityZone: "eu-west-1a", Name: "c1", Src: vsrc(52)})
	top.Peerings = []*VPCPeering{{ID: "pcx-ab", Name: "ab", Status: StateActive, Src: vsrc(53),
		Requester: PeeringSide{VPC: "vpc-1", Region: "us-east-1", CIDRs: []netip.Prefix{vpfx("10.0.0.0/16")}},
		Accepter:  PeeringSide{VPC: "vpc-b", Region: "us-east-1", CIDRs: []netip.Prefix{vpfx("10.1.0.0/16")}}}}
	top.TransitGateways = []*TransitGateway{{ID: "tgw-1", Name: "hub", Region: "us-east-1", State: StateAvailable, Src: vsrc(54)}}
	top.TGWRouteTables = []*TGWRouteTable{{ID: "tgw-rtb-1", TransitGateway: "tgw-1", Name: "hub-rt", Src: vsrc(55),
		Routes: []TGWRoute{{Destination: vpfx("10.9.0.0/16"), Attachments: []TGWAttachmentID{"tgw-attach-b"}, Type: TGWRouteStatic,
			State: TGWRouteActive, Src: vsrc(56)}},
		Propagations: []TGWAttachmentID{"tgw-attach-a", "tgw-attach-b"}}}
	top.TGWAttachments = []*TGWAttachment{
		{ID: "tgw-attach-a", TransitGateway: "tgw-1", Type: AttachVPC, ResourceID: "vpc-1", Name: "a", State: StateAvailable,
			Association: "tgw-rtb-1", Subnets: []SubnetID{"subnet-a"}, Src: vsrc(57)},
		{ID: "tgw-attach-b", TransitGateway: "tgw-1", Type: AttachVPC, ResourceID: "vpc-b", Name: "b", State: StateAvailable,
			Association: "tgw-rtb-1", Subnets: []SubnetID{"subnet-b1", "subnet-b2"}, Src: vsrc(58)},
		{ID: "tgw-attach-dx", TransitGateway: "tgw-1", Type: AttachDXGateway, ResourceID: "dx-1", Name: "dx", State: StateAvailable,
			Association: "tgw-rtb-1", Src: vsrc(62)},
	}
	top.DXGateways = []*DXGateway{{ID: "dx-1", Name: "dx", ASN: 64600, Src: vsrc(59)}}
	top.DXGatewayAssociations = []*DXGatewayAssociation{{ID: "dxa-1", DXGateway: "dx-1", Gateway: "tgw-1", GatewayType: DXAssocTGW,
		State: StateAssociated, AllowedPrefixes: []netip.Prefix{vpfx("10.0.0.0/15")}, Src: vsrc(60)}}
	top.VirtualInterfaces = []*VirtualInterface{{ID: "dxvif-1", Name: "vif", Type: "transit", DXGateway: "dx-1", MTU: 8500, Src: vsrc(61)}}
	rt := top.RouteTables[0]
	rt.Routes = append(rt.Routes,
		Route{Destination: vpfx("10.1.0.0/16"), Target: Target{Kind: TargetPeering, ID: "pcx-ab"}, State: RouteActive, Src: vsrc(63)},
		Route{Destination: vpfx("10.2.0.0/16"), Target: Target{Kind: TargetTransitGateway, ID: "tgw-1"}, State: RouteActive, Src: vsrc(64)})
	top.SecurityGroups = append(top.SecurityGroups, &SecurityGroup{ID: "sg-b", VPC: "vpc-b", Name: "b-web", Src: vsrc(66)},
		&SecurityGroup{ID: "sg-c", VPC: "vpc-c", Name: "c-web", Src: vsrc(66)})
	web := top.SecurityGroups[0]
	web.Ingress = append(web.Ingress, SecurityGroupRule{ID: "r3", Protocol: ProtocolAll, Group: "sg-b", GroupVPC: "vpc-b",
		GroupPeering: "pcx-ab", Src: vsrc(65)})
	return top
}

// TestValidateTransit: one case per rule of §7.1, §7.2 and §16, as TestValidate.
func TestValidateTransit(t *testing.T) {
	attachment := func(top *Topology, id TGWAttachmentID) *TGWAttachment {
		for _, a := range top.TGWAttachments {
			if a.ID == id {
				return a
			}
		}
		panic(id)
	}
	route := func(top *Topology, dest string) *Route {
		for i, r := range top.RouteTables[0].Routes {
			if r.Destination == vpfx(dest) {
				return &top.RouteTables[0].Routes[i]
			}
		}
		panic(dest)
	}
	secondTGW := func(top *Topology) { // tgw-2 "edge" (line 70) with table edge-rt (71)
		top.TransitGateways = append(top.TransitGateways, &TransitGateway{ID: "tgw-2", Name: "edge", Region: "us-east-1", Src: vsrc(70)})
		top.TGWRouteTables = append(top.TGWRouteTables, &TGWRouteTable{ID: "tgw-rtb-2", TransitGateway: "tgw-2", Name: "edge-rt", Src: vsrc(71)})
	}
	vpcD := func(top *Topology) { // VPC d (line 72) 10.0.0.0/16 like v, subnet d1, VGW gd (73), attachment d (74) on hub
		top.VPCs = append(top.VPCs, &VPC{ID: "vpc-d", Name: "d", CIDRs: []netip.Prefix{vpfx("10.0.0.0/16")}, Region: "us-east-1", Src: vsrc(72)})
		top.Subnets = append(top.Subnets, &Subnet{ID: "subnet-d1", VPC: "vpc-d", CIDR: vpfx("10.0.0.0/24"), Name: "d1", Src: vsrc(72)})
		top.VPNGateways = append(top.VPNGateways, &VPNGateway{ID: "vgw-d", VPC: "vpc-d", Name: "gd", Src: vsrc(73)})
		top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-d", TransitGateway: "tgw-1", Type: AttachVPC,
			ResourceID: "vpc-d", Name: "d", Association: "tgw-rtb-1", Subnets: []SubnetID{"subnet-d1"}, Src: vsrc(74)})
		ApplyDefaults(top)
	}
	tests := []struct {
		name   string
		mutate func(*Topology)
		sev    Severity
		line   int
		want   string
	}{
		// Peering (§7.1).
		{"peered blocks overlap (§7.1.2)", func(top *Topology) { top.Peerings[0].Accepter.CIDRs = []netip.Prefix{vpfx("10.0.128.0/17")} },
			Error, 53, "VPC peering connection ab: 10.0.0.0/16 of VPC v overlaps 10.0.128.0/17 of VPC b; AWS does not peer VPCs whose blocks overlap (§7.1.2)"},
		{"peered blocks overlap, from the VPCs (§7.1.2)", func(top *Topology) {
			p := top.Peerings[0]
			p.Requester.CIDRs, p.Accepter.CIDRs = nil, nil
			top.VPCs[1].CIDRs = append(top.VPCs[1].CIDRs, vpfx("10.0.0.0/24"))
		}, Error, 53, "10.0.0.0/16 of VPC v overlaps 10.0.0.0/24 of VPC b"},
		{"overlap of a pending peering is not checked", func(top *Topology) {
			top.Peerings[0].Status = "pending-acceptance"
			top.Peerings[0].Accepter.CIDRs = []netip.Prefix{vpfx("10.0.0.0/16")}
		}, Warning, 63, "route 10.1.0.0/16 in rt: VPC peering connection ab is pending-acceptance; AWS shows the route as blackhole (§7.1.3)"},
		{"one peering per VPC pair (§7.1.1)", func(top *Topology) {
			top.Peerings = append(top.Peerings, &VPCPeering{ID: "pcx-ba", Name: "ba", Status: StateActive, Src: vsrc(67),
				Requester: PeeringSide{VPC: "vpc-b"}, Accepter: PeeringSide{VPC: "vpc-1"}})
		}, Error, 67, "VPC peering connection ba: VPCs b and v are already peered by ab (t.yaml:53); at most one peering joins two VPCs (§7.1.1)"},
		{"a VPC is not peered with itself", func(top *Topology) { top.Peerings[0].Accepter.VPC = "vpc-1" },
			Error, 53, "VPC peering connection ab: it peers VPC v with itself"},
		{"peering of two absent VPCs: warning", func(top *Topology) {
			top.Peerings = append(top.Peerings, &VPCPeering{ID: "pcx-xy", Status: StateActive, Src: vsrc(67),
				Requester: PeeringSide{VPC: "vpc-x"}, Accepter: PeeringSide{VPC: "vpc-y"}})
		}, Warning, 67, "VPC peering connection pcx-xy: neither VPC vpc-x nor VPC vpc-y is in the topology"},
		{"route to a peering of other VPCs (§7.1.4)", func(top *Topology) {
			top.Peerings[0].Requester.VPC = "vpc-c"
			top.Peerings[0].Requester.CIDRs = nil
		}, Error, 63, "route 10.1.0.0/16 in rt: VPC peering connection ab joins VPCs c and b, not the table's VPC v (§7.1.4)"},
		{"route to a missing peering: warning", func(top *Topology) { route(top, "10.1.0.0/16").Target.ID = "pcx-gone" },
			Warning, 63, "route 10.1.0.0/16 in rt: target VPC peering connection pcx-gone is not in the topology; packets that match the route are dropped"},
		{"SG reference across an inter-region peering (§7.1.11, PCX-9)", func(top *Topology) { top.Peerings[0].Accepter.Region = "eu-west-1" },
			Error, 65, "security group web: inbound rule 2: security group b-web is in VPC b across the inter-region peering ab; AWS refuses security group references across regions, use CIDRs (§7.1.11)"},
		{"stale SG reference (§7.1.12): warning", func(top *Topology) {
			r := &top.SecurityGroups[0].Ingress[1]
			r.Group, r.GroupVPC, r.GroupPeering = "sg-c", "", ""
		}, Warning, 65, "security group web: inbound rule 2: security group c-web is in VPC c, which neither a peering nor a transit gateway joins to VPC v; the rule matches nothing (§7.1.12)"},

		// Transit gateways (§7.2).
		{"route to a TGW without an attachment (§7.2.10): warning", func(top *Topology) { attachment(top, "tgw-attach-a").ResourceID = "vpc-c" },
			Warning, 64, "route 10.2.0.0/16 in rt: VPC v has no attachment to transit gateway hub; AWS shows the route as blackhole (§7.2.10)"},
		{"route to a missing TGW: warning", func(top *Topology) { route(top, "10.2.0.0/16").Target.ID = "tgw-gone" },
			Warning, 64, "route 10.2.0.0/16 in rt: target transit gateway tgw-gone is not in the topology"},
		{"attachment's TGW missing: warning", func(top *Topology) { attachment(top, "tgw-attach-b").TransitGateway = "tgw-gone" },
			Warning, 58, "transit gateway attachment b: transit gateway tgw-gone is not in the topology"},
		{"one attachment per VPC and TGW (§7.2.9)", func(top *Topology) {
			top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-b2", TransitGateway: "tgw-1", Type: AttachVPC,
				ResourceID: "vpc-b", Name: "b-again", Subnets: []SubnetID{"subnet-b1"}, Src: vsrc(68)})
		}, Error, 68, "transit gateway attachment b-again: VPC b already has attachment b (t.yaml:58) to transit gateway hub; a VPC attaches to a transit gateway once (§7.2.9)"},
		{"attachment subnet in another VPC (§7.2.9)", func(top *Topology) { attachment(top, "tgw-attach-b").Subnets[1] = "subnet-a" },
			Error, 58, "transit gateway attachment b: subnet a is in VPC v, not in the attached VPC b (§7.2.9)"},
		{"one subnet per AZ (§7.2.9)", func(top *Topology) { top.Subnets[4].AvailabilityZone = "us-east-1a" },
			Error, 58, `transit gateway attachment b: subnets b1 and b2 are both in Availability Zone "us-east-1a"; an attachment has at most one subnet per Availability Zone (§7.2.9)`},
		{"attachment subnet missing: warning", func(top *Topology) { attachment(top, "tgw-attach-b").Subnets[1] = "subnet-gone" },
			Warning, 58, "transit gateway attachment b: subnet subnet-gone is not in the topology"},
		{"subnet in an AZ of another region", func(top *Topology) { top.Subnets[4].AvailabilityZone = "eu-west-1b" },
			Error, 52, `subnet b2: Availability Zone "eu-west-1b" is in region eu-west-1, VPC b in region us-east-1; a subnet lies in an Availability Zone of its VPC's region`},
		{"VPC attachment in another region", func(top *Topology) { top.VPCs[1].Region = "eu-west-1" },
			Error, 58, "transit gateway attachment b: VPC b is in region eu-west-1, transit gateway hub in region us-east-1; a VPC attaches to a transit gateway of its own region (§7.2.1)"},
		{"association table missing", func(top *Topology) { attachment(top, "tgw-attach-b").Association = "tgw-rtb-gone" },
			Error, 58, "transit gateway attachment b: association route table tgw-rtb-gone is not in the topology"},
		{"association table of another TGW (§7.2.4)", func(top *Topology) { secondTGW(top); attachment(top, "tgw-attach-b").Association = "tgw-rtb-2" },
			Error, 58, "transit gateway attachment b: association route table edge-rt belongs to transit gateway edge, not to hub (§7.2.4)"},
		{"attachment type not modelled (§7.2.2): warning", func(top *Topology) {
			top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-gre", TransitGateway: "tgw-1", Type: AttachConnect, Name: "gre", Src: vsrc(68)})
		}, Warning, 68, "transit gateway attachment gre: vpclab does not model connect attachments; packets routed to it are dropped (§7.2.2)"},
		{"propagation from a missing attachment: warning", func(top *Topology) { top.TGWRouteTables[0].Propagations[1] = "tgw-attach-gone" },
			Warning, 55, "transit gateway route table hub-rt: propagation: attachment tgw-attach-gone is not in the topology"},
		{"propagation from another TGW's attachment", func(top *Topology) { secondTGW(top); attachment(top, "tgw-attach-b").TransitGateway = "tgw-2" },
			Error, 55, "transit gateway route table hub-rt: propagation: attachment b is on transit gateway edge, not on the table's transit gateway hub"},
		{"overlapping VPC not propagated (§7.2.5, TGW-8): warning", func(top *Topology) {
			vpcD(top)
			top.TGWRouteTables[0].Propagations = append(top.TGWRouteTables[0].Propagations, "tgw-attach-d")
		}, Warning, 74, "transit gateway attachment d: 10.0.0.0/16 of VPC d overlaps 10.0.0.0/16 of VPC v, already propagated into route table hub-rt; AWS does not propagate VPC d's routes there (§7.2.5)"},
		{"peering attachment propagates nothing (§7.2.19): warning", func(top *Topology) {
			secondTGW(top)
			top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-p", TransitGateway: "tgw-1", Type: AttachPeering,
				ResourceID: "tgw-2", PeerTransitGateway: "tgw-2", Name: "to-edge", Src: vsrc(68)})
			top.TGWRouteTables[0].Propagations = append(top.TGWRouteTables[0].Propagations, "tgw-attach-p")
		}, Warning, 55, "transit gateway route table hub-rt: peering attachment to-edge propagates no routes; add static routes toward it (§7.2.19)"},
		{"one peering attachment per pair of gateways (§7.2.19)", func(top *Topology) {
			secondTGW(top)
			for i, line := range []int{68, 69} {
				top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: TGWAttachmentID("tgw-attach-p" + string(rune('0'+i))),
					TransitGateway: "tgw-1", Type: AttachPeering, ResourceID: "tgw-2", PeerTransitGateway: "tgw-2", Name: "to-edge-" + string(rune('0'+i)), Src: vsrc(line)})
			}
		}, Error, 69, "transit gateway attachment to-edge-1: transit gateway hub already has peering attachment to-edge-0 (t.yaml:68) to transit gateway edge; one per pair of gateways (§7.2.19)"},
		{"static route to a missing attachment: warning", func(top *Topology) { top.TGWRouteTables[0].Routes[0].Attachments[0] = "tgw-attach-gone" },
			Warning, 56, "transit gateway route table hub-rt: route 10.9.0.0/16: attachment tgw-attach-gone is not in the topology"},
		{"static route to another TGW's attachment", func(top *Topology) {
			secondTGW(top)
			top.TGWRouteTables[1].Routes = []TGWRoute{{Destination: vpfx("10.8.0.0/16"), Attachments: []TGWAttachmentID{"tgw-attach-b"},
				Type: TGWRouteStatic, State: TGWRouteActive, Src: vsrc(75)}}
		}, Error, 75, "transit gateway route table edge-rt: route 10.8.0.0/16: attachment b is on transit gateway hub, not on the table's transit gateway edge"},
		{"one static route per prefix (§7.2.6)", func(top *Topology) {
			rt := top.TGWRouteTables[0]
			rt.Routes = append(rt.Routes, TGWRoute{Destination: vpfx("10.9.0.0/16"), Type: TGWRouteStatic, State: TGWRouteBlackhole, Src: vsrc(69)})
		}, Error, 69, "transit gateway route table hub-rt: route 10.9.0.0/16: the table already has a static route to 10.9.0.0/16 (t.yaml:56); one per prefix (§7.2.6)"},
		{"IDs unique per kind", func(top *Topology) {
			top.TransitGateways = append(top.TransitGateways, &TransitGateway{ID: "tgw-1", Name: "hub2", Src: vsrc(70)})
		}, Error, 70, "transit gateway hub2: ID tgw-1 is already used by hub (t.yaml:54)"},
		{"VPN attachment to a VGW's connection (§7.2.20)", func(top *Topology) {
			top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-v", TransitGateway: "tgw-1", Type: AttachVPN,
				ResourceID: "vpn-1", Name: "vpn", Src: vsrc(68)})
		}, Error, 68, "transit gateway attachment vpn: VPN connection c is not on transit gateway hub (§7.2.20)"},
		{"VPN connection on a VGW and a TGW", func(top *Topology) { top.VPNConnections[0].TransitGateway = "tgw-1" },
			Error, 18, "VPN connection c: it is on VPN gateway vgw-1 and on transit gateway hub; a VPN connection ends on one gateway"},

		// Direct Connect gateways (§16).
		{"DX attachment without an association (§16.2): warning", func(top *Topology) { top.DXGatewayAssociations[0].Gateway = "tgw-gone" },
			Warning, 62, "transit gateway attachment dx: Direct Connect gateway dx has no association with transit gateway hub (§16.2)"},
		{"association's gateway missing: warning", func(top *Topology) { top.DXGatewayAssociations[0].Gateway = "tgw-gone" },
			Warning, 60, "Direct Connect gateway dx: association with tgw-gone: transit gateway tgw-gone is not in the topology"},
		{"association's DX gateway missing: warning", func(top *Topology) { top.DXGatewayAssociations[0].DXGateway = "dx-gone" },
			Warning, 60, "Direct Connect gateway dx-gone: association with hub: Direct Connect gateway dx-gone is not in the topology"},
		{"DX gateway with VGW and TGW associations (§16.2)", func(top *Topology) {
			top.DXGatewayAssociations = append(top.DXGatewayAssociations, &DXGatewayAssociation{ID: "dxa-2", DXGateway: "dx-1",
				Gateway: "vgw-1", GatewayType: DXAssocVGW, Src: vsrc(76)})
		}, Error, 76, "Direct Connect gateway dx: associated with transit gateway hub and with VPN gateway g; a Direct Connect gateway associates with VPN gateways or with transit gateways, not both (§16.2)"},
		{"TGW associations' allowed prefixes overlap (§16.3)", func(top *Topology) {
			secondTGW(top)
			top.DXGatewayAssociations = append(top.DXGatewayAssociations, &DXGatewayAssociation{ID: "dxa-2", DXGateway: "dx-1",
				Gateway: "tgw-2", GatewayType: DXAssocTGW, AllowedPrefixes: []netip.Prefix{vpfx("10.1.0.0/16")}, Src: vsrc(76)})
		}, Error, 76, "Direct Connect gateway dx: allowed prefix 10.1.0.0/16 of transit gateway edge overlaps allowed prefix 10.0.0.0/15 of transit gateway hub (§16.3)"},
		{"VPCs behind one DX gateway overlap (§16.6)", func(top *Topology) {
			vpcD(top)
			top.DXGateways = append(top.DXGateways, &DXGateway{ID: "dx-2", Name: "dx2", Src: vsrc(77)})
			top.DXGatewayAssociations = append(top.DXGatewayAssociations,
				&DXGatewayAssociation{ID: "dxa-2", DXGateway: "dx-2", Gateway: "vgw-1", GatewayType: DXAssocVGW, Src: vsrc(78)},
				&DXGatewayAssociation{ID: "dxa-3", DXGateway: "dx-2", Gateway: "vgw-d", GatewayType: DXAssocVGW, Src: vsrc(79)})
		}, Error, 79, "Direct Connect gateway dx2: VPC d (10.0.0.0/16) behind VPN gateway gd overlaps VPC v (10.0.0.0/16) behind VPN gateway g; the VPCs behind one Direct Connect gateway do not overlap (§16.6)"},
		{"private VIF on a DX gateway with TGW associations (§16.2)", func(top *Topology) {
			f := top.VirtualInterfaces[0]
			f.Type, f.MTU = "private", 9001
		}, Error, 61, "virtual interface vif: a private virtual interface attaches to a Direct Connect gateway associated with VPN gateways, but dx is associated with transit gateway hub; use a transit virtual interface (§16.2)"},
		{"public VIF on a DX gateway (§16.2)", func(top *Topology) { top.VirtualInterfaces[0].Type, top.VirtualInterfaces[0].MTU = "public", 0 },
			Error, 61, "virtual interface vif: a public virtual interface cannot attach to a Direct Connect gateway (§16.2)"},
		{"VIF MTU (§16.7)", func(top *Topology) { top.VirtualInterfaces[0].MTU = 9001 },
			Error, 61, "virtual interface vif: MTU 9001; a transit virtual interface has MTU 1500 or 8500 (§16.7)"},
		{"on-premises network reached two ways", func(top *Topology) {
			top.OnPremises = append(top.OnPremises, &OnPremNetwork{Name: "dc", VPNGateway: "vgw-1", VirtualInterface: "dxvif-1", Src: vsrc(80)})
		}, Error, 80, "on-premises network dc: it is reached through one VPN gateway, VPN connection or virtual interface, not 2"},
		{"on-premises network behind a missing VIF: warning", func(top *Topology) {
			top.OnPremises = append(top.OnPremises, &OnPremNetwork{Name: "dc", VirtualInterface: "dxvif-gone", Src: vsrc(80)})
		}, Warning, 80, "on-premises network dc: virtual interface dxvif-gone is not in the topology"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			top := transitBase()
			ApplyDefaults(top)
			tc.mutate(top)
			wantProblem(t, Validate(top), tc.sev, tc.line, tc.want)
		})
	}
}

// TestValidateTransitHistory: deleted peerings and attachments are history AWS still lists;
// they neither count as a second peering or attachment nor get checked for overlaps.
func TestValidateTransitHistory(t *testing.T) {
	top := transitBase()
	ApplyDefaults(top)
	top.Peerings = append(top.Peerings, &VPCPeering{ID: "pcx-old", Status: "deleted", Src: vsrc(67),
		Requester: PeeringSide{VPC: "vpc-1", CIDRs: []netip.Prefix{vpfx("10.0.0.0/16")}}, Accepter: PeeringSide{VPC: "vpc-b", CIDRs: []netip.Prefix{vpfx("10.0.0.0/16")}}})
	top.TGWAttachments = append(top.TGWAttachments, &TGWAttachment{ID: "tgw-attach-old", TransitGateway: "tgw-1", Type: AttachVPC,
		ResourceID: "vpc-b", State: "deleted", Subnets: []SubnetID{"subnet-b1"}, Src: vsrc(68)})
	if ps := Validate(top); len(ps) > 0 {
		t.Errorf("want no problems, got:\n%v", ps)
	}
}

// azRegion reads the region out of a zone's name, and nothing out of a lab's short names.
func TestAZRegion(t *testing.T) {
	for az, want := range map[string]string{
		"us-east-1a": "us-east-1", "ap-southeast-2c": "ap-southeast-2", "us-gov-west-1b": "us-gov-west-1",
		"us-west-2-lax-1a": "us-west-2", "us-east-1-wl1-bos-wlz-1": "us-east-1",
		"a": "", "us-east-1": "", "use1-az1": "", "": "",
	} {
		if got := azRegion(az); got != want {
			t.Errorf("azRegion(%q) = %q, want %q", az, got, want)
		}
	}
}
