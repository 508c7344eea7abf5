package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// RuleError is a Suricata rule that does not parse: the line of RulesString it is on
// (1-based) and what is wrong, naming the token.
type RuleError struct {
	Line int
	Msg  string
}

func (e RuleError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// SuricataProtocols are the header protocols vpclab reads (§14.16): the network ones and the
// application-layer ones, which match TCP (tls, http) or UDP (dns) flows.
var SuricataProtocols = []string{"ip", "tcp", "udp", "icmp", "icmpv6", "tls", "http", "http2", "dns", "ssh", "smtp", "ftp"}

// ParseRulesString parses Suricata text into stateful rules, one per non-empty,
// non-comment line (§14.16): `action proto src sport -> | <> dst dport (options)`. It
// collects every malformed rule rather than stopping at the first.
func ParseRulesString(text string) ([]StatefulRule, []RuleError) {
	var rules []StatefulRule
	var errs []RuleError
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseSuricataRule(line)
		if err != "" {
			errs = append(errs, RuleError{Line: i + 1, Msg: err})
			continue
		}
		r.Line = i + 1
		rules = append(rules, r)
	}
	return rules, errs
}

func parseSuricataRule(line string) (StatefulRule, string) {
	var r StatefulRule
	open := strings.IndexByte(line, '(')
	if open < 0 || !strings.HasSuffix(line, ")") {
		return r, fmt.Sprintf("%q: a rule is a header followed by options in parentheses", clip(line))
	}
	head := splitHeader(line[:open])
	if len(head) != 7 {
		return r, fmt.Sprintf("header %q has %d fields, want 7: action proto src sport -> dst dport", clip(strings.TrimSpace(line[:open])), len(head))
	}
	r.Action = strings.ToUpper(head[0])
	if !slices.Contains(statefulActions, r.Action) {
		return r, fmt.Sprintf("action %q is not pass, drop, alert or reject", head[0])
	}
	r.Protocol = strings.ToLower(head[1])
	if !slices.Contains(SuricataProtocols, r.Protocol) {
		return r, fmt.Sprintf("protocol %q is not one of %s", head[1], strings.Join(SuricataProtocols, ", "))
	}
	r.Source, r.SourcePort, r.Destination, r.DestinationPort = head[2], head[3], head[5], head[6]
	switch head[4] {
	case "->":
		r.Direction = "FORWARD"
	case "<>":
		r.Direction = "ANY"
	default:
		return r, fmt.Sprintf("direction %q is not -> or <>", head[4])
	}
	for _, f := range []string{r.Source, r.Destination} {
		if msg := checkAddrSpec(f); msg != "" {
			return r, msg
		}
	}
	for _, f := range []string{r.SourcePort, r.DestinationPort} {
		if msg := checkPortSpec(f); msg != "" {
			return r, msg
		}
	}
	opts, msg := parseOptions(line[open+1 : len(line)-1])
	if msg != "" {
		return r, msg
	}
	r.Options = opts
	return r, ""
}

// splitHeader splits on spaces outside brackets ([a, b] is one field).
func splitHeader(s string) []string {
	var out []string
	depth, start := 0, -1
	for i, c := range s {
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
		if (c == ' ' || c == '\t') && depth == 0 {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func checkAddrSpec(f string) string {
	for _, item := range specItems(f) {
		item = strings.TrimPrefix(item, "!")
		switch {
		case item == "", strings.EqualFold(item, "any"), strings.HasPrefix(item, "$"), strings.HasPrefix(item, "@"):
		case strings.HasPrefix(item, "[") && (!strings.HasSuffix(item, "]") || item == f):
			return fmt.Sprintf("address list %q has unbalanced brackets", item)
		case strings.HasPrefix(item, "["):
			if msg := checkAddrSpec(item); msg != "" {
				return msg
			}
		default:
			if _, ok := ParseCIDROrAddr(item); !ok {
				return fmt.Sprintf("address %q is not any, a variable, a CIDR or an address", item)
			}
		}
	}
	return ""
}

func checkPortSpec(f string) string {
	for _, item := range specItems(f) {
		item = strings.TrimPrefix(item, "!")
		switch {
		case strings.EqualFold(item, "any"), strings.HasPrefix(item, "$"):
		case strings.HasPrefix(item, "[") && (!strings.HasSuffix(item, "]") || item == f):
			return fmt.Sprintf("port list %q has unbalanced brackets", item)
		case strings.HasPrefix(item, "["):
			if msg := checkPortSpec(item); msg != "" {
				return msg
			}
		default:
			if _, _, ok := ParsePortItem(item); !ok {
				return fmt.Sprintf("port %q is not any, a variable, a port or a range lo:hi", item)
			}
		}
	}
	return ""
}

// specItems splits a header field into its items: "[a,b,!c]" → a, b, !c; nested lists stay
// whole. A single item is returned as is.
func specItems(f string) []string {
	neg := strings.HasPrefix(f, "!")
	g := strings.TrimPrefix(f, "!")
	if !strings.HasPrefix(g, "[") || !strings.HasSuffix(g, "]") {
		return []string{f}
	}
	if neg {
		return []string{f[1:]} // a negated list: checked as a list
	}
	g = g[1 : len(g)-1]
	var out []string
	depth, start := 0, 0
	for i, c := range g {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(g[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(g[start:]))
}

// SpecItems is specItems for the policy compiler.
func SpecItems(f string) []string { return specItems(f) }

// CheckHeader reports what is wrong with the address and port fields of a stateful rule
// (a 5-tuple rule from describe-rule-group, or a Suricata rule), or "".
func CheckHeader(r *StatefulRule) string {
	for _, f := range []string{r.Source, r.Destination} {
		if msg := checkAddrSpec(f); msg != "" {
			return msg
		}
	}
	for _, f := range []string{r.SourcePort, r.DestinationPort} {
		if msg := checkPortSpec(f); msg != "" {
			return msg
		}
	}
	return ""
}

// parseOptions reads `key:value; key; key:"quoted; value";`.
func parseOptions(s string) ([]RuleOption, string) {
	var out []RuleOption
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		// the option runs to the first ; outside quotes (a \ escapes the next character)
		end, inq := -1, false
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				inq = !inq
			case ';':
				if !inq {
					end = i
				}
			}
			if end >= 0 {
				break
			}
		}
		if end < 0 {
			if inq {
				return nil, fmt.Sprintf("option %q has an unterminated quoted string", clip(s))
			}
			return nil, fmt.Sprintf("option %q does not end with ;", clip(s))
		}
		opt := strings.TrimSpace(s[:end])
		s = s[end+1:]
		k, val, has := strings.Cut(opt, ":")
		k = strings.TrimSpace(k)
		if k == "" || strings.ContainsAny(k, " \"") {
			return nil, fmt.Sprintf("option %q has no keyword", clip(opt))
		}
		o := RuleOption{Keyword: k}
		if has {
			val = strings.TrimSpace(val)
			if strings.HasPrefix(val, "\"") {
				val = strings.TrimSuffix(strings.TrimPrefix(val, "\""), "\"")
				val = strings.NewReplacer(`\"`, `"`, `\;`, `;`, `\\`, `\`).Replace(val)
				o.Settings = []string{val}
			} else {
				for _, v := range strings.Split(val, ",") {
					o.Settings = append(o.Settings, strings.TrimSpace(v))
				}
			}
		}
		out = append(out, o)
	}
	return out, ""
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// ParseCIDROrAddr parses a CIDR ("10.0.0.0/8", masked) or an address (a host prefix).
func ParseCIDROrAddr(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// ParsePortItem parses a port ("443") or a range ("1024:65535", "1024:" to 65535).
func ParsePortItem(s string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(s, ":")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 0 || lo > 65535 {
		return 0, 0, false
	}
	if !isRange {
		return lo, lo, true
	}
	if b == "" {
		return lo, 65535, true
	}
	hi, err = strconv.Atoi(b)
	if err != nil || hi < lo || hi > 65535 {
		return 0, 0, false
	}
	return lo, hi, true
}
