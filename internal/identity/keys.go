package identity

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"time"
)

// KeyBits is the size of the RSA signing keys. RS256 over RSA-2048 is what
// OpenID Connect requires every client to accept, and what Amazon Cognito
// (SaaSus's user pool) signs with.
const KeyBits = 2048

// SigningKey is one signing key of a SaaS's user pool.
type SigningKey struct {
	KeyTimes
	Private *rsa.PrivateKey
}

// KeyTimes is a signing key as rotation sees it.
type KeyTimes struct {
	ID string // the JWT "kid": see KeyID
	// CreatedAt: the key is in the JWKS from then. ActiveAt: it signs new
	// tokens from then, until a newer key becomes active.
	CreatedAt, ActiveAt time.Time
}

// GenerateKey makes a new RSA key, published from now and signing from
// activeAt (see Rotation.Plan).
func GenerateKey(random io.Reader, now, activeAt time.Time) (SigningKey, error) {
	k, err := rsa.GenerateKey(random, KeyBits)
	if err != nil {
		return SigningKey{}, fmt.Errorf("identity: generate signing key: %w", err)
	}
	id, err := KeyID(&k.PublicKey)
	if err != nil {
		return SigningKey{}, err
	}
	return SigningKey{KeyTimes: KeyTimes{ID: id, CreatedAt: now, ActiveAt: activeAt}, Private: k}, nil
}

// KeyID names a public key by its content: the first 16 bytes of the
// SHA-256 of its DER (SubjectPublicKeyInfo) form, in unpadded base64url.
// Two SaaSes never share a key, so a kid also tells whose key it is.
func KeyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("identity: key id: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}

// Rotation is when a SaaS's signing key is replaced.
type Rotation struct {
	// Every: how long a key signs before its successor takes over.
	Every time.Duration
	// PublishAhead: how long the successor is in the JWKS before it signs,
	// so that verifiers that cache the JWKS know it when its first token
	// reaches them.
	PublishAhead time.Duration
}

// DefaultRotation replaces keys every 30 days, publishing the next one a
// day ahead.
var DefaultRotation = Rotation{Every: 30 * 24 * time.Hour, PublishAhead: 24 * time.Hour}

// RetireGrace is how long past the last possible expiry of its tokens a
// replaced key stays published, for clocks that differ a little between
// nodes and verifiers.
const RetireGrace = 5 * time.Minute

// Validate checks that keys sign long enough to be published ahead.
func (r Rotation) Validate() error {
	if r.Every < time.Hour || r.PublishAhead < 0 || r.PublishAhead >= r.Every {
		return fmt.Errorf("key rotation every %v, published %v ahead: need every ≥ 1h and 0 ≤ ahead < every", r.Every, r.PublishAhead)
	}
	return nil
}

// KeyPlan is what to do with a SaaS's keys at one moment.
type KeyPlan struct {
	// Signing is the key that signs new tokens ("" when none is active
	// yet: Generate is then true).
	Signing string
	// Publish is the keys of the JWKS: the pending successor, the signing
	// key and the replaced keys whose tokens may still be alive; newest
	// first.
	Publish []string
	// Drop is the keys that no live token can need: they may be deleted.
	Drop []string
	// Generate asks for a new key, signing from NextActiveAt.
	Generate     bool
	NextActiveAt time.Time
}

// Plan decides, from a SaaS's keys, which key signs at now, which are
// published, which can go, and whether a new one is due. signed is the
// longest lifetime of a signed token (Lifetimes.Signed). A SaaS without
// keys gets one that signs at once: no token exists to be verified yet.
func (r Rotation) Plan(keys []KeyTimes, now time.Time, signed time.Duration) KeyPlan {
	ks := slices.Clone(keys)
	slices.SortFunc(ks, func(a, b KeyTimes) int { // newest first
		if c := b.ActiveAt.Compare(a.ActiveAt); c != 0 {
			return c
		}
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	var p KeyPlan
	var successor *KeyTimes // the next newer key that is active, while walking older
	for i := range ks {
		k := &ks[i]
		switch {
		case k.ActiveAt.After(now): // pending
			p.Publish = append(p.Publish, k.ID)
		case p.Signing == "":
			p.Signing = k.ID
			p.Publish = append(p.Publish, k.ID)
			successor = k
		case now.Before(successor.ActiveAt.Add(signed + RetireGrace)):
			// It signed until its successor took over; its last tokens
			// live until signed after that.
			p.Publish = append(p.Publish, k.ID)
			successor = k
		default:
			p.Drop = append(p.Drop, k.ID)
			successor = k
		}
	}
	switch {
	case len(ks) == 0:
		p.Generate, p.NextActiveAt = true, now
	case ks[0].ActiveAt.After(now):
		// a successor is already published
	case !now.Before(ks[0].ActiveAt.Add(r.Every - r.PublishAhead)):
		p.Generate = true
		p.NextActiveAt = ks[0].ActiveAt.Add(r.Every)
		if ahead := now.Add(r.PublishAhead); p.NextActiveAt.Before(ahead) {
			p.NextActiveAt = ahead // late (the server was down): still published ahead
		}
	}
	return p
}

// JWK is an RSA public key in JSON Web Key form (RFC 7517).
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is a JSON Web Key Set, as served at jwks_uri.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK is the JWKS entry of a signing key.
func PublicJWK(kid string, pub *rsa.PublicKey) JWK {
	return JWK{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: kid,
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}
