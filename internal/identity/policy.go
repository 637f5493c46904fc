package identity

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/errs"
)

// PasswordPolicy is what a user's password must contain. Its fields are
// those of upstream's PasswordPolicy (sign-in settings).
type PasswordPolicy struct {
	MinLength                     int
	Lowercase, Uppercase          bool
	Numbers, Symbols              bool
	TemporaryPasswordValidityDays int
}

// DefaultPasswordPolicy is Amazon Cognito's default, which SaaSus starts
// every SaaS with: 8 characters or more, with a lower-case and an
// upper-case letter, a digit and a symbol; temporary passwords last 7 days.
var DefaultPasswordPolicy = PasswordPolicy{MinLength: 8, Lowercase: true, Uppercase: true, Numbers: true, Symbols: true,
	TemporaryPasswordValidityDays: 7}

// symbols are the characters Cognito counts as special.
const symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"

// Describe says the policy in a sentence, for the pages where people
// choose a password: "At least 8 characters, with a lower-case and an
// upper-case letter, a digit and a symbol."
func (p PasswordPolicy) Describe() string {
	var with []string
	switch {
	case p.Lowercase && p.Uppercase:
		with = append(with, "a lower-case and an upper-case letter")
	case p.Lowercase:
		with = append(with, "a lower-case letter")
	case p.Uppercase:
		with = append(with, "an upper-case letter")
	}
	if p.Numbers {
		with = append(with, "a digit")
	}
	if p.Symbols {
		with = append(with, "a symbol")
	}
	text := fmt.Sprintf("At least %d characters", p.MinLength)
	switch len(with) {
	case 0:
	case 1:
		text += ", with " + with[0]
	default:
		text += ", with " + strings.Join(with[:len(with)-1], ", ") + " and " + with[len(with)-1]
	}
	return text + "."
}

// Check reports, as an invalid error on field, every rule pw breaks.
func (p PasswordPolicy) Check(field, pw string) error {
	var fe errs.FieldErrors
	p.check(&fe, field, pw)
	return fe.Err()
}

func (p PasswordPolicy) check(fe *errs.FieldErrors, field, pw string) {
	var missing []string
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || strings.ContainsRune(pw, 0) {
		missing = append(missing, "valid UTF-8 text without NUL")
	}
	if n < p.MinLength {
		missing = append(missing, fmt.Sprintf("at least %d characters", p.MinLength))
	}
	if len(pw) > MaxPasswordBytes {
		missing = append(missing, fmt.Sprintf("at most %d bytes", MaxPasswordBytes))
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	for _, rule := range []struct {
		on   bool
		ok   func(rune) bool
		what string
	}{
		{p.Lowercase, unicode.IsLower, "a lower-case letter"},
		{p.Uppercase, unicode.IsUpper, "an upper-case letter"},
		{p.Numbers, unicode.IsDigit, "a digit"},
		{p.Symbols, func(r rune) bool { return strings.ContainsRune(symbols, r) }, "a symbol such as ! or #"},
	} {
		if rule.on && !has(rule.ok) {
			missing = append(missing, rule.what)
		}
	}
	if len(missing) > 0 {
		fe.Add(field, "must have %s", strings.Join(missing, ", "))
	}
}

// GeneratePassword draws a password that meets p: 20 characters from
// letters, digits and symbols, at least one of each.
func (p PasswordPolicy) GeneratePassword(random io.Reader) (string, error) {
	const (
		lower = "abcdefghijkmnopqrstuvwxyz"
		upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digit = "23456789"
		sym   = "!#%+-=?@_~"
		all   = lower + upper + digit + sym
	)
	n := max(20, p.MinLength)
	limit := 256 - 256%len(all) // bytes at or above are redrawn: no character is likelier than another
	for {
		out := make([]byte, 0, n)
		var b [1]byte
		for len(out) < n {
			if _, err := io.ReadFull(random, b[:]); err != nil {
				return "", fmt.Errorf("identity: generate password: %w", err)
			}
			if int(b[0]) < limit {
				out = append(out, all[int(b[0])%len(all)])
			}
		}
		if p.Check("password", string(out)) == nil {
			return string(out), nil
		}
	}
}
