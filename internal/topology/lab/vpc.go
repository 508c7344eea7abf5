package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// VPCs, internet gateways, subnets and route tables.
//
//	vpc:  {name: osaka, cidr: 10.0.0.0/16, internet_gateway: igw}     # one VPC
//	vpcs: {a: {cidrs: [10.0.0.0/16, 10.1.0.0/16]}, b: {cidr: ...}}   # or several
//	region: us-east-1          # at the top: the default region and account of VPCs,
//	account: "111111111111"    # transit gateways and DX gateways; each may say its own
//	internet_gateways: {spare: {vpc: a, attached: false}}
//	subnets: {src: {cidr: 10.0.0.0/24, az: ap-northeast-3a, route_table: src-rt, network_acl: strict}}
//	main_route_table: {routes: {0.0.0.0/0: igw}}                      # edit the main table
//	route_tables:
//	  src-rt:
//	    main: false          # true makes this table the VPC's main table (§1.1.1)
//	    subnets: [src]       # associations, as well as (or instead of) subnet.route_table
//	    gateways: [igw]      # edge association (§1.1.4)
//	    propagate: [vgw]     # route propagation (§1.4)
//	    routes:
//	      10.0.1.0/24: osaka-NAT               # NAT gateway, IGW, VGW, instance, ENI, peering or
//	      10.9.0.0/16: tgw:hub                 # transit gateway name; a kind prefix if ambiguous
//	      0.0.0.0/0: igw
//	      192.168.0.0/16: blackhole:nat:gone   # a blackhole route (§1.2.6)
//	      s3: vpce-0123456789abcdef0           # a prefix-list destination by name or pl- ID
//	      10.0.9.0/24: {target: fw, state: blackhole}

var (
	vpcKeys            = []string{"name", "cidr", "cidrs", "region", "account", "internet_gateway", "tags"}
	vpcsKeys           = vpcKeys[1:]
	internetGatewayKey = []string{"vpc", "attached", "tags"}
	subnetKeys         = []string{"vpc", "cidr", "az", "route_table", "network_acl", "tags"}
	routeTableKeys     = []string{"vpc", "main", "routes", "propagate", "subnets", "gateways", "tags"}
	mainRouteTableKeys = []string{"vpc", "name", "routes", "propagate", "subnets", "tags"}
	routeKeys          = []string{"target", "state"}
)

func (l *loader) declareVPCs() {
	one, many := l.top.vals["vpc"], l.top.vals["vpcs"]
	switch {
	case l.top.has("vpc") && l.top.has("vpcs"):
		l.errorf(l.top.keyLine("vpcs"), "write vpc (one VPC) or vpcs (several), not both")
	case !l.top.has("vpc") && !l.top.has("vpcs"):
		l.errorf(max(l.top.line, 1), "the lab has no VPC; add vpc: {name: ..., cidr: ...}")
	}
	if l.top.has("vpc") {
		f := l.mapping(one, "vpc", vpcKeys)
		name := "vpc"
		if s, ok := l.str(f.get("name"), "vpc: name"); ok && s != "" {
			name = s
		}
		f.what = "VPC " + name
		l.addVPC(name, l.top.keyLine("vpc"), f)
		return
	}
	for _, e := range l.entries(many, "VPC") {
		l.addVPC(e.name, e.line, l.mapping(e.val, "VPC "+e.name, vpcsKeys))
	}
}

func (l *loader) addVPC(name string, line int, f *fields) {
	d := l.add(l.vpcs, name, line, f, nil)
	if d == nil {
		return
	}
	v := &model.VPC{ID: model.VPCID(d.id), Name: name, CIDRs: l.cidrs(f), Tags: l.tags(f, name), Src: l.src(line)}
	v.Region, v.Account = l.placeOf(f)
	if !f.has("cidrs") {
		l.need(f, "cidr", line, "a cidr")
	}
	d.obj = v
	l.t.VPCs = append(l.t.VPCs, v)
	// internet_gateway: true (named <vpc>-igw) | false | <name>
	n := f.get("internet_gateway")
	s, ok := l.str(n, f.what+": internet_gateway")
	if !ok || s == "false" {
		return
	}
	if s == "true" {
		s = name + "-igw"
	}
	if g := l.add(l.igws, s, n.Line, f, d); g != nil {
		g.obj = l.addIGW(g, d, true, nil)
	}
}

func (l *loader) addIGW(g, vpc *decl, attached bool, f *fields) *model.InternetGateway {
	igw := &model.InternetGateway{ID: model.InternetGatewayID(g.id), Name: g.name, Src: l.src(g.line)}
	if attached {
		igw.VPC = vpc.vpcIDSelf()
	}
	igw.Tags = []model.Tag{{Key: "Name", Value: g.name}}
	if f != nil {
		igw.Tags = l.tags(f, g.name)
	}
	l.t.InternetGateways = append(l.t.InternetGateways, igw)
	return igw
}

// vpcIDSelf is the ID of a VPC declaration ("" for nil).
func (d *decl) vpcIDSelf() model.VPCID {
	if d == nil {
		return ""
	}
	return model.VPCID(d.id)
}

func (l *loader) declareInternetGateways() {
	for _, e := range l.entries(l.top.get("internet_gateways"), "internet gateway") {
		f := l.mapping(e.val, "internet gateway "+e.name, internetGatewayKey)
		vpc := l.vpcOf(f, e.line)
		attached := true
		if b, ok := l.boolean(f.get("attached"), f.what+": attached"); ok {
			attached = b
		}
		if g := l.add(l.igws, e.name, e.line, f, vpc); g != nil {
			g.obj = l.addIGW(g, vpc, attached, f)
		}
	}
}

func (l *loader) declareSubnets() {
	for _, e := range l.entries(l.top.get("subnets"), "subnet") {
		f := l.mapping(e.val, "subnet "+e.name, subnetKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.subnets, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		s := &model.Subnet{ID: model.SubnetID(d.id), VPC: vpc.vpcIDSelf(), Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		if p, ok := l.cidr(f.get("cidr"), f.what); ok {
			s.CIDR = p
		} else {
			l.need(f, "cidr", e.line, "a cidr")
		}
		s.AvailabilityZone, _ = l.str(f.get("az"), f.what+": az")
		d.obj = s
		l.t.Subnets = append(l.t.Subnets, s)
	}
}

// fillSubnets makes the associations a subnet names (§1.1.3, §5.3).
func (l *loader) fillSubnets() {
	for _, d := range l.subnets.list {
		id := model.SubnetID(d.id)
		if rt := l.ref(l.routeTables, d.f.get("route_table"), d.f.what+": route_table"); rt != nil {
			t := rt.obj.(*model.RouteTable)
			if !hasSubnet(t.Subnets, id) {
				t.Subnets = append(t.Subnets, id)
			}
		}
		if a := l.ref(l.nacls, d.f.get("network_acl"), d.f.what+": network_acl"); a != nil {
			acl := a.obj.(*model.NetworkACL)
			if !hasSubnet(acl.Subnets, id) {
				acl.Subnets = append(acl.Subnets, id)
			}
		}
	}
}

func hasSubnet(ids []model.SubnetID, id model.SubnetID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (l *loader) declareRouteTables() {
	if l.top.has("main_route_table") {
		line := l.top.keyLine("main_route_table")
		f := l.mapping(l.top.vals["main_route_table"], "main_route_table", mainRouteTableKeys)
		if vpc := l.vpcOf(f, line); vpc != nil {
			name := vpc.name + "-main"
			if s, ok := l.str(f.get("name"), f.what+": name"); ok && s != "" {
				name = s
			}
			f.what = "route table " + name
			if d := l.add(l.routeTables, name, line, f, vpc); d != nil {
				d.id = model.DeriveID("rtb", vpc.id+"/main") // the ID ApplyDefaults would give it
				l.addRouteTable(d, true)
			}
		}
	}
	for _, e := range l.entries(l.top.get("route_tables"), "route table") {
		f := l.mapping(e.val, "route table "+e.name, routeTableKeys)
		vpc := l.vpcOf(f, e.line)
		main, _ := l.boolean(f.get("main"), f.what+": main")
		if d := l.add(l.routeTables, e.name, e.line, f, vpc); d != nil {
			l.addRouteTable(d, main)
		}
	}
}

func (l *loader) addRouteTable(d *decl, main bool) {
	rt := &model.RouteTable{ID: model.RouteTableID(d.id), VPC: d.vpcID(), Name: d.name, Main: main,
		Tags: l.tags(d.f, d.name), Src: l.src(d.line)}
	d.obj = rt
	l.t.RouteTables = append(l.t.RouteTables, rt)
}

func (l *loader) fillRouteTables() {
	for _, d := range l.routeTables.list {
		rt := d.obj.(*model.RouteTable)
		for _, s := range l.refs(l.subnets, d.f.get("subnets"), d.f.what+": subnets") {
			if !hasSubnet(rt.Subnets, model.SubnetID(s.id)) {
				rt.Subnets = append(rt.Subnets, model.SubnetID(s.id))
			}
		}
		for _, g := range l.list(d.f.get("gateways"), d.f.what+": gateways") {
			name, ok := l.str(g, d.f.what+": gateways")
			switch {
			case !ok:
			case l.igws.byName[name] != nil:
				rt.Gateways = append(rt.Gateways, l.igws.byName[name].id)
			case l.vgws.byName[name] != nil:
				rt.Gateways = append(rt.Gateways, l.vgws.byName[name].id)
			default:
				l.errorf(g.Line, "%s: gateways: no internet gateway or VPN gateway named %q%s", d.f.what, name,
					suggest(name, append(l.igws.names(), l.vgws.names()...)))
			}
		}
		for _, g := range l.refs(l.vgws, d.f.get("propagate"), d.f.what+": propagate") {
			rt.PropagatingVGWs = append(rt.PropagatingVGWs, model.VPNGatewayID(g.id))
		}
		l.routes(d, rt)
	}
}

// routeEntry is one `DESTINATION: TARGET` of a routes mapping, its destination read: a
// CIDR (dest) or a prefix list (pl).
type routeEntry struct {
	where    string // "route 10.0.0.0/16 in rt", for messages
	key, val *yaml.Node
	dest     netip.Prefix
	pl       model.PrefixListID
}

// routeEntries reads `routes: {DESTINATION: TARGET}` in input order, each destination once:
// a CIDR, a prefix list name or a pl- ID. What is wrong is reported and left out. where
// names a route by its destination; example is a route of the table's kind.
func (l *loader) routeEntries(d *decl, where func(dest string) string, example string) []routeEntry {
	n := d.f.get("routes")
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "%s: routes: want a mapping of destinations to targets such as %s, got %s", d.f.what, example, describe(n))
		return nil
	}
	var out []routeEntry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		dest, ok := l.str(k, d.f.what+": route destination")
		if !ok {
			if k != nil && isNull(k) {
				l.errorf(k.Line, "%s: a route needs a destination", d.f.what)
			}
			continue
		}
		e := routeEntry{where: where(dest), key: k, val: v}
		if first, dup := seen[dest]; dup {
			l.errorf(k.Line, "%s: written twice (first at line %d)", e.where, first)
			continue
		}
		seen[dest] = k.Line
		if p, err := parseCIDR(dest); err == "" {
			e.dest = p
		} else if pl, ok := l.prefixListRef(dest); ok {
			e.pl = pl
		} else {
			if strings.ContainsAny(dest, "./:") {
				err = fmt.Sprintf("bad CIDR %q: %s", dest, err)
			} else {
				err = fmt.Sprintf("%q is neither a CIDR nor a prefix list%s", dest, suggest(dest, l.prefixLists.names()))
			}
			l.errorf(k.Line, "%s: %s", e.where, err)
			continue
		}
		out = append(out, e)
	}
	return out
}

// routes reads a subnet route table's routes (routeEntries). TARGET is a target as target()
// reads it, optionally prefixed "blackhole:", or a mapping {target: ..., state:
// active|blackhole}.
func (l *loader) routes(d *decl, rt *model.RouteTable) {
	where := func(dest string) string { return fmt.Sprintf("route %s in %s", dest, d.name) }
	for _, e := range l.routeEntries(d, where, "{0.0.0.0/0: igw}") {
		k, v, where := e.key, e.val, e.where
		r := model.Route{Destination: e.dest, DestinationPrefixList: e.pl, Origin: model.OriginCreateRoute,
			State: model.RouteActive, Src: l.src(k.Line)}
		tn := v
		if v != nil && v.Kind == yaml.MappingNode {
			tf := l.mapping(v, where, routeKeys)
			if st, ok := l.oneOf(tf.get("state"), where+": state", "active", "blackhole"); ok {
				r.State = model.RouteState(st)
			}
			if tn = tf.get("target"); tn == nil {
				l.errorf(v.Line, "%s: needs a target", where)
				continue
			}
		}
		s, ok := l.str(tn, where+": target")
		if !ok {
			if isNull(tn) {
				l.errorf(k.Line, "%s: needs a target", where)
			}
			continue
		}
		if rest, cut := strings.CutPrefix(s, "blackhole:"); cut {
			s, r.State = rest, model.RouteBlackhole
		}
		if r.Target, ok = l.target(s, tn.Line, where, d, r.State == model.RouteBlackhole); !ok {
			continue
		}
		if r.Target.Kind == model.TargetLocal && d.vpc != nil {
			for _, c := range d.vpc.obj.(*model.VPC).CIDRs {
				if c == r.Destination {
					r.Origin = model.OriginCreateRouteTable
				}
			}
		}
		rt.Routes = append(rt.Routes, r)
	}
}
