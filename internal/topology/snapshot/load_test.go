package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/model"
)

// writeFiles creates files (relative path -> content) under a fresh temp dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// problem returns the first problem of the severity whose text contains every substring.
func problem(ps model.Problems, sev model.Severity, subs ...string) *model.Problem {
	for i, p := range ps {
		if p.Severity != sev {
			continue
		}
		s := p.String()
		all := true
		for _, sub := range subs {
			all = all && strings.Contains(s, sub)
		}
		if all {
			return &ps[i]
		}
	}
	return nil
}

func wantProblem(t *testing.T, ps model.Problems, sev model.Severity, subs ...string) *model.Problem {
	t.Helper()
	p := problem(ps, sev, subs...)
	if p == nil {
		kind := "error"
		if sev == model.Warning {
			kind = "warning"
		}
		t.Errorf("no %s containing %q in:\n%v", kind, subs, ps)
	}
	return p
}

const vpcsJSON = `{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}`

func TestTimestampStyles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: `"2020-03-03 01:21:01+00:00"`, want: time.Date(2020, 3, 3, 1, 21, 1, 0, time.UTC)},
		{in: `"2020-03-03T01:21:01.000Z"`, want: time.Date(2020, 3, 3, 1, 21, 1, 0, time.UTC)},
		{in: `"2020-03-03 01:21:01.250000+02:00"`, want: time.Date(2020, 3, 2, 23, 21, 1, 250e6, time.UTC)},
		{in: `"2020-03-03T01:21:01Z"`, want: time.Date(2020, 3, 3, 1, 21, 1, 0, time.UTC)},
		{in: `"yesterday"`, bad: true},
		{in: `12`, bad: true},
		{in: `{"at": "2020-03-03T01:21:01Z"}`, bad: true},
		{in: `null`},
	} {
		var ts awsTime
		if err := json.Unmarshal([]byte(tc.in), &ts, decodeOpts); err != nil {
			t.Errorf("%s: %v", tc.in, err)
		}
		if ts.Bad != tc.bad || (!tc.bad && !ts.T.Equal(tc.want)) {
			t.Errorf("%s: got %v bad=%v, want %v bad=%v", tc.in, ts.T, ts.Bad, tc.want, tc.bad)
		}
	}

	dir := writeFiles(t, map[string]string{"NatGateways.json": `{"NatGateways": [
  {"NatGatewayId": "nat-1", "CreateTime": "2020-03-03 01:21:01+00:00"},
  {"NatGatewayId": "nat-2", "CreateTime": "2020-03-03T01:21:01.000Z"},
  {"NatGatewayId": "nat-3", "CreateTime": "last tuesday"}]}`})
	top, ps := Load(dir)
	if len(top.NATGateways) != 3 {
		t.Errorf("got %d NAT gateways, want 3 (a bad timestamp does not drop the object)", len(top.NATGateways))
	}
	p := wantProblem(t, ps, model.Error, "last tuesday")
	if p != nil && p.Src.Path != "NatGateways[2].CreateTime" {
		t.Errorf("bad timestamp path = %q", p.Src.Path)
	}
	if n := len(ps); n != 1 {
		t.Errorf("got %d problems, want 1:\n%v", n, ps)
	}
}

func TestMalformedJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"file.json":  "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\",, \"CidrBlock\": \"10.0.0.0/16\"}\n  ]\n}\n",
		"trunc.json": "{\"Subnets\": [\n",
		"ok.json":    vpcsJSON,
	})
	top, ps := Load(dir)
	// Line 3, column 23 is the second comma.
	if p := wantProblem(t, ps, model.Error, "file.json:3:23", "invalid character ','"); p != nil && p.Src.Line != 3 {
		t.Errorf("Src.Line = %d, want 3", p.Src.Line)
	}
	wantProblem(t, ps, model.Error, "trunc.json:2:1", "unexpected end of JSON input")
	if len(top.VPCs) != 1 {
		t.Errorf("the valid file was not loaded: %d VPCs", len(top.VPCs))
	}
}

func TestTypeErrorsNamePathAndAreAllReported(t *testing.T) {
	dir := writeFiles(t, map[string]string{"rt.json": `{"RouteTables": [
  {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
    {"DestinationCidrBlock": 5, "GatewayId": "igw-1"},
    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"x": [1, 2]}}]},
  {"RouteTableId": "rtb-2", "Associations": [{"Main": "yes"}], "Tags": {"Key": "Name"}}]}`})
	top, ps := Load(dir)
	wantProblem(t, ps, model.Error, "RouteTables[0].Routes[1].DestinationCidrBlock", "expected string, got number", "line 4")
	wantProblem(t, ps, model.Error, "RouteTables[0].Routes[2].GatewayId", "expected string, got object", "line 5")
	wantProblem(t, ps, model.Error, "RouteTables[1].Associations[0].Main", "expected boolean, got string", "line 6")
	wantProblem(t, ps, model.Error, "RouteTables[1].Tags", "expected array, got object", "line 6")
	if len(top.RouteTables) != 2 {
		t.Fatalf("got %d route tables, want 2 (type errors keep the rest of the object)", len(top.RouteTables))
	}
	// Routes[1] has no destination left and Routes[2] no target: both are reported and dropped.
	if got := len(top.RouteTables[0].Routes); got != 1 {
		t.Errorf("got %d routes, want 1", got)
	}
	wantProblem(t, ps, model.Error, "RouteTables[0].Routes[1]", "no destination")
	wantProblem(t, ps, model.Error, "RouteTables[0].Routes[2]", "no target")
}

func TestTypeErrorColumn(t *testing.T) {
	// Two type errors on one line: the second column must survive the first being nulled.
	dir := writeFiles(t, map[string]string{"s.json": `{"Subnets": [{"SubnetId": 1234567, "VpcId": 7, "CidrBlock": "10.0.0.0/24"}]}`})
	_, ps := Load(dir)
	wantProblem(t, ps, model.Error, "Subnets[0].SubnetId", "line 1, column 27")
	wantProblem(t, ps, model.Error, "Subnets[0].VpcId", "line 1, column 45")
}

func TestBadValues(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Subnets.json": `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"},
			{"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.1.7/24"}]}`,
		"Addresses.json": `{"Addresses": [{"AllocationId": "eipalloc-1", "PublicIp": "1.2.3.400"}]}`,
	})
	top, ps := Load(dir)
	p := wantProblem(t, ps, model.Error, `"10.0.0.0/33"`)
	if p != nil && (p.Src.Path != "Subnets[0].CidrBlock" || p.Src.File != "Subnets.json") {
		t.Errorf("bad CIDR source = %+v, want Subnets.json Subnets[0].CidrBlock", p.Src)
	}
	wantProblem(t, ps, model.Error, "Addresses[0].PublicIp", `"1.2.3.400"`)
	if len(top.Subnets) != 1 || top.Subnets[0].CIDR.String() != "10.0.1.0/24" {
		t.Errorf("subnets = %+v, want subnet-2 with its CIDR masked", top.Subnets)
	}
}

func TestUnknownAndUnmodelledKeys(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"az.json":       `{"AvailabilityZones": [{"ZoneName": "us-east-2a"}]}`,
		"weird.json":    `{"Gizmos": [], "Vpcs": [], "NextToken": "abc"}`,
		"array.json":    `[1, 2]`,
		"empty.json":    `{}`,
		"notes.txt":     `not json at all`,
		"page.json":     `{"NextToken": "abc"}`,
		"sub/nul.json":  `null`,
		"README.md":     `# hi`,
		"customer.json": `{"CustomerGateways": []}`,
	})
	_, ps := Load(dir)
	if ps.HasErrors() {
		t.Errorf("unexpected errors:\n%v", ps)
	}
	wantProblem(t, ps, model.Warning, "az.json: AvailabilityZones", "not modelled")
	wantProblem(t, ps, model.Warning, "customer.json: CustomerGateways", "not modelled")
	wantProblem(t, ps, model.Warning, "weird.json: Gizmos", "unknown key")
	wantProblem(t, ps, model.Warning, "array.json", "not a JSON object")
	wantProblem(t, ps, model.Warning, filepath.Join("sub", "nul.json"), "not a JSON object")
	wantProblem(t, ps, model.Warning, "empty.json", "no describe-* answer")
	wantProblem(t, ps, model.Warning, "page.json", "no describe-* answer")
	if problem(ps, model.Warning, "weird.json", "no describe-* answer") != nil {
		t.Errorf("weird.json has a Vpcs answer; it must not be called unrecognised")
	}
	for _, p := range ps {
		if strings.Contains(p.Src.File, "notes.txt") || strings.Contains(p.Src.File, "README") || strings.Contains(p.Message, "NextToken") {
			t.Errorf("unexpected problem %v", p)
		}
	}
	if len(ps) != 7 {
		t.Errorf("got %d problems, want 7:\n%v", len(ps), ps)
	}
}

func TestMultiAccountLayout(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"111111111111/us-east-1/Vpcs.json":    vpcsJSON,
		"111111111111/us-east-1/Subnets.json": `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}`,
		"222222222222/eu-west-1/x.json":       `{"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16"}]}`,
		// The same answer merged twice: the first copy wins, with a warning.
		"222222222222/eu-west-1/Vpcs-again.json": vpcsJSON,
	})
	top, ps := Load(dir)
	if ps.HasErrors() {
		t.Fatalf("errors:\n%v", ps)
	}
	if len(top.VPCs) != 2 || len(top.Subnets) != 1 {
		t.Fatalf("got %d VPCs and %d subnets, want 2 and 1", len(top.VPCs), len(top.Subnets))
	}
	if got, want := top.VPC("vpc-1").Src, (model.Source{File: filepath.Join("111111111111", "us-east-1", "Vpcs.json"), Path: "Vpcs[0]"}); got != want {
		t.Errorf("vpc-1 source = %+v, want %+v", got, want)
	}
	if got := top.VPC("vpc-2").Src.File; got != filepath.Join("222222222222", "eu-west-1", "x.json") {
		t.Errorf("vpc-2 source file = %q", got)
	}
	wantProblem(t, ps, model.Warning, "Vpcs-again.json", "duplicate VPC vpc-1", "111111111111")
}

func TestOddFileNameAndSingleFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"x.json": vpcsJSON, "Upper.JSON": `{"Subnets": []}`})
	top, ps := Load(dir)
	if len(ps) != 0 || len(top.VPCs) != 1 || top.VPCs[0].ID != "vpc-1" {
		t.Errorf("x.json holding Vpcs: VPCs %+v, problems %v", top.VPCs, ps)
	}
	file := filepath.Join(dir, "x.json")
	top, ps = Load(file)
	if len(ps) != 0 || len(top.VPCs) != 1 || top.VPCs[0].Src.File != file {
		t.Errorf("single file: VPCs %+v, problems %v", top.VPCs, ps)
	}
}

func TestMissingDir(t *testing.T) {
	top, ps := Load(filepath.Join(t.TempDir(), "nope"))
	if top == nil || !ps.HasErrors() {
		t.Errorf("missing dir: topology %v, problems %v", top, ps)
	}
}

func TestEncodings(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bom.json":   "\xEF\xBB\xBF" + vpcsJSON,
		"utf16.json": "\xFF\xFE{\x00}\x00",
	})
	top, ps := Load(dir)
	if len(top.VPCs) != 1 {
		t.Errorf("a UTF-8 BOM must be accepted: %v", ps)
	}
	wantProblem(t, ps, model.Error, "utf16.json", "UTF-16")
}

func TestTooManyTypeErrors(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"Vpcs": [`)
	for i := range maxTypeErrors + 5 {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"VpcId": 1}`)
	}
	sb.WriteString(`]}`)
	_, ps := Load(writeFiles(t, map[string]string{"v.json": sb.String()}))
	typeErrs := 0
	for _, p := range ps {
		if strings.Contains(p.Message, "expected string") {
			typeErrs++
		}
	}
	if typeErrs != maxTypeErrors {
		t.Errorf("got %d type errors, want %d", typeErrs, maxTypeErrors)
	}
	wantProblem(t, ps, model.Error, "v.json: Vpcs", "more than 20 type errors")
}

// TestSnapshotWithoutNetworkAclsOrSecurityGroupsWarns: every VPC has a default network ACL
// (§5.2) and a default security group (§4.1.7), so a snapshot with subnets but no network
// ACL, or with interfaces naming security groups but no group, is partial, whether the answer
// is missing or empty. The load says so and what vpclab assumes, naming the directory.
func TestSnapshotWithoutNetworkAclsOrSecurityGroupsWarns(t *testing.T) {
	const (
		subnets = `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
			{"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}]}`
		enis = `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "VpcId": "vpc-1", "SubnetId": "subnet-1",
			"PrivateIpAddress": "10.0.1.10", "Groups": [{"GroupId": "sg-1"}]}]}`
		acls = `{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true}]}`
		sgs  = `{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1"}]}`
	)
	naclWarning := []string{"no network ACLs", "each of the 2 subnet(s) has its VPC's default network ACL", "allows all traffic", "§5.2"}
	sgWarning := []string{"no security groups", "the groups that 1 network interface(s) name", "allow nothing", "ENI_SG_RULES_MISMATCH", "§4.1.7"}
	cases := []struct {
		name             string
		files            map[string]string
		wantNACL, wantSG string // "" when no warning is due, else what the warning says of the answer
	}{
		{"answers missing", map[string]string{"v.json": vpcsJSON, "s.json": subnets, "e.json": enis},
			"no file holds a NetworkAcls answer", "no file holds a SecurityGroups answer"},
		{"answers empty", map[string]string{"v.json": vpcsJSON, "s.json": subnets, "e.json": enis,
			"a.json": `{"NetworkAcls": []}`, "g.json": `{"SecurityGroups": null}`},
			"the NetworkAcls answer lists none", "the SecurityGroups answer lists none"},
		{"answers present", map[string]string{"v.json": vpcsJSON, "s.json": subnets, "e.json": enis, "a.json": acls, "g.json": sgs}, "", ""},
		// Nothing a network ACL or a security group would filter: nothing to warn about.
		{"no subnets, no groups named", map[string]string{"v.json": vpcsJSON}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			_, ps := Load(dir)
			if ps.HasErrors() {
				t.Fatalf("errors:\n%v", ps)
			}
			for _, w := range []struct {
				answer string
				subs   []string
			}{{c.wantNACL, naclWarning}, {c.wantSG, sgWarning}} {
				p := problem(ps, model.Warning, w.subs[0])
				switch {
				case w.answer == "" && p != nil:
					t.Errorf("unexpected warning %v", p)
				case w.answer != "":
					if p = wantProblem(t, ps, model.Warning, append([]string{w.answer}, w.subs...)...); p != nil && p.Src != (model.Source{File: dir}) {
						t.Errorf("warning at %+v, want the snapshot directory %s", p.Src, dir)
					}
				}
			}
		})
	}
}

// TestDirectoryWithoutDescribeAnswersIsRefused: a directory none of whose files holds an
// answer vpclab reads is not an empty account but the wrong directory (an empty one, a YAML
// lab's folder, unrelated JSON). It is refused with an error naming the directory, what was
// expected and what was found. An answer that lists nothing is an empty account, and loads.
func TestDirectoryWithoutDescribeAnswersIsRefused(t *testing.T) {
	expected := []string{"no describe-* answer", "Vpcs, Subnets, RouteTables", "PrefixLists"}
	cases := []struct {
		name  string
		files map[string]string
		want  func(dir string) []string // fragments of the error, besides expected; nil: no such error
	}{
		{"empty directory", map[string]string{},
			func(string) []string { return []string{"it holds no *.json file"} }},
		{"a lab's folder", map[string]string{"lab.yaml": "vpc: {name: v, cidr: 10.0.0.0/16}\n",
			"lab-sg-narrowed.yml": "vpc: {name: v, cidr: 10.0.0.0/16}\n", "README.md": "# a lab", "sub/other.yaml": "x: 1\n"},
			func(dir string) []string {
				return []string{"it holds no *.json file", "did you mean " + filepath.Join(dir, "lab.yaml") + " or " + filepath.Join(dir, "lab-sg-narrowed.yml") + "?"}
			}},
		{"unrelated JSON", map[string]string{"package.json": `{"name": "x"}`, "sub/az.json": `{"AvailabilityZones": []}`},
			func(string) []string {
				return []string{"none of the 2 JSON file(s) read (package.json, " + filepath.Join("sub", "az.json") + ") holds one"}
			}},
		{"empty answers are an empty account", map[string]string{"Vpcs.json": `{"Vpcs": []}`}, nil},
		// A broken file is reported for itself; the directory is not blamed as well.
		{"broken JSON", map[string]string{"Vpcs.json": `{"Vpcs": [`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			top, ps := Load(dir)
			if top == nil {
				t.Fatal("Load returned a nil topology")
			}
			p := problem(ps, model.Error, expected[0])
			if c.want == nil {
				if p != nil {
					t.Errorf("unexpected error %v", p)
				}
				return
			}
			if p = wantProblem(t, ps, model.Error, append(expected, c.want(dir)...)...); p != nil && p.Src != (model.Source{File: dir}) {
				t.Errorf("error at %+v, want the directory %s", p.Src, dir)
			}
		})
	}
}
