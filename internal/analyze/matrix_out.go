package analyze

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/tools"
)

// Grid marks, one per cell.
var marks = [...]byte{None: '.', Some: '+', All: '#', Self: '\\'}

func (m *Matrix) queryText() string { return queryText(m.Query) }

func queryText(q Query) string {
	if q == Everything() {
		return "every protocol and port"
	}
	sp := Space{}
	for _, c := range q.classes() {
		da, db := q.dims(c)
		sp = append(sp, Box{Class: c, A: []Interval{da}, B: []Interval{db}, Protos: q.otherProtos()})
	}
	return sp.Text(q)
}

// WriteText prints the matrix as a grid, rows from and columns to, with a legend, then the
// partly reachable pairs grouped by what gets through, and why nothing does elsewhere.
func (m *Matrix) WriteText(w io.Writer) {
	writePairsText(w, m.Scope, m.Query, m.Endpoints, func(i, j int) Cell { return m.Cells[i][j] })
}

// WriteText prints the grouped matrix expanded to pairs, as Matrix.WriteText does.
func (g *Grouped) WritePairsText(w io.Writer) {
	writePairsText(w, g.Scope, g.Query, g.Endpoints, g.rowCells())
}

func writePairsText(w io.Writer, scope string, q Query, eps []MatrixEndpoint, cell func(i, j int) Cell) {
	var all, some, none int
	for i := range eps {
		for j := range eps {
			switch cell(i, j).Verdict {
			case All:
				all++
			case Some:
				some++
			case None:
				none++
			}
		}
	}
	fmt.Fprintf(w, "Who reaches whom: %d %s, %s, both ways (rows: from, columns: to)\n", len(eps), scope, queryText(q))
	fmt.Fprintf(w, "Legend: %c everything asked is reachable  %c some of it  %c none of it  %c itself\n\n",
		marks[All], marks[Some], marks[None], marks[Self])
	width := 0
	for _, e := range eps {
		width = max(width, len(e.Label()))
	}
	width = min(width, 40)
	digits := len(strconv.Itoa(len(eps)))
	pad := strings.Repeat(" ", digits+2+width+1)
	for d := range digits {
		var b strings.Builder
		b.WriteString(pad)
		for j := range eps {
			s := fmt.Sprintf("%*d", digits, j+1)
			b.WriteByte(s[d])
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	row := make([]byte, len(eps))
	for i, e := range eps {
		for j := range eps {
			row[j] = marks[cell(i, j).Verdict]
		}
		fmt.Fprintf(w, "%*d  %-*s %s\n", digits, i+1, width, trim(e.Label(), width), row)
	}
	fmt.Fprintf(w, "\n%d pair(s): %d all reachable, %d partly, %d not at all\n", all+some+none, all, some, none)
	writeGroups(w, len(eps), cell, Some, "Partly reachable", func(c Cell) string { return c.Reachable.Text(q) + " get through" })
	writeGroups(w, len(eps), cell, None, "Not reachable", func(c Cell) string {
		b := c.Blocker
		return fmt.Sprintf("first blocked on the %s path by %s at %s", b.Path, b.Code, b.At)
	})
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// writeGroups lists the cells of one verdict grouped by a description, most pairs first,
// with up to five example pairs each.
func writeGroups(w io.Writer, n int, cell func(i, j int) Cell, v Verdict, title string, desc func(Cell) string) {
	type group struct {
		text  string
		pairs []string
		n     int
	}
	byText := map[string]*group{}
	var groups []*group
	for i := range n {
		for j := range n {
			c := cell(i, j)
			if c.Verdict != v {
				continue
			}
			t := desc(c)
			g := byText[t]
			if g == nil {
				g = &group{text: t}
				byText[t] = g
				groups = append(groups, g)
			}
			if g.n++; len(g.pairs) < 5 {
				g.pairs = append(g.pairs, fmt.Sprintf("%d>%d", i+1, j+1))
			}
		}
	}
	if len(groups) == 0 {
		return
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].n > groups[j].n })
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, g := range groups {
		more := ""
		if g.n > len(g.pairs) {
			more = ", ..."
		}
		fmt.Fprintf(w, "  %s: %d pair(s) (%s%s)\n", g.text, g.n, strings.Join(g.pairs, ", "), more)
	}
}

// WriteCSV prints one line per ordered pair (itself excluded): who, whom, the verdict, what
// gets through when only some does, and the first blocker when not everything does.
func (m *Matrix) WriteCSV(w io.Writer) error {
	return writePairsCSV(w, m.Query, m.Endpoints, func(i, j int) Cell { return m.Cells[i][j] })
}

// WritePairsCSV prints the grouped matrix expanded to pairs, as Matrix.WriteCSV does, line by
// line: nothing per pair is held.
func (g *Grouped) WritePairsCSV(w io.Writer) error {
	return writePairsCSV(w, g.Query, g.Endpoints, g.rowCells())
}

func writePairsCSV(w io.Writer, q Query, eps []MatrixEndpoint, cell func(i, j int) Cell) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"from_id", "from_name", "to_id", "to_name", "verdict", "reachable", "first_blocker"})
	for i, f := range eps {
		for j, t := range eps {
			c := cell(i, j)
			if c.Verdict == Self {
				continue
			}
			_ = cw.Write([]string{f.ID, f.Name, t.ID, t.Name, c.Verdict.String(), c.Reachable.Text(q), c.blockerText()})
		}
		if err := cw.Error(); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// MatrixJSON is the matrix for tools.
type MatrixJSON struct {
	Scope     string
	Query     string
	Endpoints []MatrixEndpointJSON
	Cells     []CellJSON // every ordered pair but an endpoint and itself
}

// MatrixEndpointJSON is an endpoint; Index is its row and column, from 1.
type MatrixEndpointJSON struct {
	Index   int
	Id      string
	Name    string `json:",omitempty"`
	Address string
}

// CellJSON is one ordered pair.
type CellJSON struct {
	From, To     int
	Verdict      string
	Reachable    []HeaderRange      `json:",omitempty"`
	FirstBlocker *tools.Explanation `json:",omitempty"`
}

// JSON renders the matrix for tools.
func (m *Matrix) JSON() MatrixJSON {
	j := MatrixJSON{Scope: m.Scope, Query: m.queryText()}
	for i, e := range m.Endpoints {
		j.Endpoints = append(j.Endpoints, MatrixEndpointJSON{Index: i + 1, Id: e.ID, Name: e.Name, Address: e.Endpoint.IP.String()})
	}
	for i, row := range m.Cells {
		for k, c := range row {
			if c.Verdict == Self {
				continue
			}
			j.Cells = append(j.Cells, cellJSON(i, k, c))
		}
	}
	return j
}

func cellJSON(i, k int, c Cell) CellJSON {
	cj := CellJSON{From: i + 1, To: k + 1, Verdict: c.Verdict.String(), Reachable: c.Reachable.HeaderRanges()}
	if c.Blocker != nil {
		cj.FirstBlocker = &Explanations([]Blocker{*c.Blocker})[0]
	}
	if len(cj.Reachable) == 0 {
		cj.Reachable = nil
	}
	return cj
}
