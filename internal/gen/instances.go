package gen

import (
	"github.com/vpclab/vpclab/internal/model"
	"slices"
)

// ENIs as describe-network-interfaces prints them, and as describe-instances nests them in
// an instance (without AvailabilityZone, TagSet, RequesterManaged and the attachment's
// instance fields).

type eniJSON struct {
	Association        *publicJSON     `json:",omitempty"`
	Attachment         *attachmentJSON `json:",omitempty"`
	AvailabilityZone   string          `json:",omitempty"`
	Description        string
	Groups             []groupJSON
	InterfaceType      string
	Ipv6Addresses      []struct{}
	MacAddress         string
	NetworkInterfaceId string
	OwnerId            string
	PrivateDnsName     string
	PrivateIpAddress   string
	PrivateIpAddresses []privateIPJSON
	RequesterId        string `json:",omitempty"`
	RequesterManaged   *bool  `json:",omitempty"`
	SourceDestCheck    bool
	Status             string
	SubnetId           string
	TagSet             *[]awsTag `json:",omitempty"`
	VpcId              string
}

type publicJSON struct {
	AllocationId  string `json:",omitempty"`
	AssociationId string `json:",omitempty"`
	IpOwnerId     string
	PublicDnsName string
	PublicIp      string
}

type attachmentJSON struct {
	AttachTime          string `json:",omitempty"`
	AttachmentId        string
	DeleteOnTermination bool
	DeviceIndex         int
	InstanceId          string `json:",omitempty"`
	InstanceOwnerId     string `json:",omitempty"`
	NetworkCardIndex    *int   `json:",omitempty"`
	Status              string
}

type groupJSON struct{ GroupId, GroupName string }

type privateIPJSON struct {
	Association      *publicJSON `json:",omitempty"`
	Primary          bool
	PrivateDnsName   string
	PrivateIpAddress string
}

// association is the Association of a private IP with a public one: an Elastic IP (with its
// allocation) or an address AWS assigned at launch (owned by "amazon").
func (w *writer) association(e *model.NetworkInterface, p model.PrivateIP, zone string) *publicJSON {
	if !p.PublicIP.IsValid() {
		return nil
	}
	pj := &publicJSON{IpOwnerId: "amazon", PublicDnsName: publicDNS(p.PublicIP.String(), zone), PublicIp: p.PublicIP.String()}
	if a := w.eips[eipKey{e.ID, p.Addr.String()}]; a != nil {
		pj.AllocationId, pj.IpOwnerId = string(a.AllocationID), w.owner
		pj.AssociationId = derived("eipassoc", string(e.ID)+"/"+p.Addr.String())
	}
	return pj
}

func (w *writer) eni(e *model.NetworkInterface, nested bool) eniJSON {
	zone := w.zone(e.Subnet)
	typ := string(e.Type)
	if typ == "" {
		typ = string(model.InterfaceTypeInterface)
	}
	out := eniJSON{Description: e.Description, Groups: []groupJSON{}, InterfaceType: typ, Ipv6Addresses: []struct{}{},
		MacAddress: e.MAC, NetworkInterfaceId: string(e.ID), OwnerId: w.owner, SourceDestCheck: e.SourceDestCheck,
		Status: "in-use", SubnetId: string(e.Subnet), VpcId: string(e.VPC), PrivateIpAddresses: []privateIPJSON{}}
	if out.MacAddress == "" {
		out.MacAddress = mac(string(e.ID))
	}
	for _, g := range e.SecurityGroups {
		out.Groups = append(out.Groups, groupJSON{string(g), w.sgNames[g]})
	}
	for i, p := range e.PrivateIPs {
		pj := privateIPJSON{Association: w.association(e, p, zone), Primary: p.Primary || i == 0,
			PrivateDnsName: privateDNS(p.Addr.String(), zone), PrivateIpAddress: p.Addr.String()}
		if i == 0 {
			out.PrivateIpAddress, out.PrivateDnsName, out.Association = pj.PrivateIpAddress, pj.PrivateDnsName, pj.Association
		}
		out.PrivateIpAddresses = append(out.PrivateIpAddresses, pj)
	}
	switch {
	case w.natOfENI[e.ID] != nil || e.Instance == "" && e.Type.ServiceManaged():
		// A service's interface (NAT gateway, transit gateway attachment, endpoint, load
		// balancer) is attached by the service, at the device index it chose.
		out.Attachment = &attachmentJSON{AttachmentId: "ela-attach-" + derived("x", string(e.ID))[2:10],
			DeviceIndex: e.DeviceIndex, InstanceOwnerId: "amazon-aws", Status: "attached"}
		out.RequesterId = "036872051663"
	case e.Instance != "":
		zero := 0
		out.Attachment = &attachmentJSON{AttachTime: created(string(e.Instance)), AttachmentId: derived("eni-attach", string(e.ID)),
			DeleteOnTermination: e.DeviceIndex == 0, DeviceIndex: e.DeviceIndex, NetworkCardIndex: &zero, Status: "attached"}
		if !nested {
			out.Attachment.InstanceId, out.Attachment.InstanceOwnerId = string(e.Instance), w.owner
		}
	default:
		out.Status = "available"
	}
	if !nested {
		out.AvailabilityZone = zone
		managed := out.RequesterId != ""
		out.RequesterManaged = &managed
		tags := tagList(e.Name, e.Tags)
		out.TagSet = &tags
	}
	return out
}

type reservationJSON struct {
	Groups        []struct{}
	Instances     []instanceJSON
	OwnerId       string
	ReservationId string
}

type instanceJSON struct {
	AmiLaunchIndex      int
	Architecture        string
	BlockDeviceMappings []blockDeviceJSON
	ClientToken         string
	EbsOptimized        bool
	EnaSupport          bool
	Hypervisor          string
	ImageId             string
	InstanceId          string
	InstanceType        string
	LaunchTime          string
	Monitoring          struct{ State string }
	NetworkInterfaces   []eniJSON
	Placement           struct{ AvailabilityZone, GroupName, Tenancy string }
	PrivateDnsName      string
	PrivateIpAddress    string `json:",omitempty"`
	ProductCodes        []struct{}
	PublicDnsName       string
	PublicIpAddress     string `json:",omitempty"`
	RootDeviceName      string
	RootDeviceType      string
	SecurityGroups      []groupJSON
	SourceDestCheck     bool
	State               struct {
		Code int
		Name string
	}
	StateTransitionReason string
	SubnetId              string `json:",omitempty"`
	Tags                  []awsTag
	VirtualizationType    string
	VpcId                 string `json:",omitempty"`
}

type blockDeviceJSON struct {
	DeviceName string
	Ebs        struct {
		AttachTime          string
		DeleteOnTermination bool
		Status, VolumeId    string
	}
}

var stateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

var instanceTypes = []string{"t3.micro", "t3.small", "t3.medium", "m5.large", "c5.xlarge", "r5.large"}

func (w *writer) reservation(ins []*model.Instance) reservationJSON {
	out := reservationJSON{Groups: []struct{}{}, OwnerId: w.owner, ReservationId: derived("r", string(ins[0].ID))}
	for i, in := range ins {
		out.Instances = append(out.Instances, w.instance(in, i))
	}
	return out
}

func (w *writer) instance(in *model.Instance, launchIndex int) instanceJSON {
	launched := created(string(in.ID))
	out := instanceJSON{AmiLaunchIndex: launchIndex, Architecture: "x86_64", ClientToken: derived("x", string(in.ID))[2:],
		EbsOptimized: true, EnaSupport: true, Hypervisor: "xen", ImageId: derived("ami", "al2/"+w.owner),
		InstanceId: string(in.ID), InstanceType: instanceTypes[hash(string(in.ID))%uint64(len(instanceTypes))],
		LaunchTime: launched, NetworkInterfaces: []eniJSON{}, ProductCodes: []struct{}{}, RootDeviceName: "/dev/xvda",
		RootDeviceType: "ebs", SecurityGroups: []groupJSON{}, SourceDestCheck: true, Tags: tagList(in.Name, instanceTags(in)),
		VirtualizationType: "hvm"}
	out.Monitoring.State = "disabled"
	out.Placement.Tenancy = "default"
	bd := blockDeviceJSON{DeviceName: "/dev/xvda"}
	bd.Ebs.AttachTime, bd.Ebs.DeleteOnTermination, bd.Ebs.Status, bd.Ebs.VolumeId = launched, true, "attached", derived("vol", string(in.ID))
	out.BlockDeviceMappings = []blockDeviceJSON{bd}
	out.State.Name = in.State
	if out.State.Name == "" {
		out.State.Name = "running"
	}
	out.State.Code = stateCodes[out.State.Name]
	enis := w.instENIs[in.ID]
	zone := "us-east-1a"
	if len(enis) > 0 {
		zone = w.zone(enis[0].Subnet)
	}
	out.Placement.AvailabilityZone = zone
	for i, e := range enis {
		out.NetworkInterfaces = append(out.NetworkInterfaces, w.eni(e, true))
		if i > 0 {
			continue
		}
		ej := out.NetworkInterfaces[0]
		out.PrivateDnsName, out.PrivateIpAddress, out.SourceDestCheck = ej.PrivateDnsName, ej.PrivateIpAddress, e.SourceDestCheck
		out.SubnetId, out.VpcId = ej.SubnetId, ej.VpcId
		out.SecurityGroups = ej.Groups
		if ej.Association != nil {
			out.PublicIpAddress, out.PublicDnsName = ej.Association.PublicIp, ej.Association.PublicDnsName
		}
	}
	return out
}

// instanceTags are the instance's tags, with model.ForwardingTag saying a stateful
// appliance, or one that does not route, is one, which describe-* JSON has no field for.
func instanceTags(in *model.Instance) []model.Tag {
	v := "stateful"
	if in.IPForwardOff {
		v = "off" // routes nothing, stateful or not
	}
	if !in.StatefulForwarding && !in.IPForwardOff || slices.ContainsFunc(in.Tags, func(t model.Tag) bool { return t.Key == model.ForwardingTag }) {
		return in.Tags
	}
	return append(slices.Clone(in.Tags), model.Tag{Key: model.ForwardingTag, Value: v})
}
