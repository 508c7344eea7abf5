package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// StateRoot holds one directory per lab: its manifest and the dataplane's log.
const StateRoot = "/run/vpclab"

// Manifest is what a lab is and what was created for it. It is written before anything is
// created, and again after each namespace is added, so that Down (or the next Up of the same
// name after a crash) removes exactly what it lists.
type Manifest struct {
	Lab      string    `json:"lab"`
	Topology string    `json:"topology"` // absolute path; empty for a topology built in memory (foreground only)
	Link     string    `json:"link"`     // tap or veth
	Started  time.Time `json:"started"`
	// PID is the dataplane's process (the foreground vpclab itself, or the background one)
	// and PIDStart its start time in clock ticks after boot, which tells a live dataplane
	// from a process that reuses its ID.
	PID      int    `json:"pid,omitempty"`
	PIDStart uint64 `json:"pid_start,omitempty"`
	Ready    bool   `json:"ready"`
	// Namespaces are the network namespaces made for the lab, each recorded before it is
	// created. Deleting them deletes every device the lab made: all of them live inside.
	Namespaces []string `json:"namespaces"`
	Plan       *Plan    `json:"plan"`
}

// LabDir is the lab's state directory.
func LabDir(lab string) string { return filepath.Join(StateRoot, lab) }

// LogPath is where the background dataplane of a lab writes its log.
func LogPath(lab string) string { return filepath.Join(LabDir(lab), "dataplane.log") }

func manifestPath(lab string) string { return filepath.Join(LabDir(lab), "manifest.json") }

// ErrNoLab is returned for a lab name that has no state directory.
var ErrNoLab = errors.New("no such lab")

// ReadManifest reads a lab's manifest.
func ReadManifest(lab string) (*Manifest, error) {
	b, err := os.ReadFile(manifestPath(lab))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (see 'vpclab status')", ErrNoLab, lab)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath(lab), err)
	}
	return &m, nil
}

// save writes the manifest atomically.
func (m *Manifest) save() error {
	if err := os.MkdirAll(LabDir(m.Lab), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := manifestPath(m.Lab) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, manifestPath(m.Lab))
}

// Running reports whether the lab's dataplane process is alive.
func (m *Manifest) Running() bool {
	return m.PID > 0 && processStart(m.PID) == m.PIDStart
}

// Labs lists the names of the labs that have a state directory, sorted.
func Labs() ([]string, error) {
	entries, err := os.ReadDir(StateRoot)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && CheckName(e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// processStart is a live process's start time in clock ticks after boot (field 22 of
// /proc/PID/stat), or 0 when there is no such process or it is a zombie.
func processStart(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces: split after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// lockState takes the lock that serialises up, down and crash cleanup of every lab.
func lockState() (unlock func(), err error) {
	if err := os.MkdirAll(StateRoot, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(StateRoot, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
