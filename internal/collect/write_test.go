package collect

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A region's answers go to <account>/<region>/; answer files an earlier snapshot left there
// and this one did not write (a deleted table's search) are removed, and files that are not
// ours are left alone.
func TestWriteReplacesStaleAnswers(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "123456789012", "us-east-1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"search-transit-gateway-routes.tgw-rtb-0old.json", "describe-vpcs.json", "notes.json", "README.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &regionRun{o: &Options{}, region: "us-east-1", out: out, res: RegionResult{Account: "123456789012"},
		files: []answerFile{{name: "describe-vpcs", fields: []field{{"Vpcs", []types.Vpc{{VpcId: aws.String("vpc-1")}}}}}}}
	if err := r.write(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"README.txt", "describe-vpcs.json", "notes.json"}; !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "describe-vpcs.json"))
	if want := "{\n    \"Vpcs\": [\n        {\n            \"VpcId\": \"vpc-1\"\n        }\n    ]\n}\n"; string(data) != want {
		t.Errorf("describe-vpcs.json is\n%s\nwant\n%s", data, want)
	}
	if r.res.Dir != dir || r.res.Files != 1 {
		t.Errorf("result dir %q, files %d; want %q, 1", r.res.Dir, r.res.Files, dir)
	}
}
