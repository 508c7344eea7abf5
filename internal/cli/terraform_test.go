package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// terraformMirror is the directory holding registry.terraform.io/hashicorp/aws (a
// filesystem mirror of the AWS provider): $VPCLAB_TERRAFORM_MIRROR, or one of Terraform's
// implied local mirror directories. "" when there is none.
func terraformMirror() string {
	dirs := []string{os.Getenv("VPCLAB_TERRAFORM_MIRROR")}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".terraform.d", "plugins"), filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	dirs = append(dirs, "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "registry.terraform.io", "hashicorp", "aws")); err == nil {
			return d
		}
	}
	return ""
}

// TestServeTerraform applies examples/terraform against vpclab serve: a VPC with public
// and private subnets, a NAT gateway, groups referencing each other, a network ACL, two
// instances and a Network Insights analysis. Then plan finds no drift (every attribute
// round-trips), vpclab trace on the served lab agrees with the analysis, and destroy
// removes it all.
func TestServeTerraform(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: terraform apply, plan and destroy take about a minute")
	}
	mirror := needTerraform(t)
	url := servedLab(t)
	tf := terraformIn(t, mirror, url, filepath.Join("..", "..", "examples", "terraform", "main.tf"))
	if out, code := tf("init", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform init: exit %d\n%s", code, out)
	}
	out, code := tf("apply", "-auto-approve", "-no-color", "-input=false")
	if code != 0 {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "path_found = true") {
		t.Errorf("the analysis did not find web to app on 8080:\n%s", out)
	}
	if out, code := tf("plan", "-detailed-exitcode", "-no-color", "-input=false"); code != 0 {
		t.Errorf("terraform plan after apply: exit %d, want 0 (no drift)\n%s", code, out)
	}
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"trace", "-t", url, "--no-resident", "--from", "web", "--to", "app", "--port", "8080"}, &stdout, &stderr); code != 0 {
		t.Errorf("vpclab trace web -> app:8080 on the served lab: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if code := Main(context.Background(), []string{"trace", "-t", url, "--no-resident", "--from", "web", "--to", "app", "--port", "22"}, &stdout, &stderr); code != 1 {
		t.Errorf("vpclab trace web -> app:22 (no rule allows it): exit %d, want 1\n%s", code, stdout.String())
	}
	if out, code := tf("destroy", "-auto-approve", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform destroy: exit %d\n%s", code, out)
	}
}

// TestServeTerraformSeed000 applies seed 000 written in Terraform: vpclab traceroute shows
// the NAT gateway as hop 1; with the destination's group narrowed, the analysis Terraform
// holds reports ENI_SG_RULES_MISMATCH (§2.3.7); destroy removes it all.
func TestServeTerraformSeed000(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: terraform apply, apply and destroy take about a minute")
	}
	mirror := needTerraform(t)
	url := servedLab(t)
	tf := terraformIn(t, mirror, url, filepath.Join("..", "..", "examples", "terraform", "seed-000", "main.tf"))
	if out, code := tf("init", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform init: exit %d\n%s", code, out)
	}
	if out, code := tf("apply", "-auto-approve", "-no-color", "-input=false"); code != 0 || !strings.Contains(out, "path_found = true") {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"traceroute", "-t", url, "--no-resident", "source", "10.0.1.55"}, &stdout, &stderr)
	lines := strings.Split(stdout.String(), "\n")
	if code != 0 || len(lines) < 3 || !strings.HasPrefix(lines[1], " 1  10.0.2.149 ") || !strings.HasPrefix(lines[2], " 2  10.0.1.55 ") {
		t.Errorf("traceroute exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	out, code := tf("apply", "-auto-approve", "-no-color", "-input=false", "-var", "narrow=true")
	if code != 0 || !strings.Contains(out, "path_found = false") || !strings.Contains(out, `"ENI_SG_RULES_MISMATCH"`) {
		t.Errorf("narrowed: exit %d, want the path not found for ENI_SG_RULES_MISMATCH\n%s", code, out)
	}
	if out, code := tf("destroy", "-auto-approve", "-no-color", "-input=false", "-var", "narrow=true"); code != 0 {
		t.Fatalf("terraform destroy: exit %d\n%s", code, out)
	}
}

// TestServeTerraformTransit applies examples/terraform/transit (two VPCs on a transit
// gateway, an aws_vpc_security_group_ingress_rule): plan finds no drift, vpclab trace
// finds a's SSH to b through the gateway (§7.2, TGW-1), and destroy removes it all.
func TestServeTerraformTransit(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: terraform apply, plan and destroy take about a minute")
	}
	mirror := needTerraform(t)
	url := servedLab(t)
	tf := terraformIn(t, mirror, url, filepath.Join("..", "..", "examples", "terraform", "transit", "main.tf"))
	if out, code := tf("init", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform init: exit %d\n%s", code, out)
	}
	if out, code := tf("apply", "-auto-approve", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform apply: exit %d\n%s", code, out)
	}
	if out, code := tf("plan", "-detailed-exitcode", "-no-color", "-input=false"); code != 0 {
		t.Errorf("terraform plan after apply: exit %d, want 0 (no drift)\n%s", code, out)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"trace", "-t", url, "--no-resident", "--from", "a", "--to", "b", "--port", "22"}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "tgw-rtb-") {
		t.Errorf("vpclab trace a -> b:22 through the transit gateway: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if out, code := tf("destroy", "-auto-approve", "-no-color", "-input=false"); code != 0 {
		t.Fatalf("terraform destroy: exit %d\n%s", code, out)
	}
}

// needTerraform skips the test unless terraform and a mirror of the AWS provider are here;
// it returns the mirror.
func needTerraform(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not installed")
	}
	mirror := terraformMirror()
	if mirror == "" {
		t.Skip("no filesystem mirror of the AWS provider (registry.terraform.io/hashicorp/aws): set VPCLAB_TERRAFORM_MIRROR to the directory holding registry.terraform.io")
	}
	return mirror
}

// terraformIn copies the configuration file to a directory of its own and returns a
// function that runs terraform there against the served lab at url, with the provider
// from mirror; it returns the output and the exit status.
func terraformIn(t *testing.T, mirror, url, file string) func(args ...string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	conf := `provider_installation {
  filesystem_mirror {
    path    = "` + mirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
`
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("terraform", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "TF_VAR_endpoint="+url,
			"CHECKPOINT_DISABLE=1", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("terraform %v: %v", args, err)
		}
		return string(out), code
	}
}
