package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Security group rules one by one, with their sgr- IDs (DescribeSecurityGroupRules and
// friends; Terraform's aws_vpc_security_group_ingress_rule works this way). A group holds
// its rules merged by protocol and ports (groups.go), as DescribeSecurityGroups shows them;
// each peer of a merged permission is one rule here. A rule's ID is derived from its group,
// direction, protocol, ports and peer, so it needs no storage and is the same after a
// restart; its description is not part of it, so changing the description keeps the ID.

func init() {
	register("DescribeSecurityGroupRules", describeSecurityGroupRules)
	register("ModifySecurityGroupRules", modifySecurityGroupRules)
}

// sgRule is one rule, and where its peer is kept in the group.
type sgRule struct {
	ec2api.SecurityGroupRule
	perm *ec2api.IpPermission // the merged permission holding it
	desc **string             // its peer's Description member
}

// rulesOf lists a group's rules, ingress then egress, in the order the group holds them.
func rulesOf(g *ec2api.SecurityGroup) []sgRule {
	var out []sgRule
	for _, egress := range []bool{false, true} {
		perms := g.IpPermissions
		if egress {
			perms = g.IpPermissionsEgress
		}
		for i := range perms {
			p := &perms[i]
			base := ec2api.SecurityGroupRule{GroupId: g.GroupId, GroupOwnerId: g.OwnerId, IsEgress: boolp(egress),
				IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort, Tags: []ec2api.Tag{}}
			if val(p.IpProtocol) == "-1" { // AWS writes -1 for the ports of an all-protocols rule
				base.FromPort, base.ToPort = int32p(-1), int32p(-1)
			}
			add := func(peer string, set func(*ec2api.SecurityGroupRule), desc **string) {
				r := base
				set(&r)
				r.Description = *desc
				r.SecurityGroupRuleId = str(ruleID(val(g.GroupId), egress, p, peer))
				out = append(out, sgRule{SecurityGroupRule: r, perm: p, desc: desc})
			}
			for j := range p.IpRanges {
				x := &p.IpRanges[j]
				add(val(x.CidrIp), func(r *ec2api.SecurityGroupRule) { r.CidrIpv4 = x.CidrIp }, &x.Description)
			}
			for j := range p.Ipv6Ranges {
				x := &p.Ipv6Ranges[j]
				add(val(x.CidrIpv6), func(r *ec2api.SecurityGroupRule) { r.CidrIpv6 = x.CidrIpv6 }, &x.Description)
			}
			for j := range p.PrefixListIds {
				x := &p.PrefixListIds[j]
				add(val(x.PrefixListId), func(r *ec2api.SecurityGroupRule) { r.PrefixListId = x.PrefixListId }, &x.Description)
			}
			for j := range p.UserIdGroupPairs {
				x := &p.UserIdGroupPairs[j]
				add(val(x.GroupId), func(r *ec2api.SecurityGroupRule) {
					r.ReferencedGroupInfo = &ec2api.ReferencedSecurityGroup{GroupId: x.GroupId, UserId: x.UserId}
				}, &x.Description)
			}
		}
	}
	return out
}

// ruleID derives a rule's sgr- ID from what makes it the rule it is.
func ruleID(group string, egress bool, p *ec2api.IpPermission, peer string) string {
	key := group + "/" + strconv.FormatBool(egress) + "/" + val(p.IpProtocol) + "/" +
		strconv.Itoa(int(deref32(p.FromPort))) + "-" + strconv.Itoa(int(deref32(p.ToPort))) + "/" + peer
	h := sha256.Sum256([]byte(key))
	return "sgr-" + hex.EncodeToString(h[:9])[:17]
}

// newRules are the rules of g that before does not list: what an authorize added.
func newRules(g *ec2api.SecurityGroup, before []sgRule) []ec2api.SecurityGroupRule {
	out := []ec2api.SecurityGroupRule{}
	for _, r := range rulesOf(g) {
		if !slices.ContainsFunc(before, func(b sgRule) bool { return *b.SecurityGroupRuleId == *r.SecurityGroupRuleId }) {
			out = append(out, r.SecurityGroupRule)
		}
	}
	return out
}

// rulesByID finds rules by ID in group g, as IpPermissions of one peer each, for a revoke.
func rulesByID(g *ec2api.SecurityGroup, ids []string, egress bool) ([]ec2api.IpPermission, error) {
	rules := rulesOf(g)
	var out []ec2api.IpPermission
	for _, id := range ids {
		i := slices.IndexFunc(rules, func(r sgRule) bool { return *r.SecurityGroupRuleId == id && *r.IsEgress == egress })
		if i < 0 {
			return nil, errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist in %s", id, val(g.GroupId))
		}
		r := rules[i]
		p := ec2api.IpPermission{IpProtocol: r.perm.IpProtocol, FromPort: r.perm.FromPort, ToPort: r.perm.ToPort}
		switch {
		case r.CidrIpv4 != nil:
			p.IpRanges = []ec2api.IpRange{{CidrIp: r.CidrIpv4}}
		case r.CidrIpv6 != nil:
			p.Ipv6Ranges = []ec2api.Ipv6Range{{CidrIpv6: r.CidrIpv6}}
		case r.PrefixListId != nil:
			p.PrefixListIds = []ec2api.PrefixListId{{PrefixListId: r.PrefixListId}}
		default:
			p.UserIdGroupPairs = []ec2api.UserIdGroupPair{{GroupId: r.ReferencedGroupInfo.GroupId, UserId: r.ReferencedGroupInfo.UserId}}
		}
		out = append(out, p)
	}
	return out, nil
}

func describeSecurityGroupRules(c *call, in *ec2api.DescribeSecurityGroupRulesRequest) (*ec2api.DescribeSecurityGroupRulesResult, error) {
	var all []*ec2api.SecurityGroupRule
	for _, g := range c.st.groups.all() {
		for _, r := range rulesOf(g) {
			all = append(all, &r.SecurityGroupRule)
		}
	}
	slices.SortFunc(all, func(a, b *ec2api.SecurityGroupRule) int {
		return cmpStr(*a.SecurityGroupRuleId, *b.SecurityGroupRuleId)
	})
	rs, next, err := describe(query{op: "DescribeSecurityGroupRules", ids: in.SecurityGroupRuleIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidSecurityGroupRuleId.NotFound", what: "security group rule"},
		all, func(r *ec2api.SecurityGroupRule) string { return *r.SecurityGroupRuleId })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeSecurityGroupRulesResult{SecurityGroupRules: rs, NextToken: next}, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ModifySecurityGroupRules changes rules by ID. A new description is kept in place; a new
// protocol, port range or peer makes another rule (another ID), which vpclab refuses rather
// than silently giving the rule a new ID.
func modifySecurityGroupRules(c *call, in *ec2api.ModifySecurityGroupRulesRequest) (*ec2api.ModifySecurityGroupRulesResult, error) {
	g, err := c.group(in.GroupId, nil)
	if err != nil {
		return nil, err
	}
	rules := rulesOf(g)
	c.touch("security-group", *g.GroupId)
	for _, u := range in.SecurityGroupRules {
		i := slices.IndexFunc(rules, func(r sgRule) bool { return *r.SecurityGroupRuleId == val(u.SecurityGroupRuleId) })
		if i < 0 {
			return nil, errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist in %s", val(u.SecurityGroupRuleId), *g.GroupId)
		}
		r, want := rules[i], u.SecurityGroupRule
		if want == nil {
			return nil, errorf("MissingParameter", "The request must contain the parameter SecurityGroupRule for rule %s", val(u.SecurityGroupRuleId))
		}
		same := protoKey(val(want.IpProtocol)) == protoKey(val(r.IpProtocol)) &&
			(protoKey(val(want.IpProtocol)) == "-1" || deref32(want.FromPort) == deref32(r.FromPort) && deref32(want.ToPort) == deref32(r.ToPort)) &&
			val(want.CidrIpv4) == val(r.CidrIpv4) && val(want.CidrIpv6) == val(r.CidrIpv6) && val(want.PrefixListId) == val(r.PrefixListId) &&
			val(want.ReferencedGroupId) == val(deref(r.ReferencedGroupInfo).GroupId)
		if !same {
			return nil, errorf("UnsupportedOperation", "vpclab serve changes a rule's description only; revoke rule %s and authorize the new one", val(u.SecurityGroupRuleId))
		}
		*r.desc = want.Description
	}
	return &ec2api.ModifySecurityGroupRulesResult{Return: boolp(true)}, nil
}

// protoKey is a protocol as groups.go's ruleKey normalises it.
func protoKey(p string) string {
	k, err := ruleKey(ec2api.IpPermission{IpProtocol: &p, FromPort: int32p(0), ToPort: int32p(0)})
	if err != nil {
		return p
	}
	return k.proto
}
