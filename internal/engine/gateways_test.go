package engine_test

// Scenario tests for the internet gateway (§3) and the virtual private gateway (§7.3) of
// aws-vpc-semantics.md.

import (
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// publicLab: instance p (10.0.4.40, public 198.51.100.40) in a public subnet, instance q
// (10.0.4.41, no public IP) beside it.
func publicLab(t testing.TB) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("p", "10.0.4.0/24")
	l.sg("web").in("tcp", 22, 22, "0.0.0.0/0").in("icmp", 8, -1, "0.0.0.0/0")
	l.instance("p", "p", "10.0.4.40", "web")
	l.instance("q", "p", "10.0.4.41", "web")
	l.publicIP("p", "198.51.100.40")
	l.igw()
	l.rt("p", route("0.0.0.0/0", "igw-lab"))
	l.assoc("p", "p")
	return l
}

// §3.1, §3.4: the IGW does 1:1 NAT between the private IP and the public IP, both ways; the
// instance never sees its public address.
func TestIGW_OneToOneNATBothWays_3_1_3_4(t *testing.T) {
	l := publicLab(t)
	r := l.send("p", tcp("10.0.4.40:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "source on the internet", r.Packet.Src, addr("198.51.100.40"))
	wantEq(t, "port kept (no PAT)", r.Packet.SrcPort, uint16(40000))
	wantEq(t, "TTL: the IGW is not a hop (§3.8 default)", r.Packet.TTL, uint8(255))

	in := l.send("internet", tcp("8.8.8.8:50000", "198.51.100.40:22").ttl(50))
	wantDelivered(t, in, "p")
	wantEq(t, "destination at the instance", in.Packet.Dst, addr("10.0.4.40"))
	wantEq(t, "source kept", in.Packet.Src, addr("8.8.8.8"))
	wantEq(t, "TTL unchanged", in.Packet.TTL, uint8(50))
	wantPath(t, in, "internet:send", "igw:translate", "acl:allow:inbound", "eni:receive", "sg:allow:ingress", "i:deliver")

	back := l.send("p", replyTo(in))
	wantExited(t, back, "igw-lab", "internet")
	wantEq(t, "reply source", back.Packet.Src, addr("198.51.100.40"))
	wantEq(t, "reply port", back.Packet.SrcPort, uint16(22))
}

// §3.1: each private IP maps to its own public IP (a secondary IP with its own EIP).
func TestIGW_SecondaryIPWithItsOwnEIP_3_1(t *testing.T) {
	l := publicLab(t)
	l.secondaryIP("p", "10.0.4.42")
	l.eni("p").PrivateIPs[1].PublicIP = addr("198.51.100.42")
	r := l.send("p", tcp("10.0.4.42:40000", "8.8.8.8:443"))
	wantExited(t, r, "igw-lab", "internet")
	wantEq(t, "source", r.Packet.Src, addr("198.51.100.42"))
	in := l.send("internet", tcp("8.8.8.8:50000", "198.51.100.42:22"))
	wantDelivered(t, in, "p")
	wantEq(t, "destination", in.Packet.Dst, addr("10.0.4.42"))
}

// §3.2, §3.3: egress checks: a public IP on the source, no RFC 1918 or RFC 6598 destination,
// no spoofed source, an attached IGW.
func TestIGW_EgressChecks_3_2_3_3(t *testing.T) {
	for _, tc := range []struct {
		name, from string
		p          pkt
		code       string
	}{
		{"source without a public IP", "q", tcp("10.0.4.41:40000", "8.8.8.8:443"), engine.CodeIGWPublicIPEgress},
		{"RFC 1918 destination", "p", tcp("10.0.4.40:40000", "172.16.5.5:443"), engine.CodeIGWDstRFC1918Egress},
		{"RFC 1918 destination 192.168", "p", tcp("10.0.4.40:40000", "192.168.1.1:443"), engine.CodeIGWDstRFC1918Egress},
		{"RFC 6598 destination", "p", tcp("10.0.4.40:40000", "100.64.1.1:443"), engine.CodeIGWDstRFC6598Egress},
		{"spoofed source from an appliance", "fw", tcp("10.0.4.99:40000", "8.8.8.8:443"), engine.CodeSpoofed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := publicLab(t)
			l.instance("fw", "p", "10.0.4.50", "web")
			l.appliance("fw") // no source/dest check: the packet reaches the IGW
			wantDroppedAt(t, l.send(tc.from, tc.p), tc.code, "igw-lab")
		})
	}
	t.Run("detached IGW", func(t *testing.T) {
		l := publicLab(t)
		l.topo.InternetGateways[0].VPC = ""
		r := l.send("p", tcp("10.0.4.40:40000", "8.8.8.8:443"))
		wantDroppedAt(t, r, engine.CodeBadStateAttachment, "igw-lab")
	})
}

// §3.4: ingress checks: an unknown public IP is not in the topology; RFC 1918 and RFC 6598
// sources are rejected; a VPC without an attached IGW receives nothing.
func TestIGW_IngressChecks_3_4(t *testing.T) {
	l := publicLab(t)
	r := l.send("internet", tcp("8.8.8.8:50000", "198.51.100.99:22"))
	wantDroppedAt(t, r, engine.CodeNotInTopology, "internet")
	wantDroppedAt(t, l.send("internet", tcp("10.1.2.3:50000", "198.51.100.40:22")), engine.CodeIGWSrcRFC1918Ingress, "igw-lab")
	wantDroppedAt(t, l.send("internet", tcp("100.100.1.1:50000", "198.51.100.40:22")), engine.CodeIGWSrcRFC6598Ingress, "igw-lab")
	// A private IP of the topology from the internet dies at the IGW of the VPC holding it: the
	// IGW admits only its VPC's public IPs (IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS); a private
	// address nobody holds is in no VPC at all.
	wantDroppedAt(t, l.send("internet", tcp("8.8.8.8:50000", "10.0.4.40:22")), engine.CodeIGWPrivateIPIngress, "igw-lab")
	wantDroppedAt(t, l.send("internet", tcp("8.8.8.8:50000", "10.0.4.199:22")), engine.CodeNotInTopology, "internet")

	l.topo.InternetGateways[0].VPC = ""
	l.changed()
	wantDroppedAt(t, l.send("internet", tcp("8.8.8.8:50000", "198.51.100.40:22")), engine.CodeBadStateAttachment, "vpc-lab")
}

// §3.5 [UNCERTAIN]: NAT reflection (inside → a public IP of the same topology through the IGW)
// is unsupported in vpclab's default: dropped at the IGW.
func TestIGW_NATReflectionUnsupportedDefault_3_5(t *testing.T) {
	l := publicLab(t)
	l.publicIP("q", "198.51.100.41")
	r := l.send("p", tcp("10.0.4.40:40000", "198.51.100.41:22"))
	wantDroppedAt(t, r, engine.CodeNGWHairpin, "igw-lab")
}

// vpnLab: subnet a with instance a, a VGW with a VPN (static 192.168.0.0/16) and an
// on-premises network 172.20.0.0/16, a's table routing everything to the VGW.
func vpnLab(t testing.TB) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a", "10.0.0.0/24")
	l.sg("a").in("all", -1, -1, "192.168.0.0/16")
	l.instance("a", "a", "10.0.0.11", "a")
	l.vgw()
	l.vpn("dc", "192.168.0.0/16")
	l.onPrem("branch", "172.20.0.0/16")
	l.rt("a", route("0.0.0.0/0", "vgw-lab"))
	l.assoc("a", "a")
	return l
}

// §7.3.2: the VGW forwards only towards prefixes it knows (VPN static routes, declared
// on-premises networks); a deleted VPN's routes are gone.
func TestVGW_ForwardsOnlyToKnownPrefixes_7_3_2(t *testing.T) {
	l := vpnLab(t)
	r := l.send("a", tcp("10.0.0.11:40000", "192.168.1.10:22"))
	wantExited(t, r, "vgw-lab", "onprem")
	wantEq(t, "source (a private IP, §7.3.3)", r.Packet.Src, addr("10.0.0.11"))
	wantEq(t, "TTL: the VGW is not a hop (§6.8 default)", r.Packet.TTL, uint8(255))
	wantExited(t, l.send("a", tcp("10.0.0.11:40000", "172.20.0.9:22")), "vgw-lab", "onprem")
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "8.8.8.8:443")), engine.CodeVGWNoRoute, "vgw-lab")

	l.topo.VPNConnections[0].State = "deleted"
	l.changed()
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "192.168.1.10:22")), engine.CodeVGWNoRoute, "vgw-lab")
}

// §7.3.1: a route to a VGW not attached to this VPC drops (the route is a blackhole).
func TestVGW_DetachedIsBlackhole_7_3_1(t *testing.T) {
	l := vpnLab(t)
	l.topo.VPNGateways[0].VPC = ""
	l.changed()
	wantDroppedAt(t, l.send("a", tcp("10.0.0.11:40000", "192.168.1.10:22")), engine.CodeBadStateAttachment, "vgw-lab")
}

// §7.3.3: VGW egress needs a source that is a private IP of an ENI in the VPC; ingress needs a
// destination that is one.
func TestVGW_PrivateIPAssociation_7_3_3(t *testing.T) {
	l := vpnLab(t)
	l.instance("fw", "a", "10.0.0.20")
	l.appliance("fw")
	r := l.send("fw", tcp("10.0.9.9:40000", "192.168.1.10:22"))
	wantDroppedAt(t, r, engine.CodeVGWPrivateIPEgress, "vgw-lab")

	for _, dst := range []string{"10.0.0.200", "8.8.8.8", "10.0.0.1"} {
		wantDroppedAt(t, l.send("vgw", tcp("192.168.1.10:40000", dst+":22")), engine.CodeVGWPrivateIPIngress, "vgw-lab")
	}
	in := l.send("vgw", tcp("192.168.1.10:40000", "10.0.0.11:22").ttl(60))
	wantDelivered(t, in, "a")
	wantPath(t, in, "onprem:send", "vgw:forward", "acl:allow:inbound", "eni:receive", "sg:allow:ingress", "i:deliver")
	wantEq(t, "TTL unchanged", in.Packet.TTL, uint8(60))
	wantEq(t, "sender outside any declared on-premises network", in.Hops[0].Component.ID, "on-premises")

	back := l.send("a", replyTo(in))
	wantExited(t, back, "vgw-lab", "onprem")

	// An unknown VGW is not in the topology.
	r = l.build().Send(l.st, engine.AtVPNGateway("vgw-nope"), in.Packet)
	wantDropped(t, r, engine.CodeUnknownResource, "vgw")
}

// §3.1, §2.3.5: an ICMP error crossing the IGW quotes the packet it is about; the IGW maps the
// quoted address too, or nothing behind it (a NAT gateway, a tracked flow) could match it.
func TestIGW_TranslatesTheQuoteOfICMPErrors_3_1(t *testing.T) {
	l := publicLab(t)
	l.sg("web").in("udp", 53, 53, "0.0.0.0/0")

	// Inbound: the internet host answers a probe that left with the public source.
	probe := l.send("p", udp("10.0.4.40:40000", "8.8.8.8:33434"))
	wantExited(t, probe, "igw-lab", "internet")
	in := l.send("internet", icmpError("8.8.8.8", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, probe.Packet))
	wantDelivered(t, in, "p")
	wantEq(t, "quoted source at the instance", in.Packet.Inner.Src, addr("10.0.4.40"))

	// Outbound: the instance's error about a packet from the internet quotes its private IP.
	req := l.send("internet", udp("8.8.8.8:50000", "198.51.100.40:53"))
	wantDelivered(t, req, "p")
	out := l.send("p", icmpError("10.0.4.40", packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, req.Packet))
	wantExited(t, out, "igw-lab", "internet")
	wantEq(t, "quoted destination on the internet", out.Packet.Inner.Dst, addr("198.51.100.40"))
}
