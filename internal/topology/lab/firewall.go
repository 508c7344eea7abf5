package lab

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// AWS Network Firewall (§14):
//
//	firewalls:
//	  fw:
//	    vpc: a                  # when the lab has several VPCs
//	    subnets: [fw-a, fw-b]   # one firewall subnet per Availability Zone (§14.1)
//	    policy: pol
//	    status: READY           # the endpoints' attachment status (only READY forwards)
//	firewall_policies:
//	  pol:
//	    stateless_rule_groups: [{group: sl, priority: 10}]
//	    stateless_default_actions: [aws:forward_to_sfe]
//	    stateless_fragment_default_actions: [aws:forward_to_sfe]
//	    stateful_rule_groups: [{group: web, priority: 1, override: DROP_TO_ALERT}]
//	    stateful_default_actions: [aws:drop_established]   # STRICT_ORDER only
//	    rule_order: STRICT_ORDER                           # default DEFAULT_ACTION_ORDER
//	    stream_exception_policy: DROP                      # DROP | CONTINUE | REJECT
//	    tcp_idle_timeout: 350
//	    home_net: [10.0.0.0/8]                             # default: the firewall VPC's CIDRs
//	rule_groups:
//	  web:
//	    type: stateful                 # or stateless
//	    rules: |                       # Suricata text (§14.16)
//	      pass tls $HOME_NET any -> any 443 (tls.sni; content:"example.com"; sid:1;)
//	    stateful_rules: ["DROP tcp any any -> any 23"]  # 5-tuple rules, Suricata header form
//	    stateless_rules: [{priority: 10, protocols: [6], destination_ports: ["443"], actions: [aws:pass]}]
//	    domain_list: {targets: [.example.com], types: [TLS_SNI, HTTP_HOST], generated: ALLOWLIST}
//	    ip_sets: {WEB: [10.0.1.0/24]}
//	    port_sets: {WEB_PORTS: ["80", "443"]}
//	    ip_set_references: {ALLOWED: some-prefix-list}
//
// A route names a firewall's endpoint as firewall:NAME when the firewall has one subnet, else
// firewall:NAME/AZ or firewall:NAME/SUBNET (firewall:fw/us-east-1a, firewall:fw/fw-a). A policy
// names rule groups by their lab name or by ARN (an AWS-managed group's ARN loads with a
// warning, §14.17).
var (
	firewallKeys       = []string{"vpc", "subnets", "policy", "status", "tags"}
	firewallPolicyKeys = []string{"stateless_rule_groups", "stateless_default_actions", "stateless_fragment_default_actions",
		"stateful_rule_groups", "stateful_default_actions", "rule_order", "stream_exception_policy", "tcp_idle_timeout",
		"home_net", "tls_inspection_configuration", "tags"}
	groupRefKeys       = []string{"group", "priority", "override"}
	ruleGroupKeys      = []string{"type", "rule_order", "rules", "stateful_rules", "stateless_rules", "domain_list", "ip_sets", "port_sets", "ip_set_references", "tags"}
	statelessRuleKeys  = []string{"priority", "sources", "destinations", "source_ports", "destination_ports", "protocols", "tcp_flags", "actions"}
	tcpFlagsKeys       = []string{"flags", "masks"}
	domainListKeys     = []string{"targets", "types", "generated"}
	firewallARNService = "network-firewall"
)

// arn is a Network Firewall ARN in the lab's region and account.
func (l *loader) arn(kind, name string) string {
	region, account := l.region, l.account
	if region == "" {
		region = defaultRegion
	}
	if account == "" {
		account = "111122223333"
	}
	return "arn:aws:" + firewallARNService + ":" + region + ":" + account + ":" + kind + "/" + name
}

// declareFirewalls declares rule groups, policies and firewalls, and registers each
// firewall endpoint so routes can name it.
func (l *loader) declareFirewalls() {
	groups := map[string]*model.RuleGroup{}
	for _, e := range l.entries(l.top.get("rule_groups"), "rule group") {
		if g := l.ruleGroup(e); g != nil {
			groups[e.name] = g
			l.t.RuleGroups = append(l.t.RuleGroups, g)
		}
	}
	policies := map[string]*model.FirewallPolicy{}
	for _, e := range l.entries(l.top.get("firewall_policies"), "firewall policy") {
		p := l.firewallPolicy(e, groups)
		policies[e.name] = p
		l.t.FirewallPolicies = append(l.t.FirewallPolicies, p)
	}
	for _, e := range l.entries(l.top.get("firewalls"), "firewall") {
		f := l.mapping(e.val, "firewall "+e.name, firewallKeys)
		vpc := l.vpcOf(f, e.line)
		fw := &model.Firewall{ARN: l.arn("firewall", e.name), Name: e.name, VPC: vpc.vpcIDSelf(), Tags: l.tags(f, e.name), Src: l.src(e.line)}
		l.need(f, "policy", e.line, "a policy (a firewall_policies name)")
		if n := f.get("policy"); n != nil {
			if s, ok := l.str(n, f.what+": policy"); ok {
				if p := policies[s]; p != nil {
					fw.PolicyARN = p.ARN
				} else {
					l.errorf(n.Line, "%s: policy: no firewall policy named %q%s", f.what, s, suggest(s, keys(policies)))
				}
			}
		}
		status := model.FirewallAttachmentReady
		if n := f.get("status"); n != nil {
			status, _ = l.oneOf(n, f.what+": status", "READY", "CREATING", "DELETING", "SCALING", "FAILED", "ERROR")
		}
		l.need(f, "subnets", e.line, "subnets (one firewall subnet per Availability Zone)")
		subnets := l.refs(l.subnets, f.get("subnets"), f.what+": subnets")
		for _, sd := range subnets {
			s := sd.obj.(*model.Subnet)
			az := s.AvailabilityZone
			if az == "" {
				az = sd.name
			}
			name := e.name + "/" + az
			if l.fwEndpoints.byName[name] != nil {
				l.errorf(f.keyLine("subnets"), "%s: two subnets in Availability Zone %s; a firewall has one subnet per zone (§14.1)", f.what, az)
				continue
			}
			d := l.add(l.fwEndpoints, name, f.keyLine("subnets"), f, vpc)
			if d == nil {
				continue
			}
			if sd.name != az {
				l.fwEndpoints.byName[e.name+"/"+sd.name] = d
			}
			if len(subnets) == 1 {
				l.fwEndpoints.byName[e.name] = d
			}
			fw.SubnetMappings = append(fw.SubnetMappings, model.FirewallSubnetMapping{Subnet: s.ID, AvailabilityZone: s.AvailabilityZone,
				Endpoint: model.VPCEndpointID(d.id), Status: status, Src: l.src(f.keyLine("subnets"))})
			d.obj = fw
		}
		l.t.Firewalls = append(l.t.Firewalls, fw)
	}
}

// keys are m's keys in order, for "did you mean" hints.
func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func (l *loader) firewallPolicy(e entry, groups map[string]*model.RuleGroup) *model.FirewallPolicy {
	f := l.mapping(e.val, "firewall policy "+e.name, firewallPolicyKeys)
	p := &model.FirewallPolicy{ARN: l.arn("firewall-policy", e.name), Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
	refs := func(key, typ string) []model.RuleGroupRef {
		var out []model.RuleGroupRef
		for i, n := range l.list(f.get(key), f.what+": "+key) {
			what := f.what + ": " + key
			r := model.RuleGroupRef{Priority: i + 1, Src: l.src(n.Line)}
			name := ""
			if n.Kind == yaml.ScalarNode {
				name = n.Value
			} else {
				rf := l.mapping(n, what, groupRefKeys)
				name, _ = l.str(rf.get("group"), what+": group")
				if v, ok := l.integer(rf.get("priority"), what+": priority", 1, 65535); ok {
					r.Priority = int(v)
				}
				if rf.get("override") != nil {
					r.Override, _ = l.oneOf(rf.get("override"), what+": override", model.OverrideDropToAlert)
				}
			}
			switch g := groups[name]; {
			case g != nil:
				r.ARN = g.ARN
				if g.Type != typ {
					l.errorf(n.Line, "%s: rule group %s is %s, not %s", what, name, strings.ToLower(g.Type), strings.ToLower(typ))
				}
			case strings.HasPrefix(name, "arn:"):
				r.ARN = name
			default:
				l.errorf(n.Line, "%s: no rule group named %q%s", what, name, suggest(name, keys(groups)))
				continue
			}
			out = append(out, r)
		}
		return out
	}
	p.StatelessGroups = refs("stateless_rule_groups", model.RuleGroupStateless)
	p.StatefulGroups = refs("stateful_rule_groups", model.RuleGroupStateful)
	p.StatelessDefaultActions, _ = l.strs(f.get("stateless_default_actions"), f.what+": stateless_default_actions")
	p.StatelessFragmentDefaultActions, _ = l.strs(f.get("stateless_fragment_default_actions"), f.what+": stateless_fragment_default_actions")
	if len(p.StatelessDefaultActions) == 0 {
		p.StatelessDefaultActions = []string{model.ActionForwardToSFE}
	}
	if len(p.StatelessFragmentDefaultActions) == 0 {
		p.StatelessFragmentDefaultActions = p.StatelessDefaultActions
	}
	p.StatefulDefaultActions, _ = l.strs(f.get("stateful_default_actions"), f.what+": stateful_default_actions")
	if n := f.get("rule_order"); n != nil {
		p.RuleOrder, _ = l.oneOf(n, f.what+": rule_order", model.DefaultActionOrder, model.StrictOrder)
	}
	if n := f.get("stream_exception_policy"); n != nil {
		p.StreamExceptionPolicy, _ = l.oneOf(n, f.what+": stream_exception_policy", "DROP", "CONTINUE", "REJECT")
	}
	if v, ok := l.integer(f.get("tcp_idle_timeout"), f.what+": tcp_idle_timeout", 60, 6000); ok {
		p.TCPIdleTimeoutSeconds = int(v)
	}
	for _, n := range l.list(f.get("home_net"), f.what+": home_net") {
		if c, ok := l.cidr(n, f.what+": home_net"); ok {
			p.HomeNet = append(p.HomeNet, c)
		}
	}
	if f.get("tls_inspection_configuration") != nil {
		p.Unsupported = append(p.Unsupported, "a TLS inspection configuration")
	}
	return p
}

func (l *loader) ruleGroup(e entry) *model.RuleGroup {
	f := l.mapping(e.val, "rule group "+e.name, ruleGroupKeys)
	g := &model.RuleGroup{Name: e.name, Type: model.RuleGroupStateful, Tags: l.tags(f, e.name), Src: l.src(e.line)}
	if n := f.get("type"); n != nil {
		if t, _ := l.oneOf(n, f.what+": type", "stateful", "stateless"); t == "stateless" {
			g.Type = model.RuleGroupStateless
		}
	}
	g.ARN = l.arn(strings.ToLower(g.Type)+"-rulegroup", e.name)
	if n := f.get("rule_order"); n != nil {
		g.RuleOrder, _ = l.oneOf(n, f.what+": rule_order", model.DefaultActionOrder, model.StrictOrder)
	}
	if n := f.get("rules"); n != nil {
		g.RulesString, _ = l.str(n, f.what+": rules")
		g.RulesLine = n.Line
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			g.RulesLine++ // a block scalar starts on the line after its indicator
		}
	}
	for _, n := range l.list(f.get("stateful_rules"), f.what+": stateful_rules") {
		s, ok := l.str(n, f.what+": stateful_rules")
		if !ok {
			continue
		}
		if !strings.Contains(s, "(") {
			s += " (sid:" + strconv.Itoa(len(g.StatefulRules)+1) + ";)"
		}
		rs, errs := model.ParseRulesString(s)
		for _, err := range errs {
			l.errorf(n.Line, "%s: stateful_rules: %s", f.what, err.Msg)
		}
		for _, r := range rs {
			r.Line, r.Src = 0, l.src(n.Line)
			r.Protocol = strings.ToUpper(r.Protocol)
			g.StatefulRules = append(g.StatefulRules, r)
		}
	}
	for _, n := range l.list(f.get("stateless_rules"), f.what+": stateless_rules") {
		g.StatelessRules = append(g.StatelessRules, l.statelessRule(n, f.what+": stateless_rules"))
	}
	if n := f.get("domain_list"); n != nil {
		df := l.mapping(n, f.what+": domain_list", domainListKeys)
		d := &model.DomainList{}
		d.Targets, _ = l.strs(df.get("targets"), df.what+": targets")
		d.TargetTypes, _ = l.strs(df.get("types"), df.what+": types")
		if len(d.TargetTypes) == 0 {
			d.TargetTypes = []string{"TLS_SNI", "HTTP_HOST"}
		}
		l.need(df, "generated", n.Line, "generated: ALLOWLIST or DENYLIST")
		if df.get("generated") != nil {
			d.GeneratedRulesType, _ = l.oneOf(df.get("generated"), df.what+": generated", "ALLOWLIST", "DENYLIST")
		}
		g.Domains = d
	}
	g.IPSets = l.stringSets(f.get("ip_sets"), f.what+": ip_sets")
	g.PortSets = l.stringSets(f.get("port_sets"), f.what+": port_sets")
	refs := l.stringSets(f.get("ip_set_references"), f.what+": ip_set_references")
	for _, name := range slices.Sorted(maps.Keys(refs)) {
		vals := refs[name]
		if len(vals) == 0 {
			continue
		}
		pl, ok := l.prefixListRef(vals[0])
		if !ok {
			l.errorf(f.keyLine("ip_set_references"), "%s: ip_set_references: no prefix list named %q%s", f.what, vals[0], suggest(vals[0], l.prefixLists.names()))
			continue
		}
		if g.IPSetReferences == nil {
			g.IPSetReferences = map[string]model.PrefixListID{}
		}
		g.IPSetReferences[name] = pl
	}
	return g
}

// stringSets reads {NAME: [values]} (a single value counts as a list).
func (l *loader) stringSets(n *yaml.Node, what string) map[string][]string {
	if n == nil {
		return nil
	}
	out := map[string][]string{}
	for _, e := range l.entries(n, "variable") {
		out[e.name], _ = l.strs(e.val, what+": "+e.name)
	}
	return out
}

func (l *loader) statelessRule(n *yaml.Node, what string) model.StatelessRule {
	f := l.mapping(n, what, statelessRuleKeys)
	r := model.StatelessRule{Src: l.src(n.Line)}
	if v, ok := l.integer(f.get("priority"), what+": priority", 1, 65535); ok {
		r.Priority = int(v)
	} else {
		l.need(f, "priority", n.Line, "a priority")
	}
	for _, k := range []string{"sources", "destinations"} {
		for _, c := range l.list(f.get(k), what+": "+k) {
			if p, ok := l.cidr(c, what+": "+k); ok {
				if k == "sources" {
					r.Sources = append(r.Sources, p)
				} else {
					r.Destinations = append(r.Destinations, p)
				}
			}
		}
	}
	for _, k := range []string{"source_ports", "destination_ports"} {
		vals, lines := l.strs(f.get(k), what+": "+k)
		for i, s := range vals {
			lo, hi, ok := model.ParsePortItem(s)
			if !ok {
				l.errorf(lines[i], "%s: %s: bad port %q: want a port or a range lo:hi", what, k, s)
				continue
			}
			if k == "source_ports" {
				r.SourcePorts = append(r.SourcePorts, model.PortRange{From: lo, To: hi})
			} else {
				r.DestinationPorts = append(r.DestinationPorts, model.PortRange{From: lo, To: hi})
			}
		}
	}
	for _, c := range l.list(f.get("protocols"), what+": protocols") {
		if p, ok := l.protocol(c, what+": protocols"); ok {
			r.Protocols = append(r.Protocols, p)
		}
	}
	for _, c := range l.list(f.get("tcp_flags"), what+": tcp_flags") {
		tf := l.mapping(c, what+": tcp_flags", tcpFlagsKeys)
		var m model.TCPFlagMatch
		m.Flags, _ = l.strs(tf.get("flags"), what+": tcp_flags: flags")
		m.Masks, _ = l.strs(tf.get("masks"), what+": tcp_flags: masks")
		r.TCPFlags = append(r.TCPFlags, m)
	}
	r.Actions, _ = l.strs(f.get("actions"), what+": actions")
	if len(r.Actions) == 0 {
		l.need(f, "actions", n.Line, "actions (aws:pass, aws:drop or aws:forward_to_sfe)")
	}
	return r
}
