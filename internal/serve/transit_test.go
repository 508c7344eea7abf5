package serve

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/serve/store"
)

// tgwLab is two VPCs, A 10.0.0.0/16 and B 10.1.0.0/16, with a subnet in us-east-1a each
// and an instance in it, joined by a transit gateway with its default route table: both
// attachments associate with it and propagate into it, and each VPC's route table sends the
// other's block to the gateway (§7.2 TGW-1, one zone).
type tgwLab struct {
	*lab
	tgw, table, attA, attB, rtA, rtB, iA, iB string
	analyses                                 int
}

func newTGWLab(t *testing.T) *tgwLab {
	l := &tgwLab{lab: newLab(t, Options{})}
	id := func(body, re string) string { return first(t, body, re) }
	vpcA := id(l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	vpcB := id(l.must("CreateVpc", "CidrBlock=10.1.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subA := id(l.must("CreateSubnet", "VpcId="+vpcA, "CidrBlock=10.0.1.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	subB := id(l.must("CreateSubnet", "VpcId="+vpcB, "CidrBlock=10.1.1.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	for _, vpc := range []string{vpcB} { // B's default group lets A in
		sg := id(l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+vpc), `<groupId>(sg-[0-9a-f]+)</groupId>`)
		l.must("AuthorizeSecurityGroupIngress", "GroupId="+sg, "IpPermissions.1.IpProtocol=-1", "IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/16")
	}
	run := func(subnet, ip string) string {
		return id(l.must("RunInstances", "ImageId=ami-0123456789abcdef0", "MinCount=1", "MaxCount=1", "SubnetId="+subnet, "PrivateIpAddress="+ip),
			`<instanceId>(i-[0-9a-f]+)</instanceId>`)
	}
	l.iA, l.iB = run(subA, "10.0.1.10"), run(subB, "10.1.1.20")

	created := l.must("CreateTransitGateway", "Description=hub")
	l.tgw = id(created, `<transitGatewayId>(tgw-[0-9a-f]+)</transitGatewayId>`)
	if s := id(created, `<state>([a-z]+)</state>`); s != "pending" {
		t.Errorf("CreateTransitGateway: state %s, want pending", s)
	}
	l.table = id(created, `<associationDefaultRouteTableId>(tgw-rtb-[0-9a-f]+)</associationDefaultRouteTableId>`)
	attach := func(vpc, subnet string) string {
		return id(l.must("CreateTransitGatewayVpcAttachment", "TransitGatewayId="+l.tgw, "VpcId="+vpc, "SubnetIds.1="+subnet),
			`<transitGatewayAttachmentId>(tgw-attach-[0-9a-f]+)</transitGatewayAttachmentId>`)
	}
	l.attA, l.attB = attach(vpcA, subA), attach(vpcB, subB)
	l.rtA = id(l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+vpcA), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	l.rtB = id(l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+vpcB), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	l.must("CreateRoute", "RouteTableId="+l.rtA, "DestinationCidrBlock=10.1.0.0/16", "TransitGatewayId="+l.tgw)
	l.must("CreateRoute", "RouteTableId="+l.rtB, "DestinationCidrBlock=10.0.0.0/16", "TransitGatewayId="+l.tgw)
	return l
}

// analyse runs a Network Insights analysis from A's instance to B's and returns whether the
// path was found and the explanation codes.
func (l *tgwLab) analyse(t *testing.T) (bool, []string) {
	t.Helper()
	l.analyses++
	token := "analysis-" + itoa(l.analyses)
	path := first(t, l.must("CreateNetworkInsightsPath", "Source="+l.iA, "Destination="+l.iB, "Protocol=tcp", "DestinationPort=443", "ClientToken="+token),
		`<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
	a := first(t, l.must("StartNetworkInsightsAnalysis", "NetworkInsightsPathId="+path, "ClientToken="+token), `<networkInsightsAnalysisId>(nia-[0-9a-f]+)</networkInsightsAnalysisId>`)
	body := l.must("DescribeNetworkInsightsAnalyses", "NetworkInsightsAnalysisId.1="+a)
	var codes []string
	for _, m := range regexp.MustCompile(`<explanationCode>([^<]+)</explanationCode>`).FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	return first(t, body, `<networkPathFound>(true|false)</networkPathFound>`) == "true", codes
}

// TestTGW1AnalysisAcrossTransitGateway is the acceptance check: a served lab of two
// VPCs joined by a transit gateway loads, compiles and traces; A's instance reaches B's
// through the gateway's default table, whose routes were propagated (§7.2 TGW-1).
func TestTGW1AnalysisAcrossTransitGateway(t *testing.T) {
	l := newTGWLab(t)
	found, codes := l.analyse(t)
	if !found || len(codes) != 0 {
		t.Fatalf("A → B across the transit gateway: found %v, explanations %v; want found", found, codes)
	}
	// The search lists B's block as propagated from B's attachment.
	body := l.must("SearchTransitGatewayRoutes", "TransitGatewayRouteTableId="+l.table, "Filter.1.Name=type", "Filter.1.Value.1=propagated")
	if !strings.Contains(body, "<destinationCidrBlock>10.1.0.0/16</destinationCidrBlock>") || !strings.Contains(body, l.attB) {
		t.Errorf("SearchTransitGatewayRoutes type=propagated: %s", body)
	}
}

// TestTGWNoRouteInGatewayTable: with B's propagation disabled, the gateway's table has no
// route to B and the analysis stops there with TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT; a static
// route to B's attachment brings the path back.
func TestTGWNoRouteInGatewayTable(t *testing.T) {
	l := newTGWLab(t)
	l.must("DisableTransitGatewayRouteTablePropagation", "TransitGatewayRouteTableId="+l.table, "TransitGatewayAttachmentId="+l.attB)
	if found, codes := l.analyse(t); found || !slices.Contains(codes, "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT") {
		t.Errorf("without B's propagation: found %v, explanations %v; want TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", found, codes)
	}
	l.must("CreateTransitGatewayRoute", "TransitGatewayRouteTableId="+l.table, "DestinationCidrBlock=10.1.0.0/16", "TransitGatewayAttachmentId="+l.attB)
	if found, codes := l.analyse(t); !found {
		t.Errorf("with a static route to B: found %v, explanations %v; want found", found, codes)
	}
	// TGW-3: a static blackhole for B's block beats the propagated route.
	l.must("EnableTransitGatewayRouteTablePropagation", "TransitGatewayRouteTableId="+l.table, "TransitGatewayAttachmentId="+l.attB)
	l.must("DeleteTransitGatewayRoute", "TransitGatewayRouteTableId="+l.table, "DestinationCidrBlock=10.1.0.0/16")
	l.must("CreateTransitGatewayRoute", "TransitGatewayRouteTableId="+l.table, "DestinationCidrBlock=10.1.0.0/16", "Blackhole=true")
	if found, codes := l.analyse(t); found || !slices.Contains(codes, "TGW_RTB_BAD_STATE_ROUTE") {
		t.Errorf("TGW-3, static blackhole over the propagated route: found %v, explanations %v; want TGW_RTB_BAD_STATE_ROUTE", found, codes)
	}
}

// TestTGW4MissingAssociation: with A's attachment disassociated, packets arriving from A
// have no table to be looked up in: TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION (§7.2.4).
func TestTGW4MissingAssociation(t *testing.T) {
	l := newTGWLab(t)
	l.must("DisassociateTransitGatewayRouteTable", "TransitGatewayRouteTableId="+l.table, "TransitGatewayAttachmentId="+l.attA)
	if found, codes := l.analyse(t); found || !slices.Contains(codes, "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION") {
		t.Errorf("A's attachment unassociated: found %v, explanations %v; want TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", found, codes)
	}
	l.must("AssociateTransitGatewayRouteTable", "TransitGatewayRouteTableId="+l.table, "TransitGatewayAttachmentId="+l.attA)
	if found, codes := l.analyse(t); !found {
		t.Errorf("A's attachment associated again: found %v, explanations %v; want found", found, codes)
	}
}

// TestTGWExportLoads: the exported document is a snapshot the loader reads without errors,
// with the gateway, its attachments (associated), its table searched (propagated routes as
// AWS lists them) and the gateway's interfaces in the attachments' subnets.
func TestTGWExportLoads(t *testing.T) {
	l := newTGWLab(t)
	l.must("DescribeTransitGateways") // settles the last changes
	top, probs := l.s.st.topology(nil)
	if probs.HasErrors() {
		t.Fatalf("the export does not load: %v", probs.Error())
	}
	for _, p := range probs {
		if strings.Contains(p.Message, "transit") {
			t.Errorf("a transit gateway warning loading the export: %s", p.Message)
		}
	}
	if len(top.TransitGateways) != 1 || string(top.TransitGateways[0].ID) != l.tgw || top.TransitGateways[0].State != "available" {
		t.Fatalf("transit gateways: %+v", top.TransitGateways)
	}
	if len(top.TGWRouteTables) != 1 || !top.TGWRouteTables[0].Searched || len(top.TGWRouteTables[0].Routes) != 2 ||
		len(top.TGWRouteTables[0].Propagations) != 2 {
		t.Fatalf("route tables: %+v", top.TGWRouteTables)
	}
	for _, a := range top.TGWAttachments {
		if string(a.Association) != l.table || a.State != "available" || len(a.Subnets) != 1 {
			t.Errorf("attachment %+v: want available, associated with %s, one subnet", a, l.table)
		}
	}
	n := 0
	for _, e := range top.NetworkInterfaces {
		if e.Type == model.InterfaceTypeTransitGateway {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d transit gateway interfaces, want one per attachment subnet (2)", n)
	}
}

// TestTGWAPIErrors: AWS's codes for what a user gets wrong with transit gateways.
func TestTGWAPIErrors(t *testing.T) {
	l := newTGWLab(t)
	vpcA := first(t, l.must("DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1="+l.attA), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subA2 := first(t, l.must("CreateSubnet", "VpcId="+vpcA, "CidrBlock=10.0.2.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	vpcC := first(t, l.must("CreateVpc", "CidrBlock=10.2.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	rtC := first(t, l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+vpcC), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	subC1 := first(t, l.must("CreateSubnet", "VpcId="+vpcC, "CidrBlock=10.2.1.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	subC2 := first(t, l.must("CreateSubnet", "VpcId="+vpcC, "CidrBlock=10.2.2.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	for _, tc := range []struct {
		name   string
		params []string
		code   string
	}{
		{"unknown gateway", []string{"DescribeTransitGateways", "TransitGatewayIds.1=tgw-0123456789abcdef0"}, "InvalidTransitGatewayID.NotFound"},
		{"unknown attachment", []string{"DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1=tgw-attach-0123456789abcdef0"}, "InvalidTransitGatewayAttachmentID.NotFound"},
		{"unknown gateway table", []string{"SearchTransitGatewayRoutes", "TransitGatewayRouteTableId=tgw-rtb-0123456789abcdef0", "Filter.1.Name=type", "Filter.1.Value.1=static"}, "InvalidRouteTableID.NotFound"},
		{"gateway with attachments", []string{"DeleteTransitGateway", "TransitGatewayId=" + l.tgw}, "DependencyViolation"},
		{"table with associations", []string{"DeleteTransitGatewayRouteTable", "TransitGatewayRouteTableId=" + l.table}, "DependencyViolation"},
		{"associated twice", []string{"AssociateTransitGatewayRouteTable", "TransitGatewayRouteTableId=" + l.table, "TransitGatewayAttachmentId=" + l.attA}, "Resource.AlreadyAssociated"},
		{"two subnets in one zone", []string{"CreateTransitGatewayVpcAttachment", "TransitGatewayId=" + l.tgw, "VpcId=" + vpcC, "SubnetIds.1=" + subC1, "SubnetIds.2=" + subC2}, "DuplicateSubnetsInSameZone"},
		{"a second zone-a subnet added", []string{"ModifyTransitGatewayVpcAttachment", "TransitGatewayAttachmentId=" + l.attA, "AddSubnetIds.1=" + subA2}, "DuplicateSubnetsInSameZone"},
		{"VPC attached twice", []string{"CreateTransitGatewayVpcAttachment", "TransitGatewayId=" + l.tgw, "VpcId=" + vpcA, "SubnetIds.1=" + subA2}, "DuplicateTransitGatewayAttachment"},
		{"static route twice", []string{"CreateTransitGatewayRoute", "TransitGatewayRouteTableId=" + l.table, "DestinationCidrBlock=10.9.0.0/16", "Blackhole=true"}, "RouteAlreadyExists"},
		{"route to a gateway the VPC is not attached to", []string{"CreateRoute", "RouteTableId=" + rtC, "DestinationCidrBlock=10.0.0.0/16", "TransitGatewayId=" + l.tgw}, "InvalidTransitGatewayID.NotFound"},
		{"route to an unknown gateway", []string{"CreateRoute", "RouteTableId=" + l.rtA, "DestinationCidrBlock=10.7.0.0/16", "TransitGatewayId=tgw-0123456789abcdef0"}, "InvalidTransitGatewayID.NotFound"},
		{"bad option value", []string{"CreateTransitGateway", "Options.DnsSupport=yes"}, "InvalidParameterValue"},
	} {
		if tc.code == "RouteAlreadyExists" {
			l.must(tc.params[0], tc.params[1:]...)
		}
		status, body := l.call(tc.params[0], tc.params[1:]...)
		if status != 400 || errorCode(body) != tc.code {
			t.Errorf("%s: %d %s, want 400 %s", tc.name, status, body, tc.code)
		}
	}
}

// TestTGWLifecycle: an attachment is pending, then available; deleted, it is deleting, then
// deleted and still listed; the gateway then deletes, deleting and deleted, with its default
// table.
func TestTGWLifecycle(t *testing.T) {
	l := newTGWLab(t)
	stateOf := func(action, idParam, id string) string {
		return first(t, l.must(action, idParam+"="+id), `<state>([a-zA-Z]+)</state>`)
	}
	if s := stateOf("DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1", l.attA); s != "available" {
		t.Errorf("attachment after a request: %s, want available", s)
	}
	l.must("DeleteRoute", "RouteTableId="+l.rtB, "DestinationCidrBlock=10.0.0.0/16")
	for _, att := range []string{l.attA, l.attB} {
		if s := first(t, l.must("DeleteTransitGatewayVpcAttachment", "TransitGatewayAttachmentId="+att), `<state>([a-z]+)</state>`); s != "deleting" {
			t.Errorf("DeleteTransitGatewayVpcAttachment: %s, want deleting", s)
		}
	}
	if s := stateOf("DescribeTransitGatewayAttachments", "TransitGatewayAttachmentIds.1", l.attA); s != "deleted" {
		t.Errorf("attachment after deletion: %s, want deleted (kept for the retention)", s)
	}
	// §7.2.10: A's route to the gateway, which A is no longer attached to, is a blackhole.
	if body := l.must("DescribeRouteTables", "RouteTableId.1="+l.rtA); !strings.Contains(body, "<state>blackhole</state>") {
		t.Errorf("A's route to the gateway after the attachment's deletion is not a blackhole: %s", body)
	}
	if body := l.must("GetTransitGatewayRouteTableAssociations", "TransitGatewayRouteTableId="+l.table); strings.Contains(body, l.attA) {
		t.Errorf("a deleted attachment is still associated: %s", body)
	}
	if s := first(t, l.must("DeleteTransitGateway", "TransitGatewayId="+l.tgw), `<state>([a-z]+)</state>`); s != "deleting" {
		t.Errorf("DeleteTransitGateway: %s, want deleting", s)
	}
	if s := stateOf("DescribeTransitGateways", "TransitGatewayIds.1", l.tgw); s != "deleted" {
		t.Errorf("gateway after deletion: %s, want deleted", s)
	}
	if status, body := l.call("DescribeTransitGatewayRouteTables", "TransitGatewayRouteTableIds.1="+l.table); status != 200 || !strings.Contains(body, "<state>deleted</state>") {
		t.Errorf("the default table after the gateway's deletion: %d %s", status, body)
	}
	if _, probs := l.s.st.topology(nil); probs.HasErrors() {
		t.Errorf("the export after deletions does not load: %v", probs.Error())
	}
}

// TestTGW2AttachedInAnotherZone: with A's attachment moved to a subnet of us-east-1b, A's
// instance in us-east-1a has no gateway interface in its zone: TGW_ROUTE_AZ_RESTRICTION
// (§7.2.10).
func TestTGW2AttachedInAnotherZone(t *testing.T) {
	l := newTGWLab(t)
	vpcA := first(t, l.must("DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1="+l.attA), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subA := first(t, l.must("DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1="+l.attA), `<subnetIds>\s*<item>(subnet-[0-9a-f]+)</item>`)
	subB := first(t, l.must("CreateSubnet", "VpcId="+vpcA, "CidrBlock=10.0.2.0/24", "AvailabilityZone=us-east-1b"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	l.must("ModifyTransitGatewayVpcAttachment", "TransitGatewayAttachmentId="+l.attA, "AddSubnetIds.1="+subB, "RemoveSubnetIds.1="+subA)
	if found, codes := l.analyse(t); found || !slices.Contains(codes, "TGW_ROUTE_AZ_RESTRICTION") {
		t.Errorf("TGW-2, A attached in us-east-1b only: found %v, explanations %v; want TGW_ROUTE_AZ_RESTRICTION", found, codes)
	}
}

// TestTGWRestart: a transit gateway lab kept in a store comes back whole after a restart,
// and a gateway left pending still settles (its transitional state is found on load).
func TestTGWRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	var st *store.Store
	open := func() *lab {
		var err error
		if st, err = store.Open(path); err != nil {
			t.Fatal(err)
		}
		l := newLab(t, Options{Store: st})
		opened := st
		t.Cleanup(func() { opened.Close() })
		return l
	}
	l := open()
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subnet := first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.1.0/24", "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	tgw := first(t, l.must("CreateTransitGateway"), `<transitGatewayId>(tgw-[0-9a-f]+)</transitGatewayId>`)
	att := first(t, l.must("CreateTransitGatewayVpcAttachment", "TransitGatewayId="+tgw, "VpcId="+vpc, "SubnetIds.1="+subnet),
		`<transitGatewayAttachmentId>(tgw-attach-[0-9a-f]+)</transitGatewayAttachmentId>`)
	table := first(t, l.must("CreateTransitGatewayRouteTable", "TransitGatewayId="+tgw), `<transitGatewayRouteTableId>(tgw-rtb-[0-9a-f]+)</transitGatewayRouteTableId>`)
	before := l.s.Export()
	l.s.Close()
	st.Close()

	l = open()
	if after := l.s.Export(); string(after) != string(before) {
		t.Errorf("the export after a restart differs:\n%s\nbefore:\n%s", after, before)
	}
	for _, q := range [][2]string{{"DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1=" + att},
		{"DescribeTransitGatewayRouteTables", "TransitGatewayRouteTableIds.1=" + table}} {
		if s := first(t, l.must(q[0], q[1]), `<state>([a-z]+)</state>`); s != "available" {
			t.Errorf("%s after a restart: %s, want available (settled)", q[1], s)
		}
	}
	if body := l.must("GetTransitGatewayRouteTablePropagations", "TransitGatewayRouteTableId="+first(t,
		l.must("DescribeTransitGateways", "TransitGatewayIds.1="+tgw), `<propagationDefaultRouteTableId>(tgw-rtb-[0-9a-f]+)<`)); !strings.Contains(body, att) {
		t.Errorf("the default table's propagations after a restart: %s", body)
	}
}

// TestTGWSettles: with Settle set, a gateway and its attachment stay pending for a while, as
// AWS's do for minutes, and then are available: what Terraform's waiters poll for.
func TestTGWSettles(t *testing.T) {
	l := newLab(t, Options{Settle: 5 * time.Second, Now: tickingClock()})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subnet := first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.1.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	tgw := first(t, l.must("CreateTransitGateway"), `<transitGatewayId>(tgw-[0-9a-f]+)</transitGatewayId>`)
	poll := func(action, param, id string) (pending, polls int) {
		for polls = 1; polls <= 20; polls++ {
			switch s := first(t, l.must(action, param+"="+id), `<state>([a-z]+)</state>`); s {
			case "pending":
				pending++
			case "available":
				return pending, polls
			default:
				t.Fatalf("%s %s: state %s", action, id, s)
			}
		}
		t.Fatalf("%s %s: not available after 20 polls", action, id)
		return
	}
	status, body := l.call("CreateTransitGatewayVpcAttachment", "TransitGatewayId="+tgw, "VpcId="+vpc, "SubnetIds.1="+subnet)
	if status != 400 || errorCode(body) != "IncorrectState" {
		t.Errorf("attaching to a pending gateway: %d %s, want IncorrectState", status, body)
	}
	if pending, _ := poll("DescribeTransitGateways", "TransitGatewayIds.1", tgw); pending == 0 {
		t.Error("the gateway was never seen pending")
	}
	att := first(t, l.must("CreateTransitGatewayVpcAttachment", "TransitGatewayId="+tgw, "VpcId="+vpc, "SubnetIds.1="+subnet),
		`<transitGatewayAttachmentId>(tgw-attach-[0-9a-f]+)</transitGatewayAttachmentId>`)
	if pending, _ := poll("DescribeTransitGatewayVpcAttachments", "TransitGatewayAttachmentIds.1", att); pending == 0 {
		t.Error("the attachment was never seen pending")
	}
}

// TestTGWImport: a served transit gateway lab's export imports into an empty server, which
// exports it the same and traces as the lab did; per-table answers of a table no
// TransitGatewayRouteTables answer lists are refused.
func TestTGWImport(t *testing.T) {
	l := newTGWLab(t)
	l.must("CreateTransitGatewayRoute", "TransitGatewayRouteTableId="+l.table, "DestinationCidrBlock=192.168.0.0/16", "Blackhole=true")
	l.must("DescribeTransitGateways") // settles
	doc := l.s.Export()

	m := &tgwLab{lab: newLab(t, Options{Seed: 9}), iA: l.iA, iB: l.iB}
	if err := m.s.Import("lab", map[string][]byte{"lab.json": doc}); err != nil {
		t.Fatal(err)
	}
	if got := string(m.s.Export()); got != string(doc) {
		t.Errorf("the imported lab exports\n%s\nwant\n%s", got, doc)
	}
	if found, codes := m.analyse(t); !found {
		t.Errorf("A → B on the imported lab: found %v, explanations %v; want found", found, codes)
	}
	n := newLab(t, Options{})
	orphan := []byte(`{"TransitGatewayPropagations": [{"TransitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0", "TransitGatewayRouteTablePropagations": []}]}`)
	if err := n.s.Import("orphan", map[string][]byte{"p.json": orphan}); err == nil || !strings.Contains(err.Error(), "tgw-rtb-0123456789abcdef0") {
		t.Errorf("importing propagations of an unlisted table: %v, want an error naming it", err)
	}
}
