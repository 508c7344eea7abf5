package lab

import (
	"slices"

	"github.com/vpclab/vpclab/internal/model"
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
// GWLB endpoints say type: GatewayLoadBalancer, the gateway_load_balancer they connect to and
// their subnet (gwlb.go).
var vpcEndpointKeys = []string{"vpc", "type", "service", "route_tables", "prefix_list", "gateway_load_balancer", "subnet", "state", "tags"}

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
		if n := f.get("type"); n != nil {
			if s, ok := l.oneOf(n, f.what+": type", string(model.EndpointGateway), string(model.EndpointGatewayLoadBalancer)); ok {
				ep.Type = model.VPCEndpointType(s)
			}
		}
		if ep.Type == model.EndpointGatewayLoadBalancer {
			l.gwlbEndpoint(ep, f, e.line)
			continue
		}
		for _, k := range []string{"gateway_load_balancer", "subnet"} {
			if f.has(k) {
				l.errorf(f.keyLine(k), "%s: %s is for GWLB endpoints (type: GatewayLoadBalancer)", f.what, k)
			}
		}
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
		if !ok || ep.Type != model.EndpointGateway {
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
