package snapshot

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// buildVPCs maps describe-vpcs. The primary CidrBlock comes first, then the associated
// blocks of CidrBlockAssociationSet, without duplicates (§1.1.5: every block gets a local
// route; §6.4: the resolver lives at the primary block's base+2). The account is OwnerId,
// else the file's account folder; the region is the file's region folder (describe-vpcs does
// not say it), else that of the VPC's subnets (vpcRegionsFromSubnets).
func (l *loader) buildVPCs(t *model.Topology) {
	ids := newSeen("VPC", l.vpcs.len())
	for it := range l.vpcs.all() {
		v, src := it.v, it.src
		if !ids.add(&l.probs, v.VpcId, "VpcId", src) {
			continue
		}
		loc := l.where(src)
		vpc := &model.VPC{ID: model.VPCID(v.VpcId), Account: v.OwnerId, Region: loc.region, Src: src}
		fill(&vpc.Account, loc.account)
		vpc.Name, vpc.Tags = tags(v.tagged)
		addCIDR := func(s string, src model.Source) {
			if p, ok := l.prefix(s, src); ok && !slices.Contains(vpc.CIDRs, p) {
				vpc.CIDRs = append(vpc.CIDRs, p)
			}
		}
		if v.CidrBlock != "" {
			addCIDR(v.CidrBlock, at(src, ".CidrBlock"))
		}
		for i, a := range v.CidrBlockAssociationSet {
			if a.CidrBlockState.State == "associated" || a.CidrBlockState.State == "" {
				addCIDR(a.CidrBlock, at(src, ".CidrBlockAssociationSet[%d].CidrBlock", i))
			}
		}
		if v.CidrBlock == "" && len(v.CidrBlockAssociationSet) == 0 {
			l.probs.Errorf(at(src, ".CidrBlock"), "VPC %s has no CidrBlock", v.VpcId)
		}
		t.VPCs = append(t.VPCs, vpc)
	}
}

// buildSubnets maps describe-subnets (§6.3). IPv6-only subnets are not modelled yet.
func (l *loader) buildSubnets(t *model.Topology) {
	ids := newSeen("subnet", l.subnets.len())
	for it := range l.subnets.all() {
		s, src := it.v, it.src
		if !ids.add(&l.probs, s.SubnetId, "SubnetId", src) {
			continue
		}
		if s.CidrBlock == "" && len(s.Ipv6CidrBlockAssociationSet) > 0 {
			l.probs.Warnf(src, "IPv6-only subnet %s: IPv6 not modelled yet; skipped", s.SubnetId)
			continue
		}
		cidr, ok := l.prefix(s.CidrBlock, at(src, ".CidrBlock"))
		if !ok {
			continue
		}
		sub := &model.Subnet{ID: model.SubnetID(s.SubnetId), VPC: model.VPCID(s.VpcId), CIDR: cidr,
			AvailabilityZone: s.AvailabilityZone, Src: src}
		sub.Name, sub.Tags = tags(s.tagged)
		t.Subnets = append(t.Subnets, sub)
	}
}

// vpcRegionsFromSubnets gives a VPC whose region is still unknown the region of its first
// subnet's Availability Zone: a flat snapshot says its region only there.
func (l *loader) vpcRegionsFromSubnets(t *model.Topology) {
	region := make(map[model.VPCID]string)
	for _, s := range t.Subnets {
		if r := regionOfAZ(s.AvailabilityZone); r != "" && region[s.VPC] == "" {
			region[s.VPC] = r
		}
	}
	for _, v := range t.VPCs {
		fill(&v.Region, region[v.ID])
	}
}

// buildRouteTables maps describe-route-tables (§9.3). Associations give Main, the explicit
// subnet associations and the edge associations (§1.1); associations that are disassociated
// or failed are ignored.
func (l *loader) buildRouteTables(t *model.Topology) {
	ids := newSeen("route table", l.routeTables.len())
	for it := range l.routeTables.all() {
		r, src := it.v, it.src
		if !ids.add(&l.probs, r.RouteTableId, "RouteTableId", src) {
			continue
		}
		rt := &model.RouteTable{ID: model.RouteTableID(r.RouteTableId), VPC: model.VPCID(r.VpcId), Src: src}
		rt.Name, rt.Tags = tags(r.tagged)
		for _, a := range r.Associations {
			if a.AssociationState != nil && (a.AssociationState.State == "disassociated" || a.AssociationState.State == "failed") {
				continue
			}
			if a.Main {
				rt.Main = true
			}
			if a.SubnetId != "" {
				rt.Subnets = append(rt.Subnets, model.SubnetID(a.SubnetId))
			}
			if a.GatewayId != "" {
				rt.Gateways = append(rt.Gateways, a.GatewayId)
			}
		}
		for _, p := range r.PropagatingVgws {
			if p.GatewayId != "" {
				rt.PropagatingVGWs = append(rt.PropagatingVGWs, model.VPNGatewayID(p.GatewayId))
			}
		}
		for i, rr := range r.Routes {
			if route, ok := l.route(rr, at(src, ".Routes[%d]", i)); ok {
				rt.Routes = append(rt.Routes, route)
			}
		}
		t.RouteTables = append(t.RouteTables, rt)
	}
}

// route maps one route. It has one destination (IPv4 CIDR or prefix list; IPv6 routes are
// skipped with a warning) and one target. An instance route names both the instance and its
// ENI; the ENI wins, being where AWS actually sends the traffic. Targets vpclab does not
// model become TargetOther, with a warning (the engine drops traffic to them). A missing State
// means active: AWS always prints one.
func (l *loader) route(r awsRoute, src model.Source) (model.Route, bool) {
	out := model.Route{Origin: model.RouteOrigin(r.Origin), State: model.RouteState(r.State), Src: src}
	if out.State == "" {
		out.State = model.RouteActive
	}
	switch {
	case r.DestinationCidrBlock != "" && r.DestinationPrefixListId != "":
		l.probs.Errorf(src, "route has two destinations, %s and %s", r.DestinationCidrBlock, r.DestinationPrefixListId)
		return out, false
	case r.DestinationCidrBlock != "":
		p, ok := l.prefix(r.DestinationCidrBlock, at(src, ".DestinationCidrBlock"))
		if !ok {
			return out, false
		}
		out.Destination = p
	case r.DestinationPrefixListId != "":
		out.DestinationPrefixList = model.PrefixListID(r.DestinationPrefixListId)
	case r.DestinationIpv6CidrBlock != "":
		l.probs.Warnf(src, "route to %s: IPv6 not modelled yet; skipped", r.DestinationIpv6CidrBlock)
		return out, false
	default:
		l.probs.Errorf(src, "route has no destination (DestinationCidrBlock or DestinationPrefixListId)")
		return out, false
	}
	target, ok := l.target(r, src)
	if !ok {
		return out, false
	}
	out.Target = target
	return out, true
}

// target picks the route's target: the first target member set, in the order of model's
// target table, which also gives the kind for that member and ID. Kinds vpclab does not
// model become TargetOther, with a warning.
func (l *loader) target(r awsRoute, src model.Source) (model.Target, bool) {
	v := reflect.ValueOf(&r).Elem()
	for _, m := range routeTargetMembers {
		id := v.Field(m.index).String()
		if id == "" {
			continue
		}
		kind, _ := model.TargetKindOfField(m.name, id)
		if kind == model.TargetOther {
			l.probs.Warnf(at(src, ".%s", m.name), "%s %s: this target is not modelled; traffic to it is dropped", m.name, id)
		}
		return model.Target{Kind: kind, ID: id}, true
	}
	l.probs.Errorf(src, "route has no target")
	return model.Target{}, false
}

// targetMember is a describe-route-tables member that names a route's target, with the
// index of awsRoute's field that holds it.
type targetMember struct {
	name  string
	index int
}

// routeTargetMembers are the members model's target table names, in its reading order.
var routeTargetMembers = func() []targetMember {
	var out []targetMember
	rt := reflect.TypeFor[awsRoute]()
	for _, row := range model.TargetKinds() {
		for _, f := range row.Fields {
			if slices.ContainsFunc(out, func(m targetMember) bool { return m.name == f.Describe }) {
				continue
			}
			sf, ok := rt.FieldByName(f.Describe)
			if !ok || sf.Type.Kind() != reflect.String {
				panic("snapshot: awsRoute has no string field " + f.Describe + ", which model's target table names")
			}
			out = append(out, targetMember{f.Describe, sf.Index[0]})
		}
	}
	return out
}()

// buildPrefixLists maps the prefix lists of describe-prefix-lists (AWS-managed service lists
// with their Cidrs) and of describe-managed-prefix-lists (AWS-managed and customer-managed
// lists, §7.4.9, whose entries come from get-managed-prefix-list-entries, one answer per
// list, the list in the file's name). Both answers are "PrefixLists": a list in both is one
// list. A list without entries matches nothing (fail closed, §7.4.3); IPv6 lists and entries
// are not modelled yet.
func (l *loader) buildPrefixLists(t *model.Topology) {
	entries := map[string][]item[plEntryIn]{}
	for it := range l.plEntries.all() {
		entries[it.v.list] = append(entries[it.v.list], it)
	}
	byID := map[model.PrefixListID]*model.PrefixList{}
	v6 := map[model.PrefixListID]bool{}
	var order []*model.PrefixList
	add := func(pl *model.PrefixList, c string, src model.Source) {
		if q, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil && q.Addr().Is6() {
			l.probs.Warnf(src, "prefix %s: IPv6 not modelled yet; skipped", c)
			return
		}
		if q, ok := l.prefix(c, src); ok && !slices.Contains(pl.CIDRs, q) {
			pl.CIDRs = append(pl.CIDRs, q)
		}
	}
	for it := range l.prefixLists.all() {
		p, src := it.v, it.src
		if p.PrefixListId == "" {
			l.probs.Errorf(src, "a prefix list without a PrefixListId; skipped")
			continue
		}
		id := model.PrefixListID(p.PrefixListId)
		pl := byID[id]
		if pl == nil {
			pl = &model.PrefixList{ID: id, Name: p.PrefixListName, Src: src}
			byID[id] = pl
			order = append(order, pl)
		}
		if pl.Name == "" {
			pl.Name = p.PrefixListName
		}
		if p.AddressFamily == "IPv6" {
			v6[id] = true
		}
		for i, c := range p.Cidrs {
			add(pl, c, at(src, ".Cidrs[%d]", i))
		}
	}
	for _, pl := range order {
		switch {
		case v6[pl.ID]:
			l.probs.Warnf(pl.Src, "prefix list %s is IPv6: not modelled yet; references to it match nothing", pl.ID)
			continue
		case len(pl.CIDRs) == 0:
			for _, e := range entries[string(pl.ID)] {
				add(pl, e.v.entry.Cidr, e.src)
			}
		}
		if len(pl.CIDRs) == 0 { // §7.4.3: fail closed
			l.probs.Warnf(pl.Src, "prefix list %s has no entries in the snapshot (no Cidrs, no get-managed-prefix-list-entries answer); it matches nothing", pl.ID)
		}
		t.PrefixLists = append(t.PrefixLists, pl)
	}
	for list, es := range entries {
		if byID[model.PrefixListID(list)] == nil {
			l.probs.Warnf(es[0].src, "entries of prefix list %s, which no describe-prefix-lists or describe-managed-prefix-lists answer lists; skipped", list)
		}
	}
}
