package snapshot

// Lean mirrors of the answers that join VPCs across accounts and regions: peering (§9.4),
// transit gateways (§9.5) and Direct Connect (§16.10). Direct Connect answers use
// lowerCamelCase keys; the decoder matches names whatever their case, so these types read
// both them and the PascalCase of Batfish's fixtures.

// describe-vpc-peering-connections, §9.4
type awsPeering struct {
	VpcPeeringConnectionId string
	Status                 struct{ Code, Message string }
	ExpirationTime         awsTime
	RequesterVpcInfo       awsPeeringVpcInfo
	AccepterVpcInfo        awsPeeringVpcInfo
	tagged
}

type awsPeeringVpcInfo struct {
	VpcId            string
	OwnerId          string
	Region           string
	CidrBlock        string
	CidrBlockSet     []struct{ CidrBlock string }
	Ipv6CidrBlockSet []struct{ Ipv6CidrBlock string }
	PeeringOptions   *struct{ AllowDnsResolutionFromRemoteVpc bool }
}

// describe-transit-gateways, §7.2.1
type awsTransitGateway struct {
	TransitGatewayId  string
	TransitGatewayArn string
	State             string
	OwnerId           string
	Options           struct {
		AmazonSideAsn                   int64
		DefaultRouteTableAssociation    string
		DefaultRouteTablePropagation    string
		AssociationDefaultRouteTableId  string
		PropagationDefaultRouteTableId  string
		VpnEcmpSupport                  string
		DnsSupport                      string
		SecurityGroupReferencingSupport string
		TransitGatewayCidrBlocks        []string
	}
	tagged
}

// describe-transit-gateway-attachments
type awsTGWAttachment struct {
	TransitGatewayAttachmentId string
	TransitGatewayId           string
	ResourceType               string
	ResourceId                 string
	ResourceOwnerId            string
	State                      string
	// Association is absent when the attachment is not associated.
	Association *struct{ TransitGatewayRouteTableId, State string }
	tagged
}

// describe-transit-gateway-vpc-attachments
type awsTGWVpcAttachment struct {
	TransitGatewayAttachmentId string
	TransitGatewayId           string
	VpcId                      string
	VpcOwnerId                 string
	State                      string
	SubnetIds                  []string
	Options                    struct {
		DnsSupport                      string
		Ipv6Support                     string
		ApplianceModeSupport            string
		SecurityGroupReferencingSupport string
	}
	tagged
}

// describe-transit-gateway-peering-attachments
type awsTGWPeeringAttachment struct {
	TransitGatewayAttachmentId string
	RequesterTgwInfo           awsTgwInfo
	AccepterTgwInfo            awsTgwInfo
	Status                     struct{ Code, Message string }
	State                      string
	tagged
}

type awsTgwInfo struct{ TransitGatewayId, OwnerId, Region string }

// describe-transit-gateway-route-tables
type awsTGWRouteTable struct {
	TransitGatewayRouteTableId   string
	TransitGatewayId             string
	State                        string
	DefaultAssociationRouteTable bool
	DefaultPropagationRouteTable bool
	tagged
}

// One route of search-transit-gateway-routes. DestinationCidrBlock may be IPv4 or IPv6;
// Batfish also writes DestinationIpv6CidrBlock. TransitGatewayAttachments is absent for a
// blackhole.
type awsTGWRoute struct {
	DestinationCidrBlock      string
	DestinationIpv6CidrBlock  string
	PrefixListId              string
	TransitGatewayAttachments []struct{ TransitGatewayAttachmentId, ResourceId, ResourceType string }
	Type                      string
	State                     string
}

// Batfish's wrapper of search-transit-gateway-routes, one element per table.
type awsTGWStaticRoutes struct {
	TransitGatewayRouteTableId string
	Routes                     []awsTGWRoute
	AdditionalRoutesAvailable  bool
}

// One entry of get-transit-gateway-route-table-associations or -propagations.
type awsTGWTableEntry struct {
	TransitGatewayAttachmentId string
	ResourceId                 string
	ResourceType               string
	State                      string
}

// Batfish's wrapper of get-transit-gateway-route-table-propagations, one element per table.
type awsTGWPropagations struct {
	TransitGatewayRouteTableId           string
	TransitGatewayRouteTablePropagations []awsTGWTableEntry
}

// get-transit-gateway-prefix-list-references
type awsTGWPrefixListReference struct {
	TransitGatewayRouteTableId string
	PrefixListId               string
	PrefixListOwnerId          string
	State                      string
	Blackhole                  bool
	TransitGatewayAttachment   *struct{ TransitGatewayAttachmentId, ResourceId, ResourceType string }
}

// describe-direct-connect-gateways, §16.10
type awsDXGateway struct {
	DirectConnectGatewayId    string
	DirectConnectGatewayName  string
	AmazonSideAsn             int64
	OwnerAccount              string
	DirectConnectGatewayState string
}

// describe-direct-connect-gateway-associations: associatedGateway, or in older answers the
// virtualGateway* fields.
type awsDXAssociation struct {
	AssociationId                         string
	DirectConnectGatewayId                string
	DirectConnectGatewayOwnerAccount      string
	AssociationState                      string
	AssociatedGateway                     *struct{ Id, Type, OwnerAccount, Region string }
	AllowedPrefixesToDirectConnectGateway []struct{ Cidr string }
	VirtualGatewayId                      string
	VirtualGatewayRegion                  string
	VirtualGatewayOwnerAccount            string
}

// describe-direct-connect-gateway-attachments
type awsDXAttachment struct {
	DirectConnectGatewayId       string
	VirtualInterfaceId           string
	VirtualInterfaceRegion       string
	VirtualInterfaceOwnerAccount string
	AttachmentState              string
	AttachmentType               string // TransitVirtualInterface or PrivateVirtualInterface
}

// describe-virtual-interfaces
type awsVirtualInterface struct {
	VirtualInterfaceId     string
	VirtualInterfaceName   string
	VirtualInterfaceType   string // private, transit, public
	Mtu                    int
	Asn                    int64
	VirtualInterfaceState  string
	VirtualGatewayId       string
	DirectConnectGatewayId string
	Region                 string
	OwnerAccount           string
}
