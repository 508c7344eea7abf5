// Package serve is `vpclab serve` (issue 11): an EC2 API that the AWS CLI, the SDKs and
// Terraform build labs with, answered from a state that the engine reads.
//
// A request is EC2's Query protocol (internal/ec2api decodes and encodes it, with shapes
// generated from AWS's model). Handlers keep the state as the model's own describe-* shapes
// (Vpc, Subnet, RouteTable, ...), so the state written out is exactly what `aws ec2
// describe-*` prints: the snapshot loader reads it (export.go) and the engine compiles it,
// the same code path as a collected snapshot. Network Insights analyses are engine traces
// (insights.go); no handler keeps a copy of AWS's dataplane rules.
//
//	request ─► protocol (serve.go) ─► handler (vpc.go, routes.go, ...) ─► state (state.go)
//	                                        │ checks AWS's API rules,         │ writes go to the
//	                                        │ then the loader's validation    │ store, durable
//	                                        ▼ on the touched VPCs             ▼ before the reply
//	                                  export.go ─► snapshot.LoadJSON ─► model.Validate ─► engine
//
// Writes are serialised by one lock and made durable before their reply: a change is queued
// to one committer goroutine, which commits everything queued at once (group commit), so
// concurrent creates share an fsync. Reads see a write from the moment it is applied.
// IDs, request IDs and timestamps come from a seed and an injected clock, so the same
// requests give the same answers.
package serve

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vpclab/vpclab/internal/ec2api"
	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/serve/store"
)

// Options configure a Server. The zero value serves an in-memory state in us-east-1 for
// account 123456789012 with seed 0 and the system clock.
type Options struct {
	// Store keeps the state durable; nil keeps it in memory only.
	Store Store
	// Region is the region the lab is in (availability zones, ARNs).
	Region string
	// Account is the owner of every resource.
	Account string
	// Seed makes the IDs: the same seed and requests give the same IDs.
	Seed uint64
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Settle is how long a created resource stays pending (a NAT gateway, an instance)
	// before describe shows it available or running. 0 settles at the next describe, so a
	// waiter's first poll succeeds.
	Settle time.Duration
	// Log receives a line per request (action, status, duration); nil logs nothing.
	Log io.Writer
	// Verbose adds each request's parameters to its log line.
	Verbose bool
}

// Store is where the state is kept durable: internal/serve/store, or a test's stand-in.
type Store interface {
	// Load calls fn for every record kept.
	Load(fn func(kind, id string, value []byte) error) error
	// Commit writes the changes atomically and durably before it returns.
	Commit(changes ...Change) error
}

// Change is one record written (Value set) or deleted (Value nil).
type Change = store.Change

// Server answers EC2 Query requests. It is an http.Handler; its methods are safe for
// concurrent use.
type Server struct {
	opt Options

	mu sync.Mutex // guards st and everything a handler touches
	st *state

	commits *committer
	// transient are the records in a transitional state (pending, deleting, ...) and since
	// when, for settle; net is the state compiled, as of version netVersion.
	transient  map[[2]string]time.Time
	net        *engine.Network
	netVersion uint64
	reqs       uint64 // requests answered, for request IDs (under mu)
	logMu      sync.Mutex
}

// New makes a server, loading the state from opt.Store.
func New(opt Options) (*Server, error) {
	if opt.Region == "" {
		opt.Region = "us-east-1"
	}
	if opt.Account == "" {
		opt.Account = "123456789012"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{opt: opt, st: newState(), transient: map[[2]string]time.Time{}}
	s.st.region = opt.Region
	if opt.Store != nil {
		if err := s.st.load(opt.Store); err != nil {
			return nil, err
		}
		s.commits = newCommitter(opt.Store)
	}
	s.findTransient()
	s.findTransientPeerings()
	s.st.version = 1 // a loaded state is a version the network cache has not seen
	return s, nil
}

// Close stops the committer after the queued changes are written.
func (s *Server) Close() error {
	if s.commits != nil {
		return s.commits.close()
	}
	return nil
}

// maxBody bounds a request body: EC2's largest requests (user data, many filters) are far
// below it.
const maxBody = 16 << 20

// ServeHTTP answers one EC2 (or STS GetCallerIdentity) Query request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method == http.MethodGet && r.URL.Path == ExportPath {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.Export())
		s.logRequest("export", 200, time.Since(start), nil)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		// A JSON-protocol service (Direct Connect, Network Firewall, ...): not served yet.
		// 501 tells SDK clients, vpclab snapshot among them, that the operation is missing.
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = fmt.Fprintf(w, `{"__type":"UnsupportedOperation","message":"vpclab serve answers EC2 and STS only; %s is not served yet"}`, strings.ReplaceAll(target, `"`, ""))
		s.logRequest(target, http.StatusNotImplemented, time.Since(start), nil)
		return
	}
	values, err := requestValues(w, r)
	action := ""
	if err == nil {
		action = values.Get("Action")
	}
	status, body, reqID := s.answer(action, values, err)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.logRequest(action, status, time.Since(start), values)
}

// requestValues reads a request's parameters: a form body (POST) or the query string.
func requestValues(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	switch r.Method {
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("cannot read the request body: %v", err)
		}
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("the request body is not form-encoded (application/x-www-form-urlencoded): %v", err)
		}
		for k, vs := range r.URL.Query() {
			v[k] = append(v[k], vs...)
		}
		return v, nil
	case http.MethodGet:
		return r.URL.Query(), nil
	}
	return nil, fmt.Errorf("method %s is not allowed: EC2 Query requests are POST (or GET)", r.Method)
}

// answer runs one action and returns the HTTP status, the XML body and the request ID.
func (s *Server) answer(action string, values url.Values, readErr error) (int, []byte, string) {
	s.mu.Lock()
	s.reqs++
	reqID := requestID(s.opt.Seed, s.reqs)
	s.mu.Unlock()
	fail := func(status int, code, msg string) (int, []byte, string) {
		return status, ec2api.EncodeError(reqID, &ec2api.Error{Code: code, Message: msg}), reqID
	}
	switch {
	case readErr != nil:
		return fail(400, "MalformedQueryString", readErr.Error())
	case action == "":
		return fail(400, "MissingAction", "The request must contain the parameter Action")
	case action == "GetCallerIdentity":
		return 200, s.callerIdentity(reqID), reqID
	case !ec2api.IsOperation(action):
		return fail(400, "InvalidAction", "The action "+action+" is not valid for this web service.")
	}
	h, ok := handlers[action]
	in, shapes := ec2api.NewInput(action)
	if !ok || !shapes {
		return fail(400, "UnsupportedOperation", "The operation "+action+" is not supported by vpclab serve yet.")
	}
	if err := ec2api.Decode(values, in); err != nil {
		return s.failure(reqID, err)
	}
	if dryRun(in) {
		return fail(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	}
	body, err := s.run(action, reqID, h, in)
	if err != nil {
		return s.failure(reqID, err)
	}
	return 200, body, reqID
}

// failure answers err: an *ec2api.Error is the client's mistake (400), anything else the
// server's (500, InternalError).
func (s *Server) failure(reqID string, err error) (int, []byte, string) {
	var e *ec2api.Error
	if errors.As(err, &e) {
		return 400, ec2api.EncodeError(reqID, e), reqID
	}
	return 500, ec2api.EncodeError(reqID, &ec2api.Error{Code: "InternalError", Message: "vpclab serve failed: " + err.Error()}), reqID
}

// dryRun reports whether the input asks for a dry run (its DryRun member is true).
func dryRun(in any) bool {
	f := reflect.ValueOf(in).Elem().FieldByName("DryRun")
	return f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Bool()
}

// requestID makes the nth request's ID from the seed, in the UUID form AWS uses.
func requestID(seed, n uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], n)
	h := sha256.Sum256(append([]byte("request"), b[:]...))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// callerIdentity is STS GetCallerIdentity's answer: Terraform's provider asks it first.
func (s *Server) callerIdentity(reqID string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:iam::` + s.opt.Account + `:user/vpclab</Arn><UserId>AIDAVPCLABVPCLABVPCLA</UserId>` +
		`<Account>` + s.opt.Account + `</Account></GetCallerIdentityResult>` +
		`<ResponseMetadata><RequestId>` + reqID + `</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
}

// logRequest writes the request's log line: action, status, duration, and with Verbose
// its parameters (sorted, authentication left out).
func (s *Server) logRequest(action string, status int, d time.Duration, values url.Values) {
	if s.opt.Log == nil {
		return
	}
	if action == "" {
		action = "-"
	}
	line := fmt.Sprintf("%s %d %s", action, status, d.Round(time.Microsecond))
	if s.opt.Verbose {
		var params []string
		for k, vs := range values {
			if k == "Action" || k == "Version" || strings.HasPrefix(k, "X-Amz-") {
				continue
			}
			for _, v := range vs {
				params = append(params, k+"="+v)
			}
		}
		sortStrings(params)
		line += " " + strings.Join(params, " ")
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintln(s.opt.Log, line)
}

// Region is the region the lab is in.
func (s *Server) Region() string { return s.opt.Region }

// Account is the account that owns the lab's resources.
func (s *Server) Account() string { return s.opt.Account }
