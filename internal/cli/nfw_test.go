package cli

import (
	"strings"
	"testing"
)

// TestTraceSNI: --sni and --http-host give the simulated flow the name a Network Firewall's
// domain list reads (§14.8); the example's allowlist passes .example.com and drops the rest.
func TestTraceSNI(t *testing.T) {
	lab := examples + "/network-firewall/lab.yaml"
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sni", "www.example.com"}, 0, "TLS ClientHello (SNI www.example.com) after the handshake passed"},
		{[]string{"--sni", "evil.test"}, 1, "FIREWALL_RULES_RESTRICTION"},
		{[]string{"--http-host", "shop.example.com"}, 0, "HTTP request (Host shop.example.com)"},
		{[]string{"--sni", "a.example.com", "--protocol", "udp"}, ExitBadInput, "--sni and --http-host describe a TCP flow"},
	} {
		args := append([]string{"trace", "-t", lab, "--from", "web", "--to", "x", "--port", "443"}, c.args...)
		code, out, errs := run(args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("vpclab %s: exit %d, want %d and %q in:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, out, errs)
		}
	}
}
