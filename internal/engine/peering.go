package engine

import (
	"fmt"
	"net/netip"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cPeering is a VPC peering connection (§7.1): a route target in the route tables of both
// its VPCs, and a link with one check, at the crossing.
type cPeering struct {
	m     *model.VPCPeering
	comp  Component
	link  link
	sides [2]*peerSide // requester, accepter
}

// peerSide is one end of a peering, as a node: a packet it receives crosses the peering into
// this side's VPC.
type peerSide struct {
	pc    *cPeering
	m     *model.PeeringSide
	vpc   *cVPC // nil when the VPC is not in the topology (another account's snapshot)
	other *peerSide
	// cidrs are the blocks of this side the peering carries: its CidrBlockSet (§7.1.6), or
	// the VPC's own blocks when the input lists none.
	cidrs []netip.Prefix
}

func (n *Network) compilePeerings(t *model.Topology) {
	n.peerings = make(map[model.PeeringID]*cPeering, len(t.Peerings))
	for _, m := range t.Peerings {
		pc := &cPeering{m: m, comp: comp(KindVPCPeering, string(m.ID), m.Name), link: vpcLink}
		if m.InterRegion() {
			pc.link = interRegionLink // §7.1.15: no jumbo frames between regions
		}
		for i, side := range []*model.PeeringSide{&m.Requester, &m.Accepter} {
			s := &peerSide{pc: pc, m: side, vpc: n.vpcs[side.VPC], cidrs: side.CIDRs}
			if len(s.cidrs) == 0 && s.vpc != nil {
				s.cidrs = s.vpc.cidrs
			}
			pc.sides[i] = s
		}
		pc.sides[0].other, pc.sides[1].other = pc.sides[1], pc.sides[0]
		n.peerings[m.ID] = pc
	}
}

// side is the end of the peering in VPC v, or nil.
func (pc *cPeering) side(v model.VPCID) *peerSide {
	for _, s := range pc.sides {
		if s.m.VPC == v {
			return s
		}
	}
	return nil
}

// resolvePeering: a route to a peering connection of the table's VPC, in state active, hands
// the packet to the other side; any other is a blackhole (§7.1.3).
func resolvePeering(n *Network, v *cVPC, id string) node {
	pc := n.peerings[model.PeeringID(id)]
	switch {
	case pc == nil:
		return &dropNode{code: CodeBadStateRoute, comp: comp(KindVPCPeering, id, ""),
			detail: fmt.Sprintf("peering connection %s is not in the topology: the route is a blackhole (§7.1.3)", id)}
	case pc.side(v.m.ID) == nil:
		return &dropNode{code: CodeBadStateRoute, comp: pc.comp,
			detail: fmt.Sprintf("%s does not join %s: the route is a blackhole", pc.comp, v.m.ID)}
	case pc.m.Status != "" && pc.m.Status != model.StateActive:
		return &dropNode{code: CodeBadStateRoute, comp: pc.comp,
			detail: fmt.Sprintf("%s is %s, not active: a route to it is a blackhole (§7.1.3)", pc.comp, pc.m.Status)}
	}
	return pc.side(v.m.ID).other
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// receive: the packet crosses the peering into this side's VPC. It goes on only if its source
// or destination is in a block of this side (§7.1.6: no transit, no edge to edge), and is then
// delivered to the interface that owns its destination, with no route table (§0.8, §7.1.7).
// A peering is not a TTL hop and has no filters of its own (§7.1.17).
func (s *peerSide) receive(e *ev, a arrival, p packet.Packet) {
	pc := s.pc
	e.hop(Hop{Component: pc.comp, Action: ActForward, In: p})
	p, ok := e.cross(pc.link, pc.comp, p)
	if !ok {
		return
	}
	if !inPrefixes(s.cidrs, p.Src) && !inPrefixes(s.cidrs, p.Dst) {
		vpc := string(s.m.VPC)
		if s.vpc != nil {
			vpc = s.vpc.comp.String()
		}
		why := fmt.Sprintf("neither source %s nor destination %s is in a CIDR block of %s (%s), the VPC the packet would enter: a peering carries only traffic to or from its VPCs (§7.1.6)",
			p.Src, p.Dst, vpc, prefixList(s.cidrs))
		// Lifted, the check would leave the packet in a VPC that holds neither address:
		// nowhere to go, so the drop is final (the peering's, not the VPC's).
		e.fatal(CodePCXAddressNotInVPC, pc.comp, p, why)
		return
	}
	v := s.vpc
	if v == nil {
		// The peer VPC is another account's, beyond the snapshot: the packet leaves the
		// modelled network, as it would through a gateway.
		to := comp(KindVPC, string(s.m.VPC), fmt.Sprintf("account %s, region %s, not in the topology", orUnknown(s.m.Account), orUnknown(s.m.Region)))
		e.exit(pc.comp, to, p)
		return
	}
	if resolverAddr(v) == p.Dst && (p.Proto == packet.ProtoUDP || p.Proto == packet.ProtoTCP) && p.DstPort == 53 {
		e.fatal(CodePeerDNSUnreachable, pc.comp, p, fmt.Sprintf("%s is the Amazon DNS resolver of %s: it answers only its own VPC, not across a peering (§7.1.14)", p.Dst, v.m.ID))
		return
	}
	dst := v.byIP[p.Dst]
	if dst == nil || dst.subnet == nil {
		e.fatal(CodeNoPossibleDestination, v.comp, p, fmt.Sprintf("no network interface in %s holds %s: a packet from a peering is delivered only to the interface that owns its destination (§7.1.7)", v.m.ID, p.Dst))
		return
	}
	dst.receive(e, arrival{origin: OriginPeering, preNAT: a.preNAT}, p)
}

// resolverAddr is the Amazon DNS resolver of a VPC: its primary block's base + 2 (§6.4).
func resolverAddr(v *cVPC) netip.Addr {
	if len(v.cidrs) == 0 {
		return netip.Addr{}
	}
	a := v.cidrs[0].Masked().Addr()
	return a.Next().Next()
}

func prefixList(ps []netip.Prefix) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.String()
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// enterFromPeering: a packet comes over a peering connection (Location FromPeering) into the
// side whose VPC does not hold its source; when that does not decide, the side that holds its
// destination, else the accepter.
func enterFromPeering(n *Network, id string) entry {
	if pc := n.peerings[model.PeeringID(id)]; pc != nil {
		return peeringEntry{pc}
	}
	return nil
}

type peeringEntry struct{ pc *cPeering }

func (x peeringEntry) send(e *ev, p packet.Packet) {
	req, acc := x.pc.sides[0], x.pc.sides[1]
	into := acc
	switch {
	case inPrefixes(acc.cidrs, p.Src) && !inPrefixes(req.cidrs, p.Src):
		into = req // from the accepter's side
	case inPrefixes(req.cidrs, p.Src) && !inPrefixes(acc.cidrs, p.Src):
		into = acc
	case inPrefixes(req.cidrs, p.Dst) && !inPrefixes(acc.cidrs, p.Dst):
		into = req // the source does not tell: toward the side that holds the destination
	}
	from := comp(KindVPC, string(into.other.m.VPC), "")
	if v := into.other.vpc; v != nil {
		from = v.comp
	}
	e.pass(from, ActSend, p, "")
	if st := x.pc.m.Status; st != "" && st != model.StateActive {
		e.fatal(CodeBadState, x.pc.comp, p, fmt.Sprintf("%s is %s, not active: it carries nothing (§7.1.3)", x.pc.comp, st))
		return
	}
	into.receive(e, arrival{origin: OriginPeering}, p)
}
