package live

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"
)

// startServices runs the stub of each AWS service behind a gateway endpoint in its namespace
// (KindServiceHost), inside the dataplane's process until ctx ends, as the simulated tools
// answer for it (§7.4.7, DEFAULTS.md): HTTP on TCP 80 and HTTPS on TCP 443 (a self-signed
// certificate: curl -k), each answering every request with a line naming the service; the
// namespace's kernel answers ping from every address of the prefix list.
func startServices(ctx context.Context, p *Plan, logf func(string, ...any)) error {
	for _, n := range p.Nodes {
		if n.Kind != KindServiceHost {
			continue
		}
		name := n.Name
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "vpclab: the %s stub behind endpoint %s answers %s %s\n", name, n.ID, r.Method, r.URL.Path)
		})
		cert, err := selfSigned(name)
		if err != nil {
			return err
		}
		var plain, secure net.Listener
		err = inNamespace(n.Namespace, func() error {
			var err error
			if plain, err = net.Listen("tcp4", ":80"); err != nil {
				return err
			}
			secure, err = net.Listen("tcp4", ":443")
			return err
		})
		if err != nil {
			if plain != nil {
				plain.Close()
			}
			return fmt.Errorf("the %s stub: %w", name, err)
		}
		for _, s := range []struct {
			l   net.Listener
			tls bool
		}{{plain, false}, {secure, true}} {
			srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
			l := s.l
			if s.tls {
				l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}})
			}
			go srv.Serve(l)
			go func() { <-ctx.Done(); srv.Close() }()
		}
		logf("%s: the AWS service stub behind %s answers HTTP on 80, HTTPS on 443 and ping", name, n.ID)
	}
	return nil
}

// selfSigned is a certificate for the stub of a service, made at start.
func selfSigned(service string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: service + ".amazonaws.com"},
		DNSNames:  []string{"*." + service + ".amazonaws.com", service + ".amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour * 365)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
