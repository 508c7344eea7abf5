package serve

import (
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Interface endpoints of AWS services (§7.4.11-15): one requester-managed interface of type
// vpc_endpoint in each subnet, with the endpoint's groups. The engine finds the interfaces by
// the endpoint's NetworkInterfaceIds and answers TCP 443 on them.

// createInterfaceEndpoint makes an interface endpoint and its interfaces.
func createInterfaceEndpoint(c *call, in *ec2api.CreateVpcEndpointRequest) (*ec2api.CreateVpcEndpointResult, error) {
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.s.serviceTypes(val(in.ServiceName)), "Interface") {
		return nil, errorf("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", val(in.ServiceName))
	}
	if len(in.RouteTableIds) > 0 {
		return nil, errorf("InvalidParameter", "route tables belong to gateway endpoints; an interface endpoint is reached at its interfaces")
	}
	if len(in.SubnetIds) == 0 {
		return nil, errorf("InvalidParameter", "an interface endpoint needs at least one subnet (SubnetId)")
	}
	groups, err := c.groupsIn(*v.VpcId, in.SecurityGroupIds, nil)
	if err != nil {
		return nil, err
	}
	id := c.newID("vpce")
	e := &ec2api.VpcEndpoint{VpcEndpointId: str(id), VpcEndpointType: str("Interface"), VpcId: v.VpcId, ServiceName: in.ServiceName,
		State: str("available"), PolicyDocument: str(fullAccess), RouteTableIds: []string{}, SubnetIds: []string{},
		Groups: []ec2api.SecurityGroupIdentifier{}, NetworkInterfaceIds: []string{}, DnsEntries: []ec2api.DnsEntry{},
		PrivateDnsEnabled: boolp(in.PrivateDnsEnabled == nil || *in.PrivateDnsEnabled), RequesterManaged: boolp(false),
		IpAddressType: str("ipv4"), OwnerId: str(c.s.opt.Account), CreationTimestamp: c.time(),
		Tags: tagsFrom(in.TagSpecifications, "vpc-endpoint")}
	if in.PolicyDocument != nil {
		e.PolicyDocument = in.PolicyDocument
	}
	for _, g := range groups {
		e.Groups = append(e.Groups, ec2api.SecurityGroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
	}
	c.touch("vpc-endpoint", id)
	c.st.vpces.put(id, e)
	if err := c.addEndpointInterfaces(e, in.SubnetIds); err != nil {
		return nil, err
	}
	c.check(*v.VpcId)
	return &ec2api.CreateVpcEndpointResult{VpcEndpoint: e, ClientToken: in.ClientToken}, nil
}

// addEndpointInterfaces puts an interface of the endpoint in each subnet: in its VPC, one per
// Availability Zone (§7.4.11).
func (c *call) addEndpointInterfaces(e *ec2api.VpcEndpoint, subnets []string) error {
	for _, id := range subnets {
		s, err := c.subnet(id)
		if err != nil {
			return err
		}
		if val(s.VpcId) != val(e.VpcId) {
			return errorf("InvalidParameter", "subnet %s is not in the endpoint's VPC %s", id, val(e.VpcId))
		}
		for _, other := range e.SubnetIds {
			if o := c.st.subnets.get(other); o != nil && val(o.AvailabilityZone) == val(s.AvailabilityZone) {
				return errorf("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.", id)
			}
		}
		ip, err := c.freeAddress(s)
		if err != nil {
			return err
		}
		var groups []ec2api.GroupIdentifier
		for _, g := range e.Groups {
			groups = append(groups, ec2api.GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
		}
		eni := c.newInterface(s, ip, groups, "vpc_endpoint", "VPC Endpoint Interface "+val(e.VpcEndpointId))
		e.SubnetIds = append(e.SubnetIds, id)
		e.NetworkInterfaceIds = append(e.NetworkInterfaceIds, *eni.NetworkInterfaceId)
	}
	return nil
}

// dropEndpointInterfaces removes the endpoint's interfaces in the subnets named.
func (c *call) dropEndpointInterfaces(e *ec2api.VpcEndpoint, subnets []string) {
	subnets = slices.Clone(subnets)
	for _, id := range slices.Clone(e.NetworkInterfaceIds) {
		eni := c.st.enis.get(id)
		if eni == nil || !slices.Contains(subnets, val(eni.SubnetId)) {
			continue
		}
		c.touch("network-interface", id)
		c.st.enis.remove(id)
		e.NetworkInterfaceIds = slices.DeleteFunc(e.NetworkInterfaceIds, func(x string) bool { return x == id })
		e.SubnetIds = slices.DeleteFunc(e.SubnetIds, func(x string) bool { return x == val(eni.SubnetId) })
	}
}

// modifyInterfaceEndpoint adds and removes subnets and groups, and sets private DNS; route
// tables belong to gateway endpoints.
func modifyInterfaceEndpoint(c *call, e *ec2api.VpcEndpoint, in *ec2api.ModifyVpcEndpointRequest) (*ec2api.ModifyVpcEndpointResult, error) {
	if len(in.AddRouteTableIds)+len(in.RemoveRouteTableIds) > 0 {
		return nil, errorf("InvalidParameter", "route tables belong to gateway endpoints; %s is an interface endpoint", *e.VpcEndpointId)
	}
	c.touch("vpc-endpoint", *e.VpcEndpointId)
	for _, id := range in.RemoveSubnetIds {
		if !slices.Contains(e.SubnetIds, id) {
			return nil, errorf("InvalidParameter", "subnet %s is not a subnet of endpoint %s", id, *e.VpcEndpointId)
		}
	}
	c.dropEndpointInterfaces(e, in.RemoveSubnetIds)
	if len(in.AddSecurityGroupIds) > 0 {
		add, err := c.groupsIn(val(e.VpcId), in.AddSecurityGroupIds, nil)
		if err != nil {
			return nil, err
		}
		for _, g := range add {
			if !slices.ContainsFunc(e.Groups, func(x ec2api.SecurityGroupIdentifier) bool { return val(x.GroupId) == val(g.GroupId) }) {
				e.Groups = append(e.Groups, ec2api.SecurityGroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
			}
		}
	}
	e.Groups = slices.DeleteFunc(e.Groups, func(x ec2api.SecurityGroupIdentifier) bool {
		return slices.Contains(in.RemoveSecurityGroupIds, val(x.GroupId))
	})
	if len(e.Groups) == 0 {
		return nil, errorf("InvalidParameter", "an interface endpoint keeps at least one security group")
	}
	if err := c.addEndpointInterfaces(e, in.AddSubnetIds); err != nil {
		return nil, err
	}
	for _, id := range e.NetworkInterfaceIds { // the interfaces carry the endpoint's groups
		if eni := c.st.enis.get(id); eni != nil {
			c.touch("network-interface", id)
			eni.Groups = eni.Groups[:0]
			for _, g := range e.Groups {
				eni.Groups = append(eni.Groups, ec2api.GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
			}
		}
	}
	if in.PrivateDnsEnabled != nil {
		e.PrivateDnsEnabled = in.PrivateDnsEnabled
	}
	if in.PolicyDocument != nil {
		e.PolicyDocument = in.PolicyDocument
	}
	c.check(val(e.VpcId))
	return &ec2api.ModifyVpcEndpointResult{Return: boolp(true)}, nil
}
