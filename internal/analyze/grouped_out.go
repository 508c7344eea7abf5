package analyze

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/tools"
)

// The grouped form of a matrix (--form classes) lists the classes with their members, then
// one row per class and set of destinations: its size grows with the classes, not with the
// pairs. A row from class C to class D answers every pair of a member of C and a member of D
// (two distinct members when D is C); a row to a far set answers every member of C and every
// endpoint of the set.

// ClassName is a class's name in the grouped outputs: C and its number, from 1.
func ClassName(c int32) string { return "C" + strconv.Itoa(int(c)+1) }

// ToText says whom a row answers for: a class, or a far set.
func (g *Grouped) ToText(r *ClassRow) string {
	if r.Far == nil {
		return ClassName(r.To)
	}
	return r.Far.Text()
}

// Text describes a far set in one line.
func (f *FarSet) Text() string {
	var b strings.Builder
	b.WriteString("outside " + string(f.VPC))
	for k, ps := range [][]netip.Prefix{f.In, f.NotIn} {
		if len(ps) == 0 {
			continue
		}
		b.WriteString([]string{", in", ", not in"}[k])
		for _, p := range ps {
			b.WriteString(" " + p.String())
		}
	}
	if f.Public {
		b.WriteString(", a public IP of the topology")
	}
	return b.String()
}

func (g *Grouped) noun(n int) string {
	if n == 1 {
		return strings.TrimSuffix(g.Scope, "s")
	}
	return g.Scope
}

// WriteText prints the grouped form: the classes and their members, one row per class and
// destination set with its verdict, what gets through and the first blocker, and the counts.
func (g *Grouped) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	all, some, none := g.Counts()
	fmt.Fprintf(bw, "Who reaches whom: %d %s in %d classes, %s, both ways (grouped: the members of a class are alike to the network)\n\n",
		len(g.Endpoints), g.Scope, len(g.Classes), queryText(g.Query))
	fmt.Fprintln(bw, "Classes:")
	for c, ms := range g.Classes {
		fmt.Fprintf(bw, "  %s (%s, %d %s):", ClassName(int32(c)), g.Endpoints[ms[0]].VPC, len(ms), g.noun(len(ms)))
		for _, m := range ms {
			bw.WriteString(" " + g.Endpoints[m].Label())
		}
		bw.WriteByte('\n')
	}
	fmt.Fprintln(bw, "\nAnswers (from a class to a class, or to every endpoint of a far set):")
	for i := range g.Rows {
		r := &g.Rows[i]
		fmt.Fprintf(bw, "  %s -> %s: %s", ClassName(r.From), g.ToText(r), r.Cell.Verdict)
		if r.Cell.Verdict == Some {
			fmt.Fprintf(bw, ", %s get through", r.Cell.Reachable.Text(g.Query))
		}
		if b := r.Cell.Blocker; b != nil {
			fmt.Fprintf(bw, ", first blocked on the %s path by %s at %s", b.Path, b.Code, b.At)
		}
		fmt.Fprintf(bw, " (%d pair(s))\n", r.Pairs)
	}
	fmt.Fprintf(bw, "\n%d pair(s): %d all reachable, %d partly, %d not at all\n", all+some+none, all, some, none)
	return bw.Flush()
}

// WriteCSV prints the grouped form as one table: member lines (kind "member": class, ID,
// name), then answer lines (kind "answer": from class, to, verdict, reachable, first blocker,
// pairs).
func (g *Grouped) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "class", "member_id", "member_name", "to", "verdict", "reachable", "first_blocker", "pairs"})
	for i, e := range g.Endpoints {
		_ = cw.Write([]string{"member", ClassName(g.ClassOf[i]), e.ID, e.Name, "", "", "", "", ""})
	}
	for i := range g.Rows {
		r := &g.Rows[i]
		_ = cw.Write([]string{"answer", ClassName(r.From), "", "", g.ToText(r), r.Cell.Verdict.String(),
			r.Cell.Reachable.Text(g.Query), r.Cell.blockerText(), strconv.FormatInt(r.Pairs, 10)})
		if err := cw.Error(); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// GroupedEndpointJSON is an endpoint and its class.
type GroupedEndpointJSON struct {
	Index   int
	Id      string
	Name    string `json:",omitempty"`
	Address string
	Class   string
}

// GroupedRowJSON is one answer: from a class to a class (To) or to a far set (ToFar).
type GroupedRowJSON struct {
	From         string
	To           string   `json:",omitempty"`
	ToFar        *FarJSON `json:",omitempty"`
	Verdict      string
	Reachable    []HeaderRange      `json:",omitempty"`
	FirstBlocker *tools.Explanation `json:",omitempty"`
	Pairs        int64
}

// FarJSON is a far set: the endpoints outside VPC whose address is in every prefix of In and
// none of NotIn, and a public IP of the topology or not.
type FarJSON struct {
	VPC         string
	In, NotIn   []string
	PublicIP    bool
	Description string
}

// WriteJSON prints the grouped form as a JSON document, element by element: Scope, Query,
// Form ("classes"), Classes (their number), Endpoints (each with its class), Rows.
func (g *Grouped) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	head, _ := json.Marshal(struct {
		Scope, Query, Form string
		Classes            int
	}{g.Scope, queryText(g.Query), "classes", len(g.Classes)})
	bw.Write(head[:len(head)-1])
	bw.WriteString(",\n\"Endpoints\": [")
	for i, e := range g.Endpoints {
		writeElem(bw, i, GroupedEndpointJSON{Index: i + 1, Id: e.ID, Name: e.Name, Address: e.Endpoint.IP.String(), Class: ClassName(g.ClassOf[i])})
	}
	bw.WriteString("\n],\n\"Rows\": [")
	for i := range g.Rows {
		r := &g.Rows[i]
		j := GroupedRowJSON{From: ClassName(r.From), Verdict: r.Cell.Verdict.String(), Reachable: r.Cell.Reachable.HeaderRanges(), Pairs: r.Pairs}
		if r.Far == nil {
			j.To = ClassName(r.To)
		} else {
			f := &FarJSON{VPC: string(r.Far.VPC), In: []string{}, NotIn: []string{}, PublicIP: r.Far.Public, Description: r.Far.Text()}
			for _, p := range r.Far.In {
				f.In = append(f.In, p.String())
			}
			for _, p := range r.Far.NotIn {
				f.NotIn = append(f.NotIn, p.String())
			}
			j.ToFar = f
		}
		if len(j.Reachable) == 0 {
			j.Reachable = nil
		}
		if r.Cell.Blocker != nil {
			j.FirstBlocker = &Explanations([]Blocker{*r.Cell.Blocker})[0]
		}
		writeElem(bw, i, j)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func writeElem(bw *bufio.Writer, i int, v any) {
	b, _ := json.Marshal(v)
	if i > 0 {
		bw.WriteByte(',')
	}
	bw.WriteString("\n")
	bw.Write(b)
}
