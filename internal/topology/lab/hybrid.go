package lab

import (
	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// What lies outside the VPCs: VPN gateways and their connections (§7.3), on-premises networks
// behind them, named internet hosts, and prefix lists.
//
//	vpn_gateways:
//	  vgw:
//	    asn: 64512                 # the default Amazon-side ASN
//	    attached: true             # to the lab's VPC, or to vpc: <name>
//	    vpn_connections: {dc: {static_routes: [192.168.1.0/24]}}
//	on_premises:
//	  datacenter:
//	    vpn_gateway: vgw           # implied when the lab has one VPN gateway; or
//	                               # vpn_connection: <name> (on a VGW or a transit gateway) or
//	                               # virtual_interface: <name> (Direct Connect, dx.go)
//	    cidrs: [192.168.1.0/24]    # the prefixes it advertises by BGP (§7.2.5, §16.4)
//	    hosts: {serverB: 192.168.1.10, old: {ip: 192.168.1.20, initial_ttl: 128}}
//	internet_hosts: {web: 198.51.100.80}
//	prefix_lists:
//	  s3: {id: pl-61a54008, cidrs: [52.219.0.0/16]}   # id optional (derived otherwise)
//	  corp: [192.168.0.0/16, 172.16.0.0/12]

var (
	vpnGatewayKeys    = []string{"vpc", "attached", "asn", "vpn_connections", "tags"}
	vpnConnectionKeys = []string{"static_routes"}
	onPremisesKeys    = []string{"vpn_gateway", "vpn_connection", "virtual_interface", "cidr", "cidrs", "hosts"}
	hostKeys          = []string{"ip", "initial_ttl"}
	prefixListKeys    = []string{"id", "cidr", "cidrs"}
)

func (l *loader) declareVPNGateways() {
	for _, e := range l.entries(l.top.get("vpn_gateways"), "VPN gateway") {
		f := l.mapping(e.val, "VPN gateway "+e.name, vpnGatewayKeys)
		vpc := l.vpcOf(f, e.line)
		d := l.add(l.vgws, e.name, e.line, f, vpc)
		if d == nil {
			continue
		}
		g := &model.VPNGateway{ID: model.VPNGatewayID(d.id), ASN: 64512, Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		if attached, ok := l.boolean(f.get("attached"), f.what+": attached"); attached || !ok {
			g.VPC = d.vpcID()
		}
		d.obj = g
		l.t.VPNGateways = append(l.t.VPNGateways, g)
	}
}

func (l *loader) fillVPNGateways() {
	for _, d := range l.vgws.list {
		g := d.obj.(*model.VPNGateway)
		if asn, ok := l.integer(d.f.get("asn"), d.f.what+": asn", 1, 4294967294); ok {
			g.ASN = asn
		}
		for _, e := range l.entries(d.f.get("vpn_connections"), "VPN connection") {
			f := l.mapping(e.val, "VPN connection "+e.name, vpnConnectionKeys)
			scope := d.name + "/" + e.name
			vpc := "/"
			if d.vpc != nil {
				vpc = d.vpc.name + "/"
			}
			cd := l.add(l.vpns, e.name, e.line, f, nil)
			if cd == nil {
				continue
			}
			cd.id = model.DeriveID("vpn", vpc+"vpn_connection/"+scope)
			c := &model.VPNConnection{
				ID:              model.VPNConnectionID(cd.id),
				VPNGateway:      g.ID,
				CustomerGateway: model.CustomerGatewayID(model.DeriveID("cgw", vpc+"customer_gateway/"+scope)),
				State:           "available", Name: e.name, Src: l.src(e.line),
			}
			for _, n := range l.list(f.get("static_routes"), f.what+": static_routes") {
				if p, ok := l.cidr(n, f.what+": static_routes"); ok {
					c.StaticRoutes = append(c.StaticRoutes, p)
				}
			}
			cd.obj = c
			l.t.VPNConnections = append(l.t.VPNConnections, c)
		}
	}
}

func (l *loader) loadOnPremises() {
	for _, e := range l.entries(l.top.get("on_premises"), "on-premises network") {
		f := l.mapping(e.val, "on-premises network "+e.name, onPremisesKeys)
		o := &model.OnPremNetwork{Name: e.name, Src: l.src(e.line)}
		ways := 0
		for _, k := range []string{"vpn_gateway", "vpn_connection", "virtual_interface"} {
			if f.has(k) {
				ways++
			}
		}
		if ways > 1 {
			l.errorf(e.line, "%s: write one of vpn_gateway, vpn_connection or virtual_interface: the way it is reached", f.what)
		}
		switch {
		case f.get("vpn_gateway") != nil:
			if g := l.ref(l.vgws, f.get("vpn_gateway"), f.what+": vpn_gateway"); g != nil {
				o.VPNGateway = model.VPNGatewayID(g.id)
			}
		case f.get("vpn_connection") != nil:
			if c := l.ref(l.vpns, f.get("vpn_connection"), f.what+": vpn_connection"); c != nil {
				o.VPNConnection = model.VPNConnectionID(c.id)
			}
		case f.get("virtual_interface") != nil:
			if v := l.ref(l.vifs, f.get("virtual_interface"), f.what+": virtual_interface"); v != nil {
				o.VirtualInterface = model.VirtualInterfaceID(v.id)
			}
		case ways > 0:
		case len(l.vgws.list) == 1:
			o.VPNGateway = model.VPNGatewayID(l.vgws.list[0].id)
		default:
			l.errorf(e.line, "%s: needs a vpn_gateway, vpn_connection or virtual_interface (the lab has %d VPN gateways)", f.what, len(l.vgws.list))
		}
		o.CIDRs = l.cidrs(f)
		if !f.has("cidr") && !f.has("cidrs") {
			l.errorf(e.line, "%s: needs cidrs", f.what)
		}
		for _, h := range l.entries(f.get("hosts"), "host") {
			if x := l.externalHost(h, "on-premises host "+h.name); x != nil {
				o.Hosts = append(o.Hosts, x)
			}
		}
		l.t.OnPremises = append(l.t.OnPremises, o)
	}
}

func (l *loader) loadInternetHosts() {
	for _, h := range l.entries(l.top.get("internet_hosts"), "internet host") {
		if x := l.externalHost(h, "internet host "+h.name); x != nil {
			l.t.InternetHosts = append(l.t.InternetHosts, x)
		}
	}
}

// externalHost reads `name: IP` or `name: {ip: IP, initial_ttl: N}`.
func (l *loader) externalHost(e entry, what string) *model.ExternalHost {
	l.host(e.name, e.line)
	n := e.val
	x := &model.ExternalHost{Name: e.name, Src: l.src(e.line)}
	if n != nil && n.Kind == yaml.MappingNode {
		f := l.mapping(n, what, hostKeys)
		if ttl, ok := l.integer(f.get("initial_ttl"), what+": initial_ttl", 1, 255); ok {
			x.InitialTTL = uint8(ttl)
		}
		n = f.get("ip")
	}
	if n == nil {
		l.errorf(e.line, "%s: needs an ip", what)
		return nil
	}
	ip, ok := l.addr(n, what)
	if !ok {
		return nil
	}
	x.IP = ip
	return x
}

func (l *loader) declarePrefixLists() {
	for _, e := range l.entries(l.top.get("prefix_lists"), "prefix list") {
		what := "prefix list " + e.name
		var f *fields
		if e.val != nil && e.val.Kind == yaml.SequenceNode {
			f = &fields{what: what, line: e.line, vals: map[string]*yaml.Node{"cidrs": e.val}, keys: map[string]*yaml.Node{"cidrs": e.val}}
		} else {
			f = l.mapping(e.val, what, prefixListKeys)
		}
		d := l.add(l.prefixLists, e.name, e.line, f, nil)
		if d == nil {
			continue
		}
		if n := f.get("id"); n != nil {
			if s, ok := l.str(n, what+": id"); ok {
				if m := awsID.FindStringSubmatch(s); m != nil && m[1] == "pl" {
					d.id = s
				} else {
					l.errorf(n.Line, "%s: bad id %q: want pl- and 8 or 17 hex digits", what, s)
				}
			}
		}
		p := &model.PrefixList{ID: model.PrefixListID(d.id), Name: e.name, CIDRs: l.cidrs(f), Src: l.src(e.line)}
		d.obj = p
		l.t.PrefixLists = append(l.t.PrefixLists, p)
	}
}
