package lab

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

func attachmentNamed(t *testing.T, top *model.Topology, name string) *model.TGWAttachment {
	return find(t, top.TGWAttachments, name, func(a *model.TGWAttachment) string { return a.Name })
}

func tgwTableNamed(t *testing.T, top *model.Topology, name string) *model.TGWRouteTable {
	return find(t, top.TGWRouteTables, name, func(r *model.TGWRouteTable) string { return r.Name })
}

// names turns attachment IDs into their names, for readable comparisons.
func attachmentNames(top *model.Topology, ids []model.TGWAttachmentID) []string {
	var out []string
	for _, id := range ids {
		for _, a := range top.TGWAttachments {
			if a.ID == id {
				out = append(out, a.Name)
			}
		}
	}
	return out
}

func TestExampleHubAndSpoke(t *testing.T) {
	top := loadExample(t, "hub-and-spoke/lab.yaml")
	if again := loadExample(t, "hub-and-spoke/lab.yaml"); !reflect.DeepEqual(top, again) {
		t.Errorf("two loads of the same lab differ: IDs or order are not stable")
	}
	if len(top.TransitGateways) != 1 || len(top.TGWRouteTables) != 2 || len(top.TGWAttachments) != 4 {
		t.Fatalf("%d transit gateways, %d tables, %d attachments", len(top.TransitGateways), len(top.TGWRouteTables), len(top.TGWAttachments))
	}
	hub := top.TransitGateways[0]
	if hub.ID != model.TransitGatewayID(model.DeriveID("tgw", "transit_gateway/hub")) || hub.Region != "us-east-1" || hub.ASN != 64512 ||
		!hub.DefaultAssociation || !hub.DefaultPropagation || hub.SGReferencing || !hub.VPNECMP {
		t.Errorf("hub = %+v, want AWS's default options", hub)
	}
	spokes, shared := tgwTableNamed(t, top, "spokes"), tgwTableNamed(t, top, "shared")
	for _, c := range []struct {
		attachment string
		table      *model.TGWRouteTable
	}{{"shared", shared}, {"spoke1", spokes}, {"spoke2", spokes}, {"dc", shared}} {
		a := attachmentNamed(t, top, c.attachment)
		if a.TransitGateway != hub.ID || a.Association != c.table.ID || a.AssociationState != model.StateAssociated || a.State != model.StateAvailable {
			t.Errorf("attachment %s = %+v, want associated with %s", c.attachment, a, c.table.Name)
		}
	}
	if got := attachmentNames(top, spokes.Propagations); !slices.Equal(got, []string{"shared", "dc"}) {
		t.Errorf("spokes propagations = %v: a spoke must not reach the other", got)
	}
	if got := attachmentNames(top, shared.Propagations); !slices.Equal(got, []string{"shared", "spoke1", "spoke2", "dc"}) {
		t.Errorf("shared propagations = %v", got)
	}
	if spokes.Searched || shared.Searched || len(spokes.Routes) != 0 {
		t.Errorf("a lab's tables leave propagated routes to the engine: %+v", spokes)
	}
	// The VPC attachments' interfaces: one per subnet, in it, requester-managed (§7.2.9, §9.8).
	var tgwENIs []*model.NetworkInterface
	for _, e := range top.NetworkInterfaces {
		if e.Type == model.InterfaceTypeTransitGateway {
			tgwENIs = append(tgwENIs, e)
		}
	}
	if len(tgwENIs) != 3 {
		t.Fatalf("%d transit gateway interfaces, want 3", len(tgwENIs))
	}
	for _, name := range []string{"shared", "spoke1", "spoke2"} {
		a := attachmentNamed(t, top, name)
		if len(a.Subnets) != 1 || a.Type != model.AttachVPC || top.VPC(model.VPCID(a.ResourceID)).Name != name {
			t.Fatalf("attachment %s = %+v", name, a)
		}
		s := top.Subnet(a.Subnets[0])
		var e *model.NetworkInterface
		for _, x := range tgwENIs {
			if x.Subnet == s.ID {
				e = x
			}
		}
		if e == nil || e.VPC != s.VPC || !s.CIDR.Contains(e.PrimaryIP()) || e.PrimaryIP().String() != s.CIDR.Addr().Next().Next().Next().Next().String() ||
			len(e.SecurityGroups) != 0 || e.SourceDestCheck || e.Instance != "" ||
			e.Description != "Network Interface for Transit Gateway Attachment "+string(a.ID) {
			t.Errorf("interface of %s in %s = %+v", name, s.Name, e)
		}
	}
	if r := routeTo(t, rtNamed(t, top, "spoke1-rt"), "10.0.0.0/8"); r.Target != (model.Target{Kind: model.TargetTransitGateway, ID: string(hub.ID)}) {
		t.Errorf("spoke1-rt 10.0.0.0/8 = %+v, want the transit gateway", r)
	}
	// Direct Connect (§16): the DX gateway, its association with hub, the transit VIF, the
	// data centre behind it.
	if len(top.DXGateways) != 1 || len(top.DXGatewayAssociations) != 1 || len(top.VirtualInterfaces) != 1 {
		t.Fatalf("DX = %+v %+v %+v", top.DXGateways, top.DXGatewayAssociations, top.VirtualInterfaces)
	}
	dx, as, vif := top.DXGateways[0], top.DXGatewayAssociations[0], top.VirtualInterfaces[0]
	if len(dx.ID) != 36 || strings.Count(string(dx.ID), "-") != 4 {
		t.Errorf("DX gateway ID %s, want a bare UUID (§16.1)", dx.ID)
	}
	if as.DXGateway != dx.ID || as.Gateway != string(hub.ID) || as.GatewayType != model.DXAssocTGW || as.State != model.StateAssociated ||
		len(as.AllowedPrefixes) != 1 || as.AllowedPrefixes[0].String() != "10.0.0.0/8" || as.Region != "us-east-1" {
		t.Errorf("DX association = %+v", as)
	}
	if dc := attachmentNamed(t, top, "dc"); dc.Type != model.AttachDXGateway || dc.ResourceID != string(dx.ID) {
		t.Errorf("dc attachment = %+v", dc)
	}
	if vif.Type != "transit" || vif.MTU != 8500 || vif.DXGateway != dx.ID || vif.State != model.StateAvailable {
		t.Errorf("VIF = %+v", vif)
	}
	if o := top.OnPremises[0]; o.VirtualInterface != vif.ID || o.VPNGateway != "" || len(o.CIDRs) != 1 || o.CIDRs[0].String() != "192.168.0.0/16" {
		t.Errorf("on-premises = %+v", o)
	}
}

func TestExamplePeering(t *testing.T) {
	top := loadExample(t, "peering/lab.yaml")
	if len(top.Peerings) != 2 {
		t.Fatalf("peerings = %+v", top.Peerings)
	}
	vpc := func(name string) *model.VPC {
		return find(t, top.VPCs, name, func(v *model.VPC) string { return v.Name })
	}
	ab := top.Peerings[0]
	if ab.Name != "a-b" || ab.ID != model.PeeringID(model.DeriveID("pcx", "peering/a-b")) || ab.Status != model.StateActive ||
		ab.Requester.VPC != vpc("a").ID || ab.Accepter.VPC != vpc("b").ID || ab.InterRegion() ||
		!slices.Equal(ab.Requester.CIDRs, vpc("a").CIDRs) || !slices.Equal(ab.Accepter.CIDRs, vpc("b").CIDRs) ||
		ab.Requester.Region != "us-east-1" || ab.Accepter.Region != "us-east-1" {
		t.Errorf("a-b = %+v", ab)
	}
	b := rtNamed(t, top, "b-rt")
	for _, dest := range []string{"10.0.0.0/16", "10.2.0.0/16"} { // the second is not transitive: PCX-4
		if r := routeTo(t, b, dest); r.Target != (model.Target{Kind: model.TargetPeering, ID: string(ab.ID)}) {
			t.Errorf("b-rt %s = %+v, want the a-b peering", dest, r)
		}
	}
	if r := routeTo(t, rtNamed(t, top, "c-rt"), "10.0.0.0/16"); r.Target.ID != string(top.Peerings[1].ID) {
		t.Errorf("c-rt 10.0.0.0/16 = %+v, want a-c", r)
	}
}

// TestTransitGatewayDefaults: attachments that write no association or propagations get
// AWS's: the default table (§7.2.1), made when the gateway declares none; the options and
// tags say which it is.
func TestTransitGatewayDefaults(t *testing.T) {
	const vpcs = `vpcs:
  a: {cidr: 10.0.0.0/16}
  b: {cidr: 10.1.0.0/16}
subnets:
  a1: {vpc: a, cidr: 10.0.0.0/24, az: a}
  a2: {vpc: a, cidr: 10.0.1.0/24, az: b}
  b1: {vpc: b, cidr: 10.1.0.0/24}
`
	top := parseClean(t, vpcs+`transit_gateways:
  hub:
    attachments:
      a: {vpc: a, subnets: [a1, a2], appliance_mode: enable}
      b: {vpc: b, subnets: b1, propagations: []}
`)
	if len(top.TGWRouteTables) != 1 {
		t.Fatalf("tables = %+v, want hub-default made for the gateway", top.TGWRouteTables)
	}
	hub, def := top.TransitGateways[0], top.TGWRouteTables[0]
	if def.Name != "hub-default" || def.ID != model.TGWRouteTableID(model.DeriveID("tgw-rtb", "hub/default")) ||
		!def.DefaultAssociation || !def.DefaultPropagation || hub.AssociationDefaultTable != def.ID || hub.PropagationDefaultTable != def.ID {
		t.Errorf("default table = %+v, gateway = %+v", def, hub)
	}
	a, b := attachmentNamed(t, top, "a"), attachmentNamed(t, top, "b")
	if a.Association != def.ID || b.Association != def.ID || !a.ApplianceMode || len(a.Subnets) != 2 {
		t.Errorf("a = %+v, b = %+v", a, b)
	}
	if got := attachmentNames(top, def.Propagations); !slices.Equal(got, []string{"a"}) {
		t.Errorf("propagations = %v, want a only (b wrote propagations: [])", got)
	}
	if a.Subnets[0] == a.Subnets[1] || len(top.NetworkInterfaces) != 3 {
		t.Errorf("want one interface per attachment subnet, got %d", len(top.NetworkInterfaces))
	}

	// Options off: no default table is made, attachments stay unassociated.
	top = parseClean(t, vpcs+`transit_gateways:
  hub:
    default_association: false
    default_propagation: disable
    attachments: {b: {vpc: b, subnets: [b1]}}
`)
	if len(top.TGWRouteTables) != 0 || top.TGWAttachments[0].Association != "" || top.TransitGateways[0].DefaultPropagation {
		t.Errorf("tables = %+v, attachment = %+v", top.TGWRouteTables, top.TGWAttachments[0])
	}

	// The only table is the default one; a table marked default: true is when there are several.
	top = parseClean(t, vpcs+`transit_gateways:
  hub:
    route_tables: {main: {routes: {0.0.0.0/0: a, 192.168.0.0/16: blackhole, corp: b}}, other: {default: true}}
    attachments: {a: {vpc: a, subnets: [a1], association: main}, b: {vpc: b, subnets: [b1]}}
prefix_lists: {corp: [172.16.0.0/12]}
`)
	main, other := tgwTableNamed(t, top, "main"), tgwTableNamed(t, top, "other")
	a, b = attachmentNamed(t, top, "a"), attachmentNamed(t, top, "b")
	if a.Association != main.ID || b.Association != other.ID || !other.DefaultAssociation || main.DefaultAssociation {
		t.Errorf("a = %+v, b = %+v", a, b)
	}
	if got := attachmentNames(top, other.Propagations); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("other propagations = %v", got)
	}
	want := []model.TGWRoute{
		{Destination: netip.MustParsePrefix("0.0.0.0/0"), Attachments: []model.TGWAttachmentID{a.ID}, Type: model.TGWRouteStatic, State: model.TGWRouteActive},
		{Destination: netip.MustParsePrefix("192.168.0.0/16"), Type: model.TGWRouteStatic, State: model.TGWRouteBlackhole},
	}
	for i := range main.Routes {
		main.Routes[i].Src = model.Source{}
	}
	if !reflect.DeepEqual(main.Routes, want) {
		t.Errorf("main routes = %+v, want %+v", main.Routes, want)
	}
	if refs := main.PrefixListReferences; len(refs) != 1 || refs[0].PrefixList != top.PrefixLists[0].ID || refs[0].Attachment != b.ID {
		t.Errorf("prefix list references = %+v", refs)
	}
}

// TestTransitGatewayPeering: a peering attachment exists on both gateways, each side with its
// own ID pointing at the other gateway (§7.2.19); a side the lab does not write is made.
func TestTransitGatewayPeering(t *testing.T) {
	top := parseClean(t, `account: "111111111111"
vpc: {cidr: 10.0.0.0/16}
transit_gateways:
  east: {region: us-east-1, attachments: {to-west: {peering: west}}}
  west: {region: eu-west-1, account: "222222222222", route_tables: {rt: {routes: {10.0.0.0/16: to-west}}}}
`)
	east, west := top.TransitGateways[0], top.TransitGateways[1]
	if len(top.TGWAttachments) != 2 {
		t.Fatalf("attachments = %+v", top.TGWAttachments)
	}
	e, w := top.TGWAttachments[0], top.TGWAttachments[1]
	if e.TransitGateway != east.ID || e.PeerTransitGateway != west.ID || e.PeerRegion != "eu-west-1" || e.PeerAccount != "222222222222" ||
		w.TransitGateway != west.ID || w.PeerTransitGateway != east.ID || w.PeerRegion != "us-east-1" || w.PeerAccount != "111111111111" ||
		e.ID == w.ID || e.Type != model.AttachPeering || w.Type != model.AttachPeering || w.Name != "to-west" {
		t.Errorf("sides = %+v\n%+v", e, w)
	}
	rt := top.TGWRouteTables[0]
	if len(rt.Routes) != 1 || rt.Routes[0].Attachments[0] != w.ID || w.Association != rt.ID || len(rt.Propagations) != 0 {
		t.Errorf("west's table = %+v, want a static route to its side; a peering propagates nothing", rt)
	}

	// Both sides written: they pair, nothing is made.
	top = parseClean(t, `vpc: {cidr: 10.0.0.0/16}
transit_gateways:
  east: {attachments: {to-west: {peering: west}}}
  west: {attachments: {to-east: {peering: east}}}
`)
	if len(top.TGWAttachments) != 2 || top.TGWAttachments[1].Name != "to-east" {
		t.Errorf("attachments = %+v", top.TGWAttachments)
	}
}

// TestTransitGatewayVPNAndDirectConnect: VPN connections and DX associations get their
// attachment from AWS (§7.2.20, §16.2); on-premises networks name the way they are reached.
func TestTransitGatewayVPNAndDirectConnect(t *testing.T) {
	top := parseClean(t, `vpc: {name: v, cidr: 10.0.0.0/16}
vpn_gateways: {vgw: {}}
transit_gateways:
  hub: {vpn_connections: {office: {}}}
dx_gateways:
  dxgw: {associations: {hub: {allowed_prefixes: [10.0.0.0/8]}}, virtual_interfaces: {vif: {}}}
  dxgw2: {associations: {vgw: }, virtual_interfaces: {vif2: {mtu: 9001}}}
on_premises:
  office: {vpn_connection: office, cidr: 192.168.1.0/24}
  dc: {virtual_interface: vif, cidr: 192.168.2.0/24}
  old: {cidr: 192.168.3.0/24}
`)
	hub := top.TransitGateways[0]
	vpn := find(t, top.VPNConnections, "office", func(c *model.VPNConnection) string { return c.Name })
	if vpn.TransitGateway != hub.ID || vpn.VPNGateway != "" {
		t.Errorf("VPN connection = %+v", vpn)
	}
	if a := attachmentNamed(t, top, "office"); a.Type != model.AttachVPN || a.ResourceID != string(vpn.ID) || a.Association != top.TGWRouteTables[0].ID {
		t.Errorf("VPN attachment = %+v", a)
	}
	if a := attachmentNamed(t, top, "dxgw"); a.Type != model.AttachDXGateway || a.ResourceID != string(top.DXGateways[0].ID) {
		t.Errorf("DX attachment = %+v", a)
	}
	vif, vif2 := top.VirtualInterfaces[0], top.VirtualInterfaces[1]
	if vif.Type != "transit" || vif.MTU != 1500 || vif2.Type != "private" || vif2.MTU != 9001 {
		t.Errorf("VIF types follow the associations (§16.2): %+v %+v", vif, vif2)
	}
	if as := top.DXGatewayAssociations[1]; as.GatewayType != model.DXAssocVGW || len(as.AllowedPrefixes) != 1 || as.AllowedPrefixes[0].String() != "10.0.0.0/16" {
		t.Errorf("VGW association = %+v, want the VPC's CIDR allowed", as)
	}
	office, dc, old := top.OnPremises[0], top.OnPremises[1], top.OnPremises[2]
	if office.VPNConnection != vpn.ID || dc.VirtualInterface != vif.ID || old.VPNGateway != top.VPNGateways[0].ID || office.VPNGateway != "" {
		t.Errorf("on-premises = %+v %+v %+v", office, dc, old)
	}
}

// TestAccountsAndRegions: the lab's region and account are the defaults; a VPC says its own.
// A rule naming a group of another VPC records what AWS does (§7.1.11).
func TestAccountsAndRegions(t *testing.T) {
	top := parseClean(t, `region: eu-west-1
account: "012345678901"
vpcs:
  a: {cidr: 10.0.0.0/16}
  b: {cidr: 10.1.0.0/16, account: 210987654321}
peerings: {a-b: {requester: a, accepter: b, allow_dns: true}}
security_groups:
  web: {vpc: a, ingress: [{protocol: tcp, port: 22, group: admin}]}
  admin: {vpc: b}
`)
	a, b := top.VPCs[0], top.VPCs[1]
	if a.Region != "eu-west-1" || a.Account != "012345678901" || b.Region != "eu-west-1" || b.Account != "210987654321" {
		t.Errorf("VPCs = %+v %+v", a, b)
	}
	p := top.Peerings[0]
	if p.Requester.Account != a.Account || p.Accepter.Account != b.Account || !p.Requester.AllowDNS || !p.Accepter.AllowDNS {
		t.Errorf("peering = %+v", p)
	}
	r := top.SecurityGroups[0].Ingress[0]
	if r.Group != top.SecurityGroups[1].ID || r.GroupVPC != b.ID || r.GroupPeering != p.ID || r.GroupAccount != b.Account {
		t.Errorf("rule = %+v", r)
	}
}

// TestTransitBadInput: mistakes as a new user makes them, each at its file:line.
func TestTransitBadInput(t *testing.T) {
	const three = "vpcs:\n  a: {cidr: 10.0.0.0/16}\n  b: {cidr: 10.1.0.0/16}\n  c: {cidr: 10.0.0.0/16}\n"                                                   // lines 1-4
	const tgw = three + "subnets:\n  a1: {vpc: a, cidr: 10.0.0.0/24, az: a}\n  a2: {vpc: a, cidr: 10.0.1.0/24, az: a}\n  b1: {vpc: b, cidr: 10.1.0.0/24}\n" // 5-8
	tests := []struct {
		name, lab string
		line      int
		want      string
	}{
		{"unknown VPC in a peering", three + "peerings:\n  x: {requester: a, accepter: bb}\n",
			6, `peering x: accepter: no VPC named "bb"; did you mean "b"?`},
		{"peering without accepter", three + "peerings:\n  x: {requester: a}\n", 6, "peering x: needs an accepter (a VPC name)"},
		{"overlapping peered CIDRs", three + "peerings:\n  x: {requester: a, accepter: c}\n",
			6, "VPC peering connection x: 10.0.0.0/16 of VPC a overlaps 10.0.0.0/16 of VPC c; AWS does not peer VPCs whose blocks overlap (§7.1.2)"},
		{"second peering of a pair", three + "peerings:\n  x: {requester: a, accepter: b}\n  y: {requester: b, accepter: a}\n",
			7, "VPC peering connection y: VPCs b and a are already peered by x"},
		{"bad peering status", three + "peerings:\n  x: {requester: a, accepter: b, status: activ}\n",
			6, `peering x: status: bad value "activ"; did you mean "active"?`},
		{"route to a peering of other VPCs", three + "peerings:\n  x: {requester: a, accepter: b}\nroute_tables:\n  rt: {vpc: c, routes: {10.1.0.0/16: x}}\n",
			8, "route 10.1.0.0/16 in rt: VPC peering connection x joins VPCs a and b, not the table's VPC c (§7.1.4)"},
		{"unknown table in an attachment", tgw + "transit_gateways:\n  hub:\n    route_tables: {spokes: {}}\n    attachments:\n      a: {vpc: a, subnets: [a1], association: spoke}\n",
			13, `transit gateway hub: attachment a: association: no route table named "spoke"; did you mean "spokes"?`},
		{"unknown table in propagations", tgw + "transit_gateways:\n  hub:\n    route_tables: {spokes: {}}\n    attachments:\n      a: {vpc: a, subnets: [a1], propagations: [spokes, shard]}\n",
			13, `transit gateway hub: attachment a: propagations: no route table named "shard"`},
		{"unknown attachment in a route", tgw + "transit_gateways:\n  hub:\n    route_tables: {rt: {routes: {10.1.0.0/16: bb}}}\n    attachments:\n      b: {vpc: b, subnets: [b1]}\n",
			11, `transit gateway hub: route table rt: route 10.1.0.0/16: transit gateway hub has no attachment named "bb"; did you mean "b"?`},
		{"two attachment subnets in one AZ", tgw + "transit_gateways:\n  hub:\n    attachments:\n      a: {vpc: a, subnets: [a1, a2]}\n",
			12, `transit gateway attachment a: subnets a1 and a2 are both in Availability Zone "a"; an attachment has at most one subnet per Availability Zone (§7.2.9)`},
		{"attachment subnet of another VPC", tgw + "transit_gateways:\n  hub:\n    attachments:\n      a: {vpc: a, subnets: [b1]}\n",
			12, "transit gateway attachment a: subnet b1 is in VPC b, not in the attached VPC a (§7.2.9)"},
		{"attachment without subnets", tgw + "transit_gateways:\n  hub:\n    attachments:\n      a: {vpc: a}\n",
			12, "transit gateway hub: attachment a: needs subnets (one per Availability Zone, §7.2.9)"},
		{"attachment of two kinds", tgw + "transit_gateways:\n  hub:\n    attachments:\n      a: {vpc: a, subnets: [a1], peering: hub2}\n  hub2: {}\n",
			12, "transit gateway hub: attachment a: give exactly one of vpc (with subnets), vpn, dx_gateway or peering"},
		{"subnets on a peering attachment", tgw + "transit_gateways:\n  hub:\n    attachments:\n      p: {peering: hub2, subnets: [a1]}\n  hub2: {}\n",
			12, "transit gateway hub: attachment p: subnets is for VPC attachments"},
		{"two attachments of one VPC", tgw + "transit_gateways:\n  hub:\n    attachments:\n      a: {vpc: a, subnets: [a1]}\n      again: {vpc: a, subnets: [a2]}\n",
			13, "transit gateway attachment again: VPC a already has attachment a (lab.yaml:12) to transit gateway hub"},
		{"several tables, none default", tgw + "transit_gateways:\n  hub:\n    route_tables: {x: {}, y: {}}\n    attachments:\n      b: {vpc: b, subnets: [b1]}\n",
			13, "transit gateway hub: attachment b: writes no association or propagations, and transit gateway hub has 2 route tables, none default: true"},
		{"two default tables", tgw + "transit_gateways:\n  hub:\n    route_tables:\n      x: {default: true}\n      y: {default: true}\n",
			13, "transit gateway hub: route table y: route table x is already the default (line 12)"},
		{"VPC attachment in another region", "vpcs:\n  a: {cidr: 10.0.0.0/16, region: eu-west-1}\nsubnets:\n  a1: {vpc: a, cidr: 10.0.0.0/24}\ntransit_gateways:\n  hub: {region: us-east-1, attachments: {a: {vpc: a, subnets: [a1]}}}\n",
			6, "transit gateway attachment a: VPC a is in region eu-west-1, transit gateway hub in region us-east-1"},
		{"bad region", "region: us-east\nvpc: {cidr: 10.0.0.0/16}\n", 1, `region: bad region "us-east": want a region such as us-east-1`},
		{"bad account", "vpc: {cidr: 10.0.0.0/16, account: 1234}\n", 1, `VPC vpc: account: bad account "1234": want the 12 digits of an AWS account ID`},
		{"TGW route target typo", tgw + "transit_gateways: {hub: {}}\nroute_tables:\n  rt: {vpc: a, routes: {10.1.0.0/16: hbu}}\n",
			11, `route 10.1.0.0/16 in rt: no NAT gateway, internet gateway, VPN gateway, instance, ENI, peering, transit gateway, VPC endpoint or firewall endpoint (firewall:NAME/AZ) named "hbu"; did you mean "hub"?`},
		{"route to a TGW the VPC is not attached to", tgw + "transit_gateways: {hub: {}}\nroute_tables:\n  rt: {vpc: a, routes: {10.1.0.0/16: hub}}\n",
			11, "route 10.1.0.0/16 in rt: VPC a has no attachment to transit gateway hub; AWS shows the route as blackhole (§7.2.10)"},
		{"DX association with an unknown gateway", "vpc: {cidr: 10.0.0.0/16}\ndx_gateways:\n  dx: {associations: {hbu: {allowed_prefixes: 10.0.0.0/8}}}\ntransit_gateways: {hub: {}}\n",
			3, `Direct Connect gateway dx: association with hbu: no transit gateway or VPN gateway named "hbu"; did you mean "hub"?`},
		{"TGW association without allowed prefixes", "vpc: {cidr: 10.0.0.0/16}\ndx_gateways:\n  dx: {associations: {hub: {}}}\ntransit_gateways: {hub: {}}\n",
			3, "Direct Connect gateway dx: association with hub: needs allowed_prefixes"},
		{"DX gateway with VGW and TGW", "vpc: {cidr: 10.0.0.0/16}\nvpn_gateways: {vgw: {}}\ntransit_gateways: {hub: {}}\ndx_gateways:\n  dx:\n    associations:\n      hub: {allowed_prefixes: 10.0.0.0/8}\n      vgw: {}\n",
			8, "Direct Connect gateway dx: associated with transit gateway hub and with VPN gateway vgw; a Direct Connect gateway associates with VPN gateways or with transit gateways, not both (§16.2)"},
		{"private VIF on a TGW association", "vpc: {cidr: 10.0.0.0/16}\ntransit_gateways: {hub: {}}\ndx_gateways:\n  dx:\n    associations: {hub: {allowed_prefixes: 10.0.0.0/8}}\n    virtual_interfaces: {vif: {type: private}}\n",
			6, "virtual interface vif: a private virtual interface attaches to a Direct Connect gateway associated with VPN gateways"},
		{"on-premises reached two ways", "vpc: {cidr: 10.0.0.0/16}\nvpn_gateways: {vgw: {vpn_connections: {c: {}}}}\non_premises:\n  dc: {vpn_gateway: vgw, vpn_connection: c, cidr: 192.168.0.0/16}\n",
			4, "on-premises network dc: write one of vpn_gateway, vpn_connection or virtual_interface"},
		{"unknown virtual interface", "vpc: {cidr: 10.0.0.0/16}\non_premises:\n  dc: {virtual_interface: vif, cidr: 192.168.0.0/16}\n",
			3, `on-premises network dc: virtual_interface: no virtual interface named "vif"`},
		{"inter-region SG reference (PCX-9)", "vpcs:\n  a: {cidr: 10.0.0.0/16, region: us-east-1}\n  b: {cidr: 10.1.0.0/16, region: eu-west-1}\npeerings: {x: {requester: a, accepter: b}}\nsecurity_groups:\n  web: {vpc: a, ingress: [{protocol: all, group: admin}]}\n  admin: {vpc: b}\n",
			6, "security group web: inbound rule 1: security group admin is in VPC b across the inter-region peering x; AWS refuses security group references across regions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := Parse("lab.yaml", []byte(tc.lab))
			for _, p := range ps {
				if p.Src.File == "lab.yaml" && p.Src.Line == tc.line && strings.Contains(p.Message, tc.want) {
					return
				}
			}
			t.Errorf("want a problem at lab.yaml:%d containing\n\t%s\ngot:\n%v", tc.line, tc.want, ps)
		})
	}
}

// TestUnknownPeeringVPCIsOneError: a peering whose VPC is mistyped is reported once, at the
// peering; the routes to it say nothing more (no "joins VPCs a and , not ...").
func TestUnknownPeeringVPCIsOneError(t *testing.T) {
	lab := `vpcs:
  a: {cidr: 10.0.0.0/16}
  c: {cidr: 10.2.0.0/16}
peerings:
  a-c: {requester: a, accepter: cc}
route_tables:
  a-rt: {vpc: a, routes: {10.2.0.0/16: a-c}}
  c-rt: {vpc: c, routes: {10.0.0.0/16: a-c}}
`
	_, ps := Parse("lab.yaml", []byte(lab))
	var errs []string
	for _, p := range ps {
		errs = append(errs, p.String())
	}
	if len(ps) != 1 || ps[0].Src.Line != 5 || !strings.Contains(ps[0].Message, `accepter: no VPC named "cc"; did you mean "c"?`) {
		t.Errorf("want one problem at lab.yaml:5 about the accepter, got:\n%s", strings.Join(errs, "\n"))
	}
}
