package lab

import (
	"fmt"
	"math"
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// Security groups (§4) and network ACLs (§5).
//
//	security_groups:
//	  web:
//	    description: web servers     # for readers (the model keeps no group description)
//	    ingress:
//	      - {protocol: tcp, port: 443, cidr: 0.0.0.0/0}
//	      - {protocol: tcp, ports: 1024-65535, group: lb}     # another group (of any VPC), or default
//	      - {protocol: icmp, icmp_type: 8, cidr: 10.0.0.0/16} # type/code default -1 (any)
//	      - {protocol: all, prefix_list: corp}
//	    # egress left out: AWS's all-outbound rule (§4.1.2); egress: [] means none
//	network_acls:
//	  strict:
//	    subnets: [dst]                 # as well as (or instead of) subnet.network_acl
//	    ingress:
//	      - {rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 10.0.2.0/24}
//	    egress:
//	      - {rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}
//	    # the final "*" deny rule is added; a custom NACL denies what it does not allow (§5.2).
//	    # default: true makes this the VPC's default NACL, whose left-out directions allow all.
//
// A rule's protocol is all, tcp, udp, icmp, icmpv6 or a number 0-255 (-1 = all). TCP/UDP
// rules without port or ports cover 0-65535.

var (
	securityGroupKeys = []string{"vpc", "description", "ingress", "egress", "tags"}
	sgRuleKeys        = []string{"protocol", "port", "ports", "icmp_type", "icmp_code", "cidr", "prefix_list", "group", "description"}
	networkACLKeys    = []string{"vpc", "default", "subnets", "ingress", "egress", "tags"}
	naclRuleKeys      = []string{"rule", "action", "protocol", "port", "ports", "icmp_type", "icmp_code", "cidr"}
)

var directions = [2]struct{ key, name string }{{"ingress", "inbound"}, {"egress", "outbound"}}

func (l *loader) declareSecurityGroups() {
	for _, e := range l.entries(l.top.get("security_groups"), "security group") {
		f := l.mapping(e.val, "security group "+e.name, securityGroupKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.sgs, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		if e.name == "default" && vpc != nil {
			d.id = defaultSG(vpc) // the group ApplyDefaults would make, as the lab edits it
		}
		l.str(f.get("description"), f.what+": description")
		g := &model.SecurityGroup{ID: model.SecurityGroupID(d.id), VPC: d.vpcID(), Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		d.obj = g
		l.t.SecurityGroups = append(l.t.SecurityGroups, g)
	}
}

func (l *loader) fillSecurityGroups() {
	for _, d := range l.sgs.list {
		g := d.obj.(*model.SecurityGroup)
		g.Ingress = l.sgRules(d, 0)
		if d.f.has("egress") {
			g.Egress = l.sgRules(d, 1)
		} else {
			g.Egress = []model.SecurityGroupRule{{ID: string(g.ID) + ":egress:0", Protocol: model.ProtocolAll,
				CIDR: netip.MustParsePrefix("0.0.0.0/0"), Src: l.src(d.line)}} // §4.1.2
		}
	}
}

// ruleItems reads a list of rules.
func (l *loader) ruleItems(f *fields, key string) []*yaml.Node {
	n := f.get(key)
	if n != nil && n.Kind != yaml.SequenceNode {
		l.errorf(n.Line, "%s: %s: want a list of rules, got %s", f.what, key, describe(n))
		return nil
	}
	return l.list(n, f.what+": "+key)
}

func (l *loader) sgRules(d *decl, dir int) []model.SecurityGroupRule {
	var rules []model.SecurityGroupRule
	for i, item := range l.ruleItems(d.f, directions[dir].key) {
		f := l.mapping(item, fmt.Sprintf("%s: %s rule %d", d.f.what, directions[dir].name, i+1), sgRuleKeys)
		r := model.SecurityGroupRule{ID: fmt.Sprintf("%s:%s:%d", d.id, directions[dir].key, i), Src: l.src(item.Line)}
		proto, from, to, ok := l.match(f, item.Line)
		peers := 0
		for _, k := range []string{"cidr", "prefix_list", "group"} {
			if f.has(k) {
				peers++
			}
		}
		if peers != 1 {
			l.errorf(item.Line, "%s: give exactly one of cidr, prefix_list or group (§4.1.4)", f.what)
			ok = false
		}
		if n := f.get("cidr"); n != nil {
			r.CIDR, ok = l.cidrAnd(n, f.what, ok)
		}
		if n := f.get("prefix_list"); n != nil {
			s, _ := l.str(n, f.what+": prefix_list")
			if pl, found := l.prefixListRef(s); found {
				r.PrefixList = pl
			} else {
				l.errorf(n.Line, "%s: no prefix list named %q%s", f.what, s, suggest(s, l.prefixLists.names()))
				ok = false
			}
		}
		if n := f.get("group"); n != nil {
			id, found := l.sgRef(n, f.what+": group", d.vpc)
			r.Group, ok = id, ok && found
			l.crossVPCGroup(&r, d)
		}
		r.Description, _ = l.str(f.get("description"), f.what+": description")
		if ok {
			r.Protocol, r.FromPort, r.ToPort = proto, from, to
			rules = append(rules, r)
		}
	}
	return rules
}

// cidrAnd reads a CIDR and folds its success into ok.
func (l *loader) cidrAnd(n *yaml.Node, what string, ok bool) (netip.Prefix, bool) {
	p, good := l.cidr(n, what)
	return p, ok && good
}

// match reads a rule's protocol and ports (TCP/UDP) or ICMP type and code (from, to).
func (l *loader) match(f *fields, line int) (proto, from, to int, ok bool) {
	proto, ok = l.protocol(f.get("protocol"), f.what)
	if f.get("protocol") == nil {
		l.need(f, "protocol", line, "a protocol (all, tcp, udp, icmp or a number)")
		return 0, 0, 0, false
	}
	if !ok {
		return 0, 0, 0, false
	}
	icmp := f.has("icmp_type") || f.has("icmp_code")
	from, to, ports, ok := l.portRange(f)
	switch proto {
	case model.ProtocolTCP, model.ProtocolUDP:
		if icmp {
			l.errorf(f.keyLine("icmp_type"), "%s: icmp_type and icmp_code are for icmp rules; use port or ports", f.what)
			ok = false
		}
		return proto, from, to, ok
	case model.ProtocolICMP, 58:
		if ports {
			l.errorf(f.keyLine("ports"), "%s: ports are for tcp and udp rules; use icmp_type and icmp_code", f.what)
			return proto, 0, 0, false
		}
		t, tok := l.icmpField(f, "icmp_type")
		c, cok := l.icmpField(f, "icmp_code")
		return proto, t, c, tok && cok
	}
	if ports || icmp {
		l.errorf(f.line, "%s: protocol %s carries no ports or ICMP types; remove them", f.what, f.vals["protocol"].Value)
		return proto, 0, 0, false
	}
	return proto, 0, 0, true
}

func (l *loader) icmpField(f *fields, k string) (int, bool) {
	n := f.get(k)
	if n == nil {
		return -1, true
	}
	v, ok := l.integer(n, f.what+": "+k, -1, 255)
	return int(v), ok
}

func (l *loader) declareNetworkACLs() {
	for _, e := range l.entries(l.top.get("network_acls"), "network ACL") {
		f := l.mapping(e.val, "network ACL "+e.name, networkACLKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.nacls, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		def, _ := l.boolean(f.get("default"), f.what+": default")
		if def && vpc != nil {
			d.id = model.DeriveID("acl", vpc.id+"/default") // the ID ApplyDefaults would give it
		}
		a := &model.NetworkACL{ID: model.NetworkACLID(d.id), VPC: d.vpcID(), Default: def, Name: e.name,
			Tags: l.tags(f, e.name), Src: l.src(e.line)}
		d.obj = a
		l.t.NetworkACLs = append(l.t.NetworkACLs, a)
	}
}

func (l *loader) fillNetworkACLs() {
	all := netip.MustParsePrefix("0.0.0.0/0")
	for _, d := range l.nacls.list {
		a := d.obj.(*model.NetworkACL)
		for _, s := range l.refs(l.subnets, d.f.get("subnets"), d.f.what+": subnets") {
			if !hasSubnet(a.Subnets, model.SubnetID(s.id)) {
				a.Subnets = append(a.Subnets, model.SubnetID(s.id))
			}
		}
		for dir := range directions {
			egress := dir == 1
			if a.Default && !d.f.has(directions[dir].key) { // §5.2: the default NACL allows all
				a.Entries = append(a.Entries, model.NetworkACLEntry{RuleNumber: 100, Egress: egress, Protocol: model.ProtocolAll,
					Allow: true, CIDR: all, ICMPType: -1, ICMPCode: -1, Src: l.src(d.line)})
			}
			final := false
			for i, item := range l.ruleItems(d.f, directions[dir].key) {
				prefix := d.f.what + ": " + directions[dir].name + " rule "
				f := l.mapping(item, fmt.Sprintf("%s#%d", prefix, i+1), naclRuleKeys)
				if e, ok := l.naclEntry(f, prefix, item.Line, egress); ok {
					a.Entries = append(a.Entries, e)
					final = final || e.RuleNumber == 32767
				}
			}
			if !final { // the "*" rule (§5.1)
				a.Entries = append(a.Entries, model.NetworkACLEntry{RuleNumber: 32767, Egress: egress, Protocol: model.ProtocolAll,
					CIDR: all, ICMPType: -1, ICMPCode: -1})
			}
		}
	}
}

// naclEntry reads one NACL rule; once its number is known, messages name the rule by it
// (prefix + number), as the console does.
func (l *loader) naclEntry(f *fields, prefix string, line int, egress bool) (model.NetworkACLEntry, bool) {
	e := model.NetworkACLEntry{Egress: egress, ICMPType: -1, ICMPCode: -1, Src: l.src(line)}
	l.need(f, "rule", line, "a rule number")
	l.need(f, "action", line, "an action (allow or deny)")
	l.need(f, "cidr", line, "a cidr")
	ok := f.get("rule") != nil && f.get("action") != nil && f.get("cidr") != nil
	if f.get("rule") != nil {
		n, good := l.integer(f.get("rule"), f.what+": rule", math.MinInt32, math.MaxInt32)
		e.RuleNumber, ok = int(n), ok && good
		if good {
			f.what = fmt.Sprintf("%s%d", prefix, n)
		}
	}
	if f.get("action") != nil {
		act, good := l.oneOf(f.get("action"), f.what+": action", "allow", "deny")
		e.Allow, ok = act == "allow", ok && good
	}
	if n := f.get("cidr"); n != nil {
		e.CIDR, ok = l.cidrAnd(n, f.what, ok)
	}
	proto, from, to, good := l.match(f, line)
	if !good {
		return e, false
	}
	e.Protocol = proto
	if proto == model.ProtocolICMP || proto == 58 {
		e.ICMPType, e.ICMPCode = from, to
	} else if proto == model.ProtocolTCP || proto == model.ProtocolUDP {
		e.FromPort, e.ToPort = from, to
	}
	return e, ok
}
