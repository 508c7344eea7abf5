package analyze

import (
	"os"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology/lab"
)

// labNet loads a lab from YAML text and compiles it.
func labNet(t testing.TB, yaml string) *engine.Network {
	t.Helper()
	topo, probs := lab.Parse("lab.yaml", []byte(yaml))
	if probs.HasErrors() {
		t.Fatalf("lab: %v", probs)
	}
	n, _ := engine.Compile(topo)
	return n
}

func labFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// endpoints resolves names as the CLI does.
func endpoints(t testing.TB, n *engine.Network, from, to string) (tools.Endpoint, tools.Endpoint) {
	t.Helper()
	s := tools.NewSim(n, 1)
	f, err := s.Resolve(from)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Resolve(to)
	if err != nil {
		t.Fatal(err)
	}
	return f, d
}
