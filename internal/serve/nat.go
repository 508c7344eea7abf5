package serve

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// NAT gateways (§2) and Elastic IP addresses.

func init() {
	register("CreateNatGateway", createNatGateway)
	register("DescribeNatGateways", describeNatGateways)
	register("DeleteNatGateway", deleteNatGateway)
	register("AllocateAddress", allocateAddress)
	register("DescribeAddresses", describeAddresses)
	register("ReleaseAddress", releaseAddress)
	register("AssociateAddress", associateAddress)
	register("DisassociateAddress", disassociateAddress)
}

// CreateNatGateway makes the gateway and its requester-managed interface in the subnet; a
// public gateway takes an Elastic IP (§2.1), a private one none (§2.3).
func createNatGateway(c *call, in *ec2api.CreateNatGatewayRequest) (*ec2api.CreateNatGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "natgateway"); err != nil {
		return nil, err
	}
	s, err := c.subnet(val(in.SubnetId))
	if err != nil {
		return nil, err
	}
	conn := "public"
	if in.ConnectivityType != nil {
		conn = *in.ConnectivityType
	}
	var addr *ec2api.Address
	switch conn {
	case "public":
		if in.AllocationId == nil {
			return nil, errorf("MissingParameter", "The request must contain the parameter AllocationId for a public NAT gateway")
		}
		if addr = c.st.addresses.get(*in.AllocationId); addr == nil {
			return nil, errorf("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", *in.AllocationId)
		}
		if addr.AssociationId != nil {
			return nil, errorf("Resource.AlreadyAssociated", "Elastic IP address [%s] is already associated", *in.AllocationId)
		}
	case "private":
		if in.AllocationId != nil {
			return nil, errorf("InvalidParameterCombination", "A private NAT gateway takes no Elastic IP address")
		}
	default:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter connectivityType is invalid. Expected public or private.", conn)
	}
	var ip netip.Addr
	if in.PrivateIpAddress != nil {
		ip, err = c.takeAddress(s, *in.PrivateIpAddress)
	} else {
		ip, err = c.freeAddress(s)
	}
	if err != nil {
		return nil, err
	}
	id := c.newID("nat")
	e := c.newInterface(s, ip, nil, "nat_gateway", "Interface for NAT Gateway "+id)
	e.Attachment = nil
	na := ec2api.NatGatewayAddress{NetworkInterfaceId: e.NetworkInterfaceId, PrivateIp: str(ip.String()), IsPrimary: boolp(true), Status: str("succeeded")}
	if addr != nil {
		c.touch("address", *addr.AllocationId)
		assoc := c.newID("eipassoc")
		addr.AssociationId, addr.NetworkInterfaceId, addr.PrivateIpAddress = str(assoc), e.NetworkInterfaceId, str(ip.String())
		addr.NetworkInterfaceOwnerId = str(c.s.opt.Account)
		na.AllocationId, na.AssociationId, na.PublicIp = addr.AllocationId, str(assoc), addr.PublicIp
		e.Association = &ec2api.NetworkInterfaceAssociation{AllocationId: addr.AllocationId, AssociationId: str(assoc),
			IpOwnerId: str(c.s.opt.Account), PublicIp: addr.PublicIp}
	}
	n := &ec2api.NatGateway{NatGatewayId: str(id), SubnetId: s.SubnetId, VpcId: s.VpcId, ConnectivityType: str(conn),
		State: str("pending"), CreateTime: c.time(), NatGatewayAddresses: []ec2api.NatGatewayAddress{na},
		Tags: tagsFrom(in.TagSpecifications, "natgateway")}
	c.touch("nat-gateway", id)
	c.st.nats.put(id, n)
	c.s.transient[[2]string{"nat-gateway", id}] = c.s.opt.Now()
	c.check(val(s.VpcId))
	return &ec2api.CreateNatGatewayResult{NatGateway: n, ClientToken: in.ClientToken}, nil
}

func describeNatGateways(c *call, in *ec2api.DescribeNatGatewaysRequest) (*ec2api.DescribeNatGatewaysResult, error) {
	ns, next, err := describe(query{op: "DescribeNatGateways", ids: in.NatGatewayIds, filters: in.Filter, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "NatGatewayNotFound", what: "natGateway"},
		c.st.nats.all(), func(n *ec2api.NatGateway) string { return val(n.NatGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNatGatewaysResult{NatGateways: ns, NextToken: next}, nil
}

// DeleteNatGateway: the gateway is deleting, then deleted (visible for the retention); its
// interface goes and its Elastic IP is free again.
func deleteNatGateway(c *call, in *ec2api.DeleteNatGatewayRequest) (*ec2api.DeleteNatGatewayResult, error) {
	id := val(in.NatGatewayId)
	n := c.st.nats.get(id)
	if n == nil || val(n.State) == "deleted" {
		return nil, errorf("NatGatewayNotFound", "NAT gateway %s was not found", id)
	}
	c.touch("nat-gateway", id)
	n.State = str("deleting")
	for _, a := range n.NatGatewayAddresses {
		if eni := val(a.NetworkInterfaceId); eni != "" {
			c.touch("network-interface", eni)
			c.st.enis.remove(eni)
		}
		if a.AllocationId != nil {
			if addr := c.st.addresses.get(*a.AllocationId); addr != nil {
				c.touch("address", *a.AllocationId)
				addr.AssociationId, addr.NetworkInterfaceId, addr.PrivateIpAddress, addr.NetworkInterfaceOwnerId = nil, nil, nil, nil
			}
		}
	}
	c.s.transient[[2]string{"nat-gateway", id}] = c.s.opt.Now()
	c.check(val(n.VpcId))
	return &ec2api.DeleteNatGatewayResult{NatGatewayId: str(id)}, nil
}

// allocateAddress gives a public address from 3.80.0.0/12 (an AWS range), the next one
// for each allocation, so the same seed and requests give the same addresses.
func allocateAddress(c *call, in *ec2api.AllocateAddressRequest) (*ec2api.AllocateAddressResult, error) {
	if d := val(in.Domain); d != "" && d != "vpc" {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter domain is invalid. Expected vpc.", d)
	}
	if err := checkTagSpecs(in.TagSpecifications, "elastic-ip"); err != nil {
		return nil, err
	}
	base := netip.MustParseAddr("3.80.0.10")
	used := map[string]bool{}
	for _, a := range c.st.addresses.all() {
		used[val(a.PublicIp)] = true
	}
	ip := base
	for used[ip.String()] {
		ip = ip.Next()
	}
	id := c.newID("eipalloc")
	a := &ec2api.Address{AllocationId: str(id), PublicIp: str(ip.String()), Domain: str("vpc"), PublicIpv4Pool: str("amazon"),
		NetworkBorderGroup: str(c.s.opt.Region), Tags: tagsFrom(in.TagSpecifications, "elastic-ip")}
	c.touch("address", id)
	c.st.addresses.put(id, a)
	return &ec2api.AllocateAddressResult{AllocationId: a.AllocationId, PublicIp: a.PublicIp, Domain: a.Domain,
		PublicIpv4Pool: a.PublicIpv4Pool, NetworkBorderGroup: a.NetworkBorderGroup}, nil
}

func describeAddresses(c *call, in *ec2api.DescribeAddressesRequest) (*ec2api.DescribeAddressesResult, error) {
	all := c.st.addresses.all()
	if len(in.PublicIps) > 0 {
		all = pick(all, func(a *ec2api.Address) bool { return slices.Contains(in.PublicIps, val(a.PublicIp)) })
		if len(all) != len(in.PublicIps) {
			return nil, errorf("InvalidAddress.NotFound", "Address '%v' not found.", in.PublicIps)
		}
	}
	as, _, err := describe(query{op: "DescribeAddresses", ids: in.AllocationIds, filters: in.Filters,
		notFound: "InvalidAllocationID.NotFound", what: "allocation"},
		all, func(a *ec2api.Address) string { return val(a.AllocationId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeAddressesResult{Addresses: as}, nil
}

func releaseAddress(c *call, in *ec2api.ReleaseAddressRequest) (*struct{}, error) {
	id := val(in.AllocationId)
	a := c.st.addresses.get(id)
	if a == nil {
		return nil, errorf("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
	}
	if a.AssociationId != nil {
		return nil, errorf("InvalidIPAddress.InUse", "Address %s is in use.", val(a.PublicIp))
	}
	c.touch("address", id)
	c.st.addresses.remove(id)
	return &struct{}{}, nil
}

// AssociateAddress puts an Elastic IP on an interface (an instance's primary one).
func associateAddress(c *call, in *ec2api.AssociateAddressRequest) (*ec2api.AssociateAddressResult, error) {
	a := c.st.addresses.get(val(in.AllocationId))
	if a == nil {
		return nil, errorf("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", val(in.AllocationId))
	}
	var e *ec2api.NetworkInterface
	switch {
	case in.NetworkInterfaceId != nil:
		if e = c.st.enis.get(*in.NetworkInterfaceId); e == nil {
			return nil, notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", *in.NetworkInterfaceId)
		}
	case in.InstanceId != nil:
		for _, x := range c.st.enis.all() {
			if x.Attachment != nil && val(x.Attachment.InstanceId) == *in.InstanceId && deref32(x.Attachment.DeviceIndex) == 0 {
				e = x
			}
		}
		if e == nil {
			return nil, notFound("InvalidInstanceID.NotFound", "instance", *in.InstanceId)
		}
	default:
		return nil, errorf("MissingParameter", "Either an instance ID or a network interface ID must be specified")
	}
	if a.AssociationId != nil && !deref(in.AllowReassociation) {
		return nil, errorf("Resource.AlreadyAssociated", "resource %s is already associated with associate-id %s", *a.AllocationId, *a.AssociationId)
	}
	assoc := c.newID("eipassoc")
	c.touch("address", *a.AllocationId)
	c.touch("network-interface", *e.NetworkInterfaceId)
	a.AssociationId, a.NetworkInterfaceId, a.PrivateIpAddress, a.NetworkInterfaceOwnerId = str(assoc), e.NetworkInterfaceId, e.PrivateIpAddress, str(c.s.opt.Account)
	if e.Attachment != nil {
		a.InstanceId = e.Attachment.InstanceId
	}
	e.Association = &ec2api.NetworkInterfaceAssociation{AllocationId: a.AllocationId, AssociationId: str(assoc),
		IpOwnerId: str(c.s.opt.Account), PublicIp: a.PublicIp}
	c.check(val(e.VpcId))
	return &ec2api.AssociateAddressResult{AssociationId: str(assoc)}, nil
}

func disassociateAddress(c *call, in *ec2api.DisassociateAddressRequest) (*struct{}, error) {
	for _, a := range c.st.addresses.all() {
		if a.AssociationId != nil && *a.AssociationId == val(in.AssociationId) {
			if e := c.st.enis.get(val(a.NetworkInterfaceId)); e != nil {
				c.touch("network-interface", *e.NetworkInterfaceId)
				e.Association = nil
				c.check(val(e.VpcId))
			}
			c.touch("address", *a.AllocationId)
			a.AssociationId, a.NetworkInterfaceId, a.PrivateIpAddress, a.NetworkInterfaceOwnerId, a.InstanceId = nil, nil, nil, nil, nil
			return &struct{}{}, nil
		}
	}
	return nil, errorf("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", val(in.AssociationId))
}
