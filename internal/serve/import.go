package serve

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Import loads a lab into an empty server from describe-* answers, each file a JSON object
// whose top-level keys are those of the answers (a snapshot's files, or a YAML lab written
// as a snapshot), as `vpclab serve --import` does; files maps names to contents. Resources keep their IDs. Answers of kinds
// vpclab serve does not hold are refused, naming them, rather than dropped; the imported lab
// is validated as a whole and written in one commit.
func (s *Server) Import(name string, files map[string][]byte) error {
	var doc describeDoc
	for _, f := range slices.Sorted(maps.Keys(files)) {
		var raw map[string]jsontext.Value
		if err := json.Unmarshal(files[f], &raw); err != nil {
			return fmt.Errorf("%s: not a describe-* answer: %v", f, err)
		}
		var unserved []string
		for k, v := range raw {
			if !slices.Contains(importKeys, k) && string(v) != "[]" {
				unserved = append(unserved, k)
			}
		}
		if len(unserved) > 0 {
			slices.Sort(unserved)
			return fmt.Errorf("%s holds %s, which vpclab serve does not serve yet", f, strings.Join(unserved, ", "))
		}
		var one describeDoc
		if err := json.Unmarshal(files[f], &one); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		doc.append(&one)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.vpcs.m) > 0 {
		return fmt.Errorf("the served lab is not empty: import into a new state (--state NEWFILE or --memory)")
	}
	c := &call{s: s, st: s.st, now: s.opt.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		undo: map[[2]string][]byte{}, vpcs: map[string]bool{}}
	var dups []string
	put := func(kind, id string, add func()) {
		if c.st.kinds[kind].has(id) {
			dups = append(dups, id)
		}
		c.touch(kind, id)
		add()
	}
	for _, v := range doc.Vpcs {
		put("vpc", val(v.VpcId), func() { c.st.vpcs.put(val(v.VpcId), v) })
	}
	for _, v := range doc.Subnets {
		put("subnet", val(v.SubnetId), func() { c.st.subnets.put(val(v.SubnetId), v) })
	}
	for _, v := range doc.InternetGateways {
		put("igw", val(v.InternetGatewayId), func() { c.st.igws.put(val(v.InternetGatewayId), v) })
	}
	for _, v := range doc.RouteTables {
		put("route-table", val(v.RouteTableId), func() { c.st.routeTables.put(val(v.RouteTableId), v) })
	}
	for _, v := range doc.SecurityGroups {
		put("security-group", val(v.GroupId), func() { c.st.groups.put(val(v.GroupId), v) })
	}
	for _, v := range doc.NetworkAcls {
		put("network-acl", val(v.NetworkAclId), func() { c.st.acls.put(val(v.NetworkAclId), v) })
	}
	for _, v := range doc.NetworkInterfaces {
		put("network-interface", val(v.NetworkInterfaceId), func() { c.st.enis.put(val(v.NetworkInterfaceId), v) })
	}
	for _, v := range doc.Reservations {
		for i := range v.Instances {
			// An instance's interfaces are kept once, in the interface table.
			for _, ni := range v.Instances[i].NetworkInterfaces {
				if !c.st.enis.has(val(ni.NetworkInterfaceId)) {
					c.rollback()
					return fmt.Errorf("%s: instance %s has interface %s, which NetworkInterfaces does not list", name, val(v.Instances[i].InstanceId), val(ni.NetworkInterfaceId))
				}
			}
			v.Instances[i].NetworkInterfaces = nil
		}
		put("reservation", val(v.ReservationId), func() { c.st.reservations.put(val(v.ReservationId), v) })
	}
	for _, v := range doc.NatGateways {
		put("nat-gateway", val(v.NatGatewayId), func() { c.st.nats.put(val(v.NatGatewayId), v) })
	}
	for _, v := range doc.Addresses {
		put("address", val(v.AllocationId), func() { c.st.addresses.put(val(v.AllocationId), v) })
	}
	for _, v := range doc.VpnGateways {
		put("vpn-gateway", val(v.VpnGatewayId), func() { c.st.vgws.put(val(v.VpnGatewayId), v) })
	}
	for _, v := range doc.VpnConnections {
		put("vpn-connection", val(v.VpnConnectionId), func() { c.st.vpns.put(val(v.VpnConnectionId), v) })
	}
	for _, v := range doc.CustomerGateways {
		put("customer-gateway", val(v.CustomerGatewayId), func() { c.st.cgws.put(val(v.CustomerGatewayId), v) })
	}
	for _, v := range doc.VpcPeeringConnections {
		filledIn(v)
		put("vpc-peering-connection", val(v.VpcPeeringConnectionId), func() { c.st.peerings.put(val(v.VpcPeeringConnectionId), v) })
	}
	if err := c.importTransit(&doc.Transit, put); err != nil {
		c.rollback()
		return fmt.Errorf("%s: %v", name, err)
	}
	if len(dups) > 0 {
		c.rollback()
		return fmt.Errorf("%s: IDs that appear twice: %s", name, strings.Join(dups, ", "))
	}
	if _, probs := c.st.topology(nil); probs.HasErrors() {
		c.rollback()
		return fmt.Errorf("%s does not load as a lab: %v", name, probs.Error())
	}
	s.st.version++
	s.findTransient()
	s.findTransientPeerings()
	wait := s.commit(c.changes())
	s.mu.Unlock()
	err := wait()
	s.mu.Lock()
	return err
}

// importKeys are the describe-* answers a served lab holds.
var importKeys = []string{"Vpcs", "Subnets", "InternetGateways", "RouteTables", "SecurityGroups", "NetworkAcls",
	"NetworkInterfaces", "Reservations", "NatGateways", "Addresses", "VpcPeeringConnections",
	"VpnGateways", "VpnConnections", "CustomerGateways"}

// append adds o's answers to d's.
func (d *describeDoc) append(o *describeDoc) {
	d.Vpcs = append(d.Vpcs, o.Vpcs...)
	d.Subnets = append(d.Subnets, o.Subnets...)
	d.InternetGateways = append(d.InternetGateways, o.InternetGateways...)
	d.RouteTables = append(d.RouteTables, o.RouteTables...)
	d.SecurityGroups = append(d.SecurityGroups, o.SecurityGroups...)
	d.NetworkAcls = append(d.NetworkAcls, o.NetworkAcls...)
	d.NetworkInterfaces = append(d.NetworkInterfaces, o.NetworkInterfaces...)
	d.Reservations = append(d.Reservations, o.Reservations...)
	d.NatGateways = append(d.NatGateways, o.NatGateways...)
	d.Addresses = append(d.Addresses, o.Addresses...)
	d.VpcPeeringConnections = append(d.VpcPeeringConnections, o.VpcPeeringConnections...)
	d.VpnGateways = append(d.VpnGateways, o.VpnGateways...)
	d.VpnConnections = append(d.VpnConnections, o.VpnConnections...)
	d.CustomerGateways = append(d.CustomerGateways, o.CustomerGateways...)
	d.Transit.append(&o.Transit)
}
