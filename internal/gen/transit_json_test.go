package gen

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

// The answers of what joins VPCs (and the ones they refer to), decoded with encoding/json,
// apart from the snapshot loader, so that the keys are checked as AWS spells them: only
// those the tests check.
type (
	vpcsFile struct {
		Vpcs []struct{ VpcId, CidrBlock string }
	}
	subnetsFile struct {
		Subnets []struct{ SubnetId, VpcId, CidrBlock, AvailabilityZone string }
	}
	enisFile struct {
		NetworkInterfaces []struct {
			NetworkInterfaceId, SubnetId, VpcId, InterfaceType, Description, PrivateIpAddress string
			RequesterManaged                                                                  bool
			SourceDestCheck                                                                   bool
			Groups                                                                            []struct{ GroupId string }
		}
	}
	routeTablesFile struct {
		RouteTables []struct {
			RouteTableId, VpcId string
			Routes              []map[string]string
		}
	}
	securityGroupsFile struct {
		SecurityGroups []struct {
			GroupName     string
			IpPermissions []struct {
				IpProtocol       string
				FromPort, ToPort *int
				IpRanges         []struct{ CidrIp string }
			}
		}
	}
	tgwsFile struct {
		TransitGateways []struct {
			TransitGatewayId, State, OwnerId, TransitGatewayArn string
			Options                                             map[string]any
		}
	}
	tgwAttachmentsFile struct {
		TransitGatewayAttachments []struct {
			TransitGatewayAttachmentId, TransitGatewayId, ResourceType, ResourceId, State string
			Association                                                                   *struct{ TransitGatewayRouteTableId, State string }
		}
	}
	tgwVPCAttachmentsFile struct {
		TransitGatewayVpcAttachments []struct {
			TransitGatewayAttachmentId, TransitGatewayId, VpcId, State string
			SubnetIds                                                  []string
			Options                                                    map[string]string
		}
	}
	tgwTablesFile struct {
		TransitGatewayRouteTables []struct {
			TransitGatewayRouteTableId, TransitGatewayId, State string
			Tags                                                []struct{ Key, Value string }
		}
	}
	tgwAttachmentRef struct{ TransitGatewayAttachmentId, ResourceId, ResourceType string }
	tgwRoutesFile    struct {
		TransitGatewayStaticRoutes []struct {
			TransitGatewayRouteTableId string
			AdditionalRoutesAvailable  bool
			Routes                     []struct {
				DestinationCidrBlock, Type, State string
				TransitGatewayAttachments         []tgwAttachmentRef
			}
		}
	}
	tgwPropagationsFile struct {
		TransitGatewayPropagations []struct {
			TransitGatewayRouteTableId           string
			TransitGatewayRouteTablePropagations []struct{ TransitGatewayAttachmentId, ResourceId, ResourceType, State string }
		}
	}
	peeringsFile struct {
		VpcPeeringConnections []struct {
			VpcPeeringConnectionId string
			Status                 struct{ Code string }
			RequesterVpcInfo       peeringInfo
			AccepterVpcInfo        peeringInfo
		}
	}
	peeringInfo struct {
		VpcId, OwnerId, Region, CidrBlock string
		CidrBlockSet                      []struct{ CidrBlock string }
	}
)

// decode reads one answer of dir, with every key of the file known to v.
func decode(t *testing.T, dir, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// What generated estates lack, written from a topology a lab or a snapshot could hold: a
// pending peering with IPv6 blocks, a transit gateway peering attachment listed on both its
// gateways, a blackhole and an ECMP route, a prefix-list reference, a table of static routes
// only (a lab's) and an unassociated attachment.
func TestWriteTransitExtras(t *testing.T) {
	topo := Estate(Options{VPCs: 2, SubnetsPerVPC: 1, InstancesPerSubnet: 1, Seed: 4})
	a, b := topo.VPCs[0], topo.VPCs[1]
	pfx := netip.MustParsePrefix
	topo.Peerings = []*model.VPCPeering{{ID: "pcx-0123456789abcdef0", Status: "pending-acceptance",
		Requester: model.PeeringSide{VPC: a.ID, CIDRs: a.CIDRs, IPv6CIDRs: []netip.Prefix{pfx("2600:1f18::/56")}},
		Accepter:  model.PeeringSide{VPC: b.ID, Account: "111122223333", Region: "eu-west-1", CIDRs: b.CIDRs}}}
	topo.TransitGateways = []*model.TransitGateway{
		{ID: "tgw-0000000000000000a", Region: "us-east-1", Name: "east"},
		{ID: "tgw-0000000000000000b", Account: "111122223333", Region: "eu-west-1", Name: "west", SGReferencing: true}}
	topo.TGWAttachments = []*model.TGWAttachment{
		{ID: "tgw-attach-0000000000000000a", TransitGateway: "tgw-0000000000000000a", Type: model.AttachVPC, ResourceID: string(a.ID),
			Subnets: []model.SubnetID{topo.Subnets[0].ID}, Association: "tgw-rtb-0000000000000000a"},
		{ID: "tgw-attach-0000000000000000p", TransitGateway: "tgw-0000000000000000a", Type: model.AttachPeering,
			ResourceID: "tgw-0000000000000000b", PeerTransitGateway: "tgw-0000000000000000b", Association: "tgw-rtb-0000000000000000a"},
		{ID: "tgw-attach-0000000000000000p", TransitGateway: "tgw-0000000000000000b", Type: model.AttachPeering,
			ResourceID: "tgw-0000000000000000a", PeerTransitGateway: "tgw-0000000000000000a"},
		{ID: "tgw-attach-0000000000000000v", TransitGateway: "tgw-0000000000000000a", Type: model.AttachVPN, ResourceID: "vpn-0123456789abcdef0"},
		{ID: "tgw-attach-0000000000000000w", TransitGateway: "tgw-0000000000000000a", Type: model.AttachVPN, ResourceID: "vpn-0123456789abcdef1"}}
	topo.TGWRouteTables = []*model.TGWRouteTable{{ID: "tgw-rtb-0000000000000000a", TransitGateway: "tgw-0000000000000000a",
		Propagations: []model.TGWAttachmentID{"tgw-attach-0000000000000000a"},
		Routes: []model.TGWRoute{
			{Destination: pfx("10.200.0.0/16"), Attachments: []model.TGWAttachmentID{"tgw-attach-0000000000000000p"}},
			{Destination: pfx("10.201.0.0/16")},
			{Destination: pfx("192.168.0.0/16"), Attachments: []model.TGWAttachmentID{"tgw-attach-0000000000000000v", "tgw-attach-0000000000000000w"}}},
		PrefixListReferences: []model.TGWPrefixListReference{{PrefixList: "pl-0123456789abcdef0", Attachment: "tgw-attach-0000000000000000p"}}}}
	got := readDir(t, writeSnapshot(t, topo))
	want := map[string]string{
		"VpcPeeringConnections.json": `{"VpcPeeringConnections":[{"AccepterVpcInfo":{"CidrBlock":"` + b.CIDRs[0].String() + `",
			"CidrBlockSet":[{"CidrBlock":"` + b.CIDRs[0].String() + `"}],"OwnerId":"111122223333","Region":"eu-west-1","VpcId":"` + string(b.ID) + `"},
			"ExpirationTime":"*","RequesterVpcInfo":{"CidrBlock":"` + a.CIDRs[0].String() + `","CidrBlockSet":[{"CidrBlock":"` + a.CIDRs[0].String() + `"}],
			"Ipv6CidrBlockSet":[{"Ipv6CidrBlock":"2600:1f18::/56"}],"OwnerId":"*","Region":"us-east-1","VpcId":"` + string(a.ID) + `"},
			"Status":{"Code":"pending-acceptance","Message":"Pending Acceptance"},"Tags":[],"VpcPeeringConnectionId":"pcx-0123456789abcdef0"}]}`,
		"TransitGatewayPeeringAttachments.json": `{"TransitGatewayPeeringAttachments":[{"AccepterTgwInfo":{"OwnerId":"111122223333","Region":"eu-west-1",
			"TransitGatewayId":"tgw-0000000000000000b"},"CreationTime":"*","RequesterTgwInfo":{"OwnerId":"*","Region":"us-east-1",
			"TransitGatewayId":"tgw-0000000000000000a"},"State":"available","Status":{"Code":"available","Message":""},"Tags":[],
			"TransitGatewayAttachmentId":"tgw-attach-0000000000000000p"}]}`,
		"TransitGatewayStaticRoutes.json": `{"TransitGatewayStaticRoutes":[{"AdditionalRoutesAvailable":false,"Routes":[
			{"DestinationCidrBlock":"10.200.0.0/16","State":"active","TransitGatewayAttachments":[{"ResourceId":"tgw-0000000000000000b",
				"ResourceType":"peering","TransitGatewayAttachmentId":"tgw-attach-0000000000000000p"}],"Type":"static"},
			{"DestinationCidrBlock":"10.201.0.0/16","State":"blackhole","Type":"static"},
			{"DestinationCidrBlock":"192.168.0.0/16","State":"active","TransitGatewayAttachments":[
				{"ResourceId":"vpn-0123456789abcdef0","ResourceType":"vpn","TransitGatewayAttachmentId":"tgw-attach-0000000000000000v"},
				{"ResourceId":"vpn-0123456789abcdef1","ResourceType":"vpn","TransitGatewayAttachmentId":"tgw-attach-0000000000000000w"}],"Type":"static"}],
			"TransitGatewayRouteTableId":"tgw-rtb-0000000000000000a"}]}`,
		"TransitGatewayPrefixListReferences.json": `{"TransitGatewayPrefixListReferences":[{"Blackhole":false,"PrefixListId":"pl-0123456789abcdef0",
			"PrefixListOwnerId":"*","State":"available","TransitGatewayAttachment":{"ResourceId":"tgw-0000000000000000b","ResourceType":"peering",
			"TransitGatewayAttachmentId":"tgw-attach-0000000000000000p"},"TransitGatewayRouteTableId":"tgw-rtb-0000000000000000a"}]}`,
	}
	for name, w := range want {
		var g, x any
		if err := json.Unmarshal(got[name], &g); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := json.Unmarshal([]byte(w), &x); err != nil {
			t.Fatalf("want %s: %v", name, err)
		}
		if d := cmp.Diff(x, g, cmp.FilterValues(func(x, y string) bool { return x == "*" || y == "*" }, cmp.Ignore())); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	// Every attachment in the generic answer, the peering once per gateway; the VPC one in
	// the VPC answer too; the unassociated VPN without Association.
	var atts tgwAttachmentsFile
	if err := json.Unmarshal(got["TransitGatewayAttachments.json"], &atts); err != nil {
		t.Fatal(err)
	}
	var assoc []string
	for _, x := range atts.TransitGatewayAttachments {
		s := x.TransitGatewayAttachmentId + " on " + x.TransitGatewayId
		if x.Association != nil {
			s += " in " + x.Association.TransitGatewayRouteTableId
		}
		assoc = append(assoc, s)
	}
	if d := cmp.Diff([]string{"tgw-attach-0000000000000000a on tgw-0000000000000000a in tgw-rtb-0000000000000000a",
		"tgw-attach-0000000000000000p on tgw-0000000000000000a in tgw-rtb-0000000000000000a",
		"tgw-attach-0000000000000000p on tgw-0000000000000000b", "tgw-attach-0000000000000000v on tgw-0000000000000000a",
		"tgw-attach-0000000000000000w on tgw-0000000000000000a"}, assoc); d != "" {
		t.Errorf("attachments (-want +got):\n%s", d)
	}
	var vatts tgwVPCAttachmentsFile
	if err := json.Unmarshal(got["TransitGatewayVpcAttachments.json"], &vatts); err != nil {
		t.Fatal(err)
	}
	if len(vatts.TransitGatewayVpcAttachments) != 1 || vatts.TransitGatewayVpcAttachments[0].Options["DnsSupport"] != "disable" {
		t.Errorf("VPC attachments %+v", vatts.TransitGatewayVpcAttachments)
	}

	// Read back, what the topology left out has the values the answers gave it: the
	// account and region of the VPCs, AWS's defaults, a peering end's peer.
	loaded, probs := snapshot.Load(writeSnapshot(t, topo))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	owner, west := a.Account, "111122223333"
	topo.Peerings[0].Requester.Account, topo.Peerings[0].Requester.Region = owner, "us-east-1"
	for _, g := range topo.TransitGateways {
		g.State, g.ASN, g.Tags = "available", 64512, nameTag(g.Name)
	}
	topo.TransitGateways[0].Account = owner
	for _, x := range topo.TGWAttachments {
		x.State, x.ResourceOwner = "available", owner
		if x.Association != "" {
			x.AssociationState = "associated"
		}
	}
	p1, p2 := topo.TGWAttachments[1], topo.TGWAttachments[2]
	p1.ResourceOwner, p1.PeerAccount, p1.PeerRegion = west, west, "eu-west-1"
	p2.PeerAccount, p2.PeerRegion = owner, "us-east-1"
	rt := topo.TGWRouteTables[0]
	rt.State = "available"
	for i := range rt.Routes {
		rt.Routes[i].Type, rt.Routes[i].State = "static", "active"
	}
	rt.Routes[1].State = "blackhole"
	if d := cmp.Diff(topo, loaded, cmpOpts...); d != "" {
		t.Errorf("read back (-written +read):\n%s", d)
	}
}
