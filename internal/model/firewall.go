package model

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// AWS Network Firewall (§14): a firewall in a VPC with one endpoint per Availability Zone
// (a GWLB-type vpce- that routes name, §14.1-3), the policy it runs, and the rule groups the
// policy references. The three kinds carry the fields of describe-firewall,
// describe-firewall-policy and describe-rule-group that decide a packet's fate; internal/nfw
// compiles a policy into an evaluator and the engine puts the endpoints on the path.

// Firewall is a firewall (describe-firewall's Firewall and FirewallStatus), §14.1.
type Firewall struct {
	ARN       string
	Name      string
	VPC       VPCID
	PolicyARN string
	// SubnetMappings has one entry per Availability Zone: the firewall subnet and the
	// endpoint AWS made in it (FirewallStatus.SyncStates[az].Attachment).
	SubnetMappings []FirewallSubnetMapping
	// TransitGatewayID marks a firewall attached natively to a transit gateway: not modelled
	// (§14.1, VPCLAB_UNSUPPORTED_COMPONENT).
	TransitGatewayID string
	Tags             []Tag
	Src              Source
}

// FirewallSubnetMapping is one firewall subnet and its endpoint. Status is the attachment's
// (CREATING, READY, ...); only READY forwards, and empty means READY (a lab).
type FirewallSubnetMapping struct {
	Subnet           SubnetID
	AvailabilityZone string // filled from the subnet when empty
	Endpoint         VPCEndpointID
	Status           string
	Src              Source
}

// FirewallAttachmentReady is the attachment status of an endpoint that forwards (§14 API shapes).
const FirewallAttachmentReady = "READY"

// Ready reports whether the endpoint forwards.
func (m FirewallSubnetMapping) Ready() bool {
	return m.Status == "" || m.Status == FirewallAttachmentReady
}

// Stateful rule orders (§14.9-10).
const (
	DefaultActionOrder = "DEFAULT_ACTION_ORDER"
	StrictOrder        = "STRICT_ORDER"
)

// FirewallPolicy is describe-firewall-policy's FirewallPolicy (§14.6-14).
type FirewallPolicy struct {
	ARN                             string
	Name                            string
	StatelessGroups                 []RuleGroupRef // by Priority, lowest first (§14.6)
	StatelessDefaultActions         []string       // aws:pass | aws:drop | aws:forward_to_sfe (+ custom)
	StatelessFragmentDefaultActions []string
	StatefulGroups                  []RuleGroupRef
	StatefulDefaultActions          []string // strict order only (§14.10)
	RuleOrder                       string   // DEFAULT_ACTION_ORDER when empty
	StreamExceptionPolicy           string   // DROP (default) | CONTINUE | REJECT (§14.12)
	TCPIdleTimeoutSeconds           int      // 350 when 0 (§14.12)
	// HomeNet overrides HOME_NET (PolicyVariables.RuleVariables.HOME_NET); empty means the
	// firewall VPC's CIDR blocks (§14.13).
	HomeNet []netip.Prefix
	// Unsupported names the features the policy uses that vpclab does not model (a TLS
	// inspection configuration, ...): the loader warns, the engine passes and says so (§14.17).
	Unsupported []string
	Tags        []Tag
	Src         Source
}

// RuleGroupRef is a policy's reference to a rule group. Override is "DROP_TO_ALERT" or empty
// (§14.14); stateless references have none.
type RuleGroupRef struct {
	ARN      string
	Priority int
	Override string
	Src      Source
}

// Rule group types.
const (
	RuleGroupStateless = "STATELESS"
	RuleGroupStateful  = "STATEFUL"
)

// RuleGroup is describe-rule-group's RuleGroup and response (§14 API shapes). RulesSource is
// exactly one of StatelessRules, StatefulRules, Domains and RulesString.
type RuleGroup struct {
	ARN  string
	Name string
	Type string // STATELESS | STATEFUL
	// IPSets and PortSets are RuleVariables: a name (without $) to its definitions (CIDRs,
	// ports and ranges "1024:65535").
	IPSets   map[string][]string
	PortSets map[string][]string
	// IPSetReferences are ReferenceSets.IPSetReferences: a variable name to a prefix list,
	// resolved through §9.7 (§14.14).
	IPSetReferences map[string]PrefixListID
	RuleOrder       string // StatefulRuleOptions.RuleOrder
	StatelessRules  []StatelessRule
	StatefulRules   []StatefulRule
	Domains         *DomainList
	// RulesString is Suricata text; RulesLine is the line of its first rule in the lab file
	// (0 for JSON), so messages can name the rule's line.
	RulesString string
	RulesLine   int
	// Unsupported names features vpclab does not model (an AWS-managed threat-signature
	// group, resource-group references, geographic filtering, ...), §14.17.
	Unsupported []string
	Tags        []Tag
	Src         Source
}

// StatelessRule is one StatelessRules entry (§14.6). Empty lists match everything.
type StatelessRule struct {
	Priority         int
	Sources          []netip.Prefix
	Destinations     []netip.Prefix
	SourcePorts      []PortRange
	DestinationPorts []PortRange
	Protocols        []int
	TCPFlags         []TCPFlagMatch
	Actions          []string
	Src              Source
}

// PortRange is {FromPort, ToPort}, inclusive.
type PortRange struct{ From, To int }

// TCPFlagMatch is {Flags, Masks}: the flags in Masks (all eight when empty) must be set iff
// listed in Flags (§14.6).
type TCPFlagMatch struct{ Flags, Masks []string }

// StatefulRule is a 5-tuple rule (StatefulRules[]) or one rule of a Suricata RulesString,
// both in the Suricata header's terms (§14.8, §14.16): Action PASS|DROP|ALERT|REJECT,
// Protocol (IP = any), Source/Destination ("ANY", a CIDR, "$VAR", a list "[a,b]", "!x"),
// ports likewise, Direction FORWARD ("->") or ANY ("<>").
type StatefulRule struct {
	Action          string
	Protocol        string
	Source          string
	SourcePort      string
	Direction       string
	Destination     string
	DestinationPort string
	Options         []RuleOption
	Line            int // the rule's line in RulesString (1-based), 0 for 5-tuple rules
	Src             Source
}

// RuleOption is one Suricata option: keyword and settings (sid:5 → {"sid", ["5"]}).
type RuleOption struct {
	Keyword  string
	Settings []string
}

// Option is the first setting of the rule's first option named keyword.
func (r *StatefulRule) Option(keyword string) (string, bool) {
	for _, o := range r.Options {
		if o.Keyword == keyword {
			if len(o.Settings) > 0 {
				return o.Settings[0], true
			}
			return "", true
		}
	}
	return "", false
}

// DomainList is RulesSourceList (§14.8).
type DomainList struct {
	Targets            []string
	TargetTypes        []string // HTTP_HOST | TLS_SNI
	GeneratedRulesType string   // ALLOWLIST | DENYLIST
}

// Stateless actions (§14.6-7) and stateful default actions (§14.10).
const (
	ActionPass          = "aws:pass"
	ActionDrop          = "aws:drop"
	ActionForwardToSFE  = "aws:forward_to_sfe"
	DropStrict          = "aws:drop_strict"
	DropEstablished     = "aws:drop_established"
	AlertStrict         = "aws:alert_strict"
	AlertEstablished    = "aws:alert_established"
	OverrideDropToAlert = "DROP_TO_ALERT"
)

var statelessActions = []string{ActionPass, ActionDrop, ActionForwardToSFE}

var statefulDefaultActions = []string{DropStrict, DropEstablished, AlertStrict, AlertEstablished,
	"aws:drop_established_app_layer", "aws:alert_established_app_layer"}

var statefulActions = []string{"PASS", "DROP", "ALERT", "REJECT"}

// FirewallEndpointOf finds the firewall and mapping whose endpoint is id.
func FirewallEndpointOf(t *Topology, id VPCEndpointID) (*Firewall, *FirewallSubnetMapping) {
	for _, fw := range t.Firewalls {
		for i := range fw.SubnetMappings {
			if fw.SubnetMappings[i].Endpoint == id {
				return fw, &fw.SubnetMappings[i]
			}
		}
	}
	return nil, nil
}

// firewalls checks firewalls, policies and rule groups (§14): references resolve, each
// firewall subnet is in the firewall's VPC and its zone has one mapping, actions are valid,
// Suricata rules parse, prefix-list references exist; unsupported features warn.
func (v *validator) firewalls() {
	policies := map[string]*FirewallPolicy{}
	for _, p := range v.t.FirewallPolicies {
		policies[p.ARN] = p
	}
	groups := map[string]*RuleGroup{}
	for _, g := range v.t.RuleGroups {
		groups[g.ARN] = g
	}
	for _, fw := range v.t.Firewalls {
		name := label(fw.Name, fw.ARN)
		if fw.VPC != "" && v.ix.VPCs[fw.VPC] == nil {
			v.ps.Errorf(fw.Src, "firewall %s: VPC %s is not in the topology", name, fw.VPC)
		}
		if fw.TransitGatewayID != "" {
			v.ps.Warnf(fw.Src, "firewall %s: attached to transit gateway %s: TGW-attached firewalls are not modelled (VPCLAB_UNSUPPORTED_COMPONENT, §14.1, §14.17)", name, fw.TransitGatewayID)
		}
		if fw.PolicyARN != "" && policies[fw.PolicyARN] == nil { // none: the loader said so
			v.ps.Errorf(fw.Src, "firewall %s: firewall policy %s is not in the topology", name, fw.PolicyARN)
		}
		zones := map[string]bool{}
		for _, m := range fw.SubnetMappings {
			s := v.ix.Subnets[m.Subnet]
			switch {
			case s == nil:
				v.ps.Errorf(m.Src, "firewall %s: subnet %s is not in the topology", name, m.Subnet)
				continue
			case s.VPC != fw.VPC:
				v.ps.Errorf(m.Src, "firewall %s: subnet %s is in VPC %s, not in the firewall's VPC %s (§14.1)", name, m.Subnet, v.vpcLabel(s.VPC), v.vpcLabel(fw.VPC))
			}
			az := s.AvailabilityZone
			if zones[az] {
				v.ps.Errorf(m.Src, "firewall %s: two subnet mappings in Availability Zone %s; a firewall has one per zone (§14.1)", name, az)
			}
			zones[az] = true
			if m.Endpoint == "" {
				v.ps.Warnf(m.Src, "firewall %s: the mapping of subnet %s has no endpoint yet; no route can reach it", name, m.Subnet)
			}
		}
	}
	for _, p := range v.t.FirewallPolicies {
		name := label(p.Name, p.ARN)
		for _, r := range p.StatelessGroups {
			v.groupRef(p, name, r, groups, RuleGroupStateless)
		}
		for _, r := range p.StatefulGroups {
			v.groupRef(p, name, r, groups, RuleGroupStateful)
			if r.Override != "" && r.Override != OverrideDropToAlert {
				v.ps.Errorf(r.Src, "firewall policy %s: override %q is not DROP_TO_ALERT (§14.14)", name, r.Override)
			}
		}
		for _, a := range slices.Concat(p.StatelessDefaultActions, p.StatelessFragmentDefaultActions) {
			if !slices.Contains(statelessActions, a) && !strings.HasPrefix(a, "aws:") {
				continue // a custom action: metrics only (§14.6)
			}
			if !slices.Contains(statelessActions, a) {
				v.ps.Errorf(p.Src, "firewall policy %s: stateless default action %q is not one of %s (§14.7)", name, a, strings.Join(statelessActions, ", "))
			}
		}
		for _, a := range p.StatefulDefaultActions {
			switch {
			case !slices.Contains(statefulDefaultActions, a) && !strings.HasSuffix(a, "_to_server"):
				v.ps.Errorf(p.Src, "firewall policy %s: stateful default action %q is not one of %s (§14.10)", name, a, strings.Join(statefulDefaultActions, ", "))
			case p.RuleOrder != StrictOrder:
				v.ps.Errorf(p.Src, "firewall policy %s: stateful default actions need rule order STRICT_ORDER (§14.9)", name)
			case strings.Contains(a, "app_layer") || strings.HasSuffix(a, "_to_server"):
				v.ps.Warnf(p.Src, "firewall policy %s: %s is evaluated as %s: vpclab does not model its application-layer refinements (§14.15)", name, a, BaseDefaultAction(a))
			}
		}
		if o := p.RuleOrder; o != "" && o != DefaultActionOrder && o != StrictOrder {
			v.ps.Errorf(p.Src, "firewall policy %s: rule order %q is not DEFAULT_ACTION_ORDER or STRICT_ORDER (§14.9-10)", name, o)
		}
		if s := p.StreamExceptionPolicy; s != "" && s != "DROP" && s != "CONTINUE" && s != "REJECT" {
			v.ps.Errorf(p.Src, "firewall policy %s: stream exception policy %q is not DROP, CONTINUE or REJECT (§14.12)", name, s)
		}
		if t := p.TCPIdleTimeoutSeconds; t != 0 && (t < 60 || t > 6000) {
			v.ps.Errorf(p.Src, "firewall policy %s: TCP idle timeout %d s is outside 60-6000 (§14.12)", name, t)
		}
		for _, f := range p.Unsupported {
			v.ps.Warnf(p.Src, "firewall policy %s uses %s, which vpclab does not model: the firewall passes what it would decide (§14.17)", name, f)
		}
	}
	for _, g := range v.t.RuleGroups {
		v.ruleGroup(g)
	}
}

func (v *validator) groupRef(p *FirewallPolicy, name string, r RuleGroupRef, groups map[string]*RuleGroup, typ string) {
	g := groups[r.ARN]
	switch {
	case g == nil && IsManagedRuleGroup(r.ARN):
		v.ps.Warnf(r.Src, "firewall policy %s: %s is an AWS-managed threat-signature group, whose rules vpclab cannot know: it is assumed to pass (§14.17)", name, r.ARN)
	case g == nil:
		v.ps.Errorf(r.Src, "firewall policy %s: rule group %s is not in the topology", name, r.ARN)
	case g.Type != typ:
		v.ps.Errorf(r.Src, "firewall policy %s: rule group %s is %s, referenced as %s", name, label(g.Name, g.ARN), g.Type, typ)
	}
}

// IsManagedRuleGroup reports whether an ARN names an AWS-managed rule group (§14.17).
func IsManagedRuleGroup(arn string) bool { return strings.Contains(arn, ":aws-managed:") }

func (v *validator) ruleGroup(g *RuleGroup) {
	name := label(g.Name, g.ARN)
	if g.Type != RuleGroupStateless && g.Type != RuleGroupStateful {
		v.ps.Errorf(g.Src, "rule group %s: type %q is not STATELESS or STATEFUL", name, g.Type)
	}
	for _, f := range g.Unsupported {
		v.ps.Warnf(g.Src, "rule group %s uses %s, which vpclab does not model: the group is assumed to pass (§14.17)", name, f)
	}
	for _, vr := range slices.Sorted(maps.Keys(g.IPSetReferences)) {
		if pl := g.IPSetReferences[vr]; v.prefixList(pl) == nil {
			v.ps.Errorf(g.Src, "rule group %s: IP set reference %s names prefix list %s, which is not in the topology (§14.14)", name, vr, pl)
		}
	}
	for _, r := range g.StatelessRules {
		for _, a := range r.Actions {
			if strings.HasPrefix(a, "aws:") && !slices.Contains(statelessActions, a) {
				v.ps.Errorf(r.Src, "rule group %s: stateless rule priority %d: action %q is not one of %s (§14.6)", name, r.Priority, a, strings.Join(statelessActions, ", "))
			}
		}
	}
	for _, r := range g.StatefulRules {
		if !slices.Contains(statefulActions, strings.ToUpper(r.Action)) {
			v.ps.Errorf(r.Src, "rule group %s: stateful rule action %q is not PASS, DROP, ALERT or REJECT (§14.8)", name, r.Action)
		}
		if msg := CheckHeader(&r); msg != "" {
			v.ps.Errorf(r.Src, "rule group %s: stateful rule: %s (§14.8)", name, msg)
		}
	}
	if g.RulesString != "" {
		_, errs := ParseRulesString(g.RulesString)
		for _, e := range errs {
			src := g.Src
			if g.RulesLine > 0 {
				src.Line = g.RulesLine + e.Line - 1
			} else if src.Path != "" {
				src.Path += fmt.Sprintf(".RuleGroup.RulesSource.RulesString (rule line %d)", e.Line)
			}
			v.ps.Errorf(src, "rule group %s: Suricata rule on line %d: %s", name, e.Line, e.Msg)
		}
	}
	if d := g.Domains; d != nil {
		if d.GeneratedRulesType != "ALLOWLIST" && d.GeneratedRulesType != "DENYLIST" {
			v.ps.Errorf(g.Src, "rule group %s: domain list type %q is not ALLOWLIST or DENYLIST (§14.8)", name, d.GeneratedRulesType)
		}
		for _, t := range d.TargetTypes {
			if t != "HTTP_HOST" && t != "TLS_SNI" {
				v.ps.Errorf(g.Src, "rule group %s: domain list target type %q is not HTTP_HOST or TLS_SNI (§14.8)", name, t)
			}
		}
	}
}

// BaseDefaultAction is the stateful default action vpclab evaluates for a: the *_app_layer and
// *_to_server refinements count as their base action (§14.15).
func BaseDefaultAction(a string) string {
	a = strings.TrimSuffix(a, "_to_server")
	return strings.TrimSuffix(a, "_app_layer")
}
