package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
)

// DecodeJSON reads the request body as one JSON object into v. Errors are
// KindInvalid and name the field at fault. Unknown fields are tolerated, as
// upstream clients send extra keys.
func DecodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyReadError(err)
	}
	return DecodeJSONBytes(body, v)
}

// DecodeJSONBytes is DecodeJSON over bytes already read.
func DecodeJSONBytes(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errs.Invalid("request body is required: send a JSON object")
	}
	if trimmed[0] != '{' {
		return errs.Invalid("request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errs.Invalid("request body must contain exactly one JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errs.Invalid("request body must contain exactly one JSON object")
	}
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		var fe errs.FieldErrors
		checkExactKeys(trimmed, t.Elem(), "", &fe)
		return fe.Err()
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return errs.Invalid("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		var fe errs.FieldErrors
		fe.Add(field, "must be %s, got JSON %s", describeType(typ.Type.Kind().String()), typ.Value)
		return fe.Err()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Invalid("malformed JSON: unexpected end of input")
	default:
		var fe *errs.Error
		if errors.As(err, &fe) {
			return fe
		}
		return errs.Invalid("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func describeType(kind string) string {
	switch kind {
	case "uint64", "uint", "uint32":
		return "a non-negative integer"
	case "int64", "int", "int32":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return fmt.Sprintf("of type %s", kind)
	}
}

func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &errs.Error{Kind: errs.KindTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)}
	}
	return errs.Invalid("could not read request body: %v", err)
}
