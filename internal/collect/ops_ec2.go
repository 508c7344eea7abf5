package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// operations are the region's calls, in order: describe-vpcs first, whose failure fails the
// region; the transit gateway route tables before their per-table calls; the Direct Connect
// gateways before their associations and attachments.
func (r *regionRun) operations() []operation {
	c := r.ec2
	id := aws.ToString
	ops := []operation{
		list("describe-vpcs", "Vpcs", func(ctx context.Context) ([]types.Vpc, error) {
			return pages(ctx, ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{}),
				func(o *ec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
		}, func(v *types.Vpc) string { return id(v.VpcId) }),
		list("describe-subnets", "Subnets", func(ctx context.Context) ([]types.Subnet, error) {
			return pages(ctx, ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{}),
				func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
		}, func(v *types.Subnet) string { return id(v.SubnetId) }),
		list("describe-route-tables", "RouteTables", func(ctx context.Context) ([]types.RouteTable, error) {
			return pages(ctx, ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{}),
				func(o *ec2.DescribeRouteTablesOutput) []types.RouteTable { return o.RouteTables })
		}, func(v *types.RouteTable) string { return id(v.RouteTableId) }),
		list("describe-internet-gateways", "InternetGateways", func(ctx context.Context) ([]types.InternetGateway, error) {
			return pages(ctx, ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{}),
				func(o *ec2.DescribeInternetGatewaysOutput) []types.InternetGateway { return o.InternetGateways })
		}, func(v *types.InternetGateway) string { return id(v.InternetGatewayId) }),
		list("describe-nat-gateways", "NatGateways", func(ctx context.Context) ([]types.NatGateway, error) {
			return pages(ctx, ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{}),
				func(o *ec2.DescribeNatGatewaysOutput) []types.NatGateway { return o.NatGateways })
		}, func(v *types.NatGateway) string { return id(v.NatGatewayId) }),
		list("describe-addresses", "Addresses", func(ctx context.Context) ([]types.Address, error) {
			o, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{}) // not paginated
			if err != nil {
				return nil, err
			}
			return nonNil(o.Addresses), nil
		}, func(v *types.Address) string { return id(v.AllocationId) + "/" + id(v.PublicIp) }),
		list("describe-network-interfaces", "NetworkInterfaces", func(ctx context.Context) ([]types.NetworkInterface, error) {
			return pages(ctx, ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{}),
				func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
		}, func(v *types.NetworkInterface) string { return id(v.NetworkInterfaceId) }),
		list("describe-instances", "Reservations", func(ctx context.Context) ([]types.Reservation, error) {
			rs, err := pages(ctx, ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{}),
				func(o *ec2.DescribeInstancesOutput) []types.Reservation { return o.Reservations })
			for i := range rs {
				sortBy(rs[i].Instances, func(v *types.Instance) string { return id(v.InstanceId) })
			}
			return rs, err
		}, func(v *types.Reservation) string { return id(v.ReservationId) }),
		list("describe-security-groups", "SecurityGroups", func(ctx context.Context) ([]types.SecurityGroup, error) {
			return pages(ctx, ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{}),
				func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
		}, func(v *types.SecurityGroup) string { return id(v.GroupId) }),
		list("describe-network-acls", "NetworkAcls", func(ctx context.Context) ([]types.NetworkAcl, error) {
			return pages(ctx, ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{}),
				func(o *ec2.DescribeNetworkAclsOutput) []types.NetworkAcl { return o.NetworkAcls })
		}, func(v *types.NetworkAcl) string { return id(v.NetworkAclId) }),
		list("describe-vpc-endpoints", "VpcEndpoints", func(ctx context.Context) ([]types.VpcEndpoint, error) {
			return pages(ctx, ec2.NewDescribeVpcEndpointsPaginator(c, &ec2.DescribeVpcEndpointsInput{}),
				func(o *ec2.DescribeVpcEndpointsOutput) []types.VpcEndpoint { return o.VpcEndpoints })
		}, func(v *types.VpcEndpoint) string { return id(v.VpcEndpointId) }),
		list("describe-vpn-gateways", "VpnGateways", func(ctx context.Context) ([]types.VpnGateway, error) {
			o, err := c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{}) // not paginated
			if err != nil {
				return nil, err
			}
			return nonNil(o.VpnGateways), nil
		}, func(v *types.VpnGateway) string { return id(v.VpnGatewayId) }),
		list("describe-vpn-connections", "VpnConnections", func(ctx context.Context) ([]types.VpnConnection, error) {
			o, err := c.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{}) // not paginated
			if err != nil {
				return nil, err
			}
			return nonNil(o.VpnConnections), nil
		}, func(v *types.VpnConnection) string { return id(v.VpnConnectionId) }),
		list("describe-vpc-peering-connections", "VpcPeeringConnections", func(ctx context.Context) ([]types.VpcPeeringConnection, error) {
			return pages(ctx, ec2.NewDescribeVpcPeeringConnectionsPaginator(c, &ec2.DescribeVpcPeeringConnectionsInput{}),
				func(o *ec2.DescribeVpcPeeringConnectionsOutput) []types.VpcPeeringConnection {
					return o.VpcPeeringConnections
				})
		}, func(v *types.VpcPeeringConnection) string { return id(v.VpcPeeringConnectionId) }),
		list("describe-prefix-lists", "PrefixLists", func(ctx context.Context) ([]types.PrefixList, error) {
			return pages(ctx, ec2.NewDescribePrefixListsPaginator(c, &ec2.DescribePrefixListsInput{}),
				func(o *ec2.DescribePrefixListsOutput) []types.PrefixList { return o.PrefixLists })
		}, func(v *types.PrefixList) string { return id(v.PrefixListId) }),
	}
	ops = append(ops, r.prefixListOperations()...)
	ops = append(ops, r.transitOperations()...)
	ops = append(ops, r.directConnectOperations()...)
	ops = append(ops, r.loadBalancerOperations()...)
	return append(ops, r.networkFirewallOperations()...)
}

// transitOperations list the transit gateways, their attachments and route tables, and then
// each table's routes, propagations, associations and prefix-list references.
func (r *regionRun) transitOperations() []operation {
	c := r.ec2
	id := aws.ToString
	tables := list("describe-transit-gateway-route-tables", "TransitGatewayRouteTables",
		func(ctx context.Context) ([]types.TransitGatewayRouteTable, error) {
			ts, err := pages(ctx, ec2.NewDescribeTransitGatewayRouteTablesPaginator(c, &ec2.DescribeTransitGatewayRouteTablesInput{}),
				func(o *ec2.DescribeTransitGatewayRouteTablesOutput) []types.TransitGatewayRouteTable {
					return o.TransitGatewayRouteTables
				})
			for _, t := range ts {
				// A deleted table lingers in the listing for a while; it has nothing to ask.
				if t.State != types.TransitGatewayRouteTableStateDeleted && t.State != types.TransitGatewayRouteTableStateDeleting {
					r.tgwTables = append(r.tgwTables, id(t.TransitGatewayRouteTableId))
				}
			}
			return ts, err
		}, func(v *types.TransitGatewayRouteTable) string { return id(v.TransitGatewayRouteTableId) })
	listed := func() []string { return sortedStrings(r.tgwTables) }
	return []operation{
		list("describe-transit-gateways", "TransitGateways", func(ctx context.Context) ([]types.TransitGateway, error) {
			return pages(ctx, ec2.NewDescribeTransitGatewaysPaginator(c, &ec2.DescribeTransitGatewaysInput{}),
				func(o *ec2.DescribeTransitGatewaysOutput) []types.TransitGateway { return o.TransitGateways })
		}, func(v *types.TransitGateway) string { return id(v.TransitGatewayId) }),
		list("describe-transit-gateway-attachments", "TransitGatewayAttachments", func(ctx context.Context) ([]types.TransitGatewayAttachment, error) {
			return pages(ctx, ec2.NewDescribeTransitGatewayAttachmentsPaginator(c, &ec2.DescribeTransitGatewayAttachmentsInput{}),
				func(o *ec2.DescribeTransitGatewayAttachmentsOutput) []types.TransitGatewayAttachment {
					return o.TransitGatewayAttachments
				})
		}, func(v *types.TransitGatewayAttachment) string { return id(v.TransitGatewayAttachmentId) }),
		list("describe-transit-gateway-vpc-attachments", "TransitGatewayVpcAttachments", func(ctx context.Context) ([]types.TransitGatewayVpcAttachment, error) {
			return pages(ctx, ec2.NewDescribeTransitGatewayVpcAttachmentsPaginator(c, &ec2.DescribeTransitGatewayVpcAttachmentsInput{}),
				func(o *ec2.DescribeTransitGatewayVpcAttachmentsOutput) []types.TransitGatewayVpcAttachment {
					return o.TransitGatewayVpcAttachments
				})
		}, func(v *types.TransitGatewayVpcAttachment) string { return id(v.TransitGatewayAttachmentId) }),
		list("describe-transit-gateway-peering-attachments", "TransitGatewayPeeringAttachments", func(ctx context.Context) ([]types.TransitGatewayPeeringAttachment, error) {
			return pages(ctx, ec2.NewDescribeTransitGatewayPeeringAttachmentsPaginator(c, &ec2.DescribeTransitGatewayPeeringAttachmentsInput{}),
				func(o *ec2.DescribeTransitGatewayPeeringAttachmentsOutput) []types.TransitGatewayPeeringAttachment {
					return o.TransitGatewayPeeringAttachments
				})
		}, func(v *types.TransitGatewayPeeringAttachment) string { return id(v.TransitGatewayAttachmentId) }),
		tables,
		// Every route, static and propagated, in any state: the loader takes a search that
		// lists both kinds as AWS's truth about the table (§9.5).
		r.perTable("search-transit-gateway-routes", "Routes", listed, func(ctx context.Context, table string) ([]field, int, error) {
			in := &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String(table),
				Filters: []types.Filter{{Name: aws.String("type"), Values: []string{"static", "propagated"}}}}
			routes := []types.TransitGatewayRoute{}
			more := false
			p := ec2.NewSearchTransitGatewayRoutesPaginator(c, in)
			for p.HasMorePages() {
				o, err := p.NextPage(ctx)
				if err != nil {
					return nil, 0, err
				}
				routes = append(routes, o.Routes...)
				more = aws.ToBool(o.AdditionalRoutesAvailable)
			}
			sortBy(routes, func(v *types.TransitGatewayRoute) string {
				return id(v.DestinationCidrBlock) + " " + id(v.PrefixListId) + " " + string(v.Type)
			})
			return []field{{"Routes", routes}, {"AdditionalRoutesAvailable", more}}, len(routes), nil
		}),
		r.perTable("get-transit-gateway-route-table-propagations", "TransitGatewayRouteTablePropagations", listed,
			func(ctx context.Context, table string) ([]field, int, error) {
				ps, err := pages(ctx, ec2.NewGetTransitGatewayRouteTablePropagationsPaginator(c,
					&ec2.GetTransitGatewayRouteTablePropagationsInput{TransitGatewayRouteTableId: aws.String(table)}),
					func(o *ec2.GetTransitGatewayRouteTablePropagationsOutput) []types.TransitGatewayRouteTablePropagation {
						return o.TransitGatewayRouteTablePropagations
					})
				sortBy(ps, func(v *types.TransitGatewayRouteTablePropagation) string { return id(v.TransitGatewayAttachmentId) })
				return []field{{"TransitGatewayRouteTablePropagations", ps}}, len(ps), err
			}),
		r.perTable("get-transit-gateway-route-table-associations", "Associations", listed,
			func(ctx context.Context, table string) ([]field, int, error) {
				as, err := pages(ctx, ec2.NewGetTransitGatewayRouteTableAssociationsPaginator(c,
					&ec2.GetTransitGatewayRouteTableAssociationsInput{TransitGatewayRouteTableId: aws.String(table)}),
					func(o *ec2.GetTransitGatewayRouteTableAssociationsOutput) []types.TransitGatewayRouteTableAssociation {
						return o.Associations
					})
				sortBy(as, func(v *types.TransitGatewayRouteTableAssociation) string { return id(v.TransitGatewayAttachmentId) })
				return []field{{"Associations", as}}, len(as), err
			}),
		r.perTable("get-transit-gateway-prefix-list-references", "TransitGatewayPrefixListReferences", listed,
			func(ctx context.Context, table string) ([]field, int, error) {
				refs, err := pages(ctx, ec2.NewGetTransitGatewayPrefixListReferencesPaginator(c,
					&ec2.GetTransitGatewayPrefixListReferencesInput{TransitGatewayRouteTableId: aws.String(table)}),
					func(o *ec2.GetTransitGatewayPrefixListReferencesOutput) []types.TransitGatewayPrefixListReference {
						return o.TransitGatewayPrefixListReferences
					})
				sortBy(refs, func(v *types.TransitGatewayPrefixListReference) string { return id(v.PrefixListId) })
				return []field{{"TransitGatewayPrefixListReferences", refs}}, len(refs), err
			}),
	}
}

// nonNil makes an absent list an empty one: the answer was given, and lists nothing.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sortedStrings is a sorted copy of s without repeats.
func sortedStrings(s []string) []string {
	out := make([]string, 0, len(s))
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sortBy(out, func(v *string) string { return *v })
	return out
}

// prefixListOperations list the managed prefix lists, customer-managed and AWS-managed
// (§7.4.9), and each one's entries in a file named by the list, as the loader wants them.
// describe-prefix-lists gives the AWS-managed service lists with their Cidrs already.
func (r *regionRun) prefixListOperations() []operation {
	c := r.ec2
	id := aws.ToString
	var lists []string
	listed := func() []string { return lists }
	return []operation{
		list("describe-managed-prefix-lists", "PrefixLists", func(ctx context.Context) ([]types.ManagedPrefixList, error) {
			ls, err := pages(ctx, ec2.NewDescribeManagedPrefixListsPaginator(c, &ec2.DescribeManagedPrefixListsInput{}),
				func(o *ec2.DescribeManagedPrefixListsOutput) []types.ManagedPrefixList { return o.PrefixLists })
			lists = nil
			for _, l := range ls {
				if id(l.OwnerId) != "AWS" { // AWS's lists come with their Cidrs from describe-prefix-lists
					lists = append(lists, id(l.PrefixListId))
				}
			}
			lists = sortedStrings(lists)
			return ls, err
		}, func(v *types.ManagedPrefixList) string { return id(v.PrefixListId) }),
		r.perTable("get-managed-prefix-list-entries", "Entries", listed,
			func(ctx context.Context, pl string) ([]field, int, error) {
				es, err := pages(ctx, ec2.NewGetManagedPrefixListEntriesPaginator(c,
					&ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(pl)}),
					func(o *ec2.GetManagedPrefixListEntriesOutput) []types.PrefixListEntry { return o.Entries })
				sortBy(es, func(v *types.PrefixListEntry) string { return id(v.Cidr) })
				return []field{{"Entries", es}}, len(es), err
			}),
	}
}
