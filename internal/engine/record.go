package engine

import (
	"slices"
	"sync"

	"github.com/vpclab/vpclab/internal/packet"
)

// Recording a journey. Deciding a packet is cheap; describing every hop was not: a result
// sized in advance for its hops, and a new evaluation per send, made three quarters of a
// trace's work garbage collection (issue 12). So nothing per send is allocated that can be
// reused: evaluations are kept by the State (one per level of nesting), and a result's
// storage (its hops, the packets components rewrote, its blockers, the result of a journey
// the network generated) is kept by the result for the next send into it.
//
// Ownership: a result from Send or SendWith is the caller's and shares nothing that a later
// send writes. A result passed to SendInto is overwritten by every send into it, storage and
// all: a caller that keeps one past the next send keeps its Clone.

// scratch holds the results SendWith records into before it copies each journey out. They
// are shared by all states, so a caller that makes a state per question (analysis does) still
// records into storage that has grown to a journey's size, and sends on different states may
// run on several goroutines at once.
var scratch = sync.Pool{New: func() any { return new(Result) }}

// SendInto is SendWith writing the journey into r, which it resets first. Hops, the packets
// their Changed fields point at, Blockers and Generated reuse r's storage from earlier sends,
// so a caller that is done with each journey before sending the next (a scan that keeps only
// verdicts, a benchmark) allocates nothing to record hops. Everything r held, including what
// its hops and Generated point at, is overwritten: keep r.Clone() to keep a journey. Like st,
// r must not be used by two goroutines at once.
func (n *Network) SendInto(st *State, at Location, p packet.Packet, opt Options, r *Result) {
	r.reset()
	e := st.begin(n, opt, r)
	n.enter(e, at, p)
	st.end(e)
}

// reset empties r for a new journey, keeping its storage.
func (r *Result) reset() {
	*r = Result{Hops: r.Hops[:0], Blockers: r.Blockers[:0], changed: r.changed[:0], spare: r.spare}
}

// Clone returns a copy of r that shares nothing a send writes: its own hops, rewritten
// packets, blockers and generated journey. What no send ever changes is shared: the rule and
// route references of hops, and packets' quotes and payloads. A result without hops (or
// blockers) clones to nil Hops (Blockers), as Send returns it.
func (r *Result) Clone() *Result {
	c := new(Result)
	*c = *r
	c.changed, c.spare = nil, nil
	c.Hops = nil
	if len(r.Hops) > 0 {
		c.Hops = slices.Clone(r.Hops)
		// The packets hops rewrote, in one block of their own that hops point into.
		changed := 0
		for i := range c.Hops {
			if c.Hops[i].Changed != nil {
				changed++
			}
		}
		outs := make([]packet.Packet, 0, changed)
		for i := range c.Hops {
			if h := &c.Hops[i]; h.Changed != nil {
				outs = append(outs, *h.Changed)
				h.Changed = &outs[len(outs)-1]
			}
		}
	}
	c.Blockers = nil
	if len(r.Blockers) > 0 {
		c.Blockers = slices.Clone(r.Blockers)
		for i := range c.Blockers {
			c.Blockers[i].Advice = slices.Clone(c.Blockers[i].Advice)
		}
	}
	if r.lifted != nil {
		x := *r.lifted
		c.lifted = &x
	}
	if r.Generated != nil {
		c.Generated = r.Generated.Clone()
	}
	return c
}

// begin starts an evaluation of a journey into r, on an evaluation the state keeps for its
// level of nesting: an evaluation escapes to the heap through the nodes' interface calls, so
// making one per send would be garbage. end gives it back. A journey the network generates is
// evaluated while its cause's is under way, one level deeper.
func (s *State) begin(n *Network, opt Options, r *Result) *ev {
	if s.depth == len(s.evs) {
		s.evs = append(s.evs, new(ev))
	}
	e := s.evs[s.depth]
	s.depth++
	*e = ev{n: n, st: s, opt: opt, res: r, natSeen: e.natSeen[:0]}
	return e
}

func (s *State) end(e *ev) {
	s.depth--
	e.res = nil // the state does not keep the caller's result alive
}

// recording reports whether hops are recorded: callers whose Hop is costly to build (a rule
// reference, a formatted note) check it first.
func (e *ev) recording() bool { return !e.opt.SkipHops }

func (e *ev) hop(h Hop) {
	if e.recording() {
		e.res.Hops = append(e.res.Hops, h)
	}
}

// hopOut records a hop whose component rewrote the packet to out. out is kept in the result's
// block of rewritten packets, which is reused like its hops; when the block grows, the hops
// recorded before keep pointing at the old one, which holds the same packets.
func (e *ev) hopOut(h Hop, out packet.Packet) {
	if !e.recording() {
		return
	}
	r := e.res
	r.changed = append(r.changed, out)
	h.Changed = &r.changed[len(r.changed)-1]
	r.Hops = append(r.Hops, h)
}
