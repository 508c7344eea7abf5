package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/live"
)

// The seed-000 experiment twice, in one test: simulated (vpclab ping, traceroute, --capture)
// and real (iputils ping, traceroute, tcpdump inside a lab vpclab up built). Both must tell
// the same story. Needs root and /dev/net/tun; skips elsewhere.

func needLive(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live mode needs root (network namespaces, TAP devices): run the tests as root, as .ci/run does")
	}
	if f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0); err != nil {
		t.Skipf("live mode tests need /dev/net/tun: %v", err)
	} else {
		f.Close()
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it: apt-get install iputils-ping traceroute tcpdump curl)", tool)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to write from a command while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// upForeground runs 'vpclab up --foreground' until the test ends and returns the lab's name
// once it is up.
func upForeground(t *testing.T, topo, suffix string) string {
	t.Helper()
	name := fmt.Sprintf("c%d-%s", os.Getpid(), suffix)
	t.Cleanup(func() { // registered first, so it runs after the lab is stopped
		if left, _ := filepath.Glob("/run/netns/" + live.NamespacePrefix(name) + "*"); len(left) > 0 {
			t.Errorf("the lab left namespaces behind: %v", left)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- Main(ctx, []string{"up", "--foreground", "-t", topo, "--name", name}, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("vpclab up --foreground ended with status %d\n%s", code, errb.String())
		}
		live.Down(name) // in case the foreground teardown failed; normally there is nothing left
	})
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("vpclab up ended with status %d\n%s%s", code, out.String(), errb.String())
		default:
		}
		if m, err := live.ReadManifest(name); err == nil && m.Ready {
			return name
		}
	}
	t.Fatal("the lab did not come up in 30 s")
	return ""
}

var (
	ttlField = regexp.MustCompile(`icmp_seq=\d+ ttl=(\d+)`)
	lossLine = regexp.MustCompile(`(\d+)% packet loss`)
	echoLine = regexp.MustCompile(`IP (\S+) > (\S+): ICMP echo request`)
)

// pingSummary is what ping output says: the TTL of every reply and the loss.
func pingSummary(out string) string {
	var ttls []string
	for _, m := range ttlField.FindAllStringSubmatch(out, -1) {
		ttls = append(ttls, m[1])
	}
	loss := "?"
	if m := lossLine.FindStringSubmatch(out); m != nil {
		loss = m[1]
	}
	return fmt.Sprintf("ttls=%v loss=%s%%", ttls, loss)
}

// hops is the first address of each hop line of traceroute -n output.
func hops(out string) []string {
	var hs []string
	for _, line := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(line)
		for _, x := range f[min(1, len(f)):] {
			if x != "*" && strings.Count(x, ".") == 3 {
				hs = append(hs, x)
				break
			}
		}
	}
	return hs
}

func TestLiveSeed000MatchesSimulation(t *testing.T) {
	needLive(t, "ping", "traceroute", "tcpdump")
	topo := examples + "/east-west-nat/lab.yaml"
	lab := upForeground(t, topo, "000")
	both := func(sim, real []string) (simCode int, simOut string, realCode int, realOut string) {
		t.Helper()
		simCode, simOut, _ = run(append(sim, "-t", topo)...)
		realCode, realOut, _ = run(append([]string{"exec", "--name", lab}, real...)...)
		t.Logf("vpclab %s\n%s", strings.Join(real, " "), realOut)
		return
	}

	// traceroute -n 10.0.1.55: hop 1 the NAT gateway's private IP, hop 2 the destination.
	sc, so, rc, ro := both([]string{"traceroute", "-n", "source", "10.0.1.55"},
		[]string{"source", "--", "traceroute", "-n", "10.0.1.55"})
	want := "10.0.2.149 10.0.1.55"
	if got := strings.Join(hops(so), " "); sc != 0 || got != want {
		t.Errorf("simulated traceroute: exit %d, hops %s, want %s\n%s", sc, got, want, so)
	}
	if got := strings.Join(hops(ro), " "); rc != 0 || got != want {
		t.Errorf("real traceroute: exit %d, hops %s, want %s\n%s", rc, got, want, ro)
	}

	// ping -c 3: every reply with ttl=254 (AL2's 255, less the NAT gateway's hop).
	sc, so, rc, ro = both([]string{"ping", "-c", "3", "source", "10.0.1.55"},
		[]string{"source", "--", "ping", "-c", "3", "-i", "0.2", "10.0.1.55"})
	want = "ttls=[254 254 254] loss=0%"
	if got := pingSummary(so); sc != 0 || got != want {
		t.Errorf("simulated ping: exit %d, %s, want %s\n%s", sc, got, want, so)
	}
	if got := pingSummary(ro); rc != 0 || got != want {
		t.Errorf("real ping: exit %d, %s, want %s\n%s", rc, got, want, ro)
	}

	// tcpdump on the destination: the request comes from the NAT gateway's private IP.
	_, so, _ = run("ping", "-c", "1", "-t", topo, "source", "10.0.1.55", "--capture", "destination")
	var dump, dumpErr syncBuffer
	cmd := exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-i", "eth0", "-c", "1", "icmp[icmptype] == icmp-echo")
	cmd.Stdout, cmd.Stderr = &dump, &dumpErr
	if err := live.Start(lab, "destination", cmd); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); !strings.Contains(dumpErr.String(), "listening on") && time.Since(start) < 5*time.Second; {
		time.Sleep(20 * time.Millisecond)
	}
	run("exec", "--name", lab, "source", "--", "ping", "-c", "1", "10.0.1.55")
	cmd.Wait()
	t.Logf("tcpdump on the destination:\n%s", dump.String())
	simSeen, realSeen := echoLine.FindStringSubmatch(so), echoLine.FindStringSubmatch(dump.String())
	if simSeen == nil || simSeen[1] != "10.0.2.149" {
		t.Errorf("simulated capture on the destination: %v\n%s", simSeen, so)
	}
	if realSeen == nil || realSeen[1] != "10.0.2.149" {
		t.Errorf("tcpdump on the destination: %v\n%s%s", realSeen, dump.String(), dumpErr.String())
	}

	// Ping the NAT gateway itself: no answer (§2.3.2). Ping from the destination to the
	// source: the reply is source-NATed on its way back and never matches (§2.2.6).
	for _, c := range []struct{ from, to string }{{"source", "10.0.2.149"}, {"destination", "10.0.0.11"}} {
		sc, so, rc, ro = both([]string{"ping", "-c", "2", c.from, c.to},
			[]string{c.from, "--", "ping", "-c", "2", "-i", "0.2", "-W", "1", c.to})
		want = "ttls=[] loss=100%"
		if got := pingSummary(so); sc != 1 || got != want {
			t.Errorf("simulated ping %s -> %s: exit %d, %s, want %s\n%s", c.from, c.to, sc, got, want, so)
		}
		if got := pingSummary(ro); rc != 1 || got != want {
			t.Errorf("real ping %s -> %s: exit %d, %s, want %s\n%s", c.from, c.to, rc, got, want, ro)
		}
	}

	// The destination's security group narrowed to the source subnet: 100% loss (§2.3.7).
	narrowed := examples + "/east-west-nat/lab-sg-narrowed.yaml"
	lab2 := upForeground(t, narrowed, "narrowed")
	sc, so, _ = run("ping", "-c", "2", "-t", narrowed, "source", "10.0.1.55")
	rc, ro, _ = run("exec", "--name", lab2, "source", "--", "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.0.1.55")
	want = "ttls=[] loss=100%"
	if got := pingSummary(so); sc != 1 || got != want {
		t.Errorf("simulated ping, narrowed group: exit %d, %s, want %s\n%s", sc, got, want, so)
	}
	if got := pingSummary(ro); rc != 1 || got != want {
		t.Errorf("real ping, narrowed group: exit %d, %s, want %s\n%s", rc, got, want, ro)
	}
}

// TestLiveCommandsBadInput: live commands say what is wrong and exit 2.
func TestLiveCommandsBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"up", "-t", examples + "/east-west-nat/lab.yaml", "--name", "bad/name"}, "lab name"},
		{[]string{"up", "-t", examples + "/east-west-nat/lab.yaml", "--link", "wifi"}, "--link"},
		{[]string{"exec", "--name", "nosuchlab0", "source", "--", "true"}, "no such lab"},
		{[]string{"exec"}, "requires at least 1 arg"},
		{[]string{"status", "--name", "nosuchlab0"}, "no such lab"},
	} {
		code, _, errs := run(c.args...)
		if os.Geteuid() != 0 && c.args[0] == "up" {
			c.want = "needs root"
		}
		if code != ExitBadInput || !strings.Contains(errs, c.want) {
			t.Errorf("vpclab %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}
