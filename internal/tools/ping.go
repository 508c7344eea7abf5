package tools

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/vpclab/vpclab/internal/packet"
)

// PingOptions are iputils ping's options that make sense in a simulation.
type PingOptions struct {
	Count    int           // -c; default 4
	Size     int           // -s, ICMP payload bytes (0 is legal); negative means 56
	Interval time.Duration // -i; default 1s
	TTL      uint8         // -t; 0 means the host's initial TTL (§6.7)
}

// VPCMTU is the MTU inside a VPC (§6.9); larger pings leave the sender in fragments.
const VPCMTU = 9001

// PingResult counts what ping saw.
type PingResult struct {
	Transmitted, Received, Errors int
	RTTs                          []time.Duration
}

// Ping sends echo requests from src to dst and writes iputils-style output to w. It returns
// the counts; a caller exits 0 when Received > 0, as ping(8) does.
func (s *Sim) Ping(w io.Writer, src, dst Endpoint, o PingOptions) PingResult {
	if o.Count <= 0 {
		o.Count = 4
	}
	if o.Size < 0 {
		o.Size = 56
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	ttl := src.TTL
	if o.TTL != 0 {
		ttl = o.TTL
	}
	fmt.Fprintf(w, "PING %s (%s) %d(%d) bytes of data.\n", dst.Label, dst.IP, o.Size, o.Size+28)
	var res PingResult
	id := uint16(s.rng.IntN(65535) + 1)
	t0 := s.Clock.T
	for seq := 1; seq <= o.Count; seq++ {
		p := packet.Packet{Src: src.IP, Dst: dst.IP, Proto: packet.ProtoICMP, TTL: ttl,
			ICMPType: packet.ICMPEchoRequest, ICMPID: id, ICMPSeq: uint16(seq), PayloadLen: o.Size}
		// A packet above the MTU leaves in fragments; the first carries the ICMP header and
		// decides the fate of all (a NAT gateway drops ICMP fragments, §2.2.7).
		if p.Len() > VPCMTU {
			p.MF = true
		}
		at := t0.Add(time.Duration(seq-1) * o.Interval)
		x := s.probe(src, p, at, false)
		res.Transmitted++
		if x.Back == nil {
			continue
		}
		b := x.Back
		switch {
		case b.Proto == packet.ProtoICMP && b.ICMPType == packet.ICMPEchoReply:
			rtt := x.BackAt.Sub(at)
			res.Received++
			res.RTTs = append(res.RTTs, rtt)
			fmt.Fprintf(w, "%d bytes from %s: icmp_seq=%d ttl=%d time=%s ms\n", b.DataLen()+8, b.Src, seq, b.TTL, fmtRTT(rtt))
		case b.IsICMPError():
			res.Errors++
			fmt.Fprintf(w, "From %s icmp_seq=%d %s\n", b.Src, seq, icmpErrorText(b))
		}
	}
	elapsed := time.Duration(o.Count-1) * o.Interval
	if n := len(res.RTTs); n > 0 {
		elapsed += res.RTTs[n-1]
	}
	fmt.Fprintf(w, "\n--- %s ping statistics ---\n", dst.Label)
	errs := ""
	if res.Errors > 0 {
		errs = fmt.Sprintf(", +%d errors", res.Errors)
	}
	loss := 100 * (res.Transmitted - res.Received) / res.Transmitted
	fmt.Fprintf(w, "%d packets transmitted, %d received%s, %d%% packet loss, time %dms\n",
		res.Transmitted, res.Received, errs, loss, elapsed.Milliseconds())
	if len(res.RTTs) > 0 {
		mn, avg, mx, mdev := rttStats(res.RTTs)
		fmt.Fprintf(w, "rtt min/avg/max/mdev = %s/%s/%s/%s ms\n", fmtRTT(mn), fmtRTT(avg), fmtRTT(mx), fmtRTT(mdev))
	} else {
		fmt.Fprintln(w)
	}
	return res
}

// fmtRTT prints milliseconds with three decimals, as iputils does below 100 ms.
func fmtRTT(d time.Duration) string {
	return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond))
}

func rttStats(rtts []time.Duration) (mn, avg, mx, mdev time.Duration) {
	mn, mx = rtts[0], rtts[0]
	var sum, sum2 float64
	for _, r := range rtts {
		mn, mx = min(mn, r), max(mx, r)
		f := float64(r)
		sum += f
		sum2 += f * f
	}
	n := float64(len(rtts))
	mean := sum / n
	return mn, time.Duration(mean), mx, time.Duration(math.Sqrt(math.Max(0, sum2/n-mean*mean)))
}

// icmpErrorText is iputils' wording for an ICMP error.
func icmpErrorText(p *packet.Packet) string {
	switch p.ICMPType {
	case packet.ICMPTimeExceeded:
		return "Time to live exceeded"
	case packet.ICMPDestUnreachable:
		switch p.ICMPCode {
		case packet.ICMPCodeNetUnreachable:
			return "Destination Net Unreachable"
		case packet.ICMPCodeHostUnreachable:
			return "Destination Host Unreachable"
		case packet.ICMPCodePortUnreachable:
			return "Destination Port Unreachable"
		case packet.ICMPCodeFragNeeded:
			return "Frag needed and DF set"
		case packet.ICMPCodeAdminProhibited:
			return "Packet filtered"
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", p.ICMPCode)
	}
	return fmt.Sprintf("ICMP type %d code %d", p.ICMPType, p.ICMPCode)
}
