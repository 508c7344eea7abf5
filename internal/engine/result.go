package engine

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// LocationKind says where a packet enters the network.
type LocationKind uint8

const (
	// FromENI: the packet is sent by the instance (or appliance) behind an ENI.
	FromENI LocationKind = iota + 1
	// FromInternet: the packet arrives from a host on the internet, towards a public IP.
	FromInternet
	// FromVPNGateway: the packet arrives from a network beyond a VGW (on-premises).
	FromVPNGateway
	// FromTGWAttachment: the packet enters a transit gateway from one of its attachments (the
	// network beyond a VPN or DX gateway attachment, the VPC of a VPC attachment, the peer of
	// a peering attachment) and is looked up in the attachment's route table (§7.2.4).
	FromTGWAttachment
	// FromVPNConnection: the packet arrives over a Site-to-Site VPN (on a VGW or a transit
	// gateway).
	FromVPNConnection
	// FromDXGateway: the packet arrives from on-premises through a Direct Connect gateway
	// (§16.4), to the association that advertises its destination.
	FromDXGateway
	// FromPeering: the packet comes over a VPC peering connection into the side whose VPC
	// does not hold its source (the accepter when that does not decide), §0.8.
	FromPeering
	// FromSubnet: the packet appears in a subnet from no interface of the topology (a spoofed
	// source): the subnet's network ACL and route table apply, no interface's checks.
	FromSubnet
	// FromInternetGateway: the packet arrives from the internet through one internet gateway.
	FromInternetGateway
	// FromVPCEndpoint: the packet comes from the AWS service behind a gateway VPC endpoint
	// (S3, DynamoDB) into the endpoint's VPC: the service's answer (§7.4.5, §7.4.7).
	FromVPCEndpoint
)

var locationKindNames = [...]string{FromENI: "network interface", FromInternet: "the internet", FromVPNGateway: "VPN gateway",
	FromTGWAttachment: "transit gateway attachment", FromVPNConnection: "VPN connection", FromDXGateway: "Direct Connect gateway",
	FromPeering: "VPC peering connection", FromSubnet: "subnet", FromInternetGateway: "internet gateway",
	FromVPCEndpoint: "VPC endpoint"}

func (k LocationKind) String() string {
	if int(k) < len(locationKindNames) && locationKindNames[k] != "" {
		return locationKindNames[k]
	}
	return "LocationKind(" + strconv.Itoa(int(k)) + ")"
}

// Location is where a packet enters: the kind of entry and the AWS ID of the resource it
// enters at (empty for the internet). Compile looks every entry up once, as it resolves route
// targets; Send with a location that names nothing in the topology drops the packet. Frontends
// get a location from an endpoint through one function (tools.Endpoint.Location).
type Location struct {
	Kind LocationKind
	ID   string
}

// AtENI is the location of the instance behind an ENI.
func AtENI(id model.ENIID) Location { return Location{Kind: FromENI, ID: string(id)} }

// AtInternet is the location of every host on the internet.
func AtInternet() Location { return Location{Kind: FromInternet} }

// AtVPNGateway is the location of the networks beyond a VGW.
func AtVPNGateway(id model.VPNGatewayID) Location {
	return Location{Kind: FromVPNGateway, ID: string(id)}
}

func (l Location) String() string {
	if l.ID == "" {
		return l.Kind.String()
	}
	return l.Kind.String() + " " + l.ID
}

// Outcome is how a packet's journey ended.
type Outcome uint8

const (
	Delivered Outcome = iota + 1 // to an ENI's instance (Result.ENI)
	Exited                       // out of the VPCs: to the internet or beyond a VGW (Result.Exit)
	Dropped                      // with Result.Code at Result.At
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Exited:
		return "exited"
	case Dropped:
		return "dropped"
	}
	return "unknown"
}

// Kind is the kind of an AWS object on a packet's path.
type Kind uint8

// Component kinds. The last ones are route targets vpclab does not model yet: a packet that
// meets one is dropped with UNSUPPORTED_COMPONENT naming it.
const (
	KindInstance Kind = iota + 1
	KindENI
	KindSecurityGroup
	KindNetworkACL
	KindRouteTable
	KindSubnet
	KindVPC
	KindNATGateway
	KindInternetGateway
	KindVPNGateway
	KindInternet
	KindOnPremises
	KindTransitGateway
	KindVPCPeering
	KindVPCEndpoint
	KindEgressOnlyInternetGateway
	KindRouteTarget // a route target of a kind vpclab does not know (local gateway, carrier gateway, ...)
	KindTransitGatewayAttachment
	KindTransitGatewayRouteTable
	KindDXGateway
	KindVirtualInterface
	KindVPNConnection
	KindAWSService      // the service behind a gateway VPC endpoint (S3, DynamoDB), §7.4.7
	KindNetworkFirewall // an AWS Network Firewall endpoint (vpce-), §14
	// KindGWLBEndpoint is a Gateway Load Balancer endpoint (a vpce- of type
	// GatewayLoadBalancer, §13.2) and KindGatewayLoadBalancer the GWLB behind it, whose ID is
	// its ARN (§13.1).
	KindGWLBEndpoint
	KindGatewayLoadBalancer
	// KindLoadBalancer is an Application or Network Load Balancer; its ID is its ARN.
	KindLoadBalancer
)

var kindNames = [...]string{
	KindInstance: "instance", KindENI: "network-interface", KindSecurityGroup: "security-group",
	KindNetworkACL: "network-acl", KindRouteTable: "route-table", KindSubnet: "subnet", KindVPC: "vpc",
	KindNATGateway: "nat-gateway", KindInternetGateway: "internet-gateway", KindVPNGateway: "vpn-gateway",
	KindInternet: "internet", KindOnPremises: "on-premises", KindTransitGateway: "transit-gateway",
	KindVPCPeering: "vpc-peering-connection", KindVPCEndpoint: "vpc-endpoint",
	KindEgressOnlyInternetGateway: "egress-only-internet-gateway", KindRouteTarget: "route-target",
	KindTransitGatewayAttachment: "transit-gateway-attachment", KindTransitGatewayRouteTable: "transit-gateway-route-table",
	KindDXGateway: "direct-connect-gateway", KindVirtualInterface: "virtual-interface", KindVPNConnection: "vpn-connection",
	KindAWSService: "aws-service", KindNetworkFirewall: "network-firewall", KindGWLBEndpoint: "gateway-load-balancer-endpoint",
	KindGatewayLoadBalancer: "gateway-load-balancer", KindLoadBalancer: "load-balancer",
}

// String is the kind as Reachability Analyzer's resource types read, in lower case.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Component names one AWS object on a packet's path, the way Reachability Analyzer does.
type Component struct {
	Kind Kind
	ID   string
	Name string
}

// Action is what a component did with a packet.
type Action uint8

const (
	ActSend      Action = iota + 1 // a host (or a gateway for the hosts beyond it) sent it
	ActAllow                       // a filter let it pass (security group, network ACL)
	ActDeny                        // a filter stopped it
	ActForward                     // routed on: a route table, an appliance, a VPN gateway
	ActTranslate                   // rewritten: a NAT gateway, an internet gateway
	ActReceive                     // it reached a network interface
	ActDeliver                     // handed to the instance behind the interface
	ActExit                        // it left the modelled network
	ActDrop                        // dropped with nowhere to go (no route, unknown destination, ...)
)

var actionNames = [...]string{ActSend: "send", ActAllow: "allow", ActDeny: "deny", ActForward: "forward",
	ActTranslate: "translate", ActReceive: "receive", ActDeliver: "deliver", ActExit: "exit", ActDrop: "drop"}

func (a Action) String() string {
	if int(a) < len(actionNames) && actionNames[a] != "" {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Direction is the side of a filter a packet crossed: a security group's egress or ingress
// rules, a network ACL's outbound or inbound entries.
type Direction uint8

const (
	NoDirection Direction = iota
	Egress                // security group, leaving the ENI
	Ingress               // security group, arriving at the ENI
	Outbound              // network ACL, leaving the subnet
	Inbound               // network ACL, entering the subnet
)

var directionNames = [...]string{Egress: "egress", Ingress: "ingress", Outbound: "outbound", Inbound: "inbound"}

func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Leaving reports whether the direction is the way out of the ENI or subnet (egress,
// outbound): the rules then match the packet's destination, else its source.
func (d Direction) Leaving() bool { return d == Egress || d == Outbound }

// RouteRef is the route that decided a lookup, as describe-route-tables shows it.
type RouteRef struct {
	Destination string
	Target      model.Target // keeps its kind, so writers need not guess it from the ID
	Origin      model.RouteOrigin
	State       model.RouteState
}

// TGWRouteRef is the transit gateway route that decided a lookup, as
// search-transit-gateway-routes shows it (§9.5).
type TGWRouteRef struct {
	Table       model.TGWRouteTableID
	Destination string // a CIDR, or the prefix list it came from
	PrefixList  model.PrefixListID
	Attachment  model.TGWAttachmentID // empty for a blackhole
	Resource    string                // the attachment's VPC, VPN, DX gateway or peer
	Type        model.TGWAttachmentType
	RouteType   string // static or propagated
	State       string // active or blackhole
}

// SGRuleRef is the security group rule that allowed a packet, or the group set that did not.
type SGRuleRef struct {
	GroupID    model.SecurityGroupID
	RuleID     string
	Direction  Direction // Ingress or Egress
	Protocol   int
	FromPort   int
	ToPort     int
	CIDR       string
	PeerGroup  model.SecurityGroupID
	PrefixList model.PrefixListID
}

// Peer is the rule's peer as the console shows it: a CIDR, a security group or a prefix list.
func (r *SGRuleRef) Peer() string {
	switch {
	case r.PeerGroup != "":
		return string(r.PeerGroup)
	case r.PrefixList != "":
		return string(r.PrefixList)
	}
	return r.CIDR
}

// ACLRuleRef is the NACL entry that matched (first match wins, §5.1).
type ACLRuleRef struct {
	ACLID      model.NetworkACLID
	RuleNumber int
	Egress     bool
	Protocol   int
	FromPort   int
	ToPort     int
	CIDR       string
	Allow      bool
}

// Number is the rule number as the console shows it: "*" for the final deny rule.
func (r *ACLRuleRef) Number() string { return ACLRuleNumber(r.RuleNumber) }

// ACLRuleNumber prints a NACL rule number as the console does: 32767 is the "*" rule (§5.1).
func ACLRuleNumber(n int) string {
	if n == 32767 {
		return "*"
	}
	return strconv.Itoa(n)
}

// Hop is one decision on a packet's path: which component, what it did, the rule or route
// that made it, and the header as it came in and went out.
type Hop struct {
	Component Component
	Action    Action
	Direction Direction // security groups and network ACLs; NoDirection elsewhere
	// Middlebox marks a routed hop that processes the packet as a host would (a NAT gateway's
	// translation, an appliance forwarding): a TTL hop (§6.8) and the components people name a
	// path by. Edge marks a gateway the packet leaves or enters the VPCs through (internet and
	// VPN gateways). Translated marks a hop that rewrote an address or port.
	Middlebox, Edge, Translated bool
	// Tunnelled marks a hop whose packet is the outer packet of a tunnel at a network
	// interface: the GENEVE packet a GWLB target receives or sends back (§13.9). Its In
	// carries the GENEVE header and the inner packet as payload when hops are recorded, so a
	// capture on the target shows what tcpdump would.
	Tunnelled bool
	// In is the packet as the component got it; Changed, the packet as it left when the
	// component rewrote it (a NAT gateway, an internet gateway, an appliance's TTL, a
	// fragmenting link), nil when it left as it came (Out gives it either way). Most hops
	// change nothing, and a hop that holds one packet costs a third less to record. Changed
	// points into storage of the result's (SendInto reuses it): copy the result with Clone,
	// not the hop, to keep it past the next send into the same result.
	In      packet.Packet
	Changed *packet.Packet
	// Route, TGWRoute, SGRule and ACLRule point at descriptions Compile made once and every
	// result shares: read them, never change them.
	Route    *RouteRef
	TGWRoute *TGWRouteRef
	SGRule   *SGRuleRef
	ACLRule  *ACLRuleRef
	Note     string
}

// Out is the packet as it left the component.
func (h Hop) Out() packet.Packet {
	if h.Changed != nil {
		return *h.Changed
	}
	return h.In
}

// Exit is where a packet left the modelled network.
type Exit struct {
	Gateway Component // the IGW or VGW it left through
	To      Component // the internet, or the on-premises network
}

// Result is one packet's journey. One from Send is the caller's to keep; one that SendInto
// writes into is overwritten, hops and all, by the next send into it (Clone keeps a copy).
type Result struct {
	Hops    []Hop
	Outcome Outcome
	Packet  packet.Packet // as delivered or as it left; as it was when dropped
	ENI     model.ENIID   // Delivered: the receiving ENI
	Exit    Exit          // Exited
	Code    string        // Dropped: the explanation code
	At      Component     // Dropped: the component that dropped it
	Detail  string        // Dropped: a sentence for people
	// Rebuilt says that Packet is not the packet that entered with fields rewritten: a
	// Gateway Load Balancer wrapped it in GENEVE for a real target, or unwrapped what the
	// target sent back (Options.RealAppliances). Live mode builds such a packet around the
	// original bytes instead of rewriting them in place.
	Rebuilt bool
	// past and pastHop say where the journey ended past its blockers (Options
	// ContinuePastBlocks): how, and the hop it ended at; past is 0 when the outcome says it
	// (see End). lifted holds it instead when hops are not recorded.
	past    Outcome
	pastHop int32
	lifted  *End
	// Generated is the journey of a packet the network itself sent back about this one: an
	// ICMP time exceeded from a NAT gateway or appliance, or a NAT gateway's TCP RST; or nil.
	Generated *Result
	// Blockers lists every drop on the path when Send ran with Options.ContinuePastBlocks: the
	// first is Code/At, the rest are what the packet would meet next if each were lifted.
	Blockers []Blocker
	// changed holds the packets hops rewrote (Hop.Changed points into it), and spare the
	// result Generated points at when it is set: storage SendInto reuses (record.go).
	changed []packet.Packet
	spare   *Result
}

// End is where a journey ends: delivered to an ENI, out through a gateway, or dropped where
// there is nowhere to go.
type End struct {
	Outcome Outcome
	Packet  packet.Packet // as delivered or as it left; as it was when dropped
	ENI     model.ENIID   // Delivered
	Exit    Exit          // Exited
}

// Blocker is one component that stopped (or would stop) the packet.
type Blocker struct {
	Code   string
	At     Component
	Detail string
	Hop    int // index into Hops of the hop that blocked; -1 when hops are not recorded
	// Advice are Reachability Analyzer's additional detail codes about the block (what to
	// change, §8): TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED at the attachment, ...
	Advice []Advice
}

// Advice is one additional detail code about a block, at the component it is about.
type Advice struct {
	Code   string
	At     Component
	Detail string
}

// End is where the journey ended with every block lifted (Options.ContinuePastBlocks): the
// destination it would reach were every blocker changed, or where it found nowhere to go.
// Without blockers it is the outcome itself.
func (r *Result) End() End {
	switch {
	case r.lifted != nil:
		return *r.lifted
	case r.past == 0:
		return End{Outcome: r.Outcome, Packet: r.Packet, ENI: r.ENI, Exit: r.Exit}
	}
	// The journey went on past its blockers and ended at hop pastHop: a delivery (after the
	// ENI's receive hop), an exit (after the gateway's edge hop) or a drop.
	x := End{Outcome: r.past, Packet: r.Hops[r.pastHop].Out()}
	for j := int(r.pastHop); j >= 0; j-- {
		h := &r.Hops[j]
		switch {
		case r.past == Delivered && h.Component.Kind == KindENI && h.Action == ActReceive:
			x.ENI = model.ENIID(h.Component.ID)
			return x
		case r.past == Exited && j < int(r.pastHop) && h.Edge:
			x.Exit = Exit{Gateway: h.Component, To: r.Hops[r.pastHop].Component}
			return x
		}
	}
	return x
}

// Delivered reports whether the packet reached an ENI's instance.
func (r *Result) Delivered() bool { return r.Outcome == Delivered }

// SeenSource is the source address the receiver saw (after any NAT), or the zero Addr if the
// packet was dropped.
func (r *Result) SeenSource() netip.Addr {
	if r.Outcome == Dropped {
		return netip.Addr{}
	}
	return r.Packet.Src
}

// Via lists the components people name a path by, in path order and once each: the
// middleboxes it crossed (NAT gateways that translated it, appliances that forwarded it) and
// the gateways it left or entered through.
func (r *Result) Via() []Component {
	var out []Component
	for i := range r.Hops {
		h := &r.Hops[i]
		if (h.Middlebox || h.Edge) && !slices.ContainsFunc(out, func(c Component) bool { return c.ID == h.Component.ID }) {
			out = append(out, h.Component)
		}
	}
	return out
}

// SourceTranslatedAt is the first middlebox that rewrote the packet's source on the way (a
// NAT gateway), if any.
func (r *Result) SourceTranslatedAt() (Component, bool) {
	for i := range r.Hops {
		h := &r.Hops[i]
		if h.Middlebox && h.Translated && h.In.Src != h.Out().Src {
			return h.Component, true
		}
	}
	return Component{}, false
}
