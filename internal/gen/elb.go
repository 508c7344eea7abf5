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
	out := targetHealthSetJSON{TargetGroupArn: string(g.TargetGroup.ARN), TargetHealthDescriptions: []targetHealthJSON{}}
	for _, t := range g.TargetGroup.Targets {
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
