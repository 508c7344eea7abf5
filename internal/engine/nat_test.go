package engine_test

// Scenario tests for the NAT gateway (§2 of aws-vpc-semantics.md).

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// natHop returns the NAT gateway's translate hop (the first one).
func natHop(t testing.TB, r *engine.Result) engine.Hop {
	t.Helper()
	for _, h := range hops(r, "nat") {
		if h.Action == engine.ActTranslate {
			return h
		}
	}
	t.Fatalf("no NAT translation:\n%s", describe(r))
	return engine.Hop{}
}

// §2.1.3: a private NAT gateway routed to an IGW: the IGW drops its traffic.
func TestNAT_PrivateNATViaIGWDropped_2_1_3(t *testing.T) {
	l := egress(t)
	g := l.topo.NATGateways[0]
	g.Connectivity, g.Addresses[0].PublicIP, g.Addresses[0].AllocationID = model.ConnectivityPrivate, netip.Addr{}, ""
	l.changed()
	r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	wantDroppedAt(t, r, engine.CodeIGWPublicIPEgress, "igw-lab")
	wantEq(t, "dropped with the NAT's private source", r.Packet.Src, addr("10.0.2.10"))
	wantEq(t, "the NAT translated first", natHop(t, r).Out().Src, addr("10.0.2.10"))
}

// §2.2.1, §2.2.2: SNAT to the NAT gateway's private IP; the IGW then maps it 1:1 to the EIP.
// The destination address and port are never changed.
func TestNAT_SNATToPrivateIPThenIGWMapsToEIP_2_2_1_2_2_2(t *testing.T) {
	l := egress(t)
	r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	wantPath(t, r, "i:send", "eni:send", "sg:allow", "acl:allow", "rtb:forward", "acl:allow", "nat:translate",
		"acl:allow", "rtb:forward", "igw:translate", "internet:exit")
	n := natHop(t, r)
	wantEq(t, "NAT output source", n.Out().Src, addr("10.0.2.10"))
	if n.Out().SrcPort < 1024 {
		t.Errorf("NAT source port %d below 1024", n.Out().SrcPort)
	}
	g := hop(t, r, "igw")
	wantEq(t, "IGW input source", g.In.Src, addr("10.0.2.10"))
	wantEq(t, "IGW output source (the EIP)", g.Out().Src, addr("203.0.113.10"))
	wantEq(t, "IGW keeps the NAT port", g.Out().SrcPort, n.Out().SrcPort)
	wantEq(t, "on the internet", r.Packet.Src, addr("203.0.113.10"))
	for i, h := range r.Hops { // §2.2.2: no DNAT anywhere on the way out
		if h.Out().Dst != addr("8.8.8.8") || h.Out().DstPort != 443 {
			t.Errorf("hop %d changed the destination: %v", i, h.Out())
		}
	}
	wantEq(t, "TTL: the NAT is a hop, the IGW is not (§2.3.5, §3.8)", r.Packet.TTL, uint8(254))
}

// §2.2.1: east-west through a public NAT gateway, the destination sees the private IP, not
// the EIP (blog a).
func TestNAT_EastWestShowsPrivateIP_2_2_1(t *testing.T) {
	l := eastWest(t, true)
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
	wantDelivered(t, r, "b")
	wantEq(t, "seen source", r.SeenSource(), addr("10.0.2.10"))
	wantEq(t, "destination preserved (§2.2.2)", r.Packet.Dst, addr("10.0.1.55"))
	wantEq(t, "destination port preserved (§2.2.2)", r.Packet.DstPort, uint16(80))
	if len(hops(r, "igw")) != 0 {
		t.Errorf("no IGW on an east-west path:\n%s", describe(r))
	}
}

// §2.2.1, §10b: a public NAT gateway forwarding to a VGW: on-premises sees its private IP.
func TestNAT_ToVGWShowsPrivateIP_2_2_1(t *testing.T) {
	l := egress(t)
	l.vgw()
	l.onPrem("dc", "192.168.0.0/16")
	l.table("public").Routes = append(l.table("public").Routes, route("192.168.0.0/16", "vgw-lab"))
	r := l.send("a", udp("10.0.0.11:40000", "192.168.1.10:53"))
	wantExited(t, r, "vgw-lab", "onprem")
	wantEq(t, "on-premises sees", r.Packet.Src, addr("10.0.2.10"))
	wantEq(t, "routes", routeUsed(t, r, 1), "192.168.0.0/16 -> vgw-lab")

	// The reply from on-premises is addressed to the NAT's private IP (a VPC ENI IP, §7.3.3),
	// and translated back (§2.2.5).
	back := l.send("vgw", replyTo(r))
	wantDelivered(t, back, "a")
	wantEq(t, "reply to", back.Packet.Dst, addr("10.0.0.11"))
	wantEq(t, "reply port", back.Packet.DstPort, uint16(40000))
}

// §2.2.3: source ports are remapped into 1024-65535, distinct per flow.
func TestNAT_PortsInEphemeralRangeAndDistinct_2_2_3(t *testing.T) {
	l := egress(t)
	l.instance("a2", "a", "10.0.0.12")
	seen := map[uint16]string{}
	for i := 0; i < 2000; i++ {
		src := fmt.Sprintf("10.0.0.11:%d", 1+i*31%65000) // includes ports below 1024
		from := "a"
		if i%2 == 1 {
			src, from = fmt.Sprintf("10.0.0.12:%d", 1+i*31%65000), "a2"
		}
		r := l.send(from, tcp(src, "8.8.8.8:443"))
		n := natHop(t, r)
		port := n.Out().SrcPort
		if port < 1024 {
			t.Fatalf("flow %s: NAT port %d outside 1024-65535", src, port)
		}
		if prev, dup := seen[port]; dup {
			t.Fatalf("flow %s: NAT port %d already used by %s", src, port, prev)
		}
		seen[port] = src
		// The same flow keeps its mapping.
		again := l.send(from, tcp(src, "8.8.8.8:443").flags(packet.TCPAck))
		wantEq(t, "mapping kept", natHop(t, again).Out().SrcPort, port)
	}
	// ICMP echo identifiers are remapped the same way.
	for id := uint16(0); id < 50; id++ {
		r := l.send("a", icmpEcho("10.0.0.11", "8.8.8.8", id, 1))
		if got := natHop(t, r).Out().ICMPID; got < 1024 {
			t.Fatalf("ICMP id %d mapped to %d", id, got)
		}
	}
}

// §2.2.4: 55,000 simultaneous connections per NAT address and unique destination; then the
// next address is used, and with every address full ErrorPortAllocation drops new flows.
func TestNAT_PortExhaustion_2_2_4(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 110,000 flows through the NAT gateway")
	}
	l := egress(t)
	g := l.topo.NATGateways[0]
	g.Addresses = append(g.Addresses, model.NATGatewayAddress{PrivateIP: addr("10.0.2.11"), PublicIP: addr("203.0.113.11"), AllocationID: "eipalloc-m2"})
	var ips []string
	for i := 0; i < 3; i++ {
		ip := fmt.Sprintf("10.0.0.%d", 21+i)
		ips = append(ips, ip)
		l.instance(fmt.Sprintf("c%d", i), "a", ip)
	}
	l.build()
	count := map[string]int{}
	n := 0
	for i := 0; n < 110000; i++ {
		inst, ip := i%3, ips[i%3]
		port := 1024 + i/3
		r := l.send(fmt.Sprintf("c%d", inst), tcp(fmt.Sprintf("%s:%d", ip, port), "8.8.8.8:443"))
		if r.Outcome != engine.Exited {
			t.Fatalf("flow %d dropped before the limit:\n%s", n, describe(r))
		}
		count[natHop(t, r).Out().Src.String()]++
		n++
	}
	wantEq(t, "flows on the primary address", count["10.0.2.10"], 55000)
	wantEq(t, "flows on the secondary address", count["10.0.2.11"], 55000)

	r := l.send("c0", tcp("10.0.0.21:65000", "8.8.8.8:443"))
	wantDroppedAt(t, r, engine.CodeNGWPortAllocation, "nat-m")
	// The limit is per destination (IP, port, protocol): other destinations still work.
	for _, dst := range []pkt{tcp("10.0.0.21:65000", "8.8.4.4:443"), tcp("10.0.0.21:65000", "8.8.8.8:80"), udp("10.0.0.21:65000", "8.8.8.8:443")} {
		wantExited(t, l.send("c0", dst), "igw-lab", "internet")
	}
	// Existing flows keep working.
	wantExited(t, l.send("c0", tcp("10.0.0.21:1024", "8.8.8.8:443").flags(packet.TCPAck)), "igw-lab", "internet")
}

// §2.2.5: replies are translated back to the original source address and port.
func TestNAT_RepliesTranslatedBack_2_2_5(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    pkt
	}{
		{"tcp", tcp("10.0.0.11:40000", "8.8.8.8:443")},
		{"udp", udp("10.0.0.11:40000", "8.8.8.8:53")},
		{"icmp", icmpEcho("10.0.0.11", "8.8.8.8", 4242, 3)},
	} {
		t.Run(tc.name+" via the internet", func(t *testing.T) {
			l := egress(t)
			out := l.send("a", tc.p)
			wantExited(t, out, "igw-lab", "internet")
			back := l.send("internet", replyTo(out))
			wantDelivered(t, back, "a")
			want := pkt(tc.p).reply()
			got := back.Packet
			if got.Src != want.Src || got.Dst != want.Dst || got.SrcPort != want.SrcPort || got.DstPort != want.DstPort || got.ICMPID != want.ICMPID {
				t.Fatalf("reply arrives as %v, want %v\n%s", got, packet.Packet(want), describe(back))
			}
			wantEq(t, "reply TTL (one NAT hop)", got.TTL, uint8(254))
			wantPath(t, back, "internet:send", "igw:translate", "acl:allow:inbound", "nat:translate", "acl:allow:outbound",
				"rtb:forward", "acl:allow:inbound", "eni:receive", "sg:allow:ingress", "i:deliver")
		})
		t.Run(tc.name+" east-west", func(t *testing.T) {
			l := eastWest(t, false)
			p := tc.p
			p.Dst = addr("10.0.1.55")
			out := l.send("a", p)
			wantDelivered(t, out, "b")
			back := l.send("b", replyTo(out))
			wantDelivered(t, back, "a")
			wantEq(t, "reply to", back.Packet.Dst, p.Src)
			wantEq(t, "reply port", back.Packet.DstPort, p.SrcPort)
			wantEq(t, "reply id", back.Packet.ICMPID, p.ICMPID)
			wantEq(t, "reply from", back.Packet.Src, addr("10.0.1.55"))
		})
	}
}

// §2.2.6: only TCP, UDP and ICMP (echo) pass a NAT gateway.
func TestNAT_OtherProtocolsDropped_2_2_6(t *testing.T) {
	l := egress(t)
	for _, p := range []pkt{
		rawProto(50, "10.0.0.11", "8.8.8.8"),  // ESP
		rawProto(47, "10.0.0.11", "8.8.8.8"),  // GRE
		rawProto(132, "10.0.0.11", "8.8.8.8"), // SCTP
		{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: packet.ProtoICMP, TTL: 64, ICMPType: 13}, // timestamp
	} {
		r := l.send("a", p)
		wantDroppedAt(t, r, engine.CodeNGWUnsupportedProtocol, "nat-m")
	}
	for _, p := range []pkt{tcp("10.0.0.11:1", "8.8.8.8:2"), udp("10.0.0.11:1", "8.8.8.8:2"), icmpEcho("10.0.0.11", "8.8.8.8", 1, 1)} {
		wantExited(t, l.send("a", p), "igw-lab", "internet")
	}
}

// §2.2.7: TCP and ICMP fragments are dropped; UDP fragments are forwarded.
func TestNAT_Fragments_2_2_7(t *testing.T) {
	l := egress(t)
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443").fragment(0)), engine.CodeNGWFragment, "nat-m")
	wantDroppedAt(t, l.send("a", icmpEcho("10.0.0.11", "8.8.8.8", 9, 1).fragment(0)), engine.CodeNGWFragment, "nat-m") // ping -s 10000
	wantDroppedAt(t, l.send("a", icmpEcho("10.0.0.11", "8.8.8.8", 9, 1).fragment(185)), engine.CodeNGWFragment, "nat-m")
	r := l.send("a", udp("10.0.0.11:40000", "8.8.8.8:4500").fragment(0))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "UDP fragment translated", r.Packet.Src, addr("203.0.113.10"))
	if !r.Packet.MF {
		t.Errorf("fragment flag lost: %v", r.Packet)
	}
}

// §2.2.8: after 350 s idle the NAT gateway answers the flow's next packets with a TCP RST
// (not a FIN) and forwards nothing.
func TestNAT_IdleTimeoutRST_2_2_8(t *testing.T) {
	l := egress(t)
	syn := tcp("10.0.0.11:40000", "8.8.8.8:443")
	r := l.send("a", syn)
	port := natHop(t, r).Out().SrcPort
	ack := syn.flags(packet.TCPAck | packet.TCPPsh)

	l.advance(349 * time.Second)
	r = l.send("a", ack)
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "mapping kept under 350 s", natHop(t, r).Out().SrcPort, port)

	l.advance(351 * time.Second)
	for i := 0; i < 2; i++ { // "any further packet" on the flow gets a RST
		ack.Seq = 5000 + uint32(i)
		r = l.send("a", ack)
		wantDroppedAt(t, r, engine.CodeNGWIdleTimeoutRST, "nat-m")
		g := r.Generated
		if g == nil {
			t.Fatalf("packet %d after the idle timeout: no RST generated:\n%s", i, describe(r))
		}
		wantDelivered(t, g, "a")
		rst := g.Packet
		wantEq(t, "RST flags", rst.TCPFlags&(packet.TCPRst|packet.TCPFin), packet.TCPRst)
		wantEq(t, "RST source", rst.Src, addr("8.8.8.8"))
		wantEq(t, "RST source port", rst.SrcPort, uint16(443))
		wantEq(t, "RST destination", rst.Dst, addr("10.0.0.11"))
		wantEq(t, "RST destination port", rst.DstPort, uint16(40000))
		wantEq(t, "RST ack", rst.Ack, ack.Seq)
	}

	// A reply to the expired mapping is not translated.
	stale := tcp("8.8.8.8:443", fmt.Sprintf("203.0.113.10:%d", port)).flags(packet.TCPAck)
	wantDroppedAt(t, l.send("internet", stale), engine.CodeNGWNoSession, "nat-m")
	// A new SYN on the same 5-tuple opens a new connection.
	wantExited(t, l.send("a", syn), "igw-lab", "internet")
}

// §2.2.8 [UNCERTAIN]: whether UDP and ICMP mappings also expire after 350 s is undocumented;
// vpclab's default applies the 350 s to every protocol: the old mapping is gone (a late reply
// is unsolicited) and the next packet gets a new mapping, without any RST.
func TestNAT_IdleTimeoutUDPAndICMPDefault_2_2_8(t *testing.T) {
	for _, p := range []pkt{udp("10.0.0.11:40000", "8.8.8.8:53"), icmpEcho("10.0.0.11", "8.8.8.8", 77, 1)} {
		l := egress(t)
		// a admits everything, so only the NAT gateway's timeout is measured (conntrack of UDP
		// and ICMP at a lasts 30 s).
		l.eni("a").SecurityGroups = []model.SecurityGroupID{"sg-open"}
		l.sg("open").in("all", -1, -1, "0.0.0.0/0")
		out := l.send("a", p)
		wantExited(t, out, "igw-lab", "internet")
		l.advance(349 * time.Second)
		wantDelivered(t, l.send("internet", replyTo(out)), "a")
		l.advance(351 * time.Second)
		wantDroppedAt(t, l.send("internet", replyTo(out)), engine.CodeNGWNoSession, "nat-m")
		again := l.send("a", p)
		wantExited(t, again, "igw-lab", "internet")
		if again.Generated != nil {
			t.Errorf("no RST or error for %v:\n%s", packet.Packet(p), describe(again))
		}
	}
}

// §2.3.1: unsolicited inbound packets to the NAT gateway's EIP or private IP are dropped.
func TestNAT_UnsolicitedInboundDropped_2_3_1(t *testing.T) {
	l := egress(t)
	l.vgw()
	l.onPrem("dc", "192.168.0.0/16")
	r := l.send("internet", tcp("8.8.8.8:40000", "203.0.113.10:22"))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
	wantEq(t, "IGW mapped the EIP first", hop(t, r, "igw").Out().Dst, addr("10.0.2.10"))
	r = l.send("vgw", tcp("192.168.1.10:40000", "10.0.2.10:22"))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
	// A port that is mapped, but for another remote, is not a session either.
	out := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	port := natHop(t, out).Out().SrcPort
	r = l.send("internet", tcp("1.1.1.1:443", fmt.Sprintf("203.0.113.10:%d", port)).flags(packet.TCPAck))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
	r = l.send("internet", tcp("8.8.8.8:444", fmt.Sprintf("203.0.113.10:%d", port)).flags(packet.TCPAck))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
}

// §2.3.1: an ICMP echo session is answered only by echo replies: an echo *request* from the
// remote that reuses the mapped identifier is unsolicited and dropped at the NAT gateway, even
// when the inside host's group would admit it.
func TestNAT_UnsolicitedEchoRequestOnMappedID_2_3_1(t *testing.T) {
	l := egress(t)
	l.eni("a").SecurityGroups = []model.SecurityGroupID{"sg-pingable"}
	l.sg("pingable").in("icmp", -1, -1, "0.0.0.0/0")
	out := l.send("a", icmpEcho("10.0.0.11", "8.8.8.8", 4242, 1))
	wantExited(t, out, "igw-lab", "internet")
	id := out.Packet.ICMPID
	r := l.send("internet", icmpEcho("8.8.8.8", "203.0.113.10", id, 1))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
	wantDelivered(t, l.send("internet", icmpEchoReply("8.8.8.8", "203.0.113.10", id, 1)), "a")
}

// §2.3.2: ping to the NAT gateway itself gets no reply, from the internet or from inside.
func TestNAT_PingToNATGetsNothing_2_3_2(t *testing.T) {
	l := egress(t)
	r := l.send("internet", icmpEcho("8.8.8.8", "203.0.113.10", 1, 1))
	wantDroppedAt(t, r, engine.CodeNGWNoSession, "nat-m")
	if r.Generated != nil {
		t.Errorf("the NAT gateway answered:\n%s", describe(r))
	}
	r = l.send("a", icmpEcho("10.0.0.11", "10.0.2.10", 1, 1))
	wantDroppedAt(t, r, engine.CodeNGWAddressedToSelf, "nat-m")
	if r.Generated != nil {
		t.Errorf("the NAT gateway answered:\n%s", describe(r))
	}
	// Its ENI sends nothing of its own either.
	r = l.send(string(l.topo.NATGateways[0].Addresses[0].ENI), icmpEchoReply("10.0.2.10", "10.0.0.11", 1, 1))
	wantDropped(t, r, engine.CodeUnsupportedComponent, "eni")
}

// §2.3.3, §7.3.7: traffic from beyond a VGW reaching the NAT gateway (here through an
// appliance whose subnet routes to it) is neither translated nor forwarded.
func TestNAT_FromVGWNotTranslated_2_3_3(t *testing.T) {
	l := eastWest(t, false)
	l.subnet("f", "10.0.3.0/24")
	l.sg("fw").in("all", -1, -1, "0.0.0.0/0")
	l.instance("fw", "f", "10.0.3.20", "fw")
	l.appliance("fw")
	l.vgw()
	l.onPrem("dc", "192.168.0.0/16")
	l.rt("edge", route("10.0.1.0/24", "eni-fw"))
	l.table("edge").Gateways = []string{string(vgwID)}
	l.rt("f", route("10.0.1.0/24", "nat-m"))
	l.assoc("f", "f")

	r := l.send("vgw", tcp("192.168.1.10:40000", "10.0.1.55:80"))
	wantDroppedAt(t, r, engine.CodeNGWRequiresSourceInVPC, "nat-m")
	if len(hops(r, "i")) == 0 {
		t.Fatalf("should have passed the appliance first:\n%s", describe(r))
	}
	// The same route from inside the VPC is translated.
	l.instance("f2", "f", "10.0.3.21")
	wantDelivered(t, l.send("f2", tcp("10.0.3.21:40000", "10.0.1.55:80")), "b")
}

// §2.3.5: the NAT gateway is a routed hop: TTL-1, and on expiry an ICMP time exceeded from
// its private IP, delivered to the source with the quoted header.
func TestNAT_TTLAndTimeExceeded_2_3_5(t *testing.T) {
	l := eastWest(t, true)
	for ttl := uint8(2); ttl <= 3; ttl++ {
		r := l.send("a", udp("10.0.0.11:40000", "10.0.1.55:33434").ttl(ttl))
		wantDelivered(t, r, "b")
		wantEq(t, "TTL after the NAT", r.Packet.TTL, ttl-1)
	}
	p := udp("10.0.0.11:40001", "10.0.1.55:33435").ttl(1)
	r := l.send("a", p)
	wantDroppedAt(t, r, engine.CodeTTLExceeded, "nat-m")
	g := r.Generated
	if g == nil {
		t.Fatalf("no time exceeded:\n%s", describe(r))
	}
	wantDelivered(t, g, "a")
	te := g.Packet
	wantEq(t, "type", te.ICMPType, packet.ICMPTimeExceeded)
	wantEq(t, "code", te.ICMPCode, packet.ICMPCodeTTLInTransit)
	wantEq(t, "from the NAT's private IP (not the EIP)", te.Src, addr("10.0.2.10"))
	wantEq(t, "to the source", te.Dst, addr("10.0.0.11"))
	if te.Inner == nil {
		t.Fatalf("no quoted header: %v", te)
	}
	q := *te.Inner
	if q.Src != p.Src || q.Dst != p.Dst || q.SrcPort != p.SrcPort || q.DstPort != p.DstPort || q.Proto != packet.ProtoUDP {
		t.Errorf("quoted header %v, want the packet as sent %v", q, packet.Packet(p))
	}
	if hops(g, "sg")[0].Note == "" {
		t.Errorf("the time exceeded should pass a's SG as related to the flow (a has no inbound rule):\n%s", describe(g))
	}
}

// §2.3.5: an ICMP error from the destination (port unreachable) is translated back to the
// inside host, including the quoted inner header (source address and port restored).
func TestNAT_ICMPErrorTranslatedBack_2_3_5(t *testing.T) {
	for _, public := range []bool{false, true} {
		l := eastWest(t, public)
		p := udp("10.0.0.11:40000", "10.0.1.55:33434")
		r := l.send("a", p)
		wantDelivered(t, r, "b")
		natPort := r.Packet.SrcPort
		unreach := icmpError("10.0.1.55", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, r.Packet)
		wantEq(t, "error addressed to the NAT", unreach.Dst, addr("10.0.2.10"))
		back := l.send("b", unreach)
		wantDelivered(t, back, "a")
		e := back.Packet
		wantEq(t, "outer source (the destination)", e.Src, addr("10.0.1.55"))
		wantEq(t, "outer destination", e.Dst, addr("10.0.0.11"))
		wantEq(t, "type", e.ICMPType, packet.ICMPDestUnreachable)
		wantEq(t, "code", e.ICMPCode, packet.ICMPCodePortUnreachable)
		if e.Inner == nil {
			t.Fatalf("no quoted header:\n%s", describe(back))
		}
		wantEq(t, "inner source restored", e.Inner.Src, addr("10.0.0.11"))
		wantEq(t, "inner source port restored", e.Inner.SrcPort, uint16(40000))
		wantEq(t, "inner destination", e.Inner.Dst, addr("10.0.1.55"))
		wantEq(t, "inner destination port", e.Inner.DstPort, uint16(33434))
		if natPort == 40000 && public {
			t.Logf("NAT kept the source port by chance")
		}
		wantEq(t, "NAT hop translated", natHop(t, back).In.Inner.SrcPort, natPort)
	}
}

// §2.3.6 [UNCERTAIN]: hairpinning (inside host → the NAT gateway's own EIP) is unsupported in
// vpclab's default and dropped at the IGW.
func TestNAT_HairpinUnsupportedDefault_2_3_6(t *testing.T) {
	l := egress(t)
	r := l.send("a", tcp("10.0.0.11:40000", "203.0.113.10:443"))
	wantDroppedAt(t, r, engine.CodeNGWHairpin, "igw-lab")
}

// §2.3.7, §4.1.6: security-group identity is not carried through a NAT gateway: a rule that
// references the source's group does not match (SG_REFERENCES_NOT_PRESERVED); a rule for the
// source's CIDR does not match either; the NAT's subnet CIDR does.
func TestNAT_SGReferencesNotPreserved_2_3_7(t *testing.T) {
	build := func(t *testing.T, peer string) *lab {
		l := eastWest(t, true)
		l.group("b").noIngress().in("tcp", 80, 80, peer)
		return l
	}
	t.Run("direct: the reference matches", func(t *testing.T) {
		l := build(t, "sg-a")
		l.table("a").Routes = nil // local only: a reaches b directly
		l.changed()
		wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80")), "b")
	})
	t.Run("through the NAT: reference not preserved", func(t *testing.T) {
		l := build(t, "sg-a")
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDroppedAt(t, r, engine.CodeSGReferencesNotKept, "sg-b")
	})
	t.Run("through the NAT: the source's CIDR does not match", func(t *testing.T) {
		l := build(t, "10.0.0.0/24")
		wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80")), engine.CodeSGRulesMismatch, "sg-b")
	})
	t.Run("through the NAT: the NAT subnet's CIDR matches", func(t *testing.T) {
		l := build(t, "10.0.2.0/24")
		wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80")), "b")
	})
	t.Run("default SG does not admit NAT traffic", func(t *testing.T) {
		l := eastWest(t, false)
		l.eni("a").SecurityGroups, l.eni("b").SecurityGroups = nil, nil // both get the default SG
		l.changed()
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDropped(t, r, engine.CodeSGReferencesNotKept, "sg")
		wantEq(t, "group", r.At.Name, "default")
	})
}

// §2.3.8, §5.10: the NACL of the NAT gateway's subnet applies to traffic entering and leaving
// it, both ways; the destination's NACL must allow replies to the NAT's ports 1024-65535.
func TestNAT_SubnetNACLInAndOut_2_3_8(t *testing.T) {
	t.Run("NAT subnet NACL denies inbound from the source", func(t *testing.T) {
		l := eastWest(t, false)
		l.acl("m", "m").denyIn(50, "all", "10.0.0.0/24").allowAll()
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDroppedAt(t, r, engine.CodeSubnetACL, "acl-m")
		wantEq(t, "rule", lastHop(t, r).ACLRule.RuleNumber, 50)
		wantEq(t, "direction", lastHop(t, r).Direction, engine.Inbound)
	})
	t.Run("NAT subnet NACL denies outbound to the destination", func(t *testing.T) {
		l := eastWest(t, false)
		l.acl("m", "m").denyOut(50, "all", "10.0.1.0/24").allowAll()
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDroppedAt(t, r, engine.CodeSubnetACL, "acl-m")
		wantEq(t, "rule", lastHop(t, r).ACLRule.RuleNumber, 50)
		wantEq(t, "direction", lastHop(t, r).Direction, engine.Outbound)
		wantEq(t, "already translated", r.Packet.Src, addr("10.0.2.10"))
	})
	t.Run("replies need the NAT's ephemeral ports open in the destination's NACL", func(t *testing.T) {
		l := eastWest(t, false)
		acl := l.acl("b", "b").allowIn(100, "all", "0.0.0.0/0")
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDelivered(t, r, "b")
		natPort := int(r.Packet.SrcPort)
		// Outbound allows everything but the NAT's port: the reply is denied by b's NACL.
		if natPort > 1024 {
			acl.allowOut(100, "tcp", "10.0.2.0/24", 1024, natPort-1)
		}
		if natPort < 65535 {
			acl.allowOut(110, "tcp", "10.0.2.0/24", natPort+1, 65535)
		}
		back := l.send("b", replyTo(r))
		wantDroppedAt(t, back, engine.CodeSubnetACL, "acl-b")
		wantEq(t, "the * rule", lastHop(t, back).ACLRule.RuleNumber, 32767)
		// 1024-65535 towards the NAT subnet, as AWS recommends: the reply goes through, and
		// passes the NAT subnet's NACL inbound and outbound again.
		acl.allowOut(120, "tcp", "10.0.2.0/24", 1024, 65535)
		back = l.send("b", replyTo(r))
		wantDelivered(t, back, "a")
		wantPath(t, back, "i:send", "eni:send", "sg:allow:egress", "acl:allow:outbound", "rtb:forward",
			"acl:allow:inbound", "nat:translate", "acl:allow:outbound", "rtb:forward", "acl:allow:inbound",
			"eni:receive", "sg:allow:ingress", "i:deliver")
	})
	t.Run("NAT subnet NACL blocks the reply on the way back", func(t *testing.T) {
		l := eastWest(t, false)
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDelivered(t, r, "b")
		l.acl("m", "m").denyOut(50, "all", "10.0.0.0/24").allowAll() // NACLs apply at once (§4.2.3)
		back := l.send("b", replyTo(r))
		wantDroppedAt(t, back, engine.CodeSubnetACL, "acl-m")
		wantEq(t, "translated back before leaving the NAT subnet", back.Packet.Dst, addr("10.0.0.11"))
	})
}
