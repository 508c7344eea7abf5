package engine

import (
	"fmt"
	"net/netip"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Options change how Send evaluates.
type Options struct {
	// ContinuePastBlocks records a block and carries on as if the component had allowed the
	// packet, so Result.Blockers lists every component that would have to change, in path
	// order. Blocks past which there is nowhere to go (no route, unknown destination) still end
	// the journey.
	ContinuePastBlocks bool
	// SkipHops records no Hops: only the outcome, the packet as it comes out, a drop's code
	// and explanation, and what the network generated. Describing each hop costs more than
	// deciding it (allocations, formatted notes); the live dataplane, which forwards real
	// packets and only logs drops, sets it. Blocker.Hop is then -1.
	SkipHops bool
}

// maxSteps bounds the subnets one packet may be forwarded from before vpclab calls it a loop.
const maxSteps = 32

// Send evaluates one packet entering the network at a location.
func (n *Network) Send(st *State, at Location, p packet.Packet) *Result {
	return n.SendWith(st, at, p, Options{})
}

// SendWith is Send with options.
func (n *Network) SendWith(st *State, at Location, p packet.Packet, opt Options) *Result {
	e := &ev{n: n, st: st, opt: opt, res: newResult(opt, 16), origSrc: p.Src}
	switch at.Kind {
	case FromENI:
		eni := n.enis[at.ENI]
		if eni == nil || eni.subnet == nil {
			e.fatal(CodeUnknownDestination, comp(KindENI, string(at.ENI), ""), p,
				fmt.Sprintf("network interface %s is not in the topology", at.ENI))
			break
		}
		e.fromENI(eni, p)
	case FromInternet:
		e.fromInternet(p)
	case FromVPNGateway:
		g := n.vgws[at.VPNGateway]
		if g == nil {
			e.fatal(CodeUnknownDestination, comp(KindVPNGateway, string(at.VPNGateway), ""), p,
				fmt.Sprintf("VPN gateway %s is not in the topology", at.VPNGateway))
			break
		}
		e.fromVGW(g, p)
	}
	return e.res
}

// ev is one evaluation: the network, the state and the result being written.
type ev struct {
	n       *Network
	st      *State
	opt     Options
	res     *Result
	steps   int
	origSrc netip.Addr // the source before any NAT (§4.1.6)
	natted  bool       // a NAT gateway translated the source on the way
	outside bool       // entered from the internet or beyond a VGW (§2.3.3)
	natSeen []*cNAT    // NAT gateways crossed outbound: crossing one twice is a loop
}

// newResult is an empty result with room for hops hops, unless opt skips them.
func newResult(opt Options, hops int) *Result {
	if opt.SkipHops {
		return &Result{}
	}
	return &Result{Hops: make([]Hop, 0, hops)}
}

// recording reports whether hops are recorded: callers whose Hop is costly to build (a rule
// reference, a formatted note) check it first.
func (e *ev) recording() bool { return !e.opt.SkipHops }

func (e *ev) hop(h Hop) {
	if e.recording() {
		e.res.Hops = append(e.res.Hops, h)
	}
}

func (e *ev) pass(c Component, action string, p packet.Packet, note string) {
	e.hop(Hop{Component: c, Action: action, In: p, Out: p, Note: note})
}

// block records a drop by component c. It returns true when evaluation must stop: always,
// unless Options.ContinuePastBlocks is set.
func (e *ev) block(code string, c Component, p packet.Packet, detail string) bool {
	if len(e.res.Blockers) == 0 {
		e.res.Outcome, e.res.Code, e.res.At, e.res.Detail, e.res.Packet = Dropped, code, c, detail, p
	}
	e.res.Blockers = append(e.res.Blockers, Blocker{Code: code, At: c, Detail: detail, Hop: len(e.res.Hops) - 1})
	return !e.opt.ContinuePastBlocks
}

// fatal records a drop past which there is nowhere to go.
func (e *ev) fatal(code string, c Component, p packet.Packet, detail string) {
	e.hop(Hop{Component: c, Action: "drop", In: p, Out: p, Note: detail})
	e.block(code, c, p, detail)
}

func (e *ev) deliver(eni *cENI, p packet.Packet) {
	c := eni.comp
	if eni.instance != nil {
		c = comp(KindInstance, string(eni.instance.ID), eni.instance.Name)
	}
	e.pass(c, "deliver", p, "")
	if len(e.res.Blockers) == 0 {
		e.res.Outcome, e.res.ENI, e.res.Packet = Delivered, eni.m.ID, p
	}
}

func (e *ev) exit(gw, to Component, p packet.Packet) {
	e.pass(to, "exit", p, "")
	if len(e.res.Blockers) == 0 {
		e.res.Outcome, e.res.Exit, e.res.Packet = Exited, Exit{Gateway: gw, To: to}, p
	}
}

// fromENI: a packet sent by the instance behind an ENI (§0 steps 1-2).
func (e *ev) fromENI(eni *cENI, p packet.Packet) {
	src := eni.comp
	if eni.instance != nil {
		e.pass(comp(KindInstance, string(eni.instance.ID), eni.instance.Name), "send", p, "")
	}
	e.pass(src, "send", p, "")
	if eni.nat != nil {
		e.fatal(CodeUnsupportedComponent, src, p, "a NAT gateway's network interface sends nothing of its own")
		return
	}
	// §0.1, §6.2: with the check enabled the source must be one of the ENI's addresses.
	if eni.m.SourceDestCheck && !eni.has(p.Src) &&
		e.block(CodeSourceDestCheck, src, p, fmt.Sprintf("source %s is not an address of %s and its source/destination check is enabled (§6.2)", p.Src, eni.m.ID)) {
		return
	}
	if !e.securityGroups(eni, p, true) {
		return
	}
	e.forward(eni.subnet, p)
}

// securityGroups applies the ENI's groups (§4): a packet of a tracked flow passes whatever the
// rules say (§4.2.1); otherwise the union of the rules decides and an allowed packet starts
// tracking. It returns false when evaluation must stop.
func (e *ev) securityGroups(eni *cENI, p packet.Packet, egress bool) bool {
	dir := "ingress"
	if egress {
		dir = "egress"
	}
	sgComp := eni.comp
	if len(eni.sgs) > 0 {
		sgComp = eni.sgs[0].comp
	}
	k := flowOf(eni.m.ID, &p, egress)
	if e.st.tracked(k, egress) {
		e.hop(Hop{Component: sgComp, Action: "allow", Direction: dir, In: p, Out: p,
			Note: "reply or continuation of a tracked connection (§4.2.1)"})
		return true
	}
	if e.st.relatedTracked(eni.m.ID, &p, egress) {
		e.hop(Hop{Component: sgComp, Action: "allow", Direction: dir, In: p, Out: p,
			Note: "ICMP error about a tracked connection (§4.2.1)"})
		return true
	}
	if g, r := sgAllows(eni.sgs, egress, &p); r != nil {
		e.st.track(k, egress)
		if e.recording() {
			e.hop(Hop{Component: g.comp, Action: "allow", Direction: dir, In: p, Out: p, SGRule: sgRuleRef(g, r, dir)})
		}
		return true
	}
	code := CodeSGRulesMismatch
	detail := fmt.Sprintf("no %s rule of %s allows %s", dir, sgList(eni), flowText(&p))
	if len(eni.sgs) == 0 {
		detail = fmt.Sprintf("%s has no security groups, so nothing is allowed %s", eni.m.ID, dir)
	}
	if !egress && e.natted && sgRefWouldMatch(eni.sgs, &p, e.origSrc) {
		code = CodeSGReferencesNotKept
		detail = fmt.Sprintf("a rule of %s references a security group of the original source %s, but the packet arrives translated to %s: references do not match through a NAT gateway (§4.1.6)",
			sgList(eni), e.origSrc, p.Src)
	}
	e.hop(Hop{Component: sgComp, Action: "deny", Direction: dir, In: p, Out: p, Note: detail})
	if e.block(code, sgComp, p, detail) {
		return false
	}
	e.st.track(k, egress)
	return true
}

func sgList(eni *cENI) string {
	s := ""
	for i, g := range eni.sgs {
		if i > 0 {
			s += ", "
		}
		s += g.comp.String()
	}
	if s == "" {
		return "(none)"
	}
	return s
}

func flowText(p *packet.Packet) string {
	switch {
	case p.HasPorts():
		return fmt.Sprintf("%s %s:%d -> %s:%d", packet.ProtoName(p.Proto), p.Src, p.SrcPort, p.Dst, p.DstPort)
	case p.Proto == packet.ProtoICMP:
		return fmt.Sprintf("icmp type %d code %d %s -> %s", p.ICMPType, p.ICMPCode, p.Src, p.Dst)
	}
	return fmt.Sprintf("protocol %d %s -> %s", p.Proto, p.Src, p.Dst)
}

// acl applies subnet s's network ACL in one direction (§5). It returns false when evaluation
// must stop.
func (e *ev) acl(s *cSubnet, egress bool, p packet.Packet) bool {
	dir := "inbound"
	if egress {
		dir = "outbound"
	}
	if s.acl == nil {
		return true // Compile warned; AWS always has one, so this is the default NACL's allow-all
	}
	entry := s.acl.match(egress, &p)
	if entry != nil && entry.Allow && !e.recording() {
		return true
	}
	ref := s.acl.ref(egress, entry)
	action := "allow"
	if !ref.Allow {
		action = "deny"
	}
	e.hop(Hop{Component: s.acl.comp, Action: action, Direction: dir, In: p, Out: p, ACLRule: ref})
	if ref.Allow {
		return true
	}
	rule := fmt.Sprint(ref.RuleNumber)
	if ref.RuleNumber == 32767 {
		rule = "*"
	}
	return !e.block(CodeSubnetACL, s.acl.comp, p,
		fmt.Sprintf("%s rule %s of %s denies %s (§5)", dir, rule, s.acl.comp, flowText(&p)))
}

// enterSubnet applies the inbound NACL of subnet to when the packet crosses into it (§5.5).
func (e *ev) enterSubnet(to, from *cSubnet, p packet.Packet) bool {
	if to == from {
		return true
	}
	return e.acl(to, false, p)
}

// forward sends p out of subnet s: L2 delivery inside the subnet, else NACL outbound and the
// subnet's route table (§0 steps 3-5).
func (e *ev) forward(s *cSubnet, p packet.Packet) {
	if e.steps++; e.steps > maxSteps {
		e.fatal(CodeRoutingLoop, s.rt.comp, p, fmt.Sprintf("forwarded %d times without arriving: routing loop", maxSteps))
		return
	}
	if s.m.CIDR.Contains(p.Dst) {
		// §0.3, §1.2.8: same subnet, switched directly; no route table, no NACL.
		if dst := s.vpc.byIP[p.Dst]; dst != nil && dst.subnet == s {
			e.arrive(dst, p)
			return
		}
		e.fatal(CodeUnknownDestination, comp("subnet", string(s.m.ID), s.m.Name), p,
			fmt.Sprintf("no network interface in %s holds %s%s", s.m.ID, p.Dst, reservedNote(s.m.CIDR, p.Dst)))
		return
	}
	if !e.acl(s, true, p) {
		return
	}
	if s.rt == nil {
		e.fatal(CodeNoRoute, comp("subnet", string(s.m.ID), s.m.Name), p, fmt.Sprintf("%s has no route table", s.m.ID))
		return
	}
	e.route(s.rt, s, p)
}

// reservedNote explains the five reserved addresses of a subnet (§6.4, §6.6).
func reservedNote(c netip.Prefix, a netip.Addr) string {
	base := c.Masked().Addr()
	b, x := base.As4(), a.As4()
	off := int(x[3]) - int(b[3]) + (int(x[2])-int(b[2]))*256
	switch off {
	case 1:
		return " (the VPC router's reserved address: it does not answer, §6.6)"
	case 2:
		return " (the reserved DNS address, §6.4)"
	case 0, 3:
		return " (a reserved address, §6.4)"
	}
	return ""
}

// route looks the destination up in a route table and hands the packet to the target (§1.2).
func (e *ev) route(rt *cRouteTable, s *cSubnet, p packet.Packet) {
	r, ok := rt.lpm.Lookup(p.Dst)
	// §1.2.4: a propagated route never beats the local route, even when more specific: inside
	// the VPC CIDR propagated routes are out of the running and the longest of the others wins
	// (§1.2.1), which may be a subnet route more specific than local (§1.2.5).
	if ok && r.prio == prioPropagated && rt.vpc != nil && rt.vpc.contains(p.Dst) {
		r = nil
		for _, c := range rt.lpm.Supernets(netip.PrefixFrom(p.Dst, p.Dst.BitLen())) {
			if c.prio != prioPropagated { // one route per prefix: the best (§1.2.2)
				r = c
				break
			}
		}
	}
	if !ok || r == nil {
		e.fatal(CodeNoRoute, rt.comp, p, fmt.Sprintf("%s has no route to %s (§1.2.7)", rt.comp, p.Dst))
		return
	}
	if e.recording() {
		ref := r.ref
		e.hop(Hop{Component: rt.comp, Action: "forward", In: p, Out: p, Route: &ref})
	}
	if r.state == model.RouteBlackhole {
		if e.recording() {
			e.res.Hops[len(e.res.Hops)-1].Action = "drop"
		}
		e.block(CodeBadStateRoute, rt.comp, p,
			fmt.Sprintf("route %s -> %s is a blackhole: its target no longer exists (§1.2.6)", r.ref.Destination, r.ref.Target))
		return
	}
	e.toTarget(rt, s, r.target, p)
}

// toTarget hands p, routed by table rt from subnet s (nil for a gateway route table), to the
// route's target.
func (e *ev) toTarget(rt *cRouteTable, s *cSubnet, t model.Target, p packet.Packet) {
	switch t.Kind {
	case model.TargetLocal:
		dst := rt.vpc.byIP[p.Dst]
		if dst == nil || dst.subnet == nil {
			e.fatal(CodeUnknownDestination, rt.vpc.comp, p, fmt.Sprintf("no network interface in %s holds %s", rt.vpc.m.ID, p.Dst))
			return
		}
		if e.enterSubnet(dst.subnet, s, p) {
			e.arrive(dst, p)
		}
	case model.TargetNATGateway:
		ng := e.n.nats[model.NATGatewayID(t.ID)]
		if ng == nil || ng.subnet == nil || (ng.m.State != "" && ng.m.State != "available") {
			e.fatal(CodeBadState, comp(KindNATGateway, t.ID, ""), p, fmt.Sprintf("NAT gateway %s is not available", t.ID))
			return
		}
		if e.enterSubnet(ng.subnet, s, p) {
			e.natGateway(ng, p)
		}
	case model.TargetNetworkInterface, model.TargetInstance:
		eni := e.targetENI(t)
		if eni == nil || eni.subnet == nil {
			e.fatal(CodeBadState, comp(KindENI, t.ID, ""), p, fmt.Sprintf("route target %s is not in the topology", t.ID))
			return
		}
		if e.enterSubnet(eni.subnet, s, p) {
			e.arrive(eni, p)
		}
	case model.TargetInternetGateway:
		e.internetGatewayOut(rt.vpc, model.InternetGatewayID(t.ID), p)
	case model.TargetVPNGateway:
		e.vpnGatewayOut(rt.vpc, model.VPNGatewayID(t.ID), p)
	default:
		e.fatal(CodeUnsupportedComponent, comp(t.Kind.String(), t.ID, ""), p,
			fmt.Sprintf("route target %s (%s) is not modelled by vpclab yet", t.ID, t.Kind))
	}
}

func (e *ev) targetENI(t model.Target) *cENI {
	if t.Kind == model.TargetNetworkInterface {
		return e.n.enis[model.ENIID(t.ID)]
	}
	in := e.n.instances[model.InstanceID(t.ID)]
	if in == nil || len(in.ENIs) == 0 {
		return nil
	}
	return e.n.enis[in.ENIs[0]]
}

// arrive: a packet reaches an ENI (§0 step 6). A NAT gateway's ENI hands it to the gateway;
// an appliance (source/dest check off, destination not its own) forwards it on.
func (e *ev) arrive(eni *cENI, p packet.Packet) {
	if eni.nat != nil {
		e.natGateway(eni.nat, p)
		return
	}
	e.pass(eni.comp, "receive", p, "")
	own := eni.has(p.Dst)
	if eni.m.SourceDestCheck && !own &&
		e.block(CodeSourceDestCheck, eni.comp, p, fmt.Sprintf("destination %s is not an address of %s and its source/destination check is enabled (§6.2)", p.Dst, eni.m.ID)) {
		return
	}
	if !e.securityGroups(eni, p, false) {
		return
	}
	if own || eni.instance == nil {
		e.deliver(eni, p)
		return
	}
	e.appliance(eni, p)
}

// appliance: an instance that routes (source/dest check disabled) forwards the packet out of
// the same ENI. Its own OS decrements the TTL (§6.8) and answers expiry with time exceeded.
func (e *ev) appliance(eni *cENI, p packet.Packet) {
	c := comp(KindInstance, string(eni.instance.ID), eni.instance.Name)
	if p.TTL <= 1 {
		e.fatal(CodeTTLExceeded, c, p, fmt.Sprintf("TTL expired at appliance %s", c))
		e.timeExceeded(eni.m.PrimaryIP(), p, func(sub *ev, icmp packet.Packet) { sub.fromENI(eni, icmp) })
		return
	}
	out := p
	out.TTL--
	e.hop(Hop{Component: c, Action: "forward", In: p, Out: out, Note: "appliance routes the packet (TTL-1, §6.8)"})
	if !e.securityGroups(eni, out, true) {
		return
	}
	e.forward(eni.subnet, out)
}

// timeExceeded sends an ICMP time exceeded about p from address src, through send, and keeps
// its journey in Result.Generated.
func (e *ev) timeExceeded(src netip.Addr, p packet.Packet, send func(*ev, packet.Packet)) {
	e.icmpError(src, p, packet.ICMPTimeExceeded, packet.ICMPCodeTTLInTransit, send)
}

func (e *ev) icmpError(src netip.Addr, p packet.Packet, typ, code uint8, send func(*ev, packet.Packet)) {
	if p.IsICMPError() {
		return // never an error about an error (RFC 1122)
	}
	e.generate(packet.Packet{Src: src, Dst: p.Src, Proto: packet.ProtoICMP, TTL: 255,
		ICMPType: typ, ICMPCode: code, Inner: p.Quote()}, send)
}

// generate sends a packet the network itself originates and keeps its journey.
func (e *ev) generate(g packet.Packet, send func(*ev, packet.Packet)) {
	sub := &ev{n: e.n, st: e.st, opt: e.opt, res: newResult(e.opt, 8), origSrc: g.Src}
	send(sub, g)
	e.res.Generated = sub.res
}
