package resident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// Conn is a connection to a resident.
type Conn = net.Conn

// Dial connects to the resident holding the topology at abs. It returns nil and no error
// when none runs; a socket left by a resident that died (nothing listens) is removed.
func Dial(dir, abs string) (net.Conn, error) {
	return dialSocket(SocketPath(dir, abs))
}

func dialSocket(sock string) (net.Conn, error) {
	c, err := net.DialTimeout("unix", sock, 5*time.Second)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, syscall.ECONNREFUSED):
		os.Remove(sock) // stale: its resident crashed or was killed
		return nil, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	}
	return nil, err
}

// Ask sends a question on c and copies the answer to stdout and stderr; it returns the exit
// status (Unserved: run it yourself) and whether any output came. Cancelling ctx closes
// the connection, which cancels the question in the resident. c is closed on return.
func Ask(ctx context.Context, c net.Conn, req *Request, stdout, stderr io.Writer) (code int, answered bool, err error) {
	defer c.Close()
	stopWatch := context.AfterFunc(ctx, func() { c.Close() })
	defer stopWatch()
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return 0, false, errOr(ctx, err)
	}
	for {
		kind, p, err := readFrame(c)
		if err != nil {
			if ctx.Err() != nil {
				return 0, answered, ctx.Err()
			}
			return 0, answered, ErrLost
		}
		switch kind {
		case frameStdout:
			answered = true
			stdout.Write(p)
		case frameStderr:
			answered = true
			stderr.Write(p)
		case frameExit:
			code, err := strconv.Atoi(string(p))
			if err != nil {
				return 0, answered, fmt.Errorf("resident protocol: exit status %q", p)
			}
			return code, answered, nil
		default:
			return 0, answered, fmt.Errorf("resident protocol: frame %q in an answer", kind)
		}
	}
}

func errOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Status asks the resident on c about itself.
func Status(c net.Conn) (Info, error) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var i Info
	b, _ := json.Marshal(&Request{Op: OpStatus})
	if _, err := c.Write(append(b, '\n')); err != nil {
		return i, err
	}
	kind, p, err := readFrame(c)
	if err != nil {
		return i, err
	}
	if kind != frameStatus {
		return i, fmt.Errorf("resident protocol: frame %q for a status", kind)
	}
	return i, json.Unmarshal(p, &i)
}

// List asks every resident in dir about itself, in order of topology path; sockets of
// residents that died are removed on the way.
func List(dir string) ([]Info, error) {
	socks, err := filepath.Glob(filepath.Join(dir, "*.sock"))
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, s := range socks {
		c, err := dialSocket(s)
		if err != nil || c == nil {
			continue
		}
		if i, err := Status(c); err == nil {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Topology < out[b].Topology })
	return out, nil
}

// Stop asks the resident holding abs to stop and waits until its socket is gone (the
// questions it is answering finish first). It returns false when none ran.
func Stop(dir, abs string) (bool, error) {
	c, err := Dial(dir, abs)
	if err != nil || c == nil {
		return false, err
	}
	defer c.Close()
	b, _ := json.Marshal(&Request{Op: OpStop})
	if _, err := c.Write(append(b, '\n')); err != nil {
		return true, err
	}
	if _, _, err := readFrame(c); err != nil && !errors.Is(err, io.EOF) {
		return true, err
	}
	sock := SocketPath(dir, abs)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(sock); errors.Is(err, os.ErrNotExist) {
			return true, nil
		}
	}
	return true, fmt.Errorf("the resident for %s did not stop within a minute", abs)
}

// Spawn starts a resident in the background: exe with args, in a session of its own (so
// that closing the terminal or Ctrl-C in it leaves it running), stdin from /dev/null and
// its output appended to the log file. The caller waits for it to answer (or to exit).
func Spawn(exe string, args []string, env []string, log string) (*exec.Cmd, error) {
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}
