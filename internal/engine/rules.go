package engine

import (
	"net/netip"
	"sort"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cSG is a security group in evaluation form (§4.1): allow-only rules, each with its peer
// resolved to prefixes or to the set of private IPs of ENIs carrying the referenced group.
type cSG struct {
	m       *model.SecurityGroup
	ingress []cSGRule
	egress  []cSGRule
	members map[netip.Addr]struct{} // private IPs of every ENI that carries this group (§4.1.5)
	comp    Component
}

type cSGRule struct {
	m        *model.SecurityGroupRule
	proto    int
	from, to int
	prefixes []netip.Prefix
	group    *cSG
}

func (n *Network) compileSGs(t *model.Topology, probs *model.Problems) {
	pls := map[model.PrefixListID]*model.PrefixList{}
	for _, pl := range t.PrefixLists {
		pls[pl.ID] = pl
	}
	for _, g := range t.SecurityGroups {
		n.sgs[g.ID] = &cSG{m: g, members: map[netip.Addr]struct{}{}, comp: comp(KindSecurityGroup, string(g.ID), g.Name)}
	}
	for _, g := range t.SecurityGroups {
		cg := n.sgs[g.ID]
		conv := func(rules []model.SecurityGroupRule) []cSGRule {
			out := make([]cSGRule, 0, len(rules))
			for i := range rules {
				r := &rules[i]
				cr := cSGRule{m: r, proto: r.Protocol, from: r.FromPort, to: r.ToPort}
				switch {
				case r.CIDR.IsValid():
					cr.prefixes = []netip.Prefix{r.CIDR}
				case r.PrefixList != "":
					if pl := pls[r.PrefixList]; pl != nil {
						cr.prefixes = pl.CIDRs
					} else {
						probs.Warnf(r.Src, "%s rule %s: prefix list %s is not in the topology; the rule matches nothing", g.ID, r.ID, r.PrefixList)
					}
				case r.Group != "":
					cr.group = n.sgs[r.Group]
					if cr.group == nil {
						probs.Warnf(r.Src, "%s rule %s: security group %s is not in the topology; the rule matches nothing", g.ID, r.ID, r.Group)
					}
				}
				out = append(out, cr)
			}
			return out
		}
		cg.ingress = conv(g.Ingress)
		cg.egress = conv(g.Egress)
	}
}

// compileGroupMembers records, for every group, the private IPs of the ENIs that carry it.
// §4.1.5 [UNCERTAIN]: secondary private IPs match too (our default: all private IPs).
func (n *Network) compileGroupMembers() {
	for _, e := range n.enis {
		for _, g := range e.sgs {
			for _, p := range e.m.PrivateIPs {
				g.members[p.Addr] = struct{}{}
			}
		}
	}
}

// protoMatches applies a rule's protocol and port (or ICMP type/code) fields to a packet.
// -1 means any for the protocol, for a port range starting at -1, and for ICMP type or code.
func protoMatches(proto, from, to int, p *packet.Packet) bool {
	if proto == model.ProtocolAll {
		return true
	}
	if proto != int(p.Proto) {
		return false
	}
	switch p.Proto {
	case packet.ProtoTCP, packet.ProtoUDP:
		if p.IsFragment() && p.FragOff != 0 {
			return from <= 0 && (to < 0 || to >= 65535) // later fragments carry no ports
		}
		if from < 0 {
			return true
		}
		port := int(p.DstPort)
		return port >= from && port <= to
	case packet.ProtoICMP:
		if from >= 0 && int(p.ICMPType) != from {
			return false
		}
		return to < 0 || int(p.ICMPCode) == to
	}
	return true
}

func (r *cSGRule) matches(p *packet.Packet, peer netip.Addr) bool {
	// SG rules on ports look at the destination port in both directions, as AWS does.
	if !protoMatches(r.proto, r.from, r.to, p) {
		return false
	}
	if r.group != nil {
		_, ok := r.group.members[peer]
		return ok
	}
	for _, pf := range r.prefixes {
		if pf.Contains(peer) {
			return true
		}
	}
	return false
}

// sgAllows evaluates the union of an ENI's groups (§4.1.3) for a new flow. It returns the
// first allowing rule found, in group then rule order (any allowing rule suffices).
func sgAllows(groups []*cSG, egress bool, p *packet.Packet) (*cSG, *cSGRule) {
	peer := p.Src
	if egress {
		peer = p.Dst
	}
	for _, g := range groups {
		rules := g.ingress
		if egress {
			rules = g.egress
		}
		for i := range rules {
			if rules[i].matches(p, peer) {
				return g, &rules[i]
			}
		}
	}
	return nil, nil
}

// sgRefWouldMatch reports whether an ingress rule referencing a security group would have
// admitted the packet had its source not been translated (§4.1.6, SG_REFERENCES_NOT_PRESERVED).
func sgRefWouldMatch(groups []*cSG, p *packet.Packet, origSrc netip.Addr) bool {
	for _, g := range groups {
		for i := range g.ingress {
			r := &g.ingress[i]
			if r.group != nil && r.matches(p, origSrc) {
				return true
			}
		}
	}
	return false
}

func sgRuleRef(g *cSG, r *cSGRule, dir string) *SGRuleRef {
	ref := &SGRuleRef{GroupID: g.m.ID, RuleID: r.m.ID, Direction: dir, Protocol: r.proto,
		FromPort: r.from, ToPort: r.to, PeerGroup: r.m.Group, PrefixList: r.m.PrefixList}
	if r.m.CIDR.IsValid() {
		ref.CIDR = r.m.CIDR.String()
	}
	return ref
}

// cACL is a network ACL in evaluation form (§5): entries per direction, in ascending rule
// number, first match wins; no match means the final "*" deny.
type cACL struct {
	m        *model.NetworkACL
	inbound  []model.NetworkACLEntry
	outbound []model.NetworkACLEntry
	comp     Component
}

func compileACL(a *model.NetworkACL) *cACL {
	ca := &cACL{m: a, comp: comp(KindNetworkACL, string(a.ID), a.Name)}
	for _, e := range a.Entries {
		if e.Egress {
			ca.outbound = append(ca.outbound, e)
		} else {
			ca.inbound = append(ca.inbound, e)
		}
	}
	for _, l := range [][]model.NetworkACLEntry{ca.inbound, ca.outbound} {
		sort.SliceStable(l, func(i, j int) bool { return l[i].RuleNumber < l[j].RuleNumber })
	}
	return ca
}

// match returns the entry that decides the packet: inbound rules match the source, outbound
// rules the destination (§5.4); nil is the final "*" deny.
func (a *cACL) match(egress bool, p *packet.Packet) *model.NetworkACLEntry {
	entries, peer := a.inbound, p.Src
	if egress {
		entries, peer = a.outbound, p.Dst
	}
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer) {
			continue
		}
		from, to := e.FromPort, e.ToPort
		if int(p.Proto) == model.ProtocolICMP && e.Protocol == model.ProtocolICMP {
			from, to = e.ICMPType, e.ICMPCode
		} else if from == 0 && to == 0 {
			from, to = -1, -1 // no port range given: all ports
		}
		if !protoMatches(e.Protocol, from, to, p) {
			continue
		}
		return e
	}
	return nil
}

// ref describes the entry match returned; never nil.
func (a *cACL) ref(egress bool, e *model.NetworkACLEntry) *ACLRuleRef {
	if e == nil {
		return &ACLRuleRef{ACLID: a.m.ID, RuleNumber: 32767, Egress: egress, Protocol: model.ProtocolAll,
			CIDR: "0.0.0.0/0", Allow: false}
	}
	return &ACLRuleRef{ACLID: a.m.ID, RuleNumber: e.RuleNumber, Egress: egress, Protocol: e.Protocol,
		FromPort: e.FromPort, ToPort: e.ToPort, CIDR: e.CIDR.String(), Allow: e.Allow}
}
