package events

import (
	"context"
	"sync"
	"time"
)

// targetsTTL is how long a node trusts what it read of whether a SaaS has
// a delivery target, for requests that wrote nothing through the request's
// transactions (see Service.Complete). A node that creates or deletes an
// endpoint forgets at once; the others within targetsTTL.
const targetsTTL = time.Second

type targetCache struct {
	mu sync.Mutex
	m  map[string]targetsSeen
}

type targetsSeen struct {
	has bool
	at  time.Time
}

func (s *Service) hasTargets(ctx context.Context, saasID string) (bool, error) {
	now := s.cfg.Now()
	s.targets.mu.Lock()
	seen, ok := s.targets.m[saasID]
	s.targets.mu.Unlock()
	if ok && now.Sub(seen.at) < targetsTTL && !now.Before(seen.at) {
		return seen.has, nil
	}
	var has bool
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) { has, err = tx.HasTargets(ctx, saasID); return err }); err != nil {
		return false, err
	}
	s.targets.mu.Lock()
	if s.targets.m == nil || len(s.targets.m) > 100_000 {
		s.targets.m = map[string]targetsSeen{}
	}
	s.targets.m[saasID] = targetsSeen{has: has, at: now}
	s.targets.mu.Unlock()
	return has, nil
}

// ForgetTargets drops what this node knew of whether the SaaS has a
// delivery target: the integration service calls it when the SaaS's
// EventBridge settings change.
func (s *Service) ForgetTargets(saasID string) { s.forgetTargets(saasID) }

func (s *Service) forgetTargets(saasID string) {
	s.targets.mu.Lock()
	delete(s.targets.m, saasID)
	s.targets.mu.Unlock()
}
