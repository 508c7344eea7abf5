package analyze

import (
	"slices"
	"testing"
)

// TestReachCutsAtFirewallRules_14: reach splits TCP at the ports a firewall policy's rules
// name (engine.Network.RuleSpans of a firewall hop): 23 and 25 are blocked at the endpoint,
// the ports around them are reachable through it.
func TestReachCutsAtFirewallRules_14(t *testing.T) {
	r := reach(t, labFile(t, "../../examples/network-firewall/lab.yaml"), "web", "x", Everything())
	for _, port := range []int{23, 25} {
		p := partOf(t, r, ClassTCP, port, 40000)
		if want := []string{"forward FIREWALL_RULES_RESTRICTION fw/us-east-1a"}; p.Reachable || !slices.Equal(codes(p.Outcome.Blockers), want) {
			t.Errorf("TCP %d: reachable=%v blockers %v, want %v", port, p.Reachable, codes(p.Outcome.Blockers), want)
		}
	}
	for _, port := range []int{22, 24, 26, 443} {
		if p := partOf(t, r, ClassTCP, port, 40000); !p.Reachable {
			t.Errorf("TCP %d: blocked by %v, want reachable through the endpoint", port, codes(p.Outcome.Blockers))
		}
	}
}
