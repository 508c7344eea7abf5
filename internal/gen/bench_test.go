package gen

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// The targets: one trace on a generated estate of 1,000 VPCs x 10 subnets x 10
// instances in at most 20 µs, and loading and compiling that estate from JSON in at most 3 s.
// The estate is built only when a benchmark asks for it, so `go test` stays fast.
var (
	benchVPCs = flag.Int("estate.vpcs", 1000, "VPCs of the benchmark estate (10 subnets x 10 instances each)")
	benchJoin = flag.String("estate.join", "", "join the benchmark estate's VPCs: tgw (one transit gateway, two route tables) or peering-mesh")
)

var bench struct {
	once    sync.Once
	topo    *model.Topology // generated, defaults applied
	net     *engine.Network
	err     error
	written sync.Once
	dir     string // the estate as describe-* JSON
	size    int64  // bytes of JSON
	werr    error
}

// benchEstate builds and compiles the benchmark estate once per test binary.
func benchEstate(b *testing.B) {
	b.Helper()
	bench.once.Do(func() {
		start := time.Now()
		bench.topo = Estate(Options{VPCs: *benchVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: Join(*benchJoin)})
		model.ApplyDefaults(bench.topo)
		var probs model.Problems
		if bench.net, probs = engine.Compile(bench.topo); len(probs) > 0 {
			bench.err = probs
		}
		fmt.Fprintf(os.Stderr, "estate: %d VPCs, %d subnets, %d instances, generated and compiled in %v\n",
			len(bench.topo.VPCs), len(bench.topo.Subnets), len(bench.topo.Instances), time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

// benchSnapshot writes the benchmark estate as describe-* JSON once per test binary.
func benchSnapshot(b *testing.B) {
	b.Helper()
	benchEstate(b)
	bench.written.Do(func() {
		start := time.Now()
		if bench.dir, bench.werr = os.MkdirTemp("", "vpclab-estate-"); bench.werr != nil {
			return
		}
		if bench.werr = WriteSnapshot(bench.topo, bench.dir); bench.werr != nil {
			return
		}
		entries, _ := os.ReadDir(bench.dir)
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				bench.size += info.Size()
			}
		}
		settle()
		fmt.Fprintf(os.Stderr, "estate: %d MB of describe-* JSON written in %v\n", bench.size>>20, time.Since(start).Round(time.Millisecond))
	})
	if bench.werr != nil {
		b.Fatal(bench.werr)
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(loadCompileChild); dir != "" {
		os.Exit(loadCompileOnce(dir)) // a fresh process of BenchmarkLoadCompile
	}
	flag.Parse()
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// BenchmarkWriteHub generates the benchmark estate joined by one transit gateway with two
// route tables and writes it as describe-* JSON, as `vpclab gen --join tgw` does. MB is the
// JSON written; peak-heap-MB the largest heap seen.
func BenchmarkWriteHub(b *testing.B) {
	dir := b.TempDir()
	var peak uint64
	b.ReportAllocs()
	for range b.N {
		stop := samplePeakHeap(&peak)
		t := Estate(Options{VPCs: *benchVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: JoinTGW})
		if err := WriteSnapshot(t, dir); err != nil {
			b.Fatal(err)
		}
		stop()
	}
	b.StopTimer()
	var size int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			size += info.Size()
		}
	}
	b.ReportMetric(float64(size>>20), "MB")
	b.ReportMetric(float64(peak>>20), "peak-heap-MB")
}

// reportCPU reports the CPU time per operation since start (see cpuTime).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeakHeap records the largest heap seen until stop is called, every millisecond.
func samplePeakHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for !done.Load() {
			*peak = max(*peak, heapObjects())
			time.Sleep(time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished; *peak = max(*peak, heapObjects()) }
}

// flow is one benchmark packet: where it enters and the packet (its source port is set per
// iteration, so every iteration starts a new connection, as a trace does).
type flow struct {
	kind string
	at   engine.Location
	p    packet.Packet
}

// benchFlows picks a fixed pseudo-random mix of flows over the whole estate: to the internet
// through a NAT gateway and through the IGW, from the internet to a web server, web to app
// and app to db across subnets (local route, SG references), and ssh within a subnet.
func benchFlows(b *testing.B) []flow {
	benchEstate(b)
	t := bench.topo
	type host struct {
		eni *model.NetworkInterface
		ip  netip.Addr
	}
	byVPC := map[model.VPCID]map[string][]host{}
	enis := map[model.ENIID]*model.NetworkInterface{}
	for _, e := range t.NetworkInterfaces {
		enis[e.ID] = e
	}
	for _, in := range t.Instances {
		e := enis[in.ENIs[0]]
		role := strings.Split(in.Name, "-")[1]
		if byVPC[e.VPC] == nil {
			byVPC[e.VPC] = map[string][]host{}
		}
		byVPC[e.VPC][role] = append(byVPC[e.VPC][role], host{e, e.PrimaryIP()})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vpc model.VPCID, role string) host {
		hs := byVPC[vpc][role]
		return hs[rng.IntN(len(hs))]
	}
	internet := netip.MustParseAddr("8.8.8.8")
	syn := func(src, dst netip.Addr, port uint16, ttl uint8) packet.Packet {
		return packet.Packet{Src: src, Dst: dst, Proto: packet.ProtoTCP, TTL: ttl, DstPort: port,
			TCPFlags: packet.TCPSyn, Seq: 1000000001, Window: 62727}
	}
	from := func(h host) engine.Location { return engine.AtENI(h.eni.ID) }
	var flows []flow
	if *benchJoin != "" {
		// Joined: app to app of another VPC over ssh, through the transit gateway (or peering).
		for range 240 {
			v1 := t.VPCs[rng.IntN(len(t.VPCs))].ID
			v2 := t.VPCs[rng.IntN(len(t.VPCs))].ID
			if *benchJoin == string(JoinPeeringMesh) {
				v2 = t.VPCs[(slices.IndexFunc(t.VPCs, func(v *model.VPC) bool { return v.ID == v1 })/4*4+1)%len(t.VPCs)].ID
			}
			if v1 == v2 {
				continue
			}
			h, d := pick(v1, RoleApp), pick(v2, RoleApp)
			flows = append(flows, flow{"app->app of another VPC (" + *benchJoin + ")", from(h), syn(h.ip, d.ip, 22, 255)})
		}
	}
	for i := range 240 {
		if *benchJoin != "" {
			break // only the flows across VPCs: BenchmarkTrace then measures those
		}
		vpc := t.VPCs[rng.IntN(len(t.VPCs))].ID
		var f flow
		switch i % 6 {
		case 0:
			h := pick(vpc, [2]string{RoleApp, RoleDB}[rng.IntN(2)])
			f = flow{"private->internet (NAT)", from(h), syn(h.ip, internet, 443, 255)}
		case 1:
			h := pick(vpc, RoleWeb)
			f = flow{"web->internet (IGW)", from(h), syn(h.ip, internet, 443, 255)}
		case 2:
			h := pick(vpc, RoleWeb)
			client := netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + rng.IntN(254))})
			f = flow{"internet->web", engine.AtInternet(), syn(client, h.eni.PrivateIPs[0].PublicIP, 443, 64)}
		case 3:
			h, d := pick(vpc, RoleWeb), pick(vpc, RoleApp)
			f = flow{"web->app (local)", from(h), syn(h.ip, d.ip, 8080, 255)}
		case 4:
			h, d := pick(vpc, RoleApp), pick(vpc, RoleDB)
			f = flow{"app->db (local)", from(h), syn(h.ip, d.ip, 5432, 255)}
		case 5:
			hs := byVPC[vpc][RoleApp]
			h := hs[rng.IntN(len(hs))]
			var d host
			for _, c := range hs { // another app host of the same subnet
				if c.eni.Subnet == h.eni.Subnet && c.eni != h.eni {
					d = c
				}
			}
			f = flow{"ssh within a subnet", from(h), syn(h.ip, d.ip, 22, 255)}
		}
		flows = append(flows, f)
	}
	// Every flow must get its answer back; a benchmark of drops would measure the wrong path.
	st := engine.NewState(&engine.ManualClock{T: tools.SimEpoch}, 1)
	for i, f := range flows {
		if fwd, back := roundTrip(bench.net, st, f, uint16(40000+i)); back == nil || back.Outcome == engine.Dropped {
			b.Fatalf("flow %d (%s): forward %v %s %s, reply %v", i, f.kind, fwd.Outcome, fwd.Code, fwd.Detail, back)
		}
	}
	return flows
}

// roundTrip sends a flow's SYN and the SYN-ACK of whoever receives it, as tools.Sim.Trace
// does, and returns both journeys (the second nil when nobody received the first).
func roundTrip(n *engine.Network, st *engine.State, f flow, sport uint16) (fwd, back *engine.Result) {
	fwd = n.Send(st, f.at, syn(f, sport))
	if at, r, ok := synAck(fwd); ok {
		back = n.Send(st, at, r)
	}
	return fwd, back
}

// roundTripInto is roundTrip recording the journeys into fwd and back (engine.SendInto); back
// is reset to no outcome when nobody received the SYN.
func roundTripInto(n *engine.Network, st *engine.State, f flow, sport uint16, fwd, back *engine.Result) {
	n.SendInto(st, f.at, syn(f, sport), engine.Options{}, fwd)
	if at, r, ok := synAck(fwd); ok {
		n.SendInto(st, at, r, engine.Options{}, back)
	} else {
		*back = engine.Result{}
	}
}

// syn is the flow's packet from source port sport.
func syn(f flow, sport uint16) packet.Packet {
	p := f.p
	p.SrcPort = sport
	return p
}

// synAck is the answer of whoever received fwd and where it enters; false when nobody did.
func synAck(fwd *engine.Result) (engine.Location, packet.Packet, bool) {
	var at engine.Location
	switch fwd.Outcome {
	case engine.Delivered:
		at = engine.AtENI(fwd.ENI)
	case engine.Exited:
		at = engine.AtInternet()
	default:
		return at, packet.Packet{}, false
	}
	q := fwd.Packet
	return at, packet.Packet{Src: q.Dst, Dst: q.Src, Proto: packet.ProtoTCP, TTL: 64, SrcPort: q.DstPort, DstPort: q.SrcPort,
		TCPFlags: packet.TCPSyn | packet.TCPAck, Seq: 2000000001, Ack: q.Seq + 1, Window: 62643}, true
}

// ports is how many connections one State takes before the benchmark starts a fresh one:
// each iteration uses a new source port, so every flow is new (no conntrack or NAT hit).
const ports = 28232 // Linux's ephemeral range, 32768-60999

// BenchmarkTrace is one trace at the engine: a new connection's SYN and its SYN-ACK.
func BenchmarkTrace(b *testing.B) {
	flows := benchFlows(b)
	n := bench.net
	clock := &engine.ManualClock{T: tools.SimEpoch}
	var st *engine.State
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if i%ports == 0 {
			st = engine.NewState(clock, uint64(i))
		}
		roundTrip(n, st, flows[i%len(flows)], uint16(32768+i%ports))
	}
	reportCPU(b, cpu)
}

// BenchmarkTraceInto is BenchmarkTrace recording both journeys, hops and all, into two
// results reused from one iteration to the next (engine.SendInto), as a caller that is done
// with each journey before the next does.
func BenchmarkTraceInto(b *testing.B) {
	flows := benchFlows(b)
	n := bench.net
	clock := &engine.ManualClock{T: tools.SimEpoch}
	var st *engine.State
	var fwd, back engine.Result
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if i%ports == 0 {
			st = engine.NewState(clock, uint64(i))
		}
		roundTripInto(n, st, flows[i%len(flows)], uint16(32768+i%ports), &fwd, &back)
	}
	reportCPU(b, cpu)
	if len(fwd.Hops) == 0 || len(back.Hops) == 0 {
		b.Fatal("no hops recorded") // the benchmark measures recording them
	}
}

// BenchmarkSend is the forward packet alone.
func BenchmarkSend(b *testing.B) {
	flows := benchFlows(b)
	n := bench.net
	clock := &engine.ManualClock{T: tools.SimEpoch}
	var st *engine.State
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if i%ports == 0 {
			st = engine.NewState(clock, uint64(i))
		}
		f := &flows[i%len(flows)]
		p := f.p
		p.SrcPort = uint16(32768 + i%ports)
		n.Send(st, f.at, p)
	}
	reportCPU(b, cpu)
}

// BenchmarkSendInto is BenchmarkSend into one result reused from one iteration to the next.
func BenchmarkSendInto(b *testing.B) {
	flows := benchFlows(b)
	n := bench.net
	clock := &engine.ManualClock{T: tools.SimEpoch}
	var st *engine.State
	var r engine.Result
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if i%ports == 0 {
			st = engine.NewState(clock, uint64(i))
		}
		f := &flows[i%len(flows)]
		n.SendInto(st, f.at, syn(*f, uint16(32768+i%ports)), engine.Options{}, &r)
	}
	reportCPU(b, cpu)
	if len(r.Hops) == 0 {
		b.Fatal("no hops recorded")
	}
}

// BenchmarkTraceTools is the same trace through tools.Sim.Trace, as `vpclab trace` runs it
// (endpoints resolved beforehand): the engine plus the simulator's bookkeeping.
func BenchmarkTraceTools(b *testing.B) {
	flows := benchFlows(b)
	type pair struct{ src, dst tools.Endpoint }
	pairs := make([]pair, len(flows))
	sim := tools.NewSim(bench.net, 1)
	for i, f := range flows {
		resolve := func(arg string) tools.Endpoint {
			ep, err := sim.Resolve(arg)
			if err != nil {
				b.Fatal(err)
			}
			return ep
		}
		src := resolve("internet:" + f.p.Src.String())
		if f.at.Kind == engine.FromENI {
			src = resolve(f.at.ID)
		}
		dst := resolve(f.p.Dst.String()) // an instance's private IP, a web server's public IP, or the internet
		pairs[i] = pair{src, dst}
		if tr := sim.Trace(src, dst, tools.TraceOptions{Protocol: packet.ProtoTCP, Port: f.p.DstPort}); !tr.Found {
			b.Fatalf("flow %d (%s): no path", i, f.kind)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if i%ports == 0 {
			sim = tools.NewSim(bench.net, uint64(i))
		}
		pr := pairs[i%len(pairs)]
		sim.Trace(pr.src, pr.dst, tools.TraceOptions{Protocol: packet.ProtoTCP, Port: flows[i%len(flows)].p.DstPort, SourcePort: uint16(32768 + i%ports)})
	}
	reportCPU(b, cpu)
}
