package snapshot

import (
	"reflect"
	"testing"
	"unsafe"
)

// absorb must merge every kind the loader gathers: a field added to loader and forgotten in
// absorb would silently drop that kind from every snapshot read concurrently.
func TestAbsorbMergesEveryField(t *testing.T) {
	var part, whole loader
	pv := reflect.ValueOf(&part).Elem()
	for i := 0; i < pv.NumField(); i++ {
		f := pv.Field(i)
		f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem() // unexported: settable through its address
		if f.Kind() == reflect.Slice {
			f.Set(reflect.Append(f, reflect.New(f.Type().Elem()).Elem()))
		}
	}
	whole.absorb(&part)
	wv := reflect.ValueOf(&whole).Elem()
	for i := 0; i < wv.NumField(); i++ {
		if f := wv.Field(i); f.Kind() == reflect.Slice && f.Len() != 1 {
			t.Errorf("absorb does not merge loader.%s", wv.Type().Field(i).Name)
		}
	}
}
