package serve

import (
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Network ACLs, their entries and subnet associations (§5).

func init() {
	register("CreateNetworkAcl", createNetworkAcl)
	register("DescribeNetworkAcls", describeNetworkAcls)
	register("DeleteNetworkAcl", deleteNetworkAcl)
	register("CreateNetworkAclEntry", func(c *call, in *ec2api.CreateNetworkAclEntryRequest) (*struct{}, error) {
		return &struct{}{}, c.aclEntry(in, false)
	})
	register("ReplaceNetworkAclEntry", func(c *call, in *ec2api.ReplaceNetworkAclEntryRequest) (*struct{}, error) {
		return &struct{}{}, c.aclEntry(&ec2api.CreateNetworkAclEntryRequest{CidrBlock: in.CidrBlock, Egress: in.Egress,
			IcmpTypeCode: in.IcmpTypeCode, Ipv6CidrBlock: in.Ipv6CidrBlock, NetworkAclId: in.NetworkAclId, PortRange: in.PortRange,
			Protocol: in.Protocol, RuleAction: in.RuleAction, RuleNumber: in.RuleNumber}, true)
	})
	register("DeleteNetworkAclEntry", deleteNetworkAclEntry)
	register("ReplaceNetworkAclAssociation", replaceNetworkAclAssociation)
}

func createNetworkAcl(c *call, in *ec2api.CreateNetworkAclRequest) (*ec2api.CreateNetworkAclResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-acl"); err != nil {
		return nil, err
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	id := c.newID("acl")
	deny := func(egress bool) ec2api.NetworkAclEntry {
		return ec2api.NetworkAclEntry{CidrBlock: str("0.0.0.0/0"), Egress: boolp(egress), Protocol: str("-1"),
			RuleAction: str("deny"), RuleNumber: int32p(32767)}
	}
	a := &ec2api.NetworkAcl{NetworkAclId: str(id), VpcId: v.VpcId, IsDefault: boolp(false), OwnerId: str(c.s.opt.Account),
		Associations: []ec2api.NetworkAclAssociation{}, Entries: []ec2api.NetworkAclEntry{deny(true), deny(false)},
		Tags: tagsFrom(in.TagSpecifications, "network-acl")}
	c.touch("network-acl", id)
	c.st.acls.put(id, a)
	return &ec2api.CreateNetworkAclResult{NetworkAcl: a, ClientToken: in.ClientToken}, nil
}

func describeNetworkAcls(c *call, in *ec2api.DescribeNetworkAclsRequest) (*ec2api.DescribeNetworkAclsResult, error) {
	as, next, err := describe(query{op: "DescribeNetworkAcls", ids: in.NetworkAclIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidNetworkAclID.NotFound", what: "network ACL"},
		c.st.acls.all(), func(a *ec2api.NetworkAcl) string { return val(a.NetworkAclId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkAclsResult{NetworkAcls: as, NextToken: next}, nil
}

func (c *call) networkACL(id string) (*ec2api.NetworkAcl, error) {
	if err := checkID(id, "acl", "InvalidNetworkAclID.Malformed"); err != nil {
		return nil, err
	}
	a := c.st.acls.get(id)
	if a == nil {
		return nil, errorf("InvalidNetworkAclID.NotFound", "The network ACL ID '%s' does not exist", id)
	}
	return a, nil
}

func deleteNetworkAcl(c *call, in *ec2api.DeleteNetworkAclRequest) (*struct{}, error) {
	a, err := c.networkACL(val(in.NetworkAclId))
	if err != nil {
		return nil, err
	}
	if *a.IsDefault {
		return nil, errorf("InvalidParameterValue", "cannot delete default network ACL %s", *a.NetworkAclId)
	}
	if len(a.Associations) > 0 {
		return nil, errorf("DependencyViolation", "The networkAcl '%s' has dependencies and cannot be deleted.", *a.NetworkAclId)
	}
	c.touch("network-acl", *a.NetworkAclId)
	c.st.acls.remove(*a.NetworkAclId)
	return &struct{}{}, nil
}

// aclEntry adds an entry, or replaces the one with its number and direction.
func (c *call) aclEntry(in *ec2api.CreateNetworkAclEntryRequest, replace bool) error {
	a, err := c.networkACL(val(in.NetworkAclId))
	if err != nil {
		return err
	}
	n, egress := deref32(in.RuleNumber), deref(in.Egress)
	if n < 1 || n > 32766 {
		return errorf("InvalidParameterValue", "Value (%d) for parameter ruleNumber is invalid. Expected a value from 1 to 32766.", n)
	}
	action := strings.ToLower(val(in.RuleAction))
	if action != "allow" && action != "deny" {
		return errorf("InvalidParameterValue", "Value (%s) for parameter ruleAction is invalid. Expected allow or deny.", val(in.RuleAction))
	}
	if in.CidrBlock == nil {
		return errorf("UnsupportedOperation", "vpclab serve takes IPv4 network ACL entries (CidrBlock) only yet")
	}
	p, err := parseCIDR("cidrBlock", *in.CidrBlock)
	if err != nil {
		return err
	}
	proto := strings.ToLower(val(in.Protocol))
	switch proto {
	case "all", "-1":
		proto = "-1"
	case "tcp":
		proto = "6"
	case "udp":
		proto = "17"
	case "icmp":
		proto = "1"
	}
	e := ec2api.NetworkAclEntry{CidrBlock: str(p.String()), Egress: boolp(egress), Protocol: str(proto), RuleAction: str(action),
		RuleNumber: int32p(n)}
	if proto == "6" || proto == "17" {
		if in.PortRange == nil || in.PortRange.From == nil || in.PortRange.To == nil {
			return errorf("MissingParameter", "The request must contain the parameter portRange")
		}
		e.PortRange = in.PortRange
	}
	if proto == "1" {
		e.IcmpTypeCode = in.IcmpTypeCode
	}
	i := slices.IndexFunc(a.Entries, func(x ec2api.NetworkAclEntry) bool { return deref32(x.RuleNumber) == n && deref(x.Egress) == egress })
	switch {
	case replace && i < 0:
		return errorf("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by %d does not exist.", n)
	case !replace && i >= 0:
		return errorf("NetworkAclEntryAlreadyExists", "The network acl entry identified by %d already exists.", n)
	}
	c.touch("network-acl", *a.NetworkAclId)
	if replace {
		a.Entries[i] = e
	} else {
		a.Entries = append(a.Entries, e)
		slices.SortStableFunc(a.Entries, func(x, y ec2api.NetworkAclEntry) int {
			if deref(x.Egress) != deref(y.Egress) {
				if deref(x.Egress) {
					return -1
				}
				return 1
			}
			return int(deref32(x.RuleNumber) - deref32(y.RuleNumber))
		})
	}
	c.check(val(a.VpcId))
	return nil
}

func deleteNetworkAclEntry(c *call, in *ec2api.DeleteNetworkAclEntryRequest) (*struct{}, error) {
	a, err := c.networkACL(val(in.NetworkAclId))
	if err != nil {
		return nil, err
	}
	n, egress := deref32(in.RuleNumber), deref(in.Egress)
	i := slices.IndexFunc(a.Entries, func(x ec2api.NetworkAclEntry) bool { return deref32(x.RuleNumber) == n && deref(x.Egress) == egress })
	if i < 0 || n == 32767 {
		return nil, errorf("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by %d does not exist.", n)
	}
	c.touch("network-acl", *a.NetworkAclId)
	a.Entries = slices.Delete(a.Entries, i, i+1)
	c.check(val(a.VpcId))
	return &struct{}{}, nil
}

// ReplaceNetworkAclAssociation moves a subnet to another network ACL of its VPC.
func replaceNetworkAclAssociation(c *call, in *ec2api.ReplaceNetworkAclAssociationRequest) (*ec2api.ReplaceNetworkAclAssociationResult, error) {
	to, err := c.networkACL(val(in.NetworkAclId))
	if err != nil {
		return nil, err
	}
	for _, from := range c.st.acls.all() {
		i := slices.IndexFunc(from.Associations, func(x ec2api.NetworkAclAssociation) bool {
			return val(x.NetworkAclAssociationId) == val(in.AssociationId)
		})
		if i < 0 {
			continue
		}
		if val(from.VpcId) != val(to.VpcId) {
			return nil, errorf("InvalidParameterValue", "Network ACL %s and association %s belong to different networks", *to.NetworkAclId, val(in.AssociationId))
		}
		subnet := from.Associations[i].SubnetId
		c.touch("network-acl", *from.NetworkAclId)
		c.touch("network-acl", *to.NetworkAclId)
		from.Associations = slices.Delete(from.Associations, i, i+1)
		id := c.newID("aclassoc")
		to.Associations = append(to.Associations, ec2api.NetworkAclAssociation{NetworkAclAssociationId: str(id), NetworkAclId: to.NetworkAclId, SubnetId: subnet})
		c.check(val(to.VpcId))
		return &ec2api.ReplaceNetworkAclAssociationResult{NewAssociationId: str(id)}, nil
	}
	return nil, errorf("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", val(in.AssociationId))
}
