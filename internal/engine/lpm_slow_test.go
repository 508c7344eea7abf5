package engine_test

// A slow, obviously correct twin of route selection (§1.2.1, §1.2.2, §1.2.3, §1.2.4): a linear
// scan over a route table's routes, compared with what the engine's route-table hop reports
// (Hop.Route) on random tables and random destinations, with a fixed seed.

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

// slowRoute is the route a subnet route table uses for dst, by the book:
//   - candidates: every route (each CIDR of a prefix-list route, each prefix a propagating VGW
//     knows) whose prefix contains dst;
//   - §1.2.4: inside a VPC CIDR, propagated routes are out of the running;
//   - §1.2.1: the longest prefix wins;
//   - §1.2.2: equal prefixes: static, then prefix list, then propagated;
//   - §1.2.3: then route order (vpclab's deterministic stand-in for AWS's random pick); VGW
//     routes materialised from propagation come after the listed routes.
//
// It returns nil when no route matches.
func slowRoute(rt *model.RouteTable, pls map[model.PrefixListID][]netip.Prefix, vgwKnown []netip.Prefix,
	vpcCIDRs []netip.Prefix, dst netip.Addr) *engine.RouteRef {
	type cand struct {
		bits, prio, order int
		ref               engine.RouteRef
	}
	inVPC := false
	for _, c := range vpcCIDRs {
		inVPC = inVPC || c.Contains(dst)
	}
	var best *cand
	consider := func(c cand) {
		if best == nil || c.bits > best.bits ||
			(c.bits == best.bits && (c.prio < best.prio || (c.prio == best.prio && c.order < best.order))) {
			best = &c
		}
	}
	for i, r := range rt.Routes {
		prio := 0
		switch {
		case r.Origin == model.OriginEnableVgwRoutePropagation:
			prio = 2
		case r.DestinationPrefixList != "":
			prio = 1
		}
		if prio == 2 && inVPC {
			continue
		}
		prefixes := []netip.Prefix{r.Destination}
		if r.DestinationPrefixList != "" {
			prefixes = pls[r.DestinationPrefixList]
		}
		state := r.State
		if state == "" {
			state = model.RouteActive
		}
		for _, p := range prefixes {
			if p.Contains(dst) {
				consider(cand{bits: p.Bits(), prio: prio, order: i, ref: engine.RouteRef{
					Destination: r.DestinationString(), Target: r.Target, Origin: r.Origin, State: state}})
			}
		}
	}
	if len(rt.PropagatingVGWs) > 0 && !inVPC {
		for k, p := range vgwKnown {
			if p.Contains(dst) {
				consider(cand{bits: p.Bits(), prio: 2, order: len(rt.Routes) + k, ref: engine.RouteRef{
					Destination: p.String(), Target: model.Target{Kind: model.TargetVPNGateway, ID: string(vgwID)}, Origin: model.OriginEnableVgwRoutePropagation, State: model.RouteActive}})
			}
		}
	}
	if best == nil {
		return nil
	}
	return &best.ref
}

// lpmAnchors are addresses random prefixes are cut around, so routes overlap often.
var lpmAnchors = []string{
	"172.16.5.5", "172.16.200.1", "192.168.1.10", "10.1.2.3", "8.8.8.8", "100.64.3.3",
	"10.0.1.55", "10.0.2.7", "10.0.5.9", "10.0.130.1", "10.0.0.11",
}

// lpmSubnetCIDRs are the VPC's subnets: static routes inside the VPC may only name one of them
// exactly (§1.2.5).
var lpmSubnetCIDRs = []string{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.4.0/22", "10.0.128.0/17"}

func randPrefix(rng *rand.Rand) netip.Prefix {
	a := netip.MustParseAddr(lpmAnchors[rng.IntN(len(lpmAnchors))])
	for {
		p := netip.PrefixFrom(a, rng.IntN(33)).Masked()
		if p.String() != "10.0.0.0/16" { // the VPC CIDR itself is the local route's
			return p
		}
	}
}

func inVPC16(p netip.Prefix) bool {
	return netip.MustParsePrefix("10.0.0.0/16").Overlaps(p) && p.Bits() > 16
}

// randomRouteLab builds a lab whose subnet a has a random route table; every route points at a
// distinct target (NAT gateways, ENIs, VGW IDs), some are blackholes.
func randomRouteLab(t *testing.T, rng *rand.Rand) (*lab, map[model.PrefixListID][]netip.Prefix, []netip.Prefix) {
	l := newLab(t, "10.0.0.0/16")
	for i, c := range lpmSubnetCIDRs {
		l.subnet(fmt.Sprint("s", i), c)
	}
	l.instance("a", "s0", "10.0.0.11")
	pls := map[model.PrefixListID][]netip.Prefix{}
	for j := 0; j < 3; j++ {
		id := fmt.Sprintf("pl-%08x", j)
		var cidrs []string
		for k := 0; k < 1+rng.IntN(3); k++ {
			p := randPrefix(rng)
			if inVPC16(p) {
				continue // no prefix-list route more specific than the local route
			}
			cidrs = append(cidrs, p.String())
			pls[model.PrefixListID(id)] = append(pls[model.PrefixListID(id)], p)
		}
		l.prefixList(id, cidrs...)
	}
	var known []netip.Prefix
	if rng.IntN(2) == 0 {
		l.vgw()
		var static []string
		for k := 0; k < rng.IntN(4); k++ {
			p := randPrefix(rng)
			static = append(static, p.String())
		}
		l.vpn("dc", static...)
		// The engine learns them in its own (sorted, deduplicated) order: equal prefixes cannot
		// occur twice, so the order among them never decides.
		seen := map[netip.Prefix]bool{}
		for _, s := range static {
			p := netip.MustParsePrefix(s)
			if !seen[p] {
				seen[p] = true
				known = append(known, p)
			}
		}
	}
	var routes []model.Route
	n := 1 + rng.IntN(12)
	for i := 0; i < n; i++ {
		var r model.Route
		switch k := rng.IntN(10); {
		case k < 2: // prefix-list route
			r = route(fmt.Sprintf("pl-%08x", rng.IntN(3)), fmt.Sprintf("nat-r%d", i))
		case k < 4: // explicit propagated route (as a snapshot lists it)
			r = propagated(route(randPrefix(rng).String(), fmt.Sprintf("vgw-r%d", i)))
		case k < 5: // more-specific static route to a subnet CIDR (§1.2.5)
			r = route(lpmSubnetCIDRs[1+rng.IntN(len(lpmSubnetCIDRs)-1)], fmt.Sprintf("eni-r%d", i))
		default:
			p := randPrefix(rng)
			if inVPC16(p) {
				p = netip.MustParsePrefix("0.0.0.0/0")
			}
			r = route(p.String(), fmt.Sprintf("nat-r%d", i))
		}
		if rng.IntN(6) == 0 {
			r = blackhole(r)
		}
		routes = append(routes, r)
	}
	l.rt("a", routes...)
	if len(known) > 0 {
		l.table("a").PropagatingVGWs = []model.VPNGatewayID{vgwID}
	}
	l.assoc("a", "s0")
	return l, pls, known
}

func randDst(rng *rand.Rand) netip.Addr {
	if rng.IntN(4) == 0 {
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return netip.AddrFrom4(b)
	}
	a := netip.MustParseAddr(lpmAnchors[rng.IntN(len(lpmAnchors))]).As4()
	// Flip a few low bits so the address falls inside some of the anchor's prefixes only.
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v ^= uint32(rng.IntN(1 << rng.IntN(25)))
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func TestRouteSelectionMatchesSlowTwin_1_2(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260301, 1))
	tables, lookups := 400, 150
	if testing.Short() {
		tables = 60
	}
	src := netip.MustParsePrefix("10.0.0.0/24")
	vpc := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	for i := 0; i < tables; i++ {
		l, pls, known := randomRouteLab(t, rng)
		l.build()
		rt := l.table("a")
		for j := 0; j < lookups; j++ {
			dst := randDst(rng)
			r := l.send("a", tcp("10.0.0.11:40000", dst.String()+":443"))
			rts := hops(r, "rtb")
			if src.Contains(dst) {
				if len(rts) != 0 {
					t.Fatalf("table %d: %s is in the source subnet, yet a route table was consulted:\n%s", i, dst, describe(r))
				}
				continue
			}
			if len(rts) == 0 {
				t.Fatalf("table %d: no route table hop for %s:\n%s", i, dst, describe(r))
			}
			want := slowRoute(rt, pls, known, vpc, dst)
			got := rts[0].Route
			if want == nil {
				if got != nil || r.Code != engine.CodeNoRoute {
					t.Fatalf("table %d, dst %s: engine used %+v, twin finds no route\n%s\n%s", i, dst, got, dumpTable(rt, pls, known), describe(r))
				}
				continue
			}
			if got == nil || *got != *want {
				t.Fatalf("table %d, dst %s: engine used %+v, twin %+v\n%s\n%s", i, dst, got, *want, dumpTable(rt, pls, known), describe(r))
			}
		}
	}
}

func dumpTable(rt *model.RouteTable, pls map[model.PrefixListID][]netip.Prefix, known []netip.Prefix) string {
	var b strings.Builder
	for i, r := range rt.Routes {
		fmt.Fprintf(&b, "  %2d %-18s -> %-10s %s %s", i, r.DestinationString(), r.Target.ID, r.Origin, r.State)
		if r.DestinationPrefixList != "" {
			fmt.Fprintf(&b, " %v", pls[r.DestinationPrefixList])
		}
		b.WriteByte('\n')
	}
	if len(rt.PropagatingVGWs) > 0 {
		fmt.Fprintf(&b, "  propagating %s: %v\n", vgwID, known)
	}
	return b.String()
}
