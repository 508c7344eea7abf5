package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
)

// streamInputs are files whose every byte may fall on a boundary of the stream's window:
// strings with escapes and brackets, type errors (line and column), syntax errors, values
// vpclab skips, a BOM, a file that is not an object.
var streamInputs = map[string]string{
	"vpcs.json": bigVpcs(300, 170),
	"escapes.json": "{\"Vpcs\": [\n  {\"VpcId\": \"vpc-\\\"]}{[\\\\\", \"CidrBlock\": \"10.0.0.0/16\",\n" +
		"   \"Tags\": [{\"Key\": \"Name\", \"Value\": \"a\\\\\\\"b\\u00e9}\"}]},\n  {\"VpcId\": \"vpc-2\", \"CidrBlock\": 17}\n],\n" +
		"\"NextToken\": \"x\\\"y\", \"Foo\": [{\"a\": [1, 2, {\"b\": \"]\"}]}, 3.5e10, null],\n\"VpnGateways\": {\"x\": 1}}\n",
	"bom.json":         "\xEF\xBB\xBF{\"Subnets\": [{\"SubnetId\": \"subnet-1\", \"VpcId\": 5}]}",
	"truncated.json":   `{"NextToken": "a", "AdditionalRoutesAvailable": true, "Routes": []}`,
	"array.json":       "[{\"a\": 1},\n {\"b\": [2, \"]\"]}]\n",
	"syntax.json":      "{\"Vpcs\": [{\"VpcId\": \"vpc-9\"},\n {\"VpcId\": \"vpc-10\" \"CidrBlock\": \"10.0.0.0/8\"}]}",
	"late-syntax.json": "{\"Subnets\": [{\"SubnetId\": \"subnet-9\"}],\n \"Unknown\": [1, 2,\n ]}",
	"empty.json":       "   \n",
	"scalar.json":      "\n 42 \n",
}

// loaderOf reads the files of dir as Load does, with the stream's reads and window set to
// the given sizes.
func loaderOf(t *testing.T, dir string, read, window int) *loader {
	t.Helper()
	defer func(r, w int) { readSize, windowSize = r, w }(readSize, windowSize)
	readSize, windowSize = read, window
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files [][2]string
	for _, e := range entries {
		files = append(files, [2]string{filepath.Join(dir, e.Name()), e.Name()})
	}
	l := &loader{}
	l.readFiles(files)
	return l
}

// However the file is cut into reads, and however small the window that holds it, the scan
// finds the same elements and the problems name the same lines and columns.
func TestStreamWindowsAgree(t *testing.T) {
	dir := writeFiles(t, streamInputs)
	want := loaderOf(t, dir, 128<<10, 4*batchBytes)
	if want.vpcs.len() != 302 || len(want.probs) < 8 {
		t.Fatalf("the inputs read as %d VPCs and %d problems; want 302 VPCs and more problems:\n%v", want.vpcs.len(), len(want.probs), want.probs)
	}
	for _, p := range []string{"vpcs.json: Vpcs[170].VpcId", "line 172, column 11", "escapes.json: Vpcs[1].CidrBlock", "line 4, column 35",
		"bom.json: Subnets[0].VpcId", "line 1, column 51", "syntax.json:2:21", "late-syntax.json:3:2", "empty.json:2:1", "routes truncated", "not a describe-* answer"} {
		if !strings.Contains(fmt.Sprint(want.probs), p) {
			t.Errorf("no problem says %q:\n%v", p, want.probs)
		}
	}
	for _, sizes := range [][2]int{{1, 1}, {3, 16}, {7, 64}, {4096, 100}} {
		got := loaderOf(t, dir, sizes[0], sizes[1])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("reads of %d bytes, window of %d: the loader differs\ngot problems:\n%v\nwant:\n%v", sizes[0], sizes[1], got.probs, want.probs)
		}
	}
}

// wholeAnswers are the answers vpclab decodes most, read the plain way: each file whole,
// with one json.Unmarshal. The streamed reader must agree with it.
type wholeAnswers struct {
	Vpcs              []awsVpc
	Subnets           []awsSubnet
	RouteTables       []awsRouteTable
	InternetGateways  []awsInternetGateway
	NatGateways       []awsNatGateway
	Addresses         []awsAddress
	NetworkInterfaces []awsENI
	Reservations      []awsReservation
	SecurityGroups    []awsSecurityGroup
	NetworkAcls       []awsNetworkAcl
	VpnGateways       []awsVpnGateway
	VpnConnections    []awsVpnConnection
	PrefixLists       []awsPrefixList
	TransitGateways   []awsTransitGateway
}

// agreeWithWhole checks the loader against each file of dir decoded whole, in the order of
// the walk.
func agreeWithWhole(t *testing.T, dir string) {
	t.Helper()
	var files [][2]string
	var want wholeAnswers
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".json") {
			return err
		}
		files = append(files, [2]string{path, path})
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var w wholeAnswers
		if err := json.Unmarshal(data, &w, decodeOpts); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		v, wv := reflect.ValueOf(&want).Elem(), reflect.ValueOf(w)
		for i := range v.NumField() {
			v.Field(i).Set(reflect.AppendSlice(v.Field(i), wv.Field(i)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{}
	l.readFiles(files)
	if l.probs.HasErrors() {
		t.Fatalf("problems: %v", l.probs)
	}
	var instances []awsInstance
	for _, r := range want.Reservations {
		instances = append(instances, r.Instances...)
	}
	n := 0
	n += sameItems(t, "Vpcs", l.vpcs, want.Vpcs)
	n += sameItems(t, "Subnets", l.subnets, want.Subnets)
	n += sameItems(t, "RouteTables", l.routeTables, want.RouteTables)
	n += sameItems(t, "InternetGateways", l.igws, want.InternetGateways)
	n += sameItems(t, "NatGateways", l.nats, want.NatGateways)
	n += sameItems(t, "Addresses", l.addresses, want.Addresses)
	n += sameItems(t, "NetworkInterfaces", l.enis, want.NetworkInterfaces)
	n += sameItems(t, "instances", l.instances, instances)
	n += sameItems(t, "SecurityGroups", l.sgs, want.SecurityGroups)
	n += sameItems(t, "NetworkAcls", l.acls, want.NetworkAcls)
	n += sameItems(t, "VpnGateways", l.vgws, want.VpnGateways)
	n += sameItems(t, "VpnConnections", l.vpns, want.VpnConnections)
	n += sameItems(t, "PrefixLists", l.prefixLists, want.PrefixLists)
	n += sameItems(t, "TransitGateways", l.tgws, want.TransitGateways)
	if n == 0 {
		t.Errorf("nothing decoded in %s", dir)
	}
}

// sameItems checks that the items decoded are the values read whole, and returns how many.
func sameItems[T any](t *testing.T, what string, list list[T], want []T) int {
	t.Helper()
	got := slices.Collect(list.all())
	if len(got) != len(want) {
		t.Errorf("%s: %d decoded, %d in the files", what, len(got), len(want))
		return 0
	}
	for i := range got {
		if !reflect.DeepEqual(got[i].v, want[i]) {
			t.Errorf("%s[%d] differs:\n got %+v\nwant %+v", what, i, got[i].v, want[i])
			return 0
		}
	}
	return len(got)
}

// The streamed decoding gives what decoding each file whole gives, on the conformance
// snapshots and on a generated estate.
func TestStreamedDecodingMatchesWhole(t *testing.T) {
	for _, name := range []string{"test-nat-gateway", "test-transit-gateway", "test-vpc-peering"} {
		t.Run(name, func(t *testing.T) { agreeWithWhole(t, conformanceDir(t, name)) })
	}
	t.Run("generated", func(t *testing.T) {
		dir := t.TempDir()
		top := gen.Estate(gen.Options{VPCs: 3, SubnetsPerVPC: 4, InstancesPerSubnet: 5, Seed: 7})
		model.ApplyDefaults(top)
		if err := gen.WriteSnapshot(top, dir); err != nil {
			t.Fatal(err)
		}
		defer func(r, w int) { readSize, windowSize = r, w }(readSize, windowSize)
		for _, sizes := range [][2]int{{128 << 10, 4 * batchBytes}, {13, 512}} {
			readSize, windowSize = sizes[0], sizes[1]
			agreeWithWhole(t, dir)
		}
		if len(top.Instances) != 60 {
			t.Errorf("%d instances generated, want 60", len(top.Instances))
		}
	})
}

// BenchmarkScan splits describe-instances of a generated estate into elements, as the
// scan does before decoding: the byte scan alone, from memory.
func BenchmarkScan(b *testing.B) {
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
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		_, err := scanFile(memStream(data), 0, func(tl *topLevel) sink {
			return func(_ int, t *text, elems []span) { n += len(elems); t.release() }
		})
		if err != nil || n != 100 {
			b.Fatalf("%d elements, %v", n, err)
		}
	}
}

// valueEnd finds the end of values whose strings hold escaped quotes and backslashes at
// every position relative to the eight-byte steps of the scan and to the reads.
func TestValueEndEscapes(t *testing.T) {
	defer func(r, w int) { readSize, windowSize = r, w }(readSize, windowSize)
	for _, esc := range []string{`\"`, `\\`, `\\\"`, `\u0022`, `]}`} {
		for pad := range 20 {
			s := strings.Repeat("x", pad) + esc + strings.Repeat("y", 20-pad)
			v := fmt.Sprintf(`{"a": "%s",          "b": [1, "%s", {"c": "%s"}]}`, s, s, s)
			for _, read := range []int{1, 5, 8, 4096} {
				readSize, windowSize = read, 16
				got := newStream(strings.NewReader(v+` , "tail"`)).valueEnd(0, 0)
				if got != len(v) {
					t.Fatalf("read %d: valueEnd(%s) = %d, want %d", read, v, got, len(v))
				}
			}
		}
	}
}
