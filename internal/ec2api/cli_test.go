package ec2api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// cliServer is a throwaway EC2 endpoint built only from the codec, so the AWS CLI can be
// pointed at it: the real client's requests through Decode and its parsing of Encode's XML.
// It is test scaffolding, not the future server.
func cliServer(t *testing.T) *httptest.Server {
	h := func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, e *Error) {
			w.WriteHeader(status)
			w.Write(EncodeError("req-1", e))
		}
		if err := r.ParseForm(); err != nil {
			fail(400, &Error{"MalformedQueryString", err.Error()})
			return
		}
		op := r.PostForm.Get("Action")
		in, ok := NewInput(op)
		switch {
		case !IsOperation(op):
			fail(400, &Error{"InvalidAction", "The action " + op + " is not valid for this web service."})
			return
		case !ok:
			fail(400, &Error{"UnsupportedOperation", "The operation " + op + " is not supported."})
			return
		}
		if err := Decode(r.PostForm, in); err != nil {
			fail(400, err.(*Error))
			return
		}
		out, _ := NewOutput(op)
		switch in := in.(type) {
		case *CreateVpcRequest:
			out.(*CreateVpcResult).Vpc = &Vpc{VpcId: ptr("vpc-1"), CidrBlock: in.CidrBlock, State: ptr("pending"),
				Tags: in.TagSpecifications[0].Tags}
		case *DescribeVpcsRequest:
			res := out.(*DescribeVpcsResult)
			res.Vpcs = []Vpc{}
			for _, id := range in.VpcIds {
				res.Vpcs = append(res.Vpcs, Vpc{VpcId: ptr(id), IsDefault: ptr(false)})
			}
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Write(Encode(op, "req-1", out))
	}
	s := httptest.NewServer(http.HandlerFunc(h))
	t.Cleanup(s.Close)
	return s
}

// runCLI runs `aws --endpoint-url URL ec2 args...` with dummy credentials and no user config.
func runCLI(t *testing.T, url string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	aws, lerr := exec.LookPath("aws")
	if lerr != nil {
		t.Skip("the AWS CLI is not installed")
	}
	cmd := exec.Command(aws, append([]string{"--endpoint-url", url, "--region", "us-east-1", "--output", "json", "ec2"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_MAX_ATTEMPTS=1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func TestAWSCLIRoundTrip(t *testing.T) {
	s := cliServer(t)
	out, stderr, err := runCLI(t, s.URL, "create-vpc", "--cidr-block", "10.9.0.0/16",
		"--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=lab}]")
	if err != nil {
		t.Fatalf("create-vpc: %v\n%s", err, stderr)
	}
	var created struct{ Vpc map[string]any }
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if created.Vpc["CidrBlock"] != "10.9.0.0/16" || created.Vpc["VpcId"] != "vpc-1" {
		t.Errorf("create-vpc printed %s", out)
	}
	if tags, _ := created.Vpc["Tags"].([]any); len(tags) != 1 {
		t.Errorf("create-vpc tags: %s", out)
	}

	out, stderr, err = runCLI(t, s.URL, "describe-vpcs", "--vpc-ids", "vpc-a", "vpc-b")
	if err != nil {
		t.Fatalf("describe-vpcs: %v\n%s", err, stderr)
	}
	var described struct{ Vpcs []map[string]any }
	if err := json.Unmarshal([]byte(out), &described); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(described.Vpcs) != 2 || described.Vpcs[1]["VpcId"] != "vpc-b" || described.Vpcs[1]["IsDefault"] != false {
		t.Errorf("describe-vpcs printed %s", out)
	}

	_, stderr, err = runCLI(t, s.URL, "describe-fleets", "--fleet-ids", "fleet-1")
	if err == nil || !strings.Contains(stderr, "(UnsupportedOperation)") || !strings.Contains(stderr, "is not supported") {
		t.Errorf("describe-fleets: err %v, stderr %s", err, stderr)
	}
}
