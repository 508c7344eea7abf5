package tools

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

// EndpointKind says what an endpoint is.
type EndpointKind int

const (
	// EndpointENI: an instance or network interface in a VPC.
	EndpointENI EndpointKind = iota + 1
	// EndpointInternet: a host on the internet.
	EndpointInternet
	// EndpointOnPrem: a host beyond a VGW.
	EndpointOnPrem
	// EndpointAddress: any other address; a destination only (a NAT gateway's IP, say).
	EndpointAddress
)

// DefaultInternetHost is the address "internet" stands for when no host is named.
var DefaultInternetHost = netip.MustParseAddr("8.8.8.8")

// Endpoint is a FROM or TO of a command, resolved.
type Endpoint struct {
	Kind  EndpointKind
	ENI   model.ENIID        // EndpointENI
	VGW   model.VPNGatewayID // EndpointOnPrem
	IP    netip.Addr         // the address packets use: the ENI's primary IP, the host's IP
	Label string             // for output: the name the user gave, or the ID
	TTL   uint8              // initial TTL of the host's OS (§6.7)
	// Literal is set when the user named the endpoint by its address: packets go to that
	// address as written, never to a public IP it maps to (Hosts.Target).
	Literal bool
}

// Location is where the endpoint's packets enter the network. It is the one mapping from an
// endpoint to an engine location: the simulated tools, analysis and live mode all use it.
func (ep Endpoint) Location() engine.Location {
	switch ep.Kind {
	case EndpointInternet:
		return engine.AtInternet()
	case EndpointOnPrem:
		return engine.AtVPNGateway(ep.VGW)
	case EndpointENI:
		return engine.AtENI(ep.ENI)
	}
	return engine.Location{} // an address sends nothing (CanSend); the engine drops what enters here
}

// CanSend reports whether packets can start at the endpoint.
func (ep Endpoint) CanSend() bool { return ep.Kind != EndpointAddress }

// EndpointError is a FROM or TO that names nothing in the topology.
type EndpointError struct {
	Arg string
	Why string
}

func (e *EndpointError) Error() string { return fmt.Sprintf("endpoint %q: %s", e.Arg, e.Why) }

// Resolve turns a FROM/TO argument into an endpoint. Accepted: an instance ID or Name tag, an
// ENI ID or Name, a private IP (the ENI holding it), a NAT gateway ID or Name (its private IP,
// as a destination), "internet" or "internet:IP" or a declared internet host's name, a VGW
// "vgw-..." or "vgw-...:IP" or a declared on-premises host's name, or any IP address.
func (s *Sim) Resolve(arg string) (Endpoint, error) {
	t := s.Net.Topology
	name, ipPart, hasIP := strings.Cut(arg, ":")
	var ip netip.Addr
	if hasIP {
		var err error
		if ip, err = netip.ParseAddr(ipPart); err != nil || !ip.Is4() {
			return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%q is not an IPv4 address", ipPart)}
		}
	}
	switch {
	case name == "internet":
		if !ip.IsValid() {
			ip = DefaultInternetHost
			if len(t.InternetHosts) > 0 {
				ip = t.InternetHosts[0].IP
			}
		}
		return s.InternetEndpoint(ip, arg), nil
	case strings.HasPrefix(name, "vgw-") || s.vgwByName(name) != nil:
		g := s.vgwByName(name)
		if g == nil {
			g = t.VPNGateway(model.VPNGatewayID(name))
		}
		if g == nil {
			return Endpoint{}, &EndpointError{Arg: arg, Why: "no such VPN gateway in the topology"}
		}
		if !ip.IsValid() {
			ip = s.firstOnPremHost(g.ID)
			if !ip.IsValid() {
				return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%s knows no network to pick a host from; name one as %s:IP", g.ID, g.ID)}
			}
		}
		return Endpoint{Kind: EndpointOnPrem, VGW: g.ID, IP: ip, Label: ip.String(), TTL: externalTTL}, nil
	case hasIP:
		return Endpoint{}, &EndpointError{Arg: arg, Why: "only internet:IP and vgw-...:IP take an address after a colon"}
	}
	if a, err := netip.ParseAddr(arg); err == nil {
		return s.addressEndpoint(a, arg)
	}
	var found []Endpoint
	for _, in := range t.Instances {
		if string(in.ID) == arg || in.Name == arg {
			if len(in.ENIs) == 0 {
				return Endpoint{}, &EndpointError{Arg: arg, Why: "the instance has no network interface"}
			}
			found = append(found, s.ENIEndpoint(in.ENIs[0], arg))
		}
	}
	for _, e := range t.NetworkInterfaces {
		if string(e.ID) == arg || (e.Name != "" && e.Name == arg) {
			if e.Type == model.InterfaceTypeNATGateway {
				found = append(found, Endpoint{Kind: EndpointAddress, IP: e.PrimaryIP(), Label: arg})
				continue
			}
			found = append(found, s.ENIEndpoint(e.ID, arg))
		}
	}
	for _, n := range t.NATGateways {
		if (string(n.ID) == arg || n.Name == arg) && len(n.Addresses) > 0 {
			found = append(found, Endpoint{Kind: EndpointAddress, IP: n.Addresses[0].PrivateIP, Label: arg})
		}
	}
	for _, h := range t.InternetHosts {
		if h.Name == arg {
			found = append(found, s.InternetEndpoint(h.IP, arg))
		}
	}
	for _, o := range t.OnPremises {
		for _, h := range o.Hosts {
			if h.Name == arg {
				found = append(found, Endpoint{Kind: EndpointOnPrem, VGW: o.VPNGateway, IP: h.IP, Label: arg, TTL: ttlOr(h.InitialTTL)})
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Endpoint{}, &EndpointError{Arg: arg, Why: "not an instance, network interface, NAT gateway, host or IP address in the topology" + s.suggest()}
	}
	return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%d resources have this name; use an ID", len(found))}
}

// addressEndpoint: an IP names the ENI that holds it, a host on-premises when a VGW knows its
// network, a host on the internet when it is public, else just a destination address.
func (s *Sim) addressEndpoint(a netip.Addr, arg string) (Endpoint, error) {
	if !a.Is4() {
		return Endpoint{}, &EndpointError{Arg: arg, Why: "IPv6 is not modelled yet"}
	}
	if id, ok := s.Net.ENIByIP(a); ok {
		if _, isNAT := s.Net.NATGatewayOfENI(id); isNAT {
			return Endpoint{Kind: EndpointAddress, IP: a, Label: arg}, nil
		}
		ep := s.ENIEndpoint(id, arg)
		ep.IP, ep.Literal = a, true
		return ep, nil
	}
	for _, o := range s.Net.Topology.OnPremises {
		for _, c := range o.CIDRs {
			if c.Contains(a) {
				return Endpoint{Kind: EndpointOnPrem, VGW: o.VPNGateway, IP: a, Label: arg, TTL: externalTTL}, nil
			}
		}
	}
	for _, c := range s.Net.Topology.VPNConnections {
		for _, p := range c.StaticRoutes {
			if p.Contains(a) {
				return Endpoint{Kind: EndpointOnPrem, VGW: c.VPNGateway, IP: a, Label: arg, TTL: externalTTL}, nil
			}
		}
	}
	if a.IsGlobalUnicast() && !a.IsPrivate() {
		if _, _, ours := s.Net.PublicMapping(a); !ours {
			return s.InternetEndpoint(a, arg), nil
		}
	}
	return Endpoint{Kind: EndpointAddress, IP: a, Label: arg, Literal: true}, nil
}

func (s *Sim) vgwByName(name string) *model.VPNGateway {
	for _, g := range s.Net.Topology.VPNGateways {
		if g.Name != "" && g.Name == name {
			return g
		}
	}
	return nil
}

func (s *Sim) firstOnPremHost(id model.VPNGatewayID) netip.Addr {
	for _, o := range s.Net.Topology.OnPremises {
		if o.VPNGateway != id {
			continue
		}
		if len(o.Hosts) > 0 {
			return o.Hosts[0].IP
		}
		if len(o.CIDRs) > 0 {
			return o.CIDRs[0].Addr().Next()
		}
	}
	for _, c := range s.Net.Topology.VPNConnections {
		if c.VPNGateway == id && len(c.StaticRoutes) > 0 {
			return c.StaticRoutes[0].Addr().Next()
		}
	}
	return netip.Addr{}
}

// suggest lists a few instance names to help a user who mistyped one.
func (s *Sim) suggest() string {
	var names []string
	for _, in := range s.Net.Topology.Instances {
		if in.Name != "" {
			names = append(names, in.Name)
		} else {
			names = append(names, string(in.ID))
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:8], "...")
	}
	return " (instances: " + strings.Join(names, ", ") + ")"
}
