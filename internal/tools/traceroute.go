package tools

import (
	"fmt"
	"io"
	"time"

	"github.com/vpclab/vpclab/internal/packet"
)

// Traceroute probe methods (traceroute(8) -U, -I, -T).
const (
	MethodUDP  = "udp"
	MethodICMP = "icmp"
	MethodTCP  = "tcp"
)

// TracerouteOptions are traceroute(8)'s options that make sense in a simulation.
type TracerouteOptions struct {
	Method  string // udp (default), icmp, tcp
	Port    int    // -p: UDP base port (default 33434, incremented per probe); TCP port (default 80)
	MaxHops int    // -m; default 30
	Queries int    // -q; default 3
	Numeric bool   // -n
}

// TracerouteResult says whether the destination answered.
type TracerouteResult struct {
	Reached bool
	Hops    int
}

// Traceroute probes the path from src to dst with increasing TTLs and writes traceroute(8)
// output to w. The VPC router is not a hop (§6.6); NAT gateways and appliances are (§2.3.5,
// §6.8). Silent hops print "*".
func (s *Sim) Traceroute(w io.Writer, src, dst Endpoint, o TracerouteOptions) TracerouteResult {
	if o.Method == "" {
		o.Method = MethodUDP
	}
	if o.MaxHops <= 0 {
		o.MaxHops = 30
	}
	if o.Queries <= 0 {
		o.Queries = 3
	}
	if o.Port <= 0 {
		o.Port = 33434
		if o.Method == MethodTCP {
			o.Port = 80
		}
	}
	fmt.Fprintf(w, "traceroute to %s (%s), %d hops max, 60 byte packets\n", dst.Label, dst.IP, o.MaxHops)
	sport := uint16(32768 + s.rng.IntN(28000))
	icmpID := uint16(s.rng.IntN(65535) + 1)
	t := s.Clock.T
	probe := 0
	var res TracerouteResult
	for ttl := 1; ttl <= o.MaxHops; ttl++ {
		fmt.Fprintf(w, "%2d ", ttl)
		var last string
		done := false
		for q := 0; q < o.Queries; q++ {
			p := packet.Packet{Src: src.IP, Dst: dst.IP, TTL: uint8(ttl), PayloadLen: 32}
			switch o.Method {
			case MethodICMP:
				p.Proto, p.ICMPType, p.ICMPID, p.ICMPSeq = packet.ProtoICMP, packet.ICMPEchoRequest, icmpID, uint16(probe+1)
			case MethodTCP:
				p.Proto, p.SrcPort, p.DstPort, p.TCPFlags, p.Seq, p.Window, p.PayloadLen =
					packet.ProtoTCP, sport+uint16(probe), uint16(o.Port), packet.TCPSyn, 1000000001+uint32(probe), 5840, 0
			default:
				p.Proto, p.SrcPort, p.DstPort = packet.ProtoUDP, sport+uint16(probe), uint16(o.Port+probe)
			}
			probe++
			t = t.Add(50 * time.Microsecond)
			x := s.probe(src, p, t, false)
			if x.Back == nil {
				fmt.Fprint(w, " *")
				continue
			}
			b := x.Back
			if addr := b.Src.String(); addr != last {
				if o.Numeric {
					fmt.Fprintf(w, " %s", addr)
				} else {
					fmt.Fprintf(w, " %s (%s)", addr, addr)
				}
				last = addr
			}
			fmt.Fprintf(w, "  %s ms", fmtRTT(x.BackAt.Sub(t)))
			if mark, final := annotation(b, dst, o.Method); final {
				fmt.Fprint(w, mark)
				done = true
			}
		}
		fmt.Fprintln(w)
		res.Hops = ttl
		if done {
			res.Reached = true
			break
		}
	}
	s.Clock.T = t
	return res
}

// annotation says whether an answer ends the trace (the destination answered, or a router
// said it is unreachable) and the mark traceroute prints after the time (!H, !N, !X, ...).
func annotation(b *packet.Packet, dst Endpoint, method string) (string, bool) {
	switch {
	case b.Proto == packet.ProtoICMP && b.ICMPType == packet.ICMPTimeExceeded:
		return "", false
	case b.Proto == packet.ProtoICMP && b.ICMPType == packet.ICMPDestUnreachable:
		switch b.ICMPCode {
		case packet.ICMPCodePortUnreachable:
			if b.Src == dst.IP {
				return "", true
			}
			return " !P", true
		case packet.ICMPCodeNetUnreachable:
			return " !N", true
		case packet.ICMPCodeHostUnreachable:
			return " !H", true
		case packet.ICMPCodeFragNeeded:
			return " !F", true
		case packet.ICMPCodeAdminProhibited:
			return " !X", true
		}
		return fmt.Sprintf(" !<%d>", b.ICMPCode), true
	}
	// An echo reply (-I) or a SYN-ACK/RST (-T): the destination answered.
	return "", true
}
