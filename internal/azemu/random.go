package azemu

import (
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
)

// The emulator's random ids and secrets, drawn from the service's injected
// source (idgen.Crypto in production, idgen.Seeded in tests).

// newID returns a random (version 4) GUID.
func (s *Service) newID() string { return s.ids.UUID() }

// newPurchaseToken is opaque and base64 with '+' and '/', like the
// marketplace's: the landing page must URL-decode it.
func (s *Service) newPurchaseToken() string {
	return base64.StdEncoding.EncodeToString(s.ids.Bytes(48))
}

func (s *Service) generateKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(s.ids, 2048) }

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
