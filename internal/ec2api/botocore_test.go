package ec2api

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// botocoreParse feeds body to botocore's ec2 parser for op, as the AWS CLI would, and
// returns the parsed dict; it skips the test when python3 or botocore is absent. botocore is
// the strongest check available of what real clients make of our XML.
func botocoreParse(t *testing.T, op string, status int, body []byte) map[string]any {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: botocore cannot check the XML")
	}
	if err := exec.Command(py, "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore is not installed for python3: it cannot check the XML")
	}
	cmd := exec.Command(py, "testdata/botocore_parse.py", op, strconv.Itoa(status))
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore parse: %v\n%s", err, stderr.String())
	}
	var parsed map[string]any
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatalf("botocore output %q: %v", out, err)
	}
	return parsed
}

func ptr[T any](v T) *T { return &v }

func TestDescribeVpcsResponseParsesInBotocore(t *testing.T) {
	out := &DescribeVpcsResult{Vpcs: []Vpc{{
		VpcId:           ptr("vpc-0a1b2c3d"),
		CidrBlock:       ptr("10.0.0.0/16"),
		State:           ptr("available"),
		OwnerId:         ptr("123456789012"),
		InstanceTenancy: ptr("default"),
		DhcpOptionsId:   ptr("dopt-1"),
		IsDefault:       ptr(false),
		CidrBlockAssociationSet: []VpcCidrBlockAssociation{{
			AssociationId:  ptr("vpc-cidr-assoc-1"),
			CidrBlock:      ptr("10.0.0.0/16"),
			CidrBlockState: &VpcCidrBlockState{State: ptr("associated")},
		}},
		Tags: []Tag{{Key: ptr("Name"), Value: ptr("lab <&> one")}, {Key: ptr("empty"), Value: ptr("")}},
	}, {
		VpcId: ptr("vpc-2"), CidrBlock: ptr("10.1.0.0/16"), State: ptr("pending"), IsDefault: ptr(true),
	}}}
	body := Encode("DescribeVpcs", "req-123", out)
	got := botocoreParse(t, "DescribeVpcs", 200, body)
	want := map[string]any{
		"ResponseMetadata": map[string]any{"RequestId": "req-123", "HTTPStatusCode": 200.0, "HTTPHeaders": map[string]any{}},
		"Vpcs": []any{
			map[string]any{
				"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16", "State": "available",
				"OwnerId": "123456789012", "InstanceTenancy": "default", "DhcpOptionsId": "dopt-1",
				"IsDefault": false,
				"CidrBlockAssociationSet": []any{map[string]any{
					"AssociationId": "vpc-cidr-assoc-1", "CidrBlock": "10.0.0.0/16",
					"CidrBlockState": map[string]any{"State": "associated"},
				}},
				"Tags": []any{
					map[string]any{"Key": "Name", "Value": "lab <&> one"},
					map[string]any{"Key": "empty", "Value": ""},
				},
			},
			map[string]any{"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16", "State": "pending", "IsDefault": true},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("botocore parsed our DescribeVpcs XML differently (-want +got):\n%s\nXML: %s", d, body)
	}
}

// An empty result must parse as an empty list, not a missing one: the CLI and Terraform
// iterate over it.
func TestEmptyDescribeVpcsParsesAsEmptyList(t *testing.T) {
	got := botocoreParse(t, "DescribeVpcs", 200, Encode("DescribeVpcs", "r", &DescribeVpcsResult{Vpcs: []Vpc{}}))
	if v, ok := got["Vpcs"].([]any); !ok || len(v) != 0 {
		t.Errorf("Vpcs = %#v, want []", got["Vpcs"])
	}
}

func TestCreateSubnetAndDescribeTagsParseInBotocore(t *testing.T) {
	got := botocoreParse(t, "CreateSubnet", 200, Encode("CreateSubnet", "r1", &CreateSubnetResult{Subnet: &Subnet{
		SubnetId: ptr("subnet-1"), VpcId: ptr("vpc-1"), AvailableIpAddressCount: ptr(int32(251)),
		MapPublicIpOnLaunch: ptr(false), AvailabilityZone: ptr("us-east-1a"),
	}}))
	wantSubnet := map[string]any{"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailableIpAddressCount": 251.0,
		"MapPublicIpOnLaunch": false, "AvailabilityZone": "us-east-1a"}
	if d := cmp.Diff(wantSubnet, got["Subnet"]); d != "" {
		t.Errorf("CreateSubnet (-want +got):\n%s", d)
	}
	got = botocoreParse(t, "DescribeTags", 200, Encode("DescribeTags", "r2", &DescribeTagsResult{
		NextToken: ptr("tok"),
		Tags:      []TagDescription{{Key: ptr("Name"), Value: ptr("x"), ResourceId: ptr("vpc-1"), ResourceType: ptr("vpc")}},
	}))
	if got["NextToken"] != "tok" {
		t.Errorf("NextToken = %v", got["NextToken"])
	}
	wantTags := []any{map[string]any{"Key": "Name", "Value": "x", "ResourceId": "vpc-1", "ResourceType": "vpc"}}
	if d := cmp.Diff(wantTags, got["Tags"]); d != "" {
		t.Errorf("DescribeTags (-want +got):\n%s", d)
	}
}

func TestOutputlessResponseParsesInBotocore(t *testing.T) {
	out, _ := NewOutput("DeleteVpc")
	got := botocoreParse(t, "DeleteVpc", 200, Encode("DeleteVpc", "r-del", out))
	if md, _ := got["ResponseMetadata"].(map[string]any); md["RequestId"] != "r-del" {
		t.Errorf("ResponseMetadata = %v, want RequestId r-del", got["ResponseMetadata"])
	}
}

func TestErrorEnvelopeParsesInBotocore(t *testing.T) {
	e := &Error{Code: "MissingParameter", Message: "The request must contain the parameter VpcId"}
	got := botocoreParse(t, "DeleteVpc", 400, EncodeError("req-err", e))
	want := map[string]any{"Code": "MissingParameter", "Message": "The request must contain the parameter VpcId"}
	if d := cmp.Diff(want, got["Error"]); d != "" {
		t.Errorf("Error (-want +got):\n%s", d)
	}
	if md, _ := got["ResponseMetadata"].(map[string]any); md["RequestId"] != "req-err" {
		t.Errorf("ResponseMetadata = %v, want RequestId req-err", got["ResponseMetadata"])
	}
}
