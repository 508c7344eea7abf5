package analyze

import (
	"fmt"
	"io"
	"strings"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/tools"
)

// causes finds, on each path, the first decision that differs between two outcomes, and
// otherwise the blockers only one of them has.
func causes(ob, oa *Outcome) []Cause {
	var out []Cause
	for _, p := range []struct {
		path   string
		rb, ra *engine.Result
	}{{PathForward, ob.Forward, oa.Forward}, {PathReturn, ob.Return, oa.Return}} {
		hb, ha := hops(p.rb), hops(p.ra)
		for i := 0; i < max(len(hb), len(ha)); i++ {
			var b, a *engine.Hop
			if i < len(hb) {
				b = &hb[i]
			}
			if i < len(ha) {
				a = &ha[i]
			}
			if b != nil && a != nil && hopSig(b) == hopSig(a) {
				continue
			}
			c := Cause{Path: p.path, Before: decisionText(b), After: decisionText(a)}
			switch {
			case b == nil:
				c.At, c.AtAfter = a.Component, a.Component
			case a == nil:
				c.At, c.AtAfter = b.Component, b.Component
			default:
				c.At, c.AtAfter = b.Component, a.Component
			}
			out = append(out, c)
			break
		}
	}
	if len(out) > 0 {
		return out
	}
	in := func(x Blocker, l []Blocker) bool {
		for _, y := range l {
			if x.Path == y.Path && x.Code == y.Code && x.At.ID == y.At.ID {
				return true
			}
		}
		return false
	}
	for _, x := range ob.Blockers {
		if !in(x, oa.Blockers) {
			out = append(out, Cause{Path: x.Path, At: x.At, AtAfter: x.At, Before: x.Text(), After: "(no longer)"})
		}
	}
	for _, x := range oa.Blockers {
		if !in(x, ob.Blockers) {
			out = append(out, Cause{Path: x.Path, At: x.At, AtAfter: x.At, Before: "(not before)", After: x.Text()})
		}
	}
	return out
}

func hops(r *engine.Result) []engine.Hop {
	if r == nil {
		return nil
	}
	return r.Hops
}

// hopSig is what a hop decided: the component (for security groups, the decision alone:
// which group of an interface allows is no change), the action and the rule or route.
func hopSig(h *engine.Hop) string {
	if h.Component.Kind == engine.KindSecurityGroup {
		s := "sg " + h.Action.String() + " " + h.Direction.String() + " " + h.Note
		if r := h.SGRule; r != nil {
			s += fmt.Sprintf(" %s %s%s%s", tools.RuleProtocol(r.Protocol, r.FromPort, r.ToPort), r.CIDR, r.PeerGroup, r.PrefixList)
		}
		return s
	}
	s := h.Component.ID + " " + h.Action.String() + " " + h.Direction.String()
	switch {
	case h.Route != nil:
		s += fmt.Sprintf(" %s>%s %s", h.Route.Destination, h.Route.Target, h.Route.State)
	case h.ACLRule != nil:
		s += fmt.Sprintf(" %d %v", h.ACLRule.RuleNumber, h.ACLRule.Allow)
	}
	return s
}

// decisionText says what a hop did, with the rule or route behind it, as the console shows
// rules and routes.
func decisionText(h *engine.Hop) string {
	if h == nil {
		return "(not on the path)"
	}
	dir := dirText(h.Direction)
	switch {
	case h.Route != nil:
		return fmt.Sprintf("%s by route %s -> %s (%s)", h.Action, h.Route.Destination, h.Route.Target, h.Route.State)
	case h.SGRule != nil:
		r := h.SGRule
		word := "from"
		if r.Direction == engine.Egress {
			word = "to"
		}
		return fmt.Sprintf("%s %s by a rule of %s: %s %s %s", h.Action, dir, r.GroupID, tools.RuleProtocol(r.Protocol, r.FromPort, r.ToPort), word, r.Peer())
	case h.ACLRule != nil:
		r := h.ACLRule
		from, to := r.FromPort, r.ToPort
		if from == 0 && to == 0 {
			from, to = -1, -1
		}
		return fmt.Sprintf("%s %s by rule %s: %s %s", h.Action, dir, r.Number(), tools.RuleProtocol(r.Protocol, from, to), r.CIDR)
	case h.Component.Kind == engine.KindSecurityGroup && h.Action == engine.ActDeny:
		return fmt.Sprintf("deny %s: no rule allows it", dir)
	}
	s := strings.TrimSpace(h.Action.String() + " " + dir)
	if h.Note != "" {
		s += ": " + h.Note
	}
	return s
}

// changedOn lists the model changes of every component either outcome's paths meet.
func changedOn(md *ModelDiff, os ...*Outcome) []Change {
	seen := map[string]bool{}
	var out []Change
	for _, o := range os {
		for _, r := range []*engine.Result{o.Forward, o.Return} {
			for _, h := range hops(r) {
				id := h.Component.ID
				if seen[id] {
					continue
				}
				seen[id] = true
				if c, ok := md.Change(id); ok {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func verdictText(o *Outcome) string {
	if o.Reachable {
		return "reachable"
	}
	return "blocked"
}

// WriteText prints the resource changes, then every flow that changed: its header ranges,
// the verdict before and after, the first decision that differs on each path, and the
// changes of the components it meets.
func (r *DiffResult) WriteText(w io.Writer) {
	r.Match.writeText(w)
	if len(r.Model.Changes) == 0 {
		fmt.Fprintln(w, "The topologies hold the same resources: nothing changed.")
		return
	}
	fmt.Fprintf(w, "%d resource(s) changed:\n", len(r.Model.Changes))
	for _, c := range r.Model.Changes {
		fmt.Fprintf(w, "  %s\n", c)
		for _, l := range c.Lines {
			fmt.Fprintf(w, "      %s\n", l)
		}
	}
	for _, l := range r.OnlyBefore {
		fmt.Fprintf(w, "  only before: %s (its flows are not compared)\n", l)
	}
	for _, l := range r.OnlyAfter {
		fmt.Fprintf(w, "  only after: %s (its flows are not compared)\n", l)
	}
	fmt.Fprintf(w, "\n%d flow(s) changed (%d pair(s) compared header by header, %d ruled out by a first packet)\n",
		len(r.Flows), r.Pairs, r.Skipped)
	for _, f := range r.Flows {
		fmt.Fprintf(w, "\n%s -> %s  %s: %s -> %s\n", f.From, f.To, f.Space.Text(f.Query), verdictText(f.Before), verdictText(f.After))
		for _, c := range f.Causes {
			at := c.At.String()
			if c.AtAfter.ID != c.At.ID {
				at += " / " + c.AtAfter.String()
			}
			fmt.Fprintf(w, "    %s at %s\n      before: %s\n      after:  %s\n", c.Path, at, c.Before, c.After)
		}
		for _, c := range f.Changed {
			fmt.Fprintf(w, "    changed: %s\n", c.text())
		}
	}
}

// FlowChangeJSON is one changed flow for tools.
type FlowChangeJSON struct {
	From, To          string
	VpclabHeaderSpace []HeaderRange
	Before, After     FlowSideJSON
	Causes            []CauseJSON
	Changed           []Change
}

// FlowSideJSON is a flow's outcome in one topology.
type FlowSideJSON struct {
	Reachable    bool
	SeenSource   string `json:",omitempty"`
	Explanations []any  `json:",omitempty"`
}

// CauseJSON is the first decision that differs on a path.
type CauseJSON struct {
	Path          string
	ComponentId   string
	ComponentName string `json:",omitempty"`
	// The component on the after side, when it differs (an interface's groups, a subnet's
	// network ACL or route table changed).
	AfterComponentId   string `json:",omitempty"`
	AfterComponentName string `json:",omitempty"`
	Before, After      string
}

// DiffJSON is the diff for tools.
type DiffJSON struct {
	Changes               []Change
	Flows                 []FlowChangeJSON
	OnlyBefore, OnlyAfter []string `json:",omitempty"`
	// When IDs differ: the resources matched by Name tag or CIDR instead, and those that
	// could not be matched.
	MatchedByName []MatchedResource   `json:",omitempty"`
	NotMatched    []UnmatchedResource `json:",omitempty"`
}

// JSON renders the diff for tools.
func (r *DiffResult) JSON() DiffJSON {
	j := DiffJSON{Changes: r.Model.Changes, OnlyBefore: r.OnlyBefore, OnlyAfter: r.OnlyAfter, Flows: []FlowChangeJSON{}}
	if j.Changes == nil {
		j.Changes = []Change{}
	}
	if m := r.Match; m != nil && len(m.Matched) > 0 {
		j.MatchedByName, j.NotMatched = m.Matched, m.NotMatched
	}
	side := func(o *Outcome) FlowSideJSON {
		s := FlowSideJSON{Reachable: o.Reachable}
		if o.Arrived && o.Seen.IsValid() {
			s.SeenSource = o.Seen.String()
		}
		for _, e := range Explanations(o.Blockers) {
			s.Explanations = append(s.Explanations, e)
		}
		return s
	}
	for _, f := range r.Flows {
		fj := FlowChangeJSON{From: f.From, To: f.To, VpclabHeaderSpace: f.Space.HeaderRanges(),
			Before: side(f.Before), After: side(f.After), Changed: f.Changed}
		for _, c := range f.Causes {
			cj := CauseJSON{Path: c.Path, ComponentId: c.At.ID, ComponentName: c.At.Name, Before: c.Before, After: c.After}
			if c.AtAfter.ID != c.At.ID {
				cj.AfterComponentId, cj.AfterComponentName = c.AtAfter.ID, c.AtAfter.Name
			}
			fj.Causes = append(fj.Causes, cj)
		}
		j.Flows = append(j.Flows, fj)
	}
	return j
}
