package cli

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/live"
)

func newGWLBHandler(g *globals) *cobra.Command {
	var o live.HandlerOptions
	var verbose bool
	c := &cobra.Command{
		Use:   "gwlb-handler [--device gwlb0] [--listen 0.0.0.0:6081] [--decrement-ttl]",
		Short: "Be a Gateway Load Balancer target: decapsulate GENEVE so this namespace's kernel filters it",
		Long: `Run the appliance side of a Gateway Load Balancer inside a target's network namespace,
as AWS's tunnel handler does on a real appliance (§13.9 of the semantics reference).

The GWLB sends every packet of the flows it balances to its target inside GENEVE on UDP
6081, with AWS's options (class 0x0108: the endpoint ID, the attachment ID and a flow
cookie). The handler takes each one out of its tunnel and writes it into a TUN device
(gwlb0), where this namespace's kernel forwards it: iptables and nftables rules in the
FORWARD chain decide, and tcpdump -i gwlb0 shows the original packets. What the kernel
forwards back out of gwlb0 goes back to the GWLB in the tunnel its flow came in, so a
packet the rules drop never comes back and the GWLB forwards nothing.

The handler turns forwarding on, reverse-path filtering and redirects off, and routes what
arrives on gwlb0 back into it (table 6081). The appliance is a bump in the wire, as the
simulation's default appliance is: the handler raises each packet's TTL by one before the
kernel's forwarding lowers it again; --decrement-ttl keeps the router's behaviour.

Run it in a lab's target with 'vpclab exec'. It runs until interrupted.

Exit status: 0 when interrupted, 2 when it cannot start (not root, no /dev/net/tun, port
6081 taken).`,
		Example: `  sudo vpclab exec --name gwlb appliance-a -- vpclab gwlb-handler &
  sudo vpclab exec --name gwlb appliance-a -- iptables -A FORWARD -p tcp --dport 22 -j DROP
  sudo vpclab exec --name gwlb appliance-a -- tcpdump -n -i gwlb0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if verbose {
				o.Log = g.stderr
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			h, err := live.StartHandler(ctx, o)
			if err != nil {
				return badInput("gwlb-handler: %v", err)
			}
			fmt.Fprintf(g.stderr, "gwlb-handler: GENEVE on %s into %s; Ctrl-C stops\n", o.Listen, o.Device)
			<-ctx.Done()
			h.Close()
			fmt.Fprintf(g.stderr, "gwlb-handler: %d packets in, %d back, %d flows, %d malformed, %d of no flow\n",
				h.Stats.In.Load(), h.Stats.Out.Load(), h.Stats.Flows.Load(), h.Stats.Malformed.Load(), h.Stats.Unknown.Load())
			return nil
		},
	}
	c.Flags().StringVar(&o.Device, "device", "gwlb0", "the TUN device the handler writes decapsulated packets into")
	c.Flags().StringVar(&o.Listen, "listen", "0.0.0.0:6081", "the UDP address GENEVE arrives on")
	c.Flags().BoolVar(&o.DecrementTTL, "decrement-ttl", false, "let the kernel lower the TTL, as a router does (default: a bump in the wire)")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each new flow and each packet of no flow")
	return c
}
