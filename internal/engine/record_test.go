package engine_test

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

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
