// Package errs is saasplane's small error vocabulary: a Kind that says what
// went wrong in terms the HTTP layer can map to a status code, a message that
// is safe to show to the caller, and the wrapped cause that only the log sees.
//
// Domain packages return *Error values; internal/api/httpx is the one place
// that turns a Kind into an HTTP status.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error for callers. The zero value is KindInternal.
type Kind int

// The kinds, from the caller's point of view.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure; the caller sees only "internal error"
	KindInvalid                  // the request itself is wrong; repeating it will not help
	KindNotFound                 // the addressed object does not exist (for this SaaS)
	KindConflict                 // the request is valid but the current state forbids it
	KindUnauthorized             // no valid credentials
	KindTooLarge                 // the request body exceeds the limit
	KindUnavailable              // a dependency is down; retry later
	KindRateLimited              // too many attempts; retry after a while
)

// String names the kind; it is also the default error type on the wire.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid_request"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindUnauthorized:
		return "unauthorized"
	case KindTooLarge:
		return "payload_too_large"
	case KindUnavailable:
		return "unavailable"
	case KindRateLimited:
		return "too_many_requests"
	default:
		return "internal_server_error"
	}
}

// KindNamed is the kind whose String is name, for errors that crossed a
// process boundary (a job's recorded result); false for an unknown name.
func KindNamed(name string) (Kind, bool) {
	for k := KindInternal; k <= KindRateLimited; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return KindInternal, false
}

// Error is the error type of the domain. Type, when set, overrides the
// kind's name as the machine-readable error type shown to callers.
type Error struct {
	Kind    Kind
	Type    string
	Message string
	// Fields maps a request field (dotted path, e.g. "tiers[2].up_to") to what
	// is wrong with it. Message already summarises them.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// WireType is the error type shown to callers.
func (e *Error) WireType() string {
	if e.Type != "" {
		return e.Type
	}
	return e.Kind.String()
}

// KindOf returns the kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// E builds an error of the given kind with a formatted message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid is shorthand for E(KindInvalid, ...).
func Invalid(format string, args ...any) *Error { return E(KindInvalid, format, args...) }

// NotFound is shorthand for E(KindNotFound, ...).
func NotFound(format string, args ...any) *Error { return E(KindNotFound, format, args...) }

// Conflict is shorthand for E(KindConflict, ...).
func Conflict(format string, args ...any) *Error { return E(KindConflict, format, args...) }

// WithType sets the wire type and returns e.
func (e *Error) WithType(t string) *Error { e.Type = t; return e }

// FieldErrors collects per-field validation problems so a caller learns about
// all of them at once.
type FieldErrors struct {
	prefix string
	m      map[string]string
	order  []string
}

// Add records a problem with field; the first problem per field wins.
func (f *FieldErrors) Add(field, format string, args ...any) {
	if f.m == nil {
		f.m = map[string]string{}
	}
	field = f.prefix + field
	if _, dup := f.m[field]; dup {
		return
	}
	f.m[field] = fmt.Sprintf(format, args...)
	f.order = append(f.order, field)
}

// Merge adds every problem of other.
func (f *FieldErrors) Merge(other *FieldErrors) {
	for _, k := range other.order {
		f.Add(k, "%s", other.m[k])
	}
}

// Empty reports whether no problem was recorded.
func (f *FieldErrors) Empty() bool { return len(f.m) == 0 }

// Err returns nil when empty, else a KindInvalid *Error whose message lists
// every field problem in the order they were found.
func (f *FieldErrors) Err() error {
	if f.Empty() {
		return nil
	}
	parts := make([]string, 0, len(f.order))
	for _, k := range f.order {
		parts = append(parts, k+": "+f.m[k])
	}
	fields := make(map[string]string, len(f.m))
	for k, v := range f.m {
		fields[k] = v
	}
	return &Error{Kind: KindInvalid, Message: strings.Join(parts, "; "), Fields: fields}
}

// FieldNames returns the fields of an invalid error, sorted; nil otherwise.
func FieldNames(err error) []string {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return nil
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Sentinels that storage adapters return and domain services translate into
// caller-facing errors.
var (
	ErrNotExist  = errors.New("no such row")
	ErrDuplicate = errors.New("duplicate key")
)
