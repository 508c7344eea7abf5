package serve

import (
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/serve/store"
)

// peeringLab is two VPCs, A 10.0.0.0/16 and B 10.1.0.0/16, with a subnet and an instance
// each (iA 10.0.1.10, iB 10.1.1.10), B's default group open to A's block, and a path
// iA → iB tcp/22, as §7.1's PCX scenarios set up.
type peeringLab struct {
	*lab
	a, b, rtA, rtB, iA, iB, path string
	analyses                     int
}

func newPeeringLab(t *testing.T) *peeringLab {
	l := &peeringLab{lab: newLab(t, Options{})}
	vpc := func(block string) (string, string) {
		id := first(t, l.must("CreateVpc", "CidrBlock="+block), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
		rt := first(t, l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+id), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
		return id, rt
	}
	instance := func(vpc, block, ip string) string {
		subnet := first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock="+block), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
		return first(t, l.must("RunInstances", "ImageId=ami-0123456789abcdef0", "MinCount=1", "MaxCount=1", "SubnetId="+subnet,
			"PrivateIpAddress="+ip), `<instanceId>(i-[0-9a-f]+)</instanceId>`)
	}
	l.a, l.rtA = vpc("10.0.0.0/16")
	l.b, l.rtB = vpc("10.1.0.0/16")
	l.iA, l.iB = instance(l.a, "10.0.1.0/24", "10.0.1.10"), instance(l.b, "10.1.1.0/24", "10.1.1.10")
	sgB := first(t, l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+l.b), `<groupId>(sg-[0-9a-f]+)</groupId>`)
	l.must("AuthorizeSecurityGroupIngress", "GroupId="+sgB, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=22",
		"IpPermissions.1.ToPort=22", "IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/16")
	l.path = first(t, l.must("CreateNetworkInsightsPath", "Source="+l.iA, "Destination="+l.iB, "Protocol=tcp", "DestinationPort=22", "ClientToken=path"),
		`<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
	return l
}

// analyse runs an analysis of the lab's path and returns whether a path was found and the
// explanation codes.
func (l *peeringLab) analyse() (bool, []string) {
	l.t.Helper()
	l.analyses++
	id := first(l.t, l.must("StartNetworkInsightsAnalysis", "NetworkInsightsPathId="+l.path, "ClientToken=analysis-"+itoa(l.analyses)), `<networkInsightsAnalysisId>(nia-[0-9a-f]+)</networkInsightsAnalysisId>`)
	body := l.must("DescribeNetworkInsightsAnalyses", "NetworkInsightsAnalysisId.1="+id)
	var codes []string
	for _, m := range regexp.MustCompile(`<explanationCode>([^<]*)</explanationCode>`).FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	return first(l.t, body, `<networkPathFound>(true|false)</networkPathFound>`) == "true", codes
}

// status is the peering's status code as DescribeVpcPeeringConnections gives it.
func (l *peeringLab) status(pcx string) string {
	l.t.Helper()
	return first(l.t, l.must("DescribeVpcPeeringConnections", "VpcPeeringConnectionId.1="+pcx), `<status><code>([^<]*)</code>`)
}

// routeState is the state of the route to dst in table rt.
func (l *peeringLab) routeState(rt, dst string) string {
	l.t.Helper()
	body := l.must("DescribeRouteTables", "RouteTableId.1="+rt)
	return first(l.t, body, `<destinationCidrBlock>`+regexp.QuoteMeta(dst)+`</destinationCidrBlock>.*?<state>([^<]*)</state>`)
}

// TestPeeringAcceptance is §7.1 through the HTTP handler, checked by the engine's analysis:
// a route to a pending peering is blackhole (PCX-3); accepted, with routes both ways, the
// path is found (PCX-1); without the return route it is not (PCX-2); deleted, the routes
// are blackhole again and the path is gone.
func TestPeeringAcceptance(t *testing.T) {
	l := newPeeringLab(t)
	create := l.must("CreateVpcPeeringConnection", "VpcId="+l.a, "PeerVpcId="+l.b)
	pcx := first(t, create, `<vpcPeeringConnectionId>(pcx-[0-9a-f]{17})</vpcPeeringConnectionId>`)
	if !strings.Contains(create, "<code>initiating-request</code>") || strings.Contains(first(t, create, `<accepterVpcInfo>(.*?)</accepterVpcInfo>`), "cidrBlock") {
		t.Errorf("CreateVpcPeeringConnection answers initiating-request, the accepter without its blocks: %s", create)
	}
	if got := l.status(pcx); got != "pending-acceptance" {
		t.Errorf("after the request the peering is %s, want pending-acceptance", got)
	}

	t.Run("PCX-3 route to a pending peering is blackhole", func(t *testing.T) {
		l.must("CreateRoute", "RouteTableId="+l.rtA, "DestinationCidrBlock=10.1.0.0/16", "VpcPeeringConnectionId="+pcx)
		if got := l.routeState(l.rtA, "10.1.0.0/16"); got != "blackhole" {
			t.Errorf("route to the pending peering: %s, want blackhole", got)
		}
		if found, codes := l.analyse(); found || !strings.Contains(strings.Join(codes, " "), "BAD_STATE_ROUTE") {
			t.Errorf("iA → iB over a pending peering: found %v, codes %v, want BAD_STATE_ROUTE", found, codes)
		}
	})

	accept := l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	if !strings.Contains(accept, "<code>provisioning</code>") || !strings.Contains(first(t, accept, `<accepterVpcInfo>(.*?)</accepterVpcInfo>`), "<cidrBlock>10.1.0.0/16</cidrBlock>") {
		t.Errorf("AcceptVpcPeeringConnection answers provisioning, with the accepter's block: %s", accept)
	}
	if got := l.status(pcx); got != "active" {
		t.Errorf("after the acceptance (Settle 0) the peering is %s, want active", got)
	}
	if got := l.routeState(l.rtA, "10.1.0.0/16"); got != "active" {
		t.Errorf("route to the active peering: %s, want active", got)
	}

	t.Run("PCX-2 no return route", func(t *testing.T) {
		found, codes := l.analyse()
		if found || !strings.Contains(strings.Join(codes, " "), "NO_ROUTE_TO_DESTINATION") {
			t.Errorf("iA → iB without B's route back: found %v, codes %v, want NO_ROUTE_TO_DESTINATION", found, codes)
		}
	})

	t.Run("PCX-1 routes both ways", func(t *testing.T) {
		l.must("CreateRoute", "RouteTableId="+l.rtB, "DestinationCidrBlock=10.0.0.0/16", "VpcPeeringConnectionId="+pcx)
		if found, codes := l.analyse(); !found || len(codes) != 0 {
			t.Errorf("iA → iB over the active peering: found %v, codes %v, want found", found, codes)
		}
		export := string(l.s.Export())
		if !strings.Contains(export, `"VpcPeeringConnections"`) || !strings.Contains(export, `"Code": "active"`) {
			t.Errorf("the export does not carry the active peering:\n%s", export)
		}
	})

	t.Run("PCX-8 security group of the peer VPC", func(t *testing.T) {
		sgA := first(t, l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+l.a), `<groupId>(sg-[0-9a-f]+)</groupId>`)
		sgB := first(t, l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+l.b), `<groupId>(sg-[0-9a-f]+)</groupId>`)
		l.must("AuthorizeSecurityGroupIngress", "GroupId="+sgB, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=80",
			"IpPermissions.1.ToPort=80", "IpPermissions.1.Groups.1.GroupId="+sgA)
		web := first(t, l.must("CreateNetworkInsightsPath", "Source="+l.iA, "Destination="+l.iB, "Protocol=tcp", "DestinationPort=80", "ClientToken=web"),
			`<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
		ssh := l.path
		l.path = web
		defer func() { l.path = ssh }()
		if found, codes := l.analyse(); !found || len(codes) != 0 {
			t.Errorf("iA → iB tcp/80 allowed by A's group across the peering: found %v, codes %v", found, codes)
		}
	})

	t.Run("PCX deleted", func(t *testing.T) {
		l.must("DeleteVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
		if got := l.status(pcx); got != "deleted" {
			t.Errorf("after the delete the peering is %s, want deleted (visible for the retention)", got)
		}
		if a, b := l.routeState(l.rtA, "10.1.0.0/16"), l.routeState(l.rtB, "10.0.0.0/16"); a != "blackhole" || b != "blackhole" {
			t.Errorf("routes to the deleted peering: %s and %s, want blackhole", a, b)
		}
		if found, codes := l.analyse(); found || !strings.Contains(strings.Join(codes, " "), "BAD_STATE_ROUTE") {
			t.Errorf("iA → iB over a deleted peering: found %v, codes %v, want BAD_STATE_ROUTE", found, codes)
		}
		if status, body := l.call("DeleteVpcPeeringConnection", "VpcPeeringConnectionId="+pcx); status != 400 || errorCode(body) != "InvalidStateTransition" {
			t.Errorf("deleting a deleted peering: %d %s", status, body)
		}
		if status, body := l.call("ReplaceRoute", "RouteTableId="+l.rtA, "DestinationCidrBlock=10.1.0.0/16", "VpcPeeringConnectionId="+pcx); status != 400 ||
			errorCode(body) != "InvalidVpcPeeringConnectionID.NotFound" {
			t.Errorf("a route to a deleted peering: %d %s", status, body)
		}
	})
}

// TestPeeringRefusals: what AWS refuses or fails about a peering (§7.1.1, §7.1.2, §7.1.4).
func TestPeeringRefusals(t *testing.T) {
	l := newPeeringLab(t)
	c := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	rtC := first(t, l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+c), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+l.a, "PeerVpcId="+l.b), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)

	// §7.1.2: overlapping blocks: the request is answered, and the peering is failed.
	overlap := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+l.a, "PeerVpcId="+c), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	if got := l.status(overlap); got != "failed" {
		t.Errorf("a peering of overlapping VPCs is %s, want failed", got)
	}
	for _, tc := range []struct {
		name   string
		params []string
		code   string
	}{
		{"a second peering of one pair (§7.1.1)", []string{"CreateVpcPeeringConnection", "VpcId=" + l.b, "PeerVpcId=" + l.a}, "VpcPeeringConnectionAlreadyExists"},
		{"a VPC with itself", []string{"CreateVpcPeeringConnection", "VpcId=" + l.a, "PeerVpcId=" + l.a}, "InvalidParameterValue"},
		{"an unknown peer", []string{"CreateVpcPeeringConnection", "VpcId=" + l.a, "PeerVpcId=vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"},
		{"another account", []string{"CreateVpcPeeringConnection", "VpcId=" + l.a, "PeerVpcId=" + l.b, "PeerOwnerId=210987654321"}, "UnsupportedOperation"},
		{"accepting a failed peering", []string{"AcceptVpcPeeringConnection", "VpcPeeringConnectionId=" + overlap}, "InvalidStateTransition"},
		{"options of a pending peering", []string{"ModifyVpcPeeringConnectionOptions", "VpcPeeringConnectionId=" + pcx,
			"RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"}, "OperationNotPermitted"},
		{"a route in a VPC the peering does not join (§7.1.4)", []string{"CreateRoute", "RouteTableId=" + rtC, "DestinationCidrBlock=10.1.0.0/16",
			"VpcPeeringConnectionId=" + pcx}, "InvalidParameterValue"},
		{"a route to an unknown peering", []string{"CreateRoute", "RouteTableId=" + l.rtA, "DestinationCidrBlock=10.1.0.0/16",
			"VpcPeeringConnectionId=pcx-0123456789abcdef0"}, "InvalidVpcPeeringConnectionID.NotFound"},
		{"a route to a failed peering", []string{"CreateRoute", "RouteTableId=" + l.rtA, "DestinationCidrBlock=10.1.0.0/16",
			"VpcPeeringConnectionId=" + overlap}, "InvalidVpcPeeringConnectionID.NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := l.call(tc.params[0], tc.params[1:]...); status != 400 || errorCode(body) != tc.code {
				t.Errorf("got %d %s, want 400 %s", status, body, tc.code)
			}
		})
	}
}

// TestDeleteVpcDeletesItsPeerings: deleting a VPC of a peering within the account deletes
// the peering too, as AWS's peering guide says; the other VPC's route to it is blackhole.
func TestDeleteVpcDeletesItsPeerings(t *testing.T) {
	l := newLab(t, Options{})
	a := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	b := first(t, l.must("CreateVpc", "CidrBlock=10.1.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	rtB := first(t, l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+b), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+a, "PeerVpcId="+b), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	l.must("CreateRoute", "RouteTableId="+rtB, "DestinationCidrBlock=10.0.0.0/16", "VpcPeeringConnectionId="+pcx)
	pl := &peeringLab{lab: l}
	if got := pl.routeState(rtB, "10.0.0.0/16"); got != "active" {
		t.Fatalf("the route to the active peering: %s", got)
	}
	l.must("DeleteVpc", "VpcId="+a)
	if got := pl.status(pcx); got != "deleted" {
		t.Errorf("the peering of the deleted VPC is %s, want deleted", got)
	}
	if got := pl.routeState(rtB, "10.0.0.0/16"); got != "blackhole" {
		t.Errorf("B's route to the peering of the deleted VPC: %s, want blackhole", got)
	}
	// The peering is over: B may be peered again, with a VPC of A's block.
	c := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	again := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+b, "PeerVpcId="+c), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	if got := pl.status(again); got != "pending-acceptance" {
		t.Errorf("a new peering of B: %s", got)
	}
}

// TestPeeringSettlesAfterRestart: an accepted peering is provisioning for Settle, and
// becomes active after it even when the server restarted in between (the state is
// durable, the transitional states are found again); a deleted peering is visible for
// two hours, then gone; a request not accepted in 7 days expires, and is gone 2 days later.
func TestPeeringSettlesAfterRestart(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: st, Now: clock, Settle: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	l := &peeringLab{lab: &lab{t: t, s: s, url: hs.URL}}
	a := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	b := first(t, l.must("CreateVpc", "CidrBlock=10.1.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+a, "PeerVpcId="+b), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	if got := l.status(pcx); got != "provisioning" {
		t.Errorf("within Settle of the acceptance the peering is %s, want provisioning", got)
	}
	c := first(t, l.must("CreateVpc", "CidrBlock=10.2.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	waiting := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+a, "PeerVpcId="+c), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	hs.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l = &peeringLab{lab: newLab(t, Options{Store: st, Now: clock, Settle: 10 * time.Second})}
	if got := l.status(pcx); got != "provisioning" {
		t.Errorf("after the restart, within Settle, the peering is %s, want provisioning", got)
	}
	now = now.Add(11 * time.Second)
	if got := l.status(pcx); got != "active" {
		t.Errorf("after the restart, past Settle, the peering is %s, want active", got)
	}
	l.must("DeleteVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	now = now.Add(time.Hour)
	if got := l.status(pcx); got != "deleted" {
		t.Errorf("an hour after the delete the peering is %s, want deleted", got)
	}
	now = now.Add(time.Hour)
	if status, body := l.call("DescribeVpcPeeringConnections", "VpcPeeringConnectionId.1="+pcx); status != 400 || errorCode(body) != "InvalidVpcPeeringConnectionID.NotFound" {
		t.Errorf("two hours after the delete: %d %s, want the peering gone", status, body)
	}

	if got := l.status(waiting); got != "pending-acceptance" {
		t.Errorf("a request two hours old is %s, want pending-acceptance", got)
	}
	now = now.Add(7 * 24 * time.Hour)
	if got := l.status(waiting); got != "expired" {
		t.Errorf("a request 7 days old is %s, want expired", got)
	}
	if status, body := l.call("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+waiting); status != 400 || errorCode(body) != "InvalidStateTransition" {
		t.Errorf("accepting an expired request: %d %s", status, body)
	}
	now = now.Add(2 * 24 * time.Hour)
	if status, body := l.call("DescribeVpcPeeringConnections", "VpcPeeringConnectionId.1="+waiting); status != 400 || errorCode(body) != "InvalidVpcPeeringConnectionID.NotFound" {
		t.Errorf("two days after it expired: %d %s, want the request gone", status, body)
	}
}

// TestPeeringIsNotTransitive is PCX-4: A is peered with B and with C, and every table
// routes the far block on; B's packet to C is dropped where it would cross into A, whose
// blocks hold neither its source nor its destination.
func TestPeeringIsNotTransitive(t *testing.T) {
	l := newPeeringLab(t)
	c := first(t, l.must("CreateVpc", "CidrBlock=10.2.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	rtC := first(t, l.must("DescribeRouteTables", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+c), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	subnet := first(t, l.must("CreateSubnet", "VpcId="+c, "CidrBlock=10.2.1.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	iC := first(t, l.must("RunInstances", "ImageId=ami-0123456789abcdef0", "MinCount=1", "MaxCount=1", "SubnetId="+subnet,
		"PrivateIpAddress=10.2.1.10"), `<instanceId>(i-[0-9a-f]+)</instanceId>`)
	sgC := first(t, l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+c), `<groupId>(sg-[0-9a-f]+)</groupId>`)
	l.must("AuthorizeSecurityGroupIngress", "GroupId="+sgC, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=22",
		"IpPermissions.1.ToPort=22", "IpPermissions.1.IpRanges.1.CidrIp=10.1.0.0/16")
	peer := func(x, y string) string {
		pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+x, "PeerVpcId="+y), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
		l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
		return pcx
	}
	route := func(rt, dst, pcx string) {
		l.must("CreateRoute", "RouteTableId="+rt, "DestinationCidrBlock="+dst, "VpcPeeringConnectionId="+pcx)
	}
	ab, ac := peer(l.a, l.b), peer(l.a, c)
	route(l.rtB, "10.2.0.0/16", ab)
	route(l.rtA, "10.2.0.0/16", ac)
	route(l.rtA, "10.1.0.0/16", ab)
	route(rtC, "10.1.0.0/16", ac)
	l.path = first(t, l.must("CreateNetworkInsightsPath", "Source="+l.iB, "Destination="+iC, "Protocol=tcp", "DestinationPort=22", "ClientToken=b-to-c"),
		`<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
	if found, codes := l.analyse(); found || !slices.Contains(codes, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR") {
		t.Errorf("iB → iC through A: found %v, codes %v, want PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", found, codes)
	}
}

// TestImportPeering: a served lab with an active peering and routes to it exports them, and
// the export imports into an empty server as the same lab, the peering active, the path
// across it found (PCX-1).
func TestImportPeering(t *testing.T) {
	l := newPeeringLab(t)
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+l.a, "PeerVpcId="+l.b), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	l.must("CreateRoute", "RouteTableId="+l.rtA, "DestinationCidrBlock=10.1.0.0/16", "VpcPeeringConnectionId="+pcx)
	l.must("CreateRoute", "RouteTableId="+l.rtB, "DestinationCidrBlock=10.0.0.0/16", "VpcPeeringConnectionId="+pcx)
	doc := l.s.Export()

	m := &peeringLab{lab: newLab(t, Options{Seed: 9}), iA: l.iA, iB: l.iB}
	if err := m.s.Import("lab", map[string][]byte{"lab.json": doc}); err != nil {
		t.Fatal(err)
	}
	if got := string(m.s.Export()); got != string(doc) {
		t.Errorf("the imported lab exports\n%s\nwant\n%s", got, doc)
	}
	if got := m.status(pcx); got != "active" {
		t.Errorf("the imported peering is %s, want active", got)
	}
	m.path = first(t, m.must("CreateNetworkInsightsPath", "Source="+l.iA, "Destination="+l.iB, "Protocol=tcp", "DestinationPort=22", "ClientToken=path"),
		`<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
	if found, codes := m.analyse(); !found || len(codes) != 0 {
		t.Errorf("iA → iB in the imported lab: found %v, codes %v", found, codes)
	}
}

// TestImportPeeringWithoutStatus: a peering answer without Status or a side's VpcInfo (a
// hand-written lab) imports, and the calls on it answer instead of failing inside.
func TestImportPeeringWithoutStatus(t *testing.T) {
	l := newLab(t, Options{})
	doc := `{"Vpcs": [{"VpcId": "vpc-0a", "CidrBlock": "10.0.0.0/16", "State": "available"},
		{"VpcId": "vpc-0b", "CidrBlock": "10.1.0.0/16", "State": "available"}],
		"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-0ab", "RequesterVpcInfo": {"VpcId": "vpc-0a"}, "AccepterVpcInfo": {"VpcId": "vpc-0b"}}]}`
	if err := l.s.Import("lab", map[string][]byte{"lab.json": []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"AcceptVpcPeeringConnection", "DeleteVpcPeeringConnection"} {
		if status, body := l.call(op, "VpcPeeringConnectionId=pcx-0ab"); status != 400 || errorCode(body) != "InvalidStateTransition" {
			t.Errorf("%s of a peering without a status: %d %s", op, status, body)
		}
	}
	if status, body := l.call("CreateVpcPeeringConnection", "VpcId=vpc-0a", "PeerVpcId=vpc-0b"); status != 200 {
		t.Errorf("a new peering beside one without a status: %d %s", status, body)
	}
	// Its primary block alone is enough for the overlap check (§7.1.2).
	c := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+c, "PeerVpcId=vpc-0a"), `<vpcPeeringConnectionId>(pcx-[0-9a-f]+)</vpcPeeringConnectionId>`)
	if got := (&peeringLab{lab: l}).status(pcx); got != "failed" {
		t.Errorf("a peering with an imported VPC of the same block: %s, want failed", got)
	}
}
