package engine

import (
	"fmt"
	"net/netip"
	"slices"
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
	// refs describe the rule for hops, by direction (Ingress, Egress), made once and shared.
	refs     [3]*SGRuleRef
	m        *model.SecurityGroupRule
	proto    int
	from, to int
	prefixes []netip.Prefix
	group    *cSG
	// refBlocked, when set, is why a reference to a group of another VPC matches nothing:
	// SG_REFERENCING_SUPPORT (no same-region peering or transit gateway that carries
	// references joins the two VPCs, §7.1.11, §7.2.17) or UNKNOWN_PEERED_SGS (the peer's
	// group is not in the topology, §7.1.12).
	refBlocked string
	refWhy     string
	// For a usable reference to a group of another VPC: the ways across that keep it
	// usable, an active same-region peering (both directions) and a transit gateway with
	// referencing on (inbound rules only). A packet that arrives another way, or a
	// reference neither allows, matches nothing.
	cross            bool
	byPeering, byTGW bool
	byTGWs           []model.TransitGatewayID // the transit gateways that carry it, sorted
}

// usableFrom reports whether the rule's reference, if it names another VPC's group, can match
// a packet that arrived from origin (§7.1.11, §7.2.17): inbound, only over the construct that
// carries references between the two VPCs. Outbound the path is not known yet: any does.
func (r *cSGRule) usableFrom(a arrival, egress bool) bool {
	if !r.cross || egress {
		return true
	}
	switch a.origin {
	case OriginPeering:
		return r.byPeering
	case OriginTransitGateway:
		// Over the transit gateway the packet crossed, not any that joins the two VPCs.
		return a.via != nil && slices.Contains(r.byTGWs, a.via.tgw.m.ID)
	}
	return false
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
					if cr.group == nil && (r.GroupPeering != "" || r.GroupAccount != "" || r.GroupVPC != "" && r.GroupVPC != g.VPC) {
						cr.refBlocked = CodeUnknownPeeredSGs
						cr.refWhy = fmt.Sprintf("rule %s of %s references %s of %s, which is not in the topology: it matches nothing (§7.1.12)", r.ID, g.ID, r.Group, orUnknown(string(r.GroupVPC)))
					} else if cr.group == nil {
						probs.Warnf(r.Src, "%s rule %s: security group %s is not in the topology; the rule matches nothing", g.ID, r.ID, r.Group)
					}
				}
				out = append(out, cr)
			}
			return out
		}
		cg.ingress = conv(g.Ingress)
		cg.egress = conv(g.Egress)
		for _, rules := range [][]cSGRule{cg.ingress, cg.egress} {
			for i := range rules {
				r := &rules[i]
				for _, dir := range []Direction{Ingress, Egress} {
					ref := &SGRuleRef{GroupID: g.ID, RuleID: r.m.ID, Direction: dir, Protocol: r.proto,
						FromPort: r.from, ToPort: r.to, PeerGroup: r.m.Group, PrefixList: r.m.PrefixList}
					if r.m.CIDR.IsValid() {
						ref.CIDR = r.m.CIDR.String()
					}
					r.refs[dir] = ref
				}
			}
		}
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
	return protoMatches(r.proto, r.from, r.to, p) && r.peerMatches(peer)
}

// peerMatches reports whether the rule's peer (a CIDR, a prefix list, the members of a
// referenced group, §4.1.5) holds an address.
func (r *cSGRule) peerMatches(peer netip.Addr) bool {
	if r.refBlocked != "" {
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

// rules are the group's egress or ingress rules.
func (g *cSG) rules(egress bool) []cSGRule {
	if egress {
		return g.egress
	}
	return g.ingress
}

// sgPeer is the address security group rules match: the destination leaving, the source
// arriving.
func sgPeer(p *packet.Packet, egress bool) netip.Addr {
	if egress {
		return p.Dst
	}
	return p.Src
}

// sgAllows evaluates the union of an ENI's groups (§4.1.3) for a new flow. It returns the
// first allowing rule found, in group then rule order (any allowing rule suffices). Rules
// referencing a group take part only when refs is set, and one referencing another VPC's
// group only for a packet that arrived from the way across that carries the reference.
func sgAllows(groups []*cSG, egress bool, p *packet.Packet, refs bool, from arrival) (*cSG, *cSGRule) {
	peer := sgPeer(p, egress)
	for _, g := range groups {
		rules := g.rules(egress)
		for i := range rules {
			r := &rules[i]
			if r.group != nil && from.lbENI != nil && !egress && lbGroupMatches(from.lbENI, r.group) &&
				protoMatches(r.proto, r.from, r.to, p) {
				return g, &rules[i] // "Update the security groups for your Network Load Balancer"
			}
			if r.group != nil && (!refs || !r.usableFrom(from, egress)) {
				continue
			}
			if r.matches(p, peer) {
				return g, &rules[i]
			}
		}
	}
	return nil, nil
}

// compileSGReferences decides, once peerings and transit gateways are compiled, which
// references to a group of another VPC can match: across an active same-region peering, both
// ways (§7.1.11); across a transit gateway with security group referencing on, and on both
// VPCs' attachments, inbound only (§7.2.17). Others match nothing, and say why.
func (n *Network) compileSGReferences() {
	for _, g := range n.sgs {
		for dir, rules := range [][]cSGRule{g.ingress, g.egress} {
			for i := range rules {
				r := &rules[i]
				if r.group == nil || r.group.m.VPC == g.m.VPC || r.group.m.VPC == "" || g.m.VPC == "" {
					continue
				}
				a, b := g.m.VPC, r.group.m.VPC
				r.cross = true
				r.byPeering = n.peeredSameRegion(a, b)
				if dir == 0 {
					r.byTGWs = n.tgwsCarryingReferences(a, b)
				}
				r.byTGW = len(r.byTGWs) > 0
				if r.byPeering || r.byTGW {
					continue
				}
				if len(n.tgwsCarryingReferences(a, b)) > 0 {
					r.refWhy = fmt.Sprintf("rule %s of %s references %s of %s across a transit gateway: references work only in inbound rules (§7.2.17)", r.m.ID, g.m.ID, r.group.m.ID, b)
				} else {
					r.refWhy = fmt.Sprintf("rule %s of %s references %s of %s, but no active same-region peering, and no transit gateway with security group referencing enabled on it and both attachments, joins %s and %s (§7.1.11, §7.2.17): it matches nothing", r.m.ID, g.m.ID, r.group.m.ID, b, a, b)
				}
				r.refBlocked = CodeSGReferencingSupport
			}
		}
	}
}

func (n *Network) peeredSameRegion(a, b model.VPCID) bool {
	for _, pc := range n.peerings {
		if (pc.m.Status == "" || pc.m.Status == model.StateActive) && !pc.m.InterRegion() &&
			pc.side(a) != nil && pc.side(b) != nil {
			return true
		}
	}
	return false
}

// tgwsCarryingReferences are the transit gateways, sorted, with security group referencing on
// it and on the attachments of both VPCs (§7.2.17).
func (n *Network) tgwsCarryingReferences(a, b model.VPCID) []model.TransitGatewayID {
	var out []model.TransitGatewayID
	for id, g := range n.tgws {
		x, y := g.byVPC[a], g.byVPC[b]
		if g.m.SGReferencing && x != nil && y != nil && x.m.SGReferencing && y.m.SGReferencing {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// sgRefBlocked is the code and explanation of a reference to another VPC's group that would
// have admitted the packet had it been usable, or "" when none would.
func sgRefBlocked(groups []*cSG, egress bool, p *packet.Packet) (code, why string) {
	peer := sgPeer(p, egress)
	for _, g := range groups {
		rules := g.rules(egress)
		for i := range rules {
			r := &rules[i]
			if r.refBlocked == "" || !protoMatches(r.proto, r.from, r.to, p) {
				continue
			}
			if r.group == nil {
				return r.refBlocked, r.refWhy
			}
			if _, ok := r.group.members[peer]; ok {
				return r.refBlocked, r.refWhy
			}
		}
	}
	return "", ""
}

// sgRefWrongPath is why an inbound reference to another VPC's group that would have admitted
// the packet did not: it arrived from origin, not over the construct that carries the
// reference (§7.1.11, §7.2.17); "" when no such rule would have.
func sgRefWrongPath(groups []*cSG, p *packet.Packet, from arrival) string {
	for _, g := range groups {
		for i := range g.ingress {
			r := &g.ingress[i]
			if r.group == nil || r.usableFrom(from, false) || !r.matches(p, p.Src) {
				continue
			}
			over := "an active same-region peering"
			if r.byTGW {
				over = "a transit gateway with security group referencing on"
				if r.byPeering {
					over = "an active same-region peering or " + over
				}
			}
			came := from.origin.String()
			if from.via != nil {
				came = from.via.tgw.comp.String() + ", which does not carry it"
			}
			return fmt.Sprintf("rule %s of %s references %s of %s, which works only for packets that cross %s, but this one arrives from %s (§7.1.11, §7.2.17): it matches nothing",
				r.m.ID, g.m.ID, r.group.m.ID, r.group.m.VPC, over, came)
		}
	}
	return ""
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

// sgRuleRef describes rule r of group g for a hop; the description is made once and shared:
// callers must not change it.
func sgRuleRef(g *cSG, r *cSGRule, dir Direction) *SGRuleRef {
	if int(dir) < len(r.refs) && r.refs[dir] != nil {
		return r.refs[dir]
	}
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
	// refs describe each entry for hops, made once: a hop points at them (they are never
	// changed), so recording a hop allocates nothing for its rule. The last of each is the
	// final "*" deny.
	inRefs, outRefs []*ACLRuleRef
	comp            Component
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
	refs := func(egress bool, l []model.NetworkACLEntry) []*ACLRuleRef {
		out := make([]*ACLRuleRef, 0, len(l)+1)
		for _, e := range l {
			out = append(out, &ACLRuleRef{ACLID: a.ID, RuleNumber: e.RuleNumber, Egress: egress, Protocol: e.Protocol,
				FromPort: e.FromPort, ToPort: e.ToPort, CIDR: e.CIDR.String(), Allow: e.Allow})
		}
		return append(out, &ACLRuleRef{ACLID: a.ID, RuleNumber: 32767, Egress: egress, Protocol: model.ProtocolAll,
			CIDR: "0.0.0.0/0", Allow: false})
	}
	ca.inRefs, ca.outRefs = refs(false, ca.inbound), refs(true, ca.outbound)
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

// ref describes the entry match returned; never nil. It is shared: callers must not change it.
func (a *cACL) ref(egress bool, e *model.NetworkACLEntry) *ACLRuleRef {
	entries, refs := a.inbound, a.inRefs
	if egress {
		entries, refs = a.outbound, a.outRefs
	}
	for i := range entries {
		if e == &entries[i] {
			return refs[i]
		}
	}
	return refs[len(refs)-1]
}

// A filter is a compiled rule set a hop's decision consulted: the security groups of an ENI
// (one set, §4.1.3) or a network ACL (§5). It answers the header-space questions of analysis
// with the same matching the engine decides with, so no frontend keeps a copy of the rules.
type filter interface {
	// spans appends the rules that can decide a packet to or from peer in direction dir, in
	// the order the filter consults them: the first that covers a header decides it.
	spans(dst []Span, dir Direction, peer netip.Addr) []Span
	// admitsPorts reports whether every destination port lo-hi of protocol proto to or from
	// peer is allowed, and otherwise the number of the rule that denies some of them.
	admitsPorts(dir Direction, peer netip.Addr, proto uint8, lo, hi int) (bool, int)
}

// Span is the part of the header space one rule matches: header-space analysis cuts its
// ranges wherever a decision may change.
type Span struct {
	Protocol int    // an IP protocol number, or model.ProtocolAll (-1) for every protocol
	Ports    [2]int // TCP, UDP: the destination ports, inclusive
	Types    [2]int // ICMP: the types
	Codes    [2]int // ICMP: the codes
}

var (
	allPorts = [2]int{0, 65535}
	allICMP  = [2]int{0, 255}
)

// AllPorts reports whether the span matches every destination port (TCP, UDP).
func (s Span) AllPorts() bool { return s.Ports == allPorts }

// AllICMP reports whether the span matches every ICMP type and code.
func (s Span) AllICMP() bool { return s.Types == allICMP && s.Codes == allICMP }

// rng is a rule's range where -1 means any (SG and NACL fields, §4.1.4, §5.4).
// A range that starts but does not end matches nothing, as protoMatches reads it: ok is false.
func rng(from, to int, all [2]int) (r [2]int, ok bool) {
	switch {
	case from < 0:
		return all, true
	case to < 0:
		return r, false
	}
	return [2]int{from, to}, true
}

// point is an ICMP type or code field: one value, or any (-1).
func point(v int) [2]int {
	if v < 0 {
		return allICMP
	}
	return [2]int{v, v}
}

// peerOf is the address a filter's rules match: the destination leaving, the source arriving.
func peerOf(dir Direction, p *packet.Packet) netip.Addr {
	if dir.Leaving() {
		return p.Dst
	}
	return p.Src
}

// filterOf is the rule set hop i of a journey consulted: the security groups of the ENI it
// was at (the nearest ENI hop before it), or a network ACL; nil when it consulted none (a
// tracked reply passes without a rule, §4.2.1).
func (n *Network) filterOf(r *Result, i int) filter {
	if i < 0 || i >= len(r.Hops) {
		return nil
	}
	h := &r.Hops[i]
	switch {
	case h.ACLRule != nil:
		if a := n.acls[h.ACLRule.ACLID]; a != nil {
			return a
		}
	case h.Component.Kind == KindSecurityGroup && (h.SGRule != nil || h.Action == ActDeny):
		for j := i; j >= 0; j-- {
			if x := &r.Hops[j]; x.Component.Kind == KindENI && x.Direction == NoDirection {
				if e := n.enis[model.ENIID(x.Component.ID)]; e != nil {
					return e
				}
				return nil
			}
		}
	}
	return nil
}

// RuleSpans lists, in the order the filter consults them, the rules of the security groups
// or network ACL behind hop i of a journey that can decide a packet with the hop's peer
// address (its destination leaving, its source arriving): the header ranges within which the
// hop's verdict cannot change but at a span's edge. It is empty for hops that consulted no
// rules (a tracked reply, §4.2.1, or a component that is no filter).
// They are appended to dst, which a caller asking about many hops reuses.
func (n *Network) RuleSpans(dst []Span, r *Result, i int) []Span {
	if i >= 0 && i < len(r.Hops) && r.Hops[i].Component.Kind == KindNetworkFirewall {
		return n.firewallSpans(dst, &r.Hops[i]) // nfw.go
	}
	f := n.filterOf(r, i)
	if f == nil {
		return dst
	}
	h := &r.Hops[i]
	dst = f.spans(dst, h.Direction, peerOf(h.Direction, &h.In))
	// A group denied a translated packet: whether a rule referencing the original source's
	// group would have matched decides the code (SG_REFERENCES_NOT_PRESERVED, §4.1.6), so its
	// rules cut too.
	if eni, ok := f.(*cENI); ok && h.Action == ActDeny && h.Direction == Ingress {
		if orig := r.Hops[0].In.Src; orig != h.In.Src {
			dst = eni.refSpans(dst, orig)
		}
	}
	return dst
}

// AdmitsPorts reports whether the network ACL behind hop i of a journey lets every
// destination port lo-hi of the hop's protocol through to or from the same peer, and
// otherwise the number of the entry that denies some (32767 for "*"). Any other hop admits
// them.
func (n *Network) AdmitsPorts(r *Result, i int, lo, hi int) (bool, int) {
	f := n.filterOf(r, i)
	if f == nil || r.Hops[i].ACLRule == nil {
		return true, 0
	}
	h := &r.Hops[i]
	return f.admitsPorts(h.Direction, peerOf(h.Direction, &h.In), h.In.Proto, lo, hi)
}

// spans: the rules of every group of the ENI whose peer matches, in group then rule order,
// as sgAllows consults them.
func (eni *cENI) spans(out []Span, dir Direction, peer netip.Addr) []Span {
	for _, g := range eni.sgs {
		rules := g.rules(dir == Egress)
		for i := range rules {
			if r := &rules[i]; r.peerMatches(peer) {
				out = r.appendSpan(out)
			}
		}
	}
	return out
}

// refSpans: the ingress rules referencing a group that an address belongs to (§4.1.5).
func (eni *cENI) refSpans(out []Span, orig netip.Addr) []Span {
	for _, g := range eni.sgs {
		for i := range g.ingress {
			if r := &g.ingress[i]; r.group != nil && r.peerMatches(orig) {
				out = r.appendSpan(out)
			}
		}
	}
	return out
}

// appendSpan appends the header range the rule matches, as protoMatches reads its fields: a
// port range that starts but does not end matches no port, and adds nothing.
func (r *cSGRule) appendSpan(out []Span) []Span {
	s := Span{Protocol: r.proto}
	switch r.proto {
	case model.ProtocolTCP, model.ProtocolUDP:
		var ok bool
		if s.Ports, ok = rng(r.from, r.to, allPorts); !ok {
			return out
		}
	case model.ProtocolICMP:
		s.Types, s.Codes = point(r.from), point(r.to)
	}
	return append(out, s)
}

// admitsPorts: security groups are stateful (§4.2); the question is a network ACL's.
func (eni *cENI) admitsPorts(Direction, netip.Addr, uint8, int, int) (bool, int) { return true, 0 }

// spans: the entries whose CIDR holds the peer, in rule order (first match wins, §5.1).
func (a *cACL) spans(out []Span, dir Direction, peer netip.Addr) []Span {
	entries := a.inbound
	if dir == Outbound {
		entries = a.outbound
	}
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer) {
			continue
		}
		s := Span{Protocol: e.Protocol}
		switch e.Protocol {
		case model.ProtocolTCP, model.ProtocolUDP:
			var ok bool
			if s.Ports, ok = aclPorts(e); !ok {
				continue
			}
		case model.ProtocolICMP:
			s.Types, s.Codes = point(e.ICMPType), point(e.ICMPCode)
		}
		out = append(out, s)
	}
	return out
}

// aclPorts is an entry's port range as match reads it: no range given (0-0) means every port.
func aclPorts(e *model.NetworkACLEntry) ([2]int, bool) {
	if e.FromPort == 0 && (e.ToPort == 0 || e.ToPort >= 65535) {
		return allPorts, true
	}
	return rng(e.FromPort, e.ToPort, allPorts)
}

// admitsPorts walks the entries in rule order as match does (§5.1), removing the ports each
// one decides, until every port of lo-hi is allowed or one of them is denied.
func (a *cACL) admitsPorts(dir Direction, peer netip.Addr, proto uint8, lo, hi int) (bool, int) {
	entries := a.inbound
	if dir == Outbound {
		entries = a.outbound
	}
	rest := [][2]int{{lo, hi}}
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer) || (e.Protocol != model.ProtocolAll && e.Protocol != int(proto)) {
			continue
		}
		ports := allPorts
		if e.Protocol != model.ProtocolAll {
			var ok bool
			if ports, ok = aclPorts(e); !ok {
				continue // matches no port
			}
		}
		var next [][2]int
		for _, r := range rest {
			if r[1] < ports[0] || r[0] > ports[1] {
				next = append(next, r)
				continue
			}
			if !e.Allow {
				return false, e.RuleNumber
			}
			if r[0] < ports[0] {
				next = append(next, [2]int{r[0], ports[0] - 1})
			}
			if r[1] > ports[1] {
				next = append(next, [2]int{ports[1] + 1, r[1]})
			}
		}
		if rest = next; len(rest) == 0 {
			return true, 0
		}
	}
	return false, 32767
}
