package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotEnv gives the SDK dummy credentials and no profile, region or endpoint of the
// machine's own.
func snapshotEnv(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
}

// Every region unreachable (a loopback port nothing listens on, given by --endpoint-url or
// by AWS_ENDPOINT_URL, which the SDK reads itself): each region is named on stderr with the
// endpoint, nothing is written, and the exit status is 1. Regions come comma-separated too.
func TestSnapshotUnreachableRegionsExitOne(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		snapshotEnv(t)
		args := []string{"snapshot", "--quiet", "--region", "us-east-1,eu-west-1"}
		if viaEnv {
			t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
		} else {
			args = append(args, "--endpoint-url", "http://127.0.0.1:1")
		}
		out := filepath.Join(t.TempDir(), "snap")
		code, stdout, stderr := run(append(args, out)...)
		if code != ExitNegative {
			t.Fatalf("AWS_ENDPOINT_URL %v: exit %d, want 1\nstderr:\n%s", viaEnv, code, stderr)
		}
		for _, want := range []string{"error: us-east-1: region failed", "error: eu-west-1: region failed", "sts get-caller-identity",
			"127.0.0.1:1", "2 of 2 region(s) failed entirely (us-east-1, eu-west-1)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("AWS_ENDPOINT_URL %v: stderr lacks %q:\n%s", viaEnv, want, stderr)
			}
		}
		if stdout != "" {
			t.Errorf("stdout %q, want nothing", stdout)
		}
		if entries, _ := os.ReadDir(out); len(entries) > 0 {
			t.Errorf("%s holds %d entries, want none", out, len(entries))
		}
	}
}

// Bad usage is exit 2 with a message that says what to do.
func TestSnapshotUsage(t *testing.T) {
	snapshotEnv(t)
	if code, _, stderr := run("snapshot"); code != ExitBadInput || !strings.Contains(stderr, "accepts 1 arg") {
		t.Errorf("no OUTDIR: exit %d, stderr %q; want 2 and the argument count", code, stderr)
	}
	if code, _, stderr := run("snapshot", t.TempDir()); code != ExitBadInput || !strings.Contains(stderr, "no region: pass --region") {
		t.Errorf("no region: exit %d, stderr %q; want 2 and how to give one", code, stderr)
	}
	code, stdout, _ := run("snapshot", "--help")
	for _, want := range []string{"--profile prod", "--endpoint-url http://127.0.0.1:4566", "OUTDIR/<account>/<region>/", "Exit status"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("snapshot --help (exit %d) lacks %q", code, want)
		}
	}
}
