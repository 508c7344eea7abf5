package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Gateway Load Balancers (§13). A GWLB is an ELBv2 load balancer of Type "gateway" in a
// provider VPC: one node per enabled Availability Zone (one subnet each), one listener that
// forwards every IP packet to one target group (GENEVE, port 6081), and the endpoint service
// (vpce-svc-) that consumer VPCs reach it through with GWLB endpoints (VPCEndpoint of Type
// GatewayLoadBalancer, §13.2).
//
// The load balancer, its listener, its target group and the endpoint service that fronts it
// are held in one value: each listener of a GWLB forwards to exactly one target group, and
// vpclab reads them together (describe-load-balancers, describe-listeners,
// describe-target-groups, describe-target-health, describe-vpc-endpoint-service-configurations).

// LoadBalancerARN and TargetGroupARN are ELBv2 ARNs; EndpointServiceID is vpce-svc-….
type (
	LoadBalancerARN   string
	TargetGroupARN    string
	EndpointServiceID string
)

// GENEVEPort is the UDP port of a GWLB target group and of the GENEVE tunnel (§13.1, §13.9).
const GENEVEPort = 6081

// GWLB defaults (§13.7, §13.8).
const (
	GWLBDefaultTCPIdleTimeout      = 350 // seconds; listener attribute tcp.idle_timeout.seconds
	GWLBOtherIdleTimeout           = 120 // seconds, non-TCP flows
	GWLBDefaultDeregistrationDelay = 300
)

// Stickiness types of a GWLB target group (§13.5). The empty value is the default 5-tuple
// (3-tuple for protocols without ports).
const (
	Stickiness5Tuple = "source_ip_dest_ip_proto_source_port_dest_port"
	Stickiness3Tuple = "source_ip_dest_ip_proto"
	Stickiness2Tuple = "source_ip_dest_ip"
)

// Target health states as describe-target-health prints them (§13.6).
const (
	TargetHealthy     = "healthy"
	TargetUnhealthy   = "unhealthy"
	TargetInitial     = "initial"
	TargetUnused      = "unused"
	TargetDraining    = "draining"
	TargetUnavailable = "unavailable"
)

// GatewayLoadBalancer is one GWLB (§13.1) with its listener, target group and endpoint service.
type GatewayLoadBalancer struct {
	ARN     LoadBalancerARN
	Name    string
	VPC     VPCID
	Subnets []SubnetID // one per enabled Availability Zone; the zone is the subnet's
	State   string     // "active" when empty
	// CrossZone is load_balancing.cross_zone.enabled (default false, §13.6).
	CrossZone bool
	// Listener is the listener's ARN; TCPIdleTimeout its tcp.idle_timeout.seconds (0: 350).
	Listener       string
	TCPIdleTimeout int
	TargetGroup    *TargetGroup // nil when the listener's target group is not in the input
	// Service is the endpoint service that fronts the GWLB; nil when none does.
	Service *EndpointService
	// Unmodelled are attributes vpclab reads but does not simulate (the loaders warn).
	Unmodelled []Attribute
	Tags       []Tag
	Src        Source
}

// EndpointService is the VPC endpoint service (vpce-svc-) that fronts a GWLB (§13.2).
type EndpointService struct {
	ID   EndpointServiceID
	Name string // com.amazonaws.vpce.<region>.vpce-svc-…
	Src  Source
}

// TargetGroup is a GWLB's target group (§13.1, §13.5-8).
type TargetGroup struct {
	ARN        TargetGroupARN
	Name       string
	VPC        VPCID
	Protocol   string // GENEVE
	Port       int    // 6081
	TargetType string // instance or ip
	// Health check settings (§13.15); read, not simulated: health is an input (§13.6).
	HealthCheckProtocol string
	HealthCheckPort     string
	// Stickiness is stickiness.type when stickiness.enabled is true, else "" (5-tuple).
	Stickiness string
	// TargetFailover is target_failover.on_unhealthy (= on_deregistration): "no_rebalance"
	// (the default when empty) or "rebalance" (§13.8).
	TargetFailover      string
	DeregistrationDelay int  // seconds; 0: 300
	SendResetOnIdle     bool // send_tcp_reset.on_idle_timeout.enabled (§13.7)
	// PreserveClientIP is preserve_client_ip.enabled of an NLB's group; nil is the default
	// (LoadBalancer.PreserveClientIP).
	PreserveClientIP *bool
	Targets          []ELBTarget
	Src              Source
}

// ELBTarget is one registered target: an instance ID or an IP address, its Availability Zone
// and its health, an input (describe-target-health, §13.6).
type ELBTarget struct {
	ID     string // i-… for instance targets, an IPv4 address for ip targets
	Port   int
	AZ     string
	Health string // healthy when empty
	Src    Source
}

// Attribute is one ELBv2 attribute (Key, Value).
type Attribute struct{ Key, Value string }

// Healthy reports whether the target takes new flows.
func (t ELBTarget) Healthy() bool { return t.Health == "" || t.Health == TargetHealthy }

// IdleTimeout is the TCP flow idle timeout in seconds (§13.7).
func (g *GatewayLoadBalancer) IdleTimeout() int {
	if g.TCPIdleTimeout > 0 {
		return g.TCPIdleTimeout
	}
	return GWLBDefaultTCPIdleTimeout
}

// GWLBServiceID is the endpoint service a GWLB endpoint's ServiceName names: its last part,
// vpce-svc-… (com.amazonaws.vpce.us-east-1.vpce-svc-0123 → vpce-svc-0123). A bare
// vpce-svc- ID is itself.
func GWLBServiceID(serviceName string) EndpointServiceID {
	return EndpointServiceID(ServiceShortName(serviceName))
}

// GWLBOfEndpoint is the GWLB behind a GWLB endpoint: the one whose endpoint service the
// endpoint's ServiceName names (by ID or by full name); nil when the topology has none (a
// consumer-only snapshot, §13.14).
func GWLBOfEndpoint(t *Topology, ep *VPCEndpoint) *GatewayLoadBalancer {
	id := GWLBServiceID(ep.ServiceName)
	for _, g := range t.GatewayLoadBalancers {
		if s := g.Service; s != nil && (s.ID == id || s.Name != "" && s.Name == ep.ServiceName) {
			return g
		}
	}
	return nil
}

// knownGWLBAttributes are the attributes vpclab simulates; any other is reported.
var knownGWLBAttributes = []string{
	"stickiness.enabled", "stickiness.type", "load_balancing.cross_zone.enabled",
	"target_failover.on_unhealthy", "target_failover.on_deregistration",
	"deregistration_delay.timeout_seconds", "tcp.idle_timeout.seconds",
	"send_tcp_reset.on_idle_timeout.enabled",
}

// KnownGWLBAttribute reports whether vpclab simulates an ELBv2 attribute of a GWLB, its
// listener or its target group.
func KnownGWLBAttribute(key string) bool { return slices.Contains(knownGWLBAttributes, key) }

// gwlbs checks Gateway Load Balancers and GWLB endpoints (§13.1-2).
func (v *validator) gwlbs() {
	for _, g := range v.t.GatewayLoadBalancers {
		name := label(g.Name, g.ARN)
		v.lbSubnets("Gateway Load Balancer "+name, g.VPC, g.Subnets, g.Src)
		for _, a := range g.Unmodelled {
			v.ps.Warnf(g.Src, "Gateway Load Balancer %s: attribute %s=%s is not modelled by vpclab; it has no effect on the simulation", name, a.Key, a.Value)
		}
		if tg := g.TargetGroup; tg != nil {
			v.targetGroup(g, tg)
		}
	}
	for _, ep := range v.t.VPCEndpoints {
		if ep.Type != EndpointGatewayLoadBalancer {
			continue
		}
		if fw, _ := FirewallEndpointOf(v.t, ep.ID); fw != nil {
			continue // a Network Firewall's endpoint, of GWLB type in describe-vpc-endpoints (§14)
		}
		name := label(ep.Name, ep.ID)
		if len(ep.Subnets) != 1 {
			v.ps.Errorf(ep.Src, "GWLB endpoint %s: it has %d subnets; a Gateway Load Balancer endpoint sits in exactly one subnet (§13.2)", name, len(ep.Subnets))
		}
		for _, id := range ep.Subnets {
			if rt := v.subnetTable(id); rt != nil {
				for _, r := range rt.Routes {
					if r.Target.Kind == TargetVPCEndpoint && r.Target.ID == string(ep.ID) {
						v.ps.Warnf(r.Src, "route %s in %s: it sends traffic of GWLB endpoint %s's own subnet back to the endpoint, so what the endpoint returns loops; the endpoint sits in a subnet apart from the workloads it serves (§13.3)",
							r.DestinationString(), label(rt.Name, rt.ID), name)
					}
				}
			}
			if s := v.ix.Subnets[id]; s == nil {
				v.ps.Warnf(ep.Src, "GWLB endpoint %s: subnet %s is not in the topology; packets routed to the endpoint are dropped", name, id)
			} else if ep.VPC != "" && s.VPC != ep.VPC {
				v.ps.Errorf(ep.Src, "GWLB endpoint %s: subnet %s is not in the endpoint's VPC %s", name, id, v.vpcLabel(ep.VPC))
			}
		}
		switch {
		case ep.ServiceName == "":
			// the loader reported it
		case !strings.HasPrefix(string(GWLBServiceID(ep.ServiceName)), "vpce-svc-"):
			v.ps.Errorf(ep.Src, "GWLB endpoint %s: service %q is not an endpoint service (vpce-svc-…); a GWLB endpoint connects to the endpoint service of a Gateway Load Balancer (§13.2)", name, ep.ServiceName)
		case GWLBOfEndpoint(v.t, ep) == nil && len(v.t.GatewayLoadBalancers) > 0:
			// With no GWLB at all the input is a consumer-only snapshot (§13.14): the endpoint
			// is an opaque pass-through. With some, the named service must be one of theirs.
			v.ps.Errorf(ep.Src, "GWLB endpoint %s: endpoint service %s does not exist: no Gateway Load Balancer of the topology is behind it (§13.2)", name, ep.ServiceName)
		}
	}
}

// targetGroup checks a GWLB's target group (§13.1): GENEVE on 6081, targets that exist, ip
// targets that are private.
func (v *validator) targetGroup(g *GatewayLoadBalancer, tg *TargetGroup) {
	name := label(tg.Name, tg.ARN)
	if tg.Protocol != "" && tg.Protocol != "GENEVE" || tg.Port != 0 && tg.Port != GENEVEPort {
		v.ps.Errorf(tg.Src, "target group %s: protocol %s port %d; a Gateway Load Balancer's target group is GENEVE on port 6081 (§13.1)", name, tg.Protocol, tg.Port)
	}
	switch tg.Stickiness {
	case "", Stickiness5Tuple, Stickiness3Tuple, Stickiness2Tuple:
	default:
		v.ps.Errorf(tg.Src, "target group %s: stickiness type %q is none of %s, %s, %s (§13.5)", name, tg.Stickiness, Stickiness5Tuple, Stickiness3Tuple, Stickiness2Tuple)
	}
	for _, t := range tg.Targets {
		switch tg.TargetType {
		case "ip":
			a, err := netip.ParseAddr(t.ID)
			switch {
			case err != nil:
				v.ps.Errorf(t.Src, "target group %s: ip target %q is not an IP address", name, t.ID)
			case !a.IsPrivate() && !rfc6598.Contains(a):
				v.ps.Errorf(t.Src, "target group %s: ip target %s is a public address; ip targets come from RFC 1918 or RFC 6598 ranges (§13.1)", name, a)
			}
		default:
			if v.ix.Instances[InstanceID(t.ID)] == nil {
				v.ps.Warnf(t.Src, "target group %s: target instance %s is not in the topology; flows hashed to it are dropped", name, t.ID)
			}
		}
		switch t.Health {
		case "", TargetHealthy, TargetUnhealthy, TargetInitial, TargetUnused, TargetDraining, TargetUnavailable:
		default:
			v.ps.Errorf(t.Src, "target group %s: target %s has health %q; states are healthy, unhealthy, initial, unused, draining, unavailable (§13.6)", name, t.ID, t.Health)
		}
	}
	_ = g
}

var rfc6598 = netip.MustParsePrefix("100.64.0.0/10")

// subnetTable is the route table of a subnet: its explicit association, else its VPC's main
// table (§1.1); nil when the topology has neither.
func (v *validator) subnetTable(id SubnetID) *RouteTable {
	var main *RouteTable
	s := v.ix.Subnets[id]
	for _, rt := range v.t.RouteTables {
		if slices.Contains(rt.Subnets, id) {
			return rt
		}
		if rt.Main && s != nil && rt.VPC == s.VPC && main == nil {
			main = rt
		}
	}
	return main
}

func (x *GatewayLoadBalancer) ident() ident { return ident{string(x.ARN), x.Name, x.Src} }

// String names the GWLB for messages.
func (x *GatewayLoadBalancer) String() string { return fmt.Sprintf("%s (%s)", x.Name, x.ARN) }

// lbSubnets checks a load balancer's VPC and subnets (§13.1; the same rules for ALBs and
// NLBs): each in its VPC, one per Availability Zone.
func (v *validator) lbSubnets(what string, vpc VPCID, subnets []SubnetID, src Source) {
	if vpc != "" && v.ix.VPCs[vpc] == nil {
		v.ps.Warnf(src, "%s: VPC %s is not in the topology", what, vpc)
	}
	azs := map[string]SubnetID{}
	for _, id := range subnets {
		s := v.ix.Subnets[id]
		switch {
		case s == nil:
			v.ps.Warnf(src, "%s: subnet %s is not in the topology; it has no node there", what, id)
		case vpc != "" && s.VPC != vpc:
			v.ps.Errorf(src, "%s: subnet %s is in VPC %s, not in the load balancer's VPC %s (§13.1)", what, id, v.vpcLabel(s.VPC), v.vpcLabel(vpc))
		case azs[s.AvailabilityZone] != "":
			v.ps.Errorf(src, "%s: subnets %s and %s are both in %s; a load balancer has one subnet per Availability Zone (§13.1)", what, azs[s.AvailabilityZone], id, s.AvailabilityZone)
		default:
			azs[s.AvailabilityZone] = id
		}
	}
}
