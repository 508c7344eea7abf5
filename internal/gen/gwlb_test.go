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

// TestRewriteGWLB: the GWLB lab written as describe-* JSON (ELBv2 answers, endpoint service
// configurations, GWLB endpoints with their subnet) reads back as the same load balancer,
// target group, targets and endpoint, and the engine gives the same verdicts on both (§13).
func TestRewriteGWLB(t *testing.T) {
	yamlTopo, probs := lab.Load(filepath.Join("..", "..", "examples", "gwlb-north-south", "lab.yaml"))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	got, probs := snapshot.Load(writeSnapshot(t, yamlTopo))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	opts := append(cmpOpts, cmpopts.IgnoreFields(model.GatewayLoadBalancer{}, "Tags"))
	if d := cmp.Diff(yamlTopo.GatewayLoadBalancers, got.GatewayLoadBalancers, opts...); d != "" {
		t.Errorf("GWLBs differ (-lab +snapshot):\n%s", d)
	}
	if d := cmp.Diff(yamlTopo.VPCEndpoints, got.VPCEndpoints, cmpOpts...); d != "" {
		t.Errorf("endpoints differ (-lab +snapshot):\n%s", d)
	}
	model.ApplyDefaults(got)
	for _, topo := range []*model.Topology{yamlTopo, got} {
		n, _ := engine.Compile(topo)
		web, _ := n.ENIByIP(netip.MustParseAddr("10.0.1.10"))
		st := engine.NewState(&engine.ManualClock{}, 1)
		r := n.Send(st, engine.AtENI(web), packet.Packet{Src: netip.MustParseAddr("10.0.1.10"), Dst: netip.MustParseAddr("93.184.216.34"),
			Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: 443, TCPFlags: packet.TCPSyn, TTL: 255})
		if via := r.Via(); r.Outcome != engine.Exited || len(via) != 2 || via[0].Name != "fw-a" {
			t.Errorf("web → internet: %v %s %s, via %v", r.Outcome, r.Code, r.Detail, r.Via())
		}
	}
}
