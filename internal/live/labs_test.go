package live

// Topologies with several VPCs, built in code: VPC peering and a transit gateway. Each VPC
// "x" is vpc-x with its main route table rtb-x, network ACL defaults, and one security group
// sg-x that every instance in it wears. IDs follow AWS's shapes; instances are named by their
// Name tag, which is also their namespace's suffix.

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

const az = "us-east-1a"

var tenSlash8 = netip.MustParsePrefix("10.0.0.0/8")

type topoBuilder struct{ t *model.Topology }

func newTopo() *topoBuilder { return &topoBuilder{t: &model.Topology{}} }

// vpc adds VPC vpc-name with its main route table rtb-name (routes given) and security
// group sg-name: ICMP, traceroute's UDP ports and TCP 80 in from 10.0.0.0/8, all out.
func (b *topoBuilder) vpc(name, cidr string, routes ...model.Route) {
	id := model.VPCID("vpc-" + name)
	b.t.VPCs = append(b.t.VPCs, &model.VPC{ID: id, Name: name, CIDRs: []netip.Prefix{netip.MustParsePrefix(cidr)}})
	b.t.RouteTables = append(b.t.RouteTables, &model.RouteTable{ID: model.RouteTableID("rtb-" + name), VPC: id,
		Name: name, Main: true, Routes: routes})
	sg := model.SecurityGroupID("sg-" + name)
	in := func(n, proto, from, to int) model.SecurityGroupRule {
		return model.SecurityGroupRule{ID: string(sg) + ":ingress:" + strconv.Itoa(n), Protocol: proto,
			FromPort: from, ToPort: to, CIDR: tenSlash8}
	}
	b.t.SecurityGroups = append(b.t.SecurityGroups, &model.SecurityGroup{ID: sg, VPC: id, Name: name,
		Ingress: []model.SecurityGroupRule{
			in(0, model.ProtocolICMP, -1, -1),
			in(1, model.ProtocolUDP, 33434, 33534), // traceroute(8)'s default probes
			in(2, model.ProtocolTCP, 80, 80),
		},
		Egress: []model.SecurityGroupRule{{ID: string(sg) + ":egress:0", Protocol: model.ProtocolAll,
			CIDR: netip.MustParsePrefix("0.0.0.0/0")}},
	})
}

// table adds a route table of VPC vpc associated with subnets (ApplyDefaults adds the local
// route).
func (b *topoBuilder) table(vpc, name string, subnets []string, routes ...model.Route) {
	rt := &model.RouteTable{ID: model.RouteTableID("rtb-" + name), VPC: model.VPCID("vpc-" + vpc), Name: name, Routes: routes}
	for _, s := range subnets {
		rt.Subnets = append(rt.Subnets, model.SubnetID("subnet-"+s))
	}
	b.t.RouteTables = append(b.t.RouteTables, rt)
}

func (b *topoBuilder) subnet(vpc, name, cidr string) {
	b.t.Subnets = append(b.t.Subnets, &model.Subnet{ID: model.SubnetID("subnet-" + name), VPC: model.VPCID("vpc-" + vpc),
		Name: name, CIDR: netip.MustParsePrefix(cidr), AvailabilityZone: az})
}

// instance adds instance i-name (Name tag name) with one ENI eni-name at ip in subnet-subnet,
// wearing its VPC's group.
func (b *topoBuilder) instance(vpc, subnet, name, ip string) {
	e := &model.NetworkInterface{ID: model.ENIID("eni-" + name), VPC: model.VPCID("vpc-" + vpc),
		Subnet: model.SubnetID("subnet-" + subnet), Type: model.InterfaceTypeInterface,
		PrivateIPs:      []model.PrivateIP{{Addr: netip.MustParseAddr(ip), Primary: true}},
		SecurityGroups:  []model.SecurityGroupID{model.SecurityGroupID("sg-" + vpc)},
		SourceDestCheck: true, Instance: model.InstanceID("i-" + name)}
	b.t.NetworkInterfaces = append(b.t.NetworkInterfaces, e)
	b.t.Instances = append(b.t.Instances, &model.Instance{ID: model.InstanceID("i-" + name), Name: name,
		ENIs: []model.ENIID{e.ID}, State: "running"})
}

// peering adds an active peering pcx-name between vpc-req and vpc-acc, each side carrying its
// VPC's blocks.
func (b *topoBuilder) peering(name, req, acc string) {
	side := func(v string) model.PeeringSide {
		for _, x := range b.t.VPCs {
			if x.ID == model.VPCID("vpc-"+v) {
				return model.PeeringSide{VPC: x.ID, CIDRs: x.CIDRs}
			}
		}
		panic("no VPC " + v)
	}
	b.t.Peerings = append(b.t.Peerings, &model.VPCPeering{ID: model.PeeringID("pcx-" + name), Status: model.StateActive,
		Requester: side(req), Accepter: side(acc), Name: name})
}

// via is a static route to a peering ("pcx") or transit gateway ("tgw").
func via(dst, kind, id string) model.Route {
	k := map[string]model.TargetKind{"pcx": model.TargetPeering, "tgw": model.TargetTransitGateway}[kind]
	return model.Route{Destination: netip.MustParsePrefix(dst), Target: model.Target{Kind: k, ID: id},
		Origin: model.OriginCreateRoute, State: model.RouteActive}
}

// compile applies AWS's defaults, checks the topology is one AWS would accept, and compiles
// it; a compile warning fails the test too.
func (b *topoBuilder) compile(tb testing.TB) *engine.Network {
	tb.Helper()
	model.ApplyDefaults(b.t)
	if probs := model.Validate(b.t); len(probs) > 0 {
		tb.Fatalf("the topology does not validate:\n%v", probs)
	}
	n, probs := engine.Compile(b.t)
	if len(probs) > 0 {
		tb.Fatalf("Compile:\n%v", probs)
	}
	return n
}

// peeringLab: A 10.0/16 peered with B 10.1/16 and with C 10.2/16; B and C are not peered,
// and B routes C's block to its peering with A anyway (PCX-4 of §7.1).
//
//	b (10.1.1.10) ── pcx-ab ── a (10.0.1.10) ── pcx-ac ── c (10.2.1.10)
func peeringLab(tb testing.TB) *engine.Network {
	b := newTopo()
	b.vpc("a", "10.0.0.0/16", via("10.1.0.0/16", "pcx", "pcx-ab"), via("10.2.0.0/16", "pcx", "pcx-ac"))
	b.vpc("b", "10.1.0.0/16", via("10.0.0.0/16", "pcx", "pcx-ab"), via("10.2.0.0/16", "pcx", "pcx-ab"))
	b.vpc("c", "10.2.0.0/16", via("10.0.0.0/16", "pcx", "pcx-ac"))
	for _, x := range []struct{ v, cidr, ip string }{{"a", "10.0.1.0/24", "10.0.1.10"}, {"b", "10.1.1.0/24", "10.1.1.10"}, {"c", "10.2.1.0/24", "10.2.1.10"}} {
		b.subnet(x.v, x.v, x.cidr)
		b.instance(x.v, x.v, x.v, x.ip)
	}
	b.peering("ab", "a", "b")
	b.peering("ac", "a", "c")
	return b.compile(tb)
}

// overlapLab: B and C are both 10.1.0.0/16, each peered with A 10.0/16 (legal: §7.1.2 refuses
// only overlap between the two sides of one peering), and their instances hold the same
// address, 10.1.1.10. A's subnet a1 routes 10.1/16 to B, subnet a2 to C; B and C route all of
// A back over their own peering.
//
//	b 10.1.1.10 ── pcx-ab ── a1 10.0.1.10 | a2 10.0.2.10 ── pcx-ac ── c 10.1.1.10
func overlapLab(tb testing.TB) *engine.Network {
	b := newTopo()
	b.vpc("a", "10.0.0.0/16")
	b.vpc("b", "10.1.0.0/16", via("10.0.0.0/16", "pcx", "pcx-ab"))
	b.vpc("c", "10.1.0.0/16", via("10.0.0.0/16", "pcx", "pcx-ac"))
	b.subnet("a", "a1", "10.0.1.0/24")
	b.subnet("a", "a2", "10.0.2.0/24")
	b.table("a", "a1", []string{"a1"}, via("10.1.0.0/16", "pcx", "pcx-ab"))
	b.table("a", "a2", []string{"a2"}, via("10.1.0.0/16", "pcx", "pcx-ac"))
	b.instance("a", "a1", "a1", "10.0.1.10")
	b.instance("a", "a2", "a2", "10.0.2.10")
	b.subnet("b", "b", "10.1.1.0/24")
	b.instance("b", "b", "b", "10.1.1.10")
	b.subnet("c", "c", "10.1.1.0/24")
	b.instance("c", "c", "c", "10.1.1.10")
	b.peering("ab", "a", "b")
	b.peering("ac", "a", "c")
	return b.compile(tb)
}

// hubLab: two spoke VPCs attached to one transit gateway, whose single route table both
// attachments are associated with and propagate to. Each spoke has one subnet, which holds
// the attachment's interface (.5) and the instance (.10), and routes 10.0.0.0/8 to the
// transit gateway.
//
//	spoke1 10.1.1.10 ── tgw-attach-1 ── tgw-hub (tgw-rtb-hub) ── tgw-attach-2 ── spoke2 10.2.1.10
func hubLab(tb testing.TB) *engine.Network {
	const tgw, rtb = model.TransitGatewayID("tgw-hub"), model.TGWRouteTableID("tgw-rtb-hub")
	b := newTopo()
	b.t.TransitGateways = []*model.TransitGateway{{ID: tgw, Name: "hub", State: model.StateAvailable, ASN: 64512}}
	rt := &model.TGWRouteTable{ID: rtb, TransitGateway: tgw, State: model.StateAvailable, Name: "hub"}
	b.t.TGWRouteTables = []*model.TGWRouteTable{rt}
	for i, s := range []struct{ name, vpc, subnet, eni, ip string }{
		{"spoke1", "10.1.0.0/16", "10.1.1.0/24", "10.1.1.5", "10.1.1.10"},
		{"spoke2", "10.2.0.0/16", "10.2.1.0/24", "10.2.1.5", "10.2.1.10"},
	} {
		att := model.TGWAttachmentID("tgw-attach-" + strconv.Itoa(i+1))
		b.vpc(s.name, s.vpc, via("10.0.0.0/8", "tgw", string(tgw)))
		b.subnet(s.name, s.name, s.subnet)
		b.instance(s.name, s.name, s.name, s.ip)
		b.t.TGWAttachments = append(b.t.TGWAttachments, &model.TGWAttachment{ID: att, TransitGateway: tgw,
			Type: model.AttachVPC, ResourceID: "vpc-" + s.name, State: model.StateAvailable,
			Association: rtb, AssociationState: model.StateAssociated, SGReferencing: true,
			Subnets: []model.SubnetID{model.SubnetID("subnet-" + s.name)}})
		rt.Propagations = append(rt.Propagations, att)
		b.t.NetworkInterfaces = append(b.t.NetworkInterfaces, &model.NetworkInterface{
			ID: model.ENIID("eni-tgw-" + s.name), VPC: model.VPCID("vpc-" + s.name), Subnet: model.SubnetID("subnet-" + s.name),
			Type:        model.InterfaceTypeTransitGateway,
			PrivateIPs:  []model.PrivateIP{{Addr: netip.MustParseAddr(s.eni), Primary: true}},
			Description: "Network Interface for Transit Gateway Attachment " + string(att)})
	}
	return b.compile(tb)
}
