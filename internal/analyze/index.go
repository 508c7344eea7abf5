package analyze

import (
	"net/netip"
	"slices"
	"sync"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// Analyzer answers header-space questions about one compiled network. It is safe for
// concurrent use: every evaluation gets its own engine.State.
type Analyzer struct {
	Net  *engine.Network
	Seed uint64 // the engine state's PRNG seed (NAT port choice)

	enis     map[model.ENIID]*model.NetworkInterface
	sgs      map[model.SecurityGroupID]*model.SecurityGroup
	acls     map[model.NetworkACLID]*aclRules
	pls      map[model.PrefixListID][]netip.Prefix
	ttl      map[model.ENIID]uint8 // initial TTL of the instance behind an ENI (§6.7)
	instENI  map[model.InstanceID]model.ENIID
	compVPC  map[string]model.VPCID // component ID → its VPC, for the far-destination memo
	vpcOfENI map[model.ENIID]model.VPCID
	vpcCIDRs map[model.VPCID][]netip.Prefix

	members map[netip.Addr][]model.SecurityGroupID // private IP → groups of its ENI (§4.1.5)

	farOnce sync.Once
	far     map[model.VPCID][]netip.Prefix // prefixes that can tell destinations apart (matrix.go)
}

// aclRules are a NACL's entries per direction in rule order (§5.1).
type aclRules struct {
	inbound, outbound []model.NetworkACLEntry
}

// New indexes the network's topology for analysis. seed is the engine state's PRNG seed.
func New(n *engine.Network, seed uint64) *Analyzer {
	t := n.Topology
	a := &Analyzer{Net: n, Seed: seed,
		enis:     make(map[model.ENIID]*model.NetworkInterface, len(t.NetworkInterfaces)),
		sgs:      make(map[model.SecurityGroupID]*model.SecurityGroup, len(t.SecurityGroups)),
		acls:     make(map[model.NetworkACLID]*aclRules, len(t.NetworkACLs)),
		pls:      map[model.PrefixListID][]netip.Prefix{},
		ttl:      map[model.ENIID]uint8{},
		instENI:  make(map[model.InstanceID]model.ENIID, len(t.Instances)),
		compVPC:  map[string]model.VPCID{},
		vpcOfENI: make(map[model.ENIID]model.VPCID, len(t.NetworkInterfaces)),
		vpcCIDRs: make(map[model.VPCID][]netip.Prefix, len(t.VPCs)),
		members:  make(map[netip.Addr][]model.SecurityGroupID, len(t.NetworkInterfaces)),
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
		for _, p := range e.PrivateIPs {
			a.members[p.Addr] = append(a.members[p.Addr], e.SecurityGroups...)
		}
	}
	for _, g := range t.SecurityGroups {
		a.sgs[g.ID] = g
		a.compVPC[string(g.ID)] = g.VPC
	}
	for _, acl := range t.NetworkACLs {
		r := &aclRules{}
		for _, e := range acl.Entries {
			if e.Egress {
				r.outbound = append(r.outbound, e)
			} else {
				r.inbound = append(r.inbound, e)
			}
		}
		for _, l := range [][]model.NetworkACLEntry{r.inbound, r.outbound} {
			slices.SortStableFunc(l, func(x, y model.NetworkACLEntry) int { return x.RuleNumber - y.RuleNumber })
		}
		a.acls[acl.ID] = r
		a.compVPC[string(acl.ID)] = acl.VPC
	}
	for _, pl := range t.PrefixLists {
		a.pls[pl.ID] = pl.CIDRs
	}
	for _, in := range t.Instances {
		for i, id := range in.ENIs {
			if i == 0 {
				a.instENI[in.ID] = id
			}
			if in.InitialTTL != 0 {
				a.ttl[id] = in.InitialTTL
			}
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

// groupsOf returns the groups of the ENI holding a private IP.
func (a *Analyzer) groupsOf(ip netip.Addr) []model.SecurityGroupID { return a.members[ip] }

// ENIEndpoint describes an ENI as an endpoint without a name lookup (matrix and diff use it
// for every interface; tools.Sim.Resolve is for names people type).
func (a *Analyzer) ENIEndpoint(id model.ENIID, label string) tools.Endpoint {
	ep := tools.Endpoint{Kind: tools.EndpointENI, ENI: id, Label: label, TTL: model.DefaultInitialTTL}
	if e := a.enis[id]; e != nil {
		ep.IP = e.PrimaryIP()
	}
	if t, ok := a.ttl[id]; ok {
		ep.TTL = t
	}
	return ep
}

// location is where an endpoint's packets enter the network.
func location(ep tools.Endpoint) engine.Location {
	switch ep.Kind {
	case tools.EndpointInternet:
		return engine.Location{Kind: engine.FromInternet}
	case tools.EndpointOnPrem:
		return engine.Location{Kind: engine.FromVPNGateway, VPNGateway: ep.VGW}
	}
	return engine.Location{Kind: engine.FromENI, ENI: ep.ENI}
}

// sgRuleCuts adds the cuts of one security group rule that matches peer to the class's
// dimensions, or the protocol number it names to named.
func (a *Analyzer) sgRuleCuts(r *model.SecurityGroupRule, peer netip.Addr, c Class, ca, cb *cuts, named *[]int) {
	if r.Protocol == model.ProtocolAll || !a.peerMatches(r, peer) {
		return
	}
	switch {
	case c == ClassOther:
		if classOf(r.Protocol) == ClassOther {
			*named = append(*named, r.Protocol)
		}
	case r.Protocol != int(c.proto()):
	case c == ClassICMP:
		if r.FromPort >= 0 {
			ca.add(r.FromPort, r.FromPort)
		}
		if r.ToPort >= 0 {
			cb.add(r.ToPort, r.ToPort)
		}
	case r.FromPort >= 0:
		ca.add(r.FromPort, r.ToPort)
	}
}

func (a *Analyzer) peerMatches(r *model.SecurityGroupRule, peer netip.Addr) bool {
	switch {
	case r.CIDR.IsValid():
		return r.CIDR.Contains(peer)
	case r.PrefixList != "":
		for _, p := range a.pls[r.PrefixList] {
			if p.Contains(peer) {
				return true
			}
		}
		return false
	case r.Group != "":
		return slices.Contains(a.groupsOf(peer), r.Group)
	}
	return false
}

// aclCuts adds the cuts of the entries of one NACL direction that can decide a packet of
// class c to or from peer: entries whose CIDR holds the peer, in rule order, up to the first
// that decides every packet of the class (first match wins, §5.1, §5.4).
func aclCuts(entries []model.NetworkACLEntry, peer netip.Addr, c Class, ca, cb *cuts, named *[]int) {
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer) {
			continue
		}
		if e.Protocol == model.ProtocolAll {
			return
		}
		switch {
		case c == ClassOther:
			if classOf(e.Protocol) == ClassOther {
				*named = append(*named, e.Protocol)
			}
		case e.Protocol != int(c.proto()):
		case c == ClassICMP:
			if e.ICMPType < 0 && e.ICMPCode < 0 {
				return
			}
			if e.ICMPType >= 0 {
				ca.add(e.ICMPType, e.ICMPType)
			}
			if e.ICMPCode >= 0 {
				cb.add(e.ICMPCode, e.ICMPCode)
			}
		default:
			if e.FromPort < 0 || e.FromPort == 0 && (e.ToPort == 0 || e.ToPort >= 65535) {
				return // every port (the engine reads 0-0 as no range given)
			}
			ca.add(e.FromPort, e.ToPort)
		}
	}
}

// aclAllowsAll reports whether a NACL direction admits every port of lo-hi of protocol proto
// to or from peer, and otherwise the rule number that denies some of them (32767 for "*").
// It mirrors the engine's first-match evaluation (§5.1).
func aclAllowsAll(entries []model.NetworkACLEntry, peer netip.Addr, proto uint8, lo, hi int) (bool, int) {
	rest := []Interval{{lo, hi}}
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer) || (e.Protocol != model.ProtocolAll && e.Protocol != int(proto)) {
			continue
		}
		from, to := e.FromPort, e.ToPort
		if e.Protocol == model.ProtocolAll || from < 0 || from == 0 && to == 0 {
			from, to = 0, 65535
		}
		var next []Interval
		for _, r := range rest {
			if r.Hi < from || r.Lo > to {
				next = append(next, r)
				continue
			}
			if !e.Allow {
				return false, e.RuleNumber
			}
			if r.Lo < from {
				next = append(next, Interval{r.Lo, from - 1})
			}
			if r.Hi > to {
				next = append(next, Interval{to + 1, r.Hi})
			}
		}
		if rest = next; len(rest) == 0 {
			return true, 0
		}
	}
	return false, 32767
}
