package snapshot

import (
	"path/filepath"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// TestAccountsAndRegionsFromLayout: one estate over two accounts and three regions, in both
// layouts (aws_configs/<account>/<region>/ and aws_configs/accounts/<account>/<region>/).
// What the JSON says of an object's account or region wins; the folders fill the rest.
func TestAccountsAndRegionsFromLayout(t *testing.T) {
	a1 := "aws_configs/111111111111/us-east-1/"
	a2 := "aws_configs/accounts/222222222222/eu-west-1/"
	a2b := "aws_configs/accounts/222222222222/ap-southeast-2/"
	dir := writeFiles(t, map[string]string{
		a1 + "Vpcs.json":            `{"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.0.0.0/16"}]}`,
		a1 + "TransitGateways.json": `{"TransitGateways": [{"TransitGatewayId": "tgw-1"}]}`,
		a1 + "SecurityGroups.json": `{"SecurityGroups": [{"GroupId": "sg-a", "VpcId": "vpc-a", "IpPermissions": [
			{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [
				{"GroupId": "sg-b", "UserId": "222222222222", "VpcId": "vpc-b", "VpcPeeringConnectionId": "pcx-ab", "PeeringStatus": "active"},
				{"GroupId": "sg-a", "UserId": "111111111111"},
				{"GroupId": "sg-a2", "UserId": "111111111111", "VpcId": "vpc-a"}]}]}]}`,
		// The JSON's OwnerId wins over the folder.
		a2 + "Vpcs.json": `{"Vpcs": [{"VpcId": "vpc-b", "OwnerId": "333333333333", "CidrBlock": "10.1.0.0/16"},
			{"VpcId": "vpc-a", "CidrBlock": "10.0.0.0/16"}]}`,
		a2 + "SecurityGroups.json": `{"SecurityGroups": [{"GroupId": "sg-b", "VpcId": "vpc-b", "OwnerId": "222222222222",
			"IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-a", "UserId": "111111111111"}]}]}]}`,
		a2b + "virtualInterfaces.json": `{"virtualInterfaces": [{"virtualInterfaceId": "dxvif-1", "virtualInterfaceType": "private"}]}`,
		// A flat folder says nothing: the region comes from a subnet's Availability Zone.
		"flat/Vpcs.json":        `{"Vpcs": [{"VpcId": "vpc-c", "CidrBlock": "10.2.0.0/16"}]}`,
		"flat/Subnets.json":     `{"Subnets": [{"SubnetId": "subnet-c", "VpcId": "vpc-c", "CidrBlock": "10.2.0.0/24", "AvailabilityZone": "us-west-2b"}]}`,
		"flat/NetworkAcls.json": `{"NetworkAcls": [{"NetworkAclId": "acl-c", "VpcId": "vpc-c"}]}`,
	})
	top, ps := Load(dir)
	for _, c := range []struct {
		vpc             model.VPCID
		account, region string
	}{
		{"vpc-a", "111111111111", "us-east-1"},
		{"vpc-b", "333333333333", "eu-west-1"},
		{"vpc-c", "", "us-west-2"},
	} {
		v := top.VPC(c.vpc)
		if v == nil || v.Account != c.account || v.Region != c.region {
			t.Errorf("%s = %+v, want account %q region %q", c.vpc, v, c.account, c.region)
		}
	}
	if g := top.TransitGateways; len(g) != 1 || g[0].Account != "111111111111" || g[0].Region != "us-east-1" {
		t.Errorf("transit gateways = %+v", g)
	}
	if v := top.VirtualInterfaces; len(v) != 1 || v[0].Account != "222222222222" || v[0].Region != "ap-southeast-2" {
		t.Errorf("virtual interfaces = %+v", v)
	}
	// Duplicate IDs across accounts are reported as today, the first copy kept.
	wantProblem(t, ps, model.Warning, filepath.Join("aws_configs", "accounts", "222222222222", "eu-west-1", "Vpcs.json")+": Vpcs[1]",
		"duplicate VPC vpc-a", filepath.Join("111111111111", "us-east-1", "Vpcs.json"))

	// sg-a's account comes from the folder: sg-b's UserId differs (another account, across
	// the peering); sg-a's own does not; a group of the same VPC records no GroupVPC.
	sgA := top.SecurityGroup("sg-a")
	if sgA == nil || len(sgA.Ingress) != 3 {
		t.Fatalf("sg-a = %+v", sgA)
	}
	type ref struct {
		group, account string
		vpc            model.VPCID
		peering        model.PeeringID
	}
	for i, want := range []ref{{"sg-b", "222222222222", "vpc-b", "pcx-ab"}, {"sg-a", "", "", ""}, {"sg-a2", "", "", ""}} {
		r := sgA.Ingress[i]
		if got := (ref{string(r.Group), r.GroupAccount, r.GroupVPC, r.GroupPeering}); got != want {
			t.Errorf("sg-a rule %d references %+v, want %+v", i, got, want)
		}
	}
	// sg-b's account is its OwnerId: sg-a is in another.
	if r := top.SecurityGroup("sg-b").Ingress[0]; r.GroupAccount != "111111111111" {
		t.Errorf("sg-b references sg-a of account %q, want 111111111111", r.GroupAccount)
	}
	if len(ps) != 1 {
		t.Errorf("got %d problems, want 1:\n%v", len(ps), ps)
	}
}

func TestLocate(t *testing.T) {
	for _, c := range []struct{ name, account, region string }{
		{"aws_configs/123456789012/us-east-1/Vpcs.json", "123456789012", "us-east-1"},
		{"aws_configs/accounts/123456789012/us-gov-west-1/x/Vpcs.json", "123456789012", "us-gov-west-1"},
		{"us-east-1/Vpcs.json", "", "us-east-1"},
		{"Vpcs.json", "", ""},
		{"1234567890123/eu-west/tgw-rtb-0123/Vpcs.json", "", ""},
		{"123456789012.json", "", ""}, // the file's own name is not a folder
	} {
		if got := locate(filepath.FromSlash(c.name)); got != (location{c.account, c.region}) {
			t.Errorf("locate(%s) = %+v, want %s %s", c.name, got, c.account, c.region)
		}
	}
	for az, region := range map[string]string{"us-east-2c": "us-east-2", "us-east-1-bos-1a": "us-east-1", "ap-southeast-1a": "ap-southeast-1", "": "", "x": ""} {
		if got := regionOfAZ(az); got != region {
			t.Errorf("regionOfAZ(%q) = %q, want %q", az, got, region)
		}
	}
}
