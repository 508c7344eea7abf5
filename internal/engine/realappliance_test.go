package engine_test

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

var realAppliances = engine.Options{RealAppliances: true}

// With Options.RealAppliances (live mode) a packet routed to an appliance ends at its
// interface, unchanged, after NACL in and its groups ingress; what the appliance's OS then
// forwards enters at its interface and goes on as the simulated appliance's would (§1.2.5,
// §6.8). Mid-flow packets reach even a stateful appliance: its own OS decides (§13.13).
func TestAppliance_RealAppliances_DeliveredToTheInstance(t *testing.T) {
	l := applianceLab(t)
	syn := tcp("10.0.0.11:40000", "10.0.1.55:22")

	r := l.sendOpt("a", syn, realAppliances)
	wantDelivered(t, r, "fw")
	wantEq(t, "destination", r.Packet.Dst.String(), "10.0.1.55")
	wantEq(t, "TTL at the appliance", r.Packet.TTL, 255) // its kernel takes one off, not the VPC

	fwd := r.Packet
	fwd.TTL--
	r = l.sendOpt("fw", pkt(fwd), realAppliances)
	wantDelivered(t, r, "b")
	wantEq(t, "TTL at b", r.Packet.TTL, 254)
	// The simulation, option unset, still plays the appliance: same end, same TTL.
	sim := l.send("a", tcp("10.0.0.11:40001", "10.0.1.55:22"))
	wantDelivered(t, sim, "b")
	wantEq(t, "simulated TTL at b", sim.Packet.TTL, 254)

	// A stateful appliance's verdict is its kernel's: an answer it never saw start reaches it.
	l.topo.Instances[2].StatefulForwarding = true
	l.changed()
	back := l.send("b", tcp("10.0.1.55:40002", "10.0.0.11:22"))
	wantDelivered(t, back, "a")
	wantDelivered(t, l.sendOpt("a", replyTo(back), realAppliances), "fw")
	wantDroppedAt(t, l.send("a", replyTo(back)), engine.CodeAsymmetricInspection, "i-fw")

	// The groups of the appliance's interface still filter what reaches it.
	l.eni("fw").SecurityGroups = nil // the VPC's default group: nothing in from a
	l.changed()
	r = l.sendOpt("a", tcp("10.0.0.11:40003", "10.0.1.55:22"), realAppliances)
	wantDropped(t, r, engine.CodeSGRulesMismatch, "security-group")
	wantEq(t, "dropped at", r.Blockers[0].Hop, len(r.Hops)-1) // at fw's interface, the last hop
}

// A packet an instance sends from an address not its own (source/destination check off) is
// one it relays: a group of the destination that references the original sender's group
// does not match it (§7.1.13), whichever of the engine or the instance's OS forwarded it.
func TestAppliance_SentFromAnotherSourceIsRelayed_7_1_13(t *testing.T) {
	l := applianceLab(t)
	l.sg("members").in("tcp", 22, 22, "sg-members")
	l.eni("a").SecurityGroups = append(l.eni("a").SecurityGroups, "sg-members")
	l.eni("b").SecurityGroups = []model.SecurityGroupID{"sg-members"}
	l.changed()

	// a and b share the group: a reaches b straight through its own reference...
	l.table("a").Routes = nil // no route through fw
	l.changed()
	wantDelivered(t, l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22")), "b")

	// ...but what fw sends on with a's source is not a's.
	p := tcp("10.0.0.11:40001", "10.0.1.55:22")
	p.TTL = 254
	wantDroppedAt(t, l.sendOpt("fw", p, realAppliances), engine.CodeSGReferencesNotKept, "sg-members")
	wantDroppedAt(t, l.send("fw", p), engine.CodeSGReferencesNotKept, "sg-members")
}

// §6.2: an instance whose OS does not route (ip_forward: false) drops what a route sends
// through it, silently as Linux does (VPCLAB_APPLIANCE_NOT_FORWARDING); in live mode it is
// still delivered, for its kernel to drop.
func TestAppliance_IPForwardOff_6_2(t *testing.T) {
	l := applianceLab(t)
	l.topo.Instances[2].IPForwardOff = true
	l.changed()
	r := l.send("a", tcp("10.0.0.11:40000", "10.0.1.55:22"))
	wantDroppedAt(t, r, engine.CodeApplianceNotForwarding, "i-fw")
	if r.Generated != nil {
		t.Errorf("the appliance answered: %s", describe(r.Generated))
	}
	wantDelivered(t, l.sendOpt("a", tcp("10.0.0.11:40001", "10.0.1.55:22"), realAppliances), "fw")
	// Its own addresses it still answers.
	wantDelivered(t, l.send("a", icmpEcho("10.0.0.11", "10.0.3.20", 1, 1)), "fw")
}
