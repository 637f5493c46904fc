// Package oasvalidate checks incoming requests against one of saasplane's
// own OpenAPI documents (kin-openapi) before a handler sees them, and turns
// violations into SaaSus 400 errors that name the offending field.
//
// It runs after authentication, so the document's security requirement is
// treated as already satisfied. Requests that match no operation of the
// document are passed on untouched: the router answers them with 404/405.
package oasvalidate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

// Validator validates requests against one OpenAPI document.
type Validator struct {
	router routers.Router
	opts   *openapi3filter.Options
}

// New loads and checks the document.
func New(spec []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("invalid openapi document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi document: %w", err)
	}
	return &Validator{router: router, opts: &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		MultiError:         true,
	}}, nil
}

// Middleware validates each request that matches an operation.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return httpx.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := v.Check(r); err != nil {
			return err
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// Check validates r, leaving its body readable afterwards. It returns nil
// for requests that match no operation.
func (v *Validator) Check(r *http.Request) error {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return nil // unknown route or method: the router's 404/405 explains it better
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	// Validate a copy: every body is JSON whatever Content-Type the client
	// sent (curl -d sends a form type), and the original stays untouched.
	vr := r.Clone(r.Context())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	if len(bytes.TrimSpace(body)) > 0 || route.Operation.RequestBody != nil {
		vr.Header.Set("Content-Type", "application/json")
	}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: v.opts}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return toError(err)
	}
	return nil
}

// toError turns kin-openapi's nested errors into one invalid-request error
// listing "field: reason" pairs. Submitted values and schema dumps are left
// out of the message.
func toError(err error) error {
	var fe errs.FieldErrors
	var other []string
	collect(err, &fe, &other)
	if fe.Empty() && len(other) == 0 {
		return errs.Invalid("request does not match the API definition")
	}
	if fe.Empty() {
		sort.Strings(other)
		return errs.Invalid("%s", strings.Join(other, "; "))
	}
	return fe.Err()
}

func collect(err error, fe *errs.FieldErrors, other *[]string) {
	// Dispatch on the error itself, not on errors.As: a RequestError wraps
	// a MultiError of schema errors, and must be seen first to keep the
	// parameter name.
	if multi, ok := err.(openapi3.MultiError); ok {
		for _, e := range multi {
			collect(e, fe, other)
		}
		return
	}
	if re, ok := err.(*openapi3filter.RequestError); ok {
		switch {
		case re.Parameter != nil:
			reason := re.Reason
			if reason == "" && re.Err != nil {
				reason = leafReason(re.Err)
			}
			fe.Add(re.Parameter.In+" parameter "+re.Parameter.Name, "%s", reason)
		case re.Err != nil:
			collectBody(re.Err, fe, other)
		default:
			*other = append(*other, "request body: "+re.Reason)
		}
		return
	}
	collectBody(err, fe, other)
}

// collectBody walks a schema error down to the leaves that name a field.
func collectBody(err error, fe *errs.FieldErrors, other *[]string) {
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			collectBody(e, fe, other)
		}
		return
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		if errors.Is(err, openapi3filter.ErrInvalidRequired) || strings.Contains(err.Error(), "value is required") {
			*other = append(*other, "request body is required: send a JSON object")
			return
		}
		var pe *openapi3filter.ParseError
		if errors.As(err, &pe) {
			*other = append(*other, "malformed JSON: "+pe.Error())
			return
		}
		*other = append(*other, "request body: "+err.Error())
		return
	}
	if se.Origin != nil && hasSchemaDetail(se.Origin) {
		collectBody(se.Origin, fe, other)
		return
	}
	field := pointer(se.JSONPointer())
	reason := se.Reason
	if name, ok := quoted(reason, "property \"", "\" is missing"); ok {
		field, reason = join(field, name), "is required"
	}
	if name, ok := quoted(reason, "discriminator property \"", "\""); ok && se.Schema != nil && se.Schema.Discriminator != nil {
		field = join(field, name)
		if strings.Contains(reason, "does not contain") {
			reason = "is required"
		} else {
			values := make([]string, 0, len(se.Schema.Discriminator.Mapping))
			for v := range se.Schema.Discriminator.Mapping {
				values = append(values, v)
			}
			sort.Strings(values)
			reason = "must be one of " + strings.Join(values, ", ")
		}
	}
	if field == "" {
		field = "body"
	}
	fe.Add(field, "%s", reason)
}

// hasSchemaDetail reports whether err holds a deeper schema error that names
// a field; other origins (a number parse error, say) add nothing.
func hasSchemaDetail(err error) bool {
	var se *openapi3.SchemaError
	var multi openapi3.MultiError
	return errors.As(err, &se) || errors.As(err, &multi)
}

func leafReason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		for se.Origin != nil && errors.As(se.Origin, &se) {
		}
		return se.Reason
	}
	return "invalid value"
}

// pointer renders a JSON pointer as a field path: tiers[2].up_to.
func pointer(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// join appends a property to a field path, unless the path already ends
// with it (kin-openapi sometimes points at the missing property itself).
func join(parent, name string) string {
	switch {
	case parent == "":
		return name
	case parent == name || strings.HasSuffix(parent, "."+name):
		return parent
	}
	return parent + "." + name
}

// quoted extracts the name in a reason like `prefix"name"suffix...`.
func quoted(reason, prefix, suffix string) (string, bool) {
	i := strings.Index(reason, prefix)
	if i < 0 {
		return "", false
	}
	rest := reason[i+len(prefix):]
	j := strings.Index(rest, suffix)
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}
