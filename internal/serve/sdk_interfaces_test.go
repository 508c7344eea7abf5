package serve

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKNetworkInterfaces"] = []string{"CreateNetworkInterface", "DeleteNetworkInterface", "AttachNetworkInterface",
		"DetachNetworkInterface", "DescribeNetworkInterfaceAttribute"}
}

// TestSDKNetworkInterfaces: an interface made on its own through aws-sdk-go-v2 is
// available (NetworkInterfaceAvailable succeeds), attached to an instance in its zone it
// is in use and one of the instance's interfaces, detached it is available again; an
// attached one is not deleted, and one attached after launch outlives its instance.
func TestSDKNetworkInterfaces(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	other := ok(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.2.0/24"),
		AvailabilityZone: aws.String("us-east-1b")}))(t).Subnet
	sg := *ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: aws.String(vpc)}))(t).GroupId

	cr := ok(c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.50"),
		Groups: []string{sg}, Description: aws.String("second leg"), TagSpecifications: tagSpec(types.ResourceTypeNetworkInterface, "Name", "leg")}))(t)
	e := cr.NetworkInterface
	eni := wantID(t, e.NetworkInterfaceId, "eni")
	if e.Status != types.NetworkInterfaceStatusAvailable || e.Attachment != nil || aws.ToString(e.PrivateIpAddress) != "10.0.1.50" ||
		aws.ToString(e.Description) != "second leg" || len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupId) != sg ||
		aws.ToString(e.VpcId) != vpc || tagsOf(e.TagSet)["Name"] != "leg" || e.InterfaceType != types.NetworkInterfaceTypeInterface {
		t.Errorf("CreateNetworkInterface: %+v", *e)
	}
	if err := ec2.NewNetworkInterfaceAvailableWaiter(c, func(o *ec2.NetworkInterfaceAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}, time.Second); err != nil {
		t.Errorf("NetworkInterfaceAvailable on a new interface: %v", err)
	}
	_, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.50")})
	wantCode(t, "an address taken", err, "InvalidIPAddress.InUse")
	far := *ok(c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: other.SubnetId}))(t).NetworkInterface.NetworkInterfaceId

	ri := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet)}))(t)
	inst := *ri.Instances[0].InstanceId
	primaryAttachment := *ri.Instances[0].NetworkInterfaces[0].Attachment.AttachmentId
	primary := *ri.Instances[0].NetworkInterfaces[0].NetworkInterfaceId

	at := ok(c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni), InstanceId: aws.String(inst),
		DeviceIndex: aws.Int32(1)}))(t)
	attachment := wantID(t, at.AttachmentId, "eni-attach")
	dn := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}))(t).NetworkInterfaces
	if len(dn) != 1 || dn[0].Status != types.NetworkInterfaceStatusInUse || dn[0].Attachment == nil ||
		aws.ToString(dn[0].Attachment.InstanceId) != inst || aws.ToInt32(dn[0].Attachment.DeviceIndex) != 1 ||
		aws.ToString(dn[0].Attachment.AttachmentId) != attachment {
		t.Errorf("the attached interface: %+v", dn)
	}
	di := ok(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}}))(t)
	if got := di.Reservations[0].Instances[0]; len(got.NetworkInterfaces) != 2 || aws.ToString(got.PrivateIpAddress) == "10.0.1.50" {
		t.Errorf("the instance with a second interface: %+v", got.NetworkInterfaces)
	}
	for _, tc := range []struct {
		what, eni string
		index     int32
		code      string
	}{
		{"an interface in use", eni, 2, "InvalidNetworkInterface.InUse"},
		{"the instance's own interface", primary, 2, "InvalidNetworkInterface.InUse"},
		{"an interface in another zone", far, 2, "InvalidParameterCombination"},
	} {
		_, err := c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(tc.eni), InstanceId: aws.String(inst),
			DeviceIndex: aws.Int32(tc.index)})
		wantCode(t, "attaching "+tc.what, err, tc.code)
	}
	spare := *ok(c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet)}))(t).NetworkInterface.NetworkInterfaceId
	_, err = c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(spare), InstanceId: aws.String(inst), DeviceIndex: aws.Int32(1)})
	wantCode(t, "attaching at a device index in use", err, "InvalidParameterValue")
	_, err = c.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)})
	wantCode(t, "deleting an attached interface", err, "InvalidNetworkInterface.InUse")

	attr := func(a types.NetworkInterfaceAttribute) *ec2.DescribeNetworkInterfaceAttributeOutput {
		return ok(c.DescribeNetworkInterfaceAttribute(ctx, &ec2.DescribeNetworkInterfaceAttributeInput{NetworkInterfaceId: aws.String(eni), Attribute: a}))(t)
	}
	if a := attr(types.NetworkInterfaceAttributeDescription); a.Description == nil || aws.ToString(a.Description.Value) != "second leg" {
		t.Errorf("description: %+v", a.Description)
	}
	if a := attr(types.NetworkInterfaceAttributeGroupSet); len(a.Groups) != 1 || aws.ToString(a.Groups[0].GroupId) != sg {
		t.Errorf("groupSet: %+v", a.Groups)
	}
	if a := attr(types.NetworkInterfaceAttributeAttachment); a.Attachment == nil || aws.ToString(a.Attachment.AttachmentId) != attachment ||
		aws.ToBool(a.Attachment.DeleteOnTermination) {
		t.Errorf("attachment: %+v", a.Attachment)
	}
	if a := attr(types.NetworkInterfaceAttributeSourceDestCheck); a.SourceDestCheck == nil || !aws.ToBool(a.SourceDestCheck.Value) {
		t.Errorf("sourceDestCheck: %+v", a.SourceDestCheck)
	}

	_, err = c.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: aws.String(primaryAttachment)})
	wantCode(t, "detaching the primary interface", err, "OperationNotPermitted")
	ok(c.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: aws.String(attachment)}))(t)
	if got := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}))(t).NetworkInterfaces[0]; got.Status != types.NetworkInterfaceStatusAvailable || got.Attachment != nil {
		t.Errorf("the detached interface: %+v", got)
	}
	_, err = c.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: aws.String(attachment)})
	wantCode(t, "detaching twice", err, "InvalidAttachmentID.NotFound")

	// Attached again, the instance terminated: the interface is detached, not deleted; the
	// instance's own interface goes with it.
	ok(c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni), InstanceId: aws.String(inst), DeviceIndex: aws.Int32(1)}))(t)
	ok(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{inst}}))(t)
	if got := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}))(t).NetworkInterfaces[0]; got.Status != types.NetworkInterfaceStatusAvailable {
		t.Errorf("the second interface after its instance was terminated: %+v", got)
	}
	_, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{primary}})
	wantCode(t, "the terminated instance's primary interface", err, "InvalidNetworkInterfaceID.NotFound")

	// An instance launched with the interface as its own (Terraform's aws_instance with a
	// network_interface block): the interface is its primary one, and outlives it.
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{{NetworkInterfaceId: aws.String(eni), DeviceIndex: aws.Int32(0), SubnetId: aws.String(subnet)}}})
	wantCode(t, "launching with an interface and a subnet", err, "InvalidParameterCombination")
	own := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{{NetworkInterfaceId: aws.String(eni), DeviceIndex: aws.Int32(0)}}}))(t).Instances[0]
	if aws.ToString(own.PrivateIpAddress) != "10.0.1.50" || aws.ToString(own.SubnetId) != subnet || len(own.NetworkInterfaces) != 1 ||
		aws.ToString(own.NetworkInterfaces[0].NetworkInterfaceId) != eni || len(own.SecurityGroups) != 1 || aws.ToString(own.SecurityGroups[0].GroupId) != sg {
		t.Errorf("an instance launched with the interface: %+v", own)
	}
	ok(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{*own.InstanceId}}))(t)
	if got := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}))(t).NetworkInterfaces[0]; got.Status != types.NetworkInterfaceStatusAvailable {
		t.Errorf("the interface an instance was launched with, after the instance: %+v", got)
	}

	// A route to the interface is blackhole once the interface is deleted.
	rt := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpc)}}))(t).RouteTables[0]
	ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), NetworkInterfaceId: aws.String(eni)}))(t)
	ok(c.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)}))(t)
	_, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
	wantCode(t, "a deleted interface", err, "InvalidNetworkInterfaceID.NotFound")
	routes := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}}))(t).RouteTables[0].Routes
	for _, r := range routes {
		if aws.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" && r.State != types.RouteStateBlackhole {
			t.Errorf("the route to the deleted interface: %+v, want blackhole", r)
		}
	}
}
