package azemu

import (
	"slices"
	"sync"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// The kinds of fault.
const (
	// FaultThrottle answers 429 with Retry-After.
	FaultThrottle = "throttle"
	// FaultUnavailable answers 503.
	FaultUnavailable = "unavailable"
	// FaultDelay answers normally, after Delay.
	FaultDelay = "delay"
	// FaultDropWebhook loses the next webhooks (status dropped).
	FaultDropWebhook = "drop_webhook"
)

// Fault limits.
const (
	MaxFaultCount = 1000
	MaxFaultDelay = 30 * time.Second
)

// Fault makes the next Count Fulfillment or metering API calls of a SaaS
// (or, for FaultDropWebhook, its next Count webhooks) misbehave.
type Fault struct {
	Kind       string
	Count      int
	Delay      time.Duration // FaultDelay, and before any other answer
	RetryAfter int           // seconds, FaultThrottle (default 1)
}

// Validate reports every invalid field.
func (f Fault) Validate() error {
	var fe errs.FieldErrors
	switch f.Kind {
	case FaultThrottle, FaultUnavailable, FaultDropWebhook:
	case FaultDelay:
		if f.Delay == 0 {
			fe.Add("delay_ms", "is required for a delay")
		}
	default:
		fe.Add("kind", "must be throttle, unavailable, delay or drop_webhook")
	}
	if f.Delay < 0 || f.Delay > MaxFaultDelay {
		fe.Add("delay_ms", "must be from 0 to %d", MaxFaultDelay.Milliseconds())
	}
	if f.RetryAfter < 0 || f.RetryAfter > 3600 {
		fe.Add("retry_after", "must be from 0 to 3600 seconds")
	}
	if f.Count < 1 || f.Count > MaxFaultCount {
		fe.Add("count", "must be from 1 to %d", MaxFaultCount)
	}
	return fe.Err()
}

// faults are kept in memory, per process: they are a test aid.
type faults struct {
	mu     sync.Mutex
	bySaaS map[string][]Fault
}

// AddFault queues a fault for the SaaS.
func (s *Service) AddFault(saasID string, f Fault) error {
	if f.Kind == FaultThrottle && f.RetryAfter == 0 {
		f.RetryAfter = 1
	}
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.bySaaS == nil {
		s.faults.bySaaS = map[string][]Fault{}
	}
	s.faults.bySaaS[saasID] = append(s.faults.bySaaS[saasID], f)
	return nil
}

// Faults returns the SaaS's pending faults.
func (s *Service) Faults(saasID string) []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]Fault{}, s.faults.bySaaS[saasID]...)
}

// ClearFaults removes the SaaS's pending faults.
func (s *Service) ClearFaults(saasID string) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	delete(s.faults.bySaaS, saasID)
}

// TakeCallFault consumes one call of the SaaS's first API fault.
func (s *Service) TakeCallFault(saasID string) (Fault, bool) {
	return s.take(saasID, func(f Fault) bool { return f.Kind != FaultDropWebhook })
}

func (s *Service) takeDropFault(saasID string) bool {
	_, ok := s.take(saasID, func(f Fault) bool { return f.Kind == FaultDropWebhook })
	return ok
}

func (s *Service) take(saasID string, match func(Fault) bool) (Fault, bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	list := s.faults.bySaaS[saasID]
	i := slices.IndexFunc(list, match)
	if i < 0 {
		return Fault{}, false
	}
	f := list[i]
	list[i].Count--
	if list[i].Count == 0 {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(s.faults.bySaaS, saasID)
	} else {
		s.faults.bySaaS[saasID] = list
	}
	return f, true
}
