package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/analyze"
)

func newMatrix(g *globals) *cobra.Command {
	var scope, output, form string
	qf := &queryFlags{}
	c := &cobra.Command{
		Use:   "matrix [--scope instances|subnets] [--form auto|pairs|classes] [flags]",
		Short: "Who reaches whom across the whole topology",
		Long: `Answer reach for every ordered pair of instances (--scope instances) or subnets
(--scope subnets), over every protocol and port or those asked with --protocol and --port.
A pair counts when the packets get there and the answers get back.

With --scope subnets each subnet gets a probe interface on its highest free address with a
security group that allows everything, so the matrix shows what the network between subnets
allows (routes, network ACLs both ways, NAT gateways, gateways) whatever instances' own
security groups say; --scope instances uses each instance's first interface as it is.

The matrix is computed per class: endpoints the network cannot tell apart (same VPC, route
table, network ACL, security groups and interface settings, addresses that no route or rule
separates) share their answers, and destinations outside a source's VPC that its routes
cannot tell apart share one answer when the packet never leaves the VPC. The answer is the
same as asking every pair; it grows with the classes, not with the square of the endpoints.

--form pairs prints a line per pair. Text output is a grid (rows: from, columns: to) with a
legend, then the partly reachable pairs grouped by what gets through and the unreachable
ones by what blocks them first; --output csv prints a line per pair, --output json a
document for tools.

--form classes prints the grouped form, whose size follows the classes: the classes (C1,
C2, ...) with their members, then one answer per class and destination: a class, or a far
set ("outside vpc-1, in 10.0.0.0/8, not in ...": every endpoint outside the source's VPC
whose address is in those of its VPC's route prefixes), with the verdict, what gets
through, the first blocker and the number of pairs it stands for. In CSV, "member" lines
give each endpoint's class and "answer" lines the answers; JSON has Endpoints (with their
Class) and Rows.

--form auto (the default) prints pairs unless that would be enormous (a text grid of more
than 2,000 endpoints, or CSV or JSON of more than about 1 GB), and then the grouped form,
saying so on stderr. A large run says on stderr how large it is before it starts; on a
terminal, stderr shows its progress. CSV and JSON are written as they are computed.

Exit status: 0 on success, 2 on bad input.`,
		Example: `  vpclab matrix -t examples/east-west-nat/lab.yaml --scope subnets
  vpclab matrix -t ./aws_configs --protocol tcp --port 443 -o csv > reach.csv
  vpclab matrix -t /tmp/estate --scope subnets --form classes -o csv > classes.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if scope != analyze.ScopeInstances && scope != analyze.ScopeSubnets {
				return badInput("--scope %q: use instances or subnets", scope)
			}
			if output != "text" && output != "csv" && output != "json" {
				return badInput("--output %q: use text, csv or json", output)
			}
			if form != "auto" && form != "pairs" && form != "classes" {
				return badInput("--form %q: use auto, pairs or classes", form)
			}
			q, err := qf.query()
			if err != nil {
				return err
			}
			t, err := g.loadModel()
			if err != nil {
				return err
			}
			var a *analyze.Analyzer
			var eps []analyze.MatrixEndpoint
			if scope == analyze.ScopeSubnets {
				pt, probes, missing := analyze.ProbeTopology(t)
				for _, s := range missing {
					fmt.Fprintf(g.stderr, "vpclab: subnet %s has no free address for a probe; it is left out\n", s)
				}
				a = g.analyzer(g.compile(pt))
				eps = a.SubnetEndpoints(probes)
			} else {
				a = g.analyzer(g.compile(t))
				eps = a.InstanceEndpoints()
			}
			return g.writeMatrix(a, scope, eps, q, output, form)
		},
	}
	c.Flags().StringVar(&scope, "scope", analyze.ScopeInstances, "instances or subnets")
	c.Flags().StringVarP(&output, "output", "o", "text", "text, csv or json")
	c.Flags().StringVar(&form, "form", "auto", "pairs (a line per pair), classes (grouped: classes, then an answer per class and destination set) or auto")
	qf.register(c, false)
	return c
}

// Sizes past which --form auto prints the grouped form: a text grid of more endpoints is no
// longer read, and per-pair CSV or JSON of more bytes is no longer handled by a spreadsheet
// or a script in memory.
const (
	maxGridEndpoints = 2000
	maxPairBytes     = 1 << 30
	largeRunPairs    = 1_000_000 // from this many pairs a run says how large it is first
)

// writeMatrix groups the endpoints, says how large the run is when it is large, picks the
// form and writes the matrix.
func (g *globals) writeMatrix(a *analyze.Analyzer, scope string, eps []analyze.MatrixEndpoint, q analyze.Query, output, form string) error {
	m := a.GroupEndpoints(scope, eps, q)
	pairs := m.Pairs()
	size := pairBytes(eps, output)
	if form == "auto" {
		form = "pairs"
		if output == "text" && len(eps) > maxGridEndpoints || output != "text" && size > maxPairBytes {
			form = "classes"
			fmt.Fprintf(g.stderr, "vpclab: a line per pair would be %s of %s for %d pairs: printing the grouped form (--form classes); pass --form pairs for every pair\n",
				bytesText(size), output, pairs)
		}
	}
	if pairs >= largeRunPairs {
		fmt.Fprintf(g.stderr, "vpclab: matrix of %d %s: %d pairs in %d classes (a line per pair: about %s of %s)\n",
			len(eps), scope, pairs, len(m.Classes), bytesText(size), output)
	}
	if form == "pairs" && output == "json" {
		// Each pair's blocker detail is its own: the pairwise matrix, streamed row by row.
		return a.WritePairsJSON(g.stdout, scope, eps, q, g.progress("matrix", "rows"))
	}
	m.Compute(g.progress("matrix", "classes"))
	switch {
	case form == "pairs" && output == "csv":
		return m.WritePairsCSV(g.stdout)
	case form == "pairs":
		m.WritePairsText(g.stdout)
		return nil
	case output == "csv":
		return m.WriteCSV(g.stdout)
	case output == "json":
		return m.WriteJSON(g.stdout)
	}
	return m.WriteText(g.stdout)
}

// pairBytes estimates the size of a line-per-pair output: the CSV's lines carry both ends'
// IDs and names, a verdict and often a blocker; JSON's indented cells about 400 bytes; the
// text grid a byte per pair.
func pairBytes(eps []analyze.MatrixEndpoint, output string) int64 {
	n := int64(len(eps))
	pairs := n * max(n-1, 0)
	switch output {
	case "text":
		return n * n
	case "json":
		return pairs * 400
	}
	var names int64
	for _, e := range eps {
		names += int64(len(e.ID) + len(e.Name))
	}
	return 2*names*max(n-1, 0) + pairs*80
}

func bytesText(b int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	f, u := float64(b), 0
	for f >= 1000 && u < len(units)-1 {
		f /= 1000
		u++
	}
	return fmt.Sprintf("%.3g %s", f, units[u])
}
