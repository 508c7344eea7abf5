package serve

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Route tables, their routes and associations (§1.2).

func init() {
	register("CreateRouteTable", createRouteTable)
	register("DescribeRouteTables", describeRouteTables)
	register("DeleteRouteTable", deleteRouteTable)
	register("AssociateRouteTable", associateRouteTable)
	register("DisassociateRouteTable", disassociateRouteTable)
	register("ReplaceRouteTableAssociation", replaceRouteTableAssociation)
	register("CreateRoute", createRoute)
	register("ReplaceRoute", replaceRoute)
	register("DeleteRoute", deleteRoute)
}

func createRouteTable(c *call, in *ec2api.CreateRouteTableRequest) (*ec2api.CreateRouteTableResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "route-table"); err != nil {
		return nil, err
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	id := c.newID("rtb")
	rt := &ec2api.RouteTable{RouteTableId: str(id), VpcId: v.VpcId, OwnerId: str(c.s.opt.Account),
		Associations: []ec2api.RouteTableAssociation{}, PropagatingVgws: []ec2api.PropagatingVgw{},
		Tags: tagsFrom(in.TagSpecifications, "route-table")}
	for _, a := range v.CidrBlockAssociationSet {
		if p, err := netip.ParsePrefix(val(a.CidrBlock)); err == nil {
			rt.Routes = append(rt.Routes, localRoute(p))
		}
	}
	c.touch("route-table", id)
	c.st.routeTables.put(id, rt)
	c.check(*v.VpcId)
	return &ec2api.CreateRouteTableResult{RouteTable: rt}, nil
}

func describeRouteTables(c *call, in *ec2api.DescribeRouteTablesRequest) (*ec2api.DescribeRouteTablesResult, error) {
	rs, next, err := describe(query{op: "DescribeRouteTables", ids: in.RouteTableIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidRouteTableID.NotFound", what: "routeTable"},
		c.st.routeTables.all(), func(r *ec2api.RouteTable) string { return val(r.RouteTableId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeRouteTablesResult{RouteTables: rs, NextToken: next}, nil
}

func (c *call) routeTable(id string) (*ec2api.RouteTable, error) {
	if err := checkID(id, "rtb", "InvalidRouteTableID.Malformed"); err != nil {
		return nil, err
	}
	r := c.st.routeTables.get(id)
	if r == nil {
		return nil, notFound("InvalidRouteTableID.NotFound", "routeTable", id)
	}
	return r, nil
}

func deleteRouteTable(c *call, in *ec2api.DeleteRouteTableRequest) (*struct{}, error) {
	r, err := c.routeTable(val(in.RouteTableId))
	if err != nil {
		return nil, err
	}
	if len(r.Associations) > 0 {
		return nil, errorf("DependencyViolation", "The routeTable '%s' has dependencies and cannot be deleted.", *r.RouteTableId)
	}
	c.touch("route-table", *r.RouteTableId)
	c.st.routeTables.remove(*r.RouteTableId)
	return &struct{}{}, nil
}

// AssociateRouteTable: a subnet has one explicit association at most (§1.2.2).
func associateRouteTable(c *call, in *ec2api.AssociateRouteTableRequest) (*ec2api.AssociateRouteTableResult, error) {
	r, err := c.routeTable(val(in.RouteTableId))
	if err != nil {
		return nil, err
	}
	if in.GatewayId != nil {
		return nil, errorf("UnsupportedOperation", "vpclab serve does not associate route tables with gateways (edge associations) yet")
	}
	s, err := c.subnet(val(in.SubnetId))
	if err != nil {
		return nil, err
	}
	if val(s.VpcId) != val(r.VpcId) {
		return nil, errorf("InvalidParameterValue", "Route table %s and subnet %s belong to different networks", *r.RouteTableId, *s.SubnetId)
	}
	for _, other := range c.st.routeTables.all() {
		if slices.ContainsFunc(other.Associations, func(a ec2api.RouteTableAssociation) bool { return val(a.SubnetId) == *s.SubnetId }) {
			return nil, errorf("Resource.AlreadyAssociated", "the specified association for route table %s conflicts with an existing association", *other.RouteTableId)
		}
	}
	id := c.newID("rtbassoc")
	state := &ec2api.RouteTableAssociationState{State: str("associated")}
	c.touch("route-table", *r.RouteTableId)
	r.Associations = append(r.Associations, ec2api.RouteTableAssociation{Main: boolp(false), RouteTableAssociationId: str(id),
		RouteTableId: r.RouteTableId, SubnetId: s.SubnetId, AssociationState: state})
	c.check(val(r.VpcId))
	return &ec2api.AssociateRouteTableResult{AssociationId: str(id), AssociationState: state}, nil
}

// association finds the route table holding association id.
func (c *call) association(id string) (*ec2api.RouteTable, int, error) {
	if err := checkID(id, "rtbassoc", "InvalidAssociationID.Malformed"); err != nil {
		return nil, 0, err
	}
	for _, r := range c.st.routeTables.all() {
		if i := slices.IndexFunc(r.Associations, func(a ec2api.RouteTableAssociation) bool { return val(a.RouteTableAssociationId) == id }); i >= 0 {
			return r, i, nil
		}
	}
	return nil, 0, errorf("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

func disassociateRouteTable(c *call, in *ec2api.DisassociateRouteTableRequest) (*struct{}, error) {
	r, i, err := c.association(val(in.AssociationId))
	if err != nil {
		return nil, err
	}
	if val(r.Associations[i].SubnetId) == "" {
		return nil, errorf("InvalidParameterValue", "cannot disassociate the main route table association %s", val(in.AssociationId))
	}
	c.touch("route-table", *r.RouteTableId)
	r.Associations = slices.Delete(r.Associations, i, i+1)
	c.check(val(r.VpcId))
	return &struct{}{}, nil
}

// ReplaceRouteTableAssociation moves an association (a subnet's, or the main one) to
// another table of the VPC.
func replaceRouteTableAssociation(c *call, in *ec2api.ReplaceRouteTableAssociationRequest) (*ec2api.ReplaceRouteTableAssociationResult, error) {
	from, i, err := c.association(val(in.AssociationId))
	if err != nil {
		return nil, err
	}
	to, err := c.routeTable(val(in.RouteTableId))
	if err != nil {
		return nil, err
	}
	if val(to.VpcId) != val(from.VpcId) {
		return nil, errorf("InvalidParameterValue", "Route table %s and association %s belong to different networks", *to.RouteTableId, val(in.AssociationId))
	}
	a := from.Associations[i]
	c.touch("route-table", *from.RouteTableId)
	c.touch("route-table", *to.RouteTableId)
	from.Associations = slices.Delete(from.Associations, i, i+1)
	a.RouteTableAssociationId = str(c.newID("rtbassoc"))
	a.RouteTableId = to.RouteTableId
	to.Associations = append(to.Associations, a)
	c.check(val(to.VpcId))
	return &ec2api.ReplaceRouteTableAssociationResult{NewAssociationId: a.RouteTableAssociationId, AssociationState: a.AssociationState}, nil
}

// routeTarget is a CreateRoute or ReplaceRoute request's destination and target.
type routeTarget struct {
	table                                                       *string
	cidr, cidr6, prefixList                                     *string
	gateway, nat, eni, instance, peering, tgw, egressOnly, vpce *string
	carrier, localGW, coreNetwork                               *string
}

// route checks a route's destination and target against the VPC, and makes it.
func (c *call) route(rt *ec2api.RouteTable, t routeTarget) (ec2api.Route, error) {
	var r ec2api.Route
	switch {
	case t.cidr != nil:
		p, err := parseCIDR("destinationCidrBlock", *t.cidr)
		if err != nil {
			return r, err
		}
		r.DestinationCidrBlock = str(p.String())
	case t.cidr6 != nil:
		return r, errorf("UnsupportedOperation", "vpclab serve does not take IPv6 routes yet")
	case t.prefixList != nil:
		return r, errorf("UnsupportedOperation", "vpclab serve does not take prefix-list routes yet")
	default:
		return r, errorf("MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	n := 0
	for _, p := range []*string{t.gateway, t.nat, t.eni, t.instance, t.peering, t.tgw, t.egressOnly, t.vpce, t.carrier, t.localGW, t.coreNetwork} {
		if p != nil {
			n++
		}
	}
	if n != 1 {
		return r, errorf("InvalidParameterCombination", "The parameter combination is not valid: exactly one route target must be given")
	}
	vpcID := val(rt.VpcId)
	switch {
	case t.gateway != nil && c.st.vgws.has(*t.gateway):
		if attachedVPC(c.st.vgws.get(*t.gateway)) != vpcID {
			return r, errorf("InvalidParameterValue", "route table %s and network gateway %s belong to different networks", *rt.RouteTableId, *t.gateway)
		}
		r.GatewayId = t.gateway
	case t.gateway != nil:
		g := c.st.igws.get(*t.gateway)
		if g == nil {
			return r, errorf("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", *t.gateway)
		}
		if !attachedTo(g, vpcID) {
			return r, errorf("InvalidParameterValue", "route table %s and network gateway %s belong to different networks", *rt.RouteTableId, *t.gateway)
		}
		r.GatewayId = t.gateway
	case t.nat != nil:
		ng := c.st.nats.get(*t.nat)
		if ng == nil || val(ng.State) == "deleted" {
			return r, errorf("InvalidNatGatewayID.NotFound", "The natGateway ID '%s' does not exist", *t.nat)
		}
		r.NatGatewayId = t.nat
	case t.eni != nil:
		e := c.st.enis.get(*t.eni)
		if e == nil {
			return r, errorf("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", *t.eni)
		}
		r.NetworkInterfaceId = t.eni
	case t.instance != nil:
		inst := c.instance(*t.instance)
		if inst == nil {
			return r, errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", *t.instance)
		}
		if len(inst.NetworkInterfaces) != 1 {
			return r, errorf("InvalidInstanceID", "There are multiple interfaces attached to instance '%s'. Please specify an interface ID for the operation instead.", *t.instance)
		}
		r.InstanceId, r.InstanceOwnerId, r.NetworkInterfaceId = t.instance, str(c.s.opt.Account), inst.NetworkInterfaces[0].NetworkInterfaceId
	case t.peering != nil:
		if err := c.peeringRoute(rt, &r, *t.peering); err != nil {
			return r, err
		}
	case t.tgw != nil:
		if err := c.tgwRouteTarget(vpcID, *t.tgw); err != nil {
			return r, err
		}
		r.TransitGatewayId = t.tgw
	default:
		return r, errorf("UnsupportedOperation", "vpclab serve does not take routes to this kind of target yet (endpoint, egress-only gateway, carrier or local gateway, core network)")
	}
	r.Origin = str("CreateRoute")
	if r.State == nil {
		r.State = str("active")
	}
	return r, nil
}

func createRoute(c *call, in *ec2api.CreateRouteRequest) (*ec2api.CreateRouteResult, error) {
	rt, r, err := c.requestedRoute(in)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(rt.Routes, func(x ec2api.Route) bool { return val(x.DestinationCidrBlock) == *r.DestinationCidrBlock }) {
		return nil, errorf("RouteAlreadyExists", "The route identified by %s already exists.", *r.DestinationCidrBlock)
	}
	c.touch("route-table", *rt.RouteTableId)
	rt.Routes = append(rt.Routes, r)
	c.check(val(rt.VpcId))
	return &ec2api.CreateRouteResult{Return: boolp(true)}, nil
}

// requestedRoute is the route table and the checked route a CreateRoute (or ReplaceRoute,
// whose members are the same) names.
func (c *call) requestedRoute(in *ec2api.CreateRouteRequest) (*ec2api.RouteTable, ec2api.Route, error) {
	rt, err := c.routeTable(val(in.RouteTableId))
	if err != nil {
		return nil, ec2api.Route{}, err
	}
	r, err := c.route(rt, routeTarget{cidr: in.DestinationCidrBlock, cidr6: in.DestinationIpv6CidrBlock, prefixList: in.DestinationPrefixListId,
		gateway: in.GatewayId, nat: in.NatGatewayId, eni: in.NetworkInterfaceId, instance: in.InstanceId, peering: in.VpcPeeringConnectionId,
		tgw: in.TransitGatewayId, egressOnly: in.EgressOnlyInternetGatewayId, vpce: in.VpcEndpointId, carrier: in.CarrierGatewayId,
		localGW: in.LocalGatewayId, coreNetwork: in.CoreNetworkArn})
	return rt, r, err
}

func replaceRoute(c *call, in *ec2api.ReplaceRouteRequest) (*struct{}, error) {
	rt, r, err := c.requestedRoute(&ec2api.CreateRouteRequest{RouteTableId: in.RouteTableId, DestinationCidrBlock: in.DestinationCidrBlock,
		DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock, DestinationPrefixListId: in.DestinationPrefixListId, GatewayId: in.GatewayId,
		NatGatewayId: in.NatGatewayId, NetworkInterfaceId: in.NetworkInterfaceId, InstanceId: in.InstanceId,
		VpcPeeringConnectionId: in.VpcPeeringConnectionId, TransitGatewayId: in.TransitGatewayId,
		EgressOnlyInternetGatewayId: in.EgressOnlyInternetGatewayId, VpcEndpointId: in.VpcEndpointId, CarrierGatewayId: in.CarrierGatewayId,
		LocalGatewayId: in.LocalGatewayId, CoreNetworkArn: in.CoreNetworkArn})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(rt.Routes, func(x ec2api.Route) bool { return val(x.DestinationCidrBlock) == *r.DestinationCidrBlock })
	if i < 0 {
		return nil, errorf("InvalidRoute.NotFound", "no route with destination-cidr-block %s in route table %s", *r.DestinationCidrBlock, *rt.RouteTableId)
	}
	if val(rt.Routes[i].Origin) == "CreateRouteTable" {
		r.Origin = str("CreateRouteTable") // the local route, pointed at a middlebox (§1.2.5), stays the table's own
	}
	c.touch("route-table", *rt.RouteTableId)
	rt.Routes[i] = r
	c.check(val(rt.VpcId))
	return &struct{}{}, nil
}

func deleteRoute(c *call, in *ec2api.DeleteRouteRequest) (*struct{}, error) {
	rt, err := c.routeTable(val(in.RouteTableId))
	if err != nil {
		return nil, err
	}
	if in.DestinationCidrBlock == nil {
		return nil, errorf("UnsupportedOperation", "vpclab serve deletes IPv4 routes only yet")
	}
	i := slices.IndexFunc(rt.Routes, func(x ec2api.Route) bool { return val(x.DestinationCidrBlock) == *in.DestinationCidrBlock })
	if i < 0 {
		return nil, errorf("InvalidRoute.NotFound", "no route with destination-cidr-block %s in route table %s", *in.DestinationCidrBlock, *rt.RouteTableId)
	}
	if val(rt.Routes[i].GatewayId) == "local" {
		return nil, errorf("InvalidParameterValue", "cannot remove local route %s in route table %s", *in.DestinationCidrBlock, *rt.RouteTableId)
	}
	c.touch("route-table", *rt.RouteTableId)
	rt.Routes = slices.Delete(rt.Routes, i, i+1)
	c.check(val(rt.VpcId))
	return &struct{}{}, nil
}
