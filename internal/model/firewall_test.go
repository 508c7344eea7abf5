package model

import (
	"strings"
	"testing"
)

// withFirewall adds to validBase firewall fw (line 50) in subnet-n with endpoint vpce-fw,
// policy pol (51) referencing stateless group sl (52) and stateful group sf (53), and a route
// from rt to the endpoint (54).
func withFirewall() *Topology {
	top := validBase()
	top.Subnets[2].AvailabilityZone = "us-east-1a"
	top.Firewalls = []*Firewall{{ARN: "arn:fw", Name: "fw", VPC: "vpc-1", PolicyARN: "arn:pol", Src: vsrc(50),
		SubnetMappings: []FirewallSubnetMapping{{Subnet: "subnet-n", Endpoint: "vpce-fw", Src: vsrc(50)}}}}
	top.FirewallPolicies = []*FirewallPolicy{{ARN: "arn:pol", Name: "pol", Src: vsrc(51),
		StatelessDefaultActions: []string{ActionForwardToSFE}, StatelessFragmentDefaultActions: []string{ActionForwardToSFE},
		StatelessGroups: []RuleGroupRef{{ARN: "arn:sl", Priority: 1, Src: vsrc(51)}},
		StatefulGroups:  []RuleGroupRef{{ARN: "arn:sf", Priority: 1, Src: vsrc(51)}}}}
	top.RuleGroups = []*RuleGroup{
		{ARN: "arn:sl", Name: "sl", Type: RuleGroupStateless, Src: vsrc(52),
			StatelessRules: []StatelessRule{{Priority: 1, Actions: []string{ActionPass}, Src: vsrc(52)}}},
		{ARN: "arn:sf", Name: "sf", Type: RuleGroupStateful, Src: vsrc(53), RulesLine: 60,
			RulesString: "pass tcp any any -> any 443 (sid:1;)\ndrop tcp any any -> any 23 (sid:2;)"},
	}
	top.RouteTables[0].Routes = append(top.RouteTables[0].Routes, Route{Destination: vpfx("10.9.0.0/16"),
		Target: Target{Kind: TargetVPCEndpoint, ID: "vpce-fw"}, State: RouteActive, Src: vsrc(54)})
	return top
}

// TestValidateFirewall: one case per rule of §14 the model checks, at its line.
func TestValidateFirewall(t *testing.T) {
	top := withFirewall()
	ApplyDefaults(top)
	if ps := Validate(top); len(ps) > 0 {
		t.Fatalf("the base with a firewall: %v", ps)
	}
	cases := []struct {
		name  string
		edit  func(*Topology)
		sev   Severity
		line  int
		wants string
	}{
		{"unknown policy", func(t *Topology) { t.Firewalls[0].PolicyARN = "arn:nope" }, Error, 50, "firewall policy arn:nope is not in the topology"},
		{"subnet of another VPC", func(t *Topology) {
			t.VPCs = append(t.VPCs, &VPC{ID: "vpc-2", CIDRs: nil})
			t.Subnets[2].VPC = "vpc-2"
		}, Error, 50, "not in the firewall's VPC"},
		{"two mappings in a zone", func(t *Topology) {
			t.Subnets[1].AvailabilityZone = "us-east-1a"
			t.Firewalls[0].SubnetMappings = append(t.Firewalls[0].SubnetMappings, FirewallSubnetMapping{Subnet: "subnet-b", Endpoint: "vpce-fw2", Src: vsrc(55)})
		}, Error, 55, "two subnet mappings in Availability Zone us-east-1a"},
		{"unknown rule group", func(t *Topology) { t.FirewallPolicies[0].StatefulGroups[0].ARN = "arn:gone" }, Error, 51, "rule group arn:gone is not in the topology"},
		{"stateful group as stateless", func(t *Topology) { t.FirewallPolicies[0].StatelessGroups[0].ARN = "arn:sf" }, Error, 51, "rule group sf is STATEFUL, referenced as STATELESS"},
		{"malformed Suricata", func(t *Topology) {
			t.RuleGroups[1].RulesString = "pass tcp any any -> any 443 (sid:1;)\ndrop tcp any any -> any (sid:2;)"
		},
			Error, 61, `Suricata rule on line 2: header "drop tcp any any -> any" has 6 fields`},
		{"invalid stateless action", func(t *Topology) { t.RuleGroups[0].StatelessRules[0].Actions = []string{"aws:allow"} }, Error, 52, `action "aws:allow"`},
		{"invalid default action", func(t *Topology) { t.FirewallPolicies[0].StatelessDefaultActions = []string{"aws:forward"} }, Error, 51, `stateless default action "aws:forward"`},
		{"default actions need strict order", func(t *Topology) { t.FirewallPolicies[0].StatefulDefaultActions = []string{DropStrict} }, Error, 51, "need rule order STRICT_ORDER"},
		{"app-layer default action", func(t *Topology) {
			t.FirewallPolicies[0].RuleOrder = StrictOrder
			t.FirewallPolicies[0].StatefulDefaultActions = []string{"aws:drop_established_app_layer"}
		}, Warning, 51, "evaluated as aws:drop_established"},
		{"bad override", func(t *Topology) { t.FirewallPolicies[0].StatefulGroups[0].Override = "ALERT" }, Error, 51, `override "ALERT" is not DROP_TO_ALERT`},
		{"unknown prefix list", func(t *Topology) { t.RuleGroups[1].IPSetReferences = map[string]PrefixListID{"CORP": "pl-9"} }, Error, 53, "names prefix list pl-9, which is not in the topology"},
		{"TGW-attached firewall", func(t *Topology) { t.Firewalls[0].TransitGatewayID = "tgw-1" }, Warning, 50, "TGW-attached firewalls are not modelled"},
		{"managed group", func(t *Topology) {
			t.FirewallPolicies[0].StatefulGroups[0].ARN = "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesBotnet"
		}, Warning, 51, "AWS-managed threat-signature group"},
		{"unsupported feature", func(t *Topology) { t.FirewallPolicies[0].Unsupported = []string{"a TLS inspection configuration"} }, Warning, 51, "uses a TLS inspection configuration, which vpclab does not model"},
		{"endpoint of another VPC", func(t *Topology) {
			t.VPCs = append(t.VPCs, &VPC{ID: "vpc-2"})
			t.Firewalls[0].VPC = "vpc-2"
		}, Error, 54, "firewall endpoint vpce-fw of fw is in VPC vpc-2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top := withFirewall()
			c.edit(top)
			ApplyDefaults(top)
			ps := Validate(top)
			for _, p := range ps {
				if p.Severity == c.sev && p.Src.Line == c.line && strings.Contains(p.Message, c.wants) {
					return
				}
			}
			t.Errorf("want a problem at line %d containing %q, got:\n%v", c.line, c.wants, ps)
		})
	}
}
