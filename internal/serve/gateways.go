package serve

import (
	"slices"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Egress-only internet gateways (§3.7, §3.10, §12) and DHCP options sets. Neither is in
// the export yet: the snapshot loader does not model them (it skips both answers with a
// warning), and an egress-only gateway is a target of IPv6 routes only, which vpclab serve
// does not take yet (routes.go), so no route leads to one.

func init() {
	register("CreateEgressOnlyInternetGateway", createEgressOnlyInternetGateway)
	register("DescribeEgressOnlyInternetGateways", describeEgressOnlyInternetGateways)
	register("DeleteEgressOnlyInternetGateway", deleteEgressOnlyInternetGateway)
	register("CreateDhcpOptions", createDhcpOptions)
	register("DescribeDhcpOptions", describeDhcpOptions)
	register("DeleteDhcpOptions", deleteDhcpOptions)
	register("AssociateDhcpOptions", associateDhcpOptions)
}

// CreateEgressOnlyInternetGateway makes the gateway attached to its VPC: it has no life of
// its own apart from the VPC (§3.10).
func createEgressOnlyInternetGateway(c *call, in *ec2api.CreateEgressOnlyInternetGatewayRequest) (*ec2api.CreateEgressOnlyInternetGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "egress-only-internet-gateway"); err != nil {
		return nil, err
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	id := c.newID("eigw")
	g := &ec2api.EgressOnlyInternetGateway{EgressOnlyInternetGatewayId: str(id),
		Attachments: []ec2api.InternetGatewayAttachment{{State: str("attached"), VpcId: v.VpcId}},
		Tags:        tagsFrom(in.TagSpecifications, "egress-only-internet-gateway")}
	if g.Tags == nil {
		g.Tags = []ec2api.Tag{}
	}
	c.touch("egress-only-internet-gateway", id)
	c.st.eigws.put(id, g)
	out := *g
	return &ec2api.CreateEgressOnlyInternetGatewayResult{EgressOnlyInternetGateway: &out, ClientToken: in.ClientToken}, nil
}

// eigwOf is the VPC an egress-only gateway is attached to.
func eigwOf(g *ec2api.EgressOnlyInternetGateway) string {
	if len(g.Attachments) == 0 {
		return ""
	}
	return val(g.Attachments[0].VpcId)
}

func describeEgressOnlyInternetGateways(c *call, in *ec2api.DescribeEgressOnlyInternetGatewaysRequest) (*ec2api.DescribeEgressOnlyInternetGatewaysResult, error) {
	gs, next, err := describe(query{op: "DescribeEgressOnlyInternetGateways", ids: in.EgressOnlyInternetGatewayIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidEgressOnlyInternetGatewayId.NotFound", what: "egressOnlyInternetGateway"},
		c.st.eigws.all(), func(g *ec2api.EgressOnlyInternetGateway) string { return val(g.EgressOnlyInternetGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeEgressOnlyInternetGatewaysResult{EgressOnlyInternetGateways: gs, NextToken: next}, nil
}

func deleteEgressOnlyInternetGateway(c *call, in *ec2api.DeleteEgressOnlyInternetGatewayRequest) (*ec2api.DeleteEgressOnlyInternetGatewayResult, error) {
	id := val(in.EgressOnlyInternetGatewayId)
	if err := checkID(id, "eigw", "InvalidEgressOnlyInternetGatewayId.Malformed"); err != nil {
		return nil, err
	}
	if !c.st.eigws.has(id) {
		return nil, notFound("InvalidEgressOnlyInternetGatewayId.NotFound", "egressOnlyInternetGateway", id)
	}
	c.touch("egress-only-internet-gateway", id)
	c.st.eigws.remove(id)
	return &ec2api.DeleteEgressOnlyInternetGatewayResult{ReturnCode: boolp(true)}, nil
}

// dhcpKeys are the options a DHCP options set may hold.
var dhcpKeys = []string{"domain-name", "domain-name-servers", "ntp-servers", "netbios-name-servers", "netbios-node-type",
	"ipv6-address-preferred-lease-time"}

func createDhcpOptions(c *call, in *ec2api.CreateDhcpOptionsRequest) (*ec2api.CreateDhcpOptionsResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "dhcp-options"); err != nil {
		return nil, err
	}
	if len(in.DhcpConfigurations) == 0 {
		return nil, errorf("MissingParameter", "The request must contain the parameter dhcpConfiguration")
	}
	id := c.newID("dopt")
	o := &ec2api.DhcpOptions{DhcpOptionsId: str(id), OwnerId: str(c.s.opt.Account), DhcpConfigurations: []ec2api.DhcpConfiguration{},
		Tags: tagsFrom(in.TagSpecifications, "dhcp-options")}
	if o.Tags == nil {
		o.Tags = []ec2api.Tag{}
	}
	for _, conf := range in.DhcpConfigurations {
		key := val(conf.Key)
		if !slices.Contains(dhcpKeys, key) {
			return nil, errorf("InvalidParameterValue", "Value (%s) for parameter key is invalid. Unknown DHCP option", key)
		}
		if len(conf.Values) == 0 {
			return nil, errorf("InvalidParameterValue", "Value for parameter value is invalid. The DHCP option %s needs a value", key)
		}
		if slices.ContainsFunc(o.DhcpConfigurations, func(d ec2api.DhcpConfiguration) bool { return val(d.Key) == key }) {
			return nil, errorf("InvalidParameterValue", "Value (%s) for parameter key is invalid. Duplicate DHCP option", key)
		}
		d := ec2api.DhcpConfiguration{Key: str(key)}
		for _, v := range conf.Values {
			d.Values = append(d.Values, ec2api.AttributeValue{Value: str(v)})
		}
		o.DhcpConfigurations = append(o.DhcpConfigurations, d)
	}
	c.touch("dhcp-options", id)
	c.st.dhcpOptions.put(id, o)
	out := *o
	return &ec2api.CreateDhcpOptionsResult{DhcpOptions: &out}, nil
}

func describeDhcpOptions(c *call, in *ec2api.DescribeDhcpOptionsRequest) (*ec2api.DescribeDhcpOptionsResult, error) {
	os, next, err := describe(query{op: "DescribeDhcpOptions", ids: in.DhcpOptionsIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidDhcpOptionID.NotFound", what: "dhcpOption"},
		c.st.dhcpOptions.all(), func(o *ec2api.DhcpOptions) string { return val(o.DhcpOptionsId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeDhcpOptionsResult{DhcpOptions: os, NextToken: next}, nil
}

// dhcpOptions finds a DHCP options set by ID, with EC2's errors for a malformed or unknown
// one.
func (c *call) dhcpOptions(id string) (*ec2api.DhcpOptions, error) {
	if err := checkID(id, "dopt", "InvalidDhcpOptionsId.Malformed"); err != nil {
		return nil, err
	}
	o := c.st.dhcpOptions.get(id)
	if o == nil {
		return nil, notFound("InvalidDhcpOptionID.NotFound", "dhcpOption", id)
	}
	return o, nil
}

// DeleteDhcpOptions refuses a set a VPC uses.
func deleteDhcpOptions(c *call, in *ec2api.DeleteDhcpOptionsRequest) (*struct{}, error) {
	o, err := c.dhcpOptions(val(in.DhcpOptionsId))
	if err != nil {
		return nil, err
	}
	id := *o.DhcpOptionsId
	if slices.ContainsFunc(c.st.vpcs.all(), func(v *ec2api.Vpc) bool { return val(v.DhcpOptionsId) == id }) {
		return nil, errorf("DependencyViolation", "The dhcpOptions '%s' has dependencies and cannot be deleted.", id)
	}
	c.touch("dhcp-options", id)
	c.st.dhcpOptions.remove(id)
	return &struct{}{}, nil
}

// AssociateDhcpOptions gives a VPC a DHCP options set, or "default": none, AWS's
// resolver and the region's domain name.
func associateDhcpOptions(c *call, in *ec2api.AssociateDhcpOptionsRequest) (*struct{}, error) {
	id := val(in.DhcpOptionsId)
	if id != "default" {
		if _, err := c.dhcpOptions(id); err != nil {
			return nil, err
		}
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	c.touch("vpc", *v.VpcId)
	v.DhcpOptionsId = str(id)
	return &struct{}{}, nil
}
