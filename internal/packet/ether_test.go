package packet

import (
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

var (
	macA = MAC{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}
	macB = MAC{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
)

func TestParseMAC(t *testing.T) {
	for _, s := range []string{"02:00:5e:10:00:01", "02-00-5E-10-00-01", "0200.5e10.0001"} {
		m, err := ParseMAC(s)
		if err != nil || m != macA {
			t.Errorf("ParseMAC(%q) = %v, %v", s, m, err)
		}
	}
	if got := macB.String(); got != "0a:1b:2c:3d:4e:5f" {
		t.Errorf("String = %q", got)
	}
	for _, s := range []string{"", "02:00:5e:10:00", "02:00:5e:10:00:01:02:03", "zz:00:5e:10:00:01"} {
		if _, err := ParseMAC(s); err == nil {
			t.Errorf("ParseMAC(%q) succeeded", s)
		}
	}
}

func TestEthernetMatchesGopacket(t *testing.T) {
	for _, n := range []int{0, 1, 46, 47, 1500} {
		payload := pattern(n)
		want := serialize(t, &layers.Ethernet{DstMAC: net.HardwareAddr(macB[:]), SrcMAC: net.HardwareAddr(macA[:]),
			EthernetType: layers.EthernetTypeIPv4}, gopacket.Payload(payload))
		got := EncodeEthernet(macB, macA, EtherTypeIPv4, payload)
		if !bytes.Equal(got, want) {
			t.Errorf("EncodeEthernet(%d bytes)\n got % x\nwant % x", n, got, want)
		}
		dst, src, et, pay, err := DecodeEthernet(want)
		if err != nil || dst != macB || src != macA || et != EtherTypeIPv4 || !bytes.Equal(pay[:n], payload) ||
			len(pay) != max(n, 46) {
			t.Errorf("DecodeEthernet = %v %v %#x %d bytes %v", dst, src, et, len(pay), err)
		}
	}
	if _, _, _, _, err := DecodeEthernet(make([]byte, 13)); !errors.Is(err, ErrTruncated) {
		t.Errorf("DecodeEthernet(13 bytes) = %v", err)
	}
}

func TestEthernetCarriesIPv4(t *testing.T) {
	// A short packet is padded; Decode finds its end by the IP total length.
	p := echoPkt("10.0.0.11", "10.0.1.55", ICMPEchoRequest, 1, 1, 0)
	_, _, _, pay, err := DecodeEthernet(EncodeEthernet(macB, macA, EtherTypeIPv4, p.Marshal()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(pay)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got, cmpAddr); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func gpARP(op uint16, sMAC MAC, sIP string, tMAC MAC, tIP string) *layers.ARP {
	return &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
		SourceHwAddress: sMAC[:], SourceProtAddress: addr(sIP).AsSlice(),
		DstHwAddress: tMAC[:], DstProtAddress: addr(tIP).AsSlice()}
}

func TestARPMatchesGopacket(t *testing.T) {
	// A host asks who has 10.0.0.1; gopacket builds the request.
	reqFrame := serialize(t, &layers.Ethernet{DstMAC: net.HardwareAddr(BroadcastMAC[:]), SrcMAC: net.HardwareAddr(macB[:]),
		EthernetType: layers.EthernetTypeARP}, gpARP(layers.ARPRequest, macB, "10.0.0.11", MAC{}, "10.0.0.1"))
	if got := ARPRequest(macB, addr("10.0.0.11"), addr("10.0.0.1")); !bytes.Equal(got, reqFrame) {
		t.Errorf("ARPRequest\n got % x\nwant % x", got, reqFrame)
	}
	_, _, et, pay, err := DecodeEthernet(reqFrame)
	if err != nil || et != EtherTypeARP {
		t.Fatalf("DecodeEthernet: %#x %v", et, err)
	}
	req, err := DecodeARP(pay)
	if err != nil {
		t.Fatal(err)
	}
	want := ARP{Op: ARPOpRequest, SenderMAC: macB, SenderIP: addr("10.0.0.11"), TargetIP: addr("10.0.0.1")}
	if diff := cmp.Diff(want, req, cmpAddr); diff != "" {
		t.Errorf("DecodeARP (-want +got):\n%s", diff)
	}

	// The router answers.
	replyFrame := serialize(t, &layers.Ethernet{DstMAC: net.HardwareAddr(macB[:]), SrcMAC: net.HardwareAddr(macA[:]),
		EthernetType: layers.EthernetTypeARP}, gpARP(layers.ARPReply, macA, "10.0.0.1", macB, "10.0.0.11"))
	if got := ARPReply(req, macA); !bytes.Equal(got, replyFrame) {
		t.Errorf("ARPReply\n got % x\nwant % x", got, replyFrame)
	}
}

func TestDecodeARPErrors(t *testing.T) {
	good := ARP{Op: ARPOpReply, SenderMAC: macA, SenderIP: addr("10.0.0.1")}.Marshal()
	if _, err := DecodeARP(good[:27]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
	for _, i := range []int{1, 3, 4, 5} { // hardware type, protocol type, lengths
		b := bytes.Clone(good)
		b[i]++
		if _, err := DecodeARP(b); !errors.Is(err, ErrNotARPIPv4) {
			t.Errorf("byte %d changed: %v", i, err)
		}
	}
}
