package nfw

import (
	"fmt"
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
//
// Consecutive rules that decide alike on the header alone (the same action and protocol, no
// TCP flags, flow or content conditions) and match adjacent ports give one span: a port on
// either side of their shared edge gets the same verdict, and any rule that would decide
// otherwise there cuts at its own edges. A policy of a thousand one-port drop rules is then a
// handful of cuts, not a thousand in each direction (whose product is the analyzer's work).
func (pol *Policy) Spans(out []Span, src, dst netip.Addr) []Span {
	// last is the mergeable span appended last, by its rule's decision; -1 when none.
	last, lastKey := -1, ""
	mergeable := func(key string, p int, pr prange) bool {
		if last < 0 || key != lastKey {
			return false
		}
		l := &out[last]
		if l.Protocol != p || int(pr.lo) != l.Ports[1]+1 {
			return false
		}
		l.Ports[1] = int(pr.hi)
		return true
	}
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
		key := ""
		if len(r.flags) == 0 && len(protos) == 1 && len(ports) == 1 && anyPort(r.sports) {
			key = fmt.Sprintf("sl %d", r.action)
		}
		for _, p := range protos {
			for _, pr := range ports {
				if key != "" && mergeable(key, p, pr) {
					continue
				}
				out = append(out, Span{Protocol: p, Ports: [2]int{int(pr.lo), int(pr.hi)}})
				last, lastKey = len(out)-1, key
				if key == "" {
					last = -1
				}
			}
		}
	}
	last = -1
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
		key := ""
		if len(r.dports) == 1 && anyPort(r.sports) && !r.bidir && !r.established && !r.notEstablished && !r.toServer && !r.toClient &&
			len(r.contents) == 0 && len(r.domains) == 0 && !r.unsupported {
			key = fmt.Sprintf("sf %d %d", r.class, r.decision)
		}
		for _, pr := range r.dports {
			if key != "" && mergeable(key, proto, pr) {
				continue
			}
			out = append(out, Span{Protocol: proto, Ports: [2]int{int(pr.lo), int(pr.hi)}})
			last, lastKey = len(out)-1, key
			if key == "" {
				last = -1
			}
		}
	}
	return out
}

// anyPort reports whether a rule's port ranges match every port.
func anyPort(ps []prange) bool {
	return len(ps) == 0 || len(ps) == 1 && ps[0].lo == 0 && ps[0].hi == 65535
}
