package live

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/vpclab/vpclab/internal/packet"
)

// awsGeneve is a GENEVE header as AWS's GWLB sends it (§13.9): version 0, 32 bytes of options
// of class 0x0108 (type 1 the endpoint ID, type 2 the attachment ID, type 3 the flow cookie),
// inner IPv4.
func awsGeneve() []byte {
	h := []byte{8, 0, 0x08, 0x00, 0, 0, 0, 0}
	opt := func(typ byte, data ...byte) {
		h = append(h, 0x01, 0x08, typ, byte(len(data)/4))
		h = append(h, data...)
	}
	opt(1, 0x0b, 0x73, 0x57, 0x54, 0x2b, 0xb7, 0xb8, 0x3e)
	opt(2, 0, 0, 0, 0, 0, 0, 0, 7)
	opt(3, 0xca, 0xfe, 0xf0, 0x0d)
	return h
}

// udp4 is an IPv4 UDP packet with a correct header checksum (the UDP checksum is left 0).
func udp4(src, dst string, sport, dport uint16, ttl byte, payload []byte) []byte {
	p := make([]byte, 28+len(payload))
	p[0], p[8], p[9] = 0x45, ttl, 17
	binary.BigEndian.PutUint16(p[2:4], uint16(len(p)))
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(p[12:16], s[:])
	copy(p[16:20], d[:])
	binary.BigEndian.PutUint16(p[10:12], ipChecksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:22], sport)
	binary.BigEndian.PutUint16(p[22:24], dport)
	binary.BigEndian.PutUint16(p[24:26], uint16(8+len(payload)))
	copy(p[28:], payload)
	return p
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		if i == 10 {
			continue
		}
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// §13.9: the handler takes AWS's GENEVE and refuses what lacks its options or is not IPv4/6.
func TestSplitGeneve_13_9(t *testing.T) {
	inner := udp4("10.0.0.11", "8.8.8.8", 40000, 53, 64, []byte("q"))
	hdr, got, ok := splitGeneve(append(awsGeneve(), inner...))
	if !ok || !bytes.Equal(hdr, awsGeneve()) || !bytes.Equal(got, inner) {
		t.Fatalf("AWS's GENEVE: ok=%v hdr=%x inner=%x", ok, hdr, got)
	}
	noCookie := awsGeneve()[:len(awsGeneve())-8]
	noCookie[0] = byte(len(noCookie)-8) / 4
	for name, b := range map[string][]byte{
		"without the flow cookie": append(noCookie, inner...),
		"version 1":               append([]byte{0x48}, append(awsGeneve()[1:], inner...)...),
		"Ethernet inside":         append(append(awsGeneve()[:2:2], 0x65, 0x58), append(awsGeneve()[4:], inner...)...),
		"truncated options":       awsGeneve()[:20],
	} {
		if _, _, ok := splitGeneve(b); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A flow is one key in both directions, and a ping's request and reply are one flow.
func TestInnerFlowBothDirections(t *testing.T) {
	a, da, _ := innerFlow(udp4("10.0.0.11", "8.8.8.8", 40000, 53, 64, nil))
	b, db, _ := innerFlow(udp4("8.8.8.8", "10.0.0.11", 53, 40000, 64, nil))
	c, _, _ := innerFlow(udp4("8.8.8.8", "10.0.0.11", 53, 40001, 64, nil))
	if a != b || a == c || da == db {
		t.Errorf("flows: a=%v b=%v c=%v", a, b, c)
	}
}

// raiseTTL keeps the IPv4 header checksum right, and leaves 255 alone.
func TestRaiseTTLChecksum(t *testing.T) {
	for _, ttl := range []byte{1, 63, 64, 127, 254, 255} {
		p := udp4("10.0.0.11", "10.0.1.55", 1, 2, ttl, nil)
		raiseTTL(p)
		want := ttl + 1
		if ttl == 255 {
			want = 255
		}
		if p[8] != want || binary.BigEndian.Uint16(p[10:12]) != ipChecksum(p[:20]) {
			t.Errorf("TTL %d: got TTL %d checksum %#04x, want %d %#04x", ttl, p[8], binary.BigEndian.Uint16(p[10:12]), want, ipChecksum(p[:20]))
		}
	}
}

// §13.9-10, issue 10: in a namespace of its own the handler decapsulates AWS's GENEVE into
// gwlb0, the kernel forwards the inner packet back out, and the handler returns it to the
// sender with the same GENEVE header and the inner packet unchanged, TTL included. An
// iptables DROP rule in the namespace's FORWARD chain stops the flow it matches, and only it.
func TestGWLBHandlerForwardsThroughTheKernel(t *testing.T) {
	needLive(t)
	ns := fmt.Sprintf("vpclab-%sgwlbh-%d", testPrefix, os.Getpid())
	var conn *net.UDPConn
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		if conn != nil {
			conn.Close()
		}
		deleteNamespace(ns)
	})
	err := createNamespace(ns, func() error {
		lo, err := netlink.LinkByName("lo")
		if err == nil {
			err = netlink.LinkSetUp(lo)
		}
		if err != nil {
			return err
		}
		if _, err := StartHandler(ctx, HandlerOptions{}); err != nil {
			return err
		}
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	handler := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: packet.GENEVEPort}
	exchange := func(inner []byte) []byte {
		t.Helper()
		if _, err := conn.WriteToUDP(append(awsGeneve(), inner...), handler); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 9000)
		conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			return nil
		}
		return buf[:n]
	}
	inner := udp4("10.9.0.1", "10.9.0.2", 40000, 80, 64, []byte("GET"))
	back := exchange(inner)
	if want := append(awsGeneve(), inner...); !bytes.Equal(back, want) {
		t.Fatalf("returned:\n%x\nwant:\n%x", back, want)
	}
	// TTL 255, which cannot be raised before the kernel's forwarding, comes back 255 too.
	top := udp4("10.9.0.1", "10.9.0.2", 40000, 80, 255, []byte("GET"))
	if back := exchange(top); !bytes.Equal(back, append(awsGeneve(), top...)) {
		t.Fatalf("TTL 255 returned:\n%x\nwant:\n%x", back, append(awsGeneve(), top...))
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is not installed (.ci/run installs it); the DROP half is not tried")
	}
	if out, err := exec.Command("ip", "netns", "exec", ns, "iptables", "-A", "FORWARD", "-p", "udp", "--dport", "22", "-j", "DROP").CombinedOutput(); err != nil {
		t.Fatalf("iptables: %v: %s", err, out)
	}
	if back := exchange(udp4("10.9.0.1", "10.9.0.2", 40001, 22, 64, []byte("ssh"))); back != nil {
		t.Errorf("port 22 came back through a DROP rule: %x", back)
	}
	if back := exchange(inner); back == nil {
		t.Error("port 80 no longer comes back")
	}
}

// The handler forgets flows idle longer than the GWLB keeps them (§13.7): TCP after 350 s,
// the rest after 120 s.
func TestHandlerSweepsIdleFlows(t *testing.T) {
	now := time.Now()
	tcp, _, _ := innerFlow(udp4("10.0.0.1", "10.0.0.2", 1, 2, 64, nil))
	tcp.proto = 6
	udp, _, _ := innerFlow(udp4("10.0.0.1", "10.0.0.2", 3, 4, 64, nil))
	h := &Handler{flows: map[flowKey]tunnel{
		tcp: {seen: now.Add(-200 * time.Second)},
		udp: {seen: now.Add(-200 * time.Second)},
	}}
	h.sweep(now)
	if _, ok := h.flows[tcp]; !ok || h.Flows() != 1 {
		t.Errorf("after 200 s idle: %d flows, TCP kept %v; want the TCP flow only", h.Flows(), ok)
	}
	h.sweep(now.Add(200 * time.Second))
	if h.Flows() != 0 {
		t.Errorf("after 400 s idle: %d flows, want none", h.Flows())
	}
}
