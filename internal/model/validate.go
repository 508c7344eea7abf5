package model

import (
	"net/netip"
	"regexp"
	"slices"
	"sync"
)

// Validate checks AWS's own configuration rules on a topology (after ApplyDefaults) and
// returns every problem found, each with the Src of the offending object or route.
//
// Errors are configurations AWS itself refuses (a subnet outside its VPC, a second main route
// table, a public NAT gateway without an Elastic IP, peered VPCs whose blocks overlap). Warnings are references to objects the
// topology does not hold: snapshots are often partial, and the engine fails closed on them.
//
// Missing or unparsable values (an invalid prefix or address) are not reported here: the
// loader that could not parse them has already said so, and saying it twice is noise.
func Validate(t *Topology) Problems {
	ix, tx := NewIndex(t), newTransitIndex(t)
	// The checks only read the topology and the indexes, each part collecting its own
	// problems, so the parts run side by side (the interfaces' checks are the largest on an
	// estate of many instances) and their problems are joined in this order, as if run one
	// after the other.
	parts := [][]func(*validator){
		{(*validator).uniqueIDs, (*validator).vpcs, (*validator).subnets, (*validator).routeTables,
			(*validator).internetGateways, (*validator).natGateways, (*validator).endpoints, (*validator).edgeTables,
			(*validator).firewalls, (*validator).gwlbs, (*validator).loadBalancers},
		{(*validator).interfaces, (*validator).publicIPs},
		{(*validator).securityGroups, (*validator).networkACLs, (*validator).hybrid, (*validator).transit},
	}
	found := make([]Problems, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() {
			v := &validator{t: t, ix: ix, tx: tx}
			for _, check := range part {
				check(v)
			}
			found[i] = v.ps
		})
	}
	wg.Wait()
	return slices.Concat(found...)
}

type validator struct {
	t  *Topology
	ix *Index
	tx *transitIndex
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
	uniq(v, "VPC endpoint", t.VPCEndpoints)
	uniq(v, "Gateway Load Balancer", t.GatewayLoadBalancers)
	uniq(v, "load balancer", t.LoadBalancers)
	uniq(v, "VPC peering connection", t.Peerings)
	uniq(v, "transit gateway", t.TransitGateways)
	uniq(v, "transit gateway attachment", t.TGWAttachments)
	uniq(v, "transit gateway route table", t.TGWRouteTables)
	uniq(v, "Direct Connect gateway", t.DXGateways)
	uniq(v, "Direct Connect gateway association", t.DXGatewayAssociations)
	uniq(v, "virtual interface", t.VirtualInterfaces)
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
func (x *VPCEndpoint) ident() ident      { return ident{string(x.ID), x.Name, x.Src} }

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
		if r := azRegion(s.AvailabilityZone); vpc != nil && vpc.Region != "" && r != "" && r != vpc.Region {
			v.ps.Errorf(s.Src, "subnet %s: Availability Zone %q is in region %s, VPC %s in region %s; a subnet lies in an Availability Zone of its VPC's region",
				name, s.AvailabilityZone, r, label(vpc.Name, vpc.ID), vpc.Region)
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

// azZone is an Availability Zone's name: its region (us-east-1, us-gov-west-1), then a
// letter, or a Local or Wavelength Zone's suffix (us-west-2-lax-1a).
var azZone = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-[0-9]+)(?:[a-z]|-[a-z0-9-]+)$`)

// azRegion is the region an Availability Zone's name says, or "" when the name does not
// spell one (a lab may call its zones a and b).
func azRegion(az string) string {
	if m := azZone.FindStringSubmatch(az); m != nil {
		return m[1]
	}
	return ""
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
func (v *validator) checkPrivateIP(src Source, who func() string, a netip.Addr, s *Subnet) {
	if !a.IsValid() || s == nil || !s.CIDR.IsValid() {
		return
	}
	if !s.CIDR.Contains(a) {
		v.ps.Errorf(src, "%s: private IP %s is not in subnet %s (%s)", who(), a, label(s.Name, s.ID), s.CIDR)
	} else if r := reservedOffset(s.CIDR, a); r != "" {
		v.ps.Errorf(src, "%s: private IP %s is reserved in subnet %s (%s): %s (§6.4)", who(), a, label(s.Name, s.ID), s.CIDR, r)
	}
}
