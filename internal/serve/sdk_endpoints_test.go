package serve

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKGatewayEndpoints"] = []string{"CreateVpcEndpoint", "DescribeVpcEndpoints", "ModifyVpcEndpoint",
		"DeleteVpcEndpoints", "DescribeVpcEndpointServices", "DescribePrefixLists"}
}

// TestSDKGatewayEndpoints: an S3 gateway endpoint through the SDK (§7.4). Its route table
// gets the route of S3's prefix list to the endpoint, and an instance's HTTPS to an S3
// address then goes through it (VPCE-1); UDP does not (VPCE-2). Moving the association to
// another table moves the route; deleting the endpoint removes it; an unknown endpoint is
// answered in Unsuccessful, as EC2 does; a Gateway Load Balancer endpoint is refused, not faked.
func TestSDKGatewayEndpoints(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	rt := ok(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)}))(t).RouteTable.RouteTableId
	other := ok(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)}))(t).RouteTable.RouteTableId
	ok(c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt, SubnetId: aws.String(subnet)}))(t)

	services := ok(c.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{
		ServiceNames: []string{"com.amazonaws.us-east-1.ec2", "com.amazonaws.us-east-1.s3"}}))(t)
	var types_ []string
	for _, d := range services.ServiceDetails {
		for _, x := range d.ServiceType {
			types_ = append(types_, aws.ToString(d.ServiceName)+" "+string(x.ServiceType))
		}
	}
	if strings.Join(types_, ", ") != "com.amazonaws.us-east-1.ec2 Interface, com.amazonaws.us-east-1.s3 Gateway, com.amazonaws.us-east-1.s3 Interface" {
		t.Errorf("DescribeVpcEndpointServices: %v", types_)
	}
	pls := ok(c.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []types.Filter{filter("prefix-list-name", "com.amazonaws.us-east-1.s3")}}))(t).PrefixLists
	if len(pls) != 1 || !strings.HasPrefix(aws.ToString(pls[0].PrefixListId), "pl-") || len(pls[0].Cidrs) == 0 {
		t.Fatalf("DescribePrefixLists for S3: %+v", pls)
	}
	s3 := pls[0]

	_, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"),
		VpcEndpointType: types.VpcEndpointTypeGatewayLoadBalancer, SubnetIds: []string{subnet}})
	wantCode(t, "a Gateway Load Balancer endpoint", err, "UnsupportedOperation")
	_, err = c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s4")})
	wantCode(t, "an unknown service", err, "InvalidServiceName")
	e := ok(c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: s3.PrefixListName,
		VpcEndpointType: types.VpcEndpointTypeGateway, RouteTableIds: []string{*rt}}))(t).VpcEndpoint
	id := wantID(t, e.VpcEndpointId, "vpce")
	if string(e.State) != "available" || // what EC2 answers, though the SDK's enum is spelt Available
		!strings.Contains(aws.ToString(e.PolicyDocument), `"Allow"`) {
		t.Errorf("CreateVpcEndpoint: %+v", e)
	}
	routeTo := func(table *string) bool {
		rts := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*table}}))(t).RouteTables
		for _, r := range rts[0].Routes {
			if aws.ToString(r.DestinationPrefixListId) == *s3.PrefixListId && aws.ToString(r.GatewayId) == id {
				return true
			}
		}
		return false
	}
	if !routeTo(rt) || routeTo(other) {
		t.Errorf("after create: route in the associated table %v, in the other %v", routeTo(rt), routeTo(other))
	}

	inst := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet)}))(t).Instances[0].InstanceId
	analyse := func(proto types.Protocol) (bool, []string) {
		return c.analyse(t, &ec2.CreateNetworkInsightsPathInput{Source: inst, Destination: aws.String(id),
			DestinationIp: aws.String("52.216.1.1"), Protocol: proto, DestinationPort: aws.Int32(443)})
	}
	if found, codes := analyse(types.ProtocolTcp); !found {
		t.Errorf("VPCE-1: HTTPS to S3 through the endpoint not found: %v", codes)
	}
	if found, codes := analyse(types.ProtocolUdp); found || !strings.Contains(strings.Join(codes, " "), "VPCE_GATEWAY_PROTOCOL_RESTRICTION") {
		t.Errorf("VPCE-2: UDP to S3: found %v, %v", found, codes)
	}

	ok(c.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddRouteTableIds: []string{*other}, RemoveRouteTableIds: []string{*rt}}))(t)
	if routeTo(rt) || !routeTo(other) {
		t.Errorf("after moving the association: route in the first table %v, in the other %v", routeTo(rt), routeTo(other))
	}
	got := ok(c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []types.Filter{filter("service-name", "*.s3")}}))(t).VpcEndpoints
	if len(got) != 1 || len(got[0].RouteTableIds) != 1 || got[0].RouteTableIds[0] != *other {
		t.Errorf("DescribeVpcEndpoints: %+v", got)
	}
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantCode(t, "a VPC with an endpoint", err, "DependencyViolation")
	del := ok(c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id, "vpce-0123456789abcdef0"}}))(t)
	if len(del.Unsuccessful) != 1 || aws.ToString(del.Unsuccessful[0].ResourceId) != "vpce-0123456789abcdef0" {
		t.Errorf("DeleteVpcEndpoints: %+v", del.Unsuccessful)
	}
	if routeTo(other) {
		t.Error("the endpoint's route outlived it")
	}
}

// TestSDKInterfaceEndpoints: an interface endpoint for EC2 through the SDK (§7.4.11-15). It
// gets an interface in each subnet, one per zone, with its group; an instance's HTTPS to that
// interface is found, UDP is not (VPCLAB_VPCE_INTERFACE_PROTOCOL), and once the group no
// longer admits HTTPS, the analysis says the group. Deleting it removes its interfaces.
func TestSDKInterfaceEndpoints(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	sg := ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("ep"), Description: aws.String("endpoint")}))(t).GroupId
	ok(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg, IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/16")}}}}}))(t)
	closed := ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("closed"), Description: aws.String("nothing in")}))(t).GroupId

	_, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.ec2"),
		VpcEndpointType: types.VpcEndpointTypeInterface})
	wantCode(t, "an interface endpoint without subnets", err, "InvalidParameter")
	e := ok(c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.ec2"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{subnet}, SecurityGroupIds: []string{*sg}}))(t).VpcEndpoint
	id := wantID(t, e.VpcEndpointId, "vpce")
	if len(e.NetworkInterfaceIds) != 1 || len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupId) != *sg {
		t.Fatalf("CreateVpcEndpoint: %+v", e)
	}
	enis := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: e.NetworkInterfaceIds}))(t).NetworkInterfaces
	if len(enis) != 1 || enis[0].InterfaceType != "vpc_endpoint" || !aws.ToBool(enis[0].RequesterManaged) ||
		aws.ToString(enis[0].Description) != "VPC Endpoint Interface "+id {
		t.Fatalf("the endpoint's interface: %+v", enis)
	}
	eni := aws.ToString(enis[0].NetworkInterfaceId)
	other := c.mkSubnet(t, vpc, "10.0.2.0/24") // the same zone as subnet
	_, err = c.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSubnetIds: []string{other}})
	wantCode(t, "a second subnet in one zone", err, "DuplicateSubnetsInSameZone")

	inst := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet)}))(t).Instances[0].InstanceId
	analyse := func(proto types.Protocol) (bool, []string) {
		return c.analyse(t, &ec2.CreateNetworkInsightsPathInput{Source: inst, Destination: aws.String(eni),
			Protocol: proto, DestinationPort: aws.Int32(443)})
	}
	if found, codes := analyse(types.ProtocolTcp); !found {
		t.Errorf("HTTPS to the endpoint not found: %v", codes)
	}
	if found, codes := analyse(types.ProtocolUdp); found || !strings.Contains(strings.Join(codes, " "), "VPCLAB_VPCE_INTERFACE_PROTOCOL") {
		t.Errorf("UDP to the endpoint: found %v, %v", found, codes)
	}
	ok(c.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSecurityGroupIds: []string{*closed}, RemoveSecurityGroupIds: []string{*sg}}))(t)
	if found, codes := analyse(types.ProtocolTcp); found || !strings.Contains(strings.Join(codes, " "), "ENI_SG_RULES_MISMATCH") {
		t.Errorf("HTTPS once the group admits nothing: found %v, %v", found, codes)
	}
	ok(c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}}))(t)
	_, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
	wantCode(t, "the deleted endpoint's interface", err, "InvalidNetworkInterfaceID.NotFound")
}

// analyse creates a Network Insights path, runs an analysis of it, and returns whether a path
// was found and the explanation codes.
func (c *sdk) analyse(t *testing.T, path *ec2.CreateNetworkInsightsPathInput) (bool, []string) {
	t.Helper()
	p := ok(c.CreateNetworkInsightsPath(ctx, path))(t).NetworkInsightsPath.NetworkInsightsPathId
	a := ok(c.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{NetworkInsightsPathId: p}))(t).NetworkInsightsAnalysis
	d := ok(c.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsAnalysisIds: []string{*a.NetworkInsightsAnalysisId}}))(t)
	var codes []string
	for _, x := range d.NetworkInsightsAnalyses[0].Explanations {
		codes = append(codes, aws.ToString(x.ExplanationCode))
	}
	return aws.ToBool(d.NetworkInsightsAnalyses[0].NetworkPathFound), codes
}
