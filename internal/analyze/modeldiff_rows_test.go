package analyze

import (
	"reflect"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// Every field of model.Topology is a resource kind, and diff compares a kind only through its
// row: a field without one (TransitGateways, VPCPeeringConnections, ...) would make diff skip
// the flows its changes touch, silently. A kind nothing a flow depends on says so in its row,
// with the reason; an omission fails.
func TestEveryTopologyFieldHasADiffRow(t *testing.T) {
	typ := reflect.TypeFor[model.Topology]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Pointer {
			t.Errorf("model.Topology.%s is not a list of resources ([]*T): the diff table cannot cover it", f.Name)
			continue
		}
		// A topology holding one resource in this field only: the row that lists it is the
		// field's.
		var topo model.Topology
		list := reflect.MakeSlice(f.Type, 1, 1)
		list.Index(0).Set(reflect.New(f.Type.Elem().Elem()))
		reflect.ValueOf(&topo).Elem().Field(i).Set(list)
		var rows []kindRow
		for _, r := range kindRows {
			if len(r.ids(&topo)) > 0 {
				rows = append(rows, r)
			}
		}
		switch {
		case len(rows) == 0:
			t.Errorf("model.Topology.%s has no row in kindRows: diff would skip the flows its changes touch; "+
				"write its row (or declare that no flow depends on it, and why)", f.Name)
		case len(rows) > 1:
			t.Errorf("model.Topology.%s has %d rows in kindRows", f.Name, len(rows))
		}
	}
	for _, r := range kindRows {
		switch {
		case r.noFlow != "" && (len(r.touches) > 0 || r.diff != nil):
			t.Errorf("row %s says no flow depends on it, yet compares or touches %v", r.kind, r.touches)
		case r.noFlow == "" && (len(r.touches) == 0 || r.diff == nil):
			t.Errorf("row %s: say what a change touches (flows, vpcs, all) and how it is described (lines), or why no flow depends on the kind", r.kind)
		}
	}
}
