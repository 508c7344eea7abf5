package live

import (
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// firewallLab is examples/network-firewall: web 10.0.1.10 (public 198.51.100.10) behind a
// firewall endpoint in strict order, with a domain allowlist .example.com for TLS SNI and HTTP
// Host, a REJECT of TCP 25 and aws:drop_established; x 203.0.113.7 on the internet.
const firewallLab = "../../examples/network-firewall/lab.yaml"

// TestLiveNetworkFirewallDomainList (§14.8-11, NFW-4/5/7 with HTTP Host and TLS SNI): the endpoint in
// live mode judges real packets with the policy the simulation uses. web's HTTP request to x
// with Host www.example.com passes; with Host evil.test the handshake passes (drop_established
// waits for the request) and the request is dropped, so curl times out; TCP 25 is answered
// with a RST at once (REJECT); a TLS ClientHello naming www.example.com passes and one
// naming evil.test does not. The simulator says the same of each HTTP flow.
func TestLiveNetworkFirewallDomainList(t *testing.T) {
	needLive(t, "curl")
	n := loadNet(t, firewallLab)
	sim := func(host string, port uint16) string {
		p := packet.Packet{Src: netip.MustParseAddr("10.0.1.10"), Dst: netip.MustParseAddr("203.0.113.7"), Proto: packet.ProtoTCP,
			SrcPort: 40000 + port, DstPort: port, TCPFlags: packet.TCPSyn, TTL: 64}
		if host != "" {
			p.App = &packet.App{HTTPHost: host}
		}
		eni, ok := n.ENIByIP(p.Src)
		if !ok {
			t.Fatal("no interface holds 10.0.1.10")
		}
		r := n.Send(engine.NewState(&engine.ManualClock{}, 1), engine.AtENI(eni), p)
		if r.Outcome == engine.Dropped {
			return r.Code
		}
		return r.Outcome.String()
	}
	if got := sim("www.example.com", 80); got != engine.Exited.String() {
		t.Fatalf("simulated HTTP to www.example.com: %s", got)
	}
	for host, port := range map[string]uint16{"evil.test": 80, "": 25} {
		if got := sim(host, port); got != engine.CodeFirewallRules {
			t.Fatalf("simulated %q port %d: %s, want %s", host, port, got, engine.CodeFirewallRules)
		}
	}

	m := upNet(t, n, firewallLab, LinkAuto, true, t.Logf)
	for _, port := range []string{":80", ":25"} {
		srv := exec.Command(os.Args[0])
		srv.Env = append(os.Environ(), envHTTP+"="+port)
		startIn(t, m.Lab, "x", srv)
	}
	curl := func(host, url string, timeout string) (string, int) {
		return run(t, m.Lab, "web", "curl", "-sS", "-m", timeout, "-H", "Host: "+host, url)
	}
	var out string
	var code int
	for range 20 { // the server may still be starting
		if out, code = curl("www.example.com", "http://203.0.113.7/", "5"); code != 7 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 0 || strings.TrimSpace(out) != "198.51.100.10" {
		t.Errorf("curl with Host www.example.com: exit %d, x saw %q, want 198.51.100.10", code, strings.TrimSpace(out))
	}
	if out, code := curl("evil.test", "http://203.0.113.7/", "2"); code != 28 {
		t.Errorf("curl with Host evil.test: exit %d, want 28 (the request is dropped after the handshake)\n%s", code, out)
	}
	// TLS: the ClientHello's SNI decides. x's server speaks no TLS, so an allowed ClientHello
	// reaches it and curl fails the handshake (35); a denied one is dropped (28).
	tls := func(name string) (string, int) {
		return run(t, m.Lab, "web", "curl", "-sS", "-k", "-m", "2", "--resolve", name+":80:203.0.113.7", "https://"+name+":80/")
	}
	if out, code := tls("www.example.com"); code != 35 {
		t.Errorf("TLS with SNI www.example.com: exit %d, want 35 (the ClientHello reached x, which speaks no TLS)\n%s", code, out)
	}
	if out, code := tls("evil.test"); code != 28 {
		t.Errorf("TLS with SNI evil.test: exit %d, want 28 (the ClientHello is dropped)\n%s", code, out)
	}
	start := time.Now()
	if out, code := curl("www.example.com", "http://203.0.113.7:25/", "5"); code != 7 || time.Since(start) > 2*time.Second {
		t.Errorf("curl to port 25: exit %d after %v, want 7 (refused by the firewall's RST) at once\n%s", code, time.Since(start), out)
	}
}
