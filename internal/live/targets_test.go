package live

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

// moreSpecific are the four labs of examples/more-specific-routes: seed 000 with the route
// 10.0.1.0/24 pointing in turn at each target a more specific route may have (§1.2.5), with
// what every tool must show: the hops traceroute lists, the TTL of ping's answer, and the
// source the destination's tcpdump sees.
var moreSpecific = []struct {
	lab    string
	hops   []string
	ttl    string
	source string
}{
	{"nat-gateway", []string{"10.0.2.149", "10.0.1.55"}, "ttl=254", "10.0.2.149"},
	{"appliance", []string{"10.0.2.149", "10.0.1.55"}, "ttl=254", "10.0.0.11"},
	{"gwlb-endpoint", []string{"10.0.1.55"}, "ttl=255", "10.0.0.11"},
	{"firewall-endpoint", []string{"10.0.1.55"}, "ttl=255", "10.0.0.11"},
}

// TestMoreSpecificRoutesFourTargets (issue 10, seed 000): on the seed-000 lab with each of
// the four targets, the simulated traceroute, ping and capture say what the table says, and
// the real traceroute, ping and tcpdump in live mode agree with them.
func TestMoreSpecificRoutesFourTargets(t *testing.T) {
	for _, c := range moreSpecific {
		t.Run(c.lab, func(t *testing.T) {
			path := "../../examples/more-specific-routes/lab-" + c.lab + ".yaml"
			n := loadNet(t, path)
			hops, trace := simTraceroute(t, n, "source", "destination")
			if strings.Join(hops, " ") != strings.Join(c.hops, " ") {
				t.Errorf("simulated traceroute: hops %v, want %v\n%s", hops, c.hops, trace)
			}
			ping, received, _ := simPing(t, n, "source", "destination")
			if received != 1 || !strings.Contains(ping, c.ttl) {
				t.Errorf("simulated ping: %d answers, want one with %s\n%s", received, c.ttl, ping)
			}
			s := tools.NewSim(n, 1)
			capture, err := s.CaptureOn("destination")
			if err != nil {
				t.Fatal(err)
			}
			s.Ping(&bytes.Buffer{}, endpoint(t, s, "source"), endpoint(t, s, "destination"), tools.PingOptions{Count: 1})
			var w bytes.Buffer
			capture.WriteText(&w)
			if !regexp.MustCompile(`IP ` + regexp.QuoteMeta(c.source) + ` > 10\.0\.1\.55: ICMP echo request`).MatchString(w.String()) {
				t.Errorf("simulated capture on destination does not show the request from %s:\n%s", c.source, w.String())
			}

			needLive(t, "ping", "traceroute", "tcpdump")
			m := upNet(t, n, path, LinkAuto, true, t.Logf)
			var dump, dumpErr bytes.Buffer
			tcpdump := exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-i", "eth0", "-c", "1", "icmp[icmptype] == icmp-echo")
			tcpdump.Stdout, tcpdump.Stderr = &dump, &dumpErr
			if err := Start(m.Lab, "destination", tcpdump); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // tcpdump opens its socket
			out, code := run(t, m.Lab, "source", "ping", "-c", "1", "-W", "2", "10.0.1.55")
			if code != 0 || !strings.Contains(out, c.ttl) {
				t.Errorf("live ping: exit %d, want an answer with %s\n%s", code, c.ttl, out)
			}
			tcpdump.Wait()
			if !strings.Contains(dump.String(), "IP "+c.source+" > 10.0.1.55: ICMP echo request") {
				t.Errorf("live tcpdump on destination does not show the request from %s:\n%s%s", c.source, dump.String(), dumpErr.String())
			}
			liveTraceroute(t, m, n, "source", "destination")
		})
	}
}

// TestMoreSpecificRoutesSecurityGroups (seed 000's question): what the destination's security
// group must admit behind each target. Behind the NAT gateway, the gateway's address; behind
// the others, the source's own address. Behind none of them does a reference to the source's
// group match (§4.1.6, §7.1.13, §13.12, §14.3: SG_REFERENCES_NOT_PRESERVED).
func TestMoreSpecificRoutesSecurityGroups(t *testing.T) {
	for _, c := range moreSpecific {
		t.Run(c.lab, func(t *testing.T) {
			path := "../../examples/more-specific-routes/lab-" + c.lab + ".yaml"
			base, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct{ rule, want string }{
				{"{protocol: all, group: src-sg}", engine.CodeSGReferencesNotKept},
				{"{protocol: all, cidr: " + c.source + "/32}", ""},
				{"{protocol: all, cidr: " + other(c.source) + "/32}", engine.CodeSGRulesMismatch},
			} {
				s := strings.Replace(string(base), "  vpc-only: {ingress: [{protocol: all, cidr: 10.0.0.0/16}]}",
					"  vpc-only: {ingress: [{protocol: all, cidr: 10.0.0.0/16}]}\n  src-sg: {}\n  dst-sg: {ingress: ["+r.rule+"]}", 1)
				s = strings.Replace(s, "private_ip: 10.0.0.11, security_groups: [vpc-only]", "private_ip: 10.0.0.11, security_groups: [vpc-only, src-sg]", 1)
				s = strings.Replace(s, "private_ip: 10.0.1.55, security_groups: [vpc-only]", "private_ip: 10.0.1.55, security_groups: [dst-sg]", 1)
				top, probs := lab.Parse(path, []byte(s))
				if probs.HasErrors() {
					t.Fatal(probs)
				}
				model.ApplyDefaults(top)
				n, _ := engine.Compile(top)
				src, _ := n.ENIByIP(netip.MustParseAddr("10.0.0.11"))
				res := n.Send(engine.NewState(&engine.ManualClock{}, 1), engine.AtENI(src), packet.Packet{
					Src: netip.MustParseAddr("10.0.0.11"), Dst: netip.MustParseAddr("10.0.1.55"), Proto: packet.ProtoICMP,
					ICMPType: packet.ICMPEchoRequest, ICMPID: 1, TTL: 255})
				got := res.Code
				if res.Outcome == engine.Delivered {
					got = ""
				}
				if got != r.want {
					t.Errorf("destination admitting %s: %q (%s), want %q", r.rule, got, res.Detail, r.want)
				}
			}
		})
	}
}

// other is the address behind the other kind of target: the NAT gateway's, or the source's.
func other(seen string) string {
	if seen == "10.0.2.149" {
		return "10.0.0.11"
	}
	return "10.0.2.149"
}
