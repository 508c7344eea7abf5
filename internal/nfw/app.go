package nfw

import (
	"bytes"

	"github.com/vpclab/vpclab/internal/packet"
)

// AppOf is the application data a packet carries for domain-list and tls.sni/http.host rules
// (§14.8, §14.16): the simulated attribute when the tools set one, else what its payload
// holds — the server name of a TLS ClientHello, the Host of an HTTP/1 request — and nil when
// it holds neither.
func AppOf(p *packet.Packet) *packet.App {
	if p.App != nil || len(p.Payload) == 0 {
		return p.App
	}
	if sni := ClientHelloSNI(p.Payload); sni != "" {
		return &packet.App{SNI: sni}
	}
	if h := HTTPHost(p.Payload); h != "" {
		return &packet.App{HTTPHost: h}
	}
	return nil
}

// ClientHelloSNI returns the server_name of a TLS ClientHello at the start of b (one record,
// RFC 8446 §4.1.2, RFC 6066 §3), or "" when b holds none.
func ClientHelloSNI(b []byte) string {
	// record header: type 22 (handshake), version, length; handshake type 1 (ClientHello)
	if len(b) < 9 || b[0] != 22 || b[5] != 1 {
		return ""
	}
	b = b[9:]
	if len(b) < 34 {
		return ""
	}
	b = b[34:] // legacy version, random
	skip := func(n int) bool {
		if n > len(b) {
			return false
		}
		b = b[n:]
		return true
	}
	u8 := func() int {
		if len(b) < 1 {
			return 1 << 30
		}
		return int(b[0])
	}
	u16 := func() int {
		if len(b) < 2 {
			return 1 << 30
		}
		return int(b[0])<<8 | int(b[1])
	}
	if !skip(1+u8()) || !skip(2+u16()) || !skip(1+u8()) { // session id, cipher suites, compression
		return ""
	}
	if len(b) < 2 {
		return ""
	}
	ext := u16()
	b = b[2:]
	if ext < len(b) {
		b = b[:ext]
	}
	for len(b) >= 4 {
		typ, n := int(b[0])<<8|int(b[1]), int(b[2])<<8|int(b[3])
		b = b[4:]
		if n > len(b) {
			return ""
		}
		if typ == 0 { // server_name: list length, entry type 0, name length, name
			e := b[:n]
			if len(e) < 5 || e[2] != 0 {
				return ""
			}
			l := int(e[3])<<8 | int(e[4])
			if 5+l > len(e) {
				return ""
			}
			return string(e[5 : 5+l])
		}
		b = b[n:]
	}
	return ""
}

// HTTPHost returns the Host header of an HTTP/1 request at the start of b, or "".
func HTTPHost(b []byte) string {
	sp := bytes.IndexByte(b, ' ')
	if sp < 3 || sp > 7 {
		return ""
	}
	for _, c := range b[:sp] {
		if c < 'A' || c > 'Z' {
			return ""
		}
	}
	for _, line := range bytes.Split(b, []byte("\r\n"))[1:] {
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("host")) {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}
