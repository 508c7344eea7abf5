package analyze

import (
	"fmt"
	"github.com/vpclab/vpclab/internal/engine"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// Intent is one statement of an intents file:
//
//   - name: web reaches the database   # optional
//     from: web-1                      # an endpoint, as reach takes it
//     to: db-1
//     protocol: tcp                    # tcp, udp, icmp, a number; left out: every protocol
//     port: 5432                       # or 1024-65535; left out: every port
//     source_port: 32768-60999         # optional, likewise
//     expect: reachable                # or unreachable
//     via: [osaka-NAT]                 # optional: names or IDs the forward path must cross
//     seen_as: 10.0.2.149              # optional: the source address the destination sees
//
// "reachable" holds when every part of the header space is reachable (and crosses every via
// component and is seen as seen_as); "unreachable" when no part is.
type Intent struct {
	Line        int
	Name        string
	From, To    string
	Query       Query
	Description string // protocol and ports as written, for messages
	Expect      string
	Via         []string
	SeenAs      netip.Addr
	Lines       map[string]int // the line of each key's value, for messages
}

// Expectations.
const (
	ExpectReachable   = "reachable"
	ExpectUnreachable = "unreachable"
)

var intentKeys = []string{"name", "from", "to", "protocol", "port", "source_port", "icmp_type", "expect", "via", "seen_as"}

// ParseIntents reads an intents file. Every problem names the file and, where there is one,
// the line (unknown keys, with the likely one meant; bad protocols, ports, expectations,
// addresses). Intents are usable only when the problems hold no error; the one warning, a
// name two intents share, leaves every intent intact.
func ParseIntents(file string, data []byte) ([]Intent, model.Problems) {
	p := &intentParser{file: file}
	list := p.list(data)
	var intents []Intent
	named := map[string]int{} // intent name → line of the first intent with it
	for _, item := range list {
		in, ok := p.intent(item)
		if !ok {
			continue
		}
		if in.Name != "" {
			if first, dup := named[in.Name]; dup {
				p.probs.Warnf(model.Source{File: file, Line: in.Lines["name"]},
					"the name %q is also the name of the intent at line %d: reports tell intents apart by name", in.Name, first)
			} else {
				named[in.Name] = in.Lines["name"]
			}
		}
		intents = append(intents, in)
	}
	p.probs.Sort()
	return intents, p.probs
}

// intentParser collects the problems of one intents file.
type intentParser struct {
	file  string
	probs model.Problems
}

func (p *intentParser) errorf(n *yaml.Node, format string, args ...any) {
	p.probs.Errorf(model.Source{File: p.file, Line: n.Line}, format, args...)
}

// list parses data and returns the intents' nodes, or reports why the file is not a list.
func (p *intentParser) list(data []byte) []*yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		src, msg := model.Source{File: p.file}, strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, m, ok := strings.Cut(rest, ": "); ok {
				if line, err := strconv.Atoi(n); err == nil {
					src.Line, msg = line, m
				}
			}
		}
		p.probs.Errorf(src, "%s", msg)
		return nil
	}
	// An empty document ("---", "~") is an empty file. It has no line to name: yaml.v3
	// places its null past the last line when the file does not end with a newline.
	const none = "no intents (write a list: - {from: a, to: b, expect: reachable})"
	if len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
		p.probs.Errorf(model.Source{File: p.file}, none)
		return nil
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "the file must be a list of intents, each starting with '- '")
		return nil
	}
	if len(list.Content) == 0 {
		p.errorf(list, none) // an empty list would pass in CI without checking anything
	}
	return list.Content
}

// intent reads one intent; ok is false when item is not even a mapping.
func (p *intentParser) intent(item *yaml.Node) (in Intent, ok bool) {
	if item.Kind != yaml.MappingNode {
		p.errorf(item, "an intent is a mapping with from, to and expect")
		return in, false
	}
	in = Intent{Line: item.Line, Query: Everything(), Lines: map[string]int{}}
	var q queryNodes
	seen := map[string]bool{}
	for k := 0; k+1 < len(item.Content); k += 2 {
		key, val := item.Content[k], item.Content[k+1]
		if !slices.Contains(intentKeys, key.Value) {
			p.errorf(key, "unknown key %q%s; an intent has %s", key.Value, didYouMean(key.Value, intentKeys), strings.Join(intentKeys, ", "))
			continue
		}
		if seen[key.Value] {
			p.errorf(key, "%s is given twice", key.Value)
		}
		seen[key.Value] = true
		in.Lines[key.Value] = val.Line
		if key.Value != "via" && val.Kind != yaml.ScalarNode {
			p.errorf(val, "%s must be a single value", key.Value)
			continue
		}
		switch key.Value {
		case "name":
			in.Name = val.Value
		case "from", "to":
			if val.Value == "" {
				p.errorf(val, "%s is empty: name an endpoint, as reach takes it", key.Value)
			}
			if key.Value == "from" {
				in.From = val.Value
			} else {
				in.To = val.Value
			}
		case "protocol":
			q.proto = val
		case "port":
			q.port = val
		case "source_port":
			q.sport = val
		case "icmp_type":
			q.icmpType = val
		case "expect":
			in.Expect = val.Value
			if val.Value != ExpectReachable && val.Value != ExpectUnreachable {
				p.errorf(val, "expect %q: use reachable or unreachable", val.Value)
			}
		case "via":
			in.Via = p.via(val)
		case "seen_as":
			a, err := netip.ParseAddr(val.Value)
			if err != nil || !a.Is4() {
				p.errorf(val, "seen_as %q is not an IPv4 address", val.Value)
			}
			in.SeenAs = a
		}
	}
	for _, k := range []string{"from", "to", "expect"} {
		if !seen[k] {
			p.errorf(item, "the intent has no %s", k)
		}
	}
	if in.Expect == ExpectUnreachable && (len(in.Via) > 0 || in.SeenAs.IsValid()) {
		p.errorf(item, "via and seen_as describe a path: they go with expect: reachable")
	}
	p.query(&in, q)
	return in, true
}

// via reads a component name or a list of them.
func (p *intentParser) via(val *yaml.Node) []string {
	if val.Kind == yaml.ScalarNode && val.Value != "" {
		return []string{val.Value}
	}
	if val.Kind != yaml.SequenceNode {
		p.errorf(val, "via is a list of component names or IDs")
		return nil
	}
	var via []string
	for _, v := range val.Content {
		if v.Kind != yaml.ScalarNode || v.Value == "" {
			p.errorf(v, "via is a list of component names or IDs")
			continue
		}
		via = append(via, v.Value)
	}
	return via
}

// queryNodes are the header-space keys of an intent, read together once all are known
// (ports and ICMP types depend on the protocol, wherever it is written).
type queryNodes struct {
	proto, port, sport, icmpType *yaml.Node
}

// query sets in.Query and in.Description from the header-space keys.
func (p *intentParser) query(in *Intent, q queryNodes) {
	var desc []string
	if q.proto != nil {
		n, err := ParseProtocol(q.proto.Value)
		if err != nil {
			p.errorf(q.proto, "protocol %q: use tcp, udp, icmp or a protocol number 0..255", q.proto.Value)
		}
		in.Query.Protocol = n
		desc = append(desc, strings.ToLower(q.proto.Value))
	}
	for _, r := range []struct {
		n    *yaml.Node
		name string
		dst  *Interval
	}{{q.port, "port", &in.Query.DstPorts}, {q.sport, "source_port", &in.Query.SrcPorts}} {
		if r.n == nil {
			continue
		}
		if in.Query.Protocol >= 0 && in.Query.Protocol != int(packet.ProtoTCP) && in.Query.Protocol != int(packet.ProtoUDP) {
			p.errorf(r.n, "%s: protocol %s has no ports; ports apply to tcp and udp", r.name, q.proto.Value)
			continue
		}
		iv, err := ParseRange(r.n.Value)
		if err != nil {
			p.errorf(r.n, "%s %q: %v", r.name, r.n.Value, err)
			continue
		}
		*r.dst = iv
		if r.name == "port" {
			desc = append(desc, "port "+iv.String())
		} else {
			desc = append(desc, "source port "+iv.String())
		}
	}
	if q.icmpType != nil {
		n, err := strconv.Atoi(q.icmpType.Value)
		switch {
		case in.Query.Protocol != int(packet.ProtoICMP):
			p.errorf(q.icmpType, "icmp_type goes with protocol: icmp")
		case err != nil || n < 0 || n > 255:
			p.errorf(q.icmpType, "icmp_type %q: a number 0..255 (8 is an echo request)", q.icmpType.Value)
		default:
			in.Query.ICMPTypes = Interval{n, n}
			desc = append(desc, "type "+q.icmpType.Value)
		}
	}
	in.Description = strings.Join(desc, " ")
}

// ParseProtocol reads tcp, udp, icmp (any case), all, or a protocol number; -1 means all.
func ParseProtocol(s string) (int, error) {
	switch strings.ToLower(s) {
	case "tcp":
		return int(packet.ProtoTCP), nil
	case "udp":
		return int(packet.ProtoUDP), nil
	case "icmp":
		return int(packet.ProtoICMP), nil
	case "all", "any", "-1":
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return -1, fmt.Errorf("not a protocol")
	}
	return n, nil
}

// ParseRange reads a port or an inclusive range of ports: "443", "1024-65535".
func ParseRange(s string) (Interval, error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
	from, err1 := strconv.Atoi(lo)
	to, err2 := from, error(nil)
	if isRange {
		to, err2 = strconv.Atoi(hi)
	}
	switch {
	case err1 != nil || err2 != nil:
		return Interval{}, fmt.Errorf("write a port (443) or a range (1024-65535)")
	case from < 0 || from > 65535 || to < 0 || to > 65535:
		return Interval{}, fmt.Errorf("not a port (0..65535)")
	case from > to:
		return Interval{}, fmt.Errorf("the range runs backwards; write %d-%d", to, from)
	}
	return Interval{from, to}, nil
}

// didYouMean suggests the known word closest to a mistyped one.
func didYouMean(s string, known []string) string {
	for _, k := range known {
		if len(s) >= 3 && strings.HasPrefix(k, s) {
			return fmt.Sprintf(" (did you mean %s?)", k)
		}
	}
	best, dist := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < dist {
			best, dist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// IntentResult is the verdict on one intent.
type IntentResult struct {
	Intent Intent
	Reach  *Reach
	Pass   bool
	Why    []string // for failures: what does not hold, then the parts that break it
}

// Title names an intent in output: its name, or "from -> to protocol port".
func (r IntentResult) Title() string {
	if r.Intent.Name != "" {
		return r.Intent.Name
	}
	s := r.Intent.From + " -> " + r.Intent.To
	if r.Intent.Description != "" {
		s += " " + r.Intent.Description
	}
	return s
}

// ResolveIntents turns every intent's endpoints into tools endpoints, and checks that every
// via names something in the topology; every problem is an error naming the file and line.
func (a *Analyzer) ResolveIntents(file string, intents []Intent) ([][2]tools.Endpoint, model.Problems) {
	sim := tools.NewSim(a.Net, a.Seed)
	sim.UseNames(a.endpointNames())
	names := a.componentNames()
	var probs model.Problems
	at := func(in Intent, key string) model.Source { return model.Source{File: file, Line: in.Lines[key]} }
	eps := make([][2]tools.Endpoint, len(intents))
	for i, in := range intents {
		for k, key := range []string{"from", "to"} {
			arg := in.From
			if k == 1 {
				arg = in.To
			}
			ep, err := sim.Resolve(arg)
			switch {
			case err != nil:
				probs.Errorf(at(in, key), "%s: %v", key, err)
			case k == 0 && !ep.CanSend():
				probs.Errorf(at(in, key), "from %q is an address nothing sends from", arg)
			case k == 1 && !ep.CanReceive():
				probs.Errorf(at(in, key), "to %q is a subnet: packets start there (a spoofed source) but none are addressed to it", arg)
			}
			eps[i][k] = ep
		}
		for _, v := range in.Via {
			if !names[v] {
				probs.Errorf(at(in, "via"), "via %q names no component of the topology", v)
			}
		}
	}
	probs.Sort()
	return eps, probs
}

// componentNames is every ID and Name tag a via may name, built once per analyzer.
func (a *Analyzer) componentNames() map[string]bool {
	a.compOnce.Do(func() { a.comps = a.indexComponentNames() })
	return a.comps
}

func (a *Analyzer) indexComponentNames() map[string]bool {
	names := map[string]bool{}
	for id := range a.compVPC {
		names[id] = true
	}
	t := a.Net.Topology
	add := func(n string) {
		if n != "" {
			names[n] = true
		}
	}
	for _, x := range t.Instances {
		add(x.Name)
	}
	for _, x := range t.NetworkInterfaces {
		add(x.Name)
	}
	for _, x := range t.NATGateways {
		add(x.Name)
	}
	for _, x := range t.InternetGateways {
		add(x.Name)
	}
	for _, x := range t.VPNGateways {
		add(x.Name)
	}
	for _, x := range t.RouteTables {
		add(x.Name)
	}
	for _, x := range t.SecurityGroups {
		add(x.Name)
	}
	for _, x := range t.NetworkACLs {
		add(x.Name)
	}
	for _, x := range t.Subnets {
		add(x.Name)
	}
	// Across VPCs, by ID and name: their IDs are no VPC's components (compVPC).
	both := func(id, name string) {
		add(id)
		add(name)
	}
	for _, x := range t.Peerings {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.TransitGateways {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.TGWAttachments {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.TGWRouteTables {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.VPNConnections {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.DXGateways {
		both(string(x.ID), x.Name)
	}
	for _, x := range t.VirtualInterfaces {
		both(string(x.ID), x.Name)
	}
	return names
}

// CheckIntents evaluates resolved intents.
func (a *Analyzer) CheckIntents(intents []Intent, eps [][2]tools.Endpoint) []IntentResult {
	out := make([]IntentResult, len(intents))
	for i, in := range intents {
		r := a.Reach(eps[i][0], eps[i][1], in.Query)
		res := IntentResult{Intent: in, Reach: r, Pass: true}
		for _, p := range r.Parts {
			if in.Expect == ExpectUnreachable {
				if p.Reachable {
					res.fail("expected unreachable, but %s: %s", p.Space.Text(r.Query), p.Summary())
				}
				continue
			}
			if !p.Reachable {
				res.fail("expected reachable, but %s: %s", p.Space.Text(r.Query), p.Summary())
				for _, b := range p.Outcome.Blockers {
					res.Why = append(res.Why, "  "+b.Path+"  "+b.Text())
				}
				continue
			}
			for _, v := range in.Via {
				if !a.crosses(p.Outcome, v) {
					res.fail("%s does not cross %s: it goes %s", p.Space.Text(r.Query), v, p.Summary())
				}
			}
			if in.SeenAs.IsValid() && p.Outcome.Seen != in.SeenAs {
				res.fail("%s: the destination sees %s, not %s", p.Space.Text(r.Query), p.Outcome.Seen, in.SeenAs)
			}
		}
		out[i] = res
	}
	return out
}

func (r *IntentResult) fail(format string, args ...any) {
	r.Pass = false
	r.Why = append(r.Why, fmt.Sprintf(format, args...))
}

// crosses reports whether a forward path goes through a component named by name or ID.
// crosses reports whether the forward path crosses the component named (its ID or Name): a
// hop's own component, or the transit gateway and attachment behind a hop (a gateway's route
// table, an attachment's interface, the attachment a route sends the packet to).
func (a *Analyzer) crosses(o *Outcome, name string) bool {
	is := func(c engine.Component) bool { return c.ID != "" && (c.ID == name || c.Name == name) }
	for _, h := range o.Forward.Hops {
		if is(h.Component) {
			return true
		}
		if tgw, att, ok := a.Net.TransitGatewayOf(h.Component.ID); ok && (is(tgw) || is(att)) {
			return true
		}
		if h.TGWRoute != nil && h.TGWRoute.Attachment != "" {
			if _, att, ok := a.Net.TransitGatewayOf(string(h.TGWRoute.Attachment)); ok && is(att) {
				return true
			}
		}
	}
	return false
}
