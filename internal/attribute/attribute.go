package attribute

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/errs"
)

// Type is the declared type of an attribute.
type Type string

// The attribute types of the SaaSus Auth API.
const (
	String Type = "string"
	Number Type = "number"
	Bool   Type = "bool"
	Date   Type = "date" // YYYY-MM-DD
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	switch t {
	case String, Number, Bool, Date:
		return true
	}
	return false
}

// Decl declares an attribute that tenants or users may carry.
type Decl struct {
	Name        string
	DisplayName string
	Type        Type
}

// Limits of declarations and values.
const (
	MaxNameLen        = 64
	MaxDisplayNameLen = 255
	MaxValueLen       = 4096 // bytes of a string value
	MaxPerObject      = 100  // values one tenant or user may carry
)

var name = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_\-]*$`)

// Validate checks a declaration. Names travel in URL paths and JSON keys:
// letters, digits, '_' and '-', starting with a letter or '_'.
func (d Decl) Validate() error {
	var fe errs.FieldErrors
	if !name.MatchString(d.Name) || len(d.Name) > MaxNameLen {
		fe.Add("attribute_name", "must be 1 to %d letters, digits, '_' or '-', starting with a letter or '_'", MaxNameLen)
	}
	fe.Text("display_name", d.DisplayName, MaxDisplayNameLen, false)
	if !d.Type.Valid() {
		fe.Add("attribute_type", "must be one of string, number, bool, date")
	}
	return fe.Err()
}

var dateValue = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Check verifies every value of in (decoded with json.Number) against its
// declaration and returns the normalised map: nulls, which mean "not set",
// are dropped. Field errors are named field + "." + key; an undeclared key
// gets the message undeclared, which says where to declare it.
func Check(decl []Decl, in map[string]any, field, undeclared string) (map[string]any, error) {
	var fe errs.FieldErrors
	if len(in) > MaxPerObject {
		fe.Add(field, "must have at most %d keys", MaxPerObject)
		return nil, fe.Err()
	}
	types := make(map[string]Type, len(decl))
	for _, a := range decl {
		types[a.Name] = a.Type
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]any, len(in))
	for _, k := range keys {
		v := in[k]
		f := field + "." + k
		typ, ok := types[k]
		if !ok {
			fe.Add(f, "%s", undeclared)
			continue
		}
		if v == nil {
			continue
		}
		if msg := typ.check(v); msg != "" {
			fe.Add(f, "%s", msg)
			continue
		}
		out[k] = v
	}
	return out, fe.Err()
}

// check returns what is wrong with v as a value of t, or "".
func (t Type) check(v any) string {
	switch t {
	case String:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		if len(s) > MaxValueLen || !utf8.ValidString(s) {
			return "must be valid text of at most " + strconv.Itoa(MaxValueLen) + " bytes"
		}
	case Number:
		// Kept as exact decimal text, but it must also fit a float64:
		// the SDKs decode attributes into float64 and would fail on every
		// later read of the object.
		n, ok := v.(json.Number)
		if !ok || len(n) > 64 {
			return "must be a number"
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			return "must be a number within the range of a double (about ±1.8e308)"
		}
	case Bool:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case Date:
		s, ok := v.(string)
		_, err := time.Parse(time.DateOnly, s)
		if !ok || !dateValue.MatchString(s) || err != nil {
			return "must be a date written YYYY-MM-DD"
		}
	}
	return ""
}
