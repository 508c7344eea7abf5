//go:build !unix

package gen

import "time"

// cpuTime is not measured here: the cpu-ns/op metric reads 0.
func cpuTime() time.Duration { return 0 }

// settle does nothing here.
func settle() {}
