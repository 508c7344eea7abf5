package tools

import (
	"fmt"
	"io"
	"sort"

	"github.com/vpclab/vpclab/internal/packet"
)

// sorted returns the capture's records in time order (stable: simultaneous packets keep the
// order the simulation produced them in).
func (c *Capture) sorted() []Record {
	rs := append([]Record(nil), c.Records...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
	return rs
}

// WriteText prints the capture as `tcpdump -n -i eth0` would: one line per packet.
func (c *Capture) WriteText(w io.Writer) {
	for _, r := range c.sorted() {
		fmt.Fprintf(w, "%s %s\n", packet.FormatTimestamp(r.Time), packet.Summary(&r.Packet))
	}
}

// WritePcap writes the capture to w as a pcap file (raw IPv4 link type) for tcpdump -r and
// Wireshark. Where the file lives is the caller's business: tools does no I/O of its own.
func (c *Capture) WritePcap(w io.Writer) error {
	pw, err := packet.NewPcapWriter(w, packet.LinkTypeRaw)
	if err != nil {
		return err
	}
	for _, r := range c.sorted() {
		if err := pw.WritePacket(r.Time, r.Packet.Marshal()); err != nil {
			return err
		}
	}
	return nil
}
