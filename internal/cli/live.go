package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/live"
)

// Live mode: up, exec, status, down, and the hidden dataplane command up re-executes.

func newLiveCommands(g *globals) []*cobra.Command {
	return []*cobra.Command{newUp(g), newExec(g), newStatus(g), newDown(g), newDataplane(g), newGWLBHandler(g)}
}

const defaultLab = "lab"

func liveError(err error) error {
	if err == nil {
		return nil
	}
	return badInput("%v", err)
}

func newUp(g *globals) *cobra.Command {
	o := live.UpOptions{Name: defaultLab}
	c := &cobra.Command{
		Use:   "up -t TOPOLOGY [--name LAB] [--foreground]",
		Short: "Run a topology with real packets: namespaces for instances and hosts",
		Long: `Turn a topology into Linux network namespaces and carry every packet between them
through vpclab's engine, so that real ping, traceroute, tcpdump, curl and iperf3 see what
AWS would do.

Every instance gets a namespace vpclab-LAB-NAME with an eth0 holding its MAC, private IPs
(MTU 9001), a default route to its subnet's router (base+1) and its initial TTL. Hosts the
lab declares on the internet (internet_hosts) and beyond a VPN gateway (on_premises hosts)
get one too. One dataplane process owns a TAP device per network interface (veth pairs
read with AF_PACKET where TAP is unavailable) and applies security groups, NACLs, routes,
NAT and internet gateways, VGWs and connection tracking to every frame.

up returns once the lab answers; the dataplane runs on in the background and logs to
/run/vpclab/LAB/dataplane.log. With --foreground it stays attached, logs to stderr, and
Ctrl-C removes the lab. A lab whose dataplane died is removed by the next up or down of
the same name. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN). The log explains every
dropped packet (at most 50 lines a second); with VPCLAB_TRACE=1 in up's environment it
lists every packet and what became of it.

Exit status: 0 when the lab is up (foreground: when it was stopped), 2 when it cannot start.`,
		Example: `  sudo vpclab up -t examples/east-west-nat/lab.yaml --name seed0
  sudo vpclab exec --name seed0 source -- traceroute -n 10.0.1.55
  sudo vpclab exec --name seed0 destination -- tcpdump -n -i eth0
  sudo vpclab down --name seed0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := live.CheckPrivileges(); err != nil {
				return badInput("%v", err)
			}
			if err := live.CheckName(o.Name); err != nil {
				return badInput("--name: %v", err)
			}
			switch o.Link {
			case "auto":
				o.Link = live.LinkAuto
			case live.LinkTAP, live.LinkVeth:
			default:
				return badInput("--link %q: use auto, tap or veth", o.Link)
			}
			n, err := g.load()
			if err != nil {
				return err
			}
			o.Logf = func(format string, args ...any) { fmt.Fprintf(g.stderr, "vpclab: "+format+"\n", args...) }
			o.OnReady = func(m *live.Manifest) { printUp(g, m, o.Foreground) }
			ctx := cmd.Context()
			if o.Foreground {
				var stop context.CancelFunc
				ctx, stop = signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
				defer stop()
			}
			if _, err := live.Up(ctx, n, g.topology, o); err != nil {
				return liveError(err)
			}
			if o.Foreground {
				fmt.Fprintf(g.stdout, "lab %s is down\n", o.Name)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Name, "name", defaultLab, "the lab's name: namespaces are vpclab-NAME-INSTANCE")
	f.BoolVar(&o.Foreground, "foreground", false, "run the dataplane in this process, log to stderr; Ctrl-C removes the lab")
	f.StringVar(&o.Link, "link", "auto", "how namespaces connect to the dataplane: auto, tap, or veth (veth pairs and AF_PACKET)")
	return c
}

func printUp(g *globals, m *live.Manifest, foreground bool) {
	w := g.stdout
	fmt.Fprintf(w, "lab %s is up: %s, %s devices\n", m.Lab, m.Topology, m.Link)
	writeNodes(w, m)
	if foreground {
		fmt.Fprintf(w, "the dataplane runs in this process (pid %d); Ctrl-C removes the lab\n", m.PID)
	} else {
		fmt.Fprintf(w, "dataplane pid %d, log %s\n", m.PID, live.LogPath(m.Lab))
	}
	if len(m.Plan.Nodes) > 0 {
		fmt.Fprintf(w, "try:  vpclab exec --name %s %s -- ip addr\nstop: vpclab down --name %s\n", m.Lab, m.Plan.Nodes[0].Name, m.Lab)
	}
}

// writeNodes prints a lab's namespaces, one line per device.
func writeNodes(w interface{ Write([]byte) (int, error) }, m *live.Manifest) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tKIND\tNAMESPACE\tDEVICE\tMAC\tADDRESSES")
	for _, n := range m.Plan.Nodes {
		kind := n.Kind
		if n.Forward {
			kind += ", routes" // an appliance: its kernel forwards what routes send it
		}
		for _, p := range n.Ports {
			var addrs []string
			for _, a := range p.Addrs {
				addrs = append(addrs, a.String())
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", n.Name, kind, n.Namespace, p.Device, p.MAC, strings.Join(addrs, " "))
		}
	}
	tw.Flush()
}

func newExec(g *globals) *cobra.Command {
	var name string
	c := &cobra.Command{
		Use:   "exec [--name LAB] NAME [-- COMMAND [ARG...]]",
		Short: "Run a command inside an instance's or host's namespace of a running lab",
		Long: `Run COMMAND inside the network namespace of an instance (its Name tag or ID) or a
declared host of a lab that 'vpclab up' started. The command sees the instance's eth0 and
nothing else of the network; the rest of the machine (files, processes) is shared.
Without a command, a shell ($SHELL, else /bin/sh). Without --name, the only lab that is up
is meant.

Exit status: the command's own, or 2 when it cannot be started.`,
		Example: `  vpclab exec source -- ping -c 3 10.0.1.55
  vpclab exec --name seed1 database-server -- curl -s http://198.51.100.80/
  vpclab exec destination -- tcpdump -n -i eth0 icmp`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			argv := args[1:]
			if len(argv) > 0 && argv[0] == "--" {
				argv = argv[1:]
			}
			if len(argv) == 0 {
				argv = []string{os.Getenv("SHELL")}
				if argv[0] == "" {
					argv[0] = "/bin/sh"
				}
			}
			lab, err := live.ResolveLab(name)
			if err != nil {
				return badInput("%v", err)
			}
			code, err := live.Exec(lab, args[0], argv, cmd.InOrStdin(), g.stdout, g.stderr)
			if err != nil {
				return badInput("%v", err)
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "the lab (default: the only lab that is up)")
	c.Flags().SetInterspersed(false) // everything after NAME belongs to the command
	return c
}

func newStatus(g *globals) *cobra.Command {
	var name string
	c := &cobra.Command{
		Use:   "status [--name LAB]",
		Short: "List the labs that are up, their instances, hosts and addresses",
		Long: `List every lab 'vpclab up' started: whether its dataplane runs, its process and log,
and each instance's and host's namespace, device, MAC and addresses. A lab marked
'stopped' lost its dataplane; 'vpclab down' or the next 'vpclab up' of the name removes it.

Exit status: 0, or 2 when --name names no lab.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var ms []*live.Manifest
			if name != "" {
				m, err := live.ReadManifest(name)
				if err != nil {
					return badInput("%v", err)
				}
				ms = append(ms, m)
			} else {
				var err error
				if ms, err = live.Status(); err != nil {
					return badInput("%v", err)
				}
			}
			if len(ms) == 0 {
				fmt.Fprintln(g.stdout, "no lab is up; start one with 'vpclab up -t TOPOLOGY'")
				return nil
			}
			for i, m := range ms {
				if i > 0 {
					fmt.Fprintln(g.stdout)
				}
				state := "stopped (the dataplane is gone: 'vpclab down --name " + m.Lab + "' removes the rest)"
				switch {
				case m.Running():
					state = fmt.Sprintf("up, dataplane pid %d", m.PID)
				case !m.Ready:
					state = "starting (or its 'vpclab up' was interrupted: 'vpclab down --name " + m.Lab + "' removes it)"
				}
				fmt.Fprintf(g.stdout, "lab %s: %s\n  topology %s, %s devices, since %s\n  log %s\n",
					m.Lab, state, m.Topology, m.Link, m.Started.Format("2006-01-02 15:04:05 UTC"), live.LogPath(m.Lab))
				writeNodes(g.stdout, m)
			}
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "show only this lab")
	return c
}

func newDown(g *globals) *cobra.Command {
	var name string
	c := &cobra.Command{
		Use:   "down [--name LAB]",
		Short: "Stop a lab's dataplane and remove every namespace and device it made",
		Long: `Stop the dataplane of a lab and remove the namespaces its manifest lists, and with
them every device of the lab; processes still running inside them are killed. Nothing
else is touched. Works on a lab whose dataplane crashed or was killed, too.
Without --name, the only lab there is is meant.

Exit status: 0 when the lab is gone, 2 when there is no such lab or removal failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := live.CheckPrivileges(); err != nil {
				return badInput("%v", err)
			}
			lab, err := live.ResolveLab(name)
			if err != nil {
				return badInput("%v", err)
			}
			if err := live.Down(lab); err != nil {
				return badInput("%v", err)
			}
			fmt.Fprintf(g.stdout, "lab %s is down\n", lab)
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "the lab (default: the only one)")
	return c
}

// newDataplane is the background dataplane 'vpclab up' starts; people do not run it.
func newDataplane(g *globals) *cobra.Command {
	var name string
	c := &cobra.Command{
		Use:    "dataplane --name LAB",
		Short:  "The background dataplane of a lab (started by 'vpclab up')",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if err := live.ServeDataplane(ctx, name); err != nil {
				return &exitError{code: ExitNegative, msg: err.Error()}
			}
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "the lab")
	return c
}
