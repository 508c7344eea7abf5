package engine

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Application and Network Load Balancers (model.LoadBalancer). A packet addressed to a load
// balancer's interface (its private IP, or its public IP through the IGW, §3.1) is taken by
// the node of that interface's Availability Zone:
//
//	NACL in of the node's subnet → the node's interface
//	  → its security groups inbound (an ALB's always; an NLB's when it has some: "If you
//	    don't assign a security group to your Network Load Balancer, all client traffic can
//	    reach the Network Load Balancer listeners")
//	  → a listener of the packet's protocol and port (none: VPCLAB_ELBV2_NO_LISTENER; one
//	    whose target group is missing: ELBV2_LISTENER_HAS_NO_TG)
//	  → flow table, or target choice by flow hash over the healthy targets of the node's zone,
//	    or of every enabled zone with cross-zone load balancing (ALB: always; NLB: off by
//	    default). None in the zone: ELB_NOT_CROSSZONE when the group has targets elsewhere,
//	    else ELBV2_NO_TARGETS_IN_AZ. None healthy anywhere: fail open to all ("Health checks
//	    for ... target groups"); none healthy in the zone but some elsewhere:
//	    VPCLAB_ELBV2_NO_HEALTHY_TARGET_IN_AZ
//	  → translation: destination := target IP:port; source := the node's private IP and a port
//	    of its own, unless an NLB target group preserves the client's IP ("Client IP
//	    preservation")
//	  → its security groups outbound → forwarded from the node's subnet to the target.
//
// The target's reply comes back through the node and is translated back: one to the node's
// address arrives at its interface; one to a preserved client's address is taken from the
// target's interface as it leaves (the load balancer tracks the flow, as AWS's does).
// Security group rules of a target that reference the load balancer's group match what the
// load balancer sends, preserved client IP or not ("Update the security groups for your
// Network Load Balancer").

// cLB is a compiled ALB or NLB.
type cLB struct {
	m         *model.LoadBalancer
	comp      Component
	label     string // "Application Load Balancer web", as messages name it
	nodes     []lbNode
	listeners []lbListener
	crossZone bool
}

// lbNode is the load balancer's node in one zone: its interface there.
type lbNode struct {
	az  string
	eni *cENI
}

// lbNodeENI marks a load balancer node's interface.
type lbNodeENI struct {
	lb   *cLB
	node int
}

type lbListener struct {
	m         *model.Listener
	tcp, udp  bool
	targets   []lbTarget // the default action's group's
	preserve  bool
	hasGroup  bool
	groupName string
}

type lbTarget struct {
	id      string
	eni     *cENI
	ip      netip.Addr
	port    uint16
	az      string
	healthy bool
}

// compileLBs compiles ALBs and NLBs after interfaces and instances, before closeENIs.
func (n *Network) compileLBs(t *model.Topology, probs *model.Problems) {
	for _, m := range t.LoadBalancers {
		lb := &cLB{m: m, comp: comp(KindLoadBalancer, string(m.ARN), m.Name), crossZone: m.CrossZoneOn()}
		lb.label = "Network Load Balancer " + m.Name
		if m.Type == model.LBApplication {
			lb.label = "Application Load Balancer " + m.Name
		}
		desc := m.InterfaceDescription()
		for _, id := range m.Subnets {
			s := n.subnets[id]
			if s == nil {
				continue
			}
			var node *cENI
			for _, e := range t.NetworkInterfaces {
				if e.Subnet == id && e.Description == desc {
					node = n.enis[e.ID]
					break
				}
			}
			if node == nil {
				probs.Warnf(m.Src, "%s: no network interface in subnet %s has the description %q; it has no node in %s", lb.label, id, desc, s.m.AvailabilityZone)
				continue
			}
			node.lb = &lbNodeENI{lb: lb, node: len(lb.nodes)}
			lb.nodes = append(lb.nodes, lbNode{az: s.m.AvailabilityZone, eni: node})
		}
		for _, ml := range m.Listeners {
			l := lbListener{m: ml, preserve: m.PreserveClientIP(ml.TargetGroup)}
			switch strings.ToUpper(ml.Protocol) {
			case "UDP":
				l.udp = true
			case "TCP_UDP":
				l.tcp, l.udp = true, true
			default: // HTTP, HTTPS, TCP, TLS
				l.tcp = true
			}
			if tg := ml.TargetGroup; tg != nil {
				l.hasGroup, l.groupName = true, tg.Name
				for _, mt := range tg.Targets {
					l.targets = append(l.targets, n.lbTarget(lb, tg, mt, probs))
				}
			}
			lb.listeners = append(lb.listeners, l)
		}
		n.lbs = append(n.lbs, lb)
	}
}

func (n *Network) lbTarget(lb *cLB, tg *model.TargetGroup, mt model.ELBTarget, probs *model.Problems) lbTarget {
	t := lbTarget{id: mt.ID, az: mt.AZ, healthy: mt.Healthy(), port: uint16(mt.Port)}
	if t.port == 0 {
		t.port = uint16(tg.Port)
	}
	if in := n.instances[model.InstanceID(mt.ID)]; in != nil && len(in.ENIs) > 0 {
		t.eni = n.enis[in.ENIs[0]]
	} else if a, err := netip.ParseAddr(mt.ID); err == nil {
		t.ip = a
		if v := n.vpcs[lb.m.VPC]; v != nil {
			t.eni = v.byIP[a]
		}
		if id, ok := n.ENIByIP(a); t.eni == nil && ok {
			t.eni = n.enis[id] // a peered VPC's, or one beyond a transit gateway
		}
		if t.eni == nil && t.az == model.ELBTargetAllZones {
			// An ip target outside the VPC (on premises, "Register targets" of ip type with
			// Availability Zone all): the node sends where its subnet's route table says.
			return t
		}
	}
	if t.eni == nil || t.eni.subnet == nil {
		probs.Warnf(mt.Src, "%s: target %s is not an interface of the topology; flows hashed to it are dropped", lb.label, mt.ID)
		t.eni = nil
		return t
	}
	if !t.ip.IsValid() {
		t.ip = t.eni.m.PrimaryIP()
	}
	if t.az == "" && t.eni.subnet.vpc != nil && t.eni.subnet.vpc.m.ID != lb.m.VPC {
		t.az = model.ELBTargetAllZones // outside the load balancer's VPC
	}
	if t.az == "" {
		t.az = t.eni.subnet.m.AvailabilityZone
	}
	return t
}

// lbTuple is one direction of a flow as the packet carries it.
type lbTuple struct {
	proto      uint8
	src, dst   netip.Addr
	sport, dpt uint16
}

func tupleOf(p *packet.Packet) lbTuple {
	return lbTuple{proto: p.Proto, src: p.Src, dst: p.Dst, sport: p.SrcPort, dpt: p.DstPort}
}

// lbFlow is a flow through a load balancer: the client's side (as the client sent it) and
// the target's side (as the node sent it on).
type lbFlow struct {
	lb        *cLB
	node      int
	listener  int
	target    int
	client    lbTuple // client → node
	out       lbTuple // node (or client) → target
	preserved bool
	last      time.Time // when a packet of the flow last crossed the load balancer
}

// Idle timeouts of a flow through a load balancer: an NLB's TCP idle timeout (350 s, the
// listener attribute tcp.idle_timeout.seconds's default) and UDP's (120 s), "Connection idle
// timeout" of Network Load Balancers; an ALB's idle_timeout.timeout_seconds (60 s), "Connection
// idle timeout" of Application Load Balancers. The attributes are not read.
const (
	nlbTCPIdle = 350 * time.Second
	nlbUDPIdle = 120 * time.Second
	albIdle    = 60 * time.Second
)

func (lb *cLB) idle(proto uint8) time.Duration {
	switch {
	case lb.m.Type == model.LBApplication:
		return albIdle
	case proto == packet.ProtoTCP:
		return nlbTCPIdle
	}
	return nlbUDPIdle
}

// lbLive is f when it has not idled out (refreshing it), else nil: an idle flow is forgotten.
func (s *State) lbLive(f *lbFlow) *lbFlow {
	if f == nil {
		return nil
	}
	now := s.clock.Now()
	if now.Sub(f.last) > f.lb.idle(f.client.proto) {
		delete(s.lbFwd, f.client)
		r := f.out
		r.src, r.dst, r.sport, r.dpt = r.dst, r.src, r.dpt, r.sport
		delete(s.lbRev, r)
		return nil
	}
	f.last = now
	return f
}

// lbIdleOut drops a TCP packet other than a SYN that no live flow holds: its flow idled out
// (or never started), and the load balancer answers such packets with a RST ("Connection idle
// timeout"; the RST itself is not simulated).
func (lb *cLB) lbIdleOut(e *ev, p packet.Packet) {
	e.fatal(CodeELBV2IdleTimeout, lb.comp, p, fmt.Sprintf("%s holds no connection for %s: it idled out (after %s) or never started, and only a SYN starts one; the load balancer answers with a TCP RST", lb.label, flowText(&p), lb.idle(p.Proto)))
}

// lbOpen records a flow both ways (State.lbFwd, State.lbRev), made on first use.
func (s *State) lbOpen(f *lbFlow) {
	f.last = s.clock.Now()
	if s.lbFwd == nil {
		s.lbFwd, s.lbRev = map[lbTuple]*lbFlow{}, map[lbTuple]*lbFlow{}
	}
	s.lbFwd[f.client] = f
	r := f.out
	r.src, r.dst, r.sport, r.dpt = r.dst, r.src, r.dpt, r.sport
	s.lbRev[r] = f
}

// lbReply is the flow whose target sent p, or nil.
func (s *State) lbReply(p *packet.Packet) *lbFlow {
	if s.lbRev == nil || !p.HasPorts() {
		return nil
	}
	return s.lbRev[tupleOf(p)]
}

// process: a packet reaches a load balancer node's interface.
func (x *lbNodeENI) process(e *ev, eni *cENI, a arrival, p packet.Packet) {
	lb, node := x.lb, &x.lb.nodes[x.node]
	e.pass(eni.comp, ActReceive, p, "")
	if f := e.st.lbReply(&p); f != nil && !f.preserved && f.lb == lb {
		if e.st.lbLive(f) == nil {
			lb.lbIdleOut(e, p)
			return
		}
		if len(eni.sgs) > 0 && !e.securityGroups(eni, a, p, Ingress) {
			return
		}
		lb.back(e, f, p)
		return
	}
	if lb.m.State != "" && lb.m.State != "active" {
		e.fatal(CodeBadState, lb.comp, p, fmt.Sprintf("%s is %s, not active", lb.label, lb.m.State))
		return
	}
	li := lb.listener(&p)
	if li < 0 {
		e.fatal(CodeELBV2NoListener, lb.comp, p, fmt.Sprintf("%s has no listener for %s: it takes only %s", lb.label, flowText(&p), lb.listenerList()))
		return
	}
	if len(eni.sgs) > 0 || lb.m.Type == model.LBApplication {
		if !e.securityGroups(eni, a, p, Ingress) {
			return
		}
	} else if e.recording() {
		e.hop(Hop{Component: lb.comp, Action: ActAllow, Direction: Ingress, In: p,
			Note: "the Network Load Balancer has no security groups: all client traffic reaches its listeners (\"Update the security groups for your Network Load Balancer\")"})
	}
	l := &lb.listeners[li]
	if !l.hasGroup {
		e.fatal(CodeELBV2ListenerNoTG, lb.comp, p, fmt.Sprintf("listener %s:%d of %s forwards to no target group of the topology", l.m.Protocol, l.m.Port, lb.label))
		return
	}
	f := e.st.lbFwd[tupleOf(&p)]
	if f != nil && f.lb == lb {
		f = e.st.lbLive(f)
	}
	if f == nil && p.Proto == packet.ProtoTCP && !p.OpensFlow() {
		lb.lbIdleOut(e, p)
		return
	}
	if f == nil || f.lb != lb {
		t, note, ok := lb.choose(e, node, l, p)
		if !ok {
			return
		}
		f = &lbFlow{lb: lb, node: x.node, listener: li, target: t, client: tupleOf(&p), preserved: l.preserve}
		tg := &l.targets[t]
		f.out = lbTuple{proto: p.Proto, src: p.Src, sport: p.SrcPort, dst: tg.ip, dpt: tg.port}
		if !l.preserve {
			f.out.src = node.eni.m.PrimaryIP()
			f.out.sport = e.st.lbPort(f.out, f.client)
		}
		if !tg.ip.IsValid() {
			e.fatal(CodeUnknownDestination, lb.comp, p, fmt.Sprintf("target %s of %s is not an interface of the topology", tg.id, lb.label))
			return
		}
		e.st.lbOpen(f)
		if e.recording() {
			e.hop(Hop{Component: lb.comp, Action: ActForward, In: p, Note: note})
		}
	}
	out := p
	out.Src, out.SrcPort, out.Dst, out.DstPort = f.out.src, f.out.sport, f.out.dst, f.out.dpt
	if lb.m.Type == model.LBApplication {
		out.TTL = 255 // a new connection of the proxy's own [INF]
	}
	if e.recording() {
		var b1, b2 [64]byte
		why := " (client IP preserved: destination NAT only, \"Client IP preservation\")"
		if !f.preserved {
			why = " (the load balancer's own address as source: it proxies the connection)"
		}
		e.hopOut(Hop{Component: lb.comp, Action: ActTranslate, In: p, Middlebox: true, Translated: true,
			Note: translationNote("", appendFlow(b1[:0], &p), " becomes ", appendFlow(b2[:0], &out), why)}, out)
	}
	if len(eni.sgs) > 0 && !e.securityGroups(eni, arrival{origin: OriginInside}, out, Egress) {
		return
	}
	na := arrival{origin: OriginInside, lbENI: eni}
	if f.preserved {
		na = na.relayed(p.Src)
	}
	e.forward(node.eni.subnet, na, out)
}

// lbPort is the source port of the node's side of a new proxied flow: one no flow to the
// same target uses, from the hash of the client's side.
func (s *State) lbPort(out, client lbTuple) uint16 {
	k := gwlbFlowKey{proto: client.proto, a: client.src, b: client.dst, ap: client.sport, bp: client.dpt}
	h := k.hash()
	for i := uint64(0); i < 64512; i++ {
		port := uint16(1024 + (h+i)%64512)
		r := lbTuple{proto: out.proto, src: out.dst, dst: out.src, sport: out.dpt, dpt: port}
		if s.lbRev[r] == nil {
			return port
		}
	}
	return 0
}

// listener is the index of the listener that takes p, or -1.
func (lb *cLB) listener(p *packet.Packet) int {
	for i := range lb.listeners {
		l := &lb.listeners[i]
		if int(p.DstPort) == l.m.Port && (p.Proto == packet.ProtoTCP && l.tcp || p.Proto == packet.ProtoUDP && l.udp) {
			return i
		}
	}
	return -1
}

func (lb *cLB) listenerList() string {
	if len(lb.listeners) == 0 {
		return "nothing (it has no listener)"
	}
	var parts []string
	for _, l := range lb.listeners {
		parts = append(parts, fmt.Sprintf("%s:%d", l.m.Protocol, l.m.Port))
	}
	return strings.Join(parts, ", ")
}

// choose picks the target of a new flow and says why in the hop's note.
func (lb *cLB) choose(e *ev, node *lbNode, l *lbListener, p packet.Packet) (int, string, bool) {
	var zone, healthyZone, healthyAll []int
	elsewhere := false
	for i := range l.targets {
		t := &l.targets[i]
		all := t.az == model.ELBTargetAllZones // any node sends to it
		if !all && !lb.enabled(t.az) {
			continue // ELB_INSTALLED_AZ_RESTRICTION: a zone the load balancer is not in
		}
		if t.healthy {
			healthyAll = append(healthyAll, i)
		}
		if !all && !lb.crossZone && t.az != node.az {
			elsewhere = true
			continue
		}
		zone = append(zone, i)
		if t.healthy {
			healthyZone = append(healthyZone, i)
		}
	}
	where := node.az
	if lb.crossZone {
		where = "any enabled Availability Zone (cross-zone load balancing is on)"
	}
	k := gwlbFlowKey{proto: p.Proto, a: p.Src, b: p.Dst, ap: p.SrcPort, bp: p.DstPort}
	h := k.hash()
	switch {
	case len(zone) == 0 && elsewhere:
		e.fatal(CodeELBNotCrossZone, lb.comp, p, fmt.Sprintf("target group %s of %s has no target in %s, and cross-zone load balancing is off, so the node there cannot send to the targets in other zones", l.groupName, lb.label, node.az))
		return 0, "", false
	case len(zone) == 0:
		e.fatal(CodeELBNoTargetsInAZ, lb.comp, p, fmt.Sprintf("target group %s of %s has no registered target in %s", l.groupName, lb.label, where))
		return 0, "", false
	case len(healthyZone) > 0:
		t := healthyZone[h%uint64(len(healthyZone))]
		return t, fmt.Sprintf("node in %s sends the flow to target %s (%s) of target group %s: flow hash over the %d healthy targets in %s", node.az, l.targets[t].id, l.targets[t].az, l.groupName, len(healthyZone), where), true
	case len(healthyAll) > 0:
		e.fatal(CodeELBV2NoHealthyTargetInAZ, lb.comp, p, fmt.Sprintf("none of the %d targets of target group %s in %s is healthy, and cross-zone load balancing is off: the node in %s sends to none of them", len(zone), l.groupName, node.az, node.az))
		return 0, "", false
	}
	t := zone[h%uint64(len(zone))]
	return t, fmt.Sprintf("no target of target group %s is healthy: the load balancer fails open and sends the flow to target %s (%s) all the same (\"Health checks for ... target groups\")", l.groupName, l.targets[t].id, l.targets[t].az), true
}

// enabled reports whether the load balancer has a node in zone az.
func (lb *cLB) enabled(az string) bool {
	for _, n := range lb.nodes {
		if n.az == az {
			return true
		}
	}
	return false
}

// back: a target's reply of flow f reaches the node; it goes back to the client from the
// address the client connected to.
func (lb *cLB) back(e *ev, f *lbFlow, p packet.Packet) {
	node := &lb.nodes[f.node]
	out := p
	out.Src, out.SrcPort, out.Dst, out.DstPort = f.client.dst, f.client.dpt, f.client.src, f.client.sport
	if lb.m.Type == model.LBApplication {
		out.TTL = 255
	}
	if e.recording() {
		var b1, b2 [64]byte
		e.hopOut(Hop{Component: lb.comp, Action: ActTranslate, In: p, Middlebox: true, Translated: true,
			Note: translationNote("reply ", appendFlow(b1[:0], &p), " becomes ", appendFlow(b2[:0], &out), " (back to the client from the address it connected to)")}, out)
	}
	e.forward(node.eni.subnet, arrival{origin: OriginInside}, out)
}

// replyFromTarget takes a reply a target sends to a preserved client's address: the load
// balancer tracks the flow and it goes back through the node (NACL out of the target's
// subnet, NACL in of the node's when they differ). It reports whether it took p.
func (e *ev) replyFromTarget(eni *cENI, p packet.Packet) bool {
	f := e.st.lbReply(&p)
	if f == nil || !f.preserved || f.lb.listeners[f.listener].targets[f.target].eni != eni {
		return false
	}
	if e.st.lbLive(f) == nil {
		f.lb.lbIdleOut(e, p)
		return true
	}
	node := &f.lb.nodes[f.node]
	if node.eni.subnet != eni.subnet && (!e.acl(eni.subnet, Outbound, p) || !e.acl(node.eni.subnet, Inbound, p)) {
		return true
	}
	f.lb.back(e, f, p)
	return true
}

// appendFlow appends "src:port > dst:port".
func appendFlow(b []byte, p *packet.Packet) []byte {
	b = appendEndpoint(b, p, true)
	return appendEndpoint(append(b, " > "...), p, false)
}

// lbGroupMatches reports whether a rule referencing group g matches what a load balancer
// sends through interface eni: the interface carries g.
func lbGroupMatches(eni *cENI, g *cSG) bool { return eni != nil && slices.Contains(eni.sgs, g) }
