package live

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/topology"
)

const seed000 = "../../examples/east-west-nat/lab.yaml"

func loadNet(tb testing.TB, path string) *engine.Network {
	tb.Helper()
	t, probs := topology.Load(path)
	if probs.HasErrors() {
		tb.Fatalf("%s: %v", path, probs)
	}
	n, _ := engine.Compile(t)
	return n
}

// tcpSegment is a TCP data segment from the seed-000 source to its destination, with a
// 12-byte timestamp option that the in-place rewrite must keep.
func tcpSegment(tb testing.TB, payload int) []byte {
	tb.Helper()
	p := packet.Packet{Src: netip.MustParseAddr("10.0.0.11"), Dst: netip.MustParseAddr("10.0.1.55"),
		Proto: packet.ProtoTCP, TTL: 255, ID: 7, DF: true, SrcPort: 40000, DstPort: 5201,
		TCPFlags: packet.TCPAck | packet.TCPPsh, Seq: 1, Ack: 1, Window: 500, Payload: make([]byte, payload)}
	b := p.Marshal()
	// Give it options: data offset 8 (32 bytes), then NOP NOP TS(10).
	opt := []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}
	out := append(append(append([]byte{}, b[:40]...), opt...), b[40:]...)
	out[2], out[3] = byte(len(out)>>8), byte(len(out))
	out[32] = 8 << 4
	fix(tb, out)
	return out
}

// fix recomputes the IP and TCP checksums of a hand-edited packet.
func fix(tb testing.TB, b []byte) {
	b[10], b[11] = 0, 0
	b[36], b[37] = 0, 0
	ipSum := onesSum(b[:20], 0)
	b[10], b[11] = byte(^ipSum>>8), byte(^ipSum)
	l4 := b[20:]
	s := onesSum(l4, uint32(onesSum(b[12:20], 6+uint32(len(l4)))))
	b[36], b[37] = byte(^s>>8), byte(^s)
	if err := packet.VerifyChecksums(b); err != nil {
		tb.Fatal(err)
	}
}

func onesSum(b []byte, s uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

func TestRewriteKeepsOptionsAndChecksums(t *testing.T) {
	n := loadNet(t, seed000)
	st := engine.NewState(WallClock{}, 1)
	b := tcpSegment(t, 100)
	orig := append([]byte{}, b...)
	in, err := packet.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	eni, _ := n.ENIByIP(in.Src)
	r := n.Send(st, engine.AtENI(eni), in)
	if r.Outcome != engine.Delivered {
		t.Fatalf("outcome %s: %s %s", r.Outcome, r.Code, r.Detail)
	}
	if err := rewrite(b, &in, &r.Packet, nil); err != nil {
		t.Fatal(err)
	}
	if err := packet.VerifyChecksums(b); err != nil {
		t.Fatalf("after rewrite: %v", err)
	}
	got, _ := packet.Decode(b)
	if got.Src != r.Packet.Src || got.SrcPort != r.Packet.SrcPort || got.TTL != 254 || got.Dst != in.Dst {
		t.Errorf("rewritten to %s, want %s", got.String(), r.Packet.String())
	}
	if string(b[40:52]) != string(orig[40:52]) || string(b[52:]) != string(orig[52:]) {
		t.Error("the TCP options or the payload changed")
	}
}

// TestRewritePartialChecksum: with NEEDS_CSUM the TCP checksum field holds the pseudo-header
// sum. After rewriting, completing it the way the receiver does must give a valid packet.
func TestRewritePartialChecksum(t *testing.T) {
	n := loadNet(t, seed000)
	st := engine.NewState(WallClock{}, 1)
	b := tcpSegment(t, 300)
	in, _ := packet.Decode(b)
	// Turn the full checksum into a partial one: the folded pseudo-header sum.
	partial := onesSum(b[12:20], 6+uint32(len(b)-20))
	b[36], b[37] = byte(partial>>8), byte(partial)
	hdr := make([]byte, vnetHdrLen)
	hdr[0] = 1                    // NEEDS_CSUM
	hdr[6], hdr[7] = ethLen+20, 0 // csum_start (little-endian)
	hdr[8], hdr[9] = 16, 0        // csum_offset
	eni, _ := n.ENIByIP(in.Src)
	r := n.Send(st, engine.AtENI(eni), in)
	if err := rewrite(b, &in, &r.Packet, hdr); err != nil {
		t.Fatal(err)
	}
	// Complete it: checksum = ~sum(L4 with the partial value in place).
	s := onesSum(b[20:], 0)
	b[36], b[37] = byte(^s>>8), byte(^s)
	if err := packet.VerifyChecksums(b); err != nil {
		t.Fatalf("completed after rewrite: %v", err)
	}
}

// BenchmarkForward is the per-packet work of the dataplane for a TCP segment through the
// seed-000 NAT gateway: decode, engine.Send, rewrite in place.
func BenchmarkForward(b *testing.B) {
	n := loadNet(b, seed000)
	st := engine.NewState(WallClock{}, 1)
	frame := tcpSegment(b, 1400)
	buf := make([]byte, len(frame))
	in0, _ := packet.Decode(frame)
	eni, _ := n.ENIByIP(in0.Src)
	at := engine.AtENI(eni)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, frame)
		in, err := packet.Decode(buf)
		if err != nil {
			b.Fatal(err)
		}
		r := n.SendWith(st, at, in, engine.Options{SkipHops: true}) // as Dataplane.send
		if err := rewrite(buf, &in, &r.Packet, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForwardICMPError: a port unreachable translated back through the NAT gateway,
// built anew (the quote changes).
func BenchmarkMarshalICMPError(b *testing.B) {
	p := packet.Packet{Src: netip.MustParseAddr("10.0.1.55"), Dst: netip.MustParseAddr("10.0.0.11"), Proto: packet.ProtoICMP,
		TTL: 254, ICMPType: packet.ICMPDestUnreachable, ICMPCode: packet.ICMPCodePortUnreachable,
		Inner: &packet.Packet{Src: netip.MustParseAddr("10.0.0.11"), Dst: netip.MustParseAddr("10.0.1.55"), Proto: packet.ProtoUDP,
			TTL: 1, SrcPort: 40000, DstPort: 33434, PayloadLen: 32}, Payload: make([]byte, 32)}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		buf = p.AppendTo(buf[:0])
	}
}
