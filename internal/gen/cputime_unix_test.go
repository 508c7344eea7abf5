//go:build unix

package gen

import (
	"os"
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used so far (every thread, the garbage collector's
// included). On a shared machine it measures the work of a benchmark where wall time also
// measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// settle writes dirty pages out, so a benchmark that just wrote hundreds of megabytes does
// not time the kernel's writeback of them too.
func settle() { syscall.Sync() }

// childUsage is what a finished child process used: CPU time (user and system), its
// largest resident set and its minor page faults (first touches of memory).
func childUsage(ps *os.ProcessState) (cpu time.Duration, maxRSS, minorFaults int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss << 10, ru.Minflt
}
