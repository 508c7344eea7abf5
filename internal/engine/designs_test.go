package engine_test

// The inspection designs of aws-vpc-semantics.md §15, the scenarios not already named in
// nfw_test.go (D1-1..3, D2-2, NFW-9/10 as D2-3 with names), edge_test.go (D4) and
// gwlb_test.go (D3 = GWLB-1/3/4).

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// d1TwoZones is §15 D1 with both zones: fwLab's zone a (app subnet a1, endpoint fwEndpoint in fw), plus
// app subnet a2 10.0.2.0/24 with iA2 10.0.2.20 and firewall subnet fwb with endpoint
// vpce-fwb in zone b; a2's table sends 0.0.0.0/0 to vpce-fwb and the edge table sends a2's
// CIDR there.
func d1TwoZones(t *testing.T) *lab {
	l := fwLab(t, sfe())
	b := l.subnet("fwb", "10.0.100.16/28")
	b.AvailabilityZone = "us-east-1b"
	l.assoc("fw", "fwb")
	l.topo.Firewalls[0].SubnetMappings = append(l.topo.Firewalls[0].SubnetMappings,
		model.FirewallSubnetMapping{Subnet: "subnet-fwb", AvailabilityZone: "us-east-1b", Endpoint: "vpce-fwb", Status: "READY"})
	a2 := l.subnet("a2", "10.0.2.0/24")
	a2.AvailabilityZone = "us-east-1b"
	l.instance("a2", "a2", "10.0.2.20", "app")
	l.rt("app-b", route("0.0.0.0/0", "vpce-fwb"))
	l.assoc("app-b", "a2")
	l.table("edge").Routes = append(l.table("edge").Routes, route("10.0.2.0/24", "vpce-fwb"))
	return l
}

// D1-4: between the two app subnets the local route wins, uninspected. Routing each subnet's
// CIDR to its own zone's endpoint makes the two directions meet different endpoints: the
// answer is a stream exception. Pointing both at one endpoint inspects both directions there.
func TestD1_4_EastWestInspection(t *testing.T) {
	l := d1TwoZones(t)
	r := l.send("a1", tcp("10.0.1.10:40000", "10.0.2.20:22"))
	wantDelivered(t, r, "a2")
	if len(hops(r, "fw")) != 0 {
		t.Fatalf("the local route should carry it uninspected:\n%s", describe(r))
	}

	l.table("app").Routes = append(l.table("app").Routes, route("10.0.2.0/24", fwEndpoint))
	l.table("app-b").Routes = append(l.table("app-b").Routes, route("10.0.1.0/24", "vpce-fwb"))
	l.changed()
	r = l.send("a1", tcp("10.0.1.10:40001", "10.0.2.20:22"))
	wantDelivered(t, r, "a2")
	wantEq(t, "request's endpoint", hop(t, r, "fw").Component.ID, fwEndpoint)
	back := l.send("a2", replyTo(r))
	wantDroppedAt(t, back, engine.CodeNFWStreamException, "vpce-fwb")

	l.table("app-b").Routes[len(l.table("app-b").Routes)-1] = route("10.0.1.0/24", fwEndpoint)
	l.changed()
	r = l.send("a1", tcp("10.0.1.10:40002", "10.0.2.20:22"))
	wantDelivered(t, r, "a2")
	back = l.send("a2", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "answer's endpoint", hop(t, back, "fw").Component.ID, fwEndpoint)
}

// D2-1: spoke to spoke through the inspection VPC with appliance mode: the request and the
// answer cross the same endpoint, in the zone the transit gateway chose for the flow.
func TestD2_1_SpokeToSpokeThroughTheInspectionVPC(t *testing.T) {
	x := nfwInspection(t, true)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	back := x.send("b2", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "same endpoint both ways", hop(t, back, "fw").Component.ID, hop(t, r, "fw").Component.ID)
	if len(hops(r, "tgw-rtb")) != 2 {
		t.Errorf("the request should cross the transit gateway twice (spokes, then the inspection table):\n%s", describe(r))
	}
}

// D2-3: a spoke's egress goes through the endpoint, the inspection VPC's NAT gateway and its
// internet gateway; the internet sees the NAT gateway's Elastic IP, and the answer comes back
// through the same endpoint. The NAT gateway translates traffic from a transit gateway
// attachment (§2.3.3).
func TestD2_3_CentralisedEgress(t *testing.T) {
	x := nfwEgress(t)
	r := x.send("a1", tcp("10.0.1.10:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-i", "internet")
	wantEq(t, "source the internet sees", r.Packet.Src, addr("3.3.3.3"))
	out := hop(t, r, "fw").Component.ID
	back := x.sendAt(engine.AtInternet(), pkt{Src: addr("8.8.8.8"), Dst: addr("3.3.3.3"), Proto: packet.ProtoTCP, SrcPort: 443,
		DstPort: r.Packet.SrcPort, TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDelivered(t, back, "a1")
	wantEq(t, "the answer's endpoint", hop(t, back, "fw").Component.ID, out)
}

// D2-4: the firewall subnet has no route back to the transit gateway: a spoke-to-spoke request
// dies in it after inspection.
func TestD2_4_FirewallSubnetWithoutTheRouteBack(t *testing.T) {
	x := nfwInspection(t, true)
	for _, rt := range x.topo.RouteTables {
		if rt.ID == "rtb-ifa" || rt.ID == "rtb-ifb" {
			rt.Routes = nil
		}
	}
	x.changed()
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDropped(t, r, engine.CodeNoRoute, "rtb")
	hop(t, r, "fw")
}

// D2-5: a blackhole for spoke B in the inspection table drops the request after the
// endpoint passed it.
func TestD2_5_BlackholeAfterInspection(t *testing.T) {
	x := nfwInspection(t, true)
	x.tgwRoute("insp", "10.1.0.0/16", "")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDropped(t, r, engine.CodeTGWRTBBadStateRoute, "tgw-rtb")
	hop(t, r, "fw")
}
