package lab

import (
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Direct Connect gateways (§16): global, associated with VPN gateways or with transit
// gateways, reached from on-premises over virtual interfaces.
//
//	dx_gateways:
//	  dxgw:
//	    asn: 64512                        # the default Amazon-side ASN (account: the lab's)
//	    associations:                     # by gateway name (tgw:x or vgw:x when ambiguous)
//	      hub: {allowed_prefixes: [10.0.0.0/8]}   # advertised to on-premises (§16.3)
//	      # a VGW's association allows its VPC's CIDRs unless it says otherwise
//	    virtual_interfaces:
//	      dc-vif: {type: transit, mtu: 8500}      # type: private with VGWs, transit with
//	                                              # transit gateways (the default follows them)
//	on_premises:
//	  dc: {virtual_interface: dc-vif, cidrs: [192.168.0.0/16]}   # the prefixes it advertises
//
// A transit gateway association makes the gateway's attachment for the DX gateway unless the
// transit gateway writes it (transit.go).

var (
	dxGatewayKeys        = []string{"asn", "account", "associations", "virtual_interfaces"}
	dxAssociationKeys    = []string{"allowed_prefixes"}
	virtualInterfaceKeys = []string{"type", "mtu", "asn"}
)

func (l *loader) declareDXGateways() {
	for _, e := range l.entries(l.top.get("dx_gateways"), "Direct Connect gateway") {
		f := l.mapping(e.val, "Direct Connect gateway "+e.name, dxGatewayKeys)
		d := l.add(l.dxgws, e.name, e.line, f, nil)
		if d == nil {
			continue
		}
		d.id = model.DeriveUUID("dx_gateway/" + e.name) // a bare UUID, as AWS's (§16.1)
		x := &model.DXGateway{ID: model.DXGatewayID(d.id), Name: e.name, ASN: 64512, State: model.StateAvailable, Src: l.src(e.line)}
		_, x.Account = l.placeOf(f)
		if asn, ok := l.integer(f.get("asn"), f.what+": asn", 1, 4294967294); ok {
			x.ASN = asn
		}
		d.obj = x
		l.t.DXGateways = append(l.t.DXGateways, x)
		for _, v := range l.entries(f.get("virtual_interfaces"), "virtual interface") {
			vf := l.mapping(v.val, "virtual interface "+v.name, virtualInterfaceKeys)
			vd := l.add(l.vifs, v.name, v.line, vf, nil)
			if vd == nil {
				continue
			}
			vif := &model.VirtualInterface{ID: model.VirtualInterfaceID(vd.id), Name: v.name, DXGateway: x.ID,
				State: model.StateAvailable, MTU: 1500, Account: x.Account, Region: l.region, Src: l.src(v.line)}
			vd.obj = vif
			d.parts = append(d.parts, vd)
			l.t.VirtualInterfaces = append(l.t.VirtualInterfaces, vif)
		}
	}
}

// fillDXGateways makes the associations, then the virtual interfaces' types, whose default
// follows the associations (§16.2).
func (l *loader) fillDXGateways() {
	for _, d := range l.dxgws.list {
		x := d.obj.(*model.DXGateway)
		toTGW := false
		for _, e := range l.entries(d.f.get("associations"), "association") {
			f := l.mapping(e.val, d.f.what+": association with "+e.name, dxAssociationKeys)
			as := &model.DXGatewayAssociation{ID: model.DXGatewayAssociationID(model.DeriveUUID("dx_gateway_association/" + d.name + "/" + e.name)),
				DXGateway: x.ID, State: model.StateAssociated, Src: l.src(e.line)}
			for _, n := range l.list(f.get("allowed_prefixes"), f.what+": allowed_prefixes") {
				if p, ok := l.cidr(n, f.what+": allowed_prefixes"); ok {
					as.AllowedPrefixes = append(as.AllowedPrefixes, p)
				}
			}
			switch g, v := l.associatedGateway(e, f.what); {
			case g != nil:
				tgw := g.obj.(*model.TransitGateway)
				as.Gateway, as.GatewayType, as.Account, as.Region = string(tgw.ID), model.DXAssocTGW, tgw.Account, tgw.Region
				toTGW = true
				if !f.has("allowed_prefixes") {
					l.need(f, "allowed_prefixes", e.line, "allowed_prefixes: the prefixes advertised to on-premises (§16.3)")
				}
			case v != nil:
				vgw := v.obj.(*model.VPNGateway)
				as.Gateway, as.GatewayType = string(vgw.ID), model.DXAssocVGW
				if vpc := l.vpcByID(vgw.VPC); vpc != nil {
					as.Account, as.Region = vpc.Account, vpc.Region
					if !f.has("allowed_prefixes") {
						as.AllowedPrefixes = peeringSide(vpc).CIDRs // AWS's default: the VPC's CIDRs
					}
				}
			default:
				continue
			}
			l.t.DXGatewayAssociations = append(l.t.DXGatewayAssociations, as)
		}
		for _, vd := range d.parts {
			vif, f := vd.obj.(*model.VirtualInterface), vd.f
			vif.Type = "private"
			if toTGW {
				vif.Type = "transit"
			}
			if s, ok := l.oneOf(f.get("type"), f.what+": type", "private", "transit"); ok {
				vif.Type = s
			}
			if mtu, ok := l.integer(f.get("mtu"), f.what+": mtu", 1, 9001); ok {
				vif.MTU = int(mtu)
			}
			if asn, ok := l.integer(f.get("asn"), f.what+": asn", 1, 4294967294); ok {
				vif.ASN = asn
			}
		}
	}
}

// associatedGateway resolves the name an association is written under: a transit gateway
// or a VPN gateway, tgw:x or vgw:x when both have the name.
func (l *loader) associatedGateway(e entry, what string) (tgw, vgw *decl) {
	name := e.name
	kind, rest, prefixed := strings.Cut(name, ":")
	if prefixed && (kind == "tgw" || kind == "vgw") {
		name = rest
	}
	tgw, vgw = l.tgws.byName[name], l.vgws.byName[name]
	switch {
	case prefixed && kind == "tgw" && tgw != nil:
		return tgw, nil
	case prefixed && kind == "vgw" && vgw != nil:
		return nil, vgw
	case !prefixed && tgw != nil && vgw != nil:
		l.errorf(e.line, "%s: %q names a transit gateway and a VPN gateway; write tgw:%s or vgw:%s", what, name, name, name)
		return nil, nil
	case !prefixed && (tgw != nil || vgw != nil):
		return tgw, vgw
	}
	l.errorf(e.line, "%s: no transit gateway or VPN gateway named %q%s", what, name, suggest(name, append(l.tgws.names(), l.vgws.names()...)))
	return nil, nil
}
