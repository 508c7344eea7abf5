package analyze

import (
	"bufio"
	"encoding/json"
	"io"
	"runtime"
	"sync"
)

// MatrixRows is the pairwise matrix (Matrix) row by row: emit gets each row in order, as soon
// as it and those before it are answered, so no more than a few rows are held. It stops at
// emit's first error. progress is as MatrixProgress's.
func (a *Analyzer) MatrixRows(eps []MatrixEndpoint, q Query, progress func(done, total int), emit func(i int, row []Cell) error) error {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(eps)))
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := map[int][]Cell{}
	nextOut, done := 0, 0
	var err error
	parallel(len(eps), func(i int) bool {
		mu.Lock()
		for i >= nextOut+4*workers && err == nil { // bounded: wait for the writer
			cond.Wait()
		}
		stop := err != nil
		mu.Unlock()
		if stop {
			return false
		}
		row := a.row(eps, i, q)
		mu.Lock()
		defer mu.Unlock()
		ready[i] = row
		if progress != nil {
			done++
			progress(done, len(eps))
		}
		for r, ok := ready[nextOut]; ok && err == nil; r, ok = ready[nextOut] {
			delete(ready, nextOut)
			err = emit(nextOut, r)
			nextOut++
		}
		cond.Broadcast()
		return true
	})
	return err
}

// WritePairsJSON streams the pairwise matrix as JSON, byte for byte what encoding MatrixJSON
// with a two-space indent gives (Matrix.JSON), row by row as MatrixRows answers them.
func (a *Analyzer) WritePairsJSON(w io.Writer, scope string, eps []MatrixEndpoint, q Query, progress func(done, total int)) error {
	bw := bufio.NewWriter(w)
	head, _ := json.Marshal(scope)
	query, _ := json.Marshal(queryText(q))
	bw.WriteString("{\n  \"Scope\": " + string(head) + ",\n  \"Query\": " + string(query) + ",\n  \"Endpoints\": ")
	if len(eps) == 0 {
		bw.WriteString("null")
	}
	for i, e := range eps {
		writeIndented(bw, i, MatrixEndpointJSON{Index: i + 1, Id: e.ID, Name: e.Name, Address: e.Endpoint.IP.String()})
	}
	if len(eps) > 0 {
		bw.WriteString("\n  ]")
	}
	bw.WriteString(",\n  \"Cells\": ")
	n := 0
	err := a.MatrixRows(eps, q, progress, func(i int, row []Cell) error {
		for k, c := range row {
			if c.Verdict == Self {
				continue
			}
			writeIndented(bw, n, cellJSON(i, k, c))
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		bw.WriteString("null\n}\n")
	} else {
		bw.WriteString("\n  ]\n}\n")
	}
	return bw.Flush()
}

func writeIndented(bw *bufio.Writer, i int, v any) {
	b, _ := json.MarshalIndent(v, "    ", "  ")
	if i == 0 {
		bw.WriteString("[\n    ")
	} else {
		bw.WriteString(",\n    ")
	}
	bw.Write(b)
}
