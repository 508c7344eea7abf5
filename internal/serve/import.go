package serve

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/vpclab/vpclab/internal/ec2api"
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
	into(put, "vpc", &c.st.vpcs, doc.Vpcs, func(v *ec2api.Vpc) *string { return v.VpcId })
	into(put, "subnet", &c.st.subnets, doc.Subnets, func(v *ec2api.Subnet) *string { return v.SubnetId })
	into(put, "igw", &c.st.igws, doc.InternetGateways, func(v *ec2api.InternetGateway) *string { return v.InternetGatewayId })
	into(put, "route-table", &c.st.routeTables, doc.RouteTables, func(v *ec2api.RouteTable) *string { return v.RouteTableId })
	into(put, "security-group", &c.st.groups, doc.SecurityGroups, func(v *ec2api.SecurityGroup) *string { return v.GroupId })
	into(put, "network-acl", &c.st.acls, doc.NetworkAcls, func(v *ec2api.NetworkAcl) *string { return v.NetworkAclId })
	into(put, "network-interface", &c.st.enis, doc.NetworkInterfaces, func(v *ec2api.NetworkInterface) *string { return v.NetworkInterfaceId })
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
	into(put, "nat-gateway", &c.st.nats, doc.NatGateways, func(v *ec2api.NatGateway) *string { return v.NatGatewayId })
	into(put, "address", &c.st.addresses, doc.Addresses, func(v *ec2api.Address) *string { return v.AllocationId })
	into(put, "vpn-gateway", &c.st.vgws, doc.VpnGateways, func(v *ec2api.VpnGateway) *string { return v.VpnGatewayId })
	into(put, "vpn-connection", &c.st.vpns, doc.VpnConnections, func(v *ec2api.VpnConnection) *string { return v.VpnConnectionId })
	into(put, "customer-gateway", &c.st.cgws, doc.CustomerGateways, func(v *ec2api.CustomerGateway) *string { return v.CustomerGatewayId })
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

// into puts the imported records of one kind into their table, by their IDs.
func into[T any](put func(kind, id string, add func()), kind string, t *table[T], items []*T, id func(*T) *string) {
	for _, v := range items {
		put(kind, val(id(v)), func() { t.put(val(id(v)), v) })
	}
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
