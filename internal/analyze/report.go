package analyze

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/tools"
)

// EndpointText prints an endpoint as "label (ip)", or the address alone when they agree.
func EndpointText(ep tools.Endpoint) string {
	if ep.Label == "" || ep.Label == ep.IP.String() {
		return ep.IP.String()
	}
	return fmt.Sprintf("%s (%s)", ep.Label, ep.IP)
}

// WriteText prints the answer for people: a line per part with its verdict, what it goes
// through and the source the destination sees, then every blocker of a blocked part in path
// order. verbose adds each part's hop-by-hop paths (those of its first packet).
func (r *Reach) WriteText(w io.Writer, verbose bool) {
	n := 0
	for _, p := range r.Parts {
		if p.Reachable {
			n++
		}
	}
	fmt.Fprintf(w, "%s -> %s: %d of %d part(s) reachable\n", EndpointText(r.From), EndpointText(r.To), n, len(r.Parts))
	for _, p := range r.Parts {
		fmt.Fprintf(w, "\n%s: %s\n", p.Space.Text(r.Query), p.Summary())
		for _, b := range p.Outcome.Blockers {
			fmt.Fprintf(w, "  %-7s  %s\n", b.Path, b.Text())
		}
		if verbose {
			tr := tools.TraceResult{From: r.From, To: r.To, Forward: p.Outcome.Forward, Return: p.Outcome.Return, Found: p.Reachable}
			var sb strings.Builder
			tr.WriteText(&sb)
			for _, line := range strings.Split(strings.TrimRight(sb.String(), "\n"), "\n") {
				if line == "" {
					fmt.Fprintln(w)
					continue
				}
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
}

// Summary is a part's verdict in a phrase: "reachable via nat-... (osaka-NAT); destination
// sees 10.0.2.149", "blocked; destination would see ...".
func (p *Part) Summary() string {
	o := p.Outcome
	var s string
	if p.Reachable {
		s = "reachable"
		if via := o.Forward.Via(); len(via) > 0 {
			names := make([]string, len(via))
			for i, c := range via {
				names[i] = c.String()
			}
			s += " via " + strings.Join(names, ", ")
		}
	} else {
		s = "blocked"
	}
	switch {
	case !o.Seen.IsValid() || !o.Arrived:
	case p.Reachable:
		s += "; destination sees " + o.Seen.String()
	default:
		s += "; destination would see " + o.Seen.String()
	}
	if o.Arrived && !o.Replies && p.Reachable {
		s += " (one way: the destination sends no answer to these)"
	}
	return s
}

// dirText says a direction as people do: a security group's ingress is inbound too.
func dirText(d engine.Direction) string {
	switch d {
	case engine.Ingress:
		return "inbound"
	case engine.Egress:
		return "outbound"
	}
	return d.String()
}

// Text says what the blocker does to the whole part ("sg-... (web) inbound: no rule allows
// them") followed by its explanation code.
func (b Blocker) Text() string {
	var s string
	switch b.Code {
	case engine.CodeSGRulesMismatch:
		s = fmt.Sprintf("%s %s: no rule allows them", b.At, dirText(b.Direction))
	case engine.CodeSGReferencesNotKept:
		s = fmt.Sprintf("%s %s: its rule references the source's security group, which does not match through a NAT gateway (§4.1.6)", b.At, dirText(b.Direction))
	case engine.CodeSubnetACL:
		s = fmt.Sprintf("%s rule %s %s denies them", b.At, engine.ACLRuleNumber(b.Rule), dirText(b.Direction))
	case CodeRemapEphemeralPort:
		s = fmt.Sprintf("%s rule %s %s denies some of the ports 1024-65535 a NAT gateway answers on (§2.2.3, §5.6)", b.At, engine.ACLRuleNumber(b.Rule), dirText(b.Direction))
	case engine.CodeNGWUnsupportedProtocol:
		s = fmt.Sprintf("%s: a NAT gateway passes only TCP, UDP and ICMP echo (§2.2.6)", b.At)
	default:
		s = fmt.Sprintf("%s: %s", b.At, b.Detail)
	}
	return s + " [" + b.Code + "]"
}

// HeaderRange is one box of a part's header space in JSON: a protocol and its ranges.
type HeaderRange struct {
	Protocol              string            // "6", "17", "1", or "other"
	Protocols             []tools.PortRange `json:",omitempty"` // other: the protocol numbers
	DestinationPortRanges []tools.PortRange `json:",omitempty"`
	SourcePortRanges      []tools.PortRange `json:",omitempty"`
	IcmpTypeRanges        []tools.PortRange `json:",omitempty"`
	IcmpCodeRanges        []tools.PortRange `json:",omitempty"`
}

// PartAnalysis is one part as a NetworkInsightsAnalysis (the JSON of trace), with the header
// ranges it covers and the source address the destination sees.
type PartAnalysis struct {
	tools.Analysis
	VpclabHeaderSpace []HeaderRange
	VpclabSeenSource  string `json:",omitempty"`
}

func portRanges(is []Interval) []tools.PortRange {
	out := make([]tools.PortRange, len(is))
	for i, x := range is {
		out[i] = tools.PortRange{From: x.Lo, To: x.Hi}
	}
	return out
}

// HeaderRanges renders a space for JSON.
func (sp Space) HeaderRanges() []HeaderRange {
	out := make([]HeaderRange, 0, len(sp))
	for _, b := range sp {
		switch b.Class {
		case ClassTCP, ClassUDP:
			out = append(out, HeaderRange{Protocol: strconv.Itoa(int(b.Class.proto())),
				DestinationPortRanges: portRanges(b.A), SourcePortRanges: portRanges(b.B)})
		case ClassICMP:
			out = append(out, HeaderRange{Protocol: "1", IcmpTypeRanges: portRanges(b.A), IcmpCodeRanges: portRanges(b.B)})
		default:
			out = append(out, HeaderRange{Protocol: "other", Protocols: portRanges(b.Protos)})
		}
	}
	return out
}

// Explanations renders blockers the way trace's JSON does.
func Explanations(bs []Blocker) []tools.Explanation {
	var out []tools.Explanation
	for _, b := range bs {
		out = append(out, tools.Explanation{ExplanationCode: b.Code,
			Component: tools.AnalysisComponent{Id: b.At.ID, Name: b.At.Name},
			Direction: tools.AWSDirection(b.Direction), VpclabDetail: b.Detail, VpclabPath: b.Path})
		for _, x := range b.Advice {
			out = append(out, tools.Explanation{ExplanationCode: x.Code, Component: tools.AnalysisComponent{Id: x.At.ID, Name: x.At.Name},
				VpclabDetail: x.Detail, VpclabPath: b.Path})
		}
	}
	return out
}

// Analysis renders a part as a NetworkInsightsAnalysis with its header ranges.
func (r *Reach) Analysis(p *Part) PartAnalysis {
	o := p.Outcome
	tr := tools.TraceResult{From: r.From, To: r.To, Forward: o.Forward, Return: o.Return, Found: p.Reachable, Net: r.net}
	pa := PartAnalysis{Analysis: tr.Analysis(), VpclabHeaderSpace: p.Space.HeaderRanges()}
	pa.NetworkPathFound = p.Reachable
	pa.Explanations = Explanations(o.Blockers)
	if o.Arrived && o.Seen.IsValid() {
		pa.VpclabSeenSource = o.Seen.String()
	}
	return pa
}

// Analyses renders every part.
func (r *Reach) Analyses() []PartAnalysis {
	out := make([]PartAnalysis, len(r.Parts))
	for i, p := range r.Parts {
		out[i] = r.Analysis(p)
	}
	return out
}
