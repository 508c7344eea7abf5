package analyze

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology"
)

// The targets, on a 2-core machine: reach over the whole header space for one pair
// of the 1,000 x 10 x 10 estate in at most 5 ms; matrix --scope subnets for 1,000 subnets
// in at most 10 s; diff of two such estates differing in one security group rule in at most
// 10 s; peak memory for the 100,000-instance estate at most 2 GiB. Estates are built only
// when a benchmark asks for them.
var (
	benchVPCs   = flag.Int("estate.vpcs", 1000, "VPCs of the big benchmark estate (10 subnets x 10 instances each)")
	matrixVPCs  = flag.Int("matrix.vpcs", 100, "VPCs of the matrix benchmark estate (10 subnets each)")
	benchJoin   = flag.String("estate.join", "", "join the estates' VPCs: tgw (one transit gateway, two route tables) or peering-mesh")
	estateOnce  sync.Once
	estateTopo  *model.Topology
	estateNet   *engine.Network
	estateBuild time.Duration
)

func bigEstate(b *testing.B) (*model.Topology, *engine.Network) {
	b.Helper()
	estateOnce.Do(func() {
		start := time.Now()
		estateTopo = gen.Estate(gen.Options{VPCs: *benchVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: gen.Join(*benchJoin)})
		model.ApplyDefaults(estateTopo)
		estateNet, _ = engine.Compile(estateTopo)
		estateBuild = time.Since(start)
		fmt.Fprintf(os.Stderr, "estate: %d VPCs, %d subnets, %d instances, built and compiled in %v\n",
			len(estateTopo.VPCs), len(estateTopo.Subnets), len(estateTopo.Instances), estateBuild.Round(time.Millisecond))
	})
	return estateTopo, estateNet
}

// byName finds an instance's endpoint by its Name tag.
func byName(a *Analyzer, t *model.Topology, name string) tools.Endpoint {
	for _, in := range t.Instances {
		if in.Name == name {
			return a.ENIEndpoint(in.ENIs[0], name)
		}
	}
	panic("no instance " + name)
}

// BenchmarkReach: the whole header space between two instances of the big estate.
func BenchmarkReach(b *testing.B) {
	t, n := bigEstate(b)
	start := time.Now()
	a := New(n, 1) // indexes the topology once per network, as compiling does
	fmt.Fprintf(os.Stderr, "analyzer index of the estate built in %v\n", time.Since(start).Round(time.Millisecond))
	pairs := [][2]string{
		{"vpc0500-app-01", "vpc0500-db-01"},  // across private subnets: SG references, NACLs
		{"vpc0500-web-01", "vpc0500-app-01"}, // public to private
		{"vpc0500-app-01", "vpc0501-db-01"},  // across VPCs: no route, or through the transit gateway (-estate.join=tgw)
	}
	for _, pr := range pairs {
		from, to := byName(a, t, pr[0]), byName(a, t, pr[1])
		b.Run(strings.ReplaceAll(pr[0]+">"+pr[1], "vpc0", ""), func(b *testing.B) {
			var parts int
			b.ReportAllocs()
			for b.Loop() {
				parts = len(a.Reach(from, to, Everything()).Parts)
			}
			b.ReportMetric(float64(parts), "parts")
		})
	}
}

func heapMB() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse >> 20
}

// BenchmarkMatrixSubnets: matrix --scope subnets over every protocol and port for the 1,000
// subnets of a 100 x 10 x 10 estate, probe topology and compile included.
func BenchmarkMatrixSubnets(b *testing.B) {
	t := gen.Estate(gen.Options{VPCs: *matrixVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: gen.Join(*benchJoin)})
	model.ApplyDefaults(t)
	var m *Matrix
	b.ReportAllocs()
	for b.Loop() {
		pt, probes, _ := ProbeTopology(t)
		n, _ := engine.Compile(pt)
		a := New(n, 1)
		m = a.Matrix(ScopeSubnets, a.SubnetEndpoints(probes), Everything())
	}
	all, some, none := m.Counts()
	b.ReportMetric(float64(len(m.Endpoints)), "subnets")
	b.ReportMetric(float64(all), "all")
	b.ReportMetric(float64(some), "some")
	b.ReportMetric(float64(none), "none")
	b.ReportMetric(float64(heapMB()), "heap-MB")
}

// BenchmarkDiff: two 1,000 x 10 x 10 estates that differ in one security group rule (the
// database group of one VPC admits its VPC's CIDR on 5432 instead of the app group), every
// instance pair and every header compared: the model diff, then only the pairs it can touch.
func BenchmarkDiff(b *testing.B) {
	t, n := bigEstate(b)
	t2 := gen.Estate(gen.Options{VPCs: *benchVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: gen.Join(*benchJoin)})
	model.ApplyDefaults(t2)
	vpc := t2.VPCs[len(t2.VPCs)/2]
	for _, g := range t2.SecurityGroups {
		if g.VPC == vpc.ID && strings.HasSuffix(g.Name, "-db") {
			g.Ingress[0].Group, g.Ingress[0].CIDR = "", vpc.CIDRs[0]
		}
	}
	n2, _ := engine.Compile(t2)
	var res *DiffResult
	var phase [3]time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		before, after := New(n, 1), New(n2, 1)
		t1 := time.Now()
		md := DiffModels(t, t2)
		t2 := time.Now()
		eps, _, _ := InstancePairs(before, after)
		res = Diff(before, after, md, eps, eps, Everything())
		phase[0], phase[1], phase[2] = phase[0]+t1.Sub(t0), phase[1]+t2.Sub(t1), phase[2]+time.Since(t2)
	}
	for i, name := range []string{"index-ms", "modeldiff-ms", "flows-ms"} {
		b.ReportMetric(float64(phase[i].Milliseconds())/float64(b.N), name)
	}
	if len(res.Model.Changes) != 1 || len(res.Flows) == 0 {
		b.Fatalf("%d changes, %d flows", len(res.Model.Changes), len(res.Flows))
	}
	b.ReportMetric(float64(len(res.Flows)), "flows")
	b.ReportMetric(float64(res.Pairs), "pairs")
	b.ReportMetric(float64(res.Skipped), "skipped")
	b.ReportMetric(float64(heapMB()), "heap-MB")
}

// BenchmarkPeakMemory: the largest heap while the 100,000-instance estate is loaded from its
// describe-* JSON as a command loads it (topology.Load: the snapshot, AWS's defaults,
// validation), compiled, indexed for analysis and asked reach questions (run it alone:
// -bench PeakMemory), and the memory the process took from the OS. The estate is written as
// JSON first, outside the measure. BenchmarkDiff reports the heap with two such estates held.
func BenchmarkPeakMemory(b *testing.B) {
	dir := b.TempDir()
	gt := gen.Estate(gen.Options{VPCs: *benchVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1, Join: gen.Join(*benchJoin)})
	model.ApplyDefaults(gt)
	if err := gen.WriteSnapshot(gt, dir); err != nil {
		b.Fatal(err)
	}
	gt = nil
	var peak uint64
	var sys uint64
	for b.Loop() {
		runtime.GC()
		stop := samplePeak(&peak)
		t, probs := topology.Load(dir)
		if probs.HasErrors() {
			b.Fatal(probs)
		}
		n, _ := engine.Compile(t)
		a := New(n, 1)
		for _, pr := range [][2]string{{"vpc0500-app-01", "vpc0500-db-01"}, {"vpc0500-web-01", "vpc0501-app-01"}} {
			a.Reach(byName(a, t, pr[0]), byName(a, t, pr[1]), Everything())
		}
		stop()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		sys = max(sys, m.Sys)
		runtime.KeepAlive(a)
	}
	b.ReportMetric(float64(peak>>20), "peak-heap-MB")
	b.ReportMetric(float64(sys>>20), "sys-MB")
}

// samplePeak records the largest live heap seen until stop is called, every millisecond.
func samplePeak(peak *uint64) (stop func()) {
	read := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
				*peak = max(*peak, read())
			}
		}
	}()
	return func() { close(done); <-finished; *peak = max(*peak, read()) }
}

var matrixInstances = flag.Int("matrix.instances", 10, "instances per subnet of the matrix benchmark estate")

// BenchmarkMatrixGrouped: matrix --scope subnets answered per class (Grouped) for the
// -matrix.vpcs x 10 subnets estate, probe topology and compile included; issue 12's target
// is 10,000 VPCs in at most 60 s and 4 GiB for the whole command.
func BenchmarkMatrixGrouped(b *testing.B) {
	t := gen.Estate(gen.Options{VPCs: *matrixVPCs, SubnetsPerVPC: 10, InstancesPerSubnet: *matrixInstances, Seed: 1, Join: gen.Join(*benchJoin)})
	model.ApplyDefaults(t)
	var g *Grouped
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		pt, probes, _ := ProbeTopology(t)
		n, _ := engine.Compile(pt)
		a := New(n, 1)
		g = a.GroupEndpoints(ScopeSubnets, a.SubnetEndpoints(probes), Everything())
		classed := time.Now()
		g.Compute(nil)
		fmt.Fprintf(os.Stderr, "probe, compile and classes %v, rows %v\n", classed.Sub(start).Round(time.Millisecond), time.Since(classed).Round(time.Millisecond))
	}
	all, some, none := g.Counts()
	b.ReportMetric(float64(len(g.Endpoints)), "subnets")
	b.ReportMetric(float64(len(g.Classes)), "classes")
	b.ReportMetric(float64(len(g.Rows)), "rows")
	b.ReportMetric(float64(all), "all")
	b.ReportMetric(float64(some), "some")
	b.ReportMetric(float64(none), "none")
	b.ReportMetric(float64(heapMB()), "heap-MB")
}
