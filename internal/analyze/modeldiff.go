package analyze

import (
	"fmt"
	"slices"
	"sort"

	"github.com/vpclab/vpclab/internal/model"
)

// Change is one resource that differs between two topologies, with what differs as lines
// ("+ ingress TCP 5432 from 10.0.0.0/16", "- route 10.0.1.0/24 -> nat-...").
type Change struct {
	Kind  string // security-group, network-acl, route-table, network-interface, instance, nat-gateway, subnet, vpc, ...
	ID    string
	Name  string
	Lines []string
}

func (c Change) String() string {
	s := c.Kind + " " + c.ID
	if c.Name != "" && c.Name != c.ID {
		s += " (" + c.Name + ")"
	}
	return s
}

// ModelDiff is what differs between two topologies and which flows it can touch: flows from
// the ENIs in Sources, to the ENIs in Dests, and every flow from or to an ENI of a VPC in
// VPCs (changes on shared paths: NAT gateways, appliances, their subnets, gateways); All
// means every flow.
type ModelDiff struct {
	Changes []Change
	Sources map[model.ENIID]*Touch
	Dests   map[model.ENIID]*Touch
	VPCs    map[model.VPCID]bool
	All     bool
	byID    map[string]int
}

// Touch says which flows of an interface may have changed: all (Full), or only the headers
// of Spaces, the ranges of the security group rules that changed (a header's verdict at a
// group depends only on the rules that match it, §4.1.3).
type Touch struct {
	Full   bool
	Spaces []Query
}

func touch(m map[model.ENIID]*Touch, id model.ENIID) *Touch {
	t := m[id]
	if t == nil {
		t = &Touch{}
		m[id] = t
	}
	return t
}

// Change returns the change of a component by ID, if it changed.
func (d *ModelDiff) Change(id string) (Change, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Change{}, false
	}
	return d.Changes[i], true
}

// view is what the diff needs to know about one topology.
type view struct {
	t          *model.Topology
	enisOf     map[model.SubnetID][]model.ENIID
	carriers   map[model.SecurityGroupID][]model.ENIID
	appliances map[model.ENIID]bool
	shared     map[model.SubnetID]bool // subnets with a NAT gateway or an appliance
	rtOf       map[model.SubnetID]model.RouteTableID
	aclOf      map[model.SubnetID]model.NetworkACLID
	vpcOf      map[model.SubnetID]model.VPCID
	subnetsOf  map[string][]string // route table or NACL ID → the subnets it applies to, sorted
}

func newView(t *model.Topology) *view {
	v := &view{t: t, enisOf: map[model.SubnetID][]model.ENIID{}, carriers: map[model.SecurityGroupID][]model.ENIID{},
		appliances: map[model.ENIID]bool{}, shared: map[model.SubnetID]bool{}, rtOf: map[model.SubnetID]model.RouteTableID{},
		aclOf: map[model.SubnetID]model.NetworkACLID{}, vpcOf: map[model.SubnetID]model.VPCID{}}
	subnetOf := map[model.ENIID]model.SubnetID{}
	for _, e := range t.NetworkInterfaces {
		v.enisOf[e.Subnet] = append(v.enisOf[e.Subnet], e.ID)
		subnetOf[e.ID] = e.Subnet
		for _, g := range e.SecurityGroups {
			v.carriers[g] = append(v.carriers[g], e.ID)
		}
		if !e.SourceDestCheck && e.Type != model.InterfaceTypeNATGateway {
			v.appliances[e.ID] = true
		}
	}
	firstENI := map[model.InstanceID]model.ENIID{}
	for _, in := range t.Instances {
		if len(in.ENIs) > 0 {
			firstENI[in.ID] = in.ENIs[0]
		}
	}
	mainRT := map[model.VPCID]model.RouteTableID{}
	for _, rt := range t.RouteTables {
		if rt.Main {
			mainRT[rt.VPC] = rt.ID
		}
		for _, s := range rt.Subnets {
			v.rtOf[s] = rt.ID
		}
		for _, r := range rt.Routes {
			switch r.Target.Kind {
			case model.TargetNetworkInterface:
				v.appliances[model.ENIID(r.Target.ID)] = true
			case model.TargetInstance:
				v.appliances[firstENI[model.InstanceID(r.Target.ID)]] = true
			}
		}
	}
	defACL := map[model.VPCID]model.NetworkACLID{}
	for _, a := range t.NetworkACLs {
		if a.Default {
			defACL[a.VPC] = a.ID
		}
		for _, s := range a.Subnets {
			v.aclOf[s] = a.ID
		}
	}
	for _, s := range t.Subnets {
		v.vpcOf[s.ID] = s.VPC
		if _, ok := v.rtOf[s.ID]; !ok {
			v.rtOf[s.ID] = mainRT[s.VPC]
		}
		if _, ok := v.aclOf[s.ID]; !ok {
			v.aclOf[s.ID] = defACL[s.VPC]
		}
	}
	v.subnetsOf = map[string][]string{}
	for _, s := range t.Subnets {
		v.subnetsOf[string(v.rtOf[s.ID])] = append(v.subnetsOf[string(v.rtOf[s.ID])], string(s.ID))
		v.subnetsOf[string(v.aclOf[s.ID])] = append(v.subnetsOf[string(v.aclOf[s.ID])], string(s.ID))
	}
	for _, l := range v.subnetsOf {
		sort.Strings(l)
	}
	for id := range v.appliances {
		v.shared[subnetOf[id]] = true
	}
	for _, n := range t.NATGateways {
		v.shared[n.Subnet] = true
	}
	return v
}

// DiffModels compares two topologies resource by resource (by ID) and works out which flows
// the differences can touch.
func DiffModels(before, after *model.Topology) *ModelDiff {
	d := &ModelDiff{Sources: map[model.ENIID]*Touch{}, Dests: map[model.ENIID]*Touch{}, VPCs: map[model.VPCID]bool{}, byID: map[string]int{}}
	vb, va := newView(before), newView(after)
	views := []*view{vb, va}
	add := func(kind, id, name string, lines []string) {
		if len(lines) > 0 {
			d.Changes = append(d.Changes, Change{Kind: kind, ID: id, Name: name, Lines: lines})
		}
	}
	both := func(f func(v *view)) {
		for _, v := range views {
			f(v)
		}
	}
	subnetTouched := map[model.SubnetID]bool{}
	groupTouched := map[model.SecurityGroupID][2]bool{} // ingress, egress (references to it)
	eniTouched := func(id model.ENIID) {
		touch(d.Sources, id).Full, touch(d.Dests, id).Full = true, true
		both(func(v *view) {
			if v.appliances[id] {
				for s, es := range v.enisOf {
					if slices.Contains(es, id) {
						d.VPCs[v.vpcOf[s]] = true
					}
				}
			}
		})
	}

	// Security groups (§4): rules of each direction compared as sets.
	diffByID(before.SecurityGroups, after.SecurityGroups, func(g *model.SecurityGroup) string { return string(g.ID) },
		func(b, a *model.SecurityGroup) {
			g := pick2(b, a)
			var lines []string
			for _, dir := range []string{"ingress", "egress"} {
				lines = append(lines, setDiff(sgRules(b, dir), sgRules(a, dir), dir+" ")...)
			}
			add("security-group", string(g.ID), g.Name, lines)
			in, out := changedRules(b, a, "ingress"), changedRules(b, a, "egress")
			both(func(v *view) {
				for _, e := range v.carriers[g.ID] {
					if v.appliances[e] && len(lines) > 0 {
						eniTouched(e)
					}
					// Ingress rules decide arrivals, and answers that come back untracked;
					// egress rules decide departures (answers leave tracked, §4.2.1).
					for _, r := range in {
						narrow(touch(d.Dests, e), r, false)
						narrow(touch(d.Sources, e), r, true)
					}
					for _, r := range out {
						narrow(touch(d.Sources, e), r, false)
					}
				}
			})
		})

	// Interfaces and instances (§6): a changed interface touches its flows, and flows through
	// rules that reference its groups (§4.1.5).
	diffByID(before.NetworkInterfaces, after.NetworkInterfaces, func(e *model.NetworkInterface) string { return string(e.ID) },
		func(b, a *model.NetworkInterface) {
			lines := eniLines(b, a)
			e := pick2(b, a)
			add("network-interface", string(e.ID), e.Name, lines)
			if len(lines) == 0 {
				return
			}
			eniTouched(e.ID)
			for _, x := range []*model.NetworkInterface{b, a} {
				if x != nil {
					for _, g := range x.SecurityGroups {
						groupTouched[g] = [2]bool{true, true}
					}
				}
			}
		})
	diffByID(before.Instances, after.Instances, func(i *model.Instance) string { return string(i.ID) },
		func(b, a *model.Instance) {
			in := pick2(b, a)
			var lines []string
			switch {
			case b == nil:
				lines = []string{"+ instance"}
			case a == nil:
				lines = []string{"- instance"}
			default:
				if !slices.Equal(b.ENIs, a.ENIs) {
					lines = append(lines, fmt.Sprintf("interfaces %v -> %v", b.ENIs, a.ENIs))
				}
				if b.InitialTTL != a.InitialTTL {
					lines = append(lines, fmt.Sprintf("initial TTL %d -> %d", b.InitialTTL, a.InitialTTL))
				}
			}
			add("instance", string(in.ID), in.Name, lines)
			if len(lines) > 0 {
				for _, e := range in.ENIs {
					eniTouched(e)
				}
			}
		})
	for g := range groupTouched {
		for _, v := range views {
			for _, h := range v.t.SecurityGroups {
				for dir, rules := range [][]model.SecurityGroupRule{h.Ingress, h.Egress} {
					if slices.ContainsFunc(rules, func(r model.SecurityGroupRule) bool { return r.Group == g }) {
						for _, e := range v.carriers[h.ID] {
							if dir == 0 {
								touch(d.Dests, e).Full = true
							} else {
								touch(d.Sources, e).Full = true
							}
						}
					}
				}
			}
		}
	}

	// Network ACLs (§5) and route tables (§1): by entries and by the subnets they apply to.
	diffByID(before.NetworkACLs, after.NetworkACLs, func(a *model.NetworkACL) string { return string(a.ID) },
		func(b, a *model.NetworkACL) {
			x := pick2(b, a)
			lines := setDiff(aclEntries(b), aclEntries(a), "")
			if len(lines) > 0 {
				both(func(v *view) {
					for _, s := range v.subnetsOf[string(x.ID)] {
						subnetTouched[model.SubnetID(s)] = true
					}
				})
			}
			lines = append(lines, setDiff(subnetsOf(vb, b != nil, string(x.ID)), subnetsOf(va, a != nil, string(x.ID)), "subnet ")...)
			add("network-acl", string(x.ID), x.Name, lines)
		})
	diffByID(before.RouteTables, after.RouteTables, func(r *model.RouteTable) string { return string(r.ID) },
		func(b, a *model.RouteTable) {
			x := pick2(b, a)
			lines := setDiff(routeLines(b), routeLines(a), "")
			if len(lines) > 0 {
				both(func(v *view) {
					for _, s := range v.subnetsOf[string(x.ID)] {
						subnetTouched[model.SubnetID(s)] = true
					}
				})
			}
			edge := setDiff(gatewaysOf(b), gatewaysOf(a), "edge association ")
			if len(edge) > 0 || len(lines) > 0 && (b != nil && len(b.Gateways) > 0 || a != nil && len(a.Gateways) > 0) {
				d.VPCs[x.VPC] = true // ingress routing (§1.3)
			}
			lines = append(lines, edge...)
			lines = append(lines, setDiff(subnetsOf(vb, b != nil, string(x.ID)), subnetsOf(va, a != nil, string(x.ID)), "subnet ")...)
			add("route-table", string(x.ID), x.Name, lines)
		})
	for _, v := range views {
		for s := range v.vpcOf {
			if vb.rtOf[s] != va.rtOf[s] || vb.aclOf[s] != va.aclOf[s] {
				subnetTouched[s] = true
			}
		}
	}

	// Resources on shared paths: their whole VPC.
	vpcWide := func(kind string, lines []string, id, name string, vpcs ...model.VPCID) {
		add(kind, id, name, lines)
		if len(lines) > 0 {
			for _, v := range vpcs {
				d.VPCs[v] = true
			}
		}
	}
	diffByID(before.NATGateways, after.NATGateways, func(n *model.NATGateway) string { return string(n.ID) },
		func(b, a *model.NATGateway) {
			x := pick2(b, a)
			vpcWide("nat-gateway", fieldLines(b, a, func(n *model.NATGateway) string {
				return fmt.Sprintf("subnet %s, %s, state %s, addresses %v", n.Subnet, n.Connectivity, n.State, n.Addresses)
			}), string(x.ID), x.Name, x.VPC)
		})
	diffByID(before.Subnets, after.Subnets, func(s *model.Subnet) string { return string(s.ID) },
		func(b, a *model.Subnet) {
			x := pick2(b, a)
			vpcWide("subnet", fieldLines(b, a, func(s *model.Subnet) string { return fmt.Sprintf("%s in %s", s.CIDR, s.VPC) }),
				string(x.ID), x.Name, x.VPC)
		})
	diffByID(before.VPCs, after.VPCs, func(v *model.VPC) string { return string(v.ID) },
		func(b, a *model.VPC) {
			x := pick2(b, a)
			vpcWide("vpc", fieldLines(b, a, func(v *model.VPC) string { return fmt.Sprint(v.CIDRs) }), string(x.ID), x.Name, x.ID)
		})
	diffByID(before.InternetGateways, after.InternetGateways, func(g *model.InternetGateway) string { return string(g.ID) },
		func(b, a *model.InternetGateway) {
			x := pick2(b, a)
			var vs []model.VPCID
			for _, g := range []*model.InternetGateway{b, a} {
				if g != nil {
					vs = append(vs, g.VPC)
				}
			}
			vpcWide("internet-gateway", fieldLines(b, a, func(g *model.InternetGateway) string { return "attached to " + string(g.VPC) }),
				string(x.ID), x.Name, vs...)
		})
	// Hybrid and shared resources: anything may route through them.
	global := func(kind, id, name string, lines []string) {
		add(kind, id, name, lines)
		d.All = d.All || len(lines) > 0
	}
	diffByID(before.VPNGateways, after.VPNGateways, func(g *model.VPNGateway) string { return string(g.ID) },
		func(b, a *model.VPNGateway) {
			x := pick2(b, a)
			global("vpn-gateway", string(x.ID), x.Name, fieldLines(b, a, func(g *model.VPNGateway) string { return "attached to " + string(g.VPC) }))
		})
	diffByID(before.VPNConnections, after.VPNConnections, func(c *model.VPNConnection) string { return string(c.ID) },
		func(b, a *model.VPNConnection) {
			x := pick2(b, a)
			global("vpn-connection", string(x.ID), x.Name, fieldLines(b, a, func(c *model.VPNConnection) string {
				return fmt.Sprintf("%s %s routes %v", c.VPNGateway, c.State, c.StaticRoutes)
			}))
		})
	diffByID(before.PrefixLists, after.PrefixLists, func(p *model.PrefixList) string { return string(p.ID) },
		func(b, a *model.PrefixList) {
			x := pick2(b, a)
			global("prefix-list", string(x.ID), x.Name, fieldLines(b, a, func(p *model.PrefixList) string { return fmt.Sprint(p.CIDRs) }))
		})
	diffByID(before.OnPremises, after.OnPremises, func(o *model.OnPremNetwork) string { return o.Name },
		func(b, a *model.OnPremNetwork) {
			x := pick2(b, a)
			global("on-premises", x.Name, "", fieldLines(b, a, func(o *model.OnPremNetwork) string {
				return fmt.Sprintf("%s %v", o.VPNGateway, o.CIDRs)
			}))
		})

	for s := range subnetTouched {
		for _, v := range views {
			if v.shared[s] {
				d.VPCs[v.vpcOf[s]] = true
			}
			for _, e := range v.enisOf[s] {
				touch(d.Sources, e).Full, touch(d.Dests, e).Full = true, true
			}
		}
	}
	sort.Slice(d.Changes, func(i, j int) bool {
		if d.Changes[i].Kind != d.Changes[j].Kind {
			return d.Changes[i].Kind < d.Changes[j].Kind
		}
		return d.Changes[i].ID < d.Changes[j].ID
	})
	for i, c := range d.Changes {
		d.byID[c.ID] = i
	}
	return d
}
