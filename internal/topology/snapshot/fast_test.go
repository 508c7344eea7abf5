package snapshot

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
)

// The hand-written decoders (fast.go) and the reflective one agree: whenever a hand-written
// decoder decodes an element, the reflective decoder decodes it without error into the same
// value. When it gives up, the reflective decoder decides; so a hand-written decoder may give
// up too often, never decode differently.

// agreeOn decodes el both ways as a T and reports whether the hand-written decoder took it.
func agreeOn[T any](t *testing.T, el []byte) bool {
	t.Helper()
	var fast, slow T
	ok := fastDecode(el, &fast)
	err := json.Unmarshal(el, &slow, decodeOpts)
	if ok && err != nil {
		t.Errorf("hand-written decoder took %.200q, which the reflective decoder refuses: %v", el, err)
	}
	if ok && err == nil && !reflect.DeepEqual(fast, slow) {
		t.Errorf("decoders disagree on %.200q:\nhand-written %+v\nreflective   %+v", el, fast, slow)
	}
	return ok
}

// agreeOnFile checks every element of the Reservations and NetworkInterfaces of a file, and
// returns how many the hand-written decoders took and how many there were.
func agreeOnFile(t *testing.T, data []byte) (took, all int) {
	t.Helper()
	var answers map[string][]jsontext.Value
	if json.Unmarshal(data, &answers, decodeOpts) != nil {
		return 0, 0 // some other answer, not an array
	}
	for _, el := range answers["Reservations"] {
		if agreeOn[awsReservation](t, el) {
			took++
		}
		all++
	}
	for _, el := range answers["NetworkInterfaces"] {
		if agreeOn[awsENI](t, el) {
			took++
		}
		all++
	}
	return took, all
}

func TestFastDecodersAgreeOnSnapshots(t *testing.T) {
	t.Run("conformance", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(conformanceDir(t, "test-nat-gateway"), "..", "..", "*", "aws_configs", "*.json"))
		took, all := 0, 0
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			k, n := agreeOnFile(t, data)
			took, all = took+k, all+n
		}
		if all == 0 || took != all {
			t.Errorf("hand-written decoders took %d of %d elements, want all", took, all)
		}
	})
	t.Run("generated", func(t *testing.T) {
		dir := t.TempDir()
		top := gen.Estate(gen.Options{VPCs: 3, SubnetsPerVPC: 4, InstancesPerSubnet: 5, Seed: 7})
		model.ApplyDefaults(top)
		if err := gen.WriteSnapshot(top, dir); err != nil {
			t.Fatal(err)
		}
		took, all := 0, 0
		for _, name := range []string{"Reservations.json", "NetworkInterfaces.json"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			k, n := agreeOnFile(t, data)
			took, all = took+k, all+n
		}
		if all < 60 || took != all {
			t.Errorf("hand-written decoders took %d of %d elements, want all", took, all)
		}
	})
}

// fastCases are elements of describe-network-interfaces (eni) or describe-instances
// (reservation), and whether the hand-written decoder must take them.
var fastCases = []struct {
	kind, el string
	take     bool
}{
	{"eni", `{"NetworkInterfaceId": "eni-1", "VpcId": "vpc-1", "Groups": [], "TagSet": null}`, true},
	{"eni", `{"networkinterfaceid": "eni-1", "VPCID": "vpc-1"}`, true},        // names fold
	{"eni", `{"Vpc_Id": "vpc-1", "Vpc-Id": "vpc-2", "VpcId": "vpc-3"}`, true}, // delimiters count
	{"eni", `{"NetworkInterfaceId": null, "Association": null, "Attachment": null}`, true},
	{"eni", `{"Association": {}, "Attachment": {"DeviceIndex": -3, "AttachTime": " 2020-03-03 01:21:01+00:00"}}`, true},
	{"eni", `{"Attachment": {"DeviceIndex": 0, "AttachTime": "yesterday"}, "SourceDestCheck": false}`, true},
	{"eni", `{"PrivateIpAddresses": [null, {"Primary": true, "PrivateIpAddress": "10.0.0.1", "Association": {"PublicIp": "1.2.3.4"}}]}`, true},
	{"eni", `{"Description": "café ☕", "Extra": {"a": [1, -2.5e+3, 0.1E-2, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]}}`, true},
	{"eni", "\t{ \"Groups\" : [ { \"GroupId\" : \"sg-1\" , \"GroupName\" : \"web\" } ] }\r\n", true},
	{"eni", `{"TagSet": [{"Key": "Name", "Value": "a"}, {"key": "b"}, null], "RequesterManaged": true}`, true},
	{"eni", `null`, true},
	{"eni", `{"VpcId": "vpc-1", "VpcId": "vpc-2"}`, false}, // repeated: the reflective decoder merges
	{"eni", `{"VpcId": "vpc-1", "vpcid": "vpc-2"}`, false}, // repeated by fold
	{"eni", `{"Attachment": {"InstanceId": "i-1"}, "Attachment": {"DeviceIndex": 1}}`, false},
	{"eni", `{"Description": "a\"b"}`, false},       // escape in a kept string
	{"eni", "{\"Description\": \"a\xffb\"}", false}, // bad UTF-8 kept
	{"eni", "{\"Other\": \"a\xffb\"}", true},        // bad UTF-8 skipped: allowed
	{"eni", `{"Other": "\ud800"}`, false},           // a surrogate escape
	{"eni", `{"VpcId": 5}`, false},                  // type errors
	{"eni", `{"Attachment": {"DeviceIndex": 1.0}}`, false},
	{"eni", `{"Attachment": {"DeviceIndex": "1"}}`, false},
	{"eni", `{"Attachment": {"DeviceIndex": 12345678901234567890}}`, false},
	{"eni", `{"SourceDestCheck": "yes"}`, false},
	{"eni", `{"Groups": {}}`, false},
	{"eni", `{"VpcId": "vpc-1",}`, false}, // syntax errors
	{"eni", `{"Other": [1,]}`, false},
	{"eni", `{"Other": 01}`, false},
	{"eni", `{"Other": -}`, false},
	{"eni", `{"Other": 1.}`, false},
	{"eni", `{"Other": nul}`, false},
	{"eni", `{"Other": truex}`, false},
	{"eni", "{\"Other\": \"a\tb\"}", false},
	{"eni", `{"Other": "\x"}`, false},
	{"eni", `{"VpcId": "vpc-1"} {}`, false},
	{"eni", `{"VpcId": "vpc-1"`, false},
	{"eni", `{"Ótro": 1}`, false}, // a name that is not plain ASCII
	{"eni", `{"Other": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, false},
	{"reservation", `{"Instances": [{"InstanceId": "i-1", "State": {"Name": "running", "Code": 16},
		"LaunchTime": "2020-03-03T01:21:01.000Z", "PublicIpAddress": "1.2.3.4", "Tags": [],
		"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Attachment": {"DeviceIndex": 0}}]}], "Groups": []}`, true},
	{"reservation", `{"Instances": null, "OwnerId": "1"}`, true},
	{"reservation", `{"Instances": [null, {"State": null}]}`, true},
	{"reservation", `{"Instances": [{"LaunchTime": 5}]}`, false},
	{"reservation", `{"Instances": [{"State": "running"}]}`, false},
	{"reservation", `[]`, false},
}

func TestFastDecodersEdgeCases(t *testing.T) {
	for _, c := range fastCases {
		var took bool
		if c.kind == "eni" {
			took = agreeOn[awsENI](t, []byte(c.el))
		} else {
			took = agreeOn[awsReservation](t, []byte(c.el))
		}
		if took != c.take {
			t.Errorf("hand-written decoder took %q: %v, want %v", c.el, took, c.take)
		}
	}
}

// Loading gives the same topology and problems with the hand-written decoders as without,
// also when type errors send elements to the reflective decoder.
func TestFastDecodersLoadAlike(t *testing.T) {
	dir := t.TempDir()
	top := gen.Estate(gen.Options{VPCs: 2, SubnetsPerVPC: 2, InstancesPerSubnet: 3, Seed: 3})
	model.ApplyDefaults(top)
	if err := gen.WriteSnapshot(top, dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "Reservations.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Break the second instance's first interface's device index, and a launch time.
	broken := strings.Replace(string(data), `"DeviceIndex": 0`, `"DeviceIndex": "zero"`, 2)
	broken = strings.Replace(broken, `"NetworkInterfaceId": "eni-`, `"NetworkInterfaceId": 7, "x": "eni-`, 1)
	if broken == string(data) {
		t.Fatal("the generated estate changed shape: nothing replaced")
	}
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	fastTop, fastProbs := Load(dir)
	defer func() { fastDecoding = true }()
	fastDecoding = false
	slowTop, slowProbs := Load(dir)
	if !reflect.DeepEqual(fastTop, slowTop) {
		t.Error("the topologies differ with and without the hand-written decoders")
	}
	if !reflect.DeepEqual(fastProbs, slowProbs) {
		t.Errorf("problems differ:\nwith    %v\nwithout %v", fastProbs, slowProbs)
	}
	if n := len(slowProbs) - len(slowProbs.Warnings()); n < 3 {
		t.Errorf("%d errors, want the three type errors:\n%v", n, slowProbs)
	}
}

// FuzzFastDecoders feeds arbitrary elements to both decoders of both kinds.
func FuzzFastDecoders(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.el))
	}
	f.Fuzz(func(t *testing.T, el []byte) {
		agreeOn[awsENI](t, el)
		agreeOn[awsReservation](t, el)
	})
}

// BenchmarkDecodeInstances decodes the elements of describe-instances of a generated estate,
// from memory, with the hand-written decoder (fast) and the reflective one (reflective).
func BenchmarkDecodeInstances(b *testing.B) {
	dir := b.TempDir()
	top := gen.Estate(gen.Options{VPCs: 10, SubnetsPerVPC: 10, InstancesPerSubnet: 10, Seed: 1})
	model.ApplyDefaults(top)
	if err := gen.WriteSnapshot(top, dir); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "Reservations.json"))
	if err != nil {
		b.Fatal(err)
	}
	var answer struct{ Reservations []jsontext.Value }
	if err := json.Unmarshal(data, &answer); err != nil {
		b.Fatal(err)
	}
	for _, fast := range []bool{true, false} {
		name := map[bool]string{true: "fast", false: "reflective"}[fast]
		b.Run(name, func(b *testing.B) {
			defer func() { fastDecoding = true }()
			fastDecoding = fast
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, el := range answer.Reservations {
					var r awsReservation
					if !fastDecode(el, &r) {
						if err := json.Unmarshal(el, &r, decodeOpts); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		})
	}
}
