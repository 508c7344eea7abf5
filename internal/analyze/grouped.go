package analyze

import (
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/vpclab/vpclab/internal/model"
)

// Grouped is a matrix answered per class of endpoints (EndpointClasses) rather than per pair:
// its size grows with the classes and the VPCs, not with the square of the endpoints. Rows
// hold every answer; Cell expands them to any pair, so the per-pair outputs are written from
// it without holding a cell per pair.
//
// How the rows are found, per source class S (its first member s stands for it):
//   - within S, when it has two members or more: s to the second member;
//   - to every class near S (in S's VPC, or in another VPC but inside one of its blocks):
//     s to that class's first member;
//   - to the classes far from S (outside its VPC and its blocks): those are split by what
//     S's VPC can tell apart about a destination outside it (farKey: the steering prefixes
//     of the VPC that hold its address, and whether it is a public IP of the topology). For
//     each such far set, s to its first class's first member; when that packet ends without
//     leaving S's VPC (or the internet and networks on-premises beyond it), every
//     destination of the far set meets exactly the decisions it met (the argument of the
//     pairwise matrix's memo, Matrix), and one row answers the whole set; otherwise (a
//     peering, a transit gateway) the set is answered class by class.
//
// A row's cell is shared by every pair it stands for. That is sound when the members of a
// class are interchangeable (EndpointClasses says why they are), with one exception the
// computation checks: a cell whose blocker (or its advice) names a component of its own
// representatives (their interface, subnet or instance) would name another member's for
// another pair. Then the classes involved are split into single endpoints and the whole
// matrix is computed again, until no row is in doubt.
type Grouped struct {
	Scope     string
	Query     Query
	Endpoints []MatrixEndpoint
	ClassOf   []int32   // the class of each endpoint
	Classes   [][]int32 // each class's members (endpoint indexes, in order)
	Rows      []ClassRow

	a        *Analyzer
	mu       sync.Mutex         // guards farSets and steering
	byClass  [][2]int32         // each source class's rows: Rows[lo:hi]
	near     []map[int32]int32  // per source class: destination class → row
	farRows  []map[string]int32 // per source class: far key → row
	single   map[int32]bool     // endpoints split out of their classes
	farSets  map[string]*farSets
	steering map[model.VPCID]*farSets
	// farPrefixes are each source VPC's prefixes that tell far destinations apart.
	farPrefixes map[model.VPCID][]netip.Prefix
}

// ClassRow is the answer from every member of class From to a set of destinations: class To,
// or, when Far is set, every endpoint of the far set (To is then -1). Pairs is how many
// ordered pairs it answers (an endpoint and itself excluded).
type ClassRow struct {
	From, To int32
	Far      *FarSet
	Cell     Cell
	Pairs    int64
}

// FarSet is a set of destinations outside the source's VPC and its blocks: those whose
// address is in every prefix of In and none of NotIn (the steering prefixes of the VPC,
// engine.Network.SteeringPrefixes), and is a public IP of the topology or not (Public).
type FarSet struct {
	VPC       model.VPCID
	In, NotIn []netip.Prefix
	Public    bool
}

// farSets are the far sets of one list of steering prefixes (VPCs with the same list share
// them): each class's far key, the classes of each key in class order, and their sizes.
type farSets struct {
	prefixes []netip.Prefix
	keyOf    []int32 // class → its key's number
	keys     []string
	classes  [][]int32
	members  []int64
}

// GroupEndpoints finds the classes of a matrix's endpoints, before any pair is answered: how
// big the answer is can be told from them (Pairs, Classes).
func (a *Analyzer) GroupEndpoints(scope string, eps []MatrixEndpoint, q Query) *Grouped {
	g := &Grouped{Scope: scope, Query: q, Endpoints: eps, a: a, single: map[int32]bool{}}
	g.ClassOf, g.Classes = a.EndpointClasses(eps, g.single)
	return g
}

// Pairs is the number of ordered pairs of distinct endpoints.
func (g *Grouped) Pairs() int64 { n := int64(len(g.Endpoints)); return n * max(n-1, 0) }

// Compute answers every row, in parallel over source classes; progress, when not nil, is
// called after each source class with the number done (one call at a time, increasing).
func (g *Grouped) Compute(progress func(done, total int)) {
	for {
		split := g.compute(progress)
		if len(split) == 0 {
			return
		}
		for c := range split {
			for _, m := range g.Classes[c] {
				g.single[m] = true
			}
		}
		g.ClassOf, g.Classes = g.a.EndpointClasses(g.Endpoints, g.single)
	}
}

func (g *Grouped) compute(progress func(done, total int)) map[int32]bool {
	a, k := g.a, len(g.Classes)
	a.farOnce.Do(a.buildFar)
	g.farSets, g.steering, g.farPrefixes = map[string]*farSets{}, map[model.VPCID]*farSets{}, map[model.VPCID][]netip.Prefix{}
	nearOf := g.nearClasses()
	out := make([][]ClassRow, k)
	var mu sync.Mutex
	split := map[int32]bool{}
	done := 0
	parallel(k, func(i int) bool {
		c := int32(i)
		rows, doubt := g.classRows(c, nearOf[g.Endpoints[g.Classes[c][0]].VPC])
		mu.Lock()
		defer mu.Unlock()
		out[c] = rows
		for _, d := range doubt {
			split[d] = true
		}
		if progress != nil {
			done++
			progress(done, k)
		}
		return true
	})
	g.Rows, g.byClass = g.Rows[:0], make([][2]int32, k)
	g.near, g.farRows = make([]map[int32]int32, k), make([]map[string]int32, k)
	for c, rows := range out {
		lo := int32(len(g.Rows))
		g.Rows = append(g.Rows, rows...)
		g.byClass[c] = [2]int32{lo, int32(len(g.Rows))}
		g.near[c], g.farRows[c] = map[int32]int32{}, map[string]int32{}
		for r := lo; r < int32(len(g.Rows)); r++ {
			if row := &g.Rows[r]; row.Far != nil {
				g.farRows[c][g.farKeyOf(row)] = r
			} else {
				g.near[c][row.To] = r
			}
		}
	}
	return split
}

// nearClasses lists, per VPC of a source, the classes not far from it: its own and those of
// other VPCs inside its blocks.
func (g *Grouped) nearClasses() map[model.VPCID][]int32 {
	a := g.a
	type rep struct {
		ip netip.Addr
		c  int32
	}
	reps := make([]rep, len(g.Classes))
	out := map[model.VPCID][]int32{}
	for c, ms := range g.Classes {
		e := g.Endpoints[ms[0]]
		reps[c] = rep{e.Endpoint.IP, int32(c)}
		out[e.VPC] = append(out[e.VPC], int32(c))
	}
	slices.SortFunc(reps, func(x, y rep) int { return x.ip.Compare(y.ip) })
	for v, cidrs := range a.vpcCIDRs {
		for _, p := range cidrs {
			i, _ := slices.BinarySearchFunc(reps, p.Masked().Addr(), func(r rep, ip netip.Addr) int { return r.ip.Compare(ip) })
			for ; i < len(reps) && p.Contains(reps[i].ip); i++ {
				if g.Endpoints[g.Classes[reps[i].c][0]].VPC != v {
					out[v] = append(out[v], reps[i].c)
				}
			}
		}
	}
	for v, cs := range out {
		slices.Sort(cs)
		out[v] = slices.Compact(cs)
	}
	return out
}

// classRows answers one source class; doubt lists classes whose rows named a component of
// their own representatives.
func (g *Grouped) classRows(s int32, near []int32) (rows []ClassRow, doubt []int32) {
	a, q := g.a, g.Query
	members := g.Classes[s]
	from := g.Endpoints[members[0]]
	size := func(c int32) int64 { return int64(len(g.Classes[c])) }
	check := func(c Cell, to int32, ti int32) {
		if own(a, c, from) && len(members) > 1 {
			doubt = append(doubt, s)
		}
		if to >= 0 && own(a, c, g.Endpoints[ti]) && len(g.Classes[to]) > 1 {
			doubt = append(doubt, to)
		}
	}
	if len(members) > 1 {
		c, _ := a.cell(from.Endpoint, g.Endpoints[members[1]].Endpoint, q)
		check(c, s, members[1])
		rows = append(rows, ClassRow{From: s, To: s, Cell: c, Pairs: size(s) * (size(s) - 1)})
	}
	isNear := map[int32]bool{}
	for _, d := range near {
		isNear[d] = true
		if d == s {
			continue
		}
		to := g.Classes[d][0]
		c, _ := a.cell(from.Endpoint, g.Endpoints[to].Endpoint, q)
		check(c, d, to)
		rows = append(rows, ClassRow{From: s, To: d, Cell: c, Pairs: size(s) * size(d)})
	}
	fs := g.farSetsOf(from.VPC)
	for k, cs := range fs.classes {
		n := fs.members[k]
		first := int32(-1)
		for _, d := range near {
			if fs.keyOf[d] == int32(k) {
				n -= size(d)
			}
		}
		for _, d := range cs {
			if !isNear[d] {
				first = d
				break
			}
		}
		if first < 0 {
			continue
		}
		to := g.Classes[first][0]
		c, home := a.cell(from.Endpoint, g.Endpoints[to].Endpoint, q)
		if home {
			check(c, -1, 0)
			rows = append(rows, ClassRow{From: s, To: -1, Far: fs.set(from.VPC, k), Cell: c, Pairs: size(s) * n})
			continue
		}
		for _, d := range cs {
			if isNear[d] {
				continue
			}
			if d != first {
				c, _ = a.cell(from.Endpoint, g.Endpoints[g.Classes[d][0]].Endpoint, q)
			}
			check(c, d, g.Classes[d][0])
			rows = append(rows, ClassRow{From: s, To: d, Cell: c, Pairs: size(s) * size(d)})
		}
	}
	return rows, doubt
}

// own reports whether a cell's blocker names the endpoint's interface, subnet or instance.
func own(a *Analyzer, c Cell, e MatrixEndpoint) bool {
	if c.Blocker == nil {
		return false
	}
	ids := []string{string(e.Endpoint.ENI), string(e.Subnet), e.ID}
	if _, in, _, ok := a.Net.Interface(e.Endpoint.ENI); ok && in != nil {
		ids = append(ids, string(in.ID))
	}
	if slices.Contains(ids, c.Blocker.At.ID) {
		return true
	}
	for _, x := range c.Blocker.Advice {
		if slices.Contains(ids, x.At.ID) {
			return true
		}
	}
	return false
}

// farSetsOf groups every class by its far key as seen from VPC v (shared by the VPCs with the
// same steering prefixes). Safe for concurrent use.
func (g *Grouped) farSetsOf(v model.VPCID) *farSets {
	g.mu.Lock()
	defer g.mu.Unlock()
	if fs, ok := g.steering[v]; ok {
		return fs
	}
	ps := g.a.farOutside(v)
	var id strings.Builder
	for _, p := range ps {
		id.WriteString(p.String() + " ")
	}
	fs, ok := g.farSets[id.String()]
	if !ok {
		fs = &farSets{prefixes: ps, keyOf: make([]int32, len(g.Classes))}
		byKey := map[string]int32{}
		for c, ms := range g.Classes {
			key := g.a.farKeyIn(ps, g.Endpoints[ms[0]].Endpoint.IP)
			k, ok := byKey[key]
			if !ok {
				k = int32(len(fs.keys))
				byKey[key] = k
				fs.keys = append(fs.keys, key)
				fs.classes = append(fs.classes, nil)
				fs.members = append(fs.members, 0)
			}
			fs.keyOf[c] = k
			fs.classes[k] = append(fs.classes[k], int32(c))
			fs.members[k] += int64(len(ms))
		}
		g.farSets[id.String()] = fs
	}
	g.steering[v] = fs
	g.farPrefixes[v] = ps
	return fs
}

// set describes far key k as a FarSet of VPC v.
func (fs *farSets) set(v model.VPCID, k int) *FarSet {
	key := fs.keys[k]
	f := &FarSet{VPC: v, Public: strings.HasSuffix(key, "p")}
	for i, p := range fs.prefixes {
		if key[i] == '1' {
			f.In = append(f.In, p)
		} else {
			f.NotIn = append(f.NotIn, p)
		}
	}
	return f
}

// farOutside are the steering prefixes of VPC v that can hold an address outside its blocks:
// the others (its blocks, routes inside them) hold no far destination, so they tell none
// apart, and VPCs whose routes differ only there (every VPC has its own local route) share
// their far sets.
func (a *Analyzer) farOutside(v model.VPCID) []netip.Prefix {
	a.farOnce.Do(a.buildFar)
	cidrs := a.vpcCIDRs[v]
	var out []netip.Prefix
	for _, p := range a.far[v] {
		if !slices.ContainsFunc(cidrs, func(c netip.Prefix) bool { return c.Bits() <= p.Bits() && c.Contains(p.Addr()) }) {
			out = append(out, p)
		}
	}
	return out
}

// farKeyOf is the far key a far row stands for.
func (g *Grouped) farKeyOf(r *ClassRow) string {
	var b strings.Builder
	for _, p := range g.farPrefixes[r.Far.VPC] {
		if slices.Contains(r.Far.In, p) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	if r.Far.Public {
		b.WriteByte('p')
	}
	return b.String()
}

// Cell is the answer for the pair (Endpoints[i], Endpoints[j]), from the rows.
func (g *Grouped) Cell(i, j int) Cell {
	if i == j {
		return Cell{Verdict: Self}
	}
	return g.Rows[g.rowOf(i, j)].Cell
}

// rowOf is the row that answers a pair of distinct endpoints.
func (g *Grouped) rowOf(i, j int) int32 {
	ci := g.ClassOf[i]
	from, to := g.Endpoints[i], g.Endpoints[j]
	if g.a.isFar(from.Endpoint, to.Endpoint) {
		if r, ok := g.farRows[ci][g.a.farKeyIn(g.farPrefixes[from.VPC], to.Endpoint.IP)]; ok {
			return r
		}
	}
	r, ok := g.near[ci][g.ClassOf[j]]
	if !ok {
		panic("analyze: no row for a pair of the grouped matrix")
	}
	return r
}

// Counts sums the pairs by verdict.
func (g *Grouped) Counts() (all, some, none int64) {
	for _, r := range g.Rows {
		switch r.Cell.Verdict {
		case All:
			all += r.Pairs
		case Some:
			some += r.Pairs
		case None:
			none += r.Pairs
		}
	}
	return
}

// rowCells is Cell for pairs asked row by row: a source row's answers are looked up once per
// destination class, not once per pair.
func (g *Grouped) rowCells() func(i, j int) Cell {
	row, byClass := -1, make([]int32, len(g.Classes))
	return func(i, j int) Cell {
		if i == j {
			return Cell{Verdict: Self}
		}
		if i != row {
			row = i
			for k := range byClass {
				byClass[k] = -1
			}
		}
		cj := g.ClassOf[j]
		if g.ClassOf[i] == cj || !g.a.isFar(g.Endpoints[i].Endpoint, g.Endpoints[j].Endpoint) {
			return g.Cell(i, j)
		}
		if byClass[cj] < 0 {
			byClass[cj] = int32(g.rowOf(i, j))
		}
		return g.Rows[byClass[cj]].Cell
	}
}
