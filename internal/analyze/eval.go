package analyze

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Explanation codes of the analysis itself (§8: codes Reachability Analyzer lacks carry the
// VPCLAB_ prefix; REMAP_EPHEMERAL_PORT is AWS's own).
const (
	CodeRemapEphemeralPort  = "REMAP_EPHEMERAL_PORT"
	CodeReplySourceMismatch = "VPCLAB_REPLY_SOURCE_MISMATCH"
	CodeNoPath              = "NO_PATH"
)

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
	Direction engine.Direction // the hop's: ingress/egress (security groups), inbound/outbound (NACLs)
	Rule      int              // the NACL rule number (32767 is "*"); 0 for other components
	Detail    string           // a sentence about the representative packet
	Advice    []engine.Advice  // additional detail codes (engine.Blocker.Advice)
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

// Target is the endpoint packets from `from` are addressed to (tools.Hosts.Target).
func (a *Analyzer) Target(from, to tools.Endpoint) tools.Endpoint { return a.hosts.Target(from, to) }

// evaluate sends one packet from an endpoint past every block on a fresh state and, when it
// arrives, the destination host's answer back (as tools' hosts answer, with a listening
// service); then it adds what only the pair of journeys shows. Where each journey would end
// with its blocks lifted, the engine says (Result.End()).
func (a *Analyzer) evaluate(from, to tools.Endpoint, p packet.Packet) *Outcome {
	st := engine.NewState(&engine.ManualClock{T: tools.SimEpoch}, a.Seed)
	o := &Outcome{Packet: p, Forward: a.Net.SendWith(st, from.Location(), p, continuePast)}
	fe := o.Forward.End()
	if fe.Outcome != engine.Dropped {
		o.Seen = fe.Packet.Src
	}
	o.Arrived = a.hosts.Reaches(fe, to)
	o.Blockers = appendBlockers(o.Blockers, PathForward, o.Forward)
	if o.Arrived {
		resp, _ := a.hosts.Responder(fe)
		if reply, ok := tools.AnswerFrom(resp, fe.Packet, true); ok {
			o.Replies = true
			o.Return = a.Net.SendWith(st, resp.Location(), reply, continuePast)
			re := o.Return.End()
			o.Back = a.hosts.Reaches(re, from)
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
		x := Blocker{Path: path, Code: b.Code, At: b.At, Detail: b.Detail, Advice: b.Advice}
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
// routing through a NAT gateway, §1.2.5). A path through an appliance one way only is no
// blocker of the VPC's (§1.2.5); a stateful appliance's OS drops what it must, and the engine
// says so on the path itself (VPCLAB_ASYMMETRIC_INSPECTION).
func replyChecks(o *Outcome, re engine.End) []Blocker {
	p, r := o.Packet, re.Packet
	if r.Src == p.Dst && (!p.HasPorts() || r.SrcPort == p.DstPort && r.DstPort == p.SrcPort) {
		return nil
	}
	at, ok := o.Return.SourceTranslatedAt()
	if !ok {
		at = lastComp(o.Return)
	}
	return []Blocker{{Path: PathReturn, Code: CodeReplySourceMismatch, At: at,
		Detail: fmt.Sprintf("the answer reaches the source from %s, not from %s it sent to: it was translated on the way back (asymmetric routing through a NAT gateway, §1.2.5), so the source's stack drops it",
			endpointText(r, true), endpointText(p, false))}}
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

// remapCheck: behind a NAT gateway the answer is addressed to a port the gateway chose in
// 1024-65535 (§2.2.3); every NACL it crosses before the gateway translates it back must
// admit that whole range (§5.6), or some connections fail.
func (a *Analyzer) remapCheck(o *Outcome) []Blocker {
	if _, natted := o.Forward.SourceTranslatedAt(); !o.Packet.HasPorts() || !natted {
		return nil
	}
	var out []Blocker
	for i := range o.Return.Hops {
		h := &o.Return.Hops[i]
		if h.Middlebox && h.Translated {
			break
		}
		if h.ACLRule == nil || !h.ACLRule.Allow {
			continue
		}
		if ok, rule := a.Net.AdmitsPorts(o.Return, i, engine.NATPortLo, engine.NATPortHi); !ok {
			out = append(out, Blocker{Path: PathReturn, Code: CodeRemapEphemeralPort, At: h.Component, Direction: h.Direction, Rule: rule,
				Detail: fmt.Sprintf("%s rule %s of %s denies some of the ports 1024-65535 a NAT gateway answers on (§2.2.3, §5.6)", h.Direction, engine.ACLRuleNumber(rule), h.Component)})
		}
	}
	return out
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
