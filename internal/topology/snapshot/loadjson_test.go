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
