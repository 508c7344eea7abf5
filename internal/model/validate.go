package model

import (
	"fmt"
	"net/netip"
)

// Validate checks AWS's own configuration rules on a topology (after ApplyDefaults) and
// returns every problem found, each with the Src of the offending object or route.
//
// Errors are configurations AWS itself refuses (a subnet outside its VPC, a second main route
// table, a public NAT gateway without an Elastic IP). Warnings are references to objects the
// topology does not hold: snapshots are often partial, and the engine fails closed on them.
//
// Missing or unparsable values (an invalid prefix or address) are not reported here: the
// loader that could not parse them has already said so, and saying it twice is noise.
func Validate(t *Topology) Problems {
	v := &validator{t: t, ix: NewIndex(t)}
	v.uniqueIDs()
	v.vpcs()
	v.subnets()
	v.routeTables()
	v.internetGateways()
	v.natGateways()
	v.interfaces()
	v.publicIPs()
	v.securityGroups()
	v.networkACLs()
	v.hybrid()
	return v.ps
}

type validator struct {
	t  *Topology
	ix *Index
	ps Problems
}

// label is how messages name an object: its Name when set, else its ID.
func label[ID ~string](name string, id ID) string {
	if name != "" {
		return name
	}
	return string(id)
}

func (v *validator) vpcLabel(id VPCID) string {
	if vpc := v.ix.VPCs[id]; vpc != nil {
		return label(vpc.Name, vpc.ID)
	}
	return string(id)
}

// uniqueIDs: IDs are unique per kind (§9.1).
func (v *validator) uniqueIDs() {
	t := v.t
	uniq(v, "VPC", t.VPCs)
	uniq(v, "subnet", t.Subnets)
	uniq(v, "route table", t.RouteTables)
	uniq(v, "internet gateway", t.InternetGateways)
	uniq(v, "NAT gateway", t.NATGateways)
	uniq(v, "Elastic IP", t.Addresses)
	uniq(v, "network interface", t.NetworkInterfaces)
	uniq(v, "instance", t.Instances)
	uniq(v, "security group", t.SecurityGroups)
	uniq(v, "network ACL", t.NetworkACLs)
	uniq(v, "VPN gateway", t.VPNGateways)
	uniq(v, "VPN connection", t.VPNConnections)
	uniq(v, "prefix list", t.PrefixLists)
}

// ident is what uniqueIDs needs of an object: its ID, its name and where it was declared.
type ident struct {
	id, name string
	src      Source
}

func (x *VPC) ident() ident              { return ident{string(x.ID), x.Name, x.Src} }
func (x *Subnet) ident() ident           { return ident{string(x.ID), x.Name, x.Src} }
func (x *RouteTable) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }
func (x *InternetGateway) ident() ident  { return ident{string(x.ID), x.Name, x.Src} }
func (x *NATGateway) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }
func (x *Address) ident() ident          { return ident{string(x.AllocationID), x.Name, x.Src} }
func (x *NetworkInterface) ident() ident { return ident{string(x.ID), x.Name, x.Src} }
func (x *Instance) ident() ident         { return ident{string(x.ID), x.Name, x.Src} }
func (x *SecurityGroup) ident() ident    { return ident{string(x.ID), x.Name, x.Src} }
func (x *NetworkACL) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }
func (x *VPNGateway) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }
func (x *VPNConnection) ident() ident    { return ident{string(x.ID), x.Name, x.Src} }
func (x *PrefixList) ident() ident       { return ident{string(x.ID), x.Name, x.Src} }

func uniq[T interface{ ident() ident }](v *validator, kind string, xs []T) {
	seen := make(map[string]ident, len(xs))
	for _, x := range xs {
		o := x.ident()
		if first, dup := seen[o.id]; dup && o.id != "" {
			v.ps.Errorf(o.src, "%s %s: ID %s is already used by %s (%s)", kind, label(o.name, o.id), o.id, label(first.name, first.id), first.src)
		} else if !dup {
			seen[o.id] = o
		}
	}
}

// vpcs: each IPv4 block is /16 to /28 (the subnet limits of §6.3 apply to VPC blocks too) and
// the blocks of one VPC do not overlap; every VPC has exactly one main route table (§1.1.1).
func (v *validator) vpcs() {
	for _, vpc := range v.t.VPCs {
		for i, c := range vpc.CIDRs {
			if c.Addr().Is4() && (c.Bits() < 16 || c.Bits() > 28) {
				v.ps.Errorf(vpc.Src, "VPC %s: CIDR %s is not between /16 and /28 (§6.3)", label(vpc.Name, vpc.ID), c)
			}
			for _, d := range vpc.CIDRs[:i] {
				if c.Overlaps(d) {
					v.ps.Errorf(vpc.Src, "VPC %s: CIDR %s overlaps its CIDR %s", label(vpc.Name, vpc.ID), c, d)
				}
			}
		}
		mains := 0
		for _, rt := range v.t.RouteTables {
			if rt.VPC == vpc.ID && rt.Main {
				mains++
				if mains > 1 {
					v.ps.Errorf(rt.Src, "route table %s: VPC %s already has a main route table; a VPC has exactly one (§1.1.1)",
						label(rt.Name, rt.ID), label(vpc.Name, vpc.ID))
				}
			}
		}
		if mains == 0 {
			v.ps.Errorf(vpc.Src, "VPC %s has no main route table (§1.1.1)", label(vpc.Name, vpc.ID))
		}
	}
}

// subnets: a subnet's CIDR is /16 to /28 and lies in one of its VPC's CIDRs; subnets of one
// VPC do not overlap (§6.3).
func (v *validator) subnets() {
	earlier := map[VPCID][]*Subnet{} // valid subnets seen so far, per VPC
	for _, s := range v.t.Subnets {
		name := label(s.Name, s.ID)
		vpc := v.ix.VPCs[s.VPC]
		if s.VPC != "" && vpc == nil {
			v.ps.Warnf(s.Src, "subnet %s: VPC %s is not in the topology", name, s.VPC)
		}
		if !s.CIDR.IsValid() {
			continue
		}
		if s.CIDR.Addr().Is4() && (s.CIDR.Bits() < 16 || s.CIDR.Bits() > 28) {
			v.ps.Errorf(s.Src, "subnet %s: CIDR %s is not between /16 and /28 (§6.3)", name, s.CIDR)
		}
		if s.CIDR.Addr().Is6() && s.CIDR.Bits() != 64 {
			v.ps.Errorf(s.Src, "subnet %s: IPv6 CIDR %s is not a /64 (§6.3)", name, s.CIDR)
		}
		if vpc != nil && len(vpc.CIDRs) > 0 && !insideAny(s.CIDR, vpc.CIDRs) {
			v.ps.Errorf(s.Src, "subnet %s: CIDR %s is not inside VPC %s %v (§6.3)", name, s.CIDR, label(vpc.Name, vpc.ID), vpc.CIDRs)
		}
		for _, o := range earlier[s.VPC] {
			if o.CIDR.Overlaps(s.CIDR) {
				v.ps.Errorf(s.Src, "subnet %s: CIDR %s overlaps subnet %s (%s) (§6.3)", name, s.CIDR, label(o.Name, o.ID), o.CIDR)
			}
		}
		earlier[s.VPC] = append(earlier[s.VPC], s)
	}
}

// insideAny reports whether p lies within one of the prefixes.
func insideAny(p netip.Prefix, in []netip.Prefix) bool {
	for _, c := range in {
		if c.Bits() <= p.Bits() && c.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// reservedOffset names the address if it is one of the five a subnet reserves (§6.4).
func reservedOffset(s netip.Prefix, a netip.Addr) string {
	if !s.Addr().Is4() || !a.Is4() || !s.Contains(a) {
		return ""
	}
	base, last := s.Masked().Addr(), lastAddr(s)
	switch a {
	case base:
		return "the network address"
	case base.Next():
		return "the VPC router"
	case base.Next().Next():
		return "the DNS server"
	case base.Next().Next().Next():
		return "reserved by AWS"
	case last:
		return "the broadcast address"
	}
	return ""
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// checkPrivateIP reports an address outside its subnet or reserved in it (§6.4).
func (v *validator) checkPrivateIP(src Source, who string, a netip.Addr, s *Subnet) {
	if !a.IsValid() || s == nil || !s.CIDR.IsValid() {
		return
	}
	if !s.CIDR.Contains(a) {
		v.ps.Errorf(src, "%s: private IP %s is not in subnet %s (%s)", who, a, label(s.Name, s.ID), s.CIDR)
	} else if r := reservedOffset(s.CIDR, a); r != "" {
		v.ps.Errorf(src, "%s: private IP %s is reserved in subnet %s (%s): %s (§6.4)", who, a, label(s.Name, s.ID), s.CIDR, r)
	}
}

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
			switch r.Target.Kind {
			case TargetNATGateway, TargetNetworkInterface, TargetInstance, TargetVPCEndpoint:
			default:
				v.ps.Errorf(src, "%s: a route inside VPC %s's CIDR can only target a NAT gateway, network interface, instance or VPC endpoint, not %s (%s) (§1.2.5)",
					where, label(vpc.Name, vpc.ID), r.Target.ID, r.Target.Kind)
			}
		case r.Target.Kind == TargetLocal && !isVPC && vpc != nil:
			v.ps.Errorf(src, "%s: the local target is only for the VPC's own CIDRs %v (§1.1.5)", where, vpc.CIDRs)
		}
	}
	if r.State == RouteBlackhole {
		return // a blackhole route points at something gone, by definition (§1.2.6)
	}
	v.routeTarget(src, where, rt, r.Target)
}

func (v *validator) isSubnetCIDR(vpc VPCID, p netip.Prefix) bool {
	for _, s := range v.t.Subnets {
		if s.VPC == vpc && s.CIDR == p {
			return true
		}
	}
	return false
}

func (v *validator) routeTarget(src Source, where string, rt *RouteTable, tg Target) {
	missing := func(kind string) {
		v.ps.Warnf(src, "%s: target %s %s is not in the topology; packets that match the route are dropped", where, kind, tg.ID)
	}
	elsewhere := func(kind, name string, in VPCID) {
		if in != rt.VPC && in != "" && rt.VPC != "" {
			v.ps.Errorf(src, "%s: %s %s is in VPC %s, not in the table's VPC %s", where, kind, name, v.vpcLabel(in), v.vpcLabel(rt.VPC))
		}
	}
	switch tg.Kind {
	case TargetLocal:
	case TargetInternetGateway:
		g := v.internetGateway(InternetGatewayID(tg.ID))
		switch {
		case g == nil:
			missing("internet gateway")
		case g.VPC == "":
			v.ps.Warnf(src, "%s: internet gateway %s is detached; AWS shows the route as blackhole (§1.2.6)", where, label(g.Name, g.ID))
		default:
			elsewhere("internet gateway", label(g.Name, g.ID), g.VPC)
		}
	case TargetNATGateway:
		if n := v.ix.NATGateways[NATGatewayID(tg.ID)]; n == nil {
			missing("NAT gateway")
		} else {
			elsewhere("NAT gateway", label(n.Name, n.ID), n.VPC)
		}
	case TargetNetworkInterface:
		if e := v.ix.ENIs[ENIID(tg.ID)]; e == nil {
			missing("network interface")
		} else {
			elsewhere("network interface", label(e.Name, e.ID), e.VPC)
		}
	case TargetInstance:
		in := v.ix.Instances[InstanceID(tg.ID)]
		if in == nil {
			missing("instance")
		} else if len(in.ENIs) > 0 {
			if e := v.ix.ENIs[in.ENIs[0]]; e != nil {
				elsewhere("instance", label(in.Name, in.ID), e.VPC)
			}
		}
	case TargetVPNGateway:
		g := v.ix.VPNGateways[VPNGatewayID(tg.ID)]
		switch {
		case g == nil:
			missing("VPN gateway")
		case g.VPC == "":
			v.ps.Warnf(src, "%s: VPN gateway %s is detached; AWS shows the route as blackhole (§1.2.6)", where, label(g.Name, g.ID))
		default:
			elsewhere("VPN gateway", label(g.Name, g.ID), g.VPC)
		}
	case TargetVPCEndpoint, TargetTransitGateway, TargetPeering, TargetEgressOnlyInternetGateway, TargetOther:
		v.ps.Warnf(src, "%s: target %s is a %s, which the topology does not describe; packets that match the route are dropped",
			where, tg.ID, tg.Kind)
	default:
		v.ps.Errorf(src, "%s: the route has no target", where)
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

// natGateways: EIP rules by connectivity type (§2.1.2, §2.1.3), the IGW a public one needs,
// at most 8 addresses (§2.1.5), addresses inside the gateway's subnet.
func (v *validator) natGateways() {
	for _, n := range v.t.NATGateways {
		switch n.State {
		case "deleted", "deleting", "failed":
			continue // AWS keeps such gateways in describe output only as history
		}
		who := "NAT gateway " + label(n.Name, n.ID)
		eip := false
		for _, a := range n.Addresses {
			eip = eip || a.PublicIP.IsValid() || a.AllocationID != ""
		}
		switch n.Connectivity {
		case ConnectivityPublic, "":
			if !eip {
				v.ps.Errorf(n.Src, "%s: a public NAT gateway needs an Elastic IP (§2.1.2)", who)
			}
			if n.VPC != "" && !v.hasIGW(n.VPC) {
				v.ps.Errorf(n.Src, "%s: VPC %s has no internet gateway attached, which a public NAT gateway needs (Gateway.NotAttached, §2.1.2)",
					who, v.vpcLabel(n.VPC))
			}
		case ConnectivityPrivate:
			if eip {
				v.ps.Errorf(n.Src, "%s: a private NAT gateway cannot have an Elastic IP (§2.1.3)", who)
			}
		default:
			v.ps.Errorf(n.Src, "%s: unknown connectivity type %q (want public or private, §2.1.1)", who, n.Connectivity)
		}
		if len(n.Addresses) > 8 {
			v.ps.Errorf(n.Src, "%s: %d private IPs; a NAT gateway has at most 8 (§2.1.5)", who, len(n.Addresses))
		}
		s := v.ix.Subnets[n.Subnet]
		switch {
		case n.Subnet == "":
		case s == nil:
			v.ps.Warnf(n.Src, "%s: subnet %s is not in the topology", who, n.Subnet)
		case s.VPC != n.VPC && n.VPC != "":
			v.ps.Errorf(n.Src, "%s: subnet %s is in VPC %s, not in VPC %s", who, label(s.Name, s.ID), v.vpcLabel(s.VPC), v.vpcLabel(n.VPC))
		}
		for _, a := range n.Addresses {
			v.checkPrivateIP(n.Src, who, a.PrivateIP, s)
		}
	}
}

func (v *validator) hasIGW(vpc VPCID) bool {
	for _, g := range v.t.InternetGateways {
		if g.VPC == vpc {
			return true
		}
	}
	return false
}

// owner names an ENI for messages: the NAT gateway it serves (with that gateway's Src), or
// the interface itself.
func (v *validator) owner(e *NetworkInterface) (string, Source) {
	if n := v.ix.NATOfENI[e.ID]; n != nil {
		return "NAT gateway " + label(n.Name, n.ID), n.Src
	}
	who := "network interface " + label(e.Name, e.ID)
	if in := v.ix.Instances[e.Instance]; in != nil {
		who += " of instance " + label(in.Name, in.ID)
	}
	return who, e.Src
}

// interfaces: private IPs inside the ENI's subnet and not reserved (§6.4), used once per VPC;
// security groups that exist and belong to the ENI's VPC.
func (v *validator) interfaces() {
	type use struct {
		who string
		src Source
	}
	used := map[VPCID]map[netip.Addr]use{}
	instanceVPC := make(map[InstanceID]VPCID, len(v.t.Instances))
	for _, e := range v.t.NetworkInterfaces {
		who, src := v.owner(e)
		if first, ok := instanceVPC[e.Instance]; ok && e.Instance != "" && e.VPC != "" && first != e.VPC {
			v.ps.Errorf(src, "%s: it is in VPC %s, but the instance's other interfaces are in VPC %s", who, v.vpcLabel(e.VPC), v.vpcLabel(first))
		} else if !ok && e.VPC != "" {
			instanceVPC[e.Instance] = e.VPC
		}
		s := v.ix.Subnets[e.Subnet]
		switch {
		case e.Subnet == "":
		case s == nil:
			v.ps.Warnf(src, "%s: subnet %s is not in the topology", who, e.Subnet)
		case e.Type != InterfaceTypeNATGateway: // natGateways checked these addresses
			for _, p := range e.PrivateIPs {
				v.checkPrivateIP(src, who, p.Addr, s)
			}
		}
		if used[e.VPC] == nil {
			used[e.VPC] = map[netip.Addr]use{}
		}
		for _, p := range e.PrivateIPs {
			if !p.Addr.IsValid() {
				continue
			}
			if first, dup := used[e.VPC][p.Addr]; dup && first.who != who {
				v.ps.Errorf(src, "%s: private IP %s is already used by %s (%s) in VPC %s", who, p.Addr, first.who, first.src, v.vpcLabel(e.VPC))
				continue
			}
			used[e.VPC][p.Addr] = use{who, src}
		}
		for _, id := range e.SecurityGroups {
			g := v.ix.SecurityGroups[id]
			switch {
			case g == nil:
				v.ps.Warnf(src, "%s: security group %s is not in the topology", who, id)
			case g.VPC != e.VPC && e.VPC != "":
				v.ps.Errorf(src, "%s: security group %s belongs to VPC %s, not to VPC %s", who, label(g.Name, g.ID), v.vpcLabel(g.VPC), v.vpcLabel(e.VPC))
			}
		}
	}
}

// publicIPs: an Elastic IP (or auto-assigned public IP) maps to one private IP (§3.1).
func (v *validator) publicIPs() {
	type holder struct {
		key, who string
		src      Source
	}
	held := map[netip.Addr]holder{}
	hold := func(pub netip.Addr, h holder) {
		if !pub.IsValid() {
			return
		}
		if first, ok := held[pub]; ok && first.key != h.key {
			v.ps.Errorf(h.src, "%s: Elastic IP %s is already used by %s (%s)", h.who, pub, first.who, first.src)
			return
		}
		held[pub] = h
	}
	for _, e := range v.t.NetworkInterfaces {
		who, src := v.owner(e)
		for _, p := range e.PrivateIPs {
			hold(p.PublicIP, holder{string(e.ID) + "/" + p.Addr.String(), who + " (" + p.Addr.String() + ")", src})
		}
	}
	for _, n := range v.t.NATGateways {
		for _, a := range n.Addresses {
			hold(a.PublicIP, holder{string(a.ENI) + "/" + a.PrivateIP.String(), "NAT gateway " + label(n.Name, n.ID) + " (" + a.PrivateIP.String() + ")", n.Src})
		}
	}
	for _, a := range v.t.Addresses {
		key, who := "alloc/"+string(a.AllocationID), "Elastic IP "+label(a.Name, a.AllocationID)
		eni := a.ENI
		if eni == "" && a.Instance != "" {
			if in := v.ix.Instances[a.Instance]; in != nil && len(in.ENIs) > 0 {
				eni = in.ENIs[0]
			}
		}
		if e := v.ix.ENIs[eni]; e != nil {
			priv := a.PrivateIP
			if !priv.IsValid() {
				priv = e.PrimaryIP()
			}
			key = string(e.ID) + "/" + priv.String()
			who, _ = v.owner(e)
			who += " (" + priv.String() + ")"
		}
		hold(a.PublicIP, holder{key, who, a.Src})
	}
}

// securityGroups: rule protocols and port ranges (§4.1.4), exactly one peer per rule, and
// peers (groups, prefix lists) that exist: warnings, since snapshots are often partial.
func (v *validator) securityGroups() {
	for _, g := range v.t.SecurityGroups {
		name := label(g.Name, g.ID)
		if g.VPC != "" && v.ix.VPCs[g.VPC] == nil {
			v.ps.Warnf(g.Src, "security group %s: VPC %s is not in the topology", name, g.VPC)
		}
		for dir, rules := range [2][]SecurityGroupRule{g.Ingress, g.Egress} {
			for i, r := range rules {
				src := r.Src
				if src.File == "" {
					src = g.Src
				}
				where := fmt.Sprintf("security group %s: %s rule %d", name, [2]string{"inbound", "outbound"}[dir], i+1)
				v.protocolPorts(src, where, r.Protocol, r.FromPort, r.ToPort, r.FromPort, r.ToPort)
				peers := 0
				if r.CIDR.IsValid() {
					peers++
				}
				if r.PrefixList != "" {
					peers++
					if v.prefixList(r.PrefixList) == nil {
						v.ps.Warnf(src, "%s: prefix list %s is not in the topology", where, r.PrefixList)
					}
				}
				if r.Group != "" {
					peers++
					if v.ix.SecurityGroups[r.Group] == nil {
						v.ps.Warnf(src, "%s: security group %s is not in the topology", where, r.Group)
					}
				}
				if peers > 1 {
					v.ps.Errorf(src, "%s: a rule has exactly one peer (a CIDR, a prefix list or a security group) (§4.1.4)", where)
				}
			}
		}
	}
}

// protocolPorts checks a protocol number and its ports (TCP/UDP) or ICMP type and code.
func (v *validator) protocolPorts(src Source, where string, proto, from, to, icmpType, icmpCode int) {
	switch {
	case proto < -1 || proto > 255:
		v.ps.Errorf(src, "%s: protocol %d is not -1 (all) or 0-255", where, proto)
	case proto == ProtocolTCP || proto == ProtocolUDP:
		if from < 0 || to > 65535 || from > to {
			v.ps.Errorf(src, "%s: port range %d-%d is not within 0-65535 with from <= to", where, from, to)
		}
	case proto == ProtocolICMP:
		if icmpType < -1 || icmpType > 255 || icmpCode < -1 || icmpCode > 255 {
			v.ps.Errorf(src, "%s: ICMP type %d code %d is not -1 (any) or 0-255", where, icmpType, icmpCode)
		}
	}
}

// networkACLs: rule numbers 1-32766, unique per direction, 32767 only as the final deny
// (§5.1); one default NACL per VPC and one NACL per subnet (§5.3).
func (v *validator) networkACLs() {
	assoc := make(map[SubnetID]*NetworkACL, len(v.t.Subnets))
	defaults := map[VPCID]*NetworkACL{}
	all4, all6 := netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")
	for _, a := range v.t.NetworkACLs {
		name := label(a.Name, a.ID)
		if a.VPC != "" && v.ix.VPCs[a.VPC] == nil {
			v.ps.Warnf(a.Src, "network ACL %s: VPC %s is not in the topology", name, a.VPC)
		}
		if a.Default {
			if first := defaults[a.VPC]; first != nil {
				v.ps.Errorf(a.Src, "network ACL %s: VPC %s already has default network ACL %s (§5.2)", name, v.vpcLabel(a.VPC), label(first.Name, first.ID))
			} else {
				defaults[a.VPC] = a
			}
		}
		for _, id := range a.Subnets {
			v.association(a.Src, "network ACL "+name, a.VPC, id)
			if first := assoc[id]; first != nil && first != a {
				v.ps.Errorf(a.Src, "network ACL %s: subnet %s is already associated with network ACL %s; a subnet has one network ACL (§5.3)",
					name, v.subnetLabel(id), label(first.Name, first.ID))
			}
			assoc[id] = a
		}
		seen := [2]map[int]bool{{}, {}}
		for _, e := range a.Entries {
			src := e.Src
			if src.File == "" {
				src = a.Src
			}
			dir := 0
			if e.Egress {
				dir = 1
			}
			where := fmt.Sprintf("network ACL %s: %s rule %d", name, [2]string{"inbound", "outbound"}[dir], e.RuleNumber)
			finalDeny := e.RuleNumber == 32767 && !e.Allow && e.Protocol == ProtocolAll && (e.CIDR == all4 || e.CIDR == all6)
			switch {
			case e.RuleNumber == 32767 && !finalDeny:
				v.ps.Errorf(src, "%s: rule number 32767 is the final deny-all (*) rule; rules are numbered 1-32766 (§5.1)", where)
			case e.RuleNumber != 32767 && (e.RuleNumber < 1 || e.RuleNumber > 32766):
				v.ps.Errorf(src, "%s: rule numbers are 1-32766 (§5.1)", where)
			}
			if seen[dir][e.RuleNumber] && !finalDeny {
				v.ps.Errorf(src, "%s: the number is used twice in the %s rules (§5.1)", where, [2]string{"inbound", "outbound"}[dir])
			}
			seen[dir][e.RuleNumber] = true
			v.protocolPorts(src, where, e.Protocol, e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode)
		}
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
