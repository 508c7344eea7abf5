package engine_test

// Scenario tests for ENIs, addressing and TTL (§6 of aws-vpc-semantics.md).

import (
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// §6.1: an ENI receives on, and sends from, its secondary private IPs.
func TestENI_SecondaryPrivateIPs_6_1(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	l.secondaryIP("b", "10.0.1.56")
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.56:22"))
	wantDelivered(t, r, "b")
	wantEq(t, "destination", r.Packet.Dst, addr("10.0.1.56"))
	back := l.send("b", replyTo(r))
	wantDelivered(t, back, "a")
	wantEq(t, "reply source", back.Packet.Src, addr("10.0.1.56"))
}

// §0.1, §6.2: with the source/destination check on, an ENI drops outbound packets whose
// source is not one of its IPs, and inbound packets whose destination is not one of its IPs.
func TestENI_SourceDestCheckBothDirections_6_2(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("lan").in("all", -1, -1, "10.0.0.0/16")
	l.instance("a", "a", "10.0.0.11", "lan")
	l.instance("b", "b", "10.0.1.55", "lan")
	l.instance("fw", "f", "10.0.3.20", "lan")
	l.rt("a", route("10.0.1.0/24", "eni-fw"))
	l.assoc("a", "a")

	r := l.send("a", tcp("10.0.0.99:40000", "10.0.3.20:22"))
	wantDroppedAt(t, r, engine.CodeSourceDestCheck, "eni-a")
	wantEq(t, "stopped before the SG", len(hops(r, "sg")), 0)

	r = l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDroppedAt(t, r, engine.CodeSourceDestCheck, "eni-fw")
	wantEq(t, "at the receiving ENI", lastHop(t, r).Component.Kind, engine.KindENI)

	// With the check disabled, the appliance forwards; it may send other sources too.
	l.appliance("fw")
	r = l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDelivered(t, r, "b")
	wantEq(t, "TTL-1 at the appliance (§6.8)", r.Packet.TTL, uint8(254))
	wantEq(t, "appliance hop", hopByID(t, r, "i-fw").Action, engine.ActForward)
	wantDelivered(t, l.send("fw", tcp("10.0.0.11:40001", "10.0.1.55:22")), "b")
}

// §6.8: an appliance is a TTL hop; when the TTL expires its OS answers with an ICMP time
// exceeded from its own IP, which reaches the source with the quoted header.
func TestENI_ApplianceTTLExpiry_6_8(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("a") // no inbound rules: the error passes as related to a's flow
	l.sg("lan").in("all", -1, -1, "10.0.0.0/16")
	l.instance("a", "a", "10.0.0.11", "a")
	l.instance("b", "b", "10.0.1.55", "lan")
	l.instance("fw", "f", "10.0.3.20", "lan")
	l.appliance("fw")
	l.rt("a", route("10.0.1.0/24", "eni-fw"))
	l.assoc("a", "a")

	p := udp("10.0.0.11:40000", "10.0.1.55:33434").ttl(1)
	r := l.send("a", p)
	wantDroppedAt(t, r, engine.CodeTTLExceeded, "i-fw")
	g := r.Generated
	if g == nil {
		t.Fatalf("no time exceeded:\n%s", describe(r))
	}
	wantDelivered(t, g, "a")
	wantEq(t, "from the appliance", g.Packet.Src, addr("10.0.3.20"))
	wantEq(t, "type", g.Packet.ICMPType, packet.ICMPTimeExceeded)
	if q := g.Packet.Inner; q == nil || q.Src != p.Src || q.SrcPort != p.SrcPort || q.Dst != p.Dst || q.DstPort != p.DstPort {
		t.Errorf("quoted header %v, want %v", q, packet.Packet(p))
	}
	r = l.send("a", p.ttl(2))
	wantDelivered(t, r, "b")
	wantEq(t, "TTL at b", r.Packet.TTL, uint8(1))
}

// §6.4, §6.6 [UNCERTAIN, default no reply]: the VPC router at base+1 (and the other reserved
// addresses) answers nothing: the packet finds no ENI and nothing is generated.
func TestENI_VPCRouterBasePlusOneNoAnswer_6_4_6_6(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	r := l.send("a", icmpEcho("10.0.0.11", "10.0.0.1", 1, 1))
	wantDropped(t, r, engine.CodeUnknownDestination, "subnet")
	if !strings.Contains(r.Detail, "router") || r.Generated != nil {
		t.Errorf("base+1 of the own subnet:\n%s", describe(r))
	}
	for _, dst := range []string{"10.0.1.1", "10.0.1.0", "10.0.1.3", "10.0.1.255"} {
		r = l.send("a", icmpEcho("10.0.0.11", dst, 1, 1))
		wantDropped(t, r, engine.CodeUnknownDestination, "vpc")
		if r.Generated != nil {
			t.Errorf("%s answered:\n%s", dst, describe(r))
		}
	}
	for _, dst := range []string{"10.0.0.0", "10.0.0.3", "10.0.0.255"} {
		wantDropped(t, l.send("a", icmpEcho("10.0.0.11", dst, 1, 1)), engine.CodeUnknownDestination, "subnet")
	}
}

// §6.6: the VPC router is not a TTL hop: direct delivery, across subnets too, keeps the
// sender's TTL.
func TestENI_VPCRouterIsNotATTLHop_6_6(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	for _, ttl := range []uint8{1, 64, 255} {
		r := l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 1, uint16(ttl)).ttl(ttl))
		wantDelivered(t, r, "b")
		wantEq(t, "TTL", r.Packet.TTL, ttl)
	}
}

// Sending from an ENI the topology does not hold is an input error, reported as a drop.
func TestENI_UnknownSourceENI(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	r := l.send("nope", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDropped(t, r, engine.CodeUnknownResource, "eni")
}
