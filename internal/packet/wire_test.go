package packet

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Tiny builders.

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func udpPkt(src string, sport uint16, dst string, dport uint16, n int) Packet {
	return Packet{Src: addr(src), Dst: addr(dst), Proto: ProtoUDP, TTL: 64, ID: 1,
		SrcPort: sport, DstPort: dport, PayloadLen: n}
}

func tcpPkt(src string, sport uint16, dst string, dport uint16, flags uint8, seq, ack uint32) Packet {
	return Packet{Src: addr(src), Dst: addr(dst), Proto: ProtoTCP, TTL: 64, ID: 2, DF: true,
		SrcPort: sport, DstPort: dport, TCPFlags: flags, Seq: seq, Ack: ack, Window: 62727}
}

func echoPkt(src, dst string, typ uint8, id, seq uint16, n int) Packet {
	return Packet{Src: addr(src), Dst: addr(dst), Proto: ProtoICMP, TTL: 64, ID: 3, DF: true,
		ICMPType: typ, ICMPID: id, ICMPSeq: seq, PayloadLen: n}
}

func icmpErr(src string, typ, code uint8, about Packet) Packet {
	return Packet{Src: addr(src), Dst: about.Src, Proto: ProtoICMP, TTL: 255, ID: 4,
		ICMPType: typ, ICMPCode: code, Inner: about.Quote()}
}

// wire is p.Marshal() for a value that is not addressable.
func wire(p Packet) []byte { return p.Marshal() }

func with(p Packet, f func(*Packet)) Packet { f(&p); return p }

// pattern is the payload Marshal generates for n bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	fillPattern(b)
	return b
}

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// decoded is what Decode(Marshal(p)) should give: generated payloads become bytes, and a
// quote keeps only what fits in 8 L4 bytes and a size.
func decoded(p Packet) Packet {
	if p.Payload == nil && p.PayloadLen > 0 {
		p.Payload, p.PayloadLen = pattern(p.PayloadLen), 0
	}
	if len(p.Payload) == 0 {
		p.Payload = nil
	}
	if p.Inner != nil {
		in := *p.Inner
		in.PayloadLen, in.Payload, in.Inner = in.DataLen(), nil, nil
		in.Ack, in.TCPFlags, in.Window = 0, 0, 0
		if in.FragOff != 0 {
			in.SrcPort, in.DstPort, in.Seq = 0, 0, 0
			in.ICMPType, in.ICMPCode, in.ICMPID, in.ICMPSeq = 0, 0, 0, 0
		}
		p.Inner = &in
	}
	return p
}

var (
	syn       = tcpPkt("10.0.0.11", 40000, "10.0.1.55", 80, TCPSyn, 1000, 0)
	probe     = with(udpPkt("10.0.2.149", 59743, "10.0.1.55", 33437, 32), func(p *Packet) { p.TTL = 1 })
	echoReq   = echoPkt("10.0.2.149", "10.0.1.55", ICMPEchoRequest, 31391, 1, 56)
	roundTrip = []struct {
		name string
		p    Packet
	}{
		{"tcp syn", syn},
		{"tcp syn-ack", tcpPkt("10.0.1.55", 80, "10.0.0.11", 40000, TCPSyn|TCPAck, 2000, 1001)},
		{"tcp rst-ack", with(tcpPkt("10.0.1.55", 80, "10.0.0.11", 40000, TCPRst|TCPAck, 0, 1001), func(p *Packet) { p.Window = 0 })},
		{"tcp psh data", with(tcpPkt("10.0.0.11", 40000, "10.0.1.55", 80, TCPPsh|TCPAck, 1001, 2001), func(p *Packet) { p.Payload = []byte("GET / HTTP/1.1\r\n\r\n") })},
		{"tcp all flags", tcpPkt("10.0.0.11", 1, "10.0.1.55", 2, 0xff, 0xffffffff, 0xfffffffe)},
		{"udp probe", probe},
		{"udp empty", udpPkt("10.0.0.11", 53, "10.0.0.2", 53, 0)},
		{"udp odd", udpPkt("10.0.0.11", 1234, "10.0.0.2", 5678, 333)},
		{"udp bytes", with(udpPkt("10.0.0.11", 1234, "10.0.0.2", 5678, 0), func(p *Packet) { p.Payload = []byte{0xff, 0xff, 0xfe} })},
		{"udp tos id", with(udpPkt("10.0.0.11", 1234, "10.0.0.2", 5678, 4), func(p *Packet) { p.TOS, p.ID, p.DF = 0xb8, 0xbeef, true })},
		{"echo request", echoReq},
		{"echo reply", echoPkt("10.0.1.55", "10.0.2.149", ICMPEchoReply, 31391, 1, 56)},
		{"echo empty", echoPkt("10.0.1.55", "10.0.2.149", ICMPEchoReply, 0, 0, 0)},
		{"port unreachable", icmpErr("10.0.1.55", ICMPDestUnreachable, ICMPCodePortUnreachable, probe)},
		{"port unreachable, quote continued", with(icmpErr("10.0.1.55", ICMPDestUnreachable, ICMPCodePortUnreachable, probe), func(p *Packet) { p.PayloadLen = 32 })},
		{"time exceeded tcp", icmpErr("10.0.2.149", ICMPTimeExceeded, ICMPCodeTTLInTransit, syn)},
		{"time exceeded echo", icmpErr("10.0.2.149", ICMPTimeExceeded, ICMPCodeTTLInTransit, echoReq)},
		{"frag needed", with(icmpErr("10.0.2.149", ICMPDestUnreachable, ICMPCodeFragNeeded, probe), func(p *Packet) { p.ICMPSeq = 1500 })},
		{"admin prohibited, no quote", Packet{Src: addr("10.0.2.1"), Dst: addr("10.0.0.11"), Proto: ProtoICMP, TTL: 255, ICMPType: ICMPDestUnreachable, ICMPCode: ICMPCodeAdminProhibited}},
		{"error about a fragment", icmpErr("10.0.2.149", ICMPTimeExceeded, 1, with(probe, func(p *Packet) { p.FragOff, p.SrcPort, p.DstPort = 100, 0, 0 }))},
		{"error about esp", icmpErr("10.0.2.149", ICMPTimeExceeded, 0, Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 50, TTL: 1, PayloadLen: 3})},
		{"first fragment", with(probe, func(p *Packet) { p.MF = true; p.ID = 77 })},
		{"later fragment", with(probe, func(p *Packet) { p.FragOff, p.SrcPort, p.DstPort = 185, 0, 0 })},
		{"esp", Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 50, TTL: 64, PayloadLen: 20}},
		{"empty gre", Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 47, TTL: 64}},
	}
)

func TestMarshalDecodeRoundTrip(t *testing.T) {
	for _, tc := range roundTrip {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.p.Marshal()
			if len(b) != tc.p.Len() {
				t.Errorf("len(Marshal) = %d, Len = %d", len(b), tc.p.Len())
			}
			if err := VerifyChecksums(b); err != nil {
				t.Errorf("VerifyChecksums: %v\n% x", err, b)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(decoded(tc.p), got, cmpAddr); diff != "" {
				t.Errorf("Decode(Marshal(p)) (-want +got):\n%s", diff)
			}
			if b2 := got.Marshal(); !bytes.Equal(b, b2) {
				t.Errorf("Marshal(Decode(b)) != b\n got % x\nwant % x", b2, b)
			}
			if in := tc.p.Inner; in != nil {
				// The quote is the first bytes of the quoted packet's own wire form.
				q := in.Marshal()
				q = q[:min(len(q), quoteLen)]
				if !bytes.Equal(b[28:28+len(q)], q) {
					t.Errorf("quote\n got % x\nwant % x", b[28:28+len(q)], q)
				}
			}
		})
	}
}

func TestAppendToReusesBuffer(t *testing.T) {
	buf := make([]byte, 3, 512)
	copy(buf, "abc")
	out := probe.AppendTo(buf)
	if &out[0] != &buf[0] || string(out[:3]) != "abc" || !bytes.Equal(out[3:], probe.Marshal()) {
		t.Errorf("AppendTo did not append in place")
	}
	out = probe.AppendTo(buf[:3:3])
	if string(out[:3]) != "abc" || !bytes.Equal(out[3:], probe.Marshal()) {
		t.Errorf("AppendTo with a full buffer: % x", out)
	}
}

// serialize builds a packet with gopacket, lengths and checksums computed by it.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gpIPv4(src, dst string, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 63, Id: 0x1234, Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: addr(src).AsSlice(), DstIP: addr(dst).AsSlice()}
}

// The twin test: packets gopacket serializes, decoded and re-marshalled byte for byte, and
// decoded to the fields gopacket was given.
func TestGopacketTwin(t *testing.T) {
	ip := gpIPv4("10.0.0.11", "10.0.1.55", layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, Ack: 77, SYN: true, ACK: true, PSH: true, Window: 62727}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	tcpBytes := serialize(t, ip, tcp, gopacket.Payload("hello, world"))

	ipu := gpIPv4("10.0.2.149", "10.0.1.55", layers.IPProtocolUDP)
	ipu.Flags, ipu.TTL, ipu.TOS = 0, 1, 0x10
	udp := &layers.UDP{SrcPort: 59743, DstPort: 33437}
	_ = udp.SetNetworkLayerForChecksum(ipu)
	udpBytes := serialize(t, ipu, udp, gopacket.Payload(pattern(32)))

	ipi := gpIPv4("10.0.2.149", "10.0.1.55", layers.IPProtocolICMPv4)
	echo := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 31391, Seq: 1}
	echoBytes := serialize(t, ipi, echo, gopacket.Payload(pattern(56)))

	ipe := gpIPv4("10.0.1.55", "10.0.2.149", layers.IPProtocolICMPv4)
	ipe.Flags = 0
	unreach := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}
	quoteAndMore := udpBytes // Linux quotes the whole probe: header, 8 bytes, and 32 more
	unreachBytes := serialize(t, ipe, unreach, gopacket.Payload(quoteAndMore))

	ipx := gpIPv4("10.0.0.11", "8.8.8.8", layers.IPProtocolESP)
	espBytes := serialize(t, ipx, gopacket.Payload(pattern(20)))

	tests := []struct {
		name string
		b    []byte
		want Packet
	}{
		{"tcp", tcpBytes, Packet{Src: addr("10.0.0.11"), Dst: addr("10.0.1.55"), Proto: ProtoTCP, TTL: 63, ID: 0x1234, DF: true,
			SrcPort: 40000, DstPort: 80, TCPFlags: TCPSyn | TCPAck | TCPPsh, Seq: 1000, Ack: 77, Window: 62727, Payload: []byte("hello, world")}},
		{"udp", udpBytes, Packet{Src: addr("10.0.2.149"), Dst: addr("10.0.1.55"), Proto: ProtoUDP, TTL: 1, ID: 0x1234, TOS: 0x10,
			SrcPort: 59743, DstPort: 33437, Payload: pattern(32)}},
		{"echo", echoBytes, Packet{Src: addr("10.0.2.149"), Dst: addr("10.0.1.55"), Proto: ProtoICMP, TTL: 63, ID: 0x1234, DF: true,
			ICMPType: 8, ICMPID: 31391, ICMPSeq: 1, Payload: pattern(56)}},
		{"port unreachable", unreachBytes, Packet{Src: addr("10.0.1.55"), Dst: addr("10.0.2.149"), Proto: ProtoICMP, TTL: 63, ID: 0x1234,
			ICMPType: 3, ICMPCode: 3, Payload: pattern(32),
			Inner: &Packet{Src: addr("10.0.2.149"), Dst: addr("10.0.1.55"), Proto: ProtoUDP, TTL: 1, ID: 0x1234, TOS: 0x10,
				SrcPort: 59743, DstPort: 33437, PayloadLen: 32}}},
		{"esp", espBytes, Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 50, TTL: 63, ID: 0x1234, DF: true, Payload: pattern(20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpAddr); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
			if b := got.Marshal(); !bytes.Equal(b, tc.b) {
				t.Errorf("Marshal(Decode(b)) != b\n got % x\nwant % x", b, tc.b)
			}
			if err := VerifyChecksums(tc.b); err != nil {
				t.Errorf("VerifyChecksums(gopacket's bytes): %v", err)
			}
		})
	}
}

// And the other way round: what we marshal, gopacket decodes to the same fields.
func TestGopacketDecodesMarshal(t *testing.T) {
	for _, tc := range roundTrip {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			gp := gopacket.NewPacket(p.Marshal(), layers.LayerTypeIPv4, gopacket.Default)
			if el := gp.ErrorLayer(); el != nil {
				t.Fatalf("gopacket: %v", el.Error())
			}
			ip := gp.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
			if ip.SrcIP.String() != p.Src.String() || ip.DstIP.String() != p.Dst.String() ||
				uint8(ip.Protocol) != p.Proto || ip.TTL != p.TTL || ip.Id != p.ID || ip.TOS != p.TOS ||
				ip.FragOffset != p.FragOff || (ip.Flags&layers.IPv4DontFragment != 0) != p.DF ||
				(ip.Flags&layers.IPv4MoreFragments != 0) != p.MF || int(ip.Length) != p.Len() {
				t.Errorf("IPv4 %+v", ip)
			}
			if p.IsFragment() { // gopacket does not decode L4 of fragments
				return
			}
			switch p.Proto {
			case ProtoTCP:
				l := gp.Layer(layers.LayerTypeTCP).(*layers.TCP)
				if uint16(l.SrcPort) != p.SrcPort || uint16(l.DstPort) != p.DstPort || l.Seq != p.Seq ||
					l.Ack != p.Ack || l.Window != p.Window || l.SYN != (p.TCPFlags&TCPSyn != 0) ||
					l.ACK != (p.TCPFlags&TCPAck != 0) || l.RST != (p.TCPFlags&TCPRst != 0) || len(l.Payload) != p.DataLen() {
					t.Errorf("TCP %+v", l)
				}
			case ProtoUDP:
				l := gp.Layer(layers.LayerTypeUDP).(*layers.UDP)
				if uint16(l.SrcPort) != p.SrcPort || uint16(l.DstPort) != p.DstPort || int(l.Length) != 8+p.DataLen() {
					t.Errorf("UDP %+v", l)
				}
			case ProtoICMP:
				l := gp.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
				if l.TypeCode.Type() != p.ICMPType || l.TypeCode.Code() != p.ICMPCode || l.Id != p.ICMPID || l.Seq != p.ICMPSeq {
					t.Errorf("ICMP %+v", l)
				}
			}
		})
	}
}

func TestDecodeOptionsAndPadding(t *testing.T) {
	ip := gpIPv4("10.0.0.11", "10.0.1.55", layers.IPProtocolTCP)
	ip.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}} // NOP NOP NOP EOL
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, SYN: true, Window: 64240,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	b := serialize(t, ip, tcp, gopacket.Payload("xy"))
	if b[0] != 0x46 || b[36] != 0x60 {
		t.Fatalf("test packet lacks options: % x", b)
	}
	b = append(b, 0, 0, 0, 0) // link-layer padding
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Packet{Src: addr("10.0.0.11"), Dst: addr("10.0.1.55"), Proto: ProtoTCP, TTL: 63, ID: 0x1234, DF: true,
		SrcPort: 40000, DstPort: 80, TCPFlags: TCPSyn, Seq: 1000, Window: 64240, Payload: []byte("xy")}
	if diff := cmp.Diff(want, got, cmpAddr); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := probe.Marshal()
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tcp := syn.Marshal()
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short", good[:19], ErrTruncated},
		{"ipv6", mod(func(b []byte) []byte { b[0] = 0x65; return b }), ErrNotIPv4},
		{"ihl 4", mod(func(b []byte) []byte { b[0] = 0x44; return b }), ErrMalformed},
		{"ihl beyond", mod(func(b []byte) []byte { b[0] = 0x4f; return b[:40] }), ErrTruncated},
		{"total < ihl", mod(func(b []byte) []byte { b[2], b[3] = 0, 19; return b }), ErrMalformed},
		{"total beyond", good[:len(good)-1], ErrTruncated},
		{"udp short", mod(func(b []byte) []byte { b[2], b[3] = 0, 27; return b[:27] }), ErrTruncated},
		{"udp length < 8", mod(func(b []byte) []byte { b[24], b[25] = 0, 7; return b }), ErrMalformed},
		{"udp length beyond", mod(func(b []byte) []byte { b[24], b[25] = 0, 41; return b }), ErrTruncated},
		{"tcp short", tcp[:39], ErrTruncated},
		{"tcp offset 4", func() []byte { b := bytes.Clone(tcp); b[32] = 0x40; return b }(), ErrMalformed},
		{"tcp offset beyond", func() []byte { b := bytes.Clone(tcp); b[32] = 0x60; return b }(), ErrTruncated},
		{"icmp short", func() []byte { b := echoReq.Marshal()[:27]; b[2], b[3] = 0, 27; return b }(), ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); !errors.Is(err, tc.want) {
				t.Errorf("Decode = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDecodeShortQuote(t *testing.T) {
	// An error whose quote is too short keeps the bytes as Payload and has no Inner.
	p := icmpErr("10.0.1.55", ICMPDestUnreachable, ICMPCodePortUnreachable, probe)
	b := p.Marshal()[:20+8+27]
	b[2], b[3] = 0, byte(len(b))
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Inner != nil || len(got.Payload) != 27 || got.Len() != len(b) {
		t.Errorf("got %v, payload %d bytes", got, len(got.Payload))
	}
}

func TestVerifyChecksums(t *testing.T) {
	for i, off := range []int{10, 26, 30} { // IP header, UDP checksum, quoted header (of the error)
		b := probe.Marshal()
		if i == 2 {
			b = wire(icmpErr("10.0.1.55", 3, 3, probe))
		}
		if err := VerifyChecksums(b); err != nil {
			t.Fatalf("valid: %v", err)
		}
		b[off] ^= 0x01
		if i == 2 { // keep the ICMP checksum right, so only the quoted header's is wrong
			b[22] ^= 0x01
		}
		if err := VerifyChecksums(b); err == nil {
			t.Errorf("corrupting byte %d not detected", off)
		}
	}
	b := probe.Marshal()
	b[26], b[27] = 0, 0 // no UDP checksum
	if err := VerifyChecksums(b); err != nil {
		t.Errorf("UDP without checksum: %v", err)
	}
}

func TestUDPChecksumZeroIsSentAsOnes(t *testing.T) {
	// Search for a payload whose checksum computes to 0; it must go out as 0xffff.
	p := udpPkt("10.0.0.1", 1, "10.0.0.2", 2, 0)
	for i := 0; i < 1<<16; i++ {
		p.Payload = []byte{byte(i >> 8), byte(i)}
		b := p.Marshal()
		s := pseudoSum(addr4(p.Src), addr4(p.Dst), ProtoUDP, 10)
		h := bytes.Clone(b[20:])
		h[6], h[7] = 0, 0
		if checksum(sum(h, s)) == 0 {
			if b[26] != 0xff || b[27] != 0xff {
				t.Fatalf("computed 0 sent as % x", b[26:28])
			}
			if err := VerifyChecksums(b); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no payload with a zero checksum found")
}

func TestPatternSum(t *testing.T) {
	for _, n := range []int{0, 1, 2, 255, 256, 257, 511, 1000, 1480} {
		if got, want := fold(patternSum(n)), fold(sum(pattern(n), 0)); got != want {
			t.Errorf("patternSum(%d) = %#x, want %#x", n, got, want)
		}
	}
}

func BenchmarkMarshalUDP(b *testing.B) {
	p := udpPkt("10.0.2.149", 59743, "10.0.1.55", 33437, 1400)
	b.ReportAllocs()
	b.SetBytes(int64(p.Len()))
	for b.Loop() {
		_ = p.Marshal()
	}
}

func BenchmarkAppendToUDP(b *testing.B) {
	p := udpPkt("10.0.2.149", 59743, "10.0.1.55", 33437, 1400)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(p.Len()))
	for b.Loop() {
		buf = p.AppendTo(buf[:0])
	}
}

func BenchmarkDecodeUDP(b *testing.B) {
	buf := wire(udpPkt("10.0.2.149", 59743, "10.0.1.55", 33437, 1400))
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeICMPError(b *testing.B) {
	buf := wire(icmpErr("10.0.1.55", ICMPDestUnreachable, ICMPCodePortUnreachable, probe))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
