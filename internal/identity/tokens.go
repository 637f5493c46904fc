package identity

import (
	"crypto/rsa"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/errs"
)

// TokenUse tells ID tokens from access tokens (the token_use claim, as
// Amazon Cognito writes it): a token is accepted only where its use is.
type TokenUse string

const (
	UseID     TokenUse = "id"
	UseAccess TokenUse = "access"
	// UseNewPassword is the short-lived token between a sign-in with a
	// temporary password and the new password that must follow it; its
	// sid is the challenge's own id.
	UseNewPassword TokenUse = "new_password_challenge"
)

// Claims are the claims of the ID and access tokens of a SaaS's users.
//
//   - iss: the user pool's issuer URL (one per SaaS); aud: the SaaS id.
//   - sub: the user id; sid: the sign-in session, which a refresh token
//     continues and a revocation ends: a token of an ended session is
//     refused even before it expires.
//   - jti: a random id of the token; iat and exp: issued and expiry.
//   - email: the user's address (ID tokens only).
type Claims struct {
	jwt.RegisteredClaims
	TokenUse  TokenUse `json:"token_use"`
	SessionID string   `json:"sid"`
	Email     string   `json:"email,omitempty"`
}

// Token describes a token to sign.
type Token struct {
	Use       TokenUse
	Issuer    string // the SaaS's issuer URL
	SaaSID    string
	UserID    string
	SessionID string
	Email     string // ID tokens only
	ID        string // jti, unique
	IssuedAt  time.Time
	TTL       time.Duration
}

// Sign makes the JWT of t, signed by key with RS256.
func Sign(key SigningKey, t Token) (string, error) {
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: t.Issuer, Subject: t.UserID, Audience: jwt.ClaimStrings{t.SaaSID}, ID: t.ID,
			IssuedAt: jwt.NewNumericDate(t.IssuedAt), ExpiresAt: jwt.NewNumericDate(t.IssuedAt.Add(t.TTL)),
		},
		TokenUse: t.Use, SessionID: t.SessionID,
	}
	if t.Use == UseID {
		c.Email = t.Email
	}
	j := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	j.Header["kid"] = key.ID
	return j.SignedString(key.Private)
}

// MaxTokenBytes bounds a token given to Verify; SaaSus's own are about
// 1 KiB.
const MaxTokenBytes = 8 << 10

// KeyLookup returns the public key of the SaaS with that kid, or nil.
type KeyLookup func(kid string) *rsa.PublicKey

// Verify checks a token of use for the SaaS: RS256 only, signed by one of
// the SaaS's keys (found by kid with keys), issued by issuer for saasID,
// of the right use, issued before and expiring after now, with a subject
// and a session. It returns the claims, or an errs.Error of kind
// Unauthorized that says what is wrong (type "invalid_token"). It does
// not know about revocation: the caller checks the session.
func Verify(raw string, use TokenUse, issuer, saasID string, keys KeyLookup, now time.Time) (Claims, error) {
	if raw == "" {
		return Claims{}, invalidToken("no token")
	}
	if len(raw) > MaxTokenBytes {
		return Claims{}, invalidToken("the token is too long")
	}
	var c Claims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(saasID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := p.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k := keys(kid); kid != "" && k != nil {
			return k, nil
		}
		return nil, errUnknownKey
	})
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return Claims{}, invalidToken("the token is malformed")
	case errors.Is(err, errUnknownKey), errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return Claims{}, invalidToken("the token's signature is not valid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, invalidToken("the token has expired")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return Claims{}, invalidToken("the token is not valid yet")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return Claims{}, invalidToken("the token was not issued for this SaaS")
	default:
		return Claims{}, invalidToken("the token is not valid")
	}
	switch {
	case c.TokenUse != use:
		return Claims{}, invalidToken("the token is not an " + string(use) + " token")
	case c.Subject == "" || c.SessionID == "" || c.IssuedAt == nil:
		return Claims{}, invalidToken("the token lacks its subject, session or issue time")
	}
	return c, nil
}

var errUnknownKey = errors.New("unknown signing key")

func invalidToken(msg string) error {
	return errs.E(errs.KindUnauthorized, "%s", msg).WithType("invalid_token")
}
