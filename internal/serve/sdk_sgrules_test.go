package serve

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKSecurityGroupRules"] = []string{"DescribeSecurityGroupRules", "ModifySecurityGroupRules"}
}

// TestSDKSecurityGroupRules: rules one by one with their sgr- IDs, as Terraform's
// aws_vpc_security_group_ingress_rule uses them: authorize answers each rule it added with
// its ID; describe finds them by group and by ID; a new description keeps the ID, other
// changes are refused; a revoke by ID removes exactly that rule, in its direction only.
func TestSDKSecurityGroupRules(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	sg := ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(vpc)}))(t).GroupId
	auth := ok(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg, IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}, {CidrIp: aws.String("10.0.0.0/8")}}}}}))(t)
	if len(auth.SecurityGroupRules) != 2 {
		t.Fatalf("authorize answered %d rules, want 2: %+v", len(auth.SecurityGroupRules), auth.SecurityGroupRules)
	}
	https := auth.SecurityGroupRules[0]
	id := wantID(t, https.SecurityGroupRuleId, "sgr")
	if aws.ToString(https.CidrIpv4) != "0.0.0.0/0" || aws.ToString(https.Description) != "https" || aws.ToBool(https.IsEgress) ||
		aws.ToInt32(https.FromPort) != 443 || aws.ToString(https.GroupId) != *sg {
		t.Errorf("the rule authorize answered: %+v", https)
	}
	all := ok(c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{filter("group-id", *sg)}}))(t).SecurityGroupRules
	if len(all) != 3 { // the two ingress rules and the default egress rule
		t.Fatalf("the group's rules: %+v", all)
	}
	egress := 0
	for _, r := range all {
		if aws.ToBool(r.IsEgress) {
			egress++
			if aws.ToString(r.IpProtocol) != "-1" || aws.ToInt32(r.FromPort) != -1 || aws.ToString(r.CidrIpv4) != "0.0.0.0/0" {
				t.Errorf("the default egress rule: %+v", r)
			}
		}
	}
	if egress != 1 {
		t.Errorf("%d egress rules, want 1", egress)
	}
	ok(c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: sg, SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: aws.String(id), SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIpv4: aws.String("0.0.0.0/0"), Description: aws.String("public https")}}}}))(t)
	byID := ok(c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{id}}))(t).SecurityGroupRules
	if len(byID) != 1 || aws.ToString(byID[0].Description) != "public https" {
		t.Errorf("after the new description: %+v", byID)
	}
	_, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: sg, SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: aws.String(id), SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(8443), ToPort: aws.Int32(8443), CidrIpv4: aws.String("0.0.0.0/0")}}}})
	wantCode(t, "a new port range", err, "UnsupportedOperation")
	_, err = c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{"sgr-0000000000000000a"}})
	wantCode(t, "an unknown rule", err, "InvalidSecurityGroupRuleId.NotFound")

	ok(c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sg, SecurityGroupRuleIds: []string{id}}))(t)
	left := ok(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{*sg}}))(t).SecurityGroups[0].IpPermissions
	if len(left) != 1 || len(left[0].IpRanges) != 1 || aws.ToString(left[0].IpRanges[0].CidrIp) != "10.0.0.0/8" {
		t.Errorf("after revoking the https rule by ID: %+v", left)
	}
	_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: sg, SecurityGroupRuleIds: []string{*auth.SecurityGroupRules[1].SecurityGroupRuleId}})
	wantCode(t, "an ingress rule's ID given to the egress revoke", err, "InvalidSecurityGroupRuleId.NotFound")
}
