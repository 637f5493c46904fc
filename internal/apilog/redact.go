package apilog

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder is what the value of a secret key becomes, as JSON.
const Placeholder = `"***"`

// secretWords are what a key must contain, ignoring case, to be secret.
// Their first letters must differ (see byteClass).
var secretWords = []string{"secret", "password", "token", "credential"}

// foldedWords are secretWords in canonical fold form (see fold).
var foldedWords = func() []string {
	out := make([]string, len(secretWords))
	for i, w := range secretWords {
		out[i] = fold(w)
	}
	return out
}()

// SecretKey reports whether name, a JSON object key, names a secret: it
// contains "secret", "password", "token" or "credential", ignoring case.
// Case is folded the Unicode way, so "ſecret" (long s) and "TOKEN" with a
// Kelvin sign for K count too.
func SecretKey(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			f := fold(name)
			for _, w := range foldedWords {
				if strings.Contains(f, w) {
					return true
				}
			}
			return false
		}
	}
	return hasSecretWordASCII(name)
}

// fold maps every rune to the smallest rune of its simple case-folding
// orbit, so two strings are equal ignoring case when their folds are equal.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// byteClass sorts bytes for the fast scans: the first letter of a secret
// word, in either case (its index in secretWords, plus one), or suspect: a
// backslash or a non-ASCII byte, which may spell a word in disguise.
var byteClass = func() (t [256]uint8) {
	for i, w := range secretWords {
		t[w[0]], t[w[0]-('a'-'A')] = uint8(i+1), uint8(i+1)
	}
	t['\\'] = suspect
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = suspect
	}
	return t
}()

const suspect = 0xff

// hasSecretWordASCII reports whether s contains a secret word, ignoring
// ASCII case. It is exact for ASCII s; it allocates nothing.
func hasSecretWordASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if k := byteClass[s[i]]; k != 0 && k != suspect && strings.EqualFold(s[i:min(len(s), i+len(secretWords[k-1]))], secretWords[k-1]) {
			return true
		}
	}
	return false
}

// hasPrefixFoldASCII reports whether b starts with the lower-case ASCII
// word w, ignoring ASCII case.
func hasPrefixFoldASCII(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// mayHoldSecrets is the fast path of Redact: false when b can hold no
// secret key, because it is not JSON-like (after white space, it does not
// start an object or an array), or has no secret word anywhere and nothing
// that could spell one in disguise (an escape or a non-ASCII letter). One
// pass, one table lookup per byte, no allocation.
func mayHoldSecrets(b []byte) bool {
	i := skipSpace(b, 0)
	if i == len(b) || (b[i] != '{' && b[i] != '[') {
		return false
	}
	for ; i < len(b); i++ {
		switch k := byteClass[b[i]]; k {
		case 0:
		case suspect:
			return true
		default:
			if hasPrefixFoldASCII(b[i:], secretWords[k-1]) {
				return true
			}
		}
	}
	return false
}

// Redact replaces the value of every object member whose key is secret (see
// SecretKey), at any depth and whatever its type, by "***".
//
//   - Valid JSON stays valid JSON, byte for byte the same but for the
//     replaced values.
//   - JSON cut short or malformed is redacted as far as it can be
//     recognised: a secret value that runs to the end is replaced too.
//   - A body that is not JSON-like (after white space, it does not start
//     with '{' or '[') is returned as is: nothing in it is a JSON key.
//
// One pass over body; the result is body itself, not a copy, when nothing
// was replaced.
func Redact(body []byte) []byte {
	if !mayHoldSecrets(body) {
		return body
	}
	var out []byte
	copied := 0 // body[:copied] is in out already
	for i := 0; i < len(body); {
		if body[i] != '"' {
			i++
			continue
		}
		end, closed := scanString(body, i)
		if !closed {
			break // an unfinished string at the end: no key, no value
		}
		colon := skipSpace(body, end)
		if colon == len(body) || body[colon] != ':' || !secretKeyToken(body[i:end]) {
			i = end
			continue
		}
		v := skipSpace(body, colon+1)
		next := skipValue(body, v)
		if out == nil {
			out = make([]byte, 0, len(body))
		}
		out = append(out, body[copied:v]...)
		out = append(out, Placeholder...)
		copied, i = next, next
	}
	if out == nil {
		return body
	}
	return append(out, body[copied:]...)
}

// secretKeyToken reports whether the quoted JSON string tok names a
// secret; it allocates only for keys with escapes or non-ASCII letters.
func secretKeyToken(tok []byte) bool {
	raw := tok[1 : len(tok)-1]
	for i, c := range raw {
		switch k := byteClass[c]; k {
		case 0:
		case suspect:
			return secretKeySlow(tok)
		default:
			if hasPrefixFoldASCII(raw[i:], secretWords[k-1]) {
				return true
			}
		}
	}
	return false
}

// secretKeySlow is secretKeyToken for keys with escapes or non-ASCII.
func secretKeySlow(tok []byte) bool {
	raw := tok[1 : len(tok)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return SecretKey(string(raw))
	}
	var name string
	if err := json.Unmarshal(tok, &name); err != nil {
		// A broken escape: judge the text as written, and the text with
		// backslashes dropped, so "pass\word" cannot slip through.
		return SecretKey(string(raw)) || SecretKey(strings.ReplaceAll(string(raw), `\`, ""))
	}
	return SecretKey(name)
}

// scanString returns the index just after the string starting at b[i]
// (a '"'), and false when it is not closed before the end.
func scanString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(b), false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just after the JSON value starting at b[i],
// or len(b) when it runs to the end. Objects and arrays are skipped by
// bracket depth (strings respected), scalars up to the next delimiter.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		end, _ := scanString(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				j, _ = scanString(b, j)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return len(b)
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}

// sanitize makes b storable as text in every database: invalid UTF-8
// bytes and NUL become U+FFFD, one per byte (as encoding/json decodes
// them). It returns b itself when there is nothing to replace.
func sanitize(b []byte) []byte {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// Body turns a captured body into the text that is stored: secrets
// redacted (Redact), made valid UTF-8 without NUL, and cut to at most max
// bytes at a character boundary, with "…[truncated N bytes]" appended when
// anything was left out. uncaptured counts bytes of the body that were never
// captured; they count as left out. max <= 0 means no limit.
func Body(captured []byte, uncaptured, max int) string {
	if uncaptured > 0 {
		// The capture may end inside a character: leave that part out too.
		for i := len(captured) - 1; i >= 0 && i >= len(captured)-utf8.UTFMax; i-- {
			if utf8.RuneStart(captured[i]) {
				if !utf8.FullRune(captured[i:]) {
					uncaptured += len(captured) - i
					captured = captured[:i]
				}
				break
			}
		}
	}
	b := sanitize(Redact(captured))
	if uncaptured <= 0 && (max <= 0 || len(b) <= max) {
		return string(b)
	}
	cut := len(b)
	if max > 0 && cut > max {
		cut = max
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
	}
	return string(b[:cut]) + "…[truncated " + strconv.Itoa(len(b)-cut+uncaptured) + " bytes]"
}

// MaxLineBytes bounds RequestURI and Referer.
const MaxLineBytes = 8 << 10

// Line turns a URL-like value (the request-target, a Referer) into the
// text that is stored: the value of every query parameter whose name is
// secret (see SecretKey) replaced by ***, made valid UTF-8 without NUL, and
// cut at max bytes like Body. It allocates only when it changes s.
func Line(s string, max int) string {
	s = redactQuery(s)
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		s = string(sanitize([]byte(s)))
	}
	if max > 0 && len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…[truncated " + strconv.Itoa(len(s)-cut) + " bytes]"
	}
	return s
}

// redactQuery replaces the values of secret query parameters in a URL.
func redactQuery(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 || !queryMayHoldSecrets(s[q+1:]) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:q+1])
	for i, part := range strings.Split(s[q+1:], "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(part, "=")
		if hasValue && secretParam(name) {
			b.WriteString(name)
			b.WriteString("=***")
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}

// queryMayHoldSecrets is the fast path of redactQuery.
func queryMayHoldSecrets(q string) bool {
	for i := 0; i < len(q); i++ {
		if c := q[i]; c == '%' || c == '+' || c >= utf8.RuneSelf {
			return true
		}
	}
	return hasSecretWordASCII(q)
}

func secretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil && n != name {
		return SecretKey(n) || SecretKey(name)
	}
	return SecretKey(name)
}
