package gen

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/vpclab/vpclab/internal/model"
)

// The describe-* answer shapes, fields in the alphabetical order the AWS CLI prints them
// (see the Batfish snapshots under conformance/). Optional fields are omitted when empty,
// as AWS omits them; lists AWS always prints are never nil.

type awsTag struct{ Key, Value string }

type vpcJSON struct {
	CidrBlock               string
	CidrBlockAssociationSet []vpcCIDRJSON
	DhcpOptionsId           string
	InstanceTenancy         string
	IsDefault               bool
	OwnerId                 string
	State                   string
	Tags                    []awsTag
	VpcId                   string
}

type vpcCIDRJSON struct {
	AssociationId  string
	CidrBlock      string
	CidrBlockState struct{ State string }
}

func (w *writer) vpc(v *model.VPC) vpcJSON {
	out := vpcJSON{DhcpOptionsId: derived("dopt", w.owner), InstanceTenancy: "default", OwnerId: orOwner(v.Account, w.owner),
		State: "available", Tags: tagList(v.Name, v.Tags), VpcId: string(v.ID), CidrBlockAssociationSet: []vpcCIDRJSON{}}
	for i, c := range v.CIDRs {
		if i == 0 {
			out.CidrBlock = c.String()
		}
		a := vpcCIDRJSON{AssociationId: derived("vpc-cidr-assoc", string(v.ID)+"/"+c.String()), CidrBlock: c.String()}
		a.CidrBlockState.State = "associated"
		out.CidrBlockAssociationSet = append(out.CidrBlockAssociationSet, a)
	}
	return out
}

type subnetJSON struct {
	AssignIpv6AddressOnCreation bool
	AvailabilityZone            string
	AvailabilityZoneId          string
	AvailableIpAddressCount     int
	CidrBlock                   string
	DefaultForAz                bool
	Ipv6CidrBlockAssociationSet []struct{}
	MapPublicIpOnLaunch         bool
	OwnerId                     string
	State                       string
	SubnetArn                   string
	SubnetId                    string
	Tags                        []awsTag
	VpcId                       string
}

func (w *writer) subnet(s *model.Subnet) subnetJSON {
	zone := w.zone(s.ID)
	return subnetJSON{AvailabilityZone: zone, AvailabilityZoneId: zoneID(zone),
		AvailableIpAddressCount: max(0, 1<<(32-s.CIDR.Bits())-5-w.eniUsed[s.ID]), CidrBlock: s.CIDR.String(),
		Ipv6CidrBlockAssociationSet: []struct{}{}, MapPublicIpOnLaunch: w.public[s.ID], OwnerId: w.owner, State: "available",
		SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region(zone), w.owner, s.ID),
		SubnetId:  string(s.ID), Tags: tagList(s.Name, s.Tags), VpcId: string(s.VPC)}
}

type routeTableJSON struct {
	Associations    []rtAssocJSON
	OwnerId         string
	PropagatingVgws []struct{ GatewayId string }
	RouteTableId    string
	Routes          []routeJSON
	Tags            []awsTag
	VpcId           string
}

type rtAssocJSON struct {
	AssociationState        struct{ State string }
	GatewayId               string `json:",omitempty"`
	Main                    bool
	RouteTableAssociationId string
	RouteTableId            string
	SubnetId                string `json:",omitempty"`
}

// routeJSON is one route of describe-route-tables. A map, because its target member comes
// from model's target table; encoding/json writes the keys sorted, as the AWS CLI does.
type routeJSON map[string]string

func (w *writer) routeTable(rt *model.RouteTable) routeTableJSON {
	out := routeTableJSON{OwnerId: w.owner, PropagatingVgws: []struct{ GatewayId string }{}, RouteTableId: string(rt.ID),
		Tags: tagList(rt.Name, rt.Tags), VpcId: string(rt.VPC), Associations: []rtAssocJSON{}, Routes: []routeJSON{}}
	assoc := func(main bool, subnet, gw string) {
		a := rtAssocJSON{Main: main, RouteTableId: string(rt.ID), SubnetId: subnet, GatewayId: gw,
			RouteTableAssociationId: derived("rtbassoc", string(rt.ID)+"/"+subnet+gw)}
		a.AssociationState.State = "associated"
		out.Associations = append(out.Associations, a)
	}
	if rt.Main {
		assoc(true, "", "")
	}
	for _, s := range rt.Subnets {
		assoc(false, string(s), "")
	}
	for _, g := range rt.Gateways {
		assoc(false, "", g)
	}
	for _, g := range rt.PropagatingVGWs {
		out.PropagatingVgws = append(out.PropagatingVgws, struct{ GatewayId string }{string(g)})
	}
	for _, r := range rt.Routes {
		rj := routeJSON{"Origin": string(r.Origin), "State": string(r.State)}
		if r.Origin == "" {
			rj["Origin"] = string(model.OriginCreateRoute)
		}
		if r.State == "" {
			rj["State"] = string(model.RouteActive)
		}
		if r.DestinationPrefixList != "" {
			rj["DestinationPrefixListId"] = string(r.DestinationPrefixList)
		} else {
			rj["DestinationCidrBlock"] = r.Destination.String()
		}
		rj[r.Target.Field().Describe] = r.Target.ID
		if r.Target.Kind == model.TargetInstance {
			rj["InstanceOwnerId"] = w.owner
		}
		out.Routes = append(out.Routes, rj)
	}
	return out
}

type igwJSON struct {
	Attachments       []struct{ State, VpcId string }
	InternetGatewayId string
	OwnerId           string
	Tags              []awsTag
}

func (w *writer) igw(g *model.InternetGateway) igwJSON {
	out := igwJSON{Attachments: []struct{ State, VpcId string }{}, InternetGatewayId: string(g.ID), OwnerId: w.owner, Tags: tagList(g.Name, g.Tags)}
	if g.VPC != "" {
		out.Attachments = append(out.Attachments, struct{ State, VpcId string }{"available", string(g.VPC)})
	}
	return out
}

type natJSON struct {
	ConnectivityType    string
	CreateTime          string
	NatGatewayAddresses []natAddrJSON
	NatGatewayId        string
	State               string
	SubnetId            string
	Tags                []awsTag
	VpcId               string
}

type natAddrJSON struct {
	AllocationId       string `json:",omitempty"`
	AssociationId      string `json:",omitempty"`
	IsPrimary          bool
	NetworkInterfaceId string `json:",omitempty"`
	PrivateIp          string
	PublicIp           string `json:",omitempty"`
	Status             string
}

func (w *writer) nat(n *model.NATGateway) natJSON {
	out := natJSON{ConnectivityType: string(n.Connectivity), CreateTime: created(string(n.ID)), NatGatewayId: string(n.ID),
		State: n.State, SubnetId: string(n.Subnet), Tags: tagList(n.Name, n.Tags), VpcId: string(n.VPC), NatGatewayAddresses: []natAddrJSON{}}
	if out.ConnectivityType == "" {
		out.ConnectivityType = string(model.ConnectivityPublic)
	}
	if out.State == "" {
		out.State = "available"
	}
	for i, a := range n.Addresses {
		aj := natAddrJSON{AllocationId: string(a.AllocationID), IsPrimary: a.Primary || i == 0, NetworkInterfaceId: string(a.ENI),
			PrivateIp: a.PrivateIP.String(), Status: "succeeded"}
		if a.PublicIP.IsValid() {
			aj.PublicIp = a.PublicIP.String()
			aj.AssociationId = derived("eipassoc", string(a.ENI)+"/"+aj.PrivateIp)
		}
		out.NatGatewayAddresses = append(out.NatGatewayAddresses, aj)
	}
	return out
}

type addressJSON struct {
	AllocationId            string `json:",omitempty"`
	AssociationId           string `json:",omitempty"`
	Domain                  string
	InstanceId              string `json:",omitempty"`
	NetworkBorderGroup      string
	NetworkInterfaceId      string `json:",omitempty"`
	NetworkInterfaceOwnerId string `json:",omitempty"`
	PrivateIpAddress        string `json:",omitempty"`
	PublicIp                string
	PublicIpv4Pool          string
	Tags                    []awsTag `json:",omitempty"`
}

func (w *writer) address(a *model.Address) addressJSON {
	out := addressJSON{AllocationId: string(a.AllocationID), Domain: "vpc", InstanceId: string(a.Instance),
		NetworkBorderGroup: "us-east-1", NetworkInterfaceId: string(a.ENI), PublicIp: a.PublicIP.String(), PublicIpv4Pool: "amazon"}
	if a.Name != "" {
		out.Tags = []awsTag{{"Name", a.Name}}
	}
	if a.PrivateIP.IsValid() {
		out.PrivateIpAddress = a.PrivateIP.String()
	}
	if a.ENI != "" {
		out.NetworkInterfaceOwnerId = w.owner
		out.AssociationId = derived("eipassoc", string(a.ENI)+"/"+out.PrivateIpAddress)
	}
	return out
}

type securityGroupJSON struct {
	Description         string
	GroupId             string
	GroupName           string
	IpPermissions       []permissionJSON
	IpPermissionsEgress []permissionJSON
	OwnerId             string
	Tags                []awsTag `json:",omitempty"`
	VpcId               string
}

type permissionJSON struct {
	FromPort         *int `json:",omitempty"`
	IpProtocol       string
	IpRanges         []rangeJSON
	Ipv6Ranges       []struct{}
	PrefixListIds    []prefixListIDJSON
	ToPort           *int `json:",omitempty"`
	UserIdGroupPairs []groupPairJSON
}

type rangeJSON struct {
	CidrIp      string
	Description string `json:",omitempty"`
}

type prefixListIDJSON struct {
	Description  string `json:",omitempty"`
	PrefixListId string
}

type groupPairJSON struct {
	Description string `json:",omitempty"`
	GroupId     string
	UserId      string
}

func (w *writer) securityGroup(g *model.SecurityGroup) securityGroupJSON {
	desc := "Managed by vpclab"
	if g.Name == "default" {
		desc = "default VPC security group"
	}
	return securityGroupJSON{Description: desc, GroupId: string(g.ID), GroupName: g.Name, OwnerId: w.owner,
		IpPermissions: w.permissions(g.Ingress), IpPermissionsEgress: w.permissions(g.Egress),
		Tags: tagList("", g.Tags), VpcId: string(g.VPC)}
}

// permissions prints a direction's rules as permissions. AWS merges the rules of equal
// protocol and ports into one permission; here adjacent rules merge, when their peers come in
// the order a permission lists them (ranges, prefix lists, groups), so that an answer read
// back gives its rules in the same order.
func (w *writer) permissions(rules []model.SecurityGroupRule) []permissionJSON {
	out := []permissionJSON{}
	rank := func(r model.SecurityGroupRule) int {
		switch {
		case r.CIDR.IsValid():
			return 0
		case r.PrefixList != "":
			return 1
		}
		return 2
	}
	for i, r := range rules {
		if prev := i - 1; prev < 0 || !samePorts(rules[prev], r) || rank(r) < rank(rules[prev]) {
			p := permissionJSON{IpProtocol: protoName(r.Protocol), IpRanges: []rangeJSON{}, Ipv6Ranges: []struct{}{},
				PrefixListIds: []prefixListIDJSON{}, UserIdGroupPairs: []groupPairJSON{}}
			if r.Protocol != model.ProtocolAll {
				from, to := r.FromPort, r.ToPort
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
		}
		p := &out[len(out)-1]
		switch {
		case r.CIDR.IsValid():
			p.IpRanges = append(p.IpRanges, rangeJSON{CidrIp: r.CIDR.String(), Description: r.Description})
		case r.PrefixList != "":
			p.PrefixListIds = append(p.PrefixListIds, prefixListIDJSON{Description: r.Description, PrefixListId: string(r.PrefixList)})
		case r.Group != "":
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, groupPairJSON{Description: r.Description, GroupId: string(r.Group), UserId: w.owner})
		}
	}
	return out
}

// samePorts reports whether two rules have the same protocol and ports: one permission.
func samePorts(a, b model.SecurityGroupRule) bool {
	return a.Protocol == b.Protocol && (a.Protocol == model.ProtocolAll || a.FromPort == b.FromPort && a.ToPort == b.ToPort)
}

// protoName is IpProtocol as describe-security-groups prints it.
func protoName(p int) string {
	switch p {
	case model.ProtocolAll:
		return "-1"
	case model.ProtocolTCP:
		return "tcp"
	case model.ProtocolUDP:
		return "udp"
	case model.ProtocolICMP:
		return "icmp"
	case 58:
		return "icmpv6"
	}
	return strconv.Itoa(p)
}

type networkACLJSON struct {
	Associations []aclAssocJSON
	Entries      []aclEntryJSON
	IsDefault    bool
	NetworkAclId string
	OwnerId      string
	Tags         []awsTag
	VpcId        string
}

type aclAssocJSON struct {
	NetworkAclAssociationId string
	NetworkAclId            string
	SubnetId                string
}

type aclEntryJSON struct {
	CidrBlock    string
	Egress       bool
	IcmpTypeCode *struct{ Code, Type int } `json:",omitempty"`
	PortRange    *struct{ From, To int }   `json:",omitempty"`
	Protocol     string
	RuleAction   string
	RuleNumber   int
}

// networkACL prints the entries as describe-network-acls does: outbound first, each
// direction by rule number.
func (w *writer) networkACL(a *model.NetworkACL) networkACLJSON {
	entries := slices.Clone(a.Entries)
	slices.SortStableFunc(entries, func(x, y model.NetworkACLEntry) int { return cmp.Compare(x.RuleNumber, y.RuleNumber) })
	out := networkACLJSON{IsDefault: a.Default, NetworkAclId: string(a.ID), OwnerId: w.owner, Tags: tagList(a.Name, a.Tags),
		VpcId: string(a.VPC), Associations: []aclAssocJSON{}, Entries: []aclEntryJSON{}}
	for _, s := range a.Subnets {
		out.Associations = append(out.Associations, aclAssocJSON{NetworkAclAssociationId: derived("aclassoc", string(a.ID)+"/"+string(s)),
			NetworkAclId: string(a.ID), SubnetId: string(s)})
	}
	for _, egress := range []bool{true, false} {
		for _, e := range entries {
			if e.Egress != egress {
				continue
			}
			ej := aclEntryJSON{CidrBlock: e.CIDR.String(), Egress: e.Egress, Protocol: strconv.Itoa(e.Protocol),
				RuleAction: "deny", RuleNumber: e.RuleNumber}
			if e.Allow {
				ej.RuleAction = "allow"
			}
			switch e.Protocol {
			case model.ProtocolTCP, model.ProtocolUDP:
				ej.PortRange = &struct{ From, To int }{e.FromPort, e.ToPort}
			case model.ProtocolICMP:
				ej.IcmpTypeCode = &struct{ Code, Type int }{e.ICMPCode, e.ICMPType}
			}
			out.Entries = append(out.Entries, ej)
		}
	}
	return out
}

type vgwJSON struct {
	AmazonSideAsn  int64
	State          string
	Tags           []awsTag
	Type           string
	VpcAttachments []struct{ State, VpcId string }
	VpnGatewayId   string
}

func (w *writer) vgw(g *model.VPNGateway) vgwJSON {
	out := vgwJSON{AmazonSideAsn: g.ASN, State: "available", Tags: tagList(g.Name, g.Tags), Type: "ipsec.1",
		VpcAttachments: []struct{ State, VpcId string }{}, VpnGatewayId: string(g.ID)}
	if out.AmazonSideAsn == 0 {
		out.AmazonSideAsn = 64512
	}
	if g.VPC != "" {
		out.VpcAttachments = append(out.VpcAttachments, struct{ State, VpcId string }{"attached", string(g.VPC)})
	}
	return out
}

type vpnJSON struct {
	CustomerGatewayId string
	Routes            []struct{ DestinationCidrBlock, Source, State string }
	State             string
	Tags              []awsTag
	TransitGatewayId  string `json:",omitempty"` // a VPN on a transit gateway (§7.2.20)
	Type              string
	VpnConnectionId   string
	VpnGatewayId      string `json:",omitempty"`
}

func (w *writer) vpn(c *model.VPNConnection) vpnJSON {
	out := vpnJSON{CustomerGatewayId: string(c.CustomerGateway), State: c.State, Type: "ipsec.1",
		VpnConnectionId: string(c.ID), VpnGatewayId: string(c.VPNGateway), TransitGatewayId: string(c.TransitGateway), Tags: []awsTag{},
		Routes: []struct{ DestinationCidrBlock, Source, State string }{}}
	if out.State == "" {
		out.State = "available"
	}
	if c.Name != "" {
		out.Tags = []awsTag{{"Name", c.Name}}
	}
	for _, p := range c.StaticRoutes {
		out.Routes = append(out.Routes, struct{ DestinationCidrBlock, Source, State string }{p.String(), "Static", "available"})
	}
	return out
}

type prefixListJSON struct {
	Cidrs          []string
	PrefixListId   string
	PrefixListName string
}

func (w *writer) prefixList(p *model.PrefixList) prefixListJSON {
	out := prefixListJSON{Cidrs: []string{}, PrefixListId: string(p.ID), PrefixListName: p.Name}
	for _, c := range p.CIDRs {
		out.Cidrs = append(out.Cidrs, c.String())
	}
	return out
}

// vpcEndpointJSON is an element of describe-vpc-endpoints (§9.6).
type vpcEndpointJSON struct {
	Groups              []groupJSON `json:",omitempty"`
	NetworkInterfaceIds []string    `json:",omitempty"`
	OwnerId             string
	RouteTableIds       []string
	ServiceName         string
	State               string
	SubnetIds           []string `json:",omitempty"`
	Tags                []awsTag
	VpcEndpointId       string
	VpcEndpointType     string
	VpcId               string
}

func (w *writer) vpcEndpoint(e *model.VPCEndpoint) vpcEndpointJSON {
	out := vpcEndpointJSON{OwnerId: w.owner, RouteTableIds: []string{}, ServiceName: e.ServiceName, State: e.State,
		Tags: tagList(e.Name, e.Tags), VpcEndpointId: string(e.ID), VpcEndpointType: string(e.Type), VpcId: string(e.VPC)}
	if out.State == "" {
		out.State = model.EndpointAvailable
	}
	for _, id := range e.RouteTables {
		out.RouteTableIds = append(out.RouteTableIds, string(id))
	}
	if e.Type == model.EndpointGatewayLoadBalancer { // its one subnet and interface (§13.2)
		for _, id := range e.NetworkInterfaces {
			out.NetworkInterfaceIds = append(out.NetworkInterfaceIds, string(id))
		}
		for _, id := range e.Subnets {
			out.SubnetIds = append(out.SubnetIds, string(id))
		}
	}
	if e.Type == model.EndpointInterface {
		for _, id := range e.SecurityGroups {
			out.Groups = append(out.Groups, groupJSON{string(id), w.sgNames[id]})
		}
		for _, id := range e.NetworkInterfaces {
			out.NetworkInterfaceIds = append(out.NetworkInterfaceIds, string(id))
		}
		for _, id := range e.Subnets {
			out.SubnetIds = append(out.SubnetIds, string(id))
		}
		// The ports of an endpoint service travel as a tag (model.PortsTag); an AWS service's
		// are known.
		if !model.AWSService(e.ServiceName) && len(e.Ports) > 0 && !slices.ContainsFunc(e.Tags, func(t model.Tag) bool { return t.Key == model.PortsTag }) {
			out.Tags = append(out.Tags, awsTag{Key: model.PortsTag, Value: model.FormatPorts(e.Ports)})
		}
	}
	return out
}
