package awsemu

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// The operations a fault can target; OperationAny targets the three wire
// operations. OperationDeliverNotification targets the SNS notifications
// (not confirmations) posted to the SaaS's endpoint, with FaultDrop only:
// the message is lost (status dropped), for receivers that must reconcile.
const (
	OperationResolveCustomer     = "ResolveCustomer"
	OperationBatchMeterUsage     = "BatchMeterUsage"
	OperationGetEntitlements     = "GetEntitlements"
	OperationAny                 = "*"
	OperationDeliverNotification = "DeliverNotification"
)

// FaultDrop is the Error of a DeliverNotification fault.
const FaultDrop = "Drop"

// Fault limits.
const (
	MaxFaultCount = 1000
	MaxFaultDelay = 30 * time.Second
)

// Fault makes the next Count calls of Operation, for products and tokens of
// one SaaS, wait Delay and then (when Error is set) fail with Error:
// ThrottlingException (HTTP 400) or InternalServiceErrorException (500).
type Fault struct {
	Operation string
	Error     string
	Delay     time.Duration
	Count     int // calls left
}

// Validate reports every invalid field.
func (f Fault) Validate() error {
	var fe errs.FieldErrors
	switch f.Operation {
	case OperationResolveCustomer, OperationBatchMeterUsage, OperationGetEntitlements, OperationAny:
		switch f.Error {
		case "", ErrTypeThrottling, ErrTypeInternalServiceError:
		default:
			fe.Add("error", "must be ThrottlingException or InternalServiceErrorException (or empty for a delay only)")
		}
	case OperationDeliverNotification:
		if f.Error != FaultDrop || f.Delay != 0 {
			fe.Add("error", "a DeliverNotification fault must be error Drop, without delay_ms")
		}
	default:
		fe.Add("operation", "must be ResolveCustomer, BatchMeterUsage, GetEntitlements, * or DeliverNotification")
	}
	if f.Delay < 0 || f.Delay > MaxFaultDelay {
		fe.Add("delay_ms", "must be from 0 to %d", MaxFaultDelay.Milliseconds())
	}
	if f.Error == "" && f.Delay == 0 {
		fe.Add("error", "set error, delay_ms or both")
	}
	if f.Count < 1 || f.Count > MaxFaultCount {
		fe.Add("count", "must be from 1 to %d", MaxFaultCount)
	}
	return fe.Err()
}

// Err is the error the faulty call answers with; nil for a delay only.
func (f Fault) Err() error {
	switch f.Error {
	case ErrTypeThrottling:
		return awsErr(ErrTypeThrottling, "rate exceeded (fault injected by the emulator)")
	case ErrTypeInternalServiceError:
		return errs.E(errs.KindUnavailable, "internal service error (fault injected by the emulator)").WithType(ErrTypeInternalServiceError)
	}
	return nil
}

// faults are kept in memory, per process: they are a test aid.
type faults struct {
	mu     sync.Mutex
	bySaaS map[string][]Fault // in the order added; the first match is used
}

// AddFault queues a fault for the SaaS's products and tokens.
func (s *Service) AddFault(saasID string, f Fault) error {
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

func (s *Service) anyFaults() bool {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return len(s.faults.bySaaS) > 0
}

// TakeFault consumes one call of the first pending fault for op whose SaaS
// owns the call: the product code's owner, or the registration token's.
// ok is false when no fault applies.
func (s *Service) TakeFault(ctx context.Context, op, productCode, token string) (f Fault, ok bool, err error) {
	if !s.anyFaults() {
		return Fault{}, false, nil
	}
	var owner string
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		switch {
		case token != "":
			t, err := tx.Token(ctx, token)
			owner = t.SaaSID
			return err
		case productCode != "":
			owner, err = tx.ProductOwner(ctx, productCode)
			return err
		}
		return errs.ErrNotExist
	})
	if errors.Is(err, errs.ErrNotExist) {
		return Fault{}, false, nil
	}
	if err != nil {
		return Fault{}, false, err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f, ok = s.takeLocked(owner, func(f Fault) bool { return f.Operation == op || f.Operation == OperationAny })
	return f, ok, nil
}

// takeDeliveryFault consumes one DeliverNotification fault of the SaaS.
func (s *Service) takeDeliveryFault(saasID string) (Fault, bool) {
	if !s.anyFaults() {
		return Fault{}, false
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.takeLocked(saasID, func(f Fault) bool { return f.Operation == OperationDeliverNotification })
}

// takeLocked consumes one call of the SaaS's first fault that match
// accepts; s.faults.mu is held.
func (s *Service) takeLocked(saasID string, match func(Fault) bool) (Fault, bool) {
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
