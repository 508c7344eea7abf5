package snapshot

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// conformanceDir is where the Batfish snapshots live when the shared folder exists (see
// /work/shared/conformance/README.md). They are never copied into the repository.
func conformanceDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "conformance", "batfish", name, "aws_configs")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance snapshot %s not found at %s (the shared conformance folder is absent): %v", name, dir, err)
	}
	return dir
}

// loadClean loads a snapshot and fails on any error; it returns the warnings.
func loadClean(t *testing.T, dir string) (*model.Topology, model.Problems) {
	t.Helper()
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("Load(%s) errors:\n%v", dir, ps)
	}
	return top, ps.Warnings()
}

type counts struct{ vpcs, subnets, routeTables, instances, enis, nats, igws, sgs, acls int }

func countsOf(t *model.Topology) counts {
	return counts{len(t.VPCs), len(t.Subnets), len(t.RouteTables), len(t.Instances), len(t.NetworkInterfaces),
		len(t.NATGateways), len(t.InternetGateways), len(t.SecurityGroups), len(t.NetworkACLs)}
}

// wantWarnings checks that the warnings name exactly the unmodelled keys given, one per key.
func wantWarnings(t *testing.T, ws model.Problems, keys ...string) {
	t.Helper()
	if len(ws) != len(keys) {
		t.Errorf("got %d warnings, want %d (%v):\n%v", len(ws), len(keys), keys, ws)
	}
	for _, k := range keys {
		found := false
		for _, w := range ws {
			if w.Severity == model.Warning && w.Src.File == k+".json" && w.Src.Path == k && strings.Contains(w.Message, "not modelled") {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning for unmodelled key %s in:\n%v", k, ws)
		}
	}
}

func TestConformanceNATGateway(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-nat-gateway"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 3, routeTables: 3, instances: 3, enis: 4, nats: 1, igws: 1, sgs: 3, acls: 2}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws)

	nat := top.NATGateway("nat-07ab4846da51f4612")
	if nat == nil {
		t.Fatal("NAT gateway nat-07ab4846da51f4612 missing")
	}
	if nat.Connectivity != model.ConnectivityPublic {
		t.Errorf("connectivity = %q, want public (absent from this older answer)", nat.Connectivity)
	}
	if nat.State != "available" || nat.VPC != "vpc-0008a7b45e3ddf1dd" || nat.Subnet != "subnet-0428892a357fa1f94" {
		t.Errorf("NAT = %+v", nat)
	}
	if len(nat.Addresses) != 1 {
		t.Fatalf("NAT addresses = %+v, want one", nat.Addresses)
	}
	a := nat.Addresses[0]
	if a.PrivateIP != netip.MustParseAddr("10.1.250.210") || a.PublicIP != netip.MustParseAddr("3.135.127.225") ||
		!a.Primary || a.ENI != "eni-017aaec115610308a" || a.AllocationID != "eipalloc-0353e2d101e93f4a1" {
		t.Errorf("NAT address = %+v", a)
	}
	if eni := top.ENI("eni-017aaec115610308a"); eni == nil || eni.Type != model.InterfaceTypeNATGateway || eni.SourceDestCheck {
		t.Errorf("NAT ENI = %+v, want a requester-managed nat_gateway ENI with source/dest check off", eni)
	}

	// The private subnet's default route goes to the NAT gateway.
	var natRoute *model.Route
	for _, rt := range top.RouteTables {
		for i, r := range rt.Routes {
			if r.Target.Kind == model.TargetNATGateway {
				natRoute = &rt.Routes[i]
				if len(rt.Subnets) != 1 || rt.Subnets[0] != "subnet-06f469bcee42e408e" {
					t.Errorf("NAT route in table %s for subnets %v", rt.ID, rt.Subnets)
				}
			}
		}
	}
	if natRoute == nil || natRoute.Target.ID != "nat-07ab4846da51f4612" || natRoute.Destination != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("NAT route = %+v", natRoute)
	} else if natRoute.Src.File != "RouteTables.json" || natRoute.Src.Path != "RouteTables[1].Routes[1]" {
		t.Errorf("NAT route source = %+v", natRoute.Src)
	}

	// An ICMP echo-request (type 8) rule.
	sg := top.SecurityGroup("sg-0253af84ae6485905")
	if sg == nil {
		t.Fatal("security group sg-0253af84ae6485905 missing")
	}
	found := false
	for _, r := range sg.Ingress {
		if r.Protocol == model.ProtocolICMP && r.FromPort == 8 && r.ToPort == 0 && r.CIDR == netip.MustParsePrefix("0.0.0.0/0") {
			found = true
			if r.Description != "ICMP Access" || !strings.HasPrefix(r.ID, "sg-0253af84ae6485905:ingress:") {
				t.Errorf("ICMP rule = %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("no ICMP type 8 rule in %+v", sg.Ingress)
	}
	if in := top.Instance("i-0a128d26e59be60f3"); in == nil || in.Name != "test1" || in.State != "running" ||
		len(in.ENIs) != 1 || in.ENIs[0] != "eni-0e4ce6a7777b9bff8" {
		t.Errorf("instance i-0a128d26e59be60f3 = %+v", in)
	}
	if v := top.VPC("vpc-0008a7b45e3ddf1dd"); v == nil || v.Name != "vpc_a" || len(v.CIDRs) != 1 || v.CIDRs[0] != netip.MustParsePrefix("10.1.0.0/16") {
		t.Errorf("VPC = %+v", v)
	}
	if len(top.InternetGateways) == 1 {
		if g := top.InternetGateways[0]; g.ID != "igw-071753b9c23d8a9b2" || g.VPC != "vpc-0008a7b45e3ddf1dd" {
			t.Errorf("IGW = %+v", g)
		}
	}
}

func TestConformancePublicSubnet(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-public-subnet"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 1, routeTables: 2, instances: 1, enis: 1, nats: 0, igws: 1, sgs: 2, acls: 1}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws, "AvailabilityZones", "CustomerGateways", "VpcEndpoints")

	in := top.Instance("i-06669a407b2ef3ae5")
	if in == nil || len(in.ENIs) != 1 {
		t.Fatalf("instance i-06669a407b2ef3ae5 = %+v, want one ENI", in)
	}
	eni := top.ENI(in.ENIs[0])
	if eni == nil || len(eni.PrivateIPs) != 1 {
		t.Fatalf("ENI %s = %+v", in.ENIs[0], eni)
	}
	if p := eni.PrivateIPs[0]; p.Addr != netip.MustParseAddr("10.0.0.91") || p.PublicIP != netip.MustParseAddr("18.216.80.133") || !p.Primary {
		t.Errorf("private IP = %+v, want 10.0.0.91 with public 18.216.80.133", p)
	}
	if eni.Instance != in.ID || eni.Subnet != "subnet-0bb82ae8b3ea5dc78" || eni.SecurityGroups[0] != "sg-09ccba6656672061b" {
		t.Errorf("ENI = %+v", eni)
	}
	if eni.Src.File != "NetworkInterfaces.json" {
		t.Errorf("ENI source = %v, want NetworkInterfaces.json (merged, not duplicated)", eni.Src)
	}
	mainTables := 0
	for _, rt := range top.RouteTables {
		if rt.Main {
			mainTables++
		}
		for _, r := range rt.Routes {
			if r.Target.Kind == model.TargetInternetGateway && r.Target.ID != "igw-0a409e562d251f766" {
				t.Errorf("IGW route = %+v", r)
			}
		}
	}
	if mainTables != 1 {
		t.Errorf("%d main route tables, want 1", mainTables)
	}
}

func TestConformanceSubnet(t *testing.T) {
	top, ws := loadClean(t, conformanceDir(t, "test-subnet"))
	if got, want := countsOf(top), (counts{vpcs: 1, subnets: 1, routeTables: 1, instances: 2, enis: 2, nats: 0, igws: 0, sgs: 3, acls: 1}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	wantWarnings(t, ws, "AvailabilityZones")

	if in := top.Instance("i-08ef86e76fceabd8d"); in == nil || len(in.ENIs) != 1 || in.ENIs[0] != "eni-010f649a7fc5c1e34" {
		t.Errorf("instance i-08ef86e76fceabd8d = %+v", in)
	}
	eni := top.ENI("eni-029bf1092de61fb40")
	if eni == nil || eni.Instance != "i-07519d6ba3f9497e4" || eni.PrimaryIP() != netip.MustParseAddr("10.10.1.44") {
		t.Errorf("ENI eni-029bf1092de61fb40 = %+v", eni)
	}
	acl := top.NetworkACLs[0]
	if acl.ID != "acl-07102431133dec52a" || len(acl.Subnets) != 1 || acl.Subnets[0] != "subnet-06c8307e34ffadb04" {
		t.Errorf("NACL = %+v", acl)
	}
	if len(acl.Entries) != 4 {
		t.Errorf("NACL entries = %+v, want 4", acl.Entries)
	}
	for _, e := range acl.Entries {
		if e.ICMPType != -1 || e.ICMPCode != -1 || e.CIDR != netip.MustParsePrefix("0.0.0.0/0") {
			t.Errorf("entry = %+v", e)
		}
	}
	if s := top.Subnet("subnet-06c8307e34ffadb04"); s == nil || s.CIDR.Bits() == 0 || s.VPC != "vpc-062867d29dbf9386f" {
		t.Errorf("subnet = %+v", s)
	}
}
