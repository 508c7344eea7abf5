package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// Application and Network Load Balancers (model.LoadBalancer):
//
//	load_balancers:
//	  web:
//	    type: network                  # or application
//	    scheme: internet-facing        # or internal (the default)
//	    vpc: app                       # when the lab has several VPCs
//	    subnets: [lb-a, lb-b]          # one per Availability Zone: a node in each
//	    public_ips: [54.0.0.5, 54.0.0.6] # internet-facing: each node's public IP, in subnet order
//	    security_groups: [alb]         # an ALB's (required); an NLB's (optional)
//	    cross_zone: false              # load_balancing.cross_zone.enabled (ALB: always on)
//	    listeners:
//	      - protocol: TCP              # HTTP, HTTPS (ALB); TCP, UDP, TCP_UDP, TLS (NLB)
//	        port: 80
//	        target_group:
//	          protocol: TCP            # the listener's when absent (HTTP behind HTTPS for an ALB)
//	          port: 80                 # the listener's when absent
//	          target_type: instance    # or ip (default: ip when the first target is an ip)
//	          preserve_client_ip: true # NLB: preserve_client_ip.enabled (default: on for instance targets)
//	          targets:
//	            - {instance: web-a}
//	            - {ip: 10.0.2.10, port: 8080, health: unhealthy}
//
// Each node's interface is made as AWS makes it: in its subnet, described "ELB app/NAME/ID"
// or "ELB net/NAME/ID", of type network_load_balancer for an NLB, with the load balancer's
// security groups, its address the subnet's next free one.

var (
	lbKeys       = []string{"type", "scheme", "vpc", "subnets", "public_ips", "security_groups", "cross_zone", "listeners", "tags"}
	listenerKeys = []string{"protocol", "port", "target_group"}
	lbGroupKeys  = []string{"name", "protocol", "port", "target_type", "preserve_client_ip", "targets"}
	lbTargetKeys = []string{"instance", "ip", "port", "az", "health"}
)

func (l *loader) declareLBs() {
	for _, e := range l.entries(l.top.get("load_balancers"), "load balancer") {
		f := l.mapping(e.val, "load balancer "+e.name, lbKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.lbs, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		l.need(f, "type", e.line, "its type, application or network")
		typ, ok := l.oneOf(f.get("type"), f.what+": type", model.LBApplication, model.LBNetwork)
		if !ok {
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
		hexID := d.id[strings.IndexByte(d.id, '-')+1:][:16]
		lb := &model.LoadBalancer{Name: e.name, Type: typ, Scheme: model.LBInternal, VPC: d.vpcID(), State: "active",
			Tags: l.tags(f, e.name), Src: l.src(e.line)}
		lb.ARN = model.LoadBalancerARN("arn:aws:elasticloadbalancing:" + region + ":" + account + ":loadbalancer/" + lb.ShortType() + "/" + e.name + "/" + hexID)
		if n := f.get("scheme"); n != nil {
			lb.Scheme, _ = l.oneOf(n, f.what+": scheme", model.LBInternal, model.LBInternetFacing)
		}
		if n := f.get("cross_zone"); n != nil {
			if v, ok := l.boolean(n, f.what+": cross_zone"); ok {
				lb.CrossZone = &v
			}
		}
		d.obj = lb
		l.t.LoadBalancers = append(l.t.LoadBalancers, lb)
	}
}

// fillLBs resolves subnets, security groups, listeners and targets, once subnets, groups and
// instances exist, and makes each node's interface.
func (l *loader) fillLBs() {
	for _, d := range l.lbs.list {
		lb, ok := d.obj.(*model.LoadBalancer)
		if !ok {
			continue
		}
		f := d.f
		for _, g := range l.refs(l.sgs, f.get("security_groups"), f.what+": security_groups") {
			lb.SecurityGroups = append(lb.SecurityGroups, model.SecurityGroupID(g.id))
		}
		if lb.Type == model.LBApplication && len(lb.SecurityGroups) == 0 {
			l.errorf(d.line, "%s: an Application Load Balancer needs security_groups (at least one)", f.what)
		}
		l.need(f, "subnets", d.line, "its subnets, one per Availability Zone")
		var pubs []netip.Addr
		for _, n := range l.list(f.get("public_ips"), f.what+": public_ips") {
			if a, ok := l.addr(n, f.what+": public_ips"); ok {
				pubs = append(pubs, a)
			}
		}
		subnets := l.refs(l.subnets, f.get("subnets"), f.what+": subnets")
		switch {
		case lb.InternetFacing() && len(pubs) != len(subnets):
			l.errorf(d.line, "%s: an internet-facing load balancer needs public_ips, one per subnet (%d subnets, %d public IPs)", f.what, len(subnets), len(pubs))
		case !lb.InternetFacing() && len(pubs) > 0:
			l.errorf(f.get("public_ips").Line, "%s: public_ips are for an internet-facing load balancer; this one is internal", f.what)
			pubs = nil
		}
		for i, s := range subnets {
			lb.Subnets = append(lb.Subnets, model.SubnetID(s.id))
			typ := model.InterfaceTypeNetworkLoadBalancer
			if lb.Type == model.LBApplication {
				typ = model.InterfaceTypeInterface
			}
			eni := l.serviceENI(model.ENIID(model.DeriveID("eni", string(lb.ARN)+"/"+s.id)), s, typ, lb.InterfaceDescription(),
				d.line, f.what+": node in subnet "+s.name, netip.Addr{})
			eni.SecurityGroups = lb.SecurityGroups
			if i < len(pubs) {
				eni.PrivateIPs[0].PublicIP = pubs[i]
			}
		}
		for _, n := range l.list(f.get("listeners"), f.what+": listeners") {
			l.lbListener(lb, f.what, n)
		}
	}
}

func (l *loader) lbListener(lb *model.LoadBalancer, what string, n *yaml.Node) {
	f := l.mapping(n, what+": listener", listenerKeys)
	ln := &model.Listener{Src: l.src(n.Line)}
	l.need(f, "protocol", n.Line, "its protocol")
	l.need(f, "port", n.Line, "its port")
	protos := []string{"HTTP", "HTTPS"}
	if lb.Type == model.LBNetwork {
		protos = []string{"TCP", "UDP", "TCP_UDP", "TLS"}
	}
	if p := f.get("protocol"); p != nil {
		ln.Protocol, _ = l.oneOf(p, f.what+": protocol", protos...)
	}
	if p := f.get("port"); p != nil {
		v, _ := l.integer(p, f.what+": port", 1, 65535)
		ln.Port = int(v)
	}
	ln.ARN = strings.Replace(string(lb.ARN), ":loadbalancer/", ":listener/", 1) + "/" + model.DeriveID("l", fmt.Sprintf("%s/%d", ln.Protocol, ln.Port))[2:18]
	lb.Listeners = append(lb.Listeners, ln)
	g := f.get("target_group")
	if g == nil {
		return // validation warns: ELBV2_LISTENER_HAS_NO_TG
	}
	gf := l.mapping(g, f.what+": target_group", lbGroupKeys)
	name := lb.Name + "-" + strings.ToLower(ln.Protocol) + fmt.Sprint(ln.Port)
	if n := gf.get("name"); n != nil {
		name, _ = l.str(n, gf.what+": name")
	}
	tg := &model.TargetGroup{Name: name, VPC: lb.VPC, Protocol: ln.Protocol, Port: ln.Port, TargetType: "instance", Src: l.src(g.Line)}
	if tg.Protocol == "HTTPS" {
		tg.Protocol = "HTTP" // an ALB's HTTPS listener commonly forwards HTTP [INF]
	}
	tg.ARN = model.TargetGroupARN(strings.Replace(string(lb.ARN), ":loadbalancer/"+lb.ShortType()+"/"+lb.Name, ":targetgroup/"+name, 1))
	if n := gf.get("protocol"); n != nil {
		all := []string{"HTTP", "HTTPS", "TCP", "UDP", "TCP_UDP", "TLS"}
		tg.Protocol, _ = l.oneOf(n, gf.what+": protocol", all...)
	}
	if n := gf.get("port"); n != nil {
		v, _ := l.integer(n, gf.what+": port", 1, 65535)
		tg.Port = int(v)
	}
	if n := gf.get("target_type"); n != nil {
		tg.TargetType, _ = l.oneOf(n, gf.what+": target_type", "instance", "ip")
	}
	if n := gf.get("preserve_client_ip"); n != nil {
		if v, ok := l.boolean(n, gf.what+": preserve_client_ip"); ok {
			tg.PreserveClientIP = &v
		}
	}
	ln.TargetGroup, ln.TargetGroupARN = tg, tg.ARN
	for _, t := range l.list(gf.get("targets"), gf.what+": targets") {
		l.lbTarget(tg, gf.what, t, !gf.has("target_type"))
	}
}

// lbTarget adds a target of an ALB's or NLB's target group.
func (l *loader) lbTarget(tg *model.TargetGroup, what string, n *yaml.Node, infer bool) {
	l.elbTarget(tg, what, n, lbTargetKeys, infer)
}

// elbTarget adds a target to a target group, its keys among keys (a GWLB's targets have no
// port); with infer (no target_type), a first ip target makes the group's targets ip ones.
// A target group's targets are all instances or all IP addresses (§13.1).
func (l *loader) elbTarget(tg *model.TargetGroup, what string, n *yaml.Node, keys []string, infer bool) {
	f := l.mapping(n, what+": target", keys)
	t := model.ELBTarget{Port: tg.Port, Health: model.TargetHealthy, Src: l.src(n.Line)}
	switch {
	case f.has("instance") && f.has("ip"):
		l.errorf(n.Line, "%s: a target is an instance or an ip, not both", f.what)
		return
	case f.has("instance"):
		d := l.ref(l.instances, f.get("instance"), f.what+": instance")
		if d == nil {
			return
		}
		t.ID = d.id
		if len(d.parts) > 0 && d.parts[0].subnet != nil {
			if s, ok := d.parts[0].subnet.obj.(*model.Subnet); ok {
				t.AZ = s.AvailabilityZone
			}
		}
	case f.has("ip"):
		a, ok := l.addr(f.get("ip"), f.what+": ip")
		if !ok {
			return
		}
		t.ID = a.String()
		if infer && len(tg.Targets) == 0 {
			tg.TargetType = "ip"
		}
	default:
		l.errorf(n.Line, "%s: needs instance: or ip:", f.what)
		return
	}
	if kind := map[bool]string{true: "ip", false: "instance"}[f.has("ip")]; kind != tg.TargetType {
		l.errorf(n.Line, "%s: an %s target in a target group of %s targets; a target group's targets are all instances or all IP addresses (§13.1)", f.what, kind, tg.TargetType)
		return
	}
	if n := f.get("port"); n != nil {
		v, _ := l.integer(n, f.what+": port", 1, 65535)
		t.Port = int(v)
	}
	if n := f.get("az"); n != nil {
		t.AZ, _ = l.str(n, f.what+": az")
	}
	if n := f.get("health"); n != nil {
		t.Health, _ = l.oneOf(n, f.what+": health", model.TargetHealthy, model.TargetUnhealthy, model.TargetInitial,
			model.TargetUnused, model.TargetDraining, model.TargetUnavailable)
	}
	tg.Targets = append(tg.Targets, t)
}
