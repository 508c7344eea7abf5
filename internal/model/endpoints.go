package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VPC endpoints (§7.4). Gateway endpoints (S3, DynamoDB) are modelled: the route AWS installs
// in each associated table sends the service's AWS-managed prefix list to the endpoint, which
// hands TCP and ICMP echo to the service. Interface endpoints are their interfaces, which
// answer TCP on the service's ports (§7.4.11-15). Gateway Load Balancer endpoints are modelled
// with their GWLB (elb.go, §13): route targets in their one subnet.

// VPCEndpointType is describe-vpc-endpoints' VpcEndpointType (§9.6).
type VPCEndpointType string

const (
	EndpointGateway             VPCEndpointType = "Gateway"
	EndpointInterface           VPCEndpointType = "Interface"
	EndpointGatewayLoadBalancer VPCEndpointType = "GatewayLoadBalancer"
)

// EndpointAvailable is the State of an endpoint that carries traffic (§9.6).
const EndpointAvailable = "available"

// VPCEndpoint is a VPC endpoint (vpce-), §7.4.1. For a gateway endpoint RouteTables are the
// tables AWS installed its route into (RouteTableIds) and PrefixList is the service's
// AWS-managed prefix list (the one named like ServiceName, §7.4.9), which the loaders find.
type VPCEndpoint struct {
	ID          VPCEndpointID
	VPC         VPCID
	Type        VPCEndpointType
	ServiceName string // com.amazonaws.<region>.s3 or .dynamodb; com.amazonaws.vpce.<region>.vpce-svc-… for a GWLB endpoint
	State       string // "available" when empty
	RouteTables []RouteTableID
	PrefixList  PrefixListID
	// A GWLB endpoint has exactly one subnet and interface (§13.2).
	// An interface endpoint (§7.4.11-15) has one requester-managed interface in each of its
	// subnets (at most one per Availability Zone), the security groups of those interfaces,
	// and the TCP ports its service answers on: 443 for an AWS service, the listener ports of
	// the Network Load Balancer behind an endpoint service (the tag vpclab:ports carries them
	// in describe-* JSON, since no describe call of the consumer's account lists them).
	Subnets           []SubnetID
	NetworkInterfaces []ENIID
	SecurityGroups    []SecurityGroupID
	Ports             []uint16
	Name              string
	Tags              []Tag
	Src               Source
}

// PortsTag is the tag that carries an interface endpoint's service ports in describe-* JSON,
// written like "443,8443".
const PortsTag = "vpclab:ports"

// AWSServicePort is the port AWS services answer on behind an interface endpoint (§7.4.13).
const AWSServicePort = 443

// AWSService reports whether a service name is an AWS service (com.amazonaws.<region>.<svc>),
// not an endpoint service of some account's load balancer (com.amazonaws.vpce.<region>.vpce-svc-…).
func AWSService(name string) bool {
	return strings.HasPrefix(name, "com.amazonaws.") && !strings.HasPrefix(name, "com.amazonaws.vpce.")
}

// GatewayServices are the services a gateway endpoint exists for (§7.4.1).
var GatewayServices = []string{"s3", "dynamodb"}

// ServiceShortName is the last part of a service name: "s3" for com.amazonaws.us-east-1.s3.
func ServiceShortName(service string) string {
	return service[strings.LastIndexByte(service, '.')+1:]
}

// endpoints checks gateway endpoints (§7.4.1-3): a known gateway service, in a VPC of the
// topology, associated with that VPC's route tables, with a prefix list that has entries; and
// that every route to an endpoint comes from one of its tables and has a prefix-list
// destination.
func (v *validator) endpoints() {
	for _, ep := range v.t.VPCEndpoints {
		name := label(ep.Name, ep.ID)
		if ep.VPC != "" && v.ix.VPCs[ep.VPC] == nil {
			v.ps.Warnf(ep.Src, "VPC endpoint %s: VPC %s is not in the topology", name, ep.VPC)
		}
		if ep.Type == EndpointInterface {
			v.interfaceEndpoint(ep, name)
		}
		if ep.Type != EndpointGateway {
			continue
		}
		if !slices.Contains(GatewayServices, ServiceShortName(ep.ServiceName)) {
			v.ps.Errorf(ep.Src, "VPC endpoint %s: service %q has no gateway endpoint; gateway endpoints exist for S3 and DynamoDB only (§7.4.1)", name, ep.ServiceName)
		}
		for _, id := range ep.RouteTables {
			rt := v.routeTable(id)
			switch {
			case rt == nil:
				v.ps.Warnf(ep.Src, "VPC endpoint %s: route table %s is not in the topology", name, id)
			case rt.VPC != ep.VPC && rt.VPC != "" && ep.VPC != "":
				v.ps.Errorf(ep.Src, "VPC endpoint %s: route table %s is in VPC %s, not in the endpoint's VPC %s (§7.4.1)",
					name, label(rt.Name, rt.ID), v.vpcLabel(rt.VPC), v.vpcLabel(ep.VPC))
			}
		}
		switch pl := v.prefixList(ep.PrefixList); {
		case ep.PrefixList == "":
			v.ps.Warnf(ep.Src, "VPC endpoint %s: no prefix list of service %s in the topology; its routes match nothing (§7.4.3)", name, ep.ServiceName)
		case pl == nil:
			v.ps.Warnf(ep.Src, "VPC endpoint %s: prefix list %s is not in the topology; its routes match nothing (§7.4.3)", name, ep.PrefixList)
		case len(pl.CIDRs) == 0:
			v.ps.Warnf(pl.Src, "prefix list %s of VPC endpoint %s has no entries; the endpoint's routes match nothing (§7.4.3)", label(pl.Name, pl.ID), name)
		}
	}
}

// endpointRoute checks a route to VPC endpoint id in table rt (§7.4.2): AWS installs it, with
// the service's prefix list as destination, only in the endpoint's own tables.
func (v *validator) endpointRoute(src Source, where string, rt *RouteTable, r Route) {
	ep := v.endpoint(VPCEndpointID(r.Target.ID))
	if fw, _ := FirewallEndpointOf(v.t, VPCEndpointID(r.Target.ID)); ep == nil && fw != nil {
		// §14.3: a firewall endpoint is a route target like a GWLB endpoint, in its VPC.
		if fw.VPC != rt.VPC && fw.VPC != "" && rt.VPC != "" {
			v.ps.Errorf(src, "%s: firewall endpoint %s of %s is in VPC %s, not in the table's VPC %s", where, r.Target.ID, label(fw.Name, fw.ARN), v.vpcLabel(fw.VPC), v.vpcLabel(rt.VPC))
		}
		return
	}
	if ep == nil {
		v.ps.Warnf(src, "%s: target VPC endpoint %s is not in the topology; packets that match the route are dropped", where, r.Target.ID)
		return
	}
	name := label(ep.Name, ep.ID)
	if ep.VPC != rt.VPC && ep.VPC != "" && rt.VPC != "" {
		v.ps.Errorf(src, "%s: VPC endpoint %s is in VPC %s, not in the table's VPC %s", where, name, v.vpcLabel(ep.VPC), v.vpcLabel(rt.VPC))
		return
	}
	if ep.Type == EndpointGatewayLoadBalancer {
		return // a GWLB endpoint is a route target like an appliance (§13.3); gwlbs checks it
	}
	if ep.Type == EndpointInterface {
		v.ps.Errorf(src, "%s: target %s is an interface endpoint, which is no route target: packets reach it at its interfaces' addresses (§7.4.12)", where, name)
		return
	}
	if ep.Type != EndpointGateway {
		v.ps.Warnf(src, "%s: target %s is a %s endpoint, which vpclab does not model yet; packets that match the route are dropped", where, name, ep.Type)
		return
	}
	if r.DestinationPrefixList == "" {
		v.ps.Errorf(src, "%s: a route to gateway endpoint %s has the service's prefix list as destination, not a CIDR (§7.4.2)", where, name)
	} else if ep.PrefixList != "" && r.DestinationPrefixList != ep.PrefixList {
		v.ps.Errorf(src, "%s: gateway endpoint %s serves prefix list %s, not %s (§7.4.2)", where, name, ep.PrefixList, r.DestinationPrefixList)
	}
	if !slices.Contains(ep.RouteTables, rt.ID) {
		v.ps.Errorf(src, "%s: route table %s is not associated with gateway endpoint %s (its route tables: %v); AWS installs the route only in those (§7.4.2)",
			where, label(rt.Name, rt.ID), name, ep.RouteTables)
	}
}

func (v *validator) endpoint(id VPCEndpointID) *VPCEndpoint {
	for _, ep := range v.t.VPCEndpoints {
		if ep.ID == id {
			return ep
		}
	}
	return nil
}

func (v *validator) routeTable(id RouteTableID) *RouteTable {
	for _, rt := range v.t.RouteTables {
		if rt.ID == id {
			return rt
		}
	}
	return nil
}

// GatewayEndpointPrefixList is the AWS-managed prefix list of a gateway endpoint's service in
// t: the list named like the service (§7.4.9), else the destination of a route to the
// endpoint. Loaders call it to fill VPCEndpoint.PrefixList.
func GatewayEndpointPrefixList(t *Topology, ep *VPCEndpoint) PrefixListID {
	for _, pl := range t.PrefixLists {
		if pl.Name != "" && pl.Name == ep.ServiceName {
			return pl.ID
		}
	}
	for _, rt := range t.RouteTables {
		for _, r := range rt.Routes {
			if r.Target.Kind == TargetVPCEndpoint && r.Target.ID == string(ep.ID) && r.DestinationPrefixList != "" {
				return r.DestinationPrefixList
			}
		}
	}
	return ""
}

// interfaceEndpoint checks an interface endpoint (§7.4.11): its subnets in its VPC, at most
// one per Availability Zone, and its interfaces in the topology.
func (v *validator) interfaceEndpoint(ep *VPCEndpoint, name string) {
	zones := map[string]SubnetID{}
	for _, id := range ep.Subnets {
		s := v.ix.Subnets[id]
		switch {
		case s == nil:
			v.ps.Warnf(ep.Src, "VPC endpoint %s: subnet %s is not in the topology", name, id)
			continue
		case ep.VPC != "" && s.VPC != ep.VPC:
			v.ps.Errorf(ep.Src, "VPC endpoint %s: subnet %s is in VPC %s, not in the endpoint's VPC %s (§7.4.11)",
				name, label(s.Name, s.ID), v.vpcLabel(s.VPC), v.vpcLabel(ep.VPC))
		}
		if first, dup := zones[s.AvailabilityZone]; dup && s.AvailabilityZone != "" {
			v.ps.Errorf(ep.Src, "VPC endpoint %s: subnets %s and %s are both in %s; an interface endpoint has one subnet per Availability Zone (§7.4.11)",
				name, v.subnetLabel(first), label(s.Name, s.ID), s.AvailabilityZone)
		}
		zones[s.AvailabilityZone] = id
	}
	for _, id := range ep.NetworkInterfaces {
		if v.ix.ENIs[id] == nil {
			v.ps.Warnf(ep.Src, "VPC endpoint %s: network interface %s is not in the topology; the endpoint answers nothing there", name, id)
		}
	}
}

// ParsePorts reads a list of TCP ports written like "443,8443" (PortsTag).
func ParsePorts(s string) ([]uint16, error) {
	var out []uint16
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 16)
		if err != nil || n == 0 {
			return out, fmt.Errorf("%q is not a port (1-65535)", strings.TrimSpace(f))
		}
		out = append(out, uint16(n))
	}
	return out, nil
}

// FormatPorts writes ports as ParsePorts reads them.
func FormatPorts(ports []uint16) string {
	var b strings.Builder
	for i, p := range ports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(p)))
	}
	return b.String()
}
