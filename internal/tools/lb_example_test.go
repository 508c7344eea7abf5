package tools

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// The claims of examples/load-balancers/README.md, from its YAML: the internet reaches the
// NLB's public addresses and the target of each node's zone sees the client; the reply leaves
// with the node's public address. The desk reaches the ALB, whose target sees the ALB's
// node and admits it by its group; the NLB has no listener on 443.
func TestLoadBalancersExampleLab(t *testing.T) {
	topo, s := exampleLab(t, "load-balancers")
	name := map[string]string{}
	for _, e := range topo.NetworkInterfaces {
		for _, in := range topo.Instances {
			if len(in.ENIs) > 0 && in.ENIs[0] == e.ID {
				name[string(e.ID)] = in.Name
			}
		}
	}
	client := mustResolve(t, s, "client")
	for _, c := range []struct{ dst, target, private string }{{"54.0.0.5", "web-a", "10.0.10.4"}, {"54.0.0.6", "web-b", "10.0.11.4"}} {
		tr := s.Trace(client, mustResolve(t, s, c.dst), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		f := tr.Forward
		if f.Outcome != engine.Delivered || name[string(f.ENI)] != c.target || f.Packet.Src != netip.MustParseAddr("198.51.100.7") {
			t.Errorf("client → %s: %v %s %s at %s, packet %v; want delivered at %s from the client", c.dst, f.Outcome, f.Code, f.Detail, name[string(f.ENI)], f.Packet, c.target)
		}
		if tr.Return == nil || tr.Return.Outcome != engine.Exited || tr.Return.Packet.Src != netip.MustParseAddr(c.dst) || tr.Return.Packet.SrcPort != 80 {
			t.Errorf("client → %s: return %+v", c.dst, tr.Return)
		}
	}
	desk := mustResolve(t, s, "desk")
	tr := s.Trace(desk, mustResolve(t, s, "10.0.10.5"), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	f := tr.Forward
	if f.Outcome != engine.Delivered || name[string(f.ENI)] != "web-a" || f.Packet.Src != netip.MustParseAddr("10.0.10.5") || f.Packet.DstPort != 8080 {
		t.Errorf("desk → ALB: %v %s %s, packet %v; want web-a (web-b is unhealthy) from 10.0.10.5 on 8080", f.Outcome, f.Code, f.Detail, f.Packet)
	}
	if tr.Return == nil || tr.Return.Outcome != engine.Delivered || tr.Return.Packet.Src != netip.MustParseAddr("10.0.10.5") || tr.Return.Packet.SrcPort != 443 {
		t.Errorf("desk → ALB: return %+v", tr.Return)
	}
	var text strings.Builder
	tr.WriteText(&text)
	if want := "Path found. 10.0.10.5 (inside) passes the connection to "; !strings.Contains(text.String(), want) || !strings.Contains(text.String(), "(web-a), which receives the packet from 10.0.10.5:") {
		t.Errorf("trace text does not say the ALB passes the connection to web-a:\n%s", text.String())
	}
	tr = s.Trace(desk, mustResolve(t, s, "10.0.10.4"), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	if tr.Forward.Code != engine.CodeELBV2NoListener {
		t.Errorf("desk → NLB:443: %v %s, want %s", tr.Forward.Outcome, tr.Forward.Code, engine.CodeELBV2NoListener)
	}
	var lbs int
	for _, lb := range topo.LoadBalancers {
		if lb.Type == model.LBApplication || lb.Type == model.LBNetwork {
			lbs++
		}
	}
	if lbs != 2 {
		t.Errorf("%d load balancers, want 2", lbs)
	}
}
