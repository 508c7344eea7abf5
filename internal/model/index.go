package model

// Index maps IDs to objects, for code that looks many of them up (validation, defaults,
// frontends): the Topology's own lookups scan, which is quadratic over a large estate. An
// Index reflects the topology when it was built; add to it what you append afterwards.
type Index struct {
	VPCs           map[VPCID]*VPC
	Subnets        map[SubnetID]*Subnet
	ENIs           map[ENIID]*NetworkInterface
	Instances      map[InstanceID]*Instance
	SecurityGroups map[SecurityGroupID]*SecurityGroup
	NATGateways    map[NATGatewayID]*NATGateway
	VPNGateways    map[VPNGatewayID]*VPNGateway
	// NATOfENI is the NAT gateway each requester-managed ENI belongs to.
	NATOfENI map[ENIID]*NATGateway
	// InstanceOfENI is the instance each ENI is attached to (by either side's record).
	InstanceOfENI map[ENIID]*Instance
}

// NewIndex indexes a topology. Where IDs repeat (validation reports that), the first wins.
func NewIndex(t *Topology) *Index {
	ix := &Index{
		VPCs:           byID(t.VPCs, func(x *VPC) VPCID { return x.ID }),
		Subnets:        byID(t.Subnets, func(x *Subnet) SubnetID { return x.ID }),
		ENIs:           byID(t.NetworkInterfaces, func(x *NetworkInterface) ENIID { return x.ID }),
		Instances:      byID(t.Instances, func(x *Instance) InstanceID { return x.ID }),
		SecurityGroups: byID(t.SecurityGroups, func(x *SecurityGroup) SecurityGroupID { return x.ID }),
		NATGateways:    byID(t.NATGateways, func(x *NATGateway) NATGatewayID { return x.ID }),
		VPNGateways:    byID(t.VPNGateways, func(x *VPNGateway) VPNGatewayID { return x.ID }),
		NATOfENI:       make(map[ENIID]*NATGateway, len(t.NATGateways)),
		InstanceOfENI:  make(map[ENIID]*Instance, len(t.NetworkInterfaces)),
	}
	for _, n := range t.NATGateways {
		for _, a := range n.Addresses {
			if _, dup := ix.NATOfENI[a.ENI]; a.ENI != "" && !dup {
				ix.NATOfENI[a.ENI] = n
			}
		}
	}
	for _, in := range t.Instances {
		for _, id := range in.ENIs {
			if _, dup := ix.InstanceOfENI[id]; !dup {
				ix.InstanceOfENI[id] = in
			}
		}
	}
	for _, e := range t.NetworkInterfaces {
		if in := ix.Instances[e.Instance]; in != nil {
			if _, known := ix.InstanceOfENI[e.ID]; !known {
				ix.InstanceOfENI[e.ID] = in
			}
		}
	}
	return ix
}

func byID[ID comparable, T any](xs []*T, id func(*T) ID) map[ID]*T {
	m := make(map[ID]*T, len(xs))
	for _, x := range xs {
		if _, dup := m[id(x)]; !dup {
			m[id(x)] = x
		}
	}
	return m
}
