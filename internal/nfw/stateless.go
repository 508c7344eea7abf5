package nfw

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// slRule is a compiled stateless rule (§14.6): every listed attribute must hold.
type slRule struct {
	Rule
	srcs, dsts     []netip.Prefix // empty: any
	sports, dports []prange       // nil: any
	protos         []uint8        // empty: any
	flags          []flagMatch
	action         Decision // Pass; Drop; 0 = forward to the stateful engine
}

type flagMatch struct{ flags, mask uint8 }

var tcpFlagBits = map[string]uint8{"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20, "ECE": 0x40, "CWR": 0x80}

func (c *compiler) stateless(g *model.RuleGroup, r *model.StatelessRule) *slRule {
	s := &slRule{Rule: Rule{Group: groupName(g), Name: fmt.Sprintf("priority %d", r.Priority)},
		srcs: r.Sources, dsts: r.Destinations}
	for _, p := range r.Protocols {
		s.protos = append(s.protos, uint8(p))
	}
	s.sports = portRanges(r.SourcePorts)
	s.dports = portRanges(r.DestinationPorts)
	for _, f := range r.TCPFlags {
		var m flagMatch
		for _, x := range f.Flags {
			m.flags |= tcpFlagBits[strings.ToUpper(x)]
		}
		for _, x := range f.Masks {
			m.mask |= tcpFlagBits[strings.ToUpper(x)]
		}
		if len(f.Masks) == 0 {
			m.mask = 0xff
		}
		s.flags = append(s.flags, m)
	}
	for _, a := range r.Actions {
		switch a {
		case model.ActionPass:
			s.action, s.Action = Pass, a
		case model.ActionDrop:
			s.action, s.Action = Drop, a
		case model.ActionForwardToSFE:
			s.action, s.Action = 0, a
		default:
			continue // a custom action publishes metrics only (§14.6)
		}
		break
	}
	s.Text = s.text()
	return s
}

func portRanges(rs []model.PortRange) []prange {
	if len(rs) == 0 {
		return nil
	}
	out := make([]prange, 0, len(rs))
	for _, r := range rs {
		out = append(out, prange{uint16(r.From), uint16(r.To)})
	}
	return merge(out)
}

func (s *slRule) text() string {
	var b strings.Builder
	b.WriteString(s.Action)
	if len(s.protos) > 0 {
		fmt.Fprintf(&b, " proto %v", s.protos)
	}
	if len(s.srcs) > 0 {
		fmt.Fprintf(&b, " src %v", s.srcs)
	}
	if s.sports != nil {
		b.WriteString(" sport " + rangesText(s.sports))
	}
	if len(s.dsts) > 0 {
		fmt.Fprintf(&b, " dst %v", s.dsts)
	}
	if s.dports != nil {
		b.WriteString(" dport " + rangesText(s.dports))
	}
	if len(s.flags) > 0 {
		b.WriteString(" tcp-flags")
	}
	return b.String()
}

func slKeys(r *slRule) key {
	k := key{buckets: 1<<nBuckets - 1}
	if len(r.protos) > 0 {
		k.buckets = 0
		for _, p := range r.protos {
			k.buckets |= 1 << bucketOf(p)
		}
	}
	// Port ranges index TCP and UDP only; a rule with ports matches no other protocol.
	if r.dports != nil {
		k.ports = r.dports
		k.buckets &= 1<<bTCP | 1<<bUDP
	}
	return k
}

func (s *slRule) match(p *packet.Packet) bool {
	if len(s.protos) > 0 && !slices.Contains(s.protos, p.Proto) {
		return false
	}
	if s.sports != nil || s.dports != nil {
		if !p.HasPorts() || s.sports != nil && !inRanges(s.sports, p.SrcPort) || s.dports != nil && !inRanges(s.dports, p.DstPort) {
			return false
		}
	}
	if !inPrefixes(s.srcs, p.Src) || !inPrefixes(s.dsts, p.Dst) {
		return false
	}
	if len(s.flags) > 0 {
		if p.Proto != packet.ProtoTCP {
			return false
		}
		ok := false
		for _, f := range s.flags {
			ok = ok || p.TCPFlags&f.mask == f.flags&f.mask
		}
		return ok
	}
	return true
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Stateless runs the stateless engine on one packet (§14.6-7). Decision 0 with StageStateless
// means "forward to the stateful engine". A non-UDP fragment is dropped before any rule
// (StageFragment, §14.7).
func (pol *Policy) Stateless(p *packet.Packet) Verdict {
	frag := p.IsFragment()
	if frag && p.Proto != packet.ProtoUDP {
		return Verdict{Decision: Drop, Stage: StageFragment}
	}
	var hit *slRule
	pol.sl.each(p.Proto, p.DstPort, func(_ int32, r *slRule) bool {
		if r.match(p) {
			hit = r
			return false
		}
		return true
	})
	if hit != nil {
		return Verdict{Decision: hit.action, Stage: StageStateless, Rule: &hit.Rule, Action: hit.Action}
	}
	actions := pol.slDefault
	if frag {
		actions = pol.slFrag
	}
	for _, a := range actions {
		switch a {
		case model.ActionPass:
			return Verdict{Decision: Pass, Stage: StageStateless, Action: a}
		case model.ActionDrop:
			return Verdict{Decision: Drop, Stage: StageStateless, Action: a}
		case model.ActionForwardToSFE:
			return Verdict{Stage: StageStateless, Action: a}
		}
	}
	// No default action: AWS requires one; vpclab forwards to the stateful engine.
	return Verdict{Stage: StageStateless, Action: model.ActionForwardToSFE}
}
