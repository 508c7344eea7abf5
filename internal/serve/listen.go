package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ExportPath is where a served lab's state is read as one describe-* JSON document (GET):
// `vpclab ... -t http://127.0.0.1:4566` reads it. It is outside EC2's API, which is POST /.
const ExportPath = "/_vpclab/describe"

// ListenAndServe serves s on addr (host:port) until ctx is done, then lets the requests in
// flight finish. ready, when set, is told the address listened on (port 0 picks one).
func ListenAndServe(ctx context.Context, addr string, s *Server, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr())
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
