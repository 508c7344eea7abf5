package engine

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/nfw"
	"github.com/vpclab/vpclab/internal/packet"
)

// Clock is the engine's only source of time.
type Clock interface{ Now() time.Time }

// ManualClock is a Clock that moves only when told to: simulations and tests use it so every
// run gives byte-identical output.
type ManualClock struct{ T time.Time }

func (c *ManualClock) Now() time.Time          { return c.T }
func (c *ManualClock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// State is what changes while packets flow: security group connection tracking (§4.2),
// NAT gateway mappings (§2.2) and stateful appliances' flows, and the working memory sends
// reuse. It is not safe for concurrent use: give each goroutine its own, or serialise access
// (the live dataplane owns one).
type State struct {
	clock Clock
	rng   *rand.Rand
	flows map[flowKey]flowEntry
	nat   map[natKey]*natEntry
	natRv map[natRevKey]*natEntry
	// natUse counts mappings per NAT address and destination (§2.2.4: 55,000 each).
	natUse map[natDest]int
	// natIdle holds flows whose mapping timed out: for TCP, every further packet but a SYN
	// gets a RST (§2.2.8) until a new mapping is made.
	natIdle map[natKey]struct{}
	// appl is the connection tracking of stateful appliances' OSes: flows they saw start (nil
	// until one does).
	appl map[applKey]time.Time
	// tgwAZ is the Availability Zone a transit gateway chose for a flow through an attachment
	// in appliance mode, used both ways for the flow's life (§7.2.13; nil until one is).
	tgwAZ map[tgwFlowKey]tgwChoice
	// gwlb is the Gateway Load Balancers' flow table and gwlbIdle the TCP flows whose entry
	// idled out, until a SYN starts them again (§13.7; gwlb.go; nil until used).
	gwlb     map[gwlbFlowKey]*gwlbFlow
	gwlbIdle map[gwlbFlowKey]struct{}
	// lbFwd and lbRev are the Application and Network Load Balancers' flows, by the client's
	// side and by the target's reply (lb.go; nil until used).
	lbFwd, lbRev map[lbTuple]*lbFlow
	// nfw is the Network Firewall stateful engine's flows, per endpoint (nfw.go; nil until
	// a packet reaches one).
	nfw map[nfwKey]nfw.Flow
	// evs are the evaluations sends reuse, one per level of nesting (depth in use): each
	// would otherwise be garbage after every send (record.go). Sends on one state never run
	// at once, so one set is enough.
	evs   []*ev
	depth int
}

type tgwFlowKey struct {
	tgw  model.TransitGatewayID
	att  model.TGWAttachmentID
	flow applKey
}

type tgwChoice struct {
	az   string
	last time.Time
}

// tgwApplianceIdle is how long a transit gateway keeps an appliance-mode flow's choice:
// [UNCERTAIN] 350 s (§7.2.13, §18.4).
const tgwApplianceIdle = 350 * time.Second

// tgwApplianceAZ is the zone for a flow through an attachment in appliance mode: the one chosen
// for either direction of the flow before, while it has not idled out, else choose's.
func (s *State) tgwApplianceAZ(tgw model.TransitGatewayID, att model.TGWAttachmentID, p *packet.Packet, choose func() string) string {
	now := s.clock.Now()
	if p.IsICMPError() && p.Inner != nil {
		p = p.Inner // an ICMP error takes the zone of the flow it is about
	}
	k := tgwFlowKey{tgw: tgw, att: att, flow: applKeyOf("", p)}
	if c, ok := s.tgwAZ[k]; ok && now.Sub(c.last) <= tgwApplianceIdle {
		s.tgwAZ[k] = tgwChoice{c.az, now}
		return c.az
	}
	if s.tgwAZ == nil {
		s.tgwAZ = map[tgwFlowKey]tgwChoice{}
	}
	az := choose()
	s.tgwAZ[k] = tgwChoice{az, now}
	return az
}

// NewState makes an empty state with an injected clock and PRNG seed (NAT port choice).
func NewState(clock Clock, seed uint64) *State {
	return &State{
		clock:   clock,
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		flows:   map[flowKey]flowEntry{},
		nat:     map[natKey]*natEntry{},
		natRv:   map[natRevKey]*natEntry{},
		natUse:  map[natDest]int{},
		natIdle: map[natKey]struct{}{},
	}
}

// Connection tracking timeouts (§4.2.5, §4.2.1). ICMP's is not documented: 30 s [INF].
const (
	tcpEstablishedTimeout = 432000 * time.Second
	udpTimeout            = 30 * time.Second
	udpStreamTimeout      = 180 * time.Second
	icmpTimeout           = 30 * time.Second
	otherTimeout          = 600 * time.Second
	// natIdleTimeout is the NAT gateway's idle timeout (§2.2.8); [UNCERTAIN] for UDP and ICMP,
	// our default applies it to every protocol.
	natIdleTimeout = 350 * time.Second
)

// flowKey identifies a flow as seen at one ENI: local is the ENI's side. The ENI is its flow
// ID (flowid.go): a number, the same in every compile of the ENI's ID.
type flowKey struct {
	eni           uint64
	proto         uint8
	icmp          uint16 // ICMP conversation (icmpClass); 0 for other protocols
	local, remote netip.Addr
	lport, rport  uint16
}

type flowEntry struct {
	last      time.Time
	outbound  bool  // the flow's first packet left the ENI
	lastReply bool  // the latest packet went the reply way
	exchanges uint8 // request-response exchanges seen, up to 2 (UDP stream timeout, §4.2.5)
}

// flowOf returns the key of p at an ENI; egress means p leaves the ENI. ICMP is keyed by echo
// identifier and type (§4.2.1); other protocols by address pair and protocol.
func flowOf(eni *cENI, p *packet.Packet, egress bool) flowKey {
	k := flowKey{eni: eni.flow, proto: p.Proto}
	var sport, dport uint16
	switch {
	case p.HasPorts():
		sport, dport = p.SrcPort, p.DstPort
	case p.Proto == packet.ProtoICMP:
		sport, dport = p.ICMPID, p.ICMPID
		k.icmp = icmpClass(p, egress)
	}
	if egress {
		k.local, k.remote, k.lport, k.rport = p.Src, p.Dst, sport, dport
	} else {
		k.local, k.remote, k.lport, k.rport = p.Dst, p.Src, dport, sport
	}
	return k
}

// icmpClass keeps ICMP conversations apart: an echo request and its reply share the class of
// the side that asked (a request the other way is a new conversation); other types are each
// their own class.
func icmpClass(p *packet.Packet, egress bool) uint16 {
	switch p.ICMPType {
	case packet.ICMPEchoRequest, packet.ICMPEchoReply:
		if (p.ICMPType == packet.ICMPEchoRequest) == egress {
			return 1 // the local side asked
		}
		return 2
	}
	return 0x100 | uint16(p.ICMPType)
}

func timeoutOf(proto uint8, stream bool) time.Duration {
	switch proto {
	case packet.ProtoTCP:
		return tcpEstablishedTimeout
	case packet.ProtoUDP:
		if stream {
			return udpStreamTimeout
		}
		return udpTimeout
	case packet.ProtoICMP:
		return icmpTimeout
	}
	return otherTimeout
}

// tracked reports whether p (leaving the ENI when egress) belongs to a live tracked flow at the
// ENI, refreshing it. §4.2.5: a UDP flow is a stream once it has seen more than one
// request-response exchange; one-way traffic or a single exchange keeps the short timeout.
func (s *State) tracked(k flowKey, egress bool) bool {
	e, ok := s.flows[k]
	if !ok {
		return false
	}
	now := s.clock.Now()
	if now.Sub(e.last) > timeoutOf(k.proto, e.exchanges >= 2) {
		delete(s.flows, k)
		return false
	}
	reply := egress != e.outbound
	if reply && !e.lastReply && e.exchanges < 2 {
		e.exchanges++
	}
	e.last, e.lastReply = now, reply
	s.flows[k] = e
	return true
}

func (s *State) track(k flowKey, egress bool) {
	s.flows[k] = flowEntry{last: s.clock.Now(), outbound: egress}
}

// relatedTracked reports whether an ICMP error at an ENI quotes a packet of a flow the ENI
// tracks: arriving, it quotes a packet the ENI sent; leaving, one it received. Related errors
// pass like replies, both ways [INF, §4.2.1].
func (s *State) relatedTracked(eni *cENI, p *packet.Packet, egress bool) bool {
	if !p.IsICMPError() || p.Inner == nil {
		return false
	}
	return s.tracked(flowOf(eni, p.Inner, !egress), !egress)
}

// applKey identifies a flow at a stateful appliance whichever way it goes: the lower
// address and port first.
type applKey struct {
	host   model.InstanceID // the appliance's OS keeps one table, whichever interface a packet uses
	proto  uint8
	a, b   netip.Addr
	ap, bp uint16
}

func applKeyOf(host model.InstanceID, p *packet.Packet) applKey {
	var sp, dp uint16
	switch {
	case p.HasPorts():
		sp, dp = p.SrcPort, p.DstPort
	case p.Proto == packet.ProtoICMP:
		sp, dp = p.ICMPID, p.ICMPID
	}
	k := applKey{host: host, proto: p.Proto, a: p.Src, b: p.Dst, ap: sp, bp: dp}
	if c := k.b.Compare(k.a); c < 0 || c == 0 && k.bp < k.ap {
		k.a, k.b, k.ap, k.bp = k.b, k.a, k.bp, k.ap
	}
	return k
}

// applianceAdmits decides a packet at a stateful appliance: one that starts a flow opens it;
// any other must belong to a flow the appliance's OS saw start, either way and on any of its
// interfaces (an ICMP error, to the flow it quotes). Flows expire after the idle times of
// security group connections that have not become streams (§4.2.5): TCP 5 days, UDP and ICMP
// 30 s, other protocols 600 s.
func (s *State) applianceAdmits(host model.InstanceID, p *packet.Packet) bool {
	now := s.clock.Now()
	live := func(k applKey) bool {
		last, ok := s.appl[k]
		if ok && now.Sub(last) > timeoutOf(k.proto, false) {
			delete(s.appl, k)
			return false
		}
		return ok
	}
	if p.IsICMPError() && p.Inner != nil {
		return live(applKeyOf(host, p.Inner))
	}
	k := applKeyOf(host, p)
	if !live(k) && !p.OpensFlow() {
		return false
	}
	if s.appl == nil {
		s.appl = map[applKey]time.Time{} // made on first use: most labs have no stateful appliance
	}
	s.appl[k] = now
	return true
}

// NAT gateway mappings (§2.2): inside 5-tuple ↔ (NAT IP, NAT port).
type natKey struct {
	nat      model.NATGatewayID
	proto    uint8
	src, dst netip.Addr
	sport    uint16 // ICMP: echo identifier
	dport    uint16
}

type natRevKey struct {
	nat     model.NATGatewayID
	proto   uint8
	natIP   netip.Addr
	natPort uint16
	remote  netip.Addr
	rport   uint16
}

type natDest struct {
	natIP  netip.Addr
	proto  uint8
	remote netip.Addr
	rport  uint16
}

type natEntry struct {
	inside  natKey
	natIP   netip.Addr
	natPort uint16
	last    time.Time
}

func (e *natEntry) rev() natRevKey {
	return natRevKey{nat: e.inside.nat, proto: e.inside.proto, natIP: e.natIP, natPort: e.natPort,
		remote: e.inside.dst, rport: e.inside.dport}
}

func (s *State) natLookup(k natKey) (e *natEntry, expired bool) {
	e = s.nat[k]
	if e == nil {
		_, idle := s.natIdle[k]
		return nil, idle
	}
	if s.clock.Now().Sub(e.last) > natIdleTimeout {
		s.natDelete(e)
		s.natIdle[k] = struct{}{}
		return nil, true
	}
	e.last = s.clock.Now()
	return e, false
}

func (s *State) natReverse(k natRevKey) *natEntry {
	e := s.natRv[k]
	if e == nil {
		return nil
	}
	if s.clock.Now().Sub(e.last) > natIdleTimeout {
		s.natDelete(e)
		return nil
	}
	e.last = s.clock.Now()
	return e
}

func (s *State) natDelete(e *natEntry) {
	delete(s.nat, e.inside)
	delete(s.natRv, e.rev())
	d := natDest{natIP: e.natIP, proto: e.inside.proto, remote: e.inside.dst, rport: e.inside.dport}
	if s.natUse[d]--; s.natUse[d] <= 0 {
		delete(s.natUse, d)
	}
}

// The ports a NAT gateway maps sources to (§2.2.3); an answer comes back to one of them.
const NATPortLo, NATPortHi = 1024, 65535

// maxConnsPerDest is §2.2.4's 55,000 simultaneous connections per NAT address and destination.
const maxConnsPerDest = 55000

// natAllocate maps a new inside flow to one of the NAT gateway's addresses and a port in
// 1024-65535 (§2.2.3), chosen with the state's seeded PRNG. It returns nil when every address
// is at its limit for this destination (ErrorPortAllocation).
func (s *State) natAllocate(k natKey, addrs []netip.Addr) *natEntry {
	for _, ip := range addrs {
		d := natDest{natIP: ip, proto: k.proto, remote: k.dst, rport: k.dport}
		if s.natUse[d] >= maxConnsPerDest {
			continue
		}
		const lo, span = NATPortLo, NATPortHi + 1 - NATPortLo
		start := s.rng.IntN(span)
		for i := 0; i < span; i++ {
			port := uint16(lo + (start+i)%span)
			e := &natEntry{inside: k, natIP: ip, natPort: port, last: s.clock.Now()}
			if _, used := s.natRv[e.rev()]; used {
				continue
			}
			s.nat[k] = e
			delete(s.natIdle, k)
			s.natRv[e.rev()] = e
			s.natUse[d]++
			return e
		}
	}
	return nil
}

// Mappings returns how many NAT mappings and tracked flows the state holds (for tests and
// status output).
func (s *State) Mappings() (nat, flows int) { return len(s.nat), len(s.flows) }
