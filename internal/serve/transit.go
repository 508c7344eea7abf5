package serve

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Transit gateways, their VPC attachments and route tables (§7.2). A gateway, an
// attachment and a table are kept as their describe-* shapes; what AWS lists per table
// (static routes, associations, propagations) is kept with the table (tgwTable), as the
// per-table calls list it. Propagated routes are not kept: they are the VPC blocks of the
// attachments propagating into the table, computed when routes are searched or exported,
// so that a VPC block added or an attachment that settles shows at once.

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
