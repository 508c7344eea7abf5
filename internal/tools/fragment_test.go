package tools

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/tools/toolstest"
)

// A host answers a datagram, not a fragment: an echo request fragmented on the way (a
// transit gateway's MTU is 8500, §7.2.15) is reassembled by the receiver, whose reply
// echoes the whole payload and is reassembled in turn by ping's host, as iputils prints it.
func TestPingFragmentedOnTheWayEchoesTheWholeDatagram(t *testing.T) {
	s := transitSim(t)
	if _, err := s.CaptureOn(toolstest.AppB); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res := s.Ping(&out, mustResolve(t, s, toolstest.AppA), mustResolve(t, s, toolstest.AppB), PingOptions{Count: 1, Size: 8600})
	if res.Received != 1 || !strings.Contains(out.String(), "8608 bytes from "+toolstest.AppBIP) {
		t.Errorf("ping -s 8600 over the transit gateway, want a reply of 8608 bytes:\n%s", out.String())
	}
	var text bytes.Buffer
	s.Captures()[0].WriteText(&text)
	if !strings.Contains(text.String(), "ICMP echo reply") || strings.Count(text.String(), "length 8608") != 1 {
		t.Errorf("capture on %s: the reply leaves whole (8608 bytes of ICMP), the request arrived as its first fragment:\n%s", toolstest.AppB, text.String())
	}
}
