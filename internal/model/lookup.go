package model

import "net/netip"

// Lookups by ID. They scan: the model is configuration, and the engine builds its own indexes
// when it compiles. Each returns nil when there is no such object.

// find returns the first element that matches, or nil.
func find[T any](xs []*T, match func(*T) bool) *T {
	for _, x := range xs {
		if match(x) {
			return x
		}
	}
	return nil
}

func (t *Topology) VPC(id VPCID) *VPC {
	return find(t.VPCs, func(x *VPC) bool { return x.ID == id })
}

func (t *Topology) Subnet(id SubnetID) *Subnet {
	return find(t.Subnets, func(x *Subnet) bool { return x.ID == id })
}

func (t *Topology) ENI(id ENIID) *NetworkInterface {
	return find(t.NetworkInterfaces, func(x *NetworkInterface) bool { return x.ID == id })
}

// ENIByIP finds the ENI in the VPC that holds ip as a private address.
func (t *Topology) ENIByIP(vpc VPCID, ip netip.Addr) *NetworkInterface {
	for _, e := range t.NetworkInterfaces {
		if e.VPC != vpc {
			continue
		}
		for _, p := range e.PrivateIPs {
			if p.Addr == ip {
				return e
			}
		}
	}
	return nil
}

func (t *Topology) SecurityGroup(id SecurityGroupID) *SecurityGroup {
	return find(t.SecurityGroups, func(x *SecurityGroup) bool { return x.ID == id })
}

// DefaultSecurityGroup is the VPC's group named "default", or nil.
func (t *Topology) DefaultSecurityGroup(vpc VPCID) *SecurityGroup {
	return find(t.SecurityGroups, func(g *SecurityGroup) bool { return g.VPC == vpc && g.Name == "default" })
}

func (t *Topology) Instance(id InstanceID) *Instance {
	return find(t.Instances, func(x *Instance) bool { return x.ID == id })
}

func (t *Topology) NATGateway(id NATGatewayID) *NATGateway {
	return find(t.NATGateways, func(x *NATGateway) bool { return x.ID == id })
}

func (t *Topology) VPNGateway(id VPNGatewayID) *VPNGateway {
	return find(t.VPNGateways, func(x *VPNGateway) bool { return x.ID == id })
}
