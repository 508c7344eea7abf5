package live

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// gwlbLab is §15 design D3: web (10.0.1.10, public 54.0.0.10) behind GWLB endpoint gwlbe-a
// in AZ a, whose GWLB node sends each flow in GENEVE to appliance fw-a (10.1.0.10); the
// internet host client is 198.51.100.7.
const gwlbLab = "../../examples/gwlb-north-south/lab.yaml"

// TestLiveGWLBTargetKernelDecides (§13.9-10, GWLB-1/2 live): the dataplane runs the GWLB
// tunnel handler in the targets' namespaces by itself, so curl from the internet to web passes through fw-a, whose eth0 sees
// the flow in GENEVE on UDP 6081 with AWS's options and whose gwlb0 sees it decapsulated,
// addresses unchanged; web sees the client's own address (the GWLB is transparent). An
// iptables DROP rule in fw-a's FORWARD chain for TCP 443 stops the flow, as on a real
// appliance; deleted, the flow passes again. Two megabytes cross it whole.
func TestLiveGWLBTargetKernelDecides(t *testing.T) {
	needLive(t, "curl", "tcpdump")
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is not installed (.ci/run installs it: apt-get install iptables)")
	}
	n := loadNet(t, gwlbLab)
	log := &logBuffer{t: t}
	m := upNet(t, n, gwlbLab, LinkAuto, true, log.logf)
	srv := exec.Command(os.Args[0])
	srv.Env = append(os.Environ(), envHTTP+"=:443")
	startIn(t, m.Lab, "web", srv)

	var geneve, inner, dumpErr bytes.Buffer
	for dev, buf := range map[string]*bytes.Buffer{"eth0": &geneve, "gwlb0": &inner} {
		filter := "udp port 6081"
		if dev == "gwlb0" {
			filter = "tcp port 443 and tcp[tcpflags] & tcp-syn != 0"
		}
		var dump *exec.Cmd
		for range 20 { // gwlb0 appears once the handler is up
			dump = exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-v", "-i", dev, "-c", "2", filter)
			dump.Stdout, dump.Stderr = buf, &dumpErr
			if err := Start(m.Lab, "fw-a", dump); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if dump.ProcessState == nil && !strings.Contains(dumpErr.String(), "No such device") {
				break
			}
			dump.Wait()
			dumpErr.Reset()
		}
		t.Cleanup(func() { dump.Process.Kill(); dump.Wait() })
	}
	time.Sleep(500 * time.Millisecond) // tcpdump opens its sockets

	curl := func(timeout string) (string, int) {
		return run(t, m.Lab, "client", "curl", "-sS", "-m", timeout, "http://54.0.0.10:443/")
	}
	var out string
	var code int
	for range 30 { // the server and the handlers may still be starting
		if out, code = curl("3"); code == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != 0 || strings.TrimSpace(out) != "198.51.100.7" {
		t.Fatalf("curl client -> web through the GWLB: exit %d, web saw %q, want 198.51.100.7\n%s", code, strings.TrimSpace(out), log.String())
	}
	time.Sleep(300 * time.Millisecond)
	if !regexp.MustCompile(`10\.1\.0\.\d+\.\d+ > 10\.1\.0\.10\.6081: .*Geneve`).MatchString(geneve.String()) {
		t.Errorf("fw-a's eth0 did not see GENEVE from the GWLB node:\n%s%s", geneve.String(), dumpErr.String())
	}
	if !regexp.MustCompile(`198\.51\.100\.7\.\d+ > 10\.0\.1\.10\.443: Flags \[S\]`).MatchString(inner.String()) {
		t.Errorf("fw-a's gwlb0 did not see the client's SYN with its original addresses:\n%s%s", inner.String(), dumpErr.String())
	}

	// A bulk transfer: the lab's devices take no segmentation offload, so every segment fits
	// GENEVE whole (§13.11).
	if out, code := run(t, m.Lab, "client", "curl", "-sS", "-m", "10", "-o", "/dev/null", "-w", "%{size_download}", "http://54.0.0.10:443/bytes/2000000"); code != 0 || out != "2000000" {
		t.Errorf("2 MB through the GWLB: exit %d, got %q bytes\n%s", code, out, log.String())
	}

	rule := []string{"FORWARD", "-p", "tcp", "--dport", "443", "-j", "DROP"}
	if out, code := run(t, m.Lab, "fw-a", append([]string{"iptables", "-A"}, rule...)...); code != 0 {
		t.Skipf("iptables cannot add a rule in a namespace here: exit %d\n%s", code, out)
	}
	if out, code := curl("2"); code != 28 {
		t.Errorf("curl through fw-a's DROP rule: exit %d, want 28 (timed out)\n%s", code, out)
	}
	run(t, m.Lab, "fw-a", append([]string{"iptables", "-D"}, rule...)...)
	if out, code := curl("5"); code != 0 {
		t.Errorf("curl once the rule is gone: exit %d\n%s", code, out)
	}
}
