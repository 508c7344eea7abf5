package analyze

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/vpclab/vpclab/internal/model"
)

// kindRows is the diff's table: one row per resource kind of model.Topology, in the order
// matching needs (a kind's keys refer only to kinds above it). A row says how to list the
// kind's resources and identify them, how to match them when IDs differ (match.go), the
// lines that describe a change, and what a change touches:
//
//	flows  the flows of the interfaces it applies to (ModelDiff.Sources and Dests; a
//	       security group rule narrows them to its protocol and ports), directly or through
//	       the subnets and groups it touches (differ.finish)
//	vpcs   every flow from or to an interface of these VPCs (shared paths: NAT gateways,
//	       appliances, their subnets, gateways; what joins VPCs: the VPCs whose flows it
//	       can carry, modeldiff_transit.go)
//	all    every flow (hybrid and region-wide resources: anything may route through them)
//	noFlow nothing, and why no flow depends on the kind: the diff does not compare it
//
// TestEveryTopologyFieldHasADiffRow fails when a field of model.Topology has no row, so a new
// kind cannot be skipped silently.
var kindRows = []kindRow{
	rowOf[model.VPC]{
		kind: "vpc",
		list: func(t *model.Topology) []*model.VPC { return t.VPCs },
		id:   func(v *model.VPC) string { return string(v.ID) },
		name: func(v *model.VPC) string { return v.Name },
		match: []matchKey[model.VPC]{
			{"Name tag", func(_ *side, v *model.VPC) string { return key(v.Name) }},
			{"CIDR", func(_ *side, v *model.VPC) string { return key(prefixSet(v.CIDRs)) }},
		},
		lines: func(_ *differ, b, a *model.VPC) []string {
			return fieldLines(b, a, func(v *model.VPC) string { return fmt.Sprint(v.CIDRs) })
		},
		vpcs: func(_ *differ, b, a *model.VPC) []model.VPCID { return []model.VPCID{pick2(b, a).ID} },
	}.row(),

	rowOf[model.Subnet]{
		kind: "subnet",
		list: func(t *model.Topology) []*model.Subnet { return t.Subnets },
		id:   func(s *model.Subnet) string { return string(s.ID) },
		name: func(s *model.Subnet) string { return s.Name },
		match: []matchKey[model.Subnet]{
			{"Name tag", func(m *side, s *model.Subnet) string { return key(ref(m, s.VPC), s.Name) }},
			{"CIDR", func(m *side, s *model.Subnet) string { return key(ref(m, s.VPC), prefixText(s.CIDR)) }},
		},
		lines: func(_ *differ, b, a *model.Subnet) []string {
			return fieldLines(b, a, func(s *model.Subnet) string { return fmt.Sprintf("%s in %s", s.CIDR, s.VPC) })
		},
		vpcs: func(_ *differ, b, a *model.Subnet) []model.VPCID { return []model.VPCID{pick2(b, a).VPC} },
	}.row(),

	// Gateways: an internet gateway's changes touch its VPC; a VGW's anything routed over
	// VPN or Direct Connect.
	rowOf[model.InternetGateway]{
		kind: "internet-gateway",
		list: func(t *model.Topology) []*model.InternetGateway { return t.InternetGateways },
		id:   func(g *model.InternetGateway) string { return string(g.ID) },
		name: func(g *model.InternetGateway) string { return g.Name },
		match: []matchKey[model.InternetGateway]{
			{"attached VPC", func(m *side, g *model.InternetGateway) string { return key(ref(m, g.VPC)) }},
			{"Name tag", func(_ *side, g *model.InternetGateway) string { return key(g.Name) }},
		},
		lines: func(_ *differ, b, a *model.InternetGateway) []string {
			return fieldLines(b, a, func(g *model.InternetGateway) string { return "attached to " + string(g.VPC) })
		},
		vpcs: func(_ *differ, b, a *model.InternetGateway) []model.VPCID {
			var vs []model.VPCID
			for _, g := range []*model.InternetGateway{b, a} {
				if g != nil {
					vs = append(vs, g.VPC)
				}
			}
			return vs
		},
	}.row(),

	rowOf[model.VPNGateway]{
		kind: "vpn-gateway",
		list: func(t *model.Topology) []*model.VPNGateway { return t.VPNGateways },
		id:   func(g *model.VPNGateway) string { return string(g.ID) },
		name: func(g *model.VPNGateway) string { return g.Name },
		match: []matchKey[model.VPNGateway]{
			{"attached VPC", func(m *side, g *model.VPNGateway) string { return key(ref(m, g.VPC)) }},
			{"Name tag", func(_ *side, g *model.VPNGateway) string { return key(g.Name) }},
		},
		lines: func(_ *differ, b, a *model.VPNGateway) []string {
			return fieldLines(b, a, func(g *model.VPNGateway) string { return "attached to " + string(g.VPC) })
		},
		all: true,
	}.row(),

	// Security groups (§4): rules of each direction compared as sets.
	rowOf[model.SecurityGroup]{
		kind: "security-group",
		list: func(t *model.Topology) []*model.SecurityGroup { return t.SecurityGroups },
		id:   func(g *model.SecurityGroup) string { return string(g.ID) },
		name: func(g *model.SecurityGroup) string { return g.Name },
		match: []matchKey[model.SecurityGroup]{
			{"group name", func(m *side, g *model.SecurityGroup) string { return key(ref(m, g.VPC), g.Name) }},
		},
		lines: func(_ *differ, b, a *model.SecurityGroup) []string {
			var lines []string
			for _, dir := range []string{"ingress", "egress"} {
				lines = append(lines, setDiff(sgRules(b, dir), sgRules(a, dir), dir+" ")...)
			}
			return lines
		},
		flows: sgFlows,
	}.row(),

	// Instances and interfaces (§6): a changed interface touches its flows, and flows through
	// rules that reference its groups (§4.1.5).
	rowOf[model.Instance]{
		kind: "instance",
		list: func(t *model.Topology) []*model.Instance { return t.Instances },
		id:   func(in *model.Instance) string { return string(in.ID) },
		name: func(in *model.Instance) string { return in.Name },
		match: []matchKey[model.Instance]{
			{"Name tag", func(m *side, in *model.Instance) string { return key(ref(m, instanceVPC(m, in)), in.Name) }},
			{"private IP", func(m *side, in *model.Instance) string {
				if len(in.ENIs) == 0 || m.ix.ENIs[in.ENIs[0]] == nil {
					return ""
				}
				e := m.ix.ENIs[in.ENIs[0]]
				return key(ref(m, e.VPC), addrText(e.PrimaryIP()))
			}},
		},
		lines: instanceLines,
		flows: func(d *differ, b, a *model.Instance) {
			for _, e := range pick2(b, a).ENIs {
				d.eniTouched(e)
			}
		},
	}.row(),

	rowOf[model.NetworkInterface]{
		kind: "network-interface",
		list: func(t *model.Topology) []*model.NetworkInterface { return t.NetworkInterfaces },
		id:   func(e *model.NetworkInterface) string { return string(e.ID) },
		name: func(e *model.NetworkInterface) string { return e.Name },
		match: []matchKey[model.NetworkInterface]{
			{"instance and device index", func(m *side, e *model.NetworkInterface) string {
				in := m.ix.InstanceOfENI[e.ID]
				if in == nil {
					return ""
				}
				i := slices.Index(in.ENIs, e.ID)
				if i < 0 {
					i = e.DeviceIndex
				}
				return key(ref(m, in.ID), strconv.Itoa(i))
			}},
			{"private IP", func(m *side, e *model.NetworkInterface) string { return key(ref(m, e.VPC), addrText(e.PrimaryIP())) }},
		},
		lines: func(_ *differ, b, a *model.NetworkInterface) []string { return eniLines(b, a) },
		flows: func(d *differ, b, a *model.NetworkInterface) {
			d.eniTouched(pick2(b, a).ID)
			for _, x := range []*model.NetworkInterface{b, a} {
				if x != nil {
					for _, g := range x.SecurityGroups {
						d.groupTouched[g] = true
					}
				}
			}
		},
	}.row(),

	// Route tables (§1) and network ACLs (§5): by entries and by the subnets they apply to.
	rowOf[model.RouteTable]{
		kind: "route-table",
		list: func(t *model.Topology) []*model.RouteTable { return t.RouteTables },
		id:   func(r *model.RouteTable) string { return string(r.ID) },
		name: func(r *model.RouteTable) string { return r.Name },
		match: []matchKey[model.RouteTable]{
			{"Name tag", func(m *side, r *model.RouteTable) string { return key(ref(m, r.VPC), r.Name) }},
			{"main route table", func(m *side, r *model.RouteTable) string { return when(r.Main, key(ref(m, r.VPC))) }},
			{"associations", func(m *side, r *model.RouteTable) string {
				return key(ref(m, r.VPC), refSet(m, r.Subnets), refSet(m, r.Gateways))
			}},
		},
		lines: func(d *differ, b, a *model.RouteTable) []string {
			x := pick2(b, a)
			lines := setDiff(routeLines(b), routeLines(a), "")
			lines = append(lines, setDiff(gatewaysOf(b), gatewaysOf(a), "edge association ")...)
			return append(lines, setDiff(subnetsOf(d.vb, b != nil, string(x.ID)), subnetsOf(d.va, a != nil, string(x.ID)), "subnet ")...)
		},
		flows: func(d *differ, b, a *model.RouteTable) {
			if len(setDiff(routeLines(b), routeLines(a), "")) > 0 {
				d.subnetsTouched(string(pick2(b, a).ID))
			}
		},
		// Ingress routing (§1.3): an edge association, or the routes of a table that has one.
		vpcs: func(_ *differ, b, a *model.RouteTable) []model.VPCID {
			routes := len(setDiff(routeLines(b), routeLines(a), "")) > 0
			if len(setDiff(gatewaysOf(b), gatewaysOf(a), "")) > 0 || routes && len(gatewaysOf(b))+len(gatewaysOf(a)) > 0 {
				return []model.VPCID{pick2(b, a).VPC}
			}
			return nil
		},
	}.row(),

	rowOf[model.NetworkACL]{
		kind: "network-acl",
		list: func(t *model.Topology) []*model.NetworkACL { return t.NetworkACLs },
		id:   func(a *model.NetworkACL) string { return string(a.ID) },
		name: func(a *model.NetworkACL) string { return a.Name },
		match: []matchKey[model.NetworkACL]{
			{"Name tag", func(m *side, a *model.NetworkACL) string { return key(ref(m, a.VPC), a.Name) }},
			{"default network ACL", func(m *side, a *model.NetworkACL) string { return when(a.Default, key(ref(m, a.VPC))) }},
			{"associations", func(m *side, a *model.NetworkACL) string { return key(ref(m, a.VPC), refSet(m, a.Subnets)) }},
		},
		lines: func(d *differ, b, a *model.NetworkACL) []string {
			x := pick2(b, a)
			lines := setDiff(aclEntries(b), aclEntries(a), "")
			return append(lines, setDiff(subnetsOf(d.vb, b != nil, string(x.ID)), subnetsOf(d.va, a != nil, string(x.ID)), "subnet ")...)
		},
		flows: func(d *differ, b, a *model.NetworkACL) {
			if len(setDiff(aclEntries(b), aclEntries(a), "")) > 0 {
				d.subnetsTouched(string(pick2(b, a).ID))
			}
		},
	}.row(),

	// Resources on shared paths: their whole VPC.
	rowOf[model.NATGateway]{
		kind: "nat-gateway",
		list: func(t *model.Topology) []*model.NATGateway { return t.NATGateways },
		id:   func(n *model.NATGateway) string { return string(n.ID) },
		name: func(n *model.NATGateway) string { return n.Name },
		match: []matchKey[model.NATGateway]{
			{"Name tag", func(m *side, n *model.NATGateway) string { return key(ref(m, n.VPC), n.Name) }},
			{"subnet and private IP", func(m *side, n *model.NATGateway) string {
				if len(n.Addresses) == 0 {
					return ""
				}
				return key(ref(m, n.Subnet), addrText(n.Addresses[0].PrivateIP))
			}},
		},
		lines: func(_ *differ, b, a *model.NATGateway) []string {
			return fieldLines(b, a, func(n *model.NATGateway) string {
				return fmt.Sprintf("subnet %s, %s, state %s, addresses %v", n.Subnet, n.Connectivity, n.State, n.Addresses)
			})
		},
		vpcs: func(_ *differ, b, a *model.NATGateway) []model.VPCID { return []model.VPCID{pick2(b, a).VPC} },
	}.row(),

	// Hybrid and region-wide resources: anything may route through them.
	rowOf[model.VPNConnection]{
		kind: "vpn-connection",
		list: func(t *model.Topology) []*model.VPNConnection { return t.VPNConnections },
		id:   func(c *model.VPNConnection) string { return string(c.ID) },
		name: func(c *model.VPNConnection) string { return c.Name },
		match: []matchKey[model.VPNConnection]{
			{"Name tag", func(_ *side, c *model.VPNConnection) string { return key(c.Name) }},
			{"gateway and static routes", func(m *side, c *model.VPNConnection) string {
				return key(ref(m, c.VPNGateway), prefixSet(c.StaticRoutes))
			}},
		},
		lines: func(_ *differ, b, a *model.VPNConnection) []string {
			return fieldLines(b, a, func(c *model.VPNConnection) string {
				return fmt.Sprintf("%s %s routes %v", c.VPNGateway, c.State, c.StaticRoutes)
			})
		},
		all: true,
	}.row(),

	rowOf[model.PrefixList]{
		kind: "prefix-list",
		list: func(t *model.Topology) []*model.PrefixList { return t.PrefixLists },
		id:   func(p *model.PrefixList) string { return string(p.ID) },
		name: func(p *model.PrefixList) string { return p.Name },
		match: []matchKey[model.PrefixList]{
			{"name", func(_ *side, p *model.PrefixList) string { return key(p.Name) }},
		},
		lines: func(_ *differ, b, a *model.PrefixList) []string {
			return fieldLines(b, a, func(p *model.PrefixList) string { return fmt.Sprint(p.CIDRs) })
		},
		all: true,
	}.row(),

	// Gateway VPC endpoints (§7.4): a change touches the flows of the endpoint's VPC.
	rowOf[model.VPCEndpoint]{
		kind: "vpc-endpoint",
		list: func(t *model.Topology) []*model.VPCEndpoint { return t.VPCEndpoints },
		id:   func(x *model.VPCEndpoint) string { return string(x.ID) },
		name: func(x *model.VPCEndpoint) string { return x.Name },
		match: []matchKey[model.VPCEndpoint]{
			{"Name tag", func(m *side, x *model.VPCEndpoint) string { return key(ref(m, x.VPC), x.Name) }},
			{"service", func(m *side, x *model.VPCEndpoint) string { return key(ref(m, x.VPC), x.ServiceName, string(x.Type)) }},
		},
		lines: func(_ *differ, b, a *model.VPCEndpoint) []string {
			return fieldLines(b, a, func(x *model.VPCEndpoint) string {
				return fmt.Sprintf("%s %s %s route tables %v prefix list %s", x.Type, x.ServiceName, x.State, x.RouteTables, x.PrefixList)
			})
		},
		vpcs: func(_ *differ, b, a *model.VPCEndpoint) []model.VPCID {
			return []model.VPCID{pick2(b, a).VPC}
		},
	}.row(),

	// Gateway Load Balancers (§13): its endpoints may sit in any VPC, so a change (targets,
	// health, attributes) touches every flow.
	rowOf[model.GatewayLoadBalancer]{
		kind: "gateway-load-balancer",
		list: func(t *model.Topology) []*model.GatewayLoadBalancer { return t.GatewayLoadBalancers },
		id:   func(x *model.GatewayLoadBalancer) string { return string(x.ARN) },
		name: func(x *model.GatewayLoadBalancer) string { return x.Name },
		match: []matchKey[model.GatewayLoadBalancer]{
			{"name", func(m *side, x *model.GatewayLoadBalancer) string { return key(ref(m, x.VPC), x.Name) }},
		},
		lines: func(_ *differ, b, a *model.GatewayLoadBalancer) []string {
			return fieldLines(b, a, gwlbLine)
		},
		all: true,
	}.row(),

	// Application and Network Load Balancers: clients and targets of one may be in other VPCs
	// (peering, transit gateways, the internet), so a change touches every flow.
	rowOf[model.LoadBalancer]{
		kind: "load-balancer",
		list: func(t *model.Topology) []*model.LoadBalancer { return t.LoadBalancers },
		id:   func(x *model.LoadBalancer) string { return string(x.ARN) },
		name: func(x *model.LoadBalancer) string { return x.Name },
		match: []matchKey[model.LoadBalancer]{
			{"name", func(m *side, x *model.LoadBalancer) string { return key(ref(m, x.VPC), x.Type, x.Name) }},
		},
		lines: func(_ *differ, b, a *model.LoadBalancer) []string {
			return fieldLines(b, a, lbLine)
		},
		all: true,
	}.row(),

	// AWS Network Firewall (§14): a firewall in an inspection VPC carries other VPCs' flows
	// (§15 D2), and a rule group or policy any firewall's, so a change touches every flow.
	rowOf[model.RuleGroup]{
		kind: "network-firewall-rule-group",
		list: func(t *model.Topology) []*model.RuleGroup { return t.RuleGroups },
		id:   func(x *model.RuleGroup) string { return x.ARN },
		name: func(x *model.RuleGroup) string { return x.Name },
		match: []matchKey[model.RuleGroup]{
			{"name", func(_ *side, x *model.RuleGroup) string { return key(x.Type, x.Name) }},
		},
		lines: func(_ *differ, b, a *model.RuleGroup) []string {
			return fieldLines(b, a, func(x *model.RuleGroup) string {
				return fmt.Sprintf("%s %s stateless %v stateful %v domains %v rules %q sets %v %v %v", x.Type, x.RuleOrder,
					noSrc(x.StatelessRules, func(r *model.StatelessRule) { r.Src = model.Source{} }),
					noSrc(x.StatefulRules, func(r *model.StatefulRule) { r.Src, r.Line = model.Source{}, 0 }), x.Domains, x.RulesString, x.IPSets, x.PortSets, x.IPSetReferences)
			})
		},
		all: true,
	}.row(),
	rowOf[model.FirewallPolicy]{
		kind: "network-firewall-policy",
		list: func(t *model.Topology) []*model.FirewallPolicy { return t.FirewallPolicies },
		id:   func(x *model.FirewallPolicy) string { return x.ARN },
		name: func(x *model.FirewallPolicy) string { return x.Name },
		match: []matchKey[model.FirewallPolicy]{
			{"name", func(_ *side, x *model.FirewallPolicy) string { return key(x.Name) }},
		},
		lines: func(_ *differ, b, a *model.FirewallPolicy) []string {
			return fieldLines(b, a, func(x *model.FirewallPolicy) string {
				return fmt.Sprintf("stateless %v default %v fragments %v stateful %v default %v order %s stream %s idle %d home %v",
					noSrc(x.StatelessGroups, clearRef), x.StatelessDefaultActions, x.StatelessFragmentDefaultActions, noSrc(x.StatefulGroups, clearRef),
					x.StatefulDefaultActions, x.RuleOrder, x.StreamExceptionPolicy, x.TCPIdleTimeoutSeconds, x.HomeNet)
			})
		},
		all: true,
	}.row(),
	rowOf[model.Firewall]{
		kind: "network-firewall",
		list: func(t *model.Topology) []*model.Firewall { return t.Firewalls },
		id:   func(x *model.Firewall) string { return x.ARN },
		name: func(x *model.Firewall) string { return x.Name },
		match: []matchKey[model.Firewall]{
			{"name", func(m *side, x *model.Firewall) string { return key(ref(m, x.VPC), x.Name) }},
		},
		lines: func(_ *differ, b, a *model.Firewall) []string {
			return fieldLines(b, a, func(x *model.Firewall) string {
				return fmt.Sprintf("policy %s subnets %v", x.PolicyARN, noSrc(x.SubnetMappings, func(m *model.FirewallSubnetMapping) { m.Src = model.Source{} }))
			})
		},
		all: true,
	}.row(),

	// Across VPCs, accounts and regions (modeldiff_transit.go), in the order their keys
	// refer to one another.
	peeringRow(),
	directConnectGatewayRow(),
	transitGatewayRow(),
	virtualInterfaceRow(),
	directConnectAssociationRow(),
	tgwAttachmentRow(),
	tgwRouteTableRow(),

	// A network beyond a VGW is known by its name, which is its ID here.
	rowOf[model.OnPremNetwork]{
		kind: "on-premises",
		list: func(t *model.Topology) []*model.OnPremNetwork { return t.OnPremises },
		id:   func(o *model.OnPremNetwork) string { return o.Name },
		lines: func(_ *differ, b, a *model.OnPremNetwork) []string {
			return fieldLines(b, a, func(o *model.OnPremNetwork) string { return fmt.Sprintf("%s %v", o.VPNGateway, o.CIDRs) })
		},
		all: true,
	}.row(),

	rowOf[model.Address]{
		kind: "elastic-ip",
		list: func(t *model.Topology) []*model.Address { return t.Addresses },
		id:   func(a *model.Address) string { return string(a.AllocationID) },
		name: func(a *model.Address) string { return a.Name },
		match: []matchKey[model.Address]{
			{"public IP", func(_ *side, a *model.Address) string { return key(addrText(a.PublicIP)) }},
		},
		noFlow: "an Elastic IP is associated by copying it onto the interface's private IP " +
			"(model.ApplyDefaults, §3.1) or a NAT gateway's address, which the network-interface and " +
			"nat-gateway rows compare; the engine never reads the list itself",
	}.row(),

	rowOf[model.ExternalHost]{
		kind: "internet-host",
		list: func(t *model.Topology) []*model.ExternalHost { return t.InternetHosts },
		id:   func(h *model.ExternalHost) string { return h.Name },
		noFlow: "a named internet host only names an address: diff's default endpoints are instances, " +
			"and a host given as --from or --to is resolved in each topology and compared in full",
	}.row(),
}

// sgFlows: a changed rule touches the flows of the interfaces that carry the group, narrowed
// to the rule's protocol and ports; a group on an appliance touches every flow through it.
func sgFlows(d *differ, b, a *model.SecurityGroup) {
	g := pick2(b, a)
	in, out := changedRules(b, a, "ingress"), changedRules(b, a, "egress")
	for _, v := range d.views() {
		for _, e := range v.carriers[g.ID] {
			if v.appliances[e] {
				d.eniTouched(e)
			}
			// Ingress rules decide arrivals, and answers that come back untracked; egress
			// rules decide departures (answers leave tracked, §4.2.1).
			for _, r := range in {
				narrow(touch(d.md.Dests, e), r, false)
				narrow(touch(d.md.Sources, e), r, true)
			}
			for _, r := range out {
				narrow(touch(d.md.Sources, e), r, false)
			}
		}
	}
}

func instanceLines(_ *differ, b, a *model.Instance) []string {
	switch {
	case b == nil:
		return []string{"+ instance"}
	case a == nil:
		return []string{"- instance"}
	}
	var lines []string
	if !slices.Equal(b.ENIs, a.ENIs) {
		lines = append(lines, fmt.Sprintf("interfaces %v -> %v", b.ENIs, a.ENIs))
	}
	if b.InitialTTL != a.InitialTTL {
		lines = append(lines, fmt.Sprintf("initial TTL %d -> %d", b.InitialTTL, a.InitialTTL))
	}
	// Only a running instance's interfaces carry traffic (§6.1); a stateful appliance drops
	// the flows it never saw start (§13.13).
	if b.State != a.State {
		lines = append(lines, fmt.Sprintf("state %s -> %s", b.State, a.State))
	}
	if b.StatefulForwarding != a.StatefulForwarding {
		word := map[bool]string{false: "stateless", true: "stateful"}
		lines = append(lines, fmt.Sprintf("forwarding %s -> %s", word[b.StatefulForwarding], word[a.StatefulForwarding]))
	}
	if b.IPForwardOff != a.IPForwardOff { // §6.2: an appliance whose OS does not route
		word := map[bool]string{false: "on", true: "off"}
		lines = append(lines, fmt.Sprintf("IP forwarding %s -> %s", word[b.IPForwardOff], word[a.IPForwardOff]))
	}
	return lines
}

// kindRow is one row of kindRows with its resource type erased.
type kindRow struct {
	kind    string
	touches []string // what a change touches: "flows", "vpcs", "all"; none when noFlow says why
	noFlow  string
	ids     func(t *model.Topology) []string // the IDs of the kind's resources in t
	diff    func(d *differ)                  // compares the kind's resources by ID into d; nil for noFlow kinds
	match   func(m *matcher)                 // pairs the kind's resources by ID, then by its keys
}

// rowOf is a row of kindRows for resources of type T; row erases T.
type rowOf[T any] struct {
	kind  string // as printed: "security-group"
	list  func(*model.Topology) []*T
	id    func(*T) string
	name  func(*T) string // its Name tag; nil when the kind has none
	match []matchKey[T]   // how to pair resources whose IDs differ, tried in order
	// lines describe what differs between b and a (either nil: added or removed); none
	// when nothing does.
	lines func(d *differ, b, a *T) []string

	// What a change touches: one or more of flows, vpcs and all, or noFlow.
	flows  func(d *differ, b, a *T)
	vpcs   func(d *differ, b, a *T) []model.VPCID
	all    bool
	noFlow string
}

func (r rowOf[T]) row() kindRow {
	k := kindRow{kind: r.kind, noFlow: r.noFlow, match: r.matchKind}
	k.ids = func(t *model.Topology) []string {
		xs := r.list(t)
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = r.id(x)
		}
		return out
	}
	for _, t := range []struct {
		set  bool
		name string
	}{{r.flows != nil, "flows"}, {r.vpcs != nil, "vpcs"}, {r.all, "all"}} {
		if t.set {
			k.touches = append(k.touches, t.name)
		}
	}
	if r.noFlow == "" && r.lines != nil {
		k.diff = r.compare
	}
	return k
}

// nameOf is a resource's Name tag, if its kind has one.
func (r rowOf[T]) nameOf(x *T) string {
	if r.name == nil {
		return ""
	}
	return r.name(x)
}

// compare diffs the kind's resources by ID and records what each change touches.
func (r rowOf[T]) compare(d *differ) {
	diffByID(r.list(d.vb.t), r.list(d.va.t), r.id, func(b, a *T) {
		lines := r.lines(d, b, a)
		if len(lines) == 0 {
			return
		}
		x := pick2(b, a)
		d.add(r.kind, r.id(x), r.nameOf(x), lines)
		if r.flows != nil {
			r.flows(d, b, a)
		}
		if r.vpcs != nil {
			for _, v := range r.vpcs(d, b, a) {
				d.md.VPCs[v] = true
			}
		}
		d.md.All = d.md.All || r.all
	})
}

// gwlbLine is what diff compares of a GWLB: its zones, attributes, service and targets.
func gwlbLine(x *model.GatewayLoadBalancer) string {
	s := fmt.Sprintf("%s subnets %v cross-zone %t idle %d", x.State, x.Subnets, x.CrossZone, x.IdleTimeout())
	if x.Service != nil {
		s += " service " + string(x.Service.ID)
	}
	if tg := x.TargetGroup; tg != nil {
		s += fmt.Sprintf(" stickiness %q failover %q reset %t targets", tg.Stickiness, tg.TargetFailover, tg.SendResetOnIdle)
		for _, t := range tg.Targets {
			s += fmt.Sprintf(" %s/%s/%s", t.ID, t.AZ, t.Health)
		}
	}
	return s
}

func lbLine(x *model.LoadBalancer) string {
	s := fmt.Sprintf("%s %s %s subnets %v groups %v cross-zone %t", x.Type, x.Scheme, x.State, x.Subnets, x.SecurityGroups, x.CrossZoneOn())
	for _, ln := range x.Listeners {
		s += fmt.Sprintf(" listener %s:%d", ln.Protocol, ln.Port)
		if tg := ln.TargetGroup; tg != nil {
			s += fmt.Sprintf(" → %s %s:%d %s preserve %t targets", tg.Name, tg.Protocol, tg.Port, tg.TargetType, x.PreserveClientIP(tg))
			for _, t := range tg.Targets {
				s += fmt.Sprintf(" %s:%d/%s/%s", t.ID, t.Port, t.AZ, t.Health)
			}
		}
	}
	return s
}

// noSrc is a copy of xs with clear applied to each: what a diff line prints of nested
// values, without where they were written.
func noSrc[T any](xs []T, clear func(*T)) []T {
	out := slices.Clone(xs)
	for i := range out {
		clear(&out[i])
	}
	return out
}

func clearRef(r *model.RuleGroupRef) { r.Src = model.Source{} }
