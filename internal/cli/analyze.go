package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/analyze"
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// newAnalyzeCommands are the header-space analyses over internal/analyze: reach, matrix,
// check, diff, and gen, which writes synthetic estates to analyse.
func newAnalyzeCommands(g *globals) []*cobra.Command {
	return []*cobra.Command{newReach(g), newMatrix(g), newCheck(g), newDiff(g), newGen(g)}
}

// parseRange reads a port range: "443", "1024-65535".
func parseRange(flag, s string) (analyze.Interval, error) {
	iv, err := analyze.ParseRange(s)
	if err != nil {
		return iv, badInput("%s %s: %v", flag, s, err)
	}
	return iv, nil
}

// queryFlags are the header-space flags of reach and matrix: a flag left out means any value.
type queryFlags struct {
	proto, port, sport string
	icmpType           int
}

func (f *queryFlags) register(c *cobra.Command, sport bool) {
	c.Flags().StringVar(&f.proto, "protocol", "", "tcp, udp, icmp or an IP protocol number (default: every protocol)")
	c.Flags().StringVar(&f.port, "port", "", "destination port or range, e.g. 443 or 1024-65535 (TCP, UDP; default: every port)")
	if sport {
		c.Flags().StringVar(&f.sport, "source-port", "", "source port or range (TCP, UDP; default: every port)")
	}
	c.Flags().IntVar(&f.icmpType, "icmp-type", -1, "with --protocol icmp: one ICMP type (8: ping's echo request; default: every type)")
}

func (f *queryFlags) query() (analyze.Query, error) {
	q := analyze.Everything()
	if f.proto != "" {
		p, err := parseProtocol(f.proto)
		if err != nil {
			return q, err
		}
		q.Protocol = int(p)
	}
	for _, r := range []struct {
		flag, val string
		dst       *analyze.Interval
	}{{"--port", f.port, &q.DstPorts}, {"--source-port", f.sport, &q.SrcPorts}} {
		if r.val == "" {
			continue
		}
		if q.Protocol >= 0 && q.Protocol != 6 && q.Protocol != 17 {
			return q, badInput("%s: protocol %s has no ports; ports apply to tcp and udp", r.flag, f.proto)
		}
		iv, err := parseRange(r.flag, r.val)
		if err != nil {
			return q, err
		}
		*r.dst = iv
	}
	if f.icmpType >= 0 {
		if q.Protocol != 1 {
			return q, badInput("--icmp-type goes with --protocol icmp")
		}
		if f.icmpType > 255 {
			return q, badInput("--icmp-type %d: an ICMP type is 0..255", f.icmpType)
		}
		q.ICMPTypes = analyze.Interval{Lo: f.icmpType, Hi: f.icmpType}
	}
	return q, nil
}

func newReach(g *globals) *cobra.Command {
	var from, to, output string
	var verbose bool
	qf := &queryFlags{}
	c := &cobra.Command{
		Use:   "reach --from FROM --to TO [flags]",
		Short: "Split the header space between two endpoints into parts that behave alike",
		Long: `Answer, for every protocol and port (or those asked with --protocol, --port and
--source-port; a flag left out means any value), whether packets get from FROM to TO and
the answer back. The header space is split into parts that behave alike; each reachable
part says what it goes through and the source address TO sees, each blocked part lists
every component that would have to change, forward and back, in path order: security
groups, network ACL rules (also on the way back: they are stateless), missing routes,
blackholes, gateways, NAT gateways that cannot translate the answer back, asymmetric
routing through a NAT gateway or an appliance.

Ports are TCP and UDP ports; the source port matters because answers are matched by the
network ACLs on their way back. TO is assumed to run a listening service (a SYN is answered
with a SYN-ACK, a UDP datagram with a reply, an echo request with an echo reply).

--output json prints a list of NetworkInsightsAnalysis documents (as trace does), one per
part, each with VpclabHeaderSpace: the header ranges it covers.

` + endpointsHelp + `

Exit status: 0 when every part is reachable, 1 when any part is blocked, 2 on bad input.`,
		Example: `  vpclab reach -t examples/east-west-nat/lab-sg-narrowed.yaml --from source --to destination
  vpclab reach -t ./aws_configs --from web-1 --to db-1 --protocol tcp --port 5432 -o json
  vpclab reach -t lab.yaml --from tgw-attach-0abc:192.168.1.5 --to web-1 --protocol tcp
  vpclab reach -t lab.yaml --from pcx-0abc:10.3.0.5 --to db-1 --port 5432`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || to == "" {
				return badInput("reach needs --from and --to")
			}
			if output != "text" && output != "json" {
				return badInput("--output %q: use text or json", output)
			}
			q, err := qf.query()
			if err != nil {
				return err
			}
			n, err := g.load()
			if err != nil {
				return err
			}
			src, dst, err := g.resolvePair(g.sim(n), from, to, flagNames)
			if err != nil {
				return err
			}
			r := g.analyzer(n).Reach(src, dst, q)
			if output == "json" {
				if err := writeJSON(g, r.Analyses()); err != nil {
					return err
				}
			} else {
				r.WriteText(g.stdout, verbose)
			}
			if !r.Reachable() {
				return negative
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&from, "from", "", "where packets start (instance, ENI, private IP, internet[:IP], vgw-...[:IP], RESOURCE:IP)")
	f.StringVar(&to, "to", "", "where they go (as --from, or any IP address)")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	f.BoolVarP(&verbose, "verbose", "v", false, "also print each part's hop-by-hop paths")
	qf.register(c, true)
	return c
}

func writeJSON(g *globals, v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// loadModel reads the topology without compiling it (g.load does both).
func (g *globals) loadModel() (*model.Topology, error) {
	if g.topology == "" {
		return nil, badInput("no topology: pass -t PATH (a YAML lab file or a directory of describe-* JSON)")
	}
	t, probs := g.loadTopology(g.topology)
	if probs.HasErrors() {
		return nil, &exitError{code: ExitBadInput, msg: problemsText("the topology", probs)}
	}
	if w := probs.Warnings(); len(w) > 0 {
		fmt.Fprintf(g.stderr, "vpclab: %d warning(s) loading %s; 'vpclab validate -t %s' lists them\n", len(w), g.topology, g.topology)
	}
	return t, nil
}

// loadModels reads two topologies side by side, as diff compares them: each load is mostly
// serial work (mapping, defaults, validation) that the other's overlaps. What each says on
// stderr is printed in order, before's first; the first error, in that order, is returned.
func (g *globals) loadModels(before, after string) ([2]*model.Topology, error) {
	var ts [2]*model.Topology
	var errs [2]error
	var said [2]bytes.Buffer
	var wg sync.WaitGroup
	for i, path := range []string{before, after} {
		wg.Go(func() {
			h := *g
			h.topology, h.stderr = path, &said[i]
			ts[i], errs[i] = h.loadModel()
		})
	}
	wg.Wait()
	for i := range said {
		g.stderr.Write(said[i].Bytes())
		if errs[i] != nil {
			return ts, errs[i]
		}
	}
	return ts, nil
}

func (g *globals) compile(t *model.Topology) *engine.Network {
	n, _ := g.compileTopology(t) // what Compile warns about, validate lists
	return n
}

func newCheck(g *globals) *cobra.Command {
	var junit string
	c := &cobra.Command{
		Use:   "check [flags] INTENTS.yaml",
		Short: "Check reachability intents, for CI",
		Long: `Check a list of intents against the topology and print each verdict, with the
parts that break it for failures. An intent:

  - name: web reaches the database   # optional
    from: source                     # an endpoint, as reach takes it (also RESOURCE:IP,
    to: destination                  # e.g. tgw-attach-0abc:192.168.1.5; see vpclab --help)
    protocol: tcp                    # tcp, udp, icmp or a number; left out: every protocol
    port: 443                        # or a range, 1024-65535; left out: every port
    source_port: 32768-60999         # optional
    icmp_type: 8                     # optional, with protocol icmp (8: ping's echo request)
    expect: reachable                # every part reachable; or: unreachable (no part)
    via: [osaka-NAT]                 # optional: names or IDs the path must cross
    seen_as: 10.0.2.149              # optional: the source address the destination sees

--junit FILE also writes the verdicts as JUnit XML for CI systems.

Exit status: 0 when every intent holds, 1 when any does not, 2 on bad input (a mistyped
key, an unknown name, a bad port: the message gives the file and line).`,
		Example: `  vpclab check -t examples/east-west-nat/lab.yaml intents.yaml --junit report.xml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			data, err := g.readFile(file)
			if err != nil {
				return badInput("cannot read the intents: %v", err)
			}
			intents, probs := analyze.ParseIntents(file, data)
			if probs.HasErrors() {
				return &exitError{code: ExitBadInput, msg: problemsText("the intents file", probs)}
			}
			for _, w := range probs.Warnings() {
				fmt.Fprintf(g.stderr, "vpclab: %s\n", w)
			}
			n, err := g.load()
			if err != nil {
				return err
			}
			a := g.analyzer(n)
			eps, probs := a.ResolveIntents(file, intents)
			if probs.HasErrors() {
				return &exitError{code: ExitBadInput, msg: problemsText("the intents file", probs)}
			}
			results := a.CheckIntents(intents, eps)
			analyze.WriteCheckText(g.stdout, file, results)
			if junit != "" {
				if err := g.writeFile(junit, analyze.JUnit(file, results)); err != nil {
					return badInput("--junit: %v", err)
				}
			}
			for _, r := range results {
				if !r.Pass {
					return negative
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&junit, "junit", "", "also write the verdicts to FILE as JUnit XML")
	return c
}

func newDiff(g *globals) *cobra.Command {
	var before, after, from, to, output string
	qf := &queryFlags{}
	c := &cobra.Command{
		Use:   "diff --before A --after B [--from X] [--to Y] [flags]",
		Short: "The flows whose verdict or path differs between two topologies, and why",
		Long: `Compare two topologies (YAML labs or describe-* directories, e.g. before and after a
change): list the resources that differ, then every flow that changed: between which
instances (or --from and --to, which may also be internet, a VGW, a host beyond a
resource as RESOURCE:IP, or an address), over which protocols and ports, reachable or
blocked before and after, the first decision that differs on each path (the security
group, network ACL rule or route, before and after), and the changes of the components
the flow meets.

A flow changes when its verdict, a blocker, the components it is routed through or the
source the destination sees differ; which rule allows it does not count. Flows that arrive
in neither topology are compared by where they end.

Only flows the differences can touch are evaluated: the resources are compared first, then
the flows from and to the interfaces they affect (a changed security group rule: only
its protocol and ports).

Resources are compared by ID. Those whose IDs differ (a lab against a describe-* snapshot of
the same network, resources re-created) are matched by Name tag and CIDR instead: VPCs by
Name tag, else CIDRs; subnets by Name tag, else CIDR; instances by Name tag, else private
IP; interfaces by instance and device index, else private IP; security groups by group
name; route tables and network ACLs by Name tag, else the subnets they apply to; NAT
gateways by Name tag, else subnet and private IP; internet and VPN gateways by the VPC they
attach to. The report says how many were matched so and lists those that were not; the
after topology's resources are shown with the before topology's IDs.

Exit status: 0 when no flow changed, 1 when some did, 2 on bad input (also when the
topologies share no resource by ID, Name tag or CIDR).`,
		Example: `  vpclab diff --before examples/east-west-nat/lab.yaml --after examples/east-west-nat/lab-sg-narrowed.yaml
  vpclab diff --before ./snapshot-monday --after ./snapshot-tuesday --to db-1 --protocol tcp --port 5432`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if before == "" || after == "" {
				return badInput("diff needs --before and --after (two topologies)")
			}
			if output != "text" && output != "json" {
				return badInput("--output %q: use text or json", output)
			}
			q, err := qf.query()
			if err != nil {
				return err
			}
			ts, err := g.loadModels(before, after)
			if err != nil {
				return err
			}
			// Where IDs differ, resources are matched by Name tag and CIDR and the after
			// topology takes the before topology's IDs.
			m := analyze.MatchTopologies(ts[0], ts[1])
			if m.Disjoint() {
				return badInput("%s and %s share no resource by ID, Name tag or CIDR: they describe different networks, nothing to compare", before, after)
			}
			ts[1] = m.After
			var as [2]*analyze.Analyzer
			var wg sync.WaitGroup
			for i, t := range ts { // two independent networks: compiled side by side
				wg.Go(func() { as[i] = g.analyzer(g.compile(t)) })
			}
			wg.Wait()
			eps, onlyB, onlyA := analyze.InstancePairs(as[0], as[1])
			sources, targets := eps, eps
			for _, e := range []struct {
				flag, name string
				set        *[]*analyze.DiffEndpoint
			}{{"--from", from, &sources}, {"--to", to, &targets}} {
				if e.name == "" {
					continue
				}
				var ep [2]tools.Endpoint
				for i, a := range as {
					x, err := g.sim(a.Net).Resolve(e.name)
					if err != nil {
						where := []string{before, after}[i]
						if ee := (*tools.EndpointError)(nil); errors.As(err, &ee) && ee.Kind != "" {
							return badInput("%s: %s", e.flag, ee.Missing(where))
						}
						return badInput("%s, in %s: %v", e.flag, where, err)
					}
					if e.flag == "--from" && !x.CanSend() {
						return badInput("--from %q is an address nothing sends from", e.name)
					}
					if e.flag == "--to" && !x.CanReceive() {
						return badInput("--to %q is a subnet: packets start there (a spoofed source) but none are addressed to it", e.name)
					}
					ep[i] = x
				}
				if e.flag == "--to" && len(sources) == 1 {
					ep[0], ep[1] = as[0].Target(sources[0].Before, ep[0]), as[1].Target(sources[0].After, ep[1])
				}
				*e.set = []*analyze.DiffEndpoint{{Label: e.name, Before: ep[0], After: ep[1]}}
			}
			r := analyze.Diff(as[0], as[1], analyze.DiffModels(as[0].Net.Topology, as[1].Net.Topology), sources, targets, q)
			r.OnlyBefore, r.OnlyAfter, r.Match = onlyB, onlyA, m
			if output == "json" {
				if err := writeJSON(g, r.JSON()); err != nil {
					return err
				}
			} else {
				r.WriteText(g.stdout)
			}
			if len(r.Flows) > 0 {
				return negative
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&before, "before", "", "the topology before: a YAML lab or a directory of describe-* JSON")
	f.StringVar(&after, "after", "", "the topology after")
	f.StringVar(&from, "from", "", "only flows from this endpoint (default: every instance)")
	f.StringVar(&to, "to", "", "only flows to this endpoint (default: every instance)")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	qf.register(c, true)
	return c
}

func newGen(g *globals) *cobra.Command {
	var o gen.Options
	var join string
	var spokeToSpoke bool
	c := &cobra.Command{
		Use:   "gen --vpcs N --subnets-per-vpc M --instances-per-subnet K [--join tgw|peering-mesh] [--seed S] OUTDIR",
		Short: "Write a synthetic estate as describe-* JSON, for benchmarks and load tests",
		Long: `Generate a realistic synthetic estate and write it to OUTDIR as the describe-* JSON
files the AWS CLI prints (vpclab -t OUTDIR reads them back). Each VPC gets public and
private subnets over three availability zones, an internet gateway, a NAT gateway, route
tables, tiered security groups that reference one another (web, app, db, ssh), custom
network ACLs and instances. --seed drives every choice and ID: the same options and seed
give byte-identical files.

--join joins the VPCs. tgw: one transit gateway, hub and spoke: the first VPC (vpc001) is
the shared-services VPC, associated with the "shared" route table into which every VPC
propagates; the others are spokes, associated with the "spokes" table, into which the
shared-services VPC and (with --spoke-to-spoke, the default) every spoke propagate. Each
VPC attaches in the first subnet of each availability zone, and every route table sends
the private ranges the VPCs use to the gateway. peering-mesh: groups of --mesh-size VPCs,
every pair of a group peered, with routes to each peer in every route table. Joined, the
ssh groups admit ICMP and tcp 22 and the custom network ACLs everything from the other
VPCs.

Exit status: 0 on success, 2 on bad input.`,
		Example: `  vpclab gen --vpcs 1000 --subnets-per-vpc 10 --instances-per-subnet 10 --seed 7 /tmp/estate
  vpclab matrix -t /tmp/estate --scope subnets -o csv > matrix.csv
  vpclab gen --vpcs 1000 --subnets-per-vpc 10 --instances-per-subnet 10 --join tgw /tmp/hub
  vpclab gen --vpcs 12 --join peering-mesh --mesh-size 3 /tmp/mesh`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			switch {
			case o.VPCs < 1:
				return badInput("--vpcs %d: at least 1", o.VPCs)
			case o.SubnetsPerVPC < 1:
				return badInput("--subnets-per-vpc %d: at least 1", o.SubnetsPerVPC)
			case o.InstancesPerSubnet < 0:
				return badInput("--instances-per-subnet %d: 0 or more", o.InstancesPerSubnet)
			case !slices.Contains(gen.Joins, gen.Join(join)):
				return badInput("--join %q: tgw or peering-mesh", join)
			case cmd.Flags().Changed("spoke-to-spoke") && join != string(gen.JoinTGW):
				return badInput("--spoke-to-spoke applies to --join tgw only")
			case cmd.Flags().Changed("mesh-size") && join != string(gen.JoinPeeringMesh):
				return badInput("--mesh-size applies to --join peering-mesh only")
			case o.MeshSize < 2:
				return badInput("--mesh-size %d: at least 2", o.MeshSize)
			}
			o.Join, o.IsolateSpokes = gen.Join(join), !spokeToSpoke
			defer func() {
				// gen.Estate panics on sizes the private address ranges cannot hold.
				if r := recover(); r != nil {
					err = badInput("%v", r)
				}
			}()
			o.Seed = g.seed
			t := gen.Estate(o)
			if err := gen.WriteSnapshot(t, args[0]); err != nil {
				return badInput("writing %s: %v", args[0], err)
			}
			fmt.Fprintf(g.stdout, "wrote %d VPC(s), %d subnet(s), %d instance(s), %d security group(s), %d network ACL(s) to %s\n",
				len(t.VPCs), len(t.Subnets), len(t.Instances), len(t.SecurityGroups), len(t.NetworkACLs), args[0])
			switch o.Join {
			case gen.JoinTGW:
				fmt.Fprintf(g.stdout, "joined by %d transit gateway(s): %d attachment(s), %d route table(s)\n",
					len(t.TransitGateways), len(t.TGWAttachments), len(t.TGWRouteTables))
			case gen.JoinPeeringMesh:
				fmt.Fprintf(g.stdout, "joined by %d VPC peering connection(s), in groups of %d\n", len(t.Peerings), o.MeshSize)
				if o.VPCs%o.MeshSize == 1 {
					fmt.Fprintf(g.stderr, "vpclab: the last VPC is alone in its group of %d and peers with nothing; make --vpcs a multiple of --mesh-size to peer it\n", o.MeshSize)
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&o.VPCs, "vpcs", 1, "VPCs")
	f.IntVar(&o.SubnetsPerVPC, "subnets-per-vpc", 3, "subnets per VPC (about a third public)")
	f.IntVar(&o.InstancesPerSubnet, "instances-per-subnet", 2, "instances per subnet")
	f.StringVar(&join, "join", "", "join the VPCs: tgw (a transit gateway, hub and spoke) or peering-mesh")
	f.BoolVar(&spokeToSpoke, "spoke-to-spoke", true, "with --join tgw: spokes reach one another, not only the shared-services VPC")
	f.IntVar(&o.MeshSize, "mesh-size", gen.DefaultMeshSize, "with --join peering-mesh: VPCs per fully peered group")
	return c
}

// progress reports a long computation on stderr when stderr is a terminal (so scripts and
// tests, which capture it, see nothing): "matrix: 120/1000 rows, 14 s" at most twice a second,
// after the first two seconds, cleared at the end. Through a resident, the caller's stderr
// counts.
func (g *globals) progress(what, unit string) func(done, total int) {
	if !g.stderrTTY {
		return nil
	}
	f := g.stderr
	start := time.Now()
	var last time.Time
	return func(done, total int) {
		now := time.Now()
		if done == total {
			if !last.IsZero() {
				fmt.Fprintf(f, "\r\033[K")
			}
			return
		}
		if now.Sub(start) < 2*time.Second || now.Sub(last) < 500*time.Millisecond {
			return
		}
		last = now
		fmt.Fprintf(f, "\r\033[K%s: %d/%d %s, %.0f s", what, done, total, unit, now.Sub(start).Seconds())
	}
}
