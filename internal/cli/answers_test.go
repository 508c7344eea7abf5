package cli

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Answers every frontend must give alike, because there is one engine: each test is named
// after the wrong answer it pins.

// asymmetricLab is the bundled example: x's traffic to y goes through appliance fw, y's
// answers straight back, so fw sees one direction of every flow.
func asymmetricLab(forwarding string) string {
	if forwarding == "stateful" {
		return examples + "/asymmetric-appliance/lab-stateful.yaml"
	}
	return examples + "/asymmetric-appliance/lab.yaml"
}

// With an appliance on one direction only, ping, trace, reach, check, matrix and live mode
// give one answer (§1.2.5: the VPC drops nothing; §13.13: a stateful appliance's OS drops the
// packets of flows it never saw start). By default (stateless) everything is reachable both
// ways; with 'forwarding: stateful', y's flows to x die at fw, whose only sight of them is
// x's answers, and x's flows to y pass. In live mode fw's own kernel forwards, and a
// connection tracking rule in its namespace is what makes it stateful.
func TestAsymmetricAppliance_SameAnswerEverywhere(t *testing.T) {
	stateful := []string{"fw", "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"}
	for _, tc := range []struct {
		forwarding string
		want       map[string]bool // from>to: reachable
		setup      []string        // in live mode, run first: node, command
	}{
		{"stateless", map[string]bool{"x>y": true, "y>x": true}, nil},
		{"stateful", map[string]bool{"x>y": true, "y>x": false}, stateful},
	} {
		t.Run(tc.forwarding, func(t *testing.T) {
			lab := asymmetricLab(tc.forwarding)
			intents := "- {from: x, to: y, protocol: tcp, port: 22, expect: reachable}\n- {from: y, to: x, protocol: tcp, port: 22, expect: reachable}\n"
			_, checkOut, _ := run("check", "-t", lab, writeTemp(t, "intents.yaml", intents))
			_, csv, _ := run("matrix", "-t", lab, "--protocol", "tcp", "--port", "22", "-o", "csv")
			for pair, want := range tc.want {
				from, to, _ := strings.Cut(pair, ">")
				answers := map[string]bool{}
				code, _, _ := run("ping", "-c", "2", "-t", lab, from, to)
				answers["ping"] = code == 0
				code, _, _ = run("trace", "-t", lab, "--from", from, "--to", to, "--port", "22")
				answers["trace"] = code == 0
				code, _, _ = run("trace", "-t", lab, "--from", from, "--to", to, "--protocol", "icmp")
				answers["trace icmp"] = code == 0
				code, _, _ = run("reach", "-t", lab, "--from", from, "--to", to, "--protocol", "tcp", "--port", "22")
				answers["reach"] = code == 0
				answers["check"] = checkLine(checkOut, from, to, "PASS")
				answers["matrix"] = strings.Contains(csv, ","+from+",") && matrixCell(csv, from, to) == "all"
				for tool, got := range answers {
					if got != want {
						t.Errorf("%s -> %s: %s says reachable=%v, want %v", from, to, tool, got, want)
					}
				}
			}
			liveAnswers(t, lab, tc.want, map[string]string{"x": "10.0.0.10", "y": "10.0.1.10"}, tc.setup)
		})
	}
}

// Across VPCs (§7.1, §7.2) every tool gives one answer too: the peering lab reaches one hop and
// not transitively (PCX-4); the hub-and-spoke lab reaches shared services from a spoke and not
// the other spoke (its spokes table has no route to it). Live mode agrees.
func TestAcrossVPCs_SameAnswerEverywhere(t *testing.T) {
	for _, tc := range []struct {
		lab  string
		want map[string]bool
		ips  map[string]string
	}{
		{examples + "/peering/lab.yaml", map[string]bool{"ia>ib": true, "ib>ia": true, "ia>ic": true, "ib>ic": false, "ic>ib": false},
			map[string]string{"ia": "10.0.1.10", "ib": "10.1.1.10", "ic": "10.2.1.10"}},
		{examples + "/hub-and-spoke/lab.yaml", map[string]bool{"app1>shared-svc": true, "shared-svc>app2": true, "app1>app2": false},
			map[string]string{"app1": "10.1.1.10", "app2": "10.2.1.10", "shared-svc": "10.0.1.10"}},
	} {
		t.Run(tc.lab, func(t *testing.T) {
			var intents strings.Builder
			for pair := range tc.want {
				from, to, _ := strings.Cut(pair, ">")
				intents.WriteString("- {from: " + from + ", to: " + to + ", protocol: tcp, port: 22, expect: reachable}\n")
			}
			_, checkOut, _ := run("check", "-t", tc.lab, writeTemp(t, "intents.yaml", intents.String()))
			_, csv, _ := run("matrix", "-t", tc.lab, "--protocol", "tcp", "--port", "22", "-o", "csv")
			for pair, want := range tc.want {
				from, to, _ := strings.Cut(pair, ">")
				answers := map[string]bool{}
				code, _, _ := run("ping", "-c", "1", "-t", tc.lab, from, to)
				answers["ping"] = code == 0
				code, _, _ = run("trace", "-t", tc.lab, "--from", from, "--to", to, "--port", "22")
				answers["trace"] = code == 0
				code, _, _ = run("reach", "-t", tc.lab, "--from", from, "--to", to, "--protocol", "tcp", "--port", "22")
				answers["reach"] = code == 0
				answers["check"] = checkLine(checkOut, from, to, "PASS")
				answers["matrix"] = matrixCell(csv, from, to) == "all"
				for tool, got := range answers {
					if got != want {
						t.Errorf("%s -> %s: %s says reachable=%v, want %v", from, to, tool, got, want)
					}
				}
			}
			name := liveAnswers(t, tc.lab, tc.want, tc.ips, nil)
			if name == "" || !strings.Contains(tc.lab, "hub-and-spoke") {
				return
			}
			// The data centre beyond the DX gateway, both ways, as the simulated ping says.
			for _, pr := range [][2]string{{"app1", "192.168.1.10"}, {"server", tc.ips["app2"]}} {
				simCode, _, _ := run("ping", "-c", "1", "-t", tc.lab, pr[0], pr[1])
				code, out, errs := run("exec", "--name", name, pr[0], "--", "ping", "-c", "2", "-i", "0.2", "-W", "1", pr[1])
				if simCode != 0 || code != 0 {
					t.Errorf("%s -> %s over Direct Connect: simulated ping exit %d, live ping exit %d, want both 0\n%s%s", pr[0], pr[1], simCode, code, out, errs)
				}
			}
			if _, err := exec.LookPath("traceroute"); err != nil {
				t.Log("live traceroute skipped: traceroute is not installed (.ci/run installs it)")
				return
			}
			// Real traceroute from a spoke to shared services shows the hops the simulation
			// predicts (the transit gateway is not a TTL hop, §7.2.16).
			_, sim, _ := run("traceroute", "-n", "-q", "1", "-t", tc.lab, "app1", tc.ips["shared-svc"])
			code, real, errs := run("exec", "--name", name, "app1", "--", "traceroute", "-n", "-q", "1", "-w", "1", tc.ips["shared-svc"])
			want, got := hopAddrs(sim), hopAddrs(real)
			if code != 0 || len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("live traceroute hops %v, simulated %v (exit %d)\n%s%s", got, want, code, real, errs)
			}
		})
	}
}

// checkLine reports whether check's report says verdict for the intent from -> to.
func checkLine(out, from, to, verdict string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, verdict) && strings.Contains(line, from+" -> "+to) {
			return true
		}
	}
	return false
}

// matrixCell is the verdict of a matrix CSV's line from -> to.
func matrixCell(csv, from, to string) string {
	for _, line := range strings.Split(csv, "\n") {
		f := strings.Split(line, ",")
		if len(f) >= 5 && f[1] == from && f[3] == to {
			return f[4]
		}
	}
	return ""
}

// liveAnswers runs the same pings for real in a lab vpclab up built, when the machine can
// (root, /dev/net/tun, and setup's command if any); elsewhere it says why it skipped them.
// setup, unless nil, is a node and a command run there first (a firewall rule in an
// appliance, whose own kernel forwards). It returns the running lab's name, or "" when it
// skipped.
func liveAnswers(t *testing.T, lab string, want map[string]bool, ips map[string]string, setup []string) string {
	if os.Geteuid() != 0 {
		t.Log("live part skipped: live mode needs root")
		return ""
	}
	if f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0); err != nil {
		t.Logf("live part skipped: %v", err)
		return ""
	} else {
		f.Close()
	}
	if _, err := exec.LookPath("ping"); err != nil {
		t.Log("live part skipped: ping is not installed (.ci/run installs iputils-ping)")
		return ""
	}
	if setup != nil {
		if _, err := exec.LookPath(setup[1]); err != nil {
			t.Logf("live part skipped: %s is not installed (.ci/run installs it)", setup[1])
			return ""
		}
	}
	name := upForeground(t, lab, "ans"+strconv.Itoa(len(lab)))
	if setup != nil {
		if code, out, errs := run(append([]string{"exec", "--name", name, setup[0], "--"}, setup[1:]...)...); code != 0 {
			t.Fatalf("live: %s: %v: exit %d\n%s%s", setup[0], setup[1:], code, out, errs)
		}
	}
	for pair, w := range want {
		from, to, _ := strings.Cut(pair, ">")
		code, out, errs := run("exec", "--name", name, from, "--", "ping", "-c", "2", "-i", "0.2", "-W", "1", ips[to])
		if got := code == 0; got != w {
			t.Errorf("live: %s -> %s: ping says reachable=%v, want %v\n%s%s", from, to, got, w, out, errs)
		}
	}
	return name
}

// hopAddrs are the addresses of traceroute -n's hop lines, in order ("*" for a silent hop).
func hopAddrs(out string) []string {
	var hops []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] != "traceroute" {
			if _, err := strconv.Atoi(f[0]); err == nil {
				hops = append(hops, f[1])
			}
		}
	}
	return hops
}

// A stopped (or stopping, pending, shutting-down, terminated) instance's interfaces carry no
// traffic: ping gets no answer, reach calls it unreachable, and the drop names its state.
func TestStoppedInstancesAnswerNothing(t *testing.T) {
	lab := writeTemp(t, "stopped.yaml", `vpc: {name: v, cidr: 10.0.0.0/16}
subnets:
  a: {cidr: 10.0.0.0/24}
security_groups:
  open: {ingress: [{protocol: all, cidr: 0.0.0.0/0}]}
instances:
  x: {subnet: a, private_ip: 10.0.0.10, security_groups: [open]}
  old: {subnet: a, private_ip: 10.0.0.20, security_groups: [open], state: stopped}
`)
	code, _, errs := run("ping", "-c", "1", "-t", lab, "x", "old")
	if code != 1 || !strings.Contains(errs, "BAD_STATE") || !strings.Contains(errs, "is stopped") {
		t.Errorf("ping: exit %d, stderr %q; want 1 and BAD_STATE naming the state", code, errs)
	}
	code, out, _ := run("trace", "-t", lab, "--from", "x", "--to", "old", "--port", "22")
	if code != 1 || !strings.Contains(out, "is stopped") {
		t.Errorf("trace: exit %d\n%s", code, out)
	}
	code, out, _ = run("reach", "-t", lab, "--from", "x", "--to", "old")
	if code != 1 || strings.Contains(out, ": reachable") || !strings.Contains(out, "BAD_STATE") {
		t.Errorf("reach: exit %d\n%s", code, out)
	}
	code, _, _ = run("ping", "-c", "1", "-t", lab, "old", "x")
	if code != 1 {
		t.Errorf("ping from a stopped instance: exit %d, want 1", code)
	}
}

// trace --protocol 0 sends protocol 0; it used to become TCP to port 80.
func TestTraceProtocolZeroIsTakenLiterally(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	code, out, _ := run("trace", "-t", lab, "--from", "source", "--to", "destination", "--protocol", "0")
	if strings.Contains(out, "tcp") || !strings.Contains(out, "protocol 0") {
		t.Errorf("exit %d\n%s\nwant a packet of protocol 0", code, out)
	}
	code, _, errs := run("trace", "-t", lab, "--from", "source", "--to", "destination", "--protocol", "47", "--port", "443")
	if code != ExitBadInput || !strings.Contains(errs, "--port 443: protocol 47 has no ports") {
		t.Errorf("--port with a protocol without ports: exit %d, stderr %q; want 2 and a message", code, errs)
	}
	code, out, _ = run("trace", "-t", lab, "--from", "source", "--to", "destination", "--port", "0")
	if !strings.Contains(out, "10.0.1.55:0 ") {
		t.Errorf("--port 0: exit %d\n%s\nwant port 0", code, out)
	}
}

// From the internet, an address given explicitly is taken literally: a private IP is not
// rewritten to the instance's public IP, and the internet gateway drops it (§3.4). A name
// still resolves to the public IP (TestTraceFromInternetUsesThePublicIP).
func TestFromInternetExplicitPrivateAddressIsLiteral(t *testing.T) {
	lab := writeTemp(t, "pub.yaml", `vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  pub: {cidr: 10.0.0.0/24, route_table: rt}
route_tables:
  rt: {routes: {0.0.0.0/0: igw}}
security_groups:
  web: {ingress: [{protocol: all, cidr: 0.0.0.0/0}]}
instances:
  www: {subnet: pub, private_ip: 10.0.0.10, public_ip: 198.51.100.7, security_groups: [web]}
`)
	code, out, _ := run("trace", "-t", lab, "--from", "internet", "--to", "10.0.0.10", "--port", "443")
	if code != 1 || !strings.Contains(out, "> 10.0.0.10:443") || strings.Contains(out, "198.51.100.7") ||
		!strings.Contains(out, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS") {
		t.Errorf("trace: exit %d\n%s\nwant the private address kept and dropped at the IGW", code, out)
	}
	code, out, _ = run("reach", "-t", lab, "--from", "internet", "--to", "10.0.0.10", "--protocol", "tcp", "--port", "443")
	if code != 1 || !strings.Contains(out, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS") {
		t.Errorf("reach: exit %d\n%s", code, out)
	}
	if code, _, _ := run("ping", "-c", "1", "-t", lab, "internet", "10.0.0.10"); code != 1 {
		t.Errorf("ping: exit %d, want 1", code)
	}
	if code, _, _ := run("ping", "-c", "1", "-t", lab, "internet", "www"); code != 0 {
		t.Errorf("ping www by name: exit %d, want 0", code)
	}
}

// check's via names a transit gateway and its attachments, not only the route table a hop
// shows: the path from a spoke to shared services crosses hub, the spoke1 attachment (in) and
// the spokes table, and not the data centre's attachment.
func TestCheckViaTransitGateway(t *testing.T) {
	lab := examples + "/hub-and-spoke/lab.yaml"
	intents := writeTemp(t, "intents.yaml", `- {from: app1, to: shared-svc, protocol: tcp, port: 22, via: [hub], expect: reachable}
- {from: app1, to: shared-svc, protocol: tcp, port: 22, via: [spoke1, spokes], expect: reachable}
- {from: app1, to: shared-svc, protocol: tcp, port: 22, via: [dc], expect: reachable}
`)
	code, out, _ := run("check", "-t", lab, intents)
	if code != 1 || !strings.Contains(out, "intents.yaml:1  app1 -> shared-svc") || !strings.Contains(out, "3 intent(s): 2 passed, 1 failed") ||
		!strings.Contains(out, "does not cross dc") {
		t.Errorf("check: exit %d\n%s", code, out)
	}
}

// TGW-6 and TGW-7 on the bundled example: without appliance mode the answer dies at the other
// zone's firewall and trace names Reachability Analyzer's advice, in text and JSON; with it,
// the flow is inspected by one firewall both ways.
func TestTGWInspectionExample(t *testing.T) {
	lab := examples + "/tgw-inspection/lab.yaml"
	code, out, _ := run("trace", "-t", lab, "--from", "x", "--to", "y", "--port", "22")
	if code != 1 || !strings.Contains(out, "No path back: VPCLAB_ASYMMETRIC_INSPECTION at i-") ||
		!strings.Contains(out, "  TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED at tgw-attach-") {
		t.Errorf("trace without appliance mode: exit %d\n%s", code, out)
	}
	_, js, _ := run("trace", "-t", lab, "--from", "x", "--to", "y", "--port", "22", "-o", "json")
	if !strings.Contains(js, `"ExplanationCode": "TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED"`) {
		t.Errorf("the JSON should carry the advice as an explanation:\n%s", js)
	}
	code, out, _ = run("trace", "-t", examples+"/tgw-inspection/lab-appliance-mode.yaml", "--from", "x", "--to", "y", "--port", "22")
	if code != 0 || !strings.Contains(out, "Path found. y receives the packet") {
		t.Errorf("trace with appliance mode: exit %d\n%s", code, out)
	}
}
