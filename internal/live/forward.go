package live

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

const (
	ethLen = 14
	// frameCap holds the largest frame a device hands over: a virtio-net header, an Ethernet
	// header and a 64 KiB IPv4 packet (a TSO super-packet).
	frameCap = vnetHdrLen + ethLen + 0xffff
)

// worker moves frames. Its buffers are reused for every frame: the frame read, and a scratch
// buffer for packets built anew (ICMP errors and what the network generates).
type worker struct {
	d   *Dataplane
	in  *port // the device the current frame came from
	buf []byte
	out []byte
}

func newWorker(d *Dataplane) *worker {
	return &worker{d: d, buf: make([]byte, frameCap), out: make([]byte, frameCap)}
}

// frame handles one frame the device sent: ARP is answered, IPv4 goes through the engine,
// anything else (IPv6, LLDP, ...) is not part of the model and is dropped.
func (w *worker) frame(in *port, b []byte) {
	w.in = in
	if len(b) < w.in.vnet+ethLen {
		return
	}
	hdr, eth := b[:w.in.vnet], b[w.in.vnet:]
	switch binary.BigEndian.Uint16(eth[12:]) {
	case packet.EtherTypeARP:
		w.arp(eth[ethLen:])
	case packet.EtherTypeIPv4:
		w.ipv4(hdr, eth[ethLen:])
	}
}

// arp answers every request with the router's MAC (proxy ARP), except for the asker's own
// addresses: a gratuitous announcement or a duplicate address probe gets no answer.
func (w *worker) arp(b []byte) {
	a, err := packet.DecodeARP(b)
	if err != nil || a.Op != packet.ARPOpRequest || a.TargetIP == a.SenderIP || w.in.owns(a.TargetIP) {
		return
	}
	f := w.out[:w.in.vnet]
	clear(f)
	f = append(f, packet.ARPReply(a, RouterMAC)...)
	w.write(w.in, f)
}

// ipv4 takes one packet through the engine and sends on what comes out.
func (w *worker) ipv4(hdr, b []byte) {
	p, err := packet.Decode(b)
	if err != nil {
		w.d.log.printf("drop: %s %s sent a packet vpclab cannot read: %v", w.in.dev.Node.Name, w.in.dev.Port.Device, err)
		return
	}
	b = b[:binary.BigEndian.Uint16(b[2:])]     // without link-layer padding
	if len(hdr) >= vnetHdrLen && hdr[1] != 0 { // gso_type: the device will segment it (TSO)
		p.SegSize = binary.NativeEndian.Uint16(hdr[4:6])
	}
	r := w.d.send(w.in.loc, p)
	if w.d.Trace {
		w.d.log.logf("%s %s: %s -> %s %s", w.in.dev.Node.Name, w.in.dev.Port.Device, p.String(), r.Outcome, r.Packet.String())
	}
	w.forward(r, &p, hdr, b)
	for g := r.Generated; g != nil; g = g.Generated {
		w.generated(g)
	}
}

// forward sends on the packet of a journey, rewritten in place in the frame it came in.
func (w *worker) forward(r *engine.Result, in *packet.Packet, hdr, b []byte) {
	if r.Outcome == engine.Dropped {
		w.d.log.drop(r)
		return
	}
	to := w.d.portOf(r)
	if to == nil {
		w.d.log.printf("drop %s: it %s and the lab has no namespace there", r.Packet.String(), outcomeText(r))
		return
	}
	out := &r.Packet
	if to.host == KindServiceHost && out.Proto == packet.ProtoTCP && !slices.Contains(tools.ServicePorts, out.DstPort) {
		// The service behind a gateway endpoint listens on its ports only, and a connection
		// to another times out, as the simulated stub's does (§7.4.7, DEFAULTS.md): no RST
		// from the namespace's kernel.
		return
	}
	if r.Rebuilt {
		w.tunnel(to, in, out, hdr, b)
		return
	}
	if out.IsICMPError() && !sameQuote(in.Inner, out.Inner) {
		// The quoted header was translated (§2.3.5): build the packet anew around the
		// original bytes after the quote.
		w.send(to, out)
		return
	}
	if err := rewrite(b, in, out, hdr); err != nil {
		w.d.log.printf("drop %s: rewriting: %v", out.String(), err)
		return
	}
	// The frame goes out from the buffer it came in: the virtio-net header (offloads, if any)
	// stays as it was, the Ethernet header is the router's to the receiving device. Every
	// device of a lab has the same header size (NewDataplane checks).
	f := w.buf[:w.in.vnet+ethLen+len(b)]
	w.ethernet(f[w.in.vnet:], to)
	w.write(to, f)
}

// generated sends a packet the network itself originated (a NAT gateway's time exceeded or
// RST), built from its header.
func (w *worker) generated(g *engine.Result) {
	if g.Outcome == engine.Dropped {
		w.d.log.drop(g)
		return
	}
	if to := w.d.portOf(g); to != nil {
		w.send(to, &g.Packet)
	}
}

// send marshals p into the scratch buffer and writes it to a device.
func (w *worker) send(to *port, p *packet.Packet) {
	if p.Len() > 0xffff {
		return
	}
	f := w.out[:to.vnet+ethLen]
	clear(f[:to.vnet]) // no offloads: the checksums are complete
	w.ethernet(f[to.vnet:], to)
	f = p.AppendTo(f)
	w.write(to, f)
}

// ethernet writes the Ethernet header of a frame from the router to a device.
func (w *worker) ethernet(eth []byte, to *port) {
	copy(eth[0:6], to.mac[:])
	copy(eth[6:12], RouterMAC[:])
	binary.BigEndian.PutUint16(eth[12:], packet.EtherTypeIPv4)
}

func (w *worker) write(to *port, f []byte) {
	if _, err := unix.Write(to.dev.FD, f); err != nil {
		w.d.log.printf("%s %s: writing a frame of %d bytes: %v", to.dev.Node.Name, to.dev.Port.Device, len(f), err)
	}
}

func outcomeText(r *engine.Result) string {
	if r.Outcome == engine.Delivered {
		return fmt.Sprintf("was delivered to %s", r.ENI)
	}
	return fmt.Sprintf("left through %s towards %s", r.Exit.Gateway, r.Packet.Dst)
}

// sameQuote reports whether two quoted headers agree on what translation changes.
func sameQuote(a, b *packet.Packet) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Src == b.Src && a.Dst == b.Dst && a.SrcPort == b.SrcPort && a.DstPort == b.DstPort &&
		a.ICMPID == b.ICMPID && a.TTL == b.TTL
}

// tunnel sends on a packet a Gateway Load Balancer wrapped in GENEVE for a real target, or
// unwrapped from what the target sent back (engine.Result.Rebuilt, §13.9). The inner packet
// is the sender's own bytes, rewritten in place as any forwarded packet is, so its IP and TCP
// options and payload cross the appliance as they were sent; only the outer headers and the
// GENEVE header with AWS's options are built anew.
func (w *worker) tunnel(to *port, in, out *packet.Packet, hdr, b []byte) {
	g, innerOut, err := packet.DecodeGENEVE(out.Payload)
	if err == nil && out.Proto == packet.ProtoUDP && (in.Proto != packet.ProtoUDP || in.DstPort != packet.GENEVEPort) {
		// Wrapping: the engine's inner packet says what changed on the way (an internet
		// gateway's destination NAT); the original bytes take those changes.
		inner, err := packet.Decode(innerOut)
		if err == nil {
			err = rewrite(b, in, &inner, hdr)
		}
		if err == nil && len(hdr) >= vnetHdrLen && hdr[1] != 0 {
			err = fmt.Errorf("a segmentation-offload super-packet of %d bytes cannot be wrapped whole", len(b))
		}
		if err != nil {
			w.d.log.printf("drop %s: wrapping it in GENEVE: %v", out.String(), err)
			return
		}
		completeChecksum(b, hdr)
		gh, _ := g.AppendTo(w.out[:0:0])
		wrapped := *out
		wrapped.Payload = append(gh, b...)
		w.send(to, &wrapped)
		return
	}
	// Unwrapping: the inner packet is in the datagram the target sent, after the GENEVE
	// header; it takes the engine's changes in place.
	ihl := int(b[0]&0x0f) * 4
	if len(b) < ihl+8 {
		w.d.log.printf("drop %s: the GENEVE datagram is truncated", out.String())
		return
	}
	_, raw, err := packet.DecodeGENEVE(b[ihl+8:])
	var inner packet.Packet
	if err == nil {
		inner, err = packet.Decode(raw)
	}
	if err == nil {
		raw = raw[:binary.BigEndian.Uint16(raw[2:])]
		err = rewrite(raw, &inner, out, nil)
	}
	if err != nil {
		w.d.log.printf("drop %s: unwrapping it from GENEVE: %v", out.String(), err)
		return
	}
	f := w.out[:to.vnet+ethLen]
	clear(f[:to.vnet])
	w.ethernet(f[to.vnet:], to)
	w.write(to, append(f, raw...))
}

// completeChecksum finishes an L4 checksum the sender left partial (the virtio-net header's
// NEEDS_CSUM: the field holds the pseudo-header's sum, the device was to add the rest), as a
// packet wrapped in GENEVE leaves no device that would.
func completeChecksum(b, hdr []byte) {
	pos := partialChecksum(hdr, len(b))
	if pos < 0 {
		return
	}
	start := int(binary.NativeEndian.Uint16(hdr[6:])) - ethLen
	var sum uint32
	d := b[start:]
	for len(d) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(d))
		d = d[2:]
	}
	if len(d) == 1 {
		sum += uint32(d[0]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[pos:], ^uint16(sum))
}
