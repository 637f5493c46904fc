package identity

import (
	"sync"
	"time"
)

// verifiedTokens remembers the tokens this node has verified, until they
// expire, so that the app's userinfo on every request pays the RSA check
// and the JSON of the claims once per token, not once per request. Only
// the signature, issuer, audience, use and expiry are remembered: the
// session behind a token is read on every use, so a revocation still
// takes effect at once. A token is a key only together with its SaaS and
// use, exactly as it was verified.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[verifiedKey]Claims
}

type verifiedKey struct {
	saasID, raw string
	use         TokenUse
}

// maxVerified bounds the tokens remembered (about 1 KB each); past it,
// expired ones go first, then an arbitrary half.
const maxVerified = 50_000

func (v *verifiedTokens) get(saasID, raw string, use TokenUse, now time.Time) (Claims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.m[verifiedKey{saasID, raw, use}]
	if !ok || c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time) {
		return Claims{}, false
	}
	return c, true
}

func (v *verifiedTokens) put(saasID, raw string, use TokenUse, c Claims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[verifiedKey]Claims{}
	}
	if len(v.m) >= maxVerified {
		for k, old := range v.m {
			if old.ExpiresAt == nil || !now.Before(old.ExpiresAt.Time) {
				delete(v.m, k)
			}
		}
		for k := range v.m {
			if len(v.m) < maxVerified/2 {
				break
			}
			delete(v.m, k)
		}
	}
	v.m[verifiedKey{saasID, raw, use}] = c
}
