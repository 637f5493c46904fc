package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// A session is carried by its cookie alone, so that every node of a
// deployment and a restarted one accept it: the cookie holds the SaaS id,
// the API key id (never its secret), a random session id and the expiry,
// and an HMAC over them keyed by a key derived from the API key's secret.
// Revoking the API key therefore ends its sessions, and no secret of the
// server's own has to be configured or shared.
//
// Signing out revokes the session id until its expiry (and clears the
// cookie): in Config.Revocations, the database, so that every node refuses
// a copy of the cookie, and in this node's memory (revoked).

// sessionPayload is the signed part of the cookie.
type sessionPayload struct {
	SaaSID  string `json:"s"`
	APIKey  string `json:"k"`
	ID      string `json:"i"`
	Expires int64  `json:"e"` // Unix seconds
}

// session is a verified session.
type session struct {
	sessionPayload
	macKey []byte
}

// macKey derives the session signing key from an API key's secret.
func macKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("saasplane console session v1"))
	return m.Sum(nil)
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// newSessionID returns 128 random bits.
func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b64.EncodeToString(b)
}

// encodeCookie returns the cookie value of p, signed with key.
func encodeCookie(p sessionPayload, key []byte) string {
	raw, _ := json.Marshal(p)
	body := b64.EncodeToString(raw)
	return body + "." + b64.EncodeToString(mac(key, "cookie", body))
}

// parseCookie decodes a cookie value without verifying it; the caller
// looks up the key named in it and calls verify.
func parseCookie(v string) (payload sessionPayload, body string, sig []byte, ok bool) {
	body, sigText, found := strings.Cut(v, ".")
	if !found {
		return payload, "", nil, false
	}
	raw, err := b64.DecodeString(body)
	if err != nil {
		return payload, "", nil, false
	}
	sig, err = b64.DecodeString(sigText)
	if err != nil || json.Unmarshal(raw, &payload) != nil || payload.SaaSID == "" || payload.APIKey == "" || payload.ID == "" {
		return payload, "", nil, false
	}
	return payload, body, sig, true
}

// csrfToken is the token the session's state-changing calls must carry.
func (s session) csrfToken() string {
	return b64.EncodeToString(mac(s.macKey, "csrf", s.ID))
}

// validCSRF reports whether token is the session's CSRF token.
func (s session) validCSRF(token string) bool {
	got, err := b64.DecodeString(token)
	return err == nil && hmac.Equal(got, mac(s.macKey, "csrf", s.ID))
}

// revoked holds the ids of the sessions signed out on this node until they
// would have expired anyway: without Config.Revocations, the only record;
// with it, a shortcut.
type revoked struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

func (r *revoked) add(id string, until, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]time.Time{}
	}
	for k, t := range r.ids {
		if !t.After(now) {
			delete(r.ids, k)
		}
	}
	r.ids[id] = until
}

func (r *revoked) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}
