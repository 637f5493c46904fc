package identityapi

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// addressLimiter bounds the sign-in attempts of each client address on
// this node: a burst, then a steady rate. The lockout of each login is
// kept in the database and holds across nodes; this limit stops one
// address from trying many logins.
type addressLimiter struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu   sync.Mutex
	byIP map[string]*limiterEntry
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

// maxAddresses bounds the addresses remembered; idle ones are dropped
// first.
const maxAddresses = 10_000

func newAddressLimiter(every time.Duration, burst int, now func() time.Time) *addressLimiter {
	return &addressLimiter{every: every, burst: burst, now: now, byIP: map[string]*limiterEntry{}}
}

func (a *addressLimiter) allow(addr string) bool {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.byIP[addr]
	if !ok {
		if len(a.byIP) >= maxAddresses {
			a.sweep(now)
		}
		e = &limiterEntry{l: rate.NewLimiter(rate.Every(a.every), a.burst)}
		a.byIP[addr] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}

// sweep forgets the addresses whose bucket has refilled, and the oldest
// half if that is not enough.
func (a *addressLimiter) sweep(now time.Time) {
	full := a.every * time.Duration(a.burst)
	for k, e := range a.byIP {
		if now.Sub(e.seen) >= full {
			delete(a.byIP, k)
		}
	}
	if len(a.byIP) < maxAddresses {
		return
	}
	cut := now.Add(-full / 2)
	for k, e := range a.byIP {
		if e.seen.Before(cut) || len(a.byIP) >= maxAddresses {
			delete(a.byIP, k)
		}
	}
}
