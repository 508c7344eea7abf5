package snapshot

import (
	"errors"

	"github.com/go-json-experiment/json/jsontext"
)

// span is a value's byte range, in its file or in a text.
type span struct{ start, end int }

// topLevel is one key of a describe-* answer and what the scan saw of its value.
type topLevel struct {
	key string
	// kind is the first byte of the value; line and col where it starts; raw the value's
	// text when it is neither an object nor an array.
	kind      byte
	line, col int
	raw       string
	array     bool
	// decoded is set by the scan's plan when vpclab reads this key; its elements then went
	// to the plan's sink.
	decoded bool
}

// sink receives the elements of an array in order, in batches: first is the index of the
// batch's first element, elems their spans in t. The sink owns t and releases it.
type sink func(first int, t *text, elems []span)

// batchBytes is about how much JSON one batch of elements holds: enough work to make
// handing it to a decoder negligible, small enough to spread a large file over the cores.
const batchBytes = 256 << 10

// errSyntax says the scan met something that is not JSON; syntaxProblem then finds and
// reports the first error exactly.
var errSyntax = errors.New("invalid JSON")

// scanFile walks the top-level object that starts at offset i of s and returns its keys in
// file order. For each key it first calls plan, which may return a sink: the elements of an
// array value are then handed to it in batches as the scan finds them, so decoding starts
// long before the scan of a large file ends. It is a byte scan that skips strings and
// balances brackets, far cheaper than a tokenizer on files of hundreds of megabytes, and
// strict about everything it walks (the object's braces, colons and commas, each array's
// commas, nothing after the object); the elements themselves are checked as they are
// decoded, and the values of keys vpclab skips as the scan passes them (checkValue).
func scanFile(s *stream, i int, plan func(tl *topLevel) sink) ([]topLevel, error) {
	if c, ok := s.byteAt(i, i); !ok || c != '{' {
		return nil, errSyntax
	}
	var out []topLevel
	i = s.skipSpace(i+1, i+1)
	if c, ok := s.byteAt(i, i); ok && c == '}' {
		return out, trailing(s, i+1)
	}
	for {
		if c, ok := s.byteAt(i, i); !ok || c != '"' {
			return nil, errSyntax
		}
		end := s.stringEnd(i, i)
		raw := s.bytes(i, end)
		key, err := jsontext.AppendUnquote(nil, raw)
		if err != nil && !jsontext.Value(raw).IsValid(decodeOpts) {
			return nil, errSyntax // bad UTF-8 alone is allowed, and replaced
		}
		i = s.skipSpace(end, end)
		if c, ok := s.byteAt(i, i); !ok || c != ':' {
			return nil, errSyntax
		}
		i = s.skipSpace(i+1, i+1)
		c, ok := s.byteAt(i, i)
		if !ok {
			return nil, errSyntax
		}
		tl := topLevel{key: string(key), kind: c, array: c == '['}
		tl.line, tl.col = s.lineCol(i)
		to := plan(&tl)
		switch {
		case tl.array && to != nil:
			i, err = splitArray(s, i, to)
		default:
			i, err = checkValue(s, i, &tl)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tl)
		i = s.skipSpace(i, i)
		c, ok = s.byteAt(i, i)
		switch {
		case ok && c == ',':
			i = s.skipSpace(i+1, i+1)
		case ok && c == '}':
			return out, trailing(s, i+1)
		default:
			return nil, errSyntax
		}
	}
}

// splitArray hands the elements of the array that opens at offset i to the sink, in
// batches, and returns the offset just past the array.
func splitArray(s *stream, i int, to sink) (int, error) {
	var batch []span // file offsets
	first := 0
	flush := func() {
		if len(batch) > 0 {
			start := batch[0].start
			t := s.text(start, batch[len(batch)-1].end)
			for k := range batch {
				batch[k].start -= start
				batch[k].end -= start
			}
			to(first, t, batch)
			first += len(batch)
			batch = nil
		}
	}
	defer flush() // what was split before a syntax error is decoded too, and then ignored
	i = s.skipSpace(i+1, i+1)
	if c, ok := s.byteAt(i, i); ok && c == ']' {
		return i + 1, nil
	}
	for {
		keep := i
		if len(batch) > 0 {
			keep = batch[0].start
		}
		end := s.valueEnd(i, keep)
		if end == i {
			return 0, errSyntax
		}
		batch = append(batch, span{i, end})
		if end-batch[0].start >= batchBytes {
			flush()
			keep = end
		}
		i = s.skipSpace(end, keep)
		c, ok := s.byteAt(i, keep)
		switch {
		case ok && c == ',':
			i = s.skipSpace(i+1, keep)
		case ok && c == ']':
			return i + 1, nil
		default:
			return 0, errSyntax
		}
	}
}

// checkValue passes the value that starts at offset i, of a key vpclab does not decode (or
// of the file itself), and returns the offset just past it. A value that is not valid JSON
// is a syntax error: a file is either read whole or reported. An array is checked element
// by element, as it may be large; any other value is held whole. tl, when not nil, gets
// the value's text unless it is an object.
func checkValue(s *stream, i int, tl *topLevel) (int, error) {
	if c, _ := s.byteAt(i, i); c == '[' {
		bad := false
		end, err := splitArray(s, i, func(_ int, t *text, elems []span) {
			for _, el := range elems {
				bad = bad || !jsontext.Value(t.data[el.start:el.end]).IsValid(decodeOpts)
			}
			t.release()
		})
		if err == nil && bad {
			err = errSyntax
		}
		return end, err
	}
	end := s.valueEnd(i, i)
	v := s.bytes(i, end)
	if !jsontext.Value(v).IsValid(decodeOpts) {
		return 0, errSyntax
	}
	if tl != nil && v[0] != '{' {
		tl.raw = string(v)
	}
	return end, nil
}

// trailing checks that nothing but white space follows the top-level object.
func trailing(s *stream, i int) error {
	if i = s.skipSpace(i, i); i != s.end() || s.more(i) {
		return errSyntax
	}
	return nil
}
