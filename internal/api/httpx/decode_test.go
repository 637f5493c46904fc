package httpx_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

type sample struct {
	Name   *string   `json:"name"`
	Amount *uint64   `json:"amount"`
	IDs    *[]string `json:"ids"`
	Nested *struct {
		Flag *bool `json:"flag"`
	} `json:"nested"`
}

func TestDecodeJSONBytes(t *testing.T) {
	tests := []struct {
		name, body string
		wantField  string // field named in the error; "-" for an error without field
	}{
		{"valid", `{"name":"a","amount":3,"ids":["x"],"extra":{"a":1}}`, ""},
		{"empty", ``, "-"},
		{"whitespace", " \n ", "-"},
		{"array", `[1,2]`, "-"},
		{"null", `null`, "-"},
		{"truncated", `{"name":`, "-"},
		{"trailing data", `{"name":"a"} {}`, "-"},
		{"trailing garbage", `{"name":"a"}x`, "-"},
		{"string for number", `{"amount":"3"}`, "amount"},
		{"negative", `{"amount":-3}`, "amount"},
		{"fraction", `{"amount":1.5}`, "amount"},
		{"too big", `{"amount":18446744073709551616}`, "amount"},
		{"number for string", `{"name":5}`, "name"},
		{"nested type", `{"nested":{"flag":"yes"}}`, "nested.flag"},
		{"key differing in case", `{"amount":1,"Amount":100}`, "Amount"},
		{"nested key differing in case", `{"nested":{"FLAG":true}}`, "nested.FLAG"},
		{"unknown key tolerated", `{"amount":1,"amountz":2}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v sample
			err := httpx.DecodeJSONBytes([]byte(tt.body), &v)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("DecodeJSONBytes = %v, want nil", err)
				}
				return
			}
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("DecodeJSONBytes = %v, want an invalid-request error", err)
			}
			if tt.wantField != "-" {
				if got := errs.FieldNames(err); len(got) != 1 || got[0] != tt.wantField {
					t.Fatalf("error %q names %v, want [%s]", err, got, tt.wantField)
				}
			}
		})
	}
}

// Whatever the bytes, decoding either succeeds or fails as a client error.
func FuzzDecodeJSONBytes(f *testing.F) {
	for _, s := range []string{`{"name":"a","amount":1}`, `{"amount":-1}`, `[`, `{"ids":[1]}`, `{"nested":{"flag":true}}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v sample
		err := httpx.DecodeJSONBytes(b, &v)
		if err != nil && errs.KindOf(err) != errs.KindInvalid {
			t.Fatalf("DecodeJSONBytes(%q) = %v: not an invalid-request error", b, err)
		}
	})
}
