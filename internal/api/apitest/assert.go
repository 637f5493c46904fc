package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// Obj is a JSON object, as requests are written and responses decoded.
type Obj = map[string]any

// With returns a copy of o with the given key/value pairs set; a nil value
// deletes the key.
func With(o Obj, kv ...any) Obj {
	out := make(Obj, len(o)+len(kv)/2)
	for k, v := range o {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

// WantFields fails unless o[k] and want[k] print the same (fmt.Sprint) for
// every key of want, so that numbers compare whatever their Go type (an
// int and the float64 encoding/json decoded) and an absent key equals a
// nil want.
func WantFields(t testing.TB, what string, o, want Obj) {
	t.Helper()
	for k, w := range want {
		if g := o[k]; fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

// WantAbsent fails if o has any of keys.
func WantAbsent(t testing.TB, what string, o Obj, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := o[k]; ok {
			t.Errorf("%s: has %s = %v, want it absent", what, k, v)
		}
	}
}

// CanonJSON encodes v as JSON after a round trip through any, so that
// values equal as JSON (an int64 and the float64 encoding/json decoded, a
// struct and its map) encode the same.
func CanonJSON(v any) []byte {
	b, _ := json.Marshal(v)
	var x any
	_ = json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return b
}

// WantJSONEqual fails unless got and want have the same CanonJSON.
func WantJSONEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if g, w := CanonJSON(got), CanonJSON(want); !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// IDsOf returns the "id" of each object.
func IDsOf(os []Obj) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i], _ = o["id"].(string)
	}
	return out
}

// Find returns the object with "id" id, or nil.
func Find(os []Obj, id string) Obj {
	for _, o := range os {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

// OKEmpty sends a request that must answer 200 with an empty body.
func (c Client) OKEmpty(t testing.TB, method, path string, body any) {
	t.Helper()
	r := c.Do(t, method, path, body).Want(t, http.StatusOK)
	if len(r.Body) != 0 {
		t.Errorf("%s: want an empty body", r)
	}
}

// CreateID POSTs body to path, requires 201 and returns the "id" of the
// object created; the test stops when there is none.
func (c Client) CreateID(t testing.TB, path string, body any) string {
	t.Helper()
	id, _ := c.Do(t, http.MethodPost, path, body).Want(t, http.StatusCreated).JSON(t)["id"].(string)
	if id == "" {
		t.Fatalf("POST %s: no id in response", path)
	}
	return id
}
