package saas

import (
	"sync"
	"time"
)

// KeyCacheTTL is how long an active key is trusted without asking the
// database again. It bounds how late a revocation made by another process
// takes effect.
const KeyCacheTTL = time.Second

// maxCachedKeys bounds the cache; past it, it is emptied.
const maxCachedKeys = 10000

// keyCache holds active keys only: unknown keys are never cached, so random
// keys cannot grow it.
type keyCache struct {
	mu sync.RWMutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key     Key
	expires time.Time
}

func (c *keyCache) get(apiKey string, now time.Time) (Key, bool) {
	c.mu.RLock()
	e, ok := c.m[apiKey]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return Key{}, false
	}
	return e.key, true
}

func (c *keyCache) put(k Key, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = make(map[string]cachedKey)
	}
	c.m[k.APIKey] = cachedKey{key: k, expires: expires}
}

func (c *keyCache) forget(apiKey string) {
	c.mu.Lock()
	delete(c.m, apiKey)
	c.mu.Unlock()
}
