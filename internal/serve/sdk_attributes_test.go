package serve

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKAttributes"] = []string{"DescribeVpcAttribute", "ModifyVpcAttribute", "ModifySubnetAttribute",
		"DescribeAddressesAttribute", "DescribeInstanceTypes", "DescribeImages", "DescribeInstanceAttribute",
		"DescribeInstanceCreditSpecifications", "DescribeVolumes"}
}

// TestSDKAttributes: the attribute and catalog calls Terraform makes after every create,
// through the SDK: VPC DNS attributes (one per call), a subnet's public IP mapping, an
// address's reverse DNS (none), instance types and images for any name asked about, an
// instance's attributes, CPU credits and root volume.
func TestSDKAttributes(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")

	dns := func(attr types.VpcAttributeName) *ec2.DescribeVpcAttributeOutput {
		return ok(c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpc), Attribute: attr}))(t)
	}
	if a := dns(types.VpcAttributeNameEnableDnsSupport); a.EnableDnsSupport == nil || !aws.ToBool(a.EnableDnsSupport.Value) {
		t.Errorf("enableDnsSupport of a new VPC: %+v, want true", a.EnableDnsSupport)
	}
	if a := dns(types.VpcAttributeNameEnableDnsHostnames); a.EnableDnsHostnames == nil || aws.ToBool(a.EnableDnsHostnames.Value) {
		t.Errorf("enableDnsHostnames of a new VPC: %+v, want false", a.EnableDnsHostnames)
	}
	ok(c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))(t)
	if a := dns(types.VpcAttributeNameEnableDnsHostnames); !aws.ToBool(a.EnableDnsHostnames.Value) {
		t.Errorf("enableDnsHostnames after ModifyVpcAttribute: %+v", a.EnableDnsHostnames)
	}
	_, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(false)},
		EnableDnsSupport: &types.AttributeBooleanValue{Value: aws.Bool(true)}})
	wantCode(t, "two attributes in one call", err, "InvalidParameterCombination")

	ok(c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subnet), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))(t)
	if s := ok(c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnet}}))(t).Subnets; !aws.ToBool(s[0].MapPublicIpOnLaunch) {
		t.Errorf("MapPublicIpOnLaunch after ModifySubnetAttribute: %+v", s[0])
	}

	eip := ok(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))(t)
	aa := ok(c.DescribeAddressesAttribute(ctx, &ec2.DescribeAddressesAttributeInput{AllocationIds: []string{*eip.AllocationId},
		Attribute: types.AddressAttributeNameDomainName}))(t)
	if len(aa.Addresses) != 1 || aws.ToString(aa.Addresses[0].PublicIp) != aws.ToString(eip.PublicIp) || aa.Addresses[0].PtrRecord != nil {
		t.Errorf("DescribeAddressesAttribute: %+v", aa.Addresses)
	}

	it := ok(c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{types.InstanceTypeT3Micro, types.InstanceTypeM5Large}}))(t)
	if len(it.InstanceTypes) != 2 || it.InstanceTypes[0].InstanceType != types.InstanceTypeM5Large || it.InstanceTypes[1].VCpuInfo == nil ||
		aws.ToInt32(it.InstanceTypes[1].VCpuInfo.DefaultVCpus) != 2 || it.InstanceTypes[1].NetworkInfo == nil {
		t.Errorf("DescribeInstanceTypes: %+v", it.InstanceTypes)
	}
	im := ok(c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}}))(t)
	if len(im.Images) != 1 || aws.ToString(im.Images[0].ImageId) != "ami-0123456789abcdef0" || im.Images[0].State != types.ImageStateAvailable ||
		aws.ToString(im.Images[0].RootDeviceName) != "/dev/xvda" {
		t.Errorf("DescribeImages: %+v", im.Images)
	}
	_, err = c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"image-1"}})
	wantCode(t, "a malformed image ID", err, "InvalidAMIID.Malformed")

	ri := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet)}))(t)
	id := *ri.Instances[0].InstanceId
	attr := func(a types.InstanceAttributeName) *ec2.DescribeInstanceAttributeOutput {
		return ok(c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: a}))(t)
	}
	if a := attr(types.InstanceAttributeNameInstanceInitiatedShutdownBehavior); aws.ToString(a.InstanceInitiatedShutdownBehavior.Value) != "stop" {
		t.Errorf("shutdown behaviour: %+v", a.InstanceInitiatedShutdownBehavior)
	}
	if a := attr(types.InstanceAttributeNameSourceDestCheck); !aws.ToBool(a.SourceDestCheck.Value) {
		t.Errorf("source/destination check: %+v", a.SourceDestCheck)
	}
	if a := attr(types.InstanceAttributeNameGroupSet); len(a.Groups) != 1 || aws.ToString(a.Groups[0].GroupName) != "default" {
		t.Errorf("groups: %+v", a.Groups)
	}
	cs := ok(c.DescribeInstanceCreditSpecifications(ctx, &ec2.DescribeInstanceCreditSpecificationsInput{InstanceIds: []string{id}}))(t)
	if len(cs.InstanceCreditSpecifications) != 1 || aws.ToString(cs.InstanceCreditSpecifications[0].CpuCredits) != "unlimited" {
		t.Errorf("credits of a t3: %+v", cs.InstanceCreditSpecifications)
	}
	root := ri.Instances[0].BlockDeviceMappings
	if len(root) != 1 || root[0].Ebs == nil {
		t.Fatalf("root device: %+v", root)
	}
	vs := ok(c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{aws.ToString(root[0].Ebs.VolumeId)}}))(t)
	if len(vs.Volumes) != 1 || len(vs.Volumes[0].Attachments) != 1 || aws.ToString(vs.Volumes[0].Attachments[0].InstanceId) != id ||
		vs.Volumes[0].State != types.VolumeStateInUse {
		t.Errorf("DescribeVolumes: %+v", vs.Volumes)
	}
}
