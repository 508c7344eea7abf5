package gen

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

// loadCompileChild names the environment variable that makes the test binary a child of
// BenchmarkLoadCompile: it loads and compiles the snapshot the variable names, once, prints
// its measures and exits.
const loadCompileChild = "VPCLAB_BENCH_LOADCOMPILE_DIR"

// BenchmarkLoadCompile reads the estate from JSON and compiles it, as every `vpclab` command
// does at start (snapshot.Load, model.ApplyDefaults, model.Validate, engine.Compile), and
// reports what a user pays: the first, cold run of a fresh process. A run in the benchmark's
// own process would be warm, its heap already grown, its pages already touched (the first
// run is about 2.4 times slower than the median of warm ones), so each iteration runs the
// test binary again as a child (TestMain), which loads and compiles once and exits.
//
// ns/op is the child's wall time, start included. The other metrics: load-ms, defaults-ms,
// validate-ms and compile-ms split the work by phase; cpu-ms is the child's CPU time (user
// and system, every thread: on a shared machine the steadier figure); maxrss-MB its largest
// resident set; minor-faults its first touches of pages, each of which costs on a virtual
// machine; peak-heap-MB the largest heap the child saw and live-heap-MB what the compiled
// network keeps.
func BenchmarkLoadCompile(b *testing.B) {
	benchSnapshot(b)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var sum [6]float64 // load, defaults, validate, compile (ms), peak and live heap (MB)
	var cpu time.Duration
	var rss, faults int64
	b.SetBytes(bench.size)
	b.ResetTimer()
	for range b.N {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), loadCompileChild+"="+bench.dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, stderr.String())
		}
		var got [6]float64
		if _, err := fmt.Sscanf(string(out), "load-compile %g %g %g %g %g %g", &got[0], &got[1], &got[2], &got[3], &got[4], &got[5]); err != nil {
			b.Fatalf("child said %q: %v", out, err)
		}
		for i := range sum {
			sum[i] += got[i]
		}
		c, r, f := childUsage(cmd.ProcessState)
		cpu, rss, faults = cpu+c, max(rss, r), faults+f
	}
	n := float64(b.N)
	for i, name := range []string{"load-ms", "defaults-ms", "validate-ms", "compile-ms", "peak-heap-MB", "live-heap-MB"} {
		b.ReportMetric(sum[i]/n, name)
	}
	b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms")
	b.ReportMetric(float64(rss>>20), "maxrss-MB")
	b.ReportMetric(float64(faults)/n, "minor-faults")
}

// loadCompileOnce is the child of BenchmarkLoadCompile: it loads and compiles the snapshot
// in dir once and prints "load-compile" and its measures on stdout. It returns the exit code.
func loadCompileOnce(dir string) int {
	var peak uint64
	stop := samplePeakHeap(&peak)
	t0 := time.Now()
	topo, probs := snapshot.Load(dir)
	t1 := time.Now()
	model.ApplyDefaults(topo)
	t2 := time.Now()
	probs = append(probs, model.Validate(topo)...)
	t3 := time.Now()
	n, cprobs := engine.Compile(topo)
	t4 := time.Now()
	stop()
	if len(probs)+len(cprobs) > 0 {
		fmt.Fprintf(os.Stderr, "%d problems, first: %v\n", len(probs)+len(cprobs), append(probs, cprobs...)[0])
		return 1
	}
	runtime.GC()
	live := heapObjects()
	runtime.KeepAlive(n)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("load-compile %g %g %g %g %d %d\n", ms(t1.Sub(t0)), ms(t2.Sub(t1)), ms(t3.Sub(t2)), ms(t4.Sub(t3)), peak>>20, live>>20)
	return 0
}
