package model

import (
	"fmt"
	"net/netip"
	"slices"
)

// Validation across VPCs: peering (§7.1), transit gateways (§7.2) and Direct Connect gateways
// (§16). A peer in another account or region may be absent from a snapshot; that is a
// warning at most. What AWS itself refuses is an error.

// transitIndex maps the IDs of the constructs that join VPCs to their objects.
type transitIndex struct {
	peerings    map[PeeringID]*VPCPeering
	tgws        map[TransitGatewayID]*TransitGateway
	attachments map[TGWAttachmentID]*TGWAttachment
	tables      map[TGWRouteTableID]*TGWRouteTable
	dxgws       map[DXGatewayID]*DXGateway
	vifs        map[VirtualInterfaceID]*VirtualInterface
	vpns        map[VPNConnectionID]*VPNConnection
	// attached holds the VPCs each transit gateway has a VPC attachment to.
	attached map[TransitGatewayID]map[VPCID]bool
}

func newTransitIndex(t *Topology) *transitIndex {
	tx := &transitIndex{
		peerings:    byID(t.Peerings, func(x *VPCPeering) PeeringID { return x.ID }),
		tgws:        byID(t.TransitGateways, func(x *TransitGateway) TransitGatewayID { return x.ID }),
		attachments: byID(t.TGWAttachments, func(x *TGWAttachment) TGWAttachmentID { return x.ID }),
		tables:      byID(t.TGWRouteTables, func(x *TGWRouteTable) TGWRouteTableID { return x.ID }),
		dxgws:       byID(t.DXGateways, func(x *DXGateway) DXGatewayID { return x.ID }),
		vifs:        byID(t.VirtualInterfaces, func(x *VirtualInterface) VirtualInterfaceID { return x.ID }),
		vpns:        byID(t.VPNConnections, func(x *VPNConnection) VPNConnectionID { return x.ID }),
		attached:    map[TransitGatewayID]map[VPCID]bool{},
	}
	for _, a := range t.TGWAttachments {
		if a.Type == AttachVPC && attachmentLive(a.State) {
			if tx.attached[a.TransitGateway] == nil {
				tx.attached[a.TransitGateway] = map[VPCID]bool{}
			}
			tx.attached[a.TransitGateway][VPCID(a.ResourceID)] = true
		}
	}
	return tx
}

// peeringBetween is a live peering joining the two VPCs, or nil.
func (tx *transitIndex) peeringBetween(t *Topology, a, b VPCID) *VPCPeering {
	for _, p := range t.Peerings {
		if peeringLive(p.Status) && ((p.Requester.VPC == a && p.Accepter.VPC == b) || (p.Requester.VPC == b && p.Accepter.VPC == a)) {
			return p
		}
	}
	return nil
}

// sharedTGW reports whether a transit gateway has VPC attachments to both VPCs.
func (tx *transitIndex) sharedTGW(a, b VPCID) bool {
	for _, vpcs := range tx.attached {
		if vpcs[a] && vpcs[b] {
			return true
		}
	}
	return false
}

// peeringLive: the peering exists or is being set up; rejected, expired, failed, deleting
// and deleted ones are history (§7.1.3).
func peeringLive(status string) bool {
	switch status {
	case "", "initiating-request", "pending-acceptance", "provisioning", StateActive:
		return true
	}
	return false
}

// attachmentLive: the attachment exists or is being set up (§7.2.3).
func attachmentLive(state string) bool {
	switch state {
	case "deleting", "deleted", "failed", "failing", "rejected", "rejecting":
		return false
	}
	return true
}

func (x *VPCPeering) ident() ident           { return ident{string(x.ID), x.Name, x.Src} }
func (x *TransitGateway) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }
func (x *TGWAttachment) ident() ident        { return ident{string(x.ID), x.Name, x.Src} }
func (x *TGWRouteTable) ident() ident        { return ident{string(x.ID), x.Name, x.Src} }
func (x *DXGateway) ident() ident            { return ident{string(x.ID), x.Name, x.Src} }
func (x *DXGatewayAssociation) ident() ident { return ident{string(x.ID), "", x.Src} }
func (x *VirtualInterface) ident() ident     { return ident{string(x.ID), x.Name, x.Src} }

// transit runs the checks of this file and validate_dx.go.
func (v *validator) transit() {
	v.peerings()
	v.transitGateways()
	v.tgwAttachments()
	v.tgwRouteTables()
	v.dxGateways()
	v.virtualInterfaces()
	v.transitHybrid()
}

func (v *validator) peeringLabel(p *VPCPeering) string { return label(p.Name, p.ID) }

func (v *validator) tgwLabel(id TransitGatewayID) string {
	if g := v.tx.tgws[id]; g != nil {
		return label(g.Name, g.ID)
	}
	return string(id)
}

// peerings: a VPC is not peered with itself; one live peering per VPC pair (§7.1.1); the
// blocks of the two sides of an active peering do not overlap (§7.1.2).
func (v *validator) peerings() {
	pairs := map[[2]VPCID]*VPCPeering{}
	for _, p := range v.t.Peerings {
		who := "VPC peering connection " + v.peeringLabel(p)
		req, acc := v.ix.VPCs[p.Requester.VPC], v.ix.VPCs[p.Accepter.VPC]
		if req == nil && acc == nil {
			v.ps.Warnf(p.Src, "%s: neither VPC %s nor VPC %s is in the topology", who, p.Requester.VPC, p.Accepter.VPC)
		}
		if p.Requester.VPC == p.Accepter.VPC && p.Requester.VPC != "" {
			v.ps.Errorf(p.Src, "%s: it peers VPC %s with itself", who, v.vpcLabel(p.Requester.VPC))
			continue
		}
		if !peeringLive(p.Status) {
			continue
		}
		key := [2]VPCID{p.Requester.VPC, p.Accepter.VPC}
		if key[1] < key[0] {
			key[0], key[1] = key[1], key[0]
		}
		if first := pairs[key]; first != nil {
			v.ps.Errorf(p.Src, "%s: VPCs %s and %s are already peered by %s (%s); at most one peering joins two VPCs (§7.1.1)",
				who, v.vpcLabel(p.Requester.VPC), v.vpcLabel(p.Accepter.VPC), v.peeringLabel(first), first.Src)
		} else {
			pairs[key] = p
		}
		if p.Status != "" && p.Status != StateActive {
			continue
		}
		rc, ac := sideBlocks(p.Requester, req), sideBlocks(p.Accepter, acc)
		if a, b, ok := firstOverlap(rc, ac); ok {
			v.ps.Errorf(p.Src, "%s: %s of VPC %s overlaps %s of VPC %s; AWS does not peer VPCs whose blocks overlap (§7.1.2)",
				who, a, v.vpcLabel(p.Requester.VPC), b, v.vpcLabel(p.Accepter.VPC))
		}
	}
}

// sideBlocks are the IPv4 and IPv6 blocks a peering records for a side, or its VPC's blocks
// when it records none.
func sideBlocks(s PeeringSide, vpc *VPC) []netip.Prefix {
	blocks := append(slices.Clone(s.CIDRs), s.IPv6CIDRs...)
	if len(blocks) == 0 && vpc != nil {
		blocks = vpc.CIDRs
	}
	return blocks
}

// firstOverlap finds a block of as that overlaps one of bs.
func firstOverlap(as, bs []netip.Prefix) (a, b netip.Prefix, ok bool) {
	for _, a := range as {
		for _, b := range bs {
			if a.IsValid() && b.IsValid() && a.Overlaps(b) {
				return a, b, true
			}
		}
	}
	return netip.Prefix{}, netip.Prefix{}, false
}

// peeringTarget checks a route to a peering: the table's VPC is one of its sides (AWS
// refuses the route otherwise), and a peering that is not active blackholes it (§7.1.3).
func (v *validator) peeringTarget(src Source, where string, rt *RouteTable, id PeeringID) bool {
	p := v.tx.peerings[id]
	switch {
	case p == nil:
		return false
	case p.Requester.VPC == "" || p.Accepter.VPC == "":
		// A side that names no VPC was reported where the peering is written; the route
		// adds nothing to that.
	case rt.VPC != "" && p.Requester.VPC != rt.VPC && p.Accepter.VPC != rt.VPC:
		v.ps.Errorf(src, "%s: VPC peering connection %s joins VPCs %s and %s, not the table's VPC %s (§7.1.4)",
			where, v.peeringLabel(p), v.vpcLabel(p.Requester.VPC), v.vpcLabel(p.Accepter.VPC), v.vpcLabel(rt.VPC))
	case p.Status != "" && p.Status != StateActive:
		v.ps.Warnf(src, "%s: VPC peering connection %s is %s; AWS shows the route as blackhole (§7.1.3)", where, v.peeringLabel(p), p.Status)
	}
	return true
}

// tgwTarget checks a route to a transit gateway: without an attachment to the table's VPC
// the route is a blackhole (§7.2.10).
func (v *validator) tgwTarget(src Source, where string, rt *RouteTable, id TransitGatewayID) bool {
	g := v.tx.tgws[id]
	switch {
	case g == nil:
		return false
	case rt.VPC != "" && !v.tx.attached[id][rt.VPC]:
		v.ps.Warnf(src, "%s: VPC %s has no attachment to transit gateway %s; AWS shows the route as blackhole (§7.2.10)",
			where, v.vpcLabel(rt.VPC), label(g.Name, g.ID))
	}
	return true
}

// groupReference checks a security group rule that names a group in another VPC: across a
// peering only within one region (§7.1.11); with neither a peering nor a transit gateway
// between the VPCs, the rule is stale and matches nothing (§7.1.12).
func (v *validator) groupReference(src Source, where string, g *SecurityGroup, r SecurityGroupRule) {
	peerVPC := r.GroupVPC
	if other := v.ix.SecurityGroups[r.Group]; peerVPC == "" && other != nil {
		peerVPC = other.VPC
	}
	if peerVPC == "" || g.VPC == "" || peerVPC == g.VPC {
		return
	}
	group := string(r.Group)
	if other := v.ix.SecurityGroups[r.Group]; other != nil {
		group = label(other.Name, other.ID)
	}
	p := v.tx.peerings[r.GroupPeering]
	if p == nil {
		p = v.tx.peeringBetween(v.t, g.VPC, peerVPC)
	}
	switch {
	case p != nil && p.InterRegion():
		v.ps.Errorf(src, "%s: security group %s is in VPC %s across the inter-region peering %s; AWS refuses security group references across regions, use CIDRs (§7.1.11)",
			where, group, v.vpcLabel(peerVPC), v.peeringLabel(p))
	case p == nil && !v.tx.sharedTGW(g.VPC, peerVPC):
		v.ps.Warnf(src, "%s: security group %s is in VPC %s, which neither a peering nor a transit gateway joins to VPC %s; the rule matches nothing (§7.1.12)",
			where, group, v.vpcLabel(peerVPC), v.vpcLabel(g.VPC))
	}
}

// transitGateways: the default route tables a gateway names are its own.
func (v *validator) transitGateways() {
	for _, g := range v.t.TransitGateways {
		for _, id := range []TGWRouteTableID{g.AssociationDefaultTable, g.PropagationDefaultTable} {
			if rt := v.tx.tables[id]; id != "" && rt != nil && rt.TransitGateway != g.ID {
				v.ps.Errorf(g.Src, "transit gateway %s: default route table %s belongs to transit gateway %s",
					label(g.Name, g.ID), label(rt.Name, rt.ID), v.tgwLabel(rt.TransitGateway))
			}
		}
	}
}

// tgwAttachments: the gateway and the association table exist, the table is the gateway's
// own (§7.2.4); per type, what the attachment joins (§7.2.9, §7.2.19, §7.2.20, §16).
func (v *validator) tgwAttachments() {
	once := map[[2]string]*TGWAttachment{} // (gateway, VPC or peer gateway): one attachment each
	for _, a := range v.t.TGWAttachments {
		who := "transit gateway attachment " + label(a.Name, a.ID)
		g := v.tx.tgws[a.TransitGateway]
		if a.TransitGateway != "" && g == nil {
			v.ps.Warnf(a.Src, "%s: transit gateway %s is not in the topology", who, a.TransitGateway)
		}
		if a.Type == "" {
			continue // the loader could not tell (and said why)
		}
		if !a.Type.Modelled() {
			v.ps.Warnf(a.Src, "%s: vpclab does not model %s attachments; packets routed to it are dropped (§7.2.2)", who, a.Type)
			continue
		}
		if a.Association != "" {
			switch rt := v.tx.tables[a.Association]; {
			case rt == nil && g != nil:
				v.ps.Errorf(a.Src, "%s: association route table %s is not in the topology", who, a.Association)
			case rt != nil && rt.TransitGateway != a.TransitGateway:
				v.ps.Errorf(a.Src, "%s: association route table %s belongs to transit gateway %s, not to %s (§7.2.4)",
					who, label(rt.Name, rt.ID), v.tgwLabel(rt.TransitGateway), v.tgwLabel(a.TransitGateway))
			}
		}
		switch a.Type {
		case AttachVPC:
			key := [2]string{string(a.TransitGateway), a.ResourceID}
			if first := once[key]; first != nil && attachmentLive(a.State) {
				v.ps.Errorf(a.Src, "%s: VPC %s already has attachment %s (%s) to transit gateway %s; a VPC attaches to a transit gateway once (§7.2.9)",
					who, v.vpcLabel(VPCID(a.ResourceID)), label(first.Name, first.ID), first.Src, v.tgwLabel(a.TransitGateway))
			} else if attachmentLive(a.State) {
				once[key] = a
			}
			v.vpcAttachment(who, a, g)
		case AttachVPN:
			switch c := v.tx.vpns[VPNConnectionID(a.ResourceID)]; {
			case a.ResourceID == "":
			case c == nil:
				v.ps.Warnf(a.Src, "%s: VPN connection %s is not in the topology", who, a.ResourceID)
			case c.TransitGateway != a.TransitGateway:
				v.ps.Errorf(a.Src, "%s: VPN connection %s is not on transit gateway %s (§7.2.20)", who, label(c.Name, c.ID), v.tgwLabel(a.TransitGateway))
			}
		case AttachDXGateway:
			switch dx := v.tx.dxgws[DXGatewayID(a.ResourceID)]; {
			case a.ResourceID == "":
			case dx == nil:
				v.ps.Warnf(a.Src, "%s: Direct Connect gateway %s is not in the topology", who, a.ResourceID)
			case !v.dxAssociated(dx.ID, string(a.TransitGateway)):
				v.ps.Warnf(a.Src, "%s: Direct Connect gateway %s has no association with transit gateway %s (§16.2)", who, label(dx.Name, dx.ID), v.tgwLabel(a.TransitGateway))
			}
		default: // peering
			if a.PeerTransitGateway == a.TransitGateway && a.TransitGateway != "" {
				v.ps.Errorf(a.Src, "%s: it peers transit gateway %s with itself (§7.2.19)", who, v.tgwLabel(a.TransitGateway))
			}
			key := [2]string{string(a.TransitGateway), "peer/" + string(a.PeerTransitGateway)}
			if first := once[key]; first != nil && attachmentLive(a.State) && a.PeerTransitGateway != "" {
				v.ps.Errorf(a.Src, "%s: transit gateway %s already has peering attachment %s (%s) to transit gateway %s; one per pair of gateways (§7.2.19)",
					who, v.tgwLabel(a.TransitGateway), label(first.Name, first.ID), first.Src, v.tgwLabel(a.PeerTransitGateway))
			} else if attachmentLive(a.State) {
				once[key] = a
			}
		}
	}
}

// vpcAttachment: the VPC is in the gateway's region (§7.2.1); its subnets are the VPC's, at
// most one per Availability Zone (§7.2.9).
func (v *validator) vpcAttachment(who string, a *TGWAttachment, g *TransitGateway) {
	switch vpc := v.ix.VPCs[VPCID(a.ResourceID)]; {
	case vpc == nil && a.ResourceID != "":
		v.ps.Warnf(a.Src, "%s: VPC %s is not in the topology", who, a.ResourceID)
	case vpc != nil && g != nil && vpc.Region != "" && g.Region != "" && vpc.Region != g.Region:
		v.ps.Errorf(a.Src, "%s: VPC %s is in region %s, transit gateway %s in region %s; a VPC attaches to a transit gateway of its own region (§7.2.1)",
			who, label(vpc.Name, vpc.ID), vpc.Region, label(g.Name, g.ID), g.Region)
	}
	byAZ := map[string]*Subnet{}
	for _, id := range a.Subnets {
		s := v.ix.Subnets[id]
		switch {
		case s == nil:
			v.ps.Warnf(a.Src, "%s: subnet %s is not in the topology", who, id)
			continue
		case s.VPC != VPCID(a.ResourceID) && a.ResourceID != "":
			v.ps.Errorf(a.Src, "%s: subnet %s is in VPC %s, not in the attached VPC %s (§7.2.9)", who, label(s.Name, s.ID), v.vpcLabel(s.VPC), v.vpcLabel(VPCID(a.ResourceID)))
		}
		if first := byAZ[s.AvailabilityZone]; first != nil {
			v.ps.Errorf(a.Src, "%s: subnets %s and %s are both in Availability Zone %q; an attachment has at most one subnet per Availability Zone (§7.2.9)",
				who, label(first.Name, first.ID), label(s.Name, s.ID), s.AvailabilityZone)
			continue
		}
		byAZ[s.AvailabilityZone] = s
	}
}

func (v *validator) dxAssociated(dx DXGatewayID, gateway string) bool {
	for _, as := range v.t.DXGatewayAssociations {
		if as.DXGateway == dx && as.Gateway == gateway {
			return true
		}
	}
	return false
}

// tgwRouteTables: propagations from attachments of the table's gateway, VPC blocks that
// AWS does not propagate because another attached VPC's overlap them (§7.2.5), one static
// route per prefix toward attachments of the same gateway (§7.2.6).
func (v *validator) tgwRouteTables() {
	for _, rt := range v.t.TGWRouteTables {
		name := label(rt.Name, rt.ID)
		who := "transit gateway route table " + name
		if rt.TransitGateway != "" && v.tx.tgws[rt.TransitGateway] == nil {
			v.ps.Warnf(rt.Src, "%s: transit gateway %s is not in the topology", who, rt.TransitGateway)
		}
		type propagated struct {
			a      *TGWAttachment
			blocks []netip.Prefix
		}
		var earlier []propagated
		for _, id := range rt.Propagations {
			a := v.tableAttachment(rt.Src, who+": propagation", rt, id)
			if a == nil {
				continue
			}
			switch a.Type {
			case AttachPeering, "tgw-peering":
				v.ps.Warnf(rt.Src, "%s: peering attachment %s propagates no routes; add static routes toward it (§7.2.19)", who, label(a.Name, a.ID))
			case AttachVPC:
				vpc := v.ix.VPCs[VPCID(a.ResourceID)]
				if vpc == nil {
					continue
				}
				blocks := propagatedBlocks(vpc.CIDRs, a.IPv6Support)
				for _, e := range earlier {
					if x, y, ok := firstOverlap(blocks, e.blocks); ok {
						v.ps.Warnf(a.Src, "transit gateway attachment %s: %s of VPC %s overlaps %s of VPC %s, already propagated into route table %s; AWS does not propagate VPC %s's routes there (§7.2.5)",
							label(a.Name, a.ID), x, label(vpc.Name, vpc.ID), y, v.vpcLabel(VPCID(e.a.ResourceID)), name, label(vpc.Name, vpc.ID))
						blocks = nil
						break
					}
				}
				if blocks != nil {
					earlier = append(earlier, propagated{a, blocks})
				}
			}
		}
		v.tgwStaticRoutes(who, rt)
	}
}

// propagatedBlocks is the blocks a VPC attachment propagates: IPv4, and IPv6 when enabled (§7.2.5).
func propagatedBlocks(blocks []netip.Prefix, ipv6 bool) []netip.Prefix {
	var out []netip.Prefix
	for _, b := range blocks {
		if b.Addr().Is4() || ipv6 {
			out = append(out, b)
		}
	}
	return out
}

func (v *validator) tgwStaticRoutes(who string, rt *TGWRouteTable) {
	seen := map[netip.Prefix]Source{}
	for _, r := range rt.Routes {
		if r.Type == TGWRoutePropagated {
			continue
		}
		src := r.Src
		if src.File == "" {
			src = rt.Src
		}
		dest := r.Destination.String()
		if r.PrefixList != "" {
			dest = string(r.PrefixList)
		}
		where := fmt.Sprintf("%s: route %s", who, dest)
		if r.Destination.IsValid() {
			if first, dup := seen[r.Destination]; dup {
				v.ps.Errorf(src, "%s: the table already has a static route to %s (%s); one per prefix (§7.2.6)", where, dest, first)
			} else {
				seen[r.Destination] = src
			}
		}
		if r.State == TGWRouteBlackhole {
			continue
		}
		if len(r.Attachments) == 0 {
			v.ps.Errorf(src, "%s: a static route targets an attachment or is a blackhole (§7.2.6)", where)
		}
		for _, id := range r.Attachments {
			v.tableAttachment(src, where, rt, id)
		}
	}
	for _, ref := range rt.PrefixListReferences {
		src := ref.Src
		if src.File == "" {
			src = rt.Src
		}
		where := fmt.Sprintf("%s: prefix list reference %s", who, ref.PrefixList)
		if v.prefixList(ref.PrefixList) == nil {
			v.ps.Warnf(src, "%s: prefix list %s is not in the topology", where, ref.PrefixList)
		}
		if !ref.Blackhole {
			v.tableAttachment(src, where, rt, ref.Attachment)
		}
	}
}

// tableAttachment resolves an attachment a table names; it must be on the table's gateway.
func (v *validator) tableAttachment(src Source, where string, rt *TGWRouteTable, id TGWAttachmentID) *TGWAttachment {
	a := v.tx.attachments[id]
	switch {
	case a == nil:
		v.ps.Warnf(src, "%s: attachment %s is not in the topology; packets that match are dropped", where, id)
	case a.TransitGateway != rt.TransitGateway:
		v.ps.Errorf(src, "%s: attachment %s is on transit gateway %s, not on the table's transit gateway %s",
			where, label(a.Name, a.ID), v.tgwLabel(a.TransitGateway), v.tgwLabel(rt.TransitGateway))
		return nil
	}
	return a
}
