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
  "State": "available", "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-1"]}]}`

// TestLoadVPCEndpoints_7_4: describe-vpc-endpoints gives gateway endpoints with their route
// tables and their service's prefix list, found by its name (§7.4.1, §7.4.9); interface
// endpoints are kept with a warning; validation names, by JSON path, a route in a table the
// endpoint does not own (§7.4.2) and a prefix list with no entries (§7.4.3).
func TestLoadVPCEndpoints_7_4(t *testing.T) {
	top, probs := LoadJSON("snap.json", []byte(endpointsDoc))
	if probs.HasErrors() {
		t.Fatal(probs.Error())
	}
	if len(top.VPCEndpoints) != 3 {
		t.Fatalf("%d endpoints, want 3", len(top.VPCEndpoints))
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
	wantProblem(t, probs, model.Warning, "snap.json: VpcEndpoints[2].VpcEndpointType", "Interface endpoints are not modelled yet")
	wantProblem(t, probs, model.Warning, "snap.json: PrefixLists[1]", "pl-02cd2c6b has no Cidrs")

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
