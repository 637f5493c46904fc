package identity

import (
	"testing"

	"github.com/saasplane/saasplane/internal/idgen"
)

// BenchmarkPasswordAndTokens measures what sign-in and userinfo cost in
// this package: checking a password at DefaultArgon2 (every sign-in),
// signing a token (ID and access tokens at sign-in and refresh), and
// verifying one (every userinfo).
//
//	go test -run '^$' -bench BenchmarkPasswordAndTokens -benchtime 2s -count 3 ./internal/identity/
func BenchmarkPasswordAndTokens(b *testing.B) {
	h, err := HashPassword(idgen.Crypto(), "correct horse battery staple", DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("verify-password", func(b *testing.B) {
		for range b.N {
			if err := VerifyPassword(h, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
		}
	})
	key := testKeys()["a1"]
	b.Run("sign-token", func(b *testing.B) {
		for range b.N {
			if _, err := Sign(key, idToken()); err != nil {
				b.Fatal(err)
			}
		}
	})
	raw, _ := Sign(key, idToken())
	keys := lookupOf("a1")
	b.Run("verify-token", func(b *testing.B) {
		for range b.N {
			if _, err := Verify(raw, UseID, issuerA, saasA, keys, t0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
