package analyze

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Explanation codes of the analysis itself (§8: codes Reachability Analyzer lacks carry the
// VPCLAB_ prefix; REMAP_EPHEMERAL_PORT is AWS's own).
const (
	CodeRemapEphemeralPort  = "REMAP_EPHEMERAL_PORT"
	CodeReplySourceMismatch = "VPCLAB_REPLY_SOURCE_MISMATCH"
	CodeAsymmetricAppliance = "VPCLAB_ASYMMETRIC_ROUTING"
	CodeNoPath              = "NO_PATH"
)

// The ports a NAT gateway maps sources to (§2.2.3).
const natPortLo, natPortHi = 1024, 65535

// Paths of a flow.
const (
	PathForward = "forward"
	PathReturn  = "return"
)

// Blocker is one component that stops (or would stop) a part, on the forward or the return
// path. Every blocker of a part is listed, in path order (forward first).
type Blocker struct {
	Path      string // PathForward or PathReturn
	Code      string
	At        engine.Component
	Direction string // the hop's: ingress/egress (security groups), inbound/outbound (NACLs)
	Rule      int    // the NACL rule number (32767 is "*"); 0 for other components
	Detail    string // a sentence about the representative packet
}

// Outcome is what one representative packet and its reply met.
type Outcome struct {
	Packet  packet.Packet  // as sent
	Forward *engine.Result // evaluated past every block
	Return  *engine.Result // the destination host's answer; nil when none was sent
	Arrived bool           // the forward packet reached the destination (with blocks lifted)
	Replies bool           // the destination answers this packet
	Back    bool           // the answer reached the source (with blocks lifted)
	// Seen is the source address the destination sees (or would see, were the blocks lifted).
	Seen      netip.Addr
	Blockers  []Blocker
	Reachable bool

	key string
}

// end is where a journey ended, blocks lifted.
type end struct {
	kind     engine.Outcome
	pkt      packet.Packet
	eni      model.ENIID
	internet bool
	vgw      model.VPNGatewayID
}

func endOf(r *engine.Result) end {
	if len(r.Blockers) == 0 {
		switch r.Outcome {
		case engine.Delivered:
			return end{kind: engine.Delivered, pkt: r.Packet, eni: r.ENI}
		case engine.Exited:
			return end{kind: engine.Exited, pkt: r.Packet, internet: r.Exit.To.Kind == engine.KindInternet,
				vgw: model.VPNGatewayID(r.Exit.Gateway.ID)}
		}
		return end{kind: engine.Dropped}
	}
	n := len(r.Hops)
	last := r.Hops[n-1]
	e := end{kind: engine.Dropped, pkt: last.Out}
	switch last.Action {
	case "deliver":
		for i := n - 1; i >= 0; i-- {
			if h := r.Hops[i]; h.Component.Kind == engine.KindENI && h.Action == "receive" {
				e.kind, e.eni = engine.Delivered, model.ENIID(h.Component.ID)
				break
			}
		}
	case "exit":
		e.kind, e.internet = engine.Exited, last.Component.Kind == engine.KindInternet
		for i := n - 1; i >= 0; i-- {
			if h := r.Hops[i]; h.Component.Kind == engine.KindVPNGateway {
				e.vgw = model.VPNGatewayID(h.Component.ID)
				break
			}
		}
	}
	return e
}

// reaches reports whether a journey ended at an endpoint. An address endpoint is reached by
// delivery to it, or to the interface its public IP maps to (§3.4).
func (a *Analyzer) reaches(e end, ep tools.Endpoint) bool {
	switch e.kind {
	case engine.Delivered:
		if ep.Kind == tools.EndpointENI {
			return e.eni == ep.ENI
		}
		if ep.Kind != tools.EndpointAddress {
			return false
		}
		eni, _, mapped := a.Net.PublicMapping(ep.IP)
		return e.pkt.Dst == ep.IP || mapped && eni == e.eni
	case engine.Exited:
		return ep.Kind != tools.EndpointENI && e.pkt.Dst == ep.IP
	}
	return false
}

const externalTTL = 64 // a Linux host beyond the VPC (§6.7)

// responder is where the receiving host's answer starts, and its initial TTL.
func (a *Analyzer) responder(e end) (engine.Location, uint8) {
	switch {
	case e.kind == engine.Delivered:
		ttl := uint8(model.DefaultInitialTTL)
		if t, ok := a.ttl[e.eni]; ok {
			ttl = t
		}
		return engine.Location{Kind: engine.FromENI, ENI: e.eni}, ttl
	case e.internet:
		return engine.Location{Kind: engine.FromInternet}, externalTTL
	}
	return engine.Location{Kind: engine.FromVPNGateway, VPNGateway: e.vgw}, externalTTL
}

// answer is what a host with a listening service sends back to p, as tools' hosts do: a
// SYN-ACK, a UDP reply, an echo reply, a packet in kind for other protocols; nothing for ICMP
// other than an echo request.
func answer(p packet.Packet, ttl uint8) (packet.Packet, bool) {
	r := packet.Packet{Src: p.Dst, Dst: p.Src, TTL: ttl, Proto: p.Proto}
	switch p.Proto {
	case packet.ProtoICMP:
		if p.ICMPType != packet.ICMPEchoRequest {
			return r, false
		}
		r.ICMPType, r.ICMPID, r.ICMPSeq, r.PayloadLen = packet.ICMPEchoReply, p.ICMPID, p.ICMPSeq, p.PayloadLen
	case packet.ProtoUDP:
		r.SrcPort, r.DstPort, r.PayloadLen = p.DstPort, p.SrcPort, p.DataLen()
	case packet.ProtoTCP:
		r.SrcPort, r.DstPort = p.DstPort, p.SrcPort
		r.TCPFlags, r.Seq, r.Ack, r.Window = packet.TCPSyn|packet.TCPAck, 2000000001, p.Seq+1, 62643
	default:
		r.PayloadLen = p.DataLen()
	}
	return r, true
}

// packetFor makes the full packet of a representative header between two endpoints.
func packetFor(h packet.Packet, from, to tools.Endpoint) packet.Packet {
	p := h
	p.Src, p.Dst, p.TTL = from.IP, to.IP, from.TTL
	switch p.Proto {
	case packet.ProtoTCP:
		p.TCPFlags, p.Seq, p.Window = packet.TCPSyn, 1000000001, 62727
	case packet.ProtoUDP:
		p.PayloadLen = 32
	case packet.ProtoICMP:
		p.ICMPID, p.ICMPSeq, p.PayloadLen = 0x7670, 1, 56
	default:
		p.PayloadLen = 32
	}
	return p
}

var continuePast = engine.Options{ContinuePastBlocks: true}

// Target is the endpoint packets from `from` are addressed to (tools.TargetOf).
func (a *Analyzer) Target(from, to tools.Endpoint) tools.Endpoint {
	return tools.TargetOf(a.enis[to.ENI], from, to)
}

// evaluate sends one packet from an endpoint past every block on a fresh state and, when it
// arrives, the destination's answer back; then it adds what only the pair of journeys shows.
func (a *Analyzer) evaluate(from, to tools.Endpoint, p packet.Packet) *Outcome {
	st := engine.NewState(&engine.ManualClock{T: tools.SimEpoch}, a.Seed)
	o := &Outcome{Packet: p, Forward: a.Net.SendWith(st, location(from), p, continuePast)}
	fe := endOf(o.Forward)
	if fe.kind != engine.Dropped {
		o.Seen = fe.pkt.Src
	}
	o.Arrived = a.reaches(fe, to)
	o.Blockers = appendBlockers(o.Blockers, PathForward, o.Forward)
	if o.Arrived {
		at, ttl := a.responder(fe)
		if reply, ok := answer(fe.pkt, ttl); ok {
			o.Replies = true
			o.Return = a.Net.SendWith(st, at, reply, continuePast)
			re := endOf(o.Return)
			o.Back = a.reaches(re, from)
			o.Blockers = appendBlockers(o.Blockers, PathReturn, o.Return)
			if o.Back {
				o.Blockers = append(o.Blockers, replyChecks(o, re)...)
				o.Blockers = append(o.Blockers, a.remapCheck(o)...)
			} else if len(o.Return.Blockers) == 0 {
				o.Blockers = append(o.Blockers, Blocker{Path: PathReturn, Code: CodeNoPath, At: lastComp(o.Return),
					Detail: fmt.Sprintf("the answer ends at %s, not at the source", lastComp(o.Return))})
			}
		}
	} else if len(o.Forward.Blockers) == 0 {
		o.Blockers = append(o.Blockers, Blocker{Path: PathForward, Code: CodeNoPath, At: lastComp(o.Forward),
			Detail: fmt.Sprintf("the packet ends at %s, not at the destination", lastComp(o.Forward))})
	}
	o.Reachable = o.Arrived && len(o.Blockers) == 0 && (!o.Replies || o.Back)
	return o
}

func lastComp(r *engine.Result) engine.Component { return r.Hops[len(r.Hops)-1].Component }

func appendBlockers(out []Blocker, path string, r *engine.Result) []Blocker {
	for _, b := range r.Blockers {
		x := Blocker{Path: path, Code: b.Code, At: b.At, Detail: b.Detail}
		if b.Hop >= 0 && b.Hop < len(r.Hops) {
			h := &r.Hops[b.Hop]
			x.Direction = h.Direction
			if h.ACLRule != nil {
				x.Rule = h.ACLRule.RuleNumber
			}
		}
		out = append(out, x)
	}
	return out
}

// replyChecks finds answers that arrive but that the source cannot use: from another
// address or port than it sent to (the answer was translated on its way back: asymmetric
// routing through a NAT gateway), or through an appliance one way only (§1.2.5).
func replyChecks(o *Outcome, re end) []Blocker {
	var out []Blocker
	p, r := o.Packet, re.pkt
	if r.Src != p.Dst || p.HasPorts() && (r.SrcPort != p.DstPort || r.DstPort != p.SrcPort) {
		at := lastComp(o.Return)
		for _, h := range o.Return.Hops {
			if h.Action == "translate" && h.In.Src != h.Out.Src && h.Component.Kind == engine.KindNATGateway {
				at = h.Component
				break
			}
		}
		out = append(out, Blocker{Path: PathReturn, Code: CodeReplySourceMismatch, At: at,
			Detail: fmt.Sprintf("the answer reaches the source from %s, not from %s it sent to: it was translated on the way back (asymmetric routing through a NAT gateway, §1.2.5), so the source's stack drops it",
				endpointText(r, true), endpointText(p, false))})
	}
	fwd, ret := appliances(o.Forward), appliances(o.Return)
	for _, c := range fwd {
		if !containsComp(ret, c) {
			out = append(out, Blocker{Path: PathReturn, Code: CodeAsymmetricAppliance, At: c,
				Detail: fmt.Sprintf("the packet goes through appliance %s but the answer does not: asymmetric routing through an appliance is not supported (§1.2.5)", c)})
		}
	}
	for _, c := range ret {
		if !containsComp(fwd, c) {
			out = append(out, Blocker{Path: PathReturn, Code: CodeAsymmetricAppliance, At: c,
				Detail: fmt.Sprintf("the answer goes through appliance %s but the packet did not: asymmetric routing through an appliance is not supported (§1.2.5)", c)})
		}
	}
	return out
}

func endpointText(p packet.Packet, src bool) string {
	a, port := p.Dst, p.DstPort
	if src {
		a, port = p.Src, p.SrcPort
	}
	if p.HasPorts() {
		return a.String() + ":" + strconv.Itoa(int(port))
	}
	return a.String()
}

func appliances(r *engine.Result) []engine.Component {
	var out []engine.Component
	for _, h := range r.Hops {
		if h.Component.Kind == engine.KindInstance && h.Action == "forward" && !containsComp(out, h.Component) {
			out = append(out, h.Component)
		}
	}
	return out
}

func containsComp(cs []engine.Component, c engine.Component) bool {
	for _, x := range cs {
		if x.ID == c.ID {
			return true
		}
	}
	return false
}

// remapCheck: behind a NAT gateway the answer is addressed to a port the gateway chose in
// 1024-65535 (§2.2.3); every NACL it crosses before the gateway translates it back must
// admit that whole range (§5.6), or some connections fail.
func (a *Analyzer) remapCheck(o *Outcome) []Blocker {
	if !o.Packet.HasPorts() || !natted(o.Forward) {
		return nil
	}
	var out []Blocker
	for _, h := range o.Return.Hops {
		if h.Component.Kind == engine.KindNATGateway && h.Action == "translate" {
			break
		}
		if h.ACLRule == nil || !h.ACLRule.Allow {
			continue
		}
		rules := a.acls[h.ACLRule.ACLID]
		if rules == nil {
			continue
		}
		entries, peer := rules.inbound, h.In.Src
		if h.ACLRule.Egress {
			entries, peer = rules.outbound, h.In.Dst
		}
		if ok, rule := aclAllowsAll(entries, peer, h.In.Proto, natPortLo, natPortHi); !ok {
			num := strconv.Itoa(rule)
			if rule == 32767 {
				num = "*"
			}
			out = append(out, Blocker{Path: PathReturn, Code: CodeRemapEphemeralPort, At: h.Component, Direction: h.Direction, Rule: rule,
				Detail: fmt.Sprintf("%s rule %s of %s denies some of the ports 1024-65535 a NAT gateway answers on (§2.2.3, §5.6)", h.Direction, num, h.Component)})
		}
	}
	return out
}

// natted reports whether a NAT gateway translated the packet's source on its way.
func natted(r *engine.Result) bool {
	for _, h := range r.Hops {
		if h.Component.Kind == engine.KindNATGateway && h.Action == "translate" && h.In.Src != h.Out.Src {
			return true
		}
	}
	return false
}

// Key identifies an outcome for merging: the verdict, the components of both paths, the
// source the destination sees and every blocker by path, code, component, direction and rule.
func (o *Outcome) Key() string {
	if o.key != "" {
		return o.key
	}
	var b strings.Builder
	if o.Reachable {
		b.WriteString("R|")
	} else {
		b.WriteString("B|")
	}
	writeComps(&b, o.Forward, false)
	b.WriteByte('|')
	if o.Return != nil {
		writeComps(&b, o.Return, false)
	}
	b.WriteByte('|')
	if o.Seen.IsValid() {
		b.WriteString(o.Seen.String())
	}
	for _, x := range o.Blockers {
		fmt.Fprintf(&b, "|%s %s %s %s %d", x.Path, x.Code, x.At.ID, x.Direction, x.Rule)
	}
	o.key = b.String()
	return o.key
}

// deadKey identifies a journey that does not arrive by where it goes and where it ends: the
// components other than filters, and the last blocker. Diff compares dead flows by it, so a
// filter change on a path that ends at a missing route anyway is no change.
func (o *Outcome) deadKey() string {
	var b strings.Builder
	b.WriteString("D|")
	writeComps(&b, o.Forward, true)
	if n := len(o.Blockers); n > 0 {
		x := o.Blockers[n-1]
		fmt.Fprintf(&b, "|%s %s", x.Code, x.At.ID)
	}
	return b.String()
}

// routeKey is Key without the filters that let the packet through: which security group or
// rule allows a flow is no change of the flow.
func (o *Outcome) routeKey() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v|", o.Reachable)
	writeComps(&b, o.Forward, true)
	b.WriteByte('|')
	if o.Return != nil {
		writeComps(&b, o.Return, true)
	}
	b.WriteByte('|')
	if o.Seen.IsValid() {
		b.WriteString(o.Seen.String())
	}
	for _, x := range o.Blockers {
		fmt.Fprintf(&b, "|%s %s %s %s %d", x.Path, x.Code, x.At.ID, x.Direction, x.Rule)
	}
	return b.String()
}

// diffKey is routeKey for flows that arrive (in either topology) and deadKey for the others.
func (o *Outcome) diffKey(dead bool) string {
	if dead {
		return o.deadKey()
	}
	return o.routeKey()
}

func writeComps(b *strings.Builder, r *engine.Result, routingOnly bool) {
	for _, h := range r.Hops {
		if routingOnly && (h.Component.Kind == engine.KindSecurityGroup || h.Component.Kind == engine.KindNetworkACL) {
			continue
		}
		b.WriteString(h.Component.ID)
		b.WriteByte(',')
	}
}
