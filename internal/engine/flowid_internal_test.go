package engine

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// twoENIs is the smallest network with two interfaces.
func twoENIs() *model.Topology {
	t := &model.Topology{
		VPCs:    []*model.VPC{{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}},
		Subnets: []*model.Subnet{{ID: "subnet-1", VPC: "vpc-1", CIDR: netip.MustParsePrefix("10.0.0.0/24"), AvailabilityZone: "us-east-1a"}},
	}
	for i, id := range []model.ENIID{"eni-a", "eni-b"} {
		t.NetworkInterfaces = append(t.NetworkInterfaces, &model.NetworkInterface{ID: id, VPC: "vpc-1", Subnet: "subnet-1",
			PrivateIPs: []model.PrivateIP{{Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(10 + i)}), Primary: true}}})
	}
	model.ApplyDefaults(t)
	return t
}

// §4.2.3: tracked flows outlive a recompiled network, so an interface's flow ID is the same
// in every compile of its ID.
func TestFlowIDsAreStableAcrossCompiles(t *testing.T) {
	n1, _ := Compile(twoENIs())
	n2, _ := Compile(twoENIs())
	for id, e := range n1.enis {
		if e.flow != n2.enis[id].flow {
			t.Errorf("%s: flow ID %x in one compile, %x in the next", id, e.flow, n2.enis[id].flow)
		}
	}
	if n1.enis["eni-a"].flow == n1.enis["eni-b"].flow {
		t.Error("two interfaces share a flow ID")
	}
}

// Two IDs that hash alike would share their tracked flows: Compile salts the numbers until
// every interface's differs.
func TestFlowIDsCollideNever(t *testing.T) {
	orig := flowIDOf
	defer func() { flowIDOf = orig }()
	flowIDOf = func(salt uint64, id model.ENIID) uint64 {
		if salt == 0 {
			return 7 // every ID collides unsalted
		}
		return orig(salt, id)
	}
	n, _ := Compile(twoENIs())
	a, b := n.enis["eni-a"].flow, n.enis["eni-b"].flow
	if a == b {
		t.Fatalf("both interfaces have flow ID %x", a)
	}
	if a != orig(1, "eni-a") || b != orig(1, "eni-b") {
		t.Errorf("flow IDs %x, %x: want the first salt that separates them, %x, %x", a, b, orig(1, "eni-a"), orig(1, "eni-b"))
	}
}
