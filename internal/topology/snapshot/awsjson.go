package snapshot

import (
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// The types below are lean mirrors of the describe-* answers: one type per AWS resource with
// only the fields vpclab models, decoded straight from the JSON (the Batfish approach, and
// far lighter than the AWS SDK). Field names are AWS's; the decoder (decode.go) matches them.

type awsTag struct{ Key, Value string }

// tagged holds the tags of a resource: most answers say Tags, ENIs say TagSet.
type tagged struct {
	Tags   []awsTag
	TagSet []awsTag
}

func (t tagged) list() []awsTag {
	if t.Tags != nil {
		return t.Tags
	}
	return t.TagSet
}

// awsTime is a timestamp in either AWS CLI style: "2020-03-03 01:21:01+00:00" (CLI v1,
// Python's isoformat) or "2020-03-03T01:21:01.000Z" (CLI v2, ISO 8601). Decoding never
// fails, so one bad timestamp does not hide the rest of its object: Raw keeps the text and
// Bad marks a value that is not a timestamp, reported later with its JSON path.
type awsTime struct {
	T   time.Time
	Raw string
	Bad bool
}

var awsTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
}

func (t *awsTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err // a syntax error, which the file reports
	}
	if v.Kind() == 'n' {
		*t = awsTime{}
		return nil
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if v.Kind() != '"' || err != nil {
		*t = awsTime{Raw: string(v), Bad: true}
		return nil
	}
	*t = parseAWSTime(string(b))
	return nil
}

// parseAWSTime reads the text of a timestamp.
func parseAWSTime(s string) awsTime {
	for _, layout := range awsTimeLayouts {
		if v, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return awsTime{T: v, Raw: s}
		}
	}
	return awsTime{Raw: s, Bad: true}
}

// describe-vpcs
type awsVpc struct {
	VpcId                   string
	OwnerId                 string
	CidrBlock               string
	CidrBlockAssociationSet []struct {
		CidrBlock      string
		CidrBlockState struct{ State string }
	}
	tagged
}

// describe-subnets
type awsSubnet struct {
	SubnetId                    string
	VpcId                       string
	CidrBlock                   string
	AvailabilityZone            string
	Ipv6CidrBlockAssociationSet []jsontext.Value
	tagged
}

// describe-route-tables, §9.3
type awsRouteTable struct {
	RouteTableId string
	VpcId        string
	Associations []struct {
		Main             bool
		SubnetId         string
		GatewayId        string
		AssociationState *struct{ State string }
	}
	PropagatingVgws []struct{ GatewayId string }
	Routes          []awsRoute
	tagged
}

type awsRoute struct {
	DestinationCidrBlock        string
	DestinationIpv6CidrBlock    string
	DestinationPrefixListId     string
	GatewayId                   string
	NatGatewayId                string
	NetworkInterfaceId          string
	InstanceId                  string
	TransitGatewayId            string
	VpcPeeringConnectionId      string
	EgressOnlyInternetGatewayId string
	VpcEndpointId               string
	LocalGatewayId              string
	CarrierGatewayId            string
	CoreNetworkArn              string
	OdbNetworkArn               string
	Origin                      string
	State                       string
}

// describe-internet-gateways
type awsInternetGateway struct {
	InternetGatewayId string
	Attachments       []struct{ State, VpcId string }
	tagged
}

// describe-nat-gateways, §9.2
type awsNatGateway struct {
	NatGatewayId        string
	VpcId               string
	SubnetId            string
	State               string
	ConnectivityType    string
	CreateTime          awsTime
	DeleteTime          awsTime
	NatGatewayAddresses []struct {
		AllocationId       string
		NetworkInterfaceId string
		PrivateIp          string
		PublicIp           string
		IsPrimary          *bool
	}
	tagged
}

// describe-addresses (Elastic IPs)
type awsAddress struct {
	AllocationId       string
	PublicIp           string
	NetworkInterfaceId string
	PrivateIpAddress   string
	InstanceId         string
	tagged
}

type awsAssociation struct{ PublicIp string }

// describe-network-interfaces; instances carry the same shape (without InterfaceType).
// Association is the public IP of the primary private IP (PrivateIpAddress); each address of
// PrivateIpAddresses may carry its own.
type awsENI struct {
	NetworkInterfaceId string
	VpcId              string
	SubnetId           string
	InterfaceType      string
	PrivateIpAddress   string
	Association        *awsAssociation
	PrivateIpAddresses []awsPrivateIP
	Groups             []struct{ GroupId string }
	SourceDestCheck    *bool
	MacAddress         string
	Attachment         *awsAttachment
	Description        string
	RequesterManaged   bool
	tagged
}

type awsPrivateIP struct {
	PrivateIpAddress string
	Primary          bool
	Association      *awsAssociation
}

type awsAttachment struct {
	InstanceId  string
	DeviceIndex *int
	AttachTime  awsTime
}

// describe-instances
type awsReservation struct {
	Instances []awsInstance
}

// PublicIpAddress is the public IP of the primary private IP of the instance's primary
// network interface (device index 0).
type awsInstance struct {
	InstanceId        string
	State             struct{ Name string }
	LaunchTime        awsTime
	PublicIpAddress   string
	NetworkInterfaces []awsENI
	tagged
}

// describe-security-groups, §4.1
type awsSecurityGroup struct {
	GroupId             string
	GroupName           string
	VpcId               string
	OwnerId             string
	IpPermissions       []awsPermission
	IpPermissionsEgress []awsPermission
	tagged
}

type awsPermission struct {
	IpProtocol string
	FromPort   *int
	ToPort     *int
	IpRanges   []struct{ CidrIp, Description string }
	Ipv6Ranges []struct{ CidrIpv6, Description string }
	// PrefixListIds and UserIdGroupPairs are the other two peer kinds.
	PrefixListIds    []struct{ PrefixListId, Description string }
	UserIdGroupPairs []awsGroupPair
}

// awsGroupPair references a security group: UserId is its owner; VpcId and
// VpcPeeringConnectionId are set for a group across a peering (§7.1.11).
type awsGroupPair struct {
	GroupId                string
	UserId                 string
	VpcId                  string
	VpcPeeringConnectionId string
	Description            string
}

// describe-network-acls, §5
type awsNetworkAcl struct {
	NetworkAclId string
	VpcId        string
	IsDefault    bool
	Associations []struct{ SubnetId string }
	Entries      []awsACLEntry
	tagged
}

type awsACLEntry struct {
	RuleNumber    *int
	Protocol      string
	RuleAction    string
	Egress        bool
	CidrBlock     string
	Ipv6CidrBlock string
	PortRange     *struct{ From, To *int }
	IcmpTypeCode  *struct{ Type, Code *int }
}

// describe-vpn-gateways, §7.3
type awsVpnGateway struct {
	VpnGatewayId   string
	AmazonSideAsn  int64
	VpcAttachments []struct{ State, VpcId string }
	tagged
}

// describe-vpn-connections, §7.3
type awsVpnConnection struct {
	VpnConnectionId   string
	VpnGatewayId      string
	TransitGatewayId  string // a VPN on a transit gateway (§7.2.20)
	CustomerGatewayId string
	State             string
	Routes            []struct{ DestinationCidrBlock, State string }
	tagged
}

// describe-vpc-endpoints (§9.6)
type awsVpcEndpoint struct {
	VpcEndpointId       string
	VpcEndpointType     string
	VpcId               string
	ServiceName         string
	State               string
	RouteTableIds       []string
	IpAddressType       string
	SubnetIds           []string
	NetworkInterfaceIds []string
	Groups              []struct{ GroupId string }
	tagged
}

// describe-prefix-lists
type awsPrefixList struct {
	PrefixListId   string
	PrefixListName string
	Cidrs          []string // describe-prefix-lists (AWS-managed lists)
	// describe-managed-prefix-lists: AWS-managed and customer-managed lists, whose entries
	// come from get-managed-prefix-list-entries, one answer per list.
	AddressFamily string
	OwnerId       string
	MaxEntries    int
}

// get-managed-prefix-list-entries: one entry of one list.
type awsPrefixListEntry struct {
	Cidr        string
	Description string
}

// plEntryIn is an entry of the list the file's name names.
type plEntryIn struct {
	list  string
	entry awsPrefixListEntry
}
