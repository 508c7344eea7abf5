package engine_test

// Transit gateway scenarios: aws-vpc-semantics.md §7.2, one test per scenario id (TGW-n).

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// hubAB: A 10.0/16 and B 10.1/16, each with subnets in AZs a and b, attached to tgw-hub in
// both, associated with and propagating to its one table "main"; each VPC routes the other's
// block to the transit gateway. Host a1 is in A's AZ a, host b2 in B's AZ b.
func hubAB(t testing.TB) *estate {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16")
	x.vpc("b", "10.1.0.0/16")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("a", "a2", "10.0.2.0/24", "us-east-1b")
	x.subnet("b", "b1", "10.1.1.0/24", "us-east-1a")
	x.subnet("b", "b2", "10.1.2.0/24", "us-east-1b")
	x.host("a1", "a1", "10.0.1.10")
	x.host("b2", "b2", "10.1.2.10")
	x.tgw("hub", "main")
	x.attach("hub", "a", "main", "a1", "a2")
	x.attach("hub", "b", "main", "b1", "b2")
	x.propagate("main", "a", "b")
	for _, s := range []string{"a1", "a2"} {
		x.routes(s, route("10.1.0.0/16", "tgw-hub"))
	}
	for _, s := range []string{"b1", "b2"} {
		x.routes(s, route("10.0.0.0/16", "tgw-hub"))
	}
	return x
}

// tgwRoutesUsed lists the transit gateway routes of a result's hops: "table: dst -> attachment".
func tgwRoutesUsed(r *engine.Result) []string {
	var out []string
	for _, h := range r.Hops {
		if h.TGWRoute != nil {
			out = append(out, string(h.TGWRoute.Table)+": "+h.TGWRoute.Destination+" -> "+string(h.TGWRoute.Attachment)+" ("+h.TGWRoute.RouteType+")")
		}
	}
	return out
}

func TestTGW1_DeliveredWithAZAffinity(t *testing.T) {
	x := hubAB(t)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	wantEq(t, "tgw route", strings.Join(tgwRoutesUsed(r), "; "), "tgw-rtb-main: 10.1.0.0/16 -> tgw-attach-b (propagated)")
	// Enters through A's interface in AZ a, leaves through B's in AZ a (affinity), where b1's
	// table routes it locally to b2.
	hopByID(t, r, "eni-tgw-a1")
	hopByID(t, r, "eni-tgw-b1")
	wantEq(t, "route out of the attachment subnet", routeUsed(t, r, 1), "10.1.0.0/16 -> local")
	// The reply enters at B's AZ b interface and leaves at A's AZ b interface.
	back := x.send("b2", replyTo(r))
	wantDelivered(t, back, "a1")
	hopByID(t, back, "eni-tgw-b2")
	hopByID(t, back, "eni-tgw-a2")
	// The transit gateway does no NAT: B's host sees A's address (§7.2.11).
	wantEq(t, "source at B", r.Packet.Src, addr("10.0.1.10"))
}

func TestTGW2_NoAttachmentSubnetInSendersAZ(t *testing.T) {
	x := hubAB(t)
	x.topo.TGWAttachments[0].Subnets = []model.SubnetID{"subnet-a2"}
	x.topo.NetworkInterfaces = deleteENI(x.topo.NetworkInterfaces, "eni-tgw-a1")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDroppedAt(t, r, engine.CodeTGWRouteAZRestriction, "tgw-attach-a")
}

func deleteENI(es []*model.NetworkInterface, id model.ENIID) []*model.NetworkInterface {
	var out []*model.NetworkInterface
	for _, e := range es {
		if e.ID != id {
			out = append(out, e)
		}
	}
	return out
}

// §7.2.3: an attachment that is not available carries nothing, either way.
func TestTGW_AttachmentNotAvailable(t *testing.T) {
	for _, state := range []string{"pending", "pendingAcceptance", "deleting", "deleted", "failed"} {
		x := hubAB(t)
		x.topo.TGWAttachments[0].State = state
		r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
		wantDroppedAt(t, r, engine.CodeBadStateAttachment, "tgw-attach-a")
		if !strings.Contains(r.Detail, state) {
			t.Errorf("%s: the drop should name the state: %s", state, r.Detail)
		}
		// Toward it: its propagated routes are gone (§7.2.5); a static route to it points at
		// an attachment that is not available (§7.2.8).
		wantDroppedAt(t, x.send("b2", tcp("10.1.2.10:40000", "10.0.1.10:22")), engine.CodeTGWRTBNoRoute, "tgw-rtb-main")
		x.tgwRoute("main", "10.0.0.0/16", "a")
		wantDroppedAt(t, x.send("b2", tcp("10.1.2.10:40001", "10.0.1.10:22")), engine.CodeTGWRTBBadStateRoute, "tgw-rtb-main")
	}
}

func TestTGW3_StaticBlackholeBeatsPropagated(t *testing.T) {
	x := hubAB(t)
	x.tgwRoute("main", "10.1.0.0/16", "")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDroppedAt(t, r, engine.CodeTGWRTBBadStateRoute, "tgw-rtb-main")
}

func TestTGW4_UnassociatedAttachment(t *testing.T) {
	x := hubAB(t)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	x.topo.TGWAttachments[1].Association = ""
	x.changed()
	wantDelivered(t, r, "b2") // routing into B needs only A's association
	back := x.send("b2", replyTo(r))
	wantDroppedAt(t, back, engine.CodeTGWMissingAssociation, "tgw-attach-b")
}

// inspection: hubAB plus an inspection VPC with stateful appliances in AZs a and b. Spokes
// are associated with table "spokes" (only 0/0 → the inspection attachment); the inspection
// attachment with "insp" (spokes propagated). Each inspection attachment subnet routes 0/0 to
// its zone's appliance; the appliances' subnets route 10/8 back to the transit gateway.
func inspection(t testing.TB, applianceMode bool) *estate {
	x := hubAB(t)
	x.vpc("i", "10.9.0.0/16")
	x.subnet("i", "ita", "10.9.1.0/24", "us-east-1a")
	x.subnet("i", "itb", "10.9.2.0/24", "us-east-1b")
	x.subnet("i", "ifa", "10.9.11.0/24", "us-east-1a")
	x.subnet("i", "ifb", "10.9.12.0/24", "us-east-1b")
	for _, fw := range []struct{ subnet, name, ip string }{{"ifa", "fwa", "10.9.11.10"}, {"ifb", "fwb", "10.9.12.10"}} {
		e := x.host(fw.subnet, fw.name, fw.ip)
		e.SourceDestCheck = false
		x.topo.Instances[len(x.topo.Instances)-1].StatefulForwarding = true
		x.routes(fw.subnet, route("10.0.0.0/8", "tgw-hub"))
	}
	x.routes("ita", route("0.0.0.0/0", "eni-fwa"))
	x.routes("itb", route("0.0.0.0/0", "eni-fwb"))
	x.topo.TGWRouteTables = append(x.topo.TGWRouteTables,
		&model.TGWRouteTable{ID: "tgw-rtb-spokes", TransitGateway: "tgw-hub"},
		&model.TGWRouteTable{ID: "tgw-rtb-insp", TransitGateway: "tgw-hub"})
	att := x.attach("hub", "i", "insp", "ita", "itb")
	att.ApplianceMode = applianceMode
	x.topo.TGWAttachments[0].Association = "tgw-rtb-spokes"
	x.topo.TGWAttachments[1].Association = "tgw-rtb-spokes"
	x.tgwRoute("spokes", "0.0.0.0/0", "i")
	x.propagate("insp", "a", "b")
	return x
}

func TestTGW5_TwoTablesForceInspection(t *testing.T) {
	x := inspection(t, false)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	wantEq(t, "tgw routes", strings.Join(tgwRoutesUsed(r), "; "),
		"tgw-rtb-spokes: 0.0.0.0/0 -> tgw-attach-i (static); tgw-rtb-insp: 10.1.0.0/16 -> tgw-attach-b (propagated)")
	hopByID(t, r, "i-fwa")
}

func TestTGW6_NoApplianceModeBreaksStatefulInspection(t *testing.T) {
	x := inspection(t, false)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	hopByID(t, r, "i-fwa")
	back := x.send("b2", replyTo(r))
	wantDroppedAt(t, back, engine.CodeAsymmetricInspection, "i-fwb")
	if adv := back.Blockers[0].Advice; len(adv) != 1 || adv[0].Code != engine.DetailApplianceModeRecommended || adv[0].At.ID != "tgw-attach-i" {
		t.Errorf("the drop should recommend appliance mode on tgw-attach-i: %+v", adv)
	}
}

func TestTGW7_ApplianceModeKeepsTheFlowInOneAZ(t *testing.T) {
	for port := uint16(40000); port < 40008; port++ {
		x := inspection(t, true)
		p := tcp("10.0.1.10:40000", "10.1.2.10:22")
		p.SrcPort = port
		r := x.send("a1", p)
		wantDelivered(t, r, "b2")
		back := x.send("b2", replyTo(r))
		wantDelivered(t, back, "a1")
		fw := func(r *engine.Result) string {
			for _, h := range r.Hops {
				if h.Middlebox {
					return h.Component.ID
				}
			}
			return ""
		}
		wantEq(t, "appliance both ways", fw(back), fw(r))
	}
}

// §7.2.13: with the source and destination in different zones the choice is a symmetric flow
// hash between the two, so a reply after the transit gateway's flow state idled out (350 s)
// picks the same zone as the request did: a long-lived connection that idles keeps its
// appliance.
func TestTGW7_ApplianceModeChoiceIsSymmetricAfterIdle(t *testing.T) {
	for port := uint16(40000); port < 40008; port++ {
		x := inspection(t, true)
		p := tcp("10.0.1.10:40000", "10.1.2.10:22")
		p.SrcPort = port
		r := x.send("a1", p)
		wantDelivered(t, r, "b2")
		x.clock.Advance(400 * time.Second)
		back := x.send("b2", replyTo(r))
		wantDelivered(t, back, "a1")
	}
}

func TestTGW8_OverlappingVPCNotPropagated(t *testing.T) {
	x := hubAB(t)
	x.vpc("c", "10.0.0.0/16")
	x.subnet("c", "c1", "10.0.1.0/24", "us-east-1a")
	x.host("c1", "c1", "10.0.1.10")
	x.attach("hub", "c", "main", "c1")
	x.propagate("main", "c")
	x.warnings = 1
	r := x.send("b2", tcp("10.1.2.10:40000", "10.0.1.10:22"))
	wantDelivered(t, r, "a1")
}

func TestTGW9_PeeringAcrossRegions(t *testing.T) {
	x := hubAB(t)
	x.vpc("x", "10.20.0.0/16", "eu-west-1")
	x.subnet("x", "x1", "10.20.1.0/24", "eu-west-1a")
	x.host("x1", "x1", "10.20.1.10")
	x.tgw("eu", "eu")
	x.topo.TransitGateways[1].Region = "eu-west-1"
	x.attach("eu", "x", "eu", "x1")
	x.propagate("eu", "x")
	x.topo.TGWAttachments = append(x.topo.TGWAttachments,
		&model.TGWAttachment{ID: "tgw-attach-peer-us", TransitGateway: "tgw-hub", Type: model.AttachPeering, ResourceID: "tgw-eu", PeerTransitGateway: "tgw-eu", State: "available", Association: "tgw-rtb-main"},
		&model.TGWAttachment{ID: "tgw-attach-peer-eu", TransitGateway: "tgw-eu", Type: model.AttachPeering, ResourceID: "tgw-hub", PeerTransitGateway: "tgw-hub", State: "available", Association: "tgw-rtb-eu"})
	x.tgwRoute("main", "10.20.0.0/16", "peer-us")
	x.tgwRoute("eu", "10.0.0.0/16", "peer-eu")
	x.routes("a1", route("10.20.0.0/16", "tgw-hub"))
	x.routes("x1", route("10.0.0.0/16", "tgw-eu"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.20.1.10:22"))
	wantDelivered(t, r, "x1")
	wantEq(t, "tgw routes", strings.Join(tgwRoutesUsed(r), "; "),
		"tgw-rtb-main: 10.20.0.0/16 -> tgw-attach-peer-us (static); tgw-rtb-eu: 10.20.0.0/16 -> tgw-attach-x (propagated)")
	wantDelivered(t, x.send("x1", replyTo(r)), "a1")
	// §7.2.19: the far side must be accepted too.
	x.topo.TGWAttachments[len(x.topo.TGWAttachments)-1].State = "pendingAcceptance"
	x.changed()
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40002", "10.20.1.10:22")), engine.CodeBadStateAttachment, "tgw-attach-peer-eu")
	x.topo.TGWAttachments[len(x.topo.TGWAttachments)-1].State = "available"
	x.changed()
	big := tcp("10.0.1.10:40001", "10.20.1.10:22")
	big.DF, big.PayloadLen = true, 8600
	wantDropped(t, x.send("a1", big), engine.CodeMTUExceeded, "attach")
}

// A snapshot of both accounts lists a peering attachment at each end under one ID, each with
// its own association (§7.2.19, §9.5).
func TestTGW9_PeeringAttachmentSharesItsIDAtBothEnds(t *testing.T) {
	x := hubAB(t)
	x.vpc("x", "10.20.0.0/16", "eu-west-1")
	x.subnet("x", "x1", "10.20.1.0/24", "eu-west-1a")
	x.host("x1", "x1", "10.20.1.10")
	x.tgw("eu", "eu")
	x.attach("eu", "x", "eu", "x1")
	x.propagate("eu", "x")
	x.topo.TGWAttachments = append(x.topo.TGWAttachments,
		&model.TGWAttachment{ID: "tgw-attach-peer", TransitGateway: "tgw-hub", Type: model.AttachPeering, PeerTransitGateway: "tgw-eu", State: "available", Association: "tgw-rtb-main"},
		&model.TGWAttachment{ID: "tgw-attach-peer", TransitGateway: "tgw-eu", Type: model.AttachPeering, PeerTransitGateway: "tgw-hub", State: "available", Association: "tgw-rtb-eu"})
	x.tgwRoute("main", "10.20.0.0/16", "peer")
	x.tgwRoute("eu", "10.0.0.0/16", "peer")
	x.routes("a1", route("10.20.0.0/16", "tgw-hub"))
	x.routes("x1", route("10.0.0.0/16", "tgw-eu"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.20.1.10:22"))
	wantDelivered(t, r, "x1")
	back := x.send("x1", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "tgw routes back", strings.Join(tgwRoutesUsed(back), "; "),
		"tgw-rtb-eu: 10.0.0.0/16 -> tgw-attach-peer (static); tgw-rtb-main: 10.0.0.0/16 -> tgw-attach-a (propagated)")
}

func TestTGW10_MTU8500WithoutICMP(t *testing.T) {
	x := hubAB(t)
	p := tcp("10.0.1.10:40000", "10.1.2.10:22")
	p.DF, p.PayloadLen = true, 9000-40
	r := x.send("a1", p)
	wantDroppedAt(t, r, engine.CodeMTUExceeded, "tgw-attach-a")
	if r.Generated != nil {
		t.Fatalf("the transit gateway sends no ICMP (§7.2.15):\n%s", describe(r.Generated))
	}
	p.PayloadLen = 8500 - 40
	wantDelivered(t, x.send("a1", p), "b2")
}

func TestTGW11_ReferencesNeedTheTGWOption(t *testing.T) {
	x := hubAB(t)
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.topo.NetworkInterfaces[0].SecurityGroups = []model.SecurityGroupID{"sg-client"}
	x.topo.NetworkInterfaces[1].SecurityGroups = []model.SecurityGroupID{"sg-server"}
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDropped(t, r, engine.CodeSGReferencingSupport, "sg")
	x.topo.TransitGateways[0].SGReferencing = true
	x.changed()
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40001", "10.1.2.10:22")), "b2")
	// Off on one attachment: no match again.
	x.topo.TGWAttachments[1].SGReferencing = false
	x.changed()
	wantDropped(t, x.send("a1", tcp("10.0.1.10:40002", "10.1.2.10:22")), engine.CodeSGReferencingSupport, "sg")
}

// §7.1.13, §7.2.17: a reference matches the sender's groups, which a packet an appliance
// forwards no longer carries: through an inspection VPC the reference to A's group matches
// nothing, even with referencing on everywhere; a CIDR rule still admits it.
func TestTGW11_ReferencesDoNotMatchThroughAnAppliance(t *testing.T) {
	x := inspection(t, true)
	x.topo.TransitGateways[0].SGReferencing = true
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.topo.NetworkInterfaces[0].SecurityGroups = []model.SecurityGroupID{"sg-client"}
	x.topo.NetworkInterfaces[1].SecurityGroups = []model.SecurityGroupID{"sg-server"}
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDroppedAt(t, r, engine.CodeSGReferencesNotKept, "sg-server")
	if !strings.Contains(r.Detail, "appliance") {
		t.Errorf("the drop should say an appliance forwarded the packet: %s", r.Detail)
	}
	// Without the inspection VPC in the path the same reference matches (TGW11 above).
	x.topo.TGWAttachments[0].Association = "tgw-rtb-main"
	x.changed()
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40001", "10.1.2.10:22")), "b2")
}

// §7.1.11, §7.2.17: a reference to a peer VPC's group works for packets that cross the
// peering; A and B also share a transit gateway without security group referencing, and
// when A's table sends B's traffic there instead, the reference matches nothing.
func TestTGW11_ReferenceFollowsThePathNotThePeering(t *testing.T) {
	x := hubAB(t)
	x.peer("ab", "a", "b")
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.topo.NetworkInterfaces[0].SecurityGroups = []model.SecurityGroupID{"sg-client"}
	x.topo.NetworkInterfaces[1].SecurityGroups = []model.SecurityGroupID{"sg-server"}
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDroppedAt(t, r, engine.CodeSGReferencingSupport, "sg-server")
	// Over the peering the same reference matches.
	x.routes("a1", route("10.1.2.0/24", "pcx-ab"))
	r = x.send("a1", tcp("10.0.1.10:40001", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	hopByID(t, r, "pcx-ab")
}

// A transit gateway shared with another account: its attachment to a VPC the snapshot does not
// hold is available, and the packet leaves toward that VPC, as over a peering to a VPC beyond
// the snapshot; it is no bad state.
func TestTGW_AttachmentToAVPCBeyondTheSnapshot(t *testing.T) {
	x := hubAB(t)
	x.topo.TGWAttachments = append(x.topo.TGWAttachments, &model.TGWAttachment{ID: "tgw-attach-z", TransitGateway: "tgw-hub",
		Type: model.AttachVPC, ResourceID: "vpc-z", ResourceOwner: "222222222222", State: "available", Subnets: []model.SubnetID{"subnet-z1"}})
	x.tgwRoute("main", "10.50.0.0/16", "z")
	x.routes("a1", route("10.50.0.0/16", "tgw-hub"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.50.5.10:22"))
	wantExited(t, r, "tgw-attach-z", "vpc")
	wantEq(t, "exit toward", r.Exit.To.ID, "vpc-z")
}

// attachmentACL gives subnet-<subnet> a network ACL that allows or denies everything, per
// direction.
func attachmentACL(x *estate, vpc, subnet string, in, out bool) {
	all := netip.MustParsePrefix("0.0.0.0/0")
	x.topo.NetworkACLs = append(x.topo.NetworkACLs, &model.NetworkACL{ID: model.NetworkACLID("acl-" + subnet), VPC: model.VPCID("vpc-" + vpc),
		Subnets: []model.SubnetID{model.SubnetID("subnet-" + subnet)}, Entries: []model.NetworkACLEntry{
			{RuleNumber: 100, Protocol: model.ProtocolAll, Allow: in, CIDR: all},
			{RuleNumber: 100, Egress: true, Protocol: model.ProtocolAll, Allow: out, CIDR: all}}})
	x.changed()
}

// §5.9: network ACLs where an instance meets the transit gateway's interface.
func TestTGW_NACLsAtTheAttachmentSubnet_5_9(t *testing.T) {
	// Same subnet, instance to transit gateway: its outbound and its inbound rules apply.
	for _, c := range []struct{ in, out bool }{{false, true}, {true, false}} {
		x := hubAB(t)
		attachmentACL(x, "a", "a1", c.in, c.out)
		wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22")), engine.CodeSubnetACL, "acl-a1")
	}
	// Same subnet, transit gateway to instance: no rules at all.
	x := hubAB(t)
	x.host("b1", "b1h", "10.1.1.20")
	attachmentACL(x, "b", "b1", false, false)
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40000", "10.1.1.20:22")), "b1h")
	// Different subnets: the attachment subnet's inbound rules check instance to transit
	// gateway, its outbound rules transit gateway to instance, and neither the other way.
	sep := func(in, out bool) *estate {
		x := hubAB(t)
		x.subnet("a", "at1", "10.0.100.0/24", "us-east-1a")
		x.subnet("a", "at2", "10.0.101.0/24", "us-east-1b")
		x.topo.TGWAttachments[0].Subnets = []model.SubnetID{"subnet-at1", "subnet-at2"}
		attachmentACL(x, "a", "at1", in, out)
		attachmentACL(x, "a", "at2", in, out)
		return x
	}
	x = sep(false, true)
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22")), engine.CodeSubnetACL, "acl-at1")
	x = sep(true, false)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	wantDroppedAt(t, x.send("b2", replyTo(r)), engine.CodeSubnetACL, "acl-at2")
	x = sep(false, true)
	r = x.sendAt(engine.Location{Kind: engine.FromTGWAttachment, ID: "tgw-attach-b"}, tcp("10.1.2.10:22", "10.0.1.10:40000"))
	wantDelivered(t, r, "a1")
}

// onPremTGW: hubAB with a DX gateway attachment and a VPN attachment, both propagating into
// main; on-premises networks behind each.
func onPremTGW(t *testing.T, dxCIDR, vpnCIDR string) *estate {
	x := hubAB(t)
	x.onPrem(dxCIDR, "main", vpnCIDR, "main")
	x.propagate("main", "dx", "vpn")
	x.routes("a1", route("172.16.0.0/12", "tgw-hub"))
	return x
}

func TestTGW12_DXPropagatedBeatsVPNPropagated(t *testing.T) {
	x := onPremTGW(t, "172.31.0.0/16", "172.31.0.0/16")
	r := x.send("a1", tcp("10.0.1.10:40000", "172.31.0.9:22"))
	if r.Outcome != engine.Exited || r.Exit.Gateway.ID != "dxgw-1" {
		t.Fatalf("want out through the DX gateway:\n%s", describe(r))
	}
	wantEq(t, "tgw route", strings.Join(tgwRoutesUsed(r), "; "), "tgw-rtb-main: 172.31.0.0/16 -> tgw-attach-dx (propagated)")
	// And back from on-premises through the DX gateway to A.
	back := x.sendAt(engine.Location{Kind: engine.FromDXGateway, ID: "dxgw-1"}, replyTo(r))
	wantDelivered(t, back, "a1")
}

func TestTGW13_StaticBeatsVPNPropagated(t *testing.T) {
	x := onPremTGW(t, "172.30.0.0/16", "172.16.9.0/24")
	x.routes("a1", route("10.9.0.0/16", "tgw-hub"))
	x.topo.OnPremises[1].CIDRs = append(x.topo.OnPremises[1].CIDRs, netip.MustParsePrefix("10.9.0.0/16"))
	x.tgwRoute("main", "10.9.0.0/16", "vpn")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.9.0.1:22"))
	wantEq(t, "tgw route", strings.Join(tgwRoutesUsed(r), "; "), "tgw-rtb-main: 10.9.0.0/16 -> tgw-attach-vpn (static)")
	if r.Outcome != engine.Exited || r.Exit.Gateway.ID != "tgw-attach-vpn" {
		t.Fatalf("want out through the VPN attachment:\n%s", describe(r))
	}
}

// Conformance with RA-style sources: a packet from on-premises over the VPN attachment.
func TestTGW_FromVPNAttachment(t *testing.T) {
	x := onPremTGW(t, "172.30.0.0/16", "172.16.9.0/24")
	r := x.sendAt(engine.Location{Kind: engine.FromVPNConnection, ID: "vpn-1"}, tcp("172.16.9.5:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	r = x.sendAt(engine.Location{Kind: engine.FromTGWAttachment, ID: "tgw-attach-vpn"}, tcp("172.16.9.5:40000", "10.5.0.1:22"))
	wantDroppedAt(t, r, engine.CodeTGWRTBNoRoute, "tgw-rtb-main")
}

// In appliance mode an ICMP error takes the zone of the flow it quotes: traceroute's port
// unreachable comes back through the appliance that saw the probe (§7.2.13).
func TestTGW7_ICMPErrorsFollowTheirFlowInApplianceMode(t *testing.T) {
	for port := uint16(33434); port < 33444; port++ {
		x := inspection(t, true)
		probe := udp("10.0.1.10:40000", "10.1.2.10:33434")
		probe.DstPort = port
		r := x.send("a1", probe)
		wantDelivered(t, r, "b2")
		back := x.send("b2", icmpError("10.1.2.10", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, r.Packet))
		wantDelivered(t, back, "a1")
	}
}

// A reference works across the transit gateway the packet crossed, not across any that joins
// the two VPCs: with hub carrying references and hub2 not, traffic routed over hub2 does not
// match (§7.2.17).
func TestTGW11_ReferenceNeedsTheGatewayCrossed(t *testing.T) {
	x := hubAB(t)
	x.sg("a", "client")
	x.sg("b", "server", sgRule("sgr-ref", "tcp", 22, 22, "sg-client"))
	x.topo.NetworkInterfaces[0].SecurityGroups = []model.SecurityGroupID{"sg-client"}
	x.topo.NetworkInterfaces[1].SecurityGroups = []model.SecurityGroupID{"sg-server"}
	x.topo.TransitGateways[0].SGReferencing = true
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22")), "b2")
	// A second transit gateway without referencing, and A's route to B moved onto it.
	x.tgw("hub2", "main2")
	x.topo.TGWAttachments = append(x.topo.TGWAttachments,
		&model.TGWAttachment{ID: "tgw-attach-a2", TransitGateway: "tgw-hub2", Type: model.AttachVPC, ResourceID: "vpc-a", State: "available", SGReferencing: true,
			Association: "tgw-rtb-main2", Subnets: []model.SubnetID{"subnet-a1", "subnet-a2"}},
		&model.TGWAttachment{ID: "tgw-attach-b2", TransitGateway: "tgw-hub2", Type: model.AttachVPC, ResourceID: "vpc-b", State: "available", SGReferencing: true,
			Association: "tgw-rtb-main2", Subnets: []model.SubnetID{"subnet-b1", "subnet-b2"}})
	x.propagate("main2", "a2", "b2")
	for _, rt := range x.topo.RouteTables {
		if rt.ID == "rtb-a1" {
			rt.Routes[0].Target = model.Target{Kind: model.TargetTransitGateway, ID: "tgw-hub2"}
		}
	}
	x.changed()
	r := x.send("a1", tcp("10.0.1.10:40001", "10.1.2.10:22"))
	wantDropped(t, r, engine.CodeSGReferencingSupport, "sg")
	if !strings.Contains(r.Detail, "tgw-hub2") {
		t.Errorf("the drop should name the gateway crossed: %s", r.Detail)
	}
}
