package ec2api

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Namespace is the XML namespace of every EC2 response of API version 2016-11-15.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// Error is an EC2 API error: Code is AWS's error code (MissingParameter,
// InvalidParameterValue, ...), Message its human text. The HTTP status is the server's.
type Error struct {
	Code, Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// field is one member as its generated `ec2` tag describes it.
type field struct {
	index      int
	query, xml string
	item       string
	required   bool
}

// fieldCache holds each struct type's parsed tags (reflect.Type → []field): a request walks
// the same few types every time.
var fieldCache sync.Map

// fields returns the `ec2` tags of struct type t, parsed once per type.
func fields(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		tag, ok := t.Field(i).Tag.Lookup("ec2")
		if !ok {
			continue
		}
		f := field{index: i}
		for part := range strings.SplitSeq(tag, ",") {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "q":
				f.query = v
			case "x":
				f.xml = v
			case "i":
				f.item = v
			case "req":
				f.required = true
			}
		}
		fs = append(fs, f)
	}
	fieldCache.Store(t, fs)
	return fs
}

// Decode fills in, a pointer to a generated input struct, from the parameters of an EC2
// Query request. Action, Version and the authentication parameters are the caller's; any
// other parameter the input does not name is an UnknownParameter error, a missing required
// member a MissingParameter error and a value that does not parse as its member's type an
// InvalidParameterValue error, with AWS's wording.
func Decode(values url.Values, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("ec2api.Decode: %T is not a pointer to a struct", in)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !commonParameter(k) && !known(v.Elem().Type(), strings.Split(k, ".")) {
			name, _, _ := strings.Cut(k, ".")
			if hasField(v.Elem().Type(), name) {
				name = k // the member exists; what follows it does not
			}
			return &Error{"UnknownParameter", "The parameter " + name + " is not recognized"}
		}
	}
	d := decoder{values: values, keys: keys}
	return d.structure(v.Elem(), "")
}

// commonParameter reports whether k is one of the parameters every EC2 Query request may
// carry (the action, the version, and Signature Version 2 or 4 query authentication), which
// no input shape names.
func commonParameter(k string) bool {
	switch k {
	case "Action", "Version", "AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
		"Timestamp", "Expires", "SecurityToken":
		return true
	}
	return strings.HasPrefix(k, "X-Amz-")
}

// known reports whether the parameter whose name is split into path names a member of
// struct type t: EC2 answers any other parameter with UnknownParameter, naming its first
// part ("The parameter Item is not recognized" for Item.1), so a client's typo is not
// silently dropped.
func known(t reflect.Type, path []string) bool {
	for _, f := range fields(t) {
		if f.query == path[0] {
			return knownValue(t.Field(f.index).Type, path[1:])
		}
	}
	return false
}

// hasField reports whether struct type t has a member whose parameter name is name.
func hasField(t reflect.Type, name string) bool {
	return slices.ContainsFunc(fields(t), func(f field) bool { return f.query == name })
}

func knownValue(t reflect.Type, rest []string) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[[]byte]() || t == reflect.TypeFor[time.Time]():
		return len(rest) == 0
	case t.Kind() == reflect.Slice:
		if len(rest) == 0 {
			return false
		}
		if i, err := strconv.Atoi(rest[0]); err != nil || i < 1 {
			return false
		}
		return knownValue(t.Elem(), rest[1:])
	case t.Kind() == reflect.Struct:
		return len(rest) > 0 && known(t, rest)
	}
	return len(rest) == 0
}

type decoder struct {
	values url.Values
	keys   []string // sorted, so the keys under a prefix are found by binary search
}

// under returns the keys that start with prefix.
func (d *decoder) under(prefix string) []string {
	i, _ := slices.BinarySearch(d.keys, prefix)
	j := i
	for j < len(d.keys) && strings.HasPrefix(d.keys[j], prefix) {
		j++
	}
	return d.keys[i:j]
}

func (d *decoder) structure(v reflect.Value, prefix string) error {
	for _, f := range fields(v.Type()) {
		name := prefix + f.query
		fv := v.Field(f.index)
		present, err := d.value(fv, name)
		if err != nil {
			return err
		}
		if f.required && !present {
			return &Error{"MissingParameter", "The request must contain the parameter " + name}
		}
	}
	return nil
}

// value decodes the parameter(s) called name into v and reports whether any was present.
func (d *decoder) value(v reflect.Value, name string) (bool, error) {
	t := v.Type()
	switch {
	case t == reflect.TypeFor[[]byte]():
		s, ok := d.values[name]
		if !ok {
			return false, nil
		}
		b, err := base64.StdEncoding.DecodeString(s[0])
		if err != nil {
			return true, invalid(name, s[0], "Expected base64-encoded data.")
		}
		v.SetBytes(b)
		return true, nil
	case t.Kind() == reflect.Slice:
		return d.list(v, name)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && t.Elem() != reflect.TypeFor[time.Time]():
		if len(d.under(name+".")) == 0 {
			return false, nil
		}
		s := reflect.New(t.Elem())
		if err := d.structure(s.Elem(), name+"."); err != nil {
			return true, err
		}
		v.Set(s)
		return true, nil
	case t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]():
		if len(d.under(name+".")) == 0 {
			return false, nil
		}
		return true, d.structure(v, name+".")
	}
	s, ok := d.values[name]
	if !ok {
		return false, nil
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := scalar(p.Elem(), name, s[0]); err != nil {
			return true, err
		}
		v.Set(p)
		return true, nil
	}
	return true, scalar(v, name, s[0])
}

// list decodes name.1, name.2, ... in index order; the indices need not be contiguous.
func (d *decoder) list(v reflect.Value, name string) (bool, error) {
	var idx []int
	for _, k := range d.under(name + ".") {
		rest := k[len(name)+1:]
		n, _, _ := strings.Cut(rest, ".")
		i, _ := strconv.Atoi(n) // Decode's known has rejected any index that is not 1 or more
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return false, nil
	}
	slices.Sort(idx)
	s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
	for j, i := range idx {
		if _, err := d.value(s.Index(j), name+"."+strconv.Itoa(i)); err != nil {
			return true, err
		}
	}
	v.Set(s)
	return true, nil
}

// scalar parses text into v, a string, bool, integer, float or time.Time.
func scalar(v reflect.Value, name, text string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		switch text {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return invalid(name, text, "Expected true or false.")
		}
	case reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, v.Type().Bits())
		if err != nil {
			return invalid(name, text, "Expected an integer.")
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return invalid(name, text, "Expected a number.")
		}
		v.SetFloat(f)
	case reflect.Struct: // time.Time, the only struct scalar
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return invalid(name, text, "Expected an ISO 8601 timestamp.")
		}
		v.Set(reflect.ValueOf(t))
	default:
		return fmt.Errorf("ec2api: %s: unsupported kind %s", name, v.Kind())
	}
	return nil
}

// invalid is an InvalidParameterValue error worded as EC2 words one, spaces inside the
// parentheses included: "Value ( 1 ) for parameter maxResults is invalid. Expecting a value
// greater than 5." (quoted in github.com/aws/aws-sdk-ruby pull request 2575). EC2 names the
// parameter in lower camel case there; this names it as the request spelled it, which
// points the caller at what to fix.
func invalid(name, value, why string) *Error {
	return &Error{"InvalidParameterValue", fmt.Sprintf("Value ( %s ) for parameter %s is invalid. %s", value, name, why)}
}
