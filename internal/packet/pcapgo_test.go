// This test reads PcapWriter's files back with gopacket's pcapgo, an independent reader.

package packet_test

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/vpclab/vpclab/internal/packet"
)

func TestPcapgoReadsPcapWriter(t *testing.T) {
	ts := time.Date(2021, 9, 25, 11, 17, 40, 881952000, time.UTC)
	probe := packet.Packet{Src: netip.MustParseAddr("10.0.2.149"), Dst: netip.MustParseAddr("10.0.1.55"),
		Proto: packet.ProtoUDP, TTL: 1, SrcPort: 59743, DstPort: 33437, PayloadLen: 32}
	src := packet.MAC{0x02, 0, 0x5e, 0x10, 0, 1}
	dst := packet.MAC{0x02, 0, 0x5e, 0x10, 0, 2}
	for _, tc := range []struct {
		linkType uint32
		gpType   layers.LinkType
		data     []byte
		first    gopacket.LayerType
	}{
		{packet.LinkTypeRaw, layers.LinkTypeRaw, probe.Marshal(), layers.LayerTypeIPv4},
		{packet.LinkTypeEthernet, layers.LinkTypeEthernet, packet.EncodeEthernet(dst, src, packet.EtherTypeIPv4, probe.Marshal()), layers.LayerTypeEthernet},
	} {
		var buf bytes.Buffer
		w, err := packet.NewPcapWriter(&buf, tc.linkType)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := w.WritePacket(ts.Add(time.Duration(i)*time.Second), tc.data); err != nil {
				t.Fatal(err)
			}
		}
		r, err := pcapgo.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if r.LinkType() != tc.gpType || r.Snaplen() != packet.PcapSnapLen {
			t.Errorf("link type %v, snaplen %d", r.LinkType(), r.Snaplen())
		}
		for i := range 3 {
			data, ci, err := r.ReadPacketData()
			if err != nil {
				t.Fatal(err)
			}
			if !ci.Timestamp.Equal(ts.Add(time.Duration(i)*time.Second)) || ci.CaptureLength != len(tc.data) ||
				ci.Length != len(tc.data) || !bytes.Equal(data, tc.data) {
				t.Errorf("packet %d: %+v % x", i, ci, data)
			}
			gp := gopacket.NewPacket(data, tc.first, gopacket.Default)
			udp, ok := gp.Layer(layers.LayerTypeUDP).(*layers.UDP)
			if !ok || udp.SrcPort != 59743 || udp.DstPort != 33437 || len(udp.Payload) != 32 {
				t.Errorf("packet %d: gopacket decodes %v", i, gp)
			}
		}
		if _, _, err := r.ReadPacketData(); !errors.Is(err, io.EOF) {
			t.Errorf("after the last packet: %v", err)
		}
	}
}
