package engine

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/nfw"
	"github.com/vpclab/vpclab/internal/packet"
)

// cFWEndpoint is an AWS Network Firewall endpoint (§14): a GWLB-type vpce- in the firewall
// subnet of one Availability Zone, a route target like a GWLB endpoint (§14.3). It is a
// middlebox in its own subnet (§0.10):
//
//	NACL of the endpoint subnet, inbound
//	  → stateless engine (§14.6-7) → stateful engine (§14.8-12), flow state in State
//	  → NACL outbound → the endpoint subnet's route table
//
// Transparent: addresses, ports and TTL are kept (§14.3); it has no security groups, and
// security group references do not match what it forwards (arrival.relayed).
type cFWEndpoint struct {
	fw      *model.Firewall
	m       *model.FirewallSubnetMapping
	subnet  *cSubnet
	pol     *nfw.Policy
	polName string
	comp    Component
	flow    uint32 // the endpoint's number in flow keys: state is per endpoint (§14.5)
	// noteSkip is said of every decision when the policy refers to what vpclab cannot
	// evaluate (§14.17); empty otherwise.
	noteSkip string
	// missing names the policy or rule group the topology lacks (a partial snapshot); the
	// endpoint then drops everything, since vpclab cannot know what it would let through.
	missing string
}

func (n *Network) compileFirewalls(t *model.Topology) {
	if len(t.Firewalls) == 0 {
		return
	}
	policies := map[string]*model.FirewallPolicy{}
	for _, p := range t.FirewallPolicies {
		policies[p.ARN] = p
	}
	groups := map[string]*model.RuleGroup{}
	for _, g := range t.RuleGroups {
		groups[g.ARN] = g
	}
	pls := map[model.PrefixListID]*model.PrefixList{}
	for _, pl := range t.PrefixLists {
		pls[pl.ID] = pl
	}
	n.fwEndpoints = map[model.VPCEndpointID]*cFWEndpoint{}
	compiled := map[string]*nfw.Policy{}
	for _, fw := range t.Firewalls {
		p := policies[fw.PolicyARN]
		v := n.vpcs[fw.VPC]
		var pol *nfw.Policy
		if p != nil && v != nil {
			key := p.ARN + "\x00" + string(fw.VPC) // HOME_NET defaults to the VPC's CIDRs
			if pol = compiled[key]; pol == nil {
				pol = nfw.Compile(nfw.Input{Policy: p, Groups: groups, PrefixLists: pls, VPCCIDRs: v.cidrs})
				compiled[key] = pol
			}
		}
		skip := unsupportedNote(p, groups)
		missing := missingPart(fw, p, groups)
		if missing != "" {
			pol = nil
		}
		for i := range fw.SubnetMappings {
			m := &fw.SubnetMappings[i]
			if m.Endpoint == "" {
				continue
			}
			name := fw.Name
			if m.AvailabilityZone != "" {
				name += "/" + m.AvailabilityZone
			}
			polName := fw.PolicyARN
			if p != nil && p.Name != "" {
				polName = p.Name
			}
			n.fwEndpoints[m.Endpoint] = &cFWEndpoint{fw: fw, m: m, subnet: n.subnets[m.Subnet], pol: pol, polName: polName,
				comp: comp(KindNetworkFirewall, string(m.Endpoint), name), flow: uint32(len(n.fwEndpoints) + 1), noteSkip: skip, missing: missing}
		}
	}
}

// missingPart names the first part of a firewall's configuration a partial snapshot lacks:
// its policy, or a rule group the policy references (AWS-managed groups, which no snapshot
// holds, are §14.17's to flag, not missing). "" when nothing is.
func missingPart(fw *model.Firewall, p *model.FirewallPolicy, groups map[string]*model.RuleGroup) string {
	if p == nil {
		return "firewall policy " + fw.PolicyARN
	}
	for _, r := range append(p.StatelessGroups[:len(p.StatelessGroups):len(p.StatelessGroups)], p.StatefulGroups...) {
		if groups[r.ARN] == nil && !model.IsManagedRuleGroup(r.ARN) {
			return "rule group " + r.ARN + " of policy " + fwLabel(p.Name, p.ARN)
		}
	}
	return ""
}

// unsupportedNote names what a policy refers to that vpclab cannot evaluate (§14.17).
func unsupportedNote(p *model.FirewallPolicy, groups map[string]*model.RuleGroup) string {
	if p == nil {
		return ""
	}
	var what []string
	what = append(what, p.Unsupported...)
	for _, r := range append(p.StatelessGroups[:len(p.StatelessGroups):len(p.StatelessGroups)], p.StatefulGroups...) {
		g := groups[r.ARN]
		switch {
		case g == nil && model.IsManagedRuleGroup(r.ARN):
			what = append(what, "AWS-managed rule group "+r.ARN)
		case g != nil:
			for _, f := range g.Unsupported {
				what = append(what, f+" (rule group "+fwLabel(g.Name, g.ARN)+")")
			}
		}
	}
	if len(what) == 0 {
		return ""
	}
	return "; the policy uses " + strings.Join(what, ", ") + ", which vpclab does not model: assumed to pass (§14.17)"
}

func fwLabel(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// resolveFirewallEndpoint: a route to a firewall endpoint of the table's VPC whose attachment
// is READY (§14 API shapes: only READY forwards); nil when id is no firewall endpoint.
func resolveFirewallEndpoint(n *Network, v *cVPC, id string) node {
	f := n.fwEndpoints[model.VPCEndpointID(id)]
	switch {
	case f == nil:
		return nil
	case f.fw.TransitGatewayID != "":
		return &dropNode{code: CodeVPCLabUnsupported, comp: f.comp,
			detail: fmt.Sprintf("firewall %s is attached to transit gateway %s: TGW-attached firewalls are not modelled (§14.1)", f.fw.Name, f.fw.TransitGatewayID)}
	case f.subnet == nil || f.subnet.vpc != v:
		return &dropNode{code: CodeBadStateAttachment, comp: f.comp,
			detail: fmt.Sprintf("firewall endpoint %s is not in this route table's VPC", id)}
	case !f.m.Ready():
		return &dropNode{code: CodeBadState, comp: f.comp,
			detail: fmt.Sprintf("firewall endpoint %s is %s, not READY: only READY attachments forward (§14.1)", id, f.m.Status)}
	case f.missing != "":
		return &dropNode{code: CodeNotInSnapshot, comp: f.comp,
			detail: fmt.Sprintf("firewall %s: %s is not in the topology, so vpclab cannot tell what its endpoints let through: they drop everything (fail closed)", f.fw.Name, f.missing)}
	case f.pol == nil:
		return &dropNode{code: CodeBadState, comp: f.comp,
			detail: fmt.Sprintf("firewall %s has no policy in the topology (%s)", f.fw.Name, f.fw.PolicyARN)}
	}
	return f
}

// home is the firewall subnet: an internet gateway's edge route table that sends traffic to
// the endpoint makes the answers leave through it (§1.3.8, edge.go).
func (f *cFWEndpoint) home() *cSubnet { return f.subnet }

// receive: §14.2, the endpoint does not filter its own subnet's traffic; §0.10, the subnet's
// NACL inbound, the policy, then on out of the subnet (NACL outbound, its route table).
func (f *cFWEndpoint) receive(e *ev, a arrival, p packet.Packet) {
	if c := f.subnet.m.CIDR; c.Contains(p.Src) || c.Contains(p.Dst) {
		who := p.Src
		if !c.Contains(who) {
			who = p.Dst
		}
		e.fatal(CodeNFWSameSubnet, f.comp, p, fmt.Sprintf("%s is in the firewall subnet %s: a firewall endpoint cannot filter traffic that enters or leaves its own subnet; put workloads in other subnets (§14.2)", who, f.subnet.m.ID))
		return
	}
	if !e.enterSubnet(f.subnet, a, p) {
		return
	}
	v, phase := f.judge(e, &p)
	if v.Decision != nfw.Pass {
		f.drop(e, a, p, v, phase)
		return
	}
	if e.recording() {
		e.hop(Hop{Component: f.comp, Action: ActForward, In: p, Middlebox: true, Note: f.decision(&p, v, phase, false)})
	}
	// What the endpoint forwards keeps its addresses (§14.3), but not its sender's security
	// groups: references match nothing downstream (§7.1.13).
	e.forward(f.subnet, a.relayed(p.Src), p)
}

// Phases of a simulated flow at the stateful engine (see judge).
const (
	phasePacket      = ""
	phaseHandshake   = "handshake"
	phaseApplication = "application"
)

// judge runs the policy on p: the stateless engine, then (when it forwards) the stateful
// engine with the flow's state at this endpoint.
//
// A simulated TCP SYN that carries application attributes (packet.App: the SNI or Host the
// tools' --sni/--http-host set) stands for its whole flow, §14.10 and §14.15: the firewall
// first judges the SYN itself (the handshake, where drop_strict already drops an unmatched
// packet, NFW-3), then the ClientHello or HTTP request that would follow as an established
// client→server packet carrying the attribute (domain lists and tls.sni/http.host rules,
// drop_established, NFW-4/5). The phase returned says which of the two decided. A live flow
// needs no such stand-in: its data packets carry the bytes (nfw.AppOf reads them).
func (f *cFWEndpoint) judge(e *ev, p *packet.Packet) (nfw.Verdict, string) {
	pol := f.pol
	v := pol.Stateless(p)
	if v.Stage == nfw.StageFragment || v.Decision != 0 {
		return v, phasePacket
	}
	now := e.st.clock.Now()
	if p.IsICMPError() && p.Inner != nil {
		// An ICMP error about a flow the endpoint tracks passes with it.
		if fl, ok := e.st.nfwFlow(nfwKeyOf(f.flow, p.Inner), now, pol.TCPIdle); ok && fl.Decided != nfw.Drop {
			return nfw.Verdict{Decision: nfw.Pass, Stage: nfw.StageFlow, Rule: fl.Rule}, phasePacket
		}
	}
	k := nfwKeyOf(f.flow, p)
	fl, ok := e.st.nfwFlow(k, now, pol.TCPIdle)
	if !ok {
		fl = nfw.NewFlow(p, now)
		if !p.OpensFlow() {
			// §14.12: a packet of a flow the engine never saw start.
			if x := pol.StreamException(); x.Decision != 0 {
				return x, phasePacket
			}
			if p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPSyn != 0 || p.ICMPType == packet.ICMPEchoReply && p.Proto == packet.ProtoICMP {
				fl.Client, fl.ClientPort = p.Dst, p.DstPort // an answer: its destination opened the flow
			}
			fl.ServerSpoke, fl.Handshake = true, true
		}
	}
	fl.Last = now
	v, phase := f.judgeFlow(&fl, p)
	e.st.nfwStore(k, fl)
	return v, phase
}

// judgeFlow runs the stateful engine on p of flow fl (see judge for a simulated flow).
func (f *cFWEndpoint) judgeFlow(fl *nfw.Flow, p *packet.Packet) (nfw.Verdict, string) {
	pol := f.pol
	sim := p.App != nil && p.Proto == packet.ProtoTCP && p.TCPFlags&(packet.TCPSyn|packet.TCPAck) == packet.TCPSyn
	if !sim {
		app := nfw.AppOf(p)
		v := pol.Stateful(fl, p, app)
		if app != nil {
			fl.AppJudged = true
		}
		return v, phasePacket
	}
	v := pol.Stateful(fl, p, nil)
	if v.Decision != nfw.Pass {
		return v, phaseHandshake
	}
	if fl.AppJudged {
		return v, phasePacket
	}
	data := *p
	data.TCPFlags = packet.TCPPsh | packet.TCPAck
	tmp := *fl
	tmp.ServerSpoke, tmp.Handshake = true, true
	v2 := pol.Stateful(&tmp, &data, p.App)
	fl.Decided, fl.Rule, fl.AppJudged = tmp.Decided, tmp.Rule, true
	v2.Alerts += v.Alerts
	return v2, phaseApplication
}

// drop reports a packet the policy stopped, and answers a REJECT with a TCP RST (§14.11).
func (f *cFWEndpoint) drop(e *ev, a arrival, p packet.Packet, v nfw.Verdict, phase string) {
	code := CodeFirewallRules
	why := f.decision(&p, v, phase, true)
	switch v.Stage {
	case nfw.StageFragment:
		code = CodeNFWFragment
		why = fmt.Sprintf("firewall %s silently drops %s fragments; only UDP fragments go through the stateless rules and fragment default actions (§14.7)", f.fw.Name, packet.ProtoName(p.Proto))
	case nfw.StageStreamException:
		code = CodeNFWStreamException
	}
	rst := v.Decision == nfw.Reject && p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPRst == 0
	if v.Decision == nfw.Reject && !rst {
		why += "; a reject answers TCP only: this packet is dropped without an answer ([UNCERTAIN], §14.11)"
	}
	e.hop(Hop{Component: f.comp, Action: ActDrop, In: p, Note: why})
	e.block(code, f.comp, p, why)
	if v.Unsupported {
		e.advise(nfw.DetailUnsupportedRuleOptions, f.comp, "the deciding rule has options vpclab does not evaluate: its header alone decided (§14.16)")
	}
	if v.SkippedHigher {
		e.advise(nfw.DetailUnsupportedHigherPriority, f.comp, "rules vpclab cannot evaluate come before the deciding rule"+f.noteSkip)
	}
	if code == CodeNFWStreamException && a.via != nil && !a.via.m.ApplianceMode {
		e.advise(DetailApplianceModeRecommended, a.via.comp, fmt.Sprintf("the packet came from %s, whose appliance mode is off, so the two directions of a flow may use endpoints in different zones: enable appliance mode on it (§7.2.13, §14.5)", a.via.comp))
	}
	e.nowhere(p)
	if rst {
		// §14.11: the RST goes to the sender, from the address it wrote to [INF].
		r := packet.Packet{Src: p.Dst, Dst: p.Src, Proto: packet.ProtoTCP, TTL: 255, SrcPort: p.DstPort, DstPort: p.SrcPort,
			TCPFlags: packet.TCPRst | packet.TCPAck, Ack: p.Seq + 1}
		e.generate(r, func(sub *ev, g packet.Packet) {
			sub.pass(f.comp, ActSend, g, fmt.Sprintf("firewall %s rejects the flow with a TCP RST from %s (§14.11)", f.fw.Name, g.Src))
			sub.forward(f.subnet, arrival{origin: OriginInside}, g)
		})
	}
}

// decision says in words what decided v: the rule group, rule and action, or the default.
// It is built in one buffer, so that the hop of a forwarded packet costs one allocation.
func (f *cFWEndpoint) decision(p *packet.Packet, v nfw.Verdict, phase string, withFlow bool) string {
	var arr [512]byte
	b := append(arr[:0], "firewall "...)
	b = append(append(append(append(b, f.fw.Name...), ", policy "...), f.polName...), ": "...)
	rule := func(b []byte, r *nfw.Rule) []byte {
		b = append(append(b, r.Group...), ", "...)
		if v.Stage == nfw.StageStateless {
			b = append(b, "rule "...)
		}
		return append(append(append(b, r.Name...), ": "...), r.Text...)
	}
	switch v.Stage {
	case nfw.StageStateless:
		if v.Rule != nil {
			b = append(rule(append(b, "stateless rule group "...), v.Rule), " (§14.6)"...)
		} else {
			b = append(append(append(b, "no stateless rule matches; the stateless default action is "...), v.Action...), " (§14.7)"...)
		}
	case nfw.StageStateful:
		b = append(rule(append(b, "stateful rule group "...), v.Rule), " (§14.9-10)"...)
	case nfw.StageFlow:
		b = append(b, "the flow was decided earlier"...)
		if v.Rule != nil {
			b = rule(append(b, " by rule group "...), v.Rule)
		}
		b = append(b, " (§14.9)"...)
	case nfw.StageDefault:
		if v.Action != "" {
			b = append(append(append(b, "no stateful rule decides; the stateful default action "...), v.Action...), " applies (§14.10)"...)
		} else {
			b = append(b, "no stateful rule decides, and there is no stateful default action (§14.9)"...)
		}
	case nfw.StageStreamException:
		b = append(append(append(b, "the stateful engine never saw this flow start (asymmetric routing, another endpoint, or a stateless pass in the other direction); the stream exception policy is "...), v.Action...), " (§14.12)"...)
	}
	b = append(append(b, ": "...), v.Decision.String()...)
	if withFlow {
		b = append(append(b, ' '), flowText(p)...)
	}
	switch phase {
	case phaseHandshake:
		b = append(b, ", at the TCP handshake (the SYN)"...)
	case phaseApplication:
		b = append(append(append(b, ", at the flow's "...), appName(p.App)...), " after the handshake passed"...)
	}
	if v.Alerts > 0 {
		b = append(append(append(b, "; "...), strconv.Itoa(v.Alerts)...), " alert rule(s) matched"...)
	}
	b = append(b, f.noteSkip...)
	if withFlow {
		return string(b)
	}
	return string(append(b, "; forwarded unchanged (§14.3)"...))
}

func appName(a *packet.App) string {
	switch {
	case a == nil:
		return "data"
	case a.SNI != "":
		return "TLS ClientHello (SNI " + a.SNI + ")"
	}
	return "HTTP request (Host " + a.HTTPHost + ")"
}

// nfwKey identifies a flow at one firewall endpoint, whichever way its packets go.
type nfwKey struct {
	ep   uint32
	flow applKey
}

func nfwKeyOf(ep uint32, p *packet.Packet) nfwKey { return nfwKey{ep: ep, flow: applKeyOf("", p)} }

// nfwFlow is the live flow at an endpoint, or nil: flows idle longer than the policy's TCP
// idle timeout are forgotten (§14.12; vpclab applies it to every protocol [INF]).
func (s *State) nfwFlow(k nfwKey, now time.Time, idle time.Duration) (nfw.Flow, bool) {
	f, ok := s.nfw[k]
	if ok && now.Sub(f.Last) > idle {
		delete(s.nfw, k)
		return nfw.Flow{}, false
	}
	return f, ok
}

// nfwStore keeps flow f at k.
func (s *State) nfwStore(k nfwKey, f nfw.Flow) {
	if s.nfw == nil {
		s.nfw = map[nfwKey]nfw.Flow{} // made on first use: most labs have no firewall
	}
	s.nfw[k] = f
}

// FirewallEndpointSpans lists the header-space cuts of the policy at a firewall endpoint for
// packets from src to dst (nfw.Policy.Spans): the analyzer splits port ranges at them.
func (n *Network) FirewallEndpointSpans(dst []nfw.Span, endpoint model.VPCEndpointID, src, to netip.Addr) []nfw.Span {
	if f := n.fwEndpoints[endpoint]; f != nil && f.pol != nil {
		return f.pol.Spans(dst, src, to)
	}
	return dst
}

// firewallSpans are the cuts of the policy behind a firewall hop (§14) as Spans: each rule
// that can match the hop's addresses, at its destination ports. Rules that match every port
// cut nothing and are left out (a stateless rule that forwards everything to the stateful
// engine decides nothing, so it must not end the analyzer's scan); a rule of every protocol
// cuts TCP and UDP.
func (n *Network) firewallSpans(dst []Span, h *Hop) []Span {
	var buf [64]nfw.Span
	for _, s := range n.FirewallEndpointSpans(buf[:0], model.VPCEndpointID(h.Component.ID), h.In.Src, h.In.Dst) {
		if s.Ports == allPorts {
			continue
		}
		switch s.Protocol {
		case -1:
			dst = append(dst, Span{Protocol: int(packet.ProtoTCP), Ports: s.Ports, Types: allICMP, Codes: allICMP},
				Span{Protocol: int(packet.ProtoUDP), Ports: s.Ports, Types: allICMP, Codes: allICMP})
		case int(packet.ProtoTCP), int(packet.ProtoUDP):
			dst = append(dst, Span{Protocol: s.Protocol, Ports: s.Ports, Types: allICMP, Codes: allICMP})
		}
	}
	return dst
}
