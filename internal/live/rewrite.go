package live

import (
	"encoding/binary"
	"fmt"

	"github.com/vpclab/vpclab/internal/packet"
	"golang.org/x/sys/unix"
)

// rewrite turns IPv4 packet b, decoded as in, into the header the engine sent on (out), in
// place: addresses, ports or echo identifier, TTL. Checksums are updated incrementally, so IP
// and TCP options and the payload stay as the sender wrote them.
//
// hdr is the frame's virtio-net header (empty without one). With NEEDS_CSUM the L4 checksum
// field holds the partial sum of the pseudo-header that the receiver completes: an address
// change must reach it (the pseudo-header covers addresses), a port change must not (the
// receiver sums the ports itself).
func rewrite(b []byte, in, out *packet.Packet, hdr []byte) error {
	partial := partialChecksum(hdr, len(b))
	flip := func() {
		if partial >= 0 {
			binary.BigEndian.PutUint16(b[partial:], ^binary.BigEndian.Uint16(b[partial:]))
		}
	}
	keep := func(f func() error) error {
		if partial < 0 {
			return f()
		}
		old := binary.BigEndian.Uint16(b[partial:])
		err := f()
		binary.BigEndian.PutUint16(b[partial:], old)
		return err
	}
	if out.Src != in.Src {
		flip()
		err := packet.SetSrcAddr(b, out.Src)
		flip()
		if err != nil {
			return err
		}
	}
	if out.Dst != in.Dst {
		flip()
		err := packet.SetDstAddr(b, out.Dst)
		flip()
		if err != nil {
			return err
		}
	}
	switch {
	case in.HasPorts():
		if out.SrcPort != in.SrcPort {
			if err := keep(func() error { return packet.SetSrcPort(b, out.SrcPort) }); err != nil {
				return err
			}
		}
		if out.DstPort != in.DstPort {
			if err := keep(func() error { return packet.SetDstPort(b, out.DstPort) }); err != nil {
				return err
			}
		}
	case in.Proto == packet.ProtoICMP && !in.IsICMPError():
		if out.ICMPID != in.ICMPID {
			if err := keep(func() error { return packet.SetSrcPort(b, out.ICMPID) }); err != nil {
				return err
			}
		}
	}
	if out.TTL > in.TTL {
		return fmt.Errorf("the engine raised the TTL from %d to %d", in.TTL, out.TTL)
	}
	for ttl := in.TTL; ttl > out.TTL; ttl-- {
		if _, err := packet.DecrementTTL(b); err != nil {
			return err
		}
	}
	return nil
}

// partialChecksum returns where in IPv4 packet b (of n bytes, after an Ethernet header) the
// L4 checksum is, when the virtio-net header says it is partial (NEEDS_CSUM); else -1.
func partialChecksum(hdr []byte, n int) int {
	if len(hdr) < vnetHdrLen || hdr[0]&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM == 0 {
		return -1
	}
	start := int(binary.NativeEndian.Uint16(hdr[6:])) - ethLen
	pos := start + int(binary.NativeEndian.Uint16(hdr[8:]))
	if start < 20 || pos+2 > n {
		return -1
	}
	return pos
}
