package snapshot

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpclab/vpclab/internal/model"
)

const gwlbARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/gwy/sec/0123456789abcdef"
const tgARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/appl/0123456789abcdef"

// gwlbDoc is a provider and consumer snapshot in one: the ELBv2 answers of a GWLB (§13,
// ELBv2 API shapes), its endpoint service and a GWLB endpoint in the consumer VPC.
const gwlbDoc = `{
"Vpcs": [{"VpcId": "vpc-app", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-sec", "CidrBlock": "10.1.0.0/16"}],
"Subnets": [
 {"SubnetId": "subnet-e", "VpcId": "vpc-app", "CidrBlock": "10.0.100.0/28", "AvailabilityZone": "us-east-1a"},
 {"SubnetId": "subnet-ga", "VpcId": "vpc-sec", "CidrBlock": "10.1.0.0/24", "AvailabilityZone": "us-east-1a"},
 {"SubnetId": "subnet-gb", "VpcId": "vpc-sec", "CidrBlock": "10.1.1.0/24", "AvailabilityZone": "us-east-1b"}],
"Reservations": [{"Instances": [{"InstanceId": "i-t1", "State": {"Name": "running"}, "SubnetId": "subnet-ga", "VpcId": "vpc-sec",
  "NetworkInterfaces": [{"NetworkInterfaceId": "eni-t1", "SubnetId": "subnet-ga", "VpcId": "vpc-sec", "SourceDestCheck": false,
   "PrivateIpAddresses": [{"PrivateIpAddress": "10.1.0.10", "Primary": true}], "Attachment": {"DeviceIndex": 0}}]}]}],
"VpcEndpoints": [{"VpcEndpointId": "vpce-0aaaaaaaaaaaaaaa1", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-app",
  "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", "State": "available",
  "SubnetIds": ["subnet-e"], "NetworkInterfaceIds": ["eni-e"]}],
"LoadBalancers": [
 {"LoadBalancerArn": "` + gwlbARN + `", "LoadBalancerName": "sec", "Type": "gateway", "VpcId": "vpc-sec",
  "State": {"Code": "active"}, "IpAddressType": "ipv4",
  "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-ga"}, {"ZoneName": "us-east-1b", "SubnetId": "subnet-gb"}]},
 {"LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/web/1", "LoadBalancerName": "web", "Type": "network"}],
"Listeners": [{"ListenerArn": "` + gwlbARN + `/l1", "LoadBalancerArn": "` + gwlbARN + `",
  "DefaultActions": [{"Type": "forward", "TargetGroupArn": "` + tgARN + `"}]}],
"TargetGroups": [{"TargetGroupArn": "` + tgARN + `", "TargetGroupName": "appl", "Protocol": "GENEVE", "Port": 6081,
  "VpcId": "vpc-sec", "TargetType": "instance", "HealthCheckProtocol": "TCP", "HealthCheckPort": "80", "LoadBalancerArns": ["` + gwlbARN + `"]}],
"LoadBalancerTargetHealth": [{"TargetGroupArn": "` + tgARN + `", "TargetHealthDescriptions": [
  {"Target": {"Id": "i-t1", "Port": 6081, "AvailabilityZone": "us-east-1a"}, "TargetHealth": {"State": "healthy"}},
  {"Target": {"Id": "i-gone", "Port": 6081, "AvailabilityZone": "us-east-1b"}, "TargetHealth": {"State": "unhealthy", "Reason": "Target.FailedHealthChecks"}}]}],
"LoadBalancerAttributes": [{"LoadBalancerArn": "` + gwlbARN + `", "Attributes": [
  {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}, {"Key": "ipv6.deny_all_igw_traffic", "Value": "false"}]}],
"ListenerAttributes": [{"ListenerArn": "` + gwlbARN + `/l1", "Attributes": [{"Key": "tcp.idle_timeout.seconds", "Value": "600"}]}],
"TargetGroupAttributes": [{"TargetGroupArn": "` + tgARN + `", "Attributes": [
  {"Key": "stickiness.enabled", "Value": "true"}, {"Key": "stickiness.type", "Value": "source_ip_dest_ip"},
  {"Key": "target_failover.on_unhealthy", "Value": "rebalance"}, {"Key": "target_failover.on_deregistration", "Value": "rebalance"},
  {"Key": "send_tcp_reset.on_idle_timeout.enabled", "Value": "true"}, {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]}],
"ServiceConfigurations": [{"ServiceId": "vpce-svc-0123456789abcdef0", "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
  "ServiceType": [{"ServiceType": "GatewayLoadBalancer"}], "GatewayLoadBalancerArns": ["` + gwlbARN + `"]}]}`

// TestLoadGWLB_13: the ELBv2 answers make one GWLB with its listener's target group, target
// health, attributes and endpoint service; the GWLB endpoint keeps its subnet; a network load
// balancer is loaded beside it; an attribute vpclab does not simulate is reported; a target that is not in
// the topology is reported at its JSON path.
func TestLoadGWLB_13(t *testing.T) {
	top, probs := LoadJSON("snap.json", []byte(gwlbDoc))
	if probs.HasErrors() {
		t.Fatal(probs.Error())
	}
	if len(top.GatewayLoadBalancers) != 1 {
		t.Fatalf("%d GWLBs, want 1", len(top.GatewayLoadBalancers))
	}
	g := top.GatewayLoadBalancers[0]
	want := &model.GatewayLoadBalancer{ARN: gwlbARN, Name: "sec", VPC: "vpc-sec", State: "active",
		Subnets: []model.SubnetID{"subnet-ga", "subnet-gb"}, CrossZone: true, Listener: gwlbARN + "/l1", TCPIdleTimeout: 600,
		Service:    &model.EndpointService{ID: "vpce-svc-0123456789abcdef0", Name: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"},
		Unmodelled: []model.Attribute{{Key: "ipv6.deny_all_igw_traffic", Value: "false"}},
		TargetGroup: &model.TargetGroup{ARN: tgARN, Name: "appl", VPC: "vpc-sec", Protocol: "GENEVE", Port: 6081, TargetType: "instance",
			HealthCheckProtocol: "TCP", HealthCheckPort: "80", Stickiness: model.Stickiness2Tuple, TargetFailover: "rebalance",
			DeregistrationDelay: 30, SendResetOnIdle: true,
			Targets: []model.ELBTarget{{ID: "i-t1", Port: 6081, AZ: "us-east-1a", Health: "healthy"},
				{ID: "i-gone", Port: 6081, AZ: "us-east-1b", Health: "unhealthy"}}}}
	if d := cmp.Diff(want, g, cmp.Comparer(func(a, b model.Source) bool { return true })); d != "" {
		t.Errorf("GWLB (-want +got):\n%s", d)
	}
	if g.Src.Path != "LoadBalancers[0]" || g.TargetGroup.Targets[1].Src.Path != "LoadBalancerTargetHealth[0].TargetHealthDescriptions[1]" {
		t.Errorf("paths %q, %q", g.Src.Path, g.TargetGroup.Targets[1].Src.Path)
	}
	ep := top.VPCEndpoints[0]
	if !slices.Equal(ep.Subnets, []model.SubnetID{"subnet-e"}) || !slices.Equal(ep.NetworkInterfaces, []model.ENIID{"eni-e"}) {
		t.Errorf("endpoint = %+v", ep)
	}
	if len(top.LoadBalancers) != 1 || top.LoadBalancers[0].Type != model.LBNetwork {
		t.Errorf("the network load balancer is not loaded: %v", top.LoadBalancers)
	}

	model.ApplyDefaults(top)
	vs := model.Validate(top)
	wantProblem(t, vs, model.Warning, "snap.json: LoadBalancers[0]", "attribute ipv6.deny_all_igw_traffic=false is not modelled")
	wantProblem(t, vs, model.Warning, "snap.json: LoadBalancerTargetHealth[0].TargetHealthDescriptions[1]", "target instance i-gone is not in the topology")
}

// §13.14: a consumer-only snapshot has the endpoint and no GWLB: no error, the endpoint is
// an opaque pass-through.
func TestLoadGWLBConsumerOnly(t *testing.T) {
	doc := `{"Vpcs": [{"VpcId": "vpc-app", "CidrBlock": "10.0.0.0/16"}],
"Subnets": [{"SubnetId": "subnet-e", "VpcId": "vpc-app", "CidrBlock": "10.0.100.0/28", "AvailabilityZone": "us-east-1a"}],
"VpcEndpoints": [{"VpcEndpointId": "vpce-0aaaaaaaaaaaaaaa1", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-app",
  "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", "State": "available", "SubnetIds": ["subnet-e"]}]}`
	top, probs := LoadJSON("snap.json", []byte(doc))
	model.ApplyDefaults(top)
	probs = append(probs, model.Validate(top)...)
	if probs.HasErrors() || len(probs.Warnings()) != 0 {
		t.Errorf("consumer-only snapshot: %v", probs)
	}
}
