package lab

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
	"go.yaml.in/yaml/v3"
)

// Gateway VPC endpoints (§7.4.1-3):
//
//	prefix_lists: {com.amazonaws.us-east-1.s3: {id: pl-63a5400a, cidrs: [52.216.0.0/15]}}
//	vpc_endpoints:
//	  s3:
//	    vpc: a                 # when the lab has several VPCs
//	    service: s3            # s3 or dynamodb, or com.amazonaws.<region>.s3
//	    route_tables: [private] # AWS installs the prefix-list route in each (§7.4.2)
//	    prefix_list: s3-pl     # default: the prefix list named like the service
//	    state: available
//
// The lab declares the AWS-managed prefix list with the service's entries, as
// get-managed-prefix-list-entries gives them; an endpoint without one is an error.
//
// Interface endpoints (§7.4.11-15) put an interface in each of their subnets:
//
//	vpc_endpoints:
//	  ec2:
//	    type: interface
//	    service: ec2               # or com.amazonaws.<region>.ec2, or an endpoint service's name
//	    subnets: [app-a, app-b]    # one per Availability Zone
//	    security_groups: [ep]      # default: the VPC's default group
//	    private_ips: {app-a: 10.0.1.50} # default: the subnet's first free address
//	    ports: [443]               # the TCP ports the service answers on; default 443
//
// GWLB endpoints say type: gateway_load_balancer, the gateway_load_balancer they connect to
// and their one subnet (gwlb.go, §13.2).
var vpcEndpointKeys = []string{"vpc", "type", "service", "route_tables", "prefix_list", "state", "tags",
	"subnets", "security_groups", "private_ips", "ports", "gateway_load_balancer", "subnet"}

// interfaceOnlyKeys are the keys only an interface endpoint has; gatewayOnlyKeys the others.
var (
	interfaceOnlyKeys = []string{"subnets", "security_groups", "private_ips", "ports"}
	gatewayOnlyKeys   = []string{"route_tables", "prefix_list"}
	gwlbOnlyKeys      = []string{"gateway_load_balancer", "subnet"}
)

// defaultRegion names a service when neither the VPC nor the lab says its region.
const defaultRegion = "us-east-1"

func (l *loader) declareVPCEndpoints() {
	for _, e := range l.entries(l.top.get("vpc_endpoints"), "VPC endpoint") {
		f := l.mapping(e.val, "VPC endpoint "+e.name, vpcEndpointKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.vpces, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		ep := &model.VPCEndpoint{ID: model.VPCEndpointID(d.id), VPC: d.vpcID(), Type: model.EndpointGateway,
			State: model.EndpointAvailable, Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		d.obj = ep
		l.t.VPCEndpoints = append(l.t.VPCEndpoints, ep)
		if s, ok := l.oneOf(f.get("state"), f.what+": state", "available", "pending", "deleting", "deleted", "rejected", "failed"); ok {
			ep.State = s
		}
		switch s, _ := l.oneOf(f.get("type"), f.what+": type", "gateway", "interface", "gateway_load_balancer"); s {
		case "interface":
			ep.Type = model.EndpointInterface
			l.notFor(f, gwlbOnlyKeys, "an interface endpoint")
			l.declareInterfaceEndpoint(ep, f, vpc, e.line)
			continue
		case "gateway_load_balancer":
			ep.Type = model.EndpointGatewayLoadBalancer
			l.notFor(f, interfaceOnlyKeys, "a GWLB endpoint")
			l.gwlbEndpoint(ep, f, e.line)
			continue
		}
		l.notFor(f, interfaceOnlyKeys, "a gateway endpoint")
		l.notFor(f, gwlbOnlyKeys, "a gateway endpoint")
		l.need(f, "service", e.line, "a service (s3 or dynamodb)")
		if s, ok := l.str(f.get("service"), f.what+": service"); ok {
			if model.ServiceShortName(s) == s { // a short name: the VPC's region says the rest
				region := defaultRegion
				if vpc != nil && vpc.obj != nil && vpc.obj.(*model.VPC).Region != "" {
					region = vpc.obj.(*model.VPC).Region
				}
				s = "com.amazonaws." + region + "." + s
			}
			if !slices.Contains(model.GatewayServices, model.ServiceShortName(s)) {
				l.errorf(f.get("service").Line, "%s: service %q has no gateway endpoint; gateway endpoints exist for s3 and dynamodb only (§7.4.1)", f.what, s)
			}
			ep.ServiceName = s
		}
		if n := f.get("prefix_list"); n != nil {
			if s, ok := l.str(n, f.what+": prefix_list"); ok {
				if pl, ok := l.prefixListRef(s); ok {
					ep.PrefixList = pl
				} else {
					l.errorf(n.Line, "%s: prefix_list: no prefix list named %q%s", f.what, s, suggest(s, l.prefixLists.names()))
				}
			}
		} else if ep.ServiceName != "" {
			if d := l.prefixLists.byName[ep.ServiceName]; d != nil {
				ep.PrefixList = model.PrefixListID(d.id)
			} else {
				l.errorf(e.line, "%s: needs the service's prefix list: declare prefix_lists: {%s: {cidrs: [...]}} or name one with prefix_list",
					f.what, ep.ServiceName)
			}
		}
	}
}

// fillVPCEndpoints associates each endpoint with its route tables and installs its route in
// each: the service's prefix list to the endpoint, Origin CreateRoute (§7.4.2). A table that
// already routes the list to the endpoint keeps its own route.
func (l *loader) fillVPCEndpoints() {
	for _, d := range l.vpces.list {
		ep, ok := d.obj.(*model.VPCEndpoint)
		if !ok || ep.Type == model.EndpointGatewayLoadBalancer {
			continue
		}
		if ep.Type == model.EndpointInterface {
			l.fillInterfaceEndpoint(ep, d)
			continue
		}
		for _, t := range l.refs(l.routeTables, d.f.get("route_tables"), d.f.what+": route_tables") {
			rt := t.obj.(*model.RouteTable)
			ep.RouteTables = append(ep.RouteTables, rt.ID)
			if ep.PrefixList == "" || slices.ContainsFunc(rt.Routes, func(r model.Route) bool { return r.DestinationPrefixList == ep.PrefixList }) {
				continue
			}
			rt.Routes = append(rt.Routes, model.Route{DestinationPrefixList: ep.PrefixList, Origin: model.OriginCreateRoute, State: model.RouteActive,
				Target: model.Target{Kind: model.TargetVPCEndpoint, ID: string(ep.ID)}, Src: l.src(d.line)})
		}
	}
}

// emptyPrefixLists: a prefix list the lab declares with no entries matches nothing, which a
// hand-written lab never means (§7.4.3).
func (l *loader) emptyPrefixLists() {
	for _, d := range l.prefixLists.list {
		if p, ok := d.obj.(*model.PrefixList); ok && len(p.CIDRs) == 0 {
			l.errorf(d.line, "prefix list %s has no entries: give it cidrs (§7.4.3)", d.name)
		}
	}
}

// notFor reports the keys of f that an object of another kind takes.
func (l *loader) notFor(f *fields, keys []string, what string) {
	for _, k := range keys {
		if n := f.get(k); n != nil {
			l.errorf(n.Line, "%s: %s has no %s", f.what, what, k)
		}
	}
}

// declareInterfaceEndpoint reads what an interface endpoint is besides its interfaces: its
// service, named short for an AWS service of the VPC's region, and its ports (§7.4.13).
func (l *loader) declareInterfaceEndpoint(ep *model.VPCEndpoint, f *fields, vpc *decl, line int) {
	l.notFor(f, gatewayOnlyKeys, "an interface endpoint")
	l.need(f, "service", line, "a service (ec2, sts, ... or an endpoint service's name)")
	if s, ok := l.str(f.get("service"), f.what+": service"); ok {
		if model.ServiceShortName(s) == s {
			region := defaultRegion
			if vpc != nil && vpc.obj != nil && vpc.obj.(*model.VPC).Region != "" {
				region = vpc.obj.(*model.VPC).Region
			}
			s = "com.amazonaws." + region + "." + s
		}
		ep.ServiceName = s
	}
	for _, n := range l.list(f.get("ports"), f.what+": ports") {
		if v, ok := l.integer(n, f.what+": ports", 1, 65535); ok {
			ep.Ports = append(ep.Ports, uint16(v))
		}
	}
	if len(ep.Ports) == 0 {
		ep.Ports = []uint16{model.AWSServicePort}
	}
}

// fillInterfaceEndpoint gives the endpoint an interface in each of its subnets (§7.4.11):
// requester-managed, of type vpc_endpoint, with the endpoint's security groups (the VPC's
// default group when it names none), at the address the lab gives or the first free one.
func (l *loader) fillInterfaceEndpoint(ep *model.VPCEndpoint, d *decl) {
	f := d.f
	for _, n := range l.list(f.get("security_groups"), f.what+": security_groups") {
		if id, ok := l.sgRef(n, f.what+": security_groups", d.vpc); ok {
			ep.SecurityGroups = append(ep.SecurityGroups, id)
		}
	}
	if len(ep.SecurityGroups) == 0 && d.vpc != nil {
		ep.SecurityGroups = []model.SecurityGroupID{model.SecurityGroupID(defaultSG(d.vpc))}
	}
	ips := map[string]*yaml.Node{}
	for _, e := range l.entries(f.get("private_ips"), f.what+": private IP") {
		ips[e.name] = e.val
	}
	subnets := l.refs(l.subnets, f.get("subnets"), f.what+": subnets")
	if len(subnets) == 0 {
		l.errorf(d.line, "%s: an interface endpoint needs subnets: one interface in each (§7.4.11)", f.what)
	}
	named := map[string]bool{}
	for _, s := range subnets {
		named[s.name] = true
		id := model.ENIID(model.DeriveID("eni", string(ep.ID)+"/"+s.id))
		var ip netip.Addr
		if n := ips[s.name]; n != nil {
			ip, _ = l.addr(n, f.what+": private_ips: "+s.name)
		}
		eni := l.serviceENI(id, s, model.InterfaceTypeVPCEndpoint, "VPC Endpoint Interface "+string(ep.ID), d.line,
			f.what+": interface in subnet "+s.name, ip)
		eni.SecurityGroups = ep.SecurityGroups
		ep.Subnets = append(ep.Subnets, model.SubnetID(s.id))
		ep.NetworkInterfaces = append(ep.NetworkInterfaces, id)
	}
	for name, n := range ips {
		if !named[name] {
			l.errorf(n.Line, "%s: private_ips: %q is not one of the endpoint's subnets", f.what, name)
		}
	}
}
