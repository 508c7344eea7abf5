package live

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Network namespaces are per thread in Linux. Everything that must happen inside one runs on
// a goroutine locked to its OS thread; when the thread cannot be switched back, the goroutine
// exits still locked and the runtime throws the thread away.

const netnsDir = "/run/netns"

// errNamespaceTaken is returned when a namespace to create already exists.
var errNamespaceTaken = errors.New("network namespace taken")

// inThread runs f on a fresh locked thread and switches that thread back to the original
// namespace afterwards (f may switch it anywhere).
func inThread(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- fmt.Errorf("reading this thread's network namespace: %w", err)
			return
		}
		defer orig.Close()
		err = f()
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// inNamespace runs f inside the named namespace.
func inNamespace(name string, f func() error) error {
	return inThread(func() error {
		h, err := netns.GetFromName(name)
		if err != nil {
			return fmt.Errorf("network namespace %s: %w", name, err)
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			return fmt.Errorf("entering network namespace %s: %w", name, err)
		}
		return f()
	})
}

// createNamespace creates the named namespace (failing if the name is taken), and runs f in
// it.
func createNamespace(name string, f func() error) error {
	return inThread(func() error {
		if err := prepareNetnsDir(); err != nil {
			return err
		}
		h, err := netns.NewNamed(name)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%w: %s already exists and is not this lab's: remove it or choose another --name", errNamespaceTaken, name)
			}
			return fmt.Errorf("creating network namespace %s: %w", name, err)
		}
		h.Close()
		return f()
	})
}

// prepareNetnsDir makes /run/netns a shared mount point, as 'ip netns add' does, so that
// namespaces vpclab and iproute2 create sit on the same mount and each tool can see and
// remove the other's (a bind mount iproute2 puts on /run/netns later would otherwise hide
// vpclab's names underneath it).
func prepareNetnsDir() error {
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		return err
	}
	err := unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if errors.Is(err, unix.EINVAL) { // not a mount point yet: bind it onto itself first
		if err = unix.Mount(netnsDir, netnsDir, "none", unix.MS_BIND|unix.MS_REC, ""); err == nil {
			err = unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	if err != nil {
		return fmt.Errorf("making %s a shared mount point: %w", netnsDir, err)
	}
	return nil
}

// namespaceExists reports whether a named namespace exists.
func namespaceExists(name string) bool {
	_, err := os.Stat(filepath.Join(netnsDir, name))
	return err == nil
}

// deleteNamespace removes a named namespace: its processes are killed (they are the lab's:
// nothing else lives there) and its name unmounted. The kernel frees the namespace, and every
// device in it, once nothing holds it.
func deleteNamespace(name string) error {
	path := filepath.Join(netnsDir, name)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	killProcessesIn(path)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmounting %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

// killProcessesIn sends SIGKILL to every process whose network namespace is the one mounted at
// path (what 'ip netns pids' lists).
func killProcessesIn(path string) {
	var want unix.Stat_t
	if unix.Stat(path, &want) != nil {
		return
	}
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		var st unix.Stat_t
		if unix.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st) != nil {
			continue
		}
		if st.Dev == want.Dev && st.Ino == want.Ino {
			unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// sysctl writes a value under /proc/sys for the calling thread's network namespace. A setting
// the kernel lacks (IPv6 compiled out) is not an error.
func sysctl(key, value string) error {
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	err := os.WriteFile(path, []byte(value), 0o644)
	if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(key, "net.ipv6.") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
