package snapshot

import (
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// buildInternetGateways maps describe-internet-gateways (§3). The VPC is the one of an
// attachment in state available (as describe prints it) or attached.
func (l *loader) buildInternetGateways(t *model.Topology) {
	ids := newSeen("internet gateway", l.igws.len())
	for it := range l.igws.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.InternetGatewayId, "InternetGatewayId", src) {
			continue
		}
		igw := &model.InternetGateway{ID: model.InternetGatewayID(g.InternetGatewayId), Src: src}
		igw.Name, igw.Tags = tags(g.tagged)
		for _, a := range g.Attachments {
			if a.State == "available" || a.State == "attached" {
				igw.VPC = model.VPCID(a.VpcId)
				break
			}
		}
		t.InternetGateways = append(t.InternetGateways, igw)
	}
}

// buildNATGateways maps describe-nat-gateways (§9.2). Gateways in any state are kept with
// their State (the engine treats any state but available as unusable). ConnectivityType is
// public when absent: older answers predate private NAT gateways (§2.1.1). The primary
// address (IsPrimary, or the first listed) comes first.
func (l *loader) buildNATGateways(t *model.Topology) {
	ids := newSeen("NAT gateway", l.nats.len())
	for it := range l.nats.all() {
		n, src := it.v, it.src
		l.checkTime(n.CreateTime, src, ".CreateTime")
		l.checkTime(n.DeleteTime, src, ".DeleteTime")
		if !ids.add(&l.probs, n.NatGatewayId, "NatGatewayId", src) {
			continue
		}
		nat := &model.NATGateway{ID: model.NATGatewayID(n.NatGatewayId), VPC: model.VPCID(n.VpcId),
			Subnet: model.SubnetID(n.SubnetId), Connectivity: model.Connectivity(n.ConnectivityType),
			State: n.State, Src: src}
		if nat.Connectivity == "" {
			nat.Connectivity = model.ConnectivityPublic
		}
		nat.Name, nat.Tags = tags(n.tagged)
		primary := -1
		for i, a := range n.NatGatewayAddresses {
			asrc := at(src, ".NatGatewayAddresses[%d]", i)
			if a.PrivateIp == "" {
				continue // a gateway still assigning or already releasing its address
			}
			addr := model.NATGatewayAddress{
				PrivateIP:    l.addr(a.PrivateIp, func() model.Source { return at(asrc, ".PrivateIp") }),
				PublicIP:     l.addr(a.PublicIp, func() model.Source { return at(asrc, ".PublicIp") }),
				AllocationID: model.AllocationID(a.AllocationId),
				ENI:          model.ENIID(a.NetworkInterfaceId),
			}
			if !addr.PrivateIP.IsValid() {
				continue
			}
			if a.IsPrimary != nil && *a.IsPrimary && primary < 0 {
				primary = len(nat.Addresses)
			}
			nat.Addresses = append(nat.Addresses, addr)
		}
		if len(nat.Addresses) > 0 {
			primary = max(primary, 0)
			nat.Addresses[primary].Primary = true
			p := nat.Addresses[primary]
			copy(nat.Addresses[1:primary+1], nat.Addresses[:primary])
			nat.Addresses[0] = p
		}
		t.NATGateways = append(t.NATGateways, nat)
	}
}

// buildAddresses maps describe-addresses: Elastic IPs and what they are associated with
// (§3.1). An EC2-Classic address has no AllocationId; its public IP identifies it.
func (l *loader) buildAddresses(t *model.Topology) {
	ids := newSeen("Elastic IP", l.addresses.len())
	for it := range l.addresses.all() {
		a, src := it.v, it.src
		id := a.AllocationId
		if id == "" {
			id = a.PublicIp
		}
		if !ids.add(&l.probs, id, "AllocationId or PublicIp", src) {
			continue
		}
		pub := l.addr(a.PublicIp, func() model.Source { return at(src, ".PublicIp") })
		if a.PublicIp == "" {
			l.probs.Errorf(at(src, ".PublicIp"), "Elastic IP %s has no PublicIp", id)
		}
		eip := &model.Address{AllocationID: model.AllocationID(a.AllocationId), PublicIP: pub,
			ENI: model.ENIID(a.NetworkInterfaceId), PrivateIP: l.addr(a.PrivateIpAddress, func() model.Source { return at(src, ".PrivateIpAddress") }),
			Instance: model.InstanceID(a.InstanceId), Src: src}
		eip.Name, _ = tags(a.tagged)
		t.Addresses = append(t.Addresses, eip)
	}
}

// buildVPNGateways maps describe-vpn-gateways (§7.3.1): the VPC of the attachment in state
// attached.
func (l *loader) buildVPNGateways(t *model.Topology) {
	ids := newSeen("VPN gateway", l.vgws.len())
	for it := range l.vgws.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.VpnGatewayId, "VpnGatewayId", src) {
			continue
		}
		vgw := &model.VPNGateway{ID: model.VPNGatewayID(g.VpnGatewayId), ASN: g.AmazonSideAsn, Src: src}
		vgw.Name, vgw.Tags = tags(g.tagged)
		for _, a := range g.VpcAttachments {
			if a.State == "attached" {
				vgw.VPC = model.VPCID(a.VpcId)
				break
			}
		}
		t.VPNGateways = append(t.VPNGateways, vgw)
	}
}

// buildVPNConnections maps describe-vpn-connections (§7.3.2): the static routes in state
// available are prefixes the VGW knows. A VPN on a transit gateway names it instead of a VGW
// (§7.2.20); its routes are in the transit gateway's tables.
func (l *loader) buildVPNConnections(t *model.Topology) {
	ids := newSeen("VPN connection", l.vpns.len())
	for it := range l.vpns.all() {
		v, src := it.v, it.src
		if !ids.add(&l.probs, v.VpnConnectionId, "VpnConnectionId", src) {
			continue
		}
		vpn := &model.VPNConnection{ID: model.VPNConnectionID(v.VpnConnectionId),
			VPNGateway: model.VPNGatewayID(v.VpnGatewayId), TransitGateway: model.TransitGatewayID(v.TransitGatewayId),
			CustomerGateway: model.CustomerGatewayID(v.CustomerGatewayId),
			State:           v.State, Src: src}
		vpn.Name, _ = tags(v.tagged)
		for i, r := range v.Routes {
			if r.State != "available" {
				continue
			}
			if p, ok := l.prefix(r.DestinationCidrBlock, at(src, ".Routes[%d].DestinationCidrBlock", i)); ok &&
				!slices.Contains(vpn.StaticRoutes, p) {
				vpn.StaticRoutes = append(vpn.StaticRoutes, p)
			}
		}
		t.VPNConnections = append(t.VPNConnections, vpn)
	}
}

// buildVPCEndpoints maps describe-vpc-endpoints (§9.6). Gateway endpoints are modelled
// (§7.4.1-7) and find their service's AWS-managed prefix list by its name; endpoints of other
// types are kept so that routes to them say what they are, with a warning that traffic to
// them is dropped. A dualstack gateway endpoint is taken as IPv4 only (§7.4.8, [UNCERTAIN]).
func (l *loader) buildVPCEndpoints(t *model.Topology) {
	ids := newSeen("VPC endpoint", l.endpoints.len())
	for it := range l.endpoints.all() {
		e, src := it.v, it.src
		if !ids.add(&l.probs, e.VpcEndpointId, "VpcEndpointId", src) {
			continue
		}
		ep := &model.VPCEndpoint{ID: model.VPCEndpointID(e.VpcEndpointId), VPC: model.VPCID(e.VpcId),
			Type: model.VPCEndpointType(e.VpcEndpointType), ServiceName: e.ServiceName, State: e.State, Src: src}
		ep.Name, ep.Tags = tags(e.tagged)
		for _, id := range e.RouteTableIds {
			ep.RouteTables = append(ep.RouteTables, model.RouteTableID(id))
		}
		switch ep.Type {
		case model.EndpointGatewayLoadBalancer: // modelled with its GWLB (§13): one subnet, one interface
			for _, id := range e.SubnetIds {
				ep.Subnets = append(ep.Subnets, model.SubnetID(id))
			}
			for _, id := range e.NetworkInterfaceIds {
				ep.NetworkInterfaces = append(ep.NetworkInterfaces, model.ENIID(id))
			}
		case model.EndpointGateway:
			ep.PrefixList = model.GatewayEndpointPrefixList(t, ep)
			if e.IpAddressType == "dualstack" {
				l.probs.Warnf(at(src, ".IpAddressType"), "gateway endpoint %s is dualstack: IPv6 not modelled yet; taken as IPv4 only (§7.4.8)", e.VpcEndpointId)
			}
		case model.EndpointInterface:
			l.interfaceEndpoint(ep, &e, src)
		case "":
			l.probs.Errorf(at(src, ".VpcEndpointType"), "VPC endpoint %s has no VpcEndpointType", e.VpcEndpointId)
		default:
			l.probs.Warnf(at(src, ".VpcEndpointType"), "VPC endpoint %s: %s endpoints are not modelled yet; traffic routed to it is dropped", e.VpcEndpointId, e.VpcEndpointType)
		}
		t.VPCEndpoints = append(t.VPCEndpoints, ep)
	}
}

// interfaceEndpoint reads an interface endpoint's subnets, interfaces and groups (§7.4.11),
// and the ports its service answers on: 443 for an AWS service (§7.4.13), else the tag
// vpclab:ports, since the consumer's account cannot describe the provider's load balancer.
func (l *loader) interfaceEndpoint(ep *model.VPCEndpoint, e *awsVpcEndpoint, src model.Source) {
	for _, id := range e.SubnetIds {
		ep.Subnets = append(ep.Subnets, model.SubnetID(id))
	}
	for _, id := range e.NetworkInterfaceIds {
		ep.NetworkInterfaces = append(ep.NetworkInterfaces, model.ENIID(id))
	}
	for _, g := range e.Groups {
		ep.SecurityGroups = append(ep.SecurityGroups, model.SecurityGroupID(g.GroupId))
	}
	for _, tg := range ep.Tags {
		if tg.Key != model.PortsTag {
			continue
		}
		ports, err := model.ParsePorts(tg.Value)
		if err != nil {
			l.probs.Errorf(at(src, ".Tags"), "VPC endpoint %s: tag %s=%q: %v", e.VpcEndpointId, model.PortsTag, tg.Value, err)
		}
		ep.Ports = ports
	}
	if len(ep.Ports) == 0 {
		ep.Ports = []uint16{model.AWSServicePort}
		if !model.AWSService(ep.ServiceName) {
			l.probs.Warnf(at(src, ".ServiceName"), "VPC endpoint %s: the listener ports of endpoint service %s are not in the snapshot; taken as TCP %d (tag the endpoint %s=PORT,... to say them)",
				e.VpcEndpointId, ep.ServiceName, model.AWSServicePort, model.PortsTag)
		}
	}
}
