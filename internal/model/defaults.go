package model

import (
	"net/netip"
)

// ApplyDefaults fills in what AWS creates without being asked, exactly as AWS does:
//   - a main route table per VPC when none is marked main (§1.1.1), and the local route for
//     every VPC CIDR in every table of the VPC (§1.1.5);
//   - the default security group per VPC (§4.1.7): inbound from itself, all outbound;
//   - the default network ACL per VPC (§5.2): rule 100 allows everything both ways, then *;
//   - the default SG on interface ENIs that name none (EC2 does this at launch);
//   - a requester-managed ENI for every NAT gateway address that has none (§2.1.4);
//   - Elastic IP associations copied onto the ENI private IP they map (§3.1);
//   - the initial TTL of instances that name none: Amazon Linux 2's 255 (§6.7).
//
// IDs of made-up resources are derived from the VPC ID, so they are stable. ApplyDefaults is
// idempotent: a snapshot that already has these objects is left as it is.
func ApplyDefaults(t *Topology) {
	for _, v := range t.VPCs {
		defaultRouteTable(t, v)
		defaultSecurityGroup(t, v)
		defaultNetworkACL(t, v)
	}
	ix := NewIndex(t)
	for _, rt := range t.RouteTables {
		if v := ix.VPCs[rt.VPC]; v != nil {
			addLocalRoutes(rt, v)
		}
	}
	natENIs(t, ix)
	for _, eni := range t.NetworkInterfaces {
		if eni.Type == "" {
			eni.Type = InterfaceTypeInterface
		}
		if eni.Type == InterfaceTypeInterface && len(eni.SecurityGroups) == 0 {
			if sg := t.DefaultSecurityGroup(eni.VPC); sg != nil {
				eni.SecurityGroups = []SecurityGroupID{sg.ID}
			}
		}
		if len(eni.PrivateIPs) > 0 {
			primary := false
			for _, p := range eni.PrivateIPs {
				primary = primary || p.Primary
			}
			if !primary {
				eni.PrivateIPs[0].Primary = true
			}
		}
	}
	for _, a := range t.Addresses {
		if a.ENI == "" || !a.PublicIP.IsValid() {
			continue
		}
		if eni := ix.ENIs[a.ENI]; eni != nil {
			for i := range eni.PrivateIPs {
				p := &eni.PrivateIPs[i]
				if (p.Addr == a.PrivateIP || (!a.PrivateIP.IsValid() && p.Primary)) && !p.PublicIP.IsValid() {
					p.PublicIP = a.PublicIP
				}
			}
		}
	}
	for _, in := range t.Instances {
		if in.InitialTTL == 0 {
			in.InitialTTL = DefaultInitialTTL
		}
	}
}

func defaultRouteTable(t *Topology, v *VPC) {
	for _, rt := range t.RouteTables {
		if rt.VPC == v.ID && rt.Main {
			return
		}
	}
	t.RouteTables = append(t.RouteTables, &RouteTable{
		ID: RouteTableID(DeriveID("rtb", string(v.ID)+"/main")), VPC: v.ID, Main: true, Name: v.Name + "-main",
	})
}

func addLocalRoutes(rt *RouteTable, v *VPC) {
	for _, c := range v.CIDRs {
		found := false
		for _, r := range rt.Routes {
			if r.Destination == c && r.DestinationPrefixList == "" {
				found = true
				break
			}
		}
		if !found {
			rt.Routes = append(rt.Routes, Route{
				Destination: c, Target: Target{Kind: TargetLocal, ID: "local"},
				Origin: OriginCreateRouteTable, State: RouteActive,
			})
		}
	}
}

func defaultSecurityGroup(t *Topology, v *VPC) {
	if t.DefaultSecurityGroup(v.ID) != nil {
		return
	}
	id := SecurityGroupID(DeriveID("sg", string(v.ID)+"/default"))
	t.SecurityGroups = append(t.SecurityGroups, &SecurityGroup{
		ID: id, VPC: v.ID, Name: "default",
		Ingress: []SecurityGroupRule{{ID: string(id) + ":ingress:0", Protocol: ProtocolAll, Group: id}},
		Egress: []SecurityGroupRule{{ID: string(id) + ":egress:0", Protocol: ProtocolAll,
			CIDR: netip.MustParsePrefix("0.0.0.0/0")}},
	})
}

// AllowAllACLEntries are the entries of a default NACL (§5.2), IPv4 only.
func AllowAllACLEntries() []NetworkACLEntry {
	all := netip.MustParsePrefix("0.0.0.0/0")
	var es []NetworkACLEntry
	for _, egress := range []bool{false, true} {
		es = append(es,
			NetworkACLEntry{RuleNumber: 100, Egress: egress, Protocol: ProtocolAll, Allow: true, CIDR: all, ICMPType: -1, ICMPCode: -1},
			NetworkACLEntry{RuleNumber: 32767, Egress: egress, Protocol: ProtocolAll, Allow: false, CIDR: all, ICMPType: -1, ICMPCode: -1})
	}
	return es
}

func defaultNetworkACL(t *Topology, v *VPC) {
	for _, a := range t.NetworkACLs {
		if a.VPC == v.ID && a.Default {
			return
		}
	}
	t.NetworkACLs = append(t.NetworkACLs, &NetworkACL{
		ID: NetworkACLID(DeriveID("acl", string(v.ID)+"/default")), VPC: v.ID, Default: true,
		Name: v.Name + "-default", Entries: AllowAllACLEntries(),
	})
}

// natENIs gives every NAT gateway address an ENI: the one the snapshot lists (by ID, or a
// nat_gateway ENI holding the address), else a new requester-managed one. A gateway that is
// deleting, deleted or failed gets none: AWS has deleted its interface and given its
// addresses back. ix is kept current.
func natENIs(t *Topology, ix *Index) {
	type vpcIP struct {
		vpc VPCID
		ip  netip.Addr
	}
	natByIP := map[vpcIP]*NetworkInterface{}
	for _, e := range t.NetworkInterfaces {
		if e.Type == InterfaceTypeNATGateway {
			for _, p := range e.PrivateIPs {
				natByIP[vpcIP{e.VPC, p.Addr}] = e
			}
		}
	}
	for _, n := range t.NATGateways {
		if n.State == "deleting" || n.State == "deleted" || n.State == "failed" {
			continue
		}
		for i := range n.Addresses {
			a := &n.Addresses[i]
			if a.ENI != "" && ix.ENIs[a.ENI] != nil {
				continue
			}
			if eni := natByIP[vpcIP{n.VPC, a.PrivateIP}]; eni != nil {
				a.ENI = eni.ID
				continue
			}
			if a.ENI == "" {
				a.ENI = ENIID(DeriveID("eni", string(n.ID)+"/"+a.PrivateIP.String()))
			}
			eni := &NetworkInterface{
				ID: a.ENI, VPC: n.VPC, Subnet: n.Subnet, Type: InterfaceTypeNATGateway,
				PrivateIPs:  []PrivateIP{{Addr: a.PrivateIP, Primary: true, PublicIP: a.PublicIP}},
				Description: "Interface for NAT Gateway " + string(n.ID),
			}
			t.NetworkInterfaces = append(t.NetworkInterfaces, eni)
			ix.ENIs[eni.ID] = eni
		}
	}
}
