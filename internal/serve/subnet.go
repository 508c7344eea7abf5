package serve

import (
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// zones are the availability zones of the served region: a to f in us-east-1, a to c
// elsewhere, with zone IDs in AWS's form (use1-az1).
func (s *Server) zones() []ec2api.AvailabilityZone {
	n := 3
	if s.opt.Region == "us-east-1" {
		n = 6
	}
	out := make([]ec2api.AvailabilityZone, n)
	for i := range n {
		out[i] = ec2api.AvailabilityZone{
			ZoneName: str(s.opt.Region + string(rune('a'+i))), ZoneId: str(regionShort(s.opt.Region) + "-az" + itoa(i+1)),
			RegionName: str(s.opt.Region), State: str("available"), OptInStatus: str("opt-in-not-required"),
			GroupName: str(s.opt.Region), NetworkBorderGroup: str(s.opt.Region), ZoneType: str("availability-zone"),
			Messages: []ec2api.AvailabilityZoneMessage{},
		}
	}
	return out
}

// regionShort is a region's short form in zone IDs: us-east-1 → use1, ap-northeast-1 → apne1.
func regionShort(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	dir := parts[1]
	for _, w := range []string{"north", "south", "east", "west", "central"} {
		dir = strings.ReplaceAll(dir, w, w[:1])
	}
	return parts[0] + dir + parts[2]
}

func createSubnet(c *call, in *ec2api.CreateSubnetRequest) (*ec2api.CreateSubnetResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "subnet"); err != nil {
		return nil, err
	}
	vpcID := val(in.VpcId)
	v, err := c.vpc(vpcID)
	if err != nil {
		return nil, err
	}
	if in.CidrBlock == nil {
		return nil, errorf("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	p, err := parseCIDR("cidrBlock", *in.CidrBlock)
	if err != nil {
		return nil, err
	}
	inVPC := slices.ContainsFunc(v.CidrBlockAssociationSet, func(a ec2api.VpcCidrBlockAssociation) bool {
		vp, err := parseCIDR("", val(a.CidrBlock))
		return err == nil && vp.Bits() <= p.Bits() && vp.Contains(p.Addr())
	})
	if !inVPC || p.Bits() > 28 { // §1.1: a subnet is inside a VPC block, /28 at the smallest
		return nil, errorf("InvalidSubnet.Range", "The CIDR '%s' is invalid.", p)
	}
	for _, s := range c.st.subnets.all() {
		if sp, err := parseCIDR("", val(s.CidrBlock)); err == nil && val(s.VpcId) == vpcID && sp.Overlaps(p) {
			return nil, errorf("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", p)
		}
	}
	zone, err := c.s.zone(in.AvailabilityZone, in.AvailabilityZoneId)
	if err != nil {
		return nil, err
	}
	id := c.newID("subnet")
	sn := &ec2api.Subnet{
		SubnetId: str(id), VpcId: str(vpcID), CidrBlock: str(p.String()),
		AvailabilityZone: zone.ZoneName, AvailabilityZoneId: zone.ZoneId,
		AvailableIpAddressCount:     int32p(int32(1)<<(32-p.Bits()) - 5), // AWS reserves five (§1.1)
		DefaultForAz:                boolp(false),
		MapPublicIpOnLaunch:         boolp(false),
		AssignIpv6AddressOnCreation: boolp(false),
		Ipv6CidrBlockAssociationSet: []ec2api.SubnetIpv6CidrBlockAssociation{},
		OwnerId:                     str(c.s.opt.Account),
		State:                       str("available"),
		SubnetArn:                   str(c.s.arn("subnet/" + id)),
		Tags:                        tagsFrom(in.TagSpecifications, "subnet"),
	}
	c.touch("subnet", id)
	c.st.subnets.put(id, sn)
	// A new subnet is in its VPC's default network ACL (§5.2).
	for _, a := range c.st.acls.all() {
		if val(a.VpcId) == vpcID && *a.IsDefault {
			c.touch("network-acl", *a.NetworkAclId)
			a.Associations = append(a.Associations, ec2api.NetworkAclAssociation{
				NetworkAclAssociationId: str(c.newID("aclassoc")), NetworkAclId: a.NetworkAclId, SubnetId: str(id)})
		}
	}
	c.check(vpcID)
	return &ec2api.CreateSubnetResult{Subnet: sn}, nil
}

// zone is the availability zone a request names, by name or by ID; neither is the first.
func (s *Server) zone(name, id *string) (ec2api.AvailabilityZone, error) {
	zones := s.zones()
	param, want, of := "availabilityZone", name, func(z ec2api.AvailabilityZone) string { return *z.ZoneName }
	switch {
	case name == nil && id == nil:
		return zones[0], nil
	case name == nil:
		param, want, of = "availabilityZoneId", id, func(z ec2api.AvailabilityZone) string { return *z.ZoneId }
	}
	names := make([]string, len(zones))
	for i, z := range zones {
		if names[i] = of(z); names[i] == *want {
			return z, nil
		}
	}
	return ec2api.AvailabilityZone{}, errorf("InvalidParameterValue",
		"Value (%s) for parameter %s is invalid. Subnets can currently only be created in the following availability zones: %s.",
		*want, param, strings.Join(names, ", "))
}

// arn is the ARN of an EC2 resource of the served account and region.
func (s *Server) arn(resource string) string {
	return "arn:aws:ec2:" + s.opt.Region + ":" + s.opt.Account + ":" + resource
}

func describeSubnets(c *call, in *ec2api.DescribeSubnetsRequest) (*ec2api.DescribeSubnetsResult, error) {
	ss, next, err := describe(query{op: "DescribeSubnets", ids: in.SubnetIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidSubnetID.NotFound", what: "subnet"},
		c.st.subnets.all(), func(s *ec2api.Subnet) string { return val(s.SubnetId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeSubnetsResult{Subnets: ss, NextToken: next}, nil
}

// subnet finds a subnet by ID, with EC2's errors for a malformed or unknown one.
func (c *call) subnet(id string) (*ec2api.Subnet, error) {
	if err := checkID(id, "subnet", "InvalidSubnetID.Malformed"); err != nil {
		return nil, err
	}
	s := c.st.subnets.get(id)
	if s == nil {
		return nil, notFound("InvalidSubnetID.NotFound", "subnet", id)
	}
	return s, nil
}

// DeleteSubnet refuses while a network interface is in the subnet; its route table and
// network ACL associations go with it.
func deleteSubnet(c *call, in *ec2api.DeleteSubnetRequest) (*struct{}, error) {
	id := val(in.SubnetId)
	s, err := c.subnet(id)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(c.st.enis.all(), func(e *ec2api.NetworkInterface) bool { return val(e.SubnetId) == id }) {
		return nil, errorf("DependencyViolation", "The subnet '%s' has dependencies and cannot be deleted.", id)
	}
	for _, r := range c.st.routeTables.all() {
		if slices.ContainsFunc(r.Associations, func(a ec2api.RouteTableAssociation) bool { return val(a.SubnetId) == id }) {
			c.touch("route-table", *r.RouteTableId)
			r.Associations = slices.DeleteFunc(r.Associations, func(a ec2api.RouteTableAssociation) bool { return val(a.SubnetId) == id })
		}
	}
	for _, a := range c.st.acls.all() {
		if slices.ContainsFunc(a.Associations, func(x ec2api.NetworkAclAssociation) bool { return val(x.SubnetId) == id }) {
			c.touch("network-acl", *a.NetworkAclId)
			a.Associations = slices.DeleteFunc(a.Associations, func(x ec2api.NetworkAclAssociation) bool { return val(x.SubnetId) == id })
		}
	}
	c.touch("subnet", id)
	c.st.subnets.remove(id)
	c.check(val(s.VpcId))
	return &struct{}{}, nil
}

func createInternetGateway(c *call, in *ec2api.CreateInternetGatewayRequest) (*ec2api.CreateInternetGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "internet-gateway"); err != nil {
		return nil, err
	}
	id := c.newID("igw")
	g := &ec2api.InternetGateway{InternetGatewayId: str(id), OwnerId: str(c.s.opt.Account),
		Attachments: []ec2api.InternetGatewayAttachment{}, Tags: tagsFrom(in.TagSpecifications, "internet-gateway")}
	c.touch("igw", id)
	c.st.igws.put(id, g)
	return &ec2api.CreateInternetGatewayResult{InternetGateway: g}, nil
}

func describeInternetGateways(c *call, in *ec2api.DescribeInternetGatewaysRequest) (*ec2api.DescribeInternetGatewaysResult, error) {
	gs, next, err := describe(query{op: "DescribeInternetGateways", ids: in.InternetGatewayIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidInternetGatewayID.NotFound", what: "internetGateway"},
		c.st.igws.all(), func(g *ec2api.InternetGateway) string { return val(g.InternetGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeInternetGatewaysResult{InternetGateways: gs, NextToken: next}, nil
}

func (c *call) internetGateway(id string) (*ec2api.InternetGateway, error) {
	if err := checkID(id, "igw", "InvalidInternetGatewayID.Malformed"); err != nil {
		return nil, err
	}
	g := c.st.igws.get(id)
	if g == nil {
		return nil, notFound("InvalidInternetGatewayID.NotFound", "internetGateway", id)
	}
	return g, nil
}

// AttachInternetGateway: a gateway serves one VPC, and a VPC has one gateway (§1.3).
func attachInternetGateway(c *call, in *ec2api.AttachInternetGatewayRequest) (*struct{}, error) {
	g, err := c.internetGateway(val(in.InternetGatewayId))
	if err != nil {
		return nil, err
	}
	vpcID := val(in.VpcId)
	if _, err := c.vpc(vpcID); err != nil {
		return nil, err
	}
	if len(g.Attachments) > 0 {
		return nil, errorf("Resource.AlreadyAssociated", "resource %s is already attached to network %s", *g.InternetGatewayId, val(g.Attachments[0].VpcId))
	}
	for _, other := range c.st.igws.all() {
		if attachedTo(other, vpcID) {
			return nil, errorf("Resource.AlreadyAssociated", "Network %s already has an internet gateway attached", vpcID)
		}
	}
	c.touch("igw", *g.InternetGatewayId)
	g.Attachments = []ec2api.InternetGatewayAttachment{{VpcId: str(vpcID), State: str("available")}}
	c.check(vpcID)
	return &struct{}{}, nil
}

func detachInternetGateway(c *call, in *ec2api.DetachInternetGatewayRequest) (*struct{}, error) {
	g, err := c.internetGateway(val(in.InternetGatewayId))
	if err != nil {
		return nil, err
	}
	vpcID := val(in.VpcId)
	if _, err := c.vpc(vpcID); err != nil {
		return nil, err
	}
	if !attachedTo(g, vpcID) {
		return nil, errorf("Gateway.NotAttached", "resource %s is not attached to network %s", *g.InternetGatewayId, vpcID)
	}
	c.touch("igw", *g.InternetGatewayId)
	g.Attachments = []ec2api.InternetGatewayAttachment{}
	c.check(vpcID)
	return &struct{}{}, nil
}

func deleteInternetGateway(c *call, in *ec2api.DeleteInternetGatewayRequest) (*struct{}, error) {
	g, err := c.internetGateway(val(in.InternetGatewayId))
	if err != nil {
		return nil, err
	}
	if len(g.Attachments) > 0 {
		return nil, errorf("DependencyViolation", "The internetGateway '%s' has dependencies and cannot be deleted.", *g.InternetGatewayId)
	}
	c.touch("igw", *g.InternetGatewayId)
	c.st.igws.remove(*g.InternetGatewayId)
	return &struct{}{}, nil
}
