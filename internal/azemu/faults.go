package azemu

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/emufault"
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

// Faults are stored (Tx.InsertFault), so every node of one database sees
// and consumes the same ones; a fault's kind is its Kind.

// faultJSON is how a fault's other fields are stored.
type faultJSON struct {
	DelayMS    int64 `json:"delay_ms,omitempty"`
	RetryAfter int   `json:"retry_after,omitempty"`
}

// callFaults are the kinds of fault that affect API calls.
var callFaults = []string{FaultThrottle, FaultUnavailable, FaultDelay}

// AddFault queues a fault for the SaaS.
func (s *Service) AddFault(ctx context.Context, saasID string, f Fault) error {
	if f.Kind == FaultThrottle && f.RetryAfter == 0 {
		f.RetryAfter = 1
	}
	if err := f.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(faultJSON{DelayMS: f.Delay.Milliseconds(), RetryAfter: f.RetryAfter})
	if err != nil {
		return err
	}
	return s.faults().Add(ctx, saasID, f.Kind, string(b), f.Count, s.Now())
}

// Faults returns the SaaS's pending faults, in the order they were added.
func (s *Service) Faults(ctx context.Context, saasID string) ([]Fault, error) {
	return s.faults().List(ctx, saasID)
}

// ClearFaults removes the SaaS's pending faults.
func (s *Service) ClearFaults(ctx context.Context, saasID string) error {
	return s.faults().Clear(ctx, saasID)
}

// faults is the service's book of stored faults.
func (s *Service) faults() emufault.Book[Tx, Fault] {
	return emufault.Book[Tx, Fault]{Read: s.store.ReadTx, Write: s.store.WriteTx, Decode: faultOf}
}

func faultOf(r emufault.Row) (Fault, error) {
	var j faultJSON
	if err := json.Unmarshal([]byte(r.Fault), &j); err != nil {
		return Fault{}, fmt.Errorf("stored fault %q: %w", r.Fault, err)
	}
	return Fault{Kind: r.Kind, Count: r.Remaining, Delay: time.Duration(j.DelayMS) * time.Millisecond, RetryAfter: j.RetryAfter}, nil
}

// TakeCallFault consumes one call of the SaaS's first API fault.
func (s *Service) TakeCallFault(ctx context.Context, saasID string) (Fault, bool, error) {
	return s.take(ctx, saasID, callFaults...)
}

func (s *Service) takeDropFault(ctx context.Context, saasID string) (bool, error) {
	_, ok, err := s.take(ctx, saasID, FaultDropWebhook)
	return ok, err
}

// take consumes one call of the SaaS's first fault of one of kinds.
func (s *Service) take(ctx context.Context, saasID string, kinds ...string) (Fault, bool, error) {
	return s.faults().Take(ctx, saasID, kinds...)
}
