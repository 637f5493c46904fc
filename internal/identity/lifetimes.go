package identity

import (
	"fmt"
	"time"
)

// Lifetimes are how long what the user pool hands out stays valid. They
// are configurable per server (serve flags); DefaultLifetimes gives the
// documented defaults.
type Lifetimes struct {
	// ID and Access: the signed tokens an app gets at sign-in and at
	// each refresh.
	ID, Access time.Duration
	// Refresh: the opaque refresh token, from sign-in. Refreshing does not
	// extend it.
	Refresh time.Duration
	// TempCode: the single-use code of the hosted sign-in's redirect (and
	// of POST /v1/auth/credentials), exchanged for the tokens.
	TempCode time.Duration
}

// DefaultLifetimes: one hour for ID and access tokens and 30 days for
// refresh tokens, as SaaSus (Amazon Cognito) issues them; one minute for
// temporary codes. Upstream states 10 seconds for the code of POST
// /credentials, and that leaves no slack for a browser redirect on a
// slow network, so saasplane allows a minute and spends it once.
func DefaultLifetimes() Lifetimes {
	return Lifetimes{ID: time.Hour, Access: time.Hour, Refresh: 30 * 24 * time.Hour, TempCode: time.Minute}
}

// Bounds of each lifetime that Validate accepts.
const (
	MinTokenLifetime    = 5 * time.Minute
	MaxTokenLifetime    = 24 * time.Hour
	MinRefreshLifetime  = time.Hour
	MaxRefreshLifetime  = 3650 * 24 * time.Hour
	MinTempCodeLifetime = 10 * time.Second
	MaxTempCodeLifetime = 5 * time.Minute
)

// Validate checks each lifetime against its bounds, and that a refresh
// token outlives the tokens it renews.
func (l Lifetimes) Validate() error {
	for _, c := range []struct {
		name     string
		v        time.Duration
		min, max time.Duration
	}{
		{"ID token", l.ID, MinTokenLifetime, MaxTokenLifetime},
		{"access token", l.Access, MinTokenLifetime, MaxTokenLifetime},
		{"refresh token", l.Refresh, MinRefreshLifetime, MaxRefreshLifetime},
		{"temporary code", l.TempCode, MinTempCodeLifetime, MaxTempCodeLifetime},
	} {
		if c.v < c.min || c.v > c.max {
			return fmt.Errorf("%s lifetime %v is out of %v..%v", c.name, c.v, c.min, c.max)
		}
	}
	if l.Refresh <= max(l.ID, l.Access) {
		return fmt.Errorf("refresh token lifetime %v must exceed the ID and access tokens' (%v, %v)", l.Refresh, l.ID, l.Access)
	}
	return nil
}

// Signed is the longest that a signed token lives: how long a signing
// key must stay published after it stops signing.
func (l Lifetimes) Signed() time.Duration { return max(l.ID, l.Access) }
