package lab

import (
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

const examples = "../../../examples"

func loadExample(t *testing.T, rel string) *model.Topology {
	t.Helper()
	top, ps := Load(filepath.Join(examples, rel))
	if len(ps) > 0 {
		t.Fatalf("%s: want no problems, got:\n%v", rel, ps)
	}
	return top
}

// find returns the object of xs whose name is name.
func find[T any](t *testing.T, xs []*T, name string, nameOf func(*T) string) *T {
	t.Helper()
	for _, x := range xs {
		if nameOf(x) == name {
			return x
		}
	}
	t.Fatalf("no object named %q", name)
	return nil
}

func routeTo(t *testing.T, rt *model.RouteTable, dest string) model.Route {
	t.Helper()
	for _, r := range rt.Routes {
		if r.DestinationString() == dest {
			return r
		}
	}
	t.Fatalf("route table %s has no route to %s: %+v", rt.Name, dest, rt.Routes)
	return model.Route{}
}

func rtNamed(t *testing.T, top *model.Topology, name string) *model.RouteTable {
	return find(t, top.RouteTables, name, func(r *model.RouteTable) string { return r.Name })
}

func TestExampleEastWestNAT(t *testing.T) {
	top := loadExample(t, "east-west-nat/lab.yaml")
	again := loadExample(t, "east-west-nat/lab.yaml")
	if !reflect.DeepEqual(top, again) {
		t.Errorf("two loads of the same lab differ: IDs or order are not stable")
	}
	if len(top.VPCs) != 1 || top.VPCs[0].Name != "osaka" || top.VPCs[0].ID != model.VPCID(model.DeriveID("vpc", "vpc/osaka")) {
		t.Fatalf("VPCs = %+v", top.VPCs)
	}
	nat := find(t, top.NATGateways, "osaka-NAT", func(n *model.NATGateway) string { return n.Name })
	if nat.Connectivity != model.ConnectivityPrivate || len(nat.Addresses) != 1 ||
		nat.Addresses[0].PrivateIP != netip.MustParseAddr("10.0.2.149") || nat.Addresses[0].PublicIP.IsValid() {
		t.Errorf("NAT gateway = %+v", nat)
	}
	if s := top.Subnet(nat.Subnet); s == nil || s.CIDR.String() != "10.0.2.0/24" {
		t.Errorf("NAT gateway subnet = %+v", s)
	}
	igw := top.InternetGateways[0]
	src := rtNamed(t, top, "src-rt")
	if r := routeTo(t, src, "10.0.1.0/24"); r.Target != (model.Target{Kind: model.TargetNATGateway, ID: string(nat.ID)}) || r.State != model.RouteActive {
		t.Errorf("src-rt 10.0.1.0/24 = %+v, want the NAT gateway %s", r, nat.ID)
	}
	if r := routeTo(t, src, "0.0.0.0/0"); r.Target.ID != string(igw.ID) || r.Src.Line != 14 {
		t.Errorf("src-rt 0.0.0.0/0 = %+v, want %s at line 14", r, igw.ID)
	}
	if r := routeTo(t, src, "10.0.0.0/16"); r.Target.Kind != model.TargetLocal {
		t.Errorf("src-rt local route = %+v", r)
	}
	if nrt := rtNamed(t, top, "nat-rt"); len(nrt.Routes) != 1 {
		t.Errorf("nat-rt routes = %+v, want the local route only", nrt.Routes)
	}
	srcSubnet := find(t, top.Subnets, "src", func(s *model.Subnet) string { return s.Name })
	if len(src.Subnets) != 1 || src.Subnets[0] != srcSubnet.ID {
		t.Errorf("src-rt associations = %v", src.Subnets)
	}
	mains := 0
	for _, rt := range top.RouteTables {
		if rt.Main {
			mains++
		}
	}
	if mains != 1 {
		t.Errorf("%d main route tables", mains)
	}
	in := find(t, top.Instances, "destination", func(i *model.Instance) string { return i.Name })
	eni := top.ENI(in.ENIs[0])
	sg := find(t, top.SecurityGroups, "vpc-only", func(g *model.SecurityGroup) string { return g.Name })
	if eni.PrimaryIP() != netip.MustParseAddr("10.0.1.55") || !eni.SourceDestCheck || len(eni.SecurityGroups) != 1 ||
		eni.SecurityGroups[0] != sg.ID || in.InitialTTL != 255 || !strings.HasPrefix(eni.MAC, "02:") || len(eni.MAC) != 17 {
		t.Errorf("destination ENI = %+v, instance = %+v", eni, in)
	}
	if len(sg.Egress) != 1 || sg.Egress[0].CIDR.String() != "0.0.0.0/0" || sg.Egress[0].Protocol != model.ProtocolAll {
		t.Errorf("vpc-only egress = %+v, want AWS's all-outbound rule (§4.1.2)", sg.Egress)
	}
}

func TestExampleSGNarrowed(t *testing.T) {
	top := loadExample(t, "east-west-nat/lab-sg-narrowed.yaml")
	in := find(t, top.Instances, "destination", func(i *model.Instance) string { return i.Name })
	g := top.SecurityGroup(top.ENI(in.ENIs[0]).SecurityGroups[0])
	if g.Name != "src-subnet-only" || len(g.Ingress) != 1 || g.Ingress[0].CIDR.String() != "10.0.0.0/24" {
		t.Errorf("destination SG = %+v", g)
	}
	// The same names give the same IDs as in lab.yaml: the two labs diff cleanly.
	base := loadExample(t, "east-west-nat/lab.yaml")
	if base.NATGateways[0].ID != top.NATGateways[0].ID || base.Instances[0].ID != top.Instances[0].ID {
		t.Errorf("IDs differ between the two variants of one lab")
	}
}

func TestExampleNATToDirectConnect(t *testing.T) {
	top := loadExample(t, "nat-to-direct-connect/lab.yaml")
	nat := top.NATGateways[0]
	if nat.Connectivity != model.ConnectivityPublic || nat.Addresses[0].PrivateIP.String() != "10.0.0.100" ||
		nat.Addresses[0].PublicIP.String() != "203.0.113.10" || nat.Addresses[0].AllocationID == "" {
		t.Errorf("NAT gateway = %+v", nat)
	}
	natENI := top.ENI(nat.Addresses[0].ENI)
	if natENI == nil || natENI.Type != model.InterfaceTypeNATGateway || natENI.PrivateIPs[0].PublicIP.String() != "203.0.113.10" {
		t.Errorf("NAT gateway ENI = %+v", natENI)
	}
	if len(top.Addresses) != 1 || top.Addresses[0].ENI != natENI.ID {
		t.Errorf("Elastic IPs = %+v", top.Addresses)
	}
	vgw := top.VPNGateways[0]
	if vgw.VPC != top.VPCs[0].ID || vgw.ASN != 64512 {
		t.Errorf("VGW = %+v", vgw)
	}
	if r := routeTo(t, rtNamed(t, top, "public-rt"), "192.168.1.0/24"); r.Target != (model.Target{Kind: model.TargetVPNGateway, ID: string(vgw.ID)}) {
		t.Errorf("public-rt 192.168.1.0/24 = %+v", r)
	}
	if r := routeTo(t, rtNamed(t, top, "private-rt"), "0.0.0.0/0"); r.Target != (model.Target{Kind: model.TargetNATGateway, ID: string(nat.ID)}) {
		t.Errorf("private-rt 0.0.0.0/0 = %+v", r)
	}
	if len(top.VPNConnections) != 1 || top.VPNConnections[0].VPNGateway != vgw.ID ||
		len(top.VPNConnections[0].StaticRoutes) != 1 || top.VPNConnections[0].StaticRoutes[0].String() != "192.168.1.0/24" {
		t.Errorf("VPN connections = %+v", top.VPNConnections)
	}
	dc := top.OnPremises[0]
	if dc.VPNGateway != vgw.ID || len(dc.Hosts) != 1 || dc.Hosts[0].Name != "serverB" || dc.Hosts[0].IP.String() != "192.168.1.10" {
		t.Errorf("on-premises = %+v", dc)
	}
	if len(top.InternetHosts) != 1 || top.InternetHosts[0].IP.String() != "198.51.100.80" {
		t.Errorf("internet hosts = %+v", top.InternetHosts)
	}
}

// TestBadInput: mistakes as a new user makes them, each reported at its file:line with a
// message that names the value.
func TestBadInput(t *testing.T) {
	const head = "vpc: {name: osaka, cidr: 10.0.0.0/16, internet_gateway: igw}\n" // line 1
	tests := []struct {
		name, lab string
		line      int
		want      string
	}{
		{"yaml syntax: bad indent", head + "subnets:\n  src: {cidr: 10.0.0.0/24}\n   dst: {cidr: 10.0.1.0/24}\n",
			4, "YAML syntax error: did not find expected key"},
		{"yaml syntax: tab", head + "subnets:\n\tsrc: {cidr: 10.0.0.0/24}\n",
			3, "YAML syntax error: found character that cannot start any token"},
		{"yaml syntax: unclosed flow", "vpc: {name: osaka, cidr: 10.0.0.0/16\nsubnets: {}\n",
			1, "YAML syntax error: did not find expected ',' or '}'"},
		{"top-level typo", head + "securty_groups:\n  web: {}\n",
			2, `unknown key "securty_groups"; did you mean "security_groups"?`},
		{"nested typo", head + "subnets:\n  src: {cidir: 10.0.0.0/24}\n",
			3, `unknown key "cidir" in subnet src; did you mean "cidr"?`},
		{"route to a missing target", head + `subnets:
  src: {cidr: 10.0.0.0/24, route_table: src-rt}
  nat: {cidr: 10.0.2.0/24}
nat_gateways:
  osaka-NAT: {subnet: nat, connectivity: private}
route_tables:
  src-rt:
    routes:
      0.0.0.0/0: igw
      10.0.1.0/24: osaka-NAT2
`, 11, `route 10.0.1.0/24 in src-rt: no NAT gateway, internet gateway, VPN gateway, instance, ENI, peering, transit gateway, VPC endpoint or firewall endpoint (firewall:NAME/AZ) named "osaka-NAT2"; did you mean "osaka-NAT"?`},
		{"overlapping subnets", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\n  b: {cidr: 10.0.0.128/25}\n",
			4, "subnet b: CIDR 10.0.0.128/25 overlaps subnet a (10.0.0.0/24) (§6.3)"},
		{"bad CIDR", head + "subnets:\n  a: {cidr: 10.0.0.0/33}\n",
			3, `subnet a: bad CIDR "10.0.0.0/33"`},
		{"CIDR with host bits", head + "subnets:\n  a: {cidr: 10.0.1.5/24}\n",
			3, `bad CIDR "10.0.1.5/24": host bits are set; did you mean 10.0.1.0/24?`},
		{"CIDR without length", head + "security_groups:\n  web: {ingress: [{protocol: tcp, port: 22, cidr: 10.0.0.5}]}\n",
			3, `bad CIDR "10.0.0.5": a single address is written 10.0.0.5/32`},
		{"public NAT without EIP", head + "subnets:\n  pub: {cidr: 10.0.0.0/24}\nnat_gateways:\n  nat: {subnet: pub}\n",
			5, "NAT gateway nat: a public NAT gateway needs an Elastic IP (§2.1.2)"},
		{"public NAT without IGW", "vpc: {name: osaka, cidr: 10.0.0.0/16}\nsubnets:\n  pub: {cidr: 10.0.0.0/24}\nnat_gateways:\n  nat: {subnet: pub, elastic_ip: 203.0.113.10}\n",
			5, "NAT gateway nat: VPC osaka has no internet gateway attached"},
		{"port range 443-80", head + "security_groups:\n  web:\n    ingress:\n      - {protocol: tcp, ports: 443-80, cidr: 0.0.0.0/0}\n",
			5, `security group web: inbound rule 1: bad port range "443-80": 443 is above 80; write 80-443`},
		{"protocol tpc", head + "security_groups:\n  web:\n    ingress:\n      - protocol: tpc\n        port: 443\n        cidr: 0.0.0.0/0\n",
			5, `security group web: inbound rule 1: bad protocol "tpc"; did you mean "tcp"?`},
		{"port on icmp", head + "security_groups:\n  web: {ingress: [{protocol: icmp, port: 8, cidr: 0.0.0.0/0}]}\n",
			3, "ports are for tcp and udp rules; use icmp_type and icmp_code"},
		{"rule with two peers", head + "security_groups:\n  web: {ingress: [{protocol: all, cidr: 0.0.0.0/0, group: web}]}\n",
			3, "give exactly one of cidr, prefix_list or group"},
		{"rule without protocol", head + "security_groups:\n  web: {ingress: [{cidr: 0.0.0.0/0}]}\n",
			3, "needs a protocol"},
		{"unknown security group", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  web: {subnet: a, security_groups: [wbe]}\nsecurity_groups:\n  web: {}\n",
			5, `instance web: security_groups: no security group named "wbe"; did you mean "web"?`},
		{"duplicate subnet name", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\n  a: {cidr: 10.0.1.0/24}\n",
			4, `duplicate subnet name "a" (first at line 3)`},
		{"instance in unknown subnet", head + "instances:\n  web: {subnet: pubilc}\nsubnets:\n  public: {cidr: 10.0.0.0/24}\n",
			3, `instance web: subnet: no subnet named "pubilc"; did you mean "public"?`},
		{"bad IP", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  web: {subnet: a, private_ip: 10.0.0.300}\n",
			5, `instance web: private_ip: bad IP address "10.0.0.300"`},
		{"reserved IP", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  web: {subnet: a, private_ip: 10.0.0.1}\n",
			5, "private IP 10.0.0.1 is reserved in subnet a (10.0.0.0/24): the VPC router (§6.4)"},
		{"IP outside subnet", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  web: {subnet: a, private_ip: 10.0.1.10}\n",
			5, "private IP 10.0.1.10 is not in subnet a (10.0.0.0/24)"},
		{"same IP twice", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  x: {subnet: a, private_ip: 10.0.0.10}\n  y: {subnet: a, private_ip: 10.0.0.10}\n",
			6, "private IP 10.0.0.10 is already used by network interface x-eth0"},
		{"several VPCs, no vpc:", "vpcs:\n  a: {cidr: 10.0.0.0/16}\n  b: {cidr: 10.1.0.0/16}\nsubnets:\n  s: {cidr: 10.0.0.0/24}\n",
			5, "subnet s: the lab has several VPCs; say which with vpc: (one of a, b)"},
		{"vpc and vpcs", head + "vpcs:\n  a: {cidr: 10.1.0.0/16}\n", 2, "write vpc (one VPC) or vpcs (several), not both"},
		{"no VPC", "subnets:\n  a: {cidr: 10.0.0.0/24}\n", 1, "the lab has no VPC"},
		{"route inside the VPC, not a subnet", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  fw: {subnet: a}\nroute_tables:\n  rt: {routes: {10.0.128.0/17: fw}}\n",
			7, "route 10.0.128.0/17 in rt: a route inside VPC osaka's CIDR must be exactly a subnet's CIDR (§1.2.5)"},
		{"route inside the VPC to an IGW", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\nroute_tables:\n  rt: {routes: {10.0.0.0/24: igw}}\n",
			5, "can only target a NAT gateway, network interface, instance or VPC endpoint"},
		{"route into the reserved range", head + "route_tables:\n  rt: {routes: {169.254.169.0/24: igw}}\n",
			3, "the destination lies in the reserved range 169.254.168.0/22 (§1.1.7)"},
		{"route destination typo", head + "route_tables:\n  rt: {routes: {0.0.0.0/00: igw}}\n",
			3, `route 0.0.0.0/00 in rt: bad CIDR "0.0.0.0/00"`},
		{"route twice", head + "route_tables:\n  rt:\n    routes:\n      0.0.0.0/0: igw\n      0.0.0.0/0: igw\n",
			6, "route 0.0.0.0/0 in rt: written twice (first at line 5)"},
		{"ambiguous target", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\nnat_gateways:\n  x: {subnet: a, connectivity: private}\ninstances:\n  x: {subnet: a}\nroute_tables:\n  rt: {routes: {0.0.0.0/0: x}}\n",
			9, `"x" names more than one object; write one of nat:x, instance:x`},
		{"private NAT with EIP", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\nnat_gateways:\n  n: {subnet: a, connectivity: private, elastic_ip: 203.0.113.9}\n",
			5, "NAT gateway n: a private NAT gateway cannot have an Elastic IP (§2.1.3)"},
		{"private EIP", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\nnat_gateways:\n  n: {subnet: a, elastic_ip: 10.9.9.9}\n",
			5, "10.9.9.9 is not a public IPv4 address"},
		{"bad connectivity", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\nnat_gateways:\n  n: {subnet: a, connectivity: privte}\n",
			5, `connectivity: bad value "privte"; did you mean "private"? (want public, private)`},
		{"NACL rule number", head + "network_acls:\n  n:\n    ingress:\n      - {rule: 0, action: allow, protocol: all, cidr: 0.0.0.0/0}\n",
			5, "network ACL n: inbound rule 0: rule numbers are 1-32766 (§5.1)"},
		{"NACL rule twice", head + "network_acls:\n  n:\n    egress:\n      - {rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}\n      - {rule: 100, action: deny, protocol: tcp, cidr: 0.0.0.0/0}\n",
			6, "network ACL n: outbound rule 100: the number is used twice in the outbound rules (§5.1)"},
		{"NACL bad action", head + "network_acls:\n  n:\n    egress:\n      - {rule: 100, action: permit, protocol: all, cidr: 0.0.0.0/0}\n",
			5, `action: bad value "permit"`},
		{"two IGWs", head + "internet_gateways:\n  second: {}\n",
			3, "internet gateway second: VPC osaka already has internet gateway igw attached; a VPC has at most one (§3.1)"},
		{"second YAML document", head + "---\nsubnets: {}\n", 2, "a lab file holds one YAML document"},
		{"empty", "", 1, "the lab is empty"},
		{"not a mapping", "- vpc\n", 1, "a lab file is a mapping of top-level keys"},
		{"subnet outside VPC", head + "subnets:\n  a: {cidr: 10.1.0.0/24}\n",
			3, "subnet a: CIDR 10.1.0.0/24 is not inside VPC osaka [10.0.0.0/16] (§6.3)"},
		{"subnet too small", head + "subnets:\n  a: {cidr: 10.0.0.0/29}\n",
			3, "subnet a: CIDR 10.0.0.0/29 is not between /16 and /28 (§6.3)"},
		{"subnet with two tables", head + "subnets:\n  a: {cidr: 10.0.0.0/24, route_table: x}\nroute_tables:\n  x: {}\n  y: {subnets: [a]}\n",
			6, "route table y: subnet a is already associated with route table x; a subnet has one route table (§1.1.3)"},
		{"two main tables", head + "route_tables:\n  x: {main: true}\n  y: {main: true}\n",
			4, "route table y: VPC osaka already has a main route table; a VPC has exactly one (§1.1.1)"},
		{"instance name reused by a host", head + "subnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  web: {subnet: a}\ninternet_hosts:\n  web: 198.51.100.80\n",
			7, `the name "web" is already used at line 5`},
		{"tag Name", head + "subnets:\n  a: {cidr: 10.0.0.0/24, tags: {Name: b}}\n",
			3, "the Name tag is the object's name in the lab"},
		{"blackhole to a missing name", head + "route_tables:\n  rt: {routes: {0.0.0.0/0: blackhole:gone}}\n",
			3, "a blackhole route to something deleted names its kind: blackhole:nat:gone"},
		{"unknown key in a rule", head + "security_groups:\n  web: {ingress: [{protocol: tcp, prot: 22, cidr: 0.0.0.0/0}]}\n",
			3, `unknown key "prot" in security group web: inbound rule 1; did you mean "port"?`},
		{"unknown key far from any: the keys are listed", head + "security_groups:\n  web: {ingress: [{protocol: tcp, port: 22, security_group: web}]}\n",
			3, `unknown key "security_group" in security group web: inbound rule 1; the keys here are protocol, port, ports, icmp_type, icmp_code, cidr, prefix_list, group, description`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantLabError(t, tc.lab, tc.line, tc.want) })
	}
}

// wantLabError fails unless parsing lab reports an error at lab.yaml:line containing want.
func wantLabError(t *testing.T, lab string, line int, want string) {
	t.Helper()
	_, ps := Parse("lab.yaml", []byte(lab))
	for _, p := range ps {
		if p.Severity == model.Error && p.Src.File == "lab.yaml" && p.Src.Line == line && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("want an error at lab.yaml:%d containing\n\t%s\ngot:\n%v", line, want, ps)
}

// TestAllProblemsInOnePass: the loader keeps going after the first mistake.
func TestAllProblemsInOnePass(t *testing.T) {
	lab := `vpc: {name: osaka, cidr: 10.0.0.0/16}
subnets:
  a: {cidr: 10.0.0.0/33}
  b: {cidr: 10.0.1.0/24, route_tabel: rt}
instances:
  web: {subnet: c}
security_groups:
  web: {ingress: [{protocol: tpc, cidr: 0.0.0.0/0}]}
`
	_, ps := Parse("lab.yaml", []byte(lab))
	var lines []int
	for _, p := range ps {
		lines = append(lines, p.Src.Line)
	}
	if want := []int{3, 4, 6, 8}; !reflect.DeepEqual(lines, want) {
		t.Errorf("problem lines = %v, want %v:\n%v", lines, want, ps)
	}
}
