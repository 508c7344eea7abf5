package nfw

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

var vpc = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}

func syn(src, dst string, sport, dport uint16) *packet.Packet {
	return &packet.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: packet.ProtoTCP,
		SrcPort: sport, DstPort: dport, TCPFlags: packet.TCPSyn, TTL: 64}
}

func policy(order string, groups ...*model.RuleGroup) *Policy {
	p := &model.FirewallPolicy{ARN: "pol", StatelessDefaultActions: []string{model.ActionForwardToSFE}, RuleOrder: order}
	in := Input{Policy: p, Groups: map[string]*model.RuleGroup{}, VPCCIDRs: vpc}
	for i, g := range groups {
		in.Groups[g.ARN] = g
		ref := model.RuleGroupRef{ARN: g.ARN, Priority: i + 1}
		if g.Type == model.RuleGroupStateless {
			p.StatelessGroups = append(p.StatelessGroups, ref)
		} else {
			p.StatefulGroups = append(p.StatefulGroups, ref)
		}
	}
	return Compile(in)
}

func text(name, rules string) *model.RuleGroup {
	return &model.RuleGroup{ARN: name, Name: name, Type: model.RuleGroupStateful, RulesString: rules,
		IPSets: map[string][]string{"DB": {"10.0.5.0/24", "10.0.6.0/24"}}, PortSets: map[string][]string{"WEB": {"80", "443", "8000:8999"}}}
}

// decide runs a fresh flow's first packet through the stateful engine.
func decide(pol *Policy, p *packet.Packet) Verdict {
	f := NewFlow(p, time.Time{})
	return pol.Stateful(&f, p, p.App)
}

func TestSuricataHeaders_14_16(t *testing.T) {
	pol := policy(model.StrictOrder, text("g", `
# comments and blank lines are skipped
drop tcp !$HOME_NET any -> $DB [!22,1:1023] (msg:"no low ports from outside"; sid:1;)
pass tcp any any -> $DB $WEB (sid:2;)
drop tcp [10.0.1.0/24,!10.0.1.7] any -> any 9000 (sid:3;)
alert udp any any <> 192.0.2.0/24 53 (sid:4;)
reject tcp $EXTERNAL_NET any -> $HOME_NET any (sid:5;)
`))
	cases := []struct {
		p    *packet.Packet
		want string
	}{
		{syn("198.51.100.1", "10.0.5.9", 1000, 80), "drop sid 1"},   // from outside, low port
		{syn("198.51.100.1", "10.0.5.9", 1000, 22), "reject sid 5"}, // 22 is negated in sid 1
		{syn("10.0.2.1", "10.0.6.9", 1000, 8080), "pass sid 2"},     // port set range
		{syn("10.0.1.5", "8.8.8.8", 1000, 9000), "drop sid 3"},
		{syn("10.0.1.7", "8.8.8.8", 1000, 9000), "pass "}, // negated in the list: no rule
		{syn("10.0.2.1", "10.0.7.9", 1000, 5432), "pass "},
	}
	for _, c := range cases {
		v := decide(pol, c.p)
		got := v.Decision.String() + " "
		if v.Rule != nil {
			got += v.Rule.Name
		}
		if got != c.want {
			t.Errorf("%v: %q, want %q", c.p, got, c.want)
		}
	}
	// <> matches the reverse tuple too: a DNS answer from 192.0.2.1:53 alerts (no decision).
	u := &packet.Packet{Src: netip.MustParseAddr("10.0.1.1"), Dst: netip.MustParseAddr("192.0.2.1"), Proto: packet.ProtoUDP, SrcPort: 5000, DstPort: 53}
	if v := decide(pol, u); v.Alerts != 1 || v.Decision != Pass {
		t.Errorf("udp to 53: %+v, want one alert and pass", v)
	}
}

func TestSuricataParseErrors(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{`drop tcp any any -> any 23`, "header followed by options in parentheses"},
		{`block tcp any any -> any 23 (sid:1;)`, `action "block"`},
		{`drop tcpx any any -> any 23 (sid:1;)`, `protocol "tcpx"`},
		{`drop tcp any any => any 23 (sid:1;)`, `direction "=>"`},
		{`drop tcp 10.0.0.300 any -> any 23 (sid:1;)`, `address "10.0.0.300"`},
		{`drop tcp any any -> any 70000 (sid:1;)`, `port "70000"`},
		{`drop tcp any any -> any 23 (msg:"unterminated; sid:1;)`, "unterminated quoted string"},
		{`drop tcp any any -> any 23 (sid:1)`, "does not end with ;"},
	} {
		_, errs := model.ParseRulesString("pass ip any any -> any any (sid:9;)\n" + c.rule)
		if len(errs) != 1 || errs[0].Line != 2 || !contains(errs[0].Msg, c.want) {
			t.Errorf("%s: errors %v, want one on line 2 saying %q", c.rule, errs, c.want)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

func TestStatelessTCPFlags_14_6(t *testing.T) {
	g := &model.RuleGroup{ARN: "sl", Name: "sl", Type: model.RuleGroupStateless, StatelessRules: []model.StatelessRule{
		{Priority: 20, Protocols: []int{6}, Actions: []string{model.ActionPass}},
		{Priority: 10, Protocols: []int{6}, TCPFlags: []model.TCPFlagMatch{{Flags: []string{"SYN"}, Masks: []string{"SYN", "ACK"}}}, Actions: []string{model.ActionDrop}},
	}}
	pol := policy("", g)
	p := syn("10.0.0.1", "8.8.8.8", 1000, 443)
	if v := pol.Stateless(p); v.Decision != Drop || v.Rule.Name != "priority 10" {
		t.Errorf("SYN: %+v, want the priority 10 drop", v)
	}
	p.TCPFlags = packet.TCPSyn | packet.TCPAck
	if v := pol.Stateless(p); v.Decision != Pass || v.Rule.Name != "priority 20" {
		t.Errorf("SYN-ACK: %+v, want the priority 20 pass", v)
	}
	p.Proto = packet.ProtoUDP
	if v := pol.Stateless(p); v.Decision != 0 || v.Action != model.ActionForwardToSFE {
		t.Errorf("UDP: %+v, want the default forward_to_sfe", v)
	}
}

// TestStatelessIndexMatchesLinearScan: the indexed stateless engine decides as an obviously
// correct scan of the rules in priority order, on random rules and packets (fixed seed).
func TestStatelessIndexMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := &model.RuleGroup{ARN: "sl", Name: "sl", Type: model.RuleGroupStateless}
	for i := range 300 {
		r := model.StatelessRule{Priority: i + 1, Actions: []string{[]string{model.ActionPass, model.ActionDrop, model.ActionForwardToSFE}[rng.IntN(3)]}}
		if rng.IntN(2) == 0 {
			r.Protocols = []int{[]int{1, 6, 17, 47}[rng.IntN(4)]}
		}
		if rng.IntN(3) > 0 {
			lo := rng.IntN(2000)
			r.DestinationPorts = []model.PortRange{{From: lo, To: lo + rng.IntN(50)}}
		}
		if rng.IntN(4) == 0 {
			r.Sources = []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", rng.IntN(4)))}
		}
		g.StatelessRules = append(g.StatelessRules, r)
	}
	pol := policy("", g)
	for range 20000 {
		p := syn(fmt.Sprintf("10.%d.0.1", rng.IntN(5)), "8.8.8.8", uint16(rng.IntN(3000)), uint16(rng.IntN(2100)))
		p.Proto = []uint8{1, 6, 17, 47}[rng.IntN(4)]
		v := pol.Stateless(p)
		var want *slRule
		for _, r := range pol.sl.rules {
			if r.match(p) {
				want = r
				break
			}
		}
		if (want == nil) != (v.Rule == nil) || want != nil && &want.Rule != v.Rule {
			t.Fatalf("%v: index chose %+v, scan %+v", p, v.Rule, want)
		}
	}
}

func TestDomainLists_14_8(t *testing.T) {
	allow := &model.RuleGroup{ARN: "d", Name: "d", Type: model.RuleGroupStateful,
		Domains: &model.DomainList{Targets: []string{".example.com", "exact.test"}, TargetTypes: []string{"TLS_SNI"}, GeneratedRulesType: "ALLOWLIST"}}
	pol := policy("", allow)
	for _, c := range []struct {
		sni  string
		from string
		want Decision
	}{
		{"example.com", "10.0.0.1", Pass}, {"a.b.example.com", "10.0.0.1", Pass}, {"EXACT.test", "10.0.0.1", Pass},
		{"sub.exact.test", "10.0.0.1", Drop}, {"badexample.com", "10.0.0.1", Drop},
		{"evil.test", "192.0.2.1", Pass}, // not from $HOME_NET (§14.13)
	} {
		p := syn(c.from, "8.8.8.8", 1000, 443)
		f := NewFlow(p, time.Time{})
		f.ServerSpoke, f.Handshake = true, true
		p.TCPFlags = packet.TCPAck | packet.TCPPsh
		if v := pol.Stateful(&f, p, &packet.App{SNI: c.sni}); v.Decision != c.want {
			t.Errorf("SNI %s from %s: %v, want %v", c.sni, c.from, v.Decision, c.want)
		}
	}
}

func TestAppLayerExtraction(t *testing.T) {
	if h := HTTPHost([]byte("GET / HTTP/1.1\r\nUser-Agent: x\r\nhost: shop.example.com:8080\r\n\r\n")); h != "shop.example.com:8080" {
		t.Errorf("Host = %q", h)
	}
	if h := HTTPHost([]byte("\x16\x03\x01garbage")); h != "" {
		t.Errorf("Host of TLS bytes = %q", h)
	}
	if s := ClientHelloSNI([]byte("GET / HTTP/1.1\r\n")); s != "" {
		t.Errorf("SNI of HTTP = %q", s)
	}
	for n := range 60 { // truncated ClientHellos never panic
		ClientHelloSNI(make([]byte, n))
	}
}

func TestSpans(t *testing.T) {
	pol := policy("", text("g", "drop tcp any any -> any [22,8000:8999] (sid:1;)\npass udp any any -> 10.9.0.0/16 53 (sid:2;)"))
	got := pol.Spans(nil, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("8.8.8.8"))
	want := []Span{{Protocol: 6, Ports: [2]int{22, 22}}, {Protocol: 6, Ports: [2]int{8000, 8999}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans %v, want %v", got, want)
	}
}

// TestSpansMergeRulesThatDecideAlike: consecutive header-only rules of one action on
// adjacent ports give one span; a rule with a content condition, another action or a gap in
// the ports keeps its own edges.
func TestSpansMergeRulesThatDecideAlike(t *testing.T) {
	pol := policy("", text("g", `drop tcp any any -> any 1000 (sid:1;)
drop tcp any any -> any 1001 (sid:2;)
drop tcp any any -> any 1002 (sid:3; flow:established;)
drop tcp any any -> any 1003 (sid:4;)
drop tcp any any -> any 1004 (sid:5;)
pass tcp any any -> any 1005 (sid:6;)
drop tcp any any -> any 1007 (sid:7;)
drop udp any any -> any 1008 (sid:8;)`))
	got := pol.Spans(nil, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("8.8.8.8"))
	want := "[{6 [1005 1005]} {6 [1000 1001]} {6 [1002 1002]} {6 [1003 1004]} {6 [1007 1007]} {17 [1008 1008]}]" // pass first: default action order (§14.9)
	if fmt.Sprint(got) != want {
		t.Errorf("spans %v, want %s", got, want)
	}
}

func FuzzParseRulesString(f *testing.F) {
	f.Add(`drop tcp [10.0.0.0/8,!10.1.0.0/16] any -> $HOME_NET [80,443] (msg:"x\;y"; sid:1; flow:established,to_server;)`)
	f.Add(`pass tls any any <> any any (tls.sni; content:"a"; nocase; endswith;)`)
	f.Fuzz(func(t *testing.T, s string) {
		rules, _ := model.ParseRulesString(s)
		g := &model.RuleGroup{ARN: "g", Type: model.RuleGroupStateful, RulesString: s}
		pol := policy("", g)
		for range rules {
			decide(pol, syn("10.0.0.1", "10.0.0.2", 1, 2))
		}
	})
}

// BenchmarkPolicy is one new flow's first packet against 1,000 stateless rules (TCP to ports
// 1000-1998, then 443 forwarded) and 1,000 stateful rules (drops of 2000-2998, then a pass
// of 443) plus 100 wildcard-port alert rules: both engines, no allocation.
func BenchmarkPolicy(b *testing.B) {
	sl := &model.RuleGroup{ARN: "sl", Name: "sl", Type: model.RuleGroupStateless}
	for i := range 1000 {
		port, action := 1000+i, model.ActionDrop
		if i == 999 {
			port, action = 443, model.ActionForwardToSFE
		}
		sl.StatelessRules = append(sl.StatelessRules, model.StatelessRule{Priority: i + 1, Protocols: []int{6},
			DestinationPorts: []model.PortRange{{From: port, To: port}}, Actions: []string{action}})
	}
	var rules []byte
	for i := range 999 {
		rules = fmt.Appendf(rules, "drop tcp $HOME_NET any -> any %d (sid:%d;)\n", 2000+i, i+1)
	}
	for i := range 100 {
		rules = fmt.Appendf(rules, "alert tcp 192.0.2.%d any -> any any (sid:%d;)\n", i, 2000+i)
	}
	rules = append(rules, "pass tcp $HOME_NET any -> any 443 (sid:1000;)\n"...)
	pol := policy("", sl, text("sf", string(rules)))
	p := syn("10.0.1.10", "8.8.8.8", 40000, 443)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if v := pol.Stateless(p); v.Decision != 0 {
			b.Fatal(v)
		}
		f := NewFlow(p, time.Time{})
		if v := pol.Stateful(&f, p, nil); v.Decision != Pass || v.Rule == nil {
			b.Fatal(v)
		}
	}
}
