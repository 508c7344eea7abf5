package lab

import (
	"strings"
	"testing"
)

// ip_forward: an instance with a source/destination check off routes unless the lab turns
// its OS's forwarding off (§6.2); the example firewall lab forwards.
func TestInstanceIPForward(t *testing.T) {
	top := parseClean(t, `
vpc: {cidr: 10.0.0.0/16}
subnets:
  a: {cidr: 10.0.0.0/24}
instances:
  router: {subnet: a, source_dest_check: false}
  off: {subnet: a, source_dest_check: false, ip_forward: false}
  on: {subnet: a, source_dest_check: false, ip_forward: true}
`)
	got := map[string]bool{}
	for _, in := range top.Instances {
		got[in.Name] = in.IPForwardOff
	}
	if got["router"] || !got["off"] || got["on"] {
		t.Errorf("IPForwardOff by instance: %v, want only off's set", got)
	}
	ex := loadExample(t, "appliance-firewall/lab.yaml")
	for _, in := range ex.Instances {
		if in.IPForwardOff {
			t.Errorf("example firewall lab: %s does not forward", in.Name)
		}
	}
	_, ps := Parse("lab.yaml", []byte("vpc: {cidr: 10.0.0.0/16}\nsubnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  r: {subnet: a, ip_forward: maybe}\n"))
	if !strings.Contains(ps.Error(), `instance r: ip_forward: bad value "maybe"`) {
		t.Errorf("a bad ip_forward: %v", ps)
	}
}
