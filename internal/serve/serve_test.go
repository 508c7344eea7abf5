package serve

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// lab is a server under test, in memory, on a loopback listener.
type lab struct {
	t   *testing.T
	s   *Server
	url string
}

func newLab(t *testing.T, opt Options) *lab {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	}
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return &lab{t: t, s: s, url: hs.URL}
}

// call posts an EC2 Query request (action, then name=value pairs) and returns the status
// and body.
func (l *lab) call(action string, params ...string) (int, string) {
	l.t.Helper()
	v := url.Values{"Action": {action}, "Version": {"2016-11-15"}}
	for _, p := range params {
		k, val, _ := strings.Cut(p, "=")
		v.Add(k, val)
	}
	return l.raw(v.Encode())
}

func (l *lab) raw(body string) (int, string) {
	l.t.Helper()
	r, err := httpPost(l.url, body)
	if err != nil {
		l.t.Fatal(err)
	}
	return r.status, r.body
}

type answer struct {
	status int
	body   string
}

func httpPost(url, body string) (answer, error) {
	resp, err := http.Post(url, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b)}, err
}

// must calls and fails the test unless the answer is 200; it returns the body.
func (l *lab) must(action string, params ...string) string {
	l.t.Helper()
	status, body := l.call(action, params...)
	if status != 200 {
		l.t.Fatalf("%s %v: %d %s", action, params, status, body)
	}
	return body
}

// first is the first match of re's group in body.
func first(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %s", re, body)
	}
	return m[1]
}

func errorCode(body string) string {
	m := regexp.MustCompile(`<Code>([^<]*)</Code>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBadInput tries what a new user gets wrong: each answer is HTTP 400 with AWS's code
// and a message naming the value, and the server goes on serving.
func TestBadInput(t *testing.T) {
	l := newLab(t, Options{})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.1.0/24")
	for _, tc := range []struct {
		name, body, code, says string
	}{
		{"missing required parameter", "Action=CreateSubnet&Version=2016-11-15&CidrBlock=10.0.2.0/24", "MissingParameter", "VpcId"},
		{"malformed CIDR", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0/16", "InvalidParameterValue", "10.0.0/16"},
		{"VPC too large", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/8", "InvalidVpc.Range", "10.0.0.0/8"},
		{"unknown ID", "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0123456789abcdef0", "InvalidVpcID.NotFound", "vpc-0123456789abcdef0"},
		{"malformed ID", "Action=CreateSubnet&Version=2016-11-15&VpcId=subnet-1&CidrBlock=10.0.2.0/24", "InvalidVpcID.Malformed", "subnet-1"},
		{"VPC with subnets", "Action=DeleteVpc&Version=2016-11-15&VpcId=" + vpc, "DependencyViolation", vpc},
		{"subnet outside the VPC", "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=10.1.0.0/24", "InvalidSubnet.Range", "10.1.0.0/24"},
		{"overlapping subnet", "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=10.0.1.0/25", "InvalidSubnet.Conflict", "10.0.1.0/25"},
		{"unknown zone", "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=10.0.3.0/24&AvailabilityZone=us-east-1z", "InvalidParameterValue", "us-east-1a, us-east-1b"},
		{"unknown zone ID", "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=10.0.3.0/24&AvailabilityZoneId=use1-az9", "InvalidParameterValue", "availabilityZoneId"},
		{"unknown action", "Action=CreateTeleporter&Version=2016-11-15", "InvalidAction", "CreateTeleporter"},
		{"action not served yet", "Action=DescribeFleets&Version=2016-11-15", "UnsupportedOperation", "DescribeFleets"},
		{"no action", "Version=2016-11-15", "MissingAction", "Action"},
		{"garbled body", "Action=DescribeVpcs&%zz", "MalformedQueryString", "form-encoded"},
		{"unknown parameter", "Action=DescribeVpcs&Version=2016-11-15&Colour=blue", "UnknownParameter", "Colour"},
		{"wrong type", "Action=DescribeVpcs&Version=2016-11-15&MaxResults=many", "InvalidParameterValue", "many"},
		{"bad filter", "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=colour&Filter.1.Value.1=blue", "InvalidParameterValue", "colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := l.raw(tc.body)
			if status != 400 || errorCode(body) != tc.code || !strings.Contains(body, tc.says) {
				t.Errorf("got %d %s, want 400 %s mentioning %q", status, body, tc.code, tc.says)
			}
		})
	}
	if body := l.must("DescribeSubnets"); strings.Count(body, "<subnetId>") != 1 {
		t.Errorf("after the bad requests the lab holds %s, want the one subnet", body)
	}
}

// TestCreateVpcMakesItsDefaults: CreateVpc makes the main route table (with the local
// route), the default network ACL and the default security group at once, as AWS does.
func TestCreateVpcMakesItsDefaults(t *testing.T) {
	l := newLab(t, Options{})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	f := []string{"Filter.1.Name=vpc-id", "Filter.1.Value.1=" + vpc}
	rt := l.must("DescribeRouteTables", f...)
	if !strings.Contains(rt, "<main>true</main>") || !strings.Contains(rt, "<destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId>") {
		t.Errorf("route tables: %s", rt)
	}
	acl := l.must("DescribeNetworkAcls", f...)
	if !strings.Contains(acl, "<default>true</default>") || strings.Count(acl, "<ruleNumber>100</ruleNumber>") != 2 {
		t.Errorf("network ACLs: %s", acl)
	}
	sg := l.must("DescribeSecurityGroups", f...)
	if !strings.Contains(sg, "<groupName>default</groupName>") || strings.Count(sg, "<groupId>sg-") != 2 { // the group and its self-reference
		t.Errorf("security groups: %s", sg)
	}
	if status, body := l.call("DeleteVpc", "VpcId="+vpc); status != 200 {
		t.Fatalf("DeleteVpc: %s", body)
	}
	if body := l.must("DescribeRouteTables"); strings.Contains(body, "<item>") {
		t.Errorf("the main route table outlived its VPC: %s", body)
	}
}

// TestDryRunAndClientToken: DryRun answers DryRunOperation (HTTP 412) and changes nothing;
// a retry with the same ClientToken gets the same NAT gateway, a different request with it
// IdempotentParameterMismatch.
func TestDryRunAndClientToken(t *testing.T) {
	l := newLab(t, Options{})
	status, body := l.call("CreateVpc", "CidrBlock=10.0.0.0/16", "DryRun=true")
	if status != 412 || errorCode(body) != "DryRunOperation" {
		t.Errorf("dry run: %d %s", status, body)
	}
	if body := l.must("DescribeVpcs"); strings.Contains(body, "<vpcId>") {
		t.Errorf("the dry run made a VPC: %s", body)
	}
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subnet := first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.2.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	create := []string{"SubnetId=" + subnet, "ConnectivityType=private", "ClientToken=tok-1"}
	a := first(t, l.must("CreateNatGateway", create...), `<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>`)
	b := first(t, l.must("CreateNatGateway", create...), `<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>`)
	if a != b {
		t.Errorf("a retry with the same client token made %s after %s", b, a)
	}
	if n := strings.Count(l.must("DescribeNatGateways"), "<natGatewayId>"); n != 1 {
		t.Errorf("%d NAT gateways, want 1", n)
	}
	status, body = l.call("CreateNatGateway", "SubnetId="+subnet, "ConnectivityType=private", "ClientToken=tok-1", "PrivateIpAddress=10.0.2.200")
	if status != 400 || errorCode(body) != "IdempotentParameterMismatch" {
		t.Errorf("same token, other request: %d %s", status, body)
	}
}

// TestPagination walks DescribeVpcs five at a time: every VPC once, in ID order.
func TestPagination(t *testing.T) {
	l := newLab(t, Options{})
	for i := range 12 {
		l.must("CreateVpc", "CidrBlock=10."+itoa(i)+".0.0/16")
	}
	var seen []string
	token := ""
	for page := 0; ; page++ {
		params := []string{"MaxResults=5"}
		if token != "" {
			params = append(params, "NextToken="+token)
		}
		body := l.must("DescribeVpcs", params...)
		ids := regexp.MustCompile(`<vpcId>(vpc-[0-9a-f]+)</vpcId>`).FindAllStringSubmatch(body, -1)
		for _, m := range ids {
			seen = append(seen, m[1])
		}
		m := regexp.MustCompile(`<nextToken>([^<]+)</nextToken>`).FindStringSubmatch(body)
		if m == nil {
			break
		}
		if len(ids) != 5 || page > 3 {
			t.Fatalf("page %d holds %d VPCs and a next token", page, len(ids))
		}
		token = m[1]
	}
	if len(seen) != 12 {
		t.Fatalf("pages held %d VPCs, want 12: %v", len(seen), seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i-1] >= seen[i] {
			t.Errorf("pages out of order or repeating at %d: %v", i, seen)
		}
	}
}

// TestDeterministic: the same seed and requests give byte-identical answers.
func TestDeterministic(t *testing.T) {
	run := func() []string {
		l := newLab(t, Options{Seed: 7})
		vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
		l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.1.0/24")
		return []string{l.must("DescribeVpcs"), l.must("DescribeSubnets"), l.must("DescribeRouteTables"), string(l.s.Export())}
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("answer %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
}

// TestValidationRefusesWhatTheLoaderRejects: a write the API rules let through but the
// loader's validation rejects is refused, and the state is left as it was. A route to a
// NAT gateway in another VPC is one (§1.2: targets are in the route table's VPC).
func TestValidationRefusesWhatTheLoaderRejects(t *testing.T) {
	l := newLab(t, Options{})
	a := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	b := first(t, l.must("CreateVpc", "CidrBlock=10.1.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	sb := first(t, l.must("CreateSubnet", "VpcId="+b, "CidrBlock=10.1.2.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	nat := first(t, l.must("CreateNatGateway", "SubnetId="+sb, "ConnectivityType=private"), `<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>`)
	rt := first(t, l.must("CreateRouteTable", "VpcId="+a), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	before := string(l.s.Export())
	status, body := l.call("CreateRoute", "RouteTableId="+rt, "DestinationCidrBlock=0.0.0.0/0", "NatGatewayId="+nat)
	if status != 400 || errorCode(body) != "InvalidParameterValue" {
		t.Fatalf("a route to another VPC's NAT gateway: %d %s", status, body)
	}
	if after := string(l.s.Export()); after != before {
		t.Errorf("the refused write changed the state")
	}
}

// TestDeleteNatGatewayFreesItsAddress: a deleted public NAT gateway gives its Elastic IP
// back (§2.1): it can be released, while the gateway stays visible as deleting, then
// deleted.
func TestDeleteNatGatewayFreesItsAddress(t *testing.T) {
	l := newLab(t, Options{})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	igw := first(t, l.must("CreateInternetGateway"), `<internetGatewayId>(igw-[0-9a-f]+)</internetGatewayId>`)
	l.must("AttachInternetGateway", "InternetGatewayId="+igw, "VpcId="+vpc)
	subnet := first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.0.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	eip := first(t, l.must("AllocateAddress", "Domain=vpc"), `<allocationId>(eipalloc-[0-9a-f]+)</allocationId>`)
	nat := first(t, l.must("CreateNatGateway", "SubnetId="+subnet, "AllocationId="+eip), `<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>`)
	if status, body := l.call("ReleaseAddress", "AllocationId="+eip); status != 400 || errorCode(body) != "InvalidIPAddress.InUse" {
		t.Errorf("releasing the address of a live NAT gateway: %d %s", status, body)
	}
	if body := l.must("DeleteNatGateway", "NatGatewayId="+nat); !strings.Contains(body, nat) {
		t.Errorf("DeleteNatGateway: %s", body)
	}
	if body := l.must("DescribeNatGateways"); !strings.Contains(body, "<state>deleted</state>") {
		t.Errorf("after the delete: %s", body)
	}
	l.must("ReleaseAddress", "AllocationId="+eip)
}

// TestImport: a lab's describe-* answers load into an empty server with their IDs, and the
// served lab exports the same resources; answers serve does not hold, IDs given twice and
// a non-empty server are refused, naming them.
func TestImport(t *testing.T) {
	l := newLab(t, Options{})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock=10.0.1.0/24")
	doc := l.s.Export()

	m := newLab(t, Options{Seed: 9})
	if err := m.s.Import("lab", map[string][]byte{"a.json": doc}); err != nil {
		t.Fatal(err)
	}
	if got := string(m.s.Export()); got != string(doc) {
		t.Errorf("the imported lab exports\n%s\nwant\n%s", got, doc)
	}
	if err := m.s.Import("again", map[string][]byte{"a.json": doc}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("import into a served lab: %v", err)
	}
	for _, tc := range []struct {
		files map[string][]byte
		want  string
	}{
		{map[string][]byte{"a.json": doc, "b.json": doc}, "appear twice"},
		{map[string][]byte{"tgw.json": []byte(`{"TransitGateways": [{"TransitGatewayId": "tgw-1"}]}`)}, "TransitGateways, which vpclab serve does not serve yet"},
		{map[string][]byte{"bad.json": []byte(`{"Vpcs": [`)}, "bad.json"},
	} {
		n := newLab(t, Options{})
		if err := n.s.Import("lab", tc.files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("import %v: %v, want an error saying %q", slices.Sorted(maps.Keys(tc.files)), err, tc.want)
		}
		if body := n.must("DescribeVpcs"); strings.Contains(body, "<vpcId>") {
			t.Errorf("a refused import left %s", body)
		}
	}
}
