package model

import (
	"net/netip"
	"strings"
)

// Validation of routing: route tables and their routes, internet gateways, VGWs and VPN
// connections.

// reservedLinkLocal is the range no route may equal or sit inside (§1.1.7).
var reservedLinkLocal = netip.MustParsePrefix("169.254.168.0/22")

// routeTables: explicit subnet associations (one table per subnet, §1.1.3), gateway tables
// (§1.1.4), propagation (§1.4) and every route.
func (v *validator) routeTables() {
	assoc := make(map[SubnetID]*RouteTable, len(v.t.Subnets))
	for _, rt := range v.t.RouteTables {
		name := label(rt.Name, rt.ID)
		vpc := v.ix.VPCs[rt.VPC]
		if rt.VPC != "" && vpc == nil {
			v.ps.Warnf(rt.Src, "route table %s: VPC %s is not in the topology", name, rt.VPC)
		}
		if rt.Main && len(rt.Gateways) > 0 {
			v.ps.Errorf(rt.Src, "route table %s: a gateway route table cannot be the main route table (§1.1.4)", name)
		}
		for _, id := range rt.Subnets {
			v.association(rt.Src, "route table "+name, rt.VPC, id)
			if first := assoc[id]; first != nil && first != rt {
				v.ps.Errorf(rt.Src, "route table %s: subnet %s is already associated with route table %s; a subnet has one route table (§1.1.3)",
					name, v.subnetLabel(id), label(first.Name, first.ID))
			}
			assoc[id] = rt
		}
		for _, id := range rt.PropagatingVGWs {
			g := v.ix.VPNGateways[id]
			switch {
			case g == nil:
				v.ps.Warnf(rt.Src, "route table %s: propagating VPN gateway %s is not in the topology", name, id)
			case g.VPC != rt.VPC:
				v.ps.Errorf(rt.Src, "route table %s: propagating VPN gateway %s is not attached to VPC %s (§1.4.1)",
					name, label(g.Name, g.ID), v.vpcLabel(rt.VPC))
			}
		}
		seen := map[string]bool{}
		for _, r := range rt.Routes {
			src := r.Src
			if src.File == "" {
				src = rt.Src
			}
			dest := r.DestinationString()
			if pl := v.prefixList(r.DestinationPrefixList); pl != nil {
				dest = label(pl.Name, pl.ID)
			}
			where := "route " + dest + " in " + name
			if r.Origin != OriginEnableVgwRoutePropagation {
				if seen[r.DestinationString()] {
					v.ps.Errorf(src, "%s: the table already has a route to %s", where, r.DestinationString())
				}
				seen[r.DestinationString()] = true
			}
			v.route(src, where, rt, vpc, r)
		}
	}
}

func (v *validator) subnetLabel(id SubnetID) string {
	if s := v.ix.Subnets[id]; s != nil {
		return label(s.Name, s.ID)
	}
	return string(id)
}

// association checks that an associated subnet exists and lives in the owner's VPC.
func (v *validator) association(src Source, owner string, vpc VPCID, id SubnetID) {
	s := v.ix.Subnets[id]
	switch {
	case s == nil:
		v.ps.Warnf(src, "%s: associated subnet %s is not in the topology", owner, id)
	case vpc != "" && s.VPC != vpc:
		v.ps.Errorf(src, "%s: subnet %s is in VPC %s, not in VPC %s", owner, label(s.Name, s.ID), v.vpcLabel(s.VPC), v.vpcLabel(vpc))
	}
}

// route checks one route: reserved destinations (§1.1.7), routes inside the VPC CIDR (§1.2.5),
// and its target: present, and in the table's VPC.
func (v *validator) route(src Source, where string, rt *RouteTable, vpc *VPC, r Route) {
	if r.DestinationPrefixList != "" && v.prefixList(r.DestinationPrefixList) == nil {
		v.ps.Warnf(src, "%s: prefix list %s is not in the topology", where, r.DestinationPrefixList)
	}
	d := r.Destination
	if d.IsValid() {
		if d.Addr().Is4() && d.Bits() >= reservedLinkLocal.Bits() && reservedLinkLocal.Contains(d.Addr()) {
			v.ps.Errorf(src, "%s: the destination lies in the reserved range %s (§1.1.7)", where, reservedLinkLocal)
		}
		isVPC, inside := false, false
		if vpc != nil {
			for _, c := range vpc.CIDRs {
				isVPC = isVPC || c == d
				inside = inside || (c.Bits() < d.Bits() && c.Contains(d.Addr()))
			}
		}
		switch {
		case inside && r.Origin != OriginEnableVgwRoutePropagation:
			if !v.isSubnetCIDR(vpc.ID, d) {
				v.ps.Errorf(src, "%s: a route inside VPC %s's CIDR must be exactly a subnet's CIDR (§1.2.5)", where, label(vpc.Name, vpc.ID))
			}
			if !r.Target.Kind.Info().InVPCCIDR {
				v.ps.Errorf(src, "%s: a route inside VPC %s's CIDR can only target a %s, not %s (%s) (§1.2.5)",
					where, label(vpc.Name, vpc.ID), inVPCCIDRTargets, r.Target.ID, r.Target.Kind)
			}
		case r.Target.Kind == TargetLocal && !isVPC && vpc != nil:
			v.ps.Errorf(src, "%s: the local target is only for the VPC's own CIDRs %v (§1.1.5)", where, vpc.CIDRs)
		}
	}
	if r.State == RouteBlackhole {
		return // a blackhole route points at something gone, by definition (§1.2.6)
	}
	if r.Target.Kind == TargetVPCEndpoint {
		v.endpointRoute(src, where, rt, r)
		return
	}
	v.routeTarget(src, where, rt, r.Target)
}

// inVPCCIDRTargets lists the kinds a route inside the VPC CIDR may target, as messages say
// them: "NAT gateway, network interface, instance or VPC endpoint".
var inVPCCIDRTargets = func() string {
	var nouns []string
	for _, r := range TargetKinds() {
		if r.InVPCCIDR {
			nouns = append(nouns, r.Noun)
		}
	}
	if len(nouns) < 2 {
		return strings.Join(nouns, "")
	}
	return strings.Join(nouns[:len(nouns)-1], ", ") + " or " + nouns[len(nouns)-1]
}()

func (v *validator) isSubnetCIDR(vpc VPCID, p netip.Prefix) bool {
	for _, s := range v.t.Subnets {
		if s.VPC == vpc && s.CIDR == p {
			return true
		}
	}
	return false
}

func (v *validator) routeTarget(src Source, where string, rt *RouteTable, tg Target) {
	noun := tg.Kind.Info().Noun
	missing := func() {
		v.ps.Warnf(src, "%s: target %s %s is not in the topology; packets that match the route are dropped", where, noun, tg.ID)
	}
	elsewhere := func(name string, in VPCID) {
		if in != rt.VPC && in != "" && rt.VPC != "" {
			v.ps.Errorf(src, "%s: %s %s is in VPC %s, not in the table's VPC %s", where, noun, name, v.vpcLabel(in), v.vpcLabel(rt.VPC))
		}
	}
	detached := func(name string) {
		v.ps.Warnf(src, "%s: %s %s is detached; AWS shows the route as blackhole (§1.2.6)", where, noun, name)
	}
	switch tg.Kind {
	case TargetLocal:
	case TargetInternetGateway:
		g := v.internetGateway(InternetGatewayID(tg.ID))
		switch {
		case g == nil:
			missing()
		case g.VPC == "":
			detached(label(g.Name, g.ID))
		default:
			elsewhere(label(g.Name, g.ID), g.VPC)
		}
	case TargetNATGateway:
		if n := v.ix.NATGateways[NATGatewayID(tg.ID)]; n == nil {
			missing()
		} else {
			elsewhere(label(n.Name, n.ID), n.VPC)
		}
	case TargetNetworkInterface:
		if e := v.ix.ENIs[ENIID(tg.ID)]; e == nil {
			missing()
		} else {
			elsewhere(label(e.Name, e.ID), e.VPC)
		}
	case TargetInstance:
		in := v.ix.Instances[InstanceID(tg.ID)]
		if in == nil {
			missing()
		} else if len(in.ENIs) > 0 {
			if e := v.ix.ENIs[in.ENIs[0]]; e != nil {
				elsewhere(label(in.Name, in.ID), e.VPC)
			}
		}
	case TargetVPNGateway:
		g := v.ix.VPNGateways[VPNGatewayID(tg.ID)]
		switch {
		case g == nil:
			missing()
		case g.VPC == "":
			detached(label(g.Name, g.ID))
		default:
			elsewhere(label(g.Name, g.ID), g.VPC)
		}
	case TargetPeering:
		if !v.peeringTarget(src, where, rt, PeeringID(tg.ID)) {
			missing()
		}
	case TargetTransitGateway:
		if !v.tgwTarget(src, where, rt, TransitGatewayID(tg.ID)) {
			missing()
		}
	default:
		switch info := tg.Kind.Info(); {
		case info.Kind == 0:
			v.ps.Errorf(src, "%s: the route has no target", where)
		case !info.Modelled:
			v.ps.Warnf(src, "%s: target %s is a %s, which the topology does not describe; packets that match the route are dropped",
				where, tg.ID, tg.Kind)
		}
	}
}

func (v *validator) internetGateway(id InternetGatewayID) *InternetGateway {
	for _, g := range v.t.InternetGateways {
		if g.ID == id {
			return g
		}
	}
	return nil
}

func (v *validator) prefixList(id PrefixListID) *PrefixList {
	for _, p := range v.t.PrefixLists {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// internetGateways: one IGW per VPC (§3.1), attached to a VPC that exists.
func (v *validator) internetGateways() {
	attached := map[VPCID]*InternetGateway{}
	for _, g := range v.t.InternetGateways {
		if g.VPC == "" {
			continue
		}
		if v.ix.VPCs[g.VPC] == nil {
			v.ps.Warnf(g.Src, "internet gateway %s: attached VPC %s is not in the topology", label(g.Name, g.ID), g.VPC)
		}
		if first := attached[g.VPC]; first != nil {
			v.ps.Errorf(g.Src, "internet gateway %s: VPC %s already has internet gateway %s attached; a VPC has at most one (§3.1)",
				label(g.Name, g.ID), v.vpcLabel(g.VPC), label(first.Name, first.ID))
			continue
		}
		attached[g.VPC] = g
	}
}

// hybrid: VGWs attached to VPCs that exist (§7.3.1), VPN connections and on-premises networks
// on VGWs that exist, on-premises hosts inside their network.
func (v *validator) hybrid() {
	for _, g := range v.t.VPNGateways {
		if g.VPC != "" && v.ix.VPCs[g.VPC] == nil {
			v.ps.Warnf(g.Src, "VPN gateway %s: attached VPC %s is not in the topology", label(g.Name, g.ID), g.VPC)
		}
	}
	for _, c := range v.t.VPNConnections {
		if c.VPNGateway != "" && v.ix.VPNGateways[c.VPNGateway] == nil {
			v.ps.Warnf(c.Src, "VPN connection %s: VPN gateway %s is not in the topology", label(c.Name, c.ID), c.VPNGateway)
		}
	}
	for _, o := range v.t.OnPremises {
		if o.VPNGateway != "" && v.ix.VPNGateways[o.VPNGateway] == nil {
			v.ps.Warnf(o.Src, "on-premises network %s: VPN gateway %s is not in the topology", o.Name, o.VPNGateway)
		}
		for _, h := range o.Hosts {
			if h.IP.IsValid() && len(o.CIDRs) > 0 && !insideAny(netip.PrefixFrom(h.IP, h.IP.BitLen()), o.CIDRs) {
				v.ps.Errorf(h.Src, "on-premises host %s: IP %s is not in network %s %v", h.Name, h.IP, o.Name, o.CIDRs)
			}
		}
	}
}
