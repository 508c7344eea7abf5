package engine_test

// An estate builder for scenarios across VPCs, regions and accounts (§7.1, §7.2, §16): like
// lab, names become AWS-shaped IDs ("a" → vpc-a; subnet "a1" → subnet-a1 with its own route
// table rtb-a1; host "a1" → eni-a1, i-a1). Every host carries its VPC's open group sg-<vpc>
// (all traffic both ways) unless the test gives others.

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

type estate struct {
	t        testing.TB
	topo     *model.Topology
	clock    *engine.ManualClock
	st       *engine.State
	net      *engine.Network
	warnings int
}

func newEstate(t testing.TB) *estate {
	clock := &engine.ManualClock{T: t0}
	return &estate{t: t, topo: &model.Topology{}, clock: clock, st: engine.NewState(clock, 1)}
}

func (x *estate) build() *engine.Network {
	x.t.Helper()
	if x.net != nil {
		return x.net
	}
	model.ApplyDefaults(x.topo)
	n, probs := engine.Compile(x.topo)
	if len(probs) != x.warnings {
		x.t.Fatalf("Compile: %d problems, want %d:\n%v", len(probs), x.warnings, probs)
	}
	x.net = n
	return n
}

func (x *estate) changed() { x.net = nil }

// vpc adds VPC vpc-name in region (default us-east-1) with its open security group.
func (x *estate) vpc(name, cidr string, region ...string) *model.VPC {
	v := &model.VPC{ID: model.VPCID("vpc-" + name), Name: name, CIDRs: []netip.Prefix{netip.MustParsePrefix(cidr)}, Region: "us-east-1", Account: "111111111111"}
	if len(region) > 0 {
		v.Region = region[0]
	}
	x.topo.VPCs = append(x.topo.VPCs, v)
	all := netip.MustParsePrefix("0.0.0.0/0")
	x.topo.SecurityGroups = append(x.topo.SecurityGroups, &model.SecurityGroup{ID: model.SecurityGroupID("sg-" + name), VPC: v.ID, Name: name + "-open",
		Ingress: []model.SecurityGroupRule{{ID: "sgr-" + name + "-in", Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: all}},
		Egress:  []model.SecurityGroupRule{{ID: "sgr-" + name + "-out", Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: all}}})
	x.changed()
	return v
}

// subnet adds subnet-name to vpc-vpc in Availability Zone az, with its own route table.
func (x *estate) subnet(vpc, name, cidr, az string) *model.Subnet {
	s := &model.Subnet{ID: model.SubnetID("subnet-" + name), VPC: model.VPCID("vpc-" + vpc), Name: name,
		CIDR: netip.MustParsePrefix(cidr), AvailabilityZone: az}
	x.topo.Subnets = append(x.topo.Subnets, s)
	x.topo.RouteTables = append(x.topo.RouteTables, &model.RouteTable{ID: model.RouteTableID("rtb-" + name), VPC: s.VPC, Name: name, Subnets: []model.SubnetID{s.ID}})
	x.changed()
	return s
}

func (x *estate) subnetOf(name string) *model.Subnet {
	for _, s := range x.topo.Subnets {
		if s.ID == model.SubnetID("subnet-"+name) {
			return s
		}
	}
	x.t.Fatalf("no subnet-%s", name)
	return nil
}

// host adds an instance in a subnet with the VPC's open group, or the groups named.
func (x *estate) host(subnet, name, ip string, sgs ...string) *model.NetworkInterface {
	s := x.subnetOf(subnet)
	e := &model.NetworkInterface{ID: model.ENIID("eni-" + name), VPC: s.VPC, Subnet: s.ID, Name: name,
		PrivateIPs: []model.PrivateIP{{Addr: netip.MustParseAddr(ip), Primary: true}}, SourceDestCheck: true,
		Instance: model.InstanceID("i-" + name), SecurityGroups: []model.SecurityGroupID{model.SecurityGroupID("sg-" + string(s.VPC)[4:])}}
	if len(sgs) > 0 {
		e.SecurityGroups = nil
		for _, g := range sgs {
			e.SecurityGroups = append(e.SecurityGroups, model.SecurityGroupID("sg-"+g))
		}
	}
	x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, e)
	x.topo.Instances = append(x.topo.Instances, &model.Instance{ID: model.InstanceID("i-" + name), Name: name, ENIs: []model.ENIID{e.ID}, State: "running"})
	x.changed()
	return e
}

// sg adds a group to vpc-vpc that allows everything out and, in, what the rules say.
func (x *estate) sg(vpc, name string, in ...model.SecurityGroupRule) *model.SecurityGroup {
	g := &model.SecurityGroup{ID: model.SecurityGroupID("sg-" + name), VPC: model.VPCID("vpc-" + vpc), Name: name, Ingress: in,
		Egress: []model.SecurityGroupRule{{ID: "sgr-" + name + "-out", Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: netip.MustParsePrefix("0.0.0.0/0")}}}
	x.topo.SecurityGroups = append(x.topo.SecurityGroups, g)
	x.changed()
	return g
}

// routes adds routes to the route table of a subnet.
func (x *estate) routes(subnet string, rs ...model.Route) {
	for _, rt := range x.topo.RouteTables {
		if rt.ID == model.RouteTableID("rtb-"+subnet) {
			rt.Routes = append(rt.Routes, rs...)
			x.changed()
			return
		}
	}
	x.t.Fatalf("no rtb-%s", subnet)
}

// peer peers vpc-a (requester) with vpc-b (accepter) as pcx-name, active.
func (x *estate) peer(name, a, b string) *model.VPCPeering {
	side := func(v string) model.PeeringSide {
		for _, m := range x.topo.VPCs {
			if m.ID == model.VPCID("vpc-"+v) {
				return model.PeeringSide{VPC: m.ID, Account: m.Account, Region: m.Region, CIDRs: m.CIDRs}
			}
		}
		x.t.Fatalf("no vpc-%s", v)
		return model.PeeringSide{}
	}
	p := &model.VPCPeering{ID: model.PeeringID("pcx-" + name), Status: "active", Requester: side(a), Accepter: side(b), Name: name}
	x.topo.Peerings = append(x.topo.Peerings, p)
	x.changed()
	return p
}

// tgw adds transit gateway tgw-name with one route table per name given (tgw-rtb-<table>).
func (x *estate) tgw(name string, tables ...string) *model.TransitGateway {
	g := &model.TransitGateway{ID: model.TransitGatewayID("tgw-" + name), Name: name, Region: "us-east-1", State: "available"}
	x.topo.TransitGateways = append(x.topo.TransitGateways, g)
	for _, t := range tables {
		x.topo.TGWRouteTables = append(x.topo.TGWRouteTables, &model.TGWRouteTable{ID: model.TGWRouteTableID("tgw-rtb-" + t), TransitGateway: g.ID, Name: t, State: "available"})
	}
	x.changed()
	return g
}

func (x *estate) tgwTable(name string) *model.TGWRouteTable {
	for _, t := range x.topo.TGWRouteTables {
		if t.ID == model.TGWRouteTableID("tgw-rtb-"+name) {
			return t
		}
	}
	x.t.Fatalf("no tgw-rtb-%s", name)
	return nil
}

// attach attaches vpc-vpc to tgw-tgw as tgw-attach-<vpc>, associated with table (none when
// empty), in the subnets given; each gets the transit gateway's interface at address .5 of
// the subnet.
func (x *estate) attach(tgw, vpc, table string, subnets ...string) *model.TGWAttachment {
	a := &model.TGWAttachment{ID: model.TGWAttachmentID("tgw-attach-" + vpc), TransitGateway: model.TransitGatewayID("tgw-" + tgw),
		Type: model.AttachVPC, ResourceID: "vpc-" + vpc, State: "available", SGReferencing: true}
	if table != "" {
		a.Association, a.AssociationState = model.TGWRouteTableID("tgw-rtb-"+table), "associated"
	}
	for _, sn := range subnets {
		s := x.subnetOf(sn)
		a.Subnets = append(a.Subnets, s.ID)
		ip := s.CIDR.Addr().Next().Next().Next().Next().Next()
		x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, &model.NetworkInterface{ID: model.ENIID("eni-tgw-" + sn), VPC: s.VPC, Subnet: s.ID,
			Type: model.InterfaceTypeTransitGateway, PrivateIPs: []model.PrivateIP{{Addr: ip, Primary: true}},
			Description: "Network Interface for Transit Gateway Attachment " + string(a.ID)})
	}
	x.topo.TGWAttachments = append(x.topo.TGWAttachments, a)
	x.changed()
	return a
}

// propagate makes attachments propagate into a table.
func (x *estate) propagate(table string, atts ...string) {
	t := x.tgwTable(table)
	for _, a := range atts {
		t.Propagations = append(t.Propagations, model.TGWAttachmentID("tgw-attach-"+a))
	}
	x.changed()
}

// tgwRoute adds a static route to a table: to attachment tgw-attach-<att>, or a blackhole when
// att is empty.
func (x *estate) tgwRoute(table, dst, att string) {
	t := x.tgwTable(table)
	r := model.TGWRoute{Destination: netip.MustParsePrefix(dst), Type: model.TGWRouteStatic, State: model.TGWRouteActive}
	if att == "" {
		r.State = model.TGWRouteBlackhole
	} else {
		r.Attachments = []model.TGWAttachmentID{model.TGWAttachmentID("tgw-attach-" + att)}
	}
	t.Routes = append(t.Routes, r)
	x.changed()
}

func (x *estate) send(from string, p pkt) *engine.Result {
	x.t.Helper()
	return x.build().Send(x.st, engine.AtENI(eniID(from)), packet.Packet(p))
}

func (x *estate) sendAt(at engine.Location, p pkt) *engine.Result {
	x.t.Helper()
	return x.build().Send(x.st, at, packet.Packet(p))
}

func (x *estate) sendOpt(from string, p pkt, opt engine.Options) *engine.Result {
	x.t.Helper()
	return x.build().SendWith(x.st, engine.AtENI(eniID(from)), packet.Packet(p), opt)
}

// onPrem joins on-premises to tgw-hub: a DX gateway (dxgw-1, a transit virtual interface of
// 8500 bytes, allowed prefix 10.0.0.0/8) whose network dc-dx advertises dxCIDR, and a VPN
// connection (vpn-1) whose network dc-vpn advertises vpnCIDR. Their attachments,
// tgw-attach-dx and tgw-attach-vpn, are associated with the tables named.
func (x *estate) onPrem(dxCIDR, dxTable, vpnCIDR, vpnTable string) {
	x.topo.DXGateways = append(x.topo.DXGateways, &model.DXGateway{ID: "dxgw-1", Name: "dx"})
	x.topo.VirtualInterfaces = append(x.topo.VirtualInterfaces, &model.VirtualInterface{ID: "dxvif-1", Type: "transit", DXGateway: "dxgw-1", MTU: 8500})
	x.topo.DXGatewayAssociations = append(x.topo.DXGatewayAssociations, &model.DXGatewayAssociation{ID: "assoc-1", DXGateway: "dxgw-1", Gateway: "tgw-hub", GatewayType: model.DXAssocTGW,
		AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	x.topo.VPNConnections = append(x.topo.VPNConnections, &model.VPNConnection{ID: "vpn-1", TransitGateway: "tgw-hub", State: "available"})
	x.topo.TGWAttachments = append(x.topo.TGWAttachments,
		&model.TGWAttachment{ID: "tgw-attach-dx", TransitGateway: "tgw-hub", Type: model.AttachDXGateway, ResourceID: "dxgw-1", State: "available", Association: model.TGWRouteTableID("tgw-rtb-" + dxTable)},
		&model.TGWAttachment{ID: "tgw-attach-vpn", TransitGateway: "tgw-hub", Type: model.AttachVPN, ResourceID: "vpn-1", State: "available", Association: model.TGWRouteTableID("tgw-rtb-" + vpnTable)})
	x.topo.OnPremises = append(x.topo.OnPremises,
		&model.OnPremNetwork{Name: "dc-dx", VirtualInterface: "dxvif-1", CIDRs: []netip.Prefix{netip.MustParsePrefix(dxCIDR)}},
		&model.OnPremNetwork{Name: "dc-vpn", VPNConnection: "vpn-1", CIDRs: []netip.Prefix{netip.MustParsePrefix(vpnCIDR)}})
	x.changed()
}
