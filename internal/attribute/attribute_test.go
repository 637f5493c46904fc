package attribute_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/attribute"
	"github.com/saasplane/saasplane/internal/errs"
)

func TestCheck(t *testing.T) {
	decl := []attribute.Decl{
		{Name: "s", Type: attribute.String}, {Name: "n", Type: attribute.Number},
		{Name: "b", Type: attribute.Bool}, {Name: "d", Type: attribute.Date},
	}
	for _, tc := range []struct {
		name string
		in   map[string]any
		bad  string // the field named, "" when valid
	}{
		{"every type", map[string]any{"s": "x", "n": json.Number("1e3"), "b": false, "d": "2024-02-29"}, ""},
		{"null means not set", map[string]any{"s": nil}, ""},
		{"undeclared", map[string]any{"x": "x"}, "attr.x"},
		{"string of a number", map[string]any{"n": "1"}, "attr.n"},
		{"number beyond a double", map[string]any{"n": json.Number("1e400")}, "attr.n"},
		{"long string", map[string]any{"s": strings.Repeat("x", attribute.MaxValueLen+1)}, "attr.s"},
		{"not a leap day", map[string]any{"d": "2023-02-29"}, "attr.d"},
		{"date with time", map[string]any{"d": "2024-02-29T00:00:00Z"}, "attr.d"},
		{"bool as text", map[string]any{"b": "true"}, "attr.b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := attribute.Check(decl, tc.in, "attr", "undeclared")
			if tc.bad == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				for k, v := range tc.in {
					if _, kept := out[k]; kept != (v != nil) {
						t.Errorf("key %s kept %v, want %v", k, kept, v != nil)
					}
				}
				return
			}
			if got := errs.FieldNames(err); len(got) != 1 || got[0] != tc.bad {
				t.Errorf("Check: %v (fields %v), want one error on %s", err, got, tc.bad)
			}
		})
	}
	many := map[string]any{}
	for i := range attribute.MaxPerObject + 1 {
		many[strings.Repeat("k", i+1)] = nil
	}
	if got := errs.FieldNames(func() error { _, err := attribute.Check(decl, many, "attr", ""); return err }()); len(got) != 1 || got[0] != "attr" {
		t.Errorf("too many keys: fields %v, want attr", got)
	}
}

func TestDeclValidate(t *testing.T) {
	for _, tc := range []struct {
		d   attribute.Decl
		bad []string
	}{
		{attribute.Decl{Name: "birthday", DisplayName: "Birthday", Type: attribute.Date}, nil},
		{attribute.Decl{Name: "_x-1", Type: attribute.String}, nil},
		{attribute.Decl{Name: "1x", Type: attribute.String}, []string{"attribute_name"}},
		{attribute.Decl{Name: strings.Repeat("a", attribute.MaxNameLen+1), Type: "money"}, []string{"attribute_name", "attribute_type"}},
	} {
		got := errs.FieldNames(tc.d.Validate())
		if strings.Join(got, ",") != strings.Join(tc.bad, ",") {
			t.Errorf("%+v: fields %v, want %v", tc.d, got, tc.bad)
		}
	}
}
