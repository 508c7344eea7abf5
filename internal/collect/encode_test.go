package collect

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
)

// SDK structs are written as the CLI prints them: absent members omitted (nil pointers and
// lists, "" enums), present zero values kept (false, 0, an empty list), enums as strings,
// timestamps in the CLI's ISO 8601, tags sorted by key, four spaces of indent, no HTML
// escaping; Direct Connect's keys lowerCamelCase.
func TestEncodeAnswerAsTheCLIPrints(t *testing.T) {
	launch := time.Date(2024, 5, 1, 12, 30, 0, 0, time.FixedZone("X", 3600))
	fields := []field{
		{"Instances", []types.Instance{{
			InstanceId:     aws.String("i-1"),
			LaunchTime:     &launch,
			State:          &types.InstanceState{Code: aws.Int32(0), Name: types.InstanceStateNamePending},
			EbsOptimized:   aws.Bool(false),
			SecurityGroups: []types.GroupIdentifier{},
			Tags:           []types.Tag{{Key: aws.String("b"), Value: aws.String("x<y&z")}, {Key: aws.String("Name"), Value: aws.String("web")}},
		}}},
		{"AdditionalRoutesAvailable", false},
		{"Empty", []types.Vpc(nil)},
	}
	got, err := encodeAnswer(fields, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "Instances": [
        {
            "EbsOptimized": false,
            "InstanceId": "i-1",
            "LaunchTime": "2024-05-01T11:30:00+00:00",
            "SecurityGroups": [],
            "State": {
                "Code": 0,
                "Name": "pending"
            },
            "Tags": [
                {
                    "Key": "Name",
                    "Value": "web"
                },
                {
                    "Key": "b",
                    "Value": "x<y&z"
                }
            ]
        }
    ],
    "AdditionalRoutesAvailable": false,
    "Empty": []
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("encoded (-want +got):\n%s", diff)
	}

	got, err = encodeAnswer([]field{{"directConnectGateways", []dxtypes.DirectConnectGateway{{
		DirectConnectGatewayId: aws.String("5f294f92-bafb-4011-916d-9b0bexample"), AmazonSideAsn: aws.Int64(64512),
		DirectConnectGatewayState: dxtypes.DirectConnectGatewayStateAvailable}}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	want = `{
    "directConnectGateways": [
        {
            "amazonSideAsn": 64512,
            "directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bexample",
            "directConnectGatewayState": "available"
        }
    ]
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Direct Connect encoded (-want +got):\n%s", diff)
	}
}

func TestCLITime(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2020, 3, 3, 1, 21, 1, 0, time.UTC):         "2020-03-03T01:21:01+00:00",
		time.Date(2020, 3, 3, 1, 21, 1, 123456789, time.UTC): "2020-03-03T01:21:01.123456+00:00",
	} {
		if got := cliTime(in); got != want {
			t.Errorf("cliTime(%v) = %q, want %q", in, got, want)
		}
	}
}
