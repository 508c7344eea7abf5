package tools

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/topology"
)

// The cases of shared/conformance/README.md: real describe-* snapshots (from Batfish) and the
// behaviour each must show. The files stay in shared/; these tests skip when it is absent.

func conformanceDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "batfish", name, "aws_configs")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance snapshot %s not found beside the repository (%v); skipping", name, err)
	}
	return dir
}

func loadConformance(t *testing.T, name string, edit func(*model.Topology)) *Sim {
	t.Helper()
	topo, probs := topology.Load(conformanceDir(t, name))
	if probs.HasErrors() {
		t.Fatalf("load %s: %v", name, probs)
	}
	if edit != nil {
		edit(topo)
	}
	n, _ := engine.Compile(topo)
	return NewSim(n, 1)
}

func mustResolve(t *testing.T, s *Sim, arg string) Endpoint {
	t.Helper()
	ep, err := s.Resolve(arg)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// componentIDs lists the IDs of a path's hops, collapsing repeats.
func componentIDs(r *engine.Result) []string {
	var ids []string
	for _, h := range r.Hops {
		if len(ids) == 0 || ids[len(ids)-1] != h.Component.ID {
			ids = append(ids, h.Component.ID)
		}
	}
	return ids
}

func wantDrop(t *testing.T, r *engine.Result, code, at string) {
	t.Helper()
	if r.Outcome != engine.Dropped || r.Code != code || r.At.ID != at {
		t.Fatalf("got %v %s at %s (%s); want dropped %s at %s", r.Outcome, r.Code, r.At.ID, r.Detail, code, at)
	}
}

func TestConformanceNATGateway(t *testing.T) {
	const inst, nat, igw = "i-0a128d26e59be60f3", "nat-07ab4846da51f4612", "igw-071753b9c23d8a9b2"

	t.Run("1 private instance reaches the internet through the NAT and internet gateways", func(t *testing.T) {
		s := loadConformance(t, "test-nat-gateway", nil)
		tr := s.Trace(mustResolve(t, s, inst), mustResolve(t, s, "8.8.8.8"), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		if !tr.Found {
			t.Fatalf("no path: %s %s", tr.Forward.Code, tr.Forward.Detail)
		}
		got := strings.Join(componentIDs(tr.Forward), " ")
		for _, want := range []string{inst, nat, igw, "internet"} {
			if !strings.Contains(got, want) {
				t.Errorf("forward path %q lacks %s", got, want)
			}
		}
		if strings.Index(got, nat) > strings.Index(got, igw) {
			t.Errorf("NAT gateway must come before the internet gateway: %s", got)
		}
		// At the NAT gateway the source becomes its private IP and a port in 1024-65535.
		for _, h := range tr.Forward.Hops {
			if h.Component.ID == nat && h.Action == engine.ActTranslate {
				if h.Out().Src != netip.MustParseAddr("10.1.250.210") || h.Out().SrcPort < 1024 {
					t.Errorf("NAT output %v; want source 10.1.250.210, port >= 1024", h.Out())
				}
			}
		}
		if src := tr.Forward.Packet.Src; src != netip.MustParseAddr("3.135.127.225") {
			t.Errorf("the internet sees %s; want the Elastic IP 3.135.127.225", src)
		}
		// The reply comes back the same way, reversed, and is delivered to the instance.
		ret := strings.Join(componentIDs(tr.Return), " ")
		if !strings.Contains(ret, igw) || !strings.Contains(ret, nat) || tr.Return.Outcome != engine.Delivered {
			t.Errorf("return path %q (%v); want through %s and %s, delivered", ret, tr.Return.Outcome, igw, nat)
		}
	})

	t.Run("2 other IP protocols are dropped at the NAT gateway", func(t *testing.T) {
		s := loadConformance(t, "test-nat-gateway", nil)
		tr := s.Trace(mustResolve(t, s, inst), mustResolve(t, s, "8.8.8.8"), TraceOptions{Protocol: 50})
		wantDrop(t, tr.Forward, engine.CodeNGWUnsupportedProtocol, nat)
	})

	t.Run("3 unsolicited traffic from the internet dies at the NAT gateway", func(t *testing.T) {
		s := loadConformance(t, "test-nat-gateway", nil)
		tr := s.Trace(mustResolve(t, s, "internet:8.8.8.8"), mustResolve(t, s, "3.135.127.225"), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		wantDrop(t, tr.Forward, engine.CodeNGWNoSession, nat)
		if !strings.Contains(strings.Join(componentIDs(tr.Forward), " "), igw) {
			t.Errorf("the packet must enter through %s", igw)
		}
	})

	t.Run("4 the NAT gateway answers nothing addressed to itself", func(t *testing.T) {
		s := loadConformance(t, "test-nat-gateway", nil)
		tr := s.Trace(mustResolve(t, s, "i-0b31b509174d7f5de"), mustResolve(t, s, "10.1.250.210"), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		wantDrop(t, tr.Forward, engine.CodeNGWAddressedToSelf, nat)
	})
}

func TestConformancePublicSubnet(t *testing.T) {
	const inst, igw = "i-06669a407b2ef3ae5", "igw-0a409e562d251f766"

	t.Run("1 inbound from the internet is mapped to the private IP and dropped by the security group", func(t *testing.T) {
		s := loadConformance(t, "test-public-subnet", nil)
		tr := s.Trace(mustResolve(t, s, "internet:8.8.8.8"), mustResolve(t, s, "18.216.80.133"), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		if tr.Forward.Code != engine.CodeSGRulesMismatch || tr.Forward.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %v; want %s at a security group", tr.Forward.Code, tr.Forward.At, engine.CodeSGRulesMismatch)
		}
		if tr.Forward.Packet.Dst != netip.MustParseAddr("10.0.0.91") {
			t.Errorf("dropped packet's destination %s; want 10.0.0.91 (rewritten by %s)", tr.Forward.Packet.Dst, igw)
		}
	})

	t.Run("2 an address with no public IP in the snapshot is not delivered", func(t *testing.T) {
		s := loadConformance(t, "test-public-subnet", nil)
		tr := s.Trace(mustResolve(t, s, "internet:8.8.8.8"), mustResolve(t, s, "54.191.107.23"), TraceOptions{Protocol: packet.ProtoTCP, Port: 80})
		if tr.Forward.Outcome != engine.Dropped {
			t.Fatalf("got %v; want dropped", tr.Forward.Outcome)
		}
	})

	t.Run("3 the instance reaches the internet with its public IP", func(t *testing.T) {
		s := loadConformance(t, "test-public-subnet", nil)
		tr := s.Trace(mustResolve(t, s, inst), mustResolve(t, s, "8.8.8.8"), TraceOptions{})
		if tr.Forward.Outcome != engine.Exited || tr.Forward.Exit.Gateway.ID != igw {
			t.Fatalf("got %v via %v (%s); want exited through %s", tr.Forward.Outcome, tr.Forward.Exit.Gateway, tr.Forward.Detail, igw)
		}
		if tr.Forward.Packet.Src != netip.MustParseAddr("18.216.80.133") {
			t.Errorf("source %s; want 18.216.80.133", tr.Forward.Packet.Src)
		}
	})

	t.Run("4 a source with no public IP is dropped at the internet gateway", func(t *testing.T) {
		// Lift the instance's source/dest check so the spoofed packet gets as far as the IGW.
		s := loadConformance(t, "test-public-subnet", func(topo *model.Topology) {
			for _, e := range topo.NetworkInterfaces {
				e.SourceDestCheck = false
			}
		})
		src := mustResolve(t, s, inst)
		p := packet.Packet{Src: netip.MustParseAddr("10.0.0.92"), Dst: netip.MustParseAddr("8.8.8.8"), Proto: packet.ProtoTCP,
			TTL: 64, SrcPort: 40000, DstPort: 80, TCPFlags: packet.TCPSyn}
		r := s.Net.Send(s.State, src.Location(), p)
		if r.Outcome != engine.Dropped || r.At.ID != igw {
			t.Fatalf("got %v %s at %v; want dropped at %s", r.Outcome, r.Code, r.At, igw)
		}
	})
}

func TestConformanceSubnet(t *testing.T) {
	const first, acl = "i-08ef86e76fceabd8d", "acl-07102431133dec52a"

	t.Run("1 same subnet: delivered directly, no route table or NACL, dropped by the second security group", func(t *testing.T) {
		s := loadConformance(t, "test-subnet", nil)
		tr := s.Trace(mustResolve(t, s, first), mustResolve(t, s, "10.10.1.44"), TraceOptions{})
		for _, h := range tr.Forward.Hops {
			if h.Component.Kind == engine.KindRouteTable || h.Component.Kind == engine.KindNetworkACL {
				t.Errorf("same-subnet traffic consulted %s (%s)", h.Component.ID, h.Component.Kind)
			}
		}
		egress := false
		for _, h := range tr.Forward.Hops {
			egress = egress || (h.Component.Kind == engine.KindSecurityGroup && h.Direction == engine.Egress && h.Action == engine.ActAllow)
		}
		if !egress {
			t.Error("the first instance's security group should allow the packet out")
		}
		if tr.Forward.Code != engine.CodeSGRulesMismatch || tr.Forward.Packet.Dst != netip.MustParseAddr("10.10.1.44") {
			t.Errorf("got %s for %v; want %s inbound at the second instance", tr.Forward.Code, tr.Forward.Packet, engine.CodeSGRulesMismatch)
		}
	})

	t.Run("2 an address in the VPC that no ENI holds: NACL outbound, then dropped", func(t *testing.T) {
		s := loadConformance(t, "test-subnet", nil)
		tr := s.Trace(mustResolve(t, s, first), mustResolve(t, s, "10.10.0.1"), TraceOptions{})
		sawACL := false
		for _, h := range tr.Forward.Hops {
			sawACL = sawACL || (h.Component.ID == acl && h.Direction == engine.Outbound)
		}
		if !sawACL {
			t.Errorf("the packet should leave through %s's outbound rules", acl)
		}
		if tr.Forward.Code != engine.CodeUnknownDestination {
			t.Errorf("got %s; want %s", tr.Forward.Code, engine.CodeUnknownDestination)
		}
	})

	t.Run("3 from elsewhere in the VPC: NACL inbound, then the security group drops it", func(t *testing.T) {
		// Add a host in a new subnet of the same VPC, as the snapshot has none elsewhere.
		s := loadConformance(t, "test-subnet", func(topo *model.Topology) {
			v := topo.VPCs[0]
			sub := &model.Subnet{ID: "subnet-0elsewhere0000000", VPC: v.ID, CIDR: netip.MustParsePrefix("10.10.200.0/24")}
			topo.Subnets = append(topo.Subnets, sub)
			topo.NetworkInterfaces = append(topo.NetworkInterfaces, &model.NetworkInterface{
				ID: "eni-0elsewhere000000000", VPC: v.ID, Subnet: sub.ID, Type: model.InterfaceTypeInterface,
				PrivateIPs:      []model.PrivateIP{{Addr: netip.MustParseAddr("10.10.200.10"), Primary: true}},
				SourceDestCheck: true, SecurityGroups: []model.SecurityGroupID{topo.DefaultSecurityGroup(v.ID).ID},
			})
			model.ApplyDefaults(topo)
		})
		tr := s.Trace(mustResolve(t, s, "eni-0elsewhere000000000"), mustResolve(t, s, "10.10.1.44"), TraceOptions{})
		sawIn := false
		for _, h := range tr.Forward.Hops {
			sawIn = sawIn || (h.Component.ID == acl && h.Direction == engine.Inbound && h.Action == engine.ActAllow)
		}
		if !sawIn {
			t.Errorf("the packet should pass %s inbound; hops %v", acl, componentIDs(tr.Forward))
		}
		if tr.Forward.Code != engine.CodeSGRulesMismatch {
			t.Errorf("got %s; want %s", tr.Forward.Code, engine.CodeSGRulesMismatch)
		}
	})
}

// §9.8, on a real snapshot: the transit gateway attachment's interface carries transit traffic
// and answers nothing addressed to it.
func TestConformance_TransitGatewayInterfaceAnswersNothing(t *testing.T) {
	s := loadConformance(t, "test-transit-gateway", nil)
	tr := s.Trace(mustResolve(t, s, "i-06ba034d88c84ef07"), mustResolve(t, s, "10.10.10.132"), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	wantDrop(t, tr.Forward, engine.CodeNoPossibleDestination, "eni-00f08ecf4f651037c")
}

// anyProto is Batfish's generic probe: IP protocol 0 (any protocol).
var anyProto = TraceOptions{Protocol: 0}

func wantThrough(t *testing.T, r *engine.Result, ids ...string) {
	t.Helper()
	got := strings.Join(componentIDs(r), " ")
	for _, id := range ids {
		if !strings.Contains(got, id) {
			t.Errorf("path %q does not cross %s", got, id)
		}
	}
}

func TestConformanceVPCPeering(t *testing.T) {
	const (
		instA, instB = "i-06ba034d88c84ef07", "i-0b14080af811fda3d"
		pcxAB        = "pcx-0b89b559e3319d6cf"
	)
	t.Run("1 A to B crosses the peering and is dropped by B's security group", func(t *testing.T) {
		s := loadConformance(t, "test-vpc-peering", nil)
		tr := s.Trace(mustResolve(t, s, instA), mustResolve(t, s, "192.168.1.106"), anyProto)
		r := tr.Forward
		wantThrough(t, r, pcxAB)
		if r.Code != engine.CodeSGRulesMismatch || r.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
		for _, h := range r.Hops[slices.IndexFunc(r.Hops, func(h engine.Hop) bool { return h.Component.ID == pcxAB }):] {
			if h.Component.Kind == engine.KindRouteTable {
				t.Errorf("§0.8: no route table in B on the way in, got %s", h.Component.ID)
			}
		}
	})
	t.Run("2 B to A, dropped by A's security group", func(t *testing.T) {
		s := loadConformance(t, "test-vpc-peering", nil)
		tr := s.Trace(mustResolve(t, s, instB), mustResolve(t, s, "10.10.10.157"), anyProto)
		wantThrough(t, tr.Forward, pcxAB)
		if r := tr.Forward; r.Code != engine.CodeSGRulesMismatch || r.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
	t.Run("3 A to an address of B in none of A's routes: no route", func(t *testing.T) {
		s := loadConformance(t, "test-vpc-peering", nil)
		r := s.Trace(mustResolve(t, s, instA), mustResolve(t, s, "192.168.100.1"), anyProto).Forward
		if r.Code != engine.CodeNoRoute || r.At.Kind != engine.KindRouteTable {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
	t.Run("4 B to A's CIDR in no subnet: crosses and goes nowhere", func(t *testing.T) {
		s := loadConformance(t, "test-vpc-peering", nil)
		r := s.Trace(mustResolve(t, s, instB), mustResolve(t, s, "10.10.100.1"), anyProto).Forward
		wantThrough(t, r, pcxAB)
		wantDrop(t, r, engine.CodeNoPossibleDestination, "vpc-0404e08ceddf7f650")
	})
	t.Run("5 B to an address of A's subnet no interface holds: not delivered", func(t *testing.T) {
		s := loadConformance(t, "test-vpc-peering", nil)
		r := s.Trace(mustResolve(t, s, instB), mustResolve(t, s, "10.10.10.11"), anyProto).Forward
		wantThrough(t, r, pcxAB)
		wantDrop(t, r, engine.CodeNoPossibleDestination, "vpc-0404e08ceddf7f650")
	})
}

func TestConformanceTransitGateway(t *testing.T) {
	const (
		instA, instA2, instB = "i-06ba034d88c84ef07", "i-075e846ed41670385", "i-0b14080af811fda3d"
		rtb                  = "tgw-rtb-0fa40c8df355dce6e"
	)
	t.Run("1 A (us-east-2c) to B through the transit gateway, dropped by B's security group", func(t *testing.T) {
		s := loadConformance(t, "test-transit-gateway", nil)
		r := s.Trace(mustResolve(t, s, instA), mustResolve(t, s, "192.168.1.106"), anyProto).Forward
		wantThrough(t, r, rtb, "eni-00f08ecf4f651037c", "eni-037da70184ed54e2d")
		if r.Code != engine.CodeSGRulesMismatch || r.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
	t.Run("2 B to A through the transit gateway, dropped by A's security group", func(t *testing.T) {
		s := loadConformance(t, "test-transit-gateway", nil)
		r := s.Trace(mustResolve(t, s, instB), mustResolve(t, s, "10.10.10.157"), anyProto).Forward
		wantThrough(t, r, rtb)
		if r.Code != engine.CodeSGRulesMismatch || r.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
	t.Run("3 A's us-east-2a instance: no attachment subnet in its zone", func(t *testing.T) {
		s := loadConformance(t, "test-transit-gateway", nil)
		r := s.Trace(mustResolve(t, s, instA2), mustResolve(t, s, "192.168.1.106"), anyProto).Forward
		wantDrop(t, r, engine.CodeTGWRouteAZRestriction, "tgw-attach-07f5ec59e9f540021")
	})
	t.Run("4 B to A's us-east-2a instance: enters A at the us-east-2c interface, routed by that subnet's table", func(t *testing.T) {
		s := loadConformance(t, "test-transit-gateway", nil)
		r := s.Trace(mustResolve(t, s, instB), mustResolve(t, s, "10.10.20.154"), anyProto).Forward
		wantThrough(t, r, rtb, "eni-00f08ecf4f651037c")
		if r.Code != engine.CodeSGRulesMismatch || r.At.Kind != engine.KindSecurityGroup {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
}

// The cases of test-vpc-endpoint-gateway (§7.4): S3 through the gateway endpoint and back
// from both subnets, the prefix-list route beating 0.0.0.0/0 (§1.2.1), and another AWS
// service's address routed as the tables say.
func TestConformanceVPCEndpointGateway(t *testing.T) {
	const pub, priv = "i-0464d440ca0ee9e34", "i-01c6c0647fdccc89e"
	const vpce, s3 = "vpce-0b7357542bb7b83ec", "52.216.237.77"
	s := loadConformance(t, "test-vpc-endpoint-gateway", nil)
	throughEndpoint := func(t *testing.T, from string) {
		t.Helper()
		tr := s.Trace(mustResolve(t, s, from), mustResolve(t, s, s3), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
		f := tr.Forward
		if f.Outcome != engine.Exited || f.Exit.Gateway != (engine.Component{Kind: engine.KindVPCEndpoint, ID: vpce}) ||
			f.Exit.To.Kind != engine.KindAWSService || f.Exit.To.ID != "com.amazonaws.us-east-1.s3" {
			t.Fatalf("forward: got %v %s at %s (%s), exit %+v", f.Outcome, f.Code, f.At, f.Detail, f.Exit)
		}
		wantThrough(t, f, vpce)
		if tr.Return == nil || tr.Return.Outcome != engine.Delivered || tr.Return.Packet.TCPFlags != packet.TCPSyn|packet.TCPAck {
			t.Fatalf("return: %+v", tr.Return)
		}
		wantThrough(t, tr.Return, vpce)
	}
	t.Run("1 the private instance to S3: through the gateway endpoint and back", func(t *testing.T) { throughEndpoint(t, priv) })
	t.Run("2 the public instance to S3: the prefix-list route beats 0.0.0.0/0", func(t *testing.T) { throughEndpoint(t, pub) })
	t.Run("3 the private instance to another AWS service: no route", func(t *testing.T) {
		r := s.Trace(mustResolve(t, s, priv), mustResolve(t, s, "54.222.57.1"), TraceOptions{Protocol: packet.ProtoTCP, Port: 443}).Forward
		if r.Code != engine.CodeNoRoute {
			t.Fatalf("got %s at %s (%s)", r.Code, r.At, r.Detail)
		}
	})
	t.Run("4 the public instance to another AWS service: out through the internet gateway and back", func(t *testing.T) {
		tr := s.Trace(mustResolve(t, s, pub), mustResolve(t, s, "54.222.57.1"), TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
		if tr.Forward.Outcome != engine.Exited || tr.Forward.Exit.Gateway.Kind != engine.KindInternetGateway {
			t.Fatalf("got %v %s at %s (%s)", tr.Forward.Outcome, tr.Forward.Code, tr.Forward.At, tr.Forward.Detail)
		}
		if tr.Return == nil || tr.Return.Outcome != engine.Delivered {
			t.Fatalf("return: %+v", tr.Return)
		}
	})
}

// exampleLab loads examples/<dir>/lab.yaml, compiles it (no problem may be reported) and
// starts a simulation of it.
func exampleLab(t *testing.T, dir string) (*model.Topology, *Sim) {
	t.Helper()
	topo, probs := topology.Load(filepath.Join("..", "..", "examples", dir, "lab.yaml"))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	n, cp := engine.Compile(topo)
	if len(cp) > 0 {
		t.Fatal(cp)
	}
	return topo, NewSim(n, 1)
}
