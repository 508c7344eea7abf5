package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Header views, in the style of gVisor's header package: a view is the header's bytes, and its
// methods read and write fields in place. Callers check lengths first.

type ipv4View []byte

const ipv4MinLen = 20

func (h ipv4View) version() uint8       { return h[0] >> 4 }
func (h ipv4View) headerLen() int       { return int(h[0]&0x0f) * 4 }
func (h ipv4View) tos() uint8           { return h[1] }
func (h ipv4View) totalLen() int        { return int(binary.BigEndian.Uint16(h[2:])) }
func (h ipv4View) id() uint16           { return binary.BigEndian.Uint16(h[4:]) }
func (h ipv4View) flagsFrag() uint16    { return binary.BigEndian.Uint16(h[6:]) }
func (h ipv4View) ttl() uint8           { return h[8] }
func (h ipv4View) proto() uint8         { return h[9] }
func (h ipv4View) checksum() uint16     { return binary.BigEndian.Uint16(h[10:]) }
func (h ipv4View) src() netip.Addr      { return netip.AddrFrom4([4]byte(h[12:16])) }
func (h ipv4View) dst() netip.Addr      { return netip.AddrFrom4([4]byte(h[16:20])) }
func (h ipv4View) setChecksum(c uint16) { binary.BigEndian.PutUint16(h[10:], c) }

const (
	ipFlagDF      = 0x4000
	ipFlagMF      = 0x2000
	ipFragOffMask = 0x1fff
)

// encode writes p's 20-byte header with the given total length and a valid header checksum.
func (h ipv4View) encode(p *Packet, totalLen int) {
	h[0] = 4<<4 | 5
	h[1] = p.TOS
	binary.BigEndian.PutUint16(h[2:], uint16(totalLen))
	binary.BigEndian.PutUint16(h[4:], p.ID)
	ff := p.FragOff & ipFragOffMask
	if p.DF {
		ff |= ipFlagDF
	}
	if p.MF {
		ff |= ipFlagMF
	}
	binary.BigEndian.PutUint16(h[6:], ff)
	h[8] = p.TTL
	h[9] = p.Proto
	h.setChecksum(0)
	*(*[4]byte)(h[12:16]) = addr4(p.Src)
	*(*[4]byte)(h[16:20]) = addr4(p.Dst)
	h.setChecksum(checksum(sum(h[:ipv4MinLen], 0)))
}

// addr4 is a's four bytes; the zero Addr and IPv6 addresses that are not 4in6 give 0.0.0.0.
func addr4(a netip.Addr) [4]byte {
	if a.Is4() || a.Is4In6() {
		return a.Unmap().As4()
	}
	return [4]byte{}
}

type tcpView []byte

const tcpMinLen = 20

func (h tcpView) srcPort() uint16      { return binary.BigEndian.Uint16(h[0:]) }
func (h tcpView) dstPort() uint16      { return binary.BigEndian.Uint16(h[2:]) }
func (h tcpView) seq() uint32          { return binary.BigEndian.Uint32(h[4:]) }
func (h tcpView) ack() uint32          { return binary.BigEndian.Uint32(h[8:]) }
func (h tcpView) dataOffset() int      { return int(h[12]>>4) * 4 }
func (h tcpView) flags() uint8         { return h[13] }
func (h tcpView) window() uint16       { return binary.BigEndian.Uint16(h[14:]) }
func (h tcpView) checksum() uint16     { return binary.BigEndian.Uint16(h[16:]) }
func (h tcpView) setChecksum(c uint16) { binary.BigEndian.PutUint16(h[16:], c) }

func (h tcpView) encode(p *Packet) {
	binary.BigEndian.PutUint16(h[0:], p.SrcPort)
	binary.BigEndian.PutUint16(h[2:], p.DstPort)
	binary.BigEndian.PutUint32(h[4:], p.Seq)
	binary.BigEndian.PutUint32(h[8:], p.Ack)
	h[12] = 5 << 4
	h[13] = p.TCPFlags
	binary.BigEndian.PutUint16(h[14:], p.Window)
	binary.BigEndian.PutUint32(h[16:], 0) // checksum, urgent pointer
}

type udpView []byte

const udpLen = 8

func (h udpView) srcPort() uint16      { return binary.BigEndian.Uint16(h[0:]) }
func (h udpView) dstPort() uint16      { return binary.BigEndian.Uint16(h[2:]) }
func (h udpView) length() int          { return int(binary.BigEndian.Uint16(h[4:])) }
func (h udpView) checksum() uint16     { return binary.BigEndian.Uint16(h[6:]) }
func (h udpView) setChecksum(c uint16) { binary.BigEndian.PutUint16(h[6:], c) }

func (h udpView) encode(p *Packet) {
	binary.BigEndian.PutUint16(h[0:], p.SrcPort)
	binary.BigEndian.PutUint16(h[2:], p.DstPort)
	binary.BigEndian.PutUint16(h[4:], uint16(udpLen+p.DataLen()))
	h.setChecksum(0)
}

type icmpView []byte

const icmpLen = 8

func (h icmpView) typ() uint8           { return h[0] }
func (h icmpView) code() uint8          { return h[1] }
func (h icmpView) checksum() uint16     { return binary.BigEndian.Uint16(h[2:]) }
func (h icmpView) id() uint16           { return binary.BigEndian.Uint16(h[4:]) }
func (h icmpView) seq() uint16          { return binary.BigEndian.Uint16(h[6:]) }
func (h icmpView) setChecksum(c uint16) { binary.BigEndian.PutUint16(h[2:], c) }

func (h icmpView) encode(p *Packet) {
	h[0] = p.ICMPType
	h[1] = p.ICMPCode
	h.setChecksum(0)
	binary.BigEndian.PutUint16(h[4:], p.ICMPID)
	binary.BigEndian.PutUint16(h[6:], p.ICMPSeq)
}

// quoteLen is the length of the quote an ICMP error carries: an IPv4 header without options
// and the first 8 bytes of what follows it.
const quoteLen = ipv4MinLen + 8

// wireL4HeaderLen is the L4 header length on the wire: L4HeaderLen, except that a fragment
// other than the first carries no L4 header at all.
// Marshal returns p's wire form; see AppendTo.
func (p *Packet) Marshal() []byte { return p.AppendTo(make([]byte, 0, p.Len())) }

// AppendTo appends p's wire form to b and returns the extended slice. The wire form is:
//
//   - a 20-byte IPv4 header (no options) with total length Len, p's ID, DF, MF, fragment
//     offset, TTL, TOS, protocol and a valid header checksum;
//   - unless FragOff is non-zero, the L4 header: TCP (20 bytes: data offset 5, urgent pointer
//     0), UDP (8; length 8+DataLen), ICMP (type, code, then ICMPID and ICMPSeq as bytes 4–7,
//     which are the echo identifier and sequence number; for an error with Inner set, the
//     quote follows: Inner's IPv4 header with total length Inner.Len, then the first 8
//     bytes of Inner's L4 header — Inner's checksum computed as Marshal(Inner) would);
//     TCP and UDP checksums cover the pseudo-header, and a UDP checksum of 0 is sent as
//     0xffff; other protocols have no L4 header;
//   - the payload: p.Payload, or if that is nil PayloadLen generated bytes, byte i being i
//     mod 256 (what iputils ping sends after its timestamp).
//
// AppendTo panics if the wire length exceeds 65535 or PayloadLen is negative.
func (p *Packet) AppendTo(b []byte) []byte {
	n := p.Len()
	if n > 0xffff || p.DataLen() < 0 {
		panic(fmt.Sprintf("packet: cannot marshal a packet of %d bytes (payload %d)", n, p.DataLen()))
	}
	start := len(b)
	if cap(b)-start < n {
		nb := make([]byte, start, start+n)
		copy(nb, b)
		b = nb
	}
	b = b[:start+n]
	out := b[start:]
	ipv4View(out).encode(p, n)
	l4 := out[ipv4MinLen:]
	hl := p.L4HeaderLen()
	pay := l4[hl:]
	writePayload(pay, p)
	if hl > 0 {
		putL4Header(l4[:hl], p, sum(pay, 0))
	}
	return b
}

// putL4Header writes p's L4 header (len(h) == p.L4HeaderLen() > 0), quote included, with its
// checksum, given the running sum of p's payload.
func putL4Header(h []byte, p *Packet, paySum uint64) {
	switch p.Proto {
	case ProtoTCP:
		t := tcpView(h)
		t.encode(p)
		s := pseudoSum(addr4(p.Src), addr4(p.Dst), ProtoTCP, len(h)+p.DataLen())
		t.setChecksum(checksum(sum(h, s) + paySum))
	case ProtoUDP:
		u := udpView(h)
		u.encode(p)
		s := pseudoSum(addr4(p.Src), addr4(p.Dst), ProtoUDP, len(h)+p.DataLen())
		c := checksum(sum(h, s) + paySum)
		if c == 0 {
			c = 0xffff
		}
		u.setChecksum(c)
	case ProtoICMP:
		ic := icmpView(h)
		ic.encode(p)
		if len(h) > icmpLen {
			putQuote(h[icmpLen:icmpLen+quoteLen], p.Inner)
		}
		ic.setChecksum(checksum(sum(h, 0) + paySum))
	}
}

// putQuote writes the quote of in into q (len quoteLen): in's IPv4 header and the first 8
// bytes after it, which are its L4 header's, then its payload's if the header is shorter.
func putQuote(q []byte, in *Packet) {
	ipv4View(q).encode(in, in.Len())
	rest := q[ipv4MinLen:]
	var l4 [icmpLen + quoteLen]byte // the longest L4 header: an ICMP error's
	hl := in.L4HeaderLen()
	if hl > 0 {
		putL4Header(l4[:hl], in, payloadSum(in))
	}
	n := copy(rest, l4[:hl])
	rest = rest[n:]
	if len(rest) > 0 {
		clear(rest)
		if in.Payload != nil {
			copy(rest, in.Payload)
		} else {
			fillPattern(rest[:min(len(rest), max(in.PayloadLen, 0))])
		}
	}
}

// Decode errors. Decode wraps them with detail; test with errors.Is.
var (
	ErrTruncated = errors.New("packet: truncated")
	ErrMalformed = errors.New("packet: malformed")
	ErrNotIPv4   = errors.New("packet: not IPv4")
)

// Decode parses an IPv4 packet, the inverse of Marshal. It checks versions and lengths but
// not checksums (see VerifyChecksums). IP options are skipped, as are TCP options; bytes after
// the IP total length (link-layer padding) are ignored. TCPFlags is the whole TCP flags byte;
// the urgent pointer is dropped. For ICMP, bytes 4–7 of the header land in ICMPID and ICMPSeq
// whatever the type (for fragmentation needed, ICMPSeq is the next-hop MTU).
//
// A fragment other than the first has no L4 fields: everything after the IP header is
// Payload. An ICMP error whose quote is an IPv4 header and at least 8 more bytes gets Inner:
// the quoted header's fields, the L4 fields found in 8 bytes (TCP ports and Seq; UDP ports;
// ICMP type, code, ID and Seq) and PayloadLen = quoted total length − quoted header length −
// L4 header length (at least 0), so that Inner.Len is the quoted total length when the
// quoted header has no options. Payload is then what follows the quoted header and 8 bytes;
// an error with a quote Decode cannot read keeps it all in Payload and has no Inner.
//
// Payload aliases b (nil when empty); copy b first to reuse its buffer. Decode never panics.
func Decode(b []byte) (Packet, error) {
	var p Packet
	if err := decode(&p, b); err != nil {
		return Packet{}, err
	}
	return p, nil
}

func decode(p *Packet, b []byte) error {
	l4, err := decodeIPv4(p, b)
	if err != nil {
		return err
	}
	if p.FragOff != 0 {
		p.setPayload(l4)
		return nil
	}
	switch p.Proto {
	case ProtoTCP:
		if len(l4) < tcpMinLen {
			return fmt.Errorf("%w: TCP header of %d bytes", ErrTruncated, len(l4))
		}
		t := tcpView(l4)
		off := t.dataOffset()
		if off < tcpMinLen {
			return fmt.Errorf("%w: TCP data offset %d", ErrMalformed, off)
		}
		if off > len(l4) {
			return fmt.Errorf("%w: TCP data offset %d beyond %d bytes", ErrTruncated, off, len(l4))
		}
		p.SrcPort, p.DstPort = t.srcPort(), t.dstPort()
		p.Seq, p.Ack = t.seq(), t.ack()
		p.TCPFlags, p.Window = t.flags(), t.window()
		p.setPayload(l4[off:])
	case ProtoUDP:
		if len(l4) < udpLen {
			return fmt.Errorf("%w: UDP header of %d bytes", ErrTruncated, len(l4))
		}
		u := udpView(l4)
		p.SrcPort, p.DstPort = u.srcPort(), u.dstPort()
		end := len(l4)
		if !p.MF { // a first fragment's UDP length is the whole datagram's
			ul := u.length()
			if ul < udpLen {
				return fmt.Errorf("%w: UDP length %d", ErrMalformed, ul)
			}
			if ul > len(l4) {
				return fmt.Errorf("%w: UDP length %d beyond %d bytes", ErrTruncated, ul, len(l4))
			}
			end = ul
		}
		p.setPayload(l4[udpLen:end])
	case ProtoICMP:
		if len(l4) < icmpLen {
			return fmt.Errorf("%w: ICMP header of %d bytes", ErrTruncated, len(l4))
		}
		ic := icmpView(l4)
		p.ICMPType, p.ICMPCode = ic.typ(), ic.code()
		p.ICMPID, p.ICMPSeq = ic.id(), ic.seq()
		rest := l4[icmpLen:]
		if p.IsICMPError() {
			if in, n, ok := decodeQuote(rest); ok {
				p.Inner = in
				rest = rest[n:]
			}
		}
		p.setPayload(rest)
	default:
		p.setPayload(l4)
	}
	return nil
}

// decodeIPv4 fills p's IP fields from b and returns the bytes after the header, up to the total
// length.
func decodeIPv4(p *Packet, b []byte) ([]byte, error) {
	if len(b) < ipv4MinLen {
		return nil, fmt.Errorf("%w: IPv4 header of %d bytes", ErrTruncated, len(b))
	}
	h := ipv4View(b)
	if v := h.version(); v != 4 {
		return nil, fmt.Errorf("%w: IP version %d", ErrNotIPv4, v)
	}
	hl, tl := h.headerLen(), h.totalLen()
	switch {
	case hl < ipv4MinLen:
		return nil, fmt.Errorf("%w: IPv4 header length %d", ErrMalformed, hl)
	case hl > len(b):
		return nil, fmt.Errorf("%w: IPv4 header length %d beyond %d bytes", ErrTruncated, hl, len(b))
	case tl < hl:
		return nil, fmt.Errorf("%w: IPv4 total length %d < header length %d", ErrMalformed, tl, hl)
	case tl > len(b):
		return nil, fmt.Errorf("%w: IPv4 total length %d beyond %d bytes", ErrTruncated, tl, len(b))
	}
	decodeIPv4Fields(p, h)
	return b[hl:tl], nil
}

func decodeIPv4Fields(p *Packet, h ipv4View) {
	p.TOS, p.ID, p.TTL, p.Proto = h.tos(), h.id(), h.ttl(), h.proto()
	ff := h.flagsFrag()
	p.DF, p.MF, p.FragOff = ff&ipFlagDF != 0, ff&ipFlagMF != 0, ff&ipFragOffMask
	p.Src, p.Dst = h.src(), h.dst()
}

// decodeQuote parses the quote of an ICMP error: an IPv4 header and at least 8 bytes. It
// returns the quoted packet and the bytes the quote took (header and 8).
func decodeQuote(q []byte) (*Packet, int, bool) {
	if len(q) < quoteLen {
		return nil, 0, false
	}
	h := ipv4View(q)
	hl := h.headerLen()
	if h.version() != 4 || hl < ipv4MinLen || len(q) < hl+8 {
		return nil, 0, false
	}
	in := &Packet{}
	decodeIPv4Fields(in, h)
	l4 := q[hl : hl+8]
	if in.FragOff == 0 {
		switch in.Proto {
		case ProtoTCP:
			in.SrcPort, in.DstPort = tcpView(l4).srcPort(), tcpView(l4).dstPort()
			in.Seq = tcpView(l4).seq()
		case ProtoUDP:
			in.SrcPort, in.DstPort = udpView(l4).srcPort(), udpView(l4).dstPort()
		case ProtoICMP:
			ic := icmpView(l4)
			in.ICMPType, in.ICMPCode, in.ICMPID, in.ICMPSeq = ic.typ(), ic.code(), ic.id(), ic.seq()
		}
	}
	in.PayloadLen = max(h.totalLen()-hl-in.L4HeaderLen(), 0)
	return in, hl + 8, true
}

func (p *Packet) setPayload(b []byte) {
	if len(b) == 0 {
		p.Payload = nil
		return
	}
	p.Payload = b
}

// VerifyChecksums checks the checksums of an IPv4 packet: the IP header's, and unless the
// packet is a fragment its TCP, UDP (0 meaning none) or ICMP checksum, and for an ICMP error
// the quoted IP header's (when Decode would read the quote). It is for tests; Decode does not need valid checksums.
func VerifyChecksums(b []byte) error {
	var p Packet
	l4, err := decodeIPv4(&p, b)
	if err != nil {
		return err
	}
	h := ipv4View(b)
	if c := fold(sum(h[:h.headerLen()], 0)); c != 0xffff {
		return fmt.Errorf("packet: bad IPv4 header checksum %#04x", h.checksum())
	}
	if p.IsFragment() {
		return nil
	}
	switch p.Proto {
	case ProtoTCP, ProtoUDP:
		if p.Proto == ProtoUDP && len(l4) >= udpLen && udpView(l4).checksum() == 0 {
			return nil
		}
		s := pseudoSum(addr4(p.Src), addr4(p.Dst), p.Proto, len(l4))
		if fold(sum(l4, s)) != 0xffff {
			return fmt.Errorf("packet: bad %s checksum", ProtoName(p.Proto))
		}
	case ProtoICMP:
		if fold(sum(l4, 0)) != 0xffff {
			return errors.New("packet: bad ICMP checksum")
		}
		p.ICMPType = icmpView(l4).typ()
		if _, _, ok := decodeQuote(l4[icmpLen:]); ok && p.IsICMPError() { // a quote Decode reads
			q := ipv4View(l4[icmpLen:])
			if fold(sum(q[:q.headerLen()], 0)) != 0xffff {
				return fmt.Errorf("packet: bad quoted IPv4 header checksum %#04x", q.checksum())
			}
		}
	}
	return nil
}
