package snapshot

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
)

// A describe-* answer is read as a stream, never whole: describe-instances of a large estate
// is hundreds of megabytes, and a file read whole costs its size in memory that must be
// zeroed, filled and touched page by page before the first element is decoded. The stream
// keeps a window of the file; the scan (scan.go) walks it by absolute file offsets and lends
// each batch of elements to the decoders as a slice of the window, which the stream then
// leaves to them, reading on into another buffer, so the memory a file takes is a few
// windows, whatever its size, and its bytes are not copied for the decoders.

// readSize is how much of a file one read asks for, and windowSize about how much of it
// the stream holds: a few batches. Tests shrink both to cross every boundary.
var (
	readSize   = 128 << 10
	windowSize = 4 * batchBytes
)

// stream is a file being read: buf holds its bytes from offset base on, as far as read.
type stream struct {
	r    io.Reader
	buf  []byte
	win  *window // what buf is lent from; nil over bytes the caller holds (memStream)
	base int
	eof  bool
	err  error // a read error other than io.EOF

	// Newlines are counted once, as the window moves: lines of them lie before the offset
	// at (base <= at), the last of them at lastNL (-1 when none); baseLines and baseLastNL
	// are the same counts at base, to count again from there for an earlier offset.
	at, lines, lastNL     int
	baseLines, baseLastNL int
}

func newStream(r io.Reader) *stream {
	w := newWindow()
	return &stream{r: r, buf: w.buf, win: w, lastNL: -1, baseLastNL: -1}
}

// window is a buffer of a stream that texts share: it goes back to the pool once neither the
// stream nor any text uses it.
type window struct {
	buf  []byte
	refs atomic.Int32
}

var windowPool sync.Pool

// newWindow is a window of windowSize+readSize bytes that the caller uses.
func newWindow() *window {
	w, _ := windowPool.Get().(*window)
	if w == nil || cap(w.buf) != windowSize+readSize { // none, or one of sizes a test set
		w = &window{buf: make([]byte, 0, windowSize+readSize)}
	}
	w.refs.Store(1)
	return w
}

func (w *window) release() {
	if w.refs.Add(-1) == 0 {
		w.buf = w.buf[:0]
		windowPool.Put(w)
	}
}

// close lets the stream's window go once its texts are done.
func (s *stream) close() {
	if s.win != nil {
		s.win.release()
		s.win = nil
	}
}

// end is the file offset just past the bytes read so far.
func (s *stream) end() int { return s.base + len(s.buf) }

// more reads more of the file, and reports whether it could. Bytes before keep are no longer
// needed: they are dropped when the window must make room.
func (s *stream) more(keep int) bool {
	if s.eof {
		return false
	}
	if cap(s.buf)-len(s.buf) < readSize && keep > s.base {
		s.countTo(keep)
		s.baseLines, s.baseLastNL = s.lines, s.lastNL
		tail := s.buf[keep-s.base:]
		if s.win != nil && s.win.refs.Load() > 1 { // texts still read this window: leave it to them
			w := newWindow()
			s.buf = append(w.buf, tail...)
			s.win.release()
			s.win = w
		} else {
			s.buf = s.buf[:copy(s.buf, tail)]
		}
		s.base = keep
	}
	if cap(s.buf)-len(s.buf) < readSize { // one value larger than the window
		grown := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(grown, s.buf)
		s.buf = grown
		if s.win != nil { // a window of its own, which the pool will not take back
			s.win.release()
			s.win = &window{buf: grown}
			s.win.refs.Store(1)
		}
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// byteAt is the byte at offset off, read if need be (keeping the bytes from keep on); ok is
// false past the end of the file.
func (s *stream) byteAt(off, keep int) (c byte, ok bool) {
	for off >= s.end() {
		if !s.more(keep) {
			return 0, false
		}
	}
	return s.buf[off-s.base], true
}

// bytes are the file's bytes [start, end), which must be in the window.
func (s *stream) bytes(start, end int) []byte { return s.buf[start-s.base : end-s.base] }

// countTo moves the newline count to off, which must be in the window.
func (s *stream) countTo(off int) {
	if off < s.at {
		s.at, s.lines, s.lastNL = s.base, s.baseLines, s.baseLastNL
	}
	seg := s.bytes(s.at, off)
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		s.lines += n
		s.lastNL = s.at + bytes.LastIndexByte(seg, '\n')
	}
	s.at = off
}

// lineCol is the 1-based line and byte column of offset off, which must be in the window.
func (s *stream) lineCol(off int) (line, col int) {
	s.countTo(off)
	return s.lines + 1, off - s.lastNL
}

// text lends the file's bytes [start, end), which must be in the window, with where they sit
// in the file; release gives them back. Nobody writes them: the stream reads on into another
// buffer while a text holds this one.
func (s *stream) text(start, end int) *text {
	s.countTo(start)
	b := s.bytes(start, end)
	if s.win != nil {
		s.win.refs.Add(1)
	}
	return &text{data: b[:len(b):len(b)], win: s.win, start: start, lines: s.lines, lastNL: s.lastNL}
}

// text is a piece of a file: its bytes, from file offset start on, and the newlines before
// them, so that an offset in it converts to a line and column.
type text struct {
	data   []byte
	win    *window // the window data is lent from, when it is
	start  int
	lines  int // newlines in the file before start
	lastNL int // file offset of the last of them, -1 when none
}

// lineCol is the 1-based line and byte column of file offset off, which lies in t.
func (t *text) lineCol(off int) (line, col int) {
	before := t.data[:min(max(off-t.start, 0), len(t.data))]
	line = t.lines + bytes.Count(before, []byte{'\n'}) + 1
	if k := bytes.LastIndexByte(before, '\n'); k >= 0 {
		return line, off - (t.start + k)
	}
	return line, off - t.lastNL
}

// release gives t's bytes back; t is not used after.
func (t *text) release() {
	if t.win != nil {
		t.win.release()
		t.win = nil
	}
	t.data = nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace is the offset of the first byte at or after i that is not white space.
func (s *stream) skipSpace(i, keep int) int {
	for {
		if i < s.end() {
			for _, c := range s.bytes(i, s.end()) {
				if !isSpace(c) {
					return i
				}
				i++
			}
		}
		if !s.more(keep) {
			return i
		}
	}
}

// valueEnd is the offset just past the JSON value that starts at i, found by balancing
// brackets outside strings; the end of the file when the value does not end. Everything
// from keep on stays in the window. The scan of the window is resumed where it stopped
// when more is read, so a value of any size is walked once.
func (s *stream) valueEnd(i, keep int) int {
	c, ok := s.byteAt(i, keep)
	if !ok {
		return i
	}
	j, depth, inString, done := i, 0, false, false
	for {
		data := s.buf
		k := j - s.base
		switch {
		case c == '"':
			if k == i-s.base {
				k++
			}
			k, done = stringTail(data, k)
		case c == '{' || c == '[':
			k, depth, inString, done = nestedTail(data, k, depth, inString)
		default: // a number, true, false or null
			for k < len(data) && !isDelimiter(data[k]) {
				k++
			}
			done = k < len(data)
		}
		j = s.base + k
		if done {
			return j
		}
		if !s.more(keep) {
			return min(j, s.end())
		}
	}
}

func isDelimiter(c byte) bool { return strings.IndexByte(",}] \t\r\n", c) >= 0 }

// Byte classes for the scan: inString marks what ends or escapes a string, structure what
// matters outside strings; every other byte is skipped by one table look-up.
var inString, structure [256]byte

const spaces = 0x2020202020202020

const (
	quote = 1 + iota
	open
	closing
	escape
)

func init() {
	inString['"'], inString['\\'] = quote, escape
	structure['"'], structure['{'], structure['['], structure['}'], structure[']'] = quote, open, open, closing, closing
}

// stringTail walks a string from data[k], just past its opening quote or further in it, to
// just past its closing quote (done) or the end of data (k may then be one past it, after a
// backslash).
func stringTail(data []byte, k int) (int, bool) {
	for k+8 <= len(data) && !quoteOrEscape(binary.LittleEndian.Uint64(data[k:])) {
		k += 8 // eight bytes at a time while they hold neither
	}
	for k < len(data) {
		switch inString[data[k]] {
		case 0:
			k++
		case escape:
			k += 2
		default:
			return k + 1, true
		}
	}
	return k, false
}

// quoteOrEscape reports whether any of the eight bytes of x is a quote or a backslash.
func quoteOrEscape(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	return hasZero(x^('"'*ones)) || hasZero(x^('\\'*ones))
}

// nestedTail walks an object or array from data[k], depth brackets deep and maybe in a
// string, to just past its closing bracket (done) or the end of data.
func nestedTail(data []byte, k, depth int, inStr bool) (int, int, bool, bool) {
	if inStr {
		var done bool
		if k, done = stringTail(data, k); !done {
			return k, depth, true, false
		}
	}
	for k < len(data) {
		for k+8 <= len(data) { // eight bytes at a time to the next quote or bracket
			m := structural(binary.LittleEndian.Uint64(data[k:]))
			if m != 0 {
				k += bits.TrailingZeros64(m) >> 3
				break
			}
			k += 8
		}
		if k >= len(data) {
			break
		}
		switch structure[data[k]] {
		case 0:
			k++
		case quote:
			var done bool
			if k, done = stringTail(data, k+1); !done {
				return k, depth, true, false
			}
		case open:
			depth++
			k++
		default:
			k++
			if depth--; depth == 0 {
				return k, 0, false, true
			}
		}
	}
	return k, depth, false, false
}

// structural has the high bit set of the lowest byte of x that is a quote or a bracket (and
// maybe of bytes above it): each test's lowest bit is exact, false positives only lie above.
func structural(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	y := x &^ (0x20 * ones) // '{' and '}' become '[' and ']'; nothing else does
	return zero(x^('"'*ones)) | zero(y^('['*ones)) | zero(y^(']'*ones))
}

// stringEnd is the offset just past the JSON string whose opening quote is at i.
func (s *stream) stringEnd(i, keep int) int { return s.valueEnd(i, keep) }
