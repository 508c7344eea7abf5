package live

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
)

// applianceLab: client 10.0.0.10 and server 10.0.1.10, each subnet routing the other's block
// to the firewall instance fw 10.0.2.10 (source/destination check off), both ways.
const applianceLab = "../../examples/appliance-firewall/lab.yaml"

// TestPlanAppliance: an instance with a source/destination check off routes in its namespace
// unless the lab turns its forwarding off; no other node does (§6.2).
func TestPlanAppliance(t *testing.T) {
	n := loadNet(t, applianceLab)
	p, err := PlanLab(n.Topology, "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		node    string
		forward bool
	}{{"client", false}, {"server", false}, {"fw", true}} {
		if got := p.Node(c.node).Forward; got != c.forward {
			t.Errorf("%s forwards: %v, want %v", c.node, got, c.forward)
		}
	}
	kv := map[string]string{}
	for _, x := range nodeSysctls(p.Node("fw")) {
		kv[x[0]] = x[1]
	}
	for k, want := range map[string]string{"net.ipv4.ip_forward": "1", "net.ipv4.conf.all.send_redirects": "0",
		"net.ipv4.conf.default.send_redirects": "0", "net.ipv4.conf.all.rp_filter": "0", "net.ipv4.ip_default_ttl": "255"} {
		if kv[k] != want {
			t.Errorf("fw: %s=%q, want %q", k, kv[k], want)
		}
	}
	if kv := nodeSysctls(p.Node("client")); kv[len(kv)-1] != [2]string{"net.ipv4.ip_forward", "0"} {
		t.Errorf("client's settings %v do not turn forwarding off", kv)
	}
	n.Topology.Instances[2].IPForwardOff = true
	if p, _ = PlanLab(n.Topology, "t"); p.Node("fw").Forward {
		t.Error("fw with ip_forward: false forwards")
	}
}

// TestLiveApplianceKernelDecides: traffic routed through an appliance crosses the appliance's
// own kernel, so a rule in its namespace decides as on EC2. With
// `iptables -A FORWARD -p tcp --dport 22 -j DROP` in fw, curl from client to server's port
// 80 works and sees the client's own address (fw routes, it does not translate); port 22,
// where server listens too, does not connect, and does once the rule is gone. tcpdump in fw
// shows both directions of the port-80 flow with their original addresses, each packet in
// and out. Ping and traceroute show fw as the one hop the simulator shows (§6.8), and with
// fw's forwarding off nothing passes. Over TAP devices (the kernel hands fw offloaded
// segments) and over veth pairs alike.
func TestLiveApplianceKernelDecides(t *testing.T) {
	needLive(t, "ping", "traceroute", "curl", "tcpdump")
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is not installed (.ci/run installs it: apt-get install iptables)")
	}
	for _, link := range []string{LinkTAP, LinkVeth} {
		t.Run(link, func(t *testing.T) { applianceKernelDecides(t, link) })
	}
}

func applianceKernelDecides(t *testing.T, link string) {
	n := loadNet(t, applianceLab)
	log := &logBuffer{t: t}
	m := upNet(t, n, applianceLab, link, true, log.logf)

	rule := []string{"FORWARD", "-p", "tcp", "--dport", "22", "-j", "DROP"}
	if out, code := run(t, m.Lab, "fw", append([]string{"iptables", "-A"}, rule...)...); code != 0 {
		t.Skipf("iptables cannot add a rule in a namespace here: exit %d\n%s", code, out)
	}
	for _, port := range []string{":80", ":22"} {
		srv := exec.Command(os.Args[0])
		srv.Env = append(os.Environ(), envHTTP+"="+port)
		startIn(t, m.Lab, "server", srv)
	}
	var dump, dumpErr bytes.Buffer
	tcpdump := exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-i", "eth0", "-c", "4",
		"tcp port 80 and tcp[tcpflags] & tcp-syn != 0")
	tcpdump.Stdout, tcpdump.Stderr = &dump, &dumpErr
	if err := Start(m.Lab, "fw", tcpdump); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // tcpdump opens its socket

	var out string
	var code int
	for range 20 { // the server may still be starting
		if out, code = run(t, m.Lab, "client", "curl", "-sS", "-m", "5", "http://10.0.1.10/"); code != 7 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 0 || strings.TrimSpace(out) != "10.0.0.10" {
		t.Errorf("curl port 80 through fw: exit %d, the server saw %q, want 10.0.0.10", code, strings.TrimSpace(out))
	}
	tcpdump.Wait()
	for what, re := range map[string]string{
		"SYN":     `IP 10\.0\.0\.10\.\d+ > 10\.0\.1\.10\.80: Flags \[S\]`,
		"SYN-ACK": `IP 10\.0\.1\.10\.80 > 10\.0\.0\.10\.\d+: Flags \[S\.\]`,
	} {
		if got := len(regexp.MustCompile(re).FindAllString(dump.String(), -1)); got != 2 {
			t.Errorf("tcpdump in fw saw the %s %d times, want 2 (in and out):\n%s%s", what, got, dump.String(), dumpErr.String())
		}
	}

	// Port 22: server listens (fw reaches it itself: OUTPUT, not FORWARD), client does not get
	// through fw's rule.
	if out, code := run(t, m.Lab, "fw", "curl", "-sS", "-m", "5", "http://10.0.1.10:22/"); code != 0 {
		t.Fatalf("fw's own curl to server port 22: exit %d\n%s", code, out)
	}
	if out, code := run(t, m.Lab, "client", "curl", "-sS", "-m", "2", "http://10.0.1.10:22/"); code != 28 {
		t.Errorf("curl port 22 through fw: exit %d, want 28 (timed out: fw drops the SYN)\n%s", code, out)
	}
	counters, _ := run(t, m.Lab, "fw", "iptables", "-L", "FORWARD", "-v", "-x", "-n")
	if f := strings.Fields(grepLine(counters, "dpt:22")); len(f) == 0 || f[0] == "0" {
		t.Errorf("fw's DROP rule counted no packet:\n%s", counters)
	}
	run(t, m.Lab, "fw", append([]string{"iptables", "-D"}, rule...)...)
	if out, code := run(t, m.Lab, "client", "curl", "-sS", "-m", "5", "http://10.0.1.10:22/"); code != 0 || strings.TrimSpace(out) != "10.0.0.10" {
		t.Errorf("curl port 22 through fw without the rule: exit %d\n%s", code, out)
	}

	// fw is a TTL hop each way, as simulated: ttl=254 (255 less fw's one).
	sim, received, _ := simPing(t, n, "client", "server")
	if received != 1 || !strings.Contains(sim, "ttl=254") {
		t.Fatalf("the simulator's ping client -> server:\n%s", sim)
	}
	if out, code := run(t, m.Lab, "client", "ping", "-c", "1", "-W", "2", "10.0.1.10"); code != 0 || !strings.Contains(out, "ttl=254") {
		t.Errorf("ping client -> server: exit %d, want ttl=254\n%s", code, out)
	}
	liveTraceroute(t, m, n, "client", "server")
	liveTraceroute(t, m, n, "server", "client")

	// fw's kernel forwards, not the engine: with its forwarding off nothing passes.
	if out, code := run(t, m.Lab, "fw", "sysctl", "-qw", "net.ipv4.ip_forward=0"); code != 0 {
		t.Fatalf("sysctl in fw: exit %d\n%s", code, out)
	}
	if out, code := run(t, m.Lab, "client", "ping", "-c", "1", "-W", "1", "10.0.1.10"); code == 0 {
		t.Errorf("ping through fw with its forwarding off was answered:\n%s", out)
	}
	if strings.Contains(log.String(), "drop") {
		t.Errorf("the dataplane dropped packets (the engine lets all of them through):\n%s", log.String())
	}
}

// grepLine returns the first line of s that contains sub, or "".
func grepLine(s, sub string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}

// TestLiveStatefulApplianceIsItsKernel: behind asymmetric routing (x -> y through fw, y -> x
// direct), fw marked forwarding: stateful in the lab is, in live mode, what its own
// connection tracking makes it (§13.13): with INVALID packets dropped, y's connection to x
// fails as the simulator says, fw being given a SYN-ACK whose SYN it never saw. Linux is
// stricter than the simulator's model the other way too: x's handshake ACK, after a SYN-ACK
// that went around fw, is INVALID for it as well, where the simulator forwards every packet
// of a flow the appliance saw start; that is logged, not asserted, as a kernel's choice.
func TestLiveStatefulApplianceIsItsKernel(t *testing.T) {
	needLive(t, "curl")
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is not installed (.ci/run installs it: apt-get install iptables)")
	}
	const lab = "../../examples/asymmetric-appliance/lab-stateful.yaml"
	n := loadNet(t, lab)
	if _, received, codes := simPing(t, n, "y", "x"); received != 0 || len(codes) == 0 || codes[0] != engine.CodeAsymmetricInspection {
		t.Fatalf("the simulator's ping y -> x: %d answers, drops %v", received, codes)
	}
	m := upNet(t, n, lab, LinkAuto, true, t.Logf)
	if out, code := run(t, m.Lab, "fw", "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"); code != 0 {
		t.Skipf("iptables cannot add a conntrack rule in a namespace here: exit %d\n%s", code, out)
	}
	for _, node := range []string{"x", "y"} {
		srv := exec.Command(os.Args[0])
		srv.Env = append(os.Environ(), envHTTP+"=:80")
		startIn(t, m.Lab, node, srv)
	}
	// The server in x is up: x reaches it itself.
	for i := 0; ; i++ {
		if _, code := run(t, m.Lab, "x", "curl", "-sS", "-m", "2", "http://10.0.0.10/"); code == 0 {
			break
		} else if i == 20 {
			t.Fatalf("the server in x does not answer x itself: exit %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, code := run(t, m.Lab, "y", "curl", "-sS", "-m", "2", "http://10.0.0.10/"); code == 0 {
		t.Errorf("y reached x through a stateful fw that never saw the flow start: %s", out)
	}
	out, code := run(t, m.Lab, "x", "curl", "-sS", "-m", "2", "http://10.0.1.10/")
	t.Logf("x -> y, the simulator's reachable: curl exit %d %s", code, out)
	counters, _ := run(t, m.Lab, "fw", "iptables", "-L", "FORWARD", "-v", "-x", "-n")
	if f := strings.Fields(grepLine(counters, "INVALID")); len(f) == 0 || f[0] == "0" {
		t.Errorf("fw's conntrack rule dropped nothing:\n%s", counters)
	}
}
