package collect

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	nfw "github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
)

// Network Firewall (§14): every firewall, firewall policy and rule group of the account in the
// region, each as its describe-* call answers it, in the files the loader reads (Firewalls,
// FirewallPolicies, RuleGroups: arrays of those answers, sorted by ARN). The list calls give
// ARNs only, so each object takes one describe call. AWS-managed rule groups are not the
// account's to list; the loader warns about the policies that reference them.

// firewallAnswer is describe-firewall's answer without the SDK's result metadata.
type firewallAnswer struct {
	UpdateToken    *string
	Firewall       *types.Firewall
	FirewallStatus *types.FirewallStatus
}

// firewallPolicyAnswer is describe-firewall-policy's answer.
type firewallPolicyAnswer struct {
	UpdateToken            *string
	FirewallPolicyResponse *types.FirewallPolicyResponse
	FirewallPolicy         *types.FirewallPolicy
}

// ruleGroupAnswer is describe-rule-group's answer.
type ruleGroupAnswer struct {
	UpdateToken       *string
	RuleGroupResponse *types.RuleGroupResponse
	RuleGroup         *types.RuleGroup
}

func (r *regionRun) networkFirewallOperations() []operation {
	c := r.nfw
	return []operation{
		listThenDescribe("describe-firewall", "Firewalls",
			func(ctx context.Context) ([]*string, error) {
				ms, err := pages(ctx, nfw.NewListFirewallsPaginator(c, &nfw.ListFirewallsInput{}),
					func(o *nfw.ListFirewallsOutput) []types.FirewallMetadata { return o.Firewalls })
				return arns(ms, func(m types.FirewallMetadata) *string { return m.FirewallArn }), err
			},
			func(ctx context.Context, arn *string) (firewallAnswer, error) {
				o, err := c.DescribeFirewall(ctx, &nfw.DescribeFirewallInput{FirewallArn: arn})
				if err != nil {
					return firewallAnswer{}, err
				}
				return firewallAnswer{o.UpdateToken, o.Firewall, o.FirewallStatus}, nil
			}),
		listThenDescribe("describe-firewall-policy", "FirewallPolicies",
			func(ctx context.Context) ([]*string, error) {
				ms, err := pages(ctx, nfw.NewListFirewallPoliciesPaginator(c, &nfw.ListFirewallPoliciesInput{}),
					func(o *nfw.ListFirewallPoliciesOutput) []types.FirewallPolicyMetadata { return o.FirewallPolicies })
				return arns(ms, func(m types.FirewallPolicyMetadata) *string { return m.Arn }), err
			},
			func(ctx context.Context, arn *string) (firewallPolicyAnswer, error) {
				o, err := c.DescribeFirewallPolicy(ctx, &nfw.DescribeFirewallPolicyInput{FirewallPolicyArn: arn})
				if err != nil {
					return firewallPolicyAnswer{}, err
				}
				return firewallPolicyAnswer{o.UpdateToken, o.FirewallPolicyResponse, o.FirewallPolicy}, nil
			}),
		listThenDescribe("describe-rule-group", "RuleGroups",
			func(ctx context.Context) ([]*string, error) {
				ms, err := pages(ctx, nfw.NewListRuleGroupsPaginator(c, &nfw.ListRuleGroupsInput{}),
					func(o *nfw.ListRuleGroupsOutput) []types.RuleGroupMetadata { return o.RuleGroups })
				return arns(ms, func(m types.RuleGroupMetadata) *string { return m.Arn }), err
			},
			func(ctx context.Context, arn *string) (ruleGroupAnswer, error) {
				o, err := c.DescribeRuleGroup(ctx, &nfw.DescribeRuleGroupInput{RuleGroupArn: arn})
				if err != nil {
					return ruleGroupAnswer{}, err
				}
				return ruleGroupAnswer{o.UpdateToken, o.RuleGroupResponse, o.RuleGroup}, nil
			}),
	}
}

// listThenDescribe is an operation whose list call gives ARNs only: each object takes one
// describe call, and the answers are written sorted by the ARN they were asked for.
func listThenDescribe[A any](name, key string, list func(ctx context.Context) ([]*string, error),
	describe func(ctx context.Context, arn *string) (A, error)) operation {
	return operation{name: name, key: key, run: func(ctx context.Context) ([]answerFile, string, error) {
		ids, err := list(ctx)
		if err != nil {
			return nil, "", err
		}
		slices.SortFunc(ids, func(a, b *string) int { return cmp.Compare(aws.ToString(a), aws.ToString(b)) })
		out := []A{}
		for _, arn := range ids {
			a, err := describe(ctx, arn)
			if err != nil {
				return nil, "", err
			}
			out = append(out, a)
		}
		return []answerFile{{name: name, fields: []field{{key, out}}}}, fmt.Sprintf("%d %s", len(out), key), nil
	}}
}

// arns takes the ARN of each item of a list answer.
func arns[M any](ms []M, arn func(M) *string) []*string {
	out := make([]*string, len(ms))
	for i, m := range ms {
		out[i] = arn(m)
	}
	return out
}
