package tools

import (
	"io"
	"strings"
	"testing"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/packet"
)

// The example lab of a gateway endpoint (§7.4), end to end from the YAML: S3 answers TCP and
// ping through the endpoint; UDP is refused (VPCE-2); a subnet without the endpoint's route
// reaches S3 another way (VPCE-3).
func TestGatewayEndpointExampleLab_7_4(t *testing.T) {
	topo, s := exampleLab(t, "gateway-endpoint")
	app, web, s3 := mustResolve(t, s, "app"), mustResolve(t, s, "web"), mustResolve(t, s, "52.216.1.1")
	vpce := string(topo.VPCEndpoints[0].ID)

	tr := s.Trace(app, s3, TraceOptions{Protocol: packet.ProtoTCP, Port: 443})
	if f := tr.Forward; f.Outcome != engine.Exited || f.Exit.Gateway.ID != vpce || f.Exit.To.Kind != engine.KindAWSService {
		t.Fatalf("app to S3: %v %s at %s (%s)", f.Outcome, f.Code, f.At, f.Detail)
	}
	if tr.Return == nil || tr.Return.Outcome != engine.Delivered {
		t.Fatalf("S3's answer: %+v", tr.Return)
	}
	wantThrough(t, tr.Return, vpce)

	// The service stub listens on 443 and 80 only (§7.4.7).
	if tr := s.Trace(app, s3, TraceOptions{Protocol: packet.ProtoTCP, Port: 22}); tr.Forward.Outcome != engine.Exited || tr.Return != nil {
		t.Errorf("TCP 22 to S3: %v, return %+v; want through the endpoint and unanswered", tr.Forward.Outcome, tr.Return)
	}

	if got := s.Ping(io.Discard, app, s3, PingOptions{Count: 2}); got.Received != 2 {
		t.Errorf("ping app to S3: %+v, want 2 received (§7.4.5: ICMP echo passes)", got)
	}

	udp := s.Trace(app, s3, TraceOptions{Protocol: packet.ProtoUDP, Port: 53}).Forward
	if udp.Code != engine.CodeVPCEGatewayProtocol || udp.At.ID != vpce {
		t.Errorf("UDP to S3: %s at %s, want %s at %s", udp.Code, udp.At, engine.CodeVPCEGatewayProtocol, vpce)
	}

	// The service named beyond its endpoint ("s3:IP", by the endpoint's Name tag) is reached
	// through that endpoint, and can send: its new connection meets app's security group.
	beyond := mustResolve(t, s, "s3:52.216.1.1")
	if beyond.Kind != EndpointVPCEndpoint || beyond.Resource != vpce || beyond.Location() != (engine.Location{Kind: engine.FromVPCEndpoint, ID: vpce}) {
		t.Fatalf("s3:52.216.1.1 = %+v", beyond)
	}
	if tr := s.Trace(app, beyond, TraceOptions{Protocol: packet.ProtoTCP, Port: 443}); tr.Return == nil || tr.Return.Outcome != engine.Delivered {
		t.Errorf("app to s3:52.216.1.1: %+v", tr.Forward)
	}
	if f := s.Trace(beyond, app, TraceOptions{Protocol: packet.ProtoTCP, Port: 22}).Forward; f.Code != engine.CodeSGRulesMismatch {
		t.Errorf("S3 opening a connection to app: %s at %s, want %s (the default group admits only its members)", f.Code, f.At, engine.CodeSGRulesMismatch)
	}
	if _, err := s.Resolve("s3"); err == nil || !strings.Contains(err.Error(), "name the service's address (in its prefix list) as s3:IP") {
		t.Errorf("s3 without an address: %v", err)
	}

	out := s.Trace(web, s3, TraceOptions{Protocol: packet.ProtoTCP, Port: 443}).Forward
	if out.Outcome != engine.Exited || out.Exit.Gateway.Kind != engine.KindInternetGateway {
		t.Errorf("web to S3: %v through %s, want out through the internet gateway", out.Outcome, out.Exit.Gateway)
	}
}
