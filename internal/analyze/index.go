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
	enis     map[model.ENIID]*model.NetworkInterface
	instENI  map[model.InstanceID]model.ENIID
	compVPC  map[string]model.VPCID // component ID → its VPC, for the far-destination memo
	vpcOfENI map[model.ENIID]model.VPCID
	vpcCIDRs map[model.VPCID][]netip.Prefix

	farOnce sync.Once
	far     map[model.VPCID][]netip.Prefix // prefixes that can tell destinations apart (matrix.go)
}

// New indexes the network's topology for analysis. seed is the engine state's PRNG seed.
func New(n *engine.Network, seed uint64) *Analyzer {
	t := n.Topology
	a := &Analyzer{Net: n, Seed: seed, hosts: tools.NewHosts(n),
		enis:     make(map[model.ENIID]*model.NetworkInterface, len(t.NetworkInterfaces)),
		instENI:  make(map[model.InstanceID]model.ENIID, len(t.Instances)),
		compVPC:  map[string]model.VPCID{},
		vpcOfENI: make(map[model.ENIID]model.VPCID, len(t.NetworkInterfaces)),
		vpcCIDRs: make(map[model.VPCID][]netip.Prefix, len(t.VPCs)),
	}
	subnetVPC := make(map[model.SubnetID]model.VPCID, len(t.Subnets))
	for _, s := range t.Subnets {
		subnetVPC[s.ID] = s.VPC
		a.compVPC[string(s.ID)] = s.VPC
	}
	for _, e := range t.NetworkInterfaces {
		a.enis[e.ID] = e
		v := e.VPC
		if v == "" {
			v = subnetVPC[e.Subnet]
		}
		a.vpcOfENI[e.ID] = v
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
	for _, in := range t.Instances {
		if len(in.ENIs) > 0 {
			a.instENI[in.ID] = in.ENIs[0]
		}
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
