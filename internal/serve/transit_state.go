package serve

import (
	"fmt"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// What the rest of the server needs of transit gateways: tags, settling, the export the
// loader reads, and VPC routes to a gateway.

// tgwTaggable finds a transit gateway, attachment or route table for CreateTags and
// DeleteTags.
func (c *call) tgwTaggable(id string) (tagged, bool) {
	switch {
	case strings.HasPrefix(id, "tgw-attach-"):
		if a := c.st.tgwAttachments.get(id); a != nil {
			return tagged{&a.Tags, kindTGWAttach, "transit-gateway-attachment", ""}, true
		}
	case strings.HasPrefix(id, "tgw-rtb-"):
		if t := c.st.tgwTables.get(id); t != nil {
			return tagged{&t.Table.Tags, kindTGWTable, "transit-gateway-route-table", ""}, true
		}
	default:
		if g := c.st.tgws.get(id); g != nil {
			return tagged{&g.Tags, kindTGW, "transit-gateway", ""}, true
		}
	}
	return tagged{}, false
}

// tgwTagged calls add with every transit gateway, attachment and route table, for
// DescribeTags.
func (c *call) tgwTagged(add func(id string)) {
	for _, ids := range [][]string{c.st.tgws.ids(), c.st.tgwAttachments.ids(), c.st.tgwTables.ids()} {
		for _, id := range ids {
			add(id)
		}
	}
}

// settleTransit moves a gateway, attachment or table on from its transitional state: pending
// or modifying → available, deleting → deleted, and a deleted one is forgotten after the
// retention.
func (s *Server) settleTransit(c *call, kind, id string, age time.Duration) {
	key := [2]string{kind, id}
	var state **string
	var remove func()
	switch kind {
	case kindTGW:
		if g := c.st.tgws.get(id); g != nil {
			state, remove = &g.State, func() { c.st.tgws.remove(id) }
		}
	case kindTGWAttach:
		if a := c.st.tgwAttachments.get(id); a != nil {
			state, remove = &a.State, func() { c.st.tgwAttachments.remove(id) }
		}
	case kindTGWTable:
		if t := c.st.tgwTables.get(id); t != nil {
			state, remove = &t.Table.State, func() { c.st.tgwTables.remove(id) }
		}
	}
	if state == nil {
		delete(s.transient, key)
		return
	}
	switch val(*state) {
	case "pending", "modifying":
		c.touch(kind, id)
		*state = str("available")
		delete(s.transient, key)
	case "deleting":
		c.touch(kind, id)
		*state = str("deleted")
	case "deleted":
		if age >= retention {
			c.touch(kind, id)
			remove()
			delete(s.transient, key)
		}
	default:
		delete(s.transient, key)
	}
}

// findTransientTransit lists, for a loaded state, the gateways, attachments and tables in a
// transitional state, as of their creation (what the state records).
func (s *Server) findTransientTransit() {
	transitional := func(p *string) bool {
		switch val(p) {
		case "pending", "modifying", "deleting", "deleted":
			return true
		}
		return false
	}
	for _, g := range s.st.tgws.all() {
		if transitional(g.State) {
			s.transient[[2]string{kindTGW, *g.TransitGatewayId}] = deref(g.CreationTime)
		}
	}
	for _, a := range s.st.tgwAttachments.all() {
		if transitional(a.State) {
			s.transient[[2]string{kindTGWAttach, *a.TransitGatewayAttachmentId}] = deref(a.CreationTime)
		}
	}
	for _, t := range s.st.tgwTables.all() {
		if transitional(t.Table.State) {
			s.transient[[2]string{kindTGWTable, *t.Table.TransitGatewayRouteTableId}] = deref(t.Table.CreationTime)
		}
	}
}

// The transit gateway answers of the describe-* document (export.go): the gateways,
// attachments (with their associations) and tables that are not deleted, and per table its
// routes as a search lists them (static and propagated) and its propagations, in Batfish's
// per-table wrappers, which name the table in one document.
type tgwRoutesDoc struct {
	TransitGatewayRouteTableId string
	Routes                     []ec2api.TransitGatewayRoute
}

type tgwPropagationsDoc struct {
	TransitGatewayRouteTableId           string
	TransitGatewayRouteTablePropagations []ec2api.TransitGatewayRouteTablePropagation
}

type transitDoc struct {
	TransitGateways              []*ec2api.TransitGateway
	TransitGatewayAttachments    []*ec2api.TransitGatewayAttachment
	TransitGatewayVpcAttachments []*ec2api.TransitGatewayVpcAttachment
	TransitGatewayRouteTables    []*ec2api.TransitGatewayRouteTable
	TransitGatewayStaticRoutes   []tgwRoutesDoc
	TransitGatewayPropagations   []tgwPropagationsDoc
}

func (st *state) exportTransit() transitDoc {
	live := func(p *string) bool { return val(p) != "deleted" }
	d := transitDoc{
		TransitGateways:              pick(st.tgws.all(), func(g *ec2api.TransitGateway) bool { return live(g.State) }),
		TransitGatewayVpcAttachments: pick(st.tgwAttachments.all(), func(a *ec2api.TransitGatewayVpcAttachment) bool { return live(a.State) }),
		TransitGatewayAttachments:    []*ec2api.TransitGatewayAttachment{},
		TransitGatewayRouteTables:    []*ec2api.TransitGatewayRouteTable{},
		TransitGatewayStaticRoutes:   []tgwRoutesDoc{},
		TransitGatewayPropagations:   []tgwPropagationsDoc{},
	}
	for _, a := range d.TransitGatewayVpcAttachments {
		d.TransitGatewayAttachments = append(d.TransitGatewayAttachments, st.attachmentView(a))
	}
	for _, t := range st.tgwTables.all() {
		if !live(t.Table.State) {
			continue
		}
		id := val(t.Table.TransitGatewayRouteTableId)
		d.TransitGatewayRouteTables = append(d.TransitGatewayRouteTables, &t.Table)
		d.TransitGatewayStaticRoutes = append(d.TransitGatewayStaticRoutes, tgwRoutesDoc{id, st.routesOf(t)})
		d.TransitGatewayPropagations = append(d.TransitGatewayPropagations, tgwPropagationsDoc{id, t.Propagations})
	}
	return d
}

// tgwRouteTarget checks a VPC route to a transit gateway: the route table's VPC must have an
// attachment to it (not deleted), else AWS answers that the gateway does not exist (§7.2.10).
func (c *call) tgwRouteTarget(vpcID, tgw string) error {
	if _, err := c.tgw(tgw, false); err != nil {
		return err
	}
	for _, a := range c.st.tgwAttachments.all() {
		if val(a.TransitGatewayId) == tgw && val(a.VpcId) == vpcID && val(a.State) != "deleted" && val(a.State) != "deleting" {
			return nil
		}
	}
	return notFound("InvalidTransitGatewayID.NotFound", "transitGateway", tgw)
}

// tgwRouteState sets the state of the VPC's routes to a gateway: blackhole when the VPC's
// attachment to it goes, active when one comes (§7.2.10), as describe-route-tables shows.
func (c *call) tgwRouteState(vpcID, tgw, state string) {
	for _, rt := range c.st.routeTables.all() {
		if val(rt.VpcId) != vpcID {
			continue
		}
		for i := range rt.Routes {
			if r := &rt.Routes[i]; val(r.TransitGatewayId) == tgw && val(r.State) != state {
				c.touch("route-table", *rt.RouteTableId)
				r.State = str(state)
			}
		}
	}
}

func init() {
	importKeys = append(importKeys, "TransitGateways", "TransitGatewayAttachments", "TransitGatewayVpcAttachments",
		"TransitGatewayRouteTables", "TransitGatewayStaticRoutes", "TransitGatewayPropagations")
}

// append adds o's transit gateway answers to d's, for Import.
func (d *transitDoc) append(o *transitDoc) {
	d.TransitGateways = append(d.TransitGateways, o.TransitGateways...)
	d.TransitGatewayAttachments = append(d.TransitGatewayAttachments, o.TransitGatewayAttachments...)
	d.TransitGatewayVpcAttachments = append(d.TransitGatewayVpcAttachments, o.TransitGatewayVpcAttachments...)
	d.TransitGatewayRouteTables = append(d.TransitGatewayRouteTables, o.TransitGatewayRouteTables...)
	d.TransitGatewayStaticRoutes = append(d.TransitGatewayStaticRoutes, o.TransitGatewayStaticRoutes...)
	d.TransitGatewayPropagations = append(d.TransitGatewayPropagations, o.TransitGatewayPropagations...)
}

// importTransit puts the transit gateway answers of an imported document in the state, as
// export writes them: the tables' static routes (the propagated ones are computed again),
// propagations, and the associations the attachments name. Attachments of another kind than
// VPC, and entries of a table that no TransitGatewayRouteTables answer lists, are refused.
func (c *call) importTransit(d *transitDoc, put func(kind, id string, add func())) error {
	for _, a := range d.TransitGatewayAttachments {
		if rt := val(a.ResourceType); rt != "vpc" {
			return fmt.Errorf("TransitGatewayAttachments holds %s, a %s attachment, which vpclab serve does not serve yet (VPC attachments only)",
				val(a.TransitGatewayAttachmentId), rt)
		}
	}
	for _, g := range d.TransitGateways {
		put(kindTGW, val(g.TransitGatewayId), func() { c.st.tgws.put(val(g.TransitGatewayId), g) })
	}
	for _, a := range d.TransitGatewayVpcAttachments {
		put(kindTGWAttach, val(a.TransitGatewayAttachmentId), func() { c.st.tgwAttachments.put(val(a.TransitGatewayAttachmentId), a) })
	}
	for _, t := range d.TransitGatewayRouteTables {
		put(kindTGWTable, val(t.TransitGatewayRouteTableId), func() { c.st.tgwTables.put(val(t.TransitGatewayRouteTableId), &tgwTable{Table: *t}) })
	}
	table := func(id, what string) (*tgwTable, error) {
		if t := c.st.tgwTables.get(id); t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("%s of transit gateway route table %q, which TransitGatewayRouteTables does not list", what, id)
	}
	for _, w := range d.TransitGatewayStaticRoutes {
		t, err := table(w.TransitGatewayRouteTableId, "routes")
		if err != nil {
			return err
		}
		for _, r := range w.Routes {
			if val(r.Type) == "static" {
				t.Routes = append(t.Routes, r)
			}
		}
	}
	for _, w := range d.TransitGatewayPropagations {
		t, err := table(w.TransitGatewayRouteTableId, "propagations")
		if err != nil {
			return err
		}
		t.Propagations = append(t.Propagations, w.TransitGatewayRouteTablePropagations...)
	}
	for _, a := range d.TransitGatewayAttachments {
		if a.Association == nil {
			continue
		}
		t, err := table(val(a.Association.TransitGatewayRouteTableId), "the association of "+val(a.TransitGatewayAttachmentId))
		if err != nil {
			return err
		}
		t.Associations = append(t.Associations, ec2api.TransitGatewayRouteTableAssociation{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
			ResourceId: a.ResourceId, ResourceType: a.ResourceType, State: a.Association.State})
	}
	return nil
}
