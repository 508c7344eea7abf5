// Package topology loads a topology from either input vpclab reads: a directory of
// `aws ec2 describe-*` JSON answers (package snapshot) or a YAML lab file (package lab).
// Both feed the same model, the same AWS defaults and the same validation.
package topology

import (
	"os"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology/lab"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

// Load reads the topology at path: a directory means describe-* JSON, a file a YAML lab.
// Problems hold every error and warning, sorted; the topology is usable when it has no errors.
func Load(path string) (*model.Topology, model.Problems) {
	var (
		t     *model.Topology
		probs model.Problems
	)
	st, err := os.Stat(path)
	switch {
	case err != nil:
		probs.Errorf(model.Source{File: path}, "cannot read the topology: %v", errText(err))
		return nil, probs
	case st.IsDir():
		t, probs = snapshot.Load(path)
		if t != nil && !probs.HasErrors() {
			model.ApplyDefaults(t)
			probs = append(probs, model.Validate(t)...)
		}
	default:
		t, probs = lab.Load(path) // applies defaults and validates itself
	}
	probs.Sort()
	return t, probs
}

// LoadJSON reads describe-* answers held in memory as one JSON document (a served lab's
// state), applying AWS's defaults and validating as Load does for a directory.
func LoadJSON(name string, data []byte) (*model.Topology, model.Problems) {
	t, probs := snapshot.LoadJSON(name, data)
	if t != nil && !probs.HasErrors() {
		model.ApplyDefaults(t)
		probs = append(probs, model.Validate(t)...)
	}
	probs.Sort()
	return t, probs
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
