package snapshot

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// AWS Network Firewall (§14 API shapes): Firewalls.json holds {"Firewalls": [describe-firewall
// outputs]}, FirewallPolicies.json {"FirewallPolicies": [describe-firewall-policy outputs]}
// and RuleGroups.json {"RuleGroups": [describe-rule-group outputs]}.

type awsDefinitions struct{ Definition []string }

// describe-firewall
type awsFirewall struct {
	Firewall struct {
		FirewallName      string
		FirewallArn       string
		FirewallPolicyArn string
		VpcId             string
		SubnetMappings    []struct{ SubnetId, IPAddressType string }
		TransitGatewayId  string
		Tags              []awsTag
	}
	FirewallStatus struct {
		Status     string
		SyncStates map[string]struct {
			Attachment struct{ SubnetId, EndpointId, Status string }
		}
	}
}

// describe-firewall-policy
type awsFirewallPolicy struct {
	FirewallPolicyResponse struct {
		FirewallPolicyName string
		FirewallPolicyArn  string
		Tags               []awsTag
	}
	FirewallPolicy struct {
		StatelessRuleGroupReferences []struct {
			ResourceArn string
			Priority    int
		}
		StatelessDefaultActions         []string
		StatelessFragmentDefaultActions []string
		StatefulRuleGroupReferences     []struct {
			ResourceArn string
			Priority    int
			Override    struct{ Action string }
		}
		StatefulDefaultActions []string
		StatefulEngineOptions  struct {
			RuleOrder             string
			StreamExceptionPolicy string
			FlowTimeouts          struct{ TcpIdleTimeoutSeconds int }
		}
		PolicyVariables struct {
			RuleVariables map[string]awsDefinitions
		}
		TLSInspectionConfigurationArn string
	}
}

// describe-rule-group
type awsRuleGroup struct {
	RuleGroupResponse struct {
		RuleGroupArn  string
		RuleGroupName string
		Type          string
		Tags          []awsTag
	}
	RuleGroup struct {
		RuleVariables struct {
			IPSets   map[string]awsDefinitions
			PortSets map[string]awsDefinitions
		}
		ReferenceSets struct {
			IPSetReferences map[string]struct{ ReferenceArn string }
		}
		StatefulRuleOptions struct{ RuleOrder string }
		RulesSource         struct {
			RulesString     string
			RulesSourceList *struct {
				Targets            []string
				TargetTypes        []string
				GeneratedRulesType string
			}
			StatefulRules []struct {
				Action string
				Header struct {
					Protocol, Source, SourcePort, Direction, Destination, DestinationPort string
				}
				RuleOptions []struct {
					Keyword  string
					Settings []string
				}
			}
			StatelessRulesAndCustomActions *struct {
				StatelessRules []struct {
					Priority       int
					RuleDefinition struct {
						MatchAttributes struct {
							Sources, Destinations         []struct{ AddressDefinition string }
							SourcePorts, DestinationPorts []struct{ FromPort, ToPort int }
							Protocols                     []int
							TCPFlags                      []struct{ Flags, Masks []string }
						}
						Actions []string
					}
				}
			}
		}
	}
}

func modelTags(ts []awsTag) (string, []model.Tag) { return tags(tagged{Tags: ts}) }

// buildFirewalls maps the three answers (§14). A firewall's endpoints come from its sync
// states: one per Availability Zone, with the attachment's status (only READY forwards).
func (l *loader) buildFirewalls(t *model.Topology) {
	azOf := map[model.SubnetID]string{}
	for _, s := range t.Subnets {
		azOf[s.ID] = s.AvailabilityZone
	}
	for it := range l.ruleGroups.all() {
		r, src := &it.v, it.src
		g := &model.RuleGroup{ARN: r.RuleGroupResponse.RuleGroupArn, Name: r.RuleGroupResponse.RuleGroupName,
			Type: r.RuleGroupResponse.Type, RuleOrder: r.RuleGroup.StatefulRuleOptions.RuleOrder, Src: src}
		_, g.Tags = modelTags(r.RuleGroupResponse.Tags)
		if g.ARN == "" {
			l.probs.Errorf(at(src, ".RuleGroupResponse.RuleGroupArn"), "rule group without an ARN; skipped")
			continue
		}
		g.IPSets = definitions(r.RuleGroup.RuleVariables.IPSets)
		g.PortSets = definitions(r.RuleGroup.RuleVariables.PortSets)
		for name, ref := range r.RuleGroup.ReferenceSets.IPSetReferences {
			arn := ref.ReferenceArn
			if strings.Contains(arn, ":resource-groups:") {
				g.Unsupported = append(g.Unsupported, "resource-group reference "+name)
				continue
			}
			if g.IPSetReferences == nil {
				g.IPSetReferences = map[string]model.PrefixListID{}
			}
			g.IPSetReferences[name] = model.PrefixListID(arn[strings.LastIndexByte(arn, '/')+1:])
		}
		if model.IsManagedRuleGroup(g.ARN) {
			g.Unsupported = append(g.Unsupported, "an AWS-managed threat-signature group")
		}
		slices.Sort(g.Unsupported)
		rs := &r.RuleGroup.RulesSource
		g.RulesString = rs.RulesString
		if d := rs.RulesSourceList; d != nil {
			g.Domains = &model.DomainList{Targets: d.Targets, TargetTypes: d.TargetTypes, GeneratedRulesType: d.GeneratedRulesType}
		}
		for i, sr := range rs.StatefulRules {
			m := model.StatefulRule{Action: sr.Action, Protocol: sr.Header.Protocol, Source: sr.Header.Source, SourcePort: sr.Header.SourcePort,
				Direction: sr.Header.Direction, Destination: sr.Header.Destination, DestinationPort: sr.Header.DestinationPort,
				Src: at(src, ".RuleGroup.RulesSource.StatefulRules[%d]", i)}
			for _, o := range sr.RuleOptions {
				m.Options = append(m.Options, model.RuleOption{Keyword: o.Keyword, Settings: o.Settings})
			}
			g.StatefulRules = append(g.StatefulRules, m)
		}
		if sl := rs.StatelessRulesAndCustomActions; sl != nil {
			for i, sr := range sl.StatelessRules {
				ma := &sr.RuleDefinition.MatchAttributes
				m := model.StatelessRule{Priority: sr.Priority, Protocols: ma.Protocols, Actions: sr.RuleDefinition.Actions,
					Src: at(src, ".RuleGroup.RulesSource.StatelessRulesAndCustomActions.StatelessRules[%d]", i)}
				for j, a := range ma.Sources {
					m.Sources = append(m.Sources, l.firewallCIDR(a.AddressDefinition, at(m.Src, ".RuleDefinition.MatchAttributes.Sources[%d]", j)))
				}
				for j, a := range ma.Destinations {
					m.Destinations = append(m.Destinations, l.firewallCIDR(a.AddressDefinition, at(m.Src, ".RuleDefinition.MatchAttributes.Destinations[%d]", j)))
				}
				for _, p := range ma.SourcePorts {
					m.SourcePorts = append(m.SourcePorts, model.PortRange{From: p.FromPort, To: p.ToPort})
				}
				for _, p := range ma.DestinationPorts {
					m.DestinationPorts = append(m.DestinationPorts, model.PortRange{From: p.FromPort, To: p.ToPort})
				}
				for _, f := range ma.TCPFlags {
					m.TCPFlags = append(m.TCPFlags, model.TCPFlagMatch{Flags: f.Flags, Masks: f.Masks})
				}
				g.StatelessRules = append(g.StatelessRules, m)
			}
		}
		t.RuleGroups = append(t.RuleGroups, g)
	}
	for it := range l.firewallPolicies.all() {
		r, src := &it.v, it.src
		fp := &r.FirewallPolicy
		p := &model.FirewallPolicy{ARN: r.FirewallPolicyResponse.FirewallPolicyArn, Name: r.FirewallPolicyResponse.FirewallPolicyName,
			StatelessDefaultActions: fp.StatelessDefaultActions, StatelessFragmentDefaultActions: fp.StatelessFragmentDefaultActions,
			StatefulDefaultActions: fp.StatefulDefaultActions, RuleOrder: fp.StatefulEngineOptions.RuleOrder,
			StreamExceptionPolicy: fp.StatefulEngineOptions.StreamExceptionPolicy, TCPIdleTimeoutSeconds: fp.StatefulEngineOptions.FlowTimeouts.TcpIdleTimeoutSeconds,
			Src: src}
		_, p.Tags = modelTags(r.FirewallPolicyResponse.Tags)
		for i, g := range fp.StatelessRuleGroupReferences {
			p.StatelessGroups = append(p.StatelessGroups, model.RuleGroupRef{ARN: g.ResourceArn, Priority: g.Priority,
				Src: at(src, ".FirewallPolicy.StatelessRuleGroupReferences[%d]", i)})
		}
		for i, g := range fp.StatefulRuleGroupReferences {
			p.StatefulGroups = append(p.StatefulGroups, model.RuleGroupRef{ARN: g.ResourceArn, Priority: g.Priority, Override: g.Override.Action,
				Src: at(src, ".FirewallPolicy.StatefulRuleGroupReferences[%d]", i)})
		}
		if h, ok := fp.PolicyVariables.RuleVariables["HOME_NET"]; ok {
			for j, d := range h.Definition {
				if c := l.firewallCIDR(d, at(src, ".FirewallPolicy.PolicyVariables.RuleVariables.HOME_NET.Definition[%d]", j)); c.IsValid() {
					p.HomeNet = append(p.HomeNet, c)
				}
			}
		}
		if fp.TLSInspectionConfigurationArn != "" {
			p.Unsupported = append(p.Unsupported, "TLS inspection configuration "+fp.TLSInspectionConfigurationArn)
		}
		t.FirewallPolicies = append(t.FirewallPolicies, p)
	}
	for it := range l.firewalls.all() {
		r, src := &it.v, it.src
		f := &r.Firewall
		fw := &model.Firewall{ARN: f.FirewallArn, Name: f.FirewallName, VPC: model.VPCID(f.VpcId), PolicyARN: f.FirewallPolicyArn,
			TransitGatewayID: f.TransitGatewayId, Src: src}
		_, fw.Tags = modelTags(f.Tags)
		// Endpoints by subnet, from the sync states (one per zone).
		for i, m := range f.SubnetMappings {
			sm := model.FirewallSubnetMapping{Subnet: model.SubnetID(m.SubnetId), AvailabilityZone: azOf[model.SubnetID(m.SubnetId)],
				Src: at(src, ".Firewall.SubnetMappings[%d]", i)}
			for az, s := range r.FirewallStatus.SyncStates {
				if s.Attachment.SubnetId == m.SubnetId {
					sm.Endpoint, sm.Status = model.VPCEndpointID(s.Attachment.EndpointId), s.Attachment.Status
					if sm.AvailabilityZone == "" {
						sm.AvailabilityZone = az
					}
				}
			}
			if sm.Endpoint == "" {
				l.probs.Warnf(sm.Src, "firewall %s: subnet %s has no endpoint in FirewallStatus.SyncStates; routes cannot reach it", f.FirewallName, m.SubnetId)
			}
			fw.SubnetMappings = append(fw.SubnetMappings, sm)
		}
		t.Firewalls = append(t.Firewalls, fw)
	}
}

func definitions(m map[string]awsDefinitions) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = v.Definition
	}
	return out
}

// firewallCIDR parses an address definition (a CIDR), reporting a bad one at src.
func (l *loader) firewallCIDR(s string, src model.Source) netip.Prefix {
	p, ok := model.ParseCIDROrAddr(s)
	if !ok {
		l.probs.Errorf(src, "%q is not a CIDR", s)
	}
	return p
}
