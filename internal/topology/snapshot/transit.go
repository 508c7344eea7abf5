package snapshot

import (
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// buildPeerings maps describe-vpc-peering-connections (§7.1, §9.4). Each side keeps its VPC,
// owner, region and the blocks the peering carries for it: CidrBlock and CidrBlockSet (the
// blocks §7.1.6 checks), Ipv6CidrBlockSet. A side's account or region the answer leaves out
// is its VPC's, when the snapshot holds the VPC.
func (l *loader) buildPeerings(t *model.Topology) {
	ids := newSeen("VPC peering connection", l.peerings.len())
	vpcs := make(map[model.VPCID]*model.VPC, len(t.VPCs))
	for _, v := range t.VPCs {
		vpcs[v.ID] = v
	}
	for it := range l.peerings.all() {
		p, src := it.v, it.src
		l.checkTime(p.ExpirationTime, src, ".ExpirationTime")
		if !ids.add(&l.probs, p.VpcPeeringConnectionId, "VpcPeeringConnectionId", src) {
			continue
		}
		pc := &model.VPCPeering{ID: model.PeeringID(p.VpcPeeringConnectionId), Status: p.Status.Code, Src: src}
		pc.Name, pc.Tags = tags(p.tagged)
		if pc.Status == "" {
			l.probs.Warnf(at(src, ".Status.Code"), "VPC peering connection %s has no Status.Code; only an active peering forwards (§7.1.3)", pc.ID)
		}
		pc.Requester = l.peeringSide(p.RequesterVpcInfo, at(src, ".RequesterVpcInfo"))
		pc.Accepter = l.peeringSide(p.AccepterVpcInfo, at(src, ".AccepterVpcInfo"))
		for _, side := range []*model.PeeringSide{&pc.Requester, &pc.Accepter} {
			if v := vpcs[side.VPC]; v != nil {
				fill(&side.Account, v.Account)
				fill(&side.Region, v.Region)
			}
		}
		t.Peerings = append(t.Peerings, pc)
	}
}

// peeringSide maps one VpcInfo of a peering. The primary CidrBlock comes first, then the
// rest of CidrBlockSet, without duplicates.
func (l *loader) peeringSide(v awsPeeringVpcInfo, src model.Source) model.PeeringSide {
	side := model.PeeringSide{VPC: model.VPCID(v.VpcId), Account: v.OwnerId, Region: v.Region}
	if v.VpcId == "" {
		l.probs.Errorf(at(src, ".VpcId"), "peering side has no VpcId")
	}
	if v.CidrBlock != "" {
		if p, ok := l.prefix(v.CidrBlock, at(src, ".CidrBlock")); ok {
			side.CIDRs = append(side.CIDRs, p)
		}
	}
	for i, c := range v.CidrBlockSet {
		if p, ok := l.prefix(c.CidrBlock, at(src, ".CidrBlockSet[%d].CidrBlock", i)); ok && !slices.Contains(side.CIDRs, p) {
			side.CIDRs = append(side.CIDRs, p)
		}
	}
	for i, c := range v.Ipv6CidrBlockSet {
		csrc := at(src, ".Ipv6CidrBlockSet[%d].Ipv6CidrBlock", i)
		p, ok := l.anyPrefix(c.Ipv6CidrBlock, csrc)
		switch {
		case !ok:
		case !p.Addr().Is6():
			l.probs.Errorf(csrc, "invalid CIDR %q: not IPv6", c.Ipv6CidrBlock)
		case !slices.Contains(side.IPv6CIDRs, p):
			side.IPv6CIDRs = append(side.IPv6CIDRs, p)
		}
	}
	if v.PeeringOptions != nil {
		side.AllowDNS = v.PeeringOptions.AllowDnsResolutionFromRemoteVpc
	}
	return side
}

// buildTransitGateways maps the transit gateway answers (§7.2, §9.5): the gateways, their
// route tables, the attachments (describe-transit-gateway-attachments, with the VPC and
// peering details of their own answers merged in by ID) and what each table holds
// (transit_tables.go).
func (l *loader) buildTransitGateways(t *model.Topology) {
	l.buildTGWs(t)
	tables := l.buildTGWRouteTables(t)
	attachments := l.buildTGWAttachments(t)
	l.tgwVPCAttachments(t, attachments)
	l.tgwPeeringAttachments(t, attachments)
	l.tgwTableContents(t, tables, attachments)
	l.tgwFinish(t, attachments)
}

// buildTGWs maps describe-transit-gateways (§7.2.1). An option the answer leaves out has
// its value at creation. The account is OwnerId, else the ARN's, else the file's account
// folder; the region is the ARN's, else the file's region folder, else (tgwFinish) that of
// an attached VPC.
func (l *loader) buildTGWs(t *model.Topology) {
	ids := newSeen("transit gateway", l.tgws.len())
	for it := range l.tgws.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.TransitGatewayId, "TransitGatewayId", src) {
			continue
		}
		o, osrc := g.Options, at(src, ".Options")
		region, account := arnParts(g.TransitGatewayArn)
		loc := l.where(src)
		tgw := &model.TransitGateway{ID: model.TransitGatewayID(g.TransitGatewayId), Account: g.OwnerId, Region: region,
			State: g.State, ASN: o.AmazonSideAsn,
			AssociationDefaultTable: model.TGWRouteTableID(o.AssociationDefaultRouteTableId),
			PropagationDefaultTable: model.TGWRouteTableID(o.PropagationDefaultRouteTableId),
			DefaultAssociation:      l.option(o.DefaultRouteTableAssociation, true, at(osrc, ".DefaultRouteTableAssociation")),
			DefaultPropagation:      l.option(o.DefaultRouteTablePropagation, true, at(osrc, ".DefaultRouteTablePropagation")),
			VPNECMP:                 l.option(o.VpnEcmpSupport, true, at(osrc, ".VpnEcmpSupport")),
			DNSSupport:              l.option(o.DnsSupport, true, at(osrc, ".DnsSupport")),
			SGReferencing:           l.option(o.SecurityGroupReferencingSupport, false, at(osrc, ".SecurityGroupReferencingSupport")),
			Src:                     src}
		fill(&tgw.Account, account)
		fill(&tgw.Account, loc.account)
		fill(&tgw.Region, loc.region)
		tgw.Name, tgw.Tags = tags(g.tagged)
		for i, c := range o.TransitGatewayCidrBlocks {
			if p, ok := l.anyPrefix(c, at(osrc, ".TransitGatewayCidrBlocks[%d]", i)); ok && !slices.Contains(tgw.CIDRBlocks, p) {
				tgw.CIDRBlocks = append(tgw.CIDRBlocks, p)
			}
		}
		t.TransitGateways = append(t.TransitGateways, tgw)
	}
}

// option reads an enable/disable option. Absent, it has def, AWS's value at creation;
// another value is a warning, and reads as def.
func (l *loader) option(v string, def bool, src model.Source) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def
	case "enable", "enabled":
		return true
	case "disable", "disabled":
		return false
	}
	read := "disable"
	if def {
		read = "enable"
	}
	l.probs.Warnf(src, "unknown option value %q (want enable or disable); read as %s", v, read)
	return def
}

// isPeering reports whether an attachment type is a transit gateway peering.
func isPeering(t model.TGWAttachmentType) bool {
	return t == model.AttachPeering || t == "tgw-peering"
}

// attachmentsByID are the attachments of the topology by ID. A peering attachment has one ID
// and two ends: each region's answer lists it on its own transit gateway, so it may map to
// two attachments, one per transit gateway.
type attachmentsByID map[model.TGWAttachmentID][]*model.TGWAttachment

// on returns the attachment id has on transit gateway g, or nil.
func (m attachmentsByID) on(id model.TGWAttachmentID, g model.TransitGatewayID) *model.TGWAttachment {
	for _, a := range m[id] {
		if a.TransitGateway == g {
			return a
		}
	}
	return nil
}

// buildTGWAttachments maps describe-transit-gateway-attachments (§7.2.2-4). Association is
// the attachment's own field; an attachment without one is unassociated (a snapshot records
// what AWS did: no default association is applied). An attachment listed again, by another
// account's answer, is a duplicate whose Association fills a first copy that lacked it (the
// transit gateway's owner sees the association, an attaching account may not). A peering
// attachment is one per transit gateway (attachmentsByID).
func (l *loader) buildTGWAttachments(t *model.Topology) attachmentsByID {
	byID := make(attachmentsByID, l.tgwAttachments.len())
	ids := newSeen("transit gateway attachment", l.tgwAttachments.len())
	for it := range l.tgwAttachments.all() {
		a, src := it.v, it.src
		id, kind := model.TGWAttachmentID(a.TransitGatewayAttachmentId), model.TGWAttachmentType(a.ResourceType)
		key := a.TransitGatewayAttachmentId
		if key != "" && isPeering(kind) {
			key += " on " + a.TransitGatewayId
		}
		if !ids.add(&l.probs, key, "TransitGatewayAttachmentId", src) {
			if first := byID.on(id, model.TransitGatewayID(a.TransitGatewayId)); first != nil && first.Association == "" && a.Association != nil {
				first.Association = model.TGWRouteTableID(a.Association.TransitGatewayRouteTableId)
				first.AssociationState = a.Association.State
			}
			continue
		}
		att := &model.TGWAttachment{ID: id, TransitGateway: model.TransitGatewayID(a.TransitGatewayId), Type: kind,
			ResourceID: a.ResourceId, ResourceOwner: a.ResourceOwnerId, State: a.State, Src: src}
		att.Name, att.Tags = tags(a.tagged)
		if a.Association != nil {
			att.Association = model.TGWRouteTableID(a.Association.TransitGatewayRouteTableId)
			att.AssociationState = a.Association.State
		}
		if isPeering(kind) { // the resource of a peering attachment is the other transit gateway
			att.PeerTransitGateway = model.TransitGatewayID(a.ResourceId)
			att.PeerAccount = a.ResourceOwnerId
		}
		t.TGWAttachments = append(t.TGWAttachments, att)
		byID[id] = append(byID[id], att)
	}
	return byID
}

// tgwVPCAttachments merges describe-transit-gateway-vpc-attachments into the attachments of
// the same ID (§7.2.9), or adds the attachment when the generic answer lacks it: its subnets
// (one per Availability Zone) and options. Absent options have their value at creation:
// DNS support and security group referencing on, appliance mode and IPv6 off (§7.2.13,
// §7.2.17).
func (l *loader) tgwVPCAttachments(t *model.Topology, byID attachmentsByID) {
	ids := newSeen("transit gateway VPC attachment", l.tgwVPCAttach.len())
	for it := range l.tgwVPCAttach.all() {
		v, src := it.v, it.src
		if !ids.add(&l.probs, v.TransitGatewayAttachmentId, "TransitGatewayAttachmentId", src) {
			continue
		}
		id := model.TGWAttachmentID(v.TransitGatewayAttachmentId)
		if len(byID[id]) == 0 {
			att := &model.TGWAttachment{ID: id, Type: model.AttachVPC, Src: src}
			att.Name, att.Tags = tags(v.tagged)
			t.TGWAttachments = append(t.TGWAttachments, att)
			byID[id] = append(byID[id], att)
		}
		o, osrc := v.Options, at(src, ".Options")
		for _, att := range byID[id] {
			if att.Type == "" {
				att.Type = model.AttachVPC
			}
			if att.Type != model.AttachVPC {
				l.probs.Warnf(src, "VPC attachment %s is a %s attachment in the attachments answer (%s); its VPC details are ignored", id, att.Type, att.Src)
				continue
			}
			if att.TransitGateway == "" {
				att.TransitGateway = model.TransitGatewayID(v.TransitGatewayId)
			}
			fill(&att.ResourceID, v.VpcId)
			fill(&att.ResourceOwner, v.VpcOwnerId)
			fill(&att.State, v.State)
			for _, s := range v.SubnetIds {
				if s != "" && !slices.Contains(att.Subnets, model.SubnetID(s)) {
					att.Subnets = append(att.Subnets, model.SubnetID(s))
				}
			}
			att.DNSSupport = l.option(o.DnsSupport, true, at(osrc, ".DnsSupport"))
			att.IPv6Support = l.option(o.Ipv6Support, false, at(osrc, ".Ipv6Support"))
			att.ApplianceMode = l.option(o.ApplianceModeSupport, false, at(osrc, ".ApplianceModeSupport"))
			att.SGReferencing = l.option(o.SecurityGroupReferencingSupport, true, at(osrc, ".SecurityGroupReferencingSupport"))
		}
	}
}

// tgwPeeringAttachments merges describe-transit-gateway-peering-attachments into the
// attachments of the same ID (§7.2.19): each end's peer is the side of RequesterTgwInfo and
// AccepterTgwInfo that is not its own transit gateway. When the attachments answer lacks the
// attachment, it is added on each side whose transit gateway the snapshot holds, else on
// the side in the file's region, else on the requester's.
func (l *loader) tgwPeeringAttachments(t *model.Topology, byID attachmentsByID) {
	ids := newSeen("transit gateway peering attachment", l.tgwPeerAttach.len())
	ids.quiet = true // each region of the peering lists it
	loaded := make(map[model.TransitGatewayID]bool, len(t.TransitGateways))
	for _, g := range t.TransitGateways {
		loaded[g.ID] = true
	}
	for it := range l.tgwPeerAttach.all() {
		p, src := it.v, it.src
		if !ids.add(&l.probs, p.TransitGatewayAttachmentId, "TransitGatewayAttachmentId", src) {
			continue
		}
		id := model.TGWAttachmentID(p.TransitGatewayAttachmentId)
		req, acc := p.RequesterTgwInfo, p.AccepterTgwInfo
		state := p.State
		fill(&state, p.Status.Code)
		if len(byID[id]) == 0 {
			var ends []awsTgwInfo
			for _, side := range []awsTgwInfo{req, acc} {
				if loaded[model.TransitGatewayID(side.TransitGatewayId)] {
					ends = append(ends, side)
				}
			}
			if len(ends) == 0 {
				ends = []awsTgwInfo{req}
				if r := l.where(src).region; r != "" && r == acc.Region && r != req.Region {
					ends = []awsTgwInfo{acc}
				}
			}
			for _, end := range ends {
				att := &model.TGWAttachment{ID: id, TransitGateway: model.TransitGatewayID(end.TransitGatewayId),
					Type: model.AttachPeering, Src: src}
				att.Name, att.Tags = tags(p.tagged)
				t.TGWAttachments = append(t.TGWAttachments, att)
				byID[id] = append(byID[id], att)
			}
		}
		for _, att := range byID[id] {
			var peer awsTgwInfo
			switch string(att.TransitGateway) {
			case req.TransitGatewayId:
				peer = acc
			case acc.TransitGatewayId:
				peer = req
			default:
				l.probs.Warnf(src, "peering attachment %s: its transit gateway %s (%s) is neither the requester's %s nor the accepter's %s; its peer is unknown",
					id, att.TransitGateway, att.Src, req.TransitGatewayId, acc.TransitGatewayId)
				continue
			}
			if att.Type == "" {
				att.Type = model.AttachPeering
			}
			att.PeerTransitGateway = model.TransitGatewayID(peer.TransitGatewayId)
			att.PeerAccount, att.PeerRegion = peer.OwnerId, peer.Region
			fill(&att.ResourceID, peer.TransitGatewayId)
			fill(&att.ResourceOwner, peer.OwnerId)
			fill(&att.State, state)
		}
	}
}

// tgwFinish completes what needs every attachment: the kind of attachment a propagated
// route came from when the search did not say (§7.2.7), the region of a transit gateway
// nothing else placed (that of a VPC it attaches: a transit gateway attaches VPCs of its
// own region only), and a warning for each attachment of a kind vpclab does not model.
func (l *loader) tgwFinish(t *model.Topology, byID attachmentsByID) {
	for _, rt := range t.TGWRouteTables {
		for i := range rt.Routes {
			r := &rt.Routes[i]
			if r.Type == model.TGWRoutePropagated && r.Via == "" && len(r.Attachments) > 0 {
				if as := byID[r.Attachments[0]]; len(as) > 0 {
					r.Via = as[0].Type
				}
			}
		}
	}
	vpcRegion := make(map[model.VPCID]string, len(t.VPCs))
	for _, v := range t.VPCs {
		vpcRegion[v.ID] = v.Region
	}
	tgwRegion := make(map[model.TransitGatewayID]string)
	for _, a := range t.TGWAttachments {
		if r := vpcRegion[model.VPCID(a.ResourceID)]; a.Type == model.AttachVPC && r != "" && tgwRegion[a.TransitGateway] == "" {
			tgwRegion[a.TransitGateway] = r
		}
		switch {
		case a.Type == "":
			l.probs.Warnf(a.Src, "transit gateway attachment %s has no ResourceType: packets reaching it are dropped", a.ID)
		case !a.Type.Modelled():
			l.probs.Warnf(a.Src, "transit gateway attachment %s is a %s attachment, which vpclab does not model: "+
				"packets reaching it are dropped (VPCLAB_UNSUPPORTED_COMPONENT, §7.2.2)", a.ID, a.Type)
		}
	}
	for _, g := range t.TransitGateways {
		fill(&g.Region, tgwRegion[g.ID])
	}
}
