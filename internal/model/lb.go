package model

import (
	"fmt"
	"strings"
)

// Application and Network Load Balancers: ELBv2 load balancers of Type "application" and
// "network" (Elastic Load Balancing User Guide, "Application Load Balancers", "Network Load
// Balancers"). One node per enabled Availability Zone, each an interface in that zone's
// subnet whose private IP (and, for an internet-facing one, public IP) clients connect to;
// listeners that take a protocol and port and forward to one target group each.
//
// Gateway Load Balancers (Type "gateway", §13) are GatewayLoadBalancer: they forward every
// packet unchanged through GENEVE, where these terminate (ALB) or translate (NLB) flows.

// Load balancer types and schemes as describe-load-balancers prints them.
const (
	LBApplication    = "application"
	LBNetwork        = "network"
	LBInternetFacing = "internet-facing"
	LBInternal       = "internal"
)

// LoadBalancer is one ALB or NLB with its listeners.
type LoadBalancer struct {
	ARN    LoadBalancerARN
	Name   string
	Type   string // LBApplication or LBNetwork
	Scheme string // LBInternetFacing or LBInternal ("" reads internal)
	VPC    VPCID
	// Subnets holds one subnet per enabled Availability Zone: the node of that zone sits there.
	Subnets []SubnetID
	// SecurityGroups are the load balancer's groups: an ALB has at least one, an NLB none
	// unless it was created with some ("Security groups for your Application Load Balancer",
	// "Update the security groups for your Network Load Balancer"). Its interfaces carry them.
	SecurityGroups []SecurityGroupID
	State          string // "active" when empty
	// CrossZone is load_balancing.cross_zone.enabled; nil is the type's default: always on
	// for an ALB, off for an NLB ("Cross-zone load balancing for target groups").
	CrossZone *bool
	Listeners []*Listener
	Tags      []Tag
	Src       Source
}

// Listener is one listener: a protocol and port the load balancer accepts, and the target
// group its default forward action sends to (nil when the input lacks it or the action is
// not forward).
type Listener struct {
	ARN         string
	Protocol    string // HTTP, HTTPS (ALB); TCP, UDP, TCP_UDP, TLS (NLB)
	Port        int
	TargetGroup *TargetGroup
	// TargetGroupARN is what the forward action names, kept when the group is not in the input.
	TargetGroupARN TargetGroupARN
	Src            Source
}

// PreserveClientIP says whether a target group of an NLB keeps the client's address as the
// source of what it sends targets ("Client IP preservation", Network Load Balancers): always
// for UDP and TCP_UDP groups; else preserve_client_ip.enabled, whose default is on for
// instance targets and off for ip targets. An ALB never does: it is a proxy.
func (lb *LoadBalancer) PreserveClientIP(tg *TargetGroup) bool {
	if lb.Type != LBNetwork || tg == nil {
		return false
	}
	switch strings.ToUpper(tg.Protocol) {
	case "UDP", "TCP_UDP":
		return true
	}
	if tg.PreserveClientIP != nil {
		return *tg.PreserveClientIP
	}
	return tg.TargetType != "ip"
}

// CrossZoneOn is whether a node sends to targets in every enabled zone.
func (lb *LoadBalancer) CrossZoneOn() bool {
	if lb.CrossZone != nil {
		return *lb.CrossZone
	}
	return lb.Type == LBApplication
}

// ELBTargetAllZones is the Availability Zone of an ip target outside the load balancer's VPC
// (a peered VPC, on premises): every node may send to it ("Register targets with your target
// group", ip targets).
const ELBTargetAllZones = "all"

// InternetFacing reports the scheme.
func (lb *LoadBalancer) InternetFacing() bool { return lb.Scheme == LBInternetFacing }

// ShortType is the ARN's and interface description's name of the type: app or net.
func (lb *LoadBalancer) ShortType() string {
	if lb.Type == LBApplication {
		return "app"
	}
	return "net"
}

// InterfaceDescription is the description AWS gives the load balancer's interfaces:
// "ELB app/<name>/<id>" or "ELB net/<name>/<id>", the id being the ARN's last part.
func (lb *LoadBalancer) InterfaceDescription() string {
	id := string(lb.ARN)
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return "ELB " + lb.ShortType() + "/" + lb.Name + "/" + id
}

// IsInterfaceOf reports whether a network interface is one of the load balancer's: in one
// of its subnets, with its description.
func (lb *LoadBalancer) IsInterfaceOf(e *NetworkInterface) bool {
	if e.Description != lb.InterfaceDescription() {
		return false
	}
	for _, s := range lb.Subnets {
		if s == e.Subnet {
			return true
		}
	}
	return false
}

// listenerProtocols are the listener protocols of each type.
var listenerProtocols = map[string][]string{
	LBApplication: {"HTTP", "HTTPS"},
	LBNetwork:     {"TCP", "UDP", "TCP_UDP", "TLS"},
}

// loadBalancers checks ALBs and NLBs: their subnets (one per zone, in the VPC), their
// security groups, their listeners (a protocol of the type, a target group whose protocol
// goes with it) and their targets.
func (v *validator) loadBalancers() {
	for _, lb := range v.t.LoadBalancers {
		name := label(lb.Name, lb.ARN)
		what := "load balancer " + name
		switch lb.Type {
		case LBApplication, LBNetwork:
		default:
			v.ps.Errorf(lb.Src, "%s: type %q is neither application nor network", what, lb.Type)
			continue
		}
		switch lb.Scheme {
		case "", LBInternetFacing, LBInternal:
		default:
			v.ps.Errorf(lb.Src, "%s: scheme %q is neither internet-facing nor internal", what, lb.Scheme)
		}
		v.lbSubnets(what, lb.VPC, lb.Subnets, lb.Src)
		if lb.Type == LBApplication && len(lb.SecurityGroups) == 0 {
			v.ps.Warnf(lb.Src, "%s: an Application Load Balancer has at least one security group; with none it admits nothing", what)
		}
		for _, g := range lb.SecurityGroups {
			if v.ix.SecurityGroups[g] == nil {
				v.ps.Warnf(lb.Src, "%s: security group %s is not in the topology; it allows nothing", what, g)
			}
		}
		ports := map[int]*Listener{}
		for _, ln := range lb.Listeners {
			lw := fmt.Sprintf("%s: listener %s:%d", what, ln.Protocol, ln.Port)
			if first := ports[ln.Port]; first != nil {
				v.ps.Errorf(ln.Src, "%s: the load balancer already has listener %s:%d on that port; a port has one listener (TCP and UDP on one port is a TCP_UDP listener)", lw, first.Protocol, first.Port)
			}
			ports[ln.Port] = ln
			if ln.Protocol != "" && !containsFold(listenerProtocols[lb.Type], ln.Protocol) { // "": the loader reported it
				v.ps.Errorf(ln.Src, "%s: protocol %s is not one of a %s load balancer's (%s)", lw, ln.Protocol, lb.Type, strings.Join(listenerProtocols[lb.Type], ", "))
			}
			if ln.Port < 1 || ln.Port > 65535 {
				v.ps.Errorf(ln.Src, "%s: port %d is not in 1-65535", lw, ln.Port)
			}
			tg := ln.TargetGroup
			if tg == nil {
				v.ps.Warnf(ln.Src, "%s: it forwards to no target group of the topology; what it takes is dropped (ELBV2_LISTENER_HAS_NO_TG)", lw)
				continue
			}
			if !protocolsGo(lb.Type, ln.Protocol, tg.Protocol) {
				v.ps.Errorf(tg.Src, "%s: target group %s has protocol %s, which a %s listener cannot forward to", lw, label(tg.Name, tg.ARN), tg.Protocol, ln.Protocol)
			}
			v.lbTargets(lb, tg)
		}
	}
}

// protocolsGo reports whether a listener protocol may forward to a target group protocol
// ("Listeners for your Network Load Balancers": a TCP_UDP group behind a TCP_UDP listener,
// TLS behind TLS or TCP; an ALB's groups are HTTP or HTTPS behind either).
func protocolsGo(typ, listener, group string) bool {
	l, g := strings.ToUpper(listener), strings.ToUpper(group)
	if g == "" {
		return true
	}
	if typ == LBApplication {
		return g == "HTTP" || g == "HTTPS"
	}
	switch l {
	case "TLS":
		return g == "TLS" || g == "TCP"
	case "TCP":
		return g == "TCP" || g == "TCP_UDP"
	case "UDP":
		return g == "UDP" || g == "TCP_UDP"
	}
	return l == g
}

// lbTargets checks the targets of an ALB's or NLB's target group.
func (v *validator) lbTargets(lb *LoadBalancer, tg *TargetGroup) {
	name := label(tg.Name, tg.ARN)
	for _, t := range tg.Targets {
		if tg.TargetType != "ip" && v.ix.Instances[InstanceID(t.ID)] == nil {
			v.ps.Warnf(t.Src, "target group %s: target instance %s is not in the topology; flows hashed to it are dropped", name, t.ID)
		}
		switch t.Health {
		case "", TargetHealthy, TargetUnhealthy, TargetInitial, TargetUnused, TargetDraining, TargetUnavailable:
		default:
			v.ps.Errorf(t.Src, "target group %s: target %s has health %q; states are healthy, unhealthy, initial, unused, draining, unavailable", name, t.ID, t.Health)
		}
	}
	_ = lb
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (x *LoadBalancer) ident() ident { return ident{string(x.ARN), x.Name, x.Src} }

// String names the load balancer for messages.
func (x *LoadBalancer) String() string { return fmt.Sprintf("%s (%s)", x.Name, x.ARN) }
