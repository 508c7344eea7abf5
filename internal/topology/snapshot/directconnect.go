package snapshot

import (
	"strings"
	"unicode"

	"github.com/vpclab/vpclab/internal/model"
)

// buildDirectConnect maps the Direct Connect answers (§16.10): gateways, their associations
// with VGWs and transit gateways, virtual interfaces, and the attachments that join virtual
// interfaces to gateways. A Direct Connect gateway is global and each region's answer lists
// it, so repeats of a gateway or an association are skipped without a word.
func (l *loader) buildDirectConnect(t *model.Topology) {
	l.buildDXGateways(t)
	l.buildDXAssociations(t)
	l.buildVirtualInterfaces(t)
	l.attachVirtualInterfaces(t)
}

// buildDXGateways maps describe-direct-connect-gateways (§16.1). The account is
// ownerAccount, else the file's account folder.
func (l *loader) buildDXGateways(t *model.Topology) {
	ids := newSeen("Direct Connect gateway", l.dxGateways.len())
	ids.quiet = true
	for it := range l.dxGateways.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.DirectConnectGatewayId, "directConnectGatewayId", src) {
			continue
		}
		gw := &model.DXGateway{ID: model.DXGatewayID(g.DirectConnectGatewayId), Name: g.DirectConnectGatewayName,
			ASN: g.AmazonSideAsn, Account: g.OwnerAccount, State: g.DirectConnectGatewayState, Src: src}
		fill(&gw.Account, l.where(src).account)
		t.DXGateways = append(t.DXGateways, gw)
	}
}

// buildDXAssociations maps describe-direct-connect-gateway-associations (§16.2-3). The
// associated gateway is associatedGateway, or in older answers virtualGatewayId with its
// region and owner; its type, when the answer does not say it, follows from its ID. An
// association without associationId (older answers) is named "<gateway>/<vgw- or tgw->".
// Allowed prefixes may be IPv4 or IPv6.
func (l *loader) buildDXAssociations(t *model.Topology) {
	ids := newSeen("Direct Connect gateway association", l.dxAssocs.len())
	ids.quiet = true
	for it := range l.dxAssocs.all() {
		a, src := it.v, it.src
		as := &model.DXGatewayAssociation{DXGateway: model.DXGatewayID(a.DirectConnectGatewayId), State: a.AssociationState, Src: src}
		if g := a.AssociatedGateway; g != nil {
			as.Gateway, as.GatewayType, as.Account, as.Region = g.Id, g.Type, g.OwnerAccount, g.Region
		}
		fill(&as.Gateway, a.VirtualGatewayId)
		fill(&as.Account, a.VirtualGatewayOwnerAccount)
		fill(&as.Region, a.VirtualGatewayRegion)
		if as.Gateway == "" {
			l.probs.Errorf(src, "association has no associatedGateway.id (or virtualGatewayId); skipped")
			continue
		}
		if as.GatewayType == "" {
			switch {
			case strings.HasPrefix(as.Gateway, "vgw-"):
				as.GatewayType = model.DXAssocVGW
			case strings.HasPrefix(as.Gateway, "tgw-"):
				as.GatewayType = model.DXAssocTGW
			}
		}
		if as.GatewayType != model.DXAssocVGW && as.GatewayType != model.DXAssocTGW {
			l.probs.Warnf(src, "association of %s with %s: unknown gateway type %q (want %s or %s); it carries nothing",
				as.DXGateway, as.Gateway, as.GatewayType, model.DXAssocVGW, model.DXAssocTGW)
		}
		as.ID = model.DXGatewayAssociationID(a.AssociationId)
		if as.ID == "" {
			as.ID = model.DXGatewayAssociationID(a.DirectConnectGatewayId + "/" + as.Gateway)
		}
		if !ids.add(&l.probs, string(as.ID), "associationId", src) {
			continue
		}
		loc := l.where(src)
		fill(&as.Account, loc.account)
		fill(&as.Region, loc.region)
		for i, p := range a.AllowedPrefixesToDirectConnectGateway {
			if q, ok := l.anyPrefix(p.Cidr, at(src, ".%s[%d].%s", dxField(src, "allowedPrefixesToDirectConnectGateway"), i, dxField(src, "cidr"))); ok {
				as.AllowedPrefixes = append(as.AllowedPrefixes, q)
			}
		}
		t.DXGatewayAssociations = append(t.DXGatewayAssociations, as)
	}
}

// buildVirtualInterfaces maps describe-virtual-interfaces (§16.2, §16.7). The account and
// region are ownerAccount and region, else the file's folders.
func (l *loader) buildVirtualInterfaces(t *model.Topology) {
	ids := newSeen("virtual interface", l.vifs.len())
	for it := range l.vifs.all() {
		v, src := it.v, it.src
		if !ids.add(&l.probs, v.VirtualInterfaceId, "virtualInterfaceId", src) {
			continue
		}
		vif := &model.VirtualInterface{ID: model.VirtualInterfaceID(v.VirtualInterfaceId), Name: v.VirtualInterfaceName,
			Type: v.VirtualInterfaceType, DXGateway: model.DXGatewayID(v.DirectConnectGatewayId),
			VPNGateway: model.VPNGatewayID(v.VirtualGatewayId), State: v.VirtualInterfaceState, MTU: v.Mtu, ASN: v.Asn,
			Account: v.OwnerAccount, Region: v.Region, Src: src}
		loc := l.where(src)
		fill(&vif.Account, loc.account)
		fill(&vif.Region, loc.region)
		switch vif.Type {
		case "private", "transit":
		case "public":
			l.probs.Warnf(at(src, ".%s", dxField(src, "virtualInterfaceType")), "virtual interface %s is public: vpclab models private and transit virtual interfaces only; it carries nothing", vif.ID)
		default:
			l.probs.Warnf(at(src, ".%s", dxField(src, "virtualInterfaceType")), "virtual interface %s: unknown type %q (want private, transit or public); it carries nothing", vif.ID, v.VirtualInterfaceType)
		}
		t.VirtualInterfaces = append(t.VirtualInterfaces, vif)
	}
}

// attachVirtualInterfaces maps describe-direct-connect-gateway-attachments: an attached virtual
// interface is on its gateway (attaching, detaching and detached ones are not). A virtual
// interface that describe-virtual-interfaces did not list is added from the attachment.
func (l *loader) attachVirtualInterfaces(t *model.Topology) {
	vifs := make(map[model.VirtualInterfaceID]*model.VirtualInterface, len(t.VirtualInterfaces))
	for _, v := range t.VirtualInterfaces {
		vifs[v.ID] = v
	}
	ids := newSeen("Direct Connect gateway attachment", l.dxAttachments.len())
	ids.quiet = true
	for it := range l.dxAttachments.all() {
		a, src := it.v, it.src
		if a.VirtualInterfaceId == "" || a.DirectConnectGatewayId == "" {
			l.probs.Errorf(src, "attachment lacks its virtualInterfaceId or directConnectGatewayId; skipped")
			continue
		}
		if !ids.add(&l.probs, a.DirectConnectGatewayId+" "+a.VirtualInterfaceId, "virtualInterfaceId", src) {
			continue
		}
		if a.AttachmentState != "" && a.AttachmentState != model.StateAttached {
			continue
		}
		gw, id := model.DXGatewayID(a.DirectConnectGatewayId), model.VirtualInterfaceID(a.VirtualInterfaceId)
		vif := vifs[id]
		if vif == nil {
			vif = &model.VirtualInterface{ID: id, Type: vifType(a.AttachmentType), Account: a.VirtualInterfaceOwnerAccount,
				Region: a.VirtualInterfaceRegion, Src: src}
			loc := l.where(src)
			fill(&vif.Account, loc.account)
			fill(&vif.Region, loc.region)
			t.VirtualInterfaces = append(t.VirtualInterfaces, vif)
			vifs[id] = vif
		}
		switch vif.DXGateway {
		case "":
			vif.DXGateway = gw
		case gw:
		default:
			l.probs.Warnf(src, "virtual interface %s is attached to Direct Connect gateway %s here and to %s at %s; the first is kept",
				id, gw, vif.DXGateway, vif.Src)
		}
	}
}

// vifType is the virtual interface type an attachment's attachmentType names.
func vifType(attachmentType string) string {
	switch attachmentType {
	case "TransitVirtualInterface":
		return "transit"
	case "PrivateVirtualInterface":
		return "private"
	}
	return ""
}

// dxField spells a field of a Direct Connect answer for a path the way the answer at src
// spells its keys: lowerCamelCase as the AWS CLI prints it, or PascalCase as Batfish's
// fixtures do (a PascalCase top-level key).
func dxField(src model.Source, name string) string {
	if src.Path != "" && unicode.IsUpper(rune(src.Path[0])) {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	return name
}
