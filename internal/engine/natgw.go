package engine

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cNAT is a NAT gateway (§2): a route target in its own subnet, and the owner of the network
// interfaces that hold its private IPs.
type cNAT struct {
	m       *model.NATGateway
	subnet  *cSubnet
	primary netip.Addr
	addrs   []netip.Addr // primary first
	comp    Component
}

func (n *cNAT) has(a netip.Addr) bool {
	for _, ad := range n.m.Addresses {
		if ad.PrivateIP == a {
			return true
		}
	}
	return false
}

func (n *Network) compileNATs(t *model.Topology) {
	for _, ng := range t.NATGateways {
		cn := &cNAT{m: ng, subnet: n.subnets[ng.Subnet], comp: comp(KindNATGateway, string(ng.ID), ng.Name)}
		if len(ng.Addresses) > 0 {
			cn.primary = ng.Addresses[0].PrivateIP
			for _, a := range ng.Addresses {
				if a.Primary {
					cn.primary = a.PrivateIP
					break
				}
			}
		}
		n.nats[ng.ID] = cn
		v := n.vpcs[ng.VPC]
		for _, a := range ng.Addresses {
			e := n.enis[a.ENI]
			if e == nil && v != nil {
				e = v.byIP[a.PrivateIP]
			}
			if e != nil {
				e.nat = cn
			}
			if a.PublicIP.IsValid() && e != nil && v != nil {
				n.public[a.PublicIP] = publicMapping{eni: e, private: a.PrivateIP, vpc: v}
				v.pub[a.PrivateIP] = a.PublicIP
			}
			if a.PrivateIP == cn.primary {
				cn.addrs = append([]netip.Addr{a.PrivateIP}, cn.addrs...)
			} else {
				cn.addrs = append(cn.addrs, a.PrivateIP)
			}
		}
	}
}

// resolveNATGateway: a route to a NAT gateway that exists, has a subnet and is available.
func resolveNATGateway(n *Network, _ *cVPC, id string) node {
	ng := n.nats[model.NATGatewayID(id)]
	if ng == nil || ng.subnet == nil || (ng.m.State != "" && ng.m.State != "available") {
		return &dropNode{code: CodeBadState, comp: comp(KindNATGateway, id, ""), detail: fmt.Sprintf("NAT gateway %s is not available", id)}
	}
	return ng
}

// receive: a packet routed to the NAT gateway enters its subnet (§0 step 7) and is processed.
func (ng *cNAT) receive(e *ev, a arrival, p packet.Packet) {
	if e.enterSubnet(ng.subnet, a, p) {
		ng.process(e, a, p)
	}
}

// process: a packet reaches a NAT gateway (§2), either routed to it as a target or addressed
// to one of its private IPs.
func (ng *cNAT) process(e *ev, a arrival, p packet.Packet) {
	if ng.has(p.Dst) {
		e.natInbound(ng, a, p)
		return
	}
	e.natOutbound(ng, a, p)
}

// natOutbound translates a flow started inside the VPC (§2.2) and forwards it with the NAT
// gateway's own subnet's route table (§2.3.4).
func (e *ev) natOutbound(ng *cNAT, a arrival, p packet.Packet) {
	c := ng.comp
	switch {
	case a.origin.outside():
		// §2.3.3: traffic from beyond a VGW (VPN, Direct Connect) or peering is not translated.
		e.fatal(CodeNGWRequiresSourceInVPC, c, p, "a NAT gateway translates only traffic that starts inside its VPC (§2.3.3)")
		return
	case p.Proto != packet.ProtoTCP && p.Proto != packet.ProtoUDP && p.Proto != packet.ProtoICMP:
		e.fatal(CodeNGWUnsupportedProtocol, c, p, fmt.Sprintf("a NAT gateway passes only TCP, UDP and ICMP, not protocol %d (§2.2.6)", p.Proto))
		return
	case p.Proto == packet.ProtoICMP && p.ICMPType != packet.ICMPEchoRequest:
		e.fatal(CodeNGWUnsupportedProtocol, c, p, fmt.Sprintf("ICMP type %d starts no NAT session: only echo requests do (§2.2.6)", p.ICMPType))
		return
	case p.IsFragment() && p.Proto != packet.ProtoUDP:
		e.fatal(CodeNGWFragment, c, p, fmt.Sprintf("a NAT gateway drops %s fragments; only UDP fragments pass (§2.2.7)", packet.ProtoName(p.Proto)))
		return
	case slices.Contains(e.natSeen, ng):
		e.fatal(CodeRoutingLoop, c, p, fmt.Sprintf("the packet came back to %s after its translation: the route table of its subnet sends the traffic back to it (§1.2.5)", c))
		return
	}
	// §2.3.5: the NAT gateway is a routed hop; it answers expiry from its private IP.
	if p.TTL <= 1 {
		e.fatal(CodeTTLExceeded, c, p, fmt.Sprintf("TTL expired at %s, which answers with ICMP time exceeded from %s (§2.3.5)", c, ng.primary))
		e.timeExceeded(ng.primary, p, func(sub *ev, icmp packet.Packet) { ng.originate(sub, icmp) })
		return
	}
	k := natKey{nat: ng.m.ID, proto: p.Proto, src: p.Src, dst: p.Dst}
	k.sport, k.dport = natPorts(&p)
	m, expired := e.st.natLookup(k)
	if m == nil && expired && p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPSyn == 0 {
		// §2.2.8: after 350 s idle the gateway answers the flow's next packet with a RST.
		e.fatal(CodeNGWIdleTimeoutRST, c, p, "the connection was idle for more than 350 s; the NAT gateway answers with a TCP RST (§2.2.8)")
		rst := packet.Packet{Src: p.Dst, Dst: p.Src, Proto: packet.ProtoTCP, TTL: 255, SrcPort: p.DstPort, DstPort: p.SrcPort,
			TCPFlags: packet.TCPRst | packet.TCPAck, Ack: p.Seq}
		e.generate(rst, func(sub *ev, g packet.Packet) { ng.originate(sub, g) })
		return
	}
	if m == nil {
		if m = e.st.natAllocate(k, ng.addrs); m == nil {
			e.fatal(CodeNGWPortAllocation, c, p, "every address of the NAT gateway has 55,000 connections to this destination (ErrorPortAllocation, §2.2.4)")
			return
		}
	}
	out := p
	out.Src = m.natIP
	setSrcPort(&out, m.natPort)
	out.TTL--
	if e.recording() {
		var b1, b2 [32]byte
		e.hopOut(Hop{Component: c, Action: ActTranslate, In: p, Middlebox: true, Translated: true,
			Note: translationNote("source ", appendEndpoint(b1[:0], &p, true), " becomes ", appendEndpoint(b2[:0], &out, true), " (§2.2.1, §2.2.3); TTL-1 (§2.3.5)")}, out)
	}
	e.natSeen = append(e.natSeen, ng)
	e.forward(ng.subnet, a.translated(p.Src), out)
}

// natInbound handles a packet addressed to the NAT gateway: a reply of a translated flow, or an
// ICMP error quoting one, is translated back (§2.2.5, §2.3.5); anything else is dropped (§2.3.1,
// §2.3.2).
func (e *ev) natInbound(ng *cNAT, a arrival, p packet.Packet) {
	c := ng.comp
	if p.IsFragment() && p.Proto != packet.ProtoUDP {
		// §2.2.7, both ways: an answer that arrives in fragments (one larger than the internet's
		// MTU, say) is not reassembled either.
		e.fatal(CodeNGWFragment, c, p, fmt.Sprintf("a NAT gateway drops %s fragments; only UDP fragments pass (§2.2.7)", packet.ProtoName(p.Proto)))
		return
	}
	var m *natEntry
	out := p
	if p.IsICMPError() && p.Inner != nil {
		in := *p.Inner
		rk := natRevKey{nat: ng.m.ID, proto: in.Proto, natIP: in.Src, remote: in.Dst}
		rk.natPort, rk.rport = natPorts(&in)
		if m = e.st.natReverse(rk); m != nil {
			in.Src = m.inside.src
			setSrcPort(&in, m.inside.sport)
			out.Inner = &in
			out.Dst = m.inside.src
		}
	} else if p.Proto != packet.ProtoICMP || p.ICMPType == packet.ICMPEchoReply {
		// Only an echo reply answers an ICMP session; an echo request on a mapped identifier is
		// unsolicited (§2.3.1).
		rk := natRevKey{nat: ng.m.ID, proto: p.Proto, natIP: p.Dst, remote: p.Src}
		rp, np := natPorts(&p) // reply: source port is the remote's, destination the NAT's
		rk.natPort, rk.rport = np, rp
		if p.Proto == packet.ProtoICMP {
			rk.natPort, rk.rport = p.ICMPID, 0
		}
		if m = e.st.natReverse(rk); m != nil {
			out.Dst = m.inside.src
			setDstPort(&out, m.inside.sport)
		}
	}
	if m == nil {
		code, why := CodeNGWAddressedToSelf, "a NAT gateway answers nothing addressed to itself (§2.3.2)"
		if a.origin.outside() || !ng.inVPC(p.Src) {
			code, why = CodeNGWNoSession, "no session started from inside matches: a NAT gateway drops unsolicited inbound traffic (§2.3.1)"
		}
		e.fatal(code, c, p, why)
		return
	}
	if p.TTL <= 1 {
		e.fatal(CodeTTLExceeded, c, p, fmt.Sprintf("TTL expired at %s", c))
		return
	}
	out.TTL--
	if e.recording() {
		var b1, b2 [32]byte
		e.hopOut(Hop{Component: c, Action: ActTranslate, In: p, Middlebox: true, Translated: true,
			Note: translationNote("reply: destination ", appendEndpoint(b1[:0], &p, false), " becomes ", appendEndpoint(b2[:0], &out, false), " (§2.2.5)")}, out)
	}
	// The reply goes on from the NAT gateway, inside its VPC; its source is untouched.
	a.origin = OriginInside
	e.forward(ng.subnet, a, out)
}

// originate sends a packet the NAT gateway itself makes (time exceeded, RST) out of its
// subnet: it has no security groups (§2.1.4).
func (ng *cNAT) originate(e *ev, p packet.Packet) {
	e.pass(ng.comp, ActSend, p, "")
	e.forward(ng.subnet, arrival{origin: OriginInside}, p)
}

// inVPC reports whether an address lies in the NAT gateway's VPC.
func (ng *cNAT) inVPC(a netip.Addr) bool {
	return ng.subnet != nil && ng.subnet.vpc != nil && ng.subnet.vpc.contains(a)
}

// natPorts is the (source, destination) port pair a NAT mapping keys on: TCP/UDP ports, or the
// ICMP echo identifier and 0.
func natPorts(p *packet.Packet) (uint16, uint16) {
	if p.Proto == packet.ProtoICMP {
		return p.ICMPID, 0
	}
	return p.SrcPort, p.DstPort
}

func setSrcPort(p *packet.Packet, port uint16) {
	if p.Proto == packet.ProtoICMP {
		p.ICMPID = port
		return
	}
	p.SrcPort = port
}

func setDstPort(p *packet.Packet, port uint16) {
	if p.Proto == packet.ProtoICMP {
		p.ICMPID = port
		return
	}
	p.DstPort = port
}

// appendEndpoint appends the source (or destination) address with its port or ICMP
// identifier.
func appendEndpoint(b []byte, p *packet.Packet, src bool) []byte {
	a, port := p.Dst, p.DstPort
	if src {
		a, port = p.Src, p.SrcPort
	}
	b = appendAddr(b, a)
	switch {
	case p.HasPorts():
		b = strconv.AppendUint(append(b, ':'), uint64(port), 10)
	case p.Proto == packet.ProtoICMP && !p.IsICMPError():
		b = strconv.AppendUint(append(b, " id "...), uint64(p.ICMPID), 10)
	}
	return b
}

// appendAddr appends an address as its String reads.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, a.String()...)
	}
	return a.AppendTo(b)
}

// translationNote is the note of a hop that rewrote the packet: what changed, its old value,
// how, its new value, and why. Every translated packet records one, so it is made with one
// allocation, the note's: fmt.Sprintf boxes its operands and makes a string of each address
// (issue 12). Callers append old and new to buffers on their stack.
func translationNote(what string, old []byte, how string, new []byte, why string) string {
	var b strings.Builder
	b.Grow(len(what) + len(old) + len(how) + len(new) + len(why))
	b.WriteString(what)
	b.Write(old)
	b.WriteString(how)
	b.Write(new)
	b.WriteString(why)
	return b.String()
}
