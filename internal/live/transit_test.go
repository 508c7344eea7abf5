package live

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Several VPCs joined by peering and a transit gateway (labs_test.go), first frame by frame
// without root, then with real ping, traceroute, curl and tcpdump in namespaces.

// TestPlanSeveralVPCs: every instance gets a namespace of its own, whatever VPC it is in and
// however its addresses repeat those of another VPC; the transit gateway's interfaces get
// none (the engine plays the transit gateway).
func TestPlanSeveralVPCs(t *testing.T) {
	p, err := PlanLab(overlapLab(t).Topology, "unit")
	if err != nil {
		t.Fatal(err)
	}
	b, c := p.Node("b"), p.Node("c")
	if len(p.Nodes) != 4 || b == nil || c == nil {
		t.Fatalf("plan: %d nodes, b %v, c %v", len(p.Nodes), b, c)
	}
	if b.Namespace == c.Namespace || b.Ports[0].MAC == c.Ports[0].MAC || b.Ports[0].ENI == c.Ports[0].ENI {
		t.Errorf("b and c share a namespace, MAC or ENI: %+v %+v", b, c)
	}
	want := netip.MustParsePrefix("10.1.1.10/24")
	if b.Ports[0].Addrs[0] != want || c.Ports[0].Addrs[0] != want {
		t.Errorf("b %v, c %v: want both %s", b.Ports[0].Addrs, c.Ports[0].Addrs, want)
	}

	n := hubLab(t)
	p, err = PlanLab(n.Topology, "unit")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, node := range p.Nodes {
		names = append(names, node.Name)
		for _, port := range node.Ports {
			if e := n.Topology.ENI(port.ENI); e == nil || e.Type.ServiceManaged() {
				t.Errorf("%s %s is network interface %s, not an instance's", node.Name, port.Device, port.ENI)
			}
		}
	}
	if strings.Join(names, " ") != "spoke1 spoke2" {
		t.Errorf("namespaces for %v, want spoke1 and spoke2 only", names)
	}
}

func echo(src, dst string) packet.Packet {
	return packet.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: packet.ProtoICMP, TTL: 255,
		ID: 1, ICMPType: packet.ICMPEchoRequest, ICMPID: 7, ICMPSeq: 1, PayloadLen: 56}
}

func echoReply(req packet.Packet) packet.Packet {
	r := req
	r.Src, r.Dst, r.ICMPType = req.Dst, req.Src, packet.ICMPEchoReply
	return r
}

// expectOnly checks that exactly one node of the fake lab received a frame, and returns it.
func (f *fakeLab) expectOnly(node string) packet.Packet {
	f.t.Helper()
	p, _ := f.recvIP(node)
	for other := range f.peer {
		if other != node && f.recv(other) != nil {
			f.t.Errorf("%s received a frame too", other)
		}
	}
	return p
}

// TestOverlappingPeersByDevice: B and C are both 10.1/16 and their instances both hold
// 10.1.1.10. The dataplane takes each packet in at the device it came from and hands it to
// the ENI the engine delivered it to, so the same addresses reach different namespaces: a1's
// route table leads to B, a2's to C, and each answer comes back over its own peering. A reply
// follows the replier's routes, not the path the request took (§7.1.8): a1 answers c's ping
// towards B, and b's namespace gets it.
func TestOverlappingPeersByDevice(t *testing.T) {
	f := newFakeLabNet(t, overlapLab(t))
	req := echo("10.0.1.10", "10.1.1.10")
	f.sendIP("a1", req)
	f.expectOnly("b")
	f.sendIP("b", echoReply(req))
	f.expectOnly("a1")

	req = echo("10.0.2.10", "10.1.1.10")
	f.sendIP("a2", req)
	f.expectOnly("c")
	f.sendIP("c", echoReply(req))
	f.expectOnly("a2")

	req = echo("10.1.1.10", "10.0.1.10")
	f.sendIP("c", req)
	f.expectOnly("a1")
	f.sendIP("a1", echoReply(req))
	if got := f.expectOnly("b"); got.Src != req.Dst || got.ICMPType != packet.ICMPEchoReply {
		t.Errorf("b received %s", got.String())
	}
}

// TestTransitGatewayInterfaceAnswersNothing: the transit gateway's interface in a spoke has
// no namespace; a ping to its address dies in the engine, and the log says so.
func TestTransitGatewayInterfaceAnswersNothing(t *testing.T) {
	f := newFakeLabNet(t, hubLab(t))
	f.sendIP("spoke1", echo("10.1.1.10", "10.2.1.5"))
	for node := range f.peer {
		if f.recv(node) != nil {
			t.Errorf("%s received a frame", node)
		}
	}
	if len(f.logs) != 1 || !strings.Contains(f.logs[0], engine.CodeNoPossibleDestination+" at eni-tgw-spoke2") {
		t.Errorf("log %q, want one line naming %s at eni-tgw-spoke2", f.logs, engine.CodeNoPossibleDestination)
	}
}

// TestTransitivePeeringDropLogged: B routes C's block to its peering with A; the packet dies
// crossing into A, and the dataplane's log names the engine's code.
func TestTransitivePeeringDropLogged(t *testing.T) {
	f := newFakeLabNet(t, peeringLab(t))
	f.sendIP("b", echo("10.1.1.10", "10.2.1.10"))
	for node := range f.peer {
		if f.recv(node) != nil {
			t.Errorf("%s received a frame", node)
		}
	}
	if len(f.logs) != 1 || !strings.Contains(f.logs[0], engine.CodePCXAddressNotInVPC) {
		t.Errorf("log %q, want one line naming %s", f.logs, engine.CodePCXAddressNotInVPC)
	}
}

// simPing runs the simulator's ping of one echo request from one node to another and
// returns its output and the codes of the drops it explained.
func simPing(tb testing.TB, n *engine.Network, from, to string) (out string, received int, codes []string) {
	tb.Helper()
	s := tools.NewSim(n, 1)
	s.OnDrop = func(r *engine.Result) { codes = append(codes, r.Code) }
	var w bytes.Buffer
	res := s.Ping(&w, endpoint(tb, s, from), endpoint(tb, s, to), tools.PingOptions{Count: 1})
	return w.String(), res.Received, codes
}

// simTraceroute is the simulator's traceroute -n -q 1 between two nodes: its hop addresses.
func simTraceroute(tb testing.TB, n *engine.Network, from, to string) ([]string, string) {
	tb.Helper()
	s := tools.NewSim(n, 1)
	var w bytes.Buffer
	s.Traceroute(&w, endpoint(tb, s, from), endpoint(tb, s, to), tools.TracerouteOptions{Numeric: true, Queries: 1})
	return tracerouteHops(w.String()), w.String()
}

func endpoint(tb testing.TB, s *tools.Sim, name string) tools.Endpoint {
	tb.Helper()
	ep, err := s.Resolve(name)
	if err != nil {
		tb.Fatal(err)
	}
	return ep
}

// logBuffer collects a foreground dataplane's log.
type logBuffer struct {
	t  *testing.T
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	fmt.Fprintf(&l.b, format+"\n", args...)
	l.mu.Unlock()
	l.t.Logf(format, args...)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// liveTraceroute compares real traceroute -n with the simulator's, hop by hop.
func liveTraceroute(t *testing.T, m *Manifest, n *engine.Network, from, to string) {
	t.Helper()
	want, simOut := simTraceroute(t, n, from, to)
	dst := m.Plan.Node(to).Ports[0].Addrs[0].Addr().String()
	out, _ := run(t, m.Lab, from, "traceroute", "-n", "-q", "1", "-w", "1", dst)
	t.Logf("%s: traceroute -n -q 1 %s\n%s", from, dst, out)
	if got := tracerouteHops(out); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("traceroute %s -> %s: live hops %v, simulated %v\nlive:\n%s\nsimulated:\n%s", from, to, got, want, out, simOut)
	}
}

// TestLivePeering: ping crosses one peering both ways and traceroute shows the hops the
// simulator shows.
func TestLivePeering(t *testing.T) {
	needLive(t, "ping", "traceroute")
	n := peeringLab(t)
	m := upNet(t, n, "", LinkAuto, true, t.Logf)
	for _, c := range []struct{ from, to string }{{"a", "b"}, {"b", "a"}, {"a", "c"}} {
		if _, received, _ := simPing(t, n, c.from, c.to); received != 1 {
			t.Fatalf("the simulator's ping %s -> %s got no answer", c.from, c.to)
		}
		dst := m.Plan.Node(c.to).Ports[0].Addrs[0].Addr().String()
		if out, code := run(t, m.Lab, c.from, "ping", "-c", "1", "-W", "2", dst); code != 0 || !strings.Contains(out, "ttl=255") {
			t.Errorf("ping %s -> %s: exit %d\n%s", c.from, c.to, code, out)
		}
		liveTraceroute(t, m, n, c.from, c.to)
	}
}

// TestLiveTransitivePeering: B cannot reach C through A, and the dataplane's log says why in
// the simulator's words (§7.1.9, PCX-4).
func TestLiveTransitivePeering(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for ping to give up (-short)")
	}
	needLive(t, "ping")
	n := peeringLab(t)
	simOut, received, codes := simPing(t, n, "b", "c")
	if received != 0 || len(codes) == 0 || codes[0] != engine.CodePCXAddressNotInVPC {
		t.Fatalf("the simulator's ping b -> c: %d answers, drops %v\n%s", received, codes, simOut)
	}
	log := &logBuffer{t: t}
	m := upNet(t, n, "", LinkAuto, true, log.logf)
	out, code := run(t, m.Lab, "b", "ping", "-c", "1", "-W", "1", "10.2.1.10")
	if code == 0 {
		t.Errorf("ping b -> c succeeded, the simulator says %s:\n%s", codes[0], out)
	}
	drop := regexp.MustCompile(`drop icmp 10\.1\.1\.10 > 10\.2\.1\.10 type=8 .*: ` + codes[0] + ` at pcx-ab`)
	if !drop.MatchString(log.String()) {
		t.Errorf("the dataplane's log does not say %s for b's ping to c:\n%s", codes[0], log.String())
	}
}

// TestLiveOverlappingPeers: a1 and a2 reach two different namespaces at the same address,
// 10.1.1.10, over their own peerings; curl says which answered, and who it saw.
// It runs over TAP devices and over veth pairs.
func TestLiveOverlappingPeers(t *testing.T) {
	needLive(t, "curl")
	for _, link := range []string{LinkTAP, LinkVeth} {
		t.Run(link, func(t *testing.T) { overlappingPeers(t, link) })
	}
}

func overlappingPeers(t *testing.T, link string) {
	m := upNet(t, overlapLab(t), "", link, true, t.Logf)
	for _, node := range []string{"b", "c"} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envHTTP+"=:80")
		startIn(t, m.Lab, node, cmd)
	}
	for _, c := range []struct{ from, url, want string }{
		{"a1", "http://10.1.1.10/node", "b"},
		{"a2", "http://10.1.1.10/node", "c"},
		{"a1", "http://10.1.1.10/", "10.0.1.10"}, // no NAT over a peering: the private source
		{"a2", "http://10.1.1.10/", "10.0.2.10"},
	} {
		out, code := curl(t, m, c.from, c.url)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("curl %s from %s: exit %d, %q, want %q", c.url, c.from, code, strings.TrimSpace(out), c.want)
		}
	}
}

// TestLiveReplyToTheWrongPeer: c pings a1, which answers towards 10.1.1.10 by its own route
// table, over the peering with B (§7.1.8): c's ping gets nothing, and tcpdump in b's
// namespace sees the echo reply meant for c. The simulator agrees that c hears nothing.
func TestLiveReplyToTheWrongPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for tcpdump and for ping to give up (-short)")
	}
	needLive(t, "ping", "tcpdump")
	n := overlapLab(t)
	if _, received, _ := simPing(t, n, "c", "a1"); received != 0 {
		t.Fatal("the simulator's ping c -> a1 got an answer")
	}
	m := upNet(t, n, "", LinkAuto, true, t.Logf)
	var dump, dumpErr bytes.Buffer
	tcpdump := exec.Command("timeout", "10", "tcpdump", "-n", "-l", "-i", "eth0", "-c", "1", "icmp[icmptype] == icmp-echoreply")
	tcpdump.Stdout, tcpdump.Stderr = &dump, &dumpErr
	if err := Start(m.Lab, "b", tcpdump); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // tcpdump opens its socket
	out, code := run(t, m.Lab, "c", "ping", "-c", "1", "-W", "1", "10.0.1.10")
	tcpdump.Wait()
	if code == 0 {
		t.Errorf("c's ping to a1 was answered:\n%s", out)
	}
	if !regexp.MustCompile(`IP 10\.0\.1\.10 > 10\.1\.1\.10: ICMP echo reply`).MatchString(dump.String()) {
		t.Errorf("b did not see a1's echo reply:\n%s%s", dump.String(), dumpErr.String())
	}
}

// TestLiveTransitGateway: the spokes reach each other through the transit gateway: ping,
// traceroute showing the hops the simulator shows (the transit gateway is no TTL hop by
// default, §7.2.16), and curl to a server in the other spoke, which sees the source the
// simulator delivers (the transit gateway does no NAT, §7.2.11). The gateway's interfaces in
// the spokes have no namespace.
func TestLiveTransitGateway(t *testing.T) {
	needLive(t, "ping", "traceroute", "curl")
	n := hubLab(t)
	m := upNet(t, n, "", LinkAuto, true, t.Logf)
	if len(m.Plan.Nodes) != 2 {
		t.Errorf("namespaces %v, want the two spokes' instances only", m.Namespaces)
	}
	for _, c := range []struct{ from, to string }{{"spoke1", "spoke2"}, {"spoke2", "spoke1"}} {
		dst := m.Plan.Node(c.to).Ports[0].Addrs[0].Addr().String()
		if out, code := run(t, m.Lab, c.from, "ping", "-c", "1", "-W", "2", dst); code != 0 {
			t.Errorf("ping %s -> %s: exit %d\n%s", c.from, c.to, code, out)
		}
		liveTraceroute(t, m, n, c.from, c.to)
	}

	// What the simulator delivers for a SYN from spoke1 to spoke2's port 80.
	s := tools.NewSim(n, 1)
	src, dst := endpoint(t, s, "spoke1"), endpoint(t, s, "spoke2")
	r := n.Send(engine.NewState(&engine.ManualClock{T: tools.SimEpoch}, 1), src.Location(), packet.Packet{
		Src: src.IP, Dst: dst.IP, Proto: packet.ProtoTCP, TTL: 255, SrcPort: 40000, DstPort: 80, TCPFlags: packet.TCPSyn})
	if r.Outcome != engine.Delivered || r.ENI != dst.ENI {
		t.Fatalf("the engine does not deliver spoke1's SYN to spoke2: %s %s %s", r.Outcome, r.Code, r.Detail)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envHTTP+"=:80")
	startIn(t, m.Lab, "spoke2", cmd)
	out, code := curl(t, m, "spoke1", "http://"+dst.IP.String()+"/")
	if code != 0 || strings.TrimSpace(out) != r.Packet.Src.String() {
		t.Errorf("curl spoke1 -> spoke2: exit %d, the server saw %q, the simulator delivers from %s", code, strings.TrimSpace(out), r.Packet.Src)
	}
}

// TestInMemoryTopologyRunsInTheForeground: a background dataplane loads the topology again
// from its file; one built in memory has none, and Up says so before it creates anything.
func TestInMemoryTopologyRunsInTheForeground(t *testing.T) {
	needLive(t)
	name := fmt.Sprintf("%s-%d", testPrefix, labSeq.Add(1))
	_, err := Up(context.Background(), hubLab(t), "", UpOptions{Name: name})
	if err == nil || !strings.Contains(err.Error(), "foreground") {
		t.Errorf("Up in the background of a topology built in memory: %v", err)
	}
	if _, err := ReadManifest(name); err == nil {
		t.Errorf("lab %s has a manifest", name)
	}
}

// curl fetches url from a node, retrying while the server is still starting (exit 7,
// connection refused).
func curl(t *testing.T, m *Manifest, from, url string) (string, int) {
	t.Helper()
	var out string
	var code int
	for range 20 {
		if out, code = run(t, m.Lab, from, "curl", "-sS", "-m", "5", url); code != 7 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out, code
}
