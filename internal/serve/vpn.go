package serve

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Site-to-Site VPN on a virtual private gateway (§7.3): the gateway and its VPC attachment,
// customer gateways, VPN connections with their static routes, and route propagation into
// route tables. A VPN on a transit gateway is not served yet.

func init() {
	register("CreateVpnGateway", createVpnGateway)
	register("DescribeVpnGateways", describeVpnGateways)
	register("DeleteVpnGateway", deleteVpnGateway)
	register("AttachVpnGateway", attachVpnGateway)
	register("DetachVpnGateway", detachVpnGateway)
	register("CreateCustomerGateway", createCustomerGateway)
	register("DescribeCustomerGateways", describeCustomerGateways)
	register("DeleteCustomerGateway", deleteCustomerGateway)
	register("CreateVpnConnection", createVpnConnection)
	register("DescribeVpnConnections", describeVpnConnections)
	register("DeleteVpnConnection", deleteVpnConnection)
	register("CreateVpnConnectionRoute", func(c *call, in *ec2api.CreateVpnConnectionRouteRequest) (*struct{}, error) {
		return &struct{}{}, c.vpnRoute(val(in.VpnConnectionId), val(in.DestinationCidrBlock), true)
	})
	register("DeleteVpnConnectionRoute", func(c *call, in *ec2api.DeleteVpnConnectionRouteRequest) (*struct{}, error) {
		return &struct{}{}, c.vpnRoute(val(in.VpnConnectionId), val(in.DestinationCidrBlock), false)
	})
	register("EnableVgwRoutePropagation", func(c *call, in *ec2api.EnableVgwRoutePropagationRequest) (*struct{}, error) {
		return &struct{}{}, c.propagation(val(in.RouteTableId), val(in.GatewayId), true)
	})
	register("DisableVgwRoutePropagation", func(c *call, in *ec2api.DisableVgwRoutePropagationRequest) (*struct{}, error) {
		return &struct{}{}, c.propagation(val(in.RouteTableId), val(in.GatewayId), false)
	})
}

func createVpnGateway(c *call, in *ec2api.CreateVpnGatewayRequest) (*ec2api.CreateVpnGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "vpn-gateway"); err != nil {
		return nil, err
	}
	if t := val(in.Type); t != "ipsec.1" {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter type is invalid. Expected ipsec.1.", t)
	}
	asn := int64(64512) // AWS's default Amazon side ASN
	if in.AmazonSideAsn != nil {
		asn = *in.AmazonSideAsn
	}
	id := c.newID("vgw")
	g := &ec2api.VpnGateway{VpnGatewayId: str(id), Type: str("ipsec.1"), State: str("available"), AmazonSideAsn: &asn,
		VpcAttachments: []ec2api.VpcAttachment{}, Tags: tagsFrom(in.TagSpecifications, "vpn-gateway")}
	c.touch("vpn-gateway", id)
	c.st.vgws.put(id, g)
	return &ec2api.CreateVpnGatewayResult{VpnGateway: g}, nil
}

func describeVpnGateways(c *call, in *ec2api.DescribeVpnGatewaysRequest) (*ec2api.DescribeVpnGatewaysResult, error) {
	gs, _, err := describe(query{op: "DescribeVpnGateways", ids: in.VpnGatewayIds, filters: in.Filters,
		notFound: "InvalidVpnGatewayID.NotFound", what: "vpnGateway"},
		c.st.vgws.all(), func(g *ec2api.VpnGateway) string { return val(g.VpnGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVpnGatewaysResult{VpnGateways: gs}, nil
}

func (c *call) vpnGateway(id string) (*ec2api.VpnGateway, error) {
	if err := checkID(id, "vgw", "InvalidVpnGatewayID.Malformed"); err != nil {
		return nil, err
	}
	g := c.st.vgws.get(id)
	if g == nil {
		return nil, notFound("InvalidVpnGatewayID.NotFound", "vpnGateway", id)
	}
	return g, nil
}

// attachedVPC is the VPC a VPN gateway is attached to, or "".
func attachedVPC(g *ec2api.VpnGateway) string {
	for _, a := range g.VpcAttachments {
		if val(a.State) == "attached" {
			return val(a.VpcId)
		}
	}
	return ""
}

func deleteVpnGateway(c *call, in *ec2api.DeleteVpnGatewayRequest) (*struct{}, error) {
	g, err := c.vpnGateway(val(in.VpnGatewayId))
	if err != nil {
		return nil, err
	}
	if attachedVPC(g) != "" || slices.ContainsFunc(c.st.vpns.all(), func(v *ec2api.VpnConnection) bool { return val(v.VpnGatewayId) == *g.VpnGatewayId }) {
		return nil, errorf("IncorrectState", "The vpnGateway '%s' is in use: detach it and delete its VPN connections first.", *g.VpnGatewayId)
	}
	c.touch("vpn-gateway", *g.VpnGatewayId)
	c.st.vgws.remove(*g.VpnGatewayId)
	return &struct{}{}, nil
}

// AttachVpnGateway: a VPC has one virtual private gateway at most (§7.3).
func attachVpnGateway(c *call, in *ec2api.AttachVpnGatewayRequest) (*ec2api.AttachVpnGatewayResult, error) {
	g, err := c.vpnGateway(val(in.VpnGatewayId))
	if err != nil {
		return nil, err
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	if vpc := attachedVPC(g); vpc != "" {
		return nil, errorf("VpnGatewayAttachmentLimitExceeded", "vpn gateway %s is already attached to VPC %s", *g.VpnGatewayId, vpc)
	}
	for _, other := range c.st.vgws.all() {
		if attachedVPC(other) == *v.VpcId {
			return nil, errorf("InvalidParameterValue", "VPC %s already has virtual private gateway %s attached", *v.VpcId, *other.VpnGatewayId)
		}
	}
	c.touch("vpn-gateway", *g.VpnGatewayId)
	a := ec2api.VpcAttachment{VpcId: v.VpcId, State: str("attached")}
	g.VpcAttachments = []ec2api.VpcAttachment{a}
	c.check(*v.VpcId)
	return &ec2api.AttachVpnGatewayResult{VpcAttachment: &ec2api.VpcAttachment{VpcId: v.VpcId, State: str("attaching")}}, nil
}

func detachVpnGateway(c *call, in *ec2api.DetachVpnGatewayRequest) (*struct{}, error) {
	g, err := c.vpnGateway(val(in.VpnGatewayId))
	if err != nil {
		return nil, err
	}
	if attachedVPC(g) != val(in.VpcId) {
		return nil, errorf("InvalidVpnGatewayAttachment.NotFound", "The attachment with vpn gateway ID '%s' and vpc ID '%s' does not exist", *g.VpnGatewayId, val(in.VpcId))
	}
	c.touch("vpn-gateway", *g.VpnGatewayId)
	g.VpcAttachments = []ec2api.VpcAttachment{{VpcId: in.VpcId, State: str("detached")}}
	c.check(val(in.VpcId))
	return &struct{}{}, nil
}

func createCustomerGateway(c *call, in *ec2api.CreateCustomerGatewayRequest) (*ec2api.CreateCustomerGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "customer-gateway"); err != nil {
		return nil, err
	}
	ip := val(in.IpAddress)
	if ip == "" {
		ip = val(in.PublicIp)
	}
	if a, err := netip.ParseAddr(ip); err != nil || !a.Is4() {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter ipAddress is invalid. This is not a valid IP address.", ip)
	}
	asn := "65000"
	switch {
	case in.BgpAsnExtended != nil:
		asn = strconv.FormatInt(*in.BgpAsnExtended, 10)
	case in.BgpAsn != nil:
		asn = strconv.Itoa(int(*in.BgpAsn))
	}
	id := c.newID("cgw")
	g := &ec2api.CustomerGateway{CustomerGatewayId: str(id), IpAddress: str(ip), BgpAsn: str(asn), Type: str("ipsec.1"),
		State: str("available"), DeviceName: in.DeviceName, Tags: tagsFrom(in.TagSpecifications, "customer-gateway")}
	c.touch("customer-gateway", id)
	c.st.cgws.put(id, g)
	return &ec2api.CreateCustomerGatewayResult{CustomerGateway: g}, nil
}

func describeCustomerGateways(c *call, in *ec2api.DescribeCustomerGatewaysRequest) (*ec2api.DescribeCustomerGatewaysResult, error) {
	gs, _, err := describe(query{op: "DescribeCustomerGateways", ids: in.CustomerGatewayIds, filters: in.Filters,
		notFound: "InvalidCustomerGatewayID.NotFound", what: "customerGateway"},
		c.st.cgws.all(), func(g *ec2api.CustomerGateway) string { return val(g.CustomerGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeCustomerGatewaysResult{CustomerGateways: gs}, nil
}

func deleteCustomerGateway(c *call, in *ec2api.DeleteCustomerGatewayRequest) (*struct{}, error) {
	id := val(in.CustomerGatewayId)
	if !c.st.cgws.has(id) {
		return nil, notFound("InvalidCustomerGatewayID.NotFound", "customerGateway", id)
	}
	if slices.ContainsFunc(c.st.vpns.all(), func(v *ec2api.VpnConnection) bool { return val(v.CustomerGatewayId) == id }) {
		return nil, errorf("IncorrectState", "The customer gateway '%s' is in use by a VPN connection.", id)
	}
	c.touch("customer-gateway", id)
	c.st.cgws.remove(id)
	return &struct{}{}, nil
}

// CreateVpnConnection joins a customer gateway to a virtual private gateway. Its static
// routes (CreateVpnConnectionRoute) are the on-premises networks the engine routes to.
func createVpnConnection(c *call, in *ec2api.CreateVpnConnectionRequest) (*ec2api.CreateVpnConnectionResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "vpn-connection"); err != nil {
		return nil, err
	}
	if in.TransitGatewayId != nil {
		return nil, errorf("UnsupportedOperation", "vpclab serve does not serve VPN connections on a transit gateway yet")
	}
	g, err := c.vpnGateway(val(in.VpnGatewayId))
	if err != nil {
		return nil, err
	}
	if !c.st.cgws.has(val(in.CustomerGatewayId)) {
		return nil, notFound("InvalidCustomerGatewayID.NotFound", "customerGateway", val(in.CustomerGatewayId))
	}
	static := in.Options != nil && deref(in.Options.StaticRoutesOnly)
	id := c.newID("vpn")
	v := &ec2api.VpnConnection{VpnConnectionId: str(id), VpnGatewayId: g.VpnGatewayId, CustomerGatewayId: in.CustomerGatewayId,
		Type: str("ipsec.1"), Category: str("VPN"), State: str("available"), Routes: []ec2api.VpnStaticRoute{},
		Options: &ec2api.VpnConnectionOptions{StaticRoutesOnly: boolp(static), EnableAcceleration: boolp(false),
			LocalIpv4NetworkCidr: str("0.0.0.0/0"), RemoteIpv4NetworkCidr: str("0.0.0.0/0"), TunnelInsideIpVersion: str("ipv4"),
			OutsideIpAddressType: str("PublicIpv4")},
		VgwTelemetry: []ec2api.VgwTelemetry{}, Tags: tagsFrom(in.TagSpecifications, "vpn-connection")}
	c.touch("vpn-connection", id)
	c.st.vpns.put(id, v)
	c.check(attachedVPC(g))
	out := *v
	out.State = str("pending") // as in AWS's answer; describe shows it available
	return &ec2api.CreateVpnConnectionResult{VpnConnection: &out}, nil
}

func describeVpnConnections(c *call, in *ec2api.DescribeVpnConnectionsRequest) (*ec2api.DescribeVpnConnectionsResult, error) {
	vs, _, err := describe(query{op: "DescribeVpnConnections", ids: in.VpnConnectionIds, filters: in.Filters,
		notFound: "InvalidVpnConnectionID.NotFound", what: "vpnConnection"},
		c.st.vpns.all(), func(v *ec2api.VpnConnection) string { return val(v.VpnConnectionId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVpnConnectionsResult{VpnConnections: vs}, nil
}

func (c *call) vpnConnection(id string) (*ec2api.VpnConnection, error) {
	v := c.st.vpns.get(id)
	if v == nil {
		return nil, notFound("InvalidVpnConnectionID.NotFound", "vpnConnection", id)
	}
	return v, nil
}

func deleteVpnConnection(c *call, in *ec2api.DeleteVpnConnectionRequest) (*struct{}, error) {
	v, err := c.vpnConnection(val(in.VpnConnectionId))
	if err != nil {
		return nil, err
	}
	c.touch("vpn-connection", *v.VpnConnectionId)
	c.st.vpns.remove(*v.VpnConnectionId)
	if g := c.st.vgws.get(val(v.VpnGatewayId)); g != nil {
		c.check(attachedVPC(g))
	}
	return &struct{}{}, nil
}

// vpnRoute adds or removes a VPN connection's static route: an on-premises network.
func (c *call) vpnRoute(id, cidr string, add bool) error {
	v, err := c.vpnConnection(id)
	if err != nil {
		return err
	}
	p, err := parseCIDR("destinationCidrBlock", cidr)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(v.Routes, func(r ec2api.VpnStaticRoute) bool { return val(r.DestinationCidrBlock) == p.String() })
	switch {
	case add && i >= 0:
		return errorf("RouteAlreadyExists", "The route identified by %s already exists.", p)
	case !add && i < 0:
		return errorf("InvalidRoute.NotFound", "no route with destination-cidr-block %s in VPN connection %s", p, id)
	}
	c.touch("vpn-connection", id)
	if add {
		v.Routes = append(v.Routes, ec2api.VpnStaticRoute{DestinationCidrBlock: str(p.String()), Source: str("Static"), State: str("available")})
	} else {
		v.Routes = slices.Delete(v.Routes, i, i+1)
	}
	if g := c.st.vgws.get(val(v.VpnGatewayId)); g != nil {
		c.check(attachedVPC(g))
	}
	return nil
}

// propagation turns a route table's propagation from a virtual private gateway on or off
// (§7.3): the VPN's routes then appear in the table as propagated routes.
func (c *call) propagation(tableID, gatewayID string, on bool) error {
	rt, err := c.routeTable(tableID)
	if err != nil {
		return err
	}
	g, err := c.vpnGateway(gatewayID)
	if err != nil {
		return err
	}
	if on && attachedVPC(g) != val(rt.VpcId) {
		return errorf("Gateway.NotAttached", "resource %s is not attached to network %s", gatewayID, val(rt.VpcId))
	}
	i := slices.IndexFunc(rt.PropagatingVgws, func(p ec2api.PropagatingVgw) bool { return val(p.GatewayId) == gatewayID })
	c.touch("route-table", *rt.RouteTableId)
	switch {
	case on && i < 0:
		rt.PropagatingVgws = append(rt.PropagatingVgws, ec2api.PropagatingVgw{GatewayId: str(gatewayID)})
	case !on && i >= 0:
		rt.PropagatingVgws = slices.Delete(rt.PropagatingVgws, i, i+1)
	}
	c.check(val(rt.VpcId))
	return nil
}
