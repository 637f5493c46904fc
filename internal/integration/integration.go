package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/errs"
)

// Regions are the AWS regions an EventBridge setting may name: every
// commercial region SaaSus offers (the China regions are not among them).
var Regions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"me-south-1", "sa-east-1",
}

// Limits of what is sent.
const (
	// MaxBatchEntries is the most entries one PutEvents call carries
	// (EventBridge's limit).
	MaxBatchEntries = 10
	// MaxBatchBytes is the most one PutEvents call carries, counted as
	// EventBridge counts an entry's size (EventBridge's limit, 256 KiB).
	MaxBatchBytes = 256 * 1024
	// MaxDetailTypeLength bounds a detail-type (EventBridge's limit).
	MaxDetailTypeLength = 128
	// MaxEventMessages bounds the messages of one CreateEventBridgeEvent.
	MaxEventMessages = 100
)

// The detail-type and event_type of the test event.
const TestEventType = "saasplane_test_event"

// ErrNotConfigured is in the chain of the error of a send for a SaaS that
// has no EventBridge settings (kind errs.KindConflict, type
// eventbridge_not_configured).
var ErrNotConfigured = errors.New("eventbridge not configured")

// EventBridgeSettings say where a SaaS's events go: the default event bus
// of an AWS account in one region.
type EventBridgeSettings struct {
	AWSAccountID string // 12 digits
	AWSRegion    string // one of Regions
}

// Validate reports every invalid field, by its wire name.
func (s EventBridgeSettings) Validate() error {
	var fe errs.FieldErrors
	switch {
	case s.AWSAccountID == "":
		fe.Add("aws_account_id", "is required")
	case !isAccountID(s.AWSAccountID):
		fe.Add("aws_account_id", "must be an AWS account id of 12 digits, like 123456789012")
	}
	switch {
	case s.AWSRegion == "":
		fe.Add("aws_region", "is required")
	case !slices.Contains(Regions, s.AWSRegion):
		fe.Add("aws_region", "must be one of %s", strings.Join(Regions, ", "))
	}
	return fe.Err()
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// EventBusARN is the bus the settings' events go to: the account's default
// event bus in the region.
func (s EventBridgeSettings) EventBusARN() string {
	return "arn:aws:events:" + s.AWSRegion + ":" + s.AWSAccountID + ":event-bus/default"
}

// Source is the source of every event of a SaaS, that of SaaSus's partner
// event source.
func Source(saasID string) string { return "aws.partner/saasus.io/" + saasID + "/event" }

// SaaSOfSource returns the SaaS whose Source source is; false when source
// is no SaaS's.
func SaaSOfSource(source string) (string, bool) {
	rest, ok := strings.CutPrefix(source, "aws.partner/saasus.io/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/event")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

// Event is one event for the SaaS's EventBridge.
type Event struct {
	DetailType string
	// Detail is the event's detail: a JSON object.
	Detail json.RawMessage
	// Time is the event's time; zero means when it is sent.
	Time time.Time
}

// Entry is one PutEvents entry, as the Sender sends it.
type Entry struct {
	Source     string
	DetailType string
	Detail     json.RawMessage
	Time       time.Time
}

// size is the entry's size as EventBridge counts it against MaxBatchBytes.
func (e Entry) size() int {
	return 14 + len(e.Source) + len(e.DetailType) + len(e.Detail)
}

// EntryResult is EventBridge's answer for one entry: an EventID when it
// was accepted, else an ErrorCode and ErrorMessage.
type EntryResult struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// Sender is the port to EventBridge's PutEvents.
type Sender interface {
	// PutEvents sends 1 to MaxBatchEntries entries to the event bus
	// busARN in region and returns one result per entry, in order. An
	// error means no entry is known to be accepted; it is of kind
	// errs.KindUnavailable when a retry may succeed (network, throttling,
	// AWS's own failures) and errs.KindConflict (type
	// eventbridge_refused) when AWS refused the call (credentials, access,
	// no such bus).
	PutEvents(ctx context.Context, region, busARN string, entries []Entry) ([]EntryResult, error)
}

// Store keeps the SaaSes' settings.
type Store interface {
	// EventBridgeSettings returns a SaaS's settings; errs.ErrNotExist
	// when it has none.
	EventBridgeSettings(ctx context.Context, saasID string) (EventBridgeSettings, error)
	// PutEventBridgeSettings inserts or replaces a SaaS's settings.
	PutEventBridgeSettings(ctx context.Context, saasID string, s EventBridgeSettings, at time.Time) error
	// DeleteEventBridgeSettings removes a SaaS's settings, if it has any.
	DeleteEventBridgeSettings(ctx context.Context, saasID string) error
}

// Service serves the Integration API and sends events.
type Service struct {
	store   Store
	sender  Sender
	now     func() time.Time
	log     *slog.Logger
	changed func(saasID string)
}

// OnChange makes fn hear of every save and delete of a SaaS's settings,
// after it is stored: the events forget what they knew of the SaaS's
// delivery targets. Call it before serving.
func (s *Service) OnChange(fn func(saasID string)) { s.changed = fn }

func (s *Service) notify(saasID string) {
	if s.changed != nil {
		s.changed(saasID)
	}
}

// NewService builds a Service: sender is where events go (nil refuses
// every send as unavailable), now the clock of settings' times and of
// events without one.
func NewService(store Store, sender Sender, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, sender: sender, now: now, log: log}
}

// GetEventBridgeSettings returns the SaaS's settings; a SaaS without any
// gets errs.KindNotFound.
func (s *Service) GetEventBridgeSettings(ctx context.Context, saasID string) (EventBridgeSettings, error) {
	st, err := s.store.EventBridgeSettings(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return EventBridgeSettings{}, errs.NotFound("this SaaS has no EventBridge settings: save them with PUT /v1/integration/eventbridge/info").
			WithType("eventbridge_settings_not_found")
	}
	return st, err
}

// SaveEventBridgeSettings validates and stores the SaaS's settings,
// replacing any it had.
func (s *Service) SaveEventBridgeSettings(ctx context.Context, saasID string, st EventBridgeSettings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	err := s.store.PutEventBridgeSettings(ctx, saasID, st, s.now().UTC())
	s.notify(saasID)
	return err
}

// DeleteEventBridgeSettings removes the SaaS's settings; a SaaS without
// any succeeds all the same.
func (s *Service) DeleteEventBridgeSettings(ctx context.Context, saasID string) error {
	err := s.store.DeleteEventBridgeSettings(ctx, saasID)
	s.notify(saasID)
	return err
}

// EventBridgeConfigured reports whether the SaaS has EventBridge settings.
func (s *Service) EventBridgeConfigured(ctx context.Context, saasID string) (bool, error) {
	_, err := s.store.EventBridgeSettings(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// EventMessage is one message of CreateEventBridgeEvent.
type EventMessage struct {
	EventType       string
	EventDetailType string
	Message         string
}

// CreateEventBridgeEvent sends the messages now, one event each: the
// detail-type is EventDetailType, the detail {"event_type", "message"}.
func (s *Service) CreateEventBridgeEvent(ctx context.Context, saasID string, msgs []EventMessage) error {
	var fe errs.FieldErrors
	switch {
	case len(msgs) == 0:
		fe.Add("event_messages", "must hold at least one message")
	case len(msgs) > MaxEventMessages:
		fe.Add("event_messages", "must hold at most %d messages", MaxEventMessages)
	}
	events := make([]Event, 0, len(msgs))
	for i, m := range msgs {
		p := fmt.Sprintf("event_messages[%d].", i)
		if m.EventType == "" {
			fe.Add(p+"event_type", "is required")
		}
		checkDetailType(&fe, p+"event_detail_type", m.EventDetailType)
		detail, err := json.Marshal(struct {
			EventType string `json:"event_type"`
			Message   string `json:"message"`
		}{m.EventType, m.Message})
		if err != nil {
			return err
		}
		if n := len(Source(saasID)) + len(m.EventDetailType) + len(detail) + 14; n > MaxBatchBytes {
			fe.Add(p+"message", "makes an event of %d bytes; EventBridge takes at most %d", n, MaxBatchBytes)
		}
		events = append(events, Event{DetailType: m.EventDetailType, Detail: detail})
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.SendEventBridge(ctx, saasID, events)
}

// CreateEventBridgeTestEvent sends one test event (detail-type and
// event_type TestEventType).
func (s *Service) CreateEventBridgeTestEvent(ctx context.Context, saasID string) error {
	return s.CreateEventBridgeEvent(ctx, saasID, []EventMessage{{EventType: TestEventType, EventDetailType: TestEventType,
		Message: "This is a test event sent by saasplane to check the EventBridge connection."}})
}

func checkDetailType(fe *errs.FieldErrors, field, v string) {
	switch {
	case v == "":
		fe.Add(field, "is required")
	case utf8.RuneCountInString(v) > MaxDetailTypeLength:
		fe.Add(field, "must be at most %d characters", MaxDetailTypeLength)
	}
}

// SendEventBridge sends events to the SaaS's EventBridge, in order, in
// batches of at most MaxBatchEntries entries (and MaxBatchBytes). A SaaS
// without settings gets ErrNotConfigured (kind errs.KindConflict); a batch
// refused or with a failed entry is an error naming the failed entries and
// how many events were accepted before (at least once: a retry sends
// those again). No events is no call.
func (s *Service) SendEventBridge(ctx context.Context, saasID string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	var fe errs.FieldErrors
	now := s.now().UTC()
	entries := make([]Entry, len(events))
	for i, e := range events {
		p := fmt.Sprintf("events[%d].", i)
		checkDetailType(&fe, p+"detail_type", e.DetailType)
		if !isJSONObject(e.Detail) {
			fe.Add(p+"detail", "must be a JSON object")
		}
		at := e.Time
		if at.IsZero() {
			at = now
		}
		entries[i] = Entry{Source: Source(saasID), DetailType: e.DetailType, Detail: e.Detail, Time: at.UTC()}
		if n := entries[i].size(); n > MaxBatchBytes {
			fe.Add(p+"detail", "makes an event of %d bytes; EventBridge takes at most %d", n, MaxBatchBytes)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	st, err := s.store.EventBridgeSettings(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return &errs.Error{Kind: errs.KindConflict, Type: "eventbridge_not_configured", Err: ErrNotConfigured,
			Message: "this SaaS has no EventBridge settings: save them with PUT /v1/integration/eventbridge/info first"}
	}
	if err != nil {
		return err
	}
	if s.sender == nil {
		return errs.E(errs.KindUnavailable, "this server has no EventBridge client configured").WithType("eventbridge_unavailable")
	}
	sent := 0
	for _, batch := range batches(entries) {
		results, err := s.sender.PutEvents(ctx, st.AWSRegion, st.EventBusARN(), batch)
		if err != nil {
			return sendError(err, sent, len(entries))
		}
		if err := failedEntries(batch, results, sent, len(entries)); err != nil {
			return err
		}
		sent += len(batch)
	}
	return nil
}

// SendEvent sends one event to the SaaS's EventBridge: the outbox of
// internal/events delivers every API call's event through it.
func (s *Service) SendEvent(ctx context.Context, saasID, detailType string, detail json.RawMessage, at time.Time) error {
	return s.SendEventBridge(ctx, saasID, []Event{{DetailType: detailType, Detail: detail, Time: at}})
}

// batches cuts entries into PutEvents calls of at most MaxBatchEntries
// entries and MaxBatchBytes, in order.
func batches(entries []Entry) [][]Entry {
	var out [][]Entry
	start, size := 0, 0
	for i, e := range entries {
		if i > start && (i-start == MaxBatchEntries || size+e.size() > MaxBatchBytes) {
			out = append(out, entries[start:i])
			start, size = i, 0
		}
		size += e.size()
	}
	return append(out, entries[start:])
}

// retryableEntryCodes are the per-entry error codes of failures that a
// later try may not have.
var retryableEntryCodes = []string{"InternalFailure", "InternalException", "ThrottlingException", "ServiceUnavailable"}

// failedEntries returns the error naming the failed entries of a batch
// whose first entry is event number offset; nil when every entry was
// accepted.
func failedEntries(batch []Entry, results []EntryResult, offset, total int) error {
	if len(results) != len(batch) {
		return errs.E(errs.KindUnavailable, "EventBridge answered %d results for %d entries (%d of %d events sent before)",
			len(results), len(batch), offset, total).WithType("eventbridge_unavailable")
	}
	var failed []string
	retryable := true
	for i, r := range results {
		if r.ErrorCode == "" && r.EventID != "" {
			continue
		}
		failed = append(failed, fmt.Sprintf("event %d (detail-type %q): %s: %s", offset+i, batch[i].DetailType, r.ErrorCode, r.ErrorMessage))
		if !slices.Contains(retryableEntryCodes, r.ErrorCode) {
			retryable = false
		}
	}
	if len(failed) == 0 {
		return nil
	}
	msg := fmt.Sprintf("EventBridge failed %d of %d entries: %s (the others of that call were accepted, and %d of %d events before it)",
		len(failed), len(batch), strings.Join(failed, "; "), offset, total)
	if retryable {
		return errs.E(errs.KindUnavailable, "%s", msg).WithType("eventbridge_unavailable")
	}
	return errs.E(errs.KindConflict, "%s", msg).WithType("eventbridge_refused")
}

// sendError adds to a Sender's error how far the send got.
func sendError(err error, sent, total int) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("send events to EventBridge: %w", err)
	}
	out := *e
	out.Message = fmt.Sprintf("%s (%d of %d events sent before)", e.Message, sent, total)
	out.Err = err
	return &out
}

func isJSONObject(b json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}
