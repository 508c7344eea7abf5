package serve

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Instances and network interfaces. An instance's network interfaces are kept once, in the
// interface table; describe and export fill them into the instance (instanceView), so a
// change to an interface (its groups, its source/destination check) shows in both.

func init() {
	register("RunInstances", runInstances)
	register("DescribeInstances", describeInstances)
	register("TerminateInstances", terminateInstances)
	register("ModifyInstanceAttribute", modifyInstanceAttribute)
	register("DescribeNetworkInterfaces", describeNetworkInterfaces)
	register("ModifyNetworkInterfaceAttribute", modifyNetworkInterfaceAttribute)
}

var (
	statePending      = ec2api.InstanceState{Code: int32p(0), Name: str("pending")}
	stateRunning      = ec2api.InstanceState{Code: int32p(16), Name: str("running")}
	stateShuttingDown = ec2api.InstanceState{Code: int32p(32), Name: str("shutting-down")}
	stateTerminated   = ec2api.InstanceState{Code: int32p(48), Name: str("terminated")}
)

// freeAddress is the lowest address of the subnet that no interface holds, past the four
// AWS reserves at the start (§1.1).
func (c *call) freeAddress(s *ec2api.Subnet) (netip.Addr, error) {
	p, _ := netip.ParsePrefix(val(s.CidrBlock))
	used := map[netip.Addr]bool{}
	for _, e := range c.st.enis.all() {
		for _, a := range e.PrivateIpAddresses {
			if ip, err := netip.ParseAddr(val(a.PrivateIpAddress)); err == nil {
				used[ip] = true
			}
		}
	}
	a := p.Addr().Next().Next().Next().Next()
	for ; p.Contains(a) && p.Contains(a.Next()); a = a.Next() {
		if !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, errorf("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", *s.SubnetId)
}

// takeAddress checks that ip may be given to a new interface in subnet s.
func (c *call) takeAddress(s *ec2api.Subnet, ip string) (netip.Addr, error) {
	a, err := netip.ParseAddr(ip)
	p, _ := netip.ParsePrefix(val(s.CidrBlock))
	if err != nil || !a.Is4() {
		return a, errorf("InvalidParameterValue", "Value (%s) for parameter privateIpAddress is invalid. This is not a valid IP address.", ip)
	}
	first := p.Addr().Next().Next().Next().Next()
	if !p.Contains(a) || a.Less(first) || !p.Contains(a.Next()) {
		return a, errorf("InvalidParameterValue", "Address %s does not fall within the subnet's address range", ip)
	}
	for _, e := range c.st.enis.all() {
		if slices.ContainsFunc(e.PrivateIpAddresses, func(x ec2api.NetworkInterfacePrivateIpAddress) bool { return val(x.PrivateIpAddress) == ip }) {
			return a, errorf("InvalidIPAddress.InUse", "Address %s is in use.", ip)
		}
	}
	return a, nil
}

// newInterface makes a network interface in subnet s with address ip.
func (c *call) newInterface(s *ec2api.Subnet, ip netip.Addr, groups []ec2api.GroupIdentifier, kind, description string) *ec2api.NetworkInterface {
	id := c.newID("eni")
	h := sha256.Sum256([]byte(id))
	e := &ec2api.NetworkInterface{
		NetworkInterfaceId: str(id), SubnetId: s.SubnetId, VpcId: s.VpcId, AvailabilityZone: s.AvailabilityZone,
		PrivateIpAddress: str(ip.String()), PrivateDnsName: str(privateDNS(ip, c.s.opt.Region)),
		PrivateIpAddresses: []ec2api.NetworkInterfacePrivateIpAddress{{Primary: boolp(true), PrivateIpAddress: str(ip.String()),
			PrivateDnsName: str(privateDNS(ip, c.s.opt.Region))}},
		Groups: groups, InterfaceType: str(kind), Description: str(description),
		MacAddress: str(fmt.Sprintf("0e:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4])),
		OwnerId:    str(c.s.opt.Account), RequesterManaged: boolp(kind != "interface"), SourceDestCheck: boolp(true),
		Status: str("in-use"), TagSet: []ec2api.Tag{}, Ipv6Addresses: []ec2api.NetworkInterfaceIpv6Address{},
	}
	if e.Groups == nil {
		e.Groups = []ec2api.GroupIdentifier{}
	}
	c.touch("network-interface", id)
	c.st.enis.put(id, e)
	c.check(val(s.VpcId))
	return e
}

func privateDNS(ip netip.Addr, region string) string {
	b := ip.As4()
	domain := region + ".compute.internal"
	if region == "us-east-1" {
		domain = "ec2.internal"
	}
	return fmt.Sprintf("ip-%d-%d-%d-%d.%s", b[0], b[1], b[2], b[3], domain)
}

// groupsIn resolves security group IDs (or, failing that, names) in VPC vpcID; none gives
// the VPC's default group, as AWS does.
func (c *call) groupsIn(vpcID string, ids, names []string) ([]ec2api.GroupIdentifier, error) {
	var out []ec2api.GroupIdentifier
	for _, id := range ids {
		g, err := c.group(&id, nil)
		if err != nil {
			return nil, err
		}
		if val(g.VpcId) != vpcID {
			return nil, errorf("InvalidParameter", "Security group %s and subnet belong to different networks.", id)
		}
		out = append(out, ec2api.GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
	}
	for _, n := range names {
		i := slices.IndexFunc(c.st.groups.all(), func(g *ec2api.SecurityGroup) bool { return val(g.VpcId) == vpcID && val(g.GroupName) == n })
		if i < 0 {
			return nil, errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", n, vpcID)
		}
		g := c.st.groups.all()[i]
		out = append(out, ec2api.GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
	}
	if len(out) == 0 {
		for _, g := range c.st.groups.all() {
			if val(g.VpcId) == vpcID && val(g.GroupName) == "default" {
				out = append(out, ec2api.GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
			}
		}
	}
	return out, nil
}

func runInstances(c *call, in *ec2api.RunInstancesRequest) (*ec2api.Reservation, error) {
	if err := checkTagSpecs(in.TagSpecifications, "instance", "volume", "network-interface"); err != nil {
		return nil, err
	}
	if in.ImageId == nil {
		return nil, errorf("MissingParameter", "The request must contain the parameter ImageId")
	}
	if err := checkID(*in.ImageId, "ami", "InvalidAMIID.Malformed"); err != nil {
		return nil, err
	}
	minCount, maxCount := deref32(in.MinCount), deref32(in.MaxCount)
	if minCount < 1 || maxCount < minCount {
		return nil, errorf("InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a value at least 1 and at most maxCount (%d).", minCount, maxCount)
	}
	subnetID, ip, groupIDs := in.SubnetId, in.PrivateIpAddress, in.SecurityGroupIds
	var existing *ec2api.NetworkInterface
	if len(in.NetworkInterfaces) > 0 {
		if len(in.NetworkInterfaces) > 1 {
			return nil, errorf("UnsupportedOperation", "vpclab serve launches instances with one network interface yet")
		}
		ni := in.NetworkInterfaces[0]
		subnetID, ip, groupIDs = ni.SubnetId, ni.PrivateIpAddress, ni.Groups
		if ni.NetworkInterfaceId != nil { // launched with an interface made before (interfaces.go)
			e, err := c.launchInterface(in)
			if err != nil {
				return nil, err
			}
			existing, subnetID = e, e.SubnetId
		}
	}
	if subnetID == nil {
		return nil, errorf("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	s, err := c.subnet(*subnetID)
	if err != nil {
		return nil, err
	}
	if ip != nil && maxCount > 1 {
		return nil, errorf("InvalidParameterCombination", "Cannot specify a private IP address when launching more than one instance")
	}
	groups, err := c.groupsIn(val(s.VpcId), groupIDs, in.SecurityGroups)
	if err != nil {
		return nil, err
	}
	typ := "m1.small"
	if in.InstanceType != nil {
		typ = *in.InstanceType
	}
	r := &ec2api.Reservation{ReservationId: str(c.newID("r")), OwnerId: str(c.s.opt.Account), Groups: []ec2api.GroupIdentifier{}}
	for n := range maxCount {
		var addr netip.Addr
		if existing == nil {
			if ip != nil {
				addr, err = c.takeAddress(s, *ip)
			} else {
				addr, err = c.freeAddress(s)
			}
			if err != nil {
				return nil, err
			}
		}
		id := c.newID("i")
		e, deleteOnTermination := existing, true
		if e == nil {
			e = c.newInterface(s, addr, groups, "interface", "")
		} else {
			c.touch("network-interface", *e.NetworkInterfaceId)
			e.Status, deleteOnTermination = str("in-use"), deref(in.NetworkInterfaces[0].DeleteOnTermination)
			c.check(val(e.VpcId))
		}
		e.Attachment = &ec2api.NetworkInterfaceAttachment{AttachmentId: str(c.newID("eni-attach")), DeviceIndex: int32p(0),
			InstanceId: str(id), InstanceOwnerId: str(c.s.opt.Account), Status: str("attached"), DeleteOnTermination: boolp(deleteOnTermination),
			AttachTime: c.time(), NetworkCardIndex: int32p(0)}
		r.Instances = append(r.Instances, ec2api.Instance{
			InstanceId: str(id), ImageId: in.ImageId, InstanceType: str(typ), KeyName: in.KeyName, AmiLaunchIndex: int32p(n),
			LaunchTime: c.time(), State: instState(statePending), Placement: &ec2api.Placement{AvailabilityZone: s.AvailabilityZone, Tenancy: str("default")},
			SubnetId: s.SubnetId, VpcId: s.VpcId, Architecture: str("x86_64"), RootDeviceType: str("ebs"), RootDeviceName: str("/dev/xvda"),
			VirtualizationType: str("hvm"), Hypervisor: str("xen"), EbsOptimized: boolp(false), EnaSupport: boolp(true),
			Monitoring: &ec2api.Monitoring{State: str("disabled")}, ClientToken: in.ClientToken,
			Tags: tagsFrom(in.TagSpecifications, "instance"),
			BlockDeviceMappings: []ec2api.InstanceBlockDeviceMapping{{DeviceName: str("/dev/xvda"), Ebs: &ec2api.EbsInstanceBlockDevice{
				VolumeId: str(rootVolume(id)), Status: str("attached"), DeleteOnTermination: boolp(true), AttachTime: c.time()}}},
			ProductCodes: []ec2api.ProductCode{},
		})
		c.s.transient[[2]string{"instance", id}] = c.s.opt.Now()
	}
	c.touch("reservation", *r.ReservationId)
	c.st.reservations.put(*r.ReservationId, r)
	view := *r
	view.Instances = make([]ec2api.Instance, len(r.Instances))
	for i := range r.Instances {
		view.Instances[i] = c.st.instanceView(&r.Instances[i])
	}
	return &view, nil
}

// time is the request's time, for timestamps.
func (c *call) time() *time.Time {
	t, _ := time.Parse("2006-01-02T15:04:05.000Z", c.now)
	return &t
}

// instance finds an instance by ID, or nil.
func (c *call) instance(id string) *ec2api.Instance {
	for _, r := range c.st.reservations.all() {
		for i := range r.Instances {
			if val(r.Instances[i].InstanceId) == id {
				return &r.Instances[i]
			}
		}
	}
	return nil
}

// instanceView is an instance as describe shows it: its network interfaces, addresses
// and groups filled in from the interface table.
func (st *state) instanceView(inst *ec2api.Instance) ec2api.Instance {
	v := *inst
	v.NetworkInterfaces = []ec2api.InstanceNetworkInterface{}
	v.SecurityGroups = []ec2api.GroupIdentifier{}
	for _, e := range st.enis.all() {
		if e.Attachment == nil || val(e.Attachment.InstanceId) != val(inst.InstanceId) {
			continue
		}
		ni := ec2api.InstanceNetworkInterface{
			NetworkInterfaceId: e.NetworkInterfaceId, SubnetId: e.SubnetId, VpcId: e.VpcId, Description: e.Description,
			Groups: e.Groups, InterfaceType: e.InterfaceType, MacAddress: e.MacAddress, OwnerId: e.OwnerId,
			PrivateDnsName: e.PrivateDnsName, PrivateIpAddress: e.PrivateIpAddress, SourceDestCheck: e.SourceDestCheck,
			Status: e.Status, Ipv6Addresses: []ec2api.InstanceIpv6Address{},
			Attachment: &ec2api.InstanceNetworkInterfaceAttachment{AttachmentId: e.Attachment.AttachmentId, AttachTime: e.Attachment.AttachTime,
				DeleteOnTermination: e.Attachment.DeleteOnTermination, DeviceIndex: e.Attachment.DeviceIndex, Status: e.Attachment.Status,
				NetworkCardIndex: e.Attachment.NetworkCardIndex},
		}
		for _, a := range e.PrivateIpAddresses {
			ni.PrivateIpAddresses = append(ni.PrivateIpAddresses, ec2api.InstancePrivateIpAddress{Primary: a.Primary,
				PrivateDnsName: a.PrivateDnsName, PrivateIpAddress: a.PrivateIpAddress})
		}
		if e.Association != nil {
			ni.Association = &ec2api.InstanceNetworkInterfaceAssociation{IpOwnerId: e.Association.IpOwnerId, PublicIp: e.Association.PublicIp,
				PublicDnsName: e.Association.PublicDnsName}
		}
		v.NetworkInterfaces = append(v.NetworkInterfaces, ni)
		if deref32(e.Attachment.DeviceIndex) == 0 {
			v.PrivateIpAddress, v.PrivateDnsName, v.SourceDestCheck = e.PrivateIpAddress, e.PrivateDnsName, e.SourceDestCheck
			v.SecurityGroups = e.Groups
			if e.Association != nil {
				v.PublicIpAddress = e.Association.PublicIp
			}
		}
	}
	return v
}

func describeInstances(c *call, in *ec2api.DescribeInstancesRequest) (*ec2api.DescribeInstancesResult, error) {
	type pair struct {
		r *ec2api.Reservation
		i ec2api.Instance
	}
	var all []*pair
	for _, r := range c.st.reservations.all() {
		for i := range r.Instances {
			all = append(all, &pair{r, c.st.instanceView(&r.Instances[i])})
		}
	}
	m, err := ec2api.CompileFilters("DescribeInstances", in.Filters)
	if err != nil {
		return nil, err
	}
	all = pick(all, func(p *pair) bool { return m.MatchIn(p.r, &p.i) })
	// describe pages by ID ("after" the last one answered), so the instances go in ID
	// order; a reservation's instances are then gathered into one element of the page.
	slices.SortFunc(all, func(a, b *pair) int { return strings.Compare(val(a.i.InstanceId), val(b.i.InstanceId)) })
	ps, next, err := describe(query{op: "DescribeInstances", ids: in.InstanceIds, maxResults: in.MaxResults, nextToken: in.NextToken,
		notFound: "InvalidInstanceID.NotFound", what: "instance"}, all, func(p *pair) string { return val(p.i.InstanceId) })
	if err != nil {
		return nil, err
	}
	out := &ec2api.DescribeInstancesResult{Reservations: []ec2api.Reservation{}, NextToken: next}
	at := map[*ec2api.Reservation]int{} // where each reservation is in the page
	for _, p := range ps {
		if i, ok := at[p.r]; ok {
			out.Reservations[i].Instances = append(out.Reservations[i].Instances, p.i)
			continue
		}
		at[p.r] = len(out.Reservations)
		r := *p.r
		r.Instances = []ec2api.Instance{p.i}
		out.Reservations = append(out.Reservations, r)
	}
	return out, nil
}

// TerminateInstances: the instance shuts down, its interfaces that are deleted on
// termination go (the others are detached), and describe shows it terminated for a while (retention).
func terminateInstances(c *call, in *ec2api.TerminateInstancesRequest) (*ec2api.TerminateInstancesResult, error) {
	out := &ec2api.TerminateInstancesResult{TerminatingInstances: []ec2api.InstanceStateChange{}}
	for _, id := range in.InstanceIds {
		inst := c.instance(id)
		if inst == nil {
			return nil, notFound("InvalidInstanceID.NotFound", "instance", id)
		}
		prev := *inst.State
		if val(prev.Name) != "terminated" {
			c.touch("reservation", c.reservationOf(id))
			inst.State = instState(stateShuttingDown)
			for _, e := range c.st.enis.all() {
				if e.Attachment != nil && val(e.Attachment.InstanceId) == id {
					c.touch("network-interface", *e.NetworkInterfaceId)
					if !deref(e.Attachment.DeleteOnTermination) { // attached later: it outlives the instance, detached
						e.Attachment, e.Status = nil, str("available")
						c.check(val(e.VpcId))
						continue
					}
					c.st.enis.remove(*e.NetworkInterfaceId)
				}
			}
			c.s.transient[[2]string{"instance", id}] = c.s.opt.Now()
			c.check(val(inst.VpcId))
		}
		out.TerminatingInstances = append(out.TerminatingInstances, ec2api.InstanceStateChange{InstanceId: str(id), PreviousState: &prev, CurrentState: inst.State})
	}
	return out, nil
}

func (c *call) reservationOf(instanceID string) string {
	for _, r := range c.st.reservations.all() {
		if slices.ContainsFunc(r.Instances, func(i ec2api.Instance) bool { return val(i.InstanceId) == instanceID }) {
			return *r.ReservationId
		}
	}
	return ""
}

// settleInstance moves an instance on: pending → running, shutting-down → terminated, and
// forgets a terminated one after the retention.
func (s *Server) settleInstance(c *call, id string, age time.Duration) {
	key := [2]string{"instance", id}
	inst := c.instance(id)
	if inst == nil {
		delete(s.transient, key)
		return
	}
	switch val(inst.State.Name) {
	case "pending":
		c.touch("reservation", c.reservationOf(id))
		inst.State = instState(stateRunning)
		delete(s.transient, key)
	case "shutting-down":
		c.touch("reservation", c.reservationOf(id))
		inst.State = instState(stateTerminated)
	case "terminated":
		if age >= retention {
			rid := c.reservationOf(id)
			c.touch("reservation", rid)
			r := c.st.reservations.get(rid)
			r.Instances = slices.DeleteFunc(r.Instances, func(i ec2api.Instance) bool { return val(i.InstanceId) == id })
			if len(r.Instances) == 0 {
				c.st.reservations.remove(rid)
			}
			delete(s.transient, key)
		}
	default:
		delete(s.transient, key)
	}
}

// findTransient lists the resources of a loaded state that are in a transitional state,
// from the times they entered it.
func (s *Server) findTransient() {
	for _, n := range s.st.nats.all() {
		switch val(n.State) {
		case "pending", "deleting", "deleted":
			since := deref(n.CreateTime)
			if n.DeleteTime != nil {
				since = *n.DeleteTime
			}
			s.transient[[2]string{"nat-gateway", *n.NatGatewayId}] = since
		}
	}
	for _, r := range s.st.reservations.all() {
		for _, i := range r.Instances {
			switch val(i.State.Name) {
			case "pending", "shutting-down", "terminated":
				s.transient[[2]string{"instance", *i.InstanceId}] = deref(i.LaunchTime)
			}
		}
	}
	s.findTransientTransit()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func modifyInstanceAttribute(c *call, in *ec2api.ModifyInstanceAttributeRequest) (*struct{}, error) {
	id := val(in.InstanceId)
	inst := c.instance(id)
	if inst == nil {
		return nil, notFound("InvalidInstanceID.NotFound", "instance", id)
	}
	// Protections and shutdown behaviour keep their defaults (what DescribeInstanceAttribute
	// answers); setting them to those is accepted, anything else refused, not dropped.
	switch {
	case in.DisableApiTermination != nil || in.DisableApiStop != nil || in.InstanceInitiatedShutdownBehavior != nil:
		if deref(deref(in.DisableApiTermination).Value) || deref(deref(in.DisableApiStop).Value) ||
			(in.InstanceInitiatedShutdownBehavior != nil && val(in.InstanceInitiatedShutdownBehavior.Value) != "stop") {
			return nil, errorf("UnsupportedOperation", "vpclab serve keeps termination and stop protection off and shutdown behaviour stop")
		}
		return &struct{}{}, nil
	}
	for _, e := range c.st.enis.all() {
		if e.Attachment != nil && val(e.Attachment.InstanceId) == id && deref32(e.Attachment.DeviceIndex) == 0 {
			return &struct{}{}, c.modifyInterface(e, in.Groups, in.SourceDestCheck)
		}
	}
	return nil, errorf("IncorrectInstanceState", "The instance '%s' has no network interface.", id)
}

func (c *call) modifyInterface(e *ec2api.NetworkInterface, groups []string, sdc *ec2api.AttributeBooleanValue) error {
	if len(groups) == 0 && sdc == nil {
		return errorf("MissingParameter", "The request must contain a parameter to modify (groups or sourceDestCheck): vpclab serve modifies those two yet")
	}
	c.touch("network-interface", *e.NetworkInterfaceId)
	if len(groups) > 0 {
		gs, err := c.groupsIn(val(e.VpcId), groups, nil)
		if err != nil {
			return err
		}
		e.Groups = gs
	}
	if sdc != nil && sdc.Value != nil {
		e.SourceDestCheck = boolp(*sdc.Value)
	}
	c.check(val(e.VpcId))
	return nil
}

func describeNetworkInterfaces(c *call, in *ec2api.DescribeNetworkInterfacesRequest) (*ec2api.DescribeNetworkInterfacesResult, error) {
	es, next, err := describe(query{op: "DescribeNetworkInterfaces", ids: in.NetworkInterfaceIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidNetworkInterfaceID.NotFound", what: "networkInterface"},
		c.st.enis.all(), func(e *ec2api.NetworkInterface) string { return val(e.NetworkInterfaceId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkInterfacesResult{NetworkInterfaces: es, NextToken: next}, nil
}

func modifyNetworkInterfaceAttribute(c *call, in *ec2api.ModifyNetworkInterfaceAttributeRequest) (*struct{}, error) {
	id := val(in.NetworkInterfaceId)
	e := c.st.enis.get(id)
	if e == nil {
		return nil, notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", id)
	}
	return &struct{}{}, c.modifyInterface(e, in.Groups, in.SourceDestCheck)
}

// instState is a copy of an instance state, for an instance to hold.
func instState(s ec2api.InstanceState) *ec2api.InstanceState { return &s }
