package engine

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cENI is a network interface (§6.1): an entry (the instance behind it sends), a route target
// (an appliance, §1.2.5) and where local delivery ends.
type cENI struct {
	m        *model.NetworkInterface
	subnet   *cSubnet
	sgs      []*cSG
	nat      *cNAT        // set for a NAT gateway's ENI
	tgw      *cTGWAttach  // set for a transit gateway's ENI (§7.2.9)
	vpce     *cVPCE       // set for an interface endpoint's ENI (§7.4.11)
	gwlb     *gwlbNodeENI // set for a Gateway Load Balancer node's ENI (§13.9, gwlb.go)
	lb       *lbNodeENI   // set for an Application or Network Load Balancer node's ENI (lb.go)
	instance *model.Instance
	comp     Component
	flow     uint64 // the interface's key in tracked flows (flowid.go)
	// closed, when set, is why the interface carries no traffic: its instance is not running,
	// or it belongs to an AWS service vpclab does not model yet (fail closed).
	closed *dropNode
}

func (e *cENI) has(a netip.Addr) bool {
	for _, p := range e.m.PrivateIPs {
		if p.Addr == a {
			return true
		}
	}
	return false
}

// hostComp is the instance behind the interface, or the interface itself when it has none.
func (e *cENI) hostComp() Component {
	if e.instance != nil {
		return comp(KindInstance, string(e.instance.ID), e.instance.Name)
	}
	return e.comp
}

// stateful reports whether the instance behind the interface is a stateful appliance: its OS
// forwards only flows it saw start (model.Instance.StatefulForwarding).
func (e *cENI) stateful() bool { return e.instance != nil && e.instance.StatefulForwarding }

func (n *Network) compileENIs(t *model.Topology, probs *model.Problems) {
	for _, e := range t.NetworkInterfaces {
		ce := &cENI{m: e, subnet: n.subnets[e.Subnet], instance: n.instances[e.Instance],
			comp: comp(KindENI, string(e.ID), e.Name)}
		for _, id := range e.SecurityGroups {
			if g := n.sgs[id]; g != nil {
				ce.sgs = append(ce.sgs, g)
			} else {
				probs.Warnf(e.Src, "%s: security group %s is not in the topology; it allows nothing", e.ID, id)
			}
		}
		n.enis[e.ID] = ce
		v := n.vpcs[e.VPC]
		if v == nil && ce.subnet != nil {
			v = ce.subnet.vpc
		}
		if v == nil {
			continue
		}
		for _, p := range e.PrivateIPs {
			if _, dup := v.byIP[p.Addr]; !dup {
				v.byIP[p.Addr] = ce
			}
			if p.PublicIP.IsValid() {
				n.public[p.PublicIP] = publicMapping{eni: ce, private: p.Addr, vpc: v}
				v.pub[p.Addr] = p.PublicIP
			}
		}
	}
	for _, in := range t.Instances {
		for _, id := range in.ENIs {
			if e := n.enis[id]; e != nil && e.instance == nil {
				e.instance = in
			}
		}
	}
}

// closeENIs marks the interfaces that carry no traffic (closedBecause), once NAT gateways
// have claimed theirs.
func (n *Network) closeENIs() {
	for _, e := range n.enis {
		e.closed = closedBecause(e)
	}
}

// closedBecause says why an interface carries no traffic, or nil when it does: an instance
// that is not running (stopped, stopping, pending, shutting-down, terminated: BAD_STATE), or
// an interface of an AWS service vpclab does not model yet (transit gateway attachments,
// endpoints, Lambda, §9.8: UNSUPPORTED_COMPONENT), or of a NAT gateway the topology does not
// hold (BAD_STATE), or a node of an Application or Network Load Balancer the topology does not
// hold (VPCLAB_NOT_IN_SNAPSHOT; the ones it holds are modelled, lb.go). A NAT gateway's own is
// modelled.
func closedBecause(e *cENI) *dropNode {
	if in := e.instance; in != nil && in.State != "" && in.State != "running" {
		return &dropNode{code: CodeBadState, comp: e.hostComp(),
			detail: fmt.Sprintf("instance %s is %s: its network interfaces carry no traffic", e.hostComp(), in.State)}
	}
	if e.m.Type == model.InterfaceTypeNATGateway && e.nat == nil {
		return &dropNode{code: CodeBadState, comp: e.comp,
			detail: fmt.Sprintf("network interface %s is a NAT gateway's, and no NAT gateway of the topology holds it", e.m.ID)}
	}
	if e.tgw != nil {
		return &dropNode{code: CodeNoPossibleDestination, comp: e.comp,
			detail: fmt.Sprintf("network interface %s is the interface of transit gateway attachment %s: it carries transit traffic and answers nothing addressed to it", e.m.ID, e.tgw.m.ID)}
	}
	if e.lb == nil && (strings.HasPrefix(e.m.Description, "ELB app/") || strings.HasPrefix(e.m.Description, "ELB net/")) {
		return &dropNode{code: CodeNotInSnapshot, comp: e.comp,
			detail: fmt.Sprintf("network interface %s is a node of load balancer %s, which the topology does not hold (describe-load-balancers)", e.m.ID, strings.TrimPrefix(e.m.Description, "ELB "))}
	}
	if e.m.Type.ServiceManaged() && e.nat == nil && e.vpce == nil && e.gwlb == nil && e.lb == nil {
		what := string(e.m.Type)
		if e.m.Description != "" {
			what += ", " + e.m.Description
		}
		return &dropNode{code: CodeUnsupportedComponent, comp: e.comp,
			detail: fmt.Sprintf("network interface %s belongs to an AWS service (%s) that vpclab does not model yet", e.m.ID, what)}
	}
	return nil
}

// enterAtENI: the instance behind an interface sends (Location FromENI).
func enterAtENI(n *Network, id string) entry {
	if e := n.enis[model.ENIID(id)]; e != nil && e.subnet != nil {
		return e
	}
	return nil
}

// resolveENI: a route to a network interface (§1.2.5, an appliance).
func resolveENI(n *Network, _ *cVPC, id string) node {
	if e := n.enis[model.ENIID(id)]; e != nil && e.subnet != nil {
		return e
	}
	return &dropNode{code: CodeBadState, comp: comp(KindENI, id, ""), detail: fmt.Sprintf("route target %s is not in the topology", id)}
}

// resolveInstance: a route to an instance goes to its primary network interface.
func resolveInstance(n *Network, v *cVPC, id string) node {
	if in := n.instances[model.InstanceID(id)]; in != nil && len(in.ENIs) > 0 {
		return resolveENI(n, v, string(in.ENIs[0]))
	}
	return &dropNode{code: CodeBadState, comp: comp(KindENI, id, ""), detail: fmt.Sprintf("route target %s is not in the topology", id)}
}

// receive: a packet routed to the interface enters its subnet (NACL inbound, unless it comes
// from that subnet) and arrives.
func (eni *cENI) receive(e *ev, a arrival, p packet.Packet) {
	if e.enterSubnet(eni.subnet, a, p) {
		e.arrive(eni, a, p)
	}
}

// send: a packet sent by the instance behind the interface (§0 steps 1-2).
func (eni *cENI) send(e *ev, p packet.Packet) {
	if eni.instance != nil {
		e.pass(eni.hostComp(), ActSend, p, "")
	}
	e.pass(eni.comp, ActSend, p, "")
	switch {
	case eni.closed != nil:
		e.fatal(eni.closed.code, eni.closed.comp, p, eni.closed.detail)
		return
	case eni.nat != nil:
		e.fatal(CodeUnsupportedComponent, eni.comp, p, "a NAT gateway's network interface sends nothing of its own")
		return
	case eni.gwlb != nil:
		e.fatal(CodeUnsupportedComponent, eni.comp, p, "a Gateway Load Balancer node's network interface sends nothing of its own (§13.9)")
		return
	case eni.lb != nil:
		e.fatal(CodeUnsupportedComponent, eni.comp, p, fmt.Sprintf("%s is the interface of %s: it sends nothing of its own", eni.m.ID, eni.lb.lb.label))
		return
	case eni.vpce != nil && !e.st.tracked(flowOf(eni, &p, true), true):
		e.fatal(CodeVPCEIntraVPC, eni.comp, p, fmt.Sprintf("%s is the interface of endpoint %s: it only answers connections made to it, and never opens one into the VPC (§7.4.14)", eni.m.ID, eni.vpce.m.ID))
		return
	}
	a := arrival{origin: OriginInside}
	// §0.1, §6.2: with the check enabled the source must be one of the ENI's addresses.
	if !eni.has(p.Src) {
		if eni.m.SourceDestCheck &&
			e.block(CodeSourceDestCheck, eni.comp, p, fmt.Sprintf("source %s is not an address of %s and its source/destination check is enabled (§6.2)", p.Src, eni.m.ID)) {
			return
		}
		// The instance forwards another's packet (an appliance routing, Options.RealAppliances):
		// the original sender's groups stay behind (§7.1.13).
		a = a.relayed(p.Src)
	}
	p, ok := e.cross(vpcLink, eni.comp, p)
	if !ok || !e.securityGroups(eni, a, p, Egress) {
		return
	}
	if e.st.lbRev != nil && e.replyFromTarget(eni, p) {
		return // a load balancer target's reply to a preserved client IP (lb.go)
	}
	e.forward(eni.subnet, a, p)
}

// arrive: a packet reaches an ENI (§0 step 6). A NAT gateway's ENI hands it to the gateway;
// an appliance (source/dest check off, destination not its own) forwards it on.
func (e *ev) arrive(eni *cENI, a arrival, p packet.Packet) {
	if eni.nat != nil {
		eni.nat.process(e, a, p)
		return
	}
	if eni.gwlb != nil {
		eni.gwlb.returned(e, eni, p)
		return
	}
	if eni.lb != nil {
		eni.lb.process(e, eni, a, p)
		return
	}
	e.pass(eni.comp, ActReceive, p, "")
	if eni.closed != nil {
		e.fatal(eni.closed.code, eni.closed.comp, p, eni.closed.detail)
		return
	}
	own := eni.has(p.Dst)
	if eni.m.SourceDestCheck && !own &&
		e.block(CodeSourceDestCheck, eni.comp, p, fmt.Sprintf("destination %s is not an address of %s and its source/destination check is enabled (§6.2)", p.Dst, eni.m.ID)) {
		return
	}
	if !e.securityGroups(eni, a, p, Ingress) {
		return
	}
	if eni.vpce != nil && p.Proto != packet.ProtoTCP {
		e.fatal(CodeVPCEInterfaceProtocol, eni.comp, p, fmt.Sprintf("interface endpoint %s answers TCP only, not %s (vpclab's default for an [UNCERTAIN] behaviour, §7.4.13)", eni.vpce.m.ID, flowText(&p)))
		return
	}
	if own || eni.instance == nil || e.opt.RealAppliances {
		e.deliver(eni, p) // with RealAppliances, the instance's own OS routes what is not its own
		return
	}
	e.appliance(eni, a, p)
}

// appliance: an instance that routes (source/dest check disabled) forwards the packet out of
// the same ENI. Its own OS decrements the TTL (§6.8) and answers expiry with time exceeded. The
// VPC never drops a flow whose two directions take different paths (§1.2.5); a stateful
// appliance's OS does, when it sees a packet of a flow it never saw start (§13.13); one whose
// OS has IP forwarding off routes nothing (model.Instance.IPForwardOff, §6.2). Live mode plays
// none of this (Options.RealAppliances): the instance's own kernel does.
func (e *ev) appliance(eni *cENI, a arrival, p packet.Packet) {
	c := eni.hostComp()
	if eni.instance.IPForwardOff { // Linux drops it silently: no route for a host that does not forward
		e.fatal(CodeApplianceNotForwarding, c, p, fmt.Sprintf("%s does not route (its OS has IP forwarding off): it drops a packet for %s, not one of its addresses (§6.2)", c, p.Dst))
		return
	}
	if p.TTL <= 1 {
		e.fatal(CodeTTLExceeded, c, p, fmt.Sprintf("TTL expired at appliance %s", c))
		e.timeExceeded(eni.m.PrimaryIP(), p, func(sub *ev, icmp packet.Packet) { eni.send(sub, icmp) })
		return
	}
	if eni.stateful() && !e.st.applianceAdmits(eni.instance.ID, &p) {
		why := fmt.Sprintf("appliance %s forwards only flows it saw start, and it never saw this one's first packet: the flow's other direction takes another path (§13.13)", c)
		e.hop(Hop{Component: c, Action: ActDrop, In: p, Note: why})
		stop := e.block(CodeAsymmetricInspection, c, p, why)
		if a.via != nil && !a.via.m.ApplianceMode {
			e.advise(DetailApplianceModeRecommended, a.via.comp, fmt.Sprintf("the packet came from %s, whose appliance mode is off, so each direction of a flow keeps its own Availability Zone and may meet another appliance: enable appliance mode on it (§7.2.13-14)", a.via.comp))
		}
		if stop {
			return
		}
	}
	out := p
	out.TTL--
	e.hopOut(Hop{Component: c, Action: ActForward, In: p, Middlebox: true, Note: "appliance routes the packet (TTL-1, §6.8)"}, out)
	if !e.securityGroups(eni, a, out, Egress) {
		return
	}
	// What the appliance sends on no longer carries the sender's groups: references to them
	// match nothing downstream (§7.1.13, SG_REFERENCES_NOT_PRESERVED).
	e.forward(eni.subnet, a.relayed(p.Src), out)
}
