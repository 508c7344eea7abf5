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
	// order, and Result.End says where the packet would then arrive. Blocks past which there
	// is nowhere to go (no route, unknown destination) still end the journey.
	ContinuePastBlocks bool
	// SkipHops records no Hops: only the outcome, the packet as it comes out, a drop's code
	// and explanation, and what the network generated. Describing each hop costs more than
	// deciding it (allocations, formatted notes); the live dataplane, which forwards real
	// packets and only logs drops, sets it. Blocker.Hop is then -1.
	SkipHops bool
	// RealAppliances hands a packet routed to an appliance (an instance's interface whose
	// source/destination check is off, the destination not one of its addresses, §1.2.5) to
	// the instance itself: after NACL in and the interface's security groups ingress, exactly
	// as always, the journey ends there as a delivery (Result.ENI), and the instance's own OS
	// decides whether and where it goes on (TTL, connection tracking, its firewall: §6.8,
	// §13.13). What it forwards it sends back in at its interface (FromENI), where a source
	// not its own makes the packet relayed (§7.1.13). The live dataplane sets it: each
	// instance there is a namespace whose kernel forwards. Unset, the engine plays the
	// appliance's OS (eni.go, appliance).
	RealAppliances bool
}

// maxSteps bounds the subnets one packet may be forwarded from before vpclab calls it a loop.
const maxSteps = 32

// Send evaluates one packet entering the network at a location.
func (n *Network) Send(st *State, at Location, p packet.Packet) *Result {
	return n.SendWith(st, at, p, Options{})
}

// SendWith is Send with options. A location that names nothing in the topology drops the
// packet (UNKNOWN_RESOURCE): the result always says how the journey ended. The result is the
// caller's to keep: it shares nothing with later sends (SendInto reuses one instead).
func (n *Network) SendWith(st *State, at Location, p packet.Packet, opt Options) *Result {
	if opt.SkipHops { // nothing to size: the journey is recorded where the caller keeps it
		r := new(Result)
		n.SendInto(st, at, p, opt, r)
		return r
	}
	// The journey is recorded into a scratch result, whose storage is warm, and copied out at
	// its size: a result sized in advance cost more than the journey itself (issue 12).
	r := scratch.Get().(*Result)
	n.SendInto(st, at, p, opt, r)
	c := r.Clone()
	scratch.Put(r)
	return c
}

// enter starts evaluation e with p entering at a location.
func (n *Network) enter(e *ev, at Location, p packet.Packet) {
	if in := n.entry(at); in != nil {
		in.send(e, p)
		return
	}
	kind := KindENI
	if int(at.Kind) < len(locationKinds) {
		kind = locationKinds[at.Kind]
	}
	e.fatal(CodeUnknownResource, comp(kind, at.ID, ""), p,
		fmt.Sprintf("packets cannot enter at %s: it is not in the topology", at))
}

// entries look an entry up by its Location, as resolvers look up route targets; each lives
// with its kind.
var entries = [...]func(n *Network, id string) entry{
	FromENI:             enterAtENI,
	FromInternet:        enterFromInternet,
	FromVPNGateway:      enterAtVGW,
	FromTGWAttachment:   enterAtTGWAttachment,
	FromVPNConnection:   enterAtVPNConnection,
	FromDXGateway:       enterAtDXGateway,
	FromPeering:         enterFromPeering,
	FromSubnet:          enterAtSubnet,
	FromInternetGateway: enterAtIGW,
	FromVPCEndpoint:     enterAtVPCEndpoint,
}

// entry is where a packet enters at a location, or nil when the location names nothing.
func (n *Network) entry(at Location) entry {
	if int(at.Kind) >= len(entries) || entries[at.Kind] == nil {
		return nil
	}
	return entries[at.Kind](n, at.ID)
}

// locationKinds names the component of a location that is not in the topology.
var locationKinds = [...]Kind{0: KindENI, FromENI: KindENI, FromInternet: KindInternet, FromVPNGateway: KindVPNGateway,
	FromTGWAttachment: KindTransitGatewayAttachment, FromVPNConnection: KindVPNConnection, FromDXGateway: KindDXGateway,
	FromPeering: KindVPCPeering, FromSubnet: KindSubnet, FromInternetGateway: KindInternetGateway,
	FromVPCEndpoint: KindVPCEndpoint}

// ev is one evaluation: the network, the state and the result being written. What varies
// along the path (where the packet came from, its source before NAT) travels in arrival.
type ev struct {
	n       *Network
	st      *State
	opt     Options
	res     *Result
	steps   int
	natSeen []*cNAT // NAT gateways crossed outbound: crossing one twice is a loop
}

func (e *ev) pass(c Component, action Action, p packet.Packet, note string) {
	e.hop(Hop{Component: c, Action: action, In: p, Note: note})
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

// advise adds a detail code to the last blocker (Blocker.Advice).
func (e *ev) advise(code string, c Component, detail string) {
	if n := len(e.res.Blockers); n > 0 {
		b := &e.res.Blockers[n-1]
		b.Advice = append(b.Advice, Advice{Code: code, At: c, Detail: detail})
	}
}

// fatal records a drop past which there is nowhere to go.
func (e *ev) fatal(code string, c Component, p packet.Packet, detail string) {
	e.hop(Hop{Component: c, Action: ActDrop, In: p, Note: detail})
	e.block(code, c, p, detail)
	e.nowhere(p)
}

// nowhere records that the journey, blocks lifted, ends in a drop of p at the last hop; after
// the first blocker, the outcome says so already.
func (e *ev) nowhere(p packet.Packet) {
	if len(e.res.Blockers) > 1 {
		e.past(End{Outcome: Dropped, Packet: p})
	}
}

// end records where the journey ends, at the last hop: the outcome when nothing blocked it,
// else where it would end with its blocks lifted (Result.End).
func (e *ev) end(x End) {
	if len(e.res.Blockers) > 0 {
		e.past(x)
		return
	}
	e.res.Outcome, e.res.Packet, e.res.ENI, e.res.Exit = x.Outcome, x.Packet, x.ENI, x.Exit
}

// past records where a journey ended past its blockers: as its last hop, which End reads
// back, or, when hops are not recorded, in a value of its own.
func (e *ev) past(x End) {
	if e.recording() {
		e.res.past, e.res.pastHop = x.Outcome, int32(len(e.res.Hops)-1)
		return
	}
	e.res.lifted = new(End) // x itself stays on the stack
	*e.res.lifted = x
}

func (e *ev) deliver(eni *cENI, p packet.Packet) {
	e.pass(eni.hostComp(), ActDeliver, p, "")
	e.end(End{Outcome: Delivered, Packet: p, ENI: eni.m.ID})
}

func (e *ev) exit(gw, to Component, p packet.Packet) {
	e.pass(to, ActExit, p, "")
	e.end(End{Outcome: Exited, Packet: p, Exit: Exit{Gateway: gw, To: to}})
}

// securityGroups applies the ENI's groups (§4): a packet of a tracked flow passes whatever the
// rules say (§4.2.1); otherwise the union of the rules decides and an allowed packet starts
// tracking. It returns false when evaluation must stop.
func (e *ev) securityGroups(eni *cENI, a arrival, p packet.Packet, dir Direction) bool {
	egress := dir == Egress
	sgComp := eni.comp
	if len(eni.sgs) > 0 {
		sgComp = eni.sgs[0].comp
	}
	k := flowOf(eni, &p, egress)
	if e.st.tracked(k, egress) {
		e.hop(Hop{Component: sgComp, Action: ActAllow, Direction: dir, In: p,
			Note: "reply or continuation of a tracked connection (§4.2.1)"})
		return true
	}
	if e.st.relatedTracked(eni, &p, egress) {
		e.hop(Hop{Component: sgComp, Action: ActAllow, Direction: dir, In: p,
			Note: "ICMP error about a tracked connection (§4.2.1)"})
		return true
	}
	// Past a NAT gateway or an appliance no reference to a group matches the packet's source
	// (§4.1.6, §7.1.13): it was sent by the middlebox, not by a member.
	refs := egress || !a.preNAT.IsValid()
	if g, r := sgAllows(eni.sgs, egress, &p, refs, a); r != nil {
		e.st.track(k, egress)
		if e.recording() {
			e.hop(Hop{Component: g.comp, Action: ActAllow, Direction: dir, In: p, SGRule: sgRuleRef(g, r, dir)})
		}
		return true
	}
	code := CodeSGRulesMismatch
	detail := fmt.Sprintf("no %s rule of %s allows %s", dir, sgList(eni), flowText(&p))
	if len(eni.sgs) == 0 {
		detail = fmt.Sprintf("%s has no security groups, so nothing is allowed %s", eni.m.ID, dir)
	}
	if c, why := sgRefBlocked(eni.sgs, egress, &p); c != "" {
		code, detail = c, why
	} else if refs && !egress {
		if why := sgRefWrongPath(eni.sgs, &p, a); why != "" {
			code, detail = CodeSGReferencingSupport, why
		}
	}
	if !egress && a.preNAT.IsValid() && sgRefWouldMatch(eni.sgs, &p, a.preNAT) {
		code = CodeSGReferencesNotKept
		detail = fmt.Sprintf("a rule of %s references a security group of the original source %s, but the packet arrives translated to %s: references do not match through a NAT gateway (§4.1.6)",
			sgList(eni), a.preNAT, p.Src)
		if a.preNAT == p.Src {
			detail = fmt.Sprintf("a rule of %s references a security group of the source %s, but an appliance forwarded the packet: references do not match traffic a middlebox forwards (§7.1.13)",
				sgList(eni), p.Src)
		}
	}
	e.hop(Hop{Component: sgComp, Action: ActDeny, Direction: dir, In: p, Note: detail})
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
func (e *ev) acl(s *cSubnet, dir Direction, p packet.Packet) bool {
	if s.acl == nil {
		return true // Compile warned; AWS always has one, so this is the default NACL's allow-all
	}
	egress := dir == Outbound
	entry := s.acl.match(egress, &p)
	if entry != nil && entry.Allow && !e.recording() {
		return true
	}
	ref := s.acl.ref(egress, entry)
	action := ActAllow
	if !ref.Allow {
		action = ActDeny
	}
	e.hop(Hop{Component: s.acl.comp, Action: action, Direction: dir, In: p, ACLRule: ref})
	if ref.Allow {
		return true
	}
	return !e.block(CodeSubnetACL, s.acl.comp, p,
		fmt.Sprintf("%s rule %s of %s denies %s (§5)", dir, ACLRuleNumber(ref.RuleNumber), s.acl.comp, flowText(&p)))
}

// enterSubnet applies the inbound NACL of subnet to when the packet crosses into it from the
// subnet it was forwarded from (§5.5); a packet from a gateway always crosses.
func (e *ev) enterSubnet(to *cSubnet, a arrival, p packet.Packet) bool {
	if to == a.from {
		return true
	}
	return e.acl(to, Inbound, p)
}

// forward sends p out of subnet s: L2 delivery inside the subnet, else NACL outbound and the
// subnet's route table (§0 steps 3-5).
func (e *ev) forward(s *cSubnet, a arrival, p packet.Packet) {
	if e.steps++; e.steps > maxSteps {
		c := s.comp
		if s.rt != nil {
			c = s.rt.comp
		}
		e.fatal(CodeRoutingLoop, c, p, fmt.Sprintf("forwarded %d times without arriving: routing loop", maxSteps))
		return
	}
	a = a.forwardedFrom(s)
	if s.vpc == nil { // validation reported it; nothing routes a subnet of no VPC
		e.fatal(CodeBadStateAttachment, s.comp, p, fmt.Sprintf("%s belongs to VPC %s, which is not in the topology", s.m.ID, s.m.VPC))
		return
	}
	if s.m.CIDR.Contains(p.Dst) {
		// §0.3, §1.2.8: same subnet, switched directly; no route table, no NACL.
		if dst := s.vpc.byIP[p.Dst]; dst != nil && dst.subnet == s {
			e.arrive(dst, a, p)
			return
		}
		e.fatal(CodeUnknownDestination, s.comp, p,
			fmt.Sprintf("no network interface in %s holds %s%s", s.m.ID, p.Dst, reservedNote(s.m.CIDR, p.Dst)))
		return
	}
	if !e.acl(s, Outbound, p) {
		return
	}
	if s.rt == nil {
		e.fatal(CodeNoRoute, s.comp, p, fmt.Sprintf("%s has no route table", s.m.ID))
		return
	}
	e.route(s.rt, a, p)
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

// route looks the destination up in a route table and hands the packet to the route's target
// node (§1.2). a.from is the subnet whose table it is, or nil for a gateway route table.
func (e *ev) route(rt *cRouteTable, a arrival, p packet.Packet) {
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
	if r.state == model.RouteBlackhole {
		if e.recording() {
			ref := r.ref
			e.hop(Hop{Component: rt.comp, Action: ActDrop, In: p, Route: &ref})
		}
		e.block(CodeBadStateRoute, rt.comp, p,
			fmt.Sprintf("route %s -> %s is a blackhole: its target no longer exists (§1.2.6)", r.ref.Destination, r.ref.Target))
		e.nowhere(p) // nowhere to go, blocks lifted or not
		return
	}
	if e.recording() {
		e.hop(Hop{Component: rt.comp, Action: ActForward, In: p, Route: &r.ref}) // shared: never changed
	}
	r.target.receive(e, a, p)
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

// generate sends a packet the network itself originates and keeps its journey, in the
// result's spare one (record.go).
func (e *ev) generate(g packet.Packet, send func(*ev, packet.Packet)) {
	r := e.res.spare
	if r == nil {
		r = new(Result)
		e.res.spare = r
	}
	r.reset()
	sub := e.st.begin(e.n, e.opt, r)
	send(sub, g)
	e.st.end(sub)
	e.res.Generated = r
}
