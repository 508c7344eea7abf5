package serve

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSDKNetworkInsights: Network Insights paths and analyses through aws-sdk-go-v2: an
// allowed path is found, with its hops, and one the destination's group refuses is not,
// with ENI_SG_RULES_MISMATCH naming the group; and the paginators.
func TestSDKNetworkInsights(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	a, b := c.mkSubnet(t, vpc, "10.0.1.0/24"), c.mkSubnet(t, vpc, "10.0.2.0/24")
	app := *ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: aws.String(vpc)}))(t).GroupId
	ok(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(app), IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.1.0/24")}}}}}))(t)
	run := func(subnet, ip string, groups ...string) string {
		out := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: aws.String(subnet), PrivateIpAddress: aws.String(ip), SecurityGroupIds: groups}))(t)
		return *out.Instances[0].InstanceId
	}
	src, dst := run(a, "10.0.1.10"), run(b, "10.0.2.20", app)
	dstENI := *ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{
		filter("attachment.instance-id", dst)}}))(t).NetworkInterfaces[0].NetworkInterfaceId

	path := func(port int32) string {
		out := ok(c.CreateNetworkInsightsPath(ctx, &ec2.CreateNetworkInsightsPathInput{Source: aws.String(src), Destination: aws.String(dst),
			Protocol: types.ProtocolTcp, DestinationPort: aws.Int32(port), TagSpecifications: tagSpec(types.ResourceTypeNetworkInsightsPath, "port", itoa(int(port)))}))(t)
		p := out.NetworkInsightsPath
		id := wantID(t, p.NetworkInsightsPathId, "nip")
		if aws.ToString(p.Source) != src || aws.ToString(p.Destination) != dst || p.Protocol != types.ProtocolTcp ||
			aws.ToInt32(p.DestinationPort) != port || aws.ToString(p.NetworkInsightsPathArn) == "" || p.CreatedDate == nil {
			t.Errorf("CreateNetworkInsightsPath: %+v", *p)
		}
		return id
	}
	analyse := func(path string) types.NetworkInsightsAnalysis {
		t.Helper()
		st := ok(c.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{NetworkInsightsPathId: aws.String(path)}))(t)
		id := wantID(t, st.NetworkInsightsAnalysis.NetworkInsightsAnalysisId, "nia")
		if st.NetworkInsightsAnalysis.Status != types.AnalysisStatusRunning || aws.ToString(st.NetworkInsightsAnalysis.NetworkInsightsPathId) != path {
			t.Errorf("StartNetworkInsightsAnalysis: %+v", *st.NetworkInsightsAnalysis)
		}
		out := ok(c.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsAnalysisIds: []string{id}}))(t)
		if len(out.NetworkInsightsAnalyses) != 1 || out.NetworkInsightsAnalyses[0].Status != types.AnalysisStatusSucceeded {
			t.Fatalf("DescribeNetworkInsightsAnalyses %s: %+v", id, out.NetworkInsightsAnalyses)
		}
		return out.NetworkInsightsAnalyses[0]
	}

	web := path(80)
	found := analyse(web)
	if !aws.ToBool(found.NetworkPathFound) || len(found.Explanations) != 0 || len(found.ForwardPathComponents) < 2 || len(found.ReturnPathComponents) < 2 {
		t.Errorf("port 80: found %v, explanations %+v, %d forward and %d return components", aws.ToBool(found.NetworkPathFound),
			found.Explanations, len(found.ForwardPathComponents), len(found.ReturnPathComponents))
	}
	var hops []string
	for _, pc := range found.ForwardPathComponents {
		if pc.Component != nil {
			hops = append(hops, aws.ToString(pc.Component.Id))
		}
	}
	// From the source instance, out of its interface and through its group, the subnets'
	// ACL and the route table, into the destination's interface and group, to it.
	if len(hops) < 4 || hops[0] != src || hops[len(hops)-1] != dst || !slices.Contains(hops, dstENI) || !slices.Contains(hops, app) {
		t.Errorf("the forward path %v, want from %s through %s and %s to %s", hops, src, dstENI, app, dst)
	}

	ssh := path(22)
	refused := analyse(ssh)
	var why []string
	for _, e := range refused.Explanations {
		w := aws.ToString(e.ExplanationCode) + " " + aws.ToString(e.Direction)
		if e.Component != nil {
			w += " " + aws.ToString(e.Component.Id)
		}
		why = append(why, w)
	}
	if aws.ToBool(refused.NetworkPathFound) || len(why) != 1 || why[0] != "ENI_SG_RULES_MISMATCH ingress "+app {
		t.Errorf("port 22: found %v, explanations %q, want ENI_SG_RULES_MISMATCH ingress at %s", aws.ToBool(refused.NetworkPathFound), why, app)
	}

	dp := ok(c.DescribeNetworkInsightsPaths(ctx, &ec2.DescribeNetworkInsightsPathsInput{Filters: []types.Filter{filter("destination", dst)}}))(t)
	var ids []string
	for _, p := range dp.NetworkInsightsPaths {
		ids = append(ids, *p.NetworkInsightsPathId)
	}
	exactlyOnce(t, "DescribeNetworkInsightsPaths to the destination", ids, []string{web, ssh})
	byPath := ok(c.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsPathId: aws.String(ssh)}))(t)
	if len(byPath.NetworkInsightsAnalyses) != 1 || *byPath.NetworkInsightsAnalyses[0].NetworkInsightsAnalysisId != *refused.NetworkInsightsAnalysisId {
		t.Errorf("the analyses of the port 22 path: %+v", byPath.NetworkInsightsAnalyses)
	}

	// A path with an analysis is not deleted; without it, it is.
	_, err := c.DeleteNetworkInsightsPath(ctx, &ec2.DeleteNetworkInsightsPathInput{NetworkInsightsPathId: aws.String(ssh)})
	wantCode(t, "deleting a path with an analysis", err, "DependencyViolation")
	da := ok(c.DeleteNetworkInsightsAnalysis(ctx, &ec2.DeleteNetworkInsightsAnalysisInput{NetworkInsightsAnalysisId: refused.NetworkInsightsAnalysisId}))(t)
	if aws.ToString(da.NetworkInsightsAnalysisId) != *refused.NetworkInsightsAnalysisId {
		t.Errorf("DeleteNetworkInsightsAnalysis answered %v", aws.ToString(da.NetworkInsightsAnalysisId))
	}
	dl := ok(c.DeleteNetworkInsightsPath(ctx, &ec2.DeleteNetworkInsightsPathInput{NetworkInsightsPathId: aws.String(ssh)}))(t)
	if aws.ToString(dl.NetworkInsightsPathId) != ssh {
		t.Errorf("DeleteNetworkInsightsPath answered %v", aws.ToString(dl.NetworkInsightsPathId))
	}
	_, err = c.DescribeNetworkInsightsPaths(ctx, &ec2.DescribeNetworkInsightsPathsInput{NetworkInsightsPathIds: []string{ssh}})
	wantCode(t, "describing a deleted path", err, "InvalidNetworkInsightsPathId.NotFound")
	_, err = c.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{NetworkInsightsPathId: aws.String(ssh)})
	wantCode(t, "analysing a deleted path", err, "InvalidNetworkInsightsPathId.NotFound")

	// Paginators: twelve paths, and twelve analyses of one of them, five to a page.
	wantPaths, wantAnalyses := []string{web}, []string{*found.NetworkInsightsAnalysisId}
	for i := range 11 {
		wantPaths = append(wantPaths, path(int32(8000+i)))
		wantAnalyses = append(wantAnalyses, *ok(c.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{
			NetworkInsightsPathId: aws.String(web)}))(t).NetworkInsightsAnalysis.NetworkInsightsAnalysisId)
	}
	var seen []string
	for p := ec2.NewDescribeNetworkInsightsPathsPaginator(c, &ec2.DescribeNetworkInsightsPathsInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		if len(out.NetworkInsightsPaths) > 5 {
			t.Errorf("a page of %d paths", len(out.NetworkInsightsPaths))
		}
		for _, x := range out.NetworkInsightsPaths {
			seen = append(seen, *x.NetworkInsightsPathId)
		}
	}
	exactlyOnce(t, "DescribeNetworkInsightsPaths pages", seen, wantPaths)
	seen = nil
	for p := ec2.NewDescribeNetworkInsightsAnalysesPaginator(c, &ec2.DescribeNetworkInsightsAnalysesInput{MaxResults: aws.Int32(5),
		NetworkInsightsPathId: aws.String(web)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).NetworkInsightsAnalyses {
			seen = append(seen, *x.NetworkInsightsAnalysisId)
		}
	}
	exactlyOnce(t, "DescribeNetworkInsightsAnalyses pages", seen, wantAnalyses)
}
