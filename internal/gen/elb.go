package gen

import (
	"strconv"

	"github.com/vpclab/vpclab/internal/model"
)

// The ELBv2 answers of Gateway Load Balancers (§13), in the shapes the snapshot loader reads
// (topology/snapshot/elb.go): describe-load-balancers, describe-listeners,
// describe-target-groups, describe-target-health and the attribute calls wrapped with the ARN
// they were asked about, and describe-vpc-endpoint-service-configurations.

type loadBalancerJSON struct {
	AvailabilityZones []lbZoneJSON
	IpAddressType     string
	LoadBalancerArn   string
	LoadBalancerName  string
	Scheme            string   `json:",omitempty"`
	SecurityGroups    []string `json:",omitempty"`
	State             struct{ Code string }
	Type              string
	VpcId             string
}

type lbZoneJSON struct{ SubnetId, ZoneName string }

func (w *writer) loadBalancer(g *model.GatewayLoadBalancer) loadBalancerJSON {
	out := loadBalancerJSON{AvailabilityZones: []lbZoneJSON{}, IpAddressType: "ipv4", LoadBalancerArn: string(g.ARN),
		LoadBalancerName: g.Name, Type: "gateway", VpcId: string(g.VPC)}
	out.State.Code = g.State
	if out.State.Code == "" {
		out.State.Code = "active"
	}
	for _, id := range g.Subnets {
		z := lbZoneJSON{SubnetId: string(id)}
		if s := w.subnets[id]; s != nil {
			z.ZoneName = s.AvailabilityZone
		}
		out.AvailabilityZones = append(out.AvailabilityZones, z)
	}
	return out
}

type listenerJSON struct {
	DefaultActions  []actionJSON
	ListenerArn     string
	LoadBalancerArn string
	Port            int    `json:",omitempty"`
	Protocol        string `json:",omitempty"`
}

type actionJSON struct{ TargetGroupArn, Type string }

func (w *writer) listener(g *model.GatewayLoadBalancer) listenerJSON {
	out := listenerJSON{DefaultActions: []actionJSON{}, ListenerArn: g.Listener, LoadBalancerArn: string(g.ARN)}
	if out.ListenerArn == "" {
		out.ListenerArn = string(g.ARN) + "/listener"
	}
	if g.TargetGroup != nil {
		out.DefaultActions = append(out.DefaultActions, actionJSON{TargetGroupArn: string(g.TargetGroup.ARN), Type: "forward"})
	}
	return out
}

type targetGroupJSON struct {
	HealthCheckPort     string
	HealthCheckProtocol string
	LoadBalancerArns    []string
	Port                int
	Protocol            string
	TargetGroupArn      string
	TargetGroupName     string
	TargetType          string
	VpcId               string
}

func (w *writer) targetGroup(g *model.GatewayLoadBalancer) targetGroupJSON {
	tg := g.TargetGroup
	return targetGroupJSON{HealthCheckPort: tg.HealthCheckPort, HealthCheckProtocol: tg.HealthCheckProtocol,
		LoadBalancerArns: []string{string(g.ARN)}, Port: tg.Port, Protocol: tg.Protocol, TargetGroupArn: string(tg.ARN),
		TargetGroupName: tg.Name, TargetType: tg.TargetType, VpcId: string(tg.VPC)}
}

type targetHealthSetJSON struct {
	TargetGroupArn           string
	TargetHealthDescriptions []targetHealthJSON
}

type targetHealthJSON struct {
	Target struct {
		AvailabilityZone string `json:",omitempty"`
		Id               string
		Port             int
	}
	TargetHealth struct{ State string }
}

func (w *writer) targetHealth(g *model.GatewayLoadBalancer) targetHealthSetJSON {
	return groupHealth(g.TargetGroup)
}

func groupHealth(tg *model.TargetGroup) targetHealthSetJSON {
	out := targetHealthSetJSON{TargetGroupArn: string(tg.ARN), TargetHealthDescriptions: []targetHealthJSON{}}
	for _, t := range tg.Targets {
		var h targetHealthJSON
		h.Target.AvailabilityZone, h.Target.Id, h.Target.Port = t.AZ, t.ID, t.Port
		h.TargetHealth.State = t.Health
		if h.TargetHealth.State == "" {
			h.TargetHealth.State = model.TargetHealthy
		}
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, h)
	}
	return out
}

type attributeSetJSON struct {
	Attributes      []awsTag
	ListenerArn     string `json:",omitempty"`
	LoadBalancerArn string `json:",omitempty"`
	TargetGroupArn  string `json:",omitempty"`
}

func (w *writer) lbAttributes(g *model.GatewayLoadBalancer) attributeSetJSON {
	out := attributeSetJSON{LoadBalancerArn: string(g.ARN), Attributes: []awsTag{
		{"load_balancing.cross_zone.enabled", strconv.FormatBool(g.CrossZone)}}}
	for _, a := range g.Unmodelled {
		out.Attributes = append(out.Attributes, awsTag{a.Key, a.Value})
	}
	return out
}

func (w *writer) listenerAttributes(g *model.GatewayLoadBalancer) attributeSetJSON {
	return attributeSetJSON{ListenerArn: w.listener(g).ListenerArn, Attributes: []awsTag{
		{"tcp.idle_timeout.seconds", strconv.Itoa(g.IdleTimeout())}}}
}

func (w *writer) tgAttributes(g *model.GatewayLoadBalancer) attributeSetJSON {
	tg := g.TargetGroup
	sticky, typ := "false", model.Stickiness5Tuple
	if tg.Stickiness != "" {
		sticky, typ = "true", tg.Stickiness
	}
	failover := tg.TargetFailover
	if failover == "" {
		failover = "no_rebalance"
	}
	delay := tg.DeregistrationDelay
	if delay == 0 {
		delay = model.GWLBDefaultDeregistrationDelay
	}
	return attributeSetJSON{TargetGroupArn: string(tg.ARN), Attributes: []awsTag{
		{"deregistration_delay.timeout_seconds", strconv.Itoa(delay)},
		{"send_tcp_reset.on_idle_timeout.enabled", strconv.FormatBool(tg.SendResetOnIdle)},
		{"stickiness.enabled", sticky},
		{"stickiness.type", typ},
		{"target_failover.on_deregistration", failover},
		{"target_failover.on_unhealthy", failover},
	}}
}

type serviceConfigJSON struct {
	GatewayLoadBalancerArns []string
	ServiceId               string
	ServiceName             string
	ServiceType             []struct{ ServiceType string }
}

func (w *writer) serviceConfig(g *model.GatewayLoadBalancer) serviceConfigJSON {
	return serviceConfigJSON{GatewayLoadBalancerArns: []string{string(g.ARN)}, ServiceId: string(g.Service.ID),
		ServiceName: g.Service.Name, ServiceType: []struct{ ServiceType string }{{"GatewayLoadBalancer"}}}
}

// gwlbFiles are the answers of a topology's GWLBs: those with a target group, or a service,
// for the answers about them.
func (w *writer) gwlbFiles() (withTG, withSvc []*model.GatewayLoadBalancer) {
	for _, g := range w.t.GatewayLoadBalancers {
		if g.TargetGroup != nil {
			withTG = append(withTG, g)
		}
		if g.Service != nil {
			withSvc = append(withSvc, g)
		}
	}
	return withTG, withSvc
}

// elbItems are the items of the ELBv2 answers: the GWLBs' first, then the Application and
// Network Load Balancers' (their listeners, each target group once, its attributes and
// health), in the shapes topology/snapshot/elb.go reads.
type elbItems struct {
	lbs, listeners, lbAttrs, listenerAttrs, tgs, tgAttrs, health []any
}

func (w *writer) elbItems() elbItems {
	var x elbItems
	withTG, _ := w.gwlbFiles()
	for _, g := range w.t.GatewayLoadBalancers {
		x.lbs = append(x.lbs, w.loadBalancer(g))
		x.listeners = append(x.listeners, w.listener(g))
		x.lbAttrs = append(x.lbAttrs, w.lbAttributes(g))
		x.listenerAttrs = append(x.listenerAttrs, w.listenerAttributes(g))
	}
	for _, g := range withTG {
		x.tgs = append(x.tgs, w.targetGroup(g))
		x.tgAttrs = append(x.tgAttrs, w.tgAttributes(g))
		x.health = append(x.health, w.targetHealth(g))
	}
	seen := map[*model.TargetGroup]bool{}
	for _, lb := range w.t.LoadBalancers {
		out := loadBalancerJSON{AvailabilityZones: []lbZoneJSON{}, IpAddressType: "ipv4", LoadBalancerArn: string(lb.ARN),
			LoadBalancerName: lb.Name, Scheme: lb.Scheme, Type: lb.Type, VpcId: string(lb.VPC)}
		out.State.Code = lb.State
		if out.State.Code == "" {
			out.State.Code = "active"
		}
		for _, id := range lb.Subnets {
			z := lbZoneJSON{SubnetId: string(id)}
			if s := w.subnets[id]; s != nil {
				z.ZoneName = s.AvailabilityZone
			}
			out.AvailabilityZones = append(out.AvailabilityZones, z)
		}
		for _, g := range lb.SecurityGroups {
			out.SecurityGroups = append(out.SecurityGroups, string(g))
		}
		x.lbs = append(x.lbs, out)
		if lb.CrossZone != nil {
			x.lbAttrs = append(x.lbAttrs, attributeSetJSON{LoadBalancerArn: string(lb.ARN),
				Attributes: []awsTag{{"load_balancing.cross_zone.enabled", strconv.FormatBool(*lb.CrossZone)}}})
		}
		for _, ln := range lb.Listeners {
			lj := listenerJSON{DefaultActions: []actionJSON{}, ListenerArn: ln.ARN, LoadBalancerArn: string(lb.ARN), Port: ln.Port, Protocol: ln.Protocol}
			if ln.TargetGroupARN != "" {
				lj.DefaultActions = append(lj.DefaultActions, actionJSON{TargetGroupArn: string(ln.TargetGroupARN), Type: "forward"})
			}
			x.listeners = append(x.listeners, lj)
			tg := ln.TargetGroup
			if tg == nil || seen[tg] {
				continue
			}
			seen[tg] = true
			x.tgs = append(x.tgs, targetGroupJSON{HealthCheckPort: tg.HealthCheckPort, HealthCheckProtocol: tg.HealthCheckProtocol,
				LoadBalancerArns: []string{string(lb.ARN)}, Port: tg.Port, Protocol: tg.Protocol, TargetGroupArn: string(tg.ARN),
				TargetGroupName: tg.Name, TargetType: tg.TargetType, VpcId: string(tg.VPC)})
			if tg.PreserveClientIP != nil {
				x.tgAttrs = append(x.tgAttrs, attributeSetJSON{TargetGroupArn: string(tg.ARN),
					Attributes: []awsTag{{"preserve_client_ip.enabled", strconv.FormatBool(*tg.PreserveClientIP)}}})
			}
			x.health = append(x.health, groupHealth(tg))
		}
	}
	return x
}
