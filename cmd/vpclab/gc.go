package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector's policy. vpclab is a short process whose heap is mostly what it
// loads and keeps: the collections while a snapshot loads find little garbage and cost CPU
// in proportion to what is kept. Validating the 1,000-VPC estate (663 MB of JSON), user CPU
// measured 3.5-4.5 s at GOGC=100, 3.1 s at 200, 2.8 s at 300 (4 collections) and 2.8 s at
// 400, whose peak RSS was some 50 MB above 300's (~570 MB).
//
// The higher percentage holds only while the live heap is small: a memory limit caps the
// heap, keeping the 1,000-VPC estate under 1 GiB, and once the live heap passes half that
// limit the defaults come back (GOGC=100, no limit), so that a larger estate is collected
// as it always was instead of the limit collecting it over and over. A user's GOGC or
// GOMEMLIMIT is respected: the policy then stays out of the way.
const (
	gcPercent   = 300
	gcLimit     = 1 << 30
	gcLiveLimit = gcLimit / 2
)

// setGCPolicy applies the policy unless getenv says the user chose one; it reports whether
// it did.
func setGCPolicy(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcLimit)
	watchLiveHeap()
	return true
}

// watchLiveHeap checks the live heap after every collection, until it restores the defaults.
func watchLiveHeap() {
	type sentinel struct{ _ [64]byte } // large enough not to share a tiny allocation
	runtime.AddCleanup(&sentinel{}, func(struct{}) {
		if liveHeap() > gcLiveLimit {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			return
		}
		watchLiveHeap()
	}, struct{}{})
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
