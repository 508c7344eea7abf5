package collect

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The SDK's output structs are written as the AWS CLI prints the same answers: the model's
// member names as keys, members the answer did not carry omitted, enums as their strings,
// timestamps as the CLI's ISO 8601 ("2024-05-01T12:00:00+00:00"), four spaces of indent.
// encoding/json cannot do this: it would write nulls for absent members, and the SDK's
// pointers, enums and unexported serde markers are not what the CLI shows.
//
// The SDK names each Go field after its member, so the field name is the key. Direct
// Connect's members are lowerCamelCase (directConnectGatewayId): its answers are written with
// the first letter lowered, as the CLI prints them.

// field is one top-level member of an answer file: its key and its value (a slice of SDK
// structs, a bool, ...).
type field struct {
	key   string
	value any
}

// encoder writes one answer file.
type encoder struct {
	buf        bytes.Buffer
	lowerFirst bool // Direct Connect's lowerCamelCase members
}

var timeType = reflect.TypeFor[time.Time]()

// encodeAnswer returns the JSON of an answer: an object of fields, in order, then a newline.
func encodeAnswer(fields []field, lowerFirst bool) ([]byte, error) {
	e := &encoder{lowerFirst: lowerFirst}
	e.buf.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			e.buf.WriteString(",")
		}
		e.newline(1)
		e.str(f.key)
		e.buf.WriteString(": ")
		v := reflect.ValueOf(f.value)
		if !v.IsValid() || v.Kind() == reflect.Slice && v.IsNil() {
			// An empty answer is still an answer: the loader tells "none" from "not asked".
			e.buf.WriteString("[]")
			continue
		}
		if err := e.value(v, 1); err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
	}
	if len(fields) > 0 {
		e.newline(0)
	}
	e.buf.WriteString("}\n")
	return e.buf.Bytes(), nil
}

func (e *encoder) newline(depth int) {
	e.buf.WriteByte('\n')
	for range depth {
		e.buf.WriteString("    ")
	}
}

// str writes a JSON string as Python's json.dumps(ensure_ascii=False) does: no HTML escaping.
func (e *encoder) str(s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	e.buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// present says whether v is a member the answer carried: not a nil pointer, slice, map or
// interface, and not the zero value of a plain string, number or bool (the SDK leaves an
// absent enum "" and an absent defaulted scalar zero, and serialises neither).
func (e *encoder) present(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	if v.Type() == timeType {
		return !v.Interface().(time.Time).IsZero()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return !v.IsNil()
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return !v.IsZero()
	}
	return true
}

// value writes v, which present has accepted, at depth.
func (e *encoder) value(v reflect.Value, depth int) error {
	if v.Type() == timeType {
		e.str(cliTime(v.Interface().(time.Time)))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return e.value(v.Elem(), depth)
	case reflect.String:
		e.str(v.String())
	case reflect.Bool:
		e.buf.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		e.buf.WriteString(pyFloat(v.Float()))
	case reflect.Struct:
		return e.object(v, depth)
	case reflect.Slice, reflect.Array:
		return e.list(v, depth)
	case reflect.Map:
		return e.dict(v, depth)
	default:
		return fmt.Errorf("cannot write a value of type %s", v.Type())
	}
	return nil
}

// object writes an SDK struct: its exported fields that are present, in the SDK's order.
func (e *encoder) object(v reflect.Value, depth int) error {
	t := v.Type()
	n := 0
	for i := range t.NumField() {
		sf := t.Field(i)
		fv := v.Field(i)
		if !sf.IsExported() || !e.present(fv) {
			continue
		}
		if n == 0 {
			e.buf.WriteString("{")
		} else {
			e.buf.WriteString(",")
		}
		n++
		e.newline(depth + 1)
		e.str(e.name(sf.Name))
		e.buf.WriteString(": ")
		if err := e.value(fv, depth+1); err != nil {
			return fmt.Errorf("%s: %w", sf.Name, err)
		}
	}
	if n == 0 {
		e.buf.WriteString("{}")
		return nil
	}
	e.newline(depth)
	e.buf.WriteString("}")
	return nil
}

func (e *encoder) name(goName string) string {
	if !e.lowerFirst {
		return goName
	}
	r, size := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[size:]
}

// list writes a slice. Tags come in no fixed order from AWS: they are sorted by key, so two
// snapshots of the same account diff cleanly.
func (e *encoder) list(v reflect.Value, depth int) error {
	if v.Len() == 0 {
		e.buf.WriteString("[]")
		return nil
	}
	order := make([]int, v.Len())
	for i := range order {
		order[i] = i
	}
	if key := tagKeyField(v.Type().Elem()); key >= 0 {
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(stringOf(v.Index(a).Field(key)), stringOf(v.Index(b).Field(key)))
		})
	}
	e.buf.WriteString("[")
	for n, i := range order {
		if n > 0 {
			e.buf.WriteString(",")
		}
		e.newline(depth + 1)
		el := v.Index(i)
		if !e.present(el) && el.Kind() == reflect.Pointer {
			e.buf.WriteString("null")
			continue
		}
		if err := e.value(el, depth+1); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	e.newline(depth)
	e.buf.WriteString("]")
	return nil
}

// dict writes a map, its keys sorted.
func (e *encoder) dict(v reflect.Value, depth int) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("cannot write a map keyed by %s", v.Type().Key())
	}
	keys := v.MapKeys()
	if len(keys) == 0 {
		e.buf.WriteString("{}")
		return nil
	}
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.buf.WriteString("{")
	for n, k := range keys {
		if n > 0 {
			e.buf.WriteString(",")
		}
		e.newline(depth + 1)
		e.str(k.String())
		e.buf.WriteString(": ")
		mv := v.MapIndex(k)
		if !e.present(mv) {
			e.buf.WriteString("null")
			continue
		}
		if err := e.value(mv, depth+1); err != nil {
			return fmt.Errorf("[%q]: %w", k.String(), err)
		}
	}
	e.newline(depth)
	e.buf.WriteString("}")
	return nil
}

// tagKeyField is the index of the Key field when t is a tag (a struct whose exported fields
// are Key and Value), else -1.
func tagKeyField(t reflect.Type) int {
	if t.Kind() != reflect.Struct || t.Name() != "Tag" {
		return -1
	}
	key := -1
	for i := range t.NumField() {
		switch sf := t.Field(i); {
		case !sf.IsExported():
		case sf.Name == "Key":
			key = i
		case sf.Name != "Value":
			return -1
		}
	}
	return key
}

// stringOf is the text of a string or *string value, "" when nil.
func stringOf(v reflect.Value) string {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}

// cliTime is a timestamp as the AWS CLI v2 prints it: Python's isoformat of the UTC time,
// with microseconds only when there are any.
func cliTime(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "+00:00"
}

// pyFloat writes a float as Python does: 1.0, 0.5, 1e+20.
func pyFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "null"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
