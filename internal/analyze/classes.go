package analyze

import (
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// EndpointClasses partitions a matrix's endpoints into classes of endpoints that the network
// cannot tell apart: as the source or the destination of a pair, every member of a class
// meets the same components with the same decisions as every other. classOf[i] is the class
// of eps[i]; classes are numbered by their first member, in endpoint order, and list their
// members in endpoint order.
//
// Why two endpoints with the same key behave alike. The engine decides a packet by where it
// is and by its header. Where an endpoint's packets start and end is its interface, its
// subnet and its VPC; what is decided there is:
//   - the subnet's route table and network ACL (explicit association, else the VPC's main
//     table and default ACL): both are in the key, by ID;
//   - the interface's security groups (in the key, sorted), its type, its source/destination
//     check, whether it has a public mapping, and its instance's initial TTL, state and
//     stateful forwarding (all in the key);
//   - the Availability Zone, which a transit gateway attachment uses to pick its interface:
//     in the key when the VPC has a transit gateway attachment;
//   - whether the two ends of a pair share a subnet (a packet within one crosses no network
//     ACL): a subnet that holds two endpoints or more has its ID in their keys, so two
//     classes either both are one subnet's or hold no two endpoints of one subnet;
//   - whatever a subnet holds besides plain interfaces: a NAT gateway, a transit gateway
//     attachment, an interface of another type, an appliance (source/destination check off)
//     or an interface a route sends packets to. Such a subnet is its own class (its ID is in
//     the key), and so is such an interface, or an instance with several interfaces, or an
//     interface with several addresses.
//
// The header's addresses are decided by prefixes only: routes (of VPCs, gateways and transit
// gateways, prefix lists expanded), network ACL entries, security group rules, VPC blocks,
// networks on-premises and every address the topology names. The key holds, for the
// endpoint's address, the set of every such prefix that contains it (its atom, as atomic
// predicates have it): every prefix and address anywhere in the topology is collected by
// walking the model (so a field added later is covered), except the subnets' own blocks and
// the endpoints' own addresses, which the rest of the key stands for. Two endpoints in one
// atom match the same routes and rules, and security group references see the same groups
// (the interface's, in the key).
//
// What remains different between two members is their own identity: the interface, subnet
// and instance IDs and the addresses. A pair's cell shows no address (what gets through is
// headers, and a blocker's Detail is documented as a sentence about the representative
// packet); when a cell computed for representatives names a member's own component, the
// grouped matrix does not share it (see MatrixGrouped). Grouping can only merge endpoints
// that agree on every item above; when in doubt an item splits a class, never merges one.
//
// Endpoints in single get a class of their own.
func (a *Analyzer) EndpointClasses(eps []MatrixEndpoint, single map[int32]bool) (classOf []int32, classes [][]int32) {
	t := a.Net.Topology
	endpointENI := make(map[model.ENIID]bool, len(eps))
	for _, e := range eps {
		endpointENI[e.Endpoint.ENI] = true
	}
	atoms := newAtomIndex(t, endpointENI)

	rtOf, aclOf := map[model.SubnetID]string{}, map[model.SubnetID]string{}
	mainRT, defACL := map[model.VPCID]string{}, map[model.VPCID]string{}
	targets := map[string]bool{}
	for _, rt := range t.RouteTables {
		if rt.Main {
			mainRT[rt.VPC] = string(rt.ID)
		}
		for _, s := range rt.Subnets {
			rtOf[s] = string(rt.ID)
		}
		for _, r := range rt.Routes {
			targets[r.Target.ID] = true
		}
	}
	for _, acl := range t.NetworkACLs {
		if acl.Default {
			defACL[acl.VPC] = string(acl.ID)
		}
		for _, s := range acl.Subnets {
			aclOf[s] = string(acl.ID)
		}
	}
	special := map[model.SubnetID]bool{}
	for _, n := range t.NATGateways {
		special[n.Subnet] = true
	}
	tgwVPC := map[model.VPCID]bool{}
	for _, at := range t.TGWAttachments {
		for _, s := range at.Subnets {
			special[s] = true
		}
		tgwVPC[model.VPCID(at.ResourceID)] = true
	}
	subnets := make(map[model.SubnetID]*model.Subnet, len(t.Subnets))
	for _, s := range t.Subnets {
		subnets[s.ID] = s
	}
	instOf := map[model.InstanceID]*model.Instance{}
	for _, in := range t.Instances {
		instOf[in.ID] = in
	}
	odd := func(e *model.NetworkInterface) bool {
		return e.Type != model.InterfaceTypeInterface && e.Type != "" || !e.SourceDestCheck ||
			targets[string(e.ID)] || e.Instance != "" && targets[string(e.Instance)]
	}
	for _, e := range t.NetworkInterfaces {
		if odd(e) {
			special[e.Subnet] = true
		}
	}

	perSubnet := map[model.SubnetID]int{}
	for _, e := range eps {
		perSubnet[e.Subnet]++
	}
	byKey := map[string]int32{}
	classOf = make([]int32, len(eps))
	var b strings.Builder
	for i, ep := range eps {
		b.Reset()
		e, in, vpc, ok := a.Net.Interface(ep.Endpoint.ENI)
		if single[int32(i)] {
			b.WriteString("#" + strconv.Itoa(i))
		} else if !ok {
			b.WriteString("?" + ep.ID) // not an interface of the network: on its own
		} else {
			s := subnets[e.Subnet]
			b.WriteString(string(vpc))
			b.WriteByte('|')
			if s != nil {
				if tgwVPC[vpc] {
					b.WriteString(s.AvailabilityZone)
				}
				b.WriteByte('|')
				b.WriteString(cmpOr(rtOf[s.ID], mainRT[vpc]))
				b.WriteByte('|')
				b.WriteString(cmpOr(aclOf[s.ID], defACL[vpc]))
				if special[s.ID] || perSubnet[s.ID] > 1 {
					b.WriteString("|subnet " + string(s.ID))
				}
			}
			sgs := slices.Clone(e.SecurityGroups)
			slices.Sort(sgs)
			for _, g := range sgs {
				b.WriteString("|" + string(g))
			}
			b.WriteString("|" + string(e.Type) + "|" + strconv.FormatBool(e.SourceDestCheck))
			for _, p := range e.PrivateIPs {
				if p.PublicIP.IsValid() {
					b.WriteString("|public")
				}
			}
			if in == nil && e.Instance != "" {
				in = instOf[e.Instance]
			}
			if in != nil {
				b.WriteString("|" + strconv.Itoa(int(in.InitialTTL)) + " " + in.State + " " + strconv.FormatBool(in.StatefulForwarding) + " " + strconv.FormatBool(in.IPForwardOff))
			}
			if odd(e) || len(e.PrivateIPs) != 1 || in != nil && len(in.ENIs) != 1 {
				b.WriteString("|eni " + string(e.ID))
			}
		}
		b.WriteString("|" + strconv.FormatBool(ep.Endpoint.IP.IsValid()))
		atoms.write(&b, ep.Endpoint.IP)
		k := b.String()
		c, ok := byKey[k]
		if !ok {
			c = int32(len(classes))
			byKey[k] = c
			classes = append(classes, nil)
		}
		classOf[i] = c
		classes[c] = append(classes[c], int32(i))
	}
	return classOf, classes
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// atomIndex holds every prefix the topology names, by length, to find the ones that contain
// an address.
type atomIndex struct {
	v4, v6 []map[netip.Prefix]int // by prefix length: prefix → its number
}

func newAtomIndex(t *model.Topology, endpointENI map[model.ENIID]bool) *atomIndex {
	c := &collector{seen: map[netip.Prefix]bool{}, has: map[reflect.Type]bool{}}
	tv := reflect.ValueOf(t).Elem()
	for i := range tv.NumField() {
		f := tv.Field(i)
		switch tv.Type().Field(i).Name {
		case "Subnets": // a subnet's own block: its route table and ACL stand for it
			for _, s := range t.Subnets {
				x := *s
				x.CIDR = netip.Prefix{}
				c.walk(reflect.ValueOf(x))
			}
		case "NetworkInterfaces": // an endpoint's own address: the key is about it
			for _, e := range t.NetworkInterfaces {
				x := *e
				if endpointENI[e.ID] {
					x.PrivateIPs = nil
				}
				c.walk(reflect.ValueOf(x))
			}
		default:
			c.walk(f)
		}
	}
	ix := &atomIndex{v4: make([]map[netip.Prefix]int, 33), v6: make([]map[netip.Prefix]int, 129)}
	slices.SortFunc(c.list, func(x, y netip.Prefix) int {
		if d := x.Addr().Compare(y.Addr()); d != 0 {
			return d
		}
		return x.Bits() - y.Bits()
	})
	for n, p := range c.list {
		m := ix.v4
		if p.Addr().Is6() {
			m = ix.v6
		}
		if m[p.Bits()] == nil {
			m[p.Bits()] = map[netip.Prefix]int{}
		}
		m[p.Bits()][p] = n
	}
	return ix
}

// write appends the numbers of the prefixes that contain ip, shortest first.
func (ix *atomIndex) write(b *strings.Builder, ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	m := ix.v4
	if ip.Is6() {
		m = ix.v6
	}
	for bits, ps := range m {
		if ps == nil {
			continue
		}
		p, _ := ip.Prefix(bits)
		if n, ok := ps[p]; ok {
			b.WriteByte(' ')
			b.WriteString(strconv.Itoa(n))
		}
	}
}

// collector gathers every netip.Prefix and netip.Addr (as a single-address prefix) a value
// holds, through pointers, slices, maps and exported struct fields.
type collector struct {
	seen map[netip.Prefix]bool
	list []netip.Prefix
	has  map[reflect.Type]bool // whether a type can hold an address at all
}

var (
	prefixType = reflect.TypeFor[netip.Prefix]()
	addrType   = reflect.TypeFor[netip.Addr]()
)

func (c *collector) add(p netip.Prefix) {
	if !p.IsValid() {
		return
	}
	p = p.Masked()
	if !c.seen[p] {
		c.seen[p] = true
		c.list = append(c.list, p)
	}
}

func (c *collector) walk(v reflect.Value) {
	if !c.holds(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			c.walk(v.Elem())
		}
	case reflect.Struct:
		switch v.Type() {
		case prefixType:
			c.add(v.Interface().(netip.Prefix))
			return
		case addrType:
			if a := v.Interface().(netip.Addr); a.IsValid() {
				c.add(netip.PrefixFrom(a, a.BitLen()))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			c.walk(v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			c.walk(it.Key())
			c.walk(it.Value())
		}
	}
}

// holds reports whether a value of type t can hold an address (an interface type may).
func (c *collector) holds(t reflect.Type) bool {
	if h, ok := c.has[t]; ok {
		return h
	}
	c.has[t] = true // a recursive type: assume so while looking (walking too much is safe)
	h := false
	switch t.Kind() {
	case reflect.Interface:
		h = true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		h = c.holds(t.Elem())
	case reflect.Map:
		h = c.holds(t.Key()) || c.holds(t.Elem())
	case reflect.Struct:
		if t == prefixType || t == addrType {
			h = true
			break
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && c.holds(f.Type) {
				h = true
			}
		}
	}
	c.has[t] = h
	return h
}
