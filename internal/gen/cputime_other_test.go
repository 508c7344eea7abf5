//go:build !unix

package gen

import (
	"os"
	"time"
)

// cpuTime is not measured here: the cpu-ns/op metric reads 0.
func cpuTime() time.Duration { return 0 }

// settle does nothing here.
func settle() {}

// childUsage is not measured here: its metrics read 0.
func childUsage(ps *os.ProcessState) (cpu time.Duration, maxRSS, minorFaults int64) { return 0, 0, 0 }
