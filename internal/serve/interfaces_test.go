package serve

import (
	"regexp"
	"strings"
	"testing"
)

// TestAttachedInterfaceIsAnalysed: an interface made on its own and attached as an
// instance's second leg is in the lab the engine compiles: a path to it is found through
// its own group, and refused by that group for a port it does not open.
func TestAttachedInterfaceIsAnalysed(t *testing.T) {
	l := newLab(t, Options{})
	vpc := first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	subnet := func(block string) string {
		return first(t, l.must("CreateSubnet", "VpcId="+vpc, "CidrBlock="+block, "AvailabilityZone=us-east-1a"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	}
	run := func(subnet string) string {
		return first(t, l.must("RunInstances", "ImageId=ami-0123456789abcdef0", "MinCount=1", "MaxCount=1", "SubnetId="+subnet), `<instanceId>(i-[0-9a-f]+)</instanceId>`)
	}
	front, back, client := subnet("10.0.1.0/24"), subnet("10.0.2.0/24"), subnet("10.0.3.0/24")
	app, from := run(front), run(client)
	sg := first(t, l.must("CreateSecurityGroup", "GroupName=back", "GroupDescription=back", "VpcId="+vpc), `<groupId>(sg-[0-9a-f]+)</groupId>`)
	l.must("AuthorizeSecurityGroupIngress", "GroupId="+sg, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=22",
		"IpPermissions.1.ToPort=22", "IpPermissions.1.IpRanges.1.CidrIp=10.0.3.0/24")
	eni := first(t, l.must("CreateNetworkInterface", "SubnetId="+back, "PrivateIpAddress=10.0.2.20", "SecurityGroupId.1="+sg),
		`<networkInterfaceId>(eni-[0-9a-f]+)</networkInterfaceId>`)
	l.must("AttachNetworkInterface", "NetworkInterfaceId="+eni, "InstanceId="+app, "DeviceIndex=1")
	if body := l.must("DescribeInstances", "InstanceId.1="+app); !strings.Contains(body, eni) || strings.Count(body, "<deviceIndex>") != 2 {
		t.Errorf("the instance with its second leg: %s", body)
	}

	analyse := func(port, token string) (bool, string) {
		path := first(t, l.must("CreateNetworkInsightsPath", "Source="+from, "Destination="+eni, "Protocol=tcp", "DestinationPort="+port,
			"ClientToken=path-"+token), `<networkInsightsPathId>(nip-[0-9a-f]+)</networkInsightsPathId>`)
		id := first(t, l.must("StartNetworkInsightsAnalysis", "NetworkInsightsPathId="+path, "ClientToken=analysis-"+token),
			`<networkInsightsAnalysisId>(nia-[0-9a-f]+)</networkInsightsAnalysisId>`)
		body := l.must("DescribeNetworkInsightsAnalyses", "NetworkInsightsAnalysisId.1="+id)
		var codes []string
		for _, m := range regexp.MustCompile(`<explanationCode>([^<]*)</explanationCode>`).FindAllStringSubmatch(body, -1) {
			codes = append(codes, m[1])
		}
		return first(t, body, `<networkPathFound>(true|false)</networkPathFound>`) == "true", strings.Join(codes, " ")
	}
	if found, codes := analyse("22", "ssh"); !found || codes != "" {
		t.Errorf("client → second leg tcp/22: found %v, codes %q, want found", found, codes)
	}
	if found, codes := analyse("23", "telnet"); found || codes != "ENI_SG_RULES_MISMATCH" {
		t.Errorf("client → second leg tcp/23: found %v, codes %q, want ENI_SG_RULES_MISMATCH", found, codes)
	}
}
