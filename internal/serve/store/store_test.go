package store

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// TestMain runs the child processes some tests start from this binary (childEnv names which),
// and the tests otherwise.
func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(holdChild())
	case "kill":
		os.Exit(killChild())
	default:
		fmt.Fprintf(os.Stderr, "%s=%q: no such child\n", childEnv, os.Getenv(childEnv))
		os.Exit(2)
	}
}

// childEnv selects a child mode of the test binary; childPath is the state file it opens.
const (
	childEnv  = "VPCLAB_STORE_TEST_CHILD"
	childPath = "VPCLAB_STORE_TEST_PATH"
)

type record struct {
	Kind, ID, Value string
}

func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func commit(t testing.TB, s *Store, cs ...Change) {
	t.Helper()
	if err := s.Commit(cs...); err != nil {
		t.Fatal(err)
	}
}

func load(t testing.TB, s *Store) []record {
	t.Helper()
	var got []record
	if err := s.Load(func(kind, id string, v []byte) error {
		got = append(got, record{kind, id, string(v)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func put(kind, id, v string) Change { return Change{kind, id, []byte(v)} }
func del(kind, id string) Change    { return Change{kind, id, nil} }

// Records come back as written, deletes remove them, the later of two changes of one record
// in a Commit wins (vpclab serve concatenates queued requests' changes into one Commit), and
// Load orders kinds and IDs bytewise whatever the order they were written in.
func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if got := load(t, s); len(got) != 0 {
		t.Errorf("a new store holds %v", got)
	}
	commit(t, s, put("vpc", "vpc-9", "nine"), put("subnet", "subnet-b", "b"), put("vpc", "vpc-10", "ten"))
	commit(t, s, put("subnet", "subnet-a", "a"), put("meta", "next", "3"), put("vpc", "vpc-1", ""))
	commit(t, s, put("subnet", "subnet-b", "b1"), put("subnet", "subnet-b", "b2"), del("vpc", "vpc-10"))
	commit(t, s, put("meta", "tmp", "1"), del("meta", "tmp"), del("vpc", "vpc-9"), put("vpc", "vpc-9", "nine"))
	commit(t, s, del("nosuchkind", "x"), del("vpc", "vpc-404")) // deleting what is not there is no error
	commit(t, s)                                                // nor is an empty commit
	want := []record{
		{"meta", "next", "3"},
		{"subnet", "subnet-a", "a"},
		{"subnet", "subnet-b", "b2"},
		{"vpc", "vpc-1", ""},
		{"vpc", "vpc-9", "nine"},
	}
	if diff := cmp.Diff(want, load(t, s)); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(put("vpc", "vpc-2", "x")); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Commit after Close: %v, want an error naming %s", err, path)
	}

	s = open(t, path)
	defer s.Close()
	if diff := cmp.Diff(want, load(t, s)); diff != "" {
		t.Errorf("Load after reopening (-want +got):\n%s", diff)
	}
	commit(t, s, del("vpc", "vpc-1"), del("vpc", "vpc-9"))
	if diff := cmp.Diff(want[:3], load(t, s)); diff != "" {
		t.Errorf("Load after deleting every vpc (-want +got):\n%s", diff)
	}
}

// Load gives fn a copy it may keep, stops at fn's first error, which it returns as is, and
// lets fn's panic through.
func TestLoadCopiesAndStops(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	commit(t, s, put("a", "1", "one"), put("a", "2", "two"), put("b", "1", "b-one"))
	var kept [][]byte
	stop := fmt.Errorf("enough")
	err := s.Load(func(kind, id string, v []byte) error {
		kept = append(kept, v)
		if len(kept) == 2 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("Load = %v, want fn's own error %v", err, stop)
	}
	commit(t, s, put("a", "1", "ONE"), put("a", "2", "TWO")) // a shared slice would change now
	if got := fmt.Sprintf("%s", kept); got != "[one two]" {
		t.Errorf("values kept from Load: %s, want [one two]", got)
	}

	defer func() {
		if p := recover(); p != "fn's own" {
			t.Errorf("a panic in fn came out of Load as %v", p)
		}
	}()
	err = s.Load(func(kind, id string, v []byte) error { panic("fn's own") })
	t.Errorf("Load returned %v: fn's panic was taken for a damaged file", err)
}

// A change bbolt would refuse is refused before any transaction, and nothing of its Commit
// is written.
func TestCommitRefusesBadChanges(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	for _, c := range []Change{
		put("", "id", "v"),
		put("kind", "", "v"),
		put("kind", strings.Repeat("x", 40000), "v"),
	} {
		if err := s.Commit(put("ok", "1", "v"), c); err == nil {
			t.Errorf("Commit(%.20q, %.20q) succeeded", c.Kind, c.ID)
		}
	}
	if got := load(t, s); len(got) != 0 {
		t.Errorf("refused commits wrote %v", got)
	}
}

// A file that is not a store is refused with an error naming it, not a panic; an empty file,
// as a first start killed early leaves, is a new store.
func TestOpenDamagedFile(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 3*4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	good := filepath.Join(dir, "good.db")
	s := open(t, good)
	commit(t, s, put("vpc", "vpc-1", "x"))
	s.Close()
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"garbage":        garbage,
		"short-garbage":  []byte("this is not a database\n"),
		"json":           []byte(`{"vpcs": []}`),
		"zeroed-headers": append(make([]byte, 2*4096), valid[2*4096:]...),
	} {
		path := filepath.Join(dir, name+".db")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a vpclab state file or is corrupt") {
			t.Errorf("%s: Open: %v; want an error naming %s as not a state file", name, err, path)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
			t.Errorf("%s: a refused Open changed the file", name)
		}
	}

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = open(t, empty)
	defer s.Close()
	commit(t, s, put("vpc", "vpc-1", "x"))
	if diff := cmp.Diff([]record{{"vpc", "vpc-1", "x"}}, load(t, s)); diff != "" {
		t.Errorf("an empty file opened as (-want +got):\n%s", diff)
	}

	if _, err := Open(filepath.Join(dir, "no-such-dir", "state.db")); err == nil || !strings.Contains(err.Error(), "no-such-dir") {
		t.Errorf("Open in a missing directory: %v, want an error naming the file", err)
	}
}

// A store with one page overwritten by garbage never panics: for each page in turn, Open
// refuses the file, or Load returns every record or an error, each error naming the file; and
// a second Open of a file refused as damaged says so again, not that the file is in use.
func TestDamagedPage(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.db")
	s := open(t, orig)
	for i := range 50 {
		commit(t, s, put("vpc", fmt.Sprintf("vpc-%03d", i), strings.Repeat("v", 300)))
	}
	s.Close()
	content, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	var refused, failed, whole int
	for pg := 2; pg < len(content)/page; pg++ {
		b := bytes.Clone(content)
		for i := pg * page; i < (pg+1)*page; i++ {
			b[i] = byte(i*31 + 7)
		}
		path := filepath.Join(dir, fmt.Sprintf("page%d.db", pg))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			refused++
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
				t.Errorf("page %d: Open: %v, want an error naming %s as corrupt", pg, err, path)
			}
			if _, err2 := Open(path); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("page %d: a second Open: %v, want %v", pg, err2, err)
			}
			continue
		}
		n := 0
		err = s.Load(func(kind, id string, v []byte) error {
			if len(v) != 300 {
				return fmt.Errorf("%s %s has %d bytes", kind, id, len(v))
			}
			n++
			return nil
		})
		switch {
		case err != nil && strings.Contains(err.Error(), path):
			failed++
		case err != nil:
			t.Errorf("page %d: Load: %v, want an error naming %s", pg, err, path)
		case n != 50:
			t.Errorf("page %d: Load gave %d records and no error", pg, n)
		default:
			whole++
		}
		if err := s.Close(); err != nil {
			t.Errorf("page %d: Close: %v", pg, err)
		}
	}
	t.Logf("%d refused by Open, %d by Load, %d pages not in use", refused, failed, whole)
	if refused == 0 || failed == 0 {
		t.Errorf("no page made Open (%d) or Load (%d) fail: the test lost its point", refused, failed)
	}
}

// While one Store holds the file, another Open of it, in this process or another, is refused
// at once with a message that says what to do; once it is closed, the file opens again.
func TestSecondOpenRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	commit(t, s, put("vpc", "vpc-1", "x"))
	want := "state file " + path + " is in use by another vpclab serve; stop it or pass --state with another file"

	start := time.Now()
	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("a second Open in the same process succeeded")
	}
	if err.Error() != want {
		t.Errorf("second Open: %q\nwant %q", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %v to give up", d)
	}

	out, err := childCommand(t, "hold", path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("Open in a child process: %v, output %q; want it refused with %q", err, out, want)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out, err = childCommand(t, "hold", path).CombinedOutput()
	if err != nil || string(out) != "opened\n" {
		t.Errorf("Open in a child process after Close: %v, output %q", err, out)
	}
}

// childCommand runs this test binary as the child mode named, on the state file path.
func childCommand(t testing.TB, mode, path string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childPath+"="+path)
	return cmd
}

// holdChild opens the state file and says whether it could.
func holdChild() int {
	s, err := Open(os.Getenv(childPath))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer s.Close()
	fmt.Println("opened")
	return 0
}

// Many goroutines committing at once all get their records written, and share transactions.
func TestConcurrentCommit(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	const writers, each = 64, 5
	tx0 := writeTxs(s)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%02d-%d", w, i)
				if err := s.Commit(put("a", id, id), put("b", id, id+"!")); err != nil {
					t.Error(err)
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		return
	}
	got := load(t, s)
	if len(got) != 2*writers*each {
		t.Fatalf("%d records, want %d", len(got), 2*writers*each)
	}
	for i, r := range got[:writers*each] {
		b := got[writers*each+i]
		if r.Kind != "a" || r.Value != r.ID || b.Kind != "b" || b.ID != r.ID || b.Value != r.ID+"!" {
			t.Errorf("records %d: %v and %v", i, r, b)
		}
	}
	n := writeTxs(s) - tx0
	t.Logf("%d commits in %d transactions", writers*each, n)
	if n >= writers*each || n < 1 {
		t.Errorf("%d commits took %d write transactions: no group commit", writers*each, n)
	}
}

// Close while Commits run neither hangs nor loses one that succeeded: each Commit either
// returns nil and its record is in the file, or fails; the ones after Close fail.
func TestCloseDuringCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	const writers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok []string
	var refused atomic.Int32
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%02d-%04d", w, i)
				if err := s.Commit(put("vpc", id, id)); err != nil {
					if !strings.Contains(err.Error(), path) {
						t.Errorf("Commit after Close: %v, want an error naming %s", err, path)
					}
					refused.Add(1)
					return
				}
				mu.Lock()
				ok = append(ok, id)
				mu.Unlock()
			}
		})
	}
	for {
		mu.Lock()
		n := len(ok)
		mu.Unlock()
		if n >= 50 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if refused.Load() != writers {
		t.Errorf("%d of %d writers saw a Commit refused after Close", refused.Load(), writers)
	}
	s = open(t, path)
	defer s.Close()
	have := map[string]bool{}
	for _, r := range load(t, s) {
		have[r.ID] = true
	}
	for _, id := range ok {
		if !have[id] {
			t.Errorf("%s was committed before Close and is not in the file", id)
		}
	}
}

func benchCommit(b *testing.B, parallel bool) {
	s := open(b, filepath.Join(b.TempDir(), "state.db"))
	defer s.Close()
	var n atomic.Int64
	value := bytes.Repeat([]byte("v"), 200) // about one resource's JSON
	one := func() {
		id := fmt.Sprintf("vpc-%012d", n.Add(1))
		if err := s.Commit(Change{"vpc", id, value}, Change{"meta", "next", []byte(id)}); err != nil {
			b.Error(err)
		}
	}
	tx0 := writeTxs(s)
	b.ResetTimer()
	if parallel {
		b.SetParallelism(16) // 16 goroutines per CPU, as requests to a server would be
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				one()
			}
		})
	} else {
		for b.Loop() {
			one()
		}
	}
	b.StopTimer()
	if tx := writeTxs(s) - tx0; tx > 0 {
		b.ReportMetric(float64(b.N)/float64(tx), "commits/fsync")
	}
}

// BenchmarkCommitSerial is one writer: each Commit pays a transaction and an fsync.
func BenchmarkCommitSerial(b *testing.B) { benchCommit(b, false) }

// BenchmarkCommitConcurrent is many writers at once, whose Commits share transactions.
func BenchmarkCommitConcurrent(b *testing.B) { benchCommit(b, true) }

// writeTxs is how many write transactions s has committed: bbolt numbers each one, and a
// read transaction sees the number of the last.
func writeTxs(s *Store) int {
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		panic(err)
	}
	return id
}
