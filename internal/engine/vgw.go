package engine

import (
	"fmt"
	"net/netip"

	"github.com/gaissmai/bart"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cVGW is a virtual private gateway (§7.3): a route target of the VPC it is attached to, and
// where packets from the networks beyond it (a Site-to-Site VPN, Direct Connect) enter.
type cVGW struct {
	m   *model.VPNGateway
	vpc *cVPC // nil when detached
	// known are the prefixes beyond the VGW it forwards to (§7.3.2), and propagates into
	// route tables (§1.4): vpn's, reached over a Site-to-Site VPN, and dx's, over Direct
	// Connect (a private virtual interface, or the DX gateway it is associated with).
	known bart.Table[struct{}]
	vpn   bart.Table[struct{}]
	dx    bart.Table[*dxPath]
	dxgw  *cDXGW // the DX gateway it is associated with (§16.2), or nil
	comp  Component
}

func (n *Network) compileVGWs(t *model.Topology) {
	for _, g := range t.VPNGateways {
		cg := &cVGW{m: g, vpc: n.vpcs[g.VPC], comp: comp(KindVPNGateway, string(g.ID), g.Name)}
		n.vgws[g.ID] = cg
		if v := cg.vpc; v != nil && v.vgw == nil {
			v.vgw = cg
		}
	}
	for _, c := range t.VPNConnections {
		if g := n.vgws[c.VPNGateway]; g != nil && (c.State == "" || c.State == "available") {
			for _, p := range c.StaticRoutes {
				g.known.Insert(p, struct{}{})
				g.vpn.Insert(p, struct{}{})
			}
		}
	}
	vpnGW := map[model.VPNConnectionID]model.VPNGatewayID{}
	for _, c := range t.VPNConnections {
		vpnGW[c.ID] = c.VPNGateway
	}
	for _, o := range t.OnPremises {
		for _, p := range o.CIDRs {
			n.onPrem.Insert(p, o)
		}
		id := o.VPNGateway
		if o.VPNConnection != "" {
			id = vpnGW[o.VPNConnection]
		}
		if g := n.vgws[id]; g != nil {
			for _, p := range o.CIDRs {
				g.known.Insert(p, struct{}{})
				g.vpn.Insert(p, struct{}{})
			}
		}
	}
}

// enterAtVGW: a host beyond the VGW sends (Location FromVPNGateway).
func enterAtVGW(n *Network, id string) entry {
	if g := n.vgws[model.VPNGatewayID(id)]; g != nil {
		return g
	}
	return nil
}

// resolveVPNGateway: a route to a VGW attached to the table's VPC; to any other it is a
// blackhole (§1.2.6).
func resolveVPNGateway(n *Network, v *cVPC, id string) node {
	if g := n.vgws[model.VPNGatewayID(id)]; g != nil && g.vpc == v {
		return g
	}
	return &dropNode{code: CodeBadStateAttachment, comp: comp(KindVPNGateway, id, ""),
		detail: fmt.Sprintf("VPN gateway %s is not attached to this VPC: the route is a blackhole", id)}
}

func (e *ev) onPremComp(a netip.Addr) Component {
	if o, ok := e.n.onPrem.Lookup(a); ok {
		return comp(KindOnPremises, o.Name, o.Name)
	}
	return comp(KindOnPremises, "on-premises", "")
}

// receive: a packet routed to the VGW leaves for the networks beyond it, if the VGW knows a
// route (§7.3.2) and the source is a private IP of the VPC (§7.3.3).
func (g *cVGW) receive(e *ev, a arrival, p packet.Packet) { g.route(e, a, p, false) }

// vgwStatic is a VGW as the target of a static route: toward Direct Connect such a route
// carries 1500 bytes at most, whatever the virtual interface's MTU; only propagated DX routes
// get jumbo frames (§16.7).
type vgwStatic struct{ g *cVGW }

func (s vgwStatic) receive(e *ev, a arrival, p packet.Packet) { s.g.route(e, a, p, true) }

// staticTo is the node a route hands packets to: a VGW reached by a static route says so.
func staticTo(target node, r model.Route) node {
	if g, ok := target.(*cVGW); ok && r.Origin != model.OriginEnableVgwRoutePropagation {
		return vgwStatic{g}
	}
	return target
}

// staticRouteLink is the 1500-byte limit of a static route to a VGW toward Direct Connect.
var staticRouteLink = link{"a static route to a virtual private gateway (§16.7)", 1500}

func (g *cVGW) route(e *ev, _ arrival, p packet.Packet, static bool) {
	vpc := g.vpc
	if vpc.byIP[p.Src] == nil {
		e.fatal(CodeVGWPrivateIPEgress, g.comp, p, fmt.Sprintf("source %s is not a private IP of a network interface in %s (§7.3.3)", p.Src, vpc.m.ID))
		return
	}
	dx, vpn := g.dxOrVPN(p.Dst)
	if dx != nil && static {
		var ok bool
		if p, ok = e.cross(staticRouteLink, g.comp, p); !ok {
			return
		}
	}
	switch {
	case dx != nil && dx.dxgw != nil:
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p})
		dx.dxgw.toOnPrem(e, g.dxAssoc(), p)
	case dx != nil:
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true})
		e.pass(dx.vif.comp, ActForward, p, "")
		if p, ok := e.cross(dx.vif.link, dx.vif.comp, p); ok {
			e.exit(g.comp, e.onPremComp(p.Dst), p)
		}
	case vpn:
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true})
		if p, ok := e.cross(vpnLink, g.comp, p); ok {
			e.exit(g.comp, e.onPremComp(p.Dst), p)
		}
	case g.dxgw != nil:
		// Not on-premises: the DX gateway says why (another association's VPC, §16.5).
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p})
		g.dxgw.toOnPrem(e, g.dxAssoc(), p)
	default:
		e.fatal(CodeVGWNoRoute, g.comp, p, fmt.Sprintf("%s knows no route to %s: no VPN static route or on-premises network covers it (§7.3.2)", g.comp, p.Dst))
	}
}

// dxAssoc is the VGW's association with its DX gateway.
func (g *cVGW) dxAssoc() *cDXAssoc {
	if g.dxgw != nil {
		for _, a := range g.dxgw.assocs {
			if a.vgw == g {
				return a
			}
		}
	}
	return nil
}

// send: a packet from beyond the VGW (on-premises, §7.3). Its destination must be a private
// IP of an ENI in the VPC (§7.3.3); it enters the VPC (enterVPC: the VGW's gateway route
// table when one is associated, §1.3, else the local route).
func (g *cVGW) send(e *ev, p packet.Packet) {
	from := e.onPremComp(p.Src)
	e.pass(from, ActSend, p, "")
	p, ok := e.cross(vpnLink, from, p)
	if !ok {
		return
	}
	g.enter(e, OriginVPN, p)
}

// enter: a packet from beyond the VGW (a VPN, or Direct Connect) enters its VPC.
func (g *cVGW) enter(e *ev, origin Origin, p packet.Packet) {
	vpc := g.vpc
	if vpc == nil {
		e.fatal(CodeBadStateAttachment, g.comp, p, fmt.Sprintf("%s is not attached to a VPC", g.comp))
		return
	}
	if vpc.byIP[p.Dst] == nil {
		e.fatal(CodeVGWPrivateIPIngress, g.comp, p, fmt.Sprintf("destination %s is not a private IP of a network interface in %s (§7.3.3)", p.Dst, vpc.m.ID))
		return
	}
	e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true})
	e.enterVPC(vpc, vpc.edgeVGW, arrival{origin: origin}, p)
}
