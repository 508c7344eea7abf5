package serve

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSDKRouteTables: route tables, their routes and subnet associations through
// aws-sdk-go-v2, and their paginator.
func TestSDKRouteTables(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	a, b := c.mkSubnet(t, vpc, "10.0.1.0/24"), c.mkSubnet(t, vpc, "10.0.2.0/24")
	igw := *ok(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{}))(t).InternetGateway.InternetGatewayId
	ok(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}))(t)

	// The main table CreateVpc made, with its local route and main association.
	main := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("association.main", "true")}}))(t)
	if len(main.RouteTables) != 1 || len(main.RouteTables[0].Routes) != 1 ||
		aws.ToString(main.RouteTables[0].Routes[0].GatewayId) != "local" || main.RouteTables[0].Routes[0].State != types.RouteStateActive {
		t.Fatalf("the main route table: %+v", main.RouteTables)
	}
	mainID := *main.RouteTables[0].RouteTableId

	cr := ok(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc),
		TagSpecifications: tagSpec(types.ResourceTypeRouteTable, "Name", "public")}))(t)
	rt := wantID(t, cr.RouteTable.RouteTableId, "rtb")
	if aws.ToString(cr.RouteTable.VpcId) != vpc || len(cr.RouteTable.Routes) != 1 || aws.ToString(cr.RouteTable.Routes[0].DestinationCidrBlock) != "10.0.0.0/16" ||
		tagsOf(cr.RouteTable.Tags)["Name"] != "public" {
		t.Errorf("CreateRouteTable: %+v", *cr.RouteTable)
	}

	// Routes: a default route to the gateway, refused twice, replaced by a blackhole-free
	// narrower one, deleted; the local route stays.
	if out := ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("0.0.0.0/0"),
		GatewayId: aws.String(igw)}))(t); !aws.ToBool(out.Return) {
		t.Errorf("CreateRoute returned false")
	}
	_, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)})
	wantCode(t, "the same route again", err, "RouteAlreadyExists")
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("192.0.2.0/24"), GatewayId: aws.String("igw-0123456789abcdef0")})
	wantCode(t, "a route to an unknown gateway", err, "InvalidGatewayID.NotFound")
	ok(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("198.51.100.0/24"), GatewayId: aws.String(igw)}))(t)
	ok(c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("198.51.100.0/24"), GatewayId: aws.String(igw)}))(t)
	_, err = c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("203.0.113.0/24"), GatewayId: aws.String(igw)})
	wantCode(t, "replacing a route that is not there", err, "InvalidRoute.NotFound")
	ok(c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("198.51.100.0/24")}))(t)
	_, err = c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("10.0.0.0/16")})
	wantCode(t, "deleting the local route", err, "InvalidParameterValue")
	dr := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rt}}))(t)
	if len(dr.RouteTables) != 1 {
		t.Fatalf("DescribeRouteTables %s: %+v", rt, dr.RouteTables)
	}
	routes := map[string]string{}
	for _, r := range dr.RouteTables[0].Routes {
		routes[aws.ToString(r.DestinationCidrBlock)] = aws.ToString(r.GatewayId) + " " + string(r.State) + " " + string(r.Origin)
	}
	if len(routes) != 2 || routes["10.0.0.0/16"] != "local active CreateRouteTable" || routes["0.0.0.0/0"] != igw+" active CreateRoute" {
		t.Errorf("routes: %v", routes)
	}

	// Associations: a, moved to the main table and back; b, associated and disassociated;
	// a table with an association is not deleted.
	as := ok(c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rt), SubnetId: aws.String(a)}))(t)
	assoc := wantID(t, as.AssociationId, "rtbassoc")
	if as.AssociationState == nil || as.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
		t.Errorf("AssociateRouteTable state: %+v", as.AssociationState)
	}
	_, err = c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(mainID), SubnetId: aws.String(a)})
	wantCode(t, "a second association of a subnet", err, "Resource.AlreadyAssociated")
	rp := ok(c.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: aws.String(assoc), RouteTableId: aws.String(mainID)}))(t)
	moved := wantID(t, rp.NewAssociationId, "rtbassoc")
	if got := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("association.subnet-id", a)}}))(t); len(got.RouteTables) != 1 || *got.RouteTables[0].RouteTableId != mainID {
		t.Errorf("after ReplaceRouteTableAssociation, %s is in %+v, want the main table", a, got.RouteTables)
	}
	ok(c.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: aws.String(moved), RouteTableId: aws.String(rt)}))(t)
	bs := ok(c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rt), SubnetId: aws.String(b)}))(t)
	ok(c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: bs.AssociationId}))(t)
	_, err = c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: bs.AssociationId})
	wantCode(t, "disassociating twice", err, "InvalidAssociationID.NotFound")
	got := ok(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rt}}))(t)
	var subnets []string
	for _, x := range got.RouteTables[0].Associations {
		subnets = append(subnets, aws.ToString(x.SubnetId))
		if aws.ToBool(x.Main) {
			t.Errorf("the new table holds a main association: %+v", x)
		}
	}
	exactlyOnce(t, "the table's associated subnets", subnets, []string{a})
	_, err = c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(rt)})
	wantCode(t, "deleting an associated table", err, "DependencyViolation")
	for _, x := range got.RouteTables[0].Associations {
		ok(c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: x.RouteTableAssociationId}))(t)
	}
	ok(c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(rt)}))(t)
	_, err = c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rt}})
	wantCode(t, "describing a deleted table", err, "InvalidRouteTableID.NotFound")

	// The paginator: the main table and eleven more, five to a page, each once.
	want := []string{mainID}
	for range 11 {
		want = append(want, *ok(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)}))(t).RouteTable.RouteTableId)
	}
	var seen []string
	for p := ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		if len(out.RouteTables) > 5 {
			t.Errorf("a page of %d route tables", len(out.RouteTables))
		}
		for _, r := range out.RouteTables {
			seen = append(seen, *r.RouteTableId)
		}
	}
	exactlyOnce(t, "DescribeRouteTables pages", seen, want)
}

// TestSDKNetworkAcls: network ACLs, their entries and subnet associations through
// aws-sdk-go-v2, and their paginator.
func TestSDKNetworkAcls(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")

	def := ok(c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("default", "true")}}))(t)
	if len(def.NetworkAcls) != 1 || len(def.NetworkAcls[0].Associations) != 1 || aws.ToString(def.NetworkAcls[0].Associations[0].SubnetId) != subnet {
		t.Fatalf("the default ACL, associated with the new subnet: %+v", def.NetworkAcls)
	}
	defID, assoc := *def.NetworkAcls[0].NetworkAclId, *def.NetworkAcls[0].Associations[0].NetworkAclAssociationId

	ca := ok(c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc),
		TagSpecifications: tagSpec(types.ResourceTypeNetworkAcl, "Name", "strict")}))(t)
	acl := wantID(t, ca.NetworkAcl.NetworkAclId, "acl")
	if aws.ToBool(ca.NetworkAcl.IsDefault) || len(ca.NetworkAcl.Entries) != 2 || aws.ToInt32(ca.NetworkAcl.Entries[0].RuleNumber) != 32767 ||
		ca.NetworkAcl.Entries[0].RuleAction != types.RuleActionDeny || tagsOf(ca.NetworkAcl.Tags)["Name"] != "strict" {
		t.Errorf("CreateNetworkAcl: %+v", *ca.NetworkAcl)
	}

	entry := func(n int32, egress bool, action types.RuleAction, block string, from, to int32) *ec2.CreateNetworkAclEntryInput {
		return &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(acl), RuleNumber: aws.Int32(n), Egress: aws.Bool(egress),
			Protocol: aws.String("6"), RuleAction: action, CidrBlock: aws.String(block), PortRange: &types.PortRange{From: aws.Int32(from), To: aws.Int32(to)}}
	}
	ok(c.CreateNetworkAclEntry(ctx, entry(100, false, types.RuleActionAllow, "0.0.0.0/0", 443, 443)))(t)
	ok(c.CreateNetworkAclEntry(ctx, entry(100, true, types.RuleActionAllow, "0.0.0.0/0", 1024, 65535)))(t)
	ok(c.CreateNetworkAclEntry(ctx, entry(200, false, types.RuleActionDeny, "192.0.2.0/24", 22, 22)))(t)
	_, err := c.CreateNetworkAclEntry(ctx, entry(100, false, types.RuleActionAllow, "10.0.0.0/8", 80, 80))
	wantCode(t, "an entry number taken", err, "NetworkAclEntryAlreadyExists")
	r := entry(200, false, types.RuleActionAllow, "192.0.2.0/24", 22, 22)
	ok(c.ReplaceNetworkAclEntry(ctx, &ec2.ReplaceNetworkAclEntryInput{NetworkAclId: r.NetworkAclId, RuleNumber: r.RuleNumber, Egress: r.Egress,
		Protocol: r.Protocol, RuleAction: r.RuleAction, CidrBlock: r.CidrBlock, PortRange: r.PortRange}))(t)
	ok(c.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: aws.String(acl), RuleNumber: aws.Int32(100), Egress: aws.Bool(true)}))(t)
	_, err = c.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: aws.String(acl), RuleNumber: aws.Int32(100), Egress: aws.Bool(true)})
	wantCode(t, "deleting a deleted entry", err, "InvalidNetworkAclEntry.NotFound")

	got := ok(c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{acl}}))(t)
	var entries []string
	for _, e := range got.NetworkAcls[0].Entries {
		s := itoa(int(aws.ToInt32(e.RuleNumber))) + " " + string(e.RuleAction) + " " + aws.ToString(e.CidrBlock) + " " + aws.ToString(e.Protocol)
		if aws.ToBool(e.Egress) {
			s = "out " + s
		}
		if e.PortRange != nil {
			s += " " + itoa(int(aws.ToInt32(e.PortRange.From))) + "-" + itoa(int(aws.ToInt32(e.PortRange.To)))
		}
		entries = append(entries, s)
	}
	exactlyOnce(t, "the ACL's entries", entries, []string{"100 allow 0.0.0.0/0 6 443-443", "200 allow 192.0.2.0/24 6 22-22",
		"32767 deny 0.0.0.0/0 -1", "out 32767 deny 0.0.0.0/0 -1"})

	// The subnet moves to the new ACL; the default one is then not deleted (it is the
	// default), the new one is not while it holds the subnet.
	rp := ok(c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: aws.String(assoc), NetworkAclId: aws.String(acl)}))(t)
	newAssoc := wantID(t, rp.NewAssociationId, "aclassoc")
	got = ok(c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filter("association.subnet-id", subnet)}}))(t)
	if len(got.NetworkAcls) != 1 || *got.NetworkAcls[0].NetworkAclId != acl {
		t.Errorf("after ReplaceNetworkAclAssociation the subnet is in %+v", got.NetworkAcls)
	}
	_, err = c.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: aws.String(acl)})
	wantCode(t, "deleting an ACL with a subnet", err, "DependencyViolation")
	_, err = c.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: aws.String(defID)})
	wantCode(t, "deleting the default ACL", err, "InvalidParameterValue")
	ok(c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: aws.String(newAssoc), NetworkAclId: aws.String(defID)}))(t)
	ok(c.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: aws.String(acl)}))(t)
	_, err = c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{acl}})
	wantCode(t, "describing a deleted ACL", err, "InvalidNetworkAclID.NotFound")

	// The paginator: the default ACL and eleven more, five to a page, each once.
	want := []string{defID}
	for range 11 {
		want = append(want, *ok(c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc)}))(t).NetworkAcl.NetworkAclId)
	}
	var seen []string
	for p := ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, a := range ok(p.NextPage(ctx))(t).NetworkAcls {
			seen = append(seen, *a.NetworkAclId)
		}
	}
	exactlyOnce(t, "DescribeNetworkAcls pages", seen, want)
}
