package nfw

import (
	"slices"

	"github.com/vpclab/vpclab/internal/packet"
)

// The rule index: rules are kept in evaluation order (their rank), and split by protocol and
// by destination port so that a packet is checked only against the rules that could match
// it. For each protocol a sorted list of port boundaries cuts 0-65535 into segments; each
// segment lists, in rank order, the rules whose destination ports cover it. Rules that match
// every port (or are not port-indexed) sit in one wildcard list per protocol. A lookup is a
// binary search and a merge of two short rank-ordered lists: no allocation.

// Protocol buckets.
const (
	bTCP = iota
	bUDP
	bICMP
	bICMPv6
	bOther
	nBuckets
)

func bucketOf(proto uint8) int {
	switch proto {
	case packet.ProtoTCP:
		return bTCP
	case packet.ProtoUDP:
		return bUDP
	case packet.ProtoICMP:
		return bICMP
	case 58:
		return bICMPv6
	}
	return bOther
}

// key is how a rule is indexed: the buckets it may match (a bit per bucket) and its
// destination port ranges (nil: every port).
type key struct {
	buckets uint8
	ports   []prange
}

type protoIndex struct {
	bounds []uint16  // segment i covers bounds[i] .. bounds[i+1]-1 (the last, to 65535)
	segs   [][]int32 // ranks of port-specific rules per segment
	wild   []int32   // ranks of rules that match every port
}

type index[R any] struct {
	rules []*R
	by    [nBuckets]protoIndex
}

func buildIndex[R any](rules []*R, keyOf func(*R) key) index[R] {
	ix := index[R]{rules: rules}
	keys := make([]key, len(rules))
	for i, r := range rules {
		keys[i] = keyOf(r)
	}
	for b := range nBuckets {
		pi := &ix.by[b]
		bounds := []uint16{0}
		for i := range keys {
			k := &keys[i]
			if k.buckets&(1<<b) == 0 || k.ports == nil {
				continue
			}
			for _, r := range k.ports {
				bounds = append(bounds, r.lo)
				if r.hi < 65535 {
					bounds = append(bounds, r.hi+1)
				}
			}
		}
		slices.Sort(bounds)
		pi.bounds = slices.Compact(bounds)
		pi.segs = make([][]int32, len(pi.bounds))
		for i := range keys {
			k := &keys[i]
			if k.buckets&(1<<b) == 0 {
				continue
			}
			if k.ports == nil {
				pi.wild = append(pi.wild, int32(i))
				continue
			}
			for _, r := range k.ports {
				s, _ := slices.BinarySearch(pi.bounds, r.lo)
				for ; s < len(pi.bounds) && pi.bounds[s] <= r.hi; s++ {
					pi.segs[s] = append(pi.segs[s], int32(i))
				}
			}
		}
	}
	return ix
}

// candidates are the port-specific and wildcard rules (rank lists) for a packet.
func (ix *index[R]) candidates(proto uint8, dport uint16) (seg, wild []int32) {
	pi := &ix.by[bucketOf(proto)]
	if len(pi.bounds) > 1 {
		s, found := slices.BinarySearch(pi.bounds, dport)
		if !found {
			s--
		}
		seg = pi.segs[s]
	} else if len(pi.segs) == 1 {
		seg = pi.segs[0]
	}
	return seg, pi.wild
}

// each calls f on the candidates in rank order until it returns false.
func (ix *index[R]) each(proto uint8, dport uint16, f func(rank int32, r *R) bool) {
	seg, wild := ix.candidates(proto, dport)
	i, j := 0, 0
	for i < len(seg) || j < len(wild) {
		var rank int32
		if j >= len(wild) || i < len(seg) && seg[i] < wild[j] {
			rank = seg[i]
			i++
		} else {
			rank = wild[j]
			j++
		}
		if !f(rank, ix.rules[rank]) {
			return
		}
	}
}
