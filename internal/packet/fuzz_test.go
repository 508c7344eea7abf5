package packet

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func addSeeds(f *testing.F) {
	for _, tc := range roundTrip {
		f.Add(tc.p.Marshal())
	}
	f.Add([]byte{0x46, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 1, 1, 0}) // options, no L4
	f.Add([]byte{0x45, 0, 0, 20})
	f.Add([]byte{})
}

// FuzzDecode: Decode never panics; whatever it accepts, Marshal turns into bytes with valid
// checksums that decode to the same packet, and Summary can describe.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = VerifyChecksums(b)
		_, _, _, _, _ = DecodeEthernet(b)
		_, _ = DecodeARP(b)
		p, err := Decode(b)
		if err != nil {
			return
		}
		_ = Summary(&p)
		m := p.Marshal()
		if len(m) != p.Len() {
			t.Fatalf("len(Marshal) = %d, Len = %d", len(m), p.Len())
		}
		if err := VerifyChecksums(m); err != nil {
			t.Fatalf("Marshal(Decode(b)): %v\n% x", err, m)
		}
		p2, err := Decode(m)
		if err != nil {
			t.Fatalf("Decode(Marshal(Decode(b))): %v\n% x", err, m)
		}
		if diff := cmp.Diff(p, p2, cmpAddr); diff != "" {
			t.Fatalf("Decode(Marshal(p)) != p (-p +again):\n%s", diff)
		}
		if m2 := p2.Marshal(); !bytes.Equal(m, m2) {
			t.Fatalf("Marshal not stable\n% x\n% x", m, m2)
		}
	})
}

// FuzzRewrite: rewriting never panics, and keeps valid checksums valid.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		valid := VerifyChecksums(b) == nil
		_ = SetSrcAddr(b, addr("192.0.2.1"))
		_ = SetDstAddr(b, addr("198.51.100.7"))
		_ = SetSrcPort(b, 4242)
		_ = SetDstPort(b, 0)
		_, _ = DecrementTTL(b)
		if err := VerifyChecksums(b); valid && err != nil {
			t.Fatalf("checksums broken by rewriting: %v\n% x", err, b)
		}
	})
}
