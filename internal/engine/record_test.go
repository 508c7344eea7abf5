package engine_test

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// raceDetector is set under the race detector (race_test.go).
var raceDetector bool

// Recording hops allocates nothing per hop (issue 12: allocating and filling hop records made
// three quarters of a trace's work garbage collection). The budgets below are per send, with
// hops recorded, of a packet of a flow the state already tracks (so only recording is
// measured, not the connection tracking and NAT mappings a new flow adds):
//
//   - into a reused result (SendInto): nothing, but the note of each translating hop, the one
//     string that names what it rewrote (two on the way out through a NAT gateway and an
//     internet gateway);
//   - into a result the caller keeps (Send): three more, the result, its hops and the packets
//     its hops rewrote, whatever the number of hops.
//
// Without hops (Options.SkipHops, the live dataplane's way) no note is made: nothing into a
// reused result, the result alone into a kept one. The paths record 11 and 6 hops: an
// allocation per hop breaks every budget.
func TestSendAllocs(t *testing.T) {
	l := egress(t)
	l.instance("b", "a", "10.0.0.12")
	n := l.build()
	out := packet.Packet(tcp("10.0.0.11:40000", "8.8.8.8:443"))
	local := packet.Packet(tcp("10.0.0.11:40001", "10.0.0.12:22"))
	from := at("a") // made once: at allocates the ENI's ID
	cases := []struct {
		name          string
		p             packet.Packet
		hops, notes   int
		into, keeping float64
	}{
		// instance, ENI, SG egress, NACL out, route table, NACL in, NAT gateway, NACL out,
		// route table, internet gateway, the internet.
		{"out through a NAT gateway", out, 11, 2, 2, 5},
		// Within a subnet: instance, ENI, SG egress, ENI, SG ingress, instance.
		{"within a subnet", local, 6, 0, 0, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r engine.Result
			send := func() { n.SendInto(l.st, from, c.p, engine.Options{}, &r) }
			send() // the flow starts: tracked, mapped
			if len(r.Hops) != c.hops || r.Outcome == engine.Dropped {
				t.Fatalf("want %d hops and no drop, got:\n%s", c.hops, describe(&r))
			}
			notes := 0
			for _, h := range r.Hops {
				if h.Note != "" {
					notes++
				}
			}
			if notes != c.notes {
				t.Fatalf("want %d notes, got:\n%s", c.notes, describe(&r))
			}
			if got := testing.AllocsPerRun(100, send); got > c.into {
				t.Errorf("SendInto: %v allocations per send, want at most %v", got, c.into)
			}
			skip := engine.Options{SkipHops: true}
			if got := testing.AllocsPerRun(100, func() { n.SendInto(l.st, from, c.p, skip, &r) }); got > 0 {
				t.Errorf("SendInto without hops: %v allocations per send, want none", got)
			}
			if got := testing.AllocsPerRun(100, func() { n.SendWith(l.st, from, c.p, skip) }); got > 1 {
				t.Errorf("SendWith without hops: %v allocations per send, want at most 1", got)
			}
			if raceDetector {
				return // see race_test.go
			}
			if got := testing.AllocsPerRun(100, func() { n.Send(l.st, from, c.p) }); got > c.keeping {
				t.Errorf("Send: %v allocations per send, want at most %v", got, c.keeping)
			}
		})
	}
}

// SendInto overwrites the result it is given; a Clone taken before is the caller's and
// stays as it was, and a send into a fresh result gives the same journey.
func TestSendIntoCloneIsIndependent(t *testing.T) {
	l := egress(t)
	n := l.build()
	var r engine.Result
	n.SendInto(l.st, at("a"), packet.Packet(tcp("10.0.0.11:40000", "8.8.8.8:443")), engine.Options{}, &r)
	kept := r.Clone()
	want := describe(kept)
	if want != describe(&r) {
		t.Fatalf("the clone differs:\n%s\n---\n%s", want, describe(&r))
	}
	// The reply rewrites as many packets at the same hops (the internet gateway, the NAT
	// gateway): a clone that shared the result's storage would change.
	n.SendInto(l.st, engine.AtInternet(), packet.Packet(replyTo(kept)), engine.Options{}, &r)
	wantDelivered(t, &r, "a")
	if got := describe(kept); got != want {
		t.Fatalf("the clone changed when the result was reused:\n%s\n---\n%s", want, got)
	}
	// A second lab in the same state gives the same journeys through Send.
	m := egress(t)
	fwd := m.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443"))
	if got := describe(fwd); got != want {
		t.Fatalf("Send and SendInto differ:\n%s\n---\n%s", got, want)
	}
	if got, back := describe(&r), describe(m.send("internet", replyTo(fwd))); got != back {
		t.Fatalf("Send and SendInto differ on the reply:\n%s\n---\n%s", back, got)
	}
}
