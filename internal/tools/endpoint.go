package tools

import (
	"fmt"
	"net/netip"
	"slices"
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
	// The endpoints below are a host at an address beyond (or, for a subnet, inside) one
	// resource, named "RESOURCE:IP" (beyond.go); Endpoint.Resource is the resource's ID.

	// EndpointTGWAttachment: a host beyond a transit gateway attachment: on-premises past a
	// VPN or DX gateway attachment, in the VPC of a VPC attachment, past a peering attachment.
	EndpointTGWAttachment
	// EndpointVPNConnection: a host beyond a Site-to-Site VPN, on a VGW or a transit gateway.
	EndpointVPNConnection
	// EndpointDXGateway: a host on-premises beyond a Direct Connect gateway.
	EndpointDXGateway
	// EndpointPeering: a host on the far side of a VPC peering connection.
	EndpointPeering
	// EndpointInternetGateway: a host on the internet, whose packets come through one
	// internet gateway.
	EndpointInternetGateway
	// EndpointSubnet: any address, appearing in a subnet from no interface of the topology (a
	// spoofed source, or a host vpclab does not know). A source only.
	EndpointSubnet
	// EndpointVPCEndpoint: the AWS service (S3, DynamoDB) behind a gateway VPC endpoint, at an
	// address of its prefix list; it answers through the endpoint (§7.4.7).
	EndpointVPCEndpoint
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
	// Resource is the ID of the attachment, VPN connection, DX gateway, peering connection,
	// internet gateway or subnet an endpoint of those kinds is beyond (or in).
	Resource string
	// Ports are the only TCP ports an AWS service answers on (AnswerFrom); nil for a host,
	// whose services the tool's probe says. A pointer to the list the topology holds, so that
	// endpoints stay comparable.
	Ports *[]uint16
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
	if k, ok := resourceLocations[ep.Kind]; ok {
		return engine.Location{Kind: k, ID: ep.Resource}
	}
	return engine.Location{} // an address sends nothing (CanSend); the engine drops what enters here
}

// resourceLocations is where packets from an endpoint beyond a resource enter.
var resourceLocations = map[EndpointKind]engine.LocationKind{
	EndpointTGWAttachment:   engine.FromTGWAttachment,
	EndpointVPNConnection:   engine.FromVPNConnection,
	EndpointDXGateway:       engine.FromDXGateway,
	EndpointPeering:         engine.FromPeering,
	EndpointInternetGateway: engine.FromInternetGateway,
	EndpointSubnet:          engine.FromSubnet,
	EndpointVPCEndpoint:     engine.FromVPCEndpoint,
}

// CanSend reports whether packets can start at the endpoint.
func (ep Endpoint) CanSend() bool { return ep.Kind != EndpointAddress }

// CanReceive reports whether packets can be addressed to the endpoint: not to a subnet, where
// only spoofed packets start.
func (ep Endpoint) CanReceive() bool { return ep.Kind != EndpointSubnet }

// EndpointError is a FROM or TO that names nothing in the topology, or names it wrongly.
type EndpointError struct {
	Arg string
	Why string
	// Kind and Name are set when Arg names a resource of a kind the topology holds none of by
	// that ID or name ("transit gateway attachment", "tgw-attach-nope"), and Known lists those
	// it does hold. Missing words it for a frontend that knows where the topology came from.
	Kind, Name string
	Known      []string
}

func (e *EndpointError) Error() string {
	why := e.Why
	if e.Kind != "" {
		why = e.Missing("the topology")
	}
	return fmt.Sprintf("endpoint %q: %s", e.Arg, why)
}

// Missing says that the topology, named by where ("lab.yaml"), has no such resource, and
// which of its kind it has.
func (e *EndpointError) Missing(where string) string {
	s := fmt.Sprintf("no %s %s in %s", e.Kind, e.Name, where)
	if len(e.Known) == 0 {
		return s + fmt.Sprintf(" (it has no %ss)", e.Kind)
	}
	return s + fmt.Sprintf(" (%ss: %s)", e.Kind, strings.Join(e.Known, ", "))
}

// Resolve turns a FROM/TO argument into an endpoint. Accepted: an instance ID or Name tag, an
// ENI ID or Name, a private IP (the ENI holding it), a NAT gateway ID or Name (its private IP,
// as a destination), "internet" or "internet:IP" or a declared internet host's name, a VGW
// "vgw-..." or "vgw-...:IP" or a declared on-premises host's name, a host beyond a transit
// gateway attachment, VPN connection, Direct Connect gateway, peering connection or internet
// gateway, or in a subnet, as "RESOURCE:IP" (beyond.go), or any IP address.
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
			var known []string
			for _, g := range t.VPNGateways {
				known = append(known, resource{id: string(g.ID), name: g.Name}.label())
			}
			return Endpoint{}, &EndpointError{Arg: arg, Kind: "VPN gateway", Name: name, Known: known}
		}
		if !ip.IsValid() {
			ip = s.firstOnPremHost(g.ID)
			if !ip.IsValid() {
				return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%s knows no network to pick a host from; name one as %s:IP", g.ID, g.ID)}
			}
		}
		return Endpoint{Kind: EndpointOnPrem, VGW: g.ID, IP: ip, Label: ip.String(), TTL: externalTTL}, nil
	}
	if hasIP {
		if kind, found := s.resources(name); kind != 0 || len(found) > 0 {
			return s.resolveBeyond(arg, name, ip, kind, found)
		}
		if err := s.transitGatewaySource(arg, name); err != nil {
			return Endpoint{}, err
		}
		return Endpoint{}, &EndpointError{Arg: arg, Why: "only internet, a VPN gateway, a transit gateway attachment, a VPN connection, a Direct Connect gateway, a peering connection, an internet gateway or a subnet take an address after a colon"}
	}
	if a, err := netip.ParseAddr(arg); err == nil {
		return s.addressEndpoint(a, arg)
	}
	var found []Endpoint
	for _, n := range s.named(arg) {
		switch {
		case n.in != nil:
			if len(n.in.ENIs) == 0 {
				return Endpoint{}, &EndpointError{Arg: arg, Why: "the instance has no network interface"}
			}
			found = append(found, s.ENIEndpoint(n.in.ENIs[0], arg))
		case n.eni != nil && n.eni.Type == model.InterfaceTypeNATGateway:
			found = append(found, Endpoint{Kind: EndpointAddress, IP: n.eni.PrimaryIP(), Label: arg})
		case n.eni != nil:
			found = append(found, s.ENIEndpoint(n.eni.ID, arg))
		case n.nat != nil:
			found = append(found, Endpoint{Kind: EndpointAddress, IP: n.nat.Addresses[0].PrivateIP, Label: arg})
		case n.onPrem != nil:
			ep := s.onPremEndpoint(n.onPrem, n.host.IP, arg)
			ep.TTL = ttlOr(n.host.InitialTTL)
			found = append(found, ep)
		case n.host != nil:
			found = append(found, s.InternetEndpoint(n.host.IP, arg))
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if kind, res := s.resources(name); len(res) > 0 || isID(name, kind) {
			return s.resolveBeyond(arg, name, netip.Addr{}, kind, res) // names one (or an ID of one), without an address
		}
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
	if o := s.onPremOf(a); o != nil {
		return s.onPremEndpoint(o, a, arg), nil
	}
	for _, c := range s.Net.Topology.VPNConnections {
		for _, p := range c.StaticRoutes {
			if p.Contains(a) {
				return s.vpnEndpoint(c, a, arg), nil
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

// transitGatewaySource explains a source written as a transit gateway: a packet enters one
// through an attachment, so it names the gateway's attachments, or says the gateway is not in
// the topology. It returns nil when name is not written as a transit gateway.
func (s *Sim) transitGatewaySource(arg, name string) error {
	t := s.Net.Topology
	var g *model.TransitGateway
	for _, x := range t.TransitGateways {
		if string(x.ID) == name || x.Name == name {
			g = x
		}
	}
	if g == nil {
		if !strings.HasPrefix(name, "tgw-") || strings.HasPrefix(name, "tgw-attach-") || strings.HasPrefix(name, "tgw-rtb-") {
			return nil
		}
		var known []string
		for _, x := range t.TransitGateways {
			known = append(known, resource{id: string(x.ID), name: x.Name}.label())
		}
		return &EndpointError{Arg: arg, Kind: "transit gateway", Name: name, Known: known}
	}
	var atts []string
	for _, a := range t.TGWAttachments {
		if a.TransitGateway == g.ID {
			atts = append(atts, resource{id: string(a.ID), name: a.Name}.label())
		}
	}
	return &EndpointError{Arg: arg, Why: fmt.Sprintf("a packet enters transit gateway %s through one of its attachments: name the attachment as ATTACHMENT:IP (%s)",
		resource{id: string(g.ID), name: g.Name}.label(), strings.Join(atts, ", "))}
}

// namedThing is something an endpoint argument can name by its ID or Name: an instance, a
// network interface, a NAT gateway, or a declared host on the internet (host alone) or
// on-premises (host and its network).
type namedThing struct {
	in     *model.Instance
	eni    *model.NetworkInterface
	nat    *model.NATGateway
	host   *model.ExternalHost
	onPrem *model.OnPremNetwork
}

// Names is Resolve's index of what endpoint arguments name by ID or Name tag. Once built it
// is only read: simulations of the same network may share one (UseNames), as the questions
// a resident answers from one loaded estate do.
type Names struct{ ix map[string][]namedThing }

// IndexNames indexes the names of n's topology.
func IndexNames(n *engine.Network) *Names {
	ix := map[string][]namedThing{}
	eachNamed(n.Topology, func(x namedThing, keys ...string) {
		for i, k := range keys {
			if k == "" || slices.Contains(keys[:i], k) {
				continue // one entry per thing, however many of its keys are equal
			}
			ix[k] = append(ix[k], x)
		}
	})
	return &Names{ix: ix}
}

// scanNames lists what arg names by walking the topology: what IndexNames(n).ix[arg] holds,
// in the same order, without building the index.
func scanNames(t *model.Topology, arg string) []namedThing {
	var out []namedThing
	eachNamed(t, func(x namedThing, keys ...string) {
		if slices.Contains(keys, arg) {
			out = append(out, x)
		}
	})
	return out
}

// eachNamed calls f for everything an endpoint argument can name, with its keys (ID, Name
// tag), in the order Resolve looks: instances, interfaces, NAT gateways with an address,
// internet hosts, on-premises hosts.
func eachNamed(t *model.Topology, f func(x namedThing, keys ...string)) {
	for _, in := range t.Instances {
		f(namedThing{in: in}, string(in.ID), in.Name)
	}
	for _, e := range t.NetworkInterfaces {
		f(namedThing{eni: e}, string(e.ID), e.Name)
	}
	for _, n := range t.NATGateways {
		if len(n.Addresses) > 0 {
			f(namedThing{nat: n}, string(n.ID), n.Name)
		}
	}
	for _, h := range t.InternetHosts {
		f(namedThing{host: h}, h.Name)
	}
	for _, o := range t.OnPremises {
		for _, h := range o.Hosts {
			f(namedThing{host: h, onPrem: o}, h.Name)
		}
	}
}

// scanLimit is how many names a simulation looks up by walking the topology before it
// indexes them: a trace resolves two names, and indexing the 800,000 names of a 4,000-VPC
// estate would cost seconds where two walks cost milliseconds; check's thousand intents
// pay for the index once.
const scanLimit = 4

// UseNames makes s resolve names through x, an index of the same network, instead of
// building its own. It must be called before s resolves anything.
func (s *Sim) UseNames(x *Names) { s.nameOnce.Do(func() { s.names = x }) }

// named lists what arg names, in the order Resolve has always looked (instances, interfaces,
// NAT gateways, internet hosts, on-premises hosts). The first few names are found by walking
// the topology; the index is built after scanLimit of them, so that resolving a thousand
// intents on a large estate does not walk it a thousand times.
func (s *Sim) named(arg string) []namedThing {
	if s.names == nil && s.scans < scanLimit {
		s.scans++
		return scanNames(s.Net.Topology, arg)
	}
	s.nameOnce.Do(func() { s.names = IndexNames(s.Net) })
	return s.names.ix[arg]
}
