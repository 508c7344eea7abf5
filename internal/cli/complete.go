package cli

import (
	"bufio"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vpclab/vpclab/internal/model"
)

// endpointNamesCmd is the hidden command that lists what an endpoint may be called, for
// the shell's completion (it asks a resident the same way it asks a question).
const endpointNamesCmd = "endpoint-names"

func newEndpointNames(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    endpointNamesCmd,
		Short:  "List the names endpoints can be given, one per line (for completion)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.load()
			if err != nil {
				return err
			}
			w := bufio.NewWriterSize(g.stdout, 64<<10) // hundreds of thousands of lines
			for _, s := range endpointNames(n.Topology) {
				fmt.Fprintln(w, s)
			}
			return w.Flush()
		},
	}
}

// endpointNames are the IDs and Name tags an endpoint can be written with, sorted: what
// names a sender or receiver alone (instances, interfaces, NAT gateways, declared hosts,
// VPN gateways, internet), and, ending in ':' for the address that follows, what a host
// can be beyond (transit gateway attachments, VPN connections, Direct Connect gateways,
// peering connections, internet gateways, subnets).
func endpointNames(t *model.Topology) []string {
	seen := map[string]bool{"internet": true, "internet:": true}
	add := func(suffix string, names ...string) {
		for _, n := range names {
			if n != "" {
				seen[n+suffix] = true
			}
		}
	}
	for _, x := range t.Instances {
		add("", string(x.ID), x.Name)
	}
	for _, x := range t.NetworkInterfaces {
		add("", string(x.ID), x.Name)
	}
	for _, x := range t.NATGateways {
		add("", string(x.ID), x.Name)
	}
	for _, x := range t.InternetHosts {
		add("", x.Name)
	}
	for _, o := range t.OnPremises {
		for _, h := range o.Hosts {
			add("", h.Name)
		}
	}
	for _, x := range t.VPNGateways {
		add("", string(x.ID), x.Name)
		add(":", string(x.ID))
	}
	for _, x := range t.TGWAttachments {
		add(":", string(x.ID), x.Name)
	}
	for _, x := range t.VPNConnections {
		add(":", string(x.ID), x.Name)
	}
	for _, x := range t.DXGateways {
		add(":", string(x.ID), x.Name)
	}
	for _, x := range t.Peerings {
		add(":", string(x.ID), x.Name)
	}
	for _, x := range t.InternetGateways {
		add(":", string(x.ID), x.Name)
	}
	for _, x := range t.Subnets {
		add(":", string(x.ID), x.Name)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// shellCommands are what the shell takes, in the order help lists them.
var shellCommands = []string{"trace", "reach", "ping", "traceroute", "matrix", "check", "validate"}

// shellWords are the shell's own words besides the commands.
var shellWords = []string{"help", "exit", "quit"}

// flagValues are the values a flag takes, where they are few; endpoint flags take names.
var flagValues = map[string][]string{
	"protocol": {"icmp", "tcp", "udp"},
	"scope":    {"instances", "subnets"},
}

var endpointFlags = map[string]bool{"from": true, "to": true, "capture": true}

// completer completes a shell line: command names, then the command's flags, the values of
// --protocol, --output and --scope, and endpoint names for --from, --to, --capture and
// ping's and traceroute's arguments.
type completer struct {
	cmds  map[string]*cobra.Command
	names func() []string // sorted; asked only when a name is to be completed
}

func newCompleter(names func() []string) *completer {
	root := newRoot(&globals{runOptions: runOptions{getenv: func(string) string { return "" }}})
	c := &completer{cmds: map[string]*cobra.Command{}, names: names}
	for _, name := range shellCommands {
		cmd, _, err := root.Find([]string{name})
		if err == nil {
			c.cmds[name] = cmd
		}
	}
	return c
}

// complete returns where the word being completed (the last of line) starts and its
// candidates, sorted.
func (c *completer) complete(line string) (start int, cands []string) {
	start = strings.LastIndexAny(line, " \t") + 1
	word := line[start:]
	words := strings.Fields(line[:start])
	if len(words) == 0 {
		return start, withPrefix(append(slices.Clone(shellCommands), shellWords...), word)
	}
	if words[0] == "help" {
		if len(words) == 1 {
			return start, withPrefix(slices.Clone(shellCommands), word)
		}
		return start, nil
	}
	cmd := c.cmds[words[0]]
	if cmd == nil {
		return start, nil
	}
	flags := cmd.Flags()
	if prev := words[len(words)-1]; strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") {
		if f := lookupFlag(flags, prev); f != nil && f.Value.Type() != "bool" {
			return start, c.values(cmd, f, word)
		}
	}
	if strings.HasPrefix(word, "-") {
		var all []string
		flags.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && f.Name != "topology" && f.Name != "no-resident" && f.Name != "help" {
				all = append(all, "--"+f.Name)
			}
		})
		cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "seed" {
				all = append(all, "--seed")
			}
		})
		sort.Strings(all)
		return start, withPrefix(slices.Compact(all), word)
	}
	if words[0] == "ping" || words[0] == "traceroute" {
		return start, c.namesWith(word)
	}
	return start, nil
}

func lookupFlag(fs *pflag.FlagSet, arg string) *pflag.Flag {
	if name, ok := strings.CutPrefix(arg, "--"); ok {
		return fs.Lookup(name)
	}
	if len(arg) == 2 {
		return fs.ShorthandLookup(arg[1:])
	}
	return nil
}

func (c *completer) values(cmd *cobra.Command, f *pflag.Flag, word string) []string {
	switch {
	case endpointFlags[f.Name]:
		return c.namesWith(word)
	case f.Name == "output":
		// The usage says which: "text or json", "text, csv or json".
		var vs []string
		for _, v := range []string{"csv", "json", "text"} {
			if strings.Contains(f.Usage, v) {
				vs = append(vs, v)
			}
		}
		return withPrefix(vs, word)
	}
	return withPrefix(slices.Clone(flagValues[f.Name]), word)
}

// namesWith are the endpoint names starting with word (found by binary search: an estate
// has hundreds of thousands).
func (c *completer) namesWith(word string) []string {
	if c.names == nil {
		return nil
	}
	all := c.names()
	i := sort.SearchStrings(all, word)
	j := i
	for j < len(all) && strings.HasPrefix(all[j], word) {
		j++
	}
	return all[i:j:j]
}

func withPrefix(list []string, word string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, word) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// commonPrefix is the longest prefix of every string in list (not empty).
func commonPrefix(list []string) string {
	p := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
