package analyze

import (
	"net/netip"
	"sync"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// Analyzer answers header-space questions about one compiled network. It is safe for
// concurrent use: every evaluation gets its own engine.State. It keeps no rules of its own:
// the engine decides every packet, and its rule sets say where decisions may change
// (engine.Network.RuleSpans); the hosts that answer are tools' (tools.Hosts).
type Analyzer struct {
	Net  *engine.Network
	Seed uint64 // the engine state's PRNG seed (NAT port choice)

	hosts    *tools.Hosts
	compVPC  map[string]model.VPCID // component ID → its VPC, for the far-destination memo
	vpcCIDRs map[model.VPCID][]netip.Prefix

	farOnce sync.Once
	far     map[model.VPCID][]netip.Prefix // prefixes that can tell destinations apart (matrix.go)

	// Built on first use and shared by every question asked of this analyzer (a resident
	// estate asks many): the endpoint names Resolve looks up and the names via may give.
	namesOnce sync.Once
	names     *tools.Names
	compOnce  sync.Once
	comps     map[string]bool
}

// endpointNames is the index of the topology's endpoint names, built once.
func (a *Analyzer) endpointNames() *tools.Names {
	a.namesOnce.Do(func() { a.names = tools.IndexNames(a.Net) })
	return a.names
}

// New indexes the network's topology for analysis. seed is the engine state's PRNG seed.
// Interfaces, instances and their VPCs are the engine's to look up (engine.Network.Interface).
func New(n *engine.Network, seed uint64) *Analyzer {
	t := n.Topology
	a := &Analyzer{Net: n, Seed: seed, hosts: tools.NewHosts(n), compVPC: map[string]model.VPCID{},
		vpcCIDRs: make(map[model.VPCID][]netip.Prefix, len(t.VPCs))}
	subnetVPC := make(map[model.SubnetID]model.VPCID, len(t.Subnets))
	for _, s := range t.Subnets {
		subnetVPC[s.ID] = s.VPC
		a.compVPC[string(s.ID)] = s.VPC
	}
	for _, e := range t.NetworkInterfaces {
		v := e.VPC
		if v == "" {
			v = subnetVPC[e.Subnet]
		}
		a.compVPC[string(e.ID)] = v
		if e.Instance != "" {
			a.compVPC[string(e.Instance)] = v
		}
	}
	for _, g := range t.SecurityGroups {
		a.compVPC[string(g.ID)] = g.VPC
	}
	for _, acl := range t.NetworkACLs {
		a.compVPC[string(acl.ID)] = acl.VPC
	}
	for _, rt := range t.RouteTables {
		a.compVPC[string(rt.ID)] = rt.VPC
	}
	for _, ng := range t.NATGateways {
		a.compVPC[string(ng.ID)] = ng.VPC
	}
	for _, g := range t.InternetGateways {
		a.compVPC[string(g.ID)] = g.VPC
	}
	for _, g := range t.VPNGateways {
		a.compVPC[string(g.ID)] = g.VPC
	}
	for _, v := range t.VPCs {
		a.compVPC[string(v.ID)] = v.ID
		a.vpcCIDRs[v.ID] = v.CIDRs
	}
	return a
}

// vpcOf is the VPC of an interface, or "" when the topology has no such interface.
func (a *Analyzer) vpcOf(id model.ENIID) model.VPCID {
	_, _, v, _ := a.Net.Interface(id)
	return v
}

// subnetOf is the subnet of an interface, or "".
func (a *Analyzer) subnetOf(id model.ENIID) model.SubnetID {
	if e, _, _, ok := a.Net.Interface(id); ok {
		return e.Subnet
	}
	return ""
}

// firstENI is an instance's first interface, if it has one in the topology.
func (a *Analyzer) firstENI(in *model.Instance) (model.ENIID, bool) {
	if len(in.ENIs) == 0 {
		return "", false
	}
	_, _, _, ok := a.Net.Interface(in.ENIs[0])
	return in.ENIs[0], ok
}

// ENIEndpoint describes an ENI as an endpoint without a name lookup (matrix and diff use it
// for every interface; tools.Sim.Resolve is for names people type).
func (a *Analyzer) ENIEndpoint(id model.ENIID, label string) tools.Endpoint {
	return a.hosts.ENIEndpoint(id, label)
}

// spanCuts adds the cuts of a filter's rule spans (engine.Network.RuleSpans, in the order the
// filter consults them) to the dimensions of class c, or the protocol numbers they name to
// named, up to the first span that decides every packet of the class: past it, no rule can
// decide anything.
func spanCuts(spans []engine.Span, c Class, ca, cb *cuts, named *[]int) {
	for _, s := range spans {
		switch {
		case s.Protocol == model.ProtocolAll:
			return
		case c == ClassOther:
			if classOf(s.Protocol) == ClassOther {
				*named = append(*named, s.Protocol)
			}
		case s.Protocol != int(c.proto()):
		case c == ClassICMP:
			if s.AllICMP() {
				return
			}
			ca.add(s.Types[0], s.Types[1])
			cb.add(s.Codes[0], s.Codes[1])
		default:
			if s.AllPorts() {
				return
			}
			ca.add(s.Ports[0], s.Ports[1])
		}
	}
}
