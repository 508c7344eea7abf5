package serve

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Network interfaces made on their own (§6.1): created available, attached to an instance
// in their availability zone (in-use), detached (available again), deleted when
// available. An instance's interfaces are the ones attached to it (instanceView), so an
// attachment shows in DescribeInstances, the export and the engine at once.

func init() {
	register("CreateNetworkInterface", createNetworkInterface)
	register("DeleteNetworkInterface", deleteNetworkInterface)
	register("AttachNetworkInterface", attachNetworkInterface)
	register("DetachNetworkInterface", detachNetworkInterface)
	register("DescribeNetworkInterfaceAttribute", describeNetworkInterfaceAttribute)
}

func createNetworkInterface(c *call, in *ec2api.CreateNetworkInterfaceRequest) (*ec2api.CreateNetworkInterfaceResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-interface"); err != nil {
		return nil, err
	}
	if t := val(in.InterfaceType); t != "" && t != "interface" {
		return nil, errorf("UnsupportedOperation", "vpclab serve makes network interfaces of type interface only, not %s", t)
	}
	if len(in.PrivateIpAddresses) > 0 || deref32(in.SecondaryPrivateIpAddressCount) > 0 || len(in.Ipv6Addresses) > 0 ||
		deref32(in.Ipv6AddressCount) > 0 || len(in.Ipv4Prefixes) > 0 || deref32(in.Ipv4PrefixCount) > 0 ||
		len(in.Ipv6Prefixes) > 0 || deref32(in.Ipv6PrefixCount) > 0 || deref(in.EnablePrimaryIpv6) {
		return nil, errorf("UnsupportedOperation", "vpclab serve gives a network interface its primary private IPv4 address only yet (no secondary addresses, IPv6 or prefixes)")
	}
	s, err := c.subnet(val(in.SubnetId))
	if err != nil {
		return nil, err
	}
	groups, err := c.groupsIn(val(s.VpcId), in.Groups, nil)
	if err != nil {
		return nil, err
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
	e := c.newInterface(s, ip, groups, "interface", val(in.Description))
	e.Status = str("available")
	if tags := tagsFrom(in.TagSpecifications, "network-interface"); len(tags) > 0 {
		e.TagSet = tags
	}
	out := *e
	return &ec2api.CreateNetworkInterfaceResult{NetworkInterface: &out, ClientToken: in.ClientToken}, nil
}

// networkInterface finds an interface by ID, with EC2's errors for a malformed or unknown
// one.
func (c *call) networkInterface(id string) (*ec2api.NetworkInterface, error) {
	if err := checkID(id, "eni", "InvalidNetworkInterfaceID.Malformed"); err != nil {
		return nil, err
	}
	e := c.st.enis.get(id)
	if e == nil {
		return nil, notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", id)
	}
	return e, nil
}

// DeleteNetworkInterface: only an interface that is not attached, and not one a service
// manages (a NAT gateway's); routes to it become blackhole, as AWS shows them.
func deleteNetworkInterface(c *call, in *ec2api.DeleteNetworkInterfaceRequest) (*struct{}, error) {
	e, err := c.networkInterface(val(in.NetworkInterfaceId))
	if err != nil {
		return nil, err
	}
	id := *e.NetworkInterfaceId
	if e.Attachment != nil {
		return nil, errorf("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", id)
	}
	if deref(e.RequesterManaged) {
		return nil, errorf("OperationNotPermitted", "The network interface %s is managed by a service (%s) and is deleted with it.", id, val(e.InterfaceType))
	}
	c.touch("network-interface", id)
	c.st.enis.remove(id)
	for _, rt := range c.st.routeTables.all() {
		for i := range rt.Routes {
			if val(rt.Routes[i].NetworkInterfaceId) == id {
				c.touch("route-table", *rt.RouteTableId)
				rt.Routes[i].State = str("blackhole")
			}
		}
	}
	c.check(val(e.VpcId))
	return &struct{}{}, nil
}

// AttachNetworkInterface: an available interface to a running or stopped instance in its
// availability zone, at a device index the instance does not use.
func attachNetworkInterface(c *call, in *ec2api.AttachNetworkInterfaceRequest) (*ec2api.AttachNetworkInterfaceResult, error) {
	e, err := c.networkInterface(val(in.NetworkInterfaceId))
	if err != nil {
		return nil, err
	}
	id := val(in.InstanceId)
	inst := c.instance(id)
	if inst == nil {
		return nil, notFound("InvalidInstanceID.NotFound", "instance", id)
	}
	if e.Attachment != nil || val(e.Status) != "available" {
		return nil, errorf("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", *e.NetworkInterfaceId)
	}
	if st := val(inst.State.Name); st != "running" && st != "stopped" {
		return nil, errorf("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be attached (it is %s).", id, st)
	}
	if az := val(inst.Placement.AvailabilityZone); az != val(e.AvailabilityZone) {
		return nil, errorf("InvalidParameterCombination", "The network interface %s is in %s and the instance %s in %s: they must be in the same availability zone.",
			*e.NetworkInterfaceId, val(e.AvailabilityZone), id, az)
	}
	index := deref32(in.DeviceIndex)
	if index < 0 {
		return nil, errorf("InvalidParameterValue", "Value (%d) for parameter deviceIndex is invalid.", index)
	}
	if deref32(in.NetworkCardIndex) != 0 {
		return nil, errorf("UnsupportedOperation", "vpclab serve attaches interfaces at network card 0 only")
	}
	for _, other := range c.st.enis.all() {
		if a := other.Attachment; a != nil && val(a.InstanceId) == id && deref32(a.DeviceIndex) == index {
			return nil, errorf("InvalidParameterValue", "Instance '%s' already has an interface attached at device index '%d'.", id, index)
		}
	}
	c.touch("network-interface", *e.NetworkInterfaceId)
	e.Attachment = &ec2api.NetworkInterfaceAttachment{AttachmentId: str(c.newID("eni-attach")), DeviceIndex: int32p(index),
		InstanceId: str(id), InstanceOwnerId: str(c.s.opt.Account), Status: str("attached"), DeleteOnTermination: boolp(false),
		AttachTime: c.time(), NetworkCardIndex: int32p(0)}
	e.Status = str("in-use")
	c.check(val(e.VpcId))
	c.check(val(inst.VpcId))
	return &ec2api.AttachNetworkInterfaceResult{AttachmentId: e.Attachment.AttachmentId, NetworkCardIndex: int32p(0)}, nil
}

// launchInterface checks RunInstances' interface made before (NetworkInterfaces[0] names
// it): available, at device index 0, for one instance, and with nothing the interface
// already has (subnet, address, groups) given again, as EC2 refuses.
func (c *call) launchInterface(in *ec2api.RunInstancesRequest) (*ec2api.NetworkInterface, error) {
	ni := in.NetworkInterfaces[0]
	e, err := c.networkInterface(*ni.NetworkInterfaceId)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Attachment != nil || val(e.Status) != "available":
		return nil, errorf("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", *e.NetworkInterfaceId)
	case deref32(ni.DeviceIndex) != 0:
		return nil, errorf("UnsupportedOperation", "vpclab serve launches an instance with its interface at device index 0 only")
	case deref32(in.MaxCount) > 1:
		return nil, errorf("InvalidParameterCombination", "Cannot specify a network interface ID when launching more than one instance")
	case ni.SubnetId != nil || ni.PrivateIpAddress != nil || len(ni.Groups) > 0 || in.SubnetId != nil || in.PrivateIpAddress != nil ||
		len(in.SecurityGroupIds) > 0 || len(in.SecurityGroups) > 0:
		return nil, errorf("InvalidParameterCombination", "Network interfaces and an instance-level subnet, address or security groups may not be specified on the same request")
	}
	return e, nil
}

// DetachNetworkInterface: the interface is available again; an instance's primary
// interface (device index 0) stays.
func detachNetworkInterface(c *call, in *ec2api.DetachNetworkInterfaceRequest) (*struct{}, error) {
	att := val(in.AttachmentId)
	if err := checkID(att, "eni-attach", "InvalidAttachmentID.Malformed"); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(c.st.enis.all(), func(e *ec2api.NetworkInterface) bool {
		return e.Attachment != nil && val(e.Attachment.AttachmentId) == att
	})
	if i < 0 {
		return nil, errorf("InvalidAttachmentID.NotFound", "The attachment ID '%s' does not exist", att)
	}
	e := c.st.enis.all()[i]
	if deref32(e.Attachment.DeviceIndex) == 0 {
		return nil, errorf("OperationNotPermitted", "The network interface at device index 0 cannot be detached.")
	}
	c.touch("network-interface", *e.NetworkInterfaceId)
	c.check(val(e.VpcId))
	if inst := c.instance(val(e.Attachment.InstanceId)); inst != nil {
		c.check(val(inst.VpcId))
	}
	e.Attachment = nil
	e.Status = str("available")
	return &struct{}{}, nil
}

func describeNetworkInterfaceAttribute(c *call, in *ec2api.DescribeNetworkInterfaceAttributeRequest) (*ec2api.DescribeNetworkInterfaceAttributeResult, error) {
	e, err := c.networkInterface(val(in.NetworkInterfaceId))
	if err != nil {
		return nil, err
	}
	out := &ec2api.DescribeNetworkInterfaceAttributeResult{NetworkInterfaceId: e.NetworkInterfaceId}
	switch a := val(in.Attribute); a {
	case "description":
		out.Description = &ec2api.AttributeValue{Value: e.Description}
	case "groupSet":
		out.Groups = e.Groups
	case "sourceDestCheck":
		out.SourceDestCheck = &ec2api.AttributeBooleanValue{Value: e.SourceDestCheck}
	case "attachment":
		out.Attachment = e.Attachment
	case "associatePublicIpAddress":
		out.AssociatePublicIpAddress = boolp(e.Association != nil)
	case "":
		return nil, errorf("MissingParameter", "The request must contain the parameter Attribute")
	default:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Expected description, groupSet, sourceDestCheck, attachment or associatePublicIpAddress.", a)
	}
	return out, nil
}
