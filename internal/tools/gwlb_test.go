package tools

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// The example lab of design D3 (§15, examples/gwlb-north-south), end to end from the YAML:
// web reaches the internet through gwlbe-a and fw-a both ways (GWLB-1), and a capture on fw-a
// holds GENEVE to UDP 6081 with AWS's three options around the unchanged packet (GWLB-2).
func TestGWLBExampleLab_13(t *testing.T) {
	topo, s := exampleLab(t, "gwlb-north-south")
	capt, err := s.CaptureOn("fw-a")
	if err != nil {
		t.Fatal(err)
	}
	web, dst := mustResolve(t, s, "web"), mustResolve(t, s, "93.184.216.34")
	tr := s.Trace(web, dst, TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	if tr.Forward.Outcome != engine.Exited || tr.Return == nil || tr.Return.Outcome != engine.Delivered {
		t.Fatalf("web to the internet: %v %s %s; return %+v", tr.Forward.Outcome, tr.Forward.Code, tr.Forward.Detail, tr.Return)
	}
	fw := ""
	for _, in := range topo.Instances {
		if in.Name == "fw-a" {
			fw = string(in.ID)
		}
	}
	for _, r := range []*engine.Result{tr.Forward, tr.Return} {
		wantThrough(t, r, fw)
	}
	if len(capt.Records) != 4 {
		t.Fatalf("fw-a captured %d packets, want GENEVE in and out for each direction", len(capt.Records))
	}
	sent := tr.Forward.Hops[0].In
	for i, rec := range capt.Records {
		p := rec.Packet
		if p.Proto != packet.ProtoUDP || (p.DstPort != packet.GENEVEPort) == (i%2 == 0) {
			t.Errorf("record %d: %s, want UDP to 6081 then back from it", i, packet.Summary(&p))
		}
		g, inner, err := packet.DecodeGENEVE(p.Payload)
		if err != nil || !g.HasAWSOptions() {
			t.Fatalf("record %d: %v %+v", i, err, g)
		}
		if i < 2 && !bytes.Equal(inner, sent.Marshal()) {
			t.Errorf("record %d: inner packet\n% x\nwant the packet web sent, TTL and all\n% x", i, inner, sent.Marshal())
		}
	}
	var pcap bytes.Buffer
	if err := capt.WritePcap(&pcap); err != nil {
		t.Fatal(err)
	}
	// The first record as it is on the wire: outer IPv4 to 10.1.0.10 (the GENEVE leg), UDP
	// 6081, the GENEVE header with class 0x0108 options 1, 2 and 3 (§13.9), then web's SYN.
	first := capt.Records[0].Packet.Marshal()
	const golden = "4500006c00004000ff11" // IPv4, 108 bytes (68 + 40), DF, TTL 255, UDP
	if got := hex.EncodeToString(first[:10]); got != golden || !strings.HasPrefix(hex.EncodeToString(first[28:48]), "080008000000000001080102") {
		t.Errorf("first record % x", first[:48])
	}
	if !bytes.Contains(pcap.Bytes(), first) {
		t.Error("the pcap lacks the first record's bytes")
	}
}
