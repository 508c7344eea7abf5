package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad input, tried as a new user would: each gives a clear message naming the file and line,
// the JSON path or the value, exit status 2, and never a Go stack trace.
func TestBadInput(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	write := func(t *testing.T, name, body string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := "vpc: {name: v, cidr: 10.0.0.0/16}\nsubnets:\n  a: {cidr: 10.0.0.0/24}\ninstances:\n  x: {subnet: a, private_ip: 10.0.0.10}\n"
	// VPCs a and b (which overlap) with a's subnets a1 and a2 in one AZ, and the head of a transit gateway.
	twoVPCs := "vpcs: {a: {cidr: 10.0.0.0/16}, b: {cidr: 10.0.0.0/16}}\nsubnets:\n" +
		"  a1: {vpc: a, cidr: 10.0.0.0/24, az: us-east-1a}\n  a2: {vpc: a, cidr: 10.0.1.0/24, az: us-east-1a}\n"
	tgwHead := "transit_gateways:\n  hub:\n    attachments:\n"
	cases := []struct {
		name string
		args func(t *testing.T) []string
		want []string // fragments of stderr
	}{
		{"no topology", func(*testing.T) []string { return []string{"ping", "x", "y"} }, []string{"no topology", "-t PATH"}},
		{"missing file", func(*testing.T) []string { return []string{"ping", "-t", "nope.yaml", "x", "y"} },
			[]string{"nope.yaml", "cannot read"}},
		{"yaml syntax error", func(t *testing.T) []string {
			return []string{"ping", "-t", write(t, "lab.yaml", base+"route_tables:\n  rt: {routes: {10.0.1.0/24: x\n"), "x", "x"}
		}, []string{"lab.yaml:7"}},
		{"malformed json", func(t *testing.T) []string {
			d := filepath.Dir(write(t, "snap/Vpcs.json", "{\"Vpcs\": [\n  {\"VpcId\": \"vpc-1\",,}\n]}"))
			return []string{"validate", "-t", d}
		}, []string{"Vpcs.json:2"}},
		{"route to a missing target", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", base+"route_tables:\n  rt: {routes: {0.0.0.0/0: nat-nowhere}}\n")}
		}, []string{"lab.yaml:7", "nat-nowhere"}},
		{"overlapping subnets", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", "vpc: {name: v, cidr: 10.0.0.0/16}\nsubnets:\n  a: {cidr: 10.0.0.0/24}\n  b: {cidr: 10.0.0.128/25}\n")}
		}, []string{"lab.yaml:4", "overlap"}},
		{"overlapping peered CIDRs", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", twoVPCs+"peerings:\n  a-b: {requester: a, accepter: b}\n")}
		}, []string{"lab.yaml:6", "peering connection a-b", "overlaps", "§7.1.2"}},
		{"transit gateway attachment with two subnets in one AZ", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", twoVPCs+tgwHead+"      a: {vpc: a, subnets: [a1, a2]}\n")}
		}, []string{"lab.yaml:8", "subnets a1 and a2", `Availability Zone "us-east-1a"`, "§7.2.9"}},
		{"malformed Suricata rule", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", base+
				"firewall_policies:\n  pol: {stateful_rule_groups: [g]}\nrule_groups:\n  g:\n    rules: |\n      pass tcp any any -> any 443 (sid:1;)\n      drop tcp any any -> any (sid:2;)\n")}
		}, []string{"lab.yaml:12", "rule group g: Suricata rule on line 2", `header "drop tcp any any -> any" has 6 fields`}},
		{"transit gateway route to a missing attachment", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", twoVPCs+
				"transit_gateways:\n  hub:\n    route_tables: {rt: {routes: {10.1.0.0/16: b}}}\n    attachments:\n      a: {vpc: a, subnets: [a1]}\n")}
		}, []string{"lab.yaml:7", `no attachment named "b"`, `did you mean "a"?`}},
		{"unknown transit gateway route table", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", twoVPCs+
				"transit_gateways:\n  hub:\n    route_tables: {spokes: {}}\n    attachments:\n      a: {vpc: a, subnets: [a1], association: spoke}\n")}
		}, []string{"lab.yaml:9", `no route table named "spoke"`, `did you mean "spokes"?`}},
		{"an edge route to a destination outside the VPC (§1.3.3)", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", "vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}\nsubnets:\n  a: {cidr: 10.0.0.0/24}\n"+
				"route_tables:\n  edge:\n    gateways: [igw]\n    routes: {192.168.0.0/16: x}\n"+
				"instances:\n  x: {subnet: a, private_ip: 10.0.0.10, source_dest_check: false, public_ip: 3.3.3.3}\n")}
		}, []string{"lab.yaml:7", "route 192.168.0.0/16 in gateway route table edge", "whole CIDR block of VPC v", "§1.3.3"}},
		{"an interface endpoint without subnets (§7.4.11)", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", base+"vpc_endpoints:\n  ec2: {type: interface, service: ec2}\n")}
		}, []string{"lab.yaml:7", "VPC endpoint ec2: an interface endpoint needs subnets"}},
		{"unknown FROM", func(*testing.T) []string { return []string{"ping", "-t", lab, "sorce", "destination"} },
			[]string{`"sorce"`, "instances: destination, source"}},
		{"unknown TO", func(*testing.T) []string { return []string{"traceroute", "-t", lab, "source", "nowhere"} },
			[]string{`"nowhere"`}},
		{"unknown transit gateway attachment", func(*testing.T) []string {
			return []string{"trace", "-t", lab, "--from", "tgw-attach-nope:192.168.1.5", "--to", "destination"}
		}, []string{"--from: no transit gateway attachment tgw-attach-nope in " + lab, "it has no transit gateway attachments"}},
		{"a transit gateway that does not exist", func(*testing.T) []string {
			return []string{"trace", "-t", examples + "/hub-and-spoke/lab.yaml", "--from", "tgw-0123456789abcdef0:10.1.1.5", "--to", "app1"}
		}, []string{"--from: no transit gateway tgw-0123456789abcdef0 in " + examples + "/hub-and-spoke/lab.yaml", "transit gateways: hub (tgw-"}},
		{"a transit gateway as a source", func(*testing.T) []string {
			return []string{"trace", "-t", examples + "/hub-and-spoke/lab.yaml", "--from", "hub:192.168.1.5", "--to", "app1"}
		}, []string{"a packet enters transit gateway hub (tgw-", "through one of its attachments", "dc (tgw-attach-"}},
		{"a subnet without an address", func(*testing.T) []string { return []string{"ping", "-t", lab, "subnet-0abc", "destination"} },
			[]string{"FROM: no subnet subnet-0abc in " + lab}},
		{"a VPC address beyond Direct Connect", func(*testing.T) []string {
			return []string{"trace", "-t", examples + "/hub-and-spoke/lab.yaml", "--from", "dc:10.1.1.5", "--to", "app2"}
		}, []string{"10.1.1.5 is in a CIDR block of spoke1 (vpc-", "beyond transit gateway attachment dc (tgw-attach-", "on-premises"}},
		{"bad protocol", func(*testing.T) []string {
			return []string{"trace", "-t", lab, "--from", "source", "--to", "destination", "--protocol", "tpc"}
		}, []string{`"tpc"`}},
		{"port out of range", func(*testing.T) []string {
			return []string{"trace", "-t", lab, "--from", "source", "--to", "destination", "--port", "70000"}
		}, []string{"70000"}},
		{"unknown flag", func(*testing.T) []string { return []string{"ping", "--bogus", "-t", lab, "source", "destination"} },
			[]string{"unknown flag: --bogus"}},
		{"bad count", func(*testing.T) []string { return []string{"ping", "-c", "0", "-t", lab, "source", "destination"} },
			[]string{"-c 0"}},
		{"capture on a non-interface", func(*testing.T) []string {
			return []string{"ping", "-t", lab, "source", "destination", "--capture", "internet"}
		}, []string{"--capture", "internet"}},
		// §13.2: a GWLB endpoint whose service does not exist, in a lab and in a snapshot.
		{"GWLB endpoint naming a load balancer the lab lacks", func(t *testing.T) []string {
			return []string{"validate", "-t", write(t, "lab.yaml", base+
				"  e: {cidr: 10.0.9.0/28}\nvpc_endpoints:\n  gwlbe: {type: gateway_load_balancer, gateway_load_balancer: inspektion, subnet: e}\n")}
		}, []string{"lab.yaml:8", "gateway_load_balancer", `no Gateway Load Balancer named "inspektion"`}},
		{"GWLB endpoint whose service does not exist", func(t *testing.T) []string {
			d := filepath.Dir(write(t, "snap/Vpcs.json", `{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}`))
			write2 := func(name, body string) {
				if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write2("Subnets.json", `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"}]}`)
			write2("VpcEndpoints.json", `{"VpcEndpoints": [{"VpcEndpointId": "vpce-0aaaaaaaaaaaaaaa1", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-1",
  "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000dead", "SubnetIds": ["subnet-1"], "State": "available"}]}`)
			write2("LoadBalancers.json", `{"LoadBalancers": [{"LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/gwy/sec/0123456789abcdef",
  "LoadBalancerName": "sec", "Type": "gateway", "VpcId": "vpc-1", "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-1"}]}]}`)
			return []string{"validate", "-t", d}
		}, []string{"VpcEndpoints.json: VpcEndpoints[0]", "vpce-svc-0000000000000dead does not exist", "§13.2"}},
		{"two traceroute methods", func(*testing.T) []string {
			return []string{"traceroute", "-I", "-T", "-t", lab, "source", "destination"}
		},
			[]string{"-I, -T and -U"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args(t)
			code, out, errs := run(args...)
			if code != ExitBadInput {
				t.Errorf("vpclab %v: exit %d, want 2\nstdout: %s\nstderr: %s", args, code, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			for _, bad := range []string{"goroutine ", "panic:", "internal error"} {
				if strings.Contains(errs+out, bad) {
					t.Errorf("output shows %q:\n%s%s", bad, out, errs)
				}
			}
		})
	}
}

// TestDirectoryWithoutDescribeAnswersExitsBadInput: -t naming a directory that holds no
// describe-* answer (an empty one, or a lab's folder) is bad input, not a topology of no VPCs:
// every way of loading exits 2 with a message naming the directory and what it expected.
func TestDirectoryWithoutDescribeAnswersExitsBadInput(t *testing.T) {
	empty, labDir := t.TempDir(), examples+"/east-west-nat"
	expected := "Vpcs, Subnets, RouteTables"
	for _, c := range []struct {
		args []string
		want []string // fragments of stderr
	}{
		{[]string{"validate", "-t", empty}, []string{empty + ": error: no describe-* answer", expected, "it holds no *.json file"}},
		{[]string{"ping", "-t", labDir, "source", "destination"},
			[]string{labDir + ": error: no describe-* answer", expected, "did you mean " + filepath.Join(labDir, "lab.yaml") + " or "}},
		{[]string{"matrix", "-t", labDir}, []string{labDir + ": error: no describe-* answer", "did you mean"}},
	} {
		code, out, errs := run(c.args...)
		if code != ExitBadInput {
			t.Errorf("vpclab %v: exit %d, want 2\nstdout: %s\nstderr: %s", c.args, code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("vpclab %v: stderr lacks %q:\n%s", c.args, w, errs)
			}
		}
	}
}
