// Command benchapi is the workload client of scripts/bench-api.sh: it runs the same mixed
// EC2 Query workload (creates, describes with filters, deletes) against one or more EC2 API
// endpoints in turn, and prints per operation class the count, throughput and p50/p99
// latency of each, side by side, as a Markdown table.
//
// A round, as one client runs it, is:
//
//	creates    CreateVpc, CreateSubnet x2, CreateSecurityGroup, AuthorizeSecurityGroupIngress,
//	           CreateRouteTable, CreateTags (Name on the VPC, the subnets and the group)
//	describes  DescribeVpcs (vpc-id; tag:Name with a wildcard; cidr), DescribeSubnets (vpc-id;
//	           cidr-block), DescribeSecurityGroups (vpc-id and group-name)
//	deletes    DeleteSubnet x2, DeleteSecurityGroup, DeleteRouteTable, DeleteVpc
//
// C clients run N rounds between them (client c runs rounds c, c+C, ...), each round's
// CIDRs, zones and ports drawn from a generator seeded with the seed and the round, so
// every endpoint gets the same requests. Before the timed rounds, -preload VPCs (each with
// two subnets and a tagged security group) are created untimed and kept, so the filters
// run over a lab of some size. Every answer must be HTTP 200 and every describe must name
// the resource its filter selects; a failure is listed under the table by endpoint and
// action, and the exit status is then 1.
//
// Requests carry a SigV4-shaped Authorization header with a dummy signature: moto_server
// routes a request to its service by the header's credential scope; vpclab ignores it.
//
// Usage: benchapi [-rounds N] [-clients C] [-preload P] [-seed S] NAME=URL [NAME=URL...]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// class is an operation class of the table.
type class int

const (
	creates class = iota
	describes
	deletes
	nclasses
)

var classNames = [nclasses]string{"creates", "describes with filters", "deletes"}

// classOf classes an action by its verb: writes that add (Create*, Authorize*, CreateTags)
// are creates.
func classOf(action string) class {
	switch {
	case strings.HasPrefix(action, "Describe"):
		return describes
	case strings.HasPrefix(action, "Delete"):
		return deletes
	}
	return creates
}

// failure is one request an endpoint answered wrongly.
type failure struct {
	action string
	detail string
}

// result is what one endpoint measured.
type result struct {
	lat      [nclasses][]time.Duration
	wall     time.Duration
	failures map[string]*failureCount // by action
}

type failureCount struct {
	n     int
	first string
}

// client is one of the C concurrent clients of an endpoint.
type client struct {
	hc       *http.Client
	endpoint string
	lat      [nclasses][]time.Duration
	fails    []failure
	timed    bool
}

// auth is a SigV4-shaped header for EC2 in us-east-1. Nobody checks the signature.
const auth = "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/ec2/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"

// call posts one request; it returns the body, or "" after recording a failure.
func (c *client) call(action string, params ...string) string {
	v := url.Values{"Action": {action}, "Version": {"2016-11-15"}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	req, err := http.NewRequest("POST", c.endpoint, strings.NewReader(v.Encode()))
	if err != nil {
		c.fail(action, err.Error())
		return ""
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20261130T120000Z")
	req.Header.Set("Authorization", auth)
	start := time.Now()
	resp, err := c.hc.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	d := time.Since(start)
	if err != nil {
		c.fail(action, err.Error())
		return ""
	}
	if resp.StatusCode != http.StatusOK {
		c.fail(action, fmt.Sprintf("HTTP %d: %s", resp.StatusCode, oneLine(body)))
		return ""
	}
	if c.timed {
		k := classOf(action)
		c.lat[k] = append(c.lat[k], d)
	}
	return string(body)
}

func (c *client) fail(action, detail string) {
	c.fails = append(c.fails, failure{action, detail})
}

// expect records a failure unless body (a describe's answer) names want.
func (c *client) expect(action, body, want, filter string) {
	if body != "" && !strings.Contains(body, want) {
		c.fail(action, fmt.Sprintf("the answer to %s does not name %s: %s", filter, want, oneLine([]byte(body))))
	}
}

var idRes = map[string]*regexp.Regexp{}

func init() {
	for _, k := range []string{"vpcId", "subnetId", "groupId", "routeTableId"} {
		idRes[k] = regexp.MustCompile(`<` + k + `>([^<]+)</` + k + `>`)
	}
}

// id is the first <key> in body, or "" (the call then failed, or answered without one).
func (c *client) id(action, body, key string) string {
	if body == "" {
		return ""
	}
	m := idRes[key].FindStringSubmatch(body)
	if m == nil {
		c.fail(action, "no "+key+" in the answer: "+oneLine([]byte(body)))
		return ""
	}
	return m[1]
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// plan is one round's drawn values.
type plan struct {
	name       string // the Name tag and group name
	vpcCIDR    string
	subnets    [2]string
	zones      [2]string
	port       int
	sourceCIDR string
}

func newPlan(seed uint64, prefix string, round int) plan {
	r := rand.New(rand.NewPCG(seed, uint64(round)))
	second := r.IntN(256)
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"}
	z := r.Perm(len(zones))
	a := r.IntN(128)
	return plan{
		name:       fmt.Sprintf("%s-%05d", prefix, round),
		vpcCIDR:    fmt.Sprintf("10.%d.0.0/16", second),
		subnets:    [2]string{fmt.Sprintf("10.%d.%d.0/24", second, 2*a), fmt.Sprintf("10.%d.%d.0/24", second, 2*a+1)},
		zones:      [2]string{zones[z[0]], zones[z[1]]},
		port:       []int{22, 80, 443, 5432, 6379, 8080}[r.IntN(6)],
		sourceCIDR: fmt.Sprintf("172.%d.0.0/16", 16+r.IntN(16)),
	}
}

// built is what a round's creates made.
type built struct {
	vpc, group, table string
	subnets           [2]string
}

func (c *client) create(p plan) (b built) {
	b.vpc = c.id("CreateVpc", c.call("CreateVpc", "CidrBlock", p.vpcCIDR), "vpcId")
	if b.vpc == "" {
		return b
	}
	for i := range b.subnets {
		b.subnets[i] = c.id("CreateSubnet", c.call("CreateSubnet", "VpcId", b.vpc, "CidrBlock", p.subnets[i],
			"AvailabilityZone", p.zones[i]), "subnetId")
	}
	b.group = c.id("CreateSecurityGroup", c.call("CreateSecurityGroup", "VpcId", b.vpc, "GroupName", p.name,
		"GroupDescription", "bench-api "+p.name), "groupId")
	if b.group != "" {
		port := fmt.Sprint(p.port)
		c.call("AuthorizeSecurityGroupIngress", "GroupId", b.group,
			"IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", port, "IpPermissions.1.ToPort", port,
			"IpPermissions.1.IpRanges.1.CidrIp", p.sourceCIDR)
	}
	b.table = c.id("CreateRouteTable", c.call("CreateRouteTable", "VpcId", b.vpc), "routeTableId")
	tags := []string{"Tag.1.Key", "Name", "Tag.1.Value", p.name}
	for i, r := range []string{b.vpc, b.subnets[0], b.subnets[1], b.group} {
		if r != "" {
			tags = append(tags, fmt.Sprintf("ResourceId.%d", i+1), r)
		}
	}
	c.call("CreateTags", tags...)
	return b
}

func (c *client) describe(p plan, b built) {
	if b.vpc == "" {
		return
	}
	c.expect("DescribeVpcs", c.call("DescribeVpcs", "Filter.1.Name", "vpc-id", "Filter.1.Value.1", b.vpc), b.vpc, "vpc-id")
	// The wildcard matches this round's name and nine others of its decade.
	c.expect("DescribeVpcs", c.call("DescribeVpcs", "Filter.1.Name", "tag:Name", "Filter.1.Value.1", p.name[:len(p.name)-1]+"*"),
		b.vpc, "tag:Name="+p.name[:len(p.name)-1]+"*")
	c.expect("DescribeVpcs", c.call("DescribeVpcs", "Filter.1.Name", "cidr", "Filter.1.Value.1", p.vpcCIDR), b.vpc, "cidr")
	c.expect("DescribeSubnets", c.call("DescribeSubnets", "Filter.1.Name", "vpc-id", "Filter.1.Value.1", b.vpc), b.subnets[1], "vpc-id")
	c.expect("DescribeSubnets", c.call("DescribeSubnets", "Filter.1.Name", "cidr-block", "Filter.1.Value.1", p.subnets[0],
		"Filter.2.Name", "tag:Name", "Filter.2.Value.1", "bench-*"), b.subnets[0], "cidr-block and tag:Name")
	c.expect("DescribeSecurityGroups", c.call("DescribeSecurityGroups", "Filter.1.Name", "vpc-id", "Filter.1.Value.1", b.vpc,
		"Filter.2.Name", "group-name", "Filter.2.Value.1", p.name), b.group, "vpc-id and group-name")
}

func (c *client) delete(b built) {
	for _, s := range b.subnets {
		if s != "" {
			c.call("DeleteSubnet", "SubnetId", s)
		}
	}
	if b.group != "" {
		c.call("DeleteSecurityGroup", "GroupId", b.group)
	}
	if b.table != "" {
		c.call("DeleteRouteTable", "RouteTableId", b.table)
	}
	if b.vpc != "" {
		c.call("DeleteVpc", "VpcId", b.vpc)
	}
}

// run runs the preload and the rounds against one endpoint.
func run(endpoint string, rounds, clients, preload int, seed uint64) result {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = &client{hc: &http.Client{Transport: tr, Timeout: time.Minute}, endpoint: endpoint}
	}
	each := func(n int, fn func(c *client, round int)) {
		var wg sync.WaitGroup
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := i; r < n; r += clients {
					fn(c, r)
				}
			}()
		}
		wg.Wait()
	}
	each(preload, func(c *client, r int) { c.create(newPlan(seed, "bench-keep", r)) })
	for _, c := range cs {
		c.timed = true
	}
	start := time.Now()
	each(rounds, func(c *client, r int) {
		p := newPlan(seed, "bench-round", r)
		b := c.create(p)
		c.describe(p, b)
		c.delete(b)
	})
	res := result{wall: time.Since(start), failures: map[string]*failureCount{}}
	for _, c := range cs {
		for k := range res.lat {
			res.lat[k] = append(res.lat[k], c.lat[k]...)
		}
		for _, f := range c.fails {
			fc := res.failures[f.action]
			if fc == nil {
				fc = &failureCount{first: f.detail}
				res.failures[f.action] = fc
			}
			fc.n++
		}
	}
	return res
}

// quantile is the q-quantile of sorted ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// throughput is what C clients achieve doing only this class: the count over the class's
// summed latency, times C.
func throughput(ds []time.Duration, clients int) float64 {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	if sum == 0 {
		return 0
	}
	return float64(len(ds)) * float64(clients) / sum.Seconds()
}

func ms(d time.Duration) string {
	f := float64(d) / 1e6
	switch {
	case f < 1:
		return fmt.Sprintf("%.2f ms", f)
	case f < 100:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.0f ms", f)
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", a/b)
}

func main() {
	rounds := flag.Int("rounds", 200, "rounds of the workload, between all clients")
	clients := flag.Int("clients", 4, "concurrent clients")
	preload := flag.Int("preload", 100, "VPCs (2 subnets and a security group each) created untimed before the rounds, and kept")
	seed := flag.Uint64("seed", 1, "seed of the workload's CIDRs, zones and ports")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchapi [flags] NAME=URL [NAME=URL...]  (the first is compared against the others)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || *rounds < 1 || *clients < 1 || *preload < 0 {
		flag.Usage()
		os.Exit(2)
	}
	type target struct{ name, url string }
	var targets []target
	for _, a := range flag.Args() {
		n, u, ok := strings.Cut(a, "=")
		if !ok || n == "" || !strings.HasPrefix(u, "http") {
			fmt.Fprintf(os.Stderr, "benchapi: %q is not NAME=URL\n", a)
			os.Exit(2)
		}
		targets = append(targets, target{n, u})
	}
	results := make([]result, len(targets))
	for i, t := range targets {
		fmt.Fprintf(os.Stderr, "benchapi: %s (%s): %d preloaded VPCs, %d rounds, %d clients ...\n", t.name, t.url, *preload, *rounds, *clients)
		results[i] = run(t.url, *rounds, *clients, *preload, *seed)
		for k := range results[i].lat {
			slices.Sort(results[i].lat[k])
		}
	}

	var out bytes.Buffer
	fmt.Fprint(&out, "| operations | count |")
	for _, t := range targets {
		fmt.Fprintf(&out, " %s ops/s | %s p50 | %s p99 |", t.name, t.name, t.name)
	}
	for _, t := range targets[1:] {
		fmt.Fprintf(&out, " %s/%s ops/s | p50 | p99 |", targets[0].name, t.name)
	}
	fmt.Fprint(&out, "\n|---|---:|")
	for range targets {
		fmt.Fprint(&out, "---:|---:|---:|")
	}
	for range targets[1:] {
		fmt.Fprint(&out, "---:|---:|---:|")
	}
	fmt.Fprintln(&out)
	for k := range nclasses {
		fmt.Fprintf(&out, "| %s | %d |", classNames[k], len(results[0].lat[k]))
		for _, r := range results {
			fmt.Fprintf(&out, " %.0f | %s | %s |", throughput(r.lat[k], *clients), ms(quantile(r.lat[k], .5)), ms(quantile(r.lat[k], .99)))
		}
		a := results[0].lat[k]
		for _, r := range results[1:] {
			b := r.lat[k]
			fmt.Fprintf(&out, " %s | %s | %s |", ratio(throughput(a, *clients), throughput(b, *clients)),
				ratio(float64(quantile(b, .5)), float64(quantile(a, .5))), ratio(float64(quantile(b, .99)), float64(quantile(a, .99))))
		}
		fmt.Fprintln(&out)
	}
	fmt.Fprintf(&out, "| whole workload (wall) | %d |", len(results[0].lat[0])+len(results[0].lat[1])+len(results[0].lat[2]))
	for _, r := range results {
		n := len(r.lat[0]) + len(r.lat[1]) + len(r.lat[2])
		fmt.Fprintf(&out, " %.0f | %s |  |", float64(n)/r.wall.Seconds(), r.wall.Round(time.Millisecond))
	}
	for _, r := range results[1:] {
		fmt.Fprintf(&out, " %s |  |  |", ratio(r.wall.Seconds(), results[0].wall.Seconds()))
	}
	fmt.Fprintln(&out)
	fmt.Fprintf(&out, "\n%d rounds by %d concurrent clients over %d preloaded VPCs, seed %d. ops/s is the count times the clients over the summed latency;\n",
		*rounds, *clients, *preload, *seed)
	fmt.Fprintf(&out, "the ratios are %s's throughput over the other's, and the other's latency over %s's. The last row is the whole run: ops/s and wall time.\n",
		targets[0].name, targets[0].name)

	failed := false
	for i, r := range results {
		actions := make([]string, 0, len(r.failures))
		for a := range r.failures {
			actions = append(actions, a)
		}
		slices.Sort(actions)
		for _, a := range actions {
			if !failed {
				fmt.Fprintln(&out, "\nFailed requests (the figures above count only the answered ones):")
				failed = true
			}
			f := r.failures[a]
			fmt.Fprintf(&out, "- %s: %s failed %d times; first: %s\n", targets[i].name, a, f.n, f.first)
		}
	}
	os.Stdout.Write(out.Bytes())
	if failed {
		os.Exit(1)
	}
}
