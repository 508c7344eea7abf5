package resident

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The protocol: the client writes one Request as a line of JSON, then only closes its side
// (which cancels the question). The resident answers with frames: a kind byte, a 4-byte
// big-endian length and the payload. A run gets stdout and stderr frames as the command
// writes them, then one exit frame with the status; a status request one status frame.
const (
	OpRun    = "run"
	OpStatus = "status"
	OpStop   = "stop"

	frameStdout = 'o'
	frameStderr = 'e'
	frameExit   = 'x'
	frameStatus = 's'
)

// Unserved is the exit status a resident gives a question it will not answer (its
// topology no longer loads without errors): the client runs the command itself, so the
// user sees exactly what a direct run says.
const Unserved = -1

// Request is one question: vpclab's arguments (without the program name), the caller's
// working directory, against which relative paths in them are taken, the environment
// variables the commands read, and whether the caller's stderr is a terminal.
type Request struct {
	Op        string
	Args      []string          `json:",omitempty"`
	Dir       string            `json:",omitempty"`
	Env       map[string]string `json:",omitempty"`
	StderrTTY bool              `json:",omitempty"`
}

// Info is what a resident says about itself.
type Info struct {
	Topology  string        // absolute path of the topology it holds
	PID       int           // its process
	Started   time.Time     // when it started
	LoadTime  time.Duration // how long its last load and compile took
	Reloads   int           // loads after the first, for a topology that changed
	Questions int64         // questions answered
	Active    int           // questions being answered now
	Memory    uint64        // resident set size, bytes
	Idle      time.Duration // it exits after this long without a question
	Last      time.Time     // when the last question ended (Started before any)
}

func writeFrame(w io.Writer, kind byte, p []byte) error {
	hdr := make([]byte, 5, 5+len(p))
	hdr[0] = kind
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(p)))
	_, err := w.Write(append(hdr, p...))
	return err
}

// maxFrame bounds a frame a reader accepts: writers send what one Write call got.
const maxFrame = 1 << 30

func readFrame(r io.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("resident protocol: a frame of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	return hdr[0], p, nil
}

// frameWriter sends what is written to it as frames of one kind; stdout and stderr share
// the connection, hence the lock.
type frameWriter struct {
	mu   *sync.Mutex
	w    io.Writer
	kind byte
}

func (f *frameWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := writeFrame(f.w, f.kind, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func exitFrame(code int) []byte {
	return []byte(strconv.Itoa(code))
}

func statusFrame(i Info) []byte {
	b, _ := json.Marshal(i)
	return b
}

// memory is this process's resident set size (Linux), else what the Go runtime holds.
func memory() uint64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				f := strings.Fields(v)
				if n, err := strconv.ParseUint(f[0], 10, 64); err == nil && len(f) == 2 && f[1] == "kB" {
					return n << 10
				}
			}
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Sys
}

// ErrLost is returned when a resident closes the connection before answering.
var ErrLost = errors.New("the resident stopped before it answered")
