package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestGCPolicyRespectsTheUsersChoice(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		env := func(k string) string {
			if k == name {
				return "50"
			}
			return ""
		}
		if setGCPolicy(env) {
			t.Errorf("with %s set, the policy was applied", name)
		}
		if p := debug.SetGCPercent(100); p != 100 {
			t.Errorf("with %s set, GOGC became %d", name, p)
		}
	}
	if !setGCPolicy(func(string) string { return "" }) {
		t.Fatal("without GOGC or GOMEMLIMIT, the policy was not applied")
	}
	if p := debug.SetGCPercent(100); p != gcPercent {
		t.Errorf("GOGC is %d, want %d", p, gcPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != gcLimit {
		t.Errorf("the memory limit is %d, want %d", l, gcLimit)
	}
}
