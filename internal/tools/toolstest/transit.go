// Package toolstest builds small topologies in Go for the tests of the frontends (tools,
// analyze, cli), for constructs the lab loader does not read yet. It is imported only by
// _test.go files.
package toolstest

import (
	"net/netip"

	"github.com/vpclab/vpclab/internal/model"
)

// IDs and names of the Transit topology, for tests to name.
const (
	Account = "111111111111"
	Region  = "us-east-1"

	AppA, AppB       = "app-a", "app-b" // instance names
	AppAIP, AppBIP   = "10.1.1.10", "10.2.1.10"
	AppAPublic       = "198.51.100.10"
	SubnetA, SubnetB = "subnet-0a1", "subnet-0b1"
	VPCA, VPCB, VPCC = "vpc-0a", "vpc-0b", "vpc-0c" // vpc-0c is another account's, not in the topology
	IGW              = "igw-0a"
	TGW              = "tgw-01"
	TGWTable         = "tgw-rtb-01"
	AttachA, AttachB = "tgw-attach-0a", "tgw-attach-0b"
	AttachVPN        = "tgw-attach-0vpn"
	AttachDX         = "tgw-attach-0dx"
	VPN              = "vpn-01"
	DXGateway        = "5f2c1d3e-7a41-4b6e-9c2d-0123456789ab"
	VIF              = "dxvif-01"
	Peering          = "pcx-0bc"
	DCHost           = "192.168.1.5" // dc-host, on-premises beyond the VPN
	BranchHost       = "172.16.5.5"  // branch-host, on-premises beyond the DX gateway
	DCNet, BranchNet = "192.168.0.0/16", "172.16.0.0/16"
	PeerCNet         = "10.3.0.0/16"
)

// TGWPair is two VPCs of one account joined by a transit gateway with one route table, which
// both VPC attachments are associated with and propagate to:
//
//	spoke-a  vpc-0a 10.1.0.0/16  subnet-0a1 10.1.1.0/24 (a-app)  app-a 10.1.1.10
//	spoke-b  vpc-0b 10.2.0.0/16  subnet-0b1 10.2.1.0/24 (b-app)  app-b 10.2.1.10
//	hub      tgw-01, table tgw-rtb-01 (hub-rt); attachments to-a (tgw-attach-0a), to-b
//
// Both VPCs route 10.0.0.0/8 to the transit gateway; security groups allow everything,
// network ACLs are the defaults. Defaults are applied.
func TGWPair() *model.Topology {
	t := pair()
	model.ApplyDefaults(t)
	return t
}

// Transit is TGWPair with the transit gateway's other attachments and the ways out of the
// VPCs Reachability Analyzer takes as sources:
//
//	app-a has the public IP 198.51.100.10; spoke-a has igw-0a (a-igw)
//	dc-vpn   tgw-attach-0vpn: VPN vpn-01 (dc-link, BGP) to on-premises "dc" 192.168.0.0/16,
//	         host dc-host 192.168.1.5
//	to-dx    tgw-attach-0dx: DX gateway corp-dx (5f2c1d3e-...) with transit VIF dxvif-01 to
//	         on-premises "branch" 172.16.0.0/16, host branch-host 172.16.5.5; allowed prefix
//	         10.0.0.0/8
//	b-to-c   pcx-0bc: spoke-b peered with vpc-0c 10.3.0.0/16 of account 222222222222, which
//	         is not in the topology
//
// Every attachment is associated with hub-rt and propagates to it. Both VPCs also route
// 192.168.0.0/16 and 172.16.0.0/12 to the transit gateway; spoke-a 0.0.0.0/0 to its
// internet gateway, spoke-b 10.3.0.0/16 to the peering. Defaults are applied.
func Transit() *model.Topology {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	t := pair()
	for _, rt := range t.RouteTables {
		rt.Routes = append(rt.Routes, route("192.168.0.0/16", model.TargetTransitGateway, TGW), route("172.16.0.0/12", model.TargetTransitGateway, TGW))
	}
	t.RouteTables[0].Routes = append(t.RouteTables[0].Routes, route("0.0.0.0/0", model.TargetInternetGateway, IGW))
	t.RouteTables[1].Routes = append(t.RouteTables[1].Routes, route(PeerCNet, model.TargetPeering, Peering))
	t.NetworkInterfaces[0].PrivateIPs[0].PublicIP = a(AppAPublic)
	t.InternetGateways = []*model.InternetGateway{{ID: IGW, VPC: VPCA, Name: "a-igw"}}
	t.VPNConnections = []*model.VPNConnection{{ID: VPN, TransitGateway: TGW, CustomerGateway: "cgw-01", State: model.StateAvailable, Name: "dc-link"}}
	t.OnPremises = []*model.OnPremNetwork{
		{Name: "dc", VPNConnection: VPN, CIDRs: []netip.Prefix{p(DCNet)}, Hosts: []*model.ExternalHost{{Name: "dc-host", IP: a(DCHost)}}},
		{Name: "branch", VirtualInterface: VIF, CIDRs: []netip.Prefix{p(BranchNet)}, Hosts: []*model.ExternalHost{{Name: "branch-host", IP: a(BranchHost)}}},
	}
	t.Peerings = []*model.VPCPeering{{ID: Peering, Name: "b-to-c", Status: model.StateActive,
		Requester: model.PeeringSide{VPC: VPCB, Account: Account, Region: Region, CIDRs: []netip.Prefix{p("10.2.0.0/16")}},
		Accepter:  model.PeeringSide{VPC: VPCC, Account: "222222222222", Region: Region, CIDRs: []netip.Prefix{p(PeerCNet)}}}}
	t.TGWAttachments = append(t.TGWAttachments,
		&model.TGWAttachment{ID: AttachVPN, TransitGateway: TGW, Type: model.AttachVPN, ResourceID: VPN, ResourceOwner: Account, State: model.StateAvailable,
			Association: TGWTable, AssociationState: model.StateAssociated, Name: "dc-vpn"},
		&model.TGWAttachment{ID: AttachDX, TransitGateway: TGW, Type: model.AttachDXGateway, ResourceID: DXGateway, ResourceOwner: Account, State: model.StateAvailable,
			Association: TGWTable, AssociationState: model.StateAssociated, Name: "to-dx"})
	t.TGWRouteTables[0].Propagations = append(t.TGWRouteTables[0].Propagations, AttachVPN, AttachDX)
	t.DXGateways = []*model.DXGateway{{ID: DXGateway, Name: "corp-dx", ASN: 64600, Account: Account, State: model.StateAvailable}}
	t.DXGatewayAssociations = []*model.DXGatewayAssociation{{ID: "dxgw-assoc-01", DXGateway: DXGateway, Gateway: TGW,
		GatewayType: model.DXAssocTGW, Account: Account, Region: Region, State: model.StateAssociated,
		AllowedPrefixes: []netip.Prefix{p("10.0.0.0/8")}}}
	t.VirtualInterfaces = []*model.VirtualInterface{{ID: VIF, Name: "branch-vif", Type: "transit", DXGateway: DXGateway,
		State: model.StateAvailable, MTU: 8500, Account: Account, Region: Region}}
	model.ApplyDefaults(t)
	return t
}

func route(dst string, kind model.TargetKind, id string) model.Route {
	return model.Route{Destination: netip.MustParsePrefix(dst), Target: model.Target{Kind: kind, ID: id},
		Origin: model.OriginCreateRoute, State: model.RouteActive}
}

// pair is TGWPair before defaults.
func pair() *model.Topology {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	open := func(sg string) []model.SecurityGroupRule {
		return []model.SecurityGroupRule{{ID: "sgr-" + sg, Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: p("0.0.0.0/0")}}
	}
	return &model.Topology{
		VPCs: []*model.VPC{
			{ID: VPCA, Name: "spoke-a", CIDRs: []netip.Prefix{p("10.1.0.0/16")}, Account: Account, Region: Region},
			{ID: VPCB, Name: "spoke-b", CIDRs: []netip.Prefix{p("10.2.0.0/16")}, Account: Account, Region: Region},
		},
		Subnets: []*model.Subnet{
			{ID: SubnetA, VPC: VPCA, CIDR: p("10.1.1.0/24"), AvailabilityZone: "us-east-1a", Name: "a-app"},
			{ID: SubnetB, VPC: VPCB, CIDR: p("10.2.1.0/24"), AvailabilityZone: "us-east-1a", Name: "b-app"},
		},
		RouteTables: []*model.RouteTable{
			{ID: "rtb-0a", VPC: VPCA, Name: "a-rt", Subnets: []model.SubnetID{SubnetA},
				Routes: []model.Route{route("10.0.0.0/8", model.TargetTransitGateway, TGW)}},
			{ID: "rtb-0b", VPC: VPCB, Name: "b-rt", Subnets: []model.SubnetID{SubnetB},
				Routes: []model.Route{route("10.0.0.0/8", model.TargetTransitGateway, TGW)}},
		},
		SecurityGroups: []*model.SecurityGroup{
			{ID: "sg-0a", VPC: VPCA, Name: "open-a", Ingress: open("0a-in"), Egress: open("0a-out")},
			{ID: "sg-0b", VPC: VPCB, Name: "open-b", Ingress: open("0b-in"), Egress: open("0b-out")},
		},
		NetworkInterfaces: []*model.NetworkInterface{
			{ID: "eni-0a1", VPC: VPCA, Subnet: SubnetA, SecurityGroups: []model.SecurityGroupID{"sg-0a"}, SourceDestCheck: true,
				Instance: "i-0a1", PrivateIPs: []model.PrivateIP{{Addr: a(AppAIP), Primary: true}}},
			{ID: "eni-0b1", VPC: VPCB, Subnet: SubnetB, SecurityGroups: []model.SecurityGroupID{"sg-0b"}, SourceDestCheck: true,
				Instance: "i-0b1", PrivateIPs: []model.PrivateIP{{Addr: a(AppBIP), Primary: true}}},
		},
		Instances: []*model.Instance{
			{ID: "i-0a1", Name: AppA, ENIs: []model.ENIID{"eni-0a1"}},
			{ID: "i-0b1", Name: AppB, ENIs: []model.ENIID{"eni-0b1"}},
		},
		TransitGateways: []*model.TransitGateway{{ID: TGW, Name: "hub", Account: Account, Region: Region, State: model.StateAvailable, ASN: 64512}},
		TGWRouteTables: []*model.TGWRouteTable{{ID: TGWTable, TransitGateway: TGW, Name: "hub-rt", State: model.StateAvailable,
			Propagations: []model.TGWAttachmentID{AttachA, AttachB}}},
		TGWAttachments: []*model.TGWAttachment{
			{ID: AttachA, TransitGateway: TGW, Type: model.AttachVPC, ResourceID: VPCA, ResourceOwner: Account, State: model.StateAvailable,
				Association: TGWTable, AssociationState: model.StateAssociated, Subnets: []model.SubnetID{SubnetA}, Name: "to-a"},
			{ID: AttachB, TransitGateway: TGW, Type: model.AttachVPC, ResourceID: VPCB, ResourceOwner: Account, State: model.StateAvailable,
				Association: TGWTable, AssociationState: model.StateAssociated, Subnets: []model.SubnetID{SubnetB}, Name: "to-b"},
		},
	}
}
