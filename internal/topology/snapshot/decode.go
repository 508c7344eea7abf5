package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

// maxTypeErrors bounds how many type errors one top-level key reports, so a hostile or
// badly damaged file cannot make the loader quadratic.
const maxTypeErrors = 20

// jsonFile is one describe-* answer being decoded: its name for messages and its bytes,
// already known to be valid JSON.
type jsonFile struct {
	name string
	data []byte
}

// lineCol converts a byte offset into a 1-based line and a 1-based byte column.
func lineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// syntaxProblem reports malformed JSON as "file:LINE:COL: message". Src carries the line
// too, for sorting; the column only fits in the message.
func syntaxProblem(ps *model.Problems, name string, data []byte, err error) {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		ps.Errorf(model.Source{File: name}, "invalid JSON: %v", err)
		return
	}
	off := se.Offset - 1 // Offset counts the bytes read, the bad one included
	if se.Offset >= int64(len(data)) {
		off = int64(len(data)) // unexpected end of input: point at the end
	}
	line, col := lineCol(data, off)
	ps.Errorf(model.Source{File: name, Line: line}, "invalid JSON at %s:%d:%d: %s", name, line, col, se.Error())
}

// topLevel is one key of a describe-* answer with its raw value and that value's offset in
// the file.
type topLevel struct {
	key  string
	raw  []byte
	base int64
}

// topLevelKeys lists the keys of a JSON object in file order. The data must be valid JSON
// whose top-level value is an object (readFile checks both first), so a byte scan that skips
// strings and balances brackets finds each value's end: far cheaper than a json.Decoder on
// files of hundreds of megabytes. Each raw value is a slice of data, not a copy.
func topLevelKeys(data []byte) ([]topLevel, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, errors.New("the top-level value is not a JSON object")
	}
	var out []topLevel
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; i = skipSpace(data, i) {
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
		end := valueEnd(data, i)
		var key string
		if err := json.Unmarshal(data[i:end], &key); err != nil {
			return out, err
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return out, errors.New("missing colon after a key")
		}
		i = skipSpace(data, i+1)
		end = valueEnd(data, i)
		out = append(out, topLevel{key: key, raw: data[i:end], base: int64(i)})
		i = end
	}
	return out, nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// valueEnd is the offset just past the valid JSON value that starts at data[i].
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i // a number, true, false or null
	for j < len(data) && strings.IndexByte(",}] \t\r\n", data[j]) < 0 {
		j++
	}
	return j
}

// stringEnd is the offset just past the JSON string whose opening quote is data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// decodeArray decodes the value of one top-level key into a slice of T. Type errors do not
// stop it: each is reported with its full JSON path (for example
// "RouteTables[1].Routes[0].DestinationCidrBlock") and its line and column, the offending
// value is replaced by null, and decoding is retried, so every type error is collected.
func decodeArray[T any](ps *model.Problems, f jsonFile, tl topLevel) []T {
	buf := tl.raw      // never written: nullOut makes a new buffer
	var shifts []shift // replacements so far, to map offsets in buf back to the file
	for n := 0; ; n++ {
		var out []T
		err := json.Unmarshal(buf, &out)
		if err == nil {
			return out
		}
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			ps.Errorf(model.Source{File: f.name, Path: tl.key}, "cannot decode: %v", err)
			return out
		}
		if n == maxTypeErrors {
			ps.Errorf(model.Source{File: f.name, Path: tl.key}, "more than %d type errors; the rest are not reported", maxTypeErrors)
			return out
		}
		loc, ok := locate(buf, te.Offset)
		if !ok {
			path := tl.key
			if te.Field != "" {
				path += "." + te.Field
			}
			ps.Errorf(model.Source{File: f.name, Path: path}, "expected %s, got %s", kindName(te.Type), te.Value)
			return out
		}
		line, col := lineCol(f.data, tl.base+origOffset(shifts, loc.start))
		ps.Errorf(model.Source{File: f.name, Path: tl.key + loc.path},
			"expected %s, got %s (line %d, column %d)", kindName(te.Type), te.Value, line, col)
		var sh shift
		buf, sh = nullOut(buf, loc.start, loc.end)
		shifts = append(shifts, sh)
	}
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

// location is a value inside a JSON document: its path relative to the document root
// ("[1].Routes[0].GatewayId") and its byte span.
type location struct {
	path       string
	start, end int64
}

// pathElem is one step of a JSON path: an object key or an array index.
type pathElem struct {
	key     string
	index   int // -1 for objects
	wantKey bool
}

// locate finds the value a json.UnmarshalTypeError points at. encoding/json sets Offset just
// past a scalar, or just past the opening bracket of an object or array; either way a value
// token ends there. It walks the tokens, tracking the path, until one does.
func locate(data []byte, off int64) (location, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []pathElem
	// done marks the value at the top of the stack as read: the next token of an array is
	// the next element, the next token of an object is a key.
	done := func() {
		if top := len(stack) - 1; top >= 0 {
			if stack[top].index >= 0 {
				stack[top].index++
			} else {
				stack[top].wantKey = true
			}
		}
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return location{}, false
		}
		after := dec.InputOffset()
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if top < 0 {
				return location{}, false
			}
			stack = stack[:top]
			done()
			continue
		}
		if top >= 0 && stack[top].wantKey {
			stack[top].key, _ = tok.(string)
			stack[top].wantKey = false
			continue
		}
		// tok is a value (a scalar or an opening bracket) at the current path.
		start := before + int64(skipSeparators(data[before:]))
		if after == off || start == off {
			end := after
			if _, ok := tok.(json.Delim); ok {
				n, ok := valueLen(data[start:])
				if !ok {
					return location{}, false
				}
				end = start + n
			}
			return location{path: formatPath(stack), start: start, end: end}, true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, pathElem{index: -1, wantKey: true})
		case json.Delim('['):
			stack = append(stack, pathElem{index: 0})
		default:
			done()
		}
	}
}

// skipSeparators counts the whitespace, commas and colons before a value.
func skipSeparators(b []byte) int {
	i := 0
	for i < len(b) && strings.IndexByte(" \t\r\n,:", b[i]) >= 0 {
		i++
	}
	return i
}

// valueLen is the length of the JSON value at the start of b.
func valueLen(b []byte) (int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return 0, false
	}
	return dec.InputOffset(), true
}

// formatPath renders a path stack. Array indices count elements already passed, so the
// element being read is the current index; an object's current key is its last key read.
func formatPath(stack []pathElem) string {
	var sb strings.Builder
	for _, e := range stack {
		if e.index >= 0 {
			sb.WriteString("[" + strconv.Itoa(e.index) + "]")
		} else {
			sb.WriteString("." + e.key)
		}
	}
	return sb.String()
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
