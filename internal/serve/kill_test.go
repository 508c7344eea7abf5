package serve

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpclab/vpclab/internal/serve/store"
	"github.com/vpclab/vpclab/internal/topology"
)

// childEnv selects the child mode of the test binary: a server on the state file it names.
const childEnv = "VPCLAB_SERVE_TEST_CHILD_STATE"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		st, err := store.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		s, err := New(Options{Store: st})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		err = ListenAndServe(context.Background(), "127.0.0.1:0", s, func(addr string) { fmt.Println("listening", addr) })
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// TestKillLosesNothingAcknowledged: clients create VPCs (one alone, then four at once)
// against a server in another process, which is killed (SIGKILL) at a random moment; the
// restarted state holds every VPC whose creation was answered, each whole with its main
// route table, default network ACL and default group, and loads with no errors.
func TestKillLosesNothingAcknowledged(t *testing.T) {
	rounds := 4
	if testing.Short() {
		rounds = 1
	}
	seed := uint64(1)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "state.db")
	acked := map[string]bool{}
	for round := range rounds {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), childEnv+"="+path)
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			t.Fatalf("round %d: the server did not start: %v", round, err)
		}
		l := &lab{t: t, url: "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))}
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 5 {
			wg.Go(func() {
				if w > 0 {
					time.Sleep(20 * time.Millisecond) // one writer alone first
				}
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					v := fmt.Sprintf("CidrBlock=10.%d.%d.0/24", w, (round*200+i)%256)
					status, body, err := post(l.url, "CreateVpc", v)
					if err != nil || status != 200 {
						return // the server is gone
					}
					id := regexp.MustCompile(`<vpcId>(vpc-[0-9a-f]+)</vpcId>`).FindStringSubmatch(body)[1]
					mu.Lock()
					acked[id] = true
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(30+rng.IntN(150)) * time.Millisecond)
		if err := child.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()
		close(stop)
		wg.Wait()

		st, err := store.Open(path)
		if err != nil {
			t.Fatalf("round %d: reopening: %v", round, err)
		}
		s, err := New(Options{Store: st})
		if err != nil {
			t.Fatalf("round %d: loading: %v", round, err)
		}
		doc := s.Export()
		s.Close()
		st.Close()
		for id := range acked {
			if !strings.Contains(string(doc), `"VpcId": "`+id+`"`) {
				t.Errorf("round %d: acknowledged %s is lost", round, id)
			}
		}
		top, probs := topology.LoadJSON("restarted", doc)
		if probs.HasErrors() {
			t.Fatalf("round %d: the restarted state does not load: %v", round, probs.Error())
		}
		if len(top.VPCs) < len(acked) || len(top.RouteTables) != len(top.VPCs) || len(top.SecurityGroups) != len(top.VPCs) {
			t.Errorf("round %d: %d VPCs (%d acknowledged), %d route tables, %d groups: a VPC is not whole",
				round, len(top.VPCs), len(acked), len(top.RouteTables), len(top.SecurityGroups))
		}
	}
	if len(acked) == 0 {
		t.Fatal("no create was acknowledged before the kills: the test tested nothing")
	}
	t.Logf("%d creates acknowledged over %d kills", len(acked), rounds)
}

// post is one EC2 Query request that tolerates the server dying.
func post(base, action string, params ...string) (int, string, error) {
	body := "Action=" + action + "&Version=2016-11-15"
	for _, p := range params {
		body += "&" + p
	}
	resp, err := httpPost(base, body)
	return resp.status, resp.body, err
}
