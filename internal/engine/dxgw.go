package engine

import (
	"fmt"
	"net/netip"

	"github.com/gaissmai/bart"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cDXGW is a Direct Connect gateway (§16): it joins virtual interfaces (on-premises) to the
// VGWs or transit gateways it is associated with, and forwards only between those two sides:
// never from one association to another (§16.5).
type cDXGW struct {
	m      *model.DXGateway
	comp   Component
	assocs []*cDXAssoc
	vifs   []*cVIF
	// learned are the prefixes on-premises advertises over the virtual interfaces (BGP), and
	// advertised what each association advertises toward on-premises (§16.3).
	learned    bart.Table[*cVIF]
	advertised bart.Table[*cDXAssoc]
	tgwAtts    []*cTGWAttach // the transit gateways' attachments to this DX gateway
}

type cDXAssoc struct {
	m    *model.DXGatewayAssociation
	vgw  *cVGW
	tgw  model.TransitGatewayID // for a transit gateway association
	comp Component
}

// cVIF is a virtual interface: the link to on-premises, with its MTU (§16.7).
type cVIF struct {
	m    *model.VirtualInterface
	comp Component
	link link
}

// dxPath is how a VGW reaches a prefix over Direct Connect: through a virtual interface,
// directly or through a DX gateway.
type dxPath struct {
	vif  *cVIF
	dxgw *cDXGW // nil for a private virtual interface on the VGW itself
}

func (n *Network) compileDX(t *model.Topology) {
	n.dxgws = make(map[model.DXGatewayID]*cDXGW, len(t.DXGateways))
	for _, g := range t.DXGateways {
		n.dxgws[g.ID] = &cDXGW{m: g, comp: comp(KindDXGateway, string(g.ID), g.Name)}
	}
	vifs := map[model.VirtualInterfaceID]*cVIF{}
	for _, v := range t.VirtualInterfaces {
		mtu := v.MTU
		if mtu == 0 {
			mtu = 1500
		}
		cv := &cVIF{m: v, comp: comp(KindVirtualInterface, string(v.ID), v.Name), link: link{"virtual interface " + string(v.ID), mtu}}
		vifs[v.ID] = cv
		if g := n.dxgws[v.DXGateway]; g != nil {
			g.vifs = append(g.vifs, cv)
		}
	}
	for _, o := range t.OnPremises {
		v := vifs[o.VirtualInterface]
		if v == nil || !up(v.m.State) {
			continue
		}
		for _, p := range o.CIDRs {
			if g := n.dxgws[v.m.DXGateway]; g != nil {
				g.learned.Insert(p, v)
			} else if vg := n.vgws[v.m.VPNGateway]; vg != nil {
				vg.dx.Insert(p, &dxPath{vif: v})
				vg.known.Insert(p, struct{}{})
			}
		}
	}
	for _, a := range t.DXGatewayAssociations {
		g := n.dxgws[a.DXGateway]
		if g == nil || a.State != "" && a.State != model.StateAssociated {
			continue
		}
		ca := &cDXAssoc{m: a, comp: comp(KindDXGateway, string(a.ID), "")}
		g.assocs = append(g.assocs, ca)
		switch a.GatewayType {
		case model.DXAssocTGW:
			ca.tgw = model.TransitGatewayID(a.Gateway)
			for _, p := range a.AllowedPrefixes {
				g.advertised.Insert(p, ca)
			}
		default:
			ca.vgw = n.vgws[model.VPNGatewayID(a.Gateway)]
			if ca.vgw == nil {
				continue
			}
			ca.vgw.dxgw = g
			// §16.3: a VPC block is advertised when an allowed prefix equals or contains it;
			// with none listed AWS allows the VPC's blocks.
			if v := ca.vgw.vpc; v != nil {
				for _, c := range v.cidrs {
					if len(a.AllowedPrefixes) == 0 || containsPrefix(a.AllowedPrefixes, c) {
						g.advertised.Insert(c, ca)
					}
				}
			}
			for p, vif := range g.learned.All4() {
				ca.vgw.dx.Insert(p, &dxPath{vif: vif, dxgw: g})
				ca.vgw.known.Insert(p, struct{}{})
			}
		}
	}
}

func up(state string) bool { return state == "" || state == model.StateAvailable }

func containsPrefix(in []netip.Prefix, p netip.Prefix) bool {
	for _, a := range in {
		if a.Bits() <= p.Bits() && a.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// toOnPrem: a packet from association from goes toward on-premises, over the virtual interface
// whose routes cover it. A destination that only another association advertises cannot be
// reached through the DX gateway (§16.5), unless on-premises advertises a supernet on the
// same virtual interface: then it hairpins at the Direct Connect location.
func (g *cDXGW) toOnPrem(e *ev, from *cDXAssoc, p packet.Packet) {
	if !up(g.m.State) {
		e.fatal(CodeBadState, g.comp, p, fmt.Sprintf("%s is %s, not available (§16.9)", g.comp, g.m.State))
		return
	}
	host := netip.PrefixFrom(p.Dst, p.Dst.BitLen())
	adv, other, toOther := g.advertised.LookupPrefixLPM(host)
	toOther = toOther && other != from
	onPrem, vif, ok := g.learned.LookupPrefixLPM(host)
	if ok && toOther && onPrem.Bits() > adv.Bits() {
		// On-premises holds a block inside the other association's: its own network, where
		// the packet goes; only a supernet sends it back up (§16.5).
		toOther = false
	}
	if !ok {
		if toOther {
			e.fatal(CodeDXGWNoTransit, g.comp, p, fmt.Sprintf("%s is behind another association of %s: a Direct Connect gateway carries no traffic between its associations (§16.5)", p.Dst, g.comp))
			return
		}
		e.fatal(CodeNoRoute, g.comp, p, fmt.Sprintf("on-premises advertises no route to %s over the virtual interfaces of %s (§16.4)", p.Dst, g.comp))
		return
	}
	e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true})
	e.pass(vif.comp, ActForward, p, "")
	p, ok = e.cross(vif.link, vif.comp, p)
	if !ok {
		return
	}
	if toOther {
		e.pass(e.onPremComp(p.Dst), ActForward, p, fmt.Sprintf("on-premises advertises a supernet of %s on %s: the packet hairpins at the Direct Connect location (§16.5)", p.Dst, vif.comp))
		g.fromOnPrem(e, vif, p)
		return
	}
	e.exit(g.comp, e.onPremComp(p.Dst), p)
}

// fromOnPrem: a packet from on-premises over virtual interface vif (nil when the DX gateway
// has none in the topology) goes to the association that advertises its destination.
func (g *cDXGW) fromOnPrem(e *ev, vif *cVIF, p packet.Packet) {
	if vif != nil {
		var ok bool
		if p, ok = e.cross(vif.link, vif.comp, p); !ok {
			return
		}
	}
	if e.steps++; e.steps > maxSteps {
		e.fatal(CodeRoutingLoop, g.comp, p, fmt.Sprintf("forwarded %d times without arriving: routing loop", maxSteps))
		return
	}
	a, ok := g.advertised.Lookup(p.Dst)
	if !ok {
		e.fatal(CodeNoRoute, g.comp, p, fmt.Sprintf("no association of %s advertises %s to on-premises, so on-premises has no route to it (§16.3)", g.comp, p.Dst))
		return
	}
	e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true})
	switch {
	case a.vgw != nil:
		a.vgw.enter(e, OriginDirectConnect, p)
	case a.tgw != "":
		for _, att := range g.tgwAtts {
			if att.tgw.m.ID == a.tgw {
				if !att.m.Forwards() {
					e.fatal(CodeBadStateAttachment, att.comp, p, fmt.Sprintf("%s is %s, not available (§7.2.3)", att.comp, att.m.State))
					return
				}
				e.pass(att.comp, ActForward, p, "")
				att.tgw.forward(e, att, arrival{origin: OriginTransitGateway}, p)
				return
			}
		}
		e.fatal(CodeBadStateAttachment, g.comp, p, fmt.Sprintf("%s is associated with %s, but no attachment of it to the DX gateway is in the topology", g.comp, a.tgw))
	default:
		e.fatal(CodeNotInSnapshot, g.comp, p, fmt.Sprintf("%s leads to %s, which is not in the topology", g.comp, a.m.Gateway))
	}
}

// fromAssociation: a packet from transit gateway tgw's DX gateway attachment.
func (g *cDXGW) fromAssociation(e *ev, tgw model.TransitGatewayID, p packet.Packet) {
	var from *cDXAssoc
	for _, a := range g.assocs {
		if a.tgw == tgw {
			from = a
		}
	}
	g.toOnPrem(e, from, p)
}

// enterAtDXGateway: a host on-premises sends through a DX gateway (Location FromDXGateway).
func enterAtDXGateway(n *Network, id string) entry {
	if g := n.dxgws[model.DXGatewayID(id)]; g != nil {
		return g
	}
	return nil
}

func (g *cDXGW) send(e *ev, p packet.Packet) {
	e.pass(e.onPremComp(p.Src), ActSend, p, "")
	if !up(g.m.State) {
		e.fatal(CodeBadState, g.comp, p, fmt.Sprintf("%s is %s, not available (§16.9)", g.comp, g.m.State))
		return
	}
	var vif *cVIF
	for _, v := range g.vifs {
		if o, ok := e.n.onPrem.Lookup(p.Src); ok && o.VirtualInterface == v.m.ID {
			vif = v
		}
	}
	if vif == nil && len(g.vifs) > 0 {
		vif = g.vifs[0]
	}
	if vif != nil {
		e.pass(vif.comp, ActForward, p, "")
		if !up(vif.m.State) {
			e.fatal(CodeBadState, vif.comp, p, fmt.Sprintf("virtual interface %s is %s, not available (§16.9)", vif.m.ID, vif.m.State))
			return
		}
	}
	g.fromOnPrem(e, vif, p)
}

// dxOrVPN picks how a VGW reaches dst: over Direct Connect when a DX route is at least as
// specific as the VPN's (§7.3.4: DX BGP beats VPN routes), else over the VPN.
func (g *cVGW) dxOrVPN(dst netip.Addr) (dx *dxPath, vpn bool) {
	host := netip.PrefixFrom(dst, 32)
	dp, path, dok := g.dx.LookupPrefixLPM(host)
	vp, _, vok := g.vpn.LookupPrefixLPM(host)
	switch {
	case dok && (!vok || dp.Bits() >= vp.Bits()):
		return path, false
	case vok:
		return nil, true
	}
	return nil, false
}
