package snapshot

import (
	"github.com/vpclab/vpclab/internal/model"
	"path/filepath"
	"regexp"
)

// Reading the per-table answers of transit gateway route tables (§9.5). The calls that list
// a table's routes, associations and propagations take the table as an argument and do not
// name it in their output. Two layouts carry it:
//   - Batfish's wrappers, one element per table with its TransitGatewayRouteTableId:
//     TransitGatewayStaticRoutes (search-transit-gateway-routes) and TransitGatewayPropagations
//     (get-transit-gateway-route-table-propagations);
//   - the AWS CLI's own answers, one file per table, the table ID in the file's name or a
//     folder's: Routes (search-transit-gateway-routes), TransitGatewayRouteTablePropagations,
//     Associations (get-transit-gateway-route-table-associations).
// Prefix-list references name their table in each entry, and may come either way.

// tgwRouteIn is one route of a table as a search lists it, or a head: the item that opens a
// search answer, whose routes follow it. A head with an empty table stands for an answer
// that names no table, already reported or to be reported by the build.
type tgwRouteIn struct {
	table model.TGWRouteTableID
	route awsTGWRoute
	head  bool
	// Of a head: complete is set for the CLI's answer, which lists the table's routes as the
	// search found them; Batfish's wrapper holds static routes only unless it shows
	// otherwise. truncated is AdditionalRoutesAvailable; missing says the wrapper element
	// had no TransitGatewayRouteTableId.
	complete, truncated, missing bool
}

// tgwEntryIn is one association or propagation of a table. entry is nil for a wrapper
// element without a TransitGatewayRouteTableId, which the build reports.
type tgwEntryIn struct {
	table model.TGWRouteTableID
	entry *awsTGWTableEntry
}

// tgwPLRefIn is one prefix-list reference; table is the one its file's name gives, for an
// entry that does not name its own.
type tgwPLRefIn struct {
	table model.TGWRouteTableID
	ref   awsTGWPrefixListReference
}

// planStaticRoutes reads Batfish's TransitGatewayStaticRoutes: each element opens with a
// head, then its routes.
func planStaticRoutes(f *fileRead, tl *topLevel) sink {
	return decodeKey(f, tl, func(l *loader) *list[tgwRouteIn] { return &l.tgwRoutes },
		func(out []item[tgwRouteIn], w *awsTGWStaticRoutes, src model.Source) []item[tgwRouteIn] {
			table := model.TGWRouteTableID(w.TransitGatewayRouteTableId)
			out = append(out, item[tgwRouteIn]{v: tgwRouteIn{table: table, head: true,
				truncated: w.AdditionalRoutesAvailable, missing: table == ""}, src: src})
			for j, r := range w.Routes {
				out = append(out, item[tgwRouteIn]{v: tgwRouteIn{table: table, route: r}, src: at(src, ".Routes[%d]", j)})
			}
			return out
		})
}

// planPropagations reads Batfish's TransitGatewayPropagations.
func planPropagations(f *fileRead, tl *topLevel) sink {
	return decodeKey(f, tl, func(l *loader) *list[tgwEntryIn] { return &l.tgwProps },
		func(out []item[tgwEntryIn], w *awsTGWPropagations, src model.Source) []item[tgwEntryIn] {
			table := model.TGWRouteTableID(w.TransitGatewayRouteTableId)
			if table == "" {
				return append(out, item[tgwEntryIn]{src: src})
			}
			for j := range w.TransitGatewayRouteTablePropagations {
				e := w.TransitGatewayRouteTablePropagations[j]
				out = append(out, item[tgwEntryIn]{v: tgwEntryIn{table: table, entry: &e},
					src: at(src, ".TransitGatewayRouteTablePropagations[%d]", j)})
			}
			return out
		})
}

// planPrefixListReferences reads get-transit-gateway-prefix-list-references, per table or
// gathered in one file: an entry names its table, else the file's name does.
func planPrefixListReferences(f *fileRead, tl *topLevel) sink {
	table := tableOfName(f.name)
	return decodeKey(f, tl, func(l *loader) *list[tgwPLRefIn] { return &l.tgwPLRefs },
		func(out []item[tgwPLRefIn], r *awsTGWPrefixListReference, src model.Source) []item[tgwPLRefIn] {
			return append(out, item[tgwPLRefIn]{v: tgwPLRefIn{table: table, ref: *r}, src: src})
		})
}

// planSearchedRoutes reads search-transit-gateway-routes as the AWS CLI prints it: the
// table is in the file's name. The head goes first, so the routes follow it.
func planSearchedRoutes(f *fileRead, tl *topLevel) sink {
	table := f.perTable(tl.key, "search-transit-gateway-routes")
	src := model.Source{File: f.name, Path: tl.key}
	f.keys = append(f.keys, func(l *loader) {
		if table != "" {
			l.tgwRoutes.add([]item[tgwRouteIn]{{v: tgwRouteIn{table: table, head: true, complete: true}, src: src}})
		}
	})
	return decodeKey(f, tl, func(l *loader) *list[tgwRouteIn] { return &l.tgwRoutes },
		func(out []item[tgwRouteIn], r *awsTGWRoute, src model.Source) []item[tgwRouteIn] {
			if table == "" {
				return out
			}
			return append(out, item[tgwRouteIn]{v: tgwRouteIn{table: table, route: *r}, src: src})
		})
}

// planTableEntries reads a per-table answer of associations or propagations as the AWS CLI
// prints it: the table is in the file's name.
func planTableEntries(command string, list func(l *loader) *list[tgwEntryIn]) func(f *fileRead, tl *topLevel) sink {
	return func(f *fileRead, tl *topLevel) sink {
		table := f.perTable(tl.key, command)
		return decodeKey(f, tl, list, func(out []item[tgwEntryIn], e *awsTGWTableEntry, src model.Source) []item[tgwEntryIn] {
			if table == "" {
				return out
			}
			entry := *e
			return append(out, item[tgwEntryIn]{v: tgwEntryIn{table: table, entry: &entry}, src: src})
		})
	}
}

// perTable is the route table a per-table answer's file is for, from its name; when the name
// names none, the answer cannot be placed, which is an error.
func (f *fileRead) perTable(key, command string) model.TGWRouteTableID {
	table := tableOfName(f.name)
	if table == "" {
		f.probs.Errorf(model.Source{File: f.name, Path: key},
			"%s answer (%s) for no known transit gateway route table: the answer does not name its table, "+
				"so the file's name or its folder's must (e.g. %s.tgw-rtb-0123456789abcdef0.json); skipped", command, key, command)
	}
	return table
}

// planPrefixListEntries reads get-managed-prefix-list-entries as the AWS CLI prints it: the
// list is in the file's name (get-managed-prefix-list-entries.pl-0123456789abcdef0.json).
func planPrefixListEntries(f *fileRead, tl *topLevel) sink {
	pl := prefixListID.FindString(filepath.Base(f.name))
	if pl == "" {
		f.probs.Errorf(model.Source{File: f.name, Path: tl.key},
			"get-managed-prefix-list-entries answer (Entries) for no known prefix list: the answer does not name its list, "+
				"so the file's name must (e.g. get-managed-prefix-list-entries.pl-0123456789abcdef0.json); skipped")
	}
	return decodeKey(f, tl, func(l *loader) *list[plEntryIn] { return &l.plEntries },
		func(out []item[plEntryIn], e *awsPrefixListEntry, src model.Source) []item[plEntryIn] {
			if pl == "" {
				return out
			}
			return append(out, item[plEntryIn]{v: plEntryIn{list: pl, entry: *e}, src: src})
		})
}

var prefixListID = regexp.MustCompile(`pl-[0-9a-f]+`)
