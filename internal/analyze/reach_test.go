package analyze

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
)

const narrowed = "../../examples/east-west-nat/lab-sg-narrowed.yaml"

func reach(t *testing.T, yaml, from, to string, q Query) *Reach {
	t.Helper()
	n := labNet(t, yaml)
	f, d := endpoints(t, n, from, to)
	return New(n, 1).Reach(f, d, q)
}

// partOf returns the part holding a header: class, value of A, value of B (ports: dst, src).
func partOf(t *testing.T, r *Reach, c Class, a, b int) *Part {
	t.Helper()
	for _, p := range r.Parts {
		for _, at := range p.atoms {
			if at.class == c && at.a.contains(a) && at.b.contains(b) {
				return p
			}
		}
	}
	t.Fatalf("no part holds class %d %d/%d", c, a, b)
	return nil
}

func codes(bs []Blocker) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Path+" "+b.Code+" "+b.At.Name)
	}
	return out
}

// Done when: on the narrowed lab, reach reports the path blocked at the destination's
// security group and says the destination sees the NAT gateway's address.
func TestReachNarrowedSG(t *testing.T) {
	r := reach(t, labFile(t, narrowed), "source", "destination", Everything())
	for _, c := range []Class{ClassTCP, ClassUDP} {
		p := partOf(t, r, c, 443, 40000)
		if p.Reachable || !slices.Equal(codes(p.Outcome.Blockers), []string{"forward ENI_SG_RULES_MISMATCH src-subnet-only"}) {
			t.Errorf("class %d: reachable=%v blockers %v; want only the destination's group", c, p.Reachable, codes(p.Outcome.Blockers))
		}
		if p.Outcome.Seen != netip.MustParseAddr("10.0.2.149") {
			t.Errorf("destination sees %v, want the NAT gateway's 10.0.2.149", p.Outcome.Seen)
		}
	}
	// Other protocols stop at the NAT gateway (§2.2.6), and so do ICMP types other than echo.
	for _, p := range []*Part{partOf(t, r, ClassICMP, 3, 0)} {
		if got := codes(p.Outcome.Blockers); !slices.Equal(got, []string{"forward VPCLAB_NGW_UNSUPPORTED_PROTOCOL osaka-NAT"}) {
			t.Errorf("ICMP type 3: %v", got)
		}
	}
	var sb strings.Builder
	r.WriteText(&sb, false)
	for _, want := range []string{"TCP; UDP; ICMP type 8: blocked; destination would see 10.0.2.149",
		"(src-subnet-only) inbound: no rule allows them [ENI_SG_RULES_MISMATCH]", "other protocols: blocked"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, sb.String())
		}
	}
}

// Done when: with a NACL deny added, both blockers are listed, in path order.
func TestReachEveryBlockerInPathOrder(t *testing.T) {
	lab := labFile(t, narrowed) + `network_acls:
  strict:
    subnets: [dst]
    ingress:
      - {rule: 100, action: deny, protocol: all, cidr: 10.0.2.0/24}
      - {rule: 200, action: allow, protocol: all, cidr: 0.0.0.0/0}
    egress:
      - {rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}
`
	r := reach(t, lab, "source", "destination", Query{Protocol: 6, DstPorts: Interval{443, 443}, SrcPorts: AllPorts, ICMPTypes: allICMP})
	if len(r.Parts) != 1 {
		t.Fatalf("%d parts, want 1", len(r.Parts))
	}
	want := []string{"forward SUBNET_ACL_RESTRICTION strict", "forward ENI_SG_RULES_MISMATCH src-subnet-only"}
	if got := codes(r.Parts[0].Outcome.Blockers); !slices.Equal(got, want) {
		t.Errorf("blockers %v, want %v", got, want)
	}
	if b := r.Parts[0].Outcome.Blockers[0]; b.Rule != 100 || b.Direction != engine.Inbound {
		t.Errorf("NACL blocker %+v: want rule 100 inbound", b)
	}
}

const twoSubnets = `vpc: {name: v, cidr: 10.0.0.0/16}
subnets:
  a: {cidr: 10.0.0.0/24}
  b: {cidr: 10.0.1.0/24}
security_groups:
  web: {ingress: [{protocol: tcp, port: 22, cidr: 10.0.0.0/16}, {protocol: tcp, port: 443, cidr: 0.0.0.0/0}]}
instances:
  x: {subnet: a, private_ip: 10.0.0.10}
  y: {subnet: b, private_ip: 10.0.1.10, security_groups: [web]}
`

// Done when: no protocol or port on a pair whose group admits only TCP 22 and 443 gives
// exactly those as reachable and the rest blocked.
func TestReachOnlyTCP22And443(t *testing.T) {
	r := reach(t, twoSubnets, "x", "y", Everything())
	var reachable []*Part
	for _, p := range r.Parts {
		if p.Reachable {
			reachable = append(reachable, p)
		}
	}
	if len(reachable) != 1 {
		t.Fatalf("%d reachable parts, want 1", len(reachable))
	}
	sp := reachable[0].Space
	want := Space{{Class: ClassTCP, A: []Interval{{22, 22}, {443, 443}}, B: []Interval{AllPorts}}}
	if sp.Text(r.Query) != "TCP 22, 443" || len(sp) != 1 || !slices.Equal(sp[0].A, want[0].A) || !slices.Equal(sp[0].B, want[0].B) {
		t.Errorf("reachable space %q %+v, want TCP 22 and 443 from every source port", sp.Text(r.Query), sp)
	}
	for _, p := range r.Parts {
		if !p.Reachable && !strings.Contains(p.Space.Text(r.Query), "TCP 0-21, 23-442, 444-65535") &&
			!slices.ContainsFunc(p.Space, func(b Box) bool { return b.Class != ClassTCP }) {
			t.Errorf("blocked part %q covers no expected range", p.Space.Text(r.Query))
		}
	}
	if r.Reachable() {
		t.Error("Reach.Reachable must be false when some part is blocked")
	}
	// Asking for TCP 443 alone: one part, reachable.
	r = reach(t, twoSubnets, "x", "y", Query{Protocol: 6, DstPorts: Interval{443, 443}, SrcPorts: AllPorts, ICMPTypes: allICMP})
	if len(r.Parts) != 1 || !r.Reachable() || r.Parts[0].Space.Text(r.Query) != "TCP 443" {
		t.Errorf("tcp 443: %d parts, reachable %v", len(r.Parts), r.Reachable())
	}
}

// NACLs are stateless: the answer needs the source's ports allowed on the way back (§5.6).
func TestReachReturnNACLSplitsSourcePorts(t *testing.T) {
	lab := twoSubnets + `network_acls:
  strict:
    subnets: [b]
    ingress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]
    egress: [{rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0}]
`
	r := reach(t, lab, "x", "y", Query{Protocol: 6, DstPorts: Interval{443, 443}, SrcPorts: AllPorts, ICMPTypes: allICMP})
	if len(r.Parts) != 2 {
		t.Fatalf("%d parts, want 2 (source ports below and above 1024)", len(r.Parts))
	}
	low, high := partOf(t, r, ClassTCP, 443, 80), partOf(t, r, ClassTCP, 443, 40000)
	if !high.Reachable || low.Reachable {
		t.Errorf("source port 80: reachable=%v, 40000: %v", low.Reachable, high.Reachable)
	}
	if got := codes(low.Outcome.Blockers); !slices.Equal(got, []string{"return SUBNET_ACL_RESTRICTION strict"}) {
		t.Errorf("low source ports: blockers %v", got)
	}
	if got := low.Space.Text(r.Query); got != "TCP 443 from source ports 0-1023" {
		t.Errorf("low part %q", got)
	}
}

// A NACL that admits only part of 1024-65535 on the way back to a NAT gateway fails some
// connections (§2.2.3, §5.6).
func TestReachRemapEphemeralPort(t *testing.T) {
	base := strings.Replace(labFile(t, "../../examples/east-west-nat/lab.yaml"), "subnets:\n",
		"subnets:\n", 1) + "network_acls:\n  strict:\n    subnets: [dst]\n    ingress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]\n"
	q := Query{Protocol: 6, DstPorts: Interval{443, 443}, SrcPorts: Interval{40000, 40000}, ICMPTypes: allICMP}
	ok := reach(t, base+"    egress: [{rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0}]\n", "source", "destination", q)
	if !ok.Reachable() {
		t.Fatalf("1024-65535 open on the way back: %v", codes(ok.Parts[0].Outcome.Blockers))
	}
	narrow := reach(t, base+"    egress: [{rule: 100, action: allow, protocol: tcp, ports: 32768-65535, cidr: 0.0.0.0/0}]\n", "source", "destination", q)
	bs := narrow.Parts[0].Outcome.Blockers
	if narrow.Reachable() || len(bs) != 1 || bs[0].Path != PathReturn || bs[0].At.Name != "strict" ||
		bs[0].Code != CodeRemapEphemeralPort && bs[0].Code != engine.CodeSubnetACL {
		t.Errorf("32768-65535 open on the way back: %v", codes(bs))
	}
}

// The answer from destination to source goes back through the NAT gateway (the source
// subnet's route), so it arrives from the wrong address: asymmetric routing (§1.2.5).
func TestReachAsymmetricNAT(t *testing.T) {
	r := reach(t, labFile(t, "../../examples/east-west-nat/lab.yaml"), "destination", "source",
		Query{Protocol: 6, DstPorts: Interval{22, 22}, SrcPorts: AllPorts, ICMPTypes: allICMP})
	got := codes(r.Parts[0].Outcome.Blockers)
	if r.Reachable() || !slices.Contains(got, "return "+CodeReplySourceMismatch+" osaka-NAT") {
		t.Errorf("blockers %v; want the NAT gateway named for translating the answer", got)
	}
}

// asymmetricLab is the bundled example: x's traffic to y goes through appliance fw, y's
// answers straight back, so fw sees one direction of every flow.
func asymmetricLab(t *testing.T, forwarding string) string {
	name := "lab.yaml"
	if forwarding == "stateful" {
		name = "lab-stateful.yaml"
	}
	return labFile(t, "../../examples/asymmetric-appliance/"+name)
}

// §1.2.5: the VPC does not drop a flow whose directions take different paths, so with the
// default stateless appliance both directions reach, through fw one way.
func TestReachAsymmetricAppliance_1_2_5_StatelessDefault(t *testing.T) {
	for _, pair := range [][2]string{{"x", "y"}, {"y", "x"}} {
		r := reach(t, asymmetricLab(t, "stateless"), pair[0], pair[1], Query{Protocol: 6, DstPorts: Interval{22, 22}, SrcPorts: AllPorts, ICMPTypes: allICMP})
		if !r.Reachable() {
			t.Errorf("%s -> %s: blockers %v; a stateless appliance on one direction blocks nothing", pair[0], pair[1], codes(r.Parts[0].Outcome.Blockers))
		}
	}
}

// §13.13: a stateful appliance's OS forwards only flows it saw start. From x it sees the SYN
// (a flow start) and passes it; from y it sees only x's SYN-ACK and drops it.
func TestReachAsymmetricAppliance_13_13_Stateful(t *testing.T) {
	q := Query{Protocol: 6, DstPorts: Interval{22, 22}, SrcPorts: AllPorts, ICMPTypes: allICMP}
	if r := reach(t, asymmetricLab(t, "stateful"), "x", "y", q); !r.Reachable() {
		t.Errorf("x -> y: blockers %v; the stateful appliance sees the flow start", codes(r.Parts[0].Outcome.Blockers))
	}
	r := reach(t, asymmetricLab(t, "stateful"), "y", "x", q)
	got := codes(r.Parts[0].Outcome.Blockers)
	if r.Reachable() || !slices.Equal(got, []string{"return " + engine.CodeAsymmetricInspection + " fw"}) {
		t.Errorf("y -> x: blockers %v; want the appliance's drop of the answer", got)
	}
}

func TestSpaceText(t *testing.T) {
	q := Everything()
	for _, c := range []struct {
		b    Box
		want string
	}{
		{Box{Class: ClassTCP, A: []Interval{AllPorts}, B: []Interval{AllPorts}}, "TCP"},
		{Box{Class: ClassUDP, A: []Interval{{53, 53}}, B: []Interval{{0, 1023}}}, "UDP 53 from source ports 0-1023"},
		{Box{Class: ClassICMP, A: []Interval{{8, 8}}, B: []Interval{{0, 255}}}, "ICMP type 8"},
		{Box{Class: ClassOther, Protos: q.otherProtos()}, "other protocols"},
		{Box{Class: ClassOther, Protos: []Interval{{50, 50}}}, "protocol 50"},
		{Box{Class: ClassOther, Protos: []Interval{{0, 0}, {2, 5}, {7, 16}, {18, 49}, {51, 255}}}, "other protocols but 50"},
	} {
		if got := c.b.Text(q); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
	if got := (cuts{22, 23, 443, 444}).split(AllPorts); !slices.Equal(got, []Interval{{0, 21}, {22, 22}, {23, 442}, {443, 443}, {444, 65535}}) {
		t.Errorf("split: %v", got)
	}
}

// From the internet, an instance is reached at its public IP (§3.4), named either way.
func TestReachFromInternet(t *testing.T) {
	lab := `vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  pub: {cidr: 10.0.0.0/24, route_table: pub-rt}
route_tables:
  pub-rt: {routes: {0.0.0.0/0: igw}}
security_groups:
  web: {ingress: [{protocol: tcp, port: 443, cidr: 0.0.0.0/0}]}
instances:
  web: {subnet: pub, private_ip: 10.0.0.10, public_ip: 54.1.2.3, security_groups: [web]}
internet_hosts:
  client: 198.51.100.7
`
	q := Query{Protocol: 6, DstPorts: AllPorts, SrcPorts: AllPorts, ICMPTypes: allICMP}
	for _, to := range []string{"web", "54.1.2.3"} {
		r := reach(t, lab, "client", to, q)
		p := partOf(t, r, ClassTCP, 443, 40000)
		if len(r.Parts) != 2 || !p.Reachable || p.Space.Text(q) != "TCP 443" || p.Outcome.Seen != netip.MustParseAddr("198.51.100.7") {
			t.Errorf("to %s: %d parts, 443 reachable=%v %q %v", to, len(r.Parts), p.Reachable, p.Space.Text(q), codes(p.Outcome.Blockers))
		}
	}
}

// §4.1.6: behind a NAT gateway, a rule referencing the source's group does not match. Which
// code the destination's group blocks with depends on whether such a rule covers the header
// (SG_REFERENCES_NOT_PRESERVED for TCP 22 here, ENI_SG_RULES_MISMATCH for the rest), so the
// referencing rule cuts the header space too.
func TestReachSGReferenceThroughNAT_4_1_6(t *testing.T) {
	lab := `vpc: {name: v, cidr: 10.0.0.0/16}
subnets:
  src: {cidr: 10.0.0.0/24, route_table: src-rt}
  dst: {cidr: 10.0.1.0/24}
  nat: {cidr: 10.0.2.0/24}
nat_gateways:
  gw: {subnet: nat, connectivity: private, private_ip: 10.0.2.149}
route_tables:
  src-rt: {routes: {10.0.1.0/24: gw}}
security_groups:
  app: {}
  db: {ingress: [{protocol: tcp, port: 22, group: app}]}
instances:
  source: {subnet: src, private_ip: 10.0.0.11, security_groups: [app]}
  destination: {subnet: dst, private_ip: 10.0.1.55, security_groups: [db]}
`
	r := reach(t, lab, "source", "destination", Query{Protocol: 6, DstPorts: AllPorts, SrcPorts: AllPorts, ICMPTypes: allICMP})
	if p := partOf(t, r, ClassTCP, 22, 40000); !slices.Equal(codes(p.Outcome.Blockers), []string{"forward " + engine.CodeSGReferencesNotKept + " db"}) {
		t.Errorf("TCP 22: %v", codes(p.Outcome.Blockers))
	}
	if p := partOf(t, r, ClassTCP, 80, 40000); !slices.Equal(codes(p.Outcome.Blockers), []string{"forward " + engine.CodeSGRulesMismatch + " db"}) {
		t.Errorf("TCP 80: %v", codes(p.Outcome.Blockers))
	}
}

// §7.4.5, §7.4.7: through a gateway endpoint, reach splits TCP at the ports the service
// answers on (80, 443), carries ICMP echo, and blocks UDP at the endpoint.
func TestReachThroughGatewayEndpoint_7_4(t *testing.T) {
	r := reach(t, labFile(t, "../../examples/gateway-endpoint/lab.yaml"), "app", "52.216.1.1", Everything())
	for _, port := range []int{80, 443} {
		if p := partOf(t, r, ClassTCP, port, 40000); !p.Reachable || !p.Outcome.Back {
			t.Errorf("TCP %d: reachable %v, answered %v; want both", port, p.Reachable, p.Outcome.Back)
		}
	}
	if p := partOf(t, r, ClassTCP, 22, 40000); !p.Reachable || p.Outcome.Replies {
		t.Errorf("TCP 22: reachable %v, replies %v; want reachable and unanswered", p.Reachable, p.Outcome.Replies)
	}
	if p := partOf(t, r, ClassICMP, 8, 0); !p.Reachable || !p.Outcome.Back {
		t.Errorf("ping: reachable %v, answered %v", p.Reachable, p.Outcome.Back)
	}
	if p := partOf(t, r, ClassUDP, 53, 40000); p.Reachable || !slices.ContainsFunc(codes(p.Outcome.Blockers), func(s string) bool {
		return strings.HasPrefix(s, "forward VPCE_GATEWAY_PROTOCOL_RESTRICTION")
	}) {
		t.Errorf("UDP 53: reachable %v, blockers %v", p.Reachable, codes(p.Outcome.Blockers))
	}
}
