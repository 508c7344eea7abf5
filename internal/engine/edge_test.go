package engine_test

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

// igwEdge is §1.3's ingress design with an appliance: the IGW's edge table sends subnet b
// (10.0.1.0/24, instance b with public IP 198.51.100.55) to appliance fw in subnet f, whose
// table leads to the IGW; b's table sends everything back through fw.
func igwEdge(t *testing.T) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("b", "10.0.1.0/24")
	l.subnet("f", "10.0.3.0/24")
	l.sg("web").in("tcp", 22, 22, "0.0.0.0/0")
	l.instance("b", "b", "10.0.1.55", "web")
	l.publicIP("b", "198.51.100.55")
	l.sg("fw").in("all", -1, -1, "0.0.0.0/0")
	l.instance("fw", "f", "10.0.3.20", "fw")
	l.publicIP("fw", "198.51.100.20")
	l.appliance("fw")
	l.igw()
	l.rt("edge", route("10.0.0.0/16", "local"), route("10.0.1.0/24", "eni-fw"))
	l.table("edge").Gateways = []string{string(igwID)}
	l.rt("f", route("0.0.0.0/0", "igw-lab"))
	l.rt("b", route("0.0.0.0/0", "eni-fw"))
	l.assoc("f", "f")
	l.assoc("b", "b")
	return l
}

// §1.3.8: the subnet's own table bypasses the appliance with a direct route to the IGW. The
// request still comes in through the appliance; the reply, and any new flow out of b, is
// dropped by the IGW (INGRESS_RTB_TRAFFIC_REDIRECTION). Through the appliance it leaves.
func TestEdge_SymmetryBypassDropped_1_3_8(t *testing.T) {
	l := igwEdge(t)
	l.table("b").Routes = []model.Route{route("0.0.0.0/0", "igw-lab")}
	l.changed()

	r := l.send("internet", tcp("8.8.8.8:40000", "198.51.100.55:22"))
	wantDelivered(t, r, "b")
	back := l.send("b", replyTo(r))
	wantDroppedAt(t, back, engine.CodeIngressRTBRedirection, "igw-lab")
	wantEq(t, "route that bypassed", routeUsed(t, back, 0), "0.0.0.0/0 -> igw-lab")
	wantDroppedAt(t, l.send("b", tcp("10.0.1.55:40001", "8.8.4.4:443")), engine.CodeIngressRTBRedirection, "igw-lab")

	// The appliance's own traffic is not redirected by the table: it leaves directly.
	wantExited(t, l.send("fw", tcp("10.0.3.20:40002", "8.8.4.4:443")), "igw-lab", "internet")

	l.table("b").Routes = []model.Route{route("0.0.0.0/0", "eni-fw")}
	l.changed()
	wantExited(t, l.send("b", tcp("10.0.1.55:40003", "8.8.4.4:443")), "igw-lab", "internet")
}

// §1.3.5: an IGW edge route to an interface without a public IPv4 drops what matches it.
func TestEdge_ENIWithoutPublicIP_1_3_5(t *testing.T) {
	l := igwEdge(t)
	l.eni("fw").PrivateIPs[0].PublicIP = netip.Addr{}
	l.changed()
	r := l.send("internet", tcp("8.8.8.8:40000", "198.51.100.55:22"))
	wantDroppedAt(t, r, engine.CodeIngressRTBNoPublicIP, "rtb-edge")
}

// d4 is §15 D4: on-premises ingress through an appliance ENI e9 (sX, source/dest check off)
// by the VGW's edge table; sA1's table returns through it.
func d4(t *testing.T) *lab {
	l := newLab(t, "10.0.0.0/16")
	l.subnet("a1", "10.0.1.0/24")
	l.subnet("x", "10.0.9.0/24")
	l.sg("app").in("tcp", 443, 443, "192.168.0.0/16")
	l.instance("a1", "a1", "10.0.1.10", "app")
	l.sg("e9").in("all", -1, -1, "0.0.0.0/0")
	l.instance("e9", "x", "10.0.9.9", "e9")
	l.appliance("e9")
	l.vgw()
	l.vpn("dc", "192.168.0.0/16")
	l.rt("vgw", route("10.0.0.0/16", "local"), route("10.0.1.0/24", "eni-e9"))
	l.table("vgw").Gateways = []string{string(vgwID)}
	l.rt("x", route("192.168.0.0/16", "vgw-lab"))
	l.rt("a1", route("192.168.0.0/16", "eni-e9"))
	l.assoc("x", "x")
	l.assoc("a1", "a1")
	return l
}

// D4-1 (§15): 192.168.1.5 → iA1 goes VGW → edge → e9 → sX local → iA1; the reply goes back
// through e9 to the VGW. iA1's group admits the on-premises CIDR, not a group reference.
func TestD4_1_VGWEdgeThroughAppliance(t *testing.T) {
	l := d4(t)
	r := l.send("vgw", tcp("192.168.1.5:40000", "10.0.1.10:443"))
	wantDelivered(t, r, "a1")
	wantEq(t, "edge route", routeUsed(t, r, 0), "10.0.1.0/24 -> eni-e9")
	if len(hops(r, "i")) == 0 {
		t.Fatalf("should pass the appliance:\n%s", describe(r))
	}
	back := l.send("a1", replyTo(r))
	wantExited(t, back, "vgw-lab", "on-premises")
	wantEq(t, "return route", routeUsed(t, back, 0), "192.168.0.0/16 -> eni-e9")
}

// D4-2 (§15), §1.3.2: a VGW edge route to a Gateway Load Balancer endpoint is accepted, and
// the traffic matching it is dropped.
func TestD4_2_VGWEdgeToGWLBEndpoint(t *testing.T) {
	l := d4(t)
	l.subnet("e", "10.0.8.0/28")
	l.topo.VPCEndpoints = append(l.topo.VPCEndpoints, &model.VPCEndpoint{ID: "vpce-0gwlb", VPC: vpcID,
		Type: model.EndpointGatewayLoadBalancer, ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123", State: "available"})
	l.table("vgw").Routes[1] = route("10.0.1.0/24", "vpce-0gwlb")
	l.changed()
	r := l.send("vgw", tcp("192.168.1.5:40000", "10.0.1.10:443"))
	wantDroppedAt(t, r, engine.CodeVGWEdgeGWLBE, "rtb-vgw")
}
