package packet

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"
)

// Link types of a pcap file (https://www.tcpdump.org/linktypes.html).
const (
	LinkTypeEthernet uint32 = 1   // Ethernet II frames (EncodeEthernet)
	LinkTypeRaw      uint32 = 101 // bare IPv4 packets (Marshal)
)

// PcapSnapLen is the snapshot length a PcapWriter declares; longer packets are truncated.
const PcapSnapLen = 262144

// PcapWriter writes a classic libpcap capture file: microsecond timestamps, version 2.4,
// little-endian. It is safe for concurrent use; each packet is one Write to the underlying
// writer.
type PcapWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// NewPcapWriter writes the file header to w and returns a writer for its packets.
func NewPcapWriter(w io.Writer, linkType uint32) (*PcapWriter, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4) // magic: microsecond timestamps
	binary.LittleEndian.PutUint16(h[4:], 2)          // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	// h[8:16]: thiszone (GMT offset) and sigfigs, both 0.
	binary.LittleEndian.PutUint32(h[16:], PcapSnapLen)
	binary.LittleEndian.PutUint32(h[20:], linkType)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: writing file header: %w", err)
	}
	return &PcapWriter{w: w}, nil
}

// WritePacket writes one packet record: data captured at ts, truncated to PcapSnapLen.
func (pw *PcapWriter) WritePacket(ts time.Time, data []byte) error {
	incl := min(len(data), PcapSnapLen)
	pw.mu.Lock()
	defer pw.mu.Unlock()
	b := pw.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, uint32(ts.Unix()))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts.Nanosecond()/1000))
	b = binary.LittleEndian.AppendUint32(b, uint32(incl))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data[:incl]...)
	pw.buf = b
	if _, err := pw.w.Write(b); err != nil {
		return fmt.Errorf("pcap: writing packet: %w", err)
	}
	return nil
}
