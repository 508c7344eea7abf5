package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpclab/vpclab/internal/serve"
)

// TestServeTransitGatewaySnapshot: a lab of two VPCs joined by a transit gateway, built on
// vpclab serve with aws-sdk-go-v2, is snapshotted with vpclab snapshot (the per-table
// transit gateway answers among its files) and traced from the snapshot as from the served
// lab: the same answer, delivered through the gateway (§7.2 TGW-1).
func TestServeTransitGatewaySnapshot(t *testing.T) {
	base := servedLab(t)
	ctx := context.Background()
	c := ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(base), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIAVPCLABTEST000000", "test", "")})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	created, err := c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	must(err)
	tgw, table := *created.TransitGateway.TransitGatewayId, *created.TransitGateway.Options.AssociationDefaultRouteTableId
	_, err = c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{}) // it settles
	must(err)
	for i, name := range []string{"source", "destination"} {
		vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i))})
		must(err)
		vpcID := vpc.Vpc.VpcId
		subnet, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String(fmt.Sprintf("10.%d.1.0/24", i)),
			AvailabilityZone: aws.String("us-east-1a")})
		must(err)
		vpcFilter := []types.Filter{{Name: aws.String("vpc-id"), Values: []string{*vpcID}}}
		sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: vpcFilter})
		must(err)
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sgs.SecurityGroups[0].GroupId,
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}})
		must(err)
		_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: subnet.Subnet.SubnetId, PrivateIpAddress: aws.String(fmt.Sprintf("10.%d.1.10", i)),
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}})
		must(err)
		_, err = c.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: aws.String(tgw), VpcId: vpcID,
			SubnetIds: []string{*subnet.Subnet.SubnetId}})
		must(err)
		rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: vpcFilter})
		must(err)
		_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rts.RouteTables[0].RouteTableId, DestinationCidrBlock: aws.String("10.0.0.0/8"),
			TransitGatewayId: aws.String(tgw)})
		must(err)
	}
	_, err = c.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{}) // the attachments settle
	must(err)

	dir := snapshotOf(t, base)
	for _, f := range []string{"search-transit-gateway-routes", "get-transit-gateway-route-table-associations", "get-transit-gateway-route-table-propagations"} {
		if _, err := os.Stat(filepath.Join(dir, "123456789012", "us-east-1", f+"."+table+".json")); err != nil {
			t.Errorf("the snapshot has no %s answer for the gateway's table: %v", f, err)
		}
	}
	trace := func(topo string) string {
		var o, e bytes.Buffer
		code := Main(ctx, []string{"trace", "-t", topo, "--no-resident", "--from", "source", "--to", "destination", "--output", "json"}, &o, &e)
		if code != 0 {
			t.Fatalf("trace -t %s: exit %d %s %s", topo, code, o.String(), e.String())
		}
		return o.String()
	}
	served, snapped := trace(base), trace(dir)
	if served != snapped || !strings.Contains(served, tgw) || !strings.Contains(served, `"NetworkPathFound": true`) {
		t.Errorf("the snapshot answers differently from the served lab, or not through %s:\nserved:\n%s\nsnapshot:\n%s", tgw, served, snapped)
	}
}

// TestServeImportTransitGatewayLab: `vpclab serve --import` of a transit gateway lab (the
// inspection example: spokes routed through an inspection VPC, §7.2 TGW-5 and TGW-7) serves
// it, and a trace on the served lab answers as the lab file does (in text: the JSON form
// adds the ARNs a snapshot has and a lab file lacks). Without appliance mode the stateful
// firewalls drop the answers (VPCLAB_ASYMMETRIC_INSPECTION): their statefulness, which
// describe-* JSON has no field for, travels as the vpclab:forwarding tag.
func TestServeImportTransitGatewayLab(t *testing.T) {
	for _, tc := range []struct {
		file string
		code int
		says string
	}{
		{"lab-appliance-mode.yaml", 0, " deliver"},
		{"lab.yaml", 1, "VPCLAB_ASYMMETRIC_INSPECTION"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			lab := filepath.Join("..", "..", "examples", "tgw-inspection", tc.file)
			files, err := importLab(lab)
			if err != nil {
				t.Fatal(err)
			}
			s, err := serve.New(serve.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Import(tc.file, files); err != nil {
				t.Fatal(err)
			}
			url := serveLab(t, s)
			trace := func(topo string) string {
				var o, e bytes.Buffer
				code := Main(context.Background(), []string{"trace", "-t", topo, "--no-resident", "--from", "x", "--to", "y", "--port", "22"}, &o, &e)
				if code != tc.code {
					t.Fatalf("trace -t %s: exit %d, want %d: %s %s", topo, code, tc.code, o.String(), e.String())
				}
				return o.String()
			}
			if served, file := trace(url), trace(lab); served != file || !strings.Contains(served, "tgw-rtb-") || !strings.Contains(served, tc.says) {
				t.Errorf("the imported lab answers differently from its file:\nserved:\n%s\nfile:\n%s", served, file)
			}
		})
	}
}
