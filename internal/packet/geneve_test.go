package packet

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The header a GWLB puts on an IPv4 packet (§13.9), byte for byte: version 0, 8 words of
// options, protocol 0x0800, VNI 0, then class 0x0108 types 1 (8 bytes), 2 (8), 3 (4).
func TestGENEVEGoldenHeader(t *testing.T) {
	g := AWSGENEVE(0x0123456789abcdef, 0x1122334455667788, 0xdeadbeef)
	b, err := g.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x08, 0x00, 0x08, 0x00, 0, 0, 0, 0,
		0x01, 0x08, 1, 2, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x08, 2, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x01, 0x08, 3, 1, 0xde, 0xad, 0xbe, 0xef,
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("header\n got % x\nwant % x", b, want)
	}
	if g.Len() != 40 || GWLBOverhead != 68 {
		t.Errorf("Len %d, overhead %d; want 40 and 68 (§13.9)", g.Len(), GWLBOverhead)
	}
}

// Encapsulate, marshal, decode: the outer packet is UDP to 6081, and the inner packet comes
// back unchanged, TTL and all; gopacket reads the same header.
func TestGENEVERoundTrip(t *testing.T) {
	inner := tcpPkt("10.0.1.10", 40000, "93.184.216.34", 443, TCPSyn, 1, 0)
	inner.TTL = 63
	outer := Packet{Src: addr("10.1.0.254"), Dst: addr("10.1.0.10"), TTL: 255, ID: 7, SrcPort: 50000, DstPort: GENEVEPort}
	out, err := EncapsulateGENEVE(outer, AWSGENEVE(1, 2, 3), &inner)
	if err != nil {
		t.Fatal(err)
	}
	wireBytes := out.Marshal()
	if err := VerifyChecksums(wireBytes); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(wireBytes)
	if err != nil {
		t.Fatal(err)
	}
	if got.Proto != ProtoUDP || got.DstPort != GENEVEPort || got.Len() != inner.Len()+GWLBOverhead {
		t.Fatalf("outer %s, length %d; want UDP to 6081 of %d bytes", Summary(&got), got.Len(), inner.Len()+GWLBOverhead)
	}
	g, rest, err := DecodeGENEVE(got.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !g.HasAWSOptions() || g.Protocol != GENEVEProtoIPv4 {
		t.Fatalf("decoded %+v: want AWS options and protocol 0x0800", g)
	}
	in2, err := Decode(rest)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inner.Marshal(), in2.Marshal()); diff != "" {
		t.Errorf("inner packet changed (-want +got):\n%s", diff)
	}
	wantSum := "IP 10.1.0.254.50000 > 10.1.0.10.6081: Geneve, Flags [none], vni 0x0, options [32 bytes]: " +
		"IP 10.0.1.10.40000 > 93.184.216.34.443: Flags [S], seq 1, win 62727, length 0"
	if s := Summary(&got); s != wantSum {
		t.Errorf("Summary\n got %s\nwant %s", s, wantSum)
	}
	// gopacket's GENEVE layer agrees.
	pk := gopacket.NewPacket(wireBytes, layers.LayerTypeIPv4, gopacket.Default)
	gl, ok := pk.Layer(layers.LayerTypeGeneve).(*layers.Geneve)
	if !ok {
		t.Fatalf("gopacket finds no GENEVE layer: %v", pk)
	}
	if len(gl.Options) != 3 || gl.Options[2].Class != GENEVEClassAWS || gl.Options[2].Type != GENEVEOptFlowCookie || gl.Protocol != layers.EthernetTypeIPv4 {
		t.Errorf("gopacket reads %+v", gl)
	}
}

func TestGENEVEDecodeRejects(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{0x40, 0, 8, 0, 0, 0, 0, 0},             // version 1
		{0x01, 0, 8, 0, 0, 0, 0, 0},             // an option word missing
		{0x01, 0, 8, 0, 0, 0, 0, 0, 1, 8, 1, 2}, // option data past the options
	} {
		if _, _, err := DecodeGENEVE(b); err == nil {
			t.Errorf("DecodeGENEVE(% x): no error", b)
		}
	}
	bad := GENEVE{Options: []GENEVEOption{{Class: 1, Type: 1, Data: []byte{1, 2, 3}}}}
	if _, err := bad.AppendTo(nil); err == nil {
		t.Error("an option of 3 bytes encoded")
	}
}

func FuzzDecodeGENEVE(f *testing.F) {
	b, _ := func() ([]byte, error) { g := AWSGENEVE(1, 2, 3); return g.AppendTo(nil) }()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, _, err := DecodeGENEVE(b)
		if err != nil {
			return
		}
		if _, err := g.AppendTo(nil); err != nil {
			t.Fatalf("decoded header does not encode: %v", err)
		}
	})
}

// What a GWLB target captures (§13.9), as the real tcpdump prints it: GENEVE both ways around
// a TCP SYN and an ICMP echo request.
func TestTcpdumpGENEVE(t *testing.T) {
	var ps []Packet
	for _, inner := range []Packet{tcpPkt("10.0.1.10", 40000, "93.184.216.34", 443, TCPSyn, 1, 0),
		echoPkt("10.0.1.10", "93.184.216.34", ICMPEchoRequest, 7, 1, 56)} {
		for _, dir := range [][2]uint16{{50000, GENEVEPort}, {GENEVEPort, 50000}} {
			outer := Packet{Src: addr("10.1.0.254"), Dst: addr("10.1.0.10"), TTL: 255, ID: 9, DF: true, SrcPort: dir[0], DstPort: dir[1]}
			p, err := EncapsulateGENEVE(outer, AWSGENEVE(0xaaaaaaaaaaaaaaa1, 2, 3), &inner)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
	}
	compareWithTcpdump(t, tcpdump(t, LinkTypeRaw, ps, "-n", "-S"), ps)
}
