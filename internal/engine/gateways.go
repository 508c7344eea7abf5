package engine

import (
	"fmt"
	"net/netip"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

var (
	rfc1918 = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}
	rfc6598 = netip.MustParsePrefix("100.64.0.0/10")
)

func isRFC1918(a netip.Addr) bool {
	for _, p := range rfc1918 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var internetComp = comp(KindInternet, "internet", "")

func (n *Network) igwComp(g *model.InternetGateway) Component {
	return comp(KindInternetGateway, string(g.ID), g.Name)
}

// internetGatewayOut: a packet routed to an IGW leaves for the internet after the 1:1 NAT of
// its private source to the public IP mapped to it (§3.1, §3.3).
func (e *ev) internetGatewayOut(vpc *cVPC, id model.InternetGatewayID, p packet.Packet) {
	g := e.n.igws[id]
	if g == nil || vpc == nil || g.VPC != vpc.m.ID {
		e.fatal(CodeBadStateAttachment, comp(KindInternetGateway, string(id), ""), p,
			fmt.Sprintf("internet gateway %s is not attached to this VPC: the route is a blackhole", id))
		return
	}
	c := e.n.igwComp(g)
	switch {
	case isRFC1918(p.Dst):
		e.fatal(CodeIGWDstRFC1918Egress, c, p, fmt.Sprintf("an internet gateway does not forward to the private address %s (§3.3)", p.Dst))
		return
	case rfc6598.Contains(p.Dst):
		e.fatal(CodeIGWDstRFC6598Egress, c, p, fmt.Sprintf("an internet gateway does not forward to the shared address %s (§3.3)", p.Dst))
		return
	}
	if vpc.byIP[p.Src] == nil {
		e.fatal(CodeSpoofed, c, p, fmt.Sprintf("source %s is not a private IP of any network interface in %s (§3.3)", p.Src, vpc.m.ID))
		return
	}
	pub, ok := vpc.pub[p.Src]
	if !ok {
		why := fmt.Sprintf("source %s has no public IP or Elastic IP, so the internet gateway drops it (§3.2, §3.3)", p.Src)
		if eni := vpc.byIP[p.Src]; eni.nat != nil && eni.nat.m.Connectivity == model.ConnectivityPrivate {
			why = fmt.Sprintf("source %s is private NAT gateway %s, which has no Elastic IP: the internet gateway drops its traffic (§2.1.3)", p.Src, eni.nat.comp)
		}
		e.fatal(CodeIGWPublicIPEgress, c, p, why)
		return
	}
	if _, ours := e.n.public[p.Dst]; ours {
		// §3.5, §2.3.6 [UNCERTAIN]: NAT reflection / hairpinning through the IGW; default: drop.
		e.fatal(CodeNGWHairpin, c, p, fmt.Sprintf("%s is a public IP of this topology: hairpinning through the internet gateway is not supported (vpclab's default for an [UNCERTAIN] behaviour, §3.5)", p.Dst))
		return
	}
	out := p
	out.Src = pub
	// An ICMP error quotes the packet it is about, whose destination was this private IP.
	if p.IsICMPError() && p.Inner != nil && p.Inner.Dst == p.Src {
		in := *p.Inner
		in.Dst = pub
		out.Inner = &in
	}
	e.hop(Hop{Component: c, Action: "translate", In: p, Out: out,
		Note: fmt.Sprintf("source %s becomes its public IP %s (§3.1)", p.Src, pub)})
	e.exit(c, internetComp, out)
}

// fromInternet: a packet from a host on the internet towards a public IP. The IGW maps the
// destination to the private IP (§3.4) and the packet is delivered with the local route, or
// by the IGW's gateway route table when it has one (§1.3).
func (e *ev) fromInternet(p packet.Packet) {
	e.pass(internetComp, "send", p, "")
	m, ok := e.n.public[p.Dst]
	if !ok {
		e.fatal(CodeNotInTopology, internetComp, p,
			fmt.Sprintf("no network interface in the topology has the public IP %s: the packet reaches none of its VPCs", p.Dst))
		return
	}
	vpc := m.eni.subnet.vpc
	if vpc.igw == nil {
		e.fatal(CodeBadStateAttachment, vpc.comp, p, fmt.Sprintf("%s has no internet gateway attached", vpc.m.ID))
		return
	}
	c := e.n.igwComp(vpc.igw)
	switch {
	case isRFC1918(p.Src):
		e.fatal(CodeIGWSrcRFC1918Ingress, c, p, fmt.Sprintf("an internet gateway rejects the private source %s (§3.4)", p.Src))
		return
	case rfc6598.Contains(p.Src):
		e.fatal(CodeIGWSrcRFC6598Ingress, c, p, fmt.Sprintf("an internet gateway rejects the shared-space source %s (§3.4)", p.Src))
		return
	}
	out := p
	out.Dst = m.private
	// An ICMP error from the internet quotes the packet as it left the IGW, with the public
	// source: map the quote back too, so a NAT gateway behind can match it (§2.3.5).
	if p.IsICMPError() && p.Inner != nil && p.Inner.Src == p.Dst {
		in := *p.Inner
		in.Src = m.private
		out.Inner = &in
	}
	e.hop(Hop{Component: c, Action: "translate", In: p, Out: out,
		Note: fmt.Sprintf("destination %s becomes the private IP %s (§3.4)", p.Dst, m.private)})
	e.outside = true
	if vpc.edgeIGW != nil {
		e.route(vpc.edgeIGW, nil, out)
		return
	}
	if e.enterSubnet(m.eni.subnet, nil, out) {
		e.arrive(m.eni, out)
	}
}

func (e *ev) onPremComp(a netip.Addr) Component {
	if o, ok := e.n.onPrem.Lookup(a); ok {
		return comp(KindOnPremises, o.Name, o.Name)
	}
	return comp(KindOnPremises, "on-premises", "")
}

// vpnGatewayOut: a packet routed to a VGW leaves for the networks beyond it, if the VGW knows
// a route (§7.3.2) and the source is a private IP of the VPC (§7.3.3).
func (e *ev) vpnGatewayOut(vpc *cVPC, id model.VPNGatewayID, p packet.Packet) {
	g := e.n.vgws[id]
	if g == nil || vpc == nil || g.m.VPC != vpc.m.ID {
		e.fatal(CodeBadStateAttachment, comp(KindVPNGateway, string(id), ""), p,
			fmt.Sprintf("VPN gateway %s is not attached to this VPC: the route is a blackhole", id))
		return
	}
	if vpc.byIP[p.Src] == nil {
		e.fatal(CodeVGWPrivateIPEgress, g.comp, p, fmt.Sprintf("source %s is not a private IP of a network interface in %s (§7.3.3)", p.Src, vpc.m.ID))
		return
	}
	if _, ok := g.known.Lookup(p.Dst); !ok {
		e.fatal(CodeVGWNoRoute, g.comp, p, fmt.Sprintf("%s knows no route to %s: no VPN static route or on-premises network covers it (§7.3.2)", g.comp, p.Dst))
		return
	}
	e.pass(g.comp, "forward", p, "")
	e.exit(g.comp, e.onPremComp(p.Dst), p)
}

// fromVGW: a packet from beyond a VGW. Its destination must be a private IP of an ENI in the
// VPC (§7.3.3); it is delivered with the local route, or the VGW's gateway route table (§1.3).
func (e *ev) fromVGW(g *cVGW, p packet.Packet) {
	e.pass(e.onPremComp(p.Src), "send", p, "")
	vpc := e.n.vpcs[g.m.VPC]
	if vpc == nil {
		e.fatal(CodeBadStateAttachment, g.comp, p, fmt.Sprintf("%s is not attached to a VPC", g.comp))
		return
	}
	dst := vpc.byIP[p.Dst]
	if dst == nil {
		e.fatal(CodeVGWPrivateIPIngress, g.comp, p, fmt.Sprintf("destination %s is not a private IP of a network interface in %s (§7.3.3)", p.Dst, vpc.m.ID))
		return
	}
	e.pass(g.comp, "forward", p, "")
	e.outside = true
	if vpc.edgeVGW != nil {
		e.route(vpc.edgeVGW, nil, p)
		return
	}
	if e.enterSubnet(dst.subnet, nil, p) {
		e.arrive(dst, p)
	}
}
