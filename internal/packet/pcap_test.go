package packet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestPcapWriterBytes(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 101, 0, 0, 0}
	if !bytes.Equal(buf.Bytes(), wantHeader) {
		t.Fatalf("file header % x", buf.Bytes())
	}
	data := probe.Marshal()
	if err := w.WritePacket(seedTime, data); err != nil {
		t.Fatal(err)
	}
	rec := buf.Bytes()[24:]
	le := binary.LittleEndian
	if le.Uint32(rec) != uint32(seedTime.Unix()) || le.Uint32(rec[4:]) != 881952 ||
		le.Uint32(rec[8:]) != uint32(len(data)) || le.Uint32(rec[12:]) != uint32(len(data)) || !bytes.Equal(rec[16:], data) {
		t.Errorf("record % x", rec)
	}

	// Longer than the snapshot length: truncated, with the original length kept.
	buf.Truncate(24)
	big := make([]byte, PcapSnapLen+10)
	if err := w.WritePacket(seedTime, big); err != nil {
		t.Fatal(err)
	}
	rec = buf.Bytes()[24:]
	if le.Uint32(rec[8:]) != PcapSnapLen || le.Uint32(rec[12:]) != PcapSnapLen+10 || len(rec) != 16+PcapSnapLen {
		t.Errorf("truncated record: incl %d orig %d, %d bytes", le.Uint32(rec[8:]), le.Uint32(rec[12:]), len(rec))
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(b), nil
}

func TestPcapWriterErrors(t *testing.T) {
	if _, err := NewPcapWriter(&failWriter{}, LinkTypeRaw); err == nil {
		t.Error("NewPcapWriter ignored a write error")
	}
	w, err := NewPcapWriter(&failWriter{n: 1}, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(time.Now(), []byte{1}); err == nil {
		t.Error("WritePacket ignored a write error")
	}
}
