package model

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem stops the load (Error) or is only reported (Warning).
type Severity int

const (
	Error Severity = iota
	Warning
)

// Problem is one thing wrong with an input, located by its Source.
type Problem struct {
	Severity Severity
	Src      Source
	Message  string
}

func (p Problem) String() string {
	kind := "error"
	if p.Severity == Warning {
		kind = "warning"
	}
	if p.Src.File == "" {
		return kind + ": " + p.Message
	}
	return p.Src.String() + ": " + kind + ": " + p.Message
}

// Problems collects every problem of an input in one pass (validation never stops at the first).
type Problems []Problem

// Errorf records an error at src.
func (ps *Problems) Errorf(src Source, format string, args ...any) {
	*ps = append(*ps, Problem{Severity: Error, Src: src, Message: fmt.Sprintf(format, args...)})
}

// Warnf records a warning at src.
func (ps *Problems) Warnf(src Source, format string, args ...any) {
	*ps = append(*ps, Problem{Severity: Warning, Src: src, Message: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any problem is an Error.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Warnings returns only the warnings.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == Warning {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders problems by file, line, path, then message, so output diffs cleanly.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Src, ps[j].Src
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return ps[i].Message < ps[j].Message
	})
}

// Error makes Problems usable as an error: one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
