package serve

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKVPN"] = []string{"CreateVpnGateway", "DescribeVpnGateways", "DeleteVpnGateway", "AttachVpnGateway",
		"DetachVpnGateway", "CreateCustomerGateway", "DescribeCustomerGateways", "DeleteCustomerGateway", "CreateVpnConnection",
		"DescribeVpnConnections", "DeleteVpnConnection", "CreateVpnConnectionRoute", "DeleteVpnConnectionRoute",
		"EnableVgwRoutePropagation", "DisableVgwRoutePropagation"}
}

// TestSDKVPN builds a Site-to-Site VPN through the SDK (§7.3): a virtual private gateway
// attached to the VPC, a customer gateway, a static-routes VPN connection to
// 192.168.0.0/16 and a route table propagating it. An instance's answer to an on-premises
// host beyond the VPN is then found by the engine; without the propagation there is no
// route back, and the analysis says so. Then everything is taken apart in AWS's order.
func TestSDKVPN(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	_, err := c.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: "ipsec.2"})
	wantCode(t, "a gateway type that is not ipsec.1", err, "InvalidParameterValue")
	vgw := ok(c.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1,
		TagSpecifications: tagSpec(types.ResourceTypeVpnGateway, "Name", "dc")}))(t).VpnGateway
	if wantID(t, vgw.VpnGatewayId, "vgw"); aws.ToInt64(vgw.AmazonSideAsn) != 64512 || vgw.State != types.VpnStateAvailable {
		t.Errorf("CreateVpnGateway: %+v", vgw)
	}
	att := ok(c.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpnGatewayId: vgw.VpnGatewayId, VpcId: aws.String(vpc)}))(t)
	if aws.ToString(att.VpcAttachment.VpcId) != vpc {
		t.Errorf("AttachVpnGateway: %+v", att.VpcAttachment)
	}
	other := ok(c.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1}))(t).VpnGateway.VpnGatewayId
	_, err = c.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpnGatewayId: other, VpcId: aws.String(vpc)})
	wantCode(t, "a second gateway on the VPC", err, "InvalidParameterValue")
	cgw := ok(c.CreateCustomerGateway(ctx, &ec2.CreateCustomerGatewayInput{Type: types.GatewayTypeIpsec1, IpAddress: aws.String("198.51.100.7"),
		BgpAsn: aws.Int32(65010)}))(t).CustomerGateway
	if wantID(t, cgw.CustomerGatewayId, "cgw"); aws.ToString(cgw.BgpAsn) != "65010" || aws.ToString(cgw.IpAddress) != "198.51.100.7" {
		t.Errorf("CreateCustomerGateway: %+v", cgw)
	}
	_, err = c.CreateCustomerGateway(ctx, &ec2.CreateCustomerGatewayInput{Type: types.GatewayTypeIpsec1, IpAddress: aws.String("nowhere")})
	wantCode(t, "a customer gateway with no address", err, "InvalidParameterValue")
	vpn := ok(c.CreateVpnConnection(ctx, &ec2.CreateVpnConnectionInput{Type: aws.String("ipsec.1"), VpnGatewayId: vgw.VpnGatewayId,
		CustomerGatewayId: cgw.CustomerGatewayId, Options: &types.VpnConnectionOptionsSpecification{StaticRoutesOnly: aws.Bool(true)}}))(t).VpnConnection
	id := wantID(t, vpn.VpnConnectionId, "vpn")
	ok(c.CreateVpnConnectionRoute(ctx, &ec2.CreateVpnConnectionRouteInput{VpnConnectionId: aws.String(id), DestinationCidrBlock: aws.String("192.168.0.0/16")}))(t)
	_, err = c.CreateVpnConnectionRoute(ctx, &ec2.CreateVpnConnectionRouteInput{VpnConnectionId: aws.String(id), DestinationCidrBlock: aws.String("192.168.0.0/16")})
	wantCode(t, "the same static route twice", err, "RouteAlreadyExists")
	if err := ec2.NewVpnConnectionAvailableWaiter(c).Wait(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}}, 5e9); err != nil {
		t.Errorf("VpnConnectionAvailable: %v", err)
	}
	got := ok(c.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}}))(t).VpnConnections
	if len(got) != 1 || len(got[0].Routes) != 1 || aws.ToString(got[0].Routes[0].DestinationCidrBlock) != "192.168.0.0/16" ||
		!aws.ToBool(got[0].Options.StaticRoutesOnly) {
		t.Errorf("DescribeVpnConnections: %+v", got)
	}
	if gs := ok(c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: []types.Filter{filter("attachment.vpc-id", vpc)}}))(t).VpnGateways; len(gs) != 1 || aws.ToString(gs[0].VpnGatewayId) != *vgw.VpnGatewayId {
		t.Errorf("DescribeVpnGateways by attachment.vpc-id: %+v", gs)
	}
	if gs := ok(c.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{Filters: []types.Filter{filter("bgp-asn", "65010")}}))(t).CustomerGateways; len(gs) != 1 {
		t.Errorf("DescribeCustomerGateways by bgp-asn: %+v", gs)
	}

	// The instance answers an on-premises host when its subnet's table propagates the VPN.
	rt := ok(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)}))(t).RouteTable.RouteTableId
	ok(c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt, SubnetId: aws.String(subnet)}))(t)
	inst := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.10")}))(t).Instances[0].InstanceId
	path := ok(c.CreateNetworkInsightsPath(ctx, &ec2.CreateNetworkInsightsPathInput{Source: vgw.VpnGatewayId, SourceIp: aws.String("192.168.1.5"),
		Destination: inst, Protocol: types.ProtocolTcp, DestinationPort: aws.Int32(22)}))(t).NetworkInsightsPath.NetworkInsightsPathId
	analyse := func() (bool, []string) {
		a := ok(c.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{NetworkInsightsPathId: path}))(t).NetworkInsightsAnalysis
		d := ok(c.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsAnalysisIds: []string{*a.NetworkInsightsAnalysisId}}))(t)
		var codes []string
		for _, e := range d.NetworkInsightsAnalyses[0].Explanations {
			codes = append(codes, aws.ToString(e.ExplanationCode))
		}
		return aws.ToBool(d.NetworkInsightsAnalyses[0].NetworkPathFound), codes
	}
	sg := ok(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("group-name", "default")}}))(t).SecurityGroups[0].GroupId
	ok(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg, IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22),
		ToPort: aws.Int32(22), CidrIp: aws.String("192.168.0.0/16")}))(t)
	if found, codes := analyse(); found || len(codes) == 0 {
		t.Errorf("without the propagation the answer has no route back: found %v, %v", found, codes)
	}
	ok(c.EnableVgwRoutePropagation(ctx, &ec2.EnableVgwRoutePropagationInput{RouteTableId: rt, GatewayId: vgw.VpnGatewayId}))(t)
	if found, codes := analyse(); !found {
		t.Errorf("with the VPN propagated: not found, %v", codes)
	}
	ok(c.DisableVgwRoutePropagation(ctx, &ec2.DisableVgwRoutePropagationInput{RouteTableId: rt, GatewayId: vgw.VpnGatewayId}))(t)
	if tables := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt}}))(t).RouteTables; len(tables[0].PropagatingVgws) != 0 {
		t.Errorf("propagation still on: %+v", tables[0].PropagatingVgws)
	}

	// Taken apart: the gateway and customer gateway are in use until the connection goes.
	_, err = c.DeleteCustomerGateway(ctx, &ec2.DeleteCustomerGatewayInput{CustomerGatewayId: cgw.CustomerGatewayId})
	wantCode(t, "a customer gateway in use", err, "IncorrectState")
	ok(c.DeleteVpnConnectionRoute(ctx, &ec2.DeleteVpnConnectionRouteInput{VpnConnectionId: aws.String(id), DestinationCidrBlock: aws.String("192.168.0.0/16")}))(t)
	ok(c.DeleteVpnConnection(ctx, &ec2.DeleteVpnConnectionInput{VpnConnectionId: aws.String(id)}))(t)
	ok(c.DeleteCustomerGateway(ctx, &ec2.DeleteCustomerGatewayInput{CustomerGatewayId: cgw.CustomerGatewayId}))(t)
	_, err = c.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: vgw.VpnGatewayId})
	wantCode(t, "an attached gateway", err, "IncorrectState")
	ok(c.DetachVpnGateway(ctx, &ec2.DetachVpnGatewayInput{VpnGatewayId: vgw.VpnGatewayId, VpcId: aws.String(vpc)}))(t)
	ok(c.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: vgw.VpnGatewayId}))(t)
	if gs := ok(c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{}))(t).VpnGateways; len(gs) != 1 || aws.ToString(gs[0].VpnGatewayId) != *other {
		t.Errorf("after the deletes: %+v", gs)
	}
}
