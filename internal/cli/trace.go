package cli

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// parseProtocol accepts tcp, udp, icmp, all-lowercase or not, or an IP protocol number.
func parseProtocol(s string) (uint8, error) {
	switch strings.ToLower(s) {
	case "tcp":
		return packet.ProtoTCP, nil
	case "udp":
		return packet.ProtoUDP, nil
	case "icmp":
		return packet.ProtoICMP, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return 0, badInput("--protocol %q: use tcp, udp, icmp or a protocol number 0..255", s)
	}
	return uint8(n), nil
}

func newTrace(g *globals) *cobra.Command {
	var from, to, proto, output, sni, host string
	var port, sport int
	pf := &probeFlags{}
	c := &cobra.Command{
		Use:   "trace --from FROM --to TO [flags]",
		Short: "Follow one packet and its reply hop by hop, explaining every decision",
		Long: `Send one packet from FROM to TO and, if a host receives it, that host's reply. Every
component on the way is listed with the route, security group rule or network ACL rule that
decided, and the header before and after it (NAT gateways and internet gateways rewrite it).

--output json prints the analysis in the shape of EC2's NetworkInsightsAnalysis (AWS
Reachability Analyzer): NetworkPathFound, ForwardPathComponents, ReturnPathComponents and
Explanations with Reachability Analyzer's explanation codes (VPCLAB_ codes where AWS has none).

The packet is TCP to port 80 unless --protocol and --port say otherwise. A protocol number is
taken as written (0 is protocol 0, not a default): TCP and UDP get ports, ICMP an echo
request (--source-port is its identifier), any other protocol a bare packet. A service is
assumed to listen, so a TCP SYN is answered with a SYN-ACK, a UDP datagram with a UDP reply
and a packet of another protocol with a packet in kind.

` + endpointsHelp + `

Exit status: 0 when the path is found both ways, 1 when not, 2 on bad input.`,
		Example: `  vpclab trace -t examples/east-west-nat/lab.yaml --from source --to destination
  vpclab trace -t ./aws_configs --from i-0a128d26e59be60f3 --to internet:8.8.8.8 --output json
  vpclab trace -t lab.yaml --from tgw-attach-0abc:192.168.1.5 --to 10.1.2.3 --protocol icmp
  vpclab trace -t lab.yaml --from dc-vpn:192.168.1.5 --to web-1 --port 443      # by Name tag
  vpclab trace -t lab.yaml --from web-1 --to igw-0abc:203.0.113.7 --port 443
  vpclab trace -t lab.yaml --from subnet-0abc:10.9.9.9 --to db-1 --port 5432    # spoofed source
  vpclab trace -t lab.yaml --from app --to 198.51.100.7 --port 443 --sni www.example.com  # a firewall's domain list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || to == "" {
				return badInput("trace needs --from and --to")
			}
			if output != "text" && output != "json" {
				return badInput("--output %q: use text or json", output)
			}
			p, err := parseProtocol(proto)
			if err != nil {
				return err
			}
			for _, v := range []struct {
				name string
				val  int
			}{{"--port", port}, {"--source-port", sport}} {
				if v.val < 0 || v.val > 65535 {
					return badInput("%s %d: not a port (0..65535)", v.name, v.val)
				}
			}
			// Every protocol number is taken as written; a port only means something where
			// the protocol has ports (ICMP takes --source-port as its echo identifier).
			if p != packet.ProtoTCP && p != packet.ProtoUDP && cmd.Flags().Changed("port") {
				return badInput("--port %d: protocol %s has no ports; leave --port out", port, proto)
			}
			if p != packet.ProtoTCP && p != packet.ProtoUDP && p != packet.ProtoICMP && cmd.Flags().Changed("source-port") {
				return badInput("--source-port %d: protocol %s has no ports; leave --source-port out", sport, proto)
			}
			if (sni != "" || host != "") && p != packet.ProtoTCP {
				return badInput("--sni and --http-host describe a TCP flow (TLS, HTTP); leave them out for protocol %s", proto)
			}
			return g.probe(pf, flagNames, from, to, func(s *tools.Sim, src, dst tools.Endpoint) bool {
				tr := s.Trace(src, dst, tools.TraceOptions{Protocol: p, Port: uint16(port), SourcePort: uint16(sport), SNI: sni, HTTPHost: host})
				if output == "json" {
					enc := json.NewEncoder(g.stdout)
					enc.SetIndent("", "  ")
					_ = enc.Encode(tr.Analysis()) // writes to stdout; a failed write shows there
				} else {
					tr.WriteText(g.stdout)
				}
				return tr.Found
			})
		},
	}
	f := c.Flags()
	f.StringVar(&from, "from", "", "where the packet starts (instance, ENI, private IP, internet[:IP], vgw-...[:IP], RESOURCE:IP)")
	f.StringVar(&to, "to", "", "where it goes (as --from, or any IP address)")
	f.StringVar(&proto, "protocol", "tcp", "tcp, udp, icmp or an IP protocol number")
	f.IntVar(&port, "port", 80, "destination port (TCP, UDP); 0 is port 0")
	f.IntVar(&sport, "source-port", 0, "source port, or ICMP echo identifier (default: an ephemeral port from --seed)")
	f.StringVar(&sni, "sni", "", "TLS server name the flow's ClientHello carries (Network Firewall domain lists, tls.sni rules)")
	f.StringVar(&host, "http-host", "", "HTTP Host the flow's request carries (Network Firewall domain lists, http.host rules)")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	pf.register(c)
	return c
}
