package snapshot

import (
	"net/netip"
	"strings"
	"testing"
)

// TestLoadJSON reads describe-* answers held in memory, as vpclab serve hands them over:
// the same loader reads them, with the same JSON paths in its messages.
func TestLoadJSON(t *testing.T) {
	doc := `{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "State": "available"}],
"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}]}`
	top, probs := LoadJSON("served", []byte(doc))
	if probs.HasErrors() {
		t.Fatalf("problems: %v", probs)
	}
	if len(top.VPCs) != 1 || len(top.Subnets) != 1 {
		t.Fatalf("read %d VPCs and %d subnets, want 1 and 1", len(top.VPCs), len(top.Subnets))
	}
	for _, s := range top.Subnets {
		if s.CIDR != netip.MustParsePrefix("10.0.1.0/24") {
			t.Errorf("subnet CIDR %v", s.CIDR)
		}
	}

	_, probs = LoadJSON("served", []byte(`{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0/16"}]}`))
	if !probs.HasErrors() || !strings.Contains(probs.Error(), "served") || !strings.Contains(probs.Error(), "Vpcs[0]") {
		t.Errorf("a bad CIDR gave %q, want an error naming served and Vpcs[0]", probs.Error())
	}
}

// TestForwardingTag: an instance tagged vpclab:forwarding=stateful is a stateful appliance
// (§13.13), which describe-* JSON has no field for, and =off one whose OS does not route
// (§6.2); another value is a warning and the default, stateless.
func TestForwardingTag(t *testing.T) {
	doc := `{"Reservations": [{"ReservationId": "r-1", "Instances": [
  {"InstanceId": "i-fw", "State": {"Name": "running"}, "Tags": [{"Key": "vpclab:forwarding", "Value": "stateful"}]},
  {"InstanceId": "i-plain", "State": {"Name": "running"}},
  {"InstanceId": "i-off", "State": {"Name": "running"}, "Tags": [{"Key": "vpclab:forwarding", "Value": "off"}]},
  {"InstanceId": "i-odd", "State": {"Name": "running"}, "Tags": [{"Key": "vpclab:forwarding", "Value": "sometimes"}]}]}]}`
	top, probs := LoadJSON("tags", []byte(doc))
	if probs.HasErrors() {
		t.Fatal(probs.Error())
	}
	want := map[string]bool{"i-fw": true, "i-plain": false, "i-odd": false}
	for _, in := range top.Instances {
		if in.StatefulForwarding != want[string(in.ID)] {
			t.Errorf("%s: stateful %v, want %v", in.ID, in.StatefulForwarding, want[string(in.ID)])
		}
		if in.IPForwardOff != (in.ID == "i-off") {
			t.Errorf("%s: IP forwarding off %v", in.ID, in.IPForwardOff)
		}
	}
	if !strings.Contains(probs.Warnings().Error(), `i-odd: tag vpclab:forwarding="sometimes"`) {
		t.Errorf("warnings: %v", probs)
	}
}
