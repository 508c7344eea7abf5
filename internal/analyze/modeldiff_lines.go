package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/tools"
)

// The model diff's building blocks: rules as header spaces, and resources printed as lines
// the way the console shows them.

// ruleQuery is the header space a security group rule matches, on the destination port (as
// the packet it admits sees it) or, for src, on the source port (an answer that comes back
// untracked is matched on its destination port, the flow's source port).
func ruleQuery(r model.SecurityGroupRule, src bool) (Query, bool) {
	q := Everything()
	if r.Protocol == model.ProtocolAll {
		return q, false
	}
	q.Protocol = r.Protocol
	switch {
	case (r.Protocol == model.ProtocolTCP || r.Protocol == model.ProtocolUDP) && r.FromPort >= 0:
		if src {
			q.SrcPorts = Interval{r.FromPort, r.ToPort}
		} else {
			q.DstPorts = Interval{r.FromPort, r.ToPort}
		}
	case r.Protocol == model.ProtocolICMP && r.FromPort >= 0 && !src:
		q.ICMPTypes = Interval{r.FromPort, r.FromPort}
	}
	return q, true
}

// changedRules are the rules of one direction only one side has.
func changedRules(b, a *model.SecurityGroup, dir string) []model.SecurityGroupRule {
	rb, ra := sgRules(b, dir), sgRules(a, dir)
	var out []model.SecurityGroupRule
	for _, side := range []struct {
		g          *model.SecurityGroup
		own, other []string
	}{{b, rb, ra}, {a, ra, rb}} {
		if side.g == nil {
			continue
		}
		rules := side.g.Ingress
		if dir == "egress" {
			rules = side.g.Egress
		}
		for i, k := range side.own {
			if !slices.Contains(side.other, k) {
				out = append(out, rules[i])
			}
		}
	}
	return out
}

func narrow(t *Touch, r model.SecurityGroupRule, src bool) {
	if q, ok := ruleQuery(r, src); ok {
		t.Spaces = append(t.Spaces, q)
	} else {
		t.Full = true
	}
}

// diffByID calls f for every ID present in either list, in ID order, with nil for a side
// that lacks it.
func diffByID[T any](b, a []*T, id func(*T) string, f func(b, a *T)) {
	mb, ma := make(map[string]*T, len(b)), make(map[string]*T, len(a))
	ids := make([]string, 0, len(b))
	for _, x := range b {
		mb[id(x)] = x
		ids = append(ids, id(x))
	}
	for _, x := range a {
		if _, ok := mb[id(x)]; !ok {
			ids = append(ids, id(x))
		}
		ma[id(x)] = x
	}
	sort.Strings(ids)
	for _, k := range ids {
		f(mb[k], ma[k])
	}
}

func pick2[T any](b, a *T) *T {
	if a != nil {
		return a
	}
	return b
}

// presence describes an object one side lacks as a whole, in the printed form f: "+ ..." when
// added, "- ..." when removed; ok is false when both sides have it.
func presence[T any](b, a *T, f func(*T) string) (lines []string, ok bool) {
	switch {
	case b == nil:
		return []string{"+ " + f(a)}, true
	case a == nil:
		return []string{"- " + f(b)}, true
	}
	return nil, false
}

// fieldLines compares one printed form of an object on both sides.
func fieldLines[T any](b, a *T, f func(*T) string) []string {
	if lines, ok := presence(b, a, f); ok {
		return lines
	}
	if fb, fa := f(b), f(a); fb != fa {
		return []string{"- " + fb, "+ " + fa}
	}
	return nil
}

// setDiff lists what only one side has: "- x" for before, "+ x" for after, in order.
func setDiff(b, a []string, prefix string) []string {
	var out []string
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "- "+prefix+x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+ "+prefix+x)
		}
	}
	return out
}

// sgRules prints a direction's rules as the console shows them, rule IDs and descriptions
// left out (a lab numbers its rules by position).
func sgRules(g *model.SecurityGroup, dir string) []string {
	if g == nil {
		return nil
	}
	rules := g.Ingress
	peerWord := "from"
	if dir == "egress" {
		rules, peerWord = g.Egress, "to"
	}
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		peer := r.CIDR.String()
		switch {
		case r.Group != "":
			peer = string(r.Group)
		case r.PrefixList != "":
			peer = string(r.PrefixList)
		}
		out = append(out, fmt.Sprintf("%s %s %s", tools.RuleProtocol(r.Protocol, r.FromPort, r.ToPort), peerWord, peer))
	}
	return out
}

func aclEntries(a *model.NetworkACL) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, e := range a.Entries {
		dir, peer, action := "inbound", "from", "deny"
		if e.Egress {
			dir, peer = "outbound", "to"
		}
		if e.Allow {
			action = "allow"
		}
		from, to := e.FromPort, e.ToPort
		if e.Protocol == model.ProtocolICMP {
			from, to = e.ICMPType, e.ICMPCode
		} else if from == 0 && to == 0 {
			from, to = -1, -1
		}
		out = append(out, fmt.Sprintf("%s rule %s %s %s %s %s", dir, engine.ACLRuleNumber(e.RuleNumber), action, tools.RuleProtocol(e.Protocol, from, to), peer, e.CIDR))
	}
	return out
}

func routeLines(rt *model.RouteTable) []string {
	if rt == nil {
		return nil
	}
	var out []string
	for _, r := range rt.Routes {
		s := fmt.Sprintf("route %s -> %s", r.DestinationString(), r.Target.ID)
		if r.State == model.RouteBlackhole {
			s += " (blackhole)"
		}
		out = append(out, s)
	}
	for _, g := range rt.PropagatingVGWs {
		out = append(out, "propagation from "+string(g))
	}
	if rt.Main {
		out = append(out, "main route table")
	}
	return out
}

func gatewaysOf(rt *model.RouteTable) []string {
	if rt == nil {
		return nil
	}
	return rt.Gateways
}

// subnetsOf lists the subnets a route table or NACL applies to in a view, explicitly or
// implicitly; nothing when the view lacks it.
func subnetsOf(v *view, present bool, id string) []string {
	if !present {
		return nil
	}
	return v.subnetsOf[id]
}

func eniLines(b, a *model.NetworkInterface) []string {
	if b != nil && a != nil && b.Subnet == a.Subnet && b.SourceDestCheck == a.SourceDestCheck && b.Instance == a.Instance &&
		b.Type == a.Type && slices.Equal(b.PrivateIPs, a.PrivateIPs) && slices.Equal(b.SecurityGroups, a.SecurityGroups) {
		return nil
	}
	switch {
	case b == nil:
		return []string{"+ interface in " + string(a.Subnet)}
	case a == nil:
		return []string{"- interface in " + string(b.Subnet)}
	}
	var out []string
	if b.Subnet != a.Subnet {
		out = append(out, fmt.Sprintf("subnet %s -> %s", b.Subnet, a.Subnet))
	}
	ips := func(e *model.NetworkInterface) []string {
		var s []string
		for _, p := range e.PrivateIPs {
			x := p.Addr.String()
			if p.PublicIP.IsValid() {
				x += " (public " + p.PublicIP.String() + ")"
			}
			s = append(s, x)
		}
		return s
	}
	out = append(out, setDiff(ips(b), ips(a), "address ")...)
	groups := func(e *model.NetworkInterface) []string {
		var s []string
		for _, g := range e.SecurityGroups {
			s = append(s, string(g))
		}
		return s
	}
	out = append(out, setDiff(groups(b), groups(a), "security group ")...)
	if b.SourceDestCheck != a.SourceDestCheck {
		out = append(out, fmt.Sprintf("source/destination check %v -> %v", b.SourceDestCheck, a.SourceDestCheck))
	}
	if b.Instance != a.Instance {
		out = append(out, fmt.Sprintf("instance %s -> %s", b.Instance, a.Instance))
	}
	if b.Type != a.Type { // a service's interface carries nothing vpclab models yet (§9.8)
		out = append(out, fmt.Sprintf("type %s -> %s", b.Type, a.Type))
	}
	return out
}

// lines of a change, joined for one-line output.
func (c Change) text() string { return c.String() + ": " + strings.Join(c.Lines, "; ") }

// peeringLines say what differs between two peerings: status, and each side's VPC, blocks
// (§7.1.6 checks the side entered against them), account, region and DNS option.
func peeringLines(b, a *model.VPCPeering) []string {
	if lines, ok := presence(b, a, peeringText); ok {
		return lines
	}
	var out []string
	if b.Status != a.Status {
		out = append(out, fmt.Sprintf("status %s -> %s", orDash(b.Status), orDash(a.Status)))
	}
	for _, s := range []struct {
		name   string
		sb, sa model.PeeringSide
	}{{"requester", b.Requester, a.Requester}, {"accepter", b.Accepter, a.Accepter}} {
		out = append(out, changed(s.name+" VPC", string(s.sb.VPC), string(s.sa.VPC))...)
		out = append(out, changed(s.name+" account", s.sb.Account, s.sa.Account)...)
		out = append(out, changed(s.name+" region", s.sb.Region, s.sa.Region)...)
		out = append(out, setDiff(prefixStrings(s.sb.CIDRs), prefixStrings(s.sa.CIDRs), s.name+" block ")...)
		out = append(out, setDiff(prefixStrings(s.sb.IPv6CIDRs), prefixStrings(s.sa.IPv6CIDRs), s.name+" block ")...)
		out = append(out, changed(s.name+" DNS resolution from the remote VPC", onOff(s.sb.AllowDNS), onOff(s.sa.AllowDNS))...)
	}
	return out
}

func peeringText(p *model.VPCPeering) string {
	side := func(s model.PeeringSide) string {
		return fmt.Sprintf("%s %v", s.VPC, append(slices.Clone(s.CIDRs), s.IPv6CIDRs...))
	}
	return fmt.Sprintf("peering %s <-> %s, %s", side(p.Requester), side(p.Accepter), orDash(p.Status))
}

func tgwLines(b, a *model.TransitGateway) []string {
	text := func(g *model.TransitGateway) string {
		return fmt.Sprintf("ASN %d in %s, state %s", g.ASN, orDash(g.Region), orDash(g.State))
	}
	if lines, ok := presence(b, a, text); ok {
		return lines
	}
	out := changed("state", b.State, a.State)
	out = append(out, changed("account", b.Account, a.Account)...)
	out = append(out, changed("region", b.Region, a.Region)...)
	out = append(out, changed("Amazon side ASN", fmt.Sprint(b.ASN), fmt.Sprint(a.ASN))...)
	out = append(out, changed("default route table association", assocOpt(b.DefaultAssociation, b.AssociationDefaultTable),
		assocOpt(a.DefaultAssociation, a.AssociationDefaultTable))...)
	out = append(out, changed("default route table propagation", assocOpt(b.DefaultPropagation, b.PropagationDefaultTable),
		assocOpt(a.DefaultPropagation, a.PropagationDefaultTable))...)
	out = append(out, changed("VPN ECMP support", onOff(b.VPNECMP), onOff(a.VPNECMP))...)
	out = append(out, changed("DNS support", onOff(b.DNSSupport), onOff(a.DNSSupport))...)
	out = append(out, changed("security group referencing support", onOff(b.SGReferencing), onOff(a.SGReferencing))...)
	return append(out, setDiff(prefixStrings(b.CIDRBlocks), prefixStrings(a.CIDRBlocks), "CIDR block ")...)
}

func assocOpt(on bool, table model.TGWRouteTableID) string {
	if !on {
		return "disable"
	}
	return "enable (" + orDash(string(table)) + ")"
}

func tgwAttachmentLines(b, a *model.TGWAttachment) []string {
	text := func(x *model.TGWAttachment) string {
		s := fmt.Sprintf("%s %s on %s, state %s", x.Type, x.ResourceID, x.TransitGateway, orDash(x.State))
		if x.Association != "" {
			s += ", associated with " + string(x.Association)
		}
		return s
	}
	if lines, ok := presence(b, a, text); ok {
		return lines
	}
	out := changed("state", b.State, a.State)
	out = append(out, changed("transit gateway", string(b.TransitGateway), string(a.TransitGateway))...)
	out = append(out, changed("resource", string(b.Type)+" "+b.ResourceID, string(a.Type)+" "+a.ResourceID)...)
	out = append(out, changed("association", assocText(b), assocText(a))...)
	out = append(out, setDiff(idList(b.Subnets), idList(a.Subnets), "subnet ")...)
	out = append(out, changed("appliance mode support", onOff(b.ApplianceMode), onOff(a.ApplianceMode))...)
	out = append(out, changed("IPv6 support", onOff(b.IPv6Support), onOff(a.IPv6Support))...)
	out = append(out, changed("DNS support", onOff(b.DNSSupport), onOff(a.DNSSupport))...)
	out = append(out, changed("security group referencing support", onOff(b.SGReferencing), onOff(a.SGReferencing))...)
	peer := func(x *model.TGWAttachment) string {
		return strings.TrimSpace(fmt.Sprintf("%s %s %s", x.PeerTransitGateway, x.PeerAccount, x.PeerRegion))
	}
	return append(out, changed("peer", peer(b), peer(a))...)
}

// assocText is an attachment's association as get-transit-gateway-route-table-associations
// shows it: the table and the association's state.
func assocText(x *model.TGWAttachment) string {
	if x.Association == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s)", x.Association, orDash(x.AssociationState))
}

// tgwRouteLines print a transit gateway route table's routes as search-transit-gateway-routes
// lists them, its propagations and prefix-list references; associations are the attachments'.
func tgwRouteLines(rt *model.TGWRouteTable) []string {
	if rt == nil {
		return nil
	}
	var out []string
	for _, r := range rt.Routes {
		dst := r.Destination.String()
		if r.PrefixList != "" {
			dst = string(r.PrefixList)
		}
		to := "blackhole"
		if len(r.Attachments) > 0 {
			to = strings.Join(idList(r.Attachments), ", ")
		}
		s := fmt.Sprintf("route %s -> %s", dst, to)
		if r.Type != "" && r.Type != model.TGWRouteStatic {
			s += " (" + r.Type + ")"
		}
		if r.State != "" && r.State != model.TGWRouteActive && to != "blackhole" {
			s += " (" + r.State + ")"
		}
		out = append(out, s)
	}
	for _, p := range rt.Propagations {
		out = append(out, "propagation from "+string(p))
	}
	for _, p := range rt.PrefixListReferences {
		to := string(p.Attachment)
		if p.Blackhole || to == "" {
			to = "blackhole"
		}
		out = append(out, fmt.Sprintf("prefix list reference %s -> %s", p.PrefixList, to))
	}
	return out
}

// tgwTableLines: what differs between two transit gateway route tables besides their routes
// and associations.
func tgwTableLines(b, a *model.TGWRouteTable) []string {
	if b == nil || a == nil {
		return nil
	}
	// Routes listed by search-transit-gateway-routes are AWS's winners; otherwise the engine
	// adds the propagated ones to the static routes (§9.5).
	source := map[bool]string{false: "static routes and propagations", true: "search-transit-gateway-routes"}
	return append(changed("state", b.State, a.State), changed("routes from", source[b.Searched], source[a.Searched])...)
}

// changed is one "what old -> new" line when the two differ.
func changed(what, b, a string) []string {
	if b == a {
		return nil
	}
	return []string{fmt.Sprintf("%s %s -> %s", what, orDash(b), orDash(a))}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func onOff(on bool) string {
	if on {
		return "enable"
	}
	return "disable"
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func idList[ID ~string](ids []ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
