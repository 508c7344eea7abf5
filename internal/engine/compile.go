package engine

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/gaissmai/bart"

	"github.com/vpclab/vpclab/internal/model"
)

// Network is the compiled, immutable evaluation form of a topology: an LPM table per route
// table, rule lists that keep their source rule IDs, and address indexes. It is safe for
// concurrent use by any number of Send calls, each with its own State.
type Network struct {
	Topology *model.Topology

	vpcs        map[model.VPCID]*cVPC
	subnets     map[model.SubnetID]*cSubnet
	enis        map[model.ENIID]*cENI
	nats        map[model.NATGatewayID]*cNAT
	sgs         map[model.SecurityGroupID]*cSG
	routeTables map[model.RouteTableID]*cRouteTable
	igws        map[model.InternetGatewayID]*model.InternetGateway
	vgws        map[model.VPNGatewayID]*cVGW
	instances   map[model.InstanceID]*model.Instance
	// public is the IGW's 1:1 NAT table (§3.1): public IPv4 → the ENI and private IP it maps.
	public map[netip.Addr]publicMapping
	// vpcOfCIDR finds the VPCs whose CIDRs contain an address (for packets from outside).
	vpcOfCIDR bart.Table[*cVPC]
	// onPrem finds the declared on-premises network of an address beyond a VGW.
	onPrem bart.Table[*model.OnPremNetwork]
}

type publicMapping struct {
	eni     *cENI
	private netip.Addr
}

type cVPC struct {
	m       *model.VPC
	igw     *model.InternetGateway    // attached IGW, or nil
	vgw     *cVGW                     // attached VGW, or nil
	byIP    map[netip.Addr]*cENI      // private IPv4 → ENI
	pub     map[netip.Addr]netip.Addr // private IPv4 → its public IPv4 or EIP (§3.1)
	cidrs   []netip.Prefix
	edgeIGW *cRouteTable // gateway route table of the IGW (§1.3), or nil
	edgeVGW *cRouteTable
	comp    Component
}

func (v *cVPC) contains(a netip.Addr) bool {
	for _, c := range v.cidrs {
		if c.Contains(a) {
			return true
		}
	}
	return false
}

type cSubnet struct {
	m   *model.Subnet
	vpc *cVPC
	rt  *cRouteTable
	acl *cACL
}

type cENI struct {
	m        *model.NetworkInterface
	subnet   *cSubnet
	sgs      []*cSG
	nat      *cNAT // set for a NAT gateway's ENI
	instance *model.Instance
	comp     Component
}

func (e *cENI) has(a netip.Addr) bool {
	for _, p := range e.m.PrivateIPs {
		if p.Addr == a {
			return true
		}
	}
	return false
}

type cNAT struct {
	m       *model.NATGateway
	subnet  *cSubnet
	primary netip.Addr
	addrs   []netip.Addr // primary first
	comp    Component
}

func (n *cNAT) has(a netip.Addr) bool {
	for _, ad := range n.m.Addresses {
		if ad.PrivateIP == a {
			return true
		}
	}
	return false
}

type cVGW struct {
	m     *model.VPNGateway
	known bart.Table[struct{}] // prefixes beyond the VGW it forwards to (§7.3.2)
	comp  Component
}

// Route priorities for equal prefixes (§1.2.2): lower wins.
const (
	prioStatic = iota
	prioPrefixList
	prioPropagated
)

type cRoute struct {
	ref    RouteRef
	target model.Target
	state  model.RouteState
	prio   int
	order  int // input order, the last tie-break (§1.2.3: deterministic stand-in for AWS's pick)
}

type cRouteTable struct {
	m    *model.RouteTable
	vpc  *cVPC
	lpm  bart.Table[*cRoute]
	comp Component
}

// Compile turns a topology into its evaluation form. The topology should have been through
// model.ApplyDefaults. Problems are warnings about things the engine does not model; a packet
// that meets one is dropped with an explanation naming it (fail closed).
func Compile(t *model.Topology) (*Network, model.Problems) {
	var probs model.Problems
	n := &Network{
		Topology:    t,
		vpcs:        make(map[model.VPCID]*cVPC, len(t.VPCs)),
		subnets:     make(map[model.SubnetID]*cSubnet, len(t.Subnets)),
		enis:        make(map[model.ENIID]*cENI, len(t.NetworkInterfaces)),
		nats:        make(map[model.NATGatewayID]*cNAT, len(t.NATGateways)),
		sgs:         make(map[model.SecurityGroupID]*cSG, len(t.SecurityGroups)),
		routeTables: make(map[model.RouteTableID]*cRouteTable, len(t.RouteTables)),
		igws:        map[model.InternetGatewayID]*model.InternetGateway{},
		vgws:        map[model.VPNGatewayID]*cVGW{},
		instances:   make(map[model.InstanceID]*model.Instance, len(t.Instances)),
		public:      map[netip.Addr]publicMapping{},
	}
	for _, v := range t.VPCs {
		cv := &cVPC{m: v, byIP: map[netip.Addr]*cENI{}, pub: map[netip.Addr]netip.Addr{}, cidrs: v.CIDRs,
			comp: Component{Kind: "vpc", ID: string(v.ID), Name: v.Name}}
		n.vpcs[v.ID] = cv
		for _, c := range v.CIDRs {
			n.vpcOfCIDR.Insert(c, cv)
		}
	}
	for _, g := range t.InternetGateways {
		n.igws[g.ID] = g
		if v := n.vpcs[g.VPC]; v != nil && v.igw == nil {
			v.igw = g
		}
	}
	n.compileVGWs(t)
	for _, in := range t.Instances {
		n.instances[in.ID] = in
	}
	n.compileRouteTables(t, &probs)
	n.compileSubnets(t)
	n.compileSGs(t, &probs)
	n.compileENIs(t, &probs)
	n.compileNATs(t)
	n.compileGroupMembers()
	return n, probs
}

func comp(kind, id, name string) Component { return Component{Kind: kind, ID: id, Name: name} }

func (n *Network) compileVGWs(t *model.Topology) {
	for _, g := range t.VPNGateways {
		cg := &cVGW{m: g, comp: comp(KindVPNGateway, string(g.ID), g.Name)}
		n.vgws[g.ID] = cg
		if v := n.vpcs[g.VPC]; v != nil && v.vgw == nil {
			v.vgw = cg
		}
	}
	for _, c := range t.VPNConnections {
		if g := n.vgws[c.VPNGateway]; g != nil && (c.State == "" || c.State == "available") {
			for _, p := range c.StaticRoutes {
				g.known.Insert(p, struct{}{})
			}
		}
	}
	for _, o := range t.OnPremises {
		for _, p := range o.CIDRs {
			n.onPrem.Insert(p, o)
		}
		if g := n.vgws[o.VPNGateway]; g != nil {
			for _, p := range o.CIDRs {
				g.known.Insert(p, struct{}{})
			}
		}
	}
}

func (n *Network) compileRouteTables(t *model.Topology, probs *model.Problems) {
	pls := map[model.PrefixListID]*model.PrefixList{}
	for _, pl := range t.PrefixLists {
		pls[pl.ID] = pl
	}
	for _, rt := range t.RouteTables {
		crt := &cRouteTable{m: rt, vpc: n.vpcs[rt.VPC], comp: comp(KindRouteTable, string(rt.ID), rt.Name)}
		n.routeTables[rt.ID] = crt
		var routes []*cRoute
		add := func(p netip.Prefix, r *cRoute) {
			if !p.IsValid() || !p.Addr().Is4() {
				return
			}
			routes = append(routes, r)
			prev, ok := crt.lpm.Get(p)
			if !ok || better(r, prev) {
				crt.lpm.Insert(p, r)
			}
		}
		for i, r := range rt.Routes {
			cr := &cRoute{
				ref:    RouteRef{Destination: r.DestinationString(), Target: r.Target, Origin: r.Origin, State: r.State},
				target: r.Target, state: r.State, order: i,
			}
			if cr.state == "" {
				cr.state = model.RouteActive
			}
			switch {
			case r.Origin == model.OriginEnableVgwRoutePropagation:
				cr.prio = prioPropagated
			case r.DestinationPrefixList != "":
				cr.prio = prioPrefixList
			}
			if r.Target.Kind == model.TargetOther {
				probs.Warnf(r.Src, "route %s in %s: target %q is not modelled; packets that match it are dropped (%s)",
					r.DestinationString(), rt.ID, r.Target.ID, CodeUnsupportedComponent)
			}
			if r.DestinationPrefixList != "" {
				pl := pls[r.DestinationPrefixList]
				if pl == nil {
					probs.Warnf(r.Src, "route to prefix list %s in %s: the prefix list is not in the topology; the route matches nothing",
						r.DestinationPrefixList, rt.ID)
					continue
				}
				for _, p := range pl.CIDRs {
					add(p, cr)
				}
				continue
			}
			add(r.Destination, cr)
		}
		// §1.4.1: a table propagating a VGW gets its VPN static routes and the on-premises
		// prefixes the lab declares behind it, with Origin EnableVgwRoutePropagation.
		for _, vgwID := range rt.PropagatingVGWs {
			g := n.vgws[vgwID]
			if g == nil {
				continue
			}
			for p := range g.known.All4() {
				add(p, &cRoute{
					ref: RouteRef{Destination: p.String(), Target: model.Target{Kind: model.TargetVPNGateway, ID: string(vgwID)},
						Origin: model.OriginEnableVgwRoutePropagation, State: model.RouteActive},
					target: model.Target{Kind: model.TargetVPNGateway, ID: string(vgwID)},
					state:  model.RouteActive, prio: prioPropagated, order: len(rt.Routes) + len(routes),
				})
			}
		}
		for _, gw := range rt.Gateways {
			if v := crt.vpc; v != nil {
				if v.igw != nil && gw == string(v.igw.ID) {
					v.edgeIGW = crt
				}
				if v.vgw != nil && gw == string(v.vgw.m.ID) {
					v.edgeVGW = crt
				}
			}
		}
	}
}

// better reports whether route a beats route b for the same prefix (§1.2.2).
func better(a, b *cRoute) bool {
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.order < b.order
}

func (n *Network) compileSubnets(t *model.Topology) {
	mainRT := make(map[model.VPCID]*cRouteTable, len(t.VPCs))
	rtOf := make(map[model.SubnetID]*cRouteTable, len(t.Subnets))
	for _, rt := range t.RouteTables {
		crt := n.routeTables[rt.ID]
		if rt.Main {
			mainRT[rt.VPC] = crt
		}
		for _, s := range rt.Subnets {
			rtOf[s] = crt
		}
	}
	defACL := make(map[model.VPCID]*cACL, len(t.VPCs))
	aclOf := make(map[model.SubnetID]*cACL, len(t.Subnets))
	for _, a := range t.NetworkACLs {
		ca := compileACL(a)
		if a.Default {
			defACL[a.VPC] = ca
		}
		for _, s := range a.Subnets {
			aclOf[s] = ca
		}
	}
	for _, s := range t.Subnets {
		cs := &cSubnet{m: s, vpc: n.vpcs[s.VPC], rt: rtOf[s.ID], acl: aclOf[s.ID]}
		if cs.rt == nil {
			cs.rt = mainRT[s.VPC]
		}
		if cs.acl == nil {
			cs.acl = defACL[s.VPC]
		}
		n.subnets[s.ID] = cs
	}
}

func (n *Network) compileENIs(t *model.Topology, probs *model.Problems) {
	for _, e := range t.NetworkInterfaces {
		ce := &cENI{m: e, subnet: n.subnets[e.Subnet], instance: n.instances[e.Instance],
			comp: comp(KindENI, string(e.ID), e.Name)}
		for _, id := range e.SecurityGroups {
			if g := n.sgs[id]; g != nil {
				ce.sgs = append(ce.sgs, g)
			} else {
				probs.Warnf(e.Src, "%s: security group %s is not in the topology; it allows nothing", e.ID, id)
			}
		}
		n.enis[e.ID] = ce
		v := n.vpcs[e.VPC]
		if v == nil && ce.subnet != nil {
			v = ce.subnet.vpc
		}
		if v == nil {
			continue
		}
		for _, p := range e.PrivateIPs {
			if _, dup := v.byIP[p.Addr]; !dup {
				v.byIP[p.Addr] = ce
			}
			if p.PublicIP.IsValid() {
				n.public[p.PublicIP] = publicMapping{eni: ce, private: p.Addr}
				v.pub[p.Addr] = p.PublicIP
			}
		}
	}
	for _, in := range t.Instances {
		for _, id := range in.ENIs {
			if e := n.enis[id]; e != nil && e.instance == nil {
				e.instance = in
			}
		}
	}
}

func (n *Network) compileNATs(t *model.Topology) {
	for _, ng := range t.NATGateways {
		cn := &cNAT{m: ng, subnet: n.subnets[ng.Subnet], comp: comp(KindNATGateway, string(ng.ID), ng.Name)}
		if len(ng.Addresses) > 0 {
			cn.primary = ng.Addresses[0].PrivateIP
			for _, a := range ng.Addresses {
				if a.Primary {
					cn.primary = a.PrivateIP
					break
				}
			}
		}
		n.nats[ng.ID] = cn
		v := n.vpcs[ng.VPC]
		for _, a := range ng.Addresses {
			e := n.enis[a.ENI]
			if e == nil && v != nil {
				e = v.byIP[a.PrivateIP]
			}
			if e != nil {
				e.nat = cn
			}
			if a.PublicIP.IsValid() && e != nil {
				n.public[a.PublicIP] = publicMapping{eni: e, private: a.PrivateIP}
				if v != nil {
					v.pub[a.PrivateIP] = a.PublicIP
				}
			}
			if a.PrivateIP == cn.primary {
				cn.addrs = append([]netip.Addr{a.PrivateIP}, cn.addrs...)
			} else {
				cn.addrs = append(cn.addrs, a.PrivateIP)
			}
		}
	}
}

// ENIComponent describes an ENI for frontends (trace output, captures).
func (n *Network) ENIComponent(id model.ENIID) (Component, bool) {
	e := n.enis[id]
	if e == nil {
		return Component{}, false
	}
	return e.comp, true
}

// ENIByIP finds the ENI holding a private IPv4 address, searching every VPC in a fixed order.
func (n *Network) ENIByIP(a netip.Addr) (model.ENIID, bool) {
	ids := make([]model.VPCID, 0, len(n.vpcs))
	for id := range n.vpcs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if e := n.vpcs[id].byIP[a]; e != nil {
			return e.m.ID, true
		}
	}
	return "", false
}

// PublicMapping returns the private IP and ENI a public IPv4 maps to at the IGW.
func (n *Network) PublicMapping(pub netip.Addr) (model.ENIID, netip.Addr, bool) {
	m, ok := n.public[pub]
	if !ok {
		return "", netip.Addr{}, false
	}
	return m.eni.m.ID, m.private, true
}

// NATGatewayOfENI returns the NAT gateway an ENI belongs to.
func (n *Network) NATGatewayOfENI(id model.ENIID) (model.NATGatewayID, bool) {
	if e := n.enis[id]; e != nil && e.nat != nil {
		return e.nat.m.ID, true
	}
	return "", false
}

func (c Component) String() string {
	if c.Name != "" && c.Name != c.ID {
		return fmt.Sprintf("%s (%s)", c.ID, c.Name)
	}
	return c.ID
}
