package engine_test

// FuzzSend injects random packets at random locations of a fixed small topology that holds
// every target the engine models (NAT gateways of both types, an appliance, an IGW with a
// gateway route table, a VGW, blackholes, loops) and checks that the engine never panics,
// never produces more than a bounded number of hops, always ends a journey one way, delivers
// only to ENIs that exist and hold the destination, and is deterministic.

import (
	"encoding/binary"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// maxHops bounds a journey, generated packets included: 32 forwarding steps (the engine's loop
// limit) of at most a dozen hops each, plus a generated ICMP error or RST.
const maxHops = 1000

func fuzzLab(t testing.TB) *lab {
	l := newLab(t, "10.0.0.0/16")
	for _, s := range [][2]string{{"a", "10.0.0.0/24"}, {"b", "10.0.1.0/24"}, {"m", "10.0.2.0/24"}, {"f", "10.0.3.0/24"}, {"p", "10.0.4.0/24"}} {
		l.subnet(s[0], s[1])
	}
	l.sg("open").in("all", -1, -1, "0.0.0.0/0")
	l.sg("web").in("tcp", 22, 22, "0.0.0.0/0").in("icmp", 8, -1, "0.0.0.0/0").in("udp", 33434, 33534, "10.0.0.0/16")
	l.sg("ref").noEgress().in("tcp", 80, 80, "sg-web").out("udp", 53, 53, "sg-open")
	l.instance("a", "a", "10.0.0.11")
	l.secondaryIP("a", "10.0.0.12")
	l.instance("b", "b", "10.0.1.55", "web", "ref")
	l.instance("fw", "f", "10.0.3.20", "open")
	l.appliance("fw")
	l.instance("p", "p", "10.0.4.40", "web")
	l.publicIP("p", "198.51.100.40")
	l.igw()
	l.nat("pub", "m", "10.0.2.10", "203.0.113.10")
	l.nat("priv", "f", "10.0.3.10", "")
	l.vgw()
	l.vpn("dc", "192.168.0.0/16")
	l.onPrem("branch", "172.20.0.0/16")
	l.acl("b", "b").denyIn(50, "tcp", "10.0.0.0/24", 22, 22).allowIn(100, "all", "0.0.0.0/0").
		allowOut(100, "tcp", "0.0.0.0/0", 1024, 65535).allowOut(110, "icmp", "0.0.0.0/0").allowOut(120, "udp", "0.0.0.0/0")
	l.rt("a", route("0.0.0.0/0", "nat-pub"), route("10.0.1.0/24", "eni-fw"), route("172.16.0.0/12", "nat-priv"),
		blackhole(route("198.18.0.0/15", "nat-gone")), route("100.64.0.0/10", "tgw-0123456789abcdef0"))
	l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID}
	l.rt("m", route("0.0.0.0/0", "igw-lab"), route("192.168.0.0/16", "vgw-lab"), route("10.0.1.0/24", "nat-pub"))
	l.rt("f", route("0.0.0.0/0", "nat-pub"), route("10.0.0.0/24", "eni-fw"), route("172.16.0.0/12", "igw-lab"))
	l.rt("b", route("0.0.0.0/0", "eni-fw"))
	l.rt("p", route("0.0.0.0/0", "igw-lab"))
	l.rt("edge", route("10.0.4.0/24", "eni-fw"))
	l.table("edge").Gateways = []string{string(igwID)}
	for _, s := range []string{"a", "m", "f", "b", "p"} {
		l.assoc(s, s)
	}
	l.build()
	return l
}

// fuzzAddrs are the addresses a selector byte picks from; selectors past the list read four
// raw bytes instead.
var fuzzAddrs = []string{
	"10.0.0.11", "10.0.0.12", "10.0.1.55", "10.0.3.20", "10.0.4.40", "10.0.2.10", "10.0.3.10",
	"10.0.0.1", "10.0.1.200", "198.51.100.40", "203.0.113.10", "8.8.8.8", "192.168.1.10",
	"172.20.0.9", "172.16.5.5", "198.18.0.1", "100.64.1.1", "10.9.9.9", "0.0.0.0", "255.255.255.255",
}

var fuzzLocs = []engine.Location{
	engine.AtENI("eni-a"), engine.AtENI("eni-b"), engine.AtENI("eni-fw"),
	engine.AtENI("eni-p"), engine.AtInternet(), engine.AtVPNGateway(vgwID),
	engine.AtENI("eni-nope"), engine.AtVPNGateway("vgw-nope"), {},
	engine.AtENI(model.ENIID(model.DeriveID("eni", "nat-pub/10.0.2.10"))),
}

// reader hands out input bytes, then zeros; addrs are the addresses a selector picks from.
type reader struct {
	b     []byte
	addrs []string
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) u16() uint16 { return uint16(r.byte())<<8 | uint16(r.byte()) }

func (r *reader) addr() netip.Addr {
	sel := int(r.byte())
	if sel < len(r.addrs)*8 {
		return netip.MustParseAddr(r.addrs[sel%len(r.addrs)])
	}
	return netip.AddrFrom4([4]byte{r.byte(), r.byte(), r.byte(), r.byte()})
}

var fuzzProtos = []uint8{packet.ProtoTCP, packet.ProtoUDP, packet.ProtoICMP, packet.ProtoICMP, 47, 50, 0, 255}

// packetFrom decodes one packet; prev (the last journey's packet) can be quoted by an ICMP error.
func (r *reader) packet(prev *packet.Packet) packet.Packet {
	p := packet.Packet{Src: r.addr(), Dst: r.addr(), Proto: fuzzProtos[r.byte()%8], TTL: r.byte()}
	flags := r.byte()
	p.MF = flags&1 != 0
	if flags&2 != 0 {
		p.FragOff = r.u16() & 0x1fff
	}
	p.DF = flags&4 != 0
	switch p.Proto {
	case packet.ProtoTCP, packet.ProtoUDP:
		p.SrcPort, p.DstPort = r.u16(), r.u16()
		p.TCPFlags, p.Seq = r.byte(), uint32(r.u16())
	case packet.ProtoICMP:
		p.ICMPType, p.ICMPCode, p.ICMPID, p.ICMPSeq = r.byte()%16, r.byte()%16, r.u16(), r.u16()
		if flags&8 != 0 {
			p.ICMPType = []uint8{packet.ICMPDestUnreachable, packet.ICMPTimeExceeded}[flags>>4&1]
			if prev != nil && flags&32 != 0 {
				p.Inner = prev.Quote()
			} else {
				in := r.packet(nil)
				p.Inner = in.Quote()
			}
		}
	}
	return p
}

// checkResult asserts the invariants of one journey (and of the packet it generated).
func checkResult(t *testing.T, n *engine.Network, topo *model.Topology, r *engine.Result, depth int) int {
	t.Helper()
	if r == nil {
		t.Fatal("nil result")
	}
	total := len(r.Hops)
	switch r.Outcome {
	case engine.Delivered:
		if _, ok := n.ENIComponent(r.ENI); !ok {
			t.Fatalf("delivered to %s, which is not in the topology:\n%s", r.ENI, describe(r))
		}
		holds := false
		if e := topo.ENI(r.ENI); e != nil {
			for _, ip := range e.PrivateIPs {
				holds = holds || ip.Addr == r.Packet.Dst
			}
		}
		if !holds {
			t.Fatalf("delivered to %s, which does not hold %s:\n%s", r.ENI, r.Packet.Dst, describe(r))
		}
	case engine.Exited:
		switch r.Exit.Gateway.Kind {
		case engine.KindInternetGateway, engine.KindVPNGateway, engine.KindDXGateway, engine.KindTransitGatewayAttachment, engine.KindVPCPeering, engine.KindVPCEndpoint:
		default:
			t.Fatalf("exited through a %q:\n%s", r.Exit.Gateway.Kind, describe(r))
		}
	case engine.Dropped:
		if r.Code == "" || r.At.Kind == 0 {
			t.Fatalf("dropped without a code or component:\n%s", describe(r))
		}
	default:
		t.Fatalf("journey without an outcome:\n%s", describe(r))
	}
	if r.Generated != nil {
		if depth > 3 {
			t.Fatalf("generated packets nest too deep:\n%s", describe(r))
		}
		total += checkResult(t, n, topo, r.Generated, depth+1)
	}
	if total > maxHops {
		t.Fatalf("%d hops:\n%s", total, describe(r))
	}
	return total
}

// runFuzz sends the packets the input describes on a fresh state and returns the journeys.
// skipHops sends them with Options.SkipHops.
func runFuzz(t *testing.T, l *lab, data []byte, skipHops bool) []*engine.Result {
	return runFuzzOn(t, fuzzNet{l.net, l.topo, fuzzLocs, fuzzAddrs}, data, skipHops, nil)
}

// fuzzNet is a compiled topology, the locations packets enter at and the addresses they use.
type fuzzNet struct {
	net   *engine.Network
	topo  *model.Topology
	locs  []engine.Location
	addrs []string
}

// With into set, every packet is sent into it (SendInto) and the journey kept is its Clone.
func runFuzzOn(t *testing.T, fn fuzzNet, data []byte, skipHops bool, into *engine.Result) []*engine.Result {
	clock := &engine.ManualClock{T: t0}
	st := engine.NewState(clock, binary.BigEndian.Uint64(append(append([]byte{}, data...), make([]byte, 8)...)[:8]))
	r := &reader{b: data, addrs: fn.addrs}
	var prev *packet.Packet
	var out []*engine.Result
	var seen []string // each journey as it was sent: later sends must not change it
	for i := 0; i < 6 && len(r.b) > 0; i++ {
		loc := fn.locs[int(r.byte())%len(fn.locs)]
		opt := engine.Options{ContinuePastBlocks: r.byte()&1 == 1, SkipHops: skipHops}
		p := r.packet(prev)
		var res *engine.Result
		if into != nil {
			fn.net.SendInto(st, loc, p, opt, into)
			if res = into.Clone(); describe(res) != describe(into) || !reflect.DeepEqual(res.End(), into.End()) {
				t.Fatalf("packet %d: the clone differs:\n%s\n---\n%s", i, describe(res), describe(into))
			}
		} else {
			res = fn.net.SendWith(st, loc, p, opt)
		}
		// Every journey ends somewhere, blocks lifted or not; without blockers, where it ends
		// is its outcome.
		if res.End().Outcome == 0 || len(res.Blockers) == 0 && (res.End().Outcome != res.Outcome || res.End().ENI != res.ENI) {
			t.Fatalf("end %v does not match the outcome:\n%s", res.End(), describe(res))
		}
		if !opt.ContinuePastBlocks {
			checkResult(t, fn.net, fn.topo, res, 0)
		} else if len(res.Hops) > maxHops {
			t.Fatalf("%d hops:\n%s", len(res.Hops), describe(res))
		}
		out = append(out, res)
		seen = append(seen, describe(res))
		last := res.Packet
		prev = &last
		clock.Advance(time.Duration(r.byte()) * 3 * time.Second)
	}
	for i, res := range out {
		if d := describe(res); d != seen[i] {
			t.Fatalf("packet %d: the journey changed when later packets were sent:\n%s\n---\n%s", i, seen[i], d)
		}
	}
	return out
}

func FuzzSend(f *testing.F) {
	l := fuzzLab(f)
	// Seeds: a TCP flow out through the NAT gateway and its reply, a ping through the
	// appliance, a traceroute probe with TTL 1, an ICMP error quoting the previous packet.
	f.Add([]byte{0, 0, 0, 11, 0, 64, 0, 0x9c, 0x40, 0x01, 0xbb, 0x02, 0, 1, 0})
	f.Add([]byte{0, 0, 0, 2, 2, 255, 0, 0, 0, 0, 7, 0, 1, 0, 4, 0, 10, 11, 0, 1, 0, 0, 0, 1, 0, 0x50, 0, 0x12, 0, 1, 120})
	f.Add([]byte{0, 0, 0, 2, 1, 1, 0, 0x9c, 0x40, 0x82, 0x9a, 0, 0, 0, 0, 1, 2, 0, 2, 255, 8 | 32, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{4, 0, 11, 9, 0, 64, 0, 0x9c, 0x40, 0, 22, 0x02, 0, 1, 0, 0, 1, 9, 11, 0, 64, 0, 0, 22, 0x9c, 0x40, 0x12, 0, 1, 0})
	f.Add([]byte{5, 1, 12, 2, 0, 200, 0, 0x9c, 0x40, 0, 80, 0x02, 0, 1, 130, 2, 0, 11, 6, 4, 64, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { sameEveryWay(t, fuzzNet{l.net, l.topo, fuzzLocs, fuzzAddrs}, data) })
}

// FuzzSendAcrossVPCs is FuzzSend on an estate of several VPCs joined by a transit gateway (two
// route tables, stateful appliances in an inspection VPC, VPN and DX gateway attachments) and
// peerings, with packets entering at every kind of location (§7.1, §7.2, §16).
func FuzzSendAcrossVPCs(f *testing.F) {
	x := inspection(f, false)
	x.vpc("c", "10.2.0.0/16")
	x.subnet("c", "c1", "10.2.1.0/24", "us-east-1a")
	x.host("c1", "c1", "10.2.1.10")
	x.peer("ac", "a", "c")
	x.routes("a1", route("10.2.0.0/16", "pcx-ac"))
	x.routes("c1", route("10.0.0.0/16", "pcx-ac"), route("0.0.0.0/0", "pcx-ac"))
	x.onPrem("192.168.0.0/16", "insp", "172.16.0.0/12", "spokes")
	x.propagate("insp", "dx", "vpn")
	x.tgwRoute("insp", "10.9.0.0/16", "")
	n := x.build()
	locs := []engine.Location{
		engine.AtENI("eni-a1"), engine.AtENI("eni-b2"), engine.AtENI("eni-c1"), engine.AtENI("eni-fwa"), engine.AtENI("eni-fwb"),
		{Kind: engine.FromTGWAttachment, ID: "tgw-attach-vpn"}, {Kind: engine.FromTGWAttachment, ID: "tgw-attach-dx"},
		{Kind: engine.FromTGWAttachment, ID: "tgw-attach-a"}, {Kind: engine.FromVPNConnection, ID: "vpn-1"},
		{Kind: engine.FromDXGateway, ID: "dxgw-1"}, {Kind: engine.FromPeering, ID: "pcx-ac"}, {Kind: engine.FromSubnet, ID: "subnet-ita"},
		{Kind: engine.FromTGWAttachment, ID: "tgw-attach-nope"}, {Kind: engine.FromDXGateway, ID: "nope"},
	}
	addrs := []string{"10.0.1.10", "10.1.2.10", "10.2.1.10", "10.9.11.10", "10.9.12.10", "10.0.1.5", "10.9.1.5",
		"192.168.1.5", "172.16.9.9", "10.0.0.2", "10.9.9.9", "8.8.8.8", "10.1.1.5", "10.2.0.2"}
	f.Add([]byte{0, 0, 0, 1, 0, 64, 0, 0x9c, 0x40, 0, 22, 0x02, 0, 1, 0, 1, 0, 8, 0, 0, 64, 0, 0x9c, 0x40, 0, 22, 0x02, 0, 1, 0})
	f.Add([]byte{9, 0, 7, 0, 0, 200, 4, 0x9c, 0x40, 0, 80, 0x02, 0, 1, 5, 10, 0, 2, 0, 2, 64, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 1, 2, 11, 2, 64, 0, 0, 0, 0, 7, 0, 1, 0, 4, 6, 0, 8, 1, 1, 255, 0, 0x9c, 0x40, 0, 53, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { sameEveryWay(t, fuzzNet{n, x.topo, locs, addrs}, data) })
}

// sameEveryWay runs the input twice, once without hops and once into one result reused for
// every packet: the journeys must agree. The reused result's clones are compared after every
// packet was sent into it, so a clone that shares storage with it shows.
func sameEveryWay(t *testing.T, fn fuzzNet, data []byte) {
	a := runFuzzOn(t, fn, data, false, nil)
	b := runFuzzOn(t, fn, data, false, nil)
	fast := runFuzzOn(t, fn, data, true, nil) // the live dataplane's way
	reused := runFuzzOn(t, fn, data, false, &engine.Result{})
	fastReused := runFuzzOn(t, fn, data, true, &engine.Result{})
	for i := range a {
		if da, db := describe(a[i]), describe(b[i]); da != db {
			t.Fatalf("packet %d: two runs of the same input differ:\n%s\n---\n%s", i, da, db)
		}
		if da, dr := describe(a[i]), describe(reused[i]); da != dr || !reflect.DeepEqual(a[i].End(), reused[i].End()) {
			t.Fatalf("packet %d: sending into a reused result changes the journey:\n%s\n---\n%s", i, da, dr)
		}
		if df, dr := describe(fast[i]), describe(fastReused[i]); df != dr || !reflect.DeepEqual(fast[i].End(), fastReused[i].End()) {
			t.Fatalf("packet %d: sending into a reused result without hops changes the journey:\n%s\n---\n%s", i, df, dr)
		}
		if da, df := describe(withoutHops(a[i])), describe(fast[i]); da != df {
			t.Fatalf("packet %d: SkipHops changes the journey:\n%s\n---\n%s", i, da, df)
		}
	}
}

// withoutHops is r as Options.SkipHops gives it: the same journey, without its hops.
func withoutHops(r *engine.Result) *engine.Result {
	if r == nil {
		return nil
	}
	c := *r
	c.Hops = nil
	c.Blockers = slices.Clone(r.Blockers)
	for i := range c.Blockers {
		c.Blockers[i].Hop = -1
	}
	c.Generated = withoutHops(r.Generated)
	return &c
}
