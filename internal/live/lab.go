package live

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/engine"
)

// UpOptions say how to start a lab.
type UpOptions struct {
	Name string // the lab's name (CheckName)
	Link string // LinkTAP, LinkVeth, or LinkAuto: TAP if it works, else veth
	// Foreground runs the dataplane in this process until ctx is done, then removes the lab.
	// Otherwise a detached copy of this program runs it (see EnvDataplane) and Up returns once
	// it answers.
	Foreground bool
	// Logf receives progress notes and, in the foreground, the dataplane's log.
	Logf func(format string, args ...any)
	// OnReady is called once the lab answers (in the foreground, before Up blocks).
	OnReady func(*Manifest)
}

// EnvDataplane is set, to the lab's name, in the environment of the background dataplane: the
// program Up re-executes (os.Executable, with arguments "dataplane --name LAB") must then call
// ServeDataplane. vpclab has a hidden dataplane command for it; a test binary checks this
// variable in TestMain.
const EnvDataplane = "VPCLAB_DATAPLANE"

// readyTimeout bounds how long Up waits for a background dataplane to answer.
const readyTimeout = 60 * time.Second

// ErrRunning is returned by Up for a lab name whose dataplane is running.
var ErrRunning = errors.New("lab is already up")

// Up creates the lab of a compiled topology (read from topoPath) and starts its dataplane.
// A lab of the same name whose dataplane is gone (it crashed, or was killed) is removed first.
//
// topoPath is where the background dataplane loads the topology again. A topology built in
// memory has none (topoPath ""): it runs only in the foreground, where the dataplane uses n.
func Up(ctx context.Context, n *engine.Network, topoPath string, o UpOptions) (*Manifest, error) {
	if err := CheckPrivileges(); err != nil {
		return nil, err
	}
	if err := CheckName(o.Name); err != nil {
		return nil, err
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	abs := ""
	if topoPath != "" {
		var err error
		if abs, err = filepath.Abs(topoPath); err != nil {
			return nil, err
		}
	} else if !o.Foreground {
		return nil, errors.New("a topology built in memory has no file a background dataplane could load: run it in the foreground")
	}
	plan, err := PlanLab(n.Topology, o.Name)
	if err != nil {
		return nil, err
	}
	unlock, err := lockState()
	if err != nil {
		return nil, err
	}
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()
	if err := removeStale(o.Name, logf); err != nil {
		return nil, err
	}
	m := &Manifest{Lab: o.Name, Topology: abs, Link: o.Link, Started: time.Now().UTC(), Plan: plan}
	devs, err := m.buildWithFallback(logf)
	if err != nil {
		return nil, err
	}
	if o.Foreground {
		m.PID, m.PIDStart = os.Getpid(), processStart(os.Getpid())
		if err := m.save(); err != nil {
			closeAll(devs)
			return nil, errors.Join(err, m.teardown())
		}
		unlock()
		locked = false
		return m, runForeground(ctx, m, n, devs, logf, o.OnReady)
	}
	if err := m.spawn(ctx, devs); err != nil {
		return nil, errors.Join(err, m.teardown())
	}
	if err := m.probe(); err != nil {
		m.stop()
		return nil, errors.Join(fmt.Errorf("%w (log: %s)", err, LogPath(m.Lab)), m.teardown())
	}
	if o.OnReady != nil {
		o.OnReady(m)
	}
	return m, nil
}

// removeStale removes a lab whose dataplane is gone; it fails if the lab is running.
func removeStale(lab string, logf func(string, ...any)) error {
	old, err := ReadManifest(lab)
	if errors.Is(err, ErrNoLab) {
		return nil
	}
	if err != nil {
		return err
	}
	if old.Running() {
		return fmt.Errorf("%w: %s (dataplane pid %d); 'vpclab down --name %s' first", ErrRunning, lab, old.PID, lab)
	}
	logf("removing what is left of lab %s, whose dataplane is gone", lab)
	return old.teardown()
}

// buildWithFallback builds the lab with the manifest's link mode; in auto mode it uses TAP
// devices and, where those cannot be made, falls back to veth pairs.
func (m *Manifest) buildWithFallback(logf func(string, ...any)) ([]Device, error) {
	if m.Link != LinkAuto {
		devs, err := build(m)
		if err != nil {
			return nil, errors.Join(err, m.teardown())
		}
		return devs, nil
	}
	why := tapUsable()
	if why == nil {
		m.Link = LinkTAP
		devs, err := build(m)
		if err == nil {
			return devs, nil
		}
		if terr := m.teardown(); terr != nil || !errors.Is(err, errTAP) {
			return nil, errors.Join(err, terr)
		}
		why = err
		m.Namespaces = nil
	}
	logf("TAP devices are unavailable (%v): using veth pairs read with AF_PACKET sockets", why)
	m.Link = LinkVeth
	devs, err := build(m)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("neither TAP devices (%v) nor veth pairs work: %w", why, err), m.teardown())
	}
	return devs, nil
}

func closeAll(devs []Device) {
	for _, d := range devs {
		unix.Close(d.FD)
	}
}

// runForeground runs the dataplane in this process until ctx is done, then removes the lab.
func runForeground(ctx context.Context, m *Manifest, n *engine.Network, devs []Device, logf func(string, ...any), ready func(*Manifest)) error {
	err := func() error {
		dp, err := NewDataplane(n, devs, logf)
		if err != nil {
			closeAll(devs)
			return err
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := startServices(ctx, m.Plan, logf); err != nil {
			closeAll(devs)
			return err
		}
		if err := startHandlers(ctx, m.Plan, dp, logf); err != nil {
			closeAll(devs)
			return err
		}
		done := make(chan error, 1)
		go func() { done <- dp.Run(ctx) }() // closes the devices
		if err := m.probe(); err != nil {
			cancel()
			return errors.Join(err, <-done)
		}
		m.Ready = true
		if err := m.save(); err != nil {
			cancel()
			return errors.Join(err, <-done)
		}
		if ready != nil {
			ready(m)
		}
		return <-done
	}()
	unlock, lerr := lockState()
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	defer unlock()
	return errors.Join(err, m.teardown())
}

// spawn starts the background dataplane with the devices' descriptors and waits until it
// answers. The child reports on a pipe (its descriptor 3): "ready", or why it failed.
func (m *Manifest) spawn(ctx context.Context, devs []Device) error {
	// The child gets the descriptors; this process closes its own, so that a TAP vanishes
	// with the child.
	files := make([]*os.File, len(devs))
	for i, d := range devs {
		files[i] = os.NewFile(uintptr(d.FD), d.Port.Device)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(LogPath(m.Lab), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(exe, "dataplane", "--name", m.Lab)
	cmd.Env = append(os.Environ(), EnvDataplane+"="+m.Lab)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.ExtraFiles = []*os.File{w}
	cmd.ExtraFiles = append(cmd.ExtraFiles, files...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("starting the dataplane: %w", err)
	}
	go cmd.Wait() // reap it, should it end while this process lives on
	msg := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		msg <- strings.TrimSpace(line)
	}()
	var got string
	select {
	case got = <-msg:
	case <-time.After(readyTimeout):
		got = fmt.Sprintf("it did not answer within %s", readyTimeout)
	case <-ctx.Done():
		got = "interrupted"
	}
	if got != "ready" {
		cmd.Process.Kill()
		if got == "" {
			got = "it exited: " + logTail(LogPath(m.Lab))
		}
		return fmt.Errorf("the dataplane did not start: %s (log: %s)", got, LogPath(m.Lab))
	}
	m.PID, m.PIDStart, m.Ready = cmd.Process.Pid, processStart(cmd.Process.Pid), true
	return m.save()
}

// logTail is the last line of a log, for an error message.
func logTail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// Down stops a lab's dataplane and removes every namespace, and so every device, it made.
func Down(lab string) error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	m, err := ReadManifest(lab)
	if err != nil {
		return err
	}
	// Stop the dataplane before taking the lock: a foreground one removes its lab itself,
	// under the lock, as it ends.
	m.stop()
	unlock, err := lockState()
	if err != nil {
		return err
	}
	defer unlock()
	now, err := ReadManifest(lab)
	if errors.Is(err, ErrNoLab) {
		return nil // the foreground dataplane removed it
	}
	if err != nil {
		return err
	}
	if now.Running() && now.PID != os.Getpid() {
		return fmt.Errorf("lab %s was started again while it was being stopped (pid %d)", lab, now.PID)
	}
	return now.teardown()
}

// stop ends the dataplane process: SIGTERM, then SIGKILL. A foreground dataplane in this very
// process is left alone (its devices go with the namespaces).
func (m *Manifest) stop() {
	if !m.Running() || m.PID == os.Getpid() {
		return
	}
	p, err := os.FindProcess(m.PID)
	if err != nil {
		return
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		p.Signal(sig)
		for range 250 { // 5 s
			if !m.Running() {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
