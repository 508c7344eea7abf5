package tools

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools/toolstest"
)

// A capture across a transit gateway is like any other: the receiver sees the sender's own
// address (the transit gateway does no NAT, §7.2.11) and the reply goes back.
func TestCaptureAcrossTransitGateway(t *testing.T) {
	s := transitSim(t)
	for _, name := range []string{"app-a", "app-b"} {
		if _, err := s.CaptureOn(name); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if res := s.Ping(&out, mustResolve(t, s, "app-a"), mustResolve(t, s, "app-b"), PingOptions{Count: 1}); res.Received != 1 {
		t.Fatalf("ping app-a -> app-b over the transit gateway:\n%s", out.String())
	}
	src, err := s.Resolve("dc-vpn:192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	if res := s.Ping(&out, src, mustResolve(t, s, "app-b"), PingOptions{Count: 1}); res.Received != 1 {
		t.Fatalf("ping from beyond the VPN attachment:\n%s", out.String())
	}
	want := map[string][]string{
		"app-a": {"IP 10.1.1.10 > 10.2.1.10: ICMP echo request", "IP 10.2.1.10 > 10.1.1.10: ICMP echo reply"},
		"app-b": {"IP 10.1.1.10 > 10.2.1.10: ICMP echo request", "IP 10.2.1.10 > 10.1.1.10: ICMP echo reply",
			"IP 192.168.1.5 > 10.2.1.10: ICMP echo request", "IP 10.2.1.10 > 192.168.1.5: ICMP echo reply"},
	}
	for _, c := range s.Captures() {
		var text, pcap bytes.Buffer
		c.WriteText(&text)
		lines := strings.Split(strings.TrimSpace(text.String()), "\n")
		if len(lines) != len(want[c.Name]) {
			t.Errorf("capture on %s: %d packets, want %d:\n%s", c.Name, len(lines), len(want[c.Name]), text.String())
			continue
		}
		for i, w := range want[c.Name] {
			if !strings.Contains(lines[i], w) {
				t.Errorf("capture on %s, packet %d: %q, want %q", c.Name, i+1, lines[i], w)
			}
		}
		if err := c.WritePcap(&pcap); err != nil || pcap.Len() <= 24 {
			t.Errorf("pcap of %s: %d bytes, %v", c.Name, pcap.Len(), err)
		}
	}
}

// The text trace shows a transit gateway route as readably as a VPC route: destination,
// attachment, how it came to be and what is behind the attachment.
func TestTraceTextTransitGatewayRoutes(t *testing.T) {
	s := transitSim(t)
	tr := s.Trace(mustResolve(t, s, "app-a"), mustResolve(t, s, "dc-host"), TraceOptions{Protocol: packet.ProtoTCP, Port: 22})
	var out bytes.Buffer
	tr.WriteText(&out)
	for _, w := range []string{
		"route 192.168.0.0/16 -> tgw-01 (CreateRoute, active)", // the VPC route, for comparison
		"tgw-rtb-01 (hub-rt)",
		"route 192.168.0.0/16 -> tgw-attach-0vpn (propagated, vpn vpn-01)",
		"route 10.1.0.0/16 -> tgw-attach-0a (propagated, vpc vpc-0a)",
		"Path found.",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("trace lacks %q:\n%s", w, out.String())
		}
	}
	for _, c := range []struct {
		ref  engine.TGWRouteRef
		want string
	}{
		{engine.TGWRouteRef{Destination: "10.9.0.0/16", RouteType: "static", State: "blackhole"}, "route 10.9.0.0/16 -> blackhole (static, blackhole)"},
		{engine.TGWRouteRef{Destination: "pl-0123", PrefixList: "pl-0123", Attachment: "tgw-attach-0dx", Resource: toolstest.DXGateway,
			Type: "direct-connect-gateway", RouteType: "propagated", State: "active"},
			"route pl-0123 -> tgw-attach-0dx (propagated, direct-connect-gateway " + toolstest.DXGateway + ")"},
	} {
		if got := decision(engine.Hop{TGWRoute: &c.ref}); got != c.want {
			t.Errorf("decision = %q, want %q", got, c.want)
		}
	}
}
