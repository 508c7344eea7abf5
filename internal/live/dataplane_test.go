package live

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// The dataplane's frame handling, without root: each device is one end of a datagram socket
// pair, and the test plays the instances at the other ends.

type fakeLab struct {
	t    *testing.T
	d    *Dataplane
	w    *worker
	peer map[string]int   // node name -> the test's end
	port map[string]*port // node name -> the dataplane's port
	logs []string         // what the dataplane logged
}

func newFakeLab(t *testing.T, topo string) *fakeLab {
	t.Helper()
	return newFakeLabNet(t, loadNet(t, topo))
}

// newFakeLabNet is a fake lab of a compiled network (a topology loaded or built in code).
func newFakeLabNet(t *testing.T, n *engine.Network) *fakeLab {
	t.Helper()
	plan, err := PlanLab(n.Topology, "unit")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLab{t: t, peer: map[string]int{}, port: map[string]*port{}}
	var devs []Device
	for _, node := range plan.Nodes {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fds[1]) })
		devs = append(devs, Device{Node: node, Port: &node.Ports[0], FD: fds[0]})
		f.peer[node.Name] = fds[1]
	}
	logf := func(format string, args ...any) {
		f.logs = append(f.logs, fmt.Sprintf(format, args...))
		t.Logf(format, args...)
	}
	if f.d, err = NewDataplane(n, devs, logf); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.d.Close)
	for _, p := range f.d.ports {
		f.port[p.dev.Node.Name] = p
	}
	f.w = newWorker(f.d)
	return f
}

// send hands the dataplane a frame that node's device sent.
func (f *fakeLab) send(node string, frame []byte) {
	f.t.Helper()
	buf := append(f.w.buf[:0], frame...)
	f.w.frame(f.port[node], buf)
}

// sendIP sends an IPv4 packet from node, to the router's MAC.
func (f *fakeLab) sendIP(node string, p packet.Packet) {
	f.t.Helper()
	f.send(node, packet.EncodeEthernet(RouterMAC, f.port[node].mac, packet.EtherTypeIPv4, p.Marshal()))
}

// recv returns the frame the dataplane wrote to node's device, or nil.
func (f *fakeLab) recv(node string) []byte {
	f.t.Helper()
	b := make([]byte, frameCap)
	n, err := unix.Read(f.peer[node], b)
	if errors.Is(err, unix.EAGAIN) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return b[:n]
}

// recvIP returns the IPv4 packet delivered to node, checking its Ethernet header (from the
// router to the node's MAC) and every checksum.
func (f *fakeLab) recvIP(node string) (packet.Packet, []byte) {
	f.t.Helper()
	fr := f.recv(node)
	if fr == nil {
		f.t.Fatalf("nothing was delivered to %s", node)
	}
	dst, src, et, b, err := packet.DecodeEthernet(fr)
	if err != nil || et != packet.EtherTypeIPv4 || dst != f.port[node].mac || src != RouterMAC {
		f.t.Fatalf("frame to %s: dst %s src %s type %#x err %v", node, dst, src, et, err)
	}
	if err := packet.VerifyChecksums(b); err != nil {
		f.t.Fatalf("packet to %s: %v", node, err)
	}
	p, err := packet.Decode(b)
	if err != nil {
		f.t.Fatal(err)
	}
	return p, b
}

var (
	srcIP = netip.MustParseAddr("10.0.0.11")
	dstIP = netip.MustParseAddr("10.0.1.55")
	natIP = netip.MustParseAddr("10.0.2.149")
)

func TestProxyARP(t *testing.T) {
	f := newFakeLab(t, seed000)
	mac := f.port["source"].mac
	for _, c := range []struct {
		target netip.Addr
		answer bool
	}{
		{netip.MustParseAddr("10.0.0.1"), true},  // the router (§6.4)
		{netip.MustParseAddr("10.0.0.77"), true}, // the same subnet: proxy ARP, so it crosses the engine
		{srcIP, false},                           // its own address: a duplicate address probe
	} {
		f.send("source", packet.ARPRequest(mac, srcIP, c.target))
		fr := f.recv("source")
		if (fr != nil) != c.answer {
			t.Fatalf("ARP for %s: answered %v, want %v", c.target, fr != nil, c.answer)
		}
		if fr == nil {
			continue
		}
		_, _, _, body, _ := packet.DecodeEthernet(fr)
		a, err := packet.DecodeARP(body)
		if err != nil || a.Op != packet.ARPOpReply || a.SenderMAC != RouterMAC || a.SenderIP != c.target || a.TargetMAC != mac {
			t.Errorf("ARP reply for %s: %+v %v", c.target, a, err)
		}
	}
}

// TestEchoThroughNAT: seed 000's ping, frame by frame: the destination sees the NAT gateway's
// private IP and TTL 254 (§2.2.1, §2.3.5); the reply comes back translated.
func TestEchoThroughNAT(t *testing.T) {
	f := newFakeLab(t, seed000)
	req := packet.Packet{Src: srcIP, Dst: dstIP, Proto: packet.ProtoICMP, TTL: 255, ID: 1,
		ICMPType: packet.ICMPEchoRequest, ICMPID: 4242, ICMPSeq: 1, PayloadLen: 56}
	f.sendIP("source", req)
	got, _ := f.recvIP("destination")
	if got.Src != natIP || got.TTL != 254 || got.ICMPType != packet.ICMPEchoRequest {
		t.Fatalf("delivered %s", got.String())
	}
	rep := packet.Packet{Src: dstIP, Dst: natIP, Proto: packet.ProtoICMP, TTL: 255, ID: 2,
		ICMPType: packet.ICMPEchoReply, ICMPID: got.ICMPID, ICMPSeq: 1, Payload: got.Payload}
	f.sendIP("destination", rep)
	back, _ := f.recvIP("source")
	if back.Dst != srcIP || back.Src != dstIP || back.TTL != 254 || back.ICMPID != 4242 {
		t.Fatalf("reply delivered as %s", back.String())
	}
	if f.recv("destination") != nil || f.recv("source") != nil {
		t.Error("more frames than one each way")
	}
}

// TestTracerouteThroughNAT: a probe expiring at the NAT gateway comes back as time exceeded
// from its private IP; the destination's port unreachable about a probe that passed is
// translated back, quote included (§2.3.5).
func TestTracerouteThroughNAT(t *testing.T) {
	f := newFakeLab(t, seed000)
	probe := packet.Packet{Src: srcIP, Dst: dstIP, Proto: packet.ProtoUDP, TTL: 1, ID: 9,
		SrcPort: 40000, DstPort: 33434, PayloadLen: 32}
	f.sendIP("source", probe)
	te, _ := f.recvIP("source")
	if te.Src != natIP || te.ICMPType != packet.ICMPTimeExceeded || te.Inner == nil || te.Inner.SrcPort != 40000 {
		t.Fatalf("TTL 1: got %s", te.String())
	}

	probe.TTL, probe.DstPort = 2, 33435
	f.sendIP("source", probe)
	arrived, wire := f.recvIP("destination")
	if arrived.Src != natIP || arrived.TTL != 1 {
		t.Fatalf("TTL 2: delivered %s", arrived.String())
	}
	// The destination's kernel answers with port unreachable, quoting what it received.
	unreach := packet.Packet{Src: dstIP, Dst: natIP, Proto: packet.ProtoICMP, TTL: 255, ID: 3,
		ICMPType: packet.ICMPDestUnreachable, ICMPCode: packet.ICMPCodePortUnreachable}
	q, err := packet.Decode(append([]byte{}, wire...))
	if err != nil {
		t.Fatal(err)
	}
	unreach.Inner = q.Quote()
	unreach.Payload = wire[28:] // the rest of the datagram, as Linux quotes it
	f.sendIP("destination", unreach)
	back, _ := f.recvIP("source")
	if back.Dst != srcIP || back.ICMPCode != packet.ICMPCodePortUnreachable || back.Inner == nil ||
		back.Inner.Src != srcIP || back.Inner.SrcPort != 40000 || back.Inner.DstPort != 33435 {
		t.Fatalf("port unreachable delivered as %s", back.String())
	}
}

// TestForwardAllocations: beyond what engine.Send allocates, handling a frame allocates
// nothing (buffers are reused).
func TestForwardAllocations(t *testing.T) {
	f := newFakeLab(t, seed000)
	req := packet.Packet{Src: srcIP, Dst: dstIP, Proto: packet.ProtoICMP, TTL: 255, ID: 1,
		ICMPType: packet.ICMPEchoRequest, ICMPID: 4242, ICMPSeq: 1, PayloadLen: 56}
	frame := packet.EncodeEthernet(RouterMAC, f.port["source"].mac, packet.EtherTypeIPv4, req.Marshal())
	sink := make([]byte, frameCap)
	handle := func() {
		f.w.frame(f.port["source"], append(f.w.buf[:0], frame...))
		unix.Read(f.peer["destination"], sink)
	}
	handle()
	st := engine.NewState(WallClock{}, 1)
	eni, _ := f.d.net.ENIByIP(srcIP)
	at := engine.AtENI(eni)
	sendOnly := testing.AllocsPerRun(200, func() { f.d.net.Send(st, at, req) })
	all := testing.AllocsPerRun(200, handle)
	if all > sendOnly {
		t.Errorf("handling a frame allocates %.0f times, engine.Send alone %.0f", all, sendOnly)
	}
}
