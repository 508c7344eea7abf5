package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// shellRun runs vpclab shell with the given standard input.
func shellRun(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := execute(context.Background(), append([]string{"shell"}, args...), &out, &errb,
		runOptions{stdin: strings.NewReader(stdin), getenv: os.Getenv})
	return code, out.String(), errb.String()
}

// Piped into the shell, questions get the answers the commands give, one after another,
// with no prompt in between; the same through a resident.
func TestShellAnswersAsTheCommands(t *testing.T) {
	lab := filepath.Join(examples, "east-west-nat/lab.yaml")
	lines := [][]string{
		{"trace", "--from", "source", "--to", "destination"},
		{"reach", "--from", "source", "--to", "destination", "--protocol", "tcp"},
		{"ping", "-c", "2", "source", "destination"},
		{"traceroute", "source", "10.0.1.55"},
		{"trace", "--from", "source", "--to", "nowhere"},
	}
	var script, wantOut, wantErr strings.Builder
	script.WriteString("# a comment, then a blank line\n\n")
	wantCode := 0
	for _, l := range lines {
		script.WriteString(strings.Join(l, " ") + "\n")
		code, out, errb := run(append([]string{l[0], "-t", lab, "--no-resident"}, l[1:]...)...)
		wantOut.WriteString(out)
		wantErr.WriteString(errb)
		wantCode = code
	}
	if wantCode != ExitBadInput {
		t.Fatalf("the last line should be bad input; exit %d", wantCode)
	}
	check := func(how string) {
		t.Helper()
		code, out, errb := shellRun(script.String(), "-t", lab)
		if code != wantCode || out != wantOut.String() || errb != wantErr.String() {
			t.Errorf("%s: exit %d (want %d)\n--- stdout\n%s--- want\n%s--- stderr\n%s--- want\n%s", how, code, wantCode, out, wantOut.String(), errb, wantErr.String())
		}
	}
	check("loaded in the shell")
	dir := startResident(t, lab, time.Hour)
	check("through a resident")
	if n := answered(t, dir); n != int64(len(lines)) {
		t.Errorf("the resident answered %d questions, want %d", n, len(lines))
	}
}

func TestShellWords(t *testing.T) {
	lab := filepath.Join(examples, "east-west-nat/lab.yaml")
	code, out, errb := shellRun("help\nup\ntrace --from source --to destination\nexit\ntrace --from source --to destination\n", "-t", lab)
	if code != 0 {
		t.Errorf("exit %d, want 0 (the last command before exit)", code)
	}
	if !strings.Contains(out, "Tab completes") || strings.Count(out, "Forward path") != 1 {
		t.Errorf("help, one trace, then exit:\n%s", out)
	}
	if !strings.Contains(errb, `"up" is not a shell command`) {
		t.Errorf("stderr: %q", errb)
	}
	if code, _, errb := shellRun("trace --from 'source --to destination\n", "-t", lab); code != ExitBadInput || !strings.Contains(errb, "unclosed '") {
		t.Errorf("an unclosed quote: exit %d, %q", code, errb)
	}
	if code, _, errb := shellRun("", "-t", filepath.Join(t.TempDir(), "none.yaml")); code != ExitBadInput || errb == "" {
		t.Errorf("a missing topology: exit %d, %q", code, errb)
	}
}

func TestSplitLine(t *testing.T) {
	for in, want := range map[string][]string{
		`trace --from a --to b`:          {"trace", "--from", "a", "--to", "b"},
		`  ping  'my host'  "x \"y\""  `: {"ping", "my host", `x "y"`},
		`check a\ b.yaml # why`:          {"check", "a b.yaml"},
		`# only a comment`:               nil,
	} {
		got, err := splitLine(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("splitLine(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCompleter(t *testing.T) {
	lab := filepath.Join(examples, "hub-and-spoke/lab.yaml")
	code, out, errb := run(endpointNamesCmd, "-t", lab)
	if code != 0 {
		t.Fatal(errb)
	}
	names := strings.Split(strings.TrimSpace(out), "\n")
	c := newCompleter(func() []string { return names })
	var attach string
	for _, n := range names {
		if strings.HasPrefix(n, "tgw-attach-") {
			attach = n
			break
		}
	}
	if !strings.HasSuffix(attach, ":") {
		t.Fatalf("no transit gateway attachment among the names, or without its colon: %q", attach)
	}
	for _, tc := range []struct {
		line  string
		start int
		want  []string
	}{
		{"tr", 0, []string{"trace", "traceroute"}},
		{"", 0, []string{"check", "exit", "help", "matrix", "ping", "quit", "reach", "trace", "traceroute", "validate"}},
		{"help re", 5, []string{"reach"}},
		{"trace --f", 6, []string{"--from"}},
		{"trace --from app1 --p", 18, []string{"--pcap", "--port", "--protocol"}},
		{"trace --protocol ", 17, []string{"icmp", "tcp", "udp"}},
		{"trace -o ", 9, []string{"json", "text"}},
		{"matrix --output ", 16, []string{"csv", "json", "text"}},
		{"matrix --scope s", 15, []string{"subnets"}},
		{"trace --from app", 13, []string{"app1", "app1-eth0", "app2", "app2-eth0"}},
		{"reach --from tgw-attach-", 13, namesWith(names, "tgw-attach-")},
		{"ping app1 ", 10, namesWith(names, "")},
		{"trace --port 4", 13, nil},
		{"gen --v", 4, nil},
	} {
		start, got := c.complete(tc.line)
		if start != tc.start || !slices.Equal(got, tc.want) {
			t.Errorf("complete(%q) = %d, %q; want %d, %q", tc.line, start, got, tc.start, tc.want)
		}
	}
	if got := commonPrefix([]string{"tgw-attach-0a:", "tgw-attach-0b:"}); got != "tgw-attach-0" {
		t.Errorf("commonPrefix: %q", got)
	}
}

func namesWith(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
