package pricing

import (
	"context"
	"sync"
)

// planCache keeps each SaaS's assembled plans (plans -> menus -> units),
// tagged with the catalog version they were read at. Apps read plans on
// most requests (to compare usage with upper_count) while the catalog
// rarely changes, so a hit saves five queries and the nesting work.
//
// Correctness does not depend on this process seeing every write: readers
// compare the cached version with the version in their own database
// snapshot, and every catalog write bumps it in its transaction.
type planCache struct {
	mu sync.Mutex
	m  map[string]*cachedPlans
}

type cachedPlans struct {
	version int64
	plans   []Plan
	byID    map[string]int
}

// maxCachedSaaS bounds the cache; past it, an arbitrary entry is dropped.
const maxCachedSaaS = 4096

func (c *planCache) get(saasID string, version int64) *cachedPlans {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[saasID]; e != nil && e.version == version {
		return e
	}
	return nil
}

func (c *planCache) put(saasID string, e *cachedPlans) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*cachedPlans{}
	}
	if old := c.m[saasID]; old != nil && old.version > e.version {
		return // a newer snapshot got here first
	}
	if len(c.m) >= maxCachedSaaS {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[saasID] = e
}

// cachedPlans returns the SaaS's plans as of tx's snapshot, from the cache
// when its version matches.
func (s *Service) cachedPlans(ctx context.Context, tx Tx, saasID string) (*cachedPlans, error) {
	v, err := tx.CatalogVersion(ctx, saasID)
	if err != nil {
		return nil, err
	}
	if e := s.plans.get(saasID, v); e != nil {
		return e, nil
	}
	recs, err := tx.Plans(ctx, saasID)
	if err != nil {
		return nil, err
	}
	ps, err := assemblePlans(ctx, tx, saasID, recs, true)
	if err != nil {
		return nil, err
	}
	e := &cachedPlans{version: v, plans: ps, byID: make(map[string]int, len(ps))}
	for i, p := range ps {
		e.byID[p.ID] = i
	}
	s.plans.put(saasID, e)
	return e, nil
}
