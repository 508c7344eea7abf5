package snapshot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Gateway Load Balancers (§13), and Application and Network Load Balancers (buildLB), from
// ELBv2 describe-* answers, each file holding one answer:
//
//	describe-load-balancers                   {"LoadBalancers": [...]}        (Type gateway, application, network)
//	describe-listeners                        {"Listeners": [...]}
//	describe-target-groups                    {"TargetGroups": [...]}
//	describe-target-health, per target group  {"LoadBalancerTargetHealth": [{"TargetGroupArn": ..., "TargetHealthDescriptions": [...]}]}
//	  (Batfish's snapshot keys; its {"LoadBalancerListeners": [{"LoadBalancerArn": ..., "Listeners": [...]}]} is read too)
//	describe-*-attributes, per resource       {"LoadBalancerAttributes" | "TargetGroupAttributes" | "ListenerAttributes":
//	                                            [{"LoadBalancerArn" | "TargetGroupArn" | "ListenerArn": ..., "Attributes": [...]}]}
//	describe-vpc-endpoint-service-configurations {"ServiceConfigurations": [...]}
//
// An application or network load balancer's nodes are its interfaces in
// describe-network-interfaces (described "ELB app/NAME/ID" or "ELB net/NAME/ID"); of its
// attributes vpclab reads load_balancing.cross_zone.enabled and, of its target groups',
// preserve_client_ip.enabled.
//
// describe-target-health and the attribute calls answer for one resource and do not name it;
// vpclab's snapshot wraps each answer with the ARN it was asked about (the *Arn member
// beside the answer's own). A consumer-only snapshot has none of these: its GWLB endpoints
// are then opaque pass-throughs (§13.14).

type awsLoadBalancer struct {
	LoadBalancerArn   string
	LoadBalancerName  string
	Type              string
	VpcId             string
	State             struct{ Code string }
	AvailabilityZones []struct{ ZoneName, SubnetId string }
	IpAddressType     string
	Scheme            string   // internet-facing or internal (application, network)
	SecurityGroups    []string // application; network when created with some
}

type awsListener struct {
	ListenerArn     string
	LoadBalancerArn string
	DefaultActions  []struct{ Type, TargetGroupArn string }
	Protocol        string
	Port            int
}

// awsListenerSet is Batfish's wrapping of describe-listeners per load balancer.
type awsListenerSet struct {
	LoadBalancerArn string
	Listeners       []awsListener
}

type awsTargetGroup struct {
	TargetGroupArn      string
	TargetGroupName     string
	Protocol            string
	Port                int
	VpcId               string
	TargetType          string
	HealthCheckProtocol string
	HealthCheckPort     string
	LoadBalancerArns    []string
}

type awsTargetHealthSet struct {
	TargetGroupArn           string
	TargetHealthDescriptions []struct {
		Target struct {
			Id               string
			Port             int
			AvailabilityZone string
		}
		TargetHealth struct{ State, Reason string }
	}
}

type awsAttributeSet struct {
	LoadBalancerArn, TargetGroupArn, ListenerArn string
	Attributes                                   []awsTag
}

type awsServiceConfig struct {
	ServiceId               string
	ServiceName             string
	GatewayLoadBalancerArns []string
}

// buildGWLBs maps the ELBv2 answers onto model.GatewayLoadBalancer: each gateway load
// balancer with its listener, the listener's target group and its targets' health, its
// attributes and the endpoint service that fronts it.
func (l *loader) buildGWLBs(t *model.Topology) {
	tgs := map[string]*model.TargetGroup{}
	var tgOrder []string
	tgLBs := map[string][]string{}
	ids := newSeen("target group", l.targetGroups.len())
	for it := range l.targetGroups.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.TargetGroupArn, "TargetGroupArn", src) {
			continue
		}
		tgOrder = append(tgOrder, g.TargetGroupArn)
		tgLBs[g.TargetGroupArn] = g.LoadBalancerArns
		tgs[g.TargetGroupArn] = &model.TargetGroup{ARN: model.TargetGroupARN(g.TargetGroupArn), Name: g.TargetGroupName,
			VPC: model.VPCID(g.VpcId), Protocol: g.Protocol, Port: g.Port, TargetType: g.TargetType,
			HealthCheckProtocol: g.HealthCheckProtocol, HealthCheckPort: g.HealthCheckPort, Src: src}
	}
	for it := range l.targetHealth.all() {
		h, src := it.v, it.src
		tg := tgs[h.TargetGroupArn]
		if tg == nil {
			l.probs.Warnf(at(src, ".TargetGroupArn"), "target health of %s: no such target group in describe-target-groups; skipped", h.TargetGroupArn)
			continue
		}
		for i, d := range h.TargetHealthDescriptions {
			tg.Targets = append(tg.Targets, model.ELBTarget{ID: d.Target.Id, Port: d.Target.Port, AZ: d.Target.AvailabilityZone,
				Health: d.TargetHealth.State, Src: at(src, ".TargetHealthDescriptions[%d]", i)})
		}
	}
	attrs := map[string][]awsTag{}
	for it := range l.elbAttributes.all() {
		a := it.v
		for _, arn := range []string{a.LoadBalancerArn, a.TargetGroupArn, a.ListenerArn} {
			if arn != "" {
				attrs[arn] = append(attrs[arn], a.Attributes...)
			}
		}
	}
	listeners := map[string]awsListener{}
	all := map[string][]item[awsListener]{} // every listener of a load balancer, for ALBs and NLBs
	for it := range l.listeners.all() {
		if _, dup := listeners[it.v.LoadBalancerArn]; !dup {
			listeners[it.v.LoadBalancerArn] = it.v
		}
		all[it.v.LoadBalancerArn] = append(all[it.v.LoadBalancerArn], it)
	}
	services := map[string]*model.EndpointService{}
	for it := range l.services.all() {
		s, src := it.v, it.src
		for _, arn := range s.GatewayLoadBalancerArns {
			services[arn] = &model.EndpointService{ID: model.EndpointServiceID(s.ServiceId), Name: s.ServiceName, Src: src}
		}
	}
	lbs := newSeen("load balancer", l.loadBalancers.len())
	for it := range l.loadBalancers.all() {
		b, src := it.v, it.src
		if !lbs.add(&l.probs, b.LoadBalancerArn, "LoadBalancerArn", src) {
			continue
		}
		if b.Type == model.LBApplication || b.Type == model.LBNetwork {
			t.LoadBalancers = append(t.LoadBalancers, buildLB(b, src, all[b.LoadBalancerArn], tgs, attrs))
			continue
		}
		if b.Type != "gateway" {
			l.probs.Warnf(at(src, ".Type"), "load balancer %s is of type %s; vpclab models application, network and gateway load balancers only", b.LoadBalancerName, b.Type)
			continue
		}
		g := &model.GatewayLoadBalancer{ARN: model.LoadBalancerARN(b.LoadBalancerArn), Name: b.LoadBalancerName,
			VPC: model.VPCID(b.VpcId), State: b.State.Code, Service: services[b.LoadBalancerArn], Src: src}
		for _, z := range b.AvailabilityZones {
			g.Subnets = append(g.Subnets, model.SubnetID(z.SubnetId))
		}
		if ln, ok := listeners[b.LoadBalancerArn]; ok {
			g.Listener = ln.ListenerArn
			for _, a := range ln.DefaultActions {
				if a.Type == "forward" && a.TargetGroupArn != "" {
					g.TargetGroup = tgs[a.TargetGroupArn]
				}
			}
		}
		if g.TargetGroup == nil { // no listener in the snapshot: the group that names the GWLB
			for _, arn := range tgOrder {
				if g.TargetGroup == nil && slices.Contains(tgLBs[arn], string(g.ARN)) {
					g.TargetGroup = tgs[arn]
				}
			}
		}
		applyGWLBAttributes(g, attrs[string(g.ARN)], attrs[g.Listener], &l.probs, src)
		if tg := g.TargetGroup; tg != nil {
			applyGWLBAttributes(g, attrs[string(tg.ARN)], nil, &l.probs, tg.Src)
		}
		t.GatewayLoadBalancers = append(t.GatewayLoadBalancers, g)
	}
}

// applyGWLBAttributes sets what the attributes of a GWLB, its listener and its target group
// say (§13.5-8); others are kept as Unmodelled, which validation warns about.
func applyGWLBAttributes(g *model.GatewayLoadBalancer, lb, listener []awsTag, ps *model.Problems, src model.Source) {
	tg := g.TargetGroup
	if tg == nil {
		tg = &model.TargetGroup{} // attributes of a missing group go nowhere
	}
	sticky, stickyType := false, ""
	for _, a := range slices.Concat(lb, listener) {
		switch a.Key {
		case "load_balancing.cross_zone.enabled":
			g.CrossZone = a.Value == "true"
		case "tcp.idle_timeout.seconds":
			if n, err := strconv.Atoi(a.Value); err == nil && n >= 60 && n <= 6000 {
				g.TCPIdleTimeout = n
			} else {
				ps.Errorf(src, "attribute tcp.idle_timeout.seconds=%q: not a number of seconds in 60-6000 (§13.7)", a.Value)
			}
		case "stickiness.enabled":
			sticky = a.Value == "true"
		case "stickiness.type":
			stickyType = a.Value
		case "target_failover.on_unhealthy", "target_failover.on_deregistration":
			tg.TargetFailover = a.Value
		case "deregistration_delay.timeout_seconds":
			tg.DeregistrationDelay, _ = strconv.Atoi(a.Value)
		case "send_tcp_reset.on_idle_timeout.enabled":
			tg.SendResetOnIdle = a.Value == "true"
		default:
			if !strings.HasPrefix(a.Key, "access_logs.") && a.Key != "deletion_protection.enabled" {
				g.Unmodelled = append(g.Unmodelled, model.Attribute{Key: a.Key, Value: a.Value})
			}
		}
	}
	if sticky && stickyType != "" {
		tg.Stickiness = stickyType
	}
}

// buildLB maps an application or network load balancer, its listeners and their target
// groups; the attributes it simulates are load_balancing.cross_zone.enabled (of the load
// balancer) and preserve_client_ip.enabled (of a target group).
func buildLB(b awsLoadBalancer, src model.Source, lns []item[awsListener], tgs map[string]*model.TargetGroup, attrs map[string][]awsTag) *model.LoadBalancer {
	lb := &model.LoadBalancer{ARN: model.LoadBalancerARN(b.LoadBalancerArn), Name: b.LoadBalancerName, Type: b.Type,
		Scheme: b.Scheme, VPC: model.VPCID(b.VpcId), State: b.State.Code, Src: src}
	for _, z := range b.AvailabilityZones {
		lb.Subnets = append(lb.Subnets, model.SubnetID(z.SubnetId))
	}
	for _, g := range b.SecurityGroups {
		lb.SecurityGroups = append(lb.SecurityGroups, model.SecurityGroupID(g))
	}
	for _, a := range attrs[b.LoadBalancerArn] {
		if a.Key == "load_balancing.cross_zone.enabled" {
			v := a.Value == "true"
			lb.CrossZone = &v
		}
	}
	for _, it := range lns {
		ln := &model.Listener{ARN: it.v.ListenerArn, Protocol: it.v.Protocol, Port: it.v.Port, Src: it.src}
		for _, a := range it.v.DefaultActions {
			if a.Type == "forward" && a.TargetGroupArn != "" {
				ln.TargetGroupARN = model.TargetGroupARN(a.TargetGroupArn)
				ln.TargetGroup = tgs[a.TargetGroupArn]
			}
		}
		if tg := ln.TargetGroup; tg != nil {
			for _, a := range attrs[string(tg.ARN)] {
				if a.Key == "preserve_client_ip.enabled" {
					v := a.Value == "true"
					tg.PreserveClientIP = &v
				}
			}
		}
		lb.Listeners = append(lb.Listeners, ln)
	}
	return lb
}
