package snapshot

import (
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// buildSecurityGroups maps describe-security-groups (§4.1). Each permission × peer becomes
// one rule; describe-security-groups prints no rule IDs, so they are made up as
// "<sg-id>:ingress:<n>" and "<sg-id>:egress:<n>", numbered in input order. The group's own
// account, against which a referenced group's UserId is compared, is its OwnerId, else its
// VPC's account, else the file's account folder.
func (l *loader) buildSecurityGroups(t *model.Topology) {
	ids := newSeen("security group", l.sgs.len())
	vpcAccount := make(map[model.VPCID]string, len(t.VPCs))
	for _, v := range t.VPCs {
		vpcAccount[v.ID] = v.Account
	}
	for it := range l.sgs.all() {
		g, src := it.v, it.src
		if !ids.add(&l.probs, g.GroupId, "GroupId", src) {
			continue
		}
		sg := &model.SecurityGroup{ID: model.SecurityGroupID(g.GroupId), VPC: model.VPCID(g.VpcId),
			Name: g.GroupName, Src: src}
		_, sg.Tags = tags(g.tagged)
		owner := group{id: sg.ID, vpc: sg.VPC, account: g.OwnerId}
		fill(&owner.account, vpcAccount[sg.VPC])
		if owner.account == "" {
			owner.account = l.where(src).account
		}
		sg.Ingress = l.sgRules(owner, "ingress", g.IpPermissions, at(src, ".IpPermissions"))
		sg.Egress = l.sgRules(owner, "egress", g.IpPermissionsEgress, at(src, ".IpPermissionsEgress"))
		t.SecurityGroups = append(t.SecurityGroups, sg)
	}
}

// group is the security group whose rules sgRules reads: its ID, VPC and owner account
// ("" when unknown).
type group struct {
	id      model.SecurityGroupID
	vpc     model.VPCID
	account string
}

// sgRules expands one direction's permissions. A permission's peers are its IpRanges,
// PrefixListIds and UserIdGroupPairs; Ipv6Ranges are skipped with a warning. Absent
// FromPort/ToPort are -1, AWS's "any" for ICMP type and code and its value for
// all-protocol rules (§4.1.4). A referenced group of another account keeps that account
// (UserId), and one across a peering its VPC and peering connection (§7.1.11); when the
// group's own account is unknown, a UserId is taken to be that account.
func (l *loader) sgRules(g group, dir string, perms []awsPermission, src model.Source) []model.SecurityGroupRule {
	id := g.id
	var rules []model.SecurityGroupRule
	for i, p := range perms {
		psrc := at(src, "[%d]", i)
		proto, ok := protocol(p.IpProtocol)
		if !ok {
			l.probs.Errorf(at(psrc, ".IpProtocol"), "invalid protocol %q (want tcp, udp, icmp, icmpv6, -1 or a number 0-255)", p.IpProtocol)
			continue
		}
		base := model.SecurityGroupRule{Protocol: proto, FromPort: -1, ToPort: -1}
		if p.FromPort != nil {
			base.FromPort = *p.FromPort
		}
		if p.ToPort != nil {
			base.ToPort = *p.ToPort
		}
		add := func(r model.SecurityGroupRule, rsrc model.Source) {
			r.ID = string(id) + ":" + dir + ":" + strconv.Itoa(len(rules))
			r.Src = rsrc
			rules = append(rules, r)
		}
		for j, c := range p.IpRanges {
			rsrc := at(psrc, ".IpRanges[%d]", j)
			if cidr, ok := l.prefix(c.CidrIp, at(rsrc, ".CidrIp")); ok {
				r := base
				r.CIDR, r.Description = cidr, c.Description
				add(r, rsrc)
			}
		}
		for j, c := range p.Ipv6Ranges {
			l.probs.Warnf(at(psrc, ".Ipv6Ranges[%d]", j), "peer %s: IPv6 not modelled yet; skipped", c.CidrIpv6)
		}
		for j, pl := range p.PrefixListIds {
			rsrc := at(psrc, ".PrefixListIds[%d]", j)
			if pl.PrefixListId == "" {
				l.probs.Errorf(at(rsrc, ".PrefixListId"), "missing PrefixListId")
				continue
			}
			r := base
			r.PrefixList, r.Description = model.PrefixListID(pl.PrefixListId), pl.Description
			add(r, rsrc)
		}
		for j, gp := range p.UserIdGroupPairs {
			rsrc := at(psrc, ".UserIdGroupPairs[%d]", j)
			if gp.GroupId == "" {
				l.probs.Errorf(at(rsrc, ".GroupId"), "missing GroupId")
				continue
			}
			r := base
			r.Group, r.Description = model.SecurityGroupID(gp.GroupId), gp.Description
			if gp.UserId != "" && g.account != "" && gp.UserId != g.account {
				r.GroupAccount = gp.UserId
			}
			if gp.VpcId != "" && model.VPCID(gp.VpcId) != g.vpc {
				r.GroupVPC = model.VPCID(gp.VpcId)
			}
			r.GroupPeering = model.PeeringID(gp.VpcPeeringConnectionId)
			add(r, rsrc)
		}
		if len(p.IpRanges)+len(p.Ipv6Ranges)+len(p.PrefixListIds)+len(p.UserIdGroupPairs) == 0 {
			l.probs.Warnf(psrc, "permission has no peer; it allows nothing")
		}
	}
	return rules
}

// protocol parses an IP protocol as AWS prints it: a name (tcp, udp, icmp, icmpv6), -1 or
// "all" for every protocol, or a number 0-255.
func protocol(s string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "-1", "all":
		return model.ProtocolAll, true
	case "tcp":
		return model.ProtocolTCP, true
	case "udp":
		return model.ProtocolUDP, true
	case "icmp":
		return model.ProtocolICMP, true
	case "icmpv6":
		return 58, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 255 {
		return 0, false
	}
	return n, true
}

// buildNetworkACLs maps describe-network-acls (§5). Entries keep AWS's rule numbers, the
// final "*" rule (32767) included. Absent ports mean every port (0-65535); absent ICMP type
// or code mean any (-1). IPv6 entries are skipped with a warning.
func (l *loader) buildNetworkACLs(t *model.Topology) {
	ids := newSeen("network ACL", l.acls.len())
	for it := range l.acls.all() {
		a, src := it.v, it.src
		if !ids.add(&l.probs, a.NetworkAclId, "NetworkAclId", src) {
			continue
		}
		acl := &model.NetworkACL{ID: model.NetworkACLID(a.NetworkAclId), VPC: model.VPCID(a.VpcId),
			Default: a.IsDefault, Src: src}
		acl.Name, acl.Tags = tags(a.tagged)
		for _, as := range a.Associations {
			if as.SubnetId != "" {
				acl.Subnets = append(acl.Subnets, model.SubnetID(as.SubnetId))
			}
		}
		for i, e := range a.Entries {
			if entry, ok := l.aclEntry(e, at(src, ".Entries[%d]", i)); ok {
				acl.Entries = append(acl.Entries, entry)
			}
		}
		t.NetworkACLs = append(t.NetworkACLs, acl)
	}
}

// aclEntry maps one NACL entry; it reports every bad field before giving up on the entry.
func (l *loader) aclEntry(e awsACLEntry, src model.Source) (model.NetworkACLEntry, bool) {
	out := model.NetworkACLEntry{Egress: e.Egress, FromPort: 0, ToPort: 65535, ICMPType: -1, ICMPCode: -1, Src: src}
	if e.CidrBlock == "" && e.Ipv6CidrBlock != "" {
		l.probs.Warnf(src, "entry for %s: IPv6 not modelled yet; skipped", e.Ipv6CidrBlock)
		return out, false
	}
	ok := true
	if e.RuleNumber == nil {
		l.probs.Errorf(at(src, ".RuleNumber"), "missing RuleNumber")
		ok = false
	} else {
		out.RuleNumber = *e.RuleNumber
	}
	if p, pok := protocol(e.Protocol); pok {
		out.Protocol = p
	} else {
		l.probs.Errorf(at(src, ".Protocol"), "invalid protocol %q (want -1 or a number 0-255)", e.Protocol)
		ok = false
	}
	switch strings.ToLower(e.RuleAction) {
	case "allow":
		out.Allow = true
	case "deny":
	default:
		l.probs.Errorf(at(src, ".RuleAction"), "invalid RuleAction %q (want allow or deny)", e.RuleAction)
		ok = false
	}
	if cidr, cok := l.prefix(e.CidrBlock, at(src, ".CidrBlock")); cok {
		out.CIDR = cidr
	} else {
		ok = false
	}
	if pr := e.PortRange; pr != nil {
		if pr.From != nil {
			out.FromPort = *pr.From
		}
		if pr.To != nil {
			out.ToPort = *pr.To
		}
	}
	if ic := e.IcmpTypeCode; ic != nil {
		if ic.Type != nil {
			out.ICMPType = *ic.Type
		}
		if ic.Code != nil {
			out.ICMPCode = *ic.Code
		}
	}
	return out, ok
}
