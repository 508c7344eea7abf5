package analyze

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

// bigFirewallLab is examples/network-firewall's design (§15 D1, one zone) with a policy of
// 1,000 stateless rules (TCP to ports 1000-1998 dropped one port each, then TCP 443 to the
// stateful engine) and 1,000 stateful rules (drops of TCP 2000-2998, then a pass of 443).
func bigFirewallLab(tb testing.TB) *engine.Network {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`vpc: {name: shop, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  app: {cidr: 10.0.1.0/24, route_table: app}
  fw: {cidr: 10.0.100.0/28, route_table: fw}
route_tables:
  app: {routes: {0.0.0.0/0: "firewall:fw"}}
  fw: {routes: {0.0.0.0/0: igw}}
  edge: {gateways: [igw], routes: {10.0.1.0/24: "firewall:fw"}}
security_groups:
  web: {ingress: [{protocol: all, cidr: 0.0.0.0/0}]}
instances:
  web: {subnet: app, private_ip: 10.0.1.10, public_ip: 198.51.100.10, security_groups: [web]}
internet_hosts:
  x: 203.0.113.7
firewalls:
  fw: {subnets: [fw], policy: big}
firewall_policies:
  big:
    stateless_rule_groups: [{group: sl, priority: 1}]
    stateless_default_actions: [aws:forward_to_sfe]
    stateless_fragment_default_actions: [aws:forward_to_sfe]
    stateful_rule_groups: [{group: sf, priority: 1}]
rule_groups:
  sl:
    type: stateless
    stateless_rules:
`)
	for i := range 999 {
		fmt.Fprintf(&b, "      - {priority: %d, protocols: [6], destination_ports: [\"%d\"], actions: [aws:drop]}\n", i+1, 1000+i)
	}
	b.WriteString("      - {priority: 1000, protocols: [6], destination_ports: [\"443\"], actions: [aws:forward_to_sfe]}\n")
	b.WriteString("  sf:\n    rules: |\n")
	for i := range 999 {
		fmt.Fprintf(&b, "      drop tcp any any -> any %d (sid:%d;)\n", 2000+i, i+1)
	}
	b.WriteString("      pass tcp any any -> any 443 (sid:1000;)\n")
	top, probs := lab.Parse("big.yaml", []byte(b.String()))
	if probs.HasErrors() {
		tb.Fatal(probs)
	}
	model.ApplyDefaults(top)
	n, _ := engine.Compile(top)
	return n
}

// TestReachThroughFirewallCutsAtItsRules: reach from web to the internet through the big
// policy splits TCP at the rules' ports: 1000-1998 and 2000-2998 are blocked by the firewall,
// 443 and the ports between get through.
func TestReachThroughFirewallCutsAtItsRules(t *testing.T) {
	n := bigFirewallLab(t)
	a := New(n, 1)
	s := tools.NewSim(n, 1)
	from, err := s.Resolve("web")
	if err != nil {
		t.Fatal(err)
	}
	to, err := s.Resolve("x")
	if err != nil {
		t.Fatal(err)
	}
	r := a.Reach(from, to, Query{Protocol: 6, DstPorts: AllPorts, SrcPorts: AllPorts, ICMPTypes: allICMP})
	reach := func(port int) bool {
		for _, p := range r.Parts {
			for _, box := range p.Space {
				for _, d := range box.A {
					if box.Class == ClassTCP && d.Lo <= port && port <= d.Hi {
						return p.Reachable
					}
				}
			}
		}
		t.Fatalf("no part holds TCP port %d", port)
		return false
	}
	for port, want := range map[int]bool{443: true, 999: true, 1000: false, 1500: false, 1998: false, 1999: true, 2000: false, 2998: false, 2999: true} {
		if got := reach(port); got != want {
			t.Errorf("TCP %d: arrives %v, want %v", port, got, want)
		}
	}
}

// BenchmarkReachThroughFirewall: the whole TCP header space from web to the internet through
// a firewall endpoint whose policy has 1,000 stateless and 1,000 stateful rules (issue 10's
// target: at most 50 ms for one pair).
func BenchmarkReachThroughFirewall(b *testing.B) {
	n := bigFirewallLab(b)
	a := New(n, 1)
	s := tools.NewSim(n, 1)
	from, _ := s.Resolve("web")
	to, _ := s.Resolve("x")
	var parts int
	b.ReportAllocs()
	for b.Loop() {
		parts = len(a.Reach(from, to, Everything()).Parts)
	}
	b.ReportMetric(float64(parts), "parts")
}
