package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var killSeed = flag.Uint64("store.seed", 1, "seed of TestKillLosesNothingAcknowledged's kill moments")

// The child of TestKillLosesNothingAcknowledged: killWriters goroutines commit steps, each
// writer one after another; writer 0 commits alone for its first soloSteps steps, then the
// others join it. Step k of a writer, in one Commit:
//
//	put a/<writer>-<k> and b/<writer>-<k>  (values from value(): verifiable)
//	delete a/<writer>-<k-2>                (when k >= 2 and k%3 == 0)
//	put meta/<writer> = k                  (one record overwritten by every step)
//
// and after Commit returns the child prints "ack <writer> <k>".
const (
	killWriters = 5
	soloSteps   = 20
	childRound  = "VPCLAB_STORE_TEST_ROUND"
)

func writerName(round, w int) string     { return fmt.Sprintf("r%dw%d", round, w) }
func stepID(writer string, k int) string { return fmt.Sprintf("%s-%05d", writer, k) }

// value is the content of record kind/id: 16 to 6015 bytes (records of more than a page
// too) derived from the name, so a record read back can be checked whole.
func value(kind, id string) []byte {
	h := sha256.Sum256([]byte(kind + "/" + id))
	n := 16 + int(binary.BigEndian.Uint16(h[:]))%6000
	v := make([]byte, 0, n+sha256.Size)
	for len(v) < n {
		v = append(v, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return v[:n]
}

func step(writer string, k int) []Change {
	id := stepID(writer, k)
	cs := []Change{{"a", id, value("a", id)}, {"b", id, value("b", id)}}
	if k >= 2 && k%3 == 0 {
		cs = append(cs, Change{"a", stepID(writer, k-2), nil})
	}
	return append(cs, Change{"meta", writer, []byte(strconv.Itoa(k))})
}

// expect adds to want the records of writer once its steps 0..last are committed.
func expect(want map[string]string, writer string, last int) {
	if last < 0 {
		return
	}
	for k := 0; k <= last; k++ {
		for _, c := range step(writer, k) {
			key := c.Kind + "/" + c.ID
			if c.Value == nil {
				delete(want, key)
			} else {
				want[key] = string(c.Value)
			}
		}
	}
}

func killChild() int {
	round, err := strconv.Atoi(os.Getenv(childRound))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s, err := Open(os.Getenv(childPath))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	ack := func(writer string, k int) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, "ack %s %d\n", writer, k) // unbuffered: one write(2) per line
	}
	fail := make(chan error, killWriters)
	run := func(w int, solo chan<- struct{}) {
		writer := writerName(round, w)
		for k := 0; ; k++ {
			if err := s.Commit(step(writer, k)...); err != nil {
				fail <- err
				return
			}
			ack(writer, k)
			if k+1 == soloSteps && solo != nil {
				close(solo)
			}
		}
	}
	solo := make(chan struct{})
	go run(0, solo)
	<-solo
	for w := 1; w < killWriters; w++ {
		go run(w, nil)
	}
	select {
	case err := <-fail:
		fmt.Fprintln(os.Stderr, err)
		return 1
	case <-time.After(20 * time.Second):
		fmt.Fprintln(os.Stderr, "not killed after 20s")
		return 3
	}
}

// A child process commits and acknowledges records until it is killed (SIGKILL) at a moment
// drawn from a seeded PRNG. Reopened, the file must hold every acknowledged step, each whole
// and with its exact values, and at most one more step per writer (committed, not yet
// acknowledged): nothing partial, nothing lost, and the earlier rounds' records untouched.
func TestKillLosesNothingAcknowledged(t *testing.T) {
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	t.Logf("seed %d (-store.seed=N picks other kill moments)", *killSeed)
	path := filepath.Join(t.TempDir(), "state.db")
	committed := map[string]int{} // writer: its last step found in the file after its round
	for round := range rounds {
		rng := rand.New(rand.NewPCG(*killSeed, uint64(round)))
		// Round 0 kills the child before it is likely to have opened the file; the others
		// after a number of acknowledgements, and a pause within a Commit's time.
		acks := 0
		if round > 0 {
			acks = 1 + rng.IntN(400)
		}
		pause := time.Duration(rng.IntN(3000)) * time.Microsecond
		acked := killAfter(t, path, round, acks, pause)

		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopening after the kill: %v", round, err)
		}
		got := map[string]string{}
		err = s.Load(func(kind, id string, v []byte) error {
			got[kind+"/"+id] = string(v)
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want := map[string]string{}
		for w := range killWriters {
			writer := writerName(round, w)
			last := -1
			if v, ok := got["meta/"+writer]; ok {
				if last, err = strconv.Atoi(v); err != nil {
					t.Fatalf("round %d: meta/%s = %q", round, writer, v)
				}
			}
			a, ok := acked[writer]
			if !ok {
				a = -1
			}
			if last < a || last > a+1 {
				t.Errorf("round %d: %s acknowledged step %d, the file holds it up to step %d", round, writer, a, last)
			}
			committed[writer] = last
		}
		for writer, last := range committed {
			expect(want, writer, last)
		}
		t.Logf("round %d: killed after %d acknowledgements and %v; %d records in the file", round, acks, pause, len(got))
		for key, v := range want {
			if g, ok := got[key]; !ok {
				t.Errorf("round %d: %s is missing", round, key)
			} else if g != v {
				t.Errorf("round %d: %s holds %d bytes that are not its value", round, key, len(g))
			}
		}
		for key := range got {
			if _, ok := want[key]; !ok {
				t.Errorf("round %d: %s should not be there (deleted, or of a step not committed whole)", round, key)
			}
		}
		if t.Failed() {
			t.Fatalf("round %d failed: replay with -store.seed=%d", round, *killSeed)
		}
	}
}

// killAfter runs a child committing steps for round on path, kills it with SIGKILL after acks
// acknowledgements and pause, and returns the last step each writer acknowledged.
func killAfter(t *testing.T, path string, round, acks int, pause time.Duration) map[string]int {
	t.Helper()
	cmd := childCommand(t, "kill", path)
	cmd.Env = append(cmd.Env, childRound+"="+strconv.Itoa(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int{}
	lines := bufio.NewScanner(out)
	kill := func() {
		time.Sleep(pause)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
			t.Error(err)
		}
	}
	if acks == 0 {
		kill()
	}
	n := 0
	for lines.Scan() {
		var writer string
		var k int
		if _, err := fmt.Sscanf(lines.Text(), "ack %s %d", &writer, &k); err != nil {
			t.Fatalf("child said %q: %v", lines.Text(), err)
		}
		if prev, ok := acked[writer]; ok && k != prev+1 || !ok && k != 0 {
			t.Errorf("%s acknowledged step %d after %d", writer, k, prev)
		}
		acked[writer] = k
		if n++; n == acks {
			kill()
		}
	}
	err = cmd.Wait()
	if st := cmd.ProcessState; st == nil || st.Exited() {
		t.Fatalf("the child was not killed: %v after %d acknowledgements (wanted %d)\n%s", err, n, acks, stderr.String())
	}
	return acked
}
