package ec2api

import (
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// timeLayout is how EC2 writes timestamps in responses (ISO 8601, UTC, milliseconds).
const timeLayout = "2006-01-02T15:04:05.000Z"

// Encode writes out, a pointer to a generated output struct of operation op, as EC2's XML
// response: <opResponse xmlns=...><requestId>...</requestId>members</opResponse>. Members
// are named by their locationName; lists are <name><item>...</item></name>; nil members
// are omitted, and a non-nil empty list is written empty (as AWS writes an empty vpcSet).
func Encode(op, requestID string, out any) []byte {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<" + op + "Response xmlns=\"" + Namespace + "\">")
	b.WriteString("<requestId>")
	escape(&b, requestID)
	b.WriteString("</requestId>")
	if out != nil {
		v := reflect.ValueOf(out)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			structure(&b, v)
		}
	}
	b.WriteString("</" + op + "Response>")
	return []byte(b.String())
}

// EncodeError writes AWS's error envelope for e.
func EncodeError(requestID string, e *Error) []byte {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<Response><Errors><Error><Code>")
	escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	escape(&b, e.Message)
	b.WriteString("</Message></Error></Errors><RequestID>")
	escape(&b, requestID)
	b.WriteString("</RequestID></Response>")
	return []byte(b.String())
}

func structure(b *strings.Builder, v reflect.Value) {
	for _, f := range fields(v.Type()) {
		element(b, f.xml, f.item, v.Field(f.index))
	}
}

// element writes v as <name>...</name>, or nothing when v is unset.
func element(b *strings.Builder, name, item string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		v = v.Elem()
	case reflect.Slice:
		if v.IsNil() {
			return
		}
	}
	b.WriteString("<" + name + ">")
	content(b, item, v)
	b.WriteString("</" + name + ">")
}

func content(b *strings.Builder, item string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
			return
		}
		for i := range v.Len() {
			// Lists of lists are not in the ec2 model's current outputs; their inner item
			// name would need the inner list's tag, so they are written as item.
			element(b, item, "item", v.Index(i))
		}
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			b.WriteString(t.UTC().Format(timeLayout))
			return
		}
		structure(b, v)
	case reflect.String:
		escape(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	}
}

func escape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s)) // a strings.Builder does not fail
}
