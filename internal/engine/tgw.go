package engine

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/gaissmai/bart"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cTGW is a transit gateway (§7.2): a regional router whose attachments join VPCs, VPNs, DX
// gateways and other transit gateways. A packet arriving from an attachment is looked up in
// the route table the attachment is associated with; the winning route names the attachment
// it leaves on.
type cTGW struct {
	m      *model.TransitGateway
	comp   Component
	byVPC  map[model.VPCID]*cTGWAttach
	tables map[model.TGWRouteTableID]*cTGWTable
	// atts are its attachments by ID: a table's routes and propagations name them. A peering
	// attachment has one ID at both transit gateways (a snapshot of both accounts lists it
	// once at each end), so IDs are unique per transit gateway only.
	atts map[model.TGWAttachmentID]*cTGWAttach
	// order lists the attachments in input order (evaluation never ranges over a map).
	order []*cTGWAttach
}

// cTGWAttach is one attachment. A VPC attachment has a port (the transit gateway's interface)
// in each of its subnets, one per Availability Zone (§7.2.9).
type cTGWAttach struct {
	m     *model.TGWAttachment
	tgw   *cTGW
	comp  Component
	table *cTGWTable // the associated table (§7.2.4), nil when unassociated
	vpc   *cVPC
	ports map[string]*tgwPort // by Availability Zone
	azs   []string            // sorted
	peer  *cTGWAttach         // peering: the attachment at the other transit gateway
	dxgw  *cDXGW
	vpn   *model.VPNConnection
	link  link
}

// tgwPort is the transit gateway's network interface in one attachment subnet: where packets
// from the VPC enter and where packets to it come out (§0.9).
type tgwPort struct {
	subnet *cSubnet
	comp   Component
}

type cTGWTable struct {
	m    *model.TGWRouteTable
	tgw  *cTGW
	comp Component
	lpm  bart.Table[*cTGWRoute]
}

type cTGWRoute struct {
	ref   TGWRouteRef
	atts  []*cTGWAttach // equal-cost next hops; empty for a blackhole
	prio  int
	order int
}

// Route priorities for equal prefixes in a transit gateway table (§7.2.7): lower wins.
const (
	tgwPrioStatic = iota
	tgwPrioPrefixList
	tgwPrioVPC
	tgwPrioDX
	tgwPrioConnect
	tgwPrioVPN
)

func tgwPropagatedPrio(t model.TGWAttachmentType) int {
	switch t {
	case model.AttachVPC:
		return tgwPrioVPC
	case model.AttachDXGateway:
		return tgwPrioDX
	case model.AttachConnect:
		return tgwPrioConnect
	case model.AttachVPN:
		return tgwPrioVPN
	}
	return tgwPrioVPN + 1
}

func (n *Network) compileTGWs(t *model.Topology, probs *model.Problems) {
	n.tgws = make(map[model.TransitGatewayID]*cTGW, len(t.TransitGateways))
	n.tgwAtts = make(map[model.TGWAttachmentID]*cTGWAttach, len(t.TGWAttachments))
	for _, g := range t.TransitGateways {
		n.tgws[g.ID] = &cTGW{m: g, comp: comp(KindTransitGateway, string(g.ID), g.Name),
			byVPC: map[model.VPCID]*cTGWAttach{}, tables: map[model.TGWRouteTableID]*cTGWTable{},
			atts: map[model.TGWAttachmentID]*cTGWAttach{}}
	}
	for _, rt := range t.TGWRouteTables {
		if g := n.tgws[rt.TransitGateway]; g != nil {
			g.tables[rt.ID] = &cTGWTable{m: rt, tgw: g, comp: comp(KindTransitGatewayRouteTable, string(rt.ID), rt.Name)}
		}
	}
	vpns := map[model.VPNConnectionID]*model.VPNConnection{}
	for _, c := range t.VPNConnections {
		vpns[c.ID] = c
	}
	// The transit gateway's interfaces, by the attachment their description names (§9.8).
	tgwENIs := map[string]*cENI{}
	for _, e := range t.NetworkInterfaces {
		if e.Type == model.InterfaceTypeTransitGateway {
			if i := strings.Index(e.Description, "tgw-attach-"); i >= 0 {
				tgwENIs[e.Description[i:]+"/"+string(e.Subnet)] = n.enis[e.ID]
			}
		}
	}
	for _, m := range t.TGWAttachments {
		g := n.tgws[m.TransitGateway]
		if g == nil {
			continue // validation reports it
		}
		a := &cTGWAttach{m: m, tgw: g, comp: comp(KindTransitGatewayAttachment, string(m.ID), m.Name), link: tgwLink}
		if n.tgwAtts[m.ID] == nil {
			n.tgwAtts[m.ID] = a
		}
		if g.atts[m.ID] == nil {
			g.atts[m.ID] = a
			g.order = append(g.order, a)
		}
		if m.Association != "" && (m.AssociationState == "" || m.AssociationState == model.StateAssociated) {
			a.table = g.tables[m.Association]
		}
		switch m.Type {
		case model.AttachVPC:
			a.vpc = n.vpcs[model.VPCID(m.ResourceID)]
			if a.vpc != nil && (g.byVPC[a.vpc.m.ID] == nil || m.Forwards() && !g.byVPC[a.vpc.m.ID].m.Forwards()) {
				g.byVPC[a.vpc.m.ID] = a // the available one, when a deleted one is listed too
			}
			a.ports = map[string]*tgwPort{}
			for _, sid := range m.Subnets {
				s := n.subnets[sid]
				if s == nil || a.ports[s.m.AvailabilityZone] != nil {
					continue
				}
				// The interface is named by its attachment and zone, as the console shows it.
				name := fmt.Sprintf("%s in %s", cmp.Or(m.Name, string(m.ID)), s.m.AvailabilityZone)
				port := &tgwPort{subnet: s, comp: comp(KindENI, "tgw-eni/"+string(m.ID)+"/"+s.m.AvailabilityZone, name)}
				if e := tgwENIs[string(m.ID)+"/"+string(sid)]; e != nil {
					if e.comp.Name == "" {
						e.comp.Name = name
					}
					port.comp = e.comp
					e.tgw = a
				}
				a.ports[s.m.AvailabilityZone] = port
				a.azs = append(a.azs, s.m.AvailabilityZone)
			}
			slices.Sort(a.azs)
		case model.AttachVPN:
			a.vpn = vpns[model.VPNConnectionID(m.ResourceID)]
			a.link = vpnLink
		case model.AttachDXGateway:
			a.dxgw = n.dxgws[model.DXGatewayID(m.ResourceID)]
			if a.dxgw != nil {
				a.dxgw.tgwAtts = append(a.dxgw.tgwAtts, a)
			}
		}
		if !m.Type.Modelled() {
			probs.Warnf(m.Src, "%s is a %s attachment, which vpclab does not model: packets routed to it are dropped", m.ID, m.Type)
		}
	}
	// Peering attachments: each side's attachment meets the other's: the attachment of the
	// peer transit gateway that points back, with the same ID or, in a lab, its own.
	for _, m := range t.TransitGateways {
		for _, a := range n.tgws[m.ID].order {
			if a.m.Type != model.AttachPeering && a.m.Type != "tgw-peering" {
				continue
			}
			peer := n.tgws[a.m.PeerTransitGateway]
			if peer == nil {
				continue
			}
			if b := peer.atts[a.m.ID]; b != nil && b != a {
				a.peer = b
				continue
			}
			for _, b := range peer.order {
				if b.m.PeerTransitGateway == a.tgw.m.ID && (b.m.Type == model.AttachPeering || b.m.Type == "tgw-peering") {
					a.peer = b
					break
				}
			}
			if a.peer == nil {
				// Listed at one end only: its other end is the same attachment at the peer,
				// with no association vpclab knows.
				a.peer = &cTGWAttach{m: a.m, tgw: peer, comp: a.comp, link: tgwLink, peer: a}
			}
		}
	}
	for _, rt := range t.TGWRouteTables {
		if g := n.tgws[rt.TransitGateway]; g != nil {
			n.compileTGWTable(g.tables[rt.ID], probs)
		}
	}
}

// compileTGWTable fills a table's LPM: its routes as listed (search-transit-gateway-routes
// already applied §7.2.7), else its static routes and prefix-list references plus the routes
// its propagations install (§7.2.5).
func (n *Network) compileTGWTable(ct *cTGWTable, probs *model.Problems) {
	rt := ct.m
	order := 0
	add := func(p netip.Prefix, r *cTGWRoute) {
		if !p.IsValid() || !p.Addr().Is4() {
			return
		}
		r.order = order
		order++
		if prev, ok := ct.lpm.Get(p); ok && (prev.prio < r.prio || prev.prio == r.prio && prev.order < r.order) {
			return
		}
		ct.lpm.Insert(p, r)
	}
	ref := func(dst string, pl model.PrefixListID, a *cTGWAttach, rtype, state string) TGWRouteRef {
		r := TGWRouteRef{Table: rt.ID, Destination: dst, PrefixList: pl, RouteType: rtype, State: state}
		if a != nil {
			r.Attachment, r.Resource, r.Type = a.m.ID, a.m.ResourceID, a.m.Type
		}
		return r
	}
	pls := map[model.PrefixListID]*model.PrefixList{}
	for _, pl := range n.Topology.PrefixLists {
		pls[pl.ID] = pl
	}
	for _, r := range rt.Routes {
		cr := &cTGWRoute{prio: tgwPrioStatic}
		if r.Type == model.TGWRoutePropagated {
			cr.prio = tgwPropagatedPrio(r.Via)
		}
		var first *cTGWAttach
		if r.State != model.TGWRouteBlackhole {
			for _, id := range r.Attachments {
				if a := ct.tgw.atts[id]; a != nil {
					cr.atts = append(cr.atts, a)
					first = cmp.Or(first, a)
				} else {
					probs.Warnf(r.Src, "route %s in %s: attachment %s is not in the topology; the route drops what it matches", r.Destination, rt.ID, id)
				}
			}
		}
		state := cmp.Or(r.State, model.TGWRouteActive)
		if len(cr.atts) == 0 && len(r.Attachments) == 0 {
			state = model.TGWRouteBlackhole
		}
		if r.PrefixList != "" {
			pl := pls[r.PrefixList]
			cr.ref = ref(string(r.PrefixList), r.PrefixList, first, cmp.Or(r.Type, model.TGWRouteStatic), state)
			if pl != nil {
				cr.prio = min(cr.prio+tgwPrioPrefixList, tgwPrioPrefixList)
				for _, p := range pl.CIDRs {
					add(p, cr)
				}
			}
			continue
		}
		cr.ref = ref(r.Destination.String(), "", first, cmp.Or(r.Type, model.TGWRouteStatic), state)
		add(r.Destination, cr)
	}
	if rt.Searched {
		return
	}
	for _, x := range rt.PrefixListReferences {
		pl := pls[x.PrefixList]
		if pl == nil {
			probs.Warnf(x.Src, "prefix list reference in %s: %s is not in the topology", rt.ID, x.PrefixList)
			continue
		}
		cr := &cTGWRoute{prio: tgwPrioPrefixList}
		a := ct.tgw.atts[x.Attachment]
		state := model.TGWRouteActive
		if x.Blackhole || a == nil {
			state = model.TGWRouteBlackhole
		} else {
			cr.atts = []*cTGWAttach{a}
		}
		cr.ref = ref(string(x.PrefixList), x.PrefixList, a, model.TGWRoutePropagated, state)
		for _, p := range pl.CIDRs {
			add(p, cr)
		}
	}
	// §7.2.5: a VPC whose block overlaps a block already propagated from another VPC
	// does not get its routes propagated.
	var vpcBlocks []netip.Prefix
	for _, id := range rt.Propagations {
		a := ct.tgw.atts[id]
		if a == nil || !a.m.Forwards() {
			continue
		}
		for _, p := range n.propagates(a) {
			if a.m.Type == model.AttachVPC {
				if slices.ContainsFunc(vpcBlocks, p.Overlaps) {
					probs.Warnf(a.m.Src, "%s: block %s of %s overlaps a block already propagated into %s; it is not propagated (§7.2.5)", a.m.ID, p, a.m.ResourceID, rt.ID)
					continue
				}
				vpcBlocks = append(vpcBlocks, p)
			}
			add(p, &cTGWRoute{prio: tgwPropagatedPrio(a.m.Type), atts: []*cTGWAttach{a},
				ref: ref(p.String(), "", a, model.TGWRoutePropagated, model.TGWRouteActive)})
		}
	}
}

// propagates is what an attachment installs in the tables it propagates to (§7.2.5): a VPC's
// blocks, the prefixes the networks beyond a VPN or DX gateway advertise by BGP; static VPNs
// and peering attachments nothing.
func (n *Network) propagates(a *cTGWAttach) []netip.Prefix {
	var out []netip.Prefix
	switch a.m.Type {
	case model.AttachVPC:
		if a.vpc != nil {
			out = append(out, a.vpc.cidrs...)
		}
	case model.AttachVPN:
		for _, o := range n.Topology.OnPremises {
			if string(o.VPNConnection) == a.m.ResourceID {
				out = append(out, o.CIDRs...)
			}
		}
	case model.AttachDXGateway:
		if a.dxgw != nil {
			for p := range a.dxgw.learned.All4() {
				out = append(out, p)
			}
		}
	}
	return out
}

// resolveTransitGateway: a route to a transit gateway the table's VPC is attached to hands the
// packet to that attachment; to any other it is a blackhole (§7.2.10).
func resolveTransitGateway(n *Network, v *cVPC, id string) node {
	g := n.tgws[model.TransitGatewayID(id)]
	if g == nil {
		return &dropNode{code: CodeBadStateRoute, comp: comp(KindTransitGateway, id, ""),
			detail: fmt.Sprintf("transit gateway %s is not in the topology: the route is a blackhole", id)}
	}
	a := g.byVPC[v.m.ID]
	if a == nil {
		return &dropNode{code: CodeBadStateRoute, comp: g.comp,
			detail: fmt.Sprintf("%s has no attachment to %s: the route is a blackhole (§7.2.10)", g.comp, v.m.ID)}
	}
	return tgwEntry{a}
}

// tgwEntry is a VPC attachment as a route target in its VPC.
type tgwEntry struct{ a *cTGWAttach }

// receive: a packet routed to the transit gateway enters it through the attachment's
// interface in the sender's Availability Zone (§7.2.10). That subnet's network ACL inbound
// checks it (§5.9); the transit gateway then looks it up in the attachment's table.
func (x tgwEntry) receive(e *ev, a arrival, p packet.Packet) {
	att := x.a
	if !att.m.Forwards() {
		e.fatal(CodeBadStateAttachment, att.comp, p, fmt.Sprintf("%s is %s, not available: it carries nothing (§7.2.3)", att.comp, att.m.State))
		return
	}
	az := ""
	if a.from != nil {
		az = a.from.m.AvailabilityZone
	}
	port := att.ports[az]
	if port == nil {
		e.fatal(CodeTGWRouteAZRestriction, att.comp, p, fmt.Sprintf("%s has no subnet in %s, the Availability Zone of %s: the transit gateway cannot be reached from there (§7.2.10)",
			att.comp, orUnknown(az), subnetID(a.from)))
		return
	}
	e.pass(port.comp, ActReceive, p, "")
	if port.subnet != a.from && !e.acl(port.subnet, Inbound, p) {
		return
	}
	if port.subnet == a.from && !e.acl(port.subnet, Inbound, p) { // §5.9: same subnet, both directions
		return
	}
	att.tgw.forward(e, att, arrival{origin: OriginTransitGateway, preNAT: a.preNAT, az: az}, p)
}

func subnetID(s *cSubnet) string {
	if s == nil {
		return "the gateway route table"
	}
	return string(s.m.ID)
}

// forward: the transit gateway looks the packet up in the table of the attachment it came
// from (§7.2.4, §7.2.7-8) and sends it out on the winning route's attachment. It is not a TTL
// hop (§7.2.16, [UNCERTAIN] default) and does no NAT (§7.2.11).
func (g *cTGW) forward(e *ev, from *cTGWAttach, a arrival, p packet.Packet) {
	if e.steps++; e.steps > maxSteps {
		e.fatal(CodeRoutingLoop, g.comp, p, fmt.Sprintf("forwarded %d times without arriving: routing loop", maxSteps))
		return
	}
	p, ok := e.cross(from.link, from.comp, p)
	if !ok {
		return
	}
	t := from.table
	if t == nil {
		e.fatal(CodeTGWMissingAssociation, from.comp, p, fmt.Sprintf("%s is not associated with a route table of %s: packets from it cannot be routed (§7.2.4)", from.comp, g.comp))
		return
	}
	r, found := t.lpm.Lookup(p.Dst)
	if !found {
		e.fatal(CodeTGWRTBNoRoute, t.comp, p, fmt.Sprintf("%s has no route to %s (§7.2.8)", t.comp, p.Dst))
		return
	}
	if len(r.atts) == 0 {
		e.tgwRouteHop(t, r, ActDrop, p)
		e.block(CodeTGWRTBBadStateRoute, t.comp, p, fmt.Sprintf("route %s in %s is a blackhole (§7.2.8)", r.ref.Destination, t.m.ID))
		e.nowhere(p)
		return
	}
	out := r.atts[0]
	if len(r.atts) > 1 {
		out = r.atts[flowHash(&p, "")%uint64(len(r.atts))] // ECMP (§7.2.7): a 5-tuple hash
	}
	if !out.m.Forwards() {
		e.tgwRouteHop(t, r, ActDrop, p)
		e.block(CodeTGWRTBBadStateRoute, t.comp, p, fmt.Sprintf("route %s in %s leads to %s, which is %s (§7.2.3)", r.ref.Destination, t.m.ID, out.m.ID, out.m.State))
		e.nowhere(p)
		return
	}
	e.tgwRouteHop(t, r, ActForward, p)
	out.leave(e, from, a, p)
}

func (e *ev) tgwRouteHop(t *cTGWTable, r *cTGWRoute, act Action, p packet.Packet) {
	if e.recording() {
		e.hop(Hop{Component: t.comp, Action: act, In: p, TGWRoute: &r.ref}) // shared: never changed
	}
}

// leave sends a packet out of the transit gateway on attachment out.
func (out *cTGWAttach) leave(e *ev, from *cTGWAttach, a arrival, p packet.Packet) {
	switch out.m.Type {
	case model.AttachVPC:
		out.toVPC(e, from, a, p)
	case model.AttachPeering, "tgw-peering":
		if out.peer == nil {
			// The peer transit gateway is beyond the snapshot: the packet leaves the modelled
			// network toward it.
			e.exit(out.comp, comp(KindTransitGateway, string(out.m.PeerTransitGateway), fmt.Sprintf("account %s, region %s, not in the topology", orUnknown(out.m.PeerAccount), orUnknown(out.m.PeerRegion))), p)
			return
		}
		e.pass(out.comp, ActForward, p, "")
		p, ok := e.cross(tgwLink, out.comp, p)
		if !ok {
			return
		}
		if !out.peer.m.Forwards() {
			e.fatal(CodeBadStateAttachment, out.peer.comp, p, fmt.Sprintf("%s at %s is %s, not available (§7.2.3, §7.2.19)", out.peer.comp, out.peer.tgw.comp, out.peer.m.State))
			return
		}
		out.peer.tgw.forward(e, out.peer, arrival{origin: OriginTransitGateway, preNAT: a.preNAT}, p)
	case model.AttachVPN:
		if out.vpn != nil && out.vpn.State != "" && out.vpn.State != model.StateAvailable {
			e.fatal(CodeTGWBadStateVPN, out.comp, p, fmt.Sprintf("VPN connection %s is %s (§7.2.20)", out.vpn.ID, out.vpn.State))
			return
		}
		e.hop(Hop{Component: out.comp, Action: ActForward, In: p, Edge: true})
		if p, ok := e.cross(vpnLink, out.comp, p); ok {
			e.exit(out.comp, e.onPremComp(p.Dst), p)
		}
	case model.AttachDXGateway:
		if out.dxgw == nil {
			e.fatal(CodeNotInSnapshot, out.comp, p, fmt.Sprintf("%s leads to Direct Connect gateway %s, which is not in the topology", out.comp, out.m.ResourceID))
			return
		}
		e.pass(out.comp, ActForward, p, "")
		out.dxgw.fromAssociation(e, out.tgw.m.ID, p)
	default:
		e.fatal(CodeVPCLabUnsupported, out.comp, p, fmt.Sprintf("%s is a %s attachment, which vpclab does not model yet (§7.2.2)", out.comp, out.m.Type))
	}
}

// toVPC: the packet comes out of the transit gateway's interface in one Availability Zone of
// the VPC attachment (§7.2.12-13), and that subnet's route table routes it on (§7.2.11).
func (out *cTGWAttach) toVPC(e *ev, from *cTGWAttach, a arrival, p packet.Packet) {
	if out.vpc == nil && len(out.azs) == 0 {
		// The VPC is another account's (a shared transit gateway), beyond the snapshot: the
		// packet leaves the modelled network toward it, as over a peering (§7.1, §7.2).
		e.pass(out.comp, ActForward, p, "")
		e.exit(out.comp, comp(KindVPC, out.m.ResourceID, fmt.Sprintf("account %s, not in the topology", orUnknown(out.m.ResourceOwner))), p)
		return
	}
	if len(out.azs) == 0 {
		e.fatal(CodeBadStateAttachment, out.comp, p, fmt.Sprintf("%s has no subnet in the topology", out.comp))
		return
	}
	az := out.chooseAZ(e, a, p)
	port := out.ports[az]
	e.pass(port.comp, ActSend, p, "")
	s := port.subnet
	// §5.9: out of the attachment subnet: no NACL to an interface in that subnet; else its
	// outbound rules, then its route table (forward does both).
	e.forward(s, arrival{origin: OriginTransitGateway, preNAT: a.preNAT, az: az, via: out}, p)
}

// chooseAZ picks the Availability Zone in which a packet leaves a VPC attachment (§7.2.12-13):
// in appliance mode one zone per flow, the same both ways; otherwise the zone it entered in
// when the attachment has it, else a flow hash over the attachment's zones.
func (out *cTGWAttach) chooseAZ(e *ev, a arrival, p packet.Packet) string {
	if out.m.ApplianceMode {
		return e.st.tgwApplianceAZ(out.tgw.m.ID, out.m.ID, &p, func() string {
			src, dst := a.az, e.n.azOf(p.Dst)
			_, hasSrc := out.ports[src]
			_, hasDst := out.ports[dst]
			switch {
			case src != "" && src == dst && hasSrc:
				return src
			case src != "" && dst != "" && hasSrc && hasDst:
				// The pair in a fixed order: the reply's source is the request's
				// destination, and the same hash must name the same zone both ways.
				pair := []string{src, dst}
				slices.Sort(pair)
				return pair[symHash(&p)%2]
			case dst == "" && hasSrc:
				return src
			}
			return out.azs[symHash(&p)%uint64(len(out.azs))]
		})
	}
	if _, ok := out.ports[a.az]; ok {
		return a.az
	}
	return out.azs[flowHash(&p, "")%uint64(len(out.azs))]
}

// azOf is the Availability Zone of the interface holding a (the first VPC's, in ID order,
// when several VPCs hold it), or "" when none does.
func (n *Network) azOf(a netip.Addr) string {
	n.azOnce.Do(func() {
		n.addrAZ = map[netip.Addr]string{}
		ids := make([]model.VPCID, 0, len(n.vpcs))
		for id := range n.vpcs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			for ip, e := range n.vpcs[id].byIP {
				if _, dup := n.addrAZ[ip]; !dup && e.subnet != nil {
					n.addrAZ[ip] = e.subnet.m.AvailabilityZone
				}
			}
		}
	})
	return n.addrAZ[a]
}

// flowHash is the 5-tuple hash the simulator uses where AWS hashes flows (§7.2.7, §7.2.12):
// FNV-1a over the addresses, protocol and ports.
func flowHash(p *packet.Packet, salt string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	add := func(b byte) { h = (h ^ uint64(b)) * prime }
	for _, a := range []netip.Addr{p.Src, p.Dst} {
		b := a.As16()
		for _, x := range b {
			add(x)
		}
	}
	for _, x := range []byte{p.Proto, byte(p.SrcPort >> 8), byte(p.SrcPort), byte(p.DstPort >> 8), byte(p.DstPort)} {
		add(x)
	}
	for i := 0; i < len(salt); i++ {
		add(salt[i])
	}
	return h
}

// symHash is flowHash of the sorted endpoint pair: the same for both directions of a flow
// (§7.2.13).
func symHash(p *packet.Packet) uint64 {
	if p.IsICMPError() && p.Inner != nil {
		p = p.Inner // an ICMP error follows the flow it is about (§7.2.13)
	}
	k := applKeyOf("", p)
	q := packet.Packet{Src: k.a, Dst: k.b, Proto: k.proto, SrcPort: k.ap, DstPort: k.bp}
	return flowHash(&q, "")
}

// enterAtTGWAttachment: a packet enters a transit gateway from one of its attachments
// (Location FromTGWAttachment).
func enterAtTGWAttachment(n *Network, id string) entry {
	if a := n.tgwAtts[model.TGWAttachmentID(id)]; a != nil {
		return tgwAttachEntry{a}
	}
	return nil
}

type tgwAttachEntry struct{ a *cTGWAttach }

func (x tgwAttachEntry) send(e *ev, p packet.Packet) {
	att := x.a
	from := att.comp
	if att.m.Type == model.AttachVPN || att.m.Type == model.AttachDXGateway {
		from = e.onPremComp(p.Src)
	}
	e.pass(from, ActSend, p, "")
	if !att.m.Forwards() {
		e.fatal(CodeBadStateAttachment, att.comp, p, fmt.Sprintf("%s is %s, not available (§7.2.3)", att.comp, att.m.State))
		return
	}
	if att.vpn != nil && !up(att.vpn.State) {
		e.fatal(CodeTGWBadStateVPN, att.comp, p, fmt.Sprintf("VPN connection %s is %s (§7.2.20)", att.vpn.ID, att.vpn.State))
		return
	}
	if from != att.comp {
		e.pass(att.comp, ActForward, p, "")
	}
	att.tgw.forward(e, att, arrival{origin: OriginTransitGateway}, p)
}

// enterAtVPNConnection: a host beyond a Site-to-Site VPN sends (Location FromVPNConnection):
// into the transit gateway through the VPN's attachment, or into the VPC through its VGW.
func enterAtVPNConnection(n *Network, id string) entry {
	for _, c := range n.Topology.VPNConnections {
		if string(c.ID) != id {
			continue
		}
		if c.TransitGateway != "" {
			for _, m := range n.Topology.TGWAttachments {
				if m.Type == model.AttachVPN && m.ResourceID == id {
					if g := n.tgws[m.TransitGateway]; g != nil && g.atts[m.ID] != nil {
						return tgwAttachEntry{g.atts[m.ID]}
					}
				}
			}
			return nil
		}
		if g := n.vgws[c.VPNGateway]; g != nil {
			return vpnEntry{c, g}
		}
	}
	return nil
}

// vpnEntry: a host beyond a Site-to-Site VPN on a VGW sends.
type vpnEntry struct {
	c *model.VPNConnection
	g *cVGW
}

func (x vpnEntry) send(e *ev, p packet.Packet) {
	if !up(x.c.State) {
		e.pass(e.onPremComp(p.Src), ActSend, p, "")
		e.fatal(CodeBadStateVPN, x.g.comp, p, fmt.Sprintf("VPN connection %s is %s (§7.3)", x.c.ID, x.c.State))
		return
	}
	x.g.send(e, p)
}

// tgwPart is what a component of a journey belongs to: a transit gateway, and the attachment
// when the component is an attachment or one of its interfaces.
type tgwPart struct {
	tgw Component
	att Component
}

// TransitGatewayOf names the transit gateway behind the component with this ID (one of its
// route tables, attachments or attachment interfaces) and, for an attachment or one of its
// interfaces, the attachment. ok is false for any other component.
func (n *Network) TransitGatewayOf(id string) (tgw, att Component, ok bool) {
	p, ok := n.tgwParts[id]
	return p.tgw, p.att, ok
}

func (n *Network) indexTGWParts() {
	n.tgwParts = map[string]tgwPart{}
	for _, g := range n.tgws {
		for _, t := range g.tables {
			n.tgwParts[t.comp.ID] = tgwPart{tgw: g.comp}
		}
		for _, a := range g.order {
			if _, dup := n.tgwParts[a.comp.ID]; !dup {
				n.tgwParts[a.comp.ID] = tgwPart{tgw: g.comp, att: a.comp}
			}
			for _, port := range a.ports {
				n.tgwParts[port.comp.ID] = tgwPart{tgw: g.comp, att: a.comp}
			}
		}
	}
}
