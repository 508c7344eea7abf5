package analyze

import (
	"slices"
	"sort"
	"sync"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// FlowChange is a set of headers between two endpoints whose outcome differs between the
// topologies: the verdict, a blocker, the path or the source the destination sees.
type FlowChange struct {
	From, To      string
	Query         Query
	Space         Space
	Before, After *Outcome // the first header's
	Causes        []Cause
	Changed       []Change // changes of the components either path meets
	order         [2]int
	atoms         []*atom
}

// Cause is the first decision that differs on one path of a flow.
type Cause struct {
	Path          string
	At, AtAfter   engine.Component // the component on each side (they differ when an interface's groups do)
	Before, After string
}

// DiffResult is what changed between two topologies.
type DiffResult struct {
	Model   *ModelDiff
	Flows   []*FlowChange
	Pairs   int // pairs compared header by header
	Skipped int // candidate pairs a first packet showed cannot arrive in either topology, the same way
	// Endpoints present in one topology only (their flows are not compared).
	OnlyBefore, OnlyAfter []string
	// Match is how the resources were paired when IDs differ (MatchTopologies); nil or
	// without Matched when by ID alone.
	Match *Matching
}

// DiffEndpoint is one endpoint in both topologies.
type DiffEndpoint struct {
	Label          string
	Before, After  tools.Endpoint
	group          string
	source, target *Touch // which of its flows may have changed as a source, as a destination (nil: none)
	index          int
}

// InstancePairs lists the instances present in both topologies as diff endpoints (sources and
// destinations alike), and those present in one only.
func InstancePairs(b, a *Analyzer) (common []*DiffEndpoint, onlyBefore, onlyAfter []string) {
	inA := map[model.InstanceID]bool{}
	afterENI := map[model.InstanceID]model.ENIID{} // an instance's first interface after
	for _, in := range a.Net.Topology.Instances {
		inA[in.ID] = true
		if id, ok := a.firstENI(in); ok {
			afterENI[in.ID] = id
		}
	}
	inB := map[model.InstanceID]bool{}
	for _, in := range b.Net.Topology.Instances {
		inB[in.ID] = true
		eb, okb := b.firstENI(in)
		ea, oka := afterENI[in.ID]
		if !inA[in.ID] || !okb || !oka {
			onlyBefore = append(onlyBefore, label(in))
			continue
		}
		l := label(in)
		common = append(common, &DiffEndpoint{Label: l, Before: b.ENIEndpoint(eb, l), After: a.ENIEndpoint(ea, l)})
	}
	for _, in := range a.Net.Topology.Instances {
		if !inB[in.ID] {
			onlyAfter = append(onlyAfter, label(in))
		}
	}
	return common, onlyBefore, onlyAfter
}

func label(in *model.Instance) string {
	if in.Name != "" {
		return in.Name
	}
	return string(in.ID)
}

// Diff compares every flow from sources to targets (over the asked header space) whose
// components the model diff says may have changed. Sources and targets in one subnet (in
// both topologies) are routed alike (§1.2.5: routes inside a VPC are never narrower than a
// subnet), so a first packet from one source subnet to one target subnet tells whether any
// of their pairs can arrive: when it arrives in neither topology, and ends the same way in
// both, the block is skipped.
func Diff(b, a *Analyzer, md *ModelDiff, sources, targets []*DiffEndpoint, q Query) *DiffResult {
	res := &DiffResult{Model: md}
	mark := func(eps []*DiffEndpoint) map[string][]*DiffEndpoint {
		groups := map[string][]*DiffEndpoint{}
		for i, e := range eps {
			e.index = i
			e.group = groupOf(b, a, e)
			e.source = touched(b, a, md, e, md.Sources)
			e.target = touched(b, a, md, e, md.Dests)
			groups[e.group] = append(groups[e.group], e)
		}
		return groups
	}
	srcGroups, dstGroups := mark(sources), mark(targets)
	gkeys := func(m map[string][]*DiffEndpoint, want func(*DiffEndpoint) bool) (all, some []string) {
		for k, es := range m {
			all = append(all, k)
			if want != nil && slices.ContainsFunc(es, want) {
				some = append(some, k)
			}
		}
		sort.Strings(all)
		sort.Strings(some)
		return
	}
	srcKeys, _ := gkeys(srcGroups, nil)
	dstKeys, dstTouched := gkeys(dstGroups, func(e *DiffEndpoint) bool { return e.target != nil })

	var mu sync.Mutex
	parallel(len(srcKeys), func(i int) bool {
		g := srcGroups[srcKeys[i]]
		hs := dstTouched
		if slices.ContainsFunc(g, func(e *DiffEndpoint) bool { return e.source != nil }) {
			hs = dstKeys
		}
		flows, pairs, skipped := diffRow(b, a, g, hs, dstGroups, q)
		mu.Lock()
		defer mu.Unlock()
		res.Flows = append(res.Flows, flows...)
		res.Pairs += pairs
		res.Skipped += skipped
		return true
	})
	sort.SliceStable(res.Flows, func(i, j int) bool {
		x, y := res.Flows[i].order, res.Flows[j].order
		if x[0] != y[0] {
			return x[0] < y[0]
		}
		return x[1] < y[1]
	})
	for _, f := range res.Flows {
		f.Changed = changedOn(md, f.Before, f.After)
	}
	return res
}

// diffRow compares the flows from one source group to the target groups hs.
func diffRow(b, a *Analyzer, g []*DiffEndpoint, hs []string, dstGroups map[string][]*DiffEndpoint, q Query) (flows []*FlowChange, pairs, skipped int) {
	memo := map[string]bool{} // far keys → the block cannot arrive, the same way, in both
	for _, hk := range hs {
		h := dstGroups[hk]
		candidate := func(x, y *DiffEndpoint) bool {
			return x.Before != y.Before && (x.source != nil || y.target != nil)
		}
		var x0, y0 *DiffEndpoint
		n := 0
		for _, x := range g {
			for _, y := range h {
				if candidate(x, y) {
					if n++; x0 == nil {
						x0, y0 = x, y
					}
				}
			}
		}
		if n == 0 {
			continue
		}
		key, far := "", b.isFar(x0.Before, y0.Before) && a.isFar(x0.After, y0.After)
		if far {
			key = b.farKey(b.vpcOf(x0.Before.ENI), y0.Before.IP) + "|" + a.farKey(a.vpcOf(x0.After.ENI), y0.After.IP)
			if memo[key] {
				skipped += n
				continue
			}
		}
		if dead, home := deadAlike(b, a, x0, y0, q); dead {
			skipped += n
			if far && home {
				memo[key] = true
			}
			continue
		}
		for _, x := range g {
			for _, y := range h {
				if candidate(x, y) {
					pairs++
					flows = append(flows, pairFlows(b, a, x, y, q, pairQueries(q, x.source, y.target))...)
				}
			}
		}
	}
	return flows, pairs, skipped
}

// deadAlike reports whether a first packet arrives in neither topology and ends the same way
// in both (then nothing asked can arrive: the path depends on addresses only); home, that it
// stayed in the source's VPC in both.
func deadAlike(b, a *Analyzer, x, y *DiffEndpoint, q Query) (dead, home bool) {
	pa := probeAtom(q, q.classes()[0])
	ob := b.evaluate(x.Before, y.Before, packetFor(pa.rep(), x.Before, y.Before))
	oa := a.evaluate(x.After, y.After, packetFor(pa.rep(), x.After, y.After))
	if ob.Arrived || oa.Arrived || ob.deadKey() != oa.deadKey() {
		return false, false
	}
	return true, x.Before.Kind == tools.EndpointENI && b.stayedHome(ob.Forward, b.vpcOf(x.Before.ENI)) &&
		a.stayedHome(oa.Forward, a.vpcOf(x.After.ENI))
}

// pairFlows compares one pair header by header over the spaces qs (parts of q): the atoms
// are cut by the rules both topologies' paths consult, each is evaluated in both, and atoms
// with the same pair of outcomes merge. Flows that arrive in neither topology are compared by
// where they go and end (deadKey), not by the filters before that end.
func pairFlows(b, a *Analyzer, x, y *DiffEndpoint, q Query, qs []Query) []*FlowChange {
	var atoms []*atom
	var ob, oa []*Outcome
	for _, sq := range qs {
		as, b1, a1 := pairAtoms(b, a, x, y, sq)
		atoms, ob, oa = append(atoms, as...), append(ob, b1...), append(oa, a1...)
	}
	byKey := map[string]*FlowChange{}
	var out []*FlowChange
	for i, at := range atoms {
		dead := !ob[i].Arrived && !oa[i].Arrived
		kb, ka := ob[i].diffKey(dead), oa[i].diffKey(dead)
		if kb == ka {
			continue
		}
		k := kb + "\x00" + ka
		f := byKey[k]
		if f == nil {
			f = &FlowChange{From: x.Label, To: y.Label, Query: q, Before: ob[i], After: oa[i],
				Causes: causes(ob[i], oa[i]), order: [2]int{x.index, y.index}}
			byKey[k] = f
			out = append(out, f)
		}
		f.atoms = append(f.atoms, at)
	}
	for _, f := range out {
		f.Space, f.atoms = spaceOf(f.atoms), nil
	}
	return out
}

func pairAtoms(b, a *Analyzer, x, y *DiffEndpoint, q Query) (atoms []*atom, ob, oa []*Outcome) {
	for _, c := range q.classes() {
		pa := probeAtom(q, c)
		pb := b.evaluate(x.Before, y.Before, packetFor(pa.rep(), x.Before, y.Before))
		pA := a.evaluate(x.After, y.After, packetFor(pa.rep(), x.After, y.After))
		var cc classCuts
		b.collectCuts(pb, c, &cc)
		a.collectCuts(pA, c, &cc)
		as := atomsOf(q, c, cc.a, cc.b, cc.named)
		ats, outsB := b.evalAtoms(x.Before, y.Before, as, pb)
		_, outsA := a.evalAtoms(x.After, y.After, as, pA)
		atoms, ob, oa = append(atoms, ats...), append(ob, outsB...), append(oa, outsA...)
	}
	return atoms, ob, oa
}

// groupOf is the routing group of an endpoint: its subnet in both topologies.
func groupOf(b, a *Analyzer, e *DiffEndpoint) string {
	sub := func(x *Analyzer, ep tools.Endpoint) string {
		if ep.Kind != tools.EndpointENI {
			return "external:" + ep.Label
		}
		return string(x.subnetOf(ep.ENI))
	}
	return sub(b, e.Before) + "|" + sub(a, e.After)
}

// touched says which flows of an endpoint may have changed on its side (set holds the
// interfaces the model diff names): all when its VPC or everything may have, nil for none.
func touched(b, a *Analyzer, md *ModelDiff, e *DiffEndpoint, set map[model.ENIID]*Touch) *Touch {
	if md.All || e.Before.Kind != tools.EndpointENI || e.After.Kind != tools.EndpointENI ||
		md.VPCs[b.vpcOf(e.Before.ENI)] || md.VPCs[a.vpcOf(e.After.ENI)] {
		return &Touch{Full: true}
	}
	tb, ta := set[e.Before.ENI], set[e.After.ENI]
	switch {
	case tb == nil:
		return ta
	case ta == nil || tb == ta:
		return tb
	}
	return &Touch{Full: tb.Full || ta.Full, Spaces: append(slices.Clone(tb.Spaces), ta.Spaces...)}
}

// pairQueries are the parts of q a pair's flows may have changed in: all of q when either
// side is touched in full, else the ranges of the changed rules, made disjoint.
func pairQueries(q Query, tx, ty *Touch) []Query {
	var spaces []Query
	for _, t := range []*Touch{tx, ty} {
		if t == nil {
			continue
		}
		if t.Full {
			return []Query{q}
		}
		spaces = append(spaces, t.Spaces...)
	}
	byProto := map[int][]Query{}
	var protos []int
	for _, s := range spaces {
		if _, ok := byProto[s.Protocol]; !ok {
			protos = append(protos, s.Protocol)
		}
		byProto[s.Protocol] = append(byProto[s.Protocol], s)
	}
	slices.Sort(protos)
	var out []Query
	for _, p := range protos {
		ss := byProto[p]
		full := Everything()
		full.Protocol = p
		onlyDst := !slices.ContainsFunc(ss, func(s Query) bool { return s.SrcPorts != AllPorts })
		onlySrc := !slices.ContainsFunc(ss, func(s Query) bool { return s.DstPorts != AllPorts })
		var parts []Query
		switch {
		case p == int(packet.ProtoICMP):
			var ts []Interval
			for _, s := range ss {
				ts = append(ts, s.ICMPTypes)
			}
			for _, t := range merge(ts) {
				x := full
				x.ICMPTypes = t
				parts = append(parts, x)
			}
		case onlyDst || onlySrc:
			var is []Interval
			for _, s := range ss {
				if onlyDst {
					is = append(is, s.DstPorts)
				} else {
					is = append(is, s.SrcPorts)
				}
			}
			for _, i := range merge(is) {
				x := full
				if onlyDst {
					x.DstPorts = i
				} else {
					x.SrcPorts = i
				}
				parts = append(parts, x)
			}
		default:
			parts = []Query{full}
		}
		for _, x := range parts {
			if y, ok := intersect(q, x); ok {
				out = append(out, y)
			}
		}
	}
	return out
}

// intersect is the header space two queries share (q may ask for every protocol; x names one).
func intersect(q, x Query) (Query, bool) {
	if q.Protocol >= 0 && q.Protocol != x.Protocol {
		return x, false
	}
	if q.Protocol < 0 && q.portsNarrowed() && classOf(x.Protocol) != ClassTCP && classOf(x.Protocol) != ClassUDP {
		return x, false
	}
	cut := func(a, b Interval) (Interval, bool) {
		r := Interval{max(a.Lo, b.Lo), min(a.Hi, b.Hi)}
		return r, r.Lo <= r.Hi
	}
	var ok1, ok2, ok3 bool
	x.DstPorts, ok1 = cut(q.DstPorts, x.DstPorts)
	x.SrcPorts, ok2 = cut(q.SrcPorts, x.SrcPorts)
	x.ICMPTypes, ok3 = cut(q.ICMPTypes, x.ICMPTypes)
	return x, ok1 && ok2 && ok3
}
