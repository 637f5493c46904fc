package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// Opaque secrets: refresh tokens and temporary codes. They carry no
// meaning of their own: 32 random bytes, in unpadded base64url (43
// characters), looked up by their SHA-256. Only the hash is stored, so a
// copy of the database does not hand out sessions. SHA-256 without salt
// or stretching is enough here: the secrets are random and 256 bits long,
// not chosen by people, so there is nothing to guess.

// SecretHash is the stored form of an opaque secret.
type SecretHash [sha256.Size]byte

// NewSecret draws a secret from random and returns it with its hash.
func NewSecret(random io.Reader) (string, SecretHash, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", SecretHash{}, fmt.Errorf("identity: secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, HashSecret(s), nil
}

// HashSecret is the hash under which a secret is stored and found.
func HashSecret(secret string) SecretHash { return sha256.Sum256([]byte(secret)) }

// WellFormedSecret reports whether s could be a secret from NewSecret, so
// that garbage is refused without a lookup.
func WellFormedSecret(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}
