package serve

import (
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// VPCs, subnets and internet gateways. Section numbers (§) refer to aws-vpc-semantics.md.

func init() {
	register("CreateVpc", createVpc)
	register("DescribeVpcs", describeVpcs)
	register("DeleteVpc", deleteVpc)
	register("CreateSubnet", createSubnet)
	register("DescribeSubnets", describeSubnets)
	register("DeleteSubnet", deleteSubnet)
	register("CreateInternetGateway", createInternetGateway)
	register("DescribeInternetGateways", describeInternetGateways)
	register("AttachInternetGateway", attachInternetGateway)
	register("DetachInternetGateway", detachInternetGateway)
	register("DeleteInternetGateway", deleteInternetGateway)
}

// parseCIDR parses a request's IPv4 CIDR block; param names the parameter in EC2's
// message.
func parseCIDR(param, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", s, param)
	}
	return p, nil
}

// CreateVpc makes the VPC with its main route table, default network ACL and default
// security group, all at once, as AWS does (Terraform reads them right after).
func createVpc(c *call, in *ec2api.CreateVpcRequest) (*ec2api.CreateVpcResult, error) {
	if in.CidrBlock == nil {
		return nil, errorf("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	if err := checkTagSpecs(in.TagSpecifications, "vpc"); err != nil {
		return nil, err
	}
	p, err := parseCIDR("cidrBlock", *in.CidrBlock)
	if err != nil {
		return nil, err
	}
	if p.Bits() < 16 || p.Bits() > 28 { // §1.1: a VPC's IPv4 block is /16 to /28
		return nil, errorf("InvalidVpc.Range", "The CIDR '%s' is invalid.", p)
	}
	tenancy := "default"
	if in.InstanceTenancy != nil {
		tenancy = *in.InstanceTenancy
	}
	id := c.newID("vpc")
	v := &ec2api.Vpc{
		VpcId:     str(id),
		CidrBlock: str(p.String()),
		CidrBlockAssociationSet: []ec2api.VpcCidrBlockAssociation{{
			AssociationId:  str(c.newID("vpc-cidr-assoc")),
			CidrBlock:      str(p.String()),
			CidrBlockState: &ec2api.VpcCidrBlockState{State: str("associated")},
		}},
		Ipv6CidrBlockAssociationSet: []ec2api.VpcIpv6CidrBlockAssociation{},
		DhcpOptionsId:               str("default"),
		InstanceTenancy:             str(tenancy),
		IsDefault:                   boolp(false),
		OwnerId:                     str(c.s.opt.Account),
		State:                       str("available"),
		Tags:                        tagsFrom(in.TagSpecifications, "vpc"),
	}
	c.touch("vpc", id)
	c.st.vpcs.put(id, v)
	c.mainRouteTable(id, p)
	c.defaultNetworkACL(id)
	c.defaultSecurityGroup(id)
	c.check(id)
	out := *v
	out.State = str("pending") // a VPC is pending in CreateVpc's answer, available after
	return &ec2api.CreateVpcResult{Vpc: &out}, nil
}

// mainRouteTable makes a new VPC's main route table, with its local route (§1.2.1).
func (c *call) mainRouteTable(vpcID string, cidr netip.Prefix) {
	id := c.newID("rtb")
	rt := &ec2api.RouteTable{
		RouteTableId: str(id),
		VpcId:        str(vpcID),
		OwnerId:      str(c.s.opt.Account),
		Associations: []ec2api.RouteTableAssociation{{
			Main:                    boolp(true),
			RouteTableAssociationId: str(c.newID("rtbassoc")),
			RouteTableId:            str(id),
			AssociationState:        &ec2api.RouteTableAssociationState{State: str("associated")},
		}},
		Routes:          []ec2api.Route{localRoute(cidr)},
		PropagatingVgws: []ec2api.PropagatingVgw{},
		Tags:            []ec2api.Tag{},
	}
	c.touch("route-table", id)
	c.st.routeTables.put(id, rt)
}

func localRoute(cidr netip.Prefix) ec2api.Route {
	return ec2api.Route{DestinationCidrBlock: str(cidr.String()), GatewayId: str("local"),
		Origin: str("CreateRouteTable"), State: str("active")}
}

// defaultNetworkACL makes a new VPC's default network ACL: everything allowed in and out
// by rule 100, then the catch-all deny (§5.2).
func (c *call) defaultNetworkACL(vpcID string) {
	id := c.newID("acl")
	entry := func(egress bool, n int32, action string) ec2api.NetworkAclEntry {
		return ec2api.NetworkAclEntry{CidrBlock: str("0.0.0.0/0"), Egress: boolp(egress), Protocol: str("-1"),
			RuleAction: str(action), RuleNumber: int32p(n)}
	}
	c.touch("network-acl", id)
	c.st.acls.put(id, &ec2api.NetworkAcl{
		NetworkAclId: str(id), VpcId: str(vpcID), IsDefault: boolp(true), OwnerId: str(c.s.opt.Account),
		Associations: []ec2api.NetworkAclAssociation{},
		Entries: []ec2api.NetworkAclEntry{
			entry(true, 100, "allow"), entry(true, 32767, "deny"),
			entry(false, 100, "allow"), entry(false, 32767, "deny"),
		},
		Tags: []ec2api.Tag{},
	})
}

// defaultSecurityGroup makes a new VPC's default security group: members talk to each
// other, and everything may leave (§4.1.7).
func (c *call) defaultSecurityGroup(vpcID string) {
	id := c.newID("sg")
	c.touch("security-group", id)
	c.st.groups.put(id, &ec2api.SecurityGroup{
		GroupId: str(id), GroupName: str("default"), Description: str("default VPC security group"),
		VpcId: str(vpcID), OwnerId: str(c.s.opt.Account),
		IpPermissions: []ec2api.IpPermission{{IpProtocol: str("-1"),
			UserIdGroupPairs: []ec2api.UserIdGroupPair{{GroupId: str(id), UserId: str(c.s.opt.Account)}},
			IpRanges:         []ec2api.IpRange{}, Ipv6Ranges: []ec2api.Ipv6Range{}, PrefixListIds: []ec2api.PrefixListId{}}},
		IpPermissionsEgress: []ec2api.IpPermission{allowAllEgress()},
		Tags:                []ec2api.Tag{},
	})
}

func allowAllEgress() ec2api.IpPermission {
	return ec2api.IpPermission{IpProtocol: str("-1"), IpRanges: []ec2api.IpRange{{CidrIp: str("0.0.0.0/0")}},
		Ipv6Ranges: []ec2api.Ipv6Range{}, PrefixListIds: []ec2api.PrefixListId{}, UserIdGroupPairs: []ec2api.UserIdGroupPair{}}
}

func describeVpcs(c *call, in *ec2api.DescribeVpcsRequest) (*ec2api.DescribeVpcsResult, error) {
	vs, next, err := describe(query{op: "DescribeVpcs", ids: in.VpcIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidVpcID.NotFound", what: "vpc"},
		c.st.vpcs.all(), func(v *ec2api.Vpc) string { return val(v.VpcId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVpcsResult{Vpcs: vs, NextToken: next}, nil
}

// vpc finds a VPC by ID, with EC2's errors for a malformed or unknown one.
func (c *call) vpc(id string) (*ec2api.Vpc, error) {
	if err := checkID(id, "vpc", "InvalidVpcID.Malformed"); err != nil {
		return nil, err
	}
	v := c.st.vpcs.get(id)
	if v == nil {
		return nil, notFound("InvalidVpcID.NotFound", "vpc", id)
	}
	return v, nil
}

// DeleteVpc refuses while anything the user made is in the VPC, as AWS does; what AWS made
// with it (main route table, default ACL and group) goes with it.
func deleteVpc(c *call, in *ec2api.DeleteVpcRequest) (*struct{}, error) {
	id := val(in.VpcId)
	if _, err := c.vpc(id); err != nil {
		return nil, err
	}
	dependent := slices.ContainsFunc(c.st.subnets.all(), func(s *ec2api.Subnet) bool { return val(s.VpcId) == id }) ||
		slices.ContainsFunc(c.st.igws.all(), func(g *ec2api.InternetGateway) bool { return attachedTo(g, id) }) ||
		slices.ContainsFunc(c.st.eigws.all(), func(g *ec2api.EgressOnlyInternetGateway) bool { return eigwOf(g) == id }) ||
		slices.ContainsFunc(c.st.routeTables.all(), func(r *ec2api.RouteTable) bool { return val(r.VpcId) == id && !isMain(r) }) ||
		slices.ContainsFunc(c.st.groups.all(), func(g *ec2api.SecurityGroup) bool { return val(g.VpcId) == id && val(g.GroupName) != "default" }) ||
		slices.ContainsFunc(c.st.acls.all(), func(a *ec2api.NetworkAcl) bool { return val(a.VpcId) == id && !*a.IsDefault }) ||
		slices.ContainsFunc(c.st.vpces.all(), func(e *ec2api.VpcEndpoint) bool { return val(e.VpcId) == id })
	if dependent {
		return nil, errorf("DependencyViolation", "The vpc '%s' has dependencies and cannot be deleted.", id)
	}
	for _, r := range c.st.routeTables.all() {
		if val(r.VpcId) == id {
			c.touch("route-table", *r.RouteTableId)
			c.st.routeTables.remove(*r.RouteTableId)
		}
	}
	for _, g := range c.st.groups.all() {
		if val(g.VpcId) == id {
			c.touch("security-group", *g.GroupId)
			c.st.groups.remove(*g.GroupId)
		}
	}
	for _, a := range c.st.acls.all() {
		if val(a.VpcId) == id {
			c.touch("network-acl", *a.NetworkAclId)
			c.st.acls.remove(*a.NetworkAclId)
		}
	}
	c.deletePeeringsOf(id)
	c.touch("vpc", id)
	c.st.vpcs.remove(id)
	if c.st.vpcAttrs.has(id) {
		c.touch("vpc-attributes", id)
		c.st.vpcAttrs.remove(id)
	}
	return &struct{}{}, nil
}

func isMain(r *ec2api.RouteTable) bool {
	return slices.ContainsFunc(r.Associations, func(a ec2api.RouteTableAssociation) bool { return a.Main != nil && *a.Main })
}

func attachedTo(g *ec2api.InternetGateway, vpcID string) bool {
	return slices.ContainsFunc(g.Attachments, func(a ec2api.InternetGatewayAttachment) bool { return val(a.VpcId) == vpcID })
}
