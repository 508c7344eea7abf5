package tools

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/packet"
)

// WritePcap encodes to any writer: a libpcap header with the raw IPv4 link type, then the
// records in time order (simultaneous ones in the order they were captured).
func TestWritePcap(t *testing.T) {
	p := func(id uint16) packet.Packet {
		return packet.Packet{Src: netip.MustParseAddr("10.0.2.149"), Dst: netip.MustParseAddr("10.0.1.55"),
			Proto: packet.ProtoICMP, TTL: 254, ID: id, ICMPType: 8, ICMPID: 1, ICMPSeq: id, PayloadLen: 56}
	}
	t0 := SimEpoch
	c := &Capture{Name: "destination", Records: []Record{
		{Time: t0.Add(2 * time.Millisecond), Packet: p(3)},
		{Time: t0, Packet: p(1)},
		{Time: t0, Packet: p(2)},
	}}
	var buf bytes.Buffer
	if err := c.WritePcap(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if len(data) < 24 || binary.LittleEndian.Uint32(data) != 0xa1b2c3d4 ||
		binary.LittleEndian.Uint32(data[20:]) != packet.LinkTypeRaw {
		t.Fatalf("file header % x; want the libpcap magic and link type %d", data[:min(len(data), 24)], packet.LinkTypeRaw)
	}
	data = data[24:]
	for i, want := range []Record{c.Records[1], c.Records[2], c.Records[0]} {
		wire := want.Packet.Marshal()
		if len(data) < 16+len(wire) {
			t.Fatalf("record %d: %d bytes left, want %d", i, len(data), 16+len(wire))
		}
		sec, usec := binary.LittleEndian.Uint32(data), binary.LittleEndian.Uint32(data[4:])
		incl, orig := binary.LittleEndian.Uint32(data[8:]), binary.LittleEndian.Uint32(data[12:])
		if int64(sec) != want.Time.Unix() || int(usec) != want.Time.Nanosecond()/1000 ||
			int(incl) != len(wire) || int(orig) != len(wire) || !bytes.Equal(data[16:16+len(wire)], wire) {
			t.Errorf("record %d: %d.%06d %d/%d % x; want ICMP seq %d at %v", i, sec, usec, incl, orig,
				data[16:16+len(wire)], want.Packet.ICMPSeq, want.Time)
		}
		data = data[16+len(wire):]
	}
	if len(data) != 0 {
		t.Errorf("%d bytes after the last record", len(data))
	}
}

// A writer's error comes back from WritePcap, so the CLI can report it.
func TestWritePcapReportsWriteErrors(t *testing.T) {
	c := &Capture{Name: "x", Records: []Record{{Time: SimEpoch, Packet: packet.Packet{
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), Proto: packet.ProtoUDP, TTL: 64}}}}
	for _, n := range []int{0, 24} { // fail on the file header, then on the first record
		if err := c.WritePcap(&failingWriter{n: n}); err == nil {
			t.Errorf("writer failing after %d bytes: no error", n)
		}
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		return 0, errors.New("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}
