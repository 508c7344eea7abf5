package model

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// vsrc, vpfx and vip build test values tersely.
func vsrc(line int) Source { return Source{File: "t.yaml", Line: line} }

func vpfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func vip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// validBase is a small valid topology, each object declared at its own line: VPC v with an
// IGW; subnets a, b and nat; route table rt for a (default → IGW, b → NAT gateway); public
// NAT gateway n; security group web; NACL acl for b; instance i with ENI e; VGW g.
func validBase() *Topology {
	return &Topology{
		VPCs:             []*VPC{{ID: "vpc-1", Name: "v", CIDRs: []netip.Prefix{vpfx("10.0.0.0/16")}, Src: vsrc(1)}},
		InternetGateways: []*InternetGateway{{ID: "igw-1", VPC: "vpc-1", Name: "igw", Src: vsrc(2)}},
		Subnets: []*Subnet{
			{ID: "subnet-a", VPC: "vpc-1", CIDR: vpfx("10.0.0.0/24"), Name: "a", Src: vsrc(3)},
			{ID: "subnet-b", VPC: "vpc-1", CIDR: vpfx("10.0.1.0/24"), Name: "b", Src: vsrc(4)},
			{ID: "subnet-n", VPC: "vpc-1", CIDR: vpfx("10.0.2.0/24"), Name: "nat", Src: vsrc(5)},
		},
		RouteTables: []*RouteTable{{ID: "rtb-1", VPC: "vpc-1", Name: "rt", Subnets: []SubnetID{"subnet-a"}, Src: vsrc(6),
			Routes: []Route{
				{Destination: vpfx("0.0.0.0/0"), Target: Target{Kind: TargetInternetGateway, ID: "igw-1"}, State: RouteActive, Src: vsrc(7)},
				{Destination: vpfx("10.0.1.0/24"), Target: Target{Kind: TargetNATGateway, ID: "nat-1"}, State: RouteActive, Src: vsrc(8)},
			}}},
		NATGateways: []*NATGateway{{ID: "nat-1", VPC: "vpc-1", Subnet: "subnet-n", Connectivity: ConnectivityPublic, State: "available",
			Name: "n", Src: vsrc(9), Addresses: []NATGatewayAddress{{PrivateIP: vip("10.0.2.10"), PublicIP: vip("203.0.113.10"),
				AllocationID: "eipalloc-1", Primary: true}}}},
		SecurityGroups: []*SecurityGroup{{ID: "sg-web", VPC: "vpc-1", Name: "web", Src: vsrc(11),
			Ingress: []SecurityGroupRule{{ID: "r1", Protocol: ProtocolTCP, FromPort: 443, ToPort: 443, CIDR: vpfx("0.0.0.0/0"), Src: vsrc(12)}},
			Egress:  []SecurityGroupRule{{ID: "r2", Protocol: ProtocolAll, CIDR: vpfx("0.0.0.0/0")}}}},
		NetworkACLs: []*NetworkACL{{ID: "acl-1", VPC: "vpc-1", Name: "acl", Subnets: []SubnetID{"subnet-b"}, Src: vsrc(13),
			Entries: []NetworkACLEntry{
				{RuleNumber: 100, Protocol: ProtocolTCP, FromPort: 1024, ToPort: 65535, Allow: true, CIDR: vpfx("0.0.0.0/0"), Src: vsrc(14)},
				{RuleNumber: 32767, Protocol: ProtocolAll, CIDR: vpfx("0.0.0.0/0")},
				{RuleNumber: 32767, Egress: true, Protocol: ProtocolAll, CIDR: vpfx("0.0.0.0/0")},
			}}},
		Instances: []*Instance{{ID: "i-1", Name: "i", ENIs: []ENIID{"eni-e"}, Src: vsrc(15)}},
		NetworkInterfaces: []*NetworkInterface{{ID: "eni-e", VPC: "vpc-1", Subnet: "subnet-a", Name: "e", Instance: "i-1",
			PrivateIPs: []PrivateIP{{Addr: vip("10.0.0.10"), Primary: true}}, SecurityGroups: []SecurityGroupID{"sg-web"}, Src: vsrc(16)}},
		VPNGateways:    []*VPNGateway{{ID: "vgw-1", VPC: "vpc-1", Name: "g", Src: vsrc(17)}},
		VPNConnections: []*VPNConnection{{ID: "vpn-1", VPNGateway: "vgw-1", Name: "c", Src: vsrc(18)}},
		PrefixLists:    []*PrefixList{{ID: "pl-1", Name: "corp", CIDRs: []netip.Prefix{vpfx("192.168.0.0/16")}, Src: vsrc(19)}},
	}
}

func TestValidateBaseIsValid(t *testing.T) {
	for name, base := range map[string]func() *Topology{"validBase": validBase, "transitBase": transitBase} {
		top := base()
		ApplyDefaults(top)
		if ps := Validate(top); len(ps) > 0 {
			t.Errorf("%s: want no problems, got:\n%v", name, ps)
		}
	}
}

// TestValidate: one case per rule. Each breaks the valid base once (after ApplyDefaults, as
// loaders call Validate) and expects a problem of that severity at that line, whose message
// contains want.
func TestValidate(t *testing.T) {
	other := func(top *Topology) { // a second VPC v2 (line 30) with its own IGW (31) and SG (32)
		top.VPCs = append(top.VPCs, &VPC{ID: "vpc-2", Name: "v2", CIDRs: []netip.Prefix{vpfx("10.9.0.0/16")}, Src: vsrc(30)})
		top.InternetGateways = append(top.InternetGateways, &InternetGateway{ID: "igw-2", VPC: "vpc-2", Name: "igw2", Src: vsrc(31)})
		top.SecurityGroups = append(top.SecurityGroups, &SecurityGroup{ID: "sg-2", VPC: "vpc-2", Name: "web2", Src: vsrc(32)})
		ApplyDefaults(top)
	}
	route := func(top *Topology, i int) *Route { return &top.RouteTables[0].Routes[i] }
	gw := func(top *Topology) {
		top.VPCEndpoints = append(top.VPCEndpoints, &VPCEndpoint{ID: "vpce-1", VPC: "vpc-1", Type: EndpointGateway, Name: "s3-ep",
			ServiceName: "com.amazonaws.us-east-1.s3", RouteTables: []RouteTableID{"rtb-1"}, PrefixList: "pl-63a5400a", Src: vsrc(40)})
		top.PrefixLists = append(top.PrefixLists, &PrefixList{ID: "pl-63a5400a", Name: "com.amazonaws.us-east-1.s3",
			CIDRs: []netip.Prefix{vpfx("52.216.0.0/15")}, Src: vsrc(41)})
		top.RouteTables[0].Routes = append(top.RouteTables[0].Routes, Route{DestinationPrefixList: "pl-63a5400a",
			Target: Target{Kind: TargetVPCEndpoint, ID: "vpce-1"}, State: RouteActive, Src: vsrc(42)})
	}
	// edge adds route table edge (line 50), edge-associated with igw-1, with the local route
	// and the given routes (§1.3).
	edge := func(top *Topology, routes ...Route) {
		top.RouteTables = append(top.RouteTables, &RouteTable{ID: "rtb-e", VPC: "vpc-1", Name: "edge", Gateways: []string{"igw-1"}, Src: vsrc(50),
			Routes: append([]Route{{Destination: vpfx("10.0.0.0/16"), Target: Target{Kind: TargetLocal, ID: "local"}, State: RouteActive}}, routes...)})
	}
	tests := []struct {
		name   string
		mutate func(*Topology)
		sev    Severity
		line   int
		want   string
	}{
		{"§1.3.3 edge route outside the VPC", func(top *Topology) {
			edge(top, Route{Destination: vpfx("192.168.0.0/16"), Target: Target{Kind: TargetNetworkInterface, ID: "eni-e"}, State: RouteActive, Src: vsrc(51)})
		}, Error, 51, "route 192.168.0.0/16 in gateway route table edge: a gateway route table routes only a whole CIDR block of VPC v [10.0.0.0/16] or exactly one of its subnets' CIDRs (§1.3.3)"},
		{"§1.3.3 edge route inside a subnet", func(top *Topology) {
			edge(top, Route{Destination: vpfx("10.0.0.0/25"), Target: Target{Kind: TargetNetworkInterface, ID: "eni-e"}, State: RouteActive, Src: vsrc(51)})
		}, Error, 51, "or exactly one of its subnets' CIDRs (§1.3.3)"},
		{"§1.3.3 edge route to a prefix list", func(top *Topology) {
			edge(top, Route{DestinationPrefixList: "pl-1", Target: Target{Kind: TargetNetworkInterface, ID: "eni-e"}, State: RouteActive, Src: vsrc(51)})
		}, Error, 51, "a gateway route table cannot route a prefix list (§1.3.3)"},
		{"§1.3.2 edge route to a NAT gateway", func(top *Topology) {
			edge(top, Route{Destination: vpfx("10.0.0.0/24"), Target: Target{Kind: TargetNATGateway, ID: "nat-1"}, State: RouteActive, Src: vsrc(51)})
		}, Error, 51, "a gateway route table can only target local, a network interface or a Gateway Load Balancer or firewall endpoint, not NAT gateway nat-1 (§1.3.2)"},
		{"§1.3.4 edge table propagates", func(top *Topology) {
			edge(top)
			top.RouteTables[len(top.RouteTables)-1].PropagatingVGWs = []VPNGatewayID{"vgw-1"}
		}, Error, 50, "route table edge: a gateway route table cannot propagate routes (§1.3.4)"},
		{"§1.3.9 one edge table per gateway", func(top *Topology) {
			edge(top)
			top.RouteTables = append(top.RouteTables, &RouteTable{ID: "rtb-e2", VPC: "vpc-1", Name: "edge2", Gateways: []string{"igw-1"}, Src: vsrc(52)})
		}, Error, 52, "gateway igw-1 is already edge-associated with route table edge"},
		{"§1.3.1 edge gateway of another VPC", func(top *Topology) {
			other(top)
			edge(top)
			top.RouteTables[len(top.RouteTables)-1].Gateways = []string{"igw-2"}
		}, Error, 50, "gateway igw-2 is attached to VPC v2, not to the table's VPC v (§1.3.1)"},
		{"IDs unique per kind (§9.1)", func(top *Topology) {
			top.Subnets = append(top.Subnets, &Subnet{ID: "subnet-a", VPC: "vpc-1", CIDR: vpfx("10.0.5.0/24"), Name: "a2", Src: vsrc(40)})
		}, Error, 40, "subnet a2: ID subnet-a is already used by a (t.yaml:3)"},
		{"VPC CIDR /16 to /28 (§6.3)", func(top *Topology) { top.VPCs[0].CIDRs = []netip.Prefix{vpfx("10.0.0.0/8")} },
			Error, 1, "VPC v: CIDR 10.0.0.0/8 is not between /16 and /28 (§6.3)"},
		{"subnet inside its VPC (§6.3)", func(top *Topology) { top.Subnets[0].CIDR = vpfx("10.1.0.0/24") },
			Error, 3, "subnet a: CIDR 10.1.0.0/24 is not inside VPC v [10.0.0.0/16] (§6.3)"},
		{"subnet /16 to /28 (§6.3)", func(top *Topology) { top.Subnets[1].CIDR = vpfx("10.0.1.0/29") },
			Error, 4, "subnet b: CIDR 10.0.1.0/29 is not between /16 and /28 (§6.3)"},
		{"subnets do not overlap (§6.3)", func(top *Topology) { top.Subnets[1].CIDR = vpfx("10.0.0.128/25") },
			Error, 4, "subnet b: CIDR 10.0.0.128/25 overlaps subnet a (10.0.0.0/24) (§6.3)"},
		{"one route table per subnet (§1.1.3)", func(top *Topology) {
			top.RouteTables = append(top.RouteTables, &RouteTable{ID: "rtb-2", VPC: "vpc-1", Name: "rt2", Subnets: []SubnetID{"subnet-a"}, Src: vsrc(41)})
		}, Error, 41, "route table rt2: subnet a is already associated with route table rt; a subnet has one route table (§1.1.3)"},
		{"one NACL per subnet (§5.3)", func(top *Topology) {
			top.NetworkACLs = append(top.NetworkACLs, &NetworkACL{ID: "acl-2", VPC: "vpc-1", Name: "acl2", Subnets: []SubnetID{"subnet-b"}, Src: vsrc(42)})
		}, Error, 42, "network ACL acl2: subnet b is already associated with network ACL acl; a subnet has one network ACL (§5.3)"},
		{"one main route table per VPC (§1.1.1)", func(top *Topology) {
			top.RouteTables = append(top.RouteTables, &RouteTable{ID: "rtb-3", VPC: "vpc-1", Name: "main2", Main: true, Src: vsrc(43)})
		}, Error, 43, "route table main2: VPC v already has a main route table; a VPC has exactly one (§1.1.1)"},
		{"a main route table exists (§1.1.1)", func(top *Topology) { top.RouteTables = top.RouteTables[:1] },
			Error, 1, "VPC v has no main route table (§1.1.1)"},
		{"route inside the VPC is a subnet CIDR (§1.2.5)", func(top *Topology) { route(top, 1).Destination = vpfx("10.0.1.0/25") },
			Error, 8, "route 10.0.1.0/25 in rt: a route inside VPC v's CIDR must be exactly a subnet's CIDR (§1.2.5)"},
		{"route inside the VPC targets a middlebox (§1.2.5)", func(top *Topology) { route(top, 1).Target = Target{Kind: TargetInternetGateway, ID: "igw-1"} },
			Error, 8, "route 10.0.1.0/24 in rt: a route inside VPC v's CIDR can only target a NAT gateway, network interface, instance or VPC endpoint, not igw-1 (internet-gateway) (§1.2.5)"},
		{"local target only for the VPC CIDR (§1.1.5)", func(top *Topology) { route(top, 0).Target = Target{Kind: TargetLocal, ID: "local"} },
			Error, 7, "route 0.0.0.0/0 in rt: the local target is only for the VPC's own CIDRs"},
		{"no route into 169.254.168.0/22 (§1.1.7)", func(top *Topology) { route(top, 0).Destination = vpfx("169.254.169.0/24") },
			Error, 7, "route 169.254.169.0/24 in rt: the destination lies in the reserved range 169.254.168.0/22 (§1.1.7)"},
		{"route target missing: warning", func(top *Topology) { route(top, 1).Target.ID = "nat-gone" },
			Warning, 8, "route 10.0.1.0/24 in rt: target NAT gateway nat-gone is not in the topology"},
		{"route target not modelled: warning", func(top *Topology) {
			route(top, 0).Target = Target{Kind: TargetEgressOnlyInternetGateway, ID: "eigw-1"}
		},
			Warning, 7, "target eigw-1 is a egress-only-internet-gateway, which the topology does not describe"},
		// §7.4: gateway endpoints. gw adds an S3 endpoint (line 40) with its prefix list (41),
		// associated with rt, and its route (line 42).
		{"VPCE endpoint route missing: warning", func(top *Topology) {
			route(top, 0).Target = Target{Kind: TargetVPCEndpoint, ID: "vpce-1"}
		},
			Warning, 7, "target VPC endpoint vpce-1 is not in the topology; packets that match the route are dropped"},
		{"VPCE route in a table the endpoint is not associated with (§7.4.2)", func(top *Topology) {
			gw(top)
			top.VPCEndpoints[0].RouteTables = nil
		},
			Error, 42, "route com.amazonaws.us-east-1.s3 in rt: route table rt is not associated with gateway endpoint s3-ep (its route tables: []); AWS installs the route only in those (§7.4.2)"},
		{"VPCE route with a CIDR destination (§7.4.2)", func(top *Topology) {
			gw(top)
			rs := top.RouteTables[0].Routes
			r := &rs[len(rs)-1]
			r.DestinationPrefixList, r.Destination = "", vpfx("52.216.0.0/15")
		},
			Error, 42, "a route to gateway endpoint s3-ep has the service's prefix list as destination, not a CIDR (§7.4.2)"},
		{"VPCE prefix list with no entries (§7.4.3)", func(top *Topology) {
			gw(top)
			top.PrefixLists[1].CIDRs = nil
		},
			Warning, 41, "prefix list com.amazonaws.us-east-1.s3 of VPC endpoint s3-ep has no entries; the endpoint's routes match nothing (§7.4.3)"},
		{"VPCE gateway endpoint for a service without one (§7.4.1)", func(top *Topology) {
			gw(top)
			top.VPCEndpoints[0].ServiceName = "com.amazonaws.us-east-1.ec2"
		},
			Error, 40, `service "com.amazonaws.us-east-1.ec2" has no gateway endpoint`},
		{"IGW target in another VPC", func(top *Topology) { other(top); route(top, 0).Target.ID = "igw-2" },
			Error, 7, "route 0.0.0.0/0 in rt: internet gateway igw2 is in VPC v2, not in the table's VPC v"},
		{"duplicate destination", func(top *Topology) { route(top, 1).Destination = vpfx("0.0.0.0/0") },
			Error, 8, "route 0.0.0.0/0 in rt: the table already has a route to 0.0.0.0/0"},
		{"destination prefix list missing: warning", func(top *Topology) {
			r := route(top, 0)
			r.Destination, r.DestinationPrefixList = netip.Prefix{}, "pl-gone"
		}, Warning, 7, "route pl-gone in rt: prefix list pl-gone is not in the topology"},
		{"public NAT gateway needs an EIP (§2.1.2)", func(top *Topology) {
			a := &top.NATGateways[0].Addresses[0]
			a.PublicIP, a.AllocationID = netip.Addr{}, ""
		}, Error, 9, "NAT gateway n: a public NAT gateway needs an Elastic IP (§2.1.2)"},
		{"public NAT gateway needs an IGW (§2.1.2)", func(top *Topology) { top.InternetGateways[0].VPC = "" },
			Error, 9, "NAT gateway n: VPC v has no internet gateway attached, which a public NAT gateway needs (Gateway.NotAttached, §2.1.2)"},
		{"private NAT gateway has no EIP (§2.1.3)", func(top *Topology) { top.NATGateways[0].Connectivity = ConnectivityPrivate },
			Error, 9, "NAT gateway n: a private NAT gateway cannot have an Elastic IP (§2.1.3)"},
		{"NAT gateway IP in its subnet", func(top *Topology) { top.NATGateways[0].Addresses[0].PrivateIP = vip("10.0.3.10") },
			Error, 9, "NAT gateway n: private IP 10.0.3.10 is not in subnet nat (10.0.2.0/24)"},
		{"NAT gateway IP not reserved (§6.4)", func(top *Topology) { top.NATGateways[0].Addresses[0].PrivateIP = vip("10.0.2.2") },
			Error, 9, "NAT gateway n: private IP 10.0.2.2 is reserved in subnet nat (10.0.2.0/24): the DNS server (§6.4)"},
		{"ENI IP in its subnet", func(top *Topology) { top.NetworkInterfaces[0].PrivateIPs[0].Addr = vip("10.0.1.10") },
			Error, 16, "network interface e of instance i: private IP 10.0.1.10 is not in subnet a (10.0.0.0/24)"},
		{"ENI IP not reserved (§6.4)", func(top *Topology) { top.NetworkInterfaces[0].PrivateIPs[0].Addr = vip("10.0.0.255") },
			Error, 16, "private IP 10.0.0.255 is reserved in subnet a (10.0.0.0/24): the broadcast address (§6.4)"},
		{"private IP used twice in a VPC", func(top *Topology) {
			top.NetworkInterfaces = append(top.NetworkInterfaces, &NetworkInterface{ID: "eni-f", VPC: "vpc-1", Subnet: "subnet-a", Name: "f",
				PrivateIPs: []PrivateIP{{Addr: vip("10.0.0.10"), Primary: true}}, SecurityGroups: []SecurityGroupID{"sg-web"}, Src: vsrc(44)})
		}, Error, 44, "network interface f: private IP 10.0.0.10 is already used by network interface e of instance i (t.yaml:16) in VPC v"},
		{"ENI security group exists: warning", func(top *Topology) { top.NetworkInterfaces[0].SecurityGroups = []SecurityGroupID{"sg-gone"} },
			Warning, 16, "network interface e of instance i: security group sg-gone is not in the topology"},
		{"ENI security group in its VPC", func(top *Topology) { other(top); top.NetworkInterfaces[0].SecurityGroups = []SecurityGroupID{"sg-2"} },
			Error, 16, "network interface e of instance i: security group web2 belongs to VPC v2, not to VPC v"},
		{"SG rule group missing: warning", func(top *Topology) {
			r := &top.SecurityGroups[0].Ingress[0]
			r.CIDR, r.Group = netip.Prefix{}, "sg-gone"
		}, Warning, 12, "security group web: inbound rule 1: security group sg-gone is not in the topology"},
		{"SG rule prefix list missing: warning", func(top *Topology) {
			r := &top.SecurityGroups[0].Ingress[0]
			r.CIDR, r.PrefixList = netip.Prefix{}, "pl-gone"
		}, Warning, 12, "security group web: inbound rule 1: prefix list pl-gone is not in the topology"},
		{"SG rule has one peer (§4.1.4)", func(top *Topology) { top.SecurityGroups[0].Ingress[0].PrefixList = "pl-1" },
			Error, 12, "security group web: inbound rule 1: a rule has exactly one peer"},
		{"SG port range from <= to", func(top *Topology) { top.SecurityGroups[0].Ingress[0].ToPort = 80 },
			Error, 12, "security group web: inbound rule 1: port range 443-80 is not within 0-65535 with from <= to"},
		{"NACL port range within 0-65535", func(top *Topology) { top.NetworkACLs[0].Entries[0].ToPort = 70000 },
			Error, 14, "network ACL acl: inbound rule 100: port range 1024-70000 is not within 0-65535 with from <= to"},
		{"NACL rule numbers 1-32766 (§5.1)", func(top *Topology) { top.NetworkACLs[0].Entries[0].RuleNumber = 40000 },
			Error, 14, "network ACL acl: inbound rule 40000: rule numbers are 1-32766 (§5.1)"},
		{"NACL 32767 only as the final deny (§5.1)", func(top *Topology) { top.NetworkACLs[0].Entries[0].RuleNumber = 32767 },
			Error, 14, "network ACL acl: inbound rule 32767: rule number 32767 is the final deny-all (*) rule"},
		{"NACL rule numbers unique per direction (§5.1)", func(top *Topology) {
			a := top.NetworkACLs[0]
			a.Entries = append(a.Entries, NetworkACLEntry{RuleNumber: 100, Protocol: ProtocolAll, CIDR: vpfx("10.0.0.0/8"), Src: vsrc(45)})
		}, Error, 45, "network ACL acl: inbound rule 100: the number is used twice in the inbound rules (§5.1)"},
		{"Elastic IP used once", func(top *Topology) {
			top.Addresses = append(top.Addresses, &Address{AllocationID: "eipalloc-2", PublicIP: vip("203.0.113.10"), ENI: "eni-e", Name: "again", Src: vsrc(46)})
		}, Error, 46, "network interface e of instance i (10.0.0.10): Elastic IP 203.0.113.10 is already used by NAT gateway n"},
		{"one IGW per VPC (§3.1)", func(top *Topology) {
			top.InternetGateways = append(top.InternetGateways, &InternetGateway{ID: "igw-3", VPC: "vpc-1", Name: "spare", Src: vsrc(47)})
		}, Error, 47, "internet gateway spare: VPC v already has internet gateway igw attached; a VPC has at most one (§3.1)"},
		{"VGW attached to a missing VPC: warning", func(top *Topology) { top.VPNGateways[0].VPC = "vpc-gone" },
			Warning, 17, "VPN gateway g: attached VPC vpc-gone is not in the topology"},
		{"VPN connection on a missing VGW: warning", func(top *Topology) { top.VPNConnections[0].VPNGateway = "vgw-gone" },
			Warning, 18, "VPN connection c: VPN gateway vgw-gone is not in the topology"},
		{"gateway route table is not main (§1.1.4)", func(top *Topology) {
			for _, rt := range top.RouteTables {
				if rt.Main {
					rt.Gateways, rt.Src = []string{"igw-1"}, vsrc(48)
				}
			}
		}, Error, 48, "a gateway route table cannot be the main route table (§1.1.4)"},
		{"an instance's interfaces in one VPC", func(top *Topology) {
			other(top)
			top.Instances[0].ENIs = append(top.Instances[0].ENIs, "eni-g")
			top.NetworkInterfaces = append(top.NetworkInterfaces, &NetworkInterface{ID: "eni-g", VPC: "vpc-2", Name: "g", Instance: "i-1",
				DeviceIndex: 1, PrivateIPs: []PrivateIP{{Addr: vip("10.9.0.10"), Primary: true}}, Src: vsrc(49)})
		}, Error, 49, "network interface g of instance i: it is in VPC v2, but the instance's other interfaces are in VPC v"},
		{"association across VPCs", func(top *Topology) {
			other(top)
			top.Subnets[2].VPC = "vpc-2"
			top.Subnets[2].CIDR = vpfx("10.9.2.0/24")
		},
			Error, 9, "NAT gateway n: subnet nat is in VPC v2, not in VPC v"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			top := validBase()
			ApplyDefaults(top)
			tc.mutate(top)
			wantProblem(t, Validate(top), tc.sev, tc.line, tc.want)
		})
	}
}

// wantProblem fails unless ps holds a problem of severity sev at t.yaml:line whose message
// contains want.
func wantProblem(t *testing.T, ps Problems, sev Severity, line int, want string) {
	t.Helper()
	for _, p := range ps {
		if p.Severity == sev && p.Src == vsrc(line) && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("want %v at t.yaml:%d containing\n\t%s\ngot:\n%v", []string{"error", "warning"}[sev], line, want, ps)
}

// TestValidateBlackholeIsFine: a blackhole route to something gone is what AWS shows after a
// deletion (§1.2.6); it is neither an error nor a warning.
func TestValidateBlackholeIsFine(t *testing.T) {
	top := validBase()
	ApplyDefaults(top)
	r := &top.RouteTables[0].Routes[1]
	r.Target.ID, r.State = "nat-deleted", RouteBlackhole
	if ps := Validate(top); len(ps) > 0 {
		t.Errorf("want no problems, got:\n%v", ps)
	}
}

// TestValidateDeletedNATGatewayHoldsNoAddress: a NAT gateway that is deleting or deleted
// (visible for an hour after DeleteNatGateway) has given its Elastic IP back, which may
// already be on another interface: no "already used" error.
func TestValidateDeletedNATGatewayHoldsNoAddress(t *testing.T) {
	for _, state := range []string{"deleting", "deleted", "failed"} {
		top := validBase()
		ApplyDefaults(top)
		top.NATGateways[0].State = state
		top.NetworkInterfaces = slices.DeleteFunc(top.NetworkInterfaces, func(e *NetworkInterface) bool {
			return e.ID == top.NATGateways[0].Addresses[0].ENI // AWS deletes the gateway's interface with it
		})
		top.Addresses = append(top.Addresses, &Address{AllocationID: "eipalloc-2", PublicIP: vip("203.0.113.10"), ENI: "eni-e", Name: "again", Src: vsrc(46)})
		for _, p := range Validate(top) {
			if strings.Contains(p.Message, "already used") {
				t.Errorf("%s: %v", state, p)
			}
		}
	}
}

// TestValidateSkipsUnparsedValues: invalid prefixes and addresses are the loader's to
// report; Validate neither complains about them nor panics.
func TestValidateSkipsUnparsedValues(t *testing.T) {
	top := validBase()
	top.Subnets[0].CIDR = netip.Prefix{}
	top.NetworkInterfaces[0].PrivateIPs[0].Addr = netip.Addr{}
	top.NATGateways[0].Addresses[0].PrivateIP = netip.Addr{}
	top.RouteTables[0].Routes[0].Destination = netip.Prefix{}
	ApplyDefaults(top)
	if ps := Validate(top); len(ps) > 0 {
		t.Errorf("want no problems, got:\n%v", ps)
	}
	if ps := Validate(&Topology{}); len(ps) > 0 {
		t.Errorf("empty topology: %v", ps)
	}
}
