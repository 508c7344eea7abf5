package engine_test

// AWS Network Firewall scenarios: aws-vpc-semantics.md §14, one test per scenario id
// (NFW-n), plus the bad inputs and the benchmark of a trace through a large policy.

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

const (
	fwEndpoint = "vpce-fwa"
	fwPolicy   = "arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/pol"
	xAddr      = "198.51.100.7" // X, a host on the internet
)

func rgARN(name string) string {
	return "arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/" + name
}

// fwLab is §14's scenario setup (firewall endpoint fw-a in sFW-a, AZ a) in the D1 shape
// (§15): VPC 10.0.0.0/16 with an internet gateway; app subnet a1 10.0.1.0/24 with iA1
// 10.0.1.10 (public 3.0.0.10, its group admits everything) routing 0.0.0.0/0 to the
// endpoint; firewall subnet fw 10.0.100.0/28 routing 0.0.0.0/0 to the IGW; the IGW's edge
// table sends a1's CIDR back through the endpoint.
func fwLab(t testing.TB, pol *model.FirewallPolicy, groups ...*model.RuleGroup) *lab {
	t.Helper()
	l := newLab(t, "10.0.0.0/16")
	l.igw()
	l.subnet("a1", "10.0.1.0/24")
	l.subnet("fw", "10.0.100.0/28")
	l.sg("app").in("all", -1, -1, "0.0.0.0/0")
	l.instance("a1", "a1", "10.0.1.10", "app")
	l.publicIP("a1", "3.0.0.10")
	l.rt("app", route("0.0.0.0/0", fwEndpoint))
	l.assoc("app", "a1")
	l.rt("fw", route("0.0.0.0/0", string(igwID)))
	l.assoc("fw", "fw")
	edge := l.rt("edge", route("10.0.1.0/24", fwEndpoint))
	edge.Gateways = []string{string(igwID)}
	pol.ARN = fwPolicy
	if pol.Name == "" {
		pol.Name = "pol"
	}
	l.topo.FirewallPolicies = append(l.topo.FirewallPolicies, pol)
	l.topo.RuleGroups = append(l.topo.RuleGroups, groups...)
	l.topo.Firewalls = append(l.topo.Firewalls, &model.Firewall{ARN: "arn:aws:network-firewall:us-east-1:111122223333:firewall/fw",
		Name: "fw", VPC: vpcID, PolicyARN: fwPolicy,
		SubnetMappings: []model.FirewallSubnetMapping{{Subnet: "subnet-fw", AvailabilityZone: "us-east-1a", Endpoint: fwEndpoint, Status: "READY"}}})
	model.ApplyDefaults(l.topo)
	if ps := model.Validate(l.topo); ps.HasErrors() {
		t.Fatalf("Validate: %v", ps)
	}
	return l
}

// sfe is a policy that forwards everything to the stateful engine (§14.7).
func sfe(groups ...model.RuleGroupRef) *model.FirewallPolicy {
	return &model.FirewallPolicy{StatelessDefaultActions: []string{model.ActionForwardToSFE},
		StatelessFragmentDefaultActions: []string{model.ActionForwardToSFE}, StatefulGroups: groups}
}

func ref(name string, prio int) model.RuleGroupRef {
	return model.RuleGroupRef{ARN: rgARN(name), Priority: prio}
}

// suricata is a stateful rule group holding Suricata text.
func suricata(name, text string) *model.RuleGroup {
	return &model.RuleGroup{ARN: rgARN(name), Name: name, Type: model.RuleGroupStateful, RulesString: text}
}

// fiveTuple parses "DROP tcp any any -> any 23" into a 5-tuple StatefulRules group.
func fiveTuple(name string, rules ...string) *model.RuleGroup {
	g := &model.RuleGroup{ARN: rgARN(name), Name: name, Type: model.RuleGroupStateful}
	for _, r := range rules {
		f := strings.Fields(r)
		dir := "FORWARD"
		if f[4] == "<>" {
			dir = "ANY"
		}
		g.StatefulRules = append(g.StatefulRules, model.StatefulRule{Action: f[0], Protocol: strings.ToUpper(f[1]),
			Source: f[2], SourcePort: f[3], Direction: dir, Destination: f[5], DestinationPort: f[6],
			Options: []model.RuleOption{{Keyword: "sid", Settings: []string{fmt.Sprint(len(g.StatefulRules) + 1)}}}})
	}
	return g
}

func domains(name, typ string, targets ...string) *model.RuleGroup {
	return &model.RuleGroup{ARN: rgARN(name), Name: name, Type: model.RuleGroupStateful,
		Domains: &model.DomainList{Targets: targets, TargetTypes: []string{"TLS_SNI", "HTTP_HOST"}, GeneratedRulesType: typ}}
}

func withSNI(p pkt, sni string) pkt { p.App = &packet.App{SNI: sni}; return p }

// wantNote fails unless the hop at the firewall (or the drop) says each of the phrases.
func wantNote(t testing.TB, r *engine.Result, phrases ...string) {
	t.Helper()
	note := r.Detail
	if r.Outcome != engine.Dropped || r.At.Kind != engine.KindNetworkFirewall {
		note = hop(t, r, "fw").Note
	}
	for _, p := range phrases {
		if !strings.Contains(note, p) {
			t.Errorf("firewall note %q does not say %q\n%s", note, p, describe(r))
		}
	}
}

func TestNFW1_StatefulDropTelnet(t *testing.T) {
	l := fwLab(t, sfe(ref("block", 1)), fiveTuple("block", "DROP tcp any any -> any 23"))
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":23"))
	wantDroppedAt(t, r, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, r, "stateful rule group block, sid 1: DROP tcp any any -> any 23", "drop tcp 10.0.1.10:40000 -> 198.51.100.7:23")
	wantPath(t, r, "i:send", "eni:send", "sg:allow", "acl:allow:outbound", "rtb:forward", "acl:allow:inbound", "fw:drop")
	// Another port goes through, and its reply comes back through the same endpoint.
	ok := l.send("a1", tcp("10.0.1.10:40000", xAddr+":22"))
	wantExited(t, ok, string(igwID), "internet")
	wantPath(t, ok, "i:send", "eni:send", "sg:allow", "acl:allow:outbound", "rtb:forward", "acl:allow:inbound", "fw:forward",
		"acl:allow:outbound", "rtb:forward", "igw:translate", "internet:exit")
	wantEq(t, "TTL kept", ok.Packet.TTL, uint8(255))
	back := l.sendAt(engine.AtInternet(), pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 22, DstPort: 40000,
		TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDelivered(t, back, "a1")
}

func TestNFW2_StatelessPassMakesReplyAStreamException(t *testing.T) {
	pass := &model.RuleGroup{ARN: rgARN("sl"), Name: "sl", Type: model.RuleGroupStateless, StatelessRules: []model.StatelessRule{{
		Priority: 10, Protocols: []int{6}, DestinationPorts: []model.PortRange{{From: 443, To: 443}}, Actions: []string{model.ActionPass}}}}
	pol := sfe(ref("all", 1))
	pol.StatelessGroups = []model.RuleGroupRef{{ARN: rgARN("sl"), Priority: 1}}
	l := fwLab(t, pol, pass, fiveTuple("all", "DROP ip any any -> any any"))
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":443"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "stateless rule group sl, rule priority 10: aws:pass")
	back := l.sendAt(engine.AtInternet(), pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 443, DstPort: 40000,
		TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDroppedAt(t, back, engine.CodeNFWStreamException, fwEndpoint)
	wantNote(t, back, "never saw this flow start", "stream exception policy is DROP (§14.12)")
}

func strictAllowlist(def string) (*model.FirewallPolicy, *model.RuleGroup) {
	pol := sfe(ref("allow", 1))
	pol.RuleOrder = model.StrictOrder
	pol.StatefulDefaultActions = []string{def}
	g := domains("allow", "ALLOWLIST", ".example.com")
	g.RuleOrder = model.StrictOrder
	return pol, g
}

func TestNFW3_DropStrictDropsTheHandshakeBeforeTheSNI(t *testing.T) {
	pol, g := strictAllowlist(model.DropStrict)
	l := fwLab(t, pol, g)
	r := l.send("a1", withSNI(tcp("10.0.1.10:40000", xAddr+":443"), "www.example.com"))
	wantDroppedAt(t, r, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, r, "stateful default action aws:drop_strict applies", "at the TCP handshake (the SYN)")
}

func TestNFW4_DropEstablishedLetsTheHandshakeAndTheAllowedSNIThrough(t *testing.T) {
	pol, g := strictAllowlist(model.DropEstablished)
	l := fwLab(t, pol, g)
	r := l.send("a1", withSNI(tcp("10.0.1.10:40000", xAddr+":443"), "www.example.com"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "allowlist tls", ": pass, at the flow's TLS ClientHello (SNI www.example.com) after the handshake passed")
	// The apex matches ".example.com" too (§14.8).
	wantExited(t, l.send("a1", withSNI(tcp("10.0.1.10:40001", xAddr+":443"), "example.com")), string(igwID), "internet")
	// The server's SYN-ACK passes (server→client, §14.10).
	back := l.sendAt(engine.AtInternet(), pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 443, DstPort: 40000,
		TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDelivered(t, back, "a1")
}

func TestNFW5_UnlistedSNIIsDroppedOnceEstablished(t *testing.T) {
	pol, g := strictAllowlist(model.DropEstablished)
	l := fwLab(t, pol, g)
	r := l.send("a1", withSNI(tcp("10.0.1.10:40000", xAddr+":443"), "evil.test"))
	wantDroppedAt(t, r, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, r, "stateful rule group allow, allowlist tls (not listed)", "TLS ClientHello (SNI evil.test) after the handshake passed")
	// "example.com.evil.test" is no subdomain of example.com.
	wantDroppedAt(t, l.send("a1", withSNI(tcp("10.0.1.10:40002", xAddr+":443"), "example.com.evil.test")), engine.CodeFirewallRules, fwEndpoint)
	// A live ClientHello carries the name in its bytes: the firewall reads it there.
	pol2, g2 := strictAllowlist(model.DropEstablished)
	l2 := fwLab(t, pol2, g2)
	syn := l2.send("a1", tcp("10.0.1.10:40000", xAddr+":443"))
	wantExited(t, syn, string(igwID), "internet")
	l2.sendAt(engine.AtInternet(), pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 443, DstPort: 40000,
		TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	ack := tcp("10.0.1.10:40000", xAddr+":443").flags(packet.TCPAck)
	wantExited(t, l2.send("a1", ack), string(igwID), "internet")
	hello := ack.flags(packet.TCPAck | packet.TCPPsh)
	hello.Payload = clientHello("evil.test")
	wantDroppedAt(t, l2.send("a1", hello), engine.CodeFirewallRules, fwEndpoint)
}

func TestNFW6_DefaultOrderEvaluatesPassFirst(t *testing.T) {
	l := fwLab(t, sfe(ref("web", 1)), fiveTuple("web", "PASS tcp any any -> any 80", "DROP tcp 10.0.1.10 any -> any 80"))
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":80"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "stateful rule group web, sid 1: PASS tcp any any -> any 80")
	// In strict order the written order decides: the pass comes first here too, so swap them.
	pol := sfe(ref("web", 1))
	pol.RuleOrder = model.StrictOrder
	l2 := fwLab(t, pol, fiveTuple("web", "DROP tcp 10.0.1.10 any -> any 80", "PASS tcp any any -> any 80"))
	wantDroppedAt(t, l2.send("a1", tcp("10.0.1.10:40000", xAddr+":80")), engine.CodeFirewallRules, fwEndpoint)
}

func TestNFW7_RejectSendsARST(t *testing.T) {
	l := fwLab(t, sfe(ref("smtp", 1)), fiveTuple("smtp", "REJECT tcp any any -> any 25"))
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":25"))
	wantDroppedAt(t, r, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, r, "REJECT tcp any any -> any 25", "reject tcp")
	g := r.Generated
	if g == nil {
		t.Fatalf("no RST generated\n%s", describe(r))
	}
	wantDelivered(t, g, "a1")
	wantEq(t, "RST source", g.Packet.Src, addr(xAddr))
	wantEq(t, "RST flags", g.Packet.TCPFlags, packet.TCPRst|packet.TCPAck)
	wantEq(t, "RST ports", fmt.Sprint(g.Packet.SrcPort, g.Packet.DstPort), "25 40000")
}

func TestNFW8_NonUDPFragmentsAreDropped(t *testing.T) {
	pol := sfe(ref("any", 1))
	pol.StatelessFragmentDefaultActions = []string{model.ActionDrop}
	l := fwLab(t, pol, fiveTuple("any", "PASS ip any any -> any any"))
	r := l.send("a1", icmpEcho("10.0.1.10", xAddr, 7, 1).fragment(0))
	wantDroppedAt(t, r, engine.CodeNFWFragment, fwEndpoint)
	wantNote(t, r, "silently drops icmp fragments", "(§14.7)")
	// A UDP fragment meets the fragment default action instead: aws:drop.
	u := l.send("a1", udp("10.0.1.10:5000", xAddr+":53").fragment(0))
	wantDroppedAt(t, u, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, u, "stateless default action is aws:drop")
	// Whole ICMP packets go to the stateful engine and pass.
	wantExited(t, l.send("a1", icmpEcho("10.0.1.10", xAddr, 7, 1)), string(igwID), "internet")
}

func TestNFW11_EndpointCannotFilterItsOwnSubnet(t *testing.T) {
	l := fwLab(t, sfe())
	l.instance("fwhost", "fw", "10.0.100.5", "app")
	l.publicIP("fwhost", "3.0.0.11")
	l.table("fw").Routes = []model.Route{route("0.0.0.0/0", fwEndpoint)}
	r := l.send("fwhost", tcp("10.0.100.5:40000", xAddr+":443"))
	wantDroppedAt(t, r, engine.CodeNFWSameSubnet, fwEndpoint)
	wantNote(t, r, "10.0.100.5 is in the firewall subnet subnet-fw", "(§14.2)")
}

func TestNFWAttachmentNotReadyDoesNotForward(t *testing.T) {
	l := fwLab(t, sfe())
	l.topo.Firewalls[0].SubnetMappings[0].Status = "CREATING"
	l.changed()
	wantDroppedAt(t, l.send("a1", tcp("10.0.1.10:40000", xAddr+":443")), engine.CodeBadState, fwEndpoint)
}

func TestNFWTCPIdleTimeoutForgetsTheFlow(t *testing.T) {
	pol := sfe(ref("any", 1))
	pol.TCPIdleTimeoutSeconds = 60
	l := fwLab(t, pol, fiveTuple("any", "ALERT ip any any -> any any"))
	wantExited(t, l.send("a1", tcp("10.0.1.10:40000", xAddr+":443")), string(igwID), "internet")
	ack := tcp("10.0.1.10:40000", xAddr+":443").flags(packet.TCPAck)
	wantExited(t, l.send("a1", ack), string(igwID), "internet")
	l.advance(61e9)
	wantDroppedAt(t, l.send("a1", ack), engine.CodeNFWStreamException, fwEndpoint)
}

func TestNFWDropToAlertAndUnsupportedOptions(t *testing.T) {
	pol := sfe(model.RuleGroupRef{ARN: rgARN("ids"), Priority: 1, Override: model.OverrideDropToAlert}, ref("odd", 2))
	l := fwLab(t, pol, suricata("ids", `drop tcp any any -> any 22 (msg:"ssh"; sid:10;)`),
		suricata("odd", `drop tcp any any -> any 8080 (msg:"odd"; pcre:"/x/"; sid:20;)`))
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":22"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "1 alert rule(s) matched")
	d := l.send("a1", tcp("10.0.1.10:40000", xAddr+":8080"))
	wantDroppedAt(t, d, engine.CodeFirewallRules, fwEndpoint)
	wantNote(t, d, "stateful rule group odd, sid 20")
	if len(d.Blockers[0].Advice) != 1 || d.Blockers[0].Advice[0].Code != "FIREWALL_UNSUPPORTED_RULE_OPTIONS" {
		t.Errorf("advice %+v, want FIREWALL_UNSUPPORTED_RULE_OPTIONS", d.Blockers[0].Advice)
	}
}

func TestNFWManagedGroupWarnsAndIsNamedOnThePath(t *testing.T) {
	pol := sfe(model.RuleGroupRef{ARN: "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesBotnet", Priority: 1}, ref("block", 2))
	l := fwLab(t, pol, fiveTuple("block", "DROP tcp any any -> any 23"))
	ps := model.Validate(l.topo).Warnings()
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "AWS-managed threat-signature group") {
		t.Fatalf("warnings %v, want one naming the AWS-managed threat-signature group", ps)
	}
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":443"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "AWS-managed rule group arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesBotnet", "assumed to pass (§14.17)")
	d := l.send("a1", tcp("10.0.1.10:40000", xAddr+":23"))
	wantDroppedAt(t, d, engine.CodeFirewallRules, fwEndpoint)
	if len(d.Blockers[0].Advice) != 1 || d.Blockers[0].Advice[0].Code != "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES" {
		t.Errorf("advice %+v, want FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES", d.Blockers[0].Advice)
	}
}

func (l *lab) sendAt(at engine.Location, p pkt) *engine.Result {
	l.t.Helper()
	return l.build().Send(l.st, at, packet.Packet(p))
}

// clientHello is a minimal TLS 1.2 ClientHello record naming sni.
func clientHello(sni string) []byte {
	name := []byte(sni)
	ext := []byte{0, 0, 0, 0, 0, 0, 0}
	l := len(name)
	ext[2], ext[3] = byte((l+5)>>8), byte(l+5)
	ext[4], ext[5] = byte((l+3)>>8), byte(l+3)
	ext = append(ext[:6], 0, byte(l>>8), byte(l))
	ext = append(ext, name...)
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0)
	body = append(body, byte(len(ext)>>8), byte(len(ext)))
	body = append(body, ext...)
	hs := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

// nfwInspection is §15 D2, compact: spokes A and B behind tgw-hub (hubAB), and an inspection
// VPC I 100.64.0.0/16 with, per zone, a transit gateway subnet (it-a, it-b) routing 0/0 to
// that zone's firewall endpoint (vpce-fwa, vpce-fwb) and a firewall subnet (if-a, if-b)
// routing 10/8 back to the transit gateway. The policy denies TLS to .bad.test (DENYLIST);
// homeNet overrides HOME_NET when set.
func nfwInspection(t testing.TB, applianceMode bool, homeNet ...string) *estate {
	x := hubAB(t)
	x.vpc("i", "100.64.0.0/16")
	x.subnet("i", "ita", "100.64.0.0/28", "us-east-1a")
	x.subnet("i", "itb", "100.64.0.16/28", "us-east-1b")
	x.subnet("i", "ifa", "100.64.1.0/28", "us-east-1a")
	x.subnet("i", "ifb", "100.64.1.16/28", "us-east-1b")
	x.routes("ita", route("0.0.0.0/0", "vpce-fwa"))
	x.routes("itb", route("0.0.0.0/0", "vpce-fwb"))
	x.routes("ifa", route("10.0.0.0/8", "tgw-hub"))
	x.routes("ifb", route("10.0.0.0/8", "tgw-hub"))
	x.topo.TGWRouteTables = append(x.topo.TGWRouteTables,
		&model.TGWRouteTable{ID: "tgw-rtb-spokes", TransitGateway: "tgw-hub"},
		&model.TGWRouteTable{ID: "tgw-rtb-insp", TransitGateway: "tgw-hub"})
	att := x.attach("hub", "i", "insp", "ita", "itb")
	att.ApplianceMode = applianceMode
	x.topo.TGWAttachments[0].Association = "tgw-rtb-spokes"
	x.topo.TGWAttachments[1].Association = "tgw-rtb-spokes"
	x.tgwRoute("spokes", "0.0.0.0/0", "i")
	x.propagate("insp", "a", "b")
	pol := sfe(ref("deny", 1))
	pol.ARN, pol.Name = fwPolicy, "central"
	for _, h := range homeNet {
		pol.HomeNet = append(pol.HomeNet, netip.MustParsePrefix(h))
	}
	x.topo.FirewallPolicies = append(x.topo.FirewallPolicies, pol)
	x.topo.RuleGroups = append(x.topo.RuleGroups, domains("deny", "DENYLIST", ".bad.test"))
	x.topo.Firewalls = append(x.topo.Firewalls, &model.Firewall{ARN: "arn:aws:network-firewall:us-east-1:111122223333:firewall/central",
		Name: "central", VPC: "vpc-i", PolicyARN: fwPolicy, SubnetMappings: []model.FirewallSubnetMapping{
			{Subnet: "subnet-ifa", AvailabilityZone: "us-east-1a", Endpoint: "vpce-fwa"},
			{Subnet: "subnet-ifb", AvailabilityZone: "us-east-1b", Endpoint: "vpce-fwb"}}})
	x.changed()
	return x
}

// nfwEgress is nfwInspection with §15 D2's egress: a public subnet pa in I (100.64.2.0/28)
// with NAT gateway nat-i (100.64.2.5, Elastic IP 3.3.3.3) behind internet gateway igw-i; the
// firewall subnets send 0.0.0.0/0 to the NAT gateway, the public subnet sends the spokes back
// through vpce-fwa, which both transit gateway subnets use (one endpoint sees every flow), and
// spoke subnet a1 sends 0.0.0.0/0 to the transit gateway.
func nfwEgress(t testing.TB, homeNet ...string) *estate {
	x := nfwInspection(t, true, homeNet...)
	x.subnet("i", "pa", "100.64.2.0/28", "us-east-1a")
	x.topo.InternetGateways = append(x.topo.InternetGateways, &model.InternetGateway{ID: "igw-i", VPC: "vpc-i"})
	x.topo.NATGateways = append(x.topo.NATGateways, &model.NATGateway{ID: "nat-i", VPC: "vpc-i", Subnet: "subnet-pa", Connectivity: model.ConnectivityPublic,
		State: "available", Addresses: []model.NATGatewayAddress{{PrivateIP: addr("100.64.2.5"), PublicIP: addr("3.3.3.3"), Primary: true}}})
	for _, rt := range x.topo.RouteTables {
		if rt.ID == "rtb-itb" {
			rt.Routes = []model.Route{route("0.0.0.0/0", "vpce-fwa")}
		}
	}
	x.routes("ifa", route("0.0.0.0/0", "nat-i"))
	x.routes("ifb", route("0.0.0.0/0", "nat-i"))
	x.routes("pa", route("0.0.0.0/0", "igw-i"), route("10.0.0.0/8", "vpce-fwa"))
	x.routes("a1", route("0.0.0.0/0", "tgw-hub"))
	return x
}

// NFW-9: without a HOME_NET override, HOME_NET is the inspection VPC's CIDR (§14.13), so a
// spoke's TLS to a denied name is not filtered: domain lists match flows from $HOME_NET only.
func TestNFW9_SpokeTrafficEscapesDomainListsOutsideHomeNet(t *testing.T) {
	x := nfwEgress(t)
	r := x.send("a1", withSNI(tcp("10.0.1.10:40000", "198.51.100.7:443"), "www.bad.test"))
	wantExited(t, r, "igw-i", "internet")
	wantEq(t, "seen source", r.Packet.Src, addr("3.3.3.3"))
	wantNote(t, r, "no stateful rule decides", "TLS ClientHello (SNI www.bad.test)")
	// The answer comes back through the NAT gateway and the same endpoint (§15 D2-3).
	back := x.sendAt(engine.AtInternet(), pkt{Src: addr("198.51.100.7"), Dst: addr("3.3.3.3"), Proto: packet.ProtoTCP, SrcPort: 443,
		DstPort: r.Packet.SrcPort, TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDelivered(t, back, "a1")
	hop(t, back, "fw")
}

// NFW-10: with HOME_NET = 10.0.0.0/8 the spokes' flows are the firewall's own: the denylist
// drops the name.
func TestNFW10_HomeNetOverrideFiltersSpokes(t *testing.T) {
	x := nfwEgress(t, "10.0.0.0/8")
	r := x.send("a1", withSNI(tcp("10.0.1.10:40000", "198.51.100.7:443"), "www.bad.test"))
	wantDropped(t, r, engine.CodeFirewallRules, "fw")
	wantNote(t, r, "stateful rule group deny, denylist tls", "TLS ClientHello (SNI www.bad.test)")
	// Other names pass, and so does east-west traffic: its destination is in HOME_NET, and the
	// generated rules match flows to $EXTERNAL_NET only.
	wantExited(t, x.send("a1", withSNI(tcp("10.0.1.10:40001", "198.51.100.7:443"), "good.test")), "igw-i", "internet")
	wantDelivered(t, x.send("a1", withSNI(tcp("10.0.1.10:40002", "10.1.2.10:443"), "www.bad.test")), "b2")
}

// §15 D2-2: without appliance mode the reply may enter the inspection VPC in the other zone,
// where the other endpoint never saw the flow start.
func TestNFWD2_2_NoApplianceModeIsAStreamException(t *testing.T) {
	x := nfwInspection(t, false)
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.2.10:22"))
	wantDelivered(t, r, "b2")
	back := x.send("b2", replyTo(r))
	wantDropped(t, back, engine.CodeNFWStreamException, "fw")
	if adv := back.Blockers[0].Advice; len(adv) != 1 || adv[0].Code != engine.DetailApplianceModeRecommended {
		t.Errorf("advice %+v, want %s", adv, engine.DetailApplianceModeRecommended)
	}
	if hop(t, r, "fw").Component.ID == back.At.ID {
		t.Errorf("both directions used %s; the test wants them apart", back.At.ID)
	}
}

// bigPolicy is a policy of 1,000 stateless rules (TCP to ports 1000-1998 dropped, then TCP
// 443 to the stateful engine) and 1,000 stateful rules (drops of ports 2000-2998, then a
// pass of 443): a packet to 443 matches only the last of each.
func bigPolicy() (*model.FirewallPolicy, []*model.RuleGroup) {
	sl := &model.RuleGroup{ARN: rgARN("sl-big"), Name: "sl-big", Type: model.RuleGroupStateless}
	for i := range 1000 {
		port, action := 1000+i, model.ActionDrop
		if i == 999 {
			port, action = 443, model.ActionForwardToSFE
		}
		sl.StatelessRules = append(sl.StatelessRules, model.StatelessRule{Priority: i + 1, Protocols: []int{6},
			DestinationPorts: []model.PortRange{{From: port, To: port}}, Actions: []string{action}})
	}
	var text strings.Builder
	for i := range 999 {
		fmt.Fprintf(&text, "drop tcp $HOME_NET any -> any %d (msg:\"r%d\"; sid:%d;)\n", 2000+i, i, i+1)
	}
	text.WriteString("pass tcp $HOME_NET any -> any 443 (msg:\"web\"; sid:1000;)\n")
	pol := sfe(ref("sf-big", 1))
	pol.StatelessGroups = []model.RuleGroupRef{{ARN: sl.ARN, Priority: 1}}
	return pol, []*model.RuleGroup{sl, suricata("sf-big", text.String())}
}

func TestNFWBigPolicyDecidesByTheLastRules(t *testing.T) {
	pol, groups := bigPolicy()
	l := fwLab(t, pol, groups...)
	r := l.send("a1", tcp("10.0.1.10:40000", xAddr+":443"))
	wantExited(t, r, string(igwID), "internet")
	wantNote(t, r, "stateful rule group sf-big, sid 1000")
	wantNote(t, l.send("a1", tcp("10.0.1.10:40000", xAddr+":2500")), "stateful rule group sf-big, sid 501")
	wantNote(t, l.send("a1", tcp("10.0.1.10:40000", xAddr+":1500")), "stateless rule group sl-big, rule priority 501")
	wantNote(t, l.send("a1", tcp("10.0.1.10:40000", xAddr+":80")), "no stateful rule decides")
}

// BenchmarkTraceThroughFirewall is one trace, hops recorded, through a firewall endpoint whose
// policy has 1,000 stateless and 1,000 stateful rules (bigPolicy): a new flow each time.
func BenchmarkTraceThroughFirewall(b *testing.B) {
	pol, groups := bigPolicy()
	benchTrace(b, fwLab(b, pol, groups...))
}

// BenchmarkTraceBesideFirewall is the same trace with the app subnet routing straight to the
// internet gateway: what the path costs without the firewall.
func BenchmarkTraceBesideFirewall(b *testing.B) {
	pol, groups := bigPolicy()
	l := fwLab(b, pol, groups...)
	l.table("app").Routes[0] = route("0.0.0.0/0", string(igwID))
	l.table("edge").Gateways = nil // else the gateway drops what bypasses the endpoint (§1.3.8)
	l.changed()
	benchTrace(b, l)
}

func benchTrace(b *testing.B, l *lab) {
	n := l.build()
	from := at("a1")
	p := packet.Packet(tcp("10.0.1.10:40000", xAddr+":443"))
	var r engine.Result
	st := engine.NewState(l.clock, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%50000 == 0 {
			st = engine.NewState(l.clock, uint64(i))
		}
		p.SrcPort = uint16(1024 + i%50000)
		n.SendInto(st, from, p, engine.Options{}, &r)
	}
	if r.Outcome != engine.Exited {
		b.Fatalf("not through:\n%s", describe(&r))
	}
}

// TestNFWSendAllocs: through a firewall endpoint, a packet of a known flow allocates nothing
// without hops (the live dataplane's way) and only the firewall's and the internet gateway's
// notes with them.
func TestNFWSendAllocs(t *testing.T) {
	pol, groups := bigPolicy()
	l := fwLab(t, pol, groups...)
	n := l.build()
	from := at("a1")
	p := packet.Packet(tcp("10.0.1.10:40000", xAddr+":443"))
	var r engine.Result
	n.SendInto(l.st, from, p, engine.Options{}, &r)
	if r.Outcome != engine.Exited {
		t.Fatalf("not through:\n%s", describe(&r))
	}
	p.TCPFlags = packet.TCPAck
	for _, c := range []struct {
		opt  engine.Options
		want float64
	}{{engine.Options{SkipHops: true}, 0}, {engine.Options{}, 2}} {
		if got := testing.AllocsPerRun(100, func() { n.SendInto(l.st, from, p, c.opt, &r) }); got != c.want {
			t.Errorf("SkipHops %v: %v allocations per send, want %v", c.opt.SkipHops, got, c.want)
		}
	}
}

// §15 D1-1: from the internet to iA1's public IP through the IGW's edge table and the
// endpoint, and back through the endpoint.
func TestNFWD1_1_IngressThroughTheEdgeTable(t *testing.T) {
	l := fwLab(t, sfe(ref("web", 1)), fiveTuple("web", "PASS tcp any any -> 10.0.1.0/24 443", "DROP tcp any any -> any any"))
	in := pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 50000, DstPort: 443, TCPFlags: packet.TCPSyn, TTL: 64}
	r := l.sendAt(engine.AtInternet(), in)
	wantDelivered(t, r, "a1")
	wantPath(t, r, "internet:send", "igw:translate", "rtb:forward", "acl:allow:inbound", "fw:forward", "acl:allow:outbound",
		"rtb:forward", "acl:allow:inbound", "eni:receive", "sg:allow", "i:deliver")
	back := l.send("a1", replyTo(r))
	wantExited(t, back, string(igwID), "internet")
	hop(t, back, "fw")
	// Port 80 meets the drop.
	in.DstPort = 80
	wantDroppedAt(t, l.sendAt(engine.AtInternet(), in), engine.CodeFirewallRules, fwEndpoint)
}

// §15 D1-2: the app subnet's default route points at the other zone's endpoint, the edge
// table at this zone's: the reply meets an endpoint that never saw the flow start. The
// internet gateway's symmetry rule (§1.3.8) already stops the request, which left through
// another middlebox than the one the edge table names; past that block, the answer is a
// stream exception.
func TestNFWD1_2_CrossZoneEndpointsAreAStreamException(t *testing.T) {
	l := fwLab(t, sfe())
	s := l.subnet("fwb", "10.0.100.16/28")
	s.AvailabilityZone = "us-east-1b"
	l.assoc("fw", "fwb")
	l.topo.Firewalls[0].SubnetMappings = append(l.topo.Firewalls[0].SubnetMappings,
		model.FirewallSubnetMapping{Subnet: "subnet-fwb", AvailabilityZone: "us-east-1b", Endpoint: "vpce-fwb"})
	l.table("app").Routes = []model.Route{route("0.0.0.0/0", "vpce-fwb")}
	r := l.sendOpt("a1", tcp("10.0.1.10:40000", xAddr+":443"), engine.Options{ContinuePastBlocks: true})
	wantDropped(t, r, engine.CodeIngressRTBRedirection, "igw")
	wantEq(t, "past the block", r.End().Outcome, engine.Exited)
	wantEq(t, "endpoint", hop(t, r, "fw").Component.ID, "vpce-fwb")
	back := l.sendAt(engine.AtInternet(), pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 443, DstPort: 40000,
		TCPFlags: packet.TCPSyn | packet.TCPAck, TTL: 64})
	wantDroppedAt(t, back, engine.CodeNFWStreamException, fwEndpoint)
}

// §14.3: what the endpoint forwards keeps its addresses but not its sender's security
// groups: a rule referencing the sender's group does not match it (§7.1.13), while a rule
// by CIDR does.
func TestNFWSecurityGroupReferencesDoNotMatchThroughTheEndpoint(t *testing.T) {
	l := fwLab(t, sfe())
	l.subnet("a2", "10.0.2.0/24")
	l.sg("db").in("tcp", 5432, 5432, "sg-app").in("tcp", 6432, 6432, "10.0.1.0/24")
	l.instance("db", "a2", "10.0.2.20", "db")
	l.table("app").Routes = append(l.table("app").Routes, route("10.0.2.0/24", fwEndpoint))
	r := l.send("a1", tcp("10.0.1.10:40000", "10.0.2.20:5432"))
	wantDropped(t, r, engine.CodeSGReferencesNotKept, "sg")
	hop(t, r, "fw")
	wantDelivered(t, l.send("a1", tcp("10.0.1.10:40000", "10.0.2.20:6432")), "db")
}

// §15 D1-3: the app subnet routes 0.0.0.0/0 straight to the internet gateway while the edge
// table sends its inbound traffic through the endpoint: the answer bypasses the endpoint and
// the gateway drops it (§1.3.8).
func TestNFWD1_3_ReplyBypassingTheEndpoint(t *testing.T) {
	l := fwLab(t, sfe())
	l.table("app").Routes = []model.Route{route("0.0.0.0/0", string(igwID))}
	in := pkt{Src: addr(xAddr), Dst: addr("3.0.0.10"), Proto: packet.ProtoTCP, SrcPort: 50000, DstPort: 443, TCPFlags: packet.TCPSyn, TTL: 64}
	r := l.sendAt(engine.AtInternet(), in)
	wantDelivered(t, r, "a1")
	back := l.send("a1", replyTo(r))
	wantDropped(t, back, engine.CodeIngressRTBRedirection, "igw")
}

// §14.12: the stream exception policy REJECT answers a mid-stream TCP packet with a RST;
// CONTINUE inspects it as a flow picked up mid-stream.
func TestNFWStreamExceptionPolicies(t *testing.T) {
	ack := tcp("10.0.1.10:40000", xAddr+":443").flags(packet.TCPAck)
	pol := sfe(ref("any", 1))
	pol.StreamExceptionPolicy = "REJECT"
	l := fwLab(t, pol, fiveTuple("any", "ALERT ip any any -> any any"))
	r := l.send("a1", ack)
	wantDroppedAt(t, r, engine.CodeNFWStreamException, fwEndpoint)
	if r.Generated == nil || r.Generated.Packet.TCPFlags&packet.TCPRst == 0 {
		t.Fatalf("no RST:\n%s", describe(r))
	}
	wantDelivered(t, r.Generated, "a1")
	pol2 := sfe(ref("block", 1))
	pol2.StreamExceptionPolicy = "CONTINUE"
	l2 := fwLab(t, pol2, fiveTuple("block", "DROP tcp any any -> any 22"))
	wantExited(t, l2.send("a1", ack), string(igwID), "internet")
	wantDroppedAt(t, l2.send("a1", tcp("10.0.1.10:40001", xAddr+":22").flags(packet.TCPAck)), engine.CodeFirewallRules, fwEndpoint)
}
