package ec2api

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The committed generated files are what the generator writes from the pinned model, and
// it writes the same bytes every time: a regeneration in review shows only real changes.
func TestGeneratedFilesAreUpToDateAndDeterministic(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator")
	}
	cache, err := exec.Command(goTool, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	model := filepath.Join(strings.TrimSpace(string(cache)), "github.com", "aws", "aws-sdk-go@v1.55.8",
		"models", "apis", "ec2", "2016-11-15", "api-2.json")
	if _, err := os.Stat(model); err != nil {
		t.Skipf("the pinned model is not in the module cache (%v); `go mod download github.com/aws/aws-sdk-go@v1.55.8` fetches it", err)
	}
	var runs [2]string
	for i := range runs {
		runs[i] = t.TempDir()
		args := []string{"run", "./internal/gen", "-out", runs[i]}
		if i == 0 { // the second run finds the model itself, as go generate does
			args = append(args, "-model", model)
		}
		cmd := exec.Command(goTool, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("generator: %v\n%s", err, out)
		}
	}
	for _, name := range []string{"filters_gen.go", "operations_gen.go", "shapes_gen.go"} {
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, dir := range runs {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, committed) {
				t.Errorf("run %d: %s differs from the committed file; run go generate ./internal/ec2api", i+1, name)
			}
		}
		if !bytes.HasPrefix(committed, []byte("// Code generated ")) || !bytes.Contains(committed, []byte("DO NOT EDIT.")) {
			t.Errorf("%s lacks the standard generated-code header", name)
		}
	}
}
