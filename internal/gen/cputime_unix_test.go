//go:build unix

package gen

import (
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
