package resident

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Handler answers one question, writing to stdout and stderr as the command would, and
// returns its exit status (or Unserved). ctx is cancelled when the client goes away. It
// is called from many goroutines at once.
type Handler func(ctx context.Context, req *Request, stdout, stderr io.Writer) int

// Server serves one topology's questions on its socket until it is stopped, its context
// ends, or no question came for Idle.
type Server struct {
	Dir      string // the socket directory (Dir)
	Topology string // absolute path of the topology it holds
	Idle     time.Duration
	Handle   Handler
	// Info fills in what the caller knows (LoadTime, Reloads); may be nil.
	Info func(*Info)

	mu        sync.Mutex
	active    int
	questions int64
	started   time.Time
	last      time.Time
	stop      chan struct{}
	stopOnce  sync.Once
}

// requestTimeout bounds the wait for a request after a client connects.
const requestTimeout = 10 * time.Second

// ErrRunning is returned by Serve when a resident already answers on the socket.
var ErrRunning = errors.New("a resident already serves this topology")

// Serve listens on the topology's socket and answers until stopped or idle; the socket is
// removed when it returns. ready, if not nil, is called once it listens.
func (s *Server) Serve(ctx context.Context, ready func()) error {
	sock := SocketPath(s.Dir, s.Topology)
	if c, err := Dial(s.Dir, s.Topology); err != nil {
		return err
	} else if c != nil {
		c.Close()
		return ErrRunning
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return err
	}
	defer os.Remove(sock)
	s.started = time.Now()
	s.last = s.started
	s.stop = make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveConn(c)
			}()
		}
	}()
	if ready != nil {
		ready()
	}
	tick := max(min(s.Idle/4, time.Second), 5*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-s.stop:
			break loop
		case <-t.C:
			s.mu.Lock()
			idle := s.active == 0 && time.Since(s.last) >= s.Idle
			s.mu.Unlock()
			if idle {
				break loop
			}
		}
	}
	ln.Close()
	os.Remove(sock) // no new client finds it while the last answers finish
	wg.Wait()
	return nil
}

func (s *Server) info() Info {
	s.mu.Lock()
	i := Info{Topology: s.Topology, PID: os.Getpid(), Started: s.started, Questions: s.questions,
		Active: s.active, Idle: s.Idle, Last: s.last}
	s.mu.Unlock()
	i.Memory = memory()
	if s.Info != nil {
		s.Info(&i)
	}
	return i
}

func (s *Server) serveConn(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(requestTimeout)) // a client that says nothing does not hold the resident up
	line, err := br.ReadBytes('\n')
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Time{})
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		writeFrame(c, frameStderr, fmt.Appendf(nil, "vpclab: resident: a request it cannot read: %v\n", err))
		writeFrame(c, frameExit, exitFrame(2))
		return
	}
	switch req.Op {
	case OpStatus:
		writeFrame(c, frameStatus, statusFrame(s.info()))
	case OpStop:
		writeFrame(c, frameExit, exitFrame(0))
		s.stopOnce.Do(func() { close(s.stop) })
	case OpRun:
		s.mu.Lock()
		s.active++
		s.mu.Unlock()
		s.run(c, br, &req)
	default:
		writeFrame(c, frameStderr, fmt.Appendf(nil, "vpclab: resident: unknown request %q\n", req.Op))
		writeFrame(c, frameExit, exitFrame(2))
	}
}

// run answers a question; the client closing its side cancels it. The question is counted
// before the client hears the exit status.
func (s *Server) run(c net.Conn, br *bufio.Reader, req *Request) (code int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		br.ReadByte() // returns when the client closes or goes away
		cancel()
	}()
	var mu sync.Mutex
	stdout := &frameWriter{mu: &mu, w: c, kind: frameStdout}
	stderr := &frameWriter{mu: &mu, w: c, kind: frameStderr}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "vpclab: internal error in the resident: %v\n", r)
			code = 3
		}
		s.mu.Lock()
		s.active--
		if code != Unserved {
			s.questions++
		}
		s.last = time.Now()
		s.mu.Unlock()
		mu.Lock()
		writeFrame(c, frameExit, exitFrame(code))
		mu.Unlock()
	}()
	return s.Handle(ctx, req, stdout, stderr)
}
