package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// probeFlags are what ping, traceroute and trace share: captures and pcap output.
type probeFlags struct {
	captures []string
	pcapDir  string
}

func (f *probeFlags) register(c *cobra.Command) {
	c.Flags().StringArrayVar(&f.captures, "capture", nil,
		"after the run, print what this instance's or ENI's interface saw, as tcpdump -n lines (repeatable)")
	c.Flags().StringVar(&f.pcapDir, "pcap", "", "also write each capture to DIR/NAME.pcap (tcpdump -r and Wireshark read it)")
}

// session is one command's simulation: the network, the sim, its captures and explanations.
type session struct {
	g    *globals
	net  *engine.Network
	sim  *tools.Sim
	why  *explainer
	caps []*tools.Capture
	pf   *probeFlags
}

func (g *globals) session(pf *probeFlags) (*session, error) {
	n, err := g.load()
	if err != nil {
		return nil, err
	}
	x := newExplainer()
	s := &session{g: g, net: n, sim: g.newSim(n, x), why: x, pf: pf}
	if pf.pcapDir != "" && len(pf.captures) == 0 {
		return nil, badInput("--pcap writes captures: name at least one with --capture NAME")
	}
	for _, name := range pf.captures {
		c, err := s.sim.CaptureOn(name)
		if err != nil {
			return nil, badInput("--capture: %v", err)
		}
		s.caps = append(s.caps, c)
	}
	return s, nil
}

// endpoints resolves FROM and TO (named as names says: the arguments or the flags) and
// addresses TO as FROM reaches it.
func (s *session) endpoints(from, to string, names [2]string) (tools.Endpoint, tools.Endpoint, error) {
	src, dst, err := s.g.resolvePair(s.sim, from, to, names)
	if err != nil {
		return src, dst, err
	}
	return src, s.sim.Target(src, dst), nil
}

// Names of FROM and TO in messages: positional arguments, or flags.
var (
	argNames  = [2]string{"FROM", "TO"}
	flagNames = [2]string{"--from", "--to"}
)

// resolvePair resolves FROM and TO: FROM must be able to send, TO to receive.
func (g *globals) resolvePair(s *tools.Sim, from, to string, names [2]string) (tools.Endpoint, tools.Endpoint, error) {
	src, err := s.Resolve(from)
	if err != nil {
		return src, src, g.endpointError(names[0], err)
	}
	if !src.CanSend() {
		return src, src, badInput("%s %q is an address nothing sends from; name an instance, ENI, 'internet', a VGW or a host beyond a resource (RESOURCE:IP; see 'vpclab --help')", names[0], from)
	}
	dst, err := s.Resolve(to)
	if err != nil {
		return src, dst, g.endpointError(names[1], err)
	}
	if !dst.CanReceive() {
		return src, dst, badInput("%s %q is a subnet: packets start there (a spoofed source) but none are addressed to it; name the address or the instance", names[1], to)
	}
	return src, dst, nil
}

// endpointError words an endpoint that names nothing: a resource the topology lacks is said
// to be missing from the topology file.
func (g *globals) endpointError(name string, err error) error {
	var ee *tools.EndpointError
	if errors.As(err, &ee) && ee.Kind != "" {
		return badInput("%s: %s", name, ee.Missing(g.topology))
	}
	return badInput("%s: %v", name, err)
}

// finish prints captures and explanations and writes pcap files.
func (s *session) finish() error {
	w := s.g.stdout
	for _, c := range s.caps {
		fmt.Fprintf(w, "\n--- capture on %s (%s) ---\n", c.Name, c.ENI)
		c.WriteText(w)
		if s.pf.pcapDir != "" {
			path, err := s.g.writePcap(s.pf.pcapDir, c)
			if err != nil {
				return &exitError{code: ExitBadInput, msg: fmt.Sprintf("--pcap: %v", err)}
			}
			fmt.Fprintf(s.g.stderr, "vpclab: wrote %s\n", path)
		}
	}
	s.why.write(s.g.stderr)
	return nil
}

// writePcap writes a capture to dir/NAME.pcap, creating dir if need be, and returns the
// file's path as the user wrote dir. The file is the CLI's business; tools only encodes.
func (g *globals) writePcap(dir string, c *tools.Capture) (string, error) {
	path := filepath.Join(dir, c.Name+".pcap")
	if err := os.MkdirAll(g.path(dir), 0o755); err != nil {
		return "", g.unpath(err)
	}
	f, err := os.Create(g.path(path))
	if err != nil {
		return "", g.unpath(err)
	}
	err = c.WritePcap(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, g.unpath(err)
}

// probe runs one probing command: load, resolve FROM and TO, run, print captures and
// explanations. run reports whether the answer was positive (exit 0) or not (exit 1).
func (g *globals) probe(pf *probeFlags, names [2]string, from, to string, run func(*tools.Sim, tools.Endpoint, tools.Endpoint) bool) error {
	s, err := g.session(pf)
	if err != nil {
		return err
	}
	src, dst, err := s.endpoints(from, to, names)
	if err != nil {
		return err
	}
	ok := run(s.sim, src, dst)
	if err := s.finish(); err != nil {
		return err
	}
	if !ok {
		return negative
	}
	return nil
}

func newPing(g *globals) *cobra.Command {
	var o tools.PingOptions
	var ttl uint8
	var interval float64
	pf := &probeFlags{}
	c := &cobra.Command{
		Use:   "ping [flags] FROM DEST",
		Short: "Send ICMP echo requests, as iputils ping prints them",
		Long: `Send ICMP echo requests from FROM to DEST through the simulated network and print what
iputils ping would: a line per reply with the TTL it arrived with, then the statistics.
Replies cross NAT gateways (each takes one off the TTL) but not the VPC router.
Why each lost packet was dropped is printed on stderr.

` + endpointsHelp + `

Exit status: 0 if any reply came, 1 if none, 2 on bad input.`,
		Example: `  vpclab ping -t examples/east-west-nat/lab.yaml -c 3 source destination
  vpclab ping -t lab.yaml source 10.0.2.149          # a NAT gateway answers nothing
  vpclab ping -t lab.yaml vpn-0abc:192.168.1.5 web-1  # from on-premises, over a VPN
  vpclab ping -t lab.yaml web-1 corp-dx:172.16.5.5    # to on-premises, over a DX gateway`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Count < 1 {
				return badInput("-c %d: the count must be at least 1", o.Count)
			}
			if o.Size < 0 || o.Size > 65507 {
				return badInput("-s %d: the size must be 0..65507 bytes", o.Size)
			}
			if interval <= 0 {
				return badInput("-i %g: the interval must be positive", interval)
			}
			o.Interval = time.Duration(interval * float64(time.Second))
			o.TTL = ttl
			return g.probe(pf, argNames, args[0], args[1], func(s *tools.Sim, src, dst tools.Endpoint) bool {
				return s.Ping(g.stdout, src, dst, o).Received > 0
			})
		},
	}
	c.Flags().IntVarP(&o.Count, "count", "c", 4, "stop after sending this many requests")
	c.Flags().IntVarP(&o.Size, "size", "s", 56, "ICMP payload bytes (above the VPC MTU of 9001 the request leaves in fragments)")
	c.Flags().Float64VarP(&interval, "interval", "i", 1, "seconds between requests (simulated time)")
	c.Flags().Uint8Var(&ttl, "ttl", 0, "initial TTL of the requests (default: the instance's, 255 for Amazon Linux 2)")
	pf.register(c)
	return c
}

func newTraceroute(g *globals) *cobra.Command {
	var o tools.TracerouteOptions
	var icmp, tcp, udp bool
	pf := &probeFlags{}
	c := &cobra.Command{
		Use:   "traceroute [flags] FROM DEST",
		Short: "Probe the path hop by hop, as traceroute(8) prints it",
		Long: `Send probes from FROM to DEST with TTL 1, 2, 3, ... and print who answered, as
traceroute(8) does. The VPC router is not a hop; a NAT gateway is (it answers from its
private IP), and so is an appliance instance. Silent hops print '*'.

` + endpointsHelp + `

Exit status: 0 if the destination answered, 1 if not, 2 on bad input.`,
		Example: `  vpclab traceroute -t examples/east-west-nat/lab.yaml source 10.0.1.55
  vpclab traceroute -t lab.yaml -n -T -p 443 db internet:198.51.100.80
  vpclab traceroute -t lab.yaml -n tgw-attach-0abc:192.168.1.5 web-1`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, b := range []bool{icmp, tcp, udp} {
				if b {
					n++
				}
			}
			if n > 1 {
				return badInput("-I, -T and -U choose one probe method; give one of them")
			}
			switch {
			case icmp:
				o.Method = tools.MethodICMP
			case tcp:
				o.Method = tools.MethodTCP
			default:
				o.Method = tools.MethodUDP
			}
			if o.MaxHops < 1 || o.MaxHops > 255 {
				return badInput("-m %d: max hops must be 1..255", o.MaxHops)
			}
			if o.Queries < 1 || o.Queries > 10 {
				return badInput("-q %d: probes per hop must be 1..10", o.Queries)
			}
			if o.Port < 0 || o.Port > 65535 {
				return badInput("-p %d: not a port (0..65535)", o.Port)
			}
			return g.probe(pf, argNames, args[0], args[1], func(s *tools.Sim, src, dst tools.Endpoint) bool {
				return s.Traceroute(g.stdout, src, dst, o).Reached
			})
		},
	}
	f := c.Flags()
	f.BoolVarP(&o.Numeric, "numeric", "n", false, "print addresses only (no 'name (address)')")
	f.BoolVarP(&icmp, "icmp", "I", false, "probe with ICMP echo")
	f.BoolVarP(&tcp, "tcp", "T", false, "probe with TCP SYN (port 80 unless -p)")
	f.BoolVarP(&udp, "udp", "U", false, "probe with UDP (the default; ports from 33434 unless -p)")
	f.IntVarP(&o.Port, "port", "p", 0, "destination port (UDP: the first, incremented per probe)")
	f.IntVarP(&o.MaxHops, "max-hops", "m", 30, "largest TTL to probe with")
	f.IntVarP(&o.Queries, "queries", "q", 3, "probes per hop")
	pf.register(c)
	return c
}

func newValidate(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check a topology against AWS's rules and list every problem",
		Long: `Load a topology and report every error and warning at once, each with its file and
line (YAML) or file and JSON path (describe-* snapshots), then summarise what it holds.

Exit status: 0 when there are no errors (warnings allowed), 2 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.topology == "" {
				return badInput("no topology: pass -t PATH")
			}
			t, probs := g.loadTopology(g.topology)
			if probs.HasErrors() {
				return &exitError{code: ExitBadInput, msg: problemsText("the topology", probs)}
			}
			_, warns := g.compileTopology(t)
			for _, p := range append(probs, warns...) {
				fmt.Fprintln(g.stdout, p.String())
			}
			fmt.Fprintf(g.stdout, "%s: %d VPC(s), %d subnet(s), %d route table(s), %d instance(s), %d network interface(s), %d NAT gateway(s)%s; no errors\n",
				g.topology, len(t.VPCs), len(t.Subnets), len(t.RouteTables), len(t.Instances), len(t.NetworkInterfaces), len(t.NATGateways), joins(t))
			return nil
		},
	}
}

// joins summarises what joins the VPCs of t, when anything does: peerings, transit gateways
// and their attachments, Direct Connect gateways.
func joins(t *model.Topology) string {
	var b strings.Builder
	if n := len(t.Peerings); n > 0 {
		fmt.Fprintf(&b, ", %d VPC peering connection(s)", n)
	}
	if n := len(t.TransitGateways); n > 0 {
		fmt.Fprintf(&b, ", %d transit gateway(s) with %d attachment(s)", n, len(t.TGWAttachments))
	}
	if n := len(t.DXGateways); n > 0 {
		fmt.Fprintf(&b, ", %d Direct Connect gateway(s)", n)
	}
	return b.String()
}
