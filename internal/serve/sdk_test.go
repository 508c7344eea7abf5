package serve

// The server driven by a real client, aws-sdk-go-v2's EC2 client (a test-only dependency):
// every implemented operation is called through it, every paginator of an implemented
// operation pages through it and every waiter that applies waits through it. The typed
// responses are the SDK's own parsing of the server's XML, so a field the server names
// wrongly, or a shape it nests wrongly, reads as empty here.
//
// Each TestSDK* test lists, in sdkOps, the operations it calls; the test fails unless each
// of them succeeded through the SDK at least once, and TestSDKCoversEveryOperation fails
// when an operation in handlers is in no list: a new operation needs its SDK case.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// sdkOps are, for each TestSDK* test, the operations it calls through the SDK.
var sdkOps = map[string][]string{
	"TestSDKVPCs": {"CreateVpc", "DescribeVpcs", "DeleteVpc", "CreateSubnet", "DescribeSubnets", "DeleteSubnet",
		"CreateInternetGateway", "AttachInternetGateway", "DescribeInternetGateways", "DetachInternetGateway", "DeleteInternetGateway",
		"CreateTags", "DescribeTags", "DeleteTags", "DescribeAvailabilityZones", "DescribeRegions", "DescribeAccountAttributes"},
	"TestSDKRouteTables": {"CreateRouteTable", "DescribeRouteTables", "DeleteRouteTable", "AssociateRouteTable",
		"DisassociateRouteTable", "ReplaceRouteTableAssociation", "CreateRoute", "ReplaceRoute", "DeleteRoute"},
	"TestSDKNetworkAcls": {"CreateNetworkAcl", "DescribeNetworkAcls", "DeleteNetworkAcl", "CreateNetworkAclEntry",
		"ReplaceNetworkAclEntry", "DeleteNetworkAclEntry", "ReplaceNetworkAclAssociation"},
	"TestSDKSecurityGroups": {"CreateSecurityGroup", "DescribeSecurityGroups", "DeleteSecurityGroup",
		"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress"},
	"TestSDKInstances": {"RunInstances", "DescribeInstances", "TerminateInstances", "ModifyInstanceAttribute",
		"DescribeNetworkInterfaces", "ModifyNetworkInterfaceAttribute"},
	"TestSDKNatGatewaysAndAddresses": {"CreateNatGateway", "DescribeNatGateways", "DeleteNatGateway", "AllocateAddress",
		"DescribeAddresses", "ReleaseAddress", "AssociateAddress", "DisassociateAddress"},
	"TestSDKNetworkInsights": {"CreateNetworkInsightsPath", "DescribeNetworkInsightsPaths", "DeleteNetworkInsightsPath",
		"StartNetworkInsightsAnalysis", "DescribeNetworkInsightsAnalyses", "DeleteNetworkInsightsAnalysis"},
}

// TestSDKCoversEveryOperation: every operation the server implements is called through the
// SDK by some TestSDK* test, and every operation those tests claim is implemented.
func TestSDKCoversEveryOperation(t *testing.T) {
	claimed := map[string]string{}
	var src strings.Builder
	files, _ := filepath.Glob("sdk*_test.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for test, ops := range sdkOps {
		if !strings.Contains(src.String(), "\nfunc "+test+"(t *testing.T) {") {
			t.Errorf("sdkOps lists operations for %s, which no sdk*_test.go file defines", test)
		}
		for _, op := range ops {
			if other, dup := claimed[op]; dup {
				t.Errorf("%s is listed for both %s and %s", op, other, test)
			}
			claimed[op] = test
			if _, ok := handlers[op]; !ok {
				t.Errorf("sdkOps lists %s for %s, but the server does not implement it", op, test)
			}
		}
	}
	var missing []string
	for op := range handlers {
		if _, ok := claimed[op]; !ok {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("implemented operations no SDK test calls (add a case and list it in sdkOps): %v", missing)
	}
	if len(handlers) < 60 {
		t.Errorf("handlers lists %d operations, want at least the 60 served when this test was written", len(handlers))
	}
}

// sdk is an EC2 client of a served lab, counting the operations that succeeded through it.
type sdk struct {
	*ec2.Client
	lab *lab
	mu  sync.Mutex
	ok  map[string]int // successful calls by operation
	all map[string]int // calls by operation, failed ones too
}

// newSDK serves a lab in memory on a loopback listener and returns an SDK client of it:
// static credentials, us-east-1, no retries (a refused request is the answer under test).
// When the test ends it checks that every operation sdkOps lists for the test succeeded.
func newSDK(t *testing.T, opt Options) *sdk {
	t.Helper()
	c := &sdk{lab: newLab(t, opt), ok: map[string]int{}, all: map[string]int{}}
	record := middleware.InitializeMiddlewareFunc("vpclabRecord", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleInitialize(ctx, in)
		op := middleware.GetOperationName(ctx)
		c.mu.Lock()
		c.all[op]++
		if err == nil {
			c.ok[op]++
		}
		c.mu.Unlock()
		return out, md, err
	})
	c.Client = ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(c.lab.url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAVPCLABTEST000000", "test", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   bodyWithoutWriteTo{awshttp.NewBuildableClient()},
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Initialize.Add(record, middleware.Before)
		}},
	})
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		for _, op := range sdkOps[t.Name()] {
			if c.succeeded(op) == 0 {
				t.Errorf("%s is listed in sdkOps for %s but never succeeded through the SDK", op, t.Name())
			}
		}
	})
	return c
}

// bodyWithoutWriteTo is an HTTP client that hides the request body's WriteTo from
// net/http. The SDK closes a request's body as soon as the answer's headers are in; net/http
// may still be copying the rest of the body (none) to check its length, and smithy-go's
// closed body then answers WriteTo with io.EOF, which io.Copy reports as an error, so the
// write loop closes the connection the answer is being read from: "use of closed network
// connection" (aws/aws-sdk-go-v2#2737). A server on loopback answers fast enough to lose a
// few large answers in a hundred. Read answers a closed body with io.EOF, the end.
type bodyWithoutWriteTo struct{ c *awshttp.BuildableClient }

func (d bodyWithoutWriteTo) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return d.c.Do(r)
}

func (c *sdk) succeeded(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok[op]
}

func (c *sdk) calls(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.all[op]
}

// tickingClock advances a second at every reading, from the lab's usual noon: resources
// that settle (Options.Settle) then go from pending to available after a few requests, so
// a waiter polls more than once, and the run stays deterministic.
func tickingClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}

var ctx = context.Background()

// pollMin and pollMax make a waiter poll every few milliseconds instead of AWS's 15 s.
const pollMin, pollMax = time.Millisecond, 5 * time.Millisecond

// wantCode fails unless err is an API error with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want the API error %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code {
		t.Errorf("%s: got %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

// ok(call())(t) fails the test if the call failed, and returns its result.
func ok[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantID fails unless id is an ID of prefix's form (vpc-0123456789abcdef0, ...).
func wantID(t *testing.T, id *string, prefix string) string {
	t.Helper()
	if id == nil || !regexp.MustCompile(`^`+prefix+`-[0-9a-f]{17}$`).MatchString(*id) {
		t.Fatalf("ID %v, want %s- and 17 hex digits", aws.ToString(id), prefix)
	}
	return *id
}

// exactlyOnce fails unless got holds each of want once and nothing else.
func exactlyOnce(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(g, w) {
		t.Errorf("%s: pages held %v, want each of %v once", what, g, w)
	}
}

// tagsOf is a resource's tags as a map.
func tagsOf(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, tg := range tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func tagSpec(rt types.ResourceType, kv ...string) []types.TagSpecification {
	var tags []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func cidr(i int) string { return fmt.Sprintf("10.%d.0.0/16", i) }

// mkVpc creates a VPC and returns its ID.
func (c *sdk) mkVpc(t *testing.T, block string) string {
	t.Helper()
	out := ok(c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(block)}))(t)
	return wantID(t, out.Vpc.VpcId, "vpc")
}

// mkSubnet creates a subnet and returns its ID.
func (c *sdk) mkSubnet(t *testing.T, vpc, block string) string {
	t.Helper()
	out := ok(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(block)}))(t)
	return wantID(t, out.Subnet.SubnetId, "subnet")
}
