package ec2api

import (
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixture decodes a request body the AWS CLI v1 (1.45.11, botocore 1.43.11) sent, captured
// with a local listener (testdata/*.body), into op's input struct.
func fixture(t *testing.T, file, op string) any {
	t.Helper()
	body, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	values, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if got := values.Get("Action"); got != op {
		t.Fatalf("%s: Action %q, want %q", file, got, op)
	}
	in, ok := NewInput(op)
	if !ok {
		t.Fatalf("no input shape for %s", op)
	}
	if err := Decode(values, in); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return in
}

func TestDecodeCLICreateVpc(t *testing.T) {
	// aws ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=x}]'
	got := fixture(t, "create-vpc.body", "CreateVpc")
	want := &CreateVpcRequest{
		CidrBlock:         ptr("10.0.0.0/16"),
		TagSpecifications: []TagSpecification{{ResourceType: ptr("vpc"), Tags: []Tag{{Key: ptr("Name"), Value: ptr("x")}}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDecodeCLIDescribeVpcs(t *testing.T) {
	// aws ec2 describe-vpcs --vpc-ids vpc-1 vpc-2 --max-results 5
	//   --filters Name=cidr,Values=10.0.0.0/16,10.1.0.0/16 Name=tag:Name,Values=x
	got := fixture(t, "describe-vpcs.body", "DescribeVpcs")
	want := &DescribeVpcsRequest{
		VpcIds:     []string{"vpc-1", "vpc-2"},
		MaxResults: ptr(int32(5)),
		Filters: []Filter{
			{Name: ptr("cidr"), Values: []string{"10.0.0.0/16", "10.1.0.0/16"}},
			{Name: ptr("tag:Name"), Values: []string{"x"}},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDecodeCLICreateSubnet(t *testing.T) {
	got := fixture(t, "create-subnet.body", "CreateSubnet")
	want := &CreateSubnetRequest{
		VpcId: ptr("vpc-1"), CidrBlock: ptr("10.0.1.0/24"), AvailabilityZone: ptr("us-east-1a"),
		TagSpecifications: []TagSpecification{{ResourceType: ptr("subnet"), Tags: []Tag{
			{Key: ptr("Name"), Value: ptr("a")}, {Key: ptr("env"), Value: ptr("lab")},
		}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDecodeCLICreateTags(t *testing.T) {
	// An empty value (Value=) is set, not absent: a tag's value may be "".
	got := fixture(t, "create-tags.body", "CreateTags")
	want := &CreateTagsRequest{
		Resources: []string{"vpc-1", "subnet-2"},
		Tags:      []Tag{{Key: ptr("Name"), Value: ptr("x")}, {Key: ptr("empty"), Value: ptr("")}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDecodeCLIDeleteVpcDryRun(t *testing.T) {
	got := fixture(t, "delete-vpc.body", "DeleteVpc")
	want := &DeleteVpcRequest{VpcId: ptr("vpc-1"), DryRun: ptr(true)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// Indices are ordered by number, not as strings, and need not be contiguous.
func TestDecodeListOrderIsNumeric(t *testing.T) {
	v := url.Values{"VpcId.10": {"c"}, "VpcId.2": {"b"}, "VpcId.1": {"a"}}
	var in DescribeVpcsRequest
	if err := Decode(v, &in); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a", "b", "c"}, in.VpcIds); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		op     string
		values url.Values
		want   *Error
	}{
		{"missing VpcId", "DeleteVpc", url.Values{"DryRun": {"true"}},
			&Error{"MissingParameter", "The request must contain the parameter VpcId"}},
		{"missing one of two required", "CreateTags", url.Values{"ResourceId.1": {"vpc-1"}},
			&Error{"MissingParameter", "The request must contain the parameter Tag"}},
		{"malformed integer", "DescribeVpcs", url.Values{"MaxResults": {"five"}},
			&Error{"InvalidParameterValue", "Value ( five ) for parameter MaxResults is invalid. Expected an integer."}},
		{"integer overflow", "DescribeVpcs", url.Values{"MaxResults": {"99999999999"}},
			&Error{"InvalidParameterValue", "Value ( 99999999999 ) for parameter MaxResults is invalid. Expected an integer."}},
		{"malformed boolean", "DeleteVpc", url.Values{"VpcId": {"vpc-1"}, "DryRun": {"yes"}},
			&Error{"InvalidParameterValue", "Value ( yes ) for parameter DryRun is invalid. Expected true or false."}},
		// EC2 names the first part of a parameter it does not know ("The parameter Item is not
		// recognized" for Item.1, quoted in aws/aws-sdk-js issue 57).
		{"unknown parameter", "DescribeVpcs", url.Values{"Item.1": {"x"}, "VpcId.1": {"vpc-1"}},
			&Error{"UnknownParameter", "The parameter Item is not recognized"}},
		{"unknown member of a known one", "DescribeVpcs", url.Values{"Filter.1.Nme": {"cidr"}},
			&Error{"UnknownParameter", "The parameter Filter.1.Nme is not recognized"}},
		{"malformed list index", "DescribeVpcs", url.Values{"VpcId.x": {"vpc-1"}},
			&Error{"UnknownParameter", "The parameter VpcId.x is not recognized"}},
		{"index zero", "DescribeVpcs", url.Values{"VpcId.0": {"vpc-1"}},
			&Error{"UnknownParameter", "The parameter VpcId.0 is not recognized"}},
		{"scalar given as a list", "DeleteVpc", url.Values{"VpcId.1": {"vpc-1"}},
			&Error{"UnknownParameter", "The parameter VpcId.1 is not recognized"}},
		{"list given as a scalar", "DescribeVpcs", url.Values{"VpcId": {"vpc-1"}},
			&Error{"UnknownParameter", "The parameter VpcId is not recognized"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, _ := NewInput(c.op)
			err := Decode(c.values, in)
			if d := cmp.Diff(error(c.want), err, cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// Query-signed requests carry their signature as parameters; they are not the input's.
func TestDecodeIgnoresCommonParameters(t *testing.T) {
	v := url.Values{"Action": {"DeleteVpc"}, "Version": {"2016-11-15"}, "VpcId": {"vpc-1"},
		"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Signature": {"abc"}, "AWSAccessKeyId": {"AK"}, "Signature": {"s"}}
	var in DeleteVpcRequest
	if err := Decode(v, &in); err != nil {
		t.Fatal(err)
	}
	if in.VpcId == nil || *in.VpcId != "vpc-1" {
		t.Errorf("VpcId = %v", in.VpcId)
	}
}

func TestDecodeTimestampAndEncodeIt(t *testing.T) {
	var s struct {
		When *time.Time `ec2:"q=When,x=when"`
	}
	if err := Decode(url.Values{"When": {"2026-11-30T01:02:03Z"}}, &s); err != nil {
		t.Fatal(err)
	}
	if s.When == nil || !s.When.Equal(time.Date(2026, 11, 30, 1, 2, 3, 0, time.UTC)) {
		t.Fatalf("When = %v", s.When)
	}
	got := string(Encode("X", "r", &s))
	if !strings.Contains(got, "<when>2026-11-30T01:02:03.000Z</when>") {
		t.Errorf("encoded %s", got)
	}
}
