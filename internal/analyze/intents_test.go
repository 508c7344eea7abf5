package analyze

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// Done when: every mistake in an intents file is one error naming the file and the line of
// the offending key or value, in line order, and a good intent parses into its query.
func TestParseIntentsProblems(t *testing.T) {
	type want struct {
		line int    // 0: no line (the YAML parser gave none)
		msg  string // the message starts with or contains this
	}
	for _, c := range []struct {
		yaml string
		want []want
	}{
		{"- from: a\n  to: b\n  prot: tcp\n  expect: reachable\n", []want{{3, `unknown key "prot" (did you mean protocol?)`}}},
		{"- from: a\n  to: b\n  port: 70000\n  expect: reachabel\n", []want{{3, `port "70000": not a port`}, {4, `expect "reachabel"`}}},
		{"- from: a\n  to: b\n  port: 443-80\n  expect: reachable\n", []want{{3, `port "443-80": the range runs backwards`}}},
		{"- from: a\n  expect: reachable\n", []want{{1, "the intent has no to"}}},
		{"- {from: a, to: b, protocol: icmp, port: 8, expect: reachable}\n", []want{{1, "port: protocol icmp has no ports"}}},
		{"- {from: a, to: b, expect: unreachable, seen_as: 10.0.0.1}\n", []want{{1, "via and seen_as describe a path"}}},
		{"- {from: a, to: b, expect: reachable, seen_as: nat}\n", []want{{1, `seen_as "nat" is not an IPv4 address`}}},
		{"from: a\n", []want{{1, "the file must be a list"}}},
		{"- {from: a\n", []want{{1, "did not find expected ',' or '}'"}}},
		{"", []want{{0, "no intents"}}},
		{"---", []want{{0, "no intents"}}},
		{"- {from: a, to: b, expect: reachable, via: }\n", []want{{1, "via is a list of component names or IDs"}}},
		{"# nothing yet\n[]\n", []want{{2, "no intents"}}},
		{"- to: b\n  expect: reachable\n  from:\n", []want{{3, "from is empty"}}},
		{"- {from: a, to: b, expect: reachable, via: [nat, [igw]]}\n", []want{{1, "via is a list of component names or IDs"}}},
		{"- {from: a, to: b, expect: reachable, expect: reachable}\n", []want{{1, "expect is given twice"}}},
	} {
		_, probs := ParseIntents("f.yaml", []byte(c.yaml))
		if len(probs) != len(c.want) {
			t.Errorf("%q: problems %q, want %d", c.yaml, probs, len(c.want))
			continue
		}
		for i, w := range c.want {
			p := probs[i]
			if p.Severity != model.Error || p.Src.File != "f.yaml" || p.Src.Line != w.line || !strings.Contains(p.Message, w.msg) {
				t.Errorf("%q: problem %v (%+v), want an error at f.yaml:%d saying %q", c.yaml, p, p.Src, w.line, w.msg)
			}
		}
	}
	in, probs := ParseIntents("f.yaml", []byte("- {from: a, to: b, protocol: TCP, port: 1024-65535, expect: reachable, via: nat}\n"))
	if len(probs) > 0 || in[0].Query != (Query{Protocol: 6, DstPorts: Interval{1024, 65535}, SrcPorts: AllPorts, ICMPTypes: allICMP}) || !slices.Equal(in[0].Via, []string{"nat"}) {
		t.Errorf("%+v %v", in, probs)
	}
}

// Done when: two intents with one name (reports tell intents apart by name) give a warning at
// the second name, and both intents are kept.
func TestParseIntentsDuplicateName(t *testing.T) {
	in, probs := ParseIntents("f.yaml", []byte(`- {name: web, from: a, to: b, expect: reachable}
- name: web
  from: b
  to: a
  expect: unreachable
- {name: db, from: a, to: c, expect: reachable}
`))
	if len(in) != 3 || probs.HasErrors() || len(probs) != 1 || probs[0].Severity != model.Warning ||
		probs[0].Src != (model.Source{File: "f.yaml", Line: 2}) || !strings.Contains(probs[0].Message, `"web" is also the name of the intent at line 1`) {
		t.Errorf("%d intent(s), problems %v", len(in), probs)
	}
}

func TestCheckIntents(t *testing.T) {
	n := labNet(t, labFile(t, "../../examples/east-west-nat/lab.yaml"))
	a := New(n, 1)
	file := `- {from: source, to: destination, protocol: tcp, port: 443, expect: reachable, via: [osaka-NAT], seen_as: 10.0.2.149}
- {from: source, to: destination, protocol: 47, expect: unreachable}
- {from: source, to: destination, protocol: tcp, port: 443, expect: reachable, seen_as: 10.0.0.11}
- {from: source, to: destination, protocol: tcp, expect: unreachable}
- {from: destination, to: source, protocol: tcp, port: 22, expect: reachable}
- {from: source, to: destination, protocol: tcp, port: 22, expect: reachable, via: [igw]}
`
	intents, probs := ParseIntents("i.yaml", []byte(file))
	eps, rprobs := a.ResolveIntents("i.yaml", intents)
	if len(probs)+len(rprobs) > 0 {
		t.Fatal(probs, rprobs)
	}
	res := a.CheckIntents(intents, eps)
	want := []bool{true, true, false, false, false, false}
	for i, r := range res {
		if r.Pass != want[i] {
			t.Errorf("intent %d (%s): pass=%v, want %v; %v", i+1, r.Title(), r.Pass, want[i], r.Why)
		}
	}
	if !strings.Contains(strings.Join(res[2].Why, "\n"), "sees 10.0.2.149, not 10.0.0.11") ||
		!strings.Contains(strings.Join(res[4].Why, "\n"), CodeReplySourceMismatch) ||
		!strings.Contains(strings.Join(res[5].Why, "\n"), "does not cross igw") {
		t.Errorf("explanations:\n%v\n%v\n%v", res[2].Why, res[4].Why, res[5].Why)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(JUnit("i.yaml", res), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 6 || doc.Failures != 4 || len(doc.Suites[0].Cases) != 6 || doc.Suites[0].Cases[0].Failure != nil || doc.Suites[0].Cases[2].Failure == nil {
		t.Errorf("junit: %+v", doc)
	}

	_, rprobs = a.ResolveIntents("i.yaml", []Intent{{From: "sorce", To: "destination", Via: []string{"nope"}, Lines: map[string]int{"from": 3, "via": 5}}})
	if len(rprobs) != 2 || !rprobs.HasErrors() || len(rprobs.Warnings()) != 0 ||
		rprobs[0].Src != (model.Source{File: "i.yaml", Line: 3}) || !strings.HasPrefix(rprobs[0].Message, `from: endpoint "sorce"`) ||
		rprobs[1].Src != (model.Source{File: "i.yaml", Line: 5}) || !strings.HasPrefix(rprobs[1].Message, `via "nope"`) {
		t.Errorf("resolve problems %q", rprobs)
	}
}
