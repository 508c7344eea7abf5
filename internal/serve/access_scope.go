package serve

import (
	"encoding/binary"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/analyze"
	"github.com/vpclab/vpclab/internal/ec2api"
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// An access scope's analysis (access.go has the operations and the statements taken).
//
// The ends of the lab are its interfaces of type interface (an instance's, or one made
// alone) and its attached internet gateways. A match path's Source and Destination select
// ends: a resource statement by the end's own IDs (an interface is its eni-, its instance's
// i-, its subnet-, vpc- and sg- IDs) or types, a packet header statement's addresses by the
// end's addresses (an interface's private and public IPs). An internet gateway stands for the
// hosts on the internet beyond it (as a destination, reached through that gateway: the
// path's components must hold it), one for each piece of the address space that the lab's
// rules and routes tell apart (internetHosts), within the statement's addresses on that
// side.
//
// For every ordered pair of selected ends, analyze.Reach splits the statement's protocols
// and ports (all of them when it names none) into parts that behave alike, and each part
// delivered on a path through every ThroughResources statement is a candidate: its forward
// path's components are the finding's. Delivered is the forward packet reaching the
// destination past every check; unlike vpclab reach's reachable, the answer need not come
// back (a datagram or a connection attempt that gets in is access to report). An exclude path removes the
// headers it covers from a candidate whose ends and path it matches; the match path's
// header ranges are first cut at every exclude path's port boundaries, so a part is wholly
// inside or outside each exclude. A candidate with no header left is no finding. Findings
// are one per pair and path (the same pair and components from two match paths or two
// parts count once).
//
// Cost: one Reach per selected pair (and per internet host piece), under the server's lock,
// as StartNetworkInsightsAnalysis traces; a scope from every interface to every interface of
// a lab of 30 takes well under a second. Matrix's shortcuts (one answer for destinations a
// source's routes cannot tell apart) are not used yet.

// scopeEnd is one end an access scope can select.
type scopeEnd struct {
	ep    tools.Endpoint
	eni   model.ENIID // "" for a host beyond an internet gateway
	igw   string      // the internet gateway a host is beyond, as a destination
	key   string      // what findings are told apart by: the interface, or the gateway a host is beyond
	ids   []string
	types []string
	ips   []netip.Addr // its addresses: an interface's private and public ones, a host's
}

// scopeLab is the compiled lab a scope is analysed on.
type scopeLab struct {
	a    *analyze.Analyzer
	sim  *tools.Sim
	enis []scopeEnd
	igws []*model.InternetGateway
}

// runScope analyses a scope's content on n: the findings (without their IDs) and the number
// of interfaces analysed.
func runScope(n *engine.Network, seed uint64, content *ec2api.NetworkInsightsAccessScopeContent) ([]ec2api.AccessScopeAnalysisFinding, int) {
	l := &scopeLab{a: analyze.New(n, seed), sim: tools.NewSim(n, seed)}
	t := n.Topology
	for _, e := range t.NetworkInterfaces {
		if e.Type != model.InterfaceTypeInterface && e.Type != "" {
			continue
		}
		end := scopeEnd{eni: e.ID, ids: []string{string(e.ID), string(e.Subnet), string(e.VPC)}, types: []string{"AWS::EC2::NetworkInterface"}}
		if e.Instance != "" {
			end.ids = append(end.ids, string(e.Instance))
			end.types = append(end.types, "AWS::EC2::Instance")
		}
		for _, g := range e.SecurityGroups {
			end.ids = append(end.ids, string(g))
		}
		end.ep, end.key = l.a.ENIEndpoint(e.ID, string(e.ID)), string(e.ID)
		for _, a := range e.PrivateIPs {
			end.ips = append(end.ips, a.Addr)
			if a.PublicIP.IsValid() {
				end.ips = append(end.ips, a.PublicIP)
			}
		}
		l.enis = append(l.enis, end)
	}
	for _, g := range t.InternetGateways {
		if g.VPC != "" {
			l.igws = append(l.igws, g)
		}
	}
	var excludes []scopePath
	for _, p := range content.ExcludePaths {
		excludes = append(excludes, newScopePath(p))
	}
	analysed := map[model.ENIID]bool{}
	seen := map[string]bool{}
	var out []ec2api.AccessScopeAnalysisFinding
	for _, mp := range content.MatchPaths {
		m := newScopePath(mp)
		srcs, dsts := l.ends(m.src, m.h.SourceAddresses, true, excludes), l.ends(m.dst, m.h.DestinationAddresses, false, excludes)
		for _, e := range append(slices.Clone(srcs), dsts...) {
			if e.eni != "" {
				analysed[e.eni] = true
			}
		}
		queries := m.queries(excludes)
		for _, s := range srcs {
			for _, d := range dsts {
				if (s.eni == "" && d.eni == "") || (s.eni != "" && s.eni == d.eni) {
					continue
				}
				for _, q := range queries {
					r := l.a.Reach(s.ep, d.ep, q.Query)
					for _, part := range r.Parts {
						if o := part.Outcome; !o.Arrived || len(o.Forward.Blockers) > 0 {
							continue // not delivered
						}
						pa := r.Analysis(part)
						var comps []ec2api.PathComponent
						if err := json.Unmarshal(mustJSON(pa.ForwardPathComponents), &comps); err != nil {
							panic("serve: a trace's path components are not EC2's PathComponent: " + err.Error()) // a bug
						}
						ids := componentIDs(comps)
						if d.igw != "" && !slices.Contains(ids, d.igw) || !m.through(ids) {
							continue
						}
						boxes := slices.DeleteFunc(slices.Clone(part.Space), func(b analyze.Box) bool {
							if q.onlyOthers && (b.Class == analyze.ClassTCP || b.Class == analyze.ClassUDP) {
								return true
							}
							for _, x := range excludes {
								if x.covers(s, d, ids, b) {
									return true
								}
							}
							return false
						})
						key := s.key + ">" + d.key + ":" + strings.Join(ids, ",")
						if len(boxes) == 0 || seen[key] {
							continue
						}
						seen[key] = true
						out = append(out, ec2api.AccessScopeAnalysisFinding{FindingComponents: comps})
					}
				}
			}
		}
	}
	return out, len(analysed)
}

func componentIDs(comps []ec2api.PathComponent) []string {
	var ids []string
	for _, pc := range comps {
		if pc.Component != nil {
			ids = append(ids, val(pc.Component.Id))
		}
	}
	return ids
}

// ends are the ends a statement selects, as sources or destinations; addrs are the header
// statement's addresses on that side.
func (l *scopeLab) ends(rs *ec2api.ResourceStatement, addrs []netip.Prefix, source bool, excludes []scopePath) []scopeEnd {
	var out []scopeEnd
	for _, e := range l.enis {
		if selects(rs, e) && anyIn(e.ips, addrs) {
			out = append(out, e)
		}
	}
	var cuts []netip.Prefix // an exclude path's addresses cut too: a host stands for a piece wholly excluded or not
	for _, x := range excludes {
		cuts = append(append(cuts, x.h.SourceAddresses...), x.h.DestinationAddresses...)
	}
	hosts := internetHosts(addrs, cuts, l.a.Net.Topology)
	for _, g := range l.igws {
		probe := scopeEnd{ids: []string{string(g.ID)}, types: []string{"AWS::EC2::InternetGateway"}}
		if !selects(rs, probe) {
			continue
		}
		for _, ip := range hosts {
			arg := "internet:" + ip.String()
			if source {
				arg = string(g.ID) + ":" + ip.String()
			}
			ep, err := l.sim.Resolve(arg)
			if err != nil {
				continue // no host on the internet has that address (a private one, the lab's own)
			}
			e := probe
			e.ep, e.ips, e.key = ep, []netip.Addr{ip}, string(g.ID)
			if !source {
				e.igw = string(g.ID)
			}
			out = append(out, e)
		}
	}
	return out
}

// internetHosts are the addresses that stand for the internet within addrs (none: every
// address): the address space is cut at every IPv4 prefix of the lab's security group
// rules, network ACL entries and routes, and of more (the exclude paths' addresses), and
// each piece that addrs hold gives one address: the one `internet` stands for (the lab's
// first internet host, else 8.8.8.8) in the piece that holds it, else the piece's second
// address (its only one in a piece of one). Inside a piece no rule, route or exclude path
// tells two addresses apart, so one host answers for all of them.
func internetHosts(addrs, more []netip.Prefix, t *model.Topology) []netip.Addr {
	host := tools.DefaultInternetHost // as `internet` with no address (DEFAULTS.md)
	if len(t.InternetHosts) > 0 {
		host = t.InternetHosts[0].IP
	}
	if len(addrs) == 0 {
		addrs = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	}
	cuts := map[uint64]bool{0: true, 1 << 32: true}
	cut := func(p netip.Prefix) {
		if p.IsValid() && p.Addr().Is4() {
			lo := uint64(u32(p.Masked().Addr()))
			cuts[lo], cuts[lo+1<<(32-p.Bits())] = true, true
		}
	}
	for _, p := range slices.Concat(addrs, more) {
		cut(p)
	}
	for _, g := range t.SecurityGroups {
		for _, r := range slices.Concat(g.Ingress, g.Egress) {
			cut(r.CIDR)
		}
	}
	for _, a := range t.NetworkACLs {
		for _, e := range a.Entries {
			cut(e.CIDR)
		}
	}
	for _, rt := range t.RouteTables {
		for _, r := range rt.Routes {
			cut(r.Destination)
		}
	}
	points := slices.Sorted(maps.Keys(cuts))
	var out []netip.Addr
	for i := 0; i+1 < len(points); i++ {
		lo, hi := points[i], points[i+1]-1
		first := addrOf(uint32(lo))
		if !inPrefixes(first, addrs) {
			continue
		}
		switch h := uint64(u32(host)); {
		case h >= lo && h <= hi:
			out = append(out, host)
		case hi > lo:
			out = append(out, addrOf(uint32(lo+1)))
		default:
			out = append(out, first)
		}
	}
	return out
}

func u32(a netip.Addr) uint32 { b := a.As4(); return binary.BigEndian.Uint32(b[:]) }

func addrOf(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// anyIn reports whether one of the addresses is in one of the prefixes (none: any address).
func anyIn(ips []netip.Addr, ps []netip.Prefix) bool {
	if len(ps) == 0 {
		return true
	}
	return slices.ContainsFunc(ips, func(ip netip.Addr) bool { return inPrefixes(ip, ps) })
}

func inPrefixes(ip netip.Addr, ps []netip.Prefix) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// selects reports whether a resource statement (nil: any) selects an end.
func selects(rs *ec2api.ResourceStatement, e scopeEnd) bool {
	if rs == nil {
		return true
	}
	for _, id := range rs.Resources {
		if slices.Contains(e.ids, id) {
			return true
		}
	}
	for _, t := range rs.ResourceTypes {
		if slices.Contains(e.types, t) {
			return true
		}
	}
	return false
}

// scopePath is an AccessScopePath with its header statement parsed (checked at create).
type scopePath struct {
	src, dst *ec2api.ResourceStatement
	thru     []*ec2api.ResourceStatement
	h        header
}

// header is a path's packet header statement; an empty field is any value.
type header struct {
	SourceAddresses, DestinationAddresses []netip.Prefix
	SourcePorts, DestinationPorts         []analyze.Interval
	Protocols                             []int
}

func newScopePath(p ec2api.AccessScopePath) scopePath {
	var sp scopePath
	for i, st := range []*ec2api.PathStatement{p.Source, p.Destination} {
		if st == nil {
			continue
		}
		if i == 0 {
			sp.src = st.ResourceStatement
		} else {
			sp.dst = st.ResourceStatement
		}
		if h := st.PacketHeaderStatement; h != nil {
			sp.h.SourceAddresses = append(sp.h.SourceAddresses, prefixes(h.SourceAddresses)...)
			sp.h.DestinationAddresses = append(sp.h.DestinationAddresses, prefixes(h.DestinationAddresses)...)
			sp.h.SourcePorts = append(sp.h.SourcePorts, portList(h.SourcePorts)...)
			sp.h.DestinationPorts = append(sp.h.DestinationPorts, portList(h.DestinationPorts)...)
			for _, pr := range h.Protocols {
				sp.h.Protocols = append(sp.h.Protocols, map[string]int{"tcp": int(packet.ProtoTCP), "udp": int(packet.ProtoUDP)}[pr])
			}
		}
	}
	for _, t := range p.ThroughResources {
		sp.thru = append(sp.thru, t.ResourceStatement)
	}
	return sp
}

// through reports whether a path's components pass every through statement.
func (sp scopePath) through(ids []string) bool {
	for _, rs := range sp.thru {
		if !slices.ContainsFunc(ids, func(id string) bool {
			return selects(rs, scopeEnd{ids: []string{id}, types: []string{resourceType(id)}})
		}) {
			return false
		}
	}
	return true
}

// resourceType is the type of a path component that a through statement can name.
func resourceType(id string) string {
	switch {
	case strings.HasPrefix(id, "nat-"):
		return "AWS::EC2::NatGateway"
	case strings.HasPrefix(id, "pcx-"):
		return "AWS::EC2::VPCPeeringConnection"
	case strings.HasPrefix(id, "tgw-attach-"):
		return "AWS::EC2::TransitGatewayAttachment"
	}
	return ""
}

// scopeQuery is one header space asked between a pair. onlyOthers: the query asks every
// protocol, but its TCP and UDP parts are asked by other queries, cut at exclude ports.
type scopeQuery struct {
	analyze.Query
	onlyOthers bool
}

// queries are the match path's header ranges as Reach queries, cut at every exclude path's
// port boundaries.
func (sp scopePath) queries(excludes []scopePath) []scopeQuery {
	var dcuts, scuts []int
	for _, x := range excludes {
		for _, iv := range x.h.DestinationPorts {
			dcuts = append(dcuts, iv.Lo, iv.Hi+1)
		}
		for _, iv := range x.h.SourcePorts {
			scuts = append(scuts, iv.Lo, iv.Hi+1)
		}
	}
	split := len(dcuts)+len(scuts) > 0
	dst, src := sp.h.DestinationPorts, sp.h.SourcePorts
	if len(dst) == 0 {
		dst = []analyze.Interval{analyze.AllPorts}
	}
	if len(src) == 0 {
		src = []analyze.Interval{analyze.AllPorts}
	}
	protos, ported := sp.h.Protocols, len(sp.h.DestinationPorts)+len(sp.h.SourcePorts) > 0
	var out []scopeQuery
	if len(protos) == 0 {
		if !split && !ported {
			return []scopeQuery{{Query: analyze.Everything()}}
		}
		if !ported { // every protocol: TCP and UDP cut below, the others asked whole
			out = append(out, scopeQuery{Query: analyze.Everything(), onlyOthers: true})
		}
		protos = []int{int(packet.ProtoTCP), int(packet.ProtoUDP)}
	}
	for _, p := range protos {
		for _, d := range cutIntervals(dst, dcuts) {
			for _, s := range cutIntervals(src, scuts) {
				q := analyze.Everything()
				q.Protocol, q.DstPorts, q.SrcPorts = p, d, s
				out = append(out, scopeQuery{Query: q})
			}
		}
	}
	return out
}

// cutIntervals splits intervals at cuts (each cut starts a new interval).
func cutIntervals(ivs []analyze.Interval, cuts []int) []analyze.Interval {
	var out []analyze.Interval
	for _, iv := range ivs {
		lo := iv.Lo
		points := slices.Sorted(slices.Values(cuts))
		for _, c := range points {
			if c > lo && c <= iv.Hi {
				out = append(out, analyze.Interval{Lo: lo, Hi: c - 1})
				lo = c
			}
		}
		out = append(out, analyze.Interval{Lo: lo, Hi: iv.Hi})
	}
	return out
}

// covers reports whether an exclude path removes a box of headers between two ends on a
// path: its ends, its through statements and every header of the box.
func (x scopePath) covers(s, d scopeEnd, ids []string, b analyze.Box) bool {
	if !selects(x.src, s) || !selects(x.dst, d) || !x.through(ids) ||
		!anyIn(s.ips, x.h.SourceAddresses) || !anyIn(d.ips, x.h.DestinationAddresses) {
		return false
	}
	switch b.Class {
	case analyze.ClassTCP, analyze.ClassUDP:
		proto := int(packet.ProtoTCP)
		if b.Class == analyze.ClassUDP {
			proto = int(packet.ProtoUDP)
		}
		return (len(x.h.Protocols) == 0 || slices.Contains(x.h.Protocols, proto)) &&
			within(b.A, x.h.DestinationPorts) && within(b.B, x.h.SourcePorts)
	}
	// ICMP and other protocols have no ports, and a statement's protocols are tcp or udp.
	return len(x.h.Protocols) == 0 && len(x.h.DestinationPorts) == 0 && len(x.h.SourcePorts) == 0
}

// within reports whether every interval lies inside the ranges (none: any value).
func within(ivs, ranges []analyze.Interval) bool {
	if len(ranges) == 0 {
		return true
	}
	for _, iv := range ivs {
		for v := iv.Lo; v <= iv.Hi; {
			next := -1
			for _, r := range ranges {
				if v >= r.Lo && v <= r.Hi {
					next = max(next, r.Hi+1)
				}
			}
			if next < 0 {
				return false
			}
			v = next
		}
	}
	return true
}

func prefixes(ss []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix reads an IPv4 address or CIDR.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return netip.Prefix{}, errorf("InvalidParameterValue", "not an IPv4 address")
		}
		return netip.PrefixFrom(a, 32), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errorf("InvalidParameterValue", "not an IPv4 CIDR")
	}
	return p.Masked(), nil
}

func portList(ss []string) []analyze.Interval {
	var out []analyze.Interval
	for _, s := range ss {
		if iv, err := parsePorts(s); err == nil {
			out = append(out, iv)
		}
	}
	return out
}

// parsePorts reads a port (80) or a range (1024-65535).
func parsePorts(s string) (analyze.Interval, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := a, error(nil)
	if isRange {
		b, err2 = strconv.Atoi(strings.TrimSpace(hi))
	}
	if err1 != nil || err2 != nil || a < 0 || b > 65535 || a > b {
		return analyze.Interval{}, errorf("InvalidParameterValue", "not a port range")
	}
	return analyze.Interval{Lo: a, Hi: b}, nil
}
