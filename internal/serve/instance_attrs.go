package serve

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// What an instance carries besides its network: its attributes, its CPU credits and its
// root volume. A lab's instances are network endpoints; these answer as a freshly launched
// instance's would, so that clients (Terraform reads them all) see a whole instance.

func init() {
	register("DescribeInstanceAttribute", describeInstanceAttribute)
	register("DescribeInstanceCreditSpecifications", describeInstanceCreditSpecifications)
	register("DescribeVolumes", describeVolumes)
}

// rootVolume is the ID of an instance's root volume, derived from the instance's ID.
func rootVolume(instanceID string) string {
	h := sha256.Sum256([]byte("root volume " + instanceID))
	return "vol-" + hex.EncodeToString(h[:9])[:17]
}

func describeInstanceAttribute(c *call, in *ec2api.DescribeInstanceAttributeRequest) (*ec2api.InstanceAttribute, error) {
	id := val(in.InstanceId)
	inst := c.instance(id)
	if inst == nil {
		return nil, notFound("InvalidInstanceID.NotFound", "instance", id)
	}
	v := c.st.instanceView(inst)
	out := &ec2api.InstanceAttribute{InstanceId: str(id)}
	no := &ec2api.AttributeBooleanValue{Value: boolp(false)}
	switch a := val(in.Attribute); a {
	case "instanceType":
		out.InstanceType = &ec2api.AttributeValue{Value: v.InstanceType}
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = &ec2api.AttributeValue{Value: str("stop")}
	case "disableApiTermination":
		out.DisableApiTermination = no
	case "disableApiStop":
		out.DisableApiStop = no
	case "sourceDestCheck":
		out.SourceDestCheck = &ec2api.AttributeBooleanValue{Value: v.SourceDestCheck}
	case "groupSet":
		out.Groups = v.SecurityGroups
	case "rootDeviceName":
		out.RootDeviceName = &ec2api.AttributeValue{Value: v.RootDeviceName}
	case "blockDeviceMapping":
		out.BlockDeviceMappings = v.BlockDeviceMappings
	case "ebsOptimized":
		out.EbsOptimized = no
	case "enaSupport":
		out.EnaSupport = &ec2api.AttributeBooleanValue{Value: boolp(true)}
	case "userData":
		out.UserData = &ec2api.AttributeValue{}
	case "kernel":
		out.KernelId = &ec2api.AttributeValue{}
	case "ramdisk":
		out.RamdiskId = &ec2api.AttributeValue{}
	case "productCodes":
		out.ProductCodes = []ec2api.ProductCode{}
	case "sriovNetSupport":
		out.SriovNetSupport = &ec2api.AttributeValue{}
	case "enclaveOptions":
		out.EnclaveOptions = &ec2api.EnclaveOptions{Enabled: boolp(false)}
	default:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", a)
	}
	return out, nil
}

// describeInstanceCreditSpecifications: T2 instances earn credits in standard mode and
// later burstable families run unlimited, as AWS's defaults are.
func describeInstanceCreditSpecifications(c *call, in *ec2api.DescribeInstanceCreditSpecificationsRequest) (*ec2api.DescribeInstanceCreditSpecificationsResult, error) {
	var all []*ec2api.InstanceCreditSpecification
	for _, r := range c.st.reservations.all() {
		for _, i := range r.Instances {
			credits := "unlimited"
			if t := val(i.InstanceType); len(t) >= 2 && t[:2] == "t2" {
				credits = "standard"
			}
			all = append(all, &ec2api.InstanceCreditSpecification{InstanceId: i.InstanceId, CpuCredits: str(credits)})
		}
	}
	cs, next, err := describe(query{op: "DescribeInstanceCreditSpecifications", ids: in.InstanceIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidInstanceID.NotFound", what: "instance"},
		all, func(s *ec2api.InstanceCreditSpecification) string { return *s.InstanceId })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeInstanceCreditSpecificationsResult{InstanceCreditSpecifications: cs, NextToken: next}, nil
}

// describeVolumes: each instance's 8 GiB gp3 root volume, while the instance is not
// terminated.
func describeVolumes(c *call, in *ec2api.DescribeVolumesRequest) (*ec2api.DescribeVolumesResult, error) {
	var all []*ec2api.Volume
	for _, r := range c.st.reservations.all() {
		for _, i := range r.Instances {
			if val(i.State.Name) == "terminated" {
				continue
			}
			vol := rootVolume(*i.InstanceId)
			all = append(all, &ec2api.Volume{VolumeId: str(vol), Size: int32p(8), VolumeType: str("gp3"), Iops: int32p(3000),
				Throughput: int32p(125), Encrypted: boolp(false), State: str("in-use"), CreateTime: i.LaunchTime,
				AvailabilityZone: i.Placement.AvailabilityZone, MultiAttachEnabled: boolp(false), Tags: []ec2api.Tag{},
				Attachments: []ec2api.VolumeAttachment{{VolumeId: str(vol), InstanceId: i.InstanceId, Device: str("/dev/xvda"),
					State: str("attached"), AttachTime: i.LaunchTime, DeleteOnTermination: boolp(true)}}})
		}
	}
	vs, next, err := describe(query{op: "DescribeVolumes", ids: in.VolumeIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidVolume.NotFound", what: "volume"},
		all, func(v *ec2api.Volume) string { return *v.VolumeId })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVolumesResult{Volumes: vs, NextToken: next}, nil
}
