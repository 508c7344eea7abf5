package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// ExportPath is where a served lab's state is read as one describe-* JSON document (GET):
// `vpclab ... -t http://127.0.0.1:4566` reads it. It is outside EC2's API, which is POST /.
const ExportPath = "/_vpclab/describe"

// ListenAndServe serves s on addr (host:port) until ctx is done, then lets the requests in
// flight finish. ready, when set, is told the address listened on (port 0 picks one).
func ListenAndServe(ctx context.Context, addr string, s *Server, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
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

// Fetch reads a served lab's state from the server at base (http://host:port) as one
// describe-* JSON document: how `vpclab trace -t http://127.0.0.1:4566` reads a served lab.
func Fetch(ctx context.Context, base string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+ExportPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no vpclab serve answers at %s: %v", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the lab from %s: %v", base, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s to GET %s: is it a vpclab serve?", base, resp.Status, ExportPath)
	}
	return body, nil
}
