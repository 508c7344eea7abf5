package resident

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve runs a server for topology abs in dir until the test ends, and returns it and a
// channel that receives Serve's result.
func serve(t *testing.T, dir, abs string, idle time.Duration, h Handler) (*Server, chan error) {
	t.Helper()
	s := &Server{Dir: dir, Topology: abs, Idle: idle, Handle: h}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop")
		}
	})
	return s, done
}

func echo(ctx context.Context, req *Request, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "args %s in %s\n", strings.Join(req.Args, " "), req.Dir)
	fmt.Fprintln(stderr, "a warning")
	return len(req.Args)
}

func TestAskStreamsTheAnswerAndItsStatus(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir, "/estate", time.Hour, echo)
	c, err := Dial(dir, "/estate")
	if err != nil || c == nil {
		t.Fatalf("Dial: %v, %v", c, err)
	}
	var out, errb bytes.Buffer
	code, answered, err := Ask(context.Background(), c, &Request{Op: OpRun, Args: []string{"trace", "x"}, Dir: "/here"}, &out, &errb)
	if err != nil || code != 2 || !answered {
		t.Fatalf("Ask: code %d, answered %v, err %v", code, answered, err)
	}
	if out.String() != "args trace x in /here\n" || errb.String() != "a warning\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errb.String())
	}
	list, err := List(dir)
	if err != nil || len(list) != 1 || list[0].Questions != 1 || list[0].Topology != "/estate" || list[0].PID != os.Getpid() {
		t.Errorf("List: %+v, %v", list, err)
	}
}

// A socket whose resident died (nothing listens) is removed by whoever finds it.
func TestStaleSocketIsRemoved(t *testing.T) {
	dir := t.TempDir()
	for _, find := range []string{"Dial", "List"} {
		sock := SocketPath(dir, "/gone")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close()
		if _, err := os.Stat(sock); err != nil {
			t.Fatalf("the stale socket is not there to find: %v", err)
		}
		if find == "Dial" {
			if c, err := Dial(dir, "/gone"); c != nil || err != nil {
				t.Errorf("Dial of a dead resident: %v, %v; want nil, nil", c, err)
			}
		} else if list, err := List(dir); len(list) != 0 || err != nil {
			t.Errorf("List: %v, %v; want none", list, err)
		}
		if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left the stale socket: %v", find, err)
		}
	}
	// A server finds a stale socket where it would listen and takes its place.
	sock := SocketPath(dir, "/estate")
	ln, _ := net.Listen("unix", sock)
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	serve(t, dir, "/estate", time.Hour, echo)
	if c, _ := Dial(dir, "/estate"); c == nil {
		t.Error("no server took the stale socket's place")
	} else {
		c.Close()
	}
}

func TestIdleExit(t *testing.T) {
	dir := t.TempDir()
	_, done := serve(t, dir, "/estate", 100*time.Millisecond, echo)
	c, _ := Dial(dir, "/estate")
	if _, _, err := Ask(context.Background(), c, &Request{Op: OpRun}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit after 100ms without a question")
	}
	done <- nil // for the cleanup
	if _, err := os.Stat(SocketPath(dir, "/estate")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket outlived the server: %v", err)
	}
}

func TestStopAndAlreadyRunning(t *testing.T) {
	dir := t.TempDir()
	_, done := serve(t, dir, "/estate", time.Hour, echo)
	s2 := &Server{Dir: dir, Topology: "/estate", Idle: time.Hour, Handle: echo}
	if err := s2.Serve(context.Background(), nil); !errors.Is(err, ErrRunning) {
		t.Errorf("a second server for the same topology: %v, want ErrRunning", err)
	}
	if ran, err := Stop(dir, "/estate"); !ran || err != nil {
		t.Fatalf("Stop: %v, %v", ran, err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	done <- nil
	if ran, err := Stop(dir, "/estate"); ran || err != nil {
		t.Errorf("Stop with none running: %v, %v", ran, err)
	}
}

// Cancelling the client's context closes the connection, which cancels the question.
func TestCancelReachesTheQuestion(t *testing.T) {
	dir := t.TempDir()
	cancelled := make(chan struct{})
	serve(t, dir, "/estate", time.Hour, func(ctx context.Context, req *Request, stdout, stderr io.Writer) int {
		fmt.Fprintln(stdout, "started")
		<-ctx.Done()
		close(cancelled)
		return 0
	})
	c, _ := Dial(dir, "/estate")
	ctx, cancel := context.WithCancel(context.Background())
	out := &notify{ch: make(chan struct{}, 1)}
	go func() { <-out.ch; cancel() }()
	_, _, err := Ask(ctx, c, &Request{Op: OpRun}, out, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Ask: %v, want context.Canceled", err)
	}
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Error("the question was not cancelled")
	}
}

type notify struct{ ch chan struct{} }

func (n *notify) Write(p []byte) (int, error) {
	select {
	case n.ch <- struct{}{}:
	default:
	}
	return len(p), nil
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Vpcs.json", `{"Vpcs": []}`)
	fp := func() string {
		s, err := Fingerprint(dir)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := fp()
	if b := fp(); a != b {
		t.Fatal("the fingerprint of unchanged files changed")
	}
	steps := []struct {
		what string
		do   func()
	}{
		{"a file rewritten with the same size", func() {
			time.Sleep(10 * time.Millisecond)
			write("Vpcs.json", `{"Vpcs": [ ]}`[:len(`{"Vpcs": []}`)])
		}},
		{"a file added", func() { write("Subnets.json", `{"Subnets": []}`) }},
		{"a file in a folder added", func() {
			os.MkdirAll(filepath.Join(dir, "111/eu-west-1"), 0o755)
			write("111/eu-west-1/x.json", `{}`)
		}},
		{"a file removed", func() { os.Remove(filepath.Join(dir, "Subnets.json")) }},
		{"a file renamed", func() { os.Rename(filepath.Join(dir, "Vpcs.json"), filepath.Join(dir, "V.json")) }},
	}
	for _, s := range steps {
		s.do()
		if b := fp(); b == a {
			t.Errorf("%s: the fingerprint did not change", s.what)
		} else {
			a = b
		}
	}
	if _, err := Fingerprint(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing topology has a fingerprint")
	}
}

func TestDirIsPrivate(t *testing.T) {
	base := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == DirEnv {
				return v
			}
			return ""
		}
	}
	d := filepath.Join(base, "new")
	if got, err := Dir(env(d), false); got != "" || err != nil {
		t.Errorf("Dir of a missing directory, not creating: %q, %v; want none", got, err)
	}
	if got, err := Dir(env(d), true); got != d || err != nil {
		t.Fatalf("Dir: %q, %v", got, err)
	}
	if st, _ := os.Stat(d); st.Mode().Perm() != 0o700 {
		t.Errorf("mode %o, want 0700", st.Mode().Perm())
	}
	os.Chmod(d, 0o755)
	if _, err := Dir(env(d), false); err == nil || !strings.Contains(err.Error(), "open to other users") {
		t.Errorf("a directory others may enter: %v", err)
	}
}
