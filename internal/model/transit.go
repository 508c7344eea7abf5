package model

import "net/netip"

// Across VPCs, accounts and regions: VPC peering (§7.1), transit gateways (§7.2) and Direct
// Connect gateways (§16). A topology holds one estate however many accounts and regions it
// spans; VPC.Account and VPC.Region say where each VPC lives.

// IDs of the constructs that join VPCs. A Direct Connect gateway's ID is a bare UUID (§16.1).
type (
	PeeringID              string // pcx-
	TransitGatewayID       string // tgw-
	TGWAttachmentID        string // tgw-attach-
	TGWRouteTableID        string // tgw-rtb-
	DXGatewayID            string // a UUID
	VirtualInterfaceID     string // dxvif-
	DXGatewayAssociationID string
)

// Lifecycle states that forward (§7.1.3, §7.2.3, §16.9).
const (
	StateActive     = "active"
	StateAvailable  = "available"
	StateAssociated = "associated"
	StateAttached   = "attached"
)

// VPCPeering is a VPC peering connection (§7.1, §9.4). Only Status "active" forwards.
type VPCPeering struct {
	ID        PeeringID
	Status    string // active, pending-acceptance, provisioning, rejected, expired, failed, deleting, deleted
	Requester PeeringSide
	Accepter  PeeringSide
	Name      string
	Tags      []Tag
	Src       Source
}

// PeeringSide is one end of a peering: its VPC and the blocks the peering carries for it
// (CidrBlockSet, Ipv6CidrBlockSet: §7.1.6 checks the side being entered against them).
type PeeringSide struct {
	VPC       VPCID
	Account   string // OwnerId
	Region    string
	CIDRs     []netip.Prefix
	IPv6CIDRs []netip.Prefix
	// AllowDNS is PeeringOptions.AllowDnsResolutionFromRemoteVpc: name resolution only
	// (§7.1.14), no dataplane effect.
	AllowDNS bool
}

// Side returns the side of the peering whose VPC is v, and the other side; ok is false
// when v is neither.
func (p *VPCPeering) Side(v VPCID) (this, other *PeeringSide, ok bool) {
	switch v {
	case p.Requester.VPC:
		return &p.Requester, &p.Accepter, true
	case p.Accepter.VPC:
		return &p.Accepter, &p.Requester, true
	}
	return nil, nil, false
}

// InterRegion reports whether the two sides are in different regions (MTU 1500, no SG
// references: §7.1.11, §7.1.15). Unknown regions count as the same.
func (p *VPCPeering) InterRegion() bool {
	return p.Requester.Region != "" && p.Accepter.Region != "" && p.Requester.Region != p.Accepter.Region
}

// TransitGateway is a regional router (§7.2.1).
type TransitGateway struct {
	ID      TransitGatewayID
	Account string
	Region  string
	State   string // available, pending, modifying, deleting, deleted
	ASN     int64  // AmazonSideAsn
	// DefaultAssociation and DefaultPropagation are the enable/disable options; the route
	// tables they name are AssociationDefaultRouteTableId and PropagationDefaultRouteTableId.
	DefaultAssociation      bool
	DefaultPropagation      bool
	AssociationDefaultTable TGWRouteTableID
	PropagationDefaultTable TGWRouteTableID
	VPNECMP                 bool
	DNSSupport              bool
	// SGReferencing is SecurityGroupReferencingSupport: off by default (§7.2.17).
	SGReferencing bool
	CIDRBlocks    []netip.Prefix
	Name          string
	Tags          []Tag
	Src           Source
}

// TGWAttachmentType is an attachment's ResourceType (§7.2.2).
type TGWAttachmentType string

// Attachment types. vpclab models vpc, vpn, direct-connect-gateway and peering; the others
// load with a warning and drop what reaches them (§7.2.2).
const (
	AttachVPC       TGWAttachmentType = "vpc"
	AttachVPN       TGWAttachmentType = "vpn"
	AttachDXGateway TGWAttachmentType = "direct-connect-gateway"
	AttachPeering   TGWAttachmentType = "peering"
	AttachConnect   TGWAttachmentType = "connect"
)

// Modelled reports whether the engine forwards through attachments of this type.
func (t TGWAttachmentType) Modelled() bool {
	switch t {
	case AttachVPC, AttachVPN, AttachDXGateway, AttachPeering, "tgw-peering":
		return true
	}
	return false
}

// TGWAttachment joins a transit gateway to a VPC, a VPN connection, a Direct Connect gateway
// or another transit gateway (§7.2.2-13, §9.5).
type TGWAttachment struct {
	ID             TGWAttachmentID
	TransitGateway TransitGatewayID
	Type           TGWAttachmentType
	// ResourceID is the VPC, VPN connection, DX gateway or peer transit gateway.
	ResourceID    string
	ResourceOwner string
	State         string // available, pending, pendingAcceptance, deleting, ...
	// Association is the route table packets arriving from the attachment are looked up in
	// (§7.2.4); empty when unassociated. AssociationState is "associated" when it holds.
	Association      TGWRouteTableID
	AssociationState string
	// VPC attachments (§7.2.9): one subnet per Availability Zone, and the options.
	Subnets       []SubnetID
	ApplianceMode bool
	IPv6Support   bool
	DNSSupport    bool
	SGReferencing bool // on by default at creation (§7.2.17)
	// Peering attachments (§7.2.19): the transit gateway at the other end.
	PeerTransitGateway TransitGatewayID
	PeerAccount        string
	PeerRegion         string
	Name               string
	Tags               []Tag
	Src                Source
}

// Forwards reports whether the attachment is in a state that carries traffic (§7.2.3).
func (a *TGWAttachment) Forwards() bool { return a.State == "" || a.State == StateAvailable }

// TGWRouteTable is a transit gateway route table (§7.2.4-8).
type TGWRouteTable struct {
	ID             TGWRouteTableID
	TransitGateway TransitGatewayID
	State          string
	// Routes are the table's routes as search-transit-gateway-routes lists them (static,
	// propagated and prefix-list routes, AWS's winners: §9.5), or as a lab declares its
	// static routes. When Searched is false the engine adds the propagated routes from
	// Propagations itself (§7.2.5, the fallback of §9.5).
	Routes   []TGWRoute
	Searched bool
	// Propagations are the attachments whose routes propagate into the table (state
	// enabled).
	Propagations []TGWAttachmentID
	// PrefixListReferences turn each entry of a list into a route (§7.2.6).
	PrefixListReferences []TGWPrefixListReference
	DefaultAssociation   bool
	DefaultPropagation   bool
	Name                 string
	Tags                 []Tag
	Src                  Source
}

// TGW route types and states (§9.5).
const (
	TGWRouteStatic     = "static"
	TGWRoutePropagated = "propagated"
	TGWRouteActive     = "active"
	TGWRouteBlackhole  = "blackhole"
)

// TGWRoute is one route of a transit gateway route table. Attachments is empty for a
// blackhole; several attachments are equal-cost paths (VPN ECMP, §7.2.7).
type TGWRoute struct {
	Destination netip.Prefix
	PrefixList  PrefixListID
	Attachments []TGWAttachmentID
	Type        string // static or propagated
	State       string // active or blackhole
	// Via is the kind of attachment a propagated route came from (vpc,
	// direct-connect-gateway, vpn, ...): it orders equal prefixes (§7.2.7).
	Via TGWAttachmentType
	Src Source
}

// TGWPrefixListReference makes each entry of a prefix list a route to an attachment, or a
// blackhole (§7.2.6).
type TGWPrefixListReference struct {
	PrefixList PrefixListID
	Attachment TGWAttachmentID
	Blackhole  bool
	Src        Source
}

// DXGateway is a Direct Connect gateway (§16): global, joining virtual interfaces to VGWs or
// transit gateways, with no transit between its associations.
type DXGateway struct {
	ID      DXGatewayID
	Name    string
	ASN     int64
	Account string
	State   string // available, pending, deleting, deleted
	Src     Source
}

// DXGatewayAssociation associates a DX gateway with a VGW or a transit gateway (§16.2-3).
type DXGatewayAssociation struct {
	ID        DXGatewayAssociationID
	DXGateway DXGatewayID
	// Gateway is the vgw- or tgw- ID; GatewayType virtualPrivateGateway or transitGateway.
	Gateway     string
	GatewayType string
	Account     string
	Region      string
	State       string // associated, associating, ...
	// AllowedPrefixes: toward on-premises, a VGW association advertises the VPC CIDRs they
	// contain, a TGW association the prefixes themselves (§16.3).
	AllowedPrefixes []netip.Prefix
	Src             Source
}

// DX gateway association gateway types (§16.10).
const (
	DXAssocVGW = "virtualPrivateGateway"
	DXAssocTGW = "transitGateway"
)

// VirtualInterface is a Direct Connect virtual interface: private (to a VGW or a DX gateway
// with VGW associations) or transit (to a DX gateway with TGW associations) (§16.2, §16.7).
type VirtualInterface struct {
	ID         VirtualInterfaceID
	Name       string
	Type       string // private, transit, public
	DXGateway  DXGatewayID
	VPNGateway VPNGatewayID
	State      string // available, down, ...
	MTU        int    // 1500, 9001 (private) or 8500 (transit)
	ASN        int64
	Account    string
	Region     string
	Src        Source
}
