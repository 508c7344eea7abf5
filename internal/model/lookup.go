package model

import "net/netip"

// Lookups by ID. They scan: the model is configuration, and the engine builds its own indexes
// when it compiles. Each returns nil when there is no such object.

func (t *Topology) VPC(id VPCID) *VPC {
	for _, v := range t.VPCs {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (t *Topology) Subnet(id SubnetID) *Subnet {
	for _, s := range t.Subnets {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (t *Topology) ENI(id ENIID) *NetworkInterface {
	for _, e := range t.NetworkInterfaces {
		if e.ID == id {
			return e
		}
	}
	return nil
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
	for _, g := range t.SecurityGroups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// DefaultSecurityGroup is the VPC's group named "default", or nil.
func (t *Topology) DefaultSecurityGroup(vpc VPCID) *SecurityGroup {
	for _, g := range t.SecurityGroups {
		if g.VPC == vpc && g.Name == "default" {
			return g
		}
	}
	return nil
}

func (t *Topology) Instance(id InstanceID) *Instance {
	for _, in := range t.Instances {
		if in.ID == id {
			return in
		}
	}
	return nil
}

func (t *Topology) NATGateway(id NATGatewayID) *NATGateway {
	for _, n := range t.NATGateways {
		if n.ID == id {
			return n
		}
	}
	return nil
}

func (t *Topology) VPNGateway(id VPNGatewayID) *VPNGateway {
	for _, g := range t.VPNGateways {
		if g.ID == id {
			return g
		}
	}
	return nil
}
