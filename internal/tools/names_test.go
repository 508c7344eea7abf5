package tools

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/topology"
)

// A simulation finds its first names by walking the topology and the rest through the index
// (scanLimit): both must list the same things in the same order for every key, or a trace
// and a check could resolve one name differently.
func TestScanNamesAgreesWithIndex(t *testing.T) {
	labs, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*.yaml"))
	if len(labs) == 0 {
		t.Fatal("no example labs found")
	}
	keys := 0
	for _, f := range labs {
		topo, probs := topology.Load(f)
		if probs.HasErrors() {
			continue // not a lab (an intents file)
		}
		n, _ := engine.Compile(topo)
		ix := IndexNames(n)
		for k, want := range ix.ix {
			keys++
			if got := scanNames(topo, k); !slices.Equal(got, want) {
				t.Errorf("%s: %q: walking finds %d things, the index %d", f, k, len(got), len(want))
			}
		}
		if got := scanNames(topo, "no-such-name"); got != nil {
			t.Errorf("%s: walking finds %d things for an unknown name", f, len(got))
		}
	}
	if keys < 50 {
		t.Fatalf("only %d names checked over %d labs: the test would prove little", keys, len(labs))
	}
}

// Past scanLimit names a simulation builds the index once, and answers stay the same.
func TestResolveIndexesAfterScanLimit(t *testing.T) {
	topo, probs := topology.Load(filepath.Join("..", "..", "examples", "east-west-nat", "lab.yaml"))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	n, _ := engine.Compile(topo)
	s := NewSim(n, 1)
	var first []Endpoint
	for i := range scanLimit + 2 {
		ep, err := s.Resolve("destination")
		if err != nil {
			t.Fatal(err)
		}
		if (s.names != nil) != (i >= scanLimit) {
			t.Fatalf("lookup %d: index built = %v, want %v", i+1, s.names != nil, i >= scanLimit)
		}
		first = append(first, ep)
		if ep.IP != first[0].IP || ep.ENI != first[0].ENI || ep.ENI == "" {
			t.Fatalf("lookup %d resolved %v, the first %v", i+1, ep, first[0])
		}
	}
}
