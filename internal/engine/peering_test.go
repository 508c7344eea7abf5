package engine_test

// VPC peering scenarios: aws-vpc-semantics.md §7.1, one test per scenario id (PCX-n).

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// peeredABC: A 10.0/16 peered with B 10.1/16 (pcx-ab) and C 10.2/16 (pcx-ac), B and C not
// peered; routes on both sides of each peering.
func peeredABC(t *testing.T) *estate {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16")
	x.vpc("b", "10.1.0.0/16")
	x.vpc("c", "10.2.0.0/16")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("b", "b1", "10.1.1.0/24", "us-east-1a")
	x.subnet("c", "c1", "10.2.1.0/24", "us-east-1a")
	x.host("a1", "a1", "10.0.1.10")
	x.host("b1", "b1", "10.1.1.10")
	x.host("c1", "c1", "10.2.1.10")
	x.peer("ab", "a", "b")
	x.peer("ac", "a", "c")
	x.routes("a1", route("10.1.0.0/16", "pcx-ab"), route("10.2.0.0/16", "pcx-ac"))
	x.routes("b1", route("10.0.0.0/16", "pcx-ab"))
	x.routes("c1", route("10.0.0.0/16", "pcx-ac"))
	return x
}

func TestPCX1_PeeredDeliveredBothWays(t *testing.T) {
	x := peeredABC(t)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
	wantDelivered(t, r, "b1")
	// §0.8: no route table in B on the way in; B's NACL in and SG in apply.
	wantPath(t, r, "i:send", "eni:send", "sg:allow", "acl:allow:outbound", "rtb:forward", "pcx:forward",
		"acl:allow:inbound", "eni:receive", "sg:allow", "i:deliver")
	back := x.send("b1", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "reply's route", routeUsed(t, back, 0), "10.0.0.0/16 -> pcx-ab")
}

func TestPCX2_NoRouteBack(t *testing.T) {
	x := peeredABC(t)
	x.topo.RouteTables[1].Routes = nil // b1's table: only local
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
	wantDelivered(t, r, "b1")
	wantDropped(t, x.send("b1", replyTo(r)), engine.CodeNoRoute, "rtb")
}

func TestPCX3_PendingPeeringIsABlackhole(t *testing.T) {
	for _, status := range []string{"pending-acceptance", "deleted", "rejected", "expired", "failed"} {
		x := peeredABC(t)
		x.topo.Peerings[0].Status = status
		r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
		wantDroppedAt(t, r, engine.CodeBadStateRoute, "pcx-ab")
		if !strings.Contains(r.Detail, status) {
			t.Errorf("%s: detail should name the status: %s", status, r.Detail)
		}
	}
}

func TestPCX4_NotTransitive(t *testing.T) {
	x := peeredABC(t)
	x.routes("b1", route("10.2.0.0/16", "pcx-ab"))
	r := x.send("b1", tcp("10.1.1.10:40000", "10.2.1.10:22"))
	wantDroppedAt(t, r, engine.CodePCXAddressNotInVPC, "pcx-ab")
}

func TestPCX5_NoEdgeToEdgeThroughPeerInternet(t *testing.T) {
	x := peeredABC(t)
	x.subnet("a", "apub", "10.0.0.0/24", "us-east-1a")
	x.topo.InternetGateways = append(x.topo.InternetGateways, &model.InternetGateway{ID: "igw-a", VPC: "vpc-a"})
	x.topo.NATGateways = append(x.topo.NATGateways, &model.NATGateway{ID: "nat-a", VPC: "vpc-a", Subnet: "subnet-apub", Connectivity: model.ConnectivityPublic, State: "available",
		Addresses: []model.NATGatewayAddress{{PrivateIP: addr("10.0.0.50"), PublicIP: addr("3.3.3.3"), Primary: true}}})
	x.routes("apub", route("0.0.0.0/0", "igw-a"))
	x.routes("a1", route("0.0.0.0/0", "nat-a"))
	x.routes("b1", route("0.0.0.0/0", "pcx-ab"))
	wantDroppedAt(t, x.send("b1", tcp("10.1.1.10:40000", "8.8.8.8:443")), engine.CodePCXAddressNotInVPC, "pcx-ab")
	// A's own instance still gets out (the NAT gateway and IGW work).
	if r := x.send("a1", tcp("10.0.1.10:40000", "8.8.8.8:443")); r.Outcome != engine.Exited {
		t.Fatalf("A's own traffic should leave:\n%s", describe(r))
	}
}

func TestPCX6_OnPremCannotReachPeerThroughVGW(t *testing.T) {
	x := peeredABC(t)
	x.topo.VPNGateways = append(x.topo.VPNGateways, &model.VPNGateway{ID: "vgw-a", VPC: "vpc-a"})
	x.topo.OnPremises = append(x.topo.OnPremises, &model.OnPremNetwork{Name: "dc", VPNGateway: "vgw-a", CIDRs: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}})
	r := x.sendAt(engine.AtVPNGateway("vgw-a"), tcp("192.168.1.5:40000", "10.1.1.10:22"))
	wantDroppedAt(t, r, engine.CodeVGWPrivateIPIngress, "vgw-a")
}

func TestPCX7_ReplyFollowsLPMToTheWrongPeer(t *testing.T) {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16")
	x.vpc("b", "10.1.0.0/16")
	x.vpc("c", "10.1.0.0/16") // the same block as B
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("b", "b1", "10.1.9.0/24", "us-east-1a")
	x.subnet("c", "c1", "10.1.5.0/24", "us-east-1a")
	x.host("a1", "a1", "10.0.1.10")
	x.host("b1", "b1", "10.1.9.9")
	x.host("c1", "c1", "10.1.5.10")
	x.peer("ab", "a", "b")
	x.peer("ac", "a", "c")
	x.routes("a1", route("10.1.0.0/16", "pcx-ac"), route("10.1.5.0/24", "pcx-ab"))
	x.routes("b1", route("10.0.0.0/16", "pcx-ab"))
	x.routes("c1", route("10.0.0.0/16", "pcx-ac"))
	r := x.send("b1", tcp("10.1.9.9:40000", "10.0.1.10:22"))
	wantDelivered(t, r, "a1")
	// §7.1.8: no reverse-path logic: the reply to 10.1.9.9 takes A's LPM, pcx-ac, into C.
	back := x.send("a1", replyTo(r))
	wantDroppedAt(t, back, engine.CodeNoPossibleDestination, "vpc-c")
	hopByID(t, back, "pcx-ac")
}

func TestPCX8_SecurityGroupReferenceAcrossSameRegionPeering(t *testing.T) {
	x := peeredABC(t)
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.topo.NetworkInterfaces[0].SecurityGroups = []model.SecurityGroupID{"sg-client"}
	x.topo.NetworkInterfaces[1].SecurityGroups = []model.SecurityGroupID{"sg-server"}
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22")), "b1")
	// The reference matches the group's members only: C's host is not in sg-client.
	x.routes("c1", route("10.1.0.0/16", "pcx-ac"))
	wantDropped(t, x.send("b1", tcp("10.1.1.10:40000", "10.1.1.10:22")), engine.CodeSGRulesMismatch, "sg")
}

// PCX-9: AWS refuses a reference across an inter-region peering; model.Validate reports it
// (validate_test.go). The engine never lets such a rule match, and says why.
func TestPCX9_InterRegionReferenceMatchesNothing(t *testing.T) {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16", "us-east-1")
	x.vpc("b", "10.1.0.0/16", "eu-west-1")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("b", "b1", "10.1.1.0/24", "eu-west-1a")
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.host("a1", "a1", "10.0.1.10", "client")
	x.host("b1", "b1", "10.1.1.10", "server")
	x.peer("ab", "a", "b")
	x.routes("a1", route("10.1.0.0/16", "pcx-ab"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
	wantDropped(t, r, engine.CodeSGReferencingSupport, "sg")
}

func TestPCX10_InterRegionMTU1500(t *testing.T) {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16", "us-east-1")
	x.vpc("b", "10.1.0.0/16", "eu-west-1")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("b", "b1", "10.1.1.0/24", "eu-west-1a")
	x.host("a1", "a1", "10.0.1.10")
	x.host("b1", "b1", "10.1.1.10")
	x.peer("ab", "a", "b")
	x.topo.Peerings[0].Accepter.Region = "eu-west-1"
	x.routes("a1", route("10.1.0.0/16", "pcx-ab"))
	big := tcp("10.0.1.10:40000", "10.1.1.10:22")
	big.DF, big.PayloadLen = true, 9001-40
	wantDroppedAt(t, x.send("a1", big), engine.CodeMTUExceeded, "pcx-ab")
	small := big
	small.PayloadLen = 1400
	wantDelivered(t, x.send("a1", small), "b1")
	// Same region: 9001 passes.
	x.topo.Peerings[0].Accepter.Region = "us-east-1"
	x.changed()
	big.PayloadLen = 9001 - 40
	wantDelivered(t, x.send("a1", big), "b1")
}

// PCX-11 (§7.1.10): an appliance in A relays traffic between its peers. Traffic that enters A
// from the peering addressed to the appliance passes (destination in A); the appliance
// forwards it to C without source NAT (delivered, destination in C); C's reply to B's address
// is refused where it crosses into A (neither address is A's).
func TestPCX11_ApplianceRelayReplyRefused(t *testing.T) {
	x := peeredABC(t)
	fw := x.host("a1", "fw", "10.0.1.99")
	fw.SourceDestCheck = false
	x.routes("c1", route("10.1.0.0/16", "pcx-ac"))
	// The appliance forwards B's packet on to C (as its OS would, keeping the source).
	fwd := x.send("fw", tcp("10.1.1.10:40000", "10.2.1.10:22"))
	wantDelivered(t, fwd, "c1")
	back := x.send("c1", replyTo(fwd))
	wantDroppedAt(t, back, engine.CodePCXAddressNotInVPC, "pcx-ac")
}

func TestPCX12_PeerResolverUnreachable(t *testing.T) {
	x := peeredABC(t)
	r := x.send("b1", udp("10.1.1.10:40000", "10.0.0.2:53"))
	wantDroppedAt(t, r, engine.CodePeerDNSUnreachable, "pcx-ab")
}

func TestPCX13_IPv4RoutesNeverCarryIPv6(t *testing.T) {
	x := peeredABC(t)
	x.topo.NetworkInterfaces[0].PrivateIPs = append(x.topo.NetworkInterfaces[0].PrivateIPs, model.PrivateIP{Addr: addr("2600:1f18::10")})
	x.topo.SecurityGroups[0].Egress = append(x.topo.SecurityGroups[0].Egress, model.SecurityGroupRule{ID: "sgr-v6", Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: netip.MustParsePrefix("::/0")})
	x.topo.NetworkACLs = append(x.topo.NetworkACLs, &model.NetworkACL{ID: "acl-a1", VPC: "vpc-a", Subnets: []model.SubnetID{"subnet-a1"}, Entries: []model.NetworkACLEntry{
		{RuleNumber: 100, Egress: true, Protocol: model.ProtocolAll, Allow: true, CIDR: netip.MustParsePrefix("::/0")}}})
	p := pkt{Src: addr("2600:1f18::10"), Dst: addr("2600:1f18:1::10"), Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: 22, TTL: 255, TCPFlags: packet.TCPSyn}
	wantDropped(t, x.send("a1", p), engine.CodeNoRoute, "rtb")
}

// §7.1.9's other rows: the peer's gateways are no way out, and the peer's interfaces are reached.
func TestPCX_EdgeToEdgeTable(t *testing.T) {
	x := peeredABC(t)
	x.topo.InternetGateways = append(x.topo.InternetGateways, &model.InternetGateway{ID: "igw-a", VPC: "vpc-a"})
	x.routes("b1", route("0.0.0.0/0", "pcx-ab"))
	wantDroppedAt(t, x.send("b1", tcp("10.1.1.10:40000", "1.1.1.1:443")), engine.CodePCXAddressNotInVPC, "pcx-ab")
	// iB → an instance of A: allowed (dst ∈ A).
	wantDelivered(t, x.send("b1", tcp("10.1.1.10:40000", "10.0.1.10:443")), "a1")
	// Entering from the peering (RA-style source): into the side that does not hold the source.
	r := x.sendAt(engine.Location{Kind: engine.FromPeering, ID: "pcx-ab"}, tcp("10.1.1.77:40000", "10.0.1.10:22"))
	wantDelivered(t, r, "a1")
}

// A source beyond a peering whose address neither side holds enters the side that holds the
// destination (it passes the check there, §7.1.6).
func TestPCX_FromPeeringTowardTheDestinationsSide(t *testing.T) {
	x := peeredABC(t)
	r := x.sendAt(engine.Location{Kind: engine.FromPeering, ID: "pcx-ab"}, tcp("10.5.5.5:40000", "10.0.1.10:22"))
	wantDelivered(t, r, "a1")
	r = x.sendAt(engine.Location{Kind: engine.FromPeering, ID: "pcx-ab"}, tcp("10.5.5.5:40000", "10.1.1.10:22"))
	wantDelivered(t, r, "b1")
}
