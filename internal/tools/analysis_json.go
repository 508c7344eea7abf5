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

// AnalysisComponent names a resource.
type AnalysisComponent struct {
	Id   string
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
	VpclabAction      string                     `json:",omitempty"`
	VpclabNote        string                     `json:",omitempty"`
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
		ForwardPathComponents:     pathComponents(tr.Forward),
	}
	a.Explanations = explanations(tr.Forward, "forward")
	if tr.Return != nil {
		a.ReturnPathComponents = pathComponents(tr.Return)
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

func pathComponents(r *engine.Result) []PathComponent {
	out := make([]PathComponent, 0, len(r.Hops))
	for i, h := range r.Hops {
		pc := PathComponent{
			SequenceNumber: i + 1,
			Component:      AnalysisComponent{Id: h.Component.ID, Name: h.Component.Name},
			InboundHeader:  header(&h.In),
			OutboundHeader: header(&h.Out),
			VpclabAction:   strings.TrimSpace(h.Action.String() + " " + h.Direction.String()),
			VpclabNote:     h.Note,
		}
		if h.Route != nil {
			pc.RouteTableRoute = routeJSON(h.Route)
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
