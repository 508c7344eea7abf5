package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools/toolstest"
)

// transitLab names toolstest.Transit as a topology path: two VPCs on a transit gateway with
// VPN and Direct Connect gateway attachments, a peering and an internet gateway, built in Go
// until the lab loader reads them. Golden files use it like a file.
const transitLab = "go:transit"

func init() {
	topologyLoad = func(path string) (*model.Topology, model.Problems) {
		if path == transitLab {
			t := toolstest.Transit()
			return t, model.Validate(t)
		}
		return loadAny(path)
	}
}

// Unknown resources, missing or misplaced addresses and a subnet as TO are bad input: a
// message naming the resource and the topology, exit status 2.
func TestTransitBadInput(t *testing.T) {
	intents := filepath.Join(t.TempDir(), "intents.yaml")
	if err := os.WriteFile(intents, []byte("- from: tgw-attach-nope:192.168.1.5\n  to: app-b\n  expect: reachable\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"trace", "-t", transitLab, "--from", "tgw-attach-nope:192.168.1.5", "--to", "app-b"},
			[]string{"--from: no transit gateway attachment tgw-attach-nope in go:transit", "dc-vpn (tgw-attach-0vpn)"}},
		{[]string{"ping", "-t", transitLab, "tgw-attach-nope:192.168.1.5", "app-b"},
			[]string{"FROM: no transit gateway attachment tgw-attach-nope in go:transit"}},
		{[]string{"traceroute", "-t", transitLab, "app-a", "pcx-nope:10.3.0.5"},
			[]string{"TO: no VPC peering connection pcx-nope in go:transit", "b-to-c (pcx-0bc)"}},
		{[]string{"reach", "-t", transitLab, "--from", "dc-vpn", "--to", "app-b"},
			[]string{"--from", "dc-vpn (tgw-attach-0vpn) is a transit gateway attachment", "dc-vpn:IP"}},
		{[]string{"trace", "-t", transitLab, "--from", "dc-vpn:10.2.1.10", "--to", "app-b"},
			[]string{"10.2.1.10 is in a CIDR block of spoke-b (vpc-0b)", "on-premises"}},
		{[]string{"trace", "-t", transitLab, "--from", "igw-0a:10.9.9.9", "--to", "app-a"},
			[]string{"not an address on the internet"}},
		{[]string{"trace", "-t", transitLab, "--from", "app-a", "--to", "subnet-0b1:10.2.1.5"},
			[]string{`--to "subnet-0b1:10.2.1.5" is a subnet`}},
		{[]string{"reach", "-t", transitLab, "--from", "corp-dx:172.16.5.5", "--to", "b-app:10.2.1.5"},
			[]string{`--to "b-app:10.2.1.5" is a subnet`}},
		{[]string{"check", "-t", transitLab, intents},
			[]string{"intents.yaml:1", "no transit gateway attachment tgw-attach-nope"}},
	}
	for _, c := range cases {
		code, out, errs := run(c.args...)
		if code != ExitBadInput {
			t.Errorf("vpclab %v: exit %d, want 2\nstdout: %s\nstderr: %s", c.args, code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("vpclab %v: stderr lacks %q:\n%s", c.args, w, errs)
			}
		}
		if strings.Contains(errs, "goroutine") {
			t.Errorf("vpclab %v: a stack trace:\n%s", c.args, errs)
		}
	}
}

// Every command that takes endpoints takes a host beyond a resource, and the answers come
// back to it.
func TestTransitSources(t *testing.T) {
	code, out, errs := run("ping", "-c", "2", "-t", transitLab, "vpn-01:192.168.1.5", "app-b", "--capture", "app-b")
	if code != 0 || !strings.Contains(out, "2 packets transmitted, 2 received") ||
		!strings.Contains(out, "IP 192.168.1.5 > 10.2.1.10: ICMP echo request") || !strings.Contains(out, "IP 10.2.1.10 > 192.168.1.5: ICMP echo reply") {
		t.Errorf("ping from beyond the VPN: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = run("traceroute", "-n", "-t", transitLab, "tgw-attach-0vpn:192.168.1.5", "app-b")
	if code != 0 || !strings.Contains(out, " 1  10.2.1.10 ") {
		t.Errorf("traceroute from the VPN attachment: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = run("trace", "-t", transitLab, "--from", "corp-dx:172.16.5.5", "--to", "app-a", "-o", "json")
	var a struct {
		NetworkPathFound      bool
		ForwardPathComponents []struct {
			TransitGatewayRouteTableRoute *struct{ AttachmentId, RouteOrigin string }
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil || code != 0 || !a.NetworkPathFound {
		t.Fatalf("trace from the DX gateway: exit %d, %v\n%s%s", code, err, out, errs)
	}
	found := false
	for _, pc := range a.ForwardPathComponents {
		if r := pc.TransitGatewayRouteTableRoute; r != nil && r.AttachmentId == toolstest.AttachA && r.RouteOrigin == "propagated" {
			found = true
		}
	}
	if !found {
		t.Errorf("trace from the DX gateway: no transit gateway route to %s in\n%s", toolstest.AttachA, out)
	}

	code, out, errs = run("reach", "-t", transitLab, "--from", "dc-vpn:192.168.1.5", "--to", "app-b", "--protocol", "tcp", "--port", "443")
	if code != 0 || !strings.Contains(out, "192.168.1.5 -> app-b (10.2.1.10): 1 of 1 part(s) reachable") {
		t.Errorf("reach from the VPN attachment: exit %d\n%s%s", code, out, errs)
	}
	// Through the internet gateway, app-a is reached at its public IP (§3.4).
	code, out, errs = run("reach", "-t", transitLab, "--from", "a-igw:203.0.113.7", "--to", "app-a", "--protocol", "tcp", "--port", "443")
	if code != 0 || !strings.Contains(out, "app-a ("+toolstest.AppAPublic+")") {
		t.Errorf("reach through the internet gateway: exit %d\n%s%s", code, out, errs)
	}
	// The answer over the peering goes to a VPC that is not in the topology: it leaves the
	// modelled network through the peering, toward the source.
	code, out, errs = run("reach", "-t", transitLab, "--from", "pcx-0bc:10.3.0.5", "--to", "app-b", "--protocol", "tcp", "--port", "22")
	if code != 0 || !strings.Contains(out, "TCP 22: reachable; destination sees 10.3.0.5") {
		t.Errorf("reach over the peering: exit %d\n%s%s", code, out, errs)
	}
}

// check takes the same endpoints in an intents file.
func TestTransitCheck(t *testing.T) {
	intents := filepath.Join(t.TempDir(), "intents.yaml")
	body := `- name: the data centre reaches app-b over the VPN
  from: dc-vpn:192.168.1.5
  to: app-b
  protocol: tcp
  port: 443
  expect: reachable
  via: [hub-rt]
- name: the branch reaches app-a over Direct Connect
  from: corp-dx:172.16.5.5
  to: app-a
  protocol: icmp
  expect: reachable
- name: app-b reaches the data centre
  from: app-b
  to: tgw-attach-0vpn:192.168.1.5
  protocol: udp
  port: 53
  expect: reachable
- name: a spoofed source in a-app gets no answer
  from: subnet-0a1:10.1.1.99
  to: app-b
  protocol: tcp
  port: 22
  expect: unreachable
`
	if err := os.WriteFile(intents, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("check", "-t", transitLab, intents)
	if code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out, errs)
	}
}

// validate's summary says what joins the VPCs, not only what is in them.
func TestValidateSummarisesWhatJoinsVPCs(t *testing.T) {
	for lab, want := range map[string]string{
		"hub-and-spoke": "1 transit gateway(s) with 4 attachment(s), 1 Direct Connect gateway(s); no errors",
		"peering":       "2 VPC peering connection(s); no errors",
		"east-west-nat": "1 NAT gateway(s); no errors",
	} {
		code, out, errs := run("validate", "-t", filepath.Join(examples, lab, "lab.yaml"))
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("validate %s: exit %d, want a summary ending %q:\n%s%s", lab, code, want, out, errs)
		}
	}
}
