package serve

import (
	"github.com/vpclab/vpclab/internal/ec2api"
)

// Attributes that EC2 reads and writes with their own calls (Describe/Modify...Attribute)
// rather than in the resource's describe shape. Terraform reads each after every create.

func init() {
	register("DescribeVpcAttribute", describeVpcAttribute)
	register("ModifyVpcAttribute", modifyVpcAttribute)
	register("ModifySubnetAttribute", modifySubnetAttribute)
	register("DescribeAddressesAttribute", describeAddressesAttribute)
}

// vpcAttributes are a VPC's DNS attributes, kept as the record ("vpc-attributes", VPC ID).
// A VPC made by CreateVpc resolves DNS and gives no hostnames, as AWS's non-default VPCs.
type vpcAttributes struct {
	DNSSupport, DNSHostnames, AddressUsageMetrics bool
}

func (c *call) vpcAttributes(id string) *vpcAttributes {
	if a := c.st.vpcAttrs.get(id); a != nil {
		return a
	}
	return &vpcAttributes{DNSSupport: true}
}

func describeVpcAttribute(c *call, in *ec2api.DescribeVpcAttributeRequest) (*ec2api.DescribeVpcAttributeResult, error) {
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	a := c.vpcAttributes(*v.VpcId)
	out := &ec2api.DescribeVpcAttributeResult{VpcId: v.VpcId}
	switch val(in.Attribute) {
	case "enableDnsSupport":
		out.EnableDnsSupport = &ec2api.AttributeBooleanValue{Value: boolp(a.DNSSupport)}
	case "enableDnsHostnames":
		out.EnableDnsHostnames = &ec2api.AttributeBooleanValue{Value: boolp(a.DNSHostnames)}
	case "enableNetworkAddressUsageMetrics":
		out.EnableNetworkAddressUsageMetrics = &ec2api.AttributeBooleanValue{Value: boolp(a.AddressUsageMetrics)}
	default:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Expected enableDnsSupport, enableDnsHostnames or enableNetworkAddressUsageMetrics.", val(in.Attribute))
	}
	return out, nil
}

// ModifyVpcAttribute changes one attribute per call, as EC2 requires.
func modifyVpcAttribute(c *call, in *ec2api.ModifyVpcAttributeRequest) (*struct{}, error) {
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	a := *c.vpcAttributes(*v.VpcId)
	set := 0
	for _, x := range []struct {
		in  *ec2api.AttributeBooleanValue
		out *bool
	}{{in.EnableDnsSupport, &a.DNSSupport}, {in.EnableDnsHostnames, &a.DNSHostnames}, {in.EnableNetworkAddressUsageMetrics, &a.AddressUsageMetrics}} {
		if x.in != nil && x.in.Value != nil {
			*x.out = *x.in.Value
			set++
		}
	}
	if set != 1 {
		return nil, errorf("InvalidParameterCombination", "Fields for multiple attribute types specified: exactly one attribute may be modified per request")
	}
	if a.DNSHostnames && !a.DNSSupport {
		return nil, errorf("InvalidParameterCombination", "DNS hostnames need DNS support: enable enableDnsSupport first")
	}
	c.touch("vpc-attributes", *v.VpcId)
	c.st.vpcAttrs.put(*v.VpcId, &a)
	return &struct{}{}, nil
}

// ModifySubnetAttribute sets what the subnet's describe shape holds; the rest (DNS name
// options, customer-owned pools) are refused rather than dropped.
func modifySubnetAttribute(c *call, in *ec2api.ModifySubnetAttributeRequest) (*struct{}, error) {
	s, err := c.subnet(val(in.SubnetId))
	if err != nil {
		return nil, err
	}
	c.touch("subnet", *s.SubnetId)
	switch {
	case in.MapPublicIpOnLaunch != nil:
		s.MapPublicIpOnLaunch = boolp(deref(in.MapPublicIpOnLaunch.Value))
	case in.AssignIpv6AddressOnCreation != nil:
		s.AssignIpv6AddressOnCreation = boolp(deref(in.AssignIpv6AddressOnCreation.Value))
	case in.EnableDns64 != nil:
		s.EnableDns64 = boolp(deref(in.EnableDns64.Value))
	case in.EnableResourceNameDnsARecordOnLaunch != nil || in.EnableResourceNameDnsAAAARecordOnLaunch != nil || in.PrivateDnsHostnameTypeOnLaunch != nil:
		opt := s.PrivateDnsNameOptionsOnLaunch
		if opt == nil {
			opt = &ec2api.PrivateDnsNameOptionsOnLaunch{HostnameType: str("ip-name"), EnableResourceNameDnsARecord: boolp(false),
				EnableResourceNameDnsAAAARecord: boolp(false)}
		}
		if in.EnableResourceNameDnsARecordOnLaunch != nil {
			opt.EnableResourceNameDnsARecord = boolp(deref(in.EnableResourceNameDnsARecordOnLaunch.Value))
		}
		if in.EnableResourceNameDnsAAAARecordOnLaunch != nil {
			opt.EnableResourceNameDnsAAAARecord = boolp(deref(in.EnableResourceNameDnsAAAARecordOnLaunch.Value))
		}
		if in.PrivateDnsHostnameTypeOnLaunch != nil {
			opt.HostnameType = in.PrivateDnsHostnameTypeOnLaunch
		}
		s.PrivateDnsNameOptionsOnLaunch = opt
	default:
		return nil, errorf("UnsupportedOperation", "vpclab serve does not modify this subnet attribute yet")
	}
	return &struct{}{}, nil
}

// DescribeAddressesAttribute: the addresses' reverse DNS records, of which a lab has none.
func describeAddressesAttribute(c *call, in *ec2api.DescribeAddressesAttributeRequest) (*ec2api.DescribeAddressesAttributeResult, error) {
	if a := val(in.Attribute); a != "" && a != "domain-name" {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Expected domain-name.", a)
	}
	as, next, err := describe(query{op: "DescribeAddressesAttribute", ids: in.AllocationIds, maxResults: in.MaxResults, nextToken: in.NextToken,
		notFound: "InvalidAllocationID.NotFound", what: "allocation"},
		c.st.addresses.all(), func(a *ec2api.Address) string { return val(a.AllocationId) })
	if err != nil {
		return nil, err
	}
	out := &ec2api.DescribeAddressesAttributeResult{Addresses: []ec2api.AddressAttribute{}, NextToken: next}
	for _, a := range as {
		out.Addresses = append(out.Addresses, ec2api.AddressAttribute{AllocationId: a.AllocationId, PublicIp: a.PublicIp})
	}
	return out, nil
}
