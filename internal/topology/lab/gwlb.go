package lab

import (
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// Gateway Load Balancers (§13) and their endpoints:
//
//	gateway_load_balancers:
//	  inspection:
//	    vpc: security              # when the lab has several VPCs
//	    subnets: [gwlb-a, gwlb-b]  # one per Availability Zone
//	    cross_zone: false          # load_balancing.cross_zone.enabled
//	    stickiness: 5-tuple        # 5-tuple (default), 3-tuple or 2-tuple (§13.5)
//	    idle_timeout: 350          # tcp.idle_timeout.seconds, 60-6000
//	    tcp_reset_on_idle: false   # send_tcp_reset.on_idle_timeout.enabled
//	    target_failover: no_rebalance
//	    target_type: instance      # or ip
//	    targets:
//	      - {instance: fw-a, health: healthy}
//	      - {ip: 10.1.1.10, az: us-east-1b, health: unhealthy}
//	vpc_endpoints:
//	  gwlbe-a: {vpc: app, type: gateway_load_balancer, gateway_load_balancer: inspection, subnet: endpoints-a}
//
// Each GWLB gets a listener, a target group (GENEVE, 6081) and an endpoint service
// (vpce-svc-) with IDs derived from its name; an endpoint names its GWLB and connects to that
// service. Routes name the endpoint like any target (0.0.0.0/0: gwlbe-a).

var (
	gwlbKeys       = []string{"vpc", "subnets", "cross_zone", "stickiness", "idle_timeout", "tcp_reset_on_idle", "target_failover", "target_type", "targets", "tags"}
	gwlbTargetKeys = []string{"instance", "ip", "az", "health"}
)

// stickinessNames are the lab's names of the stickiness types (§13.5).
var stickinessNames = map[string]string{"5-tuple": "", "3-tuple": model.Stickiness3Tuple, "2-tuple": model.Stickiness2Tuple}

// gwlbServiceID is the endpoint service ID of the GWLB a lab names.
func gwlbServiceID(name string) model.EndpointServiceID {
	return model.EndpointServiceID(model.DeriveID("vpce-svc", "gateway_load_balancer/"+name))
}

func (l *loader) declareGWLBs() {
	for _, e := range l.entries(l.top.get("gateway_load_balancers"), "Gateway Load Balancer") {
		f := l.mapping(e.val, "Gateway Load Balancer "+e.name, gwlbKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.gwlbs, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		region, account := defaultRegion, "123456789012"
		if vpc != nil && vpc.obj != nil {
			v := vpc.obj.(*model.VPC)
			if v.Region != "" {
				region = v.Region
			}
			if v.Account != "" {
				account = v.Account
			}
		}
		hexID := d.id[len("gwlb-"):][:16]
		arnBase := "arn:aws:elasticloadbalancing:" + region + ":" + account + ":"
		svc := gwlbServiceID(e.name)
		g := &model.GatewayLoadBalancer{ARN: model.LoadBalancerARN(arnBase + "loadbalancer/gwy/" + e.name + "/" + hexID),
			Name: e.name, VPC: d.vpcID(), State: "active", TCPIdleTimeout: model.GWLBDefaultTCPIdleTimeout, Listener: arnBase + "listener/gwy/" + e.name + "/" + hexID + "/" + hexID[:8],
			Service: &model.EndpointService{ID: svc, Name: "com.amazonaws.vpce." + region + "." + string(svc), Src: l.src(e.line)},
			Tags:    l.tags(f, e.name), Src: l.src(e.line)}
		tg := &model.TargetGroup{ARN: model.TargetGroupARN(arnBase + "targetgroup/" + e.name + "/" + hexID), Name: e.name,
			VPC: d.vpcID(), Protocol: "GENEVE", Port: model.GENEVEPort, TargetType: "instance",
			HealthCheckProtocol: "TCP", HealthCheckPort: "80", TargetFailover: "no_rebalance",
			DeregistrationDelay: model.GWLBDefaultDeregistrationDelay, Src: l.src(e.line)}
		g.TargetGroup = tg
		if n := f.get("cross_zone"); n != nil {
			g.CrossZone, _ = l.boolean(n, f.what+": cross_zone")
		}
		if n := f.get("stickiness"); n != nil {
			if s, ok := l.oneOf(n, f.what+": stickiness", "5-tuple", "3-tuple", "2-tuple"); ok {
				tg.Stickiness = stickinessNames[s]
			}
		}
		if n := f.get("idle_timeout"); n != nil {
			if v, ok := l.integer(n, f.what+": idle_timeout", 60, 6000); ok {
				g.TCPIdleTimeout = int(v)
			}
		}
		if n := f.get("tcp_reset_on_idle"); n != nil {
			tg.SendResetOnIdle, _ = l.boolean(n, f.what+": tcp_reset_on_idle")
		}
		if n := f.get("target_failover"); n != nil {
			tg.TargetFailover, _ = l.oneOf(n, f.what+": target_failover", "no_rebalance", "rebalance")
		}
		if n := f.get("target_type"); n != nil {
			if s, ok := l.oneOf(n, f.what+": target_type", "instance", "ip"); ok {
				tg.TargetType = s
			}
		}
		d.obj = g
		l.t.GatewayLoadBalancers = append(l.t.GatewayLoadBalancers, g)
	}
}

// fillGWLBs resolves each GWLB's subnets and targets, once subnets and instances exist, and
// gives each node and each GWLB endpoint its interface (after the instances', so their
// addresses do not move).
func (l *loader) fillGWLBs() {
	for _, d := range l.gwlbs.list {
		g, ok := d.obj.(*model.GatewayLoadBalancer)
		if !ok {
			continue
		}
		l.need(d.f, "subnets", d.line, "its subnets, one per Availability Zone")
		for _, s := range l.refs(l.subnets, d.f.get("subnets"), d.f.what+": subnets") {
			g.Subnets = append(g.Subnets, model.SubnetID(s.id))
			// The node's interface, whose address GENEVE leaves from (§13.9).
			l.serviceENI(model.ENIID(model.DeriveID("eni", string(g.ARN)+"/"+s.id)), s, model.InterfaceTypeGatewayLoadBalancer,
				"ELB gwy/"+g.Name+"/"+string(g.ARN[len(g.ARN)-16:]), d.line, d.f.what+": node in subnet "+s.name, netip.Addr{})
		}
		for _, n := range l.list(d.f.get("targets"), d.f.what+": targets") {
			l.gwlbTarget(g, d.f.what, n)
		}
	}
	for _, d := range l.vpces.list {
		ep, ok := d.obj.(*model.VPCEndpoint)
		if !ok || ep.Type != model.EndpointGatewayLoadBalancer || len(ep.Subnets) != 1 {
			continue
		}
		s := l.subnets.byName[d.f.get("subnet").Value]
		if s == nil {
			continue
		}
		id := model.ENIID(model.DeriveID("eni", string(ep.ID)+"/"+s.id))
		l.serviceENI(id, s, model.InterfaceTypeGatewayLoadBalancerEP, "VPC Endpoint Interface "+string(ep.ID), d.line, d.f.what+": interface", netip.Addr{})
		ep.NetworkInterfaces = []model.ENIID{id}
	}
}

// serviceENI adds a requester-managed interface of an AWS service in subnet s, with no
// security groups (§13.2; the caller adds them where the service has some), at address ip,
// or at the subnet's next free one when ip is not valid.
func (l *loader) serviceENI(id model.ENIID, s *decl, typ model.InterfaceType, desc string, line int, who string, ip netip.Addr) *model.NetworkInterface {
	eni := &model.NetworkInterface{ID: id, VPC: s.vpcID(), Subnet: model.SubnetID(s.id), Type: typ,
		PrivateIPs: []model.PrivateIP{{Addr: ip, Primary: true}}, SourceDestCheck: true, MAC: macFor(string(id)), Description: desc, Src: l.src(line)}
	l.t.NetworkInterfaces = append(l.t.NetworkInterfaces, eni)
	if !ip.IsValid() {
		l.pendingIPs = append(l.pendingIPs, pendingIP{s, line, who, func(ip netip.Addr) { eni.PrivateIPs[0].Addr = ip }})
	}
	return eni
}

func (l *loader) gwlbTarget(g *model.GatewayLoadBalancer, what string, n *yaml.Node) {
	l.elbTarget(g.TargetGroup, what, n, gwlbTargetKeys, true) // GENEVE targets take no port of their own (§13.1)
}

// gwlbEndpoint fills a vpc_endpoints entry of type GatewayLoadBalancer: its GWLB's service
// and its one subnet (§13.2). A GWLB the lab does not declare is an error at its line.
func (l *loader) gwlbEndpoint(ep *model.VPCEndpoint, f *fields, line int) {
	l.notFor(f, gatewayOnlyKeys, "a GWLB endpoint (a route target in its own subnet, §13.3)")
	l.need(f, "gateway_load_balancer", line, "the Gateway Load Balancer whose endpoint service it connects to")
	if d := l.ref(l.gwlbs, f.get("gateway_load_balancer"), f.what+": gateway_load_balancer"); d != nil {
		if g, ok := d.obj.(*model.GatewayLoadBalancer); ok {
			ep.ServiceName = g.Service.Name
		}
	}
	l.need(f, "subnet", line, "its subnet (one, §13.2)")
	if d := l.ref(l.subnets, f.get("subnet"), f.what+": subnet"); d != nil {
		ep.Subnets = []model.SubnetID{model.SubnetID(d.id)}
		if d.vpc != nil && ep.VPC != "" && model.VPCID(d.vpc.id) != ep.VPC {
			l.errorf(f.get("subnet").Line, "%s: subnet %s is not in the endpoint's VPC", f.what, d.name)
		}
	}
}
