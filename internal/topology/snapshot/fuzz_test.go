package snapshot

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as one JSON file. Load must not panic, must return
// a topology, and every problem must name the file it came from, or the directory for what
// the snapshot as a whole lacks.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		vpcsJSON,
		`{"RouteTables": [{"RouteTableId": "rtb-1", "Routes": [{"DestinationCidrBlock": 5, "GatewayId": {"a": [1]}}]}]}`,
		`{"NatGateways": [{"NatGatewayId": "nat-1", "CreateTime": "2020-03-03 01:21:01+00:00",
			"NatGatewayAddresses": [{"PrivateIp": "10.0.0.1", "IsPrimary": true}]}]}`,
		`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "abc", "IpRanges": [{"CidrIp": "x"}]}]}]}`,
		`{"Reservations": [{"Instances": [{"InstanceId": "i-1", "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1"}]}]}]}`,
		`{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"RuleNumber": 1.5, "PortRange": {"From": "x"}}]}]}`,
		"{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\",,}\n  ]\n}",
		`[]`, `null`, ``, `{"Vpcs": null, "NextToken": 1}`,
		`{"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
			"RequesterVpcInfo": {"VpcId": "vpc-1", "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}], "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "::/0"}]}}]}`,
		`{"TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "AdditionalRoutesAvailable": true,
			"Routes": [{"DestinationCidrBlock": "10.0.0.0/8", "Type": "propagated", "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": 1}]}]}],
		  "TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-1"}],
		  "TransitGatewayPropagations": [{"TransitGatewayRouteTablePropagations": [{"State": "enabled"}]}]}`,
		`{"Routes": [{"PrefixListId": "pl-1", "State": "blackhole"}], "AdditionalRoutesAvailable": true, "Associations": [{}]}`,
		`{"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "peering", "TransitGatewayId": "tgw-1"}],
		  "TransitGatewayPeeringAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "AccepterTgwInfo": {"TransitGatewayId": "tgw-1"}}],
		  "TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "SubnetIds": ["subnet-1"]}]}`,
		`{"directConnectGatewayAssociations": [{"associatedGateway": {"id": "tgw-1"}, "allowedPrefixesToDirectConnectGateway": [{"cidr": 5}]}],
		  "DirectConnectGatewayAttachments": [{"directConnectGatewayId": "x", "virtualInterfaceId": "dxvif-1"}]}`,
		gwlbDoc, // Gateway Load Balancers (elb_test.go, §13)
		`{"LoadBalancers": [{"LoadBalancerArn": "a", "Type": "gateway", "AvailabilityZones": [{"SubnetId": 5}]}],
		  "LoadBalancerTargetHealth": [{"TargetGroupArn": "t", "TargetHealthDescriptions": [{"Target": {"Port": "x"}}]}],
		  "ListenerAttributes": [{"ListenerArn": "l", "Attributes": [{"Key": "tcp.idle_timeout.seconds", "Value": "5"}]}]}`,
	} {
		f.Add([]byte(seed))
	}
	// The conformance snapshots, when present, are good seeds too.
	if files, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "shared", "conformance", "batfish", "*", "aws_configs", "*.json")); len(files) > 0 {
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "input.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		top, ps := Load(dir)
		if top == nil {
			t.Fatal("Load returned a nil topology")
		}
		for _, p := range ps {
			if p.Src.File != "input.json" && p.Src.File != dir {
				t.Errorf("problem without its file: %v", p)
			}
		}
	})
}
