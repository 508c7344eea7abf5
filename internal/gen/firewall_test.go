package gen

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/topology/lab"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

// TestRewriteFirewall: the Network Firewall example lab written as a describe-* snapshot
// (Firewalls.json, FirewallPolicies.json, RuleGroups.json, §14 API shapes) reads back as the
// same firewall, policy and rule groups, and both inputs give the same answers.
func TestRewriteFirewall(t *testing.T) {
	yamlTopo, probs := lab.Load(filepath.Join("..", "..", "examples", "network-firewall", "lab.yaml"))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	model.ApplyDefaults(yamlTopo)
	snapTopo, probs := snapshot.Load(writeSnapshot(t, yamlTopo))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	model.ApplyDefaults(snapTopo)
	if vs := model.Validate(snapTopo); vs.HasErrors() {
		t.Fatal(vs)
	}
	opts := append(cmpOpts, cmpopts.IgnoreFields(model.RuleGroup{}, "RulesLine"), cmpopts.IgnoreFields(model.StatefulRule{}, "Line"))
	for _, d := range []string{
		cmp.Diff(yamlTopo.Firewalls, snapTopo.Firewalls, opts...),
		cmp.Diff(yamlTopo.FirewallPolicies, snapTopo.FirewallPolicies, opts...),
		cmp.Diff(yamlTopo.RuleGroups, snapTopo.RuleGroups, opts...),
	} {
		if d != "" {
			t.Errorf("rewritten firewall differs (-yaml +snapshot):\n%s", d)
		}
	}
	web := yamlTopo.NetworkInterfaces[0]
	x := netipAddr("203.0.113.7")
	for _, c := range []struct {
		port uint16
		sni  string
	}{{443, "www.example.com"}, {443, "evil.test"}, {25, ""}, {23, ""}, {22, ""}} {
		var answers [2]string
		for i, topo := range []*model.Topology{yamlTopo, snapTopo} {
			n, _ := engine.Compile(topo)
			st := engine.NewState(&engine.ManualClock{}, 1)
			p := packet.Packet{Src: web.PrivateIPs[0].Addr, Dst: x, Proto: packet.ProtoTCP, TTL: 255, SrcPort: 40000, DstPort: c.port, TCPFlags: packet.TCPSyn}
			if c.sni != "" {
				p.App = &packet.App{SNI: c.sni}
			}
			r := n.Send(st, engine.AtENI(web.ID), p)
			answers[i] = r.Outcome.String() + " " + r.Code + " " + r.Detail
		}
		if answers[0] != answers[1] {
			t.Errorf("port %d SNI %q: YAML %q, snapshot %q", c.port, c.sni, answers[0], answers[1])
		}
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
