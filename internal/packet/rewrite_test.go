package packet

import (
	"bytes"
	"errors"
	"testing"
)

// Each rewrite must give the bytes Marshal gives for the changed packet.
func TestRewriteMatchesMarshal(t *testing.T) {
	nat := addr("10.0.2.149")
	rewrites := []struct {
		name   string
		do     func(b []byte) error
		change func(p *Packet)
		ok     func(p *Packet) bool // whether the rewrite applies
	}{
		{"src addr", func(b []byte) error { return SetSrcAddr(b, nat) }, func(p *Packet) { p.Src = nat }, nil},
		{"dst addr", func(b []byte) error { return SetDstAddr(b, nat) }, func(p *Packet) { p.Dst = nat }, nil},
		{"src port", func(b []byte) error { return SetSrcPort(b, 61000) }, func(p *Packet) {
			if p.HasPorts() {
				p.SrcPort = 61000
			} else {
				p.ICMPID = 61000
			}
		}, hasPort},
		{"dst port", func(b []byte) error { return SetDstPort(b, 1024) }, func(p *Packet) {
			if p.HasPorts() {
				p.DstPort = 1024
			} else {
				p.ICMPID = 1024
			}
		}, hasPort},
		{"ttl", func(b []byte) error { _, err := DecrementTTL(b); return err }, func(p *Packet) { p.TTL-- }, func(p *Packet) bool { return p.TTL > 0 }},
	}
	for _, tc := range roundTrip {
		for _, rw := range rewrites {
			t.Run(tc.name+"/"+rw.name, func(t *testing.T) {
				b := tc.p.Marshal()
				err := rw.do(b)
				if rw.ok != nil && !rw.ok(&tc.p) {
					if err == nil {
						t.Errorf("rewrite succeeded")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				want := tc.p
				rw.change(&want)
				if w := want.Marshal(); !bytes.Equal(b, w) {
					t.Errorf("rewritten\n got % x\nwant % x", b, w)
				}
				if err := VerifyChecksums(b); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func hasPort(p *Packet) bool {
	if p.FragOff != 0 {
		return false
	}
	return p.HasPorts() || (p.Proto == ProtoICMP && (p.ICMPType == ICMPEchoRequest || p.ICMPType == ICMPEchoReply))
}

func TestRewriteUDPWithoutChecksum(t *testing.T) {
	b := probe.Marshal()
	b[26], b[27] = 0, 0
	if err := SetSrcAddr(b, addr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if err := SetSrcPort(b, 1); err != nil {
		t.Fatal(err)
	}
	if b[26] != 0 || b[27] != 0 {
		t.Errorf("UDP checksum 0 (none) became % x", b[26:28])
	}
}

func TestRewriteErrors(t *testing.T) {
	b := probe.Marshal()
	if err := SetSrcAddr(b, addr("2001:db8::1")); err == nil {
		t.Error("IPv6 address accepted")
	}
	if err := SetSrcAddr(b[:10], addr("10.0.0.1")); !errors.Is(err, ErrTruncated) {
		t.Errorf("short packet: %v", err)
	}
	zero := wire(with(probe, func(p *Packet) { p.TTL = 0 }))
	if _, err := DecrementTTL(zero); err == nil {
		t.Error("TTL 0 decremented")
	}
	unreach := wire(icmpErr("10.0.1.55", 3, 3, probe))
	if err := SetDstPort(unreach, 1); !errors.Is(err, ErrNoPort) {
		t.Errorf("port of an ICMP error: %v", err)
	}
}

func BenchmarkRewriteNAT(b *testing.B) {
	buf := wire(udpPkt("10.0.0.11", 40000, "10.0.1.55", 33437, 1400))
	nat := addr("10.0.2.149")
	b.ReportAllocs()
	for b.Loop() {
		_ = SetSrcAddr(buf, nat)
		_ = SetSrcPort(buf, 61000)
		if _, err := DecrementTTL(buf); err != nil {
			b.Fatal(err)
		}
		if buf[8] == 1 {
			buf[8] = 255 // keep going (the header checksum goes stale; rewriting does not check it)
		}
	}
}
