package engine

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Gateway Load Balancers and their endpoints (§13). A GWLB endpoint is a middlebox in its own
// subnet (§0.10), reached by routes in subnet tables and IGW edge tables (§13.3):
//
//	route → GWLBe: NACL in of the GWLBe's subnet
//	  → GWLB node in the GWLBe's AZ (none: VPCE_SERVICE_NOT_INSTALLED_IN_AZ)
//	  → flow table (idle-out: VPCLAB_GWLB_IDLE_TIMEOUT) or target choice by symmetric flow
//	    hash over healthy targets (none: ELBV2_NO_TARGETS_IN_AZ, VPCLAB_GWLB_NO_HEALTHY_TARGET)
//	  → GENEVE node → target: NACL out of the node's subnet, NACL in of the target's, the
//	    target's security groups (UDP 6081)
//	  → the appliance (pass-all, no TTL change, no NAT; a stateful one drops mid-flow packets)
//	  → GENEVE target → node (tracked; NACLs out and in) → the same GWLBe
//	  → NACL out of the GWLBe's subnet → lookup in the GWLBe subnet's route table.
//
// The inner packet is never changed (§13.10): no hop of the walk decrements its TTL.

// cGWLB is a compiled Gateway Load Balancer with its target group.
type cGWLB struct {
	m       *model.GatewayLoadBalancer
	nodes   []gwlbNode // one per enabled zone, in subnet order
	targets []gwlbTarget
	comp    Component
	label   string // "Gateway Load Balancer <name>", as messages name it
	// stick is the number of flow fields the hash keys on: 5 (TCP/UDP 5-tuple, else 3), 3 or 2
	// (§13.5).
	stick     int
	rebalance bool // target_failover.on_unhealthy=rebalance (§13.8)
	reset     bool // send_tcp_reset.on_idle_timeout.enabled (§13.7)
	idleTCP   time.Duration
	// byEP finds the endpoint of a GENEVE packet a target sends back (option type 1, §13.9).
	byEP map[uint64]*cGWLBE
}

// gwlbNode is the GWLB's node in one zone: its subnet and the address GENEVE leaves from.
type gwlbNode struct {
	az     string
	subnet *cSubnet
	ip     netip.Addr
	// notes are the hop notes of sending to each target, made once: [target][0] for
	// protocols with ports, [target][1] for the others.
	notes [][2]string
}

// gwlbNodeENI marks the interface of a GWLB node, where a real target's GENEVE comes back
// (Options.RealAppliances, live mode).
type gwlbNodeENI struct {
	lb   *cGWLB
	node *gwlbNode
}

// gwlbTarget is one registered target: its interface, address, zone and health (§13.6).
type gwlbTarget struct {
	id      string
	eni     *cENI
	ip      netip.Addr
	az      string
	healthy bool
}

// cGWLBE is a GWLB endpoint (§13.2): in one subnet, in front of one GWLB, or of none the
// topology holds (a consumer-only snapshot, §13.14).
type cGWLBE struct {
	ep     *cVPCE
	subnet *cSubnet
	az     string
	lb     *cGWLB
	comp   Component
	// epID and attID are the GENEVE option values a target sees (§13.9).
	epID, attID uint64
	// The notes of its hops, made once.
	noteIn, noteBack, noteReturn string
}

// compileGWLBs compiles the GWLBs and their endpoints, after interfaces, subnets and
// endpoints (§13).
func (n *Network) compileGWLBs(t *model.Topology, probs *model.Problems) {
	lbs := make(map[*model.GatewayLoadBalancer]*cGWLB, len(t.GatewayLoadBalancers))
	for _, g := range t.GatewayLoadBalancers {
		lbs[g] = n.compileGWLB(g, probs)
		n.gwlbs = append(n.gwlbs, lbs[g])
	}
	n.gwlbes = map[model.VPCEndpointID]*cGWLBE{}
	for _, ep := range t.VPCEndpoints {
		if ep.Type != model.EndpointGatewayLoadBalancer {
			continue
		}
		x := &cGWLBE{ep: n.vpces[ep.ID], comp: comp(KindGWLBEndpoint, string(ep.ID), ep.Name),
			epID: idNumber(string(ep.ID)), attID: idNumber("attachment/" + string(ep.ID))}
		if len(ep.Subnets) > 0 {
			x.subnet = n.subnets[ep.Subnets[0]]
		}
		if x.subnet != nil {
			x.az = x.subnet.m.AvailabilityZone
		}
		if g := model.GWLBOfEndpoint(t, ep); g != nil {
			x.lb = lbs[g]
			x.lb.byEP[x.epID] = x
			x.noteIn = "to " + x.lb.label + " through endpoint service " + string(g.Service.ID) + " (§13.4)"
		} else {
			x.noteIn = DetailPathThroughGWLBNotChecked + ": the Gateway Load Balancer behind " + ep.ServiceName +
				" is not in the topology; the endpoint passes the packet through unchanged, unchecked (§13.14)"
		}
		x.noteReturn = "back to endpoint " + string(ep.ID) + ", the one the flow came through (§13.4)"
		x.noteBack = "back from the Gateway Load Balancer, unchanged (§13.10); on with the route table of " + x.subnetName() + " (§13.4)"
		n.gwlbes[ep.ID] = x
	}
}

// home: a GWLB endpoint is a middlebox in its own subnet, so an IGW edge route to it makes
// the traffic it inspects symmetric (§1.3.8, edge.go).
func (x *cGWLBE) home() *cSubnet { return x.subnet }

func (x *cGWLBE) subnetName() string {
	if x.subnet == nil {
		return "its subnet"
	}
	return x.subnet.comp.String()
}

func (n *Network) compileGWLB(g *model.GatewayLoadBalancer, probs *model.Problems) *cGWLB {
	lb := &cGWLB{m: g, comp: comp(KindGatewayLoadBalancer, string(g.ARN), g.Name), label: "Gateway Load Balancer " + g.Name, stick: 5,
		idleTCP: time.Duration(g.IdleTimeout()) * time.Second, byEP: map[uint64]*cGWLBE{}}
	for _, id := range g.Subnets {
		s := n.subnets[id]
		if s == nil {
			continue
		}
		lb.nodes = append(lb.nodes, gwlbNode{az: s.m.AvailabilityZone, subnet: s, ip: n.gwlbNodeIP(s)})
	}
	for i := range lb.nodes {
		node := &lb.nodes[i]
		if v := node.subnet.vpc; v != nil {
			if e := v.byIP[node.ip]; e != nil && e.m.Type == model.InterfaceTypeGatewayLoadBalancer {
				e.gwlb = &gwlbNodeENI{lb: lb, node: node}
			}
		}
	}
	tg := g.TargetGroup
	if tg == nil {
		probs.Warnf(g.Src, "Gateway Load Balancer %s: its listener's target group is not in the topology; it has no targets", g.Name)
		return lb
	}
	switch tg.Stickiness {
	case model.Stickiness3Tuple:
		lb.stick = 3
	case model.Stickiness2Tuple:
		lb.stick = 2
	}
	lb.rebalance = tg.TargetFailover == "rebalance"
	lb.reset = tg.SendResetOnIdle
	for _, mt := range tg.Targets {
		t := gwlbTarget{id: mt.ID, az: mt.AZ, healthy: mt.Healthy()}
		if in := n.instances[model.InstanceID(mt.ID)]; in != nil && len(in.ENIs) > 0 {
			t.eni = n.enis[in.ENIs[0]]
		} else if a, err := netip.ParseAddr(mt.ID); err == nil {
			for _, s := range lb.nodes {
				if e := s.subnet.vpc.byIP[a]; e != nil && t.eni == nil {
					t.eni = e
				}
			}
		}
		if t.eni == nil || t.eni.subnet == nil {
			probs.Warnf(mt.Src, "Gateway Load Balancer %s: target %s is not an interface of the topology; flows hashed to it are dropped", g.Name, mt.ID)
			t.eni = nil
		} else {
			t.ip = t.eni.m.PrimaryIP()
			if a, err := netip.ParseAddr(mt.ID); err == nil {
				t.ip = a
			}
			if t.az == "" {
				t.az = t.eni.subnet.m.AvailabilityZone
			}
		}
		lb.targets = append(lb.targets, t)
	}
	for i := range lb.nodes {
		node := &lb.nodes[i]
		for _, t := range lb.targets {
			var ns [2]string
			for j, ports := range []bool{true, false} {
				ns[j] = fmt.Sprintf("node in %s (%s) sends the flow to target %s (%s) in GENEVE to UDP %s:%d (flow hash over %s, §13.5, §13.9)",
					node.az, node.ip, t.id, t.az, t.ip, packet.GENEVEPort, lb.stickiness(ports))
			}
			node.notes = append(node.notes, ns)
		}
	}
	return lb
}

// gwlbNodeIP is the address of a GWLB node in subnet s: the private IP of the load balancer's
// interface there (InterfaceType gateway_load_balancer), else the subnet's last usable
// address, a stand-in for the one AWS would pick [INF].
func (n *Network) gwlbNodeIP(s *cSubnet) netip.Addr {
	for _, e := range n.Topology.NetworkInterfaces {
		if e.Subnet == s.m.ID && e.Type == model.InterfaceTypeGatewayLoadBalancer && len(e.PrivateIPs) > 0 {
			return e.PrivateIPs[0].Addr
		}
	}
	return GWLBNodeAddr(s.m.CIDR)
}

// GWLBNodeAddr is the address vpclab gives a GWLB node in a subnet whose interface the input
// does not hold: the last usable address (broadcast - 1).
func GWLBNodeAddr(c netip.Prefix) netip.Addr {
	if !c.Addr().Is4() {
		return netip.Addr{}
	}
	b := c.Masked().Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= 1<<(32-c.Bits()) - 1
	v--
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// idNumber is the 8-byte value of an ID in a GENEVE option (§13.9): the ID's last 16 hex
// digits (vpce-0123456789abcdef0 → 0x123456789abcdef0), else an FNV-1a hash of it.
func idNumber(id string) uint64 {
	h := id[strings.LastIndexByte(id, '-')+1:]
	if len(h) > 16 {
		h = h[len(h)-16:]
	}
	if v, err := strconv.ParseUint(h, 16, 64); err == nil && len(h) >= 8 {
		return v
	}
	x := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		x = (x ^ uint64(id[i])) * 1099511628211
	}
	return x
}

// resolveGWLBEndpoint: a route to a GWLB endpoint of the table's VPC (§13.3), called by
// resolveVPCEndpoint for endpoints of that type.
func resolveGWLBEndpoint(n *Network, v *cVPC, g *cVPCE) node {
	x := n.gwlbes[g.m.ID]
	switch {
	case x == nil || x.subnet == nil:
		return &dropNode{code: CodeBadState, comp: comp(KindGWLBEndpoint, string(g.m.ID), g.m.Name),
			detail: fmt.Sprintf("GWLB endpoint %s has no subnet in the topology (§13.2)", g.m.ID)}
	case g.vpc != v:
		return &dropNode{code: CodeBadStateAttachment, comp: x.comp,
			detail: fmt.Sprintf("GWLB endpoint %s is not in this route table's VPC", g.m.ID)}
	case g.m.State != "" && g.m.State != model.EndpointAvailable:
		return &dropNode{code: CodeBadState, comp: x.comp,
			detail: fmt.Sprintf("GWLB endpoint %s is %s, not available", g.m.ID, g.m.State)}
	}
	return x
}

// gwlbMTU is the largest packet a GWLB carries (§13.11): 8500 bytes, GENEVE's 68 aside.
const gwlbMTU = 8500

// receive: a packet routed to the endpoint (§13.4).
func (x *cGWLBE) receive(e *ev, a arrival, p packet.Packet) {
	if !e.enterSubnet(x.subnet, a, p) {
		return
	}
	if len(p.Payload)+p.PayloadLen+56 > gwlbMTU || p.SegSize != 0 { // the common case stays cheap
		if n := p.LargestOnWire(); n > gwlbMTU {
			e.fatal(CodeMTUExceeded, x.comp, p, fmt.Sprintf("the packet is %d bytes: a Gateway Load Balancer endpoint carries packets of up to %d bytes and drops larger ones without ICMP (§13.11)", n, gwlbMTU))
			return
		}
	}
	if e.recording() {
		e.hop(Hop{Component: x.comp, Action: ActForward, In: p, Note: x.noteIn})
	}
	if x.lb != nil && !x.lb.process(e, x, a.origin, p) {
		return
	}
	x.back(e, a, p)
}

// back: the packet comes back out of the endpoint, unchanged, into its subnet: NACL out and
// the subnet's route table (§13.4). Security group references no longer match its source
// (§13.12).
func (x *cGWLBE) back(e *ev, a arrival, p packet.Packet) {
	if e.recording() {
		e.hop(Hop{Component: x.comp, Action: ActForward, In: p, Note: x.noteBack})
	}
	e.forward(x.subnet, a.relayed(p.Src), p)
}

// process takes p through the GWLB node in the endpoint's zone, to a target and back
// (§13.4-13). It returns false when the packet went no further.
func (lb *cGWLB) process(e *ev, x *cGWLBE, origin Origin, p packet.Packet) bool {
	var node *gwlbNode
	for i := range lb.nodes {
		if lb.nodes[i].az == x.az {
			node = &lb.nodes[i]
		}
	}
	if node == nil {
		e.fatal(CodeVPCEServiceNotInAZ, x.comp, p, fmt.Sprintf("%s has no node in %s, the Availability Zone of endpoint %s: the endpoint service is not available there (§13.4)", lb.label, x.az, x.comp.ID))
		return false
	}
	k := lb.flowKey(node.az, &p)
	h := k.hash()
	f, idle := e.st.gwlbLookup(k, lb.timeout(p.Proto))
	if f == nil && idle && p.Proto == packet.ProtoTCP && !p.OpensFlow() {
		lb.idleOut(e, x, p)
		return false
	}
	if f != nil && lb.rebalance && !lb.targets[f.target].healthy {
		f = nil // §13.8: rebalance moves the flows of an unhealthy target
	}
	if f == nil {
		t, ok := lb.choose(e, node, h, p)
		if !ok {
			return false
		}
		f = e.st.gwlbOpen(k, t)
	}
	f.origin = origin
	t := &lb.targets[f.target]
	if t.eni == nil {
		e.fatal(CodeUnknownDestination, lb.comp, p, fmt.Sprintf("target %s of %s is not an interface of the topology", t.id, lb.label))
		return false
	}
	if e.recording() {
		np := 0
		if !p.HasPorts() {
			np = 1
		}
		e.hop(Hop{Component: lb.comp, Action: ActForward, In: p, Note: node.notes[f.target][np]})
	}
	return lb.tunnel(e, x, node, t, h, p)
}

// tunnel is the GENEVE leg node → target → node (§13.9, §13.12) and the appliance between.
func (lb *cGWLB) tunnel(e *ev, x *cGWLBE, node *gwlbNode, t *gwlbTarget, h uint64, p packet.Packet) bool {
	outer := packet.Packet{Src: node.ip, Dst: t.ip, Proto: packet.ProtoUDP, TTL: 255, DF: true,
		SrcPort: uint16(49152 + h%16384), DstPort: packet.GENEVEPort, PayloadLen: packet.GWLBOverhead - 28 + p.Len()}
	cross := node.subnet != t.eni.subnet
	if cross && (!e.acl(node.subnet, Outbound, outer) || !e.acl(t.eni.subnet, Inbound, outer)) {
		return false
	}
	eni := t.eni
	if e.recording() {
		e.hop(Hop{Component: eni.comp, Action: ActReceive, In: lb.encap(outer, x, h, &p), Tunnelled: true,
			Note: "GENEVE from the Gateway Load Balancer (§13.9)"})
	}
	if eni.closed != nil {
		e.fatal(eni.closed.code, eni.closed.comp, p, eni.closed.detail)
		return false
	}
	in := arrival{origin: OriginInside}
	if !e.securityGroups(eni, in, outer, Ingress) {
		return false
	}
	if e.opt.RealAppliances {
		// Live mode: the target's own tunnel handler and kernel inspect; the journey ends at
		// its interface with the GENEVE packet, and what it sends back to the node resumes
		// the walk (returned).
		e.res.Rebuilt = true
		e.deliver(eni, lb.encap(outer, x, h, &p))
		return false
	}
	c := eni.hostComp()
	if eni.stateful() && !e.st.applianceAdmits(eni.instance.ID, &p) {
		why := fmt.Sprintf("appliance %s forwards only flows it saw start, and it never saw this one's first packet: the flow's other direction came through another endpoint or target (§13.13)", c)
		e.hop(Hop{Component: c, Action: ActDrop, In: p, Note: why})
		if e.block(CodeAsymmetricInspection, c, p, why) {
			return false
		}
	}
	if e.recording() {
		e.hop(Hop{Component: c, Action: ActForward, In: p, Middlebox: true,
			Note: "appliance inspects the inner packet and returns it unchanged: pass-all, no TTL change, no NAT (§13.10)"})
	}
	ret := outer
	ret.Src, ret.Dst, ret.SrcPort, ret.DstPort = outer.Dst, outer.Src, outer.DstPort, outer.SrcPort
	if !e.securityGroups(eni, in, ret, Egress) {
		return false
	}
	if e.recording() {
		e.hop(Hop{Component: eni.comp, Action: ActSend, In: lb.encap(ret, x, h, &p), Tunnelled: true,
			Note: "GENEVE back to the Gateway Load Balancer with the same options (§13.9)"})
	}
	if cross && (!e.acl(eni.subnet, Outbound, ret) || !e.acl(node.subnet, Inbound, ret)) {
		return false
	}
	if e.recording() {
		e.hop(Hop{Component: lb.comp, Action: ActForward, In: p, Note: x.noteReturn})
	}
	return true
}

// encap is the outer packet with its GENEVE header and the inner packet as payload, for the
// hop a capture on the target reads (§13.9); made only when hops are recorded.
func (lb *cGWLB) encap(outer packet.Packet, x *cGWLBE, h uint64, inner *packet.Packet) packet.Packet {
	out, err := packet.EncapsulateGENEVE(outer, packet.AWSGENEVE(x.epID, x.attID, uint32(h)), inner)
	if err != nil || inner.Len() > 0xffff-packet.GWLBOverhead {
		return outer
	}
	return out
}

// choose picks the target of a new flow (§13.5-6): the flow hash over the healthy targets in
// the node's zone, or in every enabled zone with cross-zone load balancing.
func (lb *cGWLB) choose(e *ev, node *gwlbNode, h uint64, p packet.Packet) (int, bool) {
	var cands [16]int
	list := cands[:0]
	registered := 0
	for i := range lb.targets {
		t := &lb.targets[i]
		if !lb.serves(node, t.az) {
			continue
		}
		registered++
		if t.healthy {
			list = append(list, i)
		}
	}
	where := node.az
	if lb.m.CrossZone {
		where = "any enabled Availability Zone (cross-zone load balancing is on)"
	}
	switch {
	case registered == 0:
		e.fatal(CodeELBNoTargetsInAZ, lb.comp, p, fmt.Sprintf("%s has no registered target in %s: it drops the packet (§13.6)", lb.label, where))
		return 0, false
	case len(list) == 0:
		e.fatal(CodeGWLBNoHealthyTarget, lb.comp, p, fmt.Sprintf("none of the %d targets of %s in %s is healthy: it drops the packet, it does not fail open (§13.6)", registered, lb.label, where))
		return 0, false
	}
	return list[h%uint64(len(list))], true
}

// serves reports whether the node may send to a target in zone az (§13.6).
func (lb *cGWLB) serves(node *gwlbNode, az string) bool {
	if !lb.m.CrossZone {
		return az == node.az
	}
	for _, n := range lb.nodes {
		if n.az == az {
			return true
		}
	}
	return false
}

// idleOut drops a TCP packet of a flow whose entry idled out (§13.7), answering with a RST
// when the target group says so.
func (lb *cGWLB) idleOut(e *ev, x *cGWLBE, p packet.Packet) {
	why := fmt.Sprintf("the flow was idle for more than %s and its entry at %s expired: only a SYN starts it again (§13.7)", lb.idleTCP, lb.label)
	if lb.reset {
		why += "; the load balancer answers with a TCP RST (send_tcp_reset.on_idle_timeout.enabled)"
	}
	e.fatal(CodeGWLBIdleTimeout, lb.comp, p, why)
	if lb.reset {
		rst := packet.Packet{Src: p.Dst, Dst: p.Src, Proto: packet.ProtoTCP, TTL: 255, SrcPort: p.DstPort, DstPort: p.SrcPort,
			TCPFlags: packet.TCPRst | packet.TCPAck, Ack: p.Seq}
		e.generate(rst, func(sub *ev, g packet.Packet) {
			sub.pass(lb.comp, ActSend, g, "")
			x.back(sub, arrival{origin: OriginInside}, g)
		})
	}
}

// timeout is a flow entry's idle timeout (§13.7).
func (lb *cGWLB) timeout(proto uint8) time.Duration {
	if proto == packet.ProtoTCP {
		return lb.idleTCP
	}
	return model.GWLBOtherIdleTimeout * time.Second
}

func (lb *cGWLB) stickiness(ports bool) string {
	switch {
	case lb.stick == 2:
		return "source and destination IP"
	case lb.stick == 3 || !ports:
		return "source and destination IP and protocol"
	}
	return "the 5-tuple"
}

// gwlbFlowKey is a flow at one GWLB node, the same both ways: the lower address (and its
// port) first. Fields the stickiness leaves out are zero (§13.5).
type gwlbFlowKey struct {
	lb     model.LoadBalancerARN
	az     string
	proto  uint8
	a, b   netip.Addr
	ap, bp uint16
}

func (lb *cGWLB) flowKey(az string, p *packet.Packet) gwlbFlowKey {
	if p.IsICMPError() && p.Inner != nil {
		p = p.Inner // an ICMP error goes the way of the flow it quotes
	}
	k := gwlbFlowKey{lb: lb.m.ARN, az: az, a: p.Src, b: p.Dst}
	if lb.stick >= 3 {
		k.proto = p.Proto
	}
	if lb.stick == 5 && p.HasPorts() {
		k.ap, k.bp = p.SrcPort, p.DstPort
	}
	if c := k.b.Compare(k.a); c < 0 || c == 0 && k.bp < k.ap {
		k.a, k.b, k.ap, k.bp = k.b, k.a, k.bp, k.ap
	}
	return k
}

// hash is the symmetric flow hash (§13.5): FNV-1a over the key's flow fields, mixed, the same
// for both directions because the key is.
func (k *gwlbFlowKey) hash() uint64 {
	x := uint64(14695981039346656037)
	add := func(b byte) { x = (x ^ uint64(b)) * 1099511628211 }
	for _, a := range [2]netip.Addr{k.a, k.b} {
		b := a.As16()
		for _, c := range b {
			add(c)
		}
	}
	add(k.proto)
	add(byte(k.ap >> 8))
	add(byte(k.ap))
	add(byte(k.bp >> 8))
	add(byte(k.bp))
	// FNV's low bits follow the last bytes' (a modulo 2 would alternate with the port's
	// parity): mix them in (splitmix64's finaliser).
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// gwlbFlow is a flow table entry: the target the flow goes to and when it was last seen.
type gwlbFlow struct {
	target int
	last   time.Time
	// origin is where the flow's latest packet to its target came into the topology from: a
	// real target's GENEVE return (live mode) goes on with it.
	origin Origin
}

// gwlbLookup finds the live entry of a flow, refreshing it. idle is true when the flow's entry
// idled out (now or before, until a new flow replaces it).
func (s *State) gwlbLookup(k gwlbFlowKey, timeout time.Duration) (f *gwlbFlow, idle bool) {
	now := s.clock.Now()
	if f := s.gwlb[k]; f != nil {
		if now.Sub(f.last) <= timeout {
			f.last = now
			return f, false
		}
		delete(s.gwlb, k)
		if s.gwlbIdle == nil {
			s.gwlbIdle = map[gwlbFlowKey]struct{}{}
		}
		s.gwlbIdle[k] = struct{}{}
	}
	_, idle = s.gwlbIdle[k]
	return nil, idle
}

// gwlbOpen records a new flow to target t.
func (s *State) gwlbOpen(k gwlbFlowKey, t int) *gwlbFlow {
	if s.gwlb == nil {
		s.gwlb = map[gwlbFlowKey]*gwlbFlow{} // made on first use: most labs have no GWLB
	}
	delete(s.gwlbIdle, k)
	f := &gwlbFlow{target: t, last: s.clock.Now()}
	s.gwlb[k] = f
	return f
}

// GWLBTarget is the target a GWLB sends a flow to, for tests and tools: the ID of the target
// (instance or IP) whose flow entry holds p at the node of zone az; ok is false when the flow
// has none.
func (n *Network) GWLBTarget(st *State, arn model.LoadBalancerARN, az string, p packet.Packet) (string, bool) {
	for _, lb := range n.gwlbs {
		if lb.m.ARN != arn {
			continue
		}
		if f := st.gwlb[lb.flowKey(az, &p)]; f != nil {
			return lb.targets[f.target].id, true
		}
	}
	return "", false
}

// returned takes what a real target sends to a GWLB node's interface (Options.RealAppliances,
// live mode): GENEVE with AWS's three options (§13.9; without them it is dropped) for a flow
// the node sent that target, whose inner packet goes back to the endpoint in the options
// and on from its subnet (§13.4), as the simulated walk does after the appliance.
func (g *gwlbNodeENI) returned(e *ev, eni *cENI, p packet.Packet) {
	lb := g.lb
	e.pass(eni.comp, ActReceive, p, "")
	if p.Proto != packet.ProtoUDP || p.DstPort != packet.GENEVEPort && p.SrcPort != packet.GENEVEPort {
		e.fatal(CodeNoPossibleDestination, eni.comp, p, fmt.Sprintf("%s is the interface of %s in %s: it takes only GENEVE (UDP 6081) back from its targets, not %s (§13.9)", eni.m.ID, lb.label, g.node.az, flowText(&p)))
		return
	}
	gh, rest, err := packet.DecodeGENEVE(p.Payload)
	if err != nil || !gh.HasAWSOptions() || gh.Protocol != packet.GENEVEProtoIPv4 {
		why := "it lacks AWS's options of class 0x0108 (endpoint ID, attachment ID, flow cookie)"
		if err != nil {
			why = err.Error()
		}
		e.fatal(CodeGWLBBadGENEVE, lb.comp, p, fmt.Sprintf("%s drops GENEVE from %s: %s (§13.9)", lb.label, p.Src, why))
		return
	}
	inner, err := packet.Decode(rest)
	if err != nil {
		e.fatal(CodeGWLBBadGENEVE, lb.comp, p, fmt.Sprintf("%s drops GENEVE from %s: the inner packet does not decode: %v (§13.9)", lb.label, p.Src, err))
		return
	}
	if inner.IsFragment() {
		e.fatal(CodeGWLBFragment, lb.comp, inner, fmt.Sprintf("%s drops a fragment %s sent back: a GWLB does not take fragments its targets make (§13.11)", lb.label, p.Src))
		return
	}
	x := lb.byEP[binaryUint64(gh.Option(packet.GENEVEClassAWS, packet.GENEVEOptEndpoint))]
	f := e.st.gwlb[lb.flowKey(g.node.az, &inner)]
	switch {
	case x == nil:
		e.fatal(CodeGWLBBadGENEVE, lb.comp, inner, fmt.Sprintf("%s drops GENEVE from %s: its endpoint ID option names no endpoint of the load balancer (§13.9)", lb.label, p.Src))
		return
	case f == nil || lb.targets[f.target].ip != p.Src:
		e.fatal(CodeGWLBBadGENEVE, lb.comp, inner, fmt.Sprintf("%s drops GENEVE from %s: the node in %s sent it no packet of the flow %s (§13.9)", lb.label, p.Src, g.node.az, flowText(&inner)))
		return
	}
	if e.recording() {
		e.hop(Hop{Component: lb.comp, Action: ActForward, In: inner, Note: "back from target " + lb.targets[f.target].id + " to endpoint " + x.comp.ID + " (§13.4, §13.9)"})
	}
	e.res.Rebuilt = true
	x.back(e, arrival{origin: f.origin}, inner)
}

// binaryUint64 reads 8 big-endian bytes; 0 for any other length.
func binaryUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
