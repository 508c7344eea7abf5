package analyze

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/tools/toolstest"
)

// Reach takes hosts beyond a resource as sources and destinations: the answers come back
// through the same attachment, and the JSON names the transit gateway's route and ARNs.
func TestReachBeyondTransitGateway(t *testing.T) {
	n, _ := engine.Compile(toolstest.Transit())
	a := New(n, 1)
	for _, c := range []struct {
		from, to  string
		reachable bool
	}{
		{"dc-vpn:192.168.1.5", "app-b", true},
		{"corp-dx:172.16.5.5", "app-a", true},
		{"app-a", "to-dx:172.16.9.9", true},
		{"a-igw:203.0.113.7", "app-a", true},
		{"pcx-0bc:10.3.0.5", "app-b", true},      // the answer leaves through the peering to the VPC outside the topology
		{"subnet-0a1:10.1.1.99", "app-b", false}, // no interface holds the spoofed source
	} {
		from, to := endpoints(t, n, c.from, c.to)
		q := Everything()
		q.Protocol = 6
		r := a.Reach(from, to, q)
		if r.Reachable() != c.reachable {
			t.Errorf("%s -> %s: reachable %v, want %v", c.from, c.to, r.Reachable(), c.reachable)
			for _, p := range r.Parts {
				for _, b := range p.Outcome.Blockers {
					t.Logf("  %s %s", b.Path, b.Text())
				}
			}
		}
	}
	from, to := endpoints(t, n, "dc-vpn:192.168.1.5", "app-b")
	q := Everything()
	q.Protocol = 6
	pa := a.Reach(from, to, q).Analyses()[0]
	found := false
	for _, pc := range pa.ForwardPathComponents {
		if r := pc.TransitGatewayRouteTableRoute; r != nil && r.AttachmentId == toolstest.AttachB && pc.Component.Arn != "" && pc.TransitGateway != nil {
			found = true
		}
	}
	if !found {
		t.Errorf("the analysis names no transit gateway route to %s with ARNs: %+v", toolstest.AttachB, pa.ForwardPathComponents)
	}
}
