package awsemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/emufault"
	"github.com/saasplane/saasplane/internal/errs"
)

// The operations a fault can target; OperationAny targets the three wire
// operations of AWS Marketplace. OperationPutEvents targets the
// EventBridge PutEvents calls whose entries name the SaaS's partner
// source, with ThrottlingException, InternalServiceErrorException (the
// whole call fails) or InternalFailure (every entry fails with that code,
// FailedEntryCount is the entries' count). OperationDeliverNotification
// targets the SNS notifications (not confirmations) posted to the SaaS's endpoint, with FaultDrop only:
// the message is lost (status dropped), for receivers that must reconcile.
const (
	OperationResolveCustomer     = "ResolveCustomer"
	OperationBatchMeterUsage     = "BatchMeterUsage"
	OperationGetEntitlements     = "GetEntitlements"
	OperationAny                 = "*"
	OperationDeliverNotification = "DeliverNotification"
	OperationPutEvents           = "PutEvents"
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
	case OperationPutEvents:
		switch f.Error {
		case "", ErrTypeThrottling, ErrTypeInternalServiceError, EntryErrInternalFailure:
		default:
			fe.Add("error", "a PutEvents fault must be ThrottlingException, InternalServiceErrorException or InternalFailure (or empty for a delay only)")
		}
	case OperationDeliverNotification:
		if f.Error != FaultDrop || f.Delay != 0 {
			fe.Add("error", "a DeliverNotification fault must be error Drop, without delay_ms")
		}
	default:
		fe.Add("operation", "must be ResolveCustomer, BatchMeterUsage, GetEntitlements, *, DeliverNotification or PutEvents")
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

// Faults are stored (Tx.InsertFault), so every node of one database sees
// and consumes the same ones; a fault's kind is its Operation.

// faultJSON is how a fault's other fields are stored.
type faultJSON struct {
	Error   string `json:"error,omitempty"`
	DelayMS int64  `json:"delay_ms,omitempty"`
}

// AddFault queues a fault for the SaaS's products and tokens.
func (s *Service) AddFault(ctx context.Context, saasID string, f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(faultJSON{Error: f.Error, DelayMS: f.Delay.Milliseconds()})
	if err != nil {
		return err
	}
	return s.faults().Add(ctx, saasID, f.Operation, string(b), f.Count, s.Now())
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
	return Fault{Operation: r.Kind, Error: j.Error, Delay: time.Duration(j.DelayMS) * time.Millisecond, Count: r.Remaining}, nil
}

// take consumes one call of the SaaS's first fault of one of kinds.
func (s *Service) take(ctx context.Context, saasID string, kinds ...string) (Fault, bool, error) {
	return s.faults().Take(ctx, saasID, kinds...)
}

// TakeFault consumes one call of the first pending fault for op whose SaaS
// owns the call: the product code's owner, or the registration token's.
// ok is false when no fault applies.
func (s *Service) TakeFault(ctx context.Context, op, productCode, token string) (f Fault, ok bool, err error) {
	var owner string
	var any bool
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if any, err = tx.AnyFaults(ctx); err != nil || !any {
			return err
		}
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
	if errors.Is(err, errs.ErrNotExist) || (err == nil && !any) {
		return Fault{}, false, nil
	}
	if err != nil {
		return Fault{}, false, err
	}
	return s.take(ctx, owner, op, OperationAny)
}

// takeDeliveryFault consumes one DeliverNotification fault of the SaaS.
func (s *Service) takeDeliveryFault(ctx context.Context, saasID string) (bool, error) {
	_, ok, err := s.take(ctx, saasID, OperationDeliverNotification)
	return ok, err
}
