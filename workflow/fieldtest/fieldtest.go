// Package fieldtest helps tests prove that an encoder or converter covers
// every exported field of a type: Fill sets every field to a distinct
// non-zero value, and Zero clears one leaf of it, so a test can check that
// each leaf reaches the encoded form (a field added to a domain type then
// fails the test until its converters handle it).
package fieldtest

import (
	"fmt"
	"reflect"
	"time"
)

var timeType = reflect.TypeOf(time.Time{})

// Fill sets every exported field reachable from ptr to a distinct non-zero
// value; lists get two elements and maps one entry.
func Fill(ptr any) {
	n := 0
	fill(reflect.ValueOf(ptr).Elem(), &n)
}

func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		v.SetUint(uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Date(2026, 7, 1, 9, 0, *n, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(fmt.Sprintf("s%d", *n)))
	default:
		panic("fieldtest: no value for " + v.Type().String())
	}
}

// Zero clears the i-th leaf (a scalar, time or map; lists and pointers are
// walked into) of the exported fields reachable from ptr and returns its
// path, or "" when there are fewer leaves.
func Zero(ptr any, i int) string {
	path := ""
	zero(reflect.ValueOf(ptr).Elem(), "", &i, &path)
	return path
}

func zero(v reflect.Value, at string, i *int, path *string) {
	if *path != "" {
		return
	}
	switch {
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			zero(v.Elem(), at, i, path)
		}
	case v.Kind() == reflect.Slice:
		for j := range v.Len() {
			zero(v.Index(j), fmt.Sprintf("%s[%d]", at, j), i, path)
		}
	case v.Kind() == reflect.Struct && v.Type() != timeType:
		for j := range v.NumField() {
			if f := v.Type().Field(j); f.IsExported() {
				zero(v.Field(j), at+"."+f.Name, i, path)
			}
		}
	default:
		if *i == 0 {
			v.SetZero()
			*path = at
		}
		*i--
	}
}
