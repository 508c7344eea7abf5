package engine_test

// Scenario tests for the packet pipeline (§0) and route tables (§1) of aws-vpc-semantics.md.

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// §0 steps 1, 2, 4, 5: source/dest check, then SG egress, then NACL outbound, then the route
// lookup. Each variant lifts the earlier faults; the first remaining one must decide.
func TestPipeline_OrderOfChecksOnTheWayOut_0(t *testing.T) {
	type faults struct{ spoof, sg, acl, route bool }
	build := func(t *testing.T, f faults) (*lab, pkt) {
		l := newLab(t, "10.0.0.0/16")
		l.subnet("a", "10.0.0.0/24")
		g := l.sg("a")
		if f.sg {
			g.noEgress()
		}
		l.instance("a", "a", "10.0.0.11", "a")
		if f.acl {
			l.acl("a", "a") // a new custom NACL denies everything (§5.2)
		}
		l.igw()
		l.publicIP("a", "198.51.100.11")
		l.rt("a")
		l.assoc("a", "a")
		if !f.route {
			l.table("a").Routes = append(l.table("a").Routes, route("0.0.0.0/0", "igw-lab"))
		}
		src := "10.0.0.11:40000"
		if f.spoof {
			src = "10.0.0.99:40000"
		}
		return l, tcp(src, "8.8.8.8:443")
	}

	t.Run("every fault, ContinuePastBlocks lists them in AWS order", func(t *testing.T) {
		l, p := build(t, faults{true, true, true, true})
		r := l.sendOpt("a", p, engine.Options{ContinuePastBlocks: true})
		want := []engine.Blocker{
			{Code: engine.CodeSourceDestCheck, At: engine.Component{Kind: engine.KindENI, ID: "eni-a"}},
			{Code: engine.CodeSGRulesMismatch, At: engine.Component{Kind: engine.KindSecurityGroup, ID: "sg-a"}},
			{Code: engine.CodeSubnetACL, At: engine.Component{Kind: engine.KindNetworkACL, ID: "acl-a"}},
			{Code: engine.CodeNoRoute, At: engine.Component{Kind: engine.KindRouteTable, ID: "rtb-a"}},
		}
		if len(r.Blockers) != len(want) {
			t.Fatalf("%d blockers, want %d:\n%s", len(r.Blockers), len(want), describe(r))
		}
		for i, w := range want {
			b := r.Blockers[i]
			if b.Code != w.Code || b.At.Kind != w.At.Kind || b.At.ID != w.At.ID {
				t.Errorf("blocker %d = %s at %s %s, want %s at %s %s", i, b.Code, b.At.Kind, b.At.ID, w.Code, w.At.Kind, w.At.ID)
			}
		}
		wantDroppedAt(t, r, engine.CodeSourceDestCheck, "eni-a") // the first block is the result
	})

	for _, tc := range []struct {
		name string
		f    faults
		code string
		at   string
	}{
		{"source/dest check first", faults{true, true, true, true}, engine.CodeSourceDestCheck, "eni-a"},
		{"then SG egress", faults{false, true, true, true}, engine.CodeSGRulesMismatch, "sg-a"},
		{"then NACL outbound", faults{false, false, true, true}, engine.CodeSubnetACL, "acl-a"},
		{"then the route table", faults{false, false, false, true}, engine.CodeNoRoute, "rtb-a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, p := build(t, tc.f)
			wantDroppedAt(t, l.send("a", p), tc.code, tc.at)
		})
	}

	t.Run("no fault: every stage in order", func(t *testing.T) {
		l, p := build(t, faults{})
		r := l.send("a", p)
		wantExited(t, r, "igw-lab", "internet")
		wantPath(t, r, "i:send", "eni:send", "sg:allow:egress", "acl:allow:outbound", "rtb:forward", "igw:translate", "internet:exit")
	})
}

// §0 step 6: on arrival, the NACL of the destination subnet (inbound), then the receiving ENI's
// source/dest check, then its security groups (ingress).
func TestPipeline_OrderOfChecksOnArrival_0_6(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	l.sg("fw")                               // no inbound rules
	l.instance("fw", "f", "10.0.3.20", "fw") // source/dest check left enabled
	l.acl("f", "f")                          // denies everything
	l.rt("a", route("10.0.1.0/24", "eni-fw"))
	l.assoc("a", "a")

	r := l.sendOpt("a", tcp("10.0.0.11:40000", "10.0.1.55:80"), engine.Options{ContinuePastBlocks: true})
	want := []struct{ code, id string }{
		{engine.CodeSubnetACL, "acl-f"},
		{engine.CodeSourceDestCheck, "eni-fw"},
		{engine.CodeSGRulesMismatch, "sg-fw"},
	}
	if len(r.Blockers) < len(want) {
		t.Fatalf("%d blockers, want at least %d:\n%s", len(r.Blockers), len(want), describe(r))
	}
	for i, w := range want {
		if b := r.Blockers[i]; b.Code != w.code || b.At.ID != w.id {
			t.Errorf("blocker %d = %s at %s, want %s at %s\n%s", i, b.Code, b.At.ID, w.code, w.id, describe(r))
		}
	}
	if r.Blockers[0].Hop < 0 || r.Hops[r.Blockers[0].Hop].Direction != engine.Inbound {
		t.Errorf("first blocker should point at the inbound NACL hop:\n%s", describe(r))
	}
}

// §0.3, §1.2.8, §5.5: between two ENIs of one subnet the packet is switched at L2: neither the
// route table (here a blackhole for the subnet's own CIDR) nor the NACL (deny all) applies;
// security groups still do.
func TestPipeline_SameSubnetSkipsRouteTableAndNACL_0_3_1_2_8_5_5(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("a2", "a", "10.0.0.12")
	l.sg("closed")
	l.instance("a3", "a", "10.0.0.13", "closed")
	l.instance("b", "b", "10.0.1.55")
	deny := l.acl("deny", "a")
	l.rt("a", blackhole(route("10.0.0.0/24", "nat-gone")), blackhole(route("10.0.1.0/24", "nat-gone")))
	l.assoc("a", "a")

	r := l.send("a", tcp("10.0.0.11:40000", "10.0.0.12:22"))
	wantDelivered(t, r, "a2")
	wantPath(t, r, "i:send", "eni:send", "sg:allow:egress", "eni:receive", "sg:allow:ingress", "i:deliver")
	wantEq(t, "TTL at the receiver (§6.6: no router hop)", r.Packet.TTL, uint8(255))

	// Security groups still apply at L2 (§0.3).
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "10.0.0.13:22")), engine.CodeSGRulesMismatch, "sg-closed")

	// Leaving the subnet meets the NACL first, then the (blackhole) route.
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22")), engine.CodeSubnetACL, "acl-deny")
	deny.a.Entries = model.AllowAllACLEntries()
	l.changed()
	wantDropped(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22")), engine.CodeBadStateRoute, "rtb")
}

// §1.1.3: a subnet with no explicit association uses the main table and follows it when the
// main table is replaced; an explicit association is unaffected.
func TestRouteTable_ImplicitMainAssociationAndReplacement_1_1_3(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	l.igw()
	l.publicIP("a", "198.51.100.11")
	l.publicIP("b", "198.51.100.55")
	l.rt("one", route("0.0.0.0/0", "igw-lab"))
	l.rt("two") // local only
	l.rt("explicit", route("0.0.0.0/0", "igw-lab"))
	l.assoc("explicit", "b")
	l.main("one")

	r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "table of a", hop(t, r, "rtb").Component.ID, "rtb-one")

	l.main("two") // the main flag moves
	r = l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	wantDroppedAt(t, r, engine.CodeNoRoute, "rtb-two")

	r = l.send("b", tcp("10.0.1.55:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "table of b (explicit)", hop(t, r, "rtb").Component.ID, "rtb-explicit")

	// A subnet may be explicitly associated with the main table: same result.
	l.assoc("two", "a")
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443")), engine.CodeNoRoute, "rtb-two")
}

// ApplyDefaults gives a VPC without a main table one (§1.1.1), with the local route.
func TestRouteTable_DefaultMainTable_1_1_1(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDelivered(t, r, "b")
	h := hop(t, r, "rtb")
	wantEq(t, "main table", h.Component.ID, model.DeriveID("rtb", "vpc-lab/main"))
	wantEq(t, "route", routeUsed(t, r, 0), "10.0.0.0/16 -> local")
}

// §1.1.5: every table holds a local route for every VPC CIDR, created with the table; a
// custom table with only a default route still delivers inside the VPC, in both CIDRs.
func TestRouteTable_LocalRouteForEveryCIDR_1_1_5(t *testing.T) {
	l := newLab(t, "10.0.0.0/16", "10.1.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("c", "10.1.0.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("c", "c", "10.1.0.33")
	l.igw()
	l.rt("a", route("0.0.0.0/0", "igw-lab"))
	l.assoc("a", "a")

	r := l.send("a", tcp("10.0.0.11:40000", "10.1.0.33:22"))
	wantDelivered(t, r, "c")
	h := hops(r, "rtb")[0]
	want := engine.RouteRef{Destination: "10.1.0.0/16", Target: model.Target{Kind: model.TargetLocal, ID: "local"}, Origin: model.OriginCreateRouteTable, State: model.RouteActive}
	if *h.Route != want {
		t.Fatalf("route = %+v, want %+v", *h.Route, want)
	}
	// c uses the main table made by ApplyDefaults: the primary CIDR is local there too.
	r = l.send("c", pkt(r.Packet).reply())
	wantDelivered(t, r, "a")
	wantEq(t, "route back", routeUsed(t, r, 0), "10.0.0.0/16 -> local")
}

// §1.1.5: the local route's target can be replaced by an appliance ENI; traffic between
// subnets then goes through the appliance (a TTL hop, §6.8).
func TestRouteTable_LocalRouteTargetReplaced_1_1_5(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	l.sg("fw").in("all", -1, -1, "10.0.0.0/16")
	l.instance("fw", "f", "10.0.3.20", "fw")
	l.appliance("fw")
	l.rt("a", route("10.0.0.0/16", "eni-fw")) // replaces local: ApplyDefaults adds no second one
	l.assoc("a", "a")

	// b's default group admits its members by reference, and a is one; but the packet comes
	// from the appliance, which is not: the reference matches nothing (§7.1.13).
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDropped(t, r, engine.CodeSGReferencesNotKept, "sg")
	hopByID(t, r, "i-fw")
	// A rule by address admits what the appliance forwards.
	l.sg("web").in("tcp", 22, 22, "10.0.0.0/16")
	l.eni("b").SecurityGroups = []model.SecurityGroupID{"sg-web"}
	r = l.send("a", tcp("10.0.0.11:40001", "10.0.1.55:22"))
	wantDelivered(t, r, "b")
	wantEq(t, "route", routeUsed(t, r, 0), "10.0.0.0/16 -> eni-fw")
	wantEq(t, "TTL after the appliance", r.Packet.TTL, uint8(254))
	wantEq(t, "source kept", r.Packet.Src, addr("10.0.0.11"))
}

// §1.2.1: the longest matching prefix wins, whatever its kind.
func TestRoute_LongestPrefixWins_1_2_1(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.vgw()
	l.onPrem("dc", "198.51.100.128/25")
	l.igw()
	l.publicIP("a", "203.0.113.11")
	l.rt("a",
		route("0.0.0.0/0", "igw-lab"),
		route("198.51.0.0/16", "nat-wide"),
		blackhole(route("198.51.100.0/24", "nat-gone")),
	)
	l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID} // 198.51.100.128/25, propagated
	l.assoc("a", "a")
	for _, tc := range []struct{ dst, route string }{
		{"8.8.8.8", "0.0.0.0/0 -> igw-lab"},
		{"198.51.7.7", "198.51.0.0/16 -> nat-wide"},
		{"198.51.100.5", "198.51.100.0/24 -> nat-gone"},
		{"198.51.100.200", "198.51.100.128/25 -> vgw-lab"}, // propagated but longest: it wins
		{"10.0.0.200", ""},                                 // own subnet: no route table at all
		{"10.0.9.9", "10.0.0.0/16 -> local"},
	} {
		r := l.send("a", tcp("10.0.0.11:40000", tc.dst+":443"))
		if tc.route == "" {
			if len(hops(r, "rtb")) != 0 {
				t.Errorf("%s: route table consulted:\n%s", tc.dst, describe(r))
			}
			continue
		}
		if got := routeUsed(t, r, 0); got != tc.route {
			t.Errorf("%s: route %s, want %s", tc.dst, got, tc.route)
		}
	}
}

// §1.2.2: for equal prefixes, static beats prefix-list beats propagated, whatever the order
// in which the routes were listed.
func TestRoute_EqualPrefixTieBreaks_1_2_2(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		static, prefixList, propg bool
		want                      string
		origin                    model.RouteOrigin
	}{
		{"static beats prefix list and propagated", true, true, true, "172.16.0.0/16 -> nat-static", model.OriginCreateRoute},
		{"prefix list beats propagated", false, true, true, "pl-11112222 -> nat-pl", model.OriginCreateRoute},
		{"static beats propagated", true, false, true, "172.16.0.0/16 -> nat-static", model.OriginCreateRoute},
		{"propagated alone", false, false, true, "172.16.0.0/16 -> vgw-lab", model.OriginEnableVgwRoutePropagation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, "10.0.0.0/16")
			l.subnet("a", "10.0.0.0/24")
			l.instance("a", "a", "10.0.0.11")
			l.vgw()
			l.onPrem("dc", "172.16.0.0/16")
			l.prefixList("pl-11112222", "172.16.0.0/16")
			var routes []model.Route // listed in reverse priority order on purpose
			if tc.propg {
				routes = append(routes, propagated(route("172.16.0.0/16", "vgw-lab")))
			}
			if tc.prefixList {
				routes = append(routes, route("pl-11112222", "nat-pl"))
			}
			if tc.static {
				routes = append(routes, route("172.16.0.0/16", "nat-static"))
			}
			l.rt("a", routes...)
			l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID}
			l.assoc("a", "a")
			r := l.send("a", tcp("10.0.0.11:40000", "172.16.5.5:443"))
			wantEq(t, "route", routeUsed(t, r, 0), tc.want)
			wantEq(t, "origin", hops(r, "rtb")[0].Route.Origin, tc.origin)
		})
	}
}

// §1.2.3: overlapping prefix-list routes: AWS picks one at random and keeps it; vpclab picks
// deterministically by route order (documented default).
func TestRoute_OverlappingPrefixListsDeterministic_1_2_3(t *testing.T) {
	for _, first := range []string{"pl-aaaa0001", "pl-bbbb0002"} {
		l := newLab(t, "10.0.0.0/16")
		l.subnet("a", "10.0.0.0/24")
		l.instance("a", "a", "10.0.0.11")
		l.prefixList("pl-aaaa0001", "172.16.0.0/16", "172.17.0.0/16")
		l.prefixList("pl-bbbb0002", "172.16.0.0/16")
		second := map[string]string{"pl-aaaa0001": "pl-bbbb0002", "pl-bbbb0002": "pl-aaaa0001"}[first]
		l.rt("a", route(first, "nat-"+first[3:]), route(second, "nat-"+second[3:]))
		l.assoc("a", "a")
		for i := 0; i < 3; i++ {
			r := l.send("a", tcp("10.0.0.11:40000", "172.16.5.5:443"))
			wantEq(t, "route", routeUsed(t, r, 0), first+" -> nat-"+first[3:])
		}
		r := l.send("a", tcp("10.0.0.11:40000", "172.17.5.5:443"))
		wantEq(t, "only pl-aaaa0001 holds 172.17/16", routeUsed(t, r, 0), "pl-aaaa0001 -> nat-aaaa0001")
	}
}

// §1.2.4: a propagated route never beats the local route, even when more specific.
func TestRoute_PropagatedNeverBeatsLocal_1_2_4(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	l.vgw()
	l.vpn("dc", "10.0.1.0/24", "10.0.0.0/8") // on-premises advertises overlapping prefixes
	l.rt("a", propagated(route("10.0.1.32/27", "vgw-lab")))
	l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID}
	l.assoc("a", "a")
	for _, dst := range []string{"10.0.1.55", "10.0.1.40"} {
		r := l.send("a", tcp("10.0.0.11:40000", dst+":22"))
		wantEq(t, "route to "+dst, routeUsed(t, r, 0), "10.0.0.0/16 -> local")
	}
	wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22")), "b")
	// Outside the VPC CIDR the propagated 10.0.0.0/8 applies as usual.
	r := l.send("a", tcp("10.0.0.11:40000", "10.9.0.1:22"))
	wantEq(t, "outside the VPC", routeUsed(t, r, 0), "10.0.0.0/8 -> vgw-lab")
	wantExited(t, r, "vgw-lab", "onprem")
}

// §1.2.4 with §1.2.1: the propagated route is out of the running inside the VPC CIDR, so the
// longest of the remaining routes wins; a more-specific static subnet route (§1.2.5) still
// beats local even when a propagated route is more specific than both.
func TestRoute_PropagatedInsideVPCDoesNotHideSubnetRoute_1_2_4(t *testing.T) {
	l := eastWest(t, true)
	l.vgw()
	l.table("a").Routes = append(l.table("a").Routes, propagated(route("10.0.1.0/25", "vgw-lab")))
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
	wantEq(t, "route", routeUsed(t, r, 0), "10.0.1.0/24 -> nat-m")
	wantDelivered(t, r, "b")
	wantEq(t, "seen source", r.Packet.Src, addr("10.0.2.10"))
}

// eastWest is blog (a) (§10a): subnet a routes subnet b's CIDR to a NAT gateway in subnet m.
func eastWest(t testing.TB, public bool) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("m", "10.0.2.0/24")
	l.sg("a")
	l.sg("b").in("all", -1, -1, "10.0.0.0/16")
	l.instance("a", "a", "10.0.0.11", "a")
	l.instance("b", "b", "10.0.1.55", "b")
	eip := ""
	if public {
		l.igw()
		eip = "203.0.113.10"
	}
	l.nat("m", "m", "10.0.2.10", eip)
	l.rt("a", route("10.0.1.0/24", "nat-m"))
	l.assoc("a", "a")
	return l
}

// §1.2.5: a more-specific route for a subnet CIDR to a NAT gateway sends east-west traffic
// through it (blog a, §10a.2-4).
func TestRoute_MoreSpecificToNATGateway_1_2_5(t *testing.T) {
	l := eastWest(t, true)
	r := l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 7, 1))
	wantDelivered(t, r, "b")
	wantEq(t, "route", routeUsed(t, r, 0), "10.0.1.0/24 -> nat-m")
	wantPath(t, r, "i:send", "eni:send", "sg:allow:egress", "acl:allow:outbound", "rtb:forward",
		"acl:allow:inbound", "nat:translate", "acl:allow:outbound", "rtb:forward", "acl:allow:inbound",
		"eni:receive", "sg:allow:ingress", "i:deliver")
	wantEq(t, "second lookup in the NAT subnet's table (§2.3.4)", routeUsed(t, r, 1), "10.0.0.0/16 -> local")
	wantEq(t, "seen source: the NAT's private IP", r.Packet.Src, addr("10.0.2.10"))
	wantEq(t, "TTL (AL2 255, one NAT hop)", r.Packet.TTL, uint8(254))

	// The echo reply comes back through the NAT gateway with the local route of b's table
	// (§10a.8): translated back, TTL 254 again.
	back := l.send("b", replyTo(r))
	wantDelivered(t, back, "a")
	wantEq(t, "reply destination", back.Packet.Dst, addr("10.0.0.11"))
	wantEq(t, "reply id", back.Packet.ICMPID, uint16(7))
	wantEq(t, "reply type", back.Packet.ICMPType, packet.ICMPEchoReply)
	wantEq(t, "reply TTL", back.Packet.TTL, uint8(254))
}

// §1.2.5: a more-specific route to an appliance ENI (source/dest check off) in a third subnet,
// with the return route through the same appliance.
func TestRoute_MoreSpecificToApplianceENI_1_2_5(t *testing.T) {
	for _, target := range []string{"eni-fw", "i-fw"} { // by ENI, or by instance (its primary ENI)
		t.Run(target, func(t *testing.T) { testApplianceRoute(t, target) })
	}
}

func testApplianceRoute(t *testing.T, target string) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("lan").in("all", -1, -1, "10.0.0.0/16")
	l.instance("a", "a", "10.0.0.11", "lan")
	l.instance("b", "b", "10.0.1.55", "lan")
	l.instance("fw", "f", "10.0.3.20", "lan")
	l.appliance("fw")
	l.rt("a", route("10.0.1.0/24", target))
	l.rt("b", route("10.0.0.0/24", target))
	l.assoc("a", "a")
	l.assoc("b", "b")

	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
	wantDelivered(t, r, "b")
	wantPath(t, r, "i:send", "eni:send", "sg:allow", "acl:allow", "rtb:forward", "acl:allow",
		"eni:receive", "sg:allow:ingress", "i:forward", "sg:allow:egress", "acl:allow", "rtb:forward", "acl:allow",
		"eni:receive", "sg:allow", "i:deliver")
	wantEq(t, "route", routeUsed(t, r, 0), "10.0.1.0/24 -> "+target)
	wantEq(t, "appliance's onward route", routeUsed(t, r, 1), "10.0.0.0/16 -> local")
	wantEq(t, "source kept (no NAT)", r.Packet.Src, addr("10.0.0.11"))
	wantEq(t, "TTL-1 at the appliance (§6.8)", r.Packet.TTL, uint8(254))

	back := l.send("b", replyTo(r))
	wantDelivered(t, back, "a")
	wantEq(t, "return route", routeUsed(t, back, 0), "10.0.0.0/24 -> "+target)
	wantEq(t, "return TTL", back.Packet.TTL, uint8(254))
}

// egress is the classic private subnet a → public NAT gateway in m → IGW.
func egress(t testing.TB) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("m", "10.0.2.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.igw()
	l.nat("m", "m", "10.0.2.10", "203.0.113.10")
	l.rt("private", route("0.0.0.0/0", "nat-m"))
	l.rt("public", route("0.0.0.0/0", "igw-lab"))
	l.assoc("private", "a")
	l.assoc("public", "m")
	return l
}

// §1.2.5, §2.3.4: the NAT gateway forwards its output with its own subnet's route table.
func TestRoute_NATGatewayUsesItsOwnSubnetTable_1_2_5(t *testing.T) {
	l := egress(t)
	r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	rts := hops(r, "rtb")
	if len(rts) != 2 || rts[0].Component.ID != "rtb-private" || rts[1].Component.ID != "rtb-public" {
		t.Fatalf("route tables used: want rtb-private then rtb-public:\n%s", describe(r))
	}

	// Without a default route in the NAT subnet's table, the translated packet has no route,
	// although the source subnet's table has one.
	l.table("public").Routes = l.table("public").Routes[1:]
	l.changed()
	r = l.send("a", tcp("10.0.0.11:40001", "8.8.8.8:443"))
	wantDroppedAt(t, r, engine.CodeNoRoute, "rtb-public")
	wantEq(t, "dropped after translation", r.Packet.Src, addr("10.0.2.10"))
}

// §1.2.5 (loop INF): the NAT subnet's table sends the traffic back to the same NAT gateway.
func TestRoute_NATGatewayLoop_1_2_5(t *testing.T) {
	t.Run("NAT subnet default route to itself", func(t *testing.T) {
		l := egress(t)
		l.table("public").Routes[0] = route("0.0.0.0/0", "nat-m")
		l.changed()
		r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
		wantDroppedAt(t, r, engine.CodeRoutingLoop, "nat-m")
		wantEq(t, "NAT hops (the translation, then the loop drop)", len(hops(r, "nat")), 2)
	})
	t.Run("NAT in the source subnet (§10a.1)", func(t *testing.T) {
		l := eastWest(t, false)
		l.topo.NATGateways[0].Subnet = "subnet-a"
		l.topo.NATGateways[0].Addresses[0].PrivateIP = addr("10.0.0.10")
		l.changed()
		r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:80"))
		wantDroppedAt(t, r, engine.CodeRoutingLoop, "nat-m")
	})
}

// §1.2.6: a blackhole route takes part in LPM and drops; it never falls back to a shorter route.
func TestRoute_BlackholeDropsNoFallback_1_2_6(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.publicIP("a", "198.51.100.11")
	l.igw()
	l.nat("old", "a", "10.0.0.5", "") // deleted below: routes to it stay active in the table
	l.rt("a", route("0.0.0.0/0", "igw-lab"), blackhole(route("93.184.0.0/16", "nat-gone")),
		route("93.185.0.0/16", "nat-old"))
	l.assoc("a", "a")

	r := l.send("a", tcp("10.0.0.11:40000", "93.184.216.34:443"))
	wantDroppedAt(t, r, engine.CodeBadStateRoute, "rtb-a")
	h := hop(t, r, "rtb")
	wantEq(t, "hop action", h.Action, engine.ActDrop)
	wantEq(t, "route state", h.Route.State, model.RouteBlackhole)
	wantEq(t, "route", routeUsed(t, r, 0), "93.184.0.0/16 -> nat-gone")

	wantExited(t, l.send("a", tcp("10.0.0.11:40000", "1.1.1.1:443")), "igw-lab", "internet")

	// A route whose NAT gateway is deleted drops too (BAD_STATE), without falling back.
	l.topo.NATGateways[0].State = "deleted"
	l.changed()
	wantDropped(t, l.send("a", tcp("10.0.0.11:40000", "93.185.1.1:443")), engine.CodeBadState, "nat")
}

// §1.2.7: no matching route drops with NO_ROUTE_TO_DESTINATION.
func TestRoute_NoRoute_1_2_7(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.rt("a", route("172.16.0.0/12", "nat-x"))
	l.assoc("a", "a")
	r := l.send("a", udp("10.0.0.11:5000", "8.8.8.8:53"))
	wantDroppedAt(t, r, engine.CodeNoRoute, "rtb-a")
	if h := hop(t, r, "rtb"); h.Route != nil || h.Action != engine.ActDrop {
		t.Fatalf("no-route hop should carry no route and drop:\n%s", describe(r))
	}
}

// §1.3: a gateway (edge) route table associated with the IGW steers inbound traffic for a
// subnet to an appliance; the subnet's return route goes back through the same appliance.
func TestRoute_IGWGatewayRouteTable_1_3(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("web").in("tcp", 22, 22, "0.0.0.0/0")
	l.instance("b", "b", "10.0.1.55", "web")
	l.publicIP("b", "198.51.100.55")
	l.sg("fw").in("all", -1, -1, "0.0.0.0/0")
	l.instance("fw", "f", "10.0.3.20", "fw")
	l.publicIP("fw", "198.51.100.20") // §1.3.5: an IGW edge route's interface needs one
	l.appliance("fw")
	l.igw()
	l.rt("edge", route("10.0.1.0/24", "eni-fw"))
	l.table("edge").Gateways = []string{string(igwID)}
	l.rt("f", route("0.0.0.0/0", "igw-lab"))
	l.rt("b", route("0.0.0.0/0", "eni-fw"))
	l.assoc("f", "f")
	l.assoc("b", "b")

	r := l.send("internet", tcp("8.8.8.8:40000", "198.51.100.55:22"))
	wantDelivered(t, r, "b")
	wantEq(t, "edge route", routeUsed(t, r, 0), "10.0.1.0/24 -> eni-fw")
	wantEq(t, "edge table", hops(r, "rtb")[0].Component.ID, "rtb-edge")
	wantEq(t, "destination mapped to private", r.Packet.Dst, addr("10.0.1.55"))
	wantEq(t, "TTL after the appliance", r.Packet.TTL, uint8(254))

	back := l.send("b", replyTo(r))
	wantExited(t, back, "igw-lab", "internet")
	wantEq(t, "return route", routeUsed(t, back, 0), "0.0.0.0/0 -> eni-fw")
	wantEq(t, "return source is the public IP", back.Packet.Src, addr("198.51.100.55"))
}

// §1.4.1: a table with VGW route propagation gets the VPN static routes and the declared
// on-premises prefixes, with Origin EnableVgwRoutePropagation; a table without it does not.
func TestRoute_VGWPropagation_1_4_1(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.instance("a", "a", "10.0.0.11")
	l.instance("b", "b", "10.0.1.55")
	l.vgw()
	l.vpn("dc", "192.168.0.0/16")
	l.onPrem("branch", "172.20.0.0/16")
	l.rt("a")
	l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID}
	l.rt("b")
	l.assoc("a", "a")
	l.assoc("b", "b")

	for _, tc := range []struct{ dst, dest string }{{"192.168.1.10", "192.168.0.0/16"}, {"172.20.3.4", "172.20.0.0/16"}} {
		r := l.send("a", tcp("10.0.0.11:40000", tc.dst+":22"))
		wantExited(t, r, "vgw-lab", "onprem")
		want := engine.RouteRef{Destination: tc.dest, Target: model.Target{Kind: model.TargetVPNGateway, ID: "vgw-lab"}, Origin: model.OriginEnableVgwRoutePropagation, State: model.RouteActive}
		if got := *hops(r, "rtb")[0].Route; got != want {
			t.Errorf("route = %+v, want %+v", got, want)
		}
		wantDroppedAt(t, l.send("b", tcp("10.0.1.55:40000", tc.dst+":22")), engine.CodeNoRoute, "rtb-b")
	}
	if r := l.send("a", tcp("10.0.0.11:40000", "172.20.3.4:22")); r.Exit.To.Name != "branch" {
		t.Errorf("exit should name the on-premises network:\n%s", describe(r))
	}
}

// Fail closed (ARCHITECTURE decision 6): targets the engine does not model compile to a node
// that drops with UNSUPPORTED_COMPONENT naming the target. Validation (model.Validate) warns
// about every one of them; Compile does not say it twice.
func TestRoute_UnmodelledTargetsFailClosed(t *testing.T) {
	for _, tc := range []struct {
		target, kind string
		warnings     int
	}{
		{"vpce-0123456789abcdef0", "vpc-endpoint", 0},
		{"lgw-0123456789abcdef0", "route-target", 0},
	} {
		l := newLab(t, "10.0.0.0/16")
		l.subnet("a", "10.0.0.0/24")
		l.instance("a", "a", "10.0.0.11")
		l.rt("a", route("0.0.0.0/0", tc.target))
		l.assoc("a", "a")
		l.expectWarnings(tc.warnings)
		r := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
		wantDropped(t, r, engine.CodeUnsupportedComponent, tc.kind)
		wantEq(t, "component", r.At.ID, tc.target)
	}
}
