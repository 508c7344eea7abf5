package live

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLiveLoadBalancers: examples/load-balancers in live mode. curl from the internet host to
// the NLB's public address reaches web-a, which sees the client's own address (client IP
// preservation); curl from desk to the internal ALB's node on 443 reaches web-a's 8080, which
// sees the ALB node's address (a proxy), as the simulated traces in the example's README say.
func TestLiveLoadBalancers(t *testing.T) {
	needLive(t, "curl")
	const lab = "../../examples/load-balancers/lab.yaml"
	m := upNet(t, loadNet(t, lab), lab, LinkAuto, true, t.Logf)
	for _, port := range []string{":80", ":8080"} {
		srv := exec.Command(os.Args[0])
		srv.Env = append(os.Environ(), envHTTP+"="+port)
		startIn(t, m.Lab, "web-a", srv)
	}
	for _, c := range []struct{ from, url, sees string }{
		{"client", "http://54.0.0.5/", "198.51.100.7"},
		{"desk", "http://10.0.10.5:443/", "10.0.10.5"},
	} {
		var out string
		var code int
		for range 20 { // the servers may still be starting
			if out, code = run(t, m.Lab, c.from, "curl", "-sS", "-m", "3", c.url); code == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if code != 0 || strings.TrimSpace(out) != c.sees {
			t.Errorf("%s: curl %s: exit %d, web-a saw %q, want %s", c.from, c.url, code, strings.TrimSpace(out), c.sees)
		}
	}
}
