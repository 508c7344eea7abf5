package engine

import (
	"fmt"
	"net/netip"
	"slices"

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

// cIGW is an internet gateway (§3): a route target of the VPC it is attached to, and where
// packets from the internet enter that VPC.
type cIGW struct {
	m    *model.InternetGateway
	vpc  *cVPC // nil when detached
	comp Component
}

func (n *Network) compileIGWs(t *model.Topology) {
	for _, g := range t.InternetGateways {
		cg := &cIGW{m: g, vpc: n.vpcs[g.VPC], comp: comp(KindInternetGateway, string(g.ID), g.Name)}
		n.igws[g.ID] = cg
		if v := cg.vpc; v != nil && v.igw == nil {
			v.igw = cg
		}
	}
}

// resolveInternetGateway: a route to an internet gateway attached to the table's VPC; to any
// other it is a blackhole (§1.2.6).
func resolveInternetGateway(n *Network, v *cVPC, id string) node {
	if g := n.igws[model.InternetGatewayID(id)]; g != nil && g.vpc == v {
		return g
	}
	return &dropNode{code: CodeBadStateAttachment, comp: comp(KindInternetGateway, id, ""),
		detail: fmt.Sprintf("internet gateway %s is not attached to this VPC: the route is a blackhole", id)}
}

// receive: a packet routed to the IGW leaves for the internet after the 1:1 NAT of its
// private source to the public IP mapped to it (§3.1, §3.3).
func (g *cIGW) receive(e *ev, a arrival, p packet.Packet) {
	vpc := g.vpc
	c := g.comp
	if g.redirected(e, a, p) {
		return
	}
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
	if e.recording() { // the note is made only for a hop that is kept
		var b1, b2 [16]byte
		e.hopOut(Hop{Component: c, Action: ActTranslate, In: p, Edge: true, Translated: true,
			Note: translationNote("source ", appendAddr(b1[:0], p.Src), " becomes its public IP ", appendAddr(b2[:0], pub), " (§3.1)")}, out)
	}
	if out, ok := e.cross(internetLink, c, out); ok {
		e.exit(c, internetComp, out)
	}
}

// privateBehindIGW finds a VPC with an internet gateway whose interfaces hold a private
// address, in VPC ID order so the answer does not depend on map order (private addresses may
// repeat across VPCs).
func (n *Network) privateBehindIGW(a netip.Addr) (*cVPC, *cENI) {
	ids := make([]model.VPCID, 0, len(n.vpcs))
	for id, v := range n.vpcs {
		if v.igw != nil && v.byIP[a] != nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	v := n.vpcs[slices.Min(ids)]
	return v, v.byIP[a]
}

// internetEntry is where packets from hosts on the internet enter: the internet gateway of
// the VPC whose public IP they are addressed to. The IGW maps the destination to the private
// IP (§3.4) and the packet enters the VPC (§1.3, enterVPC).
// With via set (Location FromInternetGateway), packets come through that gateway only.
type internetEntry struct{ via *cIGW }

func enterFromInternet(*Network, string) entry { return internetEntry{} }

// enterAtIGW: a host on the internet sends through one internet gateway.
func enterAtIGW(n *Network, id string) entry {
	if g := n.igws[model.InternetGatewayID(id)]; g != nil {
		return internetEntry{via: g}
	}
	return nil
}

func (x internetEntry) send(e *ev, p packet.Packet) {
	e.pass(internetComp, ActSend, p, "")
	p, ok := e.cross(internetLink, internetComp, p)
	if !ok {
		return
	}
	m, ok := e.n.public[p.Dst]
	if x.via != nil && ok && m.vpc.igw != x.via {
		ok = false
	}
	if x.via != nil && !ok {
		if v := x.via.vpc; v != nil && v.byIP[p.Dst] != nil {
			e.fatal(CodeIGWPrivateIPIngress, x.via.comp, p, fmt.Sprintf("%s is a private IP of %s: an internet gateway admits only traffic addressed to a public IP mapped to one of its VPC's interfaces (§3.4)", p.Dst, v.byIP[p.Dst].m.ID))
			return
		}
		e.fatal(CodeNotInTopology, x.via.comp, p, fmt.Sprintf("%s maps no public IP %s to an interface of its VPC", x.via.comp, p.Dst))
		return
	}
	if !ok {
		// §3.4: the IGW admits only traffic to a public IP mapped to its VPC's interfaces; a
		// private IP of the topology from the internet dies at the IGW of the VPC holding it.
		if v, eni := e.n.privateBehindIGW(p.Dst); v != nil {
			e.fatal(CodeIGWPrivateIPIngress, v.igw.comp, p, fmt.Sprintf("%s is a private IP of %s: an internet gateway admits only traffic addressed to a public IP mapped to one of its VPC's interfaces (§3.4)", p.Dst, eni.m.ID))
			return
		}
		e.fatal(CodeNotInTopology, internetComp, p,
			fmt.Sprintf("no network interface in the topology has the public IP %s: the packet reaches none of its VPCs", p.Dst))
		return
	}
	vpc := m.vpc
	if vpc.igw == nil {
		e.fatal(CodeBadStateAttachment, vpc.comp, p, fmt.Sprintf("%s has no internet gateway attached", vpc.m.ID))
		return
	}
	c := vpc.igw.comp
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
	if e.recording() { // the note is made only for a hop that is kept
		var b1, b2 [16]byte
		e.hopOut(Hop{Component: c, Action: ActTranslate, In: p, Edge: true, Translated: true,
			Note: translationNote("destination ", appendAddr(b1[:0], p.Dst), " becomes the private IP ", appendAddr(b2[:0], m.private), " (§3.4)")}, out)
	}
	e.enterVPC(vpc, vpc.edgeIGW, arrival{origin: OriginInternet}, out)
}
