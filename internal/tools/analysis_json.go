package tools

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// The JSON of a trace follows EC2's NetworkInsightsAnalysis (Reachability Analyzer), so
// people and tools that read its output read ours. Field names are AWS's; vpclab's additions
// carry a Vpclab prefix.

// Analysis is a NetworkInsightsAnalysis.
type Analysis struct {
	NetworkInsightsAnalysisId string
	NetworkInsightsPathId     string
	Status                    string
	NetworkPathFound          bool
	ForwardPathComponents     []PathComponent
	ReturnPathComponents      []PathComponent `json:",omitempty"`
	Explanations              []Explanation   `json:",omitempty"`
}

// AnalysisComponent names a resource: its ID, its ARN where the topology says the account and
// region it lives in (transit gateways, their attachments and route tables, peering
// connections), and its Name tag.
type AnalysisComponent struct {
	Id   string
	Arn  string `json:",omitempty"`
	Name string `json:",omitempty"`
}

// PortRange is an inclusive range of ports.
type PortRange struct{ From, To int }

// AnalysisPacketHeader is the header a component received or sent.
type AnalysisPacketHeader struct {
	DestinationAddresses  []string
	DestinationPortRanges []PortRange `json:",omitempty"`
	Protocol              string
	SourceAddresses       []string
	SourcePortRanges      []PortRange `json:",omitempty"`
}

// AnalysisRouteTableRoute is the route that decided a lookup. One target member is set: the
// one model's target table names for the target's kind and ID.
type AnalysisRouteTableRoute struct {
	DestinationCidr             string `json:",omitempty"`
	DestinationPrefixListId     string `json:",omitempty"`
	EgressOnlyInternetGatewayId string `json:",omitempty"`
	GatewayId                   string `json:",omitempty"`
	InstanceId                  string `json:",omitempty"`
	NatGatewayId                string `json:",omitempty"`
	NetworkInterfaceId          string `json:",omitempty"`
	Origin                      string `json:",omitempty"`
	TransitGatewayId            string `json:",omitempty"`
	VpcPeeringConnectionId      string `json:",omitempty"`
	State                       string `json:",omitempty"`
	CarrierGatewayId            string `json:",omitempty"`
	CoreNetworkArn              string `json:",omitempty"`
	LocalGatewayId              string `json:",omitempty"`
	VpclabOdbNetworkArn         string `json:",omitempty"` // AWS has no member for an ODB network
}

// TransitGatewayRouteTableRoute is the transit gateway route that decided a lookup, on the
// route table's hop. RouteOrigin is static or propagated; AttachmentId, ResourceId and
// ResourceType name the attachment the route leads to (none for a blackhole).
type TransitGatewayRouteTableRoute struct {
	DestinationCidr string `json:",omitempty"`
	State           string `json:",omitempty"`
	RouteOrigin     string `json:",omitempty"`
	PrefixListId    string `json:",omitempty"`
	AttachmentId    string `json:",omitempty"`
	ResourceId      string `json:",omitempty"`
	ResourceType    string `json:",omitempty"`
}

// AnalysisSecurityGroupRule is the rule that allowed a packet.
type AnalysisSecurityGroupRule struct {
	Cidr            string `json:",omitempty"`
	Direction       string
	SecurityGroupId string
	PortRange       *PortRange `json:",omitempty"`
	PrefixListId    string     `json:",omitempty"`
	Protocol        string
	VpclabRuleId    string `json:",omitempty"`
	VpclabPeerGroup string `json:",omitempty"`
}

// AnalysisAclRule is the network ACL entry that matched.
type AnalysisAclRule struct {
	Cidr       string
	Egress     bool
	PortRange  *PortRange `json:",omitempty"`
	Protocol   string
	RuleAction string
	RuleNumber int
}

// PathComponent is one step of a path.
type PathComponent struct {
	SequenceNumber    int
	Component         AnalysisComponent
	InboundHeader     *AnalysisPacketHeader      `json:",omitempty"`
	OutboundHeader    *AnalysisPacketHeader      `json:",omitempty"`
	RouteTableRoute   *AnalysisRouteTableRoute   `json:",omitempty"`
	SecurityGroupRule *AnalysisSecurityGroupRule `json:",omitempty"`
	AclRule           *AnalysisAclRule           `json:",omitempty"`
	// TransitGateway is the transit gateway of an attachment's or a route table's hop.
	TransitGateway                *AnalysisComponent             `json:",omitempty"`
	TransitGatewayRouteTableRoute *TransitGatewayRouteTableRoute `json:",omitempty"`
	VpclabAction                  string                         `json:",omitempty"`
	VpclabNote                    string                         `json:",omitempty"`
}

// Explanation is why a path was not found.
type Explanation struct {
	ExplanationCode string
	Component       AnalysisComponent
	Direction       string `json:",omitempty"`
	VpclabDetail    string `json:",omitempty"`
	VpclabPath      string `json:",omitempty"` // forward or return
}

// Analysis renders a trace as a NetworkInsightsAnalysis. IDs are derived from the question,
// so the same trace gives the same document.
func (tr TraceResult) Analysis() Analysis {
	q := fmt.Sprintf("%s>%s/%s", tr.From.Label, tr.To.Label, tr.Forward.Hops[0].In.String())
	a := Analysis{
		NetworkInsightsAnalysisId: model.DeriveID("nia", q),
		NetworkInsightsPathId:     model.DeriveID("nip", q),
		Status:                    "succeeded",
		NetworkPathFound:          tr.Found,
		ForwardPathComponents:     pathComponents(tr.Net, tr.Forward),
	}
	a.Explanations = explanations(tr.Forward, "forward")
	if tr.Return != nil {
		a.ReturnPathComponents = pathComponents(tr.Net, tr.Return)
		a.Explanations = append(a.Explanations, explanations(tr.Return, "return")...)
	}
	return a
}

func explanations(r *engine.Result, path string) []Explanation {
	var out []Explanation
	for _, b := range r.Blockers {
		var dir engine.Direction
		if b.Hop >= 0 && b.Hop < len(r.Hops) {
			dir = r.Hops[b.Hop].Direction
		}
		out = append(out, Explanation{ExplanationCode: b.Code, Component: AnalysisComponent{Id: b.At.ID, Name: b.At.Name},
			Direction: AWSDirection(dir), VpclabDetail: b.Detail, VpclabPath: path})
		for _, x := range b.Advice {
			out = append(out, Explanation{ExplanationCode: x.Code, Component: AnalysisComponent{Id: x.At.ID, Name: x.At.Name},
				VpclabDetail: x.Detail, VpclabPath: path})
		}
	}
	return out
}

// AWSDirection is a hop's direction as Explanation.Direction says it: AWS's values are
// egress and ingress, for network ACLs (which vpclab's hops call outbound and inbound) as
// for security groups.
func AWSDirection(d engine.Direction) string {
	switch d {
	case engine.Outbound, engine.Egress:
		return "egress"
	case engine.Inbound, engine.Ingress:
		return "ingress"
	}
	return ""
}

// pathComponents renders a path's hops; n, when not nil, names ARNs and transit gateways.
func pathComponents(n *engine.Network, r *engine.Result) []PathComponent {
	out := make([]PathComponent, 0, len(r.Hops))
	for i, h := range r.Hops {
		hout := h.Out()
		pc := PathComponent{
			SequenceNumber: i + 1,
			Component:      componentJSON(n, h.Component),
			InboundHeader:  header(&h.In),
			OutboundHeader: header(&hout),
			VpclabAction:   strings.TrimSpace(h.Action.String() + " " + h.Direction.String()),
			VpclabNote:     h.Note,
		}
		if h.Route != nil {
			pc.RouteTableRoute = routeJSON(h.Route)
		}
		if r := h.TGWRoute; r != nil {
			pc.TransitGatewayRouteTableRoute = tgwRouteJSON(r)
		}
		if g, ok := transitGatewayOf(n, h.Component); ok {
			pc.TransitGateway = &g
		}
		if r := h.SGRule; r != nil {
			pc.SecurityGroupRule = &AnalysisSecurityGroupRule{Cidr: r.CIDR, Direction: r.Direction.String(),
				SecurityGroupId: string(r.GroupID), PortRange: portRange(r.Protocol, r.FromPort, r.ToPort),
				PrefixListId: string(r.PrefixList), Protocol: protoJSON(r.Protocol), VpclabRuleId: r.RuleID,
				VpclabPeerGroup: string(r.PeerGroup)}
		}
		if r := h.ACLRule; r != nil {
			action := "deny"
			if r.Allow {
				action = "allow"
			}
			pc.AclRule = &AnalysisAclRule{Cidr: r.CIDR, Egress: r.Egress, PortRange: portRange(r.Protocol, r.FromPort, r.ToPort),
				Protocol: protoJSON(r.Protocol), RuleAction: action, RuleNumber: r.RuleNumber}
		}
		out = append(out, pc)
	}
	return out
}

func routeJSON(r *engine.RouteRef) *AnalysisRouteTableRoute {
	j := &AnalysisRouteTableRoute{Origin: string(r.Origin), State: string(r.State)}
	if strings.HasPrefix(r.Destination, "pl-") {
		j.DestinationPrefixListId = r.Destination
	} else {
		j.DestinationCidr = r.Destination
	}
	// The member model's target table names (TestAnalysisJSONOutput checks each is a field).
	if m := reflect.ValueOf(j).Elem().FieldByName(r.Target.Field().Analysis); m.IsValid() {
		m.SetString(r.Target.ID)
	} else {
		j.GatewayId = r.Target.ID // a target without a kind
	}
	return j
}

func tgwRouteJSON(r *engine.TGWRouteRef) *TransitGatewayRouteTableRoute {
	j := &TransitGatewayRouteTableRoute{State: r.State, RouteOrigin: r.RouteType, AttachmentId: string(r.Attachment),
		ResourceId: r.Resource, ResourceType: string(r.Type)}
	if r.PrefixList != "" {
		j.PrefixListId = string(r.PrefixList)
	} else {
		j.DestinationCidr = r.Destination
	}
	return j
}

func portRange(proto, from, to int) *PortRange {
	if proto != model.ProtocolTCP && proto != model.ProtocolUDP {
		return nil
	}
	if from < 0 {
		return &PortRange{From: 0, To: 65535}
	}
	return &PortRange{From: from, To: to}
}

func protoJSON(proto int) string {
	if proto == model.ProtocolAll {
		return "-1"
	}
	return strconv.Itoa(proto)
}

func header(p *packet.Packet) *AnalysisPacketHeader {
	h := &AnalysisPacketHeader{
		DestinationAddresses: []string{p.Dst.String()},
		SourceAddresses:      []string{p.Src.String()},
		Protocol:             strconv.Itoa(int(p.Proto)),
	}
	if p.HasPorts() {
		h.SourcePortRanges = []PortRange{{From: int(p.SrcPort), To: int(p.SrcPort)}}
		h.DestinationPortRanges = []PortRange{{From: int(p.DstPort), To: int(p.DstPort)}}
	}
	return h
}

// componentJSON names a component, with its ARN when n says where it lives.
func componentJSON(n *engine.Network, c engine.Component) AnalysisComponent {
	return AnalysisComponent{Id: c.ID, Arn: arn(n, c), Name: c.Name}
}

// arn is the ARN of a transit gateway, one of its attachments or route tables (which live
// in the transit gateway's account and region), or a peering connection (the requester's),
// "arn:aws:ec2:REGION:ACCOUNT:KIND/ID" with KIND the component's kind, or a Gateway Load
// Balancer's own ARN; "" for other kinds
// and when the topology does not say the account and region.
func arn(n *engine.Network, c engine.Component) string {
	var account, region string
	switch c.Kind {
	case engine.KindGatewayLoadBalancer, engine.KindLoadBalancer:
		return c.ID // a load balancer's ID is its ARN (§13)
	case engine.KindTransitGateway, engine.KindTransitGatewayAttachment, engine.KindTransitGatewayRouteTable:
		if g := transitGateway(n, c); g != nil {
			account, region = g.Account, g.Region
		}
	case engine.KindVPCPeering:
		for _, p := range n.Topology.Peerings {
			if string(p.ID) == c.ID {
				account, region = p.Requester.Account, p.Requester.Region
			}
		}
	}
	if account == "" || region == "" {
		return ""
	}
	return "arn:aws:ec2:" + region + ":" + account + ":" + c.Kind.String() + "/" + c.ID
}

// transitGatewayOf is the transit gateway of an attachment's or a route table's hop, as
// PathComponent.TransitGateway names it.
func transitGatewayOf(n *engine.Network, c engine.Component) (AnalysisComponent, bool) {
	if c.Kind != engine.KindTransitGatewayAttachment && c.Kind != engine.KindTransitGatewayRouteTable {
		return AnalysisComponent{}, false
	}
	g := transitGateway(n, c)
	if g == nil {
		return AnalysisComponent{}, false
	}
	return componentJSON(n, engine.Component{Kind: engine.KindTransitGateway, ID: string(g.ID), Name: g.Name}), true
}

// transitGateway is the transit gateway a component is or belongs to, or nil (also when n is
// nil).
func transitGateway(n *engine.Network, c engine.Component) *model.TransitGateway {
	if n == nil {
		return nil
	}
	t := n.Topology
	id := model.TransitGatewayID(c.ID)
	switch c.Kind {
	case engine.KindTransitGatewayAttachment:
		for _, a := range t.TGWAttachments {
			if string(a.ID) == c.ID {
				id = a.TransitGateway
			}
		}
	case engine.KindTransitGatewayRouteTable:
		for _, rt := range t.TGWRouteTables {
			if string(rt.ID) == c.ID {
				id = rt.TransitGateway
			}
		}
	}
	for _, g := range t.TransitGateways {
		if g.ID == id {
			return g
		}
	}
	return nil
}
