package collect_test

import (
	"bytes"
	"context"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpclab/vpclab/internal/collect"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/topology"
)

const motoAccount = "123456789012" // the account moto answers for

// snapshot collects regions from endpoint into a new directory and returns it with what
// went to the progress and problem writers.
func snapshot(t *testing.T, endpoint string, regions ...string) (dir string, res *collect.Result, progress, problems string) {
	t.Helper()
	dir = t.TempDir()
	var p, q bytes.Buffer
	res, err := collect.Snapshot(context.Background(), dir, collect.Options{Regions: regions, EndpointURL: endpoint, Progress: &p, Problems: &q})
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return dir, res, p.String(), q.String()
}

// A small VPC built in moto is snapshotted, and the loader reads back what was built: the
// CIDRs, routes and their targets, associations, rules and entries, the instance, the NAT
// gateway and the transit gateway with its attachment and route table. A second snapshot of
// the same account is byte for byte the first.
func TestSnapshotOfMotoLoadsBack(t *testing.T) {
	m := startMoto(t)
	dummyCredentials(t)
	e := build(t, m.ec2Client("us-east-1"))
	// A Network Firewall in the private subnet (§14): moto lists and describes firewalls, and
	// answers the policy and rule-group calls with its web page, which the collector takes as
	// "not implemented".
	fwc := networkfirewall.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(m.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	gwlb, svc := buildGWLB(t, m, e)
	// A customer-managed prefix list (§7.4.9): its entries come from a per-list call.
	pl, err := m.ec2Client("us-east-1").CreateManagedPrefixList(context.Background(), &ec2.CreateManagedPrefixListInput{
		PrefixListName: aws.String("corp"), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5),
		Entries: []ec2types.AddPrefixListEntry{{Cidr: aws.String("192.168.0.0/16")}}})
	if err != nil {
		t.Fatalf("create-managed-prefix-list: %v", err)
	}
	corp := aws.ToString(pl.PrefixList.PrefixListId)
	const policy = "arn:aws:network-firewall:us-east-1:" + motoAccount + ":firewall-policy/egress"
	if _, err := fwc.CreateFirewall(context.Background(), &networkfirewall.CreateFirewallInput{FirewallName: aws.String("fw"),
		FirewallPolicyArn: aws.String(policy), VpcId: aws.String(e.vpc),
		SubnetMappings: []nfwtypes.SubnetMapping{{SubnetId: aws.String(e.subnetB)}}}); err != nil {
		t.Fatalf("create-firewall: %v", err)
	}

	dir, res, progress, problems := snapshot(t, m.url, "us-east-1")
	if failed := res.FailedRegions(); len(failed) > 0 {
		t.Fatalf("regions failed: %v\nproblems:\n%s", failed, problems)
	}
	t.Logf("progress:\n%s\nproblems:\n%s", progress, problems)
	rr := res.Regions[0]
	if want := filepath.Join(dir, motoAccount, "us-east-1"); rr.Account != motoAccount || rr.Dir != want {
		t.Fatalf("region written as account %q in %q, want %q in %q", rr.Account, rr.Dir, motoAccount, want)
	}
	for _, f := range []string{"describe-vpcs.json", "describe-instances.json", "search-transit-gateway-routes." + e.tgwTable + ".json"} {
		if _, err := os.Stat(filepath.Join(rr.Dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// What moto lacks is a warning naming the operation, never an error.
	if regexp.MustCompile(`(?m)^error:`).MatchString(problems) {
		t.Errorf("problems has errors:\n%s", problems)
	}
	if !strings.Contains(progress, motoAccount+"/us-east-1: describe-vpcs: ") {
		t.Errorf("progress has no line for describe-vpcs:\n%s", progress)
	}

	topo, probs := topology.Load(dir)
	// moto gives a NAT gateway a private IP drawn at random from 10.0.0.0/8, whatever its
	// subnet (moto/ec2/models/nat_gateways.py): the snapshot copies that faithfully and the
	// loader rightly refuses it. That error, and only that one, is moto's.
	natIP := regexp.MustCompile(`NAT gateway ` + e.nat + `: private IP [0-9.]+ is not in subnet ` + e.subnetA)
	for _, p := range probs {
		if p.Severity == model.Error && !natIP.MatchString(p.Message) {
			t.Errorf("the snapshot does not load: %s", p)
		}
	}
	checkEstate(t, topo, e)
	fw := find(t, topo.Firewalls, func(f *model.Firewall) bool { return f.Name == "fw" }, "firewall fw")
	if string(fw.VPC) != e.vpc || fw.PolicyARN != policy || len(fw.SubnetMappings) != 1 || string(fw.SubnetMappings[0].Subnet) != e.subnetB {
		t.Errorf("firewall: %+v, want in %s with policy %s and a mapping in %s", fw, e.vpc, policy, e.subnetB)
	}
	cpl := find(t, topo.PrefixLists, func(p *model.PrefixList) bool { return string(p.ID) == corp }, "prefix list "+corp)
	if cpl.Name != "corp" || !slices.Equal(cpl.CIDRs, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}) {
		t.Errorf("customer-managed prefix list: %+v", cpl)
	}
	lb := find(t, topo.GatewayLoadBalancers, func(g *model.GatewayLoadBalancer) bool { return string(g.ARN) == gwlb }, "GWLB "+gwlb)
	if lb.TargetGroup == nil || len(lb.TargetGroup.Targets) != 1 || lb.TargetGroup.Targets[0].ID != e.instance ||
		!lb.TargetGroup.Targets[0].Healthy() || lb.Service == nil || lb.Service.Name != svc {
		t.Errorf("GWLB %s: target group %+v, service %+v; want instance %s healthy behind %s", gwlb, lb.TargetGroup, lb.Service, e.instance, svc)
	}
	if !strings.Contains(problems, "describe-firewall-policy is not implemented by the endpoint") {
		t.Errorf("moto's missing firewall policies are not a warning:\n%s", problems)
	}

	// Determinism: a second snapshot of the unchanged account is the same bytes.
	dir2, _, _, _ := snapshot(t, m.url, "us-east-1")
	if diff := cmp.Diff(tree(t, dir), tree(t, dir2)); diff != "" {
		t.Errorf("two snapshots of the same account differ (-first +second):\n%s", diff)
	}
}

// checkEstate asserts the loaded topology holds what build made.
func checkEstate(t *testing.T, topo *model.Topology, e estate) {
	t.Helper()
	pfx := netip.MustParsePrefix
	vpc := find(t, topo.VPCs, func(v *model.VPC) bool { return string(v.ID) == e.vpc }, "VPC "+e.vpc)
	if !slices.Equal(vpc.CIDRs, []netip.Prefix{pfx("10.10.0.0/16")}) || vpc.Account != motoAccount || vpc.Region != "us-east-1" {
		t.Errorf("VPC %s: CIDRs %v, account %q, region %q; want [10.10.0.0/16] in %s/us-east-1", vpc.ID, vpc.CIDRs, vpc.Account, vpc.Region, motoAccount)
	}
	for id, want := range map[string]string{e.subnetA: "10.10.1.0/24", e.subnetB: "10.10.2.0/24"} {
		s := find(t, topo.Subnets, func(s *model.Subnet) bool { return string(s.ID) == id }, "subnet "+id)
		if s.CIDR != pfx(want) || string(s.VPC) != e.vpc {
			t.Errorf("subnet %s: %s in %s, want %s in %s", id, s.CIDR, s.VPC, want, e.vpc)
		}
	}
	find(t, topo.InternetGateways, func(g *model.InternetGateway) bool { return string(g.ID) == e.igw && string(g.VPC) == e.vpc },
		"internet gateway "+e.igw+" attached to "+e.vpc)
	for _, c := range []struct{ rt, subnet, target string }{{e.publicRT, e.subnetA, e.igw}, {e.privateRT, e.subnetB, e.nat}} {
		rt := find(t, topo.RouteTables, func(r *model.RouteTable) bool { return string(r.ID) == c.rt }, "route table "+c.rt)
		if !slices.ContainsFunc(rt.Subnets, func(s model.SubnetID) bool { return string(s) == c.subnet }) {
			t.Errorf("route table %s: subnets %v, want %s", rt.ID, rt.Subnets, c.subnet)
		}
		find(t, ptrs(rt.Routes), func(r *model.Route) bool { return r.Destination == pfx("0.0.0.0/0") && r.Target.ID == c.target },
			"route 0.0.0.0/0 -> "+c.target+" in "+c.rt)
		find(t, ptrs(rt.Routes), func(r *model.Route) bool {
			return r.Destination == pfx("10.10.0.0/16") && r.Target.Kind == model.TargetLocal
		},
			"local route in "+c.rt)
	}
	sg := find(t, topo.SecurityGroups, func(g *model.SecurityGroup) bool { return string(g.ID) == e.sg }, "security group "+e.sg)
	for _, want := range []struct {
		port int
		cidr string
	}{{22, "203.0.113.0/24"}, {443, "0.0.0.0/0"}} {
		find(t, ptrs(sg.Ingress), func(r *model.SecurityGroupRule) bool {
			return r.Protocol == 6 && r.FromPort == want.port && r.ToPort == want.port && r.CIDR == pfx(want.cidr)
		}, "ingress rule tcp/"+want.cidr)
	}
	acl := find(t, topo.NetworkACLs, func(a *model.NetworkACL) bool { return string(a.ID) == e.acl }, "network ACL "+e.acl)
	if !slices.Equal(acl.Subnets, []model.SubnetID{model.SubnetID(e.subnetB)}) {
		t.Errorf("network ACL %s: subnets %v, want [%s]", acl.ID, acl.Subnets, e.subnetB)
	}
	find(t, ptrs(acl.Entries), func(n *model.NetworkACLEntry) bool {
		return n.RuleNumber == 100 && !n.Egress && n.Allow && n.Protocol == 6 && n.FromPort == 80 && n.ToPort == 80 && n.CIDR == pfx("10.10.0.0/16")
	}, "network ACL ingress entry 100 allowing tcp/80 from 10.10.0.0/16")
	find(t, ptrs(acl.Entries), func(n *model.NetworkACLEntry) bool {
		return n.RuleNumber == 100 && n.Egress && n.Allow && n.Protocol == -1 && n.CIDR == pfx("0.0.0.0/0")
	}, "network ACL egress entry 100 allowing all")
	in := find(t, topo.Instances, func(i *model.Instance) bool { return string(i.ID) == e.instance }, "instance "+e.instance)
	if len(in.ENIs) != 1 {
		t.Fatalf("instance %s has ENIs %v, want one", in.ID, in.ENIs)
	}
	eni := find(t, topo.NetworkInterfaces, func(n *model.NetworkInterface) bool { return n.ID == in.ENIs[0] }, "the instance's ENI")
	if string(eni.Subnet) != e.subnetA || len(eni.PrivateIPs) == 0 || eni.PrivateIPs[0].Addr != netip.MustParseAddr("10.10.1.10") ||
		!slices.Equal(eni.SecurityGroups, []model.SecurityGroupID{model.SecurityGroupID(e.sg)}) {
		t.Errorf("instance ENI %s: subnet %s, IPs %v, groups %v; want %s, 10.10.1.10, [%s]", eni.ID, eni.Subnet, eni.PrivateIPs, eni.SecurityGroups, e.subnetA, e.sg)
	}
	nat := find(t, topo.NATGateways, func(n *model.NATGateway) bool { return string(n.ID) == e.nat }, "NAT gateway "+e.nat)
	if string(nat.Subnet) != e.subnetA || string(nat.VPC) != e.vpc || len(nat.Addresses) != 1 || nat.Addresses[0].PublicIP.String() != e.natPublicIP {
		t.Errorf("NAT gateway %s: subnet %s, VPC %s, addresses %+v; want %s, %s, one with public IP %s", nat.ID, nat.Subnet, nat.VPC, nat.Addresses, e.subnetA, e.vpc, e.natPublicIP)
	}
	vpce := find(t, topo.VPCEndpoints, func(v *model.VPCEndpoint) bool { return string(v.ID) == e.vpce }, "gateway endpoint "+e.vpce)
	if string(vpce.VPC) != e.vpc || vpce.ServiceName != "com.amazonaws.us-east-1.s3" || !slices.Equal(vpce.RouteTables, []model.RouteTableID{model.RouteTableID(e.privateRT)}) {
		t.Errorf("gateway endpoint %s: VPC %s, service %s, route tables %v; want %s, S3, [%s]", vpce.ID, vpce.VPC, vpce.ServiceName, vpce.RouteTables, e.vpc, e.privateRT)
	}
	tgw := find(t, topo.TransitGateways, func(g *model.TransitGateway) bool { return string(g.ID) == e.tgw }, "transit gateway "+e.tgw)
	att := find(t, topo.TGWAttachments, func(a *model.TGWAttachment) bool { return string(a.ID) == e.tgwAttachment }, "attachment "+e.tgwAttachment)
	if att.ResourceID != e.vpc || string(att.TransitGateway) != e.tgw || !slices.Equal(att.Subnets, []model.SubnetID{model.SubnetID(e.subnetB)}) {
		t.Errorf("attachment %s: resource %s on %s in subnets %v; want %s on %s in [%s]", att.ID, att.ResourceID, att.TransitGateway, att.Subnets, e.vpc, e.tgw, e.subnetB)
	}
	// The attachment is associated with the gateway's default table, as created.
	if tgw.AssociationDefaultTable == "" || att.Association != tgw.AssociationDefaultTable {
		t.Errorf("attachment %s is associated with %q, want the default table %q", att.ID, att.Association, tgw.AssociationDefaultTable)
	}
	tab := find(t, topo.TGWRouteTables, func(r *model.TGWRouteTable) bool { return string(r.ID) == e.tgwTable }, "TGW route table "+e.tgwTable)
	if string(tab.TransitGateway) != e.tgw {
		t.Errorf("TGW route table %s is on %s, want %s", tab.ID, tab.TransitGateway, e.tgw)
	}
	if !slices.Equal(tab.Propagations, []model.TGWAttachmentID{model.TGWAttachmentID(e.tgwAttachment)}) {
		t.Errorf("TGW route table %s: propagations %v, want [%s]", tab.ID, tab.Propagations, e.tgwAttachment)
	}
	if !tab.Searched {
		t.Errorf("TGW route table %s: its routes are not taken from the search", tab.ID)
	}
	find(t, ptrs(tab.Routes), func(r *model.TGWRoute) bool {
		return r.Destination == pfx("172.16.0.0/12") && r.State == model.TGWRouteBlackhole && len(r.Attachments) == 0
	}, "blackhole TGW route 172.16.0.0/12")
}

func find[T any](t *testing.T, items []*T, match func(*T) bool, what string) *T {
	t.Helper()
	i := slices.IndexFunc(items, match)
	if i < 0 {
		t.Fatalf("the loaded snapshot has no %s", what)
	}
	return items[i]
}

func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// scopeRegion reads the region a SigV4 request is signed for from its credential scope.
var scopeRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/([^/]+)/aws4_request`)

// One region denied, as a service control policy denying a region does: every request
// signed for eu-west-3 is refused with AccessDenied (STS) or UnauthorizedOperation (EC2) by
// a loopback proxy in front of moto, which passes the rest. The denied region is reported,
// named on the problems writer and not written; us-east-1 still is.
func TestSnapshotReportsDeniedRegionAndWritesTheOthers(t *testing.T) {
	m := startMoto(t)
	dummyCredentials(t)
	target, _ := url.Parse(m.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sm := scopeRegion.FindStringSubmatch(r.Header.Get("Authorization"))
		if sm == nil || sm[1] != "eu-west-3" {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		if sm[2] == "sts" {
			w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
				`<Code>AccessDenied</Code><Message>explicit deny in a service control policy</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
			return
		}
		w.Write([]byte(`<Response><Errors><Error><Code>UnauthorizedOperation</Code>` +
			`<Message>explicit deny in a service control policy</Message></Error></Errors><RequestID>1</RequestID></Response>`))
	}))
	defer srv.Close()

	dir, res, _, problems := snapshot(t, srv.URL, "eu-west-3", "us-east-1")
	if failed := res.FailedRegions(); !slices.Equal(failed, []string{"eu-west-3"}) {
		t.Fatalf("failed regions %v, want [eu-west-3]\nproblems:\n%s", failed, problems)
	}
	if !strings.Contains(problems, "eu-west-3") || !strings.Contains(problems, "AccessDenied") {
		t.Errorf("the denial is not reported with its region and code:\n%s", problems)
	}
	if _, err := os.Stat(filepath.Join(dir, motoAccount, "us-east-1", "describe-vpcs.json")); err != nil {
		t.Errorf("us-east-1 not written after eu-west-3 failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, motoAccount, "eu-west-3")); !os.IsNotExist(err) {
		t.Errorf("the denied region has a folder (%v); want none", err)
	}
	topo, probs := topology.Load(dir)
	if probs.HasErrors() {
		t.Fatalf("the snapshot does not load:\n%v", probs)
	}
	// moto's default VPC of us-east-1 is there, and only that region's.
	if len(topo.VPCs) == 0 || slices.ContainsFunc(topo.VPCs, func(v *model.VPC) bool { return v.Region != "us-east-1" }) {
		t.Errorf("loaded VPCs %v, want us-east-1's only", topo.VPCs)
	}
}

// buildGWLB makes a Gateway Load Balancer in subnet B with a GENEVE target group holding the
// instance, a listener, and an endpoint service in front of it (§13); it returns the GWLB's
// ARN and the service's name.
func buildGWLB(t *testing.T, m *moto, e estate) (string, string) {
	t.Helper()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(m.url), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	c := elasticloadbalancingv2.NewFromConfig(cfg)
	lb, err := c.CreateLoadBalancer(ctx, &elasticloadbalancingv2.CreateLoadBalancerInput{Name: aws.String("inspect"),
		Type: elbtypes.LoadBalancerTypeEnumGateway, Subnets: []string{e.subnetB}})
	if err != nil {
		t.Fatalf("create-load-balancer: %v", err)
	}
	arn := lb.LoadBalancers[0].LoadBalancerArn
	tg, err := c.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String("appliances"),
		Protocol: elbtypes.ProtocolEnumGeneve, Port: aws.Int32(6081), VpcId: aws.String(e.vpc), TargetType: elbtypes.TargetTypeEnumInstance})
	if err != nil {
		t.Fatalf("create-target-group: %v", err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	if _, err := c.RegisterTargets(ctx, &elasticloadbalancingv2.RegisterTargetsInput{TargetGroupArn: tgARN,
		Targets: []elbtypes.TargetDescription{{Id: aws.String(e.instance)}}}); err != nil {
		t.Fatalf("register-targets: %v", err)
	}
	if _, err := c.CreateListener(ctx, &elasticloadbalancingv2.CreateListenerInput{LoadBalancerArn: arn,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
		t.Fatalf("create-listener: %v", err)
	}
	sc, err := m.ec2Client("us-east-1").CreateVpcEndpointServiceConfiguration(ctx, &ec2.CreateVpcEndpointServiceConfigurationInput{
		GatewayLoadBalancerArns: []string{*arn}})
	if err != nil {
		t.Fatalf("create-vpc-endpoint-service-configuration: %v", err)
	}
	return *arn, aws.ToString(sc.ServiceConfiguration.ServiceName)
}
