package gen

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

var small = Options{VPCs: 3, SubnetsPerVPC: 4, InstancesPerSubnet: 5, Seed: 42}

// cmpOpts compare topologies by what they hold, not where it was read from.
var cmpOpts = []cmp.Option{cmpopts.IgnoreTypes(model.Source{}), cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })}

// readDir returns every file of dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func writeSnapshot(t *testing.T, topo *model.Topology) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteSnapshot(topo, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDeterministic(t *testing.T) {
	a := readDir(t, writeSnapshot(t, Estate(small)))
	b := readDir(t, writeSnapshot(t, Estate(small)))
	want := []string{"Addresses.json", "InternetGateways.json", "NatGateways.json", "NetworkAcls.json", "NetworkInterfaces.json",
		"Reservations.json", "RouteTables.json", "SecurityGroups.json", "Subnets.json", "Vpcs.json"}
	if len(a) != len(want) {
		t.Errorf("wrote %d files, want %v", len(a), want)
	}
	for _, name := range want {
		if len(a[name]) == 0 {
			t.Errorf("%s missing or empty", name)
		}
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	other := small
	other.Seed++
	c := readDir(t, writeSnapshot(t, Estate(other)))
	if bytes.Equal(a["Vpcs.json"], c["Vpcs.json"]) {
		t.Error("another seed gave the same VPCs")
	}
}

// load reads a snapshot back as the CLI does: Load, ApplyDefaults, Validate, with no
// problem allowed anywhere.
func load(t testing.TB, dir string) *model.Topology {
	t.Helper()
	topo, probs := snapshot.Load(dir)
	if len(probs) > 0 {
		t.Fatalf("snapshot.Load: %v", probs)
	}
	model.ApplyDefaults(topo)
	if probs := model.Validate(topo); len(probs) > 0 {
		t.Fatalf("model.Validate: %v", probs)
	}
	return topo
}

func TestRoundTrip(t *testing.T) {
	want := Estate(small)
	got := load(t, writeSnapshot(t, want))
	model.ApplyDefaults(want)
	if probs := model.Validate(want); len(probs) > 0 {
		t.Fatalf("the generated estate itself does not validate: %v", probs)
	}
	counts := func(x *model.Topology) []int {
		return []int{len(x.VPCs), len(x.Subnets), len(x.RouteTables), len(x.InternetGateways), len(x.NATGateways),
			len(x.Addresses), len(x.NetworkInterfaces), len(x.Instances), len(x.SecurityGroups), len(x.NetworkACLs)}
	}
	v, s, n := small.VPCs, small.SubnetsPerVPC, small.InstancesPerSubnet
	wantCounts := []int{v, v * s, 3 * v, v, v, v, v*s*n + v, v * s * n, 5 * v, 2*v + 1}
	if c := counts(got); !cmp.Equal(c, wantCounts) {
		t.Errorf("counts (VPCs, subnets, route tables, IGWs, NATs, EIPs, ENIs, instances, SGs, NACLs) = %v, want %v", c, wantCounts)
	}
	// Everything the model holds survives the trip, except where it was read from.
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("round trip changed the topology (-generated +loaded):\n%s", d)
	}
	if _, probs := engine.Compile(got); len(probs) > 0 {
		t.Errorf("engine.Compile: %v", probs)
	}
}

func TestAddressing(t *testing.T) {
	topo := Estate(Options{VPCs: 1000, SubnetsPerVPC: 10, InstancesPerSubnet: 1, Seed: 7})
	seen10, seen172 := 0, 0
	for i, v := range topo.VPCs {
		c := v.CIDRs[0]
		if c.Bits() != 18 {
			t.Fatalf("VPC %s: %s, want a /18 for 1,000 VPCs", v.Name, c)
		}
		if i > 0 && topo.VPCs[i-1].CIDRs[0].Overlaps(c) {
			t.Fatalf("VPC %s overlaps %s", c, topo.VPCs[i-1].CIDRs[0])
		}
		switch {
		case netip.MustParsePrefix("10.0.0.0/8").Contains(c.Addr()):
			seen10++
		case netip.MustParsePrefix("172.16.0.0/12").Contains(c.Addr()):
			seen172++
		default:
			t.Fatalf("VPC %s: %s is outside 10/8 and 172.16/12", v.Name, c)
		}
	}
	if seen10 == 0 || seen172 == 0 {
		t.Errorf("VPCs in 10/8: %d, in 172.16/12: %d; want both ranges used", seen10, seen172)
	}
	if c := Estate(small).VPCs[0].CIDRs[0]; c.Bits() != 16 {
		t.Errorf("small estate VPC %s, want a /16", c)
	}
}

// vpcInstances picks, in one generated VPC, an instance of each role.
func vpcInstances(t *testing.T, topo *model.Topology, vpc string) map[string]*model.Instance {
	t.Helper()
	out := map[string]*model.Instance{}
	for _, in := range topo.Instances {
		for _, role := range []string{RoleWeb, RoleApp, RoleDB} {
			if strings.HasPrefix(in.Name, vpc+"-"+role+"-") && out[role] == nil {
				out[role] = in
			}
		}
	}
	if len(out) != 3 {
		t.Fatalf("%s: instances by role %v; want web, app and db", vpc, out)
	}
	return out
}

func TestEngineOnEstate(t *testing.T) {
	topo := load(t, writeSnapshot(t, Estate(small)))
	n, probs := engine.Compile(topo)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	eniOf := func(in *model.Instance) *model.NetworkInterface { return topo.ENI(in.ENIs[0]) }
	for _, vpc := range topo.VPCs {
		t.Run(vpc.Name, func(t *testing.T) {
			sim := tools.NewSim(n, 1)
			ep := func(arg string) tools.Endpoint {
				e, err := sim.Resolve(arg)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			ins := vpcInstances(t, topo, vpc.Name)
			var nat *model.NATGateway
			for _, g := range topo.NATGateways {
				if g.VPC == vpc.ID {
					nat = g
				}
			}
			tcp := func(port uint16) tools.TraceOptions {
				return tools.TraceOptions{Protocol: packet.ProtoTCP, Port: port}
			}

			// A private instance reaches the internet through the NAT gateway's Elastic IP.
			for _, role := range []string{RoleApp, RoleDB} {
				tr := sim.Trace(ep(ins[role].Name), ep("internet:8.8.8.8"), tcp(443))
				if !tr.Found || tr.Forward.Outcome != engine.Exited || tr.Forward.Packet.Src != nat.Addresses[0].PublicIP {
					t.Errorf("%s -> 8.8.8.8:443: found=%v %v from %s, want exit from the NAT EIP %s\n%s",
						ins[role].Name, tr.Found, tr.Forward.Outcome, tr.Forward.Packet.Src, nat.Addresses[0].PublicIP, text(tr))
				}
			}

			// The web instance answers on 443 from the internet, on its public IP.
			web := eniOf(ins[RoleWeb])
			pub := web.PrivateIPs[0].PublicIP
			tr := sim.Trace(ep("internet:198.51.100.7"), ep(pub.String()), tcp(443))
			if !tr.Found || tr.Forward.ENI != web.ID || tr.Return.Packet.Src != pub {
				t.Errorf("internet -> %s:443: found=%v, want delivered to %s and answered from %s\n%s", pub, tr.Found, web.ID, pub, text(tr))
			}

			// db admits 5432 from app only (a security group reference).
			if tr := sim.Trace(ep(ins[RoleWeb].Name), ep(ins[RoleDB].Name), tcp(5432)); tr.Found ||
				tr.Forward.Code != engine.CodeSGRulesMismatch || tr.Forward.At.ID != string(eniOf(ins[RoleDB]).SecurityGroups[0]) {
				t.Errorf("web -> db:5432: found=%v %s at %s, want %s at the db group\n%s", tr.Found, tr.Forward.Code, tr.Forward.At.ID, engine.CodeSGRulesMismatch, text(tr))
			}
			if tr := sim.Trace(ep(ins[RoleApp].Name), ep(ins[RoleDB].Name), tcp(5432)); !tr.Found {
				t.Errorf("app -> db:5432: no path\n%s", text(tr))
			}
			if tr := sim.Trace(ep(ins[RoleWeb].Name), ep(ins[RoleApp].Name), tcp(8080)); !tr.Found {
				t.Errorf("web -> app:8080: no path\n%s", text(tr))
			}

			// The private NACL denies inbound telnet, even from inside the VPC.
			if tr := sim.Trace(ep(ins[RoleWeb].Name), ep(ins[RoleApp].Name), tcp(23)); tr.Forward.Code != engine.CodeSubnetACL {
				t.Errorf("web -> app:23: %v %s, want %s\n%s", tr.Forward.Outcome, tr.Forward.Code, engine.CodeSubnetACL, text(tr))
			}
		})
	}
}

func text(tr tools.TraceResult) string {
	var b strings.Builder
	tr.WriteText(&b)
	return b.String()
}

// Estates too big for /24 subnets get smaller ones (issue 12: gen stopped at 4,352 VPCs
// of 10 subnets, 10/8 and 172.16/12 holding 4,352 /20s); the others keep their layout.
func TestLayoutScales(t *testing.T) {
	for _, c := range []struct {
		o            Options
		vpcs, subnet int
	}{
		{Options{VPCs: 1000, SubnetsPerVPC: 10, InstancesPerSubnet: 10}, 18, 24},
		{Options{VPCs: 4352, SubnetsPerVPC: 10, InstancesPerSubnet: 10}, 20, 24},
		{Options{VPCs: 4353, SubnetsPerVPC: 10, InstancesPerSubnet: 10}, 21, 25},
		{Options{VPCs: 20000, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Join: JoinTGW}, 23, 27},
		{Options{VPCs: 20000, SubnetsPerVPC: 10, InstancesPerSubnet: 1}, 23, 27},
		{Options{VPCs: 60000, SubnetsPerVPC: 10, InstancesPerSubnet: 1}, 24, 28},
		{Options{VPCs: 10, SubnetsPerVPC: 3, InstancesPerSubnet: 250}, 16, 24},
	} {
		vb, sb := layout(c.o)
		if vb != c.vpcs || sb != c.subnet {
			t.Errorf("%d VPCs x %d subnets x %d: /%d VPCs, /%d subnets; want /%d, /%d", c.o.VPCs, c.o.SubnetsPerVPC, c.o.InstancesPerSubnet, vb, sb, c.vpcs, c.subnet)
		}
	}
}

// 20,000 VPCs: distinct blocks, and room for a probe in every subnet.
func TestEstate20000(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20,000-VPC estate")
	}
	topo := Estate(Options{VPCs: 20000, SubnetsPerVPC: 10, InstancesPerSubnet: 1, Seed: 1})
	if len(topo.VPCs) != 20000 || len(topo.Subnets) != 200000 {
		t.Fatalf("%d VPCs, %d subnets", len(topo.VPCs), len(topo.Subnets))
	}
	for i := 1; i < len(topo.VPCs); i++ {
		if a, b := topo.VPCs[i-1].CIDRs[0], topo.VPCs[i].CIDRs[0]; a.Overlaps(b) || b.Addr().Less(a.Addr()) {
			t.Fatalf("VPC blocks %s and %s overlap or are out of order", a, b)
		}
	}
	used := map[model.SubnetID]int{}
	for _, e := range topo.NetworkInterfaces {
		used[e.Subnet] += len(e.PrivateIPs)
	}
	for _, s := range topo.Subnets {
		if free := 1<<(32-s.CIDR.Bits()) - 5 - used[s.ID]; free < 1 {
			t.Fatalf("subnet %s %s has no free address", s.Name, s.CIDR)
		}
	}
}

func TestLayoutPanics(t *testing.T) {
	for _, o := range []Options{{VPCs: 300, SubnetsPerVPC: 5000, InstancesPerSubnet: 1}, {VPCs: 1, SubnetsPerVPC: 1, InstancesPerSubnet: 70000}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", o)
				}
			}()
			Estate(o)
		}()
	}
}

func ExampleEstate() {
	topo := Estate(Options{VPCs: 2, SubnetsPerVPC: 3, InstancesPerSubnet: 2, Seed: 1})
	for _, s := range topo.Subnets[:3] {
		fmt.Println(s.Name, s.AvailabilityZone)
	}
	fmt.Println(len(topo.Instances), "instances")
	// Output:
	// vpc001-public-1 us-east-1a
	// vpc001-private-1 us-east-1a
	// vpc001-private-2 us-east-1b
	// 12 instances
}

// TestRewriteConformance writes the real describe-* snapshots of the conformance suite back
// out and reads them again: the writer must lose nothing the loader reads.
func TestRewriteConformance(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "conformance", "batfish", "*", "aws_configs"))
	if len(dirs) == 0 {
		t.Skip("conformance snapshots not found beside the repository")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			want, wantProbs := snapshot.Load(dir)
			if wantProbs.HasErrors() {
				t.Fatal(wantProbs)
			}
			// The rewritten snapshot may warn only as the original does (a table of static
			// routes only, say); what the original had and the model does not hold is gone.
			got, probs := snapshot.Load(writeSnapshot(t, want))
			for _, m := range messages(probs) {
				if !slices.Contains(messages(wantProbs), m) {
					t.Fatalf("rewritten: %s; the original: %v", m, wantProbs)
				}
			}
			if d := cmp.Diff(want, got, cmpOpts...); d != "" {
				t.Errorf("rewritten snapshot differs (-original +rewritten):\n%s", d)
			}
		})
	}
}

// messages are the texts of problems, without where they were found.
func messages(ps model.Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, model.Problem{Severity: p.Severity, Message: p.Message}.String())
	}
	slices.Sort(out)
	return out
}

// TestRewriteExtras covers what generated estates lack: VPN gateways and connections, prefix
// lists, routes to ENIs, instances and prefix lists, ICMP rules, secondary and Elastic IPs.
func TestRewriteExtras(t *testing.T) {
	topo := Estate(Options{VPCs: 1, SubnetsPerVPC: 2, InstancesPerSubnet: 2, Seed: 3})
	vpc, eni, in := topo.VPCs[0], topo.NetworkInterfaces[1], topo.Instances[1]
	pfx := netip.MustParsePrefix
	topo.VPNGateways = append(topo.VPNGateways, &model.VPNGateway{ID: "vgw-0123456789abcdef0", VPC: vpc.ID, ASN: 64512, Name: "vgw"})
	topo.VPNConnections = append(topo.VPNConnections, &model.VPNConnection{ID: "vpn-0123456789abcdef0", VPNGateway: "vgw-0123456789abcdef0",
		CustomerGateway: "cgw-0123456789abcdef0", StaticRoutes: []netip.Prefix{pfx("192.168.0.0/16")}, State: "available", Name: "dc"})
	topo.PrefixLists = append(topo.PrefixLists, &model.PrefixList{ID: "pl-63a5400a", Name: "com.amazonaws.us-east-1.s3", CIDRs: []netip.Prefix{pfx("52.216.0.0/15")}})
	rt := topo.RouteTables[1]
	topo.VPCEndpoints = append(topo.VPCEndpoints, &model.VPCEndpoint{ID: "vpce-0123456789abcdef0", VPC: vpc.ID, Type: model.EndpointGateway,
		ServiceName: "com.amazonaws.us-east-1.s3", State: "available", RouteTables: []model.RouteTableID{rt.ID}, PrefixList: "pl-63a5400a",
		Name: "s3", Tags: nameTag("s3")})
	rt.PropagatingVGWs = []model.VPNGatewayID{"vgw-0123456789abcdef0"}
	rt.Routes = append(rt.Routes,
		model.Route{Destination: pfx("100.64.0.0/16"), Target: model.Target{Kind: model.TargetNetworkInterface, ID: string(eni.ID)}, Origin: model.OriginCreateRoute, State: model.RouteActive},
		model.Route{Destination: pfx("100.65.0.0/16"), Target: model.Target{Kind: model.TargetInstance, ID: string(in.ID)}, Origin: model.OriginCreateRoute, State: model.RouteActive},
		model.Route{Destination: pfx("100.66.0.0/16"), Target: model.Target{Kind: model.TargetNATGateway, ID: "nat-0000000000000dead"}, Origin: model.OriginCreateRoute, State: model.RouteBlackhole},
		model.Route{DestinationPrefixList: "pl-63a5400a", Target: model.Target{Kind: model.TargetVPCEndpoint, ID: "vpce-0123456789abcdef0"}, Origin: model.OriginCreateRoute, State: model.RouteActive},
		model.Route{Destination: pfx("10.200.0.0/16"), Target: model.Target{Kind: model.TargetPeering, ID: "pcx-0123456789abcdef0"}, Origin: model.OriginCreateRoute, State: model.RouteActive})
	sg := topo.SecurityGroups[1]
	sg.Ingress = append(sg.Ingress,
		model.SecurityGroupRule{ID: fmt.Sprintf("%s:ingress:%d", sg.ID, len(sg.Ingress)), Protocol: model.ProtocolICMP, FromPort: 8, ToPort: -1, CIDR: pfx("10.0.0.0/8"), Description: "ping"},
		model.SecurityGroupRule{ID: fmt.Sprintf("%s:ingress:%d", sg.ID, len(sg.Ingress)+1), Protocol: model.ProtocolUDP, FromPort: 53, ToPort: 53, PrefixList: "pl-63a5400a"})
	acl := topo.NetworkACLs[0]
	acl.Entries = append(acl.Entries, model.NetworkACLEntry{RuleNumber: 50, Protocol: model.ProtocolICMP, Allow: true, CIDR: pfx("0.0.0.0/0"), FromPort: 0, ToPort: 65535, ICMPType: 3, ICMPCode: 4})
	second := netip.AddrFrom4([4]byte(eni.PrivateIPs[0].Addr.As4()))
	second = second.Next()
	eni.PrivateIPs = append(eni.PrivateIPs, model.PrivateIP{Addr: second, PublicIP: netip.MustParseAddr("3.3.3.3")})
	topo.Addresses = append(topo.Addresses, &model.Address{AllocationID: "eipalloc-0123456789abcdef0", PublicIP: netip.MustParseAddr("3.3.3.3"), ENI: eni.ID, PrivateIP: second, Name: "second"})

	got, probs := snapshot.Load(writeSnapshot(t, topo))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	// AWS prints NACL entries outbound first, each direction by rule number, and names
	// resources with a Name tag.
	slices.SortStableFunc(acl.Entries, func(a, b model.NetworkACLEntry) int {
		if a.Egress != b.Egress {
			return map[bool]int{true: -1, false: 1}[a.Egress]
		}
		return a.RuleNumber - b.RuleNumber
	})
	topo.VPNGateways[0].Tags = nameTag("vgw")
	if d := cmp.Diff(topo, got, cmpOpts...); d != "" {
		t.Errorf("rewritten topology differs (-written +read):\n%s", d)
	}
}

// TestRewriteTargetMembers: a route to each kind of model's target table is written in
// the member the table names for its ID and reads back as the same target.
func TestRewriteTargetMembers(t *testing.T) {
	topo := Estate(Options{VPCs: 1, SubnetsPerVPC: 2, InstancesPerSubnet: 1, Seed: 3})
	rt := topo.RouteTables[1]
	var members []string
	for i, row := range model.TargetKinds() {
		for j, f := range row.Fields {
			id := f.Prefix + "0123456789abcdef0"
			switch f.Prefix {
			case "local":
				continue // every table has its local route already
			case "":
				id = "weird-0123456789abcdef0"
			}
			tg := model.Target{Kind: row.Kind, ID: id}
			rt.Routes = append(rt.Routes, model.Route{Destination: netip.MustParsePrefix(fmt.Sprintf("100.%d.%d.0/24", i, j)),
				Target: tg, Origin: model.OriginCreateRoute, State: model.RouteActive})
			members = append(members, fmt.Sprintf("%q: %q", tg.Field().Describe, id))
		}
	}
	dir := writeSnapshot(t, topo)
	data, err := os.ReadFile(filepath.Join(dir, "RouteTables.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if !bytes.Contains(data, []byte(m)) {
			t.Errorf("RouteTables.json has no %s", m)
		}
	}
	got, probs := snapshot.Load(dir)
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	if d := cmp.Diff(rt.Routes, got.RouteTables[1].Routes, cmpOpts...); d != "" {
		t.Errorf("routes differ (-written +read):\n%s", d)
	}
}
