package tools

import (
	"io"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// The example lab of a Network Firewall (§14, §15 D1), end to end from the YAML: the
// commands of its README and their outcomes.
func TestNetworkFirewallExampleLab_14(t *testing.T) {
	topo, s := exampleLab(t, "network-firewall")
	web, x, webPublic := mustResolve(t, s, "web"), mustResolve(t, s, "x"), mustResolve(t, s, "198.51.100.10")
	ep := string(topo.Firewalls[0].SubnetMappings[0].Endpoint)
	cases := []struct {
		name      string
		from, to  Endpoint
		o         TraceOptions
		found     bool
		code, say string
	}{
		{"allowlisted SNI", web, x, TraceOptions{Port: 443, SNI: "www.example.com"}, true, "", "allowlist tls"},
		{"other SNI", web, x, TraceOptions{Port: 443, SNI: "evil.test"}, false, engine.CodeFirewallRules, "TLS ClientHello (SNI evil.test)"},
		{"allowlisted Host", web, x, TraceOptions{Port: 443, HTTPHost: "shop.example.com"}, true, "", "allowlist http"},
		{"SMTP rejected", web, x, TraceOptions{Port: 25}, false, engine.CodeFirewallRules, "sid 1: REJECT"},
		{"telnet dropped", web, x, TraceOptions{Port: 23}, false, engine.CodeFirewallRules, "sid 2: DROP"},
		{"HTTPS in", x, webPublic, TraceOptions{Port: 443}, true, "", "sid 3: PASS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.Protocol = packet.ProtoTCP
			tr := s.Trace(c.from, c.to, c.o)
			f := tr.Forward
			if tr.Found != c.found || f.Code != c.code {
				t.Fatalf("found %v code %q at %s (%s), want found %v code %q", tr.Found, f.Code, f.At, f.Detail, c.found, c.code)
			}
			note := f.Detail
			for _, h := range f.Hops {
				if h.Component.ID == ep && note == "" {
					note = h.Note
				}
			}
			if !strings.Contains(note, c.say) {
				t.Errorf("firewall says %q, want %q", note, c.say)
			}
			if c.code == "" {
				wantThrough(t, tr.Return, ep)
			}
		})
	}
	// §14.10: ping's first echo passes; once x has answered, the flow is established and
	// aws:drop_established drops the next.
	if got := s.Ping(io.Discard, web, x, PingOptions{Count: 2}); got.Received != 1 {
		t.Errorf("ping web to x: %+v, want 1 of 2 received", got)
	}
}

// The central inspection example (§15 D2, examples/central-inspection): spoke to spoke is
// inspected and delivered, telnet between spokes is dropped by sid 1, egress leaves through
// the inspection VPC's NAT gateway, and the denylist drops www.bad.test because HOME_NET
// names the spokes (NFW-10). Both directions of each flow meet one endpoint.
func TestCentralInspectionExampleLab_D2(t *testing.T) {
	_, s := exampleLab(t, "central-inspection")
	app, db, web := mustResolve(t, s, "app"), mustResolve(t, s, "db"), mustResolve(t, s, "web")
	tr := s.Trace(app, db, TraceOptions{Protocol: packet.ProtoTCP, Port: 22})
	if tr.Forward.Outcome != engine.Delivered || tr.Return == nil || tr.Return.Outcome != engine.Delivered {
		t.Fatalf("app -> db:22 not delivered both ways:\n%v", tr.Forward.Code)
	}
	var there, back string
	for _, h := range tr.Forward.Hops {
		if h.Component.Kind == engine.KindNetworkFirewall {
			there = h.Component.ID
		}
	}
	for _, h := range tr.Return.Hops {
		if h.Component.Kind == engine.KindNetworkFirewall {
			back = h.Component.ID
		}
	}
	if there == "" || there != back {
		t.Errorf("endpoints: %q there, %q back; want one endpoint both ways", there, back)
	}
	if tr := s.Trace(app, db, TraceOptions{Protocol: packet.ProtoTCP, Port: 23}); tr.Forward.Code != engine.CodeFirewallRules ||
		!strings.Contains(tr.Forward.Detail, "sid 1") {
		t.Errorf("app -> db:23: %s %s, want FIREWALL_RULES_RESTRICTION by sid 1", tr.Forward.Code, tr.Forward.Detail)
	}
	if tr := s.Trace(app, web, TraceOptions{Protocol: packet.ProtoTCP, Port: 443}); tr.Forward.Outcome != engine.Exited ||
		tr.Forward.Packet.Src.String() != "3.3.3.3" && tr.Forward.Packet.Src.String() != "3.3.3.4" {
		t.Errorf("app -> web:443: %v from %s, want out through a NAT gateway", tr.Forward.Outcome, tr.Forward.Packet.Src)
	}
	if tr := s.Trace(app, web, TraceOptions{Protocol: packet.ProtoTCP, Port: 443, SNI: "www.bad.test"}); tr.Forward.Code != engine.CodeFirewallRules {
		t.Errorf("app -> web:443 with SNI www.bad.test: %s, want FIREWALL_RULES_RESTRICTION", tr.Forward.Code)
	}
}
