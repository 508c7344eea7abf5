package nfw

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Action classes in default action order (§14.9): pass, drop, reject, alert.
const (
	classPass uint8 = iota
	classDrop
	classReject
	classAlert
)

// Application-layer protocols a rule may require (§14.16): detected from a flow's TLS
// ClientHello or HTTP request.
const (
	appNone uint8 = iota
	appTLS
	appHTTP
)

// sfRule is a compiled stateful rule: a 5-tuple rule, a Suricata rule or a rule generated
// from a domain list (§14.8).
type sfRule struct {
	Rule
	class    uint8
	decision Decision
	priority int
	group    int
	buckets  uint8
	app      uint8
	src, dst addrSet
	sports   []prange
	dports   []prange
	bidir    bool
	// flow keyword (§14.16)
	established, notEstablished, toServer, toClient bool
	contents                                        []content
	// domains: a domain-list rule matches when the buffer matches any (§14.8).
	domains    []string
	domainBuf  uint8
	negDomains bool // ALLOWLIST's drop: matches when the buffer matches none
	// unsupported: options vpclab does not evaluate; the header alone decides (§14.16).
	unsupported bool
}

const (
	bufSNI uint8 = iota + 1
	bufHost
)

type content struct {
	buf                                  uint8
	val                                  string
	nocase, starts, ends, dotprefix, neg bool
}

// knownOptions are the Suricata keywords vpclab evaluates or that change nothing (§14.16).
var knownOptions = []string{"msg", "sid", "rev", "gid", "priority", "flow", "tls.sni", "http.host", "tls_sni", "http_host",
	"content", "nocase", "startswith", "endswith", "dotprefix", "classtype", "metadata", "reference"}

func classOf(action string) (uint8, Decision) {
	switch strings.ToUpper(action) {
	case "PASS":
		return classPass, Pass
	case "DROP":
		return classDrop, Drop
	case "REJECT":
		return classReject, Reject
	}
	return classAlert, 0
}

// stateful compiles the rules of group g, referenced by ref.
func (c *compiler) stateful(g *model.RuleGroup, ref model.RuleGroupRef) []*sfRule {
	var out []*sfRule
	override := ref.Override == model.OverrideDropToAlert
	add := func(m *model.StatefulRule, name string) {
		r := c.sfRule(g, m, name)
		if override && (r.class == classDrop || r.class == classReject) {
			// §14.14: DROP_TO_ALERT turns the group's drops into alerts.
			r.class, r.decision = classAlert, 0
			r.Action += " (DROP_TO_ALERT: alert)"
		}
		out = append(out, r)
	}
	for i := range g.StatefulRules {
		name := "rule " + strconv.Itoa(i+1)
		if sid, ok := g.StatefulRules[i].Option("sid"); ok {
			name = "sid " + sid
		}
		add(&g.StatefulRules[i], name)
	}
	if g.RulesString != "" {
		rules, _ := model.ParseRulesString(g.RulesString)
		for i := range rules {
			name := "line " + strconv.Itoa(rules[i].Line)
			if sid, ok := rules[i].Option("sid"); ok {
				name = "sid " + sid
			}
			add(&rules[i], name)
		}
	}
	if d := g.Domains; d != nil {
		out = append(out, c.domainRules(g, d)...)
	}
	return out
}

func (c *compiler) sfRule(g *model.RuleGroup, m *model.StatefulRule, name string) *sfRule {
	r := &sfRule{Rule: Rule{Group: groupName(g), Name: name, Action: strings.ToUpper(m.Action)}, priority: 255}
	r.class, r.decision = classOf(m.Action)
	r.src, r.dst = c.addr(g, m.Source), c.addr(g, m.Destination)
	r.sports, r.dports = c.ports(g, m.SourcePort), c.ports(g, m.DestinationPort)
	r.bidir = strings.EqualFold(m.Direction, "ANY")
	proto := strings.ToLower(m.Protocol)
	switch proto {
	case "ip", "":
		r.buckets = 1<<nBuckets - 1
	case "tcp":
		r.buckets = 1 << bTCP
	case "udp", "dns":
		r.buckets = 1 << bUDP
		r.unsupported = proto == "dns"
	case "icmp":
		r.buckets = 1 << bICMP
	case "icmpv6":
		r.buckets = 1 << bICMPv6
	case "tls":
		r.buckets, r.app = 1<<bTCP, appTLS
	case "http", "http2":
		r.buckets, r.app = 1<<bTCP, appHTTP
	default: // ssh, smtp, ftp: detection vpclab does not model; the transport decides
		r.buckets, r.unsupported = 1<<bTCP, true
	}
	var buf uint8
	for _, o := range m.Options {
		k := strings.ToLower(o.Keyword)
		last := len(r.contents) - 1
		switch k {
		case "priority":
			if len(o.Settings) > 0 {
				if n, err := strconv.Atoi(o.Settings[0]); err == nil {
					r.priority = n
				}
			}
		case "flow":
			for _, s := range o.Settings {
				switch strings.ToLower(s) {
				case "established":
					r.established = true
				case "not_established":
					r.notEstablished = true
				case "to_server", "from_client":
					r.toServer = true
				case "to_client", "from_server":
					r.toClient = true
				}
			}
		case "tls.sni", "tls_sni":
			buf = bufSNI
			if r.app == appNone {
				r.app = appTLS
			}
		case "http.host", "http_host":
			buf = bufHost
			if r.app == appNone {
				r.app = appHTTP
			}
		case "content":
			if len(o.Settings) > 0 {
				v := o.Settings[0]
				neg := strings.HasPrefix(v, "!")
				r.contents = append(r.contents, content{buf: buf, val: strings.TrimPrefix(v, "!"), neg: neg})
				if buf == 0 {
					r.unsupported = true // content on the raw payload: not evaluated
				}
			}
		case "nocase":
			if last >= 0 {
				r.contents[last].nocase = true
			}
		case "startswith":
			if last >= 0 {
				r.contents[last].starts = true
			}
		case "endswith":
			if last >= 0 {
				r.contents[last].ends = true
			}
		case "dotprefix":
			// applies to the next content in AWS's generated rules
			r.contents = append(r.contents, content{buf: buf, dotprefix: true})
		default:
			if !slices.Contains(knownOptions, k) {
				r.unsupported = true
			}
		}
	}
	// fold a dotprefix marker into the content that follows it
	var cs []content
	for i := 0; i < len(r.contents); i++ {
		x := r.contents[i]
		if x.dotprefix && x.val == "" && i+1 < len(r.contents) {
			n := r.contents[i+1]
			n.dotprefix = true
			cs = append(cs, n)
			i++
			continue
		}
		cs = append(cs, x)
	}
	r.contents = cs
	if r.app == appNone && len(r.contents) > 0 && r.contents[0].buf != 0 {
		r.app = appTLS
	}
	r.Text = ruleText(m)
	return r
}

func ruleText(m *model.StatefulRule) string {
	dir := "->"
	if strings.EqualFold(m.Direction, "ANY") {
		dir = "<>"
	}
	s := fmt.Sprintf("%s %s %s %s %s %s %s", strings.ToUpper(m.Action), strings.ToLower(m.Protocol), m.Source, m.SourcePort, dir, m.Destination, m.DestinationPort)
	if msg, ok := m.Option("msg"); ok {
		s += fmt.Sprintf(" msg %q", msg)
	}
	return s
}

// domainRules are the rules AWS generates from a domain list (§14.8), for flows from
// $HOME_NET to $EXTERNAL_NET only (§14.13; AWS's generated rules read
// "$HOME_NET any -> $EXTERNAL_NET any" [INF]): per target type, an ALLOWLIST passes matching
// flows and drops the other flows of that type; a DENYLIST drops matching flows.
func (c *compiler) domainRules(g *model.RuleGroup, d *model.DomainList) []*sfRule {
	home, _ := c.ipVar(g, "HOME_NET")
	external := c.addr(g, "$EXTERNAL_NET")
	var out []*sfRule
	for _, t := range d.TargetTypes {
		app, buf, proto := appTLS, bufSNI, "tls"
		if t == "HTTP_HOST" {
			app, buf, proto = appHTTP, bufHost, "http"
		}
		base := sfRule{Rule: Rule{Group: groupName(g)}, priority: 255, buckets: 1 << bTCP, app: app,
			src: addrSet{pos: home}, dst: external, sports: []prange{{0, 65535}}, dports: []prange{{0, 65535}},
			toServer: true, domains: d.Targets, domainBuf: buf}
		if len(home) == 0 {
			base.src = addrSet{pos: []netip.Prefix{{}}}
		}
		list := strings.Join(d.Targets, ",")
		switch d.GeneratedRulesType {
		case "ALLOWLIST":
			pass := base
			pass.class, pass.decision, pass.Action = classPass, Pass, "PASS"
			pass.Name = "allowlist " + proto
			pass.Text = fmt.Sprintf("pass %s $HOME_NET any -> $EXTERNAL_NET any (%s in [%s])", proto, bufName(buf), list)
			drop := base
			drop.class, drop.decision, drop.Action = classDrop, Drop, "DROP"
			drop.negDomains, drop.established = true, true
			drop.Name = "allowlist " + proto + " (not listed)"
			drop.Text = fmt.Sprintf("drop %s $HOME_NET any -> $EXTERNAL_NET any (%s not in [%s]; flow:established,to_server)", proto, bufName(buf), list)
			out = append(out, &pass, &drop)
		case "DENYLIST":
			drop := base
			drop.class, drop.decision, drop.Action = classDrop, Drop, "DROP"
			drop.Name = "denylist " + proto
			drop.Text = fmt.Sprintf("drop %s $HOME_NET any -> $EXTERNAL_NET any (%s in [%s])", proto, bufName(buf), list)
			out = append(out, &drop)
		}
	}
	return out
}

func bufName(b uint8) string {
	if b == bufHost {
		return "http.host"
	}
	return "tls.sni"
}

func sfKeys(r *sfRule) key {
	k := key{buckets: r.buckets}
	if !r.bidir && !(len(r.dports) == 1 && r.dports[0] == prange{0, 65535}) {
		k.ports = r.dports
		k.buckets &= 1<<bTCP | 1<<bUDP
	}
	return k
}

// Flow is the stateful engine's memory of one flow at one endpoint (§14.9-12). The engine
// keeps it in its State, keyed by endpoint and 5-tuple; the zero value is no flow.
type Flow struct {
	Client     netip.Addr
	ClientPort uint16
	Last       time.Time
	// ServerSpoke: the server has answered (TCP SYN-ACK, a UDP or ICMP reply); Handshake: the
	// client's ACK that completes a TCP handshake has passed.
	ServerSpoke, Handshake bool
	// Decided is the verdict a pass or drop rule gave the whole flow (§14.9); Rule is the rule.
	Decided Decision
	Rule    *Rule
	// AppJudged: the flow's application data (ClientHello, HTTP request) has been judged.
	AppJudged bool
}

// NewFlow starts the flow of a packet that opens it: its sender is the client.
func NewFlow(p *packet.Packet, now time.Time) Flow {
	return Flow{Client: p.Src, ClientPort: p.SrcPort, Last: now}
}

// StreamException is the verdict on a packet of a flow the engine never saw start (§14.12):
// DROP (the default), REJECT (a RST), or CONTINUE (Decision 0: inspect it as a new flow).
func (pol *Policy) StreamException() Verdict {
	switch pol.streamPolicy {
	case streamContinue:
		return Verdict{Stage: StageStreamException, Action: "CONTINUE"}
	case streamReject:
		return Verdict{Decision: Reject, Stage: StageStreamException, Action: "REJECT"}
	}
	return Verdict{Decision: Drop, Stage: StageStreamException, Action: "DROP"}
}

// Stateful runs the stateful engine on one packet of flow f (§14.8-10), updating f. app is
// the flow's application data carried by this packet (a TLS ClientHello's SNI, an HTTP
// request's Host), or nil.
func (pol *Policy) Stateful(f *Flow, p *packet.Packet, app *packet.App) Verdict {
	if f.Decided != 0 {
		return Verdict{Decision: f.Decided, Stage: StageFlow, Rule: f.Rule}
	}
	toServer := p.Src == f.Client && (!p.HasPorts() || p.SrcPort == f.ClientPort)
	est := f.established(p, toServer, app)
	var v Verdict
	alerts := 0
	pol.sf.each(p.Proto, p.DstPort, func(rank int32, r *sfRule) bool {
		if !r.match(p, toServer, est, app) {
			return true
		}
		if r.class == classAlert {
			alerts++
			return true
		}
		v = Verdict{Decision: r.decision, Stage: StageStateful, Rule: &r.Rule, Action: r.Action, Unsupported: r.unsupported,
			SkippedHigher: pol.skippedGroups && int(rank) >= pol.skipRank}
		return false
	})
	v.Alerts = alerts
	if v.Decision != 0 {
		f.Decided, f.Rule = v.Decision, v.Rule // a pass or drop decides the whole flow (§14.9)
		return v
	}
	v = Verdict{Decision: Pass, Stage: StageDefault, Alerts: alerts, SkippedHigher: pol.skippedGroups}
	if pol.strict {
		// §14.10: the stateful default actions.
		switch pol.defDrop {
		case model.DropStrict:
			v.Decision, v.Action = Drop, model.DropStrict
		case model.DropEstablished:
			v.Action = model.DropEstablished
			if est && toServer {
				v.Decision = Drop
			}
		}
	}
	return v
}

// established updates the flow with p and reports whether p belongs to an established
// connection (§14.10): for TCP, after the handshake (SYN, SYN-ACK, the client's ACK); for
// UDP, ICMP and other protocols, once both sides have spoken.
func (f *Flow) established(p *packet.Packet, toServer bool, app *packet.App) bool {
	if !toServer {
		was := f.ServerSpoke
		f.ServerSpoke = true
		if p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPSyn != 0 {
			return false // SYN-ACK: handshake
		}
		return was || p.Proto != packet.ProtoTCP
	}
	if p.Proto != packet.ProtoTCP {
		return f.ServerSpoke
	}
	if p.TCPFlags&packet.TCPSyn != 0 || !f.ServerSpoke {
		return false
	}
	if !f.Handshake && p.TCPFlags == packet.TCPAck && p.DataLen() == 0 && app == nil {
		f.Handshake = true // the handshake's last ACK
		return false
	}
	f.Handshake = true
	return true
}

func (r *sfRule) match(p *packet.Packet, toServer, est bool, app *packet.App) bool {
	if r.toServer && !toServer || r.toClient && toServer || r.established && !est || r.notEstablished && est {
		return false
	}
	switch r.app {
	case appTLS:
		if app == nil || app.SNI == "" {
			return false
		}
	case appHTTP:
		if app == nil || app.HTTPHost == "" {
			return false
		}
	}
	if !r.header(p, false) && !(r.bidir && r.header(p, true)) {
		return false
	}
	for i := range r.contents {
		if !r.contents[i].match(app) {
			return false
		}
	}
	if r.domainBuf != 0 {
		b := app.SNI
		if r.domainBuf == bufHost {
			b = hostOnly(app.HTTPHost)
		}
		hit := false
		for _, d := range r.domains {
			if domainMatch(d, b) {
				hit = true
				break
			}
		}
		return hit != r.negDomains
	}
	return true
}

func (r *sfRule) header(p *packet.Packet, reverse bool) bool {
	src, dst, sp, dp := p.Src, p.Dst, p.SrcPort, p.DstPort
	if reverse {
		src, dst, sp, dp = dst, src, dp, sp
	}
	if p.HasPorts() && (!inRanges(r.sports, sp) || !inRanges(r.dports, dp)) {
		return false
	}
	return r.src.has(src) && r.dst.has(dst)
}

func (c *content) match(app *packet.App) bool {
	if app == nil {
		return c.neg
	}
	b := app.SNI
	if c.buf == bufHost {
		b = hostOnly(app.HTTPHost)
	}
	var ok bool
	switch {
	case c.dotprefix && c.ends:
		ok = domainMatch(c.val, b) || hasSuffixFold(b, c.val, c.nocase)
	case c.starts && c.ends:
		ok = equalFold(b, c.val, c.nocase)
	case c.starts:
		ok = len(b) >= len(c.val) && equalFold(b[:len(c.val)], c.val, c.nocase)
	case c.ends:
		ok = hasSuffixFold(b, c.val, c.nocase)
	default:
		ok = containsFold(b, c.val, c.nocase)
	}
	return ok != c.neg
}

// domainMatch is §14.8: "example.com" matches exactly, ".example.com" the domain and its
// subdomains. Case does not matter.
func domainMatch(d, host string) bool {
	if strings.HasPrefix(d, ".") {
		return strings.EqualFold(host, d[1:]) || hasSuffixFold(host, d, true)
	}
	return strings.EqualFold(host, d)
}

// hostOnly strips a port from an HTTP Host.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

func equalFold(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func hasSuffixFold(s, suf string, fold bool) bool {
	return len(s) >= len(suf) && equalFold(s[len(s)-len(suf):], suf, fold)
}

func containsFold(s, sub string, fold bool) bool {
	if !fold {
		return strings.Contains(s, sub)
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
