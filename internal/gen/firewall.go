package gen

import (
	"maps"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Network Firewall answers (§14 API shapes): describe-firewall, describe-firewall-policy and
// describe-rule-group outputs, as Firewalls.json, FirewallPolicies.json and RuleGroups.json
// hold them.

type fwTag = awsTag

type firewallJSON struct {
	UpdateToken string
	Firewall    struct {
		FirewallName      string
		FirewallArn       string
		FirewallId        string
		FirewallPolicyArn string
		VpcId             string
		SubnetMappings    []fwSubnetMapping
		TransitGatewayId  string `json:",omitempty"`
		Tags              []fwTag
	}
	FirewallStatus struct {
		Status                        string
		ConfigurationSyncStateSummary string
		SyncStates                    map[string]fwSyncState
	}
}

type fwSubnetMapping struct{ SubnetId, IPAddressType string }

type fwSyncState struct {
	Attachment struct{ SubnetId, EndpointId, Status string }
}

func (w *writer) firewall(f *model.Firewall) firewallJSON {
	var out firewallJSON
	out.UpdateToken = derived("token", f.ARN)
	fw := &out.Firewall
	fw.FirewallName, fw.FirewallArn, fw.FirewallPolicyArn, fw.VpcId = f.Name, f.ARN, f.PolicyARN, string(f.VPC)
	fw.FirewallId = derived("fw", f.ARN)
	fw.TransitGatewayId, fw.Tags = f.TransitGatewayID, tagList("", f.Tags)
	fw.SubnetMappings = []fwSubnetMapping{}
	out.FirewallStatus.Status, out.FirewallStatus.ConfigurationSyncStateSummary = "READY", "IN_SYNC"
	out.FirewallStatus.SyncStates = map[string]fwSyncState{}
	for _, m := range f.SubnetMappings {
		fw.SubnetMappings = append(fw.SubnetMappings, fwSubnetMapping{SubnetId: string(m.Subnet), IPAddressType: "IPV4"})
		var s fwSyncState
		s.Attachment.SubnetId, s.Attachment.EndpointId, s.Attachment.Status = string(m.Subnet), string(m.Endpoint), m.Status
		if s.Attachment.Status == "" {
			s.Attachment.Status = model.FirewallAttachmentReady
		}
		az := m.AvailabilityZone
		if az == "" {
			az = string(m.Subnet)
		}
		out.FirewallStatus.SyncStates[az] = s
	}
	return out
}

type groupRefJSON struct {
	ResourceArn string
	Priority    int
	Override    *struct{ Action string } `json:",omitempty"`
}

type firewallPolicyJSON struct {
	UpdateToken            string
	FirewallPolicyResponse struct {
		FirewallPolicyName   string
		FirewallPolicyArn    string
		FirewallPolicyId     string
		FirewallPolicyStatus string
		Tags                 []fwTag
	}
	FirewallPolicy struct {
		StatelessRuleGroupReferences    []groupRefJSON
		StatelessDefaultActions         []string
		StatelessFragmentDefaultActions []string
		StatefulRuleGroupReferences     []groupRefJSON
		StatefulDefaultActions          []string `json:",omitempty"`
		StatefulEngineOptions           struct {
			RuleOrder             string                               `json:",omitempty"`
			StreamExceptionPolicy string                               `json:",omitempty"`
			FlowTimeouts          *struct{ TcpIdleTimeoutSeconds int } `json:",omitempty"`
		}
		PolicyVariables *struct {
			RuleVariables map[string]struct{ Definition []string }
		} `json:",omitempty"`
	}
}

func refsJSON(rs []model.RuleGroupRef) []groupRefJSON {
	out := []groupRefJSON{}
	for _, r := range rs {
		j := groupRefJSON{ResourceArn: r.ARN, Priority: r.Priority}
		if r.Override != "" {
			j.Override = &struct{ Action string }{r.Override}
		}
		out = append(out, j)
	}
	return out
}

func (w *writer) firewallPolicy(p *model.FirewallPolicy) firewallPolicyJSON {
	var out firewallPolicyJSON
	out.UpdateToken = derived("token", p.ARN)
	r := &out.FirewallPolicyResponse
	r.FirewallPolicyName, r.FirewallPolicyArn, r.FirewallPolicyId, r.FirewallPolicyStatus, r.Tags = p.Name, p.ARN, derived("fwp", p.ARN), "ACTIVE", tagList("", p.Tags)
	fp := &out.FirewallPolicy
	fp.StatelessRuleGroupReferences, fp.StatefulRuleGroupReferences = refsJSON(p.StatelessGroups), refsJSON(p.StatefulGroups)
	fp.StatelessDefaultActions, fp.StatelessFragmentDefaultActions, fp.StatefulDefaultActions =
		p.StatelessDefaultActions, p.StatelessFragmentDefaultActions, p.StatefulDefaultActions
	fp.StatefulEngineOptions.RuleOrder, fp.StatefulEngineOptions.StreamExceptionPolicy = p.RuleOrder, p.StreamExceptionPolicy
	if p.TCPIdleTimeoutSeconds != 0 {
		fp.StatefulEngineOptions.FlowTimeouts = &struct{ TcpIdleTimeoutSeconds int }{p.TCPIdleTimeoutSeconds}
	}
	if len(p.HomeNet) > 0 {
		var defs []string
		for _, c := range p.HomeNet {
			defs = append(defs, c.String())
		}
		fp.PolicyVariables = &struct {
			RuleVariables map[string]struct{ Definition []string }
		}{map[string]struct{ Definition []string }{"HOME_NET": {defs}}}
	}
	return out
}

type ruleGroupJSON struct {
	UpdateToken       string
	RuleGroupResponse struct {
		RuleGroupArn    string
		RuleGroupName   string
		RuleGroupId     string
		Type            string
		RuleGroupStatus string
		Tags            []fwTag
	}
	RuleGroup struct {
		RuleVariables *struct {
			IPSets   map[string]struct{ Definition []string } `json:",omitempty"`
			PortSets map[string]struct{ Definition []string } `json:",omitempty"`
		} `json:",omitempty"`
		ReferenceSets *struct {
			IPSetReferences map[string]struct{ ReferenceArn string }
		} `json:",omitempty"`
		StatefulRuleOptions *struct{ RuleOrder string } `json:",omitempty"`
		RulesSource         map[string]any
	}
}

func defsJSON(m map[string][]string) map[string]struct{ Definition []string } {
	if len(m) == 0 {
		return nil
	}
	out := map[string]struct{ Definition []string }{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = struct{ Definition []string }{m[k]}
	}
	return out
}

func (w *writer) ruleGroup(g *model.RuleGroup) ruleGroupJSON {
	var out ruleGroupJSON
	out.UpdateToken = derived("token", g.ARN)
	r := &out.RuleGroupResponse
	r.RuleGroupArn, r.RuleGroupName, r.RuleGroupId, r.Type, r.RuleGroupStatus, r.Tags = g.ARN, g.Name, derived("rg", g.ARN), g.Type, "ACTIVE", tagList("", g.Tags)
	rg := &out.RuleGroup
	if len(g.IPSets) > 0 || len(g.PortSets) > 0 {
		rg.RuleVariables = &struct {
			IPSets   map[string]struct{ Definition []string } `json:",omitempty"`
			PortSets map[string]struct{ Definition []string } `json:",omitempty"`
		}{defsJSON(g.IPSets), defsJSON(g.PortSets)}
	}
	if len(g.IPSetReferences) > 0 {
		refs := map[string]struct{ ReferenceArn string }{}
		for k, pl := range g.IPSetReferences {
			refs[k] = struct{ ReferenceArn string }{"arn:aws:ec2:" + regionOfARN(g.ARN) + ":" + w.owner + ":prefix-list/" + string(pl)}
		}
		rg.ReferenceSets = &struct {
			IPSetReferences map[string]struct{ ReferenceArn string }
		}{refs}
	}
	if g.RuleOrder != "" {
		rg.StatefulRuleOptions = &struct{ RuleOrder string }{g.RuleOrder}
	}
	rs := map[string]any{}
	switch {
	case g.RulesString != "":
		rs["RulesString"] = g.RulesString
	case g.Domains != nil:
		rs["RulesSourceList"] = map[string]any{"Targets": g.Domains.Targets, "TargetTypes": g.Domains.TargetTypes, "GeneratedRulesType": g.Domains.GeneratedRulesType}
	case len(g.StatefulRules) > 0:
		var rules []any
		for _, s := range g.StatefulRules {
			opts := []map[string]any{}
			for _, o := range s.Options {
				opts = append(opts, map[string]any{"Keyword": o.Keyword, "Settings": o.Settings})
			}
			rules = append(rules, map[string]any{"Action": s.Action, "Header": map[string]string{"Protocol": s.Protocol, "Source": s.Source,
				"SourcePort": s.SourcePort, "Direction": s.Direction, "Destination": s.Destination, "DestinationPort": s.DestinationPort},
				"RuleOptions": opts})
		}
		rs["StatefulRules"] = rules
	case len(g.StatelessRules) > 0:
		var rules []any
		for _, s := range g.StatelessRules {
			ma := map[string]any{}
			addrs := func(key string, ps []string) {
				if len(ps) > 0 {
					var l []map[string]string
					for _, p := range ps {
						l = append(l, map[string]string{"AddressDefinition": p})
					}
					ma[key] = l
				}
			}
			var src, dst []string
			for _, p := range s.Sources {
				src = append(src, p.String())
			}
			for _, p := range s.Destinations {
				dst = append(dst, p.String())
			}
			addrs("Sources", src)
			addrs("Destinations", dst)
			ports := func(key string, rs []model.PortRange) {
				if len(rs) > 0 {
					var l []map[string]int
					for _, r := range rs {
						l = append(l, map[string]int{"FromPort": r.From, "ToPort": r.To})
					}
					ma[key] = l
				}
			}
			ports("SourcePorts", s.SourcePorts)
			ports("DestinationPorts", s.DestinationPorts)
			if len(s.Protocols) > 0 {
				ma["Protocols"] = s.Protocols
			}
			if len(s.TCPFlags) > 0 {
				var l []map[string][]string
				for _, f := range s.TCPFlags {
					l = append(l, map[string][]string{"Flags": f.Flags, "Masks": f.Masks})
				}
				ma["TCPFlags"] = l
			}
			rules = append(rules, map[string]any{"Priority": s.Priority, "RuleDefinition": map[string]any{"MatchAttributes": ma, "Actions": s.Actions}})
		}
		rs["StatelessRulesAndCustomActions"] = map[string]any{"StatelessRules": rules}
	}
	rg.RulesSource = rs
	return out
}

// regionOfARN is the region field of an ARN, us-east-1 when it has none.
func regionOfARN(arn string) string {
	if f := strings.Split(arn, ":"); len(f) > 3 && f[3] != "" {
		return f[3]
	}
	return "us-east-1"
}
