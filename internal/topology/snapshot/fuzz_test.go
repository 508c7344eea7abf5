package snapshot

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as one JSON file. Load must not panic, must return
// a topology, and every problem must name the file it came from, or the directory for what
// the snapshot as a whole lacks.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		vpcsJSON,
		`{"RouteTables": [{"RouteTableId": "rtb-1", "Routes": [{"DestinationCidrBlock": 5, "GatewayId": {"a": [1]}}]}]}`,
		`{"NatGateways": [{"NatGatewayId": "nat-1", "CreateTime": "2020-03-03 01:21:01+00:00",
			"NatGatewayAddresses": [{"PrivateIp": "10.0.0.1", "IsPrimary": true}]}]}`,
		`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "abc", "IpRanges": [{"CidrIp": "x"}]}]}]}`,
		`{"Reservations": [{"Instances": [{"InstanceId": "i-1", "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1"}]}]}]}`,
		`{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [{"RuleNumber": 1.5, "PortRange": {"From": "x"}}]}]}`,
		"{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\",,}\n  ]\n}",
		`[]`, `null`, ``, `{"Vpcs": null, "NextToken": 1}`,
	} {
		f.Add([]byte(seed))
	}
	// The conformance snapshots, when present, are good seeds too.
	if files, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "shared", "conformance", "batfish", "*", "aws_configs", "*.json")); len(files) > 0 {
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "input.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		top, ps := Load(dir)
		if top == nil {
			t.Fatal("Load returned a nil topology")
		}
		for _, p := range ps {
			if p.Src.File != "input.json" && p.Src.File != dir {
				t.Errorf("problem without its file: %v", p)
			}
		}
	})
}
