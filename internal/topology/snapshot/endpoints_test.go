package snapshot

import (
	"slices"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// endpointsDoc is a describe-* snapshot with an S3 gateway endpoint on rtb-a (§9.6), the
// legacy describe-prefix-lists answer (§9.7), an interface endpoint and a route to the
// endpoint from rtb-b, which the endpoint is not associated with.
const endpointsDoc = `{
"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "State": "available"}],
"RouteTables": [
 {"RouteTableId": "rtb-a", "VpcId": "vpc-1", "Routes": [
  {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
  {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0a1", "Origin": "CreateRoute", "State": "active"}]},
 {"RouteTableId": "rtb-b", "VpcId": "vpc-1", "Routes": [
  {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
  {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0a1", "Origin": "CreateRoute", "State": "active"}]}],
"PrefixLists": [
 {"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]},
 {"PrefixListId": "pl-02cd2c6b", "PrefixListName": "com.amazonaws.us-east-1.dynamodb", "Cidrs": []}],
"VpcEndpoints": [
 {"VpcEndpointId": "vpce-0a1", "VpcEndpointType": "Gateway", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.s3",
  "State": "available", "RouteTableIds": ["rtb-a"], "IpAddressType": "dualstack", "Tags": [{"Key": "Name", "Value": "s3"}]},
 {"VpcEndpointId": "vpce-0b2", "VpcEndpointType": "Gateway", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.dynamodb",
  "State": "available", "RouteTableIds": ["rtb-a"]},
 {"VpcEndpointId": "vpce-0c3", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.ec2",
  "State": "available", "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-1"], "Groups": [{"GroupId": "sg-1", "GroupName": "ep"}]},
 {"VpcEndpointId": "vpce-0d4", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
  "State": "available", "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-2"], "Tags": [{"Key": "vpclab:ports", "Value": "8443,9000"}]},
 {"VpcEndpointId": "vpce-0e5", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210",
  "State": "available", "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-3"]}]}`

// TestLoadVPCEndpoints_7_4: describe-vpc-endpoints gives gateway endpoints with their route
// tables and their service's prefix list, found by its name (§7.4.1, §7.4.9); interface
// endpoints keep their subnets, interfaces, groups and service ports (§7.4.11-13: 443 for an
// AWS service, the vpclab:ports tag for an endpoint service, else 443 with a warning); validation names, by JSON path, a route in a table the
// endpoint does not own (§7.4.2) and a prefix list with no entries (§7.4.3).
func TestLoadVPCEndpoints_7_4(t *testing.T) {
	top, probs := LoadJSON("snap.json", []byte(endpointsDoc))
	if probs.HasErrors() {
		t.Fatal(probs.Error())
	}
	if len(top.VPCEndpoints) != 5 {
		t.Fatalf("%d endpoints, want 5", len(top.VPCEndpoints))
	}
	ec2 := top.VPCEndpoints[2]
	if ec2.Type != model.EndpointInterface || !slices.Equal(ec2.Subnets, []model.SubnetID{"subnet-1"}) ||
		!slices.Equal(ec2.NetworkInterfaces, []model.ENIID{"eni-1"}) || !slices.Equal(ec2.SecurityGroups, []model.SecurityGroupID{"sg-1"}) ||
		!slices.Equal(ec2.Ports, []uint16{443}) {
		t.Errorf("interface endpoint = %+v", ec2)
	}
	if got := top.VPCEndpoints[3].Ports; !slices.Equal(got, []uint16{8443, 9000}) {
		t.Errorf("endpoint service ports from the tag = %v, want [8443 9000]", got)
	}
	if got := top.VPCEndpoints[4].Ports; !slices.Equal(got, []uint16{443}) {
		t.Errorf("endpoint service ports without the tag = %v, want [443]", got)
	}
	s3 := top.VPCEndpoints[0]
	if s3.ID != "vpce-0a1" || s3.VPC != "vpc-1" || s3.Type != model.EndpointGateway || s3.Name != "s3" ||
		s3.ServiceName != "com.amazonaws.us-east-1.s3" || s3.State != "available" ||
		!slices.Equal(s3.RouteTables, []model.RouteTableID{"rtb-a"}) || s3.PrefixList != "pl-63a5400a" ||
		s3.Src.Path != "VpcEndpoints[0]" {
		t.Errorf("S3 endpoint = %+v", s3)
	}
	if got := top.VPCEndpoints[1].PrefixList; got != "pl-02cd2c6b" {
		t.Errorf("DynamoDB endpoint's prefix list = %q, want pl-02cd2c6b", got)
	}
	wantProblem(t, probs, model.Warning, "snap.json: VpcEndpoints[0].IpAddressType", "dualstack", "taken as IPv4 only (§7.4.8)")
	wantProblem(t, probs, model.Warning, "snap.json: VpcEndpoints[4].ServiceName", "the listener ports of endpoint service com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210 are not in the snapshot; taken as TCP 443")
	wantProblem(t, probs, model.Warning, "snap.json: PrefixLists[1]", "pl-02cd2c6b has no entries in the snapshot")

	model.ApplyDefaults(top)
	vs := model.Validate(top)
	wantProblem(t, vs, model.Error, "snap.json: RouteTables[1].Routes[1]",
		"route table rtb-b is not associated with gateway endpoint s3 (its route tables: [rtb-a])")
	wantProblem(t, vs, model.Warning, "snap.json: PrefixLists[1]",
		"prefix list com.amazonaws.us-east-1.dynamodb of VPC endpoint vpce-0b2 has no entries; the endpoint's routes match nothing (§7.4.3)")
	if p := problem(vs, model.Error, "RouteTables[0].Routes[1]"); p != nil {
		t.Errorf("the route in the endpoint's own table is reported: %v", p)
	}
}
