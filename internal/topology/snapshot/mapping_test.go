package snapshot

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// TestRouteTargetMembers: every way model's target table says AWS writes a target reads
// back as its kind, with a warning at the member for the kinds vpclab does not know.
func TestRouteTargetMembers(t *testing.T) {
	type want struct {
		kind       model.TargetKind
		member, id string
	}
	var wants []want
	var routes []string
	for _, row := range model.TargetKinds() {
		for _, f := range row.Fields {
			id := f.Prefix + "0123456789abcdef0"
			switch {
			case f.Prefix == "local":
				id = "local"
			case f.Prefix == "":
				id = "weird-0123456789abcdef0"
			}
			wants = append(wants, want{row.Kind, f.Describe, id})
			routes = append(routes, fmt.Sprintf(`{"DestinationCidrBlock": "10.%d.0.0/16", %q: %q}`, len(routes), f.Describe, id))
		}
	}
	dir := writeFiles(t, map[string]string{"RouteTables.json": `{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
		"Routes": [` + strings.Join(routes, ",\n") + `]}]}`})
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("errors:\n%v", ps)
	}
	got := top.RouteTables[0].Routes
	if len(got) != len(wants) {
		t.Fatalf("got %d routes, want %d", len(got), len(wants))
	}
	others := 0
	for i, w := range wants {
		if got[i].Target != (model.Target{Kind: w.kind, ID: w.id}) {
			t.Errorf("%s %s read as %v %q, want %v", w.member, w.id, got[i].Target.Kind, got[i].Target.ID, w.kind)
		}
		if w.kind == model.TargetOther {
			others++
			wantProblem(t, ps, model.Warning, fmt.Sprintf("RouteTables[0].Routes[%d].%s", i, w.member), w.id, "not modelled")
		}
	}
	if n := len(ps.Warnings()); n != others {
		t.Errorf("got %d warnings, want %d (one per unmodelled target):\n%v", n, others, ps)
	}
}

func TestVPCCIDRs(t *testing.T) {
	dir := writeFiles(t, map[string]string{"v.json": `{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
		"CidrBlockAssociationSet": [
			{"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
			{"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
			{"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "disassociated"}},
			{"CidrBlock": "10.3.0.1/16", "CidrBlockState": {"State": "associated"}}],
		"Tags": [{"Key": "env", "Value": "x"}, {"Key": "Name", "Value": "prod"}]}]}`})
	top, ps := Load(dir)
	if len(ps) != 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	v := top.VPCs[0]
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.3.0.0/16")}
	if !slices.Equal(v.CIDRs, want) {
		t.Errorf("CIDRs = %v, want %v (primary first, deduped, associated only, masked)", v.CIDRs, want)
	}
	if v.Name != "prod" || len(v.Tags) != 2 {
		t.Errorf("name %q tags %v", v.Name, v.Tags)
	}
}

func TestRouteTables(t *testing.T) {
	dir := writeFiles(t, map[string]string{"RouteTables.json": `{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
		"Associations": [{"Main": true}, {"SubnetId": "subnet-1"}, {"GatewayId": "igw-1"},
			{"SubnetId": "subnet-old", "AssociationState": {"State": "disassociated"}}],
		"PropagatingVgws": [{"GatewayId": "vgw-1"}],
		"Routes": [
			{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
			{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "Origin": "CreateRoute", "State": "active"},
			{"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-1", "Origin": "EnableVgwRoutePropagation", "State": "active"},
			{"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-1", "Origin": "CreateRoute", "State": "active"},
			{"DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-1", "Origin": "CreateRoute", "State": "blackhole"},
			{"DestinationCidrBlock": "10.8.0.0/16", "InstanceId": "i-1", "InstanceOwnerId": "1", "NetworkInterfaceId": "eni-1"},
			{"DestinationCidrBlock": "10.7.0.0/16", "InstanceId": "i-2"},
			{"DestinationCidrBlock": "10.6.0.0/16", "TransitGatewayId": "tgw-1"},
			{"DestinationCidrBlock": "10.5.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
			{"DestinationCidrBlock": "10.4.0.0/16", "EgressOnlyInternetGatewayId": "eigw-1"},
			{"DestinationCidrBlock": "10.3.0.0/16", "LocalGatewayId": "lgw-1"},
			{"DestinationCidrBlock": "10.2.0.0/16", "CarrierGatewayId": "cagw-1"},
			{"DestinationCidrBlock": "10.1.0.0/16", "CoreNetworkArn": "arn:aws:networkmanager::1:core-network/x"},
			{"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1"},
			{"DestinationCidrBlock": "10.0.5.0/24", "GatewayId": "weird-1"}]}]}`})
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("errors:\n%v", ps)
	}
	rt := top.RouteTables[0]
	if !rt.Main || !slices.Equal(rt.Subnets, []model.SubnetID{"subnet-1"}) || !slices.Equal(rt.Gateways, []string{"igw-1"}) ||
		!slices.Equal(rt.PropagatingVGWs, []model.VPNGatewayID{"vgw-1"}) {
		t.Errorf("associations: %+v", rt)
	}
	want := []struct {
		kind model.TargetKind
		id   string
	}{
		{model.TargetLocal, "local"}, {model.TargetInternetGateway, "igw-1"}, {model.TargetVPNGateway, "vgw-1"},
		{model.TargetVPCEndpoint, "vpce-1"}, {model.TargetNATGateway, "nat-1"}, {model.TargetNetworkInterface, "eni-1"},
		{model.TargetInstance, "i-2"}, {model.TargetTransitGateway, "tgw-1"}, {model.TargetPeering, "pcx-1"},
		{model.TargetEgressOnlyInternetGateway, "eigw-1"}, {model.TargetOther, "lgw-1"}, {model.TargetOther, "cagw-1"},
		{model.TargetOther, "arn:aws:networkmanager::1:core-network/x"}, {model.TargetOther, "weird-1"},
	}
	if len(rt.Routes) != len(want) {
		t.Fatalf("got %d routes, want %d: %+v", len(rt.Routes), len(want), rt.Routes)
	}
	for i, w := range want {
		if r := rt.Routes[i]; r.Target.Kind != w.kind || r.Target.ID != w.id {
			t.Errorf("route %d target = %v %q, want %v %q", i, r.Target.Kind, r.Target.ID, w.kind, w.id)
		}
	}
	if r := rt.Routes[3]; r.DestinationPrefixList != "pl-63a5400a" || r.Destination.IsValid() {
		t.Errorf("prefix-list route = %+v", r)
	}
	if r := rt.Routes[4]; r.State != model.RouteBlackhole || r.Origin != model.OriginCreateRoute {
		t.Errorf("blackhole route = %+v", r)
	}
	if r := rt.Routes[2]; r.Origin != model.OriginEnableVgwRoutePropagation || r.Src.Path != "RouteTables[0].Routes[2]" {
		t.Errorf("propagated route = %+v", r)
	}
	if r := rt.Routes[5]; r.State != model.RouteActive {
		t.Errorf("a route without State must be active: %+v", r)
	}
	wantProblem(t, ps, model.Warning, "RouteTables[0].Routes[13]", "IPv6 not modelled yet")
	wantProblem(t, ps, model.Warning, "RouteTables[0].Routes[10].LocalGatewayId", "not modelled")
	wantProblem(t, ps, model.Warning, "RouteTables[0].Routes[14].GatewayId", "weird-1")
	if n := len(ps.Warnings()); n != 5 {
		t.Errorf("got %d warnings, want 5:\n%v", n, ps)
	}
}

func TestGateways(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"igw.json": `{"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]},
			{"InternetGatewayId": "igw-2", "Attachments": [{"State": "detaching", "VpcId": "vpc-1"}]}]}`,
		"nat.json": `{"NatGateways": [
			{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-1", "State": "available", "ConnectivityType": "private",
			 "NatGatewayAddresses": [{"PrivateIp": "10.0.0.5", "NetworkInterfaceId": "eni-n1", "IsPrimary": false},
			                         {"PrivateIp": "10.0.0.6", "IsPrimary": true}]},
			{"NatGatewayId": "nat-2", "State": "deleted", "NatGatewayAddresses": [{"PrivateIp": "10.0.0.7"}, {"PrivateIp": "10.0.0.8"}]}]}`,
		"vgw.json": `{"VpnGateways": [{"VpnGatewayId": "vgw-1", "AmazonSideAsn": 64512, "State": "available",
			"VpcAttachments": [{"State": "detached", "VpcId": "vpc-0"}, {"State": "attached", "VpcId": "vpc-1"}]}]}`,
		"vpn.json": `{"VpnConnections": [{"VpnConnectionId": "vpn-1", "VpnGatewayId": "vgw-1", "CustomerGatewayId": "cgw-1",
			"State": "available", "Tags": [{"Key": "Name", "Value": "dc"}], "Routes": [
			{"DestinationCidrBlock": "192.168.0.0/16", "State": "available"},
			{"DestinationCidrBlock": "172.16.0.0/12", "State": "deleted"}]}]}`,
		"pl.json": `{"PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "com.amazonaws.us-east-1.s3",
			"Cidrs": ["52.216.0.0/15", "2600:1f00::/40", "3.5.0.1/19"]}]}`,
		"eip.json": `{"Addresses": [{"AllocationId": "eipalloc-1", "PublicIp": "3.3.3.3", "NetworkInterfaceId": "eni-1",
			"PrivateIpAddress": "10.0.0.9", "InstanceId": "i-1"}, {"PublicIp": "4.4.4.4"}]}`,
	})
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("errors:\n%v", ps)
	}
	if g := top.InternetGateways; len(g) != 2 || g[0].VPC != "vpc-1" || g[1].VPC != "" {
		t.Errorf("IGWs = %+v %+v", g[0], g[1])
	}
	n1, n2 := top.NATGateway("nat-1"), top.NATGateway("nat-2")
	if n1.Connectivity != model.ConnectivityPrivate || len(n1.Addresses) != 2 ||
		n1.Addresses[0].PrivateIP.String() != "10.0.0.6" || !n1.Addresses[0].Primary || n1.Addresses[1].Primary ||
		n1.Addresses[1].ENI != "eni-n1" || n1.Addresses[0].PublicIP.IsValid() {
		t.Errorf("nat-1 = %+v", n1)
	}
	if n2.State != "deleted" || n2.Connectivity != model.ConnectivityPublic || !n2.Addresses[0].Primary ||
		n2.Addresses[0].PrivateIP.String() != "10.0.0.7" {
		t.Errorf("nat-2 = %+v", n2)
	}
	if v := top.VPNGateway("vgw-1"); v == nil || v.VPC != "vpc-1" || v.ASN != 64512 {
		t.Errorf("VGW = %+v", v)
	}
	if v := top.VPNConnections[0]; v.VPNGateway != "vgw-1" || v.CustomerGateway != "cgw-1" || v.Name != "dc" ||
		!slices.Equal(v.StaticRoutes, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}) {
		t.Errorf("VPN = %+v", v)
	}
	if pl := top.PrefixLists[0]; pl.Name != "com.amazonaws.us-east-1.s3" ||
		!slices.Equal(pl.CIDRs, []netip.Prefix{netip.MustParsePrefix("52.216.0.0/15"), netip.MustParsePrefix("3.5.0.0/19")}) {
		t.Errorf("prefix list = %+v", pl)
	}
	wantProblem(t, ps, model.Warning, "PrefixLists[0].Cidrs[1]", "IPv6")
	if a := top.Addresses; len(a) != 2 || a[0].ENI != "eni-1" || a[0].PrivateIP.String() != "10.0.0.9" ||
		a[0].Instance != "i-1" || a[0].PublicIP.String() != "3.3.3.3" || a[1].PublicIP.String() != "4.4.4.4" {
		t.Errorf("EIPs = %+v", a)
	}
}

func TestSecurityGroupRules(t *testing.T) {
	dir := writeFiles(t, map[string]string{"sg.json": `{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1",
		"IpPermissions": [
			{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
			 "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "corp"}, {"CidrIp": "192.168.1.1/24"}],
			 "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
			 "PrefixListIds": [{"PrefixListId": "pl-1"}],
			 "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "1"}]},
			{"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
			{"IpProtocol": "50", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
			{"IpProtocol": "abc", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
		"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}`})
	top, ps := Load(dir)
	sg := top.SecurityGroup("sg-1")
	if sg == nil || sg.Name != "web" || sg.VPC != "vpc-1" {
		t.Fatalf("SG = %+v", sg)
	}
	type r struct {
		id              string
		proto, from, to int
		cidr, pl, group string
	}
	var got []r
	for _, x := range sg.Ingress {
		c := ""
		if x.CIDR.IsValid() {
			c = x.CIDR.String()
		}
		got = append(got, r{x.ID, x.Protocol, x.FromPort, x.ToPort, c, string(x.PrefixList), string(x.Group)})
	}
	want := []r{
		{"sg-1:ingress:0", 6, 443, 443, "10.0.0.0/8", "", ""},
		{"sg-1:ingress:1", 6, 443, 443, "192.168.1.0/24", "", ""},
		{"sg-1:ingress:2", 6, 443, 443, "", "pl-1", ""},
		{"sg-1:ingress:3", 6, 443, 443, "", "", "sg-2"},
		{"sg-1:ingress:4", 1, -1, -1, "0.0.0.0/0", "", ""},
		{"sg-1:ingress:5", 50, -1, -1, "0.0.0.0/0", "", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ingress =\n%+v\nwant\n%+v", got, want)
	}
	if sg.Ingress[0].Description != "corp" || sg.Ingress[0].Src.Path != "SecurityGroups[0].IpPermissions[0].IpRanges[0]" {
		t.Errorf("rule 0 = %+v", sg.Ingress[0])
	}
	if len(sg.Egress) != 1 || sg.Egress[0].ID != "sg-1:egress:0" || sg.Egress[0].Protocol != model.ProtocolAll ||
		sg.Egress[0].FromPort != -1 || sg.Egress[0].ToPort != -1 {
		t.Errorf("egress = %+v", sg.Egress)
	}
	wantProblem(t, ps, model.Error, "SecurityGroups[0].IpPermissions[3].IpProtocol", `"abc"`)
	wantProblem(t, ps, model.Warning, "SecurityGroups[0].IpPermissions[0].Ipv6Ranges[0]", "IPv6 not modelled")
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2:\n%v", len(ps), ps)
	}
}

func TestNetworkACLEntries(t *testing.T) {
	dir := writeFiles(t, map[string]string{"acl.json": `{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true,
		"Associations": [{"SubnetId": "subnet-1"}, {"SubnetId": "subnet-2"}],
		"Entries": [
			{"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.0.0/8", "PortRange": {"From": 22, "To": 23}},
			{"RuleNumber": 110, "Protocol": "1", "RuleAction": "deny", "Egress": true, "CidrBlock": "0.0.0.0/0", "IcmpTypeCode": {"Type": 8}},
			{"RuleNumber": 101, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "Ipv6CidrBlock": "::/0"},
			{"RuleNumber": 120, "Protocol": "tcpish", "RuleAction": "maybe", "CidrBlock": "0.0.0.0/0"},
			{"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": false, "CidrBlock": "0.0.0.0/0"}]}]}`})
	top, ps := Load(dir)
	acl := top.NetworkACLs[0]
	if !acl.Default || !slices.Equal(acl.Subnets, []model.SubnetID{"subnet-1", "subnet-2"}) || len(acl.Entries) != 3 {
		t.Fatalf("NACL = %+v", acl)
	}
	e := acl.Entries
	if e[0].RuleNumber != 100 || e[0].Protocol != 6 || !e[0].Allow || e[0].Egress || e[0].FromPort != 22 || e[0].ToPort != 23 ||
		e[0].ICMPType != -1 || e[0].ICMPCode != -1 {
		t.Errorf("entry 0 = %+v", e[0])
	}
	if e[1].Protocol != 1 || e[1].Allow || !e[1].Egress || e[1].ICMPType != 8 || e[1].ICMPCode != -1 {
		t.Errorf("entry 1 = %+v", e[1])
	}
	if e[2].RuleNumber != 32767 || e[2].Protocol != model.ProtocolAll || e[2].Src.Path != "NetworkAcls[0].Entries[4]" {
		t.Errorf("entry 2 = %+v", e[2])
	}
	wantProblem(t, ps, model.Warning, "NetworkAcls[0].Entries[2]", "IPv6 not modelled")
	wantProblem(t, ps, model.Error, "NetworkAcls[0].Entries[3].Protocol", `"tcpish"`)
	wantProblem(t, ps, model.Error, "NetworkAcls[0].Entries[3].RuleAction", `"maybe"`)
}

func TestInterfacesAndInstances(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"NetworkInterfaces.json": `{"NetworkInterfaces": [
			{"NetworkInterfaceId": "eni-a", "VpcId": "vpc-1", "SubnetId": "subnet-1", "InterfaceType": "interface",
			 "Attachment": {"InstanceId": "i-1", "DeviceIndex": 1, "AttachTime": "2020-03-03T01:21:01.000Z"},
			 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.11", "Primary": false},
			                        {"PrivateIpAddress": "10.0.0.10", "Primary": true, "Association": {"PublicIp": "5.5.5.5"}}],
			 "Groups": [{"GroupId": "sg-1"}], "SourceDestCheck": false, "TagSet": [{"Key": "Name", "Value": "second"}]},
			{"NetworkInterfaceId": "eni-lb", "VpcId": "vpc-1", "SubnetId": "subnet-1", "InterfaceType": "network_load_balancer",
			 "RequesterManaged": true, "PrivateIpAddress": "10.0.0.50"}]}`,
		"Reservations.json": `{"Reservations": [{"Instances": [{"InstanceId": "i-1", "State": {"Name": "stopped"},
			"LaunchTime": "2020-03-03 01:21:01+00:00", "Tags": [{"Key": "Name", "Value": "web"}],
			"NetworkInterfaces": [
				{"NetworkInterfaceId": "eni-a", "VpcId": "vpc-1", "SubnetId": "subnet-1", "MacAddress": "02:00:00:00:00:0a",
				 "Attachment": {"DeviceIndex": 7}, "PrivateIpAddresses": [{"PrivateIpAddress": "10.9.9.9", "Primary": true}]},
				{"NetworkInterfaceId": "eni-b", "VpcId": "vpc-1", "SubnetId": "subnet-1",
				 "Attachment": {"DeviceIndex": 0, "AttachTime": "soon"},
				 "PrivateIpAddress": "10.0.0.20", "Association": {"PublicIp": "6.6.6.6"}, "Groups": [{"GroupId": "sg-2"}]}]}]},
			{"Instances": [{"InstanceId": "i-1"}]}]}`,
		"SecurityGroups.json": `{"SecurityGroups": [{"GroupId": "sg-1"}, {"GroupId": "sg-2"}]}`,
	})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "Reservations[0].Instances[0].NetworkInterfaces[1].Attachment.AttachTime", `"soon"`)
	wantProblem(t, ps, model.Warning, "Reservations[1].Instances[0]", "duplicate instance i-1")
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2:\n%v", len(ps), ps)
	}
	if len(top.NetworkInterfaces) != 3 || len(top.Instances) != 1 {
		t.Fatalf("got %d ENIs and %d instances, want 3 and 1", len(top.NetworkInterfaces), len(top.Instances))
	}
	in := top.Instances[0]
	if in.Name != "web" || in.State != "stopped" || !slices.Equal(in.ENIs, []model.ENIID{"eni-b", "eni-a"}) {
		t.Errorf("instance = %+v, want ENIs by device index", in)
	}
	a := top.ENI("eni-a")
	if a.Src.File != "NetworkInterfaces.json" || a.DeviceIndex != 1 || a.MAC != "02:00:00:00:00:0a" || a.SourceDestCheck ||
		a.Name != "second" || a.Instance != "i-1" || len(a.PrivateIPs) != 2 || a.PrimaryIP().String() != "10.0.0.10" ||
		a.PrivateIPs[0].PublicIP.String() != "5.5.5.5" || a.PrivateIPs[1].Primary {
		t.Errorf("merged eni-a = %+v", a)
	}
	b := top.ENI("eni-b")
	if b.Src.Path != "Reservations[0].Instances[0].NetworkInterfaces[1]" || b.Instance != "i-1" || !b.SourceDestCheck ||
		b.Type != "" || len(b.PrivateIPs) != 1 || !b.PrivateIPs[0].Primary || b.PrivateIPs[0].PublicIP.String() != "6.6.6.6" ||
		!slices.Equal(b.SecurityGroups, []model.SecurityGroupID{"sg-2"}) {
		t.Errorf("instance-only eni-b = %+v", b)
	}
	if lb := top.ENI("eni-lb"); lb.Type != "network_load_balancer" || lb.PrimaryIP().String() != "10.0.0.50" || lb.Instance != "" {
		t.Errorf("requester-managed ENI = %+v", lb)
	}
}

func TestMissingIDsAndDuplicates(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.json": `{"Subnets": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}, {"SubnetId": "subnet-1", "CidrBlock": "10.0.0.0/24"}]}`,
		"b.json": `{"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.1.0/24"}]}`,
	})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "a.json: Subnets[0]", "no SubnetId")
	wantProblem(t, ps, model.Warning, "b.json: Subnets[0]", "duplicate subnet subnet-1", "a.json: Subnets[1]")
	if len(top.Subnets) != 1 || top.Subnets[0].CIDR.String() != "10.0.0.0/24" {
		t.Errorf("subnets = %+v, want the first subnet-1", top.Subnets)
	}
}

// TestENIPublicIPWithoutPerAddressAssociation: an address of PrivateIpAddresses without its
// own Association still has a public IP when the answer gives it elsewhere (§6.1: at most one
// public IPv4 per private IP): the ENI's top-level Association belongs to its primary private
// IP, an instance's PublicIpAddress to the primary private IP of its device-index-0 ENI, and
// an ENI listed by both answers keeps an address's Association from either.
func TestENIPublicIPWithoutPerAddressAssociation(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"NetworkInterfaces.json": `{"NetworkInterfaces": [
			{"NetworkInterfaceId": "eni-top", "VpcId": "vpc-1", "SubnetId": "subnet-1",
			 "PrivateIpAddress": "10.0.0.10", "Association": {"PublicIp": "5.5.5.5"},
			 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.11", "Primary": false},
			                        {"PrivateIpAddress": "10.0.0.10", "Primary": true}]},
			{"NetworkInterfaceId": "eni-merged", "VpcId": "vpc-1", "SubnetId": "subnet-1",
			 "Attachment": {"InstanceId": "i-1", "DeviceIndex": 1},
			 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.30", "Primary": true},
			                        {"PrivateIpAddress": "10.0.0.31", "Primary": false}]},
			{"NetworkInterfaceId": "eni-only-here", "VpcId": "vpc-1", "SubnetId": "subnet-1",
			 "Attachment": {"InstanceId": "i-2", "DeviceIndex": 0},
			 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.40", "Primary": true}]},
			{"NetworkInterfaceId": "eni-bad", "VpcId": "vpc-1", "SubnetId": "subnet-1",
			 "Association": {"PublicIp": "not-an-ip"},
			 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.50", "Primary": true}]}]}`,
		"Reservations.json": `{"Reservations": [{"Instances": [
			{"InstanceId": "i-1", "PublicIpAddress": "6.6.6.6", "NetworkInterfaces": [
				{"NetworkInterfaceId": "eni-merged", "Attachment": {"DeviceIndex": 1},
				 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.30", "Primary": true},
				                        {"PrivateIpAddress": "10.0.0.31", "Primary": false, "Association": {"PublicIp": "7.7.7.7"}}]},
				{"NetworkInterfaceId": "eni-primary", "VpcId": "vpc-1", "SubnetId": "subnet-1", "Attachment": {"DeviceIndex": 0},
				 "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.21", "Primary": false},
				                        {"PrivateIpAddress": "10.0.0.20", "Primary": true}]}]},
			{"InstanceId": "i-2", "PublicIpAddress": "8.8.4.4"},
			{"InstanceId": "i-3", "PublicIpAddress": "6.6.6"}]}]}`,
	})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "NetworkInterfaces[3].Association.PublicIp", `"not-an-ip"`)
	wantProblem(t, ps, model.Error, "Reservations[0].Instances[2].PublicIpAddress", `"6.6.6"`)
	if n := len(ps); n != 2 {
		t.Errorf("got %d problems, want 2:\n%v", n, ps)
	}
	publicIPs := func(id model.ENIID) map[string]string {
		e := top.ENI(id)
		if e == nil {
			t.Fatalf("no ENI %s", id)
		}
		m := map[string]string{}
		for _, p := range e.PrivateIPs {
			m[p.Addr.String()] = ""
			if p.PublicIP.IsValid() {
				m[p.Addr.String()] = p.PublicIP.String()
			}
		}
		return m
	}
	for _, c := range []struct {
		eni  model.ENIID
		want map[string]string // private IP -> public IP, "" for none
	}{
		{"eni-top", map[string]string{"10.0.0.10": "5.5.5.5", "10.0.0.11": ""}},     // top-level Association: primary only
		{"eni-primary", map[string]string{"10.0.0.20": "6.6.6.6", "10.0.0.21": ""}}, // the instance's PublicIpAddress: device 0, primary only
		{"eni-merged", map[string]string{"10.0.0.30": "", "10.0.0.31": "7.7.7.7"}},  // device 1; the instance's copy of the address
		{"eni-only-here", map[string]string{"10.0.0.40": "8.8.4.4"}},                // listed by describe-network-interfaces only
		{"eni-bad", map[string]string{"10.0.0.50": ""}},
	} {
		if got := publicIPs(c.eni); !maps.Equal(got, c.want) {
			t.Errorf("%s: public IPs %v, want %v", c.eni, got, c.want)
		}
	}
}

// An interface without an ID, a repeated one, and an instance's copy without an ID are each
// reported once, with the path of the element that says it.
func TestInterfaceIDProblems(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"NetworkInterfaces.json": `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-a"}, {"VpcId": "vpc-1"},
			{"NetworkInterfaceId": "eni-a", "Attachment": {"AttachTime": "later"}}]}`,
		"Reservations.json": `{"Reservations": [{"Instances": [{"InstanceId": "i-1", "NetworkInterfaces": [
			{"NetworkInterfaceId": "eni-a", "Attachment": {"AttachTime": "2020-03-03 01:21:01+00:00"}},
			{"VpcId": "vpc-1", "Attachment": {"AttachTime": "never"}}]}]}]}`,
	})
	top, ps := Load(dir)
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.String()
	}
	want := []string{
		`NetworkInterfaces.json: NetworkInterfaces[1]: error: network interface has no NetworkInterfaceId; skipped`,
		`NetworkInterfaces.json: NetworkInterfaces[2].Attachment.AttachTime: error: invalid timestamp "later"`,
		`NetworkInterfaces.json: NetworkInterfaces[2]: warning: duplicate network interface eni-a (first at NetworkInterfaces.json: NetworkInterfaces[0]); skipped`,
		`Reservations.json: Reservations[0].Instances[0].NetworkInterfaces[1].Attachment.AttachTime: error: invalid timestamp "never"`,
		`Reservations.json: Reservations[0].Instances[0].NetworkInterfaces[1]: error: network interface has no NetworkInterfaceId; skipped`,
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
			t.Errorf("no problem %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(ps), len(want), strings.Join(got, "\n"))
	}
	if len(top.NetworkInterfaces) != 1 {
		t.Errorf("%d network interfaces, want 1", len(top.NetworkInterfaces))
	}
}
