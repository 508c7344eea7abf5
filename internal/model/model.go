// Package model holds the AWS VPC resources vpclab simulates, as the user configured them:
// AWS names with Go casing, typed IDs, addresses as net/netip values (prefixes stored masked).
//
// A Topology is what a loader (scenario YAML, describe-* JSON) produces and what
// engine.Compile consumes. It is plain data: no behaviour beyond AWS's defaults
// (defaults.go) and AWS's own configuration rules (validate.go). Section numbers (§) refer
// to the project's behavioural specification, aws-vpc-semantics.md.
package model

import (
	"fmt"
	"net/netip"
)

// Typed IDs: one string type per resource kind, so a subnet ID cannot be passed where a route
// table ID is expected (§9.1: "<prefix>-<hex>", 8 or 17 hex characters).
type (
	VPCID             string
	SubnetID          string
	RouteTableID      string
	InternetGatewayID string
	NATGatewayID      string
	AllocationID      string
	ENIID             string
	InstanceID        string
	SecurityGroupID   string
	NetworkACLID      string
	VPNGatewayID      string
	VPNConnectionID   string
	CustomerGatewayID string
	PrefixListID      string
	VPCEndpointID     string
)

// Source says where a resource or field was declared, for messages: a YAML file and line, or
// a describe-* file and JSON path. The zero value means "made by vpclab" (an AWS default).
type Source struct {
	File string // as the user named it
	Line int    // 1-based; 0 when unknown (JSON input)
	Path string // JSON path such as "RouteTables[2].Routes[1]"; empty for YAML
}

func (s Source) String() string {
	switch {
	case s.File == "":
		return "(default)"
	case s.Line > 0:
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	case s.Path != "":
		return s.File + ": " + s.Path
	}
	return s.File
}

// Topology is one lab or one account snapshot: any number of VPCs and what lives in them.
// Slices keep input order; IDs are unique within their kind (validate.go checks).
type Topology struct {
	VPCs              []*VPC
	Subnets           []*Subnet
	RouteTables       []*RouteTable
	InternetGateways  []*InternetGateway
	NATGateways       []*NATGateway
	Addresses         []*Address // Elastic IPs
	NetworkInterfaces []*NetworkInterface
	Instances         []*Instance
	SecurityGroups    []*SecurityGroup
	NetworkACLs       []*NetworkACL
	VPNGateways       []*VPNGateway
	VPNConnections    []*VPNConnection
	PrefixLists       []*PrefixList
	VPCEndpoints      []*VPCEndpoint // endpoints.go
	// GatewayLoadBalancers hold each GWLB with its listener, target group and endpoint
	// service (elb.go, §13).
	GatewayLoadBalancers []*GatewayLoadBalancer
	// LoadBalancers hold each Application and Network Load Balancer with its listeners and
	// their target groups (lb.go).
	LoadBalancers []*LoadBalancer
	// AWS Network Firewall (firewall.go, §14).
	Firewalls        []*Firewall
	FirewallPolicies []*FirewallPolicy
	RuleGroups       []*RuleGroup
	// OnPremises are networks beyond a VGW (a data centre over VPN or Direct Connect), §7.3.
	OnPremises []*OnPremNetwork
	// Across VPCs, accounts and regions (transit.go).
	Peerings              []*VPCPeering
	TransitGateways       []*TransitGateway
	TGWAttachments        []*TGWAttachment
	TGWRouteTables        []*TGWRouteTable
	DXGateways            []*DXGateway
	DXGatewayAssociations []*DXGatewayAssociation
	VirtualInterfaces     []*VirtualInterface
	// InternetHosts are named hosts on the internet a lab declares (for live mode and for
	// naming them in commands); any public address not in the topology is on the internet too.
	InternetHosts []*ExternalHost
}

// Tag is an AWS resource tag.
type Tag struct{ Key, Value string }

// VPC: §1. The first CIDR is the primary one (the resolver lives at its base+2, §6.4).
type VPC struct {
	ID    VPCID
	Name  string
	CIDRs []netip.Prefix
	// Account is the owner's account ID and Region its region; empty when the input does not
	// say (a one-account, one-region lab or snapshot).
	Account string
	Region  string
	Tags    []Tag
	Src     Source
}

// Subnet: §6.3. One IPv4 CIDR inside its VPC; one route table and one NACL, given by the
// RouteTable/NetworkACL associations (implicitly the main table and the default NACL).
type Subnet struct {
	ID               SubnetID
	VPC              VPCID
	CIDR             netip.Prefix
	AvailabilityZone string
	Name             string
	Tags             []Tag
	Src              Source
}

// RouteTable: §1.1. Main marks the VPC's main table; Subnets lists explicit associations;
// Gateways lists edge associations (igw-/vgw- IDs, §1.1.4).
type RouteTable struct {
	ID              RouteTableID
	VPC             VPCID
	Name            string
	Main            bool
	Subnets         []SubnetID
	Gateways        []string
	Routes          []Route
	PropagatingVGWs []VPNGatewayID
	Tags            []Tag
	Src             Source
}

// RouteOrigin is how the route came to be (§9.3).
type RouteOrigin string

const (
	OriginCreateRouteTable          RouteOrigin = "CreateRouteTable"
	OriginCreateRoute               RouteOrigin = "CreateRoute"
	OriginEnableVgwRoutePropagation RouteOrigin = "EnableVgwRoutePropagation"
)

// RouteState is active or blackhole (§1.2.6).
type RouteState string

const (
	RouteActive    RouteState = "active"
	RouteBlackhole RouteState = "blackhole"
)

// Route is one entry of a route table: exactly one destination (CIDR or prefix list) and one
// target. Propagated routes are materialised by the engine from PropagatingVGWs; a snapshot may
// also list them explicitly with Origin EnableVgwRoutePropagation.
type Route struct {
	Destination           netip.Prefix // masked; invalid when DestinationPrefixList is set
	DestinationPrefixList PrefixListID
	Target                Target
	Origin                RouteOrigin
	State                 RouteState
	Src                   Source
}

// DestinationString is the route's destination as the console prints it.
func (r Route) DestinationString() string {
	if r.DestinationPrefixList != "" {
		return string(r.DestinationPrefixList)
	}
	return r.Destination.String()
}

// InternetGateway: §3. VPC is empty when the gateway is detached.
type InternetGateway struct {
	ID   InternetGatewayID
	VPC  VPCID
	Name string
	Tags []Tag
	Src  Source
}

// Connectivity is a NAT gateway's type (§2.1.1).
type Connectivity string

const (
	ConnectivityPublic  Connectivity = "public"
	ConnectivityPrivate Connectivity = "private"
)

// NATGateway: §2. Addresses[0] is the primary address (IsPrimary, or first listed).
type NATGateway struct {
	ID           NATGatewayID
	VPC          VPCID
	Subnet       SubnetID
	Connectivity Connectivity
	State        string // available, pending, failed, deleting, deleted
	Addresses    []NATGatewayAddress
	Name         string
	Tags         []Tag
	Src          Source
}

// NATGatewayAddress is one private IP of a NAT gateway and, for a public one, its Elastic IP.
type NATGatewayAddress struct {
	PrivateIP    netip.Addr
	PublicIP     netip.Addr // invalid for private NAT gateways and secondary addresses
	AllocationID AllocationID
	ENI          ENIID
	Primary      bool
}

// Address is an Elastic IP. It is associated with an ENI private IP, or unassociated.
type Address struct {
	AllocationID AllocationID
	PublicIP     netip.Addr
	ENI          ENIID
	PrivateIP    netip.Addr
	Instance     InstanceID
	Name         string
	Src          Source
}

// InterfaceType is an ENI's type as describe-network-interfaces prints it.
type InterfaceType string

// Interface types (§9.8). Every type but "interface" (and "efa", "trunk" and "branch", which
// are an instance's own) belongs to an AWS service that attached it; vpclab models the NAT
// gateway's and fails closed on the others until their kind is modelled.
const (
	InterfaceTypeInterface             InterfaceType = "interface"
	InterfaceTypeNATGateway            InterfaceType = "nat_gateway"
	InterfaceTypeTransitGateway        InterfaceType = "transit_gateway"
	InterfaceTypeVPCEndpoint           InterfaceType = "vpc_endpoint"
	InterfaceTypeGatewayLoadBalancer   InterfaceType = "gateway_load_balancer"
	InterfaceTypeGatewayLoadBalancerEP InterfaceType = "gateway_load_balancer_endpoint"
	InterfaceTypeNetworkLoadBalancer   InterfaceType = "network_load_balancer"
	InterfaceTypeLambda                InterfaceType = "lambda"
)

// ServiceManaged reports whether the interface belongs to an AWS service rather than to an
// instance: every type but the instance's own ones ("interface", "efa", "efa-only", "trunk",
// "branch"). An empty type is an instance's interface (labs and older snapshots omit it).
func (t InterfaceType) ServiceManaged() bool {
	switch t {
	case "", InterfaceTypeInterface, "efa", "efa-only", "trunk", "branch":
		return false
	}
	return true
}

// NetworkInterface is an ENI: §6.1. PrivateIPs[0] is the primary private IP.
type NetworkInterface struct {
	ID              ENIID
	VPC             VPCID
	Subnet          SubnetID
	Type            InterfaceType
	PrivateIPs      []PrivateIP
	SecurityGroups  []SecurityGroupID
	SourceDestCheck bool
	MAC             string
	Instance        InstanceID // attached instance, if any
	DeviceIndex     int
	Description     string
	Name            string
	Tags            []Tag
	Src             Source
}

// PrivateIP is one private IPv4 address of an ENI and its public mapping, if any (§3.1).
type PrivateIP struct {
	Addr     netip.Addr
	Primary  bool
	PublicIP netip.Addr // auto-assigned public IP or Elastic IP; invalid when none
}

// PrimaryIP is the ENI's primary private IPv4 address.
func (e *NetworkInterface) PrimaryIP() netip.Addr {
	if len(e.PrivateIPs) == 0 {
		return netip.Addr{}
	}
	return e.PrivateIPs[0].Addr
}

// DefaultInitialTTL is Amazon Linux 2's net.ipv4.ip_default_ttl (§6.7).
const DefaultInitialTTL = 255

// Instance is an EC2 instance: its ENIs (device order) and the initial TTL of its OS (§6.7).
// ForwardingTag is the instance tag that says, in describe-* JSON, how an appliance's OS
// forwards: "stateful" (Instance.StatefulForwarding), "stateless", the default, or "off"
// (Instance.IPForwardOff).
const ForwardingTag = "vpclab:forwarding"

type Instance struct {
	ID         InstanceID
	Name       string
	ENIs       []ENIID
	InitialTTL uint8
	// StatefulForwarding marks an appliance whose OS forwards only flows it saw start (a
	// stateful firewall): it drops a packet of a flow whose first packet took another path.
	// The VPC itself never does (§1.2.5); by default an appliance forwards every packet. A
	// lab says `forwarding: stateful`; describe-* JSON, which has no such field, carries it
	// as the instance's tag ForwardingTag=stateful (ForwardingTag=off for IPForwardOff).
	StatefulForwarding bool
	// IPForwardOff says the instance's OS does not route (net.ipv4.ip_forward=0) although an
	// interface of it has its source/destination check off: what a route sends it through it
	// ends there, dropped by the OS (§6.2). By default an instance with a check off forwards,
	// as a configured appliance image does. A lab says `ip_forward: false`.
	IPForwardOff bool
	State        string // running, stopped, terminated, ...
	Tags         []Tag
	Src          Source
}

// SecurityGroup: §4. The default group of a VPC has Name "default".
type SecurityGroup struct {
	ID      SecurityGroupID
	VPC     VPCID
	Name    string // GroupName
	Ingress []SecurityGroupRule
	Egress  []SecurityGroupRule
	Tags    []Tag
	Src     Source
}

// Protocol numbers; ProtocolAll (-1) matches everything (§4.1.4).
const (
	ProtocolAll  = -1
	ProtocolICMP = 1
	ProtocolTCP  = 6
	ProtocolUDP  = 17
)

// SecurityGroupRule is one rule with one peer. For TCP/UDP FromPort..ToPort is the port range;
// for ICMP FromPort is the type and ToPort the code (-1 = any); for other protocols both are
// ignored. Exactly one of CIDR, PrefixList and Group is set.
type SecurityGroupRule struct {
	ID         string // sgr- rule ID, or "<sg-id>:ingress:<n>" when the input had none
	Protocol   int
	FromPort   int
	ToPort     int
	CIDR       netip.Prefix
	PrefixList PrefixListID
	Group      SecurityGroupID
	// GroupAccount is the owner of a referenced group in another account ("account/sg-..."),
	// and GroupVPC and GroupPeering the peer VPC and peering connection AWS records for a
	// reference across a peering (§7.1.11); empty for a group of the same account and VPC.
	GroupAccount string
	GroupVPC     VPCID
	GroupPeering PeeringID
	Description  string
	Src          Source
}

// NetworkACL: §5. Default marks the VPC's default NACL; Subnets lists associations.
type NetworkACL struct {
	ID      NetworkACLID
	VPC     VPCID
	Default bool
	Subnets []SubnetID
	Entries []NetworkACLEntry
	Name    string
	Tags    []Tag
	Src     Source
}

// NetworkACLEntry is one numbered rule. RuleNumber 32767 is the final "*" deny rule. Ports
// apply to TCP/UDP, ICMPType/ICMPCode to ICMP (-1 = any).
type NetworkACLEntry struct {
	RuleNumber int
	Egress     bool
	Protocol   int
	Allow      bool
	CIDR       netip.Prefix
	FromPort   int
	ToPort     int
	ICMPType   int
	ICMPCode   int
	Src        Source
}

// VPNGateway is a virtual private gateway: §7.3. VPC is empty when detached.
type VPNGateway struct {
	ID   VPNGatewayID
	VPC  VPCID
	ASN  int64
	Name string
	Tags []Tag
	Src  Source
}

// VPNConnection is a Site-to-Site VPN on a VGW; its static routes are prefixes the VGW knows.
type VPNConnection struct {
	ID         VPNConnectionID
	VPNGateway VPNGatewayID
	// TransitGateway is set instead of VPNGateway for a VPN on a transit gateway (§7.2.20);
	// its routes are in the transit gateway's tables.
	TransitGateway  TransitGatewayID
	CustomerGateway CustomerGatewayID
	StaticRoutes    []netip.Prefix
	State           string
	Name            string
	Src             Source
}

// PrefixList is a managed prefix list (pl-), used as a route destination or an SG peer.
type PrefixList struct {
	ID    PrefixListID
	Name  string
	CIDRs []netip.Prefix
	Src   Source
}

// OnPremNetwork is a network beyond a VGW (over VPN or Direct Connect), declared by a lab.
// The VGW forwards to these prefixes (§7.3.2) and propagates them as VPN static routes.
//
// Exactly one of VPNGateway, VPNConnection and VirtualInterface says how it is reached: behind
// a VGW (its VPN or Direct Connect), behind a VPN connection (on a VGW or a transit gateway),
// or behind a Direct Connect virtual interface (to a VGW or a DX gateway). Its CIDRs are the
// prefixes it advertises by BGP (§7.2.5, §16.4).
type OnPremNetwork struct {
	Name             string
	VPNGateway       VPNGatewayID
	VPNConnection    VPNConnectionID
	VirtualInterface VirtualInterfaceID
	CIDRs            []netip.Prefix
	Hosts            []*ExternalHost
	Src              Source
}

// ExternalHost is a named host outside the VPCs: on the internet or on-premises.
type ExternalHost struct {
	Name       string
	IP         netip.Addr
	InitialTTL uint8 // 0 means 64, a typical Linux host
	Src        Source
}
