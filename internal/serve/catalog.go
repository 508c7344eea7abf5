package serve

import (
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// The catalog calls clients make around a lab (zones, regions, account attributes) and
// tags, which every resource carries.

func init() {
	register("DescribeAvailabilityZones", func(c *call, in *ec2api.DescribeAvailabilityZonesRequest) (*ec2api.DescribeAvailabilityZonesResult, error) {
		zones := c.s.zones()
		all := make([]*ec2api.AvailabilityZone, len(zones))
		for i := range zones {
			all[i] = &zones[i]
		}
		if len(in.ZoneNames) > 0 || len(in.ZoneIds) > 0 {
			all = pick(all, func(z *ec2api.AvailabilityZone) bool {
				return slices.Contains(in.ZoneNames, *z.ZoneName) || slices.Contains(in.ZoneIds, *z.ZoneId)
			})
			if len(all) != len(in.ZoneNames)+len(in.ZoneIds) {
				return nil, errorf("InvalidParameterValue", "The availability zones %v %v are not all in region %s", in.ZoneNames, in.ZoneIds, c.s.opt.Region)
			}
		}
		zs, _, err := describe(query{op: "DescribeAvailabilityZones", filters: in.Filters}, all,
			func(z *ec2api.AvailabilityZone) string { return *z.ZoneName })
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeAvailabilityZonesResult{AvailabilityZones: zs}, nil
	})
	register("DescribeRegions", func(c *call, in *ec2api.DescribeRegionsRequest) (*ec2api.DescribeRegionsResult, error) {
		r := ec2api.Region{RegionName: str(c.s.opt.Region), Endpoint: str("ec2." + c.s.opt.Region + ".amazonaws.com"),
			OptInStatus: str("opt-in-not-required")}
		return &ec2api.DescribeRegionsResult{Regions: []ec2api.Region{r}}, nil
	})
	register("DescribeAccountAttributes", func(c *call, in *ec2api.DescribeAccountAttributesRequest) (*ec2api.DescribeAccountAttributesResult, error) {
		attr := func(name, value string) ec2api.AccountAttribute {
			return ec2api.AccountAttribute{AttributeName: str(name), AttributeValues: []ec2api.AccountAttributeValue{{AttributeValue: str(value)}}}
		}
		all := []ec2api.AccountAttribute{attr("default-vpc", "none"), attr("max-elastic-ips", "5"),
			attr("max-instances", "20"), attr("supported-platforms", "VPC"), attr("vpc-max-elastic-ips", "5"),
			attr("vpc-max-security-groups-per-interface", "5")}
		if len(in.AttributeNames) > 0 {
			all = pick(all, func(a ec2api.AccountAttribute) bool { return slices.Contains(in.AttributeNames, *a.AttributeName) })
		}
		return &ec2api.DescribeAccountAttributesResult{AccountAttributes: all}, nil
	})
	register("CreateTags", createTags)
	register("DeleteTags", deleteTags)
	register("DescribeTags", describeTags)
}

// tagged is a resource's tags, its record kind and its resource type as DescribeTags names it.
type tagged struct {
	tags       *[]ec2api.Tag
	kind, typ  string
	vpcOfIndex string
}

// taggable finds the resource id names, for CreateTags and DeleteTags.
func (c *call) taggable(id string) (tagged, bool) {
	st := c.st
	switch prefix, _, _ := strings.Cut(id, "-"); prefix {
	case "vpc":
		if v := st.vpcs.get(id); v != nil {
			return tagged{&v.Tags, "vpc", "vpc", id}, true
		}
	case "subnet":
		if v := st.subnets.get(id); v != nil {
			return tagged{&v.Tags, "subnet", "subnet", val(v.VpcId)}, true
		}
	case "igw":
		if v := st.igws.get(id); v != nil {
			return tagged{&v.Tags, "igw", "internet-gateway", ""}, true
		}
	case "vgw":
		if v := st.vgws.get(id); v != nil {
			return tagged{&v.Tags, "vpn-gateway", "vpn-gateway", attachedVPC(v)}, true
		}
	case "cgw":
		if v := st.cgws.get(id); v != nil {
			return tagged{&v.Tags, "customer-gateway", "customer-gateway", ""}, true
		}
	case "vpce":
		if v := st.vpces.get(id); v != nil {
			return tagged{&v.Tags, "vpc-endpoint", "vpc-endpoint", val(v.VpcId)}, true
		}
	case "vpn":
		if v := st.vpns.get(id); v != nil {
			vpc := ""
			if g := st.vgws.get(val(v.VpnGatewayId)); g != nil {
				vpc = attachedVPC(g)
			}
			return tagged{&v.Tags, "vpn-connection", "vpn-connection", vpc}, true
		}
	case "rtb":
		if v := st.routeTables.get(id); v != nil {
			return tagged{&v.Tags, "route-table", "route-table", val(v.VpcId)}, true
		}
	case "sg":
		if v := st.groups.get(id); v != nil {
			return tagged{&v.Tags, "security-group", "security-group", val(v.VpcId)}, true
		}
	case "acl":
		if v := st.acls.get(id); v != nil {
			return tagged{&v.Tags, "network-acl", "network-acl", val(v.VpcId)}, true
		}
	case "eni":
		if v := st.enis.get(id); v != nil {
			return tagged{&v.TagSet, "network-interface", "network-interface", val(v.VpcId)}, true
		}
	case "nat":
		if v := st.nats.get(id); v != nil {
			return tagged{&v.Tags, "nat-gateway", "natgateway", val(v.VpcId)}, true
		}
	case "eipalloc":
		if v := st.addresses.get(id); v != nil {
			return tagged{&v.Tags, "address", "elastic-ip", ""}, true
		}
	case "pcx":
		if v := st.peerings.get(id); v != nil {
			return tagged{&v.Tags, "vpc-peering-connection", "vpc-peering-connection", ""}, true
		}
	case "eigw":
		if v := st.eigws.get(id); v != nil {
			return tagged{&v.Tags, "egress-only-internet-gateway", "egress-only-internet-gateway", ""}, true
		}
	case "dopt":
		if v := st.dhcpOptions.get(id); v != nil {
			return tagged{&v.Tags, "dhcp-options", "dhcp-options", ""}, true
		}
	case "tgw":
		return c.tgwTaggable(id)
	case "i":
		if rid := c.reservationOf(id); rid != "" {
			inst := c.instance(id)
			return tagged{&inst.Tags, "reservation", "instance", val(inst.VpcId)}, true
		}
		return tagged{}, false
	}
	return tagged{}, false
}

func (c *call) touchTagged(id string, t tagged) {
	key := id
	if t.kind == "reservation" {
		key = c.reservationOf(id)
	}
	c.touch(t.kind, key)
	c.check(t.vpcOfIndex) // Name tags name endpoints: the lab's names change
}

func createTags(c *call, in *ec2api.CreateTagsRequest) (*struct{}, error) {
	for _, id := range in.Resources {
		t, ok := c.taggable(id)
		if !ok {
			return nil, errorf("InvalidID", "The ID '%s' is not valid", id)
		}
		c.touchTagged(id, t)
		for _, tag := range in.Tags {
			i := slices.IndexFunc(*t.tags, func(x ec2api.Tag) bool { return val(x.Key) == val(tag.Key) })
			if tag.Value == nil {
				tag.Value = str("")
			}
			if i >= 0 {
				(*t.tags)[i] = tag
			} else {
				*t.tags = append(*t.tags, tag)
			}
		}
	}
	return &struct{}{}, nil
}

func deleteTags(c *call, in *ec2api.DeleteTagsRequest) (*struct{}, error) {
	for _, id := range in.Resources {
		t, ok := c.taggable(id)
		if !ok {
			return nil, errorf("InvalidID", "The ID '%s' is not valid", id)
		}
		c.touchTagged(id, t)
		if len(in.Tags) == 0 {
			*t.tags = []ec2api.Tag{}
			continue
		}
		for _, tag := range in.Tags {
			*t.tags = slices.DeleteFunc(*t.tags, func(x ec2api.Tag) bool {
				return val(x.Key) == val(tag.Key) && (tag.Value == nil || val(x.Value) == *tag.Value)
			})
		}
	}
	return &struct{}{}, nil
}

func describeTags(c *call, in *ec2api.DescribeTagsRequest) (*ec2api.DescribeTagsResult, error) {
	var all []*ec2api.TagDescription
	add := func(id string) {
		if t, ok := c.taggable(id); ok {
			for _, tag := range *t.tags {
				all = append(all, &ec2api.TagDescription{ResourceId: str(id), ResourceType: str(t.typ), Key: tag.Key, Value: tag.Value})
			}
		}
	}
	for _, ids := range [][]string{c.st.vpcs.ids(), c.st.subnets.ids(), c.st.igws.ids(), c.st.routeTables.ids(), c.st.groups.ids(),
		c.st.acls.ids(), c.st.enis.ids(), c.st.nats.ids(), c.st.addresses.ids(),
		c.st.vgws.ids(), c.st.cgws.ids(), c.st.vpns.ids()} {
		for _, id := range ids {
			add(id)
		}
	}
	for _, r := range c.st.reservations.all() {
		for _, i := range r.Instances {
			add(*i.InstanceId)
		}
	}
	for _, id := range slices.Concat(c.st.peerings.ids(), c.st.eigws.ids(), c.st.dhcpOptions.ids()) {
		add(id)
	}
	c.tgwTagged(add)
	slices.SortStableFunc(all, func(a, b *ec2api.TagDescription) int {
		return strings.Compare(*a.ResourceId+"\x00"+*a.Key, *b.ResourceId+"\x00"+*b.Key)
	})
	ts, next, err := describe(query{op: "DescribeTags", filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken},
		all, func(t *ec2api.TagDescription) string { return *t.ResourceId + "\x00" + *t.Key })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeTagsResult{Tags: ts, NextToken: next}, nil
}

func init() {
	register("DescribeInstanceTypes", describeInstanceTypes)
	register("DescribeImages", describeImages)
}

// describeInstanceTypes answers for any type asked about (a lab runs whatever type it is
// given): 2 vCPUs, 1 GiB, x86_64 on Nitro, as a small current-generation type. The list
// without names holds t3.micro only.
func describeInstanceTypes(c *call, in *ec2api.DescribeInstanceTypesRequest) (*ec2api.DescribeInstanceTypesResult, error) {
	names := slices.Compact(slices.Sorted(slices.Values(in.InstanceTypes))) // describe pages in ID order
	if len(names) == 0 {
		names = []string{"t3.micro"}
	}
	all := make([]*ec2api.InstanceTypeInfo, len(names))
	for i, n := range names {
		all[i] = &ec2api.InstanceTypeInfo{
			InstanceType: str(n), CurrentGeneration: boolp(true), FreeTierEligible: boolp(n == "t3.micro" || n == "t2.micro"),
			Hypervisor: str("nitro"), BareMetal: boolp(false), BurstablePerformanceSupported: boolp(strings.HasPrefix(n, "t")),
			HibernationSupported: boolp(false), InstanceStorageSupported: boolp(false), AutoRecoverySupported: boolp(true),
			DedicatedHostsSupported: boolp(false),
			VCpuInfo:                &ec2api.VCpuInfo{DefaultVCpus: int32p(2), DefaultCores: int32p(1), DefaultThreadsPerCore: int32p(2)},
			MemoryInfo:              &ec2api.MemoryInfo{SizeInMiB: int64p(1024)},
			ProcessorInfo:           &ec2api.ProcessorInfo{SupportedArchitectures: []string{"x86_64"}},
			NetworkInfo: &ec2api.NetworkInfo{MaximumNetworkInterfaces: int32p(3), Ipv4AddressesPerInterface: int32p(6),
				Ipv6AddressesPerInterface: int32p(6), Ipv6Supported: boolp(true), EnaSupport: str("required"),
				NetworkPerformance: str("Up to 5 Gigabit"), DefaultNetworkCardIndex: int32p(0), MaximumNetworkCards: int32p(1)},
			SupportedRootDeviceTypes: []string{"ebs"}, SupportedUsageClasses: []string{"on-demand", "spot"},
			SupportedVirtualizationTypes: []string{"hvm"}, SupportedBootModes: []string{"legacy-bios", "uefi"},
		}
	}
	ts, next, err := describe(query{op: "DescribeInstanceTypes", filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken},
		all, func(t *ec2api.InstanceTypeInfo) string { return *t.InstanceType })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeInstanceTypesResult{InstanceTypes: ts, NextToken: next}, nil
}

// describeImages answers for any ami- ID asked about with an HVM x86_64 EBS-backed image
// (a lab runs whatever image it is given; the engine does not look inside instances). A
// search with no IDs finds none: there is no catalog to search.
func describeImages(c *call, in *ec2api.DescribeImagesRequest) (*ec2api.DescribeImagesResult, error) {
	var all []*ec2api.Image
	for _, id := range slices.Compact(slices.Sorted(slices.Values(in.ImageIds))) { // describe pages in ID order
		if err := checkID(id, "ami", "InvalidAMIID.Malformed"); err != nil {
			return nil, err
		}
		all = append(all, &ec2api.Image{ImageId: str(id), Name: str("vpclab-" + id), State: str("available"),
			Architecture: str("x86_64"), RootDeviceType: str("ebs"), RootDeviceName: str("/dev/xvda"), VirtualizationType: str("hvm"),
			Hypervisor: str("xen"), ImageType: str("machine"), OwnerId: str(c.s.opt.Account), Public: boolp(false),
			EnaSupport: boolp(true), PlatformDetails: str("Linux/UNIX"), UsageOperation: str("RunInstances"),
			CreationDate: str("2026-01-01T00:00:00.000Z"),
			BlockDeviceMappings: []ec2api.BlockDeviceMapping{{DeviceName: str("/dev/xvda"), Ebs: &ec2api.EbsBlockDevice{
				DeleteOnTermination: boolp(true), VolumeSize: int32p(8), VolumeType: str("gp3"), Encrypted: boolp(false)}}},
			ProductCodes: []ec2api.ProductCode{}, Tags: []ec2api.Tag{}})
	}
	is, next, err := describe(query{op: "DescribeImages", filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken},
		all, func(i *ec2api.Image) string { return *i.ImageId })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeImagesResult{Images: is, NextToken: next}, nil
}

func int64p(n int64) *int64 { return &n }
