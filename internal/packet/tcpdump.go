package packet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// FormatTimestamp formats t the way tcpdump prints a packet's time: "11:17:40.881952", in t's
// location (tcpdump uses the local time zone; pass t.UTC() to match TZ=UTC).
func FormatTimestamp(t time.Time) string { return t.Format("15:04:05.000000") }

// Summary is the one-line summary tcpdump 4.99 prints for p's wire form (Marshal) with
// "tcpdump -n -S", after the timestamp; a capture line is FormatTimestamp(ts)+" "+Summary(p).
// For example:
//
//	IP 10.0.2.149.59743 > 10.0.1.55.33437: UDP, length 32
//	IP 10.0.1.55 > 10.0.2.149: ICMP 10.0.1.55 udp port 33437 unreachable, length 68
//	IP 10.0.2.149 > 10.0.1.55: ICMP echo request, id 31391, seq 1, length 64
//	IP 10.0.0.11.40000 > 10.0.1.55.80: Flags [S], seq 1000, win 62727, length 0
//
// TCP sequence and acknowledgement numbers are absolute, as with -S: without it tcpdump
// prints them relative to the first packet of a connection it has seen, which needs state a
// one-packet summary does not have (the first SYN and the first ACK-bearing packet of a
// connection print the same either way).
//
// GENEVE (UDP port 6081, as a Gateway Load Balancer sends it) is printed as tcpdump does,
// "Geneve, Flags [none], vni 0x0, options [32 bytes]: " and the inner IPv4 packet's summary,
// when the payload holds a whole header and inner packet.
//
// Of the application protocols tcpdump recognises by port, only HTTP (TCP 80 or 8080: ": HTTP"
// and the request or status line) is imitated; a UDP packet to port 53, say, is summarised as
// "UDP, length N" where tcpdump would try to print DNS. Of the IP protocols other than TCP, UDP
// and ICMP, ESP (50) is printed as tcpdump does ("ESP(spi=...,seq=...), length N"), as are 59
// and 77; the rest as tcpdump prints protocols it has no printer for ("  ip-proto-N length",
// two spaces), which for IGMP, GRE, AH, OSPF, PIM, VRRP, SCTP and a few more is not what
// tcpdump prints. A fragment other than the first is "src > dst: ip-proto-N", no length.
// The tests compare Summary with the real tcpdump (4.99) on thousands of random packets.
func Summary(p *Packet) string {
	b := make([]byte, 0, 96)
	b = append(b, "IP "...)
	b = appendSummary(b, p)
	return string(b)
}

func appendSummary(b []byte, p *Packet) []byte {
	l4len := p.Len() - ipv4MinLen
	if p.FragOff != 0 { // tcpdump cannot see the L4 header; it prints the protocol only
		b = appendHosts(b, p)
		return append(append(b, " ip-proto-"...), strconv.Itoa(int(p.Proto))...)
	}
	switch p.Proto {
	case ProtoTCP:
		return appendTCP(appendHostPorts(b, p), p)
	case ProtoUDP:
		b = appendHostPorts(b, p)
		if g, ok := appendGENEVE(b, p); ok {
			return g
		}
		return fmt.Appendf(b, "UDP, length %d", p.DataLen())
	case ProtoICMP:
		b = appendHosts(b, p)
		return appendICMP(b, p, l4len)
	case protoESP:
		b = appendHosts(b, p)
		var pay [9]byte
		if payloadPrefix(pay[:], p) < 9 { // tcpdump wants a byte past the SPI and sequence number
			return append(b, "  [|esp]"...)
		}
		return fmt.Appendf(b, " ESP(spi=0x%08x,seq=0x%x), length %d",
			binary.BigEndian.Uint32(pay[:]), binary.BigEndian.Uint32(pay[4:]), l4len)
	}
	b = appendHosts(b, p)
	switch p.Proto {
	case 59: // IPv6 no next header
		return append(b, " no next header"...)
	case 77: // "nd", the Sun ND protocol
		return fmt.Appendf(b, "  nd %d", l4len)
	}
	return fmt.Appendf(b, "  ip-proto-%d %d", p.Proto, l4len)
}

const protoESP = 50

// appendHosts appends "src > dst:".
func appendHosts(b []byte, p *Packet) []byte {
	b = appendAddr(b, p.Src)
	b = append(b, " > "...)
	b = appendAddr(b, p.Dst)
	return append(b, ':')
}

// appendHostPorts appends "src.sport > dst.dport: ".
func appendHostPorts(b []byte, p *Packet) []byte {
	b = appendAddr(b, p.Src)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(p.SrcPort), 10)
	b = append(b, " > "...)
	b = appendAddr(b, p.Dst)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(p.DstPort), 10)
	return append(b, ": "...)
}

// appendAddr appends a as it is on the wire (the zero Addr is 0.0.0.0).
func appendAddr(b []byte, a netip.Addr) []byte {
	return netip.AddrFrom4(addr4(a)).AppendTo(b)
}

// tcpFlagNames are tcpdump's flag letters, in its order.
var tcpFlagNames = [8]struct {
	bit  uint8
	name byte
}{{TCPFin, 'F'}, {TCPSyn, 'S'}, {TCPRst, 'R'}, {TCPPsh, 'P'}, {TCPAck, '.'}, {tcpUrg, 'U'}, {tcpEce, 'E'}, {tcpCwr, 'W'}}

const (
	tcpUrg uint8 = 0x20
	tcpEce uint8 = 0x40
	tcpCwr uint8 = 0x80
)

func appendTCP(b []byte, p *Packet) []byte {
	b = append(b, "Flags ["...)
	if p.TCPFlags == 0 {
		b = append(b, "none"...)
	}
	for _, f := range tcpFlagNames {
		if p.TCPFlags&f.bit != 0 {
			b = append(b, f.name)
		}
	}
	b = append(b, ']')
	n := p.DataLen()
	if n > 0 || p.TCPFlags&(TCPSyn|TCPFin|TCPRst) != 0 {
		b = fmt.Appendf(b, ", seq %d", p.Seq)
		if n > 0 {
			b = fmt.Appendf(b, ":%d", p.Seq+uint32(n))
		}
	}
	if p.TCPFlags&TCPAck != 0 {
		b = fmt.Appendf(b, ", ack %d", p.Ack)
	}
	b = fmt.Appendf(b, ", win %d", p.Window)
	if p.TCPFlags&tcpUrg != 0 {
		b = append(b, ", urg 0"...) // Marshal sends urgent pointer 0
	}
	b = fmt.Appendf(b, ", length %d", n)
	if n > 0 && (isPort(p, 80) || isPort(p, 8080)) && !slices.ContainsFunc(tcpPortsBeforeHTTP, func(port uint16) bool { return isPort(p, port) }) {
		b = appendHTTP(b, p)
	}
	return b
}

func isPort(p *Packet, port uint16) bool { return p.SrcPort == port || p.DstPort == port }

// tcpPortsBeforeHTTP are the ports tcpdump's TCP printer hands to another printer before it
// considers HTTP: telnet, SMTP, whois, BGP, PPTP, Redis, SSH, NetBIOS, SMB, BEEP, OpenFlow, FTP.
var tcpPortsBeforeHTTP = []uint16{23, 25, 43, 179, 1723, 6379, 22, 139, 445, 10288, 6633, 6653, 21}

// httpMethods are the request names tcpdump's HTTP printer (print-http.c) recognises.
var httpMethods = []string{"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY",
	"BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE",
	"NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST",
	"SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE",
	"UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL"}

// appendHTTP appends what tcpdump's HTTP printer (txtproto_print) does without -v: ": HTTP",
// and if the payload starts with a request (a known method) or a response (a 3-digit second
// token), ": " and its first line when that is printable text.
func appendHTTP(b []byte, p *Packet) []byte {
	b = append(b, ": HTTP"...)
	pay := p.Payload
	if pay == nil {
		return b // generated payload starts with byte 0: neither request nor response
	}
	tok, idx := fetchToken(pay, 0)
	if idx == 0 {
		return b
	}
	ok := false
	for _, m := range httpMethods {
		ok = ok || bytes.EqualFold(tok, []byte(m))
	}
	if tok, idx = fetchToken(pay, idx); idx != 0 && len(tok) == 3 && isDigit(tok[0]) && isDigit(tok[1]) && isDigit(tok[2]) {
		ok = true
	}
	if !ok {
		return b
	}
	line, end, ok := firstTextLine(pay)
	if ok {
		b = append(b, ": "...)
		b = append(b, line...)
		if !end { // text to the end of the packet: tcpdump takes it as cut short
			b = append(b, " [|http]"...)
		}
	}
	return b
}

// fetchToken is tcpdump's fetch_token: the printable token at p[idx:] (ended by a space, tab,
// CR or LF) and the index after the spaces that follow it; idx 0 if there is none.
func fetchToken(p []byte, idx int) ([]byte, int) {
	start := idx
	for ; idx < len(p); idx++ {
		c := p[idx]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		if !isPrint(c) || idx-start >= 128 {
			return nil, 0
		}
	}
	tok := p[start:idx]
	if len(tok) == 0 {
		return nil, 0
	}
	for idx < len(p) && p[idx] == ' ' {
		idx++
	}
	return tok, idx
}

// firstTextLine is what tcpdump's print_txt_line prints of p: the text up to the first LF or
// CR-LF (end true), or all of p if it is text without a line end (end false); ok is false for
// anything else.
func firstTextLine(p []byte) (line []byte, end, ok bool) {
	for i, c := range p {
		switch {
		case c == '\n':
			return p[:i], true, true
		case c == '\r':
			if i+1 < len(p) && p[i+1] == '\n' {
				return p[:i], true, true
			}
			return nil, false, false
		case !isPrint(c) && c != '\t':
			return nil, false, false
		}
	}
	return p, false, true
}

func isPrint(c byte) bool { return 0x20 <= c && c <= 0x7e }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// payloadPrefix copies the first bytes of p's payload (generated ones if Payload is nil) into
// dst and returns how many it copied.
func payloadPrefix(dst []byte, p *Packet) int {
	n := min(len(dst), max(p.DataLen(), 0))
	writePayloadPrefix(dst[:n], p)
	return n
}

func writePayloadPrefix(dst []byte, p *Packet) {
	if p.Payload != nil {
		copy(dst, p.Payload)
		return
	}
	fillPattern(dst)
}

// icmpSummaryLen is how much of an ICMP message the summary reads at most: the header and a
// router advertisement's 255 entries (more than a quoted header with options and ports).
const icmpSummaryLen = icmpLen + 255*8

// appendICMP appends tcpdump's ICMP summary. It works on the message's bytes, as tcpdump does,
// so that an error without Inner (its quote being Payload) and the quoted ports of protocols
// other than TCP and UDP come out the same.
func appendICMP(b []byte, p *Packet, l4len int) []byte {
	var buf [icmpSummaryLen]byte
	icmpView(buf[:]).encode(p)
	body := buf[icmpLen:]
	n := 0
	if p.IsICMPError() && p.Inner != nil {
		putQuote(body[:quoteLen], p.Inner)
		n = quoteLen + payloadPrefix(body[quoteLen:], p)
	} else {
		n = payloadPrefix(body, p)
	}
	m := buf[:icmpLen+n]
	str, ok := icmpString(m)
	if !ok {
		return append(b, "  [|icmp]"...)
	}
	return fmt.Appendf(b, " ICMP %s, length %d", str, l4len)
}

// icmpString is the description tcpdump's ICMP printer gives message m (possibly cut short);
// ok is false where tcpdump runs out of bytes and prints "[|icmp]".
func icmpString(m []byte) (s string, ok bool) {
	typ, code := m[0], m[1]
	id, seq := binary.BigEndian.Uint16(m[4:]), binary.BigEndian.Uint16(m[6:])
	quotedDst := func() (string, bool) {
		if len(m) < icmpLen+20 {
			return "", false
		}
		return netip.AddrFrom4([4]byte(m[icmpLen+16 : icmpLen+20])).String(), true
	}
	switch typ {
	case ICMPEchoRequest, ICMPEchoReply:
		kind := "reply"
		if typ == ICMPEchoRequest {
			kind = "request"
		}
		return fmt.Sprintf("echo %s, id %d, seq %d", kind, id, seq), true
	case ICMPDestUnreachable:
		if code == ICMPCodePortUnreachable {
			return portUnreachable(m)
		}
		dst, ok := quotedDst()
		if !ok {
			return "", false
		}
		switch code {
		case ICMPCodeFragNeeded:
			if seq != 0 {
				return fmt.Sprintf("%s unreachable - need to frag (mtu %d)", dst, seq), true
			}
			return dst + " unreachable - need to frag", true
		case 2:
			return fmt.Sprintf("%s protocol %d unreachable", dst, m[icmpLen+9]), true
		}
		if int(code) < len(unreachFormats) {
			return fmt.Sprintf(unreachFormats[code], dst), true
		}
		return fmt.Sprintf("%s unreachable - #%d", dst, code), true
	case 5: // redirect
		dst, ok := quotedDst()
		if !ok {
			return "", false
		}
		gw := netip.AddrFrom4([4]byte(m[4:8])).String()
		if int(code) < len(redirectFormats) {
			return fmt.Sprintf(redirectFormats[code], dst, gw), true
		}
		return fmt.Sprintf("redirect-#%d %s to %s", code, dst, gw), true
	case ICMPTimeExceeded:
		if _, ok := quotedDst(); !ok {
			return "", false
		}
		switch code {
		case ICMPCodeTTLInTransit:
			return "time exceeded in-transit", true
		case 1:
			return "ip reassembly time exceeded", true
		}
		return fmt.Sprintf("time exceeded-#%d", code), true
	case 9:
		return routerAdvertisement(m)
	case 12: // parameter problem
		if code != 0 {
			return fmt.Sprintf("parameter problem - code %d", code), true
		}
		return fmt.Sprintf("parameter problem - octet %d", m[4]), true
	case 13:
		return fmt.Sprintf("time stamp query id %d seq %d", id, seq), true
	case 14:
		if len(m) < icmpLen+12 {
			return "", false
		}
		ts := func(i int) string { return icmpTimestamp(binary.BigEndian.Uint32(m[icmpLen+4*i:])) }
		return fmt.Sprintf("time stamp reply id %d seq %d: org %s, recv %s, xmit %s", id, seq, ts(0), ts(1), ts(2)), true
	case 18:
		if len(m) < icmpLen+4 {
			return "", false
		}
		return fmt.Sprintf("address mask is 0x%08x", binary.BigEndian.Uint32(m[icmpLen:])), true
	}
	if name, ok := icmpTypeNames[typ]; ok {
		return name, true
	}
	return fmt.Sprintf("type-#%d", typ), true
}

// portUnreachable describes a port unreachable from its quote: the quoted header's
// destination and protocol, and the quoted destination port (after any IP options).
func portUnreachable(m []byte) (string, bool) {
	q := m[icmpLen:]
	if len(q) < 10 {
		return "", false
	}
	hl := int(q[0]&0x0f) * 4
	if len(q) < 20 || len(q) < hl+4 {
		return "", false
	}
	dst := netip.AddrFrom4([4]byte(q[16:20])).String()
	port := binary.BigEndian.Uint16(q[hl+2:])
	switch proto := q[9]; proto {
	case ProtoTCP:
		return fmt.Sprintf("%s tcp port %d unreachable", dst, port), true
	case ProtoUDP:
		return fmt.Sprintf("%s udp port %d unreachable", dst, port), true
	default:
		return fmt.Sprintf("%s protocol %d port %d unreachable", dst, proto, port), true
	}
}

// routerAdvertisement describes a router advertisement (RFC 1256) as tcpdump does, in its
// buffer of 356 bytes.
func routerAdvertisement(m []byte) (string, bool) {
	num, size, life := int(m[4]), m[5], binary.BigEndian.Uint16(m[6:])
	s := "router advertisement lifetime "
	switch {
	case life < 60:
		s += strconv.Itoa(int(life))
	case life < 3600:
		s += fmt.Sprintf("%d:%02d", life/60, life%60)
	default:
		s += fmt.Sprintf("%d:%02d:%02d", life/3600, life%3600/60, life%60)
	}
	s += fmt.Sprintf(" %d:", num)
	if size != 2 {
		s += fmt.Sprintf(" [size %d]", size)
	} else {
		for i := range num {
			e := m[min(len(m), icmpLen+8*i):]
			if len(e) < 8 {
				return "", false
			}
			s += fmt.Sprintf(" {%s %d}", netip.AddrFrom4([4]byte(e[:4])), binary.BigEndian.Uint32(e[4:]))
		}
	}
	const tcpdumpBuf = 256 + 100 - 1 // MAXHOSTNAMELEN + 100, less the NUL
	return s[:min(len(s), tcpdumpBuf)], true
}

// icmpTimestamp formats milliseconds since midnight UTC as tcpdump does.
func icmpTimestamp(ms uint32) string {
	sec := ms / 1000
	return fmt.Sprintf("%02d:%02d:%02d.%03d", sec/3600, sec/60%60, sec%60, ms%1000)
}

// unreachFormats are tcpdump's destination unreachable descriptions by code (2, 3 and 4 are
// handled apart).
var unreachFormats = [...]string{
	0:  "net %s unreachable",
	1:  "host %s unreachable",
	5:  "%s unreachable - source route failed",
	6:  "net %s unreachable - unknown",
	7:  "host %s unreachable - unknown",
	8:  "%s unreachable - source host isolated",
	9:  "net %s unreachable - admin prohibited",
	10: "host %s unreachable - admin prohibited",
	11: "net %s unreachable - tos prohibited",
	12: "host %s unreachable - tos prohibited",
	13: "host %s unreachable - admin prohibited filter",
	14: "host %s unreachable - host precedence violation",
	15: "host %s unreachable - precedence cutoff",
}

var redirectFormats = [...]string{
	"redirect %s to net %s",
	"redirect %s to host %s",
	"redirect-tos %s to net %s",
	"redirect-tos %s to host %s",
}

var icmpTypeNames = map[uint8]string{
	4:  "source quench",
	10: "router solicitation",
	15: "information request",
	16: "information reply",
	17: "address mask request",
}

// appendGENEVE appends tcpdump's summary of a GENEVE datagram (print-geneve.c without -v),
// or returns ok=false when p is not one whose header and inner IPv4 packet decode.
func appendGENEVE(b []byte, p *Packet) ([]byte, bool) {
	if p.SrcPort != GENEVEPort && p.DstPort != GENEVEPort || p.Payload == nil {
		return b, false
	}
	g, rest, err := DecodeGENEVE(p.Payload)
	if err != nil || g.Protocol != GENEVEProtoIPv4 || len(p.Payload) < GENEVEHeaderLen || p.Payload[7] != 0 {
		return b, false
	}
	inner, err := Decode(rest)
	if err != nil {
		return b, false
	}
	flags := ""
	if g.OAM {
		flags += "O"
	}
	if g.Critical {
		flags += "C"
	}
	if flags == "" {
		flags = "none"
	}
	b = fmt.Appendf(b, "Geneve, Flags [%s], vni 0x%x, options [%d bytes]: IP ", flags, g.VNI, g.Len()-GENEVEHeaderLen)
	return appendSummary(b, &inner), true
}
