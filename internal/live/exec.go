package live

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// ResolveLab names the lab a command is about: name if given, else the only lab there is.
func ResolveLab(name string) (string, error) {
	if name != "" {
		return name, CheckName(name)
	}
	labs, err := Labs()
	if err != nil {
		return "", err
	}
	switch len(labs) {
	case 0:
		return "", fmt.Errorf("%w is up: start one with 'vpclab up -t TOPOLOGY'", ErrNoLab)
	case 1:
		return labs[0], nil
	}
	return "", fmt.Errorf("%d labs are up (%s): choose one with --name", len(labs), strings.Join(labs, ", "))
}

// Start starts cmd inside the namespace of a node (instance or host name, or instance ID) of
// a running lab; the caller waits for it.
func Start(lab, node string, cmd *exec.Cmd) error {
	m, err := ReadManifest(lab)
	if err != nil {
		return err
	}
	n := m.Plan.Node(node)
	if n == nil {
		var names []string
		for _, x := range m.Plan.Nodes {
			names = append(names, x.Name)
		}
		return fmt.Errorf("lab %s has no instance or host %q (it has: %s)", lab, node, strings.Join(names, ", "))
	}
	if !m.Running() {
		return fmt.Errorf("the dataplane of lab %s is not running, so no packet would move: 'vpclab down --name %s' removes the lab", lab, lab)
	}
	cmd.Env = append(cmd.Environ(), "VPCLAB_LAB="+lab, "VPCLAB_NODE="+n.Name)
	// A child starts in the network namespace of the thread that forks it.
	return inNamespace(n.Namespace, cmd.Start)
}

// Exec runs argv inside a node's namespace and returns its exit status (128+N when a signal
// N ended it, as shells report).
func Exec(lab, node string, argv []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(argv) == 0 {
		return 0, errors.New("no command to run")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := Start(lab, node, cmd); err != nil {
		return 0, err
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return 0, err
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return cmd.ProcessState.ExitCode(), nil
}

// Status lists the manifests of every lab.
func Status() ([]*Manifest, error) {
	labs, err := Labs()
	if err != nil {
		return nil, err
	}
	var out []*Manifest
	for _, l := range labs {
		m, err := ReadManifest(l)
		if err != nil {
			continue // a lab being removed
		}
		out = append(out, m)
	}
	return out, nil
}

// CheckPrivileges says why this process cannot build labs: it needs CAP_NET_ADMIN for
// devices and CAP_SYS_ADMIN for namespaces, which root has.
func CheckPrivileges() error {
	if os.Geteuid() == 0 {
		return nil
	}
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			const netAdmin, sysAdmin = 1 << 12, 1 << 21
			if caps&netAdmin != 0 && caps&sysAdmin != 0 {
				return nil
			}
		}
	}
	return errors.New("live mode needs root: run as root or with CAP_NET_ADMIN and CAP_SYS_ADMIN")
}
