package engine_test

// Interface endpoint scenarios: aws-vpc-semantics.md §7.4.11-15, VPCE-7..9.

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

const ec2VPCE = "vpce-ec2"

// ec2Endpoint adds an interface endpoint for EC2 to hubAB's VPC A: its interface eni-ep
// (10.0.1.50, subnet a1) with group sg-ep, which admits TCP 443 from the CIDR given.
func ec2Endpoint(x *estate, from string) {
	x.sg("a", "ep", sgRule("ep-443", "tcp", 443, 443, from))
	x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, &model.NetworkInterface{ID: "eni-ep", VPC: "vpc-a", Subnet: "subnet-a1",
		Type: model.InterfaceTypeVPCEndpoint, SourceDestCheck: true, SecurityGroups: []model.SecurityGroupID{"sg-ep"},
		PrivateIPs:  []model.PrivateIP{{Addr: netip.MustParseAddr("10.0.1.50"), Primary: true}},
		Description: "VPC Endpoint Interface " + ec2VPCE})
	x.topo.VPCEndpoints = append(x.topo.VPCEndpoints, &model.VPCEndpoint{ID: ec2VPCE, VPC: "vpc-a", Type: model.EndpointInterface,
		ServiceName: "com.amazonaws.us-east-1.ec2", State: "available", Subnets: []model.SubnetID{"subnet-a1"},
		NetworkInterfaces: []model.ENIID{"eni-ep"}, SecurityGroups: []model.SecurityGroupID{"sg-ep"}, Ports: []uint16{443}})
	x.changed()
}

// VPCE-7: from spoke B through the transit gateway, the endpoint's interface in A is reached
// like any interface: its group admits 10/8 on 443. Its answer leaves by the endpoint
// subnet's table back through the transit gateway.
func TestVPCE7_InterfaceEndpointFromAcrossATransitGateway(t *testing.T) {
	x := hubAB(t)
	ec2Endpoint(x, "10.0.0.0/8")
	r := x.send("b2", tcp("10.1.2.10:40000", "10.0.1.50:443"))
	wantDelivered(t, r, "ep")
	if len(hops(r, "tgw-rtb")) == 0 {
		t.Fatalf("want the path through the transit gateway:\n%s", describe(r))
	}
	back := x.send("ep", replyTo(r))
	wantDelivered(t, back, "b2")
}

// VPCE-8: the endpoint's group admits only 10.0.0.0/16: B's 10.1.x source is refused there.
func TestVPCE8_InterfaceEndpointGroupRefusesTheSpoke(t *testing.T) {
	x := hubAB(t)
	ec2Endpoint(x, "10.0.0.0/16")
	r := x.send("b2", tcp("10.1.2.10:40000", "10.0.1.50:443"))
	wantDroppedAt(t, r, engine.CodeSGRulesMismatch, "sg-ep")
}

// VPCE-9: the endpoint never opens a connection into its VPC (§7.4.14).
func TestVPCE9_InterfaceEndpointNeverInitiates(t *testing.T) {
	x := hubAB(t)
	ec2Endpoint(x, "10.0.0.0/8")
	r := x.send("ep", tcp("10.0.1.50:40000", "10.0.1.10:22"))
	wantDroppedAt(t, r, engine.CodeVPCEIntraVPC, "eni-ep")
}

// §7.4.13 [UNCERTAIN]: an interface endpoint answers TCP only; ping and UDP are dropped at
// its interface with vpclab's code.
func TestVPCE_InterfaceEndpointTCPOnly_7_4_13(t *testing.T) {
	x := hubAB(t)
	ec2Endpoint(x, "10.0.0.0/8")
	x.topo.SecurityGroups[len(x.topo.SecurityGroups)-1].Ingress = append(x.topo.SecurityGroups[len(x.topo.SecurityGroups)-1].Ingress,
		sgRule("ep-all", "all", -1, -1, "10.0.0.0/8"))
	x.changed()
	wantDroppedAt(t, x.send("a1", udp("10.0.1.10:40000", "10.0.1.50:53")), engine.CodeVPCEInterfaceProtocol, "eni-ep")
	wantDroppedAt(t, x.send("a1", icmpEcho("10.0.1.10", "10.0.1.50", 1, 1)), engine.CodeVPCEInterfaceProtocol, "eni-ep")
	wantDelivered(t, x.send("a1", tcp("10.0.1.10:40001", "10.0.1.50:443")), "ep")
}
