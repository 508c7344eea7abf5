package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Stopped, stopping, pending, shutting-down and terminated instances: their interfaces carry
// no traffic, either way, and the drop names the instance and its state (BAD_STATE).
func TestInstanceNotRunning_CarriesNoTraffic(t *testing.T) {
	for _, state := range []string{"stopped", "stopping", "pending", "shutting-down", "terminated"} {
		t.Run(state, func(t *testing.T) {
			l := twoSubnets(t, []string{"open"}, []string{"open"})
			l.sg("open").in("all", -1, -1, "0.0.0.0/0")
			l.topo.Instances[1].State = state
			l.changed()
			r := l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 1, 1))
			wantDropped(t, r, engine.CodeBadState, "i")
			wantEq(t, "component", r.At.ID, "i-b")
			if !strings.Contains(r.Detail, "is "+state) {
				t.Errorf("detail %q does not say the instance is %s", r.Detail, state)
			}
			r = l.send("b", tcp("10.0.1.55:40000", "10.0.0.11:22"))
			wantDropped(t, r, engine.CodeBadState, "i")

			l.topo.Instances[1].State = "running"
			l.changed()
			wantDelivered(t, l.send("a", icmpEcho("10.0.0.11", "10.0.1.55", 1, 2)), "b")
		})
	}
}

// §9.8: an interface of an AWS service vpclab does not model yet (here a transit gateway
// attachment's) is no plain ENI without security groups: a packet that reaches it, by local
// delivery or by a route, drops with UNSUPPORTED_COMPONENT naming it.
func TestManagedInterface_UnsupportedComponent_9_8(t *testing.T) {
	for _, typ := range []model.InterfaceType{model.InterfaceTypeTransitGateway, model.InterfaceTypeVPCEndpoint,
		model.InterfaceTypeGatewayLoadBalancer, model.InterfaceTypeGatewayLoadBalancerEP, model.InterfaceTypeNetworkLoadBalancer, "lambda"} {
		t.Run(string(typ), func(t *testing.T) {
			l := twoSubnets(t, []string{"open"}, []string{"open"})
			l.sg("open").in("all", -1, -1, "0.0.0.0/0")
			l.topo.NetworkInterfaces = append(l.topo.NetworkInterfaces, &model.NetworkInterface{ID: "eni-svc", VPC: vpcID,
				Subnet: "subnet-b", Type: typ, Description: "Network Interface for Transit Gateway Attachment tgw-attach-1",
				PrivateIPs: []model.PrivateIP{{Addr: addr("10.0.1.99"), Primary: true}}})
			l.rt("a", route("192.168.0.0/16", "eni-svc"))
			l.assoc("a", "a")
			r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.99:443"))
			wantDroppedAt(t, r, engine.CodeUnsupportedComponent, "eni-svc")
			if !strings.Contains(r.Detail, string(typ)) {
				t.Errorf("detail %q does not name the interface type", r.Detail)
			}
			r = l.send("a", tcp("10.0.0.11:40000", "192.168.1.1:443"))
			wantDroppedAt(t, r, engine.CodeUnsupportedComponent, "eni-svc")
		})
	}
}

// §6.9: the MTU is 9001 inside a VPC and 1500 beyond the internet gateway and over a VPN. A
// larger packet with don't-fragment set is dropped (VPCLAB_MTU_EXCEEDED, no ICMP: vpclab's
// default, §18.6); without it, it leaves as fragments, the first deciding for all (§2.2.7).
func TestMTU_PerLink_6_9(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("pub", "10.0.0.0/24")
	l.igw()
	l.vgw()
	l.onPrem("dc", "192.168.0.0/16")
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.instance("web", "pub", "10.0.0.10", "open")
	l.publicIP("web", "198.51.100.7")
	l.rt("pub", route("0.0.0.0/0", "igw-lab"), route("192.168.0.0/16", "vgw-lab"))
	l.assoc("pub", "pub")
	big := func(p pkt, n int, df bool) pkt {
		pp := packet.Packet(p)
		p.PayloadLen = n - pp.Len()
		p.DF = df
		return p
	}

	for _, tc := range []struct {
		name, from string
		p          pkt
	}{
		{"to the internet", "web", udp("10.0.0.10:40000", "8.8.8.8:53")},
		{"over the VPN", "web", udp("10.0.0.10:40000", "192.168.1.10:53")},
		{"from the internet", "internet", udp("8.8.8.8:53", "198.51.100.7:40000")},
		{"from on-premises", "vgw", udp("192.168.1.10:53", "10.0.0.10:40000")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := l.send(tc.from, big(tc.p, 1500, true))
			if r.Outcome == engine.Dropped || r.Packet.MF {
				t.Fatalf("1500 bytes must pass whole:\n%s", describe(r))
			}
			r = l.send(tc.from, big(tc.p, 1501, true))
			wantDropped(t, r, engine.CodeMTUExceeded, lastHop(t, r).Component.Kind.String())
			r = l.send(tc.from, big(tc.p, 2000, false))
			if r.Outcome == engine.Dropped || !r.Packet.MF || r.Packet.Len() > 1500 || r.Packet.Len() < 1400 {
				t.Fatalf("2000 bytes without DF must go on as its first fragment, 1500 bytes at most:\n%s", describe(r))
			}
		})
	}

	// Inside the VPC, 9001 bytes.
	l.instance("db", "pub", "10.0.0.20", "open")
	wantDelivered(t, l.send("web", big(udp("10.0.0.10:40000", "10.0.0.20:53"), 9001, true)), "db")
	r := l.send("web", big(udp("10.0.0.10:40000", "10.0.0.20:53"), 9002, true))
	wantDropped(t, r, engine.CodeMTUExceeded, "eni")

	// A TSO super-packet is judged by its largest segment on the wire.
	p := big(tcp("10.0.0.10:40000", "8.8.8.8:443"), 20000, true)
	p.SegSize = 1460
	if r := l.send("web", p); r.Outcome != engine.Exited {
		t.Fatalf("segments of 1500 bytes must pass:\n%s", describe(r))
	}
	p.SegSize = 8000
	wantDropped(t, l.send("web", p), engine.CodeMTUExceeded, "igw")
}

// SendWith with a location that names nothing in the topology (or the zero Location) drops the
// packet with UNKNOWN_RESOURCE naming it; it never returns an empty result.
func TestSendWithUnknownLocation(t *testing.T) {
	l := twoSubnets(t, nil, nil)
	for _, at := range []engine.Location{{}, engine.AtENI("eni-nope"), engine.AtVPNGateway("vgw-nope"), {Kind: 99, ID: "x"}} {
		for _, opt := range []engine.Options{{}, {ContinuePastBlocks: true}, {SkipHops: true}} {
			r := l.build().SendWith(l.st, at, packet.Packet(tcp("10.0.0.11:40000", "10.0.1.55:22")), opt)
			if r.Outcome != engine.Dropped || r.Code != engine.CodeUnknownResource || r.End().Outcome != engine.Dropped ||
				!strings.Contains(r.Detail, "not in the topology") {
				t.Errorf("%v %+v: %s", at, opt, describe(r))
			}
		}
	}
}

// applianceLab routes a's traffic to b through appliance fw; b's answers go straight back.
func applianceLab(t *testing.T) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("lan").in("all", -1, -1, "10.0.0.0/16")
	l.instance("a", "a", "10.0.0.11", "lan")
	l.instance("b", "b", "10.0.1.55", "lan")
	l.instance("fw", "f", "10.0.3.20", "lan")
	l.appliance("fw")
	l.rt("a", route("10.0.1.0/24", "eni-fw"))
	l.assoc("a", "a")
	return l
}

// The appliance's OS decides, not the VPC (§1.2.5, §13.13): a stateless appliance (the
// default) forwards whatever reaches it; a stateful one forwards a packet only when it starts
// a flow or belongs to one it saw start, so the answer of a flow whose first packet went
// around it is dropped (VPCLAB_ASYMMETRIC_INSPECTION).
func TestAppliance_StatefulForwarding_13_13(t *testing.T) {
	l := applianceLab(t)

	// b starts the flow straight to a; a's answer goes through fw.
	syn := l.send("b", tcp("10.0.1.55:40000", "10.0.0.11:22"))
	wantDelivered(t, syn, "a")
	wantDelivered(t, l.send("a", replyTo(syn)), "b") // stateless: forwarded

	l.topo.Instances[2].StatefulForwarding = true
	l.changed()
	syn = l.send("b", tcp("10.0.1.55:40001", "10.0.0.11:22"))
	r := l.send("a", replyTo(syn))
	wantDroppedAt(t, r, engine.CodeAsymmetricInspection, "i-fw")
	echo := l.send("b", icmpEcho("10.0.1.55", "10.0.0.11", 9, 1))
	wantDroppedAt(t, l.send("a", replyTo(echo)), engine.CodeAsymmetricInspection, "i-fw")

	// a starts the flow through fw: its SYN opens it there, and the flow's later packets pass.
	syn = l.send("a", tcp("10.0.0.11:40002", "10.0.1.55:22"))
	wantDelivered(t, syn, "b")
	ack := tcp("10.0.0.11:40002", "10.0.1.55:22").flags(packet.TCPAck)
	wantDelivered(t, l.send("a", ack), "b")
	// UDP datagrams and other protocols open a flow whichever way they go, as conntrack's NEW.
	wantDelivered(t, l.send("a", udp("10.0.0.11:5000", "10.0.1.55:53")), "b")
}

// Hops say what they did with types, and the engine works out for frontends what they used to
// read back from hops: where the journey ends with blocks lifted, the components a path is
// named by, and the middlebox that translated the source.
func TestHopsTyped_EndAndVia(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("priv", "10.0.1.0/24")
	l.subnet("pub", "10.0.0.0/24")
	l.igw()
	l.nat("gw", "pub", "10.0.0.100", "203.0.113.10")
	l.sg("web").in("tcp", 443, 443, "0.0.0.0/0")
	l.instance("app", "priv", "10.0.1.10", "web")
	l.rt("priv", route("0.0.0.0/0", "nat-gw"))
	l.assoc("priv", "priv")
	l.rt("pub", route("0.0.0.0/0", "igw-lab"))
	l.assoc("pub", "pub")
	l.acl("pub", "pub").allowAll().denyOut(50, "tcp", "0.0.0.0/0", 80, 80)

	r := l.sendOpt("app", tcp("10.0.1.10:40000", "8.8.8.8:80"), engine.Options{ContinuePastBlocks: true})
	wantEq(t, "outcome", r.Outcome, engine.Dropped)
	wantEq(t, "ends with the block lifted", r.End().Outcome, engine.Exited)
	wantEq(t, "leaves from", r.End().Packet.Src, addr("203.0.113.10"))
	wantEq(t, "leaves through", r.End().Exit.Gateway.ID, "igw-lab")
	wantEq(t, "towards", r.End().Exit.To.Kind, engine.KindInternet)
	// Without hops, the end is kept all the same.
	s := l.sendOpt("app", tcp("10.0.1.10:40001", "8.8.8.8:80"), engine.Options{ContinuePastBlocks: true, SkipHops: true})
	if x := s.End(); x.Outcome != engine.Exited || x.Exit != r.End().Exit || x.Packet.Src != r.End().Packet.Src {
		t.Errorf("without hops the end is %+v, with them %+v", s.End(), r.End())
	}
	// Delivered past a blocker (db's group admits nothing on 5432): the end names the
	// receiving interface and the packet as it arrived.
	l.instance("db", "priv", "10.0.1.20", "web")
	in := l.sendOpt("app", tcp("10.0.1.10:40002", "10.0.1.20:5432"), engine.Options{ContinuePastBlocks: true})
	wantEq(t, "blocked", in.Outcome, engine.Dropped)
	wantEq(t, "delivered with the block lifted", in.End().Outcome, engine.Delivered)
	wantEq(t, "to", in.End().ENI, eniID("db"))
	wantEq(t, "as", in.End().Packet.Dst, addr("10.0.1.20"))
	var via []string
	for _, c := range r.Via() {
		via = append(via, c.ID)
	}
	if !slices.Equal(via, []string{"nat-gw", "igw-lab"}) {
		t.Errorf("via %v", via)
	}
	if c, ok := r.SourceTranslatedAt(); !ok || c.ID != "nat-gw" {
		t.Errorf("source translated at %v %v", c, ok)
	}
	for _, h := range r.Hops {
		if h.Action == 0 || h.Component.Kind == 0 || h.Component.Kind.String() == "" {
			t.Errorf("untyped hop %+v", h)
		}
	}
}

// The rule sets answer analysis with the engine's own matching (no copy elsewhere): the spans
// of the rules that can decide a packet of the hop's peer, in the order they are consulted,
// and whether a NACL admits a whole port range.
func TestRuleSpans_AnswerFromTheEngine(t *testing.T) {
	l := twoSubnets(t, []string{"a"}, []string{"web", "all"})
	l.sg("a")
	l.sg("web").in("tcp", 2000, 2000, "10.0.0.0/24").in("icmp", 8, -1, "10.0.0.0/24").in("tcp", 22, 22, "192.168.0.0/16")
	l.sg("all").in("udp", -1, -1, "10.0.0.11/32")
	l.acl("b", "b").allowIn(100, "tcp", "10.0.0.0/16", 1024, 65535).denyIn(110, "tcp", "10.0.0.0/16", 0, 0).allowIn(120, "all", "0.0.0.0/0").allowOut(100, "all", "0.0.0.0/0")

	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:2000"))
	wantDelivered(t, r, "b")
	n := l.build()
	at := func(r *engine.Result, kind string, k int) int {
		for i, h := range r.Hops {
			if h.Component.Kind == kindOf(kind) {
				if k == 0 {
					return i
				}
				k--
			}
		}
		t.Fatalf("no %s hop %d:\n%s", kind, k, describe(r))
		return -1
	}
	got := n.RuleSpans(nil, r, at(r, "sg", 1))
	want := []engine.Span{
		{Protocol: 6, Ports: [2]int{2000, 2000}},
		{Protocol: 1, Types: [2]int{8, 8}, Codes: [2]int{0, 255}},
		{Protocol: 17, Ports: [2]int{0, 65535}},
	}
	if !slices.Equal(got, want) {
		t.Errorf("security group spans:\n got  %v\n want %v", got, want)
	}
	acl := at(r, "acl", 1)
	wantEq(t, "acl hop inbound", r.Hops[acl].Direction, engine.Inbound)
	got = n.RuleSpans(nil, r, acl)
	if len(got) < 3 || got[0].Ports != [2]int{1024, 65535} || !got[1].AllPorts() || got[2].Protocol != model.ProtocolAll {
		t.Errorf("acl spans %v", got)
	}
	ok, rule := n.AdmitsPorts(r, acl, 1024, 65535)
	wantEq(t, "1024-65535 admitted", ok, true)
	ok, rule = n.AdmitsPorts(r, acl, 1000, 2000)
	wantEq(t, "1000-2000 admitted", ok, false)
	wantEq(t, "denied by", rule, 110)

	// A tracked reply consulted no rule.
	back := l.send("b", replyTo(r))
	for i, h := range back.Hops {
		if h.Component.Kind == engine.KindSecurityGroup && n.RuleSpans(nil, back, i) != nil {
			t.Errorf("tracked reply has spans %v", n.RuleSpans(nil, back, i))
		}
	}
}

// model's table of route-target kinds and the engine's resolvers say the same about which
// kinds are modelled: a kind added to one and forgotten in the other fails here, and every
// unmodelled kind drops with UNSUPPORTED_COMPONENT naming the target.
func TestTargetKinds_ModelAndEngineAgree(t *testing.T) {
	for _, row := range model.TargetKinds() {
		if got := engine.Modelled(row.Kind); got != row.Modelled {
			t.Errorf("%s: engine.Modelled = %v, model's table says %v", row.Name, got, row.Modelled)
		}
		if row.Modelled {
			continue
		}
		l := newLab(t, "10.0.0.0/16")
		l.subnet("a", "10.0.0.0/24")
		l.instance("a", "a", "10.0.0.11")
		id := strings.TrimSuffix(row.Fields[0].Prefix, "-") + "-0123456789abcdef0"
		r := l.rt("a", route("0.0.0.0/0", "local"))
		r.Routes[0].Target = model.Target{Kind: row.Kind, ID: id}
		l.assoc("a", "a")
		res := l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
		wantDroppedAt(t, res, engine.CodeUnsupportedComponent, id)
	}
}

// §13.13: a stateful appliance's OS keeps one connection table whichever interface a packet
// uses: a flow that starts on one interface and answers on another passes; the drop it makes
// is its own hop, so explanations name the appliance, not the hop before it.
func TestAppliance_StatefulAcrossInterfaces_13_13(t *testing.T) {
	l := applianceLab(t)
	l.subnet("g", "10.0.4.0/24")
	fw2 := &model.NetworkInterface{ID: "eni-fw2", VPC: vpcID, Subnet: "subnet-g", Instance: "i-fw", DeviceIndex: 1,
		PrivateIPs: []model.PrivateIP{{Addr: addr("10.0.4.20"), Primary: true}}, SecurityGroups: []model.SecurityGroupID{"sg-lan"}}
	l.topo.NetworkInterfaces = append(l.topo.NetworkInterfaces, fw2)
	l.topo.Instances[2].ENIs = append(l.topo.Instances[2].ENIs, fw2.ID)
	l.topo.Instances[2].StatefulForwarding = true
	l.rt("b", route("10.0.0.0/24", "eni-fw2"))
	l.assoc("b", "b")

	syn := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDelivered(t, syn, "b")
	wantDelivered(t, l.send("b", replyTo(syn)), "a") // back through fw's other interface

	// A flow fw never saw start dies at fw, on a hop of its own.
	r := l.sendOpt("b", tcp("10.0.1.55:22", "10.0.0.11:40001").flags(packet.TCPSyn|packet.TCPAck), engine.Options{ContinuePastBlocks: true})
	wantDroppedAt(t, r, engine.CodeAsymmetricInspection, "i-fw")
	h := r.Hops[r.Blockers[0].Hop]
	wantEq(t, "blocker's hop", h.Component.ID, "i-fw")
	wantEq(t, "its action", h.Action, engine.ActDrop)
	wantEq(t, "its direction", h.Direction, engine.NoDirection)
}

// A NAT gateway drops TCP and ICMP fragments both ways (§2.2.7): an answer larger than the
// internet's MTU arrives in fragments and is not reassembled, so a large ping through a NAT
// gateway gets no reply although the request went out.
func TestNATGateway_DropsInboundFragments_2_2_7(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("priv", "10.0.1.0/24")
	l.subnet("pub", "10.0.0.0/24")
	l.igw()
	l.nat("gw", "pub", "10.0.0.100", "203.0.113.10")
	l.instance("app", "priv", "10.0.1.10")
	l.rt("priv", route("0.0.0.0/0", "nat-gw"))
	l.assoc("priv", "priv")
	l.rt("pub", route("0.0.0.0/0", "igw-lab"))
	l.assoc("pub", "pub")
	big := icmpEcho("10.0.1.10", "8.8.8.8", 7, 1)
	big.PayloadLen = 2000
	out := l.send("app", big)
	if out.Outcome != engine.Exited || !out.Packet.MF || out.Packet.Len() > 1500 {
		t.Fatalf("the request leaves as a first fragment of at most 1500 bytes:\n%s", describe(out))
	}
	full := replyTo(out)
	full.MF, full.PayloadLen = false, 2000
	r := l.send("internet", full)
	wantDroppedAt(t, r, engine.CodeNGWFragment, "nat-gw")
}

// A subnet whose VPC the topology lacks (validation warns) routes nothing and panics nowhere.
func TestSubnetOfMissingVPC_NoPanic(t *testing.T) {
	l := newLab(t, "10.0.0.0/16")
	l.igw()
	s := l.subnet("a", "10.0.0.0/24")
	s.VPC = "vpc-gone"
	l.instance("a", "a", "10.0.0.11")
	l.expectWarnings(0)
	for _, from := range []string{"a", "internet"} {
		r := l.send(from, tcp("8.8.8.8:40000", "10.0.0.11:22"))
		if from == "a" {
			r = l.send(from, tcp("10.0.0.11:40000", "8.8.8.8:22"))
		}
		if r.Outcome != engine.Dropped {
			t.Errorf("from %s: %s", from, describe(r))
		}
	}
}
