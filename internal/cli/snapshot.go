package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/collect"
)

// newSnapshot is `vpclab snapshot`: collect an account into a directory of describe-* JSON
// that -t reads (internal/collect does the work).
func newSnapshot(g *globals) *cobra.Command {
	var o collect.Options
	var quiet bool
	cmd := &cobra.Command{
		Use:   "snapshot [--profile P] [--region R ...] [--endpoint-url URL] OUTDIR",
		Short: "Collect an AWS account into a directory of describe-* JSON for -t",
		Long: `Collect an AWS account's network, read-only, into OUTDIR: the JSON that the
'aws ec2 describe-*' commands print, which every other command reads with -t OUTDIR.

Each region goes to OUTDIR/<account>/<region>/, one file per answer: describe-vpcs.json,
describe-subnets.json, describe-route-tables.json, describe-instances.json, ... the
transit gateways with, per route table, search-transit-gateway-routes.<tgw-rtb-id>.json
(static and propagated routes) and its propagations, associations and prefix-list
references, the Direct Connect gateways, associations, attachments and virtual
interfaces, the load balancers with their listeners, target groups, targets' health and
attributes, the endpoint service configurations, and the Network Firewall firewalls,
policies and rule groups. Objects are sorted by ID and written as the AWS CLI prints them, so two
snapshots of the same account diff cleanly. Answer files an earlier snapshot left in a
region's folder that this one did not write are removed; other files are left alone.

Credentials come from the standard AWS chain (environment, --profile or AWS_PROFILE,
SSO, instance or container role); the calls need read-only access such as the
ReadOnlyAccess policy (ec2:Describe*, ec2:Get*, ec2:SearchTransitGatewayRoutes,
directconnect:Describe*, elasticloadbalancing:Describe*, network-firewall:List*,
network-firewall:Describe*, sts:GetCallerIdentity). The SDK retries throttled calls.
--endpoint-url sends every call to another endpoint, such as a local emulator
(AWS_ENDPOINT_URL does the same).

Progress goes to stderr, one line per region and operation (--quiet hides it). A region
that fails (access denied, unreachable) is reported and the others are still written; an
operation the endpoint does not implement is a warning naming it.

Exit status: 0 every region written, 1 some region failed entirely, 2 bad usage or an
unreadable AWS configuration.`,
		Example: `  # one region of the account a named profile reaches
  vpclab snapshot --profile prod --region us-east-1 ./aws_configs
  vpclab validate -t ./aws_configs

  # several regions, each in its own folder
  vpclab snapshot --region us-east-1 --region eu-west-1 ./aws_configs

  # a local emulator (moto_server, LocalStack), with dummy credentials
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    vpclab snapshot --endpoint-url http://127.0.0.1:4566 --region us-east-1 ./lab-snapshot`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !quiet {
				o.Progress = g.stderr
			}
			o.Problems = g.stderr
			var regions []string
			for _, r := range o.Regions { // --region a,b as well as --region a --region b
				for _, r := range strings.Split(r, ",") {
					if r = strings.TrimSpace(r); r != "" {
						regions = append(regions, r)
					}
				}
			}
			o.Regions = regions
			res, err := collect.Snapshot(cmd.Context(), args[0], o)
			if err != nil {
				return badInput("snapshot: %v", err)
			}
			written := len(res.Regions) - len(res.FailedRegions())
			if failed := res.FailedRegions(); len(failed) > 0 {
				return &exitError{code: ExitNegative, msg: fmt.Sprintf("snapshot: %d of %d region(s) failed entirely (%s); %d written to %s",
					len(failed), len(res.Regions), strings.Join(failed, ", "), written, args[0])}
			}
			if !quiet {
				fmt.Fprintf(g.stderr, "vpclab: snapshot of %d region(s) written to %s; read it with -t %s\n", written, args[0], args[0])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Profile, "profile", "", "named profile of the AWS config and credentials files (default: the standard chain, AWS_PROFILE)")
	f.StringArrayVar(&o.Regions, "region", nil, "region to collect, repeatable or comma-separated (default: AWS_REGION or the profile's region)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send every call to this endpoint, e.g. a local emulator at http://127.0.0.1:4566 (default: AWS's, or AWS_ENDPOINT_URL)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress lines; warnings and errors are still printed")
	return cmd
}
