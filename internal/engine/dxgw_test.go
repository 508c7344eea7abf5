package engine_test

// Direct Connect gateway scenarios: aws-vpc-semantics.md §16, one test per scenario id (DX-n).

import (
	"net/netip"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
)

var atDXGW = engine.Location{Kind: engine.FromDXGateway, ID: "dxgw-1"}

// dxVGW: VPCs A 10.0/16 and B 10.1/16, each with a VGW associated with DX gateway dxgw-1
// (allowed prefixes as given), a private VIF, on-premises advertising the given prefixes;
// both VPCs' tables propagate their VGW.
func dxVGW(t *testing.T, allowed string, onPrem ...string) *estate {
	x := newEstate(t)
	x.vpc("a", "10.0.0.0/16")
	x.vpc("b", "10.1.0.0/16")
	x.subnet("a", "a1", "10.0.1.0/24", "us-east-1a")
	x.subnet("b", "b1", "10.1.1.0/24", "us-east-1a")
	x.host("a1", "a1", "10.0.1.10")
	x.host("b1", "b1", "10.1.1.10")
	x.topo.DXGateways = append(x.topo.DXGateways, &model.DXGateway{ID: "dxgw-1", Name: "dx", State: "available"})
	x.topo.VirtualInterfaces = append(x.topo.VirtualInterfaces, &model.VirtualInterface{ID: "dxvif-1", Type: "private", DXGateway: "dxgw-1", MTU: 1500})
	onp := &model.OnPremNetwork{Name: "dc", VirtualInterface: "dxvif-1"}
	for _, p := range onPrem {
		onp.CIDRs = append(onp.CIDRs, netip.MustParsePrefix(p))
	}
	x.topo.OnPremises = append(x.topo.OnPremises, onp)
	for _, v := range []string{"a", "b"} {
		g := model.VPNGatewayID("vgw-" + v)
		x.topo.VPNGateways = append(x.topo.VPNGateways, &model.VPNGateway{ID: g, VPC: model.VPCID("vpc-" + v)})
		x.topo.DXGatewayAssociations = append(x.topo.DXGatewayAssociations, &model.DXGatewayAssociation{ID: model.DXGatewayAssociationID("assoc-" + v),
			DXGateway: "dxgw-1", Gateway: string(g), GatewayType: model.DXAssocVGW, State: "associated", AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix(allowed)}})
	}
	for _, rt := range x.topo.RouteTables {
		rt.PropagatingVGWs = []model.VPNGatewayID{model.VPNGatewayID("vgw-" + string(rt.VPC)[4:])}
	}
	return x
}

func TestDX1_OnPremAndVPCThroughDXGateway(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/15", "192.168.0.0/16")
	r := x.sendAt(atDXGW, tcp("192.168.1.5:40000", "10.0.1.10:22"))
	wantDelivered(t, r, "a1")
	back := x.send("a1", replyTo(r))
	if back.Outcome != engine.Exited || back.Exit.Gateway.ID != "dxgw-1" {
		t.Fatalf("reply should leave through the DX gateway:\n%s", describe(back))
	}
	wantEq(t, "propagated route", routeUsed(t, back, 0), "192.168.0.0/16 -> vgw-a")
}

func TestDX2_PrefixNotAllowedIsNotAdvertised(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/24", "192.168.0.0/16")
	r := x.sendAt(atDXGW, tcp("192.168.1.5:40000", "10.0.1.10:22"))
	wantDroppedAt(t, r, engine.CodeNoRoute, "dxgw-1")
}

func TestDX3_NoTransitBetweenAssociations(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/8", "192.168.1.0/24", "192.168.2.0/24")
	x.routes("a1", route("10.1.0.0/16", "vgw-a"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
	wantDroppedAt(t, r, engine.CodeDXGWNoTransit, "dxgw-1")
}

func TestDX4_SupernetHairpinsAtTheDXLocation(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/8", "10.0.0.0/8")
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.1.10:22"))
	wantDelivered(t, r, "b1")
	wantEq(t, "first route", routeUsed(t, r, 0), "10.0.0.0/8 -> vgw-a")
}

// §16.5: only a supernet hairpins. On-premises advertising a block inside B's (10.1.5.0/24 in
// 10.1.0.0/16) holds those addresses itself: A's packet goes there, not back up into B.
func TestDX4_MoreSpecificOnPremRouteDoesNotHairpin(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/8", "10.1.5.0/24")
	x.routes("a1", route("10.1.0.0/16", "vgw-a"))
	r := x.send("a1", tcp("10.0.1.10:40000", "10.1.5.10:22"))
	wantExited(t, r, "dxgw-1", "onprem")
}

func TestDX5_TransitVIFMTU(t *testing.T) {
	x := onPremTGW(t, "192.168.0.0/16", "172.16.9.0/24")
	p := tcp("192.168.1.5:40000", "10.0.1.10:22")
	p.DF, p.PayloadLen = true, 8500-40
	wantDelivered(t, x.sendAt(atDXGW, p), "a1")
	p.PayloadLen = 9001 - 40
	wantDroppedAt(t, x.sendAt(atDXGW, p), engine.CodeMTUExceeded, "dxvif-1")
}

// §16.7: through a VGW, jumbo frames go only over propagated DX routes; a static route to the
// VGW carries 1500 bytes.
func TestDX_StaticRouteToVGWIs1500(t *testing.T) {
	x := dxVGW(t, "10.0.0.0/15", "192.168.0.0/16")
	x.topo.VirtualInterfaces[0].MTU = 9001
	big := tcp("10.0.1.10:40000", "192.168.1.5:22")
	big.DF, big.PayloadLen = true, 8000
	if r := x.send("a1", big); r.Outcome != engine.Exited {
		t.Fatalf("over the propagated route a jumbo frame goes:\n%s", describe(r))
	}
	x.routes("a1", route("192.168.1.0/24", "vgw-a"))
	wantDroppedAt(t, x.send("a1", big), engine.CodeMTUExceeded, "vgw-a")
	small := big
	small.PayloadLen = 1400
	if r := x.send("a1", small); r.Outcome != engine.Exited {
		t.Fatalf("1500 bytes go over the static route:\n%s", describe(r))
	}
}
