package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// run calls vpclab as a user would and returns its exit status and output.
func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

const examples = "../../examples"

// A golden file holds one command, its exit status and its output:
//
//	args: traceroute -t {examples}/east-west-nat/lab.yaml source 10.0.1.55
//	exit: 0
//	--- stdout
//	...
//	--- stderr
//	...
//
// go test ./internal/cli -update rewrites the output sections; review the diff like code.
type golden struct {
	args, exit, stdout, stderr string
}

func parseGolden(t *testing.T, data string) golden {
	t.Helper()
	var g golden
	head, rest, ok := strings.Cut(data, "--- stdout\n")
	if !ok {
		t.Fatal("golden file has no '--- stdout' line")
	}
	g.stdout, g.stderr, _ = strings.Cut(rest, "--- stderr\n")
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "args":
			g.args = v
		case "exit":
			g.exit = v
		}
	}
	return g
}

func (g golden) String() string {
	return "args: " + g.args + "\nexit: " + g.exit + "\n--- stdout\n" + g.stdout + "--- stderr\n" + g.stderr
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := parseGolden(t, string(data))
			args := strings.Fields(strings.ReplaceAll(want.args, "{examples}", examples))
			code, stdout, stderr := run(args...)
			got := golden{args: want.args, exit: strconv.Itoa(code), stdout: stdout, stderr: stderr}
			if *update {
				if err := os.WriteFile(f, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got.String() != want.String() {
				t.Errorf("vpclab %s: output differs from %s (go test ./internal/cli -update rewrites it)\n--- got\n%s\n--- want\n%s",
					want.args, f, got, want)
			}
		})
	}
}

// TestSeed000 checks the seed's observations one by one (§10 (a)), whatever the formatting.
func TestSeed000(t *testing.T) {
	lab := examples + "/east-west-nat/lab.yaml"

	code, out, _ := run("traceroute", "-n", "-t", lab, "source", "10.0.1.55")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[1], " 1  10.0.2.149 ") || !strings.HasPrefix(lines[2], " 2  10.0.1.55 ") {
		t.Errorf("traceroute: exit %d\n%s\nwant hop 1 the NAT gateway 10.0.2.149, hop 2 the destination", code, out)
	}

	code, out, _ = run("ping", "-c", "3", "-t", lab, "source", "destination", "--capture", "destination")
	if code != 0 || strings.Count(out, "ttl=254") != 3 || !strings.Contains(out, "3 received, 0% packet loss") {
		t.Errorf("ping: exit %d\n%s\nwant 3 replies with ttl=254", code, out)
	}
	capture := out[strings.Index(out, "--- capture on destination"):]
	if !strings.Contains(capture, "IP 10.0.2.149 > 10.0.1.55: ICMP echo request") || strings.Contains(capture, "10.0.0.11") {
		t.Errorf("the destination must see the NAT gateway's IP and never the source's:\n%s", capture)
	}

	code, out, errs := run("ping", "-c", "3", "-t", examples+"/east-west-nat/lab-sg-narrowed.yaml", "source", "destination")
	if code != 1 || !strings.Contains(out, "3 packets transmitted, 0 received, 100% packet loss") ||
		!strings.Contains(errs, "ENI_SG_RULES_MISMATCH") {
		t.Errorf("narrowed SG: exit %d\n%s%s\nwant 100%% loss explained by the destination's security group", code, out, errs)
	}
	code, out, _ = run("trace", "-t", examples+"/east-west-nat/lab-sg-narrowed.yaml", "--from", "source", "--to", "destination", "--protocol", "icmp", "-o", "json")
	var a struct {
		NetworkPathFound bool
		Explanations     []struct {
			ExplanationCode string
			Component       struct{ Id, Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("trace json: %v\n%s", err, out)
	}
	if code != 1 || a.NetworkPathFound || len(a.Explanations) != 1 || a.Explanations[0].ExplanationCode != "ENI_SG_RULES_MISMATCH" ||
		!strings.HasPrefix(a.Explanations[0].Component.Id, "sg-") {
		t.Errorf("trace must name the destination's security group: exit %d %+v", code, a)
	}

	code, out, errs = run("ping", "-c", "3", "-t", lab, "source", "10.0.2.149")
	if code != 1 || !strings.Contains(out, "100% packet loss") || !strings.Contains(errs, "VPCLAB_NGW_ADDRESSED_TO_SELF") {
		t.Errorf("ping to the NAT gateway: exit %d\n%s%s\nwant 100%% loss", code, out, errs)
	}
}

// TestSeed001 checks §10 (b): the NAT gateway's private IP towards the VGW, its EIP towards
// the internet.
func TestSeed001(t *testing.T) {
	lab := examples + "/nat-to-direct-connect/lab.yaml"
	seen := func(to string) (string, string) {
		t.Helper()
		code, out, errs := run("trace", "-t", lab, "--from", "database-server", "--to", to, "-o", "json")
		if code != 0 {
			t.Fatalf("trace to %s: exit %d %s", to, code, errs)
		}
		var a struct {
			ForwardPathComponents []struct {
				Component      struct{ Id, Name string }
				OutboundHeader struct{ SourceAddresses []string }
			}
		}
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatal(err)
		}
		last := a.ForwardPathComponents[len(a.ForwardPathComponents)-1]
		via := a.ForwardPathComponents[len(a.ForwardPathComponents)-2].Component.Name
		return last.OutboundHeader.SourceAddresses[0], via
	}
	if src, via := seen("serverB"); src != "10.0.0.100" || via != "vgw" {
		t.Errorf("on-premises sees %s via %s; want the NAT gateway's private IP 10.0.0.100 via the VGW", src, via)
	}
	if src, via := seen("web"); src != "203.0.113.10" || via != "igw" {
		t.Errorf("the internet sees %s via %s; want the Elastic IP 203.0.113.10 via the IGW", src, via)
	}
	// The internet host's port unreachable quotes the probe as it left the IGW (source: the
	// EIP); the IGW must map the quote back too (§3.1) so the NAT gateway can (§2.3.5).
	code, out, errs := run("traceroute", "-n", "-q", "1", "-t", lab, "database-server", "web")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[2], " 2  198.51.100.80 ") {
		t.Errorf("traceroute to the internet through the NAT gateway: exit %d\n%s%s\nwant hop 2 the internet host", code, out, errs)
	}
}

func TestDeterministic(t *testing.T) {
	args := []string{"ping", "-c", "3", "-t", examples + "/east-west-nat/lab.yaml", "source", "destination", "--capture", "destination"}
	_, a, _ := run(args...)
	_, b, _ := run(args...)
	if a != b {
		t.Errorf("two runs differ:\n%s\n%s", a, b)
	}
	_, c, _ := run(append(args, "--seed", "7")...)
	if c == a {
		t.Error("a different --seed should change NAT ports and latencies")
	}
}

func TestPcap(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run("ping", "-c", "2", "-t", examples+"/east-west-nat/lab.yaml", "source", "destination",
		"--capture", "destination", "--pcap", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "destination.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// Global header (24 bytes) then 4 records (2 requests, 2 replies), each 16 + 84 bytes.
	if len(data) != 24+4*(16+84) || !bytes.Equal(data[:4], []byte{0xd4, 0xc3, 0xb2, 0xa1}) {
		t.Errorf("pcap is %d bytes starting %x; want 24+4*100 with the libpcap magic", len(data), data[:4])
	}
	if want := "vpclab: wrote " + filepath.Join(dir, "destination.pcap") + "\n"; !strings.Contains(errs, want) {
		t.Errorf("stderr %q; want the line %q", errs, want)
	}
}

// --pcap creates its directory, and a directory it cannot create is bad input (exit 2).
func TestPcapDirectory(t *testing.T) {
	base := t.TempDir()
	args := []string{"ping", "-c", "1", "-t", examples + "/east-west-nat/lab.yaml", "source", "destination", "--capture", "destination", "--pcap"}
	dir := filepath.Join(base, "new", "dir")
	if code, _, errs := run(append(args, dir)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "destination.pcap")); err != nil {
		t.Error(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(append(args, filepath.Join(file, "dir"))...)
	if code != ExitBadInput || !strings.HasPrefix(errs, "vpclab: --pcap: mkdir "+file) {
		t.Errorf("exit %d, stderr %q; want 2 and the mkdir error", code, errs)
	}
}

// From the internet an instance is addressed at its public IP (§3.4), whatever name the user
// gives it.
func TestTraceFromInternetUsesThePublicIP(t *testing.T) {
	lab := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(lab, []byte(`vpc: {name: v, cidr: 10.0.0.0/16, internet_gateway: igw}
subnets:
  pub: {cidr: 10.0.0.0/24, route_table: rt}
route_tables:
  rt: {routes: {0.0.0.0/0: igw}}
security_groups:
  web: {ingress: [{protocol: tcp, port: 443, cidr: 0.0.0.0/0}]}
instances:
  www: {subnet: pub, private_ip: 10.0.0.10, public_ip: 198.51.100.7, security_groups: [web]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("trace", "-t", lab, "--from", "internet", "--to", "www", "--port", "443")
	if code != 0 || !strings.Contains(out, "> 198.51.100.7:443") || !strings.Contains(out, "becomes the private IP 10.0.0.10") {
		t.Errorf("exit %d\n%s%s\nwant the packet sent to the public IP and mapped by the IGW", code, out, errs)
	}
}
