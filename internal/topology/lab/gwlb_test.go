package lab

import (
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

const gwlbLab = `region: us-east-1
vpcs:
  app: {cidr: 10.0.0.0/16}
  sec: {cidr: 10.1.0.0/16}
subnets:
  web: {vpc: app, cidr: 10.0.1.0/24, az: us-east-1a, route_table: web}
  ep-a: {vpc: app, cidr: 10.0.100.0/28, az: us-east-1a}
  gw-a: {vpc: sec, cidr: 10.1.0.0/24, az: us-east-1a}
  gw-b: {vpc: sec, cidr: 10.1.1.0/24, az: us-east-1b}
route_tables:
  web: {vpc: app, routes: {0.0.0.0/0: gwlbe-a}}
instances:
  fw-a: {subnet: gw-a, private_ip: 10.1.0.10, source_dest_check: false}
  fw-b: {subnet: gw-b, private_ip: 10.1.1.10, source_dest_check: false}
gateway_load_balancers:
  insp:
    vpc: sec
    subnets: [gw-a, gw-b]
    cross_zone: true
    stickiness: 3-tuple
    idle_timeout: 600
    tcp_reset_on_idle: true
    target_failover: rebalance
    targets:
      - {instance: fw-a}
      - {instance: fw-b, health: unhealthy}
vpc_endpoints:
  gwlbe-a: {vpc: app, type: gateway_load_balancer, gateway_load_balancer: insp, subnet: ep-a}
`

// TestGWLBLab_13: a lab's GWLB gets its ARN, listener, GENEVE target group and endpoint
// service from its name; the endpoint connects to that service from its one subnet, with an
// interface; routes name the endpoint; each node has an interface in its subnet.
func TestGWLBLab_13(t *testing.T) {
	top, ps := Parse("lab.yaml", []byte(gwlbLab))
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	g := top.GatewayLoadBalancers[0]
	tg := g.TargetGroup
	if !strings.HasPrefix(string(g.ARN), "arn:aws:elasticloadbalancing:us-east-1:") || !strings.Contains(string(g.ARN), ":loadbalancer/gwy/insp/") ||
		len(g.Subnets) != 2 || !g.CrossZone || g.TCPIdleTimeout != 600 || g.Service == nil || !strings.HasPrefix(string(g.Service.ID), "vpce-svc-") ||
		g.Src.Line != 16 {
		t.Errorf("GWLB = %+v", g)
	}
	if tg.Protocol != "GENEVE" || tg.Port != 6081 || tg.TargetType != "instance" || tg.Stickiness != model.Stickiness3Tuple ||
		!tg.SendResetOnIdle || tg.TargetFailover != "rebalance" || len(tg.Targets) != 2 ||
		tg.Targets[0].AZ != "us-east-1a" || tg.Targets[0].Health != "healthy" || tg.Targets[1].AZ != "us-east-1b" || tg.Targets[1].Health != "unhealthy" {
		t.Errorf("target group = %+v", tg)
	}
	ep := top.VPCEndpoints[0]
	if ep.Type != model.EndpointGatewayLoadBalancer || ep.ServiceName != g.Service.Name || len(ep.Subnets) != 1 || len(ep.NetworkInterfaces) != 1 {
		t.Errorf("endpoint = %+v", ep)
	}
	if model.GWLBOfEndpoint(top, ep) != g {
		t.Error("the endpoint's service is not its GWLB's")
	}
	types := map[model.InterfaceType]int{}
	for _, e := range top.NetworkInterfaces {
		types[e.Type]++
		if e.Type == model.InterfaceTypeGatewayLoadBalancerEP && (e.ID != ep.NetworkInterfaces[0] || e.PrimaryIP().String() != "10.0.100.4" || len(e.SecurityGroups) != 0) {
			t.Errorf("endpoint interface = %+v", e)
		}
	}
	if types[model.InterfaceTypeGatewayLoadBalancer] != 2 || types[model.InterfaceTypeGatewayLoadBalancerEP] != 1 {
		t.Errorf("interface types = %v", types)
	}
	var routed bool
	for _, rt := range top.RouteTables {
		for _, r := range rt.Routes {
			routed = routed || r.Target == model.Target{Kind: model.TargetVPCEndpoint, ID: string(ep.ID)}
		}
	}
	if !routed {
		t.Error("no route to the endpoint")
	}
}

// TestGWLBLabBadInput: each mistake is an error at its line.
func TestGWLBLabBadInput(t *testing.T) {
	tests := []struct {
		name, lab string
		line      int
		want      string
	}{
		{"endpoint naming a GWLB the lab lacks (§13.2)", strings.Replace(gwlbLab, "gateway_load_balancer: insp,", "gateway_load_balancer: inspect,", 1),
			28, `gateway_load_balancer: no Gateway Load Balancer named "inspect"`},
		{"endpoint without a GWLB", strings.Replace(gwlbLab, "gateway_load_balancer: insp, ", "", 1),
			28, "needs the Gateway Load Balancer whose endpoint service it connects to"},
		{"endpoint without a subnet", strings.Replace(gwlbLab, ", subnet: ep-a", "", 1), 28, "needs its subnet (one, §13.2)"},
		{"a gateway endpoint's key", strings.Replace(gwlbLab, "subnet: ep-a}", "subnet: ep-a, route_tables: [web]}", 1),
			28, "a GWLB endpoint (a route target in its own subnet, §13.3) has no route_tables"},
		{"an interface endpoint's key", strings.Replace(gwlbLab, "subnet: ep-a}", "subnet: ep-a, ports: [443]}", 1),
			28, "a GWLB endpoint has no ports"},
		{"bad stickiness", strings.Replace(gwlbLab, "stickiness: 3-tuple", "stickiness: 4-tuple", 1), 20, `bad value "4-tuple"`},
		{"idle timeout out of range", strings.Replace(gwlbLab, "idle_timeout: 600", "idle_timeout: 30", 1), 21, "60 to 6000"},
		{"unknown target instance", strings.Replace(gwlbLab, "{instance: fw-a}", "{instance: fw-z}", 1), 25, `no instance named "fw-z"`},
		{"public ip target (§13.1)", strings.Replace(strings.Replace(gwlbLab, "{instance: fw-b, ", "{ip: 8.8.8.8, ", 1), "{instance: fw-a}", "{ip: 10.1.0.10}", 1),
			26, "ip target 8.8.8.8 is a public address"},
		{"ip and instance targets", strings.Replace(gwlbLab, "{instance: fw-b, ", "{ip: 10.1.1.10, ", 1),
			26, "a target group's targets are all instances or all IP addresses"},
		{"two subnets in one AZ", strings.Replace(gwlbLab, "gw-b: {vpc: sec, cidr: 10.1.1.0/24, az: us-east-1b}", "gw-b: {vpc: sec, cidr: 10.1.1.0/24, az: us-east-1a}", 1),
			16, "one subnet per Availability Zone"},
		{"unknown key", strings.Replace(gwlbLab, "cross_zone: true", "crosszone: true", 1), 19, `unknown key "crosszone"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantLabError(t, tc.lab, tc.line, tc.want) })
	}
}
