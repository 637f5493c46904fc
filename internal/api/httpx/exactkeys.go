package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/saasplane/saasplane/internal/errs"
)

// encoding/json matches object keys to struct fields without regard to
// case, and the last match wins: {"count":1,"Count":100} would decode as
// 100 after a validator had checked "count". The wire contract is
// case-sensitive, so a key that differs from a known field only in case is
// refused. Keys that match no field at all stay tolerated.

// fieldNames maps a struct type's JSON names, folded to lower case, to the
// exact name and the field's type.
type fieldInfo struct {
	name string
	typ  reflect.Type
}

var fieldCache sync.Map // reflect.Type -> map[string]fieldInfo

func fieldsOf(t reflect.Type) map[string]fieldInfo {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]fieldInfo)
	}
	m := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[strings.ToLower(name)] = fieldInfo{name: name, typ: f.Type}
	}
	fieldCache.Store(t, m)
	return m
}

// checkExactKeys walks raw alongside t and records keys that only
// case-fold to a field's name.
func checkExactKeys(raw json.RawMessage, t reflect.Type, path string, fe *errs.FieldErrors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		fields := fieldsOf(t)
		for k, v := range obj {
			f, ok := fields[strings.ToLower(k)]
			switch {
			case !ok:
			case f.name != k:
				fe.Add(join(path, k), "unknown field: field names are case-sensitive (did you mean %q?)", f.name)
			default:
				checkExactKeys(v, f.typ, join(path, k), fe)
			}
		}
	case reflect.Slice, reflect.Array:
		if raw[0] != '[' {
			return
		}
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return
		}
		for i, v := range arr {
			checkExactKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), fe)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
