package tools

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools/toolstest"
)

// awsShapes are the members of the EC2 API shapes our trace JSON mirrors, with their types,
// copied from the EC2 API model (botocore/data/ec2/2016-11-15/service-2.json, botocore commit
// 0e6e2404b85d, August 2026). A type is a scalar (string, integer, boolean, timestamp), a
// structure's shape name, or []T for a list.
var awsShapes = map[string]map[string]string{
	"NetworkInsightsAnalysis": {
		"NetworkInsightsAnalysisId": "string", "NetworkInsightsAnalysisArn": "string",
		"NetworkInsightsPathId": "string", "AdditionalAccounts": "[]string", "FilterInArns": "[]string",
		"FilterOutArns": "[]string", "StartDate": "timestamp", "Status": "string", "StatusMessage": "string",
		"WarningMessage": "string", "NetworkPathFound": "boolean", "ForwardPathComponents": "[]PathComponent",
		"ReturnPathComponents": "[]PathComponent", "Explanations": "[]Explanation",
		"AlternatePathHints": "[]AlternatePathHint", "SuggestedAccounts": "[]string", "Tags": "[]Tag",
	},
	"PathComponent": {
		"SequenceNumber": "integer", "AclRule": "AnalysisAclRule", "AttachedTo": "AnalysisComponent",
		"Component": "AnalysisComponent", "DestinationVpc": "AnalysisComponent",
		"OutboundHeader": "AnalysisPacketHeader", "InboundHeader": "AnalysisPacketHeader",
		"RouteTableRoute": "AnalysisRouteTableRoute", "SecurityGroupRule": "AnalysisSecurityGroupRule",
		"SourceVpc": "AnalysisComponent", "Subnet": "AnalysisComponent", "Vpc": "AnalysisComponent",
		"AdditionalDetails": "[]AdditionalDetail", "TransitGateway": "AnalysisComponent",
		"TransitGatewayRouteTableRoute": "TransitGatewayRouteTableRoute", "Explanations": "[]Explanation",
		"ElasticLoadBalancerListener": "AnalysisComponent", "FirewallStatelessRule": "FirewallStatelessRule",
		"FirewallStatefulRule": "FirewallStatefulRule", "ServiceName": "string",
	},
	"AnalysisComponent": {
		"Id": "string", "Arn": "string", "Name": "string",
	},
	"AnalysisPacketHeader": {
		"DestinationAddresses": "[]string", "DestinationPortRanges": "[]PortRange", "Protocol": "string",
		"SourceAddresses": "[]string", "SourcePortRanges": "[]PortRange",
	},
	"AnalysisRouteTableRoute": {
		"DestinationCidr": "string", "DestinationPrefixListId": "string", "EgressOnlyInternetGatewayId": "string",
		"GatewayId": "string", "InstanceId": "string", "NatGatewayId": "string", "NetworkInterfaceId": "string",
		"Origin": "string", "TransitGatewayId": "string", "VpcPeeringConnectionId": "string", "State": "string",
		"CarrierGatewayId": "string", "CoreNetworkArn": "string", "LocalGatewayId": "string",
	},
	"AnalysisSecurityGroupRule": {
		"Cidr": "string", "Direction": "string", "SecurityGroupId": "string", "PortRange": "PortRange",
		"PrefixListId": "string", "Protocol": "string",
	},
	"AnalysisAclRule": {
		"Cidr": "string", "Egress": "boolean", "PortRange": "PortRange", "Protocol": "string",
		"RuleAction": "string", "RuleNumber": "integer",
	},
	"Explanation": {
		"Acl": "AnalysisComponent", "AclRule": "AnalysisAclRule", "Address": "string", "Addresses": "[]string",
		"AttachedTo": "AnalysisComponent", "AvailabilityZones": "[]string", "AvailabilityZoneIds": "[]string",
		"Cidrs": "[]string", "Component": "AnalysisComponent", "CustomerGateway": "AnalysisComponent",
		"Destination": "AnalysisComponent", "DestinationVpc": "AnalysisComponent", "Direction": "string",
		"ExplanationCode": "string", "IngressRouteTable": "AnalysisComponent",
		"InternetGateway": "AnalysisComponent", "LoadBalancerArn": "string",
		"ClassicLoadBalancerListener": "AnalysisLoadBalancerListener", "LoadBalancerListenerPort": "integer",
		"LoadBalancerTarget": "AnalysisLoadBalancerTarget", "LoadBalancerTargetGroup": "AnalysisComponent",
		"LoadBalancerTargetGroups": "[]AnalysisComponent", "LoadBalancerTargetPort": "integer",
		"ElasticLoadBalancerListener": "AnalysisComponent", "MissingComponent": "string",
		"NatGateway": "AnalysisComponent", "NetworkInterface": "AnalysisComponent", "PacketField": "string",
		"VpcPeeringConnection": "AnalysisComponent", "Port": "integer", "PortRanges": "[]PortRange",
		"PrefixList": "AnalysisComponent", "Protocols": "[]string", "RouteTableRoute": "AnalysisRouteTableRoute",
		"RouteTable": "AnalysisComponent", "SecurityGroup": "AnalysisComponent",
		"SecurityGroupRule": "AnalysisSecurityGroupRule", "SecurityGroups": "[]AnalysisComponent",
		"SourceVpc": "AnalysisComponent", "State": "string", "Subnet": "AnalysisComponent",
		"SubnetRouteTable": "AnalysisComponent", "Vpc": "AnalysisComponent", "VpcEndpoint": "AnalysisComponent",
		"VpnConnection": "AnalysisComponent", "VpnGateway": "AnalysisComponent",
		"TransitGateway": "AnalysisComponent", "TransitGatewayRouteTable": "AnalysisComponent",
		"TransitGatewayRouteTableRoute": "TransitGatewayRouteTableRoute",
		"TransitGatewayAttachment":      "AnalysisComponent", "ComponentAccount": "string", "ComponentRegion": "string",
		"FirewallStatelessRule": "FirewallStatelessRule", "FirewallStatefulRule": "FirewallStatefulRule",
	},
	"PortRange": {
		"From": "integer", "To": "integer",
	},
	// From the EC2 API reference (TransitGatewayRouteTableRoute), as the model above has it.
	"TransitGatewayRouteTableRoute": {
		"DestinationCidr": "string", "State": "string", "RouteOrigin": "string", "PrefixListId": "string",
		"AttachmentId": "string", "ResourceId": "string", "ResourceType": "string",
	},
}

// goShapes names the AWS shape each of our JSON types mirrors.
var goShapes = map[reflect.Type]string{
	reflect.TypeFor[Analysis]():                      "NetworkInsightsAnalysis",
	reflect.TypeFor[PathComponent]():                 "PathComponent",
	reflect.TypeFor[AnalysisComponent]():             "AnalysisComponent",
	reflect.TypeFor[AnalysisPacketHeader]():          "AnalysisPacketHeader",
	reflect.TypeFor[AnalysisRouteTableRoute]():       "AnalysisRouteTableRoute",
	reflect.TypeFor[AnalysisSecurityGroupRule]():     "AnalysisSecurityGroupRule",
	reflect.TypeFor[AnalysisAclRule]():               "AnalysisAclRule",
	reflect.TypeFor[Explanation]():                   "Explanation",
	reflect.TypeFor[PortRange]():                     "PortRange",
	reflect.TypeFor[TransitGatewayRouteTableRoute](): "TransitGatewayRouteTableRoute",
}

// vpclabMember reports whether a JSON member is one of vpclab's additions.
func vpclabMember(name string) bool { return strings.HasPrefix(name, "Vpclab") }

// jsonName is the member a struct field is written as ("" when it is not written).
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// TestAnalysisJSONTypes walks the Go types of the trace JSON: every member they write is a
// member of the AWS shape they mirror, with AWS's spelling and type, or carries the Vpclab
// prefix.
func TestAnalysisJSONTypes(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	// check compares a Go field type with an AWS member type, walking into structures.
	var check func(where string, gt reflect.Type, aws string)
	check = func(where string, gt reflect.Type, aws string) {
		if gt.Kind() == reflect.Pointer {
			gt = gt.Elem()
		}
		switch gt.Kind() {
		case reflect.String:
			if aws != "string" {
				t.Errorf("%s is a string; AWS's is %s", where, aws)
			}
		case reflect.Int, reflect.Int32, reflect.Int64:
			if aws != "integer" {
				t.Errorf("%s is an integer; AWS's is %s", where, aws)
			}
		case reflect.Bool:
			if aws != "boolean" {
				t.Errorf("%s is a boolean; AWS's is %s", where, aws)
			}
		case reflect.Slice:
			elem, ok := strings.CutPrefix(aws, "[]")
			if !ok {
				t.Errorf("%s is a list; AWS's is %s", where, aws)
				return
			}
			check(where+"[]", gt.Elem(), elem)
		case reflect.Struct:
			if got := goShapes[gt]; got != aws {
				t.Errorf("%s is a %s (shape %q); AWS's is %s", where, gt.Name(), got, aws)
			}
			walk(gt)
		default:
			t.Errorf("%s: Go type %s has no AWS counterpart", where, gt)
		}
	}
	walk = func(gt reflect.Type) {
		if seen[gt] {
			return
		}
		seen[gt] = true
		shape, ok := goShapes[gt]
		if !ok {
			t.Errorf("type %s is not mapped to an AWS shape", gt)
			return
		}
		members := awsShapes[shape]
		for i := range gt.NumField() {
			f := gt.Field(i)
			name := jsonName(f)
			where := gt.Name() + "." + f.Name
			switch {
			case name == "" || vpclabMember(name):
				continue
			case members[name] == "":
				t.Errorf("%s is written as %q, which is not a member of %s (case matters)", where, name, shape)
			default:
				check(where, f.Type, members[name])
			}
		}
	}
	walk(reflect.TypeFor[Analysis]())
	for gt := range goShapes {
		if !seen[gt] {
			t.Errorf("%s is mapped to %s but not reachable from Analysis", gt, goShapes[gt])
		}
	}
}

// checkShape walks decoded JSON against the shape it should have: every key is a member of
// the shape (or Vpclab-prefixed) and every value has the member's JSON type.
func checkShape(t *testing.T, where string, v any, aws string) {
	t.Helper()
	switch aws {
	case "string", "timestamp":
		if _, ok := v.(string); !ok {
			t.Errorf("%s = %v (%T), want a string", where, v, v)
		}
		return
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			t.Errorf("%s = %v (%T), want an integer", where, v, v)
		}
		return
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s = %v (%T), want a boolean", where, v, v)
		}
		return
	}
	if elem, ok := strings.CutPrefix(aws, "[]"); ok {
		list, ok := v.([]any)
		if !ok {
			t.Errorf("%s = %v (%T), want a list", where, v, v)
			return
		}
		for i, e := range list {
			checkShape(t, fmt.Sprintf("%s[%d]", where, i), e, elem)
		}
		return
	}
	members, ok := awsShapes[aws]
	if !ok {
		t.Errorf("%s: shape %s is not in awsShapes", where, aws)
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s = %v (%T), want a %s object", where, v, v, aws)
		return
	}
	for k, e := range obj {
		switch {
		case vpclabMember(k):
		case members[k] == "":
			t.Errorf("%s.%s is not a member of %s", where, k, aws)
		default:
			checkShape(t, where+"."+k, e, members[k])
		}
	}
}

// TestAnalysisJSONOutput decodes the JSON of a trace whose hops carry a route to every
// kind of model's target table, a security group rule and a NACL rule, and checks it
// against the AWS shapes; each route's target is in the member the table names for its
// kind, even when the ID's prefix says otherwise.
func TestAnalysisJSONOutput(t *testing.T) {
	pkt := packet.Packet{Src: netip.MustParseAddr("10.0.0.11"), Dst: netip.MustParseAddr("10.0.1.55"), Proto: packet.ProtoTCP,
		SrcPort: 40000, DstPort: 22}
	type want struct{ member, id string }
	var hops []engine.Hop
	var wants []want
	route := func(tg model.Target, member string) {
		hops = append(hops, engine.Hop{Component: engine.Component{Kind: engine.KindRouteTable, ID: "rtb-1"}, Action: engine.ActForward,
			In: pkt, Route: &engine.RouteRef{Destination: "10.0.1.0/24", Target: tg, Origin: model.OriginCreateRoute, State: model.RouteActive}})
		wants = append(wants, want{member, tg.ID})
	}
	for _, row := range model.TargetKinds() {
		for _, f := range row.Fields {
			id := f.Prefix + "0123456789abcdef0"
			switch f.Prefix {
			case "local":
				id = "local"
			case "":
				id = "weird-0123456789abcdef0"
			}
			route(model.Target{Kind: row.Kind, ID: id}, f.Analysis)
		}
	}
	// The kind decides, not the prefix; an egress-only IGW is not a GatewayId.
	route(model.Target{Kind: model.TargetNATGateway, ID: "x-0123456789abcdef0"}, "NatGatewayId")
	route(model.Target{Kind: model.TargetEgressOnlyInternetGateway, ID: "eigw-0123456789abcdef0"}, "EgressOnlyInternetGatewayId")
	hops = append(hops,
		engine.Hop{Component: engine.Component{Kind: engine.KindSecurityGroup, ID: "sg-1"}, Action: engine.ActAllow, Direction: engine.Egress, In: pkt,
			SGRule: &engine.SGRuleRef{GroupID: "sg-1", RuleID: "sgr-1", Direction: engine.Egress, Protocol: model.ProtocolTCP, FromPort: 22, ToPort: 22, CIDR: "10.0.0.0/16"}},
		engine.Hop{Component: engine.Component{Kind: engine.KindNetworkACL, ID: "acl-1"}, Action: engine.ActDeny, Direction: engine.Inbound, In: pkt,
			ACLRule: &engine.ACLRuleRef{ACLID: "acl-1", RuleNumber: 32767, Protocol: model.ProtocolAll, CIDR: "0.0.0.0/0"}})
	fwd := &engine.Result{Hops: hops, Outcome: engine.Dropped,
		Blockers: []engine.Blocker{{Code: engine.CodeSubnetACL, At: engine.Component{Kind: engine.KindNetworkACL, ID: "acl-1"}, Detail: "denied", Hop: len(hops) - 1}}}
	tr := TraceResult{From: Endpoint{Label: "a"}, To: Endpoint{Label: "b"}, Forward: fwd, Return: fwd}

	data, err := json.Marshal(tr.Analysis())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	checkShape(t, "Analysis", doc, "NetworkInsightsAnalysis")

	comps := doc["ForwardPathComponents"].([]any)
	for i, w := range wants {
		rt, _ := comps[i].(map[string]any)["RouteTableRoute"].(map[string]any)
		var targets []string
		for k := range rt {
			if k != "DestinationCidr" && k != "DestinationPrefixListId" && k != "Origin" && k != "State" {
				targets = append(targets, k)
			}
		}
		if !slices.Equal(targets, []string{w.member}) || rt[w.member] != w.id {
			t.Errorf("route to %s: target members %v (%v), want %s", w.id, targets, rt, w.member)
		}
	}
	exps := doc["Explanations"].([]any)
	if len(exps) != 2 || exps[0].(map[string]any)["Direction"] != "ingress" {
		t.Errorf("explanations = %v, want two with Direction ingress (AWS's word for a NACL's inbound)", exps)
	}
}

// A path across a transit gateway is written as Reachability Analyzer writes it: the route
// table's hop carries TransitGatewayRouteTableRoute and its TransitGateway; transit gateway
// components carry their ARNs (in the transit gateway's account and region).
func TestAnalysisJSONTransitGateway(t *testing.T) {
	n, warns := engine.Compile(toolstest.TGWPair())
	if len(warns) > 0 {
		t.Fatal(warns)
	}
	s := NewSim(n, 1)
	tr := s.Trace(mustResolve(t, s, toolstest.AppA), mustResolve(t, s, toolstest.AppB), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	if !tr.Found {
		t.Fatalf("no path across the transit gateway: %s at %s: %s", tr.Forward.Code, tr.Forward.At, tr.Forward.Detail)
	}
	data, err := json.Marshal(tr.Analysis())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	checkShape(t, "Analysis", doc, "NetworkInsightsAnalysis")

	var a Analysis
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:ec2:" + toolstest.Region + ":" + toolstest.Account + ":"
	hub := &AnalysisComponent{Id: toolstest.TGW, Arn: arn + "transit-gateway/" + toolstest.TGW, Name: "hub"}
	for _, c := range []struct {
		path  []PathComponent
		route TransitGatewayRouteTableRoute
	}{
		{a.ForwardPathComponents, TransitGatewayRouteTableRoute{DestinationCidr: "10.2.0.0/16", State: "active", RouteOrigin: "propagated",
			AttachmentId: toolstest.AttachB, ResourceId: toolstest.VPCB, ResourceType: "vpc"}},
		{a.ReturnPathComponents, TransitGatewayRouteTableRoute{DestinationCidr: "10.1.0.0/16", State: "active", RouteOrigin: "propagated",
			AttachmentId: toolstest.AttachA, ResourceId: toolstest.VPCA, ResourceType: "vpc"}},
	} {
		var hops []PathComponent
		for _, pc := range c.path {
			if pc.TransitGatewayRouteTableRoute != nil {
				hops = append(hops, pc)
			}
		}
		if len(hops) != 1 {
			t.Fatalf("%d hops with a TransitGatewayRouteTableRoute, want 1: %+v", len(hops), c.path)
		}
		pc := hops[0]
		want := AnalysisComponent{Id: toolstest.TGWTable, Arn: arn + "transit-gateway-route-table/" + toolstest.TGWTable, Name: "hub-rt"}
		if pc.Component != want || *pc.TransitGatewayRouteTableRoute != c.route || !reflect.DeepEqual(pc.TransitGateway, hub) {
			t.Errorf("route table hop:\n got %+v, route %+v, transit gateway %+v\nwant %+v, route %+v, transit gateway %+v",
				pc.Component, *pc.TransitGatewayRouteTableRoute, pc.TransitGateway, want, c.route, hub)
		}
	}
	// The raw members, as a reader of AWS's JSON finds them.
	for _, w := range []string{`"TransitGatewayRouteTableRoute":{"DestinationCidr":"10.2.0.0/16","State":"active","RouteOrigin":"propagated","AttachmentId":"tgw-attach-0b","ResourceId":"vpc-0b","ResourceType":"vpc"}`,
		`"TransitGateway":{"Id":"tgw-01","Arn":"arn:aws:ec2:us-east-1:111111111111:transit-gateway/tgw-01","Name":"hub"}`} {
		if !strings.Contains(string(data), w) {
			t.Errorf("JSON lacks %s", w)
		}
	}
}

// Attachments and peering connections carry their ARNs too; a component whose account or
// region the topology does not say carries none.
func TestAnalysisJSONTransitARNs(t *testing.T) {
	n, _ := engine.Compile(toolstest.Transit())
	const arn = "arn:aws:ec2:" + toolstest.Region + ":" + toolstest.Account + ":"
	for _, c := range []struct {
		comp engine.Component
		want string
	}{
		{engine.Component{Kind: engine.KindTransitGatewayAttachment, ID: toolstest.AttachVPN}, arn + "transit-gateway-attachment/" + toolstest.AttachVPN},
		{engine.Component{Kind: engine.KindVPCPeering, ID: toolstest.Peering}, arn + "vpc-peering-connection/" + toolstest.Peering},
		{engine.Component{Kind: engine.KindTransitGateway, ID: "tgw-elsewhere"}, ""},
		{engine.Component{Kind: engine.KindSubnet, ID: toolstest.SubnetA}, ""},
	} {
		if got := componentJSON(n, c.comp).Arn; got != c.want {
			t.Errorf("%s: ARN %q, want %q", c.comp, got, c.want)
		}
	}
	if g, ok := transitGatewayOf(n, engine.Component{Kind: engine.KindTransitGatewayAttachment, ID: toolstest.AttachDX}); !ok || g.Id != toolstest.TGW {
		t.Errorf("transit gateway of %s: %+v %v", toolstest.AttachDX, g, ok)
	}
	if got := componentJSON(nil, engine.Component{Kind: engine.KindTransitGateway, ID: toolstest.TGW}); got.Arn != "" {
		t.Errorf("without a network: %+v, want no ARN", got)
	}
}
