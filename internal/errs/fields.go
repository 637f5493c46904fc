package errs

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Required records a field that is absent or empty.
func (f *FieldErrors) Required(field, v string) {
	if v == "" {
		f.Add(field, "is required")
	}
}

// Text records a problem with a free-text field: invalid UTF-8, blank when
// required, longer than max characters, or containing NUL.
func (f *FieldErrors) Text(field, v string, max int, required bool) {
	switch {
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8")
	case required && strings.TrimSpace(v) == "":
		f.Add(field, "must not be empty")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(v, 0):
		f.Add(field, "must not contain NUL characters")
	}
}

// Email records a problem with a plain email address (ann@example.com,
// without a display name), at most max characters.
func (f *FieldErrors) Email(field, v string, max int) {
	if len(v) > max {
		f.Add(field, "must be at most %d characters", max)
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		f.Add(field, "must be an email address like ann@example.com")
	}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// Country records a problem with an ISO 3166-1 alpha-2 country code.
func (f *FieldErrors) Country(field, v string) {
	if !countryCode.MatchString(v) {
		f.Add(field, "must be an ISO 3166-1 alpha-2 code in capitals, e.g. JP")
	}
}

// DuplicateName turns a storage uniqueness violation into the caller-facing
// error: invalid input of type duplicate_name on field. Other errors pass
// through.
func DuplicateName(err error, field, what, name string) error {
	if !errors.Is(err, ErrDuplicate) {
		return err
	}
	return Taken("duplicate_name", field, "a %s named %q already exists", what, name)
}

// Taken is the invalid-input error of type typ saying that field's value
// is taken: one field, its message from format.
func Taken(typ, field, format string, args ...any) *Error {
	var fe FieldErrors
	fe.Add(field, format, args...)
	e := fe.Err().(*Error)
	e.Type = typ
	return e
}
