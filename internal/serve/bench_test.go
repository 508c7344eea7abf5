package serve

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/serve/store"
)

// The benchmarks of vpclab serve as a client pays it: EC2 Query requests over a loopback
// listener (the server's own HTTP handler), answered by a server with a durable store in
// the benchmark's temporary directory, as `vpclab serve --state FILE` runs by default.
//
//	go test -run '^$' -bench . -count 5 ./internal/serve | benchstat -

// benchServer is a served lab for a benchmark.
type benchServer struct {
	tb  testing.TB
	url string
}

// newBenchServer serves a durable (or, with durable false, in-memory) lab until the
// benchmark ends.
func newBenchServer(tb testing.TB, durable bool) *benchServer {
	tb.Helper()
	opt := Options{Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }}
	var st *store.Store
	if durable {
		var err error
		if st, err = store.Open(filepath.Join(tb.TempDir(), "state.db")); err != nil {
			tb.Fatal(err)
		}
		opt.Store = st
	}
	s, err := New(opt)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(s)
	tb.Cleanup(func() {
		hs.Close()
		s.Close()
		if st != nil {
			st.Close()
		}
	})
	return &benchServer{tb: tb, url: hs.URL}
}

// must posts action with name=value params and fails the benchmark unless the answer is
// 200; it returns the body.
func (l *benchServer) must(action string, params ...string) string {
	v := url.Values{"Action": {action}, "Version": {"2016-11-15"}}
	for _, p := range params {
		k, val, _ := strings.Cut(p, "=")
		v.Add(k, val)
	}
	r, err := httpPost(l.url, v.Encode())
	if err != nil {
		l.tb.Fatal(err)
	}
	if r.status != 200 {
		l.tb.Fatalf("%s %v: %d %s", action, params, r.status, r.body)
	}
	return r.body
}

// id is the first <key> of body.
func (l *benchServer) id(body, key string) string {
	_, rest, ok := strings.Cut(body, "<"+key+">")
	id, _, ok2 := strings.Cut(rest, "</"+key+">")
	if !ok || !ok2 {
		l.tb.Fatalf("no %s in %s", key, body)
	}
	return id
}

// build100 builds a lab of n VPCs through the API, as a Terraform apply would: each VPC
// 10.V.0.0/16 with an internet gateway, a public and a private subnet in two zones, a route
// table per subnet (the public one with a default route to the gateway), a web and a
// database security group, and an instance in each subnet. It returns VPC v's two
// instances.
func (l *benchServer) build(n, v int) (web, db string) {
	for i := range n {
		vpc := l.id(l.must("CreateVpc", fmt.Sprintf("CidrBlock=10.%d.0.0/16", i),
			"TagSpecification.1.ResourceType=vpc", "TagSpecification.1.Tag.1.Key=Name", fmt.Sprintf("TagSpecification.1.Tag.1.Value=vpc%03d", i)), "vpcId")
		igw := l.id(l.must("CreateInternetGateway"), "internetGatewayId")
		l.must("AttachInternetGateway", "InternetGatewayId="+igw, "VpcId="+vpc)
		webSG := l.id(l.must("CreateSecurityGroup", "VpcId="+vpc, "GroupName=web", "GroupDescription=web"), "groupId")
		l.must("AuthorizeSecurityGroupIngress", "GroupId="+webSG, "IpPermissions.1.IpProtocol=tcp",
			"IpPermissions.1.FromPort=443", "IpPermissions.1.ToPort=443", "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0")
		dbSG := l.id(l.must("CreateSecurityGroup", "VpcId="+vpc, "GroupName=db", "GroupDescription=db"), "groupId")
		l.must("AuthorizeSecurityGroupIngress", "GroupId="+dbSG, "IpPermissions.1.IpProtocol=tcp",
			"IpPermissions.1.FromPort=5432", "IpPermissions.1.ToPort=5432", "IpPermissions.1.Groups.1.GroupId="+webSG)
		var instances [2]string
		for k, sub := range []struct {
			name, zone, sg string
			public         bool
		}{{"public", "us-east-1a", webSG, true}, {"private", "us-east-1b", dbSG, false}} {
			subnet := l.id(l.must("CreateSubnet", "VpcId="+vpc, fmt.Sprintf("CidrBlock=10.%d.%d.0/24", i, k), "AvailabilityZone="+sub.zone), "subnetId")
			rt := l.id(l.must("CreateRouteTable", "VpcId="+vpc), "routeTableId")
			if sub.public {
				l.must("CreateRoute", "RouteTableId="+rt, "DestinationCidrBlock=0.0.0.0/0", "GatewayId="+igw)
			}
			l.must("AssociateRouteTable", "RouteTableId="+rt, "SubnetId="+subnet)
			instances[k] = l.id(l.must("RunInstances", "ImageId=ami-0123456789abcdef0", "InstanceType=t3.micro", "MinCount=1", "MaxCount=1",
				"SubnetId="+subnet, fmt.Sprintf("PrivateIpAddress=10.%d.%d.10", i, k), "SecurityGroupId.1="+sub.sg,
				"TagSpecification.1.ResourceType=instance", "TagSpecification.1.Tag.1.Key=Name",
				fmt.Sprintf("TagSpecification.1.Tag.1.Value=vpc%03d-%s", i, sub.name)), "instanceId")
		}
		if i == v {
			web, db = instances[0], instances[1]
		}
	}
	return web, db
}

// BenchmarkStartNetworkInsightsAnalysis100VPCs is the figure: an analysis on a
// served lab of 100 VPCs (200 subnets, 200 instances), web to database on 5432 in the
// middle VPC. first-after-change follows a CreateTags (a Name tag on the source instance:
// the lab changed, so the analysis compiles it first); repeated follows the previous
// analysis. Both record the analysis durably before the reply.
func BenchmarkStartNetworkInsightsAnalysis100VPCs(b *testing.B) {
	l := newBenchServer(b, true)
	web, db := l.build(100, 50)
	path := l.id(l.must("CreateNetworkInsightsPath", "Source="+web, "Destination="+db, "Protocol=tcp", "DestinationPort=5432", "ClientToken=path"),
		"networkInsightsPathId")
	// The answer is right before it is timed: the path is found.
	// Each analysis has a ClientToken of its own, as the CLI and the SDKs send: a token used
	// before answers the remembered analysis instead of running one.
	tokens := 0
	start := func() string {
		tokens++
		return l.must("StartNetworkInsightsAnalysis", "NetworkInsightsPathId="+path, fmt.Sprintf("ClientToken=t%d", tokens))
	}
	a := l.id(start(), "networkInsightsAnalysisId")
	if got := l.must("DescribeNetworkInsightsAnalyses", "NetworkInsightsAnalysisId.1="+a); !strings.Contains(got, "<networkPathFound>true</networkPathFound>") {
		b.Fatalf("web to db on 5432 is not found: %s", got)
	}
	b.Run("first-after-change", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			l.must("CreateTags", "ResourceId.1="+web, "Tag.1.Key=Name", fmt.Sprintf("Tag.1.Value=web-%d", i%2))
			b.StartTimer()
			start()
		}
	})
	b.Run("repeated", func(b *testing.B) {
		for b.Loop() {
			start()
		}
	})
}

// BenchmarkCreateVpcLabSize is an in-memory CreateVpc in labs of 100 and 1,000 VPCs: what
// a write's validation costs as the lab grows.
func BenchmarkCreateVpcLabSize(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("vpcs=%d", n), func(b *testing.B) {
			l := newBenchServer(b, false)
			for i := range n {
				l.must("CreateVpc", fmt.Sprintf("CidrBlock=10.%d.%d.0/24", i/256, i%256))
			}
			for b.Loop() {
				vpc := l.id(l.must("CreateVpc", "CidrBlock=10.200.0.0/16"), "vpcId")
				b.StopTimer()
				l.must("DeleteVpc", "VpcId="+vpc)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCreateVpcDurable is an acknowledged durable create: CreateVpc, one client, its
// reply sent after the store's fsync (memory: the same without a store, for the difference).
// The lab holds 100 VPCs throughout: each created VPC is deleted untimed, since a create's
// cost grows with the lab.
func BenchmarkCreateVpcDurable(b *testing.B) {
	for _, durable := range []bool{true, false} {
		name := "durable"
		if !durable {
			name = "memory"
		}
		b.Run(name, func(b *testing.B) {
			l := newBenchServer(b, durable)
			for i := range 100 {
				l.must("CreateVpc", fmt.Sprintf("CidrBlock=10.%d.0.0/16", i))
			}
			for b.Loop() {
				vpc := l.id(l.must("CreateVpc", "CidrBlock=10.200.0.0/16"), "vpcId")
				b.StopTimer()
				l.must("DeleteVpc", "VpcId="+vpc)
				b.StartTimer()
			}
		})
	}
}
