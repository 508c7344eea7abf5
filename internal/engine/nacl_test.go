package engine_test

// Scenario tests for network ACLs (§5 of aws-vpc-semantics.md). §5.5 (same-subnet traffic
// skips the NACL) is in routing_test.go, §5.10 (NAT subnets) in nat_test.go.

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// §5.1: rules are evaluated in ascending rule number whatever their input order; the first
// match decides; no match meets the final "*" deny.
func TestNACL_FirstMatchByAscendingRuleNumber_5_1(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.subnet("c", "10.0.5.0/24")
	l.instance("c", "c", "10.0.5.5")
	l.acl("b", "b").
		allowIn(200, "tcp", "0.0.0.0/0", 80, 80).
		denyIn(100, "tcp", "10.0.0.0/24", 80, 80).
		allowIn(300, "udp", "0.0.0.0/0").
		allowOut(100, "all", "0.0.0.0/0")
	for _, tc := range []struct {
		from string
		p    pkt
		rule int
		ok   bool
	}{
		{"a", tcp("10.0.0.11:40000", "10.0.1.55:80"), 100, false},
		{"c", tcp("10.0.5.5:40000", "10.0.1.55:80"), 200, true},
		{"a", udp("10.0.0.11:40000", "10.0.1.55:53"), 300, true},
		{"a", tcp("10.0.0.11:40000", "10.0.1.55:443"), 32767, false},
		{"a", icmpEcho("10.0.0.11", "10.0.1.55", 1, 1), 32767, false},
	} {
		r := l.send(tc.from, tc.p)
		var h *engine.Hop
		for i := range r.Hops {
			if r.Hops[i].Component.ID == "acl-b" {
				h = &r.Hops[i]
			}
		}
		if h == nil {
			t.Fatalf("%v: no acl-b hop:\n%s", packet.Packet(tc.p), describe(r))
		}
		wantEq(t, packet.Packet(tc.p).String()+": rule", h.ACLRule.RuleNumber, tc.rule)
		if tc.ok {
			wantDelivered(t, r, "b")
		} else {
			wantDroppedAt(t, r, engine.CodeSubnetACL, "acl-b")
		}
	}
}

// §5.2, §5.3: the default NACL (used by every subnet without another association) allows
// everything with rule 100; a new custom NACL denies everything both ways.
func TestNACL_DefaultAllowsCustomDenies_5_2(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	r := l.send("a", udp("10.0.0.11:40000", "10.0.1.55:53"))
	wantDelivered(t, r, "b")
	for _, h := range hops(r, "acl") {
		wantEq(t, "default NACL rule", h.ACLRule.RuleNumber, 100)
		wantEq(t, "default NACL", h.Component.Name, "lab-default")
	}
	deny := l.acl("new", "b")
	wantDroppedAt(t, l.send("a", udp("10.0.0.11:40000", "10.0.1.55:53")), engine.CodeSubnetACL, "acl-new")
	wantDroppedAt(t, l.send("b", udp("10.0.1.55:40000", "10.0.0.11:53")), engine.CodeSubnetACL, "acl-new")
	wantEq(t, "entries of the new NACL (only the implicit *)", len(deny.a.Entries), 0)
	// a's subnet still uses the default NACL.
	l.instance("a2", "a", "10.0.0.12")
	r = l.send("a2", udp("10.0.0.12:40000", "10.0.9.9:53"))
	wantEq(t, "a's NACL", hops(r, "acl")[0].Component.Name, "lab-default")
}

// §5.4: inbound rules match the source, outbound rules the destination. Each ACL also holds a
// rule that would match if the wrong address were used.
func TestNACL_InboundBySourceOutboundByDestination_5_4(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.instance("a2", "a", "10.0.0.12")
	l.subnet("c", "10.0.5.0/24")
	l.sg("c").in("all", -1, -1, "0.0.0.0/0")
	l.instance("c", "c", "10.0.5.5", "c")
	l.acl("b", "b").
		denyIn(40, "all", "10.0.1.55/32"). // b's own address: must not match inbound
		denyIn(50, "all", "10.0.0.11/32").
		allowAll()
	l.acl("a", "a").
		denyOut(40, "all", "10.0.0.12/32"). // a2's own address: must not match outbound
		denyOut(50, "all", "10.0.5.5/32").
		allowAll()

	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDroppedAt(t, r, engine.CodeSubnetACL, "acl-b")
	wantEq(t, "rule", lastHop(t, r).ACLRule.RuleNumber, 50)
	wantEq(t, "direction", lastHop(t, r).Direction, engine.Inbound)

	wantDelivered(t, l.send("a2", tcp("10.0.0.12:40000", "10.0.1.55:22")), "b")

	r = l.send("a2", tcp("10.0.0.12:40000", "10.0.5.5:22"))
	wantDroppedAt(t, r, engine.CodeSubnetACL, "acl-a")
	wantEq(t, "rule", lastHop(t, r).ACLRule.RuleNumber, 50)
	wantEq(t, "direction", lastHop(t, r).Direction, engine.Outbound)
	wantEq(t, "egress flag", lastHop(t, r).ACLRule.Egress, true)
}

// §5.1, §5.4: protocol numbers and ICMP type/code in NACL entries.
func TestNACL_ProtocolAndICMPMatching_5_4(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.acl("b", "b").
		allowIn(100, "icmp", "0.0.0.0/0", 8, -1).
		allowIn(110, "47", "0.0.0.0/0").
		allowIn(120, "udp", "0.0.0.0/0", 53, 53).
		allowOut(100, "all", "0.0.0.0/0")
	for _, tc := range []struct {
		p    pkt
		rule int
	}{
		{icmpEcho("10.0.0.11", "10.0.1.55", 1, 1), 100},
		{pkt{Src: addr("10.0.0.11"), Dst: addr("10.0.1.55"), Proto: packet.ProtoICMP, TTL: 64, ICMPType: 13}, 32767},
		{rawProto(47, "10.0.0.11", "10.0.1.55"), 110},
		{rawProto(50, "10.0.0.11", "10.0.1.55"), 32767},
		{udp("10.0.0.11:40000", "10.0.1.55:53"), 120},
		{udp("10.0.0.11:53", "10.0.1.55:54"), 32767}, // the destination port counts
		{tcp("10.0.0.11:40000", "10.0.1.55:53"), 32767},
	} {
		r := l.send("a", tc.p)
		h := hops(r, "acl")[1]
		wantEq(t, packet.Packet(tc.p).String()+": rule", h.ACLRule.RuleNumber, tc.rule)
		wantEq(t, packet.Packet(tc.p).String()+": delivered", r.Delivered(), tc.rule != 32767)
	}
}

// §5.1 statelessness, §4.2.3: NACLs track nothing, and a NACL change applies at once, even to
// a flow already under way.
func TestNACL_StatelessAndImmediate_5_1_4_2_3(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	acl := l.acl("b", "b").allowIn(100, "tcp", "0.0.0.0/0", 22, 22)
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDelivered(t, r, "b")
	// The reply is denied: no outbound rule, and no tracking in a NACL.
	wantDroppedAt(t, l.send("b", replyTo(r)), engine.CodeSubnetACL, "acl-b")
	acl.allowOut(100, "tcp", "10.0.0.0/16", 1024, 65535)
	wantDelivered(t, l.send("b", replyTo(r)), "a")
	acl.denyIn(50, "tcp", "10.0.0.11/32", 22, 22)
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22").flags(packet.TCPAck)), engine.CodeSubnetACL, "acl-b")
}

// §5.6: replies need the client's ephemeral ports allowed: here a server NACL allowing only the
// Linux range 32768-60999 outbound.
func TestNACL_EphemeralPorts_5_6(t *testing.T) {
	l := twoSubnets(t, nil, []string{"open"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.acl("b", "b").allowIn(100, "tcp", "0.0.0.0/0", 443, 443).allowOut(100, "tcp", "0.0.0.0/0", 32768, 60999)
	for _, tc := range []struct {
		sport string
		ok    bool
	}{{"32768", true}, {"40000", true}, {"60999", true}, {"61000", false}, {"1025", false}, {"65535", false}} {
		r := l.send("a", tcp("10.0.0.11:"+tc.sport, "10.0.1.55:443"))
		wantDelivered(t, r, "b")
		back := l.send("b", replyTo(r))
		if tc.ok {
			wantDelivered(t, back, "a")
		} else {
			wantDroppedAt(t, back, engine.CodeSubnetACL, "acl-b")
		}
	}
}
