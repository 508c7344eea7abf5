package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/resident"
)

// TestMain points every test of the package at a socket directory of its own, so that no
// test ever finds (or leaves) a resident in the user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vpclab-cli-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv(resident.DirEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startResident runs a resident for path in this process until the test ends, in a socket
// directory of the test's own, and returns that directory.
func startResident(t *testing.T, path string, idle time.Duration) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // residents refuse a directory others may enter
		t.Fatal(err)
	}
	t.Setenv(resident.DirEnv, dir)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	g := &globals{stdout: io.Discard, stderr: &log, runOptions: runOptions{getenv: os.Getenv}}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- g.serve(ctx, dir, abs, idle, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("the resident for %s did not start: %v\n%s", path, err, log.String())
	}
	t.Cleanup(func() {
		cancel()
		<-done
		if left, _ := filepath.Glob(filepath.Join(dir, "*.sock")); len(left) > 0 {
			t.Errorf("sockets left behind: %v", left)
		}
	})
	return dir
}

// answered is how many questions the residents in dir have answered.
func answered(t *testing.T, dir string) int64 {
	t.Helper()
	list, err := resident.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, i := range list {
		n += i.Questions
	}
	return n
}

type result struct {
	code        int
	stdout, err string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.err)
}

// sameThroughResident runs each command directly (--no-resident) and through the resident
// in dir, and fails unless the exit status, stdout and stderr are byte for byte the same
// and the resident answered it.
func sameThroughResident(t *testing.T, dir string, cmds [][]string) {
	t.Helper()
	for _, args := range cmds {
		var d, r result
		d.code, d.stdout, d.err = run(append(args, "--no-resident")...)
		before := answered(t, dir)
		r.code, r.stdout, r.err = run(args...)
		if got := answered(t, dir) - before; got != 1 {
			t.Errorf("vpclab %s: the resident answered %d question(s), want 1", strings.Join(args, " "), got)
		}
		if d.String() != r.String() {
			t.Errorf("vpclab %s: directly and through the resident differ:\n=== direct\n%s=== resident\n%s", strings.Join(args, " "), d, r)
		}
		if d.stdout == "" && d.err == "" {
			t.Errorf("vpclab %s printed nothing: the comparison proves little", strings.Join(args, " "))
		}
	}
}

func TestResidentAnswersAsADirectRunDoes(t *testing.T) {
	lab := filepath.Join(examples, "east-west-nat/lab.yaml")
	narrowed := filepath.Join(examples, "east-west-nat/lab-sg-narrowed.yaml")
	dir := startResident(t, lab, time.Hour)
	intents, _ := filepath.Abs("testdata/analyze/intents.yaml")
	failing, _ := filepath.Abs("testdata/analyze/intents-failing.yaml")
	sameThroughResident(t, dir, [][]string{
		{"trace", "-t", lab, "--from", "source", "--to", "destination"},
		{"trace", "-t", lab, "--from", "source", "--to", "destination", "-o", "json", "--seed", "7"},
		{"trace", "-t", lab, "--from", "source", "--to", "no-such-host"},
		{"trace", "-t", lab, "--from", "source"},
		{"ping", "-t", lab, "-c", "3", "source", "destination", "--capture", "destination"},
		{"ping", "-t", lab, "-c", "2", "source", "10.0.2.149"},
		{"traceroute", "-t", lab, "source", "10.0.1.55"},
		{"reach", "-t", lab, "--from", "source", "--to", "destination"},
		{"reach", "-t", lab, "--from", "source", "--to", "destination", "-o", "json", "--protocol", "tcp"},
		{"matrix", "-t", lab, "--scope", "subnets"},
		{"matrix", "-t", lab, "-o", "csv"},
		{"validate", "-t", lab},
		{"check", "-t", lab, intents},
		{"check", "-t", lab, failing},
		{"diff", "--before", lab, "--after", narrowed},
		{"diff", "--before", narrowed, "--after", lab, "-o", "json"},
	})
	// $VPCLAB_TOPOLOGY travels with the question.
	t.Setenv("VPCLAB_TOPOLOGY", lab)
	sameThroughResident(t, dir, [][]string{{"trace", "--from", "source", "--to", "destination"}})
}

// A describe-* snapshot, named by a relative path, whose warnings name the directory: the
// resident loaded it by its absolute path, and says what a direct run says.
func TestResidentOnASnapshotByARelativePath(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "estate")
	if code, _, errb := run("gen", "--vpcs", "3", "--instances-per-subnet", "1", snap); code != 0 {
		t.Fatal(errb)
	}
	if err := os.Remove(filepath.Join(snap, "NetworkAcls.json")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, snap)
	if err != nil {
		t.Fatal(err)
	}
	dir := startResident(t, snap, time.Hour)
	_, out, _ := run("validate", "-t", rel, "--no-resident")
	if !strings.Contains(out, rel+": warning") {
		t.Fatalf("the snapshot's warnings do not name its directory; the test proves nothing:\n%s", out)
	}
	sameThroughResident(t, dir, [][]string{
		{"validate", "-t", rel},
		{"trace", "-t", rel, "--from", "vpc001-app-01", "--to", "vpc001-db-01", "--port", "5432"},
		{"reach", "-t", rel, "--from", "vpc002-web-01", "--to", "vpc002-app-01"},
		{"matrix", "-t", rel, "--scope", "subnets", "-o", "csv"},
	})
}

// Questions asked at once get the answers they get one at a time.
func TestResidentAnswersConcurrentQuestions(t *testing.T) {
	lab := filepath.Join(examples, "east-west-nat/lab.yaml")
	cmds := [][]string{
		{"trace", "-t", lab, "--from", "source", "--to", "destination"},
		{"ping", "-t", lab, "-c", "3", "source", "destination", "--capture", "destination"},
		{"reach", "-t", lab, "--from", "source", "--to", "destination"},
		{"traceroute", "-t", lab, "source", "10.0.1.55"},
	}
	want := make([]result, len(cmds))
	for i, args := range cmds {
		want[i].code, want[i].stdout, want[i].err = run(append(args, "--no-resident")...)
	}
	dir := startResident(t, lab, time.Hour)
	var wg sync.WaitGroup
	for round := 0; round < 8; round++ {
		for i, args := range cmds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r result
				r.code, r.stdout, r.err = run(args...)
				if r.String() != want[i].String() {
					t.Errorf("vpclab %s, asked concurrently:\n%s\nwant:\n%s", strings.Join(args, " "), r, want[i])
				}
			}()
		}
	}
	wg.Wait()
	if n := answered(t, dir); n != 8*int64(len(cmds)) {
		t.Errorf("the resident answered %d questions, want %d", n, 8*len(cmds))
	}
}
