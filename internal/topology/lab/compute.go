package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
)

// NAT gateways, Elastic IPs, instances and their network interfaces.
//
//	elastic_ips: {nat-eip: 203.0.113.10}            # optional: elastic_ip may also be an address
//	nat_gateways:
//	  osaka-NAT:
//	    subnet: nat
//	    connectivity: private         # public (the default, §2.1.1) needs elastic_ip (§2.1.2)
//	    private_ip: 10.0.2.149        # default: the lowest free address of the subnet
//	    secondary_private_ips: [10.0.2.150]
//	    elastic_ip: nat-eip           # a name from elastic_ips, or an address
//	    state: available              # or pending, failed, deleting, deleted
//	instances:
//	  web:
//	    subnet: src
//	    private_ip: 10.0.0.11
//	    secondary_ips: [10.0.0.12]
//	    public_ip: 198.51.100.7       # auto-assigned public IPv4; or elastic_ip
//	    security_groups: [web]        # default: the VPC's default group
//	    source_dest_check: false      # default true (§6.2)
//	    forwarding: stateful          # an appliance's OS: stateless (default) or stateful
//	    ip_forward: false             # its OS does not route (default true, §6.2)
//	    initial_ttl: 64               # default 255, Amazon Linux 2 (§6.7)
//	    interfaces:                   # more ENIs: eth1, eth2, ... (named <instance>-ethN)
//	      - {subnet: dst, private_ip: 10.0.1.10, source_dest_check: false}
//
// An instance's first ENI is named <instance>-eth0; ENI IDs derive from those names and MAC
// addresses from the ENI IDs (02:xx:xx:xx:xx:xx, locally administered).

var (
	natGatewayKeys = []string{"subnet", "connectivity", "private_ip", "secondary_private_ips", "elastic_ip", "state", "tags"}
	elasticIPKeys  = []string{"address"}
	instanceKeys   = []string{"subnet", "private_ip", "secondary_ips", "public_ip", "elastic_ip", "security_groups",
		"source_dest_check", "forwarding", "ip_forward", "initial_ttl", "state", "interfaces", "tags"}
	interfaceKeys = []string{"name", "subnet", "private_ip", "secondary_ips", "public_ip", "elastic_ip", "security_groups",
		"source_dest_check", "description"}
)

// pendingIP is a private IP left out, assigned by assignIPs.
type pendingIP struct {
	subnet *decl
	line   int
	who    string
	set    func(netip.Addr)
}

// eipUse is an Elastic IP named by a NAT gateway or an ENI, associated by associateEIPs.
type eipUse struct {
	a    *model.Address
	nat  *model.NATGateway
	eni  *model.NetworkInterface
	inst *model.Instance
}

func (l *loader) declareElasticIPs() {
	for _, e := range l.entries(l.top.get("elastic_ips"), "Elastic IP") {
		n := e.val
		if n != nil && n.Kind == yaml.MappingNode {
			n = l.mapping(n, "Elastic IP "+e.name, elasticIPKeys).get("address")
		}
		d := l.add(l.eips, e.name, e.line, nil, nil)
		if d == nil {
			continue
		}
		a := &model.Address{AllocationID: model.AllocationID(d.id), Name: e.name, Src: l.src(e.line)}
		if n == nil {
			l.errorf(e.line, "Elastic IP %s: needs an address", e.name)
		} else {
			a.PublicIP, _ = l.publicAddr(n, "Elastic IP "+e.name)
		}
		d.obj = a
		l.t.Addresses = append(l.t.Addresses, a)
	}
}

// eipRef resolves `elastic_ip:`: a name from elastic_ips, or an address (declared there or not).
func (l *loader) eipRef(n *yaml.Node, what string) *model.Address {
	s, ok := l.str(n, what)
	if !ok {
		return nil
	}
	if d := l.eips.byName[s]; d != nil {
		return d.obj.(*model.Address)
	}
	if _, err := netip.ParseAddr(s); err != nil {
		l.errorf(n.Line, "%s: %q is neither an address nor a name from elastic_ips%s", what, s, suggest(s, l.eips.names()))
		return nil
	}
	pub, ok := l.publicAddr(n, what)
	if !ok {
		return nil
	}
	for _, d := range l.eips.list {
		if a := d.obj.(*model.Address); a.PublicIP == pub {
			return a
		}
	}
	if a := l.literalEIPs[pub.String()]; a != nil {
		return a
	}
	a := &model.Address{AllocationID: model.AllocationID(model.DeriveID("eipalloc", "elastic_ip/"+pub.String())),
		PublicIP: pub, Src: l.src(n.Line)}
	l.literalEIPs[pub.String()] = a
	l.t.Addresses = append(l.t.Addresses, a)
	return a
}

func (l *loader) declareNATGateways() {
	for _, e := range l.entries(l.top.get("nat_gateways"), "NAT gateway") {
		f := l.mapping(e.val, "NAT gateway "+e.name, natGatewayKeys)
		sub := l.subnetOf(f, e.line)
		d := l.add(l.nats, e.name, e.line, f, sub.vpcOrNil())
		if d == nil {
			continue
		}
		d.subnet = sub
		n := &model.NATGateway{ID: model.NATGatewayID(d.id), VPC: d.vpcID(), Connectivity: model.ConnectivityPublic,
			State: "available", Name: e.name, Tags: l.tags(f, e.name), Src: l.src(e.line)}
		if sub != nil {
			n.Subnet = model.SubnetID(sub.id)
		}
		d.obj = n
		l.t.NATGateways = append(l.t.NATGateways, n)
	}
}

// subnetOf resolves the required `subnet:` of a NAT gateway, instance or interface.
func (l *loader) subnetOf(f *fields, line int) *decl {
	if f.get("subnet") == nil {
		l.need(f, "subnet", line, "a subnet")
		return nil
	}
	return l.ref(l.subnets, f.get("subnet"), f.what+": subnet")
}

func (d *decl) vpcOrNil() *decl {
	if d == nil {
		return nil
	}
	return d.vpc
}

func (l *loader) fillNATGateways() {
	for _, d := range l.nats.list {
		n, f := d.obj.(*model.NATGateway), d.f
		if c, _ := l.oneOf(f.get("connectivity"), f.what+": connectivity", "public", "private"); c != "" {
			n.Connectivity = model.Connectivity(c)
		}
		if s, ok := l.oneOf(f.get("state"), f.what+": state", "available", "pending", "failed", "deleting", "deleted"); ok {
			n.State = s
		}
		n.Addresses = []model.NATGatewayAddress{{Primary: true}}
		if a, ok := l.addr(f.get("private_ip"), f.what+": private_ip"); ok {
			n.Addresses[0].PrivateIP = a
		} else if f.get("private_ip") == nil && d.subnet != nil {
			l.pendingIPs = append(l.pendingIPs, pendingIP{d.subnet, d.line, f.what, func(a netip.Addr) { n.Addresses[0].PrivateIP = a }})
		}
		for _, c := range l.list(f.get("secondary_private_ips"), f.what+": secondary_private_ips") {
			if a, ok := l.addr(c, f.what+": secondary_private_ips"); ok {
				n.Addresses = append(n.Addresses, model.NATGatewayAddress{PrivateIP: a})
			}
		}
		if a := l.eipRef(f.get("elastic_ip"), f.what+": elastic_ip"); a != nil {
			l.eipUses = append(l.eipUses, eipUse{a: a, nat: n})
		} else if raw := f.get("elastic_ip"); raw != nil && raw.Kind == yaml.ScalarNode {
			// The Elastic IP is written but wrong (reported): keep its place, so Validate does
			// not also say that the gateway has none.
			n.Addresses[0].AllocationID = model.AllocationID(model.DeriveID("eipalloc", "elastic_ip/"+raw.Value))
		}
	}
}

func (l *loader) declareInstances() {
	for _, e := range l.entries(l.top.get("instances"), "instance") {
		f := l.mapping(e.val, "instance "+e.name, instanceKeys)
		l.host(e.name, e.line)
		sub := l.subnetOf(f, e.line)
		d := l.add(l.instances, e.name, e.line, f, sub.vpcOrNil())
		if d == nil {
			continue
		}
		in := &model.Instance{ID: model.InstanceID(d.id), Name: e.name, State: "running", Tags: l.tags(f, e.name), Src: l.src(e.line)}
		d.obj = in
		l.t.Instances = append(l.t.Instances, in)
		if eth0 := l.add(l.enis, e.name+"-eth0", e.line, f, sub.vpcOrNil()); eth0 != nil {
			eth0.subnet = sub
			d.parts = append(d.parts, eth0)
		}
		var items []*yaml.Node
		if n := f.get("interfaces"); n != nil && n.Kind != yaml.SequenceNode {
			l.errorf(n.Line, "%s: interfaces: want a list of interfaces, got %s", f.what, describe(n))
		} else {
			items = l.list(n, f.what+": interfaces")
		}
		for i, item := range items {
			itf := l.mapping(item, fmt.Sprintf("%s: interface %d", f.what, i+1), interfaceKeys)
			name := fmt.Sprintf("%s-eth%d", e.name, i+1)
			if s, ok := l.str(itf.get("name"), itf.what+": name"); ok && s != "" {
				name = s
			}
			isub := l.subnetOf(itf, item.Line)
			if eni := l.add(l.enis, name, item.Line, itf, isub.vpcOrNil()); eni != nil {
				eni.subnet = isub
				d.parts = append(d.parts, eni)
			}
		}
	}
}

func (l *loader) fillInstances() {
	for _, d := range l.instances.list {
		in, f := d.obj.(*model.Instance), d.f
		if ttl, ok := l.integer(f.get("initial_ttl"), f.what+": initial_ttl", 1, 255); ok {
			in.InitialTTL = uint8(ttl)
		}
		if s, ok := l.oneOf(f.get("state"), f.what+": state", "running", "pending", "stopping", "stopped", "shutting-down", "terminated"); ok {
			in.State = s
		}
		// An appliance forwards every packet unless its OS is a stateful firewall, which drops
		// packets of flows it never saw start (§13.13); the VPC never does (§1.2.5).
		if s, ok := l.oneOf(f.get("forwarding"), f.what+": forwarding", "stateless", "stateful"); ok {
			in.StatefulForwarding = s == "stateful"
		}
		// An instance whose check is off routes, as a configured appliance image does, unless
		// the lab turns its OS's forwarding off (net.ipv4.ip_forward=0).
		if b, ok := l.boolean(f.get("ip_forward"), f.what+": ip_forward"); ok {
			in.IPForwardOff = !b
		}
		for i, part := range d.parts {
			eni := l.buildENI(part, in, i)
			in.ENIs = append(in.ENIs, eni.ID)
			l.t.NetworkInterfaces = append(l.t.NetworkInterfaces, eni)
		}
	}
}

// buildENI makes the index'th interface of an instance from its fields.
func (l *loader) buildENI(d *decl, in *model.Instance, index int) *model.NetworkInterface {
	f := d.f
	eni := &model.NetworkInterface{ID: model.ENIID(d.id), VPC: d.vpcID(), Type: model.InterfaceTypeInterface,
		SourceDestCheck: true, MAC: macFor(d.id), Instance: in.ID, DeviceIndex: index, Name: d.name, Src: l.src(d.line)}
	d.obj = eni
	who := fmt.Sprintf("instance %s: %s", in.Name, d.name)
	if index == 0 {
		who = f.what
	}
	if d.subnet != nil {
		eni.Subnet = model.SubnetID(d.subnet.id)
	}
	if index > 0 {
		eni.Description, _ = l.str(f.get("description"), who+": description")
	}
	eni.PrivateIPs = []model.PrivateIP{{Primary: true}}
	if a, ok := l.addr(f.get("private_ip"), who+": private_ip"); ok {
		eni.PrivateIPs[0].Addr = a
	} else if f.get("private_ip") == nil && d.subnet != nil {
		l.pendingIPs = append(l.pendingIPs, pendingIP{d.subnet, d.line, who, func(a netip.Addr) { eni.PrivateIPs[0].Addr = a }})
	}
	for _, c := range l.list(f.get("secondary_ips"), who+": secondary_ips") {
		if a, ok := l.addr(c, who+": secondary_ips"); ok {
			eni.PrivateIPs = append(eni.PrivateIPs, model.PrivateIP{Addr: a})
		}
	}
	if f.get("public_ip") != nil && f.get("elastic_ip") != nil {
		l.errorf(f.keyLine("elastic_ip"), "%s: write public_ip or elastic_ip, not both", who)
	} else if pub, ok := l.publicAddr(f.get("public_ip"), who+": public_ip"); ok {
		eni.PrivateIPs[0].PublicIP = pub
	} else if a := l.eipRef(f.get("elastic_ip"), who+": elastic_ip"); a != nil {
		l.eipUses = append(l.eipUses, eipUse{a: a, eni: eni, inst: in})
	}
	for _, n := range l.list(f.get("security_groups"), who+": security_groups") {
		if id, ok := l.sgRef(n, who+": security_groups", d.vpc); ok {
			eni.SecurityGroups = append(eni.SecurityGroups, id)
		}
	}
	if b, ok := l.boolean(f.get("source_dest_check"), who+": source_dest_check"); ok {
		eni.SourceDestCheck = b
	}
	return eni
}

// macFor derives an ENI's MAC address from its ID: 02 (locally administered, unicast) then
// the first ten hex digits of the ID.
func macFor(id string) string {
	h := strings.TrimPrefix(id, "eni-")
	if len(h) < 10 {
		h = strings.TrimPrefix(model.DeriveID("eni", id), "eni-")
	}
	return fmt.Sprintf("02:%s:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8], h[8:10])
}

// assignIPs gives each private IP left out the lowest free address of its subnet after the
// five AWS reserves (§6.4), in file order, so labs stay stable across runs.
func (l *loader) assignIPs() {
	used := map[netip.Addr]bool{}
	for _, n := range l.t.NATGateways {
		for _, a := range n.Addresses {
			used[a.PrivateIP] = true
		}
	}
	for _, e := range l.t.NetworkInterfaces {
		for _, p := range e.PrivateIPs {
			used[p.Addr] = true
		}
	}
	for _, p := range l.pendingIPs {
		s, ok := p.subnet.obj.(*model.Subnet)
		if !ok || !s.CIDR.IsValid() || !s.CIDR.Addr().Is4() {
			continue // the subnet's CIDR problem is reported already
		}
		a := s.CIDR.Addr().Next().Next().Next().Next()
		for ; s.CIDR.Contains(a) && used[a]; a = a.Next() {
		}
		if !s.CIDR.Contains(a) || !s.CIDR.Contains(a.Next()) { // the last address is reserved too
			l.errorf(p.line, "%s: subnet %s has no free address left for it", p.who, p.subnet.name)
			continue
		}
		used[a] = true
		p.set(a)
	}
}

// associateEIPs associates each Elastic IP with the private IP that names it (§3.1). A second
// use of one Elastic IP is recorded on the interface too, so Validate reports it.
func (l *loader) associateEIPs() {
	for _, n := range l.t.NATGateways {
		for i := range n.Addresses {
			if a := &n.Addresses[i]; a.PrivateIP.IsValid() {
				a.ENI = model.ENIID(model.DeriveID("eni", string(n.ID)+"/"+a.PrivateIP.String())) // as ApplyDefaults does
			}
		}
	}
	for _, u := range l.eipUses {
		free := u.a.ENI == "" && u.a.Instance == ""
		switch {
		case u.nat != nil:
			p := &u.nat.Addresses[0]
			p.PublicIP, p.AllocationID = u.a.PublicIP, u.a.AllocationID
			if free {
				u.a.ENI, u.a.PrivateIP = p.ENI, p.PrivateIP
			}
		case free:
			u.a.ENI, u.a.PrivateIP, u.a.Instance = u.eni.ID, u.eni.PrimaryIP(), u.inst.ID
		default:
			u.eni.PrivateIPs[0].PublicIP = u.a.PublicIP
		}
	}
}
