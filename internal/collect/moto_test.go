package collect_test

import (
	"bytes"
	"context"

	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A moto_server on a free loopback port, for the tests that collect a real (emulated)
// account through the SDK. The tests skip when moto_server is not installed.

// moto is a running moto_server.
type moto struct {
	url string
	log *bytes.Buffer
}

// startMoto starts moto_server on a free loopback port and stops it when the test ends.
func startMoto(t *testing.T) *moto {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH (pip install 'moto[server]'): the collector's tests against an emulated account are skipped")
	}
	// A free port: bind one, let it go, hand it to moto. Another process could take it in
	// between; then moto fails to start and the test says so.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no free loopback port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m := &moto{url: "http://127.0.0.1:" + strconv.Itoa(port), log: &bytes.Buffer{}}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = m.log, m.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start moto_server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return m
		}
		select {
		case <-done:
			t.Fatalf("moto_server exited before listening:\n%s", m.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not listen on port %d within 60 s:\n%s", port, m.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dummyCredentials points the SDK's default chain at test credentials, never at the
// machine's own profile or instance role.
func dummyCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
}

// ec2Client is an SDK client of the emulator in region.
func (m *moto) ec2Client(region string) *ec2.Client {
	return ec2.NewFromConfig(aws.Config{Region: region, BaseEndpoint: aws.String(m.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// estate is what build made, by role.
type estate struct {
	vpc, subnetA, subnetB, igw, publicRT, privateRT, sg, acl, instance, nat, natPublicIP string
	tgw, tgwAttachment, tgwTable                                                         string
	vpce                                                                                 string
}

// build makes a small VPC in the emulator: two subnets, an internet gateway and a public
// route table, a NAT gateway and a private route table, a security group, a network ACL on
// the private subnet, an instance, and a transit gateway with a VPC attachment and a route
// table holding a blackhole route and the attachment's propagation.
func build(t *testing.T, c *ec2.Client) estate {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("building the estate: %s: %v", what, err)
		}
	}
	var e estate
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16")})
	must("create-vpc", err)
	e.vpc = *vpc.Vpc.VpcId
	subnet := func(cidr, az string) string {
		s, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &e.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
		must("create-subnet "+cidr, err)
		return *s.Subnet.SubnetId
	}
	e.subnetA = subnet("10.10.1.0/24", "us-east-1a")
	e.subnetB = subnet("10.10.2.0/24", "us-east-1b")

	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	must("create-internet-gateway", err)
	e.igw = *igw.InternetGateway.InternetGatewayId
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &e.igw, VpcId: &e.vpc})
	must("attach-internet-gateway", err)

	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &e.vpc})
	must("create-route-table", err)
	e.publicRT = *rt.RouteTable.RouteTableId
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &e.publicRT, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &e.igw})
	must("create-route to the IGW", err)
	_, err = c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &e.publicRT, SubnetId: &e.subnetA})
	must("associate-route-table", err)

	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must("allocate-address", err)
	nat, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &e.subnetA, AllocationId: eip.AllocationId})
	must("create-nat-gateway", err)
	e.nat, e.natPublicIP = *nat.NatGateway.NatGatewayId, *eip.PublicIp
	rt, err = c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &e.vpc})
	must("create-route-table", err)
	e.privateRT = *rt.RouteTable.RouteTableId
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &e.privateRT, DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: &e.nat})
	must("create-route to the NAT gateway", err)
	_, err = c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &e.privateRT, SubnetId: &e.subnetB})
	must("associate-route-table", err)
	vpce, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: &e.vpc, VpcEndpointType: types.VpcEndpointTypeGateway,
		ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{e.privateRT}})
	must("create-vpc-endpoint", err)
	e.vpce = *vpce.VpcEndpoint.VpcEndpointId

	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: &e.vpc, GroupName: aws.String("web"), Description: aws.String("web servers")})
	must("create-security-group", err)
	e.sg = *sg.GroupId
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &e.sg, IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("203.0.113.0/24")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
	}})
	must("authorize-security-group-ingress", err)

	acl, err := c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &e.vpc})
	must("create-network-acl", err)
	e.acl = *acl.NetworkAcl.NetworkAclId
	for _, entry := range []ec2.CreateNetworkAclEntryInput{
		{RuleNumber: aws.Int32(100), Protocol: aws.String("6"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("10.10.0.0/16"),
			PortRange: &types.PortRange{From: aws.Int32(80), To: aws.Int32(80)}, Egress: aws.Bool(false)},
		{RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), Egress: aws.Bool(true)},
	} {
		entry.NetworkAclId = &e.acl
		_, err = c.CreateNetworkAclEntry(ctx, &entry)
		must("create-network-acl-entry", err)
	}
	acls, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{e.subnetB}}}})
	must("describe-network-acls", err)
	var assoc *string
	for _, a := range acls.NetworkAcls {
		for _, as := range a.Associations {
			if aws.ToString(as.SubnetId) == e.subnetB {
				assoc = as.NetworkAclAssociationId
			}
		}
	}
	if assoc == nil {
		t.Fatalf("building the estate: no network ACL association of %s", e.subnetB)
	}
	_, err = c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: assoc, NetworkAclId: &e.acl})
	must("replace-network-acl-association", err)

	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: types.InstanceTypeT3Micro, SubnetId: &e.subnetA, PrivateIpAddress: aws.String("10.10.1.10"), SecurityGroupIds: []string{e.sg}})
	must("run-instances", err)
	e.instance = *run.Instances[0].InstanceId

	tgw, err := c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{Description: aws.String("hub")})
	must("create-transit-gateway", err)
	e.tgw = *tgw.TransitGateway.TransitGatewayId
	att, err := c.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: &e.tgw, VpcId: &e.vpc, SubnetIds: []string{e.subnetB}})
	must("create-transit-gateway-vpc-attachment", err)
	e.tgwAttachment = *att.TransitGatewayVpcAttachment.TransitGatewayAttachmentId
	tab, err := c.CreateTransitGatewayRouteTable(ctx, &ec2.CreateTransitGatewayRouteTableInput{TransitGatewayId: &e.tgw})
	must("create-transit-gateway-route-table", err)
	e.tgwTable = *tab.TransitGatewayRouteTable.TransitGatewayRouteTableId
	// moto lists a route's attachments in a shape the SDK does not read (a map, not a list),
	// so a static route to the attachment would come back without them: the table gets a
	// blackhole route and a propagation instead, which moto answers as AWS does.
	_, err = c.EnableTransitGatewayRouteTablePropagation(ctx, &ec2.EnableTransitGatewayRouteTablePropagationInput{
		TransitGatewayRouteTableId: &e.tgwTable, TransitGatewayAttachmentId: &e.tgwAttachment})
	must("enable-transit-gateway-route-table-propagation", err)
	_, err = c.CreateTransitGatewayRoute(ctx, &ec2.CreateTransitGatewayRouteInput{TransitGatewayRouteTableId: &e.tgwTable,
		DestinationCidrBlock: aws.String("172.16.0.0/12"), Blackhole: aws.Bool(true)})
	must("create-transit-gateway-route (blackhole)", err)
	return e
}

// tree reads every file below dir, by relative path.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
