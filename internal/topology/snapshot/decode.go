package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/vpclab/vpclab/internal/model"
)

// JSON is decoded with github.com/go-json-experiment/json, the reference implementation of
// encoding/json/v2: it decodes in a single pass, about three times as fast as encoding/json
// on describe-instances answers, and its errors carry the JSON pointer and byte offset of
// the offending value. The options keep encoding/json's leniency.
var decodeOpts = json.JoinOptions(
	json.MatchCaseInsensitiveNames(true),     // "vpcid" still fills VpcId,
	jsonv1.MatchCaseSensitiveDelimiter(true), // but "Vpc_Id" does not
	jsontext.AllowDuplicateNames(true),       // the last of a repeated name wins
	jsontext.AllowInvalidUTF8(true),          // bad UTF-8 becomes U+FFFD rather than an error
)

// maxTypeErrors bounds how many type errors one top-level key reports, so a hostile or
// badly damaged file cannot make the loader quadratic.
const maxTypeErrors = 20

// jsonFile is one describe-* answer being decoded: its path, its name for messages.
type jsonFile struct {
	path, name string
	data       []byte // the file's content when it is held in memory (LoadJSON), else nil
	// bad is set when decoding meets a syntax error: the file is then reported, not read.
	bad atomic.Bool
}

// memStream is a stream over bytes already in memory.
func memStream(data []byte) *stream {
	return &stream{buf: data, eof: true, lastNL: -1, baseLastNL: -1}
}

// lineCol converts a byte offset into a 1-based line and a 1-based byte column.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// syntaxProblem reports the first syntax error of a file as "file:LINE:COL: message". Src
// carries the line too, for sorting; the column only fits in the message. It reads the whole
// file again, which only files already known to be malformed pay for.
func syntaxProblem(ps *model.Problems, name string, data []byte) {
	var v jsontext.Value
	err := json.Unmarshal(data, &v, decodeOpts)
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		ps.Errorf(model.Source{File: name}, "invalid JSON") // the scan and the decoder disagree
		return
	}
	msg := "unexpected end of JSON input"
	if !errors.Is(se.Err, io.ErrUnexpectedEOF) {
		msg = se.Err.Error()
	}
	line, col := lineCol(data, se.ByteOffset)
	ps.Errorf(model.Source{File: name, Line: line}, "invalid JSON at %s:%d:%d: %s", name, line, col, msg)
}

// decodeElem decodes one element of a top-level array into out. Type errors do not stop it:
// each is reported with its full JSON path (for example
// "RouteTables[1].Routes[0].DestinationCidrBlock") and its line and column, the offending
// value is replaced by null, and decoding is retried, so every type error is collected; at
// most maxTypeErrors+1 are, which tells the caller there were more than it reports. A syntax
// error marks the file bad. The decoder does not look inside an object or array it rejects
// for its type, and stops at the last retry, so the first type error has the whole element
// checked for syntax once.
func decodeElem[T any](f *jsonFile, key string, index int, t *text, el span, out *T) (probs model.Problems) {
	buf := t.data[el.start:el.end] // never written: nullOut makes a new buffer
	var zero T
	*out = zero
	if fastDecode(buf, out) {
		return nil
	}
	var shifts []shift // replacements so far, to map offsets in buf back to the file
	for range maxTypeErrors + 1 {
		var zero T
		*out = zero
		err := json.Unmarshal(buf, out, decodeOpts)
		var se *json.SemanticError
		var syn *jsontext.SyntacticError
		switch {
		case err == nil:
			return probs
		case errors.As(err, &syn) || !errors.As(err, &se):
			f.bad.Store(true)
			return nil
		}
		if len(shifts) == 0 && !jsontext.Value(buf).IsValid(decodeOpts) {
			f.bad.Store(true)
			return nil
		}
		path := key + "[" + strconv.Itoa(index) + "]" + pointerPath(se.JSONPointer)
		m := memStream(buf)
		start := 0
		if se.ByteOffset >= 0 {
			start = m.skipSpace(int(se.ByteOffset), 0)
		}
		if se.ByteOffset < 0 || start >= len(buf) {
			probs.Errorf(model.Source{File: f.name, Path: path}, "expected %s: %v", kindName(se.GoType), err)
			return probs
		}
		end := m.valueEnd(start, 0)
		line, col := t.lineCol(t.start + el.start + int(origOffset(shifts, int64(start))))
		msg := fmt.Sprintf("expected %s, got %s", kindName(se.GoType), valueKind(buf[start]))
		switch {
		case errors.Is(se.Err, strconv.ErrRange):
			msg += " " + string(buf[start:end]) + " (out of range)"
		case se.Err != nil && valueKind(buf[start]) == "number":
			msg += " " + string(buf[start:end])
		case se.Err != nil:
			msg += " (" + se.Err.Error() + ")"
		}
		probs.Errorf(model.Source{File: f.name, Path: path}, "%s (line %d, column %d)", msg, line, col)
		var sh shift
		buf, sh = nullOut(buf, int64(start), int64(end))
		shifts = append(shifts, sh)
	}
	return probs
}

// pointerPath renders a JSON pointer relative to an element (/Routes/0/GatewayId) the way
// problems name paths (.Routes[0].GatewayId). Every object vpclab decodes is a struct, so a
// token of digits is always an array index.
func pointerPath(p jsontext.Pointer) string {
	var sb strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			sb.WriteString("[" + tok + "]")
		} else {
			sb.WriteString("." + tok)
		}
	}
	return sb.String()
}

// shift records that bytes at [at, at+old) of the original were replaced by new bytes.
type shift struct{ at, old, new int64 }

// origOffset maps an offset in the patched buffer back to the unpatched one.
func origOffset(shifts []shift, off int64) int64 {
	for i := len(shifts) - 1; i >= 0; i-- {
		s := shifts[i]
		if off >= s.at+s.new {
			off += s.old - s.new
		} else if off > s.at {
			off = s.at
		}
	}
	return off
}

// nullOut replaces buf[start:end] by null. Offsets are mapped back through the returned
// shift, so line numbers stay exact whatever the replaced value spanned.
func nullOut(buf []byte, start, end int64) ([]byte, shift) {
	out := make([]byte, 0, int64(len(buf))-(end-start)+4)
	out = append(out, buf[:start]...)
	out = append(out, "null"...)
	out = append(out, buf[end:]...)
	return out, shift{at: start, old: end - start, new: 4}
}

// valueKind names the kind of the JSON value that starts with c.
func valueKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// kindName names a Go type the way a JSON reader thinks of it.
func kindName(t reflect.Type) string {
	if t == nil {
		return "a different value"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return fmt.Sprint(t)
}

// open opens the file, or reads it from memory.
func (f *jsonFile) open() (io.ReadCloser, error) {
	if f.data != nil {
		return io.NopCloser(bytes.NewReader(f.data)), nil
	}
	return os.Open(f.path)
}

// readAll reads the whole file.
func (f *jsonFile) readAll() ([]byte, error) {
	if f.data != nil {
		return slices.Clone(f.data), nil // callers may blank a BOM in place
	}
	return os.ReadFile(f.path)
}
