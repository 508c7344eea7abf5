package nfw

import (
	"net/netip"
)

// Span is the part of the header space one rule matches, as the engine's security group and
// network ACL spans are (engine.Span): header-space analysis cuts its ranges wherever a
// firewall decision may change.
type Span struct {
	Protocol int    // an IP protocol number, or -1 for every protocol
	Ports    [2]int // TCP, UDP: the destination ports, inclusive
}

// Spans appends, in evaluation order, the spans of the rules that can decide a packet from
// src to dst: stateless rules first, then stateful ones (either direction for bidirectional
// rules). The analyzer splits its port ranges at their edges.
func (pol *Policy) Spans(out []Span, src, dst netip.Addr) []Span {
	for _, r := range pol.sl.rules {
		if !inPrefixes(r.srcs, src) || !inPrefixes(r.dsts, dst) {
			continue
		}
		ports := r.dports
		if ports == nil {
			ports = []prange{{0, 65535}}
		}
		protos := []int{-1}
		if len(r.protos) > 0 {
			protos = protos[:0]
			for _, p := range r.protos {
				protos = append(protos, int(p))
			}
		}
		for _, p := range protos {
			for _, pr := range ports {
				out = append(out, Span{Protocol: p, Ports: [2]int{int(pr.lo), int(pr.hi)}})
			}
		}
	}
	for _, r := range pol.sf.rules {
		if !(r.src.has(src) && r.dst.has(dst)) && !(r.bidir && r.src.has(dst) && r.dst.has(src)) {
			continue
		}
		proto := -1
		switch r.buckets {
		case 1 << bTCP:
			proto = 6
		case 1 << bUDP:
			proto = 17
		case 1 << bICMP:
			proto = 1
		}
		for _, pr := range r.dports {
			out = append(out, Span{Protocol: proto, Ports: [2]int{int(pr.lo), int(pr.hi)}})
		}
	}
	return out
}
