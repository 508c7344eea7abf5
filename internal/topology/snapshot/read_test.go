package snapshot

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// bigVpcs is a describe-vpcs answer of n VPCs, one per line, large enough to be split into
// many batches; bad (when not negative) is the index of a VPC whose VpcId is a number.
func bigVpcs(n, bad int) string {
	var sb strings.Builder
	sb.WriteString("{\"Vpcs\": [\n")
	for i := range n {
		if i > 0 {
			sb.WriteString(",\n")
		}
		id := fmt.Sprintf("%q", fmt.Sprintf("vpc-%05d", i))
		if i == bad {
			id = "7"
		}
		fmt.Fprintf(&sb, `{"VpcId": %s, "CidrBlock": "10.%d.%d.0/24", "Tags": [{"Key": "Name", "Value": %q}], "Padding": %q}`,
			id, i/256, i%256, fmt.Sprintf("v%d", i), strings.Repeat("x", 200))
	}
	sb.WriteString("\n]}\n")
	return sb.String()
}

// A large array is decoded in batches on several cores; the result keeps file order and
// every element's index and line, whichever batch it fell in.
func TestBatchesKeepOrderAndPaths(t *testing.T) {
	const n, bad = 4000, 3777 // about a megabyte: several batches of batchBytes
	if len(bigVpcs(n, bad)) < 3*batchBytes {
		t.Fatalf("the file is too small to span batches")
	}
	l := &loader{}
	l.readFiles([][2]string{{writeFiles(t, map[string]string{"v.json": bigVpcs(n, bad)}) + "/v.json", "v.json"}})
	if l.vpcs.len() != n {
		t.Fatalf("got %d VPCs, want %d", l.vpcs.len(), n)
	}
	for i, it := range slices.Collect(l.vpcs.all()) {
		if want := fmt.Sprintf("Vpcs[%d]", i); it.src.Path != want {
			t.Fatalf("VPC %d: path %q, want %q", i, it.src.Path, want)
		}
		if want := fmt.Sprintf("v%d", i); it.v.Tags[0].Value != want {
			t.Fatalf("VPC %d: Name %q, want %q (out of order)", i, it.v.Tags[0].Value, want)
		}
	}
	// Line 1 is the opening; VPC i is on line i+2.
	wantProblem(t, l.probs, model.Error, fmt.Sprintf("Vpcs[%d].VpcId", bad), "expected string, got number", fmt.Sprintf("line %d, column 11", bad+2))
	if len(l.probs) != 1 {
		t.Errorf("got %d problems, want 1:\n%v", len(l.probs), l.probs)
	}
}

// A syntax error deep in a large array, after batches have gone to the decoders, still
// rejects the whole file with the error's exact line.
func TestSyntaxErrorLateInLargeArray(t *testing.T) {
	good := bigVpcs(4000, -1)
	broken := strings.Replace(good, `"vpc-03500", "CidrBlock"`, `"vpc-03500" "CidrBlock"`, 1)
	if broken == good {
		t.Fatal("the test did not break the file")
	}
	top, ps := Load(writeFiles(t, map[string]string{"v.json": broken}))
	wantProblem(t, ps, model.Error, "v.json:3502:23", "invalid character")
	if len(top.VPCs) != 0 {
		t.Errorf("%d VPCs read from a malformed file, want none", len(top.VPCs))
	}
}

// The scan is strict about what it walks between values, and values vpclab skips are
// checked too: a file is either read whole or reported.
func TestSyntaxOutsideDecodedValues(t *testing.T) {
	for name, tc := range map[string]struct{ in, at string }{
		"missing comma between keys": {"{\"Vpcs\": []\n \"NextToken\": \"x\"}", "2:2"},
		"data after the object":      {vpcsJSON + "\n{}", "2:1"},
		"bad literal in NextToken":   {"{\"Vpcs\": [],\n\"NextToken\": tru}", "2:17"},
		"bad value in unknown key":   {"{\"Vpcs\": [],\n\"Foo\": [1,,2]}", "2:11"},
		"trailing comma in array":    {"{\"Vpcs\": [{\"VpcId\": \"vpc-1\"},]}", "1:30"},
		"key is not a string":        {"{Vpcs: []}", "1:2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, ps := Load(writeFiles(t, map[string]string{"f.json": tc.in}))
			wantProblem(t, ps, model.Error, "invalid JSON at f.json:"+tc.at)
			if len(ps) != 1 {
				t.Errorf("got %d problems, want 1:\n%v", len(ps), ps)
			}
		})
	}
}

// The decoder does not look inside an object or array it rejects for its type, nor past its
// last retry: a type error has the whole element checked for syntax, so a malformed file is
// never read as if it were only mistyped.
func TestSyntaxInsideMistypedValues(t *testing.T) {
	var many strings.Builder
	many.WriteString(`{"Vpcs": [{"VpcId": "vpc-1", "Tags": [`)
	for i := range maxTypeErrors + 1 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"Key": 1}`)
	}
	many.WriteString(`], "X": tru}]}`)
	for name, in := range map[string]string{
		"inside a mistyped object":     `{"Vpcs": [{"VpcId": "v", "Tags": {"a": tru}}]}`,
		"inside a mistyped array":      `{"Vpcs": [[1,,2]]}`,
		"deep in a reservation":        `{"Reservations": [{"Instances": [{"InstanceId": "i", "State": [1,,2]}]}]}`,
		"after the last retry's error": many.String(),
	} {
		t.Run(name, func(t *testing.T) {
			top, ps := Load(writeFiles(t, map[string]string{"f.json": in}))
			wantProblem(t, ps, model.Error, "invalid JSON at f.json:1:")
			if len(ps) != 1 || len(top.VPCs)+len(top.Instances) != 0 {
				t.Errorf("got %d problems, %d VPCs, %d instances; want the syntax error alone:\n%v",
					len(ps), len(top.VPCs), len(top.Instances), ps)
			}
		})
	}
}

// A file that cannot be read at all says so once, without "no answer recognised" besides.
func TestUnreadableFileReportedOnce(t *testing.T) {
	_, ps := Load(writeFiles(t, map[string]string{"u.json": "\xff\xfe{\x00}\x00"}))
	wantProblem(t, ps, model.Error, "UTF-16")
	if len(ps) != 1 {
		t.Errorf("got %d problems, want 1:\n%v", len(ps), ps)
	}
}

// Names match AWS's field names whatever their case, as encoding/json did, but not with
// underscores or dashes in between; invalid UTF-8 in a name is replaced, not fatal.
func TestFieldNames(t *testing.T) {
	top, ps := Load(writeFiles(t, map[string]string{"v.json": `{"Vpcs": [
  {"vpcid": "vpc-1", "CIDRBLOCK": "10.0.0.0/16"},
  {"Vpc_Id": "vpc-2", "CidrBlock": "10.1.0.0/16"}], "` + "\xff" + `": 1}`}))
	if len(top.VPCs) != 1 || top.VPCs[0].ID != "vpc-1" {
		t.Errorf("VPCs = %v, want vpc-1 alone", top.VPCs)
	}
	wantProblem(t, ps, model.Error, "Vpcs[1]", "no VpcId")
	wantProblem(t, ps, model.Warning, "unknown key")
}

// A number that does not fit says so, and one that is not an integer shows itself.
func TestNumberMessages(t *testing.T) {
	_, ps := Load(writeFiles(t, map[string]string{"n.json": `{"NetworkInterfaces": [
  {"NetworkInterfaceId": "eni-1", "Attachment": {"DeviceIndex": 99999999999999999999}},
  {"NetworkInterfaceId": "eni-2", "Attachment": {"DeviceIndex": 1.5}}]}`}))
	wantProblem(t, ps, model.Error, "NetworkInterfaces[0].Attachment.DeviceIndex", "expected integer, got number 99999999999999999999 (out of range)", "line 2")
	p := wantProblem(t, ps, model.Error, "NetworkInterfaces[1].Attachment.DeviceIndex", "expected integer, got number 1.5 (line 3")
	if p != nil && strings.Contains(p.Message, "syntax") {
		t.Errorf("a mistyped number reads like a syntax error: %s", p.Message)
	}
}
