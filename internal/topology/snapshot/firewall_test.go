package snapshot

import (
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// firewallDoc is a snapshot with one firewall (two zones, one endpoint still CREATING), its
// policy and three rule groups in the shapes of describe-firewall, describe-firewall-policy
// and describe-rule-group (§14 API shapes); the policy also names an AWS-managed group, a TLS
// inspection configuration and a policy-less rule group ARN vpclab does not have.
const firewallDoc = `{
"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "State": "available"}],
"Subnets": [
 {"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.100.0/28", "AvailabilityZone": "us-east-1a"},
 {"SubnetId": "subnet-b", "VpcId": "vpc-1", "CidrBlock": "10.0.100.16/28", "AvailabilityZone": "us-east-1b"}],
"Firewalls": [{"UpdateToken": "t", "Firewall": {"FirewallName": "fw", "FirewallArn": "arn:aws:network-firewall:us-east-1:1:firewall/fw",
  "FirewallPolicyArn": "arn:aws:network-firewall:us-east-1:1:firewall-policy/pol", "VpcId": "vpc-1",
  "SubnetMappings": [{"SubnetId": "subnet-a", "IPAddressType": "IPV4"}, {"SubnetId": "subnet-b", "IPAddressType": "IPV4"}]},
  "FirewallStatus": {"Status": "READY", "ConfigurationSyncStateSummary": "IN_SYNC", "SyncStates": {
   "us-east-1a": {"Attachment": {"SubnetId": "subnet-a", "EndpointId": "vpce-0aaa", "Status": "READY"}},
   "us-east-1b": {"Attachment": {"SubnetId": "subnet-b", "EndpointId": "vpce-0bbb", "Status": "CREATING"}}}}}],
"FirewallPolicies": [{"FirewallPolicyResponse": {"FirewallPolicyName": "pol", "FirewallPolicyArn": "arn:aws:network-firewall:us-east-1:1:firewall-policy/pol"},
  "FirewallPolicy": {"StatelessDefaultActions": ["aws:forward_to_sfe"], "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
   "StatelessRuleGroupReferences": [{"ResourceArn": "arn:aws:network-firewall:us-east-1:1:stateless-rulegroup/sl", "Priority": 1}],
   "StatefulRuleGroupReferences": [
    {"ResourceArn": "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/five", "Priority": 1, "Override": {"Action": "DROP_TO_ALERT"}},
    {"ResourceArn": "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/text", "Priority": 2},
    {"ResourceArn": "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesMalwareStrictOrder", "Priority": 3},
    {"ResourceArn": "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/gone", "Priority": 4}],
   "StatefulDefaultActions": ["aws:drop_established"],
   "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER", "StreamExceptionPolicy": "REJECT", "FlowTimeouts": {"TcpIdleTimeoutSeconds": 120}},
   "PolicyVariables": {"RuleVariables": {"HOME_NET": {"Definition": ["10.0.0.0/8"]}}},
   "TLSInspectionConfigurationArn": "arn:aws:network-firewall:us-east-1:1:tls-configuration/tls"}}],
"RuleGroups": [
 {"RuleGroupResponse": {"RuleGroupArn": "arn:aws:network-firewall:us-east-1:1:stateless-rulegroup/sl", "RuleGroupName": "sl", "Type": "STATELESS"},
  "RuleGroup": {"RulesSource": {"StatelessRulesAndCustomActions": {"StatelessRules": [{"Priority": 10, "RuleDefinition": {
   "MatchAttributes": {"Sources": [{"AddressDefinition": "10.0.0.0/8"}], "DestinationPorts": [{"FromPort": 443, "ToPort": 443}], "Protocols": [6],
    "TCPFlags": [{"Flags": ["SYN"], "Masks": ["SYN", "ACK"]}]}, "Actions": ["aws:pass"]}}]}}}},
 {"RuleGroupResponse": {"RuleGroupArn": "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/five", "RuleGroupName": "five", "Type": "STATEFUL"},
  "RuleGroup": {"RuleVariables": {"IPSets": {"WEB": {"Definition": ["10.0.1.0/24"]}}},
   "ReferenceSets": {"IPSetReferences": {"CORP": {"ReferenceArn": "arn:aws:ec2:us-east-1:1:prefix-list/pl-0corp"}}},
   "StatefulRuleOptions": {"RuleOrder": "STRICT_ORDER"},
   "RulesSource": {"StatefulRules": [{"Action": "DROP", "Header": {"Protocol": "TCP", "Source": "$WEB", "SourcePort": "ANY",
    "Direction": "FORWARD", "Destination": "ANY", "DestinationPort": "23"}, "RuleOptions": [{"Keyword": "sid", "Settings": ["1"]}]}]}}},
 {"RuleGroupResponse": {"RuleGroupArn": "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/text", "RuleGroupName": "text", "Type": "STATEFUL"},
  "RuleGroup": {"StatefulRuleOptions": {"RuleOrder": "STRICT_ORDER"},
   "RulesSource": {"RulesString": "pass tcp any any -> any 443 (sid:1;)\ndrop tcp any any -> any (sid:2;)"}}}]}`

// TestLoadFirewall_14: the three answers load into the model, endpoints from the sync states
// with their status; validation names, by file and JSON path, an unknown rule group, an
// unknown prefix list and a malformed Suricata rule (its line and token), and warns about the
// AWS-managed group and the TLS inspection configuration.
func TestLoadFirewall_14(t *testing.T) {
	top, probs := LoadJSON("snap.json", []byte(firewallDoc))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	if len(top.Firewalls) != 1 || len(top.FirewallPolicies) != 1 || len(top.RuleGroups) != 3 {
		t.Fatalf("firewalls %d, policies %d, rule groups %d", len(top.Firewalls), len(top.FirewallPolicies), len(top.RuleGroups))
	}
	fw := top.Firewalls[0]
	if m := fw.SubnetMappings; len(m) != 2 || m[0].Endpoint != "vpce-0aaa" || !m[0].Ready() || m[1].Endpoint != "vpce-0bbb" ||
		m[1].Ready() || m[1].AvailabilityZone != "us-east-1b" || m[1].Src.Path != "Firewalls[0].Firewall.SubnetMappings[1]" {
		t.Errorf("mappings = %+v", m)
	}
	pol := top.FirewallPolicies[0]
	if pol.RuleOrder != model.StrictOrder || pol.StreamExceptionPolicy != "REJECT" || pol.TCPIdleTimeoutSeconds != 120 ||
		len(pol.HomeNet) != 1 || pol.StatefulGroups[0].Override != model.OverrideDropToAlert || len(pol.Unsupported) != 1 {
		t.Errorf("policy = %+v", pol)
	}
	five := top.RuleGroups[1]
	if five.IPSetReferences["CORP"] != "pl-0corp" || five.IPSets["WEB"][0] != "10.0.1.0/24" || five.StatefulRules[0].Source != "$WEB" {
		t.Errorf("rule group five = %+v", five)
	}
	if r := top.RuleGroups[0].StatelessRules[0]; r.Priority != 10 || r.Sources[0].String() != "10.0.0.0/8" || r.TCPFlags[0].Masks[1] != "ACK" {
		t.Errorf("stateless rule = %+v", r)
	}
	model.ApplyDefaults(top)
	vs := model.Validate(top)
	wantProblem(t, vs, model.Error, "snap.json: FirewallPolicies[0].FirewallPolicy.StatefulRuleGroupReferences[3]", "rule group arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/gone is not in the topology")
	wantProblem(t, vs, model.Error, "snap.json: RuleGroups[1]", "IP set reference CORP names prefix list pl-0corp, which is not in the topology")
	wantProblem(t, vs, model.Error, "snap.json: RuleGroups[2].RuleGroup.RulesSource.RulesString (rule line 2)", `header "drop tcp any any -> any" has 6 fields, want 7`)
	wantProblem(t, vs, model.Warning, "snap.json: FirewallPolicies[0].FirewallPolicy.StatefulRuleGroupReferences[2]", "AWS-managed threat-signature group")
	wantProblem(t, vs, model.Warning, "snap.json: FirewallPolicies[0]", "uses TLS inspection configuration arn:aws:network-firewall:us-east-1:1:tls-configuration/tls, which vpclab does not model")
}
