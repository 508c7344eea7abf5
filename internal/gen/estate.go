// Package gen makes synthetic but realistic AWS estates, for benchmarks and tests: many VPCs,
// each with public and private subnets, an internet gateway, a NAT gateway, tiered security
// groups that reference one another, custom network ACLs and instances. Estate builds one as a
// model.Topology; WriteSnapshot prints a topology as the describe-* JSON files the AWS CLI
// writes, which snapshot.Load reads back.
//
// Everything is deterministic: the same Options (seed included) give the same topology and
// byte-identical JSON.
package gen

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// Options size an estate and say how its VPCs are joined. Seed drives every choice (address
// blocks, instance IPs, public IPs) and every ID. A negative count means zero, except
// SubnetsPerVPC: every VPC has at least one.
type Options struct {
	VPCs, SubnetsPerVPC, InstancesPerSubnet int
	Seed                                    uint64
	// Join joins the VPCs (join.go); the zero value leaves them apart, and the estate is the
	// same as before joins existed, byte for byte.
	Join Join
	// IsolateSpokes, with JoinTGW, keeps the spokes out of the spokes table: a spoke then
	// reaches the shared-services VPC only. The zero value joins every VPC to every other.
	IsolateSpokes bool
	// MeshSize, with JoinPeeringMesh, is the size of the fully peered groups (0 means
	// DefaultMeshSize).
	MeshSize int
}

// Roles of generated instances: the security group tier they sit in.
const (
	RoleWeb = "web" // public subnets: tcp 80/443 from anywhere, public IP
	RoleApp = "app" // private subnets: tcp 8080 from the web group
	RoleDB  = "db"  // private subnets: tcp 5432 from the app group
)

// Estate makes a synthetic estate (deterministic for a seed). Per VPC:
//   - a CIDR block of its own: a /16 while the VPCs fit in 10.0.0.0/8 and 172.16.0.0/12
//     (272 of them), else the largest equal block that fits (1,000 VPCs: /18), chosen at
//     random over both ranges without overlap;
//   - /24 subnets (larger when instances need it; smaller, down to a /28, when the VPCs do
//     not fit otherwise: 20,000 VPCs of 10 subnets of 10 instances get /27s), about a third
//     public (the first ones), the rest private, spread over three availability zones;
//   - an internet gateway; a public NAT gateway with an Elastic IP in the first public subnet;
//   - the main route table (local route only), a "public" table (0.0.0.0/0 → the IGW) for the
//     public subnets and a "private" one (0.0.0.0/0 → the NAT gateway) for the private ones;
//   - the default security group as AWS makes it, and "web" (tcp 80, 443 from 0.0.0.0/0),
//     "app" (tcp 8080 from web), "db" (tcp 5432 from app) and "ssh" (tcp 22 from the VPC);
//   - the default network ACL (allow all) on the public subnets, and a custom "private" NACL
//     on the private ones that denies inbound telnet (tcp 23) before allowing the VPC and the
//     ephemeral ports; every third VPC also has a custom "public" NACL;
//   - InstancesPerSubnet instances per subnet, one ENI each (device index 0): web instances
//     (groups web, ssh; an auto-assigned public IP) in public subnets, app (app, ssh) and db
//     (db) instances in private ones.
//
// Joined (Options.Join), every route table also sends the other VPCs' blocks to the transit
// gateway (the private ranges the blocks come from, 10.0.0.0/8 and 172.16.0.0/12) or to each
// peering; the ssh group admits ICMP and tcp 22 from those ranges and the custom network ACLs
// everything, so that traces across VPCs can be delivered. With JoinTGW each VPC has a
// transit gateway attachment in the first subnet of each zone, with the gateway's interface
// at the subnet's highest free address; the transit gateway, its route tables and the
// peerings follow the VPCs.
//
// IDs have AWS's shape (prefix and 17 hex digits), derived from the seed with model.DeriveID;
// names are Name tags such as "vpc001-private-2" and "vpc001-web-03". Everything is in one
// account, derived from the first VPC's ID, and in us-east-1.
//
// Estate panics when the sizes cannot be addressed (more VPCs than the private ranges hold).
func Estate(o Options) *model.Topology {
	b := newBuilder(o)
	for i := range b.o.VPCs {
		b.vpc(i)
	}
	switch b.o.Join {
	case JoinTGW:
		b.transitGateway()
	case JoinPeeringMesh:
		b.peeringMesh()
	}
	return b.t
}

type builder struct {
	o                 Options
	rng               *rand.Rand
	t                 *model.Topology
	vpcBits, subBits  int
	blocks            []netip.Prefix
	instPool, eipPool *ipPool
	width             int            // digits of VPC numbers in names
	supernets         []netip.Prefix // of a joined estate (join.go)
	owner             string         // the account of everything, derived from the first VPC's ID
}

func newBuilder(o Options) *builder {
	o.VPCs, o.SubnetsPerVPC, o.InstancesPerSubnet = max(o.VPCs, 0), max(o.SubnetsPerVPC, 1), max(o.InstancesPerSubnet, 0)
	if o.MeshSize <= 0 {
		o.MeshSize = DefaultMeshSize
	}
	if !slices.Contains(Joins, o.Join) {
		panic(fmt.Sprintf("gen: unknown join %q", o.Join))
	}
	b := &builder{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x7670636c6162)), t: &model.Topology{}}
	b.vpcBits, b.subBits = layout(o)
	b.blocks = b.pickBlocks()
	// Auto-assigned public IPs and Elastic IPs come from two AWS us-east-1 ranges, each
	// visited in a seeded order that never repeats an address.
	b.instPool = newIPPool(netip.MustParsePrefix("54.144.0.0/12"), b.rng)
	b.eipPool = newIPPool(netip.MustParsePrefix("3.208.0.0/12"), b.rng)
	b.width = max(3, len(fmt.Sprint(o.VPCs)))
	if o.Join != JoinNone {
		b.supernets = supernets(b.blocks)
	}
	return b
}

// layout picks the subnet prefix length (a /24 unless the instances need more) and the VPC
// block length: /16 if the VPCs fit, else the largest block that does.
func layout(o Options) (vpcBits, subBits int) {
	hosts := o.InstancesPerSubnet + 1 + 5 // a NAT gateway, and the five reserved addresses
	if o.Join == JoinTGW {
		hosts++ // the transit gateway's interface
	}
	subBits = 24
	for subBits > 16 && 1<<(32-subBits) < hosts {
		subBits--
	}
	if 1<<(32-subBits) < hosts {
		panic(fmt.Sprintf("gen: %d instances do not fit in a subnet", o.InstancesPerSubnet))
	}
	// Too many VPCs for such subnets: smaller ones, down to AWS's smallest (a /28), while the
	// hosts and one free address (a matrix probe's, analyze.ProbeTopology) fit. An estate
	// that fits with the first choice is laid out as it always was.
	for sb := subBits; sb <= 28 && (sb == subBits || 1<<(32-sb) >= hosts+1); sb++ {
		maxVPC := sb - bits.Len(uint(o.SubnetsPerVPC-1))
		for vb := 16; vb <= maxVPC; vb++ {
			if capacity(vb) >= o.VPCs {
				return vb, sb
			}
		}
	}
	panic(fmt.Sprintf("gen: %d VPCs of %d subnets of %d instances do not fit in 10.0.0.0/8 and 172.16.0.0/12",
		o.VPCs, o.SubnetsPerVPC, o.InstancesPerSubnet))
}

// capacity is how many blocks of length vb 10.0.0.0/8 and 172.16.0.0/12 hold together.
func capacity(vb int) int { return 1<<(vb-8) + 1<<(vb-12) }

// pickBlocks chooses one distinct block per VPC at random over both ranges, in address order.
func (b *builder) pickBlocks() []netip.Prefix {
	n := capacity(b.vpcBits)
	perm := b.rng.Perm(n)[:b.o.VPCs]
	slices.Sort(perm)
	out := make([]netip.Prefix, len(perm))
	in10 := 1 << (b.vpcBits - 8)
	for i, k := range perm {
		base := u32(netip.MustParseAddr("10.0.0.0"))
		if k >= in10 {
			base, k = u32(netip.MustParseAddr("172.16.0.0")), k-in10
		}
		out[i] = netip.PrefixFrom(addr(base+uint32(k)<<(32-b.vpcBits)), b.vpcBits)
	}
	return out
}

// ipPool hands out distinct public addresses of a prefix in a seeded order, skipping the
// addresses ending in .0 and .255.
type ipPool struct {
	base, size, start, stride, n uint32
}

func newIPPool(p netip.Prefix, rng *rand.Rand) *ipPool {
	size := uint32(1) << (32 - p.Bits())
	return &ipPool{base: u32(p.Addr()), size: size, start: rng.Uint32() % size, stride: rng.Uint32()%size | 1}
}

func (p *ipPool) take() netip.Addr {
	for p.n < p.size {
		a := p.base + (p.start+p.n*p.stride)&(p.size-1) // an odd stride visits every address once
		p.n++
		if a&0xff != 0 && a&0xff != 0xff {
			return addr(a)
		}
	}
	panic("gen: out of public addresses")
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// id derives an AWS-shaped ID from the seed and a path naming the object.
func (b *builder) id(prefix, path string) string {
	return model.DeriveID(prefix, fmt.Sprintf("gen/%d/%s", b.o.Seed, path))
}

func nameTag(name string) []model.Tag { return []model.Tag{{Key: "Name", Value: name}} }

var (
	anywhere = netip.MustParsePrefix("0.0.0.0/0")
	zones    = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
)

// vpcParts are the objects of one VPC the later steps refer to.
type vpcParts struct {
	vpc             *model.VPC
	name            string
	public, private []*model.Subnet
	sgs             map[string]model.SecurityGroupID
}

func (b *builder) vpc(i int) {
	t := b.t
	name := fmt.Sprintf("vpc%0*d", b.width, i+1)
	key := fmt.Sprint("vpc/", i)
	cidr := b.blocks[i]
	v := &vpcParts{name: name, sgs: map[string]model.SecurityGroupID{}}
	v.vpc = &model.VPC{ID: model.VPCID(b.id("vpc", key)), Name: name, CIDRs: []netip.Prefix{cidr}, Region: estateRegion, Tags: nameTag(name)}
	if i == 0 {
		b.owner = accountOf(string(v.vpc.ID))
	}
	v.vpc.Account = b.owner
	t.VPCs = append(t.VPCs, v.vpc)

	nPub := max(1, (b.o.SubnetsPerVPC+1)/3)
	for j := range b.o.SubnetsPerVPC {
		kind, k := "public", j
		if j >= nPub {
			kind, k = "private", j-nPub
		}
		sname := fmt.Sprintf("%s-%s-%d", name, kind, k+1)
		s := &model.Subnet{ID: model.SubnetID(b.id("subnet", fmt.Sprint(key, "/subnet/", j))), VPC: v.vpc.ID,
			CIDR:             netip.PrefixFrom(addr(u32(cidr.Addr())+uint32(j)<<(32-b.subBits)), b.subBits),
			AvailabilityZone: zones[k%len(zones)], Name: sname, Tags: nameTag(sname)}
		t.Subnets = append(t.Subnets, s)
		if kind == "public" {
			v.public = append(v.public, s)
		} else {
			v.private = append(v.private, s)
		}
	}

	igw := &model.InternetGateway{ID: model.InternetGatewayID(b.id("igw", key)), VPC: v.vpc.ID, Name: name + "-igw", Tags: nameTag(name + "-igw")}
	t.InternetGateways = append(t.InternetGateways, igw)

	// Instance addresses: distinct random hosts of each subnet, the NAT gateway's first.
	hosts := map[model.SubnetID][]netip.Addr{}
	for _, s := range append(slices.Clone(v.public), v.private...) {
		n := b.o.InstancesPerSubnet
		if s == v.public[0] {
			n++
		}
		hosts[s.ID] = b.hosts(s.CIDR, n)
	}

	var tgwIPs map[model.SubnetID]netip.Addr
	if b.o.Join == JoinTGW {
		tgwIPs = tgwAddresses(v, hosts)
	}
	var nat *model.NATGateway
	if len(v.private) > 0 {
		nat = b.natGateway(v, key, hosts[v.public[0].ID][0])
		hosts[v.public[0].ID] = hosts[v.public[0].ID][1:]
	}
	b.routeTables(v, key, igw, nat, b.joinRoutes(i))
	b.securityGroups(v, key)
	b.networkACLs(v, key, i)
	b.instances(v, key, hosts)
	if b.o.Join == JoinTGW {
		b.attachVPC(v, i, tgwIPs)
	}
}

// hosts picks n distinct usable addresses of a subnet at random (§6.4: not the first four,
// not the last).
func (b *builder) hosts(c netip.Prefix, n int) []netip.Addr {
	usable := 1<<(32-c.Bits()) - 5
	perm := b.rng.Perm(usable)[:n]
	out := make([]netip.Addr, n)
	for i, k := range perm {
		out[i] = addr(u32(c.Addr()) + 4 + uint32(k))
	}
	return out
}

func (b *builder) natGateway(v *vpcParts, key string, ip netip.Addr) *model.NATGateway {
	t := b.t
	s := v.public[0]
	id := model.NATGatewayID(b.id("nat", key))
	eni := model.ENIID(b.id("eni", key+"/nat"))
	alloc := model.AllocationID(b.id("eipalloc", key+"/nat"))
	pub := b.eipPool.take()
	nat := &model.NATGateway{ID: id, VPC: v.vpc.ID, Subnet: s.ID, Connectivity: model.ConnectivityPublic,
		State: "available", Name: v.name + "-nat", Tags: nameTag(v.name + "-nat"),
		Addresses: []model.NATGatewayAddress{{PrivateIP: ip, PublicIP: pub, AllocationID: alloc, ENI: eni, Primary: true}}}
	t.NATGateways = append(t.NATGateways, nat)
	t.Addresses = append(t.Addresses, &model.Address{AllocationID: alloc, PublicIP: pub, ENI: eni, PrivateIP: ip, Name: v.name + "-nat-eip"})
	t.NetworkInterfaces = append(t.NetworkInterfaces, &model.NetworkInterface{ID: eni, VPC: v.vpc.ID, Subnet: s.ID,
		Type: model.InterfaceTypeNATGateway, MAC: mac(string(eni)), DeviceIndex: 1, Description: "Interface for NAT Gateway " + string(id),
		PrivateIPs: []model.PrivateIP{{Addr: ip, Primary: true, PublicIP: pub}}})
	return nat
}

// mac makes a locally administered unicast MAC address from an ID, as EC2's 02:/06:/0a:... do.
func mac(id string) string {
	h := model.DeriveID("mac", id)[4:]
	return fmt.Sprintf("0e:%s:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8], h[8:10])
}

func localRoute(c netip.Prefix) model.Route {
	return model.Route{Destination: c, Target: model.Target{Kind: model.TargetLocal, ID: "local"},
		Origin: model.OriginCreateRouteTable, State: model.RouteActive}
}

// routeTables makes the VPC's tables; every one gets the joining routes too.
func (b *builder) routeTables(v *vpcParts, key string, igw *model.InternetGateway, nat *model.NATGateway, join []model.Route) {
	t := b.t
	cidr := v.vpc.CIDRs[0]
	t.RouteTables = append(t.RouteTables, &model.RouteTable{ID: model.RouteTableID(b.id("rtb", key+"/main")), VPC: v.vpc.ID,
		Main: true, Routes: append([]model.Route{localRoute(cidr)}, join...)})
	add := func(kind string, subnets []*model.Subnet, tg model.Target) {
		rt := &model.RouteTable{ID: model.RouteTableID(b.id("rtb", key+"/"+kind)), VPC: v.vpc.ID,
			Name: v.name + "-" + kind, Tags: nameTag(v.name + "-" + kind),
			Routes: append([]model.Route{localRoute(cidr),
				{Destination: anywhere, Target: tg, Origin: model.OriginCreateRoute, State: model.RouteActive}}, join...)}
		for _, s := range subnets {
			rt.Subnets = append(rt.Subnets, s.ID)
		}
		t.RouteTables = append(t.RouteTables, rt)
	}
	add("public", v.public, model.Target{Kind: model.TargetInternetGateway, ID: string(igw.ID)})
	if nat != nil {
		add("private", v.private, model.Target{Kind: model.TargetNATGateway, ID: string(nat.ID)})
	}
}

// sgRules numbers the rules of one direction of a group the way the loader does.
func sgRules(id model.SecurityGroupID, dir string, rules ...model.SecurityGroupRule) []model.SecurityGroupRule {
	for i := range rules {
		rules[i].ID = fmt.Sprintf("%s:%s:%d", id, dir, i)
	}
	return rules
}

func tcpFrom(port int, cidr netip.Prefix, group model.SecurityGroupID) model.SecurityGroupRule {
	return model.SecurityGroupRule{Protocol: model.ProtocolTCP, FromPort: port, ToPort: port, CIDR: cidr, Group: group}
}

func (b *builder) securityGroups(v *vpcParts, key string) {
	t := b.t
	allOut := func(id model.SecurityGroupID) []model.SecurityGroupRule {
		return sgRules(id, "egress", model.SecurityGroupRule{Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, CIDR: anywhere})
	}
	def := model.SecurityGroupID(b.id("sg", key+"/default"))
	t.SecurityGroups = append(t.SecurityGroups, &model.SecurityGroup{ID: def, VPC: v.vpc.ID, Name: "default",
		Ingress: sgRules(def, "ingress", model.SecurityGroupRule{Protocol: model.ProtocolAll, FromPort: -1, ToPort: -1, Group: def}),
		Egress:  allOut(def)})
	for _, role := range []string{RoleWeb, RoleApp, RoleDB, "ssh"} {
		v.sgs[role] = model.SecurityGroupID(b.id("sg", key+"/"+role))
	}
	ingress := map[string][]model.SecurityGroupRule{
		RoleWeb: {tcpFrom(80, anywhere, ""), tcpFrom(443, anywhere, "")},
		RoleApp: {tcpFrom(8080, netip.Prefix{}, v.sgs[RoleWeb])},
		RoleDB:  {tcpFrom(5432, netip.Prefix{}, v.sgs[RoleApp])},
		"ssh":   append([]model.SecurityGroupRule{tcpFrom(22, v.vpc.CIDRs[0], "")}, b.joinIngress()...),
	}
	for _, role := range []string{RoleWeb, RoleApp, RoleDB, "ssh"} {
		id := v.sgs[role]
		t.SecurityGroups = append(t.SecurityGroups, &model.SecurityGroup{ID: id, VPC: v.vpc.ID, Name: v.name + "-" + role,
			Tags: nameTag(v.name + "-" + role), Ingress: sgRules(id, "ingress", ingress[role]...), Egress: allOut(id)})
	}
}

// aclEntry is a NACL entry as the loader reads it back: ports 0-65535 and ICMP -1/-1 unless set.
func aclEntry(n int, egress bool, proto int, allow bool, c netip.Prefix, from, to int) model.NetworkACLEntry {
	return model.NetworkACLEntry{RuleNumber: n, Egress: egress, Protocol: proto, Allow: allow, CIDR: c,
		FromPort: from, ToPort: to, ICMPType: -1, ICMPCode: -1}
}

// finalDeny is the "*" rule of a direction.
func finalDeny(egress bool) model.NetworkACLEntry {
	return aclEntry(32767, egress, model.ProtocolAll, false, anywhere, 0, 65535)
}

func (b *builder) networkACLs(v *vpcParts, key string, i int) {
	t := b.t
	cidr := v.vpc.CIDRs[0]
	ids := func(ss []*model.Subnet) []model.SubnetID {
		var out []model.SubnetID
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	egressAll := []model.NetworkACLEntry{aclEntry(100, true, model.ProtocolAll, true, anywhere, 0, 65535), finalDeny(true)}
	join := b.joinACLEntries() // after the VPC's own block
	customPublic := i%3 == 2
	def := &model.NetworkACL{ID: model.NetworkACLID(b.id("acl", key+"/default")), VPC: v.vpc.ID, Default: true,
		Entries: append(slices.Clone(egressAll), aclEntry(100, false, model.ProtocolAll, true, anywhere, 0, 65535), finalDeny(false))}
	if !customPublic {
		def.Subnets = ids(v.public)
	}
	t.NetworkACLs = append(t.NetworkACLs, def)
	if customPublic {
		t.NetworkACLs = append(t.NetworkACLs, &model.NetworkACL{ID: model.NetworkACLID(b.id("acl", key+"/public")), VPC: v.vpc.ID,
			Name: v.name + "-public", Tags: nameTag(v.name + "-public"), Subnets: ids(v.public),
			Entries: slices.Concat(egressAll, []model.NetworkACLEntry{aclEntry(100, false, model.ProtocolAll, true, cidr, 0, 65535)}, join, []model.NetworkACLEntry{
				aclEntry(110, false, model.ProtocolTCP, true, anywhere, 80, 80),
				aclEntry(120, false, model.ProtocolTCP, true, anywhere, 443, 443),
				aclEntry(130, false, model.ProtocolTCP, false, anywhere, 3389, 3389),
				aclEntry(140, false, model.ProtocolTCP, true, anywhere, 1024, 65535),
				aclEntry(150, false, model.ProtocolUDP, true, anywhere, 1024, 65535),
				finalDeny(false)})})
	}
	if len(v.private) > 0 {
		t.NetworkACLs = append(t.NetworkACLs, &model.NetworkACL{ID: model.NetworkACLID(b.id("acl", key+"/private")), VPC: v.vpc.ID,
			Name: v.name + "-private", Tags: nameTag(v.name + "-private"), Subnets: ids(v.private),
			Entries: slices.Concat(egressAll, []model.NetworkACLEntry{
				aclEntry(90, false, model.ProtocolTCP, false, anywhere, 23, 23),
				aclEntry(100, false, model.ProtocolAll, true, cidr, 0, 65535)}, join, []model.NetworkACLEntry{
				aclEntry(110, false, model.ProtocolTCP, true, anywhere, 1024, 65535),
				aclEntry(120, false, model.ProtocolUDP, true, anywhere, 1024, 65535),
				finalDeny(false)})})
	}
}

func (b *builder) instances(v *vpcParts, key string, hosts map[model.SubnetID][]netip.Addr) {
	t := b.t
	count := map[string]int{}
	for j, s := range append(slices.Clone(v.public), v.private...) {
		for k, ip := range hosts[s.ID] {
			role, public := RoleWeb, j < len(v.public)
			if !public {
				// Tiers by subnet (app, db, app, ...); with one private subnet, by instance.
				n := j - len(v.public)
				if len(v.private) == 1 {
					n = k
				}
				role = [2]string{RoleApp, RoleDB}[n%2]
			}
			count[role]++
			name := fmt.Sprintf("%s-%s-%02d", v.name, role, count[role])
			ikey := fmt.Sprintf("%s/subnet/%d/instance/%d", key, j, k)
			in := &model.Instance{ID: model.InstanceID(b.id("i", ikey)), Name: name, State: "running", Tags: nameTag(name)}
			eni := &model.NetworkInterface{ID: model.ENIID(b.id("eni", ikey)), VPC: v.vpc.ID, Subnet: s.ID,
				Type: model.InterfaceTypeInterface, SourceDestCheck: true, Instance: in.ID,
				PrivateIPs: []model.PrivateIP{{Addr: ip, Primary: true}}}
			eni.MAC = mac(string(eni.ID))
			switch role {
			case RoleWeb:
				eni.SecurityGroups = []model.SecurityGroupID{v.sgs[RoleWeb], v.sgs["ssh"]}
				eni.PrivateIPs[0].PublicIP = b.instPool.take()
			case RoleApp:
				eni.SecurityGroups = []model.SecurityGroupID{v.sgs[RoleApp], v.sgs["ssh"]}
			case RoleDB:
				eni.SecurityGroups = []model.SecurityGroupID{v.sgs[RoleDB]}
			}
			in.ENIs = []model.ENIID{eni.ID}
			t.Instances = append(t.Instances, in)
			t.NetworkInterfaces = append(t.NetworkInterfaces, eni)
		}
	}
}
