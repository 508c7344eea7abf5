package model

import (
	"fmt"
	"strings"
)

// edgeTables checks gateway (edge) route tables, §1.3: what AWS refuses when a table is
// associated with an internet gateway or a virtual private gateway. The gateway must be
// attached to the table's VPC and have one edge table at most (§1.3.9); the table may not
// propagate (§1.3.4); every route's destination is a whole VPC CIDR block or exactly one
// subnet's CIDR, never a prefix list or anything outside the VPC (§1.3.3); every target is
// local, a network interface or a VPC endpoint (a GWLB or firewall endpoint, §1.3.2).
func (v *validator) edgeTables() {
	owner := map[string]*RouteTable{}
	for _, rt := range v.t.RouteTables {
		if len(rt.Gateways) == 0 {
			continue
		}
		name := label(rt.Name, rt.ID)
		for _, gw := range rt.Gateways {
			if first := owner[gw]; first != nil && first != rt {
				v.ps.Errorf(rt.Src, "route table %s: gateway %s is already edge-associated with route table %s; a gateway has one edge route table (§1.3.9)",
					name, gw, label(first.Name, first.ID))
			}
			owner[gw] = rt
			v.edgeGateway(rt, name, gw)
		}
		if len(rt.PropagatingVGWs) > 0 {
			v.ps.Errorf(rt.Src, "route table %s: a gateway route table cannot propagate routes (§1.3.4); it propagates from %s",
				name, rt.PropagatingVGWs[0])
		}
		vpc := v.ix.VPCs[rt.VPC]
		for _, r := range rt.Routes {
			src := r.Src
			if src.File == "" {
				src = rt.Src
			}
			where := fmt.Sprintf("route %s in gateway route table %s", r.DestinationString(), name)
			if r.DestinationPrefixList != "" {
				v.ps.Errorf(src, "%s: a gateway route table cannot route a prefix list (§1.3.3)", where)
				continue
			}
			if vpc != nil && r.Destination.IsValid() && !v.edgeDestination(vpc, r) {
				v.ps.Errorf(src, "%s: a gateway route table routes only a whole CIDR block of VPC %s %v or exactly one of its subnets' CIDRs (§1.3.3)",
					where, label(vpc.Name, vpc.ID), vpc.CIDRs)
			}
			switch r.Target.Kind {
			case TargetLocal, TargetNetworkInterface, TargetInstance, TargetVPCEndpoint:
			default:
				if r.State != RouteBlackhole {
					v.ps.Errorf(src, "%s: a gateway route table can only target local, a network interface or a Gateway Load Balancer or firewall endpoint, not %s %s (§1.3.2)",
						where, r.Target.Kind.Info().Noun, r.Target.ID)
				}
			}
		}
	}
}

// edgeGateway checks that an edge-associated gateway is an internet or virtual private gateway
// of the table's VPC.
func (v *validator) edgeGateway(rt *RouteTable, name, gw string) {
	var in VPCID
	switch {
	case strings.HasPrefix(gw, "igw-"):
		g := v.internetGateway(InternetGatewayID(gw))
		if g == nil {
			v.ps.Warnf(rt.Src, "route table %s: edge-associated internet gateway %s is not in the topology", name, gw)
			return
		}
		in = g.VPC
	case strings.HasPrefix(gw, "vgw-"):
		g := v.ix.VPNGateways[VPNGatewayID(gw)]
		if g == nil {
			v.ps.Warnf(rt.Src, "route table %s: edge-associated VPN gateway %s is not in the topology", name, gw)
			return
		}
		in = g.VPC
	default:
		v.ps.Errorf(rt.Src, "route table %s: %q cannot be edge-associated; only an internet gateway (igw-) or a virtual private gateway (vgw-) can (§1.3.1)", name, gw)
		return
	}
	if in != rt.VPC && rt.VPC != "" {
		v.ps.Errorf(rt.Src, "route table %s: gateway %s is attached to VPC %s, not to the table's VPC %s (§1.3.1)",
			name, gw, v.vpcLabel(in), v.vpcLabel(rt.VPC))
	}
}

// edgeDestination reports whether r's destination is one a gateway route table may hold:
// a whole VPC CIDR block or exactly a subnet's CIDR (§1.3.3).
func (v *validator) edgeDestination(vpc *VPC, r Route) bool {
	for _, c := range vpc.CIDRs {
		if c == r.Destination {
			return true
		}
	}
	return v.isSubnetCIDR(vpc.ID, r.Destination)
}
