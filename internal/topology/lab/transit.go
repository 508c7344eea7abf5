package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// Transit gateways (§7.2): each with its route tables, attachments and VPN connections, named
// within the gateway.
//
//	transit_gateways:
//	  hub:
//	    region: us-east-1            # default: the lab's region (account: likewise)
//	    asn: 64512                   # the default Amazon-side ASN
//	    default_association: enable  # AWS's defaults (true/false work too): new attachments
//	    default_propagation: enable  # are associated with and propagate to the default table
//	    sg_referencing: disable      # the default (§7.2.17); vpn_ecmp and dns_support: enable
//	    route_tables:
//	      spokes: {routes: {10.0.0.0/16: shared, 10.99.0.0/16: blackhole, corp: dc}}
//	      shared: {default: true}    # the default table (a gateway's only table is anyway)
//	    attachments:
//	      a: {vpc: a, subnets: [a-tgw-1, a-tgw-2], association: spokes, propagations: [shared]}
//	      shared: {vpc: shared, subnets: [s-tgw], appliance_mode: true}
//	      dc: {dx_gateway: dxgw}      # AWS makes one per DX association and VPN connection:
//	      office: {vpn: office}       # write them to choose their association and propagations
//	      west: {peering: hub-west}   # the other gateway's side is made when it names none
//	    vpn_connections: {office: {}}
//
// Routes name an attachment of the gateway or blackhole; a destination is a CIDR or a prefix
// list (a prefix list reference, §7.2.6). An attachment that writes no association (no
// propagations) gets AWS's default when the gateway's option is enabled: the table marked
// default: true, the gateway's only table, or <gateway>-default, made when it declares none.
// Propagated routes are the engine's to compute (Searched false). A VPC attachment puts a
// transit gateway interface in each of its subnets, one per Availability Zone (§7.2.9),
// addressed like the lab's other interfaces, after them.

var (
	transitGatewayKeys = []string{"region", "account", "asn", "default_association", "default_propagation",
		"sg_referencing", "vpn_ecmp", "dns_support", "route_tables", "attachments", "vpn_connections", "tags"}
	tgwRouteTableKeys    = []string{"default", "routes", "tags"}
	tgwAttachmentKeys    = []string{"vpc", "subnets", "vpn", "dx_gateway", "peering", "association", "propagations", "appliance_mode", "sg_referencing", "state", "tags"}
	tgwVPNConnectionKeys = []string{}
	attachmentKinds      = []string{"vpc", "vpn", "dx_gateway", "peering"}
	attachmentStates     = []string{model.StateAvailable, "pending", "pendingAcceptance", "modifying", "initiating", "rollingBack",
		"failing", "failed", "rejecting", "rejected", "deleting", "deleted"}
)

// tgwScope is one transit gateway and the names declared within it.
type tgwScope struct {
	d           *decl
	g           *model.TransitGateway
	tables      *registry
	attachments *registry
}

func (l *loader) declareTransitGateways() {
	for _, e := range l.entries(l.top.get("transit_gateways"), "transit gateway") {
		f := l.mapping(e.val, "transit gateway "+e.name, transitGatewayKeys)
		d := l.add(l.tgws, e.name, e.line, f, nil)
		if d == nil {
			continue
		}
		g := &model.TransitGateway{ID: model.TransitGatewayID(d.id), State: model.StateAvailable, ASN: 64512,
			DefaultAssociation: true, DefaultPropagation: true, VPNECMP: true, DNSSupport: true,
			Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		g.Region, g.Account = l.placeOf(f)
		if asn, ok := l.integer(f.get("asn"), f.what+": asn", 1, 4294967294); ok {
			g.ASN = asn
		}
		for _, o := range []struct {
			key string
			v   *bool
		}{{"default_association", &g.DefaultAssociation}, {"default_propagation", &g.DefaultPropagation},
			{"sg_referencing", &g.SGReferencing}, {"vpn_ecmp", &g.VPNECMP}, {"dns_support", &g.DNSSupport}} {
			if b, ok := l.toggle(f.get(o.key), f.what+": "+o.key); ok {
				*o.v = b
			}
		}
		d.obj = g
		l.t.TransitGateways = append(l.t.TransitGateways, g)
		sc := &tgwScope{d: d, g: g, tables: newRegistry("route table", "tgw-rtb", "tgw_route_table"),
			attachments: newRegistry("attachment", "tgw-attach", "tgw_attachment")}
		l.tgwScopes[e.name] = sc
		for _, t := range l.entries(f.get("route_tables"), "transit gateway route table") {
			l.addTGWRouteTable(sc, t.name, t.line, l.mapping(t.val, f.what+": route table "+t.name, tgwRouteTableKeys))
		}
		for _, a := range l.entries(f.get("attachments"), "attachment") {
			l.addAttachment(sc, a.name, a.line, l.mapping(a.val, f.what+": attachment "+a.name, tgwAttachmentKeys))
		}
		for _, c := range l.entries(f.get("vpn_connections"), "VPN connection") {
			l.mapping(c.val, "VPN connection "+c.name, tgwVPNConnectionKeys)
			vd := l.add(l.vpns, c.name, c.line, nil, nil)
			if vd == nil {
				continue
			}
			scope := e.name + "/" + c.name
			vd.id = model.DeriveID("vpn", "vpn_connection/"+scope)
			vc := &model.VPNConnection{ID: model.VPNConnectionID(vd.id), TransitGateway: g.ID,
				CustomerGateway: model.CustomerGatewayID(model.DeriveID("cgw", "customer_gateway/"+scope)),
				State:           model.StateAvailable, Name: c.name, Src: l.src(c.line)}
			vd.obj = vc
			l.t.VPNConnections = append(l.t.VPNConnections, vc)
		}
	}
}

func (l *loader) addTGWRouteTable(sc *tgwScope, name string, line int, f *fields) *decl {
	d := l.add(sc.tables, name, line, f, nil)
	if d == nil {
		return nil
	}
	d.id = model.DeriveID("tgw-rtb", sc.d.name+"/tgw_route_table/"+name)
	rt := &model.TGWRouteTable{ID: model.TGWRouteTableID(d.id), TransitGateway: sc.g.ID, State: model.StateAvailable,
		Name: name, Tags: l.tags(f, name), Src: l.src(line)}
	d.obj = rt
	l.t.TGWRouteTables = append(l.t.TGWRouteTables, rt)
	return d
}

func (l *loader) addAttachment(sc *tgwScope, name string, line int, f *fields) *decl {
	d := l.add(sc.attachments, name, line, f, nil)
	if d == nil {
		return nil
	}
	d.id = model.DeriveID("tgw-attach", sc.d.name+"/tgw_attachment/"+name)
	a := &model.TGWAttachment{ID: model.TGWAttachmentID(d.id), TransitGateway: sc.g.ID, State: model.StateAvailable,
		DNSSupport: true, SGReferencing: true, Name: name, Tags: l.tags(f, name), Src: l.src(line)}
	d.obj = a
	l.t.TGWAttachments = append(l.t.TGWAttachments, a)
	return d
}

func (l *loader) fillTransitGateways() {
	scopes := make([]*tgwScope, 0, len(l.tgws.list))
	for _, d := range l.tgws.list {
		scopes = append(scopes, l.tgwScopes[d.name])
	}
	for _, sc := range scopes {
		for _, d := range sc.attachments.list {
			l.fillAttachment(sc, d)
		}
	}
	for _, sc := range scopes {
		l.impliedAttachments(sc)
	}
	for _, sc := range scopes {
		def := l.defaultTable(sc)
		for _, d := range sc.attachments.list {
			l.associate(sc, d, def)
		}
		for _, d := range sc.tables.list {
			l.tgwRoutes(sc, d)
		}
	}
}

// fillAttachment reads what an attachment joins and its options.
func (l *loader) fillAttachment(sc *tgwScope, d *decl) {
	a, f := d.obj.(*model.TGWAttachment), d.f
	kinds := 0
	for _, k := range attachmentKinds {
		if f.has(k) {
			kinds++
		}
	}
	if kinds != 1 {
		l.errorf(d.line, "%s: give exactly one of vpc (with subnets), vpn, dx_gateway or peering", f.what)
	}
	switch {
	case f.get("vpc") != nil:
		a.Type = model.AttachVPC
		if v := l.ref(l.vpcs, f.get("vpc"), f.what+": vpc"); v != nil {
			vpc := v.obj.(*model.VPC)
			a.ResourceID, a.ResourceOwner = string(vpc.ID), vpc.Account
		}
		if f.get("subnets") == nil {
			l.need(f, "subnets", d.line, "subnets (one per Availability Zone, §7.2.9)")
		}
		for _, s := range l.refs(l.subnets, f.get("subnets"), f.what+": subnets") {
			a.Subnets = append(a.Subnets, model.SubnetID(s.id))
			l.tgwInterface(a, s, d.line, f.what)
		}
		if b, ok := l.toggle(f.get("appliance_mode"), f.what+": appliance_mode"); ok {
			a.ApplianceMode = b
		}
		if b, ok := l.toggle(f.get("sg_referencing"), f.what+": sg_referencing"); ok {
			a.SGReferencing = b
		}
	case f.get("vpn") != nil:
		a.Type = model.AttachVPN
		if c := l.ref(l.vpns, f.get("vpn"), f.what+": vpn"); c != nil {
			a.ResourceID = c.id
		}
	case f.get("dx_gateway") != nil:
		a.Type = model.AttachDXGateway
		if x := l.ref(l.dxgws, f.get("dx_gateway"), f.what+": dx_gateway"); x != nil {
			a.ResourceID = x.id
		}
	case f.get("peering") != nil:
		a.Type = model.AttachPeering
		if p := l.ref(l.tgws, f.get("peering"), f.what+": peering"); p != nil {
			l.peerWith(a, p.obj.(*model.TransitGateway))
		}
	}
	if a.Type != model.AttachVPC {
		for _, k := range []string{"subnets", "appliance_mode", "sg_referencing"} {
			if f.has(k) && kinds == 1 {
				l.errorf(f.keyLine(k), "%s: %s is for VPC attachments", f.what, k)
			}
		}
	}
	if s, ok := l.oneOf(f.get("state"), f.what+": state", attachmentStates...); ok {
		a.State = s
	}
}

func (l *loader) peerWith(a *model.TGWAttachment, peer *model.TransitGateway) {
	a.ResourceID, a.ResourceOwner = string(peer.ID), peer.Account
	a.PeerTransitGateway, a.PeerAccount, a.PeerRegion = peer.ID, peer.Account, peer.Region
}

// tgwInterface puts the attachment's requester-managed interface in subnet s (§7.2.9, §9.8):
// no security groups, no source/destination check; its address is assigned with the others.
func (l *loader) tgwInterface(a *model.TGWAttachment, s *decl, line int, what string) {
	id := model.ENIID(model.DeriveID("eni", string(a.ID)+"/"+s.id))
	eni := &model.NetworkInterface{ID: id, VPC: s.vpcID(), Subnet: model.SubnetID(s.id), Type: model.InterfaceTypeTransitGateway,
		PrivateIPs: []model.PrivateIP{{Primary: true}}, MAC: macFor(string(id)),
		Description: "Network Interface for Transit Gateway Attachment " + string(a.ID), Src: l.src(line)}
	l.t.NetworkInterfaces = append(l.t.NetworkInterfaces, eni)
	l.pendingIPs = append(l.pendingIPs, pendingIP{s, line, what + ": interface in subnet " + s.name,
		func(ip netip.Addr) { eni.PrivateIPs[0].Addr = ip }})
}

// impliedAttachments makes the attachments AWS makes by itself when the lab does not write
// them: one per VPN connection on the gateway (§7.2.20), one per DX gateway association with
// it (§16.2), and this side of a peering another gateway names (§7.2.19).
func (l *loader) impliedAttachments(sc *tgwScope) {
	have := func(t model.TGWAttachmentType, resource string) bool {
		for _, d := range sc.attachments.list {
			if a := d.obj.(*model.TGWAttachment); a.Type == t && a.ResourceID == resource {
				return true
			}
		}
		return false
	}
	imply := func(name, made string, line int, t model.TGWAttachmentType, resource string) *model.TGWAttachment {
		if have(t, resource) {
			return nil
		}
		if sc.attachments.byName[name] != nil {
			name = string(t) + "-" + name
		}
		f := &fields{what: fmt.Sprintf("transit gateway %s: attachment %s (made for %s)", sc.d.name, name, made), line: line}
		d := l.addAttachment(sc, name, line, f)
		if d == nil {
			return nil
		}
		a := d.obj.(*model.TGWAttachment)
		a.Type, a.ResourceID = t, resource
		return a
	}
	for _, d := range l.vpns.list {
		if c := d.obj.(*model.VPNConnection); c.TransitGateway == sc.g.ID {
			imply(c.Name, "VPN connection "+c.Name, c.Src.Line, model.AttachVPN, string(c.ID))
		}
	}
	for _, as := range l.t.DXGatewayAssociations {
		if as.Gateway == string(sc.g.ID) {
			dx := l.dxName(as.DXGateway)
			imply(dx, "Direct Connect gateway "+dx, as.Src.Line, model.AttachDXGateway, string(as.DXGateway))
		}
	}
	for _, other := range l.tgws.list {
		for _, d := range l.tgwScopes[other.name].attachments.list {
			p := d.obj.(*model.TGWAttachment)
			if p.Type == model.AttachPeering && p.PeerTransitGateway == sc.g.ID && other != sc.d {
				if a := imply(d.name, "the peering of transit gateway "+other.name, d.line, model.AttachPeering, string(p.TransitGateway)); a != nil {
					l.peerWith(a, other.obj.(*model.TransitGateway))
				}
			}
		}
	}
}

func (l *loader) dxName(id model.DXGatewayID) string {
	for _, d := range l.dxgws.list {
		if d.id == string(id) {
			return d.name
		}
	}
	return string(id)
}

// defaultTable is the gateway's default route table (§7.2.1): the one marked default: true,
// its only one, or, when it declares none and a default option is enabled, one made for it.
// The gateway's options then name it.
func (l *loader) defaultTable(sc *tgwScope) *decl {
	var def *decl
	for _, d := range sc.tables.list {
		if b, _ := l.boolean(d.f.get("default"), d.f.what+": default"); !b {
			continue
		}
		if def != nil {
			l.errorf(d.f.keyLine("default"), "%s: route table %s is already the default (line %d); a transit gateway has one default route table",
				d.f.what, def.name, def.line)
			continue
		}
		def = d
	}
	g := sc.g
	switch {
	case def != nil:
	case len(sc.tables.list) == 1:
		def = sc.tables.list[0]
	case len(sc.tables.list) == 0 && (g.DefaultAssociation || g.DefaultPropagation):
		name := sc.d.name + "-default"
		def = l.addTGWRouteTable(sc, name, sc.d.line, &fields{what: "transit gateway " + sc.d.name + ": route table " + name})
		def.id = model.DeriveID("tgw-rtb", sc.d.name+"/default")
		def.obj.(*model.TGWRouteTable).ID = model.TGWRouteTableID(def.id)
	default:
		return nil
	}
	rt := def.obj.(*model.TGWRouteTable)
	if g.DefaultAssociation {
		g.AssociationDefaultTable, rt.DefaultAssociation = rt.ID, true
	}
	if g.DefaultPropagation {
		g.PropagationDefaultTable, rt.DefaultPropagation = rt.ID, true
	}
	return def
}

// associate makes an attachment's association and propagations: those it writes, else the
// gateway's defaults (§7.2.1, §7.2.4, §7.2.5). Peering attachments propagate nothing.
func (l *loader) associate(sc *tgwScope, d *decl, def *decl) {
	a, f, g := d.obj.(*model.TGWAttachment), d.f, sc.g
	var missing []string
	if n := f.get("association"); n != nil {
		if t := l.ref(sc.tables, n, f.what+": association"); t != nil {
			a.Association, a.AssociationState = model.TGWRouteTableID(t.id), model.StateAssociated
		}
	} else if !f.has("association") && g.DefaultAssociation {
		if def != nil {
			a.Association, a.AssociationState = model.TGWRouteTableID(def.id), model.StateAssociated
		} else {
			missing = append(missing, "association")
		}
	}
	var props []*decl
	if f.has("propagations") {
		props = l.refs(sc.tables, f.get("propagations"), f.what+": propagations")
	} else if g.DefaultPropagation && a.Type != model.AttachPeering {
		if def != nil {
			props = []*decl{def}
		} else {
			missing = append(missing, "propagations")
		}
	}
	for _, t := range props {
		rt := t.obj.(*model.TGWRouteTable)
		if !hasAttachment(rt.Propagations, a.ID) {
			rt.Propagations = append(rt.Propagations, a.ID)
		}
	}
	if len(missing) > 0 {
		l.errorf(d.line, "%s: writes no %s, and transit gateway %s has %d route tables, none default: true (AWS would use its default table, §7.2.1); write %s, or mark one table default: true",
			f.what, strings.Join(missing, " or "), sc.d.name, len(sc.tables.list), strings.Join(missing, " and "))
	}
}

func hasAttachment(ids []model.TGWAttachmentID, id model.TGWAttachmentID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// tgwRoutes reads a table's static routes (routeEntries): `DESTINATION: ATTACHMENT` or
// `DESTINATION: blackhole`; a prefix list destination is a prefix list reference (§7.2.6).
func (l *loader) tgwRoutes(sc *tgwScope, d *decl) {
	rt := d.obj.(*model.TGWRouteTable)
	where := func(dest string) string { return fmt.Sprintf("%s: route %s", d.f.what, dest) }
	for _, e := range l.routeEntries(d, where, "{10.0.0.0/16: a}") {
		target, ok := l.str(e.val, e.where+": target")
		if !ok {
			if isNull(e.val) {
				l.errorf(e.key.Line, "%s: needs an attachment or blackhole", e.where)
			}
			continue
		}
		var att model.TGWAttachmentID
		blackhole := target == "blackhole"
		if !blackhole {
			a := sc.attachments.byName[target]
			if a == nil {
				l.errorf(e.val.Line, "%s: transit gateway %s has no attachment named %q%s", e.where, sc.d.name, target,
					suggest(target, append(sc.attachments.names(), "blackhole")))
				continue
			}
			att = model.TGWAttachmentID(a.id)
		}
		src := l.src(e.key.Line)
		if e.pl != "" {
			rt.PrefixListReferences = append(rt.PrefixListReferences,
				model.TGWPrefixListReference{PrefixList: e.pl, Attachment: att, Blackhole: blackhole, Src: src})
			continue
		}
		r := model.TGWRoute{Destination: e.dest, Type: model.TGWRouteStatic, State: model.TGWRouteActive, Src: src}
		if blackhole {
			r.State = model.TGWRouteBlackhole
		} else {
			r.Attachments = []model.TGWAttachmentID{att}
		}
		rt.Routes = append(rt.Routes, r)
	}
}
