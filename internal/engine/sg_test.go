package engine_test

// Scenario tests for security groups and connection tracking (§4 of aws-vpc-semantics.md).

import (
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// twoSubnets is a VPC with a client a (10.0.0.11) and a server b (10.0.1.55) in two subnets,
// both with the groups named (none: the default group).
func twoSubnets(t testing.TB, sgA, sgB []string) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11", sgA...)
	l.instance("b", "b", "10.0.1.55", sgB...)
	return l
}

// §4.1.2: a new security group has no inbound rules and allows all outbound; a group with no
// outbound rules allows nothing out.
func TestSG_NewGroupNoInbound_4_1_2(t *testing.T) {
	l := twoSubnets(t, []string{"open"}, []string{"new"})
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.sg("new")
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "sg-new")
	wantEq(t, "direction", lastHop(t, r).Direction, engine.Ingress)

	r = l.send("b", tcp("10.0.1.55:40000", "10.0.0.11:22"))
	wantDelivered(t, r, "a")
	h := hops(r, "sg")[0]
	wantEq(t, "egress rule", h.SGRule.RuleID, "sgr-new-out-default")
	wantEq(t, "egress CIDR", h.SGRule.CIDR, "0.0.0.0/0")

	l.group("new").noEgress()
	r = l.send("b", tcp("10.0.1.55:40001", "10.0.0.11:22"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "sg-new")
	wantEq(t, "direction", lastHop(t, r).Direction, engine.Egress)
}

// An ENI whose only group is missing from the topology allows nothing (fail closed, with a
// compile warning).
func TestSG_MissingGroupAllowsNothing(t *testing.T) {
	l := twoSubnets(t, nil, []string{"ghost"})
	l.expectWarnings(1)
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "eni-b")
}

// §4.1.3: several groups on one ENI are the union of their rules.
func TestSG_UnionOfGroups_4_1_3(t *testing.T) {
	l := twoSubnets(t, nil, []string{"web", "ssh"})
	l.subnet("c", "10.0.5.0/24")
	l.sg("c").in("all", -1, -1, "0.0.0.0/0")
	l.instance("c", "c", "10.0.5.5", "c")
	l.sg("web").in("tcp", 80, 80, "0.0.0.0/0")
	l.sg("ssh").in("tcp", 22, 22, "10.0.0.0/24")
	for _, tc := range []struct {
		from, src, dst string
		group          string // allowing group, or "" for a drop
	}{
		{"a", "10.0.0.11:40000", "10.0.1.55:80", "sg-web"},
		{"a", "10.0.0.11:40000", "10.0.1.55:22", "sg-ssh"},
		{"a", "10.0.0.11:40000", "10.0.1.55:443", ""},
		{"c", "10.0.5.5:40000", "10.0.1.55:80", "sg-web"},
		{"c", "10.0.5.5:40000", "10.0.1.55:22", ""},
	} {
		r := l.send(tc.from, tcp(tc.src, tc.dst))
		if tc.group == "" {
			wantDropped(t, r, engine.CodeSGRulesMismatch, "sg")
			continue
		}
		wantDelivered(t, r, "b")
		h := hops(r, "sg")[1]
		wantEq(t, tc.src+" -> "+tc.dst+": group", string(h.SGRule.GroupID), tc.group)
	}
}

// §4.1.4: protocol, port range and ICMP type/code matching. Ports are destination ports.
func TestSG_ProtocolPortAndICMPMatching_4_1_4(t *testing.T) {
	type probe struct {
		p     pkt
		allow bool
	}
	const a, b = "10.0.0.11", "10.0.1.55"
	icmp := func(typ, code uint8) pkt {
		return pkt{Src: addr(a), Dst: addr(b), Proto: packet.ProtoICMP, TTL: 64, ICMPType: typ, ICMPCode: code}
	}
	for _, tc := range []struct {
		name     string
		proto    string
		from, to int
		peer     string
		probes   []probe
	}{
		{"tcp range", "tcp", 1000, 2000, "0.0.0.0/0", []probe{
			{tcp(a+":5000", b+":999"), false}, {tcp(a+":5000", b+":1000"), true}, {tcp(a+":5000", b+":2000"), true},
			{tcp(a+":5000", b+":2001"), false}, {udp(a+":5000", b+":1500"), false},
			{tcp(a+":1500", b+":3000"), false}, // the source port does not count
		}},
		{"udp single port", "udp", 53, 53, "0.0.0.0/0", []probe{
			{udp(a+":5000", b+":53"), true}, {tcp(a+":5000", b+":53"), false}, {udp(a+":5000", b+":54"), false},
		}},
		{"icmp echo, any code", "icmp", 8, -1, "0.0.0.0/0", []probe{
			{icmpEcho(a, b, 1, 1), true}, {icmp(13, 0), false}, {icmp(0, 0), false},
		}},
		{"icmp type 3 code 4 only", "icmp", 3, 4, "0.0.0.0/0", []probe{
			{icmp(3, 4), true}, {icmp(3, 3), false}, {icmpEcho(a, b, 1, 1), false},
		}},
		{"icmp all types", "icmp", -1, -1, "0.0.0.0/0", []probe{
			{icmp(13, 0), true}, {icmpEcho(a, b, 1, 1), true}, {tcp(a+":1", b+":1"), false},
		}},
		{"protocol number (GRE)", "47", -1, -1, "0.0.0.0/0", []probe{
			{rawProto(47, a, b), true}, {rawProto(50, a, b), false}, {tcp(a+":1", b+":1"), false},
		}},
		{"all traffic from one host", "all", -1, -1, "10.0.0.11/32", []probe{
			{rawProto(50, a, b), true}, {udp(a+":1", b+":9"), true}, {icmp(13, 0), true},
		}},
		{"all traffic from another host", "all", -1, -1, "10.0.0.12/32", []probe{
			{udp(a+":1", b+":9"), false},
		}},
		{"prefix list peer", "tcp", 443, 443, "pl-0123abcd", []probe{
			{tcp(a+":5000", b+":443"), true}, {tcp(a+":5000", b+":444"), false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pr := range tc.probes {
				// A fresh lab per probe: an earlier allowed probe must not be a tracked flow.
				l := twoSubnets(t, nil, []string{"b"})
				l.prefixList("pl-0123abcd", "10.0.0.0/24", "192.168.0.0/16")
				l.sg("b").in(tc.proto, tc.from, tc.to, tc.peer)
				r := l.send("a", pr.p)
				if pr.allow {
					if !r.Delivered() {
						t.Errorf("%v should be allowed:\n%s", packet.Packet(pr.p), describe(r))
					}
				} else if r.Outcome != engine.Dropped || r.Code != engine.CodeSGRulesMismatch || r.At.ID != "sg-b" {
					t.Errorf("%v should be denied by sg-b:\n%s", packet.Packet(pr.p), describe(r))
				}
			}
		})
	}
}

// §4.1.5: a rule referencing a group matches the private IPs of ENIs carrying it, including
// secondary private IPs ([UNCERTAIN]; vpclab's documented default: all private IPs). Public
// IPs never match. Outbound references match the destination.
func TestSG_ReferenceMatchesMembersIncludingSecondaryIPs_4_1_5(t *testing.T) {
	l := twoSubnets(t, []string{"app"}, []string{"db"})
	l.secondaryIP("a", "10.0.0.12")
	l.sg("app")
	l.sg("db").in("tcp", 5432, 5432, "sg-app")
	l.instance("c", "a", "10.0.0.13") // default group: not a member
	l.igw()
	l.publicIP("a", "198.51.100.11")
	l.publicIP("b", "198.51.100.55")

	wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:5432")), "b")
	r := l.send("a", tcp("10.0.0.12:40000", "10.0.1.55:5432"))
	wantDelivered(t, r, "b")
	wantEq(t, "peer group", hops(r, "sg")[1].SGRule.PeerGroup, model.SecurityGroupID("sg-app"))
	wantDroppedAt(t, l.send("c", tcp("10.0.0.13:40000", "10.0.1.55:5432")), engine.CodeSGRulesMismatch, "sg-db")
	// From the internet with a member's public IP as the source: public IPs never match.
	wantDroppedAt(t, l.send("internet", tcp("198.51.100.11:40000", "198.51.100.55:5432")), engine.CodeSGRulesMismatch, "sg-db")

	// Outbound: a group allowing egress only to members of sg-db.
	l.group("app").noEgress().out("tcp", 5432, 5432, "sg-db")
	wantDelivered(t, l.send("a", tcp("10.0.0.11:40001", "10.0.1.55:5432")), "b")
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40001", "10.0.0.13:5432")), engine.CodeSGRulesMismatch, "sg-app")
}

// §4.1.7: the default group admits everything from its own members and allows all outbound;
// nothing from non-members.
func TestSG_DefaultGroupSelfReference_4_1_7(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	l.sg("other")
	l.instance("c", "a", "10.0.0.13", "other")
	for _, p := range []pkt{
		tcp("10.0.0.11:40000", "10.0.1.55:9999"), udp("10.0.0.11:40000", "10.0.1.55:161"),
		icmpEcho("10.0.0.11", "10.0.1.55", 1, 1), rawProto(47, "10.0.0.11", "10.0.1.55"),
	} {
		r := l.send("a", p)
		wantDelivered(t, r, "b")
		h := hops(r, "sg")[1]
		wantEq(t, "group name", h.Component.Name, "default")
		wantEq(t, "self reference", h.SGRule.PeerGroup, h.SGRule.GroupID)
	}
	wantDropped(t, l.send("c", tcp("10.0.0.13:40000", "10.0.1.55:22")), engine.CodeSGRulesMismatch, "sg")
	// Outbound to anywhere.
	r := l.send("b", tcp("10.0.1.55:40000", "10.0.0.13:22"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "sg-other") // allowed out of b, refused by c's group
	wantEq(t, "b's egress allowed", hops(r, "sg")[0].Action, engine.ActAllow)
}

// statefulLab: a client a whose group has no inbound rules, a server b whose group admits
// TCP 80, UDP 53, ICMP echo and GRE, and has no outbound rules at all.
func statefulLab(t testing.TB) *lab {
	l := twoSubnets(t, []string{"cli"}, []string{"srv"})
	l.sg("cli")
	l.sg("srv").noEgress().in("tcp", 80, 80, "0.0.0.0/0").in("udp", 53, 53, "0.0.0.0/0").
		in("udp", 33434, 33534, "0.0.0.0/0").in("icmp", 8, -1, "0.0.0.0/0").in("47", -1, -1, "0.0.0.0/0")
	return l
}

// §4.2.1: replies to an allowed flow pass in the opposite direction whatever the rules say;
// TCP/UDP by 5-tuple, ICMP by echo id, other protocols by address pair.
func TestSG_StatefulReplies_4_2_1(t *testing.T) {
	for _, p := range []pkt{
		tcp("10.0.0.11:40000", "10.0.1.55:80"),
		udp("10.0.0.11:40000", "10.0.1.55:53"),
		icmpEcho("10.0.0.11", "10.0.1.55", 77, 1),
		rawProto(47, "10.0.0.11", "10.0.1.55"),
	} {
		l := statefulLab(t)
		r := l.send("a", p)
		wantDelivered(t, r, "b")
		back := l.send("b", replyTo(r))
		wantDelivered(t, back, "a")
		for _, h := range hops(back, "sg") {
			if !strings.Contains(h.Note, "tracked") || h.SGRule != nil {
				t.Errorf("%v: reply should pass both groups by tracking:\n%s", packet.Packet(p), describe(back))
			}
		}
	}
	l := statefulLab(t)
	wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80")), "b")
	// Not a reply: another port, another id, a new flow from the server.
	wantDroppedAt(t, l.send("b", tcp("10.0.1.55:80", "10.0.0.11:40001").flags(packet.TCPAck)), engine.CodeSGRulesMismatch, "sg-srv")
	wantDroppedAt(t, l.send("b", tcp("10.0.1.55:40000", "10.0.0.11:22")), engine.CodeSGRulesMismatch, "sg-srv")
	wantDelivered(t, l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 5, 1)), "b")
	wantDroppedAt(t, l.send("b", icmpEchoReply("10.0.1.55", "10.0.0.11", 6, 1)), engine.CodeSGRulesMismatch, "sg-srv")
}

// §4.2.1: ICMP is tracked by echo identifier and type: an ICMP message of another type is
// not a flow an echo request can answer. Here a sends b a destination unreachable (id field
// 0); b's echo request with id 0 must still meet a's rules (none inbound).
func TestSG_ICMPTrackedByEchoIDAndType_4_2_1(t *testing.T) {
	l := statefulLab(t)
	l.group("srv").in("icmp", 3, -1, "0.0.0.0/0").out("icmp", 8, -1, "0.0.0.0/0")
	unreach := pkt{Src: addr("10.0.0.11"), Dst: addr("10.0.1.55"), Proto: packet.ProtoICMP, TTL: 64,
		ICMPType: packet.ICMPDestUnreachable, ICMPCode: packet.ICMPCodeFragNeeded}
	wantDelivered(t, l.send("a", unreach), "b")
	wantDroppedAt(t, l.send("b", icmpEcho("10.0.1.55", "10.0.0.11", 0, 1)), engine.CodeSGRulesMismatch, "sg-cli")
	// While a real echo exchange is tracked by its identifier...
	r := l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 7, 1))
	wantDelivered(t, r, "b")
	wantDelivered(t, l.send("b", replyTo(r)), "a")
	// ...an echo request the other way with the same identifier is a new conversation, not a
	// reply.
	wantDroppedAt(t, l.send("b", icmpEcho("10.0.1.55", "10.0.0.11", 7, 2)), engine.CodeSGRulesMismatch, "sg-cli")
}

// §4.2.1 [INF]: ICMP errors about a tracked flow pass like replies, in both directions (the
// server's group has no outbound rule, the client's no inbound rule); unrelated errors do not.
func TestSG_RelatedICMPErrorsPass_4_2_1(t *testing.T) {
	l := statefulLab(t)
	p := udp("10.0.0.11:40000", "10.0.1.55:33434")
	r := l.send("a", p)
	wantDelivered(t, r, "b")
	unreach := icmpError("10.0.1.55", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, r.Packet)
	back := l.send("b", unreach)
	wantDelivered(t, back, "a")
	wantEq(t, "quoted source", back.Packet.Inner.Src, addr("10.0.0.11"))

	// An error quoting a flow a never sent is not related to anything.
	bogus := icmpError("10.0.1.55", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable,
		packet.Packet(udp("10.0.0.11:40999", "10.0.1.55:33499")))
	l.group("srv").out("icmp", -1, -1, "0.0.0.0/0") // let it out of b, to test a's side
	wantDroppedAt(t, l.send("b", bogus), engine.CodeSGRulesMismatch, "sg-cli")
}

// §4.2.3: a rule change does not cut tracked connections; new flows follow the new rules.
func TestSG_RuleChangeKeepsTrackedFlows_4_2_3(t *testing.T) {
	l := statefulLab(t)
	syn := tcp("10.0.0.11:40000", "10.0.1.55:80")
	wantDelivered(t, l.send("a", syn), "b")
	l.group("srv").noIngress() // recompiled; the State (conntrack) is kept
	wantDelivered(t, l.send("a", syn.flags(packet.TCPAck)), "b")
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40001", "10.0.1.55:80")), engine.CodeSGRulesMismatch, "sg-srv")
}

// §4.2.5 (and §4.2.1 for other protocols): idle timeouts of tracked flows, measured with the
// ManualClock: UDP one-way 30 s, ICMP 30 s [INF], other protocols 600 s, TCP established
// 432,000 s.
func TestSG_ConntrackExpiry_4_2_5(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       pkt
		timeout time.Duration
	}{
		{"udp without reply", udp("10.0.0.11:40000", "10.0.1.55:53"), 30 * time.Second},
		{"icmp echo", icmpEcho("10.0.0.11", "10.0.1.55", 9, 1), 30 * time.Second},
		{"gre", rawProto(47, "10.0.0.11", "10.0.1.55"), 600 * time.Second},
		{"tcp established", tcp("10.0.0.11:40000", "10.0.1.55:80"), 432000 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := statefulLab(t)
			r := l.send("a", tc.p)
			wantDelivered(t, r, "b")
			l.advance(tc.timeout - time.Second)
			wantDelivered(t, l.send("b", replyTo(r)), "a")

			l2 := statefulLab(t)
			r = l2.send("a", tc.p)
			l2.advance(tc.timeout + time.Second)
			back := l2.send("b", replyTo(r))
			wantDroppedAt(t, back, engine.CodeSGRulesMismatch, "sg-srv")
			wantEq(t, "direction", lastHop(t, back).Direction, engine.Egress)
		})
	}
}

// §4.2.5: a UDP flow that has seen only a single request-response exchange keeps the 30 s
// timeout; the 180 s "stream" timeout needs more than one exchange.
func TestSG_UDPStreamTimeout_4_2_5(t *testing.T) {
	l := statefulLab(t)
	req := udp("10.0.0.11:40000", "10.0.1.55:53")
	r := l.send("a", req)
	l.advance(time.Second)
	wantDelivered(t, l.send("b", replyTo(r)), "a") // one exchange
	l.advance(31 * time.Second)
	wantDroppedAt(t, l.send("b", replyTo(r)), engine.CodeSGRulesMismatch, "sg-srv")

	// A one-way stream of requests stays at 30 s too.
	l = statefulLab(t)
	for i := 0; i < 3; i++ {
		r = l.send("a", req)
		wantDelivered(t, r, "b")
		l.advance(10 * time.Second)
	}
	l.advance(21 * time.Second)
	wantDroppedAt(t, l.send("b", replyTo(r)), engine.CodeSGRulesMismatch, "sg-srv")

	// Two exchanges make it a stream: 180 s.
	l = statefulLab(t)
	for i := 0; i < 2; i++ {
		r = l.send("a", req)
		wantDelivered(t, l.send("b", replyTo(r)), "a")
		l.advance(time.Second)
	}
	l.advance(179 * time.Second)
	wantDelivered(t, l.send("b", replyTo(r)), "a")
	l.advance(181 * time.Second)
	wantDroppedAt(t, l.send("b", replyTo(r)), engine.CodeSGRulesMismatch, "sg-srv")
}
