package engine

import (
	"fmt"
	"net/netip"
	"sort"
	"sync"

	"github.com/gaissmai/bart"

	"github.com/vpclab/vpclab/internal/model"
)

// Network is the compiled, immutable evaluation form of a topology: an LPM table per route
// table whose routes point at compiled nodes, rule lists that keep their source rule IDs, and
// address indexes. It is safe for concurrent use by any number of Send calls, each with its
// own State.
type Network struct {
	Topology *model.Topology

	vpcs        map[model.VPCID]*cVPC
	subnets     map[model.SubnetID]*cSubnet
	enis        map[model.ENIID]*cENI
	nats        map[model.NATGatewayID]*cNAT
	sgs         map[model.SecurityGroupID]*cSG
	acls        map[model.NetworkACLID]*cACL
	routeTables map[model.RouteTableID]*cRouteTable
	igws        map[model.InternetGatewayID]*cIGW
	vgws        map[model.VPNGatewayID]*cVGW
	instances   map[model.InstanceID]*model.Instance
	peerings    map[model.PeeringID]*cPeering
	tgws        map[model.TransitGatewayID]*cTGW
	tgwAtts     map[model.TGWAttachmentID]*cTGWAttach
	dxgws       map[model.DXGatewayID]*cDXGW
	vpces       map[model.VPCEndpointID]*cVPCE
	gwlbes      map[model.VPCEndpointID]*cGWLBE // GWLB endpoints (gwlb.go)
	gwlbs       []*cGWLB
	lbs         []*cLB                               // Application and Network Load Balancers (lb.go)
	fwEndpoints map[model.VPCEndpointID]*cFWEndpoint // Network Firewall endpoints (nfw.go)
	tgwParts    map[string]tgwPart                   // component ID → its transit gateway (TransitGatewayOf)
	// addrAZ is the Availability Zone of each private address, made on first use by a
	// transit gateway in appliance mode (azOf).
	azOnce sync.Once
	addrAZ map[netip.Addr]string
	// vpcOrder is every VPC in ID order, made on first use (ENIByIP).
	vpcOnce  sync.Once
	vpcOrder []*cVPC
	// public is the IGW's 1:1 NAT table (§3.1): public IPv4 → the ENI and private IP it maps.
	public map[netip.Addr]publicMapping
	// onPrem finds the declared on-premises network of an address beyond a VGW.
	onPrem bart.Table[*model.OnPremNetwork]
}

type publicMapping struct {
	eni     *cENI
	private netip.Addr
	vpc     *cVPC
}

type cVPC struct {
	m       *model.VPC
	igw     *cIGW                     // attached IGW, or nil
	vgw     *cVGW                     // attached VGW, or nil
	local   *localNode                // the target of the local route
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
	m    *model.Subnet
	vpc  *cVPC
	rt   *cRouteTable
	acl  *cACL
	comp Component
}

// Route priorities for equal prefixes (§1.2.2): lower wins.
const (
	prioStatic = iota
	prioPrefixList
	prioPropagated
)

type cRoute struct {
	ref    RouteRef
	target node // resolved in Compile
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
//
// Order matters: route tables exist before subnets point at them, and their routes are
// resolved to nodes last, once every ENI, NAT gateway and gateway is compiled.
func Compile(t *model.Topology) (*Network, model.Problems) {
	var probs model.Problems
	n := &Network{
		Topology:    t,
		vpcs:        make(map[model.VPCID]*cVPC, len(t.VPCs)),
		subnets:     make(map[model.SubnetID]*cSubnet, len(t.Subnets)),
		enis:        make(map[model.ENIID]*cENI, len(t.NetworkInterfaces)),
		nats:        make(map[model.NATGatewayID]*cNAT, len(t.NATGateways)),
		sgs:         make(map[model.SecurityGroupID]*cSG, len(t.SecurityGroups)),
		acls:        make(map[model.NetworkACLID]*cACL, len(t.NetworkACLs)),
		routeTables: make(map[model.RouteTableID]*cRouteTable, len(t.RouteTables)),
		igws:        make(map[model.InternetGatewayID]*cIGW, len(t.InternetGateways)),
		vgws:        make(map[model.VPNGatewayID]*cVGW, len(t.VPNGateways)),
		instances:   make(map[model.InstanceID]*model.Instance, len(t.Instances)),
		public:      map[netip.Addr]publicMapping{},
	}
	for _, v := range t.VPCs {
		cv := &cVPC{m: v, byIP: map[netip.Addr]*cENI{}, pub: map[netip.Addr]netip.Addr{}, cidrs: v.CIDRs,
			comp: comp(KindVPC, string(v.ID), v.Name)}
		cv.local = &localNode{vpc: cv}
		n.vpcs[v.ID] = cv
	}
	n.compileIGWs(t)
	n.compileVGWs(t)
	for _, in := range t.Instances {
		n.instances[in.ID] = in
	}
	for _, rt := range t.RouteTables {
		n.routeTables[rt.ID] = &cRouteTable{m: rt, vpc: n.vpcs[rt.VPC], comp: comp(KindRouteTable, string(rt.ID), rt.Name)}
	}
	n.compileSubnets(t)
	n.compileSGs(t, &probs)
	n.compileENIs(t, &probs)
	n.assignFlowIDs()
	n.compileNATs(t)
	n.compileDX(t)
	n.compileTGWs(t, &probs)
	n.indexTGWParts()
	n.compilePeerings(t)
	n.compileSGReferences()
	n.compileEndpoints(t)     // before closeENIs: an interface endpoint's interfaces carry traffic
	n.compileGWLBs(t, &probs) // before closeENIs: a GWLB node's interface takes GENEVE back
	n.compileLBs(t, &probs)   // before closeENIs: a load balancer node's interface takes flows
	n.closeENIs()
	n.compileGroupMembers()
	n.compileFirewalls(t)
	n.compileRoutes(t, &probs)
	return n, probs
}

func comp(kind Kind, id, name string) Component { return Component{Kind: kind, ID: id, Name: name} }

func (n *Network) compileRoutes(t *model.Topology, probs *model.Problems) {
	pls := map[model.PrefixListID]*model.PrefixList{}
	for _, pl := range t.PrefixLists {
		pls[pl.ID] = pl
	}
	for _, rt := range t.RouteTables {
		crt := n.routeTables[rt.ID]
		routes := 0
		add := func(p netip.Prefix, r *cRoute) {
			if !p.IsValid() || !p.Addr().Is4() {
				return
			}
			routes++
			prev, ok := crt.lpm.Get(p)
			if !ok || better(r, prev) {
				crt.lpm.Insert(p, r)
			}
		}
		for i, r := range rt.Routes {
			cr := &cRoute{
				ref:    RouteRef{Destination: r.DestinationString(), Target: r.Target, Origin: r.Origin, State: r.State},
				target: staticTo(n.resolve(crt, r.Target), r), state: r.State, order: i,
			}
			if cr.state == "" {
				cr.state = model.RouteActive
			}
			switch {
			case r.Origin == model.OriginEnableVgwRoutePropagation:
				cr.prio = prioPropagated
			case r.Target.Kind == model.TargetVPCEndpoint:
				// §7.4.2: a gateway endpoint's prefix-list route ranks as a static route.
			case r.DestinationPrefixList != "":
				cr.prio = prioPrefixList
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
			tg := model.Target{Kind: model.TargetVPNGateway, ID: string(vgwID)}
			target := n.resolve(crt, tg)
			for p := range g.known.All4() {
				add(p, &cRoute{
					ref:    RouteRef{Destination: p.String(), Target: tg, Origin: model.OriginEnableVgwRoutePropagation, State: model.RouteActive},
					target: target, state: model.RouteActive, prio: prioPropagated, order: len(rt.Routes) + routes,
				})
			}
		}
		for _, gw := range rt.Gateways {
			if v := crt.vpc; v != nil {
				if v.igw != nil && gw == string(v.igw.m.ID) {
					v.edgeIGW = crt
					crt.edgeTargets(true)
				}
				if v.vgw != nil && gw == string(v.vgw.m.ID) {
					v.edgeVGW = crt
					crt.edgeTargets(false)
				}
			}
		}
	}
}

// resolvers compile a route target of each modelled kind, in the context of the route table's
// VPC, to the node a matching packet is handed to. A kind without one is not modelled: its
// routes compile to a dropNode (UNSUPPORTED_COMPONENT). Each resolver lives with its kind.
var resolvers = [...]func(n *Network, v *cVPC, id string) node{
	model.TargetLocal:                     resolveLocal,
	model.TargetNATGateway:                resolveNATGateway,
	model.TargetNetworkInterface:          resolveENI,
	model.TargetInstance:                  resolveInstance,
	model.TargetInternetGateway:           resolveInternetGateway,
	model.TargetVPNGateway:                resolveVPNGateway,
	model.TargetEgressOnlyInternetGateway: nil, // IPv6 (§3.7): not modelled yet
	model.TargetTransitGateway:            resolveTransitGateway,
	model.TargetPeering:                   resolvePeering,
	model.TargetVPCEndpoint:               resolveVPCEndpoint,
	model.TargetOther:                     nil,
}

// unmodelledKinds names the component kind of route targets vpclab does not model yet.
var unmodelledKinds = map[model.TargetKind]Kind{
	model.TargetVPCEndpoint: KindVPCEndpoint, model.TargetEgressOnlyInternetGateway: KindEgressOnlyInternetGateway,
}

// Modelled reports whether the engine hands packets to route targets of a kind (tests and the
// model's target table check each other by it).
func Modelled(k model.TargetKind) bool {
	return int(k) < len(resolvers) && resolvers[k] != nil
}

// resolve compiles one route target of table rt. Validation has warned about targets that are
// missing or not modelled (model.Validate); the node says it again to the packet.
func (n *Network) resolve(rt *cRouteTable, t model.Target) node {
	v := rt.vpc
	if !Modelled(t.Kind) {
		kind, ok := unmodelledKinds[t.Kind]
		if !ok {
			kind = KindRouteTarget
		}
		return &dropNode{code: CodeUnsupportedComponent, comp: comp(kind, t.ID, ""),
			detail: fmt.Sprintf("route target %s (%s) is not modelled by vpclab yet", t.ID, t.Kind)}
	}
	if v == nil {
		return &dropNode{code: CodeBadStateAttachment, comp: rt.comp,
			detail: fmt.Sprintf("%s belongs to VPC %s, which is not in the topology: its route to %s goes nowhere", rt.comp, rt.m.VPC, t.ID)}
	}
	return resolvers[t.Kind](n, v, t.ID)
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
		n.acls[a.ID] = ca
		if a.Default {
			defACL[a.VPC] = ca
		}
		for _, s := range a.Subnets {
			aclOf[s] = ca
		}
	}
	for _, s := range t.Subnets {
		cs := &cSubnet{m: s, vpc: n.vpcs[s.VPC], rt: rtOf[s.ID], acl: aclOf[s.ID], comp: comp(KindSubnet, string(s.ID), s.Name)}
		if cs.rt == nil {
			cs.rt = mainRT[s.VPC]
		}
		if cs.acl == nil {
			cs.acl = defACL[s.VPC]
		}
		n.subnets[s.ID] = cs
	}
}

// Interface returns an ENI of the topology, the instance behind it (nil when none) and the VPC
// it is in, for frontends that describe hosts without an index of their own.
func (n *Network) Interface(id model.ENIID) (eni *model.NetworkInterface, in *model.Instance, vpc model.VPCID, ok bool) {
	e := n.enis[id]
	if e == nil {
		return nil, nil, "", false
	}
	vpc = e.m.VPC
	if vpc == "" && e.subnet != nil {
		vpc = e.subnet.m.VPC
	}
	return e.m, e.instance, vpc, true
}

// ENIComponent describes an ENI for frontends (trace output, captures).
func (n *Network) ENIComponent(id model.ENIID) (Component, bool) {
	e := n.enis[id]
	if e == nil {
		return Component{}, false
	}
	return e.comp, true
}

// ENIByIP finds the ENI holding a private IPv4 address, searching every VPC in VPC ID order.
func (n *Network) ENIByIP(a netip.Addr) (model.ENIID, bool) {
	n.vpcOnce.Do(func() {
		n.vpcOrder = make([]*cVPC, 0, len(n.vpcs))
		for _, v := range n.vpcs {
			n.vpcOrder = append(n.vpcOrder, v)
		}
		sort.Slice(n.vpcOrder, func(i, j int) bool { return n.vpcOrder[i].m.ID < n.vpcOrder[j].m.ID })
	})
	for _, v := range n.vpcOrder {
		if e := v.byIP[a]; e != nil {
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
