package collect

import (
	"context"

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
		list("describe-firewall", "Firewalls", func(ctx context.Context) ([]firewallAnswer, error) {
			meta, err := pages(ctx, nfw.NewListFirewallsPaginator(c, &nfw.ListFirewallsInput{}),
				func(o *nfw.ListFirewallsOutput) []types.FirewallMetadata { return o.Firewalls })
			if err != nil {
				return nil, err
			}
			out := []firewallAnswer{}
			for _, m := range meta {
				o, err := c.DescribeFirewall(ctx, &nfw.DescribeFirewallInput{FirewallArn: m.FirewallArn})
				if err != nil {
					return nil, err
				}
				out = append(out, firewallAnswer{o.UpdateToken, o.Firewall, o.FirewallStatus})
			}
			return out, nil
		}, func(a *firewallAnswer) string {
			if a.Firewall == nil {
				return ""
			}
			return aws.ToString(a.Firewall.FirewallArn)
		}),
		list("describe-firewall-policy", "FirewallPolicies", func(ctx context.Context) ([]firewallPolicyAnswer, error) {
			meta, err := pages(ctx, nfw.NewListFirewallPoliciesPaginator(c, &nfw.ListFirewallPoliciesInput{}),
				func(o *nfw.ListFirewallPoliciesOutput) []types.FirewallPolicyMetadata { return o.FirewallPolicies })
			if err != nil {
				return nil, err
			}
			out := []firewallPolicyAnswer{}
			for _, m := range meta {
				o, err := c.DescribeFirewallPolicy(ctx, &nfw.DescribeFirewallPolicyInput{FirewallPolicyArn: m.Arn})
				if err != nil {
					return nil, err
				}
				out = append(out, firewallPolicyAnswer{o.UpdateToken, o.FirewallPolicyResponse, o.FirewallPolicy})
			}
			return out, nil
		}, func(a *firewallPolicyAnswer) string {
			if a.FirewallPolicyResponse == nil {
				return ""
			}
			return aws.ToString(a.FirewallPolicyResponse.FirewallPolicyArn)
		}),
		list("describe-rule-group", "RuleGroups", func(ctx context.Context) ([]ruleGroupAnswer, error) {
			meta, err := pages(ctx, nfw.NewListRuleGroupsPaginator(c, &nfw.ListRuleGroupsInput{}),
				func(o *nfw.ListRuleGroupsOutput) []types.RuleGroupMetadata { return o.RuleGroups })
			if err != nil {
				return nil, err
			}
			out := []ruleGroupAnswer{}
			for _, m := range meta {
				o, err := c.DescribeRuleGroup(ctx, &nfw.DescribeRuleGroupInput{RuleGroupArn: m.Arn})
				if err != nil {
					return nil, err
				}
				out = append(out, ruleGroupAnswer{o.UpdateToken, o.RuleGroupResponse, o.RuleGroup})
			}
			return out, nil
		}, func(a *ruleGroupAnswer) string {
			if a.RuleGroupResponse == nil {
				return ""
			}
			return aws.ToString(a.RuleGroupResponse.RuleGroupArn)
		}),
	}
}
