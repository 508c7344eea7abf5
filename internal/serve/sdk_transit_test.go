package serve

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	sdkOps["TestSDKTransitGateways"] = []string{"CreateTransitGateway", "DescribeTransitGateways", "DeleteTransitGateway",
		"CreateTransitGatewayVpcAttachment", "DescribeTransitGatewayVpcAttachments", "ModifyTransitGatewayVpcAttachment",
		"DeleteTransitGatewayVpcAttachment", "DescribeTransitGatewayAttachments", "CreateTransitGatewayRouteTable",
		"DescribeTransitGatewayRouteTables", "DeleteTransitGatewayRouteTable", "AssociateTransitGatewayRouteTable",
		"DisassociateTransitGatewayRouteTable", "EnableTransitGatewayRouteTablePropagation", "DisableTransitGatewayRouteTablePropagation",
		"CreateTransitGatewayRoute", "DeleteTransitGatewayRoute", "SearchTransitGatewayRoutes",
		"GetTransitGatewayRouteTableAssociations", "GetTransitGatewayRouteTablePropagations"}
}

// TestSDKTransitGateways: transit gateways through aws-sdk-go-v2, as Terraform's
// aws_ec2_transit_gateway* resources call them: a gateway with its default route table,
// VPC attachments associated and propagating by default, a second table with its own
// association, propagation and static routes, the searches by route type, a VPC route to
// the gateway, the changes of an attachment, the paginators and the deletions with their
// states. service/ec2 has no transit gateway waiters; the states a waiter would poll are
// checked by describe.
func TestSDKTransitGateways(t *testing.T) {
	c := newSDK(t, Options{})
	vpcA, vpcB := c.mkVpc(t, "10.0.0.0/16"), c.mkVpc(t, "10.1.0.0/16")
	subnet := func(vpc, block, zone string) string {
		out := ok(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(block), AvailabilityZone: aws.String(zone)}))(t)
		return *out.Subnet.SubnetId
	}
	a1, a2, b1 := subnet(vpcA, "10.0.1.0/24", "us-east-1a"), subnet(vpcA, "10.0.2.0/24", "us-east-1b"), subnet(vpcB, "10.1.1.0/24", "us-east-1a")

	// The gateway: pending, with the default table for association and propagation.
	created := ok(c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{Description: aws.String("hub"),
		Options:           &types.TransitGatewayRequestOptions{AmazonSideAsn: aws.Int64(64600)},
		TagSpecifications: tagSpec(types.ResourceTypeTransitGateway, "Name", "hub")}))(t).TransitGateway
	tgw := wantID(t, created.TransitGatewayId, "tgw")
	o := created.Options
	if created.State != types.TransitGatewayStatePending || o == nil || aws.ToInt64(o.AmazonSideAsn) != 64600 ||
		o.DefaultRouteTableAssociation != types.DefaultRouteTableAssociationValueEnable ||
		o.DefaultRouteTablePropagation != types.DefaultRouteTablePropagationValueEnable ||
		aws.ToString(o.AssociationDefaultRouteTableId) != aws.ToString(o.PropagationDefaultRouteTableId) {
		t.Fatalf("CreateTransitGateway: %+v, options %+v", *created, o)
	}
	def := wantID(t, o.AssociationDefaultRouteTableId, "tgw-rtb")
	g := ok(c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{tgw}}))(t).TransitGateways
	if len(g) != 1 || g[0].State != types.TransitGatewayStateAvailable || tagsOf(g[0].Tags)["Name"] != "hub" ||
		aws.ToString(g[0].TransitGatewayArn) != "arn:aws:ec2:us-east-1:123456789012:transit-gateway/"+tgw {
		t.Errorf("DescribeTransitGateways: %+v", g)
	}

	// Attachments: pending, then available, associated with and propagating into the
	// default table.
	attach := func(vpc string, subnets ...string) string {
		out := ok(c.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: aws.String(tgw),
			VpcId: aws.String(vpc), SubnetIds: subnets, Options: &types.CreateTransitGatewayVpcAttachmentRequestOptions{ApplianceModeSupport: types.ApplianceModeSupportValueEnable},
			TagSpecifications: tagSpec(types.ResourceTypeTransitGatewayAttachment, "Name", vpc)}))(t).TransitGatewayVpcAttachment
		if out.State != types.TransitGatewayAttachmentStatePending || aws.ToString(out.VpcId) != vpc || !slices.Equal(out.SubnetIds, subnets) ||
			out.Options == nil || out.Options.ApplianceModeSupport != types.ApplianceModeSupportValueEnable || out.Options.DnsSupport != types.DnsSupportValueEnable {
			t.Errorf("CreateTransitGatewayVpcAttachment: %+v", *out)
		}
		return wantID(t, out.TransitGatewayAttachmentId, "tgw-attach")
	}
	attA, attB := attach(vpcA, a1, a2), attach(vpcB, b1)
	va := ok(c.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{
		Filters: []types.Filter{filter("transit-gateway-id", tgw), filter("state", "available")}}))(t).TransitGatewayVpcAttachments
	if len(va) != 2 || tagsOf(va[0].Tags)["Name"] == "" {
		t.Errorf("DescribeTransitGatewayVpcAttachments of the gateway, available: %+v", va)
	}
	generic := ok(c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{TransitGatewayAttachmentIds: []string{attA}}))(t).TransitGatewayAttachments
	if len(generic) != 1 || generic[0].ResourceType != types.TransitGatewayAttachmentResourceTypeVpc || aws.ToString(generic[0].ResourceId) != vpcA ||
		generic[0].Association == nil || aws.ToString(generic[0].Association.TransitGatewayRouteTableId) != def ||
		generic[0].Association.State != types.TransitGatewayAssociationStateAssociated {
		t.Errorf("DescribeTransitGatewayAttachments %s: %+v", attA, generic)
	}
	assocIDs := func(table string) []string {
		var ids []string
		for _, a := range ok(c.GetTransitGatewayRouteTableAssociations(ctx, &ec2.GetTransitGatewayRouteTableAssociationsInput{TransitGatewayRouteTableId: aws.String(table)}))(t).Associations {
			if a.State == types.TransitGatewayAssociationStateAssociated {
				ids = append(ids, aws.ToString(a.TransitGatewayAttachmentId))
			}
		}
		return ids
	}
	propIDs := func(table string) []string {
		var ids []string
		for _, p := range ok(c.GetTransitGatewayRouteTablePropagations(ctx, &ec2.GetTransitGatewayRouteTablePropagationsInput{TransitGatewayRouteTableId: aws.String(table)}))(t).TransitGatewayRouteTablePropagations {
			if p.State == types.TransitGatewayPropagationStateEnabled {
				ids = append(ids, aws.ToString(p.TransitGatewayAttachmentId))
			}
		}
		return ids
	}
	exactlyOnce(t, "associations of the default table", assocIDs(def), []string{attA, attB})
	exactlyOnce(t, "propagations into the default table", propIDs(def), []string{attA, attB})
	search := func(table string, kinds ...string) map[string]string {
		out := ok(c.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String(table),
			Filters: []types.Filter{filter("type", kinds...)}}))(t)
		routes := map[string]string{}
		for _, r := range out.Routes {
			via := string(r.State)
			for _, a := range r.TransitGatewayAttachments {
				via = aws.ToString(a.TransitGatewayAttachmentId)
			}
			routes[aws.ToString(r.DestinationCidrBlock)] = string(r.Type) + " " + via
		}
		return routes
	}
	if got, want := search(def, "propagated"), map[string]string{"10.0.0.0/16": "propagated " + attA, "10.1.0.0/16": "propagated " + attB}; !mapsEqual(got, want) {
		t.Errorf("the default table's propagated routes: %v, want %v", got, want)
	}

	// A second table: B moves to it, A propagates into it; static routes and a blackhole.
	rt := ok(c.CreateTransitGatewayRouteTable(ctx, &ec2.CreateTransitGatewayRouteTableInput{TransitGatewayId: aws.String(tgw),
		TagSpecifications: tagSpec(types.ResourceTypeTransitGatewayRouteTable, "Name", "spokes")}))(t).TransitGatewayRouteTable
	spokes := wantID(t, rt.TransitGatewayRouteTableId, "tgw-rtb")
	if rt.State != types.TransitGatewayRouteTableStatePending {
		t.Errorf("CreateTransitGatewayRouteTable: state %s, want pending", rt.State)
	}
	tables := ok(c.DescribeTransitGatewayRouteTables(ctx, &ec2.DescribeTransitGatewayRouteTablesInput{
		Filters: []types.Filter{filter("transit-gateway-id", tgw), filter("default-association-route-table", "false")}}))(t).TransitGatewayRouteTables
	if len(tables) != 1 || aws.ToString(tables[0].TransitGatewayRouteTableId) != spokes || tables[0].State != types.TransitGatewayRouteTableStateAvailable ||
		tagsOf(tables[0].Tags)["Name"] != "spokes" {
		t.Errorf("DescribeTransitGatewayRouteTables, not the default: %+v", tables)
	}
	dis := ok(c.DisassociateTransitGatewayRouteTable(ctx, &ec2.DisassociateTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(def),
		TransitGatewayAttachmentId: aws.String(attB)}))(t).Association
	if dis.State != types.TransitGatewayAssociationStateDisassociating || aws.ToString(dis.ResourceId) != vpcB {
		t.Errorf("DisassociateTransitGatewayRouteTable: %+v", *dis)
	}
	as := ok(c.AssociateTransitGatewayRouteTable(ctx, &ec2.AssociateTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(spokes),
		TransitGatewayAttachmentId: aws.String(attB)}))(t).Association
	if as.State != types.TransitGatewayAssociationStateAssociating || aws.ToString(as.TransitGatewayRouteTableId) != spokes {
		t.Errorf("AssociateTransitGatewayRouteTable: %+v", *as)
	}
	_, err := c.AssociateTransitGatewayRouteTable(ctx, &ec2.AssociateTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(def),
		TransitGatewayAttachmentId: aws.String(attB)})
	wantCode(t, "associating an associated attachment", err, "Resource.AlreadyAssociated")
	en := ok(c.EnableTransitGatewayRouteTablePropagation(ctx, &ec2.EnableTransitGatewayRouteTablePropagationInput{TransitGatewayRouteTableId: aws.String(spokes),
		TransitGatewayAttachmentId: aws.String(attA)}))(t).Propagation
	if en.State != types.TransitGatewayPropagationStateEnabling {
		t.Errorf("EnableTransitGatewayRouteTablePropagation: %+v", *en)
	}
	dp := ok(c.DisableTransitGatewayRouteTablePropagation(ctx, &ec2.DisableTransitGatewayRouteTablePropagationInput{TransitGatewayRouteTableId: aws.String(def),
		TransitGatewayAttachmentId: aws.String(attB)}))(t).Propagation
	if dp.State != types.TransitGatewayPropagationStateDisabling {
		t.Errorf("DisableTransitGatewayRouteTablePropagation: %+v", *dp)
	}
	exactlyOnce(t, "associations of the spokes table", assocIDs(spokes), []string{attB})
	exactlyOnce(t, "propagations into the default table", propIDs(def), []string{attA})
	exactlyOnce(t, "propagations into the spokes table", propIDs(spokes), []string{attA})
	// Terraform finds an attachment's association and propagation by filter.
	byAtt := []types.Filter{filter("transit-gateway-attachment-id", attB)}
	if as := ok(c.GetTransitGatewayRouteTableAssociations(ctx, &ec2.GetTransitGatewayRouteTableAssociationsInput{TransitGatewayRouteTableId: aws.String(spokes),
		Filters: byAtt}))(t).Associations; len(as) != 1 || aws.ToString(as[0].ResourceId) != vpcB {
		t.Errorf("GetTransitGatewayRouteTableAssociations of %s by attachment: %+v", spokes, as)
	}
	if ps := ok(c.GetTransitGatewayRouteTablePropagations(ctx, &ec2.GetTransitGatewayRouteTablePropagationsInput{TransitGatewayRouteTableId: aws.String(def),
		Filters: byAtt}))(t).TransitGatewayRouteTablePropagations; len(ps) != 0 {
		t.Errorf("GetTransitGatewayRouteTablePropagations of %s by B's attachment, disabled: %+v", def, ps)
	}
	// Tags on a table and an attachment, as Terraform sets them after a create.
	ok(c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{spokes, attB}, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("lab")}}}))(t)
	var tagged []string
	for _, d := range ok(c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("key", "env")}}))(t).Tags {
		tagged = append(tagged, aws.ToString(d.ResourceId)+" "+string(d.ResourceType))
	}
	exactlyOnce(t, "DescribeTags key=env", tagged, []string{spokes + " transit-gateway-route-table", attB + " transit-gateway-attachment"})
	gen := ok(c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{
		Filters: []types.Filter{filter("association.transit-gateway-route-table-id", spokes)}}))(t).TransitGatewayAttachments
	if len(gen) != 1 || aws.ToString(gen[0].TransitGatewayAttachmentId) != attB {
		t.Errorf("attachments associated with the spokes table: %+v", gen)
	}

	route := ok(c.CreateTransitGatewayRoute(ctx, &ec2.CreateTransitGatewayRouteInput{TransitGatewayRouteTableId: aws.String(spokes),
		DestinationCidrBlock: aws.String("0.0.0.0/0"), TransitGatewayAttachmentId: aws.String(attA)}))(t).Route
	if route.Type != types.TransitGatewayRouteTypeStatic || route.State != types.TransitGatewayRouteStateActive {
		t.Errorf("CreateTransitGatewayRoute: %+v", *route)
	}
	bh := ok(c.CreateTransitGatewayRoute(ctx, &ec2.CreateTransitGatewayRouteInput{TransitGatewayRouteTableId: aws.String(spokes),
		DestinationCidrBlock: aws.String("192.168.0.0/16"), Blackhole: aws.Bool(true)}))(t).Route
	if bh.State != types.TransitGatewayRouteStateBlackhole {
		t.Errorf("CreateTransitGatewayRoute blackhole: %+v", *bh)
	}
	_, err = c.CreateTransitGatewayRoute(ctx, &ec2.CreateTransitGatewayRouteInput{TransitGatewayRouteTableId: aws.String(spokes),
		DestinationCidrBlock: aws.String("0.0.0.0/0"), TransitGatewayAttachmentId: aws.String(attB)})
	wantCode(t, "a second static route to 0.0.0.0/0", err, "RouteAlreadyExists")
	if got, want := search(spokes, "static"), map[string]string{"0.0.0.0/0": "static " + attA, "192.168.0.0/16": "static blackhole"}; !mapsEqual(got, want) {
		t.Errorf("the spokes table's static routes: %v, want %v", got, want)
	}
	if got, want := search(spokes, "static", "propagated"), map[string]string{"0.0.0.0/0": "static " + attA, "192.168.0.0/16": "static blackhole",
		"10.0.0.0/16": "propagated " + attA}; !mapsEqual(got, want) {
		t.Errorf("the spokes table's routes: %v, want %v", got, want)
	}
	// Terraform reads a static route back by route-search.exact-match; longest-prefix-match
	// finds the route an address takes.
	byDest := func(name, value string, kinds ...string) []string {
		out := ok(c.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String(spokes),
			Filters: []types.Filter{filter("type", kinds...), filter(name, value)}}))(t)
		var ds []string
		for _, r := range out.Routes {
			ds = append(ds, aws.ToString(r.DestinationCidrBlock))
		}
		return ds
	}
	for _, tc := range []struct {
		name, value string
		kinds, want []string
	}{
		{"route-search.exact-match", "0.0.0.0/0", []string{"static"}, []string{"0.0.0.0/0"}},
		{"route-search.exact-match", "10.0.0.0/16", []string{"static"}, nil},
		{"route-search.longest-prefix-match", "10.0.5.5", []string{"static", "propagated"}, []string{"10.0.0.0/16"}},
		{"route-search.subnet-of-match", "10.0.0.0/8", []string{"static", "propagated"}, []string{"10.0.0.0/16"}},
		{"route-search.supernet-of-match", "192.168.1.0/24", []string{"static", "propagated"}, []string{"0.0.0.0/0", "192.168.0.0/16"}},
	} {
		if got := byDest(tc.name, tc.value, tc.kinds...); !slices.Equal(got, tc.want) {
			t.Errorf("SearchTransitGatewayRoutes %s=%s type=%v: %v, want %v", tc.name, tc.value, tc.kinds, got, tc.want)
		}
	}
	del := ok(c.DeleteTransitGatewayRoute(ctx, &ec2.DeleteTransitGatewayRouteInput{TransitGatewayRouteTableId: aws.String(spokes),
		DestinationCidrBlock: aws.String("192.168.0.0/16")}))(t).Route
	if del.State != types.TransitGatewayRouteStateDeleted || aws.ToString(del.DestinationCidrBlock) != "192.168.0.0/16" {
		t.Errorf("DeleteTransitGatewayRoute: %+v", *del)
	}

	// A VPC route to the gateway, which the VPC is attached to.
	rtbA := *ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpcA)}}))(t).RouteTables[0].RouteTableId
	ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rtbA), DestinationCidrBlock: aws.String("10.1.0.0/16"), TransitGatewayId: aws.String(tgw)}))(t)
	viaTGW := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("route.transit-gateway-id", tgw)}}))(t).RouteTables
	if len(viaTGW) != 1 || aws.ToString(viaTGW[0].RouteTableId) != rtbA {
		t.Errorf("route tables with a route to %s: %+v", tgw, viaTGW)
	}

	// The attachment changes: a subnet removed, DNS support off; modifying, then available.
	mod := ok(c.ModifyTransitGatewayVpcAttachment(ctx, &ec2.ModifyTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: aws.String(attA),
		RemoveSubnetIds: []string{a2}, Options: &types.ModifyTransitGatewayVpcAttachmentRequestOptions{DnsSupport: types.DnsSupportValueDisable}}))(t).TransitGatewayVpcAttachment
	if mod.State != types.TransitGatewayAttachmentStateModifying || !slices.Equal(mod.SubnetIds, []string{a1}) || mod.Options.DnsSupport != types.DnsSupportValueDisable {
		t.Errorf("ModifyTransitGatewayVpcAttachment: %+v", *mod)
	}
	after := ok(c.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{TransitGatewayAttachmentIds: []string{attA}}))(t).TransitGatewayVpcAttachments
	if len(after) != 1 || after[0].State != types.TransitGatewayAttachmentStateAvailable || !slices.Equal(after[0].SubnetIds, []string{a1}) {
		t.Errorf("the attachment after ModifyTransitGatewayVpcAttachment: %+v", after)
	}
	enis := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filter("interface-type", "transit_gateway")}}))(t).NetworkInterfaces
	var eniSubnets []string
	for _, e := range enis {
		eniSubnets = append(eniSubnets, aws.ToString(e.SubnetId))
	}
	exactlyOnce(t, "the gateway's interfaces' subnets", eniSubnets, []string{a1, b1})

	// Paginators: six more gateways, each with its default table; four more VPCs attached
	// to the first, associated and propagating by default.
	wantTGWs, wantTables := []string{tgw}, []string{def, spokes}
	for i := range 6 {
		g := ok(c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{}))(t).TransitGateway
		wantTGWs = append(wantTGWs, *g.TransitGatewayId)
		wantTables = append(wantTables, *g.Options.AssociationDefaultRouteTableId)
		_ = i
	}
	wantAtts := []string{attA, attB}
	for i := range 4 {
		vpc := c.mkVpc(t, cidr(10+i))
		wantAtts = append(wantAtts, attach(vpc, subnet(vpc, fmt.Sprintf("10.%d.1.0/24", 10+i), "us-east-1a")))
	}
	var seen []string
	for p := ec2.NewDescribeTransitGatewaysPaginator(c, &ec2.DescribeTransitGatewaysInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		if len(out.TransitGateways) > 5 {
			t.Errorf("a page of %d gateways", len(out.TransitGateways))
		}
		for _, x := range out.TransitGateways {
			seen = append(seen, *x.TransitGatewayId)
		}
	}
	exactlyOnce(t, "DescribeTransitGateways pages", seen, wantTGWs)
	seen = nil
	for p := ec2.NewDescribeTransitGatewayRouteTablesPaginator(c, &ec2.DescribeTransitGatewayRouteTablesInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).TransitGatewayRouteTables {
			seen = append(seen, *x.TransitGatewayRouteTableId)
		}
	}
	exactlyOnce(t, "DescribeTransitGatewayRouteTables pages", seen, wantTables)
	seen = nil
	for p := ec2.NewDescribeTransitGatewayVpcAttachmentsPaginator(c, &ec2.DescribeTransitGatewayVpcAttachmentsInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).TransitGatewayVpcAttachments {
			seen = append(seen, *x.TransitGatewayAttachmentId)
		}
	}
	exactlyOnce(t, "DescribeTransitGatewayVpcAttachments pages", seen, wantAtts)
	seen = nil
	for p := ec2.NewDescribeTransitGatewayAttachmentsPaginator(c, &ec2.DescribeTransitGatewayAttachmentsInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).TransitGatewayAttachments {
			seen = append(seen, *x.TransitGatewayAttachmentId)
		}
	}
	exactlyOnce(t, "DescribeTransitGatewayAttachments pages", seen, wantAtts)
	seen = nil
	for p := ec2.NewGetTransitGatewayRouteTableAssociationsPaginator(c, &ec2.GetTransitGatewayRouteTableAssociationsInput{
		TransitGatewayRouteTableId: aws.String(def), MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).Associations {
			seen = append(seen, *x.TransitGatewayAttachmentId)
		}
	}
	exactlyOnce(t, "GetTransitGatewayRouteTableAssociations pages", seen, slices.DeleteFunc(slices.Clone(wantAtts), func(s string) bool { return s == attB }))
	seen = nil
	for p := ec2.NewGetTransitGatewayRouteTablePropagationsPaginator(c, &ec2.GetTransitGatewayRouteTablePropagationsInput{
		TransitGatewayRouteTableId: aws.String(def), MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, x := range ok(p.NextPage(ctx))(t).TransitGatewayRouteTablePropagations {
			seen = append(seen, *x.TransitGatewayAttachmentId)
		}
	}
	exactlyOnce(t, "GetTransitGatewayRouteTablePropagations pages", seen, slices.DeleteFunc(slices.Clone(wantAtts), func(s string) bool { return s == attB }))

	// Deletions: a table with an association and a gateway with attachments are refused.
	_, err = c.DeleteTransitGatewayRouteTable(ctx, &ec2.DeleteTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(spokes)})
	wantCode(t, "deleting a table with an association", err, "DependencyViolation")
	_, err = c.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(tgw)})
	wantCode(t, "deleting a gateway with attachments", err, "DependencyViolation")
	ok(c.DisassociateTransitGatewayRouteTable(ctx, &ec2.DisassociateTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(spokes),
		TransitGatewayAttachmentId: aws.String(attB)}))(t)
	dt := ok(c.DeleteTransitGatewayRouteTable(ctx, &ec2.DeleteTransitGatewayRouteTableInput{TransitGatewayRouteTableId: aws.String(spokes)}))(t).TransitGatewayRouteTable
	if dt.State != types.TransitGatewayRouteTableStateDeleting {
		t.Errorf("DeleteTransitGatewayRouteTable: state %s, want deleting", dt.State)
	}
	_, err = c.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String(spokes),
		Filters: []types.Filter{filter("type", "static")}})
	wantCode(t, "searching a deleted table", err, "InvalidRouteTableID.NotFound")
	ok(c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rtbA), DestinationCidrBlock: aws.String("10.1.0.0/16")}))(t)
	for _, att := range wantAtts {
		d := ok(c.DeleteTransitGatewayVpcAttachment(ctx, &ec2.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: aws.String(att)}))(t).TransitGatewayVpcAttachment
		if d.State != types.TransitGatewayAttachmentStateDeleting {
			t.Errorf("DeleteTransitGatewayVpcAttachment %s: state %s, want deleting", att, d.State)
		}
	}
	gone := ok(c.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: []types.Filter{filter("state", "deleted")}}))(t).TransitGatewayVpcAttachments
	if len(gone) != len(wantAtts) {
		t.Errorf("%d deleted attachments listed, want %d (kept for the retention)", len(gone), len(wantAtts))
	}
	dg := ok(c.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(tgw)}))(t).TransitGateway
	if dg.State != types.TransitGatewayStateDeleting {
		t.Errorf("DeleteTransitGateway: state %s, want deleting", dg.State)
	}
	if g := ok(c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{tgw}}))(t).TransitGateways; len(g) != 1 || g[0].State != types.TransitGatewayStateDeleted {
		t.Errorf("the gateway after DeleteTransitGateway: %+v", g)
	}
	_, err = c.CreateTransitGatewayRouteTable(ctx, &ec2.CreateTransitGatewayRouteTableInput{TransitGatewayId: aws.String(tgw)})
	wantCode(t, "a table on a deleted gateway", err, "InvalidTransitGatewayID.NotFound")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
