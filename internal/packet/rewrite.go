package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// In-place rewriting of IPv4 packets, for live mode's NAT and routing: each function changes
// one field of b and updates the checksums that cover it incrementally (RFC 1624), leaving
// everything else — IP and TCP options included — as it was. A fragment other than the first
// has no L4 header: its addresses can change (the L4 checksum is in the first fragment, which
// must be rewritten the same way) but not its ports. The quote in an ICMP error is not
// rewritten; for that, Decode, change Inner, and Marshal.

// ErrNoPort is returned when asked to rewrite a port a packet does not have.
var ErrNoPort = errors.New("packet: no port to rewrite")

// rewriteView checks b as Decode would and returns its IP header and its L4 bytes, nil for a
// fragment other than the first.
func rewriteView(b []byte) (ipv4View, []byte, error) {
	var p Packet
	l4, err := decodeIPv4(&p, b)
	if err != nil {
		return nil, nil, err
	}
	if p.FragOff != 0 {
		l4 = nil
	}
	return ipv4View(b), l4, nil
}

// SetSrcAddr sets the source address of IPv4 packet b.
func SetSrcAddr(b []byte, a netip.Addr) error { return setAddr(b, 12, a) }

// SetDstAddr sets the destination address of IPv4 packet b.
func SetDstAddr(b []byte, a netip.Addr) error { return setAddr(b, 16, a) }

func setAddr(b []byte, off int, a netip.Addr) error {
	if !a.Is4() {
		return fmt.Errorf("packet: %v is not an IPv4 address", a)
	}
	ip, l4, err := rewriteView(b)
	if err != nil {
		return err
	}
	a4 := a.As4()
	old, new := binary.BigEndian.Uint32(ip[off:]), binary.BigEndian.Uint32(a4[:])
	binary.BigEndian.PutUint32(ip[off:], new)
	ip.setChecksum(updateSum32(ip.checksum(), old, new))
	// The pseudo-header puts the addresses in TCP and UDP checksums; ICMP's does not cover them.
	switch ip.proto() {
	case ProtoTCP:
		if len(l4) >= tcpMinLen {
			t := tcpView(l4)
			t.setChecksum(updateSum32(t.checksum(), old, new))
		}
	case ProtoUDP:
		if len(l4) >= udpLen {
			u := udpView(l4)
			if c := u.checksum(); c != 0 { // 0: sent without a checksum
				u.setChecksum(udpChecksum(updateSum32(c, old, new)))
			}
		}
	}
	return nil
}

// udpChecksum maps a computed 0 to 0xffff, 0 meaning "no checksum" in UDP.
func udpChecksum(c uint16) uint16 {
	if c == 0 {
		return 0xffff
	}
	return c
}

// SetSrcPort sets the TCP or UDP source port of IPv4 packet b, or the identifier of an ICMP
// echo request or reply (what NAT rewrites in place of a port).
func SetSrcPort(b []byte, port uint16) error { return setPort(b, 0, port) }

// SetDstPort sets the TCP or UDP destination port of IPv4 packet b, or the identifier of an
// ICMP echo request or reply.
func SetDstPort(b []byte, port uint16) error { return setPort(b, 2, port) }

func setPort(b []byte, off int, port uint16) error {
	ip, l4, err := rewriteView(b)
	if err != nil {
		return err
	}
	var csum []byte // the checksum field
	switch ip.proto() {
	case ProtoTCP:
		if len(l4) >= tcpMinLen {
			csum = l4[16:18]
		}
	case ProtoUDP:
		if len(l4) >= udpLen {
			csum = l4[6:8]
		}
	case ProtoICMP:
		if len(l4) >= icmpLen && (l4[0] == ICMPEchoRequest || l4[0] == ICMPEchoReply) {
			off, csum = 4, l4[2:4]
		}
	}
	if csum == nil {
		return fmt.Errorf("%w: protocol %d, %d L4 bytes", ErrNoPort, ip.proto(), len(l4))
	}
	old := binary.BigEndian.Uint16(l4[off:])
	binary.BigEndian.PutUint16(l4[off:], port)
	c := binary.BigEndian.Uint16(csum)
	switch ip.proto() {
	case ProtoTCP:
		c = updateSum16(c, old, port)
	case ProtoUDP:
		if c != 0 {
			c = udpChecksum(updateSum16(c, old, port))
		}
	case ProtoICMP:
		if c = updateSum16(c, old, port); c == 0 {
			// The one case the incremental update cannot tell apart: an all-zero message (an
			// echo reply with identifier, sequence number and payload 0) needs 0xffff, not 0.
			binary.BigEndian.PutUint16(csum, 0)
			c = checksum(sum(l4, 0))
		}
	}
	binary.BigEndian.PutUint16(csum, c)
	return nil
}

// DecrementTTL lowers the TTL of IPv4 packet b by one and returns the new TTL. It fails if the
// TTL is already 0.
func DecrementTTL(b []byte) (uint8, error) {
	ip, _, err := rewriteView(b)
	if err != nil {
		return 0, err
	}
	ttl := ip.ttl()
	if ttl == 0 {
		return 0, fmt.Errorf("%w: TTL already 0", ErrMalformed)
	}
	old := binary.BigEndian.Uint16(ip[8:]) // TTL and protocol share a word
	ip[8] = ttl - 1
	ip.setChecksum(updateSum16(ip.checksum(), old, binary.BigEndian.Uint16(ip[8:])))
	return ttl - 1, nil
}
