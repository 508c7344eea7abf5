package topology_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/gen"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/topology/lab"
	"github.com/vpclab/vpclab/internal/topology/snapshot"
)

// The same estate as a YAML lab and as describe-* answers: an internet-facing NLB "net"
// (TCP 80 → instance targets, no security groups) and an internal ALB "app" (HTTPS 443 →
// HTTP 8080, group alb) over two zones, targets web-a (AZ a) and web-b (AZ b).

const lbLab = `region: us-east-1
vpc: {name: app, cidr: 10.0.0.0/16}
internet_gateways: {igw: {}}
subnets:
  lb-a: {cidr: 10.0.10.0/24, az: us-east-1a, route_table: public}
  lb-b: {cidr: 10.0.11.0/24, az: us-east-1b, route_table: public}
  app-a: {cidr: 10.0.1.0/24, az: us-east-1a}
  app-b: {cidr: 10.0.2.0/24, az: us-east-1b}
  cli: {cidr: 10.0.3.0/24, az: us-east-1a}
route_tables:
  public: {routes: {0.0.0.0/0: igw}}
security_groups:
  alb: {ingress: [{protocol: tcp, port: 443, cidr: 10.0.0.0/16}]}
  web: {ingress: [{protocol: tcp, port: 80, cidr: 0.0.0.0/0}, {protocol: tcp, port: 8080, group: alb}]}
  client: {}
instances:
  web-a: {subnet: app-a, private_ip: 10.0.1.10, security_groups: [web]}
  web-b: {subnet: app-b, private_ip: 10.0.2.10, security_groups: [web]}
  client: {subnet: cli, private_ip: 10.0.3.10, security_groups: [client]}
load_balancers:
  net:
    type: network
    scheme: internet-facing
    subnets: [lb-a, lb-b]
    public_ips: [54.0.0.5, 54.0.0.6]
    listeners:
      - protocol: TCP
        port: 80
        target_group: {targets: [{instance: web-a}, {instance: web-b}]}
  app:
    type: application
    subnets: [lb-a, lb-b]
    security_groups: [alb]
    listeners:
      - protocol: HTTPS
        port: 443
        target_group: {port: 8080, targets: [{instance: web-a}, {instance: web-b, health: unhealthy}]}
`

const (
	nlbARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/net/1111111111111111"
	albARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/app/2222222222222222"
	webTG  = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/1"
	appTG  = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app/2"
)

func instanceJSON(id, subnet, ip, sg string) string {
	return fmt.Sprintf(`{"InstanceId": "i-%s", "Tags": [{"Key": "Name", "Value": "%s"}], "State": {"Name": "running"}, "SubnetId": "subnet-%s", "VpcId": "vpc-app",
  "NetworkInterfaces": [{"NetworkInterfaceId": "eni-%s", "SubnetId": "subnet-%s", "VpcId": "vpc-app", "SourceDestCheck": true,
   "Groups": [{"GroupId": "sg-%s"}], "PrivateIpAddresses": [{"PrivateIpAddress": "%s", "Primary": true}], "Attachment": {"DeviceIndex": 0}}]}`,
		id, id, subnet, id, subnet, sg, ip)
}

func lbENIJSON(id, subnet, ip, typ, desc, groups, public string) string {
	assoc := ""
	if public != "" {
		assoc = fmt.Sprintf(`, "Association": {"PublicIp": "%s"}`, public)
	}
	return fmt.Sprintf(`{"NetworkInterfaceId": "eni-%s", "SubnetId": "subnet-%s", "VpcId": "vpc-app", "InterfaceType": "%s",
  "Description": "%s", "RequesterManaged": true, "SourceDestCheck": true, "Groups": [%s],
  "PrivateIpAddresses": [{"PrivateIpAddress": "%s", "Primary": true%s}]}`, id, subnet, typ, desc, groups, ip, assoc)
}

var lbSnapshot = `{
"Vpcs": [{"VpcId": "vpc-app", "CidrBlock": "10.0.0.0/16"}],
"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-app", "State": "available"}]}],
"Subnets": [
 {"SubnetId": "subnet-lb-a", "VpcId": "vpc-app", "CidrBlock": "10.0.10.0/24", "AvailabilityZone": "us-east-1a"},
 {"SubnetId": "subnet-lb-b", "VpcId": "vpc-app", "CidrBlock": "10.0.11.0/24", "AvailabilityZone": "us-east-1b"},
 {"SubnetId": "subnet-app-a", "VpcId": "vpc-app", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
 {"SubnetId": "subnet-app-b", "VpcId": "vpc-app", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b"},
 {"SubnetId": "subnet-cli", "VpcId": "vpc-app", "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-1a"}],
"RouteTables": [
 {"RouteTableId": "rtb-main", "VpcId": "vpc-app", "Associations": [{"Main": true}],
  "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"}]},
 {"RouteTableId": "rtb-public", "VpcId": "vpc-app",
  "Associations": [{"SubnetId": "subnet-lb-a"}, {"SubnetId": "subnet-lb-b"}],
  "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"},
   {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active", "Origin": "CreateRoute"}]}],
"SecurityGroups": [
 {"GroupId": "sg-alb", "GroupName": "alb", "VpcId": "vpc-app",
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
 {"GroupId": "sg-web", "GroupName": "web", "VpcId": "vpc-app",
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
   {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}],
  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
 {"GroupId": "sg-client", "GroupName": "client", "VpcId": "vpc-app",
  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}],
"Reservations": [{"Instances": [` + instanceJSON("web-a", "app-a", "10.0.1.10", "web") + `, ` +
	instanceJSON("web-b", "app-b", "10.0.2.10", "web") + `, ` + instanceJSON("client", "cli", "10.0.3.10", "client") + `]}],
"NetworkInterfaces": [` +
	lbENIJSON("nlb-a", "lb-a", "10.0.10.4", "network_load_balancer", "ELB net/net/1111111111111111", "", "54.0.0.5") + `, ` +
	lbENIJSON("nlb-b", "lb-b", "10.0.11.4", "network_load_balancer", "ELB net/net/1111111111111111", "", "54.0.0.6") + `, ` +
	lbENIJSON("alb-a", "lb-a", "10.0.10.5", "interface", "ELB app/app/2222222222222222", `{"GroupId": "sg-alb"}`, "") + `, ` +
	lbENIJSON("alb-b", "lb-b", "10.0.11.5", "interface", "ELB app/app/2222222222222222", `{"GroupId": "sg-alb"}`, "") + `],
"LoadBalancers": [
 {"LoadBalancerArn": "` + nlbARN + `", "LoadBalancerName": "net", "Type": "network", "Scheme": "internet-facing", "VpcId": "vpc-app",
  "State": {"Code": "active"}, "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-lb-a"}, {"ZoneName": "us-east-1b", "SubnetId": "subnet-lb-b"}]},
 {"LoadBalancerArn": "` + albARN + `", "LoadBalancerName": "app", "Type": "application", "Scheme": "internal", "VpcId": "vpc-app",
  "State": {"Code": "active"}, "SecurityGroups": ["sg-alb"],
  "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-lb-a"}, {"ZoneName": "us-east-1b", "SubnetId": "subnet-lb-b"}]}],
"Listeners": [
 {"ListenerArn": "` + nlbARN + `/l1", "LoadBalancerArn": "` + nlbARN + `", "Protocol": "TCP", "Port": 80,
  "DefaultActions": [{"Type": "forward", "TargetGroupArn": "` + webTG + `"}]},
 {"ListenerArn": "` + albARN + `/l2", "LoadBalancerArn": "` + albARN + `", "Protocol": "HTTPS", "Port": 443,
  "DefaultActions": [{"Type": "forward", "TargetGroupArn": "` + appTG + `"}]}],
"TargetGroups": [
 {"TargetGroupArn": "` + webTG + `", "TargetGroupName": "web", "Protocol": "TCP", "Port": 80, "VpcId": "vpc-app", "TargetType": "instance", "LoadBalancerArns": ["` + nlbARN + `"]},
 {"TargetGroupArn": "` + appTG + `", "TargetGroupName": "app", "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-app", "TargetType": "instance", "LoadBalancerArns": ["` + albARN + `"]}],
"LoadBalancerTargetHealth": [
 {"TargetGroupArn": "` + webTG + `", "TargetHealthDescriptions": [
  {"Target": {"Id": "i-web-a", "Port": 80, "AvailabilityZone": "us-east-1a"}, "TargetHealth": {"State": "healthy"}},
  {"Target": {"Id": "i-web-b", "Port": 80, "AvailabilityZone": "us-east-1b"}, "TargetHealth": {"State": "healthy"}}]},
 {"TargetGroupArn": "` + appTG + `", "TargetHealthDescriptions": [
  {"Target": {"Id": "i-web-a", "Port": 8080, "AvailabilityZone": "us-east-1a"}, "TargetHealth": {"State": "healthy"}},
  {"Target": {"Id": "i-web-b", "Port": 8080, "AvailabilityZone": "us-east-1b"}, "TargetHealth": {"State": "unhealthy"}}]}]
}`

// summary is what both inputs must agree on: per load balancer its type, scheme, zones,
// groups (by name), listeners with their target groups and targets (by instance name), and
// its nodes' addresses.
func summary(t *model.Topology) string {
	names := map[string]string{}
	for _, in := range t.Instances {
		names[string(in.ID)] = in.Name
	}
	sgName := map[model.SecurityGroupID]string{}
	for _, g := range t.SecurityGroups {
		sgName[g.ID] = g.Name
	}
	var b strings.Builder
	for _, lb := range t.LoadBalancers {
		fmt.Fprintf(&b, "%s %s %s zones=%d cross=%v sgs=", lb.Name, lb.Type, lb.Scheme, len(lb.Subnets), lb.CrossZoneOn())
		for _, g := range lb.SecurityGroups {
			b.WriteString(sgName[g] + ",")
		}
		for _, ln := range lb.Listeners {
			tg := ln.TargetGroup
			fmt.Fprintf(&b, " %s:%d→%s:%d/%s preserve=%v [", ln.Protocol, ln.Port, tg.Protocol, tg.Port, tg.TargetType, lb.PreserveClientIP(tg))
			for _, x := range tg.Targets {
				n := names[x.ID]
				if n == "" {
					n = x.ID
				}
				fmt.Fprintf(&b, "%s:%d/%s/%s ", n, x.Port, x.AZ, x.Health)
			}
			b.WriteString("]")
		}
		b.WriteString(" nodes=")
		for _, e := range t.NetworkInterfaces {
			if lb.IsInterfaceOf(e) {
				fmt.Fprintf(&b, "%s/%s/%v ", e.PrimaryIP(), e.PrivateIPs[0].PublicIP, len(e.SecurityGroups))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestLoadBalancerLabAndSnapshotAgree: the YAML lab and the describe-* answers make the same
// load balancers, and a trace through each gets the same answer.
func TestLoadBalancerLabAndSnapshotAgree(t *testing.T) {
	fromLab, ps := lab.Parse("lab.yaml", []byte(lbLab))
	if ps.HasErrors() || len(ps.Warnings()) > 0 {
		t.Fatalf("lab: %v", ps)
	}
	fromSnap, ps := snapshot.LoadJSON("snap.json", []byte(lbSnapshot))
	model.ApplyDefaults(fromSnap)
	ps = append(ps, model.Validate(fromSnap)...)
	if ps.HasErrors() || len(ps.Warnings()) > 0 {
		t.Fatalf("snapshot: %v", ps)
	}
	want := "net network internet-facing zones=2 cross=false sgs= TCP:80→TCP:80/instance preserve=true [web-a:80/us-east-1a/healthy web-b:80/us-east-1b/healthy ] nodes=10.0.10.4/54.0.0.5/0 10.0.11.4/54.0.0.6/0 \n" +
		"app application internal zones=2 cross=true sgs=alb, HTTPS:443→HTTP:8080/instance preserve=false [web-a:8080/us-east-1a/healthy web-b:8080/us-east-1b/unhealthy ] nodes=10.0.10.5/invalid IP/1 10.0.11.5/invalid IP/1 \n"
	for name, top := range map[string]*model.Topology{"lab": fromLab, "snapshot": fromSnap} {
		if got := summary(top); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
		n, probs := engine.Compile(top)
		if len(probs) > 0 {
			t.Fatalf("%s: compile: %v", name, probs)
		}
		client := engine.AtENI(clientENI(t, top))
		st := engine.NewState(&engine.ManualClock{T: time.Unix(0, 0)}, 1)
		p := packet.Packet{Proto: packet.ProtoTCP, Src: netip.MustParseAddr("10.0.3.10"), Dst: netip.MustParseAddr("10.0.10.5"),
			SrcPort: 40000, DstPort: 443, TTL: 64, TCPFlags: packet.TCPSyn}
		r := n.Send(st, client, p)
		if r.Outcome != engine.Delivered || r.Packet.Src != netip.MustParseAddr("10.0.10.5") || r.Packet.Dst != netip.MustParseAddr("10.0.1.10") || r.Packet.DstPort != 8080 {
			t.Errorf("%s: client → ALB: %v %s %s at %s, packet %v", name, r.Outcome, r.Code, r.Detail, r.At.ID, r.Packet)
		}
		p = packet.Packet{Proto: packet.ProtoTCP, Src: netip.MustParseAddr("198.51.100.7"), Dst: netip.MustParseAddr("54.0.0.6"),
			SrcPort: 40000, DstPort: 80, TTL: 64, TCPFlags: packet.TCPSyn}
		r = n.Send(st, engine.AtInternet(), p)
		if r.Outcome != engine.Delivered || r.Packet.Src != p.Src || r.Packet.Dst != netip.MustParseAddr("10.0.2.10") {
			t.Errorf("%s: internet → NLB in AZ b: %v %s %s, packet %v", name, r.Outcome, r.Code, r.Detail, r.Packet)
		}
	}
}

func clientENI(t *testing.T, top *model.Topology) model.ENIID {
	for _, in := range top.Instances {
		if in.Name == "client" || in.ID == "i-client" {
			return in.ENIs[0]
		}
	}
	t.Fatal("no client")
	return ""
}

// Bad input is reported at its line, not crashed on.
func TestLoadBalancerLabBadInput(t *testing.T) {
	cases := map[string]string{
		"type: gateway": "type",
		"listeners: [{protocol: TCP, port: 80}]\n    security_groups: []": "needs security_groups",
		"listeners: [{protocol: HTTP}]":                                   "port",
		"scheme: internet-facing":                                         "needs public_ips",
		"listeners: [{protocol: HTTP, port: 80, target_group: {target_type: ip, targets: [{instance: web-a}]}}]": "an instance target in a target group of ip targets",
		"listeners: [{protocol: HTTP, port: 80, target_group: {protocol: UDP}}]":                                 "cannot forward to",
		"listeners: [{protocol: HTTP, port: 80}, {protocol: HTTPS, port: 80}]":                                   "a port has one listener",
	}
	for extra, want := range cases {
		doc := `region: us-east-1
vpc: {name: app, cidr: 10.0.0.0/16}
subnets:
  lb-a: {cidr: 10.0.10.0/24, az: us-east-1a}
instances:
  web-a: {subnet: lb-a, private_ip: 10.0.10.10}
load_balancers:
  bad:
    type: application
    subnets: [lb-a]
    ` + extra + "\n"
		if extra == "type: gateway" {
			doc = strings.Replace(doc, "    type: application\n", "", 1)
		}
		_, ps := lab.Parse("lab.yaml", []byte(doc))
		if !strings.Contains(ps.Error(), want) {
			t.Errorf("%q: want a problem saying %q, got:\n%v", extra, want, ps)
		}
	}
	// A listener with no target group, and an unknown target instance in a snapshot: warnings.
	doc := strings.Replace(lbSnapshot, `"DefaultActions": [{"Type": "forward", "TargetGroupArn": "`+appTG+`"}]`, `"DefaultActions": []`, 1)
	doc = strings.Replace(doc, `{"Id": "i-web-b", "Port": 80,`, `{"Id": "i-gone", "Port": 80,`, 1)
	top, ps := snapshot.LoadJSON("snap.json", []byte(doc))
	model.ApplyDefaults(top)
	ps = append(ps, model.Validate(top)...)
	for _, want := range []string{"listener HTTPS:443: it forwards to no target group", "target instance i-gone is not in the topology"} {
		if !strings.Contains(ps.Error(), want) {
			t.Errorf("want a warning saying %q, got:\n%v", want, ps)
		}
	}
	if ps.HasErrors() {
		t.Errorf("errors: %v", ps)
	}
}

// A lab's load balancers written as describe-* answers (gen.WriteSnapshot) load back the
// same.
func TestLoadBalancerLabWrittenAsSnapshot(t *testing.T) {
	fromLab, ps := lab.Parse("lab.yaml", []byte(lbLab))
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	dir := t.TempDir()
	if err := gen.WriteSnapshot(fromLab, dir); err != nil {
		t.Fatal(err)
	}
	back, ps := snapshot.Load(dir)
	model.ApplyDefaults(back)
	ps = append(ps, model.Validate(back)...)
	if ps.HasErrors() || len(ps.Warnings()) > 0 {
		t.Fatalf("written snapshot: %v", ps)
	}
	if got, want := summary(back), summary(fromLab); got != want {
		t.Errorf("written and loaded back:\n got %s\nwant %s", got, want)
	}
}
