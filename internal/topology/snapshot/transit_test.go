package snapshot

import (
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpclab/vpclab/internal/model"
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestPeeringConnections(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Vpcs.json": `{"Vpcs": [{"VpcId": "vpc-b", "OwnerId": "222222222222", "CidrBlock": "10.1.0.0/16"}]}`,
		"Subnets.json": `{"Subnets": [{"SubnetId": "subnet-b", "VpcId": "vpc-b", "CidrBlock": "10.1.0.0/24",
			"AvailabilityZone": "eu-west-1b"}]}`,
		"NetworkAcls.json": `{"NetworkAcls": [{"NetworkAclId": "acl-b", "VpcId": "vpc-b", "IsDefault": true}]}`,
		"pcx.json": `{"VpcPeeringConnections": [
			{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active", "Message": "Active"},
			 "ExpirationTime": "2020-03-03T01:21:01.000Z",
			 "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111111111111", "Region": "us-east-1",
			   "CidrBlock": "10.0.0.0/16", "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "10.9.0.0/16"}],
			   "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "2600:1f18:aaaa:bb00::/56"}],
			   "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": true}},
			 "AccepterVpcInfo": {"VpcId": "vpc-b", "CidrBlockSet": [{"CidrBlock": "10.1.0.1/16"}],
			   "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "10.2.0.0/16"}]},
			 "Tags": [{"Key": "team", "Value": "x"}, {"Key": "Name", "Value": "a-b"}]},
			{"VpcPeeringConnectionId": "pcx-2", "Status": {"Code": "pending-acceptance"},
			 "RequesterVpcInfo": {"VpcId": "vpc-a", "CidrBlock": "10.0.0.0/16"},
			 "AccepterVpcInfo": {"OwnerId": "333333333333"}},
			{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"}}]}`,
	})
	top, ps := Load(dir)
	if len(top.Peerings) != 2 {
		t.Fatalf("got %d peerings, want 2 (the repeated pcx-1 skipped):\n%v", len(top.Peerings), ps)
	}
	p := top.Peerings[0]
	if p.ID != "pcx-1" || p.Status != "active" || p.Name != "a-b" || len(p.Tags) != 2 ||
		p.Src != (model.Source{File: "pcx.json", Path: "VpcPeeringConnections[0]"}) {
		t.Errorf("pcx-1 = %+v", p)
	}
	r, a := p.Requester, p.Accepter
	if r.VPC != "vpc-a" || r.Account != "111111111111" || r.Region != "us-east-1" || !r.AllowDNS ||
		!slices.Equal(r.CIDRs, prefixes("10.0.0.0/16", "10.9.0.0/16")) || !slices.Equal(r.IPv6CIDRs, prefixes("2600:1f18:aaaa:bb00::/56")) {
		t.Errorf("requester = %+v, want the primary block first, the set deduplicated, IPv6 and DNS option kept", r)
	}
	// The accepter's owner and region are its VPC's: the answer left them out.
	if a.VPC != "vpc-b" || a.Account != "222222222222" || a.Region != "eu-west-1" || a.AllowDNS ||
		!slices.Equal(a.CIDRs, prefixes("10.1.0.0/16")) || len(a.IPv6CIDRs) != 0 {
		t.Errorf("accepter = %+v", a)
	}
	if !p.InterRegion() {
		t.Error("pcx-1 joins us-east-1 and eu-west-1: InterRegion must be true")
	}
	q := top.Peerings[1]
	if q.Status != "pending-acceptance" || q.Accepter.Account != "333333333333" || len(q.Accepter.CIDRs) != 0 || q.Requester.Account != "" {
		t.Errorf("pcx-2 = %+v", q)
	}
	wantProblem(t, ps, model.Error, "pcx.json: VpcPeeringConnections[0].AccepterVpcInfo.Ipv6CidrBlockSet[0].Ipv6CidrBlock", "not IPv6")
	wantProblem(t, ps, model.Error, "pcx.json: VpcPeeringConnections[1].AccepterVpcInfo.VpcId", "no VpcId")
	wantProblem(t, ps, model.Warning, "pcx.json: VpcPeeringConnections[2]", "duplicate VPC peering connection pcx-1")
	if len(ps) != 3 {
		t.Errorf("got %d problems, want 3:\n%v", len(ps), ps)
	}
}

func TestTransitGateways(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGateways.json": `{"TransitGateways": [
			{"TransitGatewayId": "tgw-1", "State": "available", "OwnerId": "111111111111",
			 "TransitGatewayArn": "arn:aws:ec2:us-east-2:111111111111:transit-gateway/tgw-1",
			 "Options": {"AmazonSideAsn": 64512, "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "enable",
			   "AssociationDefaultRouteTableId": "tgw-rtb-a", "PropagationDefaultRouteTableId": "tgw-rtb-p",
			   "VpnEcmpSupport": "disable", "DnsSupport": "enable", "SecurityGroupReferencingSupport": "enable",
			   "TransitGatewayCidrBlocks": ["10.99.0.0/24", "2600:1f18::/64", "nope"]},
			 "Tags": [{"Key": "Name", "Value": "core"}]},
			{"TransitGatewayId": "tgw-2", "Options": {"DnsSupport": "maybe"}}]}`,
	})
	top, ps := Load(dir)
	if len(top.TransitGateways) != 2 {
		t.Fatalf("got %d transit gateways, want 2:\n%v", len(top.TransitGateways), ps)
	}
	g := top.TransitGateways[0]
	want := model.TransitGateway{ID: "tgw-1", Account: "111111111111", Region: "us-east-2", State: "available", ASN: 64512,
		DefaultAssociation: false, DefaultPropagation: true, AssociationDefaultTable: "tgw-rtb-a", PropagationDefaultTable: "tgw-rtb-p",
		VPNECMP: false, DNSSupport: true, SGReferencing: true, CIDRBlocks: prefixes("10.99.0.0/24", "2600:1f18::/64"),
		Name: "core", Tags: []model.Tag{{Key: "Name", Value: "core"}},
		Src: model.Source{File: "TransitGateways.json", Path: "TransitGateways[0]"}}
	if diff := cmp.Diff(want, *g, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
		t.Errorf("tgw-1 (-want +got):\n%s", diff)
	}
	// Absent options have their values at creation: default association, propagation, ECMP
	// and DNS on, security group referencing off.
	h := top.TransitGateways[1]
	if !h.DefaultAssociation || !h.DefaultPropagation || !h.VPNECMP || !h.DNSSupport || h.SGReferencing || h.Region != "" {
		t.Errorf("tgw-2 = %+v, want AWS's creation defaults", h)
	}
	wantProblem(t, ps, model.Error, "TransitGateways[0].Options.TransitGatewayCidrBlocks[2]", `"nope"`)
	wantProblem(t, ps, model.Warning, "TransitGateways[1].Options.DnsSupport", `"maybe"`, "read as enable")
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2:\n%v", len(ps), ps)
	}
}

// tgwAttachmentsJSON: a VPC attachment associated by its own field, a VPN attachment not
// associated, a Connect attachment (not modelled), and a peering attachment; the VPC
// attachments answer adds one attachment the generic answer lacks.
const tgwAttachmentsJSON = `{"TransitGatewayAttachments": [
	{"TransitGatewayAttachmentId": "tgw-attach-v1", "TransitGatewayId": "tgw-1", "ResourceType": "vpc", "ResourceId": "vpc-1",
	 "ResourceOwnerId": "111111111111", "State": "available",
	 "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"},
	 "Tags": [{"Key": "Name", "Value": "spoke"}]},
	{"TransitGatewayAttachmentId": "tgw-attach-vpn", "TransitGatewayId": "tgw-1", "ResourceType": "vpn", "ResourceId": "vpn-1", "State": "available"},
	{"TransitGatewayAttachmentId": "tgw-attach-gre", "TransitGatewayId": "tgw-1", "ResourceType": "connect", "ResourceId": "tgw-attach-v1", "State": "available"},
	{"TransitGatewayAttachmentId": "tgw-attach-peer", "TransitGatewayId": "tgw-1", "ResourceType": "peering", "ResourceId": "tgw-9",
	 "ResourceOwnerId": "999999999999", "State": "available"}]}`

func TestTGWAttachments(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGatewayAttachments.json": tgwAttachmentsJSON,
		"TransitGatewayVpcAttachments.json": `{"TransitGatewayVpcAttachments": [
			{"TransitGatewayAttachmentId": "tgw-attach-v1", "TransitGatewayId": "tgw-1", "VpcId": "vpc-1", "State": "available",
			 "SubnetIds": ["subnet-a", "subnet-b"],
			 "Options": {"DnsSupport": "disable", "Ipv6Support": "enable", "ApplianceModeSupport": "enable", "SecurityGroupReferencingSupport": "disable"}},
			{"TransitGatewayAttachmentId": "tgw-attach-v2", "TransitGatewayId": "tgw-1", "VpcId": "vpc-2", "VpcOwnerId": "222222222222",
			 "State": "pending", "SubnetIds": ["subnet-c"], "Options": {}}]}`,
		"TransitGatewayPeeringAttachments.json": `{"TransitGatewayPeeringAttachments": [
			{"TransitGatewayAttachmentId": "tgw-attach-peer",
			 "RequesterTgwInfo": {"TransitGatewayId": "tgw-9", "OwnerId": "999999999999", "Region": "eu-west-1"},
			 "AccepterTgwInfo": {"TransitGatewayId": "tgw-1", "OwnerId": "111111111111", "Region": "us-east-2"},
			 "Status": {"Code": "available"}, "State": "available"}]}`,
	})
	top, ps := Load(dir)
	byID := map[model.TGWAttachmentID]*model.TGWAttachment{}
	for _, a := range top.TGWAttachments {
		byID[a.ID] = a
	}
	if len(top.TGWAttachments) != 5 {
		t.Fatalf("got %d attachments, want 5:\n%v", len(top.TGWAttachments), ps)
	}
	v1 := byID["tgw-attach-v1"]
	if v1.Type != model.AttachVPC || v1.TransitGateway != "tgw-1" || v1.ResourceID != "vpc-1" || v1.ResourceOwner != "111111111111" ||
		v1.Association != "tgw-rtb-1" || v1.AssociationState != "associated" || v1.Name != "spoke" ||
		!slices.Equal(v1.Subnets, []model.SubnetID{"subnet-a", "subnet-b"}) ||
		v1.DNSSupport || !v1.IPv6Support || !v1.ApplianceMode || v1.SGReferencing ||
		v1.Src != (model.Source{File: "TransitGatewayAttachments.json", Path: "TransitGatewayAttachments[0]"}) {
		t.Errorf("tgw-attach-v1 = %+v, want the generic answer merged with its VPC details", v1)
	}
	// Only the VPC attachments answer lists v2: it is added, with the options' defaults and
	// no association (a snapshot gets no default association).
	v2 := byID["tgw-attach-v2"]
	if v2 == nil || v2.Type != model.AttachVPC || v2.ResourceID != "vpc-2" || v2.ResourceOwner != "222222222222" || v2.State != "pending" ||
		!slices.Equal(v2.Subnets, []model.SubnetID{"subnet-c"}) || !v2.DNSSupport || v2.IPv6Support || v2.ApplianceMode || !v2.SGReferencing ||
		v2.Association != "" || v2.Src.Path != "TransitGatewayVpcAttachments[1]" {
		t.Errorf("tgw-attach-v2 = %+v", v2)
	}
	if vpn := byID["tgw-attach-vpn"]; vpn.Type != model.AttachVPN || vpn.Association != "" || vpn.ResourceID != "vpn-1" {
		t.Errorf("tgw-attach-vpn = %+v, want a VPN attachment that is not associated", vpn)
	}
	// The peer is the side that is not the attachment's own transit gateway.
	if p := byID["tgw-attach-peer"]; p.Type != model.AttachPeering || p.PeerTransitGateway != "tgw-9" || p.PeerAccount != "999999999999" ||
		p.PeerRegion != "eu-west-1" || p.ResourceID != "tgw-9" {
		t.Errorf("tgw-attach-peer = %+v", p)
	}
	wantProblem(t, ps, model.Warning, "TransitGatewayAttachments[2]", "tgw-attach-gre", "connect", "not model", "VPCLAB_UNSUPPORTED_COMPONENT")
	if len(ps) != 1 {
		t.Errorf("got %d problems, want 1:\n%v", len(ps), ps)
	}
}

// A peering attachment has one ID and an end in each region: each region's answer lists it
// on its own transit gateway, and each end's peer is the other.
func TestTGWPeeringAttachmentAcrossRegions(t *testing.T) {
	peering := `{"TransitGatewayPeeringAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-p",
		"RequesterTgwInfo": {"TransitGatewayId": "tgw-use1", "OwnerId": "111111111111", "Region": "us-east-1"},
		"AccepterTgwInfo": {"TransitGatewayId": "tgw-euw1", "OwnerId": "222222222222", "Region": "eu-west-1"},
		"Status": {"Code": "available"}, "State": "available"}]}`
	dir := writeFiles(t, map[string]string{
		"111111111111/us-east-1/TransitGateways.json": `{"TransitGateways": [{"TransitGatewayId": "tgw-use1"}]}`,
		"111111111111/us-east-1/TransitGatewayAttachments.json": `{"TransitGatewayAttachments": [
			{"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": "tgw-use1", "ResourceType": "peering",
			 "ResourceId": "tgw-euw1", "State": "available", "Association": {"TransitGatewayRouteTableId": "tgw-rtb-use1", "State": "associated"}}]}`,
		"111111111111/us-east-1/TransitGatewayPeeringAttachments.json": peering,
		"222222222222/eu-west-1/TransitGateways.json":                  `{"TransitGateways": [{"TransitGatewayId": "tgw-euw1"}]}`,
		"222222222222/eu-west-1/TransitGatewayAttachments.json": `{"TransitGatewayAttachments": [
			{"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": "tgw-euw1", "ResourceType": "peering",
			 "ResourceId": "tgw-use1", "State": "available", "Association": {"TransitGatewayRouteTableId": "tgw-rtb-euw1", "State": "associated"}}]}`,
		"222222222222/eu-west-1/TransitGatewayPeeringAttachments.json": peering,
	})
	top, ps := Load(dir)
	if len(ps) != 0 {
		t.Errorf("problems:\n%v", ps)
	}
	if len(top.TGWAttachments) != 2 {
		t.Fatalf("got %d attachments, want one per end: %+v", len(top.TGWAttachments), top.TGWAttachments)
	}
	for _, c := range []struct {
		own, peer, table   model.TransitGatewayID
		peerAcct, peerRegn string
	}{{"tgw-use1", "tgw-euw1", "tgw-rtb-use1", "222222222222", "eu-west-1"}, {"tgw-euw1", "tgw-use1", "tgw-rtb-euw1", "111111111111", "us-east-1"}} {
		var a *model.TGWAttachment
		for _, x := range top.TGWAttachments {
			if x.TransitGateway == c.own {
				a = x
			}
		}
		if a == nil || a.PeerTransitGateway != c.peer || string(a.Association) != string(c.table) || a.PeerAccount != c.peerAcct || a.PeerRegion != c.peerRegn {
			t.Errorf("end on %s = %+v", c.own, a)
		}
	}
	if g := top.TransitGateways; g[0].Account != "111111111111" || g[0].Region != "us-east-1" || g[1].Account != "222222222222" || g[1].Region != "eu-west-1" {
		t.Errorf("transit gateways placed at %s/%s and %s/%s, want their folders", g[0].Account, g[0].Region, g[1].Account, g[1].Region)
	}
}

// Batfish's wrappers name each table. The static-routes wrapper holds static routes only,
// so a table whose wrapper shows no propagated route is not Searched: the engine computes
// the propagated routes from the propagations, and the load says so.
func TestTGWRoutesFromBatfishWrappers(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGatewayAttachments.json": tgwAttachmentsJSON,
		"TransitGatewayRouteTables.json": `{"TransitGatewayRouteTables": [
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available",
			 "DefaultAssociationRouteTable": true, "DefaultPropagationRouteTable": false, "Tags": [{"Key": "Name", "Value": "spokes"}]},
			{"TransitGatewayRouteTableId": "tgw-rtb-2", "TransitGatewayId": "tgw-1", "State": "available"}]}`,
		"TransitGatewayStaticRoutes.json": `{"TransitGatewayStaticRoutes": [
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "AdditionalRoutesAvailable": false, "Routes": [
				{"DestinationCidrBlock": "10.9.0.0/16", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc"}],
				 "Type": "static", "State": "active"},
				{"DestinationCidrBlock": "10.8.0.0/16", "Type": "static", "State": "blackhole"},
				{"DestinationIpv6CidrBlock": "2600:1f18::/56", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-peer"}],
				 "Type": "static", "State": "active"},
				{"DestinationCidrBlock": "10.7.0.0/16", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-v1"}],
				 "Type": "static", "State": "deleted"}]},
			{"TransitGatewayRouteTableId": "tgw-rtb-2", "AdditionalRoutesAvailable": true, "Routes": [
				{"DestinationCidrBlock": "10.0.0.0/16", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc"}],
				 "Type": "propagated", "State": "active"},
				{"PrefixListId": "pl-1", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-vpn"}],
				 "Type": "propagated", "State": "active"},
				{"DestinationCidrBlock": "10.6.0.0/16", "Type": "static", "State": "active"}]},
			{"TransitGatewayRouteTableId": "tgw-rtb-gone", "Routes": []},
			{"Routes": [{"DestinationCidrBlock": "10.5.0.0/16", "Type": "static", "State": "blackhole"}]}]}`,
		"TransitGatewayPropagations.json": `{"TransitGatewayPropagations": [
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayRouteTablePropagations": [
				{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc", "State": "enabled"},
				{"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceType": "vpn", "State": "not-enabled"},
				{"TransitGatewayAttachmentId": "tgw-attach-peer", "ResourceType": "peering", "State": "disabling"}]},
			{"TransitGatewayRouteTableId": "tgw-rtb-2", "TransitGatewayRouteTablePropagations": [
				{"TransitGatewayAttachmentId": "tgw-attach-v1", "State": "enabled"}]},
			{"TransitGatewayRouteTablePropagations": []}]}`,
	})
	top, ps := Load(dir)
	if len(top.TGWRouteTables) != 2 {
		t.Fatalf("got %d route tables, want 2:\n%v", len(top.TGWRouteTables), ps)
	}
	rt1, rt2 := top.TGWRouteTables[0], top.TGWRouteTables[1]
	if rt1.TransitGateway != "tgw-1" || rt1.State != "available" || !rt1.DefaultAssociation || rt1.DefaultPropagation || rt1.Name != "spokes" {
		t.Errorf("tgw-rtb-1 = %+v", rt1)
	}
	if rt1.Searched || !slices.Equal(rt1.Propagations, []model.TGWAttachmentID{"tgw-attach-v1"}) {
		t.Errorf("tgw-rtb-1: Searched %v, propagations %v; want static routes only (not Searched), and only the enabled propagation",
			rt1.Searched, rt1.Propagations)
	}
	want1 := []routeRow{
		{"10.9.0.0/16", []model.TGWAttachmentID{"tgw-attach-v1"}, "static", "active", "", "TransitGatewayStaticRoutes[0].Routes[0]"},
		{"10.8.0.0/16", nil, "static", "blackhole", "", "TransitGatewayStaticRoutes[0].Routes[1]"},
		{"2600:1f18::/56", []model.TGWAttachmentID{"tgw-attach-peer"}, "static", "active", "", "TransitGatewayStaticRoutes[0].Routes[2]"},
	}
	if g := routeRows(rt1); !slices.EqualFunc(g, want1, equalRoute) {
		t.Errorf("tgw-rtb-1 routes =\n%+v\nwant (the deleted route left out)\n%+v", g, want1)
	}
	// tgw-rtb-2's wrapper lists a propagated route: it is a full search, AWS's truth. The
	// propagated prefix-list route's Via comes from its attachment, the answer not saying.
	want2 := []routeRow{
		{"10.0.0.0/16", []model.TGWAttachmentID{"tgw-attach-v1"}, "propagated", "active", "vpc", "TransitGatewayStaticRoutes[1].Routes[0]"},
		{"pl-1", []model.TGWAttachmentID{"tgw-attach-vpn"}, "propagated", "active", "vpn", "TransitGatewayStaticRoutes[1].Routes[1]"},
	}
	if g := routeRows(rt2); !rt2.Searched || !slices.EqualFunc(g, want2, equalRoute) {
		t.Errorf("tgw-rtb-2: Searched %v, routes =\n%+v\nwant Searched and\n%+v", rt2.Searched, g, want2)
	}
	if pl := rt2.Routes[1]; pl.PrefixList != "pl-1" || pl.Destination.IsValid() {
		t.Errorf("prefix-list route = %+v", pl)
	}
	const file = "TransitGatewayStaticRoutes.json: "
	wantProblem(t, ps, model.Warning, file+"TransitGatewayStaticRoutes[1].AdditionalRoutesAvailable", "routes truncated", "tgw-rtb-2")
	wantProblem(t, ps, model.Error, file+"TransitGatewayStaticRoutes[1].Routes[2]", "10.6.0.0/16", "no TransitGatewayAttachments")
	wantProblem(t, ps, model.Warning, file+"TransitGatewayStaticRoutes[2]", "tgw-rtb-gone", "no TransitGatewayRouteTables answer")
	wantProblem(t, ps, model.Error, file+"TransitGatewayStaticRoutes[3]", "no TransitGatewayRouteTableId")
	wantProblem(t, ps, model.Error, "TransitGatewayPropagations.json: TransitGatewayPropagations[2]", "no TransitGatewayRouteTableId")
	wantProblem(t, ps, model.Warning, "TransitGatewayRouteTables.json: TransitGatewayRouteTables[0]", "tgw-rtb-1",
		"static routes only", "computes its propagated routes from its 1 propagation(s)")
	wantProblem(t, ps, model.Warning, "tgw-attach-gre", "connect") // the unmodelled attachment
	if len(ps) != 7 {
		t.Errorf("got %d problems, want 7:\n%v", len(ps), ps)
	}
}

// routeRow is a TGW route as the tests compare it.
type routeRow struct {
	dest  string
	atts  []model.TGWAttachmentID
	typ   string
	state string
	via   model.TGWAttachmentType
	path  string
}

func routeRows(rt *model.TGWRouteTable) []routeRow {
	var out []routeRow
	for _, r := range rt.Routes {
		out = append(out, routeRow{destString(r), r.Attachments, r.Type, r.State, r.Via, r.Src.Path})
	}
	return out
}

func equalRoute(a, b routeRow) bool {
	return a.dest == b.dest && slices.Equal(a.atts, b.atts) && a.typ == b.typ && a.state == b.state && a.via == b.via && a.path == b.path
}

// The AWS CLI's per-table answers do not name their table: the file's name, or a folder's,
// does. Their routes are a complete search (Searched), and associations fill the
// attachments that have none of their own.
func TestTGWPerTableCLIFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGatewayAttachments.json": tgwAttachmentsJSON,
		"TransitGatewayRouteTables.json": `{"TransitGatewayRouteTables": [
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1"},
			{"TransitGatewayRouteTableId": "tgw-rtb-0123abcd", "TransitGatewayId": "tgw-1"}]}`,
		"search-transit-gateway-routes.tgw-rtb-0123abcd.json": `{"Routes": [
			{"DestinationCidrBlock": "10.1.0.0/16", "TransitGatewayAttachments": [
				{"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceId": "vpn-1", "ResourceType": "vpn"},
				{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceId": "vpc-1", "ResourceType": "vpc"}],
			 "Type": "propagated", "State": "active"},
			{"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "blackhole"}],
			"AdditionalRoutesAvailable": true}`,
		"tgw-rtb-1/search-transit-gateway-routes.json": `{"Routes": [
			{"DestinationCidrBlock": "10.2.0.0/16", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-v1"}],
			 "Type": "static", "State": "active"}], "AdditionalRoutesAvailable": false}`,
		"tgw-rtb-0123abcd/propagations.json": `{"TransitGatewayRouteTablePropagations": [
			{"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceType": "vpn", "State": "enabled"},
			{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc", "State": "disabled"}]}`,
		"tgw-rtb-1/propagations.json": `{"TransitGatewayRouteTablePropagations": [
			{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc", "State": "enabled"}]}`,
		// v1 names its own association (tgw-rtb-1); the VPN attachment has none.
		"associations.tgw-rtb-0123abcd.json": `{"Associations": [
			{"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceId": "vpn-1", "ResourceType": "vpn", "State": "associated"},
			{"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceId": "vpc-1", "ResourceType": "vpc", "State": "associated"},
			{"TransitGatewayAttachmentId": "tgw-attach-nope", "State": "associated"}]}`,
		"TransitGatewayPrefixListReferences.json": `{"TransitGatewayPrefixListReferences": [
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "PrefixListId": "pl-1", "State": "available", "Blackhole": false,
			 "TransitGatewayAttachment": {"TransitGatewayAttachmentId": "tgw-attach-v1", "ResourceType": "vpc"}},
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "PrefixListId": "pl-2", "State": "available", "Blackhole": true},
			{"TransitGatewayRouteTableId": "tgw-rtb-1", "PrefixListId": "pl-3", "State": "deleting", "Blackhole": true},
			{"PrefixListId": "pl-4", "Blackhole": true}]}`,
		"refs/tgw-rtb-0123abcd.json": `{"TransitGatewayPrefixListReferences": [{"PrefixListId": "pl-5", "Blackhole": true}]}`,
	})
	top, ps := Load(dir)
	var rt1, rt2 *model.TGWRouteTable
	for _, rt := range top.TGWRouteTables {
		switch rt.ID {
		case "tgw-rtb-1":
			rt1 = rt
		case "tgw-rtb-0123abcd":
			rt2 = rt
		}
	}
	if rt1 == nil || rt2 == nil {
		t.Fatalf("route tables = %+v", top.TGWRouteTables)
	}
	file2 := "search-transit-gateway-routes.tgw-rtb-0123abcd.json"
	want2 := []routeRow{
		{"10.1.0.0/16", []model.TGWAttachmentID{"tgw-attach-vpn", "tgw-attach-v1"}, "propagated", "active", "vpn", "Routes[0]"},
		{"0.0.0.0/0", nil, "static", "blackhole", "", "Routes[1]"},
	}
	if g := routeRows(rt2); !rt2.Searched || !slices.EqualFunc(g, want2, equalRoute) || rt2.Routes[0].Src.File != file2 {
		t.Errorf("tgw-rtb-0123abcd: Searched %v, routes\n%+v\nwant Searched and\n%+v from %s", rt2.Searched, g, want2, file2)
	}
	want1 := []routeRow{{"10.2.0.0/16", []model.TGWAttachmentID{"tgw-attach-v1"}, "static", "active", "", "Routes[0]"}}
	if g := routeRows(rt1); !rt1.Searched || !slices.EqualFunc(g, want1, equalRoute) ||
		rt1.Routes[0].Src.File != filepath.Join("tgw-rtb-1", "search-transit-gateway-routes.json") {
		t.Errorf("tgw-rtb-1 (table in the folder's name): Searched %v, routes %+v", rt1.Searched, rt1.Routes)
	}
	if !slices.Equal(rt2.Propagations, []model.TGWAttachmentID{"tgw-attach-vpn"}) || !slices.Equal(rt1.Propagations, []model.TGWAttachmentID{"tgw-attach-v1"}) {
		t.Errorf("propagations: %v and %v", rt1.Propagations, rt2.Propagations)
	}
	byID := map[model.TGWAttachmentID]*model.TGWAttachment{}
	for _, a := range top.TGWAttachments {
		byID[a.ID] = a
	}
	if a := byID["tgw-attach-vpn"]; a.Association != "tgw-rtb-0123abcd" || a.AssociationState != "associated" {
		t.Errorf("VPN attachment association = %q %q, want tgw-rtb-0123abcd from the associations answer", a.Association, a.AssociationState)
	}
	if a := byID["tgw-attach-v1"]; a.Association != "tgw-rtb-1" {
		t.Errorf("v1 association = %q, want its own field's tgw-rtb-1", a.Association)
	}
	if a := byID["tgw-attach-peer"]; a.Association != "" {
		t.Errorf("peering attachment association = %q, want none (no default association for a snapshot)", a.Association)
	}
	wantRefs := []model.TGWPrefixListReference{
		{PrefixList: "pl-1", Attachment: "tgw-attach-v1", Src: model.Source{File: "TransitGatewayPrefixListReferences.json", Path: "TransitGatewayPrefixListReferences[0]"}},
		{PrefixList: "pl-2", Blackhole: true, Src: model.Source{File: "TransitGatewayPrefixListReferences.json", Path: "TransitGatewayPrefixListReferences[1]"}},
	}
	if !slices.Equal(rt1.PrefixListReferences, wantRefs) {
		t.Errorf("tgw-rtb-1 references = %+v, want %+v", rt1.PrefixListReferences, wantRefs)
	}
	if r := rt2.PrefixListReferences; len(r) != 1 || r[0].PrefixList != "pl-5" || !r[0].Blackhole {
		t.Errorf("tgw-rtb-0123abcd references = %+v, want pl-5 from the file named for the table", r)
	}
	wantProblem(t, ps, model.Warning, file2+": AdditionalRoutesAvailable", "routes truncated")
	wantProblem(t, ps, model.Warning, "associations.tgw-rtb-0123abcd.json: Associations[2]", "tgw-attach-nope")
	wantProblem(t, ps, model.Error, "TransitGatewayPrefixListReferences[3]", "names no route table")
	wantProblem(t, ps, model.Warning, "tgw-attach-gre", "connect")
	// tgw-rtb-1's complete search lists no propagated route, yet v1 propagates into it.
	wantProblem(t, ps, model.Warning, "TransitGatewayRouteTables[0]", "tgw-rtb-1", "lists no propagated route", "takes the search as complete")
	if len(ps) != 5 {
		t.Errorf("got %d problems, want 5:\n%v", len(ps), ps)
	}
}

// A per-table answer whose file name names no table cannot be placed: a clear error naming
// the file, the answer and how to name it; the rest of the snapshot loads.
func TestTGWPerTableFileWithoutTableID(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGatewayRouteTables.json": `{"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1"}]}`,
		"routes.json": `{"Routes": [{"DestinationCidrBlock": "10.2.0.0/16", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1"}],
			"Type": "static", "State": "active"}], "AdditionalRoutesAvailable": false}`,
		"props.json":  `{"TransitGatewayRouteTablePropagations": []}`,
		"assocs.json": `{"Associations": [{"TransitGatewayAttachmentId": "tgw-attach-1", "State": "associated"}]}`,
	})
	top, ps := Load(dir)
	for _, c := range []struct{ file, key, command string }{
		{"routes.json", "Routes", "search-transit-gateway-routes"},
		{"props.json", "TransitGatewayRouteTablePropagations", "get-transit-gateway-route-table-propagations"},
		{"assocs.json", "Associations", "get-transit-gateway-route-table-associations"},
	} {
		p := wantProblem(t, ps, model.Error, c.file+": "+c.key, c.command, "does not name its table", c.command+".tgw-rtb-")
		if p != nil && p.Src != (model.Source{File: c.file, Path: c.key}) {
			t.Errorf("error at %+v, want %s %s", p.Src, c.file, c.key)
		}
	}
	if len(ps) != 3 {
		t.Errorf("got %d problems, want 3:\n%v", len(ps), ps)
	}
	if rt := top.TGWRouteTables; len(rt) != 1 || len(rt[0].Routes) != 0 || rt[0].Searched {
		t.Errorf("route tables = %+v, want tgw-rtb-1 untouched", rt)
	}
}

// A VPN connection on a transit gateway names it instead of a VGW.
func TestVPNOnTransitGateway(t *testing.T) {
	top, ps := Load(writeFiles(t, map[string]string{"vpn.json": `{"VpnConnections": [
		{"VpnConnectionId": "vpn-1", "TransitGatewayId": "tgw-1", "CustomerGatewayId": "cgw-1", "State": "available", "Routes": []},
		{"VpnConnectionId": "vpn-2", "VpnGatewayId": "vgw-1", "State": "available"}]}`}))
	if len(ps) != 0 {
		t.Errorf("problems:\n%v", ps)
	}
	if v := top.VPNConnections[0]; v.TransitGateway != "tgw-1" || v.VPNGateway != "" || v.CustomerGateway != "cgw-1" {
		t.Errorf("vpn-1 = %+v", v)
	}
	if v := top.VPNConnections[1]; v.TransitGateway != "" || v.VPNGateway != "vgw-1" {
		t.Errorf("vpn-2 = %+v", v)
	}
}

// A garbled transit gateway or peering answer names its file and the JSON path of
// the bad value, or the line and column of the syntax error; the other files still load.
func TestGarbledTransitAnswers(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"TransitGatewayStaticRoutes.json": `{"TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-1",
			"Routes": [{"DestinationCidrBlock": 10, "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1"}]}]}]}`,
		"TransitGateways.json": `{"TransitGateways": [{"TransitGatewayId": "tgw-1", "Options": {"AmazonSideAsn": "big"}}]}`,
		"pcx.json":             `{"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "RequesterVpcInfo": {"CidrBlockSet": {"CidrBlock": "10.0.0.0/16"}}}]}`,
	})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "TransitGatewayStaticRoutes.json: TransitGatewayStaticRoutes[0].Routes[0].DestinationCidrBlock", "expected string, got number", "line 2")
	wantProblem(t, ps, model.Error, "TransitGateways.json: TransitGateways[0].Options.AmazonSideAsn", "expected integer, got string")
	wantProblem(t, ps, model.Error, "pcx.json: VpcPeeringConnections[0].RequesterVpcInfo.CidrBlockSet", "expected array, got object")
	if len(top.TransitGateways) != 1 || len(top.Peerings) != 1 {
		t.Errorf("got %d transit gateways and %d peerings, want 1 and 1", len(top.TransitGateways), len(top.Peerings))
	}
}
