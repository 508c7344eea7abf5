package model

import (
	"fmt"
	"slices"
	"strings"
)

// Route targets: one row per kind says everything vpclab knows about it, so the loaders, the
// generator, validation and the trace JSON read one table, and adding a kind means adding a
// row here (and, if it is modelled, its node in the engine).

// TargetKind is the kind of a route target (§9.3).
type TargetKind int

const (
	TargetLocal TargetKind = iota + 1
	TargetInternetGateway
	TargetNATGateway
	TargetNetworkInterface
	TargetInstance
	TargetVPNGateway
	TargetVPCEndpoint // gateway endpoint, GWLB endpoint or firewall endpoint (vpce-)
	TargetTransitGateway
	TargetPeering
	TargetEgressOnlyInternetGateway
	TargetOther // local gateway, carrier gateway, core network, ...: not modelled (fail closed)
)

// Target is a route's next hop. ID is "local" for the local route, else the target's AWS ID.
type Target struct {
	Kind TargetKind
	ID   string
}

func (t Target) String() string { return t.ID }

// TargetKindInfo is one row of the route-target table.
type TargetKindInfo struct {
	Kind TargetKind
	Name string // as String prints it and components are kinded: "nat-gateway"
	Noun string // as messages say it: "NAT gateway"
	// Fields are the ways AWS writes a target of this kind (§9.1, §9.3): its ID prefix and
	// the members that carry it. Writers use the first whose prefix the ID has.
	Fields []TargetField
	// InVPCCIDR: a route to it may have a destination inside the VPC CIDR (a subnet's CIDR,
	// §1.2.5: the middlebox targets).
	InVPCCIDR bool
	// Modelled: the engine forwards to it. Traffic routed to the others is dropped as
	// UNSUPPORTED_COMPONENT, and Validate warns about the route.
	Modelled bool
}

// TargetField is one way AWS writes a target.
type TargetField struct {
	// Prefix is how the ID begins, up to its "-" (or ":" for an ARN). Without such an ending
	// it is a whole ID ("local"); empty, it is any ID (the last resort of TargetOther).
	Prefix string
	// Describe is the member of describe-route-tables' Route that carries the ID; GatewayId
	// is shared by local, igw-, vgw-, vpce- and gateways vpclab does not know, which the
	// prefix tells apart.
	Describe string
	// Analysis is the member of Reachability Analyzer's AnalysisRouteTableRoute that carries
	// it; a Vpclab prefix marks a member AWS does not have.
	Analysis string
}

// Matches reports whether id is written this way.
func (f TargetField) Matches(id string) bool {
	switch {
	case f.Prefix == "":
		return true
	case strings.HasSuffix(f.Prefix, "-") || strings.HasSuffix(f.Prefix, ":"):
		return strings.HasPrefix(id, f.Prefix)
	}
	return id == f.Prefix
}

// targetKinds is the table, indexed by kind. Rows are in reading order: a reader that meets
// several target members (an instance route names the instance and its ENI) takes the
// first row's, so the ENI, where AWS actually sends the traffic, wins.
var targetKinds = [...]TargetKindInfo{
	TargetLocal: {Kind: TargetLocal, Name: "local", Noun: "local route", Modelled: true,
		Fields: []TargetField{{"local", "GatewayId", "GatewayId"}}},
	TargetInternetGateway: {Kind: TargetInternetGateway, Name: "internet-gateway", Noun: "internet gateway", Modelled: true,
		Fields: []TargetField{{"igw-", "GatewayId", "GatewayId"}}},
	TargetNATGateway: {Kind: TargetNATGateway, Name: "nat-gateway", Noun: "NAT gateway", InVPCCIDR: true, Modelled: true,
		Fields: []TargetField{{"nat-", "NatGatewayId", "NatGatewayId"}}},
	TargetNetworkInterface: {Kind: TargetNetworkInterface, Name: "network-interface", Noun: "network interface", InVPCCIDR: true, Modelled: true,
		Fields: []TargetField{{"eni-", "NetworkInterfaceId", "NetworkInterfaceId"}}},
	TargetInstance: {Kind: TargetInstance, Name: "instance", Noun: "instance", InVPCCIDR: true, Modelled: true,
		Fields: []TargetField{{"i-", "InstanceId", "InstanceId"}}},
	TargetVPNGateway: {Kind: TargetVPNGateway, Name: "vpn-gateway", Noun: "VPN gateway", Modelled: true,
		Fields: []TargetField{{"vgw-", "GatewayId", "GatewayId"}}},
	// describe-route-tables prints an endpoint as GatewayId; CreateRoute names a GWLB
	// endpoint VpcEndpointId, which hand-written snapshots may copy (§9.3).
	// Gateway endpoints (S3, DynamoDB) are modelled (§7.4.1-7); a route to an endpoint of
	// another type compiles to a node that drops as UNSUPPORTED_COMPONENT.
	TargetVPCEndpoint: {Kind: TargetVPCEndpoint, Name: "vpc-endpoint", Noun: "VPC endpoint", InVPCCIDR: true, Modelled: true,
		Fields: []TargetField{{"vpce-", "GatewayId", "GatewayId"}, {"vpce-", "VpcEndpointId", "GatewayId"}}},
	TargetTransitGateway: {Kind: TargetTransitGateway, Name: "transit-gateway", Noun: "transit gateway", Modelled: true,
		Fields: []TargetField{{"tgw-", "TransitGatewayId", "TransitGatewayId"}}},
	TargetPeering: {Kind: TargetPeering, Name: "vpc-peering-connection", Noun: "VPC peering connection", Modelled: true,
		Fields: []TargetField{{"pcx-", "VpcPeeringConnectionId", "VpcPeeringConnectionId"}}},
	TargetEgressOnlyInternetGateway: {Kind: TargetEgressOnlyInternetGateway, Name: "egress-only-internet-gateway", Noun: "egress-only internet gateway",
		Fields: []TargetField{{"eigw-", "EgressOnlyInternetGatewayId", "EgressOnlyInternetGatewayId"}}},
	// Reachability Analyzer has no member for an ODB network; the core network ARN prefix
	// is the aws partition's.
	TargetOther: {Kind: TargetOther, Name: "other", Noun: "other target",
		Fields: []TargetField{
			{"lgw-", "LocalGatewayId", "LocalGatewayId"},
			{"cagw-", "CarrierGatewayId", "CarrierGatewayId"},
			{"arn:aws:networkmanager:", "CoreNetworkArn", "CoreNetworkArn"},
			{"arn:aws:odb:", "OdbNetworkArn", "VpclabOdbNetworkArn"},
			{"", "GatewayId", "GatewayId"},
		}},
}

// TargetKinds returns the table's rows in reading order.
func TargetKinds() []TargetKindInfo { return slices.Clone(targetKinds[1:]) }

// Info is k's row; the zero row when k is not a kind.
func (k TargetKind) Info() TargetKindInfo {
	if k > 0 && int(k) < len(targetKinds) {
		return targetKinds[k]
	}
	return TargetKindInfo{}
}

func (k TargetKind) String() string {
	if k > 0 && int(k) < len(targetKinds) {
		return targetKinds[k].Name
	}
	return fmt.Sprintf("TargetKind(%d)", int(k))
}

// Field is how AWS writes t: the first of its kind's fields whose prefix its ID has, else
// the kind's first field. The zero TargetField when t has no kind.
func (t Target) Field() TargetField {
	fs := t.Kind.Info().Fields
	for _, f := range fs {
		if f.Matches(t.ID) {
			return f
		}
	}
	if len(fs) > 0 {
		return fs[0]
	}
	return TargetField{}
}

// TargetKindOfField is the kind of the target id that the describe-route-tables member
// field carries: the first row with that member and id's prefix, else the first row with
// that member (a NatGatewayId is a NAT gateway whatever its ID looks like). ok is false
// when no row has the member.
func TargetKindOfField(field, id string) (kind TargetKind, ok bool) {
	for _, r := range targetKinds[1:] {
		for _, f := range r.Fields {
			if f.Describe == field && f.Matches(id) {
				return r.Kind, true
			}
		}
	}
	for _, r := range targetKinds[1:] {
		for _, f := range r.Fields {
			if f.Describe == field {
				return r.Kind, true
			}
		}
	}
	return 0, false
}

// TargetKindOfID is the kind whose ID prefix id has ("nat-0123..." is a NAT gateway), for
// IDs written without the member that carries them; ok is false for an ID no row's
// prefix matches.
func TargetKindOfID(id string) (kind TargetKind, ok bool) {
	for _, r := range targetKinds[1:] {
		for _, f := range r.Fields {
			if f.Prefix != "" && f.Matches(id) {
				return r.Kind, true
			}
		}
	}
	return 0, false
}
