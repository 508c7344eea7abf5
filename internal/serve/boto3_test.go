package serve

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBoto3Lab: boto3, the Python SDK, builds a small lab on the server (testdata/boto3_lab.py):
// VPC, subnets, internet and NAT gateways, route tables and routes, a security group and its
// rule, instances, with boto3's waiters and its describe_subnets paginator, then two
// Network Insights analyses. The test reads the script's JSON.
func TestBoto3Lab(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed (python3 -c 'import boto3' fails): the boto3 client test cannot run")
	}
	l := newLab(t, Options{Now: tickingClock(), Settle: 10 * time.Second})
	cmd := exec.Command("python3", filepath.Join("testdata", "boto3_lab.py"), l.url)
	// No profile, no config file, no instance metadata: the script's own keys and region.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3_lab.py: %v\n%s", err, stderr.String())
	}
	t.Logf("boto3_lab.py took %v", time.Since(start).Round(time.Millisecond))

	var got struct {
		NatCreatedState      string   `json:"nat_created_state"`
		NatState             string   `json:"nat_state"`
		NatPublicIPMatches   bool     `json:"nat_public_ip_matches"`
		PrivateRoutes        []string `json:"private_routes"`
		InstanceCreatedState string   `json:"instance_created_state"`
		InstanceStates       []string `json:"instance_states"`
		PaginatedSubnets     int      `json:"paginated_subnets"`
		PaginatedDistinct    int      `json:"paginated_distinct"`
		Pages                int
		Web, SSH             analysis
		IDs                  map[string]string
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("the script's output is not its JSON: %v\n%s", err, stdout)
	}
	ids := got.IDs

	if got.NatCreatedState != "pending" || got.NatState != "available" || !got.NatPublicIPMatches {
		t.Errorf("NAT gateway: created %q, after nat_gateway_available %q, public IP the Elastic IP's: %v",
			got.NatCreatedState, got.NatState, got.NatPublicIPMatches)
	}
	if want := []string{"0.0.0.0/0 " + ids["nat"], "10.0.0.0/16 local"}; !slices.Equal(got.PrivateRoutes, want) {
		t.Errorf("the private route table's routes: %q, want %q", got.PrivateRoutes, want)
	}
	if got.InstanceCreatedState != "pending" || !slices.Equal(got.InstanceStates, []string{"running", "running"}) {
		t.Errorf("instances: created %q, after instance_running %q", got.InstanceCreatedState, got.InstanceStates)
	}
	if got.PaginatedSubnets != 12 || got.PaginatedDistinct != 12 || got.Pages != 3 {
		t.Errorf("describe_subnets paginator: %d subnets (%d distinct) in %d pages, want 12 in 3",
			got.PaginatedSubnets, got.PaginatedDistinct, got.Pages)
	}
	if w := got.Web; w.Status != "succeeded" || !w.Found || len(w.Codes) != 0 || len(w.Hops) < 2 ||
		w.Hops[0] != ids["client"] || w.Hops[len(w.Hops)-1] != ids["web"] || !slices.Contains(w.Hops, ids["web_sg"]) {
		t.Errorf("port 80 from the client to the web instance: %+v", w)
	}
	if s := got.SSH; s.Status != "succeeded" || s.Found || !slices.Equal(s.Codes, []string{"ENI_SG_RULES_MISMATCH"}) ||
		!slices.Equal(s.Components, []string{ids["web_sg"]}) {
		t.Errorf("port 22 from the client to the web instance: %+v, want not found, ENI_SG_RULES_MISMATCH at %s", s, ids["web_sg"])
	}

	// The lab boto3 built is the server's: its VPC is there, with the Name tag.
	if body := l.must("DescribeVpcs", "VpcId.1="+ids["vpc"]); !strings.Contains(body, "<value>boto3-lab</value>") {
		t.Errorf("the VPC boto3 made: %s", body)
	}
}

// analysis is what boto3_lab.py prints of a Network Insights analysis.
type analysis struct {
	Status     string
	Found      bool
	Codes      []string
	Components []string
	Hops       []string
}
