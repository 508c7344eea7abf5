package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const narrowedLab = examples + "/east-west-nat/lab-sg-narrowed.yaml"

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Done when: reach on the narrowed lab says the destination's group blocks and that the
// destination sees the NAT gateway's address; with a NACL deny too, both are listed in order.
func TestReachCommand(t *testing.T) {
	code, out, errs := run("reach", "-t", narrowedLab, "--from", "source", "--to", "destination")
	if code != ExitNegative || !strings.Contains(out, "TCP; UDP; ICMP type 8: blocked; destination would see 10.0.2.149") ||
		!strings.Contains(out, "(src-subnet-only) inbound: no rule allows them [ENI_SG_RULES_MISMATCH]") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}

	lab := writeTemp(t, "lab.yaml", readFile(t, narrowedLab)+`network_acls:
  strict:
    subnets: [dst]
    ingress:
      - {rule: 100, action: deny, protocol: all, cidr: 10.0.2.0/24}
      - {rule: 200, action: allow, protocol: all, cidr: 0.0.0.0/0}
`)
	code, out, _ = run("reach", "-t", lab, "--from", "source", "--to", "destination", "--protocol", "tcp", "--port", "443")
	acl := strings.Index(out, "(strict) rule 100 inbound denies them [SUBNET_ACL_RESTRICTION]")
	sg := strings.Index(out, "(src-subnet-only) inbound: no rule allows them [ENI_SG_RULES_MISMATCH]")
	if code != ExitNegative || acl < 0 || sg < acl {
		t.Errorf("want the NACL then the security group:\n%s", out)
	}

	code, out, _ = run("reach", "-t", examples+"/east-west-nat/lab.yaml", "--from", "source", "--to", "destination", "--protocol", "tcp", "--port", "22")
	if code != ExitOK || !strings.Contains(out, "TCP 22: reachable via nat-") || !strings.Contains(out, "destination sees 10.0.2.149") {
		t.Errorf("reachable pair: exit %d\n%s", code, out)
	}
}

func TestReachJSON(t *testing.T) {
	code, out, _ := run("reach", "-t", narrowedLab, "--from", "source", "--to", "destination", "-o", "json")
	var parts []struct {
		NetworkPathFound      bool
		ForwardPathComponents []json.RawMessage
		Explanations          []struct{ ExplanationCode, VpclabPath string }
		VpclabHeaderSpace     []struct {
			Protocol              string
			DestinationPortRanges []struct{ From, To int }
		}
		VpclabSeenSource string
	}
	if err := json.Unmarshal([]byte(out), &parts); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != ExitNegative || len(parts) != 2 {
		t.Fatalf("exit %d, %d parts", code, len(parts))
	}
	p := parts[0]
	if p.NetworkPathFound || len(p.ForwardPathComponents) == 0 || len(p.Explanations) != 1 ||
		p.Explanations[0].ExplanationCode != "ENI_SG_RULES_MISMATCH" || p.VpclabSeenSource != "10.0.2.149" ||
		p.VpclabHeaderSpace[0].Protocol != "6" || p.VpclabHeaderSpace[0].DestinationPortRanges[0].To != 65535 {
		t.Errorf("first part: %+v", p)
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"reach", "-t", lab, "--from", "source", "--to", "destination", "--port", "70000"}, "--port 70000: not a port"},
		{[]string{"reach", "-t", lab, "--from", "source", "--to", "destination", "--port", "443-80"}, "runs backwards"},
		{[]string{"reach", "-t", lab, "--from", "source", "--to", "destination", "--source-port", "x"}, "--source-port x: write a port"},
		{[]string{"reach", "-t", lab, "--from", "source", "--to", "destination", "--protocol", "icmp", "--port", "8"}, "has no ports"},
		{[]string{"reach", "-t", lab, "--from", "sorce", "--to", "destination"}, `"sorce"`},
		{[]string{"reach", "-t", lab, "--from", "source", "--to", "nowhere"}, `"nowhere"`},
		{[]string{"reach", "-t", lab, "--from", "source"}, "needs --from and --to"},
	} {
		code, _, errs := run(c.args...)
		if code != ExitBadInput || !strings.Contains(errs, c.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestMatrixCommand(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	code, out, errs := run("matrix", "-t", lab, "--scope", "subnets")
	if code != ExitOK || !strings.Contains(out, "Legend:") || !strings.Contains(out, "1  src \\+#") {
		t.Errorf("text: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("matrix", "-t", lab, "--protocol", "tcp", "--port", "22", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 3 || lines[0] != "from_id,from_name,to_id,to_name,verdict,reachable,first_blocker" ||
		!strings.Contains(lines[1], ",source,") || !strings.Contains(lines[1], ",all,") ||
		!strings.Contains(lines[2], ",destination,") || !strings.Contains(lines[2], "VPCLAB_REPLY_SOURCE_MISMATCH") {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
	code, out, _ = run("matrix", "-t", lab, "--scope", "subnets", "-o", "json")
	var m struct {
		Scope     string
		Endpoints []struct{ Index int }
		Cells     []struct {
			From, To int
			Verdict  string
		}
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != ExitOK || m.Scope != "subnets" || len(m.Endpoints) != 3 || len(m.Cells) != 6 {
		t.Errorf("json: exit %d, %v, %+v", code, err, m)
	}
	for _, args := range [][]string{{"--scope", "vpcs"}, {"-o", "xml"}, {"--port", "1-2-3"}} {
		if code, _, errs := run(append([]string{"matrix", "-t", lab}, args...)...); code != ExitBadInput {
			t.Errorf("matrix %v: exit %d %s", args, code, errs)
		}
	}
}

// Done when: check prints each verdict, exits 1 when an intent fails and 2 on bad input, and
// --junit writes XML a CI system parses.
func TestCheckCommand(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	code, out, errs := run("check", "-t", lab, "testdata/analyze/intents.yaml")
	if code != ExitOK || strings.Count(out, "PASS") != 2 || !strings.Contains(out, "2 intent(s): 2 passed, 0 failed") {
		t.Errorf("passing intents: exit %d\n%s%s", code, out, errs)
	}

	junit := filepath.Join(t.TempDir(), "report.xml")
	code, out, _ = run("check", "-t", lab, "testdata/analyze/intents-failing.yaml", "--junit", junit)
	if code != ExitNegative || !strings.Contains(out, "FAIL  testdata/analyze/intents-failing.yaml:8") ||
		!strings.Contains(out, "VPCLAB_REPLY_SOURCE_MISMATCH") || !strings.Contains(out, "1 passed, 1 failed") {
		t.Errorf("failing intents: exit %d\n%s", code, out)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Line    int `xml:"line,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, junit)), &doc); err != nil {
		t.Fatalf("JUnit file does not parse: %v", err)
	}
	cases := doc.Suites[0].Cases
	if doc.Tests != 2 || doc.Failures != 1 || len(cases) != 2 || cases[0].Failure != nil || cases[1].Failure == nil ||
		cases[1].Line != 8 || !strings.Contains(cases[1].Failure.Text, "VPCLAB_REPLY_SOURCE_MISMATCH") {
		t.Errorf("junit: %+v", doc)
	}

	code, _, errs = run("check", "-t", lab, "testdata/analyze/intents-typo.yaml")
	if code != ExitBadInput || !strings.Contains(errs, "the intents file has 2 error(s)") || !strings.Contains(errs, `intents-typo.yaml:3: error: unknown key "protocl" (did you mean protocol?)`) ||
		!strings.Contains(errs, `intents-typo.yaml:4: error: port "70000": not a port`) {
		t.Errorf("typo: exit %d %s", code, errs)
	}
	bad := writeTemp(t, "names.yaml", "- {from: source, to: nowhere, expect: reachable}\n")
	if code, _, errs = run("check", "-t", lab, bad); code != ExitBadInput || !strings.Contains(errs, `names.yaml:1: error: to: endpoint "nowhere"`) {
		t.Errorf("unknown name: exit %d %s", code, errs)
	}
	empty := writeTemp(t, "empty.yaml", "[]\n")
	if code, _, errs = run("check", "-t", lab, empty); code != ExitBadInput || !strings.Contains(errs, "empty.yaml:1: error: no intents") {
		t.Errorf("empty list: exit %d %s", code, errs)
	}
	// A warning is printed and the intents are still checked.
	twice := writeTemp(t, "twice.yaml", "- {name: n, from: source, to: destination, protocol: 47, expect: unreachable}\n"+
		"- {name: n, from: source, to: destination, protocol: 50, expect: unreachable}\n")
	if code, out, errs = run("check", "-t", lab, twice); code != ExitOK || !strings.Contains(out, "2 passed") ||
		!strings.Contains(errs, `twice.yaml:2: warning: the name "n" is also the name of the intent at line 1`) {
		t.Errorf("duplicate name: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs = run("check", "-t", lab, "missing.yaml"); code != ExitBadInput || !strings.Contains(errs, "missing.yaml") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
}

// Done when: diff lists the flows that changed with the change behind each, and exits 1 when
// something changed.
func TestDiffCommand(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	code, out, errs := run("diff", "--before", lab, "--after", narrowedLab)
	if code != ExitNegative || !strings.Contains(out, "source -> destination  TCP; UDP; ICMP type 8: reachable -> blocked") ||
		!strings.Contains(out, "after:  deny inbound: no rule allows it") ||
		!strings.Contains(out, "changed: security-group sg-") || !strings.Contains(out, "+ ingress All traffic from 10.0.0.0/24") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("diff", "--before", lab, "--after", lab)
	if code != ExitOK || !strings.Contains(out, "nothing changed") {
		t.Errorf("same topology: exit %d\n%s", code, out)
	}

	// A NACL deny added on the NAT gateway's subnet: every flow through it changes, and the
	// rule is named.
	after := writeTemp(t, "after.yaml", readFile(t, lab)+`network_acls:
  strict:
    subnets: [nat]
    ingress:
      - {rule: 90, action: deny, protocol: udp, cidr: 0.0.0.0/0}
      - {rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}
    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]
`)
	code, out, _ = run("diff", "--before", lab, "--after", after, "--from", "source", "--to", "destination", "-o", "json")
	var d struct {
		Changes []struct{ Kind string }
		Flows   []struct {
			From, To          string
			VpclabHeaderSpace []struct{ Protocol string }
			Before, After     struct{ Reachable bool }
			Causes            []struct{ Path, ComponentName, AfterComponentName, Before, After string }
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != ExitNegative || len(d.Flows) != 1 || d.Flows[0].VpclabHeaderSpace[0].Protocol != "17" ||
		!d.Flows[0].Before.Reachable || d.Flows[0].After.Reachable || len(d.Flows[0].Causes) != 2 ||
		d.Flows[0].Causes[0].AfterComponentName != "strict" || !strings.Contains(d.Flows[0].Causes[0].After, "deny inbound by rule 90") ||
		d.Flows[0].Causes[1].Path != "return" {
		t.Errorf("NACL change: exit %d %+v", code, d)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "--before", lab}, "needs --before and --after"},
		{[]string{"diff", "--before", lab, "--after", "nope.yaml"}, "nope.yaml"},
		{[]string{"diff", "--before", lab, "--after", lab, "--from", "sorce"}, `"sorce"`},
		{[]string{"diff", "--before", lab, "--after", lab, "--port", "0-70000"}, "not a port"},
	} {
		if code, _, errs := run(c.args...); code != ExitBadInput || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
		}
	}
}

func TestGenCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "estate")
	code, out, errs := run("gen", "--vpcs", "2", "--subnets-per-vpc", "3", "--instances-per-subnet", "2", "--seed", "7", dir)
	if code != ExitOK || !strings.Contains(out, "wrote 2 VPC(s), 6 subnet(s), 12 instance(s)") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, f := range []string{"Vpcs.json", "Subnets.json", "RouteTables.json", "NatGateways.json", "SecurityGroups.json", "NetworkAcls.json", "Reservations.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The estate loads back, and the same seed gives the same files.
	if code, out, errs := run("validate", "-t", dir); code != ExitOK || !strings.Contains(out, "12 instance(s)") {
		t.Errorf("validate: exit %d\n%s%s", code, out, errs)
	}
	again := filepath.Join(t.TempDir(), "again")
	run("gen", "--vpcs", "2", "--subnets-per-vpc", "3", "--instances-per-subnet", "2", "--seed", "7", again)
	if readFile(t, filepath.Join(dir, "SecurityGroups.json")) != readFile(t, filepath.Join(again, "SecurityGroups.json")) {
		t.Error("same seed, different estate")
	}
	code, out, _ = run("matrix", "-t", dir, "--scope", "subnets", "--protocol", "tcp", "--port", "443")
	if code != ExitOK || !strings.Contains(out, "6 subnets") {
		t.Errorf("matrix on the estate: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"gen", "--vpcs", "0", dir},
		{"gen", "--vpcs", "300", "--subnets-per-vpc", "5000", dir},
		{"gen", "--instances-per-subnet", "70000", dir},
		{"gen"},
	} {
		if code, _, errs := run(args...); code != ExitBadInput || strings.Contains(errs, "internal error") {
			t.Errorf("%v: exit %d %s", args, code, errs)
		}
	}
}

// gen --join writes the answers of what joins the VPCs, and refuses options of the other join.
func TestGenJoin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	code, out, errs := run("gen", "--vpcs", "3", "--subnets-per-vpc", "4", "--instances-per-subnet", "1", "--join", "tgw", "--spoke-to-spoke=false", dir)
	if code != ExitOK || !strings.Contains(out, "joined by 1 transit gateway(s): 3 attachment(s), 2 route table(s)") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, f := range []string{"TransitGateways.json", "TransitGatewayAttachments.json", "TransitGatewayVpcAttachments.json",
		"TransitGatewayRouteTables.json", "TransitGatewayStaticRoutes.json", "TransitGatewayPropagations.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if code, out, errs := run("validate", "-t", dir); code != ExitOK || strings.Contains(out+errs, "warning") {
		t.Errorf("validate: exit %d\n%s%s", code, out, errs)
	}
	// Spokes isolated: the spokes table holds the shared-services VPC's route only.
	if n := strings.Count(readFile(t, filepath.Join(dir, "TransitGatewayStaticRoutes.json")), `"DestinationCidrBlock"`); n != 1+3 {
		t.Errorf("%d routes in the two tables, want 1 + 3", n)
	}
	mesh := filepath.Join(t.TempDir(), "mesh")
	code, out, errs = run("gen", "--vpcs", "6", "--join", "peering-mesh", "--mesh-size", "3", mesh)
	if code != ExitOK || !strings.Contains(out, "joined by 6 VPC peering connection(s), in groups of 3") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(mesh, "VpcPeeringConnections.json")); err != nil {
		t.Error(err)
	}
	if strings.Contains(errs, "alone") {
		t.Errorf("6 VPCs in groups of 3 leave none alone, but: %s", errs)
	}
	// 7 VPCs in groups of 3: the last is alone, peered with nothing, and gen says so.
	code, _, errs = run("gen", "--vpcs", "7", "--join", "peering-mesh", "--mesh-size", "3", filepath.Join(t.TempDir(), "mesh7"))
	if code != ExitOK || !strings.Contains(errs, "the last VPC is alone in its group of 3 and peers with nothing") {
		t.Errorf("gen 7 in groups of 3: exit %d, stderr %q", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--join", "ring"}, `--join "ring"`},
		{[]string{"--spoke-to-spoke=false"}, "--spoke-to-spoke applies to --join tgw only"},
		{[]string{"--join", "tgw", "--mesh-size", "3"}, "--mesh-size applies to --join peering-mesh only"},
		{[]string{"--join", "peering-mesh", "--mesh-size", "1"}, "--mesh-size 1: at least 2"},
	} {
		args := append(append([]string{"gen"}, c.args...), filepath.Join(t.TempDir(), "x"))
		if code, _, errs := run(args...); code != ExitBadInput || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
		}
	}
}

// TestAnalyzeGolden runs the commands of testdata/analyze/*.golden (same format as
// testdata/golden; go test ./internal/cli -update rewrites them) so their output, not only
// its verdicts, is reviewed like code.
func TestAnalyzeGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/analyze/*.golden")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".golden"), func(t *testing.T) {
			want := parseGolden(t, readFile(t, f))
			args := strings.Fields(strings.ReplaceAll(want.args, "{examples}", examples))
			code, stdout, stderr := run(args...)
			got := golden{args: want.args, exit: strconv.Itoa(code), stdout: stdout, stderr: stderr}
			if *update {
				if err := os.WriteFile(f, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got.String() != want.String() {
				t.Errorf("vpclab %s: output differs from %s (go test ./internal/cli -update rewrites it)\n--- got\n%s\n--- want\n%s", want.args, f, got, want)
			}
		})
	}
}

// Done when: diff between a lab and the same network re-created under other IDs matches the
// resources by Name tag and CIDR, says so, lists what it could not match and reports the
// changed flow; two networks that share nothing are bad input.
func TestDiffMatchesByName(t *testing.T) {
	before, after := "testdata/analyze/recreated-before.yaml", "testdata/analyze/recreated-after.yaml"
	// A subnet and an instance more, and a subnet renamed: matched by CIDR.
	grown := strings.Replace(readFile(t, after), "instances:\n", "instances:\n  extra: {subnet: extra}\n", 1)
	grown = strings.Replace(grown, "nat_gateways:\n", "  extra: {cidr: 10.0.3.0/24}\nnat_gateways:\n", 1)
	grown = strings.ReplaceAll(grown, "dst", "dest")
	code, out, errs := run("diff", "--before", before, "--after", writeTemp(t, "grown.yaml", grown))
	for _, want := range []string{
		"IDs differ: 18 resource(s) matched by Name tag or CIDR instead of ID, 0 by ID",
		"CIDR 2",
		"3 resource(s) could not be matched (compared as removed and added):\n" +
			"  after only: subnet subnet-",
		"  after only: instance i-",
		"source -> destination  TCP; UDP; ICMP type 8: reachable -> blocked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exit %d: no %q in\n%s%s", code, want, out, errs)
		}
	}
	if code != ExitNegative {
		t.Errorf("exit %d", code)
	}

	code, out, _ = run("diff", "--before", before, "--after", after, "-o", "json")
	var d struct {
		MatchedByName []struct{ Kind, Before, After, By string }
		NotMatched    []struct{ Side, Kind, ID string }
		Flows         []struct{ From, To string }
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != ExitNegative || len(d.MatchedByName) != 18 || d.MatchedByName[0].Kind != "vpc" || d.MatchedByName[0].By != "CIDR" ||
		len(d.NotMatched) != 0 || len(d.Flows) == 0 {
		t.Errorf("json: exit %d %+v", code, d)
	}

	other := writeTemp(t, "other.yaml", "vpc: {name: lisbon, cidr: 172.16.0.0/16}\nsubnets:\n  app: {cidr: 172.16.1.0/24}\ninstances:\n  web: {subnet: app}\n")
	code, out, errs = run("diff", "--before", before, "--after", other)
	if code != ExitBadInput || out != "" || !strings.Contains(errs, "share no resource by ID, Name tag or CIDR") {
		t.Errorf("disjoint: exit %d\n%s%s", code, out, errs)
	}
}

// A matrix too big for a line per pair is not refused (issue 12): it says how large it is
// and prints the grouped form, which expands to the pairs a line-per-pair matrix prints.
func TestMatrixLarge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "big")
	if code, out, errs := run("gen", "--vpcs", "700", "--subnets-per-vpc", "3", "--instances-per-subnet", "0", dir); code != ExitOK {
		t.Fatalf("gen: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := run("matrix", "--scope", "subnets", "-t", dir)
	if code != ExitOK || !strings.Contains(errs, "matrix of 2100 subnets: 4407900 pairs in") ||
		!strings.Contains(errs, "printing the grouped form (--form classes)") ||
		!strings.Contains(out, "Who reaches whom: 2100 subnets in ") || !strings.Contains(out, "4407900 pair(s): ") {
		t.Errorf("matrix --scope subnets: exit %d, stderr %q\n%s", code, errs, out[:min(len(out), 2000)])
	}
}

// The grouped form in each output, on a small lab.
func TestMatrixClasses(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"
	code, out, errs := run("matrix", "-t", lab, "--scope", "subnets", "--form", "classes", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || errs != "" || lines[0] != "kind,class,member_id,member_name,to,verdict,reachable,first_blocker,pairs" ||
		strings.Count(out, "\nmember,") != 3 || !strings.Contains(out, "\nanswer,C1,,,C2,some,TCP; UDP; ICMP type 8,") {
		t.Errorf("csv: exit %d %s\n%s", code, errs, out)
	}
	code, out, _ = run("matrix", "-t", lab, "--scope", "subnets", "--form", "classes", "-o", "json")
	var m struct {
		Form      string
		Classes   int
		Endpoints []struct{ Class string }
		Rows      []struct {
			From, To, Verdict string
			Pairs             int
		}
	}
	pairs := 0
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != ExitOK || m.Form != "classes" || len(m.Endpoints) != 3 || m.Classes != 3 {
		t.Fatalf("json: exit %d, %v, %+v\n%s", code, err, m, out)
	}
	for _, r := range m.Rows {
		pairs += r.Pairs
	}
	if pairs != 6 {
		t.Errorf("json: rows stand for %d pairs, want 6", pairs)
	}
	code, out, _ = run("matrix", "-t", lab, "--scope", "subnets", "--form", "classes")
	if code != ExitOK || !strings.Contains(out, "Classes:\n  C1 (") || !strings.Contains(out, "C1 -> C2: some, TCP; UDP; ICMP type 8 get through") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	if code, _, errs := run("matrix", "-t", lab, "--form", "cells"); code != ExitBadInput || !strings.Contains(errs, "--form") {
		t.Errorf("--form cells: exit %d %s", code, errs)
	}
}
