package live

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
)

// The tests in this file build real labs: they need root, /dev/net/tun and the tools they
// drive (iputils ping, traceroute, tcpdump, curl), as .ci/run installs them. Elsewhere they
// skip and say why.

// Environment variables that turn this test binary into a helper process.
const (
	// envHTTP: serve HTTP on this address, answering with the client's address (/), the
	// node the server runs in (/node), or N zero bytes (/bytes/N).
	envHTTP = "VPCLAB_TEST_HTTP"
)

func TestMain(m *testing.M) {
	if lab := os.Getenv(EnvDataplane); lab != "" {
		// Up re-executes the test binary as the background dataplane.
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		err := ServeDataplane(ctx, lab)
		stop()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if addr := os.Getenv(envHTTP); addr != "" {
		http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/node" { // which namespace answered: Start names it
				fmt.Fprintln(w, os.Getenv("VPCLAB_NODE"))
				return
			}
			if n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/")); err == nil {
				w.Write(make([]byte, n)) // a bulk transfer
				return
			}
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			fmt.Fprintln(w, host)
		}))
		os.Exit(1)
	}
	code := m.Run()
	if left := leftovers(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the tests left namespaces behind: %s\n", strings.Join(left, " "))
		code = 1
	}
	os.Exit(code)
}

// testPrefix starts the name of every lab this test binary makes.
var testPrefix = fmt.Sprintf("t%d", os.Getpid())

var labSeq atomic.Int32

// leftovers lists the namespaces of this binary's labs that still exist.
func leftovers() []string {
	names, _ := filepath.Glob(filepath.Join(netnsDir, "vpclab-"+testPrefix+"*"))
	return names
}

// needLive skips the test unless live labs can be built here, with these tools.
func needLive(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live mode needs root (network namespaces, TAP devices): run the tests as root, as .ci/run does")
	}
	if err := tapUsable(); err != nil {
		t.Skipf("live mode tests need /dev/net/tun: %v", err)
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it: apt-get install iputils-ping traceroute tcpdump curl)", tool)
		}
	}
}

// up starts a lab with a unique name, in the background (the test binary re-executed) or in
// the foreground (this process), and removes it when the test ends.
func up(t *testing.T, topo, link string, foreground bool) *Manifest {
	t.Helper()
	return upNet(t, loadNet(t, topo), topo, link, foreground, t.Logf)
}

// upNet starts a lab of a compiled network as up does; topo is "" for a topology built in
// memory (foreground only), and logf receives the lab's notes and, in the foreground, the
// dataplane's log.
func upNet(t *testing.T, n *engine.Network, topo, link string, foreground bool, logf func(string, ...any)) *Manifest {
	t.Helper()
	name := fmt.Sprintf("%s-%d", testPrefix, labSeq.Add(1))
	t.Cleanup(func() {
		if err := Down(name); err != nil && !strings.Contains(err.Error(), ErrNoLab.Error()) {
			t.Errorf("down %s: %v", name, err)
		}
	})
	o := UpOptions{Name: name, Link: link, Foreground: foreground, Logf: logf}
	if !foreground {
		m, err := Up(context.Background(), n, topo, o)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *Manifest, 1)
	done := make(chan error, 1)
	o.OnReady = func(m *Manifest) { ready <- m }
	go func() { _, err := Up(ctx, n, topo, o); done <- err }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("foreground lab %s: %v", name, err)
		}
	})
	select {
	case m := <-ready:
		return m
	case err := <-done:
		t.Fatalf("foreground lab %s: %v", name, err)
	}
	return nil
}

// run runs a command in a node of a lab and returns its output and exit status.
func run(t *testing.T, lab, node string, argv ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code, err := Exec(lab, node, argv, nil, &out, &out)
	if err != nil {
		t.Fatalf("exec %s %v: %v", node, argv, err)
	}
	return out.String(), code
}

// startIn starts a command in a node and stops it when the test ends.
func startIn(t *testing.T, lab, node string, cmd *exec.Cmd) {
	t.Helper()
	if err := Start(lab, node, cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// TestSeed001Curl: curl from the private instance reaches a declared internet host, which sees
// the NAT gateway's Elastic IP, and an on-premises host, which sees its private IP (§10 (b)).
func TestSeed001Curl(t *testing.T) {
	needLive(t, "curl")
	m := up(t, "../../examples/nat-to-direct-connect/lab.yaml", LinkAuto, false)
	for _, host := range []string{"web", "serverB"} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envHTTP+"=:80")
		startIn(t, m.Lab, host, cmd)
	}
	for _, c := range []struct{ url, want string }{
		{"http://198.51.100.80/", "203.0.113.10"}, // web: the Elastic IP (§2.2.1, §3.1)
		{"http://192.168.1.10/", "10.0.0.100"},    // serverB: the private IP (§2.4)
	} {
		var out string
		var code int
		for range 20 { // the server may still be starting
			if out, code = run(t, m.Lab, "database-server", "curl", "-sS", "-m", "5", c.url); code == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("curl %s: exit %d, the server saw %q, want %q", c.url, code, strings.TrimSpace(out), c.want)
		}
	}
}

// TestKilledDataplaneLeavesNothing: after SIGKILL of the background dataplane, the devices are
// gone with it and down removes the namespaces; nothing of the lab remains.
func TestKilledDataplaneLeavesNothing(t *testing.T) {
	needLive(t, "ping")
	m := up(t, seed000, LinkTAP, false)
	if out, code := run(t, m.Lab, "source", "ping", "-c", "1", "-W", "2", "10.0.1.55"); code != 0 {
		t.Fatalf("ping before the kill: exit %d\n%s", code, out)
	}
	if err := syscall.Kill(m.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; m.Running(); i++ {
		if i == 100 {
			t.Fatal("the dataplane survived SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := Exec(m.Lab, "source", []string{"true"}, nil, nil, nil); err == nil {
		t.Error("exec into a lab whose dataplane is dead did not say so")
	}
	if err := Down(m.Lab); err != nil {
		t.Fatal(err)
	}
	for _, ns := range m.Namespaces {
		if namespaceExists(ns) {
			t.Errorf("namespace %s is still there", ns)
		}
	}
	if _, err := os.Stat(LabDir(m.Lab)); !os.IsNotExist(err) {
		t.Errorf("%s is still there", LabDir(m.Lab))
	}
}

// TestCrashedLabIsCleanedByUp: up of a name whose dataplane died removes the old lab first.
func TestCrashedLabIsCleanedByUp(t *testing.T) {
	needLive(t)
	m := up(t, seed000, LinkTAP, false)
	syscall.Kill(m.PID, syscall.SIGKILL)
	for m.Running() {
		time.Sleep(20 * time.Millisecond)
	}
	var notes []string
	m2, err := Up(context.Background(), loadNet(t, seed000), seed000, UpOptions{Name: m.Lab, Link: LinkTAP,
		Logf: func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	if !m2.Running() || len(notes) == 0 || !strings.Contains(notes[0], "removing what is left") {
		t.Errorf("running %v, notes %q", m2.Running(), notes)
	}
	if _, err := Up(context.Background(), loadNet(t, seed000), seed000, UpOptions{Name: m.Lab}); err == nil || !strings.Contains(err.Error(), "already up") {
		t.Errorf("a second up of a running lab: %v", err)
	}
}

// TestVethFallback: the lab works over veth pairs and AF_PACKET sockets, as where TAP devices
// cannot be made; seed 000's NAT gateway is hop 1 and replies come with ttl=254.
func TestVethFallback(t *testing.T) {
	needLive(t, "ping", "traceroute")
	m := up(t, seed000, LinkVeth, true)
	if m.Link != LinkVeth {
		t.Fatalf("link %s", m.Link)
	}
	out, code := run(t, m.Lab, "source", "ping", "-c", "2", "-i", "0.2", "10.0.1.55")
	if code != 0 || !strings.Contains(out, "ttl=254") {
		t.Errorf("ping: exit %d\n%s", code, out)
	}
	out, _ = run(t, m.Lab, "source", "traceroute", "-n", "-q", "1", "10.0.1.55")
	if hops := tracerouteHops(out); strings.Join(hops, " ") != "10.0.2.149 10.0.1.55" {
		t.Errorf("traceroute hops %v\n%s", hops, out)
	}
	bulk(t, m)
}

// TestBulkTCPThroughNAT: 20 MB over HTTP from the destination back through seed 000's NAT
// gateway. Over TAP the kernel hands over TSO super-packets with partial checksums, which
// the dataplane rewrites in place; a checksum gone wrong would stall the transfer.
func TestBulkTCPThroughNAT(t *testing.T) {
	needLive(t, "curl")
	bulk(t, up(t, seed000, LinkTAP, false))
}

func bulk(t *testing.T, m *Manifest) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envHTTP+"=:80")
	startIn(t, m.Lab, "destination", cmd)
	const size = 20 << 20
	url := fmt.Sprintf("http://10.0.1.55/bytes/%d", size)
	var out string
	var code int
	for range 20 {
		if out, code = run(t, m.Lab, "source", "curl", "-sS", "-m", "20", "-o", "/dev/null", "-w", "%{size_download}", url); code != 7 {
			break // 7: connection refused, the server is still starting
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 0 || strings.TrimSpace(out) != strconv.Itoa(size) {
		t.Errorf("curl %s: exit %d, %s bytes", url, code, out)
	}
}

// tracerouteHops returns the first address of each hop line of traceroute -n output.
func tracerouteHops(out string) []string {
	var hops []string
	for _, line := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(line)
		for _, x := range f[min(1, len(f)):] {
			if net.ParseIP(x) != nil {
				hops = append(hops, x)
				break
			}
		}
	}
	return hops
}

// TestReverseFlowBreaks: a connection the destination starts towards the source fails. The
// SYN arrives directly (the local route), but the source's route table sends the SYN-ACK
// through the NAT gateway, which translates it: the destination receives an answer from an
// address it never contacted (10.0.2.149), as on AWS.
func TestReverseFlowBreaks(t *testing.T) {
	needLive(t, "curl", "tcpdump")
	m := up(t, seed000, LinkTAP, false)
	srv := exec.Command(os.Args[0])
	srv.Env = append(os.Environ(), envHTTP+"=:80")
	startIn(t, m.Lab, "source", srv)
	var dump, dumpErr bytes.Buffer
	tcpdump := exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-i", "eth0", "-c", "1",
		"tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)")
	tcpdump.Stdout, tcpdump.Stderr = &dump, &dumpErr
	if err := Start(m.Lab, "destination", tcpdump); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // tcpdump opens its socket
	out, code := run(t, m.Lab, "destination", "curl", "-sS", "-m", "3", "http://10.0.0.11/")
	tcpdump.Wait()
	if code == 0 {
		t.Errorf("curl from the destination to the source succeeded: %s", out)
	}
	if !regexp.MustCompile(`IP 10\.0\.2\.149\.\d+ > 10\.0\.1\.55\.\d+: Flags \[S\.\]`).MatchString(dump.String()) {
		t.Errorf("the destination did not see the SYN-ACK come from the NAT gateway:\n%s%s", dump.String(), dumpErr.String())
	}
}
