package engine

import (
	"fmt"
	"net/netip"

	"github.com/vpclab/vpclab/internal/packet"
)

// A node is where a route or an edge hands a packet: a route target (the local route, an ENI,
// a NAT gateway, an internet or VPN gateway) or a component a packet enters from outside.
// Compile resolves every route's target to a node once, so evaluation never switches on a
// target's kind; a target that is missing or not modelled compiles to a dropNode that names
// it. Each kind lives in a file of its own (local.go, eni.go, natgw.go, igw.go, vgw.go,
// peering.go, tgw.go, dxgw.go, vpce.go, gwlb.go, nfw.go; edge.go holds the rules of gateway
// route tables).
type node interface {
	// receive takes a packet that arrives the way a says.
	receive(e *ev, a arrival, p packet.Packet)
}

// An entry is where packets enter the network (Location): the instance behind an ENI, the
// internet, the networks beyond a VGW. Compile indexes every entry by its Location.
type entry interface {
	send(e *ev, p packet.Packet)
}

// Origin is where a packet came into the topology from. Rules that depend on it: a NAT
// gateway translates only traffic that starts inside its VPC (§2.3.3), and traffic from
// outside cannot use the VPC's gateways edge to edge (§7.3.7, and for peering §7.1.9 and
// endpoints §7.4.4 when they come).
type Origin uint8

const (
	OriginInside         Origin = iota // sent by an ENI of the topology, or by a NAT gateway
	OriginInternet                     // through an internet gateway
	OriginVPN                          // through a VGW, from a Site-to-Site VPN
	OriginDirectConnect                // from a Direct Connect virtual interface (through a VGW or DX gateway)
	OriginPeering                      // over a VPC peering connection (§0.8)
	OriginTransitGateway               // from a transit gateway attachment (§0.9)
	OriginVPCEndpoint                  // from the AWS service behind a gateway VPC endpoint (§7.4.7)
)

var originNames = [...]string{OriginInside: "inside", OriginInternet: "the internet", OriginVPN: "a VPN",
	OriginDirectConnect: "Direct Connect", OriginPeering: "a peering connection", OriginTransitGateway: "a transit gateway",
	OriginVPCEndpoint: "a gateway VPC endpoint"}

func (o Origin) String() string { return originNames[o] }

// outside reports whether the packet entered its VPC through a gateway or a peering
// connection: a NAT gateway does not translate it (§2.3.3, §7.3.7). Traffic from a transit
// gateway attachment in the NAT gateway's VPC is translated (§2.3.3: centralised egress).
func (o Origin) outside() bool { return o != OriginInside && o != OriginTransitGateway }

// arrival is how a packet reaches a node: where it came into the topology from, the subnet
// whose route table sent it (nil when a gateway's edge route table or the local delivery of
// a gateway did), and its source before a NAT gateway translated it or an appliance forwarded
// it (invalid when neither did; security group references match the original source's
// groups nowhere past a NAT gateway or an appliance, §4.1.6, §7.1.13). The Availability Zone it travels in (§7.2.10-13, read when transit gateways come)
// is its subnet's.
//
// az is the Availability Zone a packet travels in through a transit gateway: the zone of the
// subnet it entered from, which the transit gateway keeps on the way out when it can (§7.2.12);
// empty for packets that entered from a VPN, a DX gateway or a peering attachment.
//
// via is the VPC attachment a transit gateway delivered the packet out of (nil when none did):
// a stateful appliance behind it names the attachment's appliance mode when it drops (§7.2.14).
type arrival struct {
	origin Origin
	from   *cSubnet
	preNAT netip.Addr
	az     string
	via    *cTGWAttach
	// lbENI is the load balancer node's interface that sent the packet on (lb.go): rules
	// referencing its groups match, whatever the source address.
	lbENI *cENI
}

// forwardedFrom is the arrival of a packet routed out of subnet s.
func (a arrival) forwardedFrom(s *cSubnet) arrival {
	a.from = s
	return a
}

// translated is the arrival of a packet a NAT gateway translated: it now starts inside the VPC
// (§2.2), and its original source is remembered.
func (a arrival) translated(orig netip.Addr) arrival {
	a.origin = OriginInside
	return a.relayed(orig)
}

// relayed is the arrival of a packet a middlebox (a NAT gateway, an appliance) forwarded: the
// sender's security groups stay behind, and its original source is remembered (§7.1.13).
func (a arrival) relayed(orig netip.Addr) arrival {
	if !a.preNAT.IsValid() {
		a.preNAT = orig
	}
	return a
}

// dropNode is a route target the engine cannot hand a packet to: missing from the topology,
// not attached to the route table's VPC, not in a usable state, or of a kind vpclab does not
// model yet (fail closed, ARCHITECTURE.md decision 6). Compile warns about it; a packet that
// meets it is dropped with the code and explanation fixed at compile time.
type dropNode struct {
	code   string
	comp   Component
	detail string
}

func (d *dropNode) receive(e *ev, _ arrival, p packet.Packet) { e.fatal(d.code, d.comp, p, d.detail) }

// A link is what carries packets between two parts of the network, with its MTU (§6.9):
// 9001 inside a VPC and over a same-region peering, 1500 beyond an internet gateway, over a
// VPN and over an inter-region peering, 8500 through a transit gateway (§7.1.15, §7.2.15), a
// virtual interface's own (§16.7).
type link struct {
	name string
	mtu  int
}

var (
	vpcLink         = link{"the VPC", 9001}
	internetLink    = link{"the internet", 1500}
	vpnLink         = link{"the VPN", 1500}
	tgwLink         = link{"the transit gateway", 8500} // VPC, DX gateway and peering attachments (§7.2.15)
	interRegionLink = link{"an inter-region peering", 1500}
)

// cross carries p over link l at component c: a packet larger than the MTU with the don't
// fragment bit is dropped (no ICMP is sent back, vpclab's default for an [UNCERTAIN]
// behaviour, §7.1.15, §18.6); without it, it is fragmented and its first fragment, which goes
// on, decides the fate of all (§2.2.7: a NAT gateway drops TCP and ICMP fragments). It returns
// the packet as it goes on, and false when it was dropped.
func (e *ev) cross(l link, c Component, p packet.Packet) (packet.Packet, bool) {
	// The common case, kept small enough to inline: headers are at most 56 bytes (IPv4, and
	// an ICMP error's quote), so a payload this small fits whatever it is.
	if len(p.Payload)+p.PayloadLen+56 <= l.mtu && p.SegSize == 0 {
		return p, true
	}
	return e.crossLarge(l, c, p)
}

func (e *ev) crossLarge(l link, c Component, p packet.Packet) (packet.Packet, bool) {
	n := p.LargestOnWire()
	if n <= l.mtu || p.IsFragment() && p.FragOff != 0 {
		return p, true
	}
	if p.DF {
		e.fatal(CodeMTUExceeded, c, p, fmt.Sprintf("the packet is %d bytes with don't-fragment set, larger than the MTU of %s (%d bytes, §6.9); no ICMP is sent back", n, l.name, l.mtu))
		return p, false
	}
	// The first fragment goes on: as long as the link's MTU allows (fragment data comes in
	// 8-byte units), with more fragments to follow. A live packet keeps its bytes: live mode
	// passes the datagram whole and the receiving kernel takes it.
	out := p
	out.MF = true
	if out.Payload == nil {
		out.PayloadLen = max(0, (l.mtu-20)/8*8-p.L4HeaderLen())
	}
	if e.recording() {
		e.hopOut(Hop{Component: c, Action: ActForward, In: p,
			Note: fmt.Sprintf("%d bytes over %s's MTU of %d: fragmented; the first fragment goes on (§6.9)", n, l.name, l.mtu)}, out)
	}
	return out, true
}

// enterVPC: a packet through an internet or VPN gateway (and later a GWLB endpoint) is routed
// by the gateway's edge route table when one is associated (§1.3), else delivered with the
// local route (§0.11): the destination subnet's network ACL inbound, then the ENI. A peering
// delivers without a route table (§0.8, peering.go); a transit gateway hands the packet to
// its attachment subnet's route table (§0.9, tgw.go).
func (e *ev) enterVPC(v *cVPC, edge *cRouteTable, a arrival, p packet.Packet) {
	if edge != nil {
		e.route(edge, a, p)
		return
	}
	v.local.receive(e, a, p)
}
