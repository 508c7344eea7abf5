// Package packet is the packet value vpclab's engine decides on, plus its wire form: encoding
// and decoding IPv4 with TCP, UDP and ICMP (checksums included), pcap files, and tcpdump -n
// style one-line summaries.
//
// A Packet is a plain value: copying it copies the header. Inner (the header an ICMP error
// quotes) and Payload are shared on copy; treat them as immutable and replace, never mutate.
package packet

import (
	"fmt"
	"net/netip"
)

// IP protocol numbers.
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
)

// ICMP types and codes vpclab generates or translates.
const (
	ICMPEchoReply       uint8 = 0
	ICMPDestUnreachable uint8 = 3
	ICMPEchoRequest     uint8 = 8
	ICMPTimeExceeded    uint8 = 11

	ICMPCodeNetUnreachable  uint8 = 0
	ICMPCodeHostUnreachable uint8 = 1
	ICMPCodePortUnreachable uint8 = 3
	ICMPCodeFragNeeded      uint8 = 4
	ICMPCodeAdminProhibited uint8 = 13
	ICMPCodeTTLInTransit    uint8 = 0
)

// TCP flags.
const (
	TCPFin uint8 = 0x01
	TCPSyn uint8 = 0x02
	TCPRst uint8 = 0x04
	TCPPsh uint8 = 0x08
	TCPAck uint8 = 0x10
)

// Packet is one IPv4 packet as the engine sees it.
type Packet struct {
	Src, Dst netip.Addr
	Proto    uint8
	TTL      uint8
	ID       uint16 // IP identification
	TOS      uint8
	DF       bool   // don't fragment
	MF       bool   // more fragments
	FragOff  uint16 // fragment offset, in 8-byte units

	// TCP and UDP.
	SrcPort, DstPort uint16
	// TCP only.
	TCPFlags uint8
	Seq, Ack uint32
	Window   uint16

	// ICMP only. ICMPID and ICMPSeq are meaningful for echo request/reply.
	ICMPType, ICMPCode uint8
	ICMPID, ICMPSeq    uint16

	// Inner is the quoted header of an ICMP error (destination unreachable, time exceeded):
	// the offending packet's IP header and first 8 bytes of L4, as a Packet.
	Inner *Packet

	// Payload is the L4 payload (after the TCP/UDP/ICMP header; for ICMP errors, after the
	// quoted packet). The engine never reads it; live mode carries it through.
	Payload []byte
	// PayloadLen is the payload length when Payload is nil (simulated packets carry sizes,
	// not bytes). Len uses whichever is set.
	PayloadLen int

	// SegSize, when not 0, marks a TCP super-packet a sender's stack handed over whole for the
	// device to segment (TSO): on the wire it is a train of packets carrying at most SegSize
	// payload bytes each (LargestOnWire).
	SegSize uint16

	// App is what an application-layer inspector (a Network Firewall domain list, §14.8)
	// reads of a simulated flow, whose packets carry sizes rather than bytes: the TLS SNI
	// and the HTTP Host the client will send. nil for most packets; live packets carry the
	// bytes in Payload instead.
	App *App
}

// App is a simulated flow's application-layer attributes (§14.15).
type App struct {
	SNI      string // TLS ClientHello server name
	HTTPHost string // HTTP/1 request Host header
}

// IsFragment reports whether the packet is one fragment of a larger datagram (§2.2.7).
func (p *Packet) IsFragment() bool { return p.MF || p.FragOff != 0 }

// IsICMPError reports whether the packet is an ICMP error that quotes another packet.
func (p *Packet) IsICMPError() bool {
	return p.Proto == ProtoICMP && (p.ICMPType == ICMPDestUnreachable || p.ICMPType == ICMPTimeExceeded)
}

// HasPorts reports whether the protocol carries ports (TCP, UDP).
func (p *Packet) HasPorts() bool { return p.Proto == ProtoTCP || p.Proto == ProtoUDP }

// DataLen is the L4 payload length in bytes.
func (p *Packet) DataLen() int {
	if p.Payload != nil {
		return len(p.Payload)
	}
	return p.PayloadLen
}

// L4HeaderLen is the length of the TCP (20, no options), UDP (8) or ICMP (8) header, plus the
// quoted packet of an ICMP error; 0 for other protocols and for a fragment other than the
// first, which carries no L4 header.
func (p *Packet) L4HeaderLen() int {
	if p.FragOff != 0 {
		return 0
	}
	switch p.Proto {
	case ProtoTCP:
		return 20
	case ProtoUDP:
		return 8
	case ProtoICMP:
		if p.IsICMPError() && p.Inner != nil {
			return 8 + 20 + 8
		}
		return 8
	}
	return 0
}

// Len is the total IP length: 20-byte header, L4 header, payload.
func (p *Packet) Len() int { return 20 + p.L4HeaderLen() + p.DataLen() }

// LargestOnWire is the length of the largest packet p puts on a link: Len, or for a TSO
// super-packet its largest segment. An MTU is checked against it.
func (p *Packet) LargestOnWire() int {
	if p.SegSize > 0 && int(p.SegSize) < p.DataLen() {
		return 20 + p.L4HeaderLen() + int(p.SegSize)
	}
	return p.Len()
}

// ProtoName is "tcp", "udp", "icmp" or the protocol number.
func ProtoName(proto uint8) string {
	switch proto {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	}
	return fmt.Sprint(proto)
}

// String is a compact one-line form for logs and test failures, for example
// "tcp 10.0.0.11:40000 > 10.0.1.55:80 ttl=255" or "icmp 10.0.0.11 > 10.0.1.55 echo-request id=1 seq=1 ttl=255".
func (p Packet) String() string {
	switch {
	case p.HasPorts():
		return fmt.Sprintf("%s %s:%d > %s:%d ttl=%d", ProtoName(p.Proto), p.Src, p.SrcPort, p.Dst, p.DstPort, p.TTL)
	case p.Proto == ProtoICMP && p.IsICMPError() && p.Inner != nil:
		return fmt.Sprintf("icmp %s > %s type=%d code=%d ttl=%d [%s]", p.Src, p.Dst, p.ICMPType, p.ICMPCode, p.TTL, p.Inner.String())
	case p.Proto == ProtoICMP:
		return fmt.Sprintf("icmp %s > %s type=%d code=%d id=%d seq=%d ttl=%d", p.Src, p.Dst, p.ICMPType, p.ICMPCode, p.ICMPID, p.ICMPSeq, p.TTL)
	}
	return fmt.Sprintf("proto-%d %s > %s ttl=%d", p.Proto, p.Src, p.Dst, p.TTL)
}

// Quote returns the header an ICMP error about p carries: p's header and first 8 L4 bytes
// (RFC 792). The quote keeps p's length (its IP total length field is p's) but no payload bytes.
func (p Packet) Quote() *Packet {
	q := p
	q.Inner = nil
	q.PayloadLen = p.DataLen()
	q.Payload = nil
	return &q
}

// OpensFlow reports whether a packet may open a flow at a stateful middlebox, as Linux
// conntrack's NEW state and a firewall's stateful engine take it: a TCP SYN, any UDP
// datagram, an ICMP echo request or other query, any packet of another protocol. A SYN-ACK,
// an echo reply or an ICMP error cannot.
func (p *Packet) OpensFlow() bool {
	switch p.Proto {
	case ProtoTCP:
		return p.TCPFlags&TCPSyn != 0 && p.TCPFlags&TCPAck == 0
	case ProtoICMP:
		return !p.IsICMPError() && p.ICMPType != ICMPEchoReply
	}
	return true
}
