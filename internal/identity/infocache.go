package identity

import "sync"

// InfoVersion tags a user's userinfo answer: SaaS counts the changes that
// reach every user of the SaaS (envs and roles), User those of the user's
// own part (their row, memberships, roles, and their tenants' names,
// staff emails and plans). The store keeps both counters in the same
// transaction as the change, so an answer read after a version was read
// is at least as new as that version.
type InfoVersion struct {
	SaaS, User int64
}

// infoCache keeps the userinfo answers this node has read, each tagged
// with the version it was read after. Apps ask userinfo on every request
// while a user's tenants and roles rarely change, so a hit turns the
// five-join read into one read of the session and two counters.
//
// Correctness does not depend on this node seeing the writes: a reader
// compares the cached tag with the versions in its own read of the
// session, and the session itself is read every time, so a revoked
// token is refused at once. Answers are shared by the callers, who must
// not change them.
type infoCache struct {
	mu sync.Mutex
	m  map[infoKey]cachedInfo
}

type infoKey struct{ saasID, userID string }

type cachedInfo struct {
	version InfoVersion
	info    UserInfo
}

// maxCachedInfo bounds the answers kept (a few KB each); past it, an
// arbitrary half goes.
const maxCachedInfo = 50_000

func (c *infoCache) get(saasID, userID string, v InfoVersion) (UserInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[infoKey{saasID, userID}]
	if !ok || e.version != v {
		return UserInfo{}, false
	}
	return e.info, true
}

func (c *infoCache) put(saasID, userID string, v InfoVersion, info UserInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[infoKey]cachedInfo{}
	}
	k := infoKey{saasID, userID}
	if old, ok := c.m[k]; ok && (old.version.SaaS > v.SaaS || old.version.User > v.User) {
		return // a newer read got here first
	}
	if len(c.m) >= maxCachedInfo {
		for k := range c.m {
			if len(c.m) < maxCachedInfo/2 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[k] = cachedInfo{version: v, info: info}
}
