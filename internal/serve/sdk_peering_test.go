package serve

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKPeering"] = []string{"CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "DescribeVpcPeeringConnections",
		"DeleteVpcPeeringConnection", "ModifyVpcPeeringConnectionOptions"}
}

// TestSDKPeering: VPC peering through aws-sdk-go-v2, as Terraform's aws_vpc_peering_connection
// with auto_accept drives it, on a ticking clock so the acceptance is seen provisioning
// before active: the request, VpcPeeringConnectionExists, the acceptance, the DNS option,
// a route, the delete (VpcPeeringConnectionDeleted, routes blackhole), and the paginator.
func TestSDKPeering(t *testing.T) {
	c := newSDK(t, Options{Now: tickingClock(), Settle: 5 * time.Second})
	a, b := c.mkVpc(t, "10.0.0.0/16"), c.mkVpc(t, "10.1.0.0/16")
	cr := ok(c.CreateVpcPeeringConnection(ctx, &ec2.CreateVpcPeeringConnectionInput{VpcId: aws.String(a), PeerVpcId: aws.String(b),
		TagSpecifications: tagSpec(types.ResourceTypeVpcPeeringConnection, "Name", "a-b")}))(t).VpcPeeringConnection
	pcx := wantID(t, cr.VpcPeeringConnectionId, "pcx")
	if cr.Status == nil || cr.Status.Code != types.VpcPeeringConnectionStateReasonCodeInitiatingRequest ||
		aws.ToString(cr.RequesterVpcInfo.VpcId) != a || aws.ToString(cr.RequesterVpcInfo.CidrBlock) != "10.0.0.0/16" ||
		aws.ToString(cr.AccepterVpcInfo.VpcId) != b || aws.ToString(cr.AccepterVpcInfo.OwnerId) != "123456789012" ||
		cr.ExpirationTime == nil || tagsOf(cr.Tags)["Name"] != "a-b" {
		t.Errorf("CreateVpcPeeringConnection: %+v", *cr)
	}
	if err := ec2.NewVpcPeeringConnectionExistsWaiter(c, func(o *ec2.VpcPeeringConnectionExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{pcx}}, time.Second); err != nil {
		t.Errorf("VpcPeeringConnectionExists: %v", err)
	}
	describe := func() types.VpcPeeringConnection {
		t.Helper()
		out := ok(c.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{pcx}}))(t)
		if len(out.VpcPeeringConnections) != 1 {
			t.Fatalf("DescribeVpcPeeringConnections %s: %+v", pcx, out.VpcPeeringConnections)
		}
		return out.VpcPeeringConnections[0]
	}
	if p := describe(); p.Status.Code != types.VpcPeeringConnectionStateReasonCodePendingAcceptance ||
		aws.ToString(p.Status.Message) != "Pending Acceptance by 123456789012" {
		t.Errorf("the request: %+v", *p.Status)
	}

	// Terraform's auto_accept: accept, then wait while provisioning, then set the options.
	ac := ok(c.AcceptVpcPeeringConnection(ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: aws.String(pcx)}))(t).VpcPeeringConnection
	if ac.Status.Code != types.VpcPeeringConnectionStateReasonCodeProvisioning || aws.ToString(ac.AccepterVpcInfo.CidrBlock) != "10.1.0.0/16" ||
		len(ac.AccepterVpcInfo.CidrBlockSet) != 1 || ac.RequesterVpcInfo.PeeringOptions == nil {
		t.Errorf("AcceptVpcPeeringConnection: %+v", *ac)
	}
	seen := map[types.VpcPeeringConnectionStateReasonCode]bool{}
	for range 20 {
		if p := describe(); !seen[p.Status.Code] {
			seen[p.Status.Code] = true
		}
		if seen[types.VpcPeeringConnectionStateReasonCodeActive] {
			break
		}
	}
	if !seen[types.VpcPeeringConnectionStateReasonCodeProvisioning] || !seen[types.VpcPeeringConnectionStateReasonCodeActive] {
		t.Errorf("after the acceptance the peering was %v, want provisioning, then active", seen)
	}
	_, err := c.AcceptVpcPeeringConnection(ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: aws.String(pcx)})
	wantCode(t, "accepting an active peering", err, "InvalidStateTransition")

	ok(c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{pcx}, Tags: []types.Tag{{Key: aws.String("side"), Value: aws.String("a")}}}))(t)
	dt := ok(c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("resource-id", pcx)}}))(t).Tags
	if len(dt) != 2 || dt[0].ResourceType != types.ResourceTypeVpcPeeringConnection || tagsOf(describe().Tags)["side"] != "a" {
		t.Errorf("the peering's tags: DescribeTags %+v, the peering's %+v", dt, describe().Tags)
	}

	mo := ok(c.ModifyVpcPeeringConnectionOptions(ctx, &ec2.ModifyVpcPeeringConnectionOptionsInput{VpcPeeringConnectionId: aws.String(pcx),
		AccepterPeeringConnectionOptions: &types.PeeringConnectionOptionsRequest{AllowDnsResolutionFromRemoteVpc: aws.Bool(true)}}))(t)
	if mo.AccepterPeeringConnectionOptions == nil || !aws.ToBool(mo.AccepterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc) ||
		mo.RequesterPeeringConnectionOptions != nil {
		t.Errorf("ModifyVpcPeeringConnectionOptions: %+v", mo)
	}
	if p := describe(); !aws.ToBool(p.AccepterVpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc) ||
		aws.ToBool(p.RequesterVpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc) {
		t.Errorf("the options after the change: requester %+v, accepter %+v", *p.RequesterVpcInfo.PeeringOptions, *p.AccepterVpcInfo.PeeringOptions)
	}
	_, err = c.ModifyVpcPeeringConnectionOptions(ctx, &ec2.ModifyVpcPeeringConnectionOptionsInput{VpcPeeringConnectionId: aws.String(pcx),
		RequesterPeeringConnectionOptions: &types.PeeringConnectionOptionsRequest{AllowEgressFromLocalClassicLinkToRemoteVpc: aws.Bool(true)}})
	wantCode(t, "a ClassicLink option", err, "UnsupportedOperation")

	rt := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", a)}}))(t).RouteTables[0]
	ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("10.1.0.0/16"),
		VpcPeeringConnectionId: aws.String(pcx)}))(t)
	routeState := func() types.RouteState {
		rts := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}}))(t).RouteTables
		for _, r := range rts[0].Routes {
			if aws.ToString(r.VpcPeeringConnectionId) == pcx {
				return r.State
			}
		}
		return ""
	}
	if s := routeState(); s != types.RouteStateActive {
		t.Errorf("the route to the active peering: %q, want active", s)
	}

	ok(c.DeleteVpcPeeringConnection(ctx, &ec2.DeleteVpcPeeringConnectionInput{VpcPeeringConnectionId: aws.String(pcx)}))(t)
	if err := ec2.NewVpcPeeringConnectionDeletedWaiter(c, func(o *ec2.VpcPeeringConnectionDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{pcx}}, time.Second); err != nil {
		t.Errorf("VpcPeeringConnectionDeleted: %v", err)
	}
	if s := routeState(); s != types.RouteStateBlackhole {
		t.Errorf("the route to the deleted peering: %q, want blackhole", s)
	}
	_, err = c.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{"pcx-0123456789abcdef0"}})
	wantCode(t, "an unknown peering", err, "InvalidVpcPeeringConnectionID.NotFound")

	// Paginator: A peered with twelve more VPCs, five to a page, each once; filtered by
	// the requester's VPC.
	var want, got []string
	for i := range 12 {
		v := c.mkVpc(t, cidr(10+i))
		p := ok(c.CreateVpcPeeringConnection(ctx, &ec2.CreateVpcPeeringConnectionInput{VpcId: aws.String(a), PeerVpcId: aws.String(v)}))(t)
		want = append(want, *p.VpcPeeringConnection.VpcPeeringConnectionId)
	}
	for p := ec2.NewDescribeVpcPeeringConnectionsPaginator(c, &ec2.DescribeVpcPeeringConnectionsInput{MaxResults: aws.Int32(5),
		Filters: []types.Filter{filter("status-code", "pending-acceptance"), filter("requester-vpc-info.vpc-id", a)}}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		if len(out.VpcPeeringConnections) > 5 {
			t.Errorf("a page of %d peerings", len(out.VpcPeeringConnections))
		}
		for _, x := range out.VpcPeeringConnections {
			got = append(got, *x.VpcPeeringConnectionId)
		}
	}
	exactlyOnce(t, "DescribeVpcPeeringConnections pages", got, want)
}
