package snapshot

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sync"
	"unicode/utf8"
)

// lexer walks one element of a describe-* answer for the hand-written decoders (fast.go).
// It accepts exactly what decodeOpts accepts, or less: whatever it is not sure of (an escape
// in a string it keeps, a name that is not plain ASCII, a value of another type than the
// field's, a repeated name, deep nesting, a syntax error) makes it give up with failure,
// and the element is decoded again by the reflective decoder, which then decides, and
// reports, exactly as before. So the lexer never has to produce an error message.
type lexer struct {
	b []byte
	i int
	// strs are strings already made, by hash of their bytes: an estate repeats its VPC,
	// subnet and group IDs, interface types, states and timestamps on every instance and
	// interface, and a string found here costs no allocation. Lexers are pooled, so the
	// strings of one element serve the next ones decoded on the same core.
	strs [1 << internBits]string
}

const internBits = 10

// lexers are the lexers not in use.
var lexers = sync.Pool{New: func() any { return new(lexer) }}

// maxInterned is the length of the longest string interned: longer ones are seldom repeated.
const maxInterned = 40

// intern returns b as a string, made once for the bytes met often.
func (p *lexer) intern(b []byte) string {
	if len(b) == 0 || len(b) > maxInterned {
		return string(b)
	}
	var h uint64
	if len(b) >= 8 { // the first and last eight bytes: IDs differ at their ends
		h = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[len(b)-8:]), 31)
	} else {
		for _, c := range b {
			h = h<<8 | uint64(c)
		}
	}
	h = (h ^ uint64(len(b))) * 0x9E3779B97F4A7C15
	slot := &p.strs[h>>(64-internBits)]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// giveUp is what the lexer panics with to give up; fastDecode recovers it.
type giveUp struct{}

func (p *lexer) fail() { panic(giveUp{}) }

// ws skips white space, eight spaces at a time through indentation.
func (p *lexer) ws() {
	b, i := p.b, p.i
	if i < len(b) && b[i] > ' ' {
		return // most often: nothing to skip
	}
	for i < len(b) {
		if i+8 <= len(b) {
			if y := binary.LittleEndian.Uint64(b[i:]) ^ spaces; y != 0 {
				i += bits.TrailingZeros64(y) >> 3 // to the first byte that is not a space
			} else {
				i += 8
				continue
			}
		}
		if !isSpace(b[i]) {
			break
		}
		i++
	}
	p.i = i
}

// peek skips white space and returns the next byte, which must exist.
func (p *lexer) peek() byte {
	p.ws()
	if p.i >= len(p.b) {
		p.fail()
	}
	return p.b[p.i]
}

// end checks that nothing but white space is left.
func (p *lexer) end() {
	if p.ws(); p.i != len(p.b) {
		p.fail()
	}
}

// null consumes a null if one comes next.
func (p *lexer) null() bool {
	if p.peek() != 'n' {
		return false
	}
	p.lit("null")
	return true
}

func (p *lexer) lit(s string) {
	if !bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		p.fail()
	}
	p.i += len(s)
}

// open consumes c, which must come next, or reports a null instead (false).
func (p *lexer) open(c byte) bool {
	if p.null() {
		return false
	}
	if p.b[p.i] != c {
		p.fail()
	}
	p.i++
	return true
}

// name moves to the next member of an object whose brace was consumed (first: no member
// read yet) and returns its name, just past the colon, or false at the closing brace. The
// name must be plain ASCII without escapes: members are matched by name, and only there do
// the matching rules need no more than an ASCII case fold.
func (p *lexer) name(first bool) ([]byte, bool) {
	if !p.next(first, '}') {
		return nil, false
	}
	if p.peek() != '"' {
		p.fail()
	}
	name := p.plainString()
	for _, c := range name {
		if c >= utf8.RuneSelf {
			p.fail()
		}
	}
	if p.peek() != ':' {
		p.fail()
	}
	p.i++
	return name, true
}

// elem moves to the next element of an array whose bracket was consumed, or returns false
// at the closing bracket.
func (p *lexer) elem(first bool) bool { return p.next(first, ']') }

func (p *lexer) next(first bool, closing byte) bool {
	c := p.peek()
	switch {
	case c == closing:
		p.i++
		return false
	case first:
		return true
	case c != ',':
		p.fail()
	}
	p.i++
	return true
}

// plainString consumes a string without escapes or control characters, whose opening quote
// comes next, and returns its bytes.
func (p *lexer) plainString() []byte {
	b := p.b
	start := p.i + 1
	j := start
	for j+8 <= len(b) && !stringStop(binary.LittleEndian.Uint64(b[j:])) {
		j += 8
	}
	for ; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			p.i = j + 1
			return b[start:j]
		case c == '\\' || c < 0x20:
			p.fail()
		}
	}
	p.fail()
	return nil
}

// stringStop reports whether any of the eight bytes of x is a quote, a backslash or a control
// character.
func stringStop(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	return hasZero(x^('"'*ones)) || hasZero(x^('\\'*ones)) || (x-0x20*ones)&^x&highs != 0
}

// str reads a string, or null as "". Its bytes must be valid UTF-8: the reflective decoder
// replaces invalid bytes, which the lexer leaves to it.
func (p *lexer) str() string {
	if p.null() {
		return ""
	}
	if p.b[p.i] != '"' {
		p.fail()
	}
	s := p.plainString()
	for _, c := range s {
		if c >= utf8.RuneSelf {
			if !utf8.Valid(s) {
				p.fail()
			}
			break
		}
	}
	return p.intern(s)
}

// boolean reads true or false; null is false.
func (p *lexer) boolean() bool {
	switch p.peek() {
	case 't':
		p.lit("true")
		return true
	case 'f':
		p.lit("false")
	default:
		p.lit("null")
	}
	return false
}

// optBool reads a boolean into a new pointer; null is nil.
func (p *lexer) optBool() *bool {
	if p.null() {
		return nil
	}
	b := p.boolean()
	return &b
}

// optInt reads an integer of at most 9 digits, which fits an int everywhere, into a new
// pointer; null is nil. Any other number is left to the reflective decoder.
func (p *lexer) optInt() *int {
	if p.null() {
		return nil
	}
	b, i := p.b, p.i
	neg := b[i] == '-'
	if neg {
		i++
	}
	start := i
	n := 0
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 9 || (b[start] == '0' && (digits > 1 || neg)) ||
		(i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
		p.fail()
	}
	if neg {
		n = -n
	}
	p.i = i
	return &n
}

// maxSkipDepth bounds how deep skip goes; deeper values are left to the reflective decoder.
const maxSkipDepth = 64

// skip consumes a value of any kind, checking its syntax.
func (p *lexer) skip(depth int) {
	if depth > maxSkipDepth {
		p.fail()
	}
	switch c := p.peek(); {
	case c == '"':
		p.skipString()
	case c == '{':
		p.i++
		for first := true; p.next(first, '}'); first = false {
			if p.peek() != '"' {
				p.fail()
			}
			p.skipString()
			if p.peek() != ':' {
				p.fail()
			}
			p.i++
			p.skip(depth + 1)
		}
	case c == '[':
		p.i++
		for first := true; p.elem(first); first = false {
			p.skip(depth + 1)
		}
	case c == 't':
		p.lit("true")
	case c == 'f':
		p.lit("false")
	case c == 'n':
		p.lit("null")
	case c == '-' || '0' <= c && c <= '9':
		p.number()
	default:
		p.fail()
	}
}

// skipString consumes a string whose opening quote comes next. Invalid UTF-8 is allowed, as
// decodeOpts allows it; an escape must be one JSON knows, and \u escapes of surrogates are
// left to the reflective decoder.
func (p *lexer) skipString() {
	b := p.b
	j := p.i + 1
	for {
		for j+8 <= len(b) && !stringStop(binary.LittleEndian.Uint64(b[j:])) {
			j += 8
		}
		if j >= len(b) {
			p.fail()
		}
		switch c := b[j]; {
		case c == '"':
			p.i = j + 1
			return
		case c == '\\':
			if j+1 >= len(b) {
				p.fail()
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) {
					p.fail()
				}
				r := 0
				for _, h := range b[j+2 : j+6] {
					r = r<<4 | hexValue(h, p)
				}
				if 0xD800 <= r && r <= 0xDFFF {
					p.fail()
				}
				j += 6
			default:
				p.fail()
			}
		case c < 0x20:
			p.fail()
		default:
			j++
		}
	}
}

func hexValue(h byte, p *lexer) int {
	switch {
	case '0' <= h && h <= '9':
		return int(h - '0')
	case 'a' <= h && h <= 'f':
		return int(h-'a') + 10
	case 'A' <= h && h <= 'F':
		return int(h-'A') + 10
	}
	p.fail()
	return 0
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *lexer) number() {
	b, i := p.b, p.i
	digits := func() int {
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - s
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		p.fail()
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			p.fail()
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.fail()
		}
	}
	p.i = i
}
