package lab

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// Values: CIDRs, addresses, numbers, booleans, protocols and port ranges. Each parser reports
// a bad value naming it, at its line, and returns ok=false; an absent value is not a problem.

// cidr reads an IPv4/IPv6 prefix. Host bits are refused, as AWS refuses them.
func (l *loader) cidr(n *yaml.Node, what string) (netip.Prefix, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return netip.Prefix{}, false
	}
	p, err := parseCIDR(s)
	if err != "" {
		l.errorf(n.Line, "%s: bad CIDR %q: %s", what, s, err)
		return netip.Prefix{}, false
	}
	return p, true
}

func parseCIDR(s string) (netip.Prefix, string) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if a, aerr := netip.ParseAddr(s); aerr == nil {
			return netip.Prefix{}, fmt.Sprintf("a single address is written %s/%d", a, a.BitLen())
		}
		return netip.Prefix{}, "want an address block such as 10.0.0.0/16"
	}
	if p.Addr().Zone() != "" {
		return netip.Prefix{}, "zones are not allowed"
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Sprintf("host bits are set; did you mean %s?", p.Masked())
	}
	return p, ""
}

// cidrs reads `cidr: X` or `cidrs: [X, ...]` (one of them) from f.
func (l *loader) cidrs(f *fields) []netip.Prefix {
	if f.has("cidr") && f.has("cidrs") {
		l.errorf(f.keyLine("cidrs"), "%s: write cidr or cidrs, not both", f.what)
	}
	var out []netip.Prefix
	for _, k := range []string{"cidr", "cidrs"} {
		for _, n := range l.list(f.get(k), f.what+": "+k) {
			if p, ok := l.cidr(n, f.what); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// addr reads an IP address.
func (l *loader) addr(n *yaml.Node, what string) (netip.Addr, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		hint := "want an address such as 10.0.0.11"
		if _, perr := netip.ParsePrefix(s); perr == nil {
			hint = "want a single address, without a /length"
		}
		l.errorf(n.Line, "%s: bad IP address %q: %s", what, s, hint)
		return netip.Addr{}, false
	}
	return a, true
}

// integer reads a whole number in [lo, hi].
func (l *loader) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		l.errorf(n.Line, "%s: bad number %q: want a whole number from %d to %d", what, s, lo, hi)
		return 0, false
	}
	return v, true
}

// boolean reads true or false.
func (l *loader) boolean(n *yaml.Node, what string) (v, ok bool) {
	s, ok := l.str(n, what)
	if !ok {
		return false, false
	}
	switch s {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	l.errorf(n.Line, "%s: bad value %q: want true or false", what, s)
	return false, false
}

// oneOf reads a value that must be one of the choices. A bad value is reported; the choice it
// is probably a typo of (or "") is returned with ok=false, so the load can go on as if the
// user had written that and not report the typo's consequences as well.
func (l *loader) oneOf(n *yaml.Node, what string, choices ...string) (string, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return "", false
	}
	if !contains(choices, s) {
		l.errorf(n.Line, "%s: bad value %q%s (want %s)", what, s, suggest(s, choices), strings.Join(choices, ", "))
		return closest(s, choices), false
	}
	return s, true
}

// protocolNames are the names a rule's protocol may be written as (or a number 0-255, or -1).
var protocolNames = map[string]int{
	"all": model.ProtocolAll, "tcp": model.ProtocolTCP, "udp": model.ProtocolUDP,
	"icmp": model.ProtocolICMP, "icmpv6": 58,
}

// protocol reads all | tcp | udp | icmp | icmpv6 | -1 | 0-255 (§4.1.4).
func (l *loader) protocol(n *yaml.Node, what string) (int, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	if p, ok := protocolNames[strings.ToLower(s)]; ok {
		return p, true
	}
	if v, err := strconv.Atoi(s); err == nil && v >= -1 && v <= 255 {
		return v, true
	}
	l.errorf(n.Line, "%s: bad protocol %q%s (want all, tcp, udp, icmp, icmpv6 or a number 0-255)",
		what, s, suggest(s, []string{"all", "tcp", "udp", "icmp", "icmpv6"}))
	return 0, false
}

// portRange reads a rule's `port: N` or `ports: A-B` (or `ports: N`).
func (l *loader) portRange(f *fields) (from, to int, given, ok bool) {
	if f.has("port") && f.has("ports") {
		l.errorf(f.keyLine("ports"), "%s: write port or ports, not both", f.what)
		return 0, 0, true, false
	}
	n := f.get("port")
	if n == nil {
		n = f.get("ports")
	}
	s, present := l.str(n, f.what+": ports")
	if !present {
		return 0, 65535, false, true
	}
	lo, hi := s, s
	if i := strings.Index(s, "-"); i > 0 {
		lo, hi = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	switch {
	case err1 != nil || err2 != nil:
		l.errorf(n.Line, "%s: bad port %q: want a port such as 443 or a range such as 1024-65535", f.what, s)
	case a < 0 || a > 65535 || b < 0 || b > 65535:
		l.errorf(n.Line, "%s: bad port %q: ports are 0-65535", f.what, s)
	case a > b:
		l.errorf(n.Line, "%s: bad port range %q: %d is above %d; write %d-%d", f.what, s, a, b, b, a)
	default:
		return a, b, true, true
	}
	return 0, 0, true, false
}

// toggle reads an AWS option: true/false, or enable/disable as the API writes it.
func (l *loader) toggle(n *yaml.Node, what string) (v, ok bool) {
	s, ok := l.str(n, what)
	if !ok {
		return false, false
	}
	switch s {
	case "enable", "enabled":
		return true, true
	case "disable", "disabled":
		return false, true
	}
	return l.boolean(n, what)
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// regionName reads a region such as us-east-1.
func (l *loader) regionName(n *yaml.Node, what string) (string, bool) {
	s, ok := l.str(n, what)
	if ok && !regionRE.MatchString(s) {
		l.errorf(n.Line, "%s: bad region %q: want a region such as us-east-1", what, s)
		return "", false
	}
	return s, ok
}

// accountID reads a 12-digit AWS account ID (quote it if it starts with 0).
func (l *loader) accountID(n *yaml.Node, what string) (string, bool) {
	s, ok := l.str(n, what)
	if ok && !accountRE.MatchString(s) {
		l.errorf(n.Line, "%s: bad account %q: want the 12 digits of an AWS account ID", what, s)
		return "", false
	}
	return s, ok
}

// placeOf is the region and account an object says (`region:`, `account:`), or the lab's.
func (l *loader) placeOf(f *fields) (region, account string) {
	region, account = l.region, l.account
	if s, ok := l.regionName(f.get("region"), f.what+": region"); ok {
		region = s
	}
	if s, ok := l.accountID(f.get("account"), f.what+": account"); ok {
		account = s
	}
	return region, account
}
