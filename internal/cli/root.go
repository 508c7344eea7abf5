// Package cli is vpclab's command line: flags, output formats and exit statuses. Every
// command is a thin frontend over the tools and engine packages; Main takes the arguments and
// the output streams and returns the exit status, so tests call it like a function.
//
// Exit statuses: 0 success (a reply came, a path was found); 1 a negative answer (no reply,
// no path); 2 bad input or usage (the message names the file, line or value).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/serve"
	"github.com/vpclab/vpclab/internal/tools"
	"github.com/vpclab/vpclab/internal/topology"
)

// Exit statuses.
const (
	ExitOK       = 0
	ExitNegative = 1
	ExitBadInput = 2
)

// exitError carries an exit status out of a command; a message, if any, is printed first.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &exitError{code: ExitBadInput, msg: fmt.Sprintf(format, args...)}
}

// negative ends a command with exit status 1 and no further message.
var negative = &exitError{code: ExitNegative}

// globals are the flags every command shares, and where the command runs.
type globals struct {
	topology   string
	seed       uint64
	noResident bool
	stdout     io.Writer
	stderr     io.Writer
	runOptions
	args []string // as Main got them, to hand to a resident
}

// runOptions say where a command runs: in this process for its user (Main), or in a
// resident or the shell for a caller elsewhere.
type runOptions struct {
	stdin     io.Reader           // the shell's commands
	dir       string              // the caller's working directory; "": this process's
	getenv    func(string) string // the caller's environment
	src       source              // where topologies come from; nil: the files (direct)
	stderrTTY bool                // stderr is a terminal (progress reports)
}

// Main runs vpclab with args (without the program name) and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	return execute(ctx, args, stdout, stderr, runOptions{stdin: os.Stdin, getenv: os.Getenv, stderrTTY: isTerminal(stderr)})
}

// execute is Main for a caller described by o.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer, o runOptions) (code int) {
	defer func() {
		// Never a Go stack trace for a user: report the bug plainly instead.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "vpclab: internal error: %v\nThis is a bug in vpclab; please report it with the command and topology that caused it.\n", r)
			code = 3
		}
	}()
	g := &globals{stdout: stdout, stderr: stderr, runOptions: o, args: args}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "vpclab: %s\n", ee.msg)
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag, wrong argument count.
	fmt.Fprintf(stderr, "vpclab: %s\nRun 'vpclab --help' for usage.\n", err)
	return ExitBadInput
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "vpclab",
		Short: "The AWS VPC dataplane as software",
		Long: `vpclab answers like an AWS VPC network would: ping, traceroute, packet captures and a
hop-by-hop trace in the JSON shape of AWS Reachability Analyzer, on a topology you describe
in a YAML lab or export from an account with 'aws ec2 describe-*'. Every drop is explained
with AWS's own explanation codes.

A topology (-t) is either a YAML lab file or a directory of describe-* JSON answers
(each *.json is recognised by its top-level key: Vpcs, Subnets, RouteTables, ...).

` + endpointsHelp + `

Exit status: 0 success, 1 no reply or no path, 2 bad input.`,
		Example: `  vpclab traceroute -t examples/east-west-nat/lab.yaml source 10.0.1.55
  vpclab ping -c 3 -t examples/east-west-nat/lab.yaml source destination --capture destination
  vpclab trace -t examples/east-west-nat/lab.yaml --from source --to destination --protocol icmp
  vpclab trace -t examples/hub-and-spoke/lab.yaml --from dc:192.168.1.10 --to app1 --port 22
  vpclab trace -t ./aws_configs --from tgw-attach-0abc:192.168.1.5 --to 10.1.2.3
  vpclab ping -t ./aws_configs pcx-0abc:10.3.0.5 web-1
  vpclab validate -t ./aws_configs`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A question about a topology a resident holds is answered by the resident.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return g.forward(cmd) },
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&g.topology, "topology", "t", g.getenv("VPCLAB_TOPOLOGY"),
		"topology: a YAML lab file or a directory of describe-* JSON (default $VPCLAB_TOPOLOGY)")
	pf.Uint64Var(&g.seed, "seed", defaultSeed, "seed for NAT port choice and simulated latency jitter (same seed, same output)")
	pf.BoolVar(&g.noResident, "no-resident", false, "load the topology here even if a resident holds it (also VPCLAB_RESIDENT=off)")
	root.AddCommand(newPing(g), newTraceroute(g), newTrace(g), newValidate(g))
	root.AddCommand(newLiveCommands(g)...)
	root.AddCommand(newAnalyzeCommands(g)...)
	root.AddCommand(newResident(g), newShell(g), newEndpointNames(g), newServe(g), newSnapshot(g))
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// endpointsHelp says how FROM and TO are written; the commands that take them refer to it.
const endpointsHelp = `Endpoints (FROM, TO) are an instance ID or Name tag, an ENI ID, a private IP,
'internet' or 'internet:IP', a VPN gateway 'vgw-...' or 'vgw-...:IP' (a host beyond it),
a declared host's name, or (as TO) any IP address.

As in AWS Reachability Analyzer, an endpoint can also be a host at an address beyond one
resource, written RESOURCE:IP, RESOURCE being the resource's ID or Name tag:

  tgw-attach-...:IP  beyond a transit gateway attachment: on-premises past a VPN or
                     Direct Connect gateway attachment, in the VPC of a VPC attachment,
                     past a peering attachment
  vpn-...:IP         beyond a Site-to-Site VPN connection (on a VGW or a transit gateway)
  UUID:IP            on-premises beyond a Direct Connect gateway (its ID is a UUID)
  pcx-...:IP         on the far side of a VPC peering connection
  igw-...:IP         on the internet, its packets coming through that internet gateway
  subnet-...:IP      FROM only: packets appear in the subnet from no interface (a spoofed
                     source); the subnet's network ACL and route table apply

The address is required and checked: beyond a VPN or Direct Connect it must be on-premises
(in a declared on-premises network, or outside every VPC); through an internet gateway it
must be public and not one of the topology's own; over a peering, from a VPC or peering
attachment and in a subnet any address goes. Answers go back the way the network routes
them and reach such a host when they leave through the same attachment, VPN, Direct
Connect gateway or internet gateway toward its address, or are delivered to the interface
holding it in the subnet, a VPC of the peering or the attachment's VPC. An answer to an
address no interface holds (a spoofed source) is dropped where it arrives, and one to a
peer VPC outside the topology at the peering (VPCLAB_NOT_IN_SNAPSHOT).`

// defaultSeed is --seed's default.
const defaultSeed = 1

// topologyLoad reads a topology; every command loads through it (tests stand in topologies
// the loaders cannot read yet).
var topologyLoad = loadAny

// isURL reports whether a topology is a vpclab serve's address.
func isURL(path string) bool {
	return strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://")
}

// loadAny reads a topology from a file or directory, or from a vpclab serve at an
// http:// or https:// address.
func loadAny(path string) (*model.Topology, model.Problems) {
	if isURL(path) {
		data, err := serve.Fetch(context.Background(), path)
		if err != nil {
			var probs model.Problems
			probs.Errorf(model.Source{File: path}, "%v", err)
			return nil, probs
		}
		return topology.LoadJSON(path, data)
	}
	return topology.Load(path)
}

// load reads and compiles the topology. Errors end the command with status 2; warnings are
// summed up on stderr (vpclab validate lists them).
func (g *globals) load() (*engine.Network, error) {
	if g.topology == "" {
		return nil, badInput("no topology: pass -t PATH (a YAML lab file or a directory of describe-* JSON)")
	}
	t, probs := g.loadTopology(g.topology)
	if probs.HasErrors() {
		return nil, &exitError{code: ExitBadInput, msg: problemsText("the topology", probs)}
	}
	n, warns := g.compileTopology(t)
	warns = append(probs.Warnings(), warns...)
	if len(warns) > 0 {
		fmt.Fprintf(g.stderr, "vpclab: %d warning(s) loading %s; 'vpclab validate -t %s' lists them\n", len(warns), g.topology, g.topology)
	}
	return n, nil
}

// problemsText prints problems under a header naming what has them ("the topology", "the
// intents"), one per line with its file and line.
func problemsText(what string, ps model.Problems) string {
	var b strings.Builder
	errs := 0
	for _, p := range ps {
		if p.Severity == model.Error {
			errs++
		}
	}
	fmt.Fprintf(&b, "%s has %d error(s):", what, errs)
	for _, p := range ps {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// explainer gathers drop explanations during a run and prints each distinct one once, with
// how many packets met it, so a 3-packet ping that fails says why in one line.
type explainer struct {
	order []string
	count map[string]int
}

func newExplainer() *explainer { return &explainer{count: map[string]int{}} }

func (x *explainer) add(r *engine.Result) {
	if r.Code == engine.CodeTTLExceeded && r.Generated != nil {
		return // expected while tracerouting: the ICMP answer is the point
	}
	key := fmt.Sprintf("dropped at %s: %s: %s", r.At, r.Code, r.Detail)
	if x.count[key] == 0 {
		x.order = append(x.order, key)
	}
	x.count[key]++
}

func (x *explainer) write(w io.Writer) {
	for _, k := range x.order {
		n := x.count[k]
		plural := "s"
		if n == 1 {
			plural = ""
		}
		fmt.Fprintf(w, "vpclab: %d packet%s %s\n", n, plural, k)
	}
}

// newSim makes a simulation that records explanations into x.
func (g *globals) newSim(n *engine.Network, x *explainer) *tools.Sim {
	s := g.sim(n)
	s.OnDrop = x.add
	return s
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
