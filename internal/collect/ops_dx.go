package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	dx "github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
)

// directConnectOperations list the Direct Connect gateways, their associations with virtual
// private and transit gateways, their attachments of virtual interfaces, and the region's
// virtual interfaces (§16.10). A Direct Connect gateway is global: every region lists it,
// and the loader takes the repeats quietly. The SDK has no paginators for Direct Connect, so
// the calls follow nextToken themselves. Direct Connect answers are lowerCamelCase.
func (r *regionRun) directConnectOperations() []operation {
	c := r.dx
	id := aws.ToString
	gateways := dxList("describe-direct-connect-gateways", "directConnectGateways",
		func(ctx context.Context) ([]types.DirectConnectGateway, error) {
			gs, err := tokens(ctx, func(ctx context.Context, next *string) ([]types.DirectConnectGateway, *string, error) {
				o, err := c.DescribeDirectConnectGateways(ctx, &dx.DescribeDirectConnectGatewaysInput{NextToken: next})
				if err != nil {
					return nil, nil, err
				}
				return o.DirectConnectGateways, o.NextToken, nil
			})
			r.dxListed = err == nil
			for _, g := range gs {
				r.dxGateways = append(r.dxGateways, id(g.DirectConnectGatewayId))
			}
			return gs, err
		}, func(v *types.DirectConnectGateway) string { return id(v.DirectConnectGatewayId) })
	return []operation{
		gateways,
		dxList("describe-direct-connect-gateway-associations", "directConnectGatewayAssociations",
			func(ctx context.Context) ([]types.DirectConnectGatewayAssociation, error) {
				if !r.dxListed {
					return nil, errSkipped
				}
				all := []types.DirectConnectGatewayAssociation{}
				for _, g := range sortedStrings(r.dxGateways) { // the call wants a gateway
					as, err := tokens(ctx, func(ctx context.Context, next *string) ([]types.DirectConnectGatewayAssociation, *string, error) {
						o, err := c.DescribeDirectConnectGatewayAssociations(ctx,
							&dx.DescribeDirectConnectGatewayAssociationsInput{DirectConnectGatewayId: aws.String(g), NextToken: next})
						if err != nil {
							return nil, nil, err
						}
						return o.DirectConnectGatewayAssociations, o.NextToken, nil
					})
					if err != nil {
						return nil, err
					}
					all = append(all, as...)
				}
				return all, nil
			}, func(v *types.DirectConnectGatewayAssociation) string {
				return id(v.DirectConnectGatewayId) + " " + id(v.AssociationId)
			}),
		dxList("describe-direct-connect-gateway-attachments", "directConnectGatewayAttachments",
			func(ctx context.Context) ([]types.DirectConnectGatewayAttachment, error) {
				if !r.dxListed {
					return nil, errSkipped
				}
				all := []types.DirectConnectGatewayAttachment{}
				for _, g := range sortedStrings(r.dxGateways) {
					as, err := tokens(ctx, func(ctx context.Context, next *string) ([]types.DirectConnectGatewayAttachment, *string, error) {
						o, err := c.DescribeDirectConnectGatewayAttachments(ctx,
							&dx.DescribeDirectConnectGatewayAttachmentsInput{DirectConnectGatewayId: aws.String(g), NextToken: next})
						if err != nil {
							return nil, nil, err
						}
						return o.DirectConnectGatewayAttachments, o.NextToken, nil
					})
					if err != nil {
						return nil, err
					}
					all = append(all, as...)
				}
				return all, nil
			}, func(v *types.DirectConnectGatewayAttachment) string {
				return id(v.DirectConnectGatewayId) + " " + id(v.VirtualInterfaceId)
			}),
		dxList("describe-virtual-interfaces", "virtualInterfaces",
			func(ctx context.Context) ([]types.VirtualInterface, error) {
				return tokens(ctx, func(ctx context.Context, next *string) ([]types.VirtualInterface, *string, error) {
					o, err := c.DescribeVirtualInterfaces(ctx, &dx.DescribeVirtualInterfacesInput{NextToken: next})
					if err != nil {
						return nil, nil, err
					}
					return o.VirtualInterfaces, o.NextToken, nil
				})
			}, func(v *types.VirtualInterface) string { return id(v.VirtualInterfaceId) }),
	}
}

// dxList is list for a Direct Connect answer, whose keys are lowerCamelCase.
func dxList[T any](name, key string, fetch func(ctx context.Context) ([]T, error), id func(*T) string) operation {
	op := list(name, key, fetch, id)
	run := op.run
	op.run = func(ctx context.Context) ([]answerFile, string, error) {
		files, count, err := run(ctx)
		for i := range files {
			files[i].lower = true
		}
		return files, count, err
	}
	return op
}

// tokens calls a paginated operation until it gives no next token, or one it gave before.
func tokens[T any](ctx context.Context, call func(ctx context.Context, next *string) ([]T, *string, error)) ([]T, error) {
	all := []T{}
	var next *string
	seen := map[string]bool{}
	for {
		items, token, err := call(ctx, next)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if aws.ToString(token) == "" || seen[*token] {
			return all, nil
		}
		seen[*token] = true
		next = token
	}
}
