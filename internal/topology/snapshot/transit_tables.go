package snapshot

import (
	"slices"

	"github.com/vpclab/vpclab/internal/model"
)

// buildTGWRouteTables maps describe-transit-gateway-route-tables (§7.2.4).
func (l *loader) buildTGWRouteTables(t *model.Topology) map[model.TGWRouteTableID]*model.TGWRouteTable {
	ids := newSeen("transit gateway route table", l.tgwTables.len())
	tables := make(map[model.TGWRouteTableID]*model.TGWRouteTable, l.tgwTables.len())
	for it := range l.tgwTables.all() {
		r, src := it.v, it.src
		if !ids.add(&l.probs, r.TransitGatewayRouteTableId, "TransitGatewayRouteTableId", src) {
			continue
		}
		rt := &model.TGWRouteTable{ID: model.TGWRouteTableID(r.TransitGatewayRouteTableId),
			TransitGateway: model.TransitGatewayID(r.TransitGatewayId), State: r.State,
			DefaultAssociation: r.DefaultAssociationRouteTable, DefaultPropagation: r.DefaultPropagationRouteTable, Src: src}
		rt.Name, rt.Tags = tags(r.tagged)
		t.TGWRouteTables = append(t.TGWRouteTables, rt)
		tables[rt.ID] = rt
	}
	return tables
}

// tableContents gathers what the per-table answers say of the route tables.
type tableContents struct {
	l      *loader
	tables map[model.TGWRouteTableID]*model.TGWRouteTable
	warned map[[2]string]bool // (table, file) pairs already reported as unknown
	// listed says how a table's routes were listed: by a complete search (the CLI's answer),
	// or by Batfish's wrapper, which holds static routes unless it shows otherwise.
	listed map[model.TGWRouteTableID]string
}

// table returns the table an answer of src speaks of, or nil after a warning (once per file)
// when no TransitGatewayRouteTables answer lists it.
func (c *tableContents) table(id model.TGWRouteTableID, what string, src model.Source) *model.TGWRouteTable {
	if rt := c.tables[id]; rt != nil {
		return rt
	}
	if key := [2]string{string(id), src.File}; !c.warned[key] {
		c.warned[key] = true
		c.l.probs.Warnf(src, "%s of transit gateway route table %s, which no TransitGatewayRouteTables answer lists; skipped", what, id)
	}
	return nil
}

// tgwTableContents fills the route tables from the per-table answers (transit_read.go):
// routes, propagations, associations and prefix-list references.
func (l *loader) tgwTableContents(t *model.Topology, tables map[model.TGWRouteTableID]*model.TGWRouteTable, byID attachmentsByID) {
	c := &tableContents{l: l, tables: tables, warned: map[[2]string]bool{}, listed: map[model.TGWRouteTableID]string{}}
	c.routes()
	propagating := c.propagations()
	c.associations(byID)
	c.prefixListReferences()
	c.checkSearches(t, propagating)
}

// routes places each search answer's routes in its table (§9.5). A search is AWS's truth:
// its table is Searched when the answer is the CLI's (a complete search) or lists a
// propagated route; Batfish's wrapper holds static routes only, and then the engine adds
// the propagated routes itself. A table's routes listed twice keep the first listing.
func (c *tableContents) routes() {
	l := c.l
	first := map[model.TGWRouteTableID]model.Source{}
	var cur *model.TGWRouteTable // the table of the last head, nil when its routes are skipped
	for it := range l.tgwRoutes.all() {
		r, src := it.v, it.src
		if r.head {
			cur = nil
			if r.missing {
				l.probs.Errorf(src, "no TransitGatewayRouteTableId: the routes cannot be placed in a table; skipped")
				continue
			}
			if r.truncated {
				l.probs.Warnf(at(src, ".AdditionalRoutesAvailable"), "routes truncated: search-transit-gateway-routes has more routes "+
					"of table %s than it listed (at most 1000 per call); the table lacks the rest", r.table)
			}
			rt := c.table(r.table, "routes", src)
			if rt == nil {
				continue
			}
			if f, dup := first[rt.ID]; dup {
				l.probs.Warnf(src, "routes of transit gateway route table %s listed again (first at %s); skipped", rt.ID, f)
				continue
			}
			first[rt.ID] = src
			cur = rt
			c.listed[rt.ID] = "TransitGatewayStaticRoutes"
			if r.complete {
				c.listed[rt.ID] = "search"
				rt.Searched = true
			}
			continue
		}
		if cur == nil || cur.ID != r.table {
			continue
		}
		if route, ok := l.tgwRoute(r.route, src); ok {
			cur.Routes = append(cur.Routes, route)
			if route.Type == model.TGWRoutePropagated {
				cur.Searched = true
			}
		}
	}
}

// tgwRoute maps one route of search-transit-gateway-routes. Its destination is a CIDR (IPv4
// or IPv6) or a prefix list; its attachments are equal-cost paths, none for a blackhole.
// Routes neither active nor blackhole (pending, deleting, deleted) are not in the table. A
// propagated route's Via is the kind of attachment it came from (§7.2.7).
func (l *loader) tgwRoute(r awsTGWRoute, src model.Source) (model.TGWRoute, bool) {
	out := model.TGWRoute{Type: r.Type, State: r.State, PrefixList: model.PrefixListID(r.PrefixListId), Src: src}
	switch out.State {
	case "":
		out.State = model.TGWRouteActive
	case model.TGWRouteActive, model.TGWRouteBlackhole:
	default:
		return out, false
	}
	switch out.Type {
	case "":
		out.Type = model.TGWRouteStatic
	case model.TGWRouteStatic, model.TGWRoutePropagated:
	default:
		l.probs.Warnf(at(src, ".Type"), "unknown route type %q (want static or propagated); skipped", r.Type)
		return out, false
	}
	dest, field := r.DestinationCidrBlock, ".DestinationCidrBlock"
	if dest == "" && r.DestinationIpv6CidrBlock != "" {
		dest, field = r.DestinationIpv6CidrBlock, ".DestinationIpv6CidrBlock"
	}
	switch {
	case dest != "":
		p, ok := l.anyPrefix(dest, at(src, "%s", field))
		if !ok {
			return out, false
		}
		out.Destination = p
	case r.PrefixListId == "":
		l.probs.Errorf(src, "route has no destination (DestinationCidrBlock or PrefixListId)")
		return out, false
	}
	if out.State == model.TGWRouteBlackhole {
		return out, true
	}
	for j, a := range r.TransitGatewayAttachments {
		if a.TransitGatewayAttachmentId == "" {
			l.probs.Errorf(at(src, ".TransitGatewayAttachments[%d].TransitGatewayAttachmentId", j), "missing TransitGatewayAttachmentId")
			continue
		}
		if id := model.TGWAttachmentID(a.TransitGatewayAttachmentId); !slices.Contains(out.Attachments, id) {
			out.Attachments = append(out.Attachments, id)
		}
		if out.Type == model.TGWRoutePropagated && out.Via == "" {
			out.Via = model.TGWAttachmentType(a.ResourceType)
		}
	}
	if len(out.Attachments) == 0 {
		l.probs.Errorf(src, "route to %s is active but has no TransitGatewayAttachments; skipped", destString(out))
		return out, false
	}
	return out, true
}

func destString(r model.TGWRoute) string {
	if r.Destination.IsValid() {
		return r.Destination.String()
	}
	return string(r.PrefixList)
}

// propagations lists, per table, the attachments that propagate into it: entries in state
// enabled; any other state (enabling, disabling, disabled, Batfish's not-enabled) is off.
// It returns how many each table has.
func (c *tableContents) propagations() map[model.TGWRouteTableID]int {
	l := c.l
	n := map[model.TGWRouteTableID]int{}
	for it := range l.tgwProps.all() {
		e, src := it.v, it.src
		if e.entry == nil {
			l.probs.Errorf(src, "no TransitGatewayRouteTableId: the propagations cannot be placed in a table; skipped")
			continue
		}
		rt := c.table(e.table, "propagations", src)
		if rt == nil {
			continue
		}
		if e.entry.TransitGatewayAttachmentId == "" {
			l.probs.Errorf(at(src, ".TransitGatewayAttachmentId"), "missing TransitGatewayAttachmentId")
			continue
		}
		id := model.TGWAttachmentID(e.entry.TransitGatewayAttachmentId)
		if e.entry.State == "enabled" && !slices.Contains(rt.Propagations, id) {
			rt.Propagations = append(rt.Propagations, id)
			n[rt.ID]++
		}
	}
	return n
}

// associations gives an attachment that has no Association of its own the table whose
// associations answer lists it (§7.2.4): on that table's transit gateway, in a state other
// than disassociated. An attachment listed by two tables keeps the first.
func (c *tableContents) associations(byID attachmentsByID) {
	l := c.l
	from := map[*model.TGWAttachment]model.Source{}
	for it := range l.tgwAssocs.all() {
		e, src := it.v, it.src
		rt := c.table(e.table, "associations", src)
		if rt == nil {
			continue
		}
		if e.entry.TransitGatewayAttachmentId == "" {
			l.probs.Errorf(at(src, ".TransitGatewayAttachmentId"), "missing TransitGatewayAttachmentId")
			continue
		}
		if e.entry.State == "disassociated" {
			continue
		}
		id := model.TGWAttachmentID(e.entry.TransitGatewayAttachmentId)
		atts := byID[id]
		if len(atts) == 0 {
			l.probs.Warnf(src, "association of attachment %s, which no transit gateway attachments answer lists; skipped", id)
			continue
		}
		for _, a := range atts {
			if rt.TransitGateway != "" && a.TransitGateway != "" && rt.TransitGateway != a.TransitGateway {
				continue // the other end of a peering attachment
			}
			if first, ok := from[a]; ok && a.Association != rt.ID {
				l.probs.Warnf(src, "attachment %s is associated with table %s here and with %s at %s; the first is kept", id, rt.ID, a.Association, first)
				continue
			}
			if a.Association == "" {
				a.Association, a.AssociationState = rt.ID, e.entry.State
				from[a] = src
			}
		}
	}
}

// prefixListReferences maps get-transit-gateway-prefix-list-references (§7.2.6): each makes
// the list's entries routes to an attachment, or blackholes. References being deleted or
// not yet made do not route; a list is referenced once per table.
func (c *tableContents) prefixListReferences() {
	l := c.l
	for it := range l.tgwPLRefs.all() {
		r, src := it.v.ref, it.src
		id := model.TGWRouteTableID(r.TransitGatewayRouteTableId)
		if id == "" {
			id = it.v.table
		}
		if id == "" {
			l.probs.Errorf(src, "prefix-list reference names no route table: neither its TransitGatewayRouteTableId nor its file's name; skipped")
			continue
		}
		rt := c.table(id, "prefix-list references", src)
		if rt == nil {
			continue
		}
		switch r.State {
		case "", "available", "modifying":
		default:
			continue
		}
		if r.PrefixListId == "" {
			l.probs.Errorf(at(src, ".PrefixListId"), "missing PrefixListId")
			continue
		}
		ref := model.TGWPrefixListReference{PrefixList: model.PrefixListID(r.PrefixListId), Blackhole: r.Blackhole, Src: src}
		if !r.Blackhole {
			if r.TransitGatewayAttachment == nil || r.TransitGatewayAttachment.TransitGatewayAttachmentId == "" {
				l.probs.Errorf(at(src, ".TransitGatewayAttachment"), "prefix-list reference to %s is neither a blackhole nor to an attachment; skipped", r.PrefixListId)
				continue
			}
			ref.Attachment = model.TGWAttachmentID(r.TransitGatewayAttachment.TransitGatewayAttachmentId)
		}
		if slices.ContainsFunc(rt.PrefixListReferences, func(x model.TGWPrefixListReference) bool { return x.PrefixList == ref.PrefixList }) {
			l.probs.Warnf(src, "prefix list %s referenced again in table %s; skipped", ref.PrefixList, rt.ID)
			continue
		}
		rt.PrefixListReferences = append(rt.PrefixListReferences, ref)
	}
}

// checkSearches says where a table's propagated routes will come from when the snapshot
// does not list them as AWS installed them (§9.5): recomputed from the propagations, or, for
// a complete search that lists none although attachments propagate, nowhere.
func (c *tableContents) checkSearches(t *model.Topology, propagating map[model.TGWRouteTableID]int) {
	for _, rt := range t.TGWRouteTables {
		n := propagating[rt.ID]
		if n == 0 {
			continue
		}
		switch listed := c.listed[rt.ID]; {
		case !rt.Searched:
			why := "no search-transit-gateway-routes answer lists its routes"
			if listed != "" {
				why = "TransitGatewayStaticRoutes lists its static routes only"
			}
			c.l.probs.Warnf(rt.Src, "transit gateway route table %s: %s; vpclab computes its propagated routes from its %d propagation(s) (§7.2.5), "+
				"which may differ from what AWS installed (save `aws ec2 search-transit-gateway-routes --filters Name=type,Values=static,propagated`, §9.5)",
				rt.ID, why, n)
		case !slices.ContainsFunc(rt.Routes, func(r model.TGWRoute) bool { return r.Type == model.TGWRoutePropagated }):
			c.l.probs.Warnf(rt.Src, "transit gateway route table %s: its search lists no propagated route although %d attachment(s) propagate into it; "+
				"vpclab takes the search as complete (§9.5): if it was filtered to static routes, search again with Name=type,Values=static,propagated",
				rt.ID, n)
		}
	}
}
