package serve

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSDKVPCs: VPCs, subnets, internet gateways, tags and the catalog (zones, regions,
// account attributes) through aws-sdk-go-v2, with their paginators and waiters.
func TestSDKVPCs(t *testing.T) {
	c := newSDK(t, Options{})

	// CreateVpc answers pending, with the tags asked for; describe shows it available.
	cv := ok(c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: tagSpec(types.ResourceTypeVpc, "Name", "lab", "team", "net")}))(t)
	vpc := wantID(t, cv.Vpc.VpcId, "vpc")
	if aws.ToString(cv.Vpc.CidrBlock) != "10.0.0.0/16" || cv.Vpc.State != types.VpcStatePending ||
		aws.ToString(cv.Vpc.OwnerId) != "123456789012" || tagsOf(cv.Vpc.Tags)["Name"] != "lab" {
		t.Errorf("CreateVpc: %+v", *cv.Vpc)
	}
	dv := ok(c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}))(t)
	if len(dv.Vpcs) != 1 || dv.Vpcs[0].State != types.VpcStateAvailable || aws.ToString(dv.Vpcs[0].CidrBlock) != "10.0.0.0/16" ||
		len(dv.Vpcs[0].CidrBlockAssociationSet) != 1 || dv.Vpcs[0].CidrBlockAssociationSet[0].CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated ||
		aws.ToBool(dv.Vpcs[0].IsDefault) || tagsOf(dv.Vpcs[0].Tags)["team"] != "net" {
		t.Errorf("DescribeVpcs: %+v", dv.Vpcs)
	}
	_, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}})
	wantCode(t, "DescribeVpcs of an unknown VPC", err, "InvalidVpcID.NotFound")

	// Subnets: the zone asked for, the free addresses (256 less AWS's five), a conflict.
	cs := ok(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.1.0/24"),
		AvailabilityZone: aws.String("us-east-1b"), TagSpecifications: tagSpec(types.ResourceTypeSubnet, "Name", "web")}))(t)
	subnet := wantID(t, cs.Subnet.SubnetId, "subnet")
	if aws.ToString(cs.Subnet.CidrBlock) != "10.0.1.0/24" || aws.ToString(cs.Subnet.VpcId) != vpc ||
		aws.ToString(cs.Subnet.AvailabilityZone) != "us-east-1b" || aws.ToInt32(cs.Subnet.AvailableIpAddressCount) != 251 ||
		cs.Subnet.State != types.SubnetStateAvailable {
		t.Errorf("CreateSubnet: %+v", *cs.Subnet)
	}
	_, err = c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.1.128/25")})
	wantCode(t, "an overlapping subnet", err, "InvalidSubnet.Conflict")
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantCode(t, "DeleteVpc of a VPC with a subnet", err, "DependencyViolation")
	ds := ok(c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("tag:Name", "w*")}}))(t)
	if len(ds.Subnets) != 1 || aws.ToString(ds.Subnets[0].SubnetId) != subnet || aws.ToString(ds.Subnets[0].AvailabilityZoneId) == "" {
		t.Errorf("DescribeSubnets by VPC and tag wildcard: %+v", ds.Subnets)
	}

	// Internet gateways: attach, the attachment's state, refused deletes, detach.
	cg := ok(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{
		TagSpecifications: tagSpec(types.ResourceTypeInternetGateway, "Name", "edge")}))(t)
	igw := wantID(t, cg.InternetGateway.InternetGatewayId, "igw")
	if len(cg.InternetGateway.Attachments) != 0 {
		t.Errorf("a new internet gateway is attached: %+v", cg.InternetGateway.Attachments)
	}
	ok(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}))(t)
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)})
	wantCode(t, "attaching an attached gateway", err, "Resource.AlreadyAssociated")
	dg := ok(c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{filter("attachment.vpc-id", vpc)}}))(t)
	if len(dg.InternetGateways) != 1 || len(dg.InternetGateways[0].Attachments) != 1 ||
		aws.ToString(dg.InternetGateways[0].Attachments[0].VpcId) != vpc || dg.InternetGateways[0].Attachments[0].State != "available" {
		t.Errorf("DescribeInternetGateways: %+v", dg.InternetGateways)
	}
	_, err = c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)})
	wantCode(t, "deleting an attached gateway", err, "DependencyViolation")

	// Waiters: each succeeds at once on what exists; VpcExists on a VPC that never comes
	// gives up at its deadline.
	waitStart := time.Now()
	if err := ec2.NewVpcAvailableWaiter(c, func(o *ec2.VpcAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}, time.Second); err != nil {
		t.Errorf("VpcAvailable: %v", err)
	}
	if err := ec2.NewVpcExistsWaiter(c, func(o *ec2.VpcExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}, time.Second); err != nil {
		t.Errorf("VpcExists: %v", err)
	}
	if err := ec2.NewSubnetAvailableWaiter(c, func(o *ec2.SubnetAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnet}}, time.Second); err != nil {
		t.Errorf("SubnetAvailable: %v", err)
	}
	if err := ec2.NewInternetGatewayExistsWaiter(c, func(o *ec2.InternetGatewayExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{igw}}, time.Second); err != nil {
		t.Errorf("InternetGatewayExists: %v", err)
	}
	before := c.calls("DescribeVpcs")
	err = ec2.NewVpcExistsWaiter(c, func(o *ec2.VpcExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}}, 200*time.Millisecond)
	if err == nil {
		t.Errorf("VpcExists on a VPC that does not exist succeeded")
	}
	if polls := c.calls("DescribeVpcs") - before; polls < 2 {
		t.Errorf("VpcExists on a missing VPC polled %d times before giving up, want it to retry NotFound", polls)
	}
	if d := time.Since(waitStart); d > 3*time.Second {
		t.Errorf("the waiters took %v", d)
	}

	// Tags: added, filtered by key and resource type, deleted by key and by key and value.
	ok(c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpc, subnet, igw},
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}))(t)
	dt := ok(c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("key", "env")}}))(t)
	var tagged []string
	for _, tg := range dt.Tags {
		tagged = append(tagged, string(tg.ResourceType)+" "+aws.ToString(tg.ResourceId)+" "+aws.ToString(tg.Value))
	}
	exactlyOnce(t, "DescribeTags key=env", tagged, []string{"vpc " + vpc + " test", "subnet " + subnet + " test", "internet-gateway " + igw + " test"})
	ok(c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("env")}}}))(t)
	ok(c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{subnet}, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("other")}}}))(t)
	dt = ok(c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("key", "env")}}))(t)
	tagged = nil
	for _, tg := range dt.Tags {
		tagged = append(tagged, aws.ToString(tg.ResourceId))
	}
	exactlyOnce(t, "DescribeTags after deleting env from the VPC (and a non-matching value from the subnet)", tagged, []string{subnet, igw})

	// The catalog.
	az := ok(c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{}))(t)
	var zones []string
	for _, z := range az.AvailabilityZones {
		zones = append(zones, aws.ToString(z.ZoneName))
		if aws.ToString(z.RegionName) != "us-east-1" || z.State != types.AvailabilityZoneStateAvailable || aws.ToString(z.ZoneId) == "" {
			t.Errorf("DescribeAvailabilityZones: %+v", z)
		}
	}
	if !slices.Contains(zones, "us-east-1a") || !slices.Contains(zones, "us-east-1b") {
		t.Errorf("zones %v", zones)
	}
	rg := ok(c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}))(t)
	if !slices.ContainsFunc(rg.Regions, func(r types.Region) bool {
		return aws.ToString(r.RegionName) == "us-east-1" && aws.ToString(r.Endpoint) != ""
	}) {
		t.Errorf("DescribeRegions: %+v", rg.Regions)
	}
	aa := ok(c.DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{
		AttributeNames: []types.AccountAttributeName{types.AccountAttributeNameSupportedPlatforms}}))(t)
	if len(aa.AccountAttributes) != 1 || aws.ToString(aa.AccountAttributes[0].AttributeName) != "supported-platforms" ||
		len(aa.AccountAttributes[0].AttributeValues) != 1 || aws.ToString(aa.AccountAttributes[0].AttributeValues[0].AttributeValue) != "VPC" {
		t.Errorf("DescribeAccountAttributes: %+v", aa.AccountAttributes)
	}

	// Tear down in AWS's order; each delete is refused while something depends on it.
	ok(c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}))(t)
	_, err = c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)})
	wantCode(t, "detaching a detached gateway", err, "Gateway.NotAttached")
	ok(c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)}))(t)
	ok(c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subnet)}))(t)
	ok(c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}))(t)
	if dv := ok(c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}))(t); len(dv.Vpcs) != 0 {
		t.Errorf("VPCs left after the teardown: %+v", dv.Vpcs)
	}
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantCode(t, "deleting a deleted VPC", err, "InvalidVpcID.NotFound")
}

// TestSDKVPCPaginators pages five at a time through twelve VPCs, their subnets, internet
// gateways and tags: every resource exactly once.
func TestSDKVPCPaginators(t *testing.T) {
	c := newSDK(t, Options{})
	var vpcs, subnets, igws []string
	for i := range 12 {
		vpc := c.mkVpc(t, cidr(i))
		vpcs = append(vpcs, vpc)
		subnets = append(subnets, c.mkSubnet(t, vpc, "10."+itoa(i)+".1.0/24"))
		g := ok(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{}))(t)
		igws = append(igws, *g.InternetGateway.InternetGatewayId)
		ok(c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("n"), Value: aws.String(itoa(i))}}}))(t)
	}
	max := aws.Int32(5)

	var got []string
	pages := 0
	for p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: max}); p.HasMorePages(); pages++ {
		out := ok(p.NextPage(ctx))(t)
		if len(out.Vpcs) > 5 {
			t.Errorf("a page of %d VPCs, asked for 5", len(out.Vpcs))
		}
		for _, v := range out.Vpcs {
			got = append(got, *v.VpcId)
		}
	}
	exactlyOnce(t, "DescribeVpcs pages", got, vpcs)
	if pages != 3 {
		t.Errorf("12 VPCs came in %d pages of 5, want 3", pages)
	}

	got = nil
	for p := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: max}); p.HasMorePages(); {
		for _, s := range ok(p.NextPage(ctx))(t).Subnets {
			got = append(got, *s.SubnetId)
		}
	}
	exactlyOnce(t, "DescribeSubnets pages", got, subnets)

	got = nil
	for p := ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{MaxResults: max}); p.HasMorePages(); {
		for _, g := range ok(p.NextPage(ctx))(t).InternetGateways {
			got = append(got, *g.InternetGatewayId)
		}
	}
	exactlyOnce(t, "DescribeInternetGateways pages", got, igws)

	got = nil
	for p := ec2.NewDescribeTagsPaginator(c, &ec2.DescribeTagsInput{MaxResults: max, Filters: []types.Filter{filter("key", "n")}}); p.HasMorePages(); {
		for _, tg := range ok(p.NextPage(ctx))(t).Tags {
			got = append(got, *tg.ResourceId)
		}
	}
	exactlyOnce(t, "DescribeTags pages", got, vpcs)

	// A filter applies before the page: five of the twelve match, one page, no token.
	p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: max, Filters: []types.Filter{filter("cidr", "10.1*")}})
	out := ok(p.NextPage(ctx))(t)
	if len(out.Vpcs) != 3 || p.HasMorePages() { // 10.1, 10.10, 10.11
		t.Errorf("filtered pages: %d VPCs, more pages %v", len(out.Vpcs), p.HasMorePages())
	}
}
