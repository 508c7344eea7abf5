package engine_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/model"
	"github.com/vpclab/vpclab/internal/packet"
)

// Application and Network Load Balancers (lb.go) in one VPC, 10.0.0.0/16: load balancer
// subnets lb-a (AZ a) and lb-b (AZ b), targets web-a (10.0.1.10, AZ a) and web-b (10.0.2.10,
// AZ b), a client in cli (10.0.3.10, AZ a). NLB "net" (nodes 10.0.10.5, 10.0.11.5, no
// security groups): TCP 80 → group web (TCP 80, instances). ALB "app" (nodes 10.0.10.6,
// 10.0.11.6, group sg-alb admitting 443 from anywhere): HTTPS 443 → group app (HTTP 8080).
// The targets' group admits 80 from the client's subnet and 8080 from sg-alb.

const (
	nlbARN   = model.LoadBalancerARN("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/net/1111111111111111")
	albARN   = model.LoadBalancerARN("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/app/2222222222222222")
	clientIP = "10.0.3.10"
)

type elbLab struct {
	*lab
	nlb, alb *model.LoadBalancer
}

func newELBLab(t testing.TB) *elbLab {
	l := newLab(t, "10.0.0.0/16")
	x := &elbLab{lab: l}
	x.zoned("lb-a", "10.0.10.0/24", "us-east-1a")
	x.zoned("lb-b", "10.0.11.0/24", "us-east-1b")
	x.zoned("app-a", "10.0.1.0/24", "us-east-1a")
	x.zoned("app-b", "10.0.2.0/24", "us-east-1b")
	x.zoned("cli", "10.0.3.0/24", "us-east-1a")
	l.igw()
	l.rt("main", route("0.0.0.0/0", string(igwID)))
	l.main("main")
	l.sg("client")
	l.sg("alb").in("tcp", 443, 443, "0.0.0.0/0")
	l.sg("web").in("tcp", 80, 80, "10.0.3.0/24").in("tcp", 8080, 8080, "sg-alb")
	l.instance("client", "cli", clientIP, "client")
	l.instance("web-a", "app-a", "10.0.1.10", "web")
	l.instance("web-b", "app-b", "10.0.2.10", "web")
	web := &model.TargetGroup{ARN: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/1", Name: "web",
		VPC: vpcID, Protocol: "TCP", Port: 80, TargetType: "instance",
		Targets: []model.ELBTarget{{ID: "i-web-a", Port: 80}, {ID: "i-web-b", Port: 80}}}
	app := &model.TargetGroup{ARN: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app/2", Name: "app",
		VPC: vpcID, Protocol: "HTTP", Port: 8080, TargetType: "instance",
		Targets: []model.ELBTarget{{ID: "i-web-a", Port: 8080}, {ID: "i-web-b", Port: 8080}}}
	x.nlb = &model.LoadBalancer{ARN: nlbARN, Name: "net", Type: model.LBNetwork, Scheme: model.LBInternal, VPC: vpcID,
		Subnets:   []model.SubnetID{"subnet-lb-a", "subnet-lb-b"},
		Listeners: []*model.Listener{{ARN: "l-net", Protocol: "TCP", Port: 80, TargetGroup: web}}}
	x.alb = &model.LoadBalancer{ARN: albARN, Name: "app", Type: model.LBApplication, Scheme: model.LBInternal, VPC: vpcID,
		Subnets: []model.SubnetID{"subnet-lb-a", "subnet-lb-b"}, SecurityGroups: []model.SecurityGroupID{"sg-alb"},
		Listeners: []*model.Listener{{ARN: "l-app", Protocol: "HTTPS", Port: 443, TargetGroup: app}}}
	l.topo.LoadBalancers = append(l.topo.LoadBalancers, x.nlb, x.alb)
	x.node(x.nlb, "nlb-a", "lb-a", "10.0.10.5")
	x.node(x.nlb, "nlb-b", "lb-b", "10.0.11.5")
	x.node(x.alb, "alb-a", "lb-a", "10.0.10.6")
	x.node(x.alb, "alb-b", "lb-b", "10.0.11.6")
	return x
}

func (x *elbLab) zoned(name, cidr, az string) { x.subnet(name, cidr).AvailabilityZone = az }

// node adds a load balancer's interface as AWS makes it: network_load_balancer for an NLB,
// "interface" with the load balancer's groups for an ALB, described "ELB app|net/name/id".
func (x *elbLab) node(lb *model.LoadBalancer, name, subnet, ip string) *model.NetworkInterface {
	e := &model.NetworkInterface{ID: model.ENIID("eni-" + name), VPC: vpcID, Subnet: model.SubnetID("subnet-" + subnet),
		Type: model.InterfaceTypeNetworkLoadBalancer, Description: lb.InterfaceDescription(), SourceDestCheck: true,
		PrivateIPs: []model.PrivateIP{{Addr: netip.MustParseAddr(ip), Primary: true}}, SecurityGroups: lb.SecurityGroups}
	if lb.Type == model.LBApplication {
		e.Type = model.InterfaceTypeInterface
	}
	x.topo.NetworkInterfaces = append(x.topo.NetworkInterfaces, e)
	x.changed()
	return e
}

func (x *elbLab) health(tg *model.TargetGroup, id, h string) {
	for i := range tg.Targets {
		if tg.Targets[i].ID == id {
			tg.Targets[i].Health = h
		}
	}
	x.changed()
}

func (x *elbLab) nlbGroup() *model.TargetGroup { return x.nlb.Listeners[0].TargetGroup }
func (x *elbLab) albGroup() *model.TargetGroup { return x.alb.Listeners[0].TargetGroup }

// An NLB with instance targets keeps the client's address: the target sees the client, and
// its reply goes back through the node, which answers from its own address.
func TestNLBPreservesClientIPToInstanceTargets(t *testing.T) {
	x := newELBLab(t)
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDelivered(t, r, "web-a") // cross-zone off: node a sends to AZ a's target
	wantEq(t, "source the target sees", r.Packet.Src, addr(clientIP))
	wantEq(t, "destination", netip.AddrPortFrom(r.Packet.Dst, r.Packet.DstPort), addrPort("10.0.1.10:80"))
	wantEq(t, "translated by", translatedBy(t, r), string(nlbARN))

	back := x.send("web-a", replyTo(r))
	wantDelivered(t, back, "client")
	wantEq(t, "reply source", netip.AddrPortFrom(back.Packet.Src, back.Packet.SrcPort), addrPort("10.0.10.5:80"))
	wantEq(t, "reply destination", netip.AddrPortFrom(back.Packet.Dst, back.Packet.DstPort), addrPort(clientIP+":40000"))
}

// An NLB's ip targets over TCP see the node's address (preservation off by default), and
// preserve_client_ip.enabled=true turns it on.
func TestNLBIPTargetsOverTCPSeeTheNode(t *testing.T) {
	x := newELBLab(t)
	tg := x.nlbGroup()
	tg.TargetType = "ip"
	tg.Targets = []model.ELBTarget{{ID: "10.0.1.10", Port: 80}}
	x.group("web").in("tcp", 80, 80, "10.0.10.0/24")
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDelivered(t, r, "web-a")
	wantEq(t, "source the target sees", r.Packet.Src, addr("10.0.10.5"))

	on := true
	tg.PreserveClientIP = &on
	x.changed()
	r = x.send("client", tcp(clientIP+":40001", "10.0.10.5:80"))
	wantDelivered(t, r, "web-a")
	wantEq(t, "source with preservation on", r.Packet.Src, addr(clientIP))
}

// An ALB proxies: the target sees the node's address on the target group's port, a target
// rule referencing the ALB's group admits it, and the reply is translated back.
func TestALBTargetSeesTheNodeAndItsGroupReference(t *testing.T) {
	x := newELBLab(t)
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.6:443"))
	if r.Outcome != engine.Delivered {
		t.Fatalf("not delivered:\n%s", describe(r))
	}
	wantEq(t, "source the target sees", r.Packet.Src, addr("10.0.10.6"))
	wantEq(t, "target port", r.Packet.DstPort, uint16(8080))
	var ref bool
	for _, h := range r.Hops {
		if h.SGRule != nil && h.SGRule.GroupID == "sg-web" && h.SGRule.RuleID == "sgr-web-in-1" {
			ref = true
		}
	}
	if !ref {
		t.Errorf("the target's rule referencing sg-alb did not admit the packet:\n%s", describe(r))
	}
	from := "web-a"
	if r.ENI == "eni-web-b" {
		from = "web-b"
	}
	back := x.send(from, replyTo(r))
	wantDelivered(t, back, "client")
	wantEq(t, "reply source", netip.AddrPortFrom(back.Packet.Src, back.Packet.SrcPort), addrPort("10.0.10.6:443"))
	wantEq(t, "reply destination", netip.AddrPortFrom(back.Packet.Dst, back.Packet.DstPort), addrPort(clientIP+":40000"))
}

// Without the reference the targets admit only the client's subnet on 80: the ALB's
// connection on 8080 from its own address is refused by the target's group.
func TestALBTargetGroupWithoutReferenceRefuses(t *testing.T) {
	x := newELBLab(t)
	x.group("web").g.Ingress = x.group("web").g.Ingress[:1]
	x.changed()
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.6:443"))
	wantDropped(t, r, engine.CodeSGRulesMismatch, "security-group")
	wantEq(t, "dropped at", r.At.ID, "sg-web")
}

// The ALB's own group must admit the client.
func TestALBGroupRefusesClient(t *testing.T) {
	x := newELBLab(t)
	x.group("alb").noIngress()
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.6:443"))
	wantDropped(t, r, engine.CodeSGRulesMismatch, "security-group")
	wantEq(t, "dropped at", r.At.ID, "sg-alb")
}

// A packet no listener takes is dropped at the load balancer.
func TestELBListenerMismatch(t *testing.T) {
	x := newELBLab(t)
	for _, p := range []pkt{tcp(clientIP+":40000", "10.0.10.5:81"), udp(clientIP+":40000", "10.0.10.5:80"),
		icmpEcho(clientIP, "10.0.10.5", 1, 1)} {
		r := x.send("client", p)
		wantDroppedAt(t, r, engine.CodeELBV2NoListener, string(nlbARN))
	}
	x.alb.Listeners[0].TargetGroup = nil
	x.changed()
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.6:443"))
	wantDroppedAt(t, r, engine.CodeELBV2ListenerNoTG, string(albARN))
}

// Unhealthy targets take no new flows while a healthy one exists; with none healthy the
// load balancer fails open; an NLB node without cross-zone whose zone has only unhealthy
// targets drops.
func TestELBUnhealthyTargets(t *testing.T) {
	x := newELBLab(t)
	x.health(x.albGroup(), "i-web-a", model.TargetUnhealthy)
	for port := 40000; port < 40016; port++ {
		r := x.send("client", tcp(fmt.Sprintf("%s:%d", clientIP, port), "10.0.10.6:443"))
		wantDelivered(t, r, "web-b")
	}
	x.health(x.albGroup(), "i-web-b", model.TargetUnhealthy)
	r := x.send("client", tcp(clientIP+":41000", "10.0.10.6:443"))
	if r.Outcome != engine.Delivered {
		t.Fatalf("all unhealthy: the ALB fails open, got:\n%s", describe(r))
	}

	x.health(x.nlbGroup(), "i-web-a", model.TargetUnhealthy)
	r = x.send("client", tcp(clientIP+":42000", "10.0.10.5:80"))
	wantDroppedAt(t, r, engine.CodeELBV2NoHealthyTargetInAZ, string(nlbARN))
}

// With cross-zone load balancing off (an NLB's default), a node whose zone has no target
// cannot use the others; on, it can.
func TestNLBCrossZoneOffNoTargetInAZ(t *testing.T) {
	x := newELBLab(t)
	x.nlbGroup().Targets = x.nlbGroup().Targets[1:] // web-b only, AZ b
	x.changed()
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDroppedAt(t, r, engine.CodeELBNotCrossZone, string(nlbARN))

	on := true
	x.nlb.CrossZone = &on
	x.changed()
	r = x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDelivered(t, r, "web-b")

	x.nlbGroup().Targets = nil
	x.changed()
	r = x.send("client", tcp(clientIP+":40001", "10.0.10.5:80"))
	wantDroppedAt(t, r, engine.CodeELBNoTargetsInAZ, string(nlbARN))
}

// An internet-facing NLB's public address is reached through the IGW; the target sees the
// internet client and the reply leaves with the node's public address.
func TestNLBInternetFacingThroughIGW(t *testing.T) {
	x := newELBLab(t)
	x.nlb.Scheme = model.LBInternetFacing
	x.eni("nlb-a").PrivateIPs[0].PublicIP = addr("54.0.0.5")
	x.group("web").in("tcp", 80, 80, "0.0.0.0/0")
	r := x.send("internet", tcp("198.51.100.7:40000", "54.0.0.5:80"))
	wantDelivered(t, r, "web-a")
	wantEq(t, "source the target sees", r.Packet.Src, addr("198.51.100.7"))

	back := x.send("web-a", replyTo(r))
	wantExited(t, back, "igw-lab", "internet")
	wantEq(t, "reply source on the internet", netip.AddrPortFrom(back.Packet.Src, back.Packet.SrcPort), addrPort("54.0.0.5:80"))
}

// A load balancer's interface sends nothing of its own.
func TestELBInterfaceSendsNothing(t *testing.T) {
	x := newELBLab(t)
	r := x.send("nlb-a", tcp("10.0.10.5:80", "10.0.1.10:80"))
	wantDropped(t, r, engine.CodeUnsupportedComponent, "network-interface")
}

// translatedBy is the ID of the load balancer that translated the packet.
func translatedBy(t testing.TB, r *engine.Result) string {
	t.Helper()
	for _, h := range r.Hops {
		if h.Component.Kind == engine.KindLoadBalancer && h.Action == engine.ActTranslate {
			return h.Component.ID
		}
	}
	t.Fatalf("no load balancer translated the packet:\n%s", describe(r))
	return ""
}

// A target rule referencing an NLB's own group admits what the NLB sends, even with the
// client's address preserved ("Update the security groups for your Network Load Balancer");
// a rule referencing the client's group does not (the NLB relays the packet).
func TestNLBGroupReferenceAdmitsPreservedClient(t *testing.T) {
	x := newELBLab(t)
	x.sg("nlb").in("tcp", 80, 80, "0.0.0.0/0")
	x.nlb.SecurityGroups = []model.SecurityGroupID{"sg-nlb"}
	x.eni("nlb-a").SecurityGroups = x.nlb.SecurityGroups
	x.group("web").g.Ingress = nil
	x.group("web").in("tcp", 80, 80, "sg-nlb")
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDelivered(t, r, "web-a")
	wantEq(t, "source the target sees", r.Packet.Src, addr(clientIP))

	x.group("web").g.Ingress = nil
	x.group("web").in("tcp", 80, 80, "sg-client")
	r = x.send("client", tcp(clientIP+":40001", "10.0.10.5:80"))
	wantDropped(t, r, engine.CodeSGReferencesNotKept, "security-group")
}

// An interface of a load balancer the topology does not hold fails closed, whatever its type.
func TestELBInterfaceOfUnknownLoadBalancerFailsClosed(t *testing.T) {
	x := newELBLab(t)
	x.topo.LoadBalancers = x.topo.LoadBalancers[1:] // the ALB only
	x.changed()
	r := x.send("client", tcp(clientIP+":40000", "10.0.10.5:80"))
	wantDroppedAt(t, r, engine.CodeNotInSnapshot, "eni-nlb-a")
	x.topo.LoadBalancers = nil
	x.changed()
	r = x.send("client", tcp(clientIP+":40000", "10.0.10.6:443")) // an ALB's interface is of type interface
	wantDroppedAt(t, r, engine.CodeNotInSnapshot, "eni-alb-a")
}

// A UDP (or TCP_UDP) target group always preserves the client's address, even for ip
// targets and with preserve_client_ip.enabled=false ("Client IP preservation").
func TestNLBUDPAlwaysPreservesClientIP(t *testing.T) {
	x := newELBLab(t)
	off := false
	x.nlb.Listeners = append(x.nlb.Listeners, &model.Listener{ARN: "l-dns", Protocol: "TCP_UDP", Port: 53,
		TargetGroup: &model.TargetGroup{ARN: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/dns/3", Name: "dns",
			VPC: vpcID, Protocol: "TCP_UDP", Port: 53, TargetType: "ip", PreserveClientIP: &off,
			Targets: []model.ELBTarget{{ID: "10.0.1.10", Port: 53}}}})
	x.group("web").in("udp", 53, 53, "10.0.3.0/24").in("tcp", 53, 53, "10.0.3.0/24")
	for _, p := range []pkt{udp(clientIP+":5353", "10.0.10.5:53"), tcp(clientIP+":5353", "10.0.10.5:53")} {
		r := x.send("client", p)
		wantDelivered(t, r, "web-a")
		wantEq(t, "source the target sees", r.Packet.Src, addr(clientIP))
		back := x.send("web-a", replyTo(r))
		wantDelivered(t, back, "client")
		wantEq(t, "reply source", back.Packet.Src, addr("10.0.10.5"))
	}
}

// A flow idle longer than the load balancer's idle timeout (NLB TCP 350 s, ALB 60 s) is
// forgotten: its next packet other than a SYN is dropped, and a SYN starts it again.
func TestELBIdleTimeout(t *testing.T) {
	x := newELBLab(t)
	ack := tcp(clientIP+":40000", "10.0.10.5:80").flags(packet.TCPAck)
	wantDroppedAt(t, x.send("client", ack), engine.CodeELBV2IdleTimeout, string(nlbARN)) // never started
	wantDelivered(t, x.send("client", tcp(clientIP+":40000", "10.0.10.5:80")), "web-a")
	x.advance(300 * time.Second)
	wantDelivered(t, x.send("client", ack), "web-a")
	x.advance(351 * time.Second)
	r := x.send("client", ack)
	wantDroppedAt(t, r, engine.CodeELBV2IdleTimeout, string(nlbARN))

	alb := tcp(clientIP+":41000", "10.0.10.6:443")
	r = x.send("client", alb)
	if r.Outcome != engine.Delivered {
		t.Fatalf("ALB: %s", describe(r))
	}
	from := map[model.ENIID]string{"eni-web-a": "web-a", "eni-web-b": "web-b"}[r.ENI]
	x.advance(61 * time.Second)
	back := x.send(from, replyTo(r).flags(packet.TCPAck))
	wantDroppedAt(t, back, engine.CodeELBV2IdleTimeout, string(albARN))
}

// An ip target on premises (Availability Zone "all") is reached through the VGW, from the
// node's own address (ip targets over TCP do not preserve the client's), by any node.
func TestNLBIPTargetOnPremises(t *testing.T) {
	x := newELBLab(t)
	x.vgw()
	x.vpn("dc", "192.168.0.0/16")
	x.onPrem("dc", "192.168.0.0/16")
	x.table("main").Routes = append(x.table("main").Routes, route("192.168.0.0/16", string(vgwID)))
	tg := x.nlbGroup()
	tg.TargetType = "ip"
	tg.Targets = []model.ELBTarget{{ID: "192.168.1.10", Port: 8080, AZ: model.ELBTargetAllZones}}
	x.changed()
	r := x.send("client", tcp(clientIP+":40000", "10.0.11.5:80"))
	wantExited(t, r, string(vgwID), "on-premises")
	wantEq(t, "source", r.Packet.Src, addr("10.0.11.5"))
	wantEq(t, "destination", netip.AddrPortFrom(r.Packet.Dst, r.Packet.DstPort), addrPort("192.168.1.10:8080"))

	back := x.send("vgw", replyTo(r))
	wantDelivered(t, back, "client")
	wantEq(t, "reply source", netip.AddrPortFrom(back.Packet.Src, back.Packet.SrcPort), addrPort("10.0.11.5:80"))
}

// A load balancer that is not active (provisioning, failed) takes nothing.
func TestELBNotActive(t *testing.T) {
	x := newELBLab(t)
	x.nlb.State = "provisioning"
	x.changed()
	wantDroppedAt(t, x.send("client", tcp(clientIP+":40000", "10.0.10.5:80")), engine.CodeBadState, string(nlbARN))
}
