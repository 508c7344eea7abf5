package cli

import (
	"os"
	"path/filepath"

	"github.com/vpclab/vpclab/internal/serve/store"
)

// openStore opens serve's state file, making its directory (private to the user) if needed.
func openStore(path string) (*store.Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return store.Open(path)
}
