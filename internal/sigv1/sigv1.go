// Package sigv1 implements the SAASUSSIGV1 request signature of the SaaSus
// Platform API: an HMAC-SHA256, keyed with the secret key, over
//
//	UTC minute (YYYYMMDDHHmm) + API key + METHOD + host[:port]/path?query + body
//
// rendered as 64 lowercase hex digits and carried in
//
//	Authorization: SAASUSSIGV1 Sig=<hex>, SaaSID=<saas id>, APIKey=<api key>
//
// The package is pure: callers pass the time, the secret and the raw bytes.
package sigv1

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Scheme is the authorization scheme token.
const Scheme = "SAASUSSIGV1"

// minuteLayout formats the signed timestamp: the UTC minute, 12 digits.
const minuteLayout = "200601021504"

// Header is a parsed Authorization header.
type Header struct {
	Sig    string
	SaaSID string
	APIKey string
}

// ErrMalformed is returned by Parse for a header that is not SAASUSSIGV1.
var ErrMalformed = errors.New("authorization header is not of the form 'SAASUSSIGV1 Sig=..., SaaSID=..., APIKey=...'")

// Parse reads an Authorization header value. It accepts the parameters in
// any order, optional spaces around them and a case-insensitive scheme.
func Parse(value string) (Header, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(value), " ")
	if !ok || !strings.EqualFold(scheme, Scheme) {
		return Header{}, ErrMalformed
	}
	var h Header
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Header{}, ErrMalformed
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.EqualFold(k, "Sig"):
			h.Sig = v
		case strings.EqualFold(k, "SaaSID"):
			h.SaaSID = v
		case strings.EqualFold(k, "APIKey"):
			h.APIKey = v
		default:
			return Header{}, ErrMalformed
		}
	}
	if h.Sig == "" || h.SaaSID == "" || h.APIKey == "" {
		return Header{}, ErrMalformed
	}
	return h, nil
}

// Format renders the header the official SDKs send.
func (h Header) Format() string {
	return Scheme + " Sig=" + h.Sig + ", SaaSID=" + h.SaaSID + ", APIKey=" + h.APIKey
}

// Sign returns the signature for one request. target is the request URL
// without its scheme: host[:port] + path + optional "?" + raw query.
func Sign(secret []byte, at time.Time, apiKey, method, target string, body []byte) string {
	return hex.EncodeToString(mac(secret, at, apiKey, method, target, body))
}

func mac(secret []byte, at time.Time, apiKey, method, target string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(at.UTC().Format(minuteLayout)))
	m.Write([]byte(apiKey))
	m.Write([]byte(strings.ToUpper(method)))
	m.Write([]byte(target))
	m.Write(body)
	return m.Sum(nil)
}

// Skew is how many whole minutes either side of now a signature may be dated.
const Skew = 1

// Verify reports whether sig is valid for the request at now: signed in
// the current UTC minute or up to Skew minutes either side. The current
// minute is tried first, so a well-synchronised client costs one HMAC.
// Each comparison is in constant time; which minute matched is no secret
// (the client chose it), so the search stops at the first match.
func Verify(secret []byte, now time.Time, sig, apiKey, method, target string, body []byte) bool {
	got, err := hex.DecodeString(strings.ToLower(sig))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	for _, d := range skewOrder {
		want := mac(secret, now.Add(time.Duration(d)*time.Minute), apiKey, method, target, body)
		if hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// skewOrder lists the minute offsets Verify tries, nearest first.
var skewOrder = func() []int {
	out := []int{0}
	for d := 1; d <= Skew; d++ {
		out = append(out, -d, d)
	}
	return out
}()

// Target builds the signed URL part from a request's Host header and its raw
// request-target, exactly as they arrived. An absolute-form target (a proxy
// request) is reduced to what follows the scheme's "//".
func Target(host, requestURI string) string {
	if strings.HasPrefix(requestURI, "/") {
		return host + requestURI
	}
	if _, rest, ok := strings.Cut(requestURI, "//"); ok {
		return rest
	}
	return host + requestURI
}
