package model

import (
	"fmt"
	"net/netip"
)

// Validation of traffic filters: security groups and network ACLs.

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
					v.groupReference(src, where, g, r)
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
