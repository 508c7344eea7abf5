package model

import "testing"

// gwlbBase is validBase with a GWLB in subnet b (line 30), its target group (31) with target
// i-1 (32), and a GWLB endpoint in subnet n (33) routed to from rt (34).
func gwlbBase() *Topology {
	top := validBase()
	top.GatewayLoadBalancers = []*GatewayLoadBalancer{{ARN: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/gwy/g/1", Name: "g",
		VPC: "vpc-1", Subnets: []SubnetID{"subnet-b"}, Service: &EndpointService{ID: "vpce-svc-1", Name: "com.amazonaws.vpce.us-east-1.vpce-svc-1"},
		Src: vsrc(30),
		TargetGroup: &TargetGroup{Name: "tg", Protocol: "GENEVE", Port: 6081, TargetType: "instance", Src: vsrc(31),
			Targets: []ELBTarget{{ID: "i-1", Health: TargetHealthy, Src: vsrc(32)}}}}}
	top.VPCEndpoints = []*VPCEndpoint{{ID: "vpce-g", VPC: "vpc-1", Type: EndpointGatewayLoadBalancer,
		ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1", Subnets: []SubnetID{"subnet-n"}, Src: vsrc(33)}}
	top.RouteTables[0].Routes = append(top.RouteTables[0].Routes,
		Route{Destination: vpfx("192.168.0.0/16"), Target: Target{Kind: TargetVPCEndpoint, ID: "vpce-g"}, State: RouteActive, Src: vsrc(34)})
	return top
}

// TestValidateGWLB: §13.1-2, one case per rule.
func TestValidateGWLB(t *testing.T) {
	top := gwlbBase()
	ApplyDefaults(top)
	if ps := Validate(top); len(ps) > 0 {
		t.Fatalf("gwlbBase: want no problems, got:\n%v", ps)
	}
	cases := []struct {
		name   string
		break_ func(*Topology)
		sev    Severity
		line   int
		want   string
	}{
		{"service does not exist", func(t *Topology) { t.VPCEndpoints[0].ServiceName = "com.amazonaws.vpce.us-east-1.vpce-svc-2" },
			Error, 33, "endpoint service com.amazonaws.vpce.us-east-1.vpce-svc-2 does not exist"},
		{"not an endpoint service", func(t *Topology) { t.VPCEndpoints[0].ServiceName = "com.amazonaws.us-east-1.s3" },
			Error, 33, "is not an endpoint service (vpce-svc-…)"},
		{"two subnets", func(t *Topology) { t.VPCEndpoints[0].Subnets = []SubnetID{"subnet-n", "subnet-a"} },
			Error, 33, "it has 2 subnets"},
		{"no subnet", func(t *Topology) { t.VPCEndpoints[0].Subnets = nil }, Error, 33, "it has 0 subnets"},
		{"protocol", func(t *Topology) { t.GatewayLoadBalancers[0].TargetGroup.Protocol = "TCP" }, Error, 31, "GENEVE on port 6081"},
		{"port", func(t *Topology) { t.GatewayLoadBalancers[0].TargetGroup.Port = 80 }, Error, 31, "GENEVE on port 6081"},
		{"public ip target", func(t *Topology) {
			tg := t.GatewayLoadBalancers[0].TargetGroup
			tg.TargetType, tg.Targets[0].ID = "ip", "8.8.8.8"
		}, Error, 32, "ip target 8.8.8.8 is a public address"},
		{"unknown instance", func(t *Topology) { t.GatewayLoadBalancers[0].TargetGroup.Targets[0].ID = "i-nope" },
			Warning, 32, "target instance i-nope is not in the topology"},
		{"bad health", func(t *Topology) { t.GatewayLoadBalancers[0].TargetGroup.Targets[0].Health = "fine" }, Error, 32, `health "fine"`},
		{"two subnets in one AZ", func(t *Topology) {
			t.GatewayLoadBalancers[0].Subnets = []SubnetID{"subnet-b", "subnet-a"}
		}, Error, 30, "one subnet per Availability Zone"},
		{"unmodelled attribute", func(t *Topology) {
			t.GatewayLoadBalancers[0].Unmodelled = []Attribute{{"ipv6.deny_all_igw_traffic", "true"}}
		}, Warning, 30, "attribute ipv6.deny_all_igw_traffic=true is not modelled"},
		{"route from the endpoint's own subnet back to it (§13.3)", func(t *Topology) {
			t.RouteTables[0].Subnets = append(t.RouteTables[0].Subnets, "subnet-n")
		}, Warning, 34, "sends traffic of GWLB endpoint vpce-g's own subnet back to the endpoint"},
		{"stickiness", func(t *Topology) { t.GatewayLoadBalancers[0].TargetGroup.Stickiness = "lb_cookie" }, Error, 31, "stickiness type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := gwlbBase()
			tc.break_(top)
			ApplyDefaults(top)
			wantProblem(t, Validate(top), tc.sev, tc.line, tc.want)
		})
	}
}
