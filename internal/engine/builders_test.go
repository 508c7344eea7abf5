package engine_test

// Tiny builders for engine scenario tests: a lab builds a model.Topology in code, compiles it
// (failing the test on unexpected compile warnings) and sends packets through it with a
// ManualClock, so every scenario reads in a few lines and every run is identical.
//
// Naming: a builder's name argument becomes the AWS-shaped ID with the kind's prefix
// ("a" → subnet-a, eni-a, i-a, rtb-a, sg-a, acl-a, nat-a). The VPC is vpc-lab, its IGW
// igw-lab, its VGW vgw-lab.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// t0 is the fixed start of every lab's clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	vpcID = model.VPCID("vpc-lab")
	igwID = model.InternetGatewayID("igw-lab")
	vgwID = model.VPNGatewayID("vgw-lab")
)

type lab struct {
	t        testing.TB
	topo     *model.Topology
	vpc      *model.VPC
	clock    *engine.ManualClock
	st       *engine.State
	net      *engine.Network
	warnings int // compile warnings the test expects
}

// newLab starts a topology with one VPC (its first CIDR is the primary one).
func newLab(t testing.TB, cidrs ...string) *lab {
	t.Helper()
	v := &model.VPC{ID: vpcID, Name: "lab"}
	for _, c := range cidrs {
		v.CIDRs = append(v.CIDRs, netip.MustParsePrefix(c))
	}
	clock := &engine.ManualClock{T: t0}
	return &lab{t: t, topo: &model.Topology{VPCs: []*model.VPC{v}}, vpc: v, clock: clock,
		st: engine.NewState(clock, 1)}
}

// changed drops the compiled network; the next send recompiles (the State is kept, as when a
// user edits a live topology: conntrack and NAT mappings survive the change).
func (l *lab) changed() { l.net = nil }

// expectWarnings declares how many compile warnings the topology is meant to produce.
func (l *lab) expectWarnings(n int) *lab { l.warnings = n; l.changed(); return l }

// build applies AWS's defaults and compiles; unexpected warnings fail the test.
func (l *lab) build() *engine.Network {
	l.t.Helper()
	if l.net != nil {
		return l.net
	}
	model.ApplyDefaults(l.topo)
	n, probs := engine.Compile(l.topo)
	if len(probs) != l.warnings {
		l.t.Fatalf("Compile: %d problems, want %d:\n%v", len(probs), l.warnings, probs)
	}
	l.net = n
	return n
}

func (l *lab) subnet(name, cidr string) *model.Subnet {
	s := &model.Subnet{ID: model.SubnetID("subnet-" + name), VPC: vpcID, Name: name,
		CIDR: netip.MustParsePrefix(cidr), AvailabilityZone: "us-east-1a"}
	l.topo.Subnets = append(l.topo.Subnets, s)
	l.changed()
	return s
}

// rt adds a custom route table (ApplyDefaults adds its local routes).
func (l *lab) rt(name string, routes ...model.Route) *model.RouteTable {
	r := &model.RouteTable{ID: model.RouteTableID("rtb-" + name), VPC: vpcID, Name: name, Routes: routes}
	l.topo.RouteTables = append(l.topo.RouteTables, r)
	l.changed()
	return r
}

func (l *lab) table(name string) *model.RouteTable {
	for _, r := range l.topo.RouteTables {
		if r.ID == model.RouteTableID("rtb-"+name) {
			return r
		}
	}
	l.t.Fatalf("no route table rtb-%s", name)
	return nil
}

// assoc associates subnets with a route table explicitly (§1.1.3).
func (l *lab) assoc(rtName string, subnets ...string) {
	r := l.table(rtName)
	for _, s := range subnets {
		r.Subnets = append(r.Subnets, model.SubnetID("subnet-"+s))
	}
	l.changed()
}

// main makes a table the VPC's main route table, replacing the previous one (§1.1.1).
func (l *lab) main(rtName string) {
	for _, r := range l.topo.RouteTables {
		r.Main = r.ID == model.RouteTableID("rtb-"+rtName)
	}
	l.changed()
}

// route makes a static route. The target kind follows from the ID prefix; a destination
// starting with pl- is a prefix list.
func route(dst, target string) model.Route {
	r := model.Route{Origin: model.OriginCreateRoute, State: model.RouteActive, Target: targetOf(target)}
	if strings.HasPrefix(dst, "pl-") {
		r.DestinationPrefixList = model.PrefixListID(dst)
	} else {
		r.Destination = netip.MustParsePrefix(dst).Masked()
	}
	return r
}

func targetOf(id string) model.Target {
	kinds := []struct {
		prefix string
		kind   model.TargetKind
	}{{"local", model.TargetLocal}, {"igw-", model.TargetInternetGateway}, {"nat-", model.TargetNATGateway},
		{"eni-", model.TargetNetworkInterface}, {"i-", model.TargetInstance}, {"vgw-", model.TargetVPNGateway},
		{"tgw-", model.TargetTransitGateway}, {"pcx-", model.TargetPeering}, {"vpce-", model.TargetVPCEndpoint},
		{"eigw-", model.TargetEgressOnlyInternetGateway}}
	for _, k := range kinds {
		if strings.HasPrefix(id, k.prefix) {
			return model.Target{Kind: k.kind, ID: id}
		}
	}
	return model.Target{Kind: model.TargetOther, ID: id}
}

// blackhole marks a route's target as gone (§1.2.6).
func blackhole(r model.Route) model.Route { r.State = model.RouteBlackhole; return r }

// propagated marks a route as propagated from a VGW (§1.4.1).
func propagated(r model.Route) model.Route {
	r.Origin = model.OriginEnableVgwRoutePropagation
	return r
}

// igw attaches the lab's internet gateway.
func (l *lab) igw() *model.InternetGateway {
	g := &model.InternetGateway{ID: igwID, VPC: vpcID, Name: "igw"}
	l.topo.InternetGateways = append(l.topo.InternetGateways, g)
	l.changed()
	return g
}

// nat adds a NAT gateway in a subnet: public when eip is set, private otherwise.
func (l *lab) nat(name, subnet, privateIP, eip string) *model.NATGateway {
	g := &model.NATGateway{ID: model.NATGatewayID("nat-" + name), VPC: vpcID, Subnet: model.SubnetID("subnet-" + subnet),
		Connectivity: model.ConnectivityPrivate, State: "available", Name: name}
	a := model.NATGatewayAddress{PrivateIP: netip.MustParseAddr(privateIP), Primary: true}
	if eip != "" {
		g.Connectivity = model.ConnectivityPublic
		a.PublicIP = netip.MustParseAddr(eip)
		a.AllocationID = model.AllocationID("eipalloc-" + name)
	}
	g.Addresses = []model.NATGatewayAddress{a}
	l.topo.NATGateways = append(l.topo.NATGateways, g)
	l.changed()
	return g
}

// instance adds an instance with one ENI (source/dest check on) in a subnet. With no security
// groups named, ApplyDefaults gives it the VPC's default group, as EC2 does.
func (l *lab) instance(name, subnet, ip string, sgs ...string) *model.NetworkInterface {
	e := &model.NetworkInterface{ID: model.ENIID("eni-" + name), VPC: vpcID, Subnet: model.SubnetID("subnet-" + subnet),
		PrivateIPs: []model.PrivateIP{{Addr: netip.MustParseAddr(ip), Primary: true}}, SourceDestCheck: true,
		Instance: model.InstanceID("i-" + name), Name: name}
	for _, g := range sgs {
		e.SecurityGroups = append(e.SecurityGroups, model.SecurityGroupID("sg-"+g))
	}
	l.topo.NetworkInterfaces = append(l.topo.NetworkInterfaces, e)
	l.topo.Instances = append(l.topo.Instances, &model.Instance{ID: model.InstanceID("i-" + name), Name: name,
		ENIs: []model.ENIID{e.ID}, State: "running"})
	l.changed()
	return e
}

func (l *lab) eni(name string) *model.NetworkInterface {
	id := model.ENIID("eni-" + name)
	for _, e := range l.topo.NetworkInterfaces {
		if e.ID == id {
			return e
		}
	}
	l.t.Fatalf("no ENI %s", id)
	return nil
}

// publicIP maps a public IPv4 to the instance's primary private IP (§3.1).
func (l *lab) publicIP(name, pub string) {
	l.eni(name).PrivateIPs[0].PublicIP = netip.MustParseAddr(pub)
	l.changed()
}

// secondaryIP adds a secondary private IP to the instance's ENI (§6.1).
func (l *lab) secondaryIP(name, ip string) {
	e := l.eni(name)
	e.PrivateIPs = append(e.PrivateIPs, model.PrivateIP{Addr: netip.MustParseAddr(ip)})
	l.changed()
}

// appliance disables the source/destination check of the instance's ENI (§6.2).
func (l *lab) appliance(name string) {
	l.eni(name).SourceDestCheck = false
	l.changed()
}

// sgB builds a security group rule by rule.
type sgB struct {
	l *lab
	g *model.SecurityGroup
}

// sg adds a security group as AWS creates one (§4.1.2): no inbound rules, one outbound rule
// allowing everything to 0.0.0.0/0.
func (l *lab) sg(name string) *sgB {
	id := model.SecurityGroupID("sg-" + name)
	g := &model.SecurityGroup{ID: id, VPC: vpcID, Name: name,
		Egress: []model.SecurityGroupRule{{ID: "sgr-" + name + "-out-default", Protocol: model.ProtocolAll,
			FromPort: -1, ToPort: -1, CIDR: netip.MustParsePrefix("0.0.0.0/0")}}}
	l.topo.SecurityGroups = append(l.topo.SecurityGroups, g)
	l.changed()
	return &sgB{l: l, g: g}
}

// group returns the builder of an existing security group sg-name.
func (l *lab) group(name string) *sgB {
	for _, g := range l.topo.SecurityGroups {
		if g.ID == model.SecurityGroupID("sg-"+name) {
			return &sgB{l: l, g: g}
		}
	}
	l.t.Fatalf("no security group sg-%s", name)
	return nil
}

// noIngress removes every inbound rule.
func (b *sgB) noIngress() *sgB { b.g.Ingress = nil; b.l.changed(); return b }

// noEgress removes every outbound rule.
func (b *sgB) noEgress() *sgB { b.g.Egress = nil; b.l.changed(); return b }

// in adds an inbound rule. proto is tcp, udp, icmp, all or a number; from/to are ports, or
// ICMP type/code; peer is a CIDR, sg-name or pl-id.
func (b *sgB) in(proto string, from, to int, peer string) *sgB {
	b.g.Ingress = append(b.g.Ingress, sgRule(fmt.Sprintf("sgr-%s-in-%d", b.g.Name, len(b.g.Ingress)), proto, from, to, peer))
	b.l.changed()
	return b
}

func (b *sgB) out(proto string, from, to int, peer string) *sgB {
	b.g.Egress = append(b.g.Egress, sgRule(fmt.Sprintf("sgr-%s-out-%d", b.g.Name, len(b.g.Egress)), proto, from, to, peer))
	b.l.changed()
	return b
}

func sgRule(id, proto string, from, to int, peer string) model.SecurityGroupRule {
	r := model.SecurityGroupRule{ID: id, Protocol: protoNum(proto), FromPort: from, ToPort: to}
	switch {
	case strings.HasPrefix(peer, "sg-"):
		r.Group = model.SecurityGroupID(peer)
	case strings.HasPrefix(peer, "pl-"):
		r.PrefixList = model.PrefixListID(peer)
	default:
		r.CIDR = netip.MustParsePrefix(peer).Masked()
	}
	return r
}

func protoNum(p string) int {
	switch p {
	case "tcp":
		return model.ProtocolTCP
	case "udp":
		return model.ProtocolUDP
	case "icmp":
		return model.ProtocolICMP
	case "all", "-1":
		return model.ProtocolAll
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		panic("bad protocol " + p)
	}
	return n
}

// aclB builds a custom network ACL entry by entry.
type aclB struct {
	l *lab
	a *model.NetworkACL
}

// acl adds a custom network ACL associated with the subnets. Like a new AWS NACL it has only
// the "*" deny rules (§5.2) until entries are added.
func (l *lab) acl(name string, subnets ...string) *aclB {
	a := &model.NetworkACL{ID: model.NetworkACLID("acl-" + name), VPC: vpcID, Name: name}
	for _, s := range subnets {
		a.Subnets = append(a.Subnets, model.SubnetID("subnet-"+s))
	}
	l.topo.NetworkACLs = append(l.topo.NetworkACLs, a)
	l.changed()
	return &aclB{l: l, a: a}
}

// entry adds a rule; ports is from,to for TCP/UDP or type,code for ICMP (none: all).
func (b *aclB) entry(num int, egress, allow bool, proto, cidr string, ports ...int) *aclB {
	e := model.NetworkACLEntry{RuleNumber: num, Egress: egress, Allow: allow, Protocol: protoNum(proto),
		CIDR: netip.MustParsePrefix(cidr).Masked(), ICMPType: -1, ICMPCode: -1}
	if len(ports) == 2 {
		if e.Protocol == model.ProtocolICMP {
			e.ICMPType, e.ICMPCode = ports[0], ports[1]
		} else {
			e.FromPort, e.ToPort = ports[0], ports[1]
		}
	}
	b.a.Entries = append(b.a.Entries, e)
	b.l.changed()
	return b
}

func (b *aclB) allowIn(num int, proto, cidr string, ports ...int) *aclB {
	return b.entry(num, false, true, proto, cidr, ports...)
}
func (b *aclB) denyIn(num int, proto, cidr string, ports ...int) *aclB {
	return b.entry(num, false, false, proto, cidr, ports...)
}
func (b *aclB) allowOut(num int, proto, cidr string, ports ...int) *aclB {
	return b.entry(num, true, true, proto, cidr, ports...)
}
func (b *aclB) denyOut(num int, proto, cidr string, ports ...int) *aclB {
	return b.entry(num, true, false, proto, cidr, ports...)
}

// allowAll adds rule 100 allowing everything both ways, like the default NACL.
func (b *aclB) allowAll() *aclB {
	return b.allowIn(100, "all", "0.0.0.0/0").allowOut(100, "all", "0.0.0.0/0")
}

// vgw attaches the lab's virtual private gateway.
func (l *lab) vgw() *model.VPNGateway {
	g := &model.VPNGateway{ID: vgwID, VPC: vpcID, ASN: 64512, Name: "vgw"}
	l.topo.VPNGateways = append(l.topo.VPNGateways, g)
	l.changed()
	return g
}

// vpn adds a Site-to-Site VPN on the lab's VGW with static routes (§7.3.2).
func (l *lab) vpn(name string, static ...string) *model.VPNConnection {
	c := &model.VPNConnection{ID: model.VPNConnectionID("vpn-" + name), VPNGateway: vgwID, State: "available", Name: name}
	for _, s := range static {
		c.StaticRoutes = append(c.StaticRoutes, netip.MustParsePrefix(s))
	}
	l.topo.VPNConnections = append(l.topo.VPNConnections, c)
	l.changed()
	return c
}

// onPrem declares a network beyond the lab's VGW.
func (l *lab) onPrem(name string, cidrs ...string) *model.OnPremNetwork {
	o := &model.OnPremNetwork{Name: name, VPNGateway: vgwID}
	for _, c := range cidrs {
		o.CIDRs = append(o.CIDRs, netip.MustParsePrefix(c))
	}
	l.topo.OnPremises = append(l.topo.OnPremises, o)
	l.changed()
	return o
}

func (l *lab) prefixList(id string, cidrs ...string) *model.PrefixList {
	p := &model.PrefixList{ID: model.PrefixListID(id), Name: id}
	for _, c := range cidrs {
		p.CIDRs = append(p.CIDRs, netip.MustParsePrefix(c))
	}
	l.topo.PrefixLists = append(l.topo.PrefixLists, p)
	l.changed()
	return p
}

// at names where a packet enters: an instance name (its ENI), "internet" or "vgw".
func at(from string) engine.Location {
	switch from {
	case "internet":
		return engine.AtInternet()
	case "vgw":
		return engine.AtVPNGateway(vgwID)
	}
	return engine.AtENI(eniID(from))
}

func eniID(name string) model.ENIID {
	if strings.HasPrefix(name, "eni-") {
		return model.ENIID(name)
	}
	return model.ENIID("eni-" + name)
}

func (l *lab) send(from string, p pkt) *engine.Result {
	l.t.Helper()
	return l.build().Send(l.st, at(from), packet.Packet(p))
}

func (l *lab) sendOpt(from string, p pkt, opt engine.Options) *engine.Result {
	l.t.Helper()
	return l.build().SendWith(l.st, at(from), packet.Packet(p), opt)
}

// advance moves the lab's clock.
func (l *lab) advance(d time.Duration) { l.clock.Advance(d) }

// pkt is a packet under construction.
type pkt packet.Packet

func addrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// tcp is a TCP SYN from src to dst ("ip:port"), TTL 255 (Amazon Linux 2, §6.7).
func tcp(src, dst string) pkt {
	s, d := addrPort(src), addrPort(dst)
	return pkt{Src: s.Addr(), Dst: d.Addr(), SrcPort: s.Port(), DstPort: d.Port(), Proto: packet.ProtoTCP,
		TTL: 255, TCPFlags: packet.TCPSyn, Seq: 1000}
}

func udp(src, dst string) pkt {
	s, d := addrPort(src), addrPort(dst)
	return pkt{Src: s.Addr(), Dst: d.Addr(), SrcPort: s.Port(), DstPort: d.Port(), Proto: packet.ProtoUDP, TTL: 255}
}

func icmpEcho(src, dst string, id, seq uint16) pkt {
	return pkt{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: packet.ProtoICMP, TTL: 255,
		ICMPType: packet.ICMPEchoRequest, ICMPID: id, ICMPSeq: seq}
}

func icmpEchoReply(src, dst string, id, seq uint16) pkt {
	p := icmpEcho(src, dst, id, seq)
	p.ICMPType = packet.ICMPEchoReply
	return p
}

// icmpError is an ICMP error from src about the packet quoted (sent to quoted's source).
func icmpError(src string, typ, code uint8, quoted packet.Packet) pkt {
	return pkt{Src: netip.MustParseAddr(src), Dst: quoted.Src, Proto: packet.ProtoICMP, TTL: 255,
		ICMPType: typ, ICMPCode: code, Inner: quoted.Quote()}
}

// rawProto is a packet of any IP protocol number (ESP is 50, GRE 47).
func rawProto(proto uint8, src, dst string) pkt {
	return pkt{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: proto, TTL: 255}
}

func (p pkt) ttl(n uint8) pkt         { p.TTL = n; return p }
func (p pkt) flags(f uint8) pkt       { p.TCPFlags = f; return p }
func (p pkt) fragment(off uint16) pkt { p.MF = true; p.FragOff = off; return p }

// reply swaps source and destination (and ports): the answer to p. A TCP reply is SYN+ACK
// when p is a SYN, else ACK.
func (p pkt) reply() pkt {
	q := p
	q.Src, q.Dst, q.SrcPort, q.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
	q.TTL = 255
	switch {
	case p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPSyn != 0:
		q.TCPFlags = packet.TCPSyn | packet.TCPAck
	case p.Proto == packet.ProtoTCP:
		q.TCPFlags = packet.TCPAck
	case p.Proto == packet.ProtoICMP && p.ICMPType == packet.ICMPEchoRequest:
		q.ICMPType = packet.ICMPEchoReply
	}
	return q
}

// replyTo is the answer to a delivered packet, as the receiver sends it.
func replyTo(r *engine.Result) pkt { return pkt(r.Packet).reply() }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// Assertions.

var kindAlias = map[string]engine.Kind{
	"i": engine.KindInstance, "eni": engine.KindENI, "sg": engine.KindSecurityGroup,
	"acl": engine.KindNetworkACL, "rtb": engine.KindRouteTable, "nat": engine.KindNATGateway,
	"igw": engine.KindInternetGateway, "vgw": engine.KindVPNGateway, "internet": engine.KindInternet,
	"onprem": engine.KindOnPremises, "subnet": engine.KindSubnet, "vpc": engine.KindVPC,
	"pcx": engine.KindVPCPeering, "tgw": engine.KindTransitGateway, "attach": engine.KindTransitGatewayAttachment,
	"tgw-rtb": engine.KindTransitGatewayRouteTable, "dxgw": engine.KindDXGateway, "vif": engine.KindVirtualInterface,
	"vpce": engine.KindVPCEndpoint, "svc": engine.KindAWSService, "fw": engine.KindNetworkFirewall,
	"gwlbe": engine.KindGWLBEndpoint, "gwlb": engine.KindGatewayLoadBalancer, "elb": engine.KindLoadBalancer,
}

// kindOf reads a kind by its alias or its name ("transit-gateway").
func kindOf(s string) engine.Kind {
	if k, ok := kindAlias[s]; ok {
		return k
	}
	for k := engine.KindInstance; k <= engine.KindLoadBalancer; k++ {
		if k.String() == s {
			return k
		}
	}
	panic("unknown component kind " + s)
}

// describe prints a result for failure messages.
func describe(r *engine.Result) string {
	if r == nil {
		return "<nil result>"
	}
	var b strings.Builder
	for i, h := range r.Hops {
		fmt.Fprintf(&b, "  %2d %-18s %-28s %-9s %-8s in=[%v]", i, h.Component.Kind, h.Component.ID, h.Action, h.Direction, h.In)
		if h.Out().String() != h.In.String() {
			fmt.Fprintf(&b, " out=[%v]", h.Out())
		}
		if h.Route != nil {
			fmt.Fprintf(&b, " route=%s->%s(%s,%s)", h.Route.Destination, h.Route.Target, h.Route.Origin, h.Route.State)
		}
		if h.ACLRule != nil {
			fmt.Fprintf(&b, " acl-rule=%d allow=%v", h.ACLRule.RuleNumber, h.ACLRule.Allow)
		}
		if h.SGRule != nil {
			fmt.Fprintf(&b, " sg-rule=%s/%s", h.SGRule.GroupID, h.SGRule.RuleID)
		}
		if h.Note != "" {
			fmt.Fprintf(&b, " note=%q", h.Note)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  => %s", r.Outcome)
	switch r.Outcome {
	case engine.Delivered:
		fmt.Fprintf(&b, " to %s", r.ENI)
	case engine.Exited:
		fmt.Fprintf(&b, " via %s to %s", r.Exit.Gateway.ID, r.Exit.To.Kind)
	case engine.Dropped:
		fmt.Fprintf(&b, " %s at %s %s: %s", r.Code, r.At.Kind, r.At.ID, r.Detail)
	}
	fmt.Fprintf(&b, " packet=[%v]", r.Packet)
	for _, bl := range r.Blockers {
		fmt.Fprintf(&b, "\n  blocker %s at %s (hop %d): %s", bl.Code, bl.At.ID, bl.Hop, bl.Detail)
	}
	if r.Generated != nil {
		fmt.Fprintf(&b, "\n  generated:\n%s", indent(describe(r.Generated)))
	}
	return b.String()
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

func wantDelivered(t testing.TB, r *engine.Result, eni string) {
	t.Helper()
	if r.Outcome != engine.Delivered || r.ENI != eniID(eni) {
		t.Fatalf("want delivered to %s, got:\n%s", eniID(eni), describe(r))
	}
}

// wantDropped checks the explanation code and the kind of the component that dropped it.
func wantDropped(t testing.TB, r *engine.Result, code, kind string) {
	t.Helper()
	if r.Outcome != engine.Dropped || r.Code != code || r.At.Kind != kindOf(kind) {
		t.Fatalf("want dropped with %s at a %s, got:\n%s", code, kindOf(kind), describe(r))
	}
}

// wantDroppedAt also checks the dropping component's ID.
func wantDroppedAt(t testing.TB, r *engine.Result, code, id string) {
	t.Helper()
	if r.Outcome != engine.Dropped || r.Code != code || r.At.ID != id {
		t.Fatalf("want dropped with %s at %s, got:\n%s", code, id, describe(r))
	}
}

// wantExited checks the packet left through the gateway (igw-lab, vgw-lab) towards kind.
func wantExited(t testing.TB, r *engine.Result, gateway, to string) {
	t.Helper()
	if r.Outcome != engine.Exited || r.Exit.Gateway.ID != gateway || r.Exit.To.Kind != kindOf(to) {
		t.Fatalf("want exited via %s to %s, got:\n%s", gateway, kindOf(to), describe(r))
	}
}

// wantPath compares the hops with steps "kind:action" (kind may be an alias: i, eni, sg, acl,
// rtb, nat, igw, vgw, internet, onprem), optionally "kind:action:direction".
func wantPath(t testing.TB, r *engine.Result, steps ...string) {
	t.Helper()
	got := pathOf(r)
	want := make([]string, len(steps))
	for i, s := range steps {
		parts := strings.SplitN(s, ":", 2)
		want[i] = kindOf(parts[0]).String()
		if len(parts) == 2 {
			want[i] += ":" + parts[1]
		}
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g := got[i]
		if strings.Count(want[i], ":") < 2 { // no direction asked for
			if j := strings.LastIndex(g, ":"); strings.Count(g, ":") == 2 {
				g = g[:j]
			}
		}
		ok = g == want[i]
	}
	if !ok {
		t.Fatalf("path:\n got  %s\n want %s\n%s", strings.Join(got, " "), strings.Join(want, " "), describe(r))
	}
}

func pathOf(r *engine.Result) []string {
	var out []string
	for _, h := range r.Hops {
		s := h.Component.Kind.String() + ":" + h.Action.String()
		if h.Direction != engine.NoDirection {
			s += ":" + h.Direction.String()
		}
		out = append(out, s)
	}
	return out
}

// hops returns the hops of one component kind, in path order.
func hops(r *engine.Result, kind string) []engine.Hop {
	var out []engine.Hop
	for _, h := range r.Hops {
		if h.Component.Kind == kindOf(kind) {
			out = append(out, h)
		}
	}
	return out
}

// hop returns the only hop of a kind, failing if there is not exactly one.
func hop(t testing.TB, r *engine.Result, kind string) engine.Hop {
	t.Helper()
	hs := hops(r, kind)
	if len(hs) != 1 {
		t.Fatalf("want exactly one %s hop, got %d:\n%s", kindOf(kind), len(hs), describe(r))
	}
	return hs[0]
}

// hopByID returns the first hop of the component with this ID.
func hopByID(t testing.TB, r *engine.Result, id string) engine.Hop {
	t.Helper()
	for _, h := range r.Hops {
		if h.Component.ID == id {
			return h
		}
	}
	t.Fatalf("no hop at %s:\n%s", id, describe(r))
	return engine.Hop{}
}

// lastHop is the last hop of the path: the one that dropped the packet, if it was dropped.
func lastHop(t testing.TB, r *engine.Result) engine.Hop {
	t.Helper()
	if len(r.Hops) == 0 {
		t.Fatalf("no hops")
	}
	return r.Hops[len(r.Hops)-1]
}

// routeUsed returns the route of the i-th route table hop ("dst -> target").
func routeUsed(t testing.TB, r *engine.Result, i int) string {
	t.Helper()
	hs := hops(r, "rtb")
	if i >= len(hs) || hs[i].Route == nil {
		t.Fatalf("no route table hop %d with a route:\n%s", i, describe(r))
	}
	return hs[i].Route.Destination + " -> " + hs[i].Route.Target.ID
}

func wantEq[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
