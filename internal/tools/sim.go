// Package tools drives the engine the way people probe a real VPC: ping, traceroute, a
// hop-by-hop trace in Reachability Analyzer's shape, and packet captures. Hosts (instances,
// hosts on the internet and on-premises) answer like a Linux stack: echo replies, ICMP port
// unreachable for UDP probes, SYN-ACK for TCP SYNs.
//
// Everything is simulated on an injected clock with a seeded PRNG, so the same topology and
// command give byte-identical output, latencies included.
package tools

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// SimEpoch is when every simulation starts: captures print times from here.
var SimEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Sim is one simulation run: the compiled network, its state, the clock and the captures.
type Sim struct {
	*Hosts
	Net   *engine.Network
	State *engine.State
	Clock *engine.ManualClock
	rng   *rand.Rand
	caps  map[model.ENIID]*Capture
	order []*Capture
	ipID  uint16
	// OnDrop is told of every journey that ended in a drop (frontends explain them).
	OnDrop func(*engine.Result)

	nameOnce sync.Once
	names    *Names // Resolve's index of IDs and names (endpoint.go)
	scans    int    // names found by walking the topology before the index was built
}

// NewSim starts a simulation with a seed for NAT port choice and latency jitter.
func NewSim(n *engine.Network, seed uint64) *Sim {
	clock := &engine.ManualClock{T: SimEpoch}
	return &Sim{
		Hosts: NewHosts(n), Net: n, State: engine.NewState(clock, seed), Clock: clock,
		rng:  rand.New(rand.NewPCG(seed, 0x5eed)),
		caps: map[model.ENIID]*Capture{},
		ipID: uint16(seed*7919) | 1,
	}
}

// Capture is what one interface saw, in order: packets it sent and packets delivered to it
// (a security group drop happens outside the instance, so tcpdump never sees those).
type Capture struct {
	Name    string
	ENI     model.ENIID
	Records []Record
}

// Record is one captured packet.
type Record struct {
	Time   time.Time
	Packet packet.Packet
}

// CaptureOn starts capturing on the interface of an endpoint name (instance or ENI).
func (s *Sim) CaptureOn(name string) (*Capture, error) {
	ep, err := s.Resolve(name)
	if err != nil {
		return nil, err
	}
	if ep.Kind != EndpointENI {
		return nil, &EndpointError{Arg: name, Why: "captures are taken on an instance's or network interface's interface; this is not one"}
	}
	if c := s.caps[ep.ENI]; c != nil {
		return c, nil
	}
	c := &Capture{Name: name, ENI: ep.ENI}
	s.caps[ep.ENI] = c
	s.order = append(s.order, c)
	return c, nil
}

// Captures returns the captures in the order they were asked for.
func (s *Sim) Captures() []*Capture { return s.order }

func (s *Sim) record(eni model.ENIID, t time.Time, p packet.Packet) {
	if c := s.caps[eni]; c != nil {
		c.Records = append(c.Records, Record{Time: t, Packet: p})
	}
}

// nextIPID returns the IP identification of the next packet a host sends.
func (s *Sim) nextIPID() uint16 { s.ipID++; return s.ipID }

// Journey is one packet's trip and what it cost in time.
type Journey struct {
	Result  *engine.Result
	Sent    time.Time
	Arrived time.Time // when it was delivered or left; zero when dropped
}

// send injects p from an endpoint at time t, records captures along the way (including
// packets the network generated, like a NAT gateway's time exceeded), and explains drops.
func (s *Sim) send(from Endpoint, p packet.Packet, t time.Time) Journey {
	if p.ID == 0 {
		p.ID = s.nextIPID()
	}
	if from.Kind == EndpointENI {
		s.record(from.ENI, t, p)
	}
	s.Clock.T = t
	r := s.Net.Send(s.State, from.Location(), p)
	j := Journey{Result: r, Sent: t}
	arr := t.Add(s.latency(r))
	if r.Outcome != engine.Dropped {
		j.Arrived = arr
	}
	s.settle(r, arr)
	return j
}

// settle records deliveries of r and of the packets generated on its way, and the tunnelled
// packets interfaces on its path received or sent (a GWLB target's GENEVE, §13.9).
func (s *Sim) settle(r *engine.Result, at time.Time) {
	for i := range r.Hops {
		if h := &r.Hops[i]; h.Tunnelled && h.Component.Kind == engine.KindENI {
			s.record(model.ENIID(h.Component.ID), at, h.In)
		}
	}
	switch r.Outcome {
	case engine.Delivered:
		s.record(r.ENI, at, r.Packet)
	case engine.Dropped:
		if s.OnDrop != nil {
			s.OnDrop(r)
		}
	}
	if g := r.Generated; g != nil {
		s.settle(g, at.Add(s.latency(g)))
	}
}

// latency is a deterministic model of one-way delay: a base for the VPC fabric, more for each
// middlebox (a NAT gateway's translation, an appliance) and for leaving the region's network,
// with ±10% jitter from the seed.
func (s *Sim) latency(r *engine.Result) time.Duration {
	us := 40.0
	for _, h := range r.Hops {
		switch {
		case h.Middlebox && h.Component.Kind == engine.KindNATGateway:
			us += 110
		case h.Middlebox:
			us += 90 // appliance
		case h.Component.Kind == engine.KindInternet || h.Component.Kind == engine.KindOnPremises:
			if h.Action == engine.ActExit || h.Action == engine.ActSend {
				us += 450
			}
		}
	}
	us *= 0.9 + 0.2*s.rng.Float64()
	return time.Duration(us * float64(time.Microsecond))
}

// Exchange is a probe and what came back to its sender.
type Exchange struct {
	Request Journey
	// Responder is who answered (the destination host), when the request arrived at a host.
	Responder *Endpoint
	Reply     *Journey // the responder's answer, if it answered
	// Back is the packet that came back to the sender (the reply, or an ICMP error the
	// network generated about the request), and when; nil if nothing came back.
	Back   *packet.Packet
	BackAt time.Time
	// BackFrom is the journey of Back.
	BackFrom *engine.Result
}

// probe sends p from src at t; the host it reaches answers (service says whether UDP and TCP
// services listen); Exchange says what came back to src.
func (s *Sim) probe(src Endpoint, p packet.Packet, t time.Time, service bool) Exchange {
	x := Exchange{Request: s.send(src, p, t)}
	r := x.Request.Result
	if g := r.Generated; g != nil && s.Reaches(g.End(), src) {
		pk := g.Packet
		x.Back, x.BackAt, x.BackFrom = &pk, x.Request.Sent.Add(s.latency(r)+s.latency(g)), g
		return x
	}
	resp, ok := s.Responder(r.End())
	if !ok {
		return x
	}
	x.Responder = &resp
	ans, ok := AnswerFrom(resp, reassembled(r.Packet, p), service)
	if !ok {
		return x
	}
	rj := s.send(resp, ans, x.Request.Arrived.Add(hostDelay))
	x.Reply = &rj
	if s.Reaches(rj.Result.End(), src) {
		pk := reassembled(rj.Result.Packet, ans)
		x.Back, x.BackAt, x.BackFrom = &pk, rj.Arrived, rj.Result
	}
	return x
}

// reassembled is the datagram a host's stack hands up when got, the first fragment of sent
// (fragmented on the way: a link with a smaller MTU, §6.9), arrives: got's header (as NAT
// left it) with sent's whole payload. The first fragment decides the fate of all (the
// engine's model), so the rest is taken to follow it. Anything else is got itself.
func reassembled(got, sent packet.Packet) packet.Packet {
	if !got.IsFragment() || got.FragOff != 0 {
		return got
	}
	got.MF = false
	got.PayloadLen, got.Payload = sent.PayloadLen, sent.Payload
	return got
}
