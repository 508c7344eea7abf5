package snapshot

import (
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpclab/vpclab/internal/model"
)

// conformanceDir is where the Batfish snapshots live when the shared folder exists (see
// ../shared/conformance/README.md beside the repository). They are never copied into the repository.
func conformanceDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "conformance", "batfish", name, "aws_configs")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance snapshot %s not found at %s (the shared conformance folder is absent): %v", name, dir, err)
	}
	return dir
}

// loadClean loads a snapshot and fails on any error; it returns the warnings.
func loadClean(t *testing.T, dir string) (*model.Topology, model.Problems) {
	t.Helper()
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("Load(%s) errors:\n%v", dir, ps)
	}
	return top, ps.Warnings()
}

type counts struct{ vpcs, subnets, routeTables, instances, enis, nats, igws, sgs, acls int }

func countsOf(t *model.Topology) counts {
	return counts{len(t.VPCs), len(t.Subnets), len(t.RouteTables), len(t.Instances), len(t.NetworkInterfaces),
		len(t.NATGateways), len(t.InternetGateways), len(t.SecurityGroups), len(t.NetworkACLs)}
}

// wantWarnings checks that the warnings name exactly the unmodelled keys given, one per key.
func wantWarnings(t *testing.T, ws model.Problems, keys ...string) {
	t.Helper()
	if len(ws) != len(keys) {
		t.Errorf("got %d warnings, want %d (%v):\n%v", len(ws), len(keys), keys, ws)
	}
	for _, k := range keys {
		found := false
		for _, w := range ws {
			if w.Severity == model.Warning && w.Src.File == k+".json" && w.Src.Path == k && strings.Contains(w.Message, "not modelled") {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning for unmodelled key %s in:\n%v", k, ws)
		}
	}
}

func TestConformanceNATGateway(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-nat-gateway"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 3, routeTables: 3, instances: 3, enis: 4, nats: 1, igws: 1, sgs: 3, acls: 2}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws)

	nat := top.NATGateway("nat-07ab4846da51f4612")
	if nat == nil {
		t.Fatal("NAT gateway nat-07ab4846da51f4612 missing")
	}
	if nat.Connectivity != model.ConnectivityPublic {
		t.Errorf("connectivity = %q, want public (absent from this older answer)", nat.Connectivity)
	}
	if nat.State != "available" || nat.VPC != "vpc-0008a7b45e3ddf1dd" || nat.Subnet != "subnet-0428892a357fa1f94" {
		t.Errorf("NAT = %+v", nat)
	}
	if len(nat.Addresses) != 1 {
		t.Fatalf("NAT addresses = %+v, want one", nat.Addresses)
	}
	a := nat.Addresses[0]
	if a.PrivateIP != netip.MustParseAddr("10.1.250.210") || a.PublicIP != netip.MustParseAddr("3.135.127.225") ||
		!a.Primary || a.ENI != "eni-017aaec115610308a" || a.AllocationID != "eipalloc-0353e2d101e93f4a1" {
		t.Errorf("NAT address = %+v", a)
	}
	if eni := top.ENI("eni-017aaec115610308a"); eni == nil || eni.Type != model.InterfaceTypeNATGateway || eni.SourceDestCheck {
		t.Errorf("NAT ENI = %+v, want a requester-managed nat_gateway ENI with source/dest check off", eni)
	}

	// The private subnet's default route goes to the NAT gateway.
	var natRoute *model.Route
	for _, rt := range top.RouteTables {
		for i, r := range rt.Routes {
			if r.Target.Kind == model.TargetNATGateway {
				natRoute = &rt.Routes[i]
				if len(rt.Subnets) != 1 || rt.Subnets[0] != "subnet-06f469bcee42e408e" {
					t.Errorf("NAT route in table %s for subnets %v", rt.ID, rt.Subnets)
				}
			}
		}
	}
	if natRoute == nil || natRoute.Target.ID != "nat-07ab4846da51f4612" || natRoute.Destination != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("NAT route = %+v", natRoute)
	} else if natRoute.Src.File != "RouteTables.json" || natRoute.Src.Path != "RouteTables[1].Routes[1]" {
		t.Errorf("NAT route source = %+v", natRoute.Src)
	}

	// An ICMP echo-request (type 8) rule.
	sg := top.SecurityGroup("sg-0253af84ae6485905")
	if sg == nil {
		t.Fatal("security group sg-0253af84ae6485905 missing")
	}
	found := false
	for _, r := range sg.Ingress {
		if r.Protocol == model.ProtocolICMP && r.FromPort == 8 && r.ToPort == 0 && r.CIDR == netip.MustParsePrefix("0.0.0.0/0") {
			found = true
			if r.Description != "ICMP Access" || !strings.HasPrefix(r.ID, "sg-0253af84ae6485905:ingress:") {
				t.Errorf("ICMP rule = %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("no ICMP type 8 rule in %+v", sg.Ingress)
	}
	if in := top.Instance("i-0a128d26e59be60f3"); in == nil || in.Name != "test1" || in.State != "running" ||
		len(in.ENIs) != 1 || in.ENIs[0] != "eni-0e4ce6a7777b9bff8" {
		t.Errorf("instance i-0a128d26e59be60f3 = %+v", in)
	}
	if v := top.VPC("vpc-0008a7b45e3ddf1dd"); v == nil || v.Name != "vpc_a" || len(v.CIDRs) != 1 || v.CIDRs[0] != netip.MustParsePrefix("10.1.0.0/16") {
		t.Errorf("VPC = %+v", v)
	}
	if len(top.InternetGateways) == 1 {
		if g := top.InternetGateways[0]; g.ID != "igw-071753b9c23d8a9b2" || g.VPC != "vpc-0008a7b45e3ddf1dd" {
			t.Errorf("IGW = %+v", g)
		}
	}
}

func TestConformancePublicSubnet(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-public-subnet"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 1, routeTables: 2, instances: 1, enis: 1, nats: 0, igws: 1, sgs: 2, acls: 1}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws, "AvailabilityZones", "CustomerGateways")

	in := top.Instance("i-06669a407b2ef3ae5")
	if in == nil || len(in.ENIs) != 1 {
		t.Fatalf("instance i-06669a407b2ef3ae5 = %+v, want one ENI", in)
	}
	eni := top.ENI(in.ENIs[0])
	if eni == nil || len(eni.PrivateIPs) != 1 {
		t.Fatalf("ENI %s = %+v", in.ENIs[0], eni)
	}
	if p := eni.PrivateIPs[0]; p.Addr != netip.MustParseAddr("10.0.0.91") || p.PublicIP != netip.MustParseAddr("18.216.80.133") || !p.Primary {
		t.Errorf("private IP = %+v, want 10.0.0.91 with public 18.216.80.133", p)
	}
	if eni.Instance != in.ID || eni.Subnet != "subnet-0bb82ae8b3ea5dc78" || eni.SecurityGroups[0] != "sg-09ccba6656672061b" {
		t.Errorf("ENI = %+v", eni)
	}
	if eni.Src.File != "NetworkInterfaces.json" {
		t.Errorf("ENI source = %v, want NetworkInterfaces.json (merged, not duplicated)", eni.Src)
	}
	mainTables := 0
	for _, rt := range top.RouteTables {
		if rt.Main {
			mainTables++
		}
		for _, r := range rt.Routes {
			if r.Target.Kind == model.TargetInternetGateway && r.Target.ID != "igw-0a409e562d251f766" {
				t.Errorf("IGW route = %+v", r)
			}
		}
	}
	if mainTables != 1 {
		t.Errorf("%d main route tables, want 1", mainTables)
	}
}

func TestConformanceSubnet(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-subnet"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 1, routeTables: 1, instances: 2, enis: 2, nats: 0, igws: 0, sgs: 3, acls: 1}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws, "AvailabilityZones")

	if in := top.Instance("i-08ef86e76fceabd8d"); in == nil || len(in.ENIs) != 1 || in.ENIs[0] != "eni-010f649a7fc5c1e34" {
		t.Errorf("instance i-08ef86e76fceabd8d = %+v", in)
	}
	eni := top.ENI("eni-029bf1092de61fb40")
	if eni == nil || eni.Instance != "i-07519d6ba3f9497e4" || eni.PrimaryIP() != netip.MustParseAddr("10.10.1.44") {
		t.Errorf("ENI eni-029bf1092de61fb40 = %+v", eni)
	}
	acl := top.NetworkACLs[0]
	if acl.ID != "acl-07102431133dec52a" || len(acl.Subnets) != 1 || acl.Subnets[0] != "subnet-06c8307e34ffadb04" {
		t.Errorf("NACL = %+v", acl)
	}
	if len(acl.Entries) != 4 {
		t.Errorf("NACL entries = %+v, want 4", acl.Entries)
	}
	for _, e := range acl.Entries {
		if e.ICMPType != -1 || e.ICMPCode != -1 || e.CIDR != netip.MustParsePrefix("0.0.0.0/0") {
			t.Errorf("entry = %+v", e)
		}
	}
	if s := top.Subnet("subnet-06c8307e34ffadb04"); s == nil || s.CIDR.Bits() == 0 || s.VPC != "vpc-062867d29dbf9386f" {
		t.Errorf("subnet = %+v", s)
	}
}

// wantWarningsAt checks that the warnings are exactly one at each source given ("file: path"
// or "file"), each containing its text.
func wantWarningsAt(t *testing.T, ws model.Problems, want map[string]string) {
	t.Helper()
	if len(ws) != len(want) {
		t.Errorf("got %d warnings, want %d:\n%v", len(ws), len(want), ws)
	}
	for at, text := range want {
		found := false
		for _, w := range ws {
			if w.Src.String() == at && strings.Contains(w.Message, text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning at %s containing %q in:\n%v", at, text, ws)
		}
	}
}

func TestConformanceVPCPeering(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-vpc-peering"))
	wantWarnings(t, ws, "AvailabilityZones")
	const (
		a, b, c  = model.VPCID("vpc-0404e08ceddf7f650"), model.VPCID("vpc-00a31ce9d0c06675c"), model.VPCID("vpc-09095dbf2886404ee")
		ab, ac   = model.PeeringID("pcx-0b89b559e3319d6cf"), model.PeeringID("pcx-0d5b836985ac8ca8c")
		account  = "554773406868"
		region   = "us-east-2"
		peerings = "VpcPeeringConnections.json"
	)
	if len(top.Peerings) != 2 {
		t.Fatalf("got %d peerings, want 2", len(top.Peerings))
	}
	for i, want := range []struct {
		id       model.PeeringID
		name     string
		accepter model.VPCID
	}{{ac, "A-C", c}, {ab, "A-B", b}} {
		p := top.Peerings[i]
		if p.ID != want.id || p.Name != want.name || p.Status != "active" || p.InterRegion() ||
			p.Src != (model.Source{File: peerings, Path: fmt.Sprintf("VpcPeeringConnections[%d]", i)}) {
			t.Errorf("peering %d = %+v, want %s %s, active", i, p, want.id, want.name)
		}
		wantSides := [2]model.PeeringSide{
			{VPC: a, Account: account, Region: region, CIDRs: prefixes("10.10.0.0/16")},
			{VPC: want.accepter, Account: account, Region: region, CIDRs: prefixes("192.168.0.0/16")},
		}
		if d := cmp.Diff(wantSides, [2]model.PeeringSide{p.Requester, p.Accepter}, cmpopts.EquateComparable(netip.Prefix{}), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s sides (-want +got):\n%s", p.ID, d)
		}
	}
	// A's table routes each peer's subnet to its peering; B's and C's route A back.
	routes := map[string]model.PeeringID{}
	for _, rt := range top.RouteTables {
		for _, r := range rt.Routes {
			if r.Target.Kind == model.TargetPeering {
				routes[string(rt.VPC)+" "+r.Destination.String()] = model.PeeringID(r.Target.ID)
			}
		}
	}
	wantRoutes := map[string]model.PeeringID{
		string(a) + " 192.168.1.0/24": ab, string(a) + " 192.168.2.0/24": ac,
		string(b) + " 10.10.0.0/16": ab, string(c) + " 10.10.0.0/16": ac,
	}
	if !maps.Equal(routes, wantRoutes) {
		t.Errorf("peering routes = %v, want %v", routes, wantRoutes)
	}
	for _, v := range top.VPCs {
		if v.Account != account || v.Region != region {
			t.Errorf("%s in %q %q, want %s %s (OwnerId; the subnets' zones)", v.ID, v.Account, v.Region, account, region)
		}
	}
}

func TestConformanceTransitGateway(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-transit-gateway"))
	const (
		tgwID   = model.TransitGatewayID("tgw-044be4464fcc69aff")
		table   = model.TGWRouteTableID("tgw-rtb-0fa40c8df355dce6e")
		attachA = model.TGWAttachmentID("tgw-attach-07f5ec59e9f540021")
		attachB = model.TGWAttachmentID("tgw-attach-0ae2696617bb06fb4")
	)
	wantWarningsAt(t, ws, map[string]string{
		"AvailabilityZones.json: AvailabilityZones":   "not modelled",
		"CustomerGateways.json: CustomerGateways":     "not modelled",
		"ElasticsearchDomains.json: DomainStatusList": "unknown key",
		"RdsInstances.json: DBInstances":              "unknown key",
		// Batfish's wrapper holds static routes only: the propagated ones are recomputed.
		"TransitGatewayRouteTables.json: TransitGatewayRouteTables[0]": "computes its propagated routes from its 2 propagation(s)",
	})
	if len(top.TransitGateways) != 1 {
		t.Fatalf("transit gateways = %+v", top.TransitGateways)
	}
	g := top.TransitGateways[0]
	if g.ID != tgwID || g.Name != "transit-test" || g.ASN != 64512 || g.Account != "554773406868" || g.Region != "us-east-2" ||
		!g.DefaultAssociation || !g.DefaultPropagation || g.AssociationDefaultTable != table || g.PropagationDefaultTable != table ||
		!g.VPNECMP || !g.DNSSupport || g.SGReferencing || g.State != "available" {
		t.Errorf("transit gateway = %+v", g)
	}
	if len(top.TGWRouteTables) != 1 {
		t.Fatalf("route tables = %+v", top.TGWRouteTables)
	}
	rt := top.TGWRouteTables[0]
	if rt.ID != table || rt.TransitGateway != tgwID || !rt.DefaultAssociation || !rt.DefaultPropagation || rt.State != "available" {
		t.Errorf("route table = %+v", rt)
	}
	// No static routes; both VPC attachments propagate, and the engine computes their routes.
	if len(rt.Routes) != 0 || rt.Searched || !slices.Equal(rt.Propagations, []model.TGWAttachmentID{attachA, attachB}) {
		t.Errorf("route table routes %+v (Searched %v), propagations %v; want no route, not Searched, both attachments",
			rt.Routes, rt.Searched, rt.Propagations)
	}
	byID := map[model.TGWAttachmentID]*model.TGWAttachment{}
	for _, a := range top.TGWAttachments {
		byID[a.ID] = a
	}
	if len(top.TGWAttachments) != 3 {
		t.Errorf("got %d attachments, want 3 (two VPCs and a deleted VPN)", len(top.TGWAttachments))
	}
	for _, c := range []struct {
		id     model.TGWAttachmentID
		vpc    string
		subnet model.SubnetID
		name   string
		az     string
	}{{attachA, "vpc-0404e08ceddf7f650", "subnet-006a19c846f047bd7", "tgw-vpcA", "us-east-2c"},
		{attachB, "vpc-00a31ce9d0c06675c", "subnet-0ebf6378a79a3e534", "tgw-vpcB", "us-east-2b"}} {
		a := byID[c.id]
		if a == nil || a.Type != model.AttachVPC || a.TransitGateway != tgwID || a.ResourceID != c.vpc || a.State != "available" ||
			a.Association != table || a.AssociationState != "associated" || !slices.Equal(a.Subnets, []model.SubnetID{c.subnet}) ||
			!a.DNSSupport || a.IPv6Support || a.ApplianceMode || !a.SGReferencing || a.Name != c.name {
			t.Errorf("%s = %+v", c.id, a)
			continue
		}
		if s := top.Subnet(c.subnet); s == nil || s.AvailabilityZone != c.az {
			t.Errorf("attachment subnet %s = %+v, want it in %s", c.subnet, s, c.az)
		}
		// The transit gateway's requester-managed ENI in that subnet loads as it is.
		found := false
		for _, e := range top.NetworkInterfaces {
			if e.Subnet == c.subnet && e.Type == model.InterfaceTypeTransitGateway {
				found = true
			}
		}
		if !found {
			t.Errorf("no transit_gateway ENI in %s", c.subnet)
		}
	}
	if vpn := byID["tgw-attach-0d724909ecd7a5961"]; vpn == nil || vpn.Type != model.AttachVPN || vpn.State != "deleted" || vpn.Association != "" {
		t.Errorf("VPN attachment = %+v", vpn)
	}
	if v := top.VPNConnections; len(v) != 1 || v[0].TransitGateway != tgwID || v[0].VPNGateway != "" || v[0].State != "deleted" {
		t.Errorf("VPN connections = %+v", v)
	}
	// Each VPC routes the other's range to the transit gateway.
	n := 0
	for _, rt := range top.RouteTables {
		for _, r := range rt.Routes {
			if r.Target.Kind == model.TargetTransitGateway && r.Target.ID == string(tgwID) {
				n++
			}
		}
	}
	if n < 2 {
		t.Errorf("%d routes to %s, want one per VPC at least", n, tgwID)
	}
}

func TestConformanceVPCEndpointGateway(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-vpc-endpoint-gateway"))
	dir := "us-east-1"
	w := map[string]string{}
	for file, key := range map[string]string{"AvailabilityZones": "AvailabilityZones", "CustomerGateways": "CustomerGateways"} {
		w[filepath.Join(dir, file+".json")+": "+key] = "not modelled"
	}
	// The ELBv2 answers (LoadBalancers, LoadBalancerAttributes, LoadBalancerListeners,
	// LoadBalancerTargetHealth, TargetGroups) are read since GWLBs are modelled (§13).
	for file, key := range map[string]string{"ElasticsearchDomains": "DomainStatusList", "RdsInstances": "DBInstances"} {
		w[filepath.Join(dir, file+".json")+": "+key] = "unknown key"
	}
	w[filepath.Join(dir, "VpcEndpointServices.json")+": ServiceDetails"] = "unknown key"
	w[filepath.Join(dir, "VpcEndpointServices.json")+": ServiceNames"] = "unknown key"
	wantWarningsAt(t, ws, w)

	// Empty transit gateway and peering answers load as nothing.
	if len(top.TransitGateways)+len(top.TGWAttachments)+len(top.TGWRouteTables)+len(top.Peerings) != 0 {
		t.Errorf("transit objects from empty answers: %+v %+v %+v %+v", top.TransitGateways, top.TGWAttachments, top.TGWRouteTables, top.Peerings)
	}
	// The region folder places the VPC.
	if len(top.VPCs) != 1 || top.VPCs[0].Region != "us-east-1" || top.VPCs[0].Account != "554773406868" {
		t.Errorf("VPCs = %+v, want one in us-east-1", top.VPCs)
	}
	var pl *model.PrefixList
	for _, p := range top.PrefixLists {
		if p.ID == "pl-63a5400a" {
			pl = p
		}
	}
	if pl == nil || !slices.Equal(pl.CIDRs, prefixes("54.231.0.0/17", "52.216.0.0/15", "3.5.16.0/21", "3.5.0.0/20")) {
		t.Errorf("S3 prefix list = %+v", pl)
	}
	n := 0
	for _, rt := range top.RouteTables {
		for _, r := range rt.Routes {
			if r.DestinationPrefixList == "pl-63a5400a" && r.Target == (model.Target{Kind: model.TargetVPCEndpoint, ID: "vpce-0b7357542bb7b83ec"}) {
				n++
			}
		}
	}
	if n != 2 {
		t.Errorf("%d routes to pl-63a5400a through the endpoint, want 2 (both subnets' tables)", n)
	}
	// §7.4.1, §9.6: the S3 gateway endpoint, its two route tables and the service's
	// AWS-managed prefix list, found by its name.
	want := &model.VPCEndpoint{ID: "vpce-0b7357542bb7b83ec", VPC: "vpc-05d56c7295fca139b", Type: model.EndpointGateway,
		ServiceName: "com.amazonaws.us-east-1.s3", State: "available", RouteTables: []model.RouteTableID{"rtb-04f71fc2caa8d94cf", "rtb-0efde4139784b75b0"},
		PrefixList: "pl-63a5400a"}
	if len(top.VPCEndpoints) != 1 {
		t.Fatalf("VPC endpoints = %+v, want one", top.VPCEndpoints)
	}
	got := *top.VPCEndpoints[0]
	got.Src, got.Tags = model.Source{}, nil
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("VPC endpoint = %+v, want %+v", got, *want)
	}
	if src := top.VPCEndpoints[0].Src; src.Path != "VpcEndpoints[0]" || !strings.HasSuffix(src.File, "VpcEndpoints.json") {
		t.Errorf("endpoint source = %v, want VpcEndpoints.json: VpcEndpoints[0]", src)
	}
}
