package tools

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Hosts is the host side of a topology: the instances behind its ENIs and the declared hosts
// on the internet and on-premises, with the initial TTL of each one's OS (§6.7) and how its
// stack answers. The simulator and the analyzer share it, so both see the same hosts answer
// the same way.
type Hosts struct{ net *engine.Network }

// NewHosts is the hosts of a compiled network; the network's own indexes answer for them.
func NewHosts(n *engine.Network) *Hosts { return &Hosts{net: n} }

const externalTTL = 64 // a typical Linux host beyond the VPC (§6.7)

func ttlOr(t uint8) uint8 {
	if t == 0 {
		return externalTTL
	}
	return t
}

// ENIEndpoint is the instance (or bare interface) behind an ENI as an endpoint, at the ENI's
// primary IP.
func (h *Hosts) ENIEndpoint(id model.ENIID, label string) Endpoint {
	ep := Endpoint{Kind: EndpointENI, ENI: id, Label: label, TTL: model.DefaultInitialTTL}
	if e, in, _, ok := h.net.Interface(id); ok {
		ep.IP = e.PrimaryIP()
		if in != nil && in.InitialTTL != 0 {
			ep.TTL = in.InitialTTL
		}
	}
	if ports, ok := h.net.ServicePorts(id); ok { // an interface endpoint's service (§7.4.13)
		ep.Ports = ports
	}
	return ep
}

// InternetEndpoint is a host on the internet: a declared one by its address, or any other.
func (h *Hosts) InternetEndpoint(ip netip.Addr, label string) Endpoint {
	ttl := uint8(externalTTL)
	for _, x := range h.net.Topology.InternetHosts {
		if x.IP == ip {
			ttl = ttlOr(x.InitialTTL)
		}
	}
	if label == "internet" || strings.HasPrefix(label, "internet:") {
		label = ip.String()
	}
	return Endpoint{Kind: EndpointInternet, IP: ip, Label: label, TTL: ttl}
}

func (h *Hosts) onPremTTL(a netip.Addr) uint8 {
	for _, o := range h.net.Topology.OnPremises {
		for _, x := range o.Hosts {
			if x.IP == a {
				return ttlOr(x.InitialTTL)
			}
		}
	}
	return externalTTL
}

// Responder is the host a journey ended at: the instance behind the ENI it was delivered to,
// or the host on the internet or on-premises it left towards, beyond the gateway it left
// through (a VGW, a transit gateway's VPN attachment, a DX gateway), so that its answer comes
// back the way the journey left.
func (h *Hosts) Responder(end engine.End) (Endpoint, bool) {
	switch end.Outcome {
	case engine.Delivered:
		ep := h.ENIEndpoint(end.ENI, string(end.ENI))
		ep.IP = end.Packet.Dst
		return ep, true
	case engine.Exited:
		dst := end.Packet.Dst
		if end.Exit.Gateway.Kind == engine.KindVPNGateway {
			return Endpoint{Kind: EndpointOnPrem, VGW: model.VPNGatewayID(end.Exit.Gateway.ID), IP: dst,
				Label: dst.String(), TTL: h.onPremTTL(dst)}, true
		}
		if ep, ok := h.responderBeyond(end.Exit.Gateway, dst); ok {
			return ep, true
		}
		return h.InternetEndpoint(dst, dst.String()), true
	}
	return Endpoint{}, false
}

// Reaches reports whether a journey ended at an endpoint: delivered to its ENI, or left the
// network towards its address. An address endpoint is reached by delivery to it, or to the
// interface its public IP maps to (§3.4). An endpoint beyond a resource is reached at its
// address: by leaving through the resource (a VPN, a DX gateway, an internet gateway), or by
// delivery past it (in the subnet, in a VPC of the peering, in the VPC of a VPC attachment).
func (h *Hosts) Reaches(end engine.End, ep Endpoint) bool {
	switch end.Outcome {
	case engine.Delivered:
		switch ep.Kind {
		case EndpointENI:
			return end.ENI == ep.ENI
		case EndpointAddress:
			eni, _, mapped := h.net.PublicMapping(ep.IP)
			return end.Packet.Dst == ep.IP || mapped && eni == end.ENI
		}
		return end.Packet.Dst == ep.IP && h.deliveredBeyond(end.ENI, ep)
	case engine.Exited:
		if ep.Kind == EndpointENI || end.Packet.Dst != ep.IP {
			return false
		}
		if _, isBeyond := resourceLocations[ep.Kind]; !isBeyond {
			return true
		}
		gw, anyExit, ok := h.beyondExit(ep)
		return ok && (anyExit || end.Exit.Gateway.ID == gw)
	}
	return false
}

// Target is the endpoint packets from `from` are addressed to: an instance named by its name
// or ID is reached from the internet at its public IP (§3.4), from anywhere else at its
// private IP. An endpoint named by its address is taken as written.
func (h *Hosts) Target(from, to Endpoint) Endpoint {
	if from.Kind != EndpointInternet && from.Kind != EndpointInternetGateway || to.Kind != EndpointENI || to.Literal {
		return to
	}
	if eni, _, _, ok := h.net.Interface(to.ENI); ok {
		for _, p := range eni.PrivateIPs {
			if p.Addr == to.IP && p.PublicIP.IsValid() {
				to.IP = p.PublicIP
			}
		}
	}
	return to
}

// ServicePorts are the TCP ports the AWS service behind a gateway endpoint listens on
// (§7.4.7); the analyzer cuts the port space at them.
var ServicePorts = []uint16{80, 443}

// AnswerFrom is what responder resp sends back to p (Answer), and whether it answers. An AWS
// service is a stub that listens on its ports only (Endpoint.Ports): behind a gateway
// endpoint TCP 443 and 80, and it answers ping (§7.4.7); behind an interface endpoint its
// service's ports (§7.4.13). A TCP packet to another port goes unanswered, as a connection to
// S3 on another port times out (DEFAULTS.md).
func AnswerFrom(resp Endpoint, p packet.Packet, service bool) (packet.Packet, bool) {
	if resp.Ports != nil && p.Proto == packet.ProtoTCP && !slices.Contains(*resp.Ports, p.DstPort) {
		return packet.Packet{}, false
	}
	return Answer(p, resp.TTL, service)
}

// Answer is what a host's stack sends back to p, and whether it answers at all.
//   - ICMP echo request: echo reply (§6.7: with the host's initial TTL);
//   - UDP: ICMP port unreachable quoting p, unless service is set (then a UDP reply);
//   - TCP SYN: SYN-ACK (a listening service); other TCP: RST;
//   - another protocol: a packet back in kind when service is set, else nothing.
func Answer(p packet.Packet, ttl uint8, service bool) (packet.Packet, bool) {
	r := packet.Packet{Src: p.Dst, Dst: p.Src, TTL: ttl, Proto: p.Proto}
	switch p.Proto {
	case packet.ProtoICMP:
		if p.ICMPType != packet.ICMPEchoRequest {
			return r, false
		}
		r.ICMPType, r.ICMPID, r.ICMPSeq, r.PayloadLen, r.Payload = packet.ICMPEchoReply, p.ICMPID, p.ICMPSeq, p.PayloadLen, p.Payload
	case packet.ProtoUDP:
		if service {
			r.SrcPort, r.DstPort, r.PayloadLen = p.DstPort, p.SrcPort, p.DataLen()
			break
		}
		r.Proto, r.ICMPType, r.ICMPCode, r.Inner = packet.ProtoICMP, packet.ICMPDestUnreachable, packet.ICMPCodePortUnreachable, p.Quote()
		// Linux quotes as much of the datagram as fits in 576 bytes (RFC 1812), so the
		// seed's tcpdump shows "length 68" for a 60-byte probe: the quote's header and 8
		// bytes, then the rest of the datagram as the error's payload.
		r.PayloadLen = max(0, min(p.Len(), 576-20-8)-28)
	case packet.ProtoTCP:
		r.SrcPort, r.DstPort = p.DstPort, p.SrcPort
		if p.TCPFlags&packet.TCPSyn != 0 && p.TCPFlags&packet.TCPAck == 0 {
			r.TCPFlags, r.Seq, r.Ack, r.Window = packet.TCPSyn|packet.TCPAck, 2000000001, p.Seq+1, 62643
		} else {
			r.TCPFlags, r.Seq, r.Ack = packet.TCPRst|packet.TCPAck, 0, p.Seq+1
		}
	default:
		if !service {
			return r, false
		}
		r.PayloadLen = p.DataLen() // a service of another protocol answers in kind
	}
	return r, true
}

// hostDelay is how long a host's stack takes to answer (tcpdump on the host shows the reply
// this long after the request).
const hostDelay = 20 * time.Microsecond
