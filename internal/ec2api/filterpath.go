package ec2api

import (
	"reflect"
	"strings"
)

// elementShapes names the shape each filtering operation's filters test: the element of its
// output list. DescribeInstances filters instances (its output groups them in
// Reservations), DescribeTags filters TagDescriptions.
var elementShapes = map[string]reflect.Type{
	"DescribeAddresses":                       reflect.TypeFor[Address](),
	"DescribeAvailabilityZones":               reflect.TypeFor[AvailabilityZone](),
	"DescribeCustomerGateways":                reflect.TypeFor[CustomerGateway](),
	"DescribeDhcpOptions":                     reflect.TypeFor[DhcpOptions](),
	"DescribeEgressOnlyInternetGateways":      reflect.TypeFor[EgressOnlyInternetGateway](),
	"DescribeImages":                          reflect.TypeFor[Image](),
	"DescribeInstanceCreditSpecifications":    reflect.TypeFor[InstanceCreditSpecification](),
	"DescribeInstanceStatus":                  reflect.TypeFor[InstanceStatus](),
	"DescribeInstanceTypes":                   reflect.TypeFor[InstanceTypeInfo](),
	"DescribeInstances":                       reflect.TypeFor[Instance](),
	"DescribeInternetGateways":                reflect.TypeFor[InternetGateway](),
	"DescribeKeyPairs":                        reflect.TypeFor[KeyPairInfo](),
	"DescribeManagedPrefixLists":              reflect.TypeFor[ManagedPrefixList](),
	"DescribeNatGateways":                     reflect.TypeFor[NatGateway](),
	"DescribeNetworkAcls":                     reflect.TypeFor[NetworkAcl](),
	"DescribeNetworkInsightsAnalyses":         reflect.TypeFor[NetworkInsightsAnalysis](),
	"DescribeNetworkInsightsPaths":            reflect.TypeFor[NetworkInsightsPath](),
	"DescribeNetworkInterfaces":               reflect.TypeFor[NetworkInterface](),
	"DescribePrefixLists":                     reflect.TypeFor[PrefixList](),
	"DescribeRegions":                         reflect.TypeFor[Region](),
	"DescribeRouteTables":                     reflect.TypeFor[RouteTable](),
	"DescribeSecurityGroupRules":              reflect.TypeFor[SecurityGroupRule](),
	"DescribeSecurityGroups":                  reflect.TypeFor[SecurityGroup](),
	"DescribeSubnets":                         reflect.TypeFor[Subnet](),
	"DescribeTags":                            reflect.TypeFor[TagDescription](),
	"DescribeTransitGatewayAttachments":       reflect.TypeFor[TransitGatewayAttachment](),
	"DescribeTransitGatewayRouteTables":       reflect.TypeFor[TransitGatewayRouteTable](),
	"DescribeTransitGatewayVpcAttachments":    reflect.TypeFor[TransitGatewayVpcAttachment](),
	"DescribeTransitGateways":                 reflect.TypeFor[TransitGateway](),
	"DescribeVolumes":                         reflect.TypeFor[Volume](),
	"DescribeVpcEndpointServices":             reflect.TypeFor[ServiceDetail](),
	"DescribeVpcEndpoints":                    reflect.TypeFor[VpcEndpoint](),
	"DescribeVpcPeeringConnections":           reflect.TypeFor[VpcPeeringConnection](),
	"DescribeVpcs":                            reflect.TypeFor[Vpc](),
	"DescribeVpnConnections":                  reflect.TypeFor[VpnConnection](),
	"DescribeVpnGateways":                     reflect.TypeFor[VpnGateway](),
	"GetTransitGatewayRouteTableAssociations": reflect.TypeFor[TransitGatewayRouteTableAssociation](),
	"GetTransitGatewayRouteTablePropagations": reflect.TypeFor[TransitGatewayRouteTablePropagation](),
	"SearchTransitGatewayRoutes":              reflect.TypeFor[TransitGatewayRoute](),
}

// containerShapes names, for an operation whose output groups its resources, the group a
// filter may test instead: DescribeInstances' owner-id, requester-id and reservation-id are
// members of the Reservation, not of the Instance. Such filters need Matcher.MatchIn.
var containerShapes = map[string]reflect.Type{
	"DescribeInstances": reflect.TypeFor[Reservation](),
}

// filterOverrides maps "Shape name" to a dotted path of member names, for the filters whose
// names do not follow their members: EC2 named many filters before the members (cidr is
// Vpc.CidrBlock, fingerprint is KeyFingerprint). Shape is the structure the name is resolved
// in, at any depth, so one entry serves every place a shape occurs (IpPermission's entries
// serve ip-permission.* and egress.ip-permission.*). A name whose leading dotted segments
// have an entry resolves the rest inside that member (addresses.* on a network interface is
// PrivateIpAddresses). Everything else resolves by resolveSegments' rules.
var filterOverrides = map[string]string{
	"Vpc cidr":                             "CidrBlock",
	"VpcCidrBlockAssociation state":        "CidrBlockState.State",
	"VpcIpv6CidrBlockAssociation state":    "Ipv6CidrBlockState.State",
	"SubnetIpv6CidrBlockAssociation state": "Ipv6CidrBlockState.State",
	"Instance instance-state-code":         "State.Code",
	"Instance instance-state-name":         "State.Name",
	"Instance group-id":                    "SecurityGroups.GroupId",
	"Instance group-name":                  "SecurityGroups.GroupName",
	"Instance instance":                    "SecurityGroups", // instance.group-id, instance.group-name
	"Instance launch-index":                "AmiLaunchIndex",
	"Instance reason":                      "StateTransitionReason",
	// An instance's network interfaces are attached to it, in its zone and outpost, so
	// these members of the interface's attachment are the instance's own (^ is the
	// container, the Reservation).
	"Instance network-interface.attachment.instance-id":       "InstanceId",
	"Instance network-interface.attachment.instance-owner-id": "^OwnerId",
	"Instance network-interface.availability-zone":            "Placement.AvailabilityZone",
	"Instance network-interface.outpost-arn":                  "OutpostArn",
	"InstanceNetworkInterface addresses":                      "PrivateIpAddresses",
	"NetworkInterface addresses":                              "PrivateIpAddresses",
	"NetworkInterfaceAssociation owner-id":                    "IpOwnerId",
	"SecurityGroup egress.ip-permission":                      "IpPermissionsEgress",
	"IpPermission cidr":                                       "IpRanges.CidrIp",
	"IpPermission ipv6-cidr":                                  "Ipv6Ranges.CidrIpv6",
	"IpPermission group-id":                                   "UserIdGroupPairs.GroupId",
	"IpPermission group-name":                                 "UserIdGroupPairs.GroupName",
	"IpPermission user-id":                                    "UserIdGroupPairs.UserId",
	"IpPermission protocol":                                   "IpProtocol",
	"NetworkAclAssociation association-id":                    "NetworkAclAssociationId",
	"NetworkAclEntry cidr":                                    "CidrBlock",
	"NetworkAclEntry ipv6-cidr":                               "Ipv6CidrBlock",
	"NetworkAclEntry icmp":                                    "IcmpTypeCode",
	"DhcpOptions key":                                         "DhcpConfigurations.Key",
	"DhcpOptions value":                                       "DhcpConfigurations.Values.Value",
	"Image manifest-location":                                 "ImageLocation",
	"Image owner-alias":                                       "ImageOwnerAlias",
	"KeyPairInfo fingerprint":                                 "KeyFingerprint",
	"AvailabilityZone message":                                "Messages.Message",
	"NetworkInsightsAnalysis path-found":                      "NetworkPathFound",
	"TransitGatewayRoute attachment":                          "TransitGatewayAttachments",
}

// maxDepth bounds resolution in recursive shapes.
const maxDepth = 8

// resolvePath finds the member path of a filter name in shape t.
func resolvePath(t reflect.Type, name string) ([]int, bool) {
	return resolveIn(t, name, 0)
}

func resolveIn(t reflect.Type, name string, depth int) ([]int, bool) {
	t = structOf(t)
	if t == nil || depth > maxDepth {
		return nil, false
	}
	if p, ok := filterOverrides[t.Name()+" "+name]; ok {
		return memberPath(t, p, true)
	}
	for i := strings.LastIndexByte(name, '.'); i > 0; i = strings.LastIndexByte(name[:i], '.') {
		p, ok := filterOverrides[t.Name()+" "+name[:i]]
		if !ok {
			continue
		}
		head, ok := memberPath(t, p, false)
		if !ok {
			return nil, false
		}
		rest, ok := resolveIn(typeAt(t, head), name[i+1:], depth+1)
		if !ok {
			return nil, false
		}
		return append(head, rest...), true
	}
	var segs [][]string
	for s := range strings.SplitSeq(name, ".") {
		segs = append(segs, strings.Split(s, "-"))
	}
	return resolveSegments(t, segs, depth)
}

// memberPath turns a dotted path of member names into field indexes; leaf says whether it
// must end at scalars.
func memberPath(t reflect.Type, dotted string, leaf bool) ([]int, bool) {
	var path []int
	for m := range strings.SplitSeq(dotted, ".") {
		t = structOf(t)
		if t == nil {
			return nil, false
		}
		f, ok := t.FieldByName(m)
		if !ok {
			return nil, false
		}
		path = append(path, f.Index[0])
		t = f.Type
	}
	return path, isLeaf(t) == leaf
}

// typeAt is the type path leads to from t.
func typeAt(t reflect.Type, path []int) reflect.Type {
	for _, i := range path {
		t = structOf(t).Field(i).Type
	}
	return t
}

// resolveSegments resolves the kebab-case words of each dot-separated segment by these rules,
// in order:
//
//   - the longest leading run of words that names a member (matched without case against
//     its Go name and wire names, also with the suffixes s, es, ies, Set and Id and the prefix
//     Is) is taken; the remaining words resolve inside that member's shape, alone or after
//     the taken words (group-id in Groups is GroupId), and so do the following segments;
//   - a name that ends at a structure resolves again inside it (product-code is
//     ProductCodes[].ProductCodeId, whose wire name is productCode);
//   - words that repeat the shape's own name are dropped (vpc-endpoint-state is
//     VpcEndpoint's State);
//   - a name no member takes resolves inside the one nested structure (not list) that
//     resolves it, when exactly one does (availability-zone on an Instance is
//     Placement.AvailabilityZone); two candidates leave it unresolved rather than guessed.
func resolveSegments(t reflect.Type, segs [][]string, depth int) ([]int, bool) {
	t = structOf(t)
	if t == nil || len(segs) == 0 || depth > maxDepth {
		return nil, false
	}
	words := segs[0]
	for k := len(words); k >= 1; k-- {
		i, ok := findMember(t, strings.Join(words[:k], ""))
		if !ok {
			continue
		}
		ft := t.Field(i).Type
		rest := words[k:]
		var tries [][][]string
		switch {
		case len(rest) > 0:
			tries = append(tries, append([][]string{rest}, segs[1:]...),
				append([][]string{append(append([]string{}, words[:k]...), rest...)}, segs[1:]...))
		case len(segs) > 1:
			tries = append(tries, segs[1:])
		case isLeaf(ft):
			return []int{i}, true
		default:
			tries = append(tries, segs)
		}
		for _, tail := range tries {
			if p, ok := resolveIn(ft, joinSegments(tail), depth+1); ok {
				return append([]int{i}, p...), true
			}
		}
	}
	own := kebabWords(t.Name())
	if len(words) > len(own) && strings.EqualFold(strings.Join(words[:len(own)], ""), strings.Join(own, "")) {
		return resolveIn(t, joinSegments(append([][]string{words[len(own):]}, segs[1:]...)), depth+1)
	}
	var found []int
	for i := range t.NumField() {
		ft := t.Field(i).Type
		if ft.Kind() != reflect.Pointer || structOf(ft) == nil {
			continue
		}
		if p, ok := resolveSegments(ft, segs, depth+1); ok {
			if found != nil {
				return nil, false
			}
			found = append([]int{i}, p...)
		}
	}
	return found, found != nil
}

func joinSegments(segs [][]string) string {
	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = strings.Join(s, "-")
	}
	return strings.Join(parts, ".")
}

// findMember finds the field of t that name (concatenated words, any case) designates.
func findMember(t reflect.Type, name string) (int, bool) {
	name = strings.ToLower(name)
	cands := []string{name, name + "s", name + "es", name + "set", name + "sset", "is" + name, name + "id"}
	if strings.HasSuffix(name, "y") {
		cands = append(cands, strings.TrimSuffix(name, "y")+"ies")
	}
	for _, c := range cands {
		for i := range t.NumField() {
			if memberNamed(t.Field(i), c) {
				return i, true
			}
		}
	}
	return 0, false
}

// memberNamed reports whether f is called name (lower case) by its Go name or wire names.
func memberNamed(f reflect.StructField, name string) bool {
	if strings.ToLower(f.Name) == name {
		return true
	}
	for part := range strings.SplitSeq(f.Tag.Get("ec2"), ",") {
		if k, v, _ := strings.Cut(part, "="); (k == "q" || k == "x") && strings.ToLower(v) == name {
			return true
		}
	}
	return false
}

// structOf is the struct a member holds, through pointers and lists, or nil.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil
	}
	return t
}

// isLeaf reports whether a member holds scalars a filter value compares with.
func isLeaf(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || (t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8) {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int32, reflect.Int64, reflect.Float64:
		return true
	}
	return t == timeType
}

// kebabWords splits a Go name into its words: VpcEndpoint → [Vpc Endpoint].
func kebabWords(s string) []string {
	var words []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			words = append(words, s[start:i])
			start = i
		}
	}
	return append(words, s[start:])
}
