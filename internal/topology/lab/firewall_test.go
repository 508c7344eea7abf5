package lab

import (
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

const firewallLab = `vpc: {name: a, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  app: {cidr: 10.0.1.0/24, az: us-east-1a, route_table: app}
  fw-a: {cidr: 10.0.100.0/28, az: us-east-1a, route_table: fw}
  fw-b: {cidr: 10.0.100.16/28, az: us-east-1b, route_table: fw}
route_tables:
  app: {routes: {0.0.0.0/0: "firewall:fw/us-east-1a", 10.9.0.0/16: "firewall:fw/fw-b"}}
  fw: {routes: {0.0.0.0/0: igw}}
firewalls:
  fw: {subnets: [fw-a, fw-b], policy: pol}
firewall_policies:
  pol:
    stateless_rule_groups: [{group: sl, priority: 5}]
    stateful_rule_groups: [web, {group: ids, priority: 9, override: DROP_TO_ALERT}]
    rule_order: STRICT_ORDER
    stateful_default_actions: [aws:drop_established]
    home_net: [10.0.0.0/8]
rule_groups:
  sl:
    type: stateless
    stateless_rules:
      - {priority: 10, protocols: [tcp], destination_ports: ["443"], tcp_flags: [{flags: [SYN], masks: [SYN, ACK]}], actions: [aws:forward_to_sfe]}
  web:
    rules: |
      pass tcp $HOME_NET any -> any 443 (msg:"web"; sid:1;)
    ip_sets: {WEB: [10.0.1.0/24]}
  ids:
    stateful_rules: ["DROP tcp any any -> any 23"]
`

// TestFirewallLab_14: a lab declares a firewall with two zones, its policy and rule groups;
// routes name each endpoint by zone or by subnet.
func TestFirewallLab_14(t *testing.T) {
	top, ps := Parse("lab.yaml", []byte(firewallLab))
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	if len(top.Firewalls) != 1 || len(top.FirewallPolicies) != 1 || len(top.RuleGroups) != 3 {
		t.Fatalf("firewalls %d, policies %d, rule groups %d", len(top.Firewalls), len(top.FirewallPolicies), len(top.RuleGroups))
	}
	fw, pol := top.Firewalls[0], top.FirewallPolicies[0]
	if len(fw.SubnetMappings) != 2 || fw.SubnetMappings[1].AvailabilityZone != "us-east-1b" || fw.PolicyARN != pol.ARN ||
		fw.ARN != "arn:aws:network-firewall:us-east-1:111122223333:firewall/fw" {
		t.Errorf("firewall = %+v", fw)
	}
	app := top.RouteTables[0]
	var targets []string
	for _, r := range app.Routes {
		if r.Target.Kind == model.TargetVPCEndpoint {
			targets = append(targets, r.Target.ID)
		}
	}
	if len(targets) != 2 || targets[0] != string(fw.SubnetMappings[0].Endpoint) || targets[1] != string(fw.SubnetMappings[1].Endpoint) {
		t.Errorf("routes to endpoints %v, want %s then %s", targets, fw.SubnetMappings[0].Endpoint, fw.SubnetMappings[1].Endpoint)
	}
	if len(pol.StatefulGroups) != 2 || pol.StatefulGroups[1].Override != model.OverrideDropToAlert || pol.StatefulGroups[0].Priority != 1 ||
		pol.RuleOrder != model.StrictOrder || len(pol.HomeNet) != 1 || pol.StatelessGroups[0].Priority != 5 {
		t.Errorf("policy = %+v", pol)
	}
	web := top.RuleGroups[1]
	if web.RulesLine != 25 || web.IPSets["WEB"][0] != "10.0.1.0/24" {
		t.Errorf("web: rules at line %d, sets %v", web.RulesLine, web.IPSets)
	}
	sl := top.RuleGroups[0].StatelessRules[0]
	if sl.Protocols[0] != 6 || sl.DestinationPorts[0] != (model.PortRange{From: 443, To: 443}) || sl.TCPFlags[0].Masks[1] != "ACK" {
		t.Errorf("stateless rule = %+v", sl)
	}
	if r := top.RuleGroups[2].StatefulRules[0]; r.Action != "DROP" || r.Protocol != "TCP" || r.DestinationPort != "23" || r.Direction != "FORWARD" {
		t.Errorf("5-tuple rule = %+v", r)
	}
}

// TestFirewallLabBadInput: each mistake is reported at its line, naming what is wrong.
func TestFirewallLabBadInput(t *testing.T) {
	tests := []struct {
		name, from, to string
		line           int
		want           string
	}{
		{"malformed Suricata rule", `      pass tcp $HOME_NET any -> any 443 (msg:"web"; sid:1;)`,
			"      pass tcp $HOME_NET any => any 443 (msg:\"web\"; sid:1;)", 25, `Suricata rule on line 1: direction "=>" is not -> or <>`},
		{"unknown policy", "fw: {subnets: [fw-a, fw-b], policy: pol}", "fw: {subnets: [fw-a, fw-b], policy: poll}", 10, `no firewall policy named "poll"; did you mean "pol"?`},
		{"unknown rule group", "stateful_rule_groups: [web,", "stateful_rule_groups: [webb,", 14, `no rule group named "webb"`},
		{"two mappings in one zone", "fw-b: {cidr: 10.0.100.16/28, az: us-east-1b", "fw-b: {cidr: 10.0.100.16/28, az: us-east-1a", 10, "two subnets in Availability Zone us-east-1a"},
		{"bad stateless action", "actions: [aws:forward_to_sfe]", "actions: [aws:forward]", 22, `action "aws:forward" is not one of aws:pass, aws:drop, aws:forward_to_sfe`},
		{"unknown endpoint", `"firewall:fw/us-east-1a"`, `"firewall:fw/us-east-1c"`, 7, `no firewall endpoint named "fw/us-east-1c"`},
		{"bad 5-tuple", `"DROP tcp any any -> any 23"`, `"DROP tcp any any -> any telnet"`, 28, `port "telnet" is not any, a variable, a port or a range lo:hi`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(firewallLab, tc.from) {
				t.Fatalf("the lab has no %q", tc.from)
			}
			_, ps := Parse("lab.yaml", []byte(strings.Replace(firewallLab, tc.from, tc.to, 1)))
			for _, p := range ps {
				if p.Severity == model.Error && p.Src.Line == tc.line && strings.Contains(p.Message, tc.want) {
					return
				}
			}
			t.Errorf("want an error at lab.yaml:%d containing %q, got:\n%v", tc.line, tc.want, ps)
		})
	}
}
