package respfilter

import (
	"reflect"
	"strings"

	"github.com/itchyny/gojq"
)

// askedFields returns the field names a select expression reads or builds:
// every `.name` and every key of an object it constructs. A select that
// names a field asks for it, so the reduction never takes it. An expression
// that does not parse names nothing (Apply reports its error).
func askedFields(expr string) map[string]bool {
	if expr == "" {
		return nil
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			switch x := v.Addr().Interface().(type) {
			case *gojq.Index:
				if x.Name != "" {
					names[x.Name] = true
				}
				if x.Str != nil && len(x.Str.Queries) == 0 {
					names[x.Str.Str] = true
				}
			case *gojq.ObjectKeyVal:
				if x.Key != "" && !strings.HasPrefix(x.Key, "$") {
					names[x.Key] = true
				}
				if x.KeyString != nil && len(x.KeyString.Queries) == 0 {
					names[x.KeyString.Str] = true
				}
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(q))
	return names
}
