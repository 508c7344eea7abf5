//go:build race

package engine_test

// The race detector makes sync.Pool drop what it is given at random, so Send's scratch
// results are made anew now and then: TestSendAllocs skips Send's budget under it.
func init() { raceDetector = true }
