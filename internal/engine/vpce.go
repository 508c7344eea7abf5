package engine

import (
	"fmt"
	"net/netip"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// cVPCE is a gateway VPC endpoint (S3, DynamoDB), §7.4.1-7: the target of the route AWS
// installs in each of its route tables, whose destination is the service's AWS-managed prefix
// list. It hands TCP and ICMP echo requests from its own VPC to the service (a stub the tools
// answer for, §7.4.7), and lets the service's answers into the VPC with the local route.
// An interface endpoint (§7.4.11-15) is its network interfaces (cENI.vpce): they answer TCP
// on the service's ports and never open a connection. Gateway Load Balancer endpoints are
// modelled in gwlb.go.
type cVPCE struct {
	m    *model.VPCEndpoint
	vpc  *cVPC
	svc  []netip.Prefix // the entries of the service's prefix list (§7.4.3)
	comp Component
	// service is the AWS service behind the endpoint, where its packets exit to.
	service Component
	// The notes of its hops, made once so that the path through it allocates nothing.
	noteOut, noteIn string
}

func (n *Network) compileEndpoints(t *model.Topology) {
	n.vpces = make(map[model.VPCEndpointID]*cVPCE, len(t.VPCEndpoints))
	for _, ep := range t.VPCEndpoints {
		g := &cVPCE{m: ep, vpc: n.vpcs[ep.VPC], comp: comp(KindVPCEndpoint, string(ep.ID), ep.Name),
			service: comp(KindAWSService, ep.ServiceName, ""),
			noteOut: "to " + ep.ServiceName + " through the gateway endpoint (§7.4.7)",
			noteIn:  "from " + ep.ServiceName + " into the VPC (§7.4.7)"}
		for _, pl := range t.PrefixLists {
			if pl.ID == ep.PrefixList {
				g.svc = pl.CIDRs
			}
		}
		n.vpces[ep.ID] = g
		if ep.Type == model.EndpointInterface {
			for _, id := range ep.NetworkInterfaces {
				if eni := n.enis[id]; eni != nil {
					eni.vpce = g
				}
			}
		}
	}
}

// ServicePorts are the TCP ports the service behind an interface endpoint's network
// interface answers on (§7.4.13); ok is false for any other interface.
// The list is the topology's own: the caller does not change it.
func (n *Network) ServicePorts(id model.ENIID) (ports *[]uint16, ok bool) {
	if eni := n.enis[id]; eni != nil && eni.vpce != nil {
		return &eni.vpce.m.Ports, true
	}
	return nil, false
}

// resolveVPCEndpoint: a route to an available gateway endpoint of the table's VPC. Any other
// endpoint fails closed with the code naming why.
func resolveVPCEndpoint(n *Network, v *cVPC, id string) node {
	if fw := resolveFirewallEndpoint(n, v, id); fw != nil {
		return fw // a Network Firewall endpoint (nfw.go, §14.3)
	}
	g := n.vpces[model.VPCEndpointID(id)]
	c := comp(KindVPCEndpoint, id, "")
	switch {
	case g == nil:
		return &dropNode{code: CodeUnsupportedComponent, comp: c,
			detail: fmt.Sprintf("route target %s is a VPC endpoint the topology does not describe (describe-vpc-endpoints): vpclab cannot tell its type", id)}
	case g.m.Type == model.EndpointGatewayLoadBalancer:
		return resolveGWLBEndpoint(n, v, g) // §13.3, gwlb.go
	case g.m.Type == model.EndpointInterface:
		return &dropNode{code: CodeBadState, comp: g.comp,
			detail: fmt.Sprintf("route target %s is an interface endpoint, which is no route target: packets reach it at its interfaces' addresses (§7.4.12)", id)}
	case g.m.Type != model.EndpointGateway:
		return &dropNode{code: CodeUnsupportedComponent, comp: g.comp,
			detail: fmt.Sprintf("route target %s is a %s endpoint, which vpclab does not model yet", id, g.m.Type)}
	case g.vpc != v:
		return &dropNode{code: CodeBadStateAttachment, comp: g.comp,
			detail: fmt.Sprintf("gateway endpoint %s is not in this route table's VPC", id)}
	case g.m.State != "" && g.m.State != model.EndpointAvailable:
		return &dropNode{code: CodeBadState, comp: g.comp,
			detail: fmt.Sprintf("gateway endpoint %s is %s, not available", id, g.m.State)}
	}
	return g
}

// receive: §7.4.4, only a private IPv4 of an interface in the endpoint's own VPC, sending from
// inside it, may use the endpoint (a NAT gateway's private IP qualifies); §7.4.5, only TCP and
// ICMP echo requests pass. What passes leaves for the service.
func (g *cVPCE) receive(e *ev, a arrival, p packet.Packet) {
	if a.origin != OriginInside || g.vpc.byIP[p.Src] == nil {
		why := fmt.Sprintf("source %s is not a private IP of an interface in %s", p.Src, g.vpc.m.ID)
		if a.origin != OriginInside {
			why = fmt.Sprintf("the packet came into %s from %s", g.vpc.m.ID, a.origin)
		}
		e.fatal(CodeVPCEGatewaySourceNotInVPC, g.comp, p, why+": a gateway endpoint serves only sources inside its VPC (§7.4.4)")
		return
	}
	if !gatewayProtocol(&p, packet.ICMPEchoRequest) {
		e.fatal(CodeVPCEGatewayProtocol, g.comp, p, fmt.Sprintf("a gateway endpoint carries only TCP and ICMP echo, not %s (§7.4.5)", flowText(&p)))
		return
	}
	if e.recording() {
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true, Note: g.noteOut})
	}
	e.exit(g.comp, g.service, p)
}

// gatewayProtocol reports whether a gateway endpoint carries p (§7.4.5): TCP, and ICMP echo
// of the given type (requests towards the service, replies from it).
func gatewayProtocol(p *packet.Packet, echo uint8) bool {
	return p.Proto == packet.ProtoTCP || p.Proto == packet.ProtoICMP && p.ICMPType == echo && !p.IsICMPError()
}

// vpceEntry is where the service behind a gateway endpoint sends into the endpoint's VPC
// (Location FromVPCEndpoint): its answers, TCP and ICMP echo replies from an address of its
// prefix list (§7.4.5), delivered with the local route (§0.11).
type vpceEntry struct{ g *cVPCE }

func enterAtVPCEndpoint(n *Network, id string) entry {
	if g := n.vpces[model.VPCEndpointID(id)]; g != nil && g.vpc != nil && g.m.Type == model.EndpointGateway {
		return vpceEntry{g}
	}
	return nil
}

func (x vpceEntry) send(e *ev, p packet.Packet) {
	g := x.g
	e.pass(g.service, ActSend, p, "")
	if !gatewayProtocol(&p, packet.ICMPEchoReply) {
		e.fatal(CodeVPCEGatewayProtocol, g.comp, p, fmt.Sprintf("a gateway endpoint carries only TCP and ICMP echo, not %s (§7.4.5)", flowText(&p)))
		return
	}
	in := false
	for _, c := range g.svc {
		in = in || c.Contains(p.Src)
	}
	if !in {
		e.fatal(CodeVPCEGatewayEgressSource, g.comp, p, fmt.Sprintf("source %s is not in the service's prefix list %s: the endpoint lets only the service's addresses into the VPC (§7.4.5)", p.Src, g.m.PrefixList))
		return
	}
	if e.recording() {
		e.hop(Hop{Component: g.comp, Action: ActForward, In: p, Edge: true, Note: g.noteIn})
	}
	e.enterVPC(g.vpc, nil, arrival{origin: OriginVPCEndpoint}, p)
}
