package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/serve"
)

// servedLab runs vpclab serve in memory on a loopback port for the test and returns its URL.
func servedLab(t *testing.T) string {
	t.Helper()
	s, err := serve.New(serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return serveLab(t, s)
}

// serveLab serves s on a loopback port until the test ends and returns its URL.
func serveLab(t *testing.T, s *serve.Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve.ListenAndServe(ctx, "127.0.0.1:0", s, func(a string) { addr <- a }) }()
	t.Cleanup(func() { cancel(); <-done; s.Close() })
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	return ""
}

// runSeedScript runs examples/aws-cli/seed-000.sh with the AWS CLI against url.
func runSeedScript(t *testing.T, url string, narrow bool) string {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: the AWS CLI takes about 20 s for the script's 27 calls")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed: the seed-000 script cannot run")
	}
	cmd := exec.Command("bash", filepath.Join("..", "..", "examples", "aws-cli", "seed-000.sh"))
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+url, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	if narrow {
		cmd.Env = append(cmd.Env, "NARROW=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("seed-000.sh: %v\n%s", err, out)
	}
	return string(out)
}

// TestServeSeed000WithTheAWSCLI builds seed 000 with aws ec2 commands, as its author did, on
// vpclab serve; vpclab traceroute on the served lab then shows the NAT gateway as hop 1 and
// the destination as hop 2 (§2.3, §10 (a)), and the script's Network Insights analysis finds
// the path.
func TestServeSeed000WithTheAWSCLI(t *testing.T) {
	url := servedLab(t)
	out := runSeedScript(t, url, false)
	if !strings.Contains(out, ": True\tNone") {
		t.Errorf("the analysis did not find the path:\n%s", out)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"traceroute", "-t", url, "--no-resident", "source", "10.0.1.55"}, &stdout, &stderr)
	lines := strings.Split(stdout.String(), "\n")
	if code != 0 || len(lines) < 3 || !strings.HasPrefix(lines[1], " 1  10.0.2.149 ") || !strings.HasPrefix(lines[2], " 2  10.0.1.55 ") {
		t.Errorf("traceroute exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	checkSnapshotRoundTrip(t, url)
}

// TestServeSeed000NarrowedGroup: with the destination's group narrowed to the source
// subnet, start-network-insights-analysis reports the group that drops the NAT gateway's
// packets, ENI_SG_RULES_MISMATCH (§2.3.7).
func TestServeSeed000NarrowedGroup(t *testing.T) {
	url := servedLab(t)
	out := runSeedScript(t, url, true)
	if !strings.Contains(out, ": False\tENI_SG_RULES_MISMATCH") {
		t.Errorf("the analysis did not report the narrowed group:\n%s", out)
	}
}

// snapshotOf runs vpclab snapshot of the served lab at url, with test credentials, into a
// directory of the test's, and returns it.
func snapshotOf(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"snapshot", "-q", "--endpoint-url", url, "--region", "us-east-1", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("snapshot exit %d: %s", code, stderr.String())
	}
	return dir
}

// checkSnapshotRoundTrip: vpclab snapshot of a served lab gives the same answers as the
// served lab itself: the same trace, byte for byte.
func checkSnapshotRoundTrip(t *testing.T, url string) {
	dir := snapshotOf(t, url)
	trace := func(topo string) string {
		var o, e bytes.Buffer
		code := Main(context.Background(), []string{"trace", "-t", topo, "--no-resident", "--from", "source", "--to", "destination", "--output", "json"}, &o, &e)
		if code != 0 {
			t.Fatalf("trace -t %s: exit %d %s", topo, code, e.String())
		}
		return o.String()
	}
	served, snapped := trace(url), trace(dir)
	if served != snapped || !strings.Contains(served, "10.0.2.149") {
		t.Errorf("the snapshot answers differently from the served lab:\nserved:\n%s\nsnapshot:\n%s", served, snapped)
	}
}

// TestServeImportLab: `vpclab serve --import` of a YAML lab serves it with the lab's own
// answers: traceroute on the served seed-000 lab shows the NAT gateway at hop 1. A lab with
// what serve does not hold yet is refused with exit 2, naming it.
func TestServeImportLab(t *testing.T) {
	files, err := importLab(filepath.Join("..", "..", "examples", "east-west-nat", "lab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := serve.New(serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Import("lab.yaml", files); err != nil {
		t.Fatal(err)
	}
	url := serveLab(t, s)
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"traceroute", "-t", url, "--no-resident", "source", "10.0.1.55"}, &stdout, &stderr)
	if lines := strings.Split(stdout.String(), "\n"); code != 0 || len(lines) < 3 || !strings.HasPrefix(lines[1], " 1  10.0.2.149 ") {
		t.Errorf("traceroute on the imported lab: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	code = Main(context.Background(), []string{"serve", "--memory", "--listen", "127.0.0.1:0", "--import",
		filepath.Join("..", "..", "examples", "hub-and-spoke", "lab.yaml")}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "which vpclab serve does not serve yet") {
		t.Errorf("importing a transit gateway lab: exit %d, %s", code, stderr.String())
	}
}
