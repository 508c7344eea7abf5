package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// Scopes of a matrix.
const (
	ScopeInstances = "instances"
	ScopeSubnets   = "subnets"
)

// Verdict of one cell of a matrix: how much of the asked header space gets through.
type Verdict uint8

const (
	None Verdict = iota // nothing asked gets through (both ways)
	Some                // some parts do
	All                 // every part does
	Self                // the endpoint and itself
)

func (v Verdict) String() string { return [...]string{"none", "some", "all", "self"}[v] }

// MatrixEndpoint is a row and column of a matrix: an instance (its first ENI), or a subnet
// (its probe interface, see ProbeTopology).
type MatrixEndpoint struct {
	ID       string // instance or subnet ID
	Name     string
	Subnet   model.SubnetID
	VPC      model.VPCID
	Endpoint tools.Endpoint
}

// Label is the endpoint's Name, or its ID.
func (m MatrixEndpoint) Label() string {
	if m.Name != "" {
		return m.Name
	}
	return m.ID
}

// Cell is one pair's answer.
type Cell struct {
	Verdict   Verdict
	Reachable Space    // Some: what gets through
	Blocker   *Blocker // None and Some: the first blocker of the first blocked part
}

// Matrix is who reaches whom: Cells[i][j] is from Endpoints[i] to Endpoints[j].
type Matrix struct {
	Scope     string
	Query     Query
	Endpoints []MatrixEndpoint
	Cells     [][]Cell
}

// InstanceEndpoints are the topology's instances with an interface, in topology order.
func (a *Analyzer) InstanceEndpoints() []MatrixEndpoint {
	var out []MatrixEndpoint
	for _, in := range a.Net.Topology.Instances {
		id, ok := a.firstENI(in)
		if !ok {
			continue
		}
		m := MatrixEndpoint{ID: string(in.ID), Name: in.Name, Subnet: a.subnetOf(id), VPC: a.vpcOf(id)}
		m.Endpoint = a.ENIEndpoint(id, m.Label())
		out = append(out, m)
	}
	return out
}

// Matrix evaluates every ordered pair of endpoints, in parallel over sources (one engine
// state per evaluation). Per pair, a first packet finds whether anything can arrive at all:
// when it does not (no route, a gateway drops it), nothing asked can, since the path depends
// on addresses only (a NAT gateway stops other protocols earlier still, §2.2.6); otherwise the
// pair gets the full Reach. Destinations in another VPC that a source's route tables cannot
// tell apart share one answer per source (see farKey).
func (a *Analyzer) Matrix(scope string, eps []MatrixEndpoint, q Query) *Matrix {
	return a.MatrixProgress(scope, eps, q, nil)
}

// MatrixProgress is Matrix that calls progress, when not nil, after each row with the number
// of rows done (from any goroutine, one call at a time, in increasing order).
func (a *Analyzer) MatrixProgress(scope string, eps []MatrixEndpoint, q Query, progress func(done, total int)) *Matrix {
	m := &Matrix{Scope: scope, Query: q, Endpoints: eps, Cells: make([][]Cell, len(eps))}
	var mu sync.Mutex
	done := 0
	parallel(len(eps), func(i int) bool {
		m.Cells[i] = a.row(eps, i, q)
		if progress != nil {
			mu.Lock()
			done++
			progress(done, len(eps))
			mu.Unlock()
		}
		return true
	})
	return m
}

func (a *Analyzer) row(eps []MatrixEndpoint, i int, q Query) []Cell {
	from := eps[i]
	cells := make([]Cell, len(eps))
	memo := map[string]Cell{}
	for j, to := range eps {
		if i == j {
			cells[j] = Cell{Verdict: Self}
			continue
		}
		var key string
		far := a.isFar(from.Endpoint, to.Endpoint)
		if far {
			key = a.farKey(from.VPC, to.Endpoint.IP)
			if c, ok := memo[key]; ok {
				cells[j] = c
				continue
			}
		}
		c, home := a.cell(from.Endpoint, to.Endpoint, q)
		if far && home {
			memo[key] = c
		}
		cells[j] = c
	}
	return cells
}

// cell answers one pair; home reports that the first packet ended without leaving the
// source's VPC (or its gateways), so its answer holds for any destination farKey can't tell
// apart.
func (a *Analyzer) cell(from, to tools.Endpoint, q Query) (Cell, bool) {
	c0 := q.classes()[0]
	pa := probeAtom(q, c0)
	probe := a.evaluate(from, to, packetFor(pa.rep(), from, to))
	if !probe.Arrived {
		b := probe.Blockers[len(probe.Blockers)-1]
		return Cell{Verdict: None, Blocker: &b}, a.stayedHome(probe.Forward, a.vpcOf(from.ENI))
	}
	atoms, outs := a.reachAtoms(from, to, q, probe)
	var ok []*atom
	var blocked *Outcome
	for i, o := range outs {
		if o.Reachable {
			ok = append(ok, atoms[i])
		} else if blocked == nil {
			blocked = o
		}
	}
	c := Cell{Verdict: Some}
	switch {
	case blocked == nil:
		c.Verdict = All
	case len(ok) == 0:
		c.Verdict = None
	default:
		c.Reachable = spaceOf(ok)
	}
	if blocked != nil {
		c.Blocker = &blocked.Blockers[0]
	}
	return c, false
}

// isFar reports whether a destination lies outside the source's VPC and its address space.
func (a *Analyzer) isFar(from, to tools.Endpoint) bool {
	if from.Kind != tools.EndpointENI || to.Kind != tools.EndpointENI {
		return false
	}
	v := a.vpcOf(from.ENI)
	if v == "" || v == a.vpcOf(to.ENI) {
		return false
	}
	cidrs, ok := a.vpcCIDRs[v]
	return ok && !slices.ContainsFunc(cidrs, func(p netip.Prefix) bool { return p.Contains(to.IP) })
}

// stayedHome reports whether every component of a journey belongs to one VPC (or is the
// internet or a network on-premises).
func (a *Analyzer) stayedHome(r *engine.Result, v model.VPCID) bool {
	for _, h := range r.Hops {
		k := h.Component.Kind
		if k == engine.KindInternet || k == engine.KindOnPremises {
			continue
		}
		if a.compVPC[h.Component.ID] != v {
			return false
		}
	}
	return true
}

// farKey says which of the prefixes that can steer a packet out of VPC v hold address ip
// (engine.Network.SteeringPrefixes), and whether ip is a public address of the topology. A
// packet from v to an address outside v's CIDRs meets only those decisions while it stays in
// v, so destinations with the same key meet the same ones.
func (a *Analyzer) farKey(v model.VPCID, ip netip.Addr) string {
	a.farOnce.Do(a.buildFar)
	return a.farKeyIn(a.far[v], ip)
}

// farKeyIn is farKey for a VPC's steering prefixes ps.
func (a *Analyzer) farKeyIn(ps []netip.Prefix, ip netip.Addr) string {
	var b strings.Builder
	b.Grow(len(ps) + 1)
	for _, p := range ps {
		if p.Contains(ip) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	if _, _, ok := a.Net.PublicMapping(ip); ok {
		b.WriteByte('p')
	}
	return b.String()
}

func (a *Analyzer) buildFar() { a.far = a.Net.SteeringPrefixes() }

// ProbeTopology returns a copy of t with a probe interface in every subnet, for the subnets
// scope of a matrix: an ENI on the subnet's highest free address whose security group (one
// per VPC) allows all traffic in and out, so a cell shows what the network between two
// subnets allows (routes, network ACLs, NAT gateways and gateways), not what particular
// instances' groups do. t itself is not changed. Subnets without a free address get no
// probe; missing lists them.
func ProbeTopology(t *model.Topology) (pt *model.Topology, probes map[model.SubnetID]model.ENIID, missing []model.SubnetID) {
	used := map[netip.Addr]bool{}
	for _, e := range t.NetworkInterfaces {
		for _, p := range e.PrivateIPs {
			used[p.Addr] = true
		}
	}
	for _, n := range t.NATGateways {
		for _, ad := range n.Addresses {
			used[ad.PrivateIP] = true
		}
	}
	c := *t
	pt = &c
	pt.NetworkInterfaces = slices.Clone(t.NetworkInterfaces)
	pt.SecurityGroups = slices.Clone(t.SecurityGroups)
	anywhere := netip.MustParsePrefix("0.0.0.0/0")
	sgOf := map[model.VPCID]model.SecurityGroupID{}
	for _, v := range t.VPCs {
		id := model.SecurityGroupID(model.DeriveID("sg", "vpclab-probe/"+string(v.ID)))
		sgOf[v.ID] = id
		all := []model.SecurityGroupRule{{ID: string(id) + ":all", Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: anywhere}}
		pt.SecurityGroups = append(pt.SecurityGroups, &model.SecurityGroup{ID: id, VPC: v.ID, Name: "vpclab-probe", Ingress: all, Egress: all})
	}
	probes = map[model.SubnetID]model.ENIID{}
	for _, s := range t.Subnets {
		ip, ok := freeAddress(s.CIDR, used)
		if !ok {
			missing = append(missing, s.ID)
			continue
		}
		id := model.ENIID(model.DeriveID("eni", "vpclab-probe/"+string(s.ID)))
		name := s.Name
		if name == "" {
			name = string(s.ID)
		}
		pt.NetworkInterfaces = append(pt.NetworkInterfaces, &model.NetworkInterface{ID: id, VPC: s.VPC, Subnet: s.ID,
			Type: model.InterfaceTypeInterface, PrivateIPs: []model.PrivateIP{{Addr: ip, Primary: true}},
			SecurityGroups: []model.SecurityGroupID{sgOf[s.VPC]}, SourceDestCheck: true,
			Name: "probe:" + name, Description: "vpclab matrix probe"})
		probes[s.ID] = id
	}
	return pt, probes, missing
}

// freeAddress is the highest address of a subnet that is neither reserved (§6.4: the last
// one is) nor held by an interface.
func freeAddress(c netip.Prefix, used map[netip.Addr]bool) (netip.Addr, bool) {
	b := c.Masked().Addr().As4()
	base := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	size := uint32(1) << (32 - c.Bits())
	for off := size - 2; off >= 4 && off < size; off-- { // base+0..3 and the last are reserved
		v := base + off
		a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		if !used[a] {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// SubnetEndpoints are the subnets of the probe topology (in topology order) as matrix
// endpoints; a is the analyzer of the network compiled from ProbeTopology's result.
func (a *Analyzer) SubnetEndpoints(probes map[model.SubnetID]model.ENIID) []MatrixEndpoint {
	var out []MatrixEndpoint
	for _, s := range a.Net.Topology.Subnets {
		id, ok := probes[s.ID]
		if !ok {
			continue
		}
		m := MatrixEndpoint{ID: string(s.ID), Name: s.Name, Subnet: s.ID, VPC: s.VPC}
		m.Endpoint = a.ENIEndpoint(id, m.Label())
		out = append(out, m)
	}
	return out
}

// Counts sums the cells by verdict (self excluded).
func (m *Matrix) Counts() (all, some, none int) {
	for _, row := range m.Cells {
		for _, c := range row {
			switch c.Verdict {
			case All:
				all++
			case Some:
				some++
			case None:
				none++
			}
		}
	}
	return
}

func (c Cell) blockerText() string {
	if c.Blocker == nil {
		return ""
	}
	return fmt.Sprintf("%s %s at %s", c.Blocker.Path, c.Blocker.Code, c.Blocker.At.ID)
}
