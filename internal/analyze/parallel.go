package analyze

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel calls work(i) for every i in [0, n) on up to GOMAXPROCS goroutines, each taking
// the next index as it finishes one, and returns when all have returned. A work that returns
// false stops its goroutine (the others stop at their next index only if they too return
// false): MatrixRows uses it to stop after a write error. Indexes are handed out in
// increasing order; callers that need ordered output order it themselves.
func parallel(n int, work func(i int) bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if !work(i) {
					return
				}
			}
		})
	}
	wg.Wait()
}
