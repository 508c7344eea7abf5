package tools

import (
	"fmt"
	"io"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// TraceOptions choose the packet of a trace. Protocol and Port are taken as given: protocol
// 0 is IPv6 hop-by-hop (HOPOPT) sent as an IPv4 protocol number like any other, and port 0 is
// port 0. Callers choose defaults (vpclab trace: TCP to port 80).
type TraceOptions struct {
	Protocol   uint8  // the IP protocol number
	Port       uint16 // destination port (TCP/UDP)
	SourcePort uint16 // 0: an ephemeral port from the seed
	// SNI and HTTPHost are the TLS server name and HTTP Host the TCP flow will carry, for
	// Network Firewall domain lists and tls.sni/http.host rules (§14.8, §14.15): the SYN
	// stands for the whole flow (engine/nfw.go says how a firewall judges it).
	SNI, HTTPHost string
}

// TraceResult is one packet and its reply, hop by hop.
type TraceResult struct {
	From, To Endpoint
	Forward  *engine.Result
	Return   *engine.Result // nil when the forward packet found no host to answer
	Found    bool           // the request arrived and the reply came back
	// Net is the network the trace ran on: the JSON names components' ARNs and transit
	// gateways from its topology. Nil writes IDs and names only.
	Net *engine.Network
}

// Trace sends one packet from src to dst and, if a host receives it, that host's reply
// (a listening service answers: SYN-ACK, a UDP reply, an echo reply).
func (s *Sim) Trace(src, dst Endpoint, o TraceOptions) TraceResult {
	if o.SourcePort == 0 {
		o.SourcePort = uint16(32768 + s.rng.IntN(28232)) // Linux ephemeral range (§5.6)
	}
	p := packet.Packet{Src: src.IP, Dst: dst.IP, Proto: o.Protocol, TTL: src.TTL}
	switch o.Protocol {
	case packet.ProtoTCP:
		p.SrcPort, p.DstPort, p.TCPFlags, p.Seq, p.Window = o.SourcePort, o.Port, packet.TCPSyn, 1000000001, 62727
		if o.SNI != "" || o.HTTPHost != "" {
			p.App = &packet.App{SNI: o.SNI, HTTPHost: o.HTTPHost}
		}
	case packet.ProtoUDP:
		p.SrcPort, p.DstPort, p.PayloadLen = o.SourcePort, o.Port, 32
	case packet.ProtoICMP:
		p.ICMPType, p.ICMPID, p.ICMPSeq, p.PayloadLen = packet.ICMPEchoRequest, o.SourcePort, 1, 56
	}
	x := s.probe(src, p, s.Clock.T, true)
	tr := TraceResult{From: src, To: dst, Forward: x.Request.Result, Net: s.Net}
	if x.Reply != nil {
		tr.Return = x.Reply.Result
	}
	tr.Found = tr.Forward.Outcome != engine.Dropped && x.Back != nil && x.BackFrom == tr.Return
	return tr
}

// WriteText prints a trace for people: every hop with its decision and the rule or route
// that made it, and the header whenever a component changed it.
func (tr TraceResult) WriteText(w io.Writer) {
	writePath(w, "Forward path", tr.Forward)
	if tr.Return != nil {
		fmt.Fprintln(w)
		writePath(w, "Return path", tr.Return)
	}
	fmt.Fprintln(w)
	switch {
	case tr.Found && balancer(tr.Forward) != nil:
		// The destination is a load balancer: another host receives the packet.
		lb, host := balancer(tr.Forward), tr.Forward.Hops[len(tr.Forward.Hops)-1].Component
		fmt.Fprintf(w, "Path found. %s (%s) passes the connection to %s, which receives the packet from %s.\n",
			tr.To.Label, lb.Name, host, endpointText(&tr.Forward.Packet))
	case tr.Found:
		fmt.Fprintf(w, "Path found. %s receives the packet from %s.\n", tr.To.Label, endpointText(&tr.Forward.Packet))
	case tr.Forward.Outcome == engine.Dropped:
		fmt.Fprintf(w, "No path: %s at %s: %s\n", tr.Forward.Code, tr.Forward.At, tr.Forward.Detail)
		writeAdvice(w, tr.Forward)
	case tr.Return == nil:
		fmt.Fprintf(w, "No path: the packet %s but no host there answers.\n", outcomeText(tr.Forward))
	default:
		fmt.Fprintf(w, "No path back: %s at %s: %s\n", tr.Return.Code, tr.Return.At, tr.Return.Detail)
		writeAdvice(w, tr.Return)
	}
}

// balancer is the Application or Network Load Balancer that translated a journey's packet,
// or nil.
func balancer(r *engine.Result) *engine.Component {
	for i := range r.Hops {
		if h := &r.Hops[i]; h.Component.Kind == engine.KindLoadBalancer && h.Action == engine.ActTranslate {
			return &h.Component
		}
	}
	return nil
}

// writeAdvice prints the detail codes of a journey's first blocker (engine.Blocker.Advice).
func writeAdvice(w io.Writer, r *engine.Result) {
	if len(r.Blockers) == 0 {
		return
	}
	for _, x := range r.Blockers[0].Advice {
		fmt.Fprintf(w, "  %s at %s: %s\n", x.Code, x.At, x.Detail)
	}
}

func outcomeText(r *engine.Result) string {
	if r.Outcome == engine.Exited {
		return "left through " + r.Exit.Gateway.String()
	}
	return r.Outcome.String()
}

func endpointText(p *packet.Packet) string {
	if p.HasPorts() {
		return fmt.Sprintf("%s:%d", p.Src, p.SrcPort)
	}
	return p.Src.String()
}

func writePath(w io.Writer, title string, r *engine.Result) {
	if len(r.Hops) > 0 {
		fmt.Fprintf(w, "%s: %s\n", title, r.Hops[0].In)
	}
	var prev packet.Packet
	for i, h := range r.Hops {
		action := h.Action.String()
		if h.Direction != engine.NoDirection {
			action += " " + h.Direction.String()
		}
		line := fmt.Sprintf("%4d  %-44s %-16s %s", i+1, trim(h.Component.String(), 44), action, decision(h))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		hout := h.Out()
		if i > 0 && hout.String() != prev.String() || i == 0 && hout.String() != h.In.String() {
			fmt.Fprintf(w, "%4s  %-44s %-16s now %s\n", "", "", "", hout)
		}
		prev = hout
	}
	if r.Generated != nil {
		fmt.Fprintln(w)
		writePath(w, "  generated", r.Generated)
	}
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// decision prints the rule or route behind a hop the way the console shows it.
func decision(h engine.Hop) string {
	switch {
	case h.Route != nil:
		return fmt.Sprintf("route %s -> %s (%s, %s)", h.Route.Destination, h.Route.Target, h.Route.Origin, h.Route.State)
	case h.TGWRoute != nil:
		return tgwRouteText(h.TGWRoute)
	case h.SGRule != nil:
		r := h.SGRule
		dir := "from"
		if r.Direction == engine.Egress {
			dir = "to"
		}
		return fmt.Sprintf("rule %s: %s %s %s", r.RuleID, RuleProtocol(r.Protocol, r.FromPort, r.ToPort), dir, r.Peer())
	case h.ACLRule != nil:
		r := h.ACLRule
		from, to := r.FromPort, r.ToPort
		if from == 0 && to == 0 {
			from, to = -1, -1 // no port range: all ports
		}
		action := "DENY"
		if r.Allow {
			action = "ALLOW"
		}
		return fmt.Sprintf("rule %s %s %s %s", r.Number(), RuleProtocol(r.Protocol, from, to), r.CIDR, action)
	}
	return h.Note
}

// tgwRouteText prints a transit gateway route as a VPC route prints: "route 10.2.0.0/16 ->
// tgw-attach-0b (propagated, vpc vpc-0b)"; a blackhole leads nowhere, and a prefix-list
// route names its list.
func tgwRouteText(r *engine.TGWRouteRef) string {
	to := string(r.Attachment)
	if to == "" {
		to = "blackhole"
	}
	var how []string
	if r.RouteType != "" {
		how = append(how, r.RouteType)
	}
	if r.Type != "" {
		how = append(how, string(r.Type)+" "+r.Resource)
	}
	if r.State != "" && r.State != model.TGWRouteActive {
		how = append(how, r.State)
	}
	return fmt.Sprintf("route %s -> %s (%s)", r.Destination, to, strings.Join(how, ", "))
}

// RuleProtocol prints a rule's protocol and ports (ICMP: type and code) the way the console
// does: "All traffic", "TCP 443", "UDP 1024-65535", "ICMP type 8", "protocol 50". -1 means any.
func RuleProtocol(proto, from, to int) string {
	switch proto {
	case model.ProtocolAll:
		return "All traffic"
	case model.ProtocolICMP:
		switch {
		case from < 0:
			return "ICMP"
		case to < 0:
			return fmt.Sprintf("ICMP type %d", from)
		}
		return fmt.Sprintf("ICMP type %d code %d", from, to)
	case model.ProtocolTCP, model.ProtocolUDP:
		name := strings.ToUpper(packet.ProtoName(uint8(proto)))
		switch {
		case from < 0 || from == 0 && to >= 65535:
			return name
		case from == to:
			return fmt.Sprintf("%s %d", name, from)
		}
		return fmt.Sprintf("%s %d-%d", name, from, to)
	}
	return fmt.Sprintf("protocol %d", proto)
}
