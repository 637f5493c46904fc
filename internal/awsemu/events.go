package awsemu

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/integration"
)

// The emulator's EventBridge: PutEvents stores every entry it accepts, as
// an event bus would receive it, and the admin API lists what a SaaS's
// partner source (integration.Source) sent.

// EventBridge limits and defaults.
const (
	MaxPutEventsEntries = 10
	MaxDetailType       = 128
	MaxEventEntryBytes  = 256 * 1024
	DefaultEventsLimit  = 100
	MaxEventsLimit      = 1000
)

// The per-entry error codes PutEvents answers (as EventBridge does).
const (
	EntryErrInvalidArgument = "InvalidArgument"
	EntryErrMalformedDetail = "MalformedDetail"
	EntryErrInternalFailure = "InternalFailure"
)

// eventBusARNRE captures the region and account of an event bus ARN.
var eventBusARNRE = regexp.MustCompile(`^arn:aws:events:([a-z0-9-]+):([0-9]{12}):event-bus/([A-Za-z0-9._/-]{1,256})$`)

// EventEntry is one entry of a PutEvents call, as received.
type EventEntry struct {
	EventBusName string // a name or an ARN; "" is the default bus
	Source       string
	DetailType   string
	Detail       string
	Time         time.Time // zero: the call's time
}

// EventResult is PutEvents' answer for one entry: EventID when accepted,
// else ErrorCode and ErrorMessage.
type EventResult struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// ReceivedEvent is an entry PutEvents accepted.
type ReceivedEvent struct {
	EventID string
	// SaaSID is the SaaS whose partner source the entry names; "" when
	// its source is not one.
	SaaSID     string
	Region     string // of the call
	EventBus   string // as named by the entry ("default" when it named none)
	Source     string
	DetailType string
	Detail     string
	Time       time.Time
	ReceivedAt time.Time
}

// PutEvents receives one call made in region: 1 to MaxPutEventsEntries
// entries, each accepted (and stored) or failed on its own. A pending
// PutEvents fault of the SaaS of the first partner source among the
// entries applies: a delay, an error of the whole call, or (error
// InternalFailure) every entry failed with that code.
func (s *Service) PutEvents(ctx context.Context, region string, entries []EventEntry) ([]EventResult, error) {
	if len(entries) < 1 || len(entries) > MaxPutEventsEntries {
		return nil, awsErr(ErrTypeValidation, "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d", MaxPutEventsEntries)
	}
	owner := ""
	for _, e := range entries {
		if id, ok := integration.SaaSOfSource(e.Source); ok {
			owner = id
			break
		}
	}
	if owner != "" {
		f, ok, err := s.take(ctx, owner, OperationPutEvents)
		if err != nil {
			return nil, err
		}
		if ok {
			delay(ctx, f.Delay)
			if f.Error == EntryErrInternalFailure {
				out := make([]EventResult, len(entries))
				for i := range out {
					out[i] = EventResult{ErrorCode: EntryErrInternalFailure, ErrorMessage: "internal failure (fault injected by the emulator)"}
				}
				return out, nil
			}
			if err := f.Err(); err != nil {
				return nil, err
			}
		}
	}
	now := s.Now()
	out := make([]EventResult, len(entries))
	var accepted []ReceivedEvent
	missing := 0
	for i, e := range entries {
		code, msg := checkEntry(region, e)
		if code != "" {
			if e.Source == "" || e.DetailType == "" || e.Detail == "" {
				missing++
			}
			out[i] = EventResult{ErrorCode: code, ErrorMessage: msg}
			continue
		}
		ev := ReceivedEvent{EventID: s.ids.UUID(), Region: region, EventBus: e.EventBusName, Source: e.Source,
			DetailType: e.DetailType, Detail: e.Detail, Time: e.Time.UTC(), ReceivedAt: now}
		if ev.EventBus == "" {
			ev.EventBus = "default"
		}
		if ev.Time.IsZero() {
			ev.Time = now
		}
		ev.SaaSID, _ = integration.SaaSOfSource(e.Source)
		out[i] = EventResult{EventID: ev.EventID}
		accepted = append(accepted, ev)
	}
	if missing == len(entries) {
		return nil, awsErr(ErrTypeValidation, "no entry has Source, DetailType and Detail: every one is required")
	}
	if len(accepted) == 0 {
		return out, nil
	}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		for _, ev := range accepted {
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkEntry returns the error code and message of an entry EventBridge
// would fail; "" when it is accepted.
func checkEntry(region string, e EventEntry) (code, msg string) {
	required := func(name string) (string, string) {
		return EntryErrInvalidArgument, fmt.Sprintf("Parameter %s is not valid. Reason: %s is a required argument.", name, name)
	}
	switch {
	case e.Source == "":
		return required("Source")
	case e.DetailType == "":
		return required("DetailType")
	case e.Detail == "":
		return required("Detail")
	case len([]rune(e.DetailType)) > MaxDetailType:
		return EntryErrInvalidArgument, fmt.Sprintf("Parameter DetailType is not valid. Reason: it is longer than %d characters.", MaxDetailType)
	case 14+len(e.Source)+len(e.DetailType)+len(e.Detail) > MaxEventEntryBytes:
		return EntryErrInvalidArgument, fmt.Sprintf("Parameter Detail is not valid. Reason: the entry is larger than %d bytes.", MaxEventEntryBytes)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(e.Detail), &obj) != nil || obj == nil {
		return EntryErrMalformedDetail, "Detail is malformed."
	}
	if m := eventBusARNRE.FindStringSubmatch(e.EventBusName); m != nil && m[1] != region {
		return EntryErrInvalidArgument, fmt.Sprintf("Parameter EventBusName is not valid. Reason: event bus %s is not in the region of the call, %s.", e.EventBusName, region)
	} else if m == nil && len(e.EventBusName) > 256 {
		return EntryErrInvalidArgument, "Parameter EventBusName is not valid. Reason: it is longer than 256 characters."
	}
	return "", ""
}

// ListEvents returns the events the SaaS's partner source sent, newest
// first, at most limit (DefaultEventsLimit when 0).
func (s *Service) ListEvents(ctx context.Context, saasID string, limit int) ([]ReceivedEvent, error) {
	if limit == 0 {
		limit = DefaultEventsLimit
	}
	if limit < 1 || limit > MaxEventsLimit {
		return nil, errs.Invalid("limit must be an integer from 1 to %d", MaxEventsLimit)
	}
	var out []ReceivedEvent
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		out, err = tx.Events(ctx, saasID, limit)
		return err
	})
	return out, err
}

// delay waits d or until ctx ends.
func delay(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
