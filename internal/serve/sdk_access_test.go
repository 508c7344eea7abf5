package serve

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKAccessScopes"] = []string{"CreateNetworkInsightsAccessScope", "DescribeNetworkInsightsAccessScopes",
		"GetNetworkInsightsAccessScopeContent", "DeleteNetworkInsightsAccessScope", "StartNetworkInsightsAccessScopeAnalysis",
		"DescribeNetworkInsightsAccessScopeAnalyses", "GetNetworkInsightsAccessScopeAnalysisFindings", "DeleteNetworkInsightsAccessScopeAnalysis"}
}

// TestSDKAccessScopes: Network Access Analyzer through aws-sdk-go-v2 (which fills in the
// client tokens): a scope "interfaces to the internet gateway" on a VPC with one instance
// routed to it, with an Elastic IP, finds that instance's path, with its components, tagged and paged; a scope
// with an unsupported statement is refused; then both are taken apart.
func TestSDKAccessScopes(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	igw := *ok(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{}))(t).InternetGateway.InternetGatewayId
	ok(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}))(t)
	rt := *ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpc)}}))(t).RouteTables[0].RouteTableId
	ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)}))(t)
	inst := *ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet)}))(t).Instances[0].InstanceId
	eip := ok(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))(t).AllocationId
	ok(c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: eip, InstanceId: aws.String(inst)}))(t) // the internet gateway drops what has no public address

	_, err := c.CreateNetworkInsightsAccessScope(ctx, &ec2.CreateNetworkInsightsAccessScopeInput{MatchPaths: []types.AccessScopePathRequest{{
		Destination: &types.PathStatementRequest{PacketHeaderStatement: &types.PacketHeaderStatementRequest{DestinationPrefixLists: []string{"pl-0123456789abcdef0"}}}}}})
	wantCode(t, "a prefix list", err, "InvalidParameterValue")

	created := ok(c.CreateNetworkInsightsAccessScope(ctx, &ec2.CreateNetworkInsightsAccessScopeInput{
		MatchPaths: []types.AccessScopePathRequest{{
			Source:      &types.PathStatementRequest{ResourceStatement: &types.ResourceStatementRequest{ResourceTypes: []string{"AWS::EC2::NetworkInterface"}}},
			Destination: &types.PathStatementRequest{ResourceStatement: &types.ResourceStatementRequest{ResourceTypes: []string{"AWS::EC2::InternetGateway"}}}}},
		TagSpecifications: tagSpec(types.ResourceTypeNetworkInsightsAccessScope, "Name", "no-egress")}))(t)
	scope := wantID(t, created.NetworkInsightsAccessScope.NetworkInsightsAccessScopeId, "nis")
	if tagsOf(created.NetworkInsightsAccessScope.Tags)["Name"] != "no-egress" || aws.ToString(created.NetworkInsightsAccessScope.NetworkInsightsAccessScopeArn) == "" ||
		len(created.NetworkInsightsAccessScopeContent.MatchPaths) != 1 {
		t.Errorf("CreateNetworkInsightsAccessScope: %+v %+v", *created.NetworkInsightsAccessScope, *created.NetworkInsightsAccessScopeContent)
	}
	scopes := ok(c.DescribeNetworkInsightsAccessScopes(ctx, &ec2.DescribeNetworkInsightsAccessScopesInput{}))(t).NetworkInsightsAccessScopes
	if len(scopes) != 1 || aws.ToString(scopes[0].NetworkInsightsAccessScopeId) != scope {
		t.Errorf("DescribeNetworkInsightsAccessScopes: %+v", scopes)
	}
	content := ok(c.GetNetworkInsightsAccessScopeContent(ctx, &ec2.GetNetworkInsightsAccessScopeContentInput{NetworkInsightsAccessScopeId: aws.String(scope)}))(t)
	if mp := content.NetworkInsightsAccessScopeContent.MatchPaths; len(mp) != 1 || mp[0].Destination == nil ||
		!slices.Equal(mp[0].Destination.ResourceStatement.ResourceTypes, []string{"AWS::EC2::InternetGateway"}) {
		t.Errorf("GetNetworkInsightsAccessScopeContent: %+v", mp)
	}

	start := ok(c.StartNetworkInsightsAccessScopeAnalysis(ctx, &ec2.StartNetworkInsightsAccessScopeAnalysisInput{NetworkInsightsAccessScopeId: aws.String(scope),
		TagSpecifications: tagSpec(types.ResourceTypeNetworkInsightsAccessScopeAnalysis, "run", "1")}))(t).NetworkInsightsAccessScopeAnalysis
	analysis := wantID(t, start.NetworkInsightsAccessScopeAnalysisId, "nisa")
	if start.Status != types.AnalysisStatusRunning {
		t.Errorf("StartNetworkInsightsAccessScopeAnalysis: status %s, want running", start.Status)
	}
	got := ok(c.DescribeNetworkInsightsAccessScopeAnalyses(ctx, &ec2.DescribeNetworkInsightsAccessScopeAnalysesInput{
		NetworkInsightsAccessScopeId: aws.String(scope)}))(t).NetworkInsightsAccessScopeAnalyses
	if len(got) != 1 || got[0].Status != types.AnalysisStatusSucceeded || got[0].FindingsFound != types.FindingsFoundTrue ||
		aws.ToInt32(got[0].AnalyzedEniCount) != 1 || tagsOf(got[0].Tags)["run"] != "1" {
		t.Errorf("DescribeNetworkInsightsAccessScopeAnalyses: %+v", got)
	}
	var findings []types.AccessScopeAnalysisFinding
	pages := ec2.NewGetNetworkInsightsAccessScopeAnalysisFindingsPaginator(c, &ec2.GetNetworkInsightsAccessScopeAnalysisFindingsInput{
		NetworkInsightsAccessScopeAnalysisId: aws.String(analysis), MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		findings = append(findings, ok(pages.NextPage(ctx))(t).AnalysisFindings...)
	}
	if len(findings) != 1 {
		t.Fatalf("GetNetworkInsightsAccessScopeAnalysisFindings: %d findings, want 1 (the instance to the gateway): %+v", len(findings), findings)
	}
	var ids []string
	for _, pc := range findings[0].FindingComponents {
		ids = append(ids, aws.ToString(pc.Component.Id))
	}
	if len(ids) < 3 || ids[0] != inst || !slices.Contains(ids, rt) || !slices.Contains(ids, igw) ||
		aws.ToString(findings[0].NetworkInsightsAccessScopeId) != scope || aws.ToString(findings[0].FindingId) == "" {
		t.Errorf("the finding: components %v, %+v", ids, findings[0])
	}

	_, err = c.DeleteNetworkInsightsAccessScope(ctx, &ec2.DeleteNetworkInsightsAccessScopeInput{NetworkInsightsAccessScopeId: aws.String(scope)})
	wantCode(t, "a scope with an analysis", err, "DependencyViolation")
	ok(c.DeleteNetworkInsightsAccessScopeAnalysis(ctx, &ec2.DeleteNetworkInsightsAccessScopeAnalysisInput{NetworkInsightsAccessScopeAnalysisId: aws.String(analysis)}))(t)
	ok(c.DeleteNetworkInsightsAccessScope(ctx, &ec2.DeleteNetworkInsightsAccessScopeInput{NetworkInsightsAccessScopeId: aws.String(scope)}))(t)
	_, err = c.GetNetworkInsightsAccessScopeContent(ctx, &ec2.GetNetworkInsightsAccessScopeContentInput{NetworkInsightsAccessScopeId: aws.String(scope)})
	wantCode(t, "a deleted scope", err, "InvalidNetworkInsightsAccessScopeId.NotFound")
}
