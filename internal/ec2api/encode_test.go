package ec2api

import (
	"encoding/xml"
	"testing"
)

// botocore parses a list's children whatever they are called, so the botocore tests cannot
// see a wrong item name; aws-sdk-go-v2 (Terraform's SDK) matches <item> by name. This pins
// the exact XML of a small response.
func TestEncodeExactXML(t *testing.T) {
	out := &DescribeVpcsResult{Vpcs: []Vpc{{
		VpcId:     ptr("vpc-1"),
		IsDefault: ptr(true),
		Tags:      []Tag{{Key: ptr("a&b"), Value: ptr("")}},
	}}}
	got := string(Encode("DescribeVpcs", "r<1>", out))
	want := xml.Header + `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
		`<requestId>r&lt;1&gt;</requestId>` +
		`<vpcSet><item><isDefault>true</isDefault><tagSet><item><key>a&amp;b</key><value></value></item></tagSet>` +
		`<vpcId>vpc-1</vpcId></item></vpcSet></DescribeVpcsResponse>`
	if got != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
}

func TestEncodeErrorExactXML(t *testing.T) {
	got := string(EncodeError("r-2", &Error{"InvalidVpcID.NotFound", "The vpc ID 'vpc-9' does not exist"}))
	want := xml.Header + `<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>` +
		`<Message>The vpc ID &#39;vpc-9&#39; does not exist</Message></Error></Errors><RequestID>r-2</RequestID></Response>`
	if got != want {
		t.Errorf("EncodeError:\n got %s\nwant %s", got, want)
	}
}
