package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// handler answers one operation: in is a pointer to its generated input struct.
type handler func(c *call, in any) (any, error)

// handlers are the implemented operations, registered by the files that implement them.
var handlers = map[string]handler{}

// register adds an operation's handler; In and Out are its generated input and output.
func register[In, Out any](op string, f func(c *call, in *In) (*Out, error)) {
	if _, dup := handlers[op]; dup {
		panic("serve: " + op + " registered twice")
	}
	handlers[op] = func(c *call, in any) (any, error) {
		out, err := f(c, in.(*In))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// errorf is an EC2 API error: the client's mistake, answered with HTTP 400.
func errorf(code, format string, args ...any) error {
	return &ec2api.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// run answers one request under the state's lock: the handler applies its change, the
// touched VPCs are validated, the change is queued to the committer and the reply is
// encoded (the state may change as soon as the lock is let go); the reply waits until the
// change is durable.
func (s *Server) run(op, reqID string, h handler, in any) ([]byte, error) {
	s.mu.Lock()
	c := &call{s: s, st: s.st, now: s.opt.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		undo: map[[2]string][]byte{}, vpcs: map[string]bool{}}
	s.settle(c)
	token, request := clientTokenOf(op, in)
	var (
		out any
		err error
	)
	if t := s.st.tokens.get(token); token != "" && t != nil {
		if t.Request != request {
			err = errorf("IdempotentParameterMismatch", "The client token %s was used before with different parameters.", tokenValue(in))
		} else {
			out, err = remembered(op, t.Response)
		}
	} else {
		out, err = h(c, in)
		if err == nil {
			err = s.validate(c)
		}
		if err == nil && token != "" && len(c.order) > 0 {
			c.touch("client-token", token)
			s.st.tokens.put(token, &clientToken{Request: request, Response: mustJSON(out)})
		}
	}
	if err != nil {
		c.rollback() // the settling done before the handler too: the next request redoes it
		s.mu.Unlock()
		return nil, err
	}
	changes := c.changes()
	if slices.ContainsFunc(changes, func(ch Change) bool { return !bookkeeping[ch.Kind] }) {
		s.st.version++ // the lab changed: the compiled network is stale
	}
	body := ec2api.Encode(op, reqID, out)
	wait := s.commit(changes)
	s.mu.Unlock()
	if err := wait(); err != nil {
		return nil, fmt.Errorf("the change was applied but could not be made durable: %v", err)
	}
	return body, nil
}

// bookkeeping are the record kinds that are not part of the lab the engine compiles: a
// write of only these (an analysis, a path, a remembered token) keeps the compiled network.
var bookkeeping = map[string]bool{"insights-path": true, "insights-analysis": true, "client-token": true,
	"meta": true, "vpc-attributes": true,
	"access-scope": true, "access-scope-content": true, "access-scope-analysis": true, "access-scope-findings": true}

// remembered decodes a response remembered for a client token into op's output value.
func remembered(op string, raw []byte) (any, error) {
	v, _ := ec2api.NewOutput(op)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("a remembered response does not decode: %v", err)
	}
	return v, nil
}

// clientTokenOf returns the key under which an idempotent request is remembered (its
// operation and ClientToken), or "" when it carries none, and its parameters' digest.
func clientTokenOf(op string, in any) (key, request string) {
	tok := tokenValue(in)
	if tok == "" {
		return "", ""
	}
	h := sha256.Sum256(mustJSON(in))
	return op + "/" + tok, hex.EncodeToString(h[:])
}

func tokenValue(in any) string {
	f := reflect.ValueOf(in).Elem().FieldByName("ClientToken")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		panic("serve: a generated shape does not marshal: " + err.Error())
	}
	return b
}

// committer makes changes durable in order: changes queued while a commit is running are
// written together by the next one (group commit), so concurrent writers share an fsync.
type committer struct {
	store Store
	mu    sync.Mutex
	cond  *sync.Cond
	queue []pending
	done  bool
	wg    sync.WaitGroup
}

type pending struct {
	changes []Change
	result  chan error
}

func newCommitter(s Store) *committer {
	c := &committer{store: s}
	c.cond = sync.NewCond(&c.mu)
	c.wg.Go(c.loop)
	return c
}

// commit queues changes (the caller holds the state's lock, so queue order is apply order)
// and returns a function that waits until they are durable.
func (s *Server) commit(changes []Change) func() error {
	if s.commits == nil || len(changes) == 0 {
		return func() error { return nil }
	}
	p := pending{changes: changes, result: make(chan error, 1)}
	c := s.commits
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return func() error { return errors.New("the server is shutting down") }
	}
	c.queue = append(c.queue, p)
	c.cond.Signal()
	c.mu.Unlock()
	return func() error { return <-p.result }
}

func (c *committer) loop() {
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.done {
			c.cond.Wait()
		}
		batch := c.queue
		c.queue = nil
		done := c.done
		c.mu.Unlock()
		if len(batch) > 0 {
			var all []Change
			for _, p := range batch {
				all = append(all, p.changes...)
			}
			err := c.store.Commit(all...)
			for _, p := range batch {
				p.result <- err
			}
		}
		if done && len(batch) == 0 {
			return
		}
	}
}

func (c *committer) close() error {
	c.mu.Lock()
	c.done = true
	c.cond.Signal()
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}

// notFound is EC2's error for an ID that names nothing: code is the resource's
// (InvalidVpcID.NotFound, InvalidSubnetID.NotFound, ...).
func notFound(code, what, id string) error {
	return errorf(code, "The %s ID '%s' does not exist", what, id)
}

// malformed is EC2's error for an ID that is not of its resource's form.
func malformed(code, id string) error {
	return errorf(code, "Invalid id: \"%s\"", id)
}

// checkID checks id's prefix: a vpc- ID given where a subnet- ID belongs is EC2's
// InvalidXxxID.Malformed, not NotFound.
func checkID(id, prefix, code string) error {
	if !strings.HasPrefix(id, prefix+"-") {
		return malformed(code, id)
	}
	return nil
}
