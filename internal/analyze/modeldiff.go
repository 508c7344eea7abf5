package analyze

import (
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
	tr         *transit            // peering, transit and Direct Connect gateways (modeldiff_transit.go)
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
	v.tr = newTransit(t)
	return v
}

// DiffModels compares two topologies resource by resource (by ID), one row of kindRows per
// resource kind, and works out which flows the differences can touch.
func DiffModels(before, after *model.Topology) *ModelDiff {
	d := &differ{
		md:            &ModelDiff{Sources: map[model.ENIID]*Touch{}, Dests: map[model.ENIID]*Touch{}, VPCs: map[model.VPCID]bool{}, byID: map[string]int{}},
		vb:            newView(before),
		va:            newView(after),
		subnetTouched: map[model.SubnetID]bool{},
		groupTouched:  map[model.SecurityGroupID]bool{},
	}
	for _, r := range kindRows {
		if r.diff != nil {
			r.diff(d)
		}
	}
	d.finish()
	return d.md
}

// differ is one model diff while the rows of kindRows fill it in: the changes, and what they
// touch, directly (md) or through the subnets and groups they touch (finish expands those).
type differ struct {
	md            *ModelDiff
	vb, va        *view
	subnetTouched map[model.SubnetID]bool
	// groupTouched are the groups of changed interfaces: rules that reference them select
	// other peers now (§4.1.5).
	groupTouched map[model.SecurityGroupID]bool
}

func (d *differ) views() []*view { return []*view{d.vb, d.va} }

func (d *differ) add(kind, id, name string, lines []string) {
	d.md.Changes = append(d.md.Changes, Change{Kind: kind, ID: id, Name: name, Lines: lines})
}

// eniTouched marks every flow from and to an interface; an appliance's changes touch its
// whole VPC (other flows are routed through it).
func (d *differ) eniTouched(id model.ENIID) {
	touch(d.md.Sources, id).Full, touch(d.md.Dests, id).Full = true, true
	for _, v := range d.views() {
		if v.appliances[id] {
			for s, es := range v.enisOf {
				if slices.Contains(es, id) {
					d.md.VPCs[v.vpcOf[s]] = true
				}
			}
		}
	}
}

// subnetsTouched marks the subnets a route table or network ACL applies to, in either
// topology.
func (d *differ) subnetsTouched(id string) {
	for _, v := range d.views() {
		for _, s := range v.subnetsOf[id] {
			d.subnetTouched[model.SubnetID(s)] = true
		}
	}
}

// finish expands what the rows touched through groups and subnets into interfaces and VPCs,
// and orders the changes.
func (d *differ) finish() {
	for g := range d.groupTouched {
		for _, v := range d.views() {
			for _, h := range v.t.SecurityGroups {
				for dir, rules := range [][]model.SecurityGroupRule{h.Ingress, h.Egress} {
					if slices.ContainsFunc(rules, func(r model.SecurityGroupRule) bool { return r.Group == g }) {
						for _, e := range v.carriers[h.ID] {
							if dir == 0 {
								touch(d.md.Dests, e).Full = true
							} else {
								touch(d.md.Sources, e).Full = true
							}
						}
					}
				}
			}
		}
	}
	// A subnet that changed route table or network ACL (an association, either side's).
	for _, v := range d.views() {
		for s := range v.vpcOf {
			if d.vb.rtOf[s] != d.va.rtOf[s] || d.vb.aclOf[s] != d.va.aclOf[s] {
				d.subnetTouched[s] = true
			}
		}
	}
	for s := range d.subnetTouched {
		for _, v := range d.views() {
			if v.shared[s] {
				d.md.VPCs[v.vpcOf[s]] = true
			}
			for _, e := range v.enisOf[s] {
				touch(d.md.Sources, e).Full, touch(d.md.Dests, e).Full = true, true
			}
		}
	}
	cs := d.md.Changes
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Kind != cs[j].Kind {
			return cs[i].Kind < cs[j].Kind
		}
		return cs[i].ID < cs[j].ID
	})
	for i, c := range cs {
		d.md.byID[c.ID] = i
	}
}
