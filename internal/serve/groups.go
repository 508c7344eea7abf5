package serve

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Security groups and their rules (§4).

func init() {
	register("CreateSecurityGroup", createSecurityGroup)
	register("DescribeSecurityGroups", describeSecurityGroups)
	register("DeleteSecurityGroup", deleteSecurityGroup)
	register("AuthorizeSecurityGroupIngress", func(c *call, in *ec2api.AuthorizeSecurityGroupIngressRequest) (*ec2api.AuthorizeSecurityGroupIngressResult, error) {
		added, err := c.authorize(in.GroupId, in.GroupName, false, in.IpPermissions, oldStyle(in.IpProtocol, in.CidrIp, in.FromPort, in.ToPort, in.SourceSecurityGroupName))
		if err != nil {
			return nil, err
		}
		return &ec2api.AuthorizeSecurityGroupIngressResult{Return: boolp(true), SecurityGroupRules: added}, nil
	})
	register("AuthorizeSecurityGroupEgress", func(c *call, in *ec2api.AuthorizeSecurityGroupEgressRequest) (*ec2api.AuthorizeSecurityGroupEgressResult, error) {
		added, err := c.authorize(in.GroupId, nil, true, in.IpPermissions, oldStyle(in.IpProtocol, in.CidrIp, in.FromPort, in.ToPort, in.SourceSecurityGroupName))
		if err != nil {
			return nil, err
		}
		return &ec2api.AuthorizeSecurityGroupEgressResult{Return: boolp(true), SecurityGroupRules: added}, nil
	})
	register("RevokeSecurityGroupIngress", func(c *call, in *ec2api.RevokeSecurityGroupIngressRequest) (*ec2api.RevokeSecurityGroupIngressResult, error) {
		err := c.revoke(in.GroupId, in.GroupName, false, in.IpPermissions, oldStyle(in.IpProtocol, in.CidrIp, in.FromPort, in.ToPort, in.SourceSecurityGroupName), in.SecurityGroupRuleIds)
		if err != nil {
			return nil, err
		}
		return &ec2api.RevokeSecurityGroupIngressResult{Return: boolp(true)}, nil
	})
	register("RevokeSecurityGroupEgress", func(c *call, in *ec2api.RevokeSecurityGroupEgressRequest) (*ec2api.RevokeSecurityGroupEgressResult, error) {
		err := c.revoke(in.GroupId, nil, true, in.IpPermissions, oldStyle(in.IpProtocol, in.CidrIp, in.FromPort, in.ToPort, in.SourceSecurityGroupName), in.SecurityGroupRuleIds)
		if err != nil {
			return nil, err
		}
		return &ec2api.RevokeSecurityGroupEgressResult{Return: boolp(true)}, nil
	})
}

func createSecurityGroup(c *call, in *ec2api.CreateSecurityGroupRequest) (*ec2api.CreateSecurityGroupResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "security-group"); err != nil {
		return nil, err
	}
	if in.VpcId == nil {
		return nil, errorf("VPCIdNotSpecified", "No default VPC for this user")
	}
	v, err := c.vpc(*in.VpcId)
	if err != nil {
		return nil, err
	}
	name := val(in.GroupName)
	if name == "default" || strings.HasPrefix(name, "sg-") {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter GroupName is invalid. Group names may not be in the format sg-* or be 'default'.", name)
	}
	for _, g := range c.st.groups.all() {
		if val(g.VpcId) == *v.VpcId && val(g.GroupName) == name {
			return nil, errorf("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, *v.VpcId)
		}
	}
	id := c.newID("sg")
	c.touch("security-group", id)
	c.st.groups.put(id, &ec2api.SecurityGroup{GroupId: str(id), GroupName: str(name), Description: in.Description,
		VpcId: v.VpcId, OwnerId: str(c.s.opt.Account), IpPermissions: []ec2api.IpPermission{},
		IpPermissionsEgress: []ec2api.IpPermission{allowAllEgress()}, Tags: tagsFrom(in.TagSpecifications, "security-group")})
	c.check(*v.VpcId)
	return &ec2api.CreateSecurityGroupResult{GroupId: str(id), Tags: tagsFrom(in.TagSpecifications, "security-group")}, nil
}

func describeSecurityGroups(c *call, in *ec2api.DescribeSecurityGroupsRequest) (*ec2api.DescribeSecurityGroupsResult, error) {
	all := c.st.groups.all()
	if len(in.GroupNames) > 0 {
		for _, n := range in.GroupNames {
			if !slices.ContainsFunc(all, func(g *ec2api.SecurityGroup) bool { return val(g.GroupName) == n }) {
				return nil, errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", n)
			}
		}
		all = pick(all, func(g *ec2api.SecurityGroup) bool { return slices.Contains(in.GroupNames, val(g.GroupName)) })
	}
	gs, next, err := describe(query{op: "DescribeSecurityGroups", ids: in.GroupIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidGroup.NotFound", what: "security group"},
		all, func(g *ec2api.SecurityGroup) string { return val(g.GroupId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeSecurityGroupsResult{SecurityGroups: gs, NextToken: next}, nil
}

// group finds a security group by ID, or by name among the VPCs' groups when only a name is
// given (EC2-Classic's way, which the CLI still offers).
func (c *call) group(id, name *string) (*ec2api.SecurityGroup, error) {
	if id != nil {
		if err := checkID(*id, "sg", "InvalidGroupId.Malformed"); err != nil {
			return nil, err
		}
		if g := c.st.groups.get(*id); g != nil {
			return g, nil
		}
		return nil, errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", *id)
	}
	if name != nil {
		for _, g := range c.st.groups.all() {
			if val(g.GroupName) == *name {
				return g, nil
			}
		}
		return nil, errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", *name)
	}
	return nil, errorf("MissingParameter", "The request must contain the parameter groupId")
}

func deleteSecurityGroup(c *call, in *ec2api.DeleteSecurityGroupRequest) (*struct{}, error) {
	g, err := c.group(in.GroupId, in.GroupName)
	if err != nil {
		return nil, err
	}
	if val(g.GroupName) == "default" {
		return nil, errorf("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", *g.GroupId)
	}
	for _, e := range c.st.enis.all() {
		if slices.ContainsFunc(e.Groups, func(x ec2api.GroupIdentifier) bool { return val(x.GroupId) == *g.GroupId }) {
			return nil, errorf("DependencyViolation", "resource %s has a dependent object", *g.GroupId)
		}
	}
	for _, other := range c.st.groups.all() {
		if other != g && referencesGroup(other, *g.GroupId) {
			return nil, errorf("DependencyViolation", "resource %s has a dependent object", *g.GroupId)
		}
	}
	c.touch("security-group", *g.GroupId)
	c.st.groups.remove(*g.GroupId)
	return &struct{}{}, nil
}

func referencesGroup(g *ec2api.SecurityGroup, id string) bool {
	for _, p := range slices.Concat(g.IpPermissions, g.IpPermissionsEgress) {
		if slices.ContainsFunc(p.UserIdGroupPairs, func(u ec2api.UserIdGroupPair) bool { return val(u.GroupId) == id }) {
			return true
		}
	}
	return false
}

// authorize adds rules and returns them one by one, with their IDs, as EC2 answers.
func (c *call) authorize(id, name *string, egress bool, perms, old []ec2api.IpPermission) ([]ec2api.SecurityGroupRule, error) {
	g, err := c.group(id, name)
	if err != nil {
		return nil, err
	}
	before := rulesOf(g)
	if err := c.changeRules(id, name, egress, true, perms, old); err != nil {
		return nil, err
	}
	return newRules(g, before), nil
}

// revoke removes rules given as permissions or by their IDs.
func (c *call) revoke(id, name *string, egress bool, perms, old []ec2api.IpPermission, ruleIDs []string) error {
	if len(ruleIDs) > 0 {
		g, err := c.group(id, name)
		if err != nil {
			return err
		}
		byID, err := rulesByID(g, ruleIDs, egress)
		if err != nil {
			return err
		}
		perms = append(perms, byID...)
	}
	return c.changeRules(id, name, egress, false, perms, old)
}

// oldStyle is the rule of the request's top-level members (--protocol, --port, --cidr in
// the CLI), or nil when it uses IpPermissions.
func oldStyle(proto, cidr *string, from, to *int32, sourceGroup *string) []ec2api.IpPermission {
	if proto == nil && cidr == nil && sourceGroup == nil {
		return nil
	}
	p := ec2api.IpPermission{IpProtocol: proto, FromPort: from, ToPort: to}
	if cidr != nil {
		p.IpRanges = []ec2api.IpRange{{CidrIp: cidr}}
	}
	if sourceGroup != nil {
		p.UserIdGroupPairs = []ec2api.UserIdGroupPair{{GroupName: sourceGroup}}
	}
	return []ec2api.IpPermission{p}
}

// changeRules adds (authorize) or removes (revoke) rules. A rule is one protocol and port
// range with one peer; the group holds them merged by protocol and ports, as describe shows
// them.
func (c *call) changeRules(id, name *string, egress, add bool, perms, old []ec2api.IpPermission) error {
	g, err := c.group(id, name)
	if err != nil {
		return err
	}
	perms = append(perms, old...)
	if len(perms) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter ipPermissions")
	}
	list := &g.IpPermissions
	if egress {
		list = &g.IpPermissionsEgress
	}
	c.touch("security-group", *g.GroupId)
	for _, p := range perms {
		key, err := ruleKey(p)
		if err != nil {
			return err
		}
		for _, peer := range c.peers(p, g) {
			i := slices.IndexFunc(*list, func(x ec2api.IpPermission) bool { k, _ := ruleKey(x); return k == key })
			has := i >= 0 && slices.ContainsFunc(c.peers((*list)[i], g), func(x rulePeer) bool { return x.key == peer.key })
			switch {
			case add && has:
				return errorf("InvalidPermission.Duplicate", "the specified rule \"peer: %s, %s, ALLOW\" already exists", peer.key, key)
			case add:
				if i < 0 {
					from, to := key.members()
					*list = append(*list, ec2api.IpPermission{IpProtocol: str(key.proto), FromPort: from, ToPort: to,
						IpRanges: []ec2api.IpRange{}, Ipv6Ranges: []ec2api.Ipv6Range{}, PrefixListIds: []ec2api.PrefixListId{},
						UserIdGroupPairs: []ec2api.UserIdGroupPair{}})
					i = len(*list) - 1
				}
				peer.add(&(*list)[i])
			case !has:
				return errorf("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			default:
				peer.remove(&(*list)[i])
				x := (*list)[i]
				if len(x.IpRanges)+len(x.Ipv6Ranges)+len(x.PrefixListIds)+len(x.UserIdGroupPairs) == 0 {
					*list = slices.Delete(*list, i, i+1)
				}
			}
		}
	}
	c.check(val(g.VpcId))
	return nil
}

// ruleKeyT is a rule's protocol and ports, as EC2 normalises them: protocol names in lower
// case, -1 for all, and no ports for all protocols.
type ruleKeyT struct {
	proto    string
	ports    bool // from and to are given
	from, to int32
}

// ports are the key's FromPort and ToPort members.
func (k ruleKeyT) members() (from, to *int32) {
	if !k.ports {
		return nil, nil
	}
	return int32p(k.from), int32p(k.to)
}

func (k ruleKeyT) String() string {
	if k.proto == "-1" {
		return "ALL"
	}
	return fmt.Sprintf("%s %d-%d", strings.ToUpper(k.proto), k.from, k.to)
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func ruleKey(p ec2api.IpPermission) (ruleKeyT, error) {
	proto := strings.ToLower(val(p.IpProtocol))
	switch proto {
	case "", "all", "-1":
		return ruleKeyT{proto: "-1"}, nil
	case "6":
		proto = "tcp"
	case "17":
		proto = "udp"
	case "1":
		proto = "icmp"
	}
	if proto == "tcp" || proto == "udp" {
		if p.FromPort == nil || p.ToPort == nil || *p.FromPort < 0 || *p.ToPort > 65535 || *p.FromPort > *p.ToPort {
			return ruleKeyT{}, errorf("InvalidParameterValue", "Invalid %s port range %d-%d", proto, deref32(p.FromPort), deref32(p.ToPort))
		}
	}
	k := ruleKeyT{proto: proto, ports: p.FromPort != nil || p.ToPort != nil}
	if k.ports {
		k.from, k.to = deref32(p.FromPort), deref32(p.ToPort)
	}
	return k, nil
}

// rulePeer is one peer of a rule: a CIDR or a group, with how to add it to and remove it
// from a permission.
type rulePeer struct {
	key    string
	add    func(*ec2api.IpPermission)
	remove func(*ec2api.IpPermission)
}

func (c *call) peers(p ec2api.IpPermission, g *ec2api.SecurityGroup) []rulePeer {
	var out []rulePeer
	for _, r := range p.IpRanges {
		r := r
		out = append(out, rulePeer{key: val(r.CidrIp),
			add: func(x *ec2api.IpPermission) { x.IpRanges = append(x.IpRanges, r) },
			remove: func(x *ec2api.IpPermission) {
				x.IpRanges = slices.DeleteFunc(x.IpRanges, func(y ec2api.IpRange) bool { return val(y.CidrIp) == val(r.CidrIp) })
			}})
	}
	for _, r := range p.Ipv6Ranges {
		r := r
		out = append(out, rulePeer{key: val(r.CidrIpv6),
			add: func(x *ec2api.IpPermission) { x.Ipv6Ranges = append(x.Ipv6Ranges, r) },
			remove: func(x *ec2api.IpPermission) {
				x.Ipv6Ranges = slices.DeleteFunc(x.Ipv6Ranges, func(y ec2api.Ipv6Range) bool { return val(y.CidrIpv6) == val(r.CidrIpv6) })
			}})
	}
	for _, r := range p.PrefixListIds {
		r := r
		out = append(out, rulePeer{key: val(r.PrefixListId),
			add: func(x *ec2api.IpPermission) { x.PrefixListIds = append(x.PrefixListIds, r) },
			remove: func(x *ec2api.IpPermission) {
				x.PrefixListIds = slices.DeleteFunc(x.PrefixListIds, func(y ec2api.PrefixListId) bool { return val(y.PrefixListId) == val(r.PrefixListId) })
			}})
	}
	for _, r := range p.UserIdGroupPairs {
		r := r
		if r.GroupId == nil && r.GroupName != nil { // a group named in the same VPC
			for _, other := range c.st.groups.all() {
				if val(other.VpcId) == val(g.VpcId) && val(other.GroupName) == *r.GroupName {
					r.GroupId = other.GroupId
				}
			}
		}
		r.GroupName = nil
		if r.UserId == nil {
			r.UserId = str(c.s.opt.Account)
		}
		out = append(out, rulePeer{key: val(r.GroupId),
			add: func(x *ec2api.IpPermission) { x.UserIdGroupPairs = append(x.UserIdGroupPairs, r) },
			remove: func(x *ec2api.IpPermission) {
				x.UserIdGroupPairs = slices.DeleteFunc(x.UserIdGroupPairs, func(y ec2api.UserIdGroupPair) bool { return val(y.GroupId) == val(r.GroupId) })
			}})
	}
	return out
}
