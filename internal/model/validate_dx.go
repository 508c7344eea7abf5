package model

import (
	"fmt"
	"net/netip"
	"slices"
)

// Validation of Direct Connect gateways, their associations and virtual interfaces (§16),
// and of what reaches on-premises networks: VPN connections on transit gateways (§7.2.20).

// dxGateways: associations name gateways that exist; a DX gateway associates with VGWs or
// with transit gateways, not both (§16.2); allowed prefixes of its transit gateway
// associations do not overlap (§16.3); the VPCs behind its VGWs do not overlap (§16.6).
func (v *validator) dxGateways() {
	var order []DXGatewayID
	byDX := map[DXGatewayID][]*DXGatewayAssociation{}
	for _, as := range v.t.DXGatewayAssociations {
		who := fmt.Sprintf("Direct Connect gateway %s: association with %s", v.dxLabel(as.DXGateway), v.gatewayLabel(as))
		if v.tx.dxgws[as.DXGateway] == nil {
			v.ps.Warnf(as.Src, "%s: Direct Connect gateway %s is not in the topology", who, as.DXGateway)
		}
		switch as.GatewayType {
		case DXAssocVGW:
			if v.ix.VPNGateways[VPNGatewayID(as.Gateway)] == nil {
				v.ps.Warnf(as.Src, "%s: VPN gateway %s is not in the topology", who, as.Gateway)
			}
		case DXAssocTGW:
			if v.tx.tgws[TransitGatewayID(as.Gateway)] == nil {
				v.ps.Warnf(as.Src, "%s: transit gateway %s is not in the topology", who, as.Gateway)
			}
		default:
			v.ps.Errorf(as.Src, "%s: unknown gateway type %q (want %s or %s, §16.10)", who, as.GatewayType, DXAssocVGW, DXAssocTGW)
		}
		switch as.State {
		case "", StateAssociated, "associating", "updating":
			if byDX[as.DXGateway] == nil {
				order = append(order, as.DXGateway)
			}
			byDX[as.DXGateway] = append(byDX[as.DXGateway], as)
		}
	}
	for _, dx := range order {
		var vgws, tgws []*DXGatewayAssociation
		mixed := false
		for _, as := range byDX[dx] {
			switch as.GatewayType {
			case DXAssocVGW:
				vgws = append(vgws, as)
			case DXAssocTGW:
				tgws = append(tgws, as)
			}
			if !mixed && len(vgws) > 0 && len(tgws) > 0 {
				mixed = true
				first := tgws[0]
				if as.GatewayType == DXAssocTGW {
					first = vgws[0]
				}
				v.ps.Errorf(as.Src, "Direct Connect gateway %s: associated with %s and with %s; a Direct Connect gateway associates with VPN gateways or with transit gateways, not both (§16.2)",
					v.dxLabel(dx), v.gatewayNoun(first), v.gatewayNoun(as))
			}
		}
		for i, as := range tgws {
			for _, first := range tgws[:i] {
				if a, b, ok := firstOverlap(as.AllowedPrefixes, first.AllowedPrefixes); ok {
					v.ps.Errorf(as.Src, "Direct Connect gateway %s: allowed prefix %s of transit gateway %s overlaps allowed prefix %s of transit gateway %s (§16.3)",
						v.dxLabel(dx), a, v.gatewayLabel(as), b, v.gatewayLabel(first))
				}
			}
		}
		for i, as := range vgws {
			for _, first := range vgws[:i] {
				if a, b, ok := firstOverlap(v.vgwVPCBlocks(as), v.vgwVPCBlocks(first)); ok {
					v.ps.Errorf(as.Src, "Direct Connect gateway %s: VPC %s (%s) behind VPN gateway %s overlaps VPC %s (%s) behind VPN gateway %s; the VPCs behind one Direct Connect gateway do not overlap (§16.6)",
						v.dxLabel(dx), v.vpcLabel(v.vgwVPC(as)), a, v.gatewayLabel(as), v.vpcLabel(v.vgwVPC(first)), b, v.gatewayLabel(first))
				}
			}
		}
	}
}

func (v *validator) dxLabel(id DXGatewayID) string {
	if dx := v.tx.dxgws[id]; dx != nil {
		return label(dx.Name, dx.ID)
	}
	return string(id)
}

// gatewayLabel names the VGW or transit gateway of an association.
func (v *validator) gatewayLabel(as *DXGatewayAssociation) string {
	if g := v.ix.VPNGateways[VPNGatewayID(as.Gateway)]; g != nil && as.GatewayType == DXAssocVGW {
		return label(g.Name, g.ID)
	}
	if as.GatewayType == DXAssocTGW {
		return v.tgwLabel(TransitGatewayID(as.Gateway))
	}
	return as.Gateway
}

// gatewayNoun names the gateway of an association with its kind.
func (v *validator) gatewayNoun(as *DXGatewayAssociation) string {
	if as.GatewayType == DXAssocVGW {
		return "VPN gateway " + v.gatewayLabel(as)
	}
	return "transit gateway " + v.gatewayLabel(as)
}

func (v *validator) vgwVPC(as *DXGatewayAssociation) VPCID {
	if g := v.ix.VPNGateways[VPNGatewayID(as.Gateway)]; g != nil {
		return g.VPC
	}
	return ""
}

func (v *validator) vgwVPCBlocks(as *DXGatewayAssociation) []netip.Prefix {
	if vpc := v.ix.VPCs[v.vgwVPC(as)]; vpc != nil {
		return vpc.CIDRs
	}
	return nil
}

// virtualInterfaces: a private VIF attaches to a DX gateway with VGW associations, a transit
// VIF to one with transit gateway associations, a public VIF to none (§16.2); MTUs (§16.7).
func (v *validator) virtualInterfaces() {
	for _, f := range v.t.VirtualInterfaces {
		who := "virtual interface " + label(f.Name, f.ID)
		switch f.Type {
		case "private", "transit", "public":
		default:
			v.ps.Errorf(f.Src, "%s: unknown type %q (want private, transit or public)", who, f.Type)
			continue
		}
		mtus := map[string][]int{"private": {1500, 9001}, "transit": {1500, 8500}}[f.Type]
		if f.MTU != 0 && mtus != nil && !slices.Contains(mtus, f.MTU) {
			v.ps.Errorf(f.Src, "%s: MTU %d; a %s virtual interface has MTU %d or %d (§16.7)", who, f.MTU, f.Type, mtus[0], mtus[1])
		}
		if f.DXGateway == "" {
			continue
		}
		if v.tx.dxgws[f.DXGateway] == nil {
			v.ps.Warnf(f.Src, "%s: Direct Connect gateway %s is not in the topology", who, f.DXGateway)
		}
		want := map[string]string{"private": DXAssocVGW, "transit": DXAssocTGW}[f.Type]
		for _, as := range v.t.DXGatewayAssociations {
			if as.DXGateway != f.DXGateway || as.GatewayType == want {
				continue
			}
			switch f.Type {
			case "public":
				v.ps.Errorf(f.Src, "%s: a public virtual interface cannot attach to a Direct Connect gateway (§16.2)", who)
			case "private":
				v.ps.Errorf(f.Src, "%s: a private virtual interface attaches to a Direct Connect gateway associated with VPN gateways, but %s is associated with transit gateway %s; use a transit virtual interface (§16.2)",
					who, v.dxLabel(f.DXGateway), v.gatewayLabel(as))
			default:
				v.ps.Errorf(f.Src, "%s: a transit virtual interface attaches to a Direct Connect gateway associated with transit gateways, but %s is associated with VPN gateway %s; use a private virtual interface (§16.2)",
					who, v.dxLabel(f.DXGateway), v.gatewayLabel(as))
			}
			break
		}
	}
}

// transitHybrid: a VPN connection is on a VGW or a transit gateway, not both (§7.2.20); an
// on-premises network is reached one way, through objects that exist.
func (v *validator) transitHybrid() {
	for _, c := range v.t.VPNConnections {
		who := "VPN connection " + label(c.Name, c.ID)
		if c.VPNGateway != "" && c.TransitGateway != "" {
			v.ps.Errorf(c.Src, "%s: it is on VPN gateway %s and on transit gateway %s; a VPN connection ends on one gateway", who, c.VPNGateway, v.tgwLabel(c.TransitGateway))
		}
		if c.TransitGateway != "" && v.tx.tgws[c.TransitGateway] == nil {
			v.ps.Warnf(c.Src, "%s: transit gateway %s is not in the topology", who, c.TransitGateway)
		}
	}
	for _, o := range v.t.OnPremises {
		ways := 0
		for _, s := range []string{string(o.VPNGateway), string(o.VPNConnection), string(o.VirtualInterface)} {
			if s != "" {
				ways++
			}
		}
		if ways > 1 {
			v.ps.Errorf(o.Src, "on-premises network %s: it is reached through one VPN gateway, VPN connection or virtual interface, not %d", o.Name, ways)
		}
		if o.VPNConnection != "" && v.tx.vpns[o.VPNConnection] == nil {
			v.ps.Warnf(o.Src, "on-premises network %s: VPN connection %s is not in the topology", o.Name, o.VPNConnection)
		}
		if o.VirtualInterface != "" && v.tx.vifs[o.VirtualInterface] == nil {
			v.ps.Warnf(o.Src, "on-premises network %s: virtual interface %s is not in the topology", o.Name, o.VirtualInterface)
		}
	}
}
