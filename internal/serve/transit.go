package serve

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Transit gateways, their VPC attachments and route tables (§7.2). A gateway, an
// attachment and a table are kept as their describe-* shapes; what AWS lists per table
// (static routes, associations, propagations) is kept with the table (tgwTable), as the
// per-table calls list it. Propagated routes are not kept: they are the VPC blocks of the
// attachments propagating into the table, computed when routes are searched or exported,
// so that a VPC block added or an attachment that settles shows at once. This file has the
// gateways and attachments; transit_tables.go the route tables; transit_state.go tags,
// settling, the export and VPC routes to a gateway.

func init() {
	register("CreateTransitGateway", createTransitGateway)
	register("DescribeTransitGateways", describeTransitGateways)
	register("DeleteTransitGateway", deleteTransitGateway)
	register("CreateTransitGatewayVpcAttachment", createTransitGatewayVpcAttachment)
	register("DescribeTransitGatewayVpcAttachments", describeTransitGatewayVpcAttachments)
	register("ModifyTransitGatewayVpcAttachment", modifyTransitGatewayVpcAttachment)
	register("DeleteTransitGatewayVpcAttachment", deleteTransitGatewayVpcAttachment)
	register("DescribeTransitGatewayAttachments", describeTransitGatewayAttachments)
	register("CreateTransitGatewayRouteTable", createTransitGatewayRouteTable)
	register("DescribeTransitGatewayRouteTables", describeTransitGatewayRouteTables)
	register("DeleteTransitGatewayRouteTable", deleteTransitGatewayRouteTable)
	register("AssociateTransitGatewayRouteTable", associateTransitGatewayRouteTable)
	register("DisassociateTransitGatewayRouteTable", disassociateTransitGatewayRouteTable)
	register("EnableTransitGatewayRouteTablePropagation", enableTransitGatewayRouteTablePropagation)
	register("DisableTransitGatewayRouteTablePropagation", disableTransitGatewayRouteTablePropagation)
	register("CreateTransitGatewayRoute", createTransitGatewayRoute)
	register("DeleteTransitGatewayRoute", deleteTransitGatewayRoute)
	register("SearchTransitGatewayRoutes", searchTransitGatewayRoutes)
	register("GetTransitGatewayRouteTableAssociations", getTransitGatewayRouteTableAssociations)
	register("GetTransitGatewayRouteTablePropagations", getTransitGatewayRouteTablePropagations)
}

// tgwTable is a transit gateway route table with what the per-table calls list: its static
// (and blackhole) routes, its associations and its propagations.
type tgwTable struct {
	Table        ec2api.TransitGatewayRouteTable
	Routes       []ec2api.TransitGatewayRoute                 `json:",omitzero"`
	Associations []ec2api.TransitGatewayRouteTableAssociation `json:",omitzero"`
	Propagations []ec2api.TransitGatewayRouteTablePropagation `json:",omitzero"`
}

// Record kinds, as the store names them.
const (
	kindTGW       = "transit-gateway"
	kindTGWAttach = "tgw-attachment"
	kindTGWTable  = "tgw-route-table"
)

// enableDisable reads an enable/disable option: def when absent, EC2's error otherwise.
func enableDisable(param string, v *string, def string) (string, error) {
	if v == nil {
		return def, nil
	}
	switch *v {
	case "enable", "disable":
		return *v, nil
	}
	return "", errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected enable or disable.", *v, param)
}

func (c *call) pending(kind, id string) { c.s.transient[[2]string{kind, id}] = c.s.opt.Now() }

// CreateTransitGateway makes the gateway, pending until it settles, and with default
// association or propagation enabled (the default) its default route table (§7.2.1).
func createTransitGateway(c *call, in *ec2api.CreateTransitGatewayRequest) (*ec2api.CreateTransitGatewayResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "transit-gateway"); err != nil {
		return nil, err
	}
	ro := in.Options
	if ro == nil {
		ro = &ec2api.TransitGatewayRequestOptions{}
	}
	o := &ec2api.TransitGatewayOptions{AmazonSideAsn: ro.AmazonSideAsn, TransitGatewayCidrBlocks: ro.TransitGatewayCidrBlocks}
	if o.AmazonSideAsn == nil {
		asn := int64(64512)
		o.AmazonSideAsn = &asn
	} else if a := *o.AmazonSideAsn; !(a >= 64512 && a <= 65534) && !(a >= 4200000000 && a <= 4294967294) {
		return nil, errorf("InvalidParameterValue", "Value (%d) for parameter amazonSideAsn is invalid. Expected a private ASN (64512-65534 or 4200000000-4294967294).", a)
	}
	for _, opt := range []struct {
		param string
		in    *string
		out   **string
		def   string
	}{
		{"AutoAcceptSharedAttachments", ro.AutoAcceptSharedAttachments, &o.AutoAcceptSharedAttachments, "disable"},
		{"DefaultRouteTableAssociation", ro.DefaultRouteTableAssociation, &o.DefaultRouteTableAssociation, "enable"},
		{"DefaultRouteTablePropagation", ro.DefaultRouteTablePropagation, &o.DefaultRouteTablePropagation, "enable"},
		{"DnsSupport", ro.DnsSupport, &o.DnsSupport, "enable"},
		{"MulticastSupport", ro.MulticastSupport, &o.MulticastSupport, "disable"},
		{"SecurityGroupReferencingSupport", ro.SecurityGroupReferencingSupport, &o.SecurityGroupReferencingSupport, "disable"},
		{"VpnEcmpSupport", ro.VpnEcmpSupport, &o.VpnEcmpSupport, "enable"},
	} {
		v, err := enableDisable(opt.param, opt.in, opt.def)
		if err != nil {
			return nil, err
		}
		*opt.out = str(v)
	}
	for _, b := range o.TransitGatewayCidrBlocks {
		if _, err := netip.ParsePrefix(b); err != nil {
			return nil, errorf("InvalidParameterValue", "Value (%s) for parameter transitGatewayCidrBlocks is invalid. This is not a valid CIDR block.", b)
		}
	}
	id := c.newID("tgw")
	g := &ec2api.TransitGateway{TransitGatewayId: str(id), TransitGatewayArn: str(c.s.arn("transit-gateway/" + id)),
		Description: in.Description, OwnerId: str(c.s.opt.Account), State: str("pending"), CreationTime: c.time(),
		Options: o, Tags: tagsFrom(in.TagSpecifications, "transit-gateway")}
	assoc, prop := *o.DefaultRouteTableAssociation == "enable", *o.DefaultRouteTablePropagation == "enable"
	if assoc || prop {
		t := c.newTGWTable(id, "available", nil)
		t.Table.DefaultAssociationRouteTable, t.Table.DefaultPropagationRouteTable = boolp(assoc), boolp(prop)
		if assoc {
			o.AssociationDefaultRouteTableId = t.Table.TransitGatewayRouteTableId
		}
		if prop {
			o.PropagationDefaultRouteTableId = t.Table.TransitGatewayRouteTableId
		}
	}
	c.touch(kindTGW, id)
	c.st.tgws.put(id, g)
	c.pending(kindTGW, id)
	return &ec2api.CreateTransitGatewayResult{TransitGateway: g}, nil
}

func (c *call) newTGWTable(tgw, state string, tags []ec2api.Tag) *tgwTable {
	id := c.newID("tgw-rtb")
	if tags == nil {
		tags = []ec2api.Tag{}
	}
	t := &tgwTable{Table: ec2api.TransitGatewayRouteTable{TransitGatewayRouteTableId: str(id), TransitGatewayId: str(tgw),
		State: str(state), CreationTime: c.time(), DefaultAssociationRouteTable: boolp(false), DefaultPropagationRouteTable: boolp(false),
		Tags: tags}}
	c.touch(kindTGWTable, id)
	c.st.tgwTables.put(id, t)
	return t
}

func describeTransitGateways(c *call, in *ec2api.DescribeTransitGatewaysRequest) (*ec2api.DescribeTransitGatewaysResult, error) {
	gs, next, err := describe(query{op: "DescribeTransitGateways", ids: in.TransitGatewayIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidTransitGatewayID.NotFound", what: "transitGateway"},
		c.st.tgws.all(), func(g *ec2api.TransitGateway) string { return val(g.TransitGatewayId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeTransitGatewaysResult{TransitGateways: gs, NextToken: next}, nil
}

// tgw finds a transit gateway that is not deleted; available says it must be available.
func (c *call) tgw(id string, available bool) (*ec2api.TransitGateway, error) {
	if err := checkID(id, "tgw", "InvalidTransitGatewayID.Malformed"); err != nil {
		return nil, err
	}
	g := c.st.tgws.get(id)
	if g == nil || val(g.State) == "deleted" {
		return nil, notFound("InvalidTransitGatewayID.NotFound", "transitGateway", id)
	}
	if available && val(g.State) != "available" {
		return nil, errorf("IncorrectState", "%s is in invalid state (%s)", id, val(g.State))
	}
	return g, nil
}

// DeleteTransitGateway refuses while an attachment of the gateway is not deleted; its route
// tables go with it.
func deleteTransitGateway(c *call, in *ec2api.DeleteTransitGatewayRequest) (*ec2api.DeleteTransitGatewayResult, error) {
	g, err := c.tgw(val(in.TransitGatewayId), false)
	if err != nil {
		return nil, err
	}
	id := *g.TransitGatewayId
	if slices.ContainsFunc(c.st.tgwAttachments.all(), func(a *ec2api.TransitGatewayVpcAttachment) bool {
		return val(a.TransitGatewayId) == id && val(a.State) != "deleted"
	}) {
		return nil, errorf("DependencyViolation", "%s has non-deleted Transit Gateway Attachments", id)
	}
	if val(g.State) != "deleting" {
		for _, t := range c.st.tgwTables.all() {
			if val(t.Table.TransitGatewayId) == id && val(t.Table.State) != "deleted" {
				c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
				t.Table.State = str("deleting")
				c.pending(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
			}
		}
		c.touch(kindTGW, id)
		g.State = str("deleting")
		c.pending(kindTGW, id)
	}
	return &ec2api.DeleteTransitGatewayResult{TransitGateway: g}, nil
}

// CreateTransitGatewayVpcAttachment attaches a VPC through one subnet per Availability
// Zone, each given the gateway's interface (§7.2.9); the gateway's default table, when it
// has one, associates the attachment and takes its propagation.
func createTransitGatewayVpcAttachment(c *call, in *ec2api.CreateTransitGatewayVpcAttachmentRequest) (*ec2api.CreateTransitGatewayVpcAttachmentResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "transit-gateway-attachment"); err != nil {
		return nil, err
	}
	g, err := c.tgw(val(in.TransitGatewayId), true)
	if err != nil {
		return nil, err
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	if len(in.SubnetIds) == 0 {
		return nil, errorf("MissingParameter", "The request must contain the parameter SubnetIds")
	}
	for _, a := range c.st.tgwAttachments.all() {
		if val(a.TransitGatewayId) == *g.TransitGatewayId && val(a.VpcId) == *v.VpcId && val(a.State) != "deleted" {
			return nil, errorf("DuplicateTransitGatewayAttachment", "%s has non-deleted Transit Gateway Attachments with same VPC ID.", *g.TransitGatewayId)
		}
	}
	subnets, err := c.attachmentSubnets(*v.VpcId, in.SubnetIds)
	if err != nil {
		return nil, err
	}
	ro := in.Options
	if ro == nil {
		ro = &ec2api.CreateTransitGatewayVpcAttachmentRequestOptions{}
	}
	o := &ec2api.TransitGatewayVpcAttachmentOptions{}
	for _, opt := range []struct {
		param string
		in    *string
		out   **string
		def   string
	}{
		{"ApplianceModeSupport", ro.ApplianceModeSupport, &o.ApplianceModeSupport, "disable"},
		{"DnsSupport", ro.DnsSupport, &o.DnsSupport, "enable"},
		{"Ipv6Support", ro.Ipv6Support, &o.Ipv6Support, "disable"},
		{"SecurityGroupReferencingSupport", ro.SecurityGroupReferencingSupport, &o.SecurityGroupReferencingSupport, "enable"},
	} {
		s, err := enableDisable(opt.param, opt.in, opt.def)
		if err != nil {
			return nil, err
		}
		*opt.out = str(s)
	}
	id := c.newID("tgw-attach")
	a := &ec2api.TransitGatewayVpcAttachment{TransitGatewayAttachmentId: str(id), TransitGatewayId: g.TransitGatewayId,
		VpcId: v.VpcId, VpcOwnerId: str(c.s.opt.Account), State: str("pending"), CreationTime: c.time(), Options: o,
		Tags: tagsFrom(in.TagSpecifications, "transit-gateway-attachment")}
	for _, s := range subnets {
		if err := c.tgwInterface(id, s); err != nil {
			return nil, err
		}
		a.SubnetIds = append(a.SubnetIds, *s.SubnetId)
	}
	c.touch(kindTGWAttach, id)
	c.st.tgwAttachments.put(id, a)
	c.pending(kindTGWAttach, id)
	c.tgwRouteState(*v.VpcId, *g.TransitGatewayId, "active")
	opts := g.Options
	if val(opts.DefaultRouteTableAssociation) == "enable" {
		if t := c.st.tgwTables.get(val(opts.AssociationDefaultRouteTableId)); t != nil {
			c.associate(t, a, "associated")
		}
	}
	if val(opts.DefaultRouteTablePropagation) == "enable" {
		if t := c.st.tgwTables.get(val(opts.PropagationDefaultRouteTableId)); t != nil {
			c.propagate(t, a)
		}
	}
	c.check(*v.VpcId)
	return &ec2api.CreateTransitGatewayVpcAttachmentResult{TransitGatewayVpcAttachment: a}, nil
}

// attachmentSubnets resolves an attachment's subnets: in the VPC, one per Availability Zone.
func (c *call) attachmentSubnets(vpcID string, ids []string) ([]*ec2api.Subnet, error) {
	var out []*ec2api.Subnet
	zones := map[string]string{}
	for _, id := range ids {
		s, err := c.subnet(id)
		if err != nil {
			return nil, err
		}
		if val(s.VpcId) != vpcID {
			return nil, errorf("InvalidParameterValue", "Subnet %s does not belong to VPC %s.", id, vpcID)
		}
		z := val(s.AvailabilityZone)
		if other, dup := zones[z]; dup {
			if other == id {
				continue
			}
			return nil, errorf("DuplicateSubnetsInSameZone", "Subnets %s and %s are in the same Availability Zone %s; an attachment has one subnet per zone.", other, id, z)
		}
		zones[z] = id
		out = append(out, s)
	}
	return out, nil
}

// tgwInterface gives an attachment's subnet the gateway's requester-managed interface; the
// engine finds it by the attachment its description names.
func (c *call) tgwInterface(attachment string, s *ec2api.Subnet) error {
	ip, err := c.freeAddress(s)
	if err != nil {
		return err
	}
	c.newInterface(s, ip, nil, "transit_gateway", "Network Interface for Transit Gateway Attachment "+attachment)
	return nil
}

// dropTGWInterfaces removes an attachment's interfaces, in subnet (or in every subnet when
// subnet is "").
func (c *call) dropTGWInterfaces(attachment, subnet string) {
	for _, e := range c.st.enis.all() {
		if val(e.InterfaceType) == "transit_gateway" && strings.HasSuffix(val(e.Description), " "+attachment) &&
			(subnet == "" || val(e.SubnetId) == subnet) {
			c.touch("network-interface", *e.NetworkInterfaceId)
			c.st.enis.remove(*e.NetworkInterfaceId)
		}
	}
}

func describeTransitGatewayVpcAttachments(c *call, in *ec2api.DescribeTransitGatewayVpcAttachmentsRequest) (*ec2api.DescribeTransitGatewayVpcAttachmentsResult, error) {
	as, next, err := describe(query{op: "DescribeTransitGatewayVpcAttachments", ids: in.TransitGatewayAttachmentIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidTransitGatewayAttachmentID.NotFound", what: "transitGatewayAttachment"},
		c.st.tgwAttachments.all(), func(a *ec2api.TransitGatewayVpcAttachment) string { return val(a.TransitGatewayAttachmentId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeTransitGatewayVpcAttachmentsResult{TransitGatewayVpcAttachments: as, NextToken: next}, nil
}

// tgwAttachment finds an attachment that is not deleted.
func (c *call) tgwAttachment(id string) (*ec2api.TransitGatewayVpcAttachment, error) {
	if err := checkID(id, "tgw-attach", "InvalidTransitGatewayAttachmentID.Malformed"); err != nil {
		return nil, err
	}
	a := c.st.tgwAttachments.get(id)
	if a == nil || val(a.State) == "deleted" {
		return nil, notFound("InvalidTransitGatewayAttachmentID.NotFound", "transitGatewayAttachment", id)
	}
	return a, nil
}

// ModifyTransitGatewayVpcAttachment adds and removes subnets and changes options; the
// attachment is modifying until it settles.
func modifyTransitGatewayVpcAttachment(c *call, in *ec2api.ModifyTransitGatewayVpcAttachmentRequest) (*ec2api.ModifyTransitGatewayVpcAttachmentResult, error) {
	a, err := c.tgwAttachment(val(in.TransitGatewayAttachmentId))
	if err != nil {
		return nil, err
	}
	id := *a.TransitGatewayAttachmentId
	if val(a.State) != "available" {
		return nil, errorf("IncorrectState", "%s is in invalid state (%s)", id, val(a.State))
	}
	keep := slices.Clone(a.SubnetIds)
	for _, s := range in.RemoveSubnetIds {
		i := slices.Index(keep, s)
		if i < 0 {
			return nil, errorf("InvalidParameterValue", "Subnet %s is not in attachment %s.", s, id)
		}
		keep = slices.Delete(keep, i, i+1)
	}
	all := append(slices.Clone(keep), in.AddSubnetIds...)
	subnets, err := c.attachmentSubnets(val(a.VpcId), all)
	if err != nil {
		return nil, err
	}
	if len(subnets) == 0 {
		return nil, errorf("InvalidParameterValue", "An attachment keeps at least one subnet.")
	}
	c.touch(kindTGWAttach, id)
	for _, s := range in.RemoveSubnetIds {
		c.dropTGWInterfaces(id, s)
	}
	a.SubnetIds = nil
	for _, s := range subnets {
		if !slices.Contains(keep, *s.SubnetId) {
			if err := c.tgwInterface(id, s); err != nil {
				return nil, err
			}
		}
		a.SubnetIds = append(a.SubnetIds, *s.SubnetId)
	}
	if ro := in.Options; ro != nil {
		o := a.Options
		for _, opt := range []struct {
			param string
			in    *string
			out   **string
		}{
			{"ApplianceModeSupport", ro.ApplianceModeSupport, &o.ApplianceModeSupport},
			{"DnsSupport", ro.DnsSupport, &o.DnsSupport},
			{"Ipv6Support", ro.Ipv6Support, &o.Ipv6Support},
			{"SecurityGroupReferencingSupport", ro.SecurityGroupReferencingSupport, &o.SecurityGroupReferencingSupport},
		} {
			s, err := enableDisable(opt.param, opt.in, val(*opt.out))
			if err != nil {
				return nil, err
			}
			*opt.out = str(s)
		}
	}
	a.State = str("modifying")
	c.pending(kindTGWAttach, id)
	c.check(val(a.VpcId))
	return &ec2api.ModifyTransitGatewayVpcAttachmentResult{TransitGatewayVpcAttachment: a}, nil
}

// DeleteTransitGatewayVpcAttachment: the attachment is deleting, then deleted (visible for
// the retention); its interfaces, association and propagations go, and static routes to it
// become blackholes.
func deleteTransitGatewayVpcAttachment(c *call, in *ec2api.DeleteTransitGatewayVpcAttachmentRequest) (*ec2api.DeleteTransitGatewayVpcAttachmentResult, error) {
	a, err := c.tgwAttachment(val(in.TransitGatewayAttachmentId))
	if err != nil {
		return nil, err
	}
	id := *a.TransitGatewayAttachmentId
	if val(a.State) == "deleting" {
		return &ec2api.DeleteTransitGatewayVpcAttachmentResult{TransitGatewayVpcAttachment: a}, nil
	}
	for _, t := range c.st.tgwTables.all() {
		touched := false
		touch := func() {
			if !touched {
				c.touch(kindTGWTable, *t.Table.TransitGatewayRouteTableId)
				touched = true
			}
		}
		if slices.ContainsFunc(t.Associations, func(x ec2api.TransitGatewayRouteTableAssociation) bool {
			return val(x.TransitGatewayAttachmentId) == id
		}) {
			touch()
			t.Associations = slices.DeleteFunc(t.Associations, func(x ec2api.TransitGatewayRouteTableAssociation) bool {
				return val(x.TransitGatewayAttachmentId) == id
			})
		}
		if slices.ContainsFunc(t.Propagations, func(x ec2api.TransitGatewayRouteTablePropagation) bool {
			return val(x.TransitGatewayAttachmentId) == id
		}) {
			touch()
			t.Propagations = slices.DeleteFunc(t.Propagations, func(x ec2api.TransitGatewayRouteTablePropagation) bool {
				return val(x.TransitGatewayAttachmentId) == id
			})
		}
		for i := range t.Routes {
			r := &t.Routes[i]
			if slices.ContainsFunc(r.TransitGatewayAttachments, func(x ec2api.TransitGatewayRouteAttachment) bool { return val(x.TransitGatewayAttachmentId) == id }) {
				touch()
				r.State, r.TransitGatewayAttachments = str("blackhole"), nil
			}
		}
	}
	c.dropTGWInterfaces(id, "")
	c.tgwRouteState(val(a.VpcId), val(a.TransitGatewayId), "blackhole")
	c.touch(kindTGWAttach, id)
	a.State = str("deleting")
	c.pending(kindTGWAttach, id)
	c.check(val(a.VpcId))
	return &ec2api.DeleteTransitGatewayVpcAttachmentResult{TransitGatewayVpcAttachment: a}, nil
}

// attachmentView is an attachment as describe-transit-gateway-attachments lists it, with
// its association.
func (st *state) attachmentView(a *ec2api.TransitGatewayVpcAttachment) *ec2api.TransitGatewayAttachment {
	v := &ec2api.TransitGatewayAttachment{TransitGatewayAttachmentId: a.TransitGatewayAttachmentId, TransitGatewayId: a.TransitGatewayId,
		TransitGatewayOwnerId: a.VpcOwnerId, ResourceType: str("vpc"), ResourceId: a.VpcId, ResourceOwnerId: a.VpcOwnerId,
		State: a.State, CreationTime: a.CreationTime, Tags: a.Tags}
	if t, x := st.associationOf(val(a.TransitGatewayAttachmentId)); t != nil {
		v.Association = &ec2api.TransitGatewayAttachmentAssociation{TransitGatewayRouteTableId: t.Table.TransitGatewayRouteTableId, State: x.State}
	}
	return v
}

// associationOf is the table an attachment is associated with, and the association.
func (st *state) associationOf(attachment string) (*tgwTable, *ec2api.TransitGatewayRouteTableAssociation) {
	for _, t := range st.tgwTables.all() {
		for i := range t.Associations {
			if val(t.Associations[i].TransitGatewayAttachmentId) == attachment {
				return t, &t.Associations[i]
			}
		}
	}
	return nil, nil
}

func describeTransitGatewayAttachments(c *call, in *ec2api.DescribeTransitGatewayAttachmentsRequest) (*ec2api.DescribeTransitGatewayAttachmentsResult, error) {
	var all []*ec2api.TransitGatewayAttachment
	for _, a := range c.st.tgwAttachments.all() {
		all = append(all, c.st.attachmentView(a))
	}
	as, next, err := describe(query{op: "DescribeTransitGatewayAttachments", ids: in.TransitGatewayAttachmentIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidTransitGatewayAttachmentID.NotFound", what: "transitGatewayAttachment"},
		all, func(a *ec2api.TransitGatewayAttachment) string { return val(a.TransitGatewayAttachmentId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeTransitGatewayAttachmentsResult{TransitGatewayAttachments: as, NextToken: next}, nil
}
