package cli

import (
	"errors"

	"github.com/vpclab/vpclab/internal/serve"
)

type closingStore interface {
	serve.Store
	Close() error
}

func openStore(path string) (closingStore, error) {
	return nil, errors.New("the state file is not built yet: pass --memory")
}
