package serve

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Transit gateway route tables (§7.2.4-8): their associations, propagations and static
// routes, and the searches that list them with the propagated routes (transit.go has the
// gateways and attachments).

// CreateTransitGatewayRouteTable makes a table of the gateway, pending until it settles.
func createTransitGatewayRouteTable(c *call, in *ec2api.CreateTransitGatewayRouteTableRequest) (*ec2api.CreateTransitGatewayRouteTableResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "transit-gateway-route-table"); err != nil {
		return nil, err
	}
	g, err := c.tgw(val(in.TransitGatewayId), true)
	if err != nil {
		return nil, err
	}
	t := c.newTGWTable(*g.TransitGatewayId, "pending", tagsFrom(in.TagSpecifications, "transit-gateway-route-table"))
	c.pending(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	out := t.Table
	return &ec2api.CreateTransitGatewayRouteTableResult{TransitGatewayRouteTable: &out}, nil
}

func describeTransitGatewayRouteTables(c *call, in *ec2api.DescribeTransitGatewayRouteTablesRequest) (*ec2api.DescribeTransitGatewayRouteTablesResult, error) {
	var all []*ec2api.TransitGatewayRouteTable
	for _, t := range c.st.tgwTables.all() {
		all = append(all, &t.Table)
	}
	ts, next, err := describe(query{op: "DescribeTransitGatewayRouteTables", ids: in.TransitGatewayRouteTableIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidRouteTableID.NotFound", what: "transitGatewayRouteTable"},
		all, func(t *ec2api.TransitGatewayRouteTable) string { return val(t.TransitGatewayRouteTableId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeTransitGatewayRouteTablesResult{TransitGatewayRouteTables: ts, NextToken: next}, nil
}

// tgwTable finds a route table that is not deleted (or deleting).
func (c *call) tgwTable(id string) (*tgwTable, error) {
	if err := checkID(id, "tgw-rtb", "InvalidRouteTableID.Malformed"); err != nil {
		return nil, err
	}
	t := c.st.tgwTables.get(id)
	if t == nil || val(t.Table.State) == "deleted" || val(t.Table.State) == "deleting" {
		return nil, notFound("InvalidRouteTableID.NotFound", "transitGatewayRouteTable", id)
	}
	return t, nil
}

// DeleteTransitGatewayRouteTable refuses while attachments are associated with the table.
func deleteTransitGatewayRouteTable(c *call, in *ec2api.DeleteTransitGatewayRouteTableRequest) (*ec2api.DeleteTransitGatewayRouteTableResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	id := *t.Table.TransitGatewayRouteTableId
	if len(t.Associations) > 0 {
		return nil, errorf("DependencyViolation", "%s has associated attachments", id)
	}
	c.touch(kindTGWTable, id)
	t.Table.State, t.Propagations, t.Routes = str("deleting"), nil, nil
	if g := c.st.tgws.get(val(t.Table.TransitGatewayId)); g != nil && g.Options != nil {
		o := g.Options
		if val(o.AssociationDefaultRouteTableId) == id || val(o.PropagationDefaultRouteTableId) == id {
			c.touch(kindTGW, *g.TransitGatewayId)
			if val(o.AssociationDefaultRouteTableId) == id {
				o.AssociationDefaultRouteTableId = nil
			}
			if val(o.PropagationDefaultRouteTableId) == id {
				o.PropagationDefaultRouteTableId = nil
			}
		}
	}
	c.pending(kindTGWTable, id)
	out := t.Table
	return &ec2api.DeleteTransitGatewayRouteTableResult{TransitGatewayRouteTable: &out}, nil
}

// tableAndAttachment resolves a table and an attachment of the same gateway.
func (c *call) tableAndAttachment(table, attachment *string) (*tgwTable, *ec2api.TransitGatewayVpcAttachment, error) {
	t, err := c.tgwTable(val(table))
	if err != nil {
		return nil, nil, err
	}
	if attachment == nil {
		return nil, nil, errorf("MissingParameter", "The request must contain the parameter TransitGatewayAttachmentId")
	}
	a, err := c.tgwAttachment(*attachment)
	if err != nil {
		return nil, nil, err
	}
	if val(a.TransitGatewayId) != val(t.Table.TransitGatewayId) {
		return nil, nil, errorf("InvalidParameterValue", "Attachment %s is on transit gateway %s, route table %s on %s.",
			*attachment, val(a.TransitGatewayId), val(table), val(t.Table.TransitGatewayId))
	}
	return t, a, nil
}

func (c *call) associate(t *tgwTable, a *ec2api.TransitGatewayVpcAttachment, state string) {
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Associations = append(t.Associations, ec2api.TransitGatewayRouteTableAssociation{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str(state)})
}

func (c *call) propagate(t *tgwTable, a *ec2api.TransitGatewayVpcAttachment) {
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Propagations = append(t.Propagations, ec2api.TransitGatewayRouteTablePropagation{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str("enabled")})
}

// AssociateTransitGatewayRouteTable: an attachment is associated with one table at most
// (§7.2.4). The answer says associating, as AWS's does; describe shows it associated.
func associateTransitGatewayRouteTable(c *call, in *ec2api.AssociateTransitGatewayRouteTableRequest) (*ec2api.AssociateTransitGatewayRouteTableResult, error) {
	t, a, err := c.tableAndAttachment(in.TransitGatewayRouteTableId, in.TransitGatewayAttachmentId)
	if err != nil {
		return nil, err
	}
	if other, _ := c.st.associationOf(*a.TransitGatewayAttachmentId); other != nil {
		return nil, errorf("Resource.AlreadyAssociated", "Transit Gateway Attachment %s is already associated to a route table %s.",
			*a.TransitGatewayAttachmentId, *other.Table.TransitGatewayRouteTableId)
	}
	c.associate(t, a, "associated")
	c.check(val(a.VpcId))
	return &ec2api.AssociateTransitGatewayRouteTableResult{Association: &ec2api.TransitGatewayAssociation{
		TransitGatewayRouteTableId: t.Table.TransitGatewayRouteTableId, TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str("associating")}}, nil
}

func disassociateTransitGatewayRouteTable(c *call, in *ec2api.DisassociateTransitGatewayRouteTableRequest) (*ec2api.DisassociateTransitGatewayRouteTableResult, error) {
	t, a, err := c.tableAndAttachment(in.TransitGatewayRouteTableId, in.TransitGatewayAttachmentId)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(t.Associations, func(x ec2api.TransitGatewayRouteTableAssociation) bool {
		return val(x.TransitGatewayAttachmentId) == *a.TransitGatewayAttachmentId
	})
	if i < 0 {
		return nil, errorf("InvalidAssociation.NotFound", "Transit Gateway Attachment %s is not associated with route table %s.",
			*a.TransitGatewayAttachmentId, *t.Table.TransitGatewayRouteTableId)
	}
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Associations = slices.Delete(t.Associations, i, i+1)
	c.check(val(a.VpcId))
	return &ec2api.DisassociateTransitGatewayRouteTableResult{Association: &ec2api.TransitGatewayAssociation{
		TransitGatewayRouteTableId: t.Table.TransitGatewayRouteTableId, TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str("disassociating")}}, nil
}

// EnableTransitGatewayRouteTablePropagation: the attachment's VPC blocks become propagated
// routes of the table (§7.2.5). The answer says enabling; describe shows it enabled.
func enableTransitGatewayRouteTablePropagation(c *call, in *ec2api.EnableTransitGatewayRouteTablePropagationRequest) (*ec2api.EnableTransitGatewayRouteTablePropagationResult, error) {
	if in.TransitGatewayRouteTableAnnouncementId != nil {
		return nil, errorf("UnsupportedOperation", "vpclab serve does not propagate route table announcements yet")
	}
	t, a, err := c.tableAndAttachment(in.TransitGatewayRouteTableId, in.TransitGatewayAttachmentId)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(t.Propagations, func(x ec2api.TransitGatewayRouteTablePropagation) bool {
		return val(x.TransitGatewayAttachmentId) == *a.TransitGatewayAttachmentId
	}) {
		return nil, errorf("TransitGatewayRouteTablePropagation.Duplicate", "Propagation of %s into %s is already enabled.",
			*a.TransitGatewayAttachmentId, *t.Table.TransitGatewayRouteTableId)
	}
	c.propagate(t, a)
	c.check(val(a.VpcId))
	return &ec2api.EnableTransitGatewayRouteTablePropagationResult{Propagation: &ec2api.TransitGatewayPropagation{
		TransitGatewayRouteTableId: t.Table.TransitGatewayRouteTableId, TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str("enabling")}}, nil
}

func disableTransitGatewayRouteTablePropagation(c *call, in *ec2api.DisableTransitGatewayRouteTablePropagationRequest) (*ec2api.DisableTransitGatewayRouteTablePropagationResult, error) {
	t, a, err := c.tableAndAttachment(in.TransitGatewayRouteTableId, in.TransitGatewayAttachmentId)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(t.Propagations, func(x ec2api.TransitGatewayRouteTablePropagation) bool {
		return val(x.TransitGatewayAttachmentId) == *a.TransitGatewayAttachmentId
	})
	if i < 0 {
		return nil, errorf("TransitGatewayRouteTablePropagation.NotFound", "Propagation of %s into %s is not enabled.",
			*a.TransitGatewayAttachmentId, *t.Table.TransitGatewayRouteTableId)
	}
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Propagations = slices.Delete(t.Propagations, i, i+1)
	c.check(val(a.VpcId))
	return &ec2api.DisableTransitGatewayRouteTablePropagationResult{Propagation: &ec2api.TransitGatewayPropagation{
		TransitGatewayRouteTableId: t.Table.TransitGatewayRouteTableId, TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
		ResourceId: a.VpcId, ResourceType: str("vpc"), State: str("disabling")}}, nil
}

// CreateTransitGatewayRoute adds a static route to an attachment, or a blackhole; one per
// destination in a table (§7.2.6).
func createTransitGatewayRoute(c *call, in *ec2api.CreateTransitGatewayRouteRequest) (*ec2api.CreateTransitGatewayRouteResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	p, err := netip.ParsePrefix(val(in.DestinationCidrBlock))
	if err != nil || p.Masked() != p {
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", val(in.DestinationCidrBlock))
	}
	blackhole := deref(in.Blackhole)
	r := ec2api.TransitGatewayRoute{DestinationCidrBlock: str(p.String()), Type: str("static"), State: str("active")}
	switch {
	case blackhole && in.TransitGatewayAttachmentId != nil:
		return nil, errorf("InvalidParameterCombination", "A blackhole route takes no TransitGatewayAttachmentId")
	case blackhole:
		r.State = str("blackhole")
	case in.TransitGatewayAttachmentId == nil:
		return nil, errorf("MissingParameter", "The request must contain the parameter TransitGatewayAttachmentId or Blackhole")
	default:
		_, a, err := c.tableAndAttachment(in.TransitGatewayRouteTableId, in.TransitGatewayAttachmentId)
		if err != nil {
			return nil, err
		}
		r.TransitGatewayAttachments = []ec2api.TransitGatewayRouteAttachment{{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
			ResourceId: a.VpcId, ResourceType: str("vpc")}}
	}
	if slices.ContainsFunc(t.Routes, func(x ec2api.TransitGatewayRoute) bool { return val(x.DestinationCidrBlock) == p.String() }) {
		return nil, errorf("RouteAlreadyExists", "Route %s already exists in Transit Gateway Route Table %s.", p, *t.Table.TransitGatewayRouteTableId)
	}
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Routes = append(t.Routes, r)
	c.checkTGW(val(t.Table.TransitGatewayId))
	return &ec2api.CreateTransitGatewayRouteResult{Route: &r}, nil
}

func deleteTransitGatewayRoute(c *call, in *ec2api.DeleteTransitGatewayRouteRequest) (*ec2api.DeleteTransitGatewayRouteResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	dest := val(in.DestinationCidrBlock)
	if p, err := netip.ParsePrefix(dest); err == nil {
		dest = p.Masked().String()
	}
	i := slices.IndexFunc(t.Routes, func(x ec2api.TransitGatewayRoute) bool { return val(x.DestinationCidrBlock) == dest })
	if i < 0 {
		return nil, errorf("InvalidRoute.NotFound", "No route with destination-cidr-block %s in Transit Gateway Route Table %s.", val(in.DestinationCidrBlock), *t.Table.TransitGatewayRouteTableId)
	}
	r := t.Routes[i]
	c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
	t.Routes = slices.Delete(t.Routes, i, i+1)
	c.checkTGW(val(t.Table.TransitGatewayId))
	r.State = str("deleted")
	return &ec2api.DeleteTransitGatewayRouteResult{Route: &r}, nil
}

// checkTGW marks the VPCs attached to a gateway for validation.
func (c *call) checkTGW(tgw string) {
	for _, a := range c.st.tgwAttachments.all() {
		if val(a.TransitGatewayId) == tgw && val(a.State) != "deleted" {
			c.check(val(a.VpcId))
		}
	}
}

// routesOf are a table's routes as search-transit-gateway-routes lists them: its static and
// blackhole routes, and for each available attachment propagating into it the blocks of its
// VPC, unless a static route has the same destination (it hides the propagated one) or the
// block overlaps one already propagated from another VPC (§7.2.5, §7.2.7). Sorted by
// destination.
func (st *state) routesOf(t *tgwTable) []ec2api.TransitGatewayRoute {
	out := slices.Clone(t.Routes)
	var propagated []netip.Prefix
	for _, x := range t.Propagations {
		a := st.tgwAttachments.get(val(x.TransitGatewayAttachmentId))
		if a == nil || val(a.State) != "available" || val(x.State) != "enabled" {
			continue
		}
		v := st.vpcs.get(val(a.VpcId))
		if v == nil {
			continue
		}
		for _, b := range v.CidrBlockAssociationSet {
			if b.CidrBlockState == nil || val(b.CidrBlockState.State) != "associated" {
				continue
			}
			p, err := netip.ParsePrefix(val(b.CidrBlock))
			if err != nil || slices.ContainsFunc(propagated, p.Overlaps) {
				continue
			}
			propagated = append(propagated, p)
			if slices.ContainsFunc(t.Routes, func(r ec2api.TransitGatewayRoute) bool { return val(r.DestinationCidrBlock) == p.String() }) {
				continue
			}
			out = append(out, ec2api.TransitGatewayRoute{DestinationCidrBlock: str(p.String()), Type: str("propagated"), State: str("active"),
				TransitGatewayAttachments: []ec2api.TransitGatewayRouteAttachment{{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
					ResourceId: a.VpcId, ResourceType: str("vpc")}}})
		}
	}
	slices.SortStableFunc(out, func(a, b ec2api.TransitGatewayRoute) int {
		pa, _ := netip.ParsePrefix(val(a.DestinationCidrBlock))
		pb, _ := netip.ParsePrefix(val(b.DestinationCidrBlock))
		if c := pa.Addr().Compare(pb.Addr()); c != 0 {
			return c
		}
		return pa.Bits() - pb.Bits()
	})
	return out
}

// SearchTransitGatewayRoutes lists a table's routes that pass the filters (type, state,
// attachment.*, route-search.*), at most MaxResults (AWS's default 1000), saying when more
// are there.
func searchTransitGatewayRoutes(c *call, in *ec2api.SearchTransitGatewayRoutesRequest) (*ec2api.SearchTransitGatewayRoutesResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	var filters []ec2api.Filter
	var searches []func(netip.Prefix) bool
	routes := c.st.routesOf(t)
	for _, f := range in.Filters {
		if !strings.HasPrefix(val(f.Name), "route-search.") {
			filters = append(filters, f)
			continue
		}
		match, err := routeSearch(val(f.Name), f.Values, routes)
		if err != nil {
			return nil, err
		}
		searches = append(searches, match)
	}
	m, err := ec2api.CompileFilters("SearchTransitGatewayRoutes", filters)
	if err != nil {
		return nil, err
	}
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 5 || *in.MaxResults > 1000 {
			return nil, errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	out := &ec2api.SearchTransitGatewayRoutesResult{Routes: []ec2api.TransitGatewayRoute{}, AdditionalRoutesAvailable: boolp(false)}
	for _, r := range routes {
		p, _ := netip.ParsePrefix(val(r.DestinationCidrBlock))
		if !m.Match(&r) || slices.ContainsFunc(searches, func(match func(netip.Prefix) bool) bool { return !match(p) }) {
			continue
		}
		if len(out.Routes) == limit {
			out.AdditionalRoutesAvailable = boolp(true)
			break
		}
		out.Routes = append(out.Routes, r)
	}
	return out, nil
}

// routeSearch compiles a route-search.* filter of SearchTransitGatewayRoutes into a test of
// a route's destination: exact-match (Terraform reads a static route by it), subnet-of-match
// (destinations within a value), supernet-of-match (destinations holding a value) and
// longest-prefix-match (the most specific route holding a value, among routes).
func routeSearch(name string, values []string, routes []ec2api.TransitGatewayRoute) (func(netip.Prefix) bool, error) {
	var ps []netip.Prefix
	for _, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, errorf("InvalidParameterValue", "Value (%s) for filter %s is invalid. This is not a valid CIDR block.", v, name)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		ps = append(ps, p.Masked())
	}
	within := func(inner, outer netip.Prefix) bool {
		return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
	}
	switch name {
	case "route-search.exact-match":
		return func(d netip.Prefix) bool { return slices.Contains(ps, d) }, nil
	case "route-search.subnet-of-match":
		return func(d netip.Prefix) bool {
			return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return within(d, p) })
		}, nil
	case "route-search.supernet-of-match":
		return func(d netip.Prefix) bool {
			return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return within(p, d) })
		}, nil
	case "route-search.longest-prefix-match":
		var best []netip.Prefix
		for _, p := range ps {
			found := netip.Prefix{}
			for _, r := range routes {
				if d, err := netip.ParsePrefix(val(r.DestinationCidrBlock)); err == nil && within(p, d) && (!found.IsValid() || d.Bits() > found.Bits()) {
					found = d
				}
			}
			if found.IsValid() {
				best = append(best, found)
			}
		}
		return func(d netip.Prefix) bool { return slices.Contains(best, d) }, nil
	}
	return nil, errorf("InvalidParameterValue", "The filter '%s' is invalid", name)
}

func getTransitGatewayRouteTableAssociations(c *call, in *ec2api.GetTransitGatewayRouteTableAssociationsRequest) (*ec2api.GetTransitGatewayRouteTableAssociationsResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	var all []*ec2api.TransitGatewayRouteTableAssociation
	for i := range t.Associations {
		all = append(all, &t.Associations[i])
	}
	slices.SortFunc(all, func(a, b *ec2api.TransitGatewayRouteTableAssociation) int {
		return strings.Compare(val(a.TransitGatewayAttachmentId), val(b.TransitGatewayAttachmentId))
	})
	as, next, err := describe(query{op: "GetTransitGatewayRouteTableAssociations", filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken},
		all, func(a *ec2api.TransitGatewayRouteTableAssociation) string { return val(a.TransitGatewayAttachmentId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.GetTransitGatewayRouteTableAssociationsResult{Associations: as, NextToken: next}, nil
}

func getTransitGatewayRouteTablePropagations(c *call, in *ec2api.GetTransitGatewayRouteTablePropagationsRequest) (*ec2api.GetTransitGatewayRouteTablePropagationsResult, error) {
	t, err := c.tgwTable(val(in.TransitGatewayRouteTableId))
	if err != nil {
		return nil, err
	}
	var all []*ec2api.TransitGatewayRouteTablePropagation
	for i := range t.Propagations {
		all = append(all, &t.Propagations[i])
	}
	slices.SortFunc(all, func(a, b *ec2api.TransitGatewayRouteTablePropagation) int {
		return strings.Compare(val(a.TransitGatewayAttachmentId), val(b.TransitGatewayAttachmentId))
	})
	ps, next, err := describe(query{op: "GetTransitGatewayRouteTablePropagations", filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken},
		all, func(p *ec2api.TransitGatewayRouteTablePropagation) string { return val(p.TransitGatewayAttachmentId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.GetTransitGatewayRouteTablePropagationsResult{TransitGatewayRouteTablePropagations: ps, NextToken: next}, nil
}
