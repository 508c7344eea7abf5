package live

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"regexp"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Node kinds.
const (
	KindInstance     = "instance"
	KindInternetHost = "internet-host"
	KindOnPremHost   = "on-premises-host"
	// KindServiceHost is the AWS service behind a gateway endpoint (§7.4.7): one namespace
	// that owns every address of the service's prefix list.
	KindServiceHost = "aws-service"
)

// MTUs (§6.9): 9001 inside a VPC; 1500 beyond the IGW and a VPN.
const (
	vpcMTU      = 9001
	externalMTU = 1500
)

// externalTTL is the initial TTL of a declared host that names none: a typical Linux (§6.7).
const externalTTL = 64

// RouterMAC is the MAC the dataplane answers every ARP request with: the VPC router's, and by
// proxy every other address, so that all traffic crosses the engine.
var RouterMAC = packet.MAC{0x02, 0x76, 0x70, 0x63, 0x00, 0x01}

// Plan is what a lab is made of: one namespace per instance and per declared host.
type Plan struct {
	Lab   string  `json:"lab"`
	Nodes []*Node `json:"nodes"`
	// NoTSO says the lab's TAP devices take no TCP segmentation offload: a Gateway Load
	// Balancer wraps each packet whole in GENEVE, which a 64 KiB super-packet would not fit
	// (§13.11).
	NoTSO bool `json:"no_tso,omitempty"`
}

// Node is one namespace: an instance, or a host on the internet or on-premises.
type Node struct {
	Name      string `json:"name"` // the instance's Name tag (else its ID) or the host's name
	Kind      string `json:"kind"`
	ID        string `json:"id,omitempty"` // instance ID
	Namespace string `json:"namespace"`
	TTL       uint8  `json:"ttl"` // net.ipv4.ip_default_ttl (§6.7)
	// Forward says the node's kernel routes (net.ipv4.ip_forward=1): an instance with a
	// source/destination check off whose lab does not turn its forwarding off
	// (model.Instance.IPForwardOff). What a route sends through it then crosses its kernel.
	Forward bool `json:"forward,omitempty"`
	// GWLBTarget says the node is a Gateway Load Balancer's target: the dataplane runs the
	// GENEVE tunnel handler in its namespace (gwlbhandler.go), as a GWLB appliance image does.
	GWLBTarget bool   `json:"gwlb_target,omitempty"`
	Ports      []Port `json:"ports"`
}

// Port is one network device of a node: an ENI of an instance, or a host's eth0.
type Port struct {
	Device string      `json:"device"` // eth0, eth1, ...
	ENI    model.ENIID `json:"eni,omitempty"`
	// Beyond is where an on-premises host's packets enter: its VGW, VPN connection or DX
	// gateway (tools.OnPremises).
	Beyond *tools.Endpoint `json:"beyond,omitempty"`
	MAC    string          `json:"mac"`
	Addrs  []netip.Prefix  `json:"addrs"` // primary first
	// Local are ranges the namespace takes as its own (a local route on lo): an AWS
	// service's prefix list, whose every address answers.
	Local []netip.Prefix `json:"local,omitempty"`
	// Gateway is the default route's next hop, the subnet's router (base+1, §6.4), on the first
	// ENI of an instance; a host's default route is on-link and it is invalid.
	Gateway netip.Addr `json:"gateway,omitzero"`
	MTU     int        `json:"mtu"`
}

// location is where the engine takes in what the port sends: the port as an endpoint, mapped
// to a location the way every frontend maps one (tools.Endpoint.Location).
func (n *Node) location(p *Port) engine.Location {
	ep := tools.Endpoint{Kind: tools.EndpointENI, ENI: p.ENI}
	switch n.Kind {
	case KindInternetHost:
		ep = tools.Endpoint{Kind: tools.EndpointInternet}
	case KindOnPremHost, KindServiceHost:
		if p.Beyond != nil {
			ep = *p.Beyond
		} else {
			ep = tools.Endpoint{Kind: tools.EndpointOnPrem}
		}
	}
	return ep.Location()
}

// Node returns the node called name (a Name tag, an instance ID or a host's name), or nil.
func (p *Plan) Node(name string) *Node {
	for _, n := range p.Nodes {
		if n.Name == name || (n.ID != "" && n.ID == name) {
			return n
		}
	}
	return nil
}

// Namespaces lists every namespace of the plan, in creation order.
func (p *Plan) Namespaces() []string {
	var out []string
	for _, n := range p.Nodes {
		out = append(out, n.Namespace)
	}
	return out
}

var labName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// CheckName checks a lab name: letters, digits, '-' and '_', 1 to 32 characters, starting
// with a letter or digit (it becomes part of namespace names and of a directory's).
func CheckName(lab string) error {
	if !labName.MatchString(lab) {
		return fmt.Errorf("lab name %q: use 1 to 32 letters, digits, '-' or '_', starting with a letter or digit", lab)
	}
	return nil
}

// NamespacePrefix is how every namespace of a lab is named: vpclab-LAB-.
func NamespacePrefix(lab string) string { return "vpclab-" + lab + "-" }

// PlanLab decides the namespaces and devices of a lab for a topology: every instance that is
// not terminated, and every declared internet and on-premises host.
func PlanLab(t *model.Topology, lab string) (*Plan, error) {
	if err := CheckName(lab); err != nil {
		return nil, err
	}
	p := &Plan{Lab: lab, NoTSO: len(t.GatewayLoadBalancers) > 0}
	used := map[string]bool{"dataplane": true} // a veth lab's own namespace
	add := func(n *Node, id string) {
		base := sanitize(n.Name)
		if base == "" {
			base = sanitize(id)
		}
		name, i := base, 2
		for used[name] {
			name = fmt.Sprintf("%s-%d", base, i)
			i++
		}
		used[name] = true
		n.Namespace = NamespacePrefix(lab) + name
		p.Nodes = append(p.Nodes, n)
	}
	targets := gwlbTargets(t)
	for _, in := range t.Instances {
		if in.State == "terminated" || in.State == "shutting-down" {
			continue
		}
		n := &Node{Name: in.Name, Kind: KindInstance, ID: string(in.ID), TTL: in.InitialTTL}
		if n.Name == "" {
			n.Name = string(in.ID)
		}
		if n.TTL == 0 {
			n.TTL = model.DefaultInitialTTL
		}
		for i, id := range in.ENIs {
			eni := t.ENI(id)
			if eni == nil || len(eni.PrivateIPs) == 0 {
				continue
			}
			if !eni.SourceDestCheck && !in.IPForwardOff {
				n.Forward = true // an appliance (§1.2.5, §6.2)
			}
			for _, a := range eni.PrivateIPs {
				n.GWLBTarget = n.GWLBTarget || targets[string(in.ID)] || targets[a.Addr.String()]
			}
			sub := t.Subnet(eni.Subnet)
			if sub == nil {
				return nil, fmt.Errorf("instance %s: network interface %s has no subnet in the topology", n.Name, id)
			}
			port := Port{Device: fmt.Sprintf("eth%d", i), ENI: id, MAC: macOf(eni.MAC, string(id)), MTU: vpcMTU}
			for _, a := range eni.PrivateIPs {
				port.Addrs = append(port.Addrs, netip.PrefixFrom(a.Addr, sub.CIDR.Bits()))
			}
			if i == 0 {
				port.Gateway = sub.CIDR.Masked().Addr().Next()
			}
			n.Ports = append(n.Ports, port)
		}
		if len(n.Ports) > 0 {
			add(n, string(in.ID))
		}
	}
	for _, h := range t.InternetHosts {
		add(hostNode(h, KindInternetHost, nil), h.IP.String())
	}
	for _, o := range t.OnPremises {
		for _, h := range o.Hosts {
			beyond := tools.OnPremises(t, o)
			add(hostNode(h, KindOnPremHost, &beyond), h.IP.String())
		}
	}
	for _, ep := range t.VPCEndpoints {
		if n := serviceNode(t, ep); n != nil {
			add(n, string(ep.ID))
		}
	}
	return p, nil
}

// serviceNode is the namespace of the AWS service behind a gateway endpoint (§7.4.7): it owns
// every IPv4 address of the service's prefix list and answers as vpclab's stub does (TCP 80
// and 443, ping; startServices). Packets it sends enter at the endpoint. Nil for other
// endpoints, and for a list without entries.
func serviceNode(t *model.Topology, ep *model.VPCEndpoint) *Node {
	if ep.Type != model.EndpointGateway || ep.State != "" && ep.State != model.EndpointAvailable {
		return nil
	}
	var local []netip.Prefix
	for _, pl := range t.PrefixLists {
		if pl.ID == ep.PrefixList {
			for _, c := range pl.CIDRs {
				if c.Addr().Is4() {
					local = append(local, c.Masked())
				}
			}
		}
	}
	if len(local) == 0 {
		return nil
	}
	a := local[0].Addr().Next()
	a4 := a.As4()
	mac := packet.MAC{0x02, 0x73, a4[0], a4[1], a4[2], a4[3]} // 02:73 ("s"), then the address
	return &Node{Name: model.ServiceShortName(ep.ServiceName), Kind: KindServiceHost, ID: string(ep.ID), TTL: externalTTL,
		Ports: []Port{{Device: "eth0", Beyond: &tools.Endpoint{Kind: tools.EndpointVPCEndpoint, Resource: string(ep.ID)},
			MAC: mac.String(), Addrs: []netip.Prefix{netip.PrefixFrom(a, 32)}, Local: local, MTU: externalMTU}}}
}

func hostNode(h *model.ExternalHost, kind string, beyond *tools.Endpoint) *Node {
	ttl := h.InitialTTL
	if ttl == 0 {
		ttl = externalTTL
	}
	a4 := h.IP.As4()
	mac := packet.MAC{0x02, 0x68, a4[0], a4[1], a4[2], a4[3]} // 02:68 ("h"), then the address
	return &Node{Name: h.Name, Kind: kind, TTL: ttl, Ports: []Port{{
		Device: "eth0", Beyond: beyond, MAC: mac.String(), Addrs: []netip.Prefix{netip.PrefixFrom(h.IP, 32)}, MTU: externalMTU,
	}}}
}

// sanitize keeps the characters a namespace name can hold safely and maps the rest to '-'.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b), "-.")
}

// macOf is an ENI's MAC: the topology's, or one derived from its ID (locally administered).
func macOf(s, id string) string {
	if m, err := packet.ParseMAC(s); err == nil && m[0]&1 == 0 {
		return m.String()
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	x := h.Sum64()
	return packet.MAC{0x02, byte(x >> 32), byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}.String()
}

// gwlbTargets are the IDs (instance targets) and addresses (ip targets) of every Gateway
// Load Balancer's targets (§13.1).
func gwlbTargets(t *model.Topology) map[string]bool {
	out := map[string]bool{}
	for _, lb := range t.GatewayLoadBalancers {
		if lb.TargetGroup == nil {
			continue
		}
		for _, x := range lb.TargetGroup.Targets {
			out[x.ID] = true
		}
	}
	return out
}
