// Package internal_test states vpclab's layering as policy (ARCHITECTURE.md): who may import
// whom, and that the core (model, engine) does no I/O and reads no clock of its own.
package internal_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/vpclab/vpclab/"

// allowed lists, per package, the project packages its non-test code may import.
var allowed = map[string][]string{
	"internal/model":             {},
	"internal/packet":            {},
	"internal/topology/lab":      {"internal/model"},
	"internal/topology/snapshot": {"internal/model"},
	"internal/topology":          {"internal/model", "internal/topology/lab", "internal/topology/snapshot"},
	"internal/engine":            {"internal/model", "internal/packet"},
	"internal/tools":             {"internal/engine", "internal/model", "internal/packet"},
	"internal/gen":               {"internal/model"},
	"internal/analyze":           {"internal/engine", "internal/model", "internal/packet", "internal/tools"},
	"internal/live":              {"internal/engine", "internal/model", "internal/packet", "internal/topology", "internal/tools"},
}

// pure packages may not import these: no I/O, no logging, no global randomness.
var pure = map[string]bool{"internal/model": true, "internal/engine": true, "internal/analyze": true}
var impure = []string{"os", "log", "net", "net/http", "math/rand", "io/ioutil", "syscall"}

func TestLayering(t *testing.T) {
	for pkg, ok := range allowed {
		imports, sources := importsOf(t, pkg)
		if imports == nil {
			continue // not written yet
		}
		for imp := range imports {
			if rel, own := strings.CutPrefix(imp, module); own {
				if !contains(ok, rel) {
					t.Errorf("%s imports %s; allowed: %v", pkg, rel, ok)
				}
				continue
			}
			if pure[pkg] && contains(impure, imp) {
				t.Errorf("%s imports %s: the core does no I/O and has no global randomness", pkg, imp)
			}
		}
		if pure[pkg] {
			for file, src := range sources {
				if strings.Contains(src, "time.Now()") {
					t.Errorf("%s calls time.Now: the engine's clock is injected", file)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// importsOf parses the non-test Go files of a package directory (relative to the repository).
func importsOf(t *testing.T, pkg string) (map[string]bool, map[string]string) {
	t.Helper()
	dir := filepath.Join("..", pkg)
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(files) == 0 {
		return nil, nil
	}
	imports, sources := map[string]bool{}, map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(src)
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range af.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			imports[p] = true
		}
	}
	return imports, sources
}

func TestNothingImportsCLI(t *testing.T) {
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.Contains(path, filepath.Join("internal", "cli")) || strings.Contains(path, filepath.Join("cmd", "vpclab")) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), `"`+module+`internal/cli"`) {
			t.Errorf("%s imports internal/cli: only cmd/vpclab may", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
