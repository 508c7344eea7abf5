package tools

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

// Endpoints beyond one resource, as Reachability Analyzer takes them besides instances and
// interfaces: a host past a transit gateway attachment, a Site-to-Site VPN or a Direct
// Connect gateway, on the far side of a VPC peering connection, on the internet through one
// internet gateway, at any address in a subnet (a spoofed source), or the AWS service behind
// a gateway VPC endpoint (§7.4.7). People name one "RESOURCE:IP", RESOURCE an ID or a Name
// tag:
//
//	tgw-attach-0abc:192.168.1.5   vpn-0abc:192.168.1.5   corp-dx:172.16.5.5 (or the DX
//	gateway's UUID)   pcx-0abc:10.3.0.5   igw-0abc:203.0.113.7   subnet-0abc:10.1.1.99
//	vpce-0abc:52.216.1.1
//
// The address is required, and checked where the resource says where it must be: beyond a
// VPN or Direct Connect, on-premises (in a declared on-premises network, or outside every
// VPC); through an internet gateway, a public address that is not the topology's. Any address
// may appear in a subnet, come over a peering or from a VPC or peering attachment: those are
// what-if questions the engine answers (a peering's check, a spoofed source's fate).

// resourceKinds are the kinds of resource an endpoint can be beyond, with the ID prefix that
// marks each (a DX gateway's ID is a bare UUID) and its noun in messages.
var resourceKinds = []struct {
	kind   EndpointKind
	prefix string
	noun   string
}{
	{EndpointTGWAttachment, "tgw-attach-", "transit gateway attachment"},
	{EndpointVPNConnection, "vpn-", "VPN connection"},
	{EndpointDXGateway, "", "Direct Connect gateway"},
	{EndpointPeering, "pcx-", "VPC peering connection"},
	{EndpointInternetGateway, "igw-", "internet gateway"},
	{EndpointSubnet, "subnet-", "subnet"},
	{EndpointVPCEndpoint, "vpce-", "gateway VPC endpoint"},
}

func resourceNoun(k EndpointKind) string {
	for _, r := range resourceKinds {
		if r.kind == k {
			return r.noun
		}
	}
	return "resource"
}

// resource is one resource of the topology an endpoint can be beyond.
type resource struct {
	kind     EndpointKind
	id, name string
}

// label is the resource as messages name it: "to-a (tgw-attach-0a)".
func (r resource) label() string {
	if r.name == "" || r.name == r.id {
		return r.id
	}
	return r.name + " (" + r.id + ")"
}

// allResources lists the topology's resources of the kinds above, in input order.
func (h *Hosts) allResources() []resource {
	t := h.net.Topology
	var out []resource
	add := func(k EndpointKind, id, name string) { out = append(out, resource{k, id, name}) }
	for _, x := range t.TGWAttachments {
		add(EndpointTGWAttachment, string(x.ID), x.Name)
	}
	for _, x := range t.VPNConnections {
		add(EndpointVPNConnection, string(x.ID), x.Name)
	}
	for _, x := range t.DXGateways {
		add(EndpointDXGateway, string(x.ID), x.Name)
	}
	for _, x := range t.Peerings {
		add(EndpointPeering, string(x.ID), x.Name)
	}
	for _, x := range t.InternetGateways {
		add(EndpointInternetGateway, string(x.ID), x.Name)
	}
	for _, x := range t.Subnets {
		add(EndpointSubnet, string(x.ID), x.Name)
	}
	for _, x := range t.VPCEndpoints {
		if x.Type == model.EndpointGateway {
			add(EndpointVPCEndpoint, string(x.ID), x.Name)
		}
	}
	return out
}

// resources finds what name names: kind is the kind its ID's prefix says (0 when it has none
// of those prefixes), found the resources whose ID or Name tag it is.
func (h *Hosts) resources(name string) (kind EndpointKind, found []resource) {
	for _, r := range resourceKinds {
		if r.prefix != "" && strings.HasPrefix(name, r.prefix) || r.prefix == "" && isUUID(name) {
			kind = r.kind
			break
		}
	}
	for _, r := range h.allResources() {
		if r.id == name || r.name != "" && r.name == name {
			found = append(found, r)
		}
	}
	return kind, found
}

// isID reports whether name is shaped like an AWS ID of kind k: its prefix and hexadecimal
// digits (so a mistyped instance named "subnet-router" is not taken for a subnet).
func isID(name string, k EndpointKind) bool {
	for _, r := range resourceKinds {
		if r.kind == k {
			rest, ok := strings.CutPrefix(name, r.prefix)
			return ok && isHex(rest) || r.prefix == "" && isUUID(name)
		}
	}
	return false
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// isUUID reports whether s is a UUID (8-4-4-4-12 hexadecimal digits), as a Direct Connect
// gateway's ID is (§16.1).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !isHex(string(c)):
			return false
		}
	}
	return true
}

// known lists the names (or IDs) of the topology's resources of a kind, for a hint.
func (h *Hosts) known(k EndpointKind) []string {
	var out []string
	for _, r := range h.allResources() {
		if r.kind == k {
			out = append(out, r.label())
		}
	}
	slices.Sort(out)
	if len(out) > 8 {
		out = append(out[:8], "...")
	}
	return out
}

// resolveBeyond makes the endpoint of "RESOURCE:IP": found are the resources RESOURCE names,
// kind the kind its ID's shape says, ip the address (invalid when none was given).
func (h *Hosts) resolveBeyond(arg, name string, ip netip.Addr, kind EndpointKind, found []resource) (Endpoint, error) {
	switch len(found) {
	case 0:
		return Endpoint{}, &EndpointError{Arg: arg, Kind: resourceNoun(kind), Name: name, Known: h.known(kind)}
	case 1:
	default:
		labels := make([]string, len(found))
		for i, r := range found {
			labels[i] = resourceNoun(r.kind) + " " + r.label()
		}
		return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%d resources have this name (%s); use an ID", len(found), strings.Join(labels, ", "))}
	}
	r := found[0]
	noun := resourceNoun(r.kind)
	if !ip.IsValid() {
		what := "the host beyond it"
		switch r.kind {
		case EndpointSubnet:
			what = "the address packets come from (any address)"
		case EndpointInternetGateway:
			what = "the host on the internet"
		case EndpointVPCEndpoint:
			what = "the service's address (in its prefix list)"
		}
		return Endpoint{}, &EndpointError{Arg: arg, Why: fmt.Sprintf("%s is a %s: name %s as %s:IP", r.label(), noun, what, name)}
	}
	if why := h.checkBeyond(r, ip); why != "" {
		return Endpoint{}, &EndpointError{Arg: arg, Why: why}
	}
	ep := Endpoint{Kind: r.kind, Resource: r.id, IP: ip, Label: ip.String(), TTL: h.onPremTTL(ip)}
	switch {
	case r.kind == EndpointInternetGateway || r.kind == EndpointVPCEndpoint:
		ep.TTL = h.InternetEndpoint(ip, "").TTL
	case r.kind == EndpointSubnet || r.kind == EndpointPeering || r.kind == EndpointTGWAttachment && h.attachment(r.id).Type == model.AttachVPC:
		ep.TTL = model.DefaultInitialTTL // a host in a VPC
	}
	return ep, nil
}

// checkBeyond says why ip cannot be the address of a host beyond r, or "".
func (h *Hosts) checkBeyond(r resource, ip netip.Addr) string {
	switch {
	case r.kind == EndpointInternetGateway:
		if !ip.IsGlobalUnicast() || ip.IsPrivate() {
			return fmt.Sprintf("%s is not an address on the internet: packets through an internet gateway come from a public address", ip)
		}
		if eni, _, ours := h.net.PublicMapping(ip); ours {
			return fmt.Sprintf("%s is the public IP of %s in the topology, not a host on the internet", ip, eni)
		}
	case h.onPremises(r):
		if h.onPremOf(ip) != nil {
			return ""
		}
		for _, v := range h.net.Topology.VPCs {
			if slices.ContainsFunc(v.CIDRs, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				return fmt.Sprintf("%s is in a CIDR block of %s: a host beyond %s %s is on-premises; give an on-premises address",
					ip, resource{id: string(v.ID), name: v.Name}.label(), resourceNoun(r.kind), r.label())
			}
		}
	}
	return ""
}

// onPremises reports whether the hosts beyond r are on-premises: r is a VPN connection, a DX
// gateway, or a VPN or DX gateway attachment.
func (h *Hosts) onPremises(r resource) bool {
	switch r.kind {
	case EndpointVPNConnection, EndpointDXGateway:
		return true
	case EndpointTGWAttachment:
		t := h.attachment(r.id).Type
		return t == model.AttachVPN || t == model.AttachDXGateway
	}
	return false
}

// attachment is a transit gateway attachment of the topology, or an empty one.
func (h *Hosts) attachment(id string) *model.TGWAttachment {
	for _, a := range h.net.Topology.TGWAttachments {
		if string(a.ID) == id {
			return a
		}
	}
	return &model.TGWAttachment{}
}

// onPremOf is the declared on-premises network holding a, the most specific, or nil.
func (h *Hosts) onPremOf(a netip.Addr) *model.OnPremNetwork {
	var best *model.OnPremNetwork
	bits := -1
	for _, o := range h.net.Topology.OnPremises {
		for _, c := range o.CIDRs {
			if c.Contains(a) && c.Bits() > bits {
				best, bits = o, c.Bits()
			}
		}
	}
	return best
}

// onPremEndpoint is a host in a declared on-premises network, beyond what the network says
// it is reached through (OnPremises).
func (h *Hosts) onPremEndpoint(o *model.OnPremNetwork, ip netip.Addr, label string) Endpoint {
	ep := OnPremises(h.net.Topology, o)
	ep.IP, ep.Label, ep.TTL = ip, label, h.onPremTTL(ip)
	return ep
}

// OnPremises is where hosts of a declared on-premises network are, as an endpoint without an
// address: beyond a VGW, a VPN connection (on a VGW or a transit gateway), or a virtual
// interface to a VGW or a DX gateway. Live mode maps its on-premises hosts with it.
func OnPremises(t *model.Topology, o *model.OnPremNetwork) Endpoint {
	ep := Endpoint{Kind: EndpointOnPrem, VGW: o.VPNGateway}
	switch {
	case o.VPNConnection != "":
		for _, c := range t.VPNConnections {
			if c.ID == o.VPNConnection {
				if c.TransitGateway == "" {
					return Endpoint{Kind: EndpointOnPrem, VGW: c.VPNGateway}
				}
				return Endpoint{Kind: EndpointVPNConnection, Resource: string(c.ID)}
			}
		}
		ep.Kind, ep.Resource = EndpointVPNConnection, string(o.VPNConnection) // the engine says it is missing
	case o.VirtualInterface != "":
		for _, v := range t.VirtualInterfaces {
			if v.ID != o.VirtualInterface {
				continue
			}
			if v.DXGateway != "" {
				ep.Kind, ep.Resource = EndpointDXGateway, string(v.DXGateway)
			} else {
				ep.VGW = v.VPNGateway
			}
		}
	}
	return ep
}

// vpnEndpoint is a host beyond a Site-to-Site VPN: beyond its VGW (an on-premises endpoint,
// as before transit gateways), or beyond the VPN connection on a transit gateway.
func (h *Hosts) vpnEndpoint(c *model.VPNConnection, ip netip.Addr, label string) Endpoint {
	if c.TransitGateway == "" {
		return Endpoint{Kind: EndpointOnPrem, VGW: c.VPNGateway, IP: ip, Label: label, TTL: h.onPremTTL(ip)}
	}
	return Endpoint{Kind: EndpointVPNConnection, Resource: string(c.ID), IP: ip, Label: label, TTL: h.onPremTTL(ip)}
}

// beyondExit is the gateway a journey must leave through to reach an endpoint beyond a
// resource (the ID of Exit.Gateway), and whether the endpoint can be reached by leaving at
// all: a VPN attachment or connection, a DX gateway (or attachment) and an internet gateway
// are left through; a peering attachment's far side may be reached any way; a subnet, a
// peering connection and a VPC attachment are reached by delivery, not by leaving.
func (h *Hosts) beyondExit(ep Endpoint) (gateway string, anyExit, ok bool) {
	switch ep.Kind {
	case EndpointDXGateway, EndpointInternetGateway, EndpointVPCEndpoint:
		return ep.Resource, false, true
	case EndpointPeering:
		// Toward a peer VPC beyond the topology, the answer leaves through the peering.
		return ep.Resource, false, true
	case EndpointVPNConnection:
		for _, a := range h.net.Topology.TGWAttachments {
			if a.Type == model.AttachVPN && a.ResourceID == ep.Resource {
				return string(a.ID), false, true
			}
		}
		for _, c := range h.net.Topology.VPNConnections {
			if string(c.ID) == ep.Resource {
				return string(c.VPNGateway), false, true
			}
		}
	case EndpointTGWAttachment:
		switch a := h.attachment(ep.Resource); a.Type {
		case model.AttachVPN:
			return ep.Resource, false, true
		case model.AttachDXGateway:
			return a.ResourceID, false, true
		case model.AttachVPC:
			return "", false, false
		}
		return "", true, true
	}
	return "", false, false
}

// deliveredBeyond reports whether delivery to interface eni reaches an endpoint beyond a
// resource (at its address; the caller checks that): an interface in the subnet, in a VPC of
// the peering, in the VPC of a VPC attachment, anywhere past a peering attachment.
func (h *Hosts) deliveredBeyond(eni model.ENIID, ep Endpoint) bool {
	e, _, vpc, ok := h.net.Interface(eni)
	if !ok {
		return false
	}
	switch ep.Kind {
	case EndpointSubnet:
		return string(e.Subnet) == ep.Resource
	case EndpointPeering:
		for _, p := range h.net.Topology.Peerings {
			if string(p.ID) == ep.Resource {
				return p.Requester.VPC == vpc || p.Accepter.VPC == vpc
			}
		}
	case EndpointTGWAttachment:
		switch a := h.attachment(ep.Resource); a.Type {
		case model.AttachVPC:
			return a.ResourceID == string(vpc)
		case model.AttachVPN, model.AttachDXGateway:
			return false
		}
		return true
	}
	return false
}

// responderBeyond is the host a journey that left through gateway g reached: beyond a
// transit gateway's VPN attachment, or a DX gateway. ok is false for other gateways.
func (h *Hosts) responderBeyond(g engine.Component, dst netip.Addr) (Endpoint, bool) {
	ep := Endpoint{Resource: g.ID, IP: dst, Label: dst.String(), TTL: h.onPremTTL(dst)}
	switch g.Kind {
	case engine.KindTransitGatewayAttachment:
		ep.Kind = EndpointTGWAttachment
	case engine.KindDXGateway:
		ep.Kind = EndpointDXGateway
	case engine.KindVPCEndpoint: // the service stub behind a gateway endpoint (§7.4.7)
		ep.Kind, ep.TTL, ep.Ports = EndpointVPCEndpoint, externalTTL, &ServicePorts
	default:
		return Endpoint{}, false
	}
	return ep, true
}
