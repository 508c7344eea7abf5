// Package internal_test states vpclab's layering as policy (ARCHITECTURE.md, "Suggested
// packages" and "Extending the engine"; STYLE.md habit 5):
//
//   - every package that `go list ./...` knows has a row in allowed, naming the project
//     packages its code may import, so a new package is constrained from its first commit;
//   - the pure packages (model, packet, engine, tools, analyze) do no I/O, read no clock and
//     use no global randomness: clock, seeded *rand.Rand and logf are passed in;
//   - only internal/live touches the OS network;
//   - nothing imports internal/cli but cmd/vpclab.
//
// Where a package needs a harmless part of a forbidden import, exceptions names the parts
// it may use and why; each other use still fails.
//
// The checks read the syntax of every .go file in each package directory, whatever its build
// tags, and name the file and line of each violation.
package internal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/vpclab/vpclab"

// allowed lists, for every package of the module, the project packages its non-test code may
// import. A package missing here fails TestEveryPackageHasAPolicy.
var allowed = map[string][]string{
	"cmd/vpclab":                 {"internal/cli"},
	"internal":                   {}, // this test: no code of its own
	"internal/model":             {},
	"internal/packet":            {},
	"internal/topology/lab":      {"internal/model"},
	"internal/topology/snapshot": {"internal/model"},
	"internal/topology":          {"internal/model", "internal/topology/lab", "internal/topology/snapshot"},
	"internal/engine":            {"internal/model", "internal/nfw", "internal/packet"},
	"internal/nfw":               {"internal/model", "internal/packet"},
	"internal/tools":             {"internal/engine", "internal/model", "internal/packet"},
	"internal/tools/toolstest":   {"internal/model"},
	"internal/gen":               {"internal/model"},
	"internal/analyze":           {"internal/engine", "internal/model", "internal/packet", "internal/tools"},
	"internal/live":              {"internal/engine", "internal/model", "internal/packet", "internal/topology", "internal/tools"},
	// resident is the transport of a background process that holds a compiled estate (unix
	// socket, framing, idle exit); what a question means is internal/cli's, so it imports
	// no project package.
	"internal/resident": {},
	// ec2api is the EC2 Query protocol codec of vpclab serve (issue 11); its generator reads
	// the official model from the module cache. Neither needs the simulator.
	"internal/ec2api": {},
	"internal/serve": {"internal/analyze", "internal/ec2api", "internal/engine", "internal/model", "internal/packet", "internal/serve/store",
		"internal/tools", "internal/topology"},
	"internal/ec2api/internal/gen": {},
	// serve/store is vpclab serve's state file (bbolt): opaque records by kind and ID, so it
	// needs no project package; the server encodes the resources it keeps.
	"internal/serve/store": {},
	// collect snapshots a real account through the AWS SDK into describe-* JSON: it is the
	// client of AWS, writes files the snapshot loader reads, and needs no project package.
	"internal/collect": {},
	// scripts/benchapi is the workload client of scripts/bench-api.sh: it speaks the EC2 Query
	// protocol over HTTP to vpclab serve and moto_server alike, so it imports no project package.
	"scripts/benchapi": {},
	"internal/cli": {"internal/analyze", "internal/collect", "internal/engine", "internal/gen", "internal/live", "internal/model",
		"internal/packet", "internal/resident", "internal/serve", "internal/serve/store", "internal/tools", "internal/topology"},
}

// pure packages do no I/O, read no clock and use no global randomness (their non-test code).
var pure = map[string]bool{
	"internal/model":   true,
	"internal/packet":  true,
	"internal/engine":  true,
	"internal/nfw":     true,
	"internal/tools":   true,
	"internal/analyze": true,
}

// notPure says why a pure package may not import imp, or "" if it may.
func notPure(imp string) string {
	switch {
	case imp == "os" || strings.HasPrefix(imp, "os/") || imp == "io/ioutil":
		return "the core does no I/O: its caller opens files and hands it an io.Reader or io.Writer"
	case imp == "log" || strings.HasPrefix(imp, "log/"):
		return "the core does not log: pass it a logf"
	case imp == "crypto/rand":
		return "the core has no unseeded randomness: pass it a seeded *rand.Rand"
	case touchesNetwork(imp) != "":
		return "the core does no I/O, and only internal/live touches the OS network"
	}
	return ""
}

// clockFuncs read or wait on the wall clock. time's values (Time, Duration, Date, Unix, ...)
// stay allowed: the clock is injected (engine.Clock).
var clockFuncs = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "AfterFunc": true,
	"Tick": true, "NewTimer": true, "NewTicker": true,
}

// seededRand are the only names of math/rand and math/rand/v2 a pure package may use: a
// seeded generator and its types. Everything else at the top level (IntN, Uint64, Shuffle, N,
// Seed, ...) draws from the global source.
var seededRand = map[string]map[string]bool{
	"math/rand/v2": {"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
		"Rand": true, "Source": true, "PCG": true, "ChaCha8": true, "Zipf": true},
	"math/rand": {"New": true, "NewSource": true, "NewZipf": true,
		"Rand": true, "Source": true, "Source64": true, "Zipf": true},
}

// touchesNetwork says why imp touches the OS network, or "" if it does not. net/netip is a
// value package and stays allowed everywhere.
func touchesNetwork(imp string) string {
	switch imp {
	case "net", "net/http", "net/rpc", "net/smtp", "syscall", "golang.org/x/sys/unix", "golang.org/x/sys/windows":
		return "sockets and system calls"
	}
	for _, p := range []string{"net/http/", "github.com/vishvananda/", "golang.org/x/net/"} {
		if strings.HasPrefix(imp, p) {
			return "sockets, netlink or namespaces"
		}
	}
	for _, gp := range []string{"github.com/gopacket/gopacket/", "github.com/google/gopacket/"} {
		switch strings.TrimPrefix(imp, gp) {
		case "pcap", "afpacket", "pfring", "bsdbpf", "routing":
			return "live capture from an interface, or the kernel's routes"
		}
	}
	return ""
}

// pcapgoLive are the live parts of gopacket's pcapgo (an AF_PACKET socket on an interface);
// its pcap and pcapng readers and writers work on an io.Reader or io.Writer and stay allowed.
var pcapgoLive = map[string]bool{"EthernetHandle": true, "NewEthernetHandle": true}

func isPcapgo(imp string) bool {
	return imp == "github.com/gopacket/gopacket/pcapgo" || imp == "github.com/google/gopacket/pcapgo"
}

// exception lets one package use named parts of an import the rules above forbid it, for the
// reason given. Uses are checked name by name: net.Dial in internal/packet still fails.
type exception struct {
	pkg, imp string
	tests    bool // the exception holds for the package's _test.go files, not its code
	names    []string
	why      string
}

var exceptions = []exception{
	{"internal/packet", "net", false, []string{"ParseMAC"},
		"packet.ParseMAC parses text with net.ParseMAC; it reads no interface and opens no socket"},
	{"internal/packet", "net", true, []string{"HardwareAddr"},
		"gopacket's layers.Ethernet, which the tests check the wire encoding against, holds MACs as net.HardwareAddr"},
	{"internal/cli", "syscall", false, []string{"SIGINT", "SIGTERM"},
		"signal numbers: `up --foreground` and the background dataplane stop cleanly on Ctrl-C or kill (os.Interrupt has no SIGTERM); the namespaces, devices and sockets are internal/live's"},
	{"internal/resident", "net", false, []string{"Conn", "Listen", "DialTimeout"},
		"a unix socket in a directory only its user may enter, between vpclab processes on one machine: IPC, not the OS network the simulated one runs on"},
	{"internal/resident", "net", true, []string{"Listen", "UnixListener"},
		"the tests leave a socket nothing listens on, as a resident that was killed does, to see it cleaned up"},
	{"internal/resident", "syscall", false, []string{"Stat_t", "SysProcAttr", "ECONNREFUSED"},
		"the stat cache's inode and change time, a session of its own for the background process, and telling a dead resident's socket (connection refused) from a live one"},
	{"internal/ec2api", "net/http", true, []string{"ResponseWriter", "Request", "HandlerFunc"},
		"a loopback test endpoint for the AWS CLI, the real client whose requests and parsing the codec must match; the simulated network is not involved"},
	{"internal/ec2api", "net/http/httptest", true, []string{"NewServer", "Server"},
		"the loopback listener of that test endpoint, closed when the test ends"},
	{"internal/serve", "net", false, []string{"Listen"},
		"vpclab serve listens for EC2 API requests (loopback by default): it is an API for the AWS CLI, the SDKs and Terraform, not the simulated network, which it reaches only through the engine"},
	{"internal/serve", "net/http", false, []string{"Server", "Handler", "ResponseWriter", "Request", "MaxBytesReader", "MethodGet", "MethodPost", "ErrServerClosed",
		"NewRequestWithContext", "DefaultClient", "StatusOK", "StatusNotImplemented"},
		"the EC2 Query protocol is HTTP: the server's handler and its listener's lifecycle, and Fetch, the GET that reads a served lab for the other commands"},
	{"internal/collect", "net", true, []string{"Listen", "TCPAddr", "DialTimeout"},
		"a free loopback port for moto_server, the AWS emulator the collector's tests snapshot, and waiting until it listens"},
	{"internal/collect", "net/http", true, []string{"HandlerFunc", "ResponseWriter", "Request", "StatusForbidden"},
		"a loopback proxy in front of moto_server that refuses one region, as a policy denying a region does, to test that the others are still written"},
	{"internal/collect", "net/http/httptest", true, []string{"NewServer"},
		"the loopback listener of that proxy, closed when the test ends"},
	{"internal/collect", "net/http/httputil", true, []string{"NewSingleHostReverseProxy"},
		"that proxy passes the other regions' requests to moto_server"},
	{"internal/serve", "net/http", true, []string{"Post", "Get", "Request", "Response"},
		"the tests are EC2 API clients of the server on a loopback listener; the aws-sdk-go-v2 client's HTTP client takes a net/http Request and gives a Response (sdk_test.go hides a request body's WriteTo from net/http, aws/aws-sdk-go-v2#2737)"},
	{"internal/serve", "net/http/httptest", true, []string{"NewServer"},
		"that loopback listener, closed when the test ends"},
	{"scripts/benchapi", "net/http", false, []string{"Client", "Transport", "NewRequest", "StatusOK"},
		"the benchmark's client posts EC2 Query requests to vpclab serve and moto_server on loopback; the simulated network is not involved"},
	{"internal/gen", "syscall", true, []string{"Getrusage", "Rusage", "RUSAGE_SELF", "Sync"},
		"the benchmarks measure their CPU time and flush dirty pages; no network"},
}

func exceptionFor(pkg, imp string, test bool) *exception {
	for i, x := range exceptions {
		if x.pkg == pkg && x.imp == imp && x.tests == test {
			return &exceptions[i]
		}
	}
	return nil
}

// Every package go list knows has a row in allowed, and every row is a package.
func TestEveryPackageHasAPolicy(t *testing.T) {
	r := loadRepo(t)
	for _, p := range r.pkgs {
		if _, ok := allowed[p.rel]; !ok {
			t.Errorf("%s has no row in allowed (internal/deps_test.go): add it, with the project packages it may import, and to pure if it does no I/O", p.rel)
		}
	}
	for rel := range allowed {
		if !slices.ContainsFunc(r.pkgs, func(p *pkg) bool { return p.rel == rel }) {
			t.Errorf("allowed has a row for %s, which `go list ./...` does not list: remove it or fix the name", rel)
		}
	}
	for rel := range pure {
		if _, ok := allowed[rel]; !ok {
			t.Errorf("pure lists %s, which has no row in allowed", rel)
		}
	}
	for _, x := range exceptions {
		if !r.imports(x.pkg, x.imp, x.tests) {
			t.Errorf("the exception for %s importing %s (tests: %v) is not used: remove it", x.pkg, x.imp, x.tests)
		}
	}
}

// imports says whether a package's code (or tests) imports imp.
func (r *repo) imports(rel, imp string, tests bool) bool {
	for _, p := range r.pkgs {
		if p.rel != rel {
			continue
		}
		for _, f := range p.files {
			for _, is := range f.ast.Imports {
				if f.test == tests && importPath(is) == imp {
					return true
				}
			}
		}
	}
	return false
}

// Each package's code imports only the project packages its row allows.
func TestLayering(t *testing.T) {
	r := loadRepo(t)
	for _, p := range r.pkgs {
		ok, listed := allowed[p.rel]
		if !listed {
			continue // TestEveryPackageHasAPolicy says so
		}
		for _, f := range p.files {
			for _, is := range f.ast.Imports {
				imp := importPath(is)
				if rel, own := strings.CutPrefix(imp, module+"/"); own && !f.test && !slices.Contains(ok, rel) {
					t.Errorf("%s: %s imports %s; its row in allowed: %v", r.pos(is), p.rel, rel, ok)
				}
			}
		}
	}
}

// Nothing imports internal/cli but cmd/vpclab, not even a test.
func TestNothingImportsCLI(t *testing.T) {
	r := loadRepo(t)
	for _, p := range r.pkgs {
		if p.rel == "cmd/vpclab" || p.rel == "internal/cli" {
			continue
		}
		for _, f := range p.files {
			for _, is := range f.ast.Imports {
				if importPath(is) == module+"/internal/cli" {
					t.Errorf("%s: %s imports internal/cli: only cmd/vpclab may", r.pos(is), p.rel)
				}
			}
		}
	}
}

// The pure packages' code does no I/O, reads no clock and uses no global randomness
// (STYLE.md habit 5). Their tests may: they are drivers, not the core.
func TestPureCore(t *testing.T) {
	r := loadRepo(t)
	for _, p := range r.pkgs {
		if !pure[p.rel] {
			continue
		}
		for _, f := range p.files {
			if f.test {
				continue
			}
			for _, is := range f.ast.Imports {
				imp := importPath(is)
				if why := notPure(imp); why != "" {
					r.checkUses(t, p.rel, f, is, why)
				}
				switch {
				case imp == "time":
					r.forbidUses(t, f, is, func(name string) bool { return clockFuncs[name] },
						"reads the wall clock: the clock is injected (engine.Clock)")
				case seededRand[imp] != nil:
					r.forbidUses(t, f, is, func(name string) bool { return !seededRand[imp][name] },
						"draws from the global source: use a seeded *rand.Rand (rand.New(rand.NewPCG(seed, ...)))")
				}
			}
		}
	}
}

// Only internal/live touches the OS network: namespaces, devices, sockets, netlink, live
// capture. Everything else reaches the network through internal/live (the CLI drives live
// mode through it) or not at all. Tests are held to the same rule: tests that drive real tools
// (tcpdump -r, ping in a namespace) do so through os/exec and internal/live, which this rule
// does not restrict; exceptions name what a test needs and why.
func TestOnlyLiveTouchesTheNetwork(t *testing.T) {
	r := loadRepo(t)
	for _, p := range r.pkgs {
		if p.rel == "internal/live" {
			continue
		}
		for _, f := range p.files {
			for _, is := range f.ast.Imports {
				imp := importPath(is)
				if why := touchesNetwork(imp); why != "" {
					r.checkUses(t, p.rel, f, is, "only internal/live touches the OS network ("+why+")")
				}
				if isPcapgo(imp) {
					r.forbidUses(t, f, is, func(name string) bool { return pcapgoLive[name] },
						"captures from a live interface: only internal/live touches the OS network")
				}
			}
		}
	}
}

// checkUses reports a forbidden import at its line, unless an exception lets the package use
// named parts of it: then each use of another name is reported at its own line.
func (r *repo) checkUses(t *testing.T, pkg string, f *file, is *ast.ImportSpec, why string) {
	t.Helper()
	imp := importPath(is)
	x := exceptionFor(pkg, imp, f.test)
	if x == nil {
		t.Errorf("%s: %s imports %s: %s", r.pos(is), pkg, imp, why)
		return
	}
	r.forbidUses(t, f, is, func(name string) bool { return !slices.Contains(x.names, name) },
		"is outside "+pkg+"'s exception for this import (only "+strings.Join(x.names, ", ")+"): "+why)
}

// forbidUses reports, at its line, every use in f of a name of the import is for which bad
// says true. Uses are found by syntax: a selector on the name the file imports the package as
// (renamed imports included). A local variable that shadows that name is treated as the
// package: rename it. A dot import cannot be checked and is reported itself; a blank import
// has no uses.
func (r *repo) forbidUses(t *testing.T, f *file, is *ast.ImportSpec, bad func(string) bool, why string) {
	t.Helper()
	imp := importPath(is)
	name := importName(is)
	switch name {
	case "_":
		return
	case ".":
		t.Errorf("%s: %q dot-imported: import it by name so its uses can be checked", r.pos(is), imp)
		return
	}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && bad(sel.Sel.Name) {
			t.Errorf("%s: %s.%s (%q) %s", r.pos(sel), name, sel.Sel.Name, imp, why)
		}
		return true
	})
}

func importPath(is *ast.ImportSpec) string {
	p, _ := strconv.Unquote(is.Path.Value)
	return p
}

// importName is the name a file uses for an import: its rename, else the package name, which
// for the module's and the standard library's imports is the last element of the path that is
// not a major version (math/rand/v2 is rand).
func importName(is *ast.ImportSpec) string {
	if is.Name != nil {
		return is.Name.Name
	}
	p := importPath(is)
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(p))
	}
	return base
}

// repo is every package of the module, parsed.
type repo struct {
	root string
	fset *token.FileSet
	pkgs []*pkg
}

type pkg struct {
	rel   string // import path inside the module: "internal/engine", "cmd/vpclab"
	files []*file
}

type file struct {
	test bool // a _test.go file
	ast  *ast.File
}

// pos is "internal/engine/state.go:42", relative to the module root.
func (r *repo) pos(n ast.Node) string {
	p := r.fset.Position(n.Pos())
	if rel, err := filepath.Rel(r.root, p.Filename); err == nil {
		p.Filename = filepath.ToSlash(rel)
	}
	return p.String()
}

var (
	repoOnce sync.Once
	theRepo  *repo
	repoSkip string // why the tests skip, if they do
	repoErr  string
)

// loadRepo lists the module's packages with `go list ./...` and parses every .go file in
// their directories, whatever the build tags, once for all the tests.
func loadRepo(t *testing.T) *repo {
	t.Helper()
	repoOnce.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			repoSkip = "the go command is not on PATH; the dependency policy needs `go list ./...` to know every package"
			return
		}
		gomod, err := exec.Command(goCmd, "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
			repoErr = "go env GOMOD: no module root found: " + errString(err)
			return
		}
		r := &repo{root: filepath.Dir(strings.TrimSpace(string(gomod))), fset: token.NewFileSet()}
		list := exec.Command(goCmd, "list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}", "./...")
		list.Dir = r.root
		out, err := list.Output()
		if err != nil {
			repoErr = "go list ./...: " + errString(err)
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			imp, dir, _ := strings.Cut(line, "\t")
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				repoErr = "go list ./... lists " + imp + ", outside module " + module
				return
			}
			p := &pkg{rel: rel}
			names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
			for _, name := range names {
				af, err := parser.ParseFile(r.fset, name, nil, parser.SkipObjectResolution)
				if err != nil {
					repoErr = err.Error()
					return
				}
				p.files = append(p.files, &file{test: strings.HasSuffix(name, "_test.go"), ast: af})
			}
			r.pkgs = append(r.pkgs, p)
		}
		theRepo = r
	})
	switch {
	case repoSkip != "":
		t.Skip(repoSkip)
	case repoErr != "":
		t.Fatal(repoErr)
	}
	return theRepo
}

func errString(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + strings.TrimSpace(string(ee.Stderr))
	}
	if err == nil {
		return "empty output"
	}
	return err.Error()
}
