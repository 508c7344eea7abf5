// Package nfw evaluates AWS Network Firewall policies (aws-vpc-semantics.md §14): it compiles
// a firewall policy and its rule groups into an evaluator with a stateless engine (§14.6-7)
// and a stateful, Suricata-compatible engine (§14.8-16), indexed by protocol and port so one
// packet against thousands of rules costs microseconds and allocates nothing.
//
// The package is pure: the engine owns the per-flow state (Flow values in its State), the
// clock and the packet path; nfw only decides. It imports model and packet only.
package nfw

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
)

// Decision is what the firewall does with a packet.
type Decision uint8

const (
	Pass   Decision = iota + 1 // forwarded
	Drop                       // silently dropped
	Reject                     // dropped, and a TCP RST goes back to the sender (§14.11)
)

func (d Decision) String() string {
	switch d {
	case Pass:
		return "pass"
	case Drop:
		return "drop"
	case Reject:
		return "reject"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Stage is the part of the policy that decided.
type Stage uint8

const (
	StageStateless       Stage = iota + 1 // a stateless rule or default action (§14.6-7)
	StageFragment                         // a non-UDP fragment (§14.7)
	StageStateful                         // a stateful rule (§14.9-10)
	StageDefault                          // a stateful default action, or none matched (§14.9-10)
	StageStreamException                  // a packet of a flow the engine never saw start (§14.12)
	StageFlow                             // the flow's earlier verdict (a pass or drop rule decided the flow)
)

// Detail codes Reachability Analyzer names for what it does not evaluate (§14.16).
const (
	DetailUnsupportedRuleOptions    = "FIREWALL_UNSUPPORTED_RULE_OPTIONS"
	DetailUnsupportedHigherPriority = "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES"
)

// defaultTCPIdle is FlowTimeouts.TcpIdleTimeoutSeconds when the policy does not say (§14.12).
const defaultTCPIdle = 350 * time.Second

// Stream exception policies (§14.12).
const (
	streamDrop = iota
	streamContinue
	streamReject
)

// Verdict is one packet's fate at the firewall and what decided it.
type Verdict struct {
	Decision Decision
	Stage    Stage
	// Rule is the rule that decided (nil for a default action or a stream exception);
	// Action the action as written (aws:drop, DROP, aws:drop_strict, ...).
	Rule   *Rule
	Action string
	// Unsupported: the deciding rule had options vpclab does not evaluate (header only);
	// SkippedHigher: a rule vpclab cannot evaluate came before the decision.
	Unsupported, SkippedHigher bool
	Alerts                     int // alert rules that matched on the way (logged only)
}

// Rule is a compiled rule, stateless or stateful, with how messages name it.
type Rule struct {
	Group    string // the rule group's name (or ARN)
	Name     string // "priority 10", "sid 5", "rule 3"
	Text     string // the rule as the console shows it
	Action   string
	stateful *sfRule
}

func (r *Rule) String() string { return r.Group + " " + r.Name + " (" + r.Text + ")" }

// Policy is a compiled firewall policy: immutable, safe for concurrent use.
type Policy struct {
	Name   string
	strict bool
	// stateless engine
	sl        index[slRule]
	slDefault []string
	slFrag    []string
	// stateful engine
	sf            index[sfRule]
	defDrop       string // aws:drop_strict | aws:drop_established | ""
	defAlert      bool
	streamPolicy  int
	TCPIdle       time.Duration
	skippedGroups bool // a group vpclab cannot evaluate (managed, unsupported) is referenced
	skipRank      int  // in strict order: the rank from which a decision comes after such a group
	homeNet       []netip.Prefix
	Unsupported   []string // features the policy uses that vpclab does not model (§14.17)
}

// Input is what Compile needs besides the policy: its rule groups by ARN, the prefix lists
// (IP set references, §14.14) and the firewall VPC's CIDR blocks (the default HOME_NET, §14.13).
type Input struct {
	Policy      *model.FirewallPolicy
	Groups      map[string]*model.RuleGroup
	PrefixLists map[model.PrefixListID]*model.PrefixList
	VPCCIDRs    []netip.Prefix
}

// Compile turns a policy into its evaluator. Errors are not expected (model.Validate has
// checked the input); what cannot be compiled is skipped and listed in Policy.Unsupported.
func Compile(in Input) *Policy {
	p := in.Policy
	pol := &Policy{Name: p.Name, strict: p.RuleOrder == model.StrictOrder, TCPIdle: defaultTCPIdle,
		slDefault: p.StatelessDefaultActions, slFrag: p.StatelessFragmentDefaultActions,
		Unsupported: slices.Clone(p.Unsupported)}
	if pol.Name == "" {
		pol.Name = p.ARN
	}
	if p.TCPIdleTimeoutSeconds > 0 {
		pol.TCPIdle = time.Duration(p.TCPIdleTimeoutSeconds) * time.Second
	}
	switch p.StreamExceptionPolicy {
	case "CONTINUE":
		pol.streamPolicy = streamContinue
	case "REJECT":
		pol.streamPolicy = streamReject
	}
	for _, a := range p.StatefulDefaultActions {
		switch b := model.BaseDefaultAction(a); b {
		case model.DropStrict, model.DropEstablished:
			pol.defDrop = b
		default:
			pol.defAlert = true
		}
	}
	// §14.13: HOME_NET is the policy's override, else the firewall VPC's CIDR blocks.
	pol.homeNet = p.HomeNet
	if len(pol.homeNet) == 0 {
		pol.homeNet = in.VPCCIDRs
	}
	c := &compiler{in: in, pol: pol}
	refs := slices.Clone(p.StatelessGroups)
	slices.SortStableFunc(refs, func(a, b model.RuleGroupRef) int { return a.Priority - b.Priority })
	var sl []*slRule
	for _, ref := range refs {
		g := in.Groups[ref.ARN]
		if g == nil || len(g.Unsupported) > 0 {
			continue
		}
		rules := slices.Clone(g.StatelessRules)
		slices.SortStableFunc(rules, func(a, b model.StatelessRule) int { return a.Priority - b.Priority })
		for i := range rules {
			sl = append(sl, c.stateless(g, &rules[i]))
		}
	}
	pol.sl = buildIndex(sl, slKeys)
	refs = slices.Clone(p.StatefulGroups)
	slices.SortStableFunc(refs, func(a, b model.RuleGroupRef) int { return a.Priority - b.Priority })
	var sf []*sfRule
	for gi, ref := range refs {
		g := in.Groups[ref.ARN]
		if g == nil || len(g.Unsupported) > 0 {
			// §14.17: a group vpclab cannot see into is assumed to pass; a decision after it
			// may not be AWS's (FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES).
			if !pol.skippedGroups {
				pol.skippedGroups, pol.skipRank = true, len(sf)
			}
			continue
		}
		for _, r := range c.stateful(g, ref) {
			r.group = gi
			sf = append(sf, r)
		}
	}
	if !pol.strict {
		// §14.9: by action class (pass, drop, reject, alert), then Suricata priority; the
		// order of the groups and of the rules keeps ties deterministic.
		slices.SortStableFunc(sf, func(a, b *sfRule) int {
			if a.class != b.class {
				return int(a.class) - int(b.class)
			}
			return a.priority - b.priority
		})
		pol.skipRank = 0
	}
	pol.sf = buildIndex(sf, sfKeys)
	return pol
}

type compiler struct {
	in  Input
	pol *Policy
}

func groupName(g *model.RuleGroup) string {
	if g.Name != "" {
		return g.Name
	}
	return g.ARN
}

// ipVar resolves a variable ($HOME_NET, an IP set, a reference set) for group g.
func (c *compiler) ipVar(g *model.RuleGroup, name string) ([]netip.Prefix, bool) {
	if defs, ok := g.IPSets[name]; ok {
		var out []netip.Prefix
		for _, d := range defs {
			if p, ok := model.ParseCIDROrAddr(d); ok {
				out = append(out, p)
			}
		}
		return out, true
	}
	if pl, ok := g.IPSetReferences[name]; ok {
		if l := c.in.PrefixLists[pl]; l != nil {
			return l.CIDRs, true
		}
		return nil, true
	}
	if name == "HOME_NET" {
		return c.pol.homeNet, true
	}
	return nil, false
}

// addrSet is an address match: any of pos (or everything when none), none of neg.
type addrSet struct {
	any      bool
	pos, neg []netip.Prefix
}

func (s *addrSet) has(a netip.Addr) bool {
	if s.any {
		return true
	}
	in := len(s.pos) == 0
	for _, p := range s.pos {
		if p.Contains(a) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range s.neg {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// addr compiles a Suricata address field ("any", CIDR, $VAR, [list], !x).
func (c *compiler) addr(g *model.RuleGroup, f string) addrSet {
	var s addrSet
	c.addrInto(g, f, false, &s)
	s.any = len(s.pos) == 0 && len(s.neg) == 0
	return s
}

func (c *compiler) addrInto(g *model.RuleGroup, f string, neg bool, s *addrSet) {
	for _, item := range model.SpecItems(f) {
		n := neg
		for strings.HasPrefix(item, "!") {
			item, n = item[1:], !n
		}
		var ps []netip.Prefix
		switch {
		case strings.EqualFold(item, "any") || item == "":
			if n { // !any: nothing
				s.pos = append(s.pos, netip.Prefix{})
			}
			continue
		case strings.HasPrefix(item, "["):
			if item != f { // a malformed list (validation reports it) matches nothing
				c.addrInto(g, item, n, s)
			} else {
				s.pos = append(s.pos, netip.Prefix{})
			}
			continue
		case strings.EqualFold(item, "$EXTERNAL_NET"):
			if _, ok := g.IPSets["EXTERNAL_NET"]; !ok {
				ps, _ = c.ipVar(g, "HOME_NET")
				n = !n
				break
			}
			ps, _ = c.ipVar(g, "EXTERNAL_NET")
		case strings.HasPrefix(item, "$") || strings.HasPrefix(item, "@"):
			ps, _ = c.ipVar(g, item[1:])
		default:
			p, _ := model.ParseCIDROrAddr(item)
			ps = []netip.Prefix{p}
		}
		if n {
			s.neg = append(s.neg, ps...)
		} else {
			if len(ps) == 0 {
				ps = []netip.Prefix{{}} // an empty set matches nothing (an invalid prefix contains nothing)
			}
			s.pos = append(s.pos, ps...)
		}
	}
}

// ports compiles a port field to sorted, merged inclusive ranges.
func (c *compiler) ports(g *model.RuleGroup, f string) []prange {
	var pos, neg []prange
	c.portsInto(g, f, false, &pos, &neg)
	if len(pos) == 0 {
		pos = []prange{{0, 65535}}
	}
	return subtract(merge(pos), merge(neg))
}

func (c *compiler) portsInto(g *model.RuleGroup, f string, neg bool, pos, negs *[]prange) {
	for _, item := range model.SpecItems(f) {
		n := neg
		for strings.HasPrefix(item, "!") {
			item, n = item[1:], !n
		}
		var rs []prange
		switch {
		case strings.EqualFold(item, "any") || item == "":
			rs = []prange{{0, 65535}}
		case strings.HasPrefix(item, "["):
			if item != f {
				c.portsInto(g, item, n, pos, negs)
			}
			continue
		case strings.HasPrefix(item, "$"):
			for _, d := range g.PortSets[item[1:]] {
				for _, x := range model.SpecItems(d) {
					if lo, hi, ok := model.ParsePortItem(x); ok {
						rs = append(rs, prange{uint16(lo), uint16(hi)})
					}
				}
			}
		default:
			if lo, hi, ok := model.ParsePortItem(item); ok {
				rs = []prange{{uint16(lo), uint16(hi)}}
			}
		}
		if n {
			*negs = append(*negs, rs...)
		} else {
			*pos = append(*pos, rs...)
		}
	}
}

type prange struct{ lo, hi uint16 }

func merge(rs []prange) []prange {
	slices.SortFunc(rs, func(a, b prange) int { return int(a.lo) - int(b.lo) })
	var out []prange
	for _, r := range rs {
		if n := len(out); n > 0 && int(r.lo) <= int(out[n-1].hi)+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func subtract(pos, neg []prange) []prange {
	out := pos
	for _, n := range neg {
		var next []prange
		for _, p := range out {
			if n.hi < p.lo || n.lo > p.hi {
				next = append(next, p)
				continue
			}
			if n.lo > p.lo {
				next = append(next, prange{p.lo, n.lo - 1})
			}
			if n.hi < p.hi {
				next = append(next, prange{n.hi + 1, p.hi})
			}
		}
		out = next
	}
	return out
}

func inRanges(rs []prange, port uint16) bool {
	for _, r := range rs {
		if port >= r.lo && port <= r.hi {
			return true
		}
	}
	return false
}

func rangesText(rs []prange) string {
	if len(rs) == 1 && rs[0] == (prange{0, 65535}) {
		return "any"
	}
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		if r.lo == r.hi {
			fmt.Fprintf(&b, "%d", r.lo)
		} else {
			fmt.Fprintf(&b, "%d:%d", r.lo, r.hi)
		}
	}
	return b.String()
}
