package engine

import (
	"fmt"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Gateway (edge) route tables, §1.3. A table edge-associated with an internet gateway or a
// VGW routes the packets entering the VPC through that gateway (enterVPC); two of AWS's rules
// about what it may target are fixed when the table compiles (edgeTargets), and the symmetry
// rule is the internet gateway's to apply on the way out (redirected).

// A middlebox is a route target that forwards from a subnet of its own: an appliance's
// network interface, a Gateway Load Balancer or firewall endpoint. The symmetry rule of edge
// route tables reads where it sits (§1.3.8).
type middlebox interface {
	home() *cSubnet
}

func (eni *cENI) home() *cSubnet { return eni.subnet }

// edgeTargets fixes the targets of an edge route table that AWS accepts but that cannot carry
// what matches them: from an internet gateway, a network interface with no public IPv4
// (§1.3.5, INGRESS_RTB_NO_PUBLIC_IP); from a VGW, a Gateway Load Balancer or firewall
// endpoint (§1.3.2, VPCLAB_VGW_EDGE_GWLBE).
func (rt *cRouteTable) edgeTargets(igw bool) {
	for _, r := range rt.lpm.All() {
		switch t := r.target.(type) {
		case *cENI:
			if igw && !t.hasPublicIP() {
				r.target = &dropNode{code: CodeIngressRTBNoPublicIP, comp: rt.comp,
					detail: fmt.Sprintf("edge route %s -> %s: an internet gateway's route table can send traffic to a network interface only if it has a public IPv4 address, and %s has none (§1.3.5)", r.ref.Destination, t.m.ID, t.m.ID)}
			}
		default:
			if !igw && r.ref.Target.Kind == model.TargetVPCEndpoint {
				r.target = &dropNode{code: CodeVGWEdgeGWLBE, comp: rt.comp,
					detail: fmt.Sprintf("edge route %s -> %s: a virtual private gateway's route table accepts a route to a Gateway Load Balancer endpoint, but drops the traffic that matches it (§1.3.2)", r.ref.Destination, r.ref.Target.ID)}
			}
		}
	}
}

func (eni *cENI) hasPublicIP() bool {
	for _, p := range eni.m.PrivateIPs {
		if p.PublicIP.IsValid() {
			return true
		}
	}
	return false
}

// redirected applies the symmetry rule of an internet gateway's edge route table (§1.3.8):
// traffic from an address whose inbound traffic the table sends to a middlebox must leave
// through that middlebox. A packet routed to the gateway from any other subnet bypassed it,
// and the gateway drops it (INGRESS_RTB_TRAFFIC_REDIRECTION). It reports whether p was dropped.
func (g *cIGW) redirected(e *ev, a arrival, p packet.Packet) bool {
	edge := g.vpc.edgeIGW
	if edge == nil {
		return false
	}
	r, ok := edge.lpm.Lookup(p.Src)
	if !ok {
		return false
	}
	m, ok := r.target.(middlebox)
	if !ok || m.home() == a.from {
		return false
	}
	return e.block(CodeIngressRTBRedirection, g.comp, p, fmt.Sprintf(
		"the internet gateway's route table %s sends traffic for %s to %s (route %s), so traffic from it must leave through that middlebox; this packet came from %s without passing it (§1.3.8)",
		edge.comp, p.Src, r.ref.Target.ID, r.ref.Destination, subnetName(a.from)))
}

// subnetName names the subnet a packet was routed from, for messages.
func subnetName(s *cSubnet) string {
	if s == nil {
		return "a gateway"
	}
	return s.comp.String()
}
