package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/resident"
)

// A changed topology is noticed: the resident loads it again before answering, and one
// that no longer loads is not answered from memory: the command reports its errors as a
// direct run does.
func TestResidentNoticesAChangedTopology(t *testing.T) {
	lab := filepath.Join(t.TempDir(), "lab.yaml")
	orig, err := os.ReadFile(filepath.Join(examples, "east-west-nat/lab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	narrowed, err := os.ReadFile(filepath.Join(examples, "east-west-nat/lab-sg-narrowed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(lab, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(orig)
	dir := startResident(t, lab, time.Hour)
	reach := []string{"trace", "-t", lab, "--from", "source", "--to", "destination"}
	code, before, _ := run(reach...)
	if code != 0 {
		t.Fatalf("trace on the lab: exit %d, want 0", code)
	}
	write(narrowed)
	sameThroughResident(t, dir, [][]string{reach})
	if code, after, _ := run(reach...); code != 1 || after == before {
		t.Errorf("after the security group was narrowed the resident answers as before (exit %d):\n%s", code, after)
	}
	list, _ := resident.List(dir)
	if len(list) != 1 || list[0].Reloads != 1 {
		t.Errorf("status: %+v; want one resident that loaded again once", list)
	}

	write([]byte("vpcs: [\n"))
	before0 := answered(t, dir)
	d := [3]any{}
	d[0], d[1], d[2] = run(append(reach, "--no-resident")...)
	r := [3]any{}
	r[0], r[1], r[2] = run(reach...)
	if d != r || d[0] != ExitBadInput {
		t.Errorf("a broken topology: directly %v, through the resident %v", d, r)
	}
	if answered(t, dir) != before0 {
		t.Error("the resident answered from memory about a topology that no longer loads")
	}
	write(orig)
	sameThroughResident(t, dir, [][]string{reach})
}

// End to end, as a user runs it: resident start spawns a real vpclab in the background,
// questions from another directory with relative paths are answered by it (the files
// they write land where the caller said), status lists it, stop stops it.
func TestResidentStartStatusStop(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "vpclab")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/vpclab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	lab, _ := filepath.Abs(filepath.Join(examples, "east-west-nat/lab.yaml"))
	intents, _ := filepath.Abs("testdata/analyze/intents.yaml")
	vpclab := func(cwd string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = cwd
		cmd.Env = append(os.Environ(), resident.DirEnv+"="+dir)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errb.String()
	}
	t.Cleanup(func() {
		vpclab("/", "resident", "stop", "--all")
		if left, _ := filepath.Glob(filepath.Join(dir, "*.sock")); len(left) > 0 {
			t.Errorf("sockets left behind: %v", left)
		}
	})
	if code, out, errb := vpclab("/", "resident", "start", "-t", lab, "--idle", "2m"); code != 0 || !strings.Contains(out, "ready") {
		t.Fatalf("resident start: exit %d\n%s%s", code, out, errb)
	}
	if code, out, _ := vpclab("/", "resident", "start", "-t", lab); code != 0 || !strings.Contains(out, "already holds") {
		t.Errorf("a second start: exit %d, %s", code, out)
	}
	// The same question from two directories: directly in one, through the resident in
	// the other, each writing its JUnit report and captures relative to where it was asked.
	direct, viaResident := t.TempDir(), t.TempDir()
	ask := []string{"check", "-t", lab, intents, "--junit", "out/report.xml"}
	ping := []string{"ping", "-t", lab, "-c", "2", "source", "destination", "--capture", "destination", "--pcap", "caps"}
	for _, args := range [][]string{ask, ping, {"check", "-t", lab, "missing.yaml"}} {
		dc, dout, derr := vpclab(direct, append(args, "--no-resident")...)
		rc, rout, rerr := vpclab(viaResident, args...)
		if dc != rc || dout != rout || derr != rerr {
			t.Errorf("vpclab %s: directly exit %d\n%s%s\nthrough the resident exit %d\n%s%s", strings.Join(args, " "), dc, dout, derr, rc, rout, rerr)
		}
	}
	os.Mkdir(filepath.Join(direct, "out"), 0o755) // --junit writes into a folder that exists
	os.Mkdir(filepath.Join(viaResident, "out"), 0o755)
	vpclab(direct, append(ask, "--no-resident")...)
	vpclab(viaResident, ask...)
	for _, f := range []string{"out/report.xml", "caps/destination.pcap"} {
		a, errA := os.ReadFile(filepath.Join(direct, f))
		b, errB := os.ReadFile(filepath.Join(viaResident, f))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s: directly %v, through the resident %v; the same bytes: %v", f, errA, errB, string(a) == string(b))
		}
	}
	code, out, _ := vpclab("/", "resident", "status")
	if code != 0 || !strings.Contains(out, lab) || !strings.Contains(out, "QUESTIONS") {
		t.Errorf("resident status: exit %d\n%s", code, out)
	}
	if code, out, _ := vpclab("/", "resident", "stop", "-t", lab); code != 0 || !strings.Contains(out, "stopped") {
		t.Errorf("resident stop: exit %d, %s", code, out)
	}
	if _, out, _ := vpclab("/", "resident", "status"); out != "no resident runs\n" {
		t.Errorf("status after stop: %q", out)
	}
	if code, _, errb := vpclab("/", "resident", "start", "-t", filepath.Join(t.TempDir(), "missing.yaml")); code != ExitBadInput || errb == "" {
		t.Errorf("start on a missing topology: exit %d, %q; want 2 and a message", code, errb)
	}
}
