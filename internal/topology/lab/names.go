package lab

import (
	"net/netip"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// Names: every object is declared under its name before anything refers to it, so a route may
// name a NAT gateway written further down. Names are unique per kind across the lab; the
// same name may be used by objects of different kinds (a route target then needs a kind
// prefix such as nat:x, see target).

// decl is one named object: its name, derived ID, VPC, where it was written, and the model
// object built for it.
type decl struct {
	name   string
	id     string
	line   int
	f      *fields
	vpc    *decl   // nil for VPCs, region-wide objects, or when the VPC is unknown
	subnet *decl   // NAT gateways and ENIs: the subnet they live in
	parts  []*decl // instances: their ENIs in device order
	obj    any
}

func (d *decl) vpcID() model.VPCID {
	if d == nil {
		return ""
	}
	if d.vpc != nil {
		return model.VPCID(d.vpc.id)
	}
	return ""
}

// registry holds the declared objects of one kind.
type registry struct {
	kind   string // as messages say it: "route table"
	prefix string // AWS ID prefix: "rtb"
	seed   string // the kind in ID seeds: "route_table"
	list   []*decl
	byName map[string]*decl
}

func newRegistry(kind, prefix, seed string) *registry {
	return &registry{kind: kind, prefix: prefix, seed: seed, byName: map[string]*decl{}}
}

// deriveID is the stable ID of an object of this kind named name in vpc (nil: region-wide).
func (r *registry) deriveID(name string, vpc *decl) string {
	if vpc != nil {
		return model.DeriveID(r.prefix, vpc.name+"/"+r.seed+"/"+name)
	}
	return model.DeriveID(r.prefix, r.seed+"/"+name)
}

// add declares an object; nil when the name is taken (reported).
func (l *loader) add(r *registry, name string, line int, f *fields, vpc *decl) *decl {
	if first := r.byName[name]; first != nil {
		l.errorf(line, "duplicate %s name %q (first at line %d)", r.kind, name, first.line)
		return nil
	}
	d := &decl{name: name, id: r.deriveID(name, vpc), line: line, f: f, vpc: vpc}
	r.list = append(r.list, d)
	r.byName[name] = d
	return d
}

func (r *registry) names() []string {
	out := make([]string, len(r.list))
	for i, d := range r.list {
		out[i] = d.name
	}
	return out
}

// ref resolves a name of kind r written at n.
func (l *loader) ref(r *registry, n *yaml.Node, what string) *decl {
	s, ok := l.str(n, what)
	if !ok {
		return nil
	}
	if d := r.byName[s]; d != nil {
		return d
	}
	l.errorf(n.Line, "%s: no %s named %q%s", what, r.kind, s, suggest(s, r.names()))
	return nil
}

// refs resolves a list of names.
func (l *loader) refs(r *registry, n *yaml.Node, what string) []*decl {
	var out []*decl
	for _, c := range l.list(n, what) {
		if d := l.ref(r, c, what); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// vpcOf is the VPC an object names with `vpc:`, or the lab's only VPC.
func (l *loader) vpcOf(f *fields, line int) *decl {
	if n := f.get("vpc"); n != nil {
		return l.ref(l.vpcs, n, f.what+": vpc")
	}
	switch len(l.vpcs.list) {
	case 0:
		return nil // the missing VPC is reported once, at the top
	case 1:
		return l.vpcs.list[0]
	}
	l.errorf(line, "%s: the lab has several VPCs; say which with vpc: (one of %s)", f.what, strings.Join(l.vpcs.names(), ", "))
	return nil
}

// awsID matches IDs written as such (§9.1): 8 or 17 hex characters after the prefix.
var awsID = regexp.MustCompile(`^([a-z]+)-([0-9a-f]{8}|[0-9a-f]{17})$`)

// defaultSG is the ID ApplyDefaults gives a VPC's default security group.
func defaultSG(vpc *decl) string {
	return model.DeriveID("sg", vpc.id+"/default")
}

// sgRef resolves a security group name: a declared group, "default" (the default group of
// vpc, §4.1.7), or an sg- ID.
func (l *loader) sgRef(n *yaml.Node, what string, vpc *decl) (model.SecurityGroupID, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return "", false
	}
	switch m := awsID.FindStringSubmatch(s); {
	case s == "default" && vpc != nil:
		return model.SecurityGroupID(defaultSG(vpc)), true
	case s == "default":
		return "", false // the VPC is unknown: that is reported already
	case l.sgs.byName[s] != nil:
		return model.SecurityGroupID(l.sgs.byName[s].id), true
	case m != nil && m[1] == "sg":
		return model.SecurityGroupID(s), true
	}
	l.errorf(n.Line, "%s: no security group named %q%s", what, s, suggest(s, append(l.sgs.names(), "default")))
	return "", false
}

// prefixListRef resolves a prefix list name or pl- ID; ok=false without a report when s is
// neither, so callers can say what else they accept.
func (l *loader) prefixListRef(s string) (model.PrefixListID, bool) {
	if d := l.prefixLists.byName[s]; d != nil {
		return model.PrefixListID(d.id), true
	}
	if m := awsID.FindStringSubmatch(s); m != nil && m[1] == "pl" {
		return model.PrefixListID(s), true
	}
	return "", false
}

// targetKind is one kind of object a route may name as its target.
type targetKind struct {
	prefix string // kind prefix in the lab (nat:x) and AWS ID prefix
	kind   model.TargetKind
	reg    func(*loader) *registry
	global bool // declared outside any VPC: its ID does not depend on the table's VPC
}

var targetKinds = []targetKind{
	{"nat", model.TargetNATGateway, func(l *loader) *registry { return l.nats }, false},
	{"igw", model.TargetInternetGateway, func(l *loader) *registry { return l.igws }, false},
	{"vgw", model.TargetVPNGateway, func(l *loader) *registry { return l.vgws }, false},
	{"instance", model.TargetInstance, func(l *loader) *registry { return l.instances }, false},
	{"eni", model.TargetNetworkInterface, func(l *loader) *registry { return l.enis }, false},
	{"pcx", model.TargetPeering, func(l *loader) *registry { return l.peerings }, true},
	{"tgw", model.TargetTransitGateway, func(l *loader) *registry { return l.tgws }, true},
	{"vpce", model.TargetVPCEndpoint, func(l *loader) *registry { return l.vpces }, false},
	{"firewall", model.TargetVPCEndpoint, func(l *loader) *registry { return l.fwEndpoints }, false},
}

const targetKindsText = "NAT gateway, internet gateway, VPN gateway, instance, ENI, peering, transit gateway, VPC endpoint or firewall endpoint (firewall:NAME/AZ)"

// target resolves a route target as written: local; a name of a NAT gateway, internet
// gateway, VPN gateway, instance, ENI, peering, transit gateway or VPC endpoint; the same with
// a kind prefix (nat:x, igw:x, vgw:x, instance:x, eni:x, pcx:x, tgw:x, vpce:x) when a name is ambiguous,
// or a firewall's endpoint (firewall:fw, firewall:fw/us-east-1a, firewall:fw/SUBNET, §14.3); or
// an AWS ID. A blackhole route (§1.2.6) may name with a kind prefix an object that no longer
// exists: its ID is derived as if it did.
func (l *loader) target(s string, line int, where string, rt *decl, blackhole bool) (model.Target, bool) {
	if s == "local" {
		return model.Target{Kind: model.TargetLocal, ID: "local"}, true
	}
	if i := strings.Index(s, ":"); i > 0 {
		for _, k := range targetKinds {
			if s[:i] != k.prefix {
				continue
			}
			r, name := k.reg(l), s[i+1:]
			if d := r.byName[name]; d != nil {
				return model.Target{Kind: k.kind, ID: d.id}, true
			}
			if blackhole {
				scope := rt.vpc
				if k.global {
					scope = nil
				}
				return model.Target{Kind: k.kind, ID: r.deriveID(name, scope)}, true
			}
			l.errorf(line, "%s: no %s named %q%s", where, r.kind, name, suggest(name, r.names()))
			return model.Target{}, false
		}
	}
	// An AWS ID of any kind model's table knows. Those the lab cannot declare (endpoints,
	// local gateways, ...) are accepted; the engine fails closed on them and Validate warns.
	if awsID.MatchString(s) {
		if k, ok := model.TargetKindOfID(s); ok {
			return model.Target{Kind: k, ID: s}, true
		}
	}
	var found []model.Target
	var kinds, all []string
	for _, k := range targetKinds {
		r := k.reg(l)
		if d := r.byName[s]; d != nil {
			found = append(found, model.Target{Kind: k.kind, ID: d.id})
			kinds = append(kinds, k.prefix+":"+s)
		}
		all = append(all, r.names()...)
	}
	switch len(found) {
	case 1:
		return found[0], true
	case 0:
		hint := suggest(s, append(all, "local"))
		if blackhole {
			hint += "; a blackhole route to something deleted names its kind: blackhole:nat:" + s + " (or igw:, vgw:, instance:, eni:, pcx:, tgw:)"
		}
		l.errorf(line, "%s: no %s named %q%s", where, targetKindsText, s, hint)
	default:
		l.errorf(line, "%s: %q names more than one object; write one of %s", where, s, strings.Join(kinds, ", "))
	}
	return model.Target{}, false
}

// host registers the name of something commands address by name (an instance, an internet or
// on-premises host): these share one namespace.
func (l *loader) host(name string, line int) {
	if first, dup := l.hosts[name]; dup {
		l.errorf(line, "the name %q is already used at line %d (instances, internet hosts and on-premises hosts share one namespace)", name, first)
		return
	}
	l.hosts[name] = line
}

// publicAddr reads an address that must be public (an Elastic IP or public IPv4).
func (l *loader) publicAddr(n *yaml.Node, what string) (netip.Addr, bool) {
	a, ok := l.addr(n, what)
	if ok && (a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() || !a.Is4()) {
		l.errorf(n.Line, "%s: %s is not a public IPv4 address", what, a)
		return netip.Addr{}, false
	}
	return a, ok
}
