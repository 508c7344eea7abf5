package engine_test

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Scenario tests of §13 (GWLB-1..9) on design D3 (§15): consumer VPC vpc-lab (10.0.0.0/16)
// with app subnet a (10.0.1.0/24, AZ a), GWLB endpoint subnet e (10.0.100.0/28, AZ a) and an
// IGW edge table; provider VPC vpc-sec (10.1.0.0/16) with the GWLB's subnets gw-a (AZ a) and
// gw-b (AZ b) and appliance targets.

const (
	secVPC  = model.VPCID("vpc-sec")
	gwlbARN = model.LoadBalancerARN("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/gwy/sec/0123456789abcdef")
	gwlbeA  = "vpce-0aaaaaaaaaaaaaaa1"
	gwlbeB  = "vpce-0bbbbbbbbbbbbbbb2"
	svcID   = "vpce-svc-0123456789abcdef0"
	web     = "93.184.216.34"
)

type gwlbLab struct {
	*lab
	lb *model.GatewayLoadBalancer
}

// newGWLBLab builds GWLB-1's setup: target t1 (AZ a) healthy, its group admitting GENEVE
// from the provider VPC.
func newGWLBLab(t testing.TB) *gwlbLab {
	l := newLab(t, "10.0.0.0/16")
	l.topo.VPCs = append(l.topo.VPCs, &model.VPC{ID: secVPC, Name: "sec", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}})
	l.subnet("a", "10.0.1.0/24")
	l.subnet("e", "10.0.100.0/28")
	l.igw()
	l.rt("app", route("0.0.0.0/0", gwlbeA))
	l.assoc("app", "a")
	l.rt("e", route("0.0.0.0/0", string(igwID)))
	l.assoc("e", "e")
	l.rt("edge", route("10.0.1.0/24", gwlbeA))
	l.table("edge").Gateways = []string{string(igwID)}
	l.sg("web").in("tcp", 443, 443, "0.0.0.0/0")
	l.instance("a1", "a", "10.0.1.10", "web")
	l.publicIP("a1", "54.0.0.10")

	x := &gwlbLab{lab: l}
	x.secSubnet("gw-a", "10.1.0.0/24", "us-east-1a")
	x.secSubnet("gw-b", "10.1.1.0/24", "us-east-1b")
	x.sg("appl").in("udp", 6081, 6081, "10.1.0.0/16").g.VPC = secVPC
	x.target("t1", "gw-a", "10.1.0.10")
	x.lb = &model.GatewayLoadBalancer{ARN: gwlbARN, Name: "sec", VPC: secVPC,
		Subnets: []model.SubnetID{"subnet-gw-a", "subnet-gw-b"},
		Service: &model.EndpointService{ID: svcID, Name: "com.amazonaws.vpce.us-east-1." + svcID},
		TargetGroup: &model.TargetGroup{ARN: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/appl/0123",
			Name: "appl", VPC: secVPC, Protocol: "GENEVE", Port: 6081, TargetType: "instance",
			Targets: []model.ELBTarget{{ID: "i-t1", AZ: "us-east-1a", Health: model.TargetHealthy}}}}
	l.topo.GatewayLoadBalancers = append(l.topo.GatewayLoadBalancers, x.lb)
	x.endpoint(gwlbeA, "e")
	return x
}

func (x *gwlbLab) secSubnet(name, cidr, az string) {
	s := x.subnet(name, cidr)
	s.VPC, s.AvailabilityZone = secVPC, az
}

// target adds an appliance instance in the provider VPC with group sg-appl.
func (x *gwlbLab) target(name, subnet, ip string) {
	e := x.instance(name, subnet, ip, "appl")
	e.VPC = secVPC
	e.SourceDestCheck = false
}

func (x *gwlbLab) endpoint(id, subnet string) {
	x.topo.VPCEndpoints = append(x.topo.VPCEndpoints, &model.VPCEndpoint{ID: model.VPCEndpointID(id), VPC: vpcID,
		Type: model.EndpointGatewayLoadBalancer, ServiceName: "com.amazonaws.vpce.us-east-1." + svcID,
		State: model.EndpointAvailable, Subnets: []model.SubnetID{model.SubnetID("subnet-" + subnet)}})
	x.changed()
}

func (x *gwlbLab) addTarget(id, az, health string) {
	x.lb.TargetGroup.Targets = append(x.lb.TargetGroup.Targets, model.ELBTarget{ID: id, AZ: az, Health: health})
	x.changed()
}

// applianceHops are the IDs of the appliances that inspected the packet.
func applianceHops(r *engine.Result) []string {
	var out []string
	for _, h := range r.Hops {
		if h.Component.Kind == engine.KindInstance && h.Middlebox {
			out = append(out, h.Component.ID)
		}
	}
	return out
}

// GWLB-1: iA1 → internet through gwlbe-a and T1, out of the IGW with iA1's EIP; the reply comes
// back IGW → edge → gwlbe-a → T1 → iA1. The inner packet is never changed (§13.10).
func TestGWLB1(t *testing.T) {
	x := newGWLBLab(t)
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantExited(t, r, "igw-lab", "internet")
	wantPath(t, r, "i:send", "eni:send", "sg:allow:egress", "acl:allow:outbound", "rtb:forward",
		"acl:allow:inbound", "gwlbe:forward", "gwlb:forward",
		"eni:receive", "sg:allow:ingress", "i:forward", "sg:allow:egress", "eni:send", "gwlb:forward",
		"gwlbe:forward", "acl:allow:outbound", "rtb:forward", "igw:translate", "internet:exit")
	wantEq(t, "route in the endpoint's subnet", routeUsed(t, r, 1), "0.0.0.0/0 -> igw-lab")
	wantEq(t, "appliance", strings.Join(applianceHops(r), ","), "i-t1")
	wantEq(t, "TTL at the IGW", hop(t, r, "igw").In.TTL, uint8(255))
	wantEq(t, "source seen by the internet", r.Packet.Src, addr("54.0.0.10"))

	back := x.send("internet", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "edge route", routeUsed(t, back, 0), "10.0.1.0/24 -> "+gwlbeA)
	wantEq(t, "reply's appliance", strings.Join(applianceHops(back), ","), "i-t1")
	wantEq(t, "TTL delivered", back.Packet.TTL, uint8(255))
	wantEq(t, "source seen by iA1", back.Packet.Src, addr(web))
}

// GWLB-2: the target sees GENEVE to UDP 6081 with class 0x0108 options 1, 2, 3 and the inner
// packet unchanged, TTL too (golden bytes).
func TestGWLB2(t *testing.T) {
	x := newGWLBLab(t)
	sent := tcp("10.0.1.10:40000", web+":443")
	r := x.send("a1", sent)
	var tun []engine.Hop
	for _, h := range r.Hops {
		if h.Tunnelled {
			tun = append(tun, h)
		}
	}
	if len(tun) != 2 || tun[0].Component.ID != "eni-t1" || tun[0].Action != engine.ActReceive || tun[1].Action != engine.ActSend {
		t.Fatalf("want the GENEVE packet received and sent back at eni-t1:\n%s", describe(r))
	}
	in := tun[0].In
	wantEq(t, "outer", fmt.Sprintf("%s:%d -> %s:%d proto %d", in.Src, in.SrcPort, in.Dst, in.DstPort, in.Proto),
		fmt.Sprintf("10.1.0.254:%d -> 10.1.0.10:6081 proto 17", in.SrcPort))
	g, inner, err := packet.DecodeGENEVE(in.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, o := range g.Options {
		types = append(types, fmt.Sprintf("%#04x/%d/%d", o.Class, o.Type, len(o.Data)))
	}
	wantEq(t, "options", strings.Join(types, " "), "0x0108/1/8 0x0108/2/8 0x0108/3/4")
	wantEq(t, "endpoint ID option", hex.EncodeToString(g.Options[0].Data), "aaaaaaaaaaaaaaa1")
	orig := packet.Packet(sent)
	wantEq(t, "inner packet", hex.EncodeToString(inner), hex.EncodeToString(orig.Marshal()))
	wire := in.Marshal()
	const golden = "4500006c00004000ff11" // version, length 108 = 68 + 40, DF, TTL 255, UDP
	if got := hex.EncodeToString(wire[:10]); got != golden {
		t.Errorf("outer header %s, want %s", got, golden)
	}
	wantEq(t, "GENEVE header", hex.EncodeToString(wire[28:36]), "0800080000000000")
	back := tun[1].In
	wantEq(t, "return", fmt.Sprintf("%s:%d -> %s:%d", back.Src, back.SrcPort, back.Dst, back.DstPort),
		fmt.Sprintf("10.1.0.10:6081 -> 10.1.0.254:%d", in.SrcPort))
	if gb, _, err := packet.DecodeGENEVE(back.Payload); err != nil || !gb.HasAWSOptions() {
		t.Errorf("the return lacks AWS's options: %v %+v", err, gb)
	}
}

// GWLB-3: the app subnet routes 0/0 straight to the IGW, bypassing the endpoint its inbound
// traffic is redirected through: the IGW drops the reply (§1.3.8).
func TestGWLB3(t *testing.T) {
	x := newGWLBLab(t)
	x.table("app").Routes = []model.Route{route("0.0.0.0/0", string(igwID))}
	x.changed()
	in := x.send("internet", tcp("198.51.100.7:50000", "54.0.0.10:443"))
	wantDelivered(t, in, "a1")
	wantEq(t, "appliance", strings.Join(applianceHops(in), ","), "i-t1")
	back := x.send("a1", replyTo(in))
	wantDroppedAt(t, back, engine.CodeIngressRTBRedirection, "igw-lab")
}

// GWLB-4: T1 (AZ a) unhealthy, T2 healthy in AZ b, cross-zone off: the node in AZ a has no
// healthy target and drops (§13.6).
func TestGWLB4(t *testing.T) {
	x := newGWLBLab(t)
	x.lb.TargetGroup.Targets[0].Health = model.TargetUnhealthy
	x.target("t2", "gw-b", "10.1.1.10")
	x.addTarget("i-t2", "us-east-1b", model.TargetHealthy)
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantDroppedAt(t, r, engine.CodeGWLBNoHealthyTarget, string(gwlbARN))
}

// GWLB-5: as 4 with cross-zone load balancing: the node in AZ a sends to T2.
func TestGWLB5(t *testing.T) {
	x := newGWLBLab(t)
	x.lb.TargetGroup.Targets[0].Health = model.TargetUnhealthy
	x.target("t2", "gw-b", "10.1.1.10")
	x.addTarget("i-t2", "us-east-1b", model.TargetHealthy)
	x.lb.CrossZone = true
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "appliance", strings.Join(applianceHops(r), ","), "i-t2")
	// Outer packets cross the node's and the target's subnets' NACLs (§13.12).
	acls := 0
	for _, h := range r.Hops {
		if h.Component.Kind == engine.KindNetworkACL && h.In.DstPort == packet.GENEVEPort {
			acls++
		}
	}
	wantEq(t, "NACL hops of the GENEVE leg", acls, 2)
}

// GWLB-6: T1's group does not admit UDP 6081: GENEVE is blocked at T1.
func TestGWLB6(t *testing.T) {
	x := newGWLBLab(t)
	x.group("appl").g.Ingress = nil
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "sg-appl")
	if !strings.Contains(r.Detail, "udp 10.1.0.254") || !strings.Contains(r.Detail, ":6081") {
		t.Errorf("detail %q does not name the GENEVE flow", r.Detail)
	}
}

// GWLB-7: two targets in AZ a, 5-tuple stickiness: 50 flows spread deterministically, each
// sticks to its target, and its reply takes the same target.
func TestGWLB7(t *testing.T) {
	x := newGWLBLab(t)
	x.target("t2", "gw-a", "10.1.0.11")
	x.addTarget("i-t2", "us-east-1a", model.TargetHealthy)
	count := map[string]int{}
	var first []string
	for i := range 50 {
		p := tcp(fmt.Sprintf("10.0.1.10:%d", 40000+i), web+":443")
		r := x.send("a1", p)
		wantExited(t, r, "igw-lab", "internet")
		via := strings.Join(applianceHops(r), ",")
		count[via]++
		if i < 8 {
			first = append(first, strings.TrimPrefix(via, "i-"))
		}
		again := x.send("a1", p.flags(packet.TCPAck))
		wantEq(t, "flow sticks", strings.Join(applianceHops(again), ","), via)
		back := x.send("internet", replyTo(r))
		wantDelivered(t, back, "a1")
		wantEq(t, "reply on the same target", strings.Join(applianceHops(back), ","), via)
		got, ok := x.build().GWLBTarget(x.st, gwlbARN, "us-east-1a", packet.Packet(p))
		wantEq(t, "flow table", ok && "i-"+strings.TrimPrefix(got, "i-") == via, true)
	}
	wantEq(t, "distribution", fmt.Sprintf("t1=%d t2=%d first=%s", count["i-t1"], count["i-t2"], strings.Join(first, " ")),
		gwlb7Golden)
}

// gwlb7Golden is GWLB-7's distribution: FNV-1a over the symmetric 5-tuple, modulo 2.
const gwlb7Golden = "t1=24 t2=26 first=t1 t2 t1 t2 t1 t2 t2 t1"

// GWLB-8: a TCP flow idle for 400 s has lost its entry (default 350 s): the next ACK is dropped,
// or answered with a RST when the attribute says so; a SYN starts the flow again (§13.7).
func TestGWLB8(t *testing.T) {
	x := newGWLBLab(t)
	syn := tcp("10.0.1.10:40000", web+":443")
	wantExited(t, x.send("a1", syn), "igw-lab", "internet")
	x.advance(400 * time.Second)
	ack := syn.flags(packet.TCPAck)
	r := x.send("a1", ack)
	wantDroppedAt(t, r, engine.CodeGWLBIdleTimeout, string(gwlbARN))
	if r.Generated != nil {
		t.Fatalf("a RST without send_tcp_reset.on_idle_timeout.enabled:\n%s", describe(r))
	}
	wantDroppedAt(t, x.send("a1", ack), engine.CodeGWLBIdleTimeout, string(gwlbARN))
	wantExited(t, x.send("a1", syn), "igw-lab", "internet")
	wantExited(t, x.send("a1", ack), "igw-lab", "internet")

	x.lb.TargetGroup.SendResetOnIdle = true
	x.changed()
	x.advance(400 * time.Second)
	r = x.send("a1", ack)
	wantDroppedAt(t, r, engine.CodeGWLBIdleTimeout, string(gwlbARN))
	if r.Generated == nil || r.Generated.Outcome != engine.Delivered || r.Generated.Packet.TCPFlags&packet.TCPRst == 0 {
		t.Fatalf("want a RST delivered to iA1:\n%s", describe(r))
	}
	wantEq(t, "RST from", r.Generated.Packet.Src, addr(web))

	// UDP after idle-out is a new flow.
	u := udp("10.0.1.10:5000", web+":53")
	wantExited(t, x.send("a1", u), "igw-lab", "internet")
	x.advance(200 * time.Second)
	wantExited(t, x.send("a1", u), "igw-lab", "internet")
}

// GWLB-9: a VGW edge route to a GWLB endpoint is accepted, and traffic matching it dropped
// (§1.3.2).
func TestGWLB9(t *testing.T) {
	x := newGWLBLab(t)
	x.vgw()
	x.vpn("dc", "192.168.0.0/16")
	x.rt("vgw-edge", route("10.0.1.0/24", gwlbeA))
	x.table("vgw-edge").Gateways = []string{string(vgwID)}
	x.group("web").in("tcp", 22, 22, "192.168.0.0/16")
	r := x.send("vgw", tcp("192.168.1.5:40000", "10.0.1.10:22"))
	wantDroppedAt(t, r, engine.CodeVGWEdgeGWLBE, "rtb-vgw-edge")
}

// §13.4: an endpoint in a zone where the GWLB has no node.
func TestGWLBServiceNotInAZ(t *testing.T) {
	x := newGWLBLab(t)
	for _, s := range x.topo.Subnets {
		if s.ID == "subnet-e" {
			s.AvailabilityZone = "us-east-1c"
		}
	}
	x.changed()
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantDroppedAt(t, r, engine.CodeVPCEServiceNotInAZ, gwlbeA)
}

// §13.6: no registered target in the node's zone.
func TestGWLBNoTargetsInAZ(t *testing.T) {
	x := newGWLBLab(t)
	x.lb.TargetGroup.Targets[0].AZ = "us-east-1b"
	x.changed()
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", web+":443")), engine.CodeELBNoTargetsInAZ, string(gwlbARN))
}

// §13.13: east-west traffic whose two directions use endpoints in different zones (each app
// subnet routes the other's CIDR to its own zone's endpoint, as D1-4), so different GWLB
// nodes and targets: the stateful appliance of the return drops what it never saw start.
// (Through the IGW the edge table's symmetry rule stops such asymmetry first, §1.3.8.)
func TestGWLBAsymmetricInspection(t *testing.T) {
	x := newGWLBLab(t)
	x.secSubnetConsumer("e2", "10.0.100.16/28", "us-east-1b")
	x.endpoint(gwlbeB, "e2")
	x.subnet("b", "10.0.2.0/24").AvailabilityZone = "us-east-1b"
	x.rt("appb", route("10.0.1.0/24", gwlbeB))
	x.assoc("appb", "b")
	x.table("app").Routes = append(x.table("app").Routes, route("10.0.2.0/24", gwlbeA))
	x.sg("ssh").in("tcp", 22, 22, "10.0.0.0/16")
	x.instance("b1", "b", "10.0.2.10", "ssh")
	x.target("t2", "gw-b", "10.1.1.10")
	x.addTarget("i-t2", "us-east-1b", model.TargetHealthy)
	for _, in := range x.topo.Instances {
		in.StatefulForwarding = in.ID == "i-t1" || in.ID == "i-t2"
	}
	x.changed()
	r := x.send("a1", tcp("10.0.1.10:40000", "10.0.2.10:22"))
	wantDelivered(t, r, "b1")
	wantEq(t, "appliance of the request", strings.Join(applianceHops(r), ","), "i-t1")
	back := x.send("b1", replyTo(r))
	wantDroppedAt(t, back, engine.CodeAsymmetricInspection, "i-t2")

	// Both directions through gwlbe-a: one node, one target, inspected both ways.
	x.table("appb").Routes = []model.Route{route("10.0.1.0/24", gwlbeA)}
	x.changed()
	r = x.send("a1", tcp("10.0.1.10:40001", "10.0.2.10:22"))
	wantDelivered(t, r, "b1")
	back = x.send("b1", replyTo(r))
	wantDelivered(t, back, "a1")
	wantEq(t, "appliance of the reply", strings.Join(applianceHops(back), ","), "i-t1")
}

func (x *gwlbLab) secSubnetConsumer(name, cidr, az string) {
	x.subnet(name, cidr).AvailabilityZone = az
	x.assoc("e", name)
}

// §13.14: a consumer-only snapshot has the endpoint but not the GWLB: the endpoint passes
// the packet through, unchanged and unchecked, and says so.
func TestGWLBConsumerOnly(t *testing.T) {
	x := newGWLBLab(t)
	x.topo.GatewayLoadBalancers = nil
	x.changed()
	r := x.send("a1", tcp("10.0.1.10:40000", web+":443"))
	wantExited(t, r, "igw-lab", "internet")
	h := hops(r, "gwlbe")
	if len(h) != 2 || !strings.HasPrefix(h[0].Note, engine.DetailPathThroughGWLBNotChecked) {
		t.Fatalf("want the endpoint's hop to carry %s:\n%s", engine.DetailPathThroughGWLBNotChecked, describe(r))
	}
	wantEq(t, "no appliance", len(applianceHops(r)), 0)
}

// §13.12: a NACL of the endpoint's subnet applies both ways; one of the target's subnet
// applies to the outer packets, unless node and target share the subnet (§0.3).
func TestGWLBNACLs(t *testing.T) {
	x := newGWLBLab(t)
	x.acl("e", "e").allowAll().denyIn(50, "tcp", "10.0.1.0/24", 443, 443)
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", web+":443")), engine.CodeSubnetACL, "acl-e")

	x = newGWLBLab(t)
	x.acl("gw", "gw-a").allowAll().denyIn(50, "udp", "10.1.0.0/16", 6081, 6081)
	wantExited(t, x.send("a1", tcp("10.0.1.10:40000", web+":443")), "igw-lab", "internet")

	x = newGWLBLab(t)
	x.secSubnet("gw-t", "10.1.2.0/24", "us-east-1a")
	x.eni("t1").Subnet = "subnet-gw-t"
	x.eni("t1").PrivateIPs[0].Addr = addr("10.1.2.10")
	x.acl("t", "gw-t").allowAll().denyIn(50, "udp", "10.1.0.0/16", 6081, 6081)
	wantDroppedAt(t, x.send("a1", tcp("10.0.1.10:40000", web+":443")), engine.CodeSubnetACL, "acl-t")
}

// Hops of GWLB paths allocate only when recorded; the path's verdict is the same either way.
func TestGWLBSkipHops(t *testing.T) {
	x := newGWLBLab(t)
	r := x.sendOpt("a1", tcp("10.0.1.10:40000", web+":443"), engine.Options{SkipHops: true})
	wantEq(t, "outcome", r.Outcome, engine.Exited)
	wantEq(t, "hops", len(r.Hops), 0)
}

// The GWLB walk without hops allocates nothing once its flow is in the table: the live
// dataplane's path (Options.SkipHops).
func TestGWLBSendAllocs(t *testing.T) {
	x := newGWLBLab(t)
	n := x.build()
	p := packet.Packet(tcp("10.0.1.10:40000", web+":443"))
	from := at("a1")
	var r engine.Result
	send := func() { n.SendInto(x.st, from, p, engine.Options{SkipHops: true}, &r) }
	send()
	if r.Outcome != engine.Exited {
		t.Fatalf("outcome %v %s", r.Outcome, r.Code)
	}
	if a := testing.AllocsPerRun(100, send); a != 0 {
		t.Errorf("%v allocations per send through the GWLB, want 0", a)
	}
}

func BenchmarkGWLBSendInto(b *testing.B) {
	x := newGWLBLab(b)
	n := x.build()
	p := packet.Packet(tcp("10.0.1.10:40000", web+":443"))
	from := at("a1")
	var r engine.Result
	b.ReportAllocs()
	for b.Loop() {
		n.SendInto(x.st, from, p, engine.Options{}, &r)
	}
}

// §13.5: with 2-tuple stickiness every flow between two hosts takes one target, whatever its
// ports and protocol; with the default 5-tuple they spread.
func TestGWLBStickiness(t *testing.T) {
	x := newGWLBLab(t)
	x.target("t2", "gw-a", "10.1.0.11")
	x.addTarget("i-t2", "us-east-1a", model.TargetHealthy)
	spread := func() map[string]bool {
		seen := map[string]bool{}
		for i := range 16 {
			r := x.send("a1", tcp(fmt.Sprintf("10.0.1.10:%d", 41000+i), web+":443"))
			seen[strings.Join(applianceHops(r), ",")] = true
			r = x.send("a1", udp(fmt.Sprintf("10.0.1.10:%d", 42000+i), web+":53"))
			seen[strings.Join(applianceHops(r), ",")] = true
		}
		return seen
	}
	wantEq(t, "targets with 5-tuple stickiness", len(spread()), 2)
	x.lb.TargetGroup.Stickiness = model.Stickiness2Tuple
	x.changed()
	wantEq(t, "targets with 2-tuple stickiness", len(spread()), 1)
}

// §13.8: a flow keeps its target when the target turns unhealthy (no_rebalance, the default);
// with rebalance it moves to a healthy one. New flows never go to the unhealthy target.
func TestGWLBTargetFailover(t *testing.T) {
	for _, c := range []struct{ failover, want string }{{"", "i-t1"}, {"no_rebalance", "i-t1"}, {"rebalance", "i-t2"}} {
		x := newGWLBLab(t)
		x.target("t2", "gw-a", "10.1.0.11")
		x.addTarget("i-t2", "us-east-1a", model.TargetHealthy)
		x.lb.TargetGroup.TargetFailover = c.failover
		// A flow that hashes to t1.
		var p pkt
		for i := range 64 {
			p = tcp(fmt.Sprintf("10.0.1.10:%d", 43000+i), web+":443")
			if r := x.send("a1", p); strings.Join(applianceHops(r), ",") == "i-t1" {
				break
			}
		}
		x.lb.TargetGroup.Targets[0].Health = model.TargetUnhealthy
		x.changed()
		r := x.send("a1", p.flags(packet.TCPAck))
		wantEq(t, "target after "+c.failover, strings.Join(applianceHops(r), ","), c.want)
		r = x.send("a1", tcp("10.0.1.10:50000", web+":443"))
		wantEq(t, "new flow", strings.Join(applianceHops(r), ","), "i-t2")
	}
}

// FuzzSendGWLB is FuzzSend on the GWLB lab (§13) with endpoints in two zones, stateful
// targets in both, an east-west route through each endpoint and RSTs on idle-out: journeys
// through GWLB endpoints, nodes and GENEVE legs never panic, end one way and are the same
// with hops, without them and into a reused result.
func FuzzSendGWLB(f *testing.F) {
	x := newGWLBLab(f)
	x.secSubnetConsumer("e2", "10.0.100.16/28", "us-east-1b")
	x.endpoint(gwlbeB, "e2")
	x.subnet("b", "10.0.2.0/24").AvailabilityZone = "us-east-1b"
	x.rt("appb", route("10.0.1.0/24", gwlbeB), route("0.0.0.0/0", gwlbeB))
	x.assoc("appb", "b")
	x.table("app").Routes = append(x.table("app").Routes, route("10.0.2.0/24", gwlbeA))
	x.sg("ssh").in("tcp", 22, 22, "10.0.0.0/16").in("icmp", -1, -1, "0.0.0.0/0")
	x.instance("b1", "b", "10.0.2.10", "ssh")
	x.target("t2", "gw-b", "10.1.1.10")
	x.addTarget("i-t2", "us-east-1b", model.TargetHealthy)
	x.addTarget("i-gone", "us-east-1a", model.TargetHealthy)
	x.lb.TargetGroup.SendResetOnIdle = true
	for _, in := range x.topo.Instances {
		in.StatefulForwarding = in.ID == "i-t2"
	}
	x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, &model.NetworkInterface{ID: "eni-gwa", VPC: secVPC, Subnet: "subnet-gw-a",
		Type: model.InterfaceTypeGatewayLoadBalancer, SourceDestCheck: true,
		PrivateIPs: []model.PrivateIP{{Addr: addr("10.1.0.4"), Primary: true}}})
	x.expectWarnings(1) // i-gone is no interface of the topology
	n := x.build()
	locs := []engine.Location{engine.AtENI("eni-a1"), engine.AtENI("eni-b1"), engine.AtENI("eni-t1"), engine.AtInternet(),
		{Kind: engine.FromSubnet, ID: "subnet-e"}, {Kind: engine.FromSubnet, ID: "subnet-gw-a"}, engine.AtENI("eni-gwa")}
	addrs := []string{"10.0.1.10", "10.0.2.10", "93.184.216.34", "54.0.0.10", "10.1.0.10", "10.1.1.10", "10.1.0.4", "10.1.1.254",
		"10.0.100.5", "198.51.100.7", "10.0.1.1"}
	f.Add([]byte{0, 0, 0, 2, 0, 64, 0, 0x9c, 0x40, 0x01, 0xbb, 0x02, 0, 1, 200, 0, 0, 0, 2, 0, 64, 0, 0x9c, 0x40, 0x01, 0xbb, 0x10, 0, 1, 0})
	f.Add([]byte{0, 0, 0, 1, 0, 64, 0, 0x9c, 0x40, 0, 22, 0x02, 0, 1, 0, 1, 0, 1, 0, 0, 64, 0, 0, 22, 0x9c, 0x40, 0x12, 0, 1, 0})
	f.Add([]byte{3, 1, 8, 3, 2, 64, 8, 0, 0, 0, 7, 0, 1, 0, 4, 2, 0, 4, 6, 1, 255, 0, 0x9c, 0x40, 0x17, 0xc1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { sameEveryWay(t, fuzzNet{n, x.topo, locs, addrs}, data) })
}

// §13.11: packets up to 8500 bytes pass; larger ones are dropped at the endpoint, no ICMP.
func TestGWLBMTU(t *testing.T) {
	x := newGWLBLab(t)
	p := tcp("10.0.1.10:40000", web+":443")
	p.PayloadLen = 8500 - 40
	r := x.send("a1", p)
	if len(hops(r, "gwlb")) != 2 {
		t.Fatalf("8500 bytes: want through the GWLB:\n%s", describe(r))
	}
	p.PayloadLen++
	p.DF = true
	r = x.send("a1", p)
	wantDroppedAt(t, r, engine.CodeMTUExceeded, gwlbeA)
	if r.Generated != nil {
		t.Errorf("an ICMP came back:\n%s", describe(r))
	}
}

// §13.12: past a GWLB endpoint the workload's security groups see the original source, but a
// rule referencing the sender's group does not match (SG_REFERENCES_NOT_PRESERVED).
func TestGWLBSGReferencesNotPreserved(t *testing.T) {
	x := newGWLBLab(t)
	x.subnet("b", "10.0.2.0/24")
	x.rt("appb", route("10.0.1.0/24", gwlbeA))
	x.assoc("appb", "b")
	x.table("app").Routes = append(x.table("app").Routes, route("10.0.2.0/24", gwlbeA))
	x.sg("peer").in("tcp", 22, 22, "sg-web")
	x.instance("b1", "b", "10.0.2.10", "peer")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.0.2.10:22"))
	wantDroppedAt(t, r, engine.CodeSGReferencesNotKept, "sg-peer")
	wantEq(t, "source seen", r.Packet.Src, addr("10.0.1.10"))
	x.group("peer").in("tcp", 22, 22, "10.0.1.0/24")
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40001", "10.0.2.10:22")), "b1")
}

// With Options.RealAppliances (live mode) the GENEVE leg is split in two: the walk ends at
// the target's interface with the GENEVE packet; what the target's tunnel handler sends back
// to the node's interface (outer addresses and ports swapped, the same options, §13.9)
// resumes it through the same endpoint. A return without AWS's options, or for a flow the
// node never sent, is dropped, and so is a fragment the appliance made (§13.11).
func TestGWLBRealAppliances(t *testing.T) {
	x := newGWLBLab(t)
	x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, &model.NetworkInterface{ID: "eni-gwa", VPC: secVPC, Subnet: "subnet-gw-a",
		Type: model.InterfaceTypeGatewayLoadBalancer, SourceDestCheck: true,
		PrivateIPs: []model.PrivateIP{{Addr: addr("10.1.0.4"), Primary: true}}})
	x.changed()
	n := x.build()
	live := engine.Options{RealAppliances: true}
	sent := packet.Packet(tcp("10.0.1.10:40000", web+":443"))
	r := n.SendWith(x.st, at("a1"), sent, live)
	wantDelivered(t, r, "t1")
	outer := r.Packet
	if outer.Src != addr("10.1.0.4") || outer.DstPort != packet.GENEVEPort {
		t.Fatalf("delivered %v, want GENEVE from the node's interface", outer)
	}
	g, inner, err := packet.DecodeGENEVE(outer.Payload)
	if err != nil || !g.HasAWSOptions() {
		t.Fatalf("GENEVE %v %+v", err, g)
	}
	if in, _ := packet.Decode(inner); in.String() != sent.String() {
		t.Fatalf("inner %v, want %v", in, sent)
	}
	// The tunnel handler sends it back, addresses and ports swapped, options unchanged.
	back := outer
	back.Src, back.Dst, back.SrcPort, back.DstPort = outer.Dst, outer.Src, outer.DstPort, outer.SrcPort
	r = n.SendWith(x.st, at("t1"), back, live)
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "source at the internet", r.Packet.Src, addr("54.0.0.10"))
	wantEq(t, "through the endpoint", len(hops(r, "gwlbe")), 1)

	// The reply from the internet, through the edge table: delivered to t1 again.
	r = n.SendWith(x.st, engine.AtInternet(), packet.Packet(pkt(r.Packet).reply()), live)
	wantDelivered(t, r, "t1")

	// Without AWS's options: dropped at the GWLB.
	bare := back
	hdr := packet.GENEVE{Protocol: packet.GENEVEProtoIPv4}
	b, _ := hdr.AppendTo(nil)
	bare.Payload = append(b, inner...)
	wantDroppedAt(t, n.SendWith(x.st, at("t1"), bare, live), engine.CodeGWLBBadGENEVE, string(gwlbARN))
	// For a flow the node never sent.
	other := packet.Packet(tcp("10.0.1.10:49999", web+":443"))
	forged, _ := packet.EncapsulateGENEVE(back, g, &other)
	wantDroppedAt(t, n.SendWith(x.st, at("t1"), forged, live), engine.CodeGWLBBadGENEVE, string(gwlbARN))
	// Not GENEVE at all.
	wantDroppedAt(t, n.SendWith(x.st, at("t1"), packet.Packet(udp("10.1.0.10:5000", "10.1.0.4:53")), live), engine.CodeNoPossibleDestination, "eni-gwa")
	// A fragment the appliance made (§13.11).
	frag := packet.Packet(tcp("10.0.1.10:40000", web+":443").fragment(0))
	fragged, _ := packet.EncapsulateGENEVE(back, g, &frag)
	wantDroppedAt(t, n.SendWith(x.st, at("t1"), fragged, live), engine.CodeGWLBFragment, string(gwlbARN))
}
