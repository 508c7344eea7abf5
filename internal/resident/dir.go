// Package resident keeps a compiled estate in a background process and answers vpclab's
// commands from it over a unix socket, so that the second question about an unchanged
// estate costs the question and not the load (as Bazel's server and Gradle's daemon do).
//
// It is the transport only: where sockets live (Dir), how a topology names its socket
// (SocketPath), whether the files changed (Fingerprint), the wire protocol (Request and
// frames), the server loop with its idle exit (Server) and the client side (Dial, Ask,
// List, Stop, Spawn). What a question means is the caller's: internal/cli runs its own
// cobra commands against the estate it holds.
//
// A unix socket in a directory only its user can enter is inter-process communication on
// one machine, not the simulated network nor the OS network the live mode drives.
package resident

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// DirEnv names the environment variable that overrides where sockets live (tests point it
// at a temporary directory).
const DirEnv = "VPCLAB_RESIDENT_DIR"

// Dir is the per-user directory of residents' sockets and logs: $VPCLAB_RESIDENT_DIR, else
// $XDG_RUNTIME_DIR/vpclab, else the user cache directory's vpclab. It is created with mode
// 0700 and refused when another user owns it or others may enter it: whoever can reach a
// socket can ask questions that write files as its owner (check --junit, --pcap). Unless
// create is set, a directory that does not exist is returned as "" and no error: no
// resident runs.
func Dir(getenv func(string) string, create bool) (string, error) {
	dir := getenv(DirEnv)
	if dir == "" {
		if rt := getenv("XDG_RUNTIME_DIR"); rt != "" {
			dir = filepath.Join(rt, "vpclab")
		} else {
			c, err := os.UserCacheDir()
			if err != nil {
				return "", fmt.Errorf("no directory for residents: %v (set %s)", err, DirEnv)
			}
			dir = filepath.Join(c, "vpclab")
		}
	}
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
	}
	st, err := os.Stat(dir)
	if !create && errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return "", fmt.Errorf("%s belongs to another user; residents need a directory of their own (set %s)", dir, DirEnv)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is open to other users (mode %o); make it 0700", dir, st.Mode().Perm())
	}
	return dir, nil
}

// Key names a topology's socket: a hash of its absolute path, short enough for the 108
// bytes a socket path may have.
func Key(abs string) string {
	h := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(h[:8])
}

// SocketPath is where the resident of the topology at abs listens.
func SocketPath(dir, abs string) string { return filepath.Join(dir, Key(abs)+".sock") }

// LogPath is where the resident of the topology at abs writes what it says while starting.
func LogPath(dir, abs string) string { return filepath.Join(dir, Key(abs)+".log") }

// Fingerprint summarises every file of a topology as git's stat cache does: path, type,
// size, modification and change time, inode. It reads no content, so it costs
// microseconds even for hundreds of megabytes; any write, rename, added or removed file
// changes it. A directory is walked as the snapshot loader walks it (links inside it are
// not followed); a path that cannot be read gives an error, which callers take as a change.
func Fingerprint(path string) (string, error) {
	h := sha256.New()
	root, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	add := func(rel string, st fs.FileInfo) {
		var ino, ctime int64
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			ino, ctime = int64(sys.Ino), sys.Ctim.Nano()
		}
		fmt.Fprintf(h, "%q %v %d %d %d %d\n", rel, st.Mode(), st.Size(), st.ModTime().UnixNano(), ino, ctime)
	}
	add(".", root)
	if root.IsDir() {
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == path {
				return nil
			}
			st, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(path, p)
			add(rel, st)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
