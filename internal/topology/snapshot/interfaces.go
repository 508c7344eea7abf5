package snapshot

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// buildInterfaces maps describe-network-interfaces and the instances of describe-instances
// (§6.1). An instance lists its ENIs in the same shape, without InterfaceType; an ENI found
// in both answers becomes one model ENI, whose fields come from describe-network-interfaces
// when it has them and from the instance otherwise. Requester-managed ENIs (NAT gateways,
// endpoints, load balancers) are kept. An instance's ENIs are every ENI attached to it,
// ordered by device index.
func (l *loader) buildInterfaces(t *model.Topology) {
	// Sized for the largest case up front: at 100,000 instances, growing these is a third of
	// the mapping's time.
	enis := make([]item[awsENI], 0, l.enis.len()+l.instances.len())
	index := make(map[string]int, l.enis.len()+l.instances.len()) // ENI ID -> position in enis
	for it := range l.enis.all() {
		if it.v.Attachment != nil {
			l.checkTime(it.v.Attachment.AttachTime, it.src, ".Attachment.AttachTime")
		}
		// What a seen would say, the index standing in for its map: the first keeps its place.
		switch k, dup := index[it.v.NetworkInterfaceId]; {
		case it.v.NetworkInterfaceId == "":
			l.probs.Errorf(it.src, "network interface has no NetworkInterfaceId; skipped")
			continue
		case dup:
			l.probs.Warnf(it.src, "duplicate network interface %s (first at %s); skipped", it.v.NetworkInterfaceId, enis[k].src)
			continue
		}
		index[it.v.NetworkInterfaceId] = len(enis)
		enis = append(enis, it)
	}

	instIDs := newSeen("instance", l.instances.len())
	instances := make([]item[awsInstance], 0, l.instances.len())
	for it := range l.instances.all() {
		in, src := it.v, it.src
		l.checkTime(in.LaunchTime, src, ".LaunchTime")
		if !instIDs.add(&l.probs, in.InstanceId, "InstanceId", src) {
			continue
		}
		instances = append(instances, it)
		for j, e := range in.NetworkInterfaces {
			// Its path is made only when used: most copies merge into the interface's own.
			esrc := func() model.Source { return at(src, ".NetworkInterfaces[%d]", j) }
			if e.Attachment != nil && e.Attachment.AttachTime.Bad {
				l.checkTime(e.Attachment.AttachTime, esrc(), ".Attachment.AttachTime")
			}
			if e.NetworkInterfaceId == "" {
				l.probs.Errorf(esrc(), "network interface has no NetworkInterfaceId; skipped")
				continue
			}
			var a awsAttachment
			if e.Attachment != nil {
				a = *e.Attachment
			}
			if a.InstanceId == "" {
				a.InstanceId = in.InstanceId // implicit: the instance lists it
			}
			e.Attachment = &a
			if k, ok := index[e.NetworkInterfaceId]; ok {
				mergeENI(&enis[k].v, e)
				continue
			}
			index[e.NetworkInterfaceId] = len(enis)
			enis = append(enis, item[awsENI]{v: e, src: esrc()})
		}
	}

	attachedTo := make(map[model.InstanceID][]*model.NetworkInterface, len(instances)) // in ENI order
	t.NetworkInterfaces = slices.Grow(t.NetworkInterfaces, len(enis))
	t.Instances = slices.Grow(t.Instances, len(instances))
	for _, it := range enis {
		e := l.eni(it.v, it.src)
		t.NetworkInterfaces = append(t.NetworkInterfaces, e)
		if e.Instance != "" {
			attachedTo[e.Instance] = append(attachedTo[e.Instance], e)
		}
	}
	for _, it := range instances {
		in := it.v
		inst := &model.Instance{ID: model.InstanceID(in.InstanceId), State: in.State.Name, Src: it.src}
		inst.Name, inst.Tags = tags(in.tagged)
		for _, tag := range inst.Tags {
			if tag.Key == model.ForwardingTag {
				switch tag.Value {
				case "stateful":
					inst.StatefulForwarding = true
				case "off": // its OS does not route (§6.2)
					inst.IPForwardOff = true
				case "stateless":
				default:
					l.probs.Warnf(it.src, "instance %s: tag %s=%q is neither stateful, stateless nor off; taken as stateless", in.InstanceId, model.ForwardingTag, tag.Value)
				}
			}
		}
		attached := attachedTo[inst.ID]
		slices.SortStableFunc(attached, func(a, b *model.NetworkInterface) int {
			return cmp.Compare(a.DeviceIndex, b.DeviceIndex)
		})
		for _, e := range attached {
			inst.ENIs = append(inst.ENIs, e.ID)
		}
		l.instancePublicIP(in, it.src, attached)
		t.Instances = append(t.Instances, inst)
	}
}

// mergeENI fills the fields dst lacks from src: dst (describe-network-interfaces) wins for
// every field it has.
func mergeENI(dst *awsENI, src awsENI) {
	fill(&dst.VpcId, src.VpcId)
	fill(&dst.SubnetId, src.SubnetId)
	fill(&dst.InterfaceType, src.InterfaceType)
	fill(&dst.PrivateIpAddress, src.PrivateIpAddress)
	fill(&dst.MacAddress, src.MacAddress)
	fill(&dst.Description, src.Description)
	if dst.Association == nil {
		dst.Association = src.Association
	}
	dst.PrivateIpAddresses = mergeAddresses(dst.PrivateIpAddresses, src.PrivateIpAddresses)
	if dst.Groups == nil {
		dst.Groups = src.Groups
	}
	if dst.SourceDestCheck == nil {
		dst.SourceDestCheck = src.SourceDestCheck
	}
	dst.RequesterManaged = dst.RequesterManaged || src.RequesterManaged
	if dst.Tags == nil && dst.TagSet == nil {
		dst.tagged = src.tagged
	}
	switch {
	case dst.Attachment == nil:
		dst.Attachment = src.Attachment
	case src.Attachment != nil:
		a := *dst.Attachment // do not write through a pointer the source shares
		fill(&a.InstanceId, src.Attachment.InstanceId)
		if a.DeviceIndex == nil {
			a.DeviceIndex = src.Attachment.DeviceIndex
		}
		dst.Attachment = &a
	}
}

// mergeAddresses is dst's PrivateIpAddresses, or src's when dst has none. An address of dst
// without an Association takes the one the same address has in src: describe-instances may
// show a public IP that describe-network-interfaces left out. dst is copied before it
// changes, as its array belongs to the describe-network-interfaces item.
func mergeAddresses(dst, src []awsPrivateIP) []awsPrivateIP {
	if dst == nil {
		return src
	}
	out, copied := dst, false
	for i, d := range dst {
		if d.Association != nil {
			continue
		}
		for _, s := range src {
			if s.PrivateIpAddress == d.PrivateIpAddress && s.Association != nil {
				if !copied {
					out, copied = slices.Clone(dst), true
				}
				out[i].Association = s.Association
				break
			}
		}
	}
	return out
}

// eni maps one ENI. Its private IPs come from PrivateIpAddresses (primary first), or from
// PrivateIpAddress when the list is absent. Each keeps the public IP of its own Association;
// the top-level Association is the primary private IP's (§6.1: at most one public IPv4 per
// private IP), so it fills the primary address when that has none of its own. The
// source/destination check is on when absent, as AWS creates ENIs (§6.1).
func (l *loader) eni(e awsENI, src model.Source) *model.NetworkInterface {
	out := &model.NetworkInterface{ID: model.ENIID(e.NetworkInterfaceId), VPC: model.VPCID(e.VpcId),
		Subnet: model.SubnetID(e.SubnetId), Type: model.InterfaceType(e.InterfaceType),
		SourceDestCheck: e.SourceDestCheck == nil || *e.SourceDestCheck, MAC: e.MacAddress,
		Description: e.Description, Src: src}
	out.Name, out.Tags = tags(e.tagged)
	if e.Attachment != nil {
		out.Instance = model.InstanceID(e.Attachment.InstanceId)
		if e.Attachment.DeviceIndex != nil {
			out.DeviceIndex = *e.Attachment.DeviceIndex
		}
	}
	for _, g := range e.Groups {
		if g.GroupId != "" {
			out.SecurityGroups = append(out.SecurityGroups, model.SecurityGroupID(g.GroupId))
		}
	}
	for i, p := range e.PrivateIpAddresses {
		where := func(suffix string) func() model.Source {
			return func() model.Source { return at(src, ".PrivateIpAddresses[%d]%s", i, suffix) }
		}
		ip := model.PrivateIP{Addr: l.addr(p.PrivateIpAddress, where(".PrivateIpAddress")), Primary: p.Primary}
		if !ip.Addr.IsValid() {
			if p.PrivateIpAddress == "" {
				l.probs.Errorf(where(".PrivateIpAddress")(), "missing PrivateIpAddress")
			}
			continue
		}
		if p.Association != nil {
			ip.PublicIP = l.addr(p.Association.PublicIp, where(".Association.PublicIp"))
		}
		out.PrivateIPs = append(out.PrivateIPs, ip)
	}
	if len(e.PrivateIpAddresses) == 0 && e.PrivateIpAddress != "" {
		ip := model.PrivateIP{Addr: l.addr(e.PrivateIpAddress, func() model.Source { return at(src, ".PrivateIpAddress") }), Primary: true}
		if ip.Addr.IsValid() {
			out.PrivateIPs = append(out.PrivateIPs, ip)
		}
	}
	slices.SortStableFunc(out.PrivateIPs, func(a, b model.PrivateIP) int {
		switch {
		case a.Primary == b.Primary:
			return 0
		case a.Primary:
			return -1
		}
		return 1
	})
	if e.Association != nil {
		setPrimaryPublicIP(out, l.addr(e.Association.PublicIp, func() model.Source { return at(src, ".Association.PublicIp") }))
	}
	return out
}

// setPrimaryPublicIP gives pub to e's primary private IP unless that has a public IP of its
// own. The primary is the first: eni sorts it there, and when no address is marked primary
// the first is the one model.ApplyDefaults marks.
func setPrimaryPublicIP(e *model.NetworkInterface, pub netip.Addr) {
	if pub.IsValid() && len(e.PrivateIPs) > 0 && !e.PrivateIPs[0].PublicIP.IsValid() {
		e.PrivateIPs[0].PublicIP = pub
	}
}

// instancePublicIP gives the instance's PublicIpAddress to the primary private IP of its
// primary network interface, the one at device index 0 (attached is sorted by device index),
// when the interface's answers gave that address no public IP.
func (l *loader) instancePublicIP(in awsInstance, src model.Source, attached []*model.NetworkInterface) {
	pub := l.addr(in.PublicIpAddress, func() model.Source { return at(src, ".PublicIpAddress") })
	if pub.IsValid() && len(attached) > 0 && attached[0].DeviceIndex == 0 {
		setPrimaryPublicIP(attached[0], pub)
	}
}
