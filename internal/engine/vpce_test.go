package engine_test

// Gateway VPC endpoint scenarios: aws-vpc-semantics.md §7.4, one test per scenario id
// (VPCE-n; VPCE-7..9 are interface endpoints).

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

const (
	s3PL   = "pl-63a5400a"
	s3VPCE = "vpce-s3"
	s3Addr = "52.216.1.1"
)

// fromS3 is where the S3 service behind the endpoint answers from.
var fromS3 = engine.Location{Kind: engine.FromVPCEndpoint, ID: s3VPCE}

// s3Endpoint adds the S3 gateway endpoint vpce-s3 to vpc-<vpc> with its AWS-managed prefix
// list pl-63a5400a = {52.216.0.0/15}, associated with the route tables of the subnets named:
// each gets the route AWS installs (§7.4.2).
func (x *estate) s3Endpoint(vpc string, subnets ...string) *model.VPCEndpoint {
	x.topo.PrefixLists = append(x.topo.PrefixLists, &model.PrefixList{ID: s3PL, Name: "com.amazonaws.us-east-1.s3",
		CIDRs: []netip.Prefix{netip.MustParsePrefix("52.216.0.0/15")}})
	ep := &model.VPCEndpoint{ID: s3VPCE, VPC: model.VPCID("vpc-" + vpc), Type: model.EndpointGateway,
		ServiceName: "com.amazonaws.us-east-1.s3", State: "available", PrefixList: s3PL}
	for _, s := range subnets {
		ep.RouteTables = append(ep.RouteTables, model.RouteTableID("rtb-"+s))
		x.routes(s, route(s3PL, s3VPCE))
	}
	x.topo.VPCEndpoints = append(x.topo.VPCEndpoints, ep)
	x.changed()
	return ep
}

// vpceA: VPC A 10.0/16 with hosts a1 (subnet a1) and a2 (subnet a2); the S3 endpoint is on
// a1's table only.
func vpceA(t *testing.T) *estate {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("a", "a2", "10.0.2.0/24", "us-east-1a")
	x.host("a1", "a1", "10.0.1.10")
	x.host("a2", "a2", "10.0.2.10")
	x.s3Endpoint("a", "a1")
	return x
}

// natA adds to vpceA a public subnet "pub" with internet gateway igw-a and NAT gateway nat-a
// (10.0.0.50).
func natA(x *estate) {
	x.subnet("a", "pub", "10.0.0.0/24", "us-east-1a")
	x.topo.InternetGateways = append(x.topo.InternetGateways, &model.InternetGateway{ID: "igw-a", VPC: "vpc-a"})
	x.topo.NATGateways = append(x.topo.NATGateways, &model.NATGateway{ID: "nat-a", VPC: "vpc-a", Subnet: "subnet-pub", Connectivity: model.ConnectivityPublic,
		State: "available", Addresses: []model.NATGatewayAddress{{PrivateIP: addr("10.0.0.50"), PublicIP: addr("3.3.3.3"), Primary: true}}})
	x.changed()
}

func TestVPCE1_GatewayEndpointDeliversTCPToS3(t *testing.T) {
	x := vpceA(t)
	r := x.send("a1", tcp("10.0.1.10:40000", s3Addr+":443"))
	wantExited(t, r, s3VPCE, "svc")
	wantPath(t, r, "i:send", "eni:send", "sg:allow", "acl:allow:outbound", "rtb:forward", "vpce:forward", "svc:exit")
	wantEq(t, "route", routeUsed(t, r, 0), s3PL+" -> "+s3VPCE)
	wantEq(t, "service", r.Exit.To.ID, "com.amazonaws.us-east-1.s3")
	// The service's SYN-ACK comes back through the endpoint, with the local route (§7.4.7).
	back := x.sendAt(fromS3, replyTo(r))
	wantDelivered(t, back, "a1")
	wantPath(t, back, "svc:send", "vpce:forward", "acl:allow:inbound", "eni:receive", "sg:allow", "i:deliver")
	// §7.4.5: ICMP echo passes both ways too.
	ping := x.send("a1", icmpEcho("10.0.1.10", s3Addr, 7, 1))
	wantExited(t, ping, s3VPCE, "svc")
	wantDelivered(t, x.sendAt(fromS3, replyTo(ping)), "a1")
}

func TestVPCE2_GatewayEndpointDropsUDP(t *testing.T) {
	x := vpceA(t)
	r := x.send("a1", udp("10.0.1.10:40000", s3Addr+":53"))
	wantDroppedAt(t, r, engine.CodeVPCEGatewayProtocol, s3VPCE)
	// Nor may the service send it into the VPC.
	wantDroppedAt(t, x.sendAt(fromS3, udp(s3Addr+":53", "10.0.1.10:40000")), engine.CodeVPCEGatewayProtocol, s3VPCE)
}

func TestVPCE3_SubnetWithoutTheRouteGoesThroughNAT(t *testing.T) {
	x := vpceA(t)
	natA(x)
	x.routes("pub", route("0.0.0.0/0", "igw-a"))
	x.routes("a2", route("0.0.0.0/0", "nat-a"))
	r := x.send("a2", tcp("10.0.2.10:40000", s3Addr+":443"))
	wantExited(t, r, "igw-a", "internet")
	if len(hops(r, "nat")) == 0 || len(hops(r, "vpce")) != 0 {
		t.Fatalf("want the NAT gateway's path, not the endpoint's:\n%s", describe(r))
	}
	// a1's table has the prefix-list route, which beats 0.0.0.0/0 (§1.2.1).
	x.routes("a1", route("0.0.0.0/0", "nat-a"))
	wantExited(t, x.send("a1", tcp("10.0.1.10:40000", s3Addr+":443")), s3VPCE, "svc")
}

func TestVPCE4_PeeredVPCCannotUseTheEndpoint(t *testing.T) {
	x := vpceA(t)
	x.vpc("b", "10.1.0.0/16")
	x.subnet("b", "b1", "10.1.1.0/24", "us-east-1a")
	x.host("b1", "b1", "10.1.1.10")
	x.peer("ab", "a", "b")
	x.routes("b1", route("52.216.0.0/15", "pcx-ab"))
	r := x.send("b1", tcp("10.1.1.10:40000", s3Addr+":443"))
	wantDroppedAt(t, r, engine.CodePCXAddressNotInVPC, "pcx-ab")
}

func TestVPCE5_TransitGatewaySourceIsNotInTheVPC(t *testing.T) {
	x := hubAB(t)
	x.s3Endpoint("a", "a1", "a2") // A's attachment subnets' tables hold the route
	x.routes("b2", route("52.216.0.0/15", "tgw-hub"))
	x.tgwRoute("main", "52.216.0.0/15", "a")
	r := x.send("b2", tcp("10.1.2.10:40000", s3Addr+":443"))
	wantDroppedAt(t, r, engine.CodeVPCEGatewaySourceNotInVPC, s3VPCE)
	if len(hops(r, "tgw-rtb")) == 0 {
		t.Fatalf("want the path through the transit gateway:\n%s", describe(r))
	}
}

func TestVPCE6_NACLDeniesTheServiceInbound(t *testing.T) {
	x := vpceA(t)
	all := netip.MustParsePrefix("0.0.0.0/0")
	x.topo.NetworkACLs = append(x.topo.NetworkACLs, &model.NetworkACL{ID: "acl-a1", VPC: "vpc-a", Subnets: []model.SubnetID{"subnet-a1"},
		Entries: []model.NetworkACLEntry{
			{RuleNumber: 90, Protocol: model.ProtocolAll, CIDR: netip.MustParsePrefix("52.216.0.0/15")},
			{RuleNumber: 100, Protocol: model.ProtocolAll, Allow: true, CIDR: all},
			{RuleNumber: 100, Egress: true, Protocol: model.ProtocolAll, Allow: true, CIDR: all},
		}})
	r := x.send("a1", tcp("10.0.1.10:40000", s3Addr+":443"))
	wantExited(t, r, s3VPCE, "svc")
	back := x.sendAt(fromS3, replyTo(r))
	wantDroppedAt(t, back, engine.CodeSubnetACL, "acl-a1")
}

// §7.4.5: what the endpoint lets into the VPC must come from the service's prefix list.
func TestVPCE_EgressSourceOutsideThePrefixList_7_4_5(t *testing.T) {
	x := vpceA(t)
	r := x.sendAt(fromS3, tcp("54.231.0.1:443", "10.0.1.10:40000").flags(0x12))
	wantDroppedAt(t, r, engine.CodeVPCEGatewayEgressSource, s3VPCE)
}

// §7.4.4: a foreign source an appliance forwards is refused, as a source from outside is.
func TestVPCE_SpoofedSourceRefused_7_4_4(t *testing.T) {
	x := vpceA(t)
	r := x.sendAt(engine.Location{Kind: engine.FromSubnet, ID: "subnet-a1"}, tcp("10.9.9.9:40000", s3Addr+":443"))
	wantDroppedAt(t, r, engine.CodeVPCEGatewaySourceNotInVPC, s3VPCE)
}

// ARCHITECTURE.md decision 6: interface endpoints, and endpoints the topology does not
// describe, fail closed with UNSUPPORTED_COMPONENT naming the endpoint (GWLB endpoints are
// modelled: gwlb_test.go).
func TestVPCE_OtherEndpointsFailClosed(t *testing.T) {
	x := vpceA(t)
	x.topo.VPCEndpoints[0].Type = "ServiceNetwork" // neither gateway, interface nor GWLB (§13)
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", s3Addr+":443")), engine.CodeUnsupportedComponent, s3VPCE)
	x.topo.VPCEndpoints = nil
	x.changed()
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", s3Addr+":443")), engine.CodeUnsupportedComponent, s3VPCE)
	// Nothing answers from an endpoint that is not a gateway endpoint of the topology.
	wantDropped(t, x.sendAt(fromS3, tcp(s3Addr+":443", "10.0.1.10:40000")), engine.CodeUnknownResource, "vpce")
}

// §7.4.4 (DEFAULTS.md): a NAT gateway's private IP qualifies as a source inside the VPC, so
// traffic it translates may use an endpoint on its own subnet's table.
func TestVPCE_NATGatewayMayUseTheEndpoint_7_4_4(t *testing.T) {
	x := vpceA(t)
	natA(x)
	x.routes("pub", route("0.0.0.0/0", "igw-a"), route(s3PL, s3VPCE))
	x.topo.VPCEndpoints[0].RouteTables = append(x.topo.VPCEndpoints[0].RouteTables, "rtb-pub")
	x.routes("a2", route("0.0.0.0/0", "nat-a"))
	r := x.send("a2", tcp("10.0.2.10:40000", s3Addr+":443"))
	wantExited(t, r, s3VPCE, "svc")
	wantEq(t, "source at S3", r.Packet.Src, addr("10.0.0.50"))
	if len(hops(r, "nat")) == 0 {
		t.Fatalf("want the NAT gateway on the path:\n%s", describe(r))
	}
}

// The path through a gateway endpoint and back allocates nothing once warm, as the other
// paths of TestSendAllocs (STYLE.md habit 13).
func TestVPCE_SendAllocs(t *testing.T) {
	x := vpceA(t)
	n := x.build()
	from := engine.AtENI("eni-a1")
	out := packet.Packet(tcp("10.0.1.10:40000", s3Addr+":443"))
	var r engine.Result
	n.SendInto(x.st, from, out, engine.Options{}, &r)
	if r.Outcome != engine.Exited || len(r.Hops) != 7 {
		t.Fatalf("want 7 hops out through the endpoint, got:\n%s", describe(&r))
	}
	back := packet.Packet(replyTo(&r))
	for _, c := range []struct {
		name string
		send func()
	}{
		{"out", func() { n.SendInto(x.st, from, out, engine.Options{}, &r) }},
		{"back", func() { n.SendInto(x.st, fromS3, back, engine.Options{}, &r) }},
	} {
		c.send()
		if a := testing.AllocsPerRun(100, c.send); a != 0 {
			t.Errorf("%s: %v allocations per send, want 0", c.name, a)
		}
	}
	if r.Outcome != engine.Delivered {
		t.Fatalf("the answer: %s", describe(&r))
	}
}
