package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// MAC is an Ethernet (EUI-48) address.
type MAC [6]byte

// BroadcastMAC is ff:ff:ff:ff:ff:ff.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// ParseMAC parses an EUI-48 address in any form net.ParseMAC accepts, such as
// "02:00:5e:10:00:01", "02-00-5E-10-00-01" or "0200.5e10.0001".
func ParseMAC(s string) (MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return MAC{}, err
	}
	if len(hw) != len(MAC{}) {
		return MAC{}, fmt.Errorf("packet: %q is not a 6-byte MAC address", s)
	}
	return MAC(hw), nil
}

// String is the lower-case, colon-separated form, as in "02:00:5e:10:00:01".
func (m MAC) String() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, c := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[c>>4], hex[c&0x0f])
	}
	return string(b)
}

// EtherTypes vpclab handles.
const (
	EtherTypeIPv4 uint16 = 0x0800
	EtherTypeARP  uint16 = 0x0806
)

const (
	etherHeaderLen = 14
	// etherMinFrame is the shortest Ethernet frame without its FCS; shorter ones are padded.
	etherMinFrame = 60
)

// EncodeEthernet returns an Ethernet II frame: destination, source, EtherType, payload, and
// zero padding up to the 60-byte minimum (as gopacket and NICs do; the FCS is not included).
func EncodeEthernet(dst, src MAC, etherType uint16, payload []byte) []byte {
	n := max(etherHeaderLen+len(payload), etherMinFrame)
	f := make([]byte, n)
	copy(f[0:6], dst[:])
	copy(f[6:12], src[:])
	binary.BigEndian.PutUint16(f[12:], etherType)
	copy(f[etherHeaderLen:], payload)
	return f
}

// DecodeEthernet splits an Ethernet II frame. The payload aliases frame and includes any
// padding (an IPv4 packet's total length tells where it ends; Decode ignores the rest). An
// 802.1Q tag is not removed: etherType is then 0x8100.
func DecodeEthernet(frame []byte) (dst, src MAC, etherType uint16, payload []byte, err error) {
	if len(frame) < etherHeaderLen {
		return MAC{}, MAC{}, 0, nil, fmt.Errorf("%w: Ethernet frame of %d bytes", ErrTruncated, len(frame))
	}
	return MAC(frame[0:6]), MAC(frame[6:12]), binary.BigEndian.Uint16(frame[12:]), frame[etherHeaderLen:], nil
}

// ARP operations.
const (
	ARPOpRequest uint16 = 1
	ARPOpReply   uint16 = 2
)

// ARP is an ARP message for IPv4 over Ethernet (RFC 826).
type ARP struct {
	Op                   uint16
	SenderMAC, TargetMAC MAC
	SenderIP, TargetIP   netip.Addr
}

const arpLen = 28

// ErrNotARPIPv4 is returned by DecodeARP for ARP messages about other hardware or protocols.
var ErrNotARPIPv4 = errors.New("packet: not ARP for IPv4 over Ethernet")

// DecodeARP parses an ARP message (the payload of an EtherTypeARP frame, padding allowed).
func DecodeARP(b []byte) (ARP, error) {
	if len(b) < arpLen {
		return ARP{}, fmt.Errorf("%w: ARP message of %d bytes", ErrTruncated, len(b))
	}
	if binary.BigEndian.Uint16(b[0:]) != 1 || binary.BigEndian.Uint16(b[2:]) != EtherTypeIPv4 ||
		b[4] != 6 || b[5] != 4 {
		return ARP{}, ErrNotARPIPv4
	}
	return ARP{
		Op:        binary.BigEndian.Uint16(b[6:]),
		SenderMAC: MAC(b[8:14]),
		SenderIP:  netip.AddrFrom4([4]byte(b[14:18])),
		TargetMAC: MAC(b[18:24]),
		TargetIP:  netip.AddrFrom4([4]byte(b[24:28])),
	}, nil
}

// Marshal returns the 28-byte ARP message.
func (a ARP) Marshal() []byte {
	b := make([]byte, arpLen)
	binary.BigEndian.PutUint16(b[0:], 1) // Ethernet
	binary.BigEndian.PutUint16(b[2:], EtherTypeIPv4)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], a.Op)
	copy(b[8:14], a.SenderMAC[:])
	*(*[4]byte)(b[14:18]) = addr4(a.SenderIP)
	copy(b[18:24], a.TargetMAC[:])
	*(*[4]byte)(b[24:28]) = addr4(a.TargetIP)
	return b
}

// ARPRequest returns the broadcast Ethernet frame asking who has target, from (mac, ip).
func ARPRequest(mac MAC, ip, target netip.Addr) []byte {
	a := ARP{Op: ARPOpRequest, SenderMAC: mac, SenderIP: ip, TargetIP: target}
	return EncodeEthernet(BroadcastMAC, mac, EtherTypeARP, a.Marshal())
}

// ARPReply returns the Ethernet frame answering request req with "req.TargetIP is at mac",
// sent from mac to the requester.
func ARPReply(req ARP, mac MAC) []byte {
	a := ARP{Op: ARPOpReply, SenderMAC: mac, SenderIP: req.TargetIP, TargetMAC: req.SenderMAC, TargetIP: req.SenderIP}
	return EncodeEthernet(req.SenderMAC, mac, EtherTypeARP, a.Marshal())
}
