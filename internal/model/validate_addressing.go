package model

import "net/netip"

// Validation of addressing: NAT gateways, network interfaces and their private and public
// IPs.

// natGateways: EIP rules by connectivity type (§2.1.2, §2.1.3), the IGW a public one needs,
// at most 8 addresses (§2.1.5), addresses inside the gateway's subnet.
func (v *validator) natGateways() {
	for _, n := range v.t.NATGateways {
		switch n.State {
		case "deleted", "deleting", "failed":
			continue // AWS keeps such gateways in describe output only as history
		}
		who := "NAT gateway " + label(n.Name, n.ID)
		eip := false
		for _, a := range n.Addresses {
			eip = eip || a.PublicIP.IsValid() || a.AllocationID != ""
		}
		switch n.Connectivity {
		case ConnectivityPublic, "":
			if !eip {
				v.ps.Errorf(n.Src, "%s: a public NAT gateway needs an Elastic IP (§2.1.2)", who)
			}
			if n.VPC != "" && !v.hasIGW(n.VPC) {
				v.ps.Errorf(n.Src, "%s: VPC %s has no internet gateway attached, which a public NAT gateway needs (Gateway.NotAttached, §2.1.2)",
					who, v.vpcLabel(n.VPC))
			}
		case ConnectivityPrivate:
			if eip {
				v.ps.Errorf(n.Src, "%s: a private NAT gateway cannot have an Elastic IP (§2.1.3)", who)
			}
		default:
			v.ps.Errorf(n.Src, "%s: unknown connectivity type %q (want public or private, §2.1.1)", who, n.Connectivity)
		}
		if len(n.Addresses) > 8 {
			v.ps.Errorf(n.Src, "%s: %d private IPs; a NAT gateway has at most 8 (§2.1.5)", who, len(n.Addresses))
		}
		s := v.ix.Subnets[n.Subnet]
		switch {
		case n.Subnet == "":
		case s == nil:
			v.ps.Warnf(n.Src, "%s: subnet %s is not in the topology", who, n.Subnet)
		case s.VPC != n.VPC && n.VPC != "":
			v.ps.Errorf(n.Src, "%s: subnet %s is in VPC %s, not in VPC %s", who, label(s.Name, s.ID), v.vpcLabel(s.VPC), v.vpcLabel(n.VPC))
		}
		for _, a := range n.Addresses {
			v.checkPrivateIP(n.Src, func() string { return who }, a.PrivateIP, s)
		}
	}
}

func (v *validator) hasIGW(vpc VPCID) bool {
	for _, g := range v.t.InternetGateways {
		if g.VPC == vpc {
			return true
		}
	}
	return false
}

// owner names an ENI for messages: the NAT gateway it serves (with that gateway's Src), or
// the interface itself.
func (v *validator) owner(e *NetworkInterface) (string, Source) {
	if n := v.ix.NATOfENI[e.ID]; n != nil {
		return "NAT gateway " + label(n.Name, n.ID), n.Src
	}
	who := "network interface " + label(e.Name, e.ID)
	if in := v.ix.Instances[e.Instance]; in != nil {
		who += " of instance " + label(in.Name, in.ID)
	}
	return who, e.Src
}

// ownerSrc is the Source owner gives e, without naming it.
func (v *validator) ownerSrc(e *NetworkInterface) Source {
	if n := v.ix.NATOfENI[e.ID]; n != nil {
		return n.Src
	}
	return e.Src
}

// interfaces: private IPs inside the ENI's subnet and not reserved (§6.4), used once per VPC;
// security groups that exist and belong to the ENI's VPC.
func (v *validator) interfaces() {
	type use struct {
		e   *NetworkInterface
		src Source
	}
	used := map[VPCID]map[netip.Addr]use{}
	instanceVPC := make(map[InstanceID]VPCID, len(v.t.Instances))
	for _, e := range v.t.NetworkInterfaces {
		// How messages name the interface is made only for a message: most have none.
		src := v.ownerSrc(e)
		who := func() string { w, _ := v.owner(e); return w }
		if first, ok := instanceVPC[e.Instance]; ok && e.Instance != "" && e.VPC != "" && first != e.VPC {
			v.ps.Errorf(src, "%s: it is in VPC %s, but the instance's other interfaces are in VPC %s", who(), v.vpcLabel(e.VPC), v.vpcLabel(first))
		} else if !ok && e.VPC != "" {
			instanceVPC[e.Instance] = e.VPC
		}
		s := v.ix.Subnets[e.Subnet]
		switch {
		case e.Subnet == "":
		case s == nil:
			v.ps.Warnf(src, "%s: subnet %s is not in the topology", who(), e.Subnet)
		case e.Type != InterfaceTypeNATGateway: // natGateways checked these addresses
			for _, p := range e.PrivateIPs {
				v.checkPrivateIP(src, who, p.Addr, s)
			}
		}
		if used[e.VPC] == nil {
			used[e.VPC] = map[netip.Addr]use{}
		}
		for _, p := range e.PrivateIPs {
			if !p.Addr.IsValid() {
				continue
			}
			if first, dup := used[e.VPC][p.Addr]; dup && first.e != e {
				// Interfaces named alike (those of one NAT gateway) may share an address.
				if firstWho, _ := v.owner(first.e); firstWho != who() {
					v.ps.Errorf(src, "%s: private IP %s is already used by %s (%s) in VPC %s", who(), p.Addr, firstWho, first.src, v.vpcLabel(e.VPC))
					continue
				}
			}
			used[e.VPC][p.Addr] = use{e, src}
		}
		for _, id := range e.SecurityGroups {
			g := v.ix.SecurityGroups[id]
			switch {
			case g == nil:
				v.ps.Warnf(src, "%s: security group %s is not in the topology", who(), id)
			case g.VPC != e.VPC && e.VPC != "":
				v.ps.Errorf(src, "%s: security group %s belongs to VPC %s, not to VPC %s", who(), label(g.Name, g.ID), v.vpcLabel(g.VPC), v.vpcLabel(e.VPC))
			}
		}
	}
}

// publicIPs: an Elastic IP (or auto-assigned public IP) maps to one private IP (§3.1).
func (v *validator) publicIPs() {
	type holder struct {
		key, who string
		src      Source
	}
	held := map[netip.Addr]holder{}
	hold := func(pub netip.Addr, h holder) {
		if !pub.IsValid() {
			return
		}
		if first, ok := held[pub]; ok && first.key != h.key {
			v.ps.Errorf(h.src, "%s: Elastic IP %s is already used by %s (%s)", h.who, pub, first.who, first.src)
			return
		}
		held[pub] = h
	}
	for _, e := range v.t.NetworkInterfaces {
		for _, p := range e.PrivateIPs {
			if p.PublicIP.IsValid() { // the names are made only for addresses hold keeps
				who, src := v.owner(e)
				hold(p.PublicIP, holder{string(e.ID) + "/" + p.Addr.String(), who + " (" + p.Addr.String() + ")", src})
			}
		}
	}
	for _, n := range v.t.NATGateways {
		if n.State == "deleting" || n.State == "deleted" || n.State == "failed" {
			continue // it has given its addresses back (§2.1)
		}
		for _, a := range n.Addresses {
			hold(a.PublicIP, holder{string(a.ENI) + "/" + a.PrivateIP.String(), "NAT gateway " + label(n.Name, n.ID) + " (" + a.PrivateIP.String() + ")", n.Src})
		}
	}
	for _, a := range v.t.Addresses {
		key, who := "alloc/"+string(a.AllocationID), "Elastic IP "+label(a.Name, a.AllocationID)
		eni := a.ENI
		if eni == "" && a.Instance != "" {
			if in := v.ix.Instances[a.Instance]; in != nil && len(in.ENIs) > 0 {
				eni = in.ENIs[0]
			}
		}
		if e := v.ix.ENIs[eni]; e != nil {
			priv := a.PrivateIP
			if !priv.IsValid() {
				priv = e.PrimaryIP()
			}
			key = string(e.ID) + "/" + priv.String()
			who, _ = v.owner(e)
			who += " (" + priv.String() + ")"
		}
		hold(a.PublicIP, holder{key, who, a.Src})
	}
}
