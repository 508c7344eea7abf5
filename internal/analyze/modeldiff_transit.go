package analyze

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// The diff's rows for what joins VPCs: peering connections (§7.1), transit gateways, their
// attachments and route tables (§7.2), Direct Connect gateways, their associations and
// virtual interfaces (§16).
//
// What a change touches, as VPCs whose every flow is evaluated again (a superset is correct,
// a missing VPC is not):
//
//   - a peering: its two VPCs. A packet crossing into a VPC needs its source or destination
//     in that VPC (§7.1.6), so every flow over the peering has an end in one of them;
//   - a transit gateway, a Direct Connect gateway, an association or a virtual interface:
//     every VPC the gateway reaches (view.reach): the VPCs attached to it, and those of the
//     gateways joined to it by transit gateway peering, Direct Connect gateway attachments
//     and associations;
//   - an attachment: flows that enter or leave the gateway through it. For a VPC attachment
//     that is its VPC, unless a route of the gateway sends traffic for other networks to it
//     (an inspection or egress VPC, transit.onward): then flows between any two VPCs may pass
//     through it, and the change touches all the gateway reaches. Other attachments (peering,
//     VPN, Direct Connect) bring traffic from beyond: all the gateway reaches too;
//   - a transit gateway route table: it decides for packets arriving from the attachments
//     associated with it (§7.2.4), so it touches what those attachments touch.
//
// Flows from or to on-premises hosts are compared in full anyway (diff.touched: their
// endpoints are not interfaces).

func peeringRow() kindRow {
	return rowOf[model.VPCPeering]{
		kind: "vpc-peering-connection",
		list: func(t *model.Topology) []*model.VPCPeering { return t.Peerings },
		id:   func(p *model.VPCPeering) string { return string(p.ID) },
		name: func(p *model.VPCPeering) string { return p.Name },
		match: []matchKey[model.VPCPeering]{
			{"Name tag", func(_ *side, p *model.VPCPeering) string { return key(p.Name) }},
			{"VPC pair", func(m *side, p *model.VPCPeering) string { return key(ref(m, p.Requester.VPC), ref(m, p.Accepter.VPC)) }},
		},
		lines: func(_ *differ, b, a *model.VPCPeering) []string { return peeringLines(b, a) },
		vpcs: func(_ *differ, b, a *model.VPCPeering) []model.VPCID {
			var out []model.VPCID
			for _, p := range []*model.VPCPeering{b, a} {
				if p != nil {
					out = append(out, p.Requester.VPC, p.Accepter.VPC)
				}
			}
			return out
		},
	}.row()
}

func directConnectGatewayRow() kindRow {
	return rowOf[model.DXGateway]{
		kind: "direct-connect-gateway",
		list: func(t *model.Topology) []*model.DXGateway { return t.DXGateways },
		id:   func(g *model.DXGateway) string { return string(g.ID) },
		name: func(g *model.DXGateway) string { return g.Name },
		match: []matchKey[model.DXGateway]{
			{"name", func(_ *side, g *model.DXGateway) string { return key(g.Name) }},
		},
		lines: func(_ *differ, b, a *model.DXGateway) []string {
			return fieldLines(b, a, func(g *model.DXGateway) string {
				return fmt.Sprintf("ASN %d, account %s, state %s", g.ASN, g.Account, orDash(g.State))
			})
		},
		vpcs: func(d *differ, b, a *model.DXGateway) []model.VPCID { return d.reach(string(pick2(b, a).ID)) },
	}.row()
}

func transitGatewayRow() kindRow {
	return rowOf[model.TransitGateway]{
		kind: "transit-gateway",
		list: func(t *model.Topology) []*model.TransitGateway { return t.TransitGateways },
		id:   func(g *model.TransitGateway) string { return string(g.ID) },
		name: func(g *model.TransitGateway) string { return g.Name },
		match: []matchKey[model.TransitGateway]{
			{"Name tag", func(_ *side, g *model.TransitGateway) string { return key(g.Name) }},
			{"region and ASN", func(_ *side, g *model.TransitGateway) string { return key(g.Region, fmt.Sprint(g.ASN)) }},
		},
		lines: func(_ *differ, b, a *model.TransitGateway) []string { return tgwLines(b, a) },
		vpcs:  func(d *differ, b, a *model.TransitGateway) []model.VPCID { return d.reach(string(pick2(b, a).ID)) },
	}.row()
}

func virtualInterfaceRow() kindRow {
	return rowOf[model.VirtualInterface]{
		kind: "virtual-interface",
		list: func(t *model.Topology) []*model.VirtualInterface { return t.VirtualInterfaces },
		id:   func(v *model.VirtualInterface) string { return string(v.ID) },
		name: func(v *model.VirtualInterface) string { return v.Name },
		match: []matchKey[model.VirtualInterface]{
			{"name", func(_ *side, v *model.VirtualInterface) string { return key(v.Name) }},
			{"gateway and type", func(m *side, v *model.VirtualInterface) string {
				return key(ref(m, string(v.DXGateway)+string(v.VPNGateway)), v.Type)
			}},
		},
		lines: func(_ *differ, b, a *model.VirtualInterface) []string {
			return fieldLines(b, a, func(v *model.VirtualInterface) string {
				return fmt.Sprintf("%s to %s%s, MTU %d, ASN %d, state %s", orDash(v.Type), v.DXGateway, v.VPNGateway, v.MTU, v.ASN, orDash(v.State))
			})
		},
		vpcs: func(d *differ, b, a *model.VirtualInterface) []model.VPCID {
			var ids []string
			for _, v := range []*model.VirtualInterface{b, a} {
				if v != nil {
					ids = append(ids, string(v.DXGateway), string(v.VPNGateway))
				}
			}
			return d.reach(ids...)
		},
	}.row()
}

func directConnectAssociationRow() kindRow {
	return rowOf[model.DXGatewayAssociation]{
		kind: "direct-connect-gateway-association",
		list: func(t *model.Topology) []*model.DXGatewayAssociation { return t.DXGatewayAssociations },
		id:   func(x *model.DXGatewayAssociation) string { return string(x.ID) },
		match: []matchKey[model.DXGatewayAssociation]{
			{"gateways", func(m *side, x *model.DXGatewayAssociation) string {
				return key(ref(m, x.DXGateway), ref(m, x.Gateway))
			}},
		},
		lines: func(_ *differ, b, a *model.DXGatewayAssociation) []string {
			return fieldLines(b, a, func(x *model.DXGatewayAssociation) string {
				return fmt.Sprintf("%s with %s, allowed prefixes %v, state %s", x.DXGateway, x.Gateway, x.AllowedPrefixes, orDash(x.State))
			})
		},
		vpcs: func(d *differ, b, a *model.DXGatewayAssociation) []model.VPCID {
			var ids []string
			for _, x := range []*model.DXGatewayAssociation{b, a} {
				if x != nil {
					ids = append(ids, string(x.DXGateway), x.Gateway)
				}
			}
			return d.reach(ids...)
		},
	}.row()
}

func tgwAttachmentRow() kindRow {
	return rowOf[model.TGWAttachment]{
		kind: "transit-gateway-attachment",
		list: func(t *model.Topology) []*model.TGWAttachment { return t.TGWAttachments },
		id:   func(x *model.TGWAttachment) string { return string(x.ID) },
		name: func(x *model.TGWAttachment) string { return x.Name },
		match: []matchKey[model.TGWAttachment]{
			{"Name tag", func(m *side, x *model.TGWAttachment) string { return key(ref(m, x.TransitGateway), x.Name) }},
			{"transit gateway and resource", func(m *side, x *model.TGWAttachment) string {
				return key(ref(m, x.TransitGateway), ref(m, x.ResourceID), string(x.Type))
			}},
		},
		lines: func(_ *differ, b, a *model.TGWAttachment) []string { return tgwAttachmentLines(b, a) },
		vpcs: func(d *differ, b, a *model.TGWAttachment) []model.VPCID {
			var out []model.VPCID
			for i, x := range []*model.TGWAttachment{b, a} {
				if x != nil {
					out = append(out, d.views()[i].attachmentReach(x)...)
				}
			}
			return out
		},
	}.row()
}

func tgwRouteTableRow() kindRow {
	return rowOf[model.TGWRouteTable]{
		kind: "transit-gateway-route-table",
		list: func(t *model.Topology) []*model.TGWRouteTable { return t.TGWRouteTables },
		id:   func(r *model.TGWRouteTable) string { return string(r.ID) },
		name: func(r *model.TGWRouteTable) string { return r.Name },
		match: []matchKey[model.TGWRouteTable]{
			{"Name tag", func(m *side, r *model.TGWRouteTable) string { return key(ref(m, r.TransitGateway), r.Name) }},
			{"associations", func(m *side, r *model.TGWRouteTable) string {
				var ids []model.TGWAttachmentID
				for _, x := range m.t.TGWAttachments {
					if x.Association == r.ID {
						ids = append(ids, x.ID)
					}
				}
				return when(len(ids) > 0, key(ref(m, r.TransitGateway), refSet(m, ids)))
			}},
			{"propagations", func(m *side, r *model.TGWRouteTable) string {
				return when(len(r.Propagations) > 0, key(ref(m, r.TransitGateway), refSet(m, r.Propagations)))
			}},
		},
		lines: func(d *differ, b, a *model.TGWRouteTable) []string {
			lines := append(tgwTableLines(b, a), setDiff(tgwRouteLines(b), tgwRouteLines(a), "")...)
			id := pick2(b, a).ID
			return append(lines, setDiff(d.vb.associated(b != nil, id), d.va.associated(a != nil, id), "association ")...)
		},
		// A change of the table's own touches every attachment associated with it; a change
		// of associations only, the attachments that came or went.
		vpcs: func(d *differ, b, a *model.TGWRouteTable) []model.VPCID {
			id := pick2(b, a).ID
			own := b == nil || a == nil || len(tgwTableLines(b, a)) > 0 || len(setDiff(tgwRouteLines(b), tgwRouteLines(a), "")) > 0
			before, after := d.vb.associated(b != nil, id), d.va.associated(a != nil, id)
			var out []model.VPCID
			for _, v := range d.views() {
				for _, x := range v.tr.assocs[id] {
					if own || !slices.Contains(before, string(x.ID)) || !slices.Contains(after, string(x.ID)) {
						out = append(out, v.attachmentReach(x)...)
					}
				}
			}
			return out
		},
	}.row()
}

// transit is what the diff needs to know about the constructs that join VPCs in one
// topology.
type transit struct {
	// links join gateways: a transit gateway to its peers and Direct Connect gateways, a
	// Direct Connect gateway to its associated gateways and virtual interfaces.
	links map[string][]string
	// vpcsOf are the VPCs a gateway attaches (a transit gateway's VPC attachments, a VGW's VPC).
	vpcsOf map[string][]model.VPCID
	assocs map[model.TGWRouteTableID][]*model.TGWAttachment
	// onward are the attachments a route sends traffic for other networks to.
	onward map[model.TGWAttachmentID]bool
}

func newTransit(t *model.Topology) *transit {
	tr := &transit{links: map[string][]string{}, vpcsOf: map[string][]model.VPCID{},
		assocs: map[model.TGWRouteTableID][]*model.TGWAttachment{}, onward: map[model.TGWAttachmentID]bool{}}
	link := func(x, y string) {
		if x != "" && y != "" {
			tr.links[x] = append(tr.links[x], y)
			tr.links[y] = append(tr.links[y], x)
		}
	}
	atts := map[model.TGWAttachmentID]*model.TGWAttachment{}
	for _, a := range t.TGWAttachments {
		atts[a.ID] = a
		g := string(a.TransitGateway)
		switch a.Type {
		case model.AttachVPC:
			tr.vpcsOf[g] = append(tr.vpcsOf[g], model.VPCID(a.ResourceID))
		default: // peering (the peer gateway), direct-connect-gateway, vpn (a leaf)
			link(g, a.ResourceID)
		}
		link(g, string(a.PeerTransitGateway))
		if a.Association != "" {
			tr.assocs[a.Association] = append(tr.assocs[a.Association], a)
		}
	}
	for _, g := range t.VPNGateways {
		if g.VPC != "" {
			tr.vpcsOf[string(g.ID)] = append(tr.vpcsOf[string(g.ID)], g.VPC)
		}
	}
	for _, x := range t.DXGatewayAssociations {
		link(string(x.DXGateway), x.Gateway)
	}
	for _, v := range t.VirtualInterfaces {
		link(string(v.ID), string(v.DXGateway))
	}
	cidrs := map[string][]netip.Prefix{}
	for _, v := range t.VPCs {
		cidrs[string(v.ID)] = v.CIDRs
	}
	for _, rt := range t.TGWRouteTables {
		for _, r := range rt.Routes {
			for _, id := range r.Attachments {
				if a := atts[id]; a != nil && (r.PrefixList != "" || !insideAny(r.Destination, cidrs[a.ResourceID])) {
					tr.onward[id] = true
				}
			}
		}
		for _, p := range rt.PrefixListReferences {
			tr.onward[p.Attachment] = true
		}
	}
	return tr
}

func insideAny(p netip.Prefix, in []netip.Prefix) bool {
	return slices.ContainsFunc(in, func(c netip.Prefix) bool { return c.Bits() <= p.Bits() && c.Contains(p.Addr()) })
}

// reach is every VPC the gateways ids reach in this topology, through the links between
// gateways.
func (v *view) reach(ids ...string) []model.VPCID {
	seen := map[string]bool{}
	var out []model.VPCID
	for stack := slices.Clone(ids); len(stack) > 0; {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, v.tr.vpcsOf[id]...)
		stack = append(stack, v.tr.links[id]...)
	}
	return out
}

// attachmentReach is the VPCs whose flows may pass through an attachment: its own VPC's,
// unless traffic for other networks is routed to it or it comes from beyond the gateway.
func (v *view) attachmentReach(a *model.TGWAttachment) []model.VPCID {
	if a.Type == model.AttachVPC && !v.tr.onward[a.ID] {
		return []model.VPCID{model.VPCID(a.ResourceID)}
	}
	return v.reach(string(a.TransitGateway), a.ResourceID, string(a.PeerTransitGateway))
}

// associated lists the attachments associated with a transit gateway route table, sorted;
// nothing when the view lacks the table.
func (v *view) associated(present bool, id model.TGWRouteTableID) []string {
	if !present {
		return nil
	}
	var out []string
	for _, a := range v.tr.assocs[id] {
		out = append(out, string(a.ID))
	}
	slices.Sort(out)
	return out
}

// reach is every VPC the gateways ids reach, in either topology.
func (d *differ) reach(ids ...string) []model.VPCID {
	var out []model.VPCID
	for _, v := range d.views() {
		out = append(out, v.reach(ids...)...)
	}
	return out
}
