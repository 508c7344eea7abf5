package serve

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// accessLab is one VPC 10.0.0.0/16 with an internet gateway; subnet A 10.0.1.0/24 routes
// to it, subnet B 10.0.2.0/24 does not. web (10.0.1.10, an Elastic IP, group web) is in A,
// db (10.0.2.20, the default group) in B. The group web admits tcp/80 and tcp/443 from
// anywhere.
type accessLab struct {
	*lab
	vpc, igw, subnetA, subnetB, web, db, sgWeb, sgDefault, webPublic string
	n                                                                int
}

func newAccessLab(t *testing.T) *accessLab {
	l := &accessLab{lab: newLab(t, Options{})}
	l.vpc = first(t, l.must("CreateVpc", "CidrBlock=10.0.0.0/16"), `<vpcId>(vpc-[0-9a-f]+)</vpcId>`)
	l.igw = first(t, l.must("CreateInternetGateway"), `<internetGatewayId>(igw-[0-9a-f]+)</internetGatewayId>`)
	l.must("AttachInternetGateway", "InternetGatewayId="+l.igw, "VpcId="+l.vpc)
	l.subnetA = first(t, l.must("CreateSubnet", "VpcId="+l.vpc, "CidrBlock=10.0.1.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	l.subnetB = first(t, l.must("CreateSubnet", "VpcId="+l.vpc, "CidrBlock=10.0.2.0/24"), `<subnetId>(subnet-[0-9a-f]+)</subnetId>`)
	rt := first(t, l.must("CreateRouteTable", "VpcId="+l.vpc), `<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	l.must("CreateRoute", "RouteTableId="+rt, "DestinationCidrBlock=0.0.0.0/0", "GatewayId="+l.igw)
	l.must("AssociateRouteTable", "RouteTableId="+rt, "SubnetId="+l.subnetA)
	l.sgDefault = first(t, l.must("DescribeSecurityGroups", "Filter.1.Name=vpc-id", "Filter.1.Value.1="+l.vpc), `<groupId>(sg-[0-9a-f]+)</groupId>`)
	l.sgWeb = first(t, l.must("CreateSecurityGroup", "GroupName=web", "GroupDescription=web", "VpcId="+l.vpc), `<groupId>(sg-[0-9a-f]+)</groupId>`)
	for _, port := range []string{"80", "443"} {
		l.must("AuthorizeSecurityGroupIngress", "GroupId="+l.sgWeb, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort="+port,
			"IpPermissions.1.ToPort="+port, "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0")
	}
	run := func(subnet, ip string, groups ...string) string {
		p := []string{"ImageId=ami-0123456789abcdef0", "MinCount=1", "MaxCount=1", "SubnetId=" + subnet, "PrivateIpAddress=" + ip}
		for i, g := range groups {
			p = append(p, "SecurityGroupId."+itoa(i+1)+"="+g)
		}
		return first(t, l.must("RunInstances", p...), `<instanceId>(i-[0-9a-f]+)</instanceId>`)
	}
	l.web, l.db = run(l.subnetA, "10.0.1.10", l.sgWeb), run(l.subnetB, "10.0.2.20")
	alloc := l.must("AllocateAddress", "Domain=vpc")
	var eip string
	eip, l.webPublic = first(t, alloc, `<allocationId>(eipalloc-[0-9a-f]+)</allocationId>`), first(t, alloc, `<publicIp>([0-9.]+)</publicIp>`)
	l.must("AssociateAddress", "AllocationId="+eip, "InstanceId="+l.web)
	return l
}

// scope creates a scope from its parameters (MatchPath.1.Source..., ExcludePath.1...).
func (l *accessLab) scope(params ...string) string {
	l.t.Helper()
	l.n++
	body := l.must("CreateNetworkInsightsAccessScope", append([]string{"ClientToken=scope-" + itoa(l.n)}, params...)...)
	return first(l.t, body, `<networkInsightsAccessScopeId>(nis-[0-9a-f]+)</networkInsightsAccessScopeId>`)
}

// analyse runs an analysis of the scope and returns whether it found anything and each
// finding's component IDs, joined by spaces.
func (l *accessLab) analyse(scope string) (string, []string) {
	l.t.Helper()
	l.n++
	start := l.must("StartNetworkInsightsAccessScopeAnalysis", "ClientToken=analysis-"+itoa(l.n), "NetworkInsightsAccessScopeId="+scope)
	id := first(l.t, start, `<networkInsightsAccessScopeAnalysisId>(nisa-[0-9a-f]+)</networkInsightsAccessScopeAnalysisId>`)
	if s := first(l.t, start, `<status>([a-z]+)</status>`); s != "running" {
		l.t.Errorf("StartNetworkInsightsAccessScopeAnalysis says %s, want running (as AWS's answer)", s)
	}
	desc := l.must("DescribeNetworkInsightsAccessScopeAnalyses", "NetworkInsightsAccessScopeAnalysisId.1="+id)
	if s := first(l.t, desc, `<status>([a-z]+)</status>`); s != "succeeded" {
		l.t.Errorf("the analysis is %s, want succeeded", s)
	}
	found := first(l.t, desc, `<findingsFound>([a-z]+)</findingsFound>`)
	body := l.must("GetNetworkInsightsAccessScopeAnalysisFindings", "NetworkInsightsAccessScopeAnalysisId="+id)
	var findings []string
	for _, f := range regexp.MustCompile(`(?s)<item>\s*<findingComponentSet>(.*?)</findingComponentSet>`).FindAllStringSubmatch(body, -1) {
		var ids []string
		for _, m := range regexp.MustCompile(`<component>\s*(?:<arn>[^<]*</arn>\s*)?<id>([^<]+)</id>`).FindAllStringSubmatch(f[1], -1) {
			ids = append(ids, m[1])
		}
		findings = append(findings, strings.Join(ids, " "))
	}
	if (found == "true") != (len(findings) > 0) {
		l.t.Errorf("findingsFound %s with %d findings: %s", found, len(findings), body)
	}
	return found, findings
}

// TestAccessScopeInternetIngress: AWS's example scope "any ingress from the internet to an
// instance" finds web (its group admits tcp/80 and 443 from anywhere, its subnet routes to
// the gateway) through the internet gateway, and not db, also when a network ACL drops
// web's answers; once web's group admits nothing from the internet, nothing is found, and
// once it admits one public block, a host in it is found (not only 8.8.8.8 is asked).
func TestAccessScopeInternetIngress(t *testing.T) {
	l := newAccessLab(t)
	scope := l.scope("MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway",
		"MatchPath.1.Destination.ResourceStatement.ResourceType.1=AWS::EC2::Instance")
	found, findings := l.analyse(scope)
	if found != "true" || len(findings) == 0 {
		t.Fatalf("findings %v (found %s), want web reached from the internet", findings, found)
	}
	for _, f := range findings {
		ids := strings.Fields(strings.TrimPrefix(f, "internet ")) // the host beyond the gateway, as trace names it
		if ids[0] != l.igw || ids[len(ids)-1] != l.web || !slices.Contains(ids, l.sgWeb) {
			t.Errorf("finding %s: want from %s through %s to %s", f, l.igw, l.sgWeb, l.web)
		}
	}
	// Excluding the hosts of 8.8.8.0/24 (8.8.8.8 among them) leaves the rest of the
	// internet's; excluding every address leaves nothing.
	ingress := []string{"MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway",
		"MatchPath.1.Destination.ResourceStatement.ResourceType.1=AWS::EC2::Instance"}
	if found, f := l.analyse(l.scope(append(slices.Clone(ingress), "ExcludePath.1.Source.PacketHeaderStatement.SourceAddress.1=8.8.8.0/24")...)); found != "true" {
		t.Errorf("with 8.8.8.0/24 excluded: findings %v, want web's from other hosts", f)
	}
	if found, f := l.analyse(l.scope(append(slices.Clone(ingress), "ExcludePath.1.Source.PacketHeaderStatement.SourceAddress.1=0.0.0.0/0")...)); found != "false" {
		t.Errorf("with every source address excluded: findings %v, want none", f)
	}
	// Destinations by address: web's public one is web; db's private one gets nothing in.
	for _, c := range [][2]string{{l.webPublic, "true"}, {"10.0.2.20", "false"}} {
		addr, want := c[0], c[1]
		if found, f := l.analyse(l.scope("MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway",
			"MatchPath.1.Destination.PacketHeaderStatement.DestinationAddress.1="+addr)); found != want {
			t.Errorf("from the internet to %s: findings %v, want found %s", addr, f, want)
		}
	}
	content := l.must("GetNetworkInsightsAccessScopeContent", "NetworkInsightsAccessScopeId="+scope)
	if !strings.Contains(content, "AWS::EC2::InternetGateway") || !strings.Contains(content, "AWS::EC2::Instance") {
		t.Errorf("GetNetworkInsightsAccessScopeContent does not give the statements back: %s", content)
	}
	count := first(t, l.must("DescribeNetworkInsightsAccessScopeAnalyses", "NetworkInsightsAccessScopeId="+scope), `<analyzedEniCount>(\d+)</analyzedEniCount>`)
	if count != "2" {
		t.Errorf("analyzedEniCount %s, want 2 (web's and db's interfaces)", count)
	}
	// A network ACL on web's subnet that admits everything in and lets nothing out: the
	// answers are dropped, but what gets in is still access.
	acl := first(t, l.must("CreateNetworkAcl", "VpcId="+l.vpc), `<networkAclId>(acl-[0-9a-f]+)</networkAclId>`)
	l.must("CreateNetworkAclEntry", "NetworkAclId="+acl, "RuleNumber=100", "Protocol=-1", "RuleAction=allow", "Egress=false", "CidrBlock=0.0.0.0/0")
	assoc := first(t, l.must("DescribeNetworkAcls", "Filter.1.Name=association.subnet-id", "Filter.1.Value.1="+l.subnetA),
		`<networkAclAssociationId>(aclassoc-[0-9a-f]+)</networkAclAssociationId>`)
	l.must("ReplaceNetworkAclAssociation", "AssociationId="+assoc, "NetworkAclId="+acl)
	if found, findings := l.analyse(scope); found != "true" || !strings.Contains(strings.Join(findings, "\n"), acl) {
		t.Errorf("with answers dropped by %s: findings %v (found %s), want web's through it", acl, findings, found)
	}
	for _, port := range []string{"80", "443"} {
		l.must("RevokeSecurityGroupIngress", "GroupId="+l.sgWeb, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort="+port,
			"IpPermissions.1.ToPort="+port, "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0")
	}
	if found, findings := l.analyse(scope); found != "false" || len(findings) != 0 {
		t.Errorf("with web's group closed: findings %v (found %s), want none", findings, found)
	}
	// Open to one public block only: a host in it still gets in, and a scope about another
	// block finds nothing.
	l.must("AuthorizeSecurityGroupIngress", "GroupId="+l.sgWeb, "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=22",
		"IpPermissions.1.ToPort=22", "IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0/24")
	if found, findings := l.analyse(scope); found != "true" || len(findings) != 1 {
		t.Errorf("web's group open to 203.0.113.0/24: findings %v (found %s), want web's", findings, found)
	}
	other := l.scope("MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway",
		"MatchPath.1.Source.PacketHeaderStatement.SourceAddress.1=198.51.100.0/24",
		"MatchPath.1.Destination.ResourceStatement.ResourceType.1=AWS::EC2::Instance")
	if found, findings := l.analyse(other); found != "false" {
		t.Errorf("from 198.51.100.0/24 to a group open to 203.0.113.0/24: findings %v, want none", findings)
	}
}

// TestAccessScopeEgress: "instances in subnet A must not reach the internet gateway" finds
// web (the default egress rule, the route to the gateway); subnet B has no route, so db's
// subnet finds nothing; and an exclude path for web's interface's traffic removes the
// finding, while one for db does not.
func TestAccessScopeEgress(t *testing.T) {
	l := newAccessLab(t)
	match := func(subnet string) []string {
		return []string{"MatchPath.1.Source.ResourceStatement.Resource.1=" + subnet,
			"MatchPath.1.Destination.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway"}
	}
	if found, findings := l.analyse(l.scope(match(l.subnetA)...)); found != "true" || len(findings) != 1 ||
		!strings.HasPrefix(findings[0], l.web+" ") || !strings.HasSuffix(findings[0], " "+l.igw+" internet") {
		t.Errorf("subnet A to the internet: findings %v (found %s), want one from %s to %s and the internet beyond", findings, found, l.web, l.igw)
	}
	if found, findings := l.analyse(l.scope(match(l.subnetB)...)); found != "false" {
		t.Errorf("subnet B (no route) to the internet: findings %v, want none", findings)
	}
	if found, findings := l.analyse(l.scope(append(match(l.subnetA), "ExcludePath.1.Source.ResourceStatement.Resource.1="+l.web)...)); found != "false" {
		t.Errorf("with web excluded: findings %v, want none", findings)
	}
	if found, _ := l.analyse(l.scope(append(match(l.subnetA), "ExcludePath.1.Source.ResourceStatement.Resource.1="+l.db)...)); found != "true" {
		t.Errorf("with db excluded: no finding, want web's")
	}
	// Ports: only HTTPS is asked; an exclusion of 443 leaves nothing, one of 80 leaves it.
	https := append(match(l.subnetA), "MatchPath.1.Destination.PacketHeaderStatement.DestinationPort.1=443",
		"MatchPath.1.Destination.PacketHeaderStatement.Protocol.1=tcp")
	if found, _ := l.analyse(l.scope(append(https, "ExcludePath.1.Destination.PacketHeaderStatement.DestinationPort.1=443")...)); found != "false" {
		t.Errorf("tcp/443 with tcp/443 excluded: a finding, want none")
	}
	if found, _ := l.analyse(l.scope(append(https, "ExcludePath.1.Destination.PacketHeaderStatement.DestinationPort.1=80")...)); found != "true" {
		t.Errorf("tcp/443 with tcp/80 excluded: no finding, want web's")
	}
	// Every port asked and 0-1023 excluded: the rest (ICMP, other protocols, higher ports)
	// is still found.
	if found, _ := l.analyse(l.scope(append(match(l.subnetA), "ExcludePath.1.Destination.PacketHeaderStatement.DestinationPort.1=0-1023")...)); found != "true" {
		t.Errorf("every port with 0-1023 excluded: no finding, want web's")
	}
}

// TestAccessScopeThrough: a path through a NAT gateway, which the lab has none of, finds
// nothing, though the same path without the statement does.
func TestAccessScopeThrough(t *testing.T) {
	l := newAccessLab(t)
	p := []string{"MatchPath.1.Source.ResourceStatement.Resource.1=" + l.web,
		"MatchPath.1.Destination.ResourceStatement.ResourceType.1=AWS::EC2::InternetGateway"}
	if found, _ := l.analyse(l.scope(p...)); found != "true" {
		t.Fatalf("web to the internet: no finding")
	}
	if found, f := l.analyse(l.scope(append(p, "MatchPath.1.ThroughResource.1.ResourceStatement.ResourceType.1=AWS::EC2::NatGateway")...)); found != "false" {
		t.Errorf("through a NAT gateway: findings %v, want none", f)
	}
}

// TestAccessScopeRefused: statements vpclab does not analyse are refused at create, naming
// them; unknown IDs are answered NotFound; a scope with analyses is not deleted until they
// are.
func TestAccessScopeRefused(t *testing.T) {
	l := newAccessLab(t)
	for _, c := range []struct {
		what   string
		params []string
		names  string
	}{
		{"a prefix list", []string{"MatchPath.1.Destination.PacketHeaderStatement.DestinationPrefixList.1=pl-0123456789abcdef0"}, "prefix lists"},
		{"a load balancer type", []string{"MatchPath.1.ThroughResource.1.ResourceStatement.ResourceType.1=AWS::ElasticLoadBalancingV2::LoadBalancer"}, "AWS::ElasticLoadBalancingV2::LoadBalancer"},
		{"a VPC endpoint as a destination", []string{"MatchPath.1.Destination.ResourceStatement.Resource.1=vpce-0123456789abcdef0"}, "vpce-0123456789abcdef0"},
		{"an ARN", []string{"ExcludePath.1.Source.ResourceStatement.Resource.1=arn:aws:ec2:us-east-1:123456789012:instance/" + l.web}, "arn:aws:ec2"},
		{"IDs and types together", []string{"MatchPath.1.Source.ResourceStatement.Resource.1=" + l.web,
			"MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::Instance"}, "both resources and resource types"},
		{"protocol icmp", []string{"MatchPath.1.Source.PacketHeaderStatement.Protocol.1=icmp"}, "value icmp"},
		{"a port range backwards", []string{"MatchPath.1.Source.PacketHeaderStatement.SourcePort.1=90-80"}, "value 90-80"},
		{"IPv6", []string{"MatchPath.1.Destination.PacketHeaderStatement.DestinationAddress.1=2001:db8::/32"}, "2001:db8::/32"},
		{"a field on both ends", []string{"MatchPath.1.Source.PacketHeaderStatement.DestinationPort.1=80",
			"MatchPath.1.Destination.PacketHeaderStatement.DestinationPort.1=443"}, "DestinationPorts"},
		{"an instance as a through resource", []string{"MatchPath.1.ThroughResource.1.ResourceStatement.Resource.1=" + l.web}, l.web},
	} {
		status, body := l.call("CreateNetworkInsightsAccessScope", append([]string{"ClientToken=refused-" + c.what}, c.params...)...)
		if status != 400 || errorCode(body) != "InvalidParameterValue" || !strings.Contains(body, c.names) {
			t.Errorf("%s: %d %s, want InvalidParameterValue naming %s", c.what, status, body, c.names)
		}
	}
	if n := strings.Count(l.must("DescribeNetworkInsightsAccessScopes"), "<networkInsightsAccessScopeId>"); n != 0 {
		t.Errorf("refused scopes were kept: %d described", n)
	}
	for _, c := range [][]string{
		{"GetNetworkInsightsAccessScopeContent", "NetworkInsightsAccessScopeId=nis-0123456789abcdef0"},
		{"StartNetworkInsightsAccessScopeAnalysis", "ClientToken=x", "NetworkInsightsAccessScopeId=nis-0123456789abcdef0"},
		{"DeleteNetworkInsightsAccessScope", "NetworkInsightsAccessScopeId=nis-0123456789abcdef0"},
	} {
		if _, body := l.call(c[0], c[1:]...); errorCode(body) != "InvalidNetworkInsightsAccessScopeId.NotFound" {
			t.Errorf("%s of an unknown scope: %s", c[0], body)
		}
	}
	if _, body := l.call("GetNetworkInsightsAccessScopeAnalysisFindings", "NetworkInsightsAccessScopeAnalysisId=nisa-0123456789abcdef0"); errorCode(body) != "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound" {
		t.Errorf("findings of an unknown analysis: %s", body)
	}
	scope := l.scope("MatchPath.1.Source.ResourceStatement.ResourceType.1=AWS::EC2::NetworkInterface")
	l.analyse(scope)
	analysis := first(t, l.must("DescribeNetworkInsightsAccessScopeAnalyses"), `<networkInsightsAccessScopeAnalysisId>(nisa-[0-9a-f]+)<`)
	if _, body := l.call("DeleteNetworkInsightsAccessScope", "NetworkInsightsAccessScopeId="+scope); errorCode(body) != "DependencyViolation" {
		t.Errorf("deleting a scope with an analysis: %s, want DependencyViolation", body)
	}
	l.must("DeleteNetworkInsightsAccessScopeAnalysis", "NetworkInsightsAccessScopeAnalysisId="+analysis)
	l.must("DeleteNetworkInsightsAccessScope", "NetworkInsightsAccessScopeId="+scope)
	if n := strings.Count(l.must("DescribeNetworkInsightsAccessScopes"), "<networkInsightsAccessScopeId>"); n != 0 {
		t.Errorf("a deleted scope is still described")
	}
}

// TestAccessScopeBetweenVPCs: AWS's example scope "traffic between two VPCs", on
// peering_test.go's lab (B's group admits tcp/22 from A's block). Without a peering there is
// no path; over an accepted peering routed from A (only: delivery needs no way back) iA
// reaches iB on tcp/22, through the peering, and not on tcp/80; an exclude path through
// that peering removes the finding.
func TestAccessScopeBetweenVPCs(t *testing.T) {
	p := newPeeringLab(t)
	l := &accessLab{lab: p.lab}
	between := []string{"MatchPath.1.Source.ResourceStatement.Resource.1=" + p.a, "MatchPath.1.Destination.ResourceStatement.Resource.1=" + p.b}
	scope := l.scope(between...)
	if found, f := l.analyse(scope); found != "false" {
		t.Errorf("without a peering: findings %v, want none", f)
	}
	pcx := first(t, l.must("CreateVpcPeeringConnection", "VpcId="+p.a, "PeerVpcId="+p.b), `<vpcPeeringConnectionId>(pcx-[0-9a-f]{17})</vpcPeeringConnectionId>`)
	l.must("AcceptVpcPeeringConnection", "VpcPeeringConnectionId="+pcx)
	l.must("CreateRoute", "RouteTableId="+p.rtA, "DestinationCidrBlock=10.1.0.0/16", "VpcPeeringConnectionId="+pcx)
	found, f := l.analyse(scope)
	if found != "true" || len(f) != 1 {
		t.Fatalf("over the peering: findings %v (found %s), want iA to iB", f, found)
	}
	if ids := strings.Fields(f[0]); ids[0] != p.iA || ids[len(ids)-1] != p.iB || !slices.Contains(ids, pcx) {
		t.Errorf("the finding %s: want from %s through %s to %s", f[0], p.iA, pcx, p.iB)
	}
	through := append(slices.Clone(between), "MatchPath.1.ThroughResource.1.ResourceStatement.ResourceType.1=AWS::EC2::VPCPeeringConnection")
	if found, _ := l.analyse(l.scope(through...)); found != "true" {
		t.Errorf("through a peering connection: no finding, want iA to iB")
	}
	if found, f := l.analyse(l.scope(append(slices.Clone(between), "MatchPath.1.Destination.PacketHeaderStatement.DestinationPort.1=80")...)); found != "false" {
		t.Errorf("tcp/80, which B's group does not admit: findings %v, want none", f)
	}
	if found, f := l.analyse(l.scope(append(slices.Clone(between), "ExcludePath.1.ThroughResource.1.ResourceStatement.Resource.1="+pcx)...)); found != "false" {
		t.Errorf("with paths through %s excluded: findings %v, want none", pcx, f)
	}
}
