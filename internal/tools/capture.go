package tools

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// WritePcap writes the capture to dir/NAME.pcap (raw IPv4 link type) for tcpdump -r and
// Wireshark. It returns the file's path.
func (c *Capture) WritePcap(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, c.Name+".pcap")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	pw, err := packet.NewPcapWriter(f, packet.LinkTypeRaw)
	if err == nil {
		for _, r := range c.sorted() {
			if err = pw.WritePacket(r.Time, r.Packet.Marshal()); err != nil {
				break
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}
