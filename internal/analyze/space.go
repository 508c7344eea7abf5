package analyze

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/packet"
)

// Interval is an inclusive range of ports, ICMP types or codes, or protocol numbers.
type Interval struct{ Lo, Hi int }

// AllPorts is every TCP or UDP port.
var AllPorts = Interval{0, 65535}

var (
	allICMP   = Interval{0, 255}
	allProtos = Interval{0, 255}
)

func (i Interval) contains(v int) bool { return v >= i.Lo && v <= i.Hi }

func (i Interval) String() string {
	if i.Lo == i.Hi {
		return fmt.Sprint(i.Lo)
	}
	return fmt.Sprintf("%d-%d", i.Lo, i.Hi)
}

// Query is the header space a question is about. A field left out means any value.
type Query struct {
	// Protocol is an IP protocol number, or -1 for every protocol. With -1 and a port range
	// narrower than every port, only TCP and UDP are asked about (other protocols have no ports).
	Protocol  int
	DstPorts  Interval // TCP and UDP destination ports
	SrcPorts  Interval // TCP and UDP source ports
	ICMPTypes Interval // ICMP types (8 is an echo request)
}

// Everything is the whole header space.
func Everything() Query {
	return Query{Protocol: -1, DstPorts: AllPorts, SrcPorts: AllPorts, ICMPTypes: allICMP}
}

// Class is a protocol class: TCP, UDP and ICMP have dimensions of their own; every other
// protocol is a number and nothing else (§4.2.1).
type Class uint8

const (
	ClassTCP Class = iota
	ClassUDP
	ClassICMP
	ClassOther
)

func (c Class) proto() uint8 {
	return [...]uint8{packet.ProtoTCP, packet.ProtoUDP, packet.ProtoICMP, 0}[c]
}

func classOf(proto int) Class {
	switch proto {
	case int(packet.ProtoTCP):
		return ClassTCP
	case int(packet.ProtoUDP):
		return ClassUDP
	case int(packet.ProtoICMP):
		return ClassICMP
	}
	return ClassOther
}

func (q Query) portsNarrowed() bool { return q.DstPorts != AllPorts || q.SrcPorts != AllPorts }

// classes lists the protocol classes of the query, in output order.
func (q Query) classes() []Class {
	switch {
	case q.Protocol < 0 && q.portsNarrowed():
		return []Class{ClassTCP, ClassUDP}
	case q.Protocol < 0:
		return []Class{ClassTCP, ClassUDP, ClassICMP, ClassOther}
	}
	return []Class{classOf(q.Protocol)}
}

// otherProtos is the set of protocol numbers of the "other" class the query covers.
func (q Query) otherProtos() []Interval {
	if q.Protocol >= 0 {
		return []Interval{{q.Protocol, q.Protocol}}
	}
	return []Interval{{0, 0}, {2, 5}, {7, 16}, {18, 255}}
}

// dims are the two ranges a class's atoms split: destination and source port for TCP and
// UDP, type and code for ICMP.
func (q Query) dims(c Class) (Interval, Interval) {
	switch c {
	case ClassTCP, ClassUDP:
		return q.DstPorts, q.SrcPorts
	case ClassICMP:
		return q.ICMPTypes, allICMP
	}
	return Interval{}, Interval{}
}

// cuts collects the values where a decision may change: a rule covering [from, to] starts
// an interval at from and another at to+1.
type cuts []int

func (c *cuts) add(from, to int) { *c = append(*c, from, to+1) }

// split cuts within into the intervals the collected points leave.
func (c cuts) split(within Interval) []Interval {
	pts := slices.Clone([]int(c))
	slices.Sort(pts)
	out := make([]Interval, 0, len(pts)+1)
	lo := within.Lo
	for _, p := range slices.Compact(pts) {
		if p > lo && p <= within.Hi {
			out = append(out, Interval{lo, p - 1})
			lo = p
		}
	}
	return append(out, Interval{lo, within.Hi})
}

// atom is one cell of the product of the intervals of a class: nothing inside it can change
// a decision, so one packet stands for all of it.
type atom struct {
	class  Class
	a, b   Interval   // TCP/UDP: destination and source ports; ICMP: type and code
	protos []Interval // ClassOther: the protocol numbers
}

// Preferred representatives: the first port of a destination range, a Linux ephemeral port
// for the source (§5.6) when the range holds one, an echo request for ICMP.
const (
	prefSrcPort  = 32768
	prefICMPType = int(packet.ICMPEchoRequest)
	prefOther    = 47 // GRE: a protocol people tunnel with; any other number behaves alike
)

func pick(i Interval, pref int) int {
	if i.contains(pref) {
		return pref
	}
	return i.Lo
}

// rep is the atom's representative packet header (protocol and ports or ICMP fields).
func (at *atom) rep() packet.Packet {
	p := packet.Packet{Proto: at.class.proto()}
	switch at.class {
	case ClassTCP, ClassUDP:
		p.DstPort, p.SrcPort = uint16(at.a.Lo), uint16(pick(at.b, prefSrcPort))
	case ClassICMP:
		p.ICMPType, p.ICMPCode = uint8(pick(at.a, prefICMPType)), uint8(at.b.Lo)
	case ClassOther:
		p.Proto = uint8(at.protos[0].Lo)
		for _, i := range at.protos {
			if i.contains(prefOther) {
				p.Proto = prefOther
			}
		}
	}
	return p
}

// atoms forms the atoms of a class from the cuts on its two dimensions (or, for other
// protocols, from the protocol numbers rules name: each named number is an atom of its own,
// the rest one atom).
func atomsOf(q Query, c Class, ca, cb cuts, named []int) []atom {
	if c == ClassOther {
		return otherAtoms(q.otherProtos(), named)
	}
	da, db := q.dims(c)
	as, bs := ca.split(da), cb.split(db)
	out := make([]atom, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, atom{class: c, a: a, b: b})
		}
	}
	return out
}

func otherAtoms(set []Interval, named []int) []atom {
	slices.Sort(named)
	named = slices.Compact(named)
	var out []atom
	rest := slices.Clone(set)
	for _, n := range named {
		var next []Interval
		hit := false
		for _, i := range rest {
			if !i.contains(n) {
				next = append(next, i)
				continue
			}
			hit = true
			if i.Lo < n {
				next = append(next, Interval{i.Lo, n - 1})
			}
			if n < i.Hi {
				next = append(next, Interval{n + 1, i.Hi})
			}
		}
		if hit {
			out = append(out, atom{class: ClassOther, protos: []Interval{{n, n}}})
		}
		rest = next
	}
	if len(rest) > 0 {
		out = append([]atom{{class: ClassOther, protos: rest}}, out...)
	}
	return out
}

// Box is a rectangle of one class's header space: every combination of its A and B ranges
// (destination and source ports for TCP and UDP, ICMP types and codes), or a set of protocol
// numbers for other protocols.
type Box struct {
	Class  Class
	A, B   []Interval
	Protos []Interval
}

// Space is a union of boxes: the header ranges one part covers.
type Space []Box

// merge joins adjacent or overlapping intervals of a sorted list.
func merge(is []Interval) []Interval {
	slices.SortFunc(is, func(x, y Interval) int { return x.Lo - y.Lo })
	out := is[:0:0]
	for _, i := range is {
		if n := len(out); n > 0 && i.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, i.Hi)
			continue
		}
		out = append(out, i)
	}
	return out
}

// spaceOf normalises a set of atoms into boxes: per class, the B ranges of each A interval
// are merged, then A intervals with the same B ranges are merged.
func spaceOf(atoms []*atom) Space {
	var sp Space
	for c := ClassTCP; c <= ClassOther; c++ {
		if c == ClassOther {
			var ps []Interval
			for _, at := range atoms {
				if at.class == c {
					ps = append(ps, at.protos...)
				}
			}
			if len(ps) > 0 {
				sp = append(sp, Box{Class: c, Protos: merge(ps)})
			}
			continue
		}
		byA := map[Interval][]Interval{}
		var order []Interval
		for _, at := range atoms {
			if at.class != c {
				continue
			}
			if _, ok := byA[at.a]; !ok {
				order = append(order, at.a)
			}
			byA[at.a] = append(byA[at.a], at.b)
		}
		groups := map[string]*Box{}
		var keys []string
		for _, a := range order {
			bs := merge(byA[a])
			k := fmt.Sprint(bs)
			if groups[k] == nil {
				groups[k] = &Box{Class: c, B: bs}
				keys = append(keys, k)
			}
			groups[k].A = append(groups[k].A, a)
		}
		var boxes []Box
		for _, k := range keys {
			b := groups[k]
			b.A = merge(b.A)
			boxes = append(boxes, *b)
		}
		slices.SortFunc(boxes, func(x, y Box) int { return x.A[0].Lo - y.A[0].Lo })
		sp = append(sp, boxes...)
	}
	return sp
}

func ranges(is []Interval) string {
	s := make([]string, len(is))
	for i, x := range is {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

func full(is []Interval, all Interval) bool { return len(is) == 1 && is[0] == all }

// Text prints a box the way people write header ranges: "TCP 22, 443", "UDP", "ICMP type 8",
// "TCP 1024-65535 from source ports 0-1023", "other protocols".
func (b Box) Text(q Query) string {
	switch b.Class {
	case ClassTCP, ClassUDP:
		s := [...]string{"TCP", "UDP"}[b.Class]
		if !full(b.A, AllPorts) || q.DstPorts != AllPorts {
			s += " " + ranges(b.A)
		}
		if !full(b.B, q.SrcPorts) || q.SrcPorts != AllPorts {
			if len(b.B) == 1 && b.B[0].Lo == b.B[0].Hi {
				s += " from source port " + ranges(b.B)
			} else {
				s += " from source ports " + ranges(b.B)
			}
		}
		return s
	case ClassICMP:
		s := "ICMP"
		if !full(b.A, allICMP) || q.ICMPTypes != allICMP {
			if len(b.A) == 1 && b.A[0].Lo == b.A[0].Hi {
				s += " type " + ranges(b.A)
			} else {
				s += " types " + ranges(b.A)
			}
		}
		if !full(b.B, allICMP) {
			s += " code " + ranges(b.B)
		}
		return s
	}
	if q.Protocol < 0 {
		if but, few := minus(q.otherProtos(), b.Protos); few && len(but) == 0 {
			return "other protocols"
		} else if few {
			return "other protocols but " + ranges(but)
		}
	}
	if len(b.Protos) == 1 && b.Protos[0].Lo == b.Protos[0].Hi {
		return "protocol " + ranges(b.Protos)
	}
	return "protocols " + ranges(b.Protos)
}

// Text prints a space as its boxes, separated by "; ".
func (sp Space) Text(q Query) string {
	s := make([]string, len(sp))
	for i, b := range sp {
		s[i] = b.Text(q)
	}
	return strings.Join(s, "; ")
}

// minus lists the numbers of set that are not in sub (a subset of set); few is false when
// there are more than 8 of them.
func minus(set, sub []Interval) (but []Interval, few bool) {
	var out []Interval
	n := 0
	for _, i := range set {
		for v := i.Lo; v <= i.Hi; v++ {
			if !slices.ContainsFunc(sub, func(s Interval) bool { return s.contains(v) }) {
				if n++; n > 8 {
					return nil, false
				}
				out = append(out, Interval{v, v})
			}
		}
	}
	return merge(out), true
}
