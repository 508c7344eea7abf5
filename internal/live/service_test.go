package live

import (
	"strings"
	"testing"
)

// TestLiveGatewayEndpointService (§7.4.7, VPCE-1 live): in examples/gateway-endpoint, app
// reaches S3 through its gateway endpoint, and the stub in the service's namespace answers as
// the simulated one does: HTTP on 80 and HTTPS on 443 at any address of the prefix list, ping
// with TTL 64, and nothing on another port (curl times out: no RST).
func TestLiveGatewayEndpointService(t *testing.T) {
	needLive(t, "curl", "ping")
	const lab = "../../examples/gateway-endpoint/lab.yaml"
	n := loadNet(t, lab)
	if sim, received, _ := simPing(t, n, "app", "52.216.1.1"); received != 1 || !strings.Contains(sim, "ttl=64") {
		t.Fatalf("the simulator's ping app -> S3:\n%s", sim)
	}
	m := upNet(t, n, lab, LinkAuto, true, t.Logf)
	if out, code := run(t, m.Lab, "app", "curl", "-sS", "-m", "3", "http://52.216.1.1/"); code != 0 || !strings.Contains(out, "the s3 stub behind endpoint vpce-") {
		t.Errorf("HTTP to S3: exit %d\n%s", code, out)
	}
	if out, code := run(t, m.Lab, "app", "curl", "-sSk", "-m", "3", "https://54.231.0.9/bucket/key"); code != 0 || !strings.Contains(out, "answers GET /bucket/key") {
		t.Errorf("HTTPS to S3: exit %d\n%s", code, out)
	}
	if out, code := run(t, m.Lab, "app", "ping", "-c", "1", "-W", "2", "52.216.1.1"); code != 0 || !strings.Contains(out, "ttl=64") {
		t.Errorf("ping S3: exit %d\n%s", code, out)
	}
	if out, code := run(t, m.Lab, "app", "curl", "-sS", "-m", "1", "http://52.216.1.1:8080/"); code != 28 {
		t.Errorf("S3 on port 8080: exit %d, want 28 (timed out, as the simulated stub)\n%s", code, out)
	}
}
