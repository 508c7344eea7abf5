package tools

import (
	"bytes"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools/toolstest"
	"github.com/vpclab/vpclab/internal/topology"
)

func transitSim(t *testing.T) *Sim {
	t.Helper()
	n, warns := engine.Compile(toolstest.Transit())
	if len(warns) > 0 {
		t.Fatalf("compile: %v", warns)
	}
	return NewSim(n, 1)
}

// RESOURCE:IP names a host beyond a resource by its ID or Name tag, and the endpoint enters
// where the engine's location for that resource says.
func TestResolveBeyond(t *testing.T) {
	s := transitSim(t)
	cases := []struct {
		arg  string
		want engine.Location
		ip   string
	}{
		{"tgw-attach-0vpn:192.168.1.5", engine.Location{Kind: engine.FromTGWAttachment, ID: toolstest.AttachVPN}, "192.168.1.5"},
		{"dc-vpn:192.168.9.9", engine.Location{Kind: engine.FromTGWAttachment, ID: toolstest.AttachVPN}, "192.168.9.9"},
		{"to-a:10.1.1.77", engine.Location{Kind: engine.FromTGWAttachment, ID: toolstest.AttachA}, "10.1.1.77"},
		{"vpn-01:192.168.1.5", engine.Location{Kind: engine.FromVPNConnection, ID: toolstest.VPN}, "192.168.1.5"},
		{"dc-link:8.8.8.8", engine.Location{Kind: engine.FromVPNConnection, ID: toolstest.VPN}, "8.8.8.8"}, // outside every VPC
		{toolstest.DXGateway + ":172.16.5.5", engine.Location{Kind: engine.FromDXGateway, ID: toolstest.DXGateway}, "172.16.5.5"},
		{"corp-dx:172.16.5.5", engine.Location{Kind: engine.FromDXGateway, ID: toolstest.DXGateway}, "172.16.5.5"},
		{"pcx-0bc:10.3.0.5", engine.Location{Kind: engine.FromPeering, ID: toolstest.Peering}, "10.3.0.5"},
		{"b-to-c:10.1.1.10", engine.Location{Kind: engine.FromPeering, ID: toolstest.Peering}, "10.1.1.10"},
		{"igw-0a:203.0.113.7", engine.Location{Kind: engine.FromInternetGateway, ID: toolstest.IGW}, "203.0.113.7"},
		{"a-igw:203.0.113.7", engine.Location{Kind: engine.FromInternetGateway, ID: toolstest.IGW}, "203.0.113.7"},
		{"subnet-0a1:10.1.1.99", engine.Location{Kind: engine.FromSubnet, ID: toolstest.SubnetA}, "10.1.1.99"},
		{"a-app:192.168.1.5", engine.Location{Kind: engine.FromSubnet, ID: toolstest.SubnetA}, "192.168.1.5"}, // any address
		// Declared hosts and addresses on-premises are beyond what their network is reached by.
		{"dc-host", engine.Location{Kind: engine.FromVPNConnection, ID: toolstest.VPN}, toolstest.DCHost},
		{"192.168.7.7", engine.Location{Kind: engine.FromVPNConnection, ID: toolstest.VPN}, "192.168.7.7"},
		{"branch-host", engine.Location{Kind: engine.FromDXGateway, ID: toolstest.DXGateway}, toolstest.BranchHost},
	}
	for _, c := range cases {
		ep, err := s.Resolve(c.arg)
		if err != nil {
			t.Errorf("%s: %v", c.arg, err)
			continue
		}
		if ep.Location() != c.want || ep.IP != netip.MustParseAddr(c.ip) || !ep.CanSend() {
			t.Errorf("%s: enters at %v from %s; want %v from %s", c.arg, ep.Location(), ep.IP, c.want, c.ip)
		}
	}
}

// What cannot be a host beyond a resource is refused with a message naming it.
func TestResolveBeyondErrors(t *testing.T) {
	s := transitSim(t)
	cases := []struct {
		arg     string
		missing bool // the resource does not exist
		want    []string
	}{
		{"tgw-attach-nope:192.168.1.5", true, []string{"no transit gateway attachment tgw-attach-nope in the topology", "dc-vpn (tgw-attach-0vpn)"}},
		{"vpn-nope:192.168.1.5", true, []string{"no VPN connection vpn-nope"}},
		{"00000000-0000-0000-0000-000000000000:172.16.5.5", true, []string{"no Direct Connect gateway 00000000-0000-0000-0000-000000000000", "corp-dx"}},
		{"pcx-nope:10.3.0.5", true, []string{"no VPC peering connection pcx-nope"}},
		{"igw-nope:203.0.113.7", true, []string{"no internet gateway igw-nope"}},
		{"subnet-nope:10.1.1.5", true, []string{"no subnet subnet-nope", "a-app (subnet-0a1)"}},
		{"nothing:10.1.1.5", false, []string{"only internet, a VPN gateway, a transit gateway attachment"}},
		{"subnet-0ff", true, []string{"no subnet subnet-0ff"}},                                   // an ID, without an address
		{"subnet-router", false, []string{"not an instance, network interface", "app-a, app-b"}}, // a name, not an ID

		{"tgw-attach-0vpn", false, []string{"dc-vpn (tgw-attach-0vpn) is a transit gateway attachment", "tgw-attach-0vpn:IP"}},
		{"to-dx", false, []string{"is a transit gateway attachment", "to-dx:IP"}},
		{"subnet-0a1", false, []string{"is a subnet", "any address"}},
		{"tgw-attach-0vpn:10.2.1.10", false, []string{"10.2.1.10 is in a CIDR block of spoke-b (vpc-0b)", "on-premises"}},
		{"corp-dx:10.1.1.10", false, []string{"10.1.1.10 is in a CIDR block of spoke-a (vpc-0a)"}},
		{"igw-0a:10.9.9.9", false, []string{"not an address on the internet"}},
		{"igw-0a:" + toolstest.AppAPublic, false, []string{"public IP of eni-0a1"}},
		{"pcx-0bc:10.3.0.500", false, []string{`"10.3.0.500" is not an IPv4 address`}},
	}
	for _, c := range cases {
		_, err := s.Resolve(c.arg)
		var ee *EndpointError
		if !errors.As(err, &ee) {
			t.Errorf("%s: error %v, want an EndpointError", c.arg, err)
			continue
		}
		if (ee.Kind != "") != c.missing {
			t.Errorf("%s: missing resource %q, want %v", c.arg, ee.Kind, c.missing)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.arg, err, w)
			}
		}
	}
	if ep, _ := s.Resolve("subnet-0a1:10.1.1.99"); ep.CanReceive() {
		t.Error("a subnet endpoint can receive; packets are never addressed to a subnet")
	}
}

// Replies go back to a source beyond a resource as the network routes them: they reach it by
// leaving through the same attachment, VPN, DX gateway or internet gateway toward its
// address, or by delivery in the attachment's VPC. An answer to a peer VPC outside the
// topology, or to an address no interface holds, is dropped where it arrives.
func TestPingFromBeyond(t *testing.T) {
	cases := []struct {
		from, to string
		replies  bool
		code     string // the drop that explains a lost reply
	}{
		{"tgw-attach-0vpn:192.168.1.5", "app-b", true, ""},
		{"vpn-01:192.168.9.9", "app-b", true, ""},
		{"corp-dx:172.16.5.5", "app-a", true, ""},
		{"igw-0a:203.0.113.7", "app-a", true, ""}, // to app-a's public IP
		{"to-a:10.1.1.10", "app-b", true, ""},     // app-a's own address, from its VPC's attachment
		{"pcx-0bc:10.3.0.5", "app-b", true, ""},   // the answer leaves through the peering to the VPC beyond the topology
		{"subnet-0a1:10.1.1.99", "app-b", false, engine.CodeUnknownDestination},
		{"to-a:10.1.1.99", "app-b", false, engine.CodeUnknownDestination},
		// The other way: to hosts beyond the transit gateway's VPN and DX gateway.
		{"app-a", "dc-host", true, ""},
		{"app-b", "branch-host", true, ""},
		{"app-b", "to-dx:172.16.9.9", true, ""},
		{"app-a", "igw-0a:8.8.8.8", true, ""},
	}
	for _, c := range cases {
		s := transitSim(t)
		var drops []string
		s.OnDrop = func(r *engine.Result) { drops = append(drops, r.Code) }
		src, dst := mustResolve(t, s, c.from), mustResolve(t, s, c.to)
		var out bytes.Buffer
		res := s.Ping(&out, src, s.Target(src, dst), PingOptions{Count: 2})
		if got := res.Received == 2; got != c.replies {
			t.Errorf("ping %s -> %s: %d of 2 replies, want replies=%v; drops %v\n%s", c.from, c.to, res.Received, c.replies, drops, out.String())
		}
		if c.code != "" && (len(drops) == 0 || drops[0] != c.code) {
			t.Errorf("ping %s -> %s: drops %v, want %s", c.from, c.to, drops, c.code)
		}
	}
}

// A reply leaving through another gateway than the source's does not reach it, even toward
// its address: a host beyond the VPN is not reached over the DX gateway.
func TestReachesBeyondChecksTheGateway(t *testing.T) {
	s := transitSim(t)
	dc := netip.MustParseAddr(toolstest.DCHost)
	exit := func(kind engine.Kind, id string) engine.End {
		return engine.End{Outcome: engine.Exited, Packet: packet.Packet{Dst: dc},
			Exit: engine.Exit{Gateway: engine.Component{Kind: kind, ID: id}}}
	}
	viaVPN := exit(engine.KindTransitGatewayAttachment, toolstest.AttachVPN)
	viaDX := exit(engine.KindDXGateway, toolstest.DXGateway)
	for _, c := range []struct {
		ep      string
		end     engine.End
		reaches bool
	}{
		{"tgw-attach-0vpn:" + toolstest.DCHost, viaVPN, true},
		{"vpn-01:" + toolstest.DCHost, viaVPN, true},
		{"dc-host", viaVPN, true},
		{"tgw-attach-0vpn:" + toolstest.DCHost, viaDX, false},
		{"corp-dx:" + toolstest.DCHost, viaDX, true},
		{"to-dx:" + toolstest.DCHost, viaDX, true},
		{"corp-dx:" + toolstest.DCHost, viaVPN, false},
		{"pcx-0bc:" + toolstest.DCHost, viaVPN, false},
	} {
		if got := s.Reaches(c.end, mustResolve(t, s, c.ep)); got != c.reaches {
			t.Errorf("%s reached by an exit through %s: %v, want %v", c.ep, c.end.Exit.Gateway.ID, got, c.reaches)
		}
	}
}

// A VPN connection on a VGW, named by its name in a lab: packets enter through the VGW, and
// the answers reach the host when they leave through that VGW. (The lab's private subnet
// sends everything to its NAT gateway; here it routes the data centre to the VGW, and the
// database admits ICMP from it.)
func TestPingFromVPNConnectionOnVGW(t *testing.T) {
	topo, probs := topology.Load(filepath.Join("..", "..", "examples", "nat-to-direct-connect", "lab.yaml"))
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	dc := netip.MustParsePrefix("192.168.1.0/24")
	for _, sg := range topo.SecurityGroups {
		sg.Ingress = append(sg.Ingress, model.SecurityGroupRule{ID: "sgr-onprem", Protocol: model.ProtocolICMP, FromPort: -1, ToPort: -1, CIDR: dc})
	}
	for _, rt := range topo.RouteTables {
		if rt.Name == "private-rt" {
			rt.Routes = append(rt.Routes, model.Route{Destination: dc, Origin: model.OriginCreateRoute, State: model.RouteActive,
				Target: model.Target{Kind: model.TargetVPNGateway, ID: string(topo.VPNGateways[0].ID)}})
		}
	}
	n, _ := engine.Compile(topo)
	s := NewSim(n, 1)
	src := mustResolve(t, s, "direct-connect:192.168.1.10")
	if src.Location().Kind != engine.FromVPNConnection {
		t.Fatalf("direct-connect:192.168.1.10 enters at %v", src.Location())
	}
	var out bytes.Buffer
	if res := s.Ping(&out, src, mustResolve(t, s, "database-server"), PingOptions{Count: 1}); res.Received != 1 {
		t.Errorf("ping from beyond the VPN connection:\n%s", out.String())
	}
}
