package engine

import (
	"net/netip"
	"strconv"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// LocationKind says where a packet enters the network.
type LocationKind int

const (
	// FromENI: the packet is sent by the instance (or appliance) behind an ENI.
	FromENI LocationKind = iota + 1
	// FromInternet: the packet arrives from a host on the internet, towards a public IP.
	FromInternet
	// FromVPNGateway: the packet arrives from a network beyond a VGW (on-premises).
	FromVPNGateway
)

// Location is where a packet enters: an ENI, the internet, or a VGW.
type Location struct {
	Kind       LocationKind
	ENI        model.ENIID        // FromENI
	VPNGateway model.VPNGatewayID // FromVPNGateway
}

// Outcome is how a packet's journey ended.
type Outcome int

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

// Component names one AWS object on a packet's path, the way Reachability Analyzer does.
type Component struct {
	Kind string // instance, network-interface, security-group, network-acl, route-table,
	// subnet, nat-gateway, internet-gateway, vpn-gateway, internet, on-premises
	ID   string
	Name string
}

// Component kinds.
const (
	KindInstance        = "instance"
	KindENI             = "network-interface"
	KindSecurityGroup   = "security-group"
	KindNetworkACL      = "network-acl"
	KindRouteTable      = "route-table"
	KindNATGateway      = "nat-gateway"
	KindInternetGateway = "internet-gateway"
	KindVPNGateway      = "vpn-gateway"
	KindInternet        = "internet"
	KindOnPremises      = "on-premises"
)

// RouteRef is the route that decided a lookup, as describe-route-tables shows it.
type RouteRef struct {
	Destination string
	Target      model.Target // keeps its kind, so writers need not guess it from the ID
	Origin      model.RouteOrigin
	State       model.RouteState
}

// SGRuleRef is the security group rule that allowed a packet, or the group set that did not.
type SGRuleRef struct {
	GroupID    model.SecurityGroupID
	RuleID     string
	Direction  string // ingress, egress
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
	Action    string // allow, deny, forward, translate, deliver, drop, ...
	Direction string // egress/ingress (SG), outbound/inbound (NACL), or empty
	In, Out   packet.Packet
	Route     *RouteRef
	SGRule    *SGRuleRef
	ACLRule   *ACLRuleRef
	Note      string
}

// Exit is where a packet left the modelled network.
type Exit struct {
	Gateway Component // the IGW or VGW it left through
	To      Component // the internet, or the on-premises network
}

// Result is one packet's journey.
type Result struct {
	Hops    []Hop
	Outcome Outcome
	Packet  packet.Packet // as delivered or as it left; as it was when dropped
	ENI     model.ENIID   // Delivered: the receiving ENI
	Exit    Exit          // Exited
	Code    string        // Dropped: the explanation code
	At      Component     // Dropped: the component that dropped it
	Detail  string        // Dropped: a sentence for people
	// Generated is the journey of a packet the network itself sent back about this one: an
	// ICMP time exceeded from a NAT gateway or appliance, or a NAT gateway's TCP RST; or nil.
	Generated *Result
	// Blockers lists every drop on the path when Send ran with Options.ContinuePastBlocks: the
	// first is Code/At, the rest are what the packet would meet next if each were lifted.
	Blockers []Blocker
}

// Blocker is one component that stopped (or would stop) the packet.
type Blocker struct {
	Code   string
	At     Component
	Detail string
	Hop    int // index into Hops of the hop that blocked
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
