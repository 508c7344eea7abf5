package cli

import (
	"fmt"

	"github.com/vpclab/vpclab/internal/analyze"
)

// Sizes past which --form auto prints the grouped form: a text grid of more endpoints is no
// longer read, and per-pair CSV or JSON of more bytes is no longer handled by a spreadsheet
// or a script in memory.
const (
	maxGridEndpoints = 2000
	maxPairBytes     = 1 << 30
	largeRunPairs    = 1_000_000 // from this many pairs a run says how large it is first
)

// writeMatrix groups the endpoints, says how large the run is when it is large, picks the
// form and writes the matrix.
func (g *globals) writeMatrix(a *analyze.Analyzer, scope string, eps []analyze.MatrixEndpoint, q analyze.Query, output, form string) error {
	m := a.GroupEndpoints(scope, eps, q)
	pairs := m.Pairs()
	size := pairBytes(eps, output)
	if form == "auto" {
		form = "pairs"
		if output == "text" && len(eps) > maxGridEndpoints || output != "text" && size > maxPairBytes {
			form = "classes"
			fmt.Fprintf(g.stderr, "vpclab: a line per pair would be %s of %s for %d pairs: printing the grouped form (--form classes); pass --form pairs for every pair\n",
				bytesText(size), output, pairs)
		}
	}
	if pairs >= largeRunPairs {
		fmt.Fprintf(g.stderr, "vpclab: matrix of %d %s: %d pairs in %d classes (a line per pair: about %s of %s)\n",
			len(eps), scope, pairs, len(m.Classes), bytesText(size), output)
	}
	if form == "pairs" && output == "json" {
		// Each pair's blocker detail is its own: the pairwise matrix, streamed row by row.
		return a.WritePairsJSON(g.stdout, scope, eps, q, g.progress("matrix", "rows"))
	}
	m.Compute(g.progress("matrix", "classes"))
	switch {
	case form == "pairs" && output == "csv":
		return m.WritePairsCSV(g.stdout)
	case form == "pairs":
		m.WritePairsText(g.stdout)
		return nil
	case output == "csv":
		return m.WriteCSV(g.stdout)
	case output == "json":
		return m.WriteJSON(g.stdout)
	}
	return m.WriteText(g.stdout)
}

// pairBytes estimates the size of a line-per-pair output: the CSV's lines carry both ends'
// IDs and names, a verdict and often a blocker; JSON's indented cells about 400 bytes; the
// text grid a byte per pair.
func pairBytes(eps []analyze.MatrixEndpoint, output string) int64 {
	n := int64(len(eps))
	pairs := n * max(n-1, 0)
	switch output {
	case "text":
		return n * n
	case "json":
		return pairs * 400
	}
	var names int64
	for _, e := range eps {
		names += int64(len(e.ID) + len(e.Name))
	}
	return 2*names*max(n-1, 0) + pairs*80
}

func bytesText(b int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	f, u := float64(b), 0
	for f >= 1000 && u < len(units)-1 {
		f /= 1000
		u++
	}
	return fmt.Sprintf("%.3g %s", f, units[u])
}
