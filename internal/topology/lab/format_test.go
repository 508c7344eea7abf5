package lab

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// parseClean parses a lab that must load without any problem.
func parseClean(t *testing.T, lab string) *model.Topology {
	t.Helper()
	top, ps := Parse("lab.yaml", []byte(lab))
	if len(ps) > 0 {
		t.Fatalf("want no problems, got:\n%v", ps)
	}
	return top
}

func TestSeveralVPCs(t *testing.T) {
	top := parseClean(t, `
vpcs:
  a: {cidr: 10.0.0.0/16, internet_gateway: true}
  b: {cidrs: [10.1.0.0/16, 10.2.0.0/16]}
subnets:
  app: {vpc: a, cidr: 10.0.0.0/24}
  db: {vpc: b, cidr: 10.2.0.0/24, az: ap-northeast-3a}
security_groups:
  web: {vpc: a, ingress: [{protocol: tcp, port: 443, cidr: 0.0.0.0/0}]}
instances:
  web: {subnet: app, security_groups: [web]}
  db: {subnet: db}
`)
	a, b := top.VPCs[0], top.VPCs[1]
	if len(b.CIDRs) != 2 || a.ID == b.ID {
		t.Fatalf("VPCs = %+v", top.VPCs)
	}
	if top.InternetGateways[0].Name != "a-igw" || top.InternetGateways[0].VPC != a.ID {
		t.Errorf("IGW = %+v", top.InternetGateways[0])
	}
	if top.Subnets[0].VPC != a.ID || top.Subnets[1].VPC != b.ID || top.Subnets[1].AvailabilityZone != "ap-northeast-3a" {
		t.Errorf("subnets = %+v", top.Subnets)
	}
	db := top.ENI(top.Instances[1].ENIs[0])
	if db.VPC != b.ID || db.SecurityGroups[0] != top.DefaultSecurityGroup(b.ID).ID {
		t.Errorf("db ENI = %+v, want VPC b and b's default SG", db)
	}
	// One main table, default SG and default NACL per VPC (ApplyDefaults).
	if len(top.RouteTables) != 2 || len(top.NetworkACLs) != 2 || len(top.SecurityGroups) != 3 {
		t.Errorf("%d route tables, %d NACLs, %d SGs", len(top.RouteTables), len(top.NetworkACLs), len(top.SecurityGroups))
	}
}

func TestMainRouteTable(t *testing.T) {
	top := parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
main_route_table: {routes: {0.0.0.0/0: igw}}
`)
	if len(top.RouteTables) != 1 {
		t.Fatalf("route tables = %+v", top.RouteTables)
	}
	rt := top.RouteTables[0]
	if !rt.Main || rt.Name != "v-main" || rt.ID != model.RouteTableID(model.DeriveID("rtb", string(top.VPCs[0].ID)+"/main")) || len(rt.Routes) != 2 {
		t.Errorf("main table = %+v", rt)
	}

	top = parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16}
route_tables: {mine: {main: true}}
`)
	if len(top.RouteTables) != 1 || !top.RouteTables[0].Main || top.RouteTables[0].Name != "mine" {
		t.Errorf("a main: true table replaces the default main table (§1.1.1): %+v", top.RouteTables)
	}
}

func TestRouteForms(t *testing.T) {
	top, ps := Parse("lab.yaml", []byte(`
vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  a: {cidr: 10.0.0.0/24}
  fw: {cidr: 10.0.1.0/24}
prefix_lists:
  s3: {id: pl-61a54008, cidrs: [52.219.0.0/16]}
  corp: [192.168.0.0/16]
instances:
  appliance:
    subnet: fw
    source_dest_check: false
    interfaces: [{name: fw-in, subnet: fw, private_ip: 10.0.1.20, source_dest_check: false}]
vpn_gateways:
  vgw: {asn: 65000}
route_tables:
  rt:
    subnets: [a]
    propagate: [vgw]
    routes:
      10.0.1.0/24: fw-in
      0.0.0.0/0: instance:appliance
      s3: vpce-0123456789abcdef0
      corp: vgw
      172.16.0.0/12: blackhole:nat:deleted
      100.64.0.0/10: {target: igw, state: blackhole}
  edge: {gateways: [igw], routes: {10.0.1.0/24: fw-in}}
`))
	// An endpoint ID the lab does not declare (vpc_endpoints): Validate warns, and the engine
	// fails closed.
	if len(ps) != 1 || ps[0].Severity != model.Warning || ps[0].Src.Line != 23 ||
		ps[0].Message != "route s3 in rt: target VPC endpoint vpce-0123456789abcdef0 is not in the topology; packets that match the route are dropped" {
		t.Errorf("want one warning about the endpoint at line 23, got:\n%v", ps)
	}
	rt, edge := top.RouteTables[0], top.RouteTables[1]
	eni := top.NetworkInterfaces[1]
	want := []model.Route{
		{Destination: netip.MustParsePrefix("10.0.1.0/24"), Target: model.Target{Kind: model.TargetNetworkInterface, ID: string(eni.ID)}},
		{Destination: netip.MustParsePrefix("0.0.0.0/0"), Target: model.Target{Kind: model.TargetInstance, ID: string(top.Instances[0].ID)}},
		{DestinationPrefixList: "pl-61a54008", Target: model.Target{Kind: model.TargetVPCEndpoint, ID: "vpce-0123456789abcdef0"}},
		{DestinationPrefixList: top.PrefixLists[1].ID, Target: model.Target{Kind: model.TargetVPNGateway, ID: string(top.VPNGateways[0].ID)}},
		{Destination: netip.MustParsePrefix("172.16.0.0/12"), Target: model.Target{Kind: model.TargetNATGateway,
			ID: model.DeriveID("nat", "v/nat_gateway/deleted")}, State: model.RouteBlackhole},
		{Destination: netip.MustParsePrefix("100.64.0.0/10"), Target: model.Target{Kind: model.TargetInternetGateway,
			ID: string(top.InternetGateways[0].ID)}, State: model.RouteBlackhole},
	}
	for i, w := range want {
		r := rt.Routes[i]
		if w.State == "" {
			w.State = model.RouteActive
		}
		if r.Destination != w.Destination || r.DestinationPrefixList != w.DestinationPrefixList || r.Target != w.Target || r.State != w.State {
			t.Errorf("route %d = %+v, want %+v", i, r, w)
		}
	}
	if len(rt.PropagatingVGWs) != 1 || len(rt.Subnets) != 1 || len(edge.Gateways) != 1 || edge.Gateways[0] != string(top.InternetGateways[0].ID) {
		t.Errorf("rt = %+v, edge = %+v", rt, edge)
	}
	if top.VPNGateways[0].ASN != 65000 || eni.Name != "fw-in" || eni.DeviceIndex != 1 || eni.SourceDestCheck {
		t.Errorf("VGW = %+v, ENI = %+v", top.VPNGateways[0], eni)
	}
}

// TestRouteTargetIDs: a target written as an AWS ID gets the kind model's table gives its
// prefix, for every kind, including those the lab cannot declare.
func TestRouteTargetIDs(t *testing.T) {
	for _, row := range model.TargetKinds() {
		for _, f := range row.Fields {
			if !strings.HasSuffix(f.Prefix, "-") {
				continue // local, ARNs and the catch-all are not written as IDs
			}
			id := f.Prefix + "0123456789abcdef0"
			top, ps := Parse("lab.yaml", []byte("vpc: {cidr: 10.0.0.0/16}\nroute_tables: {rt: {routes: {192.168.0.0/16: "+id+"}}}\n"))
			if ps.HasErrors() {
				t.Errorf("%s: %v", id, ps)
				continue
			}
			if got := top.RouteTables[0].Routes[0].Target; got != (model.Target{Kind: row.Kind, ID: id}) {
				t.Errorf("%s: target = %+v, want kind %v", id, got, row.Kind)
			}
		}
	}
}

// TestAddressAssignment: private IPs left out get the lowest free address after the five
// reserved ones (§6.4), in file order, skipping addresses written explicitly.
func TestAddressAssignment(t *testing.T) {
	top := parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16}
subnets: {a: {cidr: 10.0.0.0/28}}
nat_gateways: {n: {subnet: a, connectivity: private}}
instances:
  x: {subnet: a}
  y: {subnet: a, private_ip: 10.0.0.6}
  z: {subnet: a, secondary_ips: [10.0.0.8]}
`)
	got := []string{top.NATGateways[0].Addresses[0].PrivateIP.String()}
	for _, in := range top.Instances {
		got = append(got, top.ENI(in.ENIs[0]).PrimaryIP().String())
	}
	if want := []string{"10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"}; !reflect.DeepEqual(got, want) {
		t.Errorf("addresses = %v, want %v", got, want)
	}
	_, ps := Parse("lab.yaml", []byte("vpc: {cidr: 10.0.0.0/16}\nsubnets: {a: {cidr: 10.0.0.0/28}}\ninstances:\n"+
		"  a1: {subnet: a}\n  a2: {subnet: a}\n  a3: {subnet: a}\n  a4: {subnet: a}\n  a5: {subnet: a}\n  a6: {subnet: a}\n  a7: {subnet: a}\n  a8: {subnet: a}\n  a9: {subnet: a}\n  a10: {subnet: a}\n  a11: {subnet: a}\n  a12: {subnet: a}\n"))
	if len(ps) != 1 || ps[0].Src.Line != 15 {
		t.Errorf("a /28 has 11 free addresses; want one error at line 15, got:\n%v", ps)
	}
}

func TestSecurityGroupForms(t *testing.T) {
	top := parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16}
prefix_lists: {corp: [192.168.0.0/16]}
security_groups:
  web:
    description: web servers
    ingress:
      - {protocol: tcp, port: 443, cidr: 0.0.0.0/0, description: https}
      - {protocol: udp, ports: 1024-65535, group: default}
      - {protocol: icmp, icmp_type: 8, prefix_list: corp}
      - {protocol: 50, group: web}
    egress: []
  default:
    ingress: [{protocol: all, group: default}]
`)
	web, def := top.SecurityGroups[0], top.SecurityGroups[1]
	if len(top.SecurityGroups) != 2 || def.ID != top.DefaultSecurityGroup(top.VPCs[0].ID).ID {
		t.Fatalf("a lab's default group edits the VPC's default group: %+v", top.SecurityGroups)
	}
	want := []model.SecurityGroupRule{
		{Protocol: 6, FromPort: 443, ToPort: 443, CIDR: netip.MustParsePrefix("0.0.0.0/0"), Description: "https"},
		{Protocol: 17, FromPort: 1024, ToPort: 65535, Group: def.ID},
		{Protocol: 1, FromPort: 8, ToPort: -1, PrefixList: top.PrefixLists[0].ID},
		{Protocol: 50, Group: web.ID},
	}
	for i, w := range want {
		r := web.Ingress[i]
		w.ID, w.Src = r.ID, r.Src
		if r != w {
			t.Errorf("rule %d = %+v, want %+v", i, r, w)
		}
	}
	if web.Ingress[0].ID != string(web.ID)+":ingress:0" || web.Ingress[0].Src.Line != 8 {
		t.Errorf("rule 0 ID/Src = %s %s", web.Ingress[0].ID, web.Ingress[0].Src)
	}
	if len(web.Egress) != 0 {
		t.Errorf("egress: [] means no outbound rules, got %+v", web.Egress)
	}
	if len(def.Egress) != 1 {
		t.Errorf("egress left out means AWS's all-outbound rule (§4.1.2), got %+v", def.Egress)
	}
}

func TestNetworkACLForms(t *testing.T) {
	top := parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16}
subnets:
  a: {cidr: 10.0.0.0/24, network_acl: strict}
  b: {cidr: 10.0.1.0/24}
network_acls:
  strict:
    subnets: [b]
    ingress:
      - {rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 10.0.2.0/24}
      - {rule: 200, action: deny, protocol: icmp, icmp_type: 8, cidr: 0.0.0.0/0}
  edited:
    default: true
    egress: [{rule: 10, action: deny, protocol: all, cidr: 192.168.0.0/16}]
`)
	strict, def := top.NetworkACLs[0], top.NetworkACLs[1]
	if len(top.NetworkACLs) != 2 || !def.Default || len(strict.Subnets) != 2 {
		t.Fatalf("NACLs = %+v", top.NetworkACLs)
	}
	type entry struct {
		n          int
		egress     bool
		allow      bool
		proto      int
		from, to   int
		icmp, code int
	}
	var got []entry
	for _, e := range strict.Entries {
		got = append(got, entry{e.RuleNumber, e.Egress, e.Allow, e.Protocol, e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode})
	}
	want := []entry{{100, false, true, 6, 1024, 65535, -1, -1}, {200, false, false, 1, 0, 0, 8, -1},
		{32767, false, false, -1, 0, 0, -1, -1}, {32767, true, false, -1, 0, 0, -1, -1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("custom NACL entries = %v, want %v (a custom NACL denies what it does not allow, §5.2)", got, want)
	}
	// The default NACL: a direction left out allows all (§5.2); egress as written.
	if n := len(def.Entries); n != 4 || def.Entries[0].RuleNumber != 100 || !def.Entries[0].Allow || def.Entries[2].RuleNumber != 10 {
		t.Errorf("default NACL entries = %+v", def.Entries)
	}
}

func TestElasticIPsAndPublicIPs(t *testing.T) {
	top := parseClean(t, `
vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets: {pub: {cidr: 10.0.0.0/24}}
elastic_ips: {web-eip: {address: 198.51.100.5}, nat-eip: 203.0.113.10}
nat_gateways: {n: {subnet: pub, elastic_ip: nat-eip, secondary_private_ips: [10.0.0.50]}}
instances:
  web: {subnet: pub, private_ip: 10.0.0.10, elastic_ip: web-eip}
  bastion: {subnet: pub, public_ip: 198.51.100.6, initial_ttl: 64, state: stopped}
`)
	web := top.ENI(top.Instances[0].ENIs[0])
	if web.PrivateIPs[0].PublicIP.String() != "198.51.100.5" || top.Addresses[0].ENI != web.ID || top.Addresses[0].Instance != top.Instances[0].ID {
		t.Errorf("web ENI = %+v, EIP = %+v", web, top.Addresses[0])
	}
	nat := top.NATGateways[0]
	if len(nat.Addresses) != 2 || nat.Addresses[0].PublicIP.String() != "203.0.113.10" || nat.Addresses[1].PublicIP.IsValid() {
		t.Errorf("NAT addresses = %+v", nat.Addresses)
	}
	b := top.Instances[1]
	if top.ENI(b.ENIs[0]).PrivateIPs[0].PublicIP.String() != "198.51.100.6" || b.InitialTTL != 64 || b.State != "stopped" {
		t.Errorf("bastion = %+v", b)
	}
	_, ps := Parse("lab.yaml", []byte(`vpc: {cidr: 10.0.0.0/16, internet_gateway: true}
subnets: {pub: {cidr: 10.0.0.0/24}}
instances:
  a: {subnet: pub, elastic_ip: 198.51.100.5}
  b: {subnet: pub, elastic_ip: 198.51.100.5}
`))
	if len(ps) != 1 || ps[0].Src.Line != 5 {
		t.Errorf("an Elastic IP used twice: want one error at line 5, got:\n%v", ps)
	}
}

func TestIDsDependOnNamesOnly(t *testing.T) {
	a := parseClean(t, "vpc: {name: v, cidr: 10.0.0.0/16}\nsubnets: {a: {cidr: 10.0.0.0/24}, b: {cidr: 10.0.1.0/24}}\n")
	b := parseClean(t, "# reordered\nsubnets: {b: {cidr: 10.0.1.0/24}, a: {cidr: 10.0.0.0/24}}\nvpc: {name: v, cidr: 10.0.0.0/16}\n")
	if a.Subnets[0].ID != b.Subnets[1].ID || a.VPCs[0].ID != b.VPCs[0].ID {
		t.Errorf("IDs changed with the order of the file")
	}
	if a.Subnets[0].ID != model.SubnetID(model.DeriveID("subnet", "v/subnet/a")) {
		t.Errorf("subnet ID = %s, want DeriveID(subnet, v/subnet/a)", a.Subnets[0].ID)
	}
}
