package ec2api

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }
func ip(i int32) *int32   { return &i }

func tags(kv ...string) []Tag {
	var ts []Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, Tag{Key: sp(kv[i]), Value: sp(kv[i+1])})
	}
	return ts
}

// f builds one filter: f("vpc-id", "vpc-1", "vpc-2").
func f(name string, values ...string) Filter { return Filter{Name: sp(name), Values: values} }

type matchCase struct {
	name    string
	filters []Filter
	want    bool
}

// checkMatches compiles each case's filters for op and matches them against resource.
func checkMatches(t *testing.T, op string, resource any, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		m, err := CompileFilters(op, c.filters)
		if err != nil {
			t.Errorf("%s %s: CompileFilters: %v", op, c.name, err)
			continue
		}
		if got := m.Match(resource); got != c.want {
			t.Errorf("%s %s: Match = %v, want %v", op, c.name, got, c.want)
		}
	}
}

func TestFilterVpc(t *testing.T) {
	vpc := &Vpc{
		VpcId: sp("vpc-0a1b2c3d4e5f60718"), CidrBlock: sp("10.0.0.0/16"), State: sp("available"),
		IsDefault: bp(false), OwnerId: sp("123456789012"), DhcpOptionsId: sp("dopt-1"),
		CidrBlockAssociationSet: []VpcCidrBlockAssociation{
			{AssociationId: sp("vpc-cidr-assoc-1"), CidrBlock: sp("10.0.0.0/16"), CidrBlockState: &VpcCidrBlockState{State: sp("associated")}},
			{AssociationId: sp("vpc-cidr-assoc-2"), CidrBlock: sp("100.64.0.0/16"), CidrBlockState: &VpcCidrBlockState{State: sp("associated")}},
		},
		Tags: tags("Name", "prod-vpc", "Team", "net"),
	}
	checkMatches(t, "DescribeVpcs", vpc, []matchCase{
		{"no filters", nil, true},
		{"cidr", []Filter{f("cidr", "10.0.0.0/16")}, true},
		{"cidr other", []Filter{f("cidr", "10.1.0.0/16")}, false},
		{"cidr values ORed", []Filter{f("cidr", "10.1.0.0/16", "10.0.0.0/16")}, true},
		{"secondary cidr association", []Filter{f("cidr-block-association.cidr-block", "100.64.0.0/16")}, true},
		{"association state", []Filter{f("cidr-block-association.state", "associated")}, true},
		{"tag:Name exact", []Filter{f("tag:Name", "prod-vpc")}, true},
		{"tag:Name wildcard", []Filter{f("tag:Name", "prod-*")}, true},
		{"tag:Name wildcard miss", []Filter{f("tag:Name", "dev-*")}, false},
		{"tag key is exact", []Filter{f("tag:name", "prod-vpc")}, false},
		{"tag value of another key", []Filter{f("tag:Team", "prod-vpc")}, false},
		{"tag-key", []Filter{f("tag-key", "Team")}, true},
		{"tag-key wildcard", []Filter{f("tag-key", "Te?m")}, true},
		{"tag-key missing", []Filter{f("tag-key", "Owner")}, false},
		{"state", []Filter{f("state", "available")}, true},
		{"is-default false", []Filter{f("is-default", "false")}, true},
		{"is-default true", []Filter{f("is-default", "true")}, false},
		{"filters ANDed", []Filter{f("state", "available"), f("is-default", "true")}, false},
		{"owner-id", []Filter{f("owner-id", "123456789012")}, true},
		{"vpc-id wildcard", []Filter{f("vpc-id", "vpc-0a1b*")}, true},
		{"no values matches nothing", []Filter{f("vpc-id")}, false},
	})
}

func TestFilterSubnet(t *testing.T) {
	subnet := &Subnet{
		SubnetId: sp("subnet-1"), VpcId: sp("vpc-1"), CidrBlock: sp("10.0.1.0/24"),
		AvailabilityZone: sp("us-east-1a"), AvailabilityZoneId: sp("use1-az1"), AvailableIpAddressCount: ip(251),
		DefaultForAz: bp(false), MapPublicIpOnLaunch: bp(true), State: sp("available"),
	}
	checkMatches(t, "DescribeSubnets", subnet, []matchCase{
		{"vpc-id", []Filter{f("vpc-id", "vpc-1")}, true},
		{"vpc-id other", []Filter{f("vpc-id", "vpc-2")}, false},
		{"availability-zone", []Filter{f("availability-zone", "us-east-1a")}, true},
		{"availability-zone wildcard", []Filter{f("availability-zone", "us-east-1?")}, true},
		{"availability-zone other", []Filter{f("availability-zone", "us-east-1b")}, false},
		{"cidr-block", []Filter{f("cidr-block", "10.0.1.0/24")}, true},
		{"number as decimal text", []Filter{f("available-ip-address-count", "251")}, true},
		{"bool", []Filter{f("map-public-ip-on-launch", "true"), f("default-for-az", "false")}, true},
		{"unset member matches nothing", []Filter{f("outpost-arn", "*")}, false},
	})
}

func TestFilterRouteTable(t *testing.T) {
	rt := &RouteTable{
		RouteTableId: sp("rtb-1"), VpcId: sp("vpc-1"),
		Associations: []RouteTableAssociation{
			{RouteTableAssociationId: sp("rtbassoc-1"), RouteTableId: sp("rtb-1"), SubnetId: sp("subnet-1"), Main: bp(false)},
			{RouteTableAssociationId: sp("rtbassoc-2"), RouteTableId: sp("rtb-1"), SubnetId: sp("subnet-2"), Main: bp(false)},
		},
		Routes: []Route{
			{DestinationCidrBlock: sp("10.0.0.0/16"), GatewayId: sp("local"), State: sp("active"), Origin: sp("CreateRouteTable")},
			{DestinationCidrBlock: sp("0.0.0.0/0"), NatGatewayId: sp("nat-1"), State: sp("blackhole"), Origin: sp("CreateRoute")},
		},
	}
	main := &RouteTable{RouteTableId: sp("rtb-main"), VpcId: sp("vpc-1"),
		Associations: []RouteTableAssociation{{RouteTableAssociationId: sp("rtbassoc-m"), Main: bp(true)}}}
	checkMatches(t, "DescribeRouteTables", rt, []matchCase{
		{"association.subnet-id any element", []Filter{f("association.subnet-id", "subnet-2")}, true},
		{"association.subnet-id none", []Filter{f("association.subnet-id", "subnet-3")}, false},
		{"association.main false", []Filter{f("association.main", "false")}, true},
		{"association.main true", []Filter{f("association.main", "true")}, false},
		{"route.destination-cidr-block", []Filter{f("route.destination-cidr-block", "0.0.0.0/0")}, true},
		{"route.nat-gateway-id", []Filter{f("route.nat-gateway-id", "nat-1")}, true},
		{"route.state", []Filter{f("route.state", "blackhole")}, true},
		{"route.origin", []Filter{f("route.origin", "EnableVgwRoutePropagation")}, false},
	})
	checkMatches(t, "DescribeRouteTables", main, []matchCase{
		{"main table", []Filter{f("association.main", "true"), f("vpc-id", "vpc-1")}, true},
		{"main table has no subnet", []Filter{f("association.subnet-id", "*")}, false},
	})
}

func TestFilterSecurityGroup(t *testing.T) {
	sg := &SecurityGroup{
		GroupId: sp("sg-1"), GroupName: sp("web"), Description: sp("web tier"), VpcId: sp("vpc-1"), OwnerId: sp("123456789012"),
		IpPermissions: []IpPermission{
			{IpProtocol: sp("tcp"), FromPort: ip(443), ToPort: ip(443), IpRanges: []IpRange{{CidrIp: sp("0.0.0.0/0")}}},
			{IpProtocol: sp("tcp"), FromPort: ip(22), ToPort: ip(22), UserIdGroupPairs: []UserIdGroupPair{{GroupId: sp("sg-bastion"), UserId: sp("123456789012")}}},
		},
		IpPermissionsEgress: []IpPermission{{IpProtocol: sp("-1"), IpRanges: []IpRange{{CidrIp: sp("0.0.0.0/0")}}}},
	}
	checkMatches(t, "DescribeSecurityGroups", sg, []matchCase{
		{"group-name", []Filter{f("group-name", "web")}, true},
		{"group-name is not the id", []Filter{f("group-name", "sg-1")}, false},
		{"group-id", []Filter{f("group-id", "sg-1")}, true},
		{"vpc-id", []Filter{f("vpc-id", "vpc-1")}, true},
		{"description", []Filter{f("description", "web*")}, true},
		{"ip-permission.from-port", []Filter{f("ip-permission.from-port", "22")}, true},
		{"ip-permission.from-port miss", []Filter{f("ip-permission.from-port", "80")}, false},
		{"ip-permission.cidr", []Filter{f("ip-permission.cidr", "0.0.0.0/0")}, true},
		{"ip-permission.group-id", []Filter{f("ip-permission.group-id", "sg-bastion")}, true},
		{"ip-permission.protocol", []Filter{f("ip-permission.protocol", "tcp")}, true},
		{"egress.ip-permission.protocol", []Filter{f("egress.ip-permission.protocol", "-1")}, true},
		{"egress is not ingress", []Filter{f("egress.ip-permission.from-port", "443")}, false},
	})
}

func TestFilterInstance(t *testing.T) {
	inst := &Instance{
		InstanceId: sp("i-1"), InstanceType: sp("t3.micro"), SubnetId: sp("subnet-1"), VpcId: sp("vpc-1"),
		PrivateIpAddress: sp("10.0.1.10"), PublicIpAddress: sp("54.1.2.3"),
		State:          &InstanceState{Code: ip(16), Name: sp("running")},
		Placement:      &Placement{AvailabilityZone: sp("us-east-1a"), Tenancy: sp("default")},
		LaunchTime:     func() *time.Time { t := time.Date(2026, 11, 30, 1, 2, 3, 0, time.UTC); return &t }(),
		SecurityGroups: []GroupIdentifier{{GroupId: sp("sg-1"), GroupName: sp("web")}},
		NetworkInterfaces: []InstanceNetworkInterface{{
			NetworkInterfaceId: sp("eni-1"), SubnetId: sp("subnet-1"),
			PrivateIpAddresses: []InstancePrivateIpAddress{{PrivateIpAddress: sp("10.0.1.10"), Primary: bp(true)}, {PrivateIpAddress: sp("10.0.1.11"), Primary: bp(false)}},
		}},
		Tags: tags("Name", "web-1"),
	}
	res := &Reservation{ReservationId: sp("r-1"), OwnerId: sp("123456789012"), Instances: []Instance{*inst}}
	checkMatches(t, "DescribeInstances", inst, []matchCase{
		{"instance-state-name", []Filter{f("instance-state-name", "running")}, true},
		{"instance-state-name stopped", []Filter{f("instance-state-name", "stopped", "stopping")}, false},
		{"instance-state-code", []Filter{f("instance-state-code", "16")}, true},
		{"subnet-id", []Filter{f("subnet-id", "subnet-1")}, true},
		{"private-ip-address", []Filter{f("private-ip-address", "10.0.1.10")}, true},
		{"private-ip-address secondary is not primary", []Filter{f("private-ip-address", "10.0.1.11")}, false},
		{"network-interface.addresses.private-ip-address", []Filter{f("network-interface.addresses.private-ip-address", "10.0.1.11")}, true},
		{"ip-address", []Filter{f("ip-address", "54.1.2.3")}, true},
		{"availability-zone", []Filter{f("availability-zone", "us-east-1a")}, true},
		{"instance.group-name", []Filter{f("instance.group-name", "web")}, true},
		{"launch-time wildcard", []Filter{f("launch-time", "2026-11-30T*")}, true},
		{"tag:Name", []Filter{f("tag:Name", "web-?")}, true},
		{"reservation filter without the reservation", []Filter{f("reservation-id", "r-1")}, false},
	})
	for _, c := range []matchCase{
		{"reservation-id", []Filter{f("reservation-id", "r-1")}, true},
		{"owner-id", []Filter{f("owner-id", "123456789012"), f("instance-state-name", "running")}, true},
		{"owner-id other", []Filter{f("owner-id", "999999999999")}, false},
	} {
		m, err := CompileFilters("DescribeInstances", c.filters)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := m.MatchIn(res, &res.Instances[0]); got != c.want {
			t.Errorf("MatchIn %s = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFilterNatGatewayAndNetworkInterface(t *testing.T) {
	nat := &NatGateway{NatGatewayId: sp("nat-1"), State: sp("available"), SubnetId: sp("subnet-1"), VpcId: sp("vpc-1")}
	checkMatches(t, "DescribeNatGateways", nat, []matchCase{
		{"state", []Filter{f("state", "pending", "available")}, true},
		{"state deleted", []Filter{f("state", "deleted")}, false},
		{"subnet-id", []Filter{f("subnet-id", "subnet-1")}, true},
	})
	eni := &NetworkInterface{
		NetworkInterfaceId: sp("eni-1"), SubnetId: sp("subnet-1"), Status: sp("in-use"), PrivateIpAddress: sp("10.0.1.10"),
		Groups:             []GroupIdentifier{{GroupId: sp("sg-1"), GroupName: sp("web")}, {GroupId: sp("sg-2"), GroupName: sp("ssh")}},
		PrivateIpAddresses: []NetworkInterfacePrivateIpAddress{{PrivateIpAddress: sp("10.0.1.10"), Primary: bp(true)}, {PrivateIpAddress: sp("10.0.1.20"), Primary: bp(false)}},
		Attachment:         &NetworkInterfaceAttachment{InstanceId: sp("i-1"), DeviceIndex: ip(0)},
		TagSet:             tags("Name", "eni-web"),
	}
	checkMatches(t, "DescribeNetworkInterfaces", eni, []matchCase{
		{"addresses.private-ip-address", []Filter{f("addresses.private-ip-address", "10.0.1.20")}, true},
		{"addresses.private-ip-address miss", []Filter{f("addresses.private-ip-address", "10.0.1.30")}, false},
		{"addresses.primary", []Filter{f("addresses.primary", "false")}, true},
		{"group-id second group", []Filter{f("group-id", "sg-2")}, true},
		{"group-id miss", []Filter{f("group-id", "sg-3")}, false},
		{"attachment.instance-id", []Filter{f("attachment.instance-id", "i-1")}, true},
		{"attachment.device-index", []Filter{f("attachment.device-index", "0")}, true},
		{"tag:Name on TagSet", []Filter{f("tag:Name", "eni-*")}, true},
	})
}

func TestFilterOtherShapes(t *testing.T) {
	checkMatches(t, "DescribeInternetGateways", &InternetGateway{InternetGatewayId: sp("igw-1"),
		Attachments: []InternetGatewayAttachment{{VpcId: sp("vpc-1"), State: sp("available")}}}, []matchCase{
		{"attachment.vpc-id", []Filter{f("attachment.vpc-id", "vpc-1")}, true},
		{"attachment.state", []Filter{f("attachment.state", "detached")}, false},
	})
	checkMatches(t, "DescribeAddresses", &Address{AllocationId: sp("eipalloc-1"), PublicIp: sp("54.1.2.3"), Domain: sp("vpc")}, []matchCase{
		{"public-ip", []Filter{f("public-ip", "54.1.2.*")}, true},
		{"association-id unset", []Filter{f("association-id", "*")}, false},
	})
	checkMatches(t, "DescribeNetworkAcls", &NetworkAcl{NetworkAclId: sp("acl-1"), IsDefault: bp(true),
		Entries: []NetworkAclEntry{{RuleNumber: ip(100), CidrBlock: sp("0.0.0.0/0"), Egress: bp(false), PortRange: &PortRange{From: ip(80), To: ip(80)}}}}, []matchCase{
		{"default", []Filter{f("default", "true")}, true},
		{"entry.cidr", []Filter{f("entry.cidr", "0.0.0.0/0")}, true},
		{"entry.port-range.from", []Filter{f("entry.port-range.from", "80")}, true},
		{"entry.rule-number", []Filter{f("entry.rule-number", "32767")}, false},
	})
	td := &TagDescription{Key: sp("Name"), Value: sp("prod"), ResourceId: sp("vpc-1"), ResourceType: sp("vpc")}
	checkMatches(t, "DescribeTags", td, []matchCase{
		{"tag:Name on a TagDescription", []Filter{f("tag:Name", "prod")}, true},
		{"tag:Other", []Filter{f("tag:Other", "prod")}, false},
		{"resource-type", []Filter{f("resource-type", "vpc", "subnet")}, true},
		{"key and value", []Filter{f("key", "Name"), f("value", "p*")}, true},
	})
}

func TestFilterWildcards(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"**", "x", true},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"abc", "ABC", false}, // case-sensitive
		{"a*c", "abbbc", true},
		{"a*c", "abbb", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "abbc", false},
		{"?", "é", true}, // one character, not one byte
		{"*-prod-*", "web-prod-1", true},
		{"*a*b*c*", "xaxbxcx", true},
		{"*a*b*c*", "xaxcxbx", false},
		{"10.0.*", "10.0.1.0/24", true},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`\?`, "?", true},
		{`\?`, "x", false},
		{`a\\b`, `a\b`, true},
		{`\*amazon\?\\`, `*amazon?\`, true}, // the example of EC2's Filter reference
		{`\*amazon\?\\`, `xamazony\`, false},
		{`a\b`, "ab", true}, // a backslash escapes any character
		{`a\`, `a\`, true},  // a trailing backslash is literal
		{"a*a*a*a*a*b", strings.Repeat("a", 40), false},
	} {
		if got := compilePattern(c.pattern).match(c.s); got != c.want {
			t.Errorf("pattern %q on %q = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	var e *Error
	_, err := CompileFilters("DescribeVpcs", []Filter{f("state", "available"), f("public-ip", "1.2.3.4")})
	if !errors.As(err, &e) || *e != (Error{"InvalidParameterValue", "The filter 'public-ip' is invalid"}) {
		t.Errorf("unknown filter: %v", err)
	}
	_, err = CompileFilters("DescribeVpcEndpointServices", []Filter{f("vpc-id", "vpc-1")})
	if !errors.As(err, &e) || *e != (Error{"InvalidFilter", "The filter 'vpc-id' is invalid"}) {
		t.Errorf("DescribeVpcEndpointServices unknown filter: %v", err)
	}
	_, err = CompileFilters("DescribeInstanceStatus", []Filter{f("tag:Name", "x")})
	if !errors.As(err, &e) || e.Message != "The filter 'tag:Name' is invalid" {
		t.Errorf("tag filter on an operation without tag filters: %v", err)
	}
	_, err = CompileFilters("DescribeVpcs", []Filter{{Values: []string{"x"}}})
	if !errors.As(err, &e) || e.Message != "The filter '' is invalid" {
		t.Errorf("filter without a name: %v", err)
	}
	_, err = CompileFilters("DescribeInstances", []Filter{f("iam-instance-profile.name", "x")})
	if !errors.As(err, &e) || *e != (Error{"InvalidParameterValue", "vpclab does not support the filter 'iam-instance-profile.name' for DescribeInstances yet"}) {
		t.Errorf("unsupported filter: %v", err)
	}
	if _, err := CompileFilters("CreateVpc", []Filter{f("state", "x")}); err == nil {
		t.Error("an operation without filters accepted one")
	}
}

func TestMatcherEdges(t *testing.T) {
	var nilMatcher *Matcher
	if !nilMatcher.Match(&Vpc{}) {
		t.Error("a nil Matcher must match everything")
	}
	m, err := CompileFilters("DescribeVpcs", []Filter{f("state", "*")})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Match(Vpc{State: sp("available")}) || !m.Match(&Vpc{State: sp("available")}) {
		t.Error("a Vpc value and pointer both match")
	}
	if m.Match(&Subnet{State: sp("available")}) || m.Match((*Vpc)(nil)) || m.Match(nil) {
		t.Error("another shape or nil matched")
	}
}

// unsupportedFilters are the documented filters of the implemented operations that vpclab
// cannot yet answer, with why; CompileFilters refuses them. Every other documented filter
// must resolve to a member path.
var unsupportedFilters = map[string]string{
	"DescribeInstanceStatus instance-status.reachability":                       "a keyed entry of Details (Name=reachability), not a member",
	"DescribeInstanceStatus system-status.reachability":                         "a keyed entry of Details (Name=reachability), not a member",
	"DescribeInstances iam-instance-profile.name":                               "IamInstanceProfile has no name member in the model",
	"DescribeInstances metadata-options.http-protocol-ipv4":                     "not in the model's InstanceMetadataOptionsResponse",
	"DescribeInstances network-interface.addresses.association.allocation-id":   "not in InstanceNetworkInterfaceAssociation",
	"DescribeInstances network-interface.addresses.association.association-id":  "not in InstanceNetworkInterfaceAssociation",
	"DescribeInstances network-interface.association.allocation-id":             "not in InstanceNetworkInterfaceAssociation",
	"DescribeInstances network-interface.association.association-id":            "not in InstanceNetworkInterfaceAssociation",
	"DescribeInstances network-interface.deny-all-igw-traffic":                  "not in InstanceNetworkInterface",
	"DescribeInstances network-interface.ipv6-native":                           "not in InstanceNetworkInterface",
	"DescribeInstances network-interface.requester-id":                          "not in InstanceNetworkInterface",
	"DescribeInstances network-interface.requester-managed":                     "not in InstanceNetworkInterface",
	"DescribeInstances network-interface.tag-key":                               "InstanceNetworkInterface carries no tags",
	"DescribeInstances network-interface.tag-value":                             "InstanceNetworkInterface carries no tags",
	"DescribeNetworkInsightsPaths filter-at-destination.destination-port-range": "a port range test, not a member match",
	"DescribeNetworkInsightsPaths filter-at-destination.source-port-range":      "a port range test, not a member match",
	"DescribeNetworkInsightsPaths filter-at-source.destination-port-range":      "a port range test, not a member match",
	"DescribeNetworkInsightsPaths filter-at-source.source-port-range":           "a port range test, not a member match",
	"DescribeVpnConnections bgp-asn":                                            "the customer gateway's ASN, not a member of VpnConnection",
	"SearchTransitGatewayRoutes route-search.exact-match":                       "a CIDR relation, not a member match",
	"SearchTransitGatewayRoutes route-search.longest-prefix-match":              "a CIDR relation, not a member match",
	"SearchTransitGatewayRoutes route-search.subnet-of-match":                   "a CIDR relation, not a member match",
	"SearchTransitGatewayRoutes route-search.supernet-of-match":                 "a CIDR relation, not a member match",
}

// The coverage the brief asks of the VPC operations: more than 90% of their documented
// filters resolved.
var coreFilterOps = []string{"DescribeVpcs", "DescribeSubnets", "DescribeRouteTables", "DescribeSecurityGroups",
	"DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribeInstances", "DescribeNatGateways",
	"DescribeInternetGateways", "DescribeAddresses"}

func TestEveryDocumentedFilterResolvesOrIsListedUnsupported(t *testing.T) {
	ops := make([]string, 0, len(filterNames))
	for op := range filterNames {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	seen := map[string]bool{}
	var total, totalUnsupported int
	for _, op := range ops {
		if elementShapes[op] == nil {
			t.Errorf("%s takes filters but has no element shape in elementShapes", op)
		}
		resolvedN, unsupportedN := 0, 0
		for _, name := range filterNames[op] {
			key := op + " " + name
			seen[key] = true
			if name == "tag:<key>" {
				name = "tag:Name"
			}
			_, err := CompileFilters(op, []Filter{f(name, "x")})
			reason, listed := unsupportedFilters[key]
			switch {
			case err == nil && listed:
				t.Errorf("%s resolves; remove it from unsupportedFilters (%s)", key, reason)
			case err != nil && !listed:
				t.Errorf("%s: %v; resolve it or list it in unsupportedFilters with a reason", key, err)
			case err != nil && !strings.HasPrefix(err.Error(), "InvalidParameterValue: vpclab does not support"):
				t.Errorf("%s: unexpected error %v", key, err)
			}
			if err == nil {
				resolvedN++
			} else {
				unsupportedN++
			}
		}
		total += resolvedN + unsupportedN
		totalUnsupported += unsupportedN
		t.Logf("%-40s %3d resolved, %2d unsupported", op, resolvedN, unsupportedN)
		if slices.Contains(coreFilterOps, op) && resolvedN*10 <= (resolvedN+unsupportedN)*9 {
			t.Errorf("%s: only %d of %d filters resolved, want more than 90%%", op, resolvedN, resolvedN+unsupportedN)
		}
	}
	t.Logf("all operations: %d of %d documented filters resolved, %d unsupported", total-totalUnsupported, total, totalUnsupported)
	for key := range unsupportedFilters {
		if !seen[key] {
			t.Errorf("unsupportedFilters lists %s, which no implemented operation documents", key)
		}
	}
	for op := range elementShapes {
		if _, ok := filterNames[op]; !ok {
			t.Errorf("elementShapes names %s, which takes no filters", op)
		}
	}
}

// Every override names a shape reachable from the element shapes and members that exist, so
// a regeneration that renames a member fails here rather than as an unsupported filter.
func TestFilterOverridesNameRealMembers(t *testing.T) {
	shapes := map[string]reflect.Type{}
	var visit func(reflect.Type)
	visit = func(t reflect.Type) {
		t = structOf(t)
		if t == nil || shapes[t.Name()] != nil {
			return
		}
		shapes[t.Name()] = t
		for i := range t.NumField() {
			visit(t.Field(i).Type)
		}
	}
	for _, t := range elementShapes {
		visit(t)
	}
	for key, path := range filterOverrides {
		shape, _, _ := strings.Cut(key, " ")
		st := shapes[shape]
		if st == nil {
			t.Errorf("override %q: no shape %s", key, shape)
			continue
		}
		if strings.HasPrefix(path, "^") {
			st, path = reflect.TypeFor[Reservation](), path[1:]
		}
		_, leaf := memberPath(st, path, true)
		_, inner := memberPath(st, path, false)
		if !leaf && !inner {
			t.Errorf("override %q: %s is not a member path of %s", key, path, st.Name())
		}
	}
}
