package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache keeps prepared statements per pool. The SQLite driver parses a
// statement's text on every call; for the few statements a busy server
// runs thousands of times a second, that parse was most of the cost.
//
// Statements are prepared outside any transaction: a statement first seen
// inside one is only noted, and prepared before the next transaction on
// that pool begins (preparing inside would wait for the connection the
// transaction itself holds: SQLite has a single writer connection).
// Transactions then reuse them through Tx.StmtContext. PostgreSQL needs
// none of this: pgx caches prepared statements itself.
type stmtCache struct {
	mu     sync.RWMutex
	stmts  map[*sql.DB]map[string]*sql.Stmt
	wanted map[*sql.DB]map[string]bool
}

// maxCachedStmts bounds the cache per pool.
const maxCachedStmts = 128

// cacheable reports whether a query text is worth preparing: texts built
// with variable-length IN lists would only churn the cache.
func cacheable(q string) bool { return !strings.Contains(q, " IN (") }

// get returns the prepared statement for q on pool, or nil after noting
// that it is wanted.
func (c *stmtCache) get(pool *sql.DB, q string) *sql.Stmt {
	c.mu.RLock()
	s := c.stmts[pool][q]
	c.mu.RUnlock()
	if s != nil || !cacheable(q) {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wanted == nil {
		c.wanted = map[*sql.DB]map[string]bool{}
	}
	w := c.wanted[pool]
	if w == nil {
		w = map[string]bool{}
		c.wanted[pool] = w
	}
	if len(w)+len(c.stmts[pool]) < maxCachedStmts {
		w[q] = true
	}
	return nil
}

// prepareWanted prepares the statements noted for pool. Failures are
// forgotten: the statement simply keeps running unprepared.
func (c *stmtCache) prepareWanted(ctx context.Context, pool *sql.DB) {
	c.mu.RLock()
	n := len(c.wanted[pool])
	c.mu.RUnlock()
	if n == 0 {
		return
	}
	c.mu.Lock()
	want := c.wanted[pool]
	delete(c.wanted, pool)
	c.mu.Unlock()
	for q := range want {
		s, err := pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[*sql.DB]map[string]*sql.Stmt{}
		}
		if c.stmts[pool] == nil {
			c.stmts[pool] = map[string]*sql.Stmt{}
		}
		if old := c.stmts[pool][q]; old != nil {
			old.Close()
		}
		c.stmts[pool][q] = s
		c.mu.Unlock()
	}
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.stmts {
		for _, s := range m {
			s.Close()
		}
	}
	c.stmts, c.wanted = nil, nil
}
