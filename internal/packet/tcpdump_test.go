package packet

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var seedTime = time.Date(2021, 9, 25, 11, 17, 40, 881952000, time.UTC)

func TestFormatTimestamp(t *testing.T) {
	if got := FormatTimestamp(seedTime); got != "11:17:40.881952" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	if got := FormatTimestamp(seedTime.Add(48*time.Microsecond + 999*time.Nanosecond)); got != "11:17:40.882000" {
		t.Errorf("FormatTimestamp truncates, as pcap does: %q", got)
	}
}

// The seed's lines (with -n addresses) and the shapes the brief lists.
var summaryCases = []struct {
	p    Packet
	want string
}{
	{probe, "IP 10.0.2.149.59743 > 10.0.1.55.33437: UDP, length 32"},
	{with(icmpErr("10.0.1.55", ICMPDestUnreachable, ICMPCodePortUnreachable, probe), func(p *Packet) { p.PayloadLen = 32 }),
		"IP 10.0.1.55 > 10.0.2.149: ICMP 10.0.1.55 udp port 33437 unreachable, length 68"},
	{echoReq, "IP 10.0.2.149 > 10.0.1.55: ICMP echo request, id 31391, seq 1, length 64"},
	{echoPkt("10.0.1.55", "10.0.2.149", ICMPEchoReply, 31391, 1, 56), "IP 10.0.1.55 > 10.0.2.149: ICMP echo reply, id 31391, seq 1, length 64"},
	{icmpErr("10.0.2.149", ICMPTimeExceeded, ICMPCodeTTLInTransit, with(echoPkt("10.0.0.11", "10.0.1.55", ICMPEchoRequest, 7, 1, 56), func(p *Packet) { p.TTL = 1 })),
		"IP 10.0.2.149 > 10.0.0.11: ICMP time exceeded in-transit, length 36"},
	{syn, "IP 10.0.0.11.40000 > 10.0.1.55.80: Flags [S], seq 1000, win 62727, length 0"},
	{tcpPkt("10.0.1.55", 80, "10.0.0.11", 40000, TCPSyn|TCPAck, 2000, 1001), "IP 10.0.1.55.80 > 10.0.0.11.40000: Flags [S.], seq 2000, ack 1001, win 62727, length 0"},
	{with(tcpPkt("10.0.1.55", 81, "10.0.0.11", 40000, TCPRst|TCPAck, 0, 1001), func(p *Packet) { p.Window = 0 }),
		"IP 10.0.1.55.81 > 10.0.0.11.40000: Flags [R.], seq 0, ack 1001, win 0, length 0"},
	{with(tcpPkt("10.0.0.11", 40001, "10.0.1.55", 80, TCPPsh|TCPAck, 1001, 2001), func(p *Packet) { p.Payload = []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }),
		"IP 10.0.0.11.40001 > 10.0.1.55.80: Flags [P.], seq 1001:1028, ack 2001, win 62727, length 27: HTTP: GET / HTTP/1.1"},
	{with(tcpPkt("10.0.0.11", 40002, "10.0.1.55", 443, TCPAck, 1, 1), func(p *Packet) { p.PayloadLen = 100 }),
		"IP 10.0.0.11.40002 > 10.0.1.55.443: Flags [.], seq 1:101, ack 1, win 62727, length 100"},
	{Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 253, TTL: 64, PayloadLen: 20}, "IP 10.0.0.11 > 8.8.8.8:  ip-proto-253 20"},
	{Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 50, TTL: 64, PayloadLen: 20}, "IP 10.0.0.11 > 8.8.8.8: ESP(spi=0x00010203,seq=0x4050607), length 20"},
	{Packet{Src: addr("10.0.0.11"), Dst: addr("8.8.8.8"), Proto: 50, TTL: 64, PayloadLen: 8}, "IP 10.0.0.11 > 8.8.8.8:  [|esp]"},
	{with(probe, func(p *Packet) { p.FragOff = 185 }), "IP 10.0.2.149 > 10.0.1.55: ip-proto-17"},
	{with(icmpErr("10.0.2.149", ICMPDestUnreachable, ICMPCodeFragNeeded, syn), func(p *Packet) { p.ICMPSeq = 1500 }),
		"IP 10.0.2.149 > 10.0.0.11: ICMP 10.0.1.55 unreachable - need to frag (mtu 1500), length 36"},
	{icmpErr("10.0.2.1", ICMPDestUnreachable, ICMPCodeAdminProhibited, syn), "IP 10.0.2.1 > 10.0.0.11: ICMP host 10.0.1.55 unreachable - admin prohibited filter, length 36"},
	{Packet{Src: addr("10.0.2.1"), Dst: addr("10.0.0.11"), Proto: ProtoICMP, ICMPType: ICMPDestUnreachable, ICMPCode: 1}, "IP 10.0.2.1 > 10.0.0.11:  [|icmp]"},
}

func TestSummary(t *testing.T) {
	for _, tc := range summaryCases {
		if got := Summary(&tc.p); got != tc.want {
			t.Errorf("Summary(%v)\n got %q\nwant %q", tc.p, got, tc.want)
		}
	}
}

// tcpdump runs the real tcpdump on a pcap of packets and returns its lines, skipping the test
// if tcpdump is not installed.
func tcpdump(t *testing.T, linkType uint32, ps []Packet, args ...string) []string {
	t.Helper()
	path, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not on PATH (apt-get install tcpdump): cannot compare summaries with the real thing")
	}
	file := filepath.Join(t.TempDir(), "test.pcap")
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, linkType)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		data := ps[i].Marshal()
		if linkType == LinkTypeEthernet {
			data = EncodeEthernet(macB, macA, EtherTypeIPv4, data)
		}
		if err := w.WritePacket(seedTime.Add(time.Duration(i)*time.Millisecond), data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, append(args, "-r", file)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, stderr.Bytes())
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// compareWithTcpdump checks that tcpdump's line for each packet is the capture line we print.
func compareWithTcpdump(t *testing.T, lines []string, ps []Packet) {
	t.Helper()
	if len(lines) != len(ps) {
		t.Fatalf("tcpdump printed %d lines for %d packets:\n%s", len(lines), len(ps), strings.Join(lines, "\n"))
	}
	bad := 0
	for i := range ps {
		want := FormatTimestamp(seedTime.Add(time.Duration(i)*time.Millisecond)) + " " + Summary(&ps[i])
		if lines[i] != want {
			t.Errorf("packet %d %v (% x):\ntcpdump %q\nSummary %q", i, ps[i], ps[i].Marshal(), lines[i], want)
			if bad++; bad == 10 {
				t.Fatal("too many differences")
			}
		}
	}
}

// The handful: the seed's shapes, read by plain "tcpdump -n" from an Ethernet capture like
// the seed's. (Each TCP packet with ACK is the first of its connection, so tcpdump prints its
// numbers absolute even without -S.)
func TestTcpdumpSeedShapes(t *testing.T) {
	ps := make([]Packet, len(summaryCases))
	for i, tc := range summaryCases {
		ps[i] = tc.p
	}
	for _, lt := range []uint32{LinkTypeEthernet, LinkTypeRaw} {
		compareWithTcpdump(t, tcpdump(t, lt, ps, "-n"), ps)
	}
}

var (
	tcpdumpN    = flag.Int("tcpdump.n", 20000, "random packets TestTcpdumpRandom compares")
	tcpdumpSeed = flag.Uint64("tcpdump.seed", 1, "seed of TestTcpdumpRandom's packets")
)

// Many random packets, compared with "tcpdump -n -S".
func TestTcpdumpRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(*tcpdumpSeed, 2))
	n := *tcpdumpN
	if testing.Short() {
		n = min(n, 2000)
	}
	ps := make([]Packet, n)
	for i := range ps {
		ps[i] = randomPacket(r, 0)
	}
	compareWithTcpdump(t, tcpdump(t, LinkTypeRaw, ps, "-n", "-S"), ps)
}

// Protocols tcpdump has no printer for, and ESP, "no next header" and "nd", which Summary
// imitates. (It prints IGMP, GRE, OSPF and the like in ways Summary does not.)
var plainProtos = func() []uint8 {
	printers := map[int]bool{1: true, 2: true, 4: true, 6: true, 8: true, 9: true, 17: true, 33: true, 41: true,
		46: true, 47: true, 51: true, 55: true, 58: true, 88: true, 89: true, 103: true, 108: true, 112: true,
		113: true, 132: true, 143: true}
	var ps []uint8
	for p := range 256 {
		if !printers[p] {
			ps = append(ps, uint8(p))
		}
	}
	return ps
}()

// Ports on which tcpdump prints only what Summary does (80 and 8080 being HTTP).
var (
	tcpPorts = []uint16{80, 8080, 443, 22, 3306, 5432, 40000, 33437, 65535, 0}
	udpPorts = []uint16{33434, 33437, 40000, 59743, 65535}
)

var httpPayloads = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "PATCH /x HTTP/1.1\r\n",
	"get /lower HTTP/1.0\n", "GET", "GET ", "GET /\tx\r\n", "POST /a\rb", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 200",
	"xyz 404 nope\r\n", "OPTIONS * HTTP/1.1\r\n", "BASELINE-CONTROL /x\r\n", "GET /\x01\r\n", " GET /\r\n",
	"GET    /spaces\r\n", "GET\t/tab\r\n", "\r\n", "SUBSCRIBE  x",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randomAddr(r *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
}

// randomPayload sets a payload: generated bytes of a random size, random bytes, or text.
func randomPayload(r *rand.Rand, p *Packet) {
	switch r.IntN(6) {
	case 0:
	case 1, 2:
		p.PayloadLen = r.IntN(120)
	case 3:
		p.Payload = make([]byte, r.IntN(60))
		for i := range p.Payload {
			p.Payload[i] = byte(r.IntN(256))
		}
	default:
		p.Payload = []byte(pick(r, httpPayloads))
	}
}

func randomPacket(r *rand.Rand, depth int) Packet {
	p := Packet{Src: addr(randomAddr(r)), Dst: addr(randomAddr(r)), TTL: uint8(r.IntN(256)), ID: uint16(r.IntN(1 << 16)),
		TOS: uint8(r.IntN(256)), DF: r.IntN(2) == 0}
	switch r.IntN(10) {
	case 0:
		p.MF = true
	case 1:
		p.FragOff = uint16(1 + r.IntN(0x1fff))
		p.MF = r.IntN(2) == 0
	}
	switch k := r.IntN(10); {
	case k < 3:
		p.Proto = ProtoTCP
		p.SrcPort, p.DstPort = pick(r, tcpPorts), pick(r, tcpPorts)
		p.TCPFlags = uint8(r.IntN(256))
		p.Seq, p.Ack, p.Window = r.Uint32(), r.Uint32(), uint16(r.IntN(1<<16))
	case k < 5:
		p.Proto = ProtoUDP
		p.SrcPort, p.DstPort = pick(r, udpPorts), pick(r, udpPorts)
	case k < 9:
		p.Proto = ProtoICMP
		p.ICMPType = pick(r, []uint8{0, 3, 3, 3, 8, 11, 11, uint8(r.IntN(45))})
		p.ICMPCode = pick(r, []uint8{0, 1, 3, 4, uint8(r.IntN(20))})
		p.ICMPID, p.ICMPSeq = uint16(r.IntN(1<<16)), pick(r, []uint16{0, 1500, uint16(r.IntN(1 << 16))})
		if p.IsICMPError() && depth == 0 && r.IntN(4) != 0 {
			p.Inner = randomPacket(r, depth+1).Quote()
		}
	default:
		p.Proto = pick(r, plainProtos)
	}
	randomPayload(r, &p)
	return p
}
