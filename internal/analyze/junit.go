package analyze

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteCheckText prints a verdict per intent, with what does not hold under each failure,
// then the totals.
func WriteCheckText(w io.Writer, file string, results []IntentResult) {
	failed := 0
	for _, r := range results {
		verdict := "PASS"
		if !r.Pass {
			verdict, failed = "FAIL", failed+1
		}
		fmt.Fprintf(w, "%s  %s:%d  %s: %s\n", verdict, file, r.Intent.Line, r.Title(), r.Intent.Expect)
		for _, why := range r.Why {
			fmt.Fprintf(w, "        %s\n", why)
		}
	}
	fmt.Fprintf(w, "%d intent(s): %d passed, %d failed\n", len(results), len(results)-failed, failed)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit renders the results as JUnit XML (one test suite, a test case per intent) for CI
// systems. It carries no timestamps, so the same run gives the same file.
func JUnit(file string, results []IntentResult) []byte {
	s := junitSuite{Name: file, Tests: len(results)}
	for _, r := range results {
		c := junitCase{Name: fmt.Sprintf("%s: %s", r.Title(), r.Intent.Expect), ClassName: "vpclab.check", File: file, Line: r.Intent.Line}
		if !r.Pass {
			s.Failures++
			c.Failure = &junitFailure{Message: r.Why[0], Type: "IntentNotHeld", Text: strings.Join(r.Why, "\n")}
		}
		s.Cases = append(s.Cases, c)
	}
	doc := junitSuites{Name: "vpclab check", Tests: s.Tests, Failures: s.Failures, Suites: []junitSuite{s}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // only plain strings and numbers: cannot fail
	}
	return append([]byte(xml.Header), append(out, '\n')...)
}
