package analyze

import (
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Reach is the answer for one pair of endpoints: the asked header space split into parts
// that behave alike, in header order (TCP, UDP, ICMP, other protocols; then by port).
type Reach struct {
	From, To tools.Endpoint
	Query    Query
	Parts    []*Part
	net      *engine.Network // for the JSON's ARNs
}

// Part is a set of headers with one outcome. Outcome is its first atom's: the paths and
// rules shown for the part are that packet's; every other header of the part meets the same
// components with the same verdicts.
type Part struct {
	Space     Space
	Reachable bool
	Outcome   *Outcome
	atoms     []*atom
}

// Reachable reports whether every part of the answer is reachable.
func (r *Reach) Reachable() bool {
	for _, p := range r.Parts {
		if !p.Reachable {
			return false
		}
	}
	return len(r.Parts) > 0
}

// classCuts are the cuts of one protocol class for a pair.
type classCuts struct {
	a, b  cuts
	named []int
}

// probe is the first packet of a class: its representative is the one the atom holding the
// start of the asked ranges gets, so its outcome is reused for that atom.
func probeAtom(q Query, c Class) atom {
	da, db := q.dims(c)
	return atom{class: c, a: da, b: db, protos: q.otherProtos()}
}

// Reach splits the asked header space between two endpoints into parts (see the package
// documentation for the method). from must be able to send.
func (a *Analyzer) Reach(from, to tools.Endpoint, q Query) *Reach {
	to = a.Target(from, to)
	atoms, outs := a.reachAtoms(from, to, q, nil)
	return &Reach{From: from, To: to, Query: q, Parts: group(atoms, outs, func(o *Outcome) string { return o.Key() }), net: a.Net}
}

// reachAtoms evaluates every atom of the query between two endpoints. first, when not nil, is
// the outcome of the first class's probe, already evaluated.
func (a *Analyzer) reachAtoms(from, to tools.Endpoint, q Query, first *Outcome) ([]*atom, []*Outcome) {
	var atoms []*atom
	var outs []*Outcome
	for i, c := range q.classes() {
		probe := first
		if i > 0 || probe == nil {
			pa := probeAtom(q, c)
			probe = a.evaluate(from, to, packetFor(pa.rep(), from, to))
		}
		var cc classCuts
		a.collectCuts(probe, c, &cc)
		as, os := a.evalAtoms(from, to, atomsOf(q, c, cc.a, cc.b, cc.named), probe)
		atoms, outs = append(atoms, as...), append(outs, os...)
	}
	return atoms, outs
}

// evalAtoms evaluates every atom, reusing the probe's outcome for the atom it stands for.
func (a *Analyzer) evalAtoms(from, to tools.Endpoint, as []atom, probe *Outcome) ([]*atom, []*Outcome) {
	atoms := make([]*atom, len(as))
	outs := make([]*Outcome, len(as))
	for i := range as {
		at := &as[i]
		atoms[i] = at
		p := packetFor(at.rep(), from, to)
		if probe != nil && sameHeader(&p, &probe.Packet) {
			outs[i] = probe
			continue
		}
		outs[i] = a.evaluate(from, to, p)
	}
	return atoms, outs
}

// group merges atoms whose outcomes have the same key into parts, in first-seen order.
func group(atoms []*atom, outs []*Outcome, key func(*Outcome) string) []*Part {
	byKey := map[string]*Part{}
	var parts []*Part
	for i, at := range atoms {
		k := key(outs[i])
		p := byKey[k]
		if p == nil {
			p = &Part{Reachable: outs[i].Reachable, Outcome: outs[i]}
			byKey[k] = p
			parts = append(parts, p)
		}
		p.atoms = append(p.atoms, at)
	}
	for _, p := range parts {
		p.Space = spaceOf(p.atoms)
	}
	return parts
}

// collectCuts adds to cc the cuts of every rule the outcome's journeys consulted: security
// group rules and NACL entries that match the peer address each one saw, as the engine lists
// them (engine.Network.RuleSpans). Forward decisions look at the destination port (or ICMP
// type and code); the answer's look at its destination port, the forward source port, so
// those cut the source dimension (§5.6).
func (a *Analyzer) collectCuts(o *Outcome, c Class, cc *classCuts) {
	a.resultCuts(o.Forward, c, &cc.a, &cc.b, &cc.named)
	if c == ClassICMP {
		// Hosts answer echo requests only, and only echo requests start a NAT session (§2.2.6).
		cc.a.add(prefICMPType, prefICMPType)
	}
	if c == ClassTCP && o.Forward.End().Exit.Gateway.Kind == engine.KindVPCEndpoint {
		// The service behind a gateway endpoint answers on its ports only (§7.4.7).
		for _, p := range tools.ServicePorts {
			cc.a.add(int(p), int(p))
		}
	}
	if o.Return != nil && c != ClassICMP { // an echo reply's type follows from the request's
		a.resultCuts(o.Return, c, &cc.b, &cc.b, &cc.named)
	}
}

func (a *Analyzer) resultCuts(r *engine.Result, c Class, ca, cb *cuts, named *[]int) {
	var spans []engine.Span
	for i := range r.Hops {
		spans = a.Net.RuleSpans(spans[:0], r, i)
		spanCuts(spans, c, ca, cb, named)
	}
}

func sameHeader(p, q *packet.Packet) bool {
	return p.Proto == q.Proto && p.SrcPort == q.SrcPort && p.DstPort == q.DstPort &&
		p.ICMPType == q.ICMPType && p.ICMPCode == q.ICMPCode && p.Src == q.Src && p.Dst == q.Dst
}
