package collect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Gateway Load Balancers (§13): the ELBv2 answers the loader reads, in its files: the load
// balancers (of every type: the loader models gateway ones and names the others), their
// listeners and attributes, the target groups with their attributes and their targets'
// health, each per-object answer wrapped with the ARN it is about (the loader's
// LoadBalancerTargetHealth, LoadBalancerAttributes, TargetGroupAttributes and
// ListenerAttributes shapes), and the region's endpoint service configurations, which tie a
// vpce-svc- to its GWLB. The per-object calls take the ARNs the listings found, in order.

// targetHealthSet is describe-target-health's answer for one target group.
type targetHealthSet struct {
	TargetGroupArn           *string
	TargetHealthDescriptions []types.TargetHealthDescription
}

// attributeSet is a describe-*-attributes answer for one object.
type attributeSet struct {
	LoadBalancerArn, TargetGroupArn, ListenerArn *string
	Attributes                                   []types.LoadBalancerAttribute
}

type tgAttributeSet struct {
	TargetGroupArn *string
	Attributes     []types.TargetGroupAttribute
}

type listenerAttributeSet struct {
	ListenerArn *string
	Attributes  []types.ListenerAttribute
}

func (r *regionRun) loadBalancerOperations() []operation {
	c := r.elb
	id := aws.ToString
	var lbs, tgs, listeners []string
	listed, tgListed := false, false
	// perARN is an operation of one call per object an earlier listing found (*listed says
	// it could list them), the answers gathered into one file.
	perARN := func(name, key string, objects *[]string, listed *bool, fetch func(ctx context.Context, arn string) ([]any, error)) operation {
		return operation{name: name, key: key, run: func(ctx context.Context) ([]answerFile, string, error) {
			if !*listed {
				return nil, "", errSkipped
			}
			all := []any{}
			for _, arn := range sortedStrings(*objects) {
				items, err := fetch(ctx, arn)
				if err != nil {
					return nil, "", err
				}
				all = append(all, items...)
			}
			return []answerFile{{name: name, fields: []field{{key, all}}}}, countOf(len(all), key), nil
		}}
	}
	perLB := func(name, key string, fetch func(ctx context.Context, arn string) ([]any, error)) operation {
		return perARN(name, key, &lbs, &listed, fetch)
	}
	perTG := func(name, key string, fetch func(ctx context.Context, arn string) (any, error)) operation {
		return perARN(name, key, &tgs, &tgListed, func(ctx context.Context, arn string) ([]any, error) {
			item, err := fetch(ctx, arn)
			return []any{item}, err
		})
	}
	return []operation{
		list("describe-load-balancers", "LoadBalancers", func(ctx context.Context) ([]types.LoadBalancer, error) {
			out, err := pages(ctx, elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{}),
				func(o *elb.DescribeLoadBalancersOutput) []types.LoadBalancer { return o.LoadBalancers })
			if err != nil {
				return nil, err
			}
			for _, b := range out {
				lbs = append(lbs, id(b.LoadBalancerArn))
			}
			lbs, listed = sortedStrings(lbs), true
			return out, nil
		}, func(v *types.LoadBalancer) string { return id(v.LoadBalancerArn) }),
		list("describe-target-groups", "TargetGroups", func(ctx context.Context) ([]types.TargetGroup, error) {
			out, err := pages(ctx, elb.NewDescribeTargetGroupsPaginator(c, &elb.DescribeTargetGroupsInput{}),
				func(o *elb.DescribeTargetGroupsOutput) []types.TargetGroup { return o.TargetGroups })
			for _, g := range out {
				tgs = append(tgs, id(g.TargetGroupArn))
			}
			tgs, tgListed = sortedStrings(tgs), err == nil
			return out, err
		}, func(v *types.TargetGroup) string { return id(v.TargetGroupArn) }),
		perLB("describe-listeners", "Listeners", func(ctx context.Context, arn string) ([]any, error) {
			ls, err := pages(ctx, elb.NewDescribeListenersPaginator(c, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(arn)}),
				func(o *elb.DescribeListenersOutput) []types.Listener { return o.Listeners })
			sortBy(ls, func(v *types.Listener) string { return id(v.ListenerArn) })
			out := make([]any, len(ls))
			for i, l := range ls {
				out[i] = l
				listeners = append(listeners, id(l.ListenerArn))
			}
			return out, err
		}),
		perLB("describe-load-balancer-attributes", "LoadBalancerAttributes", func(ctx context.Context, arn string) ([]any, error) {
			o, err := c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return []any{attributeSet{LoadBalancerArn: aws.String(arn), Attributes: nonNil(o.Attributes)}}, nil
		}),
		perTG("describe-target-group-attributes", "TargetGroupAttributes", func(ctx context.Context, arn string) (any, error) {
			o, err := c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return tgAttributeSet{TargetGroupArn: aws.String(arn), Attributes: nonNil(o.Attributes)}, nil
		}),
		perTG("describe-target-health", "LoadBalancerTargetHealth", func(ctx context.Context, arn string) (any, error) {
			o, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			hs := nonNil(o.TargetHealthDescriptions)
			sortBy(hs, func(v *types.TargetHealthDescription) string {
				if v.Target == nil {
					return ""
				}
				return id(v.Target.Id)
			})
			return targetHealthSet{TargetGroupArn: aws.String(arn), TargetHealthDescriptions: hs}, nil
		}),
		perARN("describe-listener-attributes", "ListenerAttributes", &listeners, &listed, func(ctx context.Context, arn string) ([]any, error) {
			o, err := c.DescribeListenerAttributes(ctx, &elb.DescribeListenerAttributesInput{ListenerArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return []any{listenerAttributeSet{ListenerArn: aws.String(arn), Attributes: nonNil(o.Attributes)}}, nil
		}),
		list("describe-vpc-endpoint-service-configurations", "ServiceConfigurations", func(ctx context.Context) ([]ec2types.ServiceConfiguration, error) {
			return pages(ctx, ec2.NewDescribeVpcEndpointServiceConfigurationsPaginator(r.ec2, &ec2.DescribeVpcEndpointServiceConfigurationsInput{}),
				func(o *ec2.DescribeVpcEndpointServiceConfigurationsOutput) []ec2types.ServiceConfiguration {
					return o.ServiceConfigurations
				})
		}, func(v *ec2types.ServiceConfiguration) string { return id(v.ServiceId) }),
	}
}

func countOf(n int, key string) string { return fmt.Sprintf("%d %s", n, key) }
